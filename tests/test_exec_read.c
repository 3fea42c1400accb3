/* test_exec_read.c: the allocation-free executionReport reader (src/proto/exec_read.h) on
 * real executionReport lines: Binance's documented example (user-data-stream.md), and the
 * events the local exchange writes (src/exchange/user_data.c, through proto_exec_json) for a
 * maker fill and an IOC's expiry, bare and in the {"subscriptionId","event"} wrapper the
 * WebSocket API pushes. Every field is asserted, and on each line (and on variants that
 * stress the grammar: escapes, duplicate keys, whitespace, a BOM) the reader must give what
 * proto_exec_parse (cJSON) gives. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "proto/exec_read.h"

static const char doc_example[] =
    "{\"e\":\"executionReport\",\"E\":1499405658658,\"s\":\"ETHBTC\",\"c\":\"mUvoqJxFIILMdfAW5iGSOW\",\"S\":\"BUY\","
    "\"o\":\"LIMIT\",\"f\":\"GTC\",\"q\":\"1.00000000\",\"p\":\"0.10264410\",\"P\":\"0.00000000\",\"F\":\"0.00000000\","
    "\"g\":-1,\"C\":\"\",\"x\":\"NEW\",\"X\":\"NEW\",\"r\":\"NONE\",\"i\":4293153,\"l\":\"0.00000000\",\"z\":\"0.00000000\","
    "\"L\":\"0.00000000\",\"n\":\"0\",\"N\":null,\"T\":1499405658657,\"t\":-1,\"v\":3,\"I\":8641984,\"w\":true,\"m\":false,"
    "\"M\":false,\"O\":1499405658657,\"Z\":\"0.00000000\",\"Y\":\"0.00000000\",\"Q\":\"0.00000000\",\"W\":1499405658657,"
    "\"V\":\"NONE\"}";

/* the reader and cJSON agree on text (both refuse, or both read the same fields) */
static int agree(const char *text, size_t n) {
    proto_exec_t a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    int ra = proto_exec_parse(text, n, &a), rb = proto_exec_read(text, n, &b);
    if (ra != rb) return 0;
    return ra || !memcmp(&a, &b, sizeof a);
}

static void test_doc_example(void **state) {
    (void)state;
    proto_exec_t e;
    assert_int_equal(proto_exec_read(doc_example, strlen(doc_example), &e), 0);
    assert_int_equal(e.event_ms, 1499405658658LL);
    assert_string_equal(e.symbol, "ETHBTC");
    assert_string_equal(e.cid, "mUvoqJxFIILMdfAW5iGSOW");
    assert_true(e.buy);
    assert_int_equal(e.type, XT_LIMIT);
    assert_int_equal(e.tif, XTIF_GTC);
    assert_string_equal(e.qty, "1.00000000");
    assert_string_equal(e.price, "0.10264410");
    assert_string_equal(e.orig_cid, "");
    assert_string_equal(e.exec, "NEW");
    assert_int_equal(e.status, XS_NEW);
    assert_int_equal(e.order_id, 4293153);
    assert_string_equal(e.last_qty, "0.00000000");
    assert_string_equal(e.cum_qty, "0.00000000");
    assert_string_equal(e.last_price, "0.00000000");
    assert_string_equal(e.commission, "0");
    assert_string_equal(e.commission_asset, "");
    assert_int_equal(e.trade_ms, 1499405658657LL);
    assert_int_equal(e.trade_id, -1);
    assert_int_equal(e.exec_id, 8641984);
    assert_true(e.on_book);
    assert_false(e.maker);
    assert_int_equal(e.created_ms, 1499405658657LL);
    assert_string_equal(e.cum_quote, "0.00000000");
    assert_string_equal(e.last_quote, "0.00000000");
    assert_int_equal(e.working_ms, 1499405658657LL);
    assert_int_equal(e.stp, XSTP_NONE);
    assert_int_equal(e.expiry, XER_NONE);
    assert_true(agree(doc_example, strlen(doc_example)));
    /* in the WebSocket API's wrapper */
    char wrapped[1024];
    int n = snprintf(wrapped, sizeof wrapped, "{\"subscriptionId\":0,\"event\":%s}", doc_example);
    proto_exec_t w;
    assert_int_equal(proto_exec_read_event(wrapped, (size_t)n, &w), 0);
    assert_memory_equal(&w, &e, sizeof e);
    /* the bare reader does not look inside the wrapper, nor the wrapper's reader at a bare event */
    assert_int_equal(proto_exec_read(wrapped, (size_t)n, &w), -1);
    assert_int_equal(proto_exec_read_event(doc_example, strlen(doc_example), &w), -1);
}

/* what the exchange writes: a maker fill and an IOC's expiry, every field checked */
static void test_exchange_events(void **state) {
    (void)state;
    proto_exec_t a = {.event_ms = 1723161254107LL, .buy = 0, .type = XT_LIMIT_MAKER, .tif = XTIF_GTC,
                      .status = XS_FILLED, .order_id = 12, .trade_ms = 1723161254107LL, .trade_id = 88, .exec_id = 25,
                      .on_book = 0, .maker = 1, .created_ms = 1723161253000LL, .working_ms = 1723161253000LL,
                      .stp = XSTP_EXPIRE_MAKER};
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
    char ev[2048], msg[2100];
    int n = proto_exec_json(&a, ev, sizeof ev);
    assert_true(n > 0);
    int m = snprintf(msg, sizeof msg, "{\"subscriptionId\":0,\"event\":%s}", ev); /* as user_data.c wraps it */
    proto_exec_t e;
    assert_int_equal(proto_exec_read_event(msg, (size_t)m, &e), 0);
    assert_int_equal(e.event_ms, 1723161254107LL);
    assert_string_equal(e.symbol, "BTCUSDT");
    assert_string_equal(e.cid, "q1b");
    assert_false(e.buy);
    assert_int_equal(e.type, XT_LIMIT_MAKER);
    assert_int_equal(e.tif, XTIF_GTC);
    assert_string_equal(e.qty, "0.00100000");
    assert_string_equal(e.price, "61824.01000000");
    assert_string_equal(e.orig_cid, "");
    assert_string_equal(e.exec, "TRADE");
    assert_int_equal(e.status, XS_FILLED);
    assert_int_equal(e.order_id, 12);
    assert_string_equal(e.last_qty, "0.00100000");
    assert_string_equal(e.cum_qty, "0.00100000");
    assert_string_equal(e.last_price, "61824.01000000");
    assert_string_equal(e.commission, "0.06182401");
    assert_string_equal(e.commission_asset, "USDT");
    assert_int_equal(e.trade_ms, 1723161254107LL);
    assert_int_equal(e.trade_id, 88);
    assert_int_equal(e.exec_id, 25);
    assert_false(e.on_book);
    assert_true(e.maker);
    assert_int_equal(e.created_ms, 1723161253000LL);
    assert_string_equal(e.cum_quote, "61.82401000");
    assert_string_equal(e.last_quote, "61.82401000");
    assert_int_equal(e.working_ms, 1723161253000LL);
    assert_int_equal(e.stp, XSTP_EXPIRE_MAKER);
    assert_int_equal(e.expiry, XER_NONE);
    assert_true(agree(ev, (size_t)n));

    /* an IOC buy's remainder expiring, with its expiry reason and a cancel's own id */
    a.buy = 1;
    a.type = XT_LIMIT;
    a.tif = XTIF_IOC;
    a.status = XS_EXPIRED;
    a.expiry = XER_UNFILLED_IOC_QUANTITY_EXPIRED;
    a.trade_id = -1;
    a.maker = 0;
    a.working_ms = 0;
    a.stp = XSTP_NONE;
    snprintf(a.exec, sizeof a.exec, "EXPIRED");
    snprintf(a.orig_cid, sizeof a.orig_cid, "web_b7c2");
    n = proto_exec_json(&a, ev, sizeof ev);
    assert_int_equal(proto_exec_read(ev, (size_t)n, &e), 0);
    assert_true(e.buy);
    assert_int_equal(e.type, XT_LIMIT);
    assert_int_equal(e.tif, XTIF_IOC);
    assert_int_equal(e.status, XS_EXPIRED);
    assert_string_equal(e.exec, "EXPIRED");
    assert_string_equal(e.orig_cid, "web_b7c2");
    assert_int_equal(e.expiry, XER_UNFILLED_IOC_QUANTITY_EXPIRED);
    assert_int_equal(e.trade_id, -1);
    assert_false(e.maker);
    assert_int_equal(e.working_ms, 0);
    assert_int_equal(e.stp, XSTP_NONE);
    assert_true(agree(ev, (size_t)n));
}

/* text put together from pieces, so that the variants below read plainly */
static size_t variant(char *out, size_t cap, const char *from, const char *to) {
    const char *at = strstr(doc_example, from);
    assert_non_null(at);
    int n = snprintf(out, cap, "%.*s%s%s", (int)(at - doc_example), doc_example, to, at + strlen(from));
    assert_true(n > 0 && (size_t)n < cap);
    return (size_t)n;
}

static void test_grammar_as_cjson(void **state) {
    (void)state;
    static const char *const swaps[][2] = {
        {"\"s\":\"ETHBTC\"", "\"s\":\"ETH\\u0042TC\""},          /* an escape: still ETHBTC */
        {"\"s\":\"ETHBTC\"", "\"s\":\"ETH\\u0000BTC\""},         /* a NUL: strcmp sees ETH */
        {"\"s\":\"ETHBTC\"", "\"\\u0073\":\"ETHBTC\""},          /* an escaped key */
        {"\"c\":\"mUvoqJxFIILMdfAW5iGSOW\"", "\"c\":\"a\\/b\\\"c\\\\d\\ud83d\\ude00\""},
        {"\"c\":\"mUvoqJxFIILMdfAW5iGSOW\"", "\"c\":\"\\ud83d\""}, /* half a surrogate pair */
        {"\"c\":\"mUvoqJxFIILMdfAW5iGSOW\"", "\"c\":\"\\uZZZZ\""},  /* bad hex reads as 0 */
        {"\"c\":\"mUvoqJxFIILMdfAW5iGSOW\"", "\"c\":\"\\x\""},     /* an unknown escape */
        {"\"E\":1499405658658,", "\"E\":1499405658658,\"E\":7,"},  /* the first of two wins */
        {"\"E\":1499405658658,", "\"E\":7,\"E\":1499405658658,"},
        {"\"E\":1499405658658,", "\"E\":1.499405658658e12,"},
        {"\"E\":1499405658658,", "\"E\":1499405658658.5,"},
        {"\"E\":1499405658658,", "\"E\":-0,"},
        {"\"E\":1499405658658,", "\"E\":00012,"},
        {"\"E\":1499405658658,", "\"E\":9007199254740993,"},    /* rounded as a double, as cJSON does */
        {"\"E\":1499405658658,", "\"E\":1e300,"},
        {"\"E\":1499405658658,", "\"E\":1e,"},
        {"\"i\":4293153,", "\"i\" \t\r\n:\x01 4293153 ,"},       /* any byte <= 0x20 is whitespace */
        {"\"W\":1499405658657,", "\"W\":\"late\","},                /* W of another type: 0 */
        {"\"W\":1499405658657,", ""},                               /* W absent: 0 */
        {"\"N\":null", "\"N\":\"BNB\""},
        {"\"N\":null", "\"N\":0"},                                  /* neither a string nor null */
        {"\"N\":null,", ""},                                        /* N is required */
        {"\"V\":\"NONE\"}", "\"V\":\"NONE\",\"eR\":\"OCO_TRIGGER\"}"},
        {"\"V\":\"NONE\"}", "\"V\":\"NONE\",\"eR\":\"SOMETHING\"}"}, /* an expiry reason unknown */
        {"\"V\":\"NONE\"}", "\"V\":\"NONE\",\"eR\":5}"},            /* not a string: ignored */
        {"\"V\":\"NONE\"}", "\"V\":\"NONE\",\"z\":[1,{\"a\":[]}]} trailing text is ignored"},
        {"\"V\":\"NONE\"}", "\"V\":\"NONE\",}"},                   /* a trailing comma */
        {"\"o\":\"LIMIT\"", "\"o\":\"STOP_LOSS_LIMIT\""},          /* a type this side does not trade */
        {"\"X\":\"NEW\"", "\"X\":\"EXPIRED_IN_MATCH\""},
        {"\"w\":true", "\"w\":1"},
        {"\"w\":true", "\"w\":truex"},
        {"\"S\":\"BUY\"", "\"S\":\"BUY\\u0000X\""},
    };
    char buf[2048];
    for (size_t i = 0; i < sizeof swaps / sizeof *swaps; i++) {
        size_t n = variant(buf, sizeof buf, swaps[i][0], swaps[i][1]);
        if (!agree(buf, n)) fail_msg("the reader and cJSON differ on %s", buf);
    }
    /* a BOM (taken when the text has 5 bytes or more), leading whitespace, cut short anywhere */
    int n = snprintf(buf, sizeof buf, "\xEF\xBB\xBF \n%s", doc_example);
    assert_true(agree(buf, (size_t)n));
    proto_exec_t e;
    assert_int_equal(proto_exec_read(buf, (size_t)n, &e), 0);
    for (size_t cut = 0; cut < strlen(doc_example); cut++)
        if (!agree(doc_example, cut)) fail_msg("they differ on the first %zu bytes", cut);
    /* cJSON refuses the 1000th nested array or object (the event is the first): so must the reader */
    static char deep[8192];
    for (int depth = 998; depth <= 1000; depth++) {
        size_t m = strlen(doc_example) - 1; /* without its closing brace */
        memcpy(deep, doc_example, m);
        m += (size_t)sprintf(deep + m, ",\"d\":");
        for (int d = 0; d < depth; d++) deep[m++] = '[';
        for (int d = 0; d < depth; d++) deep[m++] = ']';
        deep[m++] = '}';
        assert_true(agree(deep, m));
        assert_int_equal(proto_exec_read(deep, m, &e), depth < 1000 ? 0 : -1);
    }
    /* a number of 64 characters or more is left to cJSON */
    variant(buf, sizeof buf, "\"g\":-1", "\"g\":10000000000000000000000000000000000000000000000000000000000000001");
    assert_int_equal(proto_exec_read(buf, strlen(buf), &e), PROTO_EXEC_UNDECIDED);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_example),
        cmocka_unit_test(test_exchange_events),
        cmocka_unit_test(test_grammar_as_cjson),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
