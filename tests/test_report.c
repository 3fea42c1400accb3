/* test_report.c: what the report tells a trader about the fills: markouts computed by hand
 * from fills and mids built here, the share of fills by what made them, and the break-even
 * maker fee (by hand, and by running the shared recording again at that fee). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backtest/backtest.h"
#include "backtest/markout.h"
#include "testutil.h"

#define S 1000000000LL

static void near(double got, double want, double tol, const char *what) {
    if (!(fabs(got - want) <= tol)) fail_msg("%s: got %.12g, want %.12g", what, got, want);
}

/* A buy and a sell, mids before, between and after, every horizon's due time falling before
   an event, on one, or past the end; every figure worked out by hand. */
static void test_markout_known_answers(void **st) {
    (void)st;
    static markout_t m;
    markout_init(&m);
    markout_mid(&m, 9 * S, 100.10);
    markout_fill(&m, 10 * S, +1, 100.00, 2);      /* buy 2 at 100.00 at 10 s */
    markout_mid(&m, 10 * S + S / 2, 100.20);      /* 0 s due 10.0 < 10.5: the mid before, 100.10 */
    markout_mid(&m, 11 * S, 100.30);              /* 1 s due 11.0 = now: this mid, 100.30 */
    markout_fill(&m, 12 * S, -1, 100.40, 1);      /* sell 1 at 100.40 at 12 s */
    markout_mid(&m, 14 * S, 99.90);               /* sell 0 s (12.0) and 1 s (13.0): 100.30 */
    markout_mid(&m, 16 * S, 99.80);               /* buy 5 s due 15.0: 99.90 */
    markout_mid(&m, 17 * S, 100.00);              /* sell 5 s due 17.0 = now: 100.00 */
    assert_int_equal(markout_pending(&m, 3), 2);  /* 30 s: 40 s and 42 s are past the data */
    markout_end(&m);
    /* at the fill: buy +0.10, sell -(100.30 - 100.40) = +0.10 */
    assert_int_equal(m.h[0].n, 2);
    near(markout_mean_quote(&m, 0), 0.10, 1e-9, "0 s mean");
    near(markout_mean_bps(&m, 0), (0.10 / 100.00 + 0.10 / 100.40) * 1e4 / 2, 1e-9, "0 s bps");
    near(m.h[0].pnl_quote, 2 * 0.10 + 1 * 0.10, 1e-9, "0 s pnl");
    /* 1 s: buy +0.30, sell +0.10 */
    assert_int_equal(m.h[1].n, 2);
    near(markout_mean_quote(&m, 1), 0.20, 1e-9, "1 s mean");
    near(m.h[1].pnl_quote, 2 * 0.30 + 0.10, 1e-9, "1 s pnl");
    near(markout_mean_bps(&m, 1), (0.30 / 100.00 + 0.10 / 100.40) * 1e4 / 2, 1e-9, "1 s bps");
    /* 5 s: buy 99.90 - 100.00 = -0.10, sell 100.40 - 100.00 = +0.40 */
    assert_int_equal(m.h[2].n, 2);
    near(markout_mean_quote(&m, 2), 0.15, 1e-9, "5 s mean");
    near(m.h[2].pnl_quote, 2 * -0.10 + 0.40, 1e-9, "5 s pnl");
    /* 30 s: both left out, and counted */
    assert_int_equal(m.h[3].n, 0);
    assert_int_equal(m.h[3].excluded, 2);
    assert_int_equal(m.h[2].excluded, 0);
    near(markout_mean_quote(&m, 3), 0, 0, "30 s mean of none");
}

/* a fill before any mid has nothing to compare with at the fill; one told after later events
   is measured from the last event (rule 2 of markout.h) */
static void test_markout_edges(void **st) {
    (void)st;
    static markout_t m;
    markout_init(&m);
    markout_fill(&m, 1 * S, +1, 50.0, 1);
    markout_mid(&m, 2 * S, 51.0);                 /* 0 s due 1: no mid yet; 1 s due 2: 51 */
    assert_int_equal(m.h[0].excluded, 1);
    assert_int_equal(m.h[0].n, 0);
    assert_int_equal(m.h[1].n, 1);
    near(m.h[1].sum_quote, 1.0, 1e-12, "1 s after a fill before any mid");
    markout_mid(&m, 8 * S, 52.0);
    markout_fill(&m, 5 * S, -1, 53.0, 1);         /* told late: measured from 8 s */
    markout_mid(&m, 8 * S + S / 2, 60.0);         /* 0 s due 8.0: 52 */
    markout_mid(&m, 8 * S + S, 40.0);             /* 1 s due 9.0 = now: 40 */
    near(m.h[0].sum_quote, 53.0 - 52.0, 1e-12, "late fill at the fill");
    near(m.h[1].sum_quote, 1.0 + (53.0 - 40.0), 1e-12, "late fill 1 s");
}

/* memory is bounded: a full ring drops what does not fit, and counts it */
static void test_markout_ring_full(void **st) {
    (void)st;
    static markout_t m;
    markout_init(&m);
    markout_mid(&m, S, 10.0);
    for (int i = 0; i < MARKOUT_RING + 3; i++) markout_fill(&m, 2 * S, +1, 9.0, 1);
    assert_int_equal(m.dropped, 3);
    markout_mid(&m, 40 * S, 10.0);
    for (int k = 0; k < MARKOUT_NH; k++) {
        assert_int_equal(m.h[k].n, MARKOUT_RING);
        assert_int_equal(markout_pending(&m, k), 0);
    }
    near(markout_mean_quote(&m, 3), 1.0, 1e-12, "mean over a full ring");
    markout_fill(&m, 41 * S, +1, 9.0, 1); /* room again once resolved */
    assert_int_equal(m.dropped, 3);
    assert_int_equal(markout_pending(&m, 3), 1);
}

static void test_breakeven_by_hand(void **st) {
    (void)st;
    double f = 1;
    /* 7 below holding after 5 of maker fees on 10000 of maker volume: without fees it was
       2 below, so a rebate of 2 / 10000 = 2 bps breaks even */
    assert_int_equal(report_breakeven_fee_of(-7.0, 5.0, 10000.0, &f), 0);
    near(f, -0.0002, 1e-15, "break-even of a loss");
    assert_int_equal(report_breakeven_fee_of(3.0, 1.0, 2000.0, &f), 0);
    near(f, 0.002, 1e-15, "break-even of a gain");
    assert_int_not_equal(report_breakeven_fee_of(3.0, 0.0, 0.0, &f), 0);
}

/* ---- on a real engine: the shared recording ------------------------------------------ */

static char *files[2];

static backtest_t *run(const char *example, const char *set) {
    static config_t c;
    static config_exact_t x;
    char path[1024], err[512];
    config_defaults(&c);
    snprintf(path, sizeof path, "%s/examples/%s", QUOTER_SRC, example);
    assert_int_equal(config_load(&c, path, err, sizeof err), 0);
    if (set && config_set(&c, set, err, sizeof err)) fail_msg("%s: %s", set, err);
    if (config_resolve(&c, &x, err, sizeof err)) fail_msg("%s", err);
    backtest_t *bt = calloc(1, sizeof *bt);
    assert_int_equal(backtest_run(bt, &c, &x, files, 2, NULL), 0);
    return bt;
}

/* not inlined: gcc then takes the memstream's buffer for a local of this function */
__attribute__((noinline)) static char *json_of(const report_t *r) {
    char *buf;
    size_t n;
    FILE *f = open_memstream(&buf, &n);
    report_print_json(r, f);
    fclose(f);
    return buf;
}

static double num_after(const char *json, const char *key) {
    const char *p = strstr(json, key);
    if (!p) fail_msg("no %s in %s", key, json);
    return strtod(p + strlen(key), 0);
}

static double number(const char *json, const char *key) {
    char k[128];
    snprintf(k, sizeof k, "\"%s\":", key);
    return num_after(json, k);
}

/* The fills' figures from fills built here, on a report of the engine as the recording left
   it (so the mid stands still at its end mid M): markouts are then the fills' distance from
   M, the shares are counted from `by`, the break-even fee follows the formula. */
static void test_report_of_built_fills(void **st) {
    (void)st;
    tu_recordings(files);
    backtest_t *bt = run("seed.ini", NULL);
    const symbol_rules_t *ru = bt->eng.rules;
    double mid = engine_mid(&bt->eng), tick = ru->tick.value, lot = ru->lot.value;
    assert_true(mid > 0);
    static report_t r;
    char err[256];
    assert_int_equal(report_open(&r, &bt->eng, NULL, 1.0, err, sizeof err), 0);
    int64_t t0 = bt->eng.now;
    report_on_event(&r, t0);
    struct {
        int64_t dt;
        order_side_t side;
        double off;           /* price - mid, quote */
        int64_t lots;
        venue_fill_by_t by;
        int maker;
        int64_t fee;          /* in the fee asset's 8-decimal units */
    } f[] = {
        {S / 10, SIDE_BUY, -1.00, 200, VFILL_TRADE, 1, 200},          /* buy pays in base */
        {S / 5, SIDE_SELL, +2.00, 100, VFILL_TRADE, 1, 6200000},      /* sell pays in quote */
        {30 * S + S / 2, SIDE_BUY, -0.50, 300, VFILL_CROSS, 1, 300},
        {30 * S + S / 2, SIDE_SELL, -0.30, 400, VFILL_TAKER, 0, 99},  /* a taker fill: no maker volume */
    };
    double want_q[MARKOUT_NH] = {0}, want_b[MARKOUT_NH] = {0};
    int want_n[MARKOUT_NH] = {0};
    double vol = 0, vol_end = 0, fees_end = 0;
    for (int i = 0; i < 4; i++) {
        venue_event_t ev;
        memset(&ev, 0, sizeof ev);
        ev.type = VEV_FILL;
        ev.side = f[i].side;
        ev.price = llround((mid + f[i].off) / tick);
        ev.qty = f[i].lots * (int64_t)(1e-5 / lot + 0.5); /* lots of 0.00001 */
        ev.maker = f[i].maker;
        ev.by = f[i].by;
        ev.local_ns = t0 + f[i].dt;
        ev.fee = f[i].fee;
        ev.fee_scale = 8;
        snprintf(ev.fee_asset, sizeof ev.fee_asset, "%s", f[i].side == SIDE_BUY ? ru->base : ru->quote);
        double px = (double)ev.price * tick, q = (double)ev.qty * lot, fq = f[i].side == SIDE_BUY ? 0 : f[i].fee * 1e-8;
        report_on_fill(&r, 0, &ev, f[i].side == SIDE_BUY ? f[i].fee * 1e-8 * px : fq);
        double d = (f[i].side == SIDE_BUY ? 1 : -1) * (mid - px);
        /* the data ends at t0 + 31 s: only the first two fills reach 1 s and beyond */
        for (int k = 0; k < MARKOUT_NH; k++)
            if (f[i].dt + markout_horizon_ns[k] <= 31 * S) {
                want_q[k] += d;
                want_b[k] += d / px * 1e4;
                want_n[k]++;
            }
        if (f[i].maker) {
            vol += px * q;
            vol_end += f[i].side == SIDE_BUY ? q * mid : px * q;
            fees_end += f[i].side == SIDE_BUY ? f[i].fee * 1e-8 * mid : fq;
        }
        report_on_event(&r, t0 + f[i].dt);
    }
    report_on_event(&r, t0 + 31 * S);
    report_close(&r);
    char *js = json_of(&r);
    assert_non_null(strstr(js, "\"fills_by\":{\"trade\":2,\"cross\":1,\"taker\":1,\"unknown\":0}"));
    assert_non_null(strstr(js, "\"fill_share\":{\"trade\":0.500000,\"cross\":0.250000,\"taker\":0.250000,\"unknown\":0.000000}"));
    static const char *const key[MARKOUT_NH] = {"\"0s\":{\"measured\":", "\"1s\":{\"measured\":", "\"5s\":{\"measured\":",
                                                "\"30s\":{\"measured\":"};
    for (int k = 0; k < MARKOUT_NH; k++) {
        const char *p = strstr(js, key[k]);
        assert_non_null(p);
        assert_int_equal((int)num_after(p, key[k]), want_n[k]);
        assert_int_equal((int)num_after(p, "\"excluded\":"), 4 - want_n[k]);
        near(num_after(p, "\"mean_quote\":"), want_q[k] / want_n[k], 1e-7, "mean_quote");
        near(num_after(p, "\"mean_bps\":"), want_b[k] / want_n[k], 1e-5, "mean_bps");
    }
    assert_int_equal(want_n[0], 4);
    assert_int_equal(want_n[1], 2);
    near(number(js, "maker_volume_quote"), vol, 1e-6, "maker volume");
    double be, vs_hold = number(js, "return_vs_hold");
    assert_int_equal(report_breakeven_maker_fee(&r, &be), 0);
    near(be, (vs_hold + fees_end) / vol_end, 1e-8 * fabs(be) + 1e-12, "break-even fee");
    near(number(js, "breakeven_maker_fee_bps"), be * 1e4, 1e-5, "break-even bps");
    free(js);
    /* the text report says the same */
    char *txt;
    size_t n;
    FILE *tf = open_memstream(&txt, &n);
    report_print_text(&r, tf, 0, 0);
    fclose(tf);
    assert_non_null(strstr(txt, "made by         trade 50.0%, book cross 25.0%, taking 25.0% (of 4 fills)"));
    assert_non_null(strstr(txt, "(2 fills; 2 too close to the end)"));
    assert_non_null(strstr(txt, "  break-even fee  "));
    free(txt);
    backtest_free(bt);
    free(bt);
}

/* The break-even fee, run: the seed strategy's fills do not depend on the fee, so at the
   break-even fee the same fills end level with holding (up to the simulated exchange's
   rounding of each fee to the balance unit). */
static void test_breakeven_run_again(void **st) {
    (void)st;
    tu_recordings(files);
    backtest_t *bt = run("seed.ini", NULL);
    char *a = json_of(&bt->rep);
    double fee;
    assert_int_equal(report_breakeven_maker_fee(&bt->rep, &fee), 0);
    double vs_hold = number(a, "return_vs_hold"), mid = bt->rep.end_mid;
    const symbol_rules_t *ru = bt->eng.rules;
    int64_t fills = bt->eng.oms.ledger.fills, maker = bt->eng.oms.ledger.maker_fills;
    assert_true(maker > 10);
    assert_true(fabs(vs_hold) > 1); /* a result far from holding, or the test shows nothing */
    near(number(a, "breakeven_maker_fee"), fee, 1e-10, "json break-even");
    backtest_free(bt);
    free(bt);
    free(a);
    char set[64];
    snprintf(set, sizeof set, "account.maker_fee=%.15g", fee);
    bt = run("seed.ini", set);
    char *b = json_of(&bt->rep);
    assert_int_equal(bt->eng.oms.ledger.fills, fills);
    /* each fee is rounded to a unit of the balance it is paid from */
    double tol = (double)fills * (ru->lot.value * mid + ru->tick.value * ru->lot.value) + 1e-9;
    double again = number(b, "return_vs_hold");
    if (fabs(again) > tol) fail_msg("at the break-even fee %.10f: %.8f against holding (was %.8f), tolerance %.8f", fee,
                                    again, vs_hold, tol);
    backtest_free(bt);
    free(bt);
    free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markout_known_answers),
        cmocka_unit_test(test_markout_edges),
        cmocka_unit_test(test_markout_ring_full),
        cmocka_unit_test(test_breakeven_by_hand),
        cmocka_unit_test(test_report_of_built_fills),
        cmocka_unit_test(test_breakeven_run_again),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
