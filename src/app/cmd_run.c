/* cmd_run.c: `quoter run`: live market making on Binance Spot, testnet, Demo Mode, or a
 * local exchange. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/log.h"
#include "../live/live.h"
#include "../live/metrics.h"
#include "../venue/binance/keys.h"
#include "cli.h"

/* --log-json covers the errors found before the run starts too (a bad config file, a bad
   --metrics, keys, the endpoint, the config's URLs): the log is set up first thing, and
   cli_fail goes through it then (cli.c), so stderr stays one JSON object per line. */

static const char usage[] =
    "usage: quoter run -c CONFIG [--endpoint production|testnet|demo|URL] [--set S.K=V]...\n"
    "                  [--dry-run] [--quiet] [--seconds N] [--status-interval S] [--db FILE]\n"
    "                  [--max-connection-age S] [--time-sync S] [--log-json] [--metrics ADDR:PORT]\n"
    "\n"
    "Quotes live with the config's strategy, oms and risk gate: the same engine the backtest\n"
    "runs. Orders go over the WebSocket API, fills come by the user data stream, market data\n"
    "by the combined streams; the clock and the symbol's rules come over REST at start-up,\n"
    "and while the WebSocket API is down cancels, queries and the stop go over REST (it does\n"
    "not quote without the API's user data). It quotes only while healthy (connected,\n"
    "reconciled, book in sync, market data fresh) and cancels everything otherwise. SIGINT or\n"
    "SIGTERM cancels every open order, confirms from the exchange that none is left, prints\n"
    "the report and exits 0; a second signal is told the stop is under way (at most 15 s),\n"
    "a third exits at once (status 130), leaving whatever is open on the exchange.\n"
    "\n"
    "  -c, --config FILE   INI config (examples/btcusdt.ini); `quoter config --keys` lists keys\n"
    "  --endpoint E        production (default), testnet, demo, or http://HOST:PORT for a\n"
    "                      `quoter exchange` whose REST, streams and WebSocket API share that\n"
    "                      port; the config's live.rest_url, live.ws_api_url and\n"
    "                      live.stream_url override its URLs one by one (http:// and ws://\n"
    "                      only to 127.0.0.0/8, ::1 or localhost: keys never go in cleartext)\n"
    "  --set S.K=V         override one key\n"
    "  --dry-run           market data only: the quotes are logged, nothing is sent (no key needed)\n"
    "  --quiet             no status line and no order log\n"
    "  --seconds N         stop by itself after N seconds, as on SIGTERM\n"
    "  --status-interval S seconds between status lines (default 5; 0 = none)\n"
    "  --db FILE           the SQLite journal (default quoter.db here; `none`: no journal; never\n"
    "                      with --dry-run): orders, events, fills, balances, round trips; a run\n"
    "                      after a crash reconciles it with the exchange (`quoter history`)\n"
    "  --max-connection-age S  replace each connection (a new one opened before the old one\n"
    "                      closes) when it is this old (default 84600, under Binance's 24 h)\n"
    "  --time-sync S       measure the clock offset again this often (default 300)\n"
    "  --log-json          log lines as JSON objects, one per line (time, level, source, msg;\n"
    "                      order events with event, cid, order_id, side, qty, price, state...;\n"
    "                      errors found before the run starts too; the report stays text)\n"
    "  --metrics ADDR:PORT serve Prometheus metrics at http://ADDR:PORT/metrics (off by default;\n"
    "                      ADDR an IPv4 address: 127.0.0.1 keeps them on this machine): order\n"
    "                      events, fills, volume, PnL, inventory, reconnects, rate-limit use,\n"
    "                      health, tick-to-order and round-trip histograms)\n"
    "\n"
    "Keys come from the environment: QUOTER_API_KEY with QUOTER_PRIVATE_KEY_FILE (an Ed25519\n"
    "private key in PEM: the connection logs on with session.logon), or with\n"
    "QUOTER_API_SECRET_FILE or QUOTER_API_SECRET (an HMAC-SHA256 secret); or from files the\n"
    "config names: [keys] api_key_file with private_key_file or secret_file (a variable that\n"
    "is set wins over the config). A key file must be readable by its owner only (chmod 600).\n"
    "Keys are never printed; the process makes no core file. Use testnet or Demo Mode keys\n"
    "until you trust the config.\n"
    "\n"
    "Exit status: 0 stopped cleanly (no order left open), 1 a failure while running (the\n"
    "message says what is left), 2 bad usage or config.\n";

/* a number of seconds, read whole ("5x" is refused, not 5); -1 when it is not one */
static double seconds_arg(const char *s) {
    char *end;
    double v = strtod(s, &end);
    return end != s && !*end && v >= 0 && v < 1e9 ? v : -1;
}

static void on_signal(int sig) {
    (void)sig;
    live_request_stop();
}

/* 1 when url goes in cleartext (http://, ws://) to a host that is not this machine: the API
   key travels in every request and a signed query can be replayed within recvWindow, so
   cleartext is for the local exchange only (127.0.0.0/8, ::1, localhost) */
static int cleartext_remote(const char *url) {
    net_url_t u;
    if (strncmp(url, "http://", 7) && strncmp(url, "ws://", 5)) return 0;
    return net_url_parse(url, &u) || !net_host_loopback(u.host);
}

int cmd_run(int argc, char **argv) {
    static cli_common_t c;
    live_options_t o;
    memset(&o, 0, sizeof o);
    o.status_s = 5;
    o.db = "quoter.db";
    int db_given = 0;
    const char *ep = "production";
    binance_tuning_t tune;
    memset(&tune, 0, sizeof tune);
    int log_json = 0;
    const char *metrics = 0;
    static char metrics_addr[64];
    /* take run's own options out, hand the rest to the shared parser */
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest) return 2;
    for (int i = 0; i < argc; i++) log_json |= !strcmp(argv[i], "--log-json"); /* before any error */
    log_setup("quoter run", log_json ? LOG_JSON : LOG_TEXT, NULL);
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
        } else if (!strcmp(a, "--dry-run")) {
            o.dry_run = 1;
        } else if (!strcmp(a, "--quiet")) {
            o.quiet = 1;
        } else if (!strcmp(a, "--seconds") && more) {
            o.seconds = seconds_arg(argv[++i]);
        } else if (!strcmp(a, "--status-interval") && more) {
            o.status_s = seconds_arg(argv[++i]);
        } else if (!strcmp(a, "--db") && more) {
            o.db = strcmp(argv[++i], "none") ? argv[i] : 0;
            db_given = 1;
        } else if (!strcmp(a, "--max-connection-age") && more) {
            tune.max_conn_age_s = seconds_arg(argv[++i]);
        } else if (!strcmp(a, "--time-sync") && more) {
            tune.time_sync_s = seconds_arg(argv[++i]);
        } else if (!strcmp(a, "--log-json")) {
            log_json = 1;
        } else if (!strcmp(a, "--metrics") && more) {
            metrics = argv[++i];
        } else if (!strcmp(a, "--endpoint") || !strcmp(a, "--seconds") || !strcmp(a, "--status-interval") ||
                   !strcmp(a, "--db") || !strcmp(a, "--max-connection-age") || !strcmp(a, "--time-sync") ||
                   !strcmp(a, "--metrics")) {
            cli_fail("%s needs a value (try --help)", a);
            free(rest);
            return 2;
        } else {
            rest[n++] = argv[i];
        }
    }
    if (o.seconds < 0 || o.status_s < 0 || tune.max_conn_age_s < 0 || tune.time_sync_s < 0) {
        cli_fail("--seconds, --status-interval, --max-connection-age and --time-sync take a number of seconds");
        free(rest);
        return 2;
    }
    if (metrics) { /* refused before anything starts: a bad address, or a port taken */
        char merr[256];
        if (metrics_parse_addr(metrics, metrics_addr, sizeof metrics_addr, &o.metrics_port, merr, sizeof merr) ||
            metrics_probe(metrics_addr, o.metrics_port, merr, sizeof merr)) {
            cli_fail("%s", merr);
            free(rest);
            return 2;
        }
        o.metrics_addr = metrics_addr;
    }
    int rc = cli_parse(&c, n, rest, usage);
    free(rest);
    if (rc) return rc;
    if (c.nfiles) {
        cli_fail("run takes no files (try --help)");
        return 2;
    }
    static char api[512], stream[512], rest_url[512];
    if (net_endpoint(ep, api, stream, rest_url, sizeof api)) {
        cli_fail("--endpoint %s: want production, testnet, demo or http://HOST:PORT", ep);
        return 2;
    }
    /* the config's URLs, one by one, over the endpoint's */
    const struct { const char *key, *v, *schemes[2]; char *out; } over[] = {
        {"live.rest_url", c.cfg.rest_url, {"http://", "https://"}, rest_url},
        {"live.ws_api_url", c.cfg.ws_api_url, {"ws://", "wss://"}, api},
        {"live.stream_url", c.cfg.stream_url, {"ws://", "wss://"}, stream},
    };
    for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
        if (!over[i].v[0]) continue;
        if (strncmp(over[i].v, over[i].schemes[0], strlen(over[i].schemes[0])) &&
            strncmp(over[i].v, over[i].schemes[1], strlen(over[i].schemes[1]))) {
            cli_fail("%s = %s: want a %s or %s URL", over[i].key, over[i].v, over[i].schemes[0], over[i].schemes[1]);
            return 2;
        }
        snprintf(over[i].out, sizeof api, "%s", over[i].v);
    }
    const struct { const char *what, *url; } urls[] = {{"REST", rest_url}, {"WebSocket API", api}, {"stream", stream}};
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++)
        if (cleartext_remote(urls[i].url)) {
            cli_fail("the %s URL %s is cleartext to a host that is not this machine (the API key and signed "
                     "requests would travel readable): use https:// / wss://, or http:// / ws:// to 127.0.0.1, ::1 "
                     "or localhost only (--endpoint, live.rest_url, live.ws_api_url, live.stream_url)",
                     urls[i].what, urls[i].url);
            return 2;
        }
    o.api_url = api;
    o.stream_url = stream;
    o.rest_url = rest_url;
    /* asked for a journal that a dry run does not write: said, not silently dropped */
    if (o.dry_run && db_given && o.db)
        log_msg(LOG_WARN, "run", "--db %s is not written in a dry run (nothing is sent, so nothing is journaled)", o.db);
    static keys_t keys;
    if (!o.dry_run) {
        char kerr[512];
        keys_files_t files = {c.cfg.api_key_file, c.cfg.secret_file, c.cfg.private_key_file};
        if (keys_load(&keys, &files, kerr, sizeof kerr)) {
            cli_fail("%s", kerr);
            return 2;
        }
        o.api_key = keys.api_key;
        o.secret = keys.secret; /* an Ed25519 PEM is told by its text: the venue logs on with it */
    }
    tune.verbose = !o.quiet;
    binance_set_tuning(&tune);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, 0);
    sigaction(SIGTERM, &sa, 0);
    signal(SIGPIPE, SIG_IGN);
    char err[512];
    rc = live_run(&c.cfg, &c.x, &o, err, sizeof err);
    keys_wipe(&keys);
    if (rc) {
        if (log_json) log_msg(LOG_ERROR, "run", "%s", err); /* stderr stays one JSON object per line */
        else cli_fail("run: %s", err);
        return 1;
    }
    return 0;
}
