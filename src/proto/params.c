/* params.c: Binance request parameters and their strict readers (see params.h). */
#include "params.h"
#include "errors.h"

#include "sign.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void params_reset(params_t *p) {
    p->n = 0;
    p->plen = 0;
    p->payload[0] = 0;
    p->sig[0] = 0;
    p->has_sig = 0;
    p->code = 0;
    p->msg[0] = 0;
}

static int fail(params_t *p, int code, const char *fmt, const char *name, size_t nl) {
    if (!p->code) {
        char raw[PARAM_NAME_MAX], safe[PARAM_NAME_MAX * 2];
        if (nl >= sizeof raw) nl = sizeof raw - 1;
        memcpy(raw, name, nl);
        raw[nl] = 0;
        proto_json_escape(raw, safe, sizeof safe); /* the message may quote what was sent */
        p->code = code;
        snprintf(p->msg, sizeof p->msg, fmt, safe);
    }
    return p->code;
}

static int payload_add(params_t *p, const char *s, size_t n) {
    if ((size_t)p->plen + n >= sizeof p->payload) {
        if (!p->code) {
            p->code = BE_TOO_MANY_PARAMETERS;
            snprintf(p->msg, sizeof p->msg, "Request too long; the parameters may take %d bytes.", PARAMS_PAYLOAD_MAX - 1);
        }
        return p->code;
    }
    memcpy(p->payload + p->plen, s, n);
    p->plen += (int)n;
    p->payload[p->plen] = 0;
    return 0;
}

int params_add(params_t *p, const char *k, size_t kl, const char *v, size_t vl) {
    if (p->code) return p->code;
    if (kl == 9 && !memcmp(k, "signature", 9)) {
        if (p->has_sig) return fail(p, BE_TOO_MANY_PARAMETERS, "Duplicate values for a parameter detected: '%s'.", k, kl);
        if (vl >= sizeof p->sig) return fail(p, BE_INVALID_SIGNATURE, "Signature for this request is not valid.", k, kl);
        if (memchr(v, 0, vl)) /* "%00" in a form body: stored cut short, what follows would go unread */
            return fail(p, BE_ILLEGAL_CHARS, "Illegal characters found in parameter '%s'.", k, kl);
        memcpy(p->sig, v, vl);
        p->sig[vl] = 0;
        p->has_sig = 1;
        return 0;
    }
    if (kl == 0 || kl >= PARAM_NAME_MAX) return fail(p, BE_ILLEGAL_CHARS, "Illegal characters found in a parameter name.", k, 0);
    for (int i = 0; i < p->n; i++)
        if (strlen(p->k[i]) == kl && !memcmp(p->k[i], k, kl))
            return fail(p, BE_TOO_MANY_PARAMETERS, "Duplicate values for a parameter detected: '%s'.", k, kl);
    if (vl >= PARAM_VALUE_MAX)
        return fail(p, BE_ILLEGAL_CHARS, "Illegal characters found in parameter '%s'; the value is too long.", k, kl);
    if (memchr(v, 0, vl) || memchr(k, 0, kl))
        return fail(p, BE_ILLEGAL_CHARS, "Illegal characters found in parameter '%s'.", k, kl);
    if (p->n == PARAMS_MAX) return fail(p, BE_TOO_MANY_PARAMETERS, "Too many parameters; expected at most 32 and received more ('%s').", k, kl);
    memcpy(p->k[p->n], k, kl); /* (on every order's path: no snprintf) */
    p->k[p->n][kl] = 0;
    memcpy(p->v[p->n], v, vl);
    p->v[p->n][vl] = 0;
    p->n++;
    return 0;
}

int params_add_query(params_t *p, const char *kv, size_t n) {
    if (p->code) return p->code;
    if (!n) return 0; /* "a=1&&b=2" */
    const char *eq = memchr(kv, '=', n);
    size_t kl = eq ? (size_t)(eq - kv) : n;
    const char *v = eq ? eq + 1 : "";
    size_t vl = eq ? n - kl - 1 : 0;
    if (params_add(p, kv, kl, v, vl)) return p->code;
    if (kl == 9 && !memcmp(kv, "signature", 9)) return 0;
    char enc[3 * PARAM_VALUE_MAX + 1];
    if (p->plen && payload_add(p, "&", 1)) return p->code;
    int el = sign_pct_encode(kv, kl, enc, sizeof enc);
    if (el < 0 || payload_add(p, enc, (size_t)el) || payload_add(p, "=", 1)) return fail(p, BE_TOO_MANY_PARAMETERS, "Request too long.", "", 0);
    el = sign_pct_encode(v, vl, enc, sizeof enc);
    if (el < 0 || payload_add(p, enc, (size_t)el)) return fail(p, BE_TOO_MANY_PARAMETERS, "Request too long.", "", 0);
    return 0;
}

static int hexval(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* form decoding (%XX and '+'); the length, or -1 when it does not fit */
static long form_decode(const char *in, size_t n, char *out, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (o + 1 >= cap) return -1;
        if (in[i] == '%' && i + 2 < n && hexval(in[i + 1]) >= 0 && hexval(in[i + 2]) >= 0) {
            out[o++] = (char)(hexval(in[i + 1]) * 16 + hexval(in[i + 2]));
            i += 2;
        } else {
            out[o++] = in[i] == '+' ? ' ' : in[i];
        }
    }
    out[o] = 0;
    return (long)o;
}

int params_add_form(params_t *p, const char *s, size_t len) {
    const char *b = s, *end = s + len;
    int first = 1; /* the body follows the query with nothing between (Binance's payload rule) */
    while (b < end && !p->code) {
        const char *amp = memchr(b, '&', (size_t)(end - b));
        size_t n = amp ? (size_t)(amp - b) : (size_t)(end - b);
        const char *eq = memchr(b, '=', n);
        char k[PARAM_NAME_MAX], v[PARAM_VALUE_MAX];
        long kl = form_decode(b, eq ? (size_t)(eq - b) : n, k, sizeof k);
        long vl = eq ? form_decode(eq + 1, n - (size_t)(eq - b) - 1, v, sizeof v) : (v[0] = 0, 0);
        if (n) {
            if (kl < 0) return fail(p, BE_ILLEGAL_CHARS, "Illegal characters found in a parameter name.", "", 0);
            if (vl < 0) return fail(p, BE_ILLEGAL_CHARS, "Illegal characters found in parameter '%s'; the value is too long.", k, (size_t)kl);
            if (params_add(p, k, (size_t)kl, v, (size_t)vl)) return p->code;
            if (!(kl == 9 && !memcmp(k, "signature", 9))) {
                if (!first && payload_add(p, "&", 1)) return p->code;
                if (payload_add(p, b, n)) return p->code; /* as sent: already encoded */
                first = 0;
            }
        }
        b += n + 1;
    }
    return p->code;
}

int params_sort_payload(params_t *p) {
    if (p->code) return p->code;
    const char *k[PARAMS_MAX], *v[PARAMS_MAX];
    for (int i = 0; i < p->n; i++) {
        k[i] = p->k[i];
        v[i] = p->v[i];
    }
    p->plen = sign_sorted_payload(k, v, p->n, p->payload, sizeof p->payload);
    if (p->plen < 0) {
        p->plen = 0;
        return fail(p, BE_TOO_MANY_PARAMETERS, "Request too long.", "", 0);
    }
    return 0;
}

const char *params_get(const params_t *p, const char *k) {
    for (int i = 0; i < p->n; i++)
        if (!strcmp(p->k[i], k)) return p->v[i];
    return 0;
}

int proto_parse_u64(const char *s, uint64_t *out) {
    if (!s || !*s) return -1;
    uint64_t x = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        unsigned d = (unsigned)(*s - '0');
        if (x > (UINT64_MAX - d) / 10) return -1;
        x = x * 10 + d;
    }
    *out = x;
    return 0;
}

int proto_parse_i64(const char *s, int64_t *out) {
    if (!s) return -1;
    int neg = *s == '-';
    uint64_t u;
    if (proto_parse_u64(s + neg, &u)) return -1;
    if (u > (uint64_t)INT64_MAX + (uint64_t)neg) return -1;
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return 0;
}

int proto_parse_fixed(const char *s, int places, int64_t *out) {
    if (!s || !*s || *s == '.') return -1;
    int64_t x = 0;
    int frac = -1; /* decimals seen, -1 before the point */
    for (; *s; s++) {
        if (*s == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (*s < '0' || *s > '9') return -1;
        if (frac >= 0 && ++frac > places) return -2;
        int d = *s - '0';
        if (x > (INT64_MAX - d) / 10) return -1; /* exact: INT64_MAX itself still fits */
        x = x * 10 + d;
    }
    if (frac == 0) return -1; /* "12." */
    for (int i = frac < 0 ? 0 : frac; i < places; i++) {
        if (x > INT64_MAX / 10) return -1;
        x *= 10;
    }
    *out = x;
    return 0;
}

int proto_utf8_ok(const char *str, size_t n) {
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t l = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!l || i + l > n) return 0;
        for (size_t k = 1; k < l; k++)
            if ((s[i + k] & 0xC0) != 0x80) return 0;
        i += l;
    }
    return 1;
}

int proto_valid_id(const char *s) {
    size_t n = strlen(s);
    if (n < 1 || n > 36) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return 0;
    return 1;
}

void proto_jb(proto_jbuf_t *j, const char *fmt, ...) {
    if (j->over) return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(j->b + j->n, j->cap - j->n, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= j->cap - j->n) j->over = 1;
    else j->n += (size_t)w;
}

void proto_json_escape(const char *in, char *out, size_t cap) {
    size_t o = 0;
    if (!cap) return;
    for (const unsigned char *s = (const unsigned char *)in; *s && o + 7 < cap; s++) {
        if (*s == '"' || *s == '\\') {
            out[o++] = '\\';
            out[o++] = (char)*s;
        } else if (*s < 0x20) {
            static const char hex[] = "0123456789abcdef";
            memcpy(out + o, "\\u00", 4);
            out[o + 4] = hex[*s >> 4];
            out[o + 5] = hex[*s & 15];
            o += 6;
        } else if (*s >= 0xC0) {
            /* a UTF-8 sequence is copied whole (there is room: 7 bytes), so a text cut short
               ends between characters, never inside one; a broken one goes byte by byte */
            size_t l = *s >= 0xF0 ? 4 : *s >= 0xE0 ? 3 : 2, k = 1;
            while (k < l && (s[k] & 0xC0) == 0x80) k++;
            if (k < l) l = 1;
            memcpy(out + o, s, l);
            o += l;
            s += l - 1;
        } else {
            out[o++] = (char)*s;
        }
    }
    out[o] = 0;
}
