/* synth.h: a synthetic Binance market for when no recording is at hand. It writes a
 * recording in the collector format (`<local ns> <raw JSON>`, gzip): a REST snapshot
 * (after the first diffs, as a real collector sees it), depth@100ms diffs, bookTicker on
 * every top change and trades, from a stochastic order-flow model:
 *   - a latent fair price follows a Gaussian random walk (volatility in bps per sqrt s);
 *   - when it leaves the spread, market orders sweep the book toward it (the trades that
 *     move the price), and the passive side refills behind;
 *   - background market orders arrive as a Poisson process with heavy-tailed (lognormal)
 *     sizes; limit orders arrive at geometric distances from the touch; cancels remove
 *     or shrink levels near the top;
 *   - adverse selection, as a maker meets it: market orders come from meta-orders (a trader
 *     working one side over many orders, so their signs persist) and each moves the fair
 *     price its way (price impact, concave in size), which the quotes then follow; a fill
 *     at a level is split among the maker orders resting there, one trade each, as Binance
 *     prints them (one taker order, several trades with one trade time).
 * Defaults are calibrated to the shared BTCUSDT recording (see README). The same seed
 * gives the same file. */
#ifndef Q_SYNTH_H
#define Q_SYNTH_H

#include <stdint.h>

#include "../core/symbol.h"

typedef struct synth_params {
    double seconds;
    uint64_t seed;
    double start_price;        /* quote asset */
    double vol_bps;            /* fair-price volatility, bps per sqrt(second) */
    double trades_per_s;       /* background market orders per second */
    double limits_per_s;       /* limit order arrivals per second, both sides */
    double cancels_per_s;
    double touch_per_s;        /* small size changes at the best levels per second */
    double depth_ticks;        /* mean distance of new limit orders from the touch */
    double density;            /* share of ticks holding a level in the initial book */
    double trade_median, trade_sigma; /* lognormal trade size (a maker order filled): median (base), log-sd */
    double order_median, order_sigma; /* lognormal limit order size */
    int64_t start_ns;          /* local time of the first message */
    double latency_ms;         /* feed latency added to exchange times */
    double move_rate;          /* fair-price moves (news) per second */
    double meta_orders;        /* mean market orders per meta-order (geometric) */
    double meta_share;         /* probability a market order takes its meta-order's side, else a coin */
    double impact_bps;         /* fair-price move per market order of trade_median size, bps;
                                  scaled by sqrt(size / trade_median), capped at 4x */
    double impact_transient;   /* share of each impact that fades away again ... */
    double impact_decay_s;     /* ... exponentially, with this time constant */
    double maker_orders;       /* mean maker orders (trades) a market order fills (geometric, >= 1) */
    double touch_ratio;        /* median quote placed next to a new fair price, / order_median
                                  (the liquidity providers' size, larger than the book's) */
} synth_params_t;

void synth_defaults(synth_params_t *p);
/* Writes the recording; 0 or an error with err filled. */
int synth_write(const synth_params_t *p, const symbol_rules_t *r, const char *path, char *err, int errcap);

#endif
