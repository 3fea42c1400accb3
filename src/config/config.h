/* config.h: quoter's configuration: an INI file, overridden by `--set section.key=value`.
 *
 * Every key is declared once in config.c's table (name, type, default, help), which
 * drives parsing, overrides, validation and `quoter config --help`. Unknown keys and bad
 * values stop the program with the file, line and key. Quantities and prices stay
 * decimal strings here; config_resolve() converts them exactly once the symbol's tick
 * and step are known. */
#ifndef Q_CONFIG_H
#define Q_CONFIG_H

#include <stdint.h>

#include "../core/symbol.h"

typedef struct config {
    /* [market] */
    char symbol[24];
    char base_asset[16], quote_asset[16];
    char tick_size[32], step_size[32], min_qty[32], max_qty[32], min_notional[32], max_notional[32];
    char exchange_info[256];   /* optional exchangeInfo JSON that supplies the rules */
    unsigned market_given;     /* which [market] keys a file or --set gave (bit = the key's place
                                  in config.c's table); the defaults are BTCUSDT's rules, so another
                                  symbol must give its own (config_market_rules) */
    /* [strategy] */
    char strategy[16];         /* seed | ladder | avellaneda | glft */
    char reference[16];        /* mid | last | bid | ask | micro */
    double spread;             /* distance from the reference to each first quote */
    char spread_unit[8];       /* abs | bps | ticks */
    char quantity[32];         /* per order, base asset */
    char order_type[16];       /* limit | limit_maker */
    double requote_s;          /* seconds between quote decisions (0 = every event) */
    int levels;                /* orders per side */
    double level_spacing;      /* between levels, in spread_unit */
    double level_size_mult;    /* size of level k = quantity * mult^k */
    int refresh_tolerance;     /* ticks a live order may be off its wanted price and stay */
    double max_order_age_s;    /* replace orders older than this (0 = never) */
    char target_inventory[32]; /* base asset */
    char max_inventory[32];    /* base asset; skew saturates here, and no further buying/selling */
    double skew;               /* price shift at max inventory, in spreads */
    double size_skew;          /* 0..1: size reduction on the side that adds inventory at max */
    /* [strategy], the models (avellaneda, glft), their estimators, alpha and the knobs any
       strategy can use (src/strategy/strategy.h) */
    double gamma;              /* risk aversion, per quote asset */
    double horizon_s;          /* avellaneda: T - t (rolling) or the session length (finite) */
    char horizon_mode[16];     /* rolling | finite */
    double sigma;              /* quote asset per sqrt(s); 0 = estimated online */
    double intensity_a, intensity_k; /* A per second, k per quote asset; 0 = estimated online */
    double est_step_s;         /* estimators' step */
    double vol_window_s;
    char vol_method[16];       /* rolling | ewma */
    double intensity_window_s;
    double intensity_bin;      /* ticks, a multiple of 0.5 */
    int intensity_bins;
    double intensity_refit_s;
    double flow_window_s;
    int imbalance_levels;
    char alpha[16];            /* none | imbalance | flow */
    double alpha_weight;       /* spread_unit shift of the fair value at signal 1 */
    double fill_delay_s;       /* a side stays empty this long after a fill on it */
    double price_ceiling, price_floor; /* no bid above, no ask below (quote asset; 0 = off) */
    double join_tolerance;     /* spread_unit: join the best price when this close (0 = off) */
    /* [account] */
    char base_balance[32], quote_balance[32];
    double maker_fee, taker_fee; /* rates the simulated exchange charges, 0.001 = 0.1% */
    char fee_asset_prices[128];  /* "BNB:600.5,...": fee assets valued in quote */
    /* [sim] */
    double entry_latency_ms, response_latency_ms;
    char latency_model[16];    /* constant | lognormal | file */
    double latency_median_ms, latency_p99_ms; /* lognormal round trips */
    char latency_file[256];    /* file: measured round trips (quoter history --latency-csv) */
    double latency_entry_share; /* lognormal, file: a round trip's entry part */
    int latency_seed;
    char queue_model[16];      /* conservative | probabilistic */
    double queue_power;        /* probabilistic model exponent */
    double chaos;              /* chaos venue level (0 = off) */
    int chaos_seed;
    int cross_fills;           /* 1: the book crossing a resting order fills it (up to the crossing quantity) */
    /* [live] */
    double max_data_age_s;     /* quote only while the last market data is younger than this */
    int live_busy_poll_us;     /* quoter run: after a market message, poll without sleeping this long */
    /* [keys]: files that hold the live keys (the environment's QUOTER_* variables win) */
    char api_key_file[256];    /* the API key */
    char secret_file[256];     /* an HMAC-SHA256 secret */
    char private_key_file[256]; /* an Ed25519 private key, PEM */
    char rest_url[256];        /* base URLs that override --endpoint's, one by one ("" = its own) */
    char ws_api_url[256];
    char stream_url[256];
    /* [orders] */
    double request_timeout_s;  /* an unanswered request makes its order UNKNOWN after this */
    char client_id_prefix[16]; /* the family prefix of every run's client order ids */
    char earlier_orders[16];   /* cancel | adopt */
    char cancel_replace_mode[24]; /* stop_on_failure | allow_failure */
    /* [risk] */
    int max_open_orders;
    int orders_per_10s;        /* rate budget for new orders (Binance ORDERS limit) */
    int risk_orders_per_day;   /* daily budget of unfilled orders (Binance ORDERS per day) */
    double max_drawdown_quote; /* kill switch: stop quoting past this loss (0 = off) */
    double max_loss_quote;     /* kill switch: PnL marked to market below minus this (0 = off) */
    char max_position[32];     /* kill switch: |inventory| beyond this, base asset (0 = off) */
    int max_orders_per_minute; /* kill switch: a runaway guard (0 = off) */
    /* [report] */
    double equity_interval_s;
    /* [exchange]: the local exchange's limits */
    int weight_per_minute;     /* REQUEST_WEIGHT per minute per IP */
    int orders_per_10s_limit;  /* ORDERS per 10 s per account */
    int orders_per_day;        /* ORDERS per day per account */
    int raw_requests_per_5m;   /* RAW_REQUESTS per 5 minutes per IP */
    int connections_per_5m;    /* new WebSocket connections per 5 minutes per IP */
    int maker_fill_credit;     /* ORDERS count given back by an order's first fill as maker */
    int busy_poll_us;          /* exchange: spin this long after a WebSocket API request */
    double ban_seconds;        /* 418 ban after repeated 429s */
    double max_connection_s;   /* WebSocket connections are closed after this (24 h) */
    double ping_interval_s;    /* server pings */
    int slow_client_ms;        /* a WebSocket client that lets a message wait this long is closed */
    /* [record]: quoter record */
    char record_symbols[1024]; /* "BTCUSDT,ETHUSDT" (--symbols wins) */
    char record_out[256];      /* the folder of DIR/SYMBOL/YYYYMMDD.gz (--out wins) */
    char record_streams[256];  /* each symbol's streams */
    int record_depth_limit;    /* the snapshots' limit */
    int record_gzip_level;
    double record_flush_s, record_status_s, record_max_conn_age_s;
    double record_clock_offset_s; /* tests only: moves the recorder's clock (its days) */
} config_t;

#define CONFIG_FEE_ASSETS 4

/* resolved, exact values (ticks and lots) */
typedef struct config_exact {
    symbol_rules_t rules;
    struct { char asset[16]; double price; } fee_prices[CONFIG_FEE_ASSETS]; /* account.fee_asset_prices */
    int nfee_prices;
    int64_t quantity, target_inventory, max_inventory, base_balance;
    int64_t max_position;      /* lots; 0 = off */
    __int128 quote_balance;    /* tick*lot units */
} config_exact_t;

void config_defaults(config_t *c);
/* Loads an INI file over the current values. On error fills err (file:line: key: why). */
int config_load(config_t *c, const char *path, char *err, int errcap);
int config_load_string(config_t *c, const char *text, const char *name, char *err, int errcap);
/* "section.key=value" */
int config_set(config_t *c, const char *assignment, char *err, int errcap);
/* Whether a config file or --set gave "section.key" (defaults do not count). */
int config_given(const config_t *c, const char *section_key);
/* The [market] symbol's rules: from its exchangeInfo file if one is set, else its keys. The
   keys' defaults describe BTCUSDT: for another symbol base_asset, quote_asset, tick_size and
   step_size must be given, and the filters not given are off. */
int config_market_rules(const config_t *c, symbol_rules_t *r, char *err, int errcap);
/* Loads exchangeInfo if configured, parses the decimals exactly, validates ranges. */
int config_resolve(const config_t *c, config_exact_t *x, char *err, int errcap);
/* The same with a recording's own exchangeInfo entry for the symbol (NULL: none). The rules'
   precedence: market.exchange_info (--exchange-info) whole; else the recording's entry, with
   each [market] key a config file or --set gives in place of its field (base_asset,
   quote_asset, tick_size, step_size, min_qty, max_qty, min_notional, max_notional; the
   entry's PRICE_FILTER bounds stay only where they are whole ticks of a tick_size given);
   else the keys, whose defaults are BTCUSDT's only. */
struct exinfo_entry;
int config_market_rules_rec(const config_t *c, const struct exinfo_entry *rec, symbol_rules_t *r, char *err,
                            int errcap);
int config_resolve_rec(const config_t *c, const struct exinfo_entry *rec, config_exact_t *x, char *err, int errcap);
/* Prints every key with its default and meaning. */
void config_print_help(void);
/* Prints the effective configuration as INI (for reports and reproducibility). */
void config_print(const config_t *c, void *file);

#endif
