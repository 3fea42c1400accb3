/* record.c: `quoter record` (see record.h). One thread: net_run() serves the stream
 * connection, the REST requests and the metrics page; everything else happens in their
 * callbacks and in tick(), between two waits. */
#define _GNU_SOURCE /* memmem */
#include "record.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../core/clock.h"
#include "../core/log.h"
#include "../venue/binance/net.h"
#include "../venue/binance/rest.h"
#include "gzw.h"

#define DAY_NS 86400000000000LL
#define SEC_NS 1000000000LL
#define MAX_GAPS_KEPT 64          /* a summary lists this many gaps (all are counted) */
#define REST_IN_FLIGHT 4          /* snapshot and exchangeInfo requests at once */
#define SUB_PER_MSG 100           /* streams per SUBSCRIBE message */
#define SUB_INTERVAL_NS 250000000LL /* Binance takes 5 incoming messages a second: 4 at most */
#define PENDING_MAX (64u << 20)   /* a rotation's new-socket messages held before they are due */
#define PREFETCH_NS (60 * SEC_NS) /* the next day's exchangeInfo asked this long before it */

enum { K_DEPTH, K_BBO, K_TRADE, K_AGG, K_OTHER };
enum { TAG_EXINFO = 1, TAG_DEPTH = 2 };

typedef struct gap_rec { int64_t from_ns, to_ns; char why[48]; } gap_rec_t;

/* a file's counts (its summary) */
typedef struct file_stats {
    int64_t messages, snapshots, gaps, reconnects, exchange_info;
    double gap_s;
    gap_rec_t gap[MAX_GAPS_KEPT];
    int ngap;
} file_stats_t;

typedef struct rec_sym {
    char name[24], lower[24];
    int has_depth;
    /* the file */
    gzw_t f;
    int64_t day;                /* days since the epoch of the open file (-1: none) */
    char path[1024], summary[1024];
    file_stats_t fs;
    int fs_dirty;
    /* the last exchangeInfo answer (the next file's first line) */
    char *exinfo;
    size_t exinfo_len;
    int64_t exinfo_ns;
    int exinfo_asked;           /* a request in flight */
    int64_t exinfo_retry_ns;    /* mono */
    int exinfo_backoff_s;
    /* the depth diffs' chain (book/sync.c's rules) */
    int64_t last_u;             /* the last diff's u or the snapshot's lastUpdateId (0: none) */
    int64_t chain_first_U;      /* the first diff since a snapshot was wanted (0: none yet) */
    int64_t last_diff_ns;
    int need_snap, snap_asked;
    int64_t snap_retry_ns;      /* mono */
    int snap_backoff_s;
    const char *snap_why;
    /* a reconnect's gap: from the last message before the loss to the first after */
    int64_t last_msg_ns, down_from_ns;
    int down;
    /* totals (metrics, status) */
    int64_t messages, snapshots, gaps, bytes;
    int64_t status_msgs;
    /* the last thing that kept data from it (a REST or stream connection error): a run that
       wrote no market line of the symbol names it when it fails */
    char last_err[200];
} rec_sym_t;

typedef struct rec_stream {
    char name[64];
    int sym, kind;
    int64_t last_id;            /* the last written id (rotation overlap) */
    int switched;               /* the overlap: this stream takes the new socket's messages now */
    int64_t held_first;         /* the overlap: the first id held from the new socket (0: none) */
} rec_stream_t;

typedef struct pend_msg { int st; int64_t id, ns; size_t off, len; int done; } pend_msg_t;

typedef struct rec {
    const record_options_t *o;
    net_t net;
    net_conn_t conn;
    rest_t rest;
    rec_sym_t sym[REC_MAX_SYMBOLS];
    int nsym;
    rec_stream_t st[REC_MAX_STREAMS];
    int nst, nurl;              /* streams; those in the URL (the rest by SUBSCRIBE) */
    int hash[4096];             /* stream name -> index + 1 (open addressing) */
    int sub_next;               /* the next stream to SUBSCRIBE on the open socket */
    int64_t sub_at;             /* mono */
    int sub_id;
    int opened_once;
    /* a rotation's overlap */
    int overlap;
    pend_msg_t *pend;
    int npend, cappend;
    char *arena;
    size_t narena, caparena;
    uint64_t seen[4096];        /* text hashes of id-less messages delivered in the overlap */
    int nseen;
    /* REST */
    int rest_n;                 /* requests in flight */
    int64_t rest_pause_until;   /* mono: after a 429/418, or a weight near the limit */
    int64_t weight_limit;
    /* totals */
    int64_t messages, unknown, rotations, reconnects, files_opened, write_errors, dup_dropped;
    int64_t raw_bytes_closed, file_bytes_closed; /* of files already closed */
    int64_t last_status_mono, last_flush_mono, start_mono, last_status_msgs;
    int fatal;
    char err[1024];
} rec_t;

static volatile sig_atomic_t stop_flag;
void record_request_stop(void) { stop_flag = 1; }

static rec_t *R; /* one recorder per process (the log's helpers below) */

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(LOG_INFO, "record", fmt, ap);
    va_end(ap);
}
static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(LOG_WARN, "record", fmt, ap);
    va_end(ap);
}

static void sym_error(rec_sym_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sym_error(rec_sym_t *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->last_err, sizeof s->last_err, fmt, ap);
    va_end(ap);
}

/* the recorder's clock: real time, moved by the test-only offset */
static int64_t now_ns(void) { return clock_real_ns() + R->o->clock_offset_ns; }

static void hhmmss(int64_t ns, char *out, size_t cap) {
    time_t s = (time_t)(ns / SEC_NS);
    struct tm tm;
    gmtime_r(&s, &tm);
    snprintf(out, cap, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ns % SEC_NS / 1000000));
}

int64_t record_json_int(const char *p, size_t n, const char *key) {
    char pat[32];
    int pl = snprintf(pat, sizeof pat, "\"%s\":", key);
    if (pl <= 0 || pl >= (int)sizeof pat) return -1;
    const char *e = p + n;
    for (const char *s = p; s < e;) {
        const char *h = memmem(s, (size_t)(e - s), pat, (size_t)pl);
        if (!h) return -1;
        const char *d = h + pl;
        if (d < e && *d >= '0' && *d <= '9') {
            int64_t v = 0;
            int digits = 0;
            for (; d < e && *d >= '0' && *d <= '9'; d++, digits++) {
                if (digits == 18) return -1; /* beyond any id (and int64): not one */
                v = v * 10 + (*d - '0');
            }
            return v;
        }
        s = h + pl;
    }
    return -1;
}

static uint64_t fnv(const char *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)p[i]) * 1099511628211ull;
    return h | 1;
}

static int stream_find(rec_t *r, const char *name, size_t n) {
    uint64_t h = fnv(name, n);
    for (int k = 0; k < 4096; k++) {
        int i = r->hash[(h + (uint64_t)k) & 4095];
        if (!i) return -1;
        if (strlen(r->st[i - 1].name) == n && !memcmp(r->st[i - 1].name, name, n)) return i - 1;
    }
    return -1;
}

static void stream_add(rec_t *r, int sym, const char *suffix) {
    rec_stream_t *s = &r->st[r->nst];
    snprintf(s->name, sizeof s->name, "%s@%s", r->sym[sym].lower, suffix);
    s->sym = sym;
    /* depth diffs (not the partial depth5/10/20 streams, which carry lastUpdateId) */
    s->kind = !strcmp(suffix, "depth") || !strncmp(suffix, "depth@", 6) ? K_DEPTH
            : !strcmp(suffix, "bookTicker")                             ? K_BBO
            : !strcmp(suffix, "trade")                                  ? K_TRADE
            : !strcmp(suffix, "aggTrade")                               ? K_AGG
                                                                        : K_OTHER;
    if (s->kind == K_DEPTH) r->sym[sym].has_depth = 1;
    uint64_t h = fnv(s->name, strlen(s->name));
    int k = 0;
    while (r->hash[(h + (uint64_t)k) & 4095]) k++;
    r->hash[(h + (uint64_t)k) & 4095] = ++r->nst;
}

/* ---- files ------------------------------------------------------------------------------- */

static void day_name(int64_t day, char *out, size_t cap) {
    time_t s = (time_t)(day * 86400);
    struct tm tm;
    gmtime_r(&s, &tm);
    snprintf(out, cap, "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static int mkdirs(const char *path) {
    char p[1024];
    if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p) return -1;
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            if (mkdir(p, 0755) && errno != EEXIST) return -1;
            *s = '/';
        }
    return mkdir(p, 0755) && errno != EEXIST ? -1 : 0;
}

static void write_summary(rec_sym_t *s, int complete) {
    if (!s->summary[0]) return;
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", s->summary);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        warn("%s: cannot write %s: %s", s->name, tmp, strerror(errno));
        return;
    }
    const char *base = strrchr(s->path, '/');
    char day[32];
    day_name(s->day, day, sizeof day);
    fprintf(f,
            "{\"symbol\":\"%s\",\"day\":\"%s\",\"file\":\"%s\",\"complete\":%s,\"messages\":%" PRId64
            ",\"bytes\":%" PRId64 ",\"file_bytes\":%" PRId64 ",\"exchange_info\":%" PRId64 ",\"snapshots\":%" PRId64
            ",\"reconnects\":%" PRId64 ",\"gaps\":%" PRId64 ",\"gap_seconds\":%.3f,\"gap_list\":[",
            s->name, day, base ? base + 1 : s->path, complete ? "true" : "false", s->fs.messages, s->f.raw_bytes,
            s->f.file_bytes, s->fs.exchange_info, s->fs.snapshots, s->fs.reconnects, s->fs.gaps, s->fs.gap_s);
    for (int i = 0; i < s->fs.ngap; i++)
        fprintf(f, "%s{\"from_ns\":%" PRId64 ",\"to_ns\":%" PRId64 ",\"seconds\":%.3f,\"why\":\"%s\"}", i ? "," : "",
                s->fs.gap[i].from_ns, s->fs.gap[i].to_ns, (double)(s->fs.gap[i].to_ns - s->fs.gap[i].from_ns) / 1e9,
                s->fs.gap[i].why);
    fprintf(f, "]}\n");
    if (fclose(f) || rename(tmp, s->summary)) warn("%s: cannot write %s: %s", s->name, s->summary, strerror(errno));
    s->fs_dirty = 0;
}

static void close_file(rec_t *r, rec_sym_t *s, const char *why) {
    if (!gzw_is_open(&s->f)) return;
    int64_t raw = s->f.raw_bytes;
    int rc = gzw_close(&s->f);
    r->raw_bytes_closed += raw;
    r->file_bytes_closed += s->f.file_bytes;
    if (rc) {
        r->write_errors++;
        warn("%s: finishing %s failed: %s", s->name, s->path, strerror(s->f.err ? s->f.err : EIO));
    }
    write_summary(s, !rc);
    note("%s: %s finished (%s): %" PRId64 " lines, %.1f MB, %.1f MB gzip, %" PRId64 " gaps", s->name, s->path, why,
         s->f.lines, (double)raw / 1e6, (double)s->f.file_bytes / 1e6, s->fs.gaps);
}

static void write_line(rec_t *r, rec_sym_t *s, int64_t ns, const char *text, size_t n) {
    /* a line is one line: a newline inside a message (never seen from Binance) would cut it */
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' ')) n--;
    if (memchr(text, '\n', n)) {
        r->unknown++;
        warn("%s: a message with a newline inside was not written", s->name);
        return;
    }
    if (gzw_line(&s->f, ns, text, n)) {
        if (s->f.err && !r->fatal) {
            r->fatal = 1;
            snprintf(r->err, sizeof r->err, "writing %.400s: %s", s->path, strerror(s->f.err));
        }
        r->write_errors++;
    }
}

static void want_snapshot(rec_sym_t *s, const char *why) {
    if (!s->has_depth) return;
    s->need_snap = 1;
    s->chain_first_U = 0; /* the chain the snapshot must cover starts at the next diff */
    s->snap_why = why;
    s->snap_backoff_s = 0;
}

/* opens the symbol's file for day: its first line the exchangeInfo, then a snapshot is asked */
static int open_file(rec_t *r, rec_sym_t *s, int64_t day) {
    char dir[900], dn[32];
    if (snprintf(dir, sizeof dir, "%s/%s", r->o->out_dir, s->name) >= (int)sizeof dir) {
        snprintf(r->err, sizeof r->err, "the output folder's name is too long");
        return -1;
    }
    if (mkdirs(dir)) {
        snprintf(r->err, sizeof r->err, "cannot create %.400s: %s", dir, strerror(errno));
        return -1;
    }
    day_name(day, dn, sizeof dn);
    for (int k = 0; k < 1000; k++) {
        char sfx[16] = "";
        if (k) snprintf(sfx, sizeof sfx, ".%d", k);
        if (snprintf(s->path, sizeof s->path, "%s/%s%s.gz", dir, dn, sfx) >= (int)sizeof s->path) break;
        if (snprintf(s->summary, sizeof s->summary, "%s/%s%s.summary.json", dir, dn, sfx) >= (int)sizeof s->summary) break;
        if (!gzw_open(&s->f, s->path, r->o->gzip_level)) {
            s->day = day;
            memset(&s->fs, 0, sizeof s->fs);
            r->files_opened++;
            note("%s: writing %s", s->name, s->path);
            if (s->exinfo) {
                write_line(r, s, s->exinfo_ns, s->exinfo, s->exinfo_len);
                s->fs.exchange_info++;
            }
            want_snapshot(s, "a new file");
            write_summary(s, 0);
            return 0;
        }
        if (errno != EEXIST) break;
    }
    snprintf(r->err, sizeof r->err, "cannot create %.400s: %s", s->path, strerror(errno));
    return -1;
}

/* the symbol's file for the day of ns, opened or rotated as needed */
static int file_for(rec_t *r, rec_sym_t *s, int64_t ns) {
    int64_t day = ns / DAY_NS;
    if (gzw_is_open(&s->f) && s->day == day) return 0;
    if (gzw_is_open(&s->f)) {
        if (day < s->day) return 0; /* the clock stepped back over midnight: the open day goes on */
        close_file(r, s, "the UTC day ended");
    }
    if (open_file(r, s, day)) {
        r->fatal = 1;
        return -1;
    }
    return 0;
}

static void add_gap(rec_sym_t *s, int64_t from, int64_t to, const char *why) {
    s->gaps++;
    s->fs.gaps++;
    s->fs.gap_s += (double)(to - from) / 1e9;
    if (s->fs.ngap < MAX_GAPS_KEPT) {
        gap_rec_t *g = &s->fs.gap[s->fs.ngap++];
        g->from_ns = from;
        g->to_ns = to;
        snprintf(g->why, sizeof g->why, "%s", why);
    }
    s->fs_dirty = 1;
    char a[16], b[16];
    hhmmss(from, a, sizeof a);
    hhmmss(to, b, sizeof b);
    warn("%s: gap (%s) from %s to %s UTC, %.3f s", s->name, why, a, b, (double)(to - from) / 1e9);
}

/* ---- a message to its file ----------------------------------------------------------------- */

static void deliver(rec_t *r, int sti, int64_t ns, const char *msg, size_t len) {
    rec_stream_t *st = &r->st[sti];
    rec_sym_t *s = &r->sym[st->sym];
    if (file_for(r, s, ns)) return;
    if (s->down) { /* the first message after a reconnect: the span without data */
        s->down = 0;
        s->fs.reconnects++;
        add_gap(s, s->down_from_ns ? s->down_from_ns : ns, ns, "reconnect");
    }
    if (st->kind == K_DEPTH) {
        int64_t U = record_json_int(msg, len, "U"), u = record_json_int(msg, len, "u");
        if (U > 0 && u >= U) {
            if (s->last_u && U > s->last_u + 1) {
                add_gap(s, s->last_diff_ns ? s->last_diff_ns : ns, ns, "depth diffs missing");
                want_snapshot(s, "a gap in the depth diffs");
            } else if (s->last_u && u < s->last_u - 1000000) { /* the ids went back (a venue restart) */
                add_gap(s, s->last_diff_ns ? s->last_diff_ns : ns, ns, "depth ids went back");
                want_snapshot(s, "the depth ids went back");
                s->last_u = 0;
            }
            if (s->need_snap && !s->chain_first_U) s->chain_first_U = U;
            if (u > s->last_u) s->last_u = u;
            s->last_diff_ns = ns;
        }
    }
    write_line(r, s, ns, msg, len);
    s->last_msg_ns = ns;
    s->messages++;
    s->fs.messages++;
    s->status_msgs++;
    s->fs_dirty = 1;
    r->messages++;
}

static int64_t msg_id(const rec_stream_t *st, const char *msg, size_t len) {
    switch (st->kind) {
    case K_DEPTH: return record_json_int(msg, len, "u");
    case K_BBO: return record_json_int(msg, len, "u");
    case K_TRADE: return record_json_int(msg, len, "t");
    case K_AGG: return record_json_int(msg, len, "a");
    default: return -1;
    }
}

/* the overlap's held messages of stream sti that are newer than what was written, in order */
static void release_pending(rec_t *r, int sti) {
    r->st[sti].held_first = 0;
    for (int i = 0; i < r->npend; i++) {
        pend_msg_t *p = &r->pend[i];
        if (p->done || p->st != sti) continue;
        p->done = 1;
        if (p->id > r->st[sti].last_id) {
            deliver(r, sti, p->ns, r->arena + p->off, p->len);
            r->st[sti].last_id = p->id;
        } else {
            r->dup_dropped++;
        }
    }
}

static void end_overlap(rec_t *r) {
    for (int i = 0; i < r->nst; i++)
        if (!r->st[i].switched) release_pending(r, i);
    for (int i = 0; i < r->nst; i++) r->st[i].switched = 0;
    r->npend = 0;
    r->narena = 0;
    r->nseen = 0;
    r->overlap = 0;
}

/* the old socket is hopelessly behind (or there is no memory to hold more): every stream
   switches to the new one now, this message written, none dropped */
static void switch_now(rec_t *r, int sti, int64_t id, int64_t ns, const char *msg, size_t len, const char *why) {
    warn("a rotation's new connection ran %zu bytes ahead of the old one (%s): switching every stream now",
         r->narena, why);
    end_overlap(r);
    deliver(r, sti, ns, msg, len);
    r->st[sti].last_id = id;
}

static void hold(rec_t *r, int sti, int64_t id, int64_t ns, const char *msg, size_t len) {
    if (r->narena + len > PENDING_MAX) {
        switch_now(r, sti, id, ns, msg, len, "the limit held");
        return;
    }
    if (r->npend == r->cappend) {
        int cap = r->cappend ? r->cappend * 2 : 1024;
        pend_msg_t *p = realloc(r->pend, (size_t)cap * sizeof *p);
        if (!p) {
            switch_now(r, sti, id, ns, msg, len, "out of memory");
            return;
        }
        r->pend = p;
        r->cappend = cap;
    }
    if (r->narena + len > r->caparena) {
        size_t cap = r->caparena ? r->caparena : (1u << 20);
        while (cap < r->narena + len) cap *= 2;
        char *a = realloc(r->arena, cap);
        if (!a) {
            switch_now(r, sti, id, ns, msg, len, "out of memory");
            return;
        }
        r->arena = a;
        r->caparena = cap;
    }
    memcpy(r->arena + r->narena, msg, len);
    r->pend[r->npend++] = (pend_msg_t){sti, id, ns, r->narena, len, 0};
    if (!r->st[sti].held_first) r->st[sti].held_first = id; /* held in order: the smallest */
    r->narena += len;
}

static int held_upto(const rec_t *r, int sti, int64_t id) {
    return r->st[sti].held_first && r->st[sti].held_first <= id;
}

/* A stream message during a rotation's overlap (both sockets deliver). Each stream keeps
   taking the old socket's messages until a message both delivered, then the new socket's:
   the new socket's messages that came first are held, and written once the old socket has
   delivered as far. Id-less messages: the first arrival of each text. */
static void overlap_msg(rec_t *r, int sti, int from_old, int64_t ns, const char *msg, size_t len) {
    rec_stream_t *st = &r->st[sti];
    int64_t id = msg_id(st, msg, len);
    if (id < 0) {
        uint64_t h = fnv(msg, len);
        for (int i = 0; i < r->nseen && i < 4096; i++)
            if (r->seen[i] == h) {
                r->dup_dropped++;
                return;
            }
        r->seen[r->nseen++ % 4096] = h;
        deliver(r, sti, ns, msg, len);
        return;
    }
    if (st->switched) {
        if (from_old || id <= st->last_id) {
            r->dup_dropped++;
            return;
        }
        deliver(r, sti, ns, msg, len);
        st->last_id = id;
        return;
    }
    if (from_old) {
        if (id > st->last_id) {
            deliver(r, sti, ns, msg, len);
            st->last_id = id;
        } else {
            r->dup_dropped++;
        }
        if (held_upto(r, sti, id)) { /* the new socket delivered this one too: switch here */
            st->switched = 1;
            release_pending(r, sti);
        }
        return;
    }
    if (id <= st->last_id) { /* the old socket delivered it already: switch here */
        r->dup_dropped++;
        st->switched = 1;
        release_pending(r, sti);
        return;
    }
    hold(r, sti, id, ns, msg, len);
}

static void on_text(void *ctx, net_conn_t *c, const char *msg, size_t len) {
    rec_t *r = ctx;
    int64_t ns = now_ns();
    static const char pre[] = "{\"stream\":\"";
    if (len > sizeof pre && !memcmp(msg, pre, sizeof pre - 1)) {
        const char *name = msg + sizeof pre - 1;
        const char *q = memchr(name, '"', len - (sizeof pre - 1));
        if (q) {
            size_t nl = (size_t)(q - name);
            int sti = stream_find(r, name, nl);
            if (sti >= 0) {
                if (r->overlap) overlap_msg(r, sti, c->from_old, ns, msg, len);
                else {
                    deliver(r, sti, ns, msg, len);
                    r->st[sti].last_id = msg_id(&r->st[sti], msg, len);
                }
                return;
            }
            if (nl >= 15 && memmem(name, nl, "serverShutdown", 14)) {
                note("the streams announced serverShutdown: opening a new connection beside the old one");
                net_rotate(c);
                return;
            }
        }
    }
    /* answers to SUBSCRIBE ({"result":null,"id":N}) and anything else: not market data */
    if (len < 256 && memmem(msg, len, "serverShutdown", 14)) {
        note("the streams announced serverShutdown: opening a new connection beside the old one");
        net_rotate(c);
        return;
    }
    if (memmem(msg, len < 64 ? len : 64, "\"error\"", 7)) warn("the stream connection answered: %.*s", (int)(len < 300 ? len : 300), msg);
    else if (!memmem(msg, len < 32 ? len : 32, "\"result\"", 8)) r->unknown++;
}

static void on_open(void *ctx, net_conn_t *c) {
    rec_t *r = ctx;
    (void)c;
    r->sub_next = r->nurl;
    r->sub_at = 0;
    note("streams connected (%d streams, %d symbols)%s", r->nst, r->nsym, r->opened_once ? ": a new snapshot for every depth stream" : "");
    if (r->opened_once)
        for (int i = 0; i < r->nsym; i++) want_snapshot(&r->sym[i], "a reconnect");
    r->opened_once = 1;
    for (int i = 0; i < r->nst; i++) r->st[i].last_id = -1;
}

static void on_close(void *ctx, net_conn_t *c, const char *why) {
    rec_t *r = ctx;
    (void)c;
    r->reconnects++;
    if (r->overlap) end_overlap(r);
    warn("stream connection lost (%s): reconnecting", why);
    for (int i = 0; i < r->nsym; i++) {
        rec_sym_t *s = &r->sym[i];
        sym_error(s, "stream connection %s: %s", r->opened_once ? "lost" : "not opened", why);
        if (!s->down) {
            s->down = 1;
            s->down_from_ns = s->last_msg_ns;
        }
        s->last_u = 0; /* the next diffs start a new chain */
    }
}

static void on_rotate(void *ctx, net_conn_t *c) {
    rec_t *r = ctx;
    r->rotations++;
    r->overlap = 1;
    r->npend = 0;
    r->narena = 0;
    r->nseen = 0;
    for (int i = 0; i < r->nst; i++) r->st[i].switched = 0, r->st[i].held_first = 0;
    r->sub_next = r->nurl; /* the new socket subscribes on its own */
    r->sub_at = 0;
    note("the streams moved to a new connection (%lld so far); each stream switches over at a message both delivered",
         (long long)c->rotations);
}

static void on_retired(void *ctx, net_conn_t *c) {
    rec_t *r = ctx;
    (void)c;
    int unswitched = 0;
    for (int i = 0; i < r->nst; i++) unswitched += !r->st[i].switched;
    end_overlap(r);
    if (unswitched) note("the old stream connection closed; %d streams had no message in common on both", unswitched);
}

static const net_conn_ops_t ops = {on_open, on_text, on_close, on_rotate, on_retired};

/* ---- REST: exchangeInfo and snapshots ------------------------------------------------------ */

static void rest_done(void *ctx, uint64_t tag, const rest_answer_t *a) {
    rec_t *r = ctx;
    r->rest_n--;
    int kind = (int)(tag >> 32), i = (int)(tag & 0xffffffff);
    if (i < 0 || i >= r->nsym) return;
    rec_sym_t *s = &r->sym[i];
    int64_t ns = now_ns(), mono = clock_mono_ns();
    if (a->used_weight_1m >= 0 && r->weight_limit && a->used_weight_1m * 5 >= r->weight_limit * 4) {
        r->rest_pause_until = mono + 10 * SEC_NS; /* near the IP's weight limit: slow down */
    }
    if (a->status == 429 || a->status == 418) {
        int ra = a->retry_after_s > 0 ? a->retry_after_s : 60;
        r->rest_pause_until = mono + (int64_t)ra * SEC_NS;
        warn("REST answered %d: no request for %d s", a->status, ra);
    }
    if (kind == TAG_EXINFO) {
        s->exinfo_asked = 0;
        if (a->status == 200 && a->len && memmem(a->body, a->len, "\"symbols\"", 9)) {
            char *b = malloc(a->len);
            if (!b) return;
            memcpy(b, a->body, a->len);
            free(s->exinfo);
            s->exinfo = b;
            s->exinfo_len = a->len;
            s->exinfo_ns = ns;
            s->exinfo_backoff_s = 0;
            int64_t lim = record_json_int(a->body, a->len, "limit"); /* REQUEST_WEIGHT comes first */
            if (!r->weight_limit && lim > 0 && memmem(a->body, a->len, "REQUEST_WEIGHT", 14)) r->weight_limit = lim;
            return;
        }
        if (a->status == 400) { /* -1121 Invalid symbol: nothing to record, ever */
            r->fatal = 1;
            snprintf(r->err, sizeof r->err, "%s: exchangeInfo answered %d: %.200s", s->name, a->status, a->body);
            return;
        }
        s->exinfo_backoff_s = s->exinfo_backoff_s ? (s->exinfo_backoff_s * 2 > 60 ? 60 : s->exinfo_backoff_s * 2) : 1;
        s->exinfo_retry_ns = mono + (int64_t)s->exinfo_backoff_s * SEC_NS;
        warn("%s: exchangeInfo not answered (%d %s): asked again in %d s", s->name, a->status,
             a->status ? "" : (a->why ? a->why : ""), s->exinfo_backoff_s);
        if (a->status) sym_error(s, "exchangeInfo answered %d", a->status);
        else sym_error(s, "exchangeInfo not answered: %s", a->why ? a->why : "no answer");
        return;
    }
    /* a depth snapshot */
    s->snap_asked = 0;
    if (!s->need_snap) return; /* (wanted no more: a reconnect asks again by itself) */
    int64_t L = a->status == 200 ? record_json_int(a->body, a->len, "lastUpdateId") : -1;
    if (L < 0) {
        s->snap_backoff_s = s->snap_backoff_s ? (s->snap_backoff_s * 2 > 30 ? 30 : s->snap_backoff_s * 2) : 1;
        s->snap_retry_ns = mono + (int64_t)s->snap_backoff_s * SEC_NS;
        warn("%s: depth snapshot not answered (%d %s): asked again in %d s", s->name, a->status,
             a->status ? "" : (a->why ? a->why : ""), s->snap_backoff_s);
        if (a->status) sym_error(s, "depth snapshot answered %d", a->status);
        else sym_error(s, "depth snapshot not answered: %s", a->why ? a->why : "no answer");
        return;
    }
    if (s->down) { /* asked before the connection was lost: it joins no diff the file will have */
        s->snap_retry_ns = mono;
        return;
    }
    if (s->chain_first_U && L + 1 < s->chain_first_U) {
        /* older than the diffs it must join: a reader could not use it; another one */
        s->snap_retry_ns = mono + SEC_NS / 2;
        return;
    }
    if (file_for(r, s, ns)) return;
    write_line(r, s, ns, a->body, a->len);
    s->need_snap = 0;
    s->snapshots++;
    s->fs.snapshots++;
    s->fs_dirty = 1;
    if (L > s->last_u) s->last_u = L;
    if (!r->o->quiet) note("%s: depth snapshot written (%s, lastUpdateId %" PRId64 ")", s->name, s->snap_why, L);
}

static int rest_ask(rec_t *r, int kind, int i) {
    char q[256];
    rec_sym_t *s = &r->sym[i];
    if (kind == TAG_EXINFO) snprintf(q, sizeof q, "/api/v3/exchangeInfo?symbol=%s", s->name);
    else snprintf(q, sizeof q, "/api/v3/depth?symbol=%s&limit=%d", s->name, r->o->depth_limit);
    int rc = rest_send(&r->rest, ((uint64_t)kind << 32) | (uint64_t)i, "GET", q);
    if (rc) return rc;
    r->rest_n++;
    return 0;
}

static void rest_schedule(rec_t *r, int64_t ns, int64_t mono) {
    if (mono < r->rest_pause_until) return;
    int64_t day_end = (ns / DAY_NS + 1) * DAY_NS;
    for (int i = 0; i < r->nsym && r->rest_n < REST_IN_FLIGHT; i++) {
        rec_sym_t *s = &r->sym[i];
        /* exchangeInfo: none yet, or the next file's before the day ends */
        int want_ex = !s->exinfo || (ns >= day_end - PREFETCH_NS && s->exinfo_ns < day_end - PREFETCH_NS);
        if (want_ex && !s->exinfo_asked && mono >= s->exinfo_retry_ns) {
            if (!rest_ask(r, TAG_EXINFO, i)) s->exinfo_asked = 1;
            else s->exinfo_retry_ns = mono + SEC_NS;
            continue;
        }
        /* a snapshot once the first diff it must cover is here (so it is not older than it) */
        if (s->need_snap && s->chain_first_U && !s->snap_asked && mono >= s->snap_retry_ns) {
            if (!rest_ask(r, TAG_DEPTH, i)) s->snap_asked = 1;
            else s->snap_retry_ns = mono + SEC_NS;
        }
    }
}

/* ---- status, metrics ----------------------------------------------------------------------- */

static int64_t bytes_written(const rec_t *r, int64_t *file_bytes) {
    int64_t raw = r->raw_bytes_closed, fb = r->file_bytes_closed;
    for (int i = 0; i < r->nsym; i++) /* (a closed file's counts are in the totals already) */
        if (gzw_is_open(&r->sym[i].f)) {
            raw += r->sym[i].f.raw_bytes;
            fb += r->sym[i].f.file_bytes;
        }
    if (file_bytes) *file_bytes = fb;
    return raw;
}

static void status_line(rec_t *r, int64_t mono) {
    double dt = (double)(mono - r->last_status_mono) / 1e9;
    if (dt <= 0) return;
    char line[1024];
    int n = 0;
    int64_t gaps = 0;
    for (int i = 0; i < r->nsym; i++) {
        gaps += r->sym[i].gaps;
        if (i < 8) n += snprintf(line + n, sizeof line - (size_t)n, "%s%s %.1f/s", i ? ", " : "", r->sym[i].name, (double)r->sym[i].status_msgs / dt);
        r->sym[i].status_msgs = 0;
    }
    if (r->nsym > 8) n += snprintf(line + n, sizeof line - (size_t)n, " (+%d symbols)", r->nsym - 8);
    int64_t fb, raw = bytes_written(r, &fb);
    note("%s; %" PRId64 " messages (%.0f/s), %.1f MB written, %.1f MB gzip; gaps %" PRId64 ", reconnects %" PRId64
         ", rotations %" PRId64 "%s",
         line, r->messages, (double)(r->messages - r->last_status_msgs) / dt, (double)raw / 1e6, (double)fb / 1e6, gaps,
         r->reconnects, r->rotations, r->conn.state == NET_OPEN ? "" : "; streams DOWN");
    r->last_status_msgs = r->messages;
    r->last_status_mono = mono;
}

typedef struct buf { char *p; size_t n, cap; int oom; } buf_t;
static void bprintf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(buf_t *b, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (n < 0) return;
        if (b->p && b->n + (size_t)n < b->cap) {
            b->n += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 8192;
        while (cap < b->n + (size_t)n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

/* the Prometheus page (text format 0.0.4), in the manner of `quoter run`'s */
static void metrics_page(void *ctx, const char *path, net_http_answer_t *a) {
    rec_t *r = ctx;
    if (strcmp(path, "/metrics")) {
        a->status = 404;
        return;
    }
    buf_t b = {0};
    struct { const char *name, *help; int field; } per[] = {
        {"quoter_record_messages_total", "stream messages written, by symbol", 0},
        {"quoter_record_snapshots_total", "depth snapshots written, by symbol", 1},
        {"quoter_record_gaps_total", "gaps in the data (reconnects, missing depth diffs), by symbol", 2},
    };
    for (size_t k = 0; k < sizeof per / sizeof per[0]; k++) {
        bprintf(&b, "# HELP %s %s\n# TYPE %s counter\n", per[k].name, per[k].help, per[k].name);
        for (int i = 0; i < r->nsym; i++) {
            const rec_sym_t *s = &r->sym[i];
            int64_t v = per[k].field == 0 ? s->messages : per[k].field == 1 ? s->snapshots : s->gaps;
            bprintf(&b, "%s{symbol=\"%s\"} %" PRId64 "\n", per[k].name, s->name, v);
        }
    }
    int64_t fb, raw = bytes_written(r, &fb);
    struct { const char *name, *type, *help; int64_t v; } one[] = {
        {"quoter_record_bytes_total", "counter", "bytes of lines written, uncompressed", raw},
        {"quoter_record_file_bytes_total", "counter", "bytes written to the files (gzip)", fb},
        {"quoter_record_reconnects_total", "counter", "stream connections lost (each reconnected)", r->reconnects},
        {"quoter_record_rotations_total", "counter", "stream connections replaced (serverShutdown, age)", r->rotations},
        {"quoter_record_files_total", "counter", "files opened", r->files_opened},
        {"quoter_record_write_errors_total", "counter", "failed writes", r->write_errors},
        {"quoter_record_duplicates_dropped_total", "counter", "messages both sockets of a rotation delivered, written once", r->dup_dropped},
        {"quoter_record_connected", "gauge", "1 while the stream connection is open", r->conn.state == NET_OPEN},
    };
    for (size_t k = 0; k < sizeof one / sizeof one[0]; k++)
        bprintf(&b, "# HELP %s %s\n# TYPE %s %s\n%s %" PRId64 "\n", one[k].name, one[k].help, one[k].name, one[k].type,
                one[k].name, one[k].v);
    if (b.oom) {
        free(b.p);
        a->status = 500;
        return;
    }
    a->status = 200;
    a->body = b.p;
    a->len = b.n;
    a->type = "text/plain; version=0.0.4; charset=utf-8";
}

/* ---- the loop ------------------------------------------------------------------------------ */

static void subscribe_more(rec_t *r, int64_t mono) {
    if (r->conn.state != NET_OPEN || r->sub_next >= r->nst || mono < r->sub_at) return;
    char msg[8192];
    int n = snprintf(msg, sizeof msg, "{\"method\":\"SUBSCRIBE\",\"params\":[");
    int k = 0;
    while (r->sub_next < r->nst && k < SUB_PER_MSG && n + 80 < (int)sizeof msg)
        n += snprintf(msg + n, sizeof msg - (size_t)n, "%s\"%s\"", k++ ? "," : "", r->st[r->sub_next++].name);
    n += snprintf(msg + n, sizeof msg - (size_t)n, "],\"id\":%d}", ++r->sub_id);
    if (net_send(&r->conn, msg, (size_t)n)) r->sub_next -= k; /* again at the next turn */
    r->sub_at = mono + SUB_INTERVAL_NS;
}

static void tick(rec_t *r) {
    int64_t mono = clock_mono_ns(), ns = now_ns();
    subscribe_more(r, mono);
    rest_schedule(r, ns, mono);
    /* a quiet symbol's day ends too */
    for (int i = 0; i < r->nsym; i++) {
        rec_sym_t *s = &r->sym[i];
        if (gzw_is_open(&s->f) && ns / DAY_NS > s->day) file_for(r, s, ns);
    }
    if (mono - r->last_flush_mono >= (int64_t)(r->o->flush_s * 1e9)) {
        r->last_flush_mono = mono;
        for (int i = 0; i < r->nsym; i++) {
            rec_sym_t *s = &r->sym[i];
            if (!gzw_is_open(&s->f)) continue;
            if (gzw_flush(&s->f) && !r->fatal) {
                r->fatal = 1;
                snprintf(r->err, sizeof r->err, "writing %.400s: %s", s->path, strerror(s->f.err ? s->f.err : EIO));
            }
            if (s->fs_dirty) write_summary(s, 0);
        }
    }
    if (!r->o->quiet && r->o->status_s > 0 && mono - r->last_status_mono >= (int64_t)(r->o->status_s * 1e9)) status_line(r, mono);
}

static int setup_streams(rec_t *r, char *url, size_t cap) {
    char list[1024];
    snprintf(list, sizeof list, "%s", r->o->streams);
    const char *sfx[32];
    int nsfx = 0;
    for (char *t = strtok(list, ", "); t && nsfx < 32; t = strtok(NULL, ", ")) sfx[nsfx++] = t;
    if (!nsfx) {
        snprintf(r->err, sizeof r->err, "no streams to record (record.streams)");
        return -1;
    }
    if ((long)r->nsym * nsfx > REC_MAX_STREAMS) {
        snprintf(r->err, sizeof r->err, "%d symbols x %d streams is more than the %d streams one connection may carry",
                 r->nsym, nsfx, REC_MAX_STREAMS);
        return -1;
    }
    for (int i = 0; i < r->nsym; i++)
        for (int k = 0; k < nsfx; k++) stream_add(r, i, sfx[k]);
    /* as many as fit in the URL (net.c keeps 1023 bytes of path), the rest by SUBSCRIBE */
    int n = snprintf(url, cap, "%s/stream?streams=", r->o->stream_url);
    size_t path0 = strlen(r->o->stream_url);
    for (int i = 0; i < r->nst; i++) {
        size_t l = strlen(r->st[i].name);
        if (i && (size_t)n - path0 + l + 2 > 1000) break;
        n += snprintf(url + n, cap - (size_t)n, "%s%s", i ? "/" : "", r->st[i].name);
        r->nurl = i + 1;
    }
    return 0;
}

/* A run that wrote no market line of a symbol did not record it, however cleanly it stopped
   (an endpoint that refuses, TLS against plain HTTP, a stop before the streams came): 1 with
   those symbols and each one's last error in err, else 0. */
static int no_data_error(rec_t *r, char *err, size_t cap) {
    int none = 0;
    for (int i = 0; i < r->nsym; i++) none += r->sym[i].messages == 0;
    if (!none) return 0;
    double secs = (double)(clock_mono_ns() - r->start_mono) / 1e9;
    int n = snprintf(err, cap, "no market data recorded for %d of %d symbols in %.1f s:", none, r->nsym, secs);
    int listed = 0;
    for (int i = 0; i < r->nsym && n < (int)cap; i++) {
        const rec_sym_t *s = &r->sym[i];
        if (s->messages) continue;
        if ((size_t)n + strlen(s->name) + strlen(s->last_err) + 40 > cap) break; /* the rest counted below */
        n += snprintf(err + n, cap - (size_t)n, "%s %s (%s)", listed ? ";" : "", s->name,
                      s->last_err[0] ? s->last_err
                      : r->opened_once ? "the streams sent nothing for it"
                                       : "stopped before the streams were opened");
        listed++;
    }
    if (listed < none && n < (int)cap) snprintf(err + n, cap - (size_t)n, "; and %d more", none - listed);
    return 1;
}

int record_run(const record_options_t *o, char *err, size_t errcap) {
    static rec_t rec;
    rec_t *r = &rec;
    memset(r, 0, sizeof *r);
    R = r;
    r->o = o;
    for (int i = 0; i < o->nsymbols; i++) {
        rec_sym_t *s = &r->sym[r->nsym++];
        snprintf(s->name, sizeof s->name, "%s", o->symbols[i]);
        for (int k = 0; s->name[k]; k++) s->lower[k] = (char)(s->name[k] >= 'A' && s->name[k] <= 'Z' ? s->name[k] + 32 : s->name[k]);
        s->day = -1;
    }
    static char url[4096];
    int rc = 0;
    if (setup_streams(r, url, sizeof url)) {
        snprintf(err, errcap, "%s", r->err);
        return -1;
    }
    if (mkdirs(o->out_dir)) {
        snprintf(err, errcap, "cannot create %s: %s", o->out_dir, strerror(errno));
        return -1;
    }
    if (net_init(&r->net) || rest_init(&r->rest, &r->net, o->rest_url, NULL, 0, rest_done, r)) {
        snprintf(err, errcap, "cannot start the network loop (REST URL %s)", o->rest_url);
        net_free(&r->net);
        return -1;
    }
    if (o->metrics_addr && net_listen(&r->net, o->metrics_addr, o->metrics_port, metrics_page, r)) {
        snprintf(err, errcap, "cannot serve metrics on %s:%d", o->metrics_addr, o->metrics_port);
        rest_free(&r->rest);
        net_free(&r->net);
        return -1;
    }
    r->start_mono = r->last_status_mono = r->last_flush_mono = clock_mono_ns();
    /* every symbol's exchangeInfo first: it opens each file */
    note("recording %d symbols (%d streams) into %s", r->nsym, r->nst, o->out_dir);
    int all = 0;
    while (!stop_flag && !r->fatal && !all) {
        rest_schedule(r, now_ns(), clock_mono_ns());
        rest_run(&r->rest);
        net_run(&r->net, 50);
        all = 1;
        for (int i = 0; i < r->nsym; i++) all &= r->sym[i].exinfo != NULL;
        if (o->seconds > 0 && clock_mono_ns() - r->start_mono >= (int64_t)(o->seconds * 1e9)) break;
    }
    if (all && !r->fatal) {
        if (net_open(&r->net, &r->conn, "stream", url, &ops, r)) {
            snprintf(r->err, sizeof r->err, "not a WebSocket URL: %.200s", url);
            r->fatal = 1;
        } else {
            r->conn.own_dedup = 1; /* the streams switch over by their ids (overlap_msg) */
            r->conn.max_age_ns = (int64_t)(o->max_conn_age_s * 1e9);
            for (int i = 0; i < r->nsym; i++)
                if (file_for(r, &r->sym[i], now_ns())) break;
        }
    }
    while (!stop_flag && !r->fatal) {
        if (o->seconds > 0 && clock_mono_ns() - r->start_mono >= (int64_t)(o->seconds * 1e9)) break;
        rest_run(&r->rest);
        net_run(&r->net, 20);
        tick(r);
    }
    if (r->overlap) end_overlap(r);
    int failed = r->fatal;
    for (int i = 0; i < r->nsym; i++) close_file(r, &r->sym[i], "stopped");
    if (!o->quiet) status_line(r, clock_mono_ns());
    if (r->write_errors && !failed) {
        failed = 1;
        snprintf(r->err, sizeof r->err, "%" PRId64 " writes failed (see the log)", r->write_errors);
    }
    if (!failed) failed = no_data_error(r, r->err, sizeof r->err);
    rest_free(&r->rest);
    net_free(&r->net);
    for (int i = 0; i < r->nsym; i++) free(r->sym[i].exinfo);
    free(r->pend);
    free(r->arena);
    if (failed) {
        snprintf(err, errcap, "%s", r->err);
        rc = -1;
    }
    return rc;
}
