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
 * Durability, honestly: one connection, WAL mode, synchronous=NORMAL. A new order's intent
 * is inserted in the oms's on_send hook, before the venue call, and COMMITTED by
 * journal_commit, which the live client calls before it writes any bytes to a socket
 * (net_t.before_write; the binance venue only queues a request, it leaves on a later loop
 * step): so an intent is on disk before its request leaves, with one commit for all the
 * orders of a decision. Other rows are committed then or once per loop step
 * (journal_flush). A commit in WAL mode with synchronous=NORMAL is a write() into the WAL
 * file without fsync: it survives a process crash (kill -9, a segfault), NOT a power loss
 * or a kernel crash, which may lose the last commits. The WAL is copied into the database
 * (a checkpoint, with its fsync) by a thread of the journal's own with its own connection,
 * every second, never by the trading thread's commits.
 *
 * Reconciliation after a crash: journal_run_begin() loads the earlier runs' orders that are
 * not terminal in the journal. After the run's first sync (VEV_SYNC_DONE), those the oms
 * found open (adopted or canceled by it) follow the oms; the others are asked about
 * (order.status, then their trades) by the journal itself: their answers update their rows
 * and are not handed to the oms (their trades are in the balances the sync told); one still
 * open is canceled. An order the exchange never heard of (the process died between the
 * intent and the send) becomes REJECTED "not found at the exchange".
 *
 * A journal write that fails is counted and reported; a failed intent insert stops the order
 * from being sent (the oms treats it as not sent). A commit that fails (a full disk) is
 * counted and reported; the requests go out anyway (a run after it reconciles them with the
 * exchange by their client id prefix). */
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
/* Commits what is pending and closes. NULL is fine. */
void journal_close(journal_t *j);
/* A new run row (this run's id, > 0, or a negative error); loads the earlier runs' orders
   not terminal (journal_earlier_open() says how many). rules and oms outlive the journal's
   use; oms may be NULL (tests). */
int64_t journal_run_begin(journal_t *j, int64_t started_ns, const char *config_text, const symbol_rules_t *rules,
                          const char *prefix, oms_t *oms);
void journal_run_end(journal_t *j, int64_t ended_ns, int exit_status);
int journal_earlier_open(const journal_t *j);

/* the oms hooks (oms_hooks_t.on_done, oms_send_hook_t.on_send: ctx = the journal) */
/* Commits what the journal holds (nothing when nothing was written): net_t.before_write. */
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
   earlier orders still unanswered, and commits. */
void journal_flush(journal_t *j, int64_t now_ns);

/* Direct writes (the hooks and journal_post use these; tests too). */
int journal_fill(journal_t *j, const venue_event_t *ev);
int journal_balance(journal_t *j, const venue_event_t *ev);

typedef struct journal_stats {
    int64_t intents, events, fills, duplicate_fills, balances, latencies, commits, errors, marks;
    int64_t reconciled;     /* earlier runs' orders whose final state this run wrote */
} journal_stats_t;
const journal_stats_t *journal_stats(const journal_t *j);
/* the last SQLite error message ("" when none) */
const char *journal_error(const journal_t *j);

#endif
