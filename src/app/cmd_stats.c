/* cmd_stats.c: `quoter stats` measures a recording: mstats' rates, spread, volatility, depth
 * and trade sizes, and mflow's adverse selection (the mid's move after trades, the
 * persistence of the aggressor's side). The same figures for a real and a synthetic market
 * are what the README's table compares. */
#include <stdio.h>
#include <string.h>

#include "../backtest/mflow.h"
#include "../backtest/mstats.h"
#include "cli.h"
#include "recsym.h"

static const char stats_usage[] =
    "usage: quoter stats [-c CONFIG] [--set S.K=V] [--exchange-info FILE] [--json] FILE...\n"
    "\n"
    "The symbol is the recording's unless market.symbol names it, its rules --exchange-info's,\n"
    "the recording's own exchangeInfo line's or the [market] keys' (as backtest and verify).\n"
    "Prints a recording's statistics as key=value pairs (--json: one JSON object), several\n"
    "files read as one stream:\n"
    "  diffs_per_s, bookticker_per_s, trades_per_s   message rates\n"
    "  levels_per_diff                  price levels per depth diff\n"
    "  spread_ticks_median/_mean        bookTicker spread in ticks\n"
    "  vol_bps_1s                       std of 1 s mid log returns, bps\n"
    "  depth_10bps                      mean base quantity within 10 bps of the mid\n"
    "  trade_qty_median/_mean           trade sizes, base\n"
    "  aggressor_orders, trades_per_order   a taker order is a run of trades with one T and side\n"
    "  move_1s_bps, move_5s_bps         the mid's move in the aggressor's direction after a trade:\n"
    "                                   sign * (mid(t+h) - mid0) / mid0 * 1e4, sign +1 for a buyer\n"
    "                                   aggressor, t the trade's receive time, mid0 the last\n"
    "                                   bookTicker mid before the trade, mid(t+h) the last at or\n"
    "                                   before t+h; averaged over trades whose t+h is within the\n"
    "                                   recording (adverse selection, as a maker pays it)\n"
    "  sign_autocorr                    Pearson correlation of consecutive trades' signs\n"
    "The shared BTCUSDT recording gives move_1s_bps=0.46, move_5s_bps=0.34, sign_autocorr=0.79.\n";

int cmd_stats(int argc, char **argv) {
    static cli_common_t c;
    recsym_t rs;
    int rc = recsym_parse(&c, &rs, argc, argv, stats_usage, "stats");
    if (rc) return rc;
    mstats_t s;
    mflow_t f;
    char err[512];
    /* two passes (about 0.1 s each on the shared recording): mflow keeps out of mstats' loop */
    if (mstats_compute(c.files, c.nfiles, &c.x.rules, &s, err, sizeof err) ||
        mflow_compute(c.files, c.nfiles, &c.x.rules, &f, err, sizeof err)) {
        cli_fail("%s", err);
        return 2;
    }
    if (c.json) {
        printf("{\"symbol\":\"%s\",\"seconds\":%.1f,\"diffs_per_s\":%.2f,\"bookticker_per_s\":%.2f,"
               "\"trades_per_s\":%.2f,\"levels_per_diff\":%.1f,\"spread_ticks_median\":%.0f,"
               "\"spread_ticks_mean\":%.2f,\"vol_bps_1s\":%.3f,\"depth_10bps\":%.3f,\"trade_qty_median\":%.5f,"
               "\"trade_qty_mean\":%.5f,\"trades\":%lld,\"aggressor_orders\":%lld,\"trades_per_order\":%.2f,"
               "\"move_1s_bps\":%.3f,\"move_5s_bps\":%.3f,\"move_1s_trades\":%lld,\"move_5s_trades\":%lld,"
               "\"sign_autocorr\":%.3f,\"bad_lines\":%lld,\"gaps\":%lld}\n",
               c.x.rules.symbol, s.seconds, s.diffs_per_s, s.bbo_per_s, s.trades_per_s, s.levels_per_diff,
               s.spread_ticks_median, s.spread_ticks_mean, s.vol_bps, s.depth10_base, s.trade_median,
               s.trade_mean, (long long)f.trades, (long long)f.orders, f.trades_per_order, f.move_1s_bps,
               f.move_5s_bps, (long long)f.n_1s, (long long)f.n_5s, f.sign_autocorr, (long long)s.bad_lines,
               (long long)s.gaps);
        return 0;
    }
    /* mstats' line as before, the flow statistics on a second line; scripts read them by key */
    mstats_print(&s, stdout);
    mflow_print(&f, stdout);
    return 0;
}
