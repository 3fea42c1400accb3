/* synth.c: the synthetic market (see synth.h). One step per exchange millisecond. */
#include "synth.h"

#include <errno.h>
#include <libdeflate.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../book/book.h"
#include "../core/err.h"
#include "../core/rng.h"

void synth_defaults(synth_params_t *p) {
    memset(p, 0, sizeof *p);
    p->seconds = 600;
    p->seed = 1;
    p->start_price = 61837.63;
    /* the price's volatility is news (vol_bps) and the order flow's impact together */
    p->vol_bps = 0.65;
    p->move_rate = 4;
    p->trades_per_s = 6;       /* market orders; ~3.3 trades each, and the sweeps after news */
    p->limits_per_s = 230;
    p->cancels_per_s = 195;
    p->depth_ticks = 25;
    p->density = 0.05;
    p->touch_per_s = 70;
    p->trade_median = 0.0007;
    p->trade_sigma = 3.0;
    p->order_median = 0.006;
    p->order_sigma = 1.2;
    p->touch_ratio = 160;      /* about 1 BTC next to a new price, as the recording's touch */
    p->start_ns = 1723161253937085768LL; /* the shared recording's start, for comparisons */
    p->latency_ms = 2;
    p->meta_orders = 3;
    p->meta_share = 0.8;
    p->impact_bps = 0.12;
    p->impact_transient = 0.3;
    p->impact_decay_s = 3;
    p->maker_orders = 2.5;
}

/* ---- random numbers: xoshiro256** (core/rng.h), and the draws the market needs ---- */

static double normal(rng_t *r) {
    double u = rng_u01(r), v = rng_u01(r);
    return sqrt(-2 * log(1 - u)) * cos(2 * M_PI * v);
}
static int poisson(rng_t *r, double mean) { /* small means only */
    double l = exp(-mean), p = 1;
    int k = 0;
    do { k++; p *= rng_u01(r); } while (p > l && k < 1000);
    return k - 1;
}
static int64_t geometric(rng_t *r, double mean) {
    double d = floor(-log(1 - rng_u01(r)) * mean);
    return d < 1e12 ? (int64_t)d : (int64_t)1e12; /* a long tail, but a representable one */
}

/* ---- output: lines into a buffer, written as gzip members of about 1 MB ---- */

typedef struct out {
    FILE *f;
    struct libdeflate_compressor *c;
    char *buf, *z;
    size_t len, cap, zcap;
    int64_t last_local;
    int failed;
} out_t;

static void out_flush(out_t *o) {
    if (!o->len || o->failed) return;
    size_t n = libdeflate_gzip_compress(o->c, o->buf, o->len, o->z, o->zcap);
    if (!n || fwrite(o->z, 1, n, o->f) != n) o->failed = 1;
    o->len = 0;
}

static void out_line(out_t *o, int64_t local, const char *fmt, ...) {
    if (local <= o->last_local) local = o->last_local + 1000; /* lines in local time order */
    o->last_local = local;
    if (o->cap - o->len < 65536) out_flush(o);
    int n = snprintf(o->buf + o->len, o->cap - o->len, "%lld ", (long long)local);
    o->len += (size_t)n;
    va_list ap;
    va_start(ap, fmt);
    n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= o->cap - o->len) { o->failed = 1; return; }
    o->len += (size_t)n;
    o->buf[o->len++] = '\n';
}

/* ---- the market ----------------------------------------------------------- */

typedef struct change { int side; int64_t price; } change_t;

typedef struct market {
    const synth_params_t *p;
    const symbol_rules_t *r;
    rng_t rng;
    book_t book;
    uint64_t uid, diff_first;  /* update ids: current, first of the pending diff */
    change_t *chg;
    int nchg, capchg;
    uint64_t trade_id;
    book_top_t shown;          /* last bookTicker written */
    double fair;               /* ticks */
    int64_t e_ms;              /* exchange time, ms */
    out_t *out;
    char sym_lower[24];
    int meta_side;             /* +1 buying, -1 selling: the meta-order being worked */
    int64_t meta_left;         /* its market orders still to come */
    double transient;          /* the part of the fair price (ticks) that impact put there and
                                  that still decays away */
} market_t;

static int64_t lots_of(market_t *m, double base) {
    double st = base / m->r->step.value;
    if (!(st < 1e15)) st = 1e15; /* a heavy tail (or inf) stays a representable, large order */
    int64_t steps = (int64_t)llround(st);
    if (steps < 1) steps = 1;
    return steps * m->r->step_lots;
}

static void set_level(market_t *m, int side, int64_t price, int64_t qty) {
    if (price <= 0) return;
    if (!m->diff_first) m->diff_first = m->uid + 1;
    book_set(&m->book, (book_side_t)side, price, qty);
    m->uid++;
    if (m->nchg == m->capchg) { /* a busy 100 ms: grow (rare) */
        change_t *nc = realloc(m->chg, (size_t)m->capchg * 2 * sizeof *nc);
        if (!nc) { m->out->failed = 1; return; }
        m->chg = nc;
        m->capchg *= 2;
    }
    m->chg[m->nchg++] = (change_t){side, price};
}

static int64_t local_of(market_t *m) {
    double jitter = rng_u01(&m->rng) * 0.5;
    return m->p->start_ns + (int64_t)((double)(m->e_ms - (m->p->start_ns / 1000000)) * 1e6 +
                                      (m->p->latency_ms + jitter) * 1e6);
}

static const char *px(market_t *m, int64_t ticks, char *buf) {
    fx_format(ticks, &m->r->tick, 8, buf, 40);
    return buf;
}
static const char *qx(market_t *m, int64_t lots, char *buf) {
    fx_format(lots, &m->r->lot, 8, buf, 40);
    return buf;
}

static void emit_trade(market_t *m, int64_t price, int64_t qty, int buyer_maker) {
    char a[40], b[40];
    out_line(m->out, local_of(m),
             "{\"stream\":\"%s@trade\",\"data\":{\"e\":\"trade\",\"E\":%lld,\"s\":\"%s\",\"t\":%llu,\"p\":\"%s\","
             "\"q\":\"%s\",\"T\":%lld,\"m\":%s,\"M\":true}}",
             m->sym_lower, (long long)m->e_ms, m->r->symbol, (unsigned long long)++m->trade_id, px(m, price, a),
             qx(m, qty, b), (long long)m->e_ms, buyer_maker ? "true" : "false");
}

/* A market order: buy takes asks, sell takes bids, at most `max_levels` levels (and none
   beyond `limit` when it is set). It fills a geometric number of maker orders (mean
   maker_orders) of lognormal sizes, and Binance prints one trade per maker order, all with
   the taker's trade time; a maker order straddling two levels prints once at each. Returns
   the quantity filled, base. */
static double market_order(market_t *m, int buy, int64_t limit, int max_levels) {
    const synth_params_t *pp = m->p;
    book_side_t s = buy ? BOOK_ASK : BOOK_BID;
    int64_t makers = 1 + geometric(&m->rng, pp->maker_orders - 1), piece = 0, filled = 0;
    if (makers > 1000) makers = 1000; /* the geometric's tail, kept to a printable order */
    for (int k = 0; k < max_levels && (piece || makers); k++) {
        int64_t p = book_best(&m->book, s);
        if (!p || (limit && (buy ? p > limit : p < limit))) break;
        int64_t have = book_qty(&m->book, s, p), left = have;
        while (left > 0 && (piece || makers)) {
            if (!piece) {
                piece = lots_of(m, pp->trade_median * exp(pp->trade_sigma * normal(&m->rng)));
                makers--;
            }
            int64_t take = piece < left ? piece : left;
            emit_trade(m, p, take, !buy);
            left -= take;
            piece -= take;
            filled += take;
        }
        set_level(m, s, p, left);
    }
    return (double)filled * m->r->lot.value;
}

static void add_order(market_t *m, int side, int64_t price, int64_t lots) {
    book_side_t s = (book_side_t)side;
    int64_t opp = book_best(&m->book, side == BOOK_BID ? BOOK_ASK : BOOK_BID);
    if (opp && (side == BOOK_BID ? price >= opp : price <= opp)) return; /* stays passive */
    set_level(m, side, price, book_qty(&m->book, s, price) + lots);
}

/* The quotes follow the fair price: when it has left the spread, a market order takes a
   level or two toward it, the quotes left behind are canceled and new ones join on both
   sides of it. */
static void follow_fair(market_t *m) {
    const synth_params_t *p = m->p;
    /* an additive walk over a long run at high volatility must stay a price in int64 ticks */
    if (m->fair < 1) m->fair = 1;
    if (m->fair > 4e15) m->fair = 4e15;
    int64_t f = (int64_t)floor(m->fair);
    int64_t bid = book_best(&m->book, BOOK_BID), ask = book_best(&m->book, BOOK_ASK);
    int up = ask && f >= ask, down = bid && f < bid;
    if (!up && !down) return;
    market_order(m, up, up ? f : f + 1, 2);
    book_side_t s = up ? BOOK_ASK : BOOK_BID;
    for (int64_t b = book_best(&m->book, s); b && (up ? b <= f : b > f); b = book_best(&m->book, s))
        set_level(m, s, b, 0);
    double q = p->order_median * p->touch_ratio;
    add_order(m, BOOK_BID, f, lots_of(m, q * exp(p->order_sigma * normal(&m->rng))));
    add_order(m, BOOK_ASK, f + 1, lots_of(m, q * exp(p->order_sigma * normal(&m->rng))));
}

static void emit_top(market_t *m) {
    book_top_t t;
    book_top_own(&m->book, &t);
    if (t.bid == m->shown.bid && t.bid_qty == m->shown.bid_qty && t.ask == m->shown.ask &&
        t.ask_qty == m->shown.ask_qty)
        return;
    m->shown = t;
    char a[40], b[40], c[40], d[40];
    out_line(m->out, local_of(m),
             "{\"stream\":\"%s@bookTicker\",\"data\":{\"u\":%llu,\"s\":\"%s\",\"b\":\"%s\",\"B\":\"%s\",\"a\":\"%s\","
             "\"A\":\"%s\"}}",
             m->sym_lower, (unsigned long long)m->uid, m->r->symbol, px(m, t.bid, a), qx(m, t.bid_qty, b),
             px(m, t.ask, c), qx(m, t.ask_qty, d));
}

static int cmp_change(const void *a, const void *b) {
    const change_t *x = a, *y = b;
    if (x->side != y->side) return x->side - y->side;
    return x->price < y->price ? -1 : x->price > y->price;
}

/* appends `"b":[...]` style level lists for one side into buf */
static size_t levels_json(market_t *m, char *buf, size_t cap, int side, const change_t *c, int n) {
    size_t len = 0;
    char a[40], b[40];
    int first = 1;
    /* bids best first (descending), asks ascending, as Binance lists them */
    for (int k = 0; k < n; k++) {
        const change_t *ch = side == BOOK_BID ? &c[n - 1 - k] : &c[k];
        if (ch->side != side) continue;
        if (len + 64 > cap) break;
        len += (size_t)snprintf(buf + len, cap - len, "%s[\"%s\",\"%s\"]", first ? "" : ",", px(m, ch->price, a),
                                qx(m, book_qty(&m->book, (book_side_t)side, ch->price), b));
        first = 0;
    }
    buf[len] = 0;
    return len;
}

static void emit_diff(market_t *m, char *tmp, size_t cap) {
    if (!m->nchg) return;
    qsort(m->chg, (size_t)m->nchg, sizeof *m->chg, cmp_change);
    int n = 0; /* dedupe */
    for (int k = 0; k < m->nchg; k++)
        if (!n || cmp_change(&m->chg[n - 1], &m->chg[k])) m->chg[n++] = m->chg[k];
    char *bids = tmp, *asks = tmp + cap / 2;
    levels_json(m, bids, cap / 2, BOOK_BID, m->chg, n);
    levels_json(m, asks, cap / 2, BOOK_ASK, m->chg, n);
    out_line(m->out, local_of(m),
             "{\"stream\":\"%s@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":%lld,\"s\":\"%s\",\"U\":%llu,"
             "\"u\":%llu,\"b\":[%s],\"a\":[%s]}}",
             m->sym_lower, (long long)m->e_ms, m->r->symbol, (unsigned long long)m->diff_first,
             (unsigned long long)m->uid, bids, asks);
    m->nchg = 0;
    m->diff_first = 0;
}

static void emit_snapshot(market_t *m, char *tmp, size_t cap) {
    size_t len = 0;
    char a[40], b[40];
    len += (size_t)snprintf(tmp + len, cap - len, "{\"lastUpdateId\":%llu,\"bids\":[", (unsigned long long)m->uid);
    for (int s = 0; s < 2; s++) {
        int64_t p = book_best(&m->book, (book_side_t)s), q = p ? book_qty(&m->book, (book_side_t)s, p) : 0;
        for (int k = 0; p && k < 1000 && len + 80 < cap; k++) {
            len += (size_t)snprintf(tmp + len, cap - len, "%s[\"%s\",\"%s\"]", k ? "," : "", px(m, p, a), qx(m, q, b));
            if (!book_next(&m->book, (book_side_t)s, p, &p, &q)) break;
        }
        len += (size_t)snprintf(tmp + len, cap - len, s == 0 ? "],\"asks\":[" : "]}");
    }
    out_line(m->out, local_of(m), "%s", tmp);
}

/* a parameter within [lo, hi]; NaN fails every comparison, so it is refused explicitly */
static int in_range(double x, double lo, double hi) { return isfinite(x) && x >= lo && x <= hi; }

/* The model casts doubles to int64 (steps, ticks, lots, local times): out of range that is
   undefined behaviour, and a huge rate or distance makes a step loop without end. Every
   parameter is checked against bounds far beyond any real market before the first cast. */
static int params_ok(const synth_params_t *p, const symbol_rules_t *r, char *err, int errcap) {
    const char *bad = !in_range(p->seconds, 1e-3, 1e7)                        ? "seconds must be in (0, 1e7]"
                      : !(p->start_price > 0) || !in_range(p->start_price / r->tick.value, 1, 1e15)
                          ? "start price must be positive and at most 1e15 ticks"
                      : !in_range(p->vol_bps, 0, 1e4)                          ? "volatility must be in [0, 1e4] bps"
                      : !in_range(p->trades_per_s, 0, 1e5) || !in_range(p->limits_per_s, 0, 1e5) ||
                                !in_range(p->cancels_per_s, 0, 1e5) || !in_range(p->touch_per_s, 0, 1e5)
                          ? "rates must be in [0, 1e5] per second"
                      : !in_range(p->depth_ticks, 0, 1e6)                      ? "depth_ticks must be in [0, 1e6]"
                      : !in_range(p->density, 0, 1)                            ? "density must be in [0, 1]"
                      : !in_range(p->trade_median, 1e-12, 1e6) || !in_range(p->order_median, 1e-12, 1e6)
                          ? "median sizes must be in (0, 1e6]"
                      : !in_range(p->trade_sigma, 0, 10) || !in_range(p->order_sigma, 0, 10) ? "size sigmas must be in [0, 10]"
                      : !in_range(p->latency_ms, 0, 1e6)                       ? "latency must be in [0, 1e6] ms"
                      : !in_range(p->move_rate, 0, 1000)                       ? "move rate must be in [0, 1000] per second"
                      : !in_range(p->meta_orders, 1, 1e6)                      ? "meta-order length must be in [1, 1e6]"
                      : !in_range(p->meta_share, 0, 1)                         ? "meta-order share must be in [0, 1]"
                      : !in_range(p->impact_bps, 0, 1e3)                       ? "impact must be in [0, 1000] bps"
                      : !in_range(p->touch_ratio, 1e-6, 1e6)                   ? "touch ratio must be in [1e-6, 1e6]"
                      : !in_range(p->impact_transient, 0, 1) || !in_range(p->impact_decay_s, 1e-3, 1e6)
                          ? "transient impact: share in [0, 1], decay in [0.001, 1e6] s"
                      : !in_range(p->maker_orders, 1, 1000)                    ? "maker orders per market order must be in [1, 1000]"
                      : p->start_ns < 0 || p->start_ns > 4000000000000000000LL ? "start time must be in [0, 4e18] ns"
                                                                               : 0;
    if (bad) snprintf(err, (size_t)errcap, "synth: %s", bad);
    return !bad;
}

int synth_write(const synth_params_t *p, const symbol_rules_t *r, const char *path, char *err, int errcap) {
    if (!params_ok(p, r, err, errcap)) return Q_E_INVAL;
    static market_t m;
    memset(&m, 0, sizeof m);
    m.p = p;
    m.r = r;
    rng_seed(&m.rng, p->seed);
    for (int i = 0; r->symbol[i] && i < 23; i++)
        m.sym_lower[i] = (char)(r->symbol[i] >= 'A' && r->symbol[i] <= 'Z' ? r->symbol[i] + 32 : r->symbol[i]);
    out_t o;
    memset(&o, 0, sizeof o);
    o.f = fopen(path, "wb");
    if (!o.f) {
        snprintf(err, (size_t)errcap, "%s: %s", path, strerror(errno));
        return Q_E_IO;
    }
    o.cap = 1 << 21;
    o.zcap = o.cap + (o.cap >> 3) + 1024;
    o.buf = malloc(o.cap);
    o.z = malloc(o.zcap);
    o.c = libdeflate_alloc_compressor(6);
    m.capchg = 1 << 16;
    m.chg = malloc((size_t)m.capchg * sizeof *m.chg);
    size_t tmpcap = 1 << 23;
    char *tmp = malloc(tmpcap);
    int rc = book_init(&m.book, 17);
    if (!o.buf || !o.z || !o.c || !m.chg || !tmp || rc) {
        snprintf(err, (size_t)errcap, "synth: out of memory");
        rc = Q_E_NOMEM;
        goto done;
    }
    m.out = &o;
    m.fair = p->start_price / r->tick.value;
    int64_t f0 = (int64_t)floor(m.fair);
    book_recenter(&m.book, f0);
    /* the initial book: levels thin out with distance, sizes grow */
    for (int s = 0; s < 2; s++)
        for (int64_t k = 0; k < 4000; k++) {
            if (k > 0 && rng_u01(&m.rng) > p->density) continue;
            double size = p->order_median * (1 + (double)k / 400.0) * exp(p->order_sigma * 0.6 * normal(&m.rng));
            book_set(&m.book, (book_side_t)s, s == BOOK_BID ? f0 - k : f0 + 1 + k, lots_of(&m, size));
        }
    m.uid = 1000000;
    m.e_ms = p->start_ns / 1000000;
    int64_t steps = (int64_t)(p->seconds * 1000);
    double move_rate = p->move_rate;
    double jump = move_rate > 0 ? p->vol_bps * 1e-4 * m.fair / sqrt(move_rate) : 0;
    double decay = 1 - exp(-1e-3 / p->impact_decay_s); /* of the transient impact, per ms */
    for (int64_t t = 0; t < steps && !o.failed; t++, m.e_ms++) {
        /* the fair price moves; liquidity providers move their quotes after it: a market
           order takes a level or two, the quotes left behind are canceled, new ones join
           on both sides of the new price */
        /* news: the fair price moves and the quotes follow it */
        if (rng_u01(&m.rng) < move_rate / 1000.0) {
            m.fair += jump * normal(&m.rng);
            follow_fair(&m);
        }
        /* background market orders, worked in meta-orders: a trader keeps to one side for a
           geometric number of orders (the persistence of real order flow), and each order
           moves the fair price its way, concavely in its size (the adverse selection a maker
           pays); the quotes follow */
        for (int k = poisson(&m.rng, p->trades_per_s / 1000.0); k > 0; k--) {
            if (m.meta_left <= 0) {
                m.meta_side = rng_u01(&m.rng) < 0.5 ? 1 : -1;
                m.meta_left = 1 + geometric(&m.rng, p->meta_orders > 1 ? p->meta_orders - 1 : 0);
            }
            m.meta_left--;
            int buy = rng_u01(&m.rng) < p->meta_share ? m.meta_side > 0 : rng_u01(&m.rng) < 0.5;
            double size = market_order(&m, buy, 0, 3);
            double scale = sqrt(size / p->trade_median);
            double impact = (buy ? 1 : -1) * p->impact_bps * 1e-4 * m.fair * (scale < 4 ? scale : 4);
            m.fair += impact;
            m.transient += impact * p->impact_transient;
            follow_fair(&m);
        }
        /* the transient part of impact fades (makers refill behind a meta-order); the quotes
           follow it at the next news or order */
        double fade = m.transient * decay;
        m.transient -= fade;
        m.fair -= fade;
        /* limit orders: mostly near the touch, sometimes inside a wide spread */
        for (int k = poisson(&m.rng, p->limits_per_s / 1000.0); k > 0; k--) {
            int side = rng_u01(&m.rng) < 0.5 ? BOOK_BID : BOOK_ASK;
            int64_t bid = book_best(&m.book, BOOK_BID), ask = book_best(&m.book, BOOK_ASK);
            if (!bid || !ask) break;
            int64_t d = geometric(&m.rng, p->depth_ticks), price;
            if (ask - bid > 1 && rng_u01(&m.rng) < 0.5) price = side == BOOK_BID ? ask - 1 : bid + 1;
            else price = side == BOOK_BID ? bid - d : ask + d;
            add_order(&m, side, price, lots_of(&m, p->order_median * exp(p->order_sigma * normal(&m.rng))));
        }
        /* cancels near the top */
        for (int k = poisson(&m.rng, p->cancels_per_s / 1000.0); k > 0; k--) {
            int side = rng_u01(&m.rng) < 0.5 ? BOOK_BID : BOOK_ASK;
            int64_t best = book_best(&m.book, (book_side_t)side);
            if (!best) continue;
            int64_t d = geometric(&m.rng, p->depth_ticks);
            int64_t price = side == BOOK_BID ? best - d : best + d;
            int64_t q = book_qty(&m.book, (book_side_t)side, price);
            if (!q) continue;
            /* keep at least one level on each side */
            if (price == best) {
                int64_t np, nq;
                if (!book_next(&m.book, (book_side_t)side, best, &np, &nq)) continue;
            }
            int64_t left = rng_u01(&m.rng) < 0.5 ? 0 : (q / 2 / r->step_lots) * r->step_lots;
            set_level(&m, side, price, left);
        }
        /* small orders come and go at the touch all the time */
        for (int k = poisson(&m.rng, p->touch_per_s / 1000.0); k > 0; k--) {
            int side = rng_u01(&m.rng) < 0.5 ? BOOK_BID : BOOK_ASK;
            int64_t best = book_best(&m.book, (book_side_t)side);
            if (!best) continue;
            int64_t q = book_qty(&m.book, (book_side_t)side, best);
            int64_t d = lots_of(&m, p->trade_median * exp(p->trade_sigma * 0.5 * normal(&m.rng)));
            if (rng_u01(&m.rng) < 0.5) set_level(&m, side, best, q + d);
            else if (q > d) set_level(&m, side, best, q - d);
        }
        /* a side never stays empty: someone quotes next to the fair price */
        if (!book_best(&m.book, BOOK_ASK)) add_order(&m, BOOK_ASK, (int64_t)floor(m.fair) + 1, lots_of(&m, p->order_median));
        if (!book_best(&m.book, BOOK_BID)) add_order(&m, BOOK_BID, (int64_t)floor(m.fair), lots_of(&m, p->order_median));
        emit_top(&m);
        if (t % 100 == 99) emit_diff(&m, tmp, tmpcap);
        if (t == 249) emit_snapshot(&m, tmp, tmpcap);
        if ((t & 1023) == 0) book_maybe_recenter(&m.book);
    }
    out_flush(&o);
    if (o.failed) {
        snprintf(err, (size_t)errcap, "%s: write failed", path);
        rc = Q_E_IO;
    }
done:
    if (fclose(o.f) && !rc) {
        snprintf(err, (size_t)errcap, "%s: write failed", path);
        rc = Q_E_IO;
    }
    libdeflate_free_compressor(o.c);
    free(o.buf);
    free(o.z);
    free(m.chg);
    free(tmp);
    book_free(&m.book);
    return rc;
}
