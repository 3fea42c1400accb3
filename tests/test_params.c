/* test_params.c: the request parameter parser and strict readers (proto/params.c): the
 * cases fuzz/fuzz_rest_params.c found, kept as regressions. */
#include <stdint.h>
#include <string.h>

#include "proto/params.h"
#include "testutil.h"

/* a form body's "%00" in the signature: refused, not stored cut short at the NUL */
static void test_signature_nul(void **st) {
    static params_t p;
    params_reset(&p);
    static const char body[] = "symbol=BTCUSDT&signature=ab%00cd";
    assert_int_equal(params_add_form(&p, body, sizeof body - 1), -1100);
    params_reset(&p);
    assert_int_equal(params_add_query(&p, "signature=ab\0cd", 15), -1100);
    params_reset(&p);
    assert_int_equal(params_add_form(&p, "signature=abcd", 14), 0);
    assert_string_equal(p.sig, "abcd");
}

/* the whole range: INT64_MAX is a number, one more is not */
static void test_fixed_range(void **st) {
    int64_t x;
    assert_int_equal(proto_parse_fixed("9223372036854775807", 0, &x), 0);
    assert_true(x == INT64_MAX);
    assert_int_equal(proto_parse_fixed("922337203685477580.7", 1, &x), 0);
    assert_true(x == INT64_MAX);
    assert_int_equal(proto_parse_fixed("9223372036854775808", 0, &x), -1);
    assert_int_equal(proto_parse_fixed("922337203685477580.8", 1, &x), -1);
    assert_int_equal(proto_parse_fixed("5000.5", 3, &x), 0);
    assert_true(x == 5000500);
    assert_int_equal(proto_parse_fixed("5000.5005", 3, &x), -2);
}

/* cut short between characters: valid UTF-8 in, valid UTF-8 out */
static void test_escape_utf8_cut(void **st) {
    char out[16];
    /* a character is written while 7 bytes are left: "\r" takes 6, each "é" 2; at 10 the third
       no longer fits, and the cut falls between two characters (it fell inside the second) */
    proto_json_escape("\r\xc3\xa9\xc3\xa9\xc3\xa9", out, sizeof out);
    assert_string_equal(out, "\\u000d\xc3\xa9\xc3\xa9");
    proto_json_escape("abcdefgh\xf0\x9f\x98\x80", out, sizeof out);
    assert_string_equal(out, "abcdefgh\xf0\x9f\x98\x80");
    proto_json_escape("a\"b\\c", out, sizeof out);
    assert_string_equal(out, "a\\\"b\\\\c");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature_nul),
        cmocka_unit_test(test_fixed_range),
        cmocka_unit_test(test_escape_utf8_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
