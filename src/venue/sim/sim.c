/* sim.c: the simulated venue (see sim.h). */
#include "sim.h"

#include <string.h>

#include "../../core/err.h"

static int sim_place(venue_t *v, const order_t *o, int64_t now_ns);
static int sim_cancel(venue_t *v, const order_t *o, int64_t now_ns);
static int sim_replace(venue_t *v, const order_t *old, const order_t *o, int64_t now_ns);
static const venue_vt_t sim_vt = {"sim", sim_place, sim_cancel, sim_replace};

void sim_init(sim_t *s, const book_t *book, const symbol_rules_t *rules, queue_model_t qm,
              int64_t entry_ns, int64_t response_ns) {
    memset(s, 0, sizeof *s);
    s->base.vt = &sim_vt;
    s->book = book;
    s->rules = rules;
    s->qm = qm;
    s->entry_ns = entry_ns;
    s->response_ns = response_ns;
}

static int push_request(sim_t *s, sim_request_kind_t kind, const order_t *o, uint64_t old_id, int64_t now_ns) {
    if (s->req_tail - s->req_head >= SIM_MAX_REQUESTS) return Q_E_FULL;
    sim_request_t *r = &s->req[s->req_tail++ % SIM_MAX_REQUESTS];
    r->kind = kind;
    r->old_id = old_id;
    r->arrive_ns = now_ns + s->entry_ns;
    memset(&r->o, 0, sizeof r->o);
    r->o.id = o->id;
    r->o.side = o->side;
    r->o.type = o->type;
    r->o.price = o->price;
    r->o.qty = o->qty;
    return 0;
}

static int sim_place(venue_t *v, const order_t *o, int64_t now_ns) {
    return push_request((sim_t *)v, SIM_PLACE, o, 0, now_ns);
}

static int sim_cancel(venue_t *v, const order_t *o, int64_t now_ns) {
    return push_request((sim_t *)v, SIM_CANCEL, o, 0, now_ns);
}

static int sim_replace(venue_t *v, const order_t *old, const order_t *o, int64_t now_ns) {
    return push_request((sim_t *)v, SIM_REPLACE, o, old->id, now_ns);
}

static void emit(sim_t *s, venue_event_type_t type, uint64_t id, int64_t exch_ns, int64_t price,
                 int64_t qty, int maker, int code, const char *reason) {
    if (s->ev_tail - s->ev_head >= SIM_MAX_EVENTS) {
        s->st.dropped_events++;
        return;
    }
    venue_event_t *e = &s->ev[s->ev_tail++ % SIM_MAX_EVENTS];
    e->type = type;
    e->order_id = id;
    e->exch_ns = exch_ns;
    e->local_ns = exch_ns + s->response_ns;
    e->price = price;
    e->qty = qty;
    e->maker = maker;
    e->code = code;
    e->reason = reason;
}

static void fill(sim_t *s, sim_order_t *o, int64_t price, int64_t qty, int maker, int64_t t) {
    if (qty > o->qty - o->filled) qty = o->qty - o->filled;
    if (qty <= 0) return;
    o->filled += qty;
    s->st.fills++;
    emit(s, VEV_FILL, o->id, t, price, qty, maker, 0, 0);
}

/* the top as the exchange sees it: the bookTicker when it is newer than the book */
static void top(const sim_t *s, book_top_t *t) { book_top(s->book, t); }

static void arrive_place(sim_t *s, sim_order_t *o, int64_t t) {
    const char *why = symbol_check_order(s->rules, o->price, o->qty);
    if (why) {
        s->st.rejected++;
        s->st.filter_rejects++;
        emit(s, VEV_REJECT, o->id, t, 0, 0, 0, -1013, symbol_filter_failure(why));
        return;
    }
    if (s->nresting >= SIM_MAX_RESTING) {
        s->st.rejected++;
        emit(s, VEV_REJECT, o->id, t, 0, 0, 0, -1015, "Too many new orders.");
        return;
    }
    book_top_t tp;
    top(s, &tp);
    int buy = o->side == SIDE_BUY;
    int crosses = buy ? (tp.ask > 0 && o->price >= tp.ask) : (tp.bid > 0 && o->price <= tp.bid);
    if (crosses && o->type == OT_LIMIT_MAKER) {
        s->st.rejected++;
        s->st.post_only_rejects++;
        emit(s, VEV_REJECT, o->id, t, 0, 0, 0, -2010, "Order would immediately match and take.");
        return;
    }
    s->st.placed++;
    emit(s, VEV_ACK, o->id, t, 0, 0, 0, 0, 0);
    if (crosses) { /* take level by level, up to our price */
        book_side_t opp = buy ? BOOK_ASK : BOOK_BID;
        int64_t lp = buy ? tp.ask : tp.bid, lq = buy ? tp.ask_qty : tp.bid_qty;
        for (;;) {
            if (buy ? lp > o->price : lp < o->price) break;
            if (lq > 0) {
                s->st.taker_fills++;
                fill(s, o, lp, lq, 0, t);
            }
            if (o->filled == o->qty) return;
            if (!book_next(s->book, opp, lp, &lp, &lq)) break;
        }
    }
    sim_order_t *r = &s->resting[s->nresting++];
    *r = *o;
    queue_join(&s->qm, &r->q, book_qty(s->book, buy ? BOOK_BID : BOOK_ASK, o->price));
}

static void remove_resting(sim_t *s, int i) { s->resting[i] = s->resting[--s->nresting]; }

/* returns 1 when the order was resting and is now canceled */
static int arrive_cancel(sim_t *s, uint64_t id, int64_t t) {
    for (int i = 0; i < s->nresting; i++)
        if (s->resting[i].id == id) {
            s->st.canceled++;
            emit(s, VEV_CANCELED, id, t, 0, 0, 0, 0, 0);
            remove_resting(s, i);
            return 1;
        }
    s->st.cancel_rejects++;
    emit(s, VEV_CANCEL_REJECT, id, t, 0, 0, 0, -2011, "Unknown order sent.");
    return 0;
}

void sim_advance(sim_t *s, int64_t exch_ns) {
    while (s->req_head < s->req_tail) {
        sim_request_t *r = &s->req[s->req_head % SIM_MAX_REQUESTS];
        if (r->arrive_ns > exch_ns) break;
        s->req_head++;
        if (r->kind == SIM_CANCEL) {
            arrive_cancel(s, r->o.id, r->arrive_ns);
        } else if (r->kind == SIM_REPLACE) {
            s->st.replaces++;
            if (arrive_cancel(s, r->old_id, r->arrive_ns)) {
                arrive_place(s, &r->o, r->arrive_ns);
            } else { /* STOP_ON_FAILURE: the new order is not attempted */
                s->st.rejected++;
                emit(s, VEV_REJECT, r->o.id, r->arrive_ns, 0, 0, 0, -2022, "Order cancel/replace failed.");
            }
        } else {
            arrive_place(s, &r->o, r->arrive_ns);
        }
    }
}

void sim_on_market(sim_t *s, const md_event_t *ev, int64_t t) {
    if (s->nresting == 0) return;
    book_top_t tp;
    top(s, &tp);
    for (int i = 0; i < s->nresting; i++) {
        sim_order_t *o = &s->resting[i];
        int buy = o->side == SIDE_BUY;
        if (ev->type == MD_TRADE) {
            /* buyer_maker: a seller hit the bids */
            if (ev->u.trade.buyer_maker != buy) continue;
            int64_t p = ev->u.trade.price;
            if (buy ? p < o->price : p > o->price) {
                s->st.through_fills++;
                fill(s, o, o->price, o->qty, 1, t);
            } else if (p == o->price) {
                int64_t n = queue_on_trade(&s->qm, &o->q, ev->u.trade.qty);
                if (n > 0) {
                    s->st.queue_fills++;
                    fill(s, o, o->price, n, 1, t);
                }
            }
        } else if (ev->type == MD_DIFF || ev->type == MD_SNAPSHOT || ev->type == MD_BBO) {
            if (ev->type == MD_BBO) {
                int64_t bp = buy ? ev->u.bbo.bid : ev->u.bbo.ask;
                if (bp == o->price) queue_on_level(&s->qm, &o->q, buy ? ev->u.bbo.bid_qty : ev->u.bbo.ask_qty);
            } else {
                queue_on_level(&s->qm, &o->q, book_qty(s->book, buy ? BOOK_BID : BOOK_ASK, o->price));
            }
            int64_t opp = buy ? tp.ask : tp.bid, opp_qty = buy ? tp.ask_qty : tp.bid_qty;
            if (opp > 0 && (buy ? opp < o->price : opp > o->price)) {
                s->st.cross_fills++;
                fill(s, o, o->price, o->qty, 1, t);
            } else if (opp == o->price && o->q.ahead <= 0 && opp_qty > 0) {
                s->st.cross_fills++;
                fill(s, o, o->price, opp_qty, 1, t);
            }
        }
        if (o->filled == o->qty) {
            remove_resting(s, i);
            i--;
        }
    }
}

void sim_deliver(sim_t *s, int64_t local_ns) {
    while (s->ev_head < s->ev_tail) {
        venue_event_t *e = &s->ev[s->ev_head % SIM_MAX_EVENTS];
        if (e->local_ns > local_ns) break;
        s->ev_head++;
        if (s->base.sink) s->base.sink(s->base.sink_ctx, e);
    }
}

int sim_amend(sim_t *s, uint64_t id, int64_t new_qty) {
    for (int i = 0; i < s->nresting; i++)
        if (s->resting[i].id == id) {
            s->resting[i].qty = new_qty;
            if (new_qty <= s->resting[i].filled) remove_resting(s, i);
            return 1;
        }
    return 0;
}
