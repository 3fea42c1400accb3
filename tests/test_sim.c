/* test_sim.c: the simulated venue: queue models, latency, post-only rejects, taker fills
 * walking the book, fills from trades and from the book moving through our price. */
#include <string.h>

#include "venue/sim/sim.h"
#include "testutil.h"

static venue_event_t got[64];
static int ngot;
static void sink(void *ctx, const venue_event_t *ev) {
    (void)ctx;
    if (ngot < 64) got[ngot++] = *ev;
}

static symbol_rules_t rules;
static book_t book;
static sim_t sim;

#define MS 1000000LL

static void setup_market(queue_model_kind_t kind) {
    tu_btcusdt(&rules);
    book_free(&book);
    assert_int_equal(book_init(&book, 12), 0);
    book_recenter(&book, 10000);
    /* bids 99.99 x 5, 99.98 x 3; asks 100.00 x 2, 100.01 x 4 (lots) */
    book_set(&book, BOOK_BID, 9999, 5);
    book_set(&book, BOOK_BID, 9998, 3);
    book_set(&book, BOOK_ASK, 10000, 2);
    book_set(&book, BOOK_ASK, 10001, 4);
    book.last_id = 1;
    queue_model_t qm = {kind, 2};
    sim_init(&sim, &book, &rules, qm, 5 * MS, 7 * MS);
    sim.base.sink = sink;
    ngot = 0;
    rules.min_notional = 0;
    rules.min_qty = 0;
    rules.step_lots = 1;
}

static order_t order(uint64_t id, order_side_t side, order_type_t type, int64_t price, int64_t qty) {
    order_t o;
    memset(&o, 0, sizeof o);
    o.id = id;
    o.side = side;
    o.type = type;
    o.price = price;
    o.qty = qty;
    return o;
}


static md_event_t diff_event(void) {
    md_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.type = MD_DIFF;
    return ev;
}

static void test_latency_and_ack(void **st) {
    (void)st;
    setup_market(QUEUE_CONSERVATIVE);
    order_t o = order(1, SIDE_BUY, OT_LIMIT_MAKER, 9999, 1);
    sim.base.vt->place(&sim.base, &o, 100 * MS);
    sim_advance(&sim, 104 * MS); /* not there yet */
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(ngot, 0);
    sim_advance(&sim, 105 * MS); /* arrives at 105 */
    sim_deliver(&sim, 111 * MS); /* the ack reaches us at 105 + 7 */
    assert_int_equal(ngot, 0);
    sim_deliver(&sim, 112 * MS);
    assert_int_equal(ngot, 1);
    assert_int_equal(got[0].type, VEV_ACK);
    assert_int_equal(got[0].exch_ns, 105 * MS);
    assert_int_equal(got[0].local_ns, 112 * MS);
    assert_int_equal(sim.nresting, 1);
    assert_true(sim.resting[0].q.ahead == 5); /* behind the 5 lots already at 99.99 */
}

static void test_post_only_and_taker(void **st) {
    (void)st;
    setup_market(QUEUE_CONSERVATIVE);
    order_t o = order(1, SIDE_BUY, OT_LIMIT_MAKER, 10000, 1); /* would take the ask */
    sim.base.vt->place(&sim.base, &o, 0);
    /* a LIMIT buy at 100.01 for 5 takes 2 at 100.00 and 3 of the 4 at 100.01 */
    o = order(2, SIDE_BUY, OT_LIMIT, 10001, 5);
    sim.base.vt->place(&sim.base, &o, 0);
    /* a LIMIT buy at 100.01 for 10: takes 6, rests 4 */
    o = order(3, SIDE_BUY, OT_LIMIT, 10001, 10);
    sim.base.vt->place(&sim.base, &o, 0);
    sim_advance(&sim, 5 * MS);
    sim_deliver(&sim, 100 * MS);
    assert_int_equal(got[0].type, VEV_REJECT);
    assert_int_equal(got[0].code, -2010);
    assert_string_equal(got[0].reason, "Order would immediately match and take.");
    assert_int_equal(got[1].type, VEV_ACK);
    assert_int_equal(got[2].type, VEV_FILL);
    assert_int_equal(got[2].price, 10000);
    assert_int_equal(got[2].qty, 2);
    assert_int_equal(got[2].maker, 0);
    assert_int_equal(got[3].price, 10001);
    assert_int_equal(got[3].qty, 3);
    assert_int_equal(got[4].type, VEV_ACK);
    assert_int_equal(got[7 - 2].qty + got[6].qty, 6);
    assert_int_equal(sim.nresting, 1);
    assert_int_equal(sim.resting[0].qty - sim.resting[0].filled, 4);
    assert_int_equal(sim.st.post_only_rejects, 1);
}

static void test_queue_conservative(void **st) {
    (void)st;
    setup_market(QUEUE_CONSERVATIVE);
    order_t o = order(1, SIDE_BUY, OT_LIMIT_MAKER, 9999, 4);
    sim.base.vt->place(&sim.base, &o, 0);
    sim_advance(&sim, 5 * MS);
    /* the level shrinks to 4 (a cancel, assumed from behind us): ahead = min(5, 4) = 4 */
    book_set(&book, BOOK_BID, 9999, 4);
    md_event_t d = diff_event();
    sim_on_market(&sim, &d, 6 * MS);
    assert_true(sim.resting[0].q.ahead == 4);
    /* a buyer lifting asks does not touch our bid */
    md_event_t t = tu_trade(9999, 10, 0);
    sim_on_market(&sim, &t, 7 * MS);
    assert_int_equal(sim.resting[0].filled, 0);
    /* sellers hit 3 at our price: 1 still ahead */
    t = tu_trade(9999, 3, 1);
    sim_on_market(&sim, &t, 8 * MS);
    assert_int_equal(sim.resting[0].filled, 0);
    /* 2 more: 1 for the one ahead, 1 for us (a partial fill) */
    t = tu_trade(9999, 2, 1);
    sim_on_market(&sim, &t, 9 * MS);
    assert_int_equal(sim.resting[0].filled, 1);
    /* a trade through our price fills the rest */
    t = tu_trade(9998, 1, 1);
    sim_on_market(&sim, &t, 10 * MS);
    assert_int_equal(sim.nresting, 0);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(got[1].type, VEV_FILL);
    assert_int_equal(got[1].qty, 1);
    assert_int_equal(got[1].maker, 1);
    assert_int_equal(got[2].qty, 3);
    assert_int_equal(got[2].price, 9999); /* at our price, not the trade's */
}

static void test_queue_probabilistic(void **st) {
    (void)st;
    setup_market(QUEUE_PROBABILISTIC);
    book_set(&book, BOOK_BID, 9999, 100);
    order_t o = order(1, SIDE_BUY, OT_LIMIT_MAKER, 9999, 4);
    sim.base.vt->place(&sim.base, &o, 0);
    sim_advance(&sim, 5 * MS);
    assert_true(sim.resting[0].q.ahead == 100);
    /* more joins behind us: nothing moves */
    book_set(&book, BOOK_BID, 9999, 200);
    md_event_t d = diff_event();
    sim_on_market(&sim, &d, 6 * MS);
    assert_true(sim.resting[0].q.ahead == 100);
    /* 50 canceled: front 100, back 100, equal shares: 25 from ahead */
    book_set(&book, BOOK_BID, 9999, 150);
    sim_on_market(&sim, &d, 7 * MS);
    assert_true(sim.resting[0].q.ahead > 74.99 && sim.resting[0].q.ahead < 75.01);
    /* a shrink explained by a trade is not counted twice */
    md_event_t t = tu_trade(9999, 30, 1);
    sim_on_market(&sim, &t, 8 * MS);
    assert_true(sim.resting[0].q.ahead > 44.99 && sim.resting[0].q.ahead < 45.01);
    book_set(&book, BOOK_BID, 9999, 120);
    sim_on_market(&sim, &d, 9 * MS);
    assert_true(sim.resting[0].q.ahead > 44.99 && sim.resting[0].q.ahead < 45.01);
    /* the conservative model would have kept 75 ahead after the cancel */
    queue_model_t cons = {QUEUE_CONSERVATIVE, 0};
    queue_pos_t q;
    queue_join(&cons, &q, 100);
    queue_on_level(&cons, &q, 200);
    queue_on_level(&cons, &q, 150);
    assert_true(q.ahead == 100);
}

static void test_book_through_and_cancel(void **st) {
    (void)st;
    setup_market(QUEUE_CONSERVATIVE);
    order_t o = order(1, SIDE_SELL, OT_LIMIT_MAKER, 10001, 2);
    sim.base.vt->place(&sim.base, &o, 0);
    order_t o2 = order(2, SIDE_BUY, OT_LIMIT_MAKER, 9998, 2);
    sim.base.vt->place(&sim.base, &o2, 0);
    sim_advance(&sim, 5 * MS);
    /* the bid moves up through our ask (someone bid 100.02): our ask fills as maker */
    book_set(&book, BOOK_BID, 10002, 1);
    book_set(&book, BOOK_ASK, 10000, 0);
    book_set(&book, BOOK_ASK, 10001, 0);
    md_event_t d = diff_event();
    sim_on_market(&sim, &d, 6 * MS);
    assert_int_equal(sim.nresting, 1);
    /* cancel the filled one: rejected as unknown; cancel the other: canceled */
    sim.base.vt->cancel(&sim.base, &o, 6 * MS);
    sim.base.vt->cancel(&sim.base, &o2, 6 * MS);
    sim_advance(&sim, 11 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(got[2].type, VEV_FILL);
    assert_int_equal(got[2].order_id, 1);
    assert_int_equal(got[2].qty, 2);
    assert_int_equal(got[3].type, VEV_CANCEL_REJECT);
    assert_int_equal(got[3].code, -2011);
    assert_int_equal(got[4].type, VEV_CANCELED);
    assert_int_equal(got[4].order_id, 2);
    assert_int_equal(sim.nresting, 0);
}

static void test_filters(void **st) {
    (void)st;
    setup_market(QUEUE_CONSERVATIVE);
    tu_btcusdt(&rules); /* min notional 5 USDT, step 0.00001 */
    order_t o = order(1, SIDE_BUY, OT_LIMIT_MAKER, 9999, 1000); /* 99.99 * 0.00001: below notional */
    sim.base.vt->place(&sim.base, &o, 0);
    o = order(2, SIDE_BUY, OT_LIMIT_MAKER, 9999, 1500); /* not a multiple of the step */
    sim.base.vt->place(&sim.base, &o, 0);
    sim_advance(&sim, 5 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(got[0].code, -1013);
    assert_string_equal(got[0].reason, "Filter failure: NOTIONAL");
    assert_string_equal(got[1].reason, "Filter failure: LOT_SIZE");
}

static void test_cancel_replace(void **st) {
    (void)st;
    setup_market(QUEUE_CONSERVATIVE);
    order_t a = order(1, SIDE_BUY, OT_LIMIT_MAKER, 9998, 2);
    sim.base.vt->place(&sim.base, &a, 0);
    sim_advance(&sim, 5 * MS);
    /* replace the resting order: it is canceled and the new one placed, in one request */
    order_t b = order(2, SIDE_BUY, OT_LIMIT_MAKER, 9999, 2);
    sim.base.vt->replace(&sim.base, &a, &b, 10 * MS);
    sim_advance(&sim, 15 * MS);
    assert_int_equal(sim.nresting, 1);
    assert_int_equal(sim.resting[0].id, 2);
    /* replacing an order that is gone: STOP_ON_FAILURE rejects the new one too (-2022) */
    order_t c = order(3, SIDE_BUY, OT_LIMIT_MAKER, 9997, 2);
    sim.base.vt->replace(&sim.base, &a, &c, 20 * MS);
    sim_advance(&sim, 25 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(got[0].type, VEV_ACK);
    assert_int_equal(got[1].type, VEV_CANCELED);
    assert_int_equal(got[1].order_id, 1);
    assert_int_equal(got[2].type, VEV_ACK);
    assert_int_equal(got[2].order_id, 2);
    assert_int_equal(got[3].type, VEV_CANCEL_REJECT);
    assert_int_equal(got[4].type, VEV_REJECT);
    assert_int_equal(got[4].order_id, 3);
    assert_int_equal(got[4].code, -2022);
    assert_int_equal(sim.nresting, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_latency_and_ack),
        cmocka_unit_test(test_post_only_and_taker),
        cmocka_unit_test(test_queue_conservative),
        cmocka_unit_test(test_queue_probabilistic),
        cmocka_unit_test(test_book_through_and_cancel),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_cancel_replace),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    book_free(&book);
    return rc;
}
