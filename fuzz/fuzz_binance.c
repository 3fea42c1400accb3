/* fuzz_binance.c: libFuzzer target for what the live client reads from the WebSocket API
 * (venue/binance/binance.c): answers to the requests it has in flight (placements, cancels,
 * cancel-replaces, queries and their trades, balances, open orders, depth, time,
 * exchangeInfo, logon) and the events pushed to it (executionReport,
 * outboundAccountPosition, balanceUpdate, serverShutdown, eventStreamTerminated), fed on into
 * a real oms and ledger. Input: messages separated by newlines. Before them the oms sends a
 * bid and an ask (request ids "1" and "2", client ids q1 and q2), a sync ("3" account.status,
 * "4" openOrders.status), a query of q1 ("5") and a cancel of q2 ("6"), so answers find
 * their requests. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "oms/oms.h"
#include "venue/binance/binance.h"

static void drop(void *ctx, const char *text, size_t n) { (void)ctx, (void)text, (void)n; }

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
    /* a fresh session: nothing in flight, a fresh oms and ledger */
    memset(b.pend, 0, sizeof b.pend);
    b.next_id = 0;
    b.ready = b.time_known = b.subscribed = 1;
    b.retry_until_ns = 0;
    b.sync_waiting = 0;
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
    if (o1) b.base.vt->query(&b.base, o1, 1);
    if (o2) b.base.vt->cancel(&b.base, o2, 1);
    /* the messages */
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n) binance_feed_api(&b, p, n);
        p += n + 1;
    }
    oms_poll(&m, 20000000000LL);
    return 0;
}
