/* test_matching.c: the local exchange's order engine: orders that outlive any number of
 * newer ones, open orders and myTrades paging, commissions that print exactly what they
 * charge, quoteOrderQty MARKET orders, STP modes and expiry reasons, the symbol status,
 * the first-fill signal, and client-controlled numbers at their limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
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
        md_event_t t = tu_trade(PX(99999, 97), 7000, 1);
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

/* Fees paid in BNB (bnb_fee_price): the standard rate, 25% off, valued at the BNB price and
   rounded up to 1e-8 BNB; nothing taken from the asset received; in that asset when BNB is short */
static void test_bnb_fees(void **st) {
    (void)st;
    setup();
    const __int128 atto = ACCOUNT_ATTO;
    int bnb = accounts_asset(&acc, "BNB");
    assert_true(bnb >= 0);
    acc.a[1].bnb_fee_price = 600 * atto;
    acc.a[1].bal[bnb].free = atto; /* 1 BNB */
    xorder_t *o;
    __int128 q0 = QUOTE(1, free);
    int64_t b0 = BASE(1, free);
    /* sell 0.001 BTC at 99999.99: 99.99999 USDT * 0.001 * 0.75 / 600 = 0.0001249999875 BNB -> 0.00012500 */
    assert_int_equal(place(1, SIDE_SELL, XT_LIMIT, XTIF_IOC, PX(99999, 99), BTC / 1000, 0, &o), 0);
    assert_int_equal(m.nfills, 1);
    assert_true(m.fills[0].fee_bnb == (__int128)12500 * 10000000000LL);
    assert_true(m.fills[0].commission == 0);
    assert_true(QUOTE(1, free) == q0 + (__int128)PX(99999, 99) * (BTC / 1000)); /* the whole notional */
    assert_true(acc.a[1].bal[bnb].free == atto - m.fills[0].fee_bnb);
    /* buy 0.001 BTC at 100000.00: 100 USDT * 0.001 * 0.75 / 600 = 0.000125 BNB exactly; all the BTC arrives */
    assert_int_equal(place(1, SIDE_BUY, XT_LIMIT, XTIF_IOC, PX(100000, 0), BTC / 1000, 0, &o), 0);
    assert_int_equal(m.nfills, 1);
    assert_true(m.fills[0].fee_bnb == (__int128)12500 * 10000000000LL);
    assert_int_equal(BASE(1, free), b0);
    xtrade_t tr[4];
    xtrade_query_t q = {0};
    const char *msg;
    q.limit = 2;
    assert_int_equal(matching_trades(&m, 1, &q, tr, 4, &msg), 2);
    assert_true(tr[0].fee_bnb == m.fills[0].fee_bnb || tr[1].fee_bnb == m.fills[0].fee_bnb);
    /* BNB short (1e-8 left): this fill is charged in USDT, the BNB is untouched */
    acc.a[1].bal[bnb].free = 10000000000LL;
    q0 = QUOTE(1, free);
    assert_int_equal(place(1, SIDE_SELL, XT_LIMIT, XTIF_IOC, PX(99999, 99), BTC / 1000, 0, &o), 0);
    assert_int_equal(m.nfills, 1);
    assert_true(m.fills[0].fee_bnb == 0 && m.fills[0].commission > 0);
    assert_true(QUOTE(1, free) == q0 + (__int128)PX(99999, 99) * (BTC / 1000) - m.fills[0].commission);
    assert_true(acc.a[1].bal[bnb].free == 10000000000LL);
    /* a rebate is never paid in BNB */
    acc.a[1].bal[bnb].free = atto;
    acc.a[1].taker_fee = -0.0001;
    assert_int_equal(place(1, SIDE_SELL, XT_LIMIT, XTIF_IOC, PX(99999, 99), BTC / 1000, 0, &o), 0);
    assert_true(m.fills[0].fee_bnb == 0 && acc.a[1].bal[bnb].free == atto);
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
    md_event_t t = tu_trade(PX(99999, 96), 5000, 1); /* through our price: no fill while not trading */
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

/* issue 9's fill rules on the local exchange: a market trade fills at most its quantity,
   shared among the users' orders in price-time priority; a book cross fills at most what
   crossed, each lot once; the rest keeps resting */
static void test_volume_true_fills(void **st) {
    (void)st;
    setup();
    xorder_t *a, *b, *c;
    /* account 1's buy at 99999.96 first, then account 0's two at 99999.97 (better price) */
    assert_int_equal(place(1, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99999, 96), 20000, "c", &c), 0);
    assert_int_equal(place(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99999, 97), 30000, "a", &a), 0);
    now++;
    assert_int_equal(place(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99999, 97), 30000, "b", &b), 0);
    /* a seller prints 40000 lots at 99999.96: a (first at the best price) gets 30000, b
       the 10000 left, c nothing: 40000 in all, never more */
    md_event_t t = tu_trade(PX(99999, 96), 40000, 1);
    matching_on_market(&m, &t, ++now);
    assert_int_equal(a->executed, 30000);
    assert_int_equal(a->status, XS_FILLED);
    assert_int_equal(b->executed, 10000);
    assert_int_equal(b->status, XS_PARTIALLY_FILLED);
    assert_int_equal(c->executed, 0);
    assert_int_equal(m.nfills, 2);
    /* the ask drops to 99999.96 with 5000 lots: crosses b (20000 left), which takes the
       5000 and rests with the other 15000; the same 5000, still shown, fill nothing again */
    book_set(&book, BOOK_ASK, PX(99999, 96), 5000);
    md_event_t d;
    memset(&d, 0, sizeof d);
    d.type = MD_DIFF;
    matching_on_market(&m, &d, ++now);
    assert_int_equal(b->executed, 15000);
    assert_true(xorder_live(b));
    matching_on_market(&m, &d, ++now);
    assert_int_equal(b->executed, 15000);
    assert_int_equal(c->executed, 0); /* crossed at its price too, but b, priced better, took all 5000 */
    assert_int_equal(m.sim.st.cross_fills, 1);
    assert_true(QUOTE(0, locked) == (__int128)PX(99999, 97) * 15000);
}

static void test_first_fill(void **st) {
    (void)st;
    setup();
    m.on_exec = on_exec;
    nev = 0;
    xorder_t *o;
    /* maker: rests at 99999.97 (nothing ahead), filled by two market trades */
    assert_int_equal(place(0, SIDE_BUY, XT_LIMIT, XTIF_GTC, PX(99999, 97), 30000, 0, &o), 0);
    md_event_t t = tu_trade(PX(99999, 97), 10000, 1);
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

/* ---- several symbols on one accounts_t ------------------------------------------- */

/* a symbol of its own: rules, book, matching over the shared accounts */
typedef struct sym {
    symbol_rules_t r;
    book_t b;
    matching_t m;
} sym_t;

static void sym_open(sym_t *s, const char *name, const char *base, const char *quote, const char *tick, const char *step,
                     int64_t bid, int64_t ask, int64_t depth) {
    memset(s, 0, sizeof *s);
    tu_rules(&s->r, name, tick, step);
    snprintf(s->r.base, sizeof s->r.base, "%s", base);
    snprintf(s->r.quote, sizeof s->r.quote, "%s", quote);
    s->r.max_num_orders = 200;
    assert_int_equal(book_init(&s->b, 12), 0);
    book_recenter(&s->b, (bid + ask) / 2);
    book_set(&s->b, BOOK_BID, bid, depth);
    book_set(&s->b, BOOK_ASK, ask, depth);
    s->b.last_id = 1;
    assert_int_equal(matching_init(&s->m, &s->r, &acc, &s->b), 0);
}

static void sym_close(sym_t *s) {
    matching_free(&s->m);
    book_free(&s->b);
}

static int place_on(sym_t *s, int a, order_side_t side, xtif_t tif, int64_t price, int64_t qty, xorder_t **o,
                    const char **msg) {
    xplace_t p;
    memset(&p, 0, sizeof p);
    p.side = side;
    p.type = XT_LIMIT;
    p.tif = tif;
    p.price = price;
    p.qty = qty;
    const char *dummy;
    *o = 0;
    return matching_place(&s->m, a, &p, now, o, msg ? msg : &dummy);
}

/* an amount in 1e-8 as printed: a symbol's lots, a symbol's notional, a balance */
static int64_t e8_lots(const symbol_rules_t *r, int64_t lots) {
    char b[64];
    fx_unit_t u;
    int64_t x;
    assert_true(fx_format(lots, &r->lot, 8, b, sizeof b) > 0);
    fx_unit_make(8, 1, &u);
    assert_int_equal(fx_parse(b, strlen(b), &u, &x), 0);
    return x;
}
static int64_t e8_quote(const symbol_rules_t *r, __int128 v) {
    char b[64];
    fx_unit_t u;
    int64_t x;
    symbol_quote_format(r, v, b, sizeof b);
    fx_unit_make(8, 1, &u);
    assert_int_equal(fx_parse(b, strlen(b), &u, &x), 0);
    return x;
}
static int64_t e8_bal(int a, int asset) { return printed_bal(acc.a[a].bal[asset].free); }

/* what a client sums from the printed fills of a request on symbol s, per asset (1e-8) */
static void sum_fills(const sym_t *s, int64_t *sum) {
    for (int k = 0; k < s->m.nfills; k++) {
        const xfill_t *f = &s->m.fills[k];
        __int128 notional = (__int128)f->price * f->qty;
        /* chosen so that every notional is a whole 1e-8 (it is printed, and summed, exactly) */
        assert_true((__int128)e8_quote(&s->r, notional) * 10000000000LL == notional * s->m.atto_tick_lot);
        if (f->buyer) {
            sum[s->m.base_asset] += e8_lots(&s->r, f->qty) - e8_lots(&s->r, (int64_t)f->commission);
            sum[s->m.quote_asset] -= e8_quote(&s->r, notional);
        } else {
            sum[s->m.base_asset] -= e8_lots(&s->r, f->qty);
            sum[s->m.quote_asset] += e8_quote(&s->r, notional) - e8_quote(&s->r, f->commission);
        }
    }
}

#define UNITS(x) ((__int128)(x) * ACCOUNT_ATTO)

static void multi_setup(sym_t *bu, sym_t *eu, sym_t *eb) {
    memset(&acc, 0, sizeof acc);
    acc.n = 2;
    for (int i = 0; i < 2; i++) {
        snprintf(acc.a[i].name, sizeof acc.a[i].name, "t%d", i);
        acc.a[i].maker_fee = acc.a[i].taker_fee = 0.001;
    }
    /* BTCUSDT 99999.99 / 100000.00; ETHUSDT 1999.99 / 2000.00; ETHBTC 0.04999 / 0.05000 */
    sym_open(bu, "BTCUSDT", "BTC", "USDT", "0.01", "0.00001", PX(99999, 99), PX(100000, 0), 5 * BTC);
    sym_open(eu, "ETHUSDT", "ETH", "USDT", "0.01", "0.0001", PX(1999, 99), PX(2000, 0), 50 * BTC);
    sym_open(eb, "ETHBTC", "ETH", "BTC", "0.00001", "0.0001", 4999, 5000, 50 * BTC);
    assert_int_equal(acc.nassets, 3);
    assert_int_equal(bu->m.quote_asset, eu->m.quote_asset); /* USDT: one balance */
    assert_int_equal(eu->m.base_asset, eb->m.base_asset);   /* ETH */
    assert_int_equal(bu->m.base_asset, eb->m.quote_asset);  /* BTC: base of one, quote of the other */
    assert_true(eb->m.atto_tick_lot == 100000); /* 1e-5 * 1e-8 = 1e-13 of BTC */
}

/* 11. a fill on one symbol moves the asset every other symbol sees, and the printed fills
   sum exactly to the printed balances */
static void test_multi_symbol_shared_assets(void **st) {
    (void)st;
    sym_t bu, eu, eb;
    multi_setup(&bu, &eu, &eb);
    int btc = bu.m.base_asset, usdt = bu.m.quote_asset, eth = eu.m.base_asset;
    assert_string_equal(accounts_asset_name(&acc, eth), "ETH");
    acc.a[0].bal[usdt].free = UNITS(10000);
    acc.a[0].bal[btc].free = UNITS(1);
    int64_t b0[3] = {e8_bal(0, 0), e8_bal(0, 1), e8_bal(0, 2)}, sum[3] = {0, 0, 0};
    xorder_t *o;
    const char *msg;
    /* buy 1.5 ETH with USDT on ETHUSDT: USDT as BTCUSDT sees it drops by 3000 */
    assert_int_equal(place_on(&eu, 0, SIDE_BUY, XTIF_IOC, PX(2000, 0), 3 * BTC / 2, &o, &msg), 0);
    assert_int_equal(o->status, XS_FILLED);
    sum_fills(&eu, sum);
    assert_true(acc.a[0].bal[usdt].free == UNITS(7000));
    assert_true(acc.a[0].bal[eth].free == UNITS(15) / 10 - UNITS(15) / 10000); /* less 0.1% in ETH */
    /* sell 0.1 BTC on BTCUSDT: the same USDT rises by 9999.999 less 0.1% */
    assert_int_equal(place_on(&bu, 0, SIDE_SELL, XTIF_IOC, PX(99999, 99), 10000000, &o, &msg), 0);
    assert_int_equal(o->status, XS_FILLED);
    sum_fills(&bu, sum);
    assert_true(acc.a[0].bal[usdt].free == UNITS(7000) + (UNITS(9999999) / 1000) - UNITS(9999999) / 1000000);
    assert_true(acc.a[0].bal[btc].free == UNITS(9) / 10);
    /* sell 1 ETH for BTC on ETHBTC: ETH from ETHUSDT, BTC that BTCUSDT trades */
    assert_int_equal(place_on(&eb, 0, SIDE_SELL, XTIF_IOC, 4999, BTC, &o, &msg), 0);
    assert_int_equal(o->status, XS_FILLED);
    sum_fills(&eb, sum);
    assert_true(acc.a[0].bal[eth].free == UNITS(15) / 10 - UNITS(15) / 10000 - UNITS(1));
    assert_true(acc.a[0].bal[btc].free == UNITS(9) / 10 + UNITS(4999) / 100000 - UNITS(4999) / 100000000);
    /* buy 0.3 ETH with BTC on ETHBTC at 0.05000 */
    assert_int_equal(place_on(&eb, 0, SIDE_BUY, XTIF_IOC, 5000, 3 * BTC / 10, &o, &msg), 0);
    assert_int_equal(o->status, XS_FILLED);
    sum_fills(&eb, sum);
    /* maker fills on two symbols, then the client's sums land on the printed balances */
    xorder_t *r1, *r2;
    assert_int_equal(place_on(&bu, 0, SIDE_BUY, XTIF_GTC, PX(99999, 98), 7000, &r1, &msg), 0);
    assert_int_equal(place_on(&eu, 0, SIDE_SELL, XTIF_GTC, PX(2000, 1), 30000, &r2, &msg), 0);
    md_event_t t = tu_trade(PX(99999, 98), 7000, 1);
    matching_on_market(&bu.m, &t, ++now);
    assert_int_equal(r1->status, XS_FILLED);
    sum_fills(&bu, sum);
    t = tu_trade(PX(2000, 1), 30000, 0);
    matching_on_market(&eu.m, &t, ++now);
    assert_int_equal(r2->status, XS_FILLED);
    sum_fills(&eu, sum);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(e8_bal(0, k) - b0[k], sum[k]);
        assert_true(acc.a[0].bal[k].locked == 0 && acc.a[0].bal[k].incoming == 0);
    }
    sym_close(&bu);
    sym_close(&eu);
    sym_close(&eb);
}

/* 12. quote locked by an order on one symbol is not there for another; MAX_NUM_ORDERS and
   open orders count per symbol; MAX_POSITION counts what every symbol's orders bring */
static void test_multi_symbol_locks_and_limits(void **st) {
    (void)st;
    sym_t bu, eu, eb;
    multi_setup(&bu, &eu, &eb);
    int btc = bu.m.base_asset, usdt = bu.m.quote_asset, eth = eu.m.base_asset;
    acc.a[0].bal[usdt].free = UNITS(5000);
    xorder_t *o, *e;
    const char *msg;
    /* 2 ETH at 1990 on ETHUSDT locks 3980 USDT ... */
    assert_int_equal(place_on(&eu, 0, SIDE_BUY, XTIF_GTC, PX(1990, 0), 2 * BTC, &e, &msg), 0);
    assert_true(acc.a[0].bal[usdt].locked == UNITS(3980));
    assert_true(acc.a[0].bal[usdt].free == UNITS(1020));
    /* ... so 0.02 BTC at 99000 (1980 USDT) is refused on BTCUSDT */
    assert_int_equal(place_on(&bu, 0, SIDE_BUY, XTIF_GTC, PX(99000, 0), 2000000, &o, &msg), -2010);
    assert_string_equal(msg, "Account has insufficient balance for requested action.");
    assert_int_equal(place_on(&bu, 0, SIDE_BUY, XTIF_GTC, PX(99000, 0), 1000000, &o, &msg), 0); /* 990 fits */
    assert_true(acc.a[0].bal[usdt].free == UNITS(30));
    /* the exact last unit: 30 USDT buys 0.0003 BTC at 100000.00, not a lot more */
    acc.a[0].bal[usdt].free -= 1;
    assert_int_equal(place_on(&bu, 0, SIDE_BUY, XTIF_GTC, PX(100000, 0), 30000, &o, &msg), -2010);
    acc.a[0].bal[usdt].free += 1;
    assert_int_equal(place_on(&bu, 0, SIDE_BUY, XTIF_IOC, PX(100000, 0), 30000, &o, &msg), 0);
    assert_int_equal(o->status, XS_FILLED);
    assert_true(acc.a[0].bal[usdt].free == 0);
    /* cancelling on ETHUSDT gives the USDT back to BTCUSDT */
    assert_int_equal(matching_cancel(&eu.m, 0, e->id, 0, now, &o, &msg), 0);
    assert_true(acc.a[0].bal[usdt].free == UNITS(3980));
    assert_int_equal(place_on(&bu, 0, SIDE_BUY, XTIF_GTC, PX(99000, 0), 2000000, &o, &msg), 0);
    /* open orders and MAX_NUM_ORDERS per symbol */
    assert_int_equal(matching_open_orders(&bu.m, 0, 0, 0), 2);
    assert_int_equal(matching_open_orders(&eu.m, 0, 0, 0), 0);
    bu.m.max_open = 3;
    eu.m.max_open = 3;
    acc.a[0].bal[usdt].free = UNITS(100000);
    acc.a[0].bal[eth].free = UNITS(10);
    assert_int_equal(place_on(&bu, 0, SIDE_BUY, XTIF_GTC, PX(98000, 0), 10000, &o, &msg), 0);
    assert_int_equal(place_on(&bu, 0, SIDE_BUY, XTIF_GTC, PX(98000, 0), 10000, &o, &msg), -1013);
    assert_string_equal(msg, "Filter failure: MAX_NUM_ORDERS");
    for (int i = 0; i < 3; i++) assert_int_equal(place_on(&eu, 0, SIDE_SELL, XTIF_GTC, PX(2100, 0) + i, BTC, &o, &msg), 0);
    assert_int_equal(place_on(&eu, 0, SIDE_SELL, XTIF_GTC, PX(2100, 0), BTC, &o, &msg), -1013);
    assert_int_equal(place_on(&eb, 0, SIDE_SELL, XTIF_GTC, 6000, BTC, &o, &msg), 0); /* ETHBTC: its own count */
    assert_int_equal(matching_open_orders(&eb.m, 0, 0, 0), 1);
    assert_int_equal(matching_open_orders(&eb.m, 1, 0, 0), 0);
    assert_true(acc.a[0].bal[eth].locked == UNITS(4)); /* 3 on ETHUSDT, 1 on ETHBTC */
    /* MAX_POSITION on the shared ETH: what ETHUSDT's buys will bring counts on ETHBTC */
    acc.a[1].bal[usdt].free = UNITS(1000000);
    acc.a[1].bal[btc].free = UNITS(100);
    acc.a[1].bal[eth].free = ACCOUNT_AMOUNT_MAX - UNITS(3);
    assert_int_equal(place_on(&eu, 1, SIDE_BUY, XTIF_GTC, PX(1900, 0), 2 * BTC, &o, &msg), 0); /* 2 ETH to come */
    assert_true(acc.a[1].bal[eth].incoming == UNITS(2));
    assert_int_equal(place_on(&eb, 1, SIDE_BUY, XTIF_GTC, 4000, 2 * BTC, &o, &msg), -1013);
    assert_string_equal(msg, "Filter failure: MAX_POSITION");
    assert_int_equal(place_on(&eb, 1, SIDE_BUY, XTIF_GTC, 4000, BTC, &o, &msg), 0); /* exactly at the bound */
    assert_true(acc.a[1].bal[eth].incoming == UNITS(3));
    /* a deposit cannot pass the bound either, a withdrawal below zero is refused */
    assert_int_equal(accounts_credit(&acc, 1, eth, 1), Q_E_RANGE);
    assert_true(acc.a[1].bal[usdt].free == UNITS(1000000 - 3800)); /* 2 ETH at 1900 locked */
    assert_int_equal(accounts_credit(&acc, 1, usdt, -UNITS(1000000 - 3800) - 1), Q_E_STATE);
    assert_true(acc.a[1].bal[usdt].free == UNITS(1000000 - 3800));
    assert_int_equal(accounts_credit(&acc, 1, usdt, -UNITS(1000000 - 3800)), 0);
    assert_true(acc.a[1].bal[usdt].free == 0 && acc.a[1].bal[usdt].locked == UNITS(3800));
    assert_int_equal(accounts_credit(&acc, 1, usdt, UNITS(5) / 2), 0);
    assert_true(acc.a[1].bal[usdt].free == UNITS(5) / 2);
    /* deposits stop at INT64_MAX units of 1e-8 held in all (3800 USDT are locked) */
    assert_int_equal(accounts_credit(&acc, 1, usdt, ACCOUNT_DEPOSIT_MAX - UNITS(3800) - UNITS(5) / 2 + 1), Q_E_RANGE);
    assert_int_equal(accounts_credit(&acc, 1, usdt, ACCOUNT_DEPOSIT_MAX - UNITS(3800) - UNITS(5) / 2), 0);
    assert_int_equal(accounts_credit(&acc, 1, usdt, 1), Q_E_RANGE);
    assert_int_equal(accounts_credit(&acc, 1, usdt, -1), 0); /* withdrawals always */
    assert_int_equal(accounts_credit(&acc, 1, 7, 1), Q_E_INVAL);
    assert_int_equal(matching_cancel(&eb.m, 1, o->id, 0, now, &o, &msg), 0);
    assert_true(acc.a[1].bal[eth].incoming == UNITS(2));
    sym_close(&bu);
    sym_close(&eu);
    sym_close(&eb);
}

/* 13. amounts: exact parsing, Binance's printing, the unit check */
static void test_asset_amounts(void **st) {
    (void)st;
    __int128 v;
    char b[64];
    assert_int_equal(accounts_parse("12.5", &v), 1);
    assert_true(v == UNITS(25) / 2);
    assert_int_equal(accounts_parse("-0.00000001", &v), 8);
    assert_true(v == -10000000000LL);
    assert_int_equal(accounts_parse("0.000000000000000001", &v), 18); /* exact, finer than printed */
    assert_true(v == 1);
    assert_int_equal(accounts_parse("0.0000000000000000001", &v), Q_E_INEXACT);
    assert_int_equal(accounts_parse("1000000000000000000", &v), 0);
    assert_true(v == ACCOUNT_AMOUNT_MAX);
    assert_int_equal(accounts_parse("1000000000000000000.000000000000000001", &v), Q_E_RANGE);
    assert_int_equal(accounts_parse("00000000000000000000000000007", &v), 0);
    assert_true(v == UNITS(7));
    assert_int_equal(accounts_parse("99999999999999999999999999999999999999999", &v), Q_E_RANGE);
    static const char *const bad[] = {"", "-", ".5", "5.", "1e5", "+1", " 1", "1 ", "1.2.3", "0x10", "--1", "1,5"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) assert_int_equal(accounts_parse(bad[i], &v), Q_E_PARSE);
    assert_int_equal(accounts_format(UNITS(25) / 2, b, sizeof b), 11);
    assert_string_equal(b, "12.50000000");
    accounts_format(19999999999LL, b, sizeof b); /* truncated, not rounded */
    assert_string_equal(b, "0.00000001");
    accounts_format(-19999999999LL, b, sizeof b);
    assert_string_equal(b, "-0.00000001");
    accounts_format(-9999999999LL, b, sizeof b); /* truncates to zero: no sign */
    assert_string_equal(b, "0.00000000");
    accounts_format(ACCOUNT_AMOUNT_MAX, b, sizeof b);
    assert_string_equal(b, "1000000000000000000.00000000");
    accounts_format(-((__int128)1 << 126) * 2, b, sizeof b); /* the most negative __int128 */
    assert_string_equal(b, "-170141183460469231731.68730371");
    assert_int_equal(accounts_format(UNITS(1), b, 10), Q_E_RANGE);
    assert_int_equal(accounts_format(UNITS(1), b, 11), 10);
    /* units: whole numbers of atto up to 18 decimals, refused beyond */
    symbol_rules_t r;
    __int128 fl, fq;
    tu_rules(&r, "XY", "0.0000000001", "0.00000001"); /* 10 + 8 decimals: 1 atto */
    assert_int_equal(accounts_units(&r, &fl, &fq), 0);
    assert_true(fl == 10000000000LL && fq == 1);
    tu_rules(&r, "XY", "0.00000000001", "0.00000001"); /* 19 */
    assert_int_equal(accounts_units(&r, &fl, &fq), Q_E_RANGE);
    /* the registry */
    static accounts_t x;
    memset(&x, 0, sizeof x);
    assert_int_equal(accounts_asset(&x, "BTC"), 0);
    assert_int_equal(accounts_asset(&x, "USDT"), 1);
    assert_int_equal(accounts_asset(&x, "BTC"), 0);
    assert_int_equal(accounts_asset_find(&x, "ETH"), -1);
    assert_int_equal(accounts_asset(&x, "A23456789012345"), 2); /* 15 chars */
    assert_int_equal(accounts_asset(&x, "A234567890123456"), -1);
    assert_int_equal(accounts_asset(&x, "A B"), -1);
    assert_int_equal(accounts_asset(&x, "A\"B"), -1);
    assert_null(accounts_asset_name(&x, 3));
    assert_null(accounts_asset_name(&x, -1));
    for (int i = 3; i < ASSET_MAX; i++) {
        char n[16];
        snprintf(n, sizeof n, "X%d", i);
        assert_int_equal(accounts_asset(&x, n), i);
    }
    assert_int_equal(accounts_asset(&x, "ONEMORE"), -1); /* full */
    assert_int_equal(accounts_asset(&x, "USDT"), 1);     /* known ones still answer */
}

/* config: balance.ASSET keys beside base_balance/quote_balance, and clear errors naming the key */
static int load_text(accounts_t *x, const char *text, char *err, int errcap) {
    char path[] = "/tmp/test_matching_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    static config_t cfg;
    config_defaults(&cfg);
    memset(x, 0, sizeof *x);
    int rc = accounts_load(x, &cfg, path, err, errcap);
    remove(path);
    return rc;
}

static void test_account_balance_keys(void **st) {
    (void)st;
    static accounts_t x;
    char err[512];
    symbol_rules_t rs[2];
    tu_btcusdt(&rs[0]);
    snprintf(rs[0].base, sizeof rs[0].base, "BTC");
    snprintf(rs[0].quote, sizeof rs[0].quote, "USDT");
    tu_rules(&rs[1], "ETHUSDT", "0.01", "0.0001");
    snprintf(rs[1].base, sizeof rs[1].base, "ETH");
    snprintf(rs[1].quote, sizeof rs[1].quote, "USDT");
#define KEYS "hmac_api_key = k\nhmac_secret_key = s\n"
    assert_int_equal(load_text(&x,
                               "[market]\nsymbol = BTCUSDT\n[account a]\n" KEYS
                               "base_balance = 1\nquote_balance = 100000.5\nbalance.BNB = 0.00000001\nbalance.ETH = 10\n"
                               "[account b]\n" KEYS "balance.USDT = 7\nbalance.BTC = 0\n",
                               err, sizeof err),
                     0);
    assert_int_equal(accounts_resolve(&x, rs, 2, err, sizeof err), 0);
    /* the symbols' assets first, in order, then the configured ones */
    assert_int_equal(x.nassets, 4);
    assert_string_equal(accounts_asset_name(&x, 0), "BTC");
    assert_string_equal(accounts_asset_name(&x, 1), "USDT");
    assert_string_equal(accounts_asset_name(&x, 2), "ETH");
    assert_string_equal(accounts_asset_name(&x, 3), "BNB");
    assert_true(x.a[0].bal[0].free == UNITS(1));
    assert_true(x.a[0].bal[1].free == UNITS(1000005) / 10);
    assert_true(x.a[0].bal[2].free == UNITS(10));
    assert_true(x.a[0].bal[3].free == 10000000000LL);
    assert_true(x.a[1].bal[1].free == UNITS(7) && x.a[1].bal[0].free == 0 && x.a[1].bal[2].free == 0);
    /* bad amounts, named with their key (and the file's line) */
    static const struct { const char *text, *want1, *want2; } bad[] = {
        {"[account a]\n" KEYS "balance.ETH = 1e5\n", "balance.ETH", "not a decimal"},
        {"[account a]\n" KEYS "balance.ETH = ten\n", "balance.ETH", "not a decimal"},
        {"[account a]\n" KEYS "balance.ETH = 0.000000001\n", "balance.ETH", "more than 8 decimals"},
        {"[account a]\n" KEYS "balance.ETH = 0.0000000000000000001\n", "balance.ETH", "more than 8 decimals"},
        {"[account a]\n" KEYS "balance.ETH = -1\n", "balance.ETH", "negative"},
        {"[account a]\n" KEYS "balance.ETH = 1000000000000000001\n", "balance.ETH", "too large"},
        {"[account a]\n" KEYS "balance.A\"B = 1\n", "balance.A\"B", "not an asset name"},
        {"[account a]\n" KEYS "balance.ABCDEFGHIJKLMNOP = 1\n", "balance.ABCDEFGHIJKLMNOP", "not an asset name"},
        {"[account a]\n" KEYS "base_balance = 1.5x\n", "base_balance", "not a decimal"},
        {"[account a]\n" KEYS "quote_balance = 0.123456789\n", "quote_balance", "more than 8 decimals"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_not_equal(load_text(&x, bad[i].text, err, sizeof err), 0);
        if (!strstr(err, bad[i].want1) || !strstr(err, bad[i].want2) || !strstr(err, ":4:"))
            fail_msg("case %zu: %s", i, err);
    }
    /* too many assets: 33 in the file ... */
    char text[4096];
    int n = snprintf(text, sizeof text, "[account a]\n" KEYS);
    for (int i = 0; i <= ASSET_MAX; i++) n += snprintf(text + n, sizeof text - (size_t)n, "balance.X%d = 1\n", i);
    assert_int_not_equal(load_text(&x, text, err, sizeof err), 0);
    assert_non_null(strstr(err, "balance.X32"));
    assert_non_null(strstr(err, "too many assets"));
    /* ... across accounts too ... */
    n = snprintf(text, sizeof text, "[account a]\n" KEYS);
    for (int i = 0; i < 20; i++) n += snprintf(text + n, sizeof text - (size_t)n, "balance.X%d = 1\n", i);
    n += snprintf(text + n, sizeof text - (size_t)n, "[account b]\n" KEYS);
    for (int i = 10; i < 33; i++) n += snprintf(text + n, sizeof text - (size_t)n, "balance.X%d = 1\n", i);
    assert_int_not_equal(load_text(&x, text, err, sizeof err), 0);
    assert_non_null(strstr(err, "[account b] balance.X32: too many assets"));
    /* ... or 31 in the file and 3 of the symbols' */
    n = snprintf(text, sizeof text, "[account a]\n" KEYS);
    for (int i = 0; i < 31; i++) n += snprintf(text + n, sizeof text - (size_t)n, "balance.X%d = 1\n", i);
    assert_int_equal(load_text(&x, text, err, sizeof err), 0);
    assert_int_not_equal(accounts_resolve(&x, rs, 2, err, sizeof err), 0);
    assert_non_null(strstr(err, "[account a] balance.X29: too many assets"));
    /* an asset given twice */
    assert_int_equal(load_text(&x, "[account a]\n" KEYS "base_balance = 1\nbalance.BTC = 2\n", err, sizeof err), 0);
    assert_int_not_equal(accounts_resolve(&x, rs, 2, err, sizeof err), 0);
    assert_non_null(strstr(err, "[account a] balance.BTC: base_balance already gives the BTC balance"));
    /* a symbol whose units are finer than 1e-18 */
    assert_int_equal(load_text(&x, "[account a]\n" KEYS, err, sizeof err), 0);
    tu_rules(&rs[1], "SHIBXYZ", "0.00000000001", "1");
    rs[1].lot.scale = 19;
    assert_int_not_equal(accounts_resolve(&x, rs, 2, err, sizeof err), 0);
    assert_non_null(strstr(err, "symbol SHIBXYZ"));
    assert_non_null(strstr(err, "finer than 1e-18"));
#undef KEYS
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_run_keeps_resting_order),
        cmocka_unit_test(test_open_orders_and_trades),
        cmocka_unit_test(test_commission_prints_what_it_charges),
        cmocka_unit_test(test_quote_order_qty),
        cmocka_unit_test(test_bnb_fees),
        cmocka_unit_test(test_stp_and_expiry_reason),
        cmocka_unit_test(test_symbol_status),
        cmocka_unit_test(test_first_fill),
        cmocka_unit_test(test_hostile_numbers),
        cmocka_unit_test(test_venue_full),
        cmocka_unit_test(test_account_fee_rates),
        cmocka_unit_test(test_multi_symbol_shared_assets),
        cmocka_unit_test(test_multi_symbol_locks_and_limits),
        cmocka_unit_test(test_asset_amounts),
        cmocka_unit_test(test_account_balance_keys),
        cmocka_unit_test(test_volume_true_fills),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    matching_free(&m);
    book_free(&book);
    return rc;
}
