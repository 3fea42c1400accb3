/* bench_record.c: `quoter record`'s cost: messages written per second of the recorder's own
 * CPU, with `quoter exchange` replaying a recording as fast as it can on loopback.
 *
 * The exchange runs pinned to core 0, the recorder to core 1 (when there are two), each a
 * process of its own, the recorder exactly as an operator runs it (`quoter record --quiet`,
 * default config: three streams, gzip level 4, record.gzip_level). After N seconds the recorder
 * stops (SIGTERM path, files finished); its CPU time comes from wait4(), its messages from
 * the summary it wrote. Figures: messages per recorder CPU second (the "per core" rate; target
 * >= 200,000), messages per wall second, and the recorder's CPU share.
 *
 * Usage: bench_record QUOTER [RECORDING...]   (default: the shared BTCUSDT recording)
 * Environment: BENCH_RECORD_SECONDS (default 10), BENCH_RECORD_SPEED (default 2000: the
 * replay's factor, about what the exchange can send on one core; much faster and its
 * queue to the recorder passes 64 MB and it cuts the connection, as Binance would),
 * BENCH_RECORD_LEVEL (a gzip level to try; default the config's). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_proc.h"

/* (bench_proc.h's key reader: the recorder needs no key) */
static void (*unused_ini)(const char *, const char *, char *, size_t) __attribute__((unused)) = ini_value;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long summary_int(const char *path, const char *key) {
    FILE *f = fopen(path, "r");
    char buf[8192];
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) fclose(f);
    buf[n] = 0;
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(buf, pat);
    return p ? atoll(p + strlen(pat)) : -1;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_record QUOTER [RECORDING...]\n");
        return 2;
    }
    const char *q = argv[1];
    double secs = getenv("BENCH_RECORD_SECONDS") ? atof(getenv("BENCH_RECORD_SECONDS")) : 10;
    const char *speed = getenv("BENCH_RECORD_SPEED") ? getenv("BENCH_RECORD_SPEED") : "2000";
    const char *level = getenv("BENCH_RECORD_LEVEL");
    char dir[] = "/tmp/bench_record.XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char port_file[256], out[256];
    snprintf(port_file, sizeof port_file, "%s/port", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);

    pid_t ex = fork();
    if (ex == 0) {
        char *a[64] = {(char *)q, "exchange", "--port", "0", "--port-file", port_file, "--speed", (char *)speed, "--loop",
                       "--set", "exchange.slow_client_ms=600000", "--set", "exchange.weight_per_minute=10000000"};
        int n = 13;
        if (argc > 2)
            for (int i = 2; i < argc && n < 62; i++) a[n++] = argv[i];
        else {
            a[n++] = QUOTER_DATA "/binance-spot/btcusdt_20240808.gz";
            a[n++] = QUOTER_DATA "/binance-spot/btcusdt_20240809.gz";
        }
        a[n] = 0;
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 2);
        execv(q, a);
        _exit(127);
    }
    int port = 0;
    for (int i = 0; i < 300 && port <= 0; i++) {
        FILE *f = fopen(port_file, "r");
        if (f) {
            if (fscanf(f, "%d", &port) != 1) port = 0;
            fclose(f);
        }
        if (port <= 0) usleep(100000);
    }
    if (port <= 0) {
        fprintf(stderr, "bench_record: the exchange did not start\n");
        kill(ex, SIGKILL);
        return 1;
    }
    pin(ex, 0);
    char ep[64], secs_s[32], lvl[64];
    snprintf(ep, sizeof ep, "http://127.0.0.1:%d", port);
    snprintf(secs_s, sizeof secs_s, "%g", secs);
    snprintf(lvl, sizeof lvl, "record.gzip_level=%s", level ? level : "4");
    double t0 = now_s();
    pid_t rec = fork();
    if (rec == 0) {
        pin(0, ncpu > 1 ? 1 : 0);
        char *a[] = {(char *)q, "record", "--symbols", "BTCUSDT", "--out", out, "--endpoint", ep, "--quiet",
                     "--seconds", secs_s, level ? "--set" : NULL, lvl, NULL};
        execv(q, a);
        _exit(127);
    }
    int st = 0;
    struct rusage ru;
    wait4(rec, &st, 0, &ru);
    double wall = now_s() - t0;
    kill(ex, SIGINT);
    waitpid(ex, 0, 0);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                 (double)ru.ru_stime.tv_usec / 1e6;
    /* the messages of every file the recorder wrote (a midnight may split them) */
    long long msgs = 0, bytes = 0, fbytes = 0;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls %s/BTCUSDT/*.summary.json 2>/dev/null", out);
    FILE *ls = popen(cmd, "r");
    char line[512];
    while (ls && fgets(line, sizeof line, ls)) {
        line[strcspn(line, "\n")] = 0;
        msgs += summary_int(line, "messages");
        bytes += summary_int(line, "bytes");
        fbytes += summary_int(line, "file_bytes");
    }
    if (ls) pclose(ls);
    if (!WIFEXITED(st) || WEXITSTATUS(st) || msgs <= 0) {
        fprintf(stderr, "bench_record: the recorder failed (status %d, %lld messages)\n", st, msgs);
        return 1;
    }
    printf("record: %lld messages in %.1f s (%.0f/s wall), %.1f MB of lines -> %.1f MB gzip (level %s); recorder CPU "
           "%.2f s (%.0f%% of a core): %.0f messages per recorder CPU second (target >= 200000)\n",
           msgs, wall, (double)msgs / wall, (double)bytes / 1e6, (double)fbytes / 1e6, level ? level : "6", cpu,
           100 * cpu / wall, cpu > 0 ? (double)msgs / cpu : 0);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) return 0;
    return 0;
}
