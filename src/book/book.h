/* book.h: an L2 order book for one symbol, in integer ticks and steps.
 *
 * Layout: each side keeps a dense window of 2^wbits ticks around the price (a quantity
 * per tick and an occupancy bitmap), so setting a level is an index, and finding the next
 * best level after a delete is a bitmap scan. Levels outside the window (deep levels that
 * diffs still update) live in a small sorted "far" array per side. When the best price
 * drifts near the window's edge the window is re-centred (rare; it moves levels between
 * the window and the far arrays).
 *
 * Invariants (book_check() asserts them):
 *  1. a window tick has qty > 0 exactly when its bitmap bit is set;
 *  2. far arrays are sorted by price, hold qty > 0, and only prices outside the window;
 *  3. best_bid/best_ask_idx are the highest bid / lowest ask bit of the window, or -1.
 * The book does not reject a crossed state: a diff may cross it for a moment. */
#ifndef Q_BOOK_H
#define Q_BOOK_H

#include <stdint.h>

#include "../feed/md.h"

typedef enum book_side_e { BOOK_BID = 0, BOOK_ASK = 1 } book_side_t;

typedef struct book_far {
    md_level_t *lv; /* ascending price */
    int n, cap;
} book_far_t;

typedef struct book_half {
    int64_t *qty;      /* per window tick, steps */
    uint64_t *map;     /* occupancy bitmap */
    int64_t best_idx;  /* window index of the best level, -1 when the window side is empty */
    book_far_t far;
    int64_t levels;    /* number of levels on this side */
} book_half_t;

typedef struct book {
    int64_t base;      /* price (ticks) of window index 0 */
    int wbits;
    int64_t w;         /* window size in ticks, 1 << wbits */
    book_half_t side[2];
    uint64_t last_id;  /* update id of the last snapshot or diff applied */
    int64_t recenters;
    /* latest bookTicker, merged into book_top() when newer than the book (by update id) */
    uint64_t bbo_id;
    int64_t bbo_bid, bbo_bid_qty, bbo_ask, bbo_ask_qty;
} book_t;

typedef struct book_top {
    int64_t bid, bid_qty, ask, ask_qty; /* 0 qty when that side is empty */
    uint64_t id;                        /* update id this top is as of */
} book_top_t;

/* wbits: log2 of the window in ticks (e.g. 17 = 131072 ticks, 1310 USDT on BTCUSDT). */
int book_init(book_t *b, int wbits);
void book_free(book_t *b);
void book_clear(book_t *b);

/* Sets a level (qty 0 deletes). The only write path; O(1) inside the window. */
void book_set(book_t *b, book_side_t s, int64_t price, int64_t qty);
int64_t book_qty(const book_t *b, book_side_t s, int64_t price);
/* Best price of a side, 0 when empty (prices are positive). */
int64_t book_best(const book_t *b, book_side_t s);
/* The next level strictly worse than `price` on side s: returns 1 and fills *p,*q, or 0. */
int book_next(const book_t *b, book_side_t s, int64_t price, int64_t *p, int64_t *q);
/* Best levels of the book itself, ignoring the bookTicker. */
void book_top_own(const book_t *b, book_top_t *t);
/* The top as of the newest information: the bookTicker when its id is newer than the book's. */
void book_top(const book_t *b, book_top_t *t);
void book_on_bbo(book_t *b, const md_event_t *ev);
/* Re-centres the window on `price` when it has drifted near an edge (called after updates). */
void book_maybe_recenter(book_t *b);
void book_recenter(book_t *b, int64_t price);
/* Verifies the invariants above; returns 1 when they hold (for asserts and tests). */
int book_check(const book_t *b);

#endif
