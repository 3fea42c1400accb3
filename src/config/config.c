/* config.c: the key table, INI loading (inih), overrides and exact resolution. */
#include "config.h"

#include <ini.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/err.h"
#include "../feed/exchange_info.h"

typedef enum { K_STR, K_DBL, K_INT } key_type_t;

typedef struct key_def {
    const char *section, *name;
    key_type_t type;
    size_t off, size;
    const char *def;
    double lo, hi;       /* numeric range */
    const char *choices; /* "a|b|c" for enumerated strings */
    const char *help;
} key_def_t;

#define S(sec, nm, field, dflt, ch, hlp) \
    {sec, nm, K_STR, offsetof(config_t, field), sizeof(((config_t *)0)->field), dflt, 0, 0, ch, hlp}
#define D(sec, nm, field, dflt, lo, hi, hlp) \
    {sec, nm, K_DBL, offsetof(config_t, field), sizeof(double), dflt, lo, hi, 0, hlp}
#define I(sec, nm, field, dflt, lo, hi, hlp) \
    {sec, nm, K_INT, offsetof(config_t, field), sizeof(int), dflt, lo, hi, 0, hlp}

static const key_def_t keys[] = {
    /* the defaults of the rules below are BTCUSDT's: another symbol gives its own (or an
       exchangeInfo), so nothing of it is silently BTC's (config_market_rules) */
    S("market", "symbol", symbol, "BTCUSDT", 0, "the traded symbol, upper case; backtest and verify take it from the recording when not given"),
    S("market", "base_asset", base_asset, "BTC", 0, "base asset (exchangeInfo overrides); the defaults here are BTCUSDT's: another symbol must give base_asset, quote_asset, tick_size and step_size, or exchange_info"),
    S("market", "quote_asset", quote_asset, "USDT", 0, "quote asset (exchangeInfo overrides)"),
    S("market", "tick_size", tick_size, "0.01", 0, "PRICE_FILTER.tickSize"),
    S("market", "step_size", step_size, "0.00001", 0, "LOT_SIZE.stepSize"),
    S("market", "min_qty", min_qty, "0.00001", 0, "LOT_SIZE.minQty (another symbol than BTCUSDT: 0 = none unless given)"),
    S("market", "max_qty", max_qty, "9000", 0, "LOT_SIZE.maxQty (another symbol: 0 = none unless given)"),
    S("market", "min_notional", min_notional, "5", 0, "NOTIONAL/MIN_NOTIONAL.minNotional, quote asset (another symbol: 0 = none unless given)"),
    S("market", "max_notional", max_notional, "9000000", 0, "NOTIONAL.maxNotional, quote asset, for limit orders (0 = none; another symbol: none unless given)"),
    S("market", "exchange_info", exchange_info, "", 0,
      "path of a saved GET /api/v3/exchangeInfo response; when set, the symbol's entry in it gives the assets and filters above (backtest/verify: --exchange-info FILE)"),
    S("strategy", "type", strategy, "ladder", "seed|ladder|avellaneda|glft", "seed: one order a side, fixed spread; ladder: levels, tolerance, skew; avellaneda: Avellaneda-Stoikov 2008; glft: Gueant-Lehalle-Fernandez-Tapia (README: Strategies)"),
    S("strategy", "reference", reference, "mid", "mid|last|bid|ask|micro", "reference price the quotes are placed around"),
    D("strategy", "spread", spread, "5", 0, 1e12, "distance from the reference to the first quote on each side"),
    S("strategy", "spread_unit", spread_unit, "ticks", "abs|bps|ticks", "unit of spread and level_spacing: quote asset, basis points of the reference, or ticks"),
    S("strategy", "quantity", quantity, "0.001", 0, "order size of the first level, base asset"),
    S("strategy", "order_type", order_type, "limit_maker", "limit|limit_maker", "limit = LIMIT GTC (may take); limit_maker = post-only"),
    D("strategy", "requote_interval", requote_s, "0", 0, 86400, "seconds between quote decisions; 0 = on every market event"),
    I("strategy", "levels", levels, "1", 1, 32, "orders per side"),
    D("strategy", "level_spacing", level_spacing, "5", 0, 1e12, "distance between levels, in spread_unit"),
    D("strategy", "level_size_mult", level_size_mult, "1", 0.01, 100, "level k's size = quantity * level_size_mult^k"),
    I("strategy", "refresh_tolerance", refresh_tolerance, "0", 0, 1000000, "ticks a live order may differ from its wanted price and still stay (keeps queue place)"),
    D("strategy", "max_order_age", max_order_age_s, "0", 0, 1e9, "seconds; older orders are replaced (0 = never)"),
    S("strategy", "target_inventory", target_inventory, "0", 0, "base asset the skew pulls toward (relative to the starting balance)"),
    S("strategy", "max_inventory", max_inventory, "0", 0, "base asset away from target where skew saturates and the adding side stops (0 = no limit, no skew)"),
    D("strategy", "skew", skew, "0", 0, 100, "quote shift at max inventory, in spreads"),
    D("strategy", "size_skew", size_skew, "0", 0, 1, "fraction the adding side's size shrinks at max inventory"),
    D("strategy", "gamma", gamma, "0.1", 1e-9, 1e9, "avellaneda, glft: risk aversion, per quote asset (inventory counted in orders of `quantity`)"),
    D("strategy", "horizon", horizon_s, "60", 0.001, 1e9, "avellaneda: seconds T - t (rolling), or the length of a session (finite: sessions are whole multiples of it since the epoch, 86400 = UTC days)"),
    S("strategy", "horizon_mode", horizon_mode, "rolling", "rolling|finite", "avellaneda: a constant horizon, or one that runs down to the session's end"),
    D("strategy", "sigma", sigma, "0", 0, 1e12, "avellaneda, glft: volatility of the mid, quote asset per sqrt(s); 0 = estimated online"),
    D("strategy", "intensity_a", intensity_a, "0", 0, 1e12, "avellaneda, glft: A of the trade intensity A e^{-k d}, per second; 0 = estimated online (glft only: A-S's spread has no A)"),
    D("strategy", "intensity_k", intensity_k, "0", 0, 1e12, "avellaneda, glft: k of the trade intensity, per quote asset; 0 = estimated online"),
    D("strategy", "est_step", est_step_s, "0.1", 0.001, 60, "estimators: seconds a step (the mid is sampled and trades' depth measured per step)"),
    D("strategy", "vol_window", vol_window_s, "60", 0.002, 1e6, "estimators: seconds of mid changes the volatility is taken over (no estimate before a whole window)"),
    S("strategy", "vol_method", vol_method, "rolling", "rolling|ewma", "estimators: rolling standard deviation, or an EWMA of squared changes with vol_window as its time constant"),
    D("strategy", "intensity_window", intensity_window_s, "60", 0.002, 1e6, "estimators: seconds of trades the intensity A e^{-k d} is fit to"),
    D("strategy", "intensity_bin", intensity_bin, "0.5", 0.5, 1e6, "estimators: ticks between the distances the intensity is counted at (a multiple of 0.5)"),
    I("strategy", "intensity_bins", intensity_bins, "70", 3, 255, "estimators: distances the intensity is counted at"),
    D("strategy", "intensity_refit", intensity_refit_s, "5", 0.001, 86400, "estimators: seconds between fits of A and k"),
    D("strategy", "flow_window", flow_window_s, "10", 0.001, 1e6, "estimators: time constant of the trade flow imbalance, seconds"),
    I("strategy", "imbalance_levels", imbalance_levels, "1", 1, 1000, "estimators: book levels a side the imbalance sums"),
    S("strategy", "alpha", alpha, "none", "none|imbalance|flow", "any strategy: shift the fair value by alpha_weight times the book or trade flow imbalance (-1..1)"),
    D("strategy", "alpha_weight", alpha_weight, "0", -1e12, 1e12, "any strategy: the fair value's shift at imbalance 1, in spread_unit"),
    D("strategy", "fill_delay", fill_delay_s, "0", 0, 86400, "any strategy: seconds a side stays unquoted after a fill on it (its other levels are canceled too); 0 = off"),
    D("strategy", "price_ceiling", price_ceiling, "0", 0, 1e15, "any strategy: no bid above this price, quote asset (0 = off)"),
    D("strategy", "price_floor", price_floor, "0", 0, 1e15, "any strategy: no ask below this price, quote asset (0 = off)"),
    D("strategy", "join_tolerance", join_tolerance, "0", 0, 1e12, "any strategy: a first level this close to the best price of its side (in spread_unit) joins it; 0 = off"),
    S("account", "base_balance", base_balance, "1", 0, "starting base asset balance"),
    S("account", "quote_balance", quote_balance, "100000", 0, "starting quote asset balance"),
    D("account", "maker_fee", maker_fee, "0.001", -0.01, 0.01, "maker fee rate the simulated exchange charges (0.001 = 0.1%); negative is a rebate. Live runs book what Binance charges"),
    D("account", "taker_fee", taker_fee, "0.001", 0, 0.01, "taker fee rate the simulated exchange charges"),
    S("account", "fee_asset_prices", fee_asset_prices, "", 0, "prices in quote of fee assets other than base and quote, to value fees paid in them: \"BNB:600.5,...\"; a fixed price, live runs too (none is taken from a market stream): without one such fees are left out of PnL and the max-loss check, and a live run warns"),
    D("sim", "entry_latency_ms", entry_latency_ms, "5", 0, 60000, "order entry latency: send -> exchange"),
    D("sim", "response_latency_ms", response_latency_ms, "5", 0, 60000, "exchange -> our process, for acks and fills"),
    S("sim", "latency_model", latency_model, "constant", "constant|lognormal|file", "order latency: constant (entry_latency_ms, response_latency_ms); lognormal (round trips of latency_median_ms and latency_p99_ms, seeded); file (latency_file's measured round trips, interpolated by time)"),
    D("sim", "latency_median_ms", latency_median_ms, "10", 0.001, 60000, "lognormal: the median round trip (send -> exchange -> answer back), ms"),
    D("sim", "latency_p99_ms", latency_p99_ms, "40", 0.001, 60000, "lognormal: the 99th percentile round trip, ms (at least the median)"),
    S("sim", "latency_file", latency_file, "", 0, "file: a CSV of measured round trips as `quoter history --latency-csv` writes it (kind,sent_ns,answered_ns,rtt_ns); its first row maps to the backtest's first request and it loops"),
    D("sim", "latency_entry_share", latency_entry_share, "0.5", 0, 1, "lognormal and file: the part of a round trip that is entry (send -> exchange); the rest is response"),
    I("sim", "latency_seed", latency_seed, "1", 0, 2147483647, "lognormal: the random seed (same seed, same run)"),
    S("sim", "queue_model", queue_model, "conservative", "conservative|probabilistic", "where a new resting order joins the queue and how it advances"),
    D("sim", "queue_power", queue_power, "2", 0.1, 10, "probabilistic model: exponent of the queue-share function"),
    D("sim", "chaos", chaos, "0", 0, 0.3, "test the engine under live event orders: the chance that a venue event or request is duplicated, reordered, delayed, dropped or left with an unknown outcome (0 = off)"),
    I("sim", "chaos_seed", chaos_seed, "1", 0, 2147483647, "the chaos's random seed (same seed, same run)"),
    I("sim", "cross_fills", cross_fills, "1", 0, 1, "1: assume an order the book crosses (a best ask below our bid, or at it with no queue ahead) would have traded with us, up to the quantity that crossed, each lot once; 0: only market trades and our own taking fill orders"),
    D("live", "max_data_age", max_data_age_s, "5", 0.1, 3600, "quoter run: quote only while the last market data message is younger than this (seconds); else cancel and wait"),
    I("live", "busy_poll_us", live_busy_poll_us, "0", 0, 10000000, "quoter run: after a market data message, poll the sockets without sleeping this long (microseconds): a faster reaction on a core of its own (pin the process), at the cost of that core; 0 = sleep in poll"),
    S("keys", "api_key_file", api_key_file, "", 0, "quoter run: a file holding the API key (readable by its owner only; QUOTER_API_KEY wins)"),
    S("keys", "secret_file", secret_file, "", 0, "quoter run: a file holding the HMAC-SHA256 secret (owner-only; the QUOTER_* key variables win)"),
    S("keys", "private_key_file", private_key_file, "", 0, "quoter run: an Ed25519 private key in PEM (owner-only; session.logon); not with secret_file"),
    S("live", "rest_url", rest_url, "", 0, "quoter run: the REST base URL (https://api.binance.com; start-up clock and rules, and every request while the WebSocket API is down); empty = --endpoint's"),
    S("live", "ws_api_url", ws_api_url, "", 0, "quoter run: the WebSocket API URL (wss://ws-api.binance.com:443/ws-api/v3); empty = --endpoint's"),
    S("live", "stream_url", stream_url, "", 0, "quoter run: the market data streams' base URL (wss://stream.binance.com:9443; /stream?streams=... is added); empty = --endpoint's"),
    D("orders", "request_timeout", request_timeout_s, "10", 0.001, 3600, "seconds an order request may go unanswered; then the order is UNKNOWN and a query resolves it"),
    S("orders", "client_id_prefix", client_id_prefix, "q", 0, "what every client order id of quoter starts with (1-8 of a-z A-Z 0-9 _); live runs add a run tag, so an earlier run's orders are told apart"),
    S("orders", "earlier_orders", earlier_orders, "cancel", "cancel|adopt", "an earlier run's orders found open at start-up: cancel them, or adopt them as this run's"),
    S("orders", "cancel_replace_mode", cancel_replace_mode, "stop_on_failure", "stop_on_failure|allow_failure", "order/cancelReplace: when the cancel fails, skip the new order (stop_on_failure) or place it anyway"),
    I("risk", "max_open_orders", max_open_orders, "20", 1, 200, "local limit on open orders"),
    I("risk", "orders_per_10s", orders_per_10s, "50", 0, 1000, "new orders allowed per 10 seconds (Binance's ORDERS limit; 0 = no limit)"),
    I("risk", "orders_per_day", risk_orders_per_day, "200000", 0, 100000000, "daily budget of unfilled orders (Binance's ORDERS per day per account; an order's first fill takes it off the count): paced over the day, an hour's allowance ahead at most, so quoting never stops before midnight (0 = no budget)"),
    D("risk", "max_drawdown", max_drawdown_quote, "0", 0, 1e15, "kill switch: cancel all and stop after this loss in quote asset (0 = off)"),
    D("risk", "max_loss", max_loss_quote, "0", 0, 1e15, "kill switch: cancel all and stop when the PnL marked to market (equity change since the start) falls below minus this, quote asset (0 = off)"),
    S("risk", "max_position", max_position, "0", 0, "kill switch: cancel all and stop when the inventory (base, relative to the start) goes beyond plus or minus this (0 = off)"),
    I("risk", "max_orders_per_minute", max_orders_per_minute, "0", 0, 4000, "kill switch: cancel all and stop when more new orders than this went out in a minute: a runaway guard (0 = off)"),
    D("report", "equity_interval", equity_interval_s, "1", 0.001, 86400, "seconds between equity.csv samples"),
    I("exchange", "weight_per_minute", weight_per_minute, "6000", 1, 10000000, "quoter exchange: REQUEST_WEIGHT per minute per IP"),
    I("exchange", "raw_requests_per_5m", raw_requests_per_5m, "300000", 1, 100000000, "quoter exchange: RAW_REQUESTS (every request, whatever its weight) per 5 minutes per IP (Binance: 300,000 since 2026-04-02)"),
    I("exchange", "connections_per_5m", connections_per_5m, "300", 1, 1000000, "quoter exchange: new WebSocket connections per 5 minutes per IP"),
    I("exchange", "orders_per_10s", orders_per_10s_limit, "100", 1, 10000000, "quoter exchange: ORDERS per 10 seconds per account"),
    I("exchange", "orders_per_day", orders_per_day, "200000", 1, 100000000, "quoter exchange: ORDERS per day per account"),
    I("exchange", "maker_fill_credit", maker_fill_credit, "5", 1, 1000, "quoter exchange: unfilled orders an order's first fill as maker takes off the ORDERS counts (a taker's first fill: 1; faqs/order_count_decrement.md)"),
    D("exchange", "ban_seconds", ban_seconds, "120", 1, 259200, "quoter exchange: how long a 418 ban lasts"),
    D("exchange", "max_connection_s", max_connection_s, "86400", 1, 86400, "quoter exchange: WebSocket connections close after this long"),
    I("exchange", "busy_poll_us", busy_poll_us, "0", 0, 1000000, "quoter exchange: after a WebSocket API request, poll without sleeping this long (lower latency across cores, costs CPU; 0 = off)"),
    D("exchange", "ping_interval_s", ping_interval_s, "20", 1, 3600, "quoter exchange: seconds between server pings"),
    I("exchange", "slow_client_ms", slow_client_ms, "2000", 100, 600000, "quoter exchange: a WebSocket client whose oldest unsent message waited this long is disconnected"),
    S("record", "symbols", record_symbols, "", 0, "quoter record: the symbols, comma-separated (BTCUSDT,ETHUSDT); --symbols wins"),
    S("record", "out", record_out, "recordings", 0, "quoter record: the folder the files go in, as OUT/SYMBOL/YYYYMMDD.gz (UTC days); --out wins"),
    S("record", "streams", record_streams, "depth@100ms,bookTicker,trade", 0, "quoter record: each symbol's streams, comma-separated (depth@100ms or depth: diffs, with snapshots; bookTicker, trade, aggTrade; others are written as they come); at most 1024 streams in all"),
    I("record", "depth_limit", record_depth_limit, "1000", 5, 5000, "quoter record: the depth snapshots' limit (levels a side; REST weight 5/25/50/250 for <=100/500/1000/5000)"),
    I("record", "gzip_level", record_gzip_level, "4", 1, 9, "quoter record: the files' deflate level (1 fastest, 9 smallest)"),
    D("record", "flush_interval", record_flush_s, "1", 0.05, 60, "quoter record: seconds between flushes (after a crash a file reads up to its last flush)"),
    D("record", "status_interval", record_status_s, "5", 0, 3600, "quoter record: seconds between status lines (0 = none)"),
    D("record", "max_connection_age", record_max_conn_age_s, "84600", 1, 86400, "quoter record: replace the stream connection when it is this old (a new one opened before the old one closes; Binance closes at 24 h)"),
    D("record", "clock_offset", record_clock_offset_s, "0", -1e10, 1e10, "quoter record, FOR TESTS ONLY: seconds added to the clock that stamps the lines and picks their day (a test crosses midnight with it); leave 0"),
};
#define NKEYS ((int)(sizeof keys / sizeof keys[0]))

static const key_def_t *find_key(const char *section, const char *name) {
    for (int i = 0; i < NKEYS; i++)
        if (!strcmp(keys[i].section, section) && !strcmp(keys[i].name, name)) return &keys[i];
    return 0;
}

/* records that a file or --set gave k (for the [market] keys, which come first in the table) */
static void mark_given(config_t *c, const key_def_t *k) {
    int i = (int)(k - keys);
    if (!strcmp(k->section, "market") && i < 32) c->market_given |= 1u << i;
}

int config_given(const config_t *c, const char *section_key) {
    const char *dot = strchr(section_key, '.');
    if (!dot) return 0;
    char section[64];
    snprintf(section, sizeof section, "%.*s", (int)(dot - section_key), section_key);
    const key_def_t *k = find_key(section, dot + 1);
    int i = k ? (int)(k - keys) : -1;
    return i >= 0 && i < 32 && !strcmp(k->section, "market") && (c->market_given >> i & 1u);
}

/* sets one key from text; 0 or an error message in err */
static int set_key(config_t *c, const key_def_t *k, const char *value, char *err, int errcap) {
    char *field = (char *)c + k->off;
    if (k->type == K_STR) {
        if (strlen(value) >= k->size) {
            snprintf(err, (size_t)errcap, "%s.%s: value too long", k->section, k->name);
            return Q_E_RANGE;
        }
        if (k->choices) {
            const char *p = k->choices;
            size_t n = strlen(value);
            int ok = 0;
            while (*p) {
                const char *bar = strchr(p, '|');
                size_t len = bar ? (size_t)(bar - p) : strlen(p);
                if (len == n && !strncasecmp(p, value, n)) ok = 1;
                p += len + (bar ? 1 : 0);
            }
            if (!ok) {
                snprintf(err, (size_t)errcap, "%s.%s: \"%s\" is not one of %s", k->section, k->name, value, k->choices);
                return Q_E_INVAL;
            }
        }
        snprintf(field, k->size, "%s", value);
        return 0;
    }
    char *end;
    double v = strtod(value, &end);
    while (*end == ' ' || *end == '\t') end++;
    if (end == value || *end || !isfinite(v)) {
        snprintf(err, (size_t)errcap, "%s.%s: \"%s\" is not a number", k->section, k->name, value);
        return Q_E_PARSE;
    }
    if (v < k->lo || v > k->hi || (k->type == K_INT && v != floor(v))) {
        snprintf(err, (size_t)errcap, "%s.%s: %s is outside %g..%g%s", k->section, k->name, value, k->lo,
                 k->hi, k->type == K_INT ? " or not whole" : "");
        return Q_E_RANGE;
    }
    if (k->type == K_DBL) *(double *)field = v;
    else *(int *)field = (int)v;
    return 0;
}

void config_defaults(config_t *c) {
    memset(c, 0, sizeof *c);
    char err[128];
    for (int i = 0; i < NKEYS; i++) set_key(c, &keys[i], keys[i].def, err, sizeof err);
}

typedef struct load_ctx {
    config_t *c;
    char *err;
    int errcap;
    int failed;
} load_ctx_t;

static int on_ini(void *user, const char *section, const char *name, const char *value) {
    load_ctx_t *l = user;
    if (l->failed) return 0;
    const key_def_t *k = find_key(section, name);
    if (!k) {
        if (!strncmp(section, "account ", 8) || !strncmp(section, "symbol ", 7))
            snprintf(l->err, (size_t)l->errcap, "[%s]: a section of a `quoter exchange` config (its --help), not of a "
                     "trading config", section);
        else
            snprintf(l->err, (size_t)l->errcap, "%s.%s: unknown key (quoter config --keys lists them)", section, name);
        l->failed = 1;
        return 0;
    }
    if (set_key(l->c, k, value, l->err, l->errcap)) {
        l->failed = 1;
        return 0;
    }
    mark_given(l->c, k);
    return 1;
}

static int finish_load(int rc, load_ctx_t *l, const char *name, char *err, int errcap) {
    if (rc == 0) return 0;
    char tmp[512];
    if (rc < 0) snprintf(tmp, sizeof tmp, "%s: cannot open", name);
    else if (l->failed) snprintf(tmp, sizeof tmp, "%s:%d: %s", name, rc, err);
    else snprintf(tmp, sizeof tmp, "%s:%d: syntax error", name, rc);
    snprintf(err, (size_t)errcap, "%s", tmp);
    return Q_E_PARSE;
}

int config_load(config_t *c, const char *path, char *err, int errcap) {
    load_ctx_t l = {c, err, errcap, 0};
    err[0] = 0;
    return finish_load(ini_parse(path, on_ini, &l), &l, path, err, errcap);
}

int config_load_string(config_t *c, const char *text, const char *name, char *err, int errcap) {
    load_ctx_t l = {c, err, errcap, 0};
    err[0] = 0;
    return finish_load(ini_parse_string(text, on_ini, &l), &l, name, err, errcap);
}

int config_set(config_t *c, const char *a, char *err, int errcap) {
    const char *dot = strchr(a, '.'), *eq = strchr(a, '=');
    if (!dot || !eq || dot > eq) {
        snprintf(err, (size_t)errcap, "--set %s: expected section.key=value", a);
        return Q_E_PARSE;
    }
    char section[64], name[64];
    snprintf(section, sizeof section, "%.*s", (int)(dot - a), a);
    snprintf(name, sizeof name, "%.*s", (int)(eq - dot - 1), dot + 1);
    const key_def_t *k = find_key(section, name);
    if (!k) {
        snprintf(err, (size_t)errcap, "--set %s: unknown key %s.%s", a, section, name);
        return Q_E_NOTFOUND;
    }
    int rc = set_key(c, k, eq + 1, err, errcap);
    if (!rc) mark_given(c, k);
    return rc;
}

static int exact(const char *key, const char *s, const fx_unit_t *u, int64_t *out, char *err, int errcap) {
    int rc = fx_parse(s, strlen(s), u, out);
    if (rc) {
        char unit[32];
        fx_format(1, u, 0, unit, sizeof unit);
        snprintf(err, (size_t)errcap, "%s = \"%s\": %s (unit %s)", key, s,
                 rc == Q_E_PARSE ? "not a plain decimal number (digits, at most one point; no exponent)" : q_strerror(rc), unit);
    }
    return rc;
}

/* The recording's entry with the [market] keys the config gives in place of its own: the
   command line and the config file win over the recording, key by key. */
static int recorded_rules(const config_t *c, const exinfo_entry_t *rec, symbol_rules_t *r, char *err, int errcap) {
    exinfo_entry_t e = *rec;
    const struct { const char *key; char *dst; size_t cap; const char *val; } keys_[] = {
        {"market.base_asset", e.base, sizeof e.base, c->base_asset},
        {"market.quote_asset", e.quote, sizeof e.quote, c->quote_asset},
        {"market.tick_size", e.tick, sizeof e.tick, c->tick_size},
        {"market.step_size", e.step, sizeof e.step, c->step_size},
        {"market.min_qty", e.min_qty, sizeof e.min_qty, c->min_qty},
        {"market.max_qty", e.max_qty, sizeof e.max_qty, c->max_qty},
        {"market.min_notional", e.min_notional, sizeof e.min_notional, c->min_notional},
        {"market.max_notional", e.max_notional, sizeof e.max_notional, c->max_notional},
    };
    for (size_t i = 0; i < sizeof keys_ / sizeof *keys_; i++)
        if (config_given(c, keys_[i].key)) snprintf(keys_[i].dst, keys_[i].cap, "%s", keys_[i].val);
    if (config_given(c, "market.min_notional") && !rec->min_notional[0])
        e.notional_applies = 1; /* as the keys alone say (NOTIONAL.applyMinToMarket on BTCUSDT) */
    if (config_given(c, "market.tick_size")) {
        /* PRICE_FILTER's bounds were stated on the recording's tick: kept where they are whole
           ticks of the config's, else off */
        fx_unit_t t;
        int64_t v;
        if (!fx_unit_parse(e.tick, strlen(e.tick), &t)) {
            if (e.min_price[0] && fx_parse(e.min_price, strlen(e.min_price), &t, &v)) e.min_price[0] = 0;
            if (e.max_price[0] && fx_parse(e.max_price, strlen(e.max_price), &t, &v)) e.max_price[0] = 0;
        }
    }
    snprintf(e.symbol, sizeof e.symbol, "%s", c->symbol);
    int rc = exinfo_entry_rules(&e, r, err, errcap);
    if (rc) {
        char tmp[400];
        snprintf(tmp, sizeof tmp, "%s (the recording's exchangeInfo with the config's [market] keys)", err);
        snprintf(err, (size_t)errcap, "%s", tmp);
    }
    return rc;
}

int config_market_rules(const config_t *c, symbol_rules_t *r, char *err, int errcap) {
    return config_market_rules_rec(c, 0, r, err, errcap);
}

int config_market_rules_rec(const config_t *c, const exinfo_entry_t *rec, symbol_rules_t *r, char *err, int errcap) {
    memset(r, 0, sizeof *r);
    int rc;
    if (c->exchange_info[0]) {
        if ((rc = exinfo_load(c->exchange_info, c->symbol, r, err, errcap))) return rc;
    } else if (rec) {
        if ((rc = recorded_rules(c, rec, r, err, errcap))) return rc;
    } else {
        /* the defaults are BTCUSDT's rules: for any other symbol they would be a guess (fees
           booked in BTC, BTC's step), so its assets and units must be given */
        int other = strcmp(c->symbol, "BTCUSDT") != 0;
        if (other) {
            static const char *const need[] = {"base_asset", "quote_asset", "tick_size", "step_size"};
            char missing[96] = "";
            for (size_t i = 0; i < sizeof need / sizeof *need; i++) {
                char sk[32];
                snprintf(sk, sizeof sk, "market.%s", need[i]);
                if (!config_given(c, sk))
                    snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%s",
                             missing[0] ? ", " : "", need[i]);
            }
            if (missing[0]) {
                snprintf(err, (size_t)errcap,
                         "%s: the symbol's rules are unknown (the defaults are BTCUSDT's): give its exchangeInfo "
                         "(--exchange-info FILE or market.exchange_info) or set market.%s",
                         c->symbol, missing);
                return Q_E_INVAL;
            }
        }
        snprintf(r->symbol, sizeof r->symbol, "%s", c->symbol);
        snprintf(r->base, sizeof r->base, "%s", c->base_asset);
        snprintf(r->quote, sizeof r->quote, "%s", c->quote_asset);
        if (fx_unit_parse(c->tick_size, strlen(c->tick_size), &r->tick)) {
            snprintf(err, (size_t)errcap, "market.tick_size = \"%s\": not a positive decimal", c->tick_size);
            return Q_E_PARSE;
        }
        fx_unit_t step;
        if (fx_unit_parse(c->step_size, strlen(c->step_size), &step) || symbol_set_step(r, &step)) {
            snprintf(err, (size_t)errcap, "market.step_size = \"%s\": not a positive decimal", c->step_size);
            return Q_E_PARSE;
        }
        /* a filter another symbol does not give is off, not BTCUSDT's */
#define FILTER(key, field) (other && !config_given(c, "market." key) ? "0" : c->field)
        const char *minq = FILTER("min_qty", min_qty), *maxq = FILTER("max_qty", max_qty);
        const char *minn = FILTER("min_notional", min_notional), *maxn = FILTER("max_notional", max_notional);
#undef FILTER
        if ((rc = exact("market.min_qty", minq, &r->lot, &r->min_qty, err, errcap))) return rc;
        if ((rc = exact("market.max_qty", maxq, &r->lot, &r->max_qty, err, errcap))) return rc;
        if ((rc = symbol_notional_parse(r, minn, &r->min_notional))) {
            snprintf(err, (size_t)errcap, "market.min_notional = \"%s\": %s", minn, q_strerror(rc));
            return rc;
        }
        r->min_notional_applies = 1; /* NOTIONAL.applyMinToMarket, as on BTCUSDT */
        if ((rc = symbol_notional_parse(r, maxn, &r->max_notional))) {
            snprintf(err, (size_t)errcap, "market.max_notional = \"%s\": %s", maxn, q_strerror(rc));
            return rc;
        }
    }
    return 0;
}

/* "BNB:600.5,ETH:3000" */
static int parse_fee_prices(const char *s, config_exact_t *x, char *err, int errcap) {
    while (*s) {
        const char *colon = strchr(s, ':');
        size_t n = colon ? (size_t)(colon - s) : 0;
        char *end = 0;
        double v = colon ? strtod(colon + 1, &end) : 0;
        if (!colon || n == 0 || n >= sizeof x->fee_prices[0].asset || end == colon + 1 || !(v > 0 && v < 1e15) ||
            (*end && *end != ',') || x->nfee_prices == CONFIG_FEE_ASSETS) {
            snprintf(err, (size_t)errcap,
                     "account.fee_asset_prices: want ASSET:PRICE[,ASSET:PRICE] (up to %d, prices > 0), at \"%s\"",
                     CONFIG_FEE_ASSETS, s);
            return Q_E_PARSE;
        }
        memcpy(x->fee_prices[x->nfee_prices].asset, s, n);
        x->fee_prices[x->nfee_prices].asset[n] = 0;
        x->fee_prices[x->nfee_prices++].price = v;
        s = *end ? end + 1 : end;
    }
    return 0;
}

int config_resolve(const config_t *c, config_exact_t *x, char *err, int errcap) {
    return config_resolve_rec(c, 0, x, err, errcap);
}

int config_resolve_rec(const config_t *c, const exinfo_entry_t *rec, config_exact_t *x, char *err, int errcap) {
    memset(x, 0, sizeof *x);
    symbol_rules_t *r = &x->rules;
    int rc = config_market_rules_rec(c, rec, r, err, errcap);
    if (rc) return rc;
    if ((rc = exact("strategy.quantity", c->quantity, &r->lot, &x->quantity, err, errcap))) return rc;
    if (x->quantity <= 0 || x->quantity % r->step_lots) {
        snprintf(err, (size_t)errcap, "strategy.quantity = \"%s\" must be a positive multiple of the step size", c->quantity);
        return Q_E_RANGE;
    }
    if ((rc = exact("strategy.target_inventory", c->target_inventory, &r->lot, &x->target_inventory, err, errcap))) return rc;
    if ((rc = exact("strategy.max_inventory", c->max_inventory, &r->lot, &x->max_inventory, err, errcap))) return rc;
    if ((rc = exact("risk.max_position", c->max_position, &r->lot, &x->max_position, err, errcap))) return rc;
    if (x->max_position < 0) {
        snprintf(err, (size_t)errcap, "risk.max_position must not be negative");
        return Q_E_RANGE;
    }
    if ((rc = exact("account.base_balance", c->base_balance, &r->lot, &x->base_balance, err, errcap))) return rc;
    if ((rc = symbol_notional_parse(r, c->quote_balance, &x->quote_balance))) {
        snprintf(err, (size_t)errcap, "account.quote_balance = \"%s\": %s", c->quote_balance, q_strerror(rc));
        return rc;
    }
    if (x->max_inventory < 0 || x->base_balance < 0 || x->quote_balance < 0) {
        snprintf(err, (size_t)errcap, "balances and max_inventory must not be negative");
        return Q_E_RANGE;
    }
    size_t pl = strlen(c->client_id_prefix);
    int ok = pl >= 1 && pl <= 8;
    for (size_t i = 0; ok && i < pl; i++) {
        char ch = c->client_id_prefix[i];
        ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
    }
    if (!ok) {
        snprintf(err, (size_t)errcap, "orders.client_id_prefix = \"%s\": 1 to 8 of a-z A-Z 0-9 _", c->client_id_prefix);
        return Q_E_RANGE;
    }
    return parse_fee_prices(c->fee_asset_prices, x, err, errcap);
}

void config_print_help(void) {
    const char *sec = "";
    printf("Configuration keys (INI sections; override any with --set section.key=value):\n");
    for (int i = 0; i < NKEYS; i++) {
        if (strcmp(sec, keys[i].section)) {
            sec = keys[i].section;
            printf("\n[%s]\n", sec);
        }
        printf("  %-20s default %-14s %s%s%s\n", keys[i].name, keys[i].def[0] ? keys[i].def : "\"\"",
               keys[i].help, keys[i].choices ? "; one of " : "", keys[i].choices ? keys[i].choices : "");
    }
}

void config_print(const config_t *c, void *file) {
    FILE *f = file;
    const char *sec = "";
    for (int i = 0; i < NKEYS; i++) {
        const key_def_t *k = &keys[i];
        if (strcmp(sec, k->section)) {
            sec = k->section;
            fprintf(f, "[%s]\n", sec);
        }
        const char *field = (const char *)c + k->off;
        if (k->type == K_STR) fprintf(f, "%s = %s\n", k->name, field);
        else if (k->type == K_DBL) fprintf(f, "%s = %.17g\n", k->name, *(const double *)field);
        else fprintf(f, "%s = %d\n", k->name, *(const int *)field);
    }
}
