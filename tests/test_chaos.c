/* test_chaos.c: the chaos venue around a scripted fake venue (not the sim): transparent at
 * level 0, deterministic under a seed, and each probability alone doing what chaos.h says,
 * with exact event sequences. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "testutil.h"
#include "venue/chaos/chaos.h"

/* ---- a fake inner venue: records requests, emits scripted events through its sink ---- */

typedef struct fake_req {
    venue_request_t req;
    char cid[ORDER_CID_MAX + 1], cid2[ORDER_CID_MAX + 1];
    int64_t now_ns;
    venue_replace_mode_t mode;
} fake_req_t;

typedef struct fake {
    venue_t base;
    fake_req_t reqs[64];
    int nreq;
    int rc;           /* what every request returns */
    uint64_t next_id; /* order_id of the next emitted event (identifies it) */
} fake_t;

static int fake_log(venue_t *v, venue_request_t req, const order_t *old, const order_t *o, int64_t now_ns,
                    venue_replace_mode_t mode) {
    fake_t *f = (fake_t *)v;
    fake_req_t *r = &f->reqs[f->nreq++ % 64];
    memset(r, 0, sizeof *r);
    r->req = req;
    if (o) snprintf(r->cid, sizeof r->cid, "%s", o->cid);
    if (old) snprintf(r->cid2, sizeof r->cid2, "%s", old->cid);
    r->now_ns = now_ns;
    r->mode = mode;
    return f->rc;
}
static int fake_place(venue_t *v, const order_t *o, int64_t t) { return fake_log(v, VREQ_PLACE, NULL, o, t, 0); }
static int fake_cancel(venue_t *v, const order_t *o, int64_t t) { return fake_log(v, VREQ_CANCEL, NULL, o, t, 0); }
static int fake_replace(venue_t *v, const order_t *old, const order_t *o, venue_replace_mode_t m, int64_t t) {
    return fake_log(v, VREQ_REPLACE, old, o, t, m);
}
static int fake_query(venue_t *v, const order_t *o, int64_t t) { return fake_log(v, VREQ_QUERY, NULL, o, t, 0); }
static int fake_cancel_all(venue_t *v, int64_t t) { return fake_log(v, VREQ_CANCEL_ALL, NULL, NULL, t, 0); }
static int fake_sync(venue_t *v, int64_t t) { return fake_log(v, VREQ_SYNC, NULL, NULL, t, 0); }

static const venue_vt_t fake_vt = {"fake", fake_place, fake_cancel, fake_replace,
                                   fake_query, fake_cancel_all, fake_sync};
static const venue_vt_t fake_vt_noreplace = {"fake", fake_place, fake_cancel, NULL,
                                             fake_query, fake_cancel_all, fake_sync};

static void fake_init(fake_t *f) {
    memset(f, 0, sizeof *f);
    f->base.vt = &fake_vt;
    f->rc = VENUE_SENT;
    f->next_id = 1;
}

static venue_event_t mk(fake_t *f, venue_event_type_t t, const char *cid, int64_t local_ns) {
    venue_event_t e;
    memset(&e, 0, sizeof e);
    e.type = t;
    if (t == VEV_REJECT) e.req = VREQ_PLACE;
    if (t == VEV_CANCEL_REJECT) e.req = VREQ_CANCEL;
    snprintf(e.cid, sizeof e.cid, "%s", cid);
    e.order_id = f->next_id++;
    e.side = SIDE_SELL;
    e.local_ns = local_ns;
    e.exch_ns = local_ns - 5;
    e.status = VST_NEW;
    e.cum_qty = 3;
    e.cum_quote = 300;
    e.price = 100;
    e.qty = 7;
    e.trade_id = 40 + (int64_t)e.order_id;
    e.retry_ns = t == VEV_RATE_LIMIT ? local_ns + 1000 : 0;
    e.orders_used = -1;
    e.reason = t == VEV_REJECT ? "Order would immediately match and take." : NULL;
    e.code = t == VEV_REJECT ? -2010 : 0;
    return e;
}

/* emits one event; returns its order_id */
static uint64_t emit(fake_t *f, venue_event_type_t t, const char *cid, int64_t local_ns) {
    venue_event_t e = mk(f, t, cid, local_ns);
    venue_emit(&f->base, &e);
    return e.order_id;
}

/* ---- the engine's side: a recording sink ---- */

#define REC_MAX 12000
static venue_event_t got[REC_MAX];
static const venue_event_t *got_ptr[REC_MAX];
static char got_reason[REC_MAX][64];
static int ngot;

static void rec(void *ctx, const venue_event_t *ev) {
    (void)ctx;
    assert_true(ngot < REC_MAX);
    got[ngot] = *ev;
    got_ptr[ngot] = ev;
    snprintf(got_reason[ngot], sizeof got_reason[ngot], "%s", ev->reason ? ev->reason : "");
    ngot++;
}

static chaos_t C; /* big: static */
static fake_t F;

static order_t ord(const char *cid) {
    order_t o;
    memset(&o, 0, sizeof o);
    snprintf(o.cid, sizeof o.cid, "%s", cid);
    o.side = SIDE_BUY;
    o.price = 100;
    o.qty = 2;
    return o;
}

/* a config with every probability 0 and the given delays */
static chaos_config_t zero(uint64_t seed, int64_t max_delay_ns, int depth) {
    chaos_config_t cfg;
    chaos_config_default(&cfg, 0, seed);
    cfg.max_delay_ns = max_delay_ns;
    cfg.reorder_depth = depth;
    return cfg;
}

static void setup(const chaos_config_t *cfg) {
    fake_init(&F);
    assert_int_equal(chaos_init(&C, &F.base, cfg), 0);
    assert_ptr_equal(F.base.sink_ctx, &C);
    C.base.sink = rec;
    C.base.sink_ctx = NULL;
    ngot = 0;
}

static void expect(int i, venue_event_type_t t, const char *cid, int64_t local_ns) {
    if (i >= ngot) fail_msg("event %d missing (%d out)", i, ngot);
    if (got[i].type != t || strcmp(got[i].cid, cid) || got[i].local_ns != local_ns)
        fail_msg("event %d: type %d cid %s local %lld, want type %d cid %s local %lld", i, got[i].type,
                 got[i].cid, (long long)got[i].local_ns, t, cid, (long long)local_ns);
}

/* ---- level 0 ---- */

static void test_transparent(void **st) {
    (void)st;
    chaos_config_t cfg;
    chaos_config_default(&cfg, 0, 12345);
    setup(&cfg);
    assert_string_equal(C.base.vt->name, "chaos");
    /* requests: forwarded with their arguments, the inner return code returned */
    const int rcs[3] = {VENUE_SENT, VENUE_NOT_SENT, VENUE_MAYBE_SENT};
    for (int k = 0; k < 3; k++) {
        F.rc = rcs[k];
        F.nreq = 0;
        char a[16], b[16];
        snprintf(a, sizeof a, "a%d", k);
        snprintf(b, sizeof b, "b%d", k);
        order_t oa = ord(a), ob = ord(b);
        assert_int_equal(C.base.vt->place(&C.base, &oa, 100 + k), rcs[k]);
        assert_int_equal(C.base.vt->cancel(&C.base, &oa, 101 + k), rcs[k]);
        assert_int_equal(C.base.vt->replace(&C.base, &oa, &ob, VREPLACE_ALLOW_FAILURE, 102 + k), rcs[k]);
        assert_int_equal(C.base.vt->query(&C.base, &ob, 103 + k), rcs[k]);
        assert_int_equal(C.base.vt->cancel_all(&C.base, 104 + k), rcs[k]);
        assert_int_equal(C.base.vt->sync(&C.base, 105 + k), rcs[k]);
        assert_int_equal(F.nreq, 6);
        const venue_request_t want[6] = {VREQ_PLACE, VREQ_CANCEL, VREQ_REPLACE, VREQ_QUERY, VREQ_CANCEL_ALL, VREQ_SYNC};
        for (int i = 0; i < 6; i++) {
            assert_int_equal(F.reqs[i].req, want[i]);
            assert_int_equal(F.reqs[i].now_ns, 100 + k + i);
        }
        assert_string_equal(F.reqs[0].cid, a);
        assert_string_equal(F.reqs[2].cid, b);
        assert_string_equal(F.reqs[2].cid2, a);
        assert_int_equal(F.reqs[2].mode, VREPLACE_ALLOW_FAILURE);
    }
    assert_int_equal(ngot, 0); /* nothing is emitted from inside a request */
    /* events: the same pointer, at once, in order, whatever the times */
    const venue_event_type_t types[] = {VEV_ACK, VEV_REJECT, VEV_FILL, VEV_CANCELED, VEV_CANCEL_REJECT,
                                        VEV_EXPIRED, VEV_UNKNOWN, VEV_STATUS, VEV_OPEN_ORDER, VEV_BALANCE,
                                        VEV_SYNC_DONE, VEV_RATE_LIMIT};
    int n = 0;
    for (int rep = 0; rep < 5; rep++)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
            venue_event_t e = mk(&F, types[i], "a0", 1000 * rep + (int64_t)(i / 3)); /* equal times too */
            venue_emit(&F.base, &e);
            n++;
            assert_int_equal(ngot, n);
            assert_ptr_equal(got_ptr[n - 1], &e);
            assert_int_equal(got[n - 1].local_ns, e.local_ns);
            assert_int_equal(got[n - 1].order_id, e.order_id);
        }
    assert_int_equal(chaos_held(&C), 0);
    assert_int_equal(chaos_next_ns(&C), INT64_MAX);
    assert_int_equal(chaos_pump(&C, INT64_MAX), 0);
    assert_int_equal(ngot, n);
    assert_int_equal(C.st.events_in, n);
    assert_int_equal(C.st.events_out, n);
    chaos_stats_t z;
    memset(&z, 0, sizeof z);
    z.events_in = z.events_out = n;
    assert_memory_equal(&C.st, &z, sizeof z);
}

/* ---- determinism ---- */

typedef struct outrec {
    int type;
    char cid[ORDER_CID_MAX + 1];
    int64_t local_ns;
    uint64_t order_id;
    int req;
} outrec_t;

static outrec_t runs[2][REC_MAX];
static int nrun[2];
static int rcs_run[2][400];

/* a mixed scenario at `level`; its output in runs[slot] */
static void scenario(int slot, double level, uint64_t seed) {
    chaos_config_t cfg;
    chaos_config_default(&cfg, level, seed);
    cfg.max_delay_ns = 3000000; /* 3 ms: events 1 ms apart get overtaken */
    setup(&cfg);
    const venue_event_type_t types[] = {VEV_ACK, VEV_FILL, VEV_FILL, VEV_CANCELED, VEV_STATUS, VEV_REJECT};
    int nr = 0;
    int64_t now = 0;
    for (int i = 0; i < 1000; i++) {
        now = (int64_t)i * 1000000;
        char cid[16];
        snprintf(cid, sizeof cid, "o%d", i / 4);
        emit(&F, types[i % 6], cid, now);
        if (i % 3 == 0) {
            char nid[16];
            snprintf(nid, sizeof nid, "n%d", i);
            order_t o = ord(nid), old = ord(cid);
            int rc = 0;
            switch ((i / 3) % 5) {
            case 0: rc = C.base.vt->place(&C.base, &o, now); break;
            case 1: rc = C.base.vt->cancel(&C.base, &old, now); break;
            case 2: rc = C.base.vt->replace(&C.base, &old, &o, VREPLACE_STOP_ON_FAILURE, now); break;
            case 3: rc = C.base.vt->query(&C.base, &old, now); break;
            case 4: rc = C.base.vt->cancel_all(&C.base, now); break;
            }
            if (nr < 400) rcs_run[slot][nr++] = rc;
        }
        if (i % 5 == 4) chaos_pump(&C, now);
    }
    chaos_pump(&C, INT64_MAX);
    assert_int_equal(chaos_held(&C), 0);
    /* nothing lost but what was dropped; copies and rate-limit answers added */
    assert_int_equal(C.st.events_out,
                     C.st.events_in - C.st.dropped_events + C.st.duplicated + 2 * C.st.rate_limited);
    assert_int_equal(C.st.dup_cids, 0);
    for (int k = 1; k < ngot; k++) /* time never goes back */
        if (got[k].local_ns < got[k - 1].local_ns)
            fail_msg("local time goes back at %d: %lld after %lld", k, (long long)got[k].local_ns,
                     (long long)got[k - 1].local_ns);
    nrun[slot] = ngot;
    for (int k = 0; k < ngot; k++) {
        runs[slot][k].type = got[k].type;
        memcpy(runs[slot][k].cid, got[k].cid, sizeof got[k].cid);
        runs[slot][k].local_ns = got[k].local_ns;
        runs[slot][k].order_id = got[k].order_id;
        runs[slot][k].req = got[k].req;
    }
}

static int same_runs(void) {
    if (nrun[0] != nrun[1]) return 0;
    if (memcmp(rcs_run[0], rcs_run[1], sizeof rcs_run[0])) return 0;
    for (int k = 0; k < nrun[0]; k++)
        if (runs[0][k].type != runs[1][k].type || strcmp(runs[0][k].cid, runs[1][k].cid) ||
            runs[0][k].local_ns != runs[1][k].local_ns || runs[0][k].order_id != runs[1][k].order_id ||
            runs[0][k].req != runs[1][k].req)
            return 0;
    return 1;
}

static void test_determinism(void **st) {
    (void)st;
    memset(runs, 0, sizeof runs);
    memset(rcs_run, 0, sizeof rcs_run);
    scenario(0, 0.1, 7);
    chaos_stats_t a = C.st;
    scenario(1, 0.1, 7);
    assert_true(same_runs());
    assert_memory_equal(&a, &C.st, sizeof a);
    /* every kind of chaos happened */
    assert_true(a.duplicated > 0 && a.reordered > 0 && a.delayed > 0 && a.dropped_events > 0);
    assert_true(a.dropped_requests > 0 && a.unknowns > 0 && a.not_sent > 0 && a.rate_limited > 0);
    memset(runs[1], 0, sizeof runs[1]);
    memset(rcs_run[1], 0, sizeof rcs_run[1]);
    scenario(1, 0.1, 8);
    assert_false(same_runs());
    /* level 0 = no chaos: every event once, in order, at its time */
    scenario(0, 0, 7);
    assert_int_equal(nrun[0], 1000);
    for (int k = 0; k < 1000; k++) {
        assert_int_equal(runs[0][k].order_id, k + 1);
        assert_int_equal(runs[0][k].local_ns, (int64_t)k * 1000000);
    }
}

/* ---- each probability alone ---- */

static void test_duplicate(void **st) {
    (void)st;
    chaos_config_t cfg = zero(1, 0, 1);
    cfg.p_duplicate = 1;
    setup(&cfg);
    emit(&F, VEV_ACK, "a", 10);
    emit(&F, VEV_FILL, "a", 20);
    emit(&F, VEV_SYNC_DONE, "", 25); /* never touched */
    emit(&F, VEV_CANCELED, "a", 30);
    assert_int_equal(ngot, 6);
    assert_int_equal(chaos_pump(&C, 30), 1);
    assert_int_equal(ngot, 7);
    expect(0, VEV_ACK, "a", 10);
    expect(1, VEV_ACK, "a", 10);
    expect(2, VEV_FILL, "a", 20);
    expect(3, VEV_FILL, "a", 20);
    expect(4, VEV_SYNC_DONE, "", 25);
    expect(5, VEV_CANCELED, "a", 30);
    expect(6, VEV_CANCELED, "a", 30);
    /* copies carry the original's fields */
    assert_int_equal(got[1].order_id, got[0].order_id);
    assert_int_equal(got[3].order_id, got[2].order_id);
    assert_int_equal(got[3].trade_id, got[2].trade_id);
    assert_int_equal(got[6].order_id, got[5].order_id);
    assert_int_equal(C.st.duplicated, 3);

    /* copies later by up to max_delay_ns */
    cfg = zero(2, 1000, 1);
    cfg.p_duplicate = 1;
    setup(&cfg);
    int lagged = 0;
    for (int i = 0; i < 50; i++) {
        int64_t t = 10000 * (int64_t)(i + 1);
        uint64_t id = emit(&F, VEV_FILL, "a", t);
        assert_int_equal(ngot, 2 * i + 1);
        assert_int_equal(got[2 * i].order_id, id);
        assert_int_equal(got[2 * i].local_ns, t);
        assert_int_equal(chaos_pump(&C, t + 1000), 1);
        assert_int_equal(got[2 * i + 1].order_id, id);
        assert_true(got[2 * i + 1].local_ns >= t && got[2 * i + 1].local_ns <= t + 1000);
        lagged += got[2 * i + 1].local_ns > t;
    }
    assert_true(lagged > 40);
}

static void test_drop_event(void **st) {
    (void)st;
    chaos_config_t cfg = zero(3, 1000, 1);
    cfg.p_drop_event = 1;
    setup(&cfg);
    const venue_event_type_t types[] = {VEV_ACK, VEV_REJECT, VEV_FILL, VEV_CANCELED, VEV_CANCEL_REJECT,
                                        VEV_EXPIRED, VEV_UNKNOWN, VEV_STATUS, VEV_RATE_LIMIT,
                                        VEV_OPEN_ORDER, VEV_BALANCE, VEV_SYNC_DONE};
    for (int i = 0; i < 12; i++) emit(&F, types[i], i < 10 ? "a" : "", 10 * i);
    chaos_pump(&C, INT64_MAX);
    assert_int_equal(ngot, 4);
    expect(0, VEV_RATE_LIMIT, "a", 80);
    expect(1, VEV_OPEN_ORDER, "a", 90);
    expect(2, VEV_BALANCE, "", 100);
    expect(3, VEV_SYNC_DONE, "", 110);
    assert_int_equal(C.st.dropped_events, 8);
    assert_int_equal(C.st.events_in, 12);
    assert_int_equal(C.st.events_out, 4);
}

static void test_drop_request(void **st) {
    (void)st;
    chaos_config_t cfg = zero(4, 0, 1);
    cfg.p_drop_request = 1;
    setup(&cfg);
    F.rc = VENUE_NOT_SENT; /* never asked: the caller hears SENT */
    order_t a = ord("a"), b = ord("b");
    assert_int_equal(C.base.vt->place(&C.base, &a, 1), VENUE_SENT);
    assert_int_equal(C.base.vt->cancel(&C.base, &a, 2), VENUE_SENT);
    assert_int_equal(C.base.vt->replace(&C.base, &a, &b, VREPLACE_STOP_ON_FAILURE, 3), VENUE_SENT);
    assert_int_equal(C.base.vt->query(&C.base, &a, 4), VENUE_SENT);
    assert_int_equal(C.base.vt->cancel_all(&C.base, 5), VENUE_SENT);
    assert_int_equal(F.nreq, 0);
    assert_int_equal(C.st.dropped_requests, 5);
    /* a sync always goes (nothing else would end it) */
    F.rc = VENUE_SENT;
    assert_int_equal(C.base.vt->sync(&C.base, 6), VENUE_SENT);
    assert_int_equal(F.nreq, 1);
    assert_int_equal(F.reqs[0].req, VREQ_SYNC);
    assert_int_equal(chaos_pump(&C, INT64_MAX), 0);
    assert_int_equal(ngot, 0);
    /* a dropped place may have reached the venue as far as anyone knows: its cid is used */
    assert_int_equal(C.st.dup_cids, 0);
    assert_int_equal(C.base.vt->place(&C.base, &b, 7), VENUE_SENT);
    assert_int_equal(C.st.dup_cids, 1);
}

static void test_not_sent(void **st) {
    (void)st;
    chaos_config_t cfg = zero(5, 0, 1);
    cfg.p_not_sent = 1;
    setup(&cfg);
    order_t a = ord("a"), b = ord("b");
    assert_int_equal(C.base.vt->place(&C.base, &a, 1), VENUE_NOT_SENT);
    assert_int_equal(C.base.vt->cancel(&C.base, &a, 2), VENUE_NOT_SENT);
    assert_int_equal(C.base.vt->replace(&C.base, &a, &b, VREPLACE_STOP_ON_FAILURE, 3), VENUE_NOT_SENT);
    assert_int_equal(C.base.vt->query(&C.base, &a, 4), VENUE_NOT_SENT);
    assert_int_equal(C.base.vt->cancel_all(&C.base, 5), VENUE_NOT_SENT);
    assert_int_equal(F.nreq, 0);
    assert_int_equal(C.st.not_sent, 5);
    /* the same order sent again after NOT_SENT keeps its cid: not a duplicate */
    assert_int_equal(C.base.vt->place(&C.base, &a, 6), VENUE_NOT_SENT);
    assert_int_equal(C.st.dup_cids, 0);
    assert_int_equal(C.base.vt->sync(&C.base, 7), VENUE_SENT);
    assert_int_equal(F.nreq, 1);
    assert_int_equal(ngot, 0);
}

static void test_unknown(void **st) {
    (void)st;
    chaos_config_t cfg = zero(6, 0, 1);
    cfg.p_unknown = 1;
    setup(&cfg);
    order_t a = ord("a"), b = ord("b"), z = ord("z");
    /* place: the ACK (its first answer) becomes UNKNOWN; the fill after it passes */
    assert_int_equal(C.base.vt->place(&C.base, &a, 1), VENUE_SENT);
    assert_int_equal(F.nreq, 1);
    emit(&F, VEV_ACK, "z", 5); /* about another order: untouched */
    emit(&F, VEV_ACK, "a", 10);
    emit(&F, VEV_FILL, "a", 20);
    /* cancel */
    assert_int_equal(C.base.vt->cancel(&C.base, &a, 21), VENUE_SENT);
    emit(&F, VEV_CANCEL_REJECT, "a", 30);
    /* query: the first STATUS only */
    assert_int_equal(C.base.vt->query(&C.base, &a, 31), VENUE_SENT);
    emit(&F, VEV_FILL, "a", 35); /* not an answer to a query */
    emit(&F, VEV_STATUS, "a", 40);
    emit(&F, VEV_STATUS, "a", 41);
    /* replace: the first answer about the old or the new order, told with the new cid */
    assert_int_equal(C.base.vt->replace(&C.base, &a, &b, VREPLACE_STOP_ON_FAILURE, 42), VENUE_SENT);
    emit(&F, VEV_CANCELED, "a", 50);
    emit(&F, VEV_ACK, "b", 60);
    /* cancel_all: forwarded, outcome unknown */
    assert_int_equal(C.base.vt->cancel_all(&C.base, 61), VENUE_MAYBE_SENT);
    assert_int_equal(F.nreq, 5);
    assert_int_equal(F.reqs[4].req, VREQ_CANCEL_ALL);
    /* a request the inner venue did not send waits for nothing */
    F.rc = VENUE_NOT_SENT;
    assert_int_equal(C.base.vt->place(&C.base, &z, 62), VENUE_NOT_SENT);
    emit(&F, VEV_REJECT, "z", 70);
    assert_int_equal(chaos_pump(&C, INT64_MAX), 0);

    assert_int_equal(ngot, 10);
    expect(0, VEV_ACK, "z", 5);
    expect(1, VEV_UNKNOWN, "a", 10);
    expect(2, VEV_FILL, "a", 20);
    expect(3, VEV_UNKNOWN, "a", 30);
    expect(4, VEV_FILL, "a", 35);
    expect(5, VEV_UNKNOWN, "a", 40);
    expect(6, VEV_STATUS, "a", 41);
    expect(7, VEV_UNKNOWN, "b", 50);
    expect(8, VEV_ACK, "b", 60);
    expect(9, VEV_REJECT, "z", 70);
    assert_int_equal(got[1].req, VREQ_PLACE);
    assert_int_equal(got[3].req, VREQ_CANCEL);
    assert_int_equal(got[5].req, VREQ_QUERY);
    assert_int_equal(got[7].req, VREQ_REPLACE);
    for (int k = 1; k <= 7; k += 2) {
        assert_int_equal(got[k].code, CHAOS_CODE_UNKNOWN);
        assert_int_equal(got[k].cum_qty, -1);
        assert_int_equal(got[k].status, VST_NONE);
        assert_int_equal(got[k].order_id, 0);
        assert_true(got_reason[k][0] != 0);
    }
    assert_int_equal(got[1].exch_ns, 5);
    assert_int_equal(C.st.unknowns, 5);
    assert_int_equal(C.st.events_in, 10);
    assert_int_equal(C.st.events_out, 10);
}

static void test_rate_limit(void **st) {
    (void)st;
    chaos_config_t cfg = zero(7, 0, 1);
    cfg.p_rate_limit = 1;
    cfg.rate_limit_retry_ns = 100000000;
    setup(&cfg);
    order_t a = ord("a");
    assert_int_equal(C.base.vt->place(&C.base, &a, 1000), VENUE_SENT);
    assert_int_equal(F.nreq, 0);
    assert_int_equal(ngot, 0); /* answered later, never from inside the request */
    assert_int_equal(chaos_next_ns(&C), 1000);
    assert_int_equal(chaos_pump(&C, 999), 0);
    assert_int_equal(chaos_pump(&C, 1000), 2);
    assert_int_equal(ngot, 2);
    expect(0, VEV_REJECT, "a", 1000);
    assert_int_equal(got[0].req, VREQ_PLACE);
    assert_int_equal(got[0].code, VENUE_CODE_TOO_MANY);
    assert_int_equal(got[0].side, SIDE_BUY);
    assert_string_equal(got_reason[0], "chaos: too many new orders");
    expect(1, VEV_RATE_LIMIT, "", 1000);
    assert_int_equal(got[1].retry_ns, 1000 + 100000000);
    assert_int_equal(C.st.rate_limited, 1);
    /* only places are refused */
    assert_int_equal(C.base.vt->cancel(&C.base, &a, 1001), VENUE_SENT);
    assert_int_equal(F.nreq, 1);
    assert_int_equal(F.reqs[0].req, VREQ_CANCEL);
    /* the answer precedes a later inner event */
    order_t b = ord("b");
    assert_int_equal(C.base.vt->place(&C.base, &b, 2000), VENUE_SENT);
    emit(&F, VEV_CANCELED, "a", 2500);
    assert_int_equal(ngot, 5);
    expect(2, VEV_REJECT, "b", 2000);
    expect(3, VEV_RATE_LIMIT, "", 2000);
    expect(4, VEV_CANCELED, "a", 2500);
}

static void test_delay(void **st) {
    (void)st;
    /* max_delay 0: held until the next pump, or until an inner event later in time */
    chaos_config_t cfg = zero(8, 0, 1);
    cfg.p_delay = 1;
    setup(&cfg);
    emit(&F, VEV_ACK, "a", 10);
    assert_int_equal(ngot, 0);
    emit(&F, VEV_FILL, "a", 10); /* time has reached the ACK's release: it goes first */
    assert_int_equal(ngot, 1);
    expect(0, VEV_ACK, "a", 10);
    emit(&F, VEV_FILL, "a", 20);
    assert_int_equal(ngot, 2);
    expect(1, VEV_FILL, "a", 10);
    assert_int_equal(chaos_pump(&C, 19), 0);
    assert_int_equal(chaos_pump(&C, 20), 1);
    expect(2, VEV_FILL, "a", 20);
    assert_int_equal(C.st.delayed, 3);

    /* up to max_delay: released by time, in release order, at their release time */
    cfg = zero(9, 1000, 1);
    cfg.p_delay = 1;
    setup(&cfg);
    static int64_t sent_at[300];
    for (int i = 0; i < 200; i++) {
        uint64_t id = emit(&F, VEV_FILL, "a", 100 * (int64_t)i);
        sent_at[id] = 100 * (int64_t)i;
        /* whatever went out was due by now */
        for (int k = 0; k < ngot; k++) assert_true(got[k].local_ns <= 100 * (int64_t)i);
    }
    int before = ngot;
    assert_true(before > 100 && before < 200);
    for (int64_t t = 19900; chaos_held(&C) > 0; t += 50) {
        int n = chaos_pump(&C, t);
        for (int k = ngot - n; k < ngot; k++) assert_true(got[k].local_ns <= t);
        assert_true(chaos_next_ns(&C) > t);
    }
    assert_int_equal(ngot, 200);
    static int seen[300];
    memset(seen, 0, sizeof seen);
    int late = 0;
    for (int k = 0; k < 200; k++) {
        uint64_t id = got[k].order_id;
        seen[id]++;
        int64_t lag = got[k].local_ns - sent_at[id];
        assert_true(lag >= 0 && lag <= 1000);
        late += lag > 100; /* overtaken by the next one */
        if (k) assert_true(got[k].local_ns >= got[k - 1].local_ns);
    }
    for (int id = 1; id <= 200; id++) assert_int_equal(seen[id], 1);
    assert_true(late > 50);
    assert_int_equal(C.st.delayed, 200);
}

static void test_reorder(void **st) {
    (void)st;
    chaos_config_t cfg = zero(10, 1000, 1);
    cfg.p_reorder = 1;
    setup(&cfg);
    emit(&F, VEV_ACK, "a", 10);
    emit(&F, VEV_FILL, "a", 20);
    emit(&F, VEV_FILL, "b", 30);
    emit(&F, VEV_CANCELED, "b", 40);
    assert_int_equal(ngot, 4);
    expect(0, VEV_FILL, "a", 20);
    expect(1, VEV_ACK, "a", 20); /* reached us just after the fill */
    expect(2, VEV_CANCELED, "b", 40);
    expect(3, VEV_FILL, "b", 40);
    /* nothing follows: it goes out at its time + max_delay_ns */
    emit(&F, VEV_EXPIRED, "c", 50);
    assert_int_equal(chaos_next_ns(&C), 1050);
    assert_int_equal(chaos_pump(&C, 1049), 0);
    assert_int_equal(chaos_pump(&C, 1050), 1);
    expect(4, VEV_EXPIRED, "c", 1050);
    /* a sync event is never held, but counts as the next one */
    emit(&F, VEV_FILL, "d", 2000);
    emit(&F, VEV_SYNC_DONE, "", 2010);
    expect(5, VEV_SYNC_DONE, "", 2010);
    expect(6, VEV_FILL, "d", 2010);
    assert_int_equal(C.st.reordered, 4);

    /* depth 3: each reordered event follows 1..3 events; all go out once */
    cfg = zero(11, 1000, 3);
    cfg.p_reorder = 1;
    setup(&cfg);
    for (int i = 0; i < 400; i++) emit(&F, VEV_FILL, "a", 10 * (int64_t)i);
    chaos_pump(&C, INT64_MAX);
    assert_int_equal(ngot, 400);
    static int seen[401], pos[401];
    memset(seen, 0, sizeof seen);
    int hist[4] = {0};
    for (int k = 0; k < 400; k++) {
        seen[got[k].order_id]++;
        pos[got[k].order_id] = k;
    }
    for (int id = 1; id <= 400; id++) assert_int_equal(seen[id], 1);
    for (int id = 1; id <= 395; id++) {
        int jump = pos[id] - (id - 1); /* places it went back by (held ones went forward) */
        assert_true(jump <= 3);
        if (jump > 0) hist[jump]++;
    }
    assert_true(hist[1] > 0 && hist[2] > 0 && hist[3] > 0);
}

/* ---- invariants, limits, wiring ---- */

static void test_dup_cids(void **st) {
    (void)st;
    chaos_config_t cfg;
    chaos_config_default(&cfg, 0, 1);
    setup(&cfg);
    order_t a = ord("q1-a"), b = ord("q1-b"), c = ord("q1-c"), d = ord("q1-d");
    C.base.vt->place(&C.base, &a, 1);
    C.base.vt->place(&C.base, &b, 2);
    C.base.vt->replace(&C.base, &a, &c, VREPLACE_STOP_ON_FAILURE, 3); /* a is the old one: fine */
    F.rc = VENUE_NOT_SENT;
    C.base.vt->place(&C.base, &d, 4); /* did not go: d is still free */
    F.rc = VENUE_SENT;
    C.base.vt->place(&C.base, &d, 5);
    assert_int_equal(C.st.dup_cids, 0);
    C.base.vt->place(&C.base, &a, 6);
    assert_int_equal(C.st.dup_cids, 1);
    C.base.vt->replace(&C.base, &b, &c, VREPLACE_ALLOW_FAILURE, 7);
    assert_int_equal(C.st.dup_cids, 2);
    /* cancels and queries name existing orders: never counted */
    C.base.vt->cancel(&C.base, &a, 8);
    C.base.vt->query(&C.base, &a, 9);
    assert_int_equal(C.st.dup_cids, 2);
    /* many distinct ids: none counted */
    for (int i = 0; i < 20000; i++) {
        char cid[ORDER_CID_MAX + 1];
        snprintf(cid, sizeof cid, "run7-%d", i);
        order_t o = ord(cid);
        C.base.vt->place(&C.base, &o, 10 + i);
    }
    assert_int_equal(C.st.dup_cids, 2);
    assert_int_equal(C.st.cids_untracked, 0);
}

static void test_overflow(void **st) {
    (void)st;
    chaos_config_t cfg = zero(12, 1000000000, 1);
    cfg.p_delay = 1;
    setup(&cfg);
    for (int i = 0; i < CHAOS_HOLD_MAX + 5; i++) {
        uint64_t id = emit(&F, VEV_FILL, "a", 0);
        if (i >= CHAOS_HOLD_MAX) { /* full: out at once, at its own time */
            assert_int_equal(ngot, i - CHAOS_HOLD_MAX + 1);
            assert_int_equal(got[ngot - 1].order_id, id);
            assert_int_equal(got[ngot - 1].local_ns, 0);
        } else {
            assert_int_equal(ngot, 0);
        }
    }
    assert_int_equal(C.st.overflow, 5);
    assert_int_equal(chaos_held(&C), CHAOS_HOLD_MAX);
    /* a copy with no room goes out right after its original */
    C.cfg.p_delay = 0;
    C.cfg.p_duplicate = 1;
    uint64_t id = emit(&F, VEV_ACK, "b", 0);
    assert_int_equal(ngot, 7);
    assert_int_equal(got[5].order_id, id);
    assert_int_equal(got[6].order_id, id);
    assert_int_equal(C.st.overflow, 6);
    /* a rate limit with no room for its answer: the place goes through */
    C.cfg.p_rate_limit = 1;
    order_t a = ord("a");
    assert_int_equal(C.base.vt->place(&C.base, &a, 1), VENUE_SENT);
    assert_int_equal(F.nreq, 1);
    assert_int_equal(C.st.rate_limited, 0);
    assert_int_equal(chaos_pump(&C, INT64_MAX), CHAOS_HOLD_MAX);
    assert_int_equal(ngot, CHAOS_HOLD_MAX + 7);
    assert_int_equal(C.st.events_out, C.st.events_in + C.st.duplicated);
    assert_int_equal(chaos_held(&C), 0);
}

static void test_wiring(void **st) {
    (void)st;
    chaos_config_t cfg;
    chaos_config_default(&cfg, 0.05, 3);
    assert_true(cfg.p_duplicate == 0.05 && cfg.p_reorder == 0.05 && cfg.p_delay == 0.05 &&
                cfg.p_drop_event == 0.05 && cfg.p_drop_request == 0.05 && cfg.p_unknown == 0.05 &&
                cfg.p_not_sent == 0.05 && cfg.p_rate_limit == 0.05);
    assert_int_equal(cfg.seed, 3);
    chaos_config_default(&cfg, 7, 3);
    assert_true(cfg.p_drop_event == 1);
    chaos_config_default(&cfg, -1, 3);
    assert_true(cfg.p_drop_event == 0);
    /* a NULL inner replace stays NULL (the oms falls back to cancel + place) */
    fake_init(&F);
    assert_int_equal(chaos_init(&C, &F.base, &cfg), 0);
    assert_non_null(C.base.vt->replace);
    F.base.vt = &fake_vt_noreplace;
    assert_int_equal(chaos_init(&C, &F.base, &cfg), 0);
    assert_null(C.base.vt->replace);
    assert_non_null(C.base.vt->place);
    /* a venue with no sink yet: held or not, nothing is delivered and nothing breaks */
    chaos_config_default(&cfg, 0.5, 3);
    fake_init(&F);
    assert_int_equal(chaos_init(&C, &F.base, &cfg), 0);
    assert_null(C.base.sink);
    for (int i = 0; i < 100; i++) emit(&F, VEV_FILL, "a", i);
    chaos_pump(&C, INT64_MAX);
    assert_int_equal(C.st.events_in, 100);
    /* bad configurations */
    chaos_config_default(&cfg, 0.1, 3);
    cfg.p_unknown = 1.5;
    assert_int_equal(chaos_init(&C, &F.base, &cfg), Q_E_INVAL);
    cfg.p_unknown = NAN;
    assert_int_equal(chaos_init(&C, &F.base, &cfg), Q_E_INVAL);
    chaos_config_default(&cfg, 0.1, 3);
    cfg.reorder_depth = 0;
    assert_int_equal(chaos_init(&C, &F.base, &cfg), Q_E_INVAL);
    chaos_config_default(&cfg, 0.1, 3);
    cfg.max_delay_ns = -1;
    assert_int_equal(chaos_init(&C, &F.base, &cfg), Q_E_INVAL);
}

/* a held event keeps its reason's text, whatever the inner venue does with its buffer */
static void test_reason_copied(void **st) {
    (void)st;
    chaos_config_t cfg = zero(13, 100, 1);
    cfg.p_delay = 1;
    setup(&cfg);
    char buf[64];
    snprintf(buf, sizeof buf, "%s", "Filter failure: PRICE_FILTER");
    venue_event_t e = mk(&F, VEV_REJECT, "a", 10);
    e.reason = buf;
    venue_emit(&F.base, &e);
    memset(buf, 'x', sizeof buf - 1);
    chaos_pump(&C, INT64_MAX);
    assert_int_equal(ngot, 1);
    assert_string_equal(got_reason[0], "Filter failure: PRICE_FILTER");
    assert_int_equal(got[0].code, -2010);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transparent), cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_duplicate),   cmocka_unit_test(test_drop_event),
        cmocka_unit_test(test_drop_request), cmocka_unit_test(test_not_sent),
        cmocka_unit_test(test_unknown),     cmocka_unit_test(test_rate_limit),
        cmocka_unit_test(test_delay),       cmocka_unit_test(test_reorder),
        cmocka_unit_test(test_dup_cids),    cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_wiring),      cmocka_unit_test(test_reason_copied),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
