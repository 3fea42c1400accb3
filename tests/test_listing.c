/* test_listing.c: the exchange's symbols (listing.h): [symbol NAME] sections, the symbol a
 * recording carries (the shared BTCUSDT recording), synth:NAME, files grouped by symbol, and
 * the errors a user meets: an unknown key, a symbol without rules, a symbol's files apart. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "exchange/listing.h"

static listing_t L;
static config_t cfg;
static char err[512];

static void setup_eth(void) {
    listing_init(&L);
    config_defaults(&cfg); /* [market] BTCUSDT */
    assert_int_equal(listing_section_key(&L, "symbol ETHBTC", "base_asset", "ETH", err, sizeof err), 0);
    assert_int_equal(listing_section_key(&L, "symbol ETHBTC", "quote_asset", "BTC", err, sizeof err), 0);
    assert_int_equal(listing_section_key(&L, "symbol ETHBTC", "tick_size", "0.00001", err, sizeof err), 0);
    assert_int_equal(listing_section_key(&L, "symbol ETHBTC", "step_size", "0.0001", err, sizeof err), 0);
    assert_int_equal(listing_section_key(&L, "symbol ETHBTC", "min_notional", "0.0001", err, sizeof err), 0);
    assert_int_equal(listing_section_key(&L, "symbol ETHBTC", "synth_start_price", "0.042", err, sizeof err), 0);
}

static void test_sections(void **state) {
    (void)state;
    setup_eth();
    assert_int_equal(L.nsec, 1);
    assert_string_equal(L.sec[0].cfg.tick_size, "0.00001");
    /* what a user gets wrong, each named */
    assert_int_not_equal(listing_section_key(&L, "symbol ETHBTC", "tick", "0.1", err, sizeof err), 0);
    assert_non_null(strstr(err, "[symbol ETHBTC] tick: unknown key"));
    assert_int_not_equal(listing_section_key(&L, "symbol ethbtc", "tick_size", "0.1", err, sizeof err), 0);
    assert_non_null(strstr(err, "upper-case"));
    assert_int_not_equal(listing_section_key(&L, "symbol ETHBTC", "synth_start_price", "-1", err, sizeof err), 0);
    assert_int_not_equal(listing_section_key(&L, "symbol ETHBTC", "synth_start_price", "1e", err, sizeof err), 0);
}

static void test_recording_symbol(void **state) {
    (void)state;
    char sym[24];
    const char *rec = tu_data_path("binance-spot/btcusdt_20240808.gz");
    assert_int_equal(listing_recording_symbol(rec, sym, sizeof sym, err, sizeof err), 0);
    assert_string_equal(sym, "BTCUSDT");
    assert_int_not_equal(listing_recording_symbol("/nonexistent.gz", sym, sizeof sym, err, sizeof err), 0);
    assert_non_null(strstr(err, "/nonexistent.gz"));
}

static void test_build(void **state) {
    (void)state;
    setup_eth();
    char *files[4] = {(char *)tu_data_path("binance-spot/btcusdt_20240808.gz"),
                      (char *)tu_data_path("binance-spot/btcusdt_20240809.gz"), "synth:ETHBTC", 0};
    assert_int_equal(listing_build(&L, &cfg, files, 3, err, sizeof err), 0);
    assert_int_equal(L.n, 2);
    assert_string_equal(L.s[0].rules.symbol, "BTCUSDT");
    assert_int_equal(L.s[0].nfiles, 2); /* one stream of the two files */
    assert_string_equal(L.s[1].rules.symbol, "ETHBTC");
    assert_string_equal(L.s[1].rules.base, "ETH");
    assert_string_equal(L.s[1].rules.quote, "BTC");
    assert_int_equal(L.s[1].nfiles, 1);
    assert_non_null(strstr(L.s[1].files[0], "ETHBTC"));
    /* open bounds get the values exchangeInfo prints, so what is advertised is enforced */
    assert_int_equal(L.s[1].rules.max_price, 100000000000LL);
    assert_true(L.s[1].rules.min_qty > 0);
    listing_free(&L);
}

static void test_build_errors(void **state) {
    (void)state;
    setup_eth();
    char *a[3] = {(char *)tu_data_path("binance-spot/btcusdt_20240808.gz"), "synth:ETHBTC",
                  (char *)tu_data_path("binance-spot/btcusdt_20240809.gz")};
    assert_int_not_equal(listing_build(&L, &cfg, a, 3, err, sizeof err), 0);
    assert_non_null(strstr(err, "must be given one after another"));
    listing_free(&L);
    setup_eth();
    char *b[1] = {"synth:DOGEUSDT"};
    assert_int_not_equal(listing_build(&L, &cfg, b, 1, err, sizeof err), 0);
    assert_non_null(strstr(err, "DOGEUSDT: no rules for this symbol"));
    listing_free(&L);
    setup_eth();
    char *c[2] = {"synth:ETHBTC", "synth:ETHBTC"};
    assert_int_not_equal(listing_build(&L, &cfg, c, 2, err, sizeof err), 0);
    assert_non_null(strstr(err, "already has a market"));
    listing_free(&L);
    setup_eth();
    char *d[1] = {"synth:eth"};
    assert_int_not_equal(listing_build(&L, &cfg, d, 1, err, sizeof err), 0);
    listing_free(&L);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_recording_symbol),
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_build_errors),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
