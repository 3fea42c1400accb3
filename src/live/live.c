/* live.c: the live run loop (see live.h). */
#include "live.h"

#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "../core/clock.h"
#include "../core/err.h"
#include "../core/hist.h"
#include "../core/log.h"
#include "metrics.h"

#define LIVE_LEVELS 20000

static volatile sig_atomic_t stop_requests;

/* the first signal stops the run (cancel all, confirm); a second is told it is under way (a
   double signal from a supervisor must not leave orders working); a third exits at once,
   leaving whatever is open */
void live_request_stop(void) {
    if (++stop_requests >= 3) _exit(130);
}

/* a venue that sends nothing (--dry-run): every order is acknowledged on the next loop
   step and canceled when asked, so the log shows what would have been quoted */
#define DRY_MAX 256
typedef struct dry {
    venue_t base;
    venue_event_t ev[DRY_MAX];
    int n;
    int64_t requests;           /* order requests taken (the tick-to-order histogram's trigger) */
} dry_t;

static int dry_push(dry_t *d, venue_event_type_t type, const order_t *o) {
    if (d->n == DRY_MAX) return VENUE_NOT_SENT;
    venue_event_t *e = &d->ev[d->n++];
    memset(e, 0, sizeof *e);
    e->type = type;
    e->side = o->side;
    e->cum_qty = 0;
    e->status = type == VEV_ACK ? VST_NEW : VST_CANCELED;
    snprintf(e->cid, sizeof e->cid, "%s", o->cid);
    return VENUE_SENT;
}
static int dry_place(venue_t *v, const order_t *o, int64_t now) {
    (void)now;
    ((dry_t *)v)->requests++;
    return dry_push((dry_t *)v, VEV_ACK, o);
}
static int dry_cancel(venue_t *v, const order_t *o, int64_t now) {
    (void)now;
    ((dry_t *)v)->requests++;
    return dry_push((dry_t *)v, VEV_CANCELED, o);
}
static int dry_replace(venue_t *v, const order_t *old, const order_t *o, venue_replace_mode_t m, int64_t now) {
    (void)m;
    (void)now;
    if (((dry_t *)v)->n + 2 > DRY_MAX) return VENUE_NOT_SENT;
    ((dry_t *)v)->requests++;
    dry_push((dry_t *)v, VEV_CANCELED, old);
    return dry_push((dry_t *)v, VEV_ACK, o);
}
static int dry_query(venue_t *v, const order_t *o, int64_t now) {
    (void)now;
    dry_t *d = (dry_t *)v;
    if (dry_push(d, VEV_STATUS, o)) return VENUE_NOT_SENT;
    d->ev[d->n - 1].code = VENUE_CODE_NO_SUCH_ORDER;
    return VENUE_SENT;
}
static int dry_cancel_all(venue_t *v, int64_t now) { (void)v; (void)now; return VENUE_SENT; }
static int dry_sync(venue_t *v, int64_t now) {
    (void)now;
    dry_t *d = (dry_t *)v;
    if (d->n == DRY_MAX) return VENUE_NOT_SENT;
    memset(&d->ev[d->n], 0, sizeof d->ev[0]);
    d->ev[d->n++].type = VEV_SYNC_DONE;
    return VENUE_SENT;
}
static const venue_vt_t dry_vt = {"dry-run", dry_place, dry_cancel, dry_replace, dry_query, dry_cancel_all, dry_sync};

struct live {
    const config_t *cfg;
    const config_exact_t *x;
    const live_options_t *opt;
    binance_t bn;
    dry_t dry;
    venue_t *venue;             /* &bn.base, or &dry.base */
    engine_t eng;
    report_t rep;
    md_decoder_t dec;
    md_level_t *levels;
    int depth_asked;            /* a snapshot is on its way ... */
    int64_t depth_asked_ns;     /* ... asked then: asked again when no answer came in 10 s */
    int64_t sync_asked_ns;      /* the last sync asked: again when it is not done in 10 s */
    int64_t last_md_ns;         /* real clock */
    int64_t busy_poll_ns;       /* live.busy_poll_us */
    int64_t jn_since;           /* the journal has rows not handed to its writer since (monotonic; 0: none) */
    int64_t max_age_ns;
    int sync_asked;             /* a start-up / reconnect sync is on its way */
    int64_t started_ns;         /* the loop's start (real clock) */
    int second_told;            /* a second stop signal was answered */
    int symbol_ok;              /* exchangeInfo says TRADING */
    int symbol_seen;            /* its status was told once */
    int healthy;
    /* the stop: cancel all, then confirm from the exchange that nothing is open */
    int stopping, confirming, confirm_open, confirmed, tries;
    int64_t stop_started_ns, next_try_ns;
    int64_t next_status_ns;
    int64_t md_events, bad_md, resyncs, reconnects, earlier_seen;
    int64_t events[METRICS_EVENT_TYPES]; /* venue events by type (the metrics' order events) */
    int near_limit;             /* the venue's count of new orders was last told at >= 80% of the limit */
    char unpriced_fee_asset[16]; /* the account pays fees in this asset and the config gives it no price */
    hist_t t2o;                 /* ns: a market message's arrival to the order request it caused */
    journal_t *jn;              /* --db: the journal (NULL: none) */
};

static void say(live_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(live_t *l, const char *fmt, ...) {
    if (l->opt->quiet) return;
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(LOG_INFO, "live", fmt, ap);
    va_end(ap);
}
/* the same at level warn: quoting stopped or data was lost (the JSON log's level says so) */
static void say_warn(live_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say_warn(live_t *l, const char *fmt, ...) {
    if (l->opt->quiet) return;
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(LOG_WARN, "live", fmt, ap);
    va_end(ap);
}

/* ---- events from the venue: logged, watched by the stop, then to the oms ----------------- */

static const char *vev_name(venue_event_type_t t) {
    static const char *const n[] = {"ACK", "REJECT", "FILL", "CANCELED", "CANCEL_REJECT", "EXPIRED", "UNKNOWN",
                                    "STATUS", "OPEN_ORDER", "BALANCE", "SYNC_DONE", "RATE_LIMIT"};
    return (unsigned)t < sizeof n / sizeof n[0] ? n[t] : "?";
}

static const char *vst_name(venue_status_t s) {
    static const char *const n[] = {0, "NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "REJECTED", "EXPIRED"};
    return (unsigned)s < sizeof n / sizeof n[0] ? n[s] : 0;
}

/* the order-rate limit's line: how many of the window's new orders are used, and for how long
   none may go out; at warn, since it is only said when it holds orders back or soon will */
static void rate_limit_line(live_t *l, const venue_event_t *ev) {
    const risk_t *r = &l->eng.oms.risk;
    int limit = ev->orders_limit > 0 ? ev->orders_limit : r->rate_limit;
    char used[48] = "", wait[48] = "";
    if (ev->orders_used >= 0 && limit > 0) snprintf(used, sizeof used, " orders %d/%d in 10 s", ev->orders_used, limit);
    else if (ev->orders_used >= 0) snprintf(used, sizeof used, " orders %d in 10 s", ev->orders_used);
    double retry_s = ev->retry_ns ? (double)(ev->retry_ns - ev->local_ns) / 1e9 : 0;
    if (ev->retry_ns) snprintf(wait, sizeof wait, " refused (429/418): no new order for %.2f s", retry_s);
    log_field_t f[5];
    int n = 0;
    f[n++] = LOG_S("event", vev_name(ev->type));
    if (ev->orders_used >= 0) f[n++] = LOG_I("orders_used", ev->orders_used);
    if (limit > 0) f[n++] = LOG_I("orders_limit", limit);
    if (ev->retry_ns) f[n++] = LOG_F("retry_in_s", retry_s);
    log_fields(LOG_WARN, "live", f, n, "RATE_LIMIT%s%s", used, wait);
}

/* whether a rate-limit event is worth a line: a wait imposed by the venue (429/418), or the
   venue's count of new orders crossing 80% of the limit. Every WebSocket API answer carries
   the count, so plain updates would bury a real refusal; near the limit only the crossing is
   said, again once the count fell below. */
static int rate_limit_worth(live_t *l, const venue_event_t *ev) {
    if (ev->retry_ns > 0) return 1;
    int limit = ev->orders_limit > 0 ? ev->orders_limit : l->eng.oms.risk.rate_limit;
    if (ev->orders_used < 0 || limit <= 0) return 0;
    int near = ev->orders_used * 5 >= limit * 4;
    int said = near && !l->near_limit;
    l->near_limit = near;
    return said;
}

/* one order event's line: in text as it always read; in JSON with its fields */
static void order_line(live_t *l, const venue_event_t *ev, const order_t *oo) {
    if (l->opt->quiet) return;
    char px[32] = "", q[32] = "";
    int64_t price = ev->type == VEV_FILL ? ev->price : oo ? oo->price : ev->price;
    int64_t qty = ev->type == VEV_FILL ? ev->qty : oo ? oo->qty : ev->qty;
    if (price) fx_format(price, &l->x->rules.tick, 0, px, sizeof px);
    if (qty) fx_format(qty, &l->x->rules.lot, 0, q, sizeof q);
    const char *side = (oo ? oo->side : ev->side) == SIDE_BUY ? "BUY" : "SELL";
    int refusal = ev->reason && (ev->type == VEV_REJECT || ev->type == VEV_CANCEL_REJECT);
    if (ev->type == VEV_RATE_LIMIT) {
        rate_limit_line(l, ev);
        return;
    }
    if (log_format() == LOG_TEXT) {
        say(l, "%-13s %s %s %s @ %s%s%s%s", vev_name(ev->type), ev->cid[0] ? ev->cid : "-", side, *q ? q : "-",
            *px ? px : "-", oo ? " -> " : "", oo ? order_state_name(oo->state) : "",
            l->venue == &l->dry.base ? " (dry run: not sent)" : "");
        if (refusal) say(l, "  %d %s", ev->code, ev->reason);
        return;
    }
    uint64_t oid = ev->order_id ? ev->order_id : oo ? oo->venue_id : 0;
    char oids[24];
    snprintf(oids, sizeof oids, "%llu", (unsigned long long)oid);
    log_field_t f[16];
    int n = 0;
    f[n++] = LOG_S("event", vev_name(ev->type));
    f[n++] = LOG_S("cid", ev->cid[0] ? ev->cid : 0);
    f[n++] = LOG_N("order_id", oid ? oids : 0); /* a number, exact (beyond 2^53 too) */
    f[n++] = LOG_S("side", ev->cid[0] || oo ? side : 0); /* a rate limit is about no order */
    f[n++] = LOG_N("qty", q);
    f[n++] = LOG_N("price", px);
    f[n++] = LOG_S("state", oo ? order_state_name(oo->state) : 0);
    f[n++] = LOG_S("status", vst_name(ev->status));
    if (ev->type == VEV_FILL) {
        f[n++] = LOG_I("trade_id", ev->trade_id);
        f[n++] = LOG_B("maker", ev->maker);
    }
    if (ev->code) f[n++] = LOG_I("code", ev->code);
    if (ev->reason) f[n++] = LOG_S("reason", ev->reason);
    log_fields(ev->type == VEV_REJECT || ev->type == VEV_UNKNOWN ? LOG_WARN : LOG_INFO,
               "live", f, n, "%s %s %s %s @ %s%s%s%s%s", vev_name(ev->type), ev->cid[0] ? ev->cid : "-", side,
               *q ? q : "-", *px ? px : "-", oo ? " -> " : "", oo ? order_state_name(oo->state) : "",
               refusal ? ": " : "", refusal ? ev->reason : "");
}

static void on_venue(void *ctx, const venue_event_t *ev) {
    live_t *l = ctx;
    if ((unsigned)ev->type < METRICS_EVENT_TYPES) l->events[ev->type]++;
    if (l->confirming && ev->type == VEV_OPEN_ORDER) l->confirm_open++;
    int done_confirm = l->confirming && ev->type == VEV_SYNC_DONE;
    const order_t *o = ev->cid[0] ? oms_find_cid(&l->eng.oms, ev->cid) : 0;
    order_state_t before = o ? o->state : ORD_NSTATES;
    int64_t fills = l->eng.oms.ledger.fills;
    /* journal: an earlier run's order being reconciled is the journal's alone */
    journal_mark_t jm;
    if (l->jn && journal_pre(l->jn, ev, &jm)) return;
    oms_on_venue(&l->eng.oms, ev);
    if (l->jn) journal_post(l->jn, ev, &jm);
    /* journal end */
    if (!o) o = ev->cid[0] ? oms_find_cid(&l->eng.oms, ev->cid) : 0;
    /* one line per order event that changed something: a state, a fill, a refusal */
    if (fills != l->eng.oms.ledger.fills || (o && o->state != before) || ev->type == VEV_REJECT ||
        ev->type == VEV_UNKNOWN || (ev->type == VEV_RATE_LIMIT && rate_limit_worth(l, ev)))
        order_line(l, ev, o);
    if (ev->type == VEV_SYNC_DONE && l->eng.oms.st.earlier_found != l->earlier_seen) {
        say(l, "found %lld open orders of an earlier run: %s", (long long)(l->eng.oms.st.earlier_found - l->earlier_seen),
            l->eng.oms.cfg.earlier == OMS_EARLIER_ADOPT ? "adopted" : "canceling them");
        l->earlier_seen = l->eng.oms.st.earlier_found;
    }
    if (done_confirm) {
        l->confirming = 0;
        if (!l->confirm_open && ev->code == 0) l->confirmed = 1;
    }
}

/* ---- market data --------------------------------------------------------------------------- */

static void decide(live_t *l, int64_t now);

/* the oms's hooks: a booked fill goes to the report (markouts, what made it, the break-even
   fee) and, with a journal, to the journal; a done order to the journal */
static void on_booked_fill(void *ctx, const order_t *o, const venue_event_t *ev, double fee_quote) {
    live_t *l = ctx;
    report_on_fill(&l->rep, o, ev, fee_quote);
    if (l->jn) journal_hook_fill(l->jn, o, ev, fee_quote);
}

static void on_order_done(void *ctx, const order_t *o) {
    live_t *l = ctx;
    if (l->jn) journal_hook_done(l->jn, o);
}

/* order requests sent so far, by the venue in use */
static int64_t order_requests(const live_t *l) {
    return l->venue == &l->dry.base ? l->dry.requests : l->bn.st.order_requests;
}

static void market_event(live_t *l, md_event_t *ev, int64_t t) {
    ev->local_ns = t;
    int was_live = l->eng.sync.state == SYNC_LIVE;
    engine_on_market(&l->eng, ev);
    if (was_live && l->eng.sync.state != SYNC_LIVE) {
        l->resyncs++;
        say_warn(l, "book: a gap in the depth stream; resynchronising from a new snapshot");
    }
    report_on_event(&l->rep, t);
    l->last_md_ns = t;
    l->md_events++;
    int64_t reqs = order_requests(l);
    /* the book waits for a snapshot (at start, after a gap): ask once */
    if (l->eng.sync.state != SYNC_LIVE && !l->depth_asked && (l->venue != &l->bn.base || l->bn.time_known)) {
        if (binance_depth(&l->bn, 1000) == VENUE_SENT) {
            l->depth_asked = 1;
            l->depth_asked_ns = t;
        }
    }
    decide(l, t);
    /* tick-to-order: this message caused order requests (handed to the connection by now) */
    if (order_requests(l) != reqs) hist_observe(&l->t2o, clock_real_ns() - t);
}

static void on_market(void *ctx, const char *json, size_t n, int64_t t) {
    live_t *l = ctx;
    md_event_t ev;
    memset(&ev, 0, sizeof ev);
    if (md_decode(&l->dec, json, n, &ev)) {
        l->bad_md++;
        return;
    }
    if (ev.type == MD_IGNORED) return;
    market_event(l, &ev, t);
}

static void on_depth(void *ctx, const char *json, size_t n, int64_t t) {
    live_t *l = ctx;
    l->depth_asked = 0;
    md_event_t ev;
    memset(&ev, 0, sizeof ev);
    if (md_decode(&l->dec, json, n, &ev) || ev.type != MD_SNAPSHOT) {
        l->bad_md++;
        return;
    }
    market_event(l, &ev, t);
}

static void on_ready(void *ctx) {
    live_t *l = ctx;
    /* start-up, or back after a reconnect: balances and open orders first (an earlier
       run's orders are canceled or adopted; ours are reconciled) */
    say(l, "connected: clock offset %lld ms; syncing balances and open orders", (long long)l->bn.offset_ms);
    l->sync_asked = oms_sync(&l->eng.oms, clock_real_ns()) == 0;
    l->sync_asked_ns = clock_real_ns();
}

static void on_down(void *ctx, const char *what) {
    live_t *l = ctx;
    l->reconnects++;
    l->depth_asked = 0;
    say_warn(l, "connection lost (%s): not quoting until reconnected and reconciled", what);
}

static void on_symbol(void *ctx, const char *status) {
    live_t *l = ctx;
    int was_ok = l->symbol_ok;
    l->symbol_ok = !strcmp(status, "TRADING");
    if (!l->symbol_ok) say(l, "%s is %s: not quoting (orders canceled; its status is asked every 5 s)", l->x->rules.symbol, status);
    else if (was_ok == 0 && l->symbol_seen) say(l, "%s is TRADING again", l->x->rules.symbol);
    l->symbol_seen = 1;
}

/* the account's commission rates: told, and set beside the config's (which only backtests use) */
static void on_commission(void *ctx, const bn_commission_t *cm) {
    live_t *l = ctx;
    char tax[80] = "";
    if (strtod(cm->tax_maker, 0) || strtod(cm->tax_taker, 0))
        snprintf(tax, sizeof tax, " (tax on top: maker %s taker %s)", cm->tax_maker, cm->tax_taker);
    say(l, "commission for %s (account.commission): maker %s taker %s%s; paid in %s: rates times %s (%s)",
        l->x->rules.symbol, cm->maker, cm->taker, tax, cm->discount_asset[0] ? cm->discount_asset : "-",
        cm->discount[0] ? cm->discount : "-", cm->discount_on ? "on for this account" : "off for this account");
    /* fees paid in the discount asset (BNB) are valued by account.fee_asset_prices alone: without
       a price the ledger only counts them, so PnL and the max-loss kill switch leave them out.
       Said loudly here and with every status line while fees go unvalued (pricing BNB from a
       market stream is not done). The symbol's own base or quote is priced by the book. */
    const char *da = cm->discount_asset;
    int priced = !da[0] || !strcmp(da, l->x->rules.base) || !strcmp(da, l->x->rules.quote);
    for (int i = 0; !priced && i < l->x->nfee_prices; i++) priced = !strcmp(l->x->fee_prices[i].asset, da);
    if (cm->discount_on && !priced) {
        snprintf(l->unpriced_fee_asset, sizeof l->unpriced_fee_asset, "%s", da);
        say_warn(l, "fees are paid in %s and account.fee_asset_prices gives no %s price: PnL and the max-loss kill "
                    "switch will leave every fee out (set account.fee_asset_prices=%s:PRICE)", da, da, da);
    } else {
        l->unpriced_fee_asset[0] = 0;
    }
    /* a backtest of this config charges account.maker_fee/taker_fee: say when they are not this account's */
    if (fabs(cm->maker_rate - l->cfg->maker_fee) > 5e-9 || fabs(cm->taker_rate - l->cfg->taker_fee) > 5e-9)
        say(l, "note: the config's account.maker_fee %.8f and taker_fee %.8f are not this account's rates: set them to "
               "%.8f and %.8f so backtests charge what this account pays",
            l->cfg->maker_fee, l->cfg->taker_fee, cm->maker_rate, cm->taker_rate);
}

/* ---- health and decisions ------------------------------------------------------------------ */

/* replies that may never come: a snapshot or a sync not answered in 10 s is asked again */
static void rearm(live_t *l, int64_t now) {
    if (l->depth_asked && now - l->depth_asked_ns > 10000000000LL) l->depth_asked = 0;
    /* no WebSocket API session 3 s after the start, but REST answers: the balances and open
       orders over REST, so that an earlier run's orders are canceled (or adopted) and the
       ledger is the account's while the run waits for the API (nothing is placed without
       it: no fill would be heard) */
    if (l->venue == &l->bn.base && !l->bn.ready && !l->sync_asked && now - l->started_ns > 3000000000LL &&
        now - l->sync_asked_ns > 10000000000LL && binance_can_send(&l->bn)) { /* (a sync not sent: again in 10 s) */
        say(l, "the WebSocket API is not up: syncing balances and open orders over REST meanwhile");
        l->sync_asked = oms_sync(&l->eng.oms, now) == 0;
        l->sync_asked_ns = now;
    }
    if (l->venue == &l->bn.base && (l->bn.ready || binance_can_send(&l->bn)) && l->eng.oms.syncing &&
        now - l->sync_asked_ns > 10000000000LL) {
        say(l, "the sync was not answered in 10 s: asking again");
        l->sync_asked = oms_sync(&l->eng.oms, now) == 0;
        l->sync_asked_ns = now;
    }
}

static int healthy(live_t *l, int64_t now) {
    if (l->venue == &l->bn.base && (!l->bn.ready || l->eng.oms.syncing || !l->sync_asked)) return 0;
    if (l->venue != &l->bn.base && !l->bn.time_known) return 0;
    if (!l->symbol_ok) return 0;
    if (l->eng.sync.state != SYNC_LIVE) return 0;
    if (now - l->last_md_ns > l->max_age_ns) return 0;
    return 1;
}

static void decide(live_t *l, int64_t now) {
    if (l->stopping) return;
    rearm(l, now);
    int h = healthy(l, now);
    if (h != l->healthy) {
        if (h) say(l, "healthy: quoting");
        else say_warn(l, "not healthy: canceling and waiting");
    }
    l->healthy = h;
    if (h) {
        engine_decide(&l->eng, now);
    } else {
        oms_poll(&l->eng.oms, now);
        if (l->eng.oms.nlive && (l->venue != &l->bn.base || binance_can_send(&l->bn))) oms_update(&l->eng.oms, 0, now);
    }
}

/* total PnL marked at the mid (quote asset): equity less transfers less the start; 0 until
   a mid is known */
static double pnl_total(const live_t *l, double mid) {
    const ledger_t *g = &l->eng.oms.ledger;
    return l->rep.start_mid > 0 && mid > 0 ? ledger_pnl_equity(g, mid) - l->rep.start_equity : 0;
}

static void status_line(live_t *l, int64_t now) {
    if (l->opt->quiet) return;
    const oms_t *m = &l->eng.oms;
    int64_t b, a;
    oms_best_live(m, &b, &a);
    char pb[32] = "-", pa[32] = "-", inv[32];
    if (b) fx_format(b, &l->x->rules.tick, 0, pb, sizeof pb);
    if (a) fx_format(a, &l->x->rules.tick, 0, pa, sizeof pa);
    fx_format(ledger_inventory(&m->ledger), &l->x->rules.lot, 0, inv, sizeof inv);
    double mid = engine_mid(&l->eng);
    double pnl = pnl_total(l, mid);
    double hold = l->rep.start_mid > 0 && mid > 0
                      ? (double)m->ledger.base_start * l->x->rules.lot.value * (mid - l->rep.start_mid) : 0;
    double rtt = l->bn.st.rtt_n ? l->bn.st.rtt_sum_ms / (double)l->bn.st.rtt_n : 0.0;
    log_field_t f[] = {LOG_S("event", "status"), LOG_F("mid", mid),        LOG_N("bid", pb),
                       LOG_N("ask", pa),         LOG_N("inventory", inv),  LOG_F("pnl", pnl),
                       LOG_F("vs_holding", pnl - hold), LOG_I("open", oms_open_count(m)),
                       LOG_I("fills", m->ledger.fills), LOG_F("rtt_ms", rtt), LOG_B("healthy", l->healthy),
                       LOG_I("unvalued_fees", m->ledger.unvalued_fees)};
    char unvalued[48] = "";
    if (m->ledger.unvalued_fees)
        snprintf(unvalued, sizeof unvalued, " | unvalued fees %" PRId64, m->ledger.unvalued_fees);
    log_fields(LOG_INFO, "live", f, (int)(sizeof f / sizeof f[0]),
               "mid %.2f bid %s ask %s | inventory %s pnl %.4f (vs holding %.4f) | open %d fills %" PRId64
               "%s | rtt %.2f ms | %s",
               mid, pb, pa, inv, pnl, pnl - hold, oms_open_count(m), m->ledger.fills, unvalued, rtt,
               l->healthy ? "healthy" : "waiting");
    /* a PnL without fees looks better than it is: said with every status line, not once */
    if (m->ledger.unvalued_fees)
        say_warn(l, "%" PRId64 " fees%s%s not valued: the PnL above and the max-loss kill switch leave them out "
                    "(account.fee_asset_prices)",
                 m->ledger.unvalued_fees, l->unpriced_fee_asset[0] ? " in " : "", l->unpriced_fee_asset);
    (void)now;
}

/* ---- metrics (--metrics): read at each scrape from where things are counted -------------- */

static void snapshot(live_t *l, metrics_snapshot_t *s, int64_t now) {
    memset(s, 0, sizeof *s);
    const ledger_t *g = &l->eng.oms.ledger;
    const bn_stats_t *st = &l->bn.st;
    double lot = l->x->rules.lot.value;
    memcpy(s->events, l->events, sizeof s->events);
    s->order_requests = order_requests(l);
    s->api_requests = st->requests;
    s->api_errors = st->errors;
    s->fills = g->fills;
    s->maker_fills = g->maker_fills;
    s->volume_base[0] = (double)g->bought * lot;
    s->volume_base[1] = (double)g->sold * lot;
    s->volume_quote[0] = ledger_quote_real(g, g->buy_notional);
    s->volume_quote[1] = ledger_quote_real(g, g->sell_notional);
    s->pnl_realized = g->realized;
    s->mid = engine_mid(&l->eng);
    s->pnl_total = pnl_total(l, s->mid);
    s->inventory = (double)ledger_inventory(g) * lot;
    s->open_orders = oms_open_count(&l->eng.oms);
    s->reconnects = l->reconnects;
    s->resyncs = l->resyncs;
    s->unknowns = st->unknowns;
    s->rate_limited = st->rate_limited;
    s->unvalued_fees = g->unvalued_fees;
    s->rotations = st->rotations;
    s->md_messages = l->md_events;
    s->md_bad = l->bad_md;
    s->clock_offset_s = (double)l->bn.offset_ms / 1000.0;
    /* the window's use as the risk gate counts it: ours, or the venue's while its count is fresh */
    risk_t *r = &l->eng.oms.risk;
    int ours = risk_sent_within(r, now, r->rate_window_ns);
    int theirs = r->venue_used_ns && now - r->venue_used_ns < r->rate_window_ns ? r->venue_used : 0;
    s->orders_used = ours > theirs ? ours : theirs;
    s->orders_limit = r->rate_limit;
    s->healthy = l->healthy;
    s->tick_to_order = &l->t2o;
    s->round_trip = &st->rtt_hist;
}

static void serve_http(void *ctx, const char *path, net_http_answer_t *a) {
    live_t *l = ctx;
    if (strcmp(path, "/metrics")) {
        a->status = 404;
        return;
    }
    metrics_snapshot_t s;
    snapshot(l, &s, clock_real_ns());
    if (metrics_render(&s, &a->body, &a->len)) {
        a->status = 500;
        return;
    }
    a->status = 200;
    a->type = METRICS_CONTENT_TYPE;
}

/* The journal's rows go to its writer at a quiet moment: when the loop comes round with no
   request waiting to be written and nothing read or written for a millisecond, or when the
   oldest has waited 20 ms (the loop comes round at least every 50 ms). Its commit would
   otherwise share the core with what matters then: on one core, a writer woken as a request
   leaves runs before the exchange's answer is read, or before the next market message (some
   100 us of SQLite). No timer of its own either: waking the loop every millisecond while rows
   wait doubled the reaction on one core (bench_reaction). Intents do not wait: they are in
   the intent log before their request leaves. */
static void journal_hand_over(live_t *l) {
    if (!l->jn || !journal_unwoken(l->jn)) {
        l->jn_since = 0;
        return;
    }
    int64_t now = clock_mono_ns();
    if (!l->jn_since) l->jn_since = now;
    if ((!net_output_pending(&l->bn.net) && now - l->bn.net.last_io_ns >= 1000000) || now - l->jn_since >= 20000000) {
        journal_wake(l->jn);
        l->jn_since = 0;
    }
}

/* the stop: cancel everything, then ask the exchange what is open until it says nothing
   (canceling again what it still lists). Returns 1 when done. */
static int stop_step(live_t *l, int64_t now) {
    if (!l->stopping) {
        l->stopping = 1;
        l->stop_started_ns = now;
        say(l, "stopping: canceling every open order");
        if (l->venue != &l->bn.base) return 1;
        oms_cancel_all(&l->eng.oms, now);
        l->next_try_ns = now + 300000000LL;
        return 0;
    }
    if (l->venue != &l->bn.base || l->confirmed) return 1;
    oms_poll(&l->eng.oms, now);
    /* an answer that has not come in 3 s is not waited for (the stop has 15 s in all): asked
       again (nothing is placed while stopping, so a late answer still tells the truth) */
    if (l->confirming && now >= l->next_try_ns + 3000000000LL) l->confirming = 0;
    if (!l->confirming && now >= l->next_try_ns && binance_can_send(&l->bn)) { /* (over REST without the API) */
        if (l->tries && l->confirm_open) oms_cancel_all(&l->eng.oms, now);
        l->confirm_open = 0;
        l->confirming = binance_open_orders(&l->bn) == VENUE_SENT;
        l->tries++;
        l->next_try_ns = now + 500000000LL;
    }
    return 0;
}

int live_run(const config_t *c, const config_exact_t *x, const live_options_t *o, char *err, int errcap) {
    live_t *l = calloc(1, sizeof *l);
    if (!l) return Q_E_NOMEM;
    l->cfg = c;
    l->x = x;
    l->opt = o;
    l->max_age_ns = (int64_t)(c->max_data_age_s * 1e9);
    l->busy_poll_ns = (int64_t)c->live_busy_poll_us * 1000;
    l->levels = calloc(LIVE_LEVELS, sizeof *l->levels);
    int rc = l->levels ? 0 : Q_E_NOMEM;
    if (rc) goto out;
    md_decoder_init(&l->dec, &x->rules.tick, &x->rules.lot, x->rules.symbol, l->levels, LIVE_LEVELS);
    binance_config_t bc = {o->api_url, o->stream_url, o->dry_run ? 0 : o->api_key, o->dry_run ? 0 : o->secret,
                           &x->rules, 5000};
    bn_hooks_t hooks = {l, on_market, on_depth, on_ready, on_down, on_symbol, on_commission};
    hist_init(&l->t2o, hist_tick_to_order_le, (int)(sizeof hist_tick_to_order_le / sizeof hist_tick_to_order_le[0]));
    if ((rc = binance_open(&l->bn, &bc, &hooks)) || (o->rest_url && (rc = binance_open_rest(&l->bn, o->rest_url)))) {
        snprintf(err, (size_t)errcap, "%s", l->bn.err);
        goto out;
    }
    /* with --log-json, libwebsockets' own complaints are JSON lines too */
    if (log_format() == LOG_JSON) lws_set_log_level(LLL_ERR, log_lws_line);
    /* --metrics: a listening vhost on the venue's own context, served by binance_run */
    if (o->metrics_port) {
        if ((rc = net_listen(&l->bn.net, o->metrics_addr, o->metrics_port, serve_http, l))) {
            snprintf(err, (size_t)errcap, "--metrics %s:%d: cannot listen there (is the port taken?)", o->metrics_addr,
                     o->metrics_port);
            goto out;
        }
        say(l, "metrics at http://%s:%d/metrics", o->metrics_addr, o->metrics_port);
        if (!metrics_loopback(o->metrics_addr))
            say_warn(l, "metrics: %s is not a loopback address and the page has no authentication: whoever reaches "
                        "it reads the run's positions and PnL (prefer 127.0.0.1, and a proxy for remote scrapes)",
                     o->metrics_addr);
    }
    l->dry.base.vt = &dry_vt;
    l->venue = o->dry_run ? &l->dry.base : &l->bn.base;
    /* the run tag: the start time in ms, so client ids never repeat across runs */
    uint64_t tag = (uint64_t)(clock_real_ns() / 1000000);
    if ((rc = engine_init(&l->eng, c, x, l->venue, tag, err, errcap))) goto out;
    l->venue->sink = on_venue;
    l->venue->sink_ctx = l;
    l->bn.base.sink = on_venue;
    l->bn.base.sink_ctx = l;
    if ((rc = report_open(&l->rep, &l->eng, 0, c->equity_interval_s, err, errcap))) goto out;
    l->rep.title = "run";
    l->eng.oms.hooks = (oms_hooks_t){l, on_booked_fill, on_order_done};
    /* journal: open it, a run row, and its hooks into the oms */
    if (o->db && !o->dry_run) {
        if ((rc = journal_open(&l->jn, o->db, err, errcap))) goto out;
        char *conf = 0;
        size_t conf_n = 0;
        FILE *cf = open_memstream(&conf, &conf_n);
        if (cf) {
            config_print(c, cf);
            fclose(cf);
        }
        int64_t run = journal_run_begin(l->jn, clock_real_ns(), conf, &x->rules, l->eng.oms.prefix, &l->eng.oms);
        free(conf);
        if (run < 0) {
            snprintf(err, (size_t)errcap, "journal %s: %s", o->db, journal_error(l->jn));
            rc = (int)run;
            goto out;
        }
        l->eng.oms.send_hook = (oms_send_hook_t){l->jn, journal_hook_send};
        l->bn.net.before_write = journal_commit; /* intents on disk before their requests leave */
        l->bn.net.before_write_ctx = l->jn;
        say(l, "journal %s: run %lld; %d orders of earlier runs not known to be done (reconciled after the sync)",
            o->db, (long long)run, journal_earlier_open(l->jn));
    }
    /* journal end */
    say(l, "%s on %s (client ids %s...)%s", x->rules.symbol, o->api_url, l->eng.oms.prefix,
        o->dry_run ? ", dry run: nothing is sent" : "");
    int64_t t0 = clock_real_ns(), status_ns = (int64_t)(o->status_s * 1e9);
    l->started_ns = t0;
    l->next_status_ns = t0 + status_ns;
    for (;;) {
        /* live.busy_poll_us: no sleep in poll() while the market is busy, so that a message is
           read as soon as it arrives, not after the core wakes up (~25 us each way on a VM) */
        int spin = l->busy_poll_ns && clock_real_ns() - l->last_md_ns < l->busy_poll_ns;
        binance_run(&l->bn, spin ? -1 : 50);
        int64_t now = clock_real_ns();
        if (l->venue == &l->dry.base) { /* its answers, one step late */
            int n = l->dry.n;
            l->dry.n = 0;
            venue_event_t evs[DRY_MAX];
            memcpy(evs, l->dry.ev, (size_t)n * sizeof evs[0]);
            for (int i = 0; i < n; i++) {
                evs[i].local_ns = now;
                on_venue(l, &evs[i]);
            }
            if (!l->sync_asked && l->bn.time_known) l->sync_asked = oms_sync(&l->eng.oms, now) == 0;
        }
        if (stop_requests >= 2 && !l->second_told) {
            l->second_told = 1;
            say_warn(l, "a second stop signal: still canceling and confirming (15 s at most); a third exits at once "
                        "and leaves what is open");
        }
        if (stop_requests || (o->seconds > 0 && now - t0 >= (int64_t)(o->seconds * 1e9))) {
            if (stop_step(l, now)) break;
            if (now - l->stop_started_ns > 15000000000LL) {
                snprintf(err, (size_t)errcap, "could not confirm that no order is left open on the exchange within 15 s");
                rc = Q_E_IO;
                break;
            }
        } else {
            decide(l, now);
        }
        if (status_ns > 0 && now >= l->next_status_ns) {
            status_line(l, now);
            l->next_status_ns = now + status_ns;
        }
        if (l->jn) journal_tick(l->jn, &l->rep, now, 0); /* journal: a mark every report sample */
        if (l->jn) journal_flush(l->jn, clock_real_ns()); /* journal: once per step */
        journal_hand_over(l);
        if (l->bn.err[0] && !l->bn.ready && !o->dry_run) {
            snprintf(err, (size_t)errcap, "%s", l->bn.err);
            rc = Q_E_IO;
            break;
        }
    }
    if (!rc) say(l, o->dry_run ? "stopped (a dry run: nothing was sent)" : "stopped: the exchange confirms no order of ours is open");
    if (l->jn) { /* journal */
        journal_tick(l->jn, &l->rep, clock_real_ns(), 1); /* the report's state at the stop */
        journal_flush(l->jn, clock_real_ns());
        journal_run_end(l->jn, clock_real_ns(), rc);
        const journal_stats_t *js = journal_stats(l->jn);
        say(l, "journal %s: %lld intents, %lld events, %lld fills, %lld earlier orders reconciled, %lld errors%s%s",
            o->db, (long long)js->intents, (long long)js->events, (long long)js->fills, (long long)js->reconciled,
            (long long)js->errors, js->errors ? ": " : "", js->errors ? journal_error(l->jn) : "");
    }
    report_close(&l->rep);
    l->rep.gaps = l->eng.sync.st.gaps;
    report_print_text(&l->rep, stdout, 0, 0);
    {
        const ledger_t *lg = &l->eng.oms.ledger;
        char bb[48], qq[48];
        fx_format(lg->base, &x->rules.lot, 0, bb, sizeof bb);
        symbol_quote_format(&x->rules, lg->quote, qq, sizeof qq);
        /* the exchange's balances only once its account was read: else the config's, moved by
           our fills (a dry run, or an account never answered) */
        printf("balances          %s %s, %s %s (%s)\n", bb, x->rules.base, qq, x->rules.quote,
               l->events[VEV_BALANCE] ? "the ledger, from the fills the exchange reported"
               : o->dry_run         ? "a dry run: the config's balances"
                                    : "the config's balances moved by our fills: the exchange's account was never read");
    }
out:
    l->bn.net.before_write = 0;
    journal_close(l->jn);
    binance_close(&l->bn);
    engine_free(&l->eng);
    free(l->levels);
    free(l);
    return rc;
}
