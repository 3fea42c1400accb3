/* test_backtest.c: whole backtests on the shared BTCUSDT recording: accounting identities,
 * determinism, and no look-ahead. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backtest/backtest.h"
#include "testutil.h"

static char *files[2];
static char tmpdir[] = "/tmp/quoter_bt_XXXXXX";

static void load(config_t *c, config_exact_t *x, const char *example) {
    char path[1024], err[512];
    config_defaults(c);
    snprintf(path, sizeof path, "%s/examples/%s", QUOTER_SRC, example);
    assert_int_equal(config_load(c, path, err, sizeof err), 0);
    if (config_resolve(c, x, err, sizeof err)) fail_msg("%s", err);
}

static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)len + 1);
    assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
    b[len] = 0;
    fclose(f);
    *n = (size_t)len;
    return b;
}

static void check_identities(const char *example) {
    static config_t c;
    static config_exact_t x;
    load(&c, &x, example);
    backtest_t *bt = calloc(1, sizeof *bt);
    char out[256];
    snprintf(out, sizeof out, "%s/%s", tmpdir, example);
    assert_int_equal(backtest_run(bt, &c, &x, files, 2, out), 0);
    const ledger_t *l = &bt->eng.oms.ledger;
    /* balances are exact sums of the fills and fees */
    assert_true(l->fills > 0);
    assert_true(l->base == l->base_start + l->bought - l->sold - l->fee_base);
    assert_true(l->quote == l->quote_start - l->buy_notional + l->sell_notional - l->fee_quote);
    /* total PnL = equity change = realized + unrealized */
    double mark = bt->rep.end_mid;
    double total = ledger_equity(l, mark) - bt->rep.start_equity;
    double parts = l->realized + ledger_unrealized(l, mark);
    if (fabs(total - parts) > 1e-6 * (1 + fabs(total))) fail_msg("total %.9f != realized+unrealized %.9f", total, parts);
    /* fills.csv: one row a fill; signed quantities sum to the inventory before fees; fees add up */
    char path[512];
    snprintf(path, sizeof path, "%s/fills.csv", out);
    size_t n;
    char *csv = slurp(path, &n);
    int64_t rows = 0, signed_lots = 0;
    double fee_sum = 0;
    for (char *line = strtok(csv, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "time_ns", 7)) continue;
        char side[8], price[32], qty[32], fee[48], asset[16];
        long long t;
        int maker;
        double feeq;
        unsigned long long id;
        assert_int_equal(sscanf(line, "%lld,q%llu,%7[^,],%31[^,],%31[^,],%d,%47[^,],%15[^,],%lf", &t, &id, side, price,
                                qty, &maker, fee, asset, &feeq), 9);
        int64_t lots;
        assert_int_equal(fx_parse(qty, strlen(qty), &x.rules.lot, &lots), 0);
        signed_lots += side[0] == 'B' ? lots : -lots;
        fee_sum += feeq;
        assert_string_equal(asset, side[0] == 'B' ? "BTC" : "USDT");
        rows++;
    }
    free(csv);
    assert_int_equal(rows, l->fills);
    assert_int_equal(signed_lots, l->bought - l->sold);
    assert_true(fabs(fee_sum - l->fees_quote_value) < 1e-6);
    /* orders.csv has every order sent */
    snprintf(path, sizeof path, "%s/orders.csv", out);
    csv = slurp(path, &n);
    int64_t orders = -1;
    for (size_t i = 0; i < n; i++) orders += csv[i] == '\n';
    free(csv);
    assert_int_equal(orders, bt->eng.oms.st.sent + bt->eng.oms.st.rejected - bt->sim.st.rejected);
    assert_int_equal(bt->rep.bad_lines, 0);
    assert_int_equal(bt->rep.gaps, 0);
    backtest_free(bt);
    free(bt);
}

static void test_identities_ladder(void **st) { (void)st; check_identities("btcusdt.ini"); }
static void test_identities_seed(void **st) { (void)st; check_identities("seed.ini"); }

/* runs an example with NULL-terminated `sets` overrides; returns the JSON report */
static char *run_json(const char *example, const char *const *sets) {
    static config_t c;
    static config_exact_t x;
    char err[256];
    load(&c, &x, example);
    for (int i = 0; sets && sets[i]; i++) assert_int_equal(config_set(&c, sets[i], err, sizeof err), 0);
    assert_int_equal(config_resolve(&c, &x, err, sizeof err), 0);
    backtest_t *bt = calloc(1, sizeof *bt);
    assert_int_equal(backtest_run(bt, &c, &x, files, 2, NULL), 0);
    char *buf;
    size_t n;
    FILE *f = open_memstream(&buf, &n);
    report_print_json(&bt->rep, f);
    fclose(f);
    backtest_free(bt);
    free(bt);
    return buf;
}

static void test_determinism(void **st) {
    (void)st;
    char *a = run_json("btcusdt.ini", NULL), *b = run_json("btcusdt.ini", NULL);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

/* quoting at the touch, the queue model decides which fills happen */
static void test_queue_model_matters(void **st) {
    (void)st;
    const char *cons[] = {"strategy.spread=0", "strategy.order_type=limit_maker", "strategy.reference=mid", 0};
    const char *prob[] = {"strategy.spread=0", "strategy.order_type=limit_maker", "strategy.reference=mid",
                          "sim.queue_model=probabilistic", 0};
    char *a = run_json("seed.ini", cons), *b = run_json("seed.ini", prob);
    assert_non_null(strstr(a, "\"queue\":"));
    assert_null(strstr(a, "\"queue\":0,"));
    assert_true(strcmp(a, b) != 0);
    free(a);
    free(b);
}

/* latency matters: with a 1 s round trip the seed strategy fills differently */
static void test_latency_changes_outcome(void **st) {
    (void)st;
    const char *slow[] = {"sim.entry_latency_ms=1000", 0};
    char *a = run_json("seed.ini", NULL), *b = run_json("seed.ini", slow);
    assert_true(strcmp(a, b) != 0);
    free(a);
    free(b);
}

/* the kill switches: each trips, and then nothing new goes out */
static void test_kill_switches(void **st) {
    (void)st;
    char *base = run_json("btcusdt.ini", NULL);
    assert_non_null(strstr(base, "\"kill_switch\":false"));
    const char *loss[] = {"risk.max_loss=20", 0}, *pos[] = {"risk.max_position=0.005", 0},
               *rate[] = {"risk.max_orders_per_minute=100", 0};
    const char *const *sets[] = {loss, pos, rate};
    long long sent_base = 0;
    sscanf(strstr(base, "\"orders_sent\":") + 14, "%lld", &sent_base);
    for (int i = 0; i < 3; i++) {
        char *j = run_json("btcusdt.ini", sets[i]);
        assert_non_null(strstr(j, "\"kill_switch\":true"));
        long long sent = 0;
        double inv_max = 0;
        sscanf(strstr(j, "\"orders_sent\":") + 14, "%lld", &sent);
        sscanf(strstr(j, "\"inventory_max\":") + 16, "%lf", &inv_max);
        assert_true(sent < sent_base);
        if (i == 1) assert_true(inv_max <= 0.005 + 0.0045 + 1e-9); /* one order past the limit at most */
        if (i == 2) assert_true(sent <= 100 + 6); /* the decision that crossed it: 3 levels a side */
        free(j);
    }
    free(base);
}

int main(void) {
    files[0] = (char *)tu_require_data("binance-spot/btcusdt_20240808.gz");
    files[1] = (char *)tu_require_data("binance-spot/btcusdt_20240809.gz");
    assert_non_null(mkdtemp(tmpdir));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identities_ladder),
        cmocka_unit_test(test_identities_seed),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_latency_changes_outcome),
        cmocka_unit_test(test_queue_model_matters),
        cmocka_unit_test(test_kill_switches),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd)) rc = rc ? rc : 1;
    return rc;
}
