/* oms.h: order management: turns the quotes a strategy wants into orders, and venue
 * events into order states, balances and PnL.
 *
 * oms_update() diffs wanted quotes against live orders, side by side: a live order is
 * kept when its price is within `tolerance` ticks of a wanted quote of the same size and
 * it is younger than `max_age` (it keeps its queue place); other live orders are
 * canceled and the unmatched wanted quotes placed, each through the risk gate. A cancel
 * and a place on the same side in one update count as one cancel-replace.
 * Orders live in a fixed pool indexed by id (no allocation after init). */
#ifndef Q_OMS_H
#define Q_OMS_H

#include <stdint.h>

#include "../strategy/strategy.h"
#include "../venue/venue.h"
#include "ledger.h"
#include "order.h"
#include "risk.h"

#define OMS_POOL 1024

typedef struct oms_hooks {
    void *ctx;
    void (*on_fill)(void *ctx, const order_t *o, const venue_event_t *ev, int64_t fee, double fee_quote);
    void (*on_done)(void *ctx, const order_t *o); /* the order reached a terminal state */
} oms_hooks_t;

typedef struct oms_stats {
    int64_t sent, cancels_sent, replaced, acked, rejected, canceled, expired, filled_orders;
    int64_t cancel_rejects, state_errors, unknown_order_events, pool_full;
} oms_stats_t;

typedef struct oms {
    order_t orders[OMS_POOL];
    int live[OMS_POOL];     /* slots of the orders not yet terminal */
    int nlive;
    uint64_t next_id;
    int64_t tolerance;      /* ticks */
    int64_t max_age_ns;     /* 0 = no limit */
    order_type_t type;
    ledger_t ledger;
    risk_t risk;
    venue_t *venue;
    oms_hooks_t hooks;
    oms_stats_t st;
} oms_t;

void oms_init(oms_t *m, venue_t *v, const symbol_rules_t *rules, order_type_t type, int64_t tolerance,
              int64_t max_age_ns, int max_open, int orders_per_10s);
/* Brings live orders in line with `want` (NULL or empty: cancel everything). */
void oms_update(oms_t *m, const quote_set_t *want, int64_t now_ns);
/* The venue's answer; wire this as the venue's sink. */
void oms_on_venue(void *oms, const venue_event_t *ev);
order_t *oms_find(oms_t *m, uint64_t id);
int oms_open_count(const oms_t *m);
/* Free balances given the open orders (what the risk gate checks against). */
void oms_risk_state(const oms_t *m, risk_state_t *st);
/* Best live (acknowledged) price per side, 0 when none: for the quoted-time statistics. */
void oms_best_live(const oms_t *m, int64_t *bid, int64_t *ask);

#endif
