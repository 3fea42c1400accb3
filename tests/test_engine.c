/* test_engine.c: the engine's schedule. The review found that a requote interval of 1e-9 s
 * made the engine loop for seconds after a quiet gap (one step per interval); the next
 * decision is now one computation whatever the gap. */
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "testutil.h"

static void test_next_slot(void **st) {
    (void)st;
    assert_int_equal(engine_next_slot(100, 100, 10), 110);
    assert_int_equal(engine_next_slot(100, 109, 10), 110);
    assert_int_equal(engine_next_slot(100, 110, 10), 120);
    assert_int_equal(engine_next_slot(100, 50, 10), 100); /* not due yet */
    /* a 1 ns interval across a day-long gap, and across most of int64 */
    assert_int_equal(engine_next_slot(1, 86400000000000LL, 1), 86400000000001LL);
    assert_int_equal(engine_next_slot(0, 4000000000000000000LL, 3), 4000000000000000002LL);
}

static int nop_place(venue_t *v, const order_t *o, int64_t now) { (void)v; (void)o; (void)now; return 0; }
static int nop_cancel(venue_t *v, const order_t *o, int64_t now) { (void)v; (void)o; (void)now; return 0; }
static const venue_vt_t nop_vt = {"nop", nop_place, nop_cancel, 0, 0, 0, 0};

/* a whole decision with requote_interval = 1e-9 s after a 1000 s gap: one decision */
static void test_tiny_interval(void **st) {
    (void)st;
    static config_t c;
    static config_exact_t x;
    static engine_t e;
    char err[256];
    config_defaults(&c);
    assert_int_equal(config_set(&c, "strategy.requote_interval=0.000000001", err, sizeof err), 0);
    assert_int_equal(config_resolve(&c, &x, err, sizeof err), 0);
    venue_t v = {&nop_vt, 0, 0};
    assert_int_equal(engine_init(&e, &c, &x, &v, 0, err, sizeof err), 0);
    book_recenter(&e.book, 6000000);
    book_set(&e.book, BOOK_BID, 6000000, 100000);
    book_set(&e.book, BOOK_ASK, 6000100, 100000);
    e.sync.state = SYNC_LIVE;
    assert_true(engine_ready(&e));
    engine_decide(&e, 1000000000LL);
    assert_int_equal(e.decisions, 1);
    engine_decide(&e, 1000000000LL + 1000000000000LL);
    assert_int_equal(e.decisions, 2);
    assert_int_equal(e.next_decision, 1000000000LL + 1000000000000LL + 1);
    engine_free(&e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_slot),
        cmocka_unit_test(test_tiny_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
