/* crosscheck.c: book top vs bookTicker (see crosscheck.h). */
#include "crosscheck.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void xcheck_init(xcheck_t *x) { memset(x, 0, sizeof *x); }

void xcheck_reset(xcheck_t *x) {
    x->ntops = x->nbbos = 0;
    memset(x->tops, 0, sizeof x->tops);
    memset(x->bbos, 0, sizeof x->bbos);
}

static void compare(xcheck_t *x, uint64_t id, const book_top_t *book, const book_top_t *bbo) {
    x->compared++;
    if (book->bid == bbo->bid && book->bid_qty == bbo->bid_qty && book->ask == bbo->ask &&
        book->ask_qty == bbo->ask_qty)
        return;
    x->mismatches++;
    if (x->reported++ < 10)
        fprintf(stderr,
                "quoter: mismatch at update id %" PRIu64 ": book %" PRId64 " x %" PRId64 " / %" PRId64
                " x %" PRId64 ", bookTicker %" PRId64 " x %" PRId64 " / %" PRId64 " x %" PRId64 "\n",
                id, book->bid, book->bid_qty, book->ask, book->ask_qty, bbo->bid, bbo->bid_qty, bbo->ask,
                bbo->ask_qty);
}

void xcheck_after_diff(xcheck_t *x, const book_t *b) {
    xcheck_entry_t *e = &x->tops[x->ntops++ % XCHECK_RING];
    e->id = b->last_id;
    book_top_own(b, &e->top);
    for (int i = 0; i < XCHECK_RING; i++)
        if (x->bbos[i].id == e->id) {
            compare(x, e->id, &e->top, &x->bbos[i].top);
            x->bbos[i].id = 0;
        }
}

void xcheck_on_bbo(xcheck_t *x, const book_t *b, const md_event_t *ev) {
    book_top_t t = {ev->u.bbo.bid, ev->u.bbo.bid_qty, ev->u.bbo.ask, ev->u.bbo.ask_qty, ev->u.bbo.id};
    uint64_t id = ev->u.bbo.id;
    if (id > b->last_id) { /* the diff that ends at this id has not arrived yet */
        xcheck_entry_t *e = &x->bbos[x->nbbos++ % XCHECK_RING];
        e->id = id;
        e->top = t;
        return;
    }
    for (int i = 0; i < XCHECK_RING; i++)
        if (x->tops[i].id == id) {
            compare(x, id, &x->tops[i].top, &t);
            return;
        }
}
