/* fuzz_binance.c: libFuzzer target for what the live client reads from the WebSocket API and
 * from REST (venue/binance/binance.c): answers to the requests it has in flight (placements,
 * cancels, cancel-replaces, queries and their trades, balances, open orders, commission,
 * depth, time, exchangeInfo, the user data subscription, logon) and the events pushed to it
 * (executionReport, outboundAccountPosition, balanceUpdate, serverShutdown,
 * eventStreamTerminated), fed on into a real oms and ledger.
 *
 * Input: records separated by newlines. A line that does not start with '@' is one
 * WebSocket API message (binance_feed_api). A REST answer (binance_feed_rest) is
 *     @ID STATUS            the request id, the HTTP status (0: no answer came)
 *     Name: value           header lines (X-MBX-USED-WEIGHT-1M, X-MBX-ORDER-COUNT-10S,
 *     ...                   X-MBX-ORDER-COUNT-1D, Retry-After; names in any case), read by
 *                           rest.c's own header reader; an empty line ends them
 *     BODY                  one line: the JSON body (may be empty)
 * The request answered is marked as sent over REST first (as it would be had the WebSocket
 * API been down when it went out): a REST answer reaches only such a request.
 *
 * In flight before the records (request ids, checked at every run so that seeds stay true):
 *   1 order.place q1 (bid)   2 order.place q2 (ask)   3 account.status   4 openOrders.status
 *   5 account.commission     6 order.status q1        7 order.cancel q2
 *   8 order.cancelReplace q1 -> q3                    9 openOrders.cancelAll
 *  10 depth                 11 openOrders.status (alone)                 12 time
 *  13 exchangeInfo          14 userDataStream.subscribe                  15 session.logon
 *  16 myTrades q1
 * (answers may send more: myTrades after an order.status, time after -1021, ...: 17 on). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "core/clock.h"
#include "oms/oms.h"
#include "venue/binance/binance.h"

static void drop(void *ctx, const char *text, size_t n) { (void)ctx, (void)text, (void)n; }

/* the pending request `id`, which must be of `kind` (the layout above) */
static bn_pending_t *expect(binance_t *b, uint64_t id, bn_kind_t kind) {
    for (int i = 0; i < BN_PENDING; i++)
        if (b->pend[i].kind != BN_NONE && b->pend[i].id == id) {
            if (b->pend[i].kind != kind) abort();
            return &b->pend[i];
        }
    abort(); /* the request layout moved: fix the comment, the seeds (scripts/fuzz.sh) and the dictionary */
}

/* a request the fuzzer cannot have the client send (it does so only from its own answers and
   connection callbacks), made as send_req would: the next id, on the API socket */
static bn_pending_t *in_flight(binance_t *b, bn_kind_t kind, const char *cid, order_side_t side) {
    for (int i = 0; i < BN_PENDING; i++) {
        bn_pending_t *p = &b->pend[(b->next_id + (uint64_t)i) % BN_PENDING];
        if (p->kind != BN_NONE) continue;
        memset(p, 0, sizeof *p);
        p->kind = kind;
        p->id = ++b->next_id;
        p->sent_ns = clock_real_ns();
        p->gen = b->api.gen;
        p->side = side;
        if (cid) snprintf(p->cid, sizeof p->cid, "%s", cid);
        return p;
    }
    abort();
}

static uint64_t read_u64(const char **s, const char *end) {
    uint64_t v = 0;
    while (*s < end && **s >= '0' && **s <= '9') v = v * 10 + (uint64_t)(*(*s)++ - '0');
    return v;
}

/* one REST answer from its lines at p (the first after "@"); returns where the next record starts */
static const char *rest_record(binance_t *b, const char *p, const char *end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *le = nl ? nl : end;
    uint64_t id = read_u64(&p, le);
    while (p < le && *p == ' ') p++;
    int neg = p < le && *p == '-';
    p += neg;
    uint64_t st = read_u64(&p, le);
    rest_answer_t a;
    memset(&a, 0, sizeof a);
    a.status = (int)(st % 1000) * (neg ? -1 : 1); /* (odd statuses too: it trusts none) */
    a.used_weight_1m = a.order_count_10s = a.order_count_1d = a.retry_after_s = -1;
    a.why = "fuzz: no answer";
    p = nl ? nl + 1 : end;
    /* headers, to an empty line */
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        le = nl ? nl : end;
        if (le == p) {
            p = le + 1;
            break;
        }
        const char *colon = memchr(p, ':', (size_t)(le - p));
        if (colon) {
            char v[32];
            const char *vs = colon + 1;
            size_t vn = (size_t)(le - vs) < sizeof v - 1 ? (size_t)(le - vs) : sizeof v - 1;
            while (vn && *vs == ' ') vs++, vn--;
            memcpy(v, vs, vn);
            v[vn] = 0;
            size_t kn = (size_t)(colon - p);
#define IS(name) (kn == sizeof name - 1 && !strncasecmp(p, name, kn))
            int *f = IS("X-MBX-USED-WEIGHT-1M") ? &a.used_weight_1m : IS("X-MBX-ORDER-COUNT-10S") ? &a.order_count_10s
                   : IS("X-MBX-ORDER-COUNT-1D") ? &a.order_count_1d : IS("Retry-After") ? &a.retry_after_s : 0;
#undef IS
            if (f) *f = rest_header_uint(v);
        }
        p = nl ? nl + 1 : end;
    }
    /* the body: one line, NUL-terminated as rest.c hands it */
    nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : 0;
    le = p < end ? (nl ? nl : end) : p;
    size_t n = (size_t)(le - p);
    char *body = malloc(n + 1);
    if (!body) abort();
    if (n) memcpy(body, p, n);
    body[n] = 0;
    if (a.status) a.body = body, a.len = n;
    else a.body = "", a.len = 0;
    for (int i = 0; i < BN_PENDING; i++) /* it went over REST */
        if (b->pend[i].kind != BN_NONE && b->pend[i].id == id) b->pend[i].rest = 1;
    binance_feed_rest(b, id, &a);
    free(body);
    return nl ? nl + 1 : end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static config_t c;
    static config_exact_t x;
    static binance_t b;
    static oms_t m;
    static int ready;
    if (!ready) {
        char err[256];
        config_defaults(&c);
        if (config_resolve(&c, &x, err, sizeof err)) abort();
        binance_config_t bc = {"ws://127.0.0.1:9/ws-api/v3", "ws://127.0.0.1:9", "fuzz-key", "fuzz-secret", &x.rules,
                               5000};
        bn_hooks_t hooks;
        memset(&hooks, 0, sizeof hooks);
        if (binance_open(&b, &bc, &hooks)) abort();
        b.api.capture = drop;
        ready = 1;
    }
    /* a fresh session: nothing in flight, no limit or clock learnt, a fresh oms and ledger */
    memset(b.pend, 0, sizeof b.pend);
    b.next_id = 0;
    b.ready = b.time_known = b.subscribed = 1;
    b.logged_on = b.session_asked = 0;
    b.offset_ms = 0;
    b.retry_until_ns = 0;
    b.sync_waiting = 0;
    b.weight_limit = 0;
    b.weight_used = -1;
    b.rules_bad = 0;
    b.orders_sent = 0;
    b.err[0] = 0;
    b.symbol_status[0] = 0;
    memset(&b.commission, 0, sizeof b.commission);
    memset(b.bal, 0, sizeof b.bal);
    memset(b.seen, 0, sizeof b.seen);
    b.nseen = 0;
    oms_free(&m);
    oms_config_t oc;
    oms_config_default(&oc);
    if (oms_init(&m, &b.base, &x.rules, &oc)) abort();
    ledger_init(&m.ledger, &x.rules, x.base_balance, x.quote_balance);
    b.base.sink = oms_on_venue;
    b.base.sink_ctx = &m;
    quote_set_t q;
    memset(&q, 0, sizeof q);
    q.nbids = q.nasks = 1;
    q.bids[0] = (quote_t){6000000, 100000};
    q.asks[0] = (quote_t){6000100, 100000};
    oms_update(&m, &q, 1);
    b.base.vt->sync(&b.base, 1);
    order_t *o1 = oms_find(&m, 1), *o2 = oms_find(&m, 2);
    if (!o1 || !o2) abort();
    b.base.vt->query(&b.base, o1, 1);
    b.base.vt->cancel(&b.base, o2, 1);
    order_t o3 = *o1;
    snprintf(o3.cid, sizeof o3.cid, "q3");
    o3.price -= 100;
    b.base.vt->replace(&b.base, o1, &o3, VREPLACE_STOP_ON_FAILURE, 1);
    b.base.vt->cancel_all(&b.base, 1);
    binance_depth(&b, 5);
    binance_open_orders(&b);
    in_flight(&b, BN_TIME, 0, SIDE_BUY);
    in_flight(&b, BN_EXINFO, 0, SIDE_BUY);
    in_flight(&b, BN_SUBSCRIBE, 0, SIDE_BUY);
    in_flight(&b, BN_LOGON, 0, SIDE_BUY);
    in_flight(&b, BN_TRADES, o1->cid, o1->side);
    static const bn_kind_t layout[] = {BN_NONE, BN_PLACE, BN_PLACE, BN_ACCOUNT, BN_OPEN_ORDERS, BN_COMMISSION,
                                       BN_STATUS, BN_CANCEL, BN_REPLACE, BN_CANCEL_ALL, BN_DEPTH, BN_OPEN_ORDERS,
                                       BN_TIME, BN_EXINFO, BN_SUBSCRIBE, BN_LOGON, BN_TRADES};
    for (uint64_t id = 1; id < sizeof layout / sizeof layout[0]; id++) expect(&b, id, layout[id]);
    if (strcmp(expect(&b, 1, BN_PLACE)->cid, "q1") || strcmp(expect(&b, 2, BN_PLACE)->cid, "q2")) abort();
    /* the records */
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        if (*p == '@') {
            p = rest_record(&b, p + 1, end);
            continue;
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n) binance_feed_api(&b, p, n);
        p += n + 1;
    }
    oms_poll(&m, 20000000000LL);
    return 0;
}
