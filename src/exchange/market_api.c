/* market_api.c: the market data endpoints of the local exchange, one handler for REST and
 * the WebSocket API alike (args_t reads a query string or a params object; the answer is
 * a reply_t that each side renders). */
#include "state.h"
#include "../proto/errors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int qarg(const args_t *a, const char *name, char *out, int cap) {
    int n;
    if (!a->params) {
        const char *v = a->query ? params_get(a->query, name) : 0;
        if (!v) return 0;
        n = snprintf(out, (size_t)cap, "%s", v);
        return n < cap ? 1 : -1;
    }
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(a->params, name);
    if (cJSON_IsString(it)) {
        n = snprintf(out, (size_t)cap, "%s", it->valuestring);
    } else if (cJSON_IsNumber(it)) {
        double d = it->valuedouble;
        if (d == floor(d) && fabs(d) < 9e18) n = snprintf(out, (size_t)cap, "%lld", (long long)d);
        else n = snprintf(out, (size_t)cap, "%.15g", d);
    } else if (cJSON_IsArray(it)) { /* symbols=["BTCUSDT"] as the query string would carry it */
        return cJSON_PrintPreallocated((cJSON *)it, out, cap, 0) ? 1 : -1;
    } else {
        return it ? -1 : 0; /* an object or null where a value is due: malformed */
    }
    return n >= 0 && n < cap ? 1 : -1;
}

/* one symbol of exchangeInfo */
static int symbol_info(const xsym_t *x, char *b, int cap) {
    const symbol_rules_t *r = &x->rules;
    char tick[40], minp[40], maxp[40], step[40], minq[40], maxq[40];
    fx_format(1, &r->tick, 8, tick, sizeof tick);
    fx_format(r->min_price ? r->min_price : 1, &r->tick, 8, minp, sizeof minp);
    fx_format(r->max_price ? r->max_price : 100000000000LL, &r->tick, 8, maxp, sizeof maxp);
    fx_format(r->step_lots, &r->lot, 8, step, sizeof step);
    fx_format(r->min_qty ? r->min_qty : r->step_lots, &r->lot, 8, minq, sizeof minq);
    fx_format(r->max_qty ? r->max_qty : 900000000000LL, &r->lot, 8, maxq, sizeof maxq);
    char min_notional[56], max_notional[56];
    symbol_quote_format(r, r->min_notional, min_notional, sizeof min_notional);
    symbol_quote_format(r, r->max_notional, max_notional, sizeof max_notional);
    return snprintf(b, (size_t)cap,
        "{\"symbol\":\"%s\",\"status\":\"%s\",\"baseAsset\":\"%s\","
        "\"baseAssetPrecision\":8,\"quoteAsset\":\"%s\",\"quotePrecision\":8,\"quoteAssetPrecision\":8,"
        "\"baseCommissionPrecision\":8,\"quoteCommissionPrecision\":8,"
        "\"orderTypes\":[\"LIMIT\",\"LIMIT_MAKER\",\"MARKET\"],\"icebergAllowed\":false,\"ocoAllowed\":false,"
        "\"otoAllowed\":false,\"quoteOrderQtyMarketAllowed\":true,\"allowTrailingStop\":false,"
        "\"cancelReplaceAllowed\":true,\"amendAllowed\":true,\"isSpotTradingAllowed\":true,"
        "\"isMarginTradingAllowed\":false,\"filters\":["
        "{\"filterType\":\"PRICE_FILTER\",\"minPrice\":\"%s\",\"maxPrice\":\"%s\",\"tickSize\":\"%s\"},"
        "{\"filterType\":\"LOT_SIZE\",\"minQty\":\"%s\",\"maxQty\":\"%s\",\"stepSize\":\"%s\"},"
        "{\"filterType\":\"NOTIONAL\",\"minNotional\":\"%s\",\"applyMinToMarket\":%s,"
        "\"maxNotional\":\"%s\",\"applyMaxToMarket\":false,\"avgPriceMins\":5},"
        "{\"filterType\":\"MAX_NUM_ORDERS\",\"maxNumOrders\":%d}],"
        "\"permissions\":[],\"permissionSets\":[[\"SPOT\"]],\"defaultSelfTradePreventionMode\":\"EXPIRE_MAKER\","
        "\"allowedSelfTradePreventionModes\":[\"NONE\",\"EXPIRE_TAKER\",\"EXPIRE_MAKER\",\"EXPIRE_BOTH\"]}",
        r->symbol, xsymstatus_name(x->match.status), r->base, r->quote, minp, maxp, tick, minq, maxq, step,
        min_notional, r->min_notional_applies ? "true" : "false", max_notional, r->max_num_orders ? r->max_num_orders : 200);
}

/* exchangeInfo of the symbols selected */
static int exchange_info(xsym_t *const *sel, int n, char *b, int cap) {
    int len = snprintf(b, (size_t)cap,
        "{\"timezone\":\"UTC\",\"serverTime\":%lld,\"rateLimits\":["
        "{\"rateLimitType\":\"REQUEST_WEIGHT\",\"interval\":\"MINUTE\",\"intervalNum\":1,\"limit\":%d},"
        "{\"rateLimitType\":\"ORDERS\",\"interval\":\"SECOND\",\"intervalNum\":10,\"limit\":%d},"
        "{\"rateLimitType\":\"ORDERS\",\"interval\":\"DAY\",\"intervalNum\":1,\"limit\":%d},"
        "{\"rateLimitType\":\"RAW_REQUESTS\",\"interval\":\"MINUTE\",\"intervalNum\":5,\"limit\":%d}],"
        "\"exchangeFilters\":[],\"symbols\":[",
        (long long)(wall_ns() / 1000000), S.rl.weight_limit, S.rl.orders10_limit, S.rl.ordersday_limit, S.rl.raw_limit);
    for (int i = 0; i < n && len > 0 && len < cap; i++) {
        if (i) b[len++] = ',';
        int w = symbol_info(sel[i], b + len, cap - len - 4);
        if (w < 0 || w >= cap - len - 4) return -1;
        len += w;
    }
    if (len <= 0 || len + 3 >= cap) return -1;
    memcpy(b + len, "]}", 3);
    return len + 2;
}

/* Binance's request weights */
int endpoint_weight(const args_t *a, const char *method, const char *path) {
    char v[300];
    int has_symbol = qarg(a, "symbol", v, sizeof v);
    if (!strcmp(path, "/api/v3/exchangeInfo")) return 20;
    if (!strcmp(path, "/api/v3/depth")) {
        int limit = 100;
        int64_t x;
        if (qarg(a, "limit", v, sizeof v) && !proto_parse_i64(v, &x)) limit = x > 5000 ? 5000 : (int)x;
        return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
    }
    if (!strcmp(path, "/api/v3/trades")) return 25;
    if (!strcmp(path, "/api/v3/aggTrades")) return 4;
    if (!strcmp(path, "/api/v3/klines") || !strcmp(path, "/api/v3/uiKlines") || !strcmp(path, "/api/v3/avgPrice")) return 2;
    if (!strcmp(path, "/api/v3/ticker/price")) return has_symbol ? 2 : 4;
    if (!strcmp(path, "/api/v3/ticker/bookTicker")) return has_symbol ? 2 : 4;
    if (!strcmp(path, "/api/v3/ticker/24hr"))
        return has_symbol || qarg(a, "symbols", v, sizeof v) ? 2 : 80;
    if (!strcmp(path, "/api/v3/account") || !strcmp(path, "/api/v3/myTrades") || !strcmp(path, "/api/v3/account/commission"))
        return 20;
    if (!strcmp(path, "/api/v3/openOrders")) return method[0] == 'G' ? (has_symbol ? 6 : 80) : 1;
    if (!strcmp(path, "/api/v3/order")) return method[0] == 'G' ? 4 : 1;
    if (!strcmp(path, "/api/v3/order/amend/keepPriority")) return 4;
    if (!strcmp(path, "/api/v3/order/test")) return qarg(a, "computeCommissionRates", v, sizeof v) && !strcmp(v, "true") ? 20 : 1;
    return 1;
}

/* "symbol": the symbol, or NULL with the error in r (BE_MANDATORY_PARAM_EMPTY_OR_MALFORMED missing, BE_BAD_SYMBOL unknown) */
static xsym_t *symbol_arg(reply_t *r, const args_t *a) {
    char sym[64];
    int q = qarg(a, "symbol", sym, sizeof sym);
    if (q < 0) return rfail(r, 400, BE_BAD_SYMBOL, "Invalid symbol."), (xsym_t *)0;
    if (!q) {
        rfail(r, 400, BE_MANDATORY_PARAM_EMPTY_OR_MALFORMED, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
        return 0;
    }
    xsym_t *x = sym_find(sym);
    if (!x) rfail(r, 400, BE_BAD_SYMBOL, "Invalid symbol.");
    return x;
}

/* "symbol" or "symbols" (a JSON list), or neither: every symbol. Fills sel (LISTING_MAX),
   *n and *one (the answer is one object, not a list); 0 with the error in r. */
static int symbols_arg(reply_t *r, const args_t *a, xsym_t **sel, int *n, int *one) {
    char sym[64], list[1024];
    int has_one = qarg(a, "symbol", sym, sizeof sym), has_list = qarg(a, "symbols", list, sizeof list);
    if (has_one < 0 || has_list < 0) return rfail(r, 400, BE_BAD_SYMBOL, "Invalid symbol."), 0;
    *n = 0;
    *one = has_one;
    if (has_one && has_list) return rfail(r, 400, BE_OPTIONAL_PARAMS_BAD_COMBO, "Combination of optional parameters invalid."), 0;
    if (has_one) {
        if (!(sel[0] = sym_find(sym))) return rfail(r, 400, BE_BAD_SYMBOL, "Invalid symbol."), 0;
        *n = 1;
        return 1;
    }
    if (!has_list) {
        for (int i = 0; i < S.nsym; i++) sel[(*n)++] = &S.sym[i];
        return 1;
    }
    cJSON *j = cJSON_Parse(list);
    int ok = cJSON_IsArray(j) && cJSON_GetArraySize(j) > 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, j) {
        xsym_t *x = cJSON_IsString(it) ? sym_find(it->valuestring) : 0;
        if (!ok || !x || *n == LISTING_MAX) {
            ok = 0;
            break;
        }
        for (int i = 0; i < *n; i++)
            if (sel[i] == x) ok = 0; /* named twice */
        sel[(*n)++] = x;
    }
    cJSON_Delete(j);
    if (!ok) {
        rfail(r, 400, BE_BAD_SYMBOL, "Invalid symbol.");
        return 0;
    }
    return 1;
}

/* one object per symbol selected by emit(x, buf, cap) -> length or -1: the object when one
   symbol was asked for by "symbol", else a list */
static void per_symbol(reply_t *r, xsym_t **sel, int n, int one, int (*emit)(xsym_t *, int, char *, int), int arg,
                       char *body, int cap) {
    int len = 0;
    if (!one) body[len++] = '[';
    for (int i = 0; i < n; i++) {
        if (i) body[len++] = ',';
        int w = emit(sel[i], arg, body + len, cap - len - 2);
        if (w < 0 || w >= cap - len - 2) return (void)rfail(r, 500, BE_UNKNOWN, "An unknown error occurred while processing the request.");
        len += w;
    }
    if (!one) body[len++] = ']';
    body[len] = 0;
    rok(r, body, len);
}

static int emit_ticker24(xsym_t *x, int mini, char *b, int cap) {
    return market_ticker24_json(&x->mkt, wall_ns() / 1000000, mini, b, cap);
}
static int emit_book(xsym_t *x, int unused, char *b, int cap) {
    (void)unused;
    return market_bookticker_json(&x->mkt, b, cap);
}
static int emit_price(xsym_t *x, int unused, char *b, int cap) {
    (void)unused;
    const market_t *m = &x->mkt;
    const market_trade_t *t = m->ntrades ? &m->trades[(m->ntrades - 1) % MARKET_TRADES] : 0;
    char p[40];
    fx_format(t ? t->price : 0, &x->rules.tick, 8, p, sizeof p);
    return snprintf(b, (size_t)cap, "{\"symbol\":\"%s\",\"price\":\"%s\"}", x->rules.symbol, p);
}


static int int_arg(const args_t *a, const char *name, int def, int lo, int hi, int *out) {
    char v[32];
    int q = qarg(a, name, v, sizeof v);
    if (q < 0) return 0; /* too long to be a number in range */
    if (!q) {
        *out = def;
        return 1;
    }
    int64_t x;
    if (proto_parse_i64(v, &x) || x < lo || x > hi) return 0;
    *out = (int)x;
    return 1;
}

/* "limit": absent (def) or 1..max, else BE_ILLEGAL_CHARS as Binance words it */
static int limit_arg(reply_t *r, const args_t *a, int def, int max, int *limit) {
    if (int_arg(a, "limit", def, 1, max, limit)) return 1;
    char m[120];
    snprintf(m, sizeof m, "Illegal characters found in parameter 'limit'; legal range is '1' to '%d'.", max);
    rfail(r, 400, BE_ILLEGAL_CHARS, m);
    return 0;
}

/* an optional time in ms or id (startTime, endTime, fromId): absent (MARKET_ABSENT) or
   0..INT64_MAX, else BE_ILLEGAL_CHARS; 1 when fine */
static int time_arg(reply_t *r, const args_t *a, const char *name, long long *out) {
    char v[64], m[160];
    int64_t x = 0;
    *out = MARKET_ABSENT;
    int q = qarg(a, name, v, sizeof v);
    if (!q) return 1;
    if (q > 0 && !proto_parse_i64(v, &x) && x >= 0) {
        *out = x;
        return 1;
    }
    snprintf(m, sizeof m, "Illegal characters found in parameter '%s'; legal range is '0' to '9223372036854775807'.", name);
    rfail(r, 400, BE_ILLEGAL_CHARS, m);
    return 0;
}

/* a body written into a buffer, or -1 when it did not fit */
static void answer(reply_t *r, const char *body, int n) {
    if (n < 0) rfail(r, 500, BE_UNKNOWN, "An unknown error occurred while processing the request.");
    else rok(r, body, n);
}

/* the market data endpoints, for REST and the WebSocket API alike (see args_t) */
void market_data(reply_t *r, const args_t *a, const char *path) {
    static char body[RESP_MAX];
    int n, limit;
    if (!strcmp(path, "/api/v3/ping")) return (void)rok(r, "{}", 2);
    if (!strcmp(path, "/api/v3/time")) {
        n = snprintf(body, sizeof body, "{\"serverTime\":%lld}", (long long)(wall_ns() / 1000000));
        return (void)rok(r, body, n);
    }
    xsym_t *sel[LISTING_MAX], *x;
    int nsel, one;
    if (!strcmp(path, "/api/v3/exchangeInfo")) {
        if (!symbols_arg(r, a, sel, &nsel, &one)) return;
        return answer(r, body, exchange_info(sel, nsel, body, sizeof body));
    }
    if (!strcmp(path, "/api/v3/depth")) {
        if (!(x = symbol_arg(r, a)) || !limit_arg(r, a, 100, 5000, &limit)) return;
        n = market_depth_json(&x->mkt, limit, body, sizeof body);
        return answer(r, body, n);
    }
    if (!strcmp(path, "/api/v3/trades")) {
        if (!(x = symbol_arg(r, a)) || !limit_arg(r, a, 500, 1000, &limit)) return;
        return answer(r, body, market_trades_json(&x->mkt, limit, body, sizeof body));
    }
    if (!strcmp(path, "/api/v3/klines") || !strcmp(path, "/api/v3/uiKlines")) {
        static const struct { const char *name; int minutes; } intervals[] = {
            {"1m", 1}, {"3m", 3}, {"5m", 5}, {"15m", 15}, {"30m", 30}, {"1h", 60}, {"2h", 120},
            {"4h", 240}, {"6h", 360}, {"8h", 480}, {"12h", 720}, {"1d", 1440}};
        char iv[16] = "";
        long long st, en;
        int minutes = 0;
        if (!(x = symbol_arg(r, a))) return;
        if (!qarg(a, "interval", iv, sizeof iv))
            return (void)rfail(r, 400, BE_MANDATORY_PARAM_EMPTY_OR_MALFORMED, "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.");
        for (size_t i = 0; i < sizeof intervals / sizeof *intervals; i++)
            if (!strcmp(iv, intervals[i].name)) minutes = intervals[i].minutes;
        if (!minutes) return (void)rfail(r, 400, BE_BAD_INTERVAL, "Invalid interval.");
        if (!limit_arg(r, a, 500, 1000, &limit)) return;
        if (!time_arg(r, a, "startTime", &st) || !time_arg(r, a, "endTime", &en)) return;
        if (st != MARKET_ABSENT && en != MARKET_ABSENT && en < st)
            return (void)rfail(r, 400, BE_OPTIONAL_PARAMS_BAD_COMBO, "Combination of optional parameters invalid.");
        n = market_klines_query_json(&x->mkt, wall_ns() / 1000000, minutes, st, en, limit, body, sizeof body);
        return answer(r, body, n);
    }
    if (!strcmp(path, "/api/v3/avgPrice")) {
        if (!(x = symbol_arg(r, a))) return;
        n = market_avgprice_json(&x->mkt, wall_ns() / 1000000, 5, body, sizeof body);
        return (void)rok(r, body, n);
    }
    if (!strcmp(path, "/api/v3/ticker/price")) {
        if (!symbols_arg(r, a, sel, &nsel, &one)) return;
        return per_symbol(r, sel, nsel, one, emit_price, 0, body, sizeof body);
    }
    if (!strcmp(path, "/api/v3/aggTrades")) {
        long long from, st, en;
        if (!(x = symbol_arg(r, a))) return;
        if (!limit_arg(r, a, 500, 1000, &limit)) return;
        if (!time_arg(r, a, "fromId", &from) || !time_arg(r, a, "startTime", &st) || !time_arg(r, a, "endTime", &en)) return;
        if (st != MARKET_ABSENT && en != MARKET_ABSENT && en < st)
            return (void)rfail(r, 400, BE_OPTIONAL_PARAMS_BAD_COMBO, "Combination of optional parameters invalid.");
        n = market_aggtrades_query_json(&x->mkt, limit, from, st, en, body, sizeof body);
        return answer(r, body, n);
    }
    if (!strcmp(path, "/api/v3/ticker/24hr")) {
        char type[16] = "FULL";
        qarg(a, "type", type, sizeof type);
        if (strcmp(type, "FULL") && strcmp(type, "MINI"))
            return (void)rfail(r, 400, BE_ILLEGAL_CHARS, "Illegal characters found in parameter 'type'; legal range is 'FULL', 'MINI'.");
        if (!symbols_arg(r, a, sel, &nsel, &one)) return;
        return per_symbol(r, sel, nsel, one, emit_ticker24, type[0] == 'M', body, sizeof body);
    }
    if (!strcmp(path, "/api/v3/ticker/bookTicker")) {
        if (!symbols_arg(r, a, sel, &nsel, &one)) return;
        return per_symbol(r, sel, nsel, one, emit_book, 0, body, sizeof body);
    }
    lwsl_user("rejected: GET %s (unknown endpoint)\n", path);
    rfail(r, 404, BE_UNKNOWN, "Unknown endpoint.");
}

