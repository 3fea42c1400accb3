/* oms.c: quote diffing, order events, deadlines and queries, balances (see oms.h). */
#include "oms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"
#include "../proto/params.h"

void oms_config_default(oms_config_t *c) {
    memset(c, 0, sizeof *c);
    c->type = OT_LIMIT_MAKER;
    c->max_open = 20;
    c->timeout_ns = 10000000000LL;
    c->prefix = "q";
    c->family = "q";
    c->earlier = OMS_EARLIER_CANCEL;
    c->replace_mode = VREPLACE_STOP_ON_FAILURE;
}

int oms_init(oms_t *m, venue_t *v, const symbol_rules_t *rules, const oms_config_t *cfg) {
    memset(m, 0, sizeof *m);
    oms_config_t def;
    if (!cfg) {
        oms_config_default(&def);
        cfg = &def;
    }
    m->cfg = *cfg;
    const char *p = cfg->prefix ? cfg->prefix : "q", *f = cfg->family ? cfg->family : "q";
    size_t pl = strlen(p), fl = strlen(f);
    if (!pl || pl > OMS_PREFIX_MAX || fl > pl || strncmp(p, f, fl) || !proto_valid_id(p)) return Q_E_INVAL;
    m->trade_slot = calloc(OMS_TRADE_SLOTS, sizeof *m->trade_slot);
    m->trade_fifo = calloc(OMS_TRADE_KEEP, sizeof *m->trade_fifo);
    if (!m->trade_slot || !m->trade_fifo) {
        oms_free(m);
        return Q_E_NOMEM;
    }
    memcpy(m->prefix, p, pl + 1);
    memcpy(m->family, f, fl + 1);
    m->prefix_len = pl;
    m->family_len = fl;
    m->cfg.prefix = m->prefix;
    m->cfg.family = m->family;
    if (m->cfg.timeout_ns <= 0) m->cfg.timeout_ns = 10000000000LL;
    m->venue = v;
    m->next_id = 1;
    m->next_deadline = INT64_MAX;
    for (int i = 0; i < OMS_POOL; i++) m->orders[i].state = ORD_CANCELED; /* free slots */
    int max_open = cfg->max_open < OMS_POOL / 2 ? cfg->max_open : OMS_POOL / 2;
    risk_init(&m->risk, rules, max_open, cfg->orders_per_10s, 10000000000LL);
    return 0;
}

void oms_free(oms_t *m) {
    free(m->trade_slot);
    free(m->trade_fifo);
    m->trade_slot = m->trade_fifo = 0;
}

int oms_run_prefix(char *out, size_t cap, const char *family, uint64_t tag) {
    char t[8];
    int n = 0;
    tag %= 2821109907456ull; /* 36^8 */
    do {
        t[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[tag % 36];
        tag /= 36;
    } while (tag);
    size_t fl = strlen(family), len = fl + (size_t)n + 1;
    if (len >= cap || len > OMS_PREFIX_MAX) {
        if (cap) out[0] = 0;
        return Q_E_RANGE;
    }
    memcpy(out, family, fl);
    for (int i = 0; i < n; i++) out[fl + (size_t)i] = t[n - 1 - i];
    out[len - 1] = '-';
    out[len] = 0;
    return 0;
}

/* ---- lookup ------------------------------------------------------------------------ */

order_t *oms_find(oms_t *m, uint64_t id) {
    m->gen++; /* the caller may change what it finds */
    order_t *o = &m->orders[id % OMS_POOL];
    return o->id == id && id ? o : 0;
}

/* the sequence in a client id of this run's prefix; 0 when it is not one */
static uint64_t cid_seq(const oms_t *m, const char *cid) {
    if (strncmp(cid, m->prefix, m->prefix_len)) return 0;
    const char *d = cid + m->prefix_len;
    if (*d < '1' || *d > '9') return 0;
    uint64_t id = 0;
    for (int n = 0; *d; d++, n++) {
        if (*d < '0' || *d > '9' || n >= 19) return 0;
        id = id * 10 + (uint64_t)(*d - '0');
    }
    return id;
}

order_t *oms_find_cid(oms_t *m, const char *cid) {
    m->gen++;
    if (!cid || !*cid) return 0;
    uint64_t id = cid_seq(m, cid);
    if (id) {
        order_t *o = oms_find(m, id);
        if (o && !o->earlier && !strcmp(o->cid, cid)) return o;
    }
    /* adopted orders keep their own client ids, also once done (late trades still come):
       a walk of the pool, for the rare events not of this run's ids */
    for (int i = 0; i < OMS_POOL; i++) {
        order_t *o = &m->orders[i];
        if (o->earlier && o->id && !strcmp(o->cid, cid)) return o;
    }
    return 0;
}

int oms_open_count(const oms_t *m) { return m->nlive; }

int oms_unresolved_count(const oms_t *m) { return m->nlive + m->nresolve; }

int64_t oms_longest_wait_ns(const oms_t *m) { return m->cfg.timeout_ns * OMS_QUERY_SLOWEST; }

static void slot_remove(int *list, int *n, int slot) {
    for (int i = 0; i < *n; i++)
        if (list[i] == slot) {
            list[i] = list[--*n];
            return;
        }
}

static int slot_in(const int *list, int n, int slot) {
    for (int i = 0; i < n; i++)
        if (list[i] == slot) return 1;
    return 0;
}

void oms_risk_state(const oms_t *m, risk_state_t *st) {
    st->open = 0;
    st->base_free = m->ledger.base;
    st->quote_free = m->ledger.quote;
    for (int i = 0; i < m->nlive; i++) {
        const order_t *o = &m->orders[m->live[i]];
        /* an order being canceled or resolved does not hold a place among the open ones
           (it would block quoting while it waits), but what it may lock stays locked */
        if (o->state != ORD_PENDING_CANCEL && o->state != ORD_UNKNOWN) st->open++;
        int64_t rest = o->qty - o->filled;
        if (o->side == SIDE_SELL) st->base_free -= rest;
        else st->quote_free -= (__int128)o->price * rest;
    }
}

void oms_best_live(const oms_t *m, int64_t *bid, int64_t *ask) {
    *bid = *ask = 0;
    for (int i = 0; i < m->nlive; i++) {
        const order_t *o = &m->orders[m->live[i]];
        if (!order_is_working(o->state)) continue;
        if (o->side == SIDE_BUY) { if (o->price > *bid) *bid = o->price; }
        else if (!*ask || o->price < *ask) *ask = o->price;
    }
}

/* ---- the trade-id set ------------------------------------------------------------------ */

/* the low bits with the high ones folded in: a venue's trade ids mostly come in sequence
   (the sim's are 1, 2, 3...), so ours land in neighbouring slots and a run touches a few
   pages of the 512 kB table instead of one page per fill (a sweep has one table per engine);
   keys made by fill_key are hashes already */
static uint32_t trade_hash(int64_t id) {
    uint64_t x = (uint64_t)id;
    x ^= x >> 16 ^ x >> 32 ^ x >> 48;
    return (uint32_t)x & (OMS_TRADE_SLOTS - 1);
}

static int trade_seen(const oms_t *m, int64_t id) {
    for (uint32_t i = trade_hash(id);; i = (i + 1) & (OMS_TRADE_SLOTS - 1)) {
        if (m->trade_slot[i] == id) return 1;
        if (!m->trade_slot[i]) return 0;
    }
}

/* linear probing with backward-shift deletion: no tombstones */
static void trade_forget(oms_t *m, int64_t id) {
    uint32_t i = trade_hash(id);
    while (m->trade_slot[i] != id) {
        if (!m->trade_slot[i]) return;
        i = (i + 1) & (OMS_TRADE_SLOTS - 1);
    }
    for (uint32_t j = i;;) {
        m->trade_slot[i] = 0;
        for (;;) {
            j = (j + 1) & (OMS_TRADE_SLOTS - 1);
            if (!m->trade_slot[j]) return;
            uint32_t h = trade_hash(m->trade_slot[j]);
            /* move j back to i unless its home lies cyclically in (i, j] */
            if (i <= j ? (i < h && h <= j) : (i < h || h <= j)) continue;
            break;
        }
        m->trade_slot[i] = m->trade_slot[j];
        i = j;
    }
}

static void trade_remember(oms_t *m, int64_t id) {
    if (m->trade_n == OMS_TRADE_KEEP) {
        trade_forget(m, m->trade_fifo[m->trade_head]);
        m->trade_head = (m->trade_head + 1) % OMS_TRADE_KEEP;
        m->trade_n--;
    }
    uint32_t i = trade_hash(id);
    while (m->trade_slot[i]) i = (i + 1) & (OMS_TRADE_SLOTS - 1);
    m->trade_slot[i] = id;
    m->trade_fifo[(m->trade_head + m->trade_n++) % OMS_TRADE_KEEP] = id;
}

/* ---- requests ------------------------------------------------------------------------ */

static void set_pending(oms_t *m, order_t *o, order_req_t req, int64_t now) {
    o->pending = req;
    /* a venue slow to tell about this order is asked less often */
    int64_t mult = req != OREQ_QUERY || o->queries <= 4 ? 1 : o->queries <= 8 ? 2 : OMS_QUERY_SLOWEST;
    o->deadline_ns = now + m->cfg.timeout_ns * mult;
    if (o->deadline_ns < m->next_deadline) m->next_deadline = o->deadline_ns;
}

static void track_resolve(oms_t *m, order_t *o) {
    int slot = (int)(o - m->orders);
    if (!slot_in(m->resolve, m->nresolve, slot)) m->resolve[m->nresolve++] = slot;
}

static void send_query(oms_t *m, order_t *o, int64_t now) {
    m->gen++;
    if (!m->venue->vt->query) return;
    int rc = m->venue->vt->query(m->venue, o, now);
    o->queries++;
    m->st.queries++;
    if (o->queries == OMS_SLOW_QUERIES) m->st.unrecovered++;
    if (rc == VENUE_NOT_SENT) m->st.not_sent++;
    /* not sent: the deadline brings the next attempt */
    o->answered = 0;
    set_pending(m, o, OREQ_QUERY, now);
    if (order_is_terminal(o->state)) track_resolve(m, o);
}

static order_t *alloc_order(oms_t *m) {
    for (int tries = 0; tries < OMS_POOL; tries++) {
        uint64_t id = m->next_id++;
        order_t *o = &m->orders[id % OMS_POOL];
        if (o->id && (order_is_live(o->state) || o->pending)) continue; /* still in use: skip this id */
        memset(o, 0, sizeof *o);
        o->id = id;
        int n = snprintf(o->cid, sizeof o->cid, "%s%llu", m->prefix, (unsigned long long)id);
        if (n < 0 || n >= (int)sizeof o->cid) return 0; /* cannot happen: prefix <= 16, id <= 20 digits */
        return o;
    }
    m->st.pool_full++;
    return 0;
}

static void send_cancel(oms_t *m, order_t *o, int64_t now) {
    m->gen++;
    if (o->state == ORD_PENDING_CANCEL) return;
    int rc = m->venue->vt->cancel(m->venue, o, now);
    if (rc == VENUE_NOT_SENT) { /* nothing went out: the order stands as it was */
        m->st.not_sent++;
        return;
    }
    if (order_apply(o, OEV_CANCEL_SENT, 0)) return;
    m->st.cancels_sent++;
    set_pending(m, o, OREQ_CANCEL, now);
}

static void order_done(oms_t *m, order_t *o, int64_t now) {
    m->gen++;
    o->done_ns = now;
    slot_remove(m->live, &m->nlive, (int)(o - m->orders));
    /* a terminal state is final: a place or cancel in flight needs no answer any more; a
       query in flight still brings trades */
    if (o->pending == OREQ_QUERY) track_resolve(m, o);
    else o->pending = OREQ_NONE;
    if (m->hooks.on_done) m->hooks.on_done(m->hooks.ctx, o);
}

/* a new order for quote w (level k); `old`, when given, is canceled by the same request
   (an atomic cancel-replace). Returns 0 when the request went out. */
static int send_new(oms_t *m, order_side_t side, const quote_t *w, int k, order_t *old, int64_t now) {
    m->gen++;
    order_t *o = alloc_order(m);
    if (!o) return Q_E_FULL;
    o->side = side;
    o->type = m->cfg.type;
    o->price = w->price;
    o->qty = w->qty;
    o->level = k;
    o->sent_ns = now;
    o->state = ORD_PENDING_NEW;
    int rc;
    if (m->send_hook.on_send && m->send_hook.on_send(m->send_hook.ctx, o, old)) rc = VENUE_NOT_SENT;
    else if (old) rc = m->venue->vt->replace(m->venue, old, o, m->cfg.replace_mode, now);
    else rc = m->venue->vt->place(m->venue, o, now);
    if (rc == VENUE_NOT_SENT) {
        o->state = ORD_REJECTED;
        snprintf(o->reason, sizeof o->reason, "not sent: the venue could not take the request");
        m->st.rejected++;
        m->st.not_sent++;
        o->done_ns = now;
        if (m->hooks.on_done) m->hooks.on_done(m->hooks.ctx, o);
        return rc;
    }
    if (old && !order_apply(old, OEV_CANCEL_SENT, 0)) {
        m->st.cancels_sent++;
        m->st.replaced++;
        set_pending(m, old, OREQ_CANCEL, now);
    }
    m->live[m->nlive++] = (int)(o - m->orders);
    set_pending(m, o, OREQ_PLACE, now);
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
        /* keep the live orders that still fit a wanted quote; the others are stale. Orders
           being canceled or resolved (UNKNOWN) are neither: their answers decide. */
        for (int i = 0; i < m->nlive; i++) {
            order_t *o = &m->orders[m->live[i]];
            if ((int)o->side != side) continue;
            /* an order whose placement has an unknown outcome may be on the book: it holds
               its level like one in flight (no second order for it) until a query says */
            int in_flight = o->state == ORD_PENDING_NEW || (o->state == ORD_UNKNOWN && !o->acked);
            if (!order_is_working(o->state) && !in_flight) continue;
            int match = -1;
            int fresh = !m->cfg.max_age_ns || now - o->sent_ns < m->cfg.max_age_ns;
            for (int k = 0; fresh && k < nw; k++) {
                int64_t d = o->price - w[k].price;
                if (!kept[k] && w[k].qty == o->qty && d <= m->cfg.tolerance && -d <= m->cfg.tolerance) {
                    match = k;
                    break;
                }
            }
            /* an order still in flight holds its place until it is acknowledged (its
               deadline bounds the wait): replacing it now would only pile up requests */
            for (int k = 0; match < 0 && in_flight && k < nw; k++)
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
                if (!order_is_working(c->state) || !m->venue->vt->replace) send_cancel(m, c, now);
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

void oms_poll(oms_t *m, int64_t now) {
    if (now < m->next_deadline) return;
    int64_t next = INT64_MAX;
    /* live orders first, then done ones still missing trades; a query may add to the
       resolve list, so walk by index */
    for (int pass = 0; pass < 2; pass++) {
        int *list = pass ? m->resolve : m->live;
        int *n = pass ? &m->nresolve : &m->nlive;
        for (int i = 0; i < *n; i++) {
            order_t *o = &m->orders[list[i]];
            if (!o->pending) continue;
            if (o->deadline_ns > now) {
                if (o->deadline_ns < next) next = o->deadline_ns;
                continue;
            }
            m->st.timeouts++;
            if (o->pending != OREQ_QUERY) order_apply(o, OEV_TIMEOUT, 0); /* a place or a cancel: UNKNOWN */
            send_query(m, o, now);
            if (o->deadline_ns < next) next = o->deadline_ns;
        }
    }
    m->next_deadline = next;
}

int oms_check(const oms_t *m, int64_t now) {
    int bad = 0;
    for (int pass = 0; pass < 2; pass++) {
        const int *list = pass ? m->resolve : m->live;
        int n = pass ? m->nresolve : m->nlive;
        for (int i = 0; i < n; i++) {
            const order_t *o = &m->orders[list[i]];
            if (o->pending && o->deadline_ns < now) bad++;                  /* a deadline nobody saw */
            if (o->state == ORD_UNKNOWN && o->pending != OREQ_QUERY) bad++; /* unknown, and nobody asks */
            if ((o->state == ORD_PENDING_CANCEL || o->state == ORD_PENDING_NEW) && !o->pending) bad++; /* waits on nothing */
            if (o->booked < o->filled && !o->pending) bad++;               /* trades missing, nobody asks */
            if (pass && !order_is_terminal(o->state)) bad++;
        }
    }
    return bad;
}

int oms_sync(oms_t *m, int64_t now) {
    m->gen++;
    if (!m->venue->vt->sync) return Q_E_INVAL;
    int rc = m->venue->vt->sync(m->venue, now);
    if (rc == VENUE_NOT_SENT) return Q_E_IO;
    m->sync_gen++;
    m->syncing = 1;
    m->st.syncs++;
    return 0;
}

int oms_cancel_all(oms_t *m, int64_t now) {
    m->gen++;
    if (!m->venue->vt->cancel_all) {
        for (int i = 0; i < m->nlive; i++) {
            order_t *o = &m->orders[m->live[i]];
            if (o->state != ORD_PENDING_CANCEL) send_cancel(m, o, now);
        }
        return 0;
    }
    if (m->venue->vt->cancel_all(m->venue, now) == VENUE_NOT_SENT) {
        m->st.not_sent++;
        return Q_E_IO;
    }
    for (int i = 0; i < m->nlive; i++) {
        order_t *o = &m->orders[m->live[i]];
        /* an UNKNOWN order keeps its query: if it exists, the venue's CANCELED tells */
        if (o->state == ORD_PENDING_CANCEL || o->state == ORD_UNKNOWN || order_apply(o, OEV_CANCEL_SENT, 0)) continue;
        m->st.cancels_sent++;
        set_pending(m, o, OREQ_CANCEL, now);
    }
    return 0;
}

/* ---- events ---------------------------------------------------------------------------- */

/* what tells a trade from another: its trade id; without one (a venue that gives none), the
   order's client id and the cumulative quantity after the trade, as a negative key (every
   trade of an order leaves a different cumulative quantity); 0: nothing to tell by */
static int64_t fill_key(const venue_event_t *ev) {
    if (ev->trade_id > 0) return ev->trade_id;
    if (ev->cum_qty <= 0 || !ev->cid[0]) return 0;
    uint64_t h = 1469598103934665603ull; /* FNV-1a over the cid, then the quantity mixed in */
    for (const char *c = ev->cid; *c; c++) h = (h ^ (uint8_t)*c) * 1099511628211ull;
    h ^= (uint64_t)ev->cum_qty * 0x9E3779B97F4A7C15ull;
    h ^= h >> 31;
    return -(int64_t)(h >> 2) - 1;
}

/* books a trade once (by trade id); o may be NULL (an order this run does not know) */
static void book_fill(oms_t *m, order_t *o, const venue_event_t *ev) {
    if (ev->qty <= 0 || ev->price <= 0) {
        m->st.refused_fills++;
        return;
    }
    if (o && o->earlier && ev->cum_qty >= 0 && ev->cum_qty <= o->adopted_cum) {
        m->st.pre_adoption_fills++; /* before this run: in the balances the sync told */
        return;
    }
    int64_t key = fill_key(ev);
    if (key && trade_seen(m, key)) {
        m->st.duplicate_fills++;
        return;
    }
    if (o && (__int128)o->booked + ev->qty > o->qty) {
        m->st.refused_fills++; /* more traded than the order holds: the venue contradicts itself */
        return;
    }
    order_side_t side = o ? o->side : ev->side;
    ledger_fee_t fee = {ev->fee, ev->fee_scale, ev->fee_asset};
    double fq = 0;
    if (ledger_fill(&m->ledger, side, ev->price, ev->qty, ev->maker, &fee, &fq)) {
        m->st.refused_fills++;
        return;
    }
    if (key) trade_remember(m, key);
    if (m->ledger.negative) risk_kill(&m->risk, "a balance went below zero: the ledger and the venue disagree");
    if (o) {
        if (!o->booked) risk_note_first_fill(&m->risk, ev->local_ns); /* off the daily count */
        o->booked += ev->qty;
        o->fees_quote += fq;
        if (order_is_terminal(o->state)) m->st.late_fills++;
    } else {
        m->st.foreign_fills++;
    }
    if (m->hooks.on_fill) m->hooks.on_fill(m->hooks.ctx, o, ev, fq);
    if (m->tap.on_fill) m->tap.on_fill(m->tap.ctx, o, ev, fq);
}

/* the order of an earlier run, found open at the venue */
static void adopt(oms_t *m, const venue_event_t *ev) {
    m->st.earlier_found++;
    if (ev->qty <= 0 || ev->cum_qty > ev->qty || strlen(ev->cid) > ORDER_CID_MAX) return;
    order_t *o = alloc_order(m);
    if (!o) return;
    memcpy(o->cid, ev->cid, strlen(ev->cid) + 1);
    o->earlier = 1;
    o->venue_id = ev->order_id;
    o->side = ev->side;
    o->type = m->cfg.type;
    o->price = ev->price;
    o->qty = ev->qty;
    /* what it filled before this run is in the balances the sync told: not booked again */
    o->filled = o->booked = o->adopted_cum = ev->cum_qty > 0 ? ev->cum_qty : 0;
    o->acked = 1;
    o->state = o->filled ? ORD_PARTIALLY_FILLED : ORD_NEW;
    o->sent_ns = o->acked_ns = ev->local_ns;
    o->level = -1;
    m->live[m->nlive++] = (int)(o - m->orders);
    m->st.adopted++;
    if (m->cfg.earlier == OMS_EARLIER_CANCEL) send_cancel(m, o, ev->local_ns);
}

static void on_balance(oms_t *m, const venue_event_t *ev) {
    ledger_t *l = &m->ledger;
    const symbol_rules_t *r = m->risk.rules;
    __int128 total = ev->free + ev->locked;
    int base = !strcmp(ev->asset, r->base), quote = !strcmp(ev->asset, r->quote);
    if (!base && !quote) return;
    if (base && (total > INT64_MAX || total < 0)) { /* not a balance the ledger can hold */
        m->st.balance_mismatches++;
        return;
    }
    if (l->fills == 0) { /* before any fill: the venue's balances are where the ledger starts */
        if (base) l->base = l->base_start = (int64_t)total;
        if (quote) l->quote = l->quote_start = total;
        return;
    }
    if (base ? total != l->base : total != l->quote) m->st.balance_mismatches++;
}

static void on_sync_done(oms_t *m, int64_t now) {
    m->syncing = 0;
    /* our working orders the venue did not list: filled or canceled while we were away */
    for (int i = 0; i < m->nlive; i++) {
        order_t *o = &m->orders[m->live[i]];
        if (o->acked && !o->pending && order_is_working(o->state) && o->sync_seen != m->sync_gen)
            send_query(m, o, now);
    }
}

static int earlier_cid(const oms_t *m, const char *cid) {
    return !strncmp(cid, m->family, m->family_len) && strncmp(cid, m->prefix, m->prefix_len);
}

/* a query's answer: the venue's status */
static int apply_status(order_t *o, const venue_event_t *ev) {
    if (ev->code == VENUE_CODE_NO_SUCH_ORDER) return order_apply(o, OEV_NOT_FOUND, 0);
    switch (ev->status) {
    case VST_NEW: return order_apply(o, OEV_ACK, ev->cum_qty);
    case VST_PARTIALLY_FILLED:
    case VST_FILLED: return order_apply(o, OEV_FILL, ev->cum_qty);
    case VST_CANCELED: return order_apply(o, OEV_CANCELED, ev->cum_qty);
    case VST_EXPIRED: return order_apply(o, OEV_EXPIRED, ev->cum_qty);
    case VST_REJECTED: return order_apply(o, OEV_REJECT, 0);
    default: return Q_E_STATE;
    }
}

void oms_on_venue(void *ctx, const venue_event_t *ev) {
    oms_t *m = ctx;
    m->gen++;
    switch (ev->type) {
    case VEV_BALANCE: on_balance(m, ev); return;
    case VEV_SYNC_DONE: on_sync_done(m, ev->local_ns); return;
    case VEV_TRANSFER: { /* a deposit or withdrawal: the ledger follows the account */
        const symbol_rules_t *r = m->risk.rules;
        int base = !strcmp(ev->asset, r->base);
        if ((base || !strcmp(ev->asset, r->quote)) && ledger_transfer(&m->ledger, base, ev->free, m->mark))
            m->st.balance_mismatches++;
        return;
    }
    case VEV_RATE_LIMIT:
        if (ev->retry_ns) { /* told to wait */
            m->st.rate_limited++;
            risk_backoff(&m->risk, ev->retry_ns);
        }
        if (ev->orders_limit > 0) risk_venue_limit(&m->risk, ev->orders_limit);
        if (ev->orders_used >= 0) risk_venue_used(&m->risk, ev->orders_used, ev->local_ns);
        return;
    default: break;
    }
    order_t *o = oms_find_cid(m, ev->cid);
    if (!o) {
        if (ev->type == VEV_FILL) book_fill(m, 0, ev); /* balances follow the venue */
        else if (ev->type == VEV_OPEN_ORDER && earlier_cid(m, ev->cid)) adopt(m, ev);
        else if (ev->type == VEV_OPEN_ORDER) m->st.foreign_open++;
        else m->st.unknown_order_events++;
        return;
    }
    order_state_t before = o->state;
    if (ev->order_id) o->venue_id = ev->order_id;
    int rc = 0, answered = 0; /* answered: the pending request has its answer */
    switch (ev->type) {
    case VEV_ACK:
        rc = order_apply(o, OEV_ACK, ev->cum_qty);
        if (!rc && !o->acked_ns) { o->acked_ns = ev->local_ns; m->st.acked++; }
        if (!o->live_ns) o->live_ns = ev->exch_ns;
        answered = o->pending == OREQ_PLACE;
        break;
    case VEV_REJECT:
        rc = order_apply(o, OEV_REJECT, 0);
        if (!rc && before != ORD_REJECTED) {
            snprintf(o->reason, sizeof o->reason, "%s", ev->reason ? ev->reason : "");
            m->st.rejected++;
        }
        if (ev->code == VENUE_CODE_TOO_MANY) { /* the ORDERS limit: hold new orders a second at least */
            m->st.rate_limited++;
            risk_backoff(&m->risk, ev->local_ns + 1000000000LL);
        }
        answered = o->pending == OREQ_PLACE;
        break;
    case VEV_FILL:
        if (!o->live_ns && ev->by == VFILL_TAKER) o->live_ns = ev->exch_ns; /* its ACK was lost */
        book_fill(m, o, ev);
        rc = order_apply(o, OEV_FILL, ev->cum_qty >= 0 ? ev->cum_qty : o->booked);
        /* a place is answered; a query once its status came and the trades it implied are in */
        answered = o->pending == OREQ_PLACE || (o->pending == OREQ_QUERY && o->answered && o->booked >= o->filled);
        break;
    case VEV_CANCELED:
        if (!o->cancel_ns) o->cancel_ns = ev->exch_ns;
        rc = order_apply(o, OEV_CANCELED, ev->cum_qty);
        if (!rc && before != ORD_CANCELED && o->state == ORD_CANCELED) m->st.canceled++;
        answered = o->pending == OREQ_PLACE || o->pending == OREQ_CANCEL;
        break;
    case VEV_EXPIRED:
        rc = order_apply(o, OEV_EXPIRED, ev->cum_qty);
        if (!rc && before != ORD_EXPIRED && o->state == ORD_EXPIRED) m->st.expired++;
        answered = o->pending == OREQ_PLACE || o->pending == OREQ_CANCEL;
        break;
    case VEV_CANCEL_REJECT:
        m->st.cancel_rejects++;
        if (!o->cancel_ns && ev->req != VREQ_NONE) o->cancel_ns = ev->exch_ns; /* it reached the venue */
        if (o->pending != OREQ_CANCEL) break; /* late, or already resolved */
        answered = 1;
        if (o->state != ORD_PENDING_CANCEL) break;
        if (ev->code == VENUE_CODE_UNKNOWN_ORDER) { /* gone: filled, canceled, or never placed */
            m->st.gone++;
            rc = order_apply(o, OEV_GONE, 0);
            o->pending = OREQ_NONE;
            send_query(m, o, ev->local_ns);
            answered = 0;
        } else {
            rc = order_apply(o, OEV_CANCEL_REJECT, 0);
        }
        break;
    case VEV_UNKNOWN: {
        m->st.unknowns++;
        /* only about the request in flight: an older one's outcome no longer matters */
        order_req_t r = ev->req == VREQ_QUERY ? OREQ_QUERY : ev->req == VREQ_CANCEL ? OREQ_CANCEL
                      : ev->req == VREQ_PLACE ? OREQ_PLACE : OREQ_NONE;
        if (ev->req == VREQ_REPLACE) r = o->pending == OREQ_CANCEL ? OREQ_CANCEL : OREQ_PLACE;
        if (r == OREQ_NONE || r != o->pending) break;
        if (r != OREQ_QUERY && (o->state == ORD_PENDING_NEW || o->state == ORD_PENDING_CANCEL))
            rc = order_apply(o, OEV_TIMEOUT, 0);
        o->pending = OREQ_NONE;
        send_query(m, o, ev->local_ns);
        break;
    }
    case VEV_STATUS:
        rc = apply_status(o, ev);
        if (o->pending == OREQ_QUERY) { /* answered, unless the trades it implies are still to come */
            o->answered = 1;
            answered = o->booked >= o->filled;
            if (!answered) set_pending(m, o, OREQ_QUERY, ev->local_ns); /* they must come by then */
        }
        break;
    case VEV_OPEN_ORDER:
        o->sync_seen = m->sync_gen;
        rc = ev->cum_qty > 0 ? order_apply(o, OEV_FILL, ev->cum_qty) : order_apply(o, OEV_ACK, ev->cum_qty);
        break;
    default:
        break;
    }
    if (rc) m->st.state_errors++;
    if (answered) o->pending = OREQ_NONE;
    if (o->state == ORD_FILLED && before != ORD_FILLED) m->st.filled_orders++;
    if (!order_is_terminal(before) && order_is_terminal(o->state)) order_done(m, o, ev->local_ns);
    if (order_is_terminal(before) && order_is_live(o->state)) { /* presumed rejected, and it was not */
        m->st.revived++;
        o->done_ns = 0;
        slot_remove(m->resolve, &m->nresolve, (int)(o - m->orders));
        m->live[m->nlive++] = (int)(o - m->orders);
    }
    /* a cancel of an unacknowledged order failed and it stands: its place's answer is
       awaited again, with a deadline */
    if (!o->pending && o->state == ORD_PENDING_NEW) set_pending(m, o, OREQ_PLACE, ev->local_ns);
    /* the venue says more traded than we booked: a fill report was lost; its query repeats
       the order's trades. An order in UNKNOWN without a request in flight is queried too. */
    if (!o->pending && (o->state == ORD_UNKNOWN || o->filled > o->booked)) send_query(m, o, ev->local_ns);
    if (!o->pending) slot_remove(m->resolve, &m->nresolve, (int)(o - m->orders));
}
