/* cmd_verify.c: `quoter verify`: replay, synchronise, cross-check against bookTicker. */
#include <inttypes.h>
#include <stdio.h>

#include "../book/crosscheck.h"
#include "../core/err.h"
#include "../feed/replay.h"
#include "cli.h"
#include "recsym.h"

static const char usage[] =
    "usage: quoter verify [-c CONFIG] [--set section.key=value] [--exchange-info FILE] FILE...\n"
    "\n"
    "Replays recordings (several files as one stream), synchronises the order book from the\n"
    "snapshot and depth diffs by Binance's rules, and compares the book's best bid and ask\n"
    "(price and quantity) with every bookTicker that carries the update id the book has just\n"
    "after a diff. Prints the symbol and key=value counts; exits 1 on any mismatch or when\n"
    "nothing could be compared (no snapshot, no bookTicker while the book was in sync), 2 on\n"
    "bad usage, I/O, lines out of time order or a symbol the recording has no line of.\n"
    "\n"
    "The symbol is the recording's unless market.symbol is given; a recording with no line of\n"
    "it, or of several symbols when none is given, is an error (exit 2). Its tick and step\n"
    "come from --exchange-info FILE (a saved GET /api/v3/exchangeInfo response; the same as\n"
    "--set market.exchange_info=FILE), else the recording's own exchangeInfo line (the\n"
    "[market] keys given win over its fields), else the [market] keys, whose defaults are\n"
    "BTCUSDT's only.\n";

int cmd_verify(int argc, char **argv) {
    static cli_common_t c;
    recsym_t rs;
    int rc = recsym_parse(&c, &rs, argc, argv, usage, "verify");
    if (rc) return rc;
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
    if (recsym_check(&c, &rs, &rp.syms)) { /* never compared=0 mismatches=0 on another symbol's data */
        replay_close(&rp);
        return 2;
    }
    printf("symbol=%s lines=%" PRId64 " diffs=%" PRId64 " applied=%" PRId64 " stale=%" PRId64 " buffered=%" PRId64
           " snapshots=%" PRId64 " gaps=%" PRId64 " bookticker=%" PRId64 " trades=%" PRId64
           " ignored=%" PRId64 " compared=%" PRId64 " mismatches=%" PRId64 " bad_lines=%" PRId64 "\n",
           c.x.rules.symbol, rp.lines, sync.st.diffs, sync.st.applied, sync.st.stale, sync.st.buffered, sync.st.snapshots,
           sync.st.gaps, rp.count[MD_BBO], rp.count[MD_TRADE], rp.count[MD_IGNORED], xc.compared,
           xc.mismatches, replay_bad_lines(&rp));
    int intact = book_check(&book);
    if (!intact) cli_fail("the book's internal invariants do not hold (a bug: please report it)");
    /* compared=0 mismatches=0 is no pass: nothing was checked */
    if (!xc.compared)
        cli_fail("nothing was verified: %s",
                 !sync.st.snapshots ? "the book never synchronised (no depth snapshot in the recording)"
                 : !sync.st.applied ? "the book never synchronised (no depth diff followed a snapshot)"
                                    : "no bookTicker came while the book was in sync");
    replay_close(&rp);
    sync_free(&sync);
    book_free(&book);
    return xc.mismatches || !intact || !xc.compared ? 1 : 0;
}
