/* metrics.h: the live run's Prometheus metrics (`quoter run --metrics ADDR:PORT`): their
 * registry (names, types, help: one table in metrics.c) and their rendering in the text
 * exposition format 0.0.4 served at GET /metrics.
 *
 * The live loop keeps its counters where they are counted (the ledger, the oms, the venue's
 * bn_stats_t, its own); at each scrape it copies them into a metrics_snapshot_t and this
 * module writes the page. Nothing is counted twice, and nothing here runs on the hot path
 * but the histograms' observe (core/hist.h), which the loop and the venue call.
 *
 * Every family has # HELP and # TYPE lines; counters end in _total; durations are in
 * seconds (histograms observe nanoseconds, written as exact decimals); money in the quote
 * asset, quantities in the base asset. */
#ifndef Q_METRICS_H
#define Q_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "../core/hist.h"

#define METRICS_EVENT_TYPES 13 /* venue.h's venue_event_type_t, VEV_ACK .. VEV_TRANSFER */

typedef struct metrics_snapshot {
    int64_t events[METRICS_EVENT_TYPES]; /* venue events by type */
    int64_t order_requests;   /* order requests written (place, cancel, replace, cancel all) */
    int64_t api_requests, api_errors; /* every WebSocket API request; error answers */
    int64_t fills, maker_fills;
    double volume_base[2];    /* traded, base asset: [0] bought, [1] sold */
    double volume_quote[2];   /* traded, quote asset: [0] bought, [1] sold */
    double pnl_realized;      /* quote asset (fees included) */
    double pnl_total;         /* quote asset, marked at the mid: equity - transfers - start equity */
    double inventory;         /* base asset, relative to the start */
    double mid;               /* quote per base; 0 until known */
    int open_orders;
    int64_t reconnects, resyncs, unknowns, rate_limited, rotations;
    int64_t unvalued_fees;    /* fills whose fee is in an asset without a price (left out of PnL) */
    int64_t md_messages, md_bad;
    double clock_offset_s;    /* the exchange's clock minus ours */
    int orders_used;          /* new orders in the venue's 10 s window (ours or its count, the larger) */
    int orders_limit;         /* the budget for that window (0: none) */
    int healthy;              /* 1 while quoting is allowed */
    const hist_t *tick_to_order; /* ns: a market message's arrival to the order request it caused */
    const hist_t *round_trip;    /* ns: an order request written to its answer */
} metrics_snapshot_t;

/* Renders the page into a new buffer (*out, freed by the caller; *len its length without the
   NUL). 0 or Q_E_NOMEM. */
int metrics_render(const metrics_snapshot_t *s, char **out, size_t *len);

/* the Content-Type of the page */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Parses --metrics ADDR:PORT: an IPv4 address (or `localhost`), a colon, a port 1..65535.
   0, or Q_E_INVAL with err saying what is wrong. */
int metrics_parse_addr(const char *s, char *addr, size_t cap, int *port, char *err, size_t errcap);
/* 1 when addr (IPv4, as metrics_parse_addr gives it) is a loopback address (127.0.0.0/8): the
   page has no authentication, so any other address shows it to whoever can reach the host */
int metrics_loopback(const char *addr);
/* Tries to bind ADDR:PORT (then lets it go): 0 when it could listen there, or Q_E_IO with err
   saying why (a port already taken says so). */
int metrics_probe(const char *addr, int port, char *err, size_t errcap);

#endif
