/* mflow.h: the order-flow statistics of a market recording, the ones a market maker lives or
 * dies by (issue 9 part 7): how far the mid moves in the aggressor's direction after a trade,
 * and how much the aggressor's side persists from one trade to the next. `quoter stats`
 * prints them beside mstats' rates and depth, for real and synthetic markets alike.
 *
 * Definitions (one pass, in the recording's line order, local receive times):
 *   - the mid is (bid + ask) / 2 of a bookTicker line; a trade's sign is +1 when the buyer
 *     was the aggressor (`"m":false`), -1 when the seller was;
 *   - move after h: for every trade with a bookTicker line before it, received at t,
 *     sign * (mid(t + h) - mid0) / mid0 * 1e4 bps, where mid0 is the mid of the last
 *     bookTicker line before the trade's line and mid(x) that of the last bookTicker received
 *     at or before x, known once a line received after x comes (a trade line with no
 *     bookTicker between says the mid held); trades with t + h at or after the last line
 *     (bar a last bookTicker at exactly t + h) are left out; the mean over trades is
 *     reported, for h = 1 s and 5 s;
 *   - sign autocorrelation: the Pearson correlation of consecutive trades' signs (lag 1,
 *     over all trades, the sample mean removed);
 *   - an aggressor order is a run of consecutive trades with the same trade time T and
 *     sign (one taker order filling against several makers); trades per order is their ratio.
 * The shared BTCUSDT recording gives 0.46 bps at 1 s, 0.34 bps at 5 s and 0.79. */
#ifndef Q_MFLOW_H
#define Q_MFLOW_H

#include <stdint.h>
#include <stdio.h>

#include "../core/symbol.h"

typedef struct mflow {
    int64_t trades;          /* trades seen */
    int64_t orders;          /* aggressor orders: runs of trades with one T and one sign */
    int64_t n_1s, n_5s;      /* trades measured at each horizon */
    double move_1s_bps;      /* mean move in the aggressor's direction, 1 s after, bps */
    double move_5s_bps;      /* the same 5 s after */
    double sign_autocorr;    /* lag-1 correlation of trade signs, in [-1, 1]; 0 under 3 trades */
    double trades_per_order; /* trades / orders; 0 without trades */
} mflow_t;

/* Reads the files as one stream (replay_open's rules); 0 or an error with err filled. */
int mflow_compute(char **files, int nfiles, const symbol_rules_t *r, mflow_t *f, char *err, int errcap);
void mflow_print(const mflow_t *f, FILE *out);

#endif
