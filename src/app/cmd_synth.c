/* cmd_synth.c: `quoter synth` writes a synthetic recording (`quoter stats`, cmd_stats.c, measures one). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../exchange/synth.h"
#include "cli.h"

static const char synth_usage[] =
    "usage: quoter synth --seconds N --seed S -o FILE.gz [options]\n"
    "\n"
    "Writes a synthetic market recording in the collector format (`<local ns> <raw JSON>`,\n"
    "gzip): a depth snapshot, depth@100ms diffs, bookTicker and trades of market.symbol, from\n"
    "a stochastic order-flow model whose defaults match the shared BTCUSDT recording,\n"
    "adverse selection included: market orders come in meta-orders (their signs persist)\n"
    "and move the price their way; `quoter stats` measures both (see README).\n"
    "The same seed gives the same file.\n"
    "\n"
    "  --seconds N         length (default 600)\n"
    "  --seed S            random seed (default 1)\n"
    "  -o, --out FILE      output file (gzip)\n"
    "  --price P           starting price (default 61837.63)\n"
    "  --vol-bps V         news volatility, bps per sqrt(second) (default 0.65; the order\n"
    "                      flow's impact adds to it: 1.2 in all with the defaults)\n"
    "  --trades-per-s T    background market orders per second (default 6; each prints\n"
    "                      about 3 trades, and the sweeps after news add more)\n"
    "  --impact-bps I      price impact of a median market order, bps (default 0.12; 0 for\n"
    "                      a market with no adverse selection from the flow)\n"
    "  --meta-share S      probability a market order takes its meta-order's side, else a\n"
    "                      coin (default 0.8; 0 for signs without memory)\n"
    "  --meta-orders N     mean market orders per meta-order (default 3)\n"
    "  -c CONFIG, --set S.K=V   symbol and its tick/step (market section)\n";

static int take(int argc, char **argv, int *i, const char *name, const char **val) {
    if (strcmp(argv[*i], name)) return 0;
    if (*i + 1 >= argc) {
        cli_fail("%s needs a value", name);
        exit(2);
    }
    *val = argv[++*i];
    return 1;
}

static double number(const char *name, const char *v) {
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end) {
        cli_fail("%s: \"%s\" is not a number", name, v);
        exit(2);
    }
    return d;
}

int cmd_synth(int argc, char **argv) {
    synth_params_t p;
    synth_defaults(&p);
    const char *out = 0, *v;
    /* our own options first; the rest (-c, --set, --help) go to the shared parser */
    char *rest[64];
    int nrest = 0;
    rest[nrest++] = argv[0];
    for (int i = 1; i < argc; i++) {
        if (take(argc, argv, &i, "--seconds", &v)) p.seconds = number("--seconds", v);
        else if (take(argc, argv, &i, "--seed", &v)) p.seed = (uint64_t)number("--seed", v);
        else if (take(argc, argv, &i, "-o", &v) || take(argc, argv, &i, "--out", &v)) out = v;
        else if (take(argc, argv, &i, "--price", &v)) p.start_price = number("--price", v);
        else if (take(argc, argv, &i, "--vol-bps", &v)) p.vol_bps = number("--vol-bps", v);
        else if (take(argc, argv, &i, "--trades-per-s", &v)) p.trades_per_s = number("--trades-per-s", v);
        else if (take(argc, argv, &i, "--impact-bps", &v)) p.impact_bps = number("--impact-bps", v);
        else if (take(argc, argv, &i, "--meta-share", &v)) p.meta_share = number("--meta-share", v);
        else if (take(argc, argv, &i, "--meta-orders", &v)) p.meta_orders = number("--meta-orders", v);
        else if (nrest < 63) rest[nrest++] = argv[i];
    }
    static cli_common_t c;
    int rc = cli_parse(&c, nrest, rest, synth_usage);
    if (rc) return rc;
    if (!out) {
        cli_fail("synth needs -o FILE.gz (try --help)");
        return 2;
    }
    if (c.nfiles) {
        cli_fail("synth takes no input files");
        return 2;
    }
    if (p.seconds <= 0 || p.seconds > 86400 * 7 || p.start_price <= 0 || p.vol_bps < 0 || p.trades_per_s < 0) {
        cli_fail("synth: --seconds must be in (0, 604800], --price positive, rates not negative");
        return 2;
    }
    char err[512];
    if (synth_write(&p, &c.x.rules, out, err, sizeof err)) {
        cli_fail("%s", err);
        return 2;
    }
    fprintf(stderr, "quoter: wrote %s (%.0f s of %s, seed %llu)\n", out, p.seconds, c.x.rules.symbol,
            (unsigned long long)p.seed);
    return 0;
}
