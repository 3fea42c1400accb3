/* ledger.c: balances and PnL (see ledger.h for the accounting rules). */
#include "ledger.h"

#include <math.h>
#include <string.h>

void ledger_init(ledger_t *l, const symbol_rules_t *r, int64_t base, __int128 quote, double maker_fee,
                 double taker_fee) {
    memset(l, 0, sizeof *l);
    l->rules = r;
    l->base = l->base_start = base;
    l->quote = l->quote_start = quote;
    l->maker_fee = maker_fee;
    l->taker_fee = taker_fee;
}

void ledger_start(ledger_t *l, double mark) {
    l->start_mark = mark;
    l->cost = (double)l->base * l->rules->lot.value * mark;
}

double ledger_quote_real(const ledger_t *l, __int128 v) {
    return (double)v * l->rules->tick.value * l->rules->lot.value;
}

/* rounds a fee away from zero for charges, toward zero for rebates */
static int64_t fee_units(double amount) {
    return amount >= 0 ? (int64_t)ceil(amount - 1e-9) : (int64_t)ceil(amount);
}

int64_t ledger_fill(ledger_t *l, order_side_t side, int64_t price, int64_t qty, int maker,
                    double *fee_quote_value) {
    double rate = maker ? l->maker_fee : l->taker_fee;
    __int128 notional = (__int128)price * qty;
    double px = price * l->rules->tick.value;
    double qty_real = (double)qty * l->rules->lot.value;
    int64_t fee;
    l->fills++;
    if (maker) l->maker_fills++;
    if (side == SIDE_BUY) {
        fee = fee_units((double)qty * rate); /* lots of base */
        l->base += qty - fee;
        l->quote -= notional;
        l->fee_base += fee;
        l->bought += qty;
        l->buy_notional += notional;
        l->cost += qty_real * px;
        *fee_quote_value = (double)fee * l->rules->lot.value * px;
    } else {
        fee = fee_units((double)notional * rate); /* tick*lot units of quote */
        double avg = l->base > 0 ? l->cost / ((double)l->base * l->rules->lot.value) : px;
        l->base -= qty;
        l->quote += notional - fee;
        l->fee_quote += fee;
        l->sold += qty;
        l->sell_notional += notional;
        double fee_real = ledger_quote_real(l, fee);
        l->realized += qty_real * (px - avg) - fee_real;
        l->cost -= qty_real * avg;
        if (l->base == 0) l->cost = 0;
        *fee_quote_value = fee_real;
    }
    l->fees_quote_value += *fee_quote_value;
    int64_t inv = l->base - l->base_start;
    if (inv < l->inv_min) l->inv_min = inv;
    if (inv > l->inv_max) l->inv_max = inv;
    return fee;
}

double ledger_equity(const ledger_t *l, double mark) {
    return ledger_quote_real(l, l->quote) + (double)l->base * l->rules->lot.value * mark;
}

double ledger_unrealized(const ledger_t *l, double mark) {
    return (double)l->base * l->rules->lot.value * mark - l->cost;
}

int64_t ledger_inventory(const ledger_t *l) { return l->base - l->base_start; }
