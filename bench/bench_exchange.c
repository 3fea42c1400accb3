/* bench_exchange.c: the local exchange over loopback, measured from a client:
 *   1. order placement round trip on the WebSocket API (order.place sent -> its answer
 *      received), HMAC-signed: LIMIT IOC buys below the market, which expire at once (the
 *      whole path: signature, filters, balance lock, simulated venue, release, answer),
 *      three ways: see rtt_mode;
 *   2. market data fan-out: 10 subscribers to the trade and bookTicker streams of a
 *      recording replayed 2000x faster; messages delivered per second, server on one core.
 * Usage: bench_exchange QUOTER EXCHANGE_INI [RECORDING...] */
#define _GNU_SOURCE
#include <fcntl.h>
#include <libwebsockets.h>
#include <sched.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_proc.h"
#include "bench_util.h"
#include "proto/sign.h"

static char key[128], secret[128];
static double *rtt;
static int nrtt, want_rtt, phase; /* phase 0: place next, 1: waiting place, 2: waiting cancel */
static double sent_at;
static long long seq;
static int64_t delivered, subscribers_up, subscribers_cut;
static double *ping_rtt;
static int nping, want_ping = 1000;
static int done;

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void send_text(struct lws *wsi, const char *msg) {
    size_t n = strlen(msg);
    unsigned char *b = malloc(LWS_PRE + n);
    memcpy(b + LWS_PRE, msg, n);
    lws_write(wsi, b + LWS_PRE, n, LWS_WRITE_TEXT);
    free(b);
}

static void signed_request(struct lws *wsi, const char *method, const char *params) {
    char id[24], msg[2048];
    snprintf(id, sizeof id, "%lld", ++seq);
    if (sign_ws_request(id, method, params, key, secret, (long long)now_ms(), msg, sizeof msg) < 0) return;
    sent_at = now_s(); /* from here: the request as the client sends it, to its answer */
    send_text(wsi, msg);
}

static int api_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    (void)user;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (reason == LWS_CALLBACK_CLIENT_ESTABLISHED) {
            int one = 1, fd = lws_get_socket_fd(wsi);
            if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
        /* fall through */
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (nping < want_ping) { /* first the transport alone: ping */
            if (phase == 0) {
                phase = 5;
                sent_at = now_s();
                send_text(wsi, "{\"id\":0,\"method\":\"ping\"}");
            }
            break;
        }
        if (phase == 0) {
            phase = 1;
            signed_request(wsi, "order.place", "price=1000.00&quantity=0.01000&side=BUY&symbol=BTCUSDT&timeInForce=IOC&type=LIMIT");
        }
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (phase == 5) {
            ping_rtt[nping++] = (now_s() - sent_at) * 1e6;
            phase = 0;
            lws_callback_on_writable(wsi);
            break;
        }
        if (phase == 1) {
            double t = now_s() - sent_at;
            if (len < 40 || !memmem(in, len, "\"status\":200", 12)) {
                fprintf(stderr, "bench_exchange: order.place failed: %.*s\n", (int)(len > 300 ? 300 : len), (const char *)in);
                done = 1;
                return -1;
            }
            rtt[nrtt++] = t * 1e6;
            phase = 0; /* IOC orders end by themselves: no cancel needed */
            if (nrtt >= want_rtt) {
                done = 1;
                return -1;
            }
        }
        lws_callback_on_writable(wsi);
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        fprintf(stderr, "bench_exchange: %s\n", in ? (const char *)in : "connection error");
        done = 1;
        break;
    default:
        break;
    }
    return 0;
}

static int stream_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    (void)wsi;
    (void)user;
    (void)in;
    (void)len;
    if (reason == LWS_CALLBACK_CLIENT_RECEIVE && lws_is_final_fragment(wsi)) delivered++;
    if (reason == LWS_CALLBACK_CLIENT_ESTABLISHED) subscribers_up++;
    if (reason == LWS_CALLBACK_CLIENT_CLOSED) subscribers_cut++;
    return 0;
}

/* CPU seconds the process has used (user + system), from /proc */
static double cpu_s(pid_t pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *p = strrchr(buf, ')'); /* fields after the command name */
    unsigned long long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2) return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static pid_t start_exchange(char **argv, int argc, const char *port_file, const char *speed, int busy_poll) {
    pid_t pid = fork();
    if (pid == 0) {
        char *args[64] = {argv[1], "exchange", "-c", argv[2], "--port", "0", "--port-file", (char *)port_file,
                          "--speed", (char *)speed, "--loop", "--set", "exchange.weight_per_minute=10000000",
                          "--set", "exchange.orders_per_10s=10000000", "--set", "exchange.orders_per_day=100000000",
                          "--set", "exchange.raw_requests_per_5m=100000000"};
        int n = 19;
        if (busy_poll) {
            args[n++] = "--set";
            args[n++] = "exchange.busy_poll_us=1000";
        }
        for (int i = 3; i < argc && n < 62; i++) args[n++] = argv[i];
        args[n] = 0;
        if (!getenv("BENCH_SERVER_LOG")) {
            int fd = open("/dev/null", 1);
            dup2(fd, 2);
        }
        execv(argv[1], args);
        _exit(127);
    }
    for (int i = 0; i < 100; i++) {
        FILE *f = fopen(port_file, "r");
        int port = 0;
        if (f && fscanf(f, "%d", &port) == 1 && port > 0) {
            fclose(f);
            return pid;
        }
        if (f) fclose(f);
        usleep(100000);
    }
    return pid;
}

static int read_port(const char *port_file) {
    FILE *f = fopen(port_file, "r");
    int port = 0;
    if (f) {
        if (fscanf(f, "%d", &port) != 1) port = 0;
        fclose(f);
    }
    return port;
}

/* Round trips are measured three ways. On this 2-vCPU VM an idle vCPU halts, and waking it
   from the other one costs ~25 us each way, more than the exchange's own work; so:
     RTT_SCHEDULER  where the scheduler puts the two processes (it often splits them)
     RTT_ONE_CORE   the exchange and this client pinned to one core (a wakeup is a switch)
     RTT_BUSY_POLL  one core each, neither sleeping: the client polls without waiting and the
                    exchange runs with exchange.busy_poll_us, as latency-minded setups do */
enum rtt_mode { RTT_SCHEDULER, RTT_ONE_CORE, RTT_BUSY_POLL };

/* one round of ping and order.place round trips on a fresh exchange */
static int rtt_round(char **argv, int argc, const char *port_file, struct lws_context *ctx, enum rtt_mode mode) {
    static const char *const where[] = {"placed by the scheduler", "exchange and client on one core",
                                        "one core each, both busy-polling"};
    remove(port_file);
    pid_t pid = start_exchange(argv, argc, port_file, "1", mode == RTT_BUSY_POLL);
    int port = read_port(port_file);
    if (!port) {
        fprintf(stderr, "bench_exchange: the exchange did not start\n");
        return 1;
    }
    pin(pid, mode == RTT_SCHEDULER ? -1 : 0);
    pin(0, mode == RTT_SCHEDULER ? -1 : mode == RTT_ONE_CORE ? 0 : 1);
    usleep(500000);
    nrtt = nping = phase = done = 0;
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = ctx;
    ci.address = ci.host = ci.origin = "127.0.0.1";
    ci.port = port;
    ci.path = "/ws-api/v3";
    ci.local_protocol_name = "api";
    lws_client_connect_via_info(&ci);
    double t0 = now_s();
    /* lws_service(ctx, -1) polls and returns at once: the client never sleeps */
    while (!done && now_s() - t0 < 60) lws_service(ctx, mode == RTT_BUSY_POLL ? -1 : 0);
    if (nping > 100)
        printf("exchange ping round trip (WebSocket API, loopback, the transport alone, %s): median %.1f us\n",
               where[mode], median(ping_rtt + 100, nping - 100));
    if (nrtt > 100) { /* the first 100 are warm-up */
        double med = median(rtt + 100, nrtt - 100);
        int n = nrtt - 100;
        printf("exchange order.place round trip (WebSocket API, HMAC, loopback, %s): median %.1f us, p99 %.1f us over %d orders (target: median < 50 us)\n",
               where[mode], med, rtt[100 + (int)(n * 0.99)], n);
    } else {
        printf("exchange order.place round trip: only %d answers\n", nrtt);
    }
    kill(pid, SIGINT);
    waitpid(pid, 0, 0);
    pin(0, -1);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: bench_exchange QUOTER EXCHANGE_INI [RECORDING...]\n");
        return 2;
    }
    ini_value(argv[2], "hmac_api_key", key, sizeof key);
    ini_value(argv[2], "hmac_secret_key", secret, sizeof secret);
    char port_file[64];
    snprintf(port_file, sizeof port_file, "/tmp/quoter-bench-port-%d", (int)getpid());
    remove(port_file);
    lws_set_log_level(LLL_ERR, NULL);
    static const struct lws_protocols protocols[] = {{"api", api_cb, 0, 1 << 16, 0, NULL, 0},
                                                     {"stream", stream_cb, 0, 1 << 16, 0, NULL, 0},
                                                     {NULL, NULL, 0, 0, 0, NULL, 0}};
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    struct lws_context *ctx = lws_create_context(&info);
    /* 1. round trips, three ways (see rtt_mode) */
    want_rtt = getenv("BENCH_ORDERS") ? atoi(getenv("BENCH_ORDERS")) : 2000; /* more for profiling */
    if (want_rtt < 200) want_rtt = 200;
    rtt = calloc((size_t)want_rtt, sizeof *rtt);
    ping_rtt = calloc((size_t)want_ping, sizeof *ping_rtt);
    for (int m = RTT_SCHEDULER; m <= RTT_BUSY_POLL; m++)
        if (rtt_round(argv, argc, port_file, ctx, (enum rtt_mode)m)) return 1;
    if (getenv("BENCH_ONLY_RTT")) return 0;
    /* 2. fan-out: a fast replay, 10 subscribers, the server process pinned to one core.
       The subscribers (one client thread on the other core) are the slower side: a replay
       they cannot keep up with gets them disconnected, as Binance does to a slow reader, so
       the replay runs at a speed they can follow (BENCH_FANOUT_SPEED, default 300), and the
       server's capacity is what it delivered per second of its own CPU. */
    remove(port_file);
    const char *speed = getenv("BENCH_FANOUT_SPEED") ? getenv("BENCH_FANOUT_SPEED") : "300";
    pid_t pid = start_exchange(argv, argc, port_file, speed, 0);
    int port = read_port(port_file);
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = ctx;
    ci.address = ci.host = ci.origin = "127.0.0.1";
    pin(pid, 0);
    pin(0, 1); /* the clients on the other core */
    usleep(300000);
    for (int i = 0; i < 10; i++) {
        ci.port = port;
        ci.path = "/stream?streams=btcusdt@trade/btcusdt@bookTicker/btcusdt@depth@100ms";
        ci.local_protocol_name = "stream";
        lws_client_connect_via_info(&ci);
    }
    double t0 = now_s();
    while (subscribers_up < 10 && now_s() - t0 < 5) lws_service(ctx, 0);
    int64_t start_count = delivered;
    double cpu0 = cpu_s(pid);
    t0 = now_s();
    while (now_s() - t0 < 3) lws_service(ctx, 0);
    double secs = now_s() - t0, cpu = cpu_s(pid) - cpu0;
    double rate = (double)(delivered - start_count) / secs;
    printf("exchange fan-out: %lld subscribers (%lld cut off as slow), replay x%s: %.0f messages/s delivered in all, "
           "server CPU %.0f%% of a core: %.0f messages per server CPU second (target >= 100000)\n",
           (long long)subscribers_up, (long long)subscribers_cut, speed, rate, 100 * cpu / secs,
           cpu > 0 ? (double)(delivered - start_count) / cpu : 0);
    lws_context_destroy(ctx);
    kill(pid, SIGINT);
    waitpid(pid, 0, 0);
    remove(port_file);
    return 0;
}
