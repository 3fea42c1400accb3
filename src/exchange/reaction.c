/* reaction.c: a measurement hook for bench/bench_reaction, off unless the environment
 * variable QUOTER_REACTION_LOG names a file. It stamps (monotonic ns) each bookTicker sent to
 * a subscriber whose bid or ask price differs from the one sent before, and when the next
 * order request (order.place, order.cancel, order.cancelReplace, order.amend) arrives on the
 * WebSocket API, writes one line "<ns from that bookTicker to the request> <ns since the
 * request before>" to the file. Only the latest price move counts: one that no order
 * follows before the next move is simply replaced. */
#define _GNU_SOURCE /* memmem */
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int on = -1;            /* -1 not looked at yet, 0 off, 1 on */
static FILE *out;
static int64_t moved_ns;       /* the last price-moving bookTicker not yet answered (0: none) */
static int64_t last_req_ns;
static char last_b[32], last_a[32];
static int lines;

static int enabled(void) {
    if (on < 0) {
        const char *path = getenv("QUOTER_REACTION_LOG");
        out = path && *path ? fopen(path, "w") : NULL;
        on = out != NULL;
    }
    return on;
}

/* the value of "k":"..." in a bookTicker, into v */
static void field(const char *json, int len, const char *k, char *v, size_t cap) {
    const char *p = memmem(json, (size_t)len, k, strlen(k));
    v[0] = 0;
    if (!p) return;
    p += strlen(k);
    size_t n = 0;
    while (p < json + len && *p != '"' && n + 1 < cap) v[n++] = *p++;
    v[n] = 0;
}

void reaction_bbo(const char *json, int len) {
    if (!enabled()) return;
    char b[32], a[32];
    field(json, len, "\"b\":\"", b, sizeof b);
    field(json, len, "\"a\":\"", a, sizeof a);
    if (!strcmp(b, last_b) && !strcmp(a, last_a)) return;
    memcpy(last_b, b, sizeof b);
    memcpy(last_a, a, sizeof a);
    moved_ns = mono_ns();
}

void reaction_request(const char *msg, size_t len) {
    if (!enabled()) return;
    if (!memmem(msg, len, "\"order.place\"", 13) && !memmem(msg, len, "\"order.cancel\"", 14) &&
        !memmem(msg, len, "\"order.cancelReplace\"", 21) && !memmem(msg, len, "\"order.amend", 12))
        return;
    int64_t t = mono_ns();
    if (moved_ns) {
        fprintf(out, "%lld %lld\n", (long long)(t - moved_ns), (long long)(last_req_ns ? t - last_req_ns : -1));
        if (++lines % 64 == 0) fflush(out);
    }
    moved_ns = 0;
    last_req_ns = t;
}

void reaction_close(void) {
    if (out) fclose(out);
    out = NULL;
    on = 0;
}
