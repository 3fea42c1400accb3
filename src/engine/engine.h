/* engine.h: the engine that wires feed -> book -> strategy -> oms -> risk gate -> venue.
 * It does not know which world it is in: the backtester feeds it recorded events and a
 * simulated venue; live trading will feed it WebSocket events and the Binance venue. */
#ifndef Q_ENGINE_H
#define Q_ENGINE_H

#include <stdint.h>

#include "../book/sync.h"
#include "../config/config.h"
#include "../oms/oms.h"
#include "../strategy/strategy.h"

typedef struct engine {
    const symbol_rules_t *rules;
    book_t book;
    book_sync_t sync;
    strategy_t strat;
    oms_t oms;
    int64_t last_trade;       /* ticks */
    int64_t now;              /* local ns of the last event */
    int64_t requote_ns;       /* 0: decide on every event */
    int64_t next_decision;
    double max_drawdown;      /* kill switch, quote asset; 0 = off */
    double max_loss;          /* kill switch: equity change below -max_loss; 0 = off */
    int64_t max_position;     /* kill switch: |inventory| beyond this, lots; 0 = off */
    int max_orders_per_minute;/* kill switch: new orders in any minute; 0 = off */
    double start_equity;      /* at the first decision */
    double peak_equity;
    int started;              /* the ledger has its starting mark */
    int64_t decisions;
    quote_set_t want;
    /* a backtest group (backtest.h) keeps one book for all its engines and applies each event
       to it once: the engine reads that book and sync state and leaves its own empty; NULL:
       its own (engine_book) */
    const book_t *shared_book;
    const book_sync_t *shared_sync;
    const book_top_t *shared_top; /* with shared_book: its top, which the group takes once per event */
} engine_t;

/* the book the engine reads: its own, or its group's */
static inline const book_t *engine_book(const engine_t *e) { return e->shared_book ? e->shared_book : &e->book; }
/* book_top of engine_book */
static inline void engine_top(const engine_t *e, book_top_t *t) {
    if (e->shared_top) *t = *e->shared_top;
    else book_top(engine_book(e), t);
}

/* run_tag: 0 in backtests (client ids are the configured prefix and a sequence); live runs
   pass a tag unique to the run (its start time), so ids never repeat across runs. */
int engine_init(engine_t *e, const config_t *c, const config_exact_t *x, venue_t *v, uint64_t run_tag, char *err,
                int errcap);
void engine_free(engine_t *e);
/* Applies a market event to the book and the engine's view of the market. */
void engine_on_market(engine_t *e, const md_event_t *ev);
/* Asks the strategy what it wants, when a decision is due, and updates orders. */
void engine_decide(engine_t *e, int64_t now_ns);
/* The first slot of the schedule slot + k * interval (k >= 0) after now, in one step: no
   loop however long the quiet gap and however short the interval (interval > 0). */
int64_t engine_next_slot(int64_t slot, int64_t now, int64_t interval);
/* Mid price (quote asset) of the merged top, 0 when one side is missing. */
double engine_mid(const engine_t *e);
int engine_ready(const engine_t *e);

#endif
