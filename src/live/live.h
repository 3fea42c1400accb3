/* live.h: the live run loop, the backtest loop's twin: the same engine (book, strategy,
 * oms, risk gate) driven by market data and venue events from Binance (venue/binance) in
 * real time, on one thread.
 *
 * It quotes only when everything is healthy: the WebSocket API open with the clock offset
 * known and user data subscribed, the start-up sync (balances, open orders: an earlier
 * run's are canceled or adopted) done, the book synchronised, and market data fresh
 * (`live.max_data_age`). Otherwise it cancels what is open and waits; it resumes by itself.
 * A stop (SIGINT/SIGTERM) cancels every open order (openOrders.cancelAll), confirms from the
 * exchange that none is left, prints the report, and returns 0; a second signal exits at once.
 *
 * The operator's view: a status line every status_s seconds, one log line per order event
 * (core/log.h: text, or JSON objects with --log-json), and with --metrics a Prometheus page
 * (metrics.h) served on the venue's own network loop: same thread, no locks. */
#ifndef Q_LIVE_H
#define Q_LIVE_H

#include <stdint.h>

#include "../backtest/report.h"
#include "../config/config.h"
#include "../engine/engine.h"
#include "../feed/decode.h"
#include "../venue/binance/binance.h"
#include "journal.h"

typedef struct live_options {
    const char *api_url, *stream_url;
    const char *rest_url;          /* REST base (the start-up's clock, the fallback); NULL: none */
    const char *api_key, *secret;  /* HMAC; NULL with dry_run */
    int dry_run;                   /* market data only; quotes logged, nothing sent */
    int quiet;                     /* no status line, no order log */
    double seconds;                /* stop by itself after this long (0 = until a signal) */
    double status_s;               /* status line interval */
    const char *db;                /* the SQLite journal (journal.h); NULL: none (never with dry_run) */
    const char *metrics_addr;      /* --metrics: serve GET /metrics on this IPv4 address ... */
    int metrics_port;              /* ... and port (0: no metrics endpoint) */
} live_options_t;

typedef struct live live_t;

/* Runs until stopped. Returns 0 after a clean stop (zero open orders confirmed), or an
   error with err filled. */
int live_run(const config_t *c, const config_exact_t *x, const live_options_t *o, char *err, int errcap);
/* The signal handlers call this (async-signal-safe). */
void live_request_stop(void);

#endif
