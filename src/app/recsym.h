/* recsym.h: the traded symbol of a command that replays recordings (backtest, verify).
 *
 * The replay knows the symbol of every line (decode.h: the combined-stream name or "s").
 * When the config does not give market.symbol, it is taken from the recording; when it
 * gives one the recording has no line of, the command stops naming both; a recording of
 * several symbols needs market.symbol to say which. --exchange-info FILE is the command
 * line's market.exchange_info: the symbol's rules from a saved exchangeInfo response.
 *
 * A recording that carries its symbol's exchangeInfo (a line `quoter record` writes at the
 * start of each file) gives the rules when --exchange-info does not: the [market] keys a
 * config file or --set gives win over its fields one by one (config_resolve_rec). A line
 * on stderr says where the rules came from whenever the recording has such a line. */
#ifndef Q_RECSYM_H
#define Q_RECSYM_H

#include "../feed/replay.h"
#include "cli.h"

typedef struct recsym {
    int taken; /* market.symbol came from the recording */
    /* the recording's own exchangeInfo entry for the symbol (replay_scan_exinfo) and where it is */
    int has_info;
    exinfo_entry_t info;
    char info_where[300];
} recsym_t;

/* cli_parse for a replaying command, plus --exchange-info FILE: checks that files were
   given (else says `cmd` needs one), settles market.symbol against the recording, reads the
   recording's exchangeInfo line of it, then resolves the config. An exchangeInfo line that
   cannot be read stops the command when the rules would come from it (no --exchange-info).
   Prints why on failure; returns 0 or 2 (an exit status). */
int recsym_parse(cli_common_t *c, recsym_t *rs, int argc, char **argv, const char *usage, const char *cmd);

/* After the replay, on what it counted: the traded symbol must have had lines, and a
   symbol taken from the recording must have been its only one. Prints why; 0 or 2. */
int recsym_check(const cli_common_t *c, const recsym_t *rs, const replay_symbols_t *seen);

#endif
