/* metrics.c: the live run's metrics registry and their Prometheus text rendering (see metrics.h). */
#include "metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../core/err.h"
#include "../venue/venue.h"

_Static_assert(VEV_TRANSFER + 1 == METRICS_EVENT_TYPES, "metrics: one label per venue event type");

/* the label of each venue event type, in venue.h's order */
static const char *const event_label[METRICS_EVENT_TYPES] = {
    "ack", "reject", "fill", "canceled", "cancel_reject", "expired", "unknown",
    "status", "open_order", "balance", "sync_done", "rate_limit", "transfer"};

/* ---- the registry: every family with one unlabelled sample -------------------------------- */

typedef struct family {
    const char *name, *type, *help;
    size_t off;
    char kind; /* 'I' int64_t, 'i' int, 'd' double */
} family_t;

#define F(name, type, help, field, kind) {name, type, help, offsetof(metrics_snapshot_t, field), kind}
static const family_t families[] = {
    F("quoter_order_requests_total", "counter", "Order requests written (place, cancel, replace, cancel all).",
      order_requests, 'I'),
    F("quoter_api_requests_total", "counter", "Requests written to the exchange (WebSocket API and REST), of every kind.", api_requests, 'I'),
    F("quoter_api_errors_total", "counter", "Exchange answers that were errors (WebSocket API and REST).", api_errors, 'I'),
    F("quoter_fills_total", "counter", "Fills booked by the ledger.", fills, 'I'),
    F("quoter_maker_fills_total", "counter", "Fills in which we provided liquidity.", maker_fills, 'I'),
    F("quoter_pnl_realized", "gauge", "Realized PnL, fees included, in the quote asset.", pnl_realized, 'd'),
    F("quoter_pnl_total", "gauge", "Total PnL marked at the mid (equity less transfers less the starting equity), quote asset.",
      pnl_total, 'd'),
    F("quoter_inventory", "gauge", "Base asset held beyond the starting balance.", inventory, 'd'),
    F("quoter_mid_price", "gauge", "The book's mid price (0 until known).", mid, 'd'),
    F("quoter_open_orders", "gauge", "Our orders open at the venue.", open_orders, 'i'),
    F("quoter_reconnects_total", "counter", "Connections lost (each is reconnected).", reconnects, 'I'),
    F("quoter_resyncs_total", "counter", "Book resynchronisations after a gap in the depth stream.", resyncs, 'I'),
    F("quoter_unknown_outcomes_total", "counter", "Order requests whose outcome the venue left unknown (then queried).",
      unknowns, 'I'),
    F("quoter_rate_limited_total", "counter", "Answers refused for a rate limit (429/418).", rate_limited, 'I'),
    F("quoter_unvalued_fees_total", "counter",
      "Fees paid in an asset without a price (account.fee_asset_prices): left out of PnL and the max-loss check.",
      unvalued_fees, 'I'),
    F("quoter_connection_rotations_total", "counter", "WebSocket API connections replaced before their end.", rotations,
      'I'),
    F("quoter_market_messages_total", "counter", "Market data events taken into the book.", md_messages, 'I'),
    F("quoter_market_bad_messages_total", "counter", "Market data messages that could not be decoded.", md_bad, 'I'),
    F("quoter_clock_offset_seconds", "gauge", "The exchange's clock minus ours, as last measured.", clock_offset_s, 'd'),
    F("quoter_rate_limit_orders_used", "gauge", "New orders in the venue's 10 s window (our count or the venue's, the larger).",
      orders_used, 'i'),
    F("quoter_rate_limit_orders_limit", "gauge", "The new-order budget of that window (0: none).", orders_limit, 'i'),
    F("quoter_healthy", "gauge", "1 while quoting is allowed (connected, reconciled, book in sync, data fresh).", healthy,
      'i'),
};
#undef F

/* ---- a growing buffer ---------------------------------------------------------------------- */

typedef struct buf { char *p; size_t n, cap; int oom; } buf_t;

static void put(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf_t *b, const char *fmt, ...) {
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k < 0) { b->oom = 1; return; }
        if ((size_t)k < b->cap - b->n) { b->n += (size_t)k; return; }
        size_t cap = b->cap * 2 + (size_t)k;
        char *p = realloc(b->p, cap);
        if (!p) { b->oom = 1; return; }
        b->p = p;
        b->cap = cap;
    }
}

/* a float as Prometheus reads it: the shortest form that reads back the same; +Inf, NaN */
static void put_double(buf_t *b, double v) {
    if (isnan(v)) { put(b, "NaN"); return; }
    if (isinf(v)) { put(b, v > 0 ? "+Inf" : "-Inf"); return; }
    char s[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(s, sizeof s, "%.*g", prec, v);
        if (strtod(s, 0) == v) break;
    }
    put(b, "%s", s);
}

/* nanoseconds as exact decimal seconds: 2500000 -> "0.0025", 3000000000 -> "3" */
static void put_seconds(buf_t *b, int64_t ns) {
    const char *sign = ns < 0 ? "-" : "";
    uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    uint64_t whole = u / 1000000000u, frac = u % 1000000000u;
    if (!frac) { put(b, "%s%llu", sign, (unsigned long long)whole); return; }
    char f[16];
    snprintf(f, sizeof f, "%09llu", (unsigned long long)frac);
    size_t k = strlen(f);
    while (k && f[k - 1] == '0') f[--k] = 0;
    put(b, "%s%llu.%s", sign, (unsigned long long)whole, f);
}

static void head(buf_t *b, const char *name, const char *type, const char *help) {
    put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void histogram(buf_t *b, const char *name, const char *help, const hist_t *h) {
    head(b, name, "histogram", help);
    hist_t empty;
    if (!h) {
        hist_init(&empty, 0, 0);
        h = &empty;
    }
    for (int i = 0; i < h->n; i++) {
        put(b, "%s_bucket{le=\"", name);
        put_seconds(b, h->le[i]);
        put(b, "\"} %lld\n", (long long)hist_cumulative(h, i));
    }
    put(b, "%s_bucket{le=\"+Inf\"} %lld\n%s_sum ", name, (long long)h->count, name);
    put_seconds(b, h->sum);
    put(b, "\n%s_count %lld\n", name, (long long)h->count);
}

int metrics_render(const metrics_snapshot_t *s, char **out, size_t *len) {
    buf_t b = {malloc(8192), 0, 8192, 0};
    if (!b.p) return Q_E_NOMEM;
    head(&b, "quoter_order_events_total", "counter", "Events from the venue about orders and the account, by type.");
    for (int i = 0; i < METRICS_EVENT_TYPES; i++)
        put(&b, "quoter_order_events_total{event=\"%s\"} %lld\n", event_label[i], (long long)s->events[i]);
    head(&b, "quoter_volume_base_total", "counter", "Traded volume in the base asset, by our side.");
    put(&b, "quoter_volume_base_total{side=\"buy\"} ");
    put_double(&b, s->volume_base[0]);
    put(&b, "\nquoter_volume_base_total{side=\"sell\"} ");
    put_double(&b, s->volume_base[1]);
    put(&b, "\n");
    head(&b, "quoter_volume_quote_total", "counter", "Traded volume in the quote asset, by our side.");
    put(&b, "quoter_volume_quote_total{side=\"buy\"} ");
    put_double(&b, s->volume_quote[0]);
    put(&b, "\nquoter_volume_quote_total{side=\"sell\"} ");
    put_double(&b, s->volume_quote[1]);
    put(&b, "\n");
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        const family_t *f = &families[i];
        const char *p = (const char *)s + f->off;
        head(&b, f->name, f->type, f->help);
        put(&b, "%s ", f->name);
        if (f->kind == 'I') put(&b, "%lld", (long long)*(const int64_t *)(const void *)p);
        else if (f->kind == 'i') put(&b, "%d", *(const int *)(const void *)p);
        else put_double(&b, *(const double *)(const void *)p);
        put(&b, "\n");
    }
    histogram(&b, "quoter_tick_to_order_seconds",
              "From a market message's arrival to the order request it caused being handed to the connection.",
              s->tick_to_order);
    histogram(&b, "quoter_order_round_trip_seconds", "From an order request written over the WebSocket API to its answer (REST ones not counted).", s->round_trip);
    if (b.oom) {
        free(b.p);
        return Q_E_NOMEM;
    }
    *out = b.p;
    *len = b.n;
    return 0;
}

/* ---- --metrics ADDR:PORT ------------------------------------------------------------------ */

int metrics_parse_addr(const char *s, char *addr, size_t cap, int *port, char *err, size_t errcap) {
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s) {
        snprintf(err, errcap, "--metrics %s: want ADDR:PORT, as 127.0.0.1:9464", s);
        return Q_E_INVAL;
    }
    size_t n = (size_t)(colon - s);
    if (n >= cap) {
        snprintf(err, errcap, "--metrics: the address is too long");
        return Q_E_INVAL;
    }
    memcpy(addr, s, n);
    addr[n] = 0;
    if (!strcmp(addr, "localhost")) snprintf(addr, cap, "127.0.0.1");
    struct in_addr a;
    if (inet_pton(AF_INET, addr, &a) != 1) {
        snprintf(err, errcap, "--metrics %s: the address is not an IPv4 address (as 127.0.0.1 or 0.0.0.0)", s);
        return Q_E_INVAL;
    }
    long p = 0; /* digits only: no sign, no space, nothing after */
    const char *d = colon + 1;
    for (; *d >= '0' && *d <= '9' && p <= 65535; d++) p = p * 10 + (*d - '0');
    if (d == colon + 1 || *d || p < 1 || p > 65535) {
        snprintf(err, errcap, "--metrics %s: the port must be a number from 1 to 65535", s);
        return Q_E_INVAL;
    }
    *port = (int)p;
    return 0;
}

int metrics_loopback(const char *addr) {
    struct in_addr a; /* a bind address: IPv4 only (metrics_parse_addr) */
    return inet_pton(AF_INET, addr, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

int metrics_probe(const char *addr, int port, char *err, size_t errcap) {
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        snprintf(err, errcap, "--metrics %s:%d: not an IPv4 address", addr, port);
        return Q_E_INVAL;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        snprintf(err, errcap, "--metrics: cannot make a socket: %s", strerror(errno));
        return Q_E_IO;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); /* as lws binds: TIME_WAIT is no obstacle */
    int rc = 0;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 1)) {
        int e = errno;
        if (e == EADDRINUSE)
            snprintf(err, errcap, "--metrics %s:%d: the port is taken (another process listens there)", addr, port);
        else
            snprintf(err, errcap, "--metrics %s:%d: cannot listen there: %s", addr, port, strerror(e));
        rc = Q_E_IO;
    }
    close(fd);
    return rc;
}
