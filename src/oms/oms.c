/* oms.c: quote diffing, order events, balances (see oms.h). */
#include "oms.h"

#include <string.h>

#include "../core/err.h"

void oms_init(oms_t *m, venue_t *v, const symbol_rules_t *rules, order_type_t type, int64_t tolerance,
              int64_t max_age_ns, int max_open, int orders_per_10s) {
    memset(m, 0, sizeof *m);
    m->venue = v;
    m->type = type;
    m->tolerance = tolerance;
    m->max_age_ns = max_age_ns;
    m->next_id = 1;
    for (int i = 0; i < OMS_POOL; i++) m->orders[i].state = ORD_CANCELED; /* free slots */
    risk_init(&m->risk, rules, max_open < OMS_POOL / 2 ? max_open : OMS_POOL / 2, orders_per_10s,
              10000000000LL);
}

order_t *oms_find(oms_t *m, uint64_t id) {
    order_t *o = &m->orders[id % OMS_POOL];
    return o->id == id ? o : 0;
}

int oms_open_count(const oms_t *m) { return m->nlive; }

static void untrack(oms_t *m, const order_t *o) {
    int slot = (int)(o - m->orders);
    for (int i = 0; i < m->nlive; i++)
        if (m->live[i] == slot) {
            m->live[i] = m->live[--m->nlive];
            return;
        }
}

void oms_risk_state(const oms_t *m, risk_state_t *st) {
    st->open = 0;
    st->base_free = m->ledger.base;
    st->quote_free = m->ledger.quote;
    for (int i = 0; i < m->nlive; i++) {
        const order_t *o = &m->orders[m->live[i]];
        st->open++;
        int64_t rest = o->qty - o->filled;
        if (o->side == SIDE_SELL) st->base_free -= rest;
        else st->quote_free -= (__int128)o->price * rest;
    }
}

void oms_best_live(const oms_t *m, int64_t *bid, int64_t *ask) {
    *bid = *ask = 0;
    for (int i = 0; i < m->nlive; i++) {
        const order_t *o = &m->orders[m->live[i]];
        if (o->state != ORD_NEW && o->state != ORD_PARTIALLY_FILLED) continue;
        if (o->side == SIDE_BUY) { if (o->price > *bid) *bid = o->price; }
        else if (!*ask || o->price < *ask) *ask = o->price;
    }
}

static order_t *alloc_order(oms_t *m) {
    for (int tries = 0; tries < OMS_POOL; tries++) {
        uint64_t id = m->next_id++;
        order_t *o = &m->orders[id % OMS_POOL];
        if (o->id && order_is_live(o->state)) continue; /* still in use: skip this id */
        memset(o, 0, sizeof *o);
        o->id = id;
        return o;
    }
    m->st.pool_full++;
    return 0;
}

static void send_cancel(oms_t *m, order_t *o, int64_t now) {
    if (order_apply(o, OEV_CANCEL_SENT, 0)) return;
    m->st.cancels_sent++;
    m->venue->vt->cancel(m->venue, o, now);
}

/* a new order for quote w (level k); `old`, when given, is canceled by the same request
   (an atomic cancel-replace). Returns 0 when the request went out. */
static int send_new(oms_t *m, order_side_t side, const quote_t *w, int k, order_t *old, int64_t now) {
    order_t *o = alloc_order(m);
    if (!o) return Q_E_FULL;
    o->side = side;
    o->type = m->type;
    o->price = w->price;
    o->qty = w->qty;
    o->level = k;
    o->sent_ns = now;
    o->state = ORD_PENDING_NEW;
    int rc;
    if (old) {
        order_apply(old, OEV_CANCEL_SENT, 0);
        m->st.cancels_sent++;
        m->st.replaced++;
        rc = m->venue->vt->replace(m->venue, old, o, now);
    } else {
        rc = m->venue->vt->place(m->venue, o, now);
    }
    if (rc) {
        o->state = ORD_REJECTED;
        o->reason = "venue request queue full";
        m->st.rejected++;
        if (m->hooks.on_done) m->hooks.on_done(m->hooks.ctx, o);
        return rc;
    }
    m->live[m->nlive++] = (int)(o - m->orders);
    risk_note_sent(&m->risk, now);
    m->st.sent++;
    return 0;
}

void oms_update(oms_t *m, const quote_set_t *want, int64_t now) {
    static const quote_set_t none;
    if (!want) want = &none;
    risk_state_t rs;
    oms_risk_state(m, &rs);
    for (int side = 0; side < 2; side++) {
        const quote_t *w = side == SIDE_BUY ? want->bids : want->asks;
        int nw = side == SIDE_BUY ? want->nbids : want->nasks;
        int kept[STRAT_MAX_LEVELS] = {0};
        order_t *stale[OMS_POOL];
        int nstale = 0, used = 0;
        /* keep the live orders that still fit a wanted quote; the others are stale */
        for (int i = 0; i < m->nlive; i++) {
            order_t *o = &m->orders[m->live[i]];
            if ((int)o->side != side) continue;
            if (o->state != ORD_NEW && o->state != ORD_PARTIALLY_FILLED && o->state != ORD_PENDING_NEW) continue;
            int match = -1;
            int fresh = !m->max_age_ns || now - o->sent_ns < m->max_age_ns;
            for (int k = 0; fresh && k < nw; k++) {
                int64_t d = o->price - w[k].price;
                if (!kept[k] && w[k].qty == o->qty && d <= m->tolerance && -d <= m->tolerance) {
                    match = k;
                    break;
                }
            }
            /* an order still in flight holds its place until it is acknowledged: replacing
               it now would only pile up requests (one request in flight per level) */
            for (int k = 0; match < 0 && o->state == ORD_PENDING_NEW && k < nw; k++)
                if (!kept[k]) match = k;
            if (match >= 0) kept[match] = 1;
            else stale[nstale++] = o;
        }
        /* each wanted quote replaces a stale order in one request where one is left (an
           acknowledged one: a replace needs the order to exist), or goes out new */
        for (int k = 0; k < nw; k++) {
            if (kept[k]) continue;
            /* what stale orders lock stays locked until the venue confirms their cancel */
            if (risk_check(&m->risk, &rs, (order_side_t)side, w[k].price, w[k].qty, now) != RISK_OK) continue;
            order_t *old = 0;
            while (used < nstale && !old) {
                order_t *c = stale[used++];
                if (c->state == ORD_PENDING_NEW || !m->venue->vt->replace) send_cancel(m, c, now);
                else old = c;
            }
            if (send_new(m, (order_side_t)side, &w[k], k, old, now)) break;
            rs.open++;
            if (side == SIDE_BUY) rs.quote_free -= (__int128)w[k].price * w[k].qty;
            else rs.base_free -= w[k].qty;
        }
        while (used < nstale) send_cancel(m, stale[used++], now);
    }
}

void oms_on_venue(void *ctx, const venue_event_t *ev) {
    oms_t *m = ctx;
    order_t *o = oms_find(m, ev->order_id);
    if (!o) {
        m->st.unknown_order_events++;
        return;
    }
    order_state_t before = o->state;
    int rc = 0;
    switch (ev->type) {
    case VEV_ACK:
        rc = order_apply(o, OEV_ACK, 0);
        if (!rc) { o->acked_ns = ev->local_ns; m->st.acked++; }
        break;
    case VEV_REJECT:
        rc = order_apply(o, OEV_REJECT, 0);
        if (!rc) { o->reason = ev->reason; m->st.rejected++; }
        break;
    case VEV_FILL: {
        rc = order_apply(o, OEV_FILL, ev->qty);
        if (rc) break;
        double fee_q;
        int64_t fee = ledger_fill(&m->ledger, o->side, ev->price, ev->qty, ev->maker, &fee_q);
        o->fees_quote += fee_q;
        if (m->hooks.on_fill) m->hooks.on_fill(m->hooks.ctx, o, ev, fee, fee_q);
        if (o->state == ORD_FILLED) m->st.filled_orders++;
        break;
    }
    case VEV_CANCELED:
        rc = order_apply(o, OEV_CANCELED, 0);
        if (!rc) m->st.canceled++;
        break;
    case VEV_CANCEL_REJECT:
        /* the usual cause: the order filled before the cancel arrived */
        m->st.cancel_rejects++;
        if (o->state == ORD_PENDING_CANCEL) rc = order_apply(o, OEV_CANCEL_REJECT, 0);
        break;
    case VEV_EXPIRED:
        rc = order_apply(o, OEV_EXPIRED, 0);
        if (!rc) m->st.expired++;
        break;
    }
    if (rc) m->st.state_errors++;
    if (!order_is_terminal(before) && order_is_terminal(o->state)) {
        o->done_ns = ev->local_ns;
        untrack(m, o);
        if (m->hooks.on_done) m->hooks.on_done(m->hooks.ctx, o);
    }
}
