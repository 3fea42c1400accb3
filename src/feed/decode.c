/* decode.c: the market data decoder (see decode.h).
 *
 * One pass over the text with a cursor. Objects are walked key by key; the keys we know
 * are parsed straight into integers (decimal strings through fx_parse, ids and times as
 * unsigned integers), any other value is skipped with a bounded generic skipper. The
 * wrapper and the payload are walked by the same function, so {"stream":..,"data":{..}}
 * and a bare payload decode alike. */
#include "decode.h"

#include <stdio.h>
#include <string.h>

#include "../core/err.h"

#define MAX_DEPTH 32
#define MAX_MS ((uint64_t)INT64_MAX / 1000000) /* times are ms; we keep ns */

typedef struct cur {
    const char *p, *end;
} cur_t;

enum {
    H_e = 1u << 0,
    H_E = 1u << 1,
    H_U = 1u << 2,
    H_u = 1u << 3,
    H_s = 1u << 4,
    H_b = 1u << 5,
    H_a = 1u << 6,
    H_B = 1u << 7,
    H_A = 1u << 8,
    H_t = 1u << 9,
    H_p = 1u << 10,
    H_q = 1u << 11,
    H_T = 1u << 12,
    H_m = 1u << 13,
    H_last = 1u << 14,
    H_bids = 1u << 15,
    H_asks = 1u << 16,
    H_OTHER_SYMBOL = 1u << 20,
    H_PARTIAL = 1u << 21,
    H_SYMBOLS = 1u << 22, /* a top-level "symbols": an exchangeInfo response */
};

/* what one walk over a message found */
typedef struct fields {
    uint32_t has;       /* H_* bits: which keys were seen */
    const char *e; size_t en;
    uint64_t E, U, u, t, T, last;
    int64_t b, a, B, A, p, q; /* bookTicker / trade decimals */
    int m;
    int bids_off, nbids, asks_off, nasks;
    int stream_symbol;  /* the stream name gave the symbol: "s" must agree with it */
} fields_t;

static int fail(md_decoder_t *d, int rc, const char *what, const cur_t *c, const char *base) {
    snprintf(d->err, sizeof d->err, "%s at byte %ld", what, (long)(c->p - base));
    return rc;
}

static inline void skip_ws(cur_t *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static inline int expect(cur_t *c, char ch) {
    skip_ws(c);
    if (c->p < c->end && *c->p == ch) { c->p++; return 1; }
    return 0;
}

/* a JSON string: on return *s,*n is the raw content between the quotes */
static int parse_string(cur_t *c, const char **s, size_t *n) {
    skip_ws(c);
    if (c->p >= c->end || *c->p != '"') return 0;
    const char *start = ++c->p;
    const char *q = memchr(start, '"', (size_t)(c->end - start));
    if (!q) return 0;
    if (!memchr(start, '\\', (size_t)(q - start))) { /* no escapes: the usual case */
        *s = start;
        *n = (size_t)(q - start);
        c->p = q + 1;
        return 1;
    }
    while (c->p < c->end) {
        char ch = *c->p;
        if (ch == '"') { *s = start; *n = (size_t)(c->p - start); c->p++; return 1; }
        if (ch == '\\') { if (c->p + 1 >= c->end) return 0; c->p += 2; continue; }
        if ((unsigned char)ch < 0x20) return 0;
        c->p++;
    }
    return 0;
}

static int parse_uint(cur_t *c, uint64_t *out) {
    skip_ws(c);
    const char *s = c->p;
    uint64_t v = 0;
    while (c->p < c->end && (unsigned)(*c->p - '0') <= 9) {
        uint64_t d = (uint64_t)(*c->p - '0');
        if (v > (UINT64_MAX - d) / 10) return 0;
        v = v * 10 + d;
        c->p++;
    }
    if (c->p == s) return 0;
    /* reject fractions and exponents where an integer is expected */
    if (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E')) return 0;
    *out = v;
    return 1;
}

static int parse_bool(cur_t *c, int *out) {
    skip_ws(c);
    size_t left = (size_t)(c->end - c->p);
    if (left >= 4 && memcmp(c->p, "true", 4) == 0) { c->p += 4; *out = 1; return 1; }
    if (left >= 5 && memcmp(c->p, "false", 5) == 0) { c->p += 5; *out = 0; return 1; }
    return 0;
}

/* a decimal string ("61837.63000000") straight into units of u. The common case, plain
   digits with at most one dot, is parsed in one pass; anything else (a sign, escapes)
   goes through parse_string + fx_parse, which give the same answer or the error. */
static int parse_dec(cur_t *c, const fx_unit_t *u, int64_t *out, int *rc) {
    skip_ws(c);
    const char *p = c->p, *end = c->end;
    if (p < end && *p == '"') {
        const char *start = ++p;
        /* Binance prints every decimal with exactly 8 places: parse those 8 digits at once */
        uint64_t ip = 0;
        const char *dp = p;
        while (dp < end && dp - p < 10 && (unsigned)(*dp - '0') <= 9) ip = ip * 10 + (uint64_t)(*dp++ - '0');
        if (dp > p && dp + 10 <= end && dp[0] == '.' && dp[9] == '"' && u->scale <= 8) {
            uint64_t chunk;
            memcpy(&chunk, dp + 1, 8);
            if ((chunk & 0xF0F0F0F0F0F0F0F0ULL) == 0x3030303030303030ULL &&
                ((chunk + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) == 0x3030303030303030ULL) {
                uint64_t v = chunk - 0x3030303030303030ULL; /* first digit in the lowest byte */
                v = (v * 10 + (v >> 8)) & 0x00FF00FF00FF00FFULL;
                v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFFULL;
                v = (v * 10000 + (v >> 32)) & 0xFFFFFFFFULL;
                static const uint64_t p10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
                uint64_t div = p10[8 - u->scale];
                if (v % div == 0) {
                    uint64_t acc = ip * p10[u->scale] + v / div;
                    if (u->mult == 1 || acc % (uint64_t)u->mult == 0) {
                        *out = (int64_t)(u->mult == 1 ? acc : acc / (uint64_t)u->mult);
                        c->p = dp + 10;
                        *rc = 0;
                        return 1;
                    }
                }
            }
        }
        uint64_t acc = 0;
        int frac = -1, digits = 0;
        while (p < end) {
            unsigned d = (unsigned)(*p - '0');
            if (d <= 9) {
                if (frac < 0 || frac < u->scale) {
                    if (acc > (uint64_t)INT64_MAX / 10 - 1) break;
                    acc = acc * 10 + d;
                    if (frac >= 0) frac++;
                } else if (d) {
                    break; /* beyond the unit: inexact, the slow path reports it */
                }
                digits++;
            } else if (*p == '.' && frac < 0) {
                frac = 0;
            } else {
                break;
            }
            p++;
        }
        if (p < end && *p == '"' && digits && p > start) {
            if (frac < 0) frac = 0;
            static const uint64_t p10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
                                           1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL};
            int pad = u->scale - frac;
            if (pad >= 0 && pad <= 12 && acc <= (uint64_t)INT64_MAX / p10[pad]) {
                acc *= p10[pad];
                if (u->mult == 1 || acc % (uint64_t)u->mult == 0) {
                    *out = (int64_t)(u->mult == 1 ? acc : acc / (uint64_t)u->mult);
                    c->p = p + 1;
                    *rc = 0;
                    return 1;
                }
            }
        }
    }
    const char *s;
    size_t n;
    if (!parse_string(c, &s, &n)) { *rc = Q_E_PARSE; return 0; }
    *rc = fx_parse(s, n, u, out);
    return *rc == 0;
}

/* skips any JSON value; nesting is bounded */
static int skip_value(cur_t *c) {
    int depth = 0;
    skip_ws(c);
    do {
        if (c->p >= c->end) return 0;
        char ch = *c->p;
        if (ch == '"') {
            const char *s; size_t n;
            if (!parse_string(c, &s, &n)) return 0;
        } else if (ch == '{' || ch == '[') {
            if (++depth > MAX_DEPTH) return 0;
            c->p++;
        } else if (ch == '}' || ch == ']') {
            if (depth == 0) return 0;
            depth--;
            c->p++;
        } else if (ch == ',' || ch == ':') {
            if (depth == 0) return 0;
            c->p++;
        } else if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            c->p++;
            continue;
        } else { /* number or literal */
            const char *s = c->p;
            while (c->p < c->end && (((unsigned)(*c->p - '0') <= 9) || *c->p == '-' ||
                                     *c->p == '+' || *c->p == '.' || (*c->p >= 'a' && *c->p <= 'z') ||
                                     (*c->p >= 'A' && *c->p <= 'Z')))
                c->p++;
            if (c->p == s) return 0;
        }
    } while (depth > 0);
    return 1;
}

/* [["price","qty"],...] into the decoder's level buffer from *used on */
static int parse_levels(md_decoder_t *d, cur_t *c, int *used, int *off, int *count, int *rc) {
    if (!expect(c, '[')) { *rc = Q_E_PARSE; return 0; }
    *off = *used;
    *count = 0;
    if (expect(c, ']')) return 1;
    for (;;) {
        if (!expect(c, '[')) { *rc = Q_E_PARSE; return 0; }
        if (*used >= d->cap) { *rc = Q_E_FULL; return 0; }
        md_level_t *lv = &d->levels[*used];
        if (!parse_dec(c, &d->tick, &lv->price, rc)) {
            if (*rc != Q_E_INEXACT) return 0;
            /* a deep level left from an older tick size: it cannot be a top, and dropping
               the whole diff would desynchronise the book, so skip just this level */
            *rc = 0;
            lv->price = -1;
        } else if (lv->price <= 0) { /* no book has a level at 0 or below */
            snprintf(d->err, sizeof d->err, "a level's price is not positive");
            *rc = Q_E_RANGE;
            return 0;
        }
        if (!expect(c, ',')) { *rc = Q_E_PARSE; return 0; }
        if (!parse_dec(c, &d->lot, &lv->qty, rc)) return 0;
        if (lv->qty < 0) { *rc = Q_E_RANGE; return 0; }
        while (expect(c, ',')) /* old API: a third, ignored element */
            if (!skip_value(c)) { *rc = Q_E_PARSE; return 0; }
        if (!expect(c, ']')) { *rc = Q_E_PARSE; return 0; }
        if (lv->price < 0) {
            d->offgrid++;
        } else {
            (*used)++;
            (*count)++;
        }
        if (expect(c, ']')) return 1;
        if (!expect(c, ',')) { *rc = Q_E_PARSE; return 0; }
    }
}

/* records the line's symbol (upper-cased from a stream name); 0 when it cannot be one */
static int set_line_symbol(md_decoder_t *d, const char *s, size_t n, int upper) {
    if (n == 0 || n >= sizeof d->line_symbol) {
        d->line_symbol_len = 0;
        d->line_symbol[0] = 0;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        d->line_symbol[i] = upper && ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch;
    }
    d->line_symbol[n] = 0;
    d->line_symbol_len = n;
    return 1;
}

#define KEY1(k, ch) ((k##n) == 1 && (k)[0] == (ch))
#define KEYN(k, lit) ((k##n) == sizeof(lit) - 1 && memcmp((k), (lit), sizeof(lit) - 1) == 0)

static int walk_object(md_decoder_t *d, cur_t *c, fields_t *f, int *used, int depth, int *rc) {
    if (depth > 2) { *rc = Q_E_PARSE; return 0; }
    if (!expect(c, '{')) { *rc = Q_E_PARSE; return 0; }
    if (expect(c, '}')) return 1;
    for (;;) {
        const char *k;
        size_t kn;
        const char *q = c->p;
        if (q + 4 <= c->end && q[0] == '"' && q[2] == '"' && q[1] != '\\' && q[3] == ':') {
            k = q + 1; /* the common case: a one-letter key, no spaces */
            kn = 1;
            c->p = q + 4;
        } else if (!parse_string(c, &k, &kn) || !expect(c, ':')) {
            *rc = Q_E_PARSE;
            return 0;
        }
        skip_ws(c);
        char vt = c->p < c->end ? *c->p : 0;
        int ok = 1;
        if ((f->has & H_OTHER_SYMBOL) && kn == 1) {
            ok = skip_value(c); /* another symbol: its prices need not fit our tick */
        } else if (kn == 1) {
            switch (k[0]) {
            case 'e': ok = parse_string(c, &f->e, &f->en); f->has |= H_e; break;
            case 'E': ok = parse_uint(c, &f->E); f->has |= H_E; break;
            case 'U': ok = parse_uint(c, &f->U); f->has |= H_U; break;
            case 'u': ok = parse_uint(c, &f->u); f->has |= H_u; break;
            case 't': ok = parse_uint(c, &f->t); f->has |= H_t; break;
            case 'T': ok = parse_uint(c, &f->T); f->has |= H_T; break;
            case 'm': ok = parse_bool(c, &f->m); f->has |= H_m; break;
            case 'p': ok = parse_dec(c, &d->tick, &f->p, rc); f->has |= H_p; break;
            case 'q': ok = parse_dec(c, &d->lot, &f->q, rc); f->has |= H_q; break;
            case 'B': ok = parse_dec(c, &d->lot, &f->B, rc); f->has |= H_B; break;
            case 'A': ok = parse_dec(c, &d->lot, &f->A, rc); f->has |= H_A; break;
            case 'b':
                if (vt == '"') ok = parse_dec(c, &d->tick, &f->b, rc);
                else if (vt == '[') ok = parse_levels(d, c, used, &f->bids_off, &f->nbids, rc);
                else { ok = skip_value(c); break; } /* aggTrade's "a" is a number */
                f->has |= H_b;
                break;
            case 'a':
                if (vt == '"') ok = parse_dec(c, &d->tick, &f->a, rc);
                else if (vt == '[') ok = parse_levels(d, c, used, &f->asks_off, &f->nasks, rc);
                else { ok = skip_value(c); break; } /* aggTrade's "a" is a number */
                f->has |= H_a;
                break;
            case 's': {
                const char *s;
                size_t n;
                ok = parse_string(c, &s, &n);
                f->has |= H_s;
                if (!ok) break;
                if (f->stream_symbol) {
                    /* a wrapper naming one symbol around an event of another is not a line we
                       can attribute: refuse it rather than book it under either */
                    if (n != d->line_symbol_len || memcmp(s, d->line_symbol, n) != 0) {
                        *rc = Q_E_PARSE;
                        snprintf(d->err, sizeof d->err, "the stream name and \"s\" name different symbols");
                        ok = 0;
                    }
                    break;
                }
                set_line_symbol(d, s, n, 0);
                if (d->symbol_len && (n != d->symbol_len || memcmp(s, d->symbol, n) != 0))
                    f->has |= H_OTHER_SYMBOL;
                break;
            }
            default: ok = skip_value(c);
            }
        } else if (KEYN(k, "data")) {
            ok = walk_object(d, c, f, used, depth + 1, rc);
        } else if (KEYN(k, "stream")) {
            const char *s;
            size_t n;
            ok = parse_string(c, &s, &n);
            /* partial book streams (<s>@depth5, @depth10@100ms, ...) look like snapshots */
            const char *at = ok ? memchr(s, '@', n) : 0;
            /* "<symbol>@...": the symbol, in lower case; all-market streams ("!bookTicker")
               name none and leave it to the events' "s" */
            char from_s[sizeof d->line_symbol]; /* an "s" before the name (keys come in any order) */
            memcpy(from_s, d->line_symbol, d->line_symbol_len + 1);
            if (at && at > s && s[0] != '!' && set_line_symbol(d, s, (size_t)(at - s), 1)) {
                f->stream_symbol = 1;
                if ((f->has & H_s) && from_s[0] && strcmp(from_s, d->line_symbol) != 0) {
                    *rc = Q_E_PARSE;
                    snprintf(d->err, sizeof d->err, "the stream name and \"s\" name different symbols");
                    return 0;
                }
                if (d->symbol_len && (d->line_symbol_len != d->symbol_len ||
                                      memcmp(d->line_symbol, d->symbol, d->symbol_len) != 0))
                    f->has |= H_OTHER_SYMBOL;
            }
            if (at && (size_t)(s + n - at) >= 7 && memcmp(at, "@depth", 6) == 0 && (unsigned)(at[6] - '0') <= 9)
                f->has |= H_PARTIAL;
        } else if (depth == 0 && KEYN(k, "symbols")) {
            ok = skip_value(c); /* the replay reads it with a general parser (exchange_info.h) */
            f->has |= H_SYMBOLS;
        } else if (KEYN(k, "lastUpdateId")) {
            ok = parse_uint(c, &f->last);
            f->has |= H_last;
        } else if (KEYN(k, "bids")) {
            ok = parse_levels(d, c, used, &f->bids_off, &f->nbids, rc);
            f->has |= H_bids;
        } else if (KEYN(k, "asks")) {
            ok = parse_levels(d, c, used, &f->asks_off, &f->nasks, rc);
            f->has |= H_asks;
        } else {
            ok = skip_value(c);
        }
        if (!ok) {
            if (*rc == 0) *rc = Q_E_PARSE;
            return 0;
        }
        if (expect(c, '}')) return 1;
        if (!expect(c, ',')) { *rc = Q_E_PARSE; return 0; }
    }
}

void md_decoder_init(md_decoder_t *d, const fx_unit_t *tick, const fx_unit_t *lot,
                     const char *symbol, md_level_t *levels, int cap) {
    memset(d, 0, sizeof *d);
    d->tick = *tick;
    d->lot = *lot;
    if (symbol) snprintf(d->symbol, sizeof d->symbol, "%s", symbol);
    d->symbol_len = strlen(d->symbol);
    d->levels = levels;
    d->cap = cap;
}

int md_decode(md_decoder_t *d, const char *json, size_t n, md_event_t *ev) {
    cur_t c = {json, json + n};
    fields_t f;
    f.has = 0;
    f.nbids = f.nasks = f.bids_off = f.asks_off = 0;
    f.stream_symbol = 0;
    d->line_symbol[0] = 0;
    d->line_symbol_len = 0;
    d->exinfo = 0;
    int used = 0, rc = 0;
    d->err[0] = 0;
    ev->type = MD_NONE;
    ev->exch_ns = 0;
    ev->bids = ev->asks = 0;
    ev->nbids = ev->nasks = 0;
    if (!walk_object(d, &c, &f, &used, 0, &rc)) {
        char own[64]; /* a reason the walk gave itself (short: " at byte N" follows) */
        snprintf(own, sizeof own, "%.*s", (int)sizeof own - 1, d->err);
        const char *what = own[0]             ? own
                         : rc == Q_E_INEXACT ? "price or quantity off the tick/step grid"
                         : rc == Q_E_FULL    ? "too many levels for the level buffer"
                         : rc == Q_E_RANGE   ? "number out of range"
                                             : "malformed JSON";
        return fail(d, rc ? rc : Q_E_PARSE, what, &c, json);
    }
    skip_ws(&c);
    if (c.p != c.end) return fail(d, Q_E_PARSE, "trailing bytes after the message", &c, json);

    if ((f.has & H_SYMBOLS)) {
        /* a recording's own exchangeInfo (issue 10): not market data, whatever else it holds */
        d->exinfo = 1;
        ev->type = MD_IGNORED;
        return 0;
    }
    if ((f.has & (H_OTHER_SYMBOL | H_PARTIAL))) { ev->type = MD_IGNORED; return 0; }
    if (((f.has & H_E) && f.E > MAX_MS) || ((f.has & H_T) && f.T > MAX_MS))
        return fail(d, Q_E_RANGE, "event time out of range", &c, json);
    if ((f.has & H_e)) {
        ev->exch_ns = (f.has & H_E) ? (int64_t)f.E * 1000000 : 0;
        if (f.en == 11 && memcmp(f.e, "depthUpdate", 11) == 0) {
            if (!(f.has & H_U) || !(f.has & H_u) || !(f.has & H_b) || !(f.has & H_a) || f.U > f.u)
                return fail(d, Q_E_PARSE, "depthUpdate without valid U/u/b/a", &c, json);
            ev->type = MD_DIFF;
            ev->u.diff.first_id = f.U;
            ev->u.diff.last_id = f.u;
        } else if (f.en == 5 && memcmp(f.e, "trade", 5) == 0) {
            if (!(f.has & H_t) || !(f.has & H_p) || !(f.has & H_q) || !(f.has & H_m))
                return fail(d, Q_E_PARSE, "trade without t/p/q/m", &c, json);
            if (f.p <= 0 || f.q <= 0) return fail(d, Q_E_RANGE, "trade price or quantity not positive", &c, json);
            ev->type = MD_TRADE;
            ev->u.trade.id = f.t;
            ev->u.trade.price = f.p;
            ev->u.trade.qty = f.q;
            ev->u.trade.trade_ns = (f.has & H_T) ? (int64_t)f.T * 1000000 : ev->exch_ns;
            ev->u.trade.buyer_maker = f.m;
        } else {
            ev->type = MD_IGNORED;
            return 0;
        }
    } else if ((f.has & H_last) && (f.has & H_bids) && (f.has & H_asks)) {
        ev->type = MD_SNAPSHOT;
        ev->u.snap.last_id = f.last;
    } else if ((f.has & H_u) && (f.has & H_b) && (f.has & H_a) && (f.has & H_B) && (f.has & H_A) && !f.nbids && !f.nasks) {
        /* (an empty side may show 0, never less) */
        if (f.b < 0 || f.a < 0 || f.B < 0 || f.A < 0)
            return fail(d, Q_E_RANGE, "bookTicker price or quantity negative", &c, json);
        ev->type = MD_BBO;
        ev->u.bbo.id = f.u;
        ev->u.bbo.bid = f.b;
        ev->u.bbo.bid_qty = f.B;
        ev->u.bbo.ask = f.a;
        ev->u.bbo.ask_qty = f.A;
    } else {
        return fail(d, Q_E_PARSE, "not a depth, bookTicker, trade or snapshot message", &c, json);
    }
    if (ev->type == MD_DIFF || ev->type == MD_SNAPSHOT) {
        ev->bids = d->levels + f.bids_off;
        ev->nbids = f.nbids;
        ev->asks = d->levels + f.asks_off;
        ev->nasks = f.nasks;
    }
    return 0;
}
