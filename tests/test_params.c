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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature_nul),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
