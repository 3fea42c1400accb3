/* latency.h: the simulated venue's order latency: how long a request takes to reach the
 * exchange (entry) and an answer or fill to reach us (response), as in hftbacktest's
 * LatencyModel. Three models:
 *
 *  - constant: entry and response fixed (sim.entry_latency_ms, sim.response_latency_ms).
 *  - lognormal: each leg is a share of a round trip drawn from a log-normal distribution
 *    given by its median and its 99th percentile (ln R ~ N(ln median, sigma), sigma =
 *    ln(p99 / median) / 2.3263); entry = share * R1, response = (1 - share) * R2, R1 and R2
 *    independent. Draws come from a seeded generator of our own (splitmix64, two streams:
 *    one for entries, one for responses), so the same seed gives the same run anywhere.
 *    A draw is capped at 60 s (sim.entry_latency_ms's own limit).
 *  - file: measured round trips, the CSV `quoter history --latency-csv` writes
 *    (kind,sent_ns,answered_ns,rtt_ns). A row's round trip is split like hftbacktest's
 *    OrderLatencyRow (req_ts, exch_ts, resp_ts): it reached the exchange at sent + share *
 *    rtt and was answered at answered_ns. The entry latency at time t is interpolated
 *    linearly by sent time between the rows around t, the response latency by the rows'
 *    exchange-arrival time (as IntpOrderLatency does). Every kind of request counts. A
 *    round trip over 60 s counts as 60 s (a stall; the sim's times stay in range).
 *    Times: the file is of another day than the recording, so only its shape is used: the
 *    first time the model is asked is mapped to the file's first row, and time runs on
 *    from there; past the last row the file starts over (it loops, its first row coming
 *    one mean row spacing after its last, interpolated across the seam). A file from a
 *    short live run thus covers a recording of any length, and its latency pattern
 *    (bursts, quiet spells) comes back as it was measured.
 *
 * One connection keeps its order: a varying latency never lets a request overtake an
 * earlier one, nor an answer an earlier answer (the sim's rings are first in, first out);
 * such a draw is raised to the earlier one's arrival. With a constant latency and times
 * that never go back this changes nothing. */
#ifndef Q_LATENCY_H
#define Q_LATENCY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LATENCY_MAX_NS 60000000000LL /* 60 s: a draw's cap */
#define LATENCY_MAX_ROWS 1000000     /* a file's rows (32 bytes each in memory) */

typedef enum latency_kind { LAT_CONSTANT = 0, LAT_LOGNORMAL, LAT_FILE } latency_kind_t;

typedef struct lat_point {
    int64_t t;   /* file: ns since the first row's sent time, in [0, period) */
    int64_t lat; /* ns */
} lat_point_t;

typedef struct latency {
    latency_kind_t kind;
    int64_t entry_ns, response_ns; /* constant */
    double mu, sigma, share;       /* lognormal (mu, sigma of ln round trip); share: entry's part */
    uint64_t rng_entry, rng_resp;  /* lognormal: the two generators' states */
    lat_point_t *entry_pts, *resp_pts; /* file: sorted by t */
    int n;                         /* file: rows */
    int64_t first_sent;            /* file: its first row's sent_ns */
    int64_t period;                /* file: the loop's length (0: one row) */
    int anchored;                  /* file: origin is set */
    int64_t origin;                /* file: the time mapped to the first row */
    int have_entry, have_resp;
    int64_t last_entry_at, last_resp_at; /* the latest arrival handed out, each way */
} latency_t;

/* Fixed latencies (ns, >= 0). Cannot fail; nothing to free (latency_free is harmless). */
void latency_constant(latency_t *l, int64_t entry_ns, int64_t response_ns);
/* Round trips log-normal with this median and 99th percentile (ns; 0 < median <= p99);
   share in [0, 1]: the entry's part of a round trip. 0, or Q_E_INVAL with err set. */
int latency_lognormal(latency_t *l, double median_ns, double p99_ns, double share, uint64_t seed, char *err,
                      size_t errcap);
/* Reads a latency file (see above). 0, or an error with err set naming the file and the
   line: the header is not `kind,sent_ns,answered_ns,rtt_ns`; a row has not four fields, a
   kind that is not a word, or a field that is not an integer; a time is negative or
   beyond INT64_MAX / 2; rtt_ns is negative or not
   answered_ns - sent_ns; rows not in order of sent_ns; no rows; all rows at one time; more
   than LATENCY_MAX_ROWS rows. Nothing is held after an error. */
int latency_load(latency_t *l, const char *path, double share, char *err, size_t errcap);
/* The same from an open stream (not closed); path names it in errors. */
int latency_read(latency_t *l, FILE *f, const char *path, double share, char *err, size_t errcap);
void latency_free(latency_t *l);

/* The entry latency of a request sent at local time now_ns (ns, >= 0). */
int64_t latency_entry(latency_t *l, int64_t now_ns);
/* The response latency of an answer or fill the exchange sends at exchange time exch_ns. */
int64_t latency_response(latency_t *l, int64_t exch_ns);

/* The models' raw values, without the ordering rule above (for tests and tools): the
   file's interpolation at time t (t on the file's clock: its first row is at the row's
   sent_ns; outside the file it loops); a lognormal draw of a whole round trip. */
int64_t latency_file_entry_at(const latency_t *l, int64_t file_t);
int64_t latency_file_response_at(const latency_t *l, int64_t file_t);
int64_t latency_draw_rtt(latency_t *l, uint64_t *state);

#endif
