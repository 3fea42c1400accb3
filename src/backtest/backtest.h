/* backtest.h: a backtest: recordings -> engine + simulated venue -> report.
 *
 * Per market event, in recording order (local receive time L, exchange time X <= L):
 *   1. requests that reached the exchange by X are processed (against the book before
 *      this event);  2. the event updates the book;  3. resting orders are matched against
 *   it;  4. venue answers due by L reach the oms;  5. the strategy decides at L.
 * With sim.chaos > 0 a chaos venue sits between the sim and the engine (venue/chaos), and
 * its held events are pumped after step 4.
 * The same config and data give byte-identical output. */
#ifndef Q_BACKTEST_H
#define Q_BACKTEST_H

#include "../core/clock.h"
#include "../feed/replay.h"
#include "../venue/chaos/chaos.h"
#include "../venue/sim/sim.h"
#include "report.h"

typedef struct backtest {
    const config_t *cfg;
    const config_exact_t *x;
    replay_t rp;
    sim_t sim;
    latency_t lat;            /* sim.latency_model's model when not constant (sim.lat points here) */
    chaos_t *chaos;           /* between the sim and the engine when sim.chaos > 0 (else NULL) */
    int chaos_on;
    int64_t violations;       /* with chaos: oms_check() failures summed over every step */
    engine_t eng;
    exch_clock_t clock;
    report_t rep;
    char err[512];
} backtest_t;

/* Runs the whole backtest; out_dir may be NULL. Returns 0 or an error with bt->err set.
   bt is large: give it static storage or the heap. */
int backtest_run(backtest_t *bt, const config_t *c, const config_exact_t *x, char **files, int nfiles,
                 const char *out_dir);
/* After backtest_run: cancels every order and lets time run on without market events, in
   steps, until every order is resolved (terminal, its trades booked) and the venue is
   quiet, or max_ns has passed. Returns the orders still unresolved. For the tests'
   invariants (the ledger equals the venue's balances once everything is told). */
int backtest_drain(backtest_t *bt, int64_t max_ns, int64_t step_ns);
void backtest_free(backtest_t *bt);

#endif
