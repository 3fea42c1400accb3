/* latency.c: the simulated venue's order latency models (see latency.h). */
#include "latency.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/err.h"
#include "../../core/rng.h"
#include "../../proto/params.h" /* proto_parse_i64: a field read whole, digits only */

#define Z99 2.3263478740408408 /* the standard normal's 99th percentile */

void latency_constant(latency_t *l, int64_t entry_ns, int64_t response_ns) {
    memset(l, 0, sizeof *l);
    l->kind = LAT_CONSTANT;
    l->entry_ns = entry_ns;
    l->response_ns = response_ns;
}

void latency_free(latency_t *l) {
    free(l->entry_pts);
    free(l->resp_pts);
    l->entry_pts = l->resp_pts = 0;
    l->n = 0;
}

/* ---- lognormal ------------------------------------------------------------------- */

/* (splitmix64, core/rng.h: small, fast, the same sequence on every platform) */
/* uniform in (0, 1]: never 0, so its log is finite */
static double uniform(uint64_t *s) {
    return (double)((splitmix64(s) >> 11) + 1) * (1.0 / 9007199254740992.0);
}

int latency_lognormal(latency_t *l, double median_ns, double p99_ns, double share, uint64_t seed, char *err,
                      size_t errcap) {
    memset(l, 0, sizeof *l);
    if (!(median_ns > 0) || !(p99_ns >= median_ns) || !isfinite(p99_ns)) {
        snprintf(err, errcap, "lognormal latency: the median (%.3f ms) must be above 0 and at most the p99 (%.3f ms)",
                 median_ns / 1e6, p99_ns / 1e6);
        return Q_E_INVAL;
    }
    if (!(share >= 0 && share <= 1)) {
        snprintf(err, errcap, "latency: the entry share (%g) must be in [0, 1]", share);
        return Q_E_INVAL;
    }
    l->kind = LAT_LOGNORMAL;
    l->mu = log(median_ns);
    l->sigma = log(p99_ns / median_ns) / Z99;
    l->share = share;
    /* two streams, so the number of answers drawn does not shift the entries' draws */
    l->rng_entry = seed;
    l->rng_resp = seed ^ 0xD1B54A32D192ED03ULL;
    return 0;
}

int64_t latency_draw_rtt(latency_t *l, uint64_t *state) {
    /* Box-Muller, the cosine half only (one normal per draw keeps the streams simple) */
    double u1 = uniform(state), u2 = uniform(state);
    double z = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
    double r = exp(l->mu + l->sigma * z);
    if (!(r < (double)LATENCY_MAX_NS)) return LATENCY_MAX_NS;
    return (int64_t)llround(r);
}

/* ---- file ------------------------------------------------------------------------- */

static int cmp_point(const void *a, const void *b) {
    const lat_point_t *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t ? 1 : (x->lat > y->lat) - (x->lat < y->lat);
}

#define FAIL(...)                                   \
    do {                                            \
        snprintf(err, errcap, __VA_ARGS__);         \
        rc = Q_E_PARSE;                             \
        goto out;                                   \
    } while (0)

int latency_load(latency_t *l, const char *path, double share, char *err, size_t errcap) {
    memset(l, 0, sizeof *l);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errcap, "%s: cannot read: %s", path, strerror(errno));
        return Q_E_IO;
    }
    int rc = latency_read(l, f, path, share, err, errcap);
    fclose(f);
    return rc;
}

int latency_read(latency_t *l, FILE *f, const char *path, double share, char *err, size_t errcap) {
    memset(l, 0, sizeof *l);
    if (!(share >= 0 && share <= 1)) {
        snprintf(err, errcap, "latency: the entry share (%g) must be in [0, 1]", share);
        return Q_E_INVAL;
    }
    int rc = 0, cap = 0, n = 0;
    long line = 0;
    char *buf = 0;
    size_t bufcap = 0;
    ssize_t len;
    int64_t prev_sent = 0;
    lat_point_t *e = 0, *r = 0;
    while ((len = getline(&buf, &bufcap, f)) >= 0) {
        line++;
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) buf[--len] = 0;
        if (strlen(buf) != (size_t)len) FAIL("%s:%ld: a NUL byte in the line (not a text file?)", path, line);
        if (line == 1) {
            if (strcmp(buf, "kind,sent_ns,answered_ns,rtt_ns"))
                FAIL("%s:1: not a latency file: the header must be kind,sent_ns,answered_ns,rtt_ns "
                     "(quoter history --latency-csv)", path);
            continue;
        }
        if (!len) continue; /* a blank line (a trailing one, say) carries nothing */
        char *fld[4], *p = buf;
        int nf = 0;
        for (;;) {
            char *comma = strchr(p, ',');
            if (nf < 4) fld[nf] = p;
            nf++;
            if (!comma) break;
            *comma = 0;
            p = comma + 1;
        }
        if (nf != 4) FAIL("%s:%ld: %d fields, want 4 (kind,sent_ns,answered_ns,rtt_ns)", path, line, nf);
        if (!*fld[0]) FAIL("%s:%ld: kind is empty", path, line);
        for (const char *k = fld[0]; *k; k++)
            if (!islower((unsigned char)*k) && *k != '_') FAIL("%s:%ld: kind \"%s\" is not a word", path, line, fld[0]);
        int64_t sent, answered, rtt;
        if (proto_parse_i64(fld[1], &sent)) FAIL("%s:%ld: sent_ns \"%s\" is not an integer", path, line, fld[1]);
        if (proto_parse_i64(fld[2], &answered))
            FAIL("%s:%ld: answered_ns \"%s\" is not an integer", path, line, fld[2]);
        if (proto_parse_i64(fld[3], &rtt)) FAIL("%s:%ld: rtt_ns \"%s\" is not an integer", path, line, fld[3]);
        if (sent < 0 || answered < 0) FAIL("%s:%ld: a time is negative", path, line);
        if (sent > INT64_MAX / 2 || answered > INT64_MAX / 2)
            FAIL("%s:%ld: a time is out of range (ns since 1970 are about 1.7e18)", path, line);
        if (rtt < 0) FAIL("%s:%ld: rtt_ns %lld is negative", path, line, (long long)rtt);
        if (answered - sent != rtt)
            FAIL("%s:%ld: rtt_ns %lld is not answered_ns - sent_ns (%lld)", path, line, (long long)rtt,
                 (long long)(answered - sent));
        if (n && sent < prev_sent)
            FAIL("%s:%ld: sent_ns %lld is before the row above's (%lld): rows must be in order of sent_ns, "
                 "as quoter history writes them", path, line, (long long)sent, (long long)prev_sent);
        if (n >= LATENCY_MAX_ROWS)
            FAIL("%s:%ld: more than %d rows; use a part of the file", path, line, LATENCY_MAX_ROWS);
        if (n == cap) {
            int nc = cap ? cap * 2 : 1024;
            if (nc > LATENCY_MAX_ROWS) nc = LATENCY_MAX_ROWS;
            lat_point_t *ne = realloc(e, (size_t)nc * sizeof *e);
            if (ne) e = ne;
            lat_point_t *nr = ne ? realloc(r, (size_t)nc * sizeof *r) : 0;
            if (nr) r = nr;
            if (!ne || !nr) {
                snprintf(err, errcap, "%s: %s", path, q_strerror(Q_E_NOMEM));
                rc = Q_E_NOMEM;
                goto out;
            }
            cap = nc;
        }
        /* an answer after a stall of minutes stays a long one, but the sim's times stay in range */
        if (rtt > LATENCY_MAX_NS) rtt = LATENCY_MAX_NS;
        /* as an OrderLatencyRow: req_ts = sent, exch_ts = sent + share * rtt, resp_ts = answered */
        int64_t entry = (int64_t)llround(share * (double)rtt);
        e[n] = (lat_point_t){sent, entry};
        r[n] = (lat_point_t){sent + entry, rtt - entry};
        prev_sent = sent;
        n++;
    }
    if (ferror(f)) {
        snprintf(err, errcap, "%s: read error: %s", path, strerror(errno));
        rc = Q_E_IO;
        goto out;
    }
    if (line == 0) FAIL("%s: empty: not a latency file (quoter history --latency-csv)", path);
    if (n == 0) FAIL("%s: no rows after the header: no round trip to use", path);
    int64_t first = e[0].t, span = e[n - 1].t - first;
    if (n > 1 && span == 0)
        FAIL("%s: all %d rows were sent at the same time: nothing to interpolate by time", path, n);
    if (span > INT64_MAX / 2) FAIL("%s: sent_ns spans too long a time", path);
    /* the loop: one mean row spacing after the last row, the first comes again */
    int64_t period = n > 1 ? span + (span + (n - 1) / 2) / (n - 1) : 0;
    for (int i = 0; i < n; i++) {
        e[i].t -= first;
        r[i].t -= first;
        if (period) {
            r[i].t %= period; /* an answer past the seam belongs to the loop's start */
            if (r[i].t < 0) r[i].t += period;
        }
    }
    qsort(r, (size_t)n, sizeof *r, cmp_point); /* exchange arrivals need not be in order of sending */
    l->kind = LAT_FILE;
    l->share = share;
    l->entry_pts = e;
    l->resp_pts = r;
    e = r = 0;
    l->n = n;
    l->first_sent = first;
    l->period = period;
out:
    free(e);
    free(r);
    free(buf);
    return rc;
}

/* the value at u of points p (sorted, t in [0, period)), linear between neighbours and,
   around the loop's seam, between the last point and the first of the next loop */
static int64_t interp(const lat_point_t *p, int n, int64_t period, int64_t u) {
    if (n == 1 || !period) return p[0].lat;
    u %= period;
    if (u < 0) u += period;
    double x1, x2;
    int64_t y1, y2;
    if (u < p[0].t) {
        x1 = (double)(p[n - 1].t - period), y1 = p[n - 1].lat;
        x2 = (double)p[0].t, y2 = p[0].lat;
    } else if (u >= p[n - 1].t) {
        x1 = (double)p[n - 1].t, y1 = p[n - 1].lat;
        x2 = (double)(p[0].t + period), y2 = p[0].lat;
    } else {
        int lo = 0, hi = n - 1; /* p[lo].t <= u < p[hi].t */
        while (hi - lo > 1) {
            int mid = lo + (hi - lo) / 2;
            if (p[mid].t <= u) lo = mid;
            else hi = mid;
        }
        x1 = (double)p[lo].t, y1 = p[lo].lat;
        x2 = (double)p[hi].t, y2 = p[hi].lat;
    }
    /* x2 > x1 here: a segment of equal times is never the one u falls in */
    return y1 + (int64_t)llround((double)(y2 - y1) * (((double)u - x1) / (x2 - x1)));
}

int64_t latency_file_entry_at(const latency_t *l, int64_t file_t) {
    return interp(l->entry_pts, l->n, l->period, file_t - l->first_sent);
}

int64_t latency_file_response_at(const latency_t *l, int64_t file_t) {
    return interp(l->resp_pts, l->n, l->period, file_t - l->first_sent);
}

/* the backtest's time t on the file's clock: the first time asked is the first row */
static int64_t file_time(latency_t *l, int64_t t) {
    if (!l->anchored) {
        l->anchored = 1;
        l->origin = t;
    }
    return l->first_sent + (t - l->origin);
}

/* ---- the two legs ------------------------------------------------------------------ */

/* lat, raised so that t + lat is not before the previous arrival this way */
static int64_t in_order(int *have, int64_t *last_at, int64_t t, int64_t lat) {
    if (*have && t + lat < *last_at) lat = *last_at - t;
    *have = 1;
    *last_at = t + lat;
    return lat;
}

int64_t latency_entry(latency_t *l, int64_t now_ns) {
    int64_t lat;
    switch (l->kind) {
    case LAT_LOGNORMAL:
        lat = (int64_t)llround(l->share * (double)latency_draw_rtt(l, &l->rng_entry));
        break;
    case LAT_FILE:
        lat = latency_file_entry_at(l, file_time(l, now_ns));
        break;
    default:
        lat = l->entry_ns;
    }
    return in_order(&l->have_entry, &l->last_entry_at, now_ns, lat);
}

int64_t latency_response(latency_t *l, int64_t exch_ns) {
    int64_t lat;
    switch (l->kind) {
    case LAT_LOGNORMAL:
        lat = (int64_t)llround((1 - l->share) * (double)latency_draw_rtt(l, &l->rng_resp));
        break;
    case LAT_FILE:
        lat = latency_file_response_at(l, file_time(l, exch_ns));
        break;
    default:
        lat = l->response_ns;
    }
    return in_order(&l->have_resp, &l->last_resp_at, exch_ns, lat);
}
