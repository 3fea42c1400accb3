/* test_backtest.c: whole backtests on the shared BTCUSDT recording: accounting identities,
 * determinism, no look-ahead, and the two clocks (every fill inside its order's life at the
 * venue, a trade fill at the print's own time and within its quantity). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backtest/backtest.h"
#include "testutil.h"

static char *files[2];
static char tmpdir[] = "/tmp/quoter_bt_XXXXXX";

static void load(config_t *c, config_exact_t *x, const char *example) {
    char path[1024], err[512];
    config_defaults(c);
    snprintf(path, sizeof path, "%s/examples/%s", QUOTER_SRC, example);
    assert_int_equal(config_load(c, path, err, sizeof err), 0);
    /* these tests were written on the ladder that decides on every event (its figures: a
       fill after the cancel was sent, the minute guard's count); the example now paces its
       orders for Binance's daily limit (issue 11), so they keep that ladder */
    static const char *const busy[] = {"strategy.spread=1.5", "strategy.requote_interval=0", "strategy.refresh_tolerance=500"};
    for (size_t i = 0; !strcmp(example, "btcusdt.ini") && i < sizeof busy / sizeof *busy; i++)
        assert_int_equal(config_set(c, busy[i], err, sizeof err), 0);
    if (config_resolve(c, x, err, sizeof err)) fail_msg("%s", err);
}

static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)len + 1);
    assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
    b[len] = 0;
    fclose(f);
    *n = (size_t)len;
    return b;
}

static void check_identities(const char *example) {
    static config_t c;
    static config_exact_t x;
    load(&c, &x, example);
    backtest_t *bt = calloc(1, sizeof *bt);
    char out[256];
    snprintf(out, sizeof out, "%s/%s", tmpdir, example);
    assert_int_equal(backtest_run(bt, &c, &x, files, 2, out), 0);
    const ledger_t *l = &bt->eng.oms.ledger;
    /* balances are exact sums of the fills and fees */
    assert_true(l->fills > 0);
    assert_true(l->base == l->base_start + l->bought - l->sold - l->fee_base);
    assert_true(l->quote == l->quote_start - l->buy_notional + l->sell_notional - l->fee_quote);
    /* total PnL = equity change = realized + unrealized */
    double mark = bt->rep.end_mid;
    double total = ledger_equity(l, mark) - bt->rep.start_equity;
    double parts = l->realized + ledger_unrealized(l, mark);
    if (fabs(total - parts) > 1e-6 * (1 + fabs(total))) fail_msg("total %.9f != realized+unrealized %.9f", total, parts);
    /* fills.csv: one row a fill; signed quantities sum to the inventory before fees; fees add up */
    char path[512];
    snprintf(path, sizeof path, "%s/fills.csv", out);
    size_t n;
    char *csv = slurp(path, &n);
    int64_t rows = 0, signed_lots = 0;
    double fee_sum = 0;
    for (char *line = strtok(csv, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "time_ns", 7)) continue;
        char side[8], price[32], qty[32], fee[48], asset[16];
        long long t;
        int maker;
        double feeq;
        unsigned long long id;
        assert_int_equal(sscanf(line, "%lld,q%llu,%7[^,],%31[^,],%31[^,],%d,%47[^,],%15[^,],%lf", &t, &id, side, price,
                                qty, &maker, fee, asset, &feeq), 9);
        int64_t lots;
        assert_int_equal(fx_parse(qty, strlen(qty), &x.rules.lot, &lots), 0);
        signed_lots += side[0] == 'B' ? lots : -lots;
        fee_sum += feeq;
        assert_string_equal(asset, side[0] == 'B' ? "BTC" : "USDT");
        rows++;
    }
    free(csv);
    assert_int_equal(rows, l->fills);
    assert_int_equal(signed_lots, l->bought - l->sold);
    assert_true(fabs(fee_sum - l->fees_quote_value) < 1e-6);
    /* orders.csv has every order sent */
    snprintf(path, sizeof path, "%s/orders.csv", out);
    csv = slurp(path, &n);
    int64_t orders = -1;
    for (size_t i = 0; i < n; i++) orders += csv[i] == '\n';
    free(csv);
    assert_int_equal(orders, bt->eng.oms.st.sent + bt->eng.oms.st.rejected - bt->sim.st.rejected);
    assert_int_equal(bt->rep.bad_lines, 0);
    assert_int_equal(bt->rep.gaps, 0);
    backtest_free(bt);
    free(bt);
}

static void test_identities_ladder(void **st) { (void)st; check_identities("btcusdt.ini"); }
static void test_identities_seed(void **st) { (void)st; check_identities("seed.ini"); }

/* runs an example with NULL-terminated `sets` overrides; returns the JSON report */
static char *run_json(const char *example, const char *const *sets) {
    static config_t c;
    static config_exact_t x;
    char err[256];
    load(&c, &x, example);
    for (int i = 0; sets && sets[i]; i++) assert_int_equal(config_set(&c, sets[i], err, sizeof err), 0);
    assert_int_equal(config_resolve(&c, &x, err, sizeof err), 0);
    backtest_t *bt = calloc(1, sizeof *bt);
    assert_int_equal(backtest_run(bt, &c, &x, files, 2, NULL), 0);
    char *buf;
    size_t n;
    FILE *f = open_memstream(&buf, &n);
    report_print_json(&bt->rep, f);
    fclose(f);
    backtest_free(bt);
    free(bt);
    return buf;
}

static void test_determinism(void **st) {
    (void)st;
    char *a = run_json("btcusdt.ini", NULL), *b = run_json("btcusdt.ini", NULL);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

/* quoting at the touch, the queue model decides which fills happen */
static void test_queue_model_matters(void **st) {
    (void)st;
    const char *cons[] = {"strategy.spread=0", "strategy.order_type=limit_maker", "strategy.reference=mid", 0};
    const char *prob[] = {"strategy.spread=0", "strategy.order_type=limit_maker", "strategy.reference=mid",
                          "sim.queue_model=probabilistic", 0};
    char *a = run_json("seed.ini", cons), *b = run_json("seed.ini", prob);
    assert_non_null(strstr(a, "\"queue\":"));
    assert_null(strstr(a, "\"queue\":0,"));
    assert_true(strcmp(a, b) != 0);
    free(a);
    free(b);
}

/* latency matters: with a 1 s round trip the seed strategy fills differently */
static void test_latency_changes_outcome(void **st) {
    (void)st;
    const char *slow[] = {"sim.entry_latency_ms=1000", 0};
    char *a = run_json("seed.ini", NULL), *b = run_json("seed.ini", slow);
    assert_true(strcmp(a, b) != 0);
    free(a);
    free(b);
}

/* the kill switches: each trips, and then nothing new goes out */
static void test_kill_switches(void **st) {
    (void)st;
    char *base = run_json("btcusdt.ini", NULL);
    assert_non_null(strstr(base, "\"kill_switch\":false"));
    const char *loss[] = {"risk.max_loss=20", 0}, *pos[] = {"risk.max_position=0.005", 0},
               *rate[] = {"risk.max_orders_per_minute=100", 0};
    const char *const *sets[] = {loss, pos, rate};
    long long sent_base = 0;
    sscanf(strstr(base, "\"orders_sent\":") + 14, "%lld", &sent_base);
    for (int i = 0; i < 3; i++) {
        char *j = run_json("btcusdt.ini", sets[i]);
        assert_non_null(strstr(j, "\"kill_switch\":true"));
        long long sent = 0;
        double inv_max = 0;
        sscanf(strstr(j, "\"orders_sent\":") + 14, "%lld", &sent);
        sscanf(strstr(j, "\"inventory_max\":") + 16, "%lf", &inv_max);
        assert_true(sent < sent_base);
        if (i == 1) assert_true(inv_max <= 0.005 + 0.0045 + 1e-9); /* one order past the limit at most */
        if (i == 2) assert_true(sent <= 100 + 6); /* the decision that crossed it: 3 levels a side */
        free(j);
    }
    free(base);
}

/* ---- two clocks (issue 9 part 1) -------------------------------------------------- */

/* one recorded trade: its times (ns) and quantity (lots) */
typedef struct rec_trade {
    uint64_t id;
    int64_t T, E, L, qty, price;
    int buyer_maker;
} rec_trade_t;

static rec_trade_t *rtr;
static int nrtr;
static int64_t min_offset; /* min(L - E) over the recording */

static int by_id(const void *a, const void *b) {
    uint64_t x = ((const rec_trade_t *)a)->id, y = ((const rec_trade_t *)b)->id;
    return x < y ? -1 : x > y;
}

static void load_trades(const config_exact_t *x) {
    if (rtr) return;
    static replay_t rp;
    assert_int_equal(replay_open(&rp, files, 2, &x->rules), 0);
    md_event_t ev;
    int cap = 0;
    min_offset = INT64_MAX;
    while (replay_next(&rp, &ev) > 0) {
        if (ev.exch_ns > 0 && ev.local_ns - ev.exch_ns < min_offset) min_offset = ev.local_ns - ev.exch_ns;
        if (ev.type != MD_TRADE) continue;
        if (nrtr == cap) rtr = realloc(rtr, (size_t)(cap = cap ? 2 * cap : 4096) * sizeof *rtr);
        rtr[nrtr++] = (rec_trade_t){ev.u.trade.id, ev.u.trade.trade_ns, ev.exch_ns, ev.local_ns, ev.u.trade.qty,
                                    ev.u.trade.price, ev.u.trade.buyer_maker};
    }
    replay_close(&rp);
    qsort(rtr, (size_t)nrtr, sizeof *rtr, by_id);
}

/* the CSV field k (0-based) of line, copied to out ("" when empty) */
static void field(const char *line, int k, char *out, size_t cap) {
    const char *p = line;
    for (int i = 0; i < k && p; i++) {
        p = strchr(p, ',');
        if (p) p++;
    }
    size_t n = 0;
    if (p)
        while (p[n] && p[n] != ',' && p[n] != '\n') n++;
    if (n >= cap) n = cap - 1;
    memcpy(out, p ? p : "", n);
    out[n] = 0;
}

typedef struct ord_row {
    char cid[40];
    int64_t live, cancel; /* 0: empty */
} ord_row_t;

/* Every fill of a run of `example` on the shared recording: after its order went live at
   the venue and before its cancel arrived; a trade fill at the print's own time T (on the
   local clock: T plus an offset between the recording's least L - E and its message's
   L - E), on the passive side, at or through our price, and all fills from one print no
   more than the print. Returns the trade fills whose print reached the recording after
   the order's cancel was sent (the fills an event-time simulator let escape). */
static int check_two_clocks(const char *example, int *nfills) {
    static config_t c;
    static config_exact_t x;
    load(&c, &x, example);
    load_trades(&x);
    backtest_t *bt = calloc(1, sizeof *bt);
    char out[256], path[512];
    snprintf(out, sizeof out, "%s/clocks-%s", tmpdir, example);
    assert_int_equal(backtest_run(bt, &c, &x, files, 2, out), 0);
    int64_t entry = (int64_t)(c.entry_latency_ms * 1e6);
    assert_int_equal(bt->sim.st.late_events, 0); /* the read-ahead covers the whole recording */
    size_t n;
    snprintf(path, sizeof path, "%s/orders.csv", out);
    char *csv = slurp(path, &n);
    ord_row_t *ords = calloc(20000, sizeof *ords);
    int nord = 0;
    char f[64];
    for (char *line = strtok(csv, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "sent_ns", 7)) {
            assert_non_null(strstr(line, ",reason,live_ns,cancel_ns"));
            continue;
        }
        assert_true(nord < 20000);
        ord_row_t *o = &ords[nord++];
        field(line, 1, o->cid, sizeof o->cid);
        field(line, 13, f, sizeof f);
        o->live = atoll(f);
        field(line, 14, f, sizeof f);
        o->cancel = atoll(f);
    }
    free(csv);
    snprintf(path, sizeof path, "%s/fills.csv", out);
    csv = slurp(path, &n);
    int64_t *taken = calloc((size_t)nrtr, sizeof *taken);
    int escaped = 0, rows = 0, by_trade = 0, by_cross = 0;
    for (char *line = strtok(csv, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "time_ns", 7)) {
            assert_non_null(strstr(line, ",realized_pnl,venue_ns,by,source_id"));
            continue;
        }
        rows++;
        char cid[40], side[8], by[16], src[32], price[32], qty[32];
        field(line, 1, cid, sizeof cid);
        field(line, 2, side, sizeof side);
        field(line, 3, price, sizeof price);
        field(line, 4, qty, sizeof qty);
        field(line, 11, f, sizeof f);
        int64_t v = atoll(f);
        field(line, 12, by, sizeof by);
        field(line, 13, src, sizeof src);
        const ord_row_t *o = 0;
        for (int i = nord - 1; i >= 0 && !o; i--)
            if (!strcmp(ords[i].cid, cid)) o = &ords[i];
        assert_non_null(o);
        if (!(o->live && v >= o->live && (!o->cancel || v < o->cancel)))
            fail_msg("%s: fill at %lld outside its life [%lld, %lld)", cid, (long long)v, (long long)o->live,
                     (long long)o->cancel);
        int64_t p, q;
        assert_int_equal(fx_parse(price, strlen(price), &x.rules.tick, &p), 0);
        assert_int_equal(fx_parse(qty, strlen(qty), &x.rules.lot, &q), 0);
        if (!strcmp(by, "cross")) {
            by_cross++;
            assert_true(src[0] != 0);
            continue;
        }
        assert_string_equal(by, "trade"); /* limit_maker orders never take */
        by_trade++;
        rec_trade_t key = {.id = strtoull(src, 0, 10)};
        rec_trade_t *t = bsearch(&key, rtr, (size_t)nrtr, sizeof *rtr, by_id);
        assert_non_null(t);
        /* its time is the print's T, not when its message was sent or received */
        if (v < t->T + min_offset || v > t->T + (t->L - t->E))
            fail_msg("trade %llu: fill at %lld, T on the local clock in [%lld, %lld]", (unsigned long long)t->id,
                     (long long)v, (long long)(t->T + min_offset), (long long)(t->T + t->L - t->E));
        int buy = side[0] == 'B';
        assert_int_equal(t->buyer_maker, buy); /* our side was the passive one */
        assert_true(buy ? t->price <= p : t->price >= p);
        taken[t - rtr] += q;
        if (taken[t - rtr] > t->qty) fail_msg("trade %llu filled %lld of its %lld lots", (unsigned long long)t->id,
                                             (long long)taken[t - rtr], (long long)t->qty);
        if (o->cancel && t->L >= o->cancel - entry) escaped++;
    }
    free(csv);
    free(taken);
    free(ords);
    assert_int_equal(rows, bt->eng.oms.ledger.fills);
    assert_int_equal(by_trade + by_cross, rows);
    assert_int_equal(bt->rep.fills_by[VFILL_TRADE], by_trade);
    assert_int_equal(bt->rep.fills_by[VFILL_CROSS], by_cross);
    assert_true(by_trade > 0 && by_cross > 0);
    *nfills = rows;
    backtest_free(bt);
    free(bt);
    return escaped;
}

static void test_two_clocks(void **st) {
    (void)st;
    int n1, n2;
    /* the ladder has orders a print went through while they were live, whose print the
       recording received only after the cancel was sent: they fill */
    int e = check_two_clocks("btcusdt.ini", &n1);
    assert_true(e > 0);
    check_two_clocks("seed.ini", &n2);
    assert_true(n1 > 0 && n2 > 0);
}

/* No look-ahead for the engine: with the recording cut at a line received at local time
   L, every order sent and every fill told before L - BT_LOOKAHEAD_NS is as in the full run
   (the exchange side reads ahead that far; the engine itself only what it received). */
static void first_lines(const char *path, int64_t before, char **out, size_t *outn) {
    size_t n;
    char *csv = slurp(path, &n);
    FILE *f = open_memstream(out, outn);
    for (char *line = strtok(csv, "\n"); line; line = strtok(NULL, "\n")) {
        if (!isdigit((unsigned char)line[0]) || atoll(line) >= before) continue;
        /* orders still open at the end of the cut run are written as they stood: compare
           what was decided (time, id, side, type, price, quantity) */
        char a[6][64];
        for (int k = 0; k < 6; k++) field(line, k, a[k], sizeof a[k]);
        if (strstr(path, "orders.csv")) fprintf(f, "%s,%s,%s,%s,%s,%s\n", a[0], a[1], a[2], a[3], a[4], a[5]);
        else fprintf(f, "%s\n", line);
    }
    fclose(f);
    free(csv);
}

static void test_cut_changes_nothing_before(void **st) {
    (void)st;
    static config_t c;
    static config_exact_t x;
    load(&c, &x, "btcusdt.ini");
    char full[256], cut[256], path[512], cutfile[512];
    snprintf(full, sizeof full, "%s/cut-full", tmpdir);
    backtest_t *bt = calloc(1, sizeof *bt);
    assert_int_equal(backtest_run(bt, &c, &x, files, 2, full), 0);
    backtest_free(bt);
    /* both files as one text, cut at three places */
    size_t n1, n2;
    char *t1 = tu_read(files[0], &n1), *t2 = tu_read(files[1], &n2);
    assert_non_null(t1);
    assert_non_null(t2);
    const int64_t cuts[] = {25000, 60000, 90000};
    for (int k = 0; k < 3; k++) {
        snprintf(cutfile, sizeof cutfile, "%s/cut%d.txt", tmpdir, k);
        FILE *f = fopen(cutfile, "w");
        int64_t lines = 0, last_l = 0;
        for (int part = 0; part < 2 && lines < cuts[k]; part++) {
            const char *p = part ? t2 : t1, *end = p + (part ? n2 : n1);
            while (p < end && lines < cuts[k]) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t len = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);
                fwrite(p, 1, len, f);
                last_l = atoll(p);
                lines++;
                p += len;
            }
        }
        fclose(f);
        snprintf(cut, sizeof cut, "%s/cut%d", tmpdir, k);
        char *cf[1] = {cutfile};
        assert_int_equal(backtest_run(bt, &c, &x, cf, 1, cut), 0);
        backtest_free(bt);
        int64_t before = last_l - BT_LOOKAHEAD_NS;
        const char *names[] = {"orders.csv", "fills.csv"};
        for (int j = 0; j < 2; j++) {
            char *a, *b;
            size_t na, nb;
            snprintf(path, sizeof path, "%s/%s", full, names[j]);
            first_lines(path, before, &a, &na);
            snprintf(path, sizeof path, "%s/%s", cut, names[j]);
            first_lines(path, before, &b, &nb);
            assert_true(na > 0);
            assert_string_equal(a, b);
            free(a);
            free(b);
        }
    }
    free(t1);
    free(t2);
    free(bt);
}

int main(void) {
    files[0] = (char *)tu_require_data("binance-spot/btcusdt_20240808.gz");
    files[1] = (char *)tu_require_data("binance-spot/btcusdt_20240809.gz");
    assert_non_null(mkdtemp(tmpdir));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identities_ladder),
        cmocka_unit_test(test_identities_seed),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_latency_changes_outcome),
        cmocka_unit_test(test_queue_model_matters),
        cmocka_unit_test(test_kill_switches),
        cmocka_unit_test(test_two_clocks),
        cmocka_unit_test(test_cut_changes_nothing_before),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd)) rc = rc ? rc : 1;
    return rc;
}
