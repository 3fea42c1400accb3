/* test_matching.c: the local exchange's order engine: orders that outlive any number of
 * newer ones, open orders and myTrades paging, commissions that print exactly what they
 * charge, quoteOrderQty MARKET orders, STP modes and expiry reasons, the symbol status,
 * the first-fill signal, and client-controlled numbers at their limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange/matching.h"
#include "testutil.h"

static symbol_rules_t rules;
static book_t book;
static accounts_t acc;
static matching_t m;
static int64_t now = 1700000000000LL;

#define USDT 10000000000LL /* tick*lot units of 1 USDT: tick 0.01 x lot 1e-8 */
#define BTC 100000000LL    /* lots of 1 BTC */
#define PX(whole, cents) ((int64_t)(whole) * 100 + (cents))

/* balances are per asset in atto (1e-18); these read them in the symbol's units (asserting
   the amount is a whole number of them) and write them from symbol units */
static int64_t lots_of(const matching_t *mm, __int128 atto) {
    assert_true(atto % mm->atto_lot == 0);
    return (int64_t)(atto / mm->atto_lot);
}
static __int128 tl_of(const matching_t *mm, __int128 atto) {
    assert_true(atto % mm->atto_tick_lot == 0);
    return atto / mm->atto_tick_lot;
}
#define BASE(i, fld) lots_of(&m, acc.a[i].bal[m.base_asset].fld)
#define QUOTE(i, fld) tl_of(&m, acc.a[i].bal[m.quote_asset].fld)
#define SET_BASE(i, fld, v) (acc.a[i].bal[m.base_asset].fld = (__int128)(v) * m.atto_lot)
#define SET_QUOTE(i, fld, v) (acc.a[i].bal[m.quote_asset].fld = (__int128)(v) * m.atto_tick_lot)

/* BTCUSDT (tick 0.01, step 0.00001, min notional 5): bids 99999.99 x 1, 99999.98 x 2;
   asks 100000.00 x 0.005, 100000.01 x 1. Two accounts with 10 BTC and 10M USDT each. */
static void setup(void) {
    matching_free(&m);
    tu_btcusdt(&rules);
    snprintf(rules.base, sizeof rules.base, "BTC");
    snprintf(rules.quote, sizeof rules.quote, "USDT");
    rules.max_num_orders = 200;
    book_free(&book);
    assert_int_equal(book_init(&book, 12), 0);
    book_recenter(&book, PX(100000, 0));
    book_set(&book, BOOK_BID, PX(99999, 99), 1 * BTC);
    book_set(&book, BOOK_BID, PX(99999, 98), 2 * BTC);
    book_set(&book, BOOK_ASK, PX(100000, 0), BTC / 200);
    book_set(&book, BOOK_ASK, PX(100000, 1), 1 * BTC);
    book.last_id = 1;
    memset(&acc, 0, sizeof acc);
    acc.n = 2;
    assert_int_equal(matching_init(&m, &rules, &acc, &book), 0); /* registers BTC and USDT */
    assert_string_equal(accounts_asset_name(&acc, m.base_asset), "BTC");
    assert_string_equal(accounts_asset_name(&acc, m.quote_asset), "USDT");
    assert_true(m.atto_lot == 10000000000LL && m.atto_tick_lot == 100000000);
    for (int i = 0; i < 2; i++) {
        snprintf(acc.a[i].name, sizeof acc.a[i].name, "t%d", i);
        SET_BASE(i, free, 10 * BTC);
        SET_QUOTE(i, free, (__int128)10000000 * USDT);
        acc.a[i].maker_fee = 0.001;
        acc.a[i].taker_fee = 0.001;
    }
}

static int place_full(int a, order_side_t side, xtype_t type, xtif_t tif, int64_t price, int64_t qty, __int128 quote,
                      xstp_t stp, const char *cid, xorder_t **o, const char **msg) {
    xplace_t p;
    memset(&p, 0, sizeof p);
    p.cid = cid;
    p.side = side;
    p.type = type;
    p.tif = tif;
    p.price = price;
    p.qty = qty;
    p.quote_qty = quote;
    p.stp = stp;
    const char *dummy;
    *o = 0;
    return matching_place(&m, a, &p, now, o, msg ? msg : &dummy);
}

static int place(int a, order_side_t side, xtype_t type, xtif_t tif, int64_t price, int64_t qty, const char *cid,
                 xorder_t **o) {
    return place_full(a, side, type, tif, price, qty, 0, XSTP_DEFAULT, cid, o, 0);
}

static md_event_t trade_ev(int64_t price, int64_t qty, int buyer_maker) {
    md_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.type = MD_TRADE;
    ev.u.trade.price = price;
    ev.u.trade.qty = qty;
    ev.u.trade.buyer_maker = buyer_maker;
    return ev;
}

/* 1. A resting order outlives 70,000 newer orders: still found by id and client id,
   listed, cancellable, and its funds come back. (The old ring of 65,536 forgot it.) */
static void test_long_run_keeps_resting_order(void **st) {
    (void)st;
    setup();
    __int128 q0 = QUOTE(0, free);
    xorder_t *k, *o;
    assert_int_equal(place(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99000, 0), BTC / 1000, "keeper", &k), 0);
    uint64_t kid = k->id;
    assert_true(QUOTE(0, locked) == (__int128)PX(99000, 0) * (BTC / 1000));
    const char *msg;
    uint64_t last_canceled = 0;
    for (int i = 0; i < 70000; i++) {
        char cid[40];
        snprintf(cid, sizeof cid, "c%d", i);
        now++;
        if (i % 5 == 4) { /* an IOC sell: one fill, then its trade */
            assert_int_equal(place(0, SIDE_SELL, XT_LIMIT, XTIF_IOC, PX(99999, 99), 10000, cid, &o), 0);
            assert_int_equal(o->status, XS_FILLED);
            continue;
        }
        assert_int_equal(place(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99500, 0), 10000, cid, &o), 0);
        uint64_t id = o->id;
        assert_int_equal(matching_cancel(&m, 0, id, 0, now, &o, &msg), 0);
        assert_int_equal(o->status, XS_CANCELED);
        last_canceled = id;
    }
    assert_true(m.next_id > 70000);
    /* storage stays bounded: live orders plus the finished history */
    assert_true(m.nslots <= (uint32_t)MATCH_ORDER_HISTORY + 2 * (1u << MATCH_CHUNK_BITS));
    assert_null(matching_find(&m, 0, 2, 0)); /* long finished and evicted */
    o = matching_find(&m, 0, last_canceled, 0); /* recent history answers */
    assert_non_null(o);
    assert_int_equal(o->status, XS_CANCELED);
    assert_non_null(matching_find(&m, 0, 0, "c69998"));
    /* the keeper */
    o = matching_find(&m, 0, kid, 0);
    assert_non_null(o);
    assert_ptr_equal(o, k);
    assert_true(xorder_live(o));
    assert_ptr_equal(matching_find(&m, 0, 0, "keeper"), o);
    assert_null(matching_find(&m, 1, kid, 0)); /* not another account's */
    xorder_t *live[4];
    assert_int_equal(matching_open_orders(&m, 0, live, 4), 1);
    assert_ptr_equal(live[0], o);
    assert_int_equal(matching_open_orders(&m, 0, 0, 0), 1);
    /* a duplicate of the live client id is still refused */
    assert_int_equal(place_full(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99000, 0), 10000, 0, XSTP_DEFAULT, "keeper", &o, &msg),
                     -2010);
    assert_string_equal(msg, "Duplicate order sent.");
    assert_int_equal(matching_cancel(&m, 0, 0, "keeper", now, &o, &msg), 0);
    assert_int_equal(o->id, kid);
    assert_int_equal(o->status, XS_CANCELED);
    assert_int_equal(matching_open_orders(&m, 0, 0, 0), 0);
    assert_true(QUOTE(0, locked) == 0);
    assert_true(BASE(0, locked) == 0);
    assert_int_equal(matching_open_orders(&m, 0, live, 4), 0);
    /* every quote unit is accounted for: what the IOC sells brought, less commissions */
    xtrade_t tr[MATCH_TRADES_MAX];
    xtrade_query_t q = {0};
    q.from_id = 1;
    q.limit = 1000;
    __int128 net = 0;
    int64_t ntr = 0;
    for (;;) {
        int n = matching_trades(&m, 0, &q, tr, MATCH_TRADES_MAX, &msg);
        assert_true(n >= 0);
        if (!n) break;
        for (int i = 0; i < n; i++) net += (__int128)tr[i].price * tr[i].qty - tr[i].commission;
        ntr += n;
        q.from_id = tr[n - 1].id + 1;
    }
    assert_int_equal(ntr, 14000);
    assert_true(QUOTE(0, free) == q0 + net);
    /* reused slots do not resurrect old ids */
    assert_null(matching_find(&m, 0, kid + 1, 0));
}

/* 2. Open orders in id order; myTrades selection and paging past 1,000 fills. */
static void test_open_orders_and_trades(void **st) {
    (void)st;
    setup();
    xorder_t *o[3], *live[3];
    const char *msg;
    assert_int_equal(place(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99000, 0), 10000, 0, &o[0]), 0);
    assert_int_equal(place(0, SIDE_SELL, XT_LIMIT, XTIF_GTC, PX(101000, 0), 10000, 0, &o[1]), 0);
    assert_int_equal(place(1, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(98000, 0), 10000, 0, &o[2]), 0);
    assert_int_equal(place(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(98500, 0), 10000, 0, &o[2]), 0);
    assert_int_equal(matching_open_orders(&m, 0, live, 3), 3);
    assert_true(live[0]->id < live[1]->id && live[1]->id < live[2]->id);
    xorder_t *c;
    assert_int_equal(matching_cancel(&m, 0, o[1]->id, 0, now, &c, &msg), 0);
    assert_int_equal(matching_open_orders(&m, 0, live, 1), 2); /* the count, even past cap */
    assert_ptr_equal(live[0], o[0]);
    assert_int_equal(matching_open_orders(&m, 0, live, 3), 2);
    assert_ptr_equal(live[1], o[2]);
    assert_int_equal(matching_open_orders(&m, 1, live, 3), 1);

    /* 2,500 one-fill IOC sells a second apart, then one market buy with two fills */
    int64_t t0 = now;
    for (int i = 0; i < 2500; i++) {
        now = t0 + 1000 * i;
        assert_int_equal(place(0, SIDE_SELL, XT_LIMIT, XTIF_IOC, PX(99999, 99), 10000, 0, &c), 0);
    }
    now = t0 + 1000 * 2500;
    xorder_t *mk;
    assert_int_equal(place(0, SIDE_BUY, XT_MARKET, XTIF_GTC, 0, BTC / 200 + 1000, 0, &mk), 0);
    assert_int_equal(mk->status, XS_FILLED);
    assert_int_equal(m.nfills, 2);
    static xtrade_t tr[MATCH_TRADES_MAX];
    xtrade_query_t q = {0};
    /* none: the newest 500, oldest first */
    int n = matching_trades(&m, 0, &q, tr, MATCH_TRADES_MAX, &msg);
    assert_int_equal(n, 500);
    assert_int_equal(tr[499].id, 2502);
    assert_int_equal(tr[0].id, 2003);
    /* fromId pages: every trade once, in order */
    q.from_id = 1;
    q.limit = 5000; /* more than Binance's 1000: 1000 */
    uint64_t next = 1;
    int total = 0;
    for (;;) {
        n = matching_trades(&m, 0, &q, tr, MATCH_TRADES_MAX, &msg);
        assert_true(n >= 0 && n <= 1000);
        if (!n) break;
        for (int i = 0; i < n; i++) assert_int_equal(tr[i].id, next++);
        total += n;
        q.from_id = tr[n - 1].id + 1;
    }
    assert_int_equal(total, 2502);
    /* orderId, and orderId + fromId */
    memset(&q, 0, sizeof q);
    q.order_id = mk->id;
    n = matching_trades(&m, 0, &q, tr, MATCH_TRADES_MAX, &msg);
    assert_int_equal(n, 2);
    assert_int_equal(tr[0].order_id, mk->id);
    assert_int_equal(tr[0].price, PX(100000, 0));
    assert_int_equal(tr[1].price, PX(100000, 1));
    q.from_id = tr[1].id;
    assert_int_equal(matching_trades(&m, 0, &q, tr, MATCH_TRADES_MAX, &msg), 1);
    q.order_id = o[0]->id; /* no fills */
    q.from_id = 0;
    assert_int_equal(matching_trades(&m, 0, &q, tr, MATCH_TRADES_MAX, &msg), 0);
    assert_int_equal(matching_trades(&m, 1, &q, tr, MATCH_TRADES_MAX, &msg), 0);
    /* a time window: seconds 10..19 */
    memset(&q, 0, sizeof q);
    q.start_ms = t0 + 10000;
    q.end_ms = t0 + 19000;
    n = matching_trades(&m, 0, &q, tr, MATCH_TRADES_MAX, &msg);
    assert_int_equal(n, 10);
    assert_int_equal(tr[0].id, 11);
    assert_int_equal(tr[9].id, 20);
    q.end_ms = 0; /* startTime alone: 24 h from it, oldest first */
    q.limit = 3;
    n = matching_trades(&m, 0, &q, tr, MATCH_TRADES_MAX, &msg);
    assert_int_equal(n, 3);
    assert_int_equal(tr[0].id, 11);
    /* combinations Binance refuses */
    q.from_id = 5;
    assert_int_equal(matching_trades(&m, 0, &q, tr, MATCH_TRADES_MAX, &msg), -1128);
    assert_string_equal(msg, "Combination of optional parameters invalid.");
    memset(&q, 0, sizeof q);
    q.order_id = mk->id;
    q.end_ms = now;
    assert_int_equal(matching_trades(&m, 0, &q, tr, MATCH_TRADES_MAX, &msg), -1128);
    memset(&q, 0, sizeof q);
    q.start_ms = t0;
    q.end_ms = t0 + 24 * 3600 * 1000LL + 1;
    assert_int_equal(matching_trades(&m, 0, &q, tr, MATCH_TRADES_MAX, &msg), -1127);
    assert_string_equal(msg, "More than 24 hours between startTime and endTime.");
    q.start_ms = INT64_MIN + 1; /* no overflow on hostile times */
    q.end_ms = INT64_MAX;
    assert_int_equal(matching_trades(&m, 0, &q, tr, MATCH_TRADES_MAX, &msg), -1127);
    q.start_ms = INT64_MAX;
    q.end_ms = 0;
    assert_int_equal(matching_trades(&m, 0, &q, tr, MATCH_TRADES_MAX, &msg), 0);
    /* the per-account trade history is bounded */
    matching_free(&m);
    setup();
    m.trade_history = 100;
    for (int i = 0; i < 250; i++) assert_int_equal(place(0, SIDE_SELL, XT_LIMIT, XTIF_IOC, PX(99999, 99), 10000, 0, &c), 0);
    memset(&q, 0, sizeof q);
    q.from_id = 1;
    n = matching_trades(&m, 0, &q, tr, MATCH_TRADES_MAX, &msg);
    assert_int_equal(n, 100);
    assert_int_equal(tr[0].id, 151);
}

/* the 1e-8 count of a quote amount as the exchange prints it (8 places, truncated) */
static int64_t printed_quote(__int128 v) {
    char b[64];
    fx_unit_t u;
    int64_t x;
    symbol_quote_format(&rules, v, b, sizeof b);
    fx_unit_make(8, 1, &u);
    assert_int_equal(fx_parse(b, strlen(b), &u, &x), 0);
    return x;
}
/* ... and of a balance (atto), as the account endpoint prints it */
static int64_t printed_bal(__int128 atto) {
    char b[64];
    fx_unit_t u;
    int64_t x;
    assert_true(accounts_format(atto, b, sizeof b) > 0);
    fx_unit_make(8, 1, &u);
    assert_int_equal(fx_parse(b, strlen(b), &u, &x), 0);
    return x;
}
static int64_t printed_base(int64_t lots) {
    char b[64];
    fx_unit_t u;
    int64_t x;
    assert_true(fx_format(lots, &rules.lot, 8, b, sizeof b) > 0);
    fx_unit_make(8, 1, &u);
    assert_int_equal(fx_parse(b, strlen(b), &u, &x), 0);
    return x;
}

/* 3. What is charged is what is printed: over 6,700 taker sells and 3,000 buys plus maker
   fills, the printed fills sum exactly to the printed balance changes. */
static void test_commission_prints_what_it_charges(void **st) {
    (void)st;
    setup();
    acc.a[1].taker_fee = 0.00075;
    acc.a[1].maker_fee = 0.0002;
    int64_t qb0 = printed_bal(acc.a[1].bal[m.quote_asset].free), bb0 = printed_bal(acc.a[1].bal[m.base_asset].free);
    int64_t sum_quote = 0, sum_base = 0; /* the client's sums of printed fills */
    int fills = 0;
    xorder_t *o;
    for (int i = 0; i < 9700; i++) {
        now++;
        int sell = i < 6700 || i % 2;
        int64_t qty = (int64_t)(6 + i % 97) * 1000;
        if (sell) assert_int_equal(place(1, SIDE_SELL, XT_LIMIT, XTIF_IOC, PX(99999, 99), qty, 0, &o), 0);
        else assert_int_equal(place(1, SIDE_BUY, XT_LIMIT, XTIF_IOC, PX(100000, 0), (int64_t)(6 + i % 7) * 1000, 0, &o), 0);
        assert_int_equal(o->status, XS_FILLED);
        for (int k = 0; k < m.nfills; k++) {
            const xfill_t *f = &m.fills[k];
            __int128 notional = (__int128)f->price * f->qty;
            int64_t rate = 75000; /* 0.00075 in 1e-8 */
            if (f->buyer) {
                /* charged: rounded up to a whole 1e-8 BTC, which is a lot */
                assert_true(f->commission == ((__int128)f->qty * rate + 99999999) / 100000000);
                assert_int_equal(printed_base((int64_t)f->commission), (int64_t)f->commission);
                sum_base += printed_base(f->qty) - printed_base((int64_t)f->commission);
                sum_quote -= printed_quote(notional);
            } else {
                /* rounded up to a whole 1e-8 USDT (100 tick*lot units), printed exactly */
                __int128 e8 = (notional * rate + (__int128)100 * 100000000 - 1) / ((__int128)100 * 100000000);
                assert_true(f->commission == e8 * 100);
                assert_true((__int128)printed_quote(f->commission) * 100 == f->commission);
                sum_quote += printed_quote(notional) - printed_quote(f->commission);
                sum_base -= printed_base(f->qty);
            }
            fills++;
        }
    }
    /* maker fills: resting buys hit by the market */
    for (int i = 0; i < 50; i++) {
        now++;
        assert_int_equal(place(1, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99999, 97), 7000, 0, &o), 0);
        md_event_t t = trade_ev(PX(99999, 97), 7000, 1);
        matching_on_market(&m, &t, now);
        assert_int_equal(m.nfills, 1);
        assert_int_equal(o->status, XS_FILLED);
        const xfill_t *f = &m.fills[0];
        assert_int_equal(f->maker, 1);
        assert_true(f->commission == 2); /* 1.4 lots, rounded up */
        sum_base += printed_base(f->qty) - printed_base((int64_t)f->commission);
        sum_quote -= printed_quote((__int128)f->price * f->qty);
        fills++;
    }
    assert_true(fills >= 9750);
    assert_int_equal(printed_bal(acc.a[1].bal[m.quote_asset].free) - qb0, sum_quote);
    assert_int_equal(printed_bal(acc.a[1].bal[m.base_asset].free) - bb0, sum_base);
    /* the trade history holds the same values */
    xtrade_t tr[MATCH_TRADES_MAX];
    xtrade_query_t q = {0};
    const char *msg;
    q.limit = 1;
    assert_int_equal(matching_trades(&m, 1, &q, tr, MATCH_TRADES_MAX, &msg), 1);
    assert_true(tr[0].commission == m.fills[0].commission);
    assert_int_equal(tr[0].id, m.fills[0].trade_id);
}

/* 4. MARKET orders by quoteOrderQty, BUY and SELL, on the step grid */
static void test_quote_order_qty(void **st) {
    (void)st;
    setup();
    xorder_t *o;
    const char *msg;
    __int128 q0 = QUOTE(0, free);
    int64_t b0 = BASE(0, free);
    /* 1000 USDT: 0.005 at 100000.00 (500 USDT), then 0.00499 of what 500 USDT buys at 100000.01 */
    assert_int_equal(place_full(0, SIDE_BUY, XT_MARKET, XTIF_GTC, 0, 0, (__int128)1000 * USDT, XSTP_DEFAULT, 0, &o, &msg), 0);
    assert_int_equal(o->status, XS_FILLED);
    assert_int_equal(o->qty, 999000);
    assert_int_equal(o->executed, 999000);
    assert_int_equal(o->qty % rules.step_lots, 0);
    assert_true(o->quote_qty == (__int128)1000 * USDT);
    assert_true(o->cum_quote == (__int128)9990000499000LL);
    assert_true(o->cum_quote <= (__int128)1000 * USDT);
    assert_true(o->cum_quote + (__int128)PX(100000, 1) * rules.step_lots > (__int128)1000 * USDT); /* one step more would not fit */
    assert_true(QUOTE(0, free) == q0 - o->cum_quote);
    assert_true(QUOTE(0, locked) == 0);
    assert_int_equal(BASE(0, free), b0 + 999000 - (int64_t)m.fills[0].commission - (int64_t)m.fills[1].commission);
    assert_int_equal(matching_open_orders(&m, 0, 0, 0), 0);
    /* SELL 150000 USDT: the 1 BTC at 99999.99, then 0.5 BTC at 99999.98 */
    assert_int_equal(place_full(0, SIDE_SELL, XT_MARKET, XTIF_GTC, 0, 0, (__int128)150000 * USDT, XSTP_DEFAULT, 0, &o, &msg), 0);
    assert_int_equal(o->status, XS_FILLED);
    assert_int_equal(o->qty, 150000000);
    assert_true(o->cum_quote == (__int128)1499999800000000LL);
    assert_true(o->cum_quote <= (__int128)150000 * USDT);
    assert_int_equal(BASE(0, locked), 0);
    /* one or the other; MARKET only */
    assert_int_equal(place_full(0, SIDE_BUY, XT_MARKET, XTIF_GTC, 0, 1000, (__int128)100 * USDT, XSTP_DEFAULT, 0, &o, &msg), -1106);
    assert_int_equal(place_full(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99000, 0), 0, (__int128)100 * USDT, XSTP_DEFAULT, 0, &o, &msg),
                     -1106);
    /* below the minimum notional (5 USDT), when it applies to MARKET orders */
    rules.min_notional_applies = 1;
    assert_int_equal(place_full(0, SIDE_BUY, XT_MARKET, XTIF_GTC, 0, 0, (__int128)1 * USDT, XSTP_DEFAULT, 0, &o, &msg), -1013);
    /* more than the balance */
    SET_QUOTE(0, free, 50 * USDT);
    assert_int_equal(place_full(0, SIDE_BUY, XT_MARKET, XTIF_GTC, 0, 0, (__int128)1000 * USDT, XSTP_DEFAULT, 0, &o, &msg), -2010);
    assert_string_equal(msg, "Account has insufficient balance for requested action.");
    /* nothing to buy from */
    book_set(&book, BOOK_ASK, PX(100000, 0), 0);
    book_set(&book, BOOK_ASK, PX(100000, 1), 0);
    assert_int_equal(place_full(0, SIDE_BUY, XT_MARKET, XTIF_GTC, 0, 0, (__int128)100 * USDT, XSTP_DEFAULT, 0, &o, &msg), -2010);
    assert_string_equal(msg, "Order book liquidity is less than symbol minimum quantity.");
    book_set(&book, BOOK_ASK, PX(100000, 0), 10);
    assert_int_equal(place_full(0, SIDE_BUY, XT_MARKET, XTIF_GTC, 0, 0, (__int128)10 * USDT, XSTP_DEFAULT, 0, &o, &msg), -2010);
    assert_string_equal(msg, "Order book liquidity is less than LOT_SIZE filter minimum quantity.");
}

/* 5. selfTradePreventionMode is stored; EXPIRED orders say why */
static void test_stp_and_expiry_reason(void **st) {
    (void)st;
    setup();
    xorder_t *o;
    const char *msg;
    assert_int_equal(place(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99000, 0), 10000, 0, &o), 0);
    assert_int_equal(o->stp, XSTP_EXPIRE_MAKER); /* not sent: the symbol's default */
    assert_int_equal(place_full(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99000, 0), 10000, 0, XSTP_DECREMENT, 0, &o, &msg), 0);
    assert_string_equal(xstp_name(o->stp), "DECREMENT");
    assert_int_equal(place_full(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99000, 0), 10000, 0, XSTP_NONE, 0, &o, &msg), 0);
    assert_string_equal(xstp_name(o->stp), "NONE");
    xstp_t s;
    assert_int_equal(xstp_parse("EXPIRE_BOTH", &s), 0);
    assert_int_equal(s, XSTP_EXPIRE_BOTH);
    assert_string_equal(xstp_name(XSTP_EXPIRE_TAKER), "EXPIRE_TAKER");
    assert_int_equal(xstp_parse("SOMETIMES", &s), -1);
    assert_int_equal(matching_cancel(&m, 0, o->id, 0, now, &o, &msg), 0);
    assert_int_equal(o->expiry, XER_NONE);
    /* IOC: 0.005 at 100000.00 fills, the rest expires */
    assert_int_equal(place(0, SIDE_BUY, XT_LIMIT, XTIF_IOC, PX(100000, 0), BTC / 100, 0, &o), 0);
    assert_int_equal(o->status, XS_EXPIRED);
    assert_int_equal(o->executed, BTC / 200);
    assert_string_equal(xexpiry_name(o->expiry), "UNFILLED_IOC_QUANTITY_EXPIRED");
    /* FOK: all or nothing */
    assert_int_equal(place(0, SIDE_BUY, XT_LIMIT, XTIF_FOK, PX(100000, 0), BTC / 100, 0, &o), 0);
    assert_int_equal(o->status, XS_EXPIRED);
    assert_int_equal(o->executed, 0);
    assert_string_equal(xexpiry_name(o->expiry), "UNFILLED_FOK_ORDER_EXPIRED");
    /* MARKET: 4 BTC into 3 BTC of bids */
    assert_int_equal(place(0, SIDE_SELL, XT_MARKET, XTIF_GTC, 0, 4 * BTC, 0, &o), 0);
    assert_int_equal(o->status, XS_EXPIRED);
    assert_int_equal(o->executed, 3 * BTC);
    assert_string_equal(xexpiry_name(o->expiry), "INSUFFICIENT_LIQUIDITY");
    assert_int_equal(BASE(0, locked), 0);
    assert_string_equal(xexpiry_name(XER_EXECUTION_RULE_PRICE_RANGE_EXCEEDED), "EXECUTION_RULE_PRICE_RANGE_EXCEEDED");
}

/* 6. CANCEL_ONLY (and HALT): new orders refused as Binance does, cancels work, nothing fills */
static void test_symbol_status(void **st) {
    (void)st;
    setup();
    xorder_t *o, *r;
    const char *msg;
    assert_int_equal(place(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99999, 97), 10000, "rest", &r), 0);
    matching_set_status(&m, XSS_CANCEL_ONLY);
    assert_string_equal(xsymstatus_name(m.status), "CANCEL_ONLY");
    assert_int_equal(place_full(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99000, 0), 10000, 0, XSTP_DEFAULT, 0, &o, &msg), -2010);
    assert_string_equal(msg, "Market is closed.");
    assert_int_equal(matching_amend(&m, 0, r->id, 0, 0, now, &o, &msg), -2038);
    md_event_t t = trade_ev(PX(99999, 96), 5000, 1); /* through our price: no fill while not trading */
    matching_on_market(&m, &t, now);
    assert_int_equal(r->executed, 0);
    matching_set_status(&m, XSS_HALT);
    assert_int_equal(place(0, SIDE_SELL, XT_MARKET, XTIF_GTC, 0, 1000, 0, &o), -2010);
    assert_int_equal(matching_cancel(&m, 0, 0, "rest", now, &o, &msg), 0);
    assert_int_equal(o->status, XS_CANCELED);
    assert_true(QUOTE(0, locked) == 0);
    matching_set_status(&m, XSS_TRADING);
    assert_int_equal(place(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99000, 0), 10000, 0, &o), 0);
}

/* 7. the first fill of an order is flagged once, with maker/taker */
static struct { uint64_t id; int first, maker; char exec[16]; } ev[16];
static int nev;
static void on_exec(void *ctx, const xorder_t *o, const char *exec, const xfill_t *f) {
    (void)ctx;
    if (nev == 16) return;
    ev[nev].id = o->id;
    ev[nev].first = f ? f->first : -1;
    ev[nev].maker = f ? f->maker : -1;
    snprintf(ev[nev].exec, sizeof ev[nev].exec, "%s", exec);
    nev++;
}

static void test_first_fill(void **st) {
    (void)st;
    setup();
    m.on_exec = on_exec;
    nev = 0;
    xorder_t *o;
    /* maker: rests at 99999.97 (nothing ahead), filled by two market trades */
    assert_int_equal(place(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99999, 97), 30000, 0, &o), 0);
    md_event_t t = trade_ev(PX(99999, 97), 10000, 1);
    matching_on_market(&m, &t, ++now);
    matching_on_market(&m, &t, ++now);
    assert_int_equal(nev, 3);
    assert_string_equal(ev[0].exec, "NEW");
    assert_string_equal(ev[1].exec, "TRADE");
    assert_int_equal(ev[1].first, 1);
    assert_int_equal(ev[1].maker, 1);
    assert_int_equal(ev[2].first, 0);
    /* taker across two levels */
    nev = 0;
    assert_int_equal(place(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(100000, 1), BTC / 100, 0, &o), 0);
    assert_int_equal(o->status, XS_FILLED);
    assert_int_equal(nev, 3);
    assert_int_equal(ev[1].first, 1);
    assert_int_equal(ev[1].maker, 0);
    assert_int_equal(ev[2].first, 0);
    assert_int_equal(m.fills[0].first, 1);
    assert_int_equal(m.fills[1].first, 0);
}

/* 8. hostile numbers: no overflow, exact refusals */
static void test_hostile_numbers(void **st) {
    (void)st;
    setup();
    rules.max_qty = 0; /* no LOT_SIZE maximum: the engine's own bound */
    xorder_t *o;
    const char *msg;
    assert_int_equal(place_full(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, INT64_MAX, INT64_MAX / 1000 * 1000, 0, XSTP_DEFAULT, 0, &o, &msg),
                     -1100);
    assert_int_equal(place_full(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, INT64_MAX, 9000000 * BTC, 0, XSTP_DEFAULT, 0, &o, &msg), -2010);
    assert_int_equal(place_full(0, SIDE_SELL, XT_LIMIT, XTIF_GTC, INT64_MAX, 9000000 * BTC, 0, XSTP_DEFAULT, 0, &o, &msg), -2010);
    assert_int_equal(place_full(0, SIDE_BUY, XT_MARKET, XTIF_GTC, 0, -1000, 0, XSTP_DEFAULT, 0, &o, &msg), -1100);
    assert_int_equal(place_full(0, SIDE_BUY, XT_MARKET, XTIF_GTC, 0, 0, -1, XSTP_DEFAULT, 0, &o, &msg), -1100);
    /* a huge quote amount just buys the book */
    assert_int_equal(place_full(0, SIDE_BUY, XT_MARKET, XTIF_GTC, 0, 0, (__int128)1 << 120, XSTP_DEFAULT, 0, &o, &msg), 0);
    assert_int_equal(o->status, XS_FILLED);
    assert_int_equal(o->executed, BTC + BTC / 200);
    /* a limit sell far above the market rests; its lock is exact */
    assert_int_equal(place(0, SIDE_SELL, XT_LIMIT, XTIF_GTC, INT64_MAX, 9 * BTC, 0, &o), 0);
    assert_int_equal(BASE(0, locked), 9 * BTC);
    /* a deep book and a market sell of the most Binance allows: the notional is exact */
    book_set(&book, BOOK_BID, PX(99999, 99), INT64_MAX / 4);
    SET_BASE(1, free, 9000000 * BTC);
    assert_int_equal(place(1, SIDE_SELL, XT_MARKET, XTIF_GTC, 0, 9000000 * BTC, 0, &o), 0);
    assert_int_equal(o->status, XS_FILLED);
    assert_true(o->cum_quote == (__int128)PX(99999, 99) * 9000000 * BTC);
    /* MAX_POSITION: a base balance that would pass ACCOUNT_AMOUNT_MAX with what a buy brings */
    acc.a[1].bal[m.base_asset].free = ACCOUNT_AMOUNT_MAX - 6000 * m.atto_lot;
    acc.a[1].bal[m.quote_asset].free = ACCOUNT_AMOUNT_MAX / 2;
    assert_int_equal(place_full(1, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99000, 0), 10000, 0, XSTP_DEFAULT, 0, &o, &msg), -1013);
    assert_string_equal(msg, "Filter failure: MAX_POSITION");
    assert_int_equal(place_full(1, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99000, 0), 6000, 0, XSTP_DEFAULT, 0, &o, &msg), 0);
    /* ... counting what live buys will bring: a second one does not fit */
    assert_int_equal(place_full(1, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99000, 0), 6000, 0, XSTP_DEFAULT, 0, &o, &msg), -1013);
    assert_string_equal(msg, "Filter failure: MAX_POSITION");
    assert_true(acc.a[1].bal[m.base_asset].incoming == 6000 * m.atto_lot);
    xorder_t *lv[2];
    assert_int_equal(matching_open_orders(&m, 1, lv, 2), 1);
    assert_int_equal(matching_cancel(&m, 1, lv[0]->id, 0, now, &o, &msg), 0);
    assert_true(acc.a[1].bal[m.base_asset].incoming == 0);
    assert_true(acc.a[1].bal[m.base_asset].free == ACCOUNT_AMOUNT_MAX - 6000 * m.atto_lot);
    /* a sell's proceeds, at its limit price, count against the quote balance */
    assert_int_equal(place_full(1, SIDE_SELL, XT_LIMIT, XTIF_GTC, INT64_MAX, 1000 * BTC, 0, XSTP_DEFAULT, 0, &o, &msg), -1013);
    assert_string_equal(msg, "Filter failure: MAX_POSITION");
    /* keepPriority's new client id is indexed; a live duplicate is refused */
    assert_int_equal(place(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99000, 0), 10000, "a1", &o), 0);
    xorder_t *o2;
    assert_int_equal(place(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99000, 0), 10000, "a2", &o2), 0);
    assert_int_equal(matching_set_cid(&m, o, "a2", &msg), -2010);
    assert_int_equal(matching_set_cid(&m, o, "a3", &msg), 0);
    assert_ptr_equal(matching_find(&m, 0, 0, "a3"), o);
    assert_null(matching_find(&m, 0, 0, "a1"));
    /* a client id rewritten behind the index's back is not found under the old one */
    snprintf(o2->cid, sizeof o2->cid, "zz");
    assert_null(matching_find(&m, 0, 0, "a2"));
}

/* the simulated venue's fixed room for resting orders: refused up front, never a NEW
   followed by REJECTED */
static void test_venue_full(void **st) {
    (void)st;
    setup();
    m.max_open = 5000;
    xorder_t *o, *first = 0;
    const char *msg;
    for (int i = 0; i < SIM_MAX_RESTING; i++) {
        assert_int_equal(place(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99000, 0) - i, 10000, 0, &o), 0);
        if (!first) first = o;
    }
    assert_int_equal(place_full(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(98000, 0), 10000, 0, XSTP_DEFAULT, 0, &o, &msg), -1008);
    assert_int_equal(place_full(0, SIDE_SELL, XT_LIMIT, XTIF_IOC, PX(99999, 99), 10000, 0, XSTP_DEFAULT, 0, &o, &msg), -1008);
    assert_int_equal(matching_open_orders(&m, 0, 0, 0), SIM_MAX_RESTING);
    assert_int_equal(matching_cancel(&m, 0, first->id, 0, now, &o, &msg), 0);
    assert_int_equal(place(0, SIDE_SELL, XT_LIMIT, XTIF_IOC, PX(99999, 99), 10000, 0, &o), 0);
    assert_int_equal(o->status, XS_FILLED);
}

/* fee rates load only when they are whole 1e-8, so the commission is exact */
static void test_account_fee_rates(void **st) {
    (void)st;
    char path[] = "/tmp/test_matching_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "[account a]\nhmac_api_key = k\nhmac_secret_key = s\nmaker_fee = 0.00012345\ntaker_fee = 0.000123456\n");
    fclose(f);
    static accounts_t x;
    static config_t cfg;
    char err[256];
    memset(&x, 0, sizeof x);
    config_defaults(&cfg);
    assert_int_not_equal(accounts_load(&x, &cfg, path, err, sizeof err), 0);
    assert_non_null(strstr(err, "taker_fee"));
    f = fopen(path, "w");
    fprintf(f, "[account a]\nhmac_api_key = k\nhmac_secret_key = s\nmaker_fee = 0.00012345\ntaker_fee = -0.0001\n");
    fclose(f);
    memset(&x, 0, sizeof x);
    assert_int_equal(accounts_load(&x, &cfg, path, err, sizeof err), 0);
    assert_true(x.a[0].maker_fee == 0.00012345);
    remove(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_run_keeps_resting_order),
        cmocka_unit_test(test_open_orders_and_trades),
        cmocka_unit_test(test_commission_prints_what_it_charges),
        cmocka_unit_test(test_quote_order_qty),
        cmocka_unit_test(test_stp_and_expiry_reason),
        cmocka_unit_test(test_symbol_status),
        cmocka_unit_test(test_first_fill),
        cmocka_unit_test(test_hostile_numbers),
        cmocka_unit_test(test_venue_full),
        cmocka_unit_test(test_account_fee_rates),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    matching_free(&m);
    book_free(&book);
    return rc;
}
