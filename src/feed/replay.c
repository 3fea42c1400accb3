/* replay.c: recorded files -> events (see replay.h). */
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
        if (md_decode(&d, json, n, &ev)) continue;
        count_symbol(out, &last, &d);
        if (want && want[0] && d.line_symbol_len && !strcmp(d.line_symbol, want)) break;
    }
    recording_close(&rec);
    return at_end;
}
