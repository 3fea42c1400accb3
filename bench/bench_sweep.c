/* bench_sweep.c: `quoter sweep` of 64 combinations with --jobs 1 against one `quoter
 * backtest` of the same config and data, measured in the same run, alternating, several times
 * each: the medians and their ratio (issue 11 asks for at most 8). Each is a process of its
 * own, as a user runs them. usage: bench_sweep QUOTER CONFIG FILE... */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"

#define RUNS 5

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bench_sweep QUOTER CONFIG FILE...\n");
        return 2;
    }
    char out[] = "/tmp/bench_sweep_XXXXXX";
    if (!mkdtemp(out)) return 1;
    char *bt[64], *sw[64];
    int nb = 0, ns = 0;
    bt[nb++] = argv[1]; bt[nb++] = "backtest"; bt[nb++] = "-c"; bt[nb++] = argv[2];
    /* 4 x 4 x 4 = 64 combinations of the ladder's and the seed loop's common knobs */
    sw[ns++] = argv[1]; sw[ns++] = "sweep"; sw[ns++] = "-q"; sw[ns++] = "-c"; sw[ns++] = argv[2];
    sw[ns++] = "--jobs"; sw[ns++] = "1"; sw[ns++] = "--out"; sw[ns++] = out;
    sw[ns++] = "--grid"; sw[ns++] = "strategy.spread=2,2.5,3,4";
    sw[ns++] = "--grid"; sw[ns++] = "strategy.refresh_tolerance=300,500,700,1000";
    sw[ns++] = "--grid"; sw[ns++] = "strategy.max_order_age=5,15,30,60";
    for (int i = 3; i < argc && nb < 60; i++) bt[nb++] = sw[ns++] = argv[i];
    bt[nb] = sw[ns] = 0;
    double tb[RUNS], ts[RUNS];
    for (int r = 0; r < RUNS; r++) {
        tb[r] = run_quiet(bt, 0);
        ts[r] = run_quiet(sw, 0);
    }
    double b = median(tb, RUNS), s = median(ts, RUNS);
    printf("one backtest            %.3f s (median of %d)\n", b, RUNS);
    printf("sweep of 64, --jobs 1   %.3f s (median of %d): %.2f ms a combination\n", s, RUNS, s / 64 * 1e3);
    printf("ratio                   %.2f (issue 11: at most 8)\n", s / b);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", out);
    if (system(cmd)) return 1;
    return s / b <= 8 ? 0 : 3;
}
