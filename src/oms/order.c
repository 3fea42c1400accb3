/* order.c: the order state machine (see order.h for the diagram and rules). */
#include "order.h"

#include "../core/err.h"

int order_is_terminal(order_state_t s) {
    return s == ORD_FILLED || s == ORD_CANCELED || s == ORD_REJECTED || s == ORD_EXPIRED;
}

int order_is_live(order_state_t s) { return !order_is_terminal(s); }

static order_state_t working(const order_t *o) {
    return o->filled > 0 ? ORD_PARTIALLY_FILLED : ORD_NEW;
}

int order_apply(order_t *o, order_event_t ev, int64_t fill_qty) {
    order_state_t s = o->state;
    if (order_is_terminal(s)) return Q_E_STATE;
    switch (ev) {
    case OEV_ACK:
        if (s == ORD_PENDING_NEW || s == ORD_UNKNOWN) o->state = working(o);
        /* a late ACK in PENDING_CANCEL or a working state changes nothing */
        return 0;
    case OEV_REJECT:
        if (s != ORD_PENDING_NEW && s != ORD_UNKNOWN && s != ORD_PENDING_CANCEL) return Q_E_STATE;
        if (o->filled > 0) return Q_E_STATE; /* a filled order was not rejected */
        o->state = ORD_REJECTED;
        return 0;
    case OEV_FILL:
        if (fill_qty <= 0 || o->filled + fill_qty > o->qty) return Q_E_STATE;
        o->filled += fill_qty;
        if (o->filled == o->qty) o->state = ORD_FILLED;
        else if (s != ORD_PENDING_CANCEL) o->state = ORD_PARTIALLY_FILLED;
        return 0;
    case OEV_CANCEL_SENT:
        if (s == ORD_PENDING_CANCEL) return Q_E_STATE;
        o->before_cancel = s == ORD_UNKNOWN ? ORD_UNKNOWN : (s == ORD_PENDING_NEW ? ORD_PENDING_NEW : working(o));
        o->state = ORD_PENDING_CANCEL;
        return 0;
    case OEV_CANCELED:
        o->state = ORD_CANCELED;
        return 0;
    case OEV_CANCEL_REJECT:
        if (s != ORD_PENDING_CANCEL) return Q_E_STATE;
        o->state = o->before_cancel == ORD_PENDING_NEW || o->before_cancel == ORD_UNKNOWN
                       ? o->before_cancel
                       : working(o);
        return 0;
    case OEV_EXPIRED:
        o->state = ORD_EXPIRED;
        return 0;
    case OEV_TIMEOUT:
        if (s != ORD_PENDING_NEW && s != ORD_PENDING_CANCEL) return Q_E_STATE;
        o->state = ORD_UNKNOWN;
        return 0;
    default:
        return Q_E_INVAL;
    }
}

const char *order_state_name(order_state_t s) {
    static const char *const n[] = {"PENDING_NEW", "NEW", "PARTIALLY_FILLED", "FILLED", "PENDING_CANCEL",
                                    "CANCELED", "REJECTED", "EXPIRED", "UNKNOWN"};
    return (unsigned)s < ORD_NSTATES ? n[s] : "?";
}

const char *order_event_name(order_event_t e) {
    static const char *const n[] = {"ACK", "REJECT", "FILL", "CANCEL_SENT", "CANCELED", "CANCEL_REJECT",
                                    "EXPIRED", "TIMEOUT"};
    return (unsigned)e < OEV_NEVENTS ? n[e] : "?";
}
