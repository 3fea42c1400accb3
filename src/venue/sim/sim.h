/* sim.h: the simulated venue: what the exchange would do with our orders, replayed
 * against recorded market data. It implements all of venue.h and keeps the account the
 * venue would keep: balances, fees, order and trade ids, and a memory of recent orders
 * and trades for queries.
 *
 * Two sides joined by latency, as in hftbacktest: a request sent at local time t reaches
 * the exchange at t + entry latency, and is matched only against market events whose
 * exchange time is at or after that; what the exchange does at time x reaches us at
 * x + response latency. A request reaching the venue at x is handled before market events
 * stamped x: an order is fillable by events with time >= its arrival (live_ns) and before
 * its cancel's arrival. The caller hands market events in exchange-time order, each with
 * its time on the exchange clock: a trade at its trade time T, a depth diff at its event
 * time E, a bookTicker (no time) at its receive time less the feed delay (the backtest
 * does this, backtest.h; the local exchange uses its own clock). The exchange side may
 * see an event before the engine receives it; the engine learns only through our
 * venue's events, at their local times.
 *
 * Matching, per event (the recording cannot react, so no market volume is used twice):
 *  - arrival: LIMIT_MAKER that would cross is rejected (-2010); LIMIT that crosses takes
 *    liquidity level by level up to its price (taker fee, one fill per level, `by` TAKER),
 *    the rest rests; filters are enforced (-1013).
 *  - a trade (`by` TRADE, exch_ns its T, source its trade id) fills at most its own
 *    quantity, shared among our orders on its passive side that were live at T, in
 *    price-time priority (better price first, then earlier arrival): an order priced
 *    through the trade's price takes what is left of it; an order at the trade's price
 *    gets only what passes the queue ahead of it (queue.h), which the trade eats first.
 *  - the book crossing our price (a best ask below our bid, or at it with nothing ahead
 *    of us; `by` CROSS, source the book update id; only with cross_fills) fills at most
 *    the quantity that crossed: the opposite levels up to our price, in the same priority.
 *    What our orders took of a level is remembered per price (`used`): the recorded level
 *    still shows it, so only quantity above what we took is available again, a level's
 *    `used` is cut to what the level shows when it shrinks and forgotten when it goes.
 *    Taking on arrival draws on the same memory (take_once).
 *  - one FILL per order per market event; what is not filled rests with its queue place.
 *
  * Ids: an order placed with venue_id != 0 keeps it as its order id (the local exchange
 * numbers its own orders); else the sim numbers orders from 1 at request time. Trades
 * are numbered from 1. A cancel, replace or query finds its order by venue_id when that
 * is set and by cid when that is set (both must agree when both are).
 *
 * Fees, as Binance charges them without BNB: a buy pays ceil(qty * rate - 1e-9) lots of
 * the base, a sell ceil(notional * rate - 1e-9) tick*lot units of the quote (a negative
 * rate, a rebate, rounds toward zero: ceil(amount)). Events state them in the asset's
 * decimal units (fee * 10^-fee_scale). Balances move with every fill:
 *   buy:  bal_base += qty - fee, bal_quote -= price * qty
 *   sell: bal_base -= qty,       bal_quote += price * qty - fee
 *
 * Memory: the last SIM_MAX_DONE finished orders (filled or canceled; rejected orders are
 * not kept, as on Binance) and the last SIM_MAX_TRADES trades are remembered for queries,
 * in fixed rings. sim_init allocates the rings (about 12 MB, so that a sim_t stays small
 * enough for the stack); nothing is allocated after it. sim_free releases them. */
#ifndef Q_SIM_H
#define Q_SIM_H

#include <stdint.h>

#include "../../book/book.h"
#include "../../core/symbol.h"
#include "../venue.h"
#include "latency.h"
#include "queue.h"

#define SIM_MAX_RESTING 1024
#define SIM_MAX_REQUESTS 1024
#define SIM_MAX_EVENTS 16384
#define SIM_MAX_DONE 16384   /* finished orders remembered for queries */
#define SIM_MAX_TRADES 65536 /* trades remembered for queries */

typedef struct sim_order {
    uint64_t id;              /* the venue's order id */
    char cid[ORDER_CID_MAX + 1];
    order_side_t side;
    order_type_t type;
    int64_t price, qty, filled;
    __int128 cum_quote;       /* tick*lot units traded */
    int64_t last_trade;       /* id of its latest trade, 0: none */
    int64_t live_ns;          /* exchange time it reached the venue and rested (or traded) */
    uint64_t seq;             /* arrival order: time priority among ours at one price */
    queue_pos_t q;
} sim_order_t;

/* an order no longer on the book, as a query tells it */
typedef struct sim_record {
    uint64_t id;
    char cid[ORDER_CID_MAX + 1];
    order_side_t side;
    venue_status_t status;    /* FILLED or CANCELED */
    int64_t price, qty, filled;
    __int128 cum_quote;
    int64_t last_trade;
} sim_record_t;

/* one trade of ours, as a query tells it again */
typedef struct sim_trade {
    int64_t id;               /* trade id; the ring slot is id % SIM_MAX_TRADES */
    int64_t prev;             /* the order's previous trade, 0: none */
    uint64_t order_id;
    int64_t exch_ns;
    int64_t price, qty;
    int64_t fee_units;        /* lots (buy) or tick*lot units (sell) */
    int64_t cum_qty;          /* the order's, after this trade */
    __int128 cum_quote;
    venue_status_t status;    /* the order's, after this trade */
    int maker;
    venue_fill_by_t by;       /* what made it */
    uint64_t source_id;       /* the market event that made it (trade id, book update id); 0: taker */
} sim_trade_t;

typedef enum sim_request_kind {
    SIM_PLACE = 0, SIM_CANCEL, SIM_REPLACE, SIM_QUERY, SIM_CANCEL_ALL, SIM_SYNC
} sim_request_kind_t;

typedef struct sim_request {
    sim_request_kind_t kind;
    venue_replace_mode_t mode; /* replace */
    int64_t arrive_ns;   /* exchange time */
    sim_order_t o;       /* the new order (place, replace) or the one to cancel or query */
    uint64_t old_id;     /* replace: the order to cancel first (venue id, 0: by old_cid) */
    char old_cid[ORDER_CID_MAX + 1];
} sim_request_t;

typedef struct sim_stats {
    int64_t placed, canceled, rejected, post_only_rejects, filter_rejects, cancel_rejects, replaces;
    int64_t fills, taker_fills, queue_fills, cross_fills, through_fills;
    int64_t queries, syncs, cancel_alls;
    int64_t dropped_events; /* the event ring overflowed (a bug if ever non-zero) */
    int64_t late_events;    /* market events handed after the exchange had passed their time (the
                               backtest's read-ahead was too short for them): matched at once */
} sim_stats_t;

/* quantity of one opposite level our fills already took (the recording still shows it) */
#define SIM_MAX_USED 256
typedef struct sim_used {
    int64_t price, qty;
} sim_used_t;

typedef struct sim {
    venue_t base;        /* first member: a sim is a venue */
    const book_t *book;
    const symbol_rules_t *rules;
    queue_model_t qm;
    latency_t *lat;      /* entry and response latency: &own_lat, or a model the caller keeps */
    latency_t own_lat;   /* sim_init's constant one */
    int cross_fills;     /* 1 (sim_init's default): book crosses fill resting orders */
    int take_once;       /* 1 (sim_init's default): taking on arrival draws on and adds to `used`;
                            0: each taker sees the recorded levels whole (the local exchange, whose
                            clients take again and again from a book that cannot react) */
    double maker_fee, taker_fee; /* rates (0.001 = 0.1 %) */
    /* the account: balances after fills and fees */
    int64_t bal_base;    /* lots */
    __int128 bal_quote;  /* tick*lot units */
    int64_t fees_base;   /* lots paid as fees (buys) */
    __int128 fees_quote; /* tick*lot units paid as fees (sells) */
    uint64_t next_order_id; /* the last order id the sim assigned */
    int64_t ntrades;     /* the last trade id */
    sim_stats_t st;
    int nresting;
    /* the highest resting buy's and the lowest resting sell's price (0: none), valid while
       bounds_ok: most market events reach neither, and sim_on_market then leaves the resting
       orders untouched */
    int bounds_ok;
    int64_t max_buy, min_sell;
    int req_head, req_tail;
    int ev_head, ev_tail;
    int64_t ndone;       /* finished orders recorded (the ring holds the last SIM_MAX_DONE) */
    uint64_t nseq;       /* the last arrival sequence number */
    int nused[2];        /* per book side (book_side_t) */
    sim_used_t used[2][SIM_MAX_USED];
    sim_order_t resting[SIM_MAX_RESTING];
    sim_request_t req[SIM_MAX_REQUESTS];
    /* rings allocated by sim_init, valid by their counters */
    venue_event_t *ev;   /* SIM_MAX_EVENTS */
    sim_record_t *done;  /* SIM_MAX_DONE */
    sim_trade_t *trades; /* SIM_MAX_TRADES */
} sim_t;

/* maker_fee, taker_fee: commission rates; base (lots) and quote (tick*lot units): the
   account's starting balances. entry_ns, response_ns: constant latencies (point s->lat at
   another latency_t after sim_init for another model). `s` is taken as uninitialized (sim_free an initialized one
   first). Returns 0, or Q_E_NOMEM (nothing held). */
int sim_init(sim_t *s, const book_t *book, const symbol_rules_t *rules, queue_model_t qm, int64_t entry_ns,
             int64_t response_ns, double maker_fee, double taker_fee, int64_t base, __int128 quote);
/* Releases the rings; the sim can be freed again, or initialized again. */
void sim_free(sim_t *s);
/* Processes requests that reach the exchange by exchange time `exch_ns` (against the
   book as it is now, before the next market event is applied). */
void sim_advance(sim_t *s, int64_t exch_ns);
/* The exchange time the next request reaches the venue, INT64_MAX when none is in flight. */
int64_t sim_next_arrival(const sim_t *s);
/* Matches resting orders against a market event already applied to the book (a trade
   changes no book), at exchange time exch_ns: a trade's T, a book event's time. */
void sim_on_market(sim_t *s, const md_event_t *ev, int64_t exch_ns);
/* Hands the sink every event that reaches us by local time `local_ns`. */
void sim_deliver(sim_t *s, int64_t local_ns);
/* Reduces a resting order's quantity in place (id: its venue order id), keeping its queue
   position (Binance's order amend keepPriority). Returns 1 when found. */
int sim_amend(sim_t *s, uint64_t id, int64_t new_qty);

#endif
