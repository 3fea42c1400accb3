/* test_order.c: every state x event of the order state machine, against the table in
 * order.h. */
#include <string.h>

#include "core/err.h"
#include "oms/order.h"
#include "testutil.h"

#define X -1 /* refused */
enum { PN = ORD_PENDING_NEW, NW = ORD_NEW, PF = ORD_PARTIALLY_FILLED, FL = ORD_FILLED, PC = ORD_PENDING_CANCEL,
       CA = ORD_CANCELED, RJ = ORD_REJECTED, EX = ORD_EXPIRED, UK = ORD_UNKNOWN };

/* expected next state for (state, event); fills here are partial (1 of 10 lots, none filled yet
   except in PF where 1 is already filled) */
static const int expect[ORD_NSTATES][OEV_NEVENTS] = {
    /*            ACK REJECT FILL CSENT CANCELED CREJ EXPIRED TIMEOUT */
    [PN] = {      NW, RJ,    PF,  PC,   CA,      X,   EX,     UK},
    [NW] = {      NW, X,     PF,  PC,   CA,      X,   EX,     X},
    [PF] = {      PF, X,     PF,  PC,   CA,      X,   EX,     X},
    [FL] = {      X,  X,     X,   X,    X,       X,   X,      X},
    [PC] = {      PC, RJ,    PC,  X,    CA,      NW,  EX,     UK},
    [CA] = {      X,  X,     X,   X,    X,       X,   X,      X},
    [RJ] = {      X,  X,     X,   X,    X,       X,   X,      X},
    [EX] = {      X,  X,     X,   X,    X,       X,   X,      X},
    [UK] = {      NW, RJ,    PF,  PC,   CA,      X,   EX,     X},
};

static void test_table(void **st) {
    (void)st;
    for (int s = 0; s < ORD_NSTATES; s++)
        for (int e = 0; e < OEV_NEVENTS; e++) {
            order_t o;
            memset(&o, 0, sizeof o);
            o.qty = 10;
            o.state = (order_state_t)s;
            o.filled = s == PF ? 1 : s == FL ? 10 : 0;
            o.before_cancel = ORD_NEW;
            int rc = order_apply(&o, (order_event_t)e, 1);
            if (expect[s][e] == X) {
                if (rc != Q_E_STATE) fail_msg("%s + %s should be refused", order_state_name(s), order_event_name(e));
                assert_int_equal(o.state, s); /* unchanged */
            } else {
                if (rc != 0) fail_msg("%s + %s refused", order_state_name(s), order_event_name(e));
                if ((int)o.state != expect[s][e])
                    fail_msg("%s + %s -> %s, want %s", order_state_name(s), order_event_name(e),
                             order_state_name(o.state), order_state_name(expect[s][e]));
            }
        }
}

static void test_fills_and_races(void **st) {
    (void)st;
    order_t o;
    memset(&o, 0, sizeof o);
    o.qty = 10;
    o.state = ORD_PENDING_NEW;
    assert_int_equal(order_apply(&o, OEV_ACK, 0), 0);
    assert_int_equal(order_apply(&o, OEV_FILL, 4), 0);
    assert_int_equal(o.state, ORD_PARTIALLY_FILLED);
    assert_int_equal(order_apply(&o, OEV_FILL, 7), Q_E_STATE); /* overfill */
    assert_int_equal(order_apply(&o, OEV_FILL, 0), Q_E_STATE);
    /* a cancel races the last fill: the fill wins, the cancel is rejected later */
    assert_int_equal(order_apply(&o, OEV_CANCEL_SENT, 0), 0);
    assert_int_equal(o.state, ORD_PENDING_CANCEL);
    assert_int_equal(order_apply(&o, OEV_FILL, 6), 0);
    assert_int_equal(o.state, ORD_FILLED);
    assert_int_equal(order_apply(&o, OEV_CANCEL_REJECT, 0), Q_E_STATE); /* terminal */
    /* a cancel that fails on a partially filled order goes back to PARTIALLY_FILLED */
    memset(&o, 0, sizeof o);
    o.qty = 10;
    o.state = ORD_NEW;
    order_apply(&o, OEV_FILL, 3);
    order_apply(&o, OEV_CANCEL_SENT, 0);
    assert_int_equal(order_apply(&o, OEV_CANCEL_REJECT, 0), 0);
    assert_int_equal(o.state, ORD_PARTIALLY_FILLED);
    /* cancel before the ack; the ack arrives late; then the cancel confirmation */
    memset(&o, 0, sizeof o);
    o.qty = 10;
    o.state = ORD_PENDING_NEW;
    order_apply(&o, OEV_CANCEL_SENT, 0);
    assert_int_equal(order_apply(&o, OEV_ACK, 0), 0);
    assert_int_equal(o.state, ORD_PENDING_CANCEL);
    assert_int_equal(order_apply(&o, OEV_CANCELED, 0), 0);
    assert_int_equal(o.state, ORD_CANCELED);
    /* a lost reply: unknown, resolved by a later report */
    memset(&o, 0, sizeof o);
    o.qty = 10;
    o.state = ORD_PENDING_NEW;
    assert_int_equal(order_apply(&o, OEV_TIMEOUT, 0), 0);
    assert_int_equal(o.state, ORD_UNKNOWN);
    assert_int_equal(order_apply(&o, OEV_FILL, 10), 0);
    assert_int_equal(o.state, ORD_FILLED);
    /* a partially filled order cannot be "rejected" */
    memset(&o, 0, sizeof o);
    o.qty = 10;
    o.state = ORD_UNKNOWN;
    order_apply(&o, OEV_FILL, 2);
    o.state = ORD_UNKNOWN;
    assert_int_equal(order_apply(&o, OEV_REJECT, 0), Q_E_STATE);
    assert_string_equal(order_state_name(ORD_PARTIALLY_FILLED), "PARTIALLY_FILLED");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_fills_and_races),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
