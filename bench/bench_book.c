/* bench_book.c: applying depth diff levels to the L2 book, on the shared recording's real
 * diffs after its snapshot. Prints the median over rounds of the time per level. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "book/sync.h"
#include "feed/replay.h"

#define ROUNDS 21

int main(int argc, char **argv) {
    char *files[2] = {QUOTER_DATA "/binance-spot/btcusdt_20240808.gz", QUOTER_DATA "/binance-spot/btcusdt_20240809.gz"};
    (void)argc;
    (void)argv;
    symbol_rules_t r;
    memset(&r, 0, sizeof r);
    snprintf(r.symbol, sizeof r.symbol, "BTCUSDT");
    fx_unit_parse("0.01", 4, &r.tick);
    fx_unit_t step;
    fx_unit_parse("0.00001", 7, &step);
    symbol_set_step(&r, &step);
    replay_t *rp = calloc(1, sizeof *rp);
    if (replay_open(rp, files, 2, &r)) return 1;
    /* copy the snapshot and every diff's levels */
    md_level_t *snap = 0, *lv = malloc(sizeof *lv * 400000);
    int nsnap_b = 0, nsnap_a = 0, nlv = 0;
    int *side = malloc(sizeof *side * 400000);
    md_event_t ev;
    int rc;
    while ((rc = replay_next(rp, &ev)) > 0) {
        if (ev.type == MD_SNAPSHOT) {
            snap = malloc(sizeof *snap * (size_t)(ev.nbids + ev.nasks));
            memcpy(snap, ev.bids, sizeof *snap * (size_t)ev.nbids);
            memcpy(snap + ev.nbids, ev.asks, sizeof *snap * (size_t)ev.nasks);
            nsnap_b = ev.nbids;
            nsnap_a = ev.nasks;
        } else if (ev.type == MD_DIFF && snap) {
            for (int i = 0; i < ev.nbids && nlv < 400000; i++) { side[nlv] = BOOK_BID; lv[nlv++] = ev.bids[i]; }
            for (int i = 0; i < ev.nasks && nlv < 400000; i++) { side[nlv] = BOOK_ASK; lv[nlv++] = ev.asks[i]; }
        }
    }
    if (rc < 0 || !snap) {
        printf("bench_book: SKIP (%s)\n", rc < 0 ? rp->rec.err : "no snapshot");
        return 0;
    }
    book_t b;
    book_init(&b, 17);
    double per[ROUNDS];
    int64_t check = 0;
    for (int k = 0; k < ROUNDS; k++) {
        book_clear(&b);
        book_recenter(&b, (snap[0].price + snap[nsnap_b].price) / 2);
        for (int i = 0; i < nsnap_b; i++) book_set(&b, BOOK_BID, snap[i].price, snap[i].qty);
        for (int i = 0; i < nsnap_a; i++) book_set(&b, BOOK_ASK, snap[nsnap_b + i].price, snap[nsnap_b + i].qty);
        double t0 = now_s();
        for (int i = 0; i < nlv; i++) book_set(&b, (book_side_t)side[i], lv[i].price, lv[i].qty);
        per[k] = (now_s() - t0) / nlv * 1e9;
        check += book_best(&b, BOOK_BID);
    }
    printf("book apply diff level: %d levels, median %.1f ns/level (bid %lld)\n", nlv, median(per, ROUNDS),
           (long long)(check / ROUNDS));
    book_free(&b);
    replay_close(rp);
    return 0;
}
