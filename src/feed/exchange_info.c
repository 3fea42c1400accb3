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

/* a decimal field in units u; a zero value ("0.00000000") disables the rule and gives 0 */
static int dec_field(const cJSON *f, const char *key, const fx_unit_t *u, int64_t *out, char *err,
                     int errcap) {
    const char *s = str_of(f, key);
    if (!s) { *out = 0; return 0; }
    int rc = fx_parse(s, strlen(s), u, out);
    if (rc) snprintf(err, (size_t)errcap, "exchangeInfo: %s \"%s\": %s", key, s, q_strerror(rc));
    return rc;
}

int exinfo_parse(const char *json, size_t n, const char *symbol, symbol_rules_t *r, char *err,
                 int errcap) {
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
        memset(r, 0, sizeof *r);
        err[0] = 0;
        snprintf(r->symbol, sizeof r->symbol, "%s", name);
        const char *b = str_of(sym, "baseAsset"), *q = str_of(sym, "quoteAsset");
        snprintf(r->base, sizeof r->base, "%s", b ? b : "");
        snprintf(r->quote, sizeof r->quote, "%s", q ? q : "");
        const cJSON *filters = cJSON_GetObjectItemCaseSensitive(sym, "filters"), *f;
        /* units first: every other field is counted in them */
        int have_tick = 0, have_step = 0;
        cJSON_ArrayForEach(f, filters) {
            const char *type = str_of(f, "filterType");
            const char *v = 0;
            if (type && !strcmp(type, "PRICE_FILTER") && (v = str_of(f, "tickSize")))
                have_tick = fx_unit_parse(v, strlen(v), &r->tick) == 0;
            fx_unit_t step;
            if (type && !strcmp(type, "LOT_SIZE") && (v = str_of(f, "stepSize")))
                have_step = fx_unit_parse(v, strlen(v), &step) == 0 && symbol_set_step(r, &step) == 0;
        }
        if (!have_tick || !have_step) {
            snprintf(err, (size_t)errcap, "exchangeInfo: %s lacks a valid PRICE_FILTER tickSize or LOT_SIZE stepSize", symbol);
            rc = Q_E_PARSE;
            break;
        }
        rc = 0;
        cJSON_ArrayForEach(f, filters) {
            const char *type = str_of(f, "filterType");
            if (!type) continue;
            if (!strcmp(type, "PRICE_FILTER")) {
                if ((rc = dec_field(f, "minPrice", &r->tick, &r->min_price, err, errcap))) break;
                if ((rc = dec_field(f, "maxPrice", &r->tick, &r->max_price, err, errcap))) break;
            } else if (!strcmp(type, "LOT_SIZE")) {
                if ((rc = dec_field(f, "minQty", &r->lot, &r->min_qty, err, errcap))) break;
                if ((rc = dec_field(f, "maxQty", &r->lot, &r->max_qty, err, errcap))) break;
            } else if (!strcmp(type, "MIN_NOTIONAL") || !strcmp(type, "NOTIONAL")) {
                const char *mn = str_of(f, "minNotional"), *mx = str_of(f, "maxNotional");
                if (mn && (rc = symbol_notional_parse(r, mn, &r->min_notional))) break;
                if (mx && (rc = symbol_notional_parse(r, mx, &r->max_notional))) break;
                const cJSON *ap = cJSON_GetObjectItemCaseSensitive(f, "applyToMarket");
                if (!ap) ap = cJSON_GetObjectItemCaseSensitive(f, "applyMinToMarket");
                r->min_notional_applies = cJSON_IsTrue(ap);
            } else if (!strcmp(type, "MAX_NUM_ORDERS")) {
                const cJSON *m = cJSON_GetObjectItemCaseSensitive(f, "maxNumOrders");
                if (cJSON_IsNumber(m)) r->max_num_orders = m->valueint;
            }
        }
        if (rc && !err[0]) snprintf(err, (size_t)errcap, "exchangeInfo: %s", q_strerror(rc));
        break;
    }
    cJSON_Delete(root);
    return rc;
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
