/* ratelimit.h: Binance's rate limits on the local exchange: request weight per minute per
 * IP, new orders per 10 s and per day per account, in fixed windows aligned to the clock
 * as Binance counts them. Past the weight limit a request gets 429 (-1003) with
 * Retry-After; an IP that keeps sending while limited is banned (418) for a while. */
#ifndef Q_RATELIMIT_H
#define Q_RATELIMIT_H

#include <stdint.h>

#include "../config/config.h"

#define RL_IPS 64
#define RL_ACCOUNTS 16

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
} rl_ip_t;

typedef struct rl_acct {
    int64_t win10, winday;
    int orders10, ordersday;
} rl_acct_t;

typedef struct ratelimit {
    int weight_limit, orders10_limit, ordersday_limit;
    int raw_limit;           /* RAW_REQUESTS per 5 minutes */
    int conn_limit;          /* new WebSocket connections per 5 minutes */
    int64_t ban_ms;
    rl_ip_t ips[RL_IPS];
    int nips;
    rl_acct_t acct[RL_ACCOUNTS];
    int64_t refused, bans;
} ratelimit_t;

typedef enum rl_verdict { RL_OK = 0, RL_429, RL_418 } rl_verdict_t;

/* The limits from the [exchange] keys (their defaults are Binance's). */
void rl_init(ratelimit_t *r, const config_t *c);
/* Counts one request (RAW_REQUESTS) and adds `weight` for ip at now; RL_OK, or why not (then
   *retry_after_s and *until_ms say when; *raw says the RAW_REQUESTS limit was the one hit). */
rl_verdict_t rl_weight(ratelimit_t *r, const char *ip, int weight, int64_t now_ms, int *retry_after_s, int64_t *until_ms,
                       int *raw);
/* Counts a new WebSocket connection from ip; 0, or -1 past the limit (not counted then). */
int rl_connect(ratelimit_t *r, const char *ip, int64_t now_ms);
/* Gives back weight charged for a request that turned out free (a successful order). */
void rl_refund(ratelimit_t *r, const char *ip, int weight, int64_t now_ms);
/* Weight used by ip this minute. */
int rl_used(ratelimit_t *r, const char *ip, int64_t now_ms);
/* Counts a new order for account a; 0, or -1 when over a limit (*which = "10 SECOND" or "1 DAY"). */
int rl_order(ratelimit_t *r, int a, int64_t now_ms, const char **which);
void rl_orders(ratelimit_t *r, int a, int64_t now_ms, int *in10s, int *inday);

#endif
