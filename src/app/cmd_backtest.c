/* cmd_backtest.c: `quoter backtest`: run a strategy over recordings, print the report. */
#include <stdio.h>
#include <stdlib.h>

#include "../backtest/backtest.h"
#include "cli.h"
#include "recsym.h"

static const char usage[] =
    "usage: quoter backtest [-c CONFIG] [--set section.key=value]... [--exchange-info FILE] [--json]\n"
    "                       [--out DIR] FILE...\n"
    "\n"
    "Replays recordings (several files as one stream, in the order given) through the engine\n"
    "and the simulated venue, and prints a report: span, events, orders, fills, volume, fees,\n"
    "realized and total PnL, return against holding the starting inventory, drawdown,\n"
    "inventory range, time quoted on both sides and the mean quoted spread.\n"
    "\n"
    "  -c, --config FILE   INI config (examples/btcusdt.ini); `quoter config --keys` lists keys\n"
    "  --set S.K=V         override one key, e.g. --set strategy.spread=8\n"
    "  --json              print the report as one JSON object (keys: docs/backtest-report.md)\n"
    "  --out DIR           write orders.csv, fills.csv, equity.csv and chart.png into DIR\n"
    "  --exchange-info FILE  the symbol's assets, tick, step and filters from a saved\n"
    "                      GET /api/v3/exchangeInfo response (= --set market.exchange_info=FILE)\n"
    "\n"
    "The symbol is the recording's unless market.symbol is given; a recording with no line of\n"
    "it, or of several symbols when none is given, is an error. Its rules come from the\n"
    "exchangeInfo file, else the recording's own exchangeInfo line (quoter record writes one\n"
    "at the start of each file; the [market] keys given win over its fields), else the\n"
    "[market] keys, whose defaults are BTCUSDT's only.\n"
    "\n"
    "Exit status: 0 done, 2 bad usage, config, symbol or unreadable data.\n";

int cmd_backtest(int argc, char **argv) {
    static cli_common_t c;
    recsym_t rs;
    int rc = recsym_parse(&c, &rs, argc, argv, usage, "backtest");
    if (rc) return rc;
    backtest_t *bt = calloc(1, sizeof *bt);
    if (!bt) return 2;
    rc = backtest_run(bt, &c.cfg, &c.x, c.files, c.nfiles, c.out_dir);
    if (rc) {
        cli_fail("%s", bt->err);
        backtest_free(bt);
        free(bt);
        return 2;
    }
    if (recsym_check(&c, &rs, &bt->rp.syms)) { /* no report of a run on nothing of ours */
        backtest_free(bt);
        free(bt);
        return 2;
    }
    if (c.json) report_print_json(&bt->rep, stdout);
    else report_print_text(&bt->rep, stdout, (const char *const *)c.files, c.nfiles);
    if (c.out_dir) {
        if (report_chart(c.out_dir, c.x.rules.symbol))
            fprintf(stderr, "quoter: chart.png not written (is gnuplot installed? see %s/chart.log)\n", c.out_dir);
        else if (!c.json)
            printf("files             %s/{orders,fills,equity}.csv, %s/chart.png\n", c.out_dir, c.out_dir);
    }
    backtest_free(bt);
    free(bt);
    return 0;
}
