/* symbol.c: exchange filter checks in exact integer arithmetic. */
#include "symbol.h"

#include <stdint.h>
#include <string.h>

#include "err.h"

int symbol_price_ok(const symbol_rules_t *r, int64_t price) {
    return price > 0 && !(r->min_price && price < r->min_price) && !(r->max_price && price > r->max_price);
}

int symbol_qty_ok(const symbol_rules_t *r, int64_t qty) {
    return qty > 0 && !(r->min_qty && qty < r->min_qty) && !(r->max_qty && qty > r->max_qty) && qty % r->step_lots == 0;
}

int symbol_notional_ok(const symbol_rules_t *r, __int128 notional, int market) {
    if (r->min_notional && (!market || r->min_notional_applies) && notional < r->min_notional) return 0;
    return !(r->max_notional && !market && notional > r->max_notional); /* applyMaxToMarket: false */
}

const char *symbol_check_order(const symbol_rules_t *r, int64_t price, int64_t qty) {
    if (!symbol_price_ok(r, price)) return "PRICE_FILTER";
    if (!symbol_qty_ok(r, qty)) return "LOT_SIZE";
    if (!symbol_notional_ok(r, (__int128)price * qty, 0)) return "NOTIONAL";
    return 0;
}

int symbol_notional_parse(const symbol_rules_t *r, const char *s, __int128 *out) {
    /* notional in units of tick*lot = mult_t*mult_l * 10^-(scale_t+scale_l) */
    fx_unit_t u;
    int scale = r->tick.scale + r->lot.scale;
    if (scale > FX_MAX_SCALE) return Q_E_RANGE;
    int rc = fx_unit_make(0, 1, &u);
    if (rc) return rc;
    u.scale = scale; /* count in 10^-scale units; exactness not required here */
    u.mult = 1;
    int64_t v;
    /* parse with enough places; digits beyond `scale` must be zero (true for Binance values) */
    rc = fx_parse(s, strlen(s), &u, &v);
    if (rc) return rc;
    __int128 m = (__int128)r->tick.mult * r->lot.mult;
    *out = ((__int128)v + m - 1) / m;
    return 0;
}

int symbol_set_step(symbol_rules_t *r, const fx_unit_t *step) {
    r->step = *step;
    if (step->scale >= 8) {
        r->lot = *step;
        r->step_lots = 1;
        return 0;
    }
    int rc = fx_unit_make(8, 1, &r->lot);
    if (rc) return rc;
    int64_t k = step->mult;
    for (int i = step->scale; i < 8; i++) {
        if (k > INT64_MAX / 10) return Q_E_RANGE; /* a step of more than ~9e10 base units */
        k *= 10;
    }
    r->step_lots = k;
    return 0;
}

const char *symbol_quote_format(const symbol_rules_t *r, __int128 v, char *buf, size_t cap) {
    int scale = r->tick.scale + r->lot.scale;
    int neg = v < 0;
    unsigned __int128 x = (unsigned __int128)(neg ? -v : v) * (unsigned __int128)(r->tick.mult * r->lot.mult);
    for (; scale > 8; scale--) x /= 10;
    for (; scale < 8; scale++) x *= 10;
    char digits[48];
    int n = 0;
    do { /* at least 9 digits: "0." and 8 places */
        digits[n++] = (char)('0' + (int)(x % 10));
        x /= 10;
    } while ((x || n < 9) && n < (int)sizeof digits);
    size_t o = 0;
    if (neg && o + 1 < cap) buf[o++] = '-';
    for (int i = n - 1; i >= 0 && o + 2 < cap; i--) {
        buf[o++] = digits[i];
        if (i == 8) buf[o++] = '.';
    }
    buf[o] = 0;
    return buf;
}

const char *symbol_filter_failure(const char *filter) {
    static const char *const msgs[] = {"Filter failure: PRICE_FILTER", "Filter failure: LOT_SIZE",
                                       "Filter failure: NOTIONAL", "Filter failure: MARKET_LOT_SIZE",
                                       "Filter failure: MAX_NUM_ORDERS"};
    for (size_t i = 0; i < sizeof msgs / sizeof *msgs; i++)
        if (!strcmp(msgs[i] + 16, filter)) return msgs[i];
    return "Filter failure";
}
