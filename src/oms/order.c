/* order.c: the order state machine (see order.h for the diagram and rules). */
#include "order.h"

#include "../core/err.h"

static order_state_t working(const order_t *o) {
    return o->filled > 0 ? ORD_PARTIALLY_FILLED : ORD_NEW;
}

/* takes the venue's cumulative quantity; Q_E_STATE when it exceeds the order */
static int take_cum(order_t *o, int64_t cum) {
    if (cum < 0) return 0;
    if (cum > o->qty) return Q_E_STATE;
    if (cum > o->filled) o->filled = cum;
    return 0;
}

/* a terminal report (CANCELED, EXPIRED) */
static int finish(order_t *o, order_state_t to, int64_t cum) {
    order_state_t s = o->state;
    if (s == to) return take_cum(o, cum); /* repeated */
    if (order_is_terminal(s)) return Q_E_STATE;
    if (take_cum(o, cum)) return Q_E_STATE;
    o->acked = 1;
    o->state = o->filled == o->qty ? ORD_FILLED : to;
    return 0;
}

int order_apply(order_t *o, order_event_t ev, int64_t cum) {
    /* presumed rejected (a query found nothing) and the venue now tells of the order: the
       place landed after the query; it is what the venue says */
    if (o->state == ORD_REJECTED && o->presumed &&
        (ev == OEV_ACK || ev == OEV_FILL || ev == OEV_CANCELED || ev == OEV_EXPIRED)) {
        o->state = ORD_UNKNOWN;
        o->presumed = 0;
    }
    order_state_t s = o->state;
    if (ev == OEV_FILL) {
        if (s == ORD_REJECTED) return Q_E_STATE; /* a rejected order never traded */
        if (cum <= 0 || take_cum(o, cum)) return Q_E_STATE;
        o->acked = 1;
        if (o->filled == o->qty) o->state = ORD_FILLED;
        else if (s == ORD_PENDING_NEW || s == ORD_UNKNOWN || s == ORD_NEW) o->state = ORD_PARTIALLY_FILLED;
        /* PENDING_CANCEL waits for the cancel's answer; a terminal order stays as it is */
        return 0;
    }
    if (ev == OEV_CANCELED) return finish(o, ORD_CANCELED, cum);
    if (ev == OEV_EXPIRED) return finish(o, ORD_EXPIRED, cum);
    if (order_is_terminal(s)) {
        /* stale reports of a done order change nothing: an ACK told late (not for a
           rejected order: that one never was), the same REJECT again, a query finding a
           done order gone */
        if ((ev == OEV_ACK && s != ORD_REJECTED) || (ev == OEV_REJECT && s == ORD_REJECTED) || ev == OEV_NOT_FOUND)
            return 0;
        return Q_E_STATE;
    }
    switch (ev) {
    case OEV_ACK:
        if (take_cum(o, cum)) return Q_E_STATE;
        o->acked = 1;
        if (o->filled == o->qty) o->state = ORD_FILLED;
        else if (s == ORD_PENDING_NEW || s == ORD_UNKNOWN || s == ORD_NEW) o->state = working(o);
        /* a late ACK in PENDING_CANCEL is remembered (acked) and changes nothing else */
        return 0;
    case OEV_REJECT:
        if (o->acked || o->filled > 0) return Q_E_STATE; /* an order the venue told of was not rejected */
        o->state = ORD_REJECTED;
        return 0;
    case OEV_CANCEL_SENT:
        if (s == ORD_PENDING_CANCEL) return Q_E_STATE;
        o->before_cancel = s == ORD_UNKNOWN ? ORD_UNKNOWN : ORD_PENDING_NEW;
        o->state = ORD_PENDING_CANCEL;
        return 0;
    case OEV_CANCEL_REJECT:
        if (s != ORD_PENDING_CANCEL) return Q_E_STATE;
        o->state = o->acked ? working(o) : o->before_cancel;
        return 0;
    case OEV_TIMEOUT:
        if (s != ORD_PENDING_NEW && s != ORD_PENDING_CANCEL && s != ORD_UNKNOWN) return Q_E_STATE;
        o->state = ORD_UNKNOWN;
        return 0;
    case OEV_GONE:
        o->state = ORD_UNKNOWN;
        return 0;
    case OEV_NOT_FOUND:
        /* never told of and never traded: it never reached the venue; else it is gone */
        if (o->acked || o->filled > 0) {
            o->state = ORD_CANCELED;
        } else {
            o->state = ORD_REJECTED;
            o->presumed = 1;
        }
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
                                    "EXPIRED", "TIMEOUT", "GONE", "NOT_FOUND"};
    return (unsigned)e < OEV_NEVENTS ? n[e] : "?";
}
