/* mstats.c: market statistics over a recording (see mstats.h). */
#include "mstats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../book/sync.h"
#include "../core/err.h"
#include "../feed/replay.h"

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

typedef struct vec { int64_t *v; size_t n, cap; } vec_t;

static int push(vec_t *a, int64_t x) {
    if (a->n == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 4096;
        int64_t *nv = realloc(a->v, nc * sizeof *nv);
        if (!nv) return Q_E_NOMEM;
        a->v = nv;
        a->cap = nc;
    }
    a->v[a->n++] = x;
    return 0;
}

static double median(vec_t *a) {
    if (!a->n) return 0;
    qsort(a->v, a->n, sizeof *a->v, cmp_i64);
    return (double)a->v[a->n / 2];
}

int mstats_compute(char **files, int nfiles, const symbol_rules_t *r, mstats_t *s, char *err, int errcap) {
    memset(s, 0, sizeof *s);
    replay_t *rp = calloc(1, sizeof *rp);
    book_t book;
    book_sync_t sync;
    vec_t spreads = {0}, tq = {0};
    int rc = replay_open(rp, files, nfiles, r);
    if (!rc) rc = book_init(&book, 17);
    if (rc) {
        snprintf(err, (size_t)errcap, "%s", q_strerror(rc));
        free(rp);
        return rc;
    }
    sync_init(&sync, &book);
    md_event_t ev;
    int64_t t0 = 0, t1 = 0, ndiff = 0, nbbo = 0, ntrade = 0, nlev = 0, depth_n = 0;
    double depth_sum = 0, spread_sum = 0, ret_sum = 0, ret_sq = 0, trade_sum = 0;
    int64_t ret_n = 0, sec = -1;
    double last_mid = 0, sec_mid = 0;
    while ((rc = replay_next(rp, &ev)) > 0) {
        if (!t0) t0 = ev.local_ns;
        t1 = ev.local_ns;
        if (ev.type == MD_DIFF) {
            ndiff++;
            nlev += ev.nbids + ev.nasks;
            if (sync_on_diff(&sync, &ev) == 1) {
                int64_t b = book_best(&book, BOOK_BID), a = book_best(&book, BOOK_ASK);
                if (b && a) {
                    double mid = (double)(b + a) / 2, lim = mid * 10e-4, sum = 0;
                    int64_t p, q;
                    for (int side = 0; side < 2; side++) {
                        p = side ? a : b;
                        q = book_qty(&book, (book_side_t)side, p);
                        while (fabs((double)p - mid) <= lim) {
                            sum += (double)q;
                            if (!book_next(&book, (book_side_t)side, p, &p, &q)) break;
                        }
                    }
                    depth_sum += sum * r->lot.value;
                    depth_n++;
                }
            }
        } else if (ev.type == MD_SNAPSHOT) {
            sync_on_snapshot(&sync, &ev);
        } else if (ev.type == MD_BBO) {
            nbbo++;
            int64_t sp = ev.u.bbo.ask - ev.u.bbo.bid;
            push(&spreads, sp);
            spread_sum += (double)sp;
            last_mid = (double)(ev.u.bbo.ask + ev.u.bbo.bid) / 2;
        } else if (ev.type == MD_TRADE) {
            ntrade++;
            push(&tq, ev.u.trade.qty);
            trade_sum += (double)ev.u.trade.qty;
        }
        /* one mid a second, at the first event of each second */
        int64_t now_s = (ev.local_ns - t0) / 1000000000;
        if (now_s != sec && last_mid > 0) {
            if (sec_mid > 0 && now_s == sec + 1) {
                double lr = log(last_mid / sec_mid);
                ret_sum += lr;
                ret_sq += lr * lr;
                ret_n++;
            }
            sec = now_s;
            sec_mid = last_mid;
        }
    }
    if (rc < 0) snprintf(err, (size_t)errcap, "%s", rp->rec.err);
    else {
        rc = 0;
        s->seconds = (double)(t1 - t0) / 1e9;
        double d = s->seconds > 0 ? s->seconds : 1;
        s->diffs_per_s = (double)ndiff / d;
        s->bbo_per_s = (double)nbbo / d;
        s->trades_per_s = (double)ntrade / d;
        s->levels_per_diff = ndiff ? (double)nlev / (double)ndiff : 0;
        s->spread_ticks_mean = nbbo ? spread_sum / (double)nbbo / (double)r->tick.mult : 0;
        s->spread_ticks_median = median(&spreads);
        if (ret_n > 1) {
            double mean = ret_sum / (double)ret_n;
            s->vol_bps = sqrt(ret_sq / (double)ret_n - mean * mean) * 1e4;
        }
        s->depth10_base = depth_n ? depth_sum / (double)depth_n : 0;
        s->trade_median = median(&tq) * r->lot.value;
        s->trade_mean = ntrade ? trade_sum / (double)ntrade * r->lot.value : 0;
        s->bad_lines = replay_bad_lines(rp);
        s->gaps = sync.st.gaps;
    }
    free(spreads.v);
    free(tq.v);
    replay_close(rp);
    free(rp);
    sync_free(&sync);
    book_free(&book);
    return rc;
}

void mstats_print(const mstats_t *s, FILE *f) {
    fprintf(f,
            "seconds=%.1f diffs_per_s=%.2f bookticker_per_s=%.2f trades_per_s=%.2f levels_per_diff=%.1f "
            "spread_ticks_median=%.0f spread_ticks_mean=%.2f vol_bps_1s=%.3f depth_10bps=%.3f "
            "trade_qty_median=%.5f trade_qty_mean=%.5f bad_lines=%lld gaps=%lld\n",
            s->seconds, s->diffs_per_s, s->bbo_per_s, s->trades_per_s, s->levels_per_diff, s->spread_ticks_median,
            s->spread_ticks_mean, s->vol_bps, s->depth10_base, s->trade_median, s->trade_mean,
            (long long)s->bad_lines, (long long)s->gaps);
}
