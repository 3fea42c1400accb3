/* streams.c: the market data streams of the local exchange: /ws/<stream>, the combined
 * /stream?streams=..., and SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS on the connection. */
#include "state.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const stream_suffix[MS_NSTREAMS] = {
    "@trade",   "@bookTicker", "@depth@100ms", "@aggTrade",        "@depth",          "@depth5",
    "@depth10", "@depth20",    "@depth5@100ms", "@depth10@100ms", "@depth20@100ms", "@ticker", "@miniTicker"};

/* "btcusdt@trade" -> its bit, and in *sym its symbol's index; or -1 */
int stream_bit(const char *name, size_t n, int *sym) {
    for (int i = 0; i < S.nsym; i++) {
        const char *lower = S.sym[i].mkt.lower;
        size_t sl = strlen(lower);
        if (n <= sl || strncmp(name, lower, sl) || name[sl] != '@') continue;
        for (int k = 0; k < MS_NSTREAMS; k++)
            if (n - sl == strlen(stream_suffix[k]) && !memcmp(name + sl, stream_suffix[k], n - sl)) {
                *sym = i;
                return k;
            }
    }
    return -1;
}

/* a market message of symbol ctx (an xsym_t) to its stream's subscribers */
void on_market(void *ctx, market_stream_t s, const char *json, int len) {
    const xsym_t *x = ctx;
    int si = (int)(x - S.sym), listeners = 0;
    for (pss_t *c = S.conns; c && !listeners; c = c->next) listeners = (c->subs[si] >> s) & 1;
    if (!listeners) return;
    if (s == MS_DEPTH_100MS && S.f.skip_diffs > 0) { /* only diffs someone would have seen count */
        S.f.skip_diffs--;
        lwsl_user("fault: depth diff not sent (%d more to skip)\n", S.f.skip_diffs);
        return;
    }
    /* one frame for the raw subscribers and one for the combined ones, shared by each */
    static char wrapped[(1 << 20) + 128];
    frame_t *raw = 0, *comb = 0;
    for (pss_t *c = S.conns; c; c = c->next) {
        if (!(c->subs[si] & (1u << s)) || c->too_slow) continue;
        frame_t **f = c->combined ? &comb : &raw;
        if (!*f) {
            if (c->combined) {
                int wl = snprintf(wrapped, sizeof wrapped, "{\"stream\":\"%s%s\",\"data\":%.*s}", x->mkt.lower,
                                  stream_suffix[s], len, json);
                if (wl > 0 && wl < (int)sizeof wrapped) *f = frame_new(wrapped, wl);
            } else {
                *f = frame_new(json, len);
            }
        }
        if (*f) enqueue_frame(c, *f);
    }
    if (raw && !raw->refs) free(raw);
    if (comb && !comb->refs) free(comb);
    if (s == MS_BOOKTICKER) reaction_bbo(json, len);
}

static void send_text(pss_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void send_text(pss_t *c, const char *fmt, ...) {
    char b[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    if (n > 0 && n < (int)sizeof b) enqueue(c, b, n);
}

/* parses "a/b/c" stream lists (combined URLs) into subscription bits */
void subscribe_list(pss_t *c, const char *list) {
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        int si, bit = stream_bit(p, n, &si);
        if (bit >= 0) c->subs[si] |= 1u << bit;
        p += n + (e ? 1 : 0);
    }
}

void ws_request(pss_t *c, const char *msg, size_t len) {
    const char *end = 0;
    cJSON *j = cJSON_ParseWithLengthOpts(msg, len, &end, 0);
    for (const char *e = end; j && e && e < msg + len; e++) /* text after the JSON value: invalid */
        if (*e != ' ' && *e != '\t' && *e != '\r' && *e != '\n') {
            cJSON_Delete(j);
            j = 0;
            break;
        }
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "method"), *id = cJSON_GetObjectItemCaseSensitive(j, "id"),
                *params = cJSON_GetObjectItemCaseSensitive(j, "params");
    char idtxt[64] = "null"; /* echoed when it is an integer or a plain string, as on the WebSocket API */
    if (cJSON_IsNumber(id) && id->valuedouble == floor(id->valuedouble) && fabs(id->valuedouble) < 9e18)
        snprintf(idtxt, sizeof idtxt, "%lld", (long long)id->valuedouble);
    else if (cJSON_IsString(id) && proto_valid_id(id->valuestring))
        snprintf(idtxt, sizeof idtxt, "\"%s\"", id->valuestring);
    if (!j) {
        send_text(c, "{\"error\":{\"code\":3,\"msg\":\"Invalid JSON: expected value at line 1 column 1\"},\"id\":%s}", idtxt);
    } else if (!cJSON_IsString(m)) {
        send_text(c, "{\"error\":{\"code\":2,\"msg\":\"Invalid request: missing field `method`\"},\"id\":%s}", idtxt);
    } else if (!strcmp(m->valuestring, "SUBSCRIBE") || !strcmp(m->valuestring, "UNSUBSCRIBE")) {
        int sub = m->valuestring[0] == 'S', bad = !cJSON_IsArray(params);
        uint32_t bits[LISTING_MAX] = {0};
        const cJSON *p;
        cJSON_ArrayForEach(p, params) {
            int si = 0, bit = cJSON_IsString(p) ? stream_bit(p->valuestring, strlen(p->valuestring), &si) : -1;
            if (bit < 0) bad = 1;
            else bits[si] |= 1u << bit;
        }
        if (bad) {
            send_text(c, "{\"error\":{\"code\":2,\"msg\":\"Invalid request: unknown stream or malformed params\"},\"id\":%s}", idtxt);
        } else {
            for (int i = 0; i < S.nsym; i++) c->subs[i] = sub ? c->subs[i] | bits[i] : c->subs[i] & ~bits[i];
            send_text(c, "{\"result\":null,\"id\":%s}", idtxt);
        }
    } else if (!strcmp(m->valuestring, "LIST_SUBSCRIPTIONS")) {
        char list[7680]; /* LISTING_MAX symbols x MS_NSTREAMS names fit */
        int n = 0;
        for (int i = 0; i < S.nsym; i++)
            for (int k = 0; k < MS_NSTREAMS; k++)
                if (c->subs[i] & (1u << k))
                    n += snprintf(list + n, sizeof list - (size_t)n, "%s\"%s%s\"", n ? "," : "", S.sym[i].mkt.lower,
                                  stream_suffix[k]);
        list[n] = 0;
        send_text(c, "{\"result\":[%s],\"id\":%s}", list, idtxt);
    } else if (!strcmp(m->valuestring, "SET_PROPERTY") || !strcmp(m->valuestring, "GET_PROPERTY")) {
        /* one property, "combined": whether events come wrapped as {"stream","data"} */
        int set = m->valuestring[0] == 'S', np = cJSON_GetArraySize(params);
        const cJSON *name = cJSON_GetArrayItem(params, 0), *val = cJSON_GetArrayItem(params, 1);
        if (!cJSON_IsArray(params) || !cJSON_IsString(name))
            send_text(c, "{\"error\":{\"code\":2,\"msg\":\"Invalid request: property name must be a string\"},\"id\":%s}", idtxt);
        else if (np > (set ? 2 : 1))
            send_text(c, "{\"error\":{\"code\":2,\"msg\":\"Invalid request: too many parameters\"},\"id\":%s}", idtxt);
        else if (strcmp(name->valuestring, "combined"))
            send_text(c, "{\"error\":{\"code\":0,\"msg\":\"Unknown property\"},\"id\":%s}", idtxt);
        else if (set && !cJSON_IsBool(val))
            send_text(c, "{\"error\":{\"code\":1,\"msg\":\"Invalid value type: expected Boolean\"},\"id\":%s}", idtxt);
        else if (set) {
            c->combined = cJSON_IsTrue(val);
            send_text(c, "{\"result\":null,\"id\":%s}", idtxt);
        } else {
            send_text(c, "{\"result\":%s,\"id\":%s}", c->combined ? "true" : "false", idtxt);
        }
    } else {
        char esc[64];
        proto_json_escape(m->valuestring, esc, sizeof esc); /* it quotes what the client sent */
        send_text(c, "{\"error\":{\"code\":2,\"msg\":\"Invalid request: unknown variant %s, expected one of `SUBSCRIBE`, "
                     "`UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`\"},\"id\":%s}", esc, idtxt);
    }
    cJSON_Delete(j);
}

