/* markout.h: markouts of our fills: how the mid stood against each fill at the fill and
 * 1 s, 5 s and 30 s after it, summed per horizon, in bounded memory.
 *
 * A fill's markout at horizon h is  side * (mid(t + h) - price)  (side +1 a buy, -1 a sell),
 * so a positive markout is good for us: the market moved our way, or we bought below (sold
 * above) the mid. mid(x) is the mid after every market event stamped <= x (the events are
 * fed in time order with markout_mid), t the time the fill reached the engine. In bps it is
 * the same over the fill price, x 1e4. The mid's own move after the fill is the markout at h
 * less the one at the fill (horizon 0).
 *
 * Rules:
 *  1. Fills wait in a ring of MARKOUT_RING; each horizon keeps its own next fill to resolve
 *     (horizons resolve in the ring's order, so the 30 s horizon's is the oldest in use).
 *  2. A fill is measured from max(t, the previous fill's time, the last event's time): a fill
 *     told out of order, or after events past its time, is measured from where the mids are
 *     still to come (only a venue that reorders its events, sim.chaos, does that).
 *  3. A fill whose horizon is not reached when the data ends is left out of that horizon and
 *     counted in `excluded` (markout_end); one that finds the ring full is not measured at
 *     all and counted in `dropped` (4096 fills within 30 s: none in any recording so far).
 *  4. Before the first mid, a due fill has no mid to compare with: it counts as excluded. */
#ifndef Q_MARKOUT_H
#define Q_MARKOUT_H

#include <stdint.h>

#define MARKOUT_NH 4        /* horizons: at the fill, 1 s, 5 s, 30 s */
#define MARKOUT_RING 4096   /* fills waiting for their last horizon */

extern const int64_t markout_horizon_ns[MARKOUT_NH];
extern const char *const markout_horizon_name[MARKOUT_NH]; /* "0s", "1s", "5s", "30s" */

typedef struct markout_sum {
    int64_t n;          /* fills measured at this horizon */
    int64_t excluded;   /* fills whose horizon the data did not reach (or before any mid) */
    double sum_quote;   /* sum of side * (mid - price): quote per unit of base */
    double sum_bps;     /* sum of the same over price, x 1e4 */
    double pnl_quote;   /* sum of qty * side * (mid - price): quote */
} markout_sum_t;

typedef struct markout_fill {
    int64_t t;          /* ns, local clock */
    double price, qty;  /* quote per base; base */
    int sign;           /* +1 buy, -1 sell */
} markout_fill_t;

typedef struct markout {
    markout_sum_t h[MARKOUT_NH];
    int64_t dropped;                  /* fills not measured: the ring was full */
    markout_fill_t ring[MARKOUT_RING];
    int64_t head[MARKOUT_NH];         /* per horizon: fills resolved so far (ring index mod size) */
    int64_t tail;                     /* fills taken so far */
    int64_t last_t;                   /* the latest time measured from (rule 2) */
    int64_t mid_ns;                   /* the last event's time; 0 none yet */
    double mid;                       /* the mid after it; 0 none yet */
    int64_t next_due;                 /* no fill is due at any horizon before this (markout_mid's
                                         shortcut on the events between) */
} markout_t;

void markout_init(markout_t *m);
/* One of our fills: sign +1 a buy, -1 a sell; t on the same clock as markout_mid's. */
void markout_fill(markout_t *m, int64_t t, int sign, double price, double qty);
/* A market event at `now` after which the mid is `mid` (> 0; call only with a mid). Resolves
   every horizon now due: those due before `now` at the mid before this event, those due at
   `now` at `mid`. */
void markout_mid(markout_t *m, int64_t now, double mid);
/* Fills still waiting for horizon k. */
int64_t markout_pending(const markout_t *m, int k);
/* The data ended: every fill still waiting is excluded from its horizons. */
void markout_end(markout_t *m);
/* Means over the fills measured at horizon k (0 when none). */
double markout_mean_quote(const markout_t *m, int k);
double markout_mean_bps(const markout_t *m, int k);

#endif
