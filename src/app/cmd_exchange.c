/* cmd_exchange.c: `quoter exchange`: a local Binance-compatible exchange on loopback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../exchange/server.h"
#include "../exchange/listing.h"
#include "cli.h"

static const char usage[] =
    "usage: quoter exchange [-c FILE] [--port N] [--speed X] [--loop] [RECORDING | synth:SYMBOL]...\n"
    "\n"
    "Serves the Binance Spot API on 127.0.0.1, on one port: REST under /api/v3, market data\n"
    "streams (/ws/<stream>, /stream?streams=a/b) and the WebSocket API (/ws-api/v3), for one\n"
    "or several symbols. Each recording is read for the symbol it carries (consecutive files\n"
    "of one symbol replay as one stream; a recording's own exchangeInfo line gives its rules\n"
    "(the config's keys win over its fields)); synth:SYMBOL serves a synthetic market; with no\n"
    "argument every configured symbol gets a synthetic market. User orders match against\n"
    "the market with the backtester's simulated venue; balances are per asset, shared by\n"
    "every symbol that trades it.\n"
    "\n"
    "  --port N        port (default 8090; 0 picks a free one and prints it)\n"
    "  --speed X       replay X times faster than recorded (default 1)\n"
    "  --loop          start each recording again at its end\n"
    "  --bind ADDR     address to listen on (default 127.0.0.1)\n"
    "  --port-file F   write the port chosen into F (for scripts)\n"
    "  --fault K=V     inject a fault from the start (repeatable); at run time:\n"
    "                  curl -X POST 'http://127.0.0.1:PORT/admin/faults?K=V' (GET shows, DELETE clears)\n"
    "                  delay_ms=N       every REST and WebSocket API answer waits N ms\n"
    "                  unknown_outcome=N  the next N orders execute but are answered 503 -1007\n"
    "                  skip_diffs=N     the next N depth diffs are not sent (a gap)\n"
    "                  storm_s=S        every request gets 429 for S seconds (at most 30 days)\n"
    "                  skew_ms=N        the exchange's clock runs N ms off\n"
    "                  drop=1           close every WebSocket connection now (run time only)\n"
    "                  ws_api_down=1    drop and refuse WebSocket API connections (REST and\n"
    "                                   streams work on); ws_api_down=0 lets them in again\n"
    "  -c FILE, --set S.K=V   the default symbol's rules ([market]), further symbols\n"
    "                  ([symbol NAME], same keys, or market.exchange_info = an exchangeInfo\n"
    "                  file), Binance's limits ([exchange]: quoter config --keys), accounts\n"
    "                  ([account NAME])\n"
    "\n"
    "The -c file holds [account NAME] sections: API keys (HMAC and Ed25519), balances\n"
    "(base_balance/quote_balance of the [market] symbol, balance.ASSET for any asset) and\n"
    "fees; see examples/exchange.ini and, for several symbols, examples/exchange-symbols.ini\n"
    "(demo keys: local use only). On loopback, at run time:\n"
    "  curl -X POST 'http://127.0.0.1:PORT/admin/balance?account=NAME&asset=USDT&delta=-100'\n"
    "      a deposit or withdrawal (pushes balanceUpdate; GET ?account=NAME shows)\n"
    "  curl -X POST 'http://127.0.0.1:PORT/admin/symbol?symbol=BTCUSDT&status=CANCEL_ONLY'\n"
    "      a symbol's status: TRADING, END_OF_DAY, HALT, BREAK, CANCEL_ONLY (new orders refused\n"
    "      -2010 'Market is closed.', cancels work; exchangeInfo shows it)\n"
    "\n"
    "REST: ping, time, exchangeInfo, depth, trades, aggTrades, klines, uiKlines, avgPrice,\n"
    "ticker/price, ticker/bookTicker, ticker/24hr;\n"
    "signed: order (POST, DELETE, GET), order/test, openOrders (GET, DELETE),\n"
    "order/cancelReplace, order/amend/keepPriority, account, myTrades.\n"
    "Streams: <symbol>@trade, @aggTrade, @bookTicker, @depth, @depth@100ms,\n"
    "@depth5/10/20[@100ms], @ticker, @miniTicker; SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS,\n"
    "SET_PROPERTY/GET_PROPERTY combined.\n"
    "WebSocket API: session.logon/status/logout, order.place/test/cancel/cancelReplace/\n"
    "amend.keepPriority/status, openOrders.status/cancelAll, account.status, myTrades,\n"
    "userDataStream.subscribe[.signature]/unsubscribe, time, ping, exchangeInfo, and the\n"
    "market data methods (depth, trades.recent/aggregate, klines, avgPrice, ticker.*);\n"
    "method names may carry their version (v3/order.place); returnRateLimits.\n"
    "Binance's 2026 rules: RAW_REQUESTS 300,000 per 5 minutes, weight 0 for successful\n"
    "placements and cancels, the unfilled order count (an order's first fill gives back),\n"
    "expiryReason, serverShutdown on stop.\n"
    "Retired, for older clients: the listenKey user data stream (/api/v3/userDataStream).\n"
    "Logs a line per connection, per rejected request and per fault. Stop with Ctrl-C.\n";

static listing_t listing;

static int symbol_key(void *ctx, const char *section, const char *key, const char *value, char *err, int errcap) {
    return listing_section_key(ctx, section, key, value, err, errcap);
}

static int load_exchange_file(void *ctx, config_t *cfg, const char *path, char *err, int errcap) {
    accounts_t *acc = ctx;
    acc->symbol_key = symbol_key;
    acc->symbol_ctx = &listing;
    return accounts_load(ctx, cfg, path, err, errcap);
}

int cmd_exchange(int argc, char **argv) {
    xserver_opts_t o;
    memset(&o, 0, sizeof o);
    o.bind = "127.0.0.1";
    o.port = 8090;
    o.speed = 1;
    char *rest[256];
    int nrest = 0;
    rest[nrest++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        char *end = 0;
        if (!strcmp(a, "--port") && has) {
            long v = strtol(argv[++i], &end, 10);
            o.port = *end || end == argv[i] || v < 0 || v > 65535 ? -1 : (int)v;
        } else if (!strcmp(a, "--speed") && has) {
            o.speed = strtod(argv[++i], &end);
            if (*end || end == argv[i] || !(o.speed > 0 && o.speed <= 1e6)) o.speed = -1;
        }
        else if (!strcmp(a, "--bind") && has) o.bind = argv[++i];
        else if (!strcmp(a, "--port-file") && has) o.port_file = argv[++i];
        else if (!strcmp(a, "--loop")) o.loop = 1;
        else if (!strcmp(a, "--fault") && has && o.nfaults < 16) o.faults[o.nfaults++] = argv[++i];
        else if (nrest < 255) rest[nrest++] = argv[i];
    }
    if (o.port < 0 || o.port > 65535 || o.speed <= 0) {
        cli_fail("exchange: --port must be 0..65535 and --speed a number in (0, 1000000]");
        return 2;
    }
    static cli_common_t c;
    static accounts_t acc;
    int rc = cli_parse_with(&c, nrest, rest, usage, load_exchange_file, &acc);
    if (rc) return rc;
    /* the symbols: each recording's, synth:NAME ones, or with none a synthetic market for
       every configured symbol */
    char lerr[512];
    if (listing_build(&listing, &c.cfg, c.files, c.nfiles, lerr, sizeof lerr)) {
        listing_free(&listing);
        cli_fail("%s", lerr);
        return 2;
    }
    /* the accounts' assets: the [market] symbol's first (base_balance and quote_balance are
       its), then every symbol's */
    static symbol_rules_t rules[LISTING_MAX + 1];
    rules[0] = c.x.rules;
    for (int i = 0; i < listing.n; i++) rules[i + 1] = listing.s[i].rules;
    char aerr[512];
    if (accounts_resolve(&acc, rules, listing.n + 1, aerr, sizeof aerr)) {
        listing_free(&listing);
        cli_fail("%s: %s", c.config_path ? c.config_path : "accounts", aerr);
        return 2;
    }
    if (!acc.n) fprintf(stderr, "quoter: no accounts (-c examples/exchange.ini defines one): market data only\n");
    for (int i = 0; i < listing.n; i++)
        if (listing.s[i].synth_path[0])
            fprintf(stderr, "quoter: %s: serving a synthetic market (no recording given)\n", listing.s[i].rules.symbol);
    o.cfg = &c.cfg;
    rc = xserver_run(&listing, &acc, &o);
    listing_free(&listing);
    return rc;
}
