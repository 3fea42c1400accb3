/* matching.h: user orders on the local exchange: Binance's order rules (filters -1013,
 * post-only -2010, balances, duplicate client ids, unknown orders -2011/-2013, the open
 * order limit, the symbol status), exact balance locking and settlement with maker/taker
 * fees, matched against the replayed market by the same simulated venue the backtester
 * uses (with no added latency: the network is real here).
 *
 * Storage, sized for runs of any length: a live order is never forgotten. Orders sit in
 * slots that never move (chunks), found by id and by (account, client id) through hash
 * maps; once finished (FILLED, CANCELED, EXPIRED, REJECTED) an order stays queryable until
 * more than m->order_history newer finished orders exist, then its slot is reused. Trades
 * are kept per account, the newest m->trade_history of them, for myTrades.
 *
 * Pointers: an xorder_t * from any function here stays valid (and keeps naming the same
 * order) at least until the next matching_place: finished orders are only evicted when a
 * new order needs room.
 *
 * Several symbols, one accounts_t: each symbol has its own matching_t, and they share the
 * accounts' per-asset balances (account.h), held in atto (1e-18 of the asset). A matching_t
 * counts in its symbol's units (lots, ticks, tick*lot notionals: orders, locks, fills,
 * commissions) and converts at the account boundary with the exact factors m->atto_lot
 * and m->atto_tick_lot into the balances of m->base_asset and m->quote_asset. Open orders
 * (and MAX_NUM_ORDERS) count per account per symbol: matching_open_orders. */
#ifndef Q_MATCHING_H
#define Q_MATCHING_H

#include <stdint.h>

#include "../venue/sim/sim.h"
#include "../proto/order.h"
#include "account.h"

/* finished orders kept for order queries, beyond the live ones (default of m->order_history) */
#define MATCH_ORDER_HISTORY 65536
/* trades kept per account for myTrades (default of m->trade_history) */
#define MATCH_TRADE_HISTORY 131072
/* myTrades: Binance's default and maximum `limit` */
#define MATCH_TRADES_DEFAULT 500
#define MATCH_TRADES_MAX 1000
/* the largest order quantity, in units of the base asset: Binance's legal range for
   `quantity` ('0' to '9000000'); keeps every price*quantity far inside 128 bits */
#define MATCH_MAX_BASE_UNITS 9000000

typedef struct xorder {
    uint64_t id;
    int acct;
    char cid[40];
    order_side_t side;
    xtype_t type;
    xtif_t tif;
    xstp_t stp;                   /* never XSTP_DEFAULT */
    xexpiry_t expiry;             /* XER_NONE unless EXPIRED */
    int64_t price, qty, executed; /* ticks, lots. A quoteOrderQty MARKET order: qty is what the
                                     quote amount buys or sells, fixed at placement */
    __int128 quote_qty;           /* origQuoteOrderQty in tick*lot units, 0 when not used */
    __int128 cum_quote;           /* tick*lot units */
    xstatus_t status;
    int64_t time_ms, update_ms;
    int64_t lock_base;            /* still locked: lots of base (sells) */
    __int128 lock_quote;          /* ... or tick*lot units of quote (buys) */
    __int128 incoming;            /* atto of the asset it receives (base for buys, quote for
                                     sells) it may still bring: its part of balance_t.incoming */
    int64_t lock_price;           /* price the quote lock was computed at; 0: a MARKET buy, whose
                                     lock is its exact cost (each fill takes its notional) */
    int amends;                   /* keepPriority amends so far (Binance allows 10) */
    uint64_t first_trade, last_trade; /* its trades' ids (0: none yet), for myTrades?orderId */
} xorder_t;

/* Commissions: charged in the asset received (base for buys, quote for sells) and rounded
   once, up (never undercharged; a rebate rounds toward zero), to a whole number of 1e-8
   of the asset: Binance's baseCommissionPrecision/quoteCommissionPrecision 8, so the value
   printed with 8 decimals is exactly the value charged, and a client summing its fills'
   commissions lands on its balance. The fields hold it in the symbol's units of the asset
   (lots; tick*lot units); the balance moves by exactly that times m->atto_lot or
   m->atto_tick_lot. (When tick or step is not a power of ten, 1e-8 may not be a whole
   number of those units; the grain is then the smallest amount that is both.) */
typedef struct xfill {
    int64_t price, qty;
    __int128 commission;            /* in the received asset's units: lots, or tick*lot units */
    int buyer;                      /* commission asset: base for buys, quote for sells */
    uint64_t trade_id;
    int maker;                      /* 1: the order's resting part was hit (maker fee) */
    int first;                      /* 1: the order's first fill: Binance decrements the
                                       unfilled-order (ORDERS) counts by it, more when maker
                                       (faqs/order_count_decrement.md) */
    __int128 fee_bnb;               /* atto of BNB when the fee was paid in BNB (the account's
                                       bnb_fee_price; commission is then 0), else 0 */
} xfill_t;

typedef struct xtrade {
    uint64_t id, order_id;
    int acct;
    order_side_t side;
    int64_t price, qty, time_ms;
    __int128 commission;            /* as in xfill_t */
    int maker;
    __int128 fee_bnb;               /* as in xfill_t */
} xtrade_t;

/* per account: live orders and recent trades */
typedef struct match_acct {
    xorder_t **live;             /* live orders, by id */
    int nlive, live_cap;
    xtrade_t *tr;                /* ring of trades, oldest first: tr[(head + k) & (tr_cap - 1)] */
    uint64_t tr_head, tr_tail;
    uint32_t tr_cap;             /* a power of two */
} match_acct_t;

typedef struct matching {
    sim_t sim;
    symbol_rules_t sim_rules;  /* filters are checked here, not again in the sim */
    const symbol_rules_t *r;
    accounts_t *acc;
    int base_asset, quote_asset; /* asset ids of r->base, r->quote in acc */
    __int128 atto_lot;         /* atto of base in one lot */
    __int128 atto_tick_lot;    /* atto of quote in one tick*lot unit (a notional) */
    const book_t *book;
    /* order slots: chunk[slot >> MATCH_CHUNK_BITS][slot & mask]; a free slot has id 0 */
    xorder_t **chunk;
    uint32_t nchunks, nslots;
    uint32_t *free_slot;
    uint32_t nfree, free_cap;
    struct match_id_ent *ids;  /* order id -> slot, open addressing */
    uint32_t ids_cap, ids_used;
    struct match_cid_ent *cids;/* (account, client id) -> newest order id with it */
    uint32_t cids_cap, cids_used;
    uint32_t hash_seed;        /* of the client id hash, per run */
    uint32_t *done;            /* ring of finished orders' slots, oldest first (eviction order) */
    uint64_t done_head, done_tail;
    uint32_t done_cap;
    int order_history;         /* finished orders kept; set after matching_init (>= 0) */
    int trade_history;         /* trades kept per account; set after matching_init (>= 1) */
    match_acct_t acct[ACCOUNT_MAX];
    uint64_t next_id;          /* the next order id */
    uint64_t ntrades;          /* the last trade id given */
    xfill_t *fills;            /* fills of the request being served (growable) */
    int nfills, fills_cap;
    int64_t now_ms;
    int max_open;
    __int128 grain_base, grain_quote; /* commission grains in lots / tick*lot units (matching.c) */
    xsymstatus_t status;       /* matching_set_status */
    xstp_t default_stp;        /* what XSTP_DEFAULT means: EXPIRE_MAKER */
    xexpiry_t expiring;        /* the cancel in flight ends an IOC/MARKET remainder: EXPIRED, why */
    /* Every order event, for the user data stream: exec is NEW, TRADE, CANCELED or EXPIRED;
       fill is the trade for TRADE, else NULL. For TRADE, fill->first says the order's first
       fill (the moment Binance decrements the account's unfilled-order counts) and
       fill->maker whether it was a maker fill (which earns a larger decrement); an order's
       first TRADE event carries first = 1 exactly once. */
    void (*on_exec)(void *ctx, const xorder_t *o, const char *exec, const xfill_t *fill);
    void *exec_ctx;
} matching_t;

#define MATCH_CHUNK_BITS 12

typedef struct xplace {
    const char *cid;           /* NULL: generated */
    order_side_t side;
    xtype_t type;
    xtif_t tif;
    int64_t price, qty;        /* ticks, lots; a MARKET order gives qty or quote_qty, not both */
    __int128 quote_qty;        /* MARKET only: quoteOrderQty in tick*lot units (0: not used). A BUY
                                  spends at most this, a SELL receives at most this: the quantity
                                  is the largest multiple of the step whose fills stay within it */
    xstp_t stp;                /* selfTradePreventionMode; XSTP_DEFAULT: not sent */
    int test;                  /* order/test: validate only */
} xplace_t;

/* myTrades parameters (rest-api.md "Account trade list"); 0 means not sent */
typedef struct xtrade_query {
    uint64_t order_id;         /* only this order's trades */
    uint64_t from_id;          /* trades with id >= from_id, oldest first (ids start at 1: a
                                  request's fromId=0 is from_id 1) */
    int64_t start_ms, end_ms;  /* time window (at most 24 h) */
    int limit;                 /* <= 0: 500; above 1000: 1000 */
} xtrade_query_t;

/* One symbol's order engine over the shared accounts: finds (registering when new) the
   assets r->base and r->quote in acc and the symbol's atto factors (accounts_units). 0, or
   Q_E_RANGE when the symbol's units are finer than 1e-18 of an asset, Q_E_FULL when the
   asset registry is full. */
int matching_init(matching_t *m, const symbol_rules_t *r, accounts_t *acc, const book_t *book);
void matching_free(matching_t *m);
/* Places an order for account `a` at wall time now. Returns 0 and the order (fills of
   this request in m->fills[0..nfills)), or a Binance error code (< 0) with its message in
   *msg. A test order (p->test) returns 0 without *out. */
int matching_place(matching_t *m, int a, const xplace_t *p, int64_t now_ms, xorder_t **out, const char **msg);
/* Binance's filters for a new order (the same check matching_place makes, before anything
   changes): 0 when they pass, else -1013 "Filter failure: ..." (or a parameter error) with
   *msg. cancelReplace calls it before its cancel: Binance evaluates filters first, so a
   replacement that fails one leaves the old order standing. Not judged here (placement
   does): the symbol status, liquidity, balances, MAX_NUM_ORDERS (the cancel frees one). */
int matching_filters(const matching_t *m, const xplace_t *p, const char **msg);
/* an order id no order has: a request's orderId=0 is given (so the client id is not
   looked up in its place) and names no order */
#define MATCH_ID_NONE UINT64_MAX
/* Cancels by id (or by client id when id is 0; with both, the order with that id only if
   it carries that client id). Same return convention. Works whatever the symbol status. */
int matching_cancel(matching_t *m, int a, uint64_t id, const char *cid, int64_t now_ms, xorder_t **out, const char **msg);
/* The account's order by id (or by client id when id is 0: the newest order with it), live
   or finished and still in history; NULL when unknown. With both id and cid: the order
   with that id only if its client id is cid (Binance checks the pair), else NULL. */
xorder_t *matching_find(matching_t *m, int a, uint64_t id, const char *cid);
/* Gives a live order a new client id (keepPriority's newClientOrderId), keeping the client
   id index right; -2010 "Duplicate order sent." when another live order of the account has
   it. Writing o->cid directly would leave the order unfindable by its new id. */
int matching_set_cid(matching_t *m, xorder_t *o, const char *cid, const char **msg);
/* Reduces a live order's quantity keeping its queue place (order/amend/keepPriority). */
int matching_amend(matching_t *m, int a, uint64_t id, const char *cid, int64_t new_qty, int64_t now_ms,
                   xorder_t **out, const char **msg);
/* A market event already applied to the book: match resting orders (only while TRADING). */
void matching_on_market(matching_t *m, const md_event_t *ev, int64_t now_ms);

/* The account's live orders on this symbol, oldest (lowest id) first: writes up to cap of
   them to out and returns how many there are (which may be more than cap; out may be NULL
   with cap 0: the count, which MAX_NUM_ORDERS limits). The pointers stay valid across
   matching_cancel, so a caller may cancel each one it got (DELETE openOrders). */
int matching_open_orders(matching_t *m, int a, xorder_t **out, int cap);
/* myTrades: copies the account's matching trades to out, oldest first, and returns their
   count (<= cap), or a Binance error (< 0) with *msg:
     -1128 "Combination of optional parameters invalid." for fromId with startTime/endTime,
           or orderId with startTime/endTime (the allowed combinations are symbol, +orderId,
           +startTime, +endTime, +fromId, +startTime+endTime, +orderId+fromId);
     -1127 "More than 24 hours between startTime and endTime."
   Selection: fromId: ids >= fromId from there on; orderId: that order's trades from its
   first on; a time window (startTime only: 24 h from it; endTime only: the 24 h before
   it; both: between them) from its start on; none of these: the newest `limit`. Paging
   past 1000 trades: fromId = the last id seen + 1. */
int matching_trades(matching_t *m, int a, const xtrade_query_t *q, xtrade_t *out, int cap, const char **msg);
/* The symbol status, settable at run time: under anything but TRADING new orders are
   refused with -2010 "Market is closed." (errors.md: the symbol is not trading) and amends
   with -2038 and the same message; cancels still work; resting orders do not match the
   market (nothing trades on a symbol that is not TRADING). */
void matching_set_status(matching_t *m, xsymstatus_t s);

int xorder_live(const xorder_t *o);

#endif
