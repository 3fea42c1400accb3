/* sync.h: the official Binance snapshot + diff synchronisation of a local book.
 *
 * States:   WAIT_SNAPSHOT --snapshot--> LIVE --gap--> WAIT_SNAPSHOT
 *  WAIT_SNAPSHOT: diffs are buffered (copied) until a snapshot arrives.
 *  on snapshot:   the book is loaded, its id = lastUpdateId; buffered diffs with
 *                 u <= id are dropped, the rest applied as below; the buffer empties.
 *                 While LIVE, a snapshot no newer than the book (lastUpdateId <= its id) is
 *                 ignored: the book already holds everything it says and more, and going
 *                 back to it would make the next diff a gap (a recording's files each start
 *                 with a snapshot of their own, fetched after diffs already applied).
 *  LIVE, a diff:  u <= id: dropped (stale); U > id + 1: a gap (events were lost): the
 *                 book is thrown away and we wait for a new snapshot, buffering this
 *                 diff; else every level is set (qty 0 deletes) and id = u.
 * Recorded data cannot fetch a new snapshot, so after a gap a replay waits for the next
 * snapshot line; live trading asks the venue for one. */
#ifndef Q_SYNC_H
#define Q_SYNC_H

#include <stdint.h>

#include "book.h"

typedef enum sync_state { SYNC_WAIT_SNAPSHOT = 0, SYNC_LIVE } sync_state_t;

typedef struct sync_stats {
    int64_t diffs;     /* diff messages seen */
    int64_t applied;   /* diffs applied to the book */
    int64_t levels;    /* levels set by applied diffs */
    int64_t stale;     /* dropped because u <= book id */
    int64_t buffered;  /* buffered while waiting for a snapshot */
    int64_t gaps;      /* U > id + 1 while live (or the first diff after a snapshot) */
    int64_t snapshots;
    int64_t old_snapshots; /* of those, ignored: no newer than the live book */
} sync_stats_t;

typedef struct book_sync {
    book_t *book;
    sync_state_t state;
    sync_stats_t st;
    /* buffered diffs: headers and their levels, grown while waiting (start-up only) */
    struct sync_buffered { uint64_t first_id, last_id; int64_t local_ns, exch_ns; int off, nb, na; } *hdr;
    int nhdr, caphdr;
    md_level_t *lv;
    int nlv, caplv;
} book_sync_t;

void sync_init(book_sync_t *s, book_t *b);
void sync_free(book_sync_t *s);
/* Feeds a diff. Returns 1 when it was applied to the book, 0 when buffered or dropped,
 * Q_E_GAP when it revealed a gap (the book is now cleared and waiting). */
int sync_on_diff(book_sync_t *s, const md_event_t *ev);
/* Feeds a snapshot and replays the buffer. Returns the number of buffered diffs applied,
 * or Q_E_GAP when the buffer starts after the snapshot (the snapshot is too old). */
int sync_on_snapshot(book_sync_t *s, const md_event_t *ev);

#endif
