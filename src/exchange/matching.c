/* matching.c: the local exchange's order engine (see matching.h). */
#include "matching.h"
#include "../proto/errors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/err.h"

#define CHUNK (1u << MATCH_CHUNK_BITS)
#define DAY_MS (24LL * 3600 * 1000)

struct match_id_ent {
    uint64_t id; /* 0: empty */
    uint32_t slot;
};
/* the key is copied: an entry stays meaningful even if someone rewrites o->cid */
struct match_cid_ent {
    uint64_t id; /* 0: empty */
    uint32_t hash;
    int acct;
    char cid[40];
};

static void on_sim_event(void *ctx, const venue_event_t *ev);

static xorder_t *slot_at(const matching_t *m, uint32_t s) {
    return &m->chunk[s >> MATCH_CHUNK_BITS][s & (CHUNK - 1)];
}

/* ---- commissions ------------------------------------------------------------- */

static __int128 pow10_128(int n) {
    __int128 v = 1;
    while (n-- > 0) v *= 10;
    return v;
}

static __int128 gcd128(__int128 a, __int128 b) {
    while (b) {
        __int128 t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* The grain of commissions in balance units of `mult * 10^-scale`: the fewest units that
   make a whole number of 1e-8 of the asset, so a commission printed with 8 decimals is
   exact. 1 when the unit is 1e-8 or coarser; 100 for tick*lot units of 0.01 * 1e-8. */
static __int128 grain_of(__int128 mult, int scale) {
    if (scale <= 8) return 1;
    __int128 den = pow10_128(scale - 8);
    return den / gcd128(mult, den);
}

/* a fee rate as a count of 1e-8 (Binance prints rates with 8 decimals, so this is exact
   for every configured rate) */
static int64_t rate_e8(double rate) {
    if (!(rate > -1 && rate < 1)) return 0;
    return llround(rate * 1e8);
}

/* amount * rate, rounded up to a whole grain (a rebate, rate < 0, rounds toward zero).
   Split so that nothing overflows: amount < 2^127, grain*1e8 <= 10^26, |rate| <= 10^8. */
static __int128 commission(__int128 amount, __int128 grain, int64_t rate) {
    __int128 d = grain * 100000000;
    __int128 q = amount / d, r = amount % d;
    __int128 lo = r * rate, c = lo / d;
    if (lo % d > 0) c++; /* C division truncates toward zero: only a positive remainder rounds up */
    return (q * rate + c) * grain;
}

/* A fee paid in BNB (Binance's BNB fee deduction: the standard rate, 25% off), on a notional of
   `notional_atto` of the quote asset, BNB valued at `price` atto of quote: rounded up to a whole
   1e-8 BNB, returned in atto. Fits: notional_atto < 1e31 (9e27 for 9000 lots at 1e6), times
   rate (< 1e6) times 75. */
static __int128 bnb_commission(__int128 notional_atto, int64_t rate, __int128 price) {
    __int128 num = notional_atto * rate * 75, den = price * 100;
    __int128 e8 = num / den + (num % den > 0);
    return e8 * 10000000000LL;
}

/* ---- the account boundary: symbol units <-> atto of the shared balances ------------ */

static balance_t *bal_of(const matching_t *m, int acct, int asset) { return &m->acc->a[acct].bal[asset]; }

/* units * factor in atto, or -1 when negative or beyond ACCOUNT_AMOUNT_MAX (never overflows) */
static __int128 atto_checked(__int128 units, __int128 factor) {
    if (units < 0 || units > ACCOUNT_AMOUNT_MAX / factor) return -1;
    return units * factor;
}

/* the received asset: base for buys, quote for sells */
static balance_t *recv_bal(const matching_t *m, const xorder_t *o) {
    return bal_of(m, o->acct, o->side == SIDE_BUY ? m->base_asset : m->quote_asset);
}

/* gross atto that came in: counts off the order's (and the balance's) incoming */
static void incoming_done(const matching_t *m, xorder_t *o, __int128 gross) {
    __int128 d = gross < o->incoming ? gross : o->incoming;
    o->incoming -= d;
    recv_bal(m, o)->incoming -= d;
}

/* ---- order id -> slot --------------------------------------------------------- */

static uint32_t id_hash(uint64_t id) { return (uint32_t)((id * 0x9E3779B97F4A7C15ull) >> 32); }

static int64_t id_index(const matching_t *m, uint64_t id) {
    if (!id || !m->ids_cap) return -1;
    uint32_t mask = m->ids_cap - 1;
    for (uint32_t i = id_hash(id) & mask;; i = (i + 1) & mask) {
        if (m->ids[i].id == id) return i;
        if (!m->ids[i].id) return -1;
    }
}

static void id_insert(struct match_id_ent *t, uint32_t cap, uint64_t id, uint32_t slot) {
    uint32_t i = id_hash(id) & (cap - 1);
    while (t[i].id) i = (i + 1) & (cap - 1);
    t[i].id = id;
    t[i].slot = slot;
}

/* room for one more entry (load kept under 70%) */
static int id_reserve(matching_t *m) {
    if ((uint64_t)(m->ids_used + 1) * 10 <= (uint64_t)m->ids_cap * 7) return 0;
    uint32_t cap = m->ids_cap ? m->ids_cap * 2 : 1024;
    if (!cap) return Q_E_RANGE;
    struct match_id_ent *t = calloc(cap, sizeof *t);
    if (!t) return Q_E_NOMEM;
    for (uint32_t i = 0; i < m->ids_cap; i++)
        if (m->ids[i].id) id_insert(t, cap, m->ids[i].id, m->ids[i].slot);
    free(m->ids);
    m->ids = t;
    m->ids_cap = cap;
    return 0;
}

/* linear probing with backward-shift deletion: no tombstones, so a long run of places and
   evictions never degrades the probes */
static void id_delete(matching_t *m, uint64_t id) {
    int64_t f = id_index(m, id);
    if (f < 0) return;
    uint32_t mask = m->ids_cap - 1, i = (uint32_t)f, j = i;
    m->ids[i].id = 0;
    for (;;) {
        j = (j + 1) & mask;
        if (!m->ids[j].id) break;
        uint32_t k = id_hash(m->ids[j].id) & mask; /* its home */
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
        m->ids[i] = m->ids[j];
        m->ids[j].id = 0;
        i = j;
    }
    m->ids_used--;
}

static xorder_t *by_id(const matching_t *m, uint64_t id) {
    int64_t i = id_index(m, id);
    return i < 0 ? 0 : slot_at(m, m->ids[i].slot);
}

/* ---- client order id index: (account, cid) -> the newest order with it -------------- */

/* FNV-1a from a per-run seed, then a finalizer to spread the low bits the table uses:
   client ids are chosen by clients, who should not be able to line them up in one chain */
static uint32_t cid_hash_seeded(uint32_t seed, int a, const char *cid) {
    uint32_t h = (2166136261u ^ seed) ^ (uint32_t)a;
    for (const unsigned char *p = (const unsigned char *)cid; *p; p++) h = (h ^ *p) * 16777619u;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    return h ^ (h >> 16);
}
#define cid_hash(a, cid) cid_hash_seeded(m->hash_seed, (a), (cid))

static int64_t cid_index(const matching_t *m, int a, const char *cid) {
    if (!m->cids_cap) return -1;
    uint32_t h = cid_hash(a, cid), mask = m->cids_cap - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        const struct match_cid_ent *e = &m->cids[i];
        if (!e->id) return -1;
        if (e->hash == h && e->acct == a && !strcmp(e->cid, cid)) return i;
    }
}

/* an entry whose order is gone, or whose order no longer carries that client id */
static int cid_stale(const matching_t *m, const struct match_cid_ent *e) {
    const xorder_t *o = by_id(m, e->id);
    return !o || o->acct != e->acct || strcmp(o->cid, e->cid);
}

/* room for one more entry; a rebuild drops stale entries, so the table is sized by what
   it really holds */
static int cid_reserve(matching_t *m) {
    if ((uint64_t)(m->cids_used + 1) * 10 <= (uint64_t)m->cids_cap * 7) return 0;
    uint32_t valid = 0;
    for (uint32_t i = 0; i < m->cids_cap; i++)
        if (m->cids[i].id && !cid_stale(m, &m->cids[i])) valid++;
    uint32_t cap = 1024;
    while (cap && (uint64_t)cap * 7 < (uint64_t)(valid + 1) * 20) cap *= 2; /* rebuilt at most 35% full */
    if (!cap) return Q_E_RANGE;
    struct match_cid_ent *t = calloc(cap, sizeof *t);
    if (!t) return Q_E_NOMEM;
    for (uint32_t i = 0; i < m->cids_cap; i++) {
        const struct match_cid_ent *e = &m->cids[i];
        if (!e->id || cid_stale(m, e)) continue;
        uint32_t k = e->hash & (cap - 1);
        while (t[k].id) k = (k + 1) & (cap - 1);
        t[k] = *e;
    }
    free(m->cids);
    m->cids = t;
    m->cids_cap = cap;
    m->cids_used = valid;
    return 0;
}

/* (call cid_reserve first) */
static void cid_put(matching_t *m, const xorder_t *o) {
    int64_t f = cid_index(m, o->acct, o->cid);
    if (f >= 0) {
        m->cids[f].id = o->id;
        return;
    }
    uint32_t h = cid_hash(o->acct, o->cid), mask = m->cids_cap - 1, i = h & mask;
    while (m->cids[i].id) i = (i + 1) & mask;
    struct match_cid_ent *e = &m->cids[i];
    e->id = o->id;
    e->hash = h;
    e->acct = o->acct;
    snprintf(e->cid, sizeof e->cid, "%s", o->cid);
    m->cids_used++;
}

/* removes o's entry when it still names o */
static void cid_delete(matching_t *m, const xorder_t *o) {
    int64_t f = cid_index(m, o->acct, o->cid);
    if (f < 0 || m->cids[f].id != o->id) return;
    uint32_t mask = m->cids_cap - 1, i = (uint32_t)f, j = i;
    m->cids[i].id = 0;
    for (;;) {
        j = (j + 1) & mask;
        if (!m->cids[j].id) break;
        uint32_t k = m->cids[j].hash & mask;
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
        m->cids[i] = m->cids[j];
        m->cids[j].id = 0;
        i = j;
    }
    m->cids_used--;
}

/* ---- slots, history, live lists ------------------------------------------------ */

static uint64_t live_total(const matching_t *m) {
    uint64_t n = 0;
    for (int i = 0; i < ACCOUNT_MAX; i++) n += (uint64_t)m->acct[i].nlive;
    return n;
}

/* Finished orders beyond the history cap give their slots back, oldest finished first.
   Only called from matching_place, so pointers handed out stay valid until then. */
static void evict_finished(matching_t *m) {
    uint64_t keep = m->order_history > 0 ? (uint64_t)m->order_history : 0;
    while (m->done_tail - m->done_head > keep) {
        uint32_t s = m->done[m->done_head++ & (m->done_cap - 1)];
        xorder_t *o = slot_at(m, s);
        cid_delete(m, o);
        id_delete(m, o->id);
        o->id = 0;
        m->free_slot[m->nfree++] = s; /* free_cap >= nslots */
    }
}

/* Everything placing one order needs, allocated before anything changes, so that the
   order's later life (fills, finishing) never has to allocate: a free slot, room in both
   indexes, in the account's live list and in the finished ring. */
static int reserve(matching_t *m, match_acct_t *x, uint32_t *slot) {
    evict_finished(m);
    if (!m->nfree) {
        if (m->nslots > UINT32_MAX - CHUNK) return Q_E_FULL;
        xorder_t **c = realloc(m->chunk, (m->nchunks + 1) * sizeof *c);
        if (!c) return Q_E_NOMEM;
        m->chunk = c;
        uint32_t *fs = realloc(m->free_slot, (size_t)(m->nslots + CHUNK) * sizeof *fs);
        if (!fs) return Q_E_NOMEM;
        m->free_slot = fs;
        m->free_cap = m->nslots + CHUNK;
        c[m->nchunks] = calloc(CHUNK, sizeof **c);
        if (!c[m->nchunks]) return Q_E_NOMEM;
        m->nchunks++;
        for (uint32_t k = CHUNK; k > 0; k--) m->free_slot[m->nfree++] = m->nslots + k - 1; /* lowest first out */
        m->nslots += CHUNK;
    }
    int rc = id_reserve(m);
    if (!rc) rc = cid_reserve(m);
    if (rc) return rc;
    if (x->nlive == x->live_cap) {
        int cap = x->live_cap ? x->live_cap * 2 : 64;
        xorder_t **l = realloc(x->live, (size_t)cap * sizeof *l);
        if (!l) return Q_E_NOMEM;
        x->live = l;
        x->live_cap = cap;
    }
    uint64_t need = m->done_tail - m->done_head + live_total(m) + 1;
    if (need > m->done_cap) {
        uint32_t cap = m->done_cap ? m->done_cap : 1024;
        while (cap < need) cap *= 2;
        uint32_t *d = malloc((size_t)cap * sizeof *d);
        if (!d) return Q_E_NOMEM;
        uint64_t n = m->done_tail - m->done_head;
        for (uint64_t k = 0; k < n; k++) d[k] = m->done[(m->done_head + k) & (m->done_cap - 1)];
        free(m->done);
        m->done = d;
        m->done_cap = cap;
        m->done_head = 0;
        m->done_tail = n;
    }
    *slot = m->free_slot[--m->nfree];
    return 0;
}

static void live_remove(match_acct_t *x, const xorder_t *o) {
    int lo = 0, hi = x->nlive;
    while (lo < hi) { /* by id: the list is sorted, orders join it in id order */
        int mid = (lo + hi) / 2;
        if (x->live[mid]->id < o->id) lo = mid + 1;
        else hi = mid;
    }
    if (lo < x->nlive && x->live[lo] == o) {
        memmove(&x->live[lo], &x->live[lo + 1], (size_t)(x->nlive - lo - 1) * sizeof *x->live);
        x->nlive--;
    }
}

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
    m->order_history = MATCH_ORDER_HISTORY;
    m->trade_history = MATCH_TRADE_HISTORY;
    m->default_stp = XSTP_EXPIRE_MAKER;
    m->hash_seed = (uint32_t)(uintptr_t)m ^ (uint32_t)time(0) * 2654435761u;
    /* balances count atto: the symbol's units must be whole numbers of them (which also
       keeps the commission grains * 1e8 within 10^26, as commission() needs) */
    if (accounts_units(r, &m->atto_lot, &m->atto_tick_lot)) return Q_E_RANGE;
    m->base_asset = accounts_asset(acc, r->base);
    m->quote_asset = accounts_asset(acc, r->quote);
    if (m->base_asset < 0 || m->quote_asset < 0) return Q_E_FULL;
    m->grain_base = grain_of(r->lot.mult, r->lot.scale);
    m->grain_quote = grain_of((__int128)r->tick.mult * r->lot.mult, r->tick.scale + r->lot.scale);
    queue_model_t qm = {QUEUE_CONSERVATIVE, 2};
    /* no fees and no balances in the sim: the exchange keeps every account's itself */
    if (sim_init(&m->sim, book, &m->sim_rules, qm, 0, 0, 0.0, 0.0, 0, 0)) return Q_E_NOMEM;
    m->sim.take_once = 0; /* clients take again and again from a replayed book that cannot react */
    m->sim.base.sink = on_sim_event;
    m->sim.base.sink_ctx = m;
    m->next_id = 1;
    return 0;
}

void matching_free(matching_t *m) {
    for (uint32_t i = 0; i < m->nchunks; i++) free(m->chunk[i]);
    free(m->chunk);
    free(m->free_slot);
    free(m->ids);
    free(m->cids);
    free(m->done);
    free(m->fills);
    for (int i = 0; i < ACCOUNT_MAX; i++) {
        free(m->acct[i].live);
        free(m->acct[i].tr);
    }
    m->chunk = 0;
    m->free_slot = 0;
    m->ids = 0;
    m->cids = 0;
    m->done = 0;
    m->fills = 0;
    m->nchunks = m->nslots = m->nfree = m->ids_cap = m->cids_cap = m->done_cap = 0;
    m->nfills = m->fills_cap = 0;
    memset(m->acct, 0, sizeof m->acct);
    sim_free(&m->sim);
}

int xorder_live(const xorder_t *o) { return o->id && (o->status == XS_NEW || o->status == XS_PARTIALLY_FILLED); }

xorder_t *matching_find(matching_t *m, int a, uint64_t id, const char *cid) {
    if (id) { /* Binance: the orderId is searched first, then a client id given too is checked
                 against that order; both must hold */
        xorder_t *o = by_id(m, id);
        return o && o->acct == a && (!cid || !strcmp(o->cid, cid)) ? o : 0;
    }
    if (!cid || !cid[0]) return 0;
    int64_t i = cid_index(m, a, cid);
    if (i < 0) return 0;
    xorder_t *o = by_id(m, m->cids[i].id);
    return o && o->acct == a && !strcmp(o->cid, cid) ? o : 0;
}

int matching_set_cid(matching_t *m, xorder_t *o, const char *cid, const char **msg) {
    if (!cid || !cid[0] || !strcmp(cid, o->cid)) return 0;
    xorder_t *d = matching_find(m, o->acct, 0, cid);
    if (d && d != o && xorder_live(d)) {
        *msg = "Duplicate order sent.";
        return BE_NEW_ORDER_REJECTED;
    }
    if (cid_reserve(m)) {
        *msg = "An unknown error occurred while processing the request.";
        return BE_UNKNOWN;
    }
    cid_delete(m, o);
    snprintf(o->cid, sizeof o->cid, "%s", cid);
    cid_put(m, o);
    return 0;
}

/* ---- settlement ---------------------------------------------------------------- */

/* a finished order: releases what it still locks, leaves the live list, joins history */
static void finish(matching_t *m, xorder_t *o) {
    balance_t *b = bal_of(m, o->acct, m->base_asset), *q = bal_of(m, o->acct, m->quote_asset);
    match_acct_t *x = &m->acct[o->acct];
    __int128 lb = o->lock_base * m->atto_lot, lq = o->lock_quote * m->atto_tick_lot;
    b->free += lb;
    b->locked -= lb;
    q->free += lq;
    q->locked -= lq;
    o->lock_base = 0;
    o->lock_quote = 0;
    incoming_done(m, o, o->incoming);
    live_remove(x, o);
    int64_t i = id_index(m, o->id);
    if (i >= 0) m->done[m->done_tail++ & (m->done_cap - 1)] = m->ids[i].slot; /* room reserved at placement */
}

static void trade_add(matching_t *m, const xtrade_t *t) {
    match_acct_t *x = &m->acct[t->acct];
    uint64_t n = x->tr_tail - x->tr_head;
    uint64_t hist = m->trade_history > 0 ? (uint64_t)m->trade_history : 1;
    while (n >= hist && n > 0) { /* keep the newest trade_history */
        x->tr_head++;
        n--;
    }
    if (n == x->tr_cap) {
        uint32_t cap = x->tr_cap ? x->tr_cap * 2 : 256;
        xtrade_t *nt = cap ? malloc((size_t)cap * sizeof *nt) : 0;
        if (!nt) { /* no memory: the oldest trade makes room, or the trade goes unrecorded */
            if (!n) return;
            x->tr_head++;
        } else {
            for (uint64_t k = 0; k < n; k++) nt[k] = x->tr[(x->tr_head + k) & (x->tr_cap - 1)];
            free(x->tr);
            x->tr = nt;
            x->tr_cap = cap;
            x->tr_head = 0;
            x->tr_tail = n;
        }
    }
    x->tr[x->tr_tail++ & (x->tr_cap - 1)] = *t;
}

static void fill_add(matching_t *m, const xfill_t *f) {
    if (m->nfills == m->fills_cap) {
        int cap = m->fills_cap ? m->fills_cap * 2 : 64;
        xfill_t *n = realloc(m->fills, (size_t)cap * sizeof *n);
        if (!n) return; /* the response lists fewer fills; balances and trades are right */
        m->fills = n;
        m->fills_cap = cap;
    }
    m->fills[m->nfills++] = *f;
}

static void on_sim_event(void *ctx, const venue_event_t *ev) {
    matching_t *m = ctx;
    xorder_t *o = by_id(m, ev->order_id);
    if (!o || !xorder_live(o)) return;
    const account_t *a = &m->acc->a[o->acct];
    balance_t *bb = bal_of(m, o->acct, m->base_asset), *qb = bal_of(m, o->acct, m->quote_asset);
    o->update_ms = m->now_ms;
    switch (ev->type) {
    case VEV_FILL: {
        int64_t q = ev->qty;
        __int128 notional = (__int128)ev->price * q, fee;
        int64_t rate = rate_e8(ev->maker ? a->maker_fee : a->taker_fee);
        /* paid in BNB when the account does so and holds enough; then nothing is taken from
           the asset received (a rebate is never paid in BNB) */
        __int128 fee_bnb = 0;
        int bnb = a->bnb_fee_price > 0 && rate > 0 ? accounts_asset_find(m->acc, "BNB") : -1;
        if (bnb >= 0) {
            __int128 c = bnb_commission(notional * m->atto_tick_lot, rate, a->bnb_fee_price);
            balance_t *nb = bal_of(m, o->acct, bnb);
            if (nb->free >= c) {
                nb->free -= c;
                fee_bnb = c;
                rate = 0;
            }
        }
        /* symbol units, exactly as reported, times the exact atto factors */
        if (o->side == SIDE_BUY) {
            /* a limit buy locked its price for each lot; a market buy locked its exact cost */
            __int128 locked = o->lock_price ? (__int128)o->lock_price * q : notional;
            if (locked > o->lock_quote) locked = o->lock_quote;
            o->lock_quote -= locked;
            qb->locked -= locked * m->atto_tick_lot;
            qb->free += (locked - notional) * m->atto_tick_lot;
            fee = commission(q, m->grain_base, rate);
            bb->free += (q - fee) * m->atto_lot;
            incoming_done(m, o, q * m->atto_lot);
        } else {
            o->lock_base -= q;
            bb->locked -= q * m->atto_lot;
            fee = commission(notional, m->grain_quote, rate);
            qb->free += (notional - fee) * m->atto_tick_lot;
            incoming_done(m, o, notional * m->atto_tick_lot);
        }
        int first = o->executed == 0;
        o->executed += q;
        o->cum_quote += notional;
        o->status = o->executed == o->qty ? XS_FILLED : XS_PARTIALLY_FILLED;
        uint64_t tid = ++m->ntrades;
        if (!o->first_trade) o->first_trade = tid;
        o->last_trade = tid;
        xtrade_t t = {tid, o->id, o->acct, o->side, ev->price, q, m->now_ms, fee, ev->maker, fee_bnb};
        trade_add(m, &t);
        xfill_t f = {ev->price, q, fee, o->side == SIDE_BUY, tid, ev->maker, first, fee_bnb};
        fill_add(m, &f);
        if (o->status == XS_FILLED) finish(m, o);
        if (m->on_exec) m->on_exec(m->exec_ctx, o, "TRADE", &f);
        break;
    }
    case VEV_CANCELED:
        o->status = m->expiring ? XS_EXPIRED : XS_CANCELED;
        o->expiry = m->expiring;
        finish(m, o);
        if (m->on_exec) m->on_exec(m->exec_ctx, o, m->expiring ? "EXPIRED" : "CANCELED", 0);
        break;
    case VEV_REJECT:
        o->status = XS_REJECTED;
        finish(m, o);
        break;
    default:
        break;
    }
}

/* ---- names ----------------------------------------------------------------------- */

void matching_set_status(matching_t *m, xsymstatus_t s) { m->status = s; }

/* ---- placing ----------------------------------------------------------------------- */

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

/* The largest quantity, on the step grid and at most max_lots, whose taking from the book
   costs (BUY) or brings (SELL) at most `quote`; *avail is the book's whole liquidity on
   that side (capped at max_lots). Greedy level by level: the first level that cannot be
   taken whole is the last one, as every later level is worse. */
static int64_t walk_quote(const matching_t *m, order_side_t side, __int128 quote, int64_t max_lots, int64_t *avail) {
    book_top_t t;
    book_top(m->book, &t);
    book_side_t opp = side == SIDE_BUY ? BOOK_ASK : BOOK_BID;
    int64_t p = side == SIDE_BUY ? t.ask : t.bid, q = side == SIDE_BUY ? t.ask_qty : t.bid_qty;
    int64_t lots = 0, all = 0, done = 0;
    while (p > 0) {
        int64_t cap = max_lots - all;
        int64_t lq = q < cap ? q : cap;
        if (lq > 0) all += lq;
        if (!done && lq > 0) {
            __int128 afford = quote / p;
            int64_t take = afford < lq ? (int64_t)afford : lq;
            lots += take;
            quote -= (__int128)p * take;
            if (take < lq) done = 1;
        }
        if (all >= max_lots) break;
        if (!book_next(m->book, opp, p, &p, &q)) break;
    }
    *avail = all;
    return lots - lots % m->r->step_lots;
}

static int filter_error(const char *name, const char **msg) {
    *msg = symbol_filter_failure(name);
    return BE_INVALID_MESSAGE;
}

static int64_t max_lots_of(const symbol_rules_t *r) {
    __int128 v = (__int128)MATCH_MAX_BASE_UNITS * pow10_128(r->lot.scale) / r->lot.mult;
    return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* cost * qty / filled (qty at the walk's average price) without the 128-bit overflow of
   the product: cost can reach ~2^93 on a deep book, qty 2^63 */
static __int128 scale_cost(__int128 cost, int64_t qty, int64_t filled) {
    return cost / filled * qty + cost % filled * qty / filled;
}

/* what the filters computed for an order: its quantity (a quoteOrderQty order's is worked
   out from the book) and what taking it from the book now would fill and cost */
typedef struct place_calc {
    int64_t qty, filled, worst;
    __int128 cost;
} place_calc_t;

/* The order's parameters and Binance's filters (PRICE_FILTER, LOT_SIZE or MARKET_LOT_SIZE,
   NOTIONAL), exactly; MARKET orders: quantity rules, and notional at the current price.
   0, or the error with *msg. A quoteOrderQty order the book cannot serve is refused
   here with -2010 (its quantity, which the filters judge, cannot be worked out). */
static int place_filters(const matching_t *m, const xplace_t *p, place_calc_t *c, const char **msg) {
    const symbol_rules_t *r = m->r;
    int64_t price = p->price, qty = p->qty, max_lots = max_lots_of(r);
    int market = p->type == XT_MARKET, by_quote = p->quote_qty != 0;
    if (by_quote && (!market || qty)) {
        *msg = "Parameter 'quoteOrderQty' sent when not required.";
        return BE_PARAM_NOT_REQUIRED;
    }
    if (by_quote && p->quote_qty < 0) {
        *msg = "Illegal characters found in parameter 'quoteOrderQty'.";
        return BE_ILLEGAL_CHARS;
    }
    if (qty < 0 || qty > max_lots) {
        *msg = "Illegal characters found in parameter 'quantity'; legal range is '0' to '9000000'.";
        return BE_ILLEGAL_CHARS;
    }
    if (!market && !symbol_price_ok(r, price)) return filter_error("PRICE_FILTER", msg);
    if (by_quote) {
        if (!symbol_notional_ok(r, p->quote_qty, 1)) return filter_error("NOTIONAL", msg);
        int64_t avail;
        qty = walk_quote(m, p->side, p->quote_qty, max_lots, &avail);
        if (!avail) {
            *msg = "Order book liquidity is less than symbol minimum quantity.";
            return BE_NEW_ORDER_REJECTED;
        }
        if (avail < (r->min_qty > r->step_lots ? r->min_qty : r->step_lots)) {
            *msg = "Order book liquidity is less than LOT_SIZE filter minimum quantity.";
            return BE_NEW_ORDER_REJECTED;
        }
    }
    if (!symbol_qty_ok(r, qty)) return filter_error(market ? "MARKET_LOT_SIZE" : "LOT_SIZE", msg);
    int64_t filled, worst;
    __int128 cost;
    walk(m, p->side, qty, market ? 0 : price, &filled, &cost, &worst);
    c->qty = qty;
    c->filled = filled;
    c->worst = worst;
    c->cost = cost;
    if (!by_quote) {
        /* a MARKET order's notional at the prices it would take */
        __int128 notional = market ? (filled ? scale_cost(cost, qty, filled) : 0) : (__int128)price * qty;
        if (!symbol_notional_ok(r, notional, market)) return filter_error("NOTIONAL", msg);
    }
    return 0;
}

int matching_filters(const matching_t *m, const xplace_t *p, const char **msg) {
    place_calc_t c;
    int code = place_filters(m, p, &c, msg);
    return code == BE_NEW_ORDER_REJECTED ? 0 : code; /* liquidity is no filter: placement judges it */
}

int matching_place(matching_t *m, int ai, const xplace_t *p, int64_t now_ms, xorder_t **out, const char **msg) {
    balance_t *bb = bal_of(m, ai, m->base_asset), *qb = bal_of(m, ai, m->quote_asset);
    match_acct_t *x = &m->acct[ai];
    m->nfills = 0;
    m->now_ms = now_ms;
    if (m->status != XSS_TRADING) {
        *msg = "Market is closed.";
        return BE_NEW_ORDER_REJECTED;
    }
    int64_t price = p->price;
    int market = p->type == XT_MARKET;
    place_calc_t c;
    int code = place_filters(m, p, &c, msg);
    if (code) return code;
    int64_t qty = c.qty, filled = c.filled, worst = c.worst;
    __int128 cost = c.cost;
    if (p->type == XT_LIMIT_MAKER && filled > 0) {
        *msg = "Order would immediately match and take.";
        return BE_NEW_ORDER_REJECTED;
    }
    if (market && filled == 0) {
        *msg = "Market is closed.";
        return BE_NEW_ORDER_REJECTED;
    }
    if (x->nlive >= m->max_open) return filter_error("MAX_NUM_ORDERS", msg); /* this symbol's */
    if (p->cid && p->cid[0]) {
        xorder_t *dup = matching_find(m, ai, 0, p->cid);
        if (dup && xorder_live(dup)) {
            *msg = "Duplicate order sent.";
            return BE_NEW_ORDER_REJECTED;
        }
    }
    /* balances: a buy locks quote at its limit price (a market buy: what the walk costs), a sell locks base */
    __int128 need_quote = p->side == SIDE_BUY ? (market ? cost : (__int128)price * qty) : 0;
    int64_t need_base = p->side == SIDE_SELL ? qty : 0;
    /* n units * f atto <= free exactly when n <= free / f (no product to overflow) */
    if (need_quote > qb->free / m->atto_tick_lot || need_base > bb->free / m->atto_lot) {
        *msg = "Account has insufficient balance for requested action.";
        return BE_NEW_ORDER_REJECTED;
    }
    /* Binance's MAX_POSITION rule (free + locked + what open orders bring), at the one bound
       every balance has, whichever symbols trade the asset: ACCOUNT_AMOUNT_MAX (account.h),
       so every later sum stays exact. A buy brings its quantity of base; a sell at most what
       it takes from the book now plus its remainder at its limit price (it rests, and a
       resting order fills at its own price); gross of fees (a rebate adds at most 1%, far
       inside 128 bits). */
    balance_t *rb = p->side == SIDE_BUY ? bb : qb;
    __int128 incoming = p->side == SIDE_BUY ? atto_checked(qty, m->atto_lot)
                        : atto_checked(cost + (market ? 0 : (__int128)price * (qty - filled)), m->atto_tick_lot);
    if (incoming < 0 || rb->free + rb->locked + rb->incoming + incoming > ACCOUNT_AMOUNT_MAX) {
        *msg = "Filter failure: MAX_POSITION";
        return BE_INVALID_MESSAGE;
    }
    if (p->test) return 0;
    /* the simulated venue holds a fixed number of resting orders for everybody, and when
       full it refuses any order, even one that would only take (after its NEW event) */
    if (m->sim.nresting >= SIM_MAX_RESTING) {
        *msg = "Server is currently overloaded with other requests. Please try again in a few minutes.";
        return BE_SERVER_BUSY;
    }
    uint32_t slot;
    if (reserve(m, x, &slot)) {
        *msg = "An unknown error occurred while processing the request.";
        return BE_UNKNOWN;
    }
    uint64_t id = m->next_id++;
    xorder_t *o = slot_at(m, slot);
    memset(o, 0, sizeof *o);
    o->id = id;
    o->acct = ai;
    if (p->cid && p->cid[0]) snprintf(o->cid, sizeof o->cid, "%s", p->cid);
    else snprintf(o->cid, sizeof o->cid, "x-quoter-%llu", (unsigned long long)id);
    id_insert(m->ids, m->ids_cap, id, slot);
    m->ids_used++;
    cid_put(m, o);
    x->live[x->nlive++] = o; /* the newest id: the list stays sorted */
    o->side = p->side;
    o->type = p->type;
    o->tif = p->tif;
    o->stp = p->stp == XSTP_DEFAULT ? m->default_stp : p->stp;
    o->price = market ? 0 : price;
    o->qty = qty;
    o->quote_qty = p->quote_qty;
    o->status = XS_NEW;
    o->time_ms = o->update_ms = now_ms;
    o->lock_base = need_base;
    o->lock_quote = need_quote;
    o->lock_price = market ? 0 : price;
    o->incoming = incoming;
    bb->free -= need_base * m->atto_lot;
    bb->locked += need_base * m->atto_lot;
    qb->free -= need_quote * m->atto_tick_lot;
    qb->locked += need_quote * m->atto_tick_lot;
    rb->incoming += incoming;
    *out = o;
    if (m->on_exec) m->on_exec(m->exec_ctx, o, "NEW", 0);
    if (p->tif == XTIF_FOK && filled < qty) { /* all or nothing */
        o->status = XS_EXPIRED;
        o->expiry = XER_UNFILLED_FOK_ORDER_EXPIRED;
        finish(m, o);
        if (m->on_exec) m->on_exec(m->exec_ctx, o, "EXPIRED", 0);
        return 0;
    }
    order_t so;
    memset(&so, 0, sizeof so);
    so.venue_id = id; /* the sim's events name it by this exchange's own order id */
    snprintf(so.cid, sizeof so.cid, "%.*s", ORDER_CID_MAX, o->cid);
    so.side = p->side;
    so.type = p->type == XT_LIMIT_MAKER ? OT_LIMIT_MAKER : OT_LIMIT;
    so.price = market ? worst : price;
    so.qty = qty;
    int64_t now_ns = now_ms * 1000000;
    m->sim.base.vt->place(&m->sim.base, &so, now_ns);
    sim_advance(&m->sim, now_ns);
    sim_deliver(&m->sim, now_ns);
    /* IOC and MARKET: what did not fill at once expires */
    if (xorder_live(o) && (p->tif != XTIF_GTC || market)) {
        m->expiring = market ? XER_INSUFFICIENT_LIQUIDITY : XER_UNFILLED_IOC_QUANTITY_EXPIRED;
        m->sim.base.vt->cancel(&m->sim.base, &so, now_ns);
        sim_advance(&m->sim, now_ns);
        sim_deliver(&m->sim, now_ns);
        m->expiring = XER_NONE;
    }
    return 0;
}

int matching_cancel(matching_t *m, int ai, uint64_t id, const char *cid, int64_t now_ms, xorder_t **out, const char **msg) {
    m->nfills = 0;
    m->now_ms = now_ms;
    xorder_t *o = matching_find(m, ai, id, cid);
    if (!o || !xorder_live(o)) {
        *msg = "Unknown order sent.";
        return BE_CANCEL_REJECTED;
    }
    order_t so;
    memset(&so, 0, sizeof so);
    so.venue_id = o->id; /* by id only: the order's cid may have changed since it was placed */
    int64_t now_ns = now_ms * 1000000;
    m->sim.base.vt->cancel(&m->sim.base, &so, now_ns);
    sim_advance(&m->sim, now_ns);
    sim_deliver(&m->sim, now_ns);
    if (xorder_live(o)) { /* the venue did not hold it (cannot happen; never leave funds locked) */
        o->status = XS_CANCELED;
        o->update_ms = now_ms;
        finish(m, o);
        if (m->on_exec) m->on_exec(m->exec_ctx, o, "CANCELED", 0);
    }
    *out = o;
    return 0;
}

void matching_on_market(matching_t *m, const md_event_t *ev, int64_t now_ms) {
    m->now_ms = now_ms;
    m->nfills = 0;
    if (m->status != XSS_TRADING) return; /* nothing trades on a symbol that is not trading */
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
        return BE_NO_SUCH_ORDER;
    }
    if (m->status != XSS_TRADING) {
        *msg = "Market is closed.";
        return BE_ORDER_AMEND_REJECTED;
    }
    if (new_qty <= 0 || new_qty % m->r->step_lots) {
        *msg = "Filter failure: LOT_SIZE";
        return BE_INVALID_MESSAGE;
    }
    if (new_qty >= o->qty) {
        *msg = "Order amend (quantity increase) is not supported.";
        return BE_ORDER_AMEND_REJECTED;
    }
    if (new_qty < o->executed) {
        *msg = "Order amend (quantity below executed) is not supported.";
        return BE_ORDER_AMEND_REJECTED;
    }
    if (o->amends >= 10) {
        *msg = "Order amend (too many amends) is not supported.";
        return BE_ORDER_AMEND_REJECTED;
    }
    balance_t *bb = bal_of(m, o->acct, m->base_asset), *qb = bal_of(m, o->acct, m->quote_asset);
    int64_t cut = o->qty - new_qty;
    if (o->side == SIDE_BUY) {
        __int128 free_q = (__int128)o->lock_price * cut;
        if (free_q > o->lock_quote) free_q = o->lock_quote;
        o->lock_quote -= free_q;
        qb->locked -= free_q * m->atto_tick_lot;
        qb->free += free_q * m->atto_tick_lot;
        incoming_done(m, o, cut * m->atto_lot); /* the cut will never come */
    } else {
        o->lock_base -= cut;
        bb->locked -= cut * m->atto_lot;
        bb->free += cut * m->atto_lot;
        incoming_done(m, o, (__int128)o->lock_price * cut * m->atto_tick_lot);
    }
    o->qty = new_qty;
    o->amends++;
    o->update_ms = now_ms;
    sim_amend(&m->sim, o->id, new_qty);
    if (o->executed == new_qty) {
        o->status = XS_FILLED;
        finish(m, o);
    }
    *out = o;
    return 0;
}

/* ---- queries ----------------------------------------------------------------------- */

int matching_open_orders(matching_t *m, int a, xorder_t **out, int cap) {
    const match_acct_t *x = &m->acct[a];
    for (int i = 0; i < x->nlive && i < cap; i++) out[i] = x->live[i];
    return x->nlive;
}

int matching_trades(matching_t *m, int a, const xtrade_query_t *q, xtrade_t *out, int cap, const char **msg) {
    int limit = q->limit <= 0 ? MATCH_TRADES_DEFAULT : q->limit > MATCH_TRADES_MAX ? MATCH_TRADES_MAX : q->limit;
    if (limit > cap) limit = cap;
    if (limit <= 0) return 0;
    int timed = q->start_ms || q->end_ms;
    if (timed && (q->from_id || q->order_id)) {
        *msg = "Combination of optional parameters invalid.";
        return BE_OPTIONAL_PARAMS_BAD_COMBO;
    }
    if (q->start_ms && q->end_ms && (__int128)q->end_ms - q->start_ms > DAY_MS) {
        *msg = "More than 24 hours between startTime and endTime.";
        return BE_MORE_THAN_XX_HOURS;
    }
    const match_acct_t *x = &m->acct[a];
    uint64_t n = x->tr_tail - x->tr_head, k = 0;
#define TR(i) (&x->tr[(x->tr_head + (i)) & (x->tr_cap - 1)])
    int got = 0;
    if (timed) {
        int64_t lo = q->start_ms, hi = q->end_ms;
        if (!hi) hi = lo > INT64_MAX - DAY_MS ? INT64_MAX : lo + DAY_MS;
        if (!lo) lo = hi < INT64_MIN + DAY_MS ? INT64_MIN : hi - DAY_MS;
        /* linear: the exchange's clock may step back (skew faults), so times are not sorted */
        for (k = 0; k < n && got < limit; k++) {
            const xtrade_t *t = TR(k);
            if (t->time_ms >= lo && t->time_ms <= hi) out[got++] = *t;
        }
        return got;
    }
    uint64_t from = q->from_id, last = UINT64_MAX;
    if (q->order_id) {
        xorder_t *o = matching_find(m, a, q->order_id, 0);
        if (o) { /* its trades lie between its first and last trade ids */
            if (!o->first_trade) return 0;
            if (from < o->first_trade) from = o->first_trade;
            last = o->last_trade;
        }
    }
    if (from || q->order_id) {
        uint64_t lo = 0, hi = n; /* ids ascend: the first trade with id >= from */
        while (lo < hi) {
            uint64_t mid = lo + (hi - lo) / 2;
            if (TR(mid)->id < from) lo = mid + 1;
            else hi = mid;
        }
        for (k = lo; k < n && got < limit; k++) {
            const xtrade_t *t = TR(k);
            if (t->id > last) break;
            if (!q->order_id || t->order_id == q->order_id) out[got++] = *t;
        }
        return got;
    }
    for (k = n > (uint64_t)limit ? n - (uint64_t)limit : 0; k < n; k++) out[got++] = *TR(k);
#undef TR
    return got;
}
