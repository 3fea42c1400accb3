/* avellaneda.c: Avellaneda & Stoikov, "High-frequency trading in a limit order book",
 * Quantitative Finance 8(3), 2008: the reservation price and the optimal spread of a market
 * maker with exponential utility (risk aversion gamma), the mid a Brownian motion of
 * volatility sigma, and market orders reaching a quote at distance d at rate A e^{-k d}:
 *
 *   r      = s - q gamma sigma^2 (T - t)                        (the reservation price)
 *   spread = gamma sigma^2 (T - t) + (2 / gamma) ln(1 + gamma / k)   (bid to ask)
 *   bid    = r - spread / 2,  ask = r + spread / 2
 *
 * s is the fair value (strategy.reference, shifted by an alpha if one is set); q the
 * inventory away from target in orders of `quantity`; sigma in quote asset per sqrt(s); k
 * per quote asset; gamma per quote asset. T - t is `horizon` seconds (rolling), or the time
 * left in the session (finite: sessions are whole multiples of `horizon` since the epoch, so
 * 86400 gives UTC days and the inventory term fades toward midnight). A does not enter the
 * closed form (it cancels), only k. sigma and k come from the config or the estimators;
 * until the estimators have them there is no quote (the engine cancels what is live).
 * At |inventory - target| >= max_inventory the side that would add is not quoted, and the
 * bids (asks) never add up past that bound. */
#include <math.h>

#include "strategy.h"

/* T - t in seconds */
static double time_left(const strategy_t *s, int64_t now) {
    if (!s->horizon_finite) return s->horizon_s;
    int64_t h = llround(s->horizon_s * 1e9);
    if (h <= 0) return 0;
    int64_t into = now % h;
    if (into < 0) into += h;
    return (double)(h - into) * 1e-9;
}

static int avellaneda_quote(strategy_t *s, const strat_input_t *in, quote_set_t *out) {
    out->nbids = out->nasks = 0;
    double fair = strategy_fair(s, in);
    double sigma, A, k;
    if (fair <= 0 || !strategy_sigma(s, &sigma)) return 1;
    strategy_intensity(s, &A, &k);
    if (!(k > 0)) return 1;
    double g = s->gamma, q = strategy_q(s, in), tau = time_left(s, in->now_ns);
    double risk = g * sigma * sigma * tau;
    double r = fair - q * risk;
    double half = (risk + 2 / g * log1p(g / k)) / 2;
    double dev = s->max_inventory > 0 ? (double)(in->inventory - s->target_inventory) / (double)s->max_inventory : 0;
    strategy_emit(s, in, r - half, r + half, dev < 1, dev > -1, out);
    return 0;
}

const strategy_vt_t strategy_avellaneda_vt = {"avellaneda", avellaneda_quote};
