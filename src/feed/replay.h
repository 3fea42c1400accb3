/* replay.h: recorded files -> typed market data events (recording reader + decoder),
 * with per-type counts and bad-line accounting. Used by verify, backtest and the exchange. */
#ifndef Q_REPLAY_H
#define Q_REPLAY_H

#include "../core/symbol.h"
#include "decode.h"
#include "recording.h"

#define REPLAY_MAX_LEVELS 20000 /* a 5000-level snapshot per side with room to spare */

typedef struct replay {
    recording_t rec;
    md_decoder_t dec;
    md_level_t *levels;
    int64_t lines;          /* lines read, good or bad */
    int64_t count[MD_IGNORED + 1];
} replay_t;

int replay_open(replay_t *r, char **files, int nfiles, const symbol_rules_t *rules);
/* 1 and an event; 0 at the end; a negative error when a file cannot be read (r->rec.err). */
int replay_next(replay_t *r, md_event_t *ev);
int64_t replay_bad_lines(const replay_t *r);
void replay_close(replay_t *r);

#endif
