/* strategy.c: what the strategies share: construction from the config, the reference
 * price, and spread units. */
#include "strategy.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../core/err.h"

static int pick(const char *v, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (!strcasecmp(v, names[i])) return i;
    return -1;
}

int strategy_init(strategy_t *s, const config_t *c, const config_exact_t *x, char *err, int errcap) {
    static const char *const refs[] = {"mid", "last", "bid", "ask", "micro"};
    static const char *const units[] = {"abs", "bps", "ticks"};
    memset(s, 0, sizeof *s);
    if (!strcasecmp(c->strategy, "seed")) s->vt = &strategy_seed_vt;
    else if (!strcasecmp(c->strategy, "ladder")) s->vt = &strategy_ladder_vt;
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
    return 0;
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
