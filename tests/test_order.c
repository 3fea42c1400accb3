/* test_order.c: every state x event of the order state machine, against the diagram in
 * order.h, and the event orders live trading brings (late, repeated, reordered reports). */
#include <string.h>

#include "core/err.h"
#include "oms/order.h"
#include "testutil.h"

#define X -1 /* refused */
enum { PN = ORD_PENDING_NEW, NW = ORD_NEW, PF = ORD_PARTIALLY_FILLED, FL = ORD_FILLED, PC = ORD_PENDING_CANCEL,
       CA = ORD_CANCELED, RJ = ORD_REJECTED, EX = ORD_EXPIRED, UK = ORD_UNKNOWN };

/* expected next state for (state, event). The order holds 10 lots; PF has 1 filled, FL 10;
   the reports state a cumulative 2 lots (an ACK 0). Acknowledged (the venue told of them): NW, PF, FL,
   PC (see test_unacknowledged_cancel for a PC that was not), CA, EX. */
static const int expect[ORD_NSTATES][OEV_NEVENTS] = {
    /*            ACK REJECT FILL CSENT CANCELED CREJ EXPIRED TIMEOUT GONE NOTFOUND */
    [PN] = {      NW, RJ,    PF,  PC,   CA,      X,   EX,     UK,     UK,  RJ},
    [NW] = {      NW, X,     PF,  PC,   CA,      X,   EX,     X,      UK,  CA},
    [PF] = {      PF, X,     PF,  PC,   CA,      X,   EX,     X,      UK,  CA},
    [FL] = {      FL, X,     FL,  X,    X,       X,   X,      X,      X,   FL},
    [PC] = {      PC, X,     PC,  X,    CA,      NW,  EX,     UK,     UK,  CA},
    [CA] = {      CA, X,     CA,  X,    CA,      X,   X,      X,      X,   CA},
    [RJ] = {      X,  RJ,    X,   X,    X,       X,   X,      X,      X,   RJ},
    [EX] = {      EX, X,     EX,  X,    X,       X,   EX,     X,      X,   EX},
    [UK] = {      NW, RJ,    PF,  PC,   CA,      X,   EX,     UK,     UK,  RJ},
};

static order_t make(order_state_t s) {
    order_t o;
    memset(&o, 0, sizeof o);
    o.qty = 10;
    o.state = s;
    o.filled = (int)s == PF ? 1 : (int)s == FL ? 10 : 0;
    o.acked = !((int)s == PN || (int)s == RJ || (int)s == UK);
    o.before_cancel = ORD_PENDING_NEW;
    return o;
}

static void test_table(void **st) {
    (void)st;
    for (int s = 0; s < ORD_NSTATES; s++)
        for (int e = 0; e < OEV_NEVENTS; e++) {
            order_t o = make((order_state_t)s);
            int64_t filled = o.filled;
            int rc = order_apply(&o, (order_event_t)e, e == OEV_ACK ? 0 : 2);
            if (expect[s][e] == X) {
                if (rc != Q_E_STATE) fail_msg("%s + %s should be refused", order_state_name(s), order_event_name(e));
                assert_int_equal(o.state, s); /* unchanged */
                assert_int_equal(o.filled, filled);
            } else {
                if (rc != 0) fail_msg("%s + %s refused", order_state_name(s), order_event_name(e));
                if ((int)o.state != expect[s][e])
                    fail_msg("%s + %s -> %s, want %s", order_state_name(s), order_event_name(e),
                             order_state_name(o.state), order_state_name(expect[s][e]));
            }
        }
}

/* reports carry cumulative quantities: repeated or reordered ones neither lose nor double */
static void test_cumulative(void **st) {
    (void)st;
    order_t o = make(ORD_PENDING_NEW);
    assert_int_equal(order_apply(&o, OEV_ACK, 0), 0);
    assert_int_equal(order_apply(&o, OEV_FILL, 4), 0);
    assert_int_equal(o.filled, 4);
    assert_int_equal(order_apply(&o, OEV_FILL, 4), 0); /* the same report again */
    assert_int_equal(o.filled, 4);
    assert_int_equal(o.state, ORD_PARTIALLY_FILLED);
    assert_int_equal(order_apply(&o, OEV_FILL, 11), Q_E_STATE); /* more than the order */
    assert_int_equal(order_apply(&o, OEV_FILL, 0), Q_E_STATE);
    assert_int_equal(o.filled, 4);
    /* the last trade is told before the one in between */
    assert_int_equal(order_apply(&o, OEV_FILL, 10), 0);
    assert_int_equal(o.state, ORD_FILLED);
    assert_int_equal(order_apply(&o, OEV_FILL, 7), 0);
    assert_int_equal(o.filled, 10);
    assert_int_equal(o.state, ORD_FILLED);
    /* a duplicate of a partial fill after the order filled was refused whole by the old
       machine (filled + qty > qty); the genuine last fill then never counted */
    o = make(ORD_NEW);
    order_apply(&o, OEV_FILL, 6);
    order_apply(&o, OEV_FILL, 6);
    assert_int_equal(order_apply(&o, OEV_FILL, 10), 0);
    assert_int_equal(o.state, ORD_FILLED);
    /* quantities near INT64_MAX: no overflow, the cap holds */
    o = make(ORD_NEW);
    o.qty = INT64_MAX;
    assert_int_equal(order_apply(&o, OEV_FILL, INT64_MAX - 1), 0);
    assert_int_equal(order_apply(&o, OEV_FILL, INT64_MAX), 0);
    assert_int_equal(o.state, ORD_FILLED);
}

/* a fill told after the cancel (it happened before it): filled rises, the state stays done;
   a fill that completes the order makes it FILLED */
static void test_late_fill(void **st) {
    (void)st;
    order_t o = make(ORD_NEW);
    order_apply(&o, OEV_CANCEL_SENT, 0);
    assert_int_equal(order_apply(&o, OEV_CANCELED, 0), 0);
    assert_int_equal(order_apply(&o, OEV_FILL, 3), 0);
    assert_int_equal(o.state, ORD_CANCELED);
    assert_int_equal(o.filled, 3);
    assert_int_equal(order_apply(&o, OEV_CANCELED, 3), 0); /* repeated */
    o = make(ORD_NEW);
    assert_int_equal(order_apply(&o, OEV_EXPIRED, 0), 0);
    assert_int_equal(order_apply(&o, OEV_FILL, 10), 0);
    assert_int_equal(o.state, ORD_FILLED);
    /* a cancel stating the whole quantity filled: FILLED */
    o = make(ORD_PENDING_CANCEL);
    assert_int_equal(order_apply(&o, OEV_CANCELED, 10), 0);
    assert_int_equal(o.state, ORD_FILLED);
}

/* the review's case: an ACK that came while the cancel was pending was thrown away, so a
   rejected cancel sent an acknowledged order back to PENDING_NEW, where it matched any price
   and no maximum age applied */
static void test_unacknowledged_cancel(void **st) {
    (void)st;
    order_t o = make(ORD_PENDING_NEW);
    order_apply(&o, OEV_CANCEL_SENT, 0);
    assert_int_equal(order_apply(&o, OEV_ACK, 0), 0);
    assert_int_equal(o.state, ORD_PENDING_CANCEL);
    assert_int_equal(order_apply(&o, OEV_CANCEL_REJECT, 0), 0);
    assert_int_equal(o.state, ORD_NEW);
    /* without an ACK it goes back to waiting for one */
    o = make(ORD_PENDING_NEW);
    order_apply(&o, OEV_CANCEL_SENT, 0);
    assert_int_equal(order_apply(&o, OEV_CANCEL_REJECT, 0), 0);
    assert_int_equal(o.state, ORD_PENDING_NEW);
    /* a cancel of an order in UNKNOWN that fails leaves it UNKNOWN */
    o = make(ORD_UNKNOWN);
    order_apply(&o, OEV_CANCEL_SENT, 0);
    assert_int_equal(order_apply(&o, OEV_CANCEL_REJECT, 0), 0);
    assert_int_equal(o.state, ORD_UNKNOWN);
    /* an acknowledged order is never "rejected" */
    o = make(ORD_PENDING_NEW);
    order_apply(&o, OEV_ACK, 0);
    order_apply(&o, OEV_CANCEL_SENT, 0);
    assert_int_equal(order_apply(&o, OEV_REJECT, 0), Q_E_STATE);
    /* a query that finds nothing: never told of -> REJECTED; told of -> CANCELED */
    o = make(ORD_UNKNOWN);
    assert_int_equal(order_apply(&o, OEV_NOT_FOUND, 0), 0);
    assert_int_equal(o.state, ORD_REJECTED);
    o = make(ORD_PENDING_NEW);
    order_apply(&o, OEV_ACK, 0);
    order_apply(&o, OEV_CANCEL_SENT, 0);
    order_apply(&o, OEV_GONE, 0);
    assert_int_equal(o.state, ORD_UNKNOWN);
    assert_int_equal(order_apply(&o, OEV_NOT_FOUND, 0), 0);
    assert_int_equal(o.state, ORD_CANCELED);
    assert_string_equal(order_state_name(ORD_PARTIALLY_FILLED), "PARTIALLY_FILLED");
    assert_string_equal(order_event_name(OEV_NOT_FOUND), "NOT_FOUND");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_cumulative),
        cmocka_unit_test(test_late_fill),
        cmocka_unit_test(test_unacknowledged_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
