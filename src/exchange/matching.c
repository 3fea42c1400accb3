/* matching.c: the local exchange's order engine (see matching.h). */
#include "matching.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"

#define CID_SLOTS (MATCH_MAX_ORDERS * 2) /* a power of two */

static void on_sim_event(void *ctx, const venue_event_t *ev);

int matching_init(matching_t *m, const symbol_rules_t *r, accounts_t *acc, const book_t *book) {
    memset(m, 0, sizeof *m);
    m->r = r;
    m->acc = acc;
    m->book = book;
    m->sim_rules = *r;
    m->sim_rules.min_notional = m->sim_rules.max_notional = 0;
    m->sim_rules.min_price = m->sim_rules.max_price = 0;
    m->sim_rules.min_qty = m->sim_rules.max_qty = 0;
    m->max_open = r->max_num_orders ? r->max_num_orders : 200;
    m->orders = calloc(MATCH_MAX_ORDERS, sizeof *m->orders);
    m->trades = calloc(MATCH_MAX_TRADES, sizeof *m->trades);
    m->cid_index = calloc(CID_SLOTS, sizeof *m->cid_index);
    if (!m->orders || !m->trades || !m->cid_index) return Q_E_NOMEM;
    queue_model_t qm = {QUEUE_CONSERVATIVE, 2};
    sim_init(&m->sim, book, &m->sim_rules, qm, 0, 0);
    m->sim.base.sink = on_sim_event;
    m->sim.base.sink_ctx = m;
    m->next_id = 1;
    return 0;
}

void matching_free(matching_t *m) {
    free(m->cid_index);
    m->cid_index = 0;
    free(m->orders);
    free(m->trades);
    m->orders = 0;
    m->trades = 0;
}

int xorder_live(const xorder_t *o) { return o->id && (o->status == XS_NEW || o->status == XS_PARTIALLY_FILLED); }

static xorder_t *by_id(matching_t *m, uint64_t id) {
    xorder_t *o = &m->orders[id % MATCH_MAX_ORDERS];
    return o->id == id ? o : 0;
}

/* ---- client order id index: (account, cid) -> the newest order with it ---------- */

static uint32_t cid_hash(int a, const char *cid) {
    uint32_t h = 2166136261u ^ (uint32_t)a;
    for (const unsigned char *p = (const unsigned char *)cid; *p; p++) h = (h ^ *p) * 16777619u;
    return h;
}

/* the slot holding (a, cid), or the empty slot where it would go */
static uint32_t cid_slot(matching_t *m, int a, const char *cid) {
    uint32_t i = cid_hash(a, cid) & (CID_SLOTS - 1);
    for (;;) {
        uint64_t id = m->cid_index[i];
        if (!id) return i;
        xorder_t *o = by_id(m, id);
        if (o && o->acct == a && !strcmp(o->cid, cid)) return i;
        i = (i + 1) & (CID_SLOTS - 1);
    }
}

static void cid_rebuild(matching_t *m) {
    memset(m->cid_index, 0, CID_SLOTS * sizeof *m->cid_index);
    m->cid_used = 0;
    uint64_t lo = m->next_id > MATCH_MAX_ORDERS ? m->next_id - MATCH_MAX_ORDERS : 1;
    for (uint64_t id = lo; id < m->next_id; id++) { /* oldest first: the newest wins */
        xorder_t *o = by_id(m, id);
        if (!o) continue;
        uint32_t i = cid_slot(m, o->acct, o->cid);
        if (!m->cid_index[i]) m->cid_used++;
        m->cid_index[i] = id;
    }
}

static void cid_put(matching_t *m, const xorder_t *o) {
    if (m->cid_used * 10 >= CID_SLOTS * 7) cid_rebuild(m); /* entries of forgotten orders go */
    uint32_t i = cid_slot(m, o->acct, o->cid);
    if (!m->cid_index[i]) m->cid_used++;
    m->cid_index[i] = o->id;
}

xorder_t *matching_find(matching_t *m, int a, uint64_t id, const char *cid) {
    if (id) {
        xorder_t *o = by_id(m, id);
        return o && o->acct == a ? o : 0;
    }
    if (!cid || !cid[0]) return 0;
    uint64_t k = m->cid_index[cid_slot(m, a, cid)];
    return k ? by_id(m, k) : 0;
}

static int64_t fee_units(double amount) { return amount >= 0 ? (int64_t)ceil(amount - 1e-9) : (int64_t)ceil(amount); }

/* releases what a finished order still locks */
static void release(matching_t *m, xorder_t *o) {
    account_t *a = &m->acc->a[o->acct];
    a->base_free += o->lock_base;
    a->base_locked -= o->lock_base;
    a->quote_free += o->lock_quote;
    a->quote_locked -= o->lock_quote;
    o->lock_base = 0;
    o->lock_quote = 0;
    a->open_orders--;
}

static void on_sim_event(void *ctx, const venue_event_t *ev) {
    matching_t *m = ctx;
    xorder_t *o = by_id(m, ev->order_id);
    if (!o || !xorder_live(o)) return;
    account_t *a = &m->acc->a[o->acct];
    o->update_ms = m->now_ms;
    switch (ev->type) {
    case VEV_FILL: {
        int64_t q = ev->qty;
        __int128 notional = (__int128)ev->price * q;
        double rate = ev->maker ? a->maker_fee : a->taker_fee;
        int64_t fee;
        if (o->side == SIDE_BUY) {
            __int128 locked = (__int128)o->lock_price * q;
            if (locked > o->lock_quote) locked = o->lock_quote;
            o->lock_quote -= locked;
            a->quote_locked -= locked;
            a->quote_free += locked - notional;
            fee = fee_units((double)q * rate);
            a->base_free += q - fee;
        } else {
            o->lock_base -= q;
            a->base_locked -= q;
            fee = fee_units((double)notional * rate);
            a->quote_free += notional - fee;
        }
        o->executed += q;
        o->cum_quote += notional;
        o->status = o->executed == o->qty ? XS_FILLED : XS_PARTIALLY_FILLED;
        uint64_t tid = ++m->ntrades;
        xtrade_t *t = &m->trades[tid % MATCH_MAX_TRADES];
        *t = (xtrade_t){tid, o->id, o->acct, o->side, ev->price, q, fee, m->now_ms, ev->maker};
        xfill_t f = {ev->price, q, fee, o->side == SIDE_BUY, tid, ev->maker};
        if (m->nfills < MATCH_MAX_FILLS) m->fills[m->nfills++] = f;
        if (o->status == XS_FILLED) release(m, o);
        if (m->on_exec) m->on_exec(m->exec_ctx, o, "TRADE", &f);
        break;
    }
    case VEV_CANCELED:
        o->status = m->expiring ? XS_EXPIRED : XS_CANCELED;
        release(m, o);
        if (m->on_exec) m->on_exec(m->exec_ctx, o, m->expiring ? "EXPIRED" : "CANCELED", 0);
        break;
    case VEV_REJECT:
        o->status = XS_REJECTED;
        release(m, o);
        break;
    default:
        break;
    }
}

const char *xstatus_name(xstatus_t s) {
    static const char *const n[] = {"NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "REJECTED", "EXPIRED"};
    return n[s];
}
const char *xtype_name(xtype_t t) {
    static const char *const n[] = {"LIMIT", "LIMIT_MAKER", "MARKET"};
    return n[t];
}
const char *xtif_name(xtif_t t) {
    static const char *const n[] = {"GTC", "IOC", "FOK"};
    return n[t];
}

/* what taking `qty` from the book up to `limit` (0: no limit) would fill and cost */
static void walk(const matching_t *m, order_side_t side, int64_t qty, int64_t limit, int64_t *filled, __int128 *cost,
                 int64_t *worst) {
    book_top_t t;
    book_top(m->book, &t);
    book_side_t opp = side == SIDE_BUY ? BOOK_ASK : BOOK_BID;
    int64_t p = side == SIDE_BUY ? t.ask : t.bid, q = side == SIDE_BUY ? t.ask_qty : t.bid_qty;
    *filled = 0;
    *cost = 0;
    *worst = 0;
    while (p > 0 && *filled < qty) {
        if (limit && (side == SIDE_BUY ? p > limit : p < limit)) break;
        int64_t take = qty - *filled < q ? qty - *filled : q;
        *filled += take;
        *cost += (__int128)p * take;
        *worst = p;
        if (!book_next(m->book, opp, p, &p, &q)) break;
    }
}

static int filter_error(const char *name, const char **msg) {
    *msg = symbol_filter_failure(name);
    return -1013;
}

int matching_place(matching_t *m, int ai, const xplace_t *p, int64_t now_ms, xorder_t **out, const char **msg) {
    account_t *a = &m->acc->a[ai];
    m->nfills = 0;
    m->now_ms = now_ms;
    const symbol_rules_t *r = m->r;
    /* filters, exactly (MARKET orders: quantity rules, and notional at the current price) */
    int64_t price = p->price;
    int market = p->type == XT_MARKET;
    if (!market && !symbol_price_ok(r, price)) return filter_error("PRICE_FILTER", msg);
    if (!symbol_qty_ok(r, p->qty)) return filter_error(market ? "MARKET_LOT_SIZE" : "LOT_SIZE", msg);
    int64_t filled;
    __int128 cost;
    int64_t worst;
    walk(m, p->side, p->qty, market ? 0 : price, &filled, &cost, &worst);
    /* a MARKET order's notional at the prices it would take */
    __int128 notional = market ? (filled ? cost * p->qty / filled : 0) : (__int128)price * p->qty;
    if (!symbol_notional_ok(r, notional, market)) return filter_error("NOTIONAL", msg);
    if (p->type == XT_LIMIT_MAKER && filled > 0) {
        *msg = "Order would immediately match and take.";
        return -2010;
    }
    if (p->type == XT_MARKET && filled == 0) {
        *msg = "Market is closed.";
        return -2010;
    }
    if (a->open_orders >= m->max_open) return filter_error("MAX_NUM_ORDERS", msg);
    if (p->cid && p->cid[0]) {
        xorder_t *dup = matching_find(m, ai, 0, p->cid);
        if (dup && xorder_live(dup)) {
            *msg = "Duplicate order sent.";
            return -2010;
        }
    }
    /* balances: a buy locks quote at its limit price (a market buy: what the walk costs), a sell locks base */
    int64_t lock_price = p->type == XT_MARKET ? worst : price;
    __int128 need_quote = p->side == SIDE_BUY ? (p->type == XT_MARKET ? cost : (__int128)price * p->qty) : 0;
    int64_t need_base = p->side == SIDE_SELL ? p->qty : 0;
    if (need_quote > a->quote_free || need_base > a->base_free) {
        *msg = "Account has insufficient balance for requested action.";
        return -2010;
    }
    if (p->test) return 0;
    uint64_t id = m->next_id++;
    xorder_t *o = &m->orders[id % MATCH_MAX_ORDERS];
    memset(o, 0, sizeof *o);
    o->id = id;
    o->acct = ai;
    if (p->cid && p->cid[0]) snprintf(o->cid, sizeof o->cid, "%s", p->cid);
    else snprintf(o->cid, sizeof o->cid, "x-quoter-%llu", (unsigned long long)id);
    cid_put(m, o);
    o->side = p->side;
    o->type = p->type;
    o->tif = p->tif;
    o->price = p->type == XT_MARKET ? 0 : price;
    o->qty = p->qty;
    o->status = XS_NEW;
    o->time_ms = o->update_ms = now_ms;
    o->lock_base = need_base;
    o->lock_quote = need_quote;
    o->lock_price = lock_price;
    a->base_free -= need_base;
    a->base_locked += need_base;
    a->quote_free -= need_quote;
    a->quote_locked += need_quote;
    a->open_orders++;
    *out = o;
    if (m->on_exec) m->on_exec(m->exec_ctx, o, "NEW", 0);
    if (p->tif == XTIF_FOK && filled < p->qty) { /* all or nothing */
        o->status = XS_EXPIRED;
        release(m, o);
        if (m->on_exec) m->on_exec(m->exec_ctx, o, "EXPIRED", 0);
        return 0;
    }
    order_t so;
    memset(&so, 0, sizeof so);
    so.id = id;
    so.side = p->side;
    so.type = p->type == XT_LIMIT_MAKER ? OT_LIMIT_MAKER : OT_LIMIT;
    so.price = p->type == XT_MARKET ? worst : price;
    so.qty = p->qty;
    int64_t now_ns = now_ms * 1000000;
    m->sim.base.vt->place(&m->sim.base, &so, now_ns);
    sim_advance(&m->sim, now_ns);
    sim_deliver(&m->sim, now_ns);
    /* IOC and MARKET: what did not fill at once expires */
    if (xorder_live(o) && (p->tif != XTIF_GTC || p->type == XT_MARKET)) {
        m->expiring = 1;
        m->sim.base.vt->cancel(&m->sim.base, &so, now_ns);
        sim_advance(&m->sim, now_ns);
        sim_deliver(&m->sim, now_ns);
        m->expiring = 0;
    }
    return 0;
}

int matching_cancel(matching_t *m, int ai, uint64_t id, const char *cid, int64_t now_ms, xorder_t **out, const char **msg) {
    m->nfills = 0;
    m->now_ms = now_ms;
    xorder_t *o = matching_find(m, ai, id, cid);
    if (!o || !xorder_live(o)) {
        *msg = "Unknown order sent.";
        return -2011;
    }
    order_t so;
    memset(&so, 0, sizeof so);
    so.id = o->id;
    int64_t now_ns = now_ms * 1000000;
    m->sim.base.vt->cancel(&m->sim.base, &so, now_ns);
    sim_advance(&m->sim, now_ns);
    sim_deliver(&m->sim, now_ns);
    *out = o;
    return 0;
}

void matching_on_market(matching_t *m, const md_event_t *ev, int64_t now_ms) {
    m->now_ms = now_ms;
    m->nfills = 0;
    int64_t now_ns = now_ms * 1000000;
    sim_on_market(&m->sim, ev, now_ns);
    sim_deliver(&m->sim, now_ns);
}

int matching_amend(matching_t *m, int ai, uint64_t id, const char *cid, int64_t new_qty, int64_t now_ms,
                   xorder_t **out, const char **msg) {
    m->nfills = 0;
    m->now_ms = now_ms;
    xorder_t *o = matching_find(m, ai, id, cid);
    if (!o || !xorder_live(o)) {
        *msg = "Order does not exist.";
        return -2013;
    }
    if (new_qty <= 0 || new_qty % m->r->step_lots) {
        *msg = "Filter failure: LOT_SIZE";
        return -1013;
    }
    if (new_qty >= o->qty) {
        *msg = "Order amend (quantity increase) is not supported.";
        return -2038;
    }
    if (new_qty < o->executed) {
        *msg = "Order amend (quantity below executed) is not supported.";
        return -2038;
    }
    if (o->amends >= 10) {
        *msg = "Order amend (too many amends) is not supported.";
        return -2038;
    }
    account_t *a = &m->acc->a[o->acct];
    int64_t cut = o->qty - new_qty;
    if (o->side == SIDE_BUY) {
        __int128 free_q = (__int128)o->lock_price * cut;
        if (free_q > o->lock_quote) free_q = o->lock_quote;
        o->lock_quote -= free_q;
        a->quote_locked -= free_q;
        a->quote_free += free_q;
    } else {
        o->lock_base -= cut;
        a->base_locked -= cut;
        a->base_free += cut;
    }
    o->qty = new_qty;
    o->amends++;
    o->update_ms = now_ms;
    sim_amend(&m->sim, o->id, new_qty);
    if (o->executed == new_qty) {
        o->status = XS_FILLED;
        release(m, o);
    }
    *out = o;
    return 0;
}
