/* test_sweep.c: a group of backtests fed by one decode (backtest.h's bt_group_t) gives each
 * lane the report and files of a backtest of its own, byte for byte, on the shared BTCUSDT
 * recording: the ladder, the seed loop, a lognormal latency model and a chaos venue in one
 * group; and a lane's window (quoter sweep --split) starts and stops it at the cut. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backtest/backtest.h"
#include "testutil.h"

static char *files[2];
static char tmpdir[] = "/tmp/quoter_sweep_XXXXXX";

static void load(config_t *c, config_exact_t *x, const char *example, const char *set1, const char *set2) {
    char path[1024], err[512];
    config_defaults(c);
    snprintf(path, sizeof path, "%s/examples/%s", QUOTER_SRC, example);
    assert_int_equal(config_load(c, path, err, sizeof err), 0);
    if (set1 && config_set(c, set1, err, sizeof err)) fail_msg("%s", err);
    if (set2 && config_set(c, set2, err, sizeof err)) fail_msg("%s", err);
    if (config_resolve(c, x, err, sizeof err)) fail_msg("%s", err);
}

static char *json_of(const report_t *r) {
    char *buf = 0;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    report_print_json(r, f);
    fclose(f);
    return buf;
}

static void same_file(const char *a, const char *b) {
    size_t na, nb;
    char *x = tu_read(a, &na), *y = tu_read(b, &nb);
    assert_non_null(x);
    assert_non_null(y);
    if (na != nb || memcmp(x, y, na)) fail_msg("%s and %s differ (%zu and %zu bytes)", a, b, na, nb);
    assert_true(na > 100); /* a header and rows: not two empty files */
    free(x);
    free(y);
}

#define NL 4
static const struct { const char *ex, *set1, *set2; } lanes[NL] = {
    {"btcusdt.ini", 0, 0},
    {"btcusdt.ini", "strategy.spread=3", "sim.latency_model=lognormal"},
    {"seed.ini", 0, 0},
    {"btcusdt.ini", "sim.chaos=0.05", "strategy.levels=2"},
};

static void test_lanes_equal_backtests(void **st) {
    (void)st;
    static config_t c[NL];
    static config_exact_t x[NL];
    char dir[NL][300], sep[NL][300];
    for (int i = 0; i < NL; i++) {
        load(&c[i], &x[i], lanes[i].ex, lanes[i].set1, lanes[i].set2);
        snprintf(dir[i], sizeof dir[i], "%s/lane%d", tmpdir, i);
        snprintf(sep[i], sizeof sep[i], "%s/alone%d", tmpdir, i);
    }
    bt_group_t g;
    assert_int_equal(bt_group_open(&g, files, 2, &x[0].rules, NL), 0);
    backtest_t *bt = calloc(NL, sizeof *bt);
    for (int i = 0; i < NL; i++)
        if (bt_lane_open(&g, &bt[i], &c[i], &x[i], dir[i])) fail_msg("%s", bt[i].err);
    assert_int_equal(bt_group_run(&g, 0, 0), 0);
    assert_true(g.events > 90000);
    backtest_t *one = calloc(1, sizeof *one);
    for (int i = 0; i < NL; i++) {
        assert_int_equal(backtest_run(one, &c[i], &x[i], files, 2, sep[i]), 0);
        char *a = json_of(&bt[i].rep), *b = json_of(&one->rep);
        if (strcmp(a, b)) fail_msg("lane %d:\n%s\nalone:\n%s", i, a, b);
        assert_true(one->eng.oms.ledger.fills > 0); /* lanes that trade, so the files say something */
        assert_int_equal(bt[i].violations, one->violations);
        free(a);
        free(b);
        static const char *const names[] = {"orders.csv", "fills.csv", "equity.csv"};
        for (int k = 0; k < 3; k++) {
            char p1[400], p2[400];
            snprintf(p1, sizeof p1, "%s/%s", dir[i], names[k]);
            snprintf(p2, sizeof p2, "%s/%s", sep[i], names[k]);
            same_file(p1, p2);
        }
        backtest_free(one);
    }
    /* the lanes did differ: the test is not comparing one run with itself */
    assert_true(bt[0].eng.oms.st.sent != bt[1].eng.oms.st.sent);
    assert_true(bt[0].eng.oms.st.sent != bt[2].eng.oms.st.sent);
    for (int i = 0; i < NL; i++) backtest_free(&bt[i]);
    bt_group_free(&g);
    free(bt);
    free(one);
}

/* --split: an in-sample lane stops at the cut, an out-of-sample one starts there with its
   book already synchronised; between them they report every event once */
static void test_windows(void **st) {
    (void)st;
    static config_t c;
    static config_exact_t x;
    load(&c, &x, "btcusdt.ini", 0, 0);
    int64_t first, last;
    char err[256];
    assert_int_equal(bt_span(files, 2, &first, &last, err, sizeof err), 0);
    assert_true(last - first > 600000000000LL); /* the recording's 11 minutes */
    int64_t cut = first + (last - first) * 7 / 10;
    bt_group_t g;
    assert_int_equal(bt_group_open(&g, files, 2, &x.rules, 3), 0);
    backtest_t *bt = calloc(3, sizeof *bt);
    for (int i = 0; i < 3; i++) assert_int_equal(bt_lane_open(&g, &bt[i], &c, &x, 0), 0);
    bt[1].to_ns = cut;
    bt[2].from_ns = cut;
    assert_int_equal(bt_group_run(&g, 0, 0), 0);
    const report_t *all = &bt[0].rep, *is = &bt[1].rep, *oos = &bt[2].rep;
    assert_true(is->end_ns < cut);
    assert_true(oos->start_ns >= cut);
    assert_int_equal(is->events + oos->events, all->events);
    /* the out-of-sample engine quoted from its first event: its book was already live */
    assert_true(oos->start_mid > 0);
    assert_true(bt[2].eng.oms.st.sent > 0 && bt[1].eng.oms.st.sent > 0);
    assert_true(bt[1].eng.oms.st.sent < bt[0].eng.oms.st.sent);
    for (int i = 0; i < 3; i++) backtest_free(&bt[i]);
    bt_group_free(&g);
    free(bt);
}

int main(void) {
    files[0] = (char *)tu_require_data("binance-spot/btcusdt_20240808.gz");
    files[1] = (char *)tu_require_data("binance-spot/btcusdt_20240809.gz");
    assert_non_null(mkdtemp(tmpdir));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lanes_equal_backtests),
        cmocka_unit_test(test_windows),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd)) rc = rc ? rc : 1;
    return rc;
}
