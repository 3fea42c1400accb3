/* fuzz_latency.c: libFuzzer target for the latency file reader (venue/sim/latency.h): any
 * input is read or refused with a message, and what is read answers every time asked. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "venue/sim/latency.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!size) return 0; /* fmemopen of nothing fails on some libcs */
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f) return 0;
    latency_t l;
    char err[512];
    /* the first byte picks the entry share, so splits other than halves are explored too */
    if (latency_read(&l, f, "fuzz.csv", (data[0] % 11) / 10.0, err, sizeof err) == 0) {
        int64_t t = 1700000000000000000LL;
        for (int i = 0; i < 16; i++) {
            int64_t step = (int64_t)(data[i % size]) * 37000000LL - 3000000000LL;
            if (latency_entry(&l, t) < 0 || latency_response(&l, t + step) < 0) __builtin_trap();
            t += step;
        }
        latency_free(&l);
    }
    fclose(f);
    return 0;
}
