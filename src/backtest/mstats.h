/* mstats.h: statistics of a market recording, to compare a synthetic market with a real
 * one: message rates, spread, volatility, depth near the top, trade sizes. */
#ifndef Q_MSTATS_H
#define Q_MSTATS_H

#include <stdint.h>
#include <stdio.h>

#include "../core/symbol.h"

typedef struct mstats {
    double seconds;
    double diffs_per_s, bbo_per_s, trades_per_s, levels_per_diff;
    double spread_ticks_median, spread_ticks_mean;
    double vol_bps;            /* std of 1 s mid log returns, bps */
    double depth10_base;       /* mean base quantity within 10 bps of the mid, both sides */
    double trade_median, trade_mean; /* base */
    int64_t bad_lines, gaps;
} mstats_t;

int mstats_compute(char **files, int nfiles, const symbol_rules_t *r, mstats_t *s, char *err, int errcap);
void mstats_print(const mstats_t *s, FILE *f);

#endif
