/* bench_exec.c: reading an executionReport as the live client's user data path gets it
 * ({"subscriptionId","event"}), two ways: cJSON (parse the message into a tree, look the
 * fields up, free the tree: what binance.c did for every report) and the allocation-free
 * reader (proto/exec_read.h). Real lines: Binance's documented example and a fill as the
 * local exchange writes it. Prints the median ns per event over rounds. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "bench_util.h"
#include "proto/exec_read.h"

static const char doc_example[] =
    "{\"subscriptionId\":0,\"event\":{\"e\":\"executionReport\",\"E\":1499405658658,\"s\":\"ETHBTC\",\"c\":\"mUvoqJxFIILMdfAW5iGSOW\",\"S\":\"BUY\","
    "\"o\":\"LIMIT\",\"f\":\"GTC\",\"q\":\"1.00000000\",\"p\":\"0.10264410\",\"P\":\"0.00000000\",\"F\":\"0.00000000\","
    "\"g\":-1,\"C\":\"\",\"x\":\"NEW\",\"X\":\"NEW\",\"r\":\"NONE\",\"i\":4293153,\"l\":\"0.00000000\",\"z\":\"0.00000000\","
    "\"L\":\"0.00000000\",\"n\":\"0\",\"N\":null,\"T\":1499405658657,\"t\":-1,\"v\":3,\"I\":8641984,\"w\":true,\"m\":false,"
    "\"M\":false,\"O\":1499405658657,\"Z\":\"0.00000000\",\"Y\":\"0.00000000\",\"Q\":\"0.00000000\",\"W\":1499405658657,"
    "\"V\":\"NONE\"}}";

static volatile int64_t sink;

static int by_cjson(const char *m, size_t n, proto_exec_t *e) {
    cJSON *j = cJSON_ParseWithLength(m, n);
    int rc = proto_exec_from_cjson(cJSON_GetObjectItemCaseSensitive(j, "event"), e);
    cJSON_Delete(j);
    return rc;
}

/* median ns per read of m over 15 rounds of `per` reads */
static double measure(int (*rd)(const char *, size_t, proto_exec_t *), const char *m, size_t n, int per) {
    double r[15];
    proto_exec_t e;
    for (int k = 0; k < 15; k++) {
        double t0 = now_s();
        for (int i = 0; i < per; i++) {
            if (rd(m, n, &e)) {
                fprintf(stderr, "bench_exec: the line was not read\n");
                exit(1);
            }
            sink += e.order_id;
        }
        r[k] = (now_s() - t0) * 1e9 / per;
    }
    return median(r, 15);
}

int main(void) {
    proto_exec_t a = {.event_ms = 1723161254107LL, .type = XT_LIMIT_MAKER, .status = XS_FILLED, .order_id = 12,
                      .trade_ms = 1723161254107LL, .trade_id = 88, .exec_id = 25, .maker = 1,
                      .created_ms = 1723161253000LL, .working_ms = 1723161253000LL, .stp = XSTP_EXPIRE_MAKER};
    snprintf(a.symbol, sizeof a.symbol, "BTCUSDT");
    snprintf(a.cid, sizeof a.cid, "q1b");
    snprintf(a.exec, sizeof a.exec, "TRADE");
    snprintf(a.qty, sizeof a.qty, "0.00100000");
    snprintf(a.price, sizeof a.price, "61824.01000000");
    snprintf(a.last_qty, sizeof a.last_qty, "0.00100000");
    snprintf(a.cum_qty, sizeof a.cum_qty, "0.00100000");
    snprintf(a.last_price, sizeof a.last_price, "61824.01000000");
    snprintf(a.commission, sizeof a.commission, "0.06182401");
    snprintf(a.commission_asset, sizeof a.commission_asset, "USDT");
    snprintf(a.cum_quote, sizeof a.cum_quote, "61.82401000");
    snprintf(a.last_quote, sizeof a.last_quote, "61.82401000");
    char ev[2048], fill[2100];
    proto_exec_json(&a, ev, sizeof ev);
    int n = snprintf(fill, sizeof fill, "{\"subscriptionId\":0,\"event\":%s}", ev);
    const struct { const char *name, *text; size_t n; } lines[] = {
        {"Binance's documented NEW", doc_example, sizeof doc_example - 1},
        {"the exchange's TRADE", fill, (size_t)n},
    };
    for (int i = 0; i < 2; i++) {
        double c = measure(by_cjson, lines[i].text, lines[i].n, 20000);
        double r = measure(proto_exec_read_event, lines[i].text, lines[i].n, 20000);
        printf("executionReport read (%s, %zu bytes): cJSON %.0f ns, reader %.0f ns per event (%.1fx)\n", lines[i].name,
               lines[i].n, c, r, c / r);
    }
    return 0;
}
