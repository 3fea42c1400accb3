/* estimators.c: volatility, trade intensity, flow and book imbalance (see estimators.h). */
#include "estimators.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"

static int steps_of(double window_s, double step_s) { return (int)llround(window_s / step_s); }

int est_init(est_t *e, const est_cfg_t *c, char *err, int errcap) {
    memset(e, 0, sizeof *e);
    e->cfg = *c;
    if (!(c->step_s >= 1e-3 && c->step_s <= 60) || !(c->tick > 0)) {
        snprintf(err, (size_t)errcap, "strategy.est_step: %g s is outside 0.001..60", c->step_s);
        return Q_E_INVAL;
    }
    e->step_ns = llround(c->step_s * 1e9);
    if (c->vol_window_s > 0) {
        e->vol_n = steps_of(c->vol_window_s, c->step_s);
        if (e->vol_n < 2 || e->vol_n > EST_MAX_STEPS) {
            snprintf(err, (size_t)errcap, "strategy.vol_window: %g s makes %d steps of est_step; 2..%d", c->vol_window_s,
                     e->vol_n, EST_MAX_STEPS);
            return Q_E_INVAL;
        }
        e->ew_a = 1 - exp(-c->step_s / c->vol_window_s);
        if (!c->vol_ewma && !(e->vol_ring = calloc((size_t)e->vol_n, sizeof *e->vol_ring))) return Q_E_NOMEM;
    }
    if (c->int_window_s > 0) {
        e->int_n = steps_of(c->int_window_s, c->step_s);
        if (e->int_n < 2 || e->int_n > EST_MAX_STEPS) {
            snprintf(err, (size_t)errcap, "strategy.intensity_window: %g s makes %d steps of est_step; 2..%d",
                     c->int_window_s, e->int_n, EST_MAX_STEPS);
            est_free(e);
            return Q_E_INVAL;
        }
        if (c->int_bins < 3 || c->int_bins > EST_MAX_BINS || c->int_bin2 < 1) {
            snprintf(err, (size_t)errcap, "strategy.intensity_bins: 3..%d bins of at least half a tick", EST_MAX_BINS);
            est_free(e);
            return Q_E_INVAL;
        }
        e->refit_steps = steps_of(c->int_refit_s, c->step_s);
        if (e->refit_steps < 1) e->refit_steps = 1;
        if (!(e->int_ring = calloc((size_t)e->int_n, 1))) {
            est_free(e);
            return Q_E_NOMEM;
        }
    }
    if (c->flow_window_s > 0) e->flow_tau_ns = c->flow_window_s * 1e9;
    return 0;
}

void est_free(est_t *e) {
    free(e->vol_ring);
    free(e->int_ring);
    e->vol_ring = 0;
    e->int_ring = 0;
}

static void push_vol(est_t *e, int64_t d) {
    e->vol_steps++;
    if (e->cfg.vol_ewma) {
        e->ew_var = (1 - e->ew_a) * e->ew_var + e->ew_a * (double)(d * d);
        return;
    }
    if (e->vol_count == e->vol_n) {
        int64_t old = e->vol_ring[e->vol_head];
        e->vol_s1 -= old;
        e->vol_s2 -= old * old;
    } else {
        e->vol_count++;
    }
    e->vol_ring[e->vol_head] = (int32_t)d;
    e->vol_s1 += d;
    e->vol_s2 += d * d;
    if (++e->vol_head == e->vol_n) e->vol_head = 0;
}

static void push_int(est_t *e, int j) {
    if (e->int_count == e->int_n) {
        int old = e->int_ring[e->int_head];
        for (int i = 0; i < old; i++) e->counts[i]--;
    } else {
        e->int_count++;
    }
    e->int_ring[e->int_head] = (uint8_t)j;
    for (int i = 0; i < j; i++) e->counts[i]++;
    if (++e->int_head == e->int_n) e->int_head = 0;
}

int est_fit_exp(const double *x, const double *y, int n, double *A, double *k) {
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < n; i++) {
        if (!(y[i] > 0)) return -1;
        double ly = log(y[i]);
        sx += x[i];
        sy += ly;
        sxx += x[i] * x[i];
        sxy += x[i] * ly;
    }
    double den = n * sxx - sx * sx;
    if (n < 2 || !(fabs(den) > 0)) return -1;
    double slope = (n * sxy - sx * sy) / den;
    double icpt = (sy - slope * sx) / n;
    *A = exp(icpt);
    *k = -slope;
    return 0;
}

/* fits the window's counts; keeps the last fit when this one cannot be made (fewer than 3
   distances with arrivals, or a non-decreasing intensity), as the tutorial does, or when
   the fitted intensity is flat over the distances measured (it falls by less than 10% from
   the nearest to the farthest: k * span < 0.1, no decay to speak of; on the shared recording
   such a fit made k near 0 and avellaneda quoted 2,750 USDT from the mid for 15 s) */
static void refit(est_t *e) {
    e->since_refit = 0;
    if (e->int_count < e->int_n) return;
    double x[EST_MAX_BINS], y[EST_MAX_BINS];
    double secs = (double)e->int_n * e->cfg.step_s, unit = e->cfg.int_bin2 * e->cfg.tick / 2;
    int m = 0;
    while (m < e->cfg.int_bins && e->counts[m] > 0) {
        x[m] = (m + 1) * unit;
        y[m] = e->counts[m] / secs;
        m++;
    }
    double A, k;
    if (m < 3 || est_fit_exp(x, y, m, &A, &k) || !(k > 0) || !isfinite(A) || !isfinite(k)) return;
    if (k * (x[m - 1] - x[0]) < 0.1) return;
    e->A = A;
    e->k = k;
}

/* the end of one step: the mid then and the deepest trade of the step */
static void close_step(est_t *e) {
    if (e->vol_n && e->step_mid2 && e->mid2) push_vol(e, e->mid2 - e->step_mid2);
    if (e->int_n && e->step_mid2) {
        int full = e->int_count == e->int_n;
        push_int(e, e->step_depth);
        if (++e->since_refit >= e->refit_steps || (!full && e->int_count == e->int_n)) refit(e);
    }
    e->step_mid2 = e->mid2;
    e->step_depth = 0;
}

void est_advance(est_t *e, int64_t now) {
    if (!e->step_end) {
        e->step_end = now + e->step_ns;
        e->step_mid2 = e->mid2;
        return;
    }
    if (now < e->step_end) return;
    int64_t n = (now - e->step_end) / e->step_ns + 1;
    e->step_end += n * e->step_ns;
    close_step(e);
    if (--n <= 0 || !e->mid2) return;
    /* a quiet gap: n more steps with the mid unchanged and no trade, in at most a window of
       work however long the gap */
    if (e->vol_n) {
        if (e->cfg.vol_ewma) {
            e->ew_var *= pow(1 - e->ew_a, (double)n);
            e->vol_steps += n;
        } else {
            for (int64_t i = 0; i < n && i < e->vol_n; i++) push_vol(e, 0);
            e->vol_steps += n > e->vol_n ? n - e->vol_n : 0;
        }
    }
    if (e->int_n) {
        int full = e->int_count == e->int_n;
        for (int64_t i = 0; i < n && i < e->int_n; i++) push_int(e, 0);
        e->since_refit += (int)(n < e->refit_steps ? n : e->refit_steps);
        if (e->since_refit >= e->refit_steps || (!full && e->int_count == e->int_n)) refit(e);
    }
}

void est_on_book(est_t *e, int64_t bid, int64_t ask, int64_t now) {
    est_advance(e, now);
    e->mid2 = bid > 0 && ask > 0 ? bid + ask : 0;
}

void est_on_trade(est_t *e, int64_t price, int64_t qty, int buyer_maker, int64_t now) {
    est_advance(e, now);
    if (e->int_n && e->step_mid2) {
        int64_t d2 = buyer_maker ? e->step_mid2 - 2 * price : 2 * price - e->step_mid2;
        if (d2 > 0) {
            int64_t j = (d2 + e->cfg.int_bin2 - 1) / e->cfg.int_bin2 - 1;
            if (j > e->cfg.int_bins) j = e->cfg.int_bins;
            if (j > e->step_depth) e->step_depth = (int)j;
        }
    }
    if (e->flow_tau_ns > 0) {
        if (e->buy_v + e->sell_v > 0 && now > e->flow_t) {
            double f = exp(-(double)(now - e->flow_t) / e->flow_tau_ns);
            e->buy_v *= f;
            e->sell_v *= f;
        }
        e->flow_t = now;
        if (buyer_maker) e->sell_v += (double)qty;
        else e->buy_v += (double)qty;
    }
}

int est_sigma(const est_t *e, double *sigma) {
    if (!e->vol_n || e->vol_steps < e->vol_n) return 0;
    double var;
    if (e->cfg.vol_ewma) {
        /* bias-corrected: the EWMA started from 0, so its weights sum to 1 - (1-a)^steps */
        double w = 1 - pow(1 - e->ew_a, (double)e->vol_steps);
        var = e->ew_var / w;
    } else {
        double m = (double)e->vol_s1 / e->vol_n;
        var = (double)e->vol_s2 / e->vol_n - m * m;
        if (var < 0) var = 0;
    }
    *sigma = sqrt(var / e->cfg.step_s) * e->cfg.tick / 2;
    return 1;
}

int est_intensity(const est_t *e, double *A, double *k) {
    if (!(e->k > 0)) return 0;
    *A = e->A;
    *k = e->k;
    return 1;
}

double est_flow(const est_t *e) {
    double t = e->buy_v + e->sell_v;
    return t > 0 ? (e->buy_v - e->sell_v) / t : 0;
}

double est_imbalance(const book_t *b, const book_top_t *top, int levels) {
    if (top->bid <= 0 || top->ask <= 0 || top->bid_qty <= 0 || top->ask_qty <= 0) return 0;
    double qb = (double)top->bid_qty, qa = (double)top->ask_qty;
    int64_t p = top->bid, q;
    for (int i = 1; b && i < levels && book_next(b, BOOK_BID, p, &p, &q); i++) qb += (double)q;
    p = top->ask;
    for (int i = 1; b && i < levels && book_next(b, BOOK_ASK, p, &p, &q); i++) qa += (double)q;
    return (qb - qa) / (qb + qa);
}

double est_microprice(const book_top_t *t, double tick) {
    if (t->bid <= 0 || t->ask <= 0 || t->bid_qty <= 0 || t->ask_qty <= 0) return 0;
    return ((double)t->bid * (double)t->ask_qty + (double)t->ask * (double)t->bid_qty) /
           (double)(t->bid_qty + t->ask_qty) * tick;
}
