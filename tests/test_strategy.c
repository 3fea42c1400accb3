/* test_strategy.c: quote placement: rounding outward at tick edges, references, the
 * ladder's skew and sizes, post-only clamping. */
#include <stdio.h>
#include <string.h>

#include "strategy/strategy.h"
#include "testutil.h"

static symbol_rules_t rules;

static strategy_t make(const char *type, const char *ref, double spread, const char *unit, int levels) {
    config_t c;
    config_exact_t x;
    char err[256];
    config_defaults(&c);
    snprintf(c.strategy, sizeof c.strategy, "%s", type);
    snprintf(c.reference, sizeof c.reference, "%s", ref);
    snprintf(c.spread_unit, sizeof c.spread_unit, "%s", unit);
    c.spread = spread;
    c.levels = levels;
    c.level_spacing = 2;
    snprintf(c.quantity, sizeof c.quantity, "0.01");
    snprintf(c.max_inventory, sizeof c.max_inventory, "0.1");
    c.skew = 1;
    c.size_skew = 0.5;
    assert_int_equal(config_resolve(&c, &x, err, sizeof err), 0);
    strategy_t s;
    assert_int_equal(strategy_init(&s, &c, &x, err, sizeof err), 0);
    return s;
}

static strat_input_t input(int64_t bid, int64_t bq, int64_t ask, int64_t aq, int64_t last) {
    strat_input_t in;
    memset(&in, 0, sizeof in);
    in.top = (book_top_t){bid, bq, ask, aq, 1};
    in.last_trade = last;
    in.rules = &rules;
    return in;
}

static void test_seed_rounding_outward(void **st) {
    (void)st;
    tu_btcusdt(&rules);
    quote_set_t q;
    /* last 61837.63, 10 USDT: exactly on ticks */
    strategy_t s = make("seed", "last", 10, "abs", 1);
    strat_input_t in = input(6183762, 100, 6183763, 100, 6183763);
    assert_int_equal(s.vt->quote(&s, &in, &q), 0);
    assert_int_equal(q.nbids, 1);
    assert_int_equal(q.bids[0].price, 6182763);
    assert_int_equal(q.asks[0].price, 6184763);
    assert_int_equal(q.bids[0].qty, 1000000); /* 0.01 BTC in 1e-8 lots */
    /* mid 61837.625 with 1 tick: bid 61837.615 -> .61 (down), ask .635 -> .64 (up) */
    s = make("seed", "mid", 1, "ticks", 1);
    in = input(6183762, 100, 6183763, 100, 0);
    s.vt->quote(&s, &in, &q);
    assert_int_equal(q.bids[0].price, 6183761);
    assert_int_equal(q.asks[0].price, 6183764);
    /* 1 bps of 61837.625 = 6.1837625: bid 61831.4412 -> .44, ask 61843.8087 -> .81 */
    s = make("seed", "mid", 1, "bps", 1);
    s.vt->quote(&s, &in, &q);
    assert_int_equal(q.bids[0].price, 6183144);
    assert_int_equal(q.asks[0].price, 6184381);
    /* no last trade yet: no opinion */
    s = make("seed", "last", 10, "abs", 1);
    in = input(6183762, 100, 6183763, 100, 0);
    assert_int_equal(s.vt->quote(&s, &in, &q), 1);
}

static void test_references(void **st) {
    (void)st;
    tu_btcusdt(&rules);
    strategy_t s = make("seed", "micro", 0, "abs", 1);
    strat_input_t in = input(10000, 300, 10002, 100, 0);
    /* micro = (100.00*100 + 100.02*300)/400 = 100.015 */
    assert_true(strategy_reference(&s, &in) > 100.0149 && strategy_reference(&s, &in) < 100.0151);
    s.reference = REF_BID;
    assert_true(strategy_reference(&s, &in) == 100.0);
    s.reference = REF_ASK;
    assert_true(strategy_reference(&s, &in) == 100.02);
    s.reference = REF_MID;
    in.top.ask_qty = 0; /* one-sided book: no mid */
    assert_true(strategy_reference(&s, &in) == 0);
}

static void test_ladder_skew_and_levels(void **st) {
    (void)st;
    tu_btcusdt(&rules);
    quote_set_t q;
    strategy_t s = make("ladder", "mid", 5, "ticks", 3);
    strat_input_t in = input(1000000, 100, 1000002, 100, 0); /* mid 10000.01 */
    assert_int_equal(s.vt->quote(&s, &in, &q), 0);
    assert_int_equal(q.nbids, 3);
    assert_int_equal(q.nasks, 3);
    assert_int_equal(q.bids[0].price, 999996); /* 10000.01 - 0.05 = 9999.96 */
    assert_int_equal(q.bids[1].price, 999994); /* spacing 2 ticks */
    assert_int_equal(q.asks[0].price, 1000006);
    assert_int_equal(q.asks[2].price, 1000010);
    /* half the max inventory long: shift down by half a spread (2.5 ticks), bids shrink by 25% */
    in.inventory = 5000000; /* 0.05 BTC */
    s.vt->quote(&s, &in, &q);
    assert_int_equal(q.bids[0].price, 999993);  /* floor(9999.935) */
    assert_int_equal(q.asks[0].price, 1000004); /* ceil(10000.035) */
    assert_int_equal(q.bids[0].qty, 750000);
    assert_int_equal(q.asks[0].qty, 1000000);
    /* at max long: no bids at all */
    in.inventory = 10000000;
    s.vt->quote(&s, &in, &q);
    assert_int_equal(q.nbids, 0);
    assert_int_equal(q.nasks, 3);
    /* at max short: no asks */
    in.inventory = -20000000;
    s.vt->quote(&s, &in, &q);
    assert_int_equal(q.nasks, 0);
    /* post-only clamp: a zero spread never reaches the other side */
    s = make("ladder", "mid", 0, "ticks", 2);
    in = input(1000000, 100, 1000001, 100, 0);
    s.vt->quote(&s, &in, &q);
    assert_true(q.bids[0].price < 1000001);
    assert_true(q.asks[0].price > 1000000);
    assert_true(q.bids[1].price < q.bids[0].price);
    assert_true(q.asks[1].price > q.asks[0].price);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_rounding_outward),
        cmocka_unit_test(test_references),
        cmocka_unit_test(test_ladder_skew_and_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
