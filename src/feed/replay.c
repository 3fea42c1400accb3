/* replay.c: recorded files -> events (see replay.h). */
#define _GNU_SOURCE /* memmem */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "../core/err.h"

/* counts the decoded line under its symbol; `last` caches the previous line's index */
static void count_symbol(replay_symbols_t *s, int *last, const md_decoder_t *d) {
    if (!d->line_symbol_len) {
        s->unnamed++;
        return;
    }
    int i = *last;
    if (i < s->n && !strcmp(s->s[i].name, d->line_symbol)) {
        s->s[i].lines++;
        return;
    }
    for (i = 0; i < s->n; i++)
        if (!strcmp(s->s[i].name, d->line_symbol)) break;
    if (i == s->n) {
        if (s->n == REPLAY_MAX_SYMBOLS) {
            s->more++;
            return;
        }
        memcpy(s->s[i].name, d->line_symbol, d->line_symbol_len + 1);
        s->n++;
    }
    s->s[i].lines++;
    *last = i;
}

int replay_open(replay_t *r, char **files, int nfiles, const symbol_rules_t *rules) {
    memset(r, 0, sizeof *r);
    r->levels = malloc(REPLAY_MAX_LEVELS * sizeof *r->levels);
    if (!r->levels) return Q_E_NOMEM;
    md_decoder_init(&r->dec, &rules->tick, &rules->lot, rules->symbol, r->levels, REPLAY_MAX_LEVELS);
    return recording_open(&r->rec, files, nfiles);
}

/* an exchangeInfo line in the replay: the first of the symbol's is kept, a later one is
   compared with it (see replay.h) */
static void on_exinfo(replay_t *r, const char *json, size_t n) {
    r->exinfo_lines++;
    if (!r->dec.symbol_len) return; /* a replay of every symbol has no rules to keep */
    symbol_rules_t x;
    char err[200];
    int rc = exinfo_parse(json, n, r->dec.symbol, &x, err, sizeof err);
    if (rc == Q_E_NOTFOUND) return; /* another symbol's rules only: nothing of ours */
    if (rc) {
        recording_bad_line(&r->rec, err);
        return;
    }
    if (!r->have_exinfo) {
        r->have_exinfo = 1;
        r->exinfo = x;
        snprintf(r->exinfo_where, sizeof r->exinfo_where, "%s:%ld", recording_file(&r->rec), r->rec.lineno);
        return;
    }
    char diff[400];
    if (!exinfo_rules_diff(&r->exinfo, &x, diff, sizeof diff)) return;
    if (++r->exinfo_changes <= 5 && r->rec.quiet >= 0)
        fprintf(stderr,
                "quoter: %s:%ld: %s's exchangeInfo differs from the first one (%s): %s; the run keeps the rules it "
                "started with\n",
                recording_file(&r->rec), r->rec.lineno, r->dec.symbol, r->exinfo_where, diff);
}

int replay_next(replay_t *r, md_event_t *ev) {
    for (;;) {
        const char *json;
        size_t n;
        int64_t t;
        int rc = recording_next(&r->rec, &json, &n, &t);
        if (rc <= 0) return rc;
        r->lines++;
        rc = md_decode(&r->dec, json, n, ev);
        if (rc) {
            recording_bad_line(&r->rec, r->dec.err);
            continue;
        }
        if (r->dec.exinfo) {
            on_exinfo(r, json, n);
            continue;
        }
        if (r->max_local_ns && t < r->max_local_ns - REPLAY_BACK_NS) {
            snprintf(r->rec.err, sizeof r->rec.err,
                     "%s:%ld: the receive time goes back %.3f s from the latest before it (are the files in time order?)",
                     recording_file(&r->rec), r->rec.lineno, (double)(r->max_local_ns - t) / 1e9);
            return Q_E_INVAL;
        }
        if (t > r->max_local_ns) r->max_local_ns = t;
        ev->local_ns = t;
        r->count[ev->type]++;
        count_symbol(&r->syms, &r->last_sym, &r->dec);
        return 1;
    }
}

int64_t replay_bad_lines(const replay_t *r) { return r->rec.bad_lines; }

void replay_close(replay_t *r) {
    recording_close(&r->rec);
    free(r->levels);
    r->levels = 0;
}

int64_t replay_symbol_lines(const replay_symbols_t *s, const char *symbol) {
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->s[i].name, symbol)) return s->s[i].lines;
    return 0;
}

const char *replay_symbols_list(const replay_symbols_t *s, char *buf, size_t cap) {
    int done[REPLAY_MAX_SYMBOLS] = {0};
    size_t o = 0;
    buf[0] = 0;
    for (int k = 0; k < s->n && o < cap; k++) {
        int best = -1;
        for (int i = 0; i < s->n; i++)
            if (!done[i] && (best < 0 || s->s[i].lines > s->s[best].lines)) best = i;
        done[best] = 1;
        int w = snprintf(buf + o, cap - o, "%s%s (%lld line%s)", k ? ", " : "", s->s[best].name,
                         (long long)s->s[best].lines, s->s[best].lines == 1 ? "" : "s");
        if (w < 0) break;
        o += (size_t)w;
    }
    if (s->more && o < cap) snprintf(buf + o, cap - o, " and %lld lines of further symbols", (long long)s->more);
    return buf;
}

/* The scans' reader: the recording streamed in small chunks (what they want is at the start),
   bad lines left to the replay proper to report, and a decoder for a symbol no line can name
   ("?"): every named line decodes as another symbol's, its prices skipped unread whatever
   their tick; lines naming none may fail to decode. */
typedef struct scan {
    recording_t rec;
    md_decoder_t d;
    md_level_t lv[1];
} scan_t;

static int scan_open(scan_t *s, char **files, int nfiles, size_t chunk, char *err, size_t errcap) {
    fx_unit_t unit;
    fx_unit_make(8, 1, &unit);
    md_decoder_init(&s->d, &unit, &unit, "?", s->lv, 1);
    int rc = recording_open(&s->rec, files, nfiles);
    if (rc) {
        snprintf(err, errcap, "%s", q_strerror(rc));
        return rc;
    }
    s->rec.whole_limit = 0;
    s->rec.chunk = chunk;
    s->rec.quiet = -1;
    return 0;
}

/* the next line: 1, 0 at the end, < 0 on an error (err filled, the recording closed) */
static int scan_next(scan_t *s, const char **json, size_t *n, char *err, size_t errcap) {
    int64_t t;
    int rc = recording_next(&s->rec, json, n, &t);
    if (rc < 0) {
        snprintf(err, errcap, "%s", s->rec.err);
        recording_close(&s->rec);
    }
    return rc;
}

int replay_scan_symbols(char **files, int nfiles, const char *want, int64_t max_lines, replay_symbols_t *out,
                        char *err, size_t errcap) {
    memset(out, 0, sizeof *out);
    scan_t sc;
    int rc = scan_open(&sc, files, nfiles, 256u << 10, err, errcap); /* about 1000 lines of depth and tickers */
    if (rc) return rc;
    int last = 0, at_end = 0;
    for (int64_t lines = 0; !max_lines || lines < max_lines; lines++) {
        const char *json;
        size_t n;
        if ((rc = scan_next(&sc, &json, &n, err, errcap)) < 0) return rc;
        if (rc == 0) {
            at_end = 1;
            break;
        }
        md_event_t ev;
        if (md_decode(&sc.d, json, n, &ev) || sc.d.exinfo) continue;
        count_symbol(out, &last, &sc.d);
        if (want && want[0] && sc.d.line_symbol_len && !strcmp(sc.d.line_symbol, want)) break;
    }
    recording_close(&sc.rec);
    return at_end;
}

int replay_scan_exinfo(char **files, int nfiles, const char *symbol, exinfo_entry_t *e, char *where, size_t wcap,
                       char *err, size_t errcap) {
    for (int f = 0; f < nfiles; f++) {
        scan_t sc;
        int rc = scan_open(&sc, &files[f], 1, 64u << 10, err, errcap); /* the line is at the file's start */
        if (rc) return rc;
        for (int lines = 0; lines < REPLAY_EXINFO_LINES; lines++) {
            const char *json;
            size_t n;
            if ((rc = scan_next(&sc, &json, &n, err, errcap)) < 0) return rc;
            if (rc == 0) break;
            md_event_t ev;
            int bad = md_decode(&sc.d, json, n, &ev) != 0;
            /* a line meant as exchangeInfo that is not even JSON: said as such, not as unknown rules */
            if (bad && !memmem(json, n, "\"symbols\"", 9)) continue;
            if (!bad && !sc.d.exinfo) continue;
            char why[200];
            rc = bad ? Q_E_PARSE : exinfo_entry_parse(json, n, symbol, e, why, sizeof why);
            if (bad) snprintf(why, sizeof why, "an exchangeInfo line that is not valid JSON (%s)", sc.d.err);
            if (rc == Q_E_NOTFOUND) continue; /* another symbol's */
            if (!rc) { /* readable to the end: its units and bounds convert */
                symbol_rules_t r;
                rc = exinfo_entry_rules(e, &r, why, sizeof why);
            }
            snprintf(where, wcap, "%s:%ld", files[f], sc.rec.lineno);
            recording_close(&sc.rec);
            if (rc) {
                snprintf(err, errcap, "%s: %s", where, why);
                return Q_E_PARSE;
            }
            return 1;
        }
        recording_close(&sc.rec);
    }
    return 0;
}
