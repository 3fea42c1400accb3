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

int backtest_run(backtest_t *bt, const config_t *c, const config_exact_t *x, char **files, int nfiles,
                 const char *out_dir) {
    memset(bt, 0, sizeof *bt);
    bt->cfg = c;
    bt->x = x;
    int rc;
    queue_model_t qm = {strcasecmp(c->queue_model, "probabilistic") == 0 ? QUEUE_PROBABILISTIC
                                                                        : QUEUE_CONSERVATIVE,
                        c->queue_power};
    /* the sim keeps a pointer to the engine's book, which engine_init builds */
    if ((rc = sim_init(&bt->sim, &bt->eng.book, &x->rules, qm, (int64_t)(c->entry_latency_ms * 1e6),
                       (int64_t)(c->response_latency_ms * 1e6), c->maker_fee, c->taker_fee, x->base_balance,
                       x->quote_balance))) {
        snprintf(bt->err, sizeof bt->err, "simulated exchange: %s", q_strerror(rc));
        return rc;
    }
    if ((rc = latency_setup(bt, c))) return rc;
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
    exch_clock_init(&bt->clock);
    if ((rc = replay_open(&bt->rp, files, nfiles, &x->rules))) {
        snprintf(bt->err, sizeof bt->err, "%s", q_strerror(rc));
        return rc;
    }
    md_event_t ev;
    while ((rc = replay_next(&bt->rp, &ev)) > 0) {
        int64_t xt = exch_clock_estimate(&bt->clock, ev.local_ns, ev.exch_ns);
        sim_advance(&bt->sim, xt);
        engine_on_market(&bt->eng, &ev);
        sim_on_market(&bt->sim, &ev, xt);
        sim_deliver(&bt->sim, ev.local_ns);
        if (bt->chaos_on) chaos_pump(bt->chaos, ev.local_ns);
        engine_decide(&bt->eng, ev.local_ns);
        if (bt->chaos_on) bt->violations += oms_check(&bt->eng.oms, ev.local_ns);
        report_on_event(&bt->rep, ev.local_ns);
    }
    if (rc < 0) {
        snprintf(bt->err, sizeof bt->err, "%s", bt->rp.rec.err);
        return rc;
    }
    bt->rep.bad_lines = replay_bad_lines(&bt->rp);
    bt->rep.gaps = bt->eng.sync.st.gaps;
    bt->rep.offgrid = bt->rp.dec.offgrid;
    report_close(&bt->rep);
    return 0;
}

int backtest_drain(backtest_t *bt, int64_t max_ns, int64_t step_ns) {
    oms_t *m = &bt->eng.oms;
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
    sim_free(&bt->sim);
    latency_free(&bt->lat);
    free(bt->chaos);
    bt->chaos = 0;
    engine_free(&bt->eng);
}
