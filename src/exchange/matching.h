/* matching.h: user orders on the local exchange: Binance's order rules (filters -1013,
 * post-only -2010, balances, duplicate client ids, unknown orders -2011/-2013, the open
 * order limit), exact balance locking and settlement with maker/taker fees, matched
 * against the replayed market by the same simulated venue the backtester uses (with no
 * added latency: the network is real here). */
#ifndef Q_MATCHING_H
#define Q_MATCHING_H

#include <stdint.h>

#include "../venue/sim/sim.h"
#include "account.h"

#define MATCH_MAX_ORDERS 65536
#define MATCH_MAX_TRADES 65536
#define MATCH_MAX_FILLS 256

typedef enum xtype { XT_LIMIT = 0, XT_LIMIT_MAKER, XT_MARKET } xtype_t;
typedef enum xtif { XTIF_GTC = 0, XTIF_IOC, XTIF_FOK } xtif_t;
typedef enum xstatus { XS_NEW = 0, XS_PARTIALLY_FILLED, XS_FILLED, XS_CANCELED, XS_REJECTED, XS_EXPIRED } xstatus_t;

typedef struct xorder {
    uint64_t id;
    int acct;
    char cid[40];
    order_side_t side;
    xtype_t type;
    xtif_t tif;
    int64_t price, qty, executed; /* ticks, lots */
    __int128 cum_quote;           /* tick*lot units */
    xstatus_t status;
    int64_t time_ms, update_ms;
    int64_t lock_base;            /* still locked: lots of base (sells) */
    __int128 lock_quote;          /* ... or quote (buys) */
    int64_t lock_price;           /* price the quote lock was computed at */
    int amends;                   /* keepPriority amends so far (Binance allows 10) */
} xorder_t;

typedef struct xfill {
    int64_t price, qty, commission; /* commission in the received asset's units */
    int buyer;                      /* commission asset: base for buys, quote for sells */
    uint64_t trade_id;
    int maker;
} xfill_t;

typedef struct xtrade {
    uint64_t id, order_id;
    int acct;
    order_side_t side;
    int64_t price, qty, commission, time_ms;
    int maker;
} xtrade_t;

typedef struct matching {
    sim_t sim;
    symbol_rules_t sim_rules;  /* filters are checked here, not again in the sim */
    const symbol_rules_t *r;
    accounts_t *acc;
    const book_t *book;
    xorder_t *orders;          /* by id % MATCH_MAX_ORDERS */
    uint64_t next_id;
    uint64_t *cid_index;       /* open addressing: (account, client id) -> newest order id */
    int cid_used;
    xtrade_t *trades;
    uint64_t ntrades;
    xfill_t fills[MATCH_MAX_FILLS]; /* fills of the request being served */
    int nfills;
    int64_t now_ms;
    int max_open;
    int expiring;              /* the cancel in flight ends an IOC/MARKET remainder: EXPIRED */
    /* every order event, for the user data stream: exec is NEW, TRADE, CANCELED or EXPIRED;
       fill is the trade for TRADE, else NULL */
    void (*on_exec)(void *ctx, const xorder_t *o, const char *exec, const xfill_t *fill);
    void *exec_ctx;
} matching_t;

typedef struct xplace {
    const char *cid;           /* NULL: generated */
    order_side_t side;
    xtype_t type;
    xtif_t tif;
    int64_t price, qty;
    int test;                  /* order/test: validate only */
} xplace_t;

int matching_init(matching_t *m, const symbol_rules_t *r, accounts_t *acc, const book_t *book);
void matching_free(matching_t *m);
/* Places an order for account `a` at wall time now. Returns 0 and the order (fills of
   this request in m->fills), or a Binance error code (< 0) with its message in *msg. */
int matching_place(matching_t *m, int a, const xplace_t *p, int64_t now_ms, xorder_t **out, const char **msg);
/* Cancels by id (or by client id when id is 0). Same return convention. */
int matching_cancel(matching_t *m, int a, uint64_t id, const char *cid, int64_t now_ms, xorder_t **out, const char **msg);
xorder_t *matching_find(matching_t *m, int a, uint64_t id, const char *cid);
/* Reduces a live order's quantity keeping its queue place (order/amend/keepPriority). */
int matching_amend(matching_t *m, int a, uint64_t id, const char *cid, int64_t new_qty, int64_t now_ms,
                   xorder_t **out, const char **msg);
/* A market event already applied to the book: match resting orders. */
void matching_on_market(matching_t *m, const md_event_t *ev, int64_t now_ms);

const char *xstatus_name(xstatus_t s);
const char *xtype_name(xtype_t t);
const char *xtif_name(xtif_t t);
int xorder_live(const xorder_t *o);

#endif
