/* bench_util.h: timing helpers shared by the benchmarks: a monotonic clock, medians, and a
 * program run quietly and timed. */
#ifndef Q_BENCH_UTIL_H
#define Q_BENCH_UTIL_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static inline double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Runs argv (argv[0] looked up in PATH) with stdout and stderr to /dev/null: its wall seconds,
   and its peak RSS in KiB in *maxrss_kb (may be NULL). A program that fails ends the benchmark. */
static inline double run_quiet(char **argv, long *maxrss_kb) {
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
        fprintf(stderr, "bench: %s %s failed\n", argv[0], argv[1] ? argv[1] : "");
        exit(1);
    }
    if (maxrss_kb) *maxrss_kb = ru.ru_maxrss;
    return t;
}

#endif
