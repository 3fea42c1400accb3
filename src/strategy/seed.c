/* seed.c: the classic loop: one bid and one ask, a fixed distance either side of a
 * reference price, a fixed size. No inventory control: it shows what the simple
 * version of market making earns or loses. Prices snap outward to the tick. */
#include "strategy.h"

static int seed_quote(strategy_t *s, const strat_input_t *in, quote_set_t *out) {
    out->nbids = out->nasks = 0;
    double ref = strategy_fair(s, in);
    if (ref <= 0) return 1;
    double d = strategy_distance(s, s->spread, ref, in->rules);
    int64_t bid = fx_floor(ref - d, &in->rules->tick);
    int64_t ask = fx_ceil(ref + d, &in->rules->tick);
    if (bid > 0) out->bids[out->nbids++] = (quote_t){bid, s->quantity};
    out->asks[out->nasks++] = (quote_t){ask, s->quantity};
    return 0;
}

const strategy_vt_t strategy_seed_vt = {"seed", seed_quote};
