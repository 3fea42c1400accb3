/* ratelimit.c: fixed-window rate limits (see ratelimit.h). */
#include "ratelimit.h"

#include <stdio.h>
#include <string.h>

#define MINUTE 60000LL
#define TEN_S 10000LL
#define DAY 86400000LL
#define FIVE_MIN 300000LL

void rl_init(ratelimit_t *r, const config_t *c) {
    memset(r, 0, sizeof *r);
    r->weight_limit = c->weight_per_minute;
    r->raw_limit = c->raw_requests_per_5m;
    r->conn_limit = c->connections_per_5m;
    r->orders10_limit = c->orders_per_10s_limit;
    r->ordersday_limit = c->orders_per_day;
    r->ban_ms = (int64_t)(c->ban_seconds * 1000);
}


static rl_ip_t *slot(ratelimit_t *r, const char *ip) {
    for (int i = 0; i < r->nips; i++)
        if (!strcmp(r->ips[i].ip, ip)) return &r->ips[i];
    rl_ip_t *s = r->nips < RL_IPS ? &r->ips[r->nips++] : &r->ips[RL_IPS - 1]; /* crowded: share the last */
    memset(s, 0, sizeof *s);
    snprintf(s->ip, sizeof s->ip, "%s", ip);
    return s;
}

static void roll(rl_ip_t *s, int64_t now) {
    int64_t w = now / MINUTE;
    if (w != s->window) {
        s->window = w;
        s->weight = 0;
        s->strikes = 0;
    }
}

/* a refused request: 429 until the window ends, or a ban for a client that keeps going after
   its 429s, as Binance does */
static rl_verdict_t refuse(ratelimit_t *r, rl_ip_t *s, int64_t now, int64_t window_end, int *retry_after_s, int64_t *until_ms) {
    r->refused++;
    if (++s->strikes > 10) {
        s->banned_until_ms = now + r->ban_ms;
        r->bans++;
        *until_ms = s->banned_until_ms;
        *retry_after_s = (int)((r->ban_ms + 999) / 1000);
        return RL_418;
    }
    *retry_after_s = (int)((window_end - now + 999) / 1000);
    *until_ms = window_end;
    return RL_429;
}

rl_verdict_t rl_weight(ratelimit_t *r, const char *ip, int weight, int64_t now, int *retry_after_s, int64_t *until_ms,
                       int *raw) {
    rl_ip_t *s = slot(r, ip);
    roll(s, now);
    *raw = 0;
    if (now / FIVE_MIN != s->raw_window) {
        s->raw_window = now / FIVE_MIN;
        s->raw = 0;
    }
    s->raw++;
    if (s->banned_until_ms > now) {
        *until_ms = s->banned_until_ms;
        *retry_after_s = (int)((s->banned_until_ms - now + 999) / 1000);
        r->refused++;
        return RL_418;
    }
    if (s->raw > r->raw_limit) {
        *raw = 1;
        return refuse(r, s, now, (s->raw_window + 1) * FIVE_MIN, retry_after_s, until_ms);
    }
    if (s->weight + weight > r->weight_limit) return refuse(r, s, now, (s->window + 1) * MINUTE, retry_after_s, until_ms);
    s->weight += weight;
    return RL_OK;
}

int rl_used(ratelimit_t *r, const char *ip, int64_t now) {
    rl_ip_t *s = slot(r, ip);
    roll(s, now);
    return s->weight;
}

static void roll_acct(rl_acct_t *a, int64_t now) {
    if (now / TEN_S != a->win10) { a->win10 = now / TEN_S; a->orders10 = 0; }
    if (now / DAY != a->winday) { a->winday = now / DAY; a->ordersday = 0; }
}

int rl_order(ratelimit_t *r, int ai, int64_t now, const char **which) {
    if (ai < 0 || ai >= RL_ACCOUNTS) return 0;
    rl_acct_t *a = &r->acct[ai];
    roll_acct(a, now);
    if (a->orders10 >= r->orders10_limit) { *which = "10 SECOND"; r->refused++; return -1; }
    if (a->ordersday >= r->ordersday_limit) { *which = "1 DAY"; r->refused++; return -1; }
    a->orders10++;
    a->ordersday++;
    return 0;
}

void rl_orders(ratelimit_t *r, int ai, int64_t now, int *in10s, int *inday) {
    *in10s = *inday = 0;
    if (ai < 0 || ai >= RL_ACCOUNTS) return;
    rl_acct_t *a = &r->acct[ai];
    roll_acct(a, now);
    *in10s = a->orders10;
    *inday = a->ordersday;
}

int rl_connect(ratelimit_t *r, const char *ip, int64_t now) {
    rl_ip_t *s = slot(r, ip);
    if (now / FIVE_MIN != s->conn_window) {
        s->conn_window = now / FIVE_MIN;
        s->conns = 0;
    }
    if (s->conns >= r->conn_limit) {
        r->refused++;
        return -1;
    }
    s->conns++;
    return 0;
}

void rl_refund(ratelimit_t *r, const char *ip, int weight, int64_t now) {
    rl_ip_t *s = slot(r, ip);
    roll(s, now);
    s->weight = s->weight > weight ? s->weight - weight : 0;
}
