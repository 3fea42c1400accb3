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
 *           (and account.commission: the account's rates, told by hooks.on_commission)
 * Answers become venue events. Outcomes Binance leaves open (HTTP 5xx, -1006, -1007, and
 * every request in flight when the connection drops) become VEV_UNKNOWN: the oms queries,
 * never assumes. 429/418 answers become a rejection and VEV_RATE_LIMIT with retryAfter.
 * -1021 (timestamp outside recvWindow) re-syncs the clock offset, and so does a `time`
 * request every BN_TIME_SYNC_S (5 minutes).
 *
 * Keys: an HMAC secret signs every request (userDataStream.subscribe.signature for user
 * data). An Ed25519 private key (the `secret` given is then a PEM text, "-----BEGIN ...")
 * logs the connection on (session.logon, signed) once the clock offset is known; then
 * userDataStream.subscribe (no signature) and requests carry only their timestamp. Until
 * the logon is answered (and after a rotation, until it is redone) requests are signed one by
 * one with the Ed25519 key, so nothing waits for the session.
 *
 * Connections are replaced before they end (net.h's rotation): on a serverShutdown notice,
 * and before the connection age limit (binance_tuning_t.max_conn_age_s). After a WebSocket
 * API rotation the clock, logon and user data subscription are redone on the new socket;
 * user data events that come on both sockets during the overlap are taken once; requests
 * written on the old socket are answered there while it drains (3 s), and those still
 * unanswered when it closes become VEV_UNKNOWN (the oms queries them).
 *
 * REST (rest.h, on the same event loop): the clock and exchangeInfo are asked over REST at
 * start-up, before the WebSocket API is up, and whenever the WebSocket API connection is not
 * open every request goes over REST instead (time, exchangeInfo, depth, cancel, cancel_all
 * = DELETE /api/v3/openOrders, query and myTrades, sync = GET account and openOrders; place
 * and replace too, though the venue is not ready for them without user data). A REST answer's
 * JSON is the WebSocket API's `result` (or `error`), so both paths share one answer-to-event
 * code; no answer (lost, timed out) is VEV_UNKNOWN for an order request, as a dropped socket is.
 * X-MBX-ORDER-COUNT-10S feeds the ORDERS budget like rateLimits; X-MBX-USED-WEIGHT-1M at the
 * exchangeInfo REQUEST_WEIGHT limit, and Retry-After on 429/418, hold every request back.
 * binance_can_send() says when requests can go out at all; `ready` (user data subscribed)
 * still gates quoting: fills are only heard over the WebSocket API.
 *
 * Balances: outboundAccountPosition (absolute) and balanceUpdate (a delta applied to the
 * last free balance known) become VEV_BALANCE for the symbol's base (lots) and quote
 * (tick*lot units). */
#ifndef Q_BINANCE_H
#define Q_BINANCE_H

#include <stdint.h>

#include "../../core/hist.h"
#include "../../core/symbol.h"
#include "../venue.h"
#include "net.h"
#include "rest.h"

#define BN_PENDING 512 /* requests in flight */

typedef enum bn_kind {
    BN_NONE = 0, BN_TIME, BN_EXINFO, BN_SUBSCRIBE, BN_DEPTH, BN_PLACE, BN_CANCEL, BN_REPLACE, BN_STATUS, BN_TRADES,
    BN_CANCEL_ALL, BN_ACCOUNT, BN_OPEN_ORDERS, BN_LOGON, BN_COMMISSION
} bn_kind_t;

#define BN_TIME_SYNC_S 300 /* the clock offset is measured again this often */
#define BN_ANSWER_TIMEOUT_NS 30000000000LL /* a WebSocket API answer not come by then will not */
#define BN_TIME_MAX_RTT_MS 1000 /* a clock sample with a longer round trip is dropped (once known) unless it proves the clock wrong */
/* user data events remembered (a rotation's overlap sends them twice): two hash sets of
   BN_SEEN slots, the current one and the one before, each holding up to BN_SEEN / 2 events,
   so at least the last BN_SEEN / 2 (1024: ten seconds of the busiest account) are known */
#define BN_SEEN 2048

/* process-wide settings of the live venue (set once by `quoter run` before it opens one) */
typedef struct binance_tuning {
    double max_conn_age_s;   /* replace a connection this old (0: 23.5 h, under Binance's 24 h) */
    double time_sync_s;      /* 0: BN_TIME_SYNC_S */
    int verbose;             /* log clock re-syncs, rotations and logons to stderr */
} binance_tuning_t;
void binance_set_tuning(const binance_tuning_t *t);

typedef struct bn_pending {
    bn_kind_t kind;
    uint64_t id;
    char cid[ORDER_CID_MAX + 1];   /* the order it is about (replace: the new one) */
    char cid2[ORDER_CID_MAX + 1];  /* replace: the order canceled */
    order_side_t side;
    int64_t sent_ns;               /* real clock */
    uint64_t gen;                  /* the API socket it went on (net_conn_t.gen) */
    int rest;                      /* it went over REST (a dropped API socket does not lose it) */
    uint32_t sync;                 /* account / open orders: the sync it belongs to (binance_t.sync_gen); 0: asked alone */
} bn_pending_t;

typedef struct bn_stats {
    int64_t requests, answers, errors, unknowns, rate_limited, reports, time_syncs, parse_errors;
    int64_t logons, rotations, shutdowns, duplicates, balances;
    int64_t rest_requests, rest_lost; /* sent over REST; of those, not answered */
    int64_t rest_kind[BN_COMMISSION + 1]; /* sent over REST, by kind (every kind: the last is BN_COMMISSION) */
    int64_t rtt_n;
    double rtt_sum_ms;             /* order request round trips (WebSocket API only, as rtt_hist) */
    int64_t order_requests;        /* place, cancel, replace, cancel all: written */
    hist_t rtt_hist;               /* order request round trips over the WebSocket API, ns (hist_round_trip_le) */
} bn_stats_t;

typedef struct binance binance_t;

/* the commission rates the account pays on the symbol (account.commission): the fees booked
   are the ones each executionReport states; these say what to expect, and whether a backtest
   with the config's account.maker_fee/taker_fee charges what this account pays */
typedef struct bn_commission {
    int known;
    char maker[24], taker[24];       /* standardCommission, as the exchange prints them */
    char tax_maker[24], tax_taker[24]; /* taxCommission, charged on top */
    char special_maker[24], special_taker[24]; /* specialCommission: extra, charged on top too */
    double maker_rate, taker_rate;   /* standard + tax + special, as numbers */
    char discount_asset[16];         /* "BNB" */
    char discount[24];               /* the factor standard rates are multiplied by when paid in it */
    int discount_on;                 /* enabled for both the account and the symbol */
} bn_commission_t;

/* what the owner (the live loop) hears besides venue events */
typedef struct bn_hooks {
    void *ctx;
    void (*on_market)(void *ctx, const char *json, size_t n, int64_t local_ns); /* a stream message */
    void (*on_depth)(void *ctx, const char *json, size_t n, int64_t local_ns);  /* a snapshot (REST form) */
    void (*on_ready)(void *ctx);   /* the API is open, the clock known, user data subscribed */
    void (*on_down)(void *ctx, const char *what); /* a connection was lost */
    void (*on_symbol)(void *ctx, const char *status); /* exchangeInfo's status for the symbol */
    void (*on_commission)(void *ctx, const bn_commission_t *c); /* the account's rates (each sync) */
} bn_hooks_t;


typedef struct binance_config {
    const char *api_url;     /* ws://127.0.0.1:PORT/ws-api/v3 or wss://ws-api.binance.com/ws-api/v3 */
    const char *stream_url;  /* ws://127.0.0.1:PORT or wss://stream.binance.com:9443 (the path is added) */
    const char *api_key, *secret; /* HMAC secret, or an Ed25519 private key's PEM text; kept by
                                     pointer: the caller keeps them alive (and wipes them) */
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
    int ed25519;             /* the key is Ed25519: session.logon */
    int logged_on;           /* the current API socket's session is logged on */
    int session_asked;       /* logon / subscription asked on the current API socket */
    int64_t next_time_sync_ns; /* real clock */
    int64_t next_exinfo_ns;    /* the symbol's status, asked again then (real clock) */
    uint64_t seen[2][BN_SEEN]; /* hashes of recent user data events: [cur] and [!cur] (0: empty) */
    int seen_cur, nseen;       /* nseen: events in [cur] */
    struct { int64_t free, locked; __int128 free_q, locked_q; int known; } bal[2]; /* base, quote: the last told */
    int sync_waiting;        /* sync: answers still due (account, open orders) of sync number sync_gen */
    uint32_t sync_gen;       /* syncs asked so far: an earlier sync's late answer does not end a later one */
    int64_t next_expiry_ns;  /* expire_answers: the next look (real clock) */
    int64_t retry_until_ns;  /* 429/418: nothing new before this (real clock) */
    char symbol_status[24];
    bn_commission_t commission;
    rest_t rest;
    int rest_on;             /* a REST base URL is configured */
    int64_t time_rtt_ms;     /* the round trip of the last clock measurement */
    int64_t time_ws_ns;      /* real clock: the last clock measurement over the WebSocket API (0: none) */
    int weight_limit;        /* exchangeInfo's REQUEST_WEIGHT per minute (0: not told) */
    int weight_used;         /* the last X-MBX-USED-WEIGHT-1M seen (-1: none) */
    int api_down_told;       /* the fallback to REST was logged for this outage */
    int64_t orders_sent;     /* place and replace requests made (an order may be out) */
    int rules_bad;           /* exchangeInfo's tick or step differs from the config's (err says): never ready */
    int64_t rules_told_ns;   /* real clock: the last error logged on exchangeInfo's rules (0: none) */
    char err[256];
    bn_stats_t st;
};

/* Connects both connections; events reach base.sink, the rest the hooks. */
int binance_open(binance_t *b, const binance_config_t *cfg, const bn_hooks_t *hooks);
void binance_close(binance_t *b);
/* Serves the connections up to timeout_ms (negative: what is ready, without waiting). */
void binance_run(binance_t *b, int timeout_ms);
/* Asks for a depth snapshot (answered through hooks.on_depth). */
int binance_depth(binance_t *b, int limit);
/* Asks for the open orders only (answered as VEV_OPEN_ORDER ... VEV_SYNC_DONE). */
int binance_open_orders(binance_t *b);
/* Hands a message to the WebSocket API's handler as if it had arrived (the fuzzer's way in). */
void binance_feed_api(binance_t *b, const char *msg, size_t len);
/* Adds REST (after binance_open): base_url http://127.0.0.1:PORT or https://api.binance.com;
   asks the clock over it at once. Q_E_INVAL (err filled) for a URL it cannot use. */
int binance_open_rest(binance_t *b, const char *base_url);
/* 1 when a request can go out now: the clock offset is known and the WebSocket API is
   open or REST is configured (cancels, queries, syncs and the stop work without the API). */
int binance_can_send(const binance_t *b);
/* Hands a REST answer for request id to its handler as if it had arrived (the fuzzer's way in). */
void binance_feed_rest(binance_t *b, uint64_t id, const rest_answer_t *a);
/* The exchange's time now (ms), by the offset measured. */
int64_t binance_server_ms(const binance_t *b);

#endif
