/* chaos.c: the chaos venue (see chaos.h). */
#include "chaos.h"

#include <string.h>

#include "../../core/err.h"

/* ---- PRNG: xoshiro256** seeded through splitmix64 (core/rng.h) ---- */

static uint64_t next_u64(chaos_t *c) { return rng_next(&c->rng); }

/* 1 with probability p; draws nothing when p is 0 (a transparent wrapper draws nothing) */
static int chance(chaos_t *c, double p) {
    if (!(p > 0)) return 0;
    return (double)(next_u64(c) >> 11) * 0x1.0p-53 < p;
}

/* uniform in 0..max (0 when max <= 0, without a draw) */
static int64_t upto(chaos_t *c, int64_t max) {
    if (max <= 0) return 0;
    return (int64_t)(((unsigned __int128)next_u64(c) * ((uint64_t)max + 1)) >> 64);
}

/* copies a client id (at most ORDER_CID_MAX characters) into dst[ORDER_CID_MAX + 1] */
static void copy_cid(char *dst, const char *src) {
    size_t n = src ? strnlen(src, ORDER_CID_MAX) : 0;
    if (n) memcpy(dst, src, n);
    dst[n] = 0;
}

/* ---- out ---- */

static void out(chaos_t *c, const venue_event_t *ev) {
    c->st.events_out++;
    venue_emit(&c->base, ev); /* never calls a NULL sink */
}

/* ---- held events: a pool and a min-heap of its indices on (release_ns, seq) ---- */

static int earlier(const chaos_held_t *a, const chaos_held_t *b) {
    return a->release_ns < b->release_ns || (a->release_ns == b->release_ns && a->seq < b->seq);
}

static void heap_up(chaos_t *c, int i) {
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!earlier(&c->pool[c->heap[i]], &c->pool[c->heap[p]])) break;
        int16_t t = c->heap[i];
        c->heap[i] = c->heap[p];
        c->heap[p] = t;
        i = p;
    }
}

static void heap_down(chaos_t *c, int i) {
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < c->nheap && earlier(&c->pool[c->heap[l]], &c->pool[c->heap[m]])) m = l;
        if (r < c->nheap && earlier(&c->pool[c->heap[r]], &c->pool[c->heap[m]])) m = r;
        if (m == i) break;
        int16_t t = c->heap[i];
        c->heap[i] = c->heap[m];
        c->heap[m] = t;
        i = m;
    }
}

/* a deep copy: the event by value and its reason's text (a venue's reason is valid during
   its sink call only: the sim's are static strings, a live venue's may be a buffer) */
static void keep(chaos_t *c, chaos_held_t *h, const venue_event_t *ev, int64_t release_ns) {
    h->ev = *ev;
    h->release_ns = release_ns;
    h->seq = c->seq++;
    if (ev->reason) {
        size_t n = strnlen(ev->reason, CHAOS_REASON_MAX - 1);
        memcpy(h->reason, ev->reason, n);
        h->reason[n] = 0;
        h->ev.reason = h->reason;
    }
}

/* holds a copy of ev until release_ns; Q_E_FULL when the pool is full */
static int hold(chaos_t *c, const venue_event_t *ev, int64_t release_ns) {
    if (c->nfree == 0) return Q_E_FULL;
    int i = c->free_idx[--c->nfree];
    keep(c, &c->pool[i], ev, release_ns);
    c->heap[c->nheap] = (int16_t)i;
    heap_up(c, c->nheap++);
    return 0;
}

/* sends a held event (copied out first: the sink may hold new ones) */
static void send_held(chaos_t *c, const chaos_held_t *h, int64_t local_ns) {
    chaos_held_t e = *h;
    if (e.ev.reason) e.ev.reason = e.reason;
    e.ev.local_ns = local_ns;
    out(c, &e.ev);
}

static void release_top(chaos_t *c) {
    int i = c->heap[0];
    c->heap[0] = c->heap[--c->nheap];
    heap_down(c, 0);
    chaos_held_t e = c->pool[i];
    c->free_idx[c->nfree++] = (int16_t)i;
    send_held(c, &e, e.release_ns);
}

static void release_reo(chaos_t *c, int64_t local_ns) {
    chaos_held_t e = c->reo;
    c->reo_left = 0;
    send_held(c, &e, local_ns);
}

/* Sends, in (release, seq) order, held events due by t and held before seq `limit`; the
   reordered one only by its fallback time, reached when `strict` is 0, passed when 1. */
static int release_due(chaos_t *c, int64_t t, int strict, uint64_t limit) {
    int n = 0;
    for (;;) {
        const chaos_held_t *h = c->nheap ? &c->pool[c->heap[0]] : NULL;
        if (h && !(h->release_ns <= t && h->seq < limit)) h = NULL;
        int reo = c->reo_left > 0 && c->reo.seq < limit &&
                  (strict ? c->reo.release_ns < t : c->reo.release_ns <= t);
        if (!h && !reo) return n;
        if (reo && (!h || earlier(&c->reo, h)))
            release_reo(c, c->reo.release_ns);
        else
            release_top(c);
        n++;
    }
}

/* ---- unknown outcomes ---- */

static void add_unknown(chaos_t *c, venue_request_t req, const char *cid, const char *cid2) {
    chaos_unknown_t *u = &c->unk[c->unk_next];
    c->unk_next = (c->unk_next + 1) % CHAOS_UNKNOWN_MAX;
    if (u->req == VREQ_NONE) c->nunk++; /* else the oldest is forgotten: its answer stays */
    u->req = req;
    copy_cid(u->cid, cid);
    copy_cid(u->cid2, cid2);
}

static int answers_new(venue_event_type_t t) {
    return t == VEV_ACK || t == VEV_REJECT || t == VEV_FILL || t == VEV_EXPIRED;
}
static int answers_cancel(venue_event_type_t t) { return t == VEV_CANCELED || t == VEV_CANCEL_REJECT; }

/* When ev is the first answer to a request chosen to end unknown, fills *u with the
   VEV_UNKNOWN that replaces it and returns 1. */
static int match_unknown(chaos_t *c, const venue_event_t *ev, venue_event_t *u) {
    if (!ev->cid[0]) return 0;
    for (int k = 0; k < CHAOS_UNKNOWN_MAX; k++) {
        chaos_unknown_t *e = &c->unk[k];
        int hit = 0;
        switch (e->req) {
        case VREQ_PLACE: hit = answers_new(ev->type) && !strcmp(ev->cid, e->cid); break;
        case VREQ_CANCEL: hit = answers_cancel(ev->type) && !strcmp(ev->cid, e->cid); break;
        case VREQ_QUERY: hit = ev->type == VEV_STATUS && !strcmp(ev->cid, e->cid); break;
        case VREQ_REPLACE:
            hit = (answers_new(ev->type) && !strcmp(ev->cid, e->cid)) ||
                  (answers_cancel(ev->type) && !strcmp(ev->cid, e->cid2));
            break;
        default: break;
        }
        if (!hit) continue;
        memset(u, 0, sizeof *u);
        u->type = VEV_UNKNOWN;
        u->req = e->req;
        memcpy(u->cid, e->cid, sizeof u->cid);
        u->side = ev->side;
        u->local_ns = ev->local_ns;
        u->exch_ns = ev->exch_ns;
        u->status = VST_NONE;
        u->cum_qty = -1;
        u->orders_used = -1;
        u->reason = "chaos: the request's outcome is unknown";
        u->code = CHAOS_CODE_UNKNOWN;
        e->req = VREQ_NONE;
        c->nunk--;
        return 1;
    }
    return 0;
}

/* ---- events from the inner venue ---- */

static int untouched(venue_event_type_t t) {
    return t == VEV_OPEN_ORDER || t == VEV_BALANCE || t == VEV_SYNC_DONE;
}
static int droppable(venue_event_type_t t) { return !untouched(t) && t != VEV_RATE_LIMIT; }

static void chaos_on_event(void *ctx, const venue_event_t *in) {
    chaos_t *c = ctx;
    const venue_event_t *ev = in;
    venue_event_t u;
    c->st.events_in++;
    if (c->nunk && match_unknown(c, in, &u)) ev = &u;
    /* time has reached ev's local time: what was due by then goes first (nothing is held,
       and nothing happens here, when every probability is 0) */
    if (c->nheap || c->reo_left) release_due(c, ev->local_ns, 1, c->seq);
    int follows = c->reo_left > 0 && --c->reo_left == 0; /* the reordered one goes after ev */
    if (follows) c->reo_left = 1;                        /* still held while ev is handled */

    if (untouched(ev->type)) {
        out(c, ev);
    } else if (droppable(ev->type) && chance(c, c->cfg.p_drop_event)) {
        c->st.dropped_events++;
    } else {
        int held = 0;
        if (c->reo_left == 0 && chance(c, c->cfg.p_reorder)) {
            keep(c, &c->reo, ev, ev->local_ns + c->cfg.max_delay_ns);
            c->reo_left = 1 + (int)upto(c, c->cfg.reorder_depth - 1);
            c->st.reordered++;
            held = 1;
        } else if (chance(c, c->cfg.p_delay)) {
            if (hold(c, ev, ev->local_ns + upto(c, c->cfg.max_delay_ns)) == 0) {
                c->st.delayed++;
                held = 1;
            } else {
                c->st.overflow++;
            }
        }
        if (!held) out(c, ev);
        if (chance(c, c->cfg.p_duplicate)) {
            c->st.duplicated++;
            if (hold(c, ev, ev->local_ns + upto(c, c->cfg.max_delay_ns)) != 0) {
                c->st.overflow++;
                out(c, ev);
            }
        }
    }
    if (follows && c->reo_left == 1) /* (a release inside the sink may have sent it) */
        release_reo(c, c->reo.ev.local_ns > ev->local_ns ? c->reo.ev.local_ns : ev->local_ns);
}

/* ---- requests ---- */

/* records a client id that may have reached the venue; counts one seen before */
static void record_cid(chaos_t *c, const char *cid) {
    if (!cid || !cid[0]) return;
    uint64_t h = 0xcbf29ce484222325ull;
    for (const char *p = cid; *p; p++) h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
    for (uint32_t i = (uint32_t)h & (CHAOS_CID_SLOTS - 1);; i = (i + 1) & (CHAOS_CID_SLOTS - 1)) {
        if (!c->cids[i][0]) {
            if (c->ncids >= CHAOS_CID_SLOTS / 8 * 7) {
                c->st.cids_untracked++;
                return;
            }
            copy_cid(c->cids[i], cid);
            c->ncids++;
            return;
        }
        if (!strncmp(c->cids[i], cid, ORDER_CID_MAX)) {
            c->st.dup_cids++;
            return;
        }
    }
}

enum { FATE_FORWARD = 0, FATE_NOT_SENT, FATE_DROP };

static int fate(chaos_t *c) {
    if (chance(c, c->cfg.p_not_sent)) {
        c->st.not_sent++;
        return FATE_NOT_SENT;
    }
    if (chance(c, c->cfg.p_drop_request)) {
        c->st.dropped_requests++;
        return FATE_DROP;
    }
    return FATE_FORWARD;
}

static int chaos_place(venue_t *v, const order_t *o, int64_t now_ns) {
    chaos_t *c = (chaos_t *)v;
    if (!c->inner->vt->place) return VENUE_NOT_SENT;
    int f = fate(c);
    if (f == FATE_NOT_SENT) return VENUE_NOT_SENT;
    if (f == FATE_DROP) {
        record_cid(c, o->cid);
        return VENUE_SENT;
    }
    if (chance(c, c->cfg.p_rate_limit)) {
        if (c->nfree >= 2) {
            venue_event_t e;
            memset(&e, 0, sizeof e);
            e.type = VEV_REJECT;
            e.req = VREQ_PLACE;
            copy_cid(e.cid, o->cid);
            e.side = o->side;
            e.local_ns = e.exch_ns = now_ns;
            e.status = VST_REJECTED;
            e.cum_qty = -1;
            e.orders_used = -1;
            e.reason = "chaos: too many new orders";
            e.code = VENUE_CODE_TOO_MANY;
            hold(c, &e, now_ns);
            memset(&e, 0, sizeof e);
            e.type = VEV_RATE_LIMIT;
            e.local_ns = e.exch_ns = now_ns;
            e.cum_qty = -1;
            e.retry_ns = now_ns + c->cfg.rate_limit_retry_ns;
            e.orders_used = -1;
            hold(c, &e, now_ns);
            c->st.rate_limited++;
            record_cid(c, o->cid);
            return VENUE_SENT;
        }
        c->st.overflow++; /* no room for its answer: the place goes through */
    }
    int unk = chance(c, c->cfg.p_unknown);
    int rc = c->inner->vt->place(c->inner, o, now_ns);
    if (rc == VENUE_NOT_SENT) return rc;
    record_cid(c, o->cid);
    if (unk) {
        add_unknown(c, VREQ_PLACE, o->cid, NULL);
        c->st.unknowns++;
    }
    return rc;
}

/* cancel and query: forwarded, their answer may end unknown */
static int order_request(chaos_t *c, venue_request_t req,
                         int (*fn)(venue_t *, const order_t *, int64_t), const order_t *o, int64_t now_ns) {
    if (!fn) return VENUE_NOT_SENT;
    int f = fate(c);
    if (f == FATE_NOT_SENT) return VENUE_NOT_SENT;
    if (f == FATE_DROP) return VENUE_SENT;
    int unk = chance(c, c->cfg.p_unknown);
    int rc = fn(c->inner, o, now_ns);
    if (rc != VENUE_NOT_SENT && unk) {
        add_unknown(c, req, o->cid, NULL);
        c->st.unknowns++;
    }
    return rc;
}

static int chaos_cancel(venue_t *v, const order_t *o, int64_t now_ns) {
    chaos_t *c = (chaos_t *)v;
    return order_request(c, VREQ_CANCEL, c->inner->vt->cancel, o, now_ns);
}

static int chaos_query(venue_t *v, const order_t *o, int64_t now_ns) {
    chaos_t *c = (chaos_t *)v;
    return order_request(c, VREQ_QUERY, c->inner->vt->query, o, now_ns);
}

static int chaos_replace(venue_t *v, const order_t *old, const order_t *o, venue_replace_mode_t mode,
                         int64_t now_ns) {
    chaos_t *c = (chaos_t *)v;
    if (!c->inner->vt->replace) return VENUE_NOT_SENT; /* (the other table has replace NULL) */
    int f = fate(c);
    if (f == FATE_NOT_SENT) return VENUE_NOT_SENT;
    if (f == FATE_DROP) {
        record_cid(c, o->cid);
        return VENUE_SENT;
    }
    int unk = chance(c, c->cfg.p_unknown);
    int rc = c->inner->vt->replace(c->inner, old, o, mode, now_ns);
    if (rc == VENUE_NOT_SENT) return rc;
    record_cid(c, o->cid);
    if (unk) {
        add_unknown(c, VREQ_REPLACE, o->cid, old->cid);
        c->st.unknowns++;
    }
    return rc;
}

static int chaos_cancel_all(venue_t *v, int64_t now_ns) {
    chaos_t *c = (chaos_t *)v;
    if (!c->inner->vt->cancel_all) return VENUE_NOT_SENT;
    int f = fate(c);
    if (f == FATE_NOT_SENT) return VENUE_NOT_SENT;
    if (f == FATE_DROP) return VENUE_SENT;
    int unk = chance(c, c->cfg.p_unknown);
    int rc = c->inner->vt->cancel_all(c->inner, now_ns);
    if (rc == VENUE_SENT && unk) {
        c->st.unknowns++;
        return VENUE_MAYBE_SENT;
    }
    return rc;
}

static int chaos_sync(venue_t *v, int64_t now_ns) {
    chaos_t *c = (chaos_t *)v;
    if (!c->inner->vt->sync) return VENUE_NOT_SENT;
    return c->inner->vt->sync(c->inner, now_ns);
}

/* two tables: a NULL inner replace stays NULL, so the oms falls back to cancel + place */
static const venue_vt_t chaos_vt = {"chaos", chaos_place, chaos_cancel, chaos_replace,
                                    chaos_query, chaos_cancel_all, chaos_sync};
static const venue_vt_t chaos_vt_noreplace = {"chaos", chaos_place, chaos_cancel, NULL,
                                              chaos_query, chaos_cancel_all, chaos_sync};

/* ---- public ---- */

static double clamp01(double p) { return p > 0 ? (p < 1 ? p : 1) : 0; }

void chaos_config_default(chaos_config_t *cfg, double level, uint64_t seed) {
    double p = clamp01(level);
    memset(cfg, 0, sizeof *cfg);
    cfg->seed = seed;
    cfg->p_duplicate = cfg->p_reorder = cfg->p_delay = cfg->p_drop_event = p;
    cfg->p_drop_request = cfg->p_unknown = cfg->p_not_sent = cfg->p_rate_limit = p;
    cfg->max_delay_ns = 50000000;
    cfg->reorder_depth = 3;
    cfg->rate_limit_retry_ns = 100000000;
}

static int prob_ok(double p) { return p >= 0 && p <= 1; } /* NaN fails */

int chaos_init(chaos_t *c, venue_t *inner, const chaos_config_t *cfg) {
    if (!c || !inner || !inner->vt || !cfg) return Q_E_INVAL;
    if (!prob_ok(cfg->p_duplicate) || !prob_ok(cfg->p_reorder) || !prob_ok(cfg->p_delay) ||
        !prob_ok(cfg->p_drop_event) || !prob_ok(cfg->p_drop_request) || !prob_ok(cfg->p_unknown) ||
        !prob_ok(cfg->p_not_sent) || !prob_ok(cfg->p_rate_limit) || cfg->max_delay_ns < 0 ||
        cfg->reorder_depth < 1 || cfg->rate_limit_retry_ns < 0)
        return Q_E_INVAL;
    memset(c, 0, sizeof *c);
    c->base.vt = inner->vt->replace ? &chaos_vt : &chaos_vt_noreplace;
    c->inner = inner;
    c->cfg = *cfg;
    rng_seed(&c->rng, cfg->seed);
    for (int i = 0; i < CHAOS_HOLD_MAX; i++) c->free_idx[i] = (int16_t)(CHAOS_HOLD_MAX - 1 - i);
    c->nfree = CHAOS_HOLD_MAX;
    inner->sink = chaos_on_event;
    inner->sink_ctx = c;
    return 0;
}

int chaos_pump(chaos_t *c, int64_t now_ns) {
    if (!c->nheap && !c->reo_left) return 0;
    return release_due(c, now_ns, 0, c->seq);
}

int64_t chaos_next_ns(const chaos_t *c) {
    int64_t t = INT64_MAX;
    if (c->nheap) t = c->pool[c->heap[0]].release_ns;
    if (c->reo_left && c->reo.release_ns < t) t = c->reo.release_ns;
    return t;
}

int chaos_held(const chaos_t *c) { return c->nheap + (c->reo_left > 0); }
