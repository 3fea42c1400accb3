/* ledger.h: balances, inventory, fees and PnL, exact where money is counted.
 *
 * Balances are integers: base in lots, quote in tick*lot units. The ledger books what the
 * venue says a fill cost: its price, quantity, and the commission in the asset the venue
 * charged it in (the base on buys and the quote on sells without BNB; BNB, or any other
 * asset, when the account pays fees that way). A fee in another asset is kept per asset
 * and valued in quote at a price set by ledger_set_price() (account.fee_asset_prices: a fixed
 * price); a fee in an asset without a price counts as unvalued.
 *
 * PnL uses average cost over the whole base balance, the starting balance costed at the
 * first mark price. The position may go short (below zero: only when the balances are
 * wrong, which is flagged) and back: a fill that reduces the absolute position realizes
 * against the average cost, one that crosses zero realizes the closed part and opens the
 * rest at the fill price. So at any mark price
 *     total_pnl = equity - start_equity = realized_pnl + unrealized_pnl
 * where equity = quote + base * mark - the value of fees paid in other assets, realized
 * includes the fees paid in quote and in other assets, and base fees raise the average cost.
 *
 * A balance going negative is booked (the ledger mirrors the venue) and flagged in
 * `negative`; a fill whose numbers would overflow any total is refused whole (Q_E_RANGE). */
#ifndef Q_LEDGER_H
#define Q_LEDGER_H

#include <stdint.h>

#include "../core/symbol.h"
#include "order.h"

#define LEDGER_ASSETS 4 /* fee assets other than the symbol's base and quote */

/* a commission: amount * 10^-scale of asset (Binance states 8 decimals) */
typedef struct ledger_fee {
    int64_t amount;
    int scale;              /* 0..36 (others are refused: Q_E_INVAL) */
    const char *asset;      /* "BTC", "USDT", "BNB"; NULL or "" means no fee */
} ledger_fee_t;

typedef struct ledger_asset {
    char name[16];
    __int128 spent;         /* fees paid, 10^-18 units of the asset */
    double price;           /* quote per unit; 0 = unknown */
    double value;           /* fees paid in it valued in quote at their fill times (0 while no price) */
} ledger_asset_t;

typedef struct ledger {
    const symbol_rules_t *rules;
    int64_t base, base_start;   /* lots */
    __int128 quote, quote_start;/* tick*lot units */
    int64_t fee_base;           /* lots paid as fees */
    __int128 fee_quote;         /* tick*lot units paid as fees */
    ledger_asset_t other[LEDGER_ASSETS];
    int nother;
    double fees_other_value;    /* fees paid in other assets, valued in quote */
    double fees_quote_value;    /* all fees valued in quote at their fill prices */
    double cost;                /* cost basis of `base` (negative when short), quote asset */
    double realized;            /* quote asset */
    double start_mark;          /* quote per base at start; 0 until set */
    int64_t fills, maker_fills;
    int64_t bought, sold;       /* lots */
    __int128 buy_notional, sell_notional; /* tick*lot units */
    int64_t inv_min, inv_max;   /* inventory range relative to the start, lots */
    int64_t negative;           /* fills after which a balance was below zero */
    int64_t refused;            /* fills refused (overflow, a fee asset table full, a bad fee) */
    int64_t unvalued_fees;      /* fees in an asset without a price */
    int64_t fee_inexact;        /* fees finer than the balance unit: charges rounded up, rebates toward zero */
    int64_t transfers;          /* deposits and withdrawals booked */
    double transfers_value;     /* their value in quote when they happened (PnL leaves it out) */
} ledger_t;

void ledger_init(ledger_t *l, const symbol_rules_t *r, int64_t base, __int128 quote);
/* The fees paid in a fee asset as a decimal ("0.00123000": 8 places at least, more when finer). */
void ledger_asset_amount(const ledger_asset_t *a, char *buf, size_t cap);
/* Sets the starting mark (the cost of the starting base balance). Call once, before fills. */
void ledger_start(ledger_t *l, double mark);
/* The price of a fee asset other than base and quote (quote per unit). 0 or Q_E_FULL. */
int ledger_set_price(ledger_t *l, const char *asset, double quote_per_unit);
/* Books a fill and its fee. *fee_quote_value: the fee valued in quote. Returns 0, or
   Q_E_RANGE / Q_E_INVAL / Q_E_FULL when it is refused (nothing booked, `refused` counted). */
int ledger_fill(ledger_t *l, order_side_t side, int64_t price, int64_t qty, int maker, const ledger_fee_t *fee,
                double *fee_quote_value);
/* A deposit (delta > 0) or withdrawal of the base (lots) or the quote (tick*lot units):
   the balance and its starting value move together, and its value at `mark` (quote per
   base) is added to transfers_value, so PnL (equity - transfers_value - start equity) is
   unchanged. Q_E_RANGE (nothing changed) when it would overflow. */
int ledger_transfer(ledger_t *l, int base, __int128 delta, double mark);
double ledger_quote_real(const ledger_t *l, __int128 v);
double ledger_equity(const ledger_t *l, double mark);
/* Equity less the value of the deposits and withdrawals so far: what PnL, drawdown and the
   kill switches compare, from start to end (a transfer moves both sides, so it is no PnL). */
double ledger_pnl_equity(const ledger_t *l, double mark);
double ledger_unrealized(const ledger_t *l, double mark);
int64_t ledger_inventory(const ledger_t *l); /* base - base_start, lots */

#endif
