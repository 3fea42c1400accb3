/* bench_reaction.c: reaction over loopback, the real `quoter run` binary against the real
 * `quoter exchange`: from the exchange sending a bookTicker that moves the price to it
 * receiving the order request that follows. The exchange stamps both ends itself
 * (src/exchange/reaction.c, on when QUOTER_REACTION_LOG names a file), so what is timed is
 * the whole client path: the frame on the socket, libwebsockets, the stream decoder, the book,
 * the strategy, the oms and risk gate, the request's signature and the WebSocket API write.
 * The client runs seed.ini 2 ticks from the mid, deciding on every market event (so it
 * requotes on every move of the touch), on
 * the shared recording replayed at its own pace, in the three placements bench_exchange
 * uses (see its rtt_mode); in the third both busy-poll (the exchange's exchange.busy_poll_us,
 * the client's live.busy_poll_us). Only a request within 10 ms of its move counts as a reaction to it (a
 * requote may wait on the risk gate's order budget or follow a fill instead); how many did
 * is printed.
 * Usage: bench_reaction QUOTER SRC_DIR RECORDING... (BENCH_REACTION_SECONDS per placement, default 25;
 * BENCH_REACTION_MODES=012 the placements; BENCH_REACTION_DB=none without the journal;
 * BENCH_REACTION_ARGS more client arguments) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_proc.h"
#include "bench_util.h"

static pid_t spawn(char **args, const char *log) {
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(args[0], args);
        _exit(127);
    }
    return pid;
}

static int round_(const char *quoter, const char *src, char **recs, int nrecs, int mode, int secs, const char *dir) {
    static const char *const where[] = {"placed by the scheduler", "exchange and client on one core",
                                        "one core each, both busy-polling"};
    char ini[1024], port_file[1100], log_file[1100], ex_log[1100], run_log[1100], db[1100], endpoint[64];
    snprintf(ini, sizeof ini, "%s/examples/exchange.ini", src);
    snprintf(port_file, sizeof port_file, "%s/port", dir);
    snprintf(log_file, sizeof log_file, "%s/reaction-%d.log", dir, mode);
    snprintf(ex_log, sizeof ex_log, "%s/exchange-%d.log", dir, mode);
    snprintf(run_log, sizeof run_log, "%s/run-%d.log", dir, mode);
    snprintf(db, sizeof db, "%s/run-%d.db", dir, mode);
    remove(port_file);
    setenv("QUOTER_REACTION_LOG", log_file, 1);
    char *ex[64] = {(char *)quoter, "exchange", "-c", ini, "--port", "0", "--port-file", port_file, "--speed", "1",
                    "--loop", "--set", "exchange.orders_per_10s=10000000", "--set", "exchange.orders_per_day=100000000",
                    "--set", "exchange.weight_per_minute=10000000", "--set", "exchange.raw_requests_per_5m=100000000"};
    int n = 19;
    if (mode == 2) { /* busy-polling as in bench_exchange, where requests come back to back: here
                        they follow market moves, so the spin lasts a second after each */
        ex[n++] = "--set";
        ex[n++] = "exchange.busy_poll_us=1000000";
    }
    for (int i = 0; i < nrecs && n < 62; i++) ex[n++] = recs[i];
    ex[n] = 0;
    pid_t xp = spawn(ex, ex_log);
    unsetenv("QUOTER_REACTION_LOG"); /* the client must not see it */
    int port = 0;
    for (int i = 0; i < 100 && !port; i++) {
        FILE *f = fopen(port_file, "r");
        if (f) {
            if (fscanf(f, "%d", &port) != 1) port = 0;
            fclose(f);
        }
        if (!port) usleep(100000);
    }
    if (!port) {
        fprintf(stderr, "bench_reaction: the exchange did not start (see %s)\n", ex_log);
        kill(xp, SIGKILL);
        waitpid(xp, 0, 0);
        return 1;
    }
    pin(xp, mode == 0 ? -1 : 0);
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", port);
    char seconds[16], cfg[1100];
    snprintf(seconds, sizeof seconds, "%d", secs);
    snprintf(cfg, sizeof cfg, "%s/examples/seed.ini", src);
    char *run[] = {(char *)quoter, "run", "-c", cfg, "--endpoint", endpoint, "--seconds", seconds, "--quiet",
                   "--status-interval", "0", "--db", db, "--set", "strategy.reference=mid", "--set", "strategy.spread=2", "--set",
                   "strategy.spread_unit=ticks", "--set", "strategy.requote_interval=0", "--set",
                   "strategy.max_order_age=0", "--set", "strategy.order_type=limit_maker", "--set",
                   "risk.orders_per_10s=0", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    /* BENCH_REACTION_DB=none: without the journal; BENCH_REACTION_ARGS: more arguments for the
       client (split at spaces), e.g. "--set live.busy_poll_us=1000" */
    const char *dbenv = getenv("BENCH_REACTION_DB");
    if (dbenv && *dbenv) run[12] = (char *)dbenv;
    int rn = 0;
    while (run[rn]) rn++;
    if (mode == 2) { /* the client busy-polls too: for a second after each market message */
        run[rn++] = "--set";
        run[rn++] = "live.busy_poll_us=1000000";
    }
    static char extra[512];
    const char *ea = getenv("BENCH_REACTION_ARGS");
    snprintf(extra, sizeof extra, "%s", ea ? ea : "");
    for (char *tok = strtok(extra, " "); tok && rn < 42; tok = strtok(0, " ")) run[rn++] = tok;
    run[rn] = 0;
    pid_t rp = spawn(run, run_log);
    pin(rp, mode == 0 ? -1 : mode == 1 ? 0 : 1);
    int st = 0;
    waitpid(rp, &st, 0);
    kill(xp, SIGINT);
    waitpid(xp, 0, 0);
    /* the reactions */
    FILE *f = fopen(log_file, "r");
    int cap = 1 << 20, k = 0, others = 0;
    double *v = malloc((size_t)cap * sizeof *v);
    long long d, gap;
    while (f && fscanf(f, "%lld %lld", &d, &gap) == 2) {
        if (d <= 10000000 && k < cap) v[k++] = (double)d / 1000;
        else others++;
    }
    if (f) fclose(f);
    if (k < 20) {
        printf("reaction over loopback (%s): only %d reactions (client exit %d; see %s and %s)\n", where[mode], k,
               WIFEXITED(st) ? WEXITSTATUS(st) : -1, run_log, ex_log);
        free(v);
        return 1;
    }
    double med = median(v, k); /* (sorts v) */
    printf("reaction over loopback (bookTicker sent -> order request received, %s): median %.1f us, p90 %.1f us, "
           "p99 %.1f us over %d reactions (%d requests later than 10 ms left out) (target: median < 100 us)\n",
           where[mode], med, v[(int)(k * 0.90)], v[(int)(k * 0.99)], k, others);
    free(v);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bench_reaction QUOTER SRC_DIR RECORDING...\n");
        return 2;
    }
    char ini[1024], key[128], secret[128];
    snprintf(ini, sizeof ini, "%s/examples/exchange.ini", argv[2]);
    ini_value(ini, "hmac_api_key", key, sizeof key);
    ini_value(ini, "hmac_secret_key", secret, sizeof secret);
    if (!key[0] || !secret[0]) {
        fprintf(stderr, "bench_reaction: no demo key in %s\n", ini);
        return 2;
    }
    setenv("QUOTER_API_KEY", key, 1); /* the demo account's (examples/exchange.ini) */
    setenv("QUOTER_API_SECRET", secret, 1);
    int secs = getenv("BENCH_REACTION_SECONDS") ? atoi(getenv("BENCH_REACTION_SECONDS")) : 25;
    if (secs < 5) secs = 5;
    char dir[] = "/tmp/quoter-reaction-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    int rc = 0;
    const char *modes = getenv("BENCH_REACTION_MODES"); /* e.g. "2": only that placement */
    for (int m = 0; m < 3; m++)
        if (!modes || strchr(modes, '0' + m)) rc |= round_(argv[1], argv[2], argv + 3, argc - 3, m, secs, dir);
    pin(0, -1);
    if (!rc && !getenv("BENCH_KEEP")) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd)) rc = 1;
    } else {
        fprintf(stderr, "bench_reaction: logs kept in %s\n", dir);
    }
    return rc;
}
