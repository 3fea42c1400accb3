/* server.h: `quoter exchange`: the Binance Spot API on loopback, on one port: REST under
 * /api/v3 and market data streams (/ws/<stream>, /stream?streams=...), served with
 * libwebsockets over the replayed market (market.h).
 *
 * This first part serves market data: ping, time, exchangeInfo, depth, trades,
 * ticker/bookTicker; streams trade, bookTicker and depth@100ms with SUBSCRIBE,
 * UNSUBSCRIBE and LIST_SUBSCRIPTIONS. Accounts, orders, the WebSocket API and user data
 * come next (issue 3). */
#ifndef Q_SERVER_H
#define Q_SERVER_H

#include "account.h"
#include "market.h"

typedef struct xserver_opts {
    const char *bind;      /* default 127.0.0.1 */
    int port;              /* 0: pick a free one and print it */
    double speed;
    int loop;
    const char *port_file; /* write the port chosen here (tests) */
    const config_t *cfg;   /* [exchange] limits */
} xserver_opts_t;

/* Runs until SIGINT/SIGTERM. Returns 0 or an error (printed). */
int xserver_run(const symbol_rules_t *rules, accounts_t *acc, char **files, int nfiles, const xserver_opts_t *o);

#endif
