/* test_ratelimit.c: the local exchange's rate limits: Binance's 2026 RAW_REQUESTS default,
 * the unfilled order count and its decrement on first fills (the examples of
 * faqs/order_count_decrement.md, step by step), refunds of weight only into the minute it was
 * charged in, a full IP table (no free pass, no crash, stale entries evicted), and counters
 * that must not overflow on hostile weights and clocks. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "exchange/ratelimit.h"
#include "testutil.h"

/* 2024-01-01 00:00:00 UTC: a day, minute and 10-second boundary, so "00:00:05" below is T0 + 5 s */
#define T0 1704067200000LL
#define S 1000LL

static ratelimit_t rl;

static void init(int weight_limit, int orders10) {
    config_t c;
    config_defaults(&c);
    c.weight_per_minute = weight_limit;
    c.orders_per_10s_limit = orders10;
    c.ban_seconds = 259200; /* 3 days: outlives every test below */
    rl_init(&rl, &c);
}

static int count10(int64_t t) {
    int a, d;
    rl_orders(&rl, 0, t, &a, &d);
    return a;
}
static int countday(int64_t t) {
    int a, d;
    rl_orders(&rl, 0, t, &a, &d);
    return d;
}
static void place(int64_t t) {
    const char *which = 0;
    assert_int_equal(rl_order(&rl, 0, t, &which), 0);
}

static rl_verdict_t req(const char *ip, int weight, int64_t t) {
    int retry, raw;
    int64_t until;
    return rl_weight(&rl, ip, weight, t, &retry, &until, &raw);
}

static void test_raw_requests_default(void **st) {
    (void)st;
    config_t c;
    config_defaults(&c);
    /* CHANGELOG 2026-03-27: "RAW_REQUESTS rate limit increases to 300,000 per 5 minutes." */
    assert_int_equal(c.raw_requests_per_5m, 300000);
    rl_init(&rl, &c);
    assert_int_equal(rl.raw_limit, 300000);
    int retry, raw = 0;
    int64_t until;
    for (int i = 0; i < 300000; i++) /* weight 0: successful orders and cancels since April 2026 */
        assert_int_equal(rl_weight(&rl, "10.0.0.1", 0, T0 + i / 1000, &retry, &until, &raw), RL_OK);
    assert_int_equal(rl_weight(&rl, "10.0.0.1", 0, T0 + 300, &retry, &until, &raw), RL_429);
    assert_true(raw);
    assert_int_equal(until, T0 + 5 * 60 * S);
}

/* FAQ Example 1 (taker): "Note how for every taker order that immediately trades, the
   unfilled order count is decremented later, allowing you to keep placing orders." */
static void test_faq_example1_taker(void **st) {
    (void)st;
    init(6000, 100);
    assert_int_equal(count10(T0), 0);
    place(T0 + 1 * S);                    /* A */
    assert_int_equal(count10(T0 + 1 * S), 1);
    place(T0 + 2 * S);                    /* B */
    assert_int_equal(count10(T0 + 2 * S), 2);
    rl_order_filled(&rl, 0, T0 + 2 * S, 0); /* B partially filled: first fill as taker (-1) */
    assert_int_equal(count10(T0 + 2 * S), 1);
    place(T0 + 3 * S);                    /* C */
    assert_int_equal(count10(T0 + 3 * S), 2);
    /* 00:00:04 B partially filled, then filled: not first fills, no call, still 2 */
    assert_int_equal(count10(T0 + 4 * S), 2);
    place(T0 + 5 * S);                    /* MARKET D */
    assert_int_equal(count10(T0 + 5 * S), 3);
    rl_order_filled(&rl, 0, T0 + 5 * S, 0); /* D fully filled: first fill as taker (-1) */
    assert_int_equal(count10(T0 + 5 * S), 2);
    assert_int_equal(countday(T0 + 5 * S), 2); /* "for all intervals of the ORDERS rate limit" */
}

/* FAQ Example 2 (maker): "Note how for every maker order that is filled later, the unfilled
   order count is decremented by a higher amount" (-5 in the example) */
static void test_faq_example2_maker(void **st) {
    (void)st;
    init(6000, 100);
    assert_int_equal(rl.maker_fill_credit, 5);
    place(T0 + 1 * S); /* A */
    place(T0 + 1 * S); /* B */
    place(T0 + 2 * S); /* C */
    place(T0 + 2 * S); /* D */
    place(T0 + 2 * S); /* E */
    assert_int_equal(count10(T0 + 2 * S), 5);
    rl_order_filled(&rl, 0, T0 + 3 * S, 1); /* A partially filled: first fill as maker (-5) */
    assert_int_equal(count10(T0 + 3 * S), 0);
    place(T0 + 4 * S); /* F */
    place(T0 + 4 * S); /* G */
    assert_int_equal(count10(T0 + 4 * S), 2);
    /* 00:00:05 A partially filled, A filled: not first fills */
    rl_order_filled(&rl, 0, T0 + 5 * S, 1); /* B partially filled: -5, but not below zero */
    assert_int_equal(count10(T0 + 5 * S), 0);
    assert_int_equal(countday(T0 + 5 * S), 0);
    place(T0 + 6 * S); /* H */
    assert_int_equal(count10(T0 + 6 * S), 1);
}

/* FAQ: "Canceling an order does not change the unfilled order count. Expired orders also do
   not change the unfilled order count." Only the FOK order that fills gives one back. */
static void test_faq_cancel_and_expire(void **st) {
    (void)st;
    init(6000, 100);
    place(T0 + 1 * S);                      /* A; canceled at 00:00:02: no call */
    place(T0 + 2 * S);                      /* B */
    place(T0 + 3 * S);                      /* FOK C */
    rl_order_filled(&rl, 0, T0 + 3 * S, 0); /* C fully filled (-1) */
    assert_int_equal(count10(T0 + 3 * S), 2);
    place(T0 + 5 * S);                      /* D */
    place(T0 + 6 * S);                      /* FOK E expires with no fill: no call */
    assert_int_equal(count10(T0 + 6 * S), 4);
    place(T0 + 7 * S);                      /* F (D canceled) */
    assert_int_equal(count10(T0 + 7 * S), 5);
}

/* FAQ: "New order fills decrease your *current* unfilled order count regardless of when the
   orders were placed." and "once the unfilled order count is down to zero, additional fills
   will not decrease it further." (the example's day-by-day table) */
static void test_faq_filled_next_day(void **st) {
    (void)st;
    init(6000, 100);
    const int64_t H = 3600 * S, D1 = T0, D2 = T0 + 24 * H;
    for (int i = 1; i <= 5; i++) place(D1 + 9 * H);
    assert_int_equal(countday(D1 + 9 * H), 5);
    assert_int_equal(countday(D2), 0); /* the interval reset */
    for (int i = 6; i <= 15; i++) place(D2 + 9 * H);
    assert_int_equal(countday(D2 + 9 * H), 10);
    for (int i = 1; i <= 5; i++) rl_order_filled(&rl, 0, D2 + 12 * H, 0); /* placed yesterday */
    assert_int_equal(countday(D2 + 12 * H), 5);
    for (int i = 6; i <= 10; i++) rl_order_filled(&rl, 0, D2 + 13 * H, 0);
    assert_int_equal(countday(D2 + 13 * H), 0);
    place(D2 + 14 * H);
    place(D2 + 14 * H);
    assert_int_equal(countday(D2 + 14 * H), 2);
    for (int i = 11; i <= 15; i++) rl_order_filled(&rl, 0, D2 + 15 * H, 0);
    assert_int_equal(countday(D2 + 15 * H), 0);
    /* "New orders will increase the count as usual." */
    place(D2 + 16 * H);
    assert_int_equal(countday(D2 + 16 * H), 1);
}

/* a fill frees room under the 10 s limit: "So long as your orders trade, you can keep trading." */
static void test_fill_frees_order_budget(void **st) {
    (void)st;
    init(6000, 3);
    const char *which = 0;
    for (int i = 0; i < 3; i++) place(T0);
    assert_int_equal(rl_order(&rl, 0, T0, &which), -1);
    assert_string_equal(which, "10 SECOND");
    rl_order_filled(&rl, 0, T0, 0);
    place(T0);
    /* an account without counters is refused, not waved through */
    assert_int_equal(rl_order(&rl, RL_ACCOUNTS, T0, &which), -1);
    assert_int_equal(rl_order(&rl, -1, T0, &which), -1);
    rl_order_filled(&rl, RL_ACCOUNTS, T0, 1); /* ignored, no crash */
}

static void test_refund_same_window_only(void **st) {
    (void)st;
    init(100, 100);
    const int64_t m1 = T0 + 60 * S;
    assert_int_equal(req("1.2.3.4", 5, m1 - 1), RL_OK);  /* charged in the last ms of a minute */
    assert_int_equal(req("1.2.3.4", 3, m1), RL_OK);      /* another request in the next minute */
    rl_refund_at(&rl, "1.2.3.4", 5, m1 - 1, m1);         /* the first one turned out free */
    assert_int_equal(rl_used(&rl, "1.2.3.4", m1), 3);    /* not taken off the new minute */
    rl_refund_at(&rl, "1.2.3.4", 3, m1, m1 + 1);
    assert_int_equal(rl_used(&rl, "1.2.3.4", m1 + 1), 0);
    /* never negative, never a gift */
    assert_int_equal(req("1.2.3.4", 2, m1 + 2), RL_OK);
    rl_refund_at(&rl, "1.2.3.4", 50, m1 + 2, m1 + 2);
    assert_int_equal(rl_used(&rl, "1.2.3.4", m1 + 2), 0);
    assert_int_equal(req("1.2.3.4", 2, m1 + 3), RL_OK);
    rl_refund_at(&rl, "1.2.3.4", -50, m1 + 3, m1 + 3);
    rl_refund_at(&rl, "1.2.3.4", INT_MIN, m1 + 3, m1 + 3);
    assert_int_equal(rl_used(&rl, "1.2.3.4", m1 + 3), 2);
    /* an IP never charged gets nothing, and a refund does not roll an old window into now */
    rl_refund_at(&rl, "5.6.7.8", 10, m1, m1);
    assert_int_equal(rl_used(&rl, "5.6.7.8", m1), 0);
}

static void ip_name(char *b, int i) { snprintf(b, 32, "10.1.%d.%d", i / 256, i % 256); }

/* the 65th IP must not take away the 64th's counts (two IPs taking turns once reset each
   other's weight forever), nor be unlimited, nor crash */
static void test_ip_table_full(void **st) {
    (void)st;
    init(10, 100);
    char ip[32];
    for (int i = 0; i < RL_IPS; i++) {
        ip_name(ip, i);
        assert_int_equal(req(ip, 1, T0), RL_OK);
    }
    char last[32], extra[32];
    ip_name(last, RL_IPS - 1);
    ip_name(extra, RL_IPS);
    int ok_last = 0, ok_extra = 0;
    for (int k = 0; k < 40; k++) {
        ok_last += req(last, 1, T0 + k) == RL_OK;
        ok_extra += req(extra, 1, T0 + k) == RL_OK;
    }
    assert_int_equal(ok_last, 9); /* 10 a minute, one already used */
    assert_true(ok_extra <= 10);
    assert_int_equal(rl_used(&rl, last, T0 + 50), 10);
    assert_true(rl.crowded > 0);
    /* a banned IP keeps its ban while new IPs come and go */
    char first[32];
    ip_name(first, 0);
    for (int k = 0; k < 30; k++) req(first, 1, T0 + 100 + k);
    assert_int_equal(req(first, 1, T0 + 200), RL_418);
    /* once its windows are over an entry is stale: new IPs, one every 5 minutes (a RAW_REQUESTS
       window), each get counts of their own, never the crowd's (which is banned by now) */
    const int64_t later = T0 + 10 * 60 * S, five = 5 * 60 * S;
    int64_t crowded = rl.crowded;
    for (int i = 0; i < 2 * RL_IPS; i++) {
        ip_name(ip, 1000 + i);
        assert_int_equal(req(ip, 10, later + i * five), RL_OK);
        assert_int_equal(rl_used(&rl, ip, later + i * five), 10);
    }
    assert_int_equal(rl.crowded, crowded);
    assert_int_equal(req(first, 1, later + 2 * RL_IPS * five), RL_418);
}

static void test_no_overflow(void **st) {
    (void)st;
    init(6000, 100);
    assert_int_equal(req("9.9.9.9", 10, T0), RL_OK);
    /* 10 + INT_MAX must not wrap to a small sum */
    assert_int_equal(req("9.9.9.9", INT_MAX, T0), RL_429);
    assert_int_equal(rl_used(&rl, "9.9.9.9", T0), 10);
    assert_int_equal(req("9.9.9.9", -1000, T0), RL_OK); /* a negative weight is no refund */
    assert_int_equal(rl_used(&rl, "9.9.9.9", T0), 10);
    /* clocks at the ends of int64: window ends and bans are computed without overflow */
    int retry, raw;
    int64_t until;
    assert_int_equal(rl_weight(&rl, "8.8.8.8", INT_MAX, INT64_MAX, &retry, &until, &raw), RL_429);
    assert_true(until > 0 && retry > 0);
    for (int k = 0; k < 20; k++) rl_weight(&rl, "8.8.8.8", INT_MAX, INT64_MAX, &retry, &until, &raw);
    assert_int_equal(rl_weight(&rl, "8.8.8.8", 1, INT64_MAX, &retry, &until, &raw), RL_418);
    assert_true(until > 0);
    assert_int_equal(rl_weight(&rl, "7.7.7.7", 1, INT64_MIN, &retry, &until, &raw), RL_OK);
    assert_int_equal(rl_connect(&rl, "7.7.7.7", INT64_MIN), 0);
    assert_int_equal(rl_connect(&rl, "7.7.7.7", INT64_MAX), 0);
    const char *which;
    assert_int_equal(rl_order(&rl, 1, INT64_MAX, &which), 0);
    rl_order_filled(&rl, 1, INT64_MIN, 1);
    rl_refund_at(&rl, "7.7.7.7", 1, INT64_MIN, INT64_MAX);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raw_requests_default),
        cmocka_unit_test(test_faq_example1_taker),
        cmocka_unit_test(test_faq_example2_maker),
        cmocka_unit_test(test_faq_cancel_and_expire),
        cmocka_unit_test(test_faq_filled_next_day),
        cmocka_unit_test(test_fill_frees_order_budget),
        cmocka_unit_test(test_refund_same_window_only),
        cmocka_unit_test(test_ip_table_full),
        cmocka_unit_test(test_no_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
