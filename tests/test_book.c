/* test_book.c: the L2 book against a simple reference model, window edges, far levels,
 * recentring, and the bookTicker merge. */
#include <stdlib.h>
#include <string.h>

#include "book/book.h"
#include "testutil.h"

/* reference: a plain array indexed by price */
#define REF_N 4096
static int64_t ref[2][REF_N];

static int64_t ref_best(int s) {
    if (s == BOOK_BID) {
        for (int p = REF_N - 1; p > 0; p--) if (ref[s][p]) return p;
    } else {
        for (int p = 1; p < REF_N; p++) if (ref[s][p]) return p;
    }
    return 0;
}

static void check_against_ref(const book_t *b) {
    assert_true(book_check(b));
    for (int s = 0; s < 2; s++) {
        assert_int_equal(book_best(b, (book_side_t)s), ref_best(s));
        /* walk the whole side with book_next and compare with the reference order */
        int64_t p = book_best(b, (book_side_t)s), q, n = 0;
        int64_t expect_n = 0;
        for (int k = 1; k < REF_N; k++) expect_n += ref[s][k] != 0;
        if (p) {
            n = 1;
            assert_int_equal(book_qty(b, (book_side_t)s, p), ref[s][p]);
            int64_t prev = p;
            while (book_next(b, (book_side_t)s, prev, &p, &q)) {
                assert_true(s == BOOK_BID ? p < prev : p > prev);
                assert_int_equal(q, ref[s][p]);
                prev = p;
                n++;
            }
        }
        assert_int_equal(n, expect_n);
        assert_int_equal(b->side[s].levels, expect_n);
    }
}

static void test_random_against_reference(void **st) {
    (void)st;
    book_t b;
    /* a 256-tick window over a 4096-tick price range: most levels land in the far arrays,
       and the best moves across the window's edges, forcing recentres */
    assert_int_equal(book_init(&b, 8), 0);
    memset(ref, 0, sizeof ref);
    srand(12345);
    int64_t mid = 2000;
    for (int step = 0; step < 60000; step++) {
        if (step % 1000 == 0) mid += (rand() % 201) - 100;
        if (mid < 200) mid = 200;
        if (mid > REF_N - 200) mid = REF_N - 200;
        int s = rand() & 1;
        int64_t dist = (rand() % 8 == 0) ? rand() % 180 : rand() % 12;
        int64_t p = s == BOOK_BID ? mid - 1 - dist : mid + dist;
        int64_t q = (rand() % 3 == 0) ? 0 : 1 + rand() % 1000;
        book_set(&b, (book_side_t)s, p, q);
        ref[s][p] = q;
        book_maybe_recenter(&b);
        if (step % 5000 == 0) check_against_ref(&b);
    }
    check_against_ref(&b);
    assert_true(b.recenters > 0);
    /* clear leaves nothing */
    book_clear(&b);
    memset(ref, 0, sizeof ref);
    check_against_ref(&b);
    book_free(&b);
}

static void test_edges_and_bbo_merge(void **st) {
    (void)st;
    book_t b;
    assert_int_equal(book_init(&b, 6), 0); /* 64 ticks */
    book_recenter(&b, 1000);
    assert_int_equal(b.base, 968);
    book_set(&b, BOOK_BID, 968, 5);  /* first window tick */
    book_set(&b, BOOK_BID, 1031, 7); /* last window tick */
    book_set(&b, BOOK_BID, 1032, 9); /* just outside: far, and now the best */
    book_set(&b, BOOK_ASK, 1040, 3);
    assert_true(book_check(&b));
    assert_int_equal(book_best(&b, BOOK_BID), 1032);
    int64_t p, q;
    assert_true(book_next(&b, BOOK_BID, 1032, &p, &q));
    assert_int_equal(p, 1031);
    assert_true(book_next(&b, BOOK_BID, 1031, &p, &q));
    assert_int_equal(p, 968);
    assert_false(book_next(&b, BOOK_BID, 968, &p, &q));
    book_set(&b, BOOK_BID, 1032, 0);
    assert_int_equal(book_best(&b, BOOK_BID), 1031);
    book_set(&b, BOOK_BID, 1031, 0);
    assert_int_equal(book_best(&b, BOOK_BID), 968);
    /* bookTicker newer than the book wins the top; older does not */
    b.last_id = 100;
    book_top_t t;
    md_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.type = MD_BBO;
    ev.u.bbo.id = 99;
    ev.u.bbo.bid = 970; ev.u.bbo.bid_qty = 1; ev.u.bbo.ask = 971; ev.u.bbo.ask_qty = 1;
    book_on_bbo(&b, &ev);
    book_top(&b, &t);
    assert_int_equal(t.bid, 968);
    ev.u.bbo.id = 101;
    book_on_bbo(&b, &ev);
    book_top(&b, &t);
    assert_int_equal(t.bid, 970);
    assert_int_equal(t.ask, 971);
    assert_int_equal(t.id, 101);
    ev.u.bbo.id = 50; /* an older bookTicker does not replace a newer one */
    ev.u.bbo.bid = 1;
    book_on_bbo(&b, &ev);
    book_top(&b, &t);
    assert_int_equal(t.bid, 970);
    book_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges_and_bbo_merge),
        cmocka_unit_test(test_random_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
