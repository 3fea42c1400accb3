/* clock.c: exchange-time estimate (see clock.h). */
#include "clock.h"

#include <string.h>
#include <time.h>

int64_t clock_real_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t clock_mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void exch_clock_init(exch_clock_t *c) { memset(c, 0, sizeof *c); }

int64_t exch_clock_estimate(exch_clock_t *c, int64_t local_ns, int64_t exch_ns) {
    int64_t x;
    if (exch_ns > 0) {
        int64_t d = local_ns - exch_ns;
        if (!c->have || d < c->offset) c->offset = d;
        c->have = 1;
        x = exch_ns + c->offset;
        c->latency = local_ns - x;
    } else {
        x = local_ns - c->latency;
    }
    if (x < c->last) x = c->last;
    if (x > local_ns) x = local_ns;
    c->last = x;
    return x;
}
