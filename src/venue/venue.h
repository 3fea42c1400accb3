/* venue.h: where orders go. An interface (a const table of functions) with the simulated
 * venue (venue/sim/) and the chaos wrapper (venue/chaos/) implementing it so far; the
 * Binance venue (REST + WebSocket API) implements the same table in the live issue.
 *
 * Requests carry the local time they are sent at; the venue answers later through the
 * sink the engine registered, with events carrying the local time they are received at.
 * A venue never calls the sink from inside a request (no re-entrancy).
 *
 * Lifetimes: a pointer passed to a request (an order_t) is read during the call only; the
 * venue copies what it keeps (the client id included). An event passed to the sink, and
 * every pointer inside it (reason), is valid during the sink call only; copy what you keep.
 *
 * What live trading brings, and every venue must be able to say:
 *  - a request either went out or it did not: VENUE_NOT_SENT means nothing reached the
 *    venue (the order is as it was); VENUE_MAYBE_SENT means it may have (a write failed
 *    half way): its outcome is unknown until a query says;
 *  - a request that went out may never be answered (the oms gives each one a deadline),
 *    or be answered by VEV_UNKNOWN (5xx, -1006, -1007: executed or not, nobody knows);
 *  - events may come twice (a replay after a reconnect) or out of order (the user data
 *    stream and the request's answer race): fills carry the venue's trade id, and every
 *    event about an order carries its status and cumulative quantities as the venue
 *    states them, so the receiver can apply them idempotently;
 *  - the venue holds orders the oms never sent in this run (an earlier run's): a sync
 *    lists the open orders and the balances, at start-up and after a reconnect. */
#ifndef Q_VENUE_H
#define Q_VENUE_H

#include <stdint.h>

#include "../oms/order.h"

/* what a request returns */
enum {
    VENUE_SENT = 0,        /* it went out (or is queued to go): its answer comes as events */
    VENUE_NOT_SENT = -1,   /* nothing reached the venue: no answer will come */
    VENUE_MAYBE_SENT = -2, /* it may have reached the venue: its outcome is unknown */
};

typedef enum venue_event_type {
    VEV_ACK = 0,       /* the new order is on the book (status NEW) */
    VEV_REJECT,        /* the new order was refused: code, reason */
    VEV_FILL,          /* one trade of ours: trade_id, price, qty, maker, fee; status and cum after it */
    VEV_CANCELED,      /* the order was canceled; cum_qty/cum_quote as they stand */
    VEV_CANCEL_REJECT, /* the cancel failed: code VENUE_CODE_UNKNOWN_ORDER when the venue does not
                          know the order (it filled, was canceled, or never was); else it stands */
    VEV_EXPIRED,       /* the venue expired the order; cum as it stands */
    VEV_UNKNOWN,       /* the outcome of request `req` about order `cid` is unknown */
    VEV_STATUS,        /* a query's answer: status and cum; code VENUE_CODE_NO_SUCH_ORDER when the venue
                          has no such order. The order's trades follow as VEV_FILL events. */
    VEV_OPEN_ORDER,    /* a sync: an order open at the venue (price, qty, side, status, cum) */
    VEV_BALANCE,       /* a sync (or an account update): an asset's balance, free + locked */
    VEV_SYNC_DONE,     /* a sync's last event: every open order and balance has been told */
    VEV_RATE_LIMIT,    /* the venue's rate limits: no new order before retry_ns (local; 0: no wait),
                          orders_used of orders_limit new orders in its 10 s window (-1: not told) */
    VEV_TRANSFER,      /* a deposit or withdrawal (Binance's balanceUpdate): `free` holds the signed
                          change of `asset`, in BALANCE's units */
} venue_event_type_t;

typedef enum venue_request {
    VREQ_NONE = 0, VREQ_PLACE, VREQ_CANCEL, VREQ_REPLACE, VREQ_QUERY, VREQ_CANCEL_ALL, VREQ_SYNC
} venue_request_t;

/* an order's status as the venue states it (Binance's X); VST_NONE: not stated */
typedef enum venue_status {
    VST_NONE = 0, VST_NEW, VST_PARTIALLY_FILLED, VST_FILLED, VST_CANCELED, VST_REJECTED, VST_EXPIRED
} venue_status_t;

/* cancelReplace's cancelReplaceMode */
typedef enum venue_replace_mode {
    VREPLACE_STOP_ON_FAILURE = 0, /* the cancel fails: the new order is not attempted */
    VREPLACE_ALLOW_FAILURE        /* the new order is placed whatever the cancel did */
} venue_replace_mode_t;

/* what made a fill, as a simulated venue knows it (the backtest report and fills.csv tell
   the share of each; sim.h says the rules) */
typedef enum venue_fill_by {
    VFILL_UNKNOWN = 0, /* a live venue does not say */
    VFILL_TRADE,       /* a market trade at or through our price (at its trade time T) */
    VFILL_CROSS,       /* the book crossing our price (sim.cross_fills) */
    VFILL_TAKER        /* our own order took resting liquidity on arrival */
} venue_fill_by_t;

/* Binance's codes the oms acts on (errors.md) */
#define VENUE_CODE_UNKNOWN_ORDER -2011   /* CANCEL_REJECTED: "Unknown order sent." */
#define VENUE_CODE_NO_SUCH_ORDER -2013   /* NO_SUCH_ORDER: "Order does not exist." */
#define VENUE_CODE_REPLACE_FAILED -2022  /* cancelReplace: the new order was not attempted */
#define VENUE_CODE_TOO_MANY -1015        /* TOO_MANY_ORDERS */

typedef struct venue_event {
    venue_event_type_t type;
    venue_request_t req;      /* REJECT, CANCEL_REJECT, UNKNOWN: the request answered */
    char cid[ORDER_CID_MAX + 1]; /* the order's client id; "" when not about an order */
    uint64_t order_id;        /* the venue's order id; 0 when not known */
    order_side_t side;        /* about an order: its side */
    int64_t local_ns;         /* when it reaches us */
    int64_t exch_ns;          /* when it happened at the venue */
    venue_status_t status;    /* the order's status after this event (VST_NONE: not stated) */
    int64_t cum_qty;          /* lots filled so far, as the venue states it; -1: not stated */
    __int128 cum_quote;       /* tick*lot units traded so far (valid when cum_qty >= 0) */
    int64_t price, qty;       /* FILL: this trade's; OPEN_ORDER: the order's limit and quantity */
    int64_t trade_id;         /* FILL: the venue's trade id, unique per symbol */
    int maker;                /* FILL: 1 when we provided liquidity */
    venue_fill_by_t by;       /* FILL: what made it (a simulated venue says; a live one: VFILL_UNKNOWN) */
    uint64_t source_id;       /* FILL from a simulated venue: the recording's id of the market event that
                                 made it (trade id t; book update id u, lastUpdateId); 0: none, a live venue */
    int64_t fee;              /* FILL: commission, fee * 10^-fee_scale of fee_asset */
    int fee_scale;
    char fee_asset[16];
    char asset[16];           /* BALANCE */
    __int128 free, locked;    /* BALANCE: lots for the symbol's base, tick*lot units for its quote,
                                 10^-8 for any other asset */
    int64_t retry_ns;         /* RATE_LIMIT: local time before which no new order goes out */
    int orders_used;          /* RATE_LIMIT: the venue's count of new orders in its 10 s window; -1 */
    int orders_limit;         /* RATE_LIMIT: that window's limit (exchangeInfo, or an answer); 0: not told */
    const char *reason;       /* REJECT, CANCEL_REJECT, UNKNOWN: the venue's message */
    int code;                 /* REJECT, CANCEL_REJECT, STATUS: the venue's error code (0: none) */
} venue_event_t;

typedef void (*venue_sink_fn)(void *ctx, const venue_event_t *ev);

typedef struct venue venue_t;
typedef struct venue_vt {
    const char *name;
    /* a new order; o->cid is its client id */
    int (*place)(venue_t *v, const order_t *o, int64_t now_ns);
    int (*cancel)(venue_t *v, const order_t *o, int64_t now_ns);
    /* Atomic cancel-replace (Binance order/cancelReplace): cancels `old` and places `o` in
       one request. May be NULL: the oms then sends a cancel and a new order. */
    int (*replace)(venue_t *v, const order_t *old, const order_t *o, venue_replace_mode_t mode,
                   int64_t now_ns);
    /* The order's status (VEV_STATUS), then its trades (VEV_FILL, which may repeat ones
       already told). Found by o->cid. */
    int (*query)(venue_t *v, const order_t *o, int64_t now_ns);
    /* Cancels every open order of the symbol (each answered by VEV_CANCELED). */
    int (*cancel_all)(venue_t *v, int64_t now_ns);
    /* Lists the open orders (VEV_OPEN_ORDER), the balances (VEV_BALANCE), then VEV_SYNC_DONE. */
    int (*sync)(venue_t *v, int64_t now_ns);
} venue_vt_t;

struct venue {
    const venue_vt_t *vt;
    venue_sink_fn sink;
    void *sink_ctx;
};

static inline void venue_emit(venue_t *v, const venue_event_t *ev) {
    if (v->sink) v->sink(v->sink_ctx, ev);
}

#endif
