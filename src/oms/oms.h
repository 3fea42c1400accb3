/* oms.h: order management: turns the quotes a strategy wants into orders, and venue
 * events into order states, balances and PnL.
 *
 * oms_update() diffs wanted quotes against live orders, side by side: a live order is
 * kept when its price is within `tolerance` ticks of a wanted quote of the same size and
 * it is younger than `max_age` (it keeps its queue place); other live orders are
 * canceled and the unmatched wanted quotes placed, each through the risk gate. A cancel
 * and a place on the same side in one update count as one cancel-replace.
 *
 * Venue events are applied idempotently, in whatever order they come (see venue.h):
 *  - a fill is booked to the ledger once per trade id (a set of recent trade ids), also
 *    when it comes after the order's cancel, or for an order this run does not know
 *    (an earlier run's, or one whose record was recycled): balances follow the venue;
 *  - an order's filled quantity is the venue's cumulative one (order.h);
 *  - every request has a deadline (`timeout_ns`); past it the order is UNKNOWN and a
 *    query resolves it, never an assumption; so does a cancel the venue answers with
 *    "unknown order", and an order whose stated cumulative quantity runs ahead of the
 *    trades booked for it (a fill report was lost): the query's answer repeats its trades;
 *  - client order ids are this run's prefix and a sequence, so no id is ever sent for two
 *    orders and an earlier run's orders (same family prefix, another run's) are told apart;
 *    a sync (start-up, reconnect) adopts or cancels them as configured.
 * Queries about one order are asked again at each deadline, never given up (a venue that
 * will not tell leaves the order visibly unresolved, never silently wrong); the deadline
 * doubles after 4 queries and again after 8 (OMS_QUERY_SLOWEST timeouts: the longest any
 * request of ours waits for its answer, oms_longest_wait_ns).
 * Orders live in a fixed pool indexed by id (no allocation after init). */
#ifndef Q_OMS_H
#define Q_OMS_H

#include <stdint.h>

#include "../strategy/strategy.h"
#include "../venue/venue.h"
#include "ledger.h"
#include "order.h"
#include "risk.h"

#define OMS_POOL 1024
#define OMS_PREFIX_MAX 18          /* a client id prefix; the rest of the 36 is the sequence */
#define OMS_TRADE_SLOTS (1 << 16)  /* the trade-id set's table */
#define OMS_TRADE_KEEP (1 << 15)   /* trade ids remembered, oldest forgotten first */
#define OMS_SLOW_QUERIES 32        /* queries about one order past which it counts as `unrecovered` */
#define OMS_QUERY_SLOWEST 4        /* a query's deadline grows to this many timeouts (after 8 queries) */

/* what to do with an earlier run's open orders found by a sync */
typedef enum oms_earlier { OMS_EARLIER_CANCEL = 0, OMS_EARLIER_ADOPT } oms_earlier_t;

typedef struct oms_config {
    order_type_t type;
    int64_t tolerance;          /* ticks */
    int64_t max_age_ns;         /* 0 = no limit */
    int max_open;
    int orders_per_10s;
    int64_t timeout_ns;         /* a request's answer is due within this */
    const char *prefix;         /* this run's client id prefix ("q" in backtests) */
    const char *family;         /* what every run's prefix starts with ("q") */
    oms_earlier_t earlier;
    venue_replace_mode_t replace_mode;
} oms_config_t;

typedef struct oms_hooks {
    void *ctx;
    /* a fill booked: o is NULL for an order this run does not know */
    void (*on_fill)(void *ctx, const order_t *o, const venue_event_t *ev, double fee_quote);
    void (*on_done)(void *ctx, const order_t *o); /* the order reached a terminal state */
} oms_hooks_t;

/* a new order's intent, just before the venue call (old: the order a cancel-replace
   cancels, or NULL); nonzero: it is not sent (as VENUE_NOT_SENT). The live journal writes
   it; unset (NULL) in backtests. */
typedef struct oms_send_hook {
    void *ctx;
    int (*on_send)(void *ctx, const order_t *o, const order_t *old);
} oms_send_hook_t;

typedef struct oms_stats {
    int64_t sent, cancels_sent, replaced, acked, rejected, canceled, expired, filled_orders;
    int64_t cancel_rejects, state_errors, unknown_order_events, pool_full;
    int64_t duplicate_fills;    /* a trade told again (dropped: booked once) */
    int64_t late_fills;         /* a trade booked after its order was done */
    int64_t foreign_fills;      /* a trade of an order this run does not know, booked */
    int64_t refused_fills;      /* the ledger refused a fill (overflow, fee) */
    int64_t timeouts;           /* requests past their deadline */
    int64_t unknowns;           /* unknown-outcome answers */
    int64_t queries;            /* order queries sent */
    int64_t gone;               /* cancels answered "unknown order" */
    int64_t not_sent;           /* requests the venue could not send */
    int64_t rate_limited;       /* rate-limit feedback from the venue */
    int64_t syncs, earlier_found, adopted, foreign_open, balance_mismatches;
    int64_t unrecovered;        /* orders still unresolved after OMS_SLOW_QUERIES queries (asked on) */
    int64_t revived;            /* orders presumed rejected (a query found nothing) that the venue then told of */
    int64_t pre_adoption_fills; /* trades of adopted orders from before this run (in the balances already) */
} oms_stats_t;

typedef struct oms {
    order_t orders[OMS_POOL];
    int live[OMS_POOL];     /* slots of the orders not yet terminal */
    int nlive;
    uint64_t gen;           /* changes with every call that may change an order (a reader of
                               oms_best_live may keep its answer while this stands) */
    int resolve[OMS_POOL];  /* slots of done orders whose trades are not all booked yet */
    int nresolve;
    uint64_t next_id;
    oms_config_t cfg;
    char prefix[OMS_PREFIX_MAX + 1], family[OMS_PREFIX_MAX + 1];
    size_t prefix_len, family_len;
    int64_t next_deadline;  /* the earliest pending deadline (INT64_MAX: none) */
    uint32_t sync_gen;      /* the sync in progress or last done */
    int syncing;
    double mark;            /* the last mid (quote per base), set by the engine: values transfers */
    int64_t *trade_slot;    /* the trade-id set (OMS_TRADE_SLOTS): open addressing, 0 = empty */
    int64_t *trade_fifo;    /* insertion order (OMS_TRADE_KEEP), to forget the oldest */
    int trade_n, trade_head;
    ledger_t ledger;
    risk_t risk;
    venue_t *venue;
    oms_hooks_t hooks;
    oms_hooks_t tap;        /* the engine's: each booked fill, for the strategy's state (on_done unused) */
    oms_send_hook_t send_hook;
    oms_stats_t st;
} oms_t;

/* Fills a config with the defaults (LIMIT_MAKER, no tolerance, 10 s timeout, prefix "q"). */
void oms_config_default(oms_config_t *c);
/* Q_E_INVAL when the prefix is not 1..18 of [a-zA-Z0-9-_] or does not start with the family;
   Q_E_NOMEM. The ledger is set up by the caller (ledger_init) after this. m must be zeroed
   or freed by oms_free before (its trade-id set is on the heap: untouched pages cost no
   memory until used). */
int oms_init(oms_t *m, venue_t *v, const symbol_rules_t *rules, const oms_config_t *cfg);
void oms_free(oms_t *m);
/* A run prefix: family + the run tag's last 8 base-36 digits + "-" ("q" and 1764650000 ->
   "qt6mknk-"); a start time in milliseconds repeats after 89 years. 0, or Q_E_RANGE when it
   does not fit cap or OMS_PREFIX_MAX. */
int oms_run_prefix(char *out, size_t cap, const char *family, uint64_t tag);
/* Brings live orders in line with `want` (NULL or empty: cancel everything). */
void oms_update(oms_t *m, const quote_set_t *want, int64_t now_ns);
/* Deadlines: requests past theirs make their orders UNKNOWN and send queries. Call on every
   step (cheap when nothing is due). */
void oms_poll(oms_t *m, int64_t now_ns);
/* The invariants of the deadlines, after oms_poll(now): every order not yet resolved waits
   on a request of ours whose deadline has not passed (an UNKNOWN order on a query, one
   being canceled on its cancel, one missing trades on a query). Returns the orders that
   break them (0). For tests and the chaos backtests. */
int oms_check(const oms_t *m, int64_t now);
/* Asks the venue for its open orders and balances (start-up, after a reconnect). */
int oms_sync(oms_t *m, int64_t now_ns);
/* Cancels every open order at the venue (one request). */
int oms_cancel_all(oms_t *m, int64_t now_ns);
/* The venue's answer; wire this as the venue's sink. */
void oms_on_venue(void *oms, const venue_event_t *ev);
order_t *oms_find(oms_t *m, uint64_t id);
/* The order a client id names: this run's, or an adopted one; NULL when none. */
order_t *oms_find_cid(oms_t *m, const char *cid);
/* Orders not yet terminal. */
int oms_open_count(const oms_t *m);
/* Orders not yet resolved: live ones, and done ones whose trades are not all booked. */
int oms_unresolved_count(const oms_t *m);
/* The longest a request of ours waits for its answer before the next attempt: a query
   about an order already asked about 8 times (OMS_QUERY_SLOWEST timeouts). What anything
   waiting for orders to resolve (a backtest's drain) measures its patience in. */
int64_t oms_longest_wait_ns(const oms_t *m);
/* Free balances given the open orders (what the risk gate checks against). */
void oms_risk_state(const oms_t *m, risk_state_t *st);
/* Best live (acknowledged) price per side, 0 when none: for the quoted-time statistics. */
void oms_best_live(const oms_t *m, int64_t *bid, int64_t *ask);

#endif
