/* test_clock_ledger.c: the exchange-time estimate (causal, monotonic, survives a skewed
 * recording clock). The ledger's tests are in test_ledger.c. */
#include "core/clock.h"
#include "testutil.h"

#define MS 1000000LL

static void test_exchange_clock(void **st) {
    (void)st;
    exch_clock_t c;
    exch_clock_init(&c);
    /* the recording's clock runs 1.27 s behind the exchange: local - E is negative */
    int64_t E = 1723161255208LL * MS, L = E - 1270 * MS;
    int64_t x = exch_clock_estimate(&c, L, E);
    assert_true(x == L); /* the first event defines the offset: zero feed latency */
    /* a slower message (10 ms more latency): its exchange time is 10 ms before its arrival */
    x = exch_clock_estimate(&c, L + 110 * MS, E + 100 * MS);
    assert_true(x == L + 100 * MS);
    /* a bookTicker (no E) takes the latest latency */
    x = exch_clock_estimate(&c, L + 120 * MS, 0);
    assert_true(x == L + 110 * MS);
    /* a faster message lowers the offset: later estimates shift, never backwards */
    x = exch_clock_estimate(&c, L + 121 * MS, E + 125 * MS);
    assert_true(x >= L + 110 * MS && x <= L + 121 * MS);
    int64_t last = x;
    /* out-of-order E never moves time back, and never past the local time */
    x = exch_clock_estimate(&c, L + 122 * MS, E + 50 * MS);
    assert_true(x >= last && x <= L + 122 * MS);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exchange_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
