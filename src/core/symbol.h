/* symbol.h: a symbol's trading rules (Binance exchangeInfo filters) in integer units.
 *
 * Prices are counted in ticks (PRICE_FILTER.tickSize). Quantities are counted in lots:
 * the finest quantity Binance prints, 10^-8 of the base asset (or the step, if finer).
 * Not in steps: real depth data holds levels off the step grid (the shared BTCUSDT
 * recording has "25.42618900" with step 0.00001), so the book must count finer than
 * the step; LOT_SIZE.stepSize becomes a filter, step_lots. A notional price*qty is
 * counted in tick*lot units, so every filter comparison is exact integer arithmetic. */
#ifndef Q_SYMBOL_H
#define Q_SYMBOL_H

#include <stdint.h>

#include "fixed.h"

typedef struct symbol_rules {
    char symbol[24];         /* "BTCUSDT" */
    char base[16], quote[16];/* "BTC", "USDT" */
    fx_unit_t tick;          /* price unit */
    fx_unit_t step;          /* LOT_SIZE.stepSize */
    fx_unit_t lot;           /* quantity unit: 10^-8, or the step if that is finer */
    int64_t step_lots;       /* the step in lots; order quantities are multiples of it */
    int64_t min_price, max_price;   /* ticks; 0 disables the rule */
    int64_t min_qty, max_qty;       /* lots; 0 disables */
    /* notional bounds in tick*lot units; 0 disables. Filled from NOTIONAL or MIN_NOTIONAL. */
    __int128 min_notional, max_notional;
    int min_notional_applies;       /* MIN_NOTIONAL.applyToMarket / NOTIONAL.applyMinToMarket */
    int max_num_orders;             /* MAX_NUM_ORDERS; 0 = unknown */
} symbol_rules_t;

/* Derives lot and step_lots from step; call after setting step. */
int symbol_set_step(symbol_rules_t *r, const fx_unit_t *step);

/* Why a limit order fails the filters: 0 when it passes, else the Binance filter name. */
const char *symbol_check_order(const symbol_rules_t *r, int64_t price, int64_t qty);
/* The filters one by one (the exchange checks MARKET orders' quantity and notional on their
   own): PRICE_FILTER, LOT_SIZE (MARKET_LOT_SIZE), NOTIONAL; for a market order the minimum
   applies when min_notional_applies, the maximum never (applyMaxToMarket: false). */
int symbol_price_ok(const symbol_rules_t *r, int64_t price);
int symbol_qty_ok(const symbol_rules_t *r, int64_t qty);
int symbol_notional_ok(const symbol_rules_t *r, __int128 notional, int market);

/* Binance's message for a filter failure ("Filter failure: LOT_SIZE"), a static string. */
const char *symbol_filter_failure(const char *filter);

/* Converts a decimal notional ("10.00000000" quote units) to tick*lot units, rounding up. */
int symbol_notional_parse(const symbol_rules_t *r, const char *s, __int128 *out);
/* A quote amount in tick*lot units (price times quantity) as Binance prints it: 8 decimal
   places, truncated toward zero ("-" when negative). Returns buf. cap >= 48. */
const char *symbol_quote_format(const symbol_rules_t *r, __int128 v, char *buf, size_t cap);


#endif
