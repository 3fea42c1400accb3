/* main.c: quoter's entry point: git-style subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: quoter <command> [options]\n"
    "\n"
    "commands:\n"
    "  backtest -c CONFIG FILE...   replay recordings through the engine and the simulated venue\n"
    "  sweep -c CONFIG --grid S.K=V1,V2,... FILE...   backtest every combination of a grid, one\n"
    "                               decode of the data for all (--jobs, --shard, --merge, --split)\n"
    "  run -c CONFIG [--endpoint production|testnet|demo|URL]   quote live (Binance or a local exchange)\n"
    "  history [--db FILE] [--json] [--out DIR] [--latency-csv F] [RUN]   a live run's backtest report, from its journal\n"
    "  record --symbols A,B [--out DIR] [--endpoint E]   collect market data into daily recordings\n"
    "  verify [-c CONFIG] FILE...   check the synchronised book against every bookTicker\n"
    "  synth --seconds N --seed S -o FILE.gz   write a synthetic recording\n"
    "  exchange [--port N] [--speed X] [--loop] [FILE...]   a local Binance-compatible exchange\n"
    "  stats [--json] FILE...       a recording's statistics (rates, spread, volatility, depth,\n"
    "                               adverse selection: the mid's move after trades, sign autocorrelation)\n"
    "  config [--keys]              print the effective configuration, or list every key\n"
    "\n"
    "Each command takes --help. Recordings are `<local ns> <raw JSON>` lines, gzip or plain.\n";

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "verify")) return cmd_verify(argc - 1, argv + 1);
    if (!strcmp(cmd, "backtest")) return cmd_backtest(argc - 1, argv + 1);
    if (!strcmp(cmd, "synth")) return cmd_synth(argc - 1, argv + 1);
    if (!strcmp(cmd, "config")) return cmd_config(argc - 1, argv + 1);
    if (!strcmp(cmd, "stats")) return cmd_stats(argc - 1, argv + 1);
    if (!strcmp(cmd, "exchange")) return cmd_exchange(argc - 1, argv + 1);
    if (!strcmp(cmd, "run")) return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "history")) return cmd_history(argc - 1, argv + 1);
    if (!strcmp(cmd, "sweep")) return cmd_sweep(argc - 1, argv + 1);
    if (!strcmp(cmd, "record")) return cmd_record(argc - 1, argv + 1);
    fprintf(stderr, "quoter: unknown command '%s'\n%s", cmd, usage);
    return 2;
}
