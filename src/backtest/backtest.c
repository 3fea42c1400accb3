/* backtest.c: the backtest loop (see backtest.h). */
#include "backtest.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/err.h"

/* the sim's latency model from the sim.latency_* keys (sim.h keeps the constant one) */
static int latency_setup(backtest_t *bt, const config_t *c) {
    char err[sizeof bt->err - 32];
    int rc = 0;
    int file = strcasecmp(c->latency_model, "file") == 0;
    if (!file && c->latency_file[0]) {
        snprintf(bt->err, sizeof bt->err, "sim.latency_file is set but sim.latency_model is %s: set it to file, "
                 "or clear sim.latency_file", c->latency_model);
        return Q_E_INVAL;
    }
    if (file && !c->latency_file[0]) {
        snprintf(bt->err, sizeof bt->err, "sim.latency_model = file wants sim.latency_file");
        return Q_E_INVAL;
    }
    if (file)
        rc = latency_load(&bt->lat, c->latency_file, c->latency_entry_share, err, sizeof err);
    else if (strcasecmp(c->latency_model, "lognormal") == 0)
        rc = latency_lognormal(&bt->lat, c->latency_median_ms * 1e6, c->latency_p99_ms * 1e6,
                               c->latency_entry_share, (uint64_t)c->latency_seed, err, sizeof err);
    else
        return 0;
    if (rc) {
        snprintf(bt->err, sizeof bt->err, "sim.latency_%s: %s", file ? "file" : "model", err);
        return rc;
    }
    bt->sim.lat = &bt->lat;
    return 0;
}

/* ---- the read-ahead ---------------------------------------------------------------- */

/* the event's exchange time: a trade at its T plus the clock's offset (the same offset
   its message's E gets, without the estimate's clamp to never go backwards: a trade's
   time does go back from the events before it), others as the clock estimates them */
static int64_t exch_time(backtest_t *bt, const md_event_t *ev) {
    int64_t x = exch_clock_estimate(&bt->clock, ev->local_ns, ev->exch_ns);
    if (ev->type == MD_TRADE && ev->exch_ns > 0 && ev->u.trade.trade_ns > 0) {
        int64_t t = ev->u.trade.trade_ns + bt->clock.offset;
        if (t < x) x = t; /* never after its message's own estimate (T <= E) */
    }
    return x;
}

static int item_before(const bt_item_t *a, const bt_item_t *b) { return a->x != b->x ? a->x < b->x : a->seq < b->seq; }

static void heap_push(backtest_t *bt, const bt_item_t *it) {
    int i = bt->ntrades++;
    while (i > 0) {
        int up = (i - 1) / 2;
        if (!item_before(it, &bt->trades[up])) break;
        bt->trades[i] = bt->trades[up];
        i = up;
    }
    bt->trades[i] = *it;
}

static void heap_pop(backtest_t *bt) {
    bt_item_t last = bt->trades[--bt->ntrades];
    int i = 0, n = bt->ntrades;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && item_before(&bt->trades[c + 1], &bt->trades[c])) c++;
        if (!item_before(&bt->trades[c], &last)) break;
        bt->trades[i] = bt->trades[c];
        i = c;
    }
    if (n) bt->trades[i] = last;
}

/* Queues bt->next: 1, or 0 when there is no room yet (the engine must take events first). */
static int enqueue(backtest_t *bt) {
    md_event_t *ev = &bt->next;
    int64_t nlv = ev->type == MD_DIFF || ev->type == MD_SNAPSHOT ? ev->nbids + ev->nasks : 0;
    if (bt->qtail - bt->qhead >= BT_QUEUE || bt->ntrades >= BT_QUEUE) return 0;
    int64_t at = bt->lvtail;
    if (nlv) {
        if (at % BT_LEVELS + nlv > BT_LEVELS) at += BT_LEVELS - at % BT_LEVELS; /* keep them in one piece */
        if (at + nlv - bt->lvhead > BT_LEVELS) return 0;
        md_level_t *d = &bt->lv[at % BT_LEVELS];
        if (ev->nbids) memcpy(d, ev->bids, (size_t)ev->nbids * sizeof *d);
        if (ev->nasks) memcpy(d + ev->nbids, ev->asks, (size_t)ev->nasks * sizeof *d);
        ev->bids = d;
        ev->asks = d + ev->nbids;
        bt->lvtail = at + nlv;
    }
    bt_item_t *it = &bt->q[bt->qtail % BT_QUEUE];
    it->ev = *ev;
    it->x = exch_time(bt, ev);
    it->seq = bt->qtail++;
    it->lv_end = bt->lvtail;
    if (ev->type == MD_TRADE) heap_push(bt, it);
    bt->pending = 0;
    return 1;
}

/* Reads ahead until an event received after `until` is queued (or the end, or no room). */
static int read_ahead(backtest_t *bt, int64_t until) {
    while (!bt->eof) {
        if (bt->qtail > bt->qhead && bt->q[(bt->qtail - 1) % BT_QUEUE].ev.local_ns > until) break;
        if (!bt->pending) {
            int rc = replay_next(&bt->rp, &bt->next);
            if (rc < 0) return rc;
            if (rc == 0) {
                bt->eof = 1;
                break;
            }
            bt->pending = 1;
        }
        if (!enqueue(bt)) break;
    }
    return 0;
}

/* the exchange side's next book event (the read-ahead's next non-trade), or NULL */
static bt_item_t *next_book_event(backtest_t *bt) {
    while (bt->xq < bt->qtail && bt->q[bt->xq % BT_QUEUE].ev.type == MD_TRADE) bt->xq++;
    return bt->xq < bt->qtail ? &bt->q[bt->xq % BT_QUEUE] : 0;
}

/* a backtest's own side: its simulated venue on the exchange's book `xbook` (its own, or a
   group's shared one), the latency model, the chaos venue, the engine and the report */
static int setup_lane(backtest_t *bt, const config_t *c, const config_exact_t *x, const book_t *xbook,
                      const char *out_dir) {
    int rc;
    queue_model_t qm = {strcasecmp(c->queue_model, "probabilistic") == 0 ? QUEUE_PROBABILISTIC
                                                                        : QUEUE_CONSERVATIVE,
                        c->queue_power};
    if ((rc = sim_init(&bt->sim, xbook, &x->rules, qm, (int64_t)(c->entry_latency_ms * 1e6),
                       (int64_t)(c->response_latency_ms * 1e6), c->maker_fee, c->taker_fee, x->base_balance,
                       x->quote_balance))) {
        snprintf(bt->err, sizeof bt->err, "simulated exchange: %s", q_strerror(rc));
        return rc;
    }
    if ((rc = latency_setup(bt, c))) return rc;
    bt->sim.cross_fills = c->cross_fills;
    venue_t *v = &bt->sim.base;
    if (c->chaos > 0) {
        chaos_config_t cc;
        chaos_config_default(&cc, c->chaos, (uint64_t)c->chaos_seed);
        /* big (held events, the cid set): only when wanted, and off the backtest's own memory */
        if (!(bt->chaos = calloc(1, sizeof *bt->chaos))) {
            snprintf(bt->err, sizeof bt->err, "sim.chaos: %s", q_strerror(Q_E_NOMEM));
            return Q_E_NOMEM;
        }
        if ((rc = chaos_init(bt->chaos, &bt->sim.base, &cc))) {
            snprintf(bt->err, sizeof bt->err, "sim.chaos: %s", q_strerror(rc));
            return rc;
        }
        bt->chaos_on = 1;
        v = &bt->chaos->base;
    }
    if ((rc = engine_init(&bt->eng, c, x, v, 0, bt->err, sizeof bt->err))) return rc;
    if ((rc = report_open(&bt->rep, &bt->eng, out_dir, c->equity_interval_s, bt->err, sizeof bt->err)))
        return rc;
    bt->eng.oms.hooks = (oms_hooks_t){&bt->rep, report_on_fill, report_on_done};
    bt->rep.sim = &bt->sim;
    bt->rep.chaos = bt->chaos;
    return 0;
}

int backtest_run(backtest_t *bt, const config_t *c, const config_exact_t *x, char **files, int nfiles,
                 const char *out_dir) {
    memset(bt, 0, sizeof *bt);
    bt_group_t *g = bt->group = calloc(1, sizeof *bt->group);
    if (!g) {
        snprintf(bt->err, sizeof bt->err, "%s", q_strerror(Q_E_NOMEM));
        return Q_E_NOMEM;
    }
    int rc = bt_group_open(g, files, nfiles, &x->rules, 1);
    if (rc) {
        snprintf(bt->err, sizeof bt->err, "%s", g->err);
        return rc;
    }
    if ((rc = bt_lane_open(g, bt, c, x, out_dir))) return rc; /* (bt->err set) */
    if ((rc = bt_group_run(g, 0, 0))) {
        snprintf(bt->err, sizeof bt->err, "%s", g->err);
        return rc;
    }
    /* what the caller reads of the feed: the symbols seen, the clock (backtest_drain) */
    bt->rp.syms = g->feed->rp.syms;
    bt->clock = g->feed->clock;
    return 0;
}

int backtest_drain(backtest_t *bt, int64_t max_ns, int64_t step_ns) {
    oms_t *m = &bt->eng.oms;
    /* the oms's patience: each longest wait is one more attempt for an order still unresolved
       (at chaos 0.2 a query gets through and is told about 0.8^4 = 40% of the time, at 0.3
       0.7^4 = 24%, and an order may need a few in a row: answered, canceled again, told) */
    if (max_ns <= 0) max_ns = BT_DRAIN_WAITS * oms_longest_wait_ns(m);
    int64_t t = bt->eng.now, end = t + max_ns;
    for (;;) {
        int64_t xt = exch_clock_estimate(&bt->clock, t, 0);
        sim_advance(&bt->sim, xt);
        sim_deliver(&bt->sim, t);
        if (bt->chaos_on) chaos_pump(bt->chaos, t);
        oms_poll(m, t);
        oms_update(m, 0, t); /* cancels what a query found still open */
        bt->violations += oms_check(m, t);
        int quiet = bt->sim.req_head == bt->sim.req_tail && bt->sim.ev_head == bt->sim.ev_tail &&
                    (!bt->chaos_on || !chaos_held(bt->chaos));
        if ((quiet && !oms_unresolved_count(m)) || t >= end) break;
        t += step_ns;
    }
    bt->eng.now = t;
    return oms_unresolved_count(m);
}

void backtest_free(backtest_t *bt) {
    replay_close(&bt->rp);
    sync_free(&bt->xsync);
    book_free(&bt->xbook);
    free(bt->q);
    free(bt->trades);
    free(bt->lv);
    bt->q = bt->trades = 0;
    bt->lv = 0;
    sim_free(&bt->sim);
    latency_free(&bt->lat);
    free(bt->chaos);
    bt->chaos = 0;
    engine_free(&bt->eng);
    if (bt->group) { /* after the lane: its sim and engine point into the group's books */
        bt_group_free(bt->group);
        free(bt->group);
        bt->group = 0;
    }
}

/* ---- groups (backtest.h) ------------------------------------------------------------- */

int bt_group_open(bt_group_t *g, char **files, int nfiles, const symbol_rules_t *rules, int max_lanes) {
    memset(g, 0, sizeof *g);
    backtest_t *f = g->feed = calloc(1, sizeof *g->feed);
    g->lane = calloc((size_t)(max_lanes > 0 ? max_lanes : 1), sizeof *g->lane);
    g->active = calloc((size_t)(max_lanes > 0 ? max_lanes : 1), sizeof *g->active);
    g->cap = max_lanes > 0 ? max_lanes : 1;
    if (!f || !g->lane || !g->active) {
        snprintf(g->err, sizeof g->err, "sweep: %s", q_strerror(Q_E_NOMEM));
        return Q_E_NOMEM;
    }
    int rc;
    /* the exchange side: its own book, at exchange time, and the read-ahead */
    if ((rc = book_init(&f->xbook, 17))) {
        snprintf(g->err, sizeof g->err, "simulated exchange: %s", q_strerror(rc));
        return rc;
    }
    sync_init(&f->xsync, &f->xbook);
    f->q = calloc(BT_QUEUE, sizeof *f->q);
    f->trades = calloc(BT_QUEUE, sizeof *f->trades);
    f->lv = calloc(BT_LEVELS, sizeof *f->lv);
    if (!f->q || !f->trades || !f->lv) {
        snprintf(g->err, sizeof g->err, "read-ahead: %s", q_strerror(Q_E_NOMEM));
        return Q_E_NOMEM;
    }
    if ((rc = book_init(&g->ebook, 17))) {
        snprintf(g->err, sizeof g->err, "book: %s", q_strerror(rc));
        return rc;
    }
    sync_init(&g->esync, &g->ebook);
    exch_clock_init(&f->clock);
    if ((rc = replay_open(&f->rp, files, nfiles, rules))) {
        snprintf(g->err, sizeof g->err, "%s", q_strerror(rc));
        return rc;
    }
    return 0;
}

int bt_lane_open(bt_group_t *g, backtest_t *bt, const config_t *c, const config_exact_t *x, const char *out_dir) {
    /* no memset: bt comes zeroed (backtest.h), and its pages a lane never uses (most of
       its 860 kB: the read-ahead's fields, the inline rings) stay untouched */
    bt->cfg = c;
    bt->x = x;
    bt->from_ns = INT64_MIN;
    bt->to_ns = INT64_MAX;
    if (g->n == g->cap) {
        snprintf(bt->err, sizeof bt->err, "sweep: more lanes than the group was opened for (%d)", g->cap);
        return Q_E_FULL;
    }
    int rc = setup_lane(bt, c, x, &g->feed->xbook, out_dir);
    if (rc) return rc;
    bt->eng.shared_book = &g->ebook;
    bt->eng.shared_sync = &g->esync;
    bt->eng.shared_top = &g->etop;
    g->lane[g->n++] = bt;
    g->active[g->nactive++] = bt;
    return 0;
}

static void lane_requests_to(backtest_t *l, int64_t t) {
    int64_t tr;
    while ((tr = sim_next_arrival(&l->sim)) <= t) sim_advance(&l->sim, tr);
}

/* The exchange side handles everything up to time t, in time order, for every active lane at
   once: before each market event (trades, then book events of the same time), each lane's
   requests due by its time (a request comes before a market event of the same time, and
   never moves a market event's time or order), then the event, applied to the exchange's
   book once and handed to each lane's sim */
static void group_exchange_to(bt_group_t *g, int64_t t) {
    backtest_t *f = g->feed;
    for (;;) {
        int64_t tt = f->ntrades ? f->trades[0].x : INT64_MAX;
        bt_item_t *b = next_book_event(f);
        int64_t tb = b ? (b->x > f->xnow ? b->x : f->xnow) : INT64_MAX;
        int64_t m = tt <= tb ? tt : tb;
        if (m > t) break;
        for (int i = 0; i < g->nactive; i++) lane_requests_to(g->active[i], m);
        if (tt <= tb) {
            bt_item_t it = f->trades[0];
            heap_pop(f);
            for (int i = 0; i < g->nactive; i++) {
                sim_t *s = &g->active[i]->sim;
                if (it.x < f->xnow) s->st.late_events++;
                sim_on_market(s, &it.ev, it.x);
            }
            if (it.x > f->xnow) f->xnow = it.x;
        } else {
            int late = b->x < f->xnow;
            f->xnow = tb;
            switch (b->ev.type) {
            case MD_DIFF: sync_on_diff(&f->xsync, &b->ev); break;
            case MD_SNAPSHOT: sync_on_snapshot(&f->xsync, &b->ev); break;
            case MD_BBO: book_on_bbo(&f->xbook, &b->ev); break;
            default: break;
            }
            for (int i = 0; i < g->nactive; i++) {
                sim_t *s = &g->active[i]->sim;
                if (late) s->st.late_events++;
                sim_on_market(s, &b->ev, tb);
            }
            f->xq++;
        }
    }
    for (int i = 0; i < g->nactive; i++) lane_requests_to(g->active[i], t);
    if (t > f->xnow) f->xnow = t;
}

/* a lane's end: the replay's counts into its report, which is closed */
static void lane_finish(bt_group_t *g, backtest_t *l) {
    l->rep.bad_lines = replay_bad_lines(&g->feed->rp);
    l->rep.gaps = g->esync.st.gaps;
    l->rep.offgrid = g->feed->rp.dec.offgrid;
    report_close(&l->rep);
    l->lane_done = 1;
}

int bt_group_run(bt_group_t *g, void (*tick)(void *ctx, const bt_group_t *g), void *ctx) {
    backtest_t *f = g->feed;
    int rc = 0;
    while (g->nactive) {
        if (f->qhead == f->qtail && (rc = read_ahead(f, INT64_MIN)) < 0) break;
        if (f->qhead == f->qtail) break; /* the end */
        if ((rc = read_ahead(f, f->q[f->qhead % BT_QUEUE].ev.local_ns + BT_LOOKAHEAD_NS)) < 0) break;
        bt_item_t *it = &f->q[f->qhead % BT_QUEUE];
        const md_event_t *ev = &it->ev;
        int64_t t = ev->local_ns;
        /* lanes whose window ended stop before this event */
        for (int i = 0; i < g->nactive;) {
            backtest_t *l = g->active[i];
            if (t >= l->to_ns) {
                lane_finish(g, l);
                memmove(&g->active[i], &g->active[i + 1], (size_t)(--g->nactive - i) * sizeof *g->active);
            } else {
                i++;
            }
        }
        if (!g->nactive) break;
        group_exchange_to(g, t);
        for (int i = 0; i < g->nactive; i++) {
            backtest_t *l = g->active[i];
            sim_deliver(&l->sim, t);
            if (l->chaos_on) chaos_pump(l->chaos, t);
        }
        switch (ev->type) { /* what engine_on_market does to an engine's own book */
        case MD_DIFF: sync_on_diff(&g->esync, ev); break;
        case MD_SNAPSHOT: sync_on_snapshot(&g->esync, ev); break;
        case MD_BBO: book_on_bbo(&g->ebook, ev); break;
        default: break;
        }
        book_top(&g->ebook, &g->etop); /* once for every engine */
        for (int i = 0; i < g->nactive; i++) {
            backtest_t *l = g->active[i];
            engine_on_market(&l->eng, ev);
            if (t < l->from_ns) continue; /* warming up: the book only */
            engine_decide(&l->eng, t);
            if (l->chaos_on) l->violations += oms_check(&l->eng.oms, t);
            report_on_event(&l->rep, t);
        }
        f->lvhead = it->lv_end;
        f->qhead++;
        if (!(++g->events & 4095) && tick) tick(ctx, g);
    }
    if (rc < 0) {
        snprintf(g->err, sizeof g->err, "%s", f->rp.rec.err);
        return rc;
    }
    for (int i = 0; i < g->nactive; i++) lane_finish(g, g->active[i]);
    g->nactive = 0;
    return 0;
}

void bt_group_free(bt_group_t *g) {
    sync_free(&g->esync);
    book_free(&g->ebook);
    if (g->feed) {
        backtest_free(g->feed);
        free(g->feed);
    }
    free(g->lane);
    free(g->active);
    memset(g, 0, sizeof *g);
}

int bt_span(char **files, int nfiles, int64_t *first_ns, int64_t *last_ns, char *err, size_t errcap) {
    recording_t r;
    memset(&r, 0, sizeof r);
    int rc = recording_open(&r, files, nfiles);
    if (rc) {
        snprintf(err, errcap, "%s", r.err[0] ? r.err : q_strerror(rc));
        recording_close(&r);
        return rc;
    }
    r.quiet = -1; /* the replay reports bad lines; this pass only looks at the times */
    const char *json;
    size_t n;
    int64_t t;
    *first_ns = *last_ns = 0;
    int any = 0;
    while ((rc = recording_next(&r, &json, &n, &t)) > 0) {
        if (!any++) *first_ns = t;
        *last_ns = t;
    }
    if (rc < 0) snprintf(err, errcap, "%s", r.err);
    else if (!any) { snprintf(err, errcap, "the recording holds no line"); rc = Q_E_INVAL; }
    recording_close(&r);
    return rc < 0 ? rc : 0;
}
