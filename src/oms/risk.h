/* risk.h: the risk gate every outgoing order passes: exchange filters (tick, step,
 * min/max qty, notional), the open-order limit, the order rate budget (Binance's ORDERS
 * limit, new orders per 10 s), free balances, and the kill switch.
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
