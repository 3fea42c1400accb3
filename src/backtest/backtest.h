/* backtest.h: a backtest: recordings -> engine + simulated venue -> report.
 *
 * Per market event, in recording order (local receive time L, exchange time X <= L):
 *   1. requests that reached the exchange by X are processed (against the book before
 *      this event);  2. the event updates the book;  3. resting orders are matched against
 *   it;  4. venue answers due by L reach the oms;  5. the strategy decides at L.
 * The same config and data give byte-identical output. */
#ifndef Q_BACKTEST_H
#define Q_BACKTEST_H

#include "../core/clock.h"
#include "../feed/replay.h"
#include "../venue/sim/sim.h"
#include "report.h"

typedef struct backtest {
    const config_t *cfg;
    const config_exact_t *x;
    replay_t rp;
    sim_t sim;
    engine_t eng;
    exch_clock_t clock;
    report_t rep;
    char err[512];
} backtest_t;

/* Runs the whole backtest; out_dir may be NULL. Returns 0 or an error with bt->err set.
   bt is large: give it static storage or the heap. */
int backtest_run(backtest_t *bt, const config_t *c, const config_exact_t *x, char **files, int nfiles,
                 const char *out_dir);
void backtest_free(backtest_t *bt);

#endif
