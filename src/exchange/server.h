/* server.h: `quoter exchange`: the Binance Spot API on loopback, on one port: REST under
 * /api/v3 and market data streams (/ws/<stream>, /stream?streams=...), served with
 * libwebsockets over the replayed market (market.h).
 *
 * Served: market data REST and streams; signed REST orders and account endpoints
 * (rest_signed.inc); the WebSocket API and user data stream (ws_api.inc); the retired
 * listenKey stream; Binance's rate limits (ratelimit.h); and fault injection through
 * /admin/faults on loopback (delays, unknown outcomes, skipped diffs, 429 storms, clock
 * skew, dropped connections), every injected fault logged as `fault: ...`. */
#ifndef Q_SERVER_H
#define Q_SERVER_H

#include "account.h"
#include "listing.h"
#include "market.h"

typedef struct xserver_opts {
    const char *bind;      /* default 127.0.0.1 */
    int port;              /* 0: pick a free one and print it */
    double speed;
    int loop;
    const char *port_file; /* write the port chosen here (tests) */
    const config_t *cfg;   /* [exchange] limits */
    const char *faults[16];/* --fault k=v, applied at start */
    int nfaults;
} xserver_opts_t;

/* Runs until SIGINT/SIGTERM. Returns 0 or an error (printed). */
/* Serves the listing's symbols (each with its market) to the accounts. */
int xserver_run(const listing_t *l, accounts_t *acc, const xserver_opts_t *o);

#endif
