/* test_estimators.c: the estimators every strategy shares (strategy/estimators.h), each on a
 * short stream whose answer is worked out by hand in the comments (the arithmetic was
 * checked with a few lines of a script: the formulas of estimators.h, nothing of this code). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "strategy/estimators.h"
#include "testutil.h"

#define S(x) ((int64_t)((x) * 1e9)) /* seconds to ns */

static est_cfg_t cfg(void) {
    est_cfg_t c;
    memset(&c, 0, sizeof c);
    c.tick = 0.01;
    c.step_s = 1;
    return c;
}

static void near(double got, double want, double tol) {
    if (fabs(got - want) > tol) fail_msg("got %.12g, want %.12g", got, want);
}

/* mid in half ticks: bid + ask; a book event sets it */
static void mid(est_t *e, int64_t bid, int64_t ask, double t) { est_on_book(e, bid, ask, S(t)); }

static void test_vol_rolling(void **st) {
    (void)st;
    est_cfg_t c = cfg();
    c.vol_window_s = 4; /* 4 steps of 1 s */
    est_t e;
    char err[128];
    assert_int_equal(est_init(&e, &c, err, sizeof err), 0);
    double sg;
    /* mids (half ticks) 20002 | 20004 | 20008 | 20006 | 20006 | 20010 at t = 0..5 s: each event at
       a step's start; the step before it ends with the previous mid. The first step has no
       start mid, so the changes are those of steps 1..4: 2, 4, -2, 0 */
    mid(&e, 10000, 10002, 0);
    mid(&e, 10001, 10003, 1);
    mid(&e, 10004, 10004, 2);
    mid(&e, 10003, 10003, 3);
    mid(&e, 10003, 10003, 4);
    assert_int_equal(est_sigma(&e, &sg), 0); /* 3 changes of 4: not yet */
    mid(&e, 10005, 10005, 5);
    assert_int_equal(est_sigma(&e, &sg), 1);
    /* mean 1, mean square (4 + 16 + 4 + 0) / 4 = 6, variance 5 half ticks^2 a second:
       sigma = sqrt(5) * 0.005 = 0.0111803398875 */
    near(sg, 0.0111803398875, 1e-12);
    /* an event in the middle of a step changes nothing until the step ends */
    mid(&e, 10100, 10100, 5.5);
    assert_int_equal(est_sigma(&e, &sg), 1);
    near(sg, 0.0111803398875, 1e-12);
    mid(&e, 10005, 10005, 5.9);
    /* t = 6: the step 5..6 ends at 20010 (the mid in force): change 4; window 4, -2, 0, 4:
       mean 1.5, mean square 9, variance 6.75: sqrt(6.75) * 0.005 = 0.0129903810568 */
    mid(&e, 10005, 10005, 6);
    near((est_sigma(&e, &sg), sg), 0.0129903810568, 1e-12);
    /* a quiet gap of 14 s: the mid did not move, so the window is all zeros */
    mid(&e, 10005, 10005, 20);
    assert_int_equal(est_sigma(&e, &sg), 1);
    near(sg, 0, 1e-15);
    est_free(&e);

    /* the same changes on 0.5 s steps are twice the variance a second: sqrt(5 / 0.5) * 0.005 */
    c.step_s = 0.5;
    c.vol_window_s = 2;
    assert_int_equal(est_init(&e, &c, err, sizeof err), 0);
    mid(&e, 10000, 10002, 0);
    mid(&e, 10001, 10003, 0.5);
    mid(&e, 10004, 10004, 1);
    mid(&e, 10003, 10003, 1.5);
    mid(&e, 10003, 10003, 2);
    mid(&e, 10005, 10005, 2.5);
    near((est_sigma(&e, &sg), sg), 0.0158113883008, 1e-12);
    est_free(&e);
}

static void test_vol_ewma(void **st) {
    (void)st;
    est_cfg_t c = cfg();
    c.vol_window_s = 2;
    c.vol_ewma = 1;
    est_t e;
    char err[128];
    assert_int_equal(est_init(&e, &c, err, sizeof err), 0);
    double sg;
    /* changes 2, 4 (half ticks); a = 1 - e^{-1/2} = 0.39346934; v = a*4 then (1-a) v + a*16 =
       7.24929; weights 1 - (1-a)^2 = 0.63212056: variance 11.468, sigma = 0.0169333339706 */
    mid(&e, 10000, 10002, 0);
    mid(&e, 10001, 10003, 1);
    mid(&e, 10004, 10004, 2);
    assert_int_equal(est_sigma(&e, &sg), 0); /* one change: less than the window's 2 */
    mid(&e, 10004, 10004, 3);
    assert_int_equal(est_sigma(&e, &sg), 1);
    near(sg, 0.0169333339706, 1e-12);
    est_free(&e);
}

static void test_intensity(void **st) {
    (void)st;
    est_cfg_t c = cfg();
    c.int_window_s = 3; /* 3 steps */
    c.int_bin2 = 1;     /* half a tick: distances 0.005, 0.010, ... */
    c.int_bins = 5;
    c.int_refit_s = 1;
    est_t e;
    char err[128];
    assert_int_equal(est_init(&e, &c, err, sizeof err), 0);
    double A, k;
    mid(&e, 10000, 10001, 0); /* mid 100.005: 20001 half ticks */
    mid(&e, 10000, 10001, 1); /* the step 1..2 starts at that mid */
    /* step 1..2: a buy at 100.01 is 1 half tick above the mid (beyond no distance: the quote at
       0.005 is at its price), one at 100.02 is 3 beyond: past 0.005 and 0.010, 2 bins */
    est_on_trade(&e, 10001, 100, 0, S(1.1));
    est_on_trade(&e, 10002, 100, 0, S(1.2));
    /* step 2..3: sells at 99.99 (3 half ticks below: 2 bins) and 99.98 (5: 4 bins) */
    est_on_trade(&e, 9999, 100, 1, S(2.1));
    est_on_trade(&e, 9998, 100, 1, S(2.2));
    /* step 3..4: a sell above the mid is no arrival; a buy 3 half ticks up: 2 bins */
    est_on_trade(&e, 10002, 100, 1, S(3.05));
    est_on_trade(&e, 10002, 100, 0, S(3.1));
    assert_int_equal(est_intensity(&e, &A, &k), 0); /* the window is not full yet */
    mid(&e, 10000, 10001, 4);
    /* steps went 2, 4, 2 bins deep: counts 3, 3, 1, 1, 0 over 3 s: lambda 1, 1, 1/3, 1/3 at
       0.005 .. 0.020; ln lambda = ln A - k d by least squares: A = sqrt(3), k = 87.8889830934 */
    assert_int_equal(est_intensity(&e, &A, &k), 1);
    near(A, 1.73205080757, 1e-9);
    near(k, 87.8889830934, 1e-7);
    /* one more step without trades slides the first out: 4, 2, 0 deep: counts 2, 2, 1, 1:
       lambda 2/3, 2/3, 1/3, 1/3: A = 0.942809041582, k = 55.4517744448 */
    mid(&e, 10000, 10001, 5);
    assert_int_equal(est_intensity(&e, &A, &k), 1);
    near(A, 0.942809041582, 1e-9);
    near(k, 55.4517744448, 1e-7);
    /* two more quiet steps (one event after a gap): 2 distances with arrivals, then none:
       fewer than 3 to fit, so the last fit stays (as the tutorial keeps its A and k) */
    mid(&e, 10000, 10001, 7);
    assert_int_equal(est_intensity(&e, &A, &k), 1);
    near(k, 55.4517744448, 1e-7);
    est_free(&e);

    /* the fit on its own: y = 2 e^{-3x} at x = 0, 1, 2 */
    double x[3] = {0, 1, 2}, y[3] = {2, 2 * exp(-3), 2 * exp(-6)};
    assert_int_equal(est_fit_exp(x, y, 3, &A, &k), 0);
    near(A, 2, 1e-12);
    near(k, 3, 1e-12);
    y[1] = 0;
    assert_int_equal(est_fit_exp(x, y, 3, &A, &k), -1);
}

static void test_flow(void **st) {
    (void)st;
    est_cfg_t c = cfg();
    c.flow_window_s = 10;
    est_t e;
    char err[128];
    assert_int_equal(est_init(&e, &c, err, sizeof err), 0);
    near(est_flow(&e), 0, 0);
    est_on_trade(&e, 10000, 2, 0, S(0)); /* an aggressive buy of 2 lots */
    near(est_flow(&e), 1, 0);
    /* 10 s later a sell of 1: the buy weighs 2/e = 0.7358: (0.7358 - 1) / 1.7358 = -0.152233769532 */
    est_on_trade(&e, 10000, 1, 1, S(10));
    near(est_flow(&e), -0.152233769532, 1e-11);
    est_free(&e);
}

static void test_imbalance_micro(void **st) {
    (void)st;
    book_t b;
    assert_int_equal(book_init(&b, 17), 0);
    book_recenter(&b, 10000);
    book_set(&b, BOOK_BID, 10000, 3);
    book_set(&b, BOOK_BID, 9999, 1);
    book_set(&b, BOOK_BID, 9990, 4);
    book_set(&b, BOOK_ASK, 10001, 1);
    book_set(&b, BOOK_ASK, 10005, 2);
    book_top_t t;
    book_top_own(&b, &t);
    near(est_imbalance(&b, &t, 1), (3 - 1) / 4.0, 1e-15);
    near(est_imbalance(&b, &t, 2), (4 - 3) / 7.0, 1e-15);
    near(est_imbalance(&b, &t, 3), (8 - 3) / 11.0, 1e-15);
    near(est_imbalance(&b, &t, 10), (8 - 3) / 11.0, 1e-15); /* fewer levels than asked: all */
    /* (100.00 * 1 + 100.01 * 3) / 4 = 100.0075: nearer the ask, the side with less */
    near(est_microprice(&t, 0.01), 100.0075, 1e-9);
    book_set(&b, BOOK_ASK, 10001, 0);
    book_set(&b, BOOK_ASK, 10005, 0);
    book_top_own(&b, &t);
    near(est_imbalance(&b, &t, 1), 0, 0);
    near(est_microprice(&t, 0.01), 0, 0);
    book_free(&b);
}

static void test_bad_config(void **st) {
    (void)st;
    est_cfg_t c = cfg();
    est_t e;
    char err[128];
    c.vol_window_s = 0.5; /* less than one step */
    assert_int_not_equal(est_init(&e, &c, err, sizeof err), 0);
    assert_non_null(strstr(err, "vol_window"));
    c.vol_window_s = 0;
    c.int_window_s = 10;
    c.int_bin2 = 1;
    c.int_bins = 2;
    assert_int_not_equal(est_init(&e, &c, err, sizeof err), 0);
    assert_non_null(strstr(err, "intensity_bins"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vol_rolling), cmocka_unit_test(test_vol_ewma),        cmocka_unit_test(test_intensity),
        cmocka_unit_test(test_flow),        cmocka_unit_test(test_imbalance_micro), cmocka_unit_test(test_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
