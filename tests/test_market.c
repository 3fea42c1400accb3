/* test_market.c: the local exchange's market data answers (klines, aggTrades, avgPrice, 24 h
 * ticker) on a synthetic market replayed over ten minutes of wall time, and on the shared
 * recording, with adversarial times: a start after the newest kline (once a 100% CPU spin
 * that froze the server), starts in the future, ends before the epoch, INT64 extremes,
 * startTime=0 as the epoch, bad limits and intervals. Every call runs under alarm(): a call
 * that does not return fails the test (SIGALRM) instead of hanging it. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/err.h"
#include "exchange/market.h"
#include "exchange/synth.h"
#include "testutil.h"

#define T0 1723161600000LL  /* 2024-08-09 00:00:00 UTC: day-, hour- and minute-aligned */
#define MIN 60000LL
#define NOW (T0 + 10 * MIN) /* the market runs from T0 to NOW */
#define BOUND_S 10          /* each call: generous even under the sanitizers */

static symbol_rules_t rules;
static market_t mkt;
static char path[256];
static char *files[1];
static char buf[1 << 20];

static void nothing(void *ctx, market_stream_t s, const char *json, int len) {
    (void)ctx, (void)s, (void)json, (void)len;
}

static int setup(void **st) {
    (void)st;
    tu_btcusdt(&rules);
    synth_params_t p;
    synth_defaults(&p);
    p.seconds = 600;
    snprintf(path, sizeof path, "/tmp/test_market_%d.gz", (int)getpid());
    char err[256];
    if (synth_write(&p, &rules, path, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    files[0] = path;
    if (market_open(&mkt, &rules, files, 1, 1.0, 0, T0 * 1000000)) return -1;
    /* wall time in 1 s steps: trades get the times they would have had live */
    for (int64_t t = T0; t <= NOW; t += 1000) market_poll(&mkt, t * 1000000, nothing, 0);
    return mkt.ntrades > 100 ? 0 : -1;
}

static int teardown(void **st) {
    (void)st;
    market_close(&mkt);
    unlink(path);
    return 0;
}

/* ---- bounded calls ---- */
static int klines(int64_t now, int minutes, int64_t start, int64_t end, int limit) {
    alarm(BOUND_S);
    int n = market_klines_query_json(&mkt, now, minutes, start, end, limit, buf, sizeof buf);
    alarm(0);
    return n;
}
static int agg(int limit, int64_t from, int64_t start, int64_t end) {
    alarm(BOUND_S);
    int n = market_aggtrades_query_json(&mkt, limit, from, start, end, buf, sizeof buf);
    alarm(0);
    return n;
}

/* the parsed answer (a list); the caller deletes it */
static cJSON *list(int n) {
    assert_true(n > 0);
    cJSON *j = cJSON_Parse(buf);
    assert_non_null(j);
    assert_true(cJSON_IsArray(j));
    return j;
}
static int count(int n) {
    cJSON *j = list(n);
    int k = cJSON_GetArraySize(j);
    cJSON_Delete(j);
    return k;
}
static int64_t open_time(const cJSON *j, int i) { return (int64_t)cJSON_GetArrayItem(cJSON_GetArrayItem(j, i), 0)->valuedouble; }

#define A MARKET_ABSENT

static void test_klines_start_after_newest(void **st) {
    (void)st;
    /* the freeze: interval 1h, startTime one minute ago: the next hour's kline does not exist yet */
    assert_string_equal((klines(NOW, 60, NOW - MIN, A, 500), buf), "[]");
    assert_string_equal((klines(NOW, 60, NOW - MIN, NOW, 500), buf), "[]");
    /* the same as the server calls it (an endTime not sent) */
    alarm(BOUND_S);
    assert_true(market_klines_query_json(&mkt, NOW, 60, NOW - MIN, MARKET_ABSENT, 500, buf, sizeof buf) > 0);
    alarm(0);
    assert_string_equal(buf, "[]");
    /* any start in the future, every interval */
    static const int iv[] = {1, 3, 5, 15, 30, 60, 120, 240, 360, 480, 720, 1440};
    for (size_t i = 0; i < sizeof iv / sizeof *iv; i++) {
        assert_string_equal((klines(NOW, iv[i], NOW + 1, A, 1000), buf), "[]");
        assert_string_equal((klines(NOW, iv[i], NOW + 86400000LL * 365, A, 1000), buf), "[]");
        assert_string_equal((klines(NOW, iv[i], INT64_MAX, A, 1000), buf), "[]");
        assert_string_equal((klines(NOW, iv[i], INT64_MAX, INT64_MAX, 1000), buf), "[]");
        assert_string_equal((klines(NOW, iv[i], INT64_MAX - 1, A, 1), buf), "[]");
    }
}

static void test_klines_ranges(void **st) {
    (void)st;
    /* 1m, nothing sent: one kline a minute from the first trade's to the one open now */
    cJSON *j = list(klines(NOW, 1, A, A, 1000));
    int nk = cJSON_GetArraySize(j);
    assert_true(nk >= 10 && nk <= 11);
    assert_int_equal(open_time(j, nk - 1), NOW / MIN * MIN);
    uint64_t trades = 0;
    for (int i = 0; i < nk; i++) {
        cJSON *k = cJSON_GetArrayItem(j, i);
        assert_int_equal(open_time(j, i) % MIN, 0);
        assert_int_equal((int64_t)cJSON_GetArrayItem(k, 6)->valuedouble, open_time(j, i) + MIN - 1); /* close time */
        trades += (uint64_t)cJSON_GetArrayItem(k, 8)->valuedouble;
    }
    assert_int_equal(trades, mkt.ntrades); /* every trade in exactly one kline */
    cJSON_Delete(j);
    /* startTime=0 is the epoch (not "absent"): the oldest klines; absent: the newest */
    j = list(klines(NOW, 1, 0, A, 3));
    assert_int_equal(cJSON_GetArraySize(j), 3);
    assert_int_equal(open_time(j, 0), T0);
    cJSON_Delete(j);
    j = list(klines(NOW, 1, A, A, 3));
    assert_int_equal(open_time(j, 2), NOW / MIN * MIN);
    cJSON_Delete(j);
    j = list(klines(NOW, 1, -5, A, 3)); /* before the epoch: from the start too */
    assert_int_equal(open_time(j, 0), T0);
    cJSON_Delete(j);
    /* klines open at or after startTime: one ms into a minute skips to the next */
    j = list(klines(NOW, 1, T0 + 1, A, 1));
    assert_int_equal(open_time(j, 0), T0 + MIN);
    cJSON_Delete(j);
    /* endTime: the newest `limit` opening at or before it */
    j = list(klines(NOW, 1, A, T0 + 3 * MIN, 2));
    assert_int_equal(open_time(j, 0), T0 + 2 * MIN);
    assert_int_equal(open_time(j, 1), T0 + 3 * MIN);
    cJSON_Delete(j);
    j = list(klines(NOW, 1, A, INT64_MAX, 1000)); /* far in the future: up to now */
    assert_int_equal(cJSON_GetArraySize(j), nk);
    cJSON_Delete(j);
    /* nothing in range: "[]" */
    assert_string_equal((klines(NOW, 1, A, 1, 500), buf), "[]");
    assert_string_equal((klines(NOW, 1, A, 0, 500), buf), "[]");
    assert_string_equal((klines(NOW, 1, A, -1, 500), buf), "[]");
    assert_string_equal((klines(NOW, 1, A, INT64_MIN + 1, 500), buf), "[]");
    assert_string_equal((klines(NOW, 1, A, NOW - 2 * 86400000LL, 500), buf), "[]");
    assert_string_equal((klines(NOW, 1, NOW - 2 * MIN, NOW - 5 * MIN, 500), buf), "[]");
    assert_string_equal((klines(NOW, 1, A, A, 0), buf), "[]");
    assert_string_equal((klines(NOW, 1, A, A, INT_MIN), buf), "[]");
    assert_true(count(klines(NOW, 1, 0, A, INT_MAX)) == nk);
    /* 1h and 1d: the one kline open now (the market started on the hour and the day) */
    assert_int_equal(count(klines(NOW, 60, A, A, 500)), 1);
    j = list(klines(NOW, 1440, A, A, 500));
    assert_int_equal(cJSON_GetArraySize(j), 1);
    assert_int_equal(open_time(j, 0), T0);
    assert_int_equal((uint64_t)cJSON_GetArrayItem(cJSON_GetArrayItem(j, 0), 8)->valuedouble, mkt.ntrades);
    cJSON_Delete(j);
    assert_int_equal(count(klines(NOW, 1440, 0, T0, 500)), 1);
    assert_string_equal((klines(NOW, 1440, T0 + 1, A, 500), buf), "[]");
    /* intervals no caller may send: refused, not divided by */
    assert_int_equal(klines(NOW, 0, A, A, 500), -1);
    assert_int_equal(klines(NOW, -60, A, A, 500), -1);
    assert_int_equal(klines(NOW, INT_MAX, A, A, 500), -1);
    /* a too small buffer: -1, not an overrun */
    alarm(BOUND_S);
    assert_int_equal(market_klines_query_json(&mkt, NOW, 1, A, A, 500, buf, 100), -1);
    assert_int_equal(market_klines_query_json(&mkt, NOW, 1, NOW + MIN, A, 500, buf, 1), -1);
    alarm(0);
}

static void test_klines_odd_clocks(void **st) {
    (void)st;
    /* the server's clock far from the market's: no trades in the window, no loop past it */
    static const int64_t nows[] = {0, -1, 1, INT64_MIN, INT64_MAX, 59999, 86400000LL * 365 * 10000, NOW + 2 * 86400000LL};
    for (size_t i = 0; i < sizeof nows / sizeof *nows; i++)
        for (int iv = 1; iv <= 1440; iv *= 3) {
            assert_string_equal((klines(nows[i], iv, A, A, 1000), buf), "[]");
            assert_string_equal((klines(nows[i], iv, 0, INT64_MAX, 1000), buf), "[]");
            assert_string_equal((klines(nows[i], iv, INT64_MAX, A, 1000), buf), "[]");
            if (nows[i] > INT64_MIN + MIN) assert_string_equal((klines(nows[i], iv, nows[i] - MIN, A, 1000), buf), "[]");
        }
    /* a day later the trades have aged out; half a day later they are still listed */
    assert_int_equal(count(klines(NOW + 86400000LL / 2, 60, A, A, 1000)), 12 + 1);
}

static void test_aggtrades(void **st) {
    (void)st;
    int kept = mkt.ntrades < MARKET_TRADES ? (int)mkt.ntrades : MARKET_TRADES;
    cJSON *j = list(agg(1000, A, A, A));
    assert_int_equal(cJSON_GetArraySize(j), kept);
    int64_t first_id = (int64_t)cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "a")->valuedouble;
    int64_t first_t = (int64_t)cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "T")->valuedouble;
    int64_t last_t = (int64_t)cJSON_GetObjectItem(cJSON_GetArrayItem(j, kept - 1), "T")->valuedouble;
    cJSON_Delete(j);
    /* fromId=0 and startTime=0 are values: the oldest trades kept, oldest first */
    j = list(agg(2, 0, A, A));
    assert_int_equal((int64_t)cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "a")->valuedouble, first_id);
    cJSON_Delete(j);
    j = list(agg(2, A, 0, A));
    assert_int_equal((int64_t)cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "a")->valuedouble, first_id);
    cJSON_Delete(j);
    assert_int_equal(count(agg(5, first_id + 3, A, A)), 5);
    /* nothing in range: "[]" */
    assert_string_equal((agg(500, INT64_MAX, A, A), buf), "[]");
    assert_string_equal((agg(500, A, last_t + 1, A), buf), "[]");
    assert_string_equal((agg(500, A, INT64_MAX, INT64_MAX), buf), "[]");
    assert_string_equal((agg(500, A, A, first_t - 1), buf), "[]");
    assert_string_equal((agg(500, A, A, -1), buf), "[]");
    assert_string_equal((agg(500, A, A, INT64_MIN + 1), buf), "[]");
    assert_string_equal((agg(500, A, last_t, first_t), buf), "[]");
    assert_string_equal((agg(0, A, A, A), buf), "[]");
    assert_string_equal((agg(-1, A, A, A), buf), "[]");
    assert_string_equal((agg(INT_MIN, 0, A, A), buf), "[]");
    assert_int_equal(count(agg(INT_MAX, A, A, A)), kept);
    assert_int_equal(count(agg(1000, -5, -5, INT64_MAX)), kept);
    /* as the server calls it: nothing sent, and the largest fromId it reads (after every trade) */
    alarm(BOUND_S);
    assert_true(market_aggtrades_query_json(&mkt, 3, MARKET_ABSENT, MARKET_ABSENT, MARKET_ABSENT, buf, sizeof buf) > 0);
    assert_int_equal(count((int)strlen(buf)), 3);
    assert_true(market_aggtrades_query_json(&mkt, 3, INT64_MAX, MARKET_ABSENT, MARKET_ABSENT, buf, sizeof buf) > 0);
    assert_string_equal(buf, "[]");
    alarm(0);
}

static void test_avgprice_and_ticker(void **st) {
    (void)st;
    static const int64_t nows[] = {NOW, 0, -1, INT64_MIN, INT64_MAX, 59999};
    static const int mins[] = {5, 0, -1, 1, INT_MAX, INT_MIN, 1440, 100000};
    for (size_t i = 0; i < sizeof nows / sizeof *nows; i++) {
        for (size_t k = 0; k < sizeof mins / sizeof *mins; k++) {
            alarm(BOUND_S);
            int n = market_avgprice_json(&mkt, nows[i], mins[k], buf, sizeof buf);
            alarm(0);
            assert_true(n > 0);
            cJSON *j = cJSON_Parse(buf);
            assert_non_null(j);
            double p = atof(cJSON_GetObjectItem(j, "price")->valuestring);
            if (nows[i] == NOW && mins[k] >= 5) assert_true(p > 50000 && p < 70000);
            if (nows[i] != NOW || mins[k] <= 0) assert_true(p == 0);
            cJSON_Delete(j);
        }
        for (int mini = 0; mini < 2; mini++) {
            alarm(BOUND_S);
            int n = market_ticker24_json(&mkt, nows[i], mini, buf, sizeof buf);
            alarm(0);
            assert_true(n > 0);
            cJSON *j = cJSON_Parse(buf);
            assert_non_null(j);
            uint64_t c = (uint64_t)cJSON_GetObjectItem(j, "count")->valuedouble;
            int64_t open = (int64_t)cJSON_GetObjectItem(j, "openTime")->valuedouble;
            int64_t close = (int64_t)cJSON_GetObjectItem(j, "closeTime")->valuedouble;
            assert_int_equal(close - open, 86400000);
            assert_int_equal(c, nows[i] == NOW ? mkt.ntrades : 0);
            cJSON_Delete(j);
        }
    }
}

/* the same questions on the shared recording (skips when it is absent) */
static void test_recording(void **st) {
    (void)st;
    static char *rec[2];
    static symbol_rules_t r;
    static market_t m;
    tu_btcusdt(&r);
    tu_recordings(rec);
    assert_int_equal(market_open(&m, &r, rec, 2, 1.0, 0, T0 * 1000000), 0);
    int64_t now = T0;
    for (; now <= T0 + 3 * MIN; now += 1000) market_poll(&m, now * 1000000, nothing, 0);
    assert_true(m.ntrades > 0);
    static const int iv[] = {1, 60, 1440};
    for (size_t i = 0; i < 3; i++) {
        alarm(BOUND_S);
        assert_true(market_klines_query_json(&m, now, iv[i], now - MIN, A, 500, buf, sizeof buf) > 0);
        if (iv[i] > 1) assert_string_equal(buf, "[]");
        assert_true(market_klines_query_json(&m, now, iv[i], INT64_MAX, INT64_MAX, 1000, buf, sizeof buf) > 0);
        assert_string_equal(buf, "[]");
        assert_true(market_klines_query_json(&m, now, iv[i], A, A, 1000, buf, sizeof buf) > 0);
        assert_true(strlen(buf) > 2);
        assert_true(market_aggtrades_query_json(&m, 1000, A, now + MIN, A, buf, sizeof buf) > 0);
        assert_string_equal(buf, "[]");
        assert_true(market_avgprice_json(&m, now, 5, buf, sizeof buf) > 0);
        assert_true(market_ticker24_json(&m, now, 0, buf, sizeof buf) > 0);
        alarm(0);
    }
    market_close(&m);
}

/* the synthetic market refuses parameters its int64 casts cannot hold, NaN included */
static void test_synth_params(void **st) {
    (void)st;
    char err[256], out[256];
    snprintf(out, sizeof out, "/tmp/test_market_bad_%d.gz", (int)getpid());
    static const struct { int field; double v; } bad[] = {
        {0, 0.0 / 0.0}, {0, 1e300}, {0, -1}, {1, 0.0 / 0.0}, {1, 1e300}, {2, 1.0 / 0.0}, {3, 1e300},
        {4, -1}, {5, 2}, {6, 0.0 / 0.0}, {7, 1e9}, {8, -5},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        synth_params_t p;
        synth_defaults(&p);
        double *f[] = {&p.seconds, &p.start_price, &p.vol_bps, &p.depth_ticks, &p.trades_per_s, &p.density,
                       &p.trade_median, &p.order_sigma, &p.latency_ms};
        *f[bad[i].field] = bad[i].v;
        alarm(BOUND_S);
        assert_int_equal(synth_write(&p, &rules, out, err, sizeof err), Q_E_INVAL);
        alarm(0);
    }
    unlink(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_klines_start_after_newest),
        cmocka_unit_test(test_klines_ranges),
        cmocka_unit_test(test_klines_odd_clocks),
        cmocka_unit_test(test_aggtrades),
        cmocka_unit_test(test_avgprice_and_ticker),
        cmocka_unit_test(test_recording),
        cmocka_unit_test(test_synth_params),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
