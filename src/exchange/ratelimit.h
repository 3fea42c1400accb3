/* ratelimit.h: Binance's rate limits on the local exchange: request weight per minute per
 * IP, RAW_REQUESTS per 5 minutes per IP, new WebSocket connections per 5 minutes per IP,
 * and the unfilled order count (ORDERS) per 10 s and per day per account, in fixed windows
 * aligned to the clock as Binance counts them. Past the weight limit a request gets 429
 * (-1003) with Retry-After; an IP that keeps sending while limited is banned (418) for a
 * while. Past an ORDERS limit a new order gets 429 (-1015); an order's first fill gives
 * back unfilled-order count (faqs/order_count_decrement.md in binance-spot-api-docs).
 *
 * Times are wall-clock ms; values outside [0, RL_MAX_MS] are clamped so that no window
 * arithmetic can overflow. Every counter saturates instead of wrapping. */
#ifndef Q_RATELIMIT_H
#define Q_RATELIMIT_H

#include <stdint.h>

#include "../config/config.h"

#define RL_IPS 64
#define RL_ACCOUNTS 16
#define RL_MAX_MS 253402300799999LL /* 9999-12-31 23:59:59.999 UTC, Binance's own upper bound */

typedef struct rl_ip {
    char ip[48];
    int64_t window;          /* minute index */
    int weight;              /* used this minute */
    int strikes;             /* requests refused this minute */
    int64_t banned_until_ms;
    int64_t raw_window;      /* 5-minute index */
    int raw;                 /* requests this window, refused ones included */
    int64_t conn_window;     /* 5-minute index */
    int conns;               /* WebSocket connections opened this window */
    int64_t seen_ms;         /* last request or connection: the stalest entry is evicted first */
} rl_ip_t;

typedef struct rl_acct {
    int64_t win10, winday;
    int orders10, ordersday; /* unfilled order count of the current windows, never negative */
} rl_acct_t;

typedef struct ratelimit {
    int weight_limit, orders10_limit, ordersday_limit;
    int raw_limit;           /* RAW_REQUESTS per 5 minutes */
    int conn_limit;          /* new WebSocket connections per 5 minutes */
    int maker_fill_credit;   /* unfilled orders given back by a first fill as maker (taker: 1) */
    int64_t ban_ms;
    rl_ip_t ips[RL_IPS];
    int nips;
    /* IPs that find the table full of live entries share this one: limited together, which
       is stricter than Binance but never a free pass (and nothing to evict an honest
       client's counts) */
    rl_ip_t crowd;
    rl_acct_t acct[RL_ACCOUNTS];
    int64_t refused, bans, crowded;
} ratelimit_t;

typedef enum rl_verdict { RL_OK = 0, RL_429, RL_418 } rl_verdict_t;

/* The limits from the [exchange] keys (their defaults are Binance's). */
void rl_init(ratelimit_t *r, const config_t *c);
/* Counts one request (RAW_REQUESTS) and adds `weight` (negative counts as 0) for ip at now;
   RL_OK, or why not (then *retry_after_s and *until_ms say when; *raw says the RAW_REQUESTS
   limit was the one hit). A refused request is not charged weight. */
rl_verdict_t rl_weight(ratelimit_t *r, const char *ip, int weight, int64_t now_ms, int *retry_after_s, int64_t *until_ms,
                       int *raw);
/* Counts a new WebSocket connection from ip; 0, or -1 past the limit (not counted then). */
int rl_connect(ratelimit_t *r, const char *ip, int64_t now_ms);
/* Gives back `weight` charged at charged_ms for a request that turned out free (since
   2026-04-02 a successful order placement or cancel costs weight 0). Only into the minute it
   was charged in: when that minute has ended by now_ms the charge has expired with it and
   nothing is given back (giving it to the new minute would hand out free weight). Never
   below zero. */
void rl_refund_at(ratelimit_t *r, const char *ip, int weight, int64_t charged_ms, int64_t now_ms);
/* Weight used by ip this minute. */
int rl_used(ratelimit_t *r, const char *ip, int64_t now_ms);
/* Counts a new order for account a; 0, or -1 when over a limit (*which = "10 SECOND" or
   "1 DAY"; nothing counted then). An account outside 0..RL_ACCOUNTS-1 is refused (as
   "1 DAY"): an account without counters must not get a free pass. */
int rl_order(ratelimit_t *r, int a, int64_t now_ms, const char **which);
/* An order of account a traded for the first time (partially or fully) at now_ms: the
   unfilled order count of every ORDERS interval goes down, as faqs/order_count_decrement.md
   says: "When an order is filled for the first time (partially or fully), your unfilled
   order count is decremented by one order for all intervals of the ORDERS rate limit", by
   more when the first fill is "in the maker phase" (maker: r->maker_fill_credit, 5 as in the
   FAQ's Example 2; taker: 1). It is the *current* windows that go down, whenever the order
   was placed: "New order fills decrease your current unfilled order count regardless of
   when the orders were placed", and never below zero: "once the unfilled order count is down
   to zero, additional fills will not decrease it further". Call it once per order, on its
   first fill only; later fills, cancels and expiries do not change the count. */
void rl_order_filled(ratelimit_t *r, int a, int64_t now_ms, int maker);
/* The unfilled order counts of account a in the current windows (what X-MBX-ORDER-COUNT-10S
   and -1D and the WebSocket API's rateLimits show). */
void rl_orders(ratelimit_t *r, int a, int64_t now_ms, int *in10s, int *inday);

#endif
