/* clock.h: time in quoter. Backtests run on replay time (the recording's local receive
 * times); live runs on the real clock (a later issue). Nothing else reads the system clock.
 *
 * The exchange-time estimate: market events carry the exchange's event time E, but the
 * recording machine's clock is not the exchange's (the shared BTCUSDT recording runs
 * about 1.27 s *behind* E, so local - E is negative). We therefore express exchange
 * time on the local clock as E + offset, with offset the running minimum of local - E:
 * causal (it uses only past events), never later than the local receive time, and the
 * feed latency local - (E + offset) is never negative. Events without E (bookTicker)
 * take the latest latency seen. The estimate never goes backwards. */
#ifndef Q_CLOCK_H
#define Q_CLOCK_H

#include <stdint.h>

typedef struct exch_clock {
    int have;
    int64_t offset;    /* min(local - E) so far, ns */
    int64_t latency;   /* local - estimated exchange time of the last event with E */
    int64_t last;      /* last estimate returned */
} exch_clock_t;

/* The real clock, for live runs (the only readers of the system clock outside the local
   exchange): wall time in ns since the epoch, and a monotonic clock for intervals. */
int64_t clock_real_ns(void);
int64_t clock_mono_ns(void);

void exch_clock_init(exch_clock_t *c);
/* exch_ns 0 means the event has no exchange time. Returns the estimate, on the local clock. */
int64_t exch_clock_estimate(exch_clock_t *c, int64_t local_ns, int64_t exch_ns);

#endif
