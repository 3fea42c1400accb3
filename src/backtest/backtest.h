/* backtest.h: a backtest: recordings -> engine + simulated venue -> report.
 *
 * Two clocks, as in hftbacktest. Every market event has a local receive time L (the
 * recording's) and an exchange time X <= L on the local clock (core/clock.h's causal
 * offset): a trade at its trade time T, a depth diff at its event time E, a bookTicker
 * (no time) at L less the estimated feed delay. The exchange side (the sim, on a book of
 * its own) runs in X order; the engine runs in L order. Before the engine takes the
 * event at L, the exchange side handles, in time order, every request reaching it and
 * every market event with a time <= L (a request before a market event of the same
 * time, a trade before a book event of the same time); then the venue's answers due by L
 * reach the oms, the engine applies the event, and the strategy decides at L. So the
 * exchange may see an event before the engine receives it (that is what latency is),
 * while the engine sees nothing before it is received.
 *
 * Trades reach the recording late (E - T: 1 ms median, 204 ms p99 on the shared
 * recording), so the exchange side reads ahead BT_LOOKAHEAD_NS of local time. An event
 * read after the exchange side passed its time (L - X beyond the read-ahead) is matched
 * at once and counted (sim.st.late_events). The engine's decisions before local time x
 * depend only on the data received by x + BT_LOOKAHEAD_NS.
 *
 * With sim.chaos > 0 a chaos venue sits between the sim and the engine (venue/chaos), and
 * its held events are pumped after the answers are delivered.
 * The same config and data give byte-identical output. */
#ifndef Q_BACKTEST_H
#define Q_BACKTEST_H

#include "../core/clock.h"
#include "../feed/replay.h"
#include "../venue/chaos/chaos.h"
#include "../venue/sim/sim.h"
#include "report.h"

#define BT_LOOKAHEAD_NS 2000000000LL /* read-ahead of the exchange side, local time */
#define BT_QUEUE 32768                 /* events read ahead at most */
#define BT_LEVELS (1 << 17)            /* their diff and snapshot levels at most */

/* a market event read ahead, with its exchange time */
typedef struct bt_item {
    md_event_t ev;            /* levels point into the backtest's level ring */
    int64_t x;                /* exchange time, on the local clock */
    int64_t seq;              /* recording order */
    int64_t lv_end;           /* the level ring's tail after this event's levels */
} bt_item_t;

typedef struct backtest {
    const config_t *cfg;
    const config_exact_t *x;
    replay_t rp;
    sim_t sim;
    latency_t lat;            /* sim.latency_model's model when not constant (sim.lat points here) */
    chaos_t *chaos;           /* between the sim and the engine when sim.chaos > 0 (else NULL) */
    int chaos_on;
    int64_t violations;       /* with chaos: oms_check() failures summed over every step */
    engine_t eng;
    exch_clock_t clock;
    /* the exchange side: its book, the read-ahead (recording order; the engine takes from
       qhead, the exchange's book from xq) and the trades it has not matched yet (a heap by
       their time) */
    book_t xbook;
    book_sync_t xsync;
    bt_item_t *q;
    int64_t qhead, qtail, xq;
    md_level_t *lv;
    int64_t lvhead, lvtail;
    bt_item_t *trades;
    int ntrades;
    int64_t xnow;             /* the exchange side has handled everything up to here */
    int eof, pending;         /* pending: an event read that did not fit yet (in `next`) */
    md_event_t next;
    report_t rep;
    int64_t from_ns, to_ns;   /* a group's lane: its window of local time (bt_group_t) */
    int lane_done;
    struct bt_group *group;   /* backtest_run's own group of one (freed by backtest_free) */
    char err[512];
} backtest_t;

/* Runs the whole backtest; out_dir may be NULL. Returns 0 or an error with bt->err set.
   bt is large: give it static storage or the heap. It is a group of one lane (below): one
   loop for a backtest and a sweep, so that a sweep's row is the backtest's by construction.
   After it, bt->rp.syms holds the symbols the replay saw and bt->clock the feed's clock. */
int backtest_run(backtest_t *bt, const config_t *c, const config_exact_t *x, char **files, int nfiles,
                 const char *out_dir);
/* After backtest_run: cancels every order and lets time run on without market events, in
   steps, until every order is resolved (terminal, its trades booked) and the venue is
   quiet, or max_ns has passed. Returns the orders still unresolved. For the tests'
   invariants (the ledger equals the venue's balances once everything is told).
   max_ns <= 0: as long as the oms's own deadlines need, BT_DRAIN_WAITS of its longest
   (oms_longest_wait_ns: 4 request timeouts). Under chaos an order is resolved only when
   one of its requests gets through and its answer is told; past 8 queries the oms asks
   once per longest wait, so the drain's patience is counted in those, not in seconds. */
#define BT_DRAIN_WAITS 100 /* the slowest drains found: 20.5 waits at chaos 0.2 (synthetic seed
                               1006), 48 at 0.3 (of 2000 sweep seeds, the next 29); the tail
                               falls about tenfold every 10 waits */
int backtest_drain(backtest_t *bt, int64_t max_ns, int64_t step_ns);
void backtest_free(backtest_t *bt);

/* ---- a group: one decode of the data feeds many backtests ("lanes") -----------------
 * Our orders do not move the replayed market, so everything market-only is done once for
 * the group: the replay (read and decode), the read-ahead, the exchange clock and the
 * exchange side's book. Each lane keeps its own simulated venue (on that shared book, which
 * a sim only reads), latency model, chaos venue, engine and report. The exchange side
 * handles, before each market event, every lane's requests due by its time, then applies
 * the event to the book once and hands it to every lane's sim; on the engines' side the
 * same: one book at local time that every lane's engine reads (engine_t's shared_book),
 * updated after every lane's venue answers are delivered and before any engine takes the
 * event. backtest_run is a group of one lane, so a lane's report and files are byte-for-byte
 * those of a backtest of the same config and data (test_sweep checks it).
 * A lane may have a window [from_ns, to_ns) of local time: before from_ns its engine only
 * takes market events (its book syncs, nothing is decided or reported), at to_ns it
 * stops; the whole data is (INT64_MIN, INT64_MAX), as bt_lane_open sets it. */
typedef struct bt_group {
    backtest_t *feed;         /* the replay, the read-ahead, the clock, the exchange's book */
    book_t ebook;             /* the engines' book, at local time (engine_t's shared_book) */
    book_sync_t esync;
    book_top_t etop;          /* ebook's top after the event (engine_t's shared_top) */
    backtest_t **lane;        /* the caller's lanes (bt_lane_open), n of them */
    int n, cap, nactive;
    backtest_t **active;      /* lanes still running */
    int64_t events;           /* events taken so far (for progress lines) */
    char err[512];
} bt_group_t;

/* Opens the group's feed on the files; rules: the decoder's (every lane's symbol rules must
   be these). Returns 0 or an error with g->err set. */
int bt_group_open(bt_group_t *g, char **files, int nfiles, const symbol_rules_t *rules, int max_lanes);
/* Adds a lane: bt (caller's storage, large, zeroed: calloc it) set up like backtest_run with c, x and out_dir
   (may be NULL), on the group's book. Returns 0 or an error with bt->err set. */
int bt_lane_open(bt_group_t *g, backtest_t *bt, const config_t *c, const config_exact_t *x, const char *out_dir);
/* Runs every lane to the end of the data (or of its window). `tick`, when given, is called
   every 4096 events with the group (for progress). Each lane's report is closed as it
   ends. Returns 0 or an error with g->err set. */
int bt_group_run(bt_group_t *g, void (*tick)(void *ctx, const bt_group_t *g), void *ctx);
/* Frees the feed (not the lanes: backtest_free each, then free its storage). */
void bt_group_free(bt_group_t *g);
/* The first and last local times of the files' lines (their prefixes only: no decode).
   Returns 0 or an error with err set. */
int bt_span(char **files, int nfiles, int64_t *first_ns, int64_t *last_ns, char *err, size_t errcap);

#endif
