/* test_sim.c: the simulated venue: queue models, latency, post-only rejects, taker fills
 * walking the book, fills from trades and from the book moving through our price; what
 * every event states (ids, status, cum, fees), the account's balances, queries, cancel-all,
 * sync, both replace modes and a full request queue. */
#include <stdio.h>
#include <string.h>

#include "venue/sim/sim.h"
#include "testutil.h"

static venue_event_t got[64];
static int ngot, nall; /* events kept, events seen */
static void sink(void *ctx, const venue_event_t *ev) {
    (void)ctx;
    nall++;
    if (ngot < 64) got[ngot++] = *ev;
}

static symbol_rules_t rules;
static book_t book;
static sim_t sim;

#define MS 1000000LL
#define MAKER 0.001
#define TAKER 0.002
#define BASE0 100000000LL                         /* 1 BTC in lots */
#define QUOTE0 ((__int128)100000 * 10000000000LL) /* 100000 USDT in tick*lot units */

static void setup_fees(queue_model_kind_t kind, double maker, double taker) {
    tu_btcusdt(&rules);
    snprintf(rules.base, sizeof rules.base, "BTC");
    snprintf(rules.quote, sizeof rules.quote, "USDT");
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
    sim_free(&sim);
    assert_int_equal(sim_init(&sim, &book, &rules, qm, 5 * MS, 7 * MS, maker, taker, BASE0, QUOTE0), 0);
    sim.base.sink = sink;
    ngot = nall = 0;
    rules.min_notional = 0;
    rules.min_qty = 0;
    rules.step_lots = 1;
}

static void setup_market(queue_model_kind_t kind) { setup_fees(kind, MAKER, TAKER); }

static order_t order(uint64_t id, order_side_t side, order_type_t type, int64_t price, int64_t qty) {
    order_t o;
    memset(&o, 0, sizeof o);
    o.id = id;
    snprintf(o.cid, sizeof o.cid, "c%llu", (unsigned long long)id);
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
    /* a LIMIT buy at 100.01 for 10: the recording cannot react, but order 2 took 2 at
       100.00 and 3 of the 4 at 100.01: only the last lot is left to take; 9 rest */
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
    assert_int_equal(got[2].by, VFILL_TAKER);
    assert_int_equal(got[2].source_id, 0);
    assert_int_equal(got[4].type, VEV_ACK);
    assert_int_equal(got[5].type, VEV_FILL);
    assert_int_equal(got[5].price, 10001);
    assert_int_equal(got[5].qty, 1);
    assert_int_equal(got[5].by, VFILL_TAKER);
    assert_int_equal(got[5].exch_ns, 5 * MS); /* its arrival */
    assert_int_equal(ngot, 6);
    assert_int_equal(sim.nresting, 1);
    assert_int_equal(sim.resting[0].qty - sim.resting[0].filled, 9);
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
    /* a trade through our price fills at most its own quantity: 1 of the 3 left */
    t = tu_trade(9998, 1, 1);
    t.u.trade.id = 77;
    sim_on_market(&sim, &t, 10 * MS);
    assert_int_equal(sim.resting[0].filled, 2);
    /* a larger one fills the rest */
    t = tu_trade(9998, 5, 1);
    t.u.trade.id = 78;
    sim_on_market(&sim, &t, 11 * MS);
    assert_int_equal(sim.nresting, 0);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(got[1].type, VEV_FILL);
    assert_int_equal(got[1].qty, 1);
    assert_int_equal(got[1].maker, 1);
    assert_int_equal(got[1].by, VFILL_TRADE);
    assert_int_equal(got[1].exch_ns, 9 * MS);
    assert_int_equal(got[2].qty, 1);
    assert_int_equal(got[2].price, 9999); /* at our price, not the trade's */
    assert_int_equal(got[2].source_id, 77);
    assert_int_equal(got[2].exch_ns, 10 * MS);
    assert_int_equal(got[3].qty, 2);
    assert_int_equal(got[3].source_id, 78);
    assert_int_equal(got[3].status, VST_FILLED);
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
    /* the bid moves up through our ask (someone bid 100.02 for 1 lot): our ask fills as
       maker, but only the lot that crossed; the other rests */
    book_set(&book, BOOK_BID, 10002, 1);
    book_set(&book, BOOK_ASK, 10000, 0);
    book_set(&book, BOOK_ASK, 10001, 0);
    md_event_t d = diff_event();
    d.u.diff.last_id = 41;
    sim_on_market(&sim, &d, 6 * MS);
    assert_int_equal(sim.nresting, 2);
    /* the recording cannot react: the same lot, still shown, fills nothing again */
    d.u.diff.last_id = 42;
    sim_on_market(&sim, &d, 6 * MS);
    assert_int_equal(sim.st.cross_fills, 1);
    /* the level grows to 3: 2 new lots, of which our ask wants 1 */
    book_set(&book, BOOK_BID, 10002, 3);
    d.u.diff.last_id = 43;
    sim_on_market(&sim, &d, 6 * MS);
    assert_int_equal(sim.nresting, 1);
    /* cancel the filled one: rejected as unknown; cancel the other: canceled */
    sim.base.vt->cancel(&sim.base, &o, 6 * MS);
    sim.base.vt->cancel(&sim.base, &o2, 6 * MS);
    sim_advance(&sim, 11 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(got[2].type, VEV_FILL);
    assert_int_equal(got[2].order_id, 1);
    assert_int_equal(got[2].qty, 1);
    assert_int_equal(got[2].price, 10001); /* at our price */
    assert_int_equal(got[2].by, VFILL_CROSS);
    assert_int_equal(got[2].source_id, 41);
    assert_int_equal(got[2].status, VST_PARTIALLY_FILLED);
    assert_int_equal(got[3].type, VEV_FILL);
    assert_int_equal(got[3].qty, 1);
    assert_int_equal(got[3].source_id, 43);
    assert_int_equal(got[3].status, VST_FILLED);
    assert_int_equal(got[4].type, VEV_CANCEL_REJECT);
    assert_int_equal(got[4].code, -2011);
    assert_int_equal(got[5].type, VEV_CANCELED);
    assert_int_equal(got[5].order_id, 2);
    assert_int_equal(sim.nresting, 0);
}

/* known answer: a print through two of our orders is shared in price-time priority and
   never fills more than its own quantity; at the print's price the queue ahead eats first */
static void test_trade_through_two(void **st) {
    (void)st;
    setup_market(QUEUE_CONSERVATIVE);
    /* placed in this order: c at 99.98 (3 lots ahead of it), then a and b at 99.99 */
    order_t c = order(3, SIDE_BUY, OT_LIMIT_MAKER, 9998, 2);
    order_t a = order(1, SIDE_BUY, OT_LIMIT_MAKER, 9999, 3);
    order_t b = order(2, SIDE_BUY, OT_LIMIT_MAKER, 9999, 3);
    sim.base.vt->place(&sim.base, &c, 0);
    sim.base.vt->place(&sim.base, &a, 1 * MS);
    sim.base.vt->place(&sim.base, &b, 2 * MS);
    sim_advance(&sim, 7 * MS);
    /* a seller prints 4 lots at 99.98: a (best price, first) takes 3, b the last 1; c, at
       the print's price behind 3 lots, gets nothing */
    md_event_t t = tu_trade(9998, 4, 1);
    t.u.trade.id = 500;
    sim_on_market(&sim, &t, 10 * MS);
    /* 6 more: b takes its 2; 4 reach 99.98, where the 3 ahead go first and c gets 1 */
    t = tu_trade(9998, 6, 1);
    t.u.trade.id = 501;
    sim_on_market(&sim, &t, 11 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(ngot, 3 + 4);
    const venue_event_t *f = &got[3];
    assert_int_equal(f->type, VEV_FILL);
    assert_string_equal(f->cid, "c1");
    assert_int_equal(f->qty, 3);
    assert_int_equal(f->price, 9999);
    assert_int_equal(f->by, VFILL_TRADE);
    assert_int_equal(f->source_id, 500);
    assert_int_equal(f->exch_ns, 10 * MS);
    f = &got[4];
    assert_string_equal(f->cid, "c2");
    assert_int_equal(f->qty, 1);
    assert_int_equal(f->source_id, 500);
    f = &got[5];
    assert_string_equal(f->cid, "c2");
    assert_int_equal(f->qty, 2);
    assert_int_equal(f->source_id, 501);
    f = &got[6];
    assert_string_equal(f->cid, "c3");
    assert_int_equal(f->qty, 1);
    assert_int_equal(f->price, 9998);
    assert_int_equal(f->source_id, 501);
    assert_int_equal(f->status, VST_PARTIALLY_FILLED);
    assert_int_equal(sim.nresting, 1);
    assert_true(sim.resting[0].q.ahead == 0); /* c rests at the front for its last lot */
    assert_int_equal(sim.st.through_fills, 3);
    assert_int_equal(sim.st.queue_fills, 1);
}

/* known answer: a stale print (its trade time before our order reached the venue, handed
   to the sim late, as the backtest does with a print read after its time) fills nothing;
   a print at the order's arrival time does (the request is handled first) */
static void test_stale_print(void **st) {
    (void)st;
    setup_market(QUEUE_CONSERVATIVE);
    order_t a = order(1, SIDE_SELL, OT_LIMIT_MAKER, 10001, 2);
    sim.base.vt->place(&sim.base, &a, 100 * MS); /* reaches the venue at 105 */
    sim_advance(&sim, 106 * MS);
    md_event_t t = tu_trade(10005, 5, 0); /* buyers lift through our ask, but at T = 103 */
    sim_on_market(&sim, &t, 103 * MS);
    assert_int_equal(sim.resting[0].filled, 0);
    sim_on_market(&sim, &t, 105 * MS);
    assert_int_equal(sim.nresting, 0);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(got[1].type, VEV_FILL);
    assert_int_equal(got[1].exch_ns, 105 * MS);
    assert_int_equal(sim.st.fills, 1);
}

/* a book cross shared by two of ours in priority, each lot once; sim.cross_fills = 0 turns
   crosses off (trades still fill) */
static void test_cross_shared_and_off(void **st) {
    (void)st;
    for (int on = 1; on >= 0; on--) {
        setup_market(QUEUE_CONSERVATIVE);
        sim.cross_fills = on;
        order_t a = order(1, SIDE_SELL, OT_LIMIT_MAKER, 10003, 3);
        order_t b = order(2, SIDE_SELL, OT_LIMIT_MAKER, 10002, 3);
        sim.base.vt->place(&sim.base, &a, 0);
        sim.base.vt->place(&sim.base, &b, 0);
        sim_advance(&sim, 5 * MS);
        /* bids jump to 100.04 x 2 and 100.03 x 2: 4 lots cross b (better price), 2 of them a */
        book_set(&book, BOOK_BID, 10004, 2);
        book_set(&book, BOOK_BID, 10003, 2);
        book_set(&book, BOOK_ASK, 10000, 0);
        book_set(&book, BOOK_ASK, 10001, 0);
        md_event_t d = diff_event();
        d.u.diff.last_id = 900;
        sim_on_market(&sim, &d, 6 * MS);
        sim_on_market(&sim, &d, 7 * MS); /* told again: nothing new crossed */
        sim_deliver(&sim, 1000 * MS);
        if (!on) {
            assert_int_equal(sim.st.fills, 0);
            assert_int_equal(sim.nresting, 2);
            md_event_t t = tu_trade(10004, 6, 0);
            sim_on_market(&sim, &t, 8 * MS);
            assert_int_equal(sim.nresting, 0);
            break;
        }
        assert_int_equal(ngot, 4);
        assert_string_equal(got[2].cid, "c2");
        assert_int_equal(got[2].qty, 3);
        assert_int_equal(got[2].by, VFILL_CROSS);
        assert_int_equal(got[2].source_id, 900);
        assert_string_equal(got[3].cid, "c1");
        assert_int_equal(got[3].qty, 1);
        assert_int_equal(sim.nresting, 1);
        assert_int_equal(sim.resting[0].filled, 1);
    }
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
    sim.base.vt->replace(&sim.base, &a, &b, VREPLACE_STOP_ON_FAILURE, 10 * MS);
    sim_advance(&sim, 15 * MS);
    assert_int_equal(sim.nresting, 1);
    assert_int_equal(sim.resting[0].id, 2);
    /* replacing an order that is gone: STOP_ON_FAILURE rejects the new one too (-2022) */
    order_t c = order(3, SIDE_BUY, OT_LIMIT_MAKER, 9997, 2);
    sim.base.vt->replace(&sim.base, &a, &c, VREPLACE_STOP_ON_FAILURE, 20 * MS);
    sim_advance(&sim, 25 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(got[0].type, VEV_ACK);
    assert_int_equal(got[1].type, VEV_CANCELED);
    assert_int_equal(got[1].order_id, 1);
    assert_int_equal(got[2].type, VEV_ACK);
    assert_int_equal(got[2].order_id, 2);
    assert_int_equal(got[1].req, VREQ_REPLACE);
    assert_string_equal(got[1].cid, "c1");
    assert_int_equal(got[1].status, VST_CANCELED);
    assert_int_equal(got[2].req, VREQ_REPLACE);
    assert_string_equal(got[2].cid, "c2");
    assert_int_equal(got[3].type, VEV_CANCEL_REJECT);
    assert_int_equal(got[3].code, VENUE_CODE_UNKNOWN_ORDER);
    assert_int_equal(got[3].req, VREQ_REPLACE);
    assert_string_equal(got[3].cid, "c1");
    assert_int_equal(got[4].type, VEV_REJECT);
    assert_int_equal(got[4].order_id, 3);
    assert_string_equal(got[4].cid, "c3");
    assert_int_equal(got[4].code, VENUE_CODE_REPLACE_FAILED);
    assert_int_equal(got[4].req, VREQ_REPLACE);
    assert_int_equal(got[4].status, VST_REJECTED);
    assert_int_equal(ngot, 5);
    assert_int_equal(sim.nresting, 1);
    assert_int_equal(sim.st.replaces, 2);
    assert_int_equal(sim.st.cancel_rejects, 1);
}

/* ALLOW_FAILURE: the new order goes in whatever the cancel did */
static void test_replace_allow_failure(void **st) {
    (void)st;
    setup_market(QUEUE_CONSERVATIVE);
    order_t a = order(1, SIDE_SELL, OT_LIMIT_MAKER, 10002, 3);
    sim.base.vt->place(&sim.base, &a, 0);
    sim_advance(&sim, 5 * MS);
    order_t b = order(2, SIDE_SELL, OT_LIMIT_MAKER, 10003, 3);
    assert_int_equal(sim.base.vt->replace(&sim.base, &a, &b, VREPLACE_ALLOW_FAILURE, 10 * MS), VENUE_SENT);
    sim_advance(&sim, 15 * MS);
    /* a is gone now: the cancel fails, c is placed all the same */
    order_t c = order(3, SIDE_SELL, OT_LIMIT_MAKER, 10004, 2);
    assert_int_equal(sim.base.vt->replace(&sim.base, &a, &c, VREPLACE_ALLOW_FAILURE, 20 * MS), VENUE_SENT);
    sim_advance(&sim, 25 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(ngot, 5);
    assert_int_equal(got[0].type, VEV_ACK);
    assert_int_equal(got[0].req, VREQ_PLACE);
    assert_int_equal(got[1].type, VEV_CANCELED);
    assert_int_equal(got[1].order_id, 1);
    assert_int_equal(got[2].type, VEV_ACK);
    assert_int_equal(got[2].order_id, 2);
    assert_int_equal(got[3].type, VEV_CANCEL_REJECT);
    assert_int_equal(got[3].code, VENUE_CODE_UNKNOWN_ORDER);
    assert_int_equal(got[3].req, VREQ_REPLACE);
    assert_string_equal(got[3].cid, "c1");
    assert_int_equal(got[4].type, VEV_ACK);
    assert_int_equal(got[4].order_id, 3);
    assert_string_equal(got[4].cid, "c3");
    assert_int_equal(got[4].req, VREQ_REPLACE);
    assert_int_equal(got[4].exch_ns, 25 * MS);
    assert_int_equal(got[4].local_ns, 32 * MS);
    assert_int_equal(sim.nresting, 2); /* b and c */
    assert_int_equal(sim.resting[0].id, 2);
    assert_int_equal(sim.resting[1].id, 3);
}

/* every event about an order: cid, order id, side, status and cum after it; trade ids
   unique and increasing across orders */
static void test_ids_status_cum(void **st) {
    (void)st;
    setup_market(QUEUE_CONSERVATIVE);
    /* a LIMIT buy at 100.01 for 10: takes 2 at 100.00 and 4 at 100.01, rests 4 */
    order_t a = order(7, SIDE_BUY, OT_LIMIT, 10001, 10);
    assert_int_equal(sim.base.vt->place(&sim.base, &a, 0), VENUE_SENT);
    /* a sell resting at 100.02 */
    order_t b = order(8, SIDE_SELL, OT_LIMIT_MAKER, 10002, 3);
    sim.base.vt->place(&sim.base, &b, 0);
    sim_advance(&sim, 5 * MS);
    /* sellers trade 4 lots through our bid: the rest of a fills at 100.01 */
    md_event_t t = tu_trade(10000, 4, 1);
    sim_on_market(&sim, &t, 6 * MS);
    /* buyers trade 3 lots through our ask: b fills */
    t = tu_trade(10003, 3, 0);
    sim_on_market(&sim, &t, 7 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(ngot, 6);
    /* a's ACK: NEW, nothing filled yet, although it took liquidity at once */
    assert_int_equal(got[0].type, VEV_ACK);
    assert_string_equal(got[0].cid, "c7");
    assert_int_equal(got[0].order_id, 1);
    assert_int_equal(got[0].side, SIDE_BUY);
    assert_int_equal(got[0].status, VST_NEW);
    assert_int_equal(got[0].cum_qty, 0);
    assert_true(got[0].cum_quote == 0);
    assert_int_equal(got[0].code, 0);
    /* its two taker fills */
    assert_int_equal(got[1].type, VEV_FILL);
    assert_string_equal(got[1].cid, "c7");
    assert_int_equal(got[1].order_id, 1);
    assert_int_equal(got[1].trade_id, 1);
    assert_int_equal(got[1].price, 10000);
    assert_int_equal(got[1].qty, 2);
    assert_int_equal(got[1].maker, 0);
    assert_int_equal(got[1].status, VST_PARTIALLY_FILLED);
    assert_int_equal(got[1].cum_qty, 2);
    assert_true(got[1].cum_quote == 20000);
    assert_int_equal(got[2].trade_id, 2);
    assert_int_equal(got[2].price, 10001);
    assert_int_equal(got[2].qty, 4);
    assert_int_equal(got[2].status, VST_PARTIALLY_FILLED);
    assert_int_equal(got[2].cum_qty, 6);
    assert_true(got[2].cum_quote == 20000 + 40004);
    /* b's ACK */
    assert_int_equal(got[3].type, VEV_ACK);
    assert_string_equal(got[3].cid, "c8");
    assert_int_equal(got[3].order_id, 2);
    assert_int_equal(got[3].side, SIDE_SELL);
    assert_int_equal(got[3].status, VST_NEW);
    assert_int_equal(got[3].cum_qty, 0);
    /* a's last fill, as maker at its own price */
    assert_int_equal(got[4].type, VEV_FILL);
    assert_int_equal(got[4].order_id, 1);
    assert_int_equal(got[4].trade_id, 3);
    assert_int_equal(got[4].price, 10001);
    assert_int_equal(got[4].qty, 4);
    assert_int_equal(got[4].maker, 1);
    assert_int_equal(got[4].status, VST_FILLED);
    assert_int_equal(got[4].cum_qty, 10);
    assert_true(got[4].cum_quote == 20000 + 40004 + 40004);
    assert_int_equal(got[4].exch_ns, 6 * MS);
    assert_int_equal(got[4].local_ns, 13 * MS);
    /* b's fill */
    assert_int_equal(got[5].type, VEV_FILL);
    assert_string_equal(got[5].cid, "c8");
    assert_int_equal(got[5].order_id, 2);
    assert_int_equal(got[5].side, SIDE_SELL);
    assert_int_equal(got[5].trade_id, 4);
    assert_int_equal(got[5].status, VST_FILLED);
    assert_int_equal(got[5].cum_qty, 3);
    assert_true(got[5].cum_quote == 30006);
    assert_int_equal(sim.ntrades, 4);
    assert_int_equal(sim.nresting, 0);
    /* an order placed with the venue's id keeps it */
    order_t c = order(9, SIDE_BUY, OT_LIMIT_MAKER, 9990, 1);
    c.venue_id = 500;
    sim.base.vt->place(&sim.base, &c, 10 * MS);
    order_t d = order(10, SIDE_BUY, OT_LIMIT_MAKER, 9990, 1);
    sim.base.vt->place(&sim.base, &d, 10 * MS);
    sim_advance(&sim, 15 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(got[6].order_id, 500);
    assert_int_equal(got[7].order_id, 3); /* the sim's own sequence goes on */
}

/* fees exactly as the ledger charged them, stated in the asset's units; the balances */
static void test_fees_and_balances(void **st) {
    (void)st;
    setup_market(QUEUE_CONSERVATIVE);
    book_set(&book, BOOK_ASK, 10000, 20000);
    book_set(&book, BOOK_BID, 9999, 20000);
    /* taker buy 12345 lots at 100.00: 12345 * 0.002 = 24.69 -> 25 lots of BTC */
    order_t o = order(1, SIDE_BUY, OT_LIMIT, 10000, 12345);
    sim.base.vt->place(&sim.base, &o, 0);
    /* taker sell 12345 at 99.99: notional 123437655 * 0.002 = 246875.31 -> 246876 units */
    o = order(2, SIDE_SELL, OT_LIMIT, 9999, 12345);
    sim.base.vt->place(&sim.base, &o, 0);
    /* maker buy at 99.98 and maker sell at 100.01, filled by trades through them */
    o = order(3, SIDE_BUY, OT_LIMIT_MAKER, 9998, 12345);
    sim.base.vt->place(&sim.base, &o, 0);
    o = order(4, SIDE_SELL, OT_LIMIT_MAKER, 10001, 12345);
    sim.base.vt->place(&sim.base, &o, 0);
    sim_advance(&sim, 5 * MS);
    md_event_t t = tu_trade(9997, 12345, 1); /* prints as large as the orders: full fills */
    sim_on_market(&sim, &t, 6 * MS);
    t = tu_trade(10002, 12345, 0);
    sim_on_market(&sim, &t, 7 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(ngot, 8);
    const venue_event_t *f = &got[1];
    assert_int_equal(f->type, VEV_FILL);
    assert_int_equal(f->maker, 0);
    assert_int_equal(f->fee, 25);
    assert_int_equal(f->fee_scale, 8);
    assert_string_equal(f->fee_asset, "BTC");
    f = &got[3];
    assert_int_equal(f->type, VEV_FILL);
    assert_int_equal(f->maker, 0);
    assert_int_equal(f->price, 9999);
    assert_int_equal(f->fee, 246876);
    assert_int_equal(f->fee_scale, 10); /* tick 10^-2 times lot 10^-8 */
    assert_string_equal(f->fee_asset, "USDT");
    /* maker buy: 12.345 -> 13 lots */
    f = &got[6];
    assert_int_equal(f->type, VEV_FILL);
    assert_int_equal(f->maker, 1);
    assert_int_equal(f->side, SIDE_BUY);
    assert_int_equal(f->fee, 13);
    assert_int_equal(f->fee_scale, 8);
    assert_string_equal(f->fee_asset, "BTC");
    /* maker sell: 123462345 * 0.001 = 123462.345 -> 123463 */
    f = &got[7];
    assert_int_equal(f->maker, 1);
    assert_int_equal(f->side, SIDE_SELL);
    assert_int_equal(f->fee, 123463);
    assert_int_equal(f->fee_scale, 10);
    assert_string_equal(f->fee_asset, "USDT");
    /* base: +12345-25 -12345 +12345-13 -12345; quote: -123450000 +123437655-246876
       -123425310 +123462345-123463 */
    assert_int_equal(sim.bal_base, BASE0 - 38);
    assert_true(sim.bal_quote == QUOTE0 - 345649);
    assert_int_equal(sim.fees_base, 38);
    assert_true(sim.fees_quote == 246876 + 123463);
    /* a fee of 0.1 % on 1000 lots is exactly 1: no rounding up from float noise */
    setup_market(QUEUE_CONSERVATIVE);
    o = order(1, SIDE_SELL, OT_LIMIT_MAKER, 10001, 1000);
    sim.base.vt->place(&sim.base, &o, 0);
    sim_advance(&sim, 5 * MS);
    t = tu_trade(10002, 1000, 0);
    sim_on_market(&sim, &t, 6 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(got[1].fee, 10001); /* 10001000 * 0.001 */
    assert_true(sim.bal_quote == QUOTE0 + 10001000 - 10001);
    assert_int_equal(sim.bal_base, BASE0 - 1000);
}

/* a rebate (negative rate) rounds toward zero; a tick of 0.05 scales the quote fee */
static void test_rebate_and_tick_mult(void **st) {
    (void)st;
    setup_fees(QUEUE_CONSERVATIVE, -0.0001, 0.001);
    tu_rules(&rules, "ETHUSDT", "0.05", "0.001");
    snprintf(rules.base, sizeof rules.base, "ETH");
    snprintf(rules.quote, sizeof rules.quote, "USDT");
    rules.step_lots = 1;
    order_t o = order(1, SIDE_SELL, OT_LIMIT_MAKER, 10001, 12345);
    sim.base.vt->place(&sim.base, &o, 0);
    o = order(2, SIDE_BUY, OT_LIMIT_MAKER, 9998, 12345);
    sim.base.vt->place(&sim.base, &o, 0);
    sim_advance(&sim, 5 * MS);
    md_event_t t = tu_trade(10002, 12345, 0); /* prints as large as the orders: full fills */
    sim_on_market(&sim, &t, 6 * MS);
    t = tu_trade(9997, 12345, 1);
    sim_on_market(&sim, &t, 7 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(ngot, 4);
    /* sell: 123462345 * -0.0001 = -12346.2345 -> -12346 units of 0.05 * 10^-8 */
    assert_int_equal(got[2].type, VEV_FILL);
    assert_int_equal(got[2].fee, -12346 * 5);
    assert_int_equal(got[2].fee_scale, 10);
    assert_string_equal(got[2].fee_asset, "USDT");
    /* buy: 12345 * -0.0001 = -1.2345 -> -1 lot */
    assert_int_equal(got[3].fee, -1);
    assert_int_equal(got[3].fee_scale, 8);
    assert_string_equal(got[3].fee_asset, "ETH");
    assert_int_equal(sim.bal_base, BASE0 - 12345 + 12345 + 1);
    assert_true(sim.bal_quote == QUOTE0 + 123462345 + 12346 - (__int128)9998 * 12345);
}

/* a query: the status, then the order's trades as first told */
static void test_query(void **st) {
    (void)st;
    setup_market(QUEUE_CONSERVATIVE);
    order_t a = order(1, SIDE_BUY, OT_LIMIT, 10001, 10); /* takes 6, rests 4: resting */
    sim.base.vt->place(&sim.base, &a, 0);
    order_t b = order(2, SIDE_SELL, OT_LIMIT_MAKER, 10002, 3); /* filled below */
    sim.base.vt->place(&sim.base, &b, 0);
    order_t c = order(3, SIDE_BUY, OT_LIMIT_MAKER, 9990, 1); /* canceled below */
    sim.base.vt->place(&sim.base, &c, 0);
    sim_advance(&sim, 5 * MS);
    md_event_t t = tu_trade(10003, 3, 0); /* 3 lots: b fills */
    sim_on_market(&sim, &t, 6 * MS);
    sim.base.vt->cancel(&sim.base, &c, 10 * MS);
    sim_advance(&sim, 15 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(ngot, 7); /* ACK FILL FILL ACK ACK FILL CANCELED */
    venue_event_t first[7];
    memcpy(first, got, sizeof first);
    ngot = 0;
    /* the resting one by cid, the filled one by venue id only, the canceled one, one never placed */
    order_t qb = order(0, SIDE_SELL, OT_LIMIT, 0, 0);
    qb.cid[0] = 0;
    qb.venue_id = 2;
    order_t nope = order(99, SIDE_BUY, OT_LIMIT, 0, 0);
    assert_int_equal(sim.base.vt->query(&sim.base, &a, 100 * MS), VENUE_SENT);
    sim.base.vt->query(&sim.base, &qb, 100 * MS);
    sim.base.vt->query(&sim.base, &c, 100 * MS);
    sim.base.vt->query(&sim.base, &nope, 100 * MS);
    sim_advance(&sim, 104 * MS); /* not there yet */
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(ngot, 0);
    sim_advance(&sim, 105 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(ngot, 7);
    /* a: PARTIALLY_FILLED 6 of 10, its two trades */
    assert_int_equal(got[0].type, VEV_STATUS);
    assert_int_equal(got[0].req, VREQ_QUERY);
    assert_int_equal(got[0].code, 0);
    assert_string_equal(got[0].cid, "c1");
    assert_int_equal(got[0].order_id, 1);
    assert_int_equal(got[0].status, VST_PARTIALLY_FILLED);
    assert_int_equal(got[0].cum_qty, 6);
    assert_true(got[0].cum_quote == 60004);
    assert_int_equal(got[0].price, 10001);
    assert_int_equal(got[0].qty, 10);
    assert_int_equal(got[0].exch_ns, 105 * MS);
    assert_int_equal(got[0].local_ns, 112 * MS);
    for (int i = 0; i < 2; i++) {
        const venue_event_t *f = &got[1 + i], *o = &first[1 + i];
        assert_int_equal(f->type, VEV_FILL);
        assert_string_equal(f->cid, "c1");
        assert_int_equal(f->trade_id, o->trade_id);
        assert_int_equal(f->price, o->price);
        assert_int_equal(f->qty, o->qty);
        assert_int_equal(f->maker, o->maker);
        assert_int_equal(f->fee, o->fee);
        assert_int_equal(f->fee_scale, o->fee_scale);
        assert_string_equal(f->fee_asset, o->fee_asset);
        assert_int_equal(f->cum_qty, o->cum_qty);
        assert_true(f->cum_quote == o->cum_quote);
        assert_int_equal(f->status, o->status);
        assert_int_equal(f->exch_ns, 5 * MS); /* when it traded */
        assert_int_equal(f->local_ns, 112 * MS); /* told with the status */
    }
    assert_int_equal(got[1].trade_id, 1);
    assert_int_equal(got[2].trade_id, 2);
    /* b: FILLED, one trade */
    assert_int_equal(got[3].type, VEV_STATUS);
    assert_string_equal(got[3].cid, "c2");
    assert_int_equal(got[3].order_id, 2);
    assert_int_equal(got[3].side, SIDE_SELL);
    assert_int_equal(got[3].status, VST_FILLED);
    assert_int_equal(got[3].cum_qty, 3);
    assert_true(got[3].cum_quote == 30006);
    assert_int_equal(got[4].type, VEV_FILL);
    assert_int_equal(got[4].trade_id, 3);
    assert_int_equal(got[4].fee, first[5].fee);
    assert_int_equal(got[4].fee, 31); /* 30006 * 0.001 = 30.006 -> 31 */
    assert_int_equal(got[4].exch_ns, 6 * MS);
    /* c: CANCELED, nothing filled, no trades */
    assert_int_equal(got[5].type, VEV_STATUS);
    assert_string_equal(got[5].cid, "c3");
    assert_int_equal(got[5].order_id, 3);
    assert_int_equal(got[5].status, VST_CANCELED);
    assert_int_equal(got[5].cum_qty, 0);
    /* never placed */
    assert_int_equal(got[6].type, VEV_STATUS);
    assert_string_equal(got[6].cid, "c99");
    assert_int_equal(got[6].code, VENUE_CODE_NO_SUCH_ORDER);
    assert_int_equal(got[6].status, VST_NONE);
    assert_int_equal(sim.st.queries, 4);
}

static void test_cancel_all(void **st) {
    (void)st;
    setup_market(QUEUE_CONSERVATIVE);
    /* nothing resting: no event */
    assert_int_equal(sim.base.vt->cancel_all(&sim.base, 0), VENUE_SENT);
    order_t a = order(1, SIDE_BUY, OT_LIMIT, 10001, 10); /* rests 4 after taking 6 */
    sim.base.vt->place(&sim.base, &a, 0);
    order_t b = order(2, SIDE_SELL, OT_LIMIT_MAKER, 10005, 3);
    sim.base.vt->place(&sim.base, &b, 0);
    order_t c = order(3, SIDE_BUY, OT_LIMIT_MAKER, 9990, 1);
    sim.base.vt->place(&sim.base, &c, 0);
    sim_advance(&sim, 5 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(ngot, 5);
    ngot = 0;
    sim.base.vt->cancel_all(&sim.base, 10 * MS);
    sim_advance(&sim, 15 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(ngot, 3);
    assert_int_equal(sim.nresting, 0);
    uint64_t seen = 0;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(got[i].type, VEV_CANCELED);
        assert_int_equal(got[i].req, VREQ_CANCEL_ALL);
        assert_int_equal(got[i].status, VST_CANCELED);
        assert_int_equal(got[i].exch_ns, 15 * MS);
        seen |= 1u << got[i].order_id;
        if (got[i].order_id == 1) {
            assert_string_equal(got[i].cid, "c1");
            assert_int_equal(got[i].cum_qty, 6);
            assert_true(got[i].cum_quote == 60004);
        } else {
            assert_int_equal(got[i].cum_qty, 0);
        }
    }
    assert_int_equal(seen, 0xe);
    /* then the orders are gone */
    ngot = 0;
    sim.base.vt->cancel(&sim.base, &b, 20 * MS);
    sim_advance(&sim, 25 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(got[0].type, VEV_CANCEL_REJECT);
    assert_int_equal(got[0].req, VREQ_CANCEL);
    assert_int_equal(got[0].code, VENUE_CODE_UNKNOWN_ORDER);
    assert_string_equal(got[0].cid, "c2");
}

static void test_sync(void **st) {
    (void)st;
    setup_market(QUEUE_CONSERVATIVE);
    order_t a = order(1, SIDE_BUY, OT_LIMIT, 10001, 10); /* takes 2 + 4 (1 lot of fee each), rests 4 */
    sim.base.vt->place(&sim.base, &a, 0);
    order_t b = order(2, SIDE_SELL, OT_LIMIT_MAKER, 10003, 7);
    sim.base.vt->place(&sim.base, &b, 0);
    sim_advance(&sim, 5 * MS);
    sim_deliver(&sim, 1000 * MS);
    ngot = 0;
    assert_int_equal(sim.base.vt->sync(&sim.base, 10 * MS), VENUE_SENT);
    sim_advance(&sim, 15 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(ngot, 5);
    assert_int_equal(got[0].type, VEV_OPEN_ORDER);
    assert_string_equal(got[0].cid, "c1");
    assert_int_equal(got[0].order_id, 1);
    assert_int_equal(got[0].side, SIDE_BUY);
    assert_int_equal(got[0].price, 10001);
    assert_int_equal(got[0].qty, 10);
    assert_int_equal(got[0].status, VST_PARTIALLY_FILLED);
    assert_int_equal(got[0].cum_qty, 6);
    assert_true(got[0].cum_quote == 60004);
    assert_int_equal(got[1].type, VEV_OPEN_ORDER);
    assert_string_equal(got[1].cid, "c2");
    assert_int_equal(got[1].order_id, 2);
    assert_int_equal(got[1].side, SIDE_SELL);
    assert_int_equal(got[1].price, 10003);
    assert_int_equal(got[1].qty, 7);
    assert_int_equal(got[1].status, VST_NEW);
    assert_int_equal(got[1].cum_qty, 0);
    /* base: 1 BTC + 2-1 + 4-1 lots, 7 locked by the sell */
    assert_int_equal(got[2].type, VEV_BALANCE);
    assert_string_equal(got[2].asset, "BTC");
    assert_true(got[2].free == BASE0 + 4 - 7);
    assert_true(got[2].locked == 7);
    /* quote: 100000 USDT - 60004 units, 10001 * 4 locked by the buy */
    assert_int_equal(got[3].type, VEV_BALANCE);
    assert_string_equal(got[3].asset, "USDT");
    assert_true(got[3].free == QUOTE0 - 60004 - 40004);
    assert_true(got[3].locked == 40004);
    assert_int_equal(got[4].type, VEV_SYNC_DONE);
    assert_int_equal(got[4].exch_ns, 15 * MS);
    assert_int_equal(got[4].local_ns, 22 * MS);
    assert_int_equal(sim.bal_base, BASE0 + 4);
    assert_true(sim.bal_quote == QUOTE0 - 60004);
}

/* a full request queue: nothing is sent, nothing will be answered */
static void test_queue_full(void **st) {
    (void)st;
    setup_market(QUEUE_CONSERVATIVE);
    order_t o;
    for (int i = 0; i < SIM_MAX_REQUESTS; i++) {
        o = order((uint64_t)i + 1, SIDE_BUY, OT_LIMIT_MAKER, 9000 + i % 900, 1);
        assert_int_equal(sim.base.vt->place(&sim.base, &o, 0), VENUE_SENT);
    }
    order_t x = order(5000, SIDE_BUY, OT_LIMIT_MAKER, 9000, 1);
    assert_int_equal(sim.base.vt->place(&sim.base, &x, 0), VENUE_NOT_SENT);
    assert_int_equal(sim.base.vt->cancel(&sim.base, &o, 0), VENUE_NOT_SENT);
    assert_int_equal(sim.base.vt->replace(&sim.base, &o, &x, VREPLACE_STOP_ON_FAILURE, 0), VENUE_NOT_SENT);
    assert_int_equal(sim.base.vt->query(&sim.base, &o, 0), VENUE_NOT_SENT);
    assert_int_equal(sim.base.vt->cancel_all(&sim.base, 0), VENUE_NOT_SENT);
    assert_int_equal(sim.base.vt->sync(&sim.base, 0), VENUE_NOT_SENT);
    sim_advance(&sim, 5 * MS);
    sim_deliver(&sim, 1000 * MS);
    assert_int_equal(nall, SIM_MAX_REQUESTS);
    assert_int_equal(sim.nresting, SIM_MAX_RESTING);
    /* the orders refused were never numbered */
    assert_int_equal(sim.next_order_id, SIM_MAX_REQUESTS);
    /* room again once the queue drained */
    assert_int_equal(sim.base.vt->sync(&sim.base, 10 * MS), VENUE_SENT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_latency_and_ack),
        cmocka_unit_test(test_post_only_and_taker),
        cmocka_unit_test(test_queue_conservative),
        cmocka_unit_test(test_queue_probabilistic),
        cmocka_unit_test(test_book_through_and_cancel),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_trade_through_two),
        cmocka_unit_test(test_stale_print),
        cmocka_unit_test(test_cross_shared_and_off),
        cmocka_unit_test(test_cancel_replace),
        cmocka_unit_test(test_replace_allow_failure),
        cmocka_unit_test(test_ids_status_cum),
        cmocka_unit_test(test_fees_and_balances),
        cmocka_unit_test(test_rebate_and_tick_mult),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_cancel_all),
        cmocka_unit_test(test_sync),
        cmocka_unit_test(test_queue_full),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    sim_free(&sim);
    book_free(&book);
    return rc;
}
