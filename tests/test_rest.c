/* test_rest.c: the live client's REST side without a network: signed queries against the
 * Binance docs' known answer (and an Ed25519 one verified back), and REST answers (bodies,
 * X-MBX headers, Retry-After, no answer at all) turned into venue events by the same
 * handlers as the WebSocket API's. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "proto/errors.h"
#include "proto/sign.h"
#include "testutil.h"
#include "venue/binance/binance.h"
#include "venue/binance/rest.h"


static void test_hmac_query(void **st) {
    (void)st;
    char out[512];
    int n = rest_signed_query("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000",
                              tu_doc_secret, 1499827319559LL, out, sizeof out);
    assert_int_equal(n, (int)strlen(out));
    assert_string_equal(out, "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000"
                             "&timestamp=1499827319559&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
    /* no parameters: the timestamp alone is signed */
    assert_true(rest_signed_query("", tu_doc_secret, 1, out, sizeof out) > 0);
    assert_true(!strncmp(out, "timestamp=1&signature=", 22));
    /* too small, malformed, no secret: refused, never cut short */
    assert_int_equal(rest_signed_query("symbol=LTCBTC", tu_doc_secret, 1, out, 40), -1);
    assert_int_equal(rest_signed_query("symbol", tu_doc_secret, 1, out, sizeof out), -1);
    assert_int_equal(rest_signed_query("=x", tu_doc_secret, 1, out, sizeof out), -1);
    assert_int_equal(rest_signed_query("a=1", NULL, 1, out, sizeof out), -1);
}

/* values are percent-encoded before signing (Binance's rule since January 2026) */
static void test_query_encoding(void **st) {
    (void)st;
    char out[256];
    assert_int_equal(rest_query("a=x y&b=1+2/3&c=", out, sizeof out), (int)strlen("a=x%20y&b=1%2B2%2F3&c="));
    assert_string_equal(out, "a=x%20y&b=1%2B2%2F3&c=");
    assert_int_equal(rest_query("", out, sizeof out), 0);
    assert_string_equal(out, "");
}

static int pct_decode(const char *in, char *out, size_t cap) {
    size_t o = 0;
    for (const char *s = in; *s && o + 1 < cap; s++) {
        unsigned v;
        if (*s == '%' && sscanf(s + 1, "%2x", &v) == 1) {
            out[o++] = (char)v;
            s += 2;
        } else {
            out[o++] = *s;
        }
    }
    out[o] = 0;
    return (int)o;
}

static void test_ed25519_query(void **st) {
    (void)st;
    char out[512], sig[256];
    assert_true(rest_signed_query("symbol=BTCUSDT&recvWindow=5000", tu_ed_private, 1700000000000LL, out, sizeof out) > 0);
    char *s = strstr(out, "&signature=");
    assert_non_null(s);
    assert_null(strpbrk(s + 11, "+/=")); /* base64's own characters travel encoded */
    pct_decode(s + 11, sig, sizeof sig);
    *s = 0;
    assert_string_equal(out, "symbol=BTCUSDT&recvWindow=5000&timestamp=1700000000000");
    assert_true(sign_ed25519_verify(tu_ed_public, out, strlen(out), sig));
    assert_false(sign_ed25519_verify(tu_ed_public, out, strlen(out) - 1, sig));
}

static void test_base_urls(void **st) {
    (void)st;
    rest_t r;
    net_t n;
    memset(&n, 0, sizeof n);
    assert_int_equal(rest_init(&r, &n, "https://testnet.binance.vision/api", 0, 0, 0, 0), 0);
    assert_string_equal(r.host, "testnet.binance.vision");
    assert_int_equal(r.port, 443);
    assert_int_equal(r.tls, 1);
    assert_string_equal(r.prefix, ""); /* the paths carry /api/v3 */
    assert_int_equal(rest_init(&r, &n, "http://127.0.0.1:8090", 0, 0, 0, 0), 0);
    assert_int_equal(r.port, 8090);
    assert_int_equal(r.tls, 0);
    assert_int_equal(rest_init(&r, &n, "http://proxy:81/binance/", 0, 0, 0, 0), 0);
    assert_string_equal(r.prefix, "/binance");
    assert_int_not_equal(rest_init(&r, &n, "wss://api.binance.com", 0, 0, 0, 0), 0);
    assert_int_not_equal(rest_init(&r, &n, "http://:80", 0, 0, 0, 0), 0);
    assert_int_not_equal(rest_init(&r, &n, "http://host:99999", 0, 0, 0, 0), 0);
}

/* X-MBX-* and Retry-After are read whole or not at all: a prefix's number is not the value */
static void test_header_values(void **st) {
    (void)st;
    assert_int_equal(rest_header_uint("12"), 12);
    assert_int_equal(rest_header_uint(" 7 "), 7);
    assert_int_equal(rest_header_uint("0"), 0);
    assert_int_equal(rest_header_uint("999999999"), 999999999);
    assert_int_equal(rest_header_uint("12abc"), -1);
    assert_int_equal(rest_header_uint("Wed, 21 Oct 2015 07:28:00 GMT"), -1); /* atoi read 0 */
    assert_int_equal(rest_header_uint("-5"), -1);
    assert_int_equal(rest_header_uint("+5"), -1);
    assert_int_equal(rest_header_uint("1.5"), -1);
    assert_int_equal(rest_header_uint("1 2"), -1);
    assert_int_equal(rest_header_uint(""), -1);
    assert_int_equal(rest_header_uint("  "), -1);
    assert_int_equal(rest_header_uint("1000000000"), -1);
    assert_int_equal(rest_header_uint("99999999999999999999"), -1);
}

/* ---- a real connection: to the host's address, looked up once ----------------------- */

static rest_answer_t got;
static char got_body[64], got_why[160];
static int ngot;
static void on_answer(void *ctx, uint64_t tag, const rest_answer_t *a) {
    (void)ctx;
    (void)tag;
    got = *a;
    snprintf(got_body, sizeof got_body, "%s", a->body);
    snprintf(got_why, sizeof got_why, "%s", a->why ? a->why : "");
    ngot++;
}

/* a listening socket on 127.0.0.1 (the port the kernel picks), non-blocking */
static int listener(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    assert_true(fd >= 0 && !bind(fd, (struct sockaddr *)&sa, sizeof sa) && !listen(fd, 4) &&
                !getsockname(fd, (struct sockaddr *)&sa, &sl));
    fcntl(fd, F_SETFL, O_NONBLOCK);
    *port = ntohs(sa.sin_port);
    return fd;
}

/* serves the loop until cond holds (a slow machine gets 20 s) */
#define SERVE_UNTIL(n, cond)                                                        \
    for (int64_t end_ = clock_mono_ns() + 20000000000LL; !(cond) && clock_mono_ns() < end_;) \
        net_run((n), 20)

static void test_numeric_connect(void **st) {
    (void)st;
    static net_t n;
    static rest_t r;
    /* an IP address is never looked up */
    memset(&n, 0, sizeof n);
    assert_int_equal(rest_init(&r, &n, "https://127.0.0.1:9", 0, 0, 0, 0), 0);
    assert_true(r.addrs.numeric);
    assert_int_equal(r.addrs.naddr, 1);
    assert_string_equal(r.addrs.addr[0], "127.0.0.1");
    assert_int_equal(rest_resolve(&r), 0);
    assert_int_equal(r.addrs.lookups, 0);
    assert_int_equal(rest_init(&r, &n, "https://testnet.binance.vision", 0, 0, 0, 0), 0);
    assert_false(r.addrs.numeric);
    assert_int_equal(r.addrs.naddr, 0); /* a name is looked up at the first request, not at init */

    /* a name is looked up (blocking, once): localhost by /etc/hosts, IPv4 first */
    assert_int_equal(rest_init(&r, &n, "http://localhost:9", 0, 0, 0, 0), 0);
    assert_int_equal(rest_resolve(&r), 0);
    assert_int_equal(r.addrs.lookups, 1);
    assert_string_equal(r.addrs.addr[0], "127.0.0.1");

    /* the connection goes to the address known, the name only in Host (and SNI): a name that
       no resolver knows (.invalid, RFC 6761) with its address set here reaches the listener */
    assert_int_equal(net_init(&n), 0);
    int port, fd = listener(&port);
    char url[64];
    snprintf(url, sizeof url, "http://quoter-test.invalid:%d", port);
    ngot = 0;
    assert_int_equal(rest_init(&r, &n, url, "k", 0, on_answer, 0), 0);
    snprintf(r.addrs.addr[0], sizeof r.addrs.addr[0], "127.0.0.1");
    r.addrs.naddr = 1;
    r.addrs.looked_ns = clock_mono_ns();
    r.addrs.next_ns = r.addrs.looked_ns + ADDRS_MIN_GAP_NS;
    assert_int_equal(rest_send(&r, 1, "GET", "/api/v3/time"), 0);
    assert_int_equal(r.addrs.lookups, 0); /* the address is fresh: no lookup per request */
    int c = -1;
    SERVE_UNTIL(&n, (c = accept(fd, 0, 0)) >= 0);
    assert_true(c >= 0);
    char req[2048];
    size_t rl = 0;
    req[0] = 0;
    for (int64_t end = clock_mono_ns() + 20000000000LL; !strstr(req, "\r\n\r\n") && clock_mono_ns() < end;) {
        net_run(&n, 20);
        ssize_t k = recv(c, req + rl, sizeof req - 1 - rl, MSG_DONTWAIT);
        if (k > 0) rl += (size_t)k;
        req[rl] = 0;
    }
    assert_non_null(strstr(req, "GET /api/v3/time HTTP/1.1\r\n"));
    assert_non_null(strstr(req, "\r\nHost: quoter-test.invalid\r\n"));
    const char *ans = "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 2\r\nX-MBX-USED-WEIGHT-1M: 12abc\r\n"
                      "X-MBX-ORDER-COUNT-10S: 3\r\nRetry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\nConnection: close\r\n\r\n{}";
    assert_int_equal(send(c, ans, strlen(ans), 0), (ssize_t)strlen(ans));
    SERVE_UNTIL(&n, ngot > 0);
    close(c);
    assert_int_equal(ngot, 1);
    assert_int_equal(got.status, 429);
    assert_string_equal(got_body, "{}");
    assert_int_equal(got.used_weight_1m, -1); /* "12abc" is not 12 */
    assert_int_equal(got.order_count_10s, 3);
    assert_int_equal(got.retry_after_s, -1); /* an HTTP-date is not 0 */

    /* nothing listens any more: the connection fails, and the next request within the minute
       does not look the name up again (a dead resolver would freeze the loop each time) */
    close(fd);
    ngot = 0;
    int rc = rest_send(&r, 2, "GET", "/api/v3/time");
    if (!rc) SERVE_UNTIL(&n, ngot > 0);
    assert_true(rc == Q_E_IO || (ngot == 1 && got.status == 0));
    assert_int_equal(r.addrs.fails, 1);
    ngot = 0;
    rc = rest_send(&r, 3, "GET", "/api/v3/time");
    if (!rc) SERVE_UNTIL(&n, ngot > 0);
    assert_int_equal(r.addrs.lookups, 0);
    assert_int_equal(r.addrs.fails, 2);
    /* a minute on (the time moved by hand), failures bring a new lookup (of localhost here:
       no test asks a DNS server), off the event loop: the request goes on with the address
       it has, and a later one takes the new address */
    snprintf(r.addrs.host, sizeof r.addrs.host, "localhost");
    snprintf(r.addrs.addr[0], sizeof r.addrs.addr[0], "192.0.2.1");
    r.addrs.next_ns = clock_mono_ns() - 1;
    assert_string_equal(addrs_pick(&r.addrs), "192.0.2.1");
    assert_int_equal(r.addrs.lookups, 1);
    for (int64_t end = clock_mono_ns() + 20000000000LL; strcmp(addrs_pick(&r.addrs), "127.0.0.1") && clock_mono_ns() < end;)
        usleep(1000);
    assert_int_equal(r.addrs.lookups, 1);
    assert_string_equal(r.addrs.addr[0], "127.0.0.1"); /* IPv4 first */
    assert_int_equal(r.addrs.fails, 0);
    rest_free(&r);
    net_free(&n);
}

/* ---- answers into events ------------------------------------------------------------- */

#define MAXEV 16
static venue_event_t evs[MAXEV];
static int nev;
static void sink(void *ctx, const venue_event_t *e) {
    (void)ctx;
    if (nev < MAXEV) evs[nev++] = *e;
}

static rest_answer_t answer(int status, const char *body) {
    rest_answer_t a;
    memset(&a, 0, sizeof a);
    a.status = status;
    a.body = body ? body : "";
    a.len = strlen(a.body);
    a.used_weight_1m = a.order_count_10s = a.order_count_1d = a.retry_after_s = -1;
    a.why = status ? 0 : "timed out";
    return a;
}

static const venue_event_t *find(venue_event_type_t t) {
    for (int i = 0; i < nev; i++)
        if (evs[i].type == t) return &evs[i];
    return 0;
}

/* a live client whose connections go nowhere (nothing listens on port 9): only the answers
   a test feeds reach it; REST on too */
static void open_client(binance_t *b, symbol_rules_t *rules, void (*on_commission)(void *, const bn_commission_t *)) {
    tu_btcusdt(rules);
    binance_config_t bc = {"ws://127.0.0.1:9/ws-api/v3", "ws://127.0.0.1:9", "key", tu_doc_secret, rules, 5000};
    bn_hooks_t hooks;
    memset(&hooks, 0, sizeof hooks);
    hooks.on_commission = on_commission;
    assert_int_equal(binance_open(b, &bc, &hooks), 0);
    assert_int_equal(binance_open_rest(b, "http://127.0.0.1:9"), 0);
}

/* the account is asked with omitZeroBalances (over REST here: the API is not open): an asset it
   does not list is one the account holds none of, told as 0, so that the ledger does not keep
   the config's balance for it (the base asset here) */
static void test_account_zero_balance(void **st) {
    (void)st;
    static symbol_rules_t rules;
    static binance_t b;
    open_client(&b, &rules, 0);
    snprintf(rules.base, sizeof rules.base, "BTC");
    snprintf(rules.quote, sizeof rules.quote, "USDT");
    char body[256];
    snprintf(body, sizeof body, "{\"serverTime\":%lld}", (long long)(clock_real_ns() / 1000000));
    rest_answer_t a = answer(200, body);
    binance_feed_rest(&b, b.next_id, &a);
    assert_true(binance_can_send(&b));
    b.base.sink = sink;
    assert_int_equal(b.base.vt->sync(&b.base, 0), VENUE_SENT);
    uint64_t acct = 0;
    for (int i = 0; i < BN_PENDING; i++)
        if (b.pend[i].kind == BN_ACCOUNT) acct = b.pend[i].id;
    assert_true(acct != 0);
    nev = 0;
    a = answer(200, "{\"balances\":[{\"asset\":\"BNB\",\"free\":\"3.00000000\",\"locked\":\"0.00000000\"},"
                    "{\"asset\":\"USDT\",\"free\":\"100.50000000\",\"locked\":\"20.00000000\"}]}");
    binance_feed_rest(&b, acct, &a);
    int usdt = 0, btc = 0;
    for (int i = 0; i < nev; i++) {
        if (evs[i].type != VEV_BALANCE) continue;
        if (!strcmp(evs[i].asset, "USDT")) usdt++;
        if (!strcmp(evs[i].asset, "BTC")) {
            btc++;
            assert_true(evs[i].free == 0 && evs[i].locked == 0);
        }
    }
    assert_int_equal(usdt, 1);
    assert_int_equal(btc, 1);
    binance_close(&b);
}

static void test_answers(void **st) {
    (void)st;
    static symbol_rules_t rules;
    static binance_t b;
    open_client(&b, &rules, 0);
    assert_int_equal(b.st.rest_kind[BN_TIME], 1); /* the clock is asked over REST at once */
    assert_false(binance_can_send(&b));
    /* the clock's answer: known, then exchangeInfo (over REST: the API is not open) */
    char body[256];
    snprintf(body, sizeof body, "{\"serverTime\":%lld}", (long long)(clock_real_ns() / 1000000 + 2000));
    rest_answer_t a = answer(200, body);
    binance_feed_rest(&b, b.next_id, &a);
    assert_true(b.time_known);
    assert_true(b.offset_ms > 1500 && b.offset_ms < 2500);
    assert_true(binance_can_send(&b));
    assert_int_equal(b.st.rest_kind[BN_EXINFO], 1);
    b.base.sink = sink;

    order_t o;
    memset(&o, 0, sizeof o);
    snprintf(o.cid, sizeof o.cid, "qtest-1");
    o.side = SIDE_BUY;
    o.type = OT_LIMIT_MAKER;
    o.price = 6000000;
    o.qty = 100;
    /* a cancel goes over REST without the API (and without user data: ready is 0) */
    assert_int_equal(b.base.vt->cancel(&b.base, &o, 0), VENUE_SENT);
    assert_int_equal(b.st.rest_kind[BN_CANCEL], 1);
    /* ... but a new order does not: nobody would hear its fills */
    assert_int_equal(b.base.vt->place(&b.base, &o, 0), VENUE_NOT_SENT);
    nev = 0;
    a = answer(200, "{\"symbol\":\"BTCUSDT\",\"origClientOrderId\":\"qtest-1\",\"orderId\":42,\"status\":\"CANCELED\","
                    "\"executedQty\":\"0.00000000\",\"cummulativeQuoteQty\":\"0.00000000\",\"price\":\"60000.00\","
                    "\"origQty\":\"0.00100000\",\"side\":\"BUY\"}");
    a.order_count_10s = 3;
    binance_feed_rest(&b, b.next_id, &a);
    const venue_event_t *e = find(VEV_CANCELED);
    assert_non_null(e);
    assert_string_equal(e->cid, "qtest-1");
    assert_int_equal(e->order_id, 42);
    /* a REST round trip (its own connection each time) stays out of the order round trips */
    assert_int_equal(b.st.rtt_n, 0);
    assert_int_equal(b.st.rtt_hist.count, 0);
    assert_non_null(e = find(VEV_RATE_LIMIT));
    assert_int_equal(e->orders_used, 3); /* X-MBX-ORDER-COUNT-10S, as rateLimits' count */
    assert_int_equal(e->retry_ns, 0);

    /* a placement (the run is ready) whose answer never comes: outcome unknown */
    b.ready = 1;
    assert_int_equal(b.base.vt->place(&b.base, &o, 0), VENUE_SENT);
    assert_int_equal(b.st.rest_kind[BN_PLACE], 1);
    nev = 0;
    a = answer(0, 0);
    binance_feed_rest(&b, b.next_id, &a);
    assert_int_equal(nev, 1);
    assert_int_equal(evs[0].type, VEV_UNKNOWN);
    assert_int_equal(evs[0].req, VREQ_PLACE);
    assert_string_equal(evs[0].cid, "qtest-1");
    /* 503, and -1007, and a 200 that cannot be read: unknown too, never a rejection */
    const char *unknowns[][2] = {{"503", "<html>busy</html>"},
                                 {"408", "{\"code\":-1007,\"msg\":\"Timeout waiting for response from backend server.\"}"},
                                 {"200", "{\"orderId\":"}};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(b.base.vt->place(&b.base, &o, 0), VENUE_SENT);
        nev = 0;
        a = answer(atoi(unknowns[i][0]), unknowns[i][1]);
        binance_feed_rest(&b, b.next_id, &a);
        assert_non_null(find(VEV_UNKNOWN));
        assert_null(find(VEV_REJECT));
    }
    /* a refusal is one */
    assert_int_equal(b.base.vt->place(&b.base, &o, 0), VENUE_SENT);
    nev = 0;
    a = answer(400, "{\"code\":-2010,\"msg\":\"Order would immediately match and take.\"}");
    binance_feed_rest(&b, b.next_id, &a);
    assert_non_null(e = find(VEV_REJECT));
    assert_int_equal(e->code, BE_NEW_ORDER_REJECTED);
    /* 429 with Retry-After 7: nothing goes out for 7 s, and the event says until when */
    assert_int_equal(b.base.vt->place(&b.base, &o, 0), VENUE_SENT);
    nev = 0;
    a = answer(429, "{\"code\":-1003,\"msg\":\"Too much request weight used.\"}");
    a.retry_after_s = 7;
    int64_t t0 = clock_real_ns();
    binance_feed_rest(&b, b.next_id, &a);
    assert_non_null(e = find(VEV_RATE_LIMIT));
    assert_true(e->retry_ns >= t0 + 6500000000LL && e->retry_ns <= clock_real_ns() + 7000000000LL);
    assert_int_equal(b.base.vt->place(&b.base, &o, 0), VENUE_NOT_SENT);
    assert_int_equal(b.base.vt->cancel(&b.base, &o, 0), VENUE_NOT_SENT); /* nothing at all */
    /* 429 and 418 without a readable Retry-After (absent, or an HTTP-date): REST error bodies
       have no data.retryAfter, so a conservative hold (30 s, 120 s), not on_error's 1 s */
    for (int st418 = 0; st418 < 2; st418++) {
        b.retry_until_ns = 0;
        assert_int_equal(b.base.vt->place(&b.base, &o, 0), VENUE_SENT);
        a = answer(st418 ? 418 : 429, "{\"code\":-1003,\"msg\":\"Way too much request weight used.\"}");
        a.retry_after_s = rest_header_uint("Wed, 21 Oct 2015 07:28:00 GMT");
        assert_int_equal(a.retry_after_s, -1);
        t0 = clock_real_ns();
        nev = 0;
        binance_feed_rest(&b, b.next_id, &a);
        int64_t hold = (st418 ? 120 : 30) * 1000000000LL;
        assert_non_null(e = find(VEV_RATE_LIMIT));
        assert_true(b.retry_until_ns >= t0 + hold && b.retry_until_ns <= clock_real_ns() + hold);
        assert_int_equal(e->retry_ns, b.retry_until_ns);
        assert_int_equal(b.base.vt->cancel(&b.base, &o, 0), VENUE_NOT_SENT);
    }
    /* the weight header at exchangeInfo's limit holds requests until the minute turns */
    b.retry_until_ns = 0;
    b.weight_limit = 6000;
    assert_int_equal(b.base.vt->query(&b.base, &o, 0), VENUE_SENT);
    a = answer(400, "{\"code\":-2013,\"msg\":\"Order does not exist.\"}");
    a.used_weight_1m = 6000;
    nev = 0;
    binance_feed_rest(&b, b.next_id, &a);
    assert_non_null(e = find(VEV_STATUS));
    assert_int_equal(e->code, VENUE_CODE_NO_SUCH_ORDER);
    assert_int_equal(b.weight_used, 6000);
    assert_true(b.retry_until_ns > clock_real_ns() && b.retry_until_ns <= clock_real_ns() + 61000000000LL);
    assert_int_equal(b.base.vt->query(&b.base, &o, 0), VENUE_NOT_SENT);
    /* an answer for a request that is not pending (or went over the WebSocket API) is ignored */
    nev = 0;
    a = answer(200, "{}");
    binance_feed_rest(&b, 999999, &a);
    assert_int_equal(nev, 0);
    binance_close(&b);
}

/* the clock over REST: the trip counted from the request's writing (after DNS, TCP, TLS),
   a long trip dropped once a clock is known unless it proves that clock wrong, and no REST
   sample over a fresh API one */
static void test_rest_clock(void **st) {
    (void)st;
    static symbol_rules_t rules;
    static binance_t b;
    open_client(&b, &rules, 0);
    /* connecting took 600 ms, the request was written 200 ms ago, the server 2 s ahead:
       2000, not the ~2300 a midpoint from the queueing would give */
    int64_t now = clock_real_ns();
    char body[64];
    snprintf(body, sizeof body, "{\"serverTime\":%lld}", (long long)((now - 100000000LL) / 1000000 + 2000));
    rest_answer_t a = answer(200, body);
    a.sent_ns = now - 200000000LL;
    for (int i = 0; i < BN_PENDING; i++)
        if (b.pend[i].kind == BN_TIME && b.pend[i].id == b.next_id) b.pend[i].sent_ns = now - 800000000LL;
    binance_feed_rest(&b, b.next_id, &a);
    assert_true(b.time_known);
    assert_true(b.offset_ms >= 1980 && b.offset_ms <= 2030);
    assert_true(b.time_rtt_ms >= 195 && b.time_rtt_ms <= 260);
    int64_t good = b.offset_ms;
    /* a 3 s round trip that the offset in use agrees with: dropped, the offset stays */
    b.next_time_sync_ns = 1;
    binance_run(&b, 0);
    assert_int_equal(b.st.rest_kind[BN_TIME], 2);
    now = clock_real_ns();
    snprintf(body, sizeof body, "{\"serverTime\":%lld}", (long long)((now - 1500000000LL) / 1000000 + 2700));
    a = answer(200, body);
    a.sent_ns = now - 3000000000LL;
    binance_feed_rest(&b, b.next_id, &a);
    assert_int_equal(b.offset_ms, good);
    assert_true(b.next_time_sync_ns < clock_real_ns() + 6000000000LL); /* asked again soon */
    /* a 3 s round trip that proves the offset in use wrong (the server's clock jumped 7 s,
       more than the trip's 1.5 s of doubt): taken, the error now at most 1.5 s */
    b.next_time_sync_ns = 1;
    binance_run(&b, 0);
    now = clock_real_ns();
    snprintf(body, sizeof body, "{\"serverTime\":%lld}", (long long)((now - 1500000000LL) / 1000000 + 9000));
    a = answer(200, body);
    a.sent_ns = now - 3000000000LL;
    binance_feed_rest(&b, b.next_id, &a);
    assert_true(b.offset_ms > 8900 && b.offset_ms < 9100);
    good = b.offset_ms;
    /* the WebSocket API is up with a fresh measure: a short REST one does not replace it */
    b.next_time_sync_ns = 1;
    binance_run(&b, 0);
    assert_int_equal(b.st.rest_kind[BN_TIME], 4);
    b.time_ws_ns = clock_real_ns();
    b.api.state = NET_OPEN;
    b.session_asked = 1; /* (no logon on a socket that is not there) */
    now = clock_real_ns();
    snprintf(body, sizeof body, "{\"serverTime\":%lld}", (long long)(now / 1000000 + 12000));
    a = answer(200, body);
    a.sent_ns = now - 1000000LL;
    binance_feed_rest(&b, b.next_id, &a);
    assert_int_equal(b.offset_ms, good);
    /* ... but with the API down it does (the same sample) */
    b.api.state = NET_CLOSED;
    b.next_time_sync_ns = 1;
    binance_run(&b, 0);
    binance_feed_rest(&b, b.next_id, &a);
    assert_true(b.offset_ms > 11900 && b.offset_ms < 12100);
    binance_close(&b);
}

/* account.commission (its REST twin): standard + tax + special, every field read whole */
static bn_commission_t told;
static int ntold;
static void on_commission(void *ctx, const bn_commission_t *c) {
    (void)ctx;
    told = *c;
    ntold++;
}

static void test_commission(void **st) {
    (void)st;
    static symbol_rules_t rules;
    static binance_t b;
    open_client(&b, &rules, on_commission);
    char body[512];
    snprintf(body, sizeof body, "{\"serverTime\":%lld}", (long long)(clock_real_ns() / 1000000));
    rest_answer_t a = answer(200, body);
    binance_feed_rest(&b, b.next_id, &a);
    const char *rates = "{\"symbol\":\"BTCUSDT\","
                        "\"standardCommission\":{\"maker\":\"0.00100000\",\"taker\":\"0.00100000\",\"buyer\":\"0\",\"seller\":\"0\"},"
                        "\"specialCommission\":{\"maker\":\"0.00020000\",\"taker\":\"0.00030000\",\"buyer\":\"0\",\"seller\":\"0\"},"
                        "\"taxCommission\":{\"maker\":\"0.00004000\",\"taker\":\"0.00005000\",\"buyer\":\"0\",\"seller\":\"0\"},"
                        "\"discount\":{\"enabledForAccount\":true,\"enabledForSymbol\":true,\"discountAsset\":\"BNB\","
                        "\"discount\":\"0.75000000\"}}";
    /* each sync asks for the rates last */
    ntold = 0;
    assert_int_equal(b.base.vt->sync(&b.base, 0), VENUE_SENT);
    assert_int_equal(b.st.rest_kind[BN_COMMISSION], 1);
    a = answer(200, rates);
    binance_feed_rest(&b, b.next_id, &a);
    assert_int_equal(ntold, 1);
    assert_true(told.known);
    assert_true(fabs(told.maker_rate - 0.00124) < 1e-12); /* 0.001 + 0.00004 tax + 0.0002 special */
    assert_true(fabs(told.taker_rate - 0.00135) < 1e-12);
    assert_string_equal(told.special_maker, "0.00020000");
    assert_true(told.discount_on);
    /* a field that is a number only by its prefix, or absent: the answer is ignored (the
       rates known stay) */
    const char *bad[] = {"\"taxCommission\":{\"maker\":\"0.00004000\",\"taker\":\"0.00005x\"}",
                         "\"specialCommission\":{\"maker\":\"\",\"taker\":\"0\"}",
                         "\"standardCommission\":{\"maker\":\"0.001\",\"taker\":\"1e\"}"};
    for (int i = 0; i < 3; i++) {
        snprintf(body, sizeof body, "{\"standardCommission\":{\"maker\":\"0.001\",\"taker\":\"0.001\"},%s}", bad[i]);
        if (i == 2) snprintf(body, sizeof body, "{%s}", bad[i]);
        assert_int_equal(b.base.vt->sync(&b.base, 0), VENUE_SENT);
        a = answer(200, body);
        binance_feed_rest(&b, b.next_id, &a);
        assert_int_equal(ntold, 1);
        assert_true(fabs(b.commission.maker_rate - 0.00124) < 1e-12);
    }
    /* absent tax and special: 0 */
    assert_int_equal(b.base.vt->sync(&b.base, 0), VENUE_SENT);
    a = answer(200, "{\"standardCommission\":{\"maker\":\"0.00075\",\"taker\":\"0.001\"}}");
    binance_feed_rest(&b, b.next_id, &a);
    assert_int_equal(ntold, 2);
    assert_true(fabs(told.maker_rate - 0.00075) < 1e-12 && fabs(told.taker_rate - 0.001) < 1e-12);
    binance_close(&b);
}

/* exchangeInfo's rules changing under a running quoter: an error every minute, whatever
   --quiet says, and a word when they cannot be checked at all */
static int count_in(FILE *f, const char *level, const char *what) {
    char line[1024], lv[32];
    int n = 0;
    snprintf(lv, sizeof lv, "\"level\":\"%s\"", level);
    fflush(f);
    rewind(f);
    while (fgets(line, sizeof line, f)) n += strstr(line, what) && strstr(line, lv);
    fseek(f, 0, SEEK_END);
    return n;
}

static void test_rules_change(void **st) {
    (void)st;
    static symbol_rules_t rules;
    static binance_t b;
    open_client(&b, &rules, 0);
    FILE *logf = tmpfile();
    assert_non_null(logf);
    log_setup("test", LOG_JSON, logf); /* (JSON lines carry the level) */
    char body[1024];
    snprintf(body, sizeof body, "{\"serverTime\":%lld}", (long long)(clock_real_ns() / 1000000));
    rest_answer_t a = answer(200, body);
    binance_feed_rest(&b, b.next_id, &a); /* the clock; exinfo asked next */
    b.orders_sent = 1;                    /* mid-run */
    b.ready = 1;
    const char *fmt = "{\"symbols\":[{\"symbol\":\"%s\",\"status\":\"TRADING\",\"baseAsset\":\"BTC\",\"quoteAsset\":\"USDT\","
                      "\"filters\":[{\"filterType\":\"PRICE_FILTER\",\"minPrice\":\"0.10\",\"maxPrice\":\"1000000.00\",\"tickSize\":\"%s\"},"
                      "{\"filterType\":\"LOT_SIZE\",\"minQty\":\"0.00001\",\"maxQty\":\"9000.00000\",\"stepSize\":\"0.00001\"}]}]}";
    for (int i = 0; i < 4; i++) {
        if (i) {
            b.next_exinfo_ns = 1;
            binance_run(&b, 0);
        }
        assert_int_equal(b.st.rest_kind[BN_EXINFO], i + 1);
        if (i == 2) b.rules_told_ns -= 61000000000LL; /* a minute on */
        snprintf(body, sizeof body, fmt, i == 3 ? "ETHUSDT" : "BTCUSDT", "0.10");
        a = answer(200, body);
        binance_feed_rest(&b, b.next_id, &a);
        int want = i < 2 ? 1 : 2; /* once, not again within the minute, again a minute on */
        assert_int_equal(count_in(logf, "error", "exchangeInfo: BTCUSDT's PRICE_FILTER.tickSize is 0.1, the config says 0.01"),
                         want);
        assert_false(b.ready);
        assert_string_equal(b.err, ""); /* mid-run: the run goes on (cancels, then a clean stop) */
    }
    /* (the last: the symbol not listed) */
    b.rules_told_ns = 0;
    b.next_exinfo_ns = 1;
    binance_run(&b, 0);
    snprintf(body, sizeof body, fmt, "ETHUSDT", "0.01");
    a = answer(200, body);
    binance_feed_rest(&b, b.next_id, &a);
    assert_int_equal(count_in(logf, "warn", "exchangeInfo: BTCUSDT's tick and step sizes cannot be checked: exchangeInfo: "
                                    "symbol BTCUSDT not found"), 1);
    log_setup("test", LOG_TEXT, NULL);
    fclose(logf);
    binance_close(&b);
}

/* the one URL parser of the live client (net.c, rest.c, quoter run's cleartext check) */
static void test_url_parse(void **st) {
    (void)st;
    net_url_t u;
    assert_int_equal(net_url_parse("wss://ws-api.binance.com:443/ws-api/v3", &u), 0);
    assert_true(u.tls && u.port == 443 && !strcmp(u.host, "ws-api.binance.com") && !strcmp(u.path, "/ws-api/v3"));
    assert_int_equal(net_url_parse("https://api.binance.com", &u), 0);
    assert_true(u.tls && u.port == 443 && !strcmp(u.scheme, "https") && !strcmp(u.path, ""));
    assert_int_equal(net_url_parse("ws://127.0.0.1:8080", &u), 0);
    assert_true(!u.tls && u.port == 8080 && !strcmp(u.host, "127.0.0.1"));
    assert_int_equal(net_url_parse("http://[::1]:9000/api", &u), 0);
    assert_true(!strcmp(u.host, "::1") && u.port == 9000 && !strcmp(u.path, "/api"));
    assert_int_equal(net_url_parse("http://h:80x/", &u), Q_E_INVAL);   /* a port read whole */
    assert_int_equal(net_url_parse("http://h:0", &u), Q_E_INVAL);
    assert_int_equal(net_url_parse("http://h:65536", &u), Q_E_INVAL);
    assert_int_equal(net_url_parse("ftp://h", &u), Q_E_INVAL);
    assert_int_equal(net_url_parse("http://", &u), Q_E_INVAL);
    assert_int_equal(net_url_parse("http://[::1", &u), Q_E_INVAL);
    assert_int_equal(net_url_parse("wsx://h", &u), Q_E_INVAL);
    assert_true(net_host_loopback("127.0.0.1") && net_host_loopback("127.9.8.7") && net_host_loopback("::1") &&
                net_host_loopback("[::1]") && net_host_loopback("LocalHost"));
    assert_false(net_host_loopback("128.0.0.1") || net_host_loopback("127.0.0.1.example.com") ||
                 net_host_loopback("2001:db8::1") || net_host_loopback("localhost.example.com"));
    /* a name's addresses, IPv4 first (localhost: 127.0.0.1, then ::1 where it is listed) */
    char a[ADDRS_MAX][64];
    int n = addrs_resolve("localhost", a, ADDRS_MAX);
    assert_true(n >= 1);
    assert_string_equal(a[0], "127.0.0.1");
    assert_int_equal(addrs_resolve("quoter-test.invalid", a, ADDRS_MAX), 0); /* RFC 6761: never resolves */
}

/* a rotation's overlap delivers the user data events twice (both sockets subscribed): each is
   acted on once, however many come in between (at least the last 1024 are remembered, in
   bounded memory: an event seen long ago is new again) */
static void test_user_data_once(void **st) {
    (void)st;
    static symbol_rules_t rules;
    static binance_t b;
    open_client(&b, &rules, 0);
    strcpy(rules.base, "BTC");
    strcpy(rules.quote, "USDT");
    b.base.sink = sink;
    char m[256];
    int transfers = 0;
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 1000; i++) {
            nev = 0;
            int n = snprintf(m, sizeof m, "{\"subscriptionId\":%d,\"event\":{\"e\":\"balanceUpdate\",\"E\":%d,"
                             "\"a\":\"USDT\",\"d\":\"1.00\",\"T\":%d}}", round, 1000 + i, 1000 + i);
            binance_feed_api(&b, m, (size_t)n);
            transfers += nev == 1 && evs[0].type == VEV_TRANSFER;
        }
    assert_int_equal(transfers, 1000);
    assert_int_equal(b.st.duplicates, 1000);
    for (int i = 0; i < 3000; i++) { /* 3000 others: the first ones are forgotten */
        int n = snprintf(m, sizeof m, "{\"subscriptionId\":0,\"event\":{\"e\":\"balanceUpdate\",\"E\":%d,"
                         "\"a\":\"USDT\",\"d\":\"1.00\",\"T\":%d}}", 5000 + i, 5000 + i);
        binance_feed_api(&b, m, (size_t)n);
    }
    nev = 0;
    int n = snprintf(m, sizeof m, "{\"subscriptionId\":0,\"event\":{\"e\":\"balanceUpdate\",\"E\":1000,"
                     "\"a\":\"USDT\",\"d\":\"1.00\",\"T\":1000}}");
    binance_feed_api(&b, m, (size_t)n);
    assert_int_equal(nev, 1);
    assert_int_equal(b.st.duplicates, 1000);
    binance_close(&b);
}


/* a sync asked again before the first one ended: the first one's late answers do not end the
   second (each answer belongs to its sync); open orders asked alone end at once */
static int count_ev(venue_event_type_t t) {
    int n = 0;
    for (int i = 0; i < nev; i++) n += evs[i].type == t;
    return n;
}
static void test_sync_generations(void **st) {
    (void)st;
    static symbol_rules_t rules;
    static binance_t b;
    open_client(&b, &rules, 0);
    char body[128];
    snprintf(body, sizeof body, "{\"serverTime\":%lld}", (long long)(clock_real_ns() / 1000000));
    rest_answer_t a = answer(200, body);
    binance_feed_rest(&b, b.next_id, &a);
    b.base.sink = sink;
    nev = 0;
    assert_int_equal(b.base.vt->sync(&b.base, 0), VENUE_SENT); /* account, open orders, commission */
    uint64_t a1 = b.next_id - 2, o1 = b.next_id - 1;
    assert_int_equal(b.base.vt->sync(&b.base, 0), VENUE_SENT);
    uint64_t a2 = b.next_id - 2, o2 = b.next_id - 1;
    rest_answer_t acct = answer(200, "{\"balances\":[]}"), open = answer(200, "[]");
    binance_feed_rest(&b, a1, &acct);
    binance_feed_rest(&b, o1, &open);
    assert_int_equal(count_ev(VEV_SYNC_DONE), 0); /* the first sync's: not the second's end */
    binance_feed_rest(&b, o2, &open);
    assert_int_equal(count_ev(VEV_SYNC_DONE), 0);
    binance_feed_rest(&b, a2, &acct);
    assert_int_equal(count_ev(VEV_SYNC_DONE), 1);
    nev = 0;
    assert_int_equal(binance_open_orders(&b), VENUE_SENT); /* alone: the stop's confirmation */
    binance_feed_rest(&b, b.next_id, &open);
    assert_int_equal(count_ev(VEV_SYNC_DONE), 1);
    binance_close(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_parse),
        cmocka_unit_test(test_hmac_query),
        cmocka_unit_test(test_query_encoding),
        cmocka_unit_test(test_ed25519_query),
        cmocka_unit_test(test_base_urls),
        cmocka_unit_test(test_header_values),
        cmocka_unit_test(test_numeric_connect),
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_account_zero_balance),
        cmocka_unit_test(test_rest_clock),
        cmocka_unit_test(test_commission),
        cmocka_unit_test(test_rules_change),
        cmocka_unit_test(test_user_data_once),
        cmocka_unit_test(test_sync_generations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
