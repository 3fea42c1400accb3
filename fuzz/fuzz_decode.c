/* fuzz_decode.c: libFuzzer target for the market data decoder (feed/decode.c). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/symbol.h"
#include "feed/decode.h"

static md_level_t levels[4096];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static md_decoder_t d;
    static int ready;
    if (!ready) {
        symbol_rules_t r;
        fx_unit_t step;
        memset(&r, 0, sizeof r);
        fx_unit_parse("0.01", 4, &r.tick);
        fx_unit_parse("0.00001", 7, &step);
        symbol_set_step(&r, &step);
        md_decoder_init(&d, &r.tick, &r.lot, "BTCUSDT", levels, 4096);
        ready = 1;
    }
    md_event_t ev;
    if (md_decode(&d, (const char *)data, size, &ev) == 0 &&
        (ev.type == MD_DIFF || ev.type == MD_SNAPSHOT)) {
        /* levels must lie inside the buffer */
        if (ev.nbids < 0 || ev.nasks < 0 || ev.nbids + ev.nasks > 4096) __builtin_trap();
        /* touch every level (ASan checks the reads); unsigned so the sum may wrap */
        uint64_t sum = 0;
        for (int i = 0; i < ev.nbids; i++) sum += (uint64_t)ev.bids[i].price + (uint64_t)ev.bids[i].qty;
        for (int i = 0; i < ev.nasks; i++) sum += (uint64_t)ev.asks[i].price + (uint64_t)ev.asks[i].qty;
        volatile uint64_t sink = sum;
        (void)sink;
    }
    return 0;
}
