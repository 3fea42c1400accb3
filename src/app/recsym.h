/* recsym.h: the traded symbol of a command that replays recordings (backtest, verify).
 *
 * The replay knows the symbol of every line (decode.h: the combined-stream name or "s").
 * When the config does not give market.symbol, it is taken from the recording; when it
 * gives one the recording has no line of, the command stops naming both; a recording of
 * several symbols needs market.symbol to say which. --exchange-info FILE is the command
 * line's market.exchange_info: the symbol's rules from a saved exchangeInfo response. */
#ifndef Q_RECSYM_H
#define Q_RECSYM_H

#include "../feed/replay.h"
#include "cli.h"

typedef struct recsym {
    int taken; /* market.symbol came from the recording */
} recsym_t;

/* cli_parse for a replaying command, plus --exchange-info FILE: checks that files were
   given (else says `cmd` needs one), settles market.symbol against the recording, then
   resolves the config. Prints why on failure; returns 0 or 2 (an exit status). */
int recsym_parse(cli_common_t *c, recsym_t *rs, int argc, char **argv, const char *usage, const char *cmd);

/* After the replay, on what it counted: the traded symbol must have had lines, and a
   symbol taken from the recording must have been its only one. Prints why; 0 or 2. */
int recsym_check(const cli_common_t *c, const recsym_t *rs, const replay_symbols_t *seen);

#endif
