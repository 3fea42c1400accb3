/* test_metrics.c: the histograms' counting and the Prometheus page's known text: buckets by
 * `value <= le` (a value on a bound counts in it), cumulative counts ending at +Inf == _count,
 * bounds and sums as exact decimal seconds, every sample under a # TYPE'd family; the page of
 * a known snapshot line for line; --metrics ADDR:PORT read whole and refused clearly; a port
 * already taken found as taken. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "core/hist.h"
#include "live/metrics.h"
#include "testutil.h"

static void hist_counts_by_le(void **state) {
    (void)state;
    hist_t h;
    const int64_t le[] = {10, 20, 50};
    assert_int_equal(hist_init(&h, le, 3), 0);
    const int64_t v[] = {0, 10, 11, 20, 49, 50, 51, 1000, -5};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) hist_observe(&h, v[i]);
    /* <=10: 0, 10, -5 (as 0); <=20: 11, 20; <=50: 49, 50; above: 51, 1000 */
    assert_int_equal(h.bucket[0], 3);
    assert_int_equal(h.bucket[1], 2);
    assert_int_equal(h.bucket[2], 2);
    assert_int_equal(h.bucket[3], 2);
    assert_int_equal(hist_cumulative(&h, 0), 3);
    assert_int_equal(hist_cumulative(&h, 1), 5);
    assert_int_equal(hist_cumulative(&h, 2), 7);
    assert_int_equal(hist_cumulative(&h, 3), 9);
    assert_int_equal(h.count, 9);
    assert_int_equal(h.sum, 0 + 10 + 11 + 20 + 49 + 50 + 51 + 1000 + 0);
}

static void hist_refuses_bad_bounds(void **state) {
    (void)state;
    hist_t h;
    const int64_t flat[] = {10, 10}, down[] = {20, 10};
    int64_t many[HIST_MAX + 1];
    for (int i = 0; i <= HIST_MAX; i++) many[i] = i + 1;
    assert_int_equal(hist_init(&h, flat, 2), Q_E_INVAL);
    assert_int_equal(hist_init(&h, down, 2), Q_E_INVAL);
    assert_int_equal(hist_init(&h, many, HIST_MAX + 1), Q_E_INVAL);
    assert_int_equal(hist_init(&h, many, HIST_MAX), 0);
    assert_int_equal(hist_init(&h, 0, 0), 0); /* count and sum only */
    hist_observe(&h, 7);
    assert_int_equal(h.bucket[0], 1);
    assert_int_equal(hist_cumulative(&h, 0), 1);
    /* the bounds quoter uses are valid */
    assert_int_equal(hist_init(&h, hist_tick_to_order_le, 13), 0);
    assert_int_equal(hist_init(&h, hist_round_trip_le, 13), 0);
}

/* ---- an independent reader of the exposition format: what a scraper would refuse ------------ */

typedef struct family { char name[128], type[16]; } family_t;

/* the family a sample belongs to: its name, or for a histogram its name less _bucket/_sum/_count */
static const family_t *family_of(const family_t *f, int nf, const char *sample) {
    for (int i = 0; i < nf; i++) {
        size_t k = strlen(f[i].name);
        if (strncmp(sample, f[i].name, k)) continue;
        const char *rest = sample + k;
        if (!*rest) return &f[i];
        if (!strcmp(f[i].type, "histogram") && (!strcmp(rest, "_bucket") || !strcmp(rest, "_sum") || !strcmp(rest, "_count")))
            return &f[i];
    }
    return 0;
}

/* checks the page; returns the number of samples, fails the test on the first fault */
static int check_exposition(const char *page) {
    family_t fam[64];
    int nf = 0, samples = 0;
    char *copy = strdup(page), *save = 0;
    assert_non_null(copy);
    assert_true(page[0] && page[strlen(page) - 1] == '\n');
    long long last_cum = -1, inf = -1;
    char hist[128] = "";
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(0, "\n", &save)) {
        if (!strncmp(line, "# HELP ", 7)) continue;
        if (!strncmp(line, "# TYPE ", 7)) {
            assert_true(nf < 64);
            assert_int_equal(sscanf(line + 7, "%127s %15s", fam[nf].name, fam[nf].type), 2);
            assert_true(!strcmp(fam[nf].type, "counter") || !strcmp(fam[nf].type, "gauge") ||
                        !strcmp(fam[nf].type, "histogram"));
            for (int i = 0; i < nf; i++) assert_string_not_equal(fam[i].name, fam[nf].name); /* once each */
            nf++;
            continue;
        }
        assert_true(line[0] != '#');
        char name[160];
        size_t k = strcspn(line, "{ ");
        assert_true(k > 0 && k < sizeof name);
        memcpy(name, line, k);
        name[k] = 0;
        const family_t *f = family_of(fam, nf, name);
        if (!f) fail_msg("a sample without a # TYPE'd family: %s", line);
        const char *val = strrchr(line, ' ') + 1;
        char *end;
        double v = strtod(val, &end);
        assert_true(end != val && !*end);
        if (!strcmp(f->type, "counter")) assert_true(v >= 0);
        k = strlen(name);
        if (k > 7 && !strcmp(name + k - 7, "_bucket")) {
            if (strcmp(hist, f->name)) { /* a new histogram's first bucket */
                snprintf(hist, sizeof hist, "%s", f->name);
                last_cum = -1;
            }
            assert_true(v >= (double)last_cum); /* cumulative */
            last_cum = (long long)v;
            if (strstr(line, "{le=\"+Inf\"}")) inf = last_cum;
        } else if (k > 6 && !strcmp(name + k - 6, "_count") && !strcmp(f->type, "histogram")) {
            assert_int_equal((long long)v, inf); /* the +Inf bucket counts every observation */
        }
        samples++;
    }
    free(copy);
    return samples;
}

static metrics_snapshot_t known(hist_t *t2o, hist_t *rtt) {
    metrics_snapshot_t s;
    memset(&s, 0, sizeof s);
    s.events[0] = 12; /* ack */
    s.events[2] = 3;  /* fill */
    s.events[6] = 1;  /* unknown */
    s.order_requests = 20;
    s.api_requests = 31;
    s.fills = 3;
    s.maker_fills = 2;
    s.volume_base[0] = 0.02;
    s.volume_base[1] = 0.01;
    s.volume_quote[0] = 1236.5;
    s.volume_quote[1] = 618.3;
    s.pnl_realized = -0.1;
    s.pnl_total = 1.25;
    s.inventory = 0.01;
    s.mid = 61800.005;
    s.open_orders = 2;
    s.reconnects = 1;
    s.unvalued_fees = 3;
    s.clock_offset_s = -0.012;
    s.orders_used = 7;
    s.orders_limit = 90;
    s.healthy = 1;
    hist_init(t2o, hist_tick_to_order_le, 13);
    hist_observe(t2o, 40000);   /* 40 us */
    hist_observe(t2o, 50000);   /* on the 50 us bound */
    hist_observe(t2o, 3000000); /* 3 ms */
    hist_init(rtt, hist_round_trip_le, 13);
    hist_observe(rtt, 7000000000LL); /* 7 s: only +Inf */
    s.tick_to_order = t2o;
    s.round_trip = rtt;
    return s;
}

static void render_known_snapshot(void **state) {
    (void)state;
    hist_t t2o, rtt;
    metrics_snapshot_t s = known(&t2o, &rtt);
    char *page = 0;
    size_t len = 0;
    assert_int_equal(metrics_render(&s, &page, &len), 0);
    assert_int_equal(strlen(page), len);
    /* 13 event types, 2+2 volumes, 22 single samples, 2 histograms of 13 bounds + 3 */
    assert_int_equal(check_exposition(page), 13 + 4 + 22 + 2 * (13 + 3));
    const char *want[] = {
        "# TYPE quoter_order_events_total counter\n",
        "\nquoter_order_events_total{event=\"ack\"} 12\n",
        "\nquoter_order_events_total{event=\"fill\"} 3\n",
        "\nquoter_order_events_total{event=\"unknown\"} 1\n",
        "\nquoter_order_events_total{event=\"transfer\"} 0\n",
        "\nquoter_volume_base_total{side=\"buy\"} 0.02\nquoter_volume_base_total{side=\"sell\"} 0.01\n",
        "\nquoter_volume_quote_total{side=\"buy\"} 1236.5\nquoter_volume_quote_total{side=\"sell\"} 618.3\n",
        "\n# TYPE quoter_order_requests_total counter\nquoter_order_requests_total 20\n",
        "\nquoter_fills_total 3\n",
        "\nquoter_pnl_realized -0.1\n",
        "\n# TYPE quoter_pnl_total gauge\nquoter_pnl_total 1.25\n",
        "\nquoter_inventory 0.01\n",
        "\nquoter_mid_price 61800.005\n",
        "\nquoter_open_orders 2\n",
        "\nquoter_reconnects_total 1\n",
        "\n# TYPE quoter_unvalued_fees_total counter\nquoter_unvalued_fees_total 3\n",
        "\nquoter_clock_offset_seconds -0.012\n",
        "\n# TYPE quoter_healthy gauge\nquoter_healthy 1\n",
        /* the histograms, whole: cumulative buckets, exact decimal bounds and sums */
        "# TYPE quoter_tick_to_order_seconds histogram\n"
        "quoter_tick_to_order_seconds_bucket{le=\"0.00001\"} 0\n"
        "quoter_tick_to_order_seconds_bucket{le=\"0.000025\"} 0\n"
        "quoter_tick_to_order_seconds_bucket{le=\"0.00005\"} 2\n"
        "quoter_tick_to_order_seconds_bucket{le=\"0.0001\"} 2\n"
        "quoter_tick_to_order_seconds_bucket{le=\"0.00025\"} 2\n"
        "quoter_tick_to_order_seconds_bucket{le=\"0.0005\"} 2\n"
        "quoter_tick_to_order_seconds_bucket{le=\"0.001\"} 2\n"
        "quoter_tick_to_order_seconds_bucket{le=\"0.0025\"} 2\n"
        "quoter_tick_to_order_seconds_bucket{le=\"0.005\"} 3\n"
        "quoter_tick_to_order_seconds_bucket{le=\"0.01\"} 3\n"
        "quoter_tick_to_order_seconds_bucket{le=\"0.025\"} 3\n"
        "quoter_tick_to_order_seconds_bucket{le=\"0.05\"} 3\n"
        "quoter_tick_to_order_seconds_bucket{le=\"0.1\"} 3\n"
        "quoter_tick_to_order_seconds_bucket{le=\"+Inf\"} 3\n"
        "quoter_tick_to_order_seconds_sum 0.00309\n"
        "quoter_tick_to_order_seconds_count 3\n",
        "quoter_order_round_trip_seconds_bucket{le=\"5\"} 0\n"
        "quoter_order_round_trip_seconds_bucket{le=\"+Inf\"} 1\n"
        "quoter_order_round_trip_seconds_sum 7\n"
        "quoter_order_round_trip_seconds_count 1\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(page, want[i])) fail_msg("missing from the page:\n%s\n--- page:\n%s", want[i], page);
    /* the rate-limit pair: two families, each with its HELP and TYPE */
    assert_non_null(strstr(page, "\n# TYPE quoter_rate_limit_orders_used gauge\nquoter_rate_limit_orders_used 7\n"));
    assert_non_null(strstr(page, "\n# TYPE quoter_rate_limit_orders_limit gauge\nquoter_rate_limit_orders_limit 90\n"));
    /* the round-trip histogram ends the page */
    const char *last = want[sizeof want / sizeof want[0] - 1];
    assert_string_equal(page + len - strlen(last), last);
    free(page);
}

static void render_without_histograms(void **state) {
    (void)state;
    metrics_snapshot_t s;
    memset(&s, 0, sizeof s);
    s.pnl_total = 1.0 / 0.0; /* not finite: written as Prometheus spells it */
    char *page = 0;
    size_t len = 0;
    assert_int_equal(metrics_render(&s, &page, &len), 0);
    check_exposition(page);
    assert_non_null(strstr(page, "\nquoter_pnl_total +Inf\n"));
    assert_non_null(strstr(page, "\nquoter_tick_to_order_seconds_bucket{le=\"+Inf\"} 0\nquoter_tick_to_order_seconds_sum 0\n"
                                 "quoter_tick_to_order_seconds_count 0\n"));
    free(page);
}

static void parse_addr(void **state) {
    (void)state;
    char a[64], err[256];
    int port = 0;
    assert_int_equal(metrics_parse_addr("127.0.0.1:9464", a, sizeof a, &port, err, sizeof err), 0);
    assert_string_equal(a, "127.0.0.1");
    assert_int_equal(port, 9464);
    assert_int_equal(metrics_parse_addr("localhost:1", a, sizeof a, &port, err, sizeof err), 0);
    assert_string_equal(a, "127.0.0.1");
    assert_int_equal(metrics_parse_addr("0.0.0.0:65535", a, sizeof a, &port, err, sizeof err), 0);
    assert_int_equal(port, 65535);
    const char *bad[] = {"9464", ":9464", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:94x",
                         "127.0.0.1:-1", "300.0.0.1:9464", "example.com:9464", "127.0.0.1: 9464", "127.0.0.1:+80", "127.0.0.1:99999999999999999999", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        if (metrics_parse_addr(bad[i], a, sizeof a, &port, err, sizeof err) != Q_E_INVAL) fail_msg("taken: '%s'", bad[i]);
        assert_non_null(strstr(err, "--metrics"));
    }
}

/* the start-up warning's test: only 127.0.0.0/8 is loopback (0.0.0.0 is every address) */
static void loopback_addresses(void **state) {
    (void)state;
    assert_true(metrics_loopback("127.0.0.1"));
    assert_true(metrics_loopback("127.255.3.4"));
    assert_false(metrics_loopback("0.0.0.0"));
    assert_false(metrics_loopback("10.0.0.1"));
    assert_false(metrics_loopback("128.0.0.1"));
    assert_false(metrics_loopback("1.127.0.1"));
    assert_false(metrics_loopback("localhost")); /* metrics_parse_addr gives 127.0.0.1 for it */
}

static void probe_finds_a_taken_port(void **state) {
    (void)state;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0); /* a free port, the kernel's pick */
    assert_int_equal(listen(fd, 1), 0);
    socklen_t sl = sizeof sa;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    int port = ntohs(sa.sin_port);
    char err[256] = "";
    assert_int_equal(metrics_probe("127.0.0.1", port, err, sizeof err), Q_E_IO);
    assert_non_null(strstr(err, "the port is taken"));
    close(fd);
    /* let go: the same port is free again */
    assert_int_equal(metrics_probe("127.0.0.1", port, err, sizeof err), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hist_counts_by_le),        cmocka_unit_test(hist_refuses_bad_bounds),
        cmocka_unit_test(render_known_snapshot),    cmocka_unit_test(render_without_histograms),
        cmocka_unit_test(parse_addr),               cmocka_unit_test(probe_finds_a_taken_port),
        cmocka_unit_test(loopback_addresses),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
