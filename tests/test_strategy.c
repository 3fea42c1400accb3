/* test_strategy.c: quote placement: rounding outward at tick edges, references, the
 * ladder's skew and sizes, post-only clamping; avellaneda and glft on hand-computed inputs
 * (inventory at its bounds, missing estimates), the alpha, the knobs (join, band, delay after
 * a fill), and the same quotes from the same events over the shared recording. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book/sync.h"
#include "feed/replay.h"
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


/* a strategy from "section.key=value" settings over the defaults (quantity 0.01 BTC, max
   inventory 0.1: 10 orders) */
static strategy_t make_set(const char *const *sets) {
    config_t c;
    config_exact_t x;
    char err[256];
    config_defaults(&c);
    snprintf(c.quantity, sizeof c.quantity, "0.01");
    snprintf(c.max_inventory, sizeof c.max_inventory, "0.1");
    snprintf(c.reference, sizeof c.reference, "mid");
    for (int i = 0; sets[i]; i++)
        if (config_set(&c, sets[i], err, sizeof err)) fail_msg("%s", err);
    assert_int_equal(config_resolve(&c, &x, err, sizeof err), 0);
    strategy_t s;
    if (strategy_init(&s, &c, &x, err, sizeof err)) fail_msg("%s", err);
    return s;
}

/* gamma 0.1, sigma 2, k 0.5, T - t = 10 s, mid 60000.01 (bid 60000.00, ask 60000.02):
 *   inventory term gamma sigma^2 (T-t) = 0.1 * 4 * 10 = 4;  (2/gamma) ln(1 + gamma/k) = 20 ln 1.2 = 3.6464311
 *   half spread (4 + 3.6464311) / 2 = 3.8232156
 *   q = 0: bid 59996.186784 -> 59996.18, ask 60003.833216 -> 60003.84
 *   q = 2 (0.02 BTC): r = 60000.01 - 8: bid 59988.186784 -> 59988.18, ask 59995.833 -> below the
 *   best bid, so one tick above it (post-only): 60000.01 */
static void test_avellaneda(void **st) {
    (void)st;
    tu_btcusdt(&rules);
    quote_set_t q;
    const char *sets[] = {"strategy.type=avellaneda", "strategy.gamma=0.1", "strategy.sigma=2",
                          "strategy.intensity_k=0.5", "strategy.horizon=10", 0};
    strategy_t s = make_set(sets);
    strat_input_t in = input(6000000, 100, 6000002, 100, 0);
    in.now_ns = 1700000000000000000;
    assert_int_equal(strategy_quote(&s, &in, &q), 0);
    assert_int_equal(q.nbids, 1);
    assert_int_equal(q.nasks, 1);
    assert_int_equal(q.bids[0].price, 5999618);
    assert_int_equal(q.asks[0].price, 6000384);
    assert_int_equal(q.bids[0].qty, 1000000);
    in.inventory = 2000000;
    strategy_quote(&s, &in, &q);
    assert_int_equal(q.bids[0].price, 5998818);
    assert_int_equal(q.asks[0].price, 6000001);
    /* 0.095 BTC long: room for 0.005 more under the 0.1 bound, so the bid is 0.005 */
    in.inventory = 9500000;
    strategy_quote(&s, &in, &q);
    assert_int_equal(q.nbids, 1);
    assert_int_equal(q.bids[0].qty, 500000);
    assert_int_equal(q.asks[0].qty, 1000000);
    /* at the bound: no bid; at the short bound: no ask */
    in.inventory = 10000000;
    strategy_quote(&s, &in, &q);
    assert_int_equal(q.nbids, 0);
    assert_int_equal(q.nasks, 1);
    in.inventory = -10000000;
    strategy_quote(&s, &in, &q);
    assert_int_equal(q.nasks, 0);
    assert_int_equal(q.nbids, 1);
    strategy_free(&s);

    /* finite horizon of 10 s sessions, 7 s into one: T - t = 3: term 1.2, half 2.4232156:
       bid 59997.586784 -> 59997.58, ask 60002.433216 -> 60002.44 */
    const char *fin[] = {"strategy.type=avellaneda", "strategy.gamma=0.1", "strategy.sigma=2", "strategy.intensity_k=0.5",
                         "strategy.horizon=10", "strategy.horizon_mode=finite", 0};
    s = make_set(fin);
    in.inventory = 0;
    in.now_ns = 1700000007000000000; /* a multiple of 10 s plus 7 */
    strategy_quote(&s, &in, &q);
    assert_int_equal(q.bids[0].price, 5999758);
    assert_int_equal(q.asks[0].price, 6000244);
    strategy_free(&s);

    /* sigma and k online: no estimate yet, no quotes (the engine then cancels) */
    const char *online[] = {"strategy.type=avellaneda", 0};
    s = make_set(online);
    assert_int_equal(strategy_quote(&s, &in, &q), 1);
    assert_int_equal(q.nbids + q.nasks, 0);
    strategy_free(&s);
    /* sigma fixed, k still missing: still none */
    const char *half_fixed[] = {"strategy.type=avellaneda", "strategy.sigma=2", 0};
    s = make_set(half_fixed);
    assert_int_equal(strategy_quote(&s, &in, &q), 1);
    strategy_free(&s);
}

/* gamma = xi = 0.1, A 1, k 0.5, sigma 2, Delta 1:
 *   c1 = ln(1.2) / 0.1 = 1.8232156;  c2 = sqrt(0.1 / (2 * 1 * 0.5) * 1.2^6) = 0.5464416
 *   half spread = c1 + sigma c2 / 2 = 2.3696572;  skew = sigma c2 = 1.0928832
 *   q = 0: bid 59997.640343 -> 59997.64, ask 60002.379657 -> 60002.38
 *   q = 3: bid 60000.01 - (2.3696572 + 3.2786495) = 59994.361693 -> 59994.36; ask 59999.101 is
 *   below the best bid: 60000.01 */
static void test_glft(void **st) {
    (void)st;
    tu_btcusdt(&rules);
    quote_set_t q;
    const char *sets[] = {"strategy.type=glft", "strategy.gamma=0.1", "strategy.sigma=2", "strategy.intensity_a=1",
                          "strategy.intensity_k=0.5", 0};
    strategy_t s = make_set(sets);
    strat_input_t in = input(6000000, 100, 6000002, 100, 0);
    assert_int_equal(strategy_quote(&s, &in, &q), 0);
    assert_int_equal(q.bids[0].price, 5999764);
    assert_int_equal(q.asks[0].price, 6000238);
    in.inventory = 3000000;
    strategy_quote(&s, &in, &q);
    assert_int_equal(q.bids[0].price, 5999436);
    assert_int_equal(q.asks[0].price, 6000001);
    /* q = -10, the short bound: bids only */
    in.inventory = -10000000;
    strategy_quote(&s, &in, &q);
    assert_int_equal(q.nasks, 0);
    assert_int_equal(q.nbids, 1);
    /* past the long bound: asks only */
    in.inventory = 12000000;
    strategy_quote(&s, &in, &q);
    assert_int_equal(q.nbids, 0);
    assert_int_equal(q.nasks, 1);
    strategy_free(&s);
    /* A missing (online, no data yet): no quotes */
    const char *noa[] = {"strategy.type=glft", "strategy.sigma=2", "strategy.intensity_k=0.5", 0};
    s = make_set(noa);
    in.inventory = 0;
    assert_int_equal(strategy_quote(&s, &in, &q), 1);
    strategy_free(&s);
    /* glft needs its inventory bound */
    config_t c;
    config_exact_t x;
    char err[256];
    config_defaults(&c);
    snprintf(c.strategy, sizeof c.strategy, "glft");
    assert_int_equal(config_resolve(&c, &x, err, sizeof err), 0);
    strategy_t t;
    assert_int_not_equal(strategy_init(&t, &c, &x, err, sizeof err), 0);
    assert_non_null(strstr(err, "max_inventory"));
}

/* the alpha and the knobs, on the glft quotes of q = 0 above (bid 59997.64, ask 60002.38) */
static void test_alpha_and_knobs(void **st) {
    (void)st;
    tu_btcusdt(&rules);
    quote_set_t q;
    /* book imbalance (300 - 100) / 400 = 0.5 times 10 ticks: the fair value 5 ticks up */
    const char *al[] = {"strategy.type=glft", "strategy.gamma=0.1", "strategy.sigma=2", "strategy.intensity_a=1",
                        "strategy.intensity_k=0.5", "strategy.alpha=imbalance", "strategy.alpha_weight=10", 0};
    strategy_t s = make_set(al);
    strat_input_t in = input(6000000, 300, 6000002, 100, 0);
    strategy_quote(&s, &in, &q);
    assert_int_equal(q.bids[0].price, 5999769);
    assert_int_equal(q.asks[0].price, 6000243);
    strategy_free(&s);
    /* trade flow: all buying so far, +1: 10 ticks up */
    const char *fl[] = {"strategy.type=glft", "strategy.gamma=0.1", "strategy.sigma=2", "strategy.intensity_a=1",
                        "strategy.intensity_k=0.5", "strategy.alpha=flow", "strategy.alpha_weight=10", 0};
    s = make_set(fl);
    strategy_on_trade(&s, 6000002, 1000, 0, 1000);
    in = input(6000000, 100, 6000002, 100, 0);
    strategy_quote(&s, &in, &q);
    assert_int_equal(q.bids[0].price, 5999774);
    assert_int_equal(q.asks[0].price, 6000248);
    strategy_free(&s);
    /* join: the bid is 236 ticks under the best bid; a tolerance of 240 joins it, 230 does not */
    const char *jn[] = {"strategy.type=glft", "strategy.gamma=0.1", "strategy.sigma=2", "strategy.intensity_a=1",
                        "strategy.intensity_k=0.5", "strategy.join_tolerance=240", "strategy.levels=2",
                        "strategy.level_spacing=1", 0};
    s = make_set(jn);
    strategy_quote(&s, &in, &q);
    assert_int_equal(q.bids[0].price, 6000000);
    assert_int_equal(q.bids[1].price, 5999763); /* the next level stays where it was */
    assert_int_equal(q.asks[0].price, 6000002);
    s.join_tolerance = 230;
    strategy_quote(&s, &in, &q);
    assert_int_equal(q.bids[0].price, 5999764);
    assert_int_equal(q.asks[0].price, 6000238);
    /* band: no bid above 59997.00 (both levels are above: none), no ask below 60002.38 (kept) */
    s.price_ceiling = 59997.00;
    s.price_floor = 60002.38;
    strategy_quote(&s, &in, &q);
    assert_int_equal(q.nbids, 0);
    assert_int_equal(q.nasks, 2);
    s.price_ceiling = 59997.635; /* the second level (59997.63) stays */
    s.price_floor = 60002.385;   /* the first ask (60002.38) goes, the second (60002.39) stays */
    strategy_quote(&s, &in, &q);
    assert_int_equal(q.nbids, 1);
    assert_int_equal(q.bids[0].price, 5999763);
    assert_int_equal(q.nasks, 1);
    assert_int_equal(q.asks[0].price, 6000239);
    s.price_ceiling = s.price_floor = 0;
    /* a 2 s delay after a fill: our buy at t = 1 s empties the bids until t = 3 s */
    s.fill_delay_ns = 2000000000;
    strategy_on_fill(&s, 0, 5999764, 1000000, 1000000000);
    in.now_ns = 2999999999;
    strategy_quote(&s, &in, &q);
    assert_int_equal(q.nbids, 0);
    assert_int_equal(q.nasks, 2);
    in.now_ns = 3000000000;
    strategy_quote(&s, &in, &q);
    assert_int_equal(q.nbids, 2);
    strategy_free(&s);
}

static void same_quotes(const quote_set_t *x, const quote_set_t *y) {
    assert_int_equal(x->nbids, y->nbids);
    assert_int_equal(x->nasks, y->nasks);
    assert_memory_equal(x->bids, y->bids, sizeof x->bids[0] * (size_t)x->nbids);
    assert_memory_equal(x->asks, y->asks, sizeof x->asks[0] * (size_t)x->nasks);
}

/* the same events give the same quotes: two strategies with online estimates fed the shared
   recording side by side agree on every decision, and they do quote */
static void test_determinism(void **st) {
    (void)st;
    symbol_rules_t r;
    replay_t *rp = calloc(1, sizeof *rp);
    tu_open_recordings(rp, &r);
    const char *sets[] = {"strategy.type=glft", "strategy.alpha=flow", "strategy.alpha_weight=5", "strategy.levels=2",
                          "strategy.vol_window=30", "strategy.intensity_window=30", 0};
    const char *sets2[] = {"strategy.type=avellaneda", "strategy.vol_method=ewma", "strategy.gamma=0.01",
                           "strategy.horizon=10", 0};
    strategy_t a = make_set(sets), b = make_set(sets), c = make_set(sets2), d = make_set(sets2);
    book_t bk;
    book_sync_t sy;
    book_init(&bk, 17);
    sync_init(&sy, &bk);
    md_event_t ev;
    int64_t quoted = 0, decisions = 0, last = 0;
    quote_set_t qa, qb, qc, qd;
    while (replay_next(rp, &ev) > 0) {
        if (ev.type == MD_TRADE) {
            last = ev.u.trade.price;
            strategy_on_trade(&a, ev.u.trade.price, ev.u.trade.qty, ev.u.trade.buyer_maker, ev.local_ns);
            strategy_on_trade(&b, ev.u.trade.price, ev.u.trade.qty, ev.u.trade.buyer_maker, ev.local_ns);
            strategy_on_trade(&c, ev.u.trade.price, ev.u.trade.qty, ev.u.trade.buyer_maker, ev.local_ns);
            strategy_on_trade(&d, ev.u.trade.price, ev.u.trade.qty, ev.u.trade.buyer_maker, ev.local_ns);
        } else {
            if (ev.type == MD_DIFF) sync_on_diff(&sy, &ev);
            else if (ev.type == MD_SNAPSHOT) sync_on_snapshot(&sy, &ev);
            else if (ev.type == MD_BBO) book_on_bbo(&bk, &ev);
            else continue;
            if (sy.state != SYNC_LIVE) continue;
            book_top_t t;
            book_top(&bk, &t);
            strategy_on_book(&a, &t, ev.local_ns);
            strategy_on_book(&b, &t, ev.local_ns);
            strategy_on_book(&c, &t, ev.local_ns);
            strategy_on_book(&d, &t, ev.local_ns);
        }
        if (sy.state != SYNC_LIVE) continue;
        strat_input_t in;
        memset(&in, 0, sizeof in);
        book_top(&bk, &in.top);
        in.book = &bk;
        in.now_ns = ev.local_ns;
        in.last_trade = last;
        in.rules = &r;
        in.inventory = (decisions / 5000 % 5 - 2) * 1000000;
        int ra = strategy_quote(&a, &in, &qa), rb = strategy_quote(&b, &in, &qb);
        int rc = strategy_quote(&c, &in, &qc), rd = strategy_quote(&d, &in, &qd);
        assert_int_equal(ra, rb);
        assert_int_equal(rc, rd);
        same_quotes(&qa, &qb);
        same_quotes(&qc, &qd);
        decisions++;
        if (!ra && !rc) {
            quoted++;
            /* on the grid, passive, sizes on the step */
            for (int i = 0; i < qa.nbids; i++) {
                assert_true(qa.bids[i].price < in.top.ask);
                assert_int_equal(qa.bids[i].qty % r.step_lots, 0);
            }
            for (int i = 0; i < qa.nasks; i++) assert_true(qa.asks[i].price > in.top.bid);
        }
    }
    assert_true(quoted > decisions / 2); /* after the 30 s windows, nearly always */
    strategy_free(&a);
    strategy_free(&b);
    strategy_free(&c);
    strategy_free(&d);
    sync_free(&sy);
    book_free(&bk);
    replay_close(rp);
    free(rp);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_rounding_outward),
        cmocka_unit_test(test_references),
        cmocka_unit_test(test_ladder_skew_and_levels),
        cmocka_unit_test(test_avellaneda),
        cmocka_unit_test(test_glft),
        cmocka_unit_test(test_alpha_and_knobs),
        cmocka_unit_test(test_determinism),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
