/* test_clock_ledger.c: the exchange-time estimate (causal, monotonic, survives a skewed
 * recording clock) and the ledger's known answers (fee assets and rounding, average cost,
 * total = realized + unrealized). */
#include <math.h>
#include <string.h>

#include "core/clock.h"
#include "oms/ledger.h"
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

static void test_ledger_known_answers(void **st) {
    (void)st;
    symbol_rules_t r;
    tu_btcusdt(&r);
    ledger_t l;
    /* 1 BTC, 10000 USDT; maker 0.1%, taker 0.2% */
    ledger_init(&l, &r, 100000000, (__int128)10000 * 10000000000LL, 0.001, 0.002);
    ledger_start(&l, 50000);
    double fq;
    /* buy 0.00123 BTC at 50000.00 as maker: fee 0.00000123 BTC = 123 lots, in BTC */
    int64_t fee = ledger_fill(&l, SIDE_BUY, 5000000, 123000, 1, &fq);
    assert_int_equal(fee, 123);
    assert_int_equal(l.base, 100000000 + 123000 - 123);
    assert_true(l.quote == (__int128)10000 * 10000000000LL - (__int128)5000000 * 123000);
    assert_true(fabs(fq - 0.0615) < 1e-9); /* 123e-8 BTC at 50000 */
    /* buy 0.00001 BTC as taker: 0.2% of 1000 lots = 2 lots exactly; of 1001 lots, 2.002 rounds up to 3 */
    assert_int_equal(ledger_fill(&l, SIDE_BUY, 5000000, 1000, 0, &fq), 2);
    assert_int_equal(ledger_fill(&l, SIDE_BUY, 5000000, 1001, 0, &fq), 3);
    /* sell 0.001 BTC at 50010.00 as maker: fee 0.05001 USDT, in USDT (tick*lot units: 1e-10) */
    __int128 q0 = l.quote;
    fee = ledger_fill(&l, SIDE_SELL, 5001000, 100000, 1, &fq);
    assert_int_equal(fee, 500100000);
    assert_true(l.quote == q0 + (__int128)5001000 * 100000 - 500100000);
    assert_true(fabs(fq - 0.05001) < 1e-12);
    /* a rebate (negative rate) rounds toward zero */
    ledger_t m;
    ledger_init(&m, &r, 0, (__int128)10000 * 10000000000LL, -0.0001, 0.001);
    ledger_start(&m, 50000);
    assert_int_equal(ledger_fill(&m, SIDE_BUY, 5000000, 1500, 1, &fq), 0); /* -0.15 lots -> 0 */
    assert_int_equal(ledger_fill(&m, SIDE_BUY, 5000000, 25000, 1, &fq), -2); /* -2.5 -> -2 */
    /* identities at any mark */
    for (double mark = 40000; mark <= 60000; mark += 5000) {
        double total = ledger_equity(&l, mark) - (1.0 * 50000 + 10000);
        double parts = l.realized + ledger_unrealized(&l, mark);
        assert_true(fabs(total - parts) < 1e-6);
    }
    assert_true(l.base == l.base_start + l.bought - l.sold - l.fee_base);
    assert_int_equal(l.inv_min, 0);
    assert_true(l.inv_max > 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exchange_clock),
        cmocka_unit_test(test_ledger_known_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
