/* estimators.h: what the strategies estimate from the market, shared by all of them.
 *
 * Time is cut into steps of `step` (0.1 s by default, hftbacktest's GLFT tutorial's). At each
 * step's end the mid then in force is sampled; the mid is counted in half ticks (bid + ask),
 * so its changes are exact integers and the rolling sums below never drift.
 *
 *  - Volatility of the mid, per second, in quote asset per sqrt(s). Over the last
 *    `vol_window` of steps, either
 *      rolling: the population standard deviation of the steps' mid changes (mean removed,
 *               as hftbacktest's np.nanstd), or
 *      ewma:    sqrt of v <- (1 - a) v + a d^2, a = 1 - exp(-step / vol_window) (zero mean,
 *               RiskMetrics style),
 *    scaled by sqrt(1 s / step). No estimate until a whole window of steps was seen.
 *  - Trade arrival intensity against the distance from the mid, lambda(d) = A e^{-k d}, fit
 *    as hftbacktest's GLFT tutorial does: each step, the deepest trade from the mid at the
 *    step's start (a buy above it, a sell below it) counts as an arrival at every distance
 *    d_i = (i + 1) * bin it went strictly beyond (i < bins); over the window, lambda_i =
 *    count_i / window seconds, and ln lambda_i = ln A - k d_i is fit by least squares over
 *    the leading distances with a count (at least 3). Refit every `refit` seconds (5 s).
 *    (The tutorial puts bin i at (i + 0.5) ticks though it measures half ticks; here d_i is
 *    the distance itself, so k is per quote asset and A per second.)
 *  - Trade flow imbalance: (B - S) / (B + S) of aggressive buy and sell volume, each decayed
 *    by e^{-dt / flow_window}: in [-1, 1], 0 before any trade.
 *  - Order book imbalance over the top N levels and the micro-price: pure functions of the
 *    book at decision time (est_imbalance, est_microprice).
 *
 * Nothing allocates after est_init; updates are O(1) but for the intensity's bins (O(bins)
 * per step with a trade, O(bins) per refit). Same events, same estimates. */
#ifndef Q_ESTIMATORS_H
#define Q_ESTIMATORS_H

#include <stdint.h>

#include "../book/book.h"

#define EST_MAX_BINS 255
#define EST_MAX_STEPS (1 << 20)

typedef struct est_cfg {
    double tick;            /* quote asset per tick */
    double step_s;          /* seconds a step */
    double vol_window_s;    /* 0: no volatility */
    int vol_ewma;           /* 0 rolling, 1 EWMA */
    double int_window_s;    /* 0: no intensity */
    int int_bin2;           /* the distance between bins, in half ticks (>= 1) */
    int int_bins;           /* 3..EST_MAX_BINS */
    double int_refit_s;     /* seconds between fits */
    double flow_window_s;   /* 0: no trade flow */
} est_cfg_t;

typedef struct est {
    est_cfg_t cfg;
    int64_t step_ns;
    int64_t step_end;       /* local ns at which the current step ends; 0: no event yet */
    int64_t mid2;           /* the current mid in half ticks (bid + ask); 0: none yet */
    int64_t step_mid2;      /* the mid at the current step's start; 0: none */
    /* volatility */
    int vol_n;              /* steps in the window */
    int32_t *vol_ring;
    int vol_head, vol_count;
    int64_t vol_s1, vol_s2; /* sums of the window's changes and their squares, half ticks */
    double ew_var, ew_a;    /* EWMA of squared changes, half ticks^2 */
    int64_t vol_steps;      /* steps seen */
    /* intensity */
    int int_n;
    uint8_t *int_ring;      /* per step: how many bins its deepest trade went beyond */
    int int_head, int_count;
    int step_depth;         /* this step's deepest, in bins beyond */
    int32_t counts[EST_MAX_BINS];
    int refit_steps, since_refit;
    double A, k;            /* the last fit; 0: none */
    /* flow */
    double flow_tau_ns, buy_v, sell_v;
    int64_t flow_t;
} est_t;

/* Q_E_INVAL (with a message) for a config out of range; Q_E_NOMEM. */
int est_init(est_t *e, const est_cfg_t *c, char *err, int errcap);
void est_free(est_t *e);
/* The top of book changed (bid, ask in ticks; 0 when a side is empty). */
void est_on_book(est_t *e, int64_t bid, int64_t ask, int64_t now_ns);
/* A market trade: price in ticks, qty in lots, buyer_maker 1 when the seller was aggressive. */
void est_on_trade(est_t *e, int64_t price, int64_t qty, int buyer_maker, int64_t now_ns);
/* Closes the steps that ended by now (the on_* calls do it first). */
void est_advance(est_t *e, int64_t now_ns);

/* 1 and *sigma (quote asset per sqrt(s)) when a whole window was seen, else 0. */
int est_sigma(const est_t *e, double *sigma);
/* 1 and A (per second), k (per quote asset) when a fit exists, else 0. */
int est_intensity(const est_t *e, double *A, double *k);
/* Trade flow imbalance in [-1, 1]. */
double est_flow(const est_t *e);

/* Book imbalance (Qb - Qa) / (Qb + Qa) over the best `levels` of each side (1: the merged
   top alone); 0 when a side is empty. */
double est_imbalance(const book_t *b, const book_top_t *top, int levels);
/* Micro-price (bid * Qa + ask * Qb) / (Qa + Qb) in quote asset; 0 when a side is empty. */
double est_microprice(const book_top_t *top, double tick);
/* The least-squares fit of ln y = ln A - k x over n points (y > 0): 0, or -1 when the points
   cannot give a line. Exposed for the tests. */
int est_fit_exp(const double *x, const double *y, int n, double *A, double *k);

#endif
