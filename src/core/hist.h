/* hist.h: a fixed-bucket histogram of integer observations (nanoseconds, in quoter's uses),
 * the shape Prometheus exposes: counts per bucket `value <= le[i]`, one more above the last
 * bound, a count and a sum. Observing is a short scan of at most HIST_MAX bounds, with no
 * allocation: it sits on the hot path (tick-to-order, order round trips). */
#ifndef Q_HIST_H
#define Q_HIST_H

#include <stdint.h>

#define HIST_MAX 24

typedef struct hist {
    int n;                       /* bounds in le[] (0: only count and sum) */
    int64_t le[HIST_MAX];        /* upper bounds, strictly increasing (units of the values) */
    int64_t bucket[HIST_MAX + 1];/* observations per bucket (not cumulative); [n]: above le[n-1] */
    int64_t count;
    int64_t sum;                 /* of the observations (negative ones counted as 0) */
} hist_t;

/* Sets the bounds (and clears the counts). 0, or Q_E_INVAL when n is outside 0..HIST_MAX or
   the bounds do not increase strictly. */
int hist_init(hist_t *h, const int64_t *le, int n);
/* Counts one observation; a negative one (a clock that stepped back) counts as 0. */
void hist_observe(hist_t *h, int64_t v);
/* Observations <= le[i] (i == n: all of them), as Prometheus's cumulative buckets count. */
int64_t hist_cumulative(const hist_t *h, int i);

/* the bounds quoter uses, in ns: tick-to-order (10 us .. 100 ms) and order round trips
   (0.5 ms .. 5 s) */
extern const int64_t hist_tick_to_order_le[13];
extern const int64_t hist_round_trip_le[13];

#endif
