/* test_sync.c: snapshot + diff synchronisation on real data: the shared BTCUSDT recording
 * (diffs before the snapshot), the NKNUSDT 2021 case, dropped and gapped diffs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book/crosscheck.h"
#include "book/sync.h"
#include "core/err.h"
#include "feed/decode.h"
#include "feed/replay.h"
#include "testutil.h"

static md_level_t levels[20000];

static void make_diff(md_event_t *ev, md_level_t *lv, uint64_t U, uint64_t u, int64_t bid, int64_t bq) {
    memset(ev, 0, sizeof *ev);
    ev->type = MD_DIFF;
    ev->u.diff.first_id = U;
    ev->u.diff.last_id = u;
    lv->price = bid;
    lv->qty = bq;
    ev->bids = lv;
    ev->nbids = 1;
}

static void test_rules_synthetic(void **st) {
    (void)st;
    book_t b;
    book_sync_t s;
    assert_int_equal(book_init(&b, 10), 0);
    sync_init(&s, &b);
    md_event_t ev;
    md_level_t lv, snap_b[1] = {{100, 5}}, snap_a[1] = {{101, 5}};
    /* buffered before the snapshot: one stale (u <= 10), one straddling, one after */
    make_diff(&ev, &lv, 5, 10, 99, 1);
    assert_int_equal(sync_on_diff(&s, &ev), 0);
    make_diff(&ev, &lv, 9, 12, 98, 2);
    assert_int_equal(sync_on_diff(&s, &ev), 0);
    make_diff(&ev, &lv, 13, 15, 100, 0);
    assert_int_equal(sync_on_diff(&s, &ev), 0);
    assert_int_equal(s.st.buffered, 3);
    md_event_t snap;
    memset(&snap, 0, sizeof snap);
    snap.type = MD_SNAPSHOT;
    snap.u.snap.last_id = 10;
    snap.bids = snap_b; snap.nbids = 1;
    snap.asks = snap_a; snap.nasks = 1;
    assert_int_equal(sync_on_snapshot(&s, &snap), 2);
    assert_int_equal(s.st.stale, 1);
    assert_int_equal(b.last_id, 15);
    assert_int_equal(book_qty(&b, BOOK_BID, 99), 0);  /* the stale diff was not applied */
    assert_int_equal(book_qty(&b, BOOK_BID, 98), 2);
    assert_int_equal(book_best(&b, BOOK_BID), 98);   /* 100 deleted by qty 0 */
    /* live: an old diff is dropped; a gap throws the book away */
    make_diff(&ev, &lv, 14, 15, 97, 1);
    assert_int_equal(sync_on_diff(&s, &ev), 0);
    make_diff(&ev, &lv, 16, 16, 97, 1);
    assert_int_equal(sync_on_diff(&s, &ev), 1);
    make_diff(&ev, &lv, 18, 19, 96, 1);
    assert_int_equal(sync_on_diff(&s, &ev), Q_E_GAP);
    assert_int_equal(s.state, SYNC_WAIT_SNAPSHOT);
    assert_int_equal(s.st.gaps, 1);
    assert_int_equal(book_best(&b, BOOK_BID), 0);
    /* a snapshot older than the buffered diffs leaves us waiting */
    snap.u.snap.last_id = 16;
    assert_int_equal(sync_on_snapshot(&s, &snap), Q_E_GAP);
    assert_int_equal(s.state, SYNC_WAIT_SNAPSHOT);
    /* a fresh one resumes, replaying the kept diff */
    snap.u.snap.last_id = 18;
    assert_int_equal(sync_on_snapshot(&s, &snap), 1);
    assert_int_equal(b.last_id, 19);
    assert_int_equal(book_qty(&b, BOOK_BID, 96), 1);
    /* live: a snapshot no newer than the book (a recording's next file starts with one fetched
       after diffs already applied) is ignored: the next diff follows on, no gap */
    snap.u.snap.last_id = 17;
    int64_t gaps = s.st.gaps;
    assert_int_equal(sync_on_snapshot(&s, &snap), 0);
    assert_int_equal(s.st.old_snapshots, 1);
    assert_int_equal(b.last_id, 19);
    assert_int_equal(book_qty(&b, BOOK_BID, 96), 1);
    make_diff(&ev, &lv, 20, 21, 95, 3);
    assert_int_equal(sync_on_diff(&s, &ev), 1);
    assert_int_equal(s.st.gaps, gaps);
    /* a newer one is taken: the book is the snapshot's */
    snap.u.snap.last_id = 30;
    assert_int_equal(sync_on_snapshot(&s, &snap), 0);
    assert_int_equal(b.last_id, 30);
    assert_int_equal(book_qty(&b, BOOK_BID, 95), 0);
    assert_int_equal(book_best(&b, BOOK_BID), 100);
    sync_free(&s);
    book_free(&b);
}

/* NKNUSDT 2021 (cryptofeed fixtures): snapshot lastUpdateId 499869752 pairs with the first
   diff U=499869750 u=499869752, which must be dropped; U=499869753 is the first applied. */
static void test_nknusdt_2021(void **st) {
    (void)st;
    size_t rn, wn;
    char *rest = tu_read(tu_data_path("fixtures/cryptofeed-binance-spot-rest-2021.txt"), &rn);
    char *ws = tu_read(tu_data_path("fixtures/cryptofeed-binance-spot-ws-2021.txt"), &wn);
    symbol_rules_t r;
    tu_rules(&r, "NKNUSDT", "0.00001", "1"); /* deep 2021 levels sit on a 0.00001 grid */
    md_decoder_t d;
    md_decoder_init(&d, &r.tick, &r.lot, "NKNUSDT", levels, 20000);
    book_t b;
    book_sync_t s;
    assert_int_equal(book_init(&b, 14), 0);
    sync_init(&s, &b);
    md_event_t ev;
    /* the ws file: first line is the URL; then `<unix s>: <json>` */
    int diffs = 0, bbos = 0, ignored = 0, snapshot_done = 0;
    xcheck_t xc;
    xcheck_init(&xc);
    for (char *line = strtok(ws, "\n"); line; line = strtok(NULL, "\n")) {
        char *json = strstr(line, ": {");
        if (!json) continue;
        json += 2;
        assert_int_equal(md_decode(&d, json, strlen(json), &ev), 0);
        if (ev.type == MD_DIFF) {
            diffs++;
            if (diffs == 1) {
                assert_int_equal(ev.u.diff.first_id, 499869750ULL);
                assert_int_equal(sync_on_diff(&s, &ev), 0); /* buffered */
                /* the snapshot arrives now */
                char *snap = strstr(rest, "NKNUSDT&limit=1000 -> ");
                assert_non_null(snap);
                snap = strstr(snap, ": {") + 2;
                char *end = strchr(snap, '\n');
                md_event_t sev;
                static md_level_t slv[20000];
                md_decoder_t sd;
                md_decoder_init(&sd, &r.tick, &r.lot, "", slv, 20000);
                assert_int_equal(md_decode(&sd, snap, (size_t)(end - snap), &sev), 0);
                assert_int_equal(sev.type, MD_SNAPSHOT);
                assert_int_equal(sev.u.snap.last_id, 499869752ULL);
                assert_int_equal(sev.nbids, 609);
                assert_int_equal(sev.nasks, 1000);
                assert_int_equal(sd.offgrid, 0);
                assert_int_equal(sync_on_snapshot(&s, &sev), 0); /* the buffered diff was stale */
                assert_int_equal(s.st.stale, 1);
                assert_int_equal(b.last_id, 499869752ULL);
                snapshot_done = 1;
            } else {
                if (diffs == 2) assert_int_equal(ev.u.diff.first_id, 499869753ULL);
                assert_int_equal(sync_on_diff(&s, &ev), 1);
                xcheck_after_diff(&xc, &b);
            }
        } else if (ev.type == MD_BBO) {
            bbos++;
            book_on_bbo(&b, &ev);
            if (snapshot_done) xcheck_on_bbo(&xc, &b, &ev);
        } else if (ev.type == MD_IGNORED) {
            ignored++;
        }
    }
    assert_true(diffs > 5);
    assert_true(bbos > 5);
    assert_true(ignored > 0); /* other symbols, aggTrade, kline */
    assert_int_equal(s.st.gaps, 0);
    assert_int_equal(xc.mismatches, 0);
    assert_true(book_check(&b));
    /* the first applied diff set bid 0.3517 to 4265 */
    assert_true(book_best(&b, BOOK_BID) > 0);
    sync_free(&s);
    book_free(&b);
    free(rest);
    free(ws);
}

/* the shared recording: the book agrees with bookTicker; dropping a diff shows as a gap */
static void run_recording(int drop_nth_diff, xcheck_t *xc, book_sync_t *s, book_t *b) {
    symbol_rules_t r;
    replay_t rp;
    tu_open_recordings(&rp, &r);
    assert_int_equal(book_init(b, 17), 0);
    sync_init(s, b);
    xcheck_init(xc);
    md_event_t ev;
    int n = 0;
    while (replay_next(&rp, &ev) > 0) {
        if (ev.type == MD_DIFF) {
            if (++n == drop_nth_diff) continue;
            int rc = sync_on_diff(s, &ev);
            if (rc == 1) xcheck_after_diff(xc, b);
            if (rc == Q_E_GAP) xcheck_reset(xc);
        } else if (ev.type == MD_SNAPSHOT) {
            sync_on_snapshot(s, &ev);
        } else if (ev.type == MD_BBO) {
            book_on_bbo(b, &ev);
            if (s->state == SYNC_LIVE) xcheck_on_bbo(xc, b, &ev);
        }
    }
    replay_close(&rp);
}

static void test_recording_sync(void **st) {
    (void)st;
    xcheck_t xc;
    book_sync_t s;
    book_t b;
    run_recording(0, &xc, &s, &b);
    assert_int_equal(s.st.diffs, 6495);
    assert_int_equal(s.st.gaps, 0);
    assert_int_equal(s.st.snapshots, 1);
    assert_true(s.st.buffered >= 1); /* diffs arrived before the snapshot */
    assert_int_equal(xc.compared, 1072);
    assert_int_equal(xc.mismatches, 0);
    assert_true(book_check(&b));
    sync_free(&s);
    book_free(&b);
    /* drop the 100th diff: a gap, after which the book (with no new snapshot) stays empty */
    run_recording(100, &xc, &s, &b);
    assert_int_equal(s.st.gaps, 1);
    assert_int_equal(s.state, SYNC_WAIT_SNAPSHOT);
    assert_int_equal(xc.mismatches, 0);
    assert_true(xc.compared < 1072);
    sync_free(&s);
    book_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_synthetic),
        cmocka_unit_test(test_nknusdt_2021),
        cmocka_unit_test(test_recording_sync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
