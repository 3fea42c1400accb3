/* cmd_record.c: `quoter record`: collect market data into recordings (src/record). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/log.h"
#include "../live/metrics.h"
#include "../record/record.h"
#include "../venue/binance/net.h"
#include "cli.h"

static const char usage[] =
    "usage: quoter record [-c CONFIG] --symbols BTCUSDT,ETHUSDT [--out DIR]\n"
    "                     [--endpoint production|testnet|demo|URL] [--quiet] [--seconds N]\n"
    "                     [--metrics ADDR:PORT] [--set record.KEY=V]...\n"
    "\n"
    "Collects market data for backtests: each symbol's streams (record.streams, default\n"
    "depth@100ms, bookTicker and trade) on one connection, written as DIR/SYMBOL/YYYYMMDD.gz,\n"
    "one file per symbol per UTC day, in the collector format `<local receive ns> <raw JSON>`\n"
    "(the text exactly as received) that backtest, verify, stats and `quoter exchange` read.\n"
    "Each file starts with the symbol's GET /api/v3/exchangeInfo answer (its tick, step and\n"
    "filters: a backtest needs no [market] keys) and gets a REST depth snapshot after its first\n"
    "diff, after every reconnect and after every gap in the diffs, so it synchronises from its\n"
    "own lines. A day that has its file already (a restart) goes on in YYYYMMDD.1.gz, ...\n"
    "Beside each file, YYYYMMDD.summary.json: messages, snapshots, gaps with their time spans,\n"
    "reconnects, and whether the file was finished cleanly.\n"
    "\n"
    "Files are gzip streams flushed every record.flush_interval seconds (after a crash a file\n"
    "reads up to its last flush; zcat then says the end is missing) and finished at the day's\n"
    "end and on SIGINT or SIGTERM. A lost connection reconnects with backoff; serverShutdown\n"
    "and the connection's age (record.max_connection_age) open a new connection before the\n"
    "old one closes, and each stream switches over at a message both delivered: nothing lost,\n"
    "nothing twice.\n"
    "\n"
    "  -c, --config FILE   INI config: the [record] keys (examples/record.ini)\n"
    "  --symbols A,B       the symbols, comma-separated, each once (record.symbols); the\n"
    "                      streams likewise (record.streams): an empty entry or one given\n"
    "                      twice is bad usage\n"
    "  --out DIR           where the files go (default ./recordings; record.out)\n"
    "  --endpoint E        production (default), testnet, demo, or http://HOST:PORT for a\n"
    "                      `quoter exchange` (its REST and streams on that port); the config's\n"
    "                      live.rest_url and live.stream_url override its URLs one by one\n"
    "  --quiet             no status line, no line per snapshot\n"
    "  --seconds N         stop by itself after N seconds, as on SIGTERM\n"
    "  --metrics ADDR:PORT serve Prometheus counters at http://ADDR:PORT/metrics (messages,\n"
    "                      snapshots, gaps by symbol; bytes; reconnects; rotations)\n"
    "  --set S.K=V         override one key (quoter config --keys lists the record.* keys)\n"
    "\n"
    "No API key is needed. Exit status: 0 stopped cleanly (every file finished, and every\n"
    "symbol has market lines in them), 1 a failure (the message says which; a symbol of which\n"
    "no stream message was written is one: the message names it and its last connection\n"
    "error, --quiet or not), 2 bad usage or config.\n";

static void on_signal(int sig) {
    (void)sig;
    record_request_stop();
}

static double seconds_arg(const char *s) {
    char *end;
    double v = strtod(s, &end);
    return end != s && !*end && v >= 0 && v < 1e9 ? v : -1;
}

/* the next comma-separated entry of a list, spaces around it trimmed, cut in place at *p;
   NULL at the list's end. An entry between two commas (or after a last one) is "" and not
   skipped: the callers refuse it, so "A,,B" is no quieter than ",". */
static char *next_entry(char **p) {
    if (!*p) return NULL;
    char *t = *p, *comma = strchr(t, ',');
    if (comma) {
        *comma = 0;
        *p = comma + 1;
    } else {
        *p = NULL;
    }
    while (*t == ' ' || *t == '\t') t++;
    size_t n = strlen(t);
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\t')) t[--n] = 0;
    return t;
}

/* "BTCUSDT, ethusdt" into o->symbols (upper case, checked); 0, or -1 having said why */
static int parse_symbols(const char *list, record_options_t *o, char *store, size_t cap) {
    if (snprintf(store, cap, "%s", list) >= (int)cap) {
        cli_fail("--symbols: the list is longer than %zu characters", cap - 1);
        return -1;
    }
    char *p = store;
    int pos = 0;
    for (char *t; (t = next_entry(&p));) {
        pos++;
        size_t n = strlen(t);
        if (!n) {
            cli_fail("--symbols %s: entry %d is empty", list, pos);
            return -1;
        }
        int ok = n >= 2 && n <= 20;
        for (size_t i = 0; i < n; i++) {
            if (t[i] >= 'a' && t[i] <= 'z') t[i] = (char)(t[i] - 32);
            if (!((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= '0' && t[i] <= '9'))) ok = 0;
        }
        if (!ok) {
            cli_fail("--symbols %s: entry %d (%s) is not a symbol like BTCUSDT (2 to 20 letters and digits)", list,
                     pos, t);
            return -1;
        }
        for (int i = 0; i < o->nsymbols; i++)
            if (!strcmp(o->symbols[i], t)) {
                cli_fail("--symbols %s: %s is given twice (entries %d and %d)", list, t, i + 1, pos);
                return -1;
            }
        if (o->nsymbols == REC_MAX_SYMBOLS) {
            cli_fail("--symbols: more than %d symbols", REC_MAX_SYMBOLS);
            return -1;
        }
        o->symbols[o->nsymbols++] = t;
    }
    return 0;
}

/* record.streams: every entry a stream name once (a duplicate would be subscribed twice and
   its second copy, never matched, would make the first look like a gap) */
static int check_streams(const char *list) {
    char store[1024];
    if (snprintf(store, sizeof store, "%s", list) >= (int)sizeof store) {
        cli_fail("record.streams: the list is longer than %zu characters", sizeof store - 1);
        return -1;
    }
    char *p = store, *seen[32];
    int pos = 0;
    if (!store[strspn(store, " \t")]) {
        cli_fail("record.streams is empty: which streams? (depth@100ms,bookTicker,trade)");
        return -1;
    }
    for (char *t; (t = next_entry(&p));) {
        pos++;
        if (!*t) {
            cli_fail("record.streams %s: entry %d is empty", list, pos);
            return -1;
        }
        for (const char *c = t; *c; c++)
            if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '@' ||
                  *c == '_')) {
                cli_fail("record.streams %s: entry %d (%s) is not a stream name like depth@100ms", list, pos, t);
                return -1;
            }
        for (int i = 0; i < pos - 1; i++)
            if (!strcmp(seen[i], t)) {
                cli_fail("record.streams %s: %s is given twice (entries %d and %d)", list, t, i + 1, pos);
                return -1;
            }
        if (pos > 32) {
            cli_fail("record.streams: more than 32 streams a symbol");
            return -1;
        }
        seen[pos - 1] = t;
    }
    return 0;
}

int cmd_record(int argc, char **argv) {
    static cli_common_t c;
    static record_options_t o;
    memset(&o, 0, sizeof o);
    const char *ep = "production", *symbols = 0, *out = 0, *metrics = 0;
    double seconds = 0;
    static char metrics_addr[64];
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest) return 2;
    log_setup("quoter record", LOG_TEXT, NULL);
    int n = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            free(rest);
            return 0;
        } else if (!strcmp(a, "--endpoint") && more) {
            ep = argv[++i];
        } else if (!strcmp(a, "--symbols") && more) {
            symbols = argv[++i];
        } else if (!strcmp(a, "--out") && more) {
            out = argv[++i];
        } else if (!strcmp(a, "--quiet")) {
            o.quiet = 1;
        } else if (!strcmp(a, "--seconds") && more) {
            if ((seconds = seconds_arg(argv[++i])) < 0) {
                cli_fail("--seconds takes a number of seconds");
                free(rest);
                return 2;
            }
        } else if (!strcmp(a, "--metrics") && more) {
            metrics = argv[++i];
        } else if (!strcmp(a, "--endpoint") || !strcmp(a, "--symbols") || !strcmp(a, "--out") ||
                   !strcmp(a, "--seconds") || !strcmp(a, "--metrics")) {
            cli_fail("%s needs a value (try --help)", a);
            free(rest);
            return 2;
        } else {
            rest[n++] = argv[i];
        }
    }
    /* the [market] keys play no part: the symbols' rules come from exchangeInfo */
    int rc = cli_parse_unresolved(&c, n, rest, usage);
    free(rest);
    if (rc) return rc;
    if (c.nfiles) {
        cli_fail("record takes no files (try --help)");
        return 2;
    }
    if (metrics) {
        char merr[256];
        if (metrics_parse_addr(metrics, metrics_addr, sizeof metrics_addr, &o.metrics_port, merr, sizeof merr) ||
            metrics_probe(metrics_addr, o.metrics_port, merr, sizeof merr)) {
            cli_fail("%s", merr);
            return 2;
        }
        o.metrics_addr = metrics_addr;
    }
    static char symstore[4096];
    if (!symbols && c.cfg.record_symbols[0]) symbols = c.cfg.record_symbols;
    if (!symbols) {
        cli_fail("which symbols? --symbols BTCUSDT,ETHUSDT (or record.symbols)");
        return 2;
    }
    if (parse_symbols(symbols, &o, symstore, sizeof symstore)) return 2;
    if (check_streams(c.cfg.record_streams)) return 2;
    static char stream[512], rest_url[512];
    if (net_endpoint(ep, NULL, stream, rest_url, sizeof stream)) {
        cli_fail("--endpoint %s: want production, testnet, demo or http://HOST:PORT", ep);
        return 2;
    }
    if (c.cfg.rest_url[0]) snprintf(rest_url, sizeof rest_url, "%s", c.cfg.rest_url);
    if (c.cfg.stream_url[0]) snprintf(stream, sizeof stream, "%s", c.cfg.stream_url);
    o.streams = c.cfg.record_streams;
    o.out_dir = out ? out : c.cfg.record_out;
    o.stream_url = stream;
    o.rest_url = rest_url;
    o.depth_limit = c.cfg.record_depth_limit;
    o.gzip_level = c.cfg.record_gzip_level;
    o.flush_s = c.cfg.record_flush_s;
    o.status_s = c.cfg.record_status_s;
    o.max_conn_age_s = c.cfg.record_max_conn_age_s;
    o.clock_offset_ns = (int64_t)(c.cfg.record_clock_offset_s * 1e9);
    o.seconds = seconds;
    if (o.clock_offset_ns) log_msg(LOG_WARN, "record", "record.clock_offset = %.3f s: the lines' times and days are moved (tests only)", c.cfg.record_clock_offset_s);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, 0);
    sigaction(SIGTERM, &sa, 0);
    signal(SIGPIPE, SIG_IGN);
    char err[1100];
    if (record_run(&o, err, sizeof err)) {
        cli_fail("record: %s", err);
        return 1;
    }
    return 0;
}
