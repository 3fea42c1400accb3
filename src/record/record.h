/* record.h: `quoter record`: collects Binance market data into the collector format the
 * backtester, `verify`, `stats` and `quoter exchange` read, with the live client's own
 * connections (venue/binance/net.c: one stream connection, reconnects with backoff and
 * jitter, rotation before the 24 h limit) and REST requests (rest.c).
 *
 * Files: DIR/SYMBOL/YYYYMMDD.gz, one per symbol per UTC day of the local receive time (a
 * later start on a day that has its file already writes YYYYMMDD.1.gz, .2.gz, ...: a file
 * is never appended to or overwritten). A line is `<local receive ns> <raw JSON>`, the text
 * exactly as received: combined-stream messages ({"stream":...,"data":...}), REST depth
 * snapshots ({"lastUpdateId":...}) and, first in every file, the symbol's GET
 * /api/v3/exchangeInfo?symbol=S answer (it carries "symbols": readers take the tick, step
 * and filters from it). A snapshot is written after every file's first depth diff, every
 * reconnect and every gap in the diffs (U > previous u + 1, as book/sync.c judges), so
 * every file synchronises from its own lines. Beside each file, YYYYMMDD.summary.json:
 * its counts, its gaps (with their time spans) and whether it was finished cleanly.
 *
 * Writing: gzip streamed by zlib (record/gzw.h), made readable on disk every flush interval
 * (sync flush: a killed recorder leaves a file readable to its last flush, whole lines),
 * finished (gzip trailer) at the day's end and on stop.
 *
 * A rotation (serverShutdown, or the connection's age) opens the new socket before the old
 * one closes; each stream switches over at a message both sockets delivered, found by its
 * id (depth: u, bookTicker: u, trade: t, aggTrade: a; other streams by their text), so
 * nothing is lost or written twice across the overlap. */
#ifndef Q_RECORD_H
#define Q_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define REC_MAX_SYMBOLS 256
#define REC_MAX_STREAMS 1024     /* Binance: streams per connection */

typedef struct record_options {
    const char *symbols[REC_MAX_SYMBOLS]; /* upper case */
    int nsymbols;
    const char *streams;        /* "depth@100ms,bookTicker,trade" */
    const char *out_dir;
    const char *stream_url;     /* wss://stream.binance.com:9443 (/stream?streams=... added) */
    const char *rest_url;       /* https://api.binance.com */
    int depth_limit;            /* the snapshots' limit */
    int gzip_level;
    double flush_s, status_s, max_conn_age_s, seconds; /* seconds 0: until a signal */
    int64_t clock_offset_ns;    /* tests only: added to the clock that stamps and dates lines */
    int quiet;
    const char *metrics_addr;   /* NULL: no metrics page */
    int metrics_port;
} record_options_t;

/* Records until record_request_stop() (a signal) or o->seconds. 0 when it stopped cleanly
   (every file finished), else an error in err. */
int record_run(const record_options_t *o, char *err, size_t errcap);
/* async-signal-safe */
void record_request_stop(void);

/* exposed for the tests: the integer after "key": in a JSON text (the first one), or -1 */
int64_t record_json_int(const char *p, size_t n, const char *key);

#endif
