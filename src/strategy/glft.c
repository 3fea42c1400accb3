/* glft.c: Guéant, Lehalle & Fernandez-Tapia, "Dealing with the inventory risk: a solution to
 * the market making problem", Mathematics and Financial Economics 7, 2013, in the form of
 * Guéant, "Optimal market making", Applied Mathematical Finance 24(2), 2017, eqs. 4.6-4.7
 * (the closed-form approximation of the optimal quotes far from the horizon, so no terminal
 * time), as hftbacktest's GLFT tutorial applies them:
 *
 *   c1 = 1 / (xi Delta) ln(1 + xi Delta / k)
 *   c2 = sqrt( gamma / (2 A Delta k) (1 + xi Delta / k)^(k / (xi Delta) + 1) )
 *   half spread = c1 + Delta / 2 sigma c2,   skew = sigma c2
 *   bid = s - (half spread + skew q),        ask = s + (half spread - skew q)
 *
 * with xi = gamma (the model's risk-averse case), Delta = 1 (one order of `quantity`), q the
 * inventory away from target in orders of `quantity`, s the fair value. Inventory is bounded
 * by max_inventory (Q): at q >= Q there is no bid, at q <= -Q no ask, and the quotes of a side
 * never add up past the bound. sigma, A and k come from the config or the estimators; until
 * the estimators have them there is no quote. */
#include <math.h>

#include "strategy.h"

static int glft_quote(strategy_t *s, const strat_input_t *in, quote_set_t *out) {
    out->nbids = out->nasks = 0;
    double fair = strategy_fair(s, in);
    double sigma, A, k;
    if (fair <= 0 || !strategy_sigma(s, &sigma) || !strategy_intensity(s, &A, &k)) return 1;
    double g = s->gamma, xi = g, delta = 1;
    double c1 = log1p(xi * delta / k) / (xi * delta);
    double c2 = sqrt(g / (2 * A * delta * k) * pow(1 + xi * delta / k, k / (xi * delta) + 1));
    double half = c1 + delta / 2 * sigma * c2, skew = sigma * c2;
    double q = strategy_q(s, in);
    double dev = (double)(in->inventory - s->target_inventory) / (double)s->max_inventory;
    strategy_emit(s, in, fair - (half + skew * q), fair + (half - skew * q), dev < 1, dev > -1, out);
    return 0;
}

const strategy_vt_t strategy_glft_vt = {"glft", glft_quote};
