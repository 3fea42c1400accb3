/* test_sign.c: request signatures against the Binance documentation's known answers
 * (HMAC, REST and WebSocket API payloads), Ed25519 against OpenSSL's command line, and
 * RFC 3986 percent-encoding. */
#include <stdio.h>
#include <string.h>

#include "proto/sign.h"
#include "testutil.h"

/* `openssl pkeyutl -sign -inkey key.pem -rawin` over the payload below, base64 */
static const char *ed_payload = "apiKey=demo&symbol=BTCUSDT&timestamp=1700000000000";
static const char *ed_sig = "g03pqC83qvXzfmdpi0BSL2eiewJgtAhAjxI0Cg7JU6hodWeUGB1EoRZ4eQkZgn48jtYecPZGSP9wxLAp0fHtDA==";

static void test_hmac_known_answers(void **st) {
    (void)st;
    char out[65];
    const char *rest = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
    assert_int_equal(sign_hmac_hex(tu_doc_secret, rest, strlen(rest), out), 0);
    assert_string_equal(out, "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
    const char *ws = "apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT";
    assert_int_equal(sign_hmac_hex(tu_doc_secret, ws, strlen(ws), out), 0);
    assert_string_equal(out, "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24");
    /* verification: case-insensitive, exact otherwise */
    assert_true(sign_hmac_verify(tu_doc_secret, rest, strlen(rest), "C8DB56825AE71D6D79447849E617115F4A920FA2ACDCAB2B053C4B2838BD6B71"));
    assert_false(sign_hmac_verify(tu_doc_secret, rest, strlen(rest), "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b70"));
    assert_false(sign_hmac_verify(tu_doc_secret, rest, strlen(rest) - 1, "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"));
    assert_false(sign_hmac_verify(tu_doc_secret, rest, strlen(rest), "c8db"));
}

/* the WebSocket API example of the docs: params in request order -> the documented payload */
static void test_ws_payload_sorting(void **st) {
    (void)st;
    const char *k[] = {"symbol", "side", "type", "timeInForce", "quantity", "price", "recvWindow", "timestamp", "apiKey"};
    const char *v[] = {"BTCUSDT", "SELL", "LIMIT", "GTC", "0.01000000", "52000.00", "100", "1645423376532",
                       "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"};
    char out[512], sig[65];
    int n = sign_sorted_payload(k, v, 9, out, sizeof out);
    assert_string_equal(out, "apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT");
    assert_int_equal(sign_hmac_hex(tu_doc_secret, out, (size_t)n, sig), 0);
    assert_string_equal(sig, "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24");
    assert_int_equal(sign_sorted_payload(k, v, 9, out, 20), -1);
}

/* a whole signed request as a client builds it: the docs' example again */
static void test_ws_request(void **st) {
    (void)st;
    char out[1024];
    int n = sign_ws_request("\"4885f793-e5ad-4c3b-8f6c-55d891472b71\"", "order.place",
                            "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.01000000&price=52000.00&recvWindow=100",
                            "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A", tu_doc_secret, 1645423376532LL,
                            out, sizeof out);
    assert_true(n > 0);
    assert_non_null(strstr(out, "\"signature\":\"aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24\""));
    assert_non_null(strstr(out, "{\"id\":\"4885f793-e5ad-4c3b-8f6c-55d891472b71\",\"method\":\"order.place\",\"params\":{"));
    assert_int_equal(sign_ws_request("1", "x", "novalue", "k", "s", 1, out, sizeof out), -1);
    assert_int_equal(sign_ws_request("1", "x", "a=b", "k", "s", 1, out, 20), -1);
    /* what cannot be sent as signed is refused, not dropped or sent as other JSON */
    assert_int_equal(sign_ws_request("1", "x", "a=\"},\"b\":{\"", "k", "s", 1, out, sizeof out), -1);
    assert_int_equal(sign_ws_request("1", "x", "a=b\\", "k", "s", 1, out, sizeof out), -1);
    char many[400] = "";
    for (int i = 0; i < 30; i++) snprintf(many + strlen(many), sizeof many - strlen(many), "%sk%d=%d", i ? "&" : "", i, i);
    assert_true(sign_ws_request("1", "x", many, "k", "s", 1, out, sizeof out) > 0);
    strcat(many, "&k30=30"); /* the 31st was left out of the request and its signature */
    assert_int_equal(sign_ws_request("1", "x", many, "k", "s", 1, out, sizeof out), -1);
}

static void test_ed25519(void **st) {
    (void)st;
    char sig[128];
    assert_int_equal(sign_ed25519_sign(tu_ed_private, ed_payload, strlen(ed_payload), sig, sizeof sig), 0);
    assert_string_equal(sig, ed_sig); /* Ed25519 is deterministic: the same bytes as OpenSSL's CLI */
    assert_true(sign_ed25519_verify(tu_ed_public, ed_payload, strlen(ed_payload), ed_sig));
    assert_false(sign_ed25519_verify(tu_ed_public, ed_payload, strlen(ed_payload) - 1, ed_sig));
    char bad[128];
    strcpy(bad, ed_sig);
    bad[10] = bad[10] == 'A' ? 'B' : 'A';
    assert_false(sign_ed25519_verify(tu_ed_public, ed_payload, strlen(ed_payload), bad));
    assert_false(sign_ed25519_verify(tu_ed_public, ed_payload, strlen(ed_payload), "not base64!"));
    assert_false(sign_ed25519_verify("garbage", ed_payload, strlen(ed_payload), ed_sig));
    assert_int_not_equal(sign_ed25519_sign("garbage", ed_payload, strlen(ed_payload), sig, sizeof sig), 0);
}

/* the Ed25519 and logged-on forms of a WebSocket API request: the same params checks as HMAC;
   the signature verifies with the public key over the sorted params with apiKey and timestamp */
static void test_ws_request_kinds(void **st) {
    (void)st;
    char out[1024], sig[128];
    int n = sign_ws_request_as(SIGN_ED25519, "7", "session.logon", "b=2&a=1", "KEY", tu_ed_private, 1700000000000LL,
                               out, sizeof out);
    assert_true(n > 0);
    const char *payload = "a=1&apiKey=KEY&b=2&timestamp=1700000000000";
    assert_int_equal(sign_ed25519_sign(tu_ed_private, payload, strlen(payload), sig, sizeof sig), 0);
    assert_true(sign_ed25519_verify(tu_ed_public, payload, strlen(payload), sig));
    char want[512];
    snprintf(want, sizeof want, "{\"id\":7,\"method\":\"session.logon\",\"params\":{\"apiKey\":\"KEY\",\"b\":\"2\","
             "\"a\":\"1\",\"timestamp\":1700000000000,\"signature\":\"%s\"}}", sig);
    assert_string_equal(out, want);
    n = sign_ws_request_as(SIGN_TIMESTAMP_ONLY, "8", "order.cancel", "symbol=BTCUSDT&orderId=5", "KEY", tu_ed_private, 12,
                           out, sizeof out);
    assert_string_equal(out, "{\"id\":8,\"method\":\"order.cancel\",\"params\":{\"symbol\":\"BTCUSDT\",\"orderId\":\"5\","
                             "\"timestamp\":12}}");
    assert_int_equal(n, (int)strlen(out));
    for (int k = SIGN_HMAC; k <= SIGN_TIMESTAMP_ONLY; k++) { /* refused alike, whatever signs */
        assert_int_equal(sign_ws_request_as((sign_kind_t)k, "1", "x", "a=b\"", "k", tu_ed_private, 1, out, sizeof out), -1);
        assert_int_equal(sign_ws_request_as((sign_kind_t)k, "1", "x", "novalue", "k", tu_ed_private, 1, out, sizeof out), -1);
    }
    assert_int_equal(sign_ws_request_as(SIGN_ED25519, "1", "x", "a=b", "k", "garbage", 1, out, sizeof out), -1);
}

static void test_percent_encoding(void **st) {
    (void)st;
    char out[128];
    const char *in = "a b/c:\xc3\xa9-_.~";
    assert_int_equal(sign_pct_encode(in, strlen(in), out, sizeof out), 22);
    assert_string_equal(out, "a%20b%2Fc%3A%C3%A9-_.~");
    assert_int_equal(sign_pct_encode("BTCUSDT", 7, out, sizeof out), 7);
    assert_string_equal(out, "BTCUSDT");
    assert_int_equal(sign_pct_encode("////", 4, out, 12), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hmac_known_answers),
        cmocka_unit_test(test_ws_payload_sorting),
        cmocka_unit_test(test_ws_request),
        cmocka_unit_test(test_ed25519),
        cmocka_unit_test(test_ws_request_kinds),
        cmocka_unit_test(test_percent_encoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
