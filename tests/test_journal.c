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

#include "core/err.h"
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
    return 0;
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
    journal_flush(j, 7 * S);
    assert_int_equal(count("SELECT COUNT(*) FROM fills"), 2);
    assert_int_equal(count("SELECT COUNT(*) FROM fills WHERE trade_id = 42"), 1);
    assert_int_equal(count("SELECT COUNT(*) FROM fills WHERE trade_id = 42 AND price = '60000.00' AND fee = '0.06'"
                           " AND fee_asset = 'USDT' AND maker = 1"),
                     1);
    assert_int_equal(journal_stats(j)->fills, 2);
    assert_int_equal(journal_stats(j)->duplicate_fills, 1);
    journal_close(j);
}

/* the venue looks for the intent from another connection when it is called */
typedef struct probe {
    venue_t base;
    int places, seen;
} probe_t;
static int probe_place(venue_t *v, const order_t *o, int64_t now) {
    (void)now;
    probe_t *p = (probe_t *)v;
    char q[200];
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM orders WHERE cid = '%s' AND state = 'PENDING_NEW'", o->cid);
    p->places++;
    p->seen += count(q) == 1;
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
    oms_update(&oms, &q, 2 * S);
    assert_int_equal(pv.places, 2);
    assert_int_equal(pv.seen, 2); /* committed before the venue call */
    assert_int_equal(journal_stats(j)->intents, 2);
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
    journal_flush(j, 3 * S);
    assert_int_equal(count("SELECT COUNT(*) FROM orders WHERE cid = 'qb-1' AND state = 'NEW' AND venue_id = 77"
                           " AND price = '59990.00' AND qty = '0.00100000'"),
                     1);
    assert_int_equal(count("SELECT answered - sent FROM latency WHERE cid = 'qb-1' AND kind = 'place'"), 3000000);
    /* a cancel is a local state change: the sweep writes it */
    oms_update(&oms, 0, 4 * S);
    journal_flush(j, 4 * S);
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
    journal_flush(j, 13 * S);
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
    /* a fourth run finds nothing left to reconcile */
    j = open_j();
    assert_true(journal_run_begin(j, 20 * S, 0, &rules, "qd-", 0) > 0);
    assert_int_equal(journal_earlier_open(j), 0);
    journal_close(j);
    oms_free(&oms);
    char p[300];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fill_stored_once),
        cmocka_unit_test(intent_before_send),
        cmocka_unit_test(reopen_and_runs),
    };
    return cmocka_run_group_tests(tests, setup, 0);
}
