/* log.c: text or JSON log lines (see log.h). */
#include "log.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"

#define LOG_LINE_MAX 4096

static struct {
    const char *prefix;
    log_format_t fmt;
    FILE *out;
} L = {"quoter", LOG_TEXT, 0};

void log_setup(const char *prefix, log_format_t fmt, FILE *out) {
    L.prefix = prefix ? prefix : "quoter";
    L.fmt = fmt;
    L.out = out;
}

log_format_t log_format(void) { return L.fmt; }

static const char *level_name(log_level_t lv) {
    static const char *const n[] = {"debug", "info", "warn", "error"};
    return (unsigned)lv < 4 ? n[lv] : "info";
}

/* the length of the UTF-8 sequence at s (1..4), or 0 when it is not one */
static int utf8_len(const unsigned char *s) {
    unsigned c = s[0];
    int n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 2 && c < 0xC2) return 0; /* overlong */
    if (n == 4 && c > 0xF4) return 0; /* beyond U+10FFFF */
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    if (n == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))) return 0; /* overlong, surrogates */
    if (n == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))) return 0;
    return n;
}

size_t log_json_string(char *out, size_t cap, const char *s) {
    /* each character is written whole or not at all, and the closing quote always fits */
    if (cap < 3) {
        if (cap) out[0] = 0;
        return 0;
    }
    size_t n = 0, room = cap - 2; /* the closing quote and the NUL */
    out[n++] = '"';
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        char u[8];
        const char *e = u;
        size_t k;
        unsigned c = *p;
        int adv = 1;
        if (c == '"' || c == '\\') {
            u[0] = '\\';
            u[1] = (char)c;
            k = 2;
        } else if (c < 0x20) {
            e = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : 0;
            if (!e) {
                snprintf(u, sizeof u, "\\u%04x", c);
                e = u;
            }
            k = strlen(e);
        } else if ((adv = utf8_len(p)) == 0) {
            e = "\\ufffd";
            k = 6;
            adv = 1;
        } else {
            e = (const char *)p;
            k = (size_t)adv;
        }
        if (n + k > room) break;
        memcpy(out + n, e, k);
        n += k;
        p += adv;
    }
    out[n++] = '"';
    out[n] = 0;
    return n;
}

void log_json_fputs(FILE *f, const char *s) {
    size_t n = s ? strlen(s) : 0, cap = n * 6 + 3; /* at most \u00XX (6 bytes) a byte, the quotes, the NUL */
    char small[512], *b = cap <= sizeof small ? small : malloc(cap);
    if (!b) return;
    fwrite(b, 1, log_json_string(b, cap, s), f);
    if (b != small) free(b);
}

/* 1 when s is a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int json_number(const char *s) {
    if (!s) return 0;
    if (*s == '-') s++;
    if (*s == '0') s++;
    else if (*s >= '1' && *s <= '9') while (*s >= '0' && *s <= '9') s++;
    else return 0;
    if (*s == '.') {
        if (!(*++s >= '0' && *s <= '9')) return 0;
        while (*s >= '0' && *s <= '9') s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') s++;
        if (!(*s >= '0' && *s <= '9')) return 0;
        while (*s >= '0' && *s <= '9') s++;
    }
    return !*s;
}

/* appends to a line buffer, never past its end (a line too long is cut, still one line) */
typedef struct line { char b[LOG_LINE_MAX]; size_t n; } line_t;
static void add(line_t *l, const char *s, size_t k) {
    if (l->n + k > sizeof l->b - 2) k = sizeof l->b - 2 - l->n; /* room for "}\n" or "\n" */
    memcpy(l->b + l->n, s, k);
    l->n += k;
}
static void adds(line_t *l, const char *s) { add(l, s, strlen(s)); }
static void addq(line_t *l, const char *s) {
    /* a string too long for what is left of the line is cut, still a whole JSON string */
    l->n += log_json_string(l->b + l->n, sizeof l->b - 2 - l->n + 1, s);
}

/* a text line's message with its control characters escaped (\n as the two characters \ n,
   others as \xHH): a string from the venue (a reject reason) cannot start a line of its own
   that reads as ours */
static void add_text(line_t *l, const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const unsigned char *q = p; /* a run of plain bytes goes in at once */
        while (*q >= 0x20 && *q != 0x7f) q++;
        if (q != p) add(l, (const char *)p, (size_t)(q - p));
        if (!*q) break;
        p = q;
        unsigned c = *p;
        char e[8];
        if (c == '\n' || c == '\r' || c == '\t') snprintf(e, sizeof e, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
        else snprintf(e, sizeof e, "\\x%02x", c);
        add(l, e, strlen(e));
    }
}

static void time_iso(char *out, size_t cap) {
    int64_t ns = clock_real_ns();
    time_t s = (time_t)(ns / 1000000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    size_t n = strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, cap - n, ".%03dZ", (int)(ns / 1000000 % 1000));
}

static void emit(log_level_t lv, const char *source, const log_field_t *f, int nf, const char *fmt, va_list ap) {
    char msg[LOG_LINE_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    line_t l;
    l.n = 0;
    if (L.fmt == LOG_TEXT) {
        adds(&l, L.prefix);
        adds(&l, ": ");
        add_text(&l, msg);
    } else {
        char ts[40], num[64];
        time_iso(ts, sizeof ts);
        adds(&l, "{\"time\":\"");
        adds(&l, ts);
        adds(&l, "\",\"level\":\"");
        adds(&l, level_name(lv));
        adds(&l, "\",\"source\":");
        addq(&l, source ? source : "");
        adds(&l, ",\"msg\":");
        addq(&l, msg);
        for (int i = 0; i < nf; i++) {
            size_t mark = l.n;
            adds(&l, ",");
            addq(&l, f[i].key);
            adds(&l, ":");
            switch (f[i].kind) {
            case 's':
                if (f[i].s) addq(&l, f[i].s);
                else adds(&l, "null");
                break;
            case 'i':
                snprintf(num, sizeof num, "%lld", (long long)f[i].i);
                adds(&l, num);
                break;
            case 'b':
                adds(&l, f[i].i ? "true" : "false");
                break;
            case 'n':
                adds(&l, json_number(f[i].s) ? f[i].s : "null");
                break;
            default:
                if (isfinite(f[i].f)) snprintf(num, sizeof num, "%.15g", f[i].f);
                else snprintf(num, sizeof num, "null");
                adds(&l, num);
                break;
            }
            /* a field that may not have fit whole is left out, so the object stays valid */
            if (l.n >= sizeof l.b - 3) { l.n = mark; break; }
        }
        l.b[l.n++] = '}';
    }
    l.b[l.n++] = '\n';
    FILE *out = L.out ? L.out : stderr;
    fwrite(l.b, 1, l.n, out);
    fflush(out);
}

void log_vmsg(log_level_t lv, const char *source, const char *fmt, va_list ap) { emit(lv, source, 0, 0, fmt, ap); }

void log_msg(log_level_t lv, const char *source, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    emit(lv, source, 0, 0, fmt, ap);
    va_end(ap);
}

void log_fields(log_level_t lv, const char *source, const log_field_t *f, int nf, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    emit(lv, source, f, nf, fmt, ap);
    va_end(ap);
}

void log_lws_line(int level, const char *line) {
    (void)level;
    char s[LOG_LINE_MAX];
    snprintf(s, sizeof s, "%s", line ? line : "");
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = 0; /* lws ends its lines itself */
    log_msg(LOG_ERROR, "lws", "%s", s);
}
