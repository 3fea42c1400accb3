/* server.c: the local exchange's network side (see server.h). One thread, one lws event
 * loop: a timer drives the market replay, whose messages go to subscribed connections. */
#include "server.h"

#include "../core/err.h"
#include "matching.h"
#include "ratelimit.h"
#include "sign.h"

#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QUEUE 4096          /* frames waiting per connection; beyond it the slowest lose */
#define RESP_MAX (1 << 20)

typedef struct frame { int len; unsigned char data[]; } frame_t; /* data: LWS_PRE + payload */

typedef struct pss {
    struct lws *wsi;
    struct pss *next;
    int is_ws, combined;
    uint32_t subs;
    frame_t *q[QUEUE];
    int qhead, qtail;
    int64_t dropped;
    /* HTTP: the request (method, path, body) and the response waiting to be written */
    char method[8];
    char path[128];
    char ip[48];                  /* the peer, for rate limits */
    int weight;                   /* what this request was charged */
    int order_acct;               /* account whose order counts go in the headers, or -1 */
    int answered;                 /* a response is already queued (rate limited) */
    char body[8192];
    int body_len, body_overflow;
    unsigned char *resp;
    int resp_len;
    /* WebSocket API */
    int is_api;
    int logon;                    /* account logged on with session.logon, or -1 */
    int64_t connected_ms, logon_ms;
    int nsubs, next_sub;
    int sub_acct[4], sub_id[4];   /* user data subscriptions */
    int sub_logon[4];             /* made by userDataStream.subscribe on the logged-on session */
    int listen_acct;              /* /ws/<listenKey>: the retired user data stream, or -1 */
    int direct;                   /* answering inside the receive callback: no writeable request */
    int64_t rx_second;            /* market streams: messages received in this second ... */
    int rx_count;                 /* ... at most 5, as Binance allows */
} pss_t;

typedef struct server {
    struct lws_context *ctx;
    market_t mkt;
    accounts_t *acc;
    matching_t match;
    const symbol_rules_t *rules;
    lws_sorted_usec_list_t sul;
    pss_t *conns;
    int64_t requests, connections;
    ratelimit_t rl;
    double max_conn_s;
    int64_t busy_poll_ns, last_api_ns; /* spin after WebSocket API requests (see the main loop) */
    struct { char key[64]; int acct; } listen[64]; /* retired listenKey streams */
    struct delayed *delayed;     /* WebSocket API answers held back by the delay fault, by due time */
    lws_sorted_usec_list_t delay_sul;
    int nlisten;
    struct faults {
        int delay_ms;            /* every REST and WebSocket API answer waits this long */
        int unknown_outcome;     /* the next N orders are executed but answered 503 -1007 */
        int skip_diffs;          /* the next N depth diffs are not sent (subscribers see a gap) */
        int64_t storm_until_ms;  /* every request is answered 429 until then */
        int64_t skew_ms;         /* the exchange's clock runs this far from the machine's */
    } f;
} server_t;

static volatile sig_atomic_t stopping;

static server_t S;

/* the exchange's clock (the machine's, plus any injected skew) */
static int64_t wall_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + S.f.skew_ms * 1000000;
}

static int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- streams ------------------------------------------------------------ */

static const char *const stream_suffix[MS_NSTREAMS] = {
    "@trade",   "@bookTicker", "@depth@100ms", "@aggTrade",        "@depth",          "@depth5",
    "@depth10", "@depth20",    "@depth5@100ms", "@depth10@100ms", "@depth20@100ms", "@ticker", "@miniTicker"};

/* "btcusdt@trade" -> its bit, or -1 */
static int stream_bit(const char *name, size_t n) {
    size_t sl = strlen(S.mkt.lower);
    if (n <= sl || strncmp(name, S.mkt.lower, sl)) return -1;
    for (int k = 0; k < MS_NSTREAMS; k++)
        if (n - sl == strlen(stream_suffix[k]) && !memcmp(name + sl, stream_suffix[k], n - sl)) return k;
    return -1;
}

static void enqueue(pss_t *c, const char *msg, int len) {
    if (c->qtail - c->qhead >= QUEUE) {
        c->dropped++;
        return;
    }
    frame_t *f = malloc(sizeof *f + LWS_PRE + (size_t)len);
    if (!f) return;
    f->len = len;
    memcpy(f->data + LWS_PRE, msg, (size_t)len);
    c->q[c->qtail++ % QUEUE] = f;
    if (!c->direct) lws_callback_on_writable(c->wsi);
}

/* The delay fault on the WebSocket API: an answer is held, then queued like any other.
   Answers keep their order (all wait the same delay, set before they were made). */
typedef struct delayed {
    struct delayed *next;
    pss_t *c;
    int64_t due_ns;
    int len;
    char msg[];
} delayed_t;

static void release_delayed(lws_sorted_usec_list_t *sul) {
    (void)sul;
    int64_t now = wall_ns();
    while (S.delayed && S.delayed->due_ns <= now) {
        delayed_t *d = S.delayed;
        S.delayed = d->next;
        enqueue(d->c, d->msg, d->len);
        free(d);
    }
    if (S.delayed) lws_sul_schedule(S.ctx, 0, &S.delay_sul, release_delayed, (S.delayed->due_ns - now) / 1000 + 1);
}

static void enqueue_delayed(pss_t *c, const char *msg, int len, int delay_ms) {
    delayed_t *d = malloc(sizeof *d + (size_t)len);
    if (!d) return;
    d->c = c;
    d->due_ns = wall_ns() + (int64_t)delay_ms * 1000000;
    d->len = len;
    memcpy(d->msg, msg, (size_t)len);
    d->next = 0;
    delayed_t **pp = &S.delayed;
    while (*pp && (*pp)->due_ns <= d->due_ns) pp = &(*pp)->next;
    d->next = *pp;
    *pp = d;
    if (S.delayed == d) lws_sul_schedule(S.ctx, 0, &S.delay_sul, release_delayed, (lws_usec_t)delay_ms * 1000 + 1);
}

/* a closing connection's held answers go with it */
static void drop_delayed(pss_t *c) {
    for (delayed_t **pp = &S.delayed; *pp;) {
        if ((*pp)->c == c) {
            delayed_t *d = *pp;
            *pp = d->next;
            free(d);
        } else {
            pp = &(*pp)->next;
        }
    }
}

static void on_market(void *ctx, market_stream_t s, const char *json, int len) {
    (void)ctx;
    int listeners = 0;
    for (pss_t *c = S.conns; c && !listeners; c = c->next) listeners = (c->subs >> s) & 1;
    if (!listeners) return;
    if (s == MS_DEPTH_100MS && S.f.skip_diffs > 0) { /* only diffs someone would have seen count */
        S.f.skip_diffs--;
        lwsl_user("fault: depth diff not sent (%d more to skip)\n", S.f.skip_diffs);
        return;
    }
    static char wrapped[(1 << 20) + 128];
    int wl = -1;
    for (pss_t *c = S.conns; c; c = c->next) {
        if (!(c->subs & (1u << s))) continue;
        if (!c->combined) {
            enqueue(c, json, len);
            continue;
        }
        if (wl < 0)
            wl = snprintf(wrapped, sizeof wrapped, "{\"stream\":\"%s%s\",\"data\":%.*s}", S.mkt.lower, stream_suffix[s],
                          len, json);
        if (wl > 0 && wl < (int)sizeof wrapped) enqueue(c, wrapped, wl);
    }
}

static void tick(lws_sorted_usec_list_t *sul) {
    int64_t now = wall_ns();
    int64_t next = market_poll(&S.mkt, now, on_market, 0);
    /* periodic streams: every 100 ms, and on each new second */
    static int64_t last_100ms, last_s;
    if (now / 100000000 != last_100ms) {
        last_100ms = now / 100000000;
        int second = now / 1000000000 != last_s;
        last_s = now / 1000000000;
        uint32_t want = 0;
        for (pss_t *c = S.conns; c; c = c->next) want |= c->subs;
        market_periodic(&S.mkt, now, want, second, on_market, 0);
    }
    if (next > now + 100000000) next = now + 100000000;
    int64_t wait_us = next == INT64_MAX ? 100000 : (next - now) / 1000;
    if (wait_us < 100) wait_us = 100;
    if (wait_us > 100000) wait_us = 100000;
    lws_sul_schedule(S.ctx, 0, sul, tick, wait_us);
}

/* ---- REST --------------------------------------------------------------- */

static int64_t now_ms(void);

static int add_header(struct lws *wsi, const char *name, long long v, unsigned char **p, unsigned char *end) {
    char val[32];
    int n = snprintf(val, sizeof val, "%lld", v);
    return lws_add_http_header_by_name(wsi, (const unsigned char *)name, (const unsigned char *)val, n, p, end);
}

static int respond_with(struct lws *wsi, pss_t *c, int status, const char *body, int len, int retry_after) {
    unsigned char hdr[LWS_PRE + 1024], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr - 1;
    if (lws_add_http_common_headers(wsi, (unsigned int)status, "application/json;charset=UTF-8", (lws_filepos_t)len,
                                    &p, end))
        return 1;
    int64_t t = now_ms();
    if (add_header(wsi, "x-mbx-used-weight-1m:", rl_used(&S.rl, c->ip, t), &p, end)) return 1;
    if (c->order_acct >= 0) {
        int o10, od;
        rl_orders(&S.rl, c->order_acct, t, &o10, &od);
        if (add_header(wsi, "x-mbx-order-count-10s:", o10, &p, end) || add_header(wsi, "x-mbx-order-count-1d:", od, &p, end))
            return 1;
    }
    if (retry_after > 0 && add_header(wsi, "retry-after:", retry_after, &p, end)) return 1;
    if (lws_finalize_write_http_header(wsi, start, &p, end)) return 1;
    if (c->answered) return 0; /* one answer per request (a zero-length body may still complete) */
    c->answered = 1;
    c->resp = malloc(LWS_PRE + (size_t)len + 1);
    if (!c->resp) return 1;
    memcpy(c->resp + LWS_PRE, body, (size_t)len);
    c->resp_len = len;
    if (S.f.delay_ms > 0) { /* fault: the answer leaves later */
        lwsl_user("fault: %s %s answered after %d ms\n", c->method, c->path, S.f.delay_ms);
        lws_set_timer_usecs(wsi, (lws_usec_t)S.f.delay_ms * 1000);
        return 0;
    }
    lws_callback_on_writable(wsi);
    return 0;
}

static int respond(struct lws *wsi, pss_t *c, int status, const char *body, int len) {
    return respond_with(wsi, c, status, body, len, 0);
}

/* text for a JSON string: quotes, backslashes and control characters escaped (a message may
   quote what a client sent) */
static void json_escape(const char *in, char *out, size_t cap) {
    size_t o = 0;
    for (const unsigned char *s = (const unsigned char *)in; *s && o + 7 < cap; s++) {
        if (*s == '"' || *s == '\\') {
            out[o++] = '\\';
            out[o++] = (char)*s;
        } else if (*s < 0x20) {
            o += (size_t)snprintf(out + o, cap - o, "\\u%04x", *s);
        } else {
            out[o++] = (char)*s;
        }
    }
    out[o] = 0;
}

static int error(struct lws *wsi, pss_t *c, int status, int code, const char *msg) {
    char b[1024], m[900];
    json_escape(msg, m, sizeof m);
    int n = snprintf(b, sizeof b, "{\"code\":%d,\"msg\":\"%s\"}", code, m);
    return respond(wsi, c, status, b, n);
}

/* a query argument, url-decoded by lws; 1 when present */
static int arg(struct lws *wsi, const char *name, char *out, int cap) {
    char key[64];
    snprintf(key, sizeof key, "%s=", name);
    char buf[512];
    const char *v = lws_get_urlarg_by_name(wsi, key, buf, sizeof buf);
    if (!v) return 0;
    snprintf(out, (size_t)cap, "%s", v);
    return 1;
}

/* a request's arguments: a REST query string (through lws) or a WebSocket API request's
   params, so one handler serves both */
typedef struct args {
    struct lws *wsi;
    const cJSON *params;
} args_t;

static int qarg(const args_t *a, const char *name, char *out, int cap) {
    if (!a->params) return a->wsi ? arg(a->wsi, name, out, cap) : 0;
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(a->params, name);
    if (cJSON_IsString(it)) {
        snprintf(out, (size_t)cap, "%s", it->valuestring);
    } else if (cJSON_IsNumber(it)) {
        double d = it->valuedouble;
        if (d == floor(d) && fabs(d) < 9e18) snprintf(out, (size_t)cap, "%lld", (long long)d);
        else snprintf(out, (size_t)cap, "%.15g", d);
    } else if (cJSON_IsArray(it)) { /* symbols=["BTCUSDT"] as the query string would carry it */
        if (!cJSON_PrintPreallocated((cJSON *)it, out, cap, 0)) return 0;
    } else {
        return 0;
    }
    return 1;
}

static int exchange_info(char *b, int cap) {
    const symbol_rules_t *r = S.rules;
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
        "{\"timezone\":\"UTC\",\"serverTime\":%lld,\"rateLimits\":["
        "{\"rateLimitType\":\"REQUEST_WEIGHT\",\"interval\":\"MINUTE\",\"intervalNum\":1,\"limit\":%d},"
        "{\"rateLimitType\":\"ORDERS\",\"interval\":\"SECOND\",\"intervalNum\":10,\"limit\":%d},"
        "{\"rateLimitType\":\"ORDERS\",\"interval\":\"DAY\",\"intervalNum\":1,\"limit\":%d},"
        "{\"rateLimitType\":\"RAW_REQUESTS\",\"interval\":\"MINUTE\",\"intervalNum\":5,\"limit\":%d}],"
        "\"exchangeFilters\":[],\"symbols\":[{\"symbol\":\"%s\",\"status\":\"TRADING\",\"baseAsset\":\"%s\","
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
        "\"allowedSelfTradePreventionModes\":[\"NONE\",\"EXPIRE_TAKER\",\"EXPIRE_MAKER\",\"EXPIRE_BOTH\"]}]}",
        (long long)(wall_ns() / 1000000), S.rl.weight_limit, S.rl.orders10_limit, S.rl.ordersday_limit, S.rl.raw_limit, r->symbol, r->base, r->quote, minp, maxp, tick, minq, maxq, step,
        min_notional, r->min_notional_applies ? "true" : "false", r->max_notional ? max_notional : "9000000000000.00000000", r->max_num_orders ? r->max_num_orders : 200);
}

/* Binance's request weights */
static int endpoint_weight(const args_t *a, const char *method, const char *path) {
    char v[300];
    int has_symbol = qarg(a, "symbol", v, sizeof v);
    if (!strcmp(path, "/api/v3/exchangeInfo")) return 20;
    if (!strcmp(path, "/api/v3/depth")) {
        int limit = 100;
        if (qarg(a, "limit", v, sizeof v)) limit = atoi(v);
        return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
    }
    if (!strcmp(path, "/api/v3/trades")) return 25;
    if (!strcmp(path, "/api/v3/aggTrades")) return 4;
    if (!strcmp(path, "/api/v3/klines") || !strcmp(path, "/api/v3/uiKlines") || !strcmp(path, "/api/v3/avgPrice")) return 2;
    if (!strcmp(path, "/api/v3/ticker/price")) return has_symbol ? 2 : 4;
    if (!strcmp(path, "/api/v3/ticker/bookTicker")) return has_symbol ? 2 : 4;
    if (!strcmp(path, "/api/v3/ticker/24hr"))
        return has_symbol || qarg(a, "symbols", v, sizeof v) ? 2 : 80;
    if (!strcmp(path, "/api/v3/account") || !strcmp(path, "/api/v3/myTrades")) return 20;
    if (!strcmp(path, "/api/v3/openOrders")) return method[0] == 'G' ? (has_symbol ? 6 : 80) : 1;
    if (!strcmp(path, "/api/v3/order")) return method[0] == 'G' ? 4 : 1;
    if (!strcmp(path, "/api/v3/order/amend/keepPriority")) return 4;
    return 1;
}

/* charges the request's weight; when the IP is over its limit, answers 429 or 418 and returns 1 */
static int limited(struct lws *wsi, pss_t *c) {
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
    c->weight = endpoint_weight(&(args_t){wsi, 0}, c->method, c->path);
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

#include "rest_signed.inc"

static int symbol_ok(reply_t *r, const args_t *a, int required) {
    char sym[64];
    if (!qarg(a, "symbol", sym, sizeof sym)) {
        if (!required) return 1;
        rfail(r, 400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
        return 0;
    }
    if (strcmp(sym, S.rules->symbol)) {
        rfail(r, 400, -1121, "Invalid symbol.");
        return 0;
    }
    return 1;
}

static int int_arg(const args_t *a, const char *name, int def, int lo, int hi, int *out) {
    char v[32];
    if (!qarg(a, name, v, sizeof v)) {
        *out = def;
        return 1;
    }
    char *end;
    long x = strtol(v, &end, 10);
    if (end == v || *end || x < lo || x > hi) return 0;
    *out = (int)x;
    return 1;
}

/* "limit": absent (def) or 1..max, else -1100 as Binance words it */
static int limit_arg(reply_t *r, const args_t *a, int def, int max, int *limit) {
    if (int_arg(a, "limit", def, 1, max, limit)) return 1;
    char m[120];
    snprintf(m, sizeof m, "Illegal characters found in parameter 'limit'; legal range is '1' to '%d'.", max);
    rfail(r, 400, -1100, m);
    return 0;
}

/* a body written into a buffer, or -1 when it did not fit */
static void answer(reply_t *r, const char *body, int n) {
    if (n < 0) rfail(r, 500, -1000, "An unknown error occurred while processing the request.");
    else rok(r, body, n);
}

/* the market data endpoints, for REST and the WebSocket API alike (see args_t) */
static void market_data(reply_t *r, const args_t *a, const char *path) {
    static char body[RESP_MAX];
    int n, limit;
    if (!strcmp(path, "/api/v3/ping")) return (void)rok(r, "{}", 2);
    if (!strcmp(path, "/api/v3/time")) {
        n = snprintf(body, sizeof body, "{\"serverTime\":%lld}", (long long)(wall_ns() / 1000000));
        return (void)rok(r, body, n);
    }
    if (!strcmp(path, "/api/v3/exchangeInfo")) {
        if (!symbol_ok(r, a, 0)) return;
        n = exchange_info(body, sizeof body);
        return (void)rok(r, body, n);
    }
    if (!strcmp(path, "/api/v3/depth")) {
        if (!symbol_ok(r, a, 1)) return;
        if (!limit_arg(r, a, 100, 5000, &limit)) return;
        n = market_depth_json(&S.mkt, limit, body, sizeof body);
        return answer(r, body, n);
    }
    if (!strcmp(path, "/api/v3/trades")) {
        if (!symbol_ok(r, a, 1)) return;
        if (!limit_arg(r, a, 500, 1000, &limit)) return;
        return answer(r, body, market_trades_json(&S.mkt, limit, body, sizeof body));
    }
    if (!strcmp(path, "/api/v3/klines") || !strcmp(path, "/api/v3/uiKlines")) {
        static const struct { const char *name; int minutes; } intervals[] = {
            {"1m", 1}, {"3m", 3}, {"5m", 5}, {"15m", 15}, {"30m", 30}, {"1h", 60}, {"2h", 120},
            {"4h", 240}, {"6h", 360}, {"8h", 480}, {"12h", 720}, {"1d", 1440}};
        char iv[16] = "", v[32];
        long long st = 0, en = 0;
        int minutes = 0;
        if (!symbol_ok(r, a, 1)) return;
        if (!qarg(a, "interval", iv, sizeof iv))
            return (void)rfail(r, 400, -1102, "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.");
        for (size_t i = 0; i < sizeof intervals / sizeof *intervals; i++)
            if (!strcmp(iv, intervals[i].name)) minutes = intervals[i].minutes;
        if (!minutes) return (void)rfail(r, 400, -1120, "Invalid interval.");
        if (!limit_arg(r, a, 500, 1000, &limit)) return;
        if (qarg(a, "startTime", v, sizeof v)) st = atoll(v);
        if (qarg(a, "endTime", v, sizeof v)) en = atoll(v);
        if (st < 0 || en < 0 || (st && en && en < st))
            return (void)rfail(r, 400, -1128, "Combination of optional parameters invalid.");
        n = market_klines_json(&S.mkt, wall_ns() / 1000000, minutes, st, en, limit, body, sizeof body);
        return answer(r, body, n);
    }
    if (!strcmp(path, "/api/v3/avgPrice")) {
        if (!symbol_ok(r, a, 1)) return;
        n = market_avgprice_json(&S.mkt, wall_ns() / 1000000, 5, body, sizeof body);
        return (void)rok(r, body, n);
    }
    if (!strcmp(path, "/api/v3/ticker/price")) {
        char sym[64];
        int one = qarg(a, "symbol", sym, sizeof sym);
        if (one && strcmp(sym, S.rules->symbol)) return (void)rfail(r, 400, -1121, "Invalid symbol.");
        const market_trade_t *t = S.mkt.ntrades ? &S.mkt.trades[(S.mkt.ntrades - 1) % MARKET_TRADES] : 0;
        char p[40];
        fx_format(t ? t->price : 0, &S.rules->tick, 8, p, sizeof p);
        n = snprintf(body, sizeof body, "%s{\"symbol\":\"%s\",\"price\":\"%s\"}%s", one ? "" : "[", S.rules->symbol, p,
                     one ? "" : "]");
        return (void)rok(r, body, n);
    }
    if (!strcmp(path, "/api/v3/aggTrades")) {
        char v[32];
        long long from = 0, st = 0, en = 0;
        if (!symbol_ok(r, a, 1)) return;
        if (!limit_arg(r, a, 500, 1000, &limit)) return;
        if (qarg(a, "fromId", v, sizeof v)) from = atoll(v);
        if (qarg(a, "startTime", v, sizeof v)) st = atoll(v);
        if (qarg(a, "endTime", v, sizeof v)) en = atoll(v);
        if (from < 0 || st < 0 || en < 0 || (st && en && en < st))
            return (void)rfail(r, 400, -1128, "Combination of optional parameters invalid.");
        n = market_aggtrades_json(&S.mkt, limit, (uint64_t)from, st, en, body, sizeof body);
        return answer(r, body, n);
    }
    if (!strcmp(path, "/api/v3/ticker/24hr")) {
        char sym[64], syms[256], type[16] = "FULL";
        int one = qarg(a, "symbol", sym, sizeof sym), list = qarg(a, "symbols", syms, sizeof syms);
        qarg(a, "type", type, sizeof type);
        if (one && list)
            return (void)rfail(r, 400, -1128, "Combination of optional parameters invalid.");
        if (strcmp(type, "FULL") && strcmp(type, "MINI"))
            return (void)rfail(r, 400, -1100, "Illegal characters found in parameter 'type'; legal range is 'FULL', 'MINI'.");
        char want[80];
        snprintf(want, sizeof want, "[\"%s\"]", S.rules->symbol);
        if ((one && strcmp(sym, S.rules->symbol)) || (list && strcmp(syms, want))) return (void)rfail(r, 400, -1121, "Invalid symbol.");
        n = market_ticker24_json(&S.mkt, wall_ns() / 1000000, type[0] == 'M', body + 1, sizeof body - 2);
        if (n < 0) return (void)rfail(r, 500, -1000, "An unknown error occurred while processing the request.");
        if (one) return (void)rok(r, body + 1, n);
        body[0] = '['; /* symbols=[...] or no symbol: a list */
        body[n + 1] = ']';
        return (void)rok(r, body, n + 2);
    }
    if (!strcmp(path, "/api/v3/ticker/bookTicker")) {
        char sym[64];
        int one = qarg(a, "symbol", sym, sizeof sym);
        if (one && strcmp(sym, S.rules->symbol)) return (void)rfail(r, 400, -1121, "Invalid symbol.");
        n = market_bookticker_json(&S.mkt, body + 1, sizeof body - 2);
        if (one) return (void)rok(r, body + 1, n);
        body[0] = '[';
        body[n + 1] = ']';
        return (void)rok(r, body, n + 2);
    }
    lwsl_user("rejected: GET %s (unknown endpoint)\n", path);
    rfail(r, 404, -1000, "Unknown endpoint.");
}



/* REST: a market data GET */
static int http_get(struct lws *wsi, pss_t *c, const char *path) {
    reply_t r;
    memset(&r, 0, sizeof r);
    r.method = "GET";
    r.path = path;
    r.order_acct = -1;
    S.requests++;
    market_data(&r, &(args_t){wsi, 0}, path);
    return reply_respond(wsi, c, &r);
}


/* ---- WebSocket streams ---------------------------------------------------- */

static void send_text(pss_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void send_text(pss_t *c, const char *fmt, ...) {
    char b[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    if (n > 0 && n < (int)sizeof b) enqueue(c, b, n);
}

/* parses "a/b/c" stream lists (combined URLs) into subscription bits */
static void subscribe_list(pss_t *c, const char *list) {
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        int bit = stream_bit(p, n);
        if (bit >= 0) c->subs |= 1u << bit;
        p += n + (e ? 1 : 0);
    }
}

static void ws_request(pss_t *c, const char *msg, size_t len) {
    cJSON *j = cJSON_ParseWithLength(msg, len);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "method"), *id = cJSON_GetObjectItemCaseSensitive(j, "id"),
                *params = cJSON_GetObjectItemCaseSensitive(j, "params");
    char idtxt[64] = "null"; /* echoed when it is an integer or a plain string, as on the WebSocket API */
    if (cJSON_IsNumber(id) && id->valuedouble == floor(id->valuedouble) && fabs(id->valuedouble) < 9e18)
        snprintf(idtxt, sizeof idtxt, "%lld", (long long)id->valuedouble);
    else if (cJSON_IsString(id) && valid_client_id(id->valuestring))
        snprintf(idtxt, sizeof idtxt, "\"%s\"", id->valuestring);
    if (!j || !cJSON_IsString(m)) {
        send_text(c, "{\"error\":{\"code\":3,\"msg\":\"Invalid JSON: expected a JSON object with a method\"},\"id\":%s}", idtxt);
    } else if (!strcmp(m->valuestring, "SUBSCRIBE") || !strcmp(m->valuestring, "UNSUBSCRIBE")) {
        int sub = m->valuestring[0] == 'S', bad = !cJSON_IsArray(params);
        uint32_t bits = 0;
        const cJSON *p;
        cJSON_ArrayForEach(p, params) {
            int bit = cJSON_IsString(p) ? stream_bit(p->valuestring, strlen(p->valuestring)) : -1;
            if (bit < 0) bad = 1;
            else bits |= 1u << bit;
        }
        if (bad) {
            send_text(c, "{\"error\":{\"code\":2,\"msg\":\"Invalid request: unknown stream or malformed params\"},\"id\":%s}", idtxt);
        } else {
            c->subs = sub ? c->subs | bits : c->subs & ~bits;
            send_text(c, "{\"result\":null,\"id\":%s}", idtxt);
        }
    } else if (!strcmp(m->valuestring, "LIST_SUBSCRIPTIONS")) {
        char list[512];
        int n = 0;
        for (int k = 0; k < MS_NSTREAMS; k++)
            if (c->subs & (1u << k))
                n += snprintf(list + n, sizeof list - (size_t)n, "%s\"%s%s\"", n ? "," : "", S.mkt.lower, stream_suffix[k]);
        list[n] = 0;
        send_text(c, "{\"result\":[%s],\"id\":%s}", list, idtxt);
    } else {
        send_text(c, "{\"error\":{\"code\":1,\"msg\":\"Unknown method\"},\"id\":%s}", idtxt);
    }
    cJSON_Delete(j);
}

/* ---- fault injection ------------------------------------------------------ */

static void drop_connections(void) {
    int n = 0;
    for (pss_t *c = S.conns; c; c = c->next, n++)
        lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
    lwsl_user("fault: dropped %d WebSocket connections\n", n);
}

/* one fault setting; 0, or -1 when the name or value is not known */
static int fault_set(const char *k, const char *v) {
    char *end;
    long long x = strtoll(v, &end, 10);
    if (end == v || *end) return -1;
    if (!strcmp(k, "delay_ms") && x >= 0 && x <= 60000) S.f.delay_ms = (int)x;
    else if (!strcmp(k, "unknown_outcome") && x >= 0) S.f.unknown_outcome = (int)x;
    else if (!strcmp(k, "skip_diffs") && x >= 0) S.f.skip_diffs = (int)x;
    else if (!strcmp(k, "storm_s") && x >= 0) S.f.storm_until_ms = x ? now_ms() + x * 1000 : 0;
    else if (!strcmp(k, "skew_ms") && x > -3600000 && x < 3600000) S.f.skew_ms = x;
    else if (!strcmp(k, "drop") && x == 1) drop_connections();
    else return -1;
    lwsl_user("fault: set %s=%s\n", k, v);
    return 0;
}

static int faults_json(char *b, int cap) {
    int64_t t = now_ms();
    return snprintf(b, (size_t)cap, "{\"delay_ms\":%d,\"unknown_outcome\":%d,\"skip_diffs\":%d,\"storm_s\":%lld,\"skew_ms\":%lld}",
                    S.f.delay_ms, S.f.unknown_outcome, S.f.skip_diffs,
                    (long long)(S.f.storm_until_ms > t ? (S.f.storm_until_ms - t + 999) / 1000 : 0), (long long)S.f.skew_ms);
}

/* /admin/faults on loopback: GET shows, POST ?k=v&... sets, DELETE clears */
static int admin(struct lws *wsi, pss_t *c) {
    char b[512];
    if (strncmp(c->ip, "127.", 4) && strcmp(c->ip, "::1")) /* see loopback() */
        return error(wsi, c, 403, -1000, "The admin endpoint is for loopback only.");
    if (!strcmp(c->method, "DELETE")) {
        memset(&S.f, 0, sizeof S.f);
        lwsl_user("fault: all cleared\n");
    } else if (!strcmp(c->method, "POST")) {
        char frag[256];
        for (int i = 0; lws_hdr_copy_fragment(wsi, frag, sizeof frag, WSI_TOKEN_HTTP_URI_ARGS, i) > 0; i++) {
            char *eq = strchr(frag, '=');
            if (!eq) continue;
            *eq = 0;
            if (fault_set(frag, eq + 1)) {
                snprintf(b, sizeof b, "unknown fault or bad value: %s (faults: delay_ms, unknown_outcome, skip_diffs, storm_s, skew_ms, drop=1)", frag);
                return error(wsi, c, 400, -1000, b);
            }
        }
    } else if (strcmp(c->method, "GET")) {
        return error(wsi, c, 405, -1000, "Method not allowed.");
    }
    return respond(wsi, c, 200, b, faults_json(b, sizeof b));
}

static const char *new_listen_key(int acct) {
    if (S.nlisten == 64) return 0;
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char rnd[60];
    lws_get_random(S.ctx, rnd, sizeof rnd);
    char *k = S.listen[S.nlisten].key;
    for (int i = 0; i < 60; i++) k[i] = abc[rnd[i] % 62];
    k[60] = 0;
    S.listen[S.nlisten++].acct = acct;
    return k;
}

/* The retired listenKey user data stream (Binance removed it on 2026-02-20; quoter's own
   client never uses it): POST makes a key for the API key's account, PUT keeps it alive,
   DELETE closes it; /ws/<listenKey> then carries the account's raw events. */
static int listen_key(struct lws *wsi, pss_t *c) {
    char key[128] = "", lk[128] = "";
    if (lws_hdr_custom_copy(wsi, key, sizeof key, "x-mbx-apikey:", 13) <= 0 &&
        lws_hdr_custom_copy(wsi, key, sizeof key, "X-MBX-APIKEY:", 13) <= 0)
        return error(wsi, c, 401, -2014, "API-key format invalid.");
    int kind;
    account_t *a = accounts_by_key(S.acc, key, &kind);
    if (!a) return error(wsi, c, 401, -2015, "Invalid API-key, IP, or permissions for action.");
    if (!strcmp(c->method, "POST")) {
        const char *k = new_listen_key((int)(a - S.acc->a));
        if (!k) return error(wsi, c, 400, -1000, "Too many listen keys.");
        char b[96];
        return respond(wsi, c, 200, b, snprintf(b, sizeof b, "{\"listenKey\":\"%s\"}", k));
    }
    const char *v = lws_get_urlarg_by_name(wsi, "listenKey=", lk, sizeof lk);
    if (!v && c->body_len > 10 && !strncmp(c->body, "listenKey=", 10))
        v = c->body_len - 10 < (int)sizeof lk ? (snprintf(lk, sizeof lk, "%.*s", c->body_len - 10, c->body + 10), lk) : 0;
    int found = -1;
    for (int i = 0; v && i < S.nlisten; i++)
        if (!strcmp(S.listen[i].key, v)) found = i;
    if (found < 0) return error(wsi, c, 400, -1125, "This listenKey does not exist.");
    if (!strcmp(c->method, "DELETE")) S.listen[found] = S.listen[--S.nlisten];
    return respond(wsi, c, 200, "{}", 2);
}

#include "ws_api.inc"

static int loopback(const pss_t *c) { return !strncmp(c->ip, "127.", 4) || !strcmp(c->ip, "::1"); }

/* /admin/balance on loopback: POST ?account=NAME&asset=ASSET&delta=D credits (or, negative,
   debits) the account's free balance as a deposit or withdrawal would, and pushes
   balanceUpdate and outboundAccountPosition to its user data subscribers; GET ?account=NAME
   shows the balances. */
static int admin_balance(struct lws *wsi, pss_t *c) {
    char name[64] = "", asset[16] = "", delta[48] = "", b[1024];
    if (!loopback(c)) return error(wsi, c, 403, -1000, "The admin endpoint is for loopback only.");
    arg(wsi, "account", name, sizeof name);
    int ai = -1;
    for (int i = 0; i < S.acc->n; i++)
        if (!strcmp(S.acc->a[i].name, name)) ai = i;
    if (ai < 0) return error(wsi, c, 400, -1000, "Unknown account (the [account NAME] sections of the config).");
    account_t *a = &S.acc->a[ai];
    int64_t t = now_ms();
    if (!strcmp(c->method, "POST")) {
        arg(wsi, "asset", asset, sizeof asset);
        arg(wsi, "delta", delta, sizeof delta);
        int base = !strcmp(asset, S.rules->base);
        if (!base && strcmp(asset, S.rules->quote)) return error(wsi, c, 400, -1000, "Unknown asset.");
        int64_t d64 = 0;
        __int128 dq = 0;
        const char *num = delta[0] == '-' ? delta + 1 : delta;
        int bad = base ? fx_parse(delta, strlen(delta), &S.rules->lot, &d64) != 0
                       : symbol_notional_parse(S.rules, num, &dq) != 0;
        if (!base && delta[0] == '-') dq = -dq;
        if (bad || !delta[0] || (base ? d64 == 0 : dq == 0))
            return error(wsi, c, 400, -1100, "Illegal characters found in parameter 'delta'; a non-zero decimal.");
        if (base ? a->base_free + d64 < 0 : a->quote_free + dq < 0)
            return error(wsi, c, 400, -2010, "Account has insufficient balance for requested action.");
        if (base) a->base_free += d64;
        else a->quote_free += dq;
        char dtxt[48];
        if (base) lots(d64, dtxt);
        else if (dq < 0) dtxt[0] = '-', quote_amt(-dq, dtxt + 1);
        else quote_amt(dq, dtxt);
        lwsl_user("admin: balance of %s: %s %s\n", a->name, dtxt, asset);
        if (user_data_wanted(ai)) {
            int n = snprintf(b, sizeof b, "{\"e\":\"balanceUpdate\",\"E\":%lld,\"a\":\"%s\",\"d\":\"%s\",\"T\":%lld}",
                             (long long)t, asset, dtxt, (long long)t);
            push_user_event(ai, b, n);
            n = position_json(a, t, b, sizeof b);
            push_user_event(ai, b, n);
        }
    } else if (strcmp(c->method, "GET")) {
        return error(wsi, c, 405, -1000, "Method not allowed.");
    }
    return respond(wsi, c, 200, b, position_json(a, t, b, sizeof b));
}

static void unlink_conn(pss_t *c) {
    for (pss_t **pp = &S.conns; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    while (c->qhead < c->qtail) free(c->q[c->qhead++ % QUEUE]);
    drop_delayed(c);
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    pss_t *c = user;
    /* lws calls some reasons without a connection's state: for the vhost, and for a request
       it refused while parsing its headers (a %00 in the URL, say) before any was made */
    if (!c && reason != LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION) return 0;
    switch (reason) {
    case LWS_CALLBACK_HTTP: {
        memset(c, 0, sizeof *c);
        c->wsi = wsi;
        snprintf(c->path, sizeof c->path, "%s", (const char *)in);
        const char *method = lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0      ? "GET"
                             : lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0   ? "POST"
                             : lws_hdr_total_length(wsi, WSI_TOKEN_DELETE_URI) > 0 ? "DELETE"
                             : lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI) > 0    ? "PUT"
                                                                                   : "";
        snprintf(c->method, sizeof c->method, "%s", method);
        c->order_acct = -1;
        lws_get_peer_simple(wsi, c->ip, sizeof c->ip);
        if (!strcmp(c->path, "/admin/faults")) return admin(wsi, c) ? -1 : 0;
        if (!strcmp(c->path, "/admin/balance")) return admin_balance(wsi, c) ? -1 : 0;
        if (limited(wsi, c)) return 0;
        char clen[24] = "";
        if (lws_hdr_copy(wsi, clen, sizeof clen, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 && atol(clen) > 0 && strcmp(method, "GET"))
            return 0; /* wait for the body */
        if (!strcmp(c->path, "/api/v3/userDataStream")) return listen_key(wsi, c) ? -1 : 0;
        if (is_signed_path(c->path)) return signed_endpoint(wsi, c) ? -1 : 0;
        if (strcmp(method, "GET")) return error(wsi, c, 405, -1000, "Method not allowed.") ? -1 : 0;
        return http_get(wsi, c, c->path) ? -1 : 0;
    }
    case LWS_CALLBACK_HTTP_BODY:
        if (c->answered) break;
        if (c->body_len + (int)len >= (int)sizeof c->body) c->body_overflow = 1;
        else {
            memcpy(c->body + c->body_len, in, len);
            c->body_len += (int)len;
        }
        break;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (c->answered) break;
        if (c->body_overflow) return error(wsi, c, 413, -1000, "Request body too large.") ? -1 : 0;
        if (!strcmp(c->path, "/api/v3/userDataStream")) return listen_key(wsi, c) ? -1 : 0;
        if (is_signed_path(c->path)) return signed_endpoint(wsi, c) ? -1 : 0;
        return error(wsi, c, 405, -1000, "Method not allowed.") ? -1 : 0;
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (!c->resp) break;
        if (lws_write(wsi, c->resp + LWS_PRE, (size_t)c->resp_len, LWS_WRITE_HTTP_FINAL) != c->resp_len) {
            free(c->resp);
            c->resp = 0;
            return -1;
        }
        free(c->resp);
        c->resp = 0;
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    case LWS_CALLBACK_CLOSED_HTTP:
        free(c->resp);
        c->resp = 0;
        break;
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: { /* a WebSocket upgrade, before it is accepted */
        char ip[48] = "";
        lws_get_peer_simple(wsi, ip, sizeof ip);
        if (rl_connect(&S.rl, ip, now_ms())) {
            lwsl_user("rejected: WebSocket connection from %s: more than %d connections in 5 minutes\n", ip, S.rl.conn_limit);
            lws_return_http_status(wsi, 429, "Too many new connections; the limit is per 5 minutes per IP.");
            return 1;
        }
        break;
    }
    case LWS_CALLBACK_ESTABLISHED: {
        memset(c, 0, sizeof *c);
        c->wsi = wsi;
        c->is_ws = 1;
        char uri[512], streams[2048];
        if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) < 0) uri[0] = 0;
        c->logon = -1;
        c->listen_acct = -1;
        c->connected_ms = now_ms();
        { /* no Nagle: answers leave as soon as they are written */
            int one = 1, fd = lws_get_socket_fd(wsi);
            if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
        lws_get_peer_simple(wsi, c->ip, sizeof c->ip);
        if (!strncmp(uri, "/ws-api/v3", 10)) {
            c->is_api = 1;
        } else if (!strncmp(uri, "/ws/", 4)) {
            c->listen_acct = -1;
            for (int i = 0; i < S.nlisten; i++)
                if (!strcmp(S.listen[i].key, uri + 4)) c->listen_acct = S.listen[i].acct;
            if (c->listen_acct < 0) subscribe_list(c, uri + 4);
        } else if (!strncmp(uri, "/stream", 7)) {
            c->combined = 1;
            char buf[2048];
            const char *v = lws_get_urlarg_by_name(wsi, "streams=", buf, sizeof buf);
            if (v) {
                snprintf(streams, sizeof streams, "%s", v);
                subscribe_list(c, streams);
            }
        }
        c->next = S.conns;
        S.conns = c;
        S.connections++;
        /* Binance closes every connection after 24 h; clients must reconnect */
        lws_set_timer_usecs(wsi, (lws_usec_t)(S.max_conn_s * 1e6));
        char peer[64] = "";
        lws_get_peer_simple(wsi, peer, sizeof peer);
        lwsl_user("connection %lld from %s: %s\n", (long long)S.connections, peer, uri);
        break;
    }
    case LWS_CALLBACK_RECEIVE:
        if (lws_is_first_fragment(wsi) && lws_is_final_fragment(wsi)) {
            if (c->is_api) {
                /* answer at once rather than after another turn of the event loop (the
                   order round trip is what a trading client waits for); lws keeps what the
                   socket does not take and we fall back to the writeable callback */
                int queued = c->qtail > c->qhead;
                if (S.busy_poll_ns) S.last_api_ns = mono_ns();
                c->direct = 1;
                ws_api_request(c, in, len);
                c->direct = 0;
                while (!queued && c->qhead < c->qtail && !lws_partial_buffered(wsi)) {
                    frame_t *f = c->q[c->qhead++ % QUEUE];
                    int n = lws_write(wsi, f->data + LWS_PRE, (size_t)f->len, LWS_WRITE_TEXT);
                    free(f);
                    if (n < 0) return -1;
                }
                if (c->qhead < c->qtail) lws_callback_on_writable(wsi);
            } else {
                int64_t sec = now_ms() / 1000;
                if (sec != c->rx_second) {
                    c->rx_second = sec;
                    c->rx_count = 0;
                }
                if (++c->rx_count > 5) { /* Binance disconnects a stream client that sends more */
                    lwsl_user("closing connection from %s: more than 5 incoming messages a second\n", c->ip);
                    lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)"too many messages", 17);
                    return -1;
                }
                ws_request(c, in, len);
            }
        }
        break;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        /* as many frames as the socket takes now, not one per event loop turn */
        while (c->qhead < c->qtail) {
            frame_t *f = c->q[c->qhead++ % QUEUE];
            int n = lws_write(wsi, f->data + LWS_PRE, (size_t)f->len, LWS_WRITE_TEXT);
            free(f);
            if (n < 0) return -1;
            if (lws_send_pipe_choked(wsi)) break;
        }
        if (c->qhead < c->qtail) lws_callback_on_writable(wsi);
        break;
    case LWS_CALLBACK_TIMER:
        if (!c->is_ws) { /* a delayed HTTP answer */
            lws_callback_on_writable(wsi);
            break;
        }
        lwsl_user("closing connection from %s: it reached the %.0f s connection age limit\n", c->ip, S.max_conn_s);
        lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY, (unsigned char *)"connection age limit", 20);
        return -1;
    case LWS_CALLBACK_CLOSED:
        unlink_conn(c);
        break;
    default:
        break;
    }
    return 0;
}

static const struct lws_protocols protocols[] = {
    {"binance", callback, sizeof(pss_t), 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void on_signal(int sig) {
    (void)sig;
    stopping = 1;
    if (S.ctx) lws_cancel_service(S.ctx);
}

static void on_market_event(void *ctx, const md_event_t *ev, int64_t now) {
    (void)ctx;
    matching_on_market(&S.match, ev, now / 1000000);
}

int xserver_run(const symbol_rules_t *rules, accounts_t *acc, char **files, int nfiles, const xserver_opts_t *o) {
    memset(&S, 0, sizeof S);
    config_t defaults; /* without a config, the [exchange] keys' defaults (Binance's limits) */
    const config_t *cfg = o->cfg;
    if (!cfg) {
        config_defaults(&defaults);
        cfg = &defaults;
    }
    S.rules = rules;
    S.acc = acc;
    if (market_open(&S.mkt, rules, files, nfiles, o->speed, o->loop, wall_ns())) {
        fprintf(stderr, "quoter: cannot open the market: %s\n", S.mkt.err);
        return 2;
    }
    if (matching_init(&S.match, rules, acc, &S.mkt.book)) {
        fprintf(stderr, "quoter: out of memory\n");
        return 2;
    }
    for (int i = 0; i < o->nfaults; i++) {
        char k[64];
        const char *eq = strchr(o->faults[i], '=');
        snprintf(k, sizeof k, "%.*s", eq ? (int)(eq - o->faults[i]) : 0, o->faults[i]);
        if (!eq || (strcmp(k, "drop") && fault_set(k, eq + 1))) {
            fprintf(stderr, "quoter: --fault %s: unknown fault or bad value\n", o->faults[i]);
            return 2;
        }
    }
    S.mkt.on_event = on_market_event;
    rl_init(&S.rl, cfg);
    S.match.on_exec = on_exec;
    lws_set_log_level(LLL_ERR | LLL_WARN | LLL_USER, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = o->port ? o->port : CONTEXT_PORT_NO_LISTEN_SERVER;
    info.iface = o->bind ? o->bind : "127.0.0.1";
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    /* server pings on idle connections (Binance: every 20 s), hang up without an answer */
    static lws_retry_bo_t idle;
    double ping = cfg->ping_interval_s;
    idle.secs_since_valid_ping = (uint16_t)(ping < 1 ? 1 : ping > 3000 ? 3000 : ping);
    idle.secs_since_valid_hangup = (uint16_t)(idle.secs_since_valid_ping * 3);
    info.retry_and_idle_policy = &idle;
    S.max_conn_s = cfg->max_connection_s;
    if (!o->port) info.port = 0; /* the kernel picks */
    S.ctx = lws_create_context(&info);
    if (!S.ctx) {
        fprintf(stderr, "quoter: cannot listen on %s:%d\n", info.iface, o->port);
        market_close(&S.mkt);
        return 2;
    }
    struct lws_vhost *vh = lws_get_vhost_by_name(S.ctx, "default");
    int port = vh ? lws_get_vhost_listen_port(vh) : o->port;
    fprintf(stderr, "quoter: exchange listening on http://%s:%d (REST /api/v3, streams /ws and /stream) for %s\n",
            info.iface, port, rules->symbol);
    if (o->port_file) {
        FILE *f = fopen(o->port_file, "w");
        if (f) {
            fprintf(f, "%d\n", port);
            fclose(f);
        }
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    lws_sul_schedule(S.ctx, 0, &S.sul, tick, 1000);
    S.busy_poll_ns = (int64_t)cfg->busy_poll_us * 1000;
    /* Sleeping in poll() between requests lets an idle vCPU halt, and waking it again from the
       client's core costs ~25 us each way on the development VM, more than the exchange's own
       work: with busy_poll_us the loop keeps polling without sleeping for a while after each
       WebSocket API request, when the next one is likely (-1: lws polls and returns at once). */
    while (!stopping) {
        int spin = S.busy_poll_ns && mono_ns() - S.last_api_ns < S.busy_poll_ns;
        if (lws_service(S.ctx, spin ? -1 : 0) < 0) break;
    }
    /* a planned close: tell every WebSocket client, give the messages a moment to leave */
    char shut[96];
    int sn = snprintf(shut, sizeof shut, "{\"e\":\"serverShutdown\",\"E\":%lld}", (long long)now_ms());
    for (pss_t *c = S.conns; c; c = c->next) {
        if (c->is_api) {
            char w[128];
            int wn = snprintf(w, sizeof w, "{\"event\":%s}", shut);
            enqueue(c, w, wn);
        } else {
            enqueue(c, shut, sn);
        }
    }
    for (int64_t end = wall_ns() + 300000000; wall_ns() < end;)
        if (lws_service(S.ctx, 0) < 0) break;
    lws_context_destroy(S.ctx);
    matching_free(&S.match);
    market_close(&S.mkt);
    fprintf(stderr, "quoter: exchange stopped after %lld requests, %lld stream connections\n", (long long)S.requests,
            (long long)S.connections);
    return 0;
}
