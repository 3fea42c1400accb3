/* clock.c: exchange-time estimate (see clock.h). */
#include "clock.h"

#include <string.h>

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
