/* hist.c: fixed-bucket histograms (see hist.h). */
#include "hist.h"

#include <string.h>

#include "err.h"

const int64_t hist_tick_to_order_le[13] = {10000,   25000,   50000,    100000,   250000,   500000,   1000000,
                                           2500000, 5000000, 10000000, 25000000, 50000000, 100000000};
const int64_t hist_round_trip_le[13] = {500000,    1000000,   2500000,    5000000,    10000000,
                                        25000000,  50000000,  100000000,  250000000,  500000000,
                                        1000000000, 2500000000, 5000000000};

int hist_init(hist_t *h, const int64_t *le, int n) {
    memset(h, 0, sizeof *h);
    if (n < 0 || n > HIST_MAX) return Q_E_INVAL;
    for (int i = 1; i < n; i++)
        if (le[i] <= le[i - 1]) return Q_E_INVAL;
    if (n) memcpy(h->le, le, (size_t)n * sizeof *le);
    h->n = n;
    return 0;
}

void hist_observe(hist_t *h, int64_t v) {
    if (v < 0) v = 0;
    int i = 0;
    while (i < h->n && v > h->le[i]) i++;
    h->bucket[i]++;
    h->count++;
    h->sum += v;
}

int64_t hist_cumulative(const hist_t *h, int i) {
    int64_t c = 0;
    for (int k = 0; k <= i && k <= h->n; k++) c += h->bucket[k];
    return c;
}
