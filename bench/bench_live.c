/* bench_live.c: tick to order, in process. For every market data message of the shared
 * recording that makes the engine send an order request: the time from the message's bytes
 * (before decoding) to the request's bytes as the live client would write them to the
 * WebSocket API (decode, book, strategy, oms, risk gate, the Binance venue's request with its
 * HMAC-SHA256 signature). The venue's connection is given a capture in place of a socket, and
 * the exchange's answers (acks, cancel confirmations) are fed back outside the timed part, so
 * every tick can cause a request as it would live. Prints the median and the 99th percentile.
 *   bench_live CONFIG [FILE...]   (default: the shared recordings) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "engine/engine.h"
#include "feed/decode.h"
#include "feed/recording.h"
#include "venue/binance/binance.h"
#include "bench_util.h"

static int64_t t_bytes;
static int captured;
static size_t captured_len;

static void capture(void *ctx, const char *text, size_t n) {
    (void)ctx;
    (void)text;
    if (!captured) t_bytes = clock_mono_ns();
    captured = 1;
    captured_len = n;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_live CONFIG [FILE...]\n");
        return 2;
    }
    static char f0[1024], f1[1024];
    char *def[2] = {f0, f1};
    snprintf(f0, sizeof f0, "%s/binance-spot/btcusdt_20240808.gz", QUOTER_DATA);
    snprintf(f1, sizeof f1, "%s/binance-spot/btcusdt_20240809.gz", QUOTER_DATA);
    char **files = argc > 2 ? argv + 2 : def;
    int nfiles = argc > 2 ? argc - 2 : 2;
    FILE *probe = fopen(files[0], "rb");
    if (!probe) {
        printf("bench_live: SKIP (shared recordings not found)\n");
        return 0;
    }
    fclose(probe);
    static config_t c;
    static config_exact_t x;
    char err[512];
    config_defaults(&c);
    if (config_load(&c, argv[1], err, sizeof err)) {
        fprintf(stderr, "bench_live: %s\n", err);
        return 2;
    }
    /* decide on every message, replace on every move, no budget in the way: the most
       requests the recording can cause */
    const char *sets[] = {"strategy.requote_interval=0", "strategy.refresh_tolerance=0", "risk.orders_per_10s=0",
                          "risk.max_open_orders=200", "orders.request_timeout=3600", "strategy.max_order_age=0",
                          "risk.max_drawdown=0"};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) config_set(&c, sets[i], err, sizeof err);
    if (config_resolve(&c, &x, err, sizeof err)) {
        fprintf(stderr, "bench_live: %s\n", err);
        return 2;
    }
    /* the live venue, its API connection captured (never connected: the loop never runs) */
    binance_t *b = calloc(1, sizeof *b);
    bn_hooks_t hooks;
    memset(&hooks, 0, sizeof hooks);
    binance_config_t bc = {"ws://127.0.0.1:9/ws-api/v3", "ws://127.0.0.1:9", "bench-key",
                           "bench-secret-bench-secret-bench-secret-bench-secret-0123456789", &x.rules, 5000};
    if (!b || binance_open(b, &bc, &hooks)) {
        fprintf(stderr, "bench_live: cannot set the venue up\n");
        return 1;
    }
    b->api.capture = capture;
    b->ready = b->time_known = b->subscribed = 1;
    static engine_t e;
    if (engine_init(&e, &c, &x, &b->base, 1, err, sizeof err)) {
        fprintf(stderr, "bench_live: %s\n", err);
        return 1;
    }
    static md_level_t levels[20000];
    md_decoder_t dec;
    md_decoder_init(&dec, &x.rules.tick, &x.rules.lot, x.rules.symbol, levels, 20000);
    recording_t rec;
    if (recording_open(&rec, files, nfiles)) {
        fprintf(stderr, "bench_live: cannot read the recording\n");
        return 1;
    }
    int64_t *lat = malloc(sizeof *lat * 400000);
    int n = 0;
    int64_t messages = 0, bytes_out = 0;
    const char *json;
    size_t len;
    int64_t local;
    while (recording_next(&rec, &json, &len, &local) > 0 && n < 400000) {
        md_event_t ev;
        captured = 0;
        int64_t t0 = clock_mono_ns();
        memset(&ev, 0, sizeof ev);
        if (md_decode(&dec, json, len, &ev) || ev.type == MD_IGNORED) continue;
        ev.local_ns = local;
        engine_on_market(&e, &ev);
        engine_decide(&e, local);
        messages++;
        if (captured) {
            lat[n++] = t_bytes - t0;
            bytes_out += (int64_t)captured_len;
        }
        /* the exchange's answers, outside the timed part: acks and cancels confirmed */
        for (int i = 0; i < BN_PENDING; i++) b->pend[i].kind = BN_NONE;
        for (int i = e.oms.nlive - 1; i >= 0; i--) {
            order_t *o = &e.oms.orders[e.oms.live[i]];
            venue_event_t a;
            memset(&a, 0, sizeof a);
            snprintf(a.cid, sizeof a.cid, "%s", o->cid);
            a.side = o->side;
            a.local_ns = local;
            a.cum_qty = 0;
            if (o->state == ORD_PENDING_NEW) a.type = VEV_ACK;
            else if (o->state == ORD_PENDING_CANCEL) a.type = VEV_CANCELED;
            else continue;
            oms_on_venue(&e.oms, &a);
        }
    }
    recording_close(&rec);
    if (n < 100) {
        fprintf(stderr, "bench_live: only %d requests caused\n", n);
        return 1;
    }
    qsort(lat, (size_t)n, sizeof *lat, cmp_i64);
    printf("tick to order (in process, HMAC-signed WebSocket API request): %d requests from %lld messages, "
           "median %.2f us, p99 %.2f us, max %.1f us (targets: median < 5, p99 < 20); %lld bytes a request\n",
           n, (long long)messages, lat[n / 2] / 1e3, lat[(int64_t)n * 99 / 100] / 1e3, lat[n - 1] / 1e3,
           (long long)(bytes_out / n));
    free(lat);
    engine_free(&e);
    binance_close(b);
    free(b);
    return 0;
}
