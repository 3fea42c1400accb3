/* journal.c: the live run's SQLite journal (see journal.h). */
#include "journal.h"

#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/err.h"
#include "../core/fixed.h"
#include "../core/log.h"
#include "../proto/params.h"

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

/* One row for the writer: the statement and its values, bound by the trading thread (texts
   formatted there, copied inline), executed by the writer thread. */
#define J_COLS 14
#define J_TEXT 448
#define J_RING 1024 /* rows in flight to the writer (some 600 KB, touched at the start); a full ring waits */
enum { JV_NULL = 0, JV_INT, JV_DOUBLE, JV_TEXT, JV_HEAP };
typedef struct jrow {
    int k;                   /* the statement (S_*) */
    int lost;                /* a text could not be kept (row_text): counted as an error when written */
    int64_t seq;             /* S_INTENT: the intent's number (the intent log's truncation) */
    uint8_t type[J_COLS + 1]; /* by 1-based column, as SQLite numbers them */
    uint16_t len[J_COLS + 1];
    int64_t v[J_COLS + 1];   /* JV_INT: the value; JV_DOUBLE: its bits; JV_TEXT: offset in buf */
    char *heap;              /* the one JV_HEAP text a row may have (too long for buf), freed by the writer */
    size_t used;
    char buf[J_TEXT];
} jrow_t;

struct journal {
    sqlite3 *db;
    sqlite3_stmt *st[S_N];
    int64_t run;
    const symbol_rules_t *rules;
    oms_t *oms;
    char *path;
    /* the writer: a thread that owns the connection once the run has begun; the trading
       thread hands it rows through a single-producer ring, and wakes it once per loop step.
       It commits what it took in one transaction, and copies the WAL into the database
       (a PASSIVE checkpoint, with its fsync) every second. */
    jrow_t *ring;
    uint64_t head, tail;   /* head: the trading thread's (rows pushed); tail: the writer's (rows done) */
    uint64_t done;         /* rows committed (or failed), under mu */
    uint64_t woken;        /* head when the writer was last woken (trading thread) */
    pthread_t writer;
    int writer_on, stop;
    pthread_mutex_t mu;
    pthread_cond_t cv, done_cv;
    int64_t waits;         /* the ring was full: the trading thread waited */
    /* the intent log (PATH-intents): one line per intent, appended by journal_commit before a
       request's bytes leave, so an intent is on disk before its order can exist even while
       its row is still on the way to SQLite; truncated once every intent in it is committed,
       replayed into the journal by the next run after a crash */
    int ifd;
    char ibuf[16384];
    size_t ilen;
    int64_t iseq;          /* intents numbered (trading thread) */
    int64_t iwritten;      /* intents in the log (under imu) */
    int64_t icommitted;    /* intents committed by the writer (writer) */
    int ilost;             /* an intent's row or its transaction failed: the log is kept whole (writer) */
    int64_t ibytes;        /* the log's size (under imu) */
    pthread_mutex_t imu;
    int synced;            /* the first sync is done: the reconciliation has begun */
    recon_t *recon;
    int nrecon;
    shadow_t shadow[OMS_POOL];
    int64_t hooked_trade;  /* the trade the fill hook just stored (journal_post does not store it again) */
    int64_t next_mark_ns, next_state_ns;
    journal_stats_t stats; /* fills, duplicate_fills, commits, errors: the writer's (atomics) */
    journal_stats_t view;  /* what journal_stats() returns */
    char err[256];         /* under mu once the writer runs */
    char err_view[256];
};

static void note_err(journal_t *j) {
    __atomic_fetch_add(&j->stats.errors, 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&j->mu);
    snprintf(j->err, sizeof j->err, "%s", sqlite3_errmsg(j->db));
    pthread_mutex_unlock(&j->mu);
}

static int exec(journal_t *j, const char *s) {
    if (sqlite3_exec(j->db, s, 0, 0, 0) != SQLITE_OK) {
        note_err(j);
        return Q_E_IO;
    }
    return 0;
}

/* runs a prepared statement once (the trading thread, before the writer starts) */
static int step(journal_t *j, int k) {
    sqlite3_stmt *s = j->st[k];
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
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

/* ---- rows: bound on the trading thread, executed by the writer ------------------------------ */

static void writer_wake(journal_t *j);
static int64_t row_exec(journal_t *j, jrow_t *r);
static int intents_write(journal_t *j);

/* the next free row of the ring (waits for the writer when the ring is full) */
static jrow_t *row_begin(journal_t *j, int k) {
    while (j->head - __atomic_load_n(&j->tail, __ATOMIC_ACQUIRE) >= J_RING) {
        j->waits++;
        writer_wake(j);
        pthread_mutex_lock(&j->mu);
        while (j->head - j->done >= J_RING) pthread_cond_wait(&j->done_cv, &j->mu);
        pthread_mutex_unlock(&j->mu);
    }
    jrow_t *r = &j->ring[j->head % J_RING];
    r->k = k;
    r->seq = 0;
    r->lost = 0;
    r->used = 0;
    memset(r->type, JV_NULL, sizeof r->type);
    return r;
}
static void row_null(jrow_t *r, int i) { r->type[i] = JV_NULL; }
static void row_i64(jrow_t *r, int i, int64_t v) {
    r->type[i] = JV_INT;
    r->v[i] = v;
}
static void row_i64z(jrow_t *r, int i, int64_t v, int null_when_zero) {
    if (null_when_zero && !v) row_null(r, i);
    else row_i64(r, i, v);
}
static void row_double(jrow_t *r, int i, double d) {
    r->type[i] = JV_DOUBLE;
    memcpy(&r->v[i], &d, sizeof d);
}
static void row_text(jrow_t *r, int i, const char *t) {
    if (!t) {
        row_null(r, i);
        return;
    }
    size_t n = strlen(t);
    if (n < sizeof r->buf - r->used && n <= UINT16_MAX) {
        memcpy(r->buf + r->used, t, n);
        r->type[i] = JV_TEXT;
        r->v[i] = (int64_t)r->used;
        r->len[i] = (uint16_t)n;
        r->used += n;
    } else if (!r->heap && (r->heap = strdup(t))) { /* the report's state (some 900 bytes, every 10 s) */
        r->type[i] = JV_HEAP;
    } else { /* a second long text, or no memory: the column is NULL, and that is said */
        r->type[i] = JV_NULL;
        r->lost = 1;
    }
}
/* hands the row to the writer (woken at the step's end: writer_wake) */
static int row_push(journal_t *j) {
    if (!j->writer_on) { /* no writer thread (it could not start): at once, autocommitted */
        int64_t q = row_exec(j, &j->ring[j->head % J_RING]);
        if (q > j->icommitted) j->icommitted = q;
        j->done = j->tail = ++j->head;
        return 0;
    }
    __atomic_store_n(&j->head, j->head + 1, __ATOMIC_RELEASE);
    if (j->head - j->woken >= J_RING / 2) writer_wake(j); /* a burst: do not wait for the step's end */
    return 0;
}

static void writer_signal(journal_t *j) {
    pthread_mutex_lock(&j->mu);
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

/* a signal when rows were handed over since the last one */
static void writer_wake(journal_t *j) {
    if (j->head == j->woken) return;
    j->woken = j->head;
    writer_signal(j);
}

/* the writer: binds and runs one row; an intent's number when it is the intent saved (its
   transaction still to commit), else 0. A failed intent keeps the intent log whole (ilost). */
static int64_t row_exec(journal_t *j, jrow_t *r) {
    sqlite3_stmt *s = j->st[r->k];
    for (int i = 1; i <= J_COLS; i++) {
        switch (r->type[i]) {
        case JV_INT: sqlite3_bind_int64(s, i, r->v[i]); break;
        case JV_DOUBLE: {
            double d;
            memcpy(&d, &r->v[i], sizeof d);
            sqlite3_bind_double(s, i, d);
            break;
        }
        case JV_TEXT: sqlite3_bind_text(s, i, r->buf + r->v[i], r->len[i], SQLITE_STATIC); break;
        case JV_HEAP: sqlite3_bind_text(s, i, r->heap, -1, SQLITE_STATIC); break;
        default: break; /* unbound: NULL */
        }
    }
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) note_err(j);
    if (r->lost) __atomic_fetch_add(&j->stats.errors, 1, __ATOMIC_RELAXED);
    else if (r->k == S_FILL)
        __atomic_fetch_add(sqlite3_changes(j->db) ? &j->stats.fills : &j->stats.duplicate_fills, 1, __ATOMIC_RELAXED);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    free(r->heap);
    r->heap = 0;
    if (r->k != S_INTENT) return 0;
    if (rc != SQLITE_DONE) j->ilost = 1;
    return rc == SQLITE_DONE ? r->seq : 0;
}

/* the writer: once every intent in the log is committed, the log starts again (when it has
   grown: a truncation is a system call, and the log is small) */
static void intents_trim(journal_t *j, int64_t min_bytes) {
    if (j->ifd < 0) return;
    pthread_mutex_lock(&j->imu);
    if (!j->ilost && j->ibytes >= min_bytes && j->ibytes > 0 && j->icommitted >= j->iwritten && !ftruncate(j->ifd, 0))
        j->ibytes = 0;
    pthread_mutex_unlock(&j->imu);
}

static void *writer_main(void *arg) {
    journal_t *j = arg;
    /* the lowest priority (journal_wake says why); this thread's alone on Linux */
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19); /* (it may only fail to lower) */
    int64_t next_ckpt = clock_mono_ns() + 1000000000LL;
    pthread_mutex_lock(&j->mu);
    for (;;) {
        while (!j->stop && __atomic_load_n(&j->head, __ATOMIC_ACQUIRE) == j->tail && clock_mono_ns() < next_ckpt) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 1;
            pthread_cond_timedwait(&j->cv, &j->mu, &ts);
        }
        uint64_t head = __atomic_load_n(&j->head, __ATOMIC_ACQUIRE);
        int stop = j->stop;
        pthread_mutex_unlock(&j->mu);
        if (head != j->tail) {
            if (sqlite3_exec(j->db, "BEGIN", 0, 0, 0) != SQLITE_OK) note_err(j);
            int64_t iseq = 0; /* the batch's last intent saved: committed only with the batch */
            for (uint64_t t = j->tail; t != head; t++) {
                int64_t q = row_exec(j, &j->ring[t % J_RING]);
                if (q > iseq) iseq = q;
            }
            if (sqlite3_exec(j->db, "COMMIT", 0, 0, 0) != SQLITE_OK) {
                note_err(j);
                sqlite3_exec(j->db, "ROLLBACK", 0, 0, 0);
                if (iseq) j->ilost = 1; /* the intents stay in the log for the next run */
            } else {
                __atomic_fetch_add(&j->stats.commits, 1, __ATOMIC_RELAXED);
                if (iseq > j->icommitted) j->icommitted = iseq;
            }
            __atomic_store_n(&j->tail, head, __ATOMIC_RELEASE);
            intents_trim(j, 256 * 1024);
        }
        if (clock_mono_ns() >= next_ckpt || stop) {
            sqlite3_wal_checkpoint_v2(j->db, 0, SQLITE_CHECKPOINT_PASSIVE, 0, 0);
            next_ckpt = clock_mono_ns() + 1000000000LL;
        }
        pthread_mutex_lock(&j->mu);
        j->done = head;
        pthread_cond_broadcast(&j->done_cv);
        if (stop && __atomic_load_n(&j->head, __ATOMIC_ACQUIRE) == j->tail) break;
    }
    pthread_mutex_unlock(&j->mu);
    return 0;
}

/* the trading thread: appends the decision's intents to the intent log (one write) */
static int intents_write(journal_t *j) {
    int rc = 0;
    pthread_mutex_lock(&j->imu);
    size_t off = 0;
    while (off < j->ilen) {
        ssize_t w = j->ifd >= 0 ? write(j->ifd, j->ibuf + off, j->ilen - off) : -1;
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            rc = Q_E_IO;
            break;
        }
        off += (size_t)w;
    }
    j->ibytes += (int64_t)off;
    if (!rc) j->iwritten = j->iseq;
    pthread_mutex_unlock(&j->imu);
    j->ilen = 0;
    if (rc) {
        __atomic_fetch_add(&j->stats.errors, 1, __ATOMIC_RELAXED);
        pthread_mutex_lock(&j->mu);
        snprintf(j->err, sizeof j->err, "intent log %s-intents: %s", j->path, strerror(errno));
        pthread_mutex_unlock(&j->mu);
    } else {
        j->stats.intent_writes++;
    }
    return rc;
}

void journal_sync(journal_t *j) {
    if (j->ilen) intents_write(j);
    if (!j->writer_on) return;
    uint64_t want = j->head;
    j->woken = want;
    writer_signal(j); /* (even when it was woken for these rows already) */
    pthread_mutex_lock(&j->mu);
    while (j->done < want) pthread_cond_wait(&j->done_cv, &j->mu);
    pthread_mutex_unlock(&j->mu);
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

int journal_open(journal_t **out, const char *path, char *err, int errcap) {
    *out = 0;
    journal_t *j = calloc(1, sizeof *j);
    if (!j) return Q_E_NOMEM;
    j->ifd = -1;
    pthread_mutex_init(&j->mu, 0);
    pthread_mutex_init(&j->imu, 0);
    pthread_cond_init(&j->cv, 0);
    pthread_cond_init(&j->done_cv, 0);
    if (sqlite3_open_v2(path, &j->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0) != SQLITE_OK) {
        snprintf(err, (size_t)errcap, "%s: %s", path, j->db ? sqlite3_errmsg(j->db) : "cannot open");
        journal_close(j);
        return Q_E_IO;
    }
    sqlite3_busy_timeout(j->db, 2000);
    /* a small page cache (256 KB): the journal appends rows, and the run's memory stays flat;
       no automatic checkpoints: the writer makes them */
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
    j->path = strdup(path);
    /* touched now: the run's resident memory is flat from the start, not growing as the ring
       is first filled */
    j->ring = malloc(J_RING * sizeof *j->ring);
    if (j->ring) memset(j->ring, 0, J_RING * sizeof *j->ring);
    if (!j->path || !j->ring) {
        snprintf(j->err, sizeof j->err, "out of memory");
        goto fail;
    }
    char ip[4200];
    snprintf(ip, sizeof ip, "%s-intents", path);
    j->ifd = open(ip, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (j->ifd < 0) {
        snprintf(j->err, sizeof j->err, "the intent log: %s", strerror(errno));
        goto fail;
    }
    *out = j;
    return 0;
fail:
    snprintf(err, (size_t)errcap, "%s: %s", path, j->err);
    journal_close(j);
    return Q_E_IO;
}

void journal_close(journal_t *j) {
    if (!j) return;
    if (j->writer_on) {
        journal_sync(j);
        pthread_mutex_lock(&j->mu);
        j->stop = 1;
        pthread_cond_signal(&j->cv);
        pthread_mutex_unlock(&j->mu);
        pthread_join(j->writer, 0);
        j->writer_on = 0;
    } else if (j->ilen) {
        intents_write(j);
    }
    intents_trim(j, 0); /* everything committed: nothing to replay */
    if (j->ifd >= 0) close(j->ifd);
    free(j->path);
    for (int k = 0; k < S_N; k++) sqlite3_finalize(j->st[k]);
    sqlite3_close(j->db);
    free(j->ring);
    free(j->recon);
    pthread_mutex_destroy(&j->mu);
    pthread_mutex_destroy(&j->imu);
    pthread_cond_destroy(&j->cv);
    pthread_cond_destroy(&j->done_cv);
    free(j);
}

const journal_stats_t *journal_stats(journal_t *j) {
    journal_sync(j);
    j->view = j->stats;
    j->view.fills = __atomic_load_n(&j->stats.fills, __ATOMIC_RELAXED);
    j->view.duplicate_fills = __atomic_load_n(&j->stats.duplicate_fills, __ATOMIC_RELAXED);
    j->view.commits = __atomic_load_n(&j->stats.commits, __ATOMIC_RELAXED);
    j->view.errors = __atomic_load_n(&j->stats.errors, __ATOMIC_RELAXED);
    j->view.ring_waits = j->waits;
    return &j->view;
}
const char *journal_error(journal_t *j) {
    pthread_mutex_lock(&j->mu);
    memcpy(j->err_view, j->err, sizeof j->err_view);
    pthread_mutex_unlock(&j->mu);
    return j->err_view;
}
int journal_earlier_open(const journal_t *j) { return j->nrecon; }

/* A run that died left intents in the log that may not have reached the journal: each one
   not there is written as an order of its run in PENDING_NEW, which the reconciliation then
   asks the exchange about. A line cut short (only a power loss can do that) is left out. */
static int intents_replay(journal_t *j) {
    FILE *f = fdopen(dup(j->ifd), "r");
    if (!f) return Q_E_IO;
    sqlite3_stmt *s = 0;
    int rc = 0, n = 0, skipped = 0;
    if (sqlite3_prepare_v2(j->db,
                           "INSERT INTO orders(cid, run, side, type, price, qty, sent, state, filled)"
                           " VALUES(?2, ?1, ?3, ?4, ?5, ?6, ?7, 'PENDING_NEW', '0') ON CONFLICT(cid) DO NOTHING",
                           -1, &s, 0) != SQLITE_OK) {
        fclose(f);
        note_err(j);
        return Q_E_IO;
    }
    rewind(f);
    exec(j, "BEGIN");
    char line[512];
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (!len || line[len - 1] != '\n') break;
        line[len - 1] = 0;
        char *fld[7], *p = line;
        int k = 0;
        for (; k < 7 && p; k++) {
            fld[k] = p;
            p = strchr(p, '\t');
            if (p) *p++ = 0;
        }
        if (k != 7 || p) {
            skipped++;
            continue;
        }
        int64_t run, sent; /* both numbers whole and in range, or the line is left out */
        if (proto_parse_i64(fld[0], &run) || proto_parse_i64(fld[6], &sent) || run <= 0) {
            skipped++;
            continue;
        }
        sqlite3_bind_int64(s, 1, run);
        for (int i = 1; i < 6; i++) bind_text(s, i + 1, fld[i]);
        sqlite3_bind_int64(s, 7, sent);
        if (sqlite3_step(s) != SQLITE_DONE) rc = Q_E_IO;
        else n += sqlite3_changes(j->db);
        sqlite3_reset(s);
    }
    fclose(f);
    sqlite3_finalize(s);
    if (rc || exec(j, "COMMIT")) {
        note_err(j);
        exec(j, "ROLLBACK");
        return Q_E_IO;
    }
    if (ftruncate(j->ifd, 0)) return Q_E_IO;
    if (skipped)
        log_msg(LOG_WARN, "journal", "%d lines of %s-intents unreadable, left out (the reconciliation finds their "
                "orders by the client id prefix)", skipped, j->path);
    if (n) log_msg(LOG_WARN, "journal", "%d intents of an earlier run were only in %s-intents: now in the journal, to be asked about",
                    n, j->path);
    return 0;
}

int64_t journal_run_begin(journal_t *j, int64_t started_ns, const char *config_text, const symbol_rules_t *rules,
                          const char *prefix, oms_t *oms) {
    j->rules = rules;
    j->oms = oms;
    if (j->writer_on) return Q_E_STATE; /* one run per journal_open */
    sqlite3_stmt *s = j->st[S_RUN_BEGIN];
    sqlite3_bind_int64(s, 1, started_ns);
    bind_text(s, 2, config_text);
    bind_text(s, 3, rules->symbol);
    bind_text(s, 4, prefix);
    if (step(j, S_RUN_BEGIN)) return Q_E_IO;
    j->run = sqlite3_last_insert_rowid(j->db);
    if (intents_replay(j)) return Q_E_IO;
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
    /* from here on the writer owns the connection */
    j->writer_on = !pthread_create(&j->writer, 0, writer_main, j);
    if (!j->writer_on) log_msg(LOG_WARN, "journal", "no writer thread: rows are written on the trading thread");
    return j->run;
}

void journal_run_end(journal_t *j, int64_t ended_ns, int exit_status) {
    jrow_t *s = row_begin(j, S_RUN_END);
    row_i64(s, 1, j->run);
    row_i64(s, 2, ended_ns);
    row_i64(s, 3, exit_status);
    row_push(j);
    journal_sync(j);
}

/* ---- orders ------------------------------------------------------------------------------- */

/* the columns an order's row and its intent share: cid, run, side, type, price, qty, sent */
static void bind_order_head(journal_t *j, jrow_t *s, const order_t *o) {
    char px[40], q[40];
    row_text(s, 1, o->cid);
    row_i64(s, 2, j->run);
    row_text(s, 3, side_name(o->side));
    row_text(s, 4, o->type == OT_LIMIT_MAKER ? "LIMIT_MAKER" : "LIMIT");
    row_text(s, 5, fmt_px(j, o->price, px, sizeof px));
    row_text(s, 6, fmt_qty(j, o->qty, q, sizeof q));
    row_i64(s, 7, o->sent_ns);
}

/* what was last written of the order in its pool slot (the step-end pass compares) */
static void shadow_note(journal_t *j, const order_t *o) {
    if (!j->oms) return;
    int slot = (int)(o - j->oms->orders);
    if (slot >= 0 && slot < OMS_POOL) j->shadow[slot] = (shadow_t){o->id, o->state, o->filled, o->venue_id};
}

/* the reason is the order's own copy (order.h), so it may be written at any time */
static int write_order(journal_t *j, const order_t *o) {
    jrow_t *s = row_begin(j, S_ORDER);
    char f[40];
    bind_order_head(j, s, o);
    row_text(s, 8, order_state_name(o->state));
    row_text(s, 9, fmt_qty(j, o->filled, f, sizeof f));
    row_i64z(s, 10, (int64_t)o->venue_id, 1);
    row_i64z(s, 11, order_is_terminal(o->state) ? o->done_ns : 0, 1);
    row_text(s, 12, order_is_terminal(o->state) && o->reason[0] ? o->reason : 0);
    row_i64(s, 13, o->level);
    row_i64z(s, 14, o->acked_ns, 1);
    int rc = row_push(j);
    shadow_note(j, o);
    return rc;
}

static int write_event(journal_t *j, const char *cid, int64_t t, const char *event, const char *state,
                       int64_t cum) {
    jrow_t *s = row_begin(j, S_EVENT);
    char c[40];
    row_text(s, 1, cid);
    row_i64(s, 2, t);
    row_text(s, 3, event);
    row_text(s, 4, state);
    row_text(s, 5, cum >= 0 ? fmt_qty(j, cum, c, sizeof c) : 0);
    j->stats.events++;
    return row_push(j);
}

int journal_hook_send(void *ctx, const order_t *o, const order_t *old) {
    journal_t *j = ctx;
    /* the intent's line for the intent log, written by journal_commit before the request's
       bytes leave (the venue only queues it): one write for every order of a decision */
    char px[40], q[40], line[256];
    int n = snprintf(line, sizeof line, "%" PRId64 "\t%s\t%s\t%s\t%s\t%s\t%" PRId64 "\n", j->run, o->cid,
                     side_name(o->side), o->type == OT_LIMIT_MAKER ? "LIMIT_MAKER" : "LIMIT",
                     fmt_px(j, o->price, px, sizeof px), fmt_qty(j, o->qty, q, sizeof q), o->sent_ns);
    if (n <= 0 || n >= (int)sizeof line) return Q_E_IO;
    if (j->ilen + (size_t)n > sizeof j->ibuf && intents_write(j)) return Q_E_IO; /* not sent */
    memcpy(j->ibuf + j->ilen, line, (size_t)n);
    j->ilen += (size_t)n;
    j->iseq++;
    jrow_t *s = row_begin(j, S_INTENT);
    bind_order_head(j, s, o);
    s->seq = j->iseq;
    row_push(j);
    shadow_note(j, o);
    write_event(j, o->cid, o->sent_ns, old ? "SEND_REPLACE" : "SEND", "PENDING_NEW", -1);
    j->stats.intents++;
    return 0;
}

void journal_commit(void *ctx) {
    journal_t *j = ctx;
    if (j->ilen) intents_write(j); /* a failure is counted; the requests go out anyway (journal.h) */
}

void journal_hook_done(void *ctx, const order_t *o) { write_order(ctx, o); }

/* ---- fills, balances ---------------------------------------------------------------------- */

/* booked_ns: when the ledger booked it (0: not booked by this run) */
static int write_fill(journal_t *j, const venue_event_t *ev, order_side_t side, int64_t booked_ns) {
    if (ev->trade_id <= 0) return 0; /* nothing to tell it by: the oms's own key is not the venue's */
    jrow_t *s = row_begin(j, S_FILL);
    char px[40], q[40], fee[64];
    row_text(s, 1, j->rules->symbol);
    row_i64(s, 2, ev->trade_id);
    row_text(s, 3, ev->cid[0] ? ev->cid : 0);
    row_text(s, 4, side_name(side));
    row_text(s, 5, fmt_px(j, ev->price, px, sizeof px));
    row_text(s, 6, fmt_qty(j, ev->qty, q, sizeof q));
    row_text(s, 7, fmt_scaled(ev->fee, ev->fee_scale, fee, sizeof fee));
    row_text(s, 8, ev->fee_asset);
    row_i64(s, 9, ev->maker);
    row_i64(s, 10, ev->exch_ns ? ev->exch_ns : ev->local_ns);
    row_i64(s, 11, j->run);
    row_i64z(s, 12, booked_ns, 1);
    return row_push(j); /* the writer counts it new or a duplicate */
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
    jrow_t *s = row_begin(j, S_BALANCE);
    char fr[64], lk[64];
    row_i64(s, 1, j->run);
    row_i64(s, 2, ev->local_ns);
    row_text(s, 3, ev->asset);
    row_text(s, 4, fmt_balance(j, ev->asset, ev->free, fr, sizeof fr));
    row_text(s, 5, fmt_balance(j, ev->asset, ev->locked, lk, sizeof lk));
    j->stats.balances++;
    return row_push(j);
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
    jrow_t *s = row_begin(j, S_ORDER_RECON);
    char c[40];
    int terminal = strcmp(state, "NEW") && strcmp(state, "PARTIALLY_FILLED");
    row_text(s, 1, r->cid);
    row_text(s, 2, state);
    row_text(s, 3, cum >= 0 ? fmt_qty(j, cum, c, sizeof c) : 0);
    row_i64z(s, 4, (int64_t)ev->order_id, 1);
    row_i64z(s, 5, terminal ? ev->local_ns : 0, 1);
    row_text(s, 6, reason ? reason : terminal && ev->type == VEV_CANCELED ? "canceled by a later run" : 0);
    row_push(j);
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
    jrow_t *s = row_begin(j, S_LATENCY);
    row_i64(s, 1, j->run);
    row_text(s, 2, cid);
    row_text(s, 3, kind);
    row_i64(s, 4, sent);
    row_i64(s, 5, answered);
    if (!row_push(j)) j->stats.latencies++;
}

void journal_post(journal_t *j, const venue_event_t *ev, const journal_mark_t *mk) {
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
        /* state changes the venue did not cause (cancel sent, timeouts, not sent), of the live
           orders only: one reaching a terminal state is written by the on_done hook (a walk
           of the whole pool, some 300 KB, cost tens of microseconds on every loop step) */
        for (int n = 0; n < j->oms->nlive; n++) {
            int i = j->oms->live[n];
            const order_t *o = &j->oms->orders[i];
            const shadow_t *s = &j->shadow[i];
            if (!o->id || !o->cid[0]) continue;
            if (s->id == o->id && s->state == o->state && s->filled == o->filled && s->venue_id == o->venue_id)
                continue;
                    if (s->id != o->id || s->state != o->state)
                write_event(j, o->cid, now, "LOCAL", order_state_name(o->state), -1);
            write_order(j, o);
        }
        for (int i = 0; j->synced && i < j->nrecon; i++) {
            recon_t *r = &j->recon[i];
            if (r->state == 1 && now >= r->next_ns) recon_ask(j, r, now);
        }
    }
}

void journal_wake(journal_t *j) { writer_wake(j); }
int journal_unwoken(const journal_t *j) { return j->head != j->woken; }

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
    /* the orders that traded (the daily budget's refunds): the report's unfilled orders */
    fprintf(f, ",\"first_fills\":%" PRId64, m->risk.first_fills);
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
    jrow_t *s = row_begin(j, S_MARK);
    char pb[40], pa[40];
    row_i64(s, 1, j->run);
    row_i64(s, 2, now);
    if (mid > 0) row_double(s, 3, mid);
    else row_null(s, 3);
    row_text(s, 4, b ? fmt_px(j, b, pb, sizeof pb) : 0);
    row_text(s, 5, a ? fmt_px(j, a, pa, sizeof pa) : 0);
    row_text(s, 6, rs);
    int rc = row_push(j);
    free(rs);
    if (!rc) j->stats.marks++;
    return rc;
}
