/* rest.c: the local exchange's REST side: query and body parameters, request weights and
 * the IP limits, replies written as HTTP, the signed endpoints' entry, the retired
 * listenKey endpoints. */
#include "state.h"
#include "../proto/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* charges the request's weight; when the IP is over its limit, answers 429 or 418 and returns 1 */
int limited(struct lws *wsi, pss_t *c) {
    int retry = 0;
    int64_t until = 0, t = now_ms();
    if (S.f.storm_until_ms > t) {
        char b[200];
        int n = snprintf(b, sizeof b, "{\"code\":-1003,\"msg\":\"Too much request weight used; current limit is %d request weight per 1 MINUTE.\"}",
                         S.rl.weight_limit);
        lwsl_user("fault: 429 storm: %s %s answered 429\n", c->method, c->path);
        respond_with(wsi, c, 429, b, n, (int)((S.f.storm_until_ms - t + 999) / 1000));
        return 1;
    }
    static params_t q; /* the query alone (a body has not come yet): what the weight depends on */
    int body_len = c->body_len;
    c->body_len = 0;
    parse_params(wsi, c, &q);
    c->body_len = body_len;
    c->weight = endpoint_weight(&(args_t){&q, 0}, c->method, c->path);
    c->charged_ms = t;
    int raw;
    rl_verdict_t v = rl_weight(&S.rl, c->ip, c->weight, t, &retry, &until, &raw);
    if (v == RL_OK) return 0;
    c->weight = 0;
    char b[320];
    int n = v == RL_429 && raw
                ? snprintf(b, sizeof b, "{\"code\":-1003,\"msg\":\"Too many requests; current limit of IP(%s) is %d requests per 5 MINUTE.\"}",
                           c->ip, S.rl.raw_limit)
            : v == RL_429
                ? snprintf(b, sizeof b, "{\"code\":-1003,\"msg\":\"Too much request weight used; current limit is %d request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.\"}",
                           S.rl.weight_limit)
                : snprintf(b, sizeof b, "{\"code\":-1003,\"msg\":\"Way too much request weight used; IP banned until %lld. Please use WebSocket Streams for live updates to avoid bans.\"}",
                           (long long)until);
    lwsl_user("rejected: %s %s from %s: %s\n", c->method, c->path, c->ip,
              v == RL_418 ? "418 banned" : raw ? "429 RAW_REQUESTS limit" : "429 weight limit");
    respond_with(wsi, c, v == RL_429 ? 429 : 418, b, n, retry);
    return 1;
}

/* REST: a market data GET */
int http_get(struct lws *wsi, pss_t *c, const char *path) {
    reply_t r;
    memset(&r, 0, sizeof r);
    r.method = "GET";
    r.path = path;
    r.order_acct = -1;
    S.requests++;
    static params_t q;
    if (parse_params(wsi, c, &q)) rfail(&r, 400, q.code, q.msg);
    else market_data(&r, &(args_t){&q, 0}, path);
    return reply_respond(wsi, c, &r);
}

/* The retired listenKey user data stream (Binance removed it on 2026-02-20; quoter's own
   client never uses it): POST makes a key for the API key's account, PUT keeps it alive,
   DELETE closes it; /ws/<listenKey> then carries the account's raw events. */
int listen_key(struct lws *wsi, pss_t *c) {
    char key[128] = "", lk[128] = "";
    if (lws_hdr_custom_copy(wsi, key, sizeof key, "x-mbx-apikey:", 13) <= 0 &&
        lws_hdr_custom_copy(wsi, key, sizeof key, "X-MBX-APIKEY:", 13) <= 0)
        return error(wsi, c, 401, BE_BAD_API_KEY_FMT, "API-key format invalid.");
    int kind;
    account_t *a = accounts_by_key(S.acc, key, &kind);
    if (!a) return error(wsi, c, 401, BE_REJECTED_MBX_KEY, "Invalid API-key, IP, or permissions for action.");
    if (!strcmp(c->method, "POST")) {
        const char *k = new_listen_key((int)(a - S.acc->a));
        if (!k) return error(wsi, c, 400, BE_UNKNOWN, "Too many listen keys.");
        char b[96];
        return respond(wsi, c, 200, b, snprintf(b, sizeof b, "{\"listenKey\":\"%s\"}", k));
    }
    const char *v = lws_get_urlarg_by_name(wsi, "listenKey=", lk, sizeof lk);
    if (!v && c->body_len > 10 && !strncmp(c->body, "listenKey=", 10))
        v = c->body_len - 10 < (int)sizeof lk ? (snprintf(lk, sizeof lk, "%.*s", c->body_len - 10, c->body + 10), lk) : 0;
    int found = -1;
    for (int i = 0; v && i < S.nlisten; i++)
        if (!strcmp(S.listen[i].key, v)) found = i;
    if (found < 0) return error(wsi, c, 400, BE_INVALID_LISTEN_KEY, "This listenKey does not exist.");
    if (!strcmp(c->method, "DELETE")) S.listen[found] = S.listen[--S.nlisten];
    return respond(wsi, c, 200, "{}", 2);
}

int rfail(reply_t *r, int status, int code, const char *msg) {
    r->status = status;
    r->code = code;
    proto_json_escape(msg, r->msg, sizeof r->msg);
    if (status != 404 || code != BE_UNKNOWN) lwsl_user("rejected: %s %s: %d %s\n", r->method, r->path, code, msg);
    return 0;
}

/* a reply as an HTTP answer (r->msg is already JSON-escaped) */
int reply_respond(struct lws *wsi, pss_t *c, const reply_t *r) {
    if (r->status == 200) return respond(wsi, c, 200, r->body, r->len);
    static char b[RESP_MAX + 1024]; /* as large as the data an error may carry (cancelReplace) */
    int n = snprintf(b, sizeof b, "{\"code\":%d,\"msg\":\"%s\"%s%s}", r->code, r->msg, r->data ? ",\"data\":" : "",
                     r->data ? r->data : "");
    if (n < 0 || n >= (int)sizeof b) { /* never an answer cut short, nor one past its buffer */
        static const char unknown[] = "{\"code\":-1000,\"msg\":\"An unknown error occurred while processing the request.\"}";
        return respond(wsi, c, 500, unknown, (int)sizeof unknown - 1);
    }
    return respond(wsi, c, r->status, b, n);
}

int rok(reply_t *r, const char *body, int len) {
    r->status = 200;
    r->body = body;
    r->len = len;
    return 0;
}

/* collects the query (decoded by lws, percent-encoded again for the payload) and the form
   body (as sent); every parameter or none: one that does not fit fails the request */
int parse_params(struct lws *wsi, pss_t *c, params_t *p) {
    params_reset(p);
    char frag[PARAM_NAME_MAX + PARAM_VALUE_MAX + 2];
    for (int i = 0; !p->code; i++) {
        int fl = lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_URI_ARGS, i);
        if (fl <= 0) {
            if (lws_hdr_copy_fragment(wsi, frag, 2, WSI_TOKEN_HTTP_URI_ARGS, i) < 0) break; /* no more */
            continue;
        }
        if (fl >= (int)sizeof frag) { /* refused whole: never act on the parameters around it */
            p->code = BE_ILLEGAL_CHARS;
            snprintf(p->msg, sizeof p->msg, "Illegal characters found in a parameter; a value is longer than %d bytes.",
                     PARAM_VALUE_MAX - 1);
            break;
        }
        int n = lws_hdr_copy_fragment(wsi, frag, sizeof frag, WSI_TOKEN_HTTP_URI_ARGS, i);
        if (n < 0) break;
        params_add_query(p, frag, (size_t)n);
    }
    if (!p->code && c->body_len) params_add_form(p, c->body, (size_t)c->body_len);
    return p->code;
}

/* REST: parameters, the API key from X-MBX-APIKEY, checks, then the endpoint */
int signed_endpoint(struct lws *wsi, pss_t *c) {
    static params_t params; /* one thread: no allocation per request */
    params_t *p = &params;
    reply_t r;
    memset(&r, 0, sizeof r);
    r.method = c->method;
    r.path = c->path;
    r.order_acct = -1;
    if (parse_params(wsi, c, p)) {
        rfail(&r, 400, p->code, p->msg);
    } else {
        char key[128] = "";
        if (lws_hdr_custom_copy(wsi, key, sizeof key, "x-mbx-apikey:", 13) <= 0 &&
            lws_hdr_custom_copy(wsi, key, sizeof key, "X-MBX-APIKEY:", 13) <= 0)
            key[0] = 0;
        int a = check_signed(&r, key, p, 1);
        if (a >= 0) dispatch(&r, a, p);
    }
    c->order_acct = r.order_acct;
    /* since April 2026 a successful order placement or cancel costs no weight */
    if (r.status == 200 && strcmp(c->method, "GET") &&
        (!strcmp(c->path, "/api/v3/order") || !strcmp(c->path, "/api/v3/order/cancelReplace") ||
         (!strcmp(c->path, "/api/v3/openOrders") && c->method[0] == 'D')))
        rl_refund_at(&S.rl, c->ip, c->weight, c->charged_ms, now_ms()); /* the minute it was charged in */
    return reply_respond(wsi, c, &r);
}



int is_signed_path(const char *path) {
    static const char *const paths[] = {"/api/v3/order",   "/api/v3/order/test", "/api/v3/openOrders",
                                        "/api/v3/account", "/api/v3/myTrades",   "/api/v3/order/cancelReplace",
                                        "/api/v3/order/amend/keepPriority", "/api/v3/account/commission"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        if (!strcmp(path, paths[i])) return 1;
    return 0;
}

