/* strategy.h: the strategy interface. A strategy is a pure function of what the engine
 * shows it (top of book, the book, the last trade, inventory, time) to the quotes it
 * wants; it never sends anything. The oms turns wanted quotes into orders.
 *
 * Implementations: seed (strategy/seed.c), ladder (strategy/ladder.c). Each embeds
 * strategy_t as its first member and provides a const vtable. */
#ifndef Q_STRATEGY_H
#define Q_STRATEGY_H

#include <stdint.h>

#include "../config/config.h"
#include "../book/book.h"
#include "../core/symbol.h"

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
};

enum { REF_MID, REF_LAST, REF_BID, REF_ASK, REF_MICRO };
enum { UNIT_ABS, UNIT_BPS, UNIT_TICKS };

/* Builds the strategy the config names; 0 or an error with a message. */
int strategy_init(strategy_t *s, const config_t *c, const config_exact_t *x, char *err, int errcap);
/* The reference price (quote asset, real) or 0 when it cannot be known yet. */
double strategy_reference(const strategy_t *s, const strat_input_t *in);
/* A distance in the strategy's spread unit, in quote asset at reference price `ref`. */
double strategy_distance(const strategy_t *s, double amount, double ref, const symbol_rules_t *r);

extern const strategy_vt_t strategy_seed_vt, strategy_ladder_vt;

#endif
