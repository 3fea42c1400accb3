/* net.h: the live client's WebSocket connections, on one libwebsockets context and one
 * thread: the market data streams and the WebSocket API. A connection is given a URL
 * (ws:// or wss://; TLS through OpenSSL, certificates verified for every host that is not
 * loopback), hands whole text messages to its owner (fragments reassembled by proto/wsmsg),
 * queues what is sent until the socket can take it, answers pings (libwebsockets does), and
 * reconnects after a loss with backoff and jitter (0.5 s doubling to 30 s). net_run() waits
 * in poll() for the sockets or the timeout: there is no polling loop with sleeps.
 *
 * Rotation (a server's serverShutdown notice, or a connection near its age limit): a second
 * socket is connected beside the open one; once it is established it becomes the
 * connection (what is queued and sent from then on goes on it), and the old socket is
 * kept reading for a drain period (NET_DRAIN_NS) so that answers and events already on their
 * way still arrive, then closed. Messages that come on both sockets during the overlap
 * (the same stream event twice) are handed over once. No on_close is called for a rotation. */
#ifndef Q_NET_H
#define Q_NET_H

#include <stddef.h>
#include <stdint.h>

#include "../../proto/wsmsg.h"
#include "addrs.h"

#define NET_MAX_CONNS 4
#define NET_OUT_MAX 1024        /* queued messages per connection */
#define NET_OUT_BYTES (512u << 10) /* the out-ring's bytes per connection (each message takes
                                      LWS_PRE + its length, rounded up to 16) */

#define NET_HTTP_MAX_CONNS 8     /* net_listen: connections open at once; more are closed at once */
#define NET_HTTP_IDLE_S 5         /* net_listen: a connection without a finished answer that long is closed */

typedef struct net_conn net_conn_t;

typedef struct net_conn_ops {
    void (*on_open)(void *ctx, net_conn_t *c);
    /* a whole text message; valid during the call */
    void (*on_text)(void *ctx, net_conn_t *c, const char *msg, size_t len);
    /* the connection is gone (it will reconnect unless closed by net_close) */
    void (*on_close)(void *ctx, net_conn_t *c, const char *why);
    /* rotation: the new socket is now the connection (gen was incremented); optional */
    void (*on_rotate)(void *ctx, net_conn_t *c);
    /* rotation: the old socket is closed; what was sent on it and not answered never will be */
    void (*on_retired)(void *ctx, net_conn_t *c);
} net_conn_ops_t;

#define NET_DRAIN_NS 3000000000LL   /* how long a rotated-out socket is kept reading */
#define NET_DEDUP 512               /* messages remembered during a rotation's overlap */

typedef enum net_state { NET_IDLE = 0, NET_CONNECTING, NET_OPEN, NET_WAIT, NET_CLOSED } net_state_t;

struct net_conn {
    struct net *net;
    struct lws *wsi;
    char name[16];              /* for logs: "stream", "api" */
    char host[256], path[1024];
    int port, tls;
    net_state_t state;
    const net_conn_ops_t *ops;
    void *ctx;
    /* the out-ring: queued messages, in order, in one buffer allocated at net_open (sending
       allocates nothing). Message k is out_buf[out_off[k] + LWS_PRE ...], out_len[k] bytes,
       with LWS_PRE bytes of room before it for libwebsockets' frame header. A message that
       does not fit before the buffer's end starts again at 0 (the end is left unused). */
    unsigned char *out_buf;     /* NET_OUT_BYTES (owned) */
    size_t out_off[NET_OUT_MAX], out_len[NET_OUT_MAX];
    size_t out_tail;            /* where the next message goes (its room's first byte) */
    int out_head, out_n;
    wsmsg_t in;
    int64_t retry_at_ns;        /* NET_WAIT: when to connect again (monotonic) */
    int64_t backoff_ns;
    int64_t opened_ns;          /* monotonic */
    int64_t connects, drops;
    /* when set, net_send hands the bytes here instead of the socket (the tick-to-order
       benchmark measures the client up to the request's bytes; nothing else sets it) */
    void (*capture)(void *ctx, const char *text, size_t len);
    void *capture_ctx;
    /* rotation */
    struct lws *next;           /* connecting beside wsi */
    struct lws *old;            /* rotated out: read until closed */
    int64_t old_close_ns;       /* monotonic: when old is closed */
    uint64_t gen;               /* sockets this connection has had (rotations included) */
    int64_t max_age_ns;         /* rotate before a socket is this old (0: never) */
    uint64_t seen[NET_DEDUP];   /* hashes of messages during the overlap */
    int nseen;
    wsmsg_t in_old;             /* the old socket's fragments */
    int64_t rotations;
    /* the host's addresses, connected to (addrs.h: looked up off the event loop after
       start-up); the name still goes in Host, SNI and the certificate's check */
    addrs_t addrs;
    /* set by an owner that merges a rotation's two sockets itself (the recorder switches each
       stream over by its ids): messages are handed over as they come, duplicates included,
       and from_old says during on_text whether the rotated-out socket delivered it */
    int own_dedup, from_old;
};

/* an HTTP GET answered on a listening vhost (net_listen): the handler sets status, the body
   (malloc'd; net frees it) and its type */
typedef struct net_http_answer {
    int status;
    char *body;
    size_t len;
    const char *type;
} net_http_answer_t;
typedef void (*net_http_fn)(void *ctx, const char *path, net_http_answer_t *a);

typedef struct net {
    struct lws_context *lws;
    struct lws_sorted_usec_list *wake; /* the timer that ends net_run's wait (owned) */
    net_conn_t *conns[NET_MAX_CONNS];
    int nconns;
    int64_t last_io_ns;                /* the last frame read or written (monotonic clock) */
    uint64_t jitter;            /* PRNG state for the backoff's jitter */
    struct lws_vhost *http_vh;  /* net_listen's vhost (NULL: none) */
    net_http_fn http_fn;
    void *http_ctx;
    struct net_http *http;      /* net_listen's open connections (net.c) */
    /* called before bytes are written to a connection (the journal commits what it holds, so
       an order's intent is on disk before its request leaves; see journal.h) */
    void (*before_write)(void *ctx);
    void *before_write_ctx;
} net_t;

/* A URL's parts: ws://, wss://, http:// or https://, host (an IPv6 address in brackets
   comes out without them), an optional port (default 80 or 443), and the path from its
   first '/' ("" when none: path points into the URL). 0, or Q_E_INVAL. */
typedef struct net_url {
    int tls, port;
    char scheme[8];
    char host[256];
    const char *path;
} net_url_t;
int net_url_parse(const char *url, net_url_t *u);
/* 1 when host is this machine: 127.0.0.0/8, ::1 (bracketed or not) or localhost */
int net_host_loopback(const char *host);
/* The WebSocket API, stream and REST base URLs of an endpoint name (production, testnet,
   demo: Binance's hosts) or of a local exchange's URL (its streams, API and REST share the
   host and port), each into cap bytes; api may be NULL (a recorder needs no API). 0 or -1. */
int net_endpoint(const char *e, char *api, char *stream, char *rest, size_t cap);


int net_init(net_t *n);
void net_free(net_t *n);
/* Opens (and keeps open) a connection to url. Q_E_INVAL for a URL it cannot use, Q_E_NOMEM
   when its out-ring cannot be allocated. */
int net_open(net_t *n, net_conn_t *c, const char *name, const char *url, const net_conn_ops_t *ops, void *ctx);
/* Queues a text message (copied into the connection's out-ring; no allocation). 0, or
   Q_E_STATE when the connection is not open (nothing went out), Q_E_FULL when its queue is
   full (NET_OUT_MAX messages, or no room left in its NET_OUT_BYTES). */
int net_send(net_conn_t *c, const char *text, size_t len);
/* Closes for good (no reconnect). */
void net_close(net_conn_t *c);
/* Drops the connection now and reconnects after the backoff (a gap, a stale stream). */
void net_reconnect(net_conn_t *c);
/* Starts a rotation (see above); nothing when one is under way or the connection is not open. */
void net_rotate(net_conn_t *c);
/* Listens for HTTP on iface:port (an IPv4 address) on the same context and thread as the
   connections: each GET is answered by fn (the metrics endpoint); other methods get 405, a
   WebSocket upgrade is refused. At most NET_HTTP_MAX_CONNS connections are open at once and
   none stays NET_HTTP_IDLE_S without a finished answer (the trading connections' fds come
   first). 0, Q_E_NOMEM, or Q_E_IO when it cannot listen there. */
int net_listen(net_t *n, const char *iface, int port, net_http_fn fn, void *ctx);
/* Serves the sockets for up to timeout_ms (returns earlier when something happened); a
   negative timeout serves what is ready without waiting (busy-polling). */
void net_run(net_t *n, int timeout_ms);
/* 1 when a WebSocket connection has frames queued that have not been written yet */
int net_output_pending(const net_t *n);

#endif
