/* exchange_info.c: exchangeInfo -> symbol_rules_t (see exchange_info.h). */
#include "exchange_info.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"
#include "recording.h"

static const char *str_of(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : 0;
}

/* a printed field into its slot; one too long for it becomes "?", which no conversion takes,
   rather than a shorter, different number */
static void put(char *dst, size_t cap, const char *s) {
    if (strlen(s) >= cap) s = "?";
    memcpy(dst, s, strlen(s) + 1);
}

/* a field of a filter: its value, or "" when the filter does not give it */
static void put_field(char *dst, size_t cap, const cJSON *f, const char *key) {
    const char *s = str_of(f, key);
    put(dst, cap, s ? s : "");
}

int exinfo_entry_parse(const char *json, size_t n, const char *symbol, exinfo_entry_t *e, char *err, int errcap) {
    cJSON *root = cJSON_ParseWithLength(json, n);
    if (!root) {
        snprintf(err, (size_t)errcap, "exchangeInfo: not valid JSON");
        return Q_E_PARSE;
    }
    int rc = Q_E_NOTFOUND;
    snprintf(err, (size_t)errcap, "exchangeInfo: symbol %s not found", symbol);
    const cJSON *sym;
    cJSON_ArrayForEach(sym, cJSON_GetObjectItemCaseSensitive(root, "symbols")) {
        const char *name = str_of(sym, "symbol");
        if (!name || strcmp(name, symbol) != 0) continue;
        memset(e, 0, sizeof *e);
        err[0] = 0;
        rc = 0;
        put(e->symbol, sizeof e->symbol, name);
        put_field(e->status, sizeof e->status, sym, "status");
        put_field(e->base, sizeof e->base, sym, "baseAsset");
        put_field(e->quote, sizeof e->quote, sym, "quoteAsset");
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(sym, "filters")) {
            const char *type = str_of(f, "filterType");
            if (!type) continue;
            if (!strcmp(type, "PRICE_FILTER")) {
                if (str_of(f, "tickSize")) put_field(e->tick, sizeof e->tick, f, "tickSize");
                put_field(e->min_price, sizeof e->min_price, f, "minPrice");
                put_field(e->max_price, sizeof e->max_price, f, "maxPrice");
            } else if (!strcmp(type, "LOT_SIZE")) {
                if (str_of(f, "stepSize")) put_field(e->step, sizeof e->step, f, "stepSize");
                put_field(e->min_qty, sizeof e->min_qty, f, "minQty");
                put_field(e->max_qty, sizeof e->max_qty, f, "maxQty");
            } else if (!strcmp(type, "MIN_NOTIONAL") || !strcmp(type, "NOTIONAL")) {
                if (str_of(f, "minNotional")) put_field(e->min_notional, sizeof e->min_notional, f, "minNotional");
                if (str_of(f, "maxNotional")) put_field(e->max_notional, sizeof e->max_notional, f, "maxNotional");
                const cJSON *ap = cJSON_GetObjectItemCaseSensitive(f, "applyToMarket");
                if (!ap) ap = cJSON_GetObjectItemCaseSensitive(f, "applyMinToMarket");
                e->notional_applies = cJSON_IsTrue(ap);
            } else if (!strcmp(type, "MAX_NUM_ORDERS")) {
                const cJSON *m = cJSON_GetObjectItemCaseSensitive(f, "maxNumOrders");
                if (cJSON_IsNumber(m)) e->max_num_orders = m->valueint;
            }
        }
        break;
    }
    cJSON_Delete(root);
    return rc;
}

/* a decimal field in units u; an empty or zero value ("0.00000000") disables the rule and gives 0 */
static int dec_field(const char *key, const char *s, const fx_unit_t *u, int64_t *out, char *err, int errcap) {
    if (!s[0]) { *out = 0; return 0; }
    int rc = fx_parse(s, strlen(s), u, out);
    if (rc) snprintf(err, (size_t)errcap, "exchangeInfo: %s \"%s\": %s", key, s, q_strerror(rc));
    return rc;
}

/* A notional in tick*lot units, as symbol_notional_parse counts it (rounded up), for values
   its 64-bit parse cannot hold: `quoter exchange` advertises maxNotional = maxPrice * maxQty
   ("9000000000.00000000" on 0.01 ticks and 1e-8 lots is 9e19 units of 1e-10), and a recording
   of it carries that line. Plain decimals only, as exchangeInfo prints them. */
static int notional_wide(const symbol_rules_t *r, const char *s, __int128 *out) {
    int scale = r->tick.scale + r->lot.scale, frac = -1, digits = 0;
    __int128 acc = 0;
    for (; *s; s++) {
        if (*s == '.' && frac < 0) { frac = 0; continue; }
        unsigned d = (unsigned)(*s - '0');
        if (d > 9) return Q_E_PARSE;
        digits++;
        if (frac >= scale) {
            if (d) return Q_E_INEXACT; /* finer than the units, as the 64-bit parse says */
            continue;
        }
        if (acc > ((__int128)1 << 100)) return Q_E_RANGE;
        acc = acc * 10 + d;
        if (frac >= 0) frac++;
    }
    if (!digits) return Q_E_PARSE;
    for (int i = frac < 0 ? 0 : frac; i < scale; i++) acc *= 10;
    __int128 m = (__int128)r->tick.mult * r->lot.mult;
    *out = (acc + m - 1) / m;
    return 0;
}

static int notional(const symbol_rules_t *r, const char *s, __int128 *out) {
    int rc = symbol_notional_parse(r, s, out);
    return rc == Q_E_RANGE ? notional_wide(r, s, out) : rc;
}

int exinfo_entry_rules(const exinfo_entry_t *e, symbol_rules_t *r, char *err, int errcap) {
    memset(r, 0, sizeof *r);
    err[0] = 0;
    snprintf(r->symbol, sizeof r->symbol, "%s", e->symbol);
    snprintf(r->base, sizeof r->base, "%s", e->base);
    snprintf(r->quote, sizeof r->quote, "%s", e->quote);
    /* units first: every other field is counted in them */
    fx_unit_t step;
    if (fx_unit_parse(e->tick, strlen(e->tick), &r->tick) || fx_unit_parse(e->step, strlen(e->step), &step) ||
        symbol_set_step(r, &step)) {
        snprintf(err, (size_t)errcap, "exchangeInfo: %s lacks a valid PRICE_FILTER tickSize or LOT_SIZE stepSize", e->symbol);
        return Q_E_PARSE;
    }
    int rc;
    if ((rc = dec_field("minPrice", e->min_price, &r->tick, &r->min_price, err, errcap)) ||
        (rc = dec_field("maxPrice", e->max_price, &r->tick, &r->max_price, err, errcap)) ||
        (rc = dec_field("minQty", e->min_qty, &r->lot, &r->min_qty, err, errcap)) ||
        (rc = dec_field("maxQty", e->max_qty, &r->lot, &r->max_qty, err, errcap)))
        return rc;
    if (e->min_notional[0] && (rc = notional(r, e->min_notional, &r->min_notional))) {
        snprintf(err, (size_t)errcap, "exchangeInfo: minNotional \"%s\": %s", e->min_notional, q_strerror(rc));
        return rc;
    }
    if (e->max_notional[0] && (rc = notional(r, e->max_notional, &r->max_notional))) {
        snprintf(err, (size_t)errcap, "exchangeInfo: maxNotional \"%s\": %s", e->max_notional, q_strerror(rc));
        return rc;
    }
    r->min_notional_applies = e->notional_applies;
    r->max_num_orders = e->max_num_orders;
    return 0;
}

int exinfo_parse(const char *json, size_t n, const char *symbol, symbol_rules_t *r, char *err,
                 int errcap) {
    exinfo_entry_t e;
    int rc = exinfo_entry_parse(json, n, symbol, &e, err, errcap);
    return rc ? rc : exinfo_entry_rules(&e, r, err, errcap);
}

int exinfo_load(const char *path, const char *symbol, symbol_rules_t *r, char *err, int errcap) {
    char *buf = 0;
    size_t len = 0, cap = 0;
    int rc = recording_load_file(path, &buf, &len, &cap, err, (size_t)errcap);
    if (rc == 0) {
        rc = exinfo_parse(buf, len, symbol, r, err, errcap);
        if (rc) {
            char tmp[256];
            snprintf(tmp, sizeof tmp, "%s: %s", path, err);
            snprintf(err, (size_t)errcap, "%s", tmp);
        }
    }
    free(buf);
    return rc;
}

/* appends "name a -> b" to buf */
static void add_diff(char *buf, size_t cap, int *n, const char *name, const char *a, const char *b) {
    size_t o = strlen(buf);
    if (o < cap) snprintf(buf + o, cap - o, "%s%s %s -> %s", (*n)++ ? ", " : "", name, a[0] ? a : "none", b[0] ? b : "none");
}

/* v in unit u, "" for 0 (a rule that is off) */
static const char *fmt(int64_t v, const fx_unit_t *u, char *s, size_t cap) {
    if (!v) s[0] = 0;
    else if (fx_format(v, u, 0, s, cap) < 0) snprintf(s, cap, "?");
    return s;
}

int exinfo_rules_diff(const symbol_rules_t *a, const symbol_rules_t *b, char *buf, size_t cap) {
    int n = 0;
    char x[64], y[64];
    buf[0] = 0;
    if (strcmp(a->base, b->base)) add_diff(buf, cap, &n, "baseAsset", a->base, b->base);
    if (strcmp(a->quote, b->quote)) add_diff(buf, cap, &n, "quoteAsset", a->quote, b->quote);
    if (a->tick.scale != b->tick.scale || a->tick.mult != b->tick.mult)
        add_diff(buf, cap, &n, "tickSize", fmt(1, &a->tick, x, sizeof x), fmt(1, &b->tick, y, sizeof y));
    if (a->step.scale != b->step.scale || a->step.mult != b->step.mult)
        add_diff(buf, cap, &n, "stepSize", fmt(1, &a->step, x, sizeof x), fmt(1, &b->step, y, sizeof y));
    /* the bounds compare as decimals: counted in different units they may still be equal */
    struct { const char *name; int64_t va, vb; const fx_unit_t *ua, *ub; } f[] = {
        {"minPrice", a->min_price, b->min_price, &a->tick, &b->tick},
        {"maxPrice", a->max_price, b->max_price, &a->tick, &b->tick},
        {"minQty", a->min_qty, b->min_qty, &a->lot, &b->lot},
        {"maxQty", a->max_qty, b->max_qty, &a->lot, &b->lot},
    };
    for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
        fmt(f[i].va, f[i].ua, x, sizeof x);
        fmt(f[i].vb, f[i].ub, y, sizeof y);
        if (strcmp(x, y)) add_diff(buf, cap, &n, f[i].name, x, y);
    }
    struct { const char *name; __int128 va, vb; } g[] = {
        {"minNotional", a->min_notional, b->min_notional},
        {"maxNotional", a->max_notional, b->max_notional},
    };
    for (size_t i = 0; i < sizeof g / sizeof *g; i++) {
        if (g[i].va) symbol_quote_format(a, g[i].va, x, sizeof x); else x[0] = 0;
        if (g[i].vb) symbol_quote_format(b, g[i].vb, y, sizeof y); else y[0] = 0;
        if (strcmp(x, y)) add_diff(buf, cap, &n, g[i].name, x, y);
    }
    if (a->min_notional_applies != b->min_notional_applies)
        add_diff(buf, cap, &n, "applyMinToMarket", a->min_notional_applies ? "true" : "false",
                 b->min_notional_applies ? "true" : "false");
    if (a->max_num_orders != b->max_num_orders) {
        snprintf(x, sizeof x, "%d", a->max_num_orders);
        snprintf(y, sizeof y, "%d", b->max_num_orders);
        add_diff(buf, cap, &n, "maxNumOrders", x, y);
    }
    return n;
}
