/* rest.h: the live client's REST requests (HTTP/1.1 over TCP or TLS) on the same
 * libwebsockets context and thread as net.h's WebSocket connections: nothing blocks, nothing
 * sleeps; net_run() serves them with everything else. Each request is its own connection
 * (REST is the fallback and the start-up path, not the hot one), closed once answered.
 *
 * A request owns a slot from rest_send() until its answer is handed to the owner's
 * callback, exactly once: the answer (any HTTP status, with its body and the X-MBX headers),
 * or no answer (status 0) when the connection failed, closed early, or the request's timeout
 * passed first. What to make of a missing answer is the owner's call (for an order request:
 * the outcome is unknown). Connections go to the host's numeric addresses, kept and looked
 * up again off the event loop by addrs.h (lws 4.1, given a name, would resolve it
 * synchronously on the event loop for every connection). TLS certificates are verified
 * (against the name) for every host that is not loopback, as net.c does. Redirects are not
 * followed.
 *
 * Signing (rest_signed_query): the query string "k=v&...&timestamp=T" with each value
 * percent-encoded (RFC 3986) is the payload Binance signs; HMAC-SHA256 in hex, or Ed25519 in
 * base64 (percent-encoded too), goes last as `signature`. The key travels in X-MBX-APIKEY. */
#ifndef Q_REST_H
#define Q_REST_H

#include <libwebsockets.h>
#include <stddef.h>
#include <stdint.h>

#include "net.h"

#define REST_MAX 64                     /* requests in flight */
#define REST_BODY_MAX (8u << 20)        /* the largest answer taken (a 5000-level depth is ~300 KB) */
#define REST_TIMEOUT_NS 10000000000LL   /* default: an answer not here in 10 s is not coming */

/* an answer, valid during the callback */
typedef struct rest_answer {
    int status;                 /* HTTP status; 0: no answer (see why) */
    const char *body;           /* NUL-terminated; "" when none */
    size_t len;
    int used_weight_1m;         /* X-MBX-USED-WEIGHT-1M; -1 when absent */
    int order_count_10s;        /* X-MBX-ORDER-COUNT-10S; -1 when absent */
    int order_count_1d;         /* X-MBX-ORDER-COUNT-1D; -1 when absent */
    int retry_after_s;          /* Retry-After (429, 418) in seconds; -1 when absent or not a number */
    const char *why;            /* status 0: "timed out", "connection failed: ...", ... */
    int64_t sent_ns;            /* real clock: when the request was written, after DNS, TCP and
                                   TLS (0: never); a round trip counts from here */
} rest_answer_t;

typedef void (*rest_done_fn)(void *ctx, uint64_t tag, const rest_answer_t *a);

struct rest;

typedef struct rest_req {
    struct rest *r;
    struct lws *wsi;            /* NULL once the request is answered or abandoned */
    uint64_t tag;               /* the owner's id for it; 0: the slot is free */
    char method[8];
    char path[3072];            /* path and query */
    int64_t deadline_ns;        /* monotonic */
    int64_t sent_ns;            /* real clock: the request written (0: not yet) */
    int starting;               /* inside rest_send: a failure is told by its return, not the callback */
    int failed;                 /* the connection failed while starting */
    int status;
    int weight, orders10, orders1d, retry_after;
    char *body;
    size_t len, cap;
} rest_req_t;

typedef struct rest_stats {
    int64_t sent, answered, lost, timeouts;
} rest_stats_t;


typedef struct rest {
    net_t *net;                 /* its lws context */
    char host[256], prefix[256]; /* prefix: a base path before /api/v3/... ("" mostly) */
    int port, tls;
    /* the host's addresses, connected to (addrs.h: looked up at start-up, later off the
       event loop); the name still goes in Host, SNI and the certificate's check */
    addrs_t addrs;
    const char *api_key;        /* X-MBX-APIKEY (NULL: none sent); kept by pointer */
    int64_t timeout_ns;
    rest_done_fn done;
    void *ctx;
    rest_req_t req[REST_MAX];
    rest_stats_t st;
} rest_t;

/* base_url: http[s]://HOST[:PORT][/PREFIX] (a trailing "/api" is dropped: paths carry it).
   Q_E_INVAL for a URL it cannot use. timeout_ns 0: REST_TIMEOUT_NS. */
int rest_init(rest_t *r, net_t *n, const char *base_url, const char *api_key, int64_t timeout_ns, rest_done_fn done,
              void *ctx);
/* Looks the host name up now (blocking: getaddrinfo) unless it is an IP address; 0, or
   Q_E_IO when the name has no address (the ones known, if any, are kept). Start-up calls it
   so that the first request does not wait for it; later lookups run off the event loop. */
int rest_resolve(rest_t *r);
/* Starts METHOD path_query ("/api/v3/order?symbol=..."); its answer comes to done(tag).
   0, or Q_E_FULL (no free slot), Q_E_INVAL (too long), Q_E_IO (the connection could not
   even start): then nothing went out and no callback comes. tag must not be 0. */
int rest_send(rest_t *r, uint64_t tag, const char *method, const char *path_query);
/* Requests past their timeout are answered with status 0 ("timed out"). Call often. */
void rest_run(rest_t *r);
/* Abandons what is in flight (no callbacks) and frees the buffers; before net_free. */
void rest_free(rest_t *r);

/* A signed query: kv ("k=v&k=v", raw values; may be empty) with each value percent-encoded,
   then timestamp=ts_ms, then signature (HMAC hex with an HMAC secret, or Ed25519 base64
   percent-encoded when `secret` is a PEM private key). Returns the length, or -1 when out
   is too small, kv is malformed, or signing failed. */
int rest_signed_query(const char *kv, const char *secret, long long ts_ms, char *out, size_t cap);
/* An unsigned query: kv with each value percent-encoded. Length or -1. */
int rest_query(const char *kv, char *out, size_t cap);

/* A header's value read whole as a non-negative decimal (surrounding blanks allowed), or -1:
   "12abc", "", an HTTP-date and anything past 999999999 are -1, never a prefix's number. */
int rest_header_uint(const char *v);

/* the libwebsockets callback of the "quoter-rest" protocol (net.c lists it) */
int rest_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);

#endif
