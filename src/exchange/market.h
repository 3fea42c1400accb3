/* market.h: the local exchange's market: a recording (or the synthetic market) replayed
 * at real speed or faster, looping if asked, into an order book, the latest bookTicker and
 * recent trades, and re-encoded as Binance stream messages stamped with the current time.
 *
 * Looping keeps update ids and trade ids increasing: each pass adds an offset, so clients
 * that check `U == previous u + 1` see one continuous stream (with one announced gap per
 * loop: the book is re-snapshotted). Nothing here knows about sockets: the server asks
 * market_poll() for due messages and publishes them. */
#ifndef Q_MARKET_H
#define Q_MARKET_H

#include <stdint.h>

#include "../book/sync.h"
#include "../feed/replay.h"

#define MARKET_TRADES 1000
#define MARKET_MINUTES 1440 /* the 24 h statistics, kept per minute */
#define MARKET_KLINE_MAX_MINUTES 10080 /* the longest kline interval accepted (1w) */
/* A query parameter that was not sent (startTime=0 is the epoch, fromId=0 the first trade). */
#define MARKET_ABSENT INT64_MIN
/* Times are clamped to [0, MARKET_MAX_MS] (9999-12-31 23:59:59.999 UTC) before any arithmetic,
   so no client value can overflow a window or kline bound. */
#define MARKET_MAX_MS 253402300799999LL

typedef enum market_stream {
    MS_TRADE = 0,
    MS_BOOKTICKER,
    MS_DEPTH_100MS,   /* diffs as they come (the recording's 100 ms ones) */
    MS_AGGTRADE,
    MS_DEPTH_1S,      /* <s>@depth: the diffs of each second merged */
    MS_DEPTH5, MS_DEPTH10, MS_DEPTH20,             /* partial books every second */
    MS_DEPTH5_100, MS_DEPTH10_100, MS_DEPTH20_100, /* ... every 100 ms */
    MS_TICKER, MS_MINI_TICKER,                     /* the rolling 24 h statistics, every second */
    MS_NSTREAMS
} market_stream_t;

typedef struct market_trade {
    uint64_t id;
    int64_t price, qty, time_ms;
    int buyer_maker;
} market_trade_t;

/* one minute of trades, for GET /api/v3/ticker/24hr (exact: ticks, lots, tick*lot) */
typedef struct market_minute {
    int64_t minute;              /* time / 60000 ms; 0: empty */
    int64_t open, high, low, close;
    int64_t volume, taker_buy;   /* lots; taker_buy: of trades whose buyer took */
    __int128 quote, taker_buy_quote;
    uint64_t first_id, last_id, count;
} market_minute_t;

typedef struct market {
    const symbol_rules_t *rules;
    char lower[24];              /* symbol in lower case, for stream names */
    char **files;
    int nfiles, loop;
    double speed;
    replay_t rp;
    int open;
    book_t book;
    book_sync_t sync;
    market_trade_t trades[MARKET_TRADES];
    uint64_t ntrades;
    market_minute_t minutes[MARKET_MINUTES];
    int64_t evicted_close;       /* the close of the newest minute overwritten (prevClosePrice) */
    int64_t first_local;         /* local ns of the first event of this pass */
    int64_t wall_start_ns;       /* wall time the pass started */
    uint64_t id_offset, trade_offset, last_id, last_trade_id;
    int have_event;
    md_event_t ev;               /* the next event, not yet due */
    int64_t passes;
    char err[256];
    /* <s>@depth (1 s): the levels changed since the last emission */
    md_level_t *chg;
    unsigned char *chg_side;
    int nchg, capchg;
    uint64_t chg_first, chg_last;
    /* called after each event is applied to the book (the exchange matches user orders) */
    void (*on_event)(void *ctx, const md_event_t *ev, int64_t now_ns);
    void *event_ctx;
} market_t;

int market_open(market_t *m, const symbol_rules_t *r, char **files, int nfiles, double speed, int loop,
                int64_t wall_now_ns);
void market_close(market_t *m);

/* Applies the events due by wall time `now`, at most MARKET_POLL_BUDGET of them (a fast
   replay, or a server that fell behind, must not hold the event loop: the rest is due at
   once, after the server has served its clients); for each, calls emit(ctx, stream, json,
   len) with the Binance stream payload (not the combined-stream wrapper). Returns the wall
   time the next event is due (`now` when the budget ran out), or INT64_MAX at the end of a
   non-looping replay. */
#define MARKET_POLL_BUDGET 1024
int64_t market_poll(market_t *m, int64_t now_ns,
                    void (*emit)(void *ctx, market_stream_t s, const char *json, int len), void *ctx);

/* The periodic streams due at this tick: every 100 ms the @100ms partial books, every
   second the partial books and the merged <s>@depth diff. `want` has a bit per stream with
   subscribers; nothing is built for the others. */
void market_periodic(market_t *m, int64_t now_ns, uint32_t want, int second,
                     void (*emit)(void *ctx, market_stream_t s, const char *json, int len), void *ctx);

/* REST bodies, written into buf (returns the length, or -1 if buf is too small). */
int market_depth_json(const market_t *m, int limit, char *buf, int cap);
int market_trades_json(const market_t *m, int limit, char *buf, int cap);
/* aggTrades (one trade each here, as the recording has no aggregation) among the recent
   trades, as GET /api/v3/aggTrades: from trade id from_id, within [start_ms, end_ms] (both
   inclusive); each MARKET_ABSENT when not sent. With fromId or startTime the oldest `limit`
   that qualify, else the newest `limit`; "[]" when none does (any values: a negative or
   far-future bound just selects nothing or everything; limit < 1 gives "[]"). */
int market_aggtrades_query_json(const market_t *m, int limit, int64_t from_id, int64_t start_ms, int64_t end_ms,
                                char *buf, int cap);
int market_bookticker_json(const market_t *m, char *buf, int cap);
/* klines of `minutes` minutes (1..MARKET_KLINE_MAX_MINUTES; Binance's 1m .. 1d) from the last
   24 h of minutes at now_ms, aligned to the interval from the epoch (UTC), as GET
   /api/v3/klines lists them: those opening at or after start_ms and at or before end_ms
   (MARKET_ABSENT: not sent; 0 is the epoch), from the kline of the first trade kept to the one
   open now; the oldest `limit` from start_ms, else the newest `limit`. "[]" when nothing is in
   range (a start after the newest kline, an end before the oldest). Every loop is bounded by
   the minutes kept, whatever the arguments. -1 when buf is too small or minutes is out of
   range. */
int market_klines_query_json(const market_t *m, int64_t now_ms, int minutes, int64_t start_ms, int64_t end_ms,
                             int limit, char *buf, int cap);
/* the volume-weighted price of the last `mins` minutes' trades ("avgPrice"; at most the
   MARKET_MINUTES kept are looked at) */
int market_avgprice_json(const market_t *m, int64_t now_ms, int mins, char *buf, int cap);
/* the rolling 24 h statistics at now_ms, by minute; mini: Binance's type=MINI subset */
int market_ticker24_json(const market_t *m, int64_t now_ms, int mini, char *buf, int cap);

#endif
