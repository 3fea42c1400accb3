/* journal.c: the live run's SQLite journal (see journal.h). */
#include "journal.h"

#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"
#include "../core/fixed.h"
#include "../core/log.h"

#define J_RECON_MAX 4096
/* the report's state goes with a mark at most this often (a mark is every report sample:
   a second by default; the state is some 900 bytes) and at the end */
#define J_STATE_EVERY_NS 10000000000LL

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, started INTEGER NOT NULL, config TEXT,"
    " symbol TEXT, prefix TEXT, ended INTEGER, exit_status INTEGER);"
    "CREATE TABLE IF NOT EXISTS orders(cid TEXT PRIMARY KEY, run INTEGER, side TEXT, type TEXT, price TEXT,"
    " qty TEXT, sent INTEGER, state TEXT, filled TEXT, venue_id INTEGER, done INTEGER, reason TEXT);"
    "CREATE INDEX IF NOT EXISTS orders_run ON orders(run);"
    "CREATE TABLE IF NOT EXISTS order_events(cid TEXT, time INTEGER, event TEXT, state TEXT, cum_qty TEXT);"
    "CREATE INDEX IF NOT EXISTS order_events_cid ON order_events(cid);"
    "CREATE TABLE IF NOT EXISTS fills(symbol TEXT NOT NULL, trade_id INTEGER NOT NULL, cid TEXT, side TEXT,"
    " price TEXT, qty TEXT, fee TEXT, fee_asset TEXT, maker INTEGER, time INTEGER, run INTEGER,"
    " UNIQUE(symbol, trade_id));"
    "CREATE TABLE IF NOT EXISTS balances(run INTEGER, time INTEGER, asset TEXT, free TEXT, locked TEXT);"
    "CREATE TABLE IF NOT EXISTS latency(run INTEGER, cid TEXT, kind TEXT, sent INTEGER, answered INTEGER);"
    "CREATE TABLE IF NOT EXISTS marks(run INTEGER, time INTEGER, mid REAL, bid TEXT, ask TEXT, report TEXT);"
    "CREATE INDEX IF NOT EXISTS marks_run ON marks(run, time);";

/* columns added since the first schema: a journal written by an earlier quoter gains them
   (ALTER TABLE; "duplicate column" means it has them already) */
static const char *const added_columns[] = {
    "ALTER TABLE orders ADD COLUMN level INTEGER",  /* the strategy level it served */
    "ALTER TABLE orders ADD COLUMN acked INTEGER",  /* when the venue first said it exists, ns */
    "ALTER TABLE fills ADD COLUMN booked INTEGER",  /* when this run's ledger booked it, ns (NULL: not booked) */
};

enum { S_RUN_BEGIN, S_RUN_END, S_INTENT, S_ORDER, S_EVENT, S_FILL, S_BALANCE, S_LATENCY, S_ORDER_RECON, S_MARK, S_N };
static const char *const sql[S_N] = {
    "INSERT INTO runs(started, config, symbol, prefix) VALUES(?1, ?2, ?3, ?4)",
    "UPDATE runs SET ended = ?2, exit_status = ?3 WHERE id = ?1",
    "INSERT INTO orders(cid, run, side, type, price, qty, sent, state, filled) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7,"
    " 'PENDING_NEW', '0') ON CONFLICT(cid) DO UPDATE SET state = 'PENDING_NEW'",
    /* an order's latest state (an adopted order of an earlier run without a row gets one) */
    "INSERT INTO orders(cid, run, side, type, price, qty, sent, state, filled, venue_id, done, reason, level, acked)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) ON CONFLICT(cid) DO UPDATE SET state = ?8,"
    " filled = ?9, venue_id = COALESCE(?10, venue_id), done = COALESCE(?11, done), reason = COALESCE(?12, reason),"
    " level = ?13, acked = COALESCE(?14, acked)",
    "INSERT INTO order_events(cid, time, event, state, cum_qty) VALUES(?1, ?2, ?3, ?4, ?5)",
    /* stored once per trade; a trade first stored unbooked (a reconciliation's) gets its booking */
    "INSERT INTO fills(symbol, trade_id, cid, side, price, qty, fee, fee_asset, maker, time, run, booked)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT(symbol, trade_id) DO UPDATE SET"
    " booked = excluded.booked, run = excluded.run WHERE excluded.booked IS NOT NULL AND booked IS NULL",
    "INSERT INTO balances(run, time, asset, free, locked) VALUES(?1, ?2, ?3, ?4, ?5)",
    "INSERT INTO latency(run, cid, kind, sent, answered) VALUES(?1, ?2, ?3, ?4, ?5)",
    "UPDATE orders SET state = ?2, filled = COALESCE(?3, filled), venue_id = COALESCE(?4, venue_id),"
    " done = COALESCE(?5, done), reason = COALESCE(?6, reason) WHERE cid = ?1",
    "INSERT INTO marks(run, time, mid, bid, ask, report) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
};

/* an earlier run's order not terminal in the journal */
typedef struct recon {
    char cid[ORDER_CID_MAX + 1];
    order_side_t side;
    int state;        /* 0 waiting for the sync, 1 asked, 2 answered (terminal or canceling), 3 the oms's */
    int64_t next_ns;  /* when to ask again */
} recon_t;

/* what the journal last wrote of an oms order (by pool slot) */
typedef struct shadow {
    uint64_t id;
    order_state_t state;
    int64_t filled;
    uint64_t venue_id;
} shadow_t;

struct journal {
    sqlite3 *db;
    sqlite3_stmt *st[S_N];
    int64_t run;
    const symbol_rules_t *rules;
    oms_t *oms;
    int in_tx;
    int dirty;             /* rows written since the last commit */
    /* the checkpointer: a thread with its own connection copies the WAL into the database
       every second (PASSIVE: it never blocks the writer), so that the trading thread's
       commits never carry a checkpoint and its fsync (automatic checkpoints are off) */
    pthread_t ckpt;
    int ckpt_on, ckpt_stop;
    pthread_mutex_t ckpt_mu;
    pthread_cond_t ckpt_cv;
    char *path;
    int synced;            /* the first sync is done: the reconciliation has begun */
    recon_t *recon;
    int nrecon;
    shadow_t shadow[OMS_POOL];
    int64_t hooked_trade;  /* the trade the fill hook just stored (journal_post does not store it again) */
    int64_t next_mark_ns, next_state_ns;
    journal_stats_t stats;
    char err[256];
};

static void note_err(journal_t *j) {
    j->stats.errors++;
    snprintf(j->err, sizeof j->err, "%s", sqlite3_errmsg(j->db));
}

static int exec(journal_t *j, const char *s) {
    if (sqlite3_exec(j->db, s, 0, 0, 0) != SQLITE_OK) {
        note_err(j);
        return Q_E_IO;
    }
    return 0;
}

static void tx_begin(journal_t *j) {
    if (!j->in_tx && !exec(j, "BEGIN")) j->in_tx = 1;
}
static int tx_commit(journal_t *j) {
    if (!j->in_tx) return 0;
    j->in_tx = 0;
    j->dirty = 0;
    if (exec(j, "COMMIT")) {
        exec(j, "ROLLBACK");
        return Q_E_IO;
    }
    j->stats.commits++;
    return 0;
}

/* runs a prepared statement once; its bindings are cleared after */
static int step(journal_t *j, int k) {
    sqlite3_stmt *s = j->st[k];
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    j->dirty = 1;
    if (rc != SQLITE_DONE) {
        note_err(j);
        return Q_E_IO;
    }
    return 0;
}

static void bind_text(sqlite3_stmt *s, int i, const char *t) {
    if (t) sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(s, i);
}
static void bind_i64(sqlite3_stmt *s, int i, int64_t v, int null_when_zero) {
    if (null_when_zero && !v) sqlite3_bind_null(s, i);
    else sqlite3_bind_int64(s, i, v);
}

/* exact decimals */
static const char *fmt_px(journal_t *j, int64_t v, char *b, size_t cap) {
    if (fx_format(v, &j->rules->tick, 0, b, cap) < 0) snprintf(b, cap, "%lld ticks", (long long)v);
    return b;
}
static const char *fmt_qty(journal_t *j, int64_t v, char *b, size_t cap) {
    if (fx_format(v, &j->rules->lot, 0, b, cap) < 0) snprintf(b, cap, "%lld lots", (long long)v);
    return b;
}
/* v * 10^-scale */
static const char *fmt_scaled(__int128 v, int scale, char *b, size_t cap) {
    char digits[48];
    int neg = v < 0, n = 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-v) : (unsigned __int128)v;
    do {
        digits[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u && n < 45);
    while (n <= scale && n < 45) digits[n++] = '0';
    size_t k = 0;
    if (neg && k + 1 < cap) b[k++] = '-';
    for (int i = n - 1; i >= 0 && k + 2 < cap; i--) {
        b[k++] = digits[i];
        if (i == scale && scale > 0) b[k++] = '.';
    }
    b[k] = 0;
    return b;
}

static const char *side_name(order_side_t s) { return s == SIDE_BUY ? "BUY" : "SELL"; }

static void *checkpointer(void *arg) {
    journal_t *j = arg;
    sqlite3 *c = 0;
    if (sqlite3_open_v2(j->path, &c, SQLITE_OPEN_READWRITE, 0) != SQLITE_OK) {
        sqlite3_close(c);
        return 0;
    }
    pthread_mutex_lock(&j->ckpt_mu);
    while (!j->ckpt_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&j->ckpt_cv, &j->ckpt_mu, &ts);
        if (j->ckpt_stop) break;
        pthread_mutex_unlock(&j->ckpt_mu);
        sqlite3_wal_checkpoint_v2(c, 0, SQLITE_CHECKPOINT_PASSIVE, 0, 0);
        pthread_mutex_lock(&j->ckpt_mu);
    }
    pthread_mutex_unlock(&j->ckpt_mu);
    sqlite3_close(c);
    return 0;
}

int journal_open(journal_t **out, const char *path, char *err, int errcap) {
    *out = 0;
    journal_t *j = calloc(1, sizeof *j);
    if (!j) return Q_E_NOMEM;
    if (sqlite3_open_v2(path, &j->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0) != SQLITE_OK) {
        snprintf(err, (size_t)errcap, "%s: %s", path, j->db ? sqlite3_errmsg(j->db) : "cannot open");
        sqlite3_close(j->db);
        free(j);
        return Q_E_IO;
    }
    sqlite3_busy_timeout(j->db, 2000);
    /* a small page cache (256 KB): the journal appends rows, and the run's memory stays flat */
    if (exec(j, "PRAGMA journal_mode=WAL") || exec(j, "PRAGMA synchronous=NORMAL") ||
        exec(j, "PRAGMA wal_autocheckpoint=0") || exec(j, "PRAGMA cache_size=-256") || exec(j, schema))
        goto fail;
    for (size_t k = 0; k < sizeof added_columns / sizeof added_columns[0]; k++) {
        char *msg = 0;
        int rc = sqlite3_exec(j->db, added_columns[k], 0, 0, &msg);
        int dup = msg && strstr(msg, "duplicate column");
        if (rc != SQLITE_OK && !dup) snprintf(j->err, sizeof j->err, "%s", msg ? msg : "ALTER TABLE failed");
        sqlite3_free(msg);
        if (rc != SQLITE_OK && !dup) goto fail;
    }
    for (int k = 0; k < S_N; k++)
        if (sqlite3_prepare_v2(j->db, sql[k], -1, &j->st[k], 0) != SQLITE_OK) {
            note_err(j);
            goto fail;
        }
    pthread_mutex_init(&j->ckpt_mu, 0);
    pthread_cond_init(&j->ckpt_cv, 0);
    j->path = strdup(path);
    j->ckpt_on = j->path && !pthread_create(&j->ckpt, 0, checkpointer, j);
    if (!j->ckpt_on) exec(j, "PRAGMA wal_autocheckpoint=1000"); /* no thread: SQLite's own, in commits */
    *out = j;
    return 0;
fail:
    snprintf(err, (size_t)errcap, "%s: %s", path, j->err);
    journal_close(j);
    return Q_E_IO;
}

void journal_close(journal_t *j) {
    if (!j) return;
    tx_commit(j);
    if (j->ckpt_on) {
        pthread_mutex_lock(&j->ckpt_mu);
        j->ckpt_stop = 1;
        pthread_cond_signal(&j->ckpt_cv);
        pthread_mutex_unlock(&j->ckpt_mu);
        pthread_join(j->ckpt, 0);
        pthread_mutex_destroy(&j->ckpt_mu);
        pthread_cond_destroy(&j->ckpt_cv);
    }
    free(j->path);
    for (int k = 0; k < S_N; k++) sqlite3_finalize(j->st[k]);
    sqlite3_close(j->db);
    free(j->recon);
    free(j);
}

const journal_stats_t *journal_stats(const journal_t *j) { return &j->stats; }
const char *journal_error(const journal_t *j) { return j->err; }
int journal_earlier_open(const journal_t *j) { return j->nrecon; }

int64_t journal_run_begin(journal_t *j, int64_t started_ns, const char *config_text, const symbol_rules_t *rules,
                          const char *prefix, oms_t *oms) {
    j->rules = rules;
    j->oms = oms;
    tx_commit(j);
    sqlite3_stmt *s = j->st[S_RUN_BEGIN];
    sqlite3_bind_int64(s, 1, started_ns);
    bind_text(s, 2, config_text);
    bind_text(s, 3, rules->symbol);
    bind_text(s, 4, prefix);
    if (step(j, S_RUN_BEGIN)) return Q_E_IO;
    j->run = sqlite3_last_insert_rowid(j->db);
    /* the earlier runs' orders of this symbol that the journal does not know the end of */
    sqlite3_stmt *q = 0;
    if (sqlite3_prepare_v2(j->db,
                           "SELECT o.cid, o.side FROM orders o JOIN runs r ON r.id = o.run WHERE o.run < ?1 AND"
                           " r.symbol = ?2 AND o.state NOT IN ('FILLED', 'CANCELED', 'REJECTED', 'EXPIRED')",
                           -1, &q, 0) != SQLITE_OK) {
        note_err(j);
        return Q_E_IO;
    }
    sqlite3_bind_int64(q, 1, j->run);
    bind_text(q, 2, rules->symbol);
    j->recon = calloc(J_RECON_MAX, sizeof *j->recon);
    while (j->recon && j->nrecon < J_RECON_MAX && sqlite3_step(q) == SQLITE_ROW) {
        recon_t *r = &j->recon[j->nrecon];
        const char *cid = (const char *)sqlite3_column_text(q, 0), *side = (const char *)sqlite3_column_text(q, 1);
        if (!cid || strlen(cid) > ORDER_CID_MAX) continue;
        strcpy(r->cid, cid);
        r->side = side && !strcmp(side, "SELL") ? SIDE_SELL : SIDE_BUY;
        j->nrecon++;
    }
    sqlite3_finalize(q);
    tx_begin(j);
    return j->run;
}

void journal_run_end(journal_t *j, int64_t ended_ns, int exit_status) {
    sqlite3_stmt *s = j->st[S_RUN_END];
    sqlite3_bind_int64(s, 1, j->run);
    sqlite3_bind_int64(s, 2, ended_ns);
    sqlite3_bind_int(s, 3, exit_status);
    tx_begin(j);
    step(j, S_RUN_END);
    tx_commit(j);
}

/* ---- orders ------------------------------------------------------------------------------- */

/* the columns an order's row and its intent share: cid, run, side, type, price, qty, sent */
static void bind_order_head(journal_t *j, sqlite3_stmt *s, const order_t *o) {
    char px[40], q[40];
    bind_text(s, 1, o->cid);
    sqlite3_bind_int64(s, 2, j->run);
    bind_text(s, 3, side_name(o->side));
    bind_text(s, 4, o->type == OT_LIMIT_MAKER ? "LIMIT_MAKER" : "LIMIT");
    bind_text(s, 5, fmt_px(j, o->price, px, sizeof px));
    bind_text(s, 6, fmt_qty(j, o->qty, q, sizeof q));
    sqlite3_bind_int64(s, 7, o->sent_ns);
}

/* what was last written of the order in its pool slot (the step-end pass compares) */
static void shadow_note(journal_t *j, const order_t *o) {
    if (!j->oms) return;
    int slot = (int)(o - j->oms->orders);
    if (slot >= 0 && slot < OMS_POOL) j->shadow[slot] = (shadow_t){o->id, o->state, o->filled, o->venue_id};
}

/* the reason is the order's own copy (order.h), so it may be written at any time */
static int write_order(journal_t *j, const order_t *o) {
    sqlite3_stmt *s = j->st[S_ORDER];
    char f[40];
    bind_order_head(j, s, o);
    bind_text(s, 8, order_state_name(o->state));
    bind_text(s, 9, fmt_qty(j, o->filled, f, sizeof f));
    bind_i64(s, 10, (int64_t)o->venue_id, 1);
    bind_i64(s, 11, order_is_terminal(o->state) ? o->done_ns : 0, 1);
    bind_text(s, 12, order_is_terminal(o->state) && o->reason[0] ? o->reason : 0);
    sqlite3_bind_int(s, 13, o->level);
    bind_i64(s, 14, o->acked_ns, 1);
    int rc = step(j, S_ORDER);
    shadow_note(j, o);
    return rc;
}

static int write_event(journal_t *j, const char *cid, int64_t t, const char *event, const char *state,
                       int64_t cum) {
    sqlite3_stmt *s = j->st[S_EVENT];
    char c[40];
    bind_text(s, 1, cid);
    sqlite3_bind_int64(s, 2, t);
    bind_text(s, 3, event);
    bind_text(s, 4, state);
    bind_text(s, 5, cum >= 0 ? fmt_qty(j, cum, c, sizeof c) : 0);
    j->stats.events++;
    return step(j, S_EVENT);
}

int journal_hook_send(void *ctx, const order_t *o, const order_t *old) {
    journal_t *j = ctx;
    (void)old;
    tx_begin(j);
    sqlite3_stmt *s = j->st[S_INTENT];
    bind_order_head(j, s, o);
    int rc = step(j, S_INTENT);
    shadow_note(j, o);
    if (!rc) rc = write_event(j, o->cid, o->sent_ns, old ? "SEND_REPLACE" : "SEND", "PENDING_NEW", -1);
    /* committed by journal_commit before the request's bytes leave (the venue only queues
       it): one commit for every order of a decision, not one each */
    if (!rc) j->stats.intents++;
    return rc;
}

void journal_commit(void *ctx) {
    journal_t *j = ctx;
    if (!j->in_tx || !j->dirty) return;
    tx_commit(j);
    tx_begin(j);
}

void journal_hook_done(void *ctx, const order_t *o) {
    journal_t *j = ctx;
    tx_begin(j);
    write_order(j, o);
}

/* ---- fills, balances ---------------------------------------------------------------------- */

/* booked_ns: when the ledger booked it (0: not booked by this run) */
static int write_fill(journal_t *j, const venue_event_t *ev, order_side_t side, int64_t booked_ns) {
    if (ev->trade_id <= 0) return 0; /* nothing to tell it by: the oms's own key is not the venue's */
    tx_begin(j);
    sqlite3_stmt *s = j->st[S_FILL];
    char px[40], q[40], fee[64];
    bind_text(s, 1, j->rules->symbol);
    sqlite3_bind_int64(s, 2, ev->trade_id);
    bind_text(s, 3, ev->cid[0] ? ev->cid : 0);
    bind_text(s, 4, side_name(side));
    bind_text(s, 5, fmt_px(j, ev->price, px, sizeof px));
    bind_text(s, 6, fmt_qty(j, ev->qty, q, sizeof q));
    bind_text(s, 7, fmt_scaled(ev->fee, ev->fee_scale, fee, sizeof fee));
    bind_text(s, 8, ev->fee_asset);
    sqlite3_bind_int(s, 9, ev->maker);
    sqlite3_bind_int64(s, 10, ev->exch_ns ? ev->exch_ns : ev->local_ns);
    sqlite3_bind_int64(s, 11, j->run);
    bind_i64(s, 12, booked_ns, 1);
    int rc = step(j, S_FILL);
    if (!rc) {
        if (sqlite3_changes(j->db)) j->stats.fills++;
        else j->stats.duplicate_fills++;
    }
    return rc;
}

int journal_fill(journal_t *j, const venue_event_t *ev) { return write_fill(j, ev, ev->side, 0); }

void journal_hook_fill(void *ctx, const order_t *o, const venue_event_t *ev, double fee_quote) {
    journal_t *j = ctx;
    (void)fee_quote; /* the ledger values it again from the fill when `quoter history` replays it */
    /* the side the ledger booked (the order's own when it knows the order) */
    write_fill(j, ev, o ? o->side : ev->side, ev->local_ns ? ev->local_ns : 1);
    j->hooked_trade = ev->trade_id;
}

static const char *fmt_balance(journal_t *j, const char *asset, __int128 v, char *b, size_t cap) {
    if (!strcmp(asset, j->rules->base) && v <= INT64_MAX && v >= INT64_MIN) return fmt_qty(j, (int64_t)v, b, cap);
    if (!strcmp(asset, j->rules->quote)) return symbol_quote_format(j->rules, v, b, cap);
    return fmt_scaled(v, 8, b, cap);
}

int journal_balance(journal_t *j, const venue_event_t *ev) {
    tx_begin(j);
    sqlite3_stmt *s = j->st[S_BALANCE];
    char fr[64], lk[64];
    sqlite3_bind_int64(s, 1, j->run);
    sqlite3_bind_int64(s, 2, ev->local_ns);
    bind_text(s, 3, ev->asset);
    bind_text(s, 4, fmt_balance(j, ev->asset, ev->free, fr, sizeof fr));
    bind_text(s, 5, fmt_balance(j, ev->asset, ev->locked, lk, sizeof lk));
    j->stats.balances++;
    return step(j, S_BALANCE);
}

/* ---- venue events ------------------------------------------------------------------------- */

static const char *vev_name(venue_event_type_t t) {
    static const char *const n[] = {"ACK", "REJECT", "FILL", "CANCELED", "CANCEL_REJECT", "EXPIRED", "UNKNOWN",
                                    "STATUS", "OPEN_ORDER", "BALANCE", "SYNC_DONE", "RATE_LIMIT"};
    return (unsigned)t < sizeof n / sizeof n[0] ? n[t] : "?";
}

static recon_t *recon_find(journal_t *j, const char *cid) {
    for (int i = 0; i < j->nrecon; i++)
        if (!strcmp(j->recon[i].cid, cid)) return &j->recon[i];
    return 0;
}

static void recon_ask(journal_t *j, recon_t *r, int64_t now) {
    order_t o;
    memset(&o, 0, sizeof o);
    strcpy(o.cid, r->cid);
    o.side = r->side;
    venue_t *v = j->oms->venue;
    if (v->vt->query) v->vt->query(v, &o, now); /* not sent: asked again at next_ns */
    r->state = 1;
    r->next_ns = now + 5000000000LL;
}

static void recon_cancel(journal_t *j, recon_t *r, int64_t now) {
    order_t o;
    memset(&o, 0, sizeof o);
    strcpy(o.cid, r->cid);
    o.side = r->side;
    venue_t *v = j->oms->venue;
    v->vt->cancel(v, &o, now);
    r->next_ns = now + 5000000000LL; /* asked again then, until it says it is done */
}

static const char *vst_state(venue_status_t s) {
    switch (s) {
    case VST_NEW: return "NEW";
    case VST_PARTIALLY_FILLED: return "PARTIALLY_FILLED";
    case VST_FILLED: return "FILLED";
    case VST_CANCELED: return "CANCELED";
    case VST_REJECTED: return "REJECTED";
    case VST_EXPIRED: return "EXPIRED";
    default: return 0;
    }
}

/* an event about an earlier run's order the oms does not hold: the journal's alone */
static void recon_event(journal_t *j, recon_t *r, const venue_event_t *ev) {
    tx_begin(j);
    const char *state = 0, *reason = 0;
    int64_t cum = ev->cum_qty;
    switch (ev->type) {
    case VEV_FILL: journal_fill(j, ev); state = vst_state(ev->status); break;
    case VEV_STATUS:
        if (ev->code == VENUE_CODE_NO_SUCH_ORDER) {
            state = "REJECTED";
            reason = "not found at the exchange: never placed";
            cum = -1;
        } else {
            state = vst_state(ev->status);
        }
        break;
    case VEV_CANCELED: state = "CANCELED"; break;
    case VEV_EXPIRED: state = "EXPIRED"; break;
    default: break;
    }
    write_event(j, ev->cid, ev->local_ns, vev_name(ev->type), state, cum);
    if (!state) return;
    sqlite3_stmt *s = j->st[S_ORDER_RECON];
    char c[40];
    int terminal = strcmp(state, "NEW") && strcmp(state, "PARTIALLY_FILLED");
    bind_text(s, 1, r->cid);
    bind_text(s, 2, state);
    bind_text(s, 3, cum >= 0 ? fmt_qty(j, cum, c, sizeof c) : 0);
    bind_i64(s, 4, (int64_t)ev->order_id, 1);
    bind_i64(s, 5, terminal ? ev->local_ns : 0, 1);
    bind_text(s, 6, reason ? reason : terminal && ev->type == VEV_CANCELED ? "canceled by a later run" : 0);
    step(j, S_ORDER_RECON);
    if (terminal && r->state != 2) {
        r->state = 2;
        j->stats.reconciled++;
    } else if (!terminal && ev->type == VEV_STATUS) {
        recon_cancel(j, r, ev->local_ns); /* still open, and nobody holds it: cancel it */
    }
}

int journal_pre(journal_t *j, const venue_event_t *ev, journal_mark_t *mk) {
    mk->slot = -1;
    if (!ev->cid[0] || !j->oms) return 0;
    order_t *o = oms_find_cid(j->oms, ev->cid);
    if (!o) {
        recon_t *r = j->nrecon ? recon_find(j, ev->cid) : 0;
        if (r && r->state && r->state != 3 && ev->type != VEV_OPEN_ORDER) {
            recon_event(j, r, ev);
            return 1;
        }
        return 0;
    }
    mk->slot = (int)(o - j->oms->orders);
    mk->id = o->id;
    mk->pending = o->pending;
    mk->deadline = o->deadline_ns;
    int64_t t = j->oms->cfg.timeout_ns;
    int mult = o->pending != OREQ_QUERY || o->queries <= 4 ? 1 : o->queries <= 8 ? 2 : 4;
    mk->sent = o->pending == OREQ_PLACE && o->sent_ns ? o->sent_ns : o->deadline_ns - t * mult;
    return 0;
}

static void write_latency(journal_t *j, const char *cid, const char *kind, int64_t sent, int64_t answered) {
    sqlite3_stmt *s = j->st[S_LATENCY];
    sqlite3_bind_int64(s, 1, j->run);
    bind_text(s, 2, cid);
    bind_text(s, 3, kind);
    sqlite3_bind_int64(s, 4, sent);
    sqlite3_bind_int64(s, 5, answered);
    if (!step(j, S_LATENCY)) j->stats.latencies++;
}

void journal_post(journal_t *j, const venue_event_t *ev, const journal_mark_t *mk) {
    tx_begin(j);
    if (ev->type == VEV_FILL && !(ev->trade_id > 0 && ev->trade_id == j->hooked_trade)) journal_fill(j, ev);
    j->hooked_trade = 0;
    if (ev->type == VEV_BALANCE) journal_balance(j, ev);
    if (ev->type == VEV_SYNC_DONE && !j->synced && j->oms) {
        j->synced = 1;
        /* the earlier runs' orders the sync did not hand to the oms: ask the exchange */
        for (int i = 0; i < j->nrecon; i++) {
            recon_t *r = &j->recon[i];
            if (oms_find_cid(j->oms, r->cid)) r->state = 3;
            else recon_ask(j, r, ev->local_ns);
        }
    }
    if (!ev->cid[0] || !j->oms) return;
    order_t *o = oms_find_cid(j->oms, ev->cid);
    if (!o) { /* an order nobody holds: the event is kept all the same */
        write_event(j, ev->cid, ev->local_ns, vev_name(ev->type), 0, ev->cum_qty);
        return;
    }
    write_event(j, o->cid, ev->local_ns, vev_name(ev->type), order_state_name(o->state), ev->cum_qty);
    write_order(j, o);
    recon_t *r = o->earlier && j->nrecon ? recon_find(j, o->cid) : 0; /* only an earlier run's order */
    if (r && order_is_terminal(o->state) && r->state != 2) {
        r->state = 2;
        j->stats.reconciled++;
    }
    /* the round trip of the request this event answered */
    if (mk->slot == (int)(o - j->oms->orders) && mk->id == o->id && mk->pending != OREQ_NONE &&
        (o->pending != mk->pending || o->deadline_ns != mk->deadline) &&
        !(ev->type == VEV_FILL && mk->pending == OREQ_QUERY)) {
        static const char *const kind[] = {"none", "place", "cancel", "query"};
        write_latency(j, o->cid, kind[mk->pending], mk->sent, ev->local_ns);
    }
}

void journal_flush(journal_t *j, int64_t now) {
    if (j->oms) {
        /* state changes the venue did not cause (cancel sent, timeouts, not sent) */
        for (int i = 0; i < OMS_POOL; i++) {
            const order_t *o = &j->oms->orders[i];
            const shadow_t *s = &j->shadow[i];
            if (!o->id || !o->cid[0]) continue;
            if (s->id == o->id && s->state == o->state && s->filled == o->filled && s->venue_id == o->venue_id)
                continue;
            tx_begin(j);
            if (s->id != o->id || s->state != o->state)
                write_event(j, o->cid, now, "LOCAL", order_state_name(o->state), -1);
            write_order(j, o);
        }
        for (int i = 0; j->synced && i < j->nrecon; i++) {
            recon_t *r = &j->recon[i];
            if (r->state == 1 && now >= r->next_ns) recon_ask(j, r, now);
        }
    }
    tx_commit(j);
    tx_begin(j);
}

/* ---- marks: what `quoter history` needs to print the run's report ------------------------- */

/* an __int128 as a decimal integer */
static const char *fmt_i128(__int128 v, char *b, size_t cap) { return fmt_scaled(v, 0, b, cap); }


/* The report's state so far as one JSON object: its accumulators (report.h), the ledger's
   start, the oms's and the risk gate's counts, and the symbol's units. Doubles with 17
   digits, so history computes from the very numbers the run had. */
static char *report_state(const report_t *r, int64_t gaps) {
    const engine_t *e = r->eng;
    const oms_t *m = &e->oms;
    const ledger_t *l = &m->ledger;
    const symbol_rules_t *ru = e->rules;
    char *buf = 0, t[48], st[48], q[64];
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return 0;
    fx_format(1, &ru->tick, 0, t, sizeof t);
    fx_format(1, &ru->step, 0, st, sizeof st);
    fprintf(f, "{\"base\":");
    log_json_fputs(f, ru->base);
    fprintf(f, ",\"quote\":");
    log_json_fputs(f, ru->quote);
    fprintf(f, ",\"tick\":\"%s\",\"step\":\"%s\",", t, st);
    fprintf(f, "\"events\":%" PRId64 ",\"bad_lines\":%" PRId64 ",\"gaps\":%" PRId64 ",\"start_ns\":%" PRId64
               ",\"end_ns\":%" PRId64 ",\"ready_ns\":%" PRId64 ",\"two_sided_ns\":%" PRId64 ",",
            r->events, r->bad_lines, gaps, r->start_ns, r->end_ns, r->ready_ns, r->two_sided_ns);
    fprintf(f, "\"start_mid\":%.17g,\"end_mid\":%.17g,\"start_equity\":%.17g,\"peak_equity\":%.17g,"
               "\"max_drawdown\":%.17g,\"spread_ticks_ns\":%.17g,\"spread_bps_ns\":%.17g,",
            r->start_mid, r->end_mid, r->start_equity, r->peak_equity, r->max_drawdown, r->spread_ticks_ns,
            r->spread_bps_ns);
    fprintf(f, "\"base_start\":%" PRId64 ",\"quote_start\":\"%s\",\"start_mark\":%.17g,\"transfers\":%" PRId64
               ",\"transfers_value\":%.17g,\"ledger_fills\":%" PRId64 ",",
            l->base_start, fmt_i128(l->quote_start, q, sizeof q), l->start_mark, l->transfers, l->transfers_value,
            l->fills);
    fprintf(f, "\"sent\":%" PRId64 ",\"replaced\":%" PRId64 ",\"canceled\":%" PRId64 ",\"rejected\":%" PRId64
               ",\"duplicate_fills\":%" PRId64 ",\"late_fills\":%" PRId64 ",\"foreign_fills\":%" PRId64
               ",\"timeouts\":%" PRId64 ",\"unknowns\":%" PRId64 ",\"queries\":%" PRId64 ",\"not_sent\":%" PRId64
               ",\"state_errors\":%" PRId64 ",\"gone\":%" PRId64 ",\"unresolved\":%d,\"risk_rejects\":[",
            m->st.sent, m->st.replaced, m->st.canceled, m->st.rejected, m->st.duplicate_fills, m->st.late_fills,
            m->st.foreign_fills, m->st.timeouts, m->st.unknowns, m->st.queries, m->st.not_sent, m->st.state_errors,
            m->st.gone, oms_unresolved_count(m));
    for (int k = 0; k < RISK_NREASONS; k++) fprintf(f, "%s%" PRId64, k ? "," : "", m->risk.rejects[k]);
    /* the markouts so far: [fills, excluded, sum_quote, sum_bps, pnl_quote] a horizon; the
       fills still waiting count as excluded, as they would if the run ended here */
    fprintf(f, "],\"markouts\":[");
    for (int k = 0; k < MARKOUT_NH; k++) {
        const markout_sum_t *h = &r->markouts.h[k];
        fprintf(f, "%s[%" PRId64 ",%" PRId64 ",%.17g,%.17g,%.17g]", k ? "," : "", h->n,
                h->excluded + markout_pending(&r->markouts, k), h->sum_quote, h->sum_bps, h->pnl_quote);
    }
    fprintf(f, "],\"markout_dropped\":%" PRId64, r->markouts.dropped);
    fprintf(f, ",\"killed\":%d,\"kill_reason\":", m->risk.killed);
    log_json_fputs(f, m->risk.killed && m->risk.kill_reason ? m->risk.kill_reason : "");
    fputc('}', f);
    if (fclose(f)) {
        free(buf);
        return 0;
    }
    return buf;
}

int journal_tick(journal_t *j, const report_t *r, int64_t now, int final) {
    if (!r->eng) return 0;
    int64_t every = r->sample_ns > 0 ? r->sample_ns : 1000000000LL;
    int state = final || now >= j->next_state_ns;
    if (!final && (r->start_mid <= 0 || now < j->next_mark_ns)) return 0; /* none before the first mark */
    j->next_mark_ns = (now / every + 1) * every;
    double mid = engine_mid(r->eng);
    int64_t b, a;
    oms_best_live(&r->eng->oms, &b, &a);
    char *rs = state ? report_state(r, r->gaps > r->eng->sync.st.gaps ? r->gaps : r->eng->sync.st.gaps) : 0;
    if (state && !rs) return Q_E_NOMEM;
    if (state) j->next_state_ns = now + J_STATE_EVERY_NS;
    tx_begin(j);
    sqlite3_stmt *s = j->st[S_MARK];
    char pb[40], pa[40];
    sqlite3_bind_int64(s, 1, j->run);
    sqlite3_bind_int64(s, 2, now);
    if (mid > 0) sqlite3_bind_double(s, 3, mid);
    else sqlite3_bind_null(s, 3);
    bind_text(s, 4, b ? fmt_px(j, b, pb, sizeof pb) : 0);
    bind_text(s, 5, a ? fmt_px(j, a, pa, sizeof pa) : 0);
    bind_text(s, 6, rs);
    int rc = step(j, S_MARK);
    free(rs);
    if (!rc) j->stats.marks++;
    return rc;
}
