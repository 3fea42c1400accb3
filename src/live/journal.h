/* journal.h: the live run's SQLite journal (`quoter run --db FILE`): what was sent, what the
 * exchange said, every fill, balance and request round trip, so that nothing is lost when
 * the process dies, and `quoter history` can tell what happened.
 *
 * Tables: runs, orders (one row per client id: intent, then its latest state), order_events
 * (one row per venue event about an order, and per local state change), fills
 * (UNIQUE(symbol, trade_id): a replayed event is stored once), balances, latency (each
 * request's measured round trip), marks (the mid and our quotes every report sample, with
 * the report's state: journal_tick). Prices and quantities are exact decimal strings in the
 * symbol's units; times are integers in ns (local real clock).
 *
 * Durability, honestly: SQLite in WAL mode, synchronous=NORMAL, written by a thread of the
 * journal's own (the writer), so that no SQLite work is on the trading thread's path from a
 * market message to the order it causes. The trading thread binds each row's values into a
 * ring; at the end of each loop step (journal_flush) it wakes the writer, which commits all it
 * took in one transaction, and copies the WAL into the database (a checkpoint, with its fsync)
 * every second. A row is in the database within a step or so of its event.
 * A new order's intent must be on disk before its request leaves: the oms's on_send hook
 * (before the venue call) formats it as a line of the intent log, PATH-intents, and
 * journal_commit, which the live client calls before it writes any bytes to a socket
 * (net_t.before_write; the binance venue only queues a request, it leaves on a later loop
 * step), appends the decision's lines in one write(). The intent's row goes to the writer like
 * any other. The log is truncated once every intent in it is committed; the next
 * journal_run_begin replays what a dead run left there into the journal (orders in
 * PENDING_NEW, to be reconciled). A write() and a commit with synchronous=NORMAL reach the
 * page cache without fsync: they survive a process crash (kill -9, a segfault), NOT a power
 * loss or a kernel crash, which may lose the last rows and intents. After a crash, the rows
 * still in the ring are lost; the journal keeps a prefix of them (they are committed in order),
 * and the reconciliation asks the exchange about every order not known to be done.
 *
 * Reconciliation after a crash: journal_run_begin() loads the earlier runs' orders that are
 * not terminal in the journal. After the run's first sync (VEV_SYNC_DONE), those the oms
 * found open (adopted or canceled by it) follow the oms; the others are asked about
 * (order.status, then their trades) by the journal itself: their answers update their rows
 * and are not handed to the oms (their trades are in the balances the sync told); one still
 * open is canceled. An order the exchange never heard of (the process died between the
 * intent and the send) becomes REJECTED "not found at the exchange".
 *
 * A journal write that fails is counted and reported; an intent that cannot be formatted or
 * logged in on_send stops the order from being sent (the oms treats it as not sent). A commit
 * or an intent-log write that fails (a full disk) is counted and reported; the requests go out
 * anyway (a run after it reconciles them with the exchange by their client id prefix). */
#ifndef Q_JOURNAL_H
#define Q_JOURNAL_H

#include <stdint.h>

#include "../backtest/report.h"
#include "../core/symbol.h"
#include "../oms/oms.h"
#include "../venue/venue.h"

typedef struct journal journal_t;

/* Opens (creating the tables when new) the journal at path. 0 or Q_E_IO with err filled. */
int journal_open(journal_t **out, const char *path, char *err, int errcap);
/* Writes what is pending (waits for the writer) and closes. NULL is fine. */
void journal_close(journal_t *j);
/* A new run row (this run's id, > 0, or a negative error); replays the intent log a dead run
   left; loads the earlier runs' orders not terminal (journal_earlier_open() says how many);
   starts the writer. Once per journal_open. rules and oms outlive the journal's use; oms may
   be NULL (tests). */
int64_t journal_run_begin(journal_t *j, int64_t started_ns, const char *config_text, const symbol_rules_t *rules,
                          const char *prefix, oms_t *oms);
void journal_run_end(journal_t *j, int64_t ended_ns, int exit_status);
int journal_earlier_open(const journal_t *j);

/* the oms hooks (oms_hooks_t.on_done, oms_send_hook_t.on_send: ctx = the journal) */
/* Appends the intents formatted since the last call to the intent log (nothing when there are
   none): net_t.before_write. */
void journal_commit(void *ctx);
int journal_hook_send(void *j, const order_t *o, const order_t *old);
void journal_hook_done(void *j, const order_t *o);

/* Around oms_on_venue: journal_pre() before (returns 1 when the event is about an earlier
   run's order being reconciled: the journal took it and the oms must not see it),
   journal_post() after. mark carries what pre saw to post. */
typedef struct journal_mark {
    int slot;               /* the oms order's slot before the event, -1 */
    uint64_t id;
    order_req_t pending;
    int64_t deadline, sent;
} journal_mark_t;
int journal_pre(journal_t *j, const venue_event_t *ev, journal_mark_t *mk);
void journal_post(journal_t *j, const venue_event_t *ev, const journal_mark_t *mk);

/* The oms's on_fill hook: the fill as the ledger booked it (fills.booked = its local time),
   so `quoter history` replays exactly the fills the run's ledger booked, in their order. */
void journal_hook_fill(void *j, const order_t *o, const venue_event_t *ev, double fee_quote);

/* A mark (table marks): the mid and our best bid and ask at `now`, at most once per report
   sample interval (r->sample_ns: report.equity_interval) from the first mid on, and always
   when final (the stop); with it, every 10 s and when final, the report's state (column
   report: JSON of its accumulators, the ledger's start, the oms's counts, the symbol's
   units), so that `quoter history` prints the run's own report from the journal. */
int journal_tick(journal_t *j, const report_t *r, int64_t now_ns, int final);

/* Once per loop step: records local state changes of the oms's orders, asks again about
   earlier orders still unanswered, and wakes the writer. */
void journal_flush(journal_t *j, int64_t now_ns);
/* Waits until everything handed over so far is committed (the intent log written first). */
void journal_sync(journal_t *j);

/* Direct writes (the hooks and journal_post use these; tests too). */
int journal_fill(journal_t *j, const venue_event_t *ev);
int journal_balance(journal_t *j, const venue_event_t *ev);

typedef struct journal_stats {
    int64_t intents, events, fills, duplicate_fills, balances, latencies, commits, errors, marks;
    int64_t intent_writes;  /* appends to the intent log */
    int64_t ring_waits;     /* the writer's ring was full: the trading thread waited */
    int64_t reconciled;     /* earlier runs' orders whose final state this run wrote */
} journal_stats_t;
/* (waits for the writer first) */
const journal_stats_t *journal_stats(journal_t *j);
/* the last SQLite or intent-log error message ("" when none) */
const char *journal_error(journal_t *j);

#endif
