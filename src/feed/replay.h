/* replay.h: recorded files -> typed market data events (recording reader + decoder),
 * with per-type counts and bad-line accounting. Used by verify, backtest and the exchange.
 *
 * A recording may carry its symbol's exchangeInfo (issue 10): a line holding a GET
 * /api/v3/exchangeInfo response, at the start of each file `quoter record` writes. It is
 * no market event: replay_next reads it itself, never hands it out, nor counts it as a bad,
 * ignored or symbol's line. The first one of the replayed symbol governs the run (the
 * command takes its rules from it, replay_scan_exinfo); a later one whose rules differ (a
 * rules change mid-day, or the next day's file) is counted and warned about, and the run
 * keeps the rules it started with. One that cannot be read (not JSON, the symbol's entry
 * without a valid tickSize or stepSize) is a bad line. */
#ifndef Q_REPLAY_H
#define Q_REPLAY_H

#include "../core/symbol.h"
#include "decode.h"
#include "exchange_info.h"
#include "recording.h"

#define REPLAY_MAX_LEVELS 20000 /* a 5000-level snapshot per side with room to spare */
#define REPLAY_MAX_SYMBOLS 16   /* symbols told apart in the counts; more are counted together */

/* lines per symbol named (stream name or "s"), whatever was done with them */
typedef struct replay_symbols {
    struct { char name[24]; int64_t lines; } s[REPLAY_MAX_SYMBOLS];
    int n;
    int64_t more;      /* lines of symbols beyond the first REPLAY_MAX_SYMBOLS */
    int64_t unnamed;   /* decoded lines that name no symbol (REST snapshots) */
} replay_symbols_t;

typedef struct replay {
    recording_t rec;
    md_decoder_t dec;
    md_level_t *levels;
    int64_t lines;          /* lines read, good or bad */
    int64_t count[MD_IGNORED + 1];
    replay_symbols_t syms;
    int last_sym;           /* index in syms of the previous line's symbol (most lines repeat it) */
    int64_t max_local_ns;   /* the latest receive time so far: none may come REPLAY_BACK_NS before it */
    /* exchangeInfo lines: how many, the first of the symbol's (where and its rules), and the
       later ones whose rules differ from it */
    int64_t exinfo_lines, exinfo_changes;
    int have_exinfo;
    symbol_rules_t exinfo;
    char exinfo_where[280];
} replay_t;

int replay_open(replay_t *r, char **files, int nfiles, const symbol_rules_t *rules);
/* 1 and an event; 0 at the end; a negative error when a file cannot be read, or when an
   event's receive time lies more than REPLAY_BACK_NS before the latest one read (files given
   out of order, one given twice, a recording whose clock stepped back: every reader assumes
   time runs forward) (r->rec.err). Less than that is a recording's own: a recorder writes a
   rotation's held messages and a snapshot's answer a few seconds late. */
#define REPLAY_BACK_NS 60000000000LL
int replay_next(replay_t *r, md_event_t *ev);
int64_t replay_bad_lines(const replay_t *r);
void replay_close(replay_t *r);

/* Lines of `symbol` counted so far. */
int64_t replay_symbol_lines(const replay_symbols_t *s, const char *symbol);
/* "ETHUSDT (5120 lines), BNBUSDT (3 lines)" into buf, the most frequent first. */
const char *replay_symbols_list(const replay_symbols_t *s, char *buf, size_t cap);

/* Which symbols a recording names, without decoding its prices: reads lines until
   `max_lines` have been read (0 = to the end) or, when `want` is given, until a line of it
   is seen. Streams the files (zlib, bounded memory), reports no bad line. Returns 1 when
   it read to the end, 0 when it stopped early, or a negative error with err set. */
int replay_scan_symbols(char **files, int nfiles, const char *want, int64_t max_lines, replay_symbols_t *out,
                        char *err, size_t errcap);

/* The recording's own exchangeInfo for `symbol`: the first line among the first
   REPLAY_EXINFO_LINES of each file, the files in order, that is an exchangeInfo response
   naming it. Returns 1 with *e and `where` ("FILE:LINE") set, 0 when no file has one,
   Q_E_PARSE when such a line cannot be read (err: FILE:LINE: why), or another negative
   error when a file cannot be read. */
#define REPLAY_EXINFO_LINES 64
int replay_scan_exinfo(char **files, int nfiles, const char *symbol, exinfo_entry_t *e, char *where, size_t wcap,
                       char *err, size_t errcap);

#endif
