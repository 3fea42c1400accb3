/* mflow.c: order-flow statistics over a recording (definitions in mflow.h). One streaming
 * pass: trades wait in a queue until the first line after their horizon (a bookTicker, or a
 * trade: one that came with no bookTicker since says the mid held) tells the mid at that
 * horizon, so memory is the trades of the last 5 s, not the recording, even where the
 * bookTickers stop. */
#include "mflow.h"

#include <stdlib.h>
#include <string.h>

#include "../core/err.h"
#include "../feed/replay.h"

#define MFLOW_H1_NS 1000000000LL
#define MFLOW_H5_NS 5000000000LL

typedef struct pending {
    int64_t t;   /* local receive time of the trade, ns */
    double mid0; /* mid before it, ticks */
    int sign;    /* +1 buyer aggressor, -1 seller */
} pending_t;

typedef struct queue {
    pending_t *v;
    size_t head, n, cap; /* live entries are v[head..n) */
    size_t c1, c5;       /* next entry to resolve at 1 s and at 5 s (head <= c5 <= c1 <= n) */
} queue_t;

static int q_push(queue_t *q, pending_t p) {
    if (q->n == q->cap) {
        if (q->head) { /* drop what both horizons have resolved before growing */
            memmove(q->v, q->v + q->head, (q->n - q->head) * sizeof *q->v);
            q->n -= q->head;
            q->c1 -= q->head;
            q->c5 -= q->head;
            q->head = 0;
        }
        if (q->n == q->cap) {
            size_t nc = q->cap ? q->cap * 2 : 4096;
            pending_t *nv = realloc(q->v, nc * sizeof *nv);
            if (!nv) return Q_E_NOMEM;
            q->v = nv;
            q->cap = nc;
        }
    }
    q->v[q->n++] = p;
    return 0;
}

/* resolves, at horizon h, every waiting trade whose horizon ends before `now` (or at it, when
   `inclusive`): `mid` was the mid at that horizon */
static void resolve(queue_t *q, size_t *cur, int64_t h, int64_t now, int inclusive, double mid, double *sum,
                    int64_t *n) {
    while (*cur < q->n) {
        const pending_t *p = &q->v[*cur];
        if (inclusive ? p->t + h > now : p->t + h >= now) break;
        *sum += p->sign * (mid - p->mid0) / p->mid0 * 1e4;
        (*n)++;
        (*cur)++;
    }
}

/* both horizons: every trade whose horizon ends before `now`, at `mid` (the mid held from the
   line before until now); what both have resolved leaves the queue */
static void resolve_before(queue_t *q, int64_t now, double mid, double *sum1, double *sum5, mflow_t *f) {
    resolve(q, &q->c1, MFLOW_H1_NS, now, 0, mid, sum1, &f->n_1s);
    resolve(q, &q->c5, MFLOW_H5_NS, now, 0, mid, sum5, &f->n_5s);
    q->head = q->c5 < q->c1 ? q->c5 : q->c1;
}

int mflow_compute(char **files, int nfiles, const symbol_rules_t *r, mflow_t *f, char *err, int errcap) {
    memset(f, 0, sizeof *f);
    replay_t *rp = calloc(1, sizeof *rp);
    if (!rp) {
        snprintf(err, (size_t)errcap, "%s", q_strerror(Q_E_NOMEM));
        return Q_E_NOMEM;
    }
    int rc = replay_open(rp, files, nfiles, r);
    if (rc) {
        snprintf(err, (size_t)errcap, "%s", q_strerror(rc));
        free(rp);
        return rc;
    }
    queue_t q = {0};
    md_event_t ev;
    double mid = 0, sum1 = 0, sum5 = 0;
    int64_t last_bbo = 0, last_t = 0;
    int last_sign = 0;
    /* sums for the lag-1 correlation: of s_i s_{i+1}, of s_i over all, of the first n-1, of the last n-1 */
    double s_pair = 0, s_all = 0, s_first = 0, s_last = 0;
    while ((rc = replay_next(rp, &ev)) > 0) {
        if (ev.type == MD_BBO) {
            /* this line is the first after every horizon that ends before it: the mid until now held there */
            if (mid > 0) resolve_before(&q, ev.local_ns, mid, &sum1, &sum5, f);
            mid = (double)(ev.u.bbo.bid + ev.u.bbo.ask) / 2;
            last_bbo = ev.local_ns;
        } else if (ev.type == MD_TRADE) {
            /* no bookTicker since the last: the mid held until now, at every horizon before it */
            if (mid > 0) resolve_before(&q, ev.local_ns, mid, &sum1, &sum5, f);
            int sign = ev.u.trade.buyer_maker ? -1 : 1;
            if (f->trades) {
                s_pair += last_sign * sign;
                s_last += sign;
                s_first += last_sign;
            }
            s_all += sign;
            if (!f->trades || sign != last_sign || ev.u.trade.trade_ns != last_t) f->orders++;
            f->trades++;
            last_sign = sign;
            last_t = ev.u.trade.trade_ns;
            if (mid > 0 && (rc = q_push(&q, (pending_t){ev.local_ns, mid, sign}))) break;
        }
    }
    if (rc < 0) {
        snprintf(err, (size_t)errcap, "%s", rp->rec.err[0] ? rp->rec.err : q_strerror(rc));
    } else {
        rc = 0;
        /* horizons that end exactly at the last bookTicker see its mid; later ones are left out */
        if (mid > 0) {
            resolve(&q, &q.c1, MFLOW_H1_NS, last_bbo, 1, mid, &sum1, &f->n_1s);
            resolve(&q, &q.c5, MFLOW_H5_NS, last_bbo, 1, mid, &sum5, &f->n_5s);
        }
        f->move_1s_bps = f->n_1s ? sum1 / (double)f->n_1s : 0;
        f->move_5s_bps = f->n_5s ? sum5 / (double)f->n_5s : 0;
        f->trades_per_order = f->orders ? (double)f->trades / (double)f->orders : 0;
        if (f->trades > 2) {
            double n = (double)f->trades, m = s_all / n;
            /* sum over pairs of (s_i - m)(s_{i+1} - m), over n-1 pairs; variance over all n */
            double cov = (s_pair - m * (s_first + s_last) + (n - 1) * m * m) / (n - 1);
            double var = 1 - m * m; /* s_i^2 = 1 */
            f->sign_autocorr = var > 0 ? cov / var : 0;
        }
    }
    free(q.v);
    replay_close(rp);
    free(rp);
    return rc;
}

void mflow_print(const mflow_t *f, FILE *out) {
    fprintf(out,
            "trades=%lld aggressor_orders=%lld trades_per_order=%.2f move_1s_bps=%.3f move_5s_bps=%.3f "
            "sign_autocorr=%.3f\n",
            (long long)f->trades, (long long)f->orders, f->trades_per_order, f->move_1s_bps, f->move_5s_bps,
            f->sign_autocorr);
}
