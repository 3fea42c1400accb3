/* sim.c: the simulated venue (see sim.h). */
#include "sim.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/err.h"

static int sim_place(venue_t *v, const order_t *o, int64_t now_ns);
static int sim_cancel(venue_t *v, const order_t *o, int64_t now_ns);
static int sim_replace(venue_t *v, const order_t *old, const order_t *o, venue_replace_mode_t mode,
                       int64_t now_ns);
static int sim_query(venue_t *v, const order_t *o, int64_t now_ns);
static int sim_cancel_all(venue_t *v, int64_t now_ns);
static int sim_sync(venue_t *v, int64_t now_ns);
static const venue_vt_t sim_vt = {"sim", sim_place, sim_cancel, sim_replace, sim_query, sim_cancel_all, sim_sync};

int sim_init(sim_t *s, const book_t *book, const symbol_rules_t *rules, queue_model_t qm, int64_t entry_ns,
             int64_t response_ns, double maker_fee, double taker_fee, int64_t base, __int128 quote) {
    /* everything before the inline arrays; those (used, resting, req) are read only below
       their counts, each entry written before, so their pages stay untouched until used
       (a sweep has one sim per engine) */
    memset(s, 0, offsetof(sim_t, used));
    /* calloc: large blocks come as untouched zero pages, resident only once used */
    s->ev = calloc(SIM_MAX_EVENTS, sizeof *s->ev);
    s->done = calloc(SIM_MAX_DONE, sizeof *s->done);
    s->trades = calloc(SIM_MAX_TRADES, sizeof *s->trades);
    if (!s->ev || !s->done || !s->trades) {
        sim_free(s);
        return Q_E_NOMEM;
    }
    s->base.vt = &sim_vt;
    s->book = book;
    s->rules = rules;
    s->qm = qm;
    latency_constant(&s->own_lat, entry_ns, response_ns);
    s->lat = &s->own_lat;
    s->cross_fills = 1;
    s->take_once = 1;
    s->maker_fee = maker_fee;
    s->taker_fee = taker_fee;
    s->bal_base = base;
    s->bal_quote = quote;
    return 0;
}

void sim_free(sim_t *s) {
    free(s->ev);
    free(s->done);
    free(s->trades);
    s->ev = 0;
    s->done = 0;
    s->trades = 0;
}

/* at most ORDER_CID_MAX characters, always terminated */
static void copy_cid(char *dst, const char *src) {
    size_t n = 0;
    while (n < ORDER_CID_MAX && src[n]) n++;
    memcpy(dst, src, n);
    dst[n] = 0;
}

/* ---- requests ------------------------------------------------------------------ */

static sim_request_t *push_request(sim_t *s, sim_request_kind_t kind, int64_t now_ns) {
    if (s->req_tail - s->req_head >= SIM_MAX_REQUESTS) return 0;
    sim_request_t *r = &s->req[s->req_tail++ % SIM_MAX_REQUESTS];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->arrive_ns = now_ns + latency_entry(s->lat, now_ns);
    return r;
}

/* the order as the request carries it; new: it is a new order (its id assigned now) */
static void take_order(sim_t *s, sim_order_t *d, const order_t *o, int new) {
    d->id = o->venue_id;
    if (new && !d->id) d->id = ++s->next_order_id;
    copy_cid(d->cid, o->cid);
    d->side = o->side;
    d->type = o->type;
    d->price = o->price;
    d->qty = o->qty;
}

static int sim_place(venue_t *v, const order_t *o, int64_t now_ns) {
    sim_t *s = (sim_t *)v;
    sim_request_t *r = push_request(s, SIM_PLACE, now_ns);
    if (!r) return VENUE_NOT_SENT;
    take_order(s, &r->o, o, 1);
    return VENUE_SENT;
}

static int sim_cancel(venue_t *v, const order_t *o, int64_t now_ns) {
    sim_t *s = (sim_t *)v;
    sim_request_t *r = push_request(s, SIM_CANCEL, now_ns);
    if (!r) return VENUE_NOT_SENT;
    take_order(s, &r->o, o, 0);
    return VENUE_SENT;
}

static int sim_replace(venue_t *v, const order_t *old, const order_t *o, venue_replace_mode_t mode,
                       int64_t now_ns) {
    sim_t *s = (sim_t *)v;
    sim_request_t *r = push_request(s, SIM_REPLACE, now_ns);
    if (!r) return VENUE_NOT_SENT;
    r->mode = mode;
    r->old_id = old->venue_id;
    copy_cid(r->old_cid, old->cid);
    take_order(s, &r->o, o, 1);
    return VENUE_SENT;
}

static int sim_query(venue_t *v, const order_t *o, int64_t now_ns) {
    sim_t *s = (sim_t *)v;
    sim_request_t *r = push_request(s, SIM_QUERY, now_ns);
    if (!r) return VENUE_NOT_SENT;
    take_order(s, &r->o, o, 0);
    return VENUE_SENT;
}

static int sim_cancel_all(venue_t *v, int64_t now_ns) {
    return push_request((sim_t *)v, SIM_CANCEL_ALL, now_ns) ? VENUE_SENT : VENUE_NOT_SENT;
}

static int sim_sync(venue_t *v, int64_t now_ns) {
    return push_request((sim_t *)v, SIM_SYNC, now_ns) ? VENUE_SENT : VENUE_NOT_SENT;
}

/* ---- events -------------------------------------------------------------------- */

/* a cleared event at exchange time t (cum not stated), or 0 when the ring is full */
static venue_event_t *emit(sim_t *s, venue_event_type_t type, int64_t t) {
    if (s->ev_tail - s->ev_head >= SIM_MAX_EVENTS) {
        s->st.dropped_events++;
        return 0;
    }
    venue_event_t *e = &s->ev[s->ev_tail++ % SIM_MAX_EVENTS];
    memset(e, 0, sizeof *e);
    e->type = type;
    e->exch_ns = t;
    e->local_ns = t + latency_response(s->lat, t);
    e->cum_qty = -1;
    return e;
}

static venue_status_t order_status(const sim_order_t *o) {
    return o->filled == 0 ? VST_NEW : o->filled >= o->qty ? VST_FILLED : VST_PARTIALLY_FILLED;
}

/* an event about order o, its status and cum as they stand */
static venue_event_t *emit_order(sim_t *s, venue_event_type_t type, const sim_order_t *o, venue_status_t st,
                                 int64_t t) {
    venue_event_t *e = emit(s, type, t);
    if (!e) return 0;
    memcpy(e->cid, o->cid, sizeof e->cid);
    e->order_id = o->id;
    e->side = o->side;
    e->status = st;
    e->cum_qty = o->filled;
    e->cum_quote = o->cum_quote;
    return e;
}

static void emit_reject(sim_t *s, const sim_order_t *o, venue_request_t req, int64_t t, int code,
                        const char *reason) {
    s->st.rejected++;
    venue_event_t *e = emit_order(s, VEV_REJECT, o, VST_REJECTED, t);
    if (!e) return;
    e->req = req;
    e->code = code;
    e->reason = reason;
}

/* states a trade's fee on the event, in the asset's decimal units */
static void state_fee(const sim_t *s, venue_event_t *e, order_side_t side, int64_t units) {
    const symbol_rules_t *r = s->rules;
    if (side == SIDE_BUY) {
        e->fee = units * r->lot.mult;
        e->fee_scale = r->lot.scale;
        memcpy(e->fee_asset, r->base, sizeof e->fee_asset);
    } else {
        e->fee = (int64_t)((__int128)units * r->tick.mult * r->lot.mult);
        e->fee_scale = r->tick.scale + r->lot.scale;
        memcpy(e->fee_asset, r->quote, sizeof e->fee_asset);
    }
    e->fee_asset[sizeof e->fee_asset - 1] = 0;
}

/* a trade as an event; exch_ns: when it is told (the trade's own time is tr->exch_ns);
   local_ns: when it reaches us, the response latency already drawn by the caller (once per
   event: a second draw would move the model's stream and make a fill's latency the larger
   of two) */
static void emit_trade(const sim_t *s, const sim_trade_t *tr, const char *cid, order_side_t side, int64_t exch_ns, int64_t local_ns,
                       venue_event_t *e) {
    if (!e) return;
    memset(e, 0, sizeof *e);
    e->type = VEV_FILL;
    e->exch_ns = exch_ns;
    e->local_ns = local_ns;
    memcpy(e->cid, cid, sizeof e->cid);
    e->order_id = tr->order_id;
    e->side = side;
    e->status = tr->status;
    e->cum_qty = tr->cum_qty;
    e->cum_quote = tr->cum_quote;
    e->price = tr->price;
    e->qty = tr->qty;
    e->trade_id = tr->id;
    e->maker = tr->maker;
    e->by = tr->by;
    e->source_id = tr->source_id;
    state_fee(s, e, side, tr->fee_units);
}

/* ---- fills and fees -------------------------------------------------------------- */

/* rounds a fee away from zero for charges, toward zero for rebates (as the ledger did) */
static int64_t fee_units(double amount) {
    return amount >= 0 ? (int64_t)ceil(amount - 1e-9) : (int64_t)ceil(amount);
}

/* one trade of ours: by and src say what made it (sim_trade_t) */
static void fill(sim_t *s, sim_order_t *o, int64_t price, int64_t qty, int maker, int64_t t, venue_fill_by_t by,
                 uint64_t src) {
    if (qty > o->qty - o->filled) qty = o->qty - o->filled;
    if (qty <= 0) return;
    __int128 notional = (__int128)price * qty;
    double rate = maker ? s->maker_fee : s->taker_fee;
    int64_t fee;
    if (o->side == SIDE_BUY) {
        fee = fee_units((double)qty * rate); /* lots of base */
        s->bal_base += qty - fee;
        s->bal_quote -= notional;
        s->fees_base += fee;
    } else {
        fee = fee_units((double)notional * rate); /* tick*lot units of quote */
        s->bal_base -= qty;
        s->bal_quote += notional - fee;
        s->fees_quote += fee;
    }
    o->filled += qty;
    o->cum_quote += notional;
    s->st.fills++;
    int64_t id = ++s->ntrades;
    sim_trade_t *tr = &s->trades[id % SIM_MAX_TRADES];
    tr->id = id;
    tr->prev = o->last_trade;
    tr->order_id = o->id;
    tr->exch_ns = t;
    tr->price = price;
    tr->qty = qty;
    tr->fee_units = fee;
    tr->cum_qty = o->filled;
    tr->cum_quote = o->cum_quote;
    tr->status = order_status(o);
    tr->maker = maker;
    tr->by = by;
    tr->source_id = src;
    o->last_trade = id;
    venue_event_t *e = emit(s, VEV_FILL, t);
    if (e) emit_trade(s, tr, o->cid, o->side, t, e->local_ns, e);
}

/* ---- the order memory ------------------------------------------------------------ */

/* remembers an order leaving the book */
static void record_done(sim_t *s, const sim_order_t *o, venue_status_t st) {
    sim_record_t *r = &s->done[s->ndone++ % SIM_MAX_DONE];
    r->id = o->id;
    memcpy(r->cid, o->cid, sizeof r->cid);
    r->side = o->side;
    r->status = st;
    r->price = o->price;
    r->qty = o->qty;
    r->filled = o->filled;
    r->cum_quote = o->cum_quote;
    r->last_trade = o->last_trade;
}

/* does order (id, cid) answer to a request naming (want_id, want_cid)? */
static int names(uint64_t id, const char *cid, uint64_t want_id, const char *want_cid) {
    if (!want_id && !want_cid[0]) return 0;
    if (want_id && id != want_id) return 0;
    return !want_cid[0] || strcmp(cid, want_cid) == 0;
}

static int find_resting(const sim_t *s, uint64_t id, const char *cid) {
    for (int i = 0; i < s->nresting; i++)
        if (names(s->resting[i].id, s->resting[i].cid, id, cid)) return i;
    return -1;
}

/* ---- what our fills took of the opposite levels ---------------------------------------- */

/* the top as the exchange sees it: the bookTicker when it is newer than the book */
static void top(const sim_t *s, book_top_t *t) { book_top(s->book, t); }

/* a level's quantity as the exchange sees it: the top from `tp` (the bookTicker when newer),
   deeper levels from the book; none better than the top */
static int64_t level_now(const sim_t *s, const book_top_t *tp, book_side_t side, int64_t price) {
    int64_t best = side == BOOK_ASK ? tp->ask : tp->bid;
    if (best <= 0 || (side == BOOK_ASK ? price < best : price > best)) return 0;
    if (price == best) return side == BOOK_ASK ? tp->ask_qty : tp->bid_qty;
    return book_qty(s->book, side, price);
}

static sim_used_t *used_at(sim_t *s, book_side_t side, int64_t price) {
    for (int i = 0; i < s->nused[side]; i++)
        if (s->used[side][i].price == price) return &s->used[side][i];
    return 0;
}

static int64_t used_qty(sim_t *s, book_side_t side, int64_t price) {
    const sim_used_t *u = used_at(s, side, price);
    return u ? u->qty : 0;
}

static void used_add(sim_t *s, book_side_t side, int64_t price, int64_t qty, const book_top_t *tp) {
    sim_used_t *u = used_at(s, side, price);
    if (!u) {
        if (s->nused[side] == SIM_MAX_USED) { /* full: forget the level farthest from the top */
            int far = 0;
            int64_t best = side == BOOK_ASK ? tp->ask : tp->bid;
            for (int i = 1; i < SIM_MAX_USED; i++) {
                int64_t di = s->used[side][i].price - best, df = s->used[side][far].price - best;
                if ((di < 0 ? -di : di) > (df < 0 ? -df : df)) far = i;
            }
            s->used[side][far] = s->used[side][--s->nused[side]];
        }
        u = &s->used[side][s->nused[side]++];
        u->price = price;
        u->qty = 0;
    }
    u->qty += qty;
}

/* after a book event: a level that went is new liquidity when it comes back; one that
   shrank below what we took keeps no more than it shows (which part left is unknown) */
static void used_prune(sim_t *s, const book_top_t *tp) {
    for (int side = 0; side < 2; side++)
        for (int i = 0; i < s->nused[side]; i++) {
            sim_used_t *u = &s->used[side][i];
            int64_t q = level_now(s, tp, (book_side_t)side, u->price);
            if (q <= 0) {
                *u = s->used[side][--s->nused[side]];
                i--;
            } else if (u->qty > q) {
                u->qty = q;
            }
        }
}

/* ---- arrival ----------------------------------------------------------------------- */

static void arrive_place(sim_t *s, sim_order_t *o, venue_request_t req, int64_t t) {
    const char *why = symbol_check_order(s->rules, o->price, o->qty);
    if (why) {
        s->st.filter_rejects++;
        emit_reject(s, o, req, t, -1013, symbol_filter_failure(why));
        return;
    }
    if (s->nresting >= SIM_MAX_RESTING) {
        emit_reject(s, o, req, t, VENUE_CODE_TOO_MANY, "Too many new orders.");
        return;
    }
    book_top_t tp;
    top(s, &tp);
    int buy = o->side == SIDE_BUY;
    int crosses = buy ? (tp.ask > 0 && o->price >= tp.ask) : (tp.bid > 0 && o->price <= tp.bid);
    if (crosses && o->type == OT_LIMIT_MAKER) {
        s->st.post_only_rejects++;
        emit_reject(s, o, req, t, -2010, "Order would immediately match and take.");
        return;
    }
    s->st.placed++;
    o->live_ns = t;
    o->seq = ++s->nseq;
    venue_event_t *e = emit_order(s, VEV_ACK, o, VST_NEW, t);
    if (e) e->req = req;
    if (crosses) { /* take level by level, up to our price, what our fills have not taken yet */
        book_side_t opp = buy ? BOOK_ASK : BOOK_BID;
        int64_t lp = buy ? tp.ask : tp.bid, lq = buy ? tp.ask_qty : tp.bid_qty;
        for (;;) {
            if (buy ? lp > o->price : lp < o->price) break;
            int64_t avail = lq - (s->take_once ? used_qty(s, opp, lp) : 0), take = o->qty - o->filled;
            if (take > avail) take = avail;
            if (take > 0) {
                s->st.taker_fills++;
                fill(s, o, lp, take, 0, t, VFILL_TAKER, 0);
                if (s->take_once) used_add(s, opp, lp, take, &tp);
            }
            if (o->filled == o->qty) {
                record_done(s, o, VST_FILLED);
                return;
            }
            if (!book_next(s->book, opp, lp, &lp, &lq)) break;
        }
    }
    sim_order_t *r = &s->resting[s->nresting++];
    *r = *o;
    s->bounds_ok = 0;
    queue_join(&s->qm, &r->q, book_qty(s->book, buy ? BOOK_BID : BOOK_ASK, o->price));
}

static void remove_resting(sim_t *s, int i) {
    s->resting[i] = s->resting[--s->nresting];
    s->bounds_ok = 0;
}

/* sim_t's max_buy and min_sell, from the resting orders when they changed */
static void bounds(sim_t *s) {
    if (s->bounds_ok) return;
    s->max_buy = s->min_sell = 0;
    for (int i = 0; i < s->nresting; i++) {
        const sim_order_t *o = &s->resting[i];
        if (o->side == SIDE_BUY) { if (o->price > s->max_buy) s->max_buy = o->price; }
        else if (!s->min_sell || o->price < s->min_sell) s->min_sell = o->price;
    }
    s->bounds_ok = 1;
}

static void cancel_at(sim_t *s, int i, venue_request_t req, int64_t t) {
    sim_order_t *o = &s->resting[i];
    s->st.canceled++;
    venue_event_t *e = emit_order(s, VEV_CANCELED, o, VST_CANCELED, t);
    if (e) e->req = req;
    record_done(s, o, VST_CANCELED);
    remove_resting(s, i);
}

/* o names the order to cancel (id and/or cid); returns 1 when it was resting and is now
   canceled */
static int arrive_cancel(sim_t *s, const sim_order_t *o, venue_request_t req, int64_t t) {
    int i = find_resting(s, o->id, o->cid);
    if (i >= 0) {
        cancel_at(s, i, req, t);
        return 1;
    }
    s->st.cancel_rejects++;
    venue_event_t *e = emit(s, VEV_CANCEL_REJECT, t);
    if (e) {
        memcpy(e->cid, o->cid, sizeof e->cid);
        e->order_id = o->id;
        e->side = o->side;
        e->req = req;
        e->code = VENUE_CODE_UNKNOWN_ORDER;
        e->reason = "Unknown order sent.";
    }
    return 0;
}

/* the status, then every trade still remembered, oldest first */
static void arrive_query(sim_t *s, const sim_order_t *q, int64_t t) {
    s->st.queries++;
    const sim_order_t *live = 0;
    const sim_record_t *rec = 0;
    int i = find_resting(s, q->id, q->cid);
    if (i >= 0) live = &s->resting[i];
    else
        for (int64_t n = s->ndone - 1; n >= 0 && n >= s->ndone - SIM_MAX_DONE; n--) {
            const sim_record_t *r = &s->done[n % SIM_MAX_DONE];
            if (names(r->id, r->cid, q->id, q->cid)) {
                rec = r;
                break;
            }
        }
    venue_event_t *e = emit(s, VEV_STATUS, t);
    if (!e) return;
    e->req = VREQ_QUERY;
    if (!live && !rec) {
        memcpy(e->cid, q->cid, sizeof e->cid);
        e->order_id = q->id;
        e->side = q->side;
        e->status = VST_NONE;
        e->code = VENUE_CODE_NO_SUCH_ORDER;
        e->reason = "Order does not exist.";
        return;
    }
    sim_order_t o; /* the fields the events carry */
    memset(&o, 0, sizeof o);
    if (live) o = *live;
    else {
        o.id = rec->id;
        memcpy(o.cid, rec->cid, sizeof o.cid);
        o.side = rec->side;
        o.price = rec->price;
        o.qty = rec->qty;
        o.filled = rec->filled;
        o.cum_quote = rec->cum_quote;
        o.last_trade = rec->last_trade;
    }
    memcpy(e->cid, o.cid, sizeof e->cid);
    e->order_id = o.id;
    e->side = o.side;
    e->status = live ? order_status(live) : rec->status;
    e->cum_qty = o.filled;
    e->cum_quote = o.cum_quote;
    e->price = o.price;
    e->qty = o.qty;
    /* the trades: count those remembered, then write them oldest first */
    int64_t oldest = s->ntrades - SIM_MAX_TRADES; /* ids above it are in the ring */
    int n = 0;
    for (int64_t id = o.last_trade; id > 0 && id > oldest; id = s->trades[id % SIM_MAX_TRADES].prev) n++;
    if (n > SIM_MAX_EVENTS - (s->ev_tail - s->ev_head)) {
        s->st.dropped_events += n;
        return;
    }
    int k = n;
    for (int64_t id = o.last_trade; id > 0 && id > oldest; id = s->trades[id % SIM_MAX_TRADES].prev) {
        const sim_trade_t *tr = &s->trades[id % SIM_MAX_TRADES];
        venue_event_t *f = &s->ev[(s->ev_tail + --k) % SIM_MAX_EVENTS];
        emit_trade(s, tr, o.cid, o.side, t, e->local_ns, f); /* with the status that tells them */
        f->exch_ns = tr->exch_ns; /* when the trade happened; it reaches us with the status */
    }
    s->ev_tail += n;
}

static void arrive_cancel_all(sim_t *s, int64_t t) {
    s->st.cancel_alls++;
    while (s->nresting > 0) cancel_at(s, 0, VREQ_CANCEL_ALL, t);
}

/* what resting orders lock: base for sells, quote for buys */
static void locks(const sim_t *s, int64_t *base, __int128 *quote) {
    *base = 0;
    *quote = 0;
    for (int i = 0; i < s->nresting; i++) {
        const sim_order_t *o = &s->resting[i];
        int64_t left = o->qty - o->filled;
        if (o->side == SIDE_SELL) *base += left;
        else *quote += (__int128)o->price * left;
    }
}

static void emit_balance(sim_t *s, const char *asset, __int128 total, __int128 locked, int64_t t) {
    venue_event_t *e = emit(s, VEV_BALANCE, t);
    if (!e) return;
    e->req = VREQ_SYNC;
    memcpy(e->asset, asset, sizeof e->asset);
    e->asset[sizeof e->asset - 1] = 0;
    e->free = total - locked;
    e->locked = locked;
}

static void arrive_sync(sim_t *s, int64_t t) {
    s->st.syncs++;
    for (int i = 0; i < s->nresting; i++) {
        const sim_order_t *o = &s->resting[i];
        venue_event_t *e = emit_order(s, VEV_OPEN_ORDER, o, order_status(o), t);
        if (!e) continue;
        e->req = VREQ_SYNC;
        e->price = o->price;
        e->qty = o->qty;
    }
    int64_t lb;
    __int128 lq;
    locks(s, &lb, &lq);
    emit_balance(s, s->rules->base, s->bal_base, lb, t);
    emit_balance(s, s->rules->quote, s->bal_quote, lq, t);
    venue_event_t *e = emit(s, VEV_SYNC_DONE, t);
    if (e) e->req = VREQ_SYNC;
}

int64_t sim_next_arrival(const sim_t *s) {
    return s->req_head < s->req_tail ? s->req[s->req_head % SIM_MAX_REQUESTS].arrive_ns : INT64_MAX;
}

void sim_advance(sim_t *s, int64_t exch_ns) {
    while (s->req_head < s->req_tail) {
        sim_request_t *r = &s->req[s->req_head % SIM_MAX_REQUESTS];
        if (r->arrive_ns > exch_ns) break;
        s->req_head++;
        switch (r->kind) {
        case SIM_CANCEL:
            arrive_cancel(s, &r->o, VREQ_CANCEL, r->arrive_ns);
            break;
        case SIM_REPLACE: {
            s->st.replaces++;
            sim_order_t old;
            memset(&old, 0, sizeof old);
            old.id = r->old_id;
            memcpy(old.cid, r->old_cid, sizeof old.cid);
            old.side = r->o.side;
            if (arrive_cancel(s, &old, VREQ_REPLACE, r->arrive_ns) || r->mode == VREPLACE_ALLOW_FAILURE)
                arrive_place(s, &r->o, VREQ_REPLACE, r->arrive_ns);
            else /* STOP_ON_FAILURE: the new order is not attempted */
                emit_reject(s, &r->o, VREQ_REPLACE, r->arrive_ns, VENUE_CODE_REPLACE_FAILED,
                            "Order cancel/replace failed.");
            break;
        }
        case SIM_QUERY:
            arrive_query(s, &r->o, r->arrive_ns);
            break;
        case SIM_CANCEL_ALL:
            arrive_cancel_all(s, r->arrive_ns);
            break;
        case SIM_SYNC:
            arrive_sync(s, r->arrive_ns);
            break;
        default:
            arrive_place(s, &r->o, VREQ_PLACE, r->arrive_ns);
            break;
        }
    }
    if (s->req_head == s->req_tail) s->req_head = s->req_tail = 0; /* as sim_deliver's ring */
}

/* ---- the market ------------------------------------------------------------------- */

/* indices of resting orders, sorted in price-time priority: better price first (higher
   for buys, lower for sells), then earlier arrival */
static void by_priority(const sim_t *s, int *idx, int n) {
    for (int i = 1; i < n; i++) {
        int k = idx[i], j = i;
        const sim_order_t *a = &s->resting[k];
        for (; j > 0; j--) {
            const sim_order_t *b = &s->resting[idx[j - 1]];
            int better = a->price != b->price ? (a->side == SIDE_BUY ? a->price > b->price : a->price < b->price)
                                              : a->seq < b->seq;
            if (!better) break;
            idx[j] = idx[j - 1];
        }
        idx[j] = k;
    }
}

/* a market trade: its quantity, once, to our orders on its passive side live at its time */
static void on_trade(sim_t *s, const md_event_t *ev, int64_t t) {
    /* buyer_maker: a seller hit the bids, so our buys are on the passive side */
    order_side_t passive = ev->u.trade.buyer_maker ? SIDE_BUY : SIDE_SELL;
    int64_t p = ev->u.trade.price, q = ev->u.trade.qty, left = q;
    int idx[SIM_MAX_RESTING], n = 0;
    for (int i = 0; i < s->nresting; i++) {
        const sim_order_t *o = &s->resting[i];
        if (o->side != passive || o->live_ns > t) continue; /* not ours to fill, or sent after the print */
        if (passive == SIDE_BUY ? o->price >= p : o->price <= p) idx[n++] = i;
    }
    by_priority(s, idx, n);
    for (int k = 0; k < n; k++) {
        sim_order_t *o = &s->resting[idx[k]];
        int64_t f;
        if (o->price == p) {
            /* the queue ahead of us takes what reaches our price first; the recorded level
               lost the whole print (queue_on_level must not read it as a cancel) */
            f = queue_on_trade(&s->qm, &o->q, left);
            o->q.traded += q - left;
            if (f > 0) s->st.queue_fills++;
        } else {
            f = left; /* the print is through our price: what is left of it reaches us */
            if (f > 0) s->st.through_fills++;
        }
        if (f > o->qty - o->filled) f = o->qty - o->filled;
        if (f <= 0) continue;
        fill(s, o, o->price, f, 1, t, VFILL_TRADE, ev->u.trade.id);
        left -= f;
    }
}

static uint64_t book_event_id(const md_event_t *ev) {
    switch (ev->type) {
    case MD_DIFF: return ev->u.diff.last_id;
    case MD_SNAPSHOT: return ev->u.snap.last_id;
    case MD_BBO: return ev->u.bbo.id;
    default: return 0;
    }
}

/* the opposite side crossing our orders of side `side`: each, in priority, takes what the
   crossing levels hold beyond what our fills took already */
static void cross_side(sim_t *s, order_side_t side, const book_top_t *tp, const md_event_t *ev, int64_t t) {
    int buy = side == SIDE_BUY;
    book_side_t opp = buy ? BOOK_ASK : BOOK_BID;
    int64_t best = buy ? tp->ask : tp->bid, best_qty = buy ? tp->ask_qty : tp->bid_qty;
    if (best <= 0) return;
    int idx[SIM_MAX_RESTING], n = 0;
    for (int i = 0; i < s->nresting; i++) {
        const sim_order_t *o = &s->resting[i];
        if (o->side != side || o->live_ns > t) continue;
        /* through our price; or at it, once nothing is left ahead of us */
        if ((buy ? best < o->price : best > o->price) || (best == o->price && o->q.ahead <= 0)) idx[n++] = i;
    }
    by_priority(s, idx, n);
    for (int k = 0; k < n; k++) {
        sim_order_t *o = &s->resting[idx[k]];
        int64_t want = o->qty - o->filled, got = 0;
        int64_t lp = best, lq = best_qty;
        for (;;) {
            if (buy ? lp > o->price : lp < o->price) break;
            if (lp == o->price && o->q.ahead > 0) break;
            int64_t take = lq - used_qty(s, opp, lp);
            if (take > want - got) take = want - got;
            if (take > 0) {
                used_add(s, opp, lp, take, tp);
                got += take;
            }
            if (got == want || !book_next(s->book, opp, lp, &lp, &lq)) break;
        }
        if (got > 0) {
            s->st.cross_fills++;
            fill(s, o, o->price, got, 1, t, VFILL_CROSS, book_event_id(ev));
        }
    }
}

void sim_on_market(sim_t *s, const md_event_t *ev, int64_t t) {
    /* Shortcuts where no resting order can be reached: then the loops below would change
       nothing and fill nothing (so no order is left to take off the book: a filled one
       leaves at once), and skipping them saves a sweep's engines most of their memory
       traffic. A trade reaches only orders at or through its price. */
    if (ev->type == MD_TRADE) {
        if (!s->nresting) return;
        bounds(s);
        if (ev->u.trade.buyer_maker ? !s->max_buy || s->max_buy < ev->u.trade.price
                                    : !s->min_sell || s->min_sell > ev->u.trade.price)
            return;
        on_trade(s, ev, t);
    } else if (ev->type == MD_DIFF || ev->type == MD_SNAPSHOT || ev->type == MD_BBO) {
        book_top_t tp;
        top(s, &tp);
        if (s->nused[0] || s->nused[1]) used_prune(s, &tp);
        if (!s->nresting) return;
        if (ev->type == MD_BBO) {
            /* a bookTicker moves the queue only of orders at its prices, and the top crosses
               only orders at or through it (cross_side's test) */
            bounds(s);
            int buys_quiet = !s->max_buy || (ev->u.bbo.bid > s->max_buy && (tp.ask <= 0 || tp.ask > s->max_buy));
            int sells_quiet = !s->min_sell || (ev->u.bbo.ask < s->min_sell && (tp.bid <= 0 || tp.bid < s->min_sell));
            if (buys_quiet && sells_quiet) return;
        }
        int cross[2] = {0, 0}; /* per order side: an order cross_side would take (its test, after the queue moved) */
        for (int i = 0; i < s->nresting; i++) {
            sim_order_t *o = &s->resting[i];
            int buy = o->side == SIDE_BUY;
            if (ev->type == MD_BBO) {
                int64_t bp = buy ? ev->u.bbo.bid : ev->u.bbo.ask;
                if (bp == o->price) queue_on_level(&s->qm, &o->q, buy ? ev->u.bbo.bid_qty : ev->u.bbo.ask_qty);
            } else {
                queue_on_level(&s->qm, &o->q, book_qty(s->book, buy ? BOOK_BID : BOOK_ASK, o->price));
            }
            int64_t best = buy ? tp.ask : tp.bid;
            if (best > 0 && o->live_ns <= t &&
                ((buy ? best < o->price : best > o->price) || (best == o->price && o->q.ahead <= 0)))
                cross[o->side] = 1;
        }
        /* most book events cross nothing of ours: cross_side only where one would */
        if (s->cross_fills && s->nresting) {
            if (cross[SIDE_BUY]) cross_side(s, SIDE_BUY, &tp, ev, t);
            if (cross[SIDE_SELL]) cross_side(s, SIDE_SELL, &tp, ev, t);
        }
    }
    /* filled orders leave the book; backwards, so a swapped-in order was seen already */
    for (int i = s->nresting - 1; i >= 0; i--)
        if (s->resting[i].filled >= s->resting[i].qty) {
            record_done(s, &s->resting[i], VST_FILLED);
            remove_resting(s, i);
        }
}

void sim_deliver(sim_t *s, int64_t local_ns) {
    while (s->ev_head < s->ev_tail) {
        venue_event_t *e = &s->ev[s->ev_head % SIM_MAX_EVENTS];
        if (e->local_ns > local_ns) break;
        s->ev_head++;
        if (s->base.sink) s->base.sink(s->base.sink_ctx, e);
    }
    /* empty: start the ring over, so a run keeps using its first pages (the counters are
       only ever compared or taken modulo the size) */
    if (s->ev_head == s->ev_tail) s->ev_head = s->ev_tail = 0;
}

int sim_amend(sim_t *s, uint64_t id, int64_t new_qty) {
    for (int i = 0; i < s->nresting; i++)
        if (s->resting[i].id == id) {
            s->resting[i].qty = new_qty;
            if (new_qty <= s->resting[i].filled) {
                record_done(s, &s->resting[i], VST_FILLED);
                remove_resting(s, i);
            }
            return 1;
        }
    return 0;
}
