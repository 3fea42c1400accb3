/* order.h: one order and its state machine. The state follows what the venue states
 * (its status and cumulative filled quantity), whatever order its events come in, and
 * the requests we have in flight (each with a deadline).
 *
 *                 ACK               FILL(cum<qty)         FILL(cum=qty)
 *   PENDING_NEW ------> NEW ------------------> PARTIALLY_FILLED -------> FILLED
 *      |  |  \            \ CANCEL_SENT              | CANCEL_SENT          ^
 *      |  |   \ REJECT     v                         v                      | FILL(cum=qty),
 *      |  |    REJECTED   PENDING_CANCEL --CANCELED--> CANCELED             | from any state
 *      |  |                |  |  CANCEL_REJECT: back to NEW/PARTIALLY_FILLED when the venue
 *      |  |                |  |  had acknowledged the order, else to PENDING_NEW (or UNKNOWN)
 *      |  |                |  +- GONE (the venue does not know the order) -> UNKNOWN
 *      |  | TIMEOUT        | TIMEOUT (deadline passed, or an unknown-outcome answer)
 *      |  v                v
 *      |  UNKNOWN  (the order may or may not exist: a query resolves it; its answer is one of
 *      |            ACK, FILL, CANCELED, EXPIRED, or NOT_FOUND: REJECTED when the venue never
 *      |            acknowledged it (presumed: a place still in flight may land after the
 *      |            query, and then its ACK or FILL brings the order back to NEW or
 *      |            PARTIALLY_FILLED: the venue's word wins), CANCELED when it did)
 *      +-- EXPIRED (IOC/FOK remainder, or the venue expired it; from any live state)
 *
 * Rules:
 *  1. FILLED, CANCELED, REJECTED, EXPIRED are terminal. Local events there are refused; a
 *     repeated terminal report, a late ACK and a query's NOT_FOUND are no-ops (stale news);
 *     a late FILL still raises `filled` (a trade that happened before the cancel, told
 *     after it), and one reaching qty makes it FILLED. An ACK of a REJECTED order, which
 *     never was, is refused.
 *  2. `filled` is the highest cumulative quantity the venue has stated, never a sum of
 *     reported fills: a duplicated or reordered report can neither lose nor double it.
 *     A cumulative quantity above qty is refused.
 *  3. Any report from the venue about the order (ack, fill, cancel, expiry) proves it exists
 *     (`acked`): a later CANCEL_REJECT returns it to working, never to PENDING_NEW.
 *  4. A cancel may be sent before the ACK (PENDING_NEW -> PENDING_CANCEL), or for an order
 *     in UNKNOWN (canceling what may exist).
 * order_apply() performs every transition and returns Q_E_STATE for refused ones. */
#ifndef Q_ORDER_H
#define Q_ORDER_H

#include <stdint.h>

/* Binance's newClientOrderId: ^[a-zA-Z0-9-_]{1,36}$ */
#define ORDER_CID_MAX 36

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
    OEV_ACK = 0,        /* the venue states the order is open (cum: its filled quantity) */
    OEV_REJECT,         /* the venue refused the new order */
    OEV_FILL,           /* the venue states a cumulative filled quantity `cum` */
    OEV_CANCEL_SENT,    /* we asked to cancel */
    OEV_CANCELED,       /* the venue canceled it (cum as it stands) */
    OEV_CANCEL_REJECT,  /* the cancel failed and the order stands */
    OEV_EXPIRED,        /* the venue expired it (cum as it stands) */
    OEV_TIMEOUT,        /* a request's deadline passed, or its outcome is unknown */
    OEV_GONE,           /* the cancel failed because the venue does not know the order */
    OEV_NOT_FOUND,      /* a query: the venue has no such order */
    OEV_NEVENTS
} order_event_t;

typedef enum order_side { SIDE_BUY = 0, SIDE_SELL = 1 } order_side_t;
typedef enum order_type { OT_LIMIT = 0, OT_LIMIT_MAKER } order_type_t; /* LIMIT is GTC */

/* the request of ours the order waits on (one at a time) */
typedef enum order_req { OREQ_NONE = 0, OREQ_PLACE, OREQ_CANCEL, OREQ_QUERY } order_req_t;

typedef struct order {
    uint64_t id;               /* this run's sequence number (pool slot = id % pool size) */
    char cid[ORDER_CID_MAX + 1]; /* client order id: this run's prefix and id, or an earlier run's */
    uint64_t venue_id;         /* the venue's order id, once stated */
    order_side_t side;
    order_type_t type;
    int64_t price, qty;        /* ticks, lots */
    int64_t filled;            /* lots: the venue's cumulative filled quantity (highest stated) */
    __int128 filled_quote;     /* tick*lot units, stated with `filled` */
    int64_t booked;            /* lots of this order's trades booked to the ledger */
    order_state_t state;
    order_state_t before_cancel; /* PENDING_NEW or UNKNOWN: where an unacknowledged order returns */
    int acked;                 /* the venue has stated the order exists */
    int earlier;               /* an earlier run's order, found by a sync */
    int64_t adopted_cum;       /* earlier: what it had filled when adopted (in the balances already) */
    int presumed;              /* REJECTED because a query did not find it, not by the venue's word */
    order_req_t pending;       /* the request in flight */
    int64_t deadline_ns;       /* its answer is due by then */
    int queries;               /* queries sent about it */
    int answered;              /* the query in flight has its status answer (its trades follow) */
    uint32_t sync_seen;        /* the last sync (oms) that listed it open */
    int level;                 /* strategy level it serves (0 = best) */
    int64_t sent_ns, acked_ns, done_ns; /* local times */
    int64_t live_ns, cancel_ns; /* exchange times the venue stated (its events' exch_ns): the order rested or
                                   traded (its ACK); its cancel (or a cancel-replace's) reached the venue (the
                                   CANCELED or cancel reject). 0: not told */
    double fees_quote;         /* fees paid on this order's fills, valued in quote */
    char reason[96];           /* why it was rejected, when it was (a copy: the venue's text lives
                                  only during its event) */
} order_t;

/* cum: the venue's cumulative filled quantity for ACK, FILL, CANCELED, EXPIRED (-1: not
   stated); ignored by the other events */
int order_apply(order_t *o, order_event_t ev, int64_t cum);
/* inline: the quote diff asks these for every live order at every decision */
static inline int order_is_terminal(order_state_t s) {
    return s == ORD_FILLED || s == ORD_CANCELED || s == ORD_REJECTED || s == ORD_EXPIRED;
}
/* live: counts against open orders (not terminal) */
static inline int order_is_live(order_state_t s) { return !order_is_terminal(s); }
/* working: acknowledged and on the book as far as we know */
static inline int order_is_working(order_state_t s) { return s == ORD_NEW || s == ORD_PARTIALLY_FILLED; }
const char *order_state_name(order_state_t s);
const char *order_event_name(order_event_t e);

#endif
