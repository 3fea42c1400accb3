/* test_latency.c: the order latency models (venue/sim/latency.h): known answers for the
 * constant, the log-normal (median and p99 over many draws, determinism by seed) and the
 * measured file (interpolation at and between rows, around the loop's seam, the time
 * mapping, clear errors for bad files); the ordering rule; and whole backtests on the shared
 * recording with each model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backtest/backtest.h"
#include "core/err.h"
#include "testutil.h"

#define MS 1000000LL
#define T0 1723161253937085768LL /* a time of the shared recording */

static char *files[2];
static char tmpdir[] = "/tmp/quoter_lat_XXXXXX";

/* writes text into tmpdir/name; returns the path (static buffer: use before the next call) */
static const char *write_file(const char *name, const char *text) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    return path;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* ---- constant ----------------------------------------------------------------------- */

static void test_constant(void **st) {
    (void)st;
    latency_t l;
    latency_constant(&l, 5 * MS, 7 * MS);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(latency_entry(&l, T0 + i * MS), 5 * MS);
        assert_int_equal(latency_response(&l, T0 + i * 3 * MS), 7 * MS);
    }
    /* a time that goes back must not let a request overtake the one before it */
    assert_int_equal(latency_entry(&l, T0 + 4 * MS), 5 * MS + 5 * MS); /* the last arrived at T0 + 14 ms */
    latency_free(&l);
}

/* ---- lognormal ----------------------------------------------------------------------- */

#define NDRAWS 200000

static void test_lognormal_median_p99(void **st) {
    (void)st;
    latency_t l;
    char err[256];
    assert_int_equal(latency_lognormal(&l, 10.0 * MS, 40.0 * MS, 0.5, 42, err, sizeof err), 0);
    int64_t *d = malloc(NDRAWS * sizeof *d);
    assert_non_null(d);
    uint64_t rng = 7;
    for (int i = 0; i < NDRAWS; i++) d[i] = latency_draw_rtt(&l, &rng);
    qsort(d, NDRAWS, sizeof *d, cmp_i64);
    double med = (double)d[NDRAWS / 2] / MS, p99 = (double)d[NDRAWS * 99 / 100] / MS;
    /* 200k draws: the sample median's and p99's standard errors are about 0.3 % and 1 % */
    if (fabs(med - 10) > 0.2) fail_msg("median %.4f ms, want 10", med);
    if (fabs(p99 - 40) > 1.6) fail_msg("p99 %.4f ms, want 40", p99);
    assert_true(d[0] > 0);
    /* the legs: entry = share * a round trip; well apart in time, so the ordering rule is idle */
    assert_int_equal(latency_lognormal(&l, 10.0 * MS, 40.0 * MS, 0.25, 42, err, sizeof err), 0);
    for (int i = 0; i < NDRAWS; i++) d[i] = latency_entry(&l, T0 + (int64_t)i * 1000 * MS);
    qsort(d, NDRAWS, sizeof *d, cmp_i64);
    med = (double)d[NDRAWS / 2] / MS;
    p99 = (double)d[NDRAWS * 99 / 100] / MS;
    if (fabs(med - 2.5) > 0.05 || fabs(p99 - 10) > 0.4) fail_msg("entry median %.4f p99 %.4f, want 2.5 and 10", med, p99);
    for (int i = 0; i < NDRAWS; i++) d[i] = latency_response(&l, T0 + (int64_t)i * 1000 * MS);
    qsort(d, NDRAWS, sizeof *d, cmp_i64);
    med = (double)d[NDRAWS / 2] / MS;
    p99 = (double)d[NDRAWS * 99 / 100] / MS;
    if (fabs(med - 7.5) > 0.15 || fabs(p99 - 30) > 1.2)
        fail_msg("response median %.4f p99 %.4f, want 7.5 and 30", med, p99);
    free(d);
    /* median = p99: no spread, every leg exactly its share */
    assert_int_equal(latency_lognormal(&l, 10.0 * MS, 10.0 * MS, 0.3, 1, err, sizeof err), 0);
    assert_int_equal(latency_entry(&l, T0), 3 * MS);
    assert_int_equal(latency_response(&l, T0), 7 * MS);
    latency_free(&l);
}

static void test_lognormal_seed(void **st) {
    (void)st;
    latency_t a, b, c;
    char err[256];
    assert_int_equal(latency_lognormal(&a, 10.0 * MS, 40.0 * MS, 0.5, 5, err, sizeof err), 0);
    assert_int_equal(latency_lognormal(&b, 10.0 * MS, 40.0 * MS, 0.5, 5, err, sizeof err), 0);
    assert_int_equal(latency_lognormal(&c, 10.0 * MS, 40.0 * MS, 0.5, 6, err, sizeof err), 0);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        int64_t t = T0 + (int64_t)i * 1000 * MS;
        /* b draws answers in between: the entries' stream is its own, so they still agree */
        for (int k = 0; k < i % 3; k++) latency_response(&b, t);
        int64_t ea = latency_entry(&a, t), eb = latency_entry(&b, t), ec = latency_entry(&c, t);
        assert_int_equal(ea, eb);
        differ += ea != ec;
    }
    assert_true(differ > 900);
    /* the entry leg is the share of the entry stream's draws, a stream that starts at the seed */
    latency_t d;
    assert_int_equal(latency_lognormal(&d, 10.0 * MS, 40.0 * MS, 0.5, 5, err, sizeof err), 0);
    latency_t e = d;
    int64_t e1 = latency_entry(&e, T0), e2 = latency_entry(&e, T0 + 1000 * MS);
    uint64_t s = 5;
    assert_int_equal(e1, llround(0.5 * (double)latency_draw_rtt(&d, &s)));
    assert_int_equal(e2, llround(0.5 * (double)latency_draw_rtt(&d, &s)));
}

static void test_lognormal_bad(void **st) {
    (void)st;
    latency_t l;
    char err[256];
    assert_int_equal(latency_lognormal(&l, 20.0 * MS, 10.0 * MS, 0.5, 1, err, sizeof err), Q_E_INVAL);
    assert_non_null(strstr(err, "at most the p99"));
    assert_int_equal(latency_lognormal(&l, 0, 10.0 * MS, 0.5, 1, err, sizeof err), Q_E_INVAL);
    assert_int_equal(latency_lognormal(&l, 1.0 * MS, 10.0 * MS, 1.5, 1, err, sizeof err), Q_E_INVAL);
    assert_non_null(strstr(err, "entry share"));
}

/* the ordering rule with a wide spread: arrivals never go back, and it did have work */
static void test_in_order(void **st) {
    (void)st;
    latency_t l, raw;
    char err[256];
    assert_int_equal(latency_lognormal(&l, 10.0 * MS, 200.0 * MS, 0.5, 3, err, sizeof err), 0);
    raw = l;
    int64_t last = 0, raised = 0;
    for (int i = 0; i < 10000; i++) {
        int64_t t = T0 + (int64_t)i * MS; /* a request a millisecond */
        int64_t lat = latency_entry(&l, t);
        int64_t drawn = llround(0.5 * (double)latency_draw_rtt(&raw, &raw.rng_entry));
        assert_true(lat >= drawn);
        raised += lat > drawn;
        assert_true(t + lat >= last);
        last = t + lat;
    }
    assert_true(raised > 100);
}

/* ---- file ---------------------------------------------------------------------------- */

/* three round trips: sent at 0, 100 and 300 ms of the file's clock, 10, 30 and 20 ms long */
static const char *three_rows = "kind,sent_ns,answered_ns,rtt_ns\n"
                                "place,1000000000,1010000000,10000000\n"
                                "cancel,1100000000,1130000000,30000000\n"
                                "query,1300000000,1320000000,20000000\n";
#define F0 1000000000LL

static void test_file_interpolation(void **st) {
    (void)st;
    latency_t l;
    char err[256];
    assert_int_equal(latency_load(&l, write_file("three.csv", three_rows), 0.5, err, sizeof err), 0);
    assert_int_equal(l.n, 3);
    /* the loop: 300 ms of rows and one mean spacing (150 ms) */
    assert_int_equal(l.period, 450 * MS);
    /* entry: half of each round trip, by sent time; at the rows and between them */
    assert_int_equal(latency_file_entry_at(&l, F0), 5 * MS);
    assert_int_equal(latency_file_entry_at(&l, F0 + 50 * MS), 10 * MS);
    assert_int_equal(latency_file_entry_at(&l, F0 + 100 * MS), 15 * MS);
    assert_int_equal(latency_file_entry_at(&l, F0 + 200 * MS), 12500000);
    assert_int_equal(latency_file_entry_at(&l, F0 + 300 * MS), 10 * MS);
    /* across the seam, from the last row (300 ms, 10) to the first again (450 ms, 5) */
    assert_int_equal(latency_file_entry_at(&l, F0 + 375 * MS), 7500000);
    assert_int_equal(latency_file_entry_at(&l, F0 + 450 * MS), 5 * MS);
    assert_int_equal(latency_file_entry_at(&l, F0 + 550 * MS), 15 * MS);
    assert_int_equal(latency_file_entry_at(&l, F0 - 75 * MS), 7500000);
    /* response: the other half, by the time each request reached the exchange (5, 115, 310 ms) */
    assert_int_equal(latency_file_response_at(&l, F0 + 5 * MS), 5 * MS);
    assert_int_equal(latency_file_response_at(&l, F0 + 60 * MS), 10 * MS);
    assert_int_equal(latency_file_response_at(&l, F0 + 115 * MS), 15 * MS);
    assert_int_equal(latency_file_response_at(&l, F0 + 310 * MS), 10 * MS);
    assert_int_equal(latency_file_response_at(&l, F0 + 382500000), 7500000); /* seam: 310 -> 455 */
    /* the seam's far side: from (310 - 450, 10) to (5, 5) ms, 142/145 of the way */
    assert_int_equal(latency_file_response_at(&l, F0 + 2 * MS), 10 * MS - llround(5.0 * MS * 142 / 145));
    /* the backtest's clock: its first question is the file's first row, and on from there */
    assert_int_equal(latency_entry(&l, T0), 5 * MS);
    assert_int_equal(latency_entry(&l, T0 + 50 * MS), 10 * MS);
    assert_int_equal(latency_response(&l, T0 + 115 * MS), 15 * MS);
    assert_int_equal(latency_entry(&l, T0 + 450 * MS + 100 * MS), 15 * MS); /* the second loop */
    latency_free(&l);
    /* another share splits the same round trips otherwise */
    assert_int_equal(latency_load(&l, write_file("three.csv", three_rows), 0.2, err, sizeof err), 0);
    assert_int_equal(latency_file_entry_at(&l, F0 + 100 * MS), 6 * MS);
    assert_int_equal(latency_file_response_at(&l, F0 + 106 * MS), 24 * MS);
    latency_free(&l);
}

static void test_file_shapes(void **st) {
    (void)st;
    latency_t l;
    char err[256];
    /* one row: a constant; CRLF line ends and a trailing blank line are fine */
    assert_int_equal(latency_load(&l, write_file("one.csv", "kind,sent_ns,answered_ns,rtt_ns\r\nplace,5,12000005,12000000\r\n\r\n"),
                                  0.5, err, sizeof err),
                     0);
    assert_int_equal(l.n, 1);
    assert_int_equal(latency_entry(&l, T0), 6 * MS);
    assert_int_equal(latency_entry(&l, T0 + 86400000 * MS), 6 * MS);
    assert_int_equal(latency_response(&l, T0 + 86400000 * MS), 6 * MS);
    latency_free(&l);
    /* a stall of 70 s counts as 60 s: the sim's times stay in range */
    assert_int_equal(latency_load(&l, write_file("stall.csv", "kind,sent_ns,answered_ns,rtt_ns\nquery,0,70000000000,70000000000\n"),
                                  0.5, err, sizeof err),
                     0);
    assert_int_equal(latency_entry(&l, T0), 30000 * MS);
    latency_free(&l);
    /* answers may reach the exchange out of the order of sending: the response points are
       sorted (a 100 ms trip sent at 0 reaches it at 50, after a 2 ms one sent at 10) */
    assert_int_equal(latency_load(&l, write_file("cross.csv", "kind,sent_ns,answered_ns,rtt_ns\n"
                                                              "place,0,100000000,100000000\n"
                                                              "cancel,10000000,12000000,2000000\n"
                                                              "place,200000000,210000000,10000000\n"),
                                  0.5, err, sizeof err),
                     0);
    assert_int_equal(latency_file_response_at(&l, 11 * MS), 1 * MS);
    assert_int_equal(latency_file_response_at(&l, 50 * MS), 50 * MS);
    assert_int_equal(latency_file_response_at(&l, 30500000), 25500000); /* halfway: (1 + 50) / 2 */
    latency_free(&l);
}

static void expect_bad(const char *text, const char *where, const char *what) {
    latency_t l;
    char err[512];
    const char *p = write_file("bad.csv", text);
    int rc = latency_load(&l, p, 0.5, err, sizeof err);
    if (rc == 0) fail_msg("accepted: %s", text);
    if (!strstr(err, where) || !strstr(err, what)) fail_msg("error \"%s\": want \"%s\" and \"%s\"", err, where, what);
    assert_null(l.entry_pts);
}

#define HDR "kind,sent_ns,answered_ns,rtt_ns\n"
static void test_file_errors(void **st) {
    (void)st;
    expect_bad("kind,sent,answered,rtt\nplace,1,2,1\n", "bad.csv:1:", "header");
    expect_bad("", "bad.csv: empty", "not a latency file");
    expect_bad(HDR, "bad.csv: no rows", "");
    expect_bad(HDR "place,1,2,1\nplace,2,3\n", "bad.csv:3:", "3 fields, want 4");
    expect_bad(HDR "place,1,2,1,9\n", "bad.csv:2:", "5 fields");
    expect_bad(HDR "place,1,2,1\nPlace,2,3,1\n", "bad.csv:3:", "not a word");
    expect_bad(HDR ",1,2,1\n", "bad.csv:2:", "kind is empty");
    expect_bad(HDR "place,1x,2,1\n", "bad.csv:2:", "sent_ns \"1x\" is not an integer");
    expect_bad(HDR "place,1,,1\n", "bad.csv:2:", "answered_ns \"\" is not an integer");
    expect_bad(HDR "place,1,2,1.5\n", "bad.csv:2:", "rtt_ns \"1.5\" is not an integer");
    expect_bad(HDR "place,1,2,99999999999999999999\n", "bad.csv:2:", "not an integer");
    /* read whole, digits only: what strtoll lets by (a sign, leading space) is refused too */
    expect_bad(HDR "place,+1,2,1\n", "bad.csv:2:", "sent_ns \"+1\" is not an integer");
    { /* a NUL byte hides the rest of its line from a C string: refused, never read short */
        static const char nul[] = HDR "place,1000000000,1010000000,10000000\0junk\n";
        const char *p = write_file("nul.csv", "");
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        assert_int_equal(fwrite(nul, 1, sizeof nul - 1, f), sizeof nul - 1);
        assert_int_equal(fclose(f), 0);
        latency_t l;
        char err[512];
        assert_true(latency_load(&l, p, 0.5, err, sizeof err) != 0);
        assert_non_null(strstr(err, "nul.csv:2: a NUL byte"));
    }
    expect_bad(HDR "place,1, 2,1\n", "bad.csv:2:", "answered_ns \" 2\" is not an integer");
    expect_bad(HDR "place,10,5,-5\n", "bad.csv:2:", "negative");
    expect_bad(HDR "place,1,9,7\n", "bad.csv:2:", "is not answered_ns - sent_ns (8)");
    expect_bad(HDR "place,-1,9,10\n", "bad.csv:2:", "negative");
    expect_bad(HDR "place,9000000000000000000,9000000000000000001,1\n", "bad.csv:2:", "out of range");
    expect_bad(HDR "place,100,110,10\nplace,200,210,10\ncancel,150,160,10\n", "bad.csv:4:", "in order of sent_ns");
    expect_bad(HDR "place,100,110,10\ncancel,100,120,20\n", "bad.csv", "same time");
    latency_t l;
    char err[512];
    assert_int_equal(latency_load(&l, "/nonexistent/lat.csv", 0.5, err, sizeof err), Q_E_IO);
    assert_non_null(strstr(err, "/nonexistent/lat.csv: cannot read"));
}

/* ---- whole backtests ------------------------------------------------------------------ */

typedef struct run {
    char *json, *fills, *orders;
} run_t;

static char *slurp(const char *path) {
    size_t n;
    char *b = tu_read(path, &n);
    assert_non_null(b);
    return b;
}

/* btcusdt.ini with NULL-terminated overrides; rc: backtest_run's (then err holds its message) */
static int backtest(const char *const *sets, run_t *r, char *err, size_t errcap) {
    static config_t c;
    static config_exact_t x;
    static int nrun;
    char path[1024], e[512];
    config_defaults(&c);
    snprintf(path, sizeof path, "%s/examples/btcusdt.ini", QUOTER_SRC);
    assert_int_equal(config_load(&c, path, e, sizeof e), 0);
    for (int i = 0; sets && sets[i]; i++)
        if (config_set(&c, sets[i], e, sizeof e)) fail_msg("%s: %s", sets[i], e);
    if (config_resolve(&c, &x, e, sizeof e)) fail_msg("%s", e);
    char out[512];
    snprintf(out, sizeof out, "%s/run%d", tmpdir, ++nrun);
    backtest_t *bt = calloc(1, sizeof *bt);
    assert_non_null(bt);
    int rc = backtest_run(bt, &c, &x, files, 2, out);
    if (rc) {
        snprintf(err, errcap, "%s", bt->err);
    } else {
        size_t n;
        FILE *f = open_memstream(&r->json, &n);
        report_print_json(&bt->rep, f);
        fclose(f);
        snprintf(path, sizeof path, "%s/fills.csv", out);
        r->fills = slurp(path);
        snprintf(path, sizeof path, "%s/orders.csv", out);
        r->orders = slurp(path);
    }
    backtest_free(bt);
    free(bt);
    return rc;
}

static void run_ok(const char *const *sets, run_t *r) {
    char err[512];
    if (backtest(sets, r, err, sizeof err)) fail_msg("backtest: %s", err);
}

static void run_free(run_t *r) {
    free(r->json);
    free(r->fills);
    free(r->orders);
}

static void same_run(const run_t *a, const run_t *b) {
    assert_string_equal(a->json, b->json);
    assert_string_equal(a->fills, b->fills);
    assert_string_equal(a->orders, b->orders);
}

/* a latency file of a jittery connection: a round trip a second for ten minutes, mostly
   3-8 ms with a 60-150 ms stall every seventh second */
static const char *jitter_file(void) {
    static char path[512];
    snprintf(path, sizeof path, "%s/jitter.csv", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "kind,sent_ns,answered_ns,rtt_ns\n");
    int64_t t = 1700000000000000000LL;
    for (int i = 0; i < 600; i++, t += 1000 * MS) {
        int64_t rtt = i % 7 == 3 ? (60 + (i * 37) % 90) * MS : (3 + (i * 13) % 6) * MS + (i * 7919) % 1000000;
        fprintf(f, "%s,%lld,%lld,%lld\n", i % 2 ? "cancel" : "place", (long long)t, (long long)(t + rtt),
                (long long)rtt);
    }
    assert_int_equal(fclose(f), 0);
    return path;
}

static void test_backtest_file(void **st) {
    (void)st;
    tu_recordings(files); /* skips without the shared recording */
    char set_file[600];
    snprintf(set_file, sizeof set_file, "sim.latency_file=%s", jitter_file());
    const char *file[] = {"sim.latency_model=file", set_file, 0};
    run_t a, b, k;
    run_ok(file, &a);
    run_ok(file, &b);
    run_ok(NULL, &k);
    same_run(&a, &b);
    assert_true(strcmp(a.fills, k.fills) != 0);
    /* one measured 10 ms round trip, split in halves, is the 5 ms + 5 ms constant exactly */
    snprintf(set_file, sizeof set_file, "sim.latency_file=%s",
             write_file("ten.csv", "kind,sent_ns,answered_ns,rtt_ns\nplace,100,10000100,10000000\n"));
    run_t one;
    run_ok(file, &one);
    same_run(&one, &k);
    run_free(&a);
    run_free(&b);
    run_free(&k);
    run_free(&one);
}

static void test_backtest_lognormal(void **st) {
    (void)st;
    tu_recordings(files); /* skips without the shared recording */
    const char *s1[] = {"sim.latency_model=lognormal", "sim.latency_median_ms=10", "sim.latency_p99_ms=60", 0};
    const char *s2[] = {"sim.latency_model=lognormal", "sim.latency_median_ms=10", "sim.latency_p99_ms=60",
                        "sim.latency_seed=2", 0};
    const char *flat[] = {"sim.latency_model=lognormal", "sim.latency_median_ms=2", "sim.latency_p99_ms=2", 0};
    const char *one[] = {"sim.entry_latency_ms=1", "sim.response_latency_ms=1", 0};
    run_t a, b, c, f, k;
    run_ok(s1, &a);
    run_ok(s1, &b);
    run_ok(s2, &c);
    same_run(&a, &b);
    assert_true(strcmp(a.fills, c.fills) != 0);
    /* no spread: each leg is half the median, as the 1 ms + 1 ms constant */
    run_ok(flat, &f);
    run_ok(one, &k);
    same_run(&f, &k);
    run_free(&a);
    run_free(&b);
    run_free(&c);
    run_free(&f);
    run_free(&k);
}

static void test_backtest_config_errors(void **st) {
    (void)st;
    tu_recordings(files); /* skips without the shared recording */
    char err[512], set_file[600];
    run_t r;
    const char *nofile[] = {"sim.latency_model=file", 0};
    assert_int_not_equal(backtest(nofile, &r, err, sizeof err), 0);
    assert_non_null(strstr(err, "wants sim.latency_file"));
    snprintf(set_file, sizeof set_file, "sim.latency_file=%s", write_file("x.csv", HDR "place,1,2,1\n"));
    const char *unused[] = {set_file, 0};
    assert_int_not_equal(backtest(unused, &r, err, sizeof err), 0);
    assert_non_null(strstr(err, "sim.latency_model is constant"));
    snprintf(set_file, sizeof set_file, "sim.latency_file=%s", write_file("y.csv", HDR "place,1,2,1\nplace,0,1,1\n"));
    const char *bad[] = {"sim.latency_model=file", set_file, 0};
    assert_int_not_equal(backtest(bad, &r, err, sizeof err), 0);
    assert_non_null(strstr(err, "y.csv:3:"));
    const char *inverted[] = {"sim.latency_model=lognormal", "sim.latency_median_ms=50", "sim.latency_p99_ms=20", 0};
    assert_int_not_equal(backtest(inverted, &r, err, sizeof err), 0);
    assert_non_null(strstr(err, "at most the p99"));
}

int main(void) {
    assert_non_null(mkdtemp(tmpdir));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant),         cmocka_unit_test(test_lognormal_median_p99),
        cmocka_unit_test(test_lognormal_seed),   cmocka_unit_test(test_lognormal_bad),
        cmocka_unit_test(test_in_order),         cmocka_unit_test(test_file_interpolation),
        cmocka_unit_test(test_file_shapes),      cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_backtest_file),    cmocka_unit_test(test_backtest_lognormal),
        cmocka_unit_test(test_backtest_config_errors),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd)) rc = rc ? rc : 1;
    return rc;
}
