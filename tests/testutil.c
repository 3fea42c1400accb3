/* testutil.c: see testutil.h */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "feed/recording.h"

const char *tu_data_dir(void) {
    const char *env = getenv("QUOTER_DATA");
    struct stat st;
    if (env && *env && stat(env, &st) == 0) return env;
    if (stat(QUOTER_DATA, &st) == 0) return QUOTER_DATA;
    return NULL;
}

static const char *find(const char *rel) {
    static char buf[8][1024];
    static int k;
    const char *d = tu_data_dir();
    struct stat st;
    char *p = buf[k++ % 8];
    if (d) snprintf(p, 1024, "%s/%s", d, rel);
    if (!d || stat(p, &st) != 0) {
        printf("SKIP: shared data %s not found (set QUOTER_DATA to the shared/data folder)\n", rel);
        return NULL;
    }
    return p;
}

const char *tu_data_path(const char *rel) {
    const char *p = find(rel);
    if (!p) skip();
    return p;
}

void tu_recordings(char *files[2]) {
    files[0] = (char *)tu_data_path("binance-spot/btcusdt_20240808.gz");
    files[1] = (char *)tu_data_path("binance-spot/btcusdt_20240809.gz");
}

void tu_open_recordings(replay_t *rp, symbol_rules_t *r) {
    static char *files[2]; /* the replay keeps the list */
    tu_btcusdt(r);
    tu_recordings(files);
    assert_int_equal(replay_open(rp, files, 2, r), 0);
}

const char *tu_require_data(const char *rel) {
    const char *p = find(rel);
    if (!p) exit(77);
    return p;
}

void tu_rules(symbol_rules_t *r, const char *symbol, const char *tick, const char *step) {
    memset(r, 0, sizeof *r);
    snprintf(r->symbol, sizeof r->symbol, "%s", symbol);
    fx_unit_t s;
    if (fx_unit_parse(tick, strlen(tick), &r->tick) || fx_unit_parse(step, strlen(step), &s) ||
        symbol_set_step(r, &s)) {
        fprintf(stderr, "bad test rules\n");
        exit(1);
    }
}

void tu_btcusdt(symbol_rules_t *r) {
    tu_rules(r, "BTCUSDT", "0.01", "0.00001");
    r->min_qty = 1000;       /* 0.00001 */
    r->max_qty = 900000000000; /* 9000 */
    symbol_notional_parse(r, "5", &r->min_notional);
}

char *tu_read(const char *path, size_t *len) {
    char *buf = 0, err[256];
    size_t cap = 0;
    if (recording_load_file(path, &buf, len, &cap, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    buf = realloc(buf, *len + 1);
    buf[*len] = 0;
    return buf;
}

md_event_t tu_trade(int64_t price, int64_t qty, int buyer_maker) {
    md_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.type = MD_TRADE;
    ev.u.trade.price = price;
    ev.u.trade.qty = qty;
    ev.u.trade.buyer_maker = buyer_maker;
    return ev;
}

const char *const tu_doc_secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
const char *const tu_ed_private = "-----BEGIN PRIVATE KEY-----\n"
                                  "MC4CAQAwBQYDK2VwBCIEIKI4mh5XFcRqapvCS83+bfJfJbEOe5CcUn9bZlMPitR3\n"
                                  "-----END PRIVATE KEY-----\n";
const char *const tu_ed_public = "-----BEGIN PUBLIC KEY-----\n"
                                 "MCowBQYDK2VwAyEAvtQfkgDxA3FfP/l8RNC4VZLRSrUvddtlUUB75vSt/FQ=\n"
                                 "-----END PUBLIC KEY-----\n";
