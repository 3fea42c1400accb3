/* exec_read.c: the executionReport reader without cJSON (see exec_read.h). One pass checks
 * the whole text against cJSON's grammar (cJSON refuses a text with any fault, wherever it
 * is) and notes, for each field of the event, where its first value lies; the fields are
 * then converted by the rules of order.c's proto_exec_parse. */
#include "exec_read.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DEPTH_MAX 1000 /* cJSON's CJSON_NESTING_LIMIT */

/* the event's fields, by their keys */
enum {
    F_e, F_E, F_s, F_c, F_S, F_o, F_f, F_q, F_p, F_C, F_x, F_X, F_i, F_l, F_z, F_L, F_n, F_N, F_T, F_t,
    F_I, F_w, F_m, F_O, F_Z, F_Y, F_V, F_W, F_eR, F_N_FIELDS,
    K_EVENT = 100, /* the wrapper's "event" */
    K_OTHER = -1
};
enum { T_NONE = 0, T_STR, T_NUM, T_TRUE, T_FALSE, T_NULL, T_NEST };

typedef struct tok {
    unsigned char type;
    unsigned char esc;          /* T_STR: has a backslash (decode it) */
    const unsigned char *s;     /* T_STR: the bytes between the quotes */
    size_t n;
    double num;                 /* T_NUM */
} tok_t;

typedef struct rd {
    const unsigned char *p, *end;
    int undecided;              /* a number too long to read (PROTO_EXEC_UNDECIDED) */
    tok_t *ev;                  /* a wrapper's event fields (proto_exec_read_event) */
    int got_event;              /* the wrapper's first "event": 1 an object, -1 something else */
} rd_t;

static void ws(rd_t *r) {
    while (r->p < r->end && *r->p <= 32) r->p++;
}

static unsigned hex4(const unsigned char *s) {
    unsigned h = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = s[i], d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'A' && c <= 'F') d = 10 + c - 'A';
        else if (c >= 'a' && c <= 'f') d = 10 + c - 'a';
        else return 0; /* cJSON reads a bad digit as the code 0, not as an error */
        h = h << 4 | d;
    }
    return h;
}

/* Decodes a string's escaped bytes [s, s+n) as cJSON does; writes the first cap bytes to out
   (out may be NULL). *clen: the length up to the first NUL, which is what strcmp and strlen
   see of it afterwards. 0, or -1 for an escape cJSON refuses. */
static int decode(const unsigned char *s, size_t n, unsigned char *out, size_t cap, size_t *clen) {
    const unsigned char *ip = s, *ie = s + n;
    size_t o = 0, z = SIZE_MAX;
    while (ip < ie) {
        unsigned char b[4];
        int bl = 1;
        if (*ip != '\\') {
            b[0] = *ip++;
        } else {
            switch (ip[1]) {
            case 'b': b[0] = '\b'; break;
            case 'f': b[0] = '\f'; break;
            case 'n': b[0] = '\n'; break;
            case 'r': b[0] = '\r'; break;
            case 't': b[0] = '\t'; break;
            case '"': case '\\': case '/': b[0] = ip[1]; break;
            case 'u': {
                if (ie - ip < 6) return -1;
                unsigned long cp = hex4(ip + 2);
                int sl = 6;
                if (cp >= 0xDC00 && cp <= 0xDFFF) return -1;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (ie - (ip + 6) < 6 || ip[6] != '\\' || ip[7] != 'u') return -1;
                    unsigned lo = hex4(ip + 8);
                    if (lo < 0xDC00 || lo > 0xDFFF) return -1;
                    cp = 0x10000 + (((cp & 0x3FF) << 10) | (lo & 0x3FF));
                    sl = 12;
                }
                if (cp < 0x80) b[0] = (unsigned char)cp;
                else if (cp < 0x800) { b[0] = (unsigned char)(0xC0 | cp >> 6); b[1] = (unsigned char)(0x80 | (cp & 0x3F)); bl = 2; }
                else if (cp < 0x10000) {
                    b[0] = (unsigned char)(0xE0 | cp >> 12); b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                    b[2] = (unsigned char)(0x80 | (cp & 0x3F)); bl = 3;
                } else {
                    b[0] = (unsigned char)(0xF0 | cp >> 18); b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
                    b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); b[3] = (unsigned char)(0x80 | (cp & 0x3F)); bl = 4;
                }
                ip += sl - 2;
                break;
            }
            default:
                return -1;
            }
            ip += 2;
        }
        for (int i = 0; i < bl; i++, o++) {
            if (!b[i] && z == SIZE_MAX) z = o;
            if (out && o < cap) out[o] = b[i];
        }
    }
    *clen = z == SIZE_MAX ? o : z;
    return 0;
}

/* a string at r->p (its opening quote): its raw bytes in t; checked as cJSON checks it */
static int string(rd_t *r, tok_t *t) {
    if (r->p >= r->end || *r->p != '"') return -1;
    const unsigned char *q = r->p + 1, *a, *b;
    int esc = 0;
    for (;;) { /* the closing quote: the first one no backslash takes (a backslash takes the
                  byte after it, whatever it is, as cJSON's scan does) */
        a = memchr(q, '"', (size_t)(r->end - q));
        if (!a) return -1;
        while ((b = memchr(q, '\\', (size_t)(a - q)))) {
            esc = 1;
            q = b + 2;
            if (q > a) break;
        }
        if (q <= a) break;
    }
    t->type = T_STR;
    t->esc = (unsigned char)esc;
    t->s = r->p + 1;
    t->n = (size_t)(a - t->s);
    size_t cl;
    if (esc && decode(t->s, t->n, NULL, 0, &cl)) return -1;
    r->p = a + 1;
    return 0;
}

static int number(rd_t *r, tok_t *t) {
    const unsigned char *p = r->p;
    size_t k = 0, max = (size_t)(r->end - p);
    int simple = 1; /* -?[0-9]{1,15}: exact in a double, read without strtod */
    int64_t v = 0;
    for (; k < max; k++) {
        unsigned char c = p[k];
        if (c >= '0' && c <= '9') {
            if (k < 16) v = v * 10 + (c - '0'); /* (past 16 characters it is not simple) */
            else simple = 0;
        } else if (c == '-' && k == 0) {
            continue;
        } else if (c == '+' || c == '-' || c == 'e' || c == 'E' || c == '.') {
            simple = 0;
        } else {
            break;
        }
    }
    size_t digits = k - (*p == '-');
    if (simple && digits >= 1 && digits <= 15) {
        t->type = T_NUM;
        t->num = *p == '-' ? -(double)v : (double)v;
        r->p += k;
        return 0;
    }
    if (k >= PROTO_EXEC_NUM_MAX) {
        r->undecided = 1;
        return -1;
    }
    char buf[PROTO_EXEC_NUM_MAX];
    memcpy(buf, p, k);
    buf[k] = 0;
    char *after;
    double d = strtod(buf, &after);
    if (after == buf) return -1;
    t->type = T_NUM;
    t->num = d;
    r->p += after - buf;
    return 0;
}

/* a key's field: what strcmp against "e", "eR", "event"... would match */
static int key_of(const tok_t *k, int fields, int want_event) {
    unsigned char b[8];
    size_t cl;
    if (!k->esc) {
        const unsigned char *z = memchr(k->s, 0, k->n);
        cl = z ? (size_t)(z - k->s) : k->n;
        if (cl > sizeof b) return K_OTHER;
        memcpy(b, k->s, cl);
    } else if (decode(k->s, k->n, b, sizeof b, &cl) || cl > sizeof b) {
        return K_OTHER;
    }
    if (want_event) return cl == 5 && !memcmp(b, "event", 5) ? K_EVENT : K_OTHER;
    if (!fields) return K_OTHER;
    if (cl == 2) return b[0] == 'e' && b[1] == 'R' ? F_eR : K_OTHER;
    if (cl != 1) return K_OTHER;
    switch (b[0]) {
    case 'e': return F_e; case 'E': return F_E; case 's': return F_s; case 'c': return F_c; case 'S': return F_S;
    case 'o': return F_o; case 'f': return F_f; case 'q': return F_q; case 'p': return F_p; case 'C': return F_C;
    case 'x': return F_x; case 'X': return F_X; case 'i': return F_i; case 'l': return F_l; case 'z': return F_z;
    case 'L': return F_L; case 'n': return F_n; case 'N': return F_N; case 'T': return F_T; case 't': return F_t;
    case 'I': return F_I; case 'w': return F_w; case 'm': return F_m; case 'O': return F_O; case 'Z': return F_Z;
    case 'Y': return F_Y; case 'V': return F_V; case 'W': return F_W;
    default: return K_OTHER;
    }
}

static int object(rd_t *r, int depth, tok_t *fields, int want_event);

/* a value at r->p; an object's members go to fields (NULL: none kept) */
static int value(rd_t *r, int depth, tok_t *t, tok_t *fields, int want_event) {
    const unsigned char *p = r->p;
    size_t left = (size_t)(r->end - p);
    t->type = T_NEST;
    if (left >= 4 && !memcmp(p, "null", 4)) { t->type = T_NULL; r->p += 4; return 0; }
    if (left >= 5 && !memcmp(p, "false", 5)) { t->type = T_FALSE; r->p += 5; return 0; }
    if (left >= 4 && !memcmp(p, "true", 4)) { t->type = T_TRUE; r->p += 4; return 0; }
    if (!left) return -1;
    if (*p == '"') return string(r, t);
    if (*p == '-' || (*p >= '0' && *p <= '9')) return number(r, t);
    if (*p == '{') return object(r, depth, fields, want_event);
    if (*p != '[') return -1;
    if (depth >= DEPTH_MAX) return -1;
    r->p++;
    ws(r);
    if (r->p < r->end && *r->p == ']') { r->p++; return 0; }
    for (;;) {
        tok_t v;
        ws(r);
        if (value(r, depth + 1, &v, NULL, 0)) return -1;
        ws(r);
        if (r->p < r->end && *r->p == ',') { r->p++; continue; }
        break;
    }
    if (r->p >= r->end || *r->p != ']') return -1;
    r->p++;
    return 0;
}

/* an object at r->p (depth: the objects and arrays around it) */
static int object(rd_t *r, int depth, tok_t *fields, int want_event) {
    if (depth >= DEPTH_MAX) return -1;
    r->p++;
    ws(r);
    if (r->p < r->end && *r->p == '}') { r->p++; return 0; }
    for (;;) {
        tok_t k, v;
        ws(r);
        if (string(r, &k)) return -1;
        ws(r);
        if (r->p >= r->end || *r->p != ':') return -1;
        r->p++;
        ws(r);
        int f = fields || want_event ? key_of(&k, fields != NULL, want_event) : K_OTHER;
        if (f == K_EVENT && !r->got_event) {
            r->got_event = r->p < r->end && *r->p == '{' ? 1 : -1;
            if (value(r, depth + 1, &v, r->got_event > 0 ? r->ev : NULL, 0)) return -1;
        } else if (value(r, depth + 1, &v, NULL, 0)) {
            return -1;
        }
        if (fields && f >= 0 && f < F_N_FIELDS && fields[f].type == T_NONE) fields[f] = v;
        ws(r);
        if (r->p < r->end && *r->p == ',') { r->p++; continue; }
        break;
    }
    if (r->p >= r->end || *r->p != '}') return -1;
    r->p++;
    return 0;
}

/* the field readers of order.c (str, num, flag), on the noted values */
static int str(const tok_t *t, char *out, size_t cap) {
    if (t->type != T_STR) return -1;
    size_t cl;
    if (!t->esc) {
        const unsigned char *z = memchr(t->s, 0, t->n);
        cl = z ? (size_t)(z - t->s) : t->n;
        if (cl >= cap) return -1;
        memcpy(out, t->s, cl);
    } else {
        unsigned char b[64]; /* every cap here is smaller */
        if (decode(t->s, t->n, b, sizeof b, &cl) || cl >= cap) return -1;
        memcpy(out, b, cl);
    }
    out[cl] = 0;
    return 0;
}
static int num(const tok_t *t, int64_t *out) {
    if (t->type != T_NUM) return -1;
    double d = t->num;
    if (!(d >= -9.2e18 && d <= 9.2e18) || d != (double)(int64_t)d) return -1;
    *out = (int64_t)d;
    return 0;
}
static int flag(const tok_t *t, int *out) {
    if (t->type != T_TRUE && t->type != T_FALSE) return -1;
    *out = t->type == T_TRUE;
    return 0;
}

/* proto_exec_parse's conversions, in its order */
static int convert(const tok_t *f, proto_exec_t *e) {
    char ev[20], side[8], type[16], tif[8], status[20], stp[20], er[48];
    int64_t oid, eid;
    if (str(&f[F_e], ev, sizeof ev) || strcmp(ev, "executionReport") || num(&f[F_E], &e->event_ms) ||
        str(&f[F_s], e->symbol, sizeof e->symbol) || str(&f[F_c], e->cid, sizeof e->cid) ||
        str(&f[F_S], side, sizeof side) || str(&f[F_o], type, sizeof type) || str(&f[F_f], tif, sizeof tif) ||
        str(&f[F_q], e->qty, sizeof e->qty) || str(&f[F_p], e->price, sizeof e->price) ||
        str(&f[F_C], e->orig_cid, sizeof e->orig_cid) || str(&f[F_x], e->exec, sizeof e->exec) ||
        str(&f[F_X], status, sizeof status) || num(&f[F_i], &oid) || str(&f[F_l], e->last_qty, sizeof e->last_qty) ||
        str(&f[F_z], e->cum_qty, sizeof e->cum_qty) || str(&f[F_L], e->last_price, sizeof e->last_price) ||
        str(&f[F_n], e->commission, sizeof e->commission) || num(&f[F_T], &e->trade_ms) ||
        num(&f[F_t], &e->trade_id) || num(&f[F_I], &eid) || flag(&f[F_w], &e->on_book) || flag(&f[F_m], &e->maker) ||
        num(&f[F_O], &e->created_ms) || str(&f[F_Z], e->cum_quote, sizeof e->cum_quote) ||
        str(&f[F_Y], e->last_quote, sizeof e->last_quote) || str(&f[F_V], stp, sizeof stp))
        return -1;
    if (str(&f[F_N], e->commission_asset, sizeof e->commission_asset) && f[F_N].type != T_NULL) return -1;
    if (num(&f[F_W], &e->working_ms)) e->working_ms = 0; /* only for orders that went on the book */
    e->order_id = (uint64_t)oid;
    e->exec_id = (uint64_t)eid;
    e->buy = !strcmp(side, "BUY");
    if ((!e->buy && strcmp(side, "SELL")) || xtype_parse(type, &e->type) || xtif_parse(tif, &e->tif) ||
        xstatus_parse(status, &e->status) || xstp_parse(stp, &e->stp))
        return -1;
    if (!str(&f[F_eR], er, sizeof er) && xexpiry_parse(er, &e->expiry)) return -1;
    return 0;
}

/* the top-level value: a UTF-8 BOM may come first (cJSON skips one when the text has 5 bytes
   or more), then whitespace */
static void start(rd_t *r, const char *json, size_t n) {
    memset(r, 0, sizeof *r);
    r->p = (const unsigned char *)json;
    r->end = r->p + n;
    if (n >= 5 && !memcmp(json, "\xEF\xBB\xBF", 3)) r->p += 3;
    ws(r);
}

int proto_exec_read(const char *json, size_t n, proto_exec_t *out) {
    memset(out, 0, sizeof *out);
    tok_t f[F_N_FIELDS];
    memset(f, 0, sizeof f);
    rd_t r;
    start(&r, json, n);
    if (r.p >= r.end || *r.p != '{') return -1; /* (cJSON may read it, but it has no fields) */
    if (object(&r, 0, f, 0)) return r.undecided ? PROTO_EXEC_UNDECIDED : -1;
    return convert(f, out);
}

int proto_exec_read_event(const char *json, size_t n, proto_exec_t *out) {
    memset(out, 0, sizeof *out);
    tok_t f[F_N_FIELDS];
    memset(f, 0, sizeof f);
    rd_t r;
    start(&r, json, n);
    r.ev = f;
    if (r.p >= r.end || *r.p != '{') return -1;
    if (object(&r, 0, NULL, 1)) return r.undecided ? PROTO_EXEC_UNDECIDED : -1;
    if (r.got_event <= 0) return -1;
    return convert(f, out);
}
