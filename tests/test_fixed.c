/* test_fixed.c: exact decimals: round trips, exactness, units, and rounding at tick edges. */
#include <string.h>

#include "core/err.h"
#include "core/fixed.h"
#include "core/symbol.h"
#include "testutil.h"

static fx_unit_t unit(const char *s) {
    fx_unit_t u;
    assert_int_equal(fx_unit_parse(s, strlen(s), &u), 0);
    return u;
}

static int64_t parse(const char *s, const fx_unit_t *u, int expect_rc) {
    int64_t v = 0;
    assert_int_equal(fx_parse(s, strlen(s), u, &v), expect_rc);
    return v;
}

/* quote amounts (price x quantity in tick*lot units) printed as Binance does: 8 places, truncated */
static void test_quote_format(void **st) {
    (void)st;
    symbol_rules_t r;
    fx_unit_t step;
    char b[64];
    memset(&r, 0, sizeof r);
    assert_int_equal(fx_unit_parse("0.01", 4, &r.tick), 0);
    assert_int_equal(fx_unit_parse("0.00001", 7, &step), 0);
    assert_int_equal(symbol_set_step(&r, &step), 0);
    /* 61837.63 x 0.01 = 618.3763 (BTCUSDT, the shared recording's prices) */
    assert_string_equal(symbol_quote_format(&r, (__int128)6183763 * 1000000, b, sizeof b), "618.37630000");
    assert_string_equal(symbol_quote_format(&r, -(__int128)6183763 * 1000000, b, sizeof b), "-618.37630000");
    assert_string_equal(symbol_quote_format(&r, 0, b, sizeof b), "0.00000000");
    /* one tick x one lot is 1e-10: below the 8th place, truncated */
    assert_string_equal(symbol_quote_format(&r, 1, b, sizeof b), "0.00000000");
    assert_string_equal(symbol_quote_format(&r, 199, b, sizeof b), "0.00000001");
    /* a day of BTCUSDT volume, beyond int64 in these units: 2e9 USDT */
    assert_string_equal(symbol_quote_format(&r, (__int128)2000000000 * 10000000000LL, b, sizeof b), "2000000000.00000000");
}

static void test_units(void **st) {
    (void)st;
    fx_unit_t u = unit("0.01000000");
    assert_int_equal(u.scale, 2);
    assert_int_equal(u.mult, 1);
    u = unit("0.05");
    assert_int_equal(u.scale, 2);
    assert_int_equal(u.mult, 5);
    u = unit("10.00000000");
    assert_int_equal(u.scale, 0);
    assert_int_equal(u.mult, 10);
    u = unit("0.00001000");
    assert_int_equal(u.scale, 5);
    fx_unit_t bad;
    assert_int_equal(fx_unit_parse("0.0", 3, &bad), Q_E_INVAL);
    assert_int_equal(fx_unit_parse("abc", 3, &bad), Q_E_PARSE);
    assert_int_equal(fx_unit_parse("1.2.3", 5, &bad), Q_E_PARSE);
}

static void test_parse_real_binance_strings(void **st) {
    (void)st;
    fx_unit_t tick = unit("0.01"), lot = unit("0.00000001");
    /* values taken from the shared BTCUSDT recording */
    assert_int_equal(parse("61837.63000000", &tick, 0), 6183763);
    assert_int_equal(parse("3.78826000", &lot, 0), 378826000);
    assert_int_equal(parse("25.42618900", &lot, 0), 2542618900);
    assert_int_equal(parse("0.00000000", &lot, 0), 0);
    assert_int_equal(parse("200000.00000000", &tick, 0), 20000000);
    /* off the grid */
    parse("61837.635", &tick, Q_E_INEXACT);
    fx_unit_t five = unit("0.05");
    assert_int_equal(parse("1.15", &five, 0), 23);
    parse("1.17", &five, Q_E_INEXACT);
    /* malformed */
    parse("", &tick, Q_E_PARSE);
    parse("-", &tick, Q_E_PARSE);
    parse("1e5", &tick, Q_E_PARSE);
    parse("12a", &tick, Q_E_PARSE);
    parse("99999999999999999999", &tick, Q_E_RANGE);
    assert_int_equal(parse("-1.5", &tick, 0), -150);
    assert_int_equal(parse(".5", &tick, 0), 50);
    assert_int_equal(parse("7", &tick, 0), 700);
}

static void test_round_trip(void **st) {
    (void)st;
    const char *units[] = {"0.01", "0.00001", "0.05", "10", "1", "0.00000001", "0.1"};
    char buf[64], buf2[64];
    for (size_t k = 0; k < sizeof units / sizeof *units; k++) {
        fx_unit_t u = unit(units[k]);
        for (int64_t v = -5000; v <= 5000; v += 7) {
            int n = fx_format(v, &u, 0, buf, sizeof buf);
            assert_true(n > 0);
            int64_t back;
            assert_int_equal(fx_parse(buf, (size_t)n, &u, &back), 0);
            assert_int_equal(back, v);
            /* Binance's 8-place form parses back to the same count */
            n = fx_format(v, &u, 8, buf2, sizeof buf2);
            assert_int_equal(fx_parse(buf2, (size_t)n, &u, &back), 0);
            assert_int_equal(back, v);
        }
    }
    fx_unit_t tick = unit("0.01");
    fx_format(6183763, &tick, 8, buf, sizeof buf);
    assert_string_equal(buf, "61837.63000000");
    fx_format(6183763, &tick, 0, buf, sizeof buf);
    assert_string_equal(buf, "61837.63");
    fx_format(-5, &tick, 0, buf, sizeof buf);
    assert_string_equal(buf, "-0.05");
    fx_unit_t ten = unit("10");
    fx_format(3, &ten, 0, buf, sizeof buf);
    assert_string_equal(buf, "30");
    assert_true(fx_format(6183763, &tick, 8, buf, 5) < 0); /* too small a buffer */
}

static void test_rounding_at_tick_edges(void **st) {
    (void)st;
    fx_unit_t tick = unit("0.01");
    /* 61837.63 is not exact in binary; it must not round to the neighbour tick */
    assert_int_equal(fx_floor(61837.63, &tick), 6183763);
    assert_int_equal(fx_ceil(61837.63, &tick), 6183763);
    assert_int_equal(fx_floor(61837.639, &tick), 6183763);
    assert_int_equal(fx_ceil(61837.631, &tick), 6183764);
    assert_int_equal(fx_floor(0.29, &tick), 29); /* 0.29/0.01 = 28.999999999999996 */
    assert_int_equal(fx_ceil(0.29, &tick), 29);
    assert_int_equal(fx_floor(1.005, &tick), 100);
    assert_int_equal(fx_ceil(1.005, &tick), 101);
    fx_unit_t five = unit("0.05");
    assert_int_equal(fx_floor(1.17, &five), 23);
    assert_int_equal(fx_ceil(1.17, &five), 24);
    assert_int_equal(fx_floor(-0.01, &tick), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_parse_real_binance_strings),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_rounding_at_tick_edges),
        cmocka_unit_test(test_quote_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
