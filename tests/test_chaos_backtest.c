/* test_chaos_backtest.c: whole backtests with the chaos venue between the simulated
 * exchange and the engine (events duplicated, reordered, delayed and lost; requests lost,
 * refused, answered "unknown"; rate limits), over the shared BTCUSDT recording and over
 * synthetic markets, many seeds. After each run the engine cancels everything and time
 * runs on until every order is resolved, then:
 *   - the ledger's balances equal the simulated exchange's, to the unit;
 *   - no order is left unresolved, and none waited past a few deadlines;
 *   - no client order id was ever sent for two orders;
 *   - the chaos did happen (events were lost and told twice, queries were needed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backtest/backtest.h"
#include "exchange/synth.h"
#include "testutil.h"

static char *files[2];
static char tmpdir[] = "/tmp/quoter_chaos_XXXXXX";

typedef struct totals {
    int64_t runs, fills, dropped, duplicated, duplicate_fills, queries, timeouts, unknowns, late_fills;
} totals_t;

static void load(config_t *c, config_exact_t *x, const char *example, const char *const *sets) {
    char path[1024], err[512];
    config_defaults(c);
    snprintf(path, sizeof path, "%s/examples/%s", QUOTER_SRC, example);
    assert_int_equal(config_load(c, path, err, sizeof err), 0);
    for (int i = 0; sets && sets[i]; i++)
        if (config_set(c, sets[i], err, sizeof err)) fail_msg("%s: %s", sets[i], err);
    if (config_resolve(c, x, err, sizeof err)) fail_msg("%s", err);
}

static void run(const char *example, char **data, int ndata, double level, int seed, const char *const *extra,
                totals_t *tot) {
    static config_t c;
    static config_exact_t x;
    char lv[64], sd[64];
    snprintf(lv, sizeof lv, "sim.chaos=%g", level);
    snprintf(sd, sizeof sd, "sim.chaos_seed=%d", seed);
    const char *sets[8] = {lv, sd, "orders.request_timeout=2"};
    int n = 3;
    for (int i = 0; extra && extra[i] && n < 7; i++) sets[n++] = extra[i];
    sets[n] = 0;
    load(&c, &x, example, sets);
    backtest_t *bt = calloc(1, sizeof *bt);
    assert_non_null(bt);
    if (backtest_run(bt, &c, &x, data, ndata, NULL)) fail_msg("backtest: %s", bt->err);
    const oms_t *m = &bt->eng.oms;
    const ledger_t *l = &m->ledger;
    /* at every step, every order not yet resolved waited on a request of ours within its deadline */
    if (bt->violations) fail_msg("%s seed %d: %lld deadline invariant failures", example, seed, (long long)bt->violations);
    /* every order resolved within a few deadlines (2 s each) of the data's end */
    int left = backtest_drain(bt, 120 * 1000000000LL, 10 * 1000000LL);
    if (left) {
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < (pass ? m->nresolve : m->nlive); i++) {
                const order_t *o = &m->orders[pass ? m->resolve[i] : m->live[i]];
                printf("unresolved: %s %s pending %d queries %d filled %lld booked %lld\n", o->cid,
                       order_state_name(o->state), o->pending, o->queries, (long long)o->filled, (long long)o->booked);
            }
        fail_msg("%s seed %d: %d orders unresolved after the drain", example, seed, left);
    }
    /* the ledger books what the exchange did, to the unit */
    if (l->base != bt->sim.bal_base || l->quote != bt->sim.bal_quote)
        fail_msg("%s seed %d (unrecovered %lld, refused %lld): ledger base %lld quote %lld, exchange base %lld quote %lld", example, seed,
                 (long long)m->st.unrecovered, (long long)m->st.refused_fills, (long long)l->base, (long long)(l->quote / 10000000000LL), (long long)bt->sim.bal_base,
                 (long long)(bt->sim.bal_quote / 10000000000LL));
    assert_true(l->base == l->base_start + l->bought - l->sold - l->fee_base);
    assert_true(l->quote == l->quote_start - l->buy_notional + l->sell_notional - l->fee_quote);
    assert_int_equal(l->refused, 0);
    assert_int_equal(l->negative, 0);
    assert_int_equal(bt->chaos->st.dup_cids, 0);
    assert_int_equal(m->st.pool_full, 0);
    assert_int_equal(bt->sim.st.dropped_events, 0);
    assert_int_equal(bt->violations, 0);
    tot->runs++;
    tot->fills += l->fills;
    tot->dropped += bt->chaos->st.dropped_events + bt->chaos->st.dropped_requests;
    tot->duplicated += bt->chaos->st.duplicated;
    tot->duplicate_fills += m->st.duplicate_fills;
    tot->queries += m->st.queries;
    tot->timeouts += m->st.timeouts;
    tot->unknowns += m->st.unknowns;
    tot->late_fills += m->st.late_fills;
    backtest_free(bt);
    free(bt);
}

static void report(const char *what, const totals_t *t) {
    printf("%s: %lld runs, %lld fills; chaos dropped %lld, duplicated %lld; oms: %lld duplicate fills dropped, "
           "%lld late fills booked, %lld timeouts, %lld unknown outcomes, %lld queries\n",
           what, (long long)t->runs, (long long)t->fills, (long long)t->dropped, (long long)t->duplicated,
           (long long)t->duplicate_fills, (long long)t->late_fills, (long long)t->timeouts, (long long)t->unknowns,
           (long long)t->queries);
}

/* the shared recording's first file, the ladder and the seed loop, several seeds */
static void test_recording(void **st) {
    (void)st;
    totals_t t = {0};
    static const double level[] = {0.02, 0.05, 0.1, 0.2, 0.15, 0.05};
    for (int seed = 1; seed <= 6; seed++) run("btcusdt.ini", files, 2, level[seed - 1], seed, 0, &t);
    for (int seed = 1; seed <= 3; seed++) run("seed.ini", files, 2, level[seed], seed, 0, &t);
    /* LIMIT orders that take, and cancel-replace that places whatever the cancel did */
    const char *taker[] = {"strategy.order_type=limit", "orders.cancel_replace_mode=allow_failure", 0};
    run("btcusdt.ini", files, 2, 0.1, 7, taker, &t);
    run("seed.ini", files, 2, 0.2, 8, taker, &t);
    report("recording", &t);
    assert_true(t.fills > 100);
    assert_true(t.dropped > 0 && t.duplicated > 0);
    assert_true(t.duplicate_fills > 0);
    assert_true(t.queries > 0 && t.timeouts > 0 && t.unknowns > 0);
}

/* synthetic markets, busier than the recording, many seeds */
static void test_synthetic(void **st) {
    (void)st;
    symbol_rules_t r;
    tu_btcusdt(&r);
    totals_t t = {0};
    const char *taker[] = {"strategy.order_type=limit", "orders.cancel_replace_mode=allow_failure", 0};
    for (int k = 0; k < 12; k++) {
        synth_params_t p;
        synth_defaults(&p);
        p.seconds = 120;
        p.seed = (uint64_t)(100 + k);
        p.vol_bps = k % 2 ? 4.0 : 1.2;
        p.trades_per_s = k % 3 == 2 ? 60 : 14;
        char path[512], err[256];
        snprintf(path, sizeof path, "%s/synth%d.gz", tmpdir, k);
        if (synth_write(&p, &r, path, err, sizeof err)) fail_msg("synth: %s", err);
        char *data[1] = {path};
        run(k % 2 ? "seed.ini" : "btcusdt.ini", data, 1, k < 6 ? 0.05 : 0.2, 1000 + k, k % 4 == 3 ? taker : 0, &t);
        unlink(path);
    }
    report("synthetic", &t);
    assert_true(t.fills > 50);
    assert_true(t.dropped > 0 && t.duplicate_fills > 0 && t.queries > 0);
}

int main(void) {
    files[0] = (char *)tu_require_data("binance-spot/btcusdt_20240808.gz");
    files[1] = (char *)tu_require_data("binance-spot/btcusdt_20240809.gz");
    assert_non_null(mkdtemp(tmpdir));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recording),
        cmocka_unit_test(test_synthetic),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(tmpdir);
    return rc;
}
