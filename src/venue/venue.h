/* venue.h: where orders go. An interface (a const table of functions) with one
 * implementation so far, the simulated venue (venue/sim/); the Binance venue
 * (REST + WebSocket API) implements the same table in a later issue.
 *
 * Requests carry the local time they are sent at; the venue answers later through the
 * sink the engine registered, with events carrying the local time they are received at.
 * A venue never calls the sink from inside place/cancel (no re-entrancy). */
#ifndef Q_VENUE_H
#define Q_VENUE_H

#include <stdint.h>

#include "../oms/order.h"

typedef enum venue_event_type {
    VEV_ACK = 0,
    VEV_REJECT,
    VEV_FILL,
    VEV_CANCELED,
    VEV_CANCEL_REJECT,
    VEV_EXPIRED,
} venue_event_type_t;

typedef struct venue_event {
    venue_event_type_t type;
    uint64_t order_id;
    int64_t local_ns;     /* when it reaches us */
    int64_t exch_ns;      /* when it happened at the venue */
    int64_t price, qty;   /* fills: price and quantity of this fill */
    int maker;            /* fills: 1 when we provided liquidity */
    const char *reason;   /* rejects: Binance's message, e.g. "Order would immediately match and take." */
    int code;             /* rejects: Binance's error code, e.g. -2010 */
} venue_event_t;

typedef void (*venue_sink_fn)(void *ctx, const venue_event_t *ev);

typedef struct venue venue_t;
typedef struct venue_vt {
    const char *name;
    int (*place)(venue_t *v, const order_t *o, int64_t now_ns);
    int (*cancel)(venue_t *v, const order_t *o, int64_t now_ns);
    /* Atomic cancel-replace (Binance order/cancelReplace, STOP_ON_FAILURE): cancels `old`
       and places `o` in one request; when the cancel fails the new order is rejected too.
       May be NULL: the oms then sends a cancel and a new order. */
    int (*replace)(venue_t *v, const order_t *old, const order_t *o, int64_t now_ns);
} venue_vt_t;

struct venue {
    const venue_vt_t *vt;
    venue_sink_fn sink;
    void *sink_ctx;
};

#endif
