/* recsym.c: settling the traded symbol against the recording (see recsym.h). */
#include "recsym.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"

/* lines read to learn a recording's symbol: a few seconds of a busy market (the first 2000
   lines of the shared recording span 18 s and hold every stream), a few 256 KB chunks, so
   taking the symbol costs 1.4 ms where the replay of the shared recording takes 34 ms, and
   0.4 ms when market.symbol is given (a scan stops at its first line) */
#define PEEK_LINES 2000

/* the [market] keys a config file or --set gave, "market.tick_size, ..." into buf */
static const char *keys_given(const config_t *cfg, char *buf, size_t cap) {
    static const char *const keys[] = {"base_asset", "quote_asset", "tick_size", "step_size",
                                       "min_qty",    "max_qty",     "min_notional", "max_notional"};
    buf[0] = 0;
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        char sk[32];
        snprintf(sk, sizeof sk, "market.%s", keys[i]);
        size_t o = strlen(buf);
        if (config_given(cfg, sk) && o < cap) snprintf(buf + o, cap - o, "%s%s", o ? ", " : "", sk);
    }
    return buf;
}

/* the symbol settled: its rules, the recording's exchangeInfo line taking the place of the
   keys' defaults (config.h: config_resolve_rec), and a line saying where they came from */
static int resolve(cli_common_t *c, recsym_t *rs) {
    config_t *cfg = &c->cfg;
    char err[512];
    int rc = replay_scan_exinfo(c->files, c->nfiles, cfg->symbol, &rs->info, rs->info_where, sizeof rs->info_where,
                                err, sizeof err);
    if (rc == Q_E_PARSE && !cfg->exchange_info[0]) {
        cli_fail("%s; give the rules with --exchange-info FILE or the [market] keys", err);
        return 2;
    }
    if (rc < 0 && rc != Q_E_PARSE) {
        cli_fail("%s", err);
        return 2;
    }
    rs->has_info = rc == 1;
    if (config_resolve_rec(cfg, rs->has_info ? &rs->info : 0, &c->x, err, sizeof err)) {
        cli_fail_config(c, err);
        return 2;
    }
    if (!rs->has_info) return 0; /* a recording without the line: as before, nothing to say */
    const symbol_rules_t *r = &c->x.rules;
    char tick[40], step[40], keys[200];
    fx_format(1, &r->tick, 0, tick, sizeof tick);
    fx_format(1, &r->step, 0, step, sizeof step);
    if (cfg->exchange_info[0])
        fprintf(stderr, "quoter: %s rules from %s (market.exchange_info), not from the recording's own exchangeInfo (%s)\n",
                r->symbol, cfg->exchange_info, rs->info_where);
    else if (keys_given(cfg, keys, sizeof keys)[0])
        fprintf(stderr, "quoter: %s rules from the recording's exchangeInfo (%s), %s from the config: %s/%s, tick %s, "
                        "step %s\n", r->symbol, rs->info_where, keys, r->base, r->quote, tick, step);
    else
        fprintf(stderr, "quoter: %s rules from the recording's exchangeInfo (%s): %s/%s, tick %s, step %s%s%s\n",
                r->symbol, rs->info_where, r->base, r->quote, tick, step,
                strcmp(rs->info.status, "TRADING") && rs->info.status[0] ? ", status " : "",
                strcmp(rs->info.status, "TRADING") ? rs->info.status : "");
    return 0;
}

int recsym_parse(cli_common_t *c, recsym_t *rs, int argc, char **argv, const char *usage, const char *cmd) {
    memset(rs, 0, sizeof *rs);
    /* --exchange-info FILE is --set market.exchange_info=FILE, put where it stood, so the
       later of it and a --set wins, as between two --set */
    char **args = calloc((size_t)argc * 2 + 1, sizeof *args), **sets = calloc((size_t)argc + 1, sizeof *sets);
    int nargc = 0, nsets = 0, rc = 0;
    for (int i = 0; args && sets && i < argc && !rc; i++) {
        const char *a = argv[i], *file = 0;
        if (!strcmp(a, "--exchange-info")) {
            if (i + 1 >= argc) {
                cli_fail("--exchange-info needs a file (a saved GET /api/v3/exchangeInfo response)");
                rc = 2;
                break;
            }
            file = argv[++i];
        } else if (!strncmp(a, "--exchange-info=", 16)) {
            file = a + 16;
        }
        if (!file) {
            args[nargc++] = argv[i];
            continue;
        }
        size_t len = strlen(file) + 32;
        if (!(sets[nsets] = malloc(len))) {
            rc = 2;
            break;
        }
        snprintf(sets[nsets], len, "market.exchange_info=%s", file);
        args[nargc++] = "--set";
        args[nargc++] = sets[nsets++];
    }
    if (!rc) rc = args && sets ? cli_parse_unresolved(c, nargc, args, usage) : 2;
    for (int i = 0; i < nsets; i++) free(sets[i]); /* c->cfg holds copies */
    free(sets);
    free(args);
    if (rc) return rc;
    if (c->nfiles == 0) {
        cli_fail("%s needs at least one recording (try --help)", cmd);
        return 2;
    }
    config_t *cfg = &c->cfg;
    int given = config_given(cfg, "market.symbol");
    const char *want = given ? cfg->symbol : 0;
    static replay_symbols_t seen;
    char err[512], list[512];
    int end = replay_scan_symbols(c->files, c->nfiles, want, PEEK_LINES, &seen, err, sizeof err);
    if (end < 0) {
        cli_fail("%s", err);
        return 2;
    }
    if (given) {
        if (!replay_symbol_lines(&seen, want) && !end) /* not in the first lines: look at them all */
            end = replay_scan_symbols(c->files, c->nfiles, want, 0, &seen, err, sizeof err);
        if (end < 0) {
            cli_fail("%s", err);
            return 2;
        }
        if (replay_symbol_lines(&seen, want)) return resolve(c, rs);
        if (!seen.n)
            cli_fail("market.symbol is %s, but no line of the recording names a symbol (a stream name or an \"s\" "
                     "field): nothing of %s to replay", want, want);
        else
            cli_fail("market.symbol is %s, but the recording holds %s, no line of %s: leave market.symbol out "
                     "to take the recording's, or give a recording of %s", want,
                     replay_symbols_list(&seen, list, sizeof list), want, want);
        return 2;
    }
    if (seen.n == 0) {
        cli_fail("no line in the recording's first %d names a symbol (a stream name or an \"s\" field): "
                 "set market.symbol", PEEK_LINES);
        return 2;
    }
    if (seen.n > 1) {
        cli_fail("the recording holds several symbols, %s: choose one with --set market.symbol=%s",
                 replay_symbols_list(&seen, list, sizeof list), seen.s[0].name);
        return 2;
    }
    snprintf(cfg->symbol, sizeof cfg->symbol, "%s", seen.s[0].name);
    rs->taken = 1;
    return resolve(c, rs);
}

int recsym_check(const cli_common_t *c, const recsym_t *rs, const replay_symbols_t *seen) {
    char list[512];
    const char *sym = c->x.rules.symbol;
    if (!replay_symbol_lines(seen, sym)) {
        if (seen->n)
            cli_fail("the recording has no line of %s (it holds %s)", sym, replay_symbols_list(seen, list, sizeof list));
        else
            cli_fail("the recording has no line of %s (no line names a symbol)", sym);
        return 2;
    }
    if (rs->taken && (seen->n > 1 || seen->more)) {
        /* the first lines named one symbol, later ones others: which was meant is not ours to guess */
        cli_fail("the recording holds several symbols, %s: choose one with --set market.symbol=%s",
                 replay_symbols_list(seen, list, sizeof list), sym);
        return 2;
    }
    return 0;
}
