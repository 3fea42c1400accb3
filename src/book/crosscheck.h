/* crosscheck.h: compares the synchronised book's top with bookTicker messages that carry
 * the same update id as the book just after a diff. The two streams interleave in any
 * order, so recent post-diff tops and not-yet-matched bookTickers each wait in a ring. */
#ifndef Q_CROSSCHECK_H
#define Q_CROSSCHECK_H

#include <stdint.h>

#include "sync.h"

#define XCHECK_RING 256

typedef struct xcheck_entry {
    uint64_t id;
    book_top_t top;
} xcheck_entry_t;

typedef struct xcheck {
    xcheck_entry_t tops[XCHECK_RING]; /* book tops after recent diffs, by diff u */
    xcheck_entry_t bbos[XCHECK_RING]; /* bookTickers newer than the book */
    int ntops, nbbos;                 /* ring write counters */
    int64_t compared, mismatches;
    int64_t reported;                 /* mismatches printed (the first 10) */
} xcheck_t;

void xcheck_init(xcheck_t *x);
/* after a diff was applied: the book's top as of update id u */
void xcheck_after_diff(xcheck_t *x, const book_t *b);
void xcheck_on_bbo(xcheck_t *x, const book_t *b, const md_event_t *ev);
/* after a gap or a snapshot: forget tops that no longer describe the book */
void xcheck_reset(xcheck_t *x);

#endif
