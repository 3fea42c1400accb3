/* sim.h: the simulated venue: what the exchange would do with our orders, replayed
 * against recorded market data.
 *
 * Two sides joined by latency, as in hftbacktest: a request sent at local time t reaches
 * the exchange at t + entry latency, and is matched only against market events whose
 * exchange time is at or after that; what the exchange does at time x reaches us at
 * x + response latency. Market events carry their exchange time (see engine's clock
 * estimate), so nothing before time T depends on data after T.
 *
 * Matching, per resting order:
 *  - arrival: LIMIT_MAKER that would cross is rejected (-2010); LIMIT that crosses takes
 *    liquidity level by level up to its price (taker fee), the rest rests; filters are
 *    enforced (-1013).
 *  - trades at our price against our side advance the queue (queue.h) and fill what
 *    passes us; trades through our price fill us fully.
 *  - the book moving through our price (best ask below our bid) fills us fully; a best
 *    ask at our price fills us when nothing is left ahead.
 * Liquidity we take is not removed from the replayed book (the recording cannot react). */
#ifndef Q_SIM_H
#define Q_SIM_H

#include <stdint.h>

#include "../../book/book.h"
#include "../../core/symbol.h"
#include "../venue.h"
#include "queue.h"

#define SIM_MAX_RESTING 1024
#define SIM_MAX_REQUESTS 1024
#define SIM_MAX_EVENTS 16384

typedef struct sim_order {
    uint64_t id;
    order_side_t side;
    order_type_t type;
    int64_t price, qty, filled;
    queue_pos_t q;
} sim_order_t;

typedef enum sim_request_kind { SIM_PLACE = 0, SIM_CANCEL, SIM_REPLACE } sim_request_kind_t;

typedef struct sim_request {
    sim_request_kind_t kind;
    int64_t arrive_ns;   /* exchange time */
    sim_order_t o;       /* the new order (place, replace) or the one to cancel */
    uint64_t old_id;     /* replace: the order to cancel first */
} sim_request_t;

typedef struct sim_stats {
    int64_t placed, canceled, rejected, post_only_rejects, filter_rejects, cancel_rejects, replaces;
    int64_t fills, taker_fills, queue_fills, cross_fills, through_fills;
    int64_t dropped_events; /* the event ring overflowed (a bug if ever non-zero) */
} sim_stats_t;

typedef struct sim {
    venue_t base;        /* first member: a sim is a venue */
    const book_t *book;
    const symbol_rules_t *rules;
    queue_model_t qm;
    int64_t entry_ns, response_ns;
    sim_order_t resting[SIM_MAX_RESTING];
    int nresting;
    sim_request_t req[SIM_MAX_REQUESTS];
    int req_head, req_tail;
    venue_event_t ev[SIM_MAX_EVENTS];
    int ev_head, ev_tail;
    sim_stats_t st;
} sim_t;

void sim_init(sim_t *s, const book_t *book, const symbol_rules_t *rules, queue_model_t qm,
              int64_t entry_ns, int64_t response_ns);
/* Processes requests that reach the exchange by exchange time `exch_ns` (against the
   book as it is now, before the next market event is applied). */
void sim_advance(sim_t *s, int64_t exch_ns);
/* Matches resting orders against a market event already applied to the book. */
void sim_on_market(sim_t *s, const md_event_t *ev, int64_t exch_ns);
/* Hands the sink every event that reaches us by local time `local_ns`. */
void sim_deliver(sim_t *s, int64_t local_ns);
/* Reduces a resting order's quantity in place, keeping its queue position (Binance's
   order amend keepPriority). Returns 1 when found. */
int sim_amend(sim_t *s, uint64_t id, int64_t new_qty);

#endif
