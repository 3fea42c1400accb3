/* test_oms.c: quote diffing (keep / cancel / place / replace), tolerance and age, the risk
 * gate (filters, balance, rate budget, open orders, kill switch), and venue events into
 * order states and the ledger. A fake venue records what the oms sends. */
#include <stdlib.h>
#include <string.h>

#include "oms/oms.h"
#include "testutil.h"

typedef struct fake {
    venue_t base;
    int places, cancels, replaces;
    uint64_t last_place, last_cancel;
} fake_t;

static int fake_place(venue_t *v, const order_t *o, int64_t now) {
    (void)now;
    fake_t *f = (fake_t *)v;
    f->places++;
    f->last_place = o->id;
    return 0;
}
static int fake_cancel(venue_t *v, const order_t *o, int64_t now) {
    (void)now;
    fake_t *f = (fake_t *)v;
    f->cancels++;
    f->last_cancel = o->id;
    return 0;
}
static int fake_replace(venue_t *v, const order_t *old, const order_t *o, int64_t now) {
    (void)now;
    (void)old;
    fake_t *f = (fake_t *)v;
    f->replaces++;
    f->last_place = o->id;
    return 0;
}
static const venue_vt_t fake_vt = {"fake", fake_place, fake_cancel, fake_replace};
static const venue_vt_t fake_vt_plain = {"fake-plain", fake_place, fake_cancel, 0};

static symbol_rules_t rules;
static fake_t fv;
static oms_t oms;

#define S 1000000000LL

static void setup(int64_t tolerance, int64_t max_age, int rate) {
    tu_btcusdt(&rules);
    memset(&fv, 0, sizeof fv);
    fv.base.vt = &fake_vt;
    oms_init(&oms, &fv.base, &rules, OT_LIMIT_MAKER, tolerance, max_age, 20, rate);
    /* 1 BTC and 100000 USDT */
    ledger_init(&oms.ledger, &rules, 100000000, (__int128)100000 * 10000000000LL, 0.001, 0.002);
    ledger_start(&oms.ledger, 60000);
}

static quote_set_t quotes(int64_t bid, int64_t ask, int64_t qty) {
    quote_set_t q;
    memset(&q, 0, sizeof q);
    q.nbids = q.nasks = 2;
    q.bids[0] = (quote_t){bid, qty};
    q.bids[1] = (quote_t){bid - 100, qty};
    q.asks[0] = (quote_t){ask, qty};
    q.asks[1] = (quote_t){ask + 100, qty};
    return q;
}

static void ev(venue_event_type_t type, uint64_t id, int64_t price, int64_t qty) {
    venue_event_t e;
    memset(&e, 0, sizeof e);
    e.type = type;
    e.order_id = id;
    e.price = price;
    e.qty = qty;
    e.maker = 1;
    oms_on_venue(&oms, &e);
}

static void ack_all(void) {
    for (int i = 0; i < oms.nlive; i++) {
        order_t *o = &oms.orders[oms.live[i]];
        if (o->state == ORD_PENDING_NEW) ev(VEV_ACK, o->id, 0, 0);
    }
}

/* with a venue that can cancel-replace (plain = 0) or one that cannot (plain = 1) */
static void diff_tolerance_age(int plain) {
    setup(5, 30 * S, 0);
    if (plain) fv.base.vt = &fake_vt_plain;
    quote_set_t q = quotes(6000000, 6000100, 100000); /* 60000.00 / 60001.00, 0.001 BTC */
    oms_update(&oms, &q, 0);
    assert_int_equal(fv.places, 4);
    assert_int_equal(oms_open_count(&oms), 4);
    /* before the acks: nothing to replace yet, the same quotes are kept */
    oms_update(&oms, &q, 0);
    assert_int_equal(fv.places, 4);
    ack_all();
    /* the same quotes: nothing to do */
    oms_update(&oms, &q, 1 * S);
    assert_int_equal(fv.places + fv.replaces + fv.cancels, 4);
    /* within tolerance (5 ticks): kept */
    q = quotes(6000004, 6000096, 100000);
    oms_update(&oms, &q, 2 * S);
    assert_int_equal(fv.places + fv.replaces + fv.cancels, 4);
    /* beyond: every order is replaced, in one request each when the venue can */
    q = quotes(6000010, 6000110, 100000);
    oms_update(&oms, &q, 3 * S);
    assert_int_equal(oms.st.replaced, plain ? 0 : 4);
    assert_int_equal(fv.replaces, plain ? 0 : 4);
    assert_int_equal(fv.cancels, plain ? 4 : 0);
    assert_int_equal(fv.places, plain ? 8 : 4);
    assert_int_equal(oms.st.cancels_sent, 4);
    /* the old orders wait in PENDING_CANCEL until the venue confirms */
    int pending = 0;
    for (int i = 0; i < oms.nlive; i++) pending += oms.orders[oms.live[i]].state == ORD_PENDING_CANCEL;
    assert_int_equal(pending, 4);
    for (uint64_t id = 1; id <= 4; id++) ev(VEV_CANCELED, id, 0, 0);
    assert_int_equal(oms_open_count(&oms), 4);
    ack_all();
    /* a size change is a different quote */
    q = quotes(6000010, 6000110, 200000);
    oms_update(&oms, &q, 4 * S);
    assert_int_equal(oms.st.sent, 12);
    for (uint64_t id = 5; id <= 8; id++) ev(VEV_CANCELED, id, 0, 0);
    ack_all();
    /* age: orders sent at 4 s are replaced at 34 s even at the same price */
    oms_update(&oms, &q, 33 * S);
    assert_int_equal(oms.st.sent, 12);
    oms_update(&oms, &q, 34 * S);
    assert_int_equal(oms.st.sent, 16);
    /* no quotes: everything canceled */
    for (uint64_t id = 9; id <= 12; id++) ev(VEV_CANCELED, id, 0, 0);
    ack_all();
    int before = fv.cancels;
    oms_update(&oms, 0, 35 * S);
    assert_int_equal(fv.cancels, before + 4);
    assert_int_equal(oms.st.cancels_sent, 16);
}

static void test_diff_tolerance_age(void **st) {
    (void)st;
    diff_tolerance_age(0);
    diff_tolerance_age(1);
}

static void test_fills_and_ledger(void **st) {
    (void)st;
    setup(0, 0, 0);
    quote_set_t q = quotes(6000000, 6000100, 100000);
    oms_update(&oms, &q, 0);
    ack_all();
    /* bid 1 fills in two parts: fees in BTC (maker 0.1% of 0.001 = 0.000001 = 100 lots) */
    ev(VEV_FILL, 1, 6000000, 40000);
    order_t *o = oms_find(&oms, 1);
    assert_int_equal(o->state, ORD_PARTIALLY_FILLED);
    ev(VEV_FILL, 1, 6000000, 60000);
    assert_int_equal(o->state, ORD_FILLED);
    assert_int_equal(oms_open_count(&oms), 3);
    assert_int_equal(oms.ledger.fee_base, 40 + 60);
    assert_int_equal(oms.ledger.base, 100000000 + 100000 - 100);
    /* the ask fills: fee in USDT, 0.1% of 60.001 = 0.060001 USDT */
    ev(VEV_FILL, 3, 6000100, 100000);
    assert_true(oms.ledger.fee_quote == (__int128)600010000);
    assert_int_equal(ledger_inventory(&oms.ledger), -100);
    /* average cost over the whole balance (1 BTC costed at the 60000 start mark, plus the buy,
       whose base fee raised the average): (60000 + 60) / 1.000999 */
    double avg = 60060.0 / 1.000999;
    double want = 0.001 * (60001.0 - avg) - 0.060001;
    assert_true(oms.ledger.realized > want - 1e-9 && oms.ledger.realized < want + 1e-9);
    /* events for orders we do not know are counted, not applied */
    ev(VEV_FILL, 999, 1, 1);
    assert_int_equal(oms.st.unknown_order_events, 1);
    /* a fill on a terminal order is a state error */
    ev(VEV_FILL, 1, 6000000, 1);
    assert_int_equal(oms.st.state_errors, 1);
    /* a cancel that loses the race to a fill */
    oms_update(&oms, 0, 1 * S);
    ev(VEV_FILL, 2, 5999900, 100000);
    ev(VEV_CANCEL_REJECT, 2, 0, 0);
    assert_int_equal(oms_find(&oms, 2)->state, ORD_FILLED);
    assert_int_equal(oms.st.cancel_rejects, 1);
}

static void test_risk_gate(void **st) {
    (void)st;
    /* rate: 3 new orders per 10 s */
    setup(0, 0, 3);
    quote_set_t q = quotes(6000000, 6000100, 100000);
    oms_update(&oms, &q, 0);
    assert_int_equal(fv.places, 3);
    assert_int_equal(oms.risk.rejects[RISK_RATE], 1);
    oms_update(&oms, &q, 9 * S);
    assert_int_equal(fv.places, 3);
    oms_update(&oms, &q, 10 * S);
    assert_int_equal(fv.places, 4);
    /* balance: asks need base, bids need quote */
    setup(0, 0, 0);
    oms.ledger.base = 150000; /* 0.0015 BTC: one 0.001 ask fits, not two */
    oms_update(&oms, &q, 0);
    assert_int_equal(fv.places, 3);
    assert_int_equal(oms.risk.rejects[RISK_BALANCE], 1);
    /* filters: below min notional (5 USDT) */
    setup(0, 0, 0);
    q = quotes(6000000, 6000100, 1000); /* 0.00001 BTC = 0.6 USDT */
    oms_update(&oms, &q, 0);
    assert_int_equal(fv.places, 0);
    assert_int_equal(oms.risk.rejects[RISK_NOTIONAL], 4);
    /* kill switch */
    setup(0, 0, 0);
    risk_kill(&oms.risk, "test");
    q = quotes(6000000, 6000100, 100000);
    oms_update(&oms, &q, 0);
    assert_int_equal(fv.places, 0);
    assert_int_equal(oms.risk.rejects[RISK_KILLED], 4);
    /* open orders */
    setup(0, 0, 0);
    oms.risk.max_open = 3;
    oms_update(&oms, &q, 0);
    assert_int_equal(fv.places, 3);
    assert_int_equal(oms.risk.rejects[RISK_MAX_OPEN], 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff_tolerance_age),
        cmocka_unit_test(test_fills_and_ledger),
        cmocka_unit_test(test_risk_gate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
