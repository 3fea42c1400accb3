/* ledger.h: balances, inventory, fees and PnL, exact where money is counted.
 *
 * Balances are integers: base in lots, quote in tick*lot units. Fees are charged in the
 * asset received, as Binance does without BNB: a buy pays its fee in base, a sell in
 * quote, each rounded up to the unit (a rebate, a negative rate, rounds down).
 * PnL uses average cost over the whole base balance, the starting balance costed at the
 * first mark price; so at any mark price
 *     total_pnl = equity - start_equity = realized_pnl + unrealized_pnl
 * where realized_pnl includes the quote fees and the base fees raise the average cost. */
#ifndef Q_LEDGER_H
#define Q_LEDGER_H

#include <stdint.h>

#include "../core/symbol.h"
#include "order.h"

typedef struct ledger {
    const symbol_rules_t *rules;
    double maker_fee, taker_fee;
    int64_t base, base_start;   /* lots */
    __int128 quote, quote_start;/* tick*lot units */
    int64_t fee_base;           /* lots paid as fees */
    __int128 fee_quote;         /* tick*lot units paid as fees */
    double fees_quote_value;    /* all fees valued in quote at their fill prices */
    double cost;                /* cost basis of `base`, quote asset */
    double realized;            /* quote asset */
    double start_mark;          /* quote per base at start; 0 until set */
    int64_t fills, maker_fills;
    int64_t bought, sold;       /* lots */
    __int128 buy_notional, sell_notional; /* tick*lot units */
    int64_t inv_min, inv_max;   /* inventory range relative to the start, lots */
} ledger_t;

void ledger_init(ledger_t *l, const symbol_rules_t *r, int64_t base, __int128 quote, double maker_fee,
                 double taker_fee);
/* Sets the starting mark (the cost of the starting base balance). Call once, before fills. */
void ledger_start(ledger_t *l, double mark);
/* Books a fill; returns the fee (in its asset's units: lots for buys, tick*lot for sells). */
int64_t ledger_fill(ledger_t *l, order_side_t side, int64_t price, int64_t qty, int maker,
                    double *fee_quote_value);
double ledger_quote_real(const ledger_t *l, __int128 v);
double ledger_equity(const ledger_t *l, double mark);
double ledger_unrealized(const ledger_t *l, double mark);
int64_t ledger_inventory(const ledger_t *l); /* base - base_start, lots */

#endif
