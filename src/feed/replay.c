/* replay.c: recorded files -> events (see replay.h). */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

#include "../core/err.h"

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
        return 1;
    }
}

int64_t replay_bad_lines(const replay_t *r) { return r->rec.bad_lines; }

void replay_close(replay_t *r) {
    recording_close(&r->rec);
    free(r->levels);
    r->levels = 0;
}
