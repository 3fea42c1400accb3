/* bench_backtest.c: a whole backtest over the shared BTCUSDT recordings against
 * decompressing the same files alone, measured in the same run, alternating, several times
 * each: medians, their ratios, and the backtest's peak memory. Two floors: zcat (zlib, as
 * people measure it) and libdeflate's own whole-buffer decompression, the fastest there is
 * (what libdeflate-gunzip does; this program does it itself, `bench_backtest --inflate
 * FILE...`, in a process of its own like the others, so no package is needed for it). */
#include <fcntl.h>
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"

#define RUNS 7

/* --inflate: each file read whole, then every gzip member decompressed by libdeflate */
static int inflate_files(int n, char **files) {
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    size_t cap = 64u << 20;
    char *out = malloc(cap);
    if (!d || !out) return 1;
    for (int i = 0; i < n; i++) {
        FILE *f = fopen(files[i], "rb");
        if (!f) return 1;
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        rewind(f);
        char *in = malloc((size_t)len);
        if (!in || fread(in, 1, (size_t)len, f) != (size_t)len) return 1;
        fclose(f);
        for (size_t off = 0; off < (size_t)len;) {
            size_t used = 0, got = 0;
            enum libdeflate_result r;
            while ((r = libdeflate_gzip_decompress_ex(d, in + off, (size_t)len - off, out, cap, &used, &got)) ==
                   LIBDEFLATE_INSUFFICIENT_SPACE) {
                free(out);
                cap *= 2;
                if (!(out = malloc(cap))) return 1;
            }
            if (r != LIBDEFLATE_SUCCESS || !used) return 1;
            off += used;
        }
        free(in);
    }
    free(out);
    libdeflate_free_decompressor(d);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "--inflate")) return inflate_files(argc - 2, argv + 2);
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
    char *ld[] = {argv[0], "--inflate", f1, f2, 0};
    double tb[RUNS], tz[RUNS], tl[RUNS], ratio[RUNS], lratio[RUNS];
    long rss = 0, r;
    run_quiet(bt, &r); /* warm the page cache */
    run_quiet(zc, 0);
    run_quiet(ld, 0);
    for (int i = 0; i < RUNS; i++) {
        tz[i] = run_quiet(zc, 0);
        tl[i] = run_quiet(ld, 0);
        tb[i] = run_quiet(bt, &r);
        if (r > rss) rss = r;
        ratio[i] = tb[i] / tz[i];
        lratio[i] = tb[i] / tl[i];
    }
    double mr = median(ratio, RUNS);
    printf("backtest vs zcat: backtest median %.1f ms, zcat median %.1f ms, ratio median %.2f (target <= 2, goal 1.2)\n",
           median(tb, RUNS) * 1e3, median(tz, RUNS) * 1e3, mr);
    printf("backtest vs libdeflate's whole-buffer decompression: libdeflate median %.1f ms, ratio median %.2f\n",
           median(tl, RUNS) * 1e3, median(lratio, RUNS));
    printf("backtest peak memory: %.1f MB (target < 64)\n", (double)rss / 1024.0);
    return 0;
}
