/* test_config.c: the INI config, overrides, exact resolution, and exchangeInfo filters
 * (the real 2021 response with MIN_NOTIONAL, and today's NOTIONAL form). */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "core/err.h"
#include "feed/exchange_info.h"
#include "testutil.h"

static void test_defaults_and_examples(void **st) {
    (void)st;
    config_t c;
    config_exact_t x;
    char err[512];
    config_defaults(&c);
    assert_int_equal(config_resolve(&c, &x, err, sizeof err), 0);
    assert_string_equal(x.rules.symbol, "BTCUSDT");
    assert_int_equal(x.rules.step_lots, 1000);
    const char *ex[] = {"seed.ini", "btcusdt.ini"};
    for (int i = 0; i < 2; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/examples/%s", QUOTER_SRC, ex[i]);
        config_defaults(&c);
        if (config_load(&c, path, err, sizeof err)) fail_msg("%s", err);
        assert_int_equal(config_resolve(&c, &x, err, sizeof err), 0);
    }
    /* seed.ini is the classic: 0.01 BTC, 10 USDT around the last price, LIMIT GTC, 5 s */
    assert_string_equal(c.strategy, "ladder");
    char seed[512];
    snprintf(seed, sizeof seed, "%s/examples/seed.ini", QUOTER_SRC);
    config_defaults(&c);
    assert_int_equal(config_load(&c, seed, err, sizeof err), 0);
    assert_int_equal(config_resolve(&c, &x, err, sizeof err), 0);
    assert_string_equal(c.strategy, "seed");
    assert_string_equal(c.reference, "last");
    assert_int_equal(x.quantity, 1000000);
    assert_true(c.spread == 10);
    assert_string_equal(c.spread_unit, "abs");
    assert_string_equal(c.order_type, "limit");
    assert_true(c.requote_s == 5 && c.max_order_age_s == 5);
}

/* the [market] defaults are BTCUSDT's: another symbol names its own assets and units, or is
   refused; filters it does not give are off, not BTCUSDT's */
static void test_other_symbol_rules(void **st) {
    (void)st;
    config_t c;
    config_exact_t x;
    char err[512];
    config_defaults(&c);
    assert_false(config_given(&c, "market.symbol"));
    assert_int_equal(config_set(&c, "market.symbol=ETHUSDT", err, sizeof err), 0);
    assert_true(config_given(&c, "market.symbol"));
    assert_false(config_given(&c, "market.base_asset"));
    assert_int_equal(config_resolve(&c, &x, err, sizeof err), Q_E_INVAL);
    assert_non_null(strstr(err, "ETHUSDT"));
    assert_non_null(strstr(err, "base_asset, quote_asset, tick_size, step_size"));
    assert_int_equal(config_load_string(&c, "[market]\nbase_asset = ETH\nquote_asset = USDT\ntick_size = 0.01\n", "t.ini",
                                        err, sizeof err), 0);
    assert_int_equal(config_resolve(&c, &x, err, sizeof err), Q_E_INVAL);
    assert_non_null(strstr(err, "set market.step_size"));
    assert_null(strstr(err, "base_asset"));
    assert_int_equal(config_set(&c, "market.step_size=0.0001", err, sizeof err), 0);
    assert_int_equal(config_resolve(&c, &x, err, sizeof err), 0);
    assert_string_equal(x.rules.base, "ETH");
    assert_int_equal(x.rules.step_lots, 10000);
    assert_int_equal(x.rules.min_qty, 0); /* not BTCUSDT's 0.00001 */
    assert_int_equal(x.rules.max_qty, 0);
    assert_true(x.rules.min_notional == 0 && x.rules.max_notional == 0);
    assert_int_equal(config_set(&c, "market.min_notional=10", err, sizeof err), 0);
    assert_int_equal(config_resolve(&c, &x, err, sizeof err), 0);
    assert_true(x.rules.min_notional > 0);
    /* BTCUSDT keeps its defaults, given or not */
    config_defaults(&c);
    assert_int_equal(config_set(&c, "market.symbol=BTCUSDT", err, sizeof err), 0);
    assert_int_equal(config_resolve(&c, &x, err, sizeof err), 0);
    assert_string_equal(x.rules.base, "BTC");
    assert_int_equal(x.rules.min_qty, 1000);
}

static void test_errors_name_file_line_key(void **st) {
    (void)st;
    config_t c;
    config_exact_t x;
    char err[512];
    config_defaults(&c);
    assert_int_not_equal(config_load_string(&c, "[strategy]\nlevels = 3\nnosuch = 1\n", "t.ini", err, sizeof err), 0);
    assert_non_null(strstr(err, "t.ini:3"));
    assert_non_null(strstr(err, "strategy.nosuch"));
    config_defaults(&c);
    assert_int_not_equal(config_load_string(&c, "[strategy]\nlevels = many\n", "t.ini", err, sizeof err), 0);
    assert_non_null(strstr(err, "t.ini:2"));
    assert_non_null(strstr(err, "not a number"));
    config_defaults(&c);
    assert_int_not_equal(config_load_string(&c, "[strategy]\ntype = martingale\n", "t.ini", err, sizeof err), 0);
    assert_non_null(strstr(err, "seed|ladder"));
    config_defaults(&c);
    assert_int_not_equal(config_load_string(&c, "[strategy\n", "t.ini", err, sizeof err), 0);
    assert_non_null(strstr(err, "t.ini:1"));
    /* overrides */
    config_defaults(&c);
    assert_int_equal(config_set(&c, "strategy.levels=4", err, sizeof err), 0);
    assert_int_equal(c.levels, 4);
    assert_int_not_equal(config_set(&c, "levels=4", err, sizeof err), 0);
    assert_int_not_equal(config_set(&c, "strategy.levels=0", err, sizeof err), 0);
    assert_int_not_equal(config_set(&c, "strategy.levels=2.5", err, sizeof err), 0);
    /* exactness at resolution: quantities must sit on the step */
    config_defaults(&c);
    config_set(&c, "strategy.quantity=0.000015", err, sizeof err);
    assert_int_not_equal(config_resolve(&c, &x, err, sizeof err), 0);
    assert_non_null(strstr(err, "strategy.quantity"));
    config_defaults(&c);
    config_set(&c, "market.tick_size=0", err, sizeof err);
    assert_int_not_equal(config_resolve(&c, &x, err, sizeof err), 0);
    assert_non_null(strstr(err, "tick_size"));
    /* found by the fuzzer: a step too large for the 1e-8 lot unit is refused, not overflowed */
    config_defaults(&c);
    config_set(&c, "market.step_size=333333333300", err, sizeof err);
    assert_int_not_equal(config_resolve(&c, &x, err, sizeof err), 0);
    assert_non_null(strstr(err, "step_size"));
}

static void test_exchange_info_2021(void **st) {
    (void)st;
    symbol_rules_t r;
    char err[512];
    const char *path = tu_data_path("fixtures/nautilus-binance-spot-exchange-info-2021.json");
    assert_int_equal(exinfo_load(path, "BTCUSDT", &r, err, sizeof err), 0);
    assert_string_equal(r.base, "BTC");
    assert_string_equal(r.quote, "USDT");
    assert_int_equal(r.tick.scale, 2);
    assert_int_equal(r.step.scale, 5);
    assert_int_equal(r.step_lots, 1000);
    assert_int_equal(r.min_price, 1);
    assert_int_equal(r.max_price, 100000000);
    assert_int_equal(r.min_qty, 1000);
    assert_int_equal(r.max_qty, 900000000000LL);
    assert_true(r.min_notional == (__int128)10 * 10000000000LL); /* 10 USDT in 1e-10 units */
    assert_int_equal(r.max_num_orders, 200);
    /* 0.0002 BTC at 50000 = 10 USDT passes; 0.0001 fails NOTIONAL; an odd lot fails LOT_SIZE */
    assert_null(symbol_check_order(&r, 5000000, 20000));
    assert_string_equal(symbol_check_order(&r, 5000000, 10000), "NOTIONAL");
    assert_string_equal(symbol_check_order(&r, 5000000, 20500), "LOT_SIZE");
    assert_string_equal(symbol_check_order(&r, 200000000, 20000), "PRICE_FILTER");
    assert_int_equal(exinfo_load(path, "ETHUSDT", &r, err, sizeof err), 0);
    assert_int_equal(r.step_lots, 10000);
    assert_int_not_equal(exinfo_load(path, "DOGEUSDT", &r, err, sizeof err), 0);
    assert_non_null(strstr(err, "DOGEUSDT"));
    /* and through the config */
    config_t c;
    config_exact_t x;
    config_defaults(&c);
    snprintf(c.exchange_info, sizeof c.exchange_info, "%s", path);
    assert_int_equal(config_resolve(&c, &x, err, sizeof err), 0);
    assert_true(x.rules.min_notional == (__int128)10 * 10000000000LL);
}

static void test_exchange_info_today(void **st) {
    (void)st;
    /* today's form: NOTIONAL with min and max, PERCENT_PRICE_BY_SIDE (ignored here) */
    const char *json =
        "{\"symbols\":[{\"symbol\":\"BTCUSDT\",\"baseAsset\":\"BTC\",\"quoteAsset\":\"USDT\",\"filters\":["
        "{\"filterType\":\"PRICE_FILTER\",\"minPrice\":\"0.01000000\",\"maxPrice\":\"1000000.00000000\",\"tickSize\":\"0.01000000\"},"
        "{\"filterType\":\"LOT_SIZE\",\"minQty\":\"0.00001000\",\"maxQty\":\"9000.00000000\",\"stepSize\":\"0.00001000\"},"
        "{\"filterType\":\"PERCENT_PRICE_BY_SIDE\",\"bidMultiplierUp\":\"5\",\"bidMultiplierDown\":\"0.2\"},"
        "{\"filterType\":\"NOTIONAL\",\"minNotional\":\"5.00000000\",\"applyMinToMarket\":true,\"maxNotional\":\"9000000.00000000\",\"applyMaxToMarket\":false,\"avgPriceMins\":5}]}]}";
    symbol_rules_t r;
    char err[256];
    assert_int_equal(exinfo_parse(json, strlen(json), "BTCUSDT", &r, err, sizeof err), 0);
    assert_true(r.min_notional == (__int128)5 * 10000000000LL);
    assert_true(r.max_notional == (__int128)9000000 * 10000000000LL);
    assert_int_equal(r.min_notional_applies, 1);
    assert_string_equal(symbol_check_order(&r, 6000000, 100000000000LL), "NOTIONAL"); /* 60000 x 1000 BTC */
    assert_int_not_equal(exinfo_parse("{not json", 9, "BTCUSDT", &r, err, sizeof err), 0);
    const char *no_tick = "{\"symbols\":[{\"symbol\":\"X\",\"filters\":[]}]}";
    assert_int_not_equal(exinfo_parse(no_tick, strlen(no_tick), "X", &r, err, sizeof err), 0);
    assert_non_null(strstr(err, "tickSize"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_examples),
        cmocka_unit_test(test_errors_name_file_line_key),
        cmocka_unit_test(test_other_symbol_rules),
        cmocka_unit_test(test_exchange_info_2021),
        cmocka_unit_test(test_exchange_info_today),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
