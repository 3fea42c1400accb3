/* ledger.c: balances and PnL (see ledger.h for the accounting rules).
 *
 * ledger_fill() works in two steps: every integer total is computed into locals and
 * checked (a fill that would overflow anything, or carries a fee it cannot book, changes
 * nothing but `refused`); then the totals are stored and the doubles (cost, realized,
 * fee values) updated. The floating-point operations of a long-only flow (buys paying
 * their fee in base, sells in quote, the base never below zero) are the ones the ledger
 * always did, in the same order, so backtests stay byte-identical. */
#include "ledger.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/err.h"

#define FEE_MAX_SCALE 36 /* 10^36 still fits an __int128 (max ~1.7e38) */
#define OTHER_SCALE 18   /* other assets' fees are kept in 10^-18 units */

static const int64_t P10[19] = {1LL,
                                10LL,
                                100LL,
                                1000LL,
                                10000LL,
                                100000LL,
                                1000000LL,
                                10000000LL,
                                100000000LL,
                                1000000000LL,
                                10000000000LL,
                                100000000000LL,
                                1000000000000LL,
                                10000000000000LL,
                                100000000000000LL,
                                1000000000000000LL,
                                10000000000000000LL,
                                100000000000000000LL,
                                1000000000000000000LL};

#define I128_MAX ((__int128)(((unsigned __int128)1 << 127) - 1))

/* 10^e for e in 0..36 */
static __int128 pow10_i128(int e) { return e <= 18 ? (__int128)P10[e] : (__int128)P10[18] * P10[e - 18]; }

/* n / d for d > 0: a charge (n > 0) rounds up, a rebate (n < 0) toward zero; sets *inexact
   when a remainder is dropped. Applied twice it rounds as one division would. */
static __int128 div_fee(__int128 n, __int128 d, int *inexact) {
    __int128 q = n / d;
    if (n % d) {
        *inexact = 1;
        if (n > 0) q++;
    }
    return q;
}

/* amount * 10^-scale expressed in units of umult * 10^-uscale (scale, uscale in 0..36) */
static int fee_to_units(int64_t amount, int scale, int uscale, __int128 umult, __int128 *out, int *inexact) {
    if (umult <= 0) return Q_E_INVAL;
    if (uscale >= scale) {
        __int128 n;
        if (__builtin_mul_overflow((__int128)amount, pow10_i128(uscale - scale), &n)) return Q_E_RANGE;
        *out = div_fee(n, umult, inexact);
    } else {
        *out = div_fee(div_fee(amount, pow10_i128(scale - uscale), inexact), umult, inexact);
    }
    return 0;
}

void ledger_asset_amount(const ledger_asset_t *a, char *buf, size_t cap) {
    __int128 v = a->spent < 0 ? -a->spent : a->spent;
    const __int128 one = (__int128)1000000000000000000LL;
    unsigned long long whole = (unsigned long long)(v / one), frac = (unsigned long long)(v % one);
    char f[19];
    snprintf(f, sizeof f, "%018llu", frac);
    int n = 18;
    while (n > 8 && f[n - 1] == '0') n--; /* trailing zeros beyond Binance's 8 places */
    snprintf(buf, cap, "%s%llu.%.*s", a->spent < 0 ? "-" : "", whole, n, f);
}

void ledger_init(ledger_t *l, const symbol_rules_t *r, int64_t base, __int128 quote) {
    memset(l, 0, sizeof *l);
    l->rules = r;
    l->base = l->base_start = base;
    l->quote = l->quote_start = quote;
}

void ledger_start(ledger_t *l, double mark) {
    l->start_mark = mark;
    l->cost = (double)l->base * l->rules->lot.value * mark;
}

double ledger_quote_real(const ledger_t *l, __int128 v) {
    /* the same double either way (one rounding of the same integer), but a 128-bit
       conversion is a libgcc call and this runs for every engine on every event */
    double d = v >= INT64_MIN && v <= INT64_MAX ? (double)(int64_t)v : (double)v;
    return d * l->rules->tick.value * l->rules->lot.value;
}

static int is_base_or_quote(const ledger_t *l, const char *asset) {
    return !strcmp(asset, l->rules->base) || !strcmp(asset, l->rules->quote);
}

/* index of an other-asset entry, or -1 */
static int other_find(const ledger_t *l, const char *asset) {
    for (int i = 0; i < l->nother; i++)
        if (!strcmp(l->other[i].name, asset)) return i;
    return -1;
}

int ledger_set_price(ledger_t *l, const char *asset, double quote_per_unit) {
    if (!asset || !asset[0] || strlen(asset) >= sizeof l->other[0].name) return Q_E_INVAL;
    if (!isfinite(quote_per_unit) || quote_per_unit < 0) return Q_E_INVAL;
    if (is_base_or_quote(l, asset)) return 0; /* booked exactly, no price needed */
    int i = other_find(l, asset);
    if (i < 0) {
        if (l->nother >= LEDGER_ASSETS) return Q_E_FULL;
        i = l->nother++;
        memset(&l->other[i], 0, sizeof l->other[i]);
        memcpy(l->other[i].name, asset, strlen(asset) + 1);
    }
    l->other[i].price = quote_per_unit;
    return 0;
}

enum fee_kind { FEE_NONE, FEE_BASE, FEE_QUOTE, FEE_OTHER };

static int refuse(ledger_t *l, int rc) {
    l->refused++;
    return rc;
}

int ledger_fill(ledger_t *l, order_side_t side, int64_t price, int64_t qty, int maker, const ledger_fee_t *fee,
                double *fee_quote_value) {
    const symbol_rules_t *r = l->rules;
    if (fee_quote_value) *fee_quote_value = 0;
    if ((side != SIDE_BUY && side != SIDE_SELL) || price <= 0 || qty <= 0) return refuse(l, Q_E_INVAL);

    /* the fee, in its balance's units */
    enum fee_kind kind = FEE_NONE;
    __int128 fu = 0; /* lots (base), tick*lot units (quote), 10^-18 (other) */
    int inexact = 0, oi = -1, rc = 0;
    if (fee && fee->asset && fee->asset[0] && fee->amount != 0) {
        if (fee->scale < 0 || fee->scale > FEE_MAX_SCALE) return refuse(l, Q_E_INVAL);
        if (!strcmp(fee->asset, r->base)) {
            kind = FEE_BASE;
            rc = fee_to_units(fee->amount, fee->scale, r->lot.scale, r->lot.mult, &fu, &inexact);
            if (!rc && (fu > INT64_MAX || fu < INT64_MIN)) rc = Q_E_RANGE;
        } else if (!strcmp(fee->asset, r->quote)) {
            kind = FEE_QUOTE;
            rc = fee_to_units(fee->amount, fee->scale, r->tick.scale + r->lot.scale,
                              (__int128)r->tick.mult * r->lot.mult, &fu, &inexact);
        } else {
            kind = FEE_OTHER;
            if (strlen(fee->asset) >= sizeof l->other[0].name) return refuse(l, Q_E_INVAL);
            oi = other_find(l, fee->asset);
            if (oi < 0 && l->nother >= LEDGER_ASSETS) return refuse(l, Q_E_FULL);
            rc = fee_to_units(fee->amount, fee->scale, OTHER_SCALE, 1, &fu, &inexact);
        }
        if (rc) return refuse(l, rc);
    }
    int64_t fb = kind == FEE_BASE ? (int64_t)fu : 0;
    __int128 fq = kind == FEE_QUOTE ? fu : 0;

    /* every integer total, checked before anything is stored */
    __int128 notional = (__int128)price * qty; /* < 2^126: cannot overflow */
    __int128 d = side == SIDE_BUY ? (__int128)qty - fb : -((__int128)qty + fb); /* base change */
    __int128 nb = (__int128)l->base + d;
    if (nb > INT64_MAX || nb < INT64_MIN) return refuse(l, Q_E_RANGE);
    int64_t new_base = (int64_t)nb;
    __int128 nq, fee_quote, notional_sum, spent = 0;
    int64_t fee_base, traded, inv, fills, maker_fills = l->maker_fills;
    int bad = 0;
    if (side == SIDE_BUY) {
        bad |= __builtin_sub_overflow(l->quote, notional, &nq);
        bad |= __builtin_add_overflow(l->bought, qty, &traded);
        bad |= __builtin_add_overflow(l->buy_notional, notional, &notional_sum);
    } else {
        bad |= __builtin_add_overflow(l->quote, notional, &nq);
        bad |= __builtin_add_overflow(l->sold, qty, &traded);
        bad |= __builtin_add_overflow(l->sell_notional, notional, &notional_sum);
    }
    if (!bad) bad |= __builtin_sub_overflow(nq, fq, &nq);
    bad |= __builtin_add_overflow(l->fee_base, fb, &fee_base);
    bad |= __builtin_add_overflow(l->fee_quote, fq, &fee_quote);
    bad |= __builtin_sub_overflow(new_base, l->base_start, &inv);
    bad |= __builtin_add_overflow(l->fills, (int64_t)1, &fills);
    if (maker) bad |= __builtin_add_overflow(l->maker_fills, (int64_t)1, &maker_fills);
    if (kind == FEE_OTHER) bad |= __builtin_add_overflow(oi >= 0 ? l->other[oi].spent : 0, fu, &spent);
    if (bad) return refuse(l, Q_E_RANGE);

    /* accepted: store the integers */
    int64_t P = l->base; /* the position before the fill */
    l->base = new_base;
    l->quote = nq;
    l->fee_base = fee_base;
    l->fee_quote = fee_quote;
    if (side == SIDE_BUY) {
        l->bought = traded;
        l->buy_notional = notional_sum;
    } else {
        l->sold = traded;
        l->sell_notional = notional_sum;
    }
    l->fills = fills;
    l->maker_fills = maker_fills;
    if (inexact) l->fee_inexact++;
    ledger_asset_t *oa = 0;
    if (kind == FEE_OTHER) {
        if (oi < 0) {
            oi = l->nother++;
            memset(&l->other[oi], 0, sizeof l->other[oi]);
            memcpy(l->other[oi].name, fee->asset, strlen(fee->asset) + 1);
        }
        oa = &l->other[oi];
        oa->spent = spent;
    }

    /* the fee valued in quote (a base fee at the fill price) */
    double px = price * r->tick.value;
    double qty_real = (double)qty * r->lot.value;
    double fv = 0, fee_real = 0, other_value = 0;
    if (kind == FEE_BASE) {
        fv = (double)fb * r->lot.value * px;
    } else if (kind == FEE_QUOTE) {
        fv = fee_real = ledger_quote_real(l, fq);
    } else if (kind == FEE_OTHER) {
        if (oa->price > 0) {
            fv = other_value = (double)fu / 1e18 * oa->price;
            oa->value += other_value;
        } else {
            l->unvalued_fees++;
        }
    }

    /* signed average cost. The fill moves d lots of base for k of quote (k > 0 paid, k < 0
       received; the quote fee apart). A fill in the position's direction adds k to the cost;
       one against it realizes the closed lots at the effective price k/d (the fill price when
       there is no base fee) against the average cost, and opens any rest at that price. */
    double k = side == SIDE_BUY ? qty_real * px : -(qty_real * px);
    if (d == 0) {
        /* all the traded base went to fees: the cash is a cost of the position, or lost when flat */
        if (P == 0)
            l->realized -= k;
        else
            l->cost += k;
        l->realized -= fee_real;
    } else if (P == 0 || (P > 0) == (d > 0)) {
        l->cost += k;
        l->realized -= fee_real;
    } else {
        __int128 absP = P > 0 ? (__int128)P : -(__int128)P, absd = d > 0 ? d : -d;
        __int128 closed = absd < absP ? absd : absP, rest = absd - closed;
        double avg = l->cost / ((double)P * r->lot.value);
        double e = fb == 0 ? px : k / ((double)d * r->lot.value);
        double closed_real = (double)closed * r->lot.value;
        double pnl = P > 0 ? closed_real * (e - avg) : closed_real * (avg - e);
        l->realized += pnl - fee_real;
        if (P > 0)
            l->cost -= closed_real * avg;
        else
            l->cost += closed_real * avg;
        if (l->base == 0) l->cost = 0;
        if (rest > 0) {
            double rest_real = (double)rest * r->lot.value;
            l->cost = d > 0 ? rest_real * e : -(rest_real * e);
        }
    }
    if (kind == FEE_OTHER) {
        l->realized -= other_value;
        l->fees_other_value += other_value;
    }
    l->fees_quote_value += fv;
    if (fee_quote_value) *fee_quote_value = fv;

    if (inv < l->inv_min) l->inv_min = inv;
    if (inv > l->inv_max) l->inv_max = inv;
    if (l->base < 0 || l->quote < 0) l->negative++;
    return 0;
}

double ledger_equity(const ledger_t *l, double mark) {
    return ledger_quote_real(l, l->quote) + (double)l->base * l->rules->lot.value * mark - l->fees_other_value;
}

double ledger_pnl_equity(const ledger_t *l, double mark) { return ledger_equity(l, mark) - l->transfers_value; }

double ledger_unrealized(const ledger_t *l, double mark) {
    return (double)l->base * l->rules->lot.value * mark - l->cost;
}

int64_t ledger_inventory(const ledger_t *l) { return l->base - l->base_start; }

int ledger_transfer(ledger_t *l, int base, __int128 delta, double mark) {
    if (base) {
        __int128 b = (__int128)l->base + delta, bs = (__int128)l->base_start + delta;
        if (b > INT64_MAX || b < INT64_MIN || bs > INT64_MAX || bs < INT64_MIN) return Q_E_RANGE;
        /* the moved lots carry the current average cost, so no PnL comes of them */
        if (l->base != 0) l->cost += l->cost / (double)l->base * (double)delta;
        else if (l->start_mark > 0) l->cost += (double)delta * l->rules->lot.value * l->start_mark;
        l->base = (int64_t)b;
        l->base_start = (int64_t)bs;
        l->transfers_value += (double)delta * l->rules->lot.value * mark;
    } else {
        l->quote += delta;
        l->quote_start += delta;
        l->transfers_value += ledger_quote_real(l, delta);
    }
    if (l->base < 0 || l->quote < 0) l->negative++;
    l->transfers++;
    return 0;
}
