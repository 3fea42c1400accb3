/* ladder.c: the default market maker: several levels a side around a reference price,
 * shifted and resized by an inventory skew toward a target inventory.
 *
 *   dev   = clamp((inventory - target) / max_inventory, -1, 1)     (0 when no max)
 *   shift = -skew * dev * spread                                    (long: quotes move down)
 *   bid_k = floor(ref + shift - spread - k * spacing)                (ask_k: ceil, +)
 *   size  = quantity * mult^k, times (1 - size_skew * dev) on the side that adds inventory
 * At |dev| = 1 the side that would add inventory is not quoted at all. Quotes are kept
 * passive: a bid never reaches the best ask, an ask never the best bid (post-only). */
#include <math.h>

#include "strategy.h"

static int64_t snap_qty(double lots, int64_t step_lots) {
    if (lots <= 0) return 0;
    return (int64_t)floor(lots / (double)step_lots + 1e-9) * step_lots;
}

static int ladder_quote(strategy_t *s, const strat_input_t *in, quote_set_t *out) {
    const symbol_rules_t *r = in->rules;
    out->nbids = out->nasks = 0;
    double ref = strategy_fair(s, in);
    if (ref <= 0) return 1;
    double dev = 0;
    if (s->max_inventory > 0) {
        dev = (double)(in->inventory - s->target_inventory) / (double)s->max_inventory;
        if (dev > 1) dev = 1;
        if (dev < -1) dev = -1;
    }
    double spread = strategy_distance(s, s->spread, ref, r);
    double spacing = strategy_distance(s, s->level_spacing, ref, r);
    double center = ref - s->skew * dev * spread;
    double bid_scale = dev > 0 ? 1 - s->size_skew * dev : 1;
    double ask_scale = dev < 0 ? 1 + s->size_skew * dev : 1;
    int64_t best_bid = in->top.bid, best_ask = in->top.ask;
    int64_t last_bid = INT64_MAX, last_ask = 0;
    double size = (double)s->quantity;
    for (int k = 0; k < s->levels && k < STRAT_MAX_LEVELS; k++, size *= s->level_size_mult) {
        if (dev < 1) {
            int64_t p = fx_floor(center - spread - k * spacing, &r->tick);
            if (best_ask > 0 && p >= best_ask) p = best_ask - 1;
            if (p >= last_bid) p = last_bid - 1; /* levels stay distinct */
            int64_t q = snap_qty(size * bid_scale, r->step_lots);
            if (p > 0 && q > 0) {
                out->bids[out->nbids++] = (quote_t){p, q};
                last_bid = p;
            }
        }
        if (dev > -1) {
            int64_t p = fx_ceil(center + spread + k * spacing, &r->tick);
            if (best_bid > 0 && p <= best_bid) p = best_bid + 1;
            if (p <= last_ask) p = last_ask + 1;
            int64_t q = snap_qty(size * ask_scale, r->step_lots);
            if (q > 0) {
                out->asks[out->nasks++] = (quote_t){p, q};
                last_ask = p;
            }
        }
    }
    return 0;
}

const strategy_vt_t strategy_ladder_vt = {"ladder", ladder_quote};
