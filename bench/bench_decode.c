/* bench_decode.c: decoding bookTicker messages from the shared recording into typed
 * fields (prices and quantities as exact integers), our decoder against cJSON
 * (a general parser, fields then converted the same way). Prints medians over rounds of
 * per-message time. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "bench_util.h"
#include "feed/decode.h"
#include "feed/recording.h"

#define ROUNDS 21

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : QUOTER_DATA "/binance-spot/btcusdt_20240808.gz";
    char *buf = 0, err[256];
    size_t len = 0, cap = 0;
    if (recording_load_file(path, &buf, &len, &cap, err, sizeof err)) {
        printf("bench_decode: SKIP (%s)\n", err);
        return 0;
    }
    /* the bookTicker messages, JSON only */
    static const char *msg[100000];
    static size_t mlen[100000];
    int n = 0;
    for (char *p = buf; p < buf + len && n < 100000;) {
        char *nl = memchr(p, '\n', (size_t)(buf + len - p));
        if (!nl) break;
        char *sp = memchr(p, ' ', (size_t)(nl - p));
        if (sp && memmem(sp, (size_t)(nl - sp), "@bookTicker", 11) && (size_t)(nl - sp) > 1) {
            msg[n] = sp + 1;
            mlen[n] = (size_t)(nl - sp - 1);
            n++;
        }
        p = nl + 1;
    }
    fx_unit_t tick, lot;
    fx_unit_parse("0.01", 4, &tick);
    fx_unit_make(8, 1, &lot);
    static md_level_t levels[16];
    md_decoder_t d;
    md_decoder_init(&d, &tick, &lot, "BTCUSDT", levels, 16);
    md_event_t ev;
    double ours[ROUNDS], theirs[ROUNDS];
    int64_t check = 0;
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now_s();
        for (int i = 0; i < n; i++) {
            md_decode(&d, msg[i], mlen[i], &ev);
            check += ev.u.bbo.bid + ev.u.bbo.ask_qty;
        }
        ours[r] = (now_s() - t0) / n * 1e9;
        t0 = now_s();
        for (int i = 0; i < n; i++) {
            cJSON *root = cJSON_ParseWithLength(msg[i], mlen[i]);
            cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
            const char *keys[4] = {"b", "B", "a", "A"};
            int64_t v[4];
            for (int k = 0; k < 4; k++) {
                cJSON *f = cJSON_GetObjectItemCaseSensitive(data, keys[k]);
                fx_parse(f->valuestring, strlen(f->valuestring), k % 2 ? &lot : &tick, &v[k]);
            }
            check -= v[0] + v[3];
            (void)cJSON_GetObjectItemCaseSensitive(data, "u")->valuedouble;
            cJSON_Delete(root);
        }
        theirs[r] = (now_s() - t0) / n * 1e9;
    }
    double mo = median(ours, ROUNDS), mt = median(theirs, ROUNDS);
    printf("decode bookTicker: %d messages, median %.1f ns/message (cJSON + same conversion: %.1f ns, %.1fx slower)%s\n",
           n, mo, mt, mt / mo, check ? " CHECK MISMATCH" : "");
    free(buf);
    return check != 0;
}
