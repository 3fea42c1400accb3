/* test_proto_order.c: the order vocabulary and the executionReport both sides speak
 * (src/proto/order.h): the documented example of user-data-stream.md read field by field,
 * the exchange's own event written and read back whole, and what a reader must refuse. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "proto/order.h"

/* user-data-stream.md's executionReport example, its comments left out */
static const char doc_example[] =
    "{\"e\":\"executionReport\",\"E\":1499405658658,\"s\":\"ETHBTC\",\"c\":\"mUvoqJxFIILMdfAW5iGSOW\",\"S\":\"BUY\","
    "\"o\":\"LIMIT\",\"f\":\"GTC\",\"q\":\"1.00000000\",\"p\":\"0.10264410\",\"P\":\"0.00000000\",\"F\":\"0.00000000\","
    "\"g\":-1,\"C\":\"\",\"x\":\"NEW\",\"X\":\"NEW\",\"r\":\"NONE\",\"i\":4293153,\"l\":\"0.00000000\",\"z\":\"0.00000000\","
    "\"L\":\"0.00000000\",\"n\":\"0\",\"N\":null,\"T\":1499405658657,\"t\":-1,\"v\":3,\"I\":8641984,\"w\":true,\"m\":false,"
    "\"M\":false,\"O\":1499405658657,\"Z\":\"0.00000000\",\"Y\":\"0.00000000\",\"Q\":\"0.00000000\",\"W\":1499405658657,"
    "\"V\":\"NONE\"}";

static void test_names(void **state) {
    (void)state;
    for (int s = XS_NEW; s <= XS_EXPIRED; s++) {
        xstatus_t back;
        assert_int_equal(xstatus_parse(xstatus_name((xstatus_t)s), &back), 0);
        assert_int_equal(back, s);
    }
    for (int t = XT_LIMIT; t <= XT_MARKET; t++) {
        xtype_t back;
        assert_int_equal(xtype_parse(xtype_name((xtype_t)t), &back), 0);
        assert_int_equal(back, t);
    }
    for (int e = XER_NONE; e <= XER_EXECUTION_RULE_PRICE_RANGE_EXCEEDED; e++) {
        xexpiry_t back;
        assert_int_equal(xexpiry_parse(xexpiry_name((xexpiry_t)e), &back), 0);
        assert_int_equal(back, e);
    }
    xsymstatus_t ss;
    assert_int_equal(xsymstatus_parse("CANCEL_ONLY", &ss), 0);
    assert_int_equal(ss, XSS_CANCEL_ONLY);
    xtif_t tif;
    assert_int_equal(xtif_parse("FOK", &tif), 0);
    assert_int_equal(tif, XTIF_FOK);
    xstp_t stp;
    assert_int_equal(xstp_parse("EXPIRE_BOTH", &stp), 0);
    assert_string_equal(xstp_name(stp), "EXPIRE_BOTH");
    assert_int_equal(xstatus_parse("new", (xstatus_t *)&ss), -1); /* names are exact, upper case */
    assert_int_equal(xtif_parse("GTX", &tif), -1);
}

static void test_doc_example(void **state) {
    (void)state;
    proto_exec_t e;
    assert_int_equal(proto_exec_parse(doc_example, strlen(doc_example), &e), 0);
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
    assert_string_equal(e.commission, "0");
    assert_string_equal(e.commission_asset, "");
    assert_int_equal(e.trade_id, -1);
    assert_int_equal(e.exec_id, 8641984);
    assert_true(e.on_book);
    assert_false(e.maker);
    assert_int_equal(e.working_ms, 1499405658657LL);
    assert_int_equal(e.stp, XSTP_NONE);
    assert_int_equal(e.expiry, XER_NONE);
}

static void test_round_trip(void **state) {
    (void)state;
    proto_exec_t a = {.event_ms = 1796180000123LL, .buy = 0, .type = XT_LIMIT, .tif = XTIF_IOC, .status = XS_EXPIRED,
                      .order_id = 77, .trade_ms = 1796180000123LL, .trade_id = 901, .exec_id = 77001, .on_book = 0,
                      .maker = 1, .created_ms = 1796180000000LL, .working_ms = 1796180000000LL,
                      .stp = XSTP_EXPIRE_MAKER, .expiry = XER_UNFILLED_IOC_QUANTITY_EXPIRED};
    snprintf(a.symbol, sizeof a.symbol, "BTCUSDT");
    snprintf(a.cid, sizeof a.cid, "q-1");
    snprintf(a.exec, sizeof a.exec, "TRADE");
    snprintf(a.qty, sizeof a.qty, "0.01000000");
    snprintf(a.price, sizeof a.price, "61824.01000000");
    snprintf(a.last_qty, sizeof a.last_qty, "0.00400000");
    snprintf(a.cum_qty, sizeof a.cum_qty, "0.00400000");
    snprintf(a.last_price, sizeof a.last_price, "61824.01000000");
    snprintf(a.commission, sizeof a.commission, "0.24729604");
    snprintf(a.commission_asset, sizeof a.commission_asset, "USDT");
    snprintf(a.cum_quote, sizeof a.cum_quote, "247.29604000");
    snprintf(a.last_quote, sizeof a.last_quote, "247.29604000");
    char buf[4096];
    int n = proto_exec_json(&a, buf, sizeof buf);
    assert_true(n > 0);
    assert_non_null(strstr(buf, ",\"eR\":\"UNFILLED_IOC_QUANTITY_EXPIRED\"}"));
    proto_exec_t b;
    assert_int_equal(proto_exec_parse(buf, (size_t)n, &b), 0);
    char again[4096]; /* every field back: written again, the same text */
    assert_int_equal(proto_exec_json(&b, again, sizeof again), n);
    assert_string_equal(again, buf);
    assert_string_equal(b.commission_asset, "USDT");
    assert_int_equal(b.expiry, XER_UNFILLED_IOC_QUANTITY_EXPIRED);
    assert_int_equal(b.trade_id, 901);
    assert_true(b.maker);
    assert_int_equal(proto_exec_json(&a, buf, 100), -1); /* too small: refused, not cut short */
}

static void test_refused(void **state) {
    (void)state;
    proto_exec_t e;
    char bad[sizeof doc_example + 16];
    assert_int_equal(proto_exec_parse("{}", 2, &e), -1);
    assert_int_equal(proto_exec_parse("not json", 8, &e), -1);
    snprintf(bad, sizeof bad, "%s", doc_example);
    memcpy(strstr(bad, "executionReport"), "executionReporT", 15); /* another event */
    assert_int_equal(proto_exec_parse(bad, strlen(bad), &e), -1);
    snprintf(bad, sizeof bad, "%s", doc_example);
    memcpy(strstr(bad, "\"X\":\"NEW\""), "\"X\":\"NEX\"", 9); /* a status Binance does not have */
    assert_int_equal(proto_exec_parse(bad, strlen(bad), &e), -1);
    snprintf(bad, sizeof bad, "%s", doc_example);
    memcpy(strstr(bad, "\"i\":4293153"), "\"i\":\"429315\"", 12); /* the order id as a string */
    assert_int_equal(proto_exec_parse(bad, strlen(bad), &e), -1);
    snprintf(bad, sizeof bad, "%s", doc_example);
    memcpy(strstr(bad, "\"i\":4293153"), "\"i\":1e300  ", 12); /* out of int64: refused, not cast */
    assert_int_equal(proto_exec_parse(bad, strlen(bad), &e), -1);
}

/* rest-api.md's FULL answer to POST /api/v3/order (the first fills of it, comments left out) */
static const char doc_full[] =
    "{\"symbol\":\"BTCUSDT\",\"orderId\":28,\"orderListId\":-1,\"clientOrderId\":\"6gCrw2kRUAF9CvJDGP16IP\","
    "\"transactTime\":1507725176595,\"price\":\"0.00000000\",\"origQty\":\"10.00000000\",\"executedQty\":\"10.00000000\","
    "\"origQuoteOrderQty\":\"0.000000\",\"cummulativeQuoteQty\":\"10.00000000\",\"status\":\"FILLED\",\"timeInForce\":\"GTC\","
    "\"type\":\"MARKET\",\"side\":\"SELL\",\"workingTime\":1507725176595,\"selfTradePreventionMode\":\"NONE\",\"fills\":["
    "{\"price\":\"4000.00000000\",\"qty\":\"1.00000000\",\"commission\":\"4.00000000\",\"commissionAsset\":\"USDT\",\"tradeId\":56},"
    "{\"price\":\"3999.00000000\",\"qty\":\"5.00000000\",\"commission\":\"19.99500000\",\"commissionAsset\":\"USDT\",\"tradeId\":57}]}";

static void test_order_answers(void **state) {
    (void)state;
    proto_order_t o;
    proto_fill_t fills[1];
    assert_int_equal(proto_order_parse(doc_full, strlen(doc_full), &o, fills, 1), 0);
    assert_string_equal(o.symbol, "BTCUSDT");
    assert_int_equal(o.order_id, 28);
    assert_int_equal(o.transact_ms, 1507725176595LL);
    assert_false(o.query);
    assert_int_equal(o.status, XS_FILLED);
    assert_int_equal(o.type, XT_MARKET);
    assert_false(o.buy);
    assert_true(o.full);
    assert_int_equal(o.nfills, 2); /* counted whole, kept as room allows */
    assert_string_equal(fills[0].commission, "4.00000000");
    assert_int_equal(fills[0].trade_id, 56);
    /* a query and a cancel, written and read back the same */
    proto_order_t q = {.order_id = 9, .query = 1, .time_ms = 1, .update_ms = 2, .working_ms = 1, .status = XS_EXPIRED,
                       .tif = XTIF_IOC, .type = XT_LIMIT, .buy = 1, .stp = XSTP_EXPIRE_MAKER,
                       .expiry = XER_UNFILLED_IOC_QUANTITY_EXPIRED};
    snprintf(q.symbol, sizeof q.symbol, "ETHBTC");
    snprintf(q.cid, sizeof q.cid, "cancel-7");
    snprintf(q.orig_cid, sizeof q.orig_cid, "ord-7");
    snprintf(q.price, sizeof q.price, "0.04200000");
    snprintf(q.orig_qty, sizeof q.orig_qty, "1.00000000");
    snprintf(q.executed_qty, sizeof q.executed_qty, "0.00000000");
    snprintf(q.orig_quote_qty, sizeof q.orig_quote_qty, "0.00000000");
    snprintf(q.cum_quote, sizeof q.cum_quote, "0.00000000");
    char buf[2048], again[2048];
    int n = proto_order_json(&q, buf, sizeof buf);
    assert_true(n > 0);
    assert_non_null(strstr(buf, "\"origClientOrderId\":\"ord-7\""));
    assert_non_null(strstr(buf, "\"expiryReason\":\"UNFILLED_IOC_QUANTITY_EXPIRED\""));
    assert_null(strstr(buf, "transactTime")); /* a query has time and updateTime instead */
    proto_order_t back;
    assert_int_equal(proto_order_parse(buf, (size_t)n, &back, 0, 0), 0);
    assert_int_equal(proto_order_json(&back, again, sizeof again), n);
    assert_string_equal(again, buf);
    assert_int_equal(proto_order_json(&q, buf, 64), -1); /* refused, never cut short */
    assert_int_equal(proto_order_parse("{\"symbol\":\"BTCUSDT\"}", 20, &back, 0, 0), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_doc_example),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_order_answers),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
