/* risk.h: the risk gate every outgoing order passes: exchange filters (tick, step,
 * min/max qty, notional), the open-order limit, the order rate budget (Binance's ORDERS
 * limit, new orders per 10 s), the daily budget of unfilled orders (Binance's ORDERS per
 * day, 200,000 by default), free balances, and the kill switch.
 *
 * The daily budget. Binance counts an account's new orders per UTC day and takes an order
 * off the count once it trades ("orders which are partially or fully filled do not count",
 * faqs/order_count_decrement.md; we take off one per order's first fill, the least the
 * venue gives back). Spent freely, the allowance runs out before midnight and the account
 * stops quoting for the rest of the day. So the gate paces it: a bucket of one hour's
 * allowance (limit / 24) refilled at limit / 86400 per second, a new order takes one, an
 * order's first fill gives one back; and the count of the current UTC day never passes
 * the limit. A strategy that fills often enough is never held back; one that does not is
 * slowed to the pace the day allows (risk_rejects.daily_orders counts the quotes held).
 * Rejections are local (nothing is sent) and counted by reason. */
#ifndef Q_RISK_H
#define Q_RISK_H

#include <stdint.h>

#include "../core/symbol.h"
#include "order.h"

#define RISK_RATE_CAP 1024
#define RISK_MINUTE_CAP 4096 /* sends remembered for the last minute (the runaway guard) */

typedef enum risk_reason {
    RISK_OK = 0,
    RISK_PRICE_FILTER,
    RISK_LOT_SIZE,
    RISK_NOTIONAL,
    RISK_MAX_OPEN,
    RISK_BALANCE,
    RISK_RATE,
    RISK_KILLED,
    RISK_DAILY,               /* the daily budget of unfilled orders */
    RISK_NREASONS
} risk_reason_t;

typedef struct risk {
    const symbol_rules_t *rules;
    int max_open;
    int rate_limit;           /* new orders per rate window; 0 = off */
    int64_t rate_window_ns;
    int64_t sent_ns[RISK_RATE_CAP]; /* ring of recent send times */
    int sent_head, sent_n;
    int64_t minute_ns[RISK_MINUTE_CAP]; /* every send of the last minute (oldest first) */
    int minute_head, minute_n;
    int64_t backoff_until_ns; /* the venue asked us to slow down: no new order before */
    int venue_used;           /* the venue's own count of our new orders in its window ... */
    int64_t venue_used_ns;    /* ... as of then (0: never told) */
    int day_limit;            /* unfilled orders per UTC day; 0 = no budget */
    double day_tokens;        /* the pacing bucket (see above) */
    int64_t day_last_ns;      /* when the bucket was last refilled (0: full, never used) */
    int64_t day_index;        /* the UTC day of day_count (ns / 86400 s) */
    int64_t day_count;        /* unfilled orders counted in that day */
    int64_t first_fills;      /* orders that traded (each gave one back) */
    int killed;               /* the kill switch: nothing new goes out */
    const char *kill_reason;
    int64_t rejects[RISK_NREASONS];
} risk_t;

typedef struct risk_state {
    int open;                 /* live orders */
    __int128 base_free;       /* lots not locked by open sells (wide: any quantities summed) */
    __int128 quote_free;      /* tick*lot units not locked by open buys */
} risk_state_t;

void risk_init(risk_t *r, const symbol_rules_t *rules, int max_open, int rate_limit, int64_t rate_window_ns);
risk_reason_t risk_check(risk_t *r, const risk_state_t *st, order_side_t side, int64_t price, int64_t qty,
                         int64_t now_ns);
/* Records a new order sent at now_ns (counts against the rate budget). */
void risk_note_sent(risk_t *r, int64_t now_ns);
/* New orders sent in (now - window, now], window <= 60 s (at most RISK_MINUTE_CAP). */
int risk_sent_within(risk_t *r, int64_t now_ns, int64_t window_ns);
void risk_kill(risk_t *r, const char *why);
/* The daily budget: unfilled orders per UTC day (0 = none); the venue's own (exchangeInfo's
   ORDERS per DAY) may come later by the same call, the smaller one wins. */
void risk_day_limit(risk_t *r, int per_day);
/* An order's first fill at now_ns: it no longer counts against the daily budget. */
void risk_note_first_fill(risk_t *r, int64_t now_ns);
/* The venue's rate-limit feedback: new orders are held back (RISK_RATE) until until_ns. */
void risk_backoff(risk_t *r, int64_t until_ns);
/* The venue's limit for new orders per window (exchangeInfo's ORDERS): the budget becomes the
   smaller of it and the configured one. */
void risk_venue_limit(risk_t *r, int limit);
/* The venue's count of new orders in its window (the rateLimits of its answers): the budget
   counts at least that, plus what was sent since, until the window has passed. */
void risk_venue_used(risk_t *r, int used, int64_t now_ns);
const char *risk_reason_name(risk_reason_t why);

#endif
