/* test_ledger.c: the ledger's known answers. Fees are booked as the venue states them
 * (base, quote, or another asset such as BNB, with or without a price) and rounded to the
 * balance unit; the position is a signed average cost, so round trips through zero and
 * through a short realize what they made and leave nothing unrealized when flat; total =
 * realized + unrealized at any mark; a negative balance is booked and flagged; a fill that
 * would overflow a total is refused whole. A reference copy of the previous ledger checks
 * that long-only flows give the very same doubles (the backtest output depends on it). */
#include <math.h>
#include <string.h>

#include "core/err.h"
#include "oms/ledger.h"
#include "testutil.h"

#define USDT 10000000000LL /* tick*lot units per USDT with BTCUSDT rules (0.01 * 1e-8) */
#define BTC 100000000LL    /* lots per BTC */
#define I128_MAX ((__int128)(((unsigned __int128)1 << 127) - 1))

static void btcusdt(symbol_rules_t *r) {
    tu_btcusdt(r);
    strcpy(r->base, "BTC");
    strcpy(r->quote, "USDT");
}

/* BTCUSDT rules and a ledger on them, started at `mark` */
static void fresh(ledger_t *l, symbol_rules_t *r, int64_t base, __int128 quote, double mark) {
    btcusdt(r);
    ledger_init(l, r, base, quote);
    ledger_start(l, mark);
}

static ledger_fee_t in_base(int64_t lots) { return (ledger_fee_t){lots, 8, "BTC"}; }
static ledger_fee_t in_quote(int64_t units) { return (ledger_fee_t){units, 10, "USDT"}; }
static const ledger_fee_t NOFEE = {0, 0, 0};

static double start_equity(const ledger_t *l) {
    return ledger_quote_real(l, l->quote_start) + (double)l->base_start * l->rules->lot.value * l->start_mark;
}

/* total_pnl = equity - start_equity = realized + unrealized, to 1e-9 relative */
static void check_identity(const ledger_t *l) {
    for (double mark = 0; mark <= 200000; mark += 12345.5) {
        double eq = ledger_equity(l, mark), total = eq - start_equity(l);
        double parts = l->realized + ledger_unrealized(l, mark);
        double scale = fabs(eq) + fabs(start_equity(l)) + 1;
        if (fabs(total - parts) > 1e-9 * scale) fail_msg("identity at mark %g: total %.12g, parts %.12g", mark, total, parts);
    }
}

static void near(double got, double want) {
    if (fabs(got - want) > 1e-9 * (fabs(want) + 1)) fail_msg("got %.15g, want %.15g", got, want);
}

static int fill(ledger_t *l, order_side_t side, int64_t price, int64_t qty, ledger_fee_t f, double *fq) {
    double dummy;
    return ledger_fill(l, side, price, qty, 1, &f, fq ? fq : &dummy);
}

/* the old test, with the fees stated as the venue states them */
static void test_known_answers(void **st) {
    (void)st;
    symbol_rules_t r;
    btcusdt(&r);
    ledger_t l;
    ledger_init(&l, &r, BTC, (__int128)10000 * USDT); /* 1 BTC, 10000 USDT */
    ledger_start(&l, 50000);
    double fq;
    /* buy 0.00123 BTC at 50000.00 as maker, fee 0.00000123 BTC */
    ledger_fee_t f = {123, 8, "BTC"};
    assert_int_equal(ledger_fill(&l, SIDE_BUY, 5000000, 123000, 1, &f, &fq), 0);
    assert_int_equal(l.base, BTC + 123000 - 123);
    assert_int_equal(l.fee_base, 123);
    assert_true(l.quote == (__int128)10000 * USDT - (__int128)5000000 * 123000);
    near(fq, 0.0615); /* 123e-8 BTC at 50000 */
    near(l.cost, 50000 + 0.00123 * 50000);
    /* a fee finer than the lot: 0.00000002002 BTC is 2.002 lots, charged 3 */
    f = (ledger_fee_t){2002, 11, "BTC"};
    assert_int_equal(ledger_fill(&l, SIDE_BUY, 5000000, 1001, 0, &f, &fq), 0);
    assert_int_equal(l.fee_base, 126);
    assert_int_equal(l.fee_inexact, 1);
    assert_int_equal(l.maker_fills, 1);
    assert_int_equal(l.fills, 2);
    /* sell 0.001 BTC at 50010.00 as maker, fee 0.05001 USDT (tick*lot units: 1e-10) */
    __int128 q0 = l.quote;
    double avg = l.cost / ((double)l.base * 1e-8);
    f = (ledger_fee_t){5001000, 8, "USDT"};
    assert_int_equal(ledger_fill(&l, SIDE_SELL, 5001000, 100000, 1, &f, &fq), 0);
    assert_true(l.fee_quote == 500100000);
    assert_true(l.quote == q0 + (__int128)5001000 * 100000 - 500100000);
    near(fq, 0.05001);
    near(l.realized, 0.001 * (50010 - avg) - 0.05001);
    near(l.fees_quote_value, 0.0615 + 3e-8 * 50000 + 0.05001);
    assert_int_equal(l.fee_inexact, 1);
    check_identity(&l);
    assert_true(l.base == l.base_start + l.bought - l.sold - l.fee_base);
    assert_int_equal(l.inv_min, 0);
    assert_int_equal(l.inv_max, 123000 - 123 + 1001 - 3);
    assert_int_equal(l.negative, 0);
    assert_int_equal(l.refused, 0);

    /* rebates round toward zero: -1.5 lots -> -1 (base grows by qty + 1) */
    ledger_t m;
    ledger_init(&m, &r, 0, (__int128)10000 * USDT);
    ledger_start(&m, 50000);
    f = (ledger_fee_t){-15, 9, "BTC"};
    assert_int_equal(ledger_fill(&m, SIDE_BUY, 5000000, 1500, 1, &f, &fq), 0);
    assert_int_equal(m.fee_base, -1);
    assert_int_equal(m.base, 1501);
    assert_int_equal(m.fee_inexact, 1);
    near(fq, -1e-8 * 50000);
    /* a quote rebate of -0.00000000005 USDT is -0.5 unit: 0 */
    f = (ledger_fee_t){-5, 11, "USDT"};
    __int128 mq = m.quote;
    assert_int_equal(ledger_fill(&m, SIDE_SELL, 5000000, 1000, 1, &f, &fq), 0);
    assert_true(m.fee_quote == 0);
    assert_true(m.quote == mq + (__int128)5000000 * 1000);
    assert_int_equal(m.fee_inexact, 2);
    check_identity(&m);
}

/* no fee: NULL, a NULL or "" asset, a zero amount (whatever the scale says) */
static void test_no_fee(void **st) {
    (void)st;
    symbol_rules_t r;
    ledger_t l;
    fresh(&l, &r, 0, (__int128)100000 * USDT, 50000);
    double fq = 1;
    assert_int_equal(ledger_fill(&l, SIDE_BUY, 5000000, 1000, 0, NULL, &fq), 0);
    assert_true(fq == 0);
    assert_int_equal(fill(&l, SIDE_BUY, 5000000, 1000, (ledger_fee_t){5, 8, NULL}, &fq), 0);
    assert_int_equal(fill(&l, SIDE_BUY, 5000000, 1000, (ledger_fee_t){5, 8, ""}, &fq), 0);
    assert_int_equal(fill(&l, SIDE_BUY, 5000000, 1000, (ledger_fee_t){0, 99, "BTC"}, &fq), 0);
    assert_int_equal(l.base, 4000);
    assert_int_equal(l.fee_base, 0);
    assert_true(l.fees_quote_value == 0);
    assert_int_equal(l.nother, 0);
    assert_int_equal(l.fills, 4);
    check_identity(&l);
}

/* ---- the previous ledger, verbatim, as the reference for long-only flows ---- */
typedef struct old_ledger {
    const symbol_rules_t *rules;
    double maker_fee, taker_fee;
    int64_t base;
    __int128 quote;
    double fees_quote_value, cost, realized;
} old_ledger_t;

static int64_t old_fee_units(double amount) {
    return amount >= 0 ? (int64_t)ceil(amount - 1e-9) : (int64_t)ceil(amount);
}

static double old_quote_real(const old_ledger_t *l, __int128 v) {
    return (double)v * l->rules->tick.value * l->rules->lot.value;
}

static int64_t old_fill(old_ledger_t *l, order_side_t side, int64_t price, int64_t qty, int maker, double *fqv) {
    double rate = maker ? l->maker_fee : l->taker_fee;
    __int128 notional = (__int128)price * qty;
    double px = price * l->rules->tick.value;
    double qty_real = (double)qty * l->rules->lot.value;
    int64_t fee;
    if (side == SIDE_BUY) {
        fee = old_fee_units((double)qty * rate);
        l->base += qty - fee;
        l->quote -= notional;
        l->cost += qty_real * px;
        *fqv = (double)fee * l->rules->lot.value * px;
    } else {
        fee = old_fee_units((double)notional * rate);
        double avg = l->base > 0 ? l->cost / ((double)l->base * l->rules->lot.value) : px;
        l->base -= qty;
        l->quote += notional - fee;
        double fee_real = old_quote_real(l, fee);
        l->realized += qty_real * (px - avg) - fee_real;
        l->cost -= qty_real * avg;
        if (l->base == 0) l->cost = 0;
        *fqv = fee_real;
    }
    l->fees_quote_value += *fqv;
    return fee;
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void same_double(double a, double b, const char *what, int step) {
    if (memcmp(&a, &b, sizeof a)) fail_msg("step %d: %s differs: %.17g vs %.17g", step, what, a, b);
}

/* random long-only flows (buys pay in base, sells in quote, never below zero; rebates too):
   the new ledger fed the old fees gives the old doubles bit for bit */
static void test_long_only_bit_identical(void **st) {
    (void)st;
    symbol_rules_t r;
    btcusdt(&r);
    const double rates[][2] = {{0.001, 0.002}, {-0.0001, 0.00075}, {0, 0}};
    for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++) {
        for (int start = 0; start < 2; start++) {
            old_ledger_t o = {&r, rates[k][0], rates[k][1], start ? 2 * BTC : 0, (__int128)100000 * USDT, 0, 0, 0};
            ledger_t l;
            ledger_init(&l, &r, o.base, o.quote);
            ledger_start(&l, 61837.63);
            o.cost = (double)o.base * r.lot.value * 61837.63;
            same_double(l.cost, o.cost, "start cost", -1);
            for (int i = 0; i < 3000; i++) {
                int maker = (int)(next() % 2);
                int64_t price = 6000000 + (int64_t)(next() % 400000); /* 60000.00 .. 63999.99 */
                order_side_t side = next() % 2 ? SIDE_BUY : SIDE_SELL;
                int64_t qty = 1000 + (int64_t)(next() % 5000000);
                if (side == SIDE_SELL) {
                    if (o.base <= 0) side = SIDE_BUY;
                    else if (next() % 8 == 0) qty = o.base; /* back to flat exactly */
                    else if (qty > o.base) qty = o.base;
                }
                double ofq, nfq;
                int64_t fee = old_fill(&o, side, price, qty, maker, &ofq);
                ledger_fee_t f = side == SIDE_BUY ? in_base(fee) : in_quote(fee);
                assert_int_equal(ledger_fill(&l, side, price, qty, maker, &f, &nfq), 0);
                assert_int_equal(l.base, o.base);
                assert_true(l.quote == o.quote);
                same_double(nfq, ofq, "fee value", i);
                same_double(l.cost, o.cost, "cost", i);
                same_double(l.realized, o.realized, "realized", i);
                same_double(l.fees_quote_value, o.fees_quote_value, "fees value", i);
                double mark = price * 0.01;
                same_double(ledger_equity(&l, mark),
                            old_quote_real(&o, o.quote) + (double)o.base * r.lot.value * mark, "equity", i);
                same_double(ledger_unrealized(&l, mark), (double)o.base * r.lot.value * mark - o.cost,
                            "unrealized", i);
            }
            assert_int_equal(l.negative, 0);
            assert_int_equal(l.refused, 0);
            check_identity(&l);
        }
    }
}

/* long -> flat from zero: the sale realizes against the cost raised by the base fee */
static void test_round_trip_long(void **st) {
    (void)st;
    symbol_rules_t r;
    ledger_t l;
    fresh(&l, &r, 0, (__int128)100000 * USDT, 50000);
    /* buy 1 BTC at 50000, fee 0.001 BTC: 0.999 BTC for 50000 USDT */
    assert_int_equal(fill(&l, SIDE_BUY, 5000000, BTC, in_base(100000), NULL), 0);
    assert_int_equal(l.base, 99900000);
    near(l.cost, 50000);
    near(ledger_unrealized(&l, 50000), 0.999 * 50000 - 50000); /* the fee, -50 */
    check_identity(&l);
    /* sell it all at 51000, fee 10 USDT: realized 0.999 * 51000 - 50000 - 10 */
    double fq;
    assert_int_equal(fill(&l, SIDE_SELL, 5100000, 99900000, (ledger_fee_t){10, 0, "USDT"}, &fq), 0);
    near(fq, 10);
    assert_int_equal(l.base, 0);
    near(l.realized, 939);
    assert_true(l.cost == 0);
    assert_true(ledger_unrealized(&l, 12345) == 0);
    near(ledger_equity(&l, 1), 100939);
    near(l.fees_quote_value, 50 + 10);
    check_identity(&l);
}

/* short -> flat from zero: the buy back realizes (sold - bought) * qty; nothing stays
   unrealized. (The old ledger never realized a buy: realized -5, unrealized 1000 when flat.) */
static void test_round_trip_short(void **st) {
    (void)st;
    symbol_rules_t r;
    ledger_t l;
    fresh(&l, &r, 0, (__int128)100000 * USDT, 50000);
    assert_int_equal(fill(&l, SIDE_SELL, 5000000, BTC, (ledger_fee_t){5, 0, "USDT"}, NULL), 0);
    assert_int_equal(l.base, -BTC);
    assert_int_equal(l.negative, 1); /* base below zero: booked and flagged */
    near(l.cost, -50000);
    near(l.realized, -5);
    near(ledger_unrealized(&l, 49000), 1000);
    check_identity(&l);
    /* buy back half at 49000, fee 2.45 USDT: realizes 0.5 * 1000 - 2.45 */
    assert_int_equal(fill(&l, SIDE_BUY, 4900000, BTC / 2, (ledger_fee_t){245, 2, "USDT"}, NULL), 0);
    near(l.realized, -5 + 500 - 2.45);
    near(l.cost, -25000); /* the rest still at 50000 */
    assert_int_equal(l.negative, 2);
    check_identity(&l);
    /* and the other half at 48000 with no fee */
    assert_int_equal(fill(&l, SIDE_BUY, 4800000, BTC / 2, NOFEE, NULL), 0);
    assert_int_equal(l.base, 0);
    near(l.realized, -5 + 500 - 2.45 + 1000);
    assert_true(l.cost == 0);
    assert_true(ledger_unrealized(&l, 50000) == 0);
    assert_true(ledger_unrealized(&l, 10000) == 0);
    assert_int_equal(l.negative, 2); /* flat again: no longer counted */
    near(ledger_equity(&l, 50000) - start_equity(&l), 1492.55);
    assert_true(l.quote == (__int128)100000 * USDT + (__int128)5000000 * BTC - 5 * USDT -
                               (__int128)4900000 * (BTC / 2) - 245 * (USDT / 100) - (__int128)4800000 * (BTC / 2));
    assert_int_equal(l.inv_min, -BTC);
    assert_int_equal(l.inv_max, 0);
    check_identity(&l);
}

/* long -> short -> long: a fill crossing zero realizes the closed part and opens the rest
   at the fill price (the old ledger realized 30 on the first crossing and never the second) */
static void test_round_trip_through_zero(void **st) {
    (void)st;
    symbol_rules_t r;
    ledger_t l;
    fresh(&l, &r, 0, (__int128)1000 * USDT, 100);
    assert_int_equal(fill(&l, SIDE_BUY, 10000, 2 * BTC, NOFEE, NULL), 0); /* 2 at 100 */
    near(l.cost, 200);
    assert_int_equal(fill(&l, SIDE_SELL, 11000, 3 * BTC, NOFEE, NULL), 0); /* 3 at 110 */
    assert_int_equal(l.base, -BTC);
    near(l.realized, 20);
    near(l.cost, -110);
    near(ledger_unrealized(&l, 105), 5);
    check_identity(&l);
    assert_int_equal(fill(&l, SIDE_BUY, 9000, 2 * BTC, NOFEE, NULL), 0); /* 2 at 90 */
    assert_int_equal(l.base, BTC);
    near(l.realized, 40);
    near(l.cost, 90);
    near(ledger_unrealized(&l, 95), 5);
    near(ledger_equity(&l, 95) - start_equity(&l), 45);
    check_identity(&l);

    /* the same with a base fee on the crossing buy: 1.998 BTC received for 180 USDT, so the
       effective price is 180 / 1.998; the short closes at it and 0.998 BTC opens at it */
    ledger_init(&l, &r, 0, (__int128)1000 * USDT);
    ledger_start(&l, 100);
    assert_int_equal(fill(&l, SIDE_BUY, 10000, 2 * BTC, NOFEE, NULL), 0);
    assert_int_equal(fill(&l, SIDE_SELL, 11000, 3 * BTC, NOFEE, NULL), 0);
    double fq;
    assert_int_equal(fill(&l, SIDE_BUY, 9000, 2 * BTC, in_base(200000), &fq), 0);
    near(fq, 0.002 * 90);
    assert_int_equal(l.base, 99800000);
    double e = 180 / 1.998;
    near(l.realized, 20 + (110 - e));
    near(l.cost, 0.998 * e);
    near(ledger_unrealized(&l, 95), 0.998 * 95 - 0.998 * e);
    near(ledger_equity(&l, 95) - start_equity(&l), 1000 - 50 + 0.998 * 95 - 1000);
    check_identity(&l);

    /* a sell crossing with a base fee: 3.003 BTC leave for 330 USDT */
    ledger_init(&l, &r, 0, (__int128)1000 * USDT);
    ledger_start(&l, 100);
    assert_int_equal(fill(&l, SIDE_BUY, 10000, 2 * BTC, NOFEE, NULL), 0);
    assert_int_equal(fill(&l, SIDE_SELL, 11000, 3 * BTC, in_base(300000), NULL), 0);
    assert_int_equal(l.base, -100300000);
    e = 330 / 3.003;
    near(l.realized, 2 * (e - 100));
    near(l.cost, -1.003 * e);
    check_identity(&l);
}

/* a start balance is costed at the start mark; selling through it and buying back */
static void test_start_balance_short(void **st) {
    (void)st;
    symbol_rules_t r;
    ledger_t l;
    fresh(&l, &r, BTC, (__int128)50000 * USDT, 50000);
    assert_int_equal(fill(&l, SIDE_SELL, 5200000, 3 * BTC / 2, NOFEE, NULL), 0); /* 1.5 at 52000 */
    near(l.realized, 2000);
    near(l.cost, -26000);
    assert_int_equal(l.inv_min, -3 * BTC / 2);
    assert_int_equal(fill(&l, SIDE_BUY, 5100000, BTC / 2, NOFEE, NULL), 0); /* cover at 51000 */
    assert_int_equal(l.base, 0);
    near(l.realized, 2500);
    assert_true(l.cost == 0);
    near(ledger_equity(&l, 1) - start_equity(&l), 2500);
    check_identity(&l);
}

/* fees in BNB: kept by asset, valued at the price known at fill time, out of realized and
   equity, moving neither base nor quote */
static void test_fee_other_asset(void **st) {
    (void)st;
    symbol_rules_t r;
    ledger_t l;
    fresh(&l, &r, 0, (__int128)100000 * USDT, 50000);
    assert_int_equal(ledger_set_price(&l, "BNB", 500), 0); /* before the fills */
    double fq;
    /* buy 1 BTC at 50000, fee 0.00075 BNB = 0.375 USDT */
    assert_int_equal(fill(&l, SIDE_BUY, 5000000, BTC, (ledger_fee_t){75000, 8, "BNB"}, &fq), 0);
    near(fq, 0.375);
    assert_int_equal(l.base, BTC);
    assert_true(l.quote == (__int128)50000 * USDT);
    assert_int_equal(l.fee_base, 0);
    assert_true(l.fee_quote == 0);
    assert_int_equal(l.nother, 1);
    assert_string_equal(l.other[0].name, "BNB");
    assert_true(l.other[0].spent == (__int128)750000000000000LL); /* 0.00075e18 */
    near(l.other[0].value, 0.375);
    near(l.fees_other_value, 0.375);
    near(l.fees_quote_value, 0.375);
    near(l.realized, -0.375);
    near(l.cost, 50000);
    near(ledger_equity(&l, 50000), 100000 - 0.375);
    check_identity(&l);
    /* the price moves; the next fee is valued at 600, the first stays at 500 */
    assert_int_equal(ledger_set_price(&l, "BNB", 600), 0);
    assert_int_equal(fill(&l, SIDE_SELL, 5100000, BTC, (ledger_fee_t){76500, 8, "BNB"}, &fq), 0);
    near(fq, 0.459);
    near(l.other[0].value, 0.375 + 0.459);
    near(l.realized, 1000 - 0.375 - 0.459);
    assert_true(l.quote == (__int128)101000 * USDT);
    assert_true(l.cost == 0);
    near(ledger_equity(&l, 1) - start_equity(&l), 1000 - 0.834);
    assert_int_equal(l.unvalued_fees, 0);
    check_identity(&l);
}

/* a BNB fee before any price is known: counted unvalued, value 0, spent kept; a price set
   afterwards values later fees only */
static void test_fee_other_unpriced(void **st) {
    (void)st;
    symbol_rules_t r;
    ledger_t l;
    fresh(&l, &r, 0, (__int128)100000 * USDT, 50000);
    double fq = 1;
    assert_int_equal(fill(&l, SIDE_BUY, 5000000, BTC, (ledger_fee_t){75000, 8, "BNB"}, &fq), 0);
    assert_true(fq == 0);
    assert_int_equal(l.unvalued_fees, 1);
    assert_int_equal(l.nother, 1);
    assert_true(l.other[0].price == 0);
    assert_true(l.other[0].spent == (__int128)750000000000000LL);
    assert_true(l.other[0].value == 0);
    assert_true(l.realized == 0);
    check_identity(&l);
    assert_int_equal(ledger_set_price(&l, "BNB", 400), 0); /* after: the entry is reused */
    assert_int_equal(l.nother, 1);
    assert_true(l.other[0].value == 0);
    /* 18 decimals: 0.000000000000000001 BNB is one unit; 19 rounds up and counts */
    assert_int_equal(fill(&l, SIDE_SELL, 5000000, BTC / 2, (ledger_fee_t){1000, 18, "BNB"}, &fq), 0);
    assert_int_equal(fill(&l, SIDE_SELL, 5000000, BTC / 2, (ledger_fee_t){15, 19, "BNB"}, &fq), 0);
    assert_true(l.other[0].spent == (__int128)750000000000000LL + 1000 + 2);
    assert_int_equal(l.fee_inexact, 1);
    near(l.other[0].value, 1002e-18 * 400);
    assert_int_equal(l.unvalued_fees, 1);
    check_identity(&l);
    /* base and quote need no price: accepted, no entry */
    assert_int_equal(ledger_set_price(&l, "USDT", 1), 0);
    assert_int_equal(ledger_set_price(&l, "BTC", 50000), 0);
    assert_int_equal(l.nother, 1);
    assert_int_equal(ledger_set_price(&l, "", 1), Q_E_INVAL);
    assert_int_equal(ledger_set_price(&l, NULL, 1), Q_E_INVAL);
    assert_int_equal(ledger_set_price(&l, "BNB", -1), Q_E_INVAL);
    assert_int_equal(ledger_set_price(&l, "BNB", NAN), Q_E_INVAL);
    assert_int_equal(ledger_set_price(&l, "AVERYLONGASSETNAME", 1), Q_E_INVAL);
}

/* the other-asset table full: the fill is refused whole */
static void test_fee_table_full(void **st) {
    (void)st;
    symbol_rules_t r;
    ledger_t l;
    fresh(&l, &r, 0, (__int128)100000 * USDT, 50000);
    const char *names[LEDGER_ASSETS] = {"BNB", "ETH", "FDUSD", "EUR"};
    for (int i = 0; i < LEDGER_ASSETS; i++) assert_int_equal(ledger_set_price(&l, names[i], 1 + i), 0);
    assert_int_equal(ledger_set_price(&l, "XRP", 1), Q_E_FULL);
    ledger_t before;
    memcpy(&before, &l, sizeof l);
    double fq = 1;
    assert_int_equal(fill(&l, SIDE_BUY, 5000000, BTC, (ledger_fee_t){1, 8, "XRP"}, &fq), Q_E_FULL);
    assert_true(fq == 0);
    assert_int_equal(l.refused, 1);
    l.refused = 0;
    assert_memory_equal(&l, &before, sizeof l);
    /* a known one still goes through */
    assert_int_equal(fill(&l, SIDE_BUY, 5000000, BTC, (ledger_fee_t){1, 8, "EUR"}, &fq), 0);
    near(fq, 4e-8);
    /* a name too long to keep: refused */
    assert_int_equal(fill(&l, SIDE_BUY, 5000000, BTC, (ledger_fee_t){1, 8, "AVERYLONGASSETNAME"}, &fq), Q_E_INVAL);
    assert_int_equal(l.refused, 1);
}

/* exact conversion with units that are not powers of ten: tick 0.05, lot = step 5e-9 */
static void test_fee_odd_units(void **st) {
    (void)st;
    symbol_rules_t r;
    tu_rules(&r, "XUSDT", "0.05", "0.000000005");
    strcpy(r.base, "X");
    strcpy(r.quote, "USDT");
    assert_int_equal(r.lot.scale, 9);
    assert_int_equal(r.lot.mult, 5);
    ledger_t l;
    ledger_init(&l, &r, 0, (__int128)1 << 80);
    ledger_start(&l, 1);
    /* base: 3e-8 X = 6 lots exact; 7e-9 X = 1.4 lots -> 2 */
    assert_int_equal(fill(&l, SIDE_BUY, 100, 1000, (ledger_fee_t){3, 8, "X"}, NULL), 0);
    assert_int_equal(l.fee_base, 6);
    assert_int_equal(l.fee_inexact, 0);
    assert_int_equal(fill(&l, SIDE_BUY, 100, 1000, (ledger_fee_t){7, 9, "X"}, NULL), 0);
    assert_int_equal(l.fee_base, 8);
    assert_int_equal(l.fee_inexact, 1);
    /* quote unit 0.05 * 5e-9 = 2.5e-10: 1e-9 USDT = 4 units; 1e-10 = 0.4 -> 1; 1e-36 -> 1 */
    assert_int_equal(fill(&l, SIDE_SELL, 100, 10, (ledger_fee_t){1, 9, "USDT"}, NULL), 0);
    assert_true(l.fee_quote == 4);
    assert_int_equal(fill(&l, SIDE_SELL, 100, 10, (ledger_fee_t){1, 10, "USDT"}, NULL), 0);
    assert_true(l.fee_quote == 5);
    assert_int_equal(fill(&l, SIDE_SELL, 100, 10, (ledger_fee_t){1, 36, "USDT"}, NULL), 0);
    assert_true(l.fee_quote == 6);
    assert_int_equal(l.fee_inexact, 3);
    /* INT64_MAX * 10^-36: still one unit; the scale bounds */
    assert_int_equal(fill(&l, SIDE_SELL, 100, 10, (ledger_fee_t){INT64_MAX, 36, "USDT"}, NULL), 0);
    assert_true(l.fee_quote == 7);
    assert_int_equal(fill(&l, SIDE_SELL, 100, 10, (ledger_fee_t){1, 37, "USDT"}, NULL), Q_E_INVAL);
    assert_int_equal(fill(&l, SIDE_SELL, 100, 10, (ledger_fee_t){1, -1, "USDT"}, NULL), Q_E_INVAL);
    assert_int_equal(fill(&l, SIDE_SELL, 100, 10, (ledger_fee_t){INT64_MIN, 36, "X"}, NULL), 0); /* -> 0 */
    assert_int_equal(l.refused, 2);
    assert_true(fabs(l.fees_quote_value - (8 * 5e-9 * 5 + 7 * 2.5e-10)) < 1e-22);
    check_identity(&l);
}

/* a quote balance going below zero is booked and flagged */
static void test_negative_quote(void **st) {
    (void)st;
    symbol_rules_t r;
    ledger_t l;
    fresh(&l, &r, 0, (__int128)100 * USDT, 50000);
    assert_int_equal(fill(&l, SIDE_BUY, 5000000, BTC / 1000, NOFEE, NULL), 0); /* 50 USDT */
    assert_int_equal(l.negative, 0);
    assert_int_equal(fill(&l, SIDE_BUY, 5000000, BTC / 1000, (ledger_fee_t){1, 0, "USDT"}, NULL), 0);
    assert_true(l.quote == -1 * USDT); /* 100 - 50 - 50 - 1 */
    assert_int_equal(l.negative, 1);
    check_identity(&l);
}

/* overflow: any total that would leave its type refuses the fill whole, Q_E_RANGE */
static void test_overflow_refused(void **st) {
    (void)st;
    symbol_rules_t r;
    btcusdt(&r);
    ledger_t l, before;
    ledger_init(&l, &r, 0, 0);
    ledger_start(&l, 50000);
    /* the largest fill the parser can give fits: INT64_MAX lots at INT64_MAX ticks */
    assert_int_equal(fill(&l, SIDE_BUY, INT64_MAX, INT64_MAX, NOFEE, NULL), 0);
    assert_int_equal(l.base, INT64_MAX);
    assert_true(l.quote == -(__int128)INT64_MAX * INT64_MAX);
    assert_int_equal(l.negative, 1);
    memcpy(&before, &l, sizeof l);
#define REFUSED(call)                                     \
    do {                                                  \
        assert_int_equal((call), Q_E_RANGE);              \
        assert_int_equal(l.refused, before.refused + 1);  \
        l.refused = before.refused;                       \
        assert_memory_equal(&l, &before, sizeof l);       \
    } while (0)
    REFUSED(fill(&l, SIDE_BUY, 1, 1, NOFEE, NULL));                  /* base */
    REFUSED(fill(&l, SIDE_BUY, 1, 1, in_base(-1), NULL));            /* base through a rebate */
    REFUSED(fill(&l, SIDE_SELL, 1, 1, in_base(-2), NULL));           /* base - qty - fee, a rebate */
    /* bought */
    ledger_init(&l, &r, 0, 0);
    l.bought = INT64_MAX - 1;
    memcpy(&before, &l, sizeof l);
    REFUSED(fill(&l, SIDE_BUY, 1, 5, NOFEE, NULL));
    /* sold: the largest sale fits once (the quote gains (2^63-1)^2), not twice */
    ledger_init(&l, &r, INT64_MAX, 0);
    assert_int_equal(fill(&l, SIDE_SELL, INT64_MAX, INT64_MAX, NOFEE, NULL), 0);
    assert_int_equal(l.base, 0);
    assert_true(l.sell_notional == (__int128)INT64_MAX * INT64_MAX);
    memcpy(&before, &l, sizeof l);
    REFUSED(fill(&l, SIDE_SELL, 1, 1, NOFEE, NULL));
    /* sell_notional */
    ledger_init(&l, &r, 0, 0);
    l.sell_notional = I128_MAX - 5;
    memcpy(&before, &l, sizeof l);
    REFUSED(fill(&l, SIDE_SELL, 2, 3, NOFEE, NULL));
    /* quote, from the top and from the bottom */
    ledger_init(&l, &r, 0, I128_MAX - 10);
    memcpy(&before, &l, sizeof l);
    REFUSED(fill(&l, SIDE_SELL, 100, 1, NOFEE, NULL));
    ledger_init(&l, &r, 0, -I128_MAX);
    memcpy(&before, &l, sizeof l);
    REFUSED(fill(&l, SIDE_BUY, 100, 1, NOFEE, NULL));
    REFUSED(fill(&l, SIDE_SELL, 1, 1, in_quote(10), NULL));
    /* buy_notional */
    ledger_init(&l, &r, 0, 0);
    l.buy_notional = I128_MAX - 5;
    memcpy(&before, &l, sizeof l);
    REFUSED(fill(&l, SIDE_BUY, 2, 3, NOFEE, NULL));
    /* fee totals */
    ledger_init(&l, &r, 0, 0);
    l.fee_base = INT64_MAX - 1;
    memcpy(&before, &l, sizeof l);
    REFUSED(fill(&l, SIDE_BUY, 2, 100, in_base(5), NULL));
    ledger_init(&l, &r, 0, 0);
    l.fee_quote = I128_MAX - 1;
    memcpy(&before, &l, sizeof l);
    REFUSED(fill(&l, SIDE_SELL, 2, 100, in_quote(5), NULL));
    /* a fee beyond any balance: INT64_MAX BTC is 9.2e26 lots */
    ledger_init(&l, &r, 0, 0);
    memcpy(&before, &l, sizeof l);
    REFUSED(fill(&l, SIDE_BUY, 2, 100, ((ledger_fee_t){INT64_MAX, 0, "BTC"}), NULL));
    /* but INT64_MAX USDT is 9.2e28 units: fits the quote balance */
    assert_int_equal(fill(&l, SIDE_SELL, 2, 100, ((ledger_fee_t){INT64_MAX, 0, "USDT"}), NULL), 0);
    assert_true(l.fee_quote == (__int128)INT64_MAX * USDT);
    /* the inventory relative to the start */
    ledger_init(&l, &r, -1000, 0);
    l.base = INT64_MAX - 10;
    memcpy(&before, &l, sizeof l);
    REFUSED(fill(&l, SIDE_BUY, 2, 5, NOFEE, NULL));
    /* an other asset's spent total */
    ledger_init(&l, &r, 0, 0);
    assert_int_equal(ledger_set_price(&l, "BNB", 1), 0);
    l.other[0].spent = I128_MAX - 3;
    memcpy(&before, &l, sizeof l);
    REFUSED(fill(&l, SIDE_BUY, 2, 5, ((ledger_fee_t){1, 17, "BNB"}), NULL));
#undef REFUSED
    /* nonsense fills */
    ledger_init(&l, &r, 0, 0);
    assert_int_equal(fill(&l, SIDE_BUY, 0, 5, NOFEE, NULL), Q_E_INVAL);
    assert_int_equal(fill(&l, SIDE_BUY, 5, 0, NOFEE, NULL), Q_E_INVAL);
    assert_int_equal(fill(&l, SIDE_SELL, -5, 5, NOFEE, NULL), Q_E_INVAL);
    assert_int_equal(l.refused, 3);
    assert_int_equal(l.fills, 0);
}

/* a deposit or withdrawal leaves the equity PnL is measured on unchanged, whether it comes
   before the first mark (during a start-up sync) or later, of the quote or the base */
static void test_pnl_equity_ignores_transfers(void **st) {
    (void)st;
    symbol_rules_t r;
    ledger_t l;
    fresh(&l, &r, 100000000, (__int128)1000 * 10000000000LL, 0); /* 1 BTC, 1000 USDT, no mark yet */
    double before = ledger_pnl_equity(&l, 60000);
    assert_int_equal(ledger_transfer(&l, 0, (__int128)250 * 10000000000LL, 0), 0); /* +250 USDT, unmarked */
    assert_true(fabs(ledger_pnl_equity(&l, 60000) - before) < 1e-9);
    assert_int_equal(ledger_transfer(&l, 1, -50000000, 60000), 0); /* -0.5 BTC at 60000 */
    assert_true(fabs(ledger_pnl_equity(&l, 60000) - before) < 1e-9);
    assert_true(fabs(ledger_equity(&l, 60000) - before - 250 + 30000) < 1e-6); /* the equity itself moved */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_no_fee),
        cmocka_unit_test(test_long_only_bit_identical),
        cmocka_unit_test(test_round_trip_long),
        cmocka_unit_test(test_round_trip_short),
        cmocka_unit_test(test_round_trip_through_zero),
        cmocka_unit_test(test_start_balance_short),
        cmocka_unit_test(test_fee_other_asset),
        cmocka_unit_test(test_fee_other_unpriced),
        cmocka_unit_test(test_fee_table_full),
        cmocka_unit_test(test_fee_odd_units),
        cmocka_unit_test(test_negative_quote),
        cmocka_unit_test(test_overflow_refused),
        cmocka_unit_test(test_pnl_equity_ignores_transfers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
