/* cmd_verify.c: `quoter verify`: replay, synchronise, cross-check against bookTicker. */
#include <inttypes.h>
#include <stdio.h>

#include "../book/crosscheck.h"
#include "../core/err.h"
#include "../feed/replay.h"
#include "cli.h"

static const char usage[] =
    "usage: quoter verify [-c CONFIG] [--set section.key=value] FILE...\n"
    "\n"
    "Replays recordings (several files as one stream), synchronises the order book from the\n"
    "snapshot and depth diffs by Binance's rules, and compares the book's best bid and ask\n"
    "(price and quantity) with every bookTicker that carries the update id the book has just\n"
    "after a diff. Prints key=value counts; exits 1 on any mismatch, 2 on bad usage or I/O.\n"
    "The symbol and its tick/step come from the config (default BTCUSDT, 0.01, 0.00001).\n";

int cmd_verify(int argc, char **argv) {
    static cli_common_t c;
    int rc = cli_parse(&c, argc, argv, usage);
    if (rc) return rc;
    if (c.nfiles == 0) {
        cli_fail("verify needs at least one recording (try --help)");
        return 2;
    }
    static replay_t rp;
    static book_t book;
    static book_sync_t sync;
    static xcheck_t xc;
    if ((rc = replay_open(&rp, c.files, c.nfiles, &c.x.rules)) || (rc = book_init(&book, 17))) {
        cli_fail("%s", q_strerror(rc));
        return 2;
    }
    sync_init(&sync, &book);
    xcheck_init(&xc);
    md_event_t ev;
    while ((rc = replay_next(&rp, &ev)) > 0) {
        switch (ev.type) {
        case MD_DIFF:
            rc = sync_on_diff(&sync, &ev);
            if (rc == 1) xcheck_after_diff(&xc, &book);
            else if (rc == Q_E_GAP) xcheck_reset(&xc);
            break;
        case MD_SNAPSHOT:
            sync_on_snapshot(&sync, &ev);
            xcheck_reset(&xc);
            break;
        case MD_BBO:
            book_on_bbo(&book, &ev);
            if (sync.state == SYNC_LIVE) xcheck_on_bbo(&xc, &book, &ev);
            break;
        default: break;
        }
    }
    if (rc < 0) {
        cli_fail("%s", rp.rec.err);
        return 2;
    }
    printf("lines=%" PRId64 " diffs=%" PRId64 " applied=%" PRId64 " stale=%" PRId64 " buffered=%" PRId64
           " snapshots=%" PRId64 " gaps=%" PRId64 " bookticker=%" PRId64 " trades=%" PRId64
           " ignored=%" PRId64 " compared=%" PRId64 " mismatches=%" PRId64 " bad_lines=%" PRId64 "\n",
           rp.lines, sync.st.diffs, sync.st.applied, sync.st.stale, sync.st.buffered, sync.st.snapshots,
           sync.st.gaps, rp.count[MD_BBO], rp.count[MD_TRADE], rp.count[MD_IGNORED], xc.compared,
           xc.mismatches, replay_bad_lines(&rp));
    int intact = book_check(&book);
    if (!intact) cli_fail("the book's internal invariants do not hold (a bug: please report it)");
    replay_close(&rp);
    sync_free(&sync);
    book_free(&book);
    return xc.mismatches || !intact ? 1 : 0;
}
