/* binance.h: the live venue: Binance Spot (or `quoter exchange`, or any compatible host)
 * behind the same venue_t the simulated venue implements (venue.h).
 *
 * One WebSocket API connection carries every request (signed with HMAC-SHA256: the key
 * and secret from the environment) and the user data stream
 * (userDataStream.subscribe.signature: executionReport drives orders and fills); one
 * stream connection carries the market data (combined depth@100ms, bookTicker, trade),
 * handed raw to the owner, who synchronises its book (src/book) and asks for snapshots
 * with binance_depth(). Both live on one net_t (net.h): one thread, one event loop.
 *
 * Requests map onto the WebSocket API:
 *   place -> order.place (newOrderRespType ACK: fills come by executionReport)
 *   cancel -> order.cancel, replace -> order.cancelReplace, cancel_all -> openOrders.cancelAll
 *   query -> order.status, then myTrades for the order (its trades follow its status)
 *   sync -> account.status (balances) and openOrders.status, then VEV_SYNC_DONE
 * Answers become venue events. Outcomes Binance leaves open (HTTP 5xx, -1006, -1007, and
 * every request in flight when the connection drops) become VEV_UNKNOWN: the oms queries,
 * never assumes. 429/418 answers become a rejection and VEV_RATE_LIMIT with retryAfter.
 * -1021 (timestamp outside recvWindow) re-syncs the clock offset. */
#ifndef Q_BINANCE_H
#define Q_BINANCE_H

#include <stdint.h>

#include "../../core/symbol.h"
#include "../venue.h"
#include "net.h"

#define BN_PENDING 512 /* requests in flight */

typedef enum bn_kind {
    BN_NONE = 0, BN_TIME, BN_EXINFO, BN_SUBSCRIBE, BN_DEPTH, BN_PLACE, BN_CANCEL, BN_REPLACE, BN_STATUS, BN_TRADES,
    BN_CANCEL_ALL, BN_ACCOUNT, BN_OPEN_ORDERS
} bn_kind_t;

typedef struct bn_pending {
    bn_kind_t kind;
    uint64_t id;
    char cid[ORDER_CID_MAX + 1];   /* the order it is about (replace: the new one) */
    char cid2[ORDER_CID_MAX + 1];  /* replace: the order canceled */
    order_side_t side;
    int64_t sent_ns;               /* real clock */
} bn_pending_t;

typedef struct bn_stats {
    int64_t requests, answers, errors, unknowns, rate_limited, reports, time_syncs, parse_errors;
    int64_t rtt_n;
    double rtt_sum_ms;             /* order request round trips */
} bn_stats_t;

typedef struct binance binance_t;

/* what the owner (the live loop) hears besides venue events */
typedef struct bn_hooks {
    void *ctx;
    void (*on_market)(void *ctx, const char *json, size_t n, int64_t local_ns); /* a stream message */
    void (*on_depth)(void *ctx, const char *json, size_t n, int64_t local_ns);  /* a snapshot (REST form) */
    void (*on_ready)(void *ctx);   /* the API is open, the clock known, user data subscribed */
    void (*on_down)(void *ctx, const char *what); /* a connection was lost */
    void (*on_symbol)(void *ctx, const char *status); /* exchangeInfo's status for the symbol */
} bn_hooks_t;

typedef struct binance_config {
    const char *api_url;     /* ws://127.0.0.1:PORT/ws-api/v3 or wss://ws-api.binance.com/ws-api/v3 */
    const char *stream_url;  /* ws://127.0.0.1:PORT or wss://stream.binance.com:9443 (the path is added) */
    const char *api_key, *secret; /* HMAC; kept by pointer: the caller keeps them alive */
    const symbol_rules_t *rules;
    int64_t recv_window_ms;
} binance_config_t;

struct binance {
    venue_t base;            /* first member: a binance_t is a venue */
    net_t net;
    net_conn_t api, stream;
    binance_config_t cfg;
    char symbol_lc[24];
    bn_hooks_t hooks;
    bn_pending_t pend[BN_PENDING];
    uint64_t next_id;
    int64_t offset_ms;       /* server time - local time */
    int time_known, subscribed, ready;
    int sync_waiting;        /* sync: answers still due (account, open orders) */
    int64_t retry_until_ns;  /* 429/418: nothing new before this (real clock) */
    char symbol_status[24];
    char err[256];
    bn_stats_t st;
};

/* Connects both connections; events reach base.sink, the rest the hooks. */
int binance_open(binance_t *b, const binance_config_t *cfg, const bn_hooks_t *hooks);
void binance_close(binance_t *b);
/* Serves the connections up to timeout_ms. */
void binance_run(binance_t *b, int timeout_ms);
/* Asks for a depth snapshot (answered through hooks.on_depth). */
int binance_depth(binance_t *b, int limit);
/* Asks for the open orders only (answered as VEV_OPEN_ORDER ... VEV_SYNC_DONE). */
int binance_open_orders(binance_t *b);
/* The exchange's time now (ms), by the offset measured. */
int64_t binance_server_ms(const binance_t *b);

#endif
