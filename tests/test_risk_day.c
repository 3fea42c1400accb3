/* test_risk_day.c: the risk gate's daily budget of unfilled orders (risk.h) on known
 * answers: 2,400 a day is a bucket of 100 (an hour's) refilled one every 36 s; a first fill
 * gives one back; the UTC day's count restarts at midnight and never passes the limit. */
#include <string.h>

#include "oms/risk.h"
#include "testutil.h"

#define S 1000000000LL
static const int64_t T0 = 19944LL * 86400 * S + 3600 * S; /* 2024-08-09 01:00 UTC */

static risk_reason_t try(risk_t *r, int64_t now) {
    symbol_rules_t *ru = (symbol_rules_t *)r->rules;
    risk_state_t st = {0, (__int128)1 << 60, (__int128)1 << 100};
    risk_reason_t why = risk_check(r, &st, SIDE_BUY, 6000000, 100 * ru->step_lots, now);
    if (why == RISK_OK) risk_note_sent(r, now);
    return why;
}

static void test_pacing(void **s) {
    (void)s;
    static symbol_rules_t ru;
    tu_btcusdt(&ru);
    static risk_t r;
    risk_init(&r, &ru, 1000000, 0, 10 * S);
    risk_day_limit(&r, 2400);
    for (int i = 0; i < 100; i++) assert_int_equal(try(&r, T0), RISK_OK);
    assert_int_equal(try(&r, T0), RISK_DAILY);
    assert_int_equal(try(&r, T0 + 35 * S), RISK_DAILY); /* 35/36 of an order refilled */
    assert_int_equal(try(&r, T0 + 36 * S), RISK_OK);
    assert_int_equal(try(&r, T0 + 36 * S), RISK_DAILY);
    risk_note_first_fill(&r, T0 + 37 * S); /* that order traded: it is given back */
    assert_int_equal(try(&r, T0 + 37 * S), RISK_OK);
    assert_int_equal(r.day_count, 101); /* 102 sent, one filled */
    assert_int_equal(r.first_fills, 1);
    assert_int_equal(r.rejects[RISK_DAILY], 3);
    /* a day later the bucket is full again (capped at an hour's: 100, not 2,400) */
    for (int i = 0; i < 100; i++) assert_int_equal(try(&r, T0 + 86400 * S), RISK_OK);
    assert_int_equal(try(&r, T0 + 86400 * S), RISK_DAILY);
    /* a smaller venue limit wins; a larger one changes nothing */
    risk_day_limit(&r, 4800);
    assert_int_equal(r.day_limit, 2400);
    risk_day_limit(&r, 240);
    assert_int_equal(r.day_limit, 240);
}

static void test_day_count(void **s) {
    (void)s;
    static symbol_rules_t ru;
    tu_btcusdt(&ru);
    static risk_t r;
    risk_init(&r, &ru, 1000000, 0, 10 * S);
    /* 48 a day: a bucket of 2 refilled every 30 minutes; the count of the UTC day caps too */
    risk_day_limit(&r, 48);
    int64_t t = T0 + 22 * 3600 * S; /* 23:00 UTC */
    assert_int_equal(try(&r, t), RISK_OK);
    assert_int_equal(try(&r, t), RISK_OK);
    assert_int_equal(r.day_count, 2);
    assert_int_equal(try(&r, t + 3599 * S), RISK_OK); /* 23:59:59: ~2 refilled */
    int64_t midnight = (t / (86400 * S) + 1) * 86400 * S;
    assert_int_equal(try(&r, midnight), RISK_DAILY); /* 0.9995 + 1/1800 of an order: not yet */
    assert_int_equal(try(&r, midnight + 60 * S), RISK_OK);
    assert_int_equal(r.day_count, 1); /* a new UTC day counts from 0 */
    risk_note_first_fill(&r, midnight + 61 * S);
    risk_note_first_fill(&r, midnight + 61 * S); /* an order of the day before: nothing below 0 */
    assert_int_equal(r.day_count, 0);
    /* the count at the limit holds orders back even with tokens in the bucket */
    r.day_count = 48;
    r.day_tokens = 2;
    assert_int_equal(try(&r, midnight + 62 * S), RISK_DAILY);
    assert_string_equal(risk_reason_name(RISK_DAILY), "daily_orders");
}

/* no budget: nothing held back however many */
static void test_off(void **s) {
    (void)s;
    static symbol_rules_t ru;
    tu_btcusdt(&ru);
    static risk_t r;
    risk_init(&r, &ru, 1000000, 0, 10 * S);
    for (int i = 0; i < 5000; i++) assert_int_equal(try(&r, T0), RISK_OK);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pacing),
        cmocka_unit_test(test_day_count),
        cmocka_unit_test(test_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
