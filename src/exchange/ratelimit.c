/* ratelimit.c: fixed-window rate limits (see ratelimit.h). */
#include "ratelimit.h"

#include <limits.h>
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
    r->maker_fill_credit = c->maker_fill_credit;
    r->ban_ms = (int64_t)(c->ban_seconds * 1000);
    snprintf(r->crowd.ip, sizeof r->crowd.ip, "*");
}

/* a client's clock is never trusted into window arithmetic: (window + 1) * length and
   now + ban must not overflow */
static int64_t clamp_ms(int64_t t) { return t < 0 ? 0 : t > RL_MAX_MS ? RL_MAX_MS : t; }

/* counters saturate: a flood must not wrap a count back under its limit */
static void inc(int *x) {
    if (*x < INT_MAX) (*x)++;
}

/* an entry that no longer holds anything: every window it counted in is over and it is
   not banned, so forgetting it changes no answer */
static int stale(const rl_ip_t *s, int64_t now) {
    return s->banned_until_ms <= now && (s->window != now / MINUTE || (!s->weight && !s->strikes)) &&
           (s->raw_window != now / FIVE_MIN || !s->raw) && (s->conn_window != now / FIVE_MIN || !s->conns);
}

static rl_ip_t *slot(ratelimit_t *r, const char *ip, int64_t now) {
    for (int i = 0; i < r->nips; i++)
        if (!strcmp(r->ips[i].ip, ip)) return &r->ips[i];
    rl_ip_t *s = 0;
    if (r->nips < RL_IPS) s = &r->ips[r->nips++];
    else /* full: reuse the stalest entry that no longer counts anything */
        for (int i = 0; i < RL_IPS; i++)
            if (stale(&r->ips[i], now) && (!s || r->ips[i].seen_ms < s->seen_ms)) s = &r->ips[i];
    if (!s) {
        r->crowded++;
        return &r->crowd;
    }
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
    inc(&s->strikes);
    if (s->strikes > 10) {
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
    now = clamp_ms(now);
    if (weight < 0) weight = 0;
    rl_ip_t *s = slot(r, ip, now);
    s->seen_ms = now;
    roll(s, now);
    *raw = 0;
    if (now / FIVE_MIN != s->raw_window) {
        s->raw_window = now / FIVE_MIN;
        s->raw = 0;
    }
    inc(&s->raw);
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
    /* in 64 bits: a huge weight must be refused, not wrap to a small sum */
    if ((int64_t)s->weight + weight > r->weight_limit)
        return refuse(r, s, now, (s->window + 1) * MINUTE, retry_after_s, until_ms);
    s->weight += weight;
    return RL_OK;
}

int rl_used(ratelimit_t *r, const char *ip, int64_t now) {
    now = clamp_ms(now);
    rl_ip_t *s = slot(r, ip, now);
    roll(s, now);
    return s->weight;
}

static void roll_acct(rl_acct_t *a, int64_t now) {
    if (now / TEN_S != a->win10) { a->win10 = now / TEN_S; a->orders10 = 0; }
    if (now / DAY != a->winday) { a->winday = now / DAY; a->ordersday = 0; }
}

int rl_order(ratelimit_t *r, int ai, int64_t now, const char **which) {
    if (ai < 0 || ai >= RL_ACCOUNTS) { *which = "1 DAY"; r->refused++; return -1; }
    rl_acct_t *a = &r->acct[ai];
    roll_acct(a, clamp_ms(now));
    if (a->orders10 >= r->orders10_limit) { *which = "10 SECOND"; r->refused++; return -1; }
    if (a->ordersday >= r->ordersday_limit) { *which = "1 DAY"; r->refused++; return -1; }
    inc(&a->orders10);
    inc(&a->ordersday);
    return 0;
}

void rl_order_filled(ratelimit_t *r, int ai, int64_t now, int maker) {
    if (ai < 0 || ai >= RL_ACCOUNTS) return;
    rl_acct_t *a = &r->acct[ai];
    /* the current windows: a window that rolled since the order was placed starts from 0 and
       stays there ("You do not get credit for order fills") */
    roll_acct(a, clamp_ms(now));
    int credit = maker ? (r->maker_fill_credit > 1 ? r->maker_fill_credit : 1) : 1;
    a->orders10 = a->orders10 > credit ? a->orders10 - credit : 0;
    a->ordersday = a->ordersday > credit ? a->ordersday - credit : 0;
}

void rl_orders(ratelimit_t *r, int ai, int64_t now, int *in10s, int *inday) {
    *in10s = *inday = 0;
    if (ai < 0 || ai >= RL_ACCOUNTS) return;
    rl_acct_t *a = &r->acct[ai];
    roll_acct(a, clamp_ms(now));
    *in10s = a->orders10;
    *inday = a->ordersday;
}

int rl_connect(ratelimit_t *r, const char *ip, int64_t now) {
    now = clamp_ms(now);
    rl_ip_t *s = slot(r, ip, now);
    s->seen_ms = now;
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

void rl_refund_at(ratelimit_t *r, const char *ip, int weight, int64_t charged, int64_t now) {
    charged = clamp_ms(charged);
    now = clamp_ms(now);
    if (weight <= 0 || charged / MINUTE != now / MINUTE) return; /* that minute's count is gone */
    rl_ip_t *s = slot(r, ip, now);
    if (s->window != now / MINUTE) return; /* not charged in this minute (or never charged) */
    s->weight = s->weight > weight ? s->weight - weight : 0;
}

