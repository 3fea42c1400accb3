/* test_journal.c: the live run's SQLite journal (src/live/journal.c): a fill told twice is
 * stored once; a new order's intent is committed (visible to another connection) before
 * the venue is called; the journal survives a close and reopen (a later run finds the
 * earlier run's orders not known to be done); the runs table; an earlier order the
 * exchange never heard of is reconciled to REJECTED. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backtest/report.h"
#include "config/config.h"
#include "core/err.h"
#include "engine/engine.h"
#include "live/journal.h"
#include "oms/oms.h"
#include "testutil.h"

#define S 1000000000LL

static symbol_rules_t rules;
static char path[256];

/* a second connection, as another process would see the file */
static int64_t count(const char *q) {
    sqlite3 *db;
    sqlite3_stmt *s;
    int64_t n = -1;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, 0), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, q, -1, &s, 0), SQLITE_OK);
    if (sqlite3_step(s) == SQLITE_ROW) n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

static int setup(void **st) {
    (void)st;
    tu_btcusdt(&rules);
    strcpy(rules.base, "BTC");
    strcpy(rules.quote, "USDT");
    snprintf(path, sizeof path, "/tmp/test_journal_%d.db", (int)getpid());
    char p[300];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-intents", path);
    unlink(p);
    return 0;
}

/* a loop step's end, and the writer's commit of what it was handed */
static void flush(journal_t *j, int64_t t) {
    journal_flush(j, t);
    journal_sync(j);
}

/* the intent log's text ("" when empty) */
static const char *intent_log(void) {
    static char b[4096];
    char p[300];
    snprintf(p, sizeof p, "%s-intents", path);
    FILE *f = fopen(p, "r");
    size_t n = f ? fread(b, 1, sizeof b - 1, f) : 0;
    b[n] = 0;
    if (f) fclose(f);
    return b;
}

static journal_t *open_j(void) {
    journal_t *j = 0;
    char err[256];
    assert_int_equal(journal_open(&j, path, err, sizeof err), 0);
    return j;
}

static venue_event_t fill_ev(int64_t trade_id, const char *cid) {
    venue_event_t e;
    memset(&e, 0, sizeof e);
    e.type = VEV_FILL;
    snprintf(e.cid, sizeof e.cid, "%s", cid);
    e.price = 6000000;   /* 60000.00 */
    e.qty = 100000;      /* 0.00100000 */
    e.trade_id = trade_id;
    e.fee = 6;
    e.fee_scale = 2;
    strcpy(e.fee_asset, "USDT");
    e.maker = 1;
    e.local_ns = 5 * S;
    e.cum_qty = 100000;
    return e;
}

static void fill_stored_once(void **st) {
    (void)st;
    journal_t *j = open_j();
    assert_true(journal_run_begin(j, 1 * S, "conf", &rules, "qa-", 0) > 0);
    venue_event_t e = fill_ev(42, "qa-1");
    assert_int_equal(journal_fill(j, &e), 0);
    e.local_ns = 6 * S; /* the same trade, told again (a replay after a reconnect) */
    assert_int_equal(journal_fill(j, &e), 0);
    venue_event_t e2 = fill_ev(43, "qa-1");
    assert_int_equal(journal_fill(j, &e2), 0);
    flush(j, 7 * S);
    assert_int_equal(count("SELECT COUNT(*) FROM fills"), 2);
    assert_int_equal(count("SELECT COUNT(*) FROM fills WHERE trade_id = 42"), 1);
    assert_int_equal(count("SELECT COUNT(*) FROM fills WHERE trade_id = 42 AND price = '60000.00' AND fee = '0.06'"
                           " AND fee_asset = 'USDT' AND maker = 1"),
                     1);
    assert_int_equal(journal_stats(j)->fills, 2);
    assert_int_equal(journal_stats(j)->duplicate_fills, 1);
    journal_close(j);
}

/* a venue that only counts what it is asked to place (the live venue only queues then: the
   intent must be on disk when journal_commit, net_t.before_write, has run, before the
   request's bytes leave) */
typedef struct probe {
    venue_t base;
    int places;
} probe_t;
static int probe_place(venue_t *v, const order_t *o, int64_t now) {
    (void)now;
    (void)o;
    ((probe_t *)v)->places++;
    return 0;
}
static int probe_query(venue_t *v, const order_t *o, int64_t now) {
    (void)v;
    (void)o;
    (void)now;
    return 0;
}
static int probe_cancel(venue_t *v, const order_t *o, int64_t now) { return probe_query(v, o, now); }
static int probe_all(venue_t *v, int64_t now) { (void)v; (void)now; return 0; }
static const venue_vt_t probe_vt = {"probe", probe_place, probe_cancel, 0, probe_query, probe_all, probe_all};

static oms_t oms;

static void run_oms(journal_t *j, probe_t *pv, const char *prefix) {
    memset(pv, 0, sizeof *pv);
    pv->base.vt = &probe_vt;
    oms_config_t c;
    oms_config_default(&c);
    c.prefix = prefix;
    oms_free(&oms);
    memset(&oms, 0, sizeof oms);
    assert_int_equal(oms_init(&oms, &pv->base, &rules, &c), 0);
    ledger_init(&oms.ledger, &rules, 100000000, (__int128)100000 * 10000000000LL);
    ledger_start(&oms.ledger, 60000);
    oms.hooks = (oms_hooks_t){j, 0, journal_hook_done};
    oms.send_hook = (oms_send_hook_t){j, journal_hook_send};
}

static void intent_before_send(void **st) {
    (void)st;
    journal_t *j = open_j();
    probe_t pv;
    run_oms(j, &pv, "qb-");
    assert_true(journal_run_begin(j, 1 * S, "conf", &rules, "qb-", &oms) > 0);
    quote_set_t q;
    memset(&q, 0, sizeof q);
    q.nbids = q.nasks = 1;
    q.bids[0] = (quote_t){5999000, 100000};
    q.asks[0] = (quote_t){6001000, 100000};
    int64_t writes = journal_stats(j)->intent_writes;
    oms_update(&oms, &q, 2 * S);
    assert_int_equal(pv.places, 2);
    /* the rows went to the writer (which may have them already); the intents wait for one
       write for the decision's two orders ... */
    assert_string_equal(intent_log(), "");
    journal_commit(j);                 /* ... before any byte is written (net_t.before_write) */
    assert_non_null(strstr(intent_log(), "\tqb-1\tBUY\tLIMIT_MAKER\t59990.00\t0.00100000\t2000000000\n"));
    assert_non_null(strstr(intent_log(), "\tqb-2\tSELL\tLIMIT_MAKER\t60010.00\t0.00100000\t2000000000\n"));
    assert_int_equal(journal_stats(j)->intent_writes, writes + 1);
    journal_commit(j); /* nothing formatted since: no write */
    assert_int_equal(journal_stats(j)->intent_writes, writes + 1);
    assert_int_equal(journal_stats(j)->intents, 2);
    /* the writer has their rows by now (journal_stats waits for it) */
    assert_int_equal(count("SELECT COUNT(*) FROM orders WHERE cid IN ('qb-1', 'qb-2') AND state = 'PENDING_NEW'"), 2);
    /* an ACK through the journal's pre/post: the row follows the order, a round trip is kept */
    venue_event_t e;
    memset(&e, 0, sizeof e);
    e.type = VEV_ACK;
    strcpy(e.cid, "qb-1");
    e.status = VST_NEW;
    e.order_id = 77;
    e.local_ns = 2 * S + 3000000;
    journal_mark_t mk;
    assert_int_equal(journal_pre(j, &e, &mk), 0);
    oms_on_venue(&oms, &e);
    journal_post(j, &e, &mk);
    flush(j, 3 * S);
    assert_int_equal(count("SELECT COUNT(*) FROM orders WHERE cid = 'qb-1' AND state = 'NEW' AND venue_id = 77"
                           " AND price = '59990.00' AND qty = '0.00100000'"),
                     1);
    assert_int_equal(count("SELECT answered - sent FROM latency WHERE cid = 'qb-1' AND kind = 'place'"), 3000000);
    /* a cancel is a local state change: the sweep writes it */
    oms_update(&oms, 0, 4 * S);
    flush(j, 4 * S);
    assert_int_equal(count("SELECT COUNT(*) FROM orders WHERE cid = 'qb-1' AND state = 'PENDING_CANCEL'"), 1);
    journal_run_end(j, 5 * S, 0);
    journal_close(j);
}

static void reopen_and_runs(void **st) {
    (void)st;
    journal_t *j = open_j();
    probe_t pv;
    run_oms(j, &pv, "qc-");
    int64_t run = journal_run_begin(j, 10 * S, "conf", &rules, "qc-", &oms);
    assert_true(run > 0);
    /* the earlier runs' orders not terminal: qb-1 (PENDING_CANCEL), qb-2 (PENDING_NEW) */
    assert_int_equal(journal_earlier_open(j), 2);
    /* the sync lists neither: the journal asks about them; one the exchange never heard of */
    venue_event_t e;
    memset(&e, 0, sizeof e);
    e.type = VEV_SYNC_DONE;
    e.local_ns = 11 * S;
    journal_mark_t mk;
    assert_int_equal(journal_pre(j, &e, &mk), 0);
    oms_on_venue(&oms, &e);
    journal_post(j, &e, &mk);
    memset(&e, 0, sizeof e);
    e.type = VEV_STATUS;
    strcpy(e.cid, "qb-2");
    e.code = VENUE_CODE_NO_SUCH_ORDER;
    e.local_ns = 12 * S;
    assert_int_equal(journal_pre(j, &e, &mk), 1); /* the journal's: the oms never sees it */
    memset(&e, 0, sizeof e);
    e.type = VEV_STATUS;
    strcpy(e.cid, "qb-1");
    e.status = VST_CANCELED;
    e.cum_qty = 0;
    e.local_ns = 12 * S;
    assert_int_equal(journal_pre(j, &e, &mk), 1);
    flush(j, 13 * S);
    assert_int_equal(count("SELECT COUNT(*) FROM orders WHERE cid = 'qb-2' AND state = 'REJECTED' AND reason LIKE"
                           " 'not found%'"),
                     1);
    assert_int_equal(count("SELECT COUNT(*) FROM orders WHERE cid = 'qb-1' AND state = 'CANCELED'"), 1);
    assert_int_equal(journal_stats(j)->reconciled, 2);
    journal_run_end(j, 14 * S, 3);
    journal_close(j);
    /* the runs table: three runs, in order, each with its end */
    assert_int_equal(count("SELECT COUNT(*) FROM runs"), 3);
    assert_int_equal(count("SELECT id FROM runs WHERE prefix = 'qc-'"), run);
    assert_int_equal(count("SELECT exit_status FROM runs WHERE prefix = 'qc-'"), 3);
    assert_int_equal(count("SELECT COUNT(*) FROM runs WHERE prefix = 'qa-' AND ended IS NULL"), 1);
    assert_int_equal(count("SELECT COUNT(*) FROM runs WHERE symbol = 'BTCUSDT' AND config = 'conf'"), 3);
    assert_int_equal(count("SELECT COUNT(*) FROM fills"), 2); /* still there after the reopen */
    assert_string_equal(intent_log(), ""); /* every intent committed: the log is empty */
    /* a run that died between its intent's write and its row's commit left the intent in the
       log only (and a line cut short, which a power loss could leave): the next run puts the
       order in the journal, and reconciles it */
    char ip[300], line[300];
    snprintf(ip, sizeof ip, "%s-intents", path);
    FILE *f = fopen(ip, "a");
    assert_non_null(f);
    snprintf(line, sizeof line, "%lldx\tqc-11\tBUY\tLIMIT_MAKER\t59990.00\t0.00100000\t123\n" /* a number by its prefix */
             "%lld\tqc-9\tSELL\tLIMIT_MAKER\t60010.00\t0.00100000\t123\n%lld\tqc-10\tBU",
             (long long)run, (long long)run, (long long)run);
    fputs(line, f);
    fclose(f);
    j = open_j();
    assert_true(journal_run_begin(j, 20 * S, 0, &rules, "qd-", 0) > 0);
    assert_int_equal(journal_earlier_open(j), 1);
    assert_string_equal(intent_log(), "");
    journal_close(j);
    snprintf(line, sizeof line, "SELECT COUNT(*) FROM orders WHERE cid = 'qc-9' AND run = %lld AND state ="
                                " 'PENDING_NEW' AND side = 'SELL' AND price = '60010.00' AND sent = 123", (long long)run);
    assert_int_equal(count(line), 1);
    assert_int_equal(count("SELECT COUNT(*) FROM orders WHERE cid = 'qc-10'"), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM orders WHERE cid = 'qc-11'"), 0); /* unreadable: left out */
    /* a fifth run finds nothing left to reconcile but that order */
    j = open_j();
    assert_true(journal_run_begin(j, 21 * S, 0, &rules, "qe-", 0) > 0);
    assert_int_equal(journal_earlier_open(j), 1);
    journal_close(j);
    oms_free(&oms);
    char p[300];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-intents", path);
    unlink(p);
}

/* the rows `quoter history` reads: a journal of an earlier quoter gains the new columns; a
   fill the ledger booked carries its booking time (once, the venue's later repeat is a
   duplicate); an order its level and ack time; a mark every report sample from the first
   mid, with the report's state on the first, every 10 s and the final one */
static void marks_and_booked_fills(void **st) {
    (void)st;
    /* the first schema's fills and orders tables, with a row */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE orders(cid TEXT PRIMARY KEY, run INTEGER, side TEXT, type TEXT,"
                                      " price TEXT, qty TEXT, sent INTEGER, state TEXT, filled TEXT, venue_id INTEGER,"
                                      " done INTEGER, reason TEXT); CREATE TABLE fills(symbol TEXT NOT NULL, trade_id"
                                      " INTEGER NOT NULL, cid TEXT, side TEXT, price TEXT, qty TEXT, fee TEXT, fee_asset"
                                      " TEXT, maker INTEGER, time INTEGER, run INTEGER, UNIQUE(symbol, trade_id));"
                                      " INSERT INTO fills(symbol, trade_id, qty) VALUES('BTCUSDT', 1, '0.1')",
                                  0, 0, 0),
                     SQLITE_OK);
    sqlite3_close(db);
    journal_t *j = open_j();
    assert_int_equal(count("SELECT COUNT(*) FROM fills WHERE booked IS NULL AND qty = '0.1'"), 1);
    journal_close(j);
    j = open_j(); /* and opens again with them */
    /* an engine (the report reads it) whose oms writes to the journal */
    static config_t c;
    static config_exact_t x;
    static engine_t eng;
    char err[256];
    config_defaults(&c);
    assert_int_equal(config_resolve(&c, &x, err, sizeof err), 0);
    probe_t pv;
    memset(&pv, 0, sizeof pv);
    pv.base.vt = &probe_vt;
    assert_int_equal(engine_init(&eng, &c, &x, &pv.base, 1, err, sizeof err), 0);
    assert_true(journal_run_begin(j, 1 * S, "conf", eng.rules, eng.oms.prefix, &eng.oms) > 0);
    eng.oms.hooks = (oms_hooks_t){j, journal_hook_fill, journal_hook_done};
    eng.oms.send_hook = (oms_send_hook_t){j, journal_hook_send};
    report_t r;
    assert_int_equal(report_open(&r, &eng, 0, 1.0, err, sizeof err), 0);
    /* no mid yet: no mark */
    assert_int_equal(journal_tick(j, &r, S + 100, 0), 0);
    md_event_t bbo;
    memset(&bbo, 0, sizeof bbo);
    bbo.type = MD_BBO;
    bbo.local_ns = S + 200;
    bbo.u.bbo = (typeof(bbo.u.bbo)){1, 5999900, 100000, 6000100, 100000}; /* 59999.00 / 60001.00 */
    engine_on_market(&eng, &bbo);
    r.start_mid = 60000;
    r.end_mid = 60000.5;
    r.start_ns = 1234567890123456789LL; /* beyond a double's exact integers */
    r.end_ns = 1234567890123456791LL;
    r.max_drawdown = 1.0 / 3;
    eng.oms.ledger.start_mark = 60000;
    /* an order, its ack and a fill (told twice) through the journal around the oms */
    quote_set_t q;
    memset(&q, 0, sizeof q);
    q.nbids = 2;
    q.bids[0] = (quote_t){5999800, 100000};
    q.bids[1] = (quote_t){5999000, 100000}; /* level 1: the one that fills */
    oms_update(&eng.oms, &q, S + 300);
    assert_int_equal(eng.oms.nlive, 2);
    const order_t *o1 = &eng.oms.orders[eng.oms.live[0]];
    if (o1->price != 5999000) o1 = &eng.oms.orders[eng.oms.live[1]];
    const char *cid = o1->cid;
    venue_event_t e;
    memset(&e, 0, sizeof e);
    e.type = VEV_ACK;
    strcpy(e.cid, cid);
    e.status = VST_NEW;
    e.local_ns = S + 400;
    journal_mark_t mk;
    journal_pre(j, &e, &mk);
    oms_on_venue(&eng.oms, &e);
    journal_post(j, &e, &mk);
    const order_t *o0 = &eng.oms.orders[eng.oms.live[0]] == o1 ? &eng.oms.orders[eng.oms.live[1]]
                                                               : &eng.oms.orders[eng.oms.live[0]];
    strcpy(e.cid, o0->cid); /* the other one acknowledged too: our bid in the marks */
    journal_pre(j, &e, &mk);
    oms_on_venue(&eng.oms, &e);
    journal_post(j, &e, &mk);
    e = fill_ev(99, cid);
    e.price = 5999000;
    e.side = SIDE_BUY;
    e.local_ns = S + 500;
    for (int k = 0; k < 2; k++) {
        journal_pre(j, &e, &mk);
        oms_on_venue(&eng.oms, &e);
        journal_post(j, &e, &mk);
        e.local_ns = S + 600;
    }
    assert_int_equal(eng.oms.ledger.fills, 1);
    assert_int_equal(journal_stats(j)->fills, 1);
    assert_int_equal(journal_stats(j)->duplicate_fills, 1);
    /* marks: the first (with the state), none again in the same second, the next second's
       without the state, the final one with it */
    assert_int_equal(journal_tick(j, &r, S + 700, 0), 0);
    assert_int_equal(journal_tick(j, &r, S + 800, 0), 0);
    assert_int_equal(journal_tick(j, &r, 2 * S + 1, 0), 0);
    assert_int_equal(journal_tick(j, &r, 2 * S + 2, 1), 0);
    flush(j, 3 * S);
    char qs[300];
    snprintf(qs, sizeof qs, "SELECT COUNT(*) FROM fills WHERE trade_id = 99 AND booked = %lld AND cid = '%s' AND"
                            " side = 'BUY' AND price = '59990.00'", S + 500, cid);
    assert_int_equal(count(qs), 1);
    snprintf(qs, sizeof qs, "SELECT COUNT(*) FROM orders WHERE cid = '%s' AND level = 1 AND acked = %lld", cid, S + 400);
    assert_int_equal(count(qs), 1);
    assert_int_equal(count("SELECT COUNT(*) FROM marks"), 3);
    assert_int_equal(count("SELECT COUNT(*) FROM marks WHERE report IS NOT NULL"), 2);
    assert_int_equal(count("SELECT COUNT(*) FROM marks WHERE time = 1000000700 AND mid = 60000 AND bid = '59998.00'"
                           " AND ask IS NULL"), 1); /* the live bid: the other one filled */
    assert_int_equal(count("SELECT json_extract(report, '$.start_ns') - 1234567890123456000 FROM marks WHERE time ="
                           " 2000000002"), 789);
    assert_int_equal(count("SELECT json_extract(report, '$.max_drawdown') * 3 = 1 AND json_extract(report,"
                           " '$.tick') = '0.01' AND json_extract(report, '$.step') = '0.00001' AND"
                           " json_extract(report, '$.ledger_fills') = 1 AND json_extract(report, '$.sent') = 2"
                           " AND json_extract(report, '$.base_start') = 100000000 AND json_extract(report,"
                           " '$.quote_start') = '1000000000000000' AND json_extract(report, '$.start_mark') = 60000"
                           " FROM marks WHERE time = 2000000002"), 1);
    assert_int_equal(journal_stats(j)->marks, 3);
    journal_close(j);
    engine_free(&eng);
    char p[300];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-intents", path);
    unlink(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fill_stored_once),
        cmocka_unit_test(intent_before_send),
        cmocka_unit_test(reopen_and_runs),
        cmocka_unit_test(marks_and_booked_fills),
    };
    return cmocka_run_group_tests(tests, setup, 0);
}
