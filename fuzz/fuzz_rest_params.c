/* fuzz_rest_params.c: libFuzzer target for the REST parameter parser and the strict readers
 * (proto/params.c), checked against a small independent model of what they must do.
 *
 * Input: a first byte of flags, then the query and the body, separated by the first '\n'.
 * The query is cut into fragments as lws hands them over: at '&' (flags & 1) or at NUL
 * (else; lws decodes %26, so a fragment may hold '&'). flags & 2: no body at all.
 * flags & 4: the fragments go through params_add() and params_sort_payload() instead, as
 * the WebSocket API's params do. Every stored value also goes through the strict readers.
 *
 * Invariants: never more than PARAMS_MAX parameters; the payload NUL-terminated within its
 * buffer; the request succeeds exactly when the model says every parameter fits (names of
 * 1..63 bytes, values under 1024, no NUL, no name twice, at most 32, the payload under
 * 16384), and then every parameter is stored whole and the payload is what was signed;
 * the readers accept exactly the texts of their grammar and round-trip what they print. */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/params.h"
#include "proto/sign.h"

#define CHECK(c)                                                                 \
    do {                                                                         \
        if (!(c)) {                                                              \
            fprintf(stderr, "fuzz_rest_params: %s:%d: %s\n", __FILE__, __LINE__, #c); \
            __builtin_trap();                                                    \
        }                                                                        \
    } while (0)

/* the model's view of one parameter */
typedef struct mparam {
    const char *k, *v; /* decoded, may hold NUL */
    size_t kl, vl;
    const char *raw;   /* form: the fragment as sent */
    size_t rawl;
    int form;
} mparam_t;

#define MMAX 512
static mparam_t mp[MMAX];
static char mbuf[1 << 17]; /* decoded form names and values */

static int hexv(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static size_t model_form_decode(const char *in, size_t n, char *out) {
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '%' && i + 2 < n && hexv((unsigned char)in[i + 1]) >= 0 && hexv((unsigned char)in[i + 2]) >= 0) {
            out[o++] = (char)(hexv((unsigned char)in[i + 1]) * 16 + hexv((unsigned char)in[i + 2]));
            i += 2;
        } else {
            out[o++] = in[i] == '+' ? ' ' : in[i];
        }
    }
    return o;
}

static int is_sig(const mparam_t *m) { return m->kl == 9 && !memcmp(m->k, "signature", 9); }

static size_t pct_len(const char *s, size_t n) {
    size_t l = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                   c == '_' || c == '~';
        l += keep ? 1 : 3;
    }
    return l;
}

/* ---- the strict readers ------------------------------------------------------------- */

static void check_u64(const char *s) {
    uint64_t x = 12345;
    int rc = proto_parse_u64(s, &x);
    /* model: ^[0-9]+$ and at most UINT64_MAX */
    size_t n = strlen(s);
    int digits = n > 0;
    unsigned __int128 m = 0;
    int over = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') digits = 0;
        else if (!over) {
            m = m * 10 + (unsigned)(s[i] - '0');
            if (m > UINT64_MAX) over = 1;
        }
    }
    CHECK((rc == 0) == (digits && !over));
    if (rc == 0) {
        CHECK(x == (uint64_t)m);
        char b[32];
        snprintf(b, sizeof b, "%" PRIu64, x);
        uint64_t y;
        CHECK(proto_parse_u64(b, &y) == 0 && y == x);
    } else {
        CHECK(x == 12345); /* untouched on failure */
    }
}

static void check_i64(const char *s) {
    int64_t x = 12345;
    int rc = proto_parse_i64(s, &x);
    int neg = s[0] == '-';
    const char *d = s + neg;
    size_t n = strlen(d);
    int digits = n > 0;
    unsigned __int128 m = 0;
    int over = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] < '0' || d[i] > '9') digits = 0;
        else if (!over) {
            m = m * 10 + (unsigned)(d[i] - '0');
            if (m > (unsigned __int128)INT64_MAX + (unsigned)neg) over = 1;
        }
    }
    CHECK((rc == 0) == (digits && !over));
    if (rc == 0) {
        CHECK(neg ? (__int128)x == -(__int128)m : (__int128)x == (__int128)m);
        char b[32];
        snprintf(b, sizeof b, "%" PRId64, x);
        int64_t y;
        CHECK(proto_parse_i64(b, &y) == 0 && y == x);
    } else {
        CHECK(x == 12345);
    }
}

static void check_fixed(const char *s, int places) {
    int64_t x = 12345;
    int rc = proto_parse_fixed(s, places, &x);
    /* model: ^[0-9]+(\.[0-9]+)?$ ; -2 when well formed with more than `places` decimals;
       the value scaled by 10^places within int64 */
    size_t n = strlen(s);
    size_t i = 0, ip = 0, fp = 0;
    unsigned __int128 m = 0;
    int over = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        if (!over) m = m * 10 + (unsigned)(s[i] - '0');
        if (m > INT64_MAX) over = 1;
        i++, ip++;
    }
    int point = i < n && s[i] == '.';
    if (point) i++;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        if ((int)fp < places && !over) m = m * 10 + (unsigned)(s[i] - '0');
        if (m > INT64_MAX) over = 1;
        i++, fp++;
    }
    int well = i == n && ip > 0 && (!point || fp > 0);
    if (well && (int)fp > places) {
        CHECK(rc == -2 || (rc == -1 && over)); /* out of range before the decimals: -1 */
        return;
    }
    for (size_t k = fp; well && !over && (int)k < places; k++) {
        m *= 10;
        if (m > INT64_MAX) over = 1;
    }
    if (!well) {
        /* a malformed text is refused; -2 is allowed when too many decimals came first */
        CHECK(rc == -1 || rc == -2);
        return;
    }
    CHECK((rc == 0) == !over);
    if (rc == 0) {
        CHECK(x == (int64_t)m);
        /* printed back with `places` decimals, it parses to the same value */
        char b[48];
        int64_t p10 = 1;
        for (int k = 0; k < places; k++) p10 *= 10;
        if (places) snprintf(b, sizeof b, "%" PRId64 ".%0*" PRId64, x / p10, places, x % p10);
        else snprintf(b, sizeof b, "%" PRId64, x);
        int64_t y;
        CHECK(proto_parse_fixed(b, places, &y) == 0 && y == x);
    } else {
        CHECK(rc == -1 && x == 12345);
    }
}

static void check_id(const char *s) {
    size_t n = strlen(s);
    int ok = n >= 1 && n <= 36;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) ok = 0;
    }
    CHECK(proto_valid_id(s) == ok);
}


static void check_escape(const char *s, size_t cap) {
    static char out[PARAM_VALUE_MAX * 6 + 8];
    if (cap > sizeof out) cap = sizeof out;
    memset(out, 'X', cap);
    proto_json_escape(s, out, cap);
    if (!cap) return;
    size_t ol = strnlen(out, cap);
    CHECK(ol < cap); /* terminated inside the buffer */
    /* JSON string text: no raw control character, no bare quote, escapes complete;
       unescaped, a prefix of the input (the whole input when it fitted) */
    size_t in = 0, sl = strlen(s);
    for (size_t i = 0; i < ol; i++) {
        unsigned char c = (unsigned char)out[i];
        CHECK(c >= 0x20 && c != '"');
        if (c == '\\') {
            CHECK(i + 1 < ol);
            char e = out[i + 1];
            if (e == '"' || e == '\\') {
                CHECK(in < sl && s[in] == e);
                i++;
            } else {
                CHECK(e == 'u' && i + 5 < ol && out[i + 2] == '0' && out[i + 3] == '0');
                int h = hexv((unsigned char)out[i + 4]) * 16 + hexv((unsigned char)out[i + 5]);
                CHECK(in < sl && (unsigned char)s[in] == h && h < 0x20);
                i += 5;
            }
        } else {
            CHECK(in < sl && s[in] == (char)c);
        }
        in++;
    }
    if (in < sl) CHECK(cap < 8 || ol + 7 >= cap); /* cut short only for want of room */
    /* cut at a character boundary: valid UTF-8 stays valid */
    if (proto_utf8_ok(s, sl)) CHECK(proto_utf8_ok(out, ol));
}

static void check_readers(const char *v, unsigned places, size_t cap) {
    check_u64(v);
    check_i64(v);
    check_fixed(v, (int)(places % 19));
    check_id(v);
    check_escape(v, cap);
}

/* ---- the parser ----------------------------------------------------------------------- */

static int byname(const void *a, const void *b) {
    const mparam_t *x = *(const mparam_t *const *)a, *y = *(const mparam_t *const *)b;
    return strcmp(x->k, y->k); /* only called on NUL-free names */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static params_t p;
    if (size < 1) return 0;
    unsigned flags = data[0];
    const char *s = (const char *)data + 1, *end = (const char *)data + size;
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *qend = nl ? nl : end;
    int ws = (flags & 4) != 0;
    const char *body = nl && !(flags & 2) && !ws ? nl + 1 : 0;
    size_t blen = body ? (size_t)(end - body) : 0;
    char qsep = (flags & 1) ? '&' : 0;

    params_reset(&p);
    int nm = 0;
    size_t mb = 0;
    /* the query, fragment by fragment */
    for (const char *b = s; b <= qend && nm < MMAX;) {
        const char *f = memchr(b, qsep, (size_t)(qend - b));
        size_t n = f ? (size_t)(f - b) : (size_t)(qend - b);
        if (ws) {
            const char *eq = memchr(b, '=', n);
            size_t kl = eq ? (size_t)(eq - b) : n;
            if (n) params_add(&p, b, kl, eq ? eq + 1 : "", eq ? n - kl - 1 : 0);
        } else {
            params_add_query(&p, b, n);
        }
        if (n) {
            const char *eq = memchr(b, '=', n);
            mparam_t *m = &mp[nm++];
            m->k = b;
            m->kl = eq ? (size_t)(eq - b) : n;
            m->v = eq ? eq + 1 : "";
            m->vl = eq ? n - m->kl - 1 : 0;
            m->form = 0;
        }
        if (!f) break;
        b = f + 1;
    }
    if (body) {
        params_add_form(&p, body, blen);
        for (const char *b = body; b < body + blen && nm < MMAX;) {
            const char *amp = memchr(b, '&', (size_t)(body + blen - b));
            size_t n = amp ? (size_t)(amp - b) : (size_t)(body + blen - b);
            if (n) {
                const char *eq = memchr(b, '=', n);
                mparam_t *m = &mp[nm++];
                size_t kl = eq ? (size_t)(eq - b) : n;
                m->k = mbuf + mb;
                m->kl = model_form_decode(b, kl, mbuf + mb);
                mb += m->kl;
                m->v = mbuf + mb;
                m->vl = eq ? model_form_decode(eq + 1, n - kl - 1, mbuf + mb) : 0;
                mb += m->vl;
                m->raw = b;
                m->rawl = n;
                m->form = 1;
            }
            b += n + 1;
        }
    }
    if (nm == MMAX) return 0; /* the model stopped counting: nothing to compare */
    if (ws) params_sort_payload(&p);

    /* always: bounds and termination */
    CHECK(p.n >= 0 && p.n <= PARAMS_MAX);
    CHECK(p.plen >= 0 && p.plen < PARAMS_PAYLOAD_MAX);
    CHECK(p.payload[p.plen] == 0);
    CHECK(memchr(p.sig, 0, sizeof p.sig));
    CHECK(memchr(p.msg, 0, sizeof p.msg));
    CHECK((p.code == 0) == (p.msg[0] == 0));
    CHECK(p.code == 0 || p.code == -1100 || p.code == -1101 || p.code == -1022);
    for (int i = 0; i < p.n; i++) CHECK(memchr(p.k[i], 0, PARAM_NAME_MAX) && memchr(p.v[i], 0, PARAM_VALUE_MAX));

    /* the model: does every parameter fit? */
    int ok = 1, nsig = 0, nparams = 0;
    size_t plen = 0;
    int first_form = 1;
    for (int i = 0; i < nm; i++) {
        mparam_t *m = &mp[i];
        if (is_sig(m)) {
            if (++nsig > 1 || m->vl >= 256) ok = 0;
            if (memchr(m->v, 0, m->vl)) ok = 0; /* a signature is stored whole too */
            continue;
        }
        if (m->kl == 0 || m->kl >= PARAM_NAME_MAX || m->vl >= PARAM_VALUE_MAX) ok = 0;
        if (memchr(m->k, 0, m->kl) || memchr(m->v, 0, m->vl)) ok = 0;
        for (int j = 0; j < i; j++)
            if (!is_sig(&mp[j]) && mp[j].kl == m->kl && !memcmp(mp[j].k, m->k, m->kl)) ok = 0; /* twice */
        nparams++;
        if (ws) {
            plen += (nparams > 1) + m->kl + 1 + m->vl;
        } else if (!m->form) {
            plen += (plen > 0) + pct_len(m->k, m->kl) + 1 + pct_len(m->v, m->vl);
        } else {
            plen += !first_form + m->rawl;
            first_form = 0;
        }
    }
    if (nparams > PARAMS_MAX || plen >= PARAMS_PAYLOAD_MAX) ok = 0;
    /* a duplicate name always fails */
    if (!ok) {
        CHECK(p.code != 0);
        return 0;
    }
    CHECK(p.code == 0);
    CHECK(p.n == nparams);
    CHECK(p.has_sig == nsig);
    CHECK((size_t)p.plen == plen && strlen(p.payload) == plen);

    /* every parameter stored whole, found by its name */
    static char expect[PARAMS_PAYLOAD_MAX];
    static mparam_t *sorted[MMAX];
    size_t e = 0;
    int ns = 0, first = 1;
    for (int i = 0; i < nm; i++) {
        mparam_t *m = &mp[i];
        char k[PARAM_NAME_MAX], v[PARAM_VALUE_MAX];
        if (is_sig(m)) {
            CHECK(strlen(p.sig) == m->vl && !memcmp(p.sig, m->v, m->vl));
            continue;
        }
        memcpy(k, m->k, m->kl);
        k[m->kl] = 0;
        memcpy(v, m->v, m->vl);
        v[m->vl] = 0;
        const char *got = params_get(&p, k);
        CHECK(got && !strcmp(got, v));
        check_readers(got, flags >> 3, (size_t)(data[size - 1]) * 4);
        if (ws) {
            m->k = strdup(k); /* NUL-free here (ok above) */
            sorted[ns++] = m;
        } else if (!m->form) {
            if (e) expect[e++] = '&';
            e += (size_t)sign_pct_encode(m->k, m->kl, expect + e, sizeof expect - e);
            expect[e++] = '=';
            e += (size_t)sign_pct_encode(m->v, m->vl, expect + e, sizeof expect - e);
        } else {
            if (!first) expect[e++] = '&';
            memcpy(expect + e, m->raw, m->rawl);
            e += m->rawl;
            first = 0;
        }
    }
    if (ws) {
        qsort(sorted, (size_t)ns, sizeof *sorted, byname);
        for (int i = 0; i < ns; i++) {
            if (i) expect[e++] = '&';
            size_t kl = strlen(sorted[i]->k);
            memcpy(expect + e, sorted[i]->k, kl);
            e += kl;
            expect[e++] = '=';
            memcpy(expect + e, sorted[i]->v, sorted[i]->vl);
            e += sorted[i]->vl;
            free((void *)sorted[i]->k);
        }
    }
    CHECK(e == (size_t)p.plen && !memcmp(expect, p.payload, e));
    /* a name that cannot have been stored (too long) is not found */
    CHECK(params_get(&p, "a_name_longer_than_PARAM_NAME_MAX_bytes_can_never_be_stored_by_the_parser") == 0);
    return 0;
}
