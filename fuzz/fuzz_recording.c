/* fuzz_recording.c: libFuzzer target for the recording reader and the whole replay path
 * (line splitting, `<ns> <json>` prefixes, gzip inflation, decoding, bad-line counting). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "book/sync.h"
#include "core/symbol.h"
#include "feed/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char path[64];
    if (!path[0]) snprintf(path, sizeof path, "/tmp/quoter_fuzz_rec_%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    symbol_rules_t r;
    fx_unit_t step;
    memset(&r, 0, sizeof r);
    snprintf(r.symbol, sizeof r.symbol, "BTCUSDT");
    fx_unit_parse("0.01", 4, &r.tick);
    fx_unit_parse("0.00001", 7, &step);
    symbol_set_step(&r, &step);
    static replay_t rp;
    static book_t book;
    static int ready;
    if (!ready) {
        book_init(&book, 12); /* a small window, so recentring and far levels get exercised */
        ready = 1;
    }
    book_sync_t sync;
    sync_init(&sync, &book);
    book_clear(&book);
    char *files[1] = {path};
    replay_open(&rp, files, 1, &r);
    rp.rec.reported = 20; /* quiet */
    if (size & 1) rp.rec.whole_limit = 0; /* half the inputs take the streaming path */
    md_event_t ev;
    while (replay_next(&rp, &ev) > 0) {
        if (ev.type == MD_DIFF) sync_on_diff(&sync, &ev);
        else if (ev.type == MD_SNAPSHOT) sync_on_snapshot(&sync, &ev);
        else if (ev.type == MD_BBO) book_on_bbo(&book, &ev);
    }
    if (!book_check(&book)) __builtin_trap();
    replay_close(&rp);
    sync_free(&sync);
    return 0;
}
