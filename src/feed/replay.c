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

int replay_scan_symbols(char **files, int nfiles, const char *want, int64_t max_lines, replay_symbols_t *out,
                        char *err, size_t errcap) {
    memset(out, 0, sizeof *out);
    recording_t rec;
    md_decoder_t d;
    md_level_t lv[1];
    fx_unit_t unit;
    fx_unit_make(8, 1, &unit);
    /* a symbol no line can name: every named line decodes as another symbol's, so its prices
       are skipped unread, whatever their tick; lines naming none may fail, and are not counted */
    md_decoder_init(&d, &unit, &unit, "?", lv, 1);
    int rc = recording_open(&rec, files, nfiles);
    if (rc) {
        snprintf(err, errcap, "%s", q_strerror(rc));
        return rc;
    }
    rec.whole_limit = 0;   /* stream: the first lines cost a small chunk, not the whole file */
    rec.chunk = 256u << 10; /* about 1000 lines of depth and tickers */
    rec.quiet = -1;      /* the replay proper reports bad lines */
    int last = 0, at_end = 0;
    int64_t lines = 0;
    for (;;) {
        if (max_lines && lines >= max_lines) break;
        const char *json;
        size_t n;
        int64_t t;
        rc = recording_next(&rec, &json, &n, &t);
        if (rc < 0) {
            snprintf(err, errcap, "%s", rec.err);
            recording_close(&rec);
            return rc;
        }
        if (rc == 0) {
            at_end = 1;
            break;
        }
        lines++;
        md_event_t ev;
        if (md_decode(&d, json, n, &ev) || d.exinfo) continue;
        count_symbol(out, &last, &d);
        if (want && want[0] && d.line_symbol_len && !strcmp(d.line_symbol, want)) break;
    }
    recording_close(&rec);
    return at_end;
}

int replay_scan_exinfo(char **files, int nfiles, const char *symbol, exinfo_entry_t *e, char *where, size_t wcap,
                       char *err, size_t errcap) {
    md_decoder_t d;
    md_level_t lv[1];
    fx_unit_t unit;
    fx_unit_make(8, 1, &unit);
    md_decoder_init(&d, &unit, &unit, "?", lv, 1); /* every market line is another symbol's: skipped unread */
    for (int f = 0; f < nfiles; f++) {
        recording_t rec;
        int rc = recording_open(&rec, &files[f], 1);
        if (rc) {
            snprintf(err, errcap, "%s", q_strerror(rc));
            return rc;
        }
        rec.whole_limit = 0;  /* stream a small chunk: the line is at the file's start */
        rec.chunk = 64u << 10;
        rec.quiet = -1;       /* the replay proper reports bad lines */
        for (int lines = 0; lines < REPLAY_EXINFO_LINES; lines++) {
            const char *json;
            size_t n;
            int64_t t;
            rc = recording_next(&rec, &json, &n, &t);
            if (rc < 0) {
                snprintf(err, errcap, "%s", rec.err);
                recording_close(&rec);
                return rc;
            }
            if (rc == 0) break;
            md_event_t ev;
            int bad = md_decode(&d, json, n, &ev) != 0;
            /* a line meant as exchangeInfo that is not even JSON: said as such, not as unknown rules */
            if (bad && !memmem(json, n, "\"symbols\"", 9)) continue;
            if (!bad && !d.exinfo) continue;
            char why[200];
            rc = bad ? Q_E_PARSE : exinfo_entry_parse(json, n, symbol, e, why, sizeof why);
            if (bad) snprintf(why, sizeof why, "an exchangeInfo line that is not valid JSON (%s)", d.err);
            if (rc == Q_E_NOTFOUND) continue; /* another symbol's */
            if (!rc) { /* readable to the end: its units and bounds convert */
                symbol_rules_t r;
                rc = exinfo_entry_rules(e, &r, why, sizeof why);
            }
            snprintf(where, wcap, "%s:%ld", files[f], rec.lineno);
            recording_close(&rec);
            if (rc) {
                snprintf(err, errcap, "%s: %s", where, why);
                return Q_E_PARSE;
            }
            return 1;
        }
        recording_close(&rec);
    }
    return 0;
}
