/* fuzz_ws_api.c: libFuzzer target for the exchange's WebSocket API request path
 * (exchange/ws_api.c, and through it the market data, order and account handlers), over a
 * server state made once by exchange/harness.c: BTCUSDT's rules and the demo account of
 * examples/exchange.ini, a synthetic book, the default limits.
 *
 * Input: a flags byte, then up to 16 requests, one a line, sent in turn on one connection:
 *   "!" M PARAMS  method number M (a byte) with PARAMS "k=v&k=v", signed with the demo HMAC
 *                 key and the current time by sign_ws_request(), so requests get past the
 *                 signature check to the handlers (order.place, order.cancel, ...);
 *   "#" M PARAMS  the same signed with the demo Ed25519 key (session.logon needs it);
 *   anything else: the message bytes as they are.
 * flags & 1: an empty book instead of the synthetic one. Each input starts from the same
 * state (balances, orders, limits, listen keys), on a new connection.
 *
 * Checks every frame the connection gets: JSON (cJSON), with "id" and "status" for an answer
 * ("result" on 200, an "error" with a numeric code and a message otherwise, "rateLimits"),
 * or {"subscriptionId","event"} for a user data event; exactly one answer per request, the
 * signed ones echoing their id; valid UTF-8 out when the request was valid UTF-8. */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "exchange/account.h"
#include "exchange/harness.h"
#include "proto/params.h"
#include "exchange/state.h"
#include "proto/sign.h"

#ifndef QUOTER_SRC
#define QUOTER_SRC "."
#endif

#define CHECK(c)                                                                   \
    do {                                                                           \
        if (!(c)) {                                                                \
            fprintf(stderr, "fuzz_ws_api: %s:%d: %s\n", __FILE__, __LINE__, #c);  \
            __builtin_trap();                                                      \
        }                                                                          \
    } while (0)

static const char *const methods[] = {
    "order.place", "order.test", "order.cancel", "order.status", "openOrders.status", "openOrders.cancelAll",
    "account.status", "myTrades", "order.cancelReplace", "order.amend.keepPriority", "session.logon",
    "session.status", "session.logout", "userDataStream.subscribe", "userDataStream.subscribe.signature",
    "userDataStream.unsubscribe", "userDataStream.start", "userDataStream.ping", "userDataStream.stop", "ping",
    "time", "exchangeInfo", "depth", "trades.recent", "trades.aggregate", "klines", "uiKlines", "avgPrice",
    "ticker.24hr", "ticker.price", "ticker.book",
};
#define NMETHODS (int)(sizeof methods / sizeof *methods)

static config_t cfg;
static config_exact_t x;
static accounts_t acc;
static char ed_private[512];

static void setup(void) {
    char err[512];
    config_defaults(&cfg);
    if (accounts_load(&acc, &cfg, QUOTER_SRC "/examples/exchange.ini", err, sizeof err) ||
        config_resolve(&cfg, &x, err, sizeof err) || accounts_resolve(&acc, &x.rules, 1, err, sizeof err)) {
        fprintf(stderr, "fuzz_ws_api: examples/exchange.ini: %s\n", err);
        abort();
    }
    FILE *f = fopen(QUOTER_SRC "/examples/demo-ed25519-private.pem", "r");
    if (!f) {
        fprintf(stderr, "fuzz_ws_api: cannot read examples/demo-ed25519-private.pem\n");
        abort();
    }
    size_t n = fread(ed_private, 1, sizeof ed_private - 1, f);
    ed_private[n] = 0;
    fclose(f);
    if (xserver_harness_init(&x.rules, &acc, &cfg)) abort();
}

static long long wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* an Ed25519-signed request: params sorted by name (with apiKey and timestamp), signed,
   written with cJSON so any bytes in PARAMS are escaped; -1 when PARAMS has no "k=v" form */
static int ed_request(int id, const char *method, char *params, char *out, size_t cap) {
    const char *k[34], *v[34];
    int n = 0;
    for (char *p = params, *next; p && *p && n < 32; p = next) {
        next = strchr(p, '&');
        if (next) *next++ = 0;
        char *eq = strchr(p, '=');
        if (!eq) return -1;
        *eq = 0;
        k[n] = p;
        v[n++] = eq + 1;
    }
    char ts[24];
    snprintf(ts, sizeof ts, "%lld", wall_ms());
    k[n] = "apiKey";
    v[n++] = acc.a[0].ed_key;
    k[n] = "timestamp";
    v[n++] = ts;
    static char payload[PARAMS_PAYLOAD_MAX];
    char sig[128];
    int pl = sign_sorted_payload(k, v, n, payload, sizeof payload);
    if (pl < 0 || sign_ed25519_sign(ed_private, payload, (size_t)pl, sig, sizeof sig)) return -1;
    cJSON *j = cJSON_CreateObject(), *pj = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "id", id);
    cJSON_AddStringToObject(j, "method", method);
    for (int i = 0; i < n; i++) cJSON_AddStringToObject(pj, k[i], v[i]);
    cJSON_AddStringToObject(pj, "signature", sig);
    cJSON_AddItemToObject(j, "params", pj);
    int ok = cJSON_PrintPreallocated(j, out, (int)cap, 0);
    cJSON_Delete(j);
    return ok ? (int)strlen(out) : -1;
}


typedef struct seen {
    int answers;
    int want_id;      /* the id a signed request sent, or -1 */
    int utf8_in;
} seen_t;

static void on_frame(void *ctx, const char *msg, int len) {
    seen_t *s = ctx;
    static int verbose = -1;
    if (verbose < 0) verbose = getenv("FUZZ_WS_API_VERBOSE") != 0; /* prints every frame */
    if (verbose) fprintf(stderr, "%.*s\n", len, msg);
    CHECK(len > 0);
    if (s->utf8_in) CHECK(proto_utf8_ok(msg, (size_t)len));
    cJSON *j = cJSON_ParseWithLength(msg, (size_t)len);
    if (!j) fprintf(stderr, "fuzz_ws_api: not JSON: %.*s\n", len, msg);
    CHECK(j && cJSON_IsObject(j));
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(j, "subscriptionId");
    if (sub) { /* a user data event */
        CHECK(cJSON_IsNumber(sub) && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "event")));
        cJSON_Delete(j);
        return;
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id"), *st = cJSON_GetObjectItemCaseSensitive(j, "status");
    if (!id || !cJSON_IsNumber(st)) fprintf(stderr, "fuzz_ws_api: no id or status: %.*s\n", len, msg);
    CHECK(id && (cJSON_IsNumber(id) || cJSON_IsString(id) || cJSON_IsNull(id)));
    CHECK(cJSON_IsNumber(st));
    if (s->want_id >= 0) CHECK(cJSON_IsNumber(id) && id->valuedouble == s->want_id);
    int status = st->valueint;
    if (status == 200) {
        CHECK(cJSON_GetObjectItemCaseSensitive(j, "result") != 0);
    } else {
        CHECK(status >= 400 && status < 600);
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
        CHECK(cJSON_IsObject(e));
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code"), *m = cJSON_GetObjectItemCaseSensitive(e, "msg");
        CHECK(cJSON_IsNumber(code) && code->valuedouble < 0 && cJSON_IsString(m));
    }
    CHECK(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "rateLimits")));
    s->answers++;
    cJSON_Delete(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int ready;
    if (!ready) {
        setup();
        ready = 1;
    }
    if (size < 1) return 0;
    unsigned flags = data[0];
    xserver_harness_reset();
    xserver_harness_book(6000000, (flags & 1) ? 0 : 20, 50000); /* 60000.00 +- 0.01.., 0.5 BTC a level */
    pss_t *c = xserver_harness_conn(0);
    CHECK(c);
    static char line[WS_MESSAGE_MAX], req[WS_MESSAGE_MAX + 4096];
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    for (int i = 0; i < 16 && p < end; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n >= sizeof line) n = sizeof line - 1;
        memcpy(line, p, n);
        line[n] = 0;
        p += n + 1;
        seen_t s = {0, -1, 0};
        const char *msg = line;
        size_t mlen = n;
        if ((line[0] == '!' || line[0] == '#') && n >= 2) {
            const char *method = methods[(unsigned char)line[1] % NMETHODS];
            int id = i + 1, w;
            if (line[0] == '!') {
                char ids[16];
                snprintf(ids, sizeof ids, "%d", id);
                w = sign_ws_request(ids, method, line + 2, acc.a[0].hmac_key, acc.a[0].hmac_secret, wall_ms(), req,
                                    sizeof req);
            } else {
                w = ed_request(id, method, line + 2, req, sizeof req);
            }
            if (w < 0) continue; /* not "k=v&k=v": nothing sent */
            msg = req;
            mlen = (size_t)w;
            /* what sign_ws_request builds is the JSON it means (what needs escaping is refused) */
            cJSON *chk = cJSON_ParseWithLength(msg, mlen);
            CHECK(cJSON_IsObject(chk) && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(chk, "params")));
            cJSON_Delete(chk);
            s.want_id = id;
        }
        s.utf8_in = proto_utf8_ok(msg, mlen);
        ws_api_request(c, msg, mlen);
        xserver_harness_drain(c, on_frame, &s);
        CHECK(s.answers == 1);
    }
    xserver_harness_close(c);
    return 0;
}
