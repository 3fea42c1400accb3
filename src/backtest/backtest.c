/* backtest.c: the backtest loop (see backtest.h). */
#include "backtest.h"

#include <string.h>
#include <strings.h>

#include "../core/err.h"

int backtest_run(backtest_t *bt, const config_t *c, const config_exact_t *x, char **files, int nfiles,
                 const char *out_dir) {
    memset(bt, 0, sizeof *bt);
    bt->cfg = c;
    bt->x = x;
    int rc;
    queue_model_t qm = {strcasecmp(c->queue_model, "probabilistic") == 0 ? QUEUE_PROBABILISTIC
                                                                        : QUEUE_CONSERVATIVE,
                        c->queue_power};
    if ((rc = engine_init(&bt->eng, c, x, &bt->sim.base, 0, bt->err, sizeof bt->err))) return rc;
    sim_init(&bt->sim, &bt->eng.book, &x->rules, qm, (int64_t)(c->entry_latency_ms * 1e6),
             (int64_t)(c->response_latency_ms * 1e6), c->maker_fee, c->taker_fee, x->base_balance, x->quote_balance);
    /* sim_init cleared the venue: wire the sink again */
    bt->sim.base.sink = oms_on_venue;
    bt->sim.base.sink_ctx = &bt->eng.oms;
    if ((rc = report_open(&bt->rep, &bt->eng, out_dir, c->equity_interval_s, bt->err, sizeof bt->err)))
        return rc;
    bt->eng.oms.hooks = (oms_hooks_t){&bt->rep, report_on_fill, report_on_done};
    bt->rep.sim = &bt->sim;
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
        engine_decide(&bt->eng, ev.local_ns);
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

void backtest_free(backtest_t *bt) {
    replay_close(&bt->rp);
    engine_free(&bt->eng);
}
