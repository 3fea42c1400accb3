/* order.h: one order and its state machine.
 *
 *                 ACK               FILL(part)            FILL(rest)
 *   PENDING_NEW ------> NEW ------------------> PARTIALLY_FILLED -------> FILLED
 *      |  |  \            \ CANCEL_SENT              | CANCEL_SENT
 *      |  |   \ REJECT     v                         v
 *      |  |    REJECTED   PENDING_CANCEL --CANCELED--> CANCELED
 *      |  | TIMEOUT            | CANCEL_REJECT: back to NEW or PARTIALLY_FILLED
 *      |  v                    | TIMEOUT -> UNKNOWN
 *      |  UNKNOWN  (a reply was lost: the order may or may not exist; any later
 *      |            report from the venue resolves it)
 *      +-- EXPIRED (IOC/FOK remainder, or the venue expired it; from any live state)
 *
 * Rules:
 *  1. FILLED, CANCELED, REJECTED, EXPIRED are terminal: every event there is refused.
 *  2. A fill may arrive in any live state, even before the ACK or after a cancel was
 *     sent (the cancel raced the fill); filled never exceeds qty.
 *  3. A cancel may be sent before the ACK (PENDING_NEW -> PENDING_CANCEL).
 * order_apply() performs every transition and returns Q_E_STATE for refused ones. */
#ifndef Q_ORDER_H
#define Q_ORDER_H

#include <stdint.h>

typedef enum order_state {
    ORD_PENDING_NEW = 0,
    ORD_NEW,
    ORD_PARTIALLY_FILLED,
    ORD_FILLED,
    ORD_PENDING_CANCEL,
    ORD_CANCELED,
    ORD_REJECTED,
    ORD_EXPIRED,
    ORD_UNKNOWN,
    ORD_NSTATES
} order_state_t;

typedef enum order_event {
    OEV_ACK = 0,        /* the venue accepted the order */
    OEV_REJECT,         /* the venue refused the new order */
    OEV_FILL,           /* a (partial) fill of `qty` */
    OEV_CANCEL_SENT,    /* we asked to cancel */
    OEV_CANCELED,       /* the venue canceled it */
    OEV_CANCEL_REJECT,  /* the cancel failed (unknown order: it had filled, most likely) */
    OEV_EXPIRED,
    OEV_TIMEOUT,        /* no reply, or an unknown outcome (5xx, -1006, -1007) */
    OEV_NEVENTS
} order_event_t;

typedef enum order_side { SIDE_BUY = 0, SIDE_SELL = 1 } order_side_t;
typedef enum order_type { OT_LIMIT = 0, OT_LIMIT_MAKER } order_type_t; /* LIMIT is GTC */

typedef struct order {
    uint64_t id;               /* client order id number; the wire id is "q<id>" */
    order_side_t side;
    order_type_t type;
    int64_t price, qty;        /* ticks, lots */
    int64_t filled;            /* lots */
    order_state_t state;
    order_state_t before_cancel; /* state to return to on CANCEL_REJECT */
    int level;                 /* strategy level it serves (0 = best) */
    int64_t sent_ns, acked_ns, done_ns; /* local times */
    double fees_quote;         /* fees paid on this order's fills, valued in quote */
    const char *reason;        /* why it was rejected, when it was */
} order_t;

int order_apply(order_t *o, order_event_t ev, int64_t fill_qty);
int order_is_terminal(order_state_t s);
/* live: counts against open orders (not terminal) */
int order_is_live(order_state_t s);
const char *order_state_name(order_state_t s);
const char *order_event_name(order_event_t e);

#endif
