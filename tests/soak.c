/* soak.c: N clients on the local exchange's WebSocket API for S seconds, each with its own
 * account, placing and canceling orders at the ORDERS rate limit near the top of the book,
 * subscribed to their user data. At the end each client checks, exactly:
 *   - every order acknowledged got one NEW report and one final report (nothing lost),
 *     and no report came twice (by order, execution type and trade id);
 *   - its balances (account.status) equal the starting ones plus what its fills say.
 * Usage: soak PORT SECONDS BID ASK KEYFILE   (KEYFILE: one "apikey secret" line per client)
 * Prints "soak: N passed, M failed" and exits non-zero on any failure. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/sign.h"

#define MAXC 16
#define MAXO 8192

typedef struct ord {
    long long id;
    int news, finals, trades;
} ord_t;

typedef struct client {
    struct lws *wsi;
    char key[96], secret[96];
    int phase;            /* 0 connecting, 1 subscribed: trading, 2 draining, 3 asked balances, 4 done */
    long long seq;
    char out[8][2048];    /* requests waiting for the writeable callback */
    int nout;
    ord_t ords[MAXO];
    int nords;
    long long last_order; /* the order to cancel next, 0 if none */
    int placed, acked, rejected, dup_events, trade_events;
    /* what the fills say: base in 1e-8, quote in 1e-10 (exact) */
    long long base_delta;
    __int128 quote_delta;
    int nfills;
    double bal_base, bal_quote; /* from account.status at the end */
    int side;
} client_t;

static client_t C[MAXC];
static int nc, secs;
static double bid, ask;
static int failed, passed;

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void queue_signed(client_t *c, const char *method, const char *params) {
    if (c->nout == 8) return;
    char id[96];
    /* Binance's rule for string ids: ^[a-zA-Z0-9-_]{1,36}$ (so "order_place-12", no dots) */
    int n = snprintf(id, sizeof id, "\"%.24s-%lld\"", method, ++c->seq); /* at most 36 */
    for (int i = 1; i < n - 1; i++)
        if (id[i] == '.') id[i] = '_';
    if (sign_ws_request(id, method, params, c->key, c->secret, now_ms(), c->out[c->nout], sizeof c->out[0]) < 0) return;
    c->nout++;
    lws_callback_on_writable(c->wsi);
}

static ord_t *find_ord(client_t *c, long long id) {
    for (int i = c->nords - 1; i >= 0; i--)
        if (c->ords[i].id == id) return &c->ords[i];
    if (c->nords == MAXO) return 0;
    ord_t *o = &c->ords[c->nords++];
    memset(o, 0, sizeof *o);
    o->id = id;
    return o;
}

/* "123.45678901" -> units of 10^-places, exactly */
static long long units(const char *s, int places) {
    long long ip = 0, fp = 0;
    int fd = 0;
    const char *p = s;
    while (*p && *p != '.') ip = ip * 10 + (*p++ - '0');
    if (*p == '.')
        for (p++; *p && fd < places; p++, fd++) fp = fp * 10 + (*p - '0');
    while (fd++ < places) fp *= 10;
    long long m = 1;
    for (int i = 0; i < places; i++) m *= 10;
    return ip * m + fp;
}

static void on_event(client_t *c, const cJSON *e) {
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "e");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "executionReport")) return;
    const char *x = cJSON_GetObjectItemCaseSensitive(e, "x")->valuestring;
    long long id = (long long)cJSON_GetObjectItemCaseSensitive(e, "i")->valuedouble;
    ord_t *o = find_ord(c, id);
    if (!o) return;
    if (!strcmp(x, "NEW")) {
        if (o->news++) c->dup_events++;
    } else if (!strcmp(x, "TRADE")) {
        o->trades++;
        c->trade_events++;
        const char *S = cJSON_GetObjectItemCaseSensitive(e, "S")->valuestring;
        long long l = units(cJSON_GetObjectItemCaseSensitive(e, "l")->valuestring, 8);
        long long L = units(cJSON_GetObjectItemCaseSensitive(e, "L")->valuestring, 2);
        const cJSON *N = cJSON_GetObjectItemCaseSensitive(e, "N");
        long long n = units(cJSON_GetObjectItemCaseSensitive(e, "n")->valuestring, 8);
        __int128 notional = (__int128)l * L; /* 1e-10 */
        if (S[0] == 'B') {
            c->base_delta += l - (cJSON_IsString(N) && !strcmp(N->valuestring, "BTC") ? n : 0);
            c->quote_delta -= notional;
        } else {
            c->base_delta -= l;
            c->quote_delta += notional - (__int128)n * 100;
        }
        c->nfills++;
        if (!strcmp(cJSON_GetObjectItemCaseSensitive(e, "X")->valuestring, "FILLED")) {
            if (o->finals++) c->dup_events++;
        }
    } else if (!strcmp(x, "CANCELED") || !strcmp(x, "EXPIRED")) {
        if (o->finals++) c->dup_events++;
    }
}

static void on_message(client_t *c, const char *msg, size_t len) {
    cJSON *j = cJSON_ParseWithLength(msg, len);
    if (!j) return;
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(j, "event"), *id = cJSON_GetObjectItemCaseSensitive(j, "id");
    if (ev) {
        on_event(c, ev);
    } else if (cJSON_IsString(id)) {
        int ok = cJSON_GetObjectItemCaseSensitive(j, "status")->valueint == 200;
        const cJSON *res = cJSON_GetObjectItemCaseSensitive(j, "result");
        if (!strncmp(id->valuestring, "userDataStream", 14)) {
            c->phase = ok ? 1 : 4;
            if (!ok) fprintf(stderr, "soak: subscription failed: %.*s\n", (int)(len > 300 ? 300 : len), msg);
        } else if (!strncmp(id->valuestring, "order_place", 11)) {
            if (ok) {
                c->acked++;
                c->last_order = (long long)cJSON_GetObjectItemCaseSensitive(res, "orderId")->valuedouble;
                char p[96];
                snprintf(p, sizeof p, "orderId=%lld&symbol=BTCUSDT", c->last_order);
                queue_signed(c, "order.cancel", p);
            } else {
                if (!c->rejected++ && c == &C[0]) fprintf(stderr, "soak: first rejection: %.*s\n", (int)(len > 300 ? 300 : len), msg);
            }
        } else if (!strncmp(id->valuestring, "account_status", 14) && ok) {
            const cJSON *b;
            cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(res, "balances")) {
                double f = atof(cJSON_GetObjectItemCaseSensitive(b, "free")->valuestring) + atof(cJSON_GetObjectItemCaseSensitive(b, "locked")->valuestring);
                if (!strcmp(cJSON_GetObjectItemCaseSensitive(b, "asset")->valuestring, "BTC")) c->bal_base = f;
                else c->bal_quote = f;
            }
            c->phase = 4;
        }
    }
    cJSON_Delete(j);
}

static int cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    (void)user;
    client_t *c = 0;
    for (int i = 0; i < nc; i++)
        if (C[i].wsi == wsi) c = &C[i];
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (c) queue_signed(c, "userDataStream.subscribe.signature", "x=1");
        break;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (c && c->nout) {
            size_t n = strlen(c->out[0]);
            unsigned char b[LWS_PRE + 2048];
            memcpy(b + LWS_PRE, c->out[0], n);
            lws_write(wsi, b + LWS_PRE, n, LWS_WRITE_TEXT);
            memmove(c->out[0], c->out[1], (size_t)(c->nout - 1) * sizeof c->out[0]);
            if (--c->nout) lws_callback_on_writable(wsi);
        }
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (c) on_message(c, in, len);
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (c && c->phase < 4) {
            fprintf(stderr, "soak: client %d lost its connection\n", (int)(c - C));
            c->phase = 4;
            failed++;
        }
        break;
    default:
        break;
    }
    return 0;
}

/* each client places one order every 100 ms (10 a second: the ORDERS limit is 100 per 10 s),
   canceling it as soon as it is acknowledged; a timer drives it, as lws_service() sleeps */
static lws_sorted_usec_list_t tick_sul;
static struct lws_context *ctx;
static long long start_ms;
static int round_no;

static void tick(lws_sorted_usec_list_t *sul) {
    round_no++;
    for (int i = 0; i < nc; i++) {
        client_t *c = &C[i];
        if (c->phase != 1) continue;
        /* alternate sides; a few ticks inside the touch so some orders fill */
        int buy = (round_no + i) & 1;
        double px = buy ? bid - 1.0 + (round_no % 5) : ask + 1.0 - (round_no % 5);
        char p[160];
        snprintf(p, sizeof p, "price=%.2f&quantity=0.00100&side=%s&symbol=BTCUSDT&timeInForce=GTC&type=LIMIT", px,
                 buy ? "BUY" : "SELL");
        queue_signed(c, "order.place", p);
        c->placed++;
    }
    if (now_ms() - start_ms < (long long)secs * 1000) lws_sul_schedule(ctx, 0, sul, tick, 100000);
}

static void check(int ok, const char *what, int i) {
    if (ok) passed++;
    else {
        failed++;
        printf("FAIL: client %d: %s\n", i, what);
    }
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: soak PORT SECONDS BID ASK KEYFILE\n");
        return 2;
    }
    int port = atoi(argv[1]);
    secs = atoi(argv[2]);
    bid = atof(argv[3]);
    ask = atof(argv[4]);
    FILE *f = fopen(argv[5], "r");
    while (f && nc < MAXC && fscanf(f, "%95s %95s", C[nc].key, C[nc].secret) == 2) nc++;
    if (f) fclose(f);
    static const struct lws_protocols protocols[] = {{"soak", cb, 0, 1 << 16, 0, NULL, 0}, {NULL, NULL, 0, 0, 0, NULL, 0}};
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    lws_set_log_level(LLL_ERR, NULL);
    ctx = lws_create_context(&info);
    for (int i = 0; i < nc; i++) {
        struct lws_client_connect_info ci;
        memset(&ci, 0, sizeof ci);
        ci.context = ctx;
        ci.address = ci.host = ci.origin = "127.0.0.1";
        ci.port = port;
        ci.path = "/ws-api/v3";
        C[i].side = i & 1;
        C[i].wsi = lws_client_connect_via_info(&ci);
    }
    start_ms = now_ms();
    lws_sul_schedule(ctx, 0, &tick_sul, tick, 100000);
    while (now_ms() - start_ms < (long long)secs * 1000) lws_service(ctx, 0);
    lws_sul_cancel(&tick_sul);
    /* drain, then ask every client for its balances */
    long long t = now_ms();
    while (now_ms() - t < 1500) lws_service(ctx, 0); /* the market keeps events coming */
    for (int i = 0; i < nc; i++) {
        if (C[i].phase == 1) {
            C[i].phase = 3;
            queue_signed(&C[i], "account.status", "x=1");
        }
    }
    t = now_ms();
    int pending = 1;
    while (pending && now_ms() - t < 5000) {
        lws_service(ctx, 0);
        pending = 0;
        for (int i = 0; i < nc; i++) pending |= C[i].phase == 3;
    }
    long long orders = 0, fills = 0;
    for (int i = 0; i < nc; i++) {
        client_t *c = &C[i];
        orders += c->acked;
        fills += c->nfills;
        if (getenv("SOAK_DEBUG")) fprintf(stderr, "client %d: phase %d placed %d acked %d rejected %d nout %d nords %d\n", i, c->phase, c->placed, c->acked, c->rejected, c->nout, c->nords);
        int lost = 0;
        for (int k = 0; k < c->nords; k++) {
            lost += c->ords[k].news != 1 || c->ords[k].finals != 1;
            if (getenv("SOAK_DEBUG") && i == 0 && (c->ords[k].news != 1 || c->ords[k].finals != 1))
                fprintf(stderr, "order %lld: news %d finals %d trades %d\n", c->ords[k].id, c->ords[k].news, c->ords[k].finals, c->ords[k].trades);
        }
        if (getenv("SOAK_DEBUG") && i == 0)
            fprintf(stderr, "balances: base %.8f want %.8f, quote %.8f want %.8f\n", c->bal_base, 1.0 + (double)c->base_delta * 1e-8,
                    c->bal_quote, 100000.0 + (double)c->quote_delta * 1e-10);
        check(c->acked > secs * 5, "placed orders at the rate limit", i);
        check(c->nords >= c->acked, "a NEW report for every acknowledged order", i);
        check(lost == 0, "every order has one NEW and one final report", i);
        check(c->dup_events == 0, "no report came twice", i);
        /* balances: the account started with 1 BTC and 100000 USDT (soak.sh) */
        double want_base = 1.0 + (double)c->base_delta * 1e-8;
        double want_quote = 100000.0 + (double)c->quote_delta * 1e-10;
        check(fabs(c->bal_base - want_base) < 1e-9, "BTC balance = start + fills - fees", i);
        check(fabs(c->bal_quote - want_quote) < 1e-8 * (c->nfills + 1), "USDT balance = start + fills - fees", i);
    }
    printf("soak: %d clients, %d s, %lld orders acknowledged, %lld fills\n", nc, secs, orders, fills);
    printf("soak: %d passed, %d failed\n", passed, failed);
    lws_context_destroy(ctx);
    return failed ? 1 : 0;
}
