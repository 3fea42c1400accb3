/* strategy.h: the strategy interface. A strategy turns what the engine shows it (top of
 * book, the book, the last trade, inventory, time) and what it has kept from the market into
 * the quotes it wants; it never sends anything. The oms turns wanted quotes into orders.
 *
 * State from the market comes through three hooks the engine calls: strategy_on_trade (a
 * market trade), strategy_on_book (the top of book after a change, once the book is in
 * sync), strategy_on_fill (our own fill). They feed the estimators every strategy shares
 * (estimators.h) and the knobs' state (the last fill of each side). Nothing allocates after
 * strategy_init; the same events give the same quotes.
 *
 * Implementations: seed (seed.c), ladder (ladder.c), avellaneda (avellaneda.c), glft
 * (glft.c), each a const vtable; strategy_quote() runs one and then the knobs any strategy
 * can use (fill delay, price band, joining the best price). */
#ifndef Q_STRATEGY_H
#define Q_STRATEGY_H

#include <stdint.h>

#include "../config/config.h"
#include "../book/book.h"
#include "../core/symbol.h"
#include "estimators.h"

#define STRAT_MAX_LEVELS 32

typedef struct strat_input {
    int64_t now_ns;
    book_top_t top;            /* merged with bookTicker */
    const book_t *book;
    int64_t last_trade;        /* ticks; 0 before the first trade */
    int64_t inventory;         /* lots of base held minus the starting balance */
    int64_t base_free;         /* lots of base not locked by open sells */
    const symbol_rules_t *rules;
} strat_input_t;

typedef struct quote {
    int64_t price; /* ticks */
    int64_t qty;   /* lots, a multiple of the step */
} quote_t;

typedef struct quote_set {
    int nbids, nasks;          /* best first */
    quote_t bids[STRAT_MAX_LEVELS], asks[STRAT_MAX_LEVELS];
} quote_set_t;

typedef struct strategy strategy_t;

typedef struct strategy_vt {
    const char *name;
    /* Fills `out`. Returns 0, or 1 when it has no opinion yet (no reference price):
       the engine then cancels what is live rather than guess. */
    int (*quote)(strategy_t *s, const strat_input_t *in, quote_set_t *out);
} strategy_vt_t;

struct strategy {
    const strategy_vt_t *vt;
    /* parameters common to every strategy, resolved from the config */
    int reference;             /* REF_* */
    int spread_unit;           /* UNIT_* */
    double spread, level_spacing, level_size_mult, skew, size_skew;
    int levels;
    int64_t quantity, target_inventory, max_inventory; /* lots */
    /* the models (avellaneda, glft) */
    double gamma;              /* risk aversion, per quote asset */
    double horizon_s;          /* avellaneda */
    int horizon_finite;        /* 1: T - t runs down to the end of each session of horizon_s */
    double sigma, A, k;        /* fixed by the config; 0: the estimators' */
    /* the fair value's shift (any strategy) */
    int alpha;                 /* ALPHA_* */
    double alpha_weight;       /* in spread_unit at signal 1 */
    int imbalance_levels;
    /* knobs (any strategy; 0 = off) */
    int64_t fill_delay_ns;
    double price_ceiling, price_floor; /* quote asset */
    double join_tolerance;     /* spread_unit */
    int64_t last_fill[2];      /* local ns of our last buy (bid side) and sell fill; 0: none */
    int use_est;               /* the estimators are fed (a model or the flow alpha needs them) */
    est_t est;
};

enum { REF_MID, REF_LAST, REF_BID, REF_ASK, REF_MICRO };
enum { ALPHA_NONE, ALPHA_IMBALANCE, ALPHA_FLOW };
enum { UNIT_ABS, UNIT_BPS, UNIT_TICKS };

/* Builds the strategy the config names; 0 or an error with a message. */
int strategy_init(strategy_t *s, const config_t *c, const config_exact_t *x, char *err, int errcap);
void strategy_free(strategy_t *s);
/* The hooks (see above). side: 0 our buy, 1 our sell; prices ticks, quantities lots. */
void strategy_on_trade(strategy_t *s, int64_t price, int64_t qty, int buyer_maker, int64_t now_ns);
void strategy_on_book(strategy_t *s, const book_top_t *top, int64_t now_ns);
void strategy_on_fill(strategy_t *s, int side, int64_t price, int64_t qty, int64_t now_ns);
/* The decision: the strategy's quotes, then the knobs. Returns what vt->quote returns. */
int strategy_quote(strategy_t *s, const strat_input_t *in, quote_set_t *out);
/* The reference price (quote asset, real) or 0 when it cannot be known yet. */
double strategy_reference(const strategy_t *s, const strat_input_t *in);
/* The reference shifted by the alpha (the reference itself without one); 0 when unknown. */
double strategy_fair(const strategy_t *s, const strat_input_t *in);
/* A distance in the strategy's spread unit, in quote asset at reference price `ref`. */
double strategy_distance(const strategy_t *s, double amount, double ref, const symbol_rules_t *r);
/* sigma, A, k: the config's when fixed, else the estimators'; 0 when neither has one yet. */
int strategy_sigma(const strategy_t *s, double *sigma);
int strategy_intensity(const strategy_t *s, double *A, double *k);
/* Inventory relative to the target, in orders of `quantity` (the models' q). */
double strategy_q(const strategy_t *s, const strat_input_t *in);
/* One quote a side at real prices bid and ask (levels and level_spacing add more further out,
   sizes quantity * level_size_mult^k): on the tick grid outward, passive (a bid below the
   best ask, an ask above the best bid), sizes on the step, and the bids' total no more than
   takes the inventory to target + max_inventory (asks: target - max_inventory) when that is
   set; bid_ok/ask_ok 0 leaves a side empty. */
void strategy_emit(const strategy_t *s, const strat_input_t *in, double bid, double ask, int bid_ok, int ask_ok,
                   quote_set_t *out);

extern const strategy_vt_t strategy_seed_vt, strategy_ladder_vt, strategy_avellaneda_vt, strategy_glft_vt;

#endif
