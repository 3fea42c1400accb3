/* report.c: backtest statistics and outputs (see report.h). */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../core/err.h"
#include "../venue/chaos/chaos.h"

static FILE *open_csv(const char *dir, const char *name, const char *header, char *err, int errcap) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, (size_t)errcap, "%s: %s", path, strerror(errno));
        return 0;
    }
    fputs(header, f);
    return f;
}

int report_open(report_t *r, const engine_t *e, const char *out_dir, double sample_s, char *err, int errcap) {
    /* the markouts' ring is left to markout_init (untouched pages until used) */
    memset(r, 0, offsetof(report_t, markouts));
    markout_init(&r->markouts);
    memset((char *)&r->markouts + sizeof r->markouts, 0, sizeof *r - offsetof(report_t, markouts) - sizeof r->markouts);
    r->eng = e;
    r->sample_ns = (int64_t)(sample_s * 1e9);
    if (!out_dir) return 0;
    if (mkdir(out_dir, 0755) && errno != EEXIST) {
        snprintf(err, (size_t)errcap, "%s: %s", out_dir, strerror(errno));
        return Q_E_IO;
    }
    r->orders_csv = open_csv(out_dir, "orders.csv",
                             "sent_ns,client_order_id,side,type,price,qty,filled,state,level,acked_ns,done_ns,fees_quote,reason,"
                             "live_ns,cancel_ns\n",
                             err, errcap);
    r->fills_csv = open_csv(out_dir, "fills.csv",
                            "time_ns,client_order_id,side,price,qty,maker,fee,fee_asset,fee_quote,inventory,realized_pnl,"
                            "venue_ns,by,source_id\n",
                            err, errcap);
    r->equity_csv = open_csv(out_dir, "equity.csv",
                             "time_ns,mid,our_bid,our_ask,inventory,equity,total_pnl,realized_pnl,pnl_vs_hold\n", err, errcap);
    if (!r->orders_csv || !r->fills_csv || !r->equity_csv) return Q_E_IO;
    return 0;
}

static const symbol_rules_t *rules(const report_t *r) { return r->eng->rules; }

static void px(const report_t *r, int64_t ticks, char *buf, size_t cap) {
    if (!ticks) { snprintf(buf, cap, "%s", ""); return; }
    fx_format(ticks, &rules(r)->tick, 0, buf, cap);
}

static void qty(const report_t *r, int64_t lots, char *buf, size_t cap) {
    fx_format(lots, &rules(r)->lot, 0, buf, cap);
}

void report_sample_at(report_t *r, int64_t now, double mid, int64_t b, int64_t a) {
    if (!r->equity_csv) return;
    const ledger_t *l = &r->eng->oms.ledger;
    char pb[32], pa[32], inv[32];
    px(r, b, pb, sizeof pb);
    px(r, a, pa, sizeof pa);
    qty(r, ledger_inventory(l), inv, sizeof inv);
    double eq = ledger_pnl_equity(l, mid);
    double hold = (double)l->base_start * rules(r)->lot.value * (mid - r->start_mid);
    fprintf(r->equity_csv, "%" PRId64 ",%.8f,%s,%s,%s,%.6f,%.6f,%.6f,%.6f\n", now, mid, pb, pa, inv, eq,
            eq - r->start_equity, l->realized, eq - r->start_equity - hold);
}

static void sample(report_t *r, int64_t now, double mid) {
    int64_t b, a;
    oms_best_live(&r->eng->oms, &b, &a);
    report_sample_at(r, now, mid, b, a);
}

void report_on_event(report_t *r, int64_t now) {
    const engine_t *e = r->eng;
    if (!r->events++) r->start_ns = now;
    int64_t dt = r->last_ns ? now - r->last_ns : 0;
    r->last_ns = r->end_ns = now;
    if (!e->started) return;
    double mid = engine_mid(e);
    if (mid <= 0) return;
    const ledger_t *l = &e->oms.ledger;
    if (r->start_mid == 0) {
        r->start_mid = mid;
        r->start_equity = r->peak_equity = ledger_pnl_equity(l, mid);
    }
    r->end_mid = mid;
    markout_mid(&r->markouts, now, mid);
    double eq = ledger_pnl_equity(l, mid);
    if (eq > r->peak_equity) r->peak_equity = eq;
    if (r->peak_equity - eq > r->max_drawdown) r->max_drawdown = r->peak_equity - eq;
    if (engine_ready(e)) r->ready_ns += dt;
    if (!r->best_known || r->best_gen != e->oms.gen) {
        oms_best_live(&e->oms, &r->best_bid, &r->best_ask);
        r->best_gen = e->oms.gen;
        r->best_known = 1;
    }
    int64_t b = r->best_bid, a = r->best_ask;
    if (b && a) {
        r->two_sided_ns += dt;
        r->spread_ticks_ns += (double)(a - b) * (double)dt;
        r->spread_bps_ns += (double)(a - b) * rules(r)->tick.value / mid * 1e4 * (double)dt;
    }
    if (r->equity_csv && now >= r->next_sample_ns) {
        sample(r, now, mid);
        r->next_sample_ns = (now / r->sample_ns + 1) * r->sample_ns;
    }
}

static void write_order(report_t *r, const order_t *o) {
    if (!r->orders_csv) return;
    char p[32], q[32], f[32];
    px(r, o->price, p, sizeof p);
    qty(r, o->qty, q, sizeof q);
    qty(r, o->filled, f, sizeof f);
    char live[24] = "", cancel[24] = ""; /* exchange clock; empty when never */
    if (o->live_ns) snprintf(live, sizeof live, "%" PRId64, o->live_ns);
    if (o->cancel_ns) snprintf(cancel, sizeof cancel, "%" PRId64, o->cancel_ns);
    fprintf(r->orders_csv, "%" PRId64 ",%s,%s,%s,%s,%s,%s,%s,%d,%" PRId64 ",%" PRId64 ",%.8f,%s,%s,%s\n",
            o->sent_ns, o->cid, o->side == SIDE_BUY ? "BUY" : "SELL",
            o->type == OT_LIMIT ? "LIMIT" : "LIMIT_MAKER", p, q, f, order_state_name(o->state), o->level,
            o->acked_ns, o->done_ns, o->fees_quote, o->reason, live, cancel);
}

/* the maker volume and fees for the break-even fee, and the fill's markouts */
static void judge_fill(report_t *r, const order_t *o, const venue_event_t *ev, double fee_quote) {
    const symbol_rules_t *s = rules(r);
    order_side_t side = o ? o->side : ev->side;
    if (ev->maker) {
        __int128 notional = (__int128)ev->price * ev->qty;
        r->maker_notional += notional;
        if (!strcmp(ev->fee_asset, s->base)) {
            /* a fee in base costs its quantity at the end mark, so it is counted apart */
            r->maker_lots_bfee += ev->qty;
            /* a division: the same amount stated at another scale (a journal's text) gives the same double */
            r->maker_fees_base += (double)ev->fee / pow(10, ev->fee_scale);
        } else {
            r->maker_notional_qfee += notional;
            r->maker_fees_qvalue += fee_quote;
        }
    }
    if (!r->fills_replayed)
        markout_fill(&r->markouts, ev->local_ns, side == SIDE_BUY ? 1 : -1, (double)ev->price * s->tick.value,
                     (double)ev->qty * s->lot.value);
}

void report_on_fill(void *ctx, const order_t *o, const venue_event_t *ev, double fee_quote) {
    report_t *r = ctx;
    r->fills_written++;
    if (ev->by >= VFILL_UNKNOWN && ev->by <= VFILL_TAKER) r->fills_by[ev->by]++;
    judge_fill(r, o, ev, fee_quote);
    if (!r->fills_csv) return;
    const ledger_t *l = &r->eng->oms.ledger;
    char p[32], q[32], fe[48], inv[32];
    px(r, ev->price, p, sizeof p);
    qty(r, ev->qty, q, sizeof q);
    qty(r, ledger_inventory(l), inv, sizeof inv);
    /* the commission as the venue stated it, in its asset */
    fx_unit_t u;
    if (fx_unit_make(ev->fee_scale, 1, &u) || fx_format(ev->fee, &u, 0, fe, sizeof fe) < 0) snprintf(fe, sizeof fe, "?");
    order_side_t side = o ? o->side : ev->side;
    /* where the fill came from: the venue's time (exchange clock), what made it and the
       recording's id of that market event; empty when not told */
    static const char *const by_name[] = {"", "trade", "cross", "taker"};
    char vt[24] = "", src[24] = "";
    if (ev->exch_ns) snprintf(vt, sizeof vt, "%" PRId64, ev->exch_ns);
    if (ev->source_id && (ev->by == VFILL_TRADE || ev->by == VFILL_CROSS)) snprintf(src, sizeof src, "%" PRIu64, ev->source_id);
    fprintf(r->fills_csv, "%" PRId64 ",%s,%s,%s,%s,%d,%s,%s,%.8f,%s,%.6f,%s,%s,%s\n", ev->local_ns, ev->cid,
            side == SIDE_BUY ? "BUY" : "SELL", p, q, ev->maker, fe, ev->fee_asset, fee_quote, inv, l->realized, vt,
            ev->by >= VFILL_UNKNOWN && ev->by <= VFILL_TAKER ? by_name[ev->by] : "", src);
}

void report_on_done(void *ctx, const order_t *o) { write_order(ctx, o); }

void report_close(report_t *r) {
    markout_end(&r->markouts); /* what waits for a horizon the data did not reach */
    if (r->orders_csv) {
        const oms_t *m = &r->eng->oms;
        for (int i = 0; i < m->nlive; i++) write_order(r, &m->orders[m->live[i]]);
        fclose(r->orders_csv);
    }
    if (r->equity_csv) {
        if (r->end_mid > 0) sample(r, r->end_ns, r->end_mid);
        fclose(r->equity_csv);
    }
    if (r->fills_csv) fclose(r->fills_csv);
    r->orders_csv = r->fills_csv = r->equity_csv = 0;
}

/* ---- the numbers, computed once for both formats ------------------------ */

#define NBY (VFILL_TAKER + 1) /* what can make a fill (venue_fill_by_t) */

typedef struct figures {
    double span_s, volume_base, volume_quote, fees, realized, unrealized, total, hold, vs_hold, vs_hold_pct,
        end_equity, maker_share, two_sided, spread_ticks, spread_quote, spread_bps, inv_min, inv_max, inv_end;
    double maker_volume, breakeven_fee; /* quote; a rate (0.001 = 0.1%) */
    int breakeven_known;                /* 0: no maker volume, no break-even fee */
    int64_t judged;                     /* fills counted by what made them */
    double share[NBY];                  /* their shares per venue_fill_by_t */
    /* the daily order budget (risk.h): orders sent per fill, and the orders that never
       traded projected over 24 h at the run's pace, against the limit */
    double orders_per_fill, unfilled_per_day, day_share;
    int64_t unfilled;
    int per_fill_known, per_day_known;
} figures_t;

int report_breakeven_fee_of(double vs_hold, double maker_fees_end, double maker_volume_end, double *fee) {
    /* with the fills held as they were, each maker fill's fee scales with the rate: at rate f the
       run's result against holding is  vs_hold + maker_fees_end - f * maker_volume_end */
    if (!(maker_volume_end > 0)) return Q_E_INVAL;
    *fee = (vs_hold + maker_fees_end) / maker_volume_end;
    return 0;
}

/* fees charged in base leave the end balance short of their quantity, which the end mid
   values: so they, and the volume they are a rate of, are valued at end_mid */
static int breakeven(const report_t *r, double vs_hold, double *fee) {
    const ledger_t *l = &r->eng->oms.ledger;
    double mark = r->end_mid;
    double fees_end = r->maker_fees_qvalue + r->maker_fees_base * mark;
    double vol_end = ledger_quote_real(l, r->maker_notional_qfee) + (double)r->maker_lots_bfee * rules(r)->lot.value * mark;
    return report_breakeven_fee_of(vs_hold, fees_end, vol_end, fee);
}

static void compute(const report_t *r, figures_t *g) {
    const engine_t *e = r->eng;
    const ledger_t *l = &e->oms.ledger;
    const symbol_rules_t *s = e->rules;
    memset(g, 0, sizeof *g);
    g->span_s = (double)(r->end_ns - r->start_ns) / 1e9;
    const oms_t *om = &e->oms;
    g->unfilled = om->st.sent - om->risk.first_fills;
    if (g->unfilled < 0) g->unfilled = 0;
    if ((g->per_fill_known = l->fills > 0)) g->orders_per_fill = (double)om->st.sent / (double)l->fills;
    /* a day projected from less than a minute is noise (a run killed at start-up: 6 orders in
       8 ms made 73 million a day) */
    if ((g->per_day_known = g->span_s >= 60)) {
        g->unfilled_per_day = (double)g->unfilled * 86400.0 / g->span_s;
        if (om->risk.day_limit) g->day_share = g->unfilled_per_day / om->risk.day_limit;
    }
    g->volume_base = (double)(l->bought + l->sold) * s->lot.value;
    g->volume_quote = ledger_quote_real(l, l->buy_notional + l->sell_notional);
    g->fees = l->fees_quote_value;
    g->realized = l->realized;
    double mark = r->end_mid;
    g->end_equity = mark > 0 ? ledger_equity(l, mark) : r->start_equity;
    g->total = g->end_equity - l->transfers_value - r->start_equity; /* deposits and withdrawals are no PnL */
    g->unrealized = mark > 0 ? ledger_unrealized(l, mark) : 0;
    g->hold = (double)l->base_start * s->lot.value * (r->end_mid - r->start_mid);
    g->vs_hold = g->total - g->hold;
    double hold_equity = r->start_equity + g->hold;
    g->vs_hold_pct = hold_equity > 0 ? 100.0 * g->vs_hold / hold_equity : 0;
    g->maker_share = l->fills ? (double)l->maker_fills / (double)l->fills : 0;
    g->two_sided = r->ready_ns ? (double)r->two_sided_ns / (double)r->ready_ns : 0;
    g->spread_ticks = r->two_sided_ns ? r->spread_ticks_ns / (double)r->two_sided_ns : 0;
    g->spread_quote = g->spread_ticks * s->tick.value;
    g->spread_bps = r->two_sided_ns ? r->spread_bps_ns / (double)r->two_sided_ns : 0;
    g->inv_min = (double)l->inv_min * s->lot.value;
    g->inv_max = (double)l->inv_max * s->lot.value;
    g->inv_end = (double)ledger_inventory(l) * s->lot.value;
    g->maker_volume = ledger_quote_real(l, r->maker_notional);
    g->breakeven_known = r->end_mid > 0 && !breakeven(r, g->vs_hold, &g->breakeven_fee);
    for (int k = 0; k < NBY; k++) g->judged += r->fills_by[k];
    for (int k = 0; k < NBY; k++) g->share[k] = g->judged ? (double)r->fills_by[k] / (double)g->judged : 0;
}

int report_breakeven_maker_fee(const report_t *r, double *fee) {
    figures_t g;
    compute(r, &g);
    if (!g.breakeven_known) return Q_E_INVAL;
    *fee = g.breakeven_fee;
    return 0;
}

static const char *const by_key[NBY] = {"unknown", "trade", "cross", "taker"};

/* what made the fills: a simulated venue says, a live one does not */
static void print_made_by(const report_t *r, const figures_t *g, FILE *f) {
    if (!g->judged) return;
    if (r->fills_by[VFILL_UNKNOWN] == g->judged) {
        fprintf(f, "  made by         not said by the venue (%" PRId64 " fills)\n", g->judged);
        return;
    }
    fprintf(f, "  made by         trade %.1f%%, book cross %.1f%%, taking %.1f%%", 100 * g->share[VFILL_TRADE],
            100 * g->share[VFILL_CROSS], 100 * g->share[VFILL_TAKER]);
    if (r->fills_by[VFILL_UNKNOWN]) fprintf(f, ", not said %.1f%%", 100 * g->share[VFILL_UNKNOWN]);
    fprintf(f, " (of %" PRId64 " fills)\n", g->judged);
}

static void print_markouts(const report_t *r, FILE *f, const char *b, const char *q, int qd) {
    const markout_t *m = &r->markouts;
    static const char *const label[MARKOUT_NH] = {"at the fill", "1 s after", "5 s after", "30 s after"};
    fprintf(f, "markouts (side x (mid - fill price), mean over fills; + is good for us)\n");
    for (int k = 0; k < MARKOUT_NH; k++) {
        const markout_sum_t *s = &m->h[k];
        int64_t excl = s->excluded + markout_pending(m, k);
        fprintf(f, "  %-15s %+.*f %s/%s = %+.2f bps, %+.*f %s on the filled quantity (%" PRId64 " fills", label[k], qd,
                markout_mean_quote(m, k), q, b, markout_mean_bps(m, k), qd, s->pnl_quote, q, s->n);
        if (excl) fprintf(f, "; %" PRId64 " too close to the end", excl);
        fprintf(f, ")\n");
    }
    if (m->dropped) fprintf(f, "  not measured    %" PRId64 " fills (more than %d waiting at once)\n", m->dropped, MARKOUT_RING);
}

void report_print_text(const report_t *r, FILE *f, const char *const *files, int nfiles) {
    const engine_t *e = r->eng;
    const oms_t *m = &e->oms;
    const ledger_t *l = &m->ledger;
    const char *b = e->rules->base, *q = e->rules->quote;
    figures_t g;
    compute(r, &g);
    /* decimals by what the quote asset is worth (a fixed %.4f printed a BTC-quoted pnl as
       0.0000): prices with the tick's; quote amounts (pnl, fees, a mean per unit) with two
       more, a hundredth of a tick on one base unit, at least the 4 USDT amounts have always
       had, at most Binance's 8; volumes with the tick's, at least 2 */
    const int pd = e->rules->tick.scale;
    const int qd = pd + 2 < 4 ? 4 : pd + 2 > 8 ? 8 : pd + 2, vd = qd - 2;
    fprintf(f, "quoter %s: %s, strategy %s\n", r->title ? r->title : "backtest", e->rules->symbol, e->strat.vt->name);
    for (int i = 0; i < nfiles; i++) fprintf(f, "  data            %s\n", files[i]);
    fprintf(f, "  span            %.1f s (%" PRId64 " .. %" PRId64 " ns)\n", g.span_s, r->start_ns, r->end_ns);
    fprintf(f, "  events          %" PRId64 " (bad lines %" PRId64 ", gaps %" PRId64 ")\n", r->events,
            r->bad_lines, r->gaps);
    fprintf(f, "orders\n");
    fprintf(f, "  sent            %" PRId64 " (cancel-replace %" PRId64 ")\n", m->st.sent, m->st.replaced);
    fprintf(f, "  canceled        %" PRId64 "\n", m->st.canceled);
    fprintf(f, "  rejected        %" PRId64 " by the venue\n", m->st.rejected);
    fprintf(f, "  held back       ");
    int any = 0;
    for (int k = 1; k < RISK_NREASONS; k++)
        if (m->risk.rejects[k]) {
            fprintf(f, "%s%s %" PRId64, any ? ", " : "", risk_reason_name((risk_reason_t)k), m->risk.rejects[k]);
            any = 1;
        }
    fprintf(f, "%s\n", any ? " (quotes the risk gate kept, each decision counted)" : "none by the risk gate");
    fprintf(f, "fills\n");
    fprintf(f, "  count           %" PRId64 " (maker share %.1f%%)\n", l->fills, 100 * g.maker_share);
    fprintf(f, "  volume          %.8f %s, %.*f %s\n", g.volume_base, b, vd, g.volume_quote, q);
    fprintf(f, "  fees            %.*f %s\n", qd, g.fees, q);
    print_made_by(r, &g, f);
    /* fees paid in another asset (BNB when the account pays fees with it): the amount, and its
       value in quote (part of the line above) */
    for (int k = 0; k < l->nother; k++) {
        char amt[64];
        ledger_asset_amount(&l->other[k], amt, sizeof amt);
        fprintf(f, "  fees in %-7s %s %s (valued %.*f %s%s)\n", l->other[k].name, amt, l->other[k].name, qd, l->other[k].value, q,
                l->other[k].price > 0 ? "" : "; no price: account.fee_asset_prices");
    }
    if (l->fills) print_markouts(r, f, b, q, qd);
    fprintf(f, "pnl (%s)\n", q);
    fprintf(f, "  realized        %.*f\n", qd, g.realized);
    fprintf(f, "  unrealized      %.*f\n", qd, g.unrealized);
    fprintf(f, "  total           %.*f\n", qd, g.total);
    fprintf(f, "  holding start   %.*f (start inventory marked from %.*f to %.*f)\n", qd, g.hold, pd, r->start_mid, pd,
            r->end_mid);
    fprintf(f, "  vs holding      %.*f (%.4f%% of equity)\n", qd, g.vs_hold, g.vs_hold_pct);
    if (g.breakeven_known)
        fprintf(f, "  break-even fee  %+.4f bps maker fee equals holding (maker volume %.*f %s)\n", g.breakeven_fee * 1e4,
                vd, g.maker_volume, q);
    else
        fprintf(f, "  break-even fee  none: no maker volume\n");
    fprintf(f, "  max drawdown    %.*f\n", qd, r->max_drawdown);
    fprintf(f, "inventory (%s, relative to start)\n", b);
    fprintf(f, "  range           %.8f .. %.8f, end %.8f\n", g.inv_min, g.inv_max, g.inv_end);
    fprintf(f, "quoting\n");
    fprintf(f, "  two-sided       %.1f%% of the time with a synchronised book\n", 100 * g.two_sided);
    fprintf(f, "  mean spread     %.2f ticks = %.*f %s = %.2f bps\n", g.spread_ticks, qd, g.spread_quote, q, g.spread_bps);
    const oms_stats_t *o = &m->st;
    if (r->chaos || o->duplicate_fills || o->late_fills || o->foreign_fills || o->timeouts || o->unknowns ||
        o->queries || o->not_sent || o->state_errors) {
        fprintf(f, "venue events\n");
        if (r->chaos)
            fprintf(f, "  chaos           duplicated %" PRId64 ", reordered %" PRId64 ", delayed %" PRId64
                       ", dropped %" PRId64 " events and %" PRId64 " requests, unknown %" PRId64 ", not sent %" PRId64
                       ", rate limited %" PRId64 "\n",
                    r->chaos->st.duplicated, r->chaos->st.reordered, r->chaos->st.delayed, r->chaos->st.dropped_events,
                    r->chaos->st.dropped_requests, r->chaos->st.unknowns, r->chaos->st.not_sent,
                    r->chaos->st.rate_limited);
        fprintf(f, "  fills           %" PRId64 " told twice (booked once), %" PRId64 " after their order was done, %" PRId64
                   " of orders not this run's\n",
                o->duplicate_fills, o->late_fills, o->foreign_fills);
        fprintf(f, "  requests        %" PRId64 " past their deadline, %" PRId64 " unknown outcomes, %" PRId64
                   " queries, %" PRId64 " not sent, %" PRId64 " cancels of gone orders\n",
                o->timeouts, o->unknowns, o->queries, o->not_sent, o->gone);
        fprintf(f, "  unresolved      %d orders; %" PRId64 " reports contradicting the order's state\n",
                oms_unresolved_count(m), o->state_errors);
    }
    fprintf(f, "order budget\n");
    if (g.per_fill_known) fprintf(f, "  per fill        %.1f orders sent per fill\n", g.orders_per_fill);
    else fprintf(f, "  per fill        no fill\n");
    if (g.per_day_known) {
        fprintf(f, "  unfilled        %" PRId64 " orders never traded: %.0f a day at this pace", g.unfilled, g.unfilled_per_day);
        if (m->risk.day_limit)
            fprintf(f, ", %.0f%% of the limit of %d (%s)\n", 100 * g.day_share, m->risk.day_limit,
                    g.day_share <= 1 ? "within" : "beyond it: the gate would pace the orders");
        else
            fprintf(f, " (no daily budget: risk.orders_per_day = 0)\n");
    } else {
        fprintf(f, "  unfilled        %" PRId64 " orders never traded (a span under a minute: no daily projection)\n",
                g.unfilled);
    }
    if (m->risk.killed) fprintf(f, "kill switch       tripped: %s\n", m->risk.kill_reason);
}

void report_print_json(const report_t *r, FILE *f) { report_print_json_extra(r, f, 0); }

void report_print_json_extra(const report_t *r, FILE *f, const char *extra) {
    const engine_t *e = r->eng;
    const oms_t *m = &e->oms;
    const ledger_t *l = &m->ledger;
    figures_t g;
    compute(r, &g);
    fprintf(f, "{\"symbol\":\"%s\",\"strategy\":\"%s\",", e->rules->symbol, e->strat.vt->name);
    fprintf(f, "\"start_ns\":%" PRId64 ",\"end_ns\":%" PRId64 ",\"span_s\":%.3f,", r->start_ns, r->end_ns, g.span_s);
    fprintf(f, "\"events\":%" PRId64 ",\"bad_lines\":%" PRId64 ",\"gaps\":%" PRId64 ",", r->events, r->bad_lines, r->gaps);
    fprintf(f, "\"orders_sent\":%" PRId64 ",\"orders_canceled\":%" PRId64 ",\"orders_rejected\":%" PRId64
               ",\"cancel_replaced\":%" PRId64 ",", m->st.sent, m->st.canceled, m->st.rejected, m->st.replaced);
    fprintf(f, "\"risk_rejects\":{");
    for (int k = 1; k < RISK_NREASONS; k++)
        fprintf(f, "%s\"%s\":%" PRId64, k > 1 ? "," : "", risk_reason_name((risk_reason_t)k), m->risk.rejects[k]);
    fprintf(f, "},");
    fprintf(f, "\"fills\":%" PRId64 ",\"maker_fills\":%" PRId64 ",\"maker_share\":%.6f,", l->fills, l->maker_fills,
            g.maker_share);
    fprintf(f, "\"volume_base\":%.8f,\"volume_quote\":%.8f,\"fees_quote\":%.8f,", g.volume_base, g.volume_quote, g.fees);
    fprintf(f, "\"realized_pnl\":%.8f,\"unrealized_pnl\":%.8f,\"total_pnl\":%.8f,", g.realized, g.unrealized, g.total);
    fprintf(f, "\"hold_pnl\":%.8f,\"return_vs_hold\":%.8f,\"return_vs_hold_pct\":%.8f,", g.hold, g.vs_hold, g.vs_hold_pct);
    fprintf(f, "\"max_drawdown\":%.8f,\"start_equity\":%.8f,\"end_equity\":%.8f,", r->max_drawdown, r->start_equity,
            g.end_equity);
    fprintf(f, "\"start_mid\":%.8f,\"end_mid\":%.8f,", r->start_mid, r->end_mid);
    fprintf(f, "\"inventory_min\":%.8f,\"inventory_max\":%.8f,\"inventory_end\":%.8f,", g.inv_min, g.inv_max, g.inv_end);
    fprintf(f, "\"time_two_sided\":%.6f,\"mean_quoted_spread\":%.8f,\"mean_quoted_spread_ticks\":%.4f,"
               "\"mean_quoted_spread_bps\":%.4f,",
            g.two_sided, g.spread_quote, g.spread_ticks, g.spread_bps);
    fprintf(f, "\"kill_switch\":%s,", m->risk.killed ? "true" : "false");
    if (g.per_fill_known) fprintf(f, "\"orders_per_fill\":%.4f,", g.orders_per_fill);
    else fprintf(f, "\"orders_per_fill\":null,");
    fprintf(f, "\"unfilled_orders\":%" PRId64 ",", g.unfilled);
    if (g.per_day_known) fprintf(f, "\"unfilled_orders_per_day\":%.1f,", g.unfilled_per_day);
    else fprintf(f, "\"unfilled_orders_per_day\":null,");
    fprintf(f, "\"daily_order_limit\":%d,", m->risk.day_limit);
    if (g.per_day_known && m->risk.day_limit) fprintf(f, "\"daily_limit_share\":%.6f,", g.day_share);
    else fprintf(f, "\"daily_limit_share\":null,");
    fprintf(f, "\"fills_by\":{");
    /* unknown last: a live run's whole count */
    for (int k = 1; k <= NBY; k++) fprintf(f, "%s\"%s\":%" PRId64, k > 1 ? "," : "", by_key[k % NBY], r->fills_by[k % NBY]);
    fprintf(f, "},\"fill_share\":{");
    for (int k = 1; k <= NBY; k++) fprintf(f, "%s\"%s\":%.6f", k > 1 ? "," : "", by_key[k % NBY], g.share[k % NBY]);
    fprintf(f, "},\"markouts\":{");
    for (int k = 0; k < MARKOUT_NH; k++) {
        const markout_sum_t *s = &r->markouts.h[k];
        fprintf(f, "\"%s\":{\"measured\":%" PRId64 ",\"excluded\":%" PRId64 ",\"mean_quote\":%.8f,\"mean_bps\":%.6f,"
                   "\"pnl_quote\":%.8f},",
                markout_horizon_name[k], s->n, s->excluded + markout_pending(&r->markouts, k),
                markout_mean_quote(&r->markouts, k), markout_mean_bps(&r->markouts, k), s->pnl_quote);
    }
    fprintf(f, "\"dropped\":%" PRId64 "},", r->markouts.dropped);
    fprintf(f, "\"maker_volume_quote\":%.8f,", g.maker_volume);
    if (g.breakeven_known)
        fprintf(f, "\"breakeven_maker_fee\":%.10f,\"breakeven_maker_fee_bps\":%.6f,", g.breakeven_fee, g.breakeven_fee * 1e4);
    else
        fprintf(f, "\"breakeven_maker_fee\":null,\"breakeven_maker_fee_bps\":null,");
    if (r->chaos) /* only with sim.chaos: without it the report stays as it was */
        fprintf(f, "\"venue_events\":{\"duplicate_fills\":%" PRId64 ",\"late_fills\":%" PRId64
                   ",\"timeouts\":%" PRId64 ",\"unknowns\":%" PRId64 ",\"queries\":%" PRId64 ",\"not_sent\":%" PRId64
                   ",\"state_errors\":%" PRId64 ",\"unresolved\":%d,\"chaos_dropped_events\":%" PRId64
                   ",\"chaos_dropped_requests\":%" PRId64 ",\"chaos_duplicated\":%" PRId64 "},",
                m->st.duplicate_fills, m->st.late_fills, m->st.timeouts, m->st.unknowns, m->st.queries, m->st.not_sent,
                m->st.state_errors, oms_unresolved_count(m), r->chaos->st.dropped_events, r->chaos->st.dropped_requests,
                r->chaos->st.duplicated);
    fprintf(f, "\"fills_by_cause\":{\"queue\":%" PRId64 ",\"trade_through\":%" PRId64 ",\"book_through\":%" PRId64
               ",\"taker\":%" PRId64 "}",
            r->sim ? r->sim->st.queue_fills : 0, r->sim ? r->sim->st.through_fills : 0,
            r->sim ? r->sim->st.cross_fills : 0, r->sim ? r->sim->st.taker_fills : 0);
    if (extra) fputs(extra, f);
    fputs("}\n", f);
}

int report_chart(const char *dir, const char *symbol) {
    char script[1200], path[1100];
    snprintf(path, sizeof path, "%s/chart.gp", dir);
    FILE *f = fopen(path, "w");
    if (!f) return Q_E_IO;
    fprintf(f,
            "set terminal pngcairo size 1400,1000 font ',10' noenhanced\n"
            "set output '%s/chart.png'\n"
            "set datafile separator ','\n"
            "set key outside right top\n"
            "set multiplot layout 3,1 title '%s backtest'\n"
            "set grid\n"
            "t0 = 0\n"
            "stats '%s/equity.csv' using 1 nooutput\n"
            "t0 = STATS_min\n"
            "set xlabel 'seconds'\n"
            "set ylabel 'price'\n"
            "plot '%s/equity.csv' using (($1-t0)/1e9):2 with lines lc 'black' title 'mid', "
            "'' using (($1-t0)/1e9):3 with lines lc 'dark-green' title 'our best bid', "
            "'' using (($1-t0)/1e9):4 with lines lc 'dark-red' title 'our best ask', "
            "'%s/fills.csv' using (($1-t0)/1e9):(strcol(3) eq 'BUY' ? $4 : 1/0) with points pt 9 ps 1.2 lc 'blue' title 'buy fill', "
            "'' using (($1-t0)/1e9):(strcol(3) eq 'SELL' ? $4 : 1/0) with points pt 11 ps 1.2 lc 'red' title 'sell fill'\n"
            "set ylabel 'inventory'\n"
            "plot '%s/equity.csv' using (($1-t0)/1e9):5 with steps lc 'purple' title 'inventory (base, vs start)'\n"
            "set ylabel 'equity change (quote)'\n"
            "plot '%s/equity.csv' using (($1-t0)/1e9):7 with lines lc 'dark-blue' title 'total pnl (quote)', "
            "'' using (($1-t0)/1e9):9 with lines lc 'dark-green' title 'pnl vs holding', "
            "'' using (($1-t0)/1e9):8 with lines lc 'orange' title 'realized pnl'\n"
            "unset multiplot\n",
            dir, symbol, dir, dir, dir, dir, dir);
    fclose(f);
    snprintf(script, sizeof script, "gnuplot '%s' 2>'%s/chart.log'", path, dir);
    int rc = system(script);
    return rc == 0 ? 0 : Q_E_IO;
}
