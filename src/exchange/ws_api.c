/* ws_api.c: the WebSocket API at /ws-api/v3: requests {"id","method","params"} answered
 * {"id","status","result"|"error","rateLimits"}; session.logon (Ed25519), signed requests
 * (params sorted by name, raw), order and account methods mapped onto the REST endpoints'
 * handlers, and the user data subscriptions (userDataStream.subscribe[.signature]). */
#include "state.h"
#include "../proto/errors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cJSON params -> params_t; the payload a client signs: every param but signature,
   sorted by name, k=v joined by '&', values as their text. 0, or the Binance code. */
static int ws_params(const cJSON *params, params_t *p) {
    params_reset(p);
    if (!params) return 0;
    if (!cJSON_IsObject(params)) {
        p->code = BE_TOO_MANY_PARAMETERS;
        snprintf(p->msg, sizeof p->msg, "Malformed parameters: 'params' must be an object.");
        return p->code;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, params) {
        char num[64];
        const char *v;
        if (cJSON_IsString(it)) {
            v = it->valuestring;
        } else if (cJSON_IsBool(it)) {
            v = cJSON_IsTrue(it) ? "true" : "false";
        } else if (cJSON_IsNumber(it)) {
            double d = it->valuedouble;
            if (d == floor(d) && fabs(d) < 9e15) snprintf(num, sizeof num, "%lld", (long long)d);
            else snprintf(num, sizeof num, "%.15g", d); /* a fraction: the strict readers refuse it where an integer is due */
            v = num;
        } else {
            p->code = BE_ILLEGAL_CHARS;
            snprintf(p->msg, sizeof p->msg, "Illegal characters found in a parameter: values are strings, numbers or booleans.");
            return p->code;
        }
        if (params_add(p, it->string, strlen(it->string), v, strlen(v))) return p->code;
    }
    return params_sort_payload(p);
}

/* returnRateLimits, in the request's params or (the default for the connection) in its
   URL: 1 or 0, or -1 when it is neither true nor false */
static int want_rate_limits(const pss_t *c, const cJSON *pj) {
    const cJSON *v = cJSON_IsObject(pj) ? cJSON_GetObjectItemCaseSensitive(pj, "returnRateLimits") : 0;
    if (!v) return c->rate_limits;
    if (cJSON_IsBool(v)) return cJSON_IsTrue(v);
    if (cJSON_IsString(v) && !strcmp(v->valuestring, "true")) return 1;
    if (cJSON_IsString(v) && !strcmp(v->valuestring, "false")) return 0;
    return -1;
}

/* a name given twice in a params object (cJSON keeps both; Binance refuses it) */
static const char *duplicate_key(const cJSON *pj) {
    if (!cJSON_IsObject(pj)) return 0;
    for (const cJSON *a = pj->child; a; a = a->next)
        for (const cJSON *b = a->next; b; b = b->next)
            if (a->string && b->string && !strcmp(a->string, b->string)) return a->string;
    return 0;
}

static void ws_reply(pss_t *c, const char *id, const reply_t *r, int rate_limits) {
    static char out[RESP_MAX + 1024];
    char limits[512];
    int64_t t = now_ms();
    int ln = snprintf(limits, sizeof limits,
                      "[{\"rateLimitType\":\"REQUEST_WEIGHT\",\"interval\":\"MINUTE\",\"intervalNum\":1,\"limit\":%d,\"count\":%d}",
                      S.rl.weight_limit, rl_used(&S.rl, c->ip, t));
    if (r->order_acct >= 0) {
        int o10, od;
        rl_orders(&S.rl, r->order_acct, t, &o10, &od);
        ln += snprintf(limits + ln, sizeof limits - (size_t)ln,
                       ",{\"rateLimitType\":\"ORDERS\",\"interval\":\"SECOND\",\"intervalNum\":10,\"limit\":%d,\"count\":%d},"
                       "{\"rateLimitType\":\"ORDERS\",\"interval\":\"DAY\",\"intervalNum\":1,\"limit\":%d,\"count\":%d}",
                       S.rl.orders10_limit, o10, S.rl.ordersday_limit, od);
    }
    snprintf(limits + ln, sizeof limits - (size_t)ln, "]");
    int n;
    const char *rl_key = rate_limits ? ",\"rateLimits\":" : "", *rl_val = rate_limits ? limits : "";
    if (r->status == 200)
        n = snprintf(out, sizeof out, "{\"id\":%s,\"status\":200,\"result\":%.*s%s%s}", id, r->len, r->body, rl_key, rl_val);
    else
        n = snprintf(out, sizeof out, "{\"id\":%s,\"status\":%d,\"error\":{\"code\":%d,\"msg\":\"%s\"%s%s}%s%s}", id,
                     r->status, r->code, r->msg, r->data ? ",\"data\":" : "", r->data ? r->data : "", rl_key, rl_val);
    if (n <= 0 || n >= (int)sizeof out) return;
    if (S.f.delay_ms > 0) { /* fault: the answer leaves later */
        lwsl_user("fault: WebSocket API answer id=%s (%s) sent after %d ms\n", id, r->path, S.f.delay_ms);
        enqueue_delayed(c, out, n, S.f.delay_ms);
        return;
    }
    enqueue(c, out, n);
}

static const struct { const char *ws, *method, *path; } ws_routes[] = {
    {"order.place", "POST", "/api/v3/order"},         {"order.test", "POST", "/api/v3/order/test"},
    {"order.cancel", "DELETE", "/api/v3/order"},      {"order.status", "GET", "/api/v3/order"},
    {"openOrders.status", "GET", "/api/v3/openOrders"}, {"openOrders.cancelAll", "DELETE", "/api/v3/openOrders"},
    {"account.status", "GET", "/api/v3/account"},     {"myTrades", "GET", "/api/v3/myTrades"},
    {"order.cancelReplace", "POST", "/api/v3/order/cancelReplace"},
    {"order.amend.keepPriority", "PUT", "/api/v3/order/amend/keepPriority"},
    {"account.commission", "GET", "/api/v3/account/commission"},
};

/* market data methods: the REST endpoints' handler, with params for the query string */
static const struct { const char *ws, *path; } ws_market[] = {
    {"depth", "/api/v3/depth"},             {"trades.recent", "/api/v3/trades"}, {"trades.aggregate", "/api/v3/aggTrades"},
    {"klines", "/api/v3/klines"},           {"uiKlines", "/api/v3/uiKlines"},    {"avgPrice", "/api/v3/avgPrice"},
    {"ticker.24hr", "/api/v3/ticker/24hr"}, {"ticker.price", "/api/v3/ticker/price"},
    {"ticker.book", "/api/v3/ticker/bookTicker"}, {"exchangeInfo", "/api/v3/exchangeInfo"},
};

static const char *ws_market_path(const char *method) {
    for (size_t k = 0; k < sizeof ws_market / sizeof *ws_market; k++)
        if (!strcmp(ws_market[k].ws, method)) return ws_market[k].path;
    return 0;
}

static int session_json(const pss_t *c, char *b, int cap) {
    int64_t t = now_ms();
    if (c->logon < 0)
        return snprintf(b, (size_t)cap, "{\"apiKey\":null,\"authorizedSince\":null,\"connectedSince\":%lld,\"returnRateLimits\":%s,"
                        "\"serverTime\":%lld,\"userDataStream\":%s}",
                        (long long)c->connected_ms, c->rate_limits ? "true" : "false", (long long)t, c->nsubs ? "true" : "false");
    return snprintf(b, (size_t)cap, "{\"apiKey\":\"%s\",\"authorizedSince\":%lld,\"connectedSince\":%lld,\"returnRateLimits\":%s,"
                    "\"serverTime\":%lld,\"userDataStream\":%s}",
                    S.acc->a[c->logon].ed_key, (long long)c->logon_ms, (long long)c->connected_ms, c->rate_limits ? "true" : "false", (long long)t,
                    c->nsubs ? "true" : "false");
}

/* ends the connection's user data subscriptions (id -1: all; only_logon: those made on the
   logged-on session), each with an eventStreamTerminated, as Binance does */
static void end_subscriptions(pss_t *c, int id, int only_logon) {
    int keep = 0;
    for (int i = 0; i < c->nsubs; i++) {
        if ((id >= 0 && c->sub_id[i] != id) || (only_logon && !c->sub_logon[i])) {
            c->sub_acct[keep] = c->sub_acct[i];
            c->sub_logon[keep] = c->sub_logon[i];
            c->sub_id[keep++] = c->sub_id[i];
            continue;
        }
        char ev[128];
        int n = snprintf(ev, sizeof ev, "{\"subscriptionId\":%d,\"event\":{\"e\":\"eventStreamTerminated\",\"E\":%lld}}",
                         c->sub_id[i], (long long)now_ms());
        enqueue(c, ev, n);
    }
    c->nsubs = keep;
}

void ws_api_request(pss_t *c, const char *msg, size_t len) {
    static char body[RESP_MAX];
    reaction_request(msg, len);
    const char *end = 0;
    cJSON *j = cJSON_ParseWithLengthOpts(msg, len, &end, 0);
    int trailing = 0; /* text after the JSON value: the request is malformed, not half-read */
    for (const char *e = end; j && e && e < msg + len; e++)
        if (*e != ' ' && *e != '\t' && *e != '\r' && *e != '\n') trailing = 1;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "method"), *idj = cJSON_GetObjectItemCaseSensitive(j, "id"),
                *pj = cJSON_GetObjectItemCaseSensitive(j, "params");
    int rate_limits = want_rate_limits(c, pj);
    /* Binance takes an integer, a string of ^[a-zA-Z0-9-_]{1,36}$, or null, and echoes it */
    char id[80] = "null";
    int bad_id = 0;
    if (cJSON_IsNumber(idj)) {
        double d = idj->valuedouble;
        if (d == floor(d) && fabs(d) < 9e18) snprintf(id, sizeof id, "%lld", (long long)d);
        else bad_id = 1;
    } else if (cJSON_IsString(idj)) {
        if (proto_valid_id(idj->valuestring)) snprintf(id, sizeof id, "\"%s\"", idj->valuestring);
        else bad_id = 1;
    } else if (idj && !cJSON_IsNull(idj)) {
        bad_id = 1;
    }
    reply_t r;
    memset(&r, 0, sizeof r);
    static params_t params; /* one thread: no allocation per request */
    params_t *p = &params;
    S.requests++;
    const char *method = cJSON_IsString(m) ? m->valuestring : "";
    if (!strncmp(method, "v3/", 3)) method += 3; /* an explicit version: "v3/order.place" */
    r.method = "WS";
    r.path = method;
    r.order_acct = -1;
    /* weight: the REST endpoint's for mapped methods, else 1 (exchangeInfo 20) */
    int weight = 1;
    for (size_t k = 0; k < sizeof ws_routes / sizeof *ws_routes; k++)
        if (!strcmp(ws_routes[k].ws, method)) weight = endpoint_weight(&(args_t){0, pj}, ws_routes[k].method, ws_routes[k].path);
    if (ws_market_path(method)) weight = endpoint_weight(&(args_t){0, pj}, "GET", ws_market_path(method));
    int retry = 0, raw = 0;
    int64_t until = 0;
    int64_t charged_ms = now_ms();
    rl_verdict_t verdict = rl_weight(&S.rl, c->ip, weight, charged_ms, &retry, &until, &raw);
    static char limit_data[96];
    if (S.f.storm_until_ms > now_ms()) { /* fault: 429 to everything, as REST gets */
        lwsl_user("fault: 429 storm: WebSocket API %s answered 429\n", method);
        snprintf(limit_data, sizeof limit_data, "{\"serverTime\":%lld,\"retryAfter\":%lld}", (long long)now_ms(),
                 (long long)S.f.storm_until_ms);
        r.data = limit_data;
        rfail(&r, 429, BE_TOO_MANY_REQUESTS, "Too much request weight used; please use WebSocket Streams for live updates to avoid polling the API.");
    } else if (verdict != RL_OK) {
        snprintf(limit_data, sizeof limit_data, "{\"serverTime\":%lld,\"retryAfter\":%lld}", (long long)now_ms(), (long long)until);
        r.data = limit_data;
        static char raw_msg[128];
        snprintf(raw_msg, sizeof raw_msg, "Too many requests; current limit of IP(%s) is %d requests per 5 MINUTE.", c->ip,
                 S.rl.raw_limit);
        rfail(&r, verdict == RL_429 ? 429 : 418, BE_TOO_MANY_REQUESTS,
              verdict == RL_429 && raw ? raw_msg
              : verdict == RL_429 ? "Too much request weight used; please use WebSocket Streams for live updates to avoid polling the API."
                                : "Way too much request weight used; IP banned. Please use WebSocket Streams for live updates to avoid bans.");
    } else if (bad_id) {
        rfail(&r, 400, BE_UNKNOWN, "Invalid 'id' in JSON request; expected an integer, a string matching '^[a-zA-Z0-9-_]{1,36}$', or null.");
    } else if (!j || trailing || !cJSON_IsObject(j) || !cJSON_IsString(m)) {
        rfail(&r, 400, BE_UNKNOWN, "Malformed request: expected {\"id\",\"method\",\"params\"}.");
    } else if (rate_limits < 0) {
        rate_limits = c->rate_limits;
        rfail(&r, 400, BE_ILLEGAL_CHARS, "Illegal characters found in parameter 'returnRateLimits'; legal range is 'true, false'.");
    } else if (duplicate_key(pj)) {
        char dm[160];
        snprintf(dm, sizeof dm, "Duplicate values for a parameter detected: '%.64s'.", duplicate_key(pj));
        rfail(&r, 400, BE_TOO_MANY_PARAMETERS, dm);
    } else if (ws_market_path(method)) { /* unsigned; params may hold a list (symbols) */
        if (pj && !cJSON_IsObject(pj)) rfail(&r, 400, BE_TOO_MANY_PARAMETERS, "Too many or malformed parameters.");
        else market_data(&r, &(args_t){0, pj}, ws_market_path(method));
    } else if (ws_params(pj, p)) { /* (returnRateLimits is signed like any param, then left out below) */
        rfail(&r, 400, p->code, p->msg);
    } else if (!strcmp(method, "ping")) {
        rok(&r, "{}", 2);
    } else if (!strcmp(method, "time")) {
        rok(&r, body, snprintf(body, sizeof body, "{\"serverTime\":%lld}", (long long)now_ms()));
    } else if (!strcmp(method, "session.status")) {
        rok(&r, body, session_json(c, body, sizeof body));
    } else if (!strcmp(method, "session.logout")) {
        c->logon = -1;
        end_subscriptions(c, -1, 1); /* the session's own subscriptions end with it */
        rok(&r, body, session_json(c, body, sizeof body));
    } else if (!strcmp(method, "session.logon")) {
        int kind = 0;
        const char *key = params_get(p, "apiKey");
        account_t *acct = key ? accounts_by_key(S.acc, key, &kind) : 0;
        if (acct && kind != 2) {
            rfail(&r, 400, BE_KEY_TYPE_NOT_SUPPORTED, "HMAC_SHA256 API key is not supported.");
        } else {
            int a = check_signed(&r, key, p, 1);
            if (a >= 0) {
                c->logon = a;
                c->logon_ms = now_ms();
                rok(&r, body, session_json(c, body, sizeof body));
            }
        }
    } else if (!strcmp(method, "userDataStream.subscribe") || !strcmp(method, "userDataStream.subscribe.signature")) {
        int a = -1;
        if (method[24] == '.') a = check_signed(&r, params_get(p, "apiKey"), p, 1);
        else if (c->logon >= 0) a = c->logon;
        else rfail(&r, 401, BE_REJECTED_MBX_KEY, "Invalid API-key, IP, or permissions for action.");
        if (a >= 0 && c->nsubs == WSAPI_SUBS) {
            rfail(&r, 400, BE_UNKNOWN, "Too many subscriptions on this connection.");
        } else if (a >= 0) {
            c->sub_acct[c->nsubs] = a;
            c->sub_logon[c->nsubs] = method[24] != '.';
            c->sub_id[c->nsubs] = c->next_sub++;
            rok(&r, body, snprintf(body, sizeof body, "{\"subscriptionId\":%d}", c->sub_id[c->nsubs]));
            c->nsubs++;
        }
    } else if (!strcmp(method, "userDataStream.start") || !strcmp(method, "userDataStream.ping") ||
               !strcmp(method, "userDataStream.stop")) {
        /* the retired listenKey methods, for older clients: an API key, no signature */
        int kind;
        const char *key = params_get(p, "apiKey"), *lk = params_get(p, "listenKey");
        account_t *acct = key ? accounts_by_key(S.acc, key, &kind) : 0;
        if (!acct) {
            rfail(&r, 401, BE_REJECTED_MBX_KEY, "Invalid API-key, IP, or permissions for action.");
        } else if (method[15] == 's' && method[16] == 't' && method[17] == 'a') {
            const char *k = new_listen_key((int)(acct - S.acc->a));
            if (!k) rfail(&r, 400, BE_UNKNOWN, "Too many listen keys.");
            else rok(&r, body, snprintf(body, sizeof body, "{\"listenKey\":\"%s\"}", k));
        } else {
            int found = -1;
            for (int i = 0; lk && i < S.nlisten; i++)
                if (!strcmp(S.listen[i].key, lk)) found = i;
            if (found < 0) {
                rfail(&r, 400, BE_INVALID_LISTEN_KEY, "This listenKey does not exist.");
            } else {
                if (method[15] == 's') S.listen[found] = S.listen[--S.nlisten];
                rok(&r, "{}", 2);
            }
        }
    } else if (!strcmp(method, "userDataStream.unsubscribe")) {
        const char *sid = params_get(p, "subscriptionId"); /* none: all of them */
        int64_t sub_id;
        if (sid && (proto_parse_i64(sid, &sub_id) || sub_id < 0 || sub_id > INT32_MAX)) {
            rfail(&r, 400, BE_ILLEGAL_CHARS, "Illegal characters found in parameter 'subscriptionId'; legal range is '0' to '2147483647'.");
        } else {
            end_subscriptions(c, sid ? (int)sub_id : -1, 0);
            rok(&r, "{}", 2);
        }
    } else {
        size_t k = 0;
        while (k < sizeof ws_routes / sizeof *ws_routes && strcmp(ws_routes[k].ws, method)) k++;
        if (k == sizeof ws_routes / sizeof *ws_routes) {
            rfail(&r, 400, BE_UNKNOWN, "Unknown method.");
        } else {
            int a;
            const char *key = params_get(p, "apiKey");
            if (key) a = check_signed(&r, key, p, 1);
            else if (c->logon >= 0) a = check_signed(&r, S.acc->a[c->logon].ed_key, p, 0);
            else a = -1, rfail(&r, 400, BE_MANDATORY_PARAM_EMPTY_OR_MALFORMED, "Mandatory parameter 'apiKey' was not sent, was empty/null, or malformed.");
            if (a >= 0) {
                r.method = ws_routes[k].method;
                r.path = ws_routes[k].path;
                dispatch(&r, a, p);
                /* since April 2026 a successful placement or cancel costs no weight: order.place,
                   order.cancel, order.cancelReplace, openOrders.cancelAll */
                if (r.status == 200 && r.method[0] != 'G' && strcmp(r.path, "/api/v3/order/test") &&
                    strcmp(r.path, "/api/v3/order/amend/keepPriority"))
                    rl_refund_at(&S.rl, c->ip, weight, charged_ms, now_ms());
            }
        }
    }
    ws_reply(c, id, &r, rate_limits);
    cJSON_Delete(j);
}

