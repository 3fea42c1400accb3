/* bench_backtest.c: a whole backtest over the shared BTCUSDT recordings against
 * decompressing the same files alone (zcat FILES > /dev/null), measured in the same run,
 * alternating, several times each: medians, their ratio, and the backtest's peak memory. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"

#define RUNS 7

/* runs argv with stdout to /dev/null; returns wall seconds and the child's peak RSS (KiB) */
static double run(char **argv, long *maxrss_kb) {
    double t0 = now_s();
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        dup2(fd, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    double t = now_s() - t0;
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        fprintf(stderr, "bench_backtest: %s failed\n", argv[0]);
        exit(1);
    }
    if (maxrss_kb) *maxrss_kb = ru.ru_maxrss;
    return t;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: bench_backtest QUOTER CONFIG [FILE...]\n");
        return 2;
    }
    char *f1 = QUOTER_DATA "/binance-spot/btcusdt_20240808.gz", *f2 = QUOTER_DATA "/binance-spot/btcusdt_20240809.gz";
    if (access(f1, R_OK) || access(f2, R_OK)) {
        printf("bench_backtest: SKIP (shared recordings not found)\n");
        return 0;
    }
    char *bt[] = {argv[1], "backtest", "-c", argv[2], f1, f2, 0};
    char *zc[] = {"zcat", f1, f2, 0};
    double tb[RUNS], tz[RUNS], ratio[RUNS];
    long rss = 0, r;
    run(bt, &r); /* warm the page cache */
    run(zc, 0);
    for (int i = 0; i < RUNS; i++) {
        tz[i] = run(zc, 0);
        tb[i] = run(bt, &r);
        if (r > rss) rss = r;
        ratio[i] = tb[i] / tz[i];
    }
    double mr = median(ratio, RUNS);
    printf("backtest vs zcat: backtest median %.1f ms, zcat median %.1f ms, ratio median %.2f (target <= 2, goal 1.2)\n",
           median(tb, RUNS) * 1e3, median(tz, RUNS) * 1e3, mr);
    printf("backtest peak memory: %.1f MB (target < 64)\n", (double)rss / 1024.0);
    return 0;
}
