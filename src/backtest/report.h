/* report.h: what a backtest measured, and how it is printed: the text report, the JSON
 * object (key names documented in docs/backtest-report.md and kept stable), and with an
 * output folder orders.csv, fills.csv, equity.csv and chart.png (gnuplot). */
#ifndef Q_REPORT_H
#define Q_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "../engine/engine.h"
#include "../venue/sim/sim.h"
#include "markout.h"

typedef struct report {
    const char *title;               /* "backtest" (NULL) or "run" */
    const engine_t *eng;
    const struct sim *sim;           /* for fill-cause counts; may be NULL */
    const struct chaos *chaos;       /* the chaos venue's counts; NULL when off */
    int64_t start_ns, end_ns;        /* first and last event, local */
    int64_t events, bad_lines, gaps, offgrid;
    double start_mid, end_mid, start_equity;
    double peak_equity, max_drawdown;
    int64_t last_ns;                 /* for time weighting */
    int64_t ready_ns;                /* time with a synchronised book */
    int64_t two_sided_ns;            /* time with a live bid and a live ask */
    double spread_ticks_ns;          /* integral of (our ask - our bid) in ticks over two-sided time */
    double spread_bps_ns;
    int64_t next_sample_ns, sample_ns;
    FILE *orders_csv, *fills_csv, *equity_csv;
    int64_t fills_written;
    /* what a trader reads to judge the fills (docs/backtest-report.md) */
    markout_t markouts;              /* fed by report_on_fill and report_on_event */
    int fills_replayed;              /* `quoter history`: the fills are told again from a journal, long
                                        after the mids; the markouts come from the journaled state */
    int64_t fills_by[VFILL_TAKER + 1]; /* fills told, by what made them (venue_fill_by_t) */
    __int128 maker_notional;         /* maker fills' price x qty, tick*lot units */
    __int128 maker_notional_qfee;    /* of those charged in quote, another asset or nothing */
    int64_t maker_lots_bfee;         /* qty of the maker fills charged in base, lots */
    double maker_fees_qvalue;        /* maker fees charged in quote or another asset, valued in quote */
    double maker_fees_base;          /* maker fees charged in base, base units */
    /* our best live bid and ask as oms_best_live last said, while the oms's gen stands
       (orders change on a few events of every thousand; the report asks on each) */
    int64_t best_bid, best_ask;
    uint64_t best_gen;
    int best_known;
} report_t;

/* out_dir may be NULL (no files). Returns 0 or an error (the folder cannot be written). */
int report_open(report_t *r, const engine_t *e, const char *out_dir, double sample_s, char *err, int errcap);
/* Called after every event: time-weighted statistics, drawdown, equity samples. */
void report_on_event(report_t *r, int64_t now_ns);
/* oms hooks */
void report_on_fill(void *ctx, const order_t *o, const venue_event_t *ev, double fee_quote);
void report_on_done(void *ctx, const order_t *o);
/* Finishes the files (orders still open are written as they stand). */
void report_close(report_t *r);
void report_print_text(const report_t *r, FILE *f, const char *const *files, int nfiles);
void report_print_json(const report_t *r, FILE *f);
/* The same object with `extra` (",\"key\":value...", or NULL) before its closing brace:
   `quoter history` adds what only a live run has (docs/backtest-report.md). */
void report_print_json_extra(const report_t *r, FILE *f, const char *extra);
/* One equity.csv row at `now` with the given mid and our best bid and ask (ticks, 0 none),
   from the ledger as it stands; nothing without an output folder. `quoter history` writes
   the journal's marks with it; the backtest samples through report_on_event. */
void report_sample_at(report_t *r, int64_t now, double mid, int64_t bid, int64_t ask);
/* The maker fee rate at which the run's PnL would equal holding's, its fills as they were
   (docs/backtest-report.md): (return_vs_hold + maker fees valued at end_mid) / (maker volume,
   fills charged in base valued at end_mid). Returns 0, or Q_E_INVAL without maker volume. */
int report_breakeven_maker_fee(const report_t *r, double *fee);
/* The same from its parts (what the test checks by hand). */
int report_breakeven_fee_of(double vs_hold, double maker_fees_end, double maker_volume_end, double *fee);
/* chart.png from the CSV files; returns 0, or non-zero when gnuplot is missing or failed. */
int report_chart(const char *out_dir, const char *symbol);

#endif
