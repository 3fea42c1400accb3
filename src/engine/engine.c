/* engine.c: one engine for every world (see engine.h). */
#include "engine.h"

#include <string.h>
#include <strings.h>

#include <stdio.h>

#include "../core/err.h"

/* our fill, for the strategy's state (the delay after a fill) */
static void engine_on_fill(void *ctx, const order_t *o, const venue_event_t *ev, double fee_quote) {
    (void)fee_quote;
    engine_t *e = ctx;
    order_side_t side = o ? o->side : ev->side;
    strategy_on_fill(&e->strat, side == SIDE_SELL, ev->price, ev->qty, ev->local_ns ? ev->local_ns : e->now);
}

int engine_init(engine_t *e, const config_t *c, const config_exact_t *x, venue_t *v, uint64_t run_tag, char *err,
                int errcap) {
    memset(e, 0, sizeof *e);
    e->rules = &x->rules;
    int rc = book_init(&e->book, 17);
    if (rc) return rc;
    sync_init(&e->sync, &e->book);
    if ((rc = strategy_init(&e->strat, c, x, err, errcap))) return rc;
    oms_config_t oc;
    oms_config_default(&oc);
    oc.type = strcasecmp(c->order_type, "limit") == 0 ? OT_LIMIT : OT_LIMIT_MAKER;
    oc.tolerance = c->refresh_tolerance;
    oc.max_age_ns = (int64_t)(c->max_order_age_s * 1e9);
    oc.max_open = c->max_open_orders;
    oc.orders_per_10s = c->orders_per_10s;
    oc.timeout_ns = (int64_t)(c->request_timeout_s * 1e9);
    oc.family = c->client_id_prefix;
    char prefix[OMS_PREFIX_MAX + 1];
    if (run_tag && oms_run_prefix(prefix, sizeof prefix, c->client_id_prefix, run_tag)) {
        snprintf(err, (size_t)errcap, "orders.client_id_prefix = \"%s\": too long for a run prefix", c->client_id_prefix);
        return Q_E_RANGE;
    }
    oc.prefix = run_tag ? prefix : c->client_id_prefix;
    oc.earlier = strcasecmp(c->earlier_orders, "adopt") == 0 ? OMS_EARLIER_ADOPT : OMS_EARLIER_CANCEL;
    oc.replace_mode = strcasecmp(c->cancel_replace_mode, "allow_failure") == 0 ? VREPLACE_ALLOW_FAILURE
                                                                             : VREPLACE_STOP_ON_FAILURE;
    if ((rc = oms_init(&e->oms, v, e->rules, &oc))) {
        snprintf(err, (size_t)errcap, "orders.client_id_prefix = \"%s\": not a valid client id prefix", oc.prefix);
        return rc;
    }
    risk_day_limit(&e->oms.risk, c->risk_orders_per_day);
    ledger_init(&e->oms.ledger, e->rules, x->base_balance, x->quote_balance);
    for (int i = 0; i < x->nfee_prices; i++)
        ledger_set_price(&e->oms.ledger, x->fee_prices[i].asset, x->fee_prices[i].price);
    e->oms.tap = (oms_hooks_t){e, engine_on_fill, 0};
    v->sink = oms_on_venue;
    v->sink_ctx = &e->oms;
    e->requote_ns = (int64_t)(c->requote_s * 1e9);
    e->max_drawdown = c->max_drawdown_quote;
    e->max_loss = c->max_loss_quote;
    e->max_position = x->max_position;
    e->max_orders_per_minute = c->max_orders_per_minute;
    return 0;
}

void engine_free(engine_t *e) {
    strategy_free(&e->strat);
    oms_free(&e->oms);
    sync_free(&e->sync);
    book_free(&e->book);
}

void engine_on_market(engine_t *e, const md_event_t *ev) {
    e->now = ev->local_ns;
    switch (ev->type) {
    case MD_DIFF: if (!e->shared_book) sync_on_diff(&e->sync, ev); break;
    case MD_SNAPSHOT: if (!e->shared_book) sync_on_snapshot(&e->sync, ev); break;
    case MD_BBO: if (!e->shared_book) book_on_bbo(&e->book, ev); break;
    case MD_TRADE:
        e->last_trade = ev->u.trade.price;
        strategy_on_trade(&e->strat, ev->u.trade.price, ev->u.trade.qty, ev->u.trade.buyer_maker, ev->local_ns);
        return;
    default: return;
    }
    /* the top after the change, for the estimators (a sweep's engines read the group's book,
       updated before they are called) */
    if (e->strat.use_est && (e->shared_sync ? e->shared_sync : &e->sync)->state == SYNC_LIVE) {
        book_top_t t;
        engine_top(e, &t);
        strategy_on_book(&e->strat, &t, ev->local_ns);
    }
}

int engine_ready(const engine_t *e) {
    if ((e->shared_sync ? e->shared_sync : &e->sync)->state != SYNC_LIVE) return 0;
    book_top_t t;
    engine_top(e, &t);
    return t.bid > 0 && t.ask > t.bid;
}

double engine_mid(const engine_t *e) {
    book_top_t t;
    engine_top(e, &t);
    if (t.bid <= 0 || t.ask <= 0) return 0;
    return (double)(t.bid + t.ask) * 0.5 * e->rules->tick.value;
}

int64_t engine_next_slot(int64_t slot, int64_t now, int64_t interval) {
    if (slot > now) return slot;
    return slot + ((now - slot) / interval + 1) * interval;
}

void engine_decide(engine_t *e, int64_t now) {
    e->now = now;
    if (now >= e->oms.next_deadline) oms_poll(&e->oms, now); /* requests past their deadline first */
    if (!engine_ready(e)) {
        if (e->oms.nlive) oms_update(&e->oms, 0, now); /* no book, no quotes */
        return;
    }
    double mid = engine_mid(e);
    e->oms.mark = mid;
    if (!e->started) {
        ledger_start(&e->oms.ledger, mid);
        /* less a transfer told before this (a deposit during the start-up sync is no PnL) */
        e->peak_equity = e->start_equity = ledger_pnl_equity(&e->oms.ledger, mid);
        e->started = 1;
    }
    double eq = ledger_pnl_equity(&e->oms.ledger, mid);
    if (e->max_drawdown > 0) {
        if (eq > e->peak_equity) e->peak_equity = eq;
        if (e->peak_equity - eq > e->max_drawdown) risk_kill(&e->oms.risk, "max_drawdown");
    }
    /* the other kill switches: once tripped, everything is canceled and nothing new goes
       out until an operator restarts */
    if (e->max_loss > 0 && eq - e->start_equity < -e->max_loss)
        risk_kill(&e->oms.risk, "max_loss");
    if (e->max_position > 0) {
        int64_t inv = ledger_inventory(&e->oms.ledger);
        if (inv > e->max_position || inv < -e->max_position) risk_kill(&e->oms.risk, "max_position");
    }
    if (e->max_orders_per_minute > 0 && risk_sent_within(&e->oms.risk, now, 60000000000LL) > e->max_orders_per_minute)
        risk_kill(&e->oms.risk, "max_orders_per_minute");
    if (e->oms.risk.killed) {
        if (e->oms.nlive) oms_update(&e->oms, 0, now);
        return;
    }
    if (e->requote_ns > 0) {
        if (now < e->next_decision) return;
        /* keep the schedule: every requote_ns from the first decision; the next slot after
           now in one step, however long the quiet gap and however short the interval */
        if (!e->next_decision) e->next_decision = now;
        e->next_decision = engine_next_slot(e->next_decision, now, e->requote_ns);
    }
    strat_input_t in;
    engine_top(e, &in.top);
    in.now_ns = now;
    in.book = engine_book(e);
    in.last_trade = e->last_trade;
    in.inventory = ledger_inventory(&e->oms.ledger);
    in.base_free = e->oms.ledger.base;
    in.rules = e->rules;
    e->decisions++;
    if (strategy_quote(&e->strat, &in, &e->want)) oms_update(&e->oms, 0, now);
    else oms_update(&e->oms, &e->want, now);
}
