/* strategy.c: what the strategies share: construction from the config, the reference
 * price and the alpha, spread units, the hooks that feed the estimators, the models'
 * inputs, placing one quote a side on the grid, and the knobs any strategy can use. */
#include "strategy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../core/err.h"

static int pick(const char *v, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (!strcasecmp(v, names[i])) return i;
    return -1;
}

/* the models' parameters, the alpha, the knobs, and the estimators they need */
static int strategy_init_models(strategy_t *s, const config_t *c, const config_exact_t *x, char *err, int errcap) {
    static const char *const alphas[] = {"none", "imbalance", "flow"};
    int model = s->vt == &strategy_avellaneda_vt || s->vt == &strategy_glft_vt;
    s->gamma = c->gamma;
    s->horizon_s = c->horizon_s;
    s->horizon_finite = !strcasecmp(c->horizon_mode, "finite");
    s->sigma = c->sigma;
    s->A = c->intensity_a;
    s->k = c->intensity_k;
    s->alpha = pick(c->alpha, alphas, 3);
    if (s->alpha < 0) {
        snprintf(err, (size_t)errcap, "strategy.alpha = \"%s\": one of none, imbalance, flow", c->alpha);
        return Q_E_INVAL;
    }
    s->alpha_weight = c->alpha_weight;
    s->imbalance_levels = c->imbalance_levels > 0 ? c->imbalance_levels : 1;
    s->fill_delay_ns = llround(c->fill_delay_s * 1e9);
    s->price_ceiling = c->price_ceiling;
    s->price_floor = c->price_floor;
    s->join_tolerance = c->join_tolerance;
    if (s->vt == &strategy_glft_vt && x->max_inventory <= 0) {
        snprintf(err, (size_t)errcap, "strategy.type = glft needs strategy.max_inventory (its inventory bound) above 0");
        return Q_E_INVAL;
    }
    est_cfg_t ec = {0};
    ec.tick = x->rules.tick.value;
    ec.step_s = c->est_step_s;
    ec.vol_ewma = !strcasecmp(c->vol_method, "ewma");
    if (model && !(s->sigma > 0)) ec.vol_window_s = c->vol_window_s;
    int need_a = s->vt == &strategy_glft_vt && !(s->A > 0);
    if (model && (need_a || !(s->k > 0))) {
        ec.int_window_s = c->intensity_window_s;
        double b2 = c->intensity_bin * 2;
        if (fabs(b2 - llround(b2)) > 1e-9) {
            snprintf(err, (size_t)errcap, "strategy.intensity_bin = %g: a multiple of 0.5 ticks", c->intensity_bin);
            return Q_E_INVAL;
        }
        ec.int_bin2 = (int)llround(b2);
        ec.int_bins = c->intensity_bins;
        ec.int_refit_s = c->intensity_refit_s;
    }
    if (s->alpha == ALPHA_FLOW) ec.flow_window_s = c->flow_window_s;
    s->use_est = ec.vol_window_s > 0 || ec.int_window_s > 0 || ec.flow_window_s > 0;
    if (!s->use_est) return 0;
    return est_init(&s->est, &ec, err, errcap);
}

void strategy_free(strategy_t *s) { est_free(&s->est); }

void strategy_on_trade(strategy_t *s, int64_t price, int64_t qty, int buyer_maker, int64_t now) {
    if (s->use_est) est_on_trade(&s->est, price, qty, buyer_maker, now);
}

void strategy_on_book(strategy_t *s, const book_top_t *top, int64_t now) {
    if (s->use_est) est_on_book(&s->est, top->bid_qty > 0 ? top->bid : 0, top->ask_qty > 0 ? top->ask : 0, now);
}

void strategy_on_fill(strategy_t *s, int side, int64_t price, int64_t qty, int64_t now) {
    (void)price;
    (void)qty;
    s->last_fill[side ? 1 : 0] = now;
}

int strategy_sigma(const strategy_t *s, double *sigma) {
    if (s->sigma > 0) {
        *sigma = s->sigma;
        return 1;
    }
    return s->use_est && est_sigma(&s->est, sigma);
}

int strategy_intensity(const strategy_t *s, double *A, double *k) {
    double ea = 0, ek = 0;
    if (s->use_est) est_intensity(&s->est, &ea, &ek);
    *A = s->A > 0 ? s->A : ea;
    *k = s->k > 0 ? s->k : ek;
    return *A > 0 && *k > 0;
}

double strategy_q(const strategy_t *s, const strat_input_t *in) {
    (void)in;
    return (double)(in->inventory - s->target_inventory) / (double)s->quantity;
}

double strategy_fair(const strategy_t *s, const strat_input_t *in) {
    double ref = strategy_reference(s, in);
    if (ref <= 0 || s->alpha == ALPHA_NONE || s->alpha_weight == 0) return ref;
    double signal = s->alpha == ALPHA_FLOW ? est_flow(&s->est) : est_imbalance(in->book, &in->top, s->imbalance_levels);
    return ref + strategy_distance(s, s->alpha_weight, ref, in->rules) * signal;
}

static int64_t snap_down(int64_t lots, int64_t step) { return lots > 0 ? lots / step * step : 0; }

void strategy_emit(const strategy_t *s, const strat_input_t *in, double bid, double ask, int bid_ok, int ask_ok,
                   quote_set_t *out) {
    const symbol_rules_t *r = in->rules;
    out->nbids = out->nasks = 0;
    if (!isfinite(bid)) bid_ok = 0;
    if (!isfinite(ask)) ask_ok = 0;
    double spacing = strategy_distance(s, s->level_spacing, (bid + ask) / 2, r);
    int64_t bid_room = INT64_MAX, ask_room = INT64_MAX;
    if (s->max_inventory > 0) {
        bid_room = s->target_inventory + s->max_inventory - in->inventory;
        ask_room = in->inventory - (s->target_inventory - s->max_inventory);
    }
    int64_t last_bid = INT64_MAX, last_ask = 0;
    double size = (double)s->quantity;
    for (int k = 0; k < s->levels && k < STRAT_MAX_LEVELS; k++, size *= s->level_size_mult) {
        int64_t q = snap_down((int64_t)floor(size + 1e-9), r->step_lots);
        if (bid_ok) {
            int64_t p = fx_floor(bid - k * spacing, &r->tick);
            if (in->top.ask > 0 && p >= in->top.ask) p = in->top.ask - 1;
            if (p >= last_bid) p = last_bid - 1;
            int64_t qb = q < bid_room ? q : snap_down(bid_room, r->step_lots);
            /* what the bound leaves may be below the symbol's minimum: no order then */
            if (qb < q && qb > 0 && p > 0 && symbol_check_order(r, p, qb)) qb = 0;
            if (p > 0 && qb > 0) {
                out->bids[out->nbids++] = (quote_t){p, qb};
                last_bid = p;
                bid_room -= qb;
            }
        }
        if (ask_ok) {
            int64_t p = fx_ceil(ask + k * spacing, &r->tick);
            if (in->top.bid > 0 && p <= in->top.bid) p = in->top.bid + 1;
            if (p <= last_ask) p = last_ask + 1;
            int64_t qa = q < ask_room ? q : snap_down(ask_room, r->step_lots);
            if (qa < q && qa > 0 && p > 0 && symbol_check_order(r, p, qa)) qa = 0;
            if (p > 0 && qa > 0) {
                out->asks[out->nasks++] = (quote_t){p, qa};
                last_ask = p;
                ask_room -= qa;
            }
        }
    }
}

/* the knobs, after the strategy: join the best price, the band, the delay after a fill */
static void knobs(const strategy_t *s, const strat_input_t *in, quote_set_t *out) {
    const book_top_t *t = &in->top;
    if (s->join_tolerance > 0 && t->bid > 0 && t->ask > 0) {
        double mid = (t->bid + t->ask) * 0.5 * in->rules->tick.value;
        double tol = strategy_distance(s, s->join_tolerance, mid, in->rules) / in->rules->tick.value + 1e-9;
        if (out->nbids && fabs((double)(out->bids[0].price - t->bid)) <= tol) {
            out->bids[0].price = t->bid;
            for (int i = 1; i < out->nbids; i++)
                if (out->bids[i].price >= out->bids[i - 1].price) out->bids[i].price = out->bids[i - 1].price - 1;
            while (out->nbids && out->bids[out->nbids - 1].price <= 0) out->nbids--;
        }
        if (out->nasks && fabs((double)(out->asks[0].price - t->ask)) <= tol) {
            out->asks[0].price = t->ask;
            for (int i = 1; i < out->nasks; i++)
                if (out->asks[i].price <= out->asks[i - 1].price) out->asks[i].price = out->asks[i - 1].price + 1;
        }
    }
    if (s->price_ceiling > 0) { /* bids are best (highest) first: drop the ones above */
        int64_t c = fx_floor(s->price_ceiling, &in->rules->tick);
        int i = 0;
        while (i < out->nbids && out->bids[i].price > c) i++;
        memmove(out->bids, out->bids + i, sizeof out->bids[0] * (size_t)(out->nbids - i));
        out->nbids -= i;
    }
    if (s->price_floor > 0) {
        int64_t f = fx_ceil(s->price_floor, &in->rules->tick);
        int i = 0;
        while (i < out->nasks && out->asks[i].price < f) i++;
        memmove(out->asks, out->asks + i, sizeof out->asks[0] * (size_t)(out->nasks - i));
        out->nasks -= i;
    }
    if (s->fill_delay_ns > 0) {
        if (s->last_fill[0] && in->now_ns < s->last_fill[0] + s->fill_delay_ns) out->nbids = 0;
        if (s->last_fill[1] && in->now_ns < s->last_fill[1] + s->fill_delay_ns) out->nasks = 0;
    }
}

int strategy_quote(strategy_t *s, const strat_input_t *in, quote_set_t *out) {
    int rc = s->vt->quote(s, in, out);
    if (rc == 0) knobs(s, in, out);
    return rc;
}

int strategy_init(strategy_t *s, const config_t *c, const config_exact_t *x, char *err, int errcap) {
    static const char *const refs[] = {"mid", "last", "bid", "ask", "micro"};
    static const char *const units[] = {"abs", "bps", "ticks"};
    memset(s, 0, sizeof *s);
    if (!strcasecmp(c->strategy, "seed")) s->vt = &strategy_seed_vt;
    else if (!strcasecmp(c->strategy, "ladder")) s->vt = &strategy_ladder_vt;
    else if (!strcasecmp(c->strategy, "avellaneda")) s->vt = &strategy_avellaneda_vt;
    else if (!strcasecmp(c->strategy, "glft")) s->vt = &strategy_glft_vt;
    else {
        snprintf(err, (size_t)errcap, "strategy.type = \"%s\": unknown strategy", c->strategy);
        return Q_E_INVAL;
    }
    s->reference = pick(c->reference, refs, 5);
    s->spread_unit = pick(c->spread_unit, units, 3);
    if (s->reference < 0 || s->spread_unit < 0) {
        snprintf(err, (size_t)errcap, "strategy.reference or spread_unit is not valid");
        return Q_E_INVAL;
    }
    s->spread = c->spread;
    s->level_spacing = c->level_spacing;
    s->level_size_mult = c->level_size_mult;
    s->skew = c->skew;
    s->size_skew = c->size_skew;
    s->levels = c->levels;
    s->quantity = x->quantity;
    s->target_inventory = x->target_inventory;
    s->max_inventory = x->max_inventory;
    return strategy_init_models(s, c, x, err, errcap);
}

double strategy_reference(const strategy_t *s, const strat_input_t *in) {
    const symbol_rules_t *r = in->rules;
    const book_top_t *t = &in->top;
    int two_sided = t->bid > 0 && t->ask > 0 && t->bid_qty > 0 && t->ask_qty > 0;
    switch (s->reference) {
    case REF_LAST: return in->last_trade ? fx_to_double(in->last_trade, &r->tick) : 0;
    case REF_BID: return t->bid ? fx_to_double(t->bid, &r->tick) : 0;
    case REF_ASK: return t->ask ? fx_to_double(t->ask, &r->tick) : 0;
    case REF_MICRO:
        if (!two_sided) return 0;
        /* weighted toward the side with less size: where the price is likelier to go */
        return (fx_to_double(t->bid, &r->tick) * (double)t->ask_qty +
                fx_to_double(t->ask, &r->tick) * (double)t->bid_qty) /
               (double)(t->bid_qty + t->ask_qty);
    default:
        if (!two_sided) return 0;
        return (fx_to_double(t->bid, &r->tick) + fx_to_double(t->ask, &r->tick)) / 2;
    }
}

double strategy_distance(const strategy_t *s, double amount, double ref, const symbol_rules_t *r) {
    switch (s->spread_unit) {
    case UNIT_BPS: return ref * amount / 10000.0;
    case UNIT_TICKS: return amount * r->tick.value;
    default: return amount;
    }
}
