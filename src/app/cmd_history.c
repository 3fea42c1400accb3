/* cmd_history.c: `quoter history`: the backtest's report (src/backtest/report.c, the same code
 * and the same --json keys, CSV files and chart) of a live run, from its SQLite journal
 * (journal.h): the ledger is rebuilt by booking the fills the run's ledger booked, in their
 * order, through the same ledger code; the report's time-weighted figures (span, quoting,
 * drawdown) and the oms's counts are the run's own, from the state journaled with its marks
 * (journal_tick); equity.csv has a row per mark. What only a live run has (its id, fees by
 * asset, the round trips per request kind) is one extra key, "run", and a few extra lines.
 * --latency-csv writes the measured round trips (docs/backtest-report.md). */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../backtest/report.h"
#include "../config/config.h"
#include "../core/log.h"
#include "../engine/engine.h"
#include "cli.h"

static const char usage[] =
    "usage: quoter history [--db FILE] [--json] [--out DIR] [--latency-csv FILE] [RUN]\n"
    "\n"
    "Prints the backtest's report (`quoter backtest`: the same report, the same --json keys)\n"
    "of a `quoter run` from its journal: the last run, or run id RUN, ended or still running\n"
    "(as of its last journaled state, at most 10 s old). After the report: the run's id and\n"
    "duration, fees by asset and the measured round trip of each request kind (in --json: the\n"
    "extra key \"run\"). docs/backtest-report.md says which figures a live run fills differently.\n"
    "\n"
    "  --db FILE           the journal (default quoter.db)\n"
    "  --json              one JSON object\n"
    "  --out DIR           write orders.csv, fills.csv, equity.csv and chart.png into DIR\n"
    "  --latency-csv FILE  the run's measured round trips: kind,sent_ns,answered_ns,rtt_ns\n"
    "\n"
    "Exit status: 0, 1 the journal cannot be read or has no such run, 2 bad usage.\n";


/* RUN: a positive decimal integer, all of it ("12abc" is no run id) */
static int64_t run_arg(const char *a) {
    size_t n = strlen(a);
    if (n == 0 || n > 18) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)a[i])) return 0;
    return strtoll(a, 0, 10);
}

static int64_t one_int(sqlite3 *db, const char *q, int64_t run) {
    sqlite3_stmt *s;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, q, -1, &s, 0) != SQLITE_OK) return -1;
    sqlite3_bind_int64(s, 1, run);
    if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* whether a query compiles (a journal written by an earlier quoter lacks newer tables and columns) */
static int has(sqlite3 *db, const char *q) {
    sqlite3_stmt *s = 0;
    int ok = sqlite3_prepare_v2(db, q, -1, &s, 0) == SQLITE_OK;
    sqlite3_finalize(s);
    return ok;
}

static const char *col_text(sqlite3_stmt *s, int i) {
    const char *t = (const char *)sqlite3_column_text(s, i);
    return t ? t : "";
}

/* an integer member of the state, exactly: cJSON holds numbers as doubles, which round
   nanosecond times (2^53 < 1.8e18); the state is flat and its keys unique (journal.c) */
static const char *state_text;
static int64_t jint(const cJSON *o, const char *k) {
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", k);
    const char *p = o && state_text ? strstr(state_text, key) : 0;
    return p ? strtoll(p + strlen(key), 0, 10) : 0;
}
static double jdbl(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}
static const char *jstr(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : 0;
}

/* a decimal integer that may exceed a double's exact range (the quote balance in tick*lot units) */
static __int128 parse_i128(const char *s) {
    int neg = s && *s == '-';
    __int128 v = 0;
    for (s += neg; s && isdigit((unsigned char)*s); s++) v = v * 10 + (*s - '0');
    return neg ? -v : v;
}

/* a commission as the journal wrote it ("0.00000120") to amount * 10^-scale */
static void parse_fee(const char *s, int64_t *amount, int *scale) {
    int neg = *s == '-', sc = 0, dot = 0;
    int64_t v = 0;
    for (s += neg; *s; s++) {
        if (*s == '.') dot = 1;
        else if (isdigit((unsigned char)*s) && v < INT64_MAX / 10) {
            v = v * 10 + (*s - '0');
            sc += dot;
        }
    }
    *amount = neg ? -v : v;
    *scale = sc;
}

static order_state_t state_of(const char *name) {
    for (int k = 0; k < ORD_NSTATES; k++)
        if (!strcmp(order_state_name((order_state_t)k), name)) return (order_state_t)k;
    return ORD_NSTATES;
}

static int by_cid(const void *a, const void *b) { return strcmp(((const order_t *)a)->cid, ((const order_t *)b)->cid); }
/* orders.csv: in the order they ended, the ones not ended last (as the backtest writes them) */
static int by_done(const void *a, const void *b) {
    const order_t *x = a, *y = b;
    int64_t dx = x->done_ns ? x->done_ns : INT64_MAX, dy = y->done_ns ? y->done_ns : INT64_MAX;
    if (dx != dy) return dx < dy ? -1 : 1;
    if (x->sent_ns != y->sent_ns) return x->sent_ns < y->sent_ns ? -1 : 1;
    return strcmp(x->cid, y->cid);
}

typedef struct hist {
    sqlite3 *db;
    const char *path;
    int64_t run;
    int legacy;               /* no marks or fills.booked: journaled by an earlier quoter */
    config_t cfg;
    config_exact_t x;
    engine_t *eng;
    report_t rep;
    cJSON *state;             /* the last journaled report state (NULL: none) */
    int64_t state_ns;         /* its mark's time */
    order_t *orders;
    int norders;
    char *kill_reason;
    int64_t replayed;         /* fills booked again here */
} hist_t;

static int sql_fail(hist_t *h) {
    cli_fail("history: %s: %s", h->path, sqlite3_errmsg(h->db));
    return 1;
}

/* the run's config, with the symbol's units as the run had them (an exchangeInfo file the
   config names may have changed or gone since) */
static int setup_engine(hist_t *h, const char *conf) {
    char err[512], set[160];
    config_defaults(&h->cfg);
    char name[64];
    snprintf(name, sizeof name, "run %lld's config", (long long)h->run);
    if (config_load_string(&h->cfg, conf, name, err, sizeof err)) {
        cli_fail("history: %s", err);
        return 1;
    }
    if (h->state) {
        const char *k[][2] = {{"market.exchange_info", ""},
                              {"market.base_asset", jstr(h->state, "base")},
                              {"market.quote_asset", jstr(h->state, "quote")},
                              {"market.tick_size", jstr(h->state, "tick")},
                              {"market.step_size", jstr(h->state, "step")}};
        for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
            if (!k[i][1]) continue;
            snprintf(set, sizeof set, "%s=%s", k[i][0], k[i][1]);
            if (config_set(&h->cfg, set, err, sizeof err)) {
                cli_fail("history: %s", err);
                return 1;
            }
        }
    }
    if (config_resolve(&h->cfg, &h->x, err, sizeof err)) {
        cli_fail("history: run %lld's config: %s", (long long)h->run, err);
        return 1;
    }
    static venue_t none; /* nothing is sent: the engine only holds the ledger and the counts */
    h->eng = calloc(1, sizeof *h->eng);
    if (!h->eng || engine_init(h->eng, &h->cfg, &h->x, &none, 0, err, sizeof err)) {
        cli_fail("history: %s", h->eng ? err : "out of memory");
        return 1;
    }
    return 0;
}

/* without a journaled state: the ledger starts from the first balances the run journaled
   (the sync's), costed at its first fill's price (the mid it started at is not known) */
static void legacy_start(hist_t *h) {
    ledger_t *l = &h->eng->oms.ledger;
    const symbol_rules_t *ru = h->eng->rules;
    sqlite3_stmt *s = 0;
    if (sqlite3_prepare_v2(h->db, "SELECT free, locked FROM balances WHERE run = ?1 AND asset = ?2 ORDER BY rowid"
                                  " LIMIT 1", -1, &s, 0) != SQLITE_OK)
        return;
    for (int k = 0; k < 2; k++) {
        sqlite3_bind_int64(s, 1, h->run);
        sqlite3_bind_text(s, 2, k ? ru->quote : ru->base, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW) {
            const char *fr = col_text(s, 0), *lk = col_text(s, 1);
            int64_t a = 0, b = 0;
            __int128 qa = 0, qb = 0;
            if (!k && !fx_parse(fr, strlen(fr), &ru->lot, &a) && !fx_parse(lk, strlen(lk), &ru->lot, &b))
                l->base = l->base_start = a + b;
            if (k && !symbol_notional_parse(ru, fr, &qa) && !symbol_notional_parse(ru, lk, &qb))
                l->quote = l->quote_start = qa + qb;
        }
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    const char *q = "SELECT price FROM fills WHERE run = ?1 ORDER BY rowid LIMIT 1";
    int64_t px = 0;
    if (sqlite3_prepare_v2(h->db, q, -1, &s, 0) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, h->run);
        if (sqlite3_step(s) == SQLITE_ROW) fx_parse(col_text(s, 0), strlen(col_text(s, 0)), &ru->tick, &px);
        sqlite3_finalize(s);
    }
    if (px > 0) ledger_start(l, (double)px * ru->tick.value);
}

/* the report's accumulators, the ledger's start and the counts, as the run last journaled them */
static void load_state(hist_t *h) {
    report_t *r = &h->rep;
    oms_t *m = &h->eng->oms;
    ledger_t *l = &m->ledger;
    const cJSON *s = h->state;
    if (!s) {
        legacy_start(h);
        return;
    }
    r->events = jint(s, "events");
    r->bad_lines = jint(s, "bad_lines");
    r->gaps = jint(s, "gaps");
    r->start_ns = jint(s, "start_ns");
    r->end_ns = r->last_ns = jint(s, "end_ns");
    r->ready_ns = jint(s, "ready_ns");
    r->two_sided_ns = jint(s, "two_sided_ns");
    r->start_mid = jdbl(s, "start_mid");
    r->end_mid = jdbl(s, "end_mid");
    r->start_equity = jdbl(s, "start_equity");
    r->peak_equity = jdbl(s, "peak_equity");
    r->max_drawdown = jdbl(s, "max_drawdown");
    r->spread_ticks_ns = jdbl(s, "spread_ticks_ns");
    r->spread_bps_ns = jdbl(s, "spread_bps_ns");
    /* the ledger where the run's started: the balances the sync told, costed at the first mark */
    l->base = l->base_start = jint(s, "base_start");
    l->quote = l->quote_start = parse_i128(jstr(s, "quote_start"));
    if (jdbl(s, "start_mark") > 0) {
        ledger_start(l, jdbl(s, "start_mark"));
        h->eng->started = 1;
    }
    l->transfers = jint(s, "transfers");
    l->transfers_value = jdbl(s, "transfers_value");
    m->st.sent = jint(s, "sent");
    m->st.replaced = jint(s, "replaced");
    m->st.canceled = jint(s, "canceled");
    m->st.rejected = jint(s, "rejected");
    m->st.duplicate_fills = jint(s, "duplicate_fills");
    m->st.late_fills = jint(s, "late_fills");
    m->st.foreign_fills = jint(s, "foreign_fills");
    m->st.timeouts = jint(s, "timeouts");
    m->st.unknowns = jint(s, "unknowns");
    m->st.queries = jint(s, "queries");
    m->st.not_sent = jint(s, "not_sent");
    m->st.state_errors = jint(s, "state_errors");
    m->st.gone = jint(s, "gone");
    const cJSON *rr = cJSON_GetObjectItemCaseSensitive(s, "risk_rejects");
    for (int k = 0; k < RISK_NREASONS && k < cJSON_GetArraySize(rr); k++) {
        const cJSON *v = cJSON_GetArrayItem(rr, k);
        m->risk.rejects[k] = cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
    }
    /* the markouts as the run measured them (its fills are told again below without mids) */
    const cJSON *mk = cJSON_GetObjectItemCaseSensitive(s, "markouts");
    for (int k = 0; k < MARKOUT_NH && k < cJSON_GetArraySize(mk); k++) {
        const cJSON *hk = cJSON_GetArrayItem(mk, k);
        double v[5] = {0};
        for (int i = 0; i < 5 && i < cJSON_GetArraySize(hk); i++) {
            const cJSON *x = cJSON_GetArrayItem(hk, i);
            v[i] = cJSON_IsNumber(x) ? x->valuedouble : 0;
        }
        r->markouts.h[k] = (markout_sum_t){(int64_t)v[0], (int64_t)v[1], v[2], v[3], v[4]};
    }
    r->markouts.dropped = jint(s, "markout_dropped");
    m->risk.first_fills = jint(s, "first_fills"); /* (a journal written before it: 0, all unfilled) */
    if (jint(s, "killed")) {
        m->risk.killed = 1;
        h->kill_reason = strdup(jstr(s, "kill_reason") ? jstr(s, "kill_reason") : "");
        m->risk.kill_reason = h->kill_reason;
    }
}

static int load_orders(hist_t *h) {
    sqlite3_stmt *s = 0;
    const symbol_rules_t *ru = h->eng->rules;
    int cap = (int)one_int(h->db, "SELECT COUNT(*) FROM orders WHERE run = ?1", h->run);
    h->orders = calloc((size_t)(cap > 0 ? cap : 1), sizeof *h->orders);
    if (!h->orders) return 1;
    if (sqlite3_prepare_v2(h->db,
                           h->legacy ? "SELECT cid, side, type, price, qty, filled, state, sent, done, reason, 0, NULL"
                                       " FROM orders WHERE run = ?1"
                                     : "SELECT cid, side, type, price, qty, filled, state, sent, done, reason,"
                                       " level, acked FROM orders WHERE run = ?1",
                           -1, &s, 0) != SQLITE_OK)
        return sql_fail(h);
    sqlite3_bind_int64(s, 1, h->run);
    while (h->norders < cap && sqlite3_step(s) == SQLITE_ROW) {
        order_t *o = &h->orders[h->norders];
        const char *cid = col_text(s, 0);
        if (strlen(cid) > ORDER_CID_MAX) continue;
        strcpy(o->cid, cid);
        o->side = !strcmp(col_text(s, 1), "SELL") ? SIDE_SELL : SIDE_BUY;
        o->type = !strcmp(col_text(s, 2), "LIMIT") ? OT_LIMIT : OT_LIMIT_MAKER;
        const char *p = col_text(s, 3), *q = col_text(s, 4), *f = col_text(s, 5);
        fx_parse(p, strlen(p), &ru->tick, &o->price);
        fx_parse(q, strlen(q), &ru->lot, &o->qty);
        fx_parse(f, strlen(f), &ru->lot, &o->filled);
        o->state = state_of(col_text(s, 6));
        o->sent_ns = sqlite3_column_int64(s, 7);
        o->done_ns = sqlite3_column_int64(s, 8);
        snprintf(o->reason, sizeof o->reason, "%s", col_text(s, 9));
        o->level = sqlite3_column_int(s, 10);
        o->acked_ns = sqlite3_column_int64(s, 11);
        h->norders++;
    }
    sqlite3_finalize(s);
    qsort(h->orders, (size_t)h->norders, sizeof *h->orders, by_cid);
    return 0;
}

static order_t *find_order(hist_t *h, const char *cid) {
    order_t key;
    snprintf(key.cid, sizeof key.cid, "%s", cid);
    return bsearch(&key, h->orders, (size_t)h->norders, sizeof *h->orders, by_cid);
}

/* books one journaled fill through the ledger (as the oms did: ledger_fill) and writes its
   fills.csv row (report_on_fill) */
static void replay_fill(hist_t *h, sqlite3_stmt *s) {
    const symbol_rules_t *ru = h->eng->rules;
    venue_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.type = VEV_FILL;
    snprintf(ev.cid, sizeof ev.cid, "%s", col_text(s, 0));
    ev.side = !strcmp(col_text(s, 1), "SELL") ? SIDE_SELL : SIDE_BUY;
    const char *p = col_text(s, 2), *q = col_text(s, 3);
    if (fx_parse(p, strlen(p), &ru->tick, &ev.price) || fx_parse(q, strlen(q), &ru->lot, &ev.qty)) return;
    parse_fee(col_text(s, 4), &ev.fee, &ev.fee_scale);
    snprintf(ev.fee_asset, sizeof ev.fee_asset, "%s", col_text(s, 5));
    ev.maker = sqlite3_column_int(s, 6);
    ev.local_ns = sqlite3_column_int64(s, 7);
    ev.trade_id = sqlite3_column_int64(s, 8);
    order_t *o = ev.cid[0] ? find_order(h, ev.cid) : 0;
    ledger_fee_t fee = {ev.fee, ev.fee_scale, ev.fee_asset};
    double fq = 0;
    if (ledger_fill(&h->eng->oms.ledger, o ? o->side : ev.side, ev.price, ev.qty, ev.maker, &fee, &fq)) return;
    h->replayed++;
    if (o) o->fees_quote += fq;
    report_on_fill(&h->rep, o, &ev, fq);
}

/* the fills in the order the run's ledger booked them, and an equity.csv row at every mark
   before the report's end (report_close writes the row at the end) */
static int replay(hist_t *h) {
    sqlite3_stmt *f = 0, *m = 0;
    int64_t until = h->state ? h->state_ns : INT64_MAX;
    const char *qf = h->legacy ? "SELECT cid, side, price, qty, fee, fee_asset, maker, time, trade_id FROM fills"
                                 " WHERE run = ?1 AND ?2 ORDER BY rowid"
                               : "SELECT cid, side, price, qty, fee, fee_asset, maker, booked, trade_id FROM fills"
                                 " WHERE run = ?1 AND booked <= ?2 ORDER BY booked, rowid";
    if (sqlite3_prepare_v2(h->db, qf, -1, &f, 0) != SQLITE_OK) return sql_fail(h);
    sqlite3_bind_int64(f, 1, h->run);
    sqlite3_bind_int64(f, 2, until);
    int have = sqlite3_step(f) == SQLITE_ROW;
    if (!h->legacy) {
        if (sqlite3_prepare_v2(h->db, "SELECT time, mid, bid, ask FROM marks WHERE run = ?1 AND time < ?2 AND mid > 0"
                                      " ORDER BY time, rowid", -1, &m, 0) != SQLITE_OK) {
            sqlite3_finalize(f);
            return sql_fail(h);
        }
        sqlite3_bind_int64(m, 1, h->run);
        sqlite3_bind_int64(m, 2, h->rep.end_ns);
        const symbol_rules_t *ru = h->eng->rules;
        while (sqlite3_step(m) == SQLITE_ROW) {
            int64_t t = sqlite3_column_int64(m, 0), b = 0, a = 0;
            for (; have && sqlite3_column_int64(f, 7) <= t; have = sqlite3_step(f) == SQLITE_ROW) replay_fill(h, f);
            const char *pb = col_text(m, 2), *pa = col_text(m, 3);
            if (*pb) fx_parse(pb, strlen(pb), &ru->tick, &b);
            if (*pa) fx_parse(pa, strlen(pa), &ru->tick, &a);
            report_sample_at(&h->rep, t, sqlite3_column_double(m, 1), b, a);
        }
        sqlite3_finalize(m);
    }
    for (; have; have = sqlite3_step(f) == SQLITE_ROW) replay_fill(h, f);
    sqlite3_finalize(f);
    return 0;
}

/* what only a live run has: the "run" key of --json, or lines after the text report */
static int run_extras(hist_t *h, int json, int64_t started, int ended_null, int64_t ended, int64_t status,
                      const char *symbol, const char *prefix, char **out) {
    size_t n = 0;
    FILE *f = open_memstream(out, &n);
    sqlite3_stmt *s = 0;
    if (!f) return 1;
    int64_t run = h->run;
    int64_t filled = one_int(h->db, "SELECT COUNT(*) FROM orders WHERE run = ?1 AND state = 'FILLED'", run);
    int64_t expired = one_int(h->db, "SELECT COUNT(*) FROM orders WHERE run = ?1 AND state = 'EXPIRED'", run);
    int64_t open = one_int(h->db, "SELECT COUNT(*) FROM orders WHERE run = ?1 AND state NOT IN ('FILLED', 'CANCELED',"
                                  " 'REJECTED', 'EXPIRED')", run);
    /* the fills the run's ledger booked (its report's), apart from those a reconciliation
       stored without booking them (an earlier run's orders): those are in no figure here.
       A journal without fills.booked (an earlier quoter's) books them all. */
    int with_booked = has(h->db, "SELECT booked FROM fills LIMIT 0");
    const char *booked = with_booked ? " AND booked IS NOT NULL" : "";
    int64_t jfills = one_int(h->db, with_booked ? "SELECT COUNT(*) FROM fills WHERE run = ?1 AND booked IS NOT NULL"
                                                : "SELECT COUNT(*) FROM fills WHERE run = ?1", run);
    int64_t unbooked = with_booked ? one_int(h->db, "SELECT COUNT(*) FROM fills WHERE run = ?1 AND booked IS NULL", run) : 0;
    if (json) {
        fprintf(f, ",\"run\":{\"id\":%lld,\"prefix\":", (long long)run);
        log_json_fputs(f, prefix);
        fprintf(f, ",\"started_ns\":%lld,\"ended_ns\":", (long long)started);
        if (ended_null) fprintf(f, "null,\"exit_status\":null");
        else fprintf(f, "%lld,\"exit_status\":%lld", (long long)ended, (long long)status);
        fprintf(f, ",\"orders_filled\":%lld,\"orders_expired\":%lld,\"orders_not_done\":%lld,\"journal_fills\":%lld,"
                   "\"unbooked_fills\":%lld,\"fees_by_asset\":{",
                (long long)filled, (long long)expired, (long long)open, (long long)jfills, (long long)unbooked);
    } else {
        fprintf(f, "run               %lld: %s, client ids %s...\n", (long long)run, symbol, prefix);
        if (ended_null) fprintf(f, "duration          not ended (running, or the process died: a later run reconciles it)\n");
        else fprintf(f, "duration          %.1f s, exit status %lld\n", (double)(ended - started) / 1e9, (long long)status);
        fprintf(f, "orders            %lld filled, %lld expired, %lld not done (as the journal knows them)\n",
                (long long)filled, (long long)expired, (long long)open);
        fprintf(f, "journal fills     %lld booked by the ledger", (long long)jfills);
        if (unbooked) fprintf(f, "; %lld more not booked (an earlier run's orders reconciled: in no figure)", (long long)unbooked);
        fprintf(f, "\n");
        /* the figures are the run's last journaled state's (a mark every report sample): fills
           booked after it (a process killed before its next mark) are counted here, not there */
        if (!h->legacy && jfills > h->replayed)
            fprintf(f, "after its state   %lld of those fills came after the run's last journaled state (%.1f s into the "
                       "run), so the figures above leave them out\n",
                    (long long)(jfills - h->replayed), (double)(h->state_ns - started) / 1e9);
        fprintf(f, "fees by asset    ");
    }
    int k = 0;
    char qfees[200];
    snprintf(qfees, sizeof qfees, "SELECT fee_asset, SUM(CAST(fee AS REAL)) FROM fills WHERE run = ?1%s GROUP BY"
                                  " fee_asset ORDER BY fee_asset", booked);
    if (sqlite3_prepare_v2(h->db, qfees, -1, &s, 0) != SQLITE_OK) goto fail;
    sqlite3_bind_int64(s, 1, run);
    for (; sqlite3_step(s) == SQLITE_ROW; k++) {
        if (json) {
            fprintf(f, "%s", k ? "," : "");
            log_json_fputs(f, col_text(s, 0));
            fprintf(f, ":%.8f", sqlite3_column_double(s, 1));
        } else {
            fprintf(f, " %.8f %s", sqlite3_column_double(s, 1), *col_text(s, 0) ? col_text(s, 0) : "?");
        }
    }
    sqlite3_finalize(s);
    s = 0;
    if (json) fprintf(f, "},\"latency\":{");
    else fprintf(f, "%s\n", k ? "" : " none");
    if (sqlite3_prepare_v2(h->db, "SELECT kind, COUNT(*), AVG(answered - sent), MIN(answered - sent),"
                                  " MAX(answered - sent) FROM latency WHERE run = ?1 GROUP BY kind ORDER BY kind",
                           -1, &s, 0) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(s, 1, run);
    for (k = 0; sqlite3_step(s) == SQLITE_ROW; k++) {
        double avg = sqlite3_column_double(s, 2) / 1e6, mn = sqlite3_column_double(s, 3) / 1e6,
               mx = sqlite3_column_double(s, 4) / 1e6;
        if (json) {
            fprintf(f, "%s", k ? "," : "");
            log_json_fputs(f, col_text(s, 0));
            fprintf(f, ":{\"count\":%lld,\"mean_ms\":%.3f,\"min_ms\":%.3f,\"max_ms\":%.3f}",
                    (long long)sqlite3_column_int64(s, 1), avg, mn, mx);
        } else {
            fprintf(f, "round trip %-6s %lld: mean %.3f ms, min %.3f, max %.3f\n", col_text(s, 0),
                    (long long)sqlite3_column_int64(s, 1), avg, mn, mx);
        }
    }
    sqlite3_finalize(s);
    if (json) fprintf(f, "}}");
    return fclose(f) ? 1 : 0;
fail:
    sqlite3_finalize(s);
    fclose(f);
    return sql_fail(h);
}

static int latency_csv(hist_t *h, const char *csv) {
    FILE *o = fopen(csv, "w");
    sqlite3_stmt *s = 0;
    if (!o) {
        cli_fail("history: cannot write %s", csv);
        return 1;
    }
    fprintf(o, "kind,sent_ns,answered_ns,rtt_ns\n");
    if (sqlite3_prepare_v2(h->db, "SELECT kind, sent, answered FROM latency WHERE run = ?1 ORDER BY sent", -1, &s,
                           0) != SQLITE_OK) {
        fclose(o);
        return sql_fail(h);
    }
    sqlite3_bind_int64(s, 1, h->run);
    while (sqlite3_step(s) == SQLITE_ROW) {
        long long a = sqlite3_column_int64(s, 1), b = sqlite3_column_int64(s, 2);
        fprintf(o, "%s,%lld,%lld,%lld\n", col_text(s, 0), a, b, b - a);
    }
    sqlite3_finalize(s);
    if (fclose(o)) {
        cli_fail("history: cannot write %s", csv);
        return 1;
    }
    return 0;
}

int cmd_history(int argc, char **argv) {
    const char *path = "quoter.db", *csv = 0, *out_dir = 0;
    int json = 0;
    int64_t run = 0;
    for (int i = 1; i < argc; i++) { /* argv[0]: "history" */
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(a, "--db") && i + 1 < argc) {
            path = argv[++i];
        } else if (!strcmp(a, "--latency-csv") && i + 1 < argc) {
            csv = argv[++i];
        } else if (!strcmp(a, "--out") && i + 1 < argc) {
            out_dir = argv[++i];
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (a[0] != '-' && !run) {
            if ((run = run_arg(a)) <= 0) {
                cli_fail("history: RUN is a run id, a positive integer: not '%s' (try --help)", a);
                return 2;
            }
        } else {
            cli_fail("history: unknown or incomplete option %s (try --help)", a);
            return 2;
        }
    }
    static hist_t hh;
    hist_t *h = &hh;
    memset(h, 0, sizeof *h);
    h->path = path;
    if (sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READONLY, 0) != SQLITE_OK) {
        cli_fail("history: %s: %s", path, h->db ? sqlite3_errmsg(h->db) : "cannot open");
        sqlite3_close(h->db);
        return 1;
    }
    sqlite3_busy_timeout(h->db, 2000);
    /* one read transaction: a consistent snapshot of a journal a running run is writing (WAL) */
    sqlite3_exec(h->db, "BEGIN", 0, 0, 0);
    int rc = 1;
    sqlite3_stmt *s = 0;
    char *extra = 0, *conf = 0;
    if (!run) run = one_int(h->db, "SELECT COALESCE(MAX(id), 0) FROM runs WHERE ?1 = ?1", 0);
    h->run = run;
    if (run <= 0 || sqlite3_prepare_v2(h->db, "SELECT started, ended, exit_status, symbol, prefix, config FROM runs"
                                              " WHERE id = ?1", -1, &s, 0) != SQLITE_OK) {
        cli_fail("history: %s: %s", path, run == 0 ? "no run in the journal" : sqlite3_errmsg(h->db));
        goto out;
    }
    sqlite3_bind_int64(s, 1, run);
    if (sqlite3_step(s) != SQLITE_ROW) {
        cli_fail("history: %s: no run %lld", path, (long long)run);
        goto out;
    }
    int64_t started = sqlite3_column_int64(s, 0);
    int ended_null = sqlite3_column_type(s, 1) == SQLITE_NULL;
    int64_t ended = sqlite3_column_int64(s, 1), status = sqlite3_column_int64(s, 2);
    char symbol[32], prefix[32];
    snprintf(symbol, sizeof symbol, "%s", col_text(s, 3));
    snprintf(prefix, sizeof prefix, "%s", col_text(s, 4));
    conf = strdup(col_text(s, 5));
    sqlite3_finalize(s);
    s = 0;
    h->legacy = !has(h->db, "SELECT time, report FROM marks LIMIT 0") || !has(h->db, "SELECT booked FROM fills LIMIT 0");
    if (!h->legacy) {
        if (sqlite3_prepare_v2(h->db, "SELECT time, report FROM marks WHERE run = ?1 AND report IS NOT NULL ORDER BY"
                                      " time DESC, rowid DESC LIMIT 1", -1, &s, 0) != SQLITE_OK)
            goto sqlerr;
        sqlite3_bind_int64(s, 1, run);
        if (sqlite3_step(s) == SQLITE_ROW) {
            h->state_ns = sqlite3_column_int64(s, 0);
            h->state = cJSON_Parse(col_text(s, 1));
            state_text = h->state ? strdup(col_text(s, 1)) : 0;
        }
        sqlite3_finalize(s);
        s = 0;
    }
    if (!h->state)
        fprintf(stderr, "quoter history: run %lld has no journaled report state (%s): the report has its orders and"
                        " fills (the ledger from its first balances, costed at its first fill's price), not its span,"
                        " equity or quoting figures\n", (long long)run,
                h->legacy ? "a journal written by an earlier quoter" : "it stopped before its first mid price");
    if (setup_engine(h, conf ? conf : "")) goto out;
    char err[512];
    if (report_open(&h->rep, h->eng, out_dir, h->cfg.equity_interval_s, err, sizeof err)) {
        cli_fail("history: --out %s", err);
        goto out;
    }
    h->rep.title = "run";
    h->rep.fills_replayed = 1; /* the markouts are the run's (load_state), not of fills told again */
    load_state(h);
    if (load_orders(h) || replay(h)) goto out;
    /* orders.csv: each order as the journal last knew it */
    qsort(h->orders, (size_t)h->norders, sizeof *h->orders, by_done);
    for (int i = 0; i < h->norders; i++) report_on_done(&h->rep, &h->orders[i]);
    report_close(&h->rep);
    if (h->state && h->replayed != jint(h->state, "ledger_fills"))
        fprintf(stderr, "quoter history: %lld fills replayed, the run's ledger had booked %lld: the figures differ by"
                        " the missing ones\n", (long long)h->replayed, (long long)jint(h->state, "ledger_fills"));
    if (run_extras(h, json, started, ended_null, ended, status, symbol, prefix, &extra)) goto out;
    if (json) {
        report_print_json_extra(&h->rep, stdout, extra);
    } else {
        report_print_text(&h->rep, stdout, 0, 0);
        fputs(extra, stdout);
    }
    if (out_dir) {
        if (report_chart(out_dir, symbol))
            fprintf(stderr, "quoter: chart.png not written (is gnuplot installed? see %s/chart.log)\n", out_dir);
        else if (!json)
            printf("files             %s/{orders,fills,equity}.csv, %s/chart.png\n", out_dir, out_dir);
    }
    if (csv && latency_csv(h, csv)) goto out;
    rc = 0;
    goto out;
sqlerr:
    sql_fail(h);
out:
    sqlite3_finalize(s);
    sqlite3_exec(h->db, "COMMIT", 0, 0, 0);
    sqlite3_close(h->db);
    report_close(&h->rep);
    if (h->eng) engine_free(h->eng);
    free(h->eng);
    free(h->orders);
    free(h->kill_reason);
    free(extra);
    free(conf);
    cJSON_Delete(h->state);
    free((char *)state_text);
    state_text = 0;
    return rc;
}
