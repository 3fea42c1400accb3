/* net.c: WebSocket client connections on one libwebsockets context (see net.h). */
#include "net.h"

#include <arpa/inet.h>
#include <libwebsockets.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../core/clock.h"
#include "../../core/err.h"
#include "rest.h"

#define NET_MSG_MAX (8u << 20) /* the largest message taken: a 5000-level depth snapshot is ~300 KB */

static void drop_queue(net_conn_t *c) {
    c->out_n = c->out_head = 0;
    c->out_tail = 0;
}

/* where in the out-ring a message of len bytes (and its LWS_PRE room) goes; -1: no room.
   The queued bytes are [head, tail) or, wrapped, [head, end) and [0, tail); tail never
   reaches head while something is queued, so tail == head only means empty. */
static long ring_place(const net_conn_t *c, size_t len) {
    size_t need = (LWS_PRE + len + 15) & ~(size_t)15;
    if (!c->out_n) return need <= NET_OUT_BYTES ? 0 : -1;
    size_t head = c->out_off[c->out_head], tail = c->out_tail;
    if (tail > head) {
        if (tail + need <= NET_OUT_BYTES) return (long)tail;
        return need < head ? 0 : -1;
    }
    return tail + need < head ? (long)tail : -1;
}

static void kill_wsi(struct lws *w) { lws_set_timeout(w, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC); }

/* the old socket of a rotation is gone */
static void retired(net_conn_t *c) {
    c->old = NULL;
    c->in_old.active = 0;
    c->nseen = 0;
    if (c->ops->on_retired) c->ops->on_retired(c->ctx, c);
}

/* 1 when msg came already during a rotation's overlap (on the other socket) */
static int seen_before(net_conn_t *c, const char *msg, size_t len) {
    if (!c->old) return 0;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) h = (h ^ (uint8_t)msg[i]) * 1099511628211ull;
    h |= 1;
    for (int i = 0; i < c->nseen && i < NET_DEDUP; i++)
        if (c->seen[i] == h) return 1;
    c->seen[c->nseen++ % NET_DEDUP] = h;
    return 0;
}

static void lost(net_conn_t *c, const char *why) {
    c->wsi = NULL;
    if (c->next) { /* a rotation under way is dropped with it */
        kill_wsi(c->next);
        c->next = NULL;
    }
    drop_queue(c);
    c->in.active = 0;
    if (c->state == NET_CLOSED) return;
    int was_open = c->state == NET_OPEN;
    c->state = NET_WAIT;
    c->drops += was_open;
    /* backoff with jitter: 0.5 s doubling to 30 s, reset by a connection that held 30 s */
    if (was_open && clock_mono_ns() - c->opened_ns > 30000000000LL) c->backoff_ns = 0;
    c->backoff_ns = c->backoff_ns ? c->backoff_ns * 2 : 500000000LL;
    if (c->backoff_ns > 30000000000LL) c->backoff_ns = 30000000000LL;
    net_t *n = c->net;
    n->jitter = n->jitter * 6364136223846793005ull + 1442695040888963407ull;
    int64_t jitter = (int64_t)((n->jitter >> 33) % (uint64_t)(c->backoff_ns / 4 + 1));
    c->retry_at_ns = clock_mono_ns() + c->backoff_ns + jitter;
    if (c->ops->on_close) c->ops->on_close(c->ctx, c, why);
}

/* a piece of a text message on one of the connection's sockets (its own reassembly buffer):
   a whole message goes to the owner once, even when both sockets of a rotation carry it */
static int receive(net_conn_t *c, wsmsg_t *m, struct lws *wsi, void *in, size_t len) {
    c->net->last_io_ns = clock_mono_ns();
    if (lws_frame_is_binary(wsi)) return 0;
    const char *whole;
    size_t wl;
    wsmsg_rc_t rc = wsmsg_add(m, in, len, lws_is_first_fragment(wsi), lws_is_final_fragment(wsi), &whole, &wl);
    if (rc < 0) return -1;
    if (rc == WSMSG_DONE && c->own_dedup && c->ops->on_text) {
        c->from_old = m == &c->in_old;
        c->ops->on_text(c->ctx, c, whole, wl);
        c->from_old = 0;
    } else if (rc == WSMSG_DONE && !seen_before(c, whole, wl) && c->ops->on_text) {
        c->ops->on_text(c->ctx, c, whole, wl);
    }
    return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    /* `user` is our connection only for a client connection's own callbacks: the protocol
       and vhost ones (at lws_create_context) pass other pointers */
    if (reason != LWS_CALLBACK_CLIENT_ESTABLISHED && reason != LWS_CALLBACK_CLIENT_WRITEABLE &&
        reason != LWS_CALLBACK_CLIENT_RECEIVE && reason != LWS_CALLBACK_CLIENT_CONNECTION_ERROR &&
        reason != LWS_CALLBACK_CLIENT_CLOSED)
        return 0;
    net_conn_t *c = user;
    /* the sockets of a rotation: the new one, connecting; the old one, draining */
    if (c && wsi && wsi == c->next) {
        switch (reason) {
        case LWS_CALLBACK_CLIENT_ESTABLISHED:
            c->old = c->wsi;
            c->wsi = wsi;
            c->next = NULL;
            c->gen++;
            c->rotations++;
            c->connects++;
            c->opened_ns = clock_mono_ns();
            c->old_close_ns = c->opened_ns + NET_DRAIN_NS;
            c->nseen = 0;
            /* the old socket's partial message (if any) goes on in in_old */
            { wsmsg_t t = c->in; c->in = c->in_old; c->in_old = t; c->in.active = 0; }
            if (c->ops->on_rotate) c->ops->on_rotate(c->ctx, c);
            if (c->out_n) lws_callback_on_writable(wsi);
            return 0;
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        case LWS_CALLBACK_CLIENT_CLOSED:
            c->next = NULL; /* the old socket goes on; the age check or the server's close decide */
            return 0;
        default:
            return 0;
        }
    }
    if (c && wsi && wsi == c->old) {
        switch (reason) {
        case LWS_CALLBACK_CLIENT_RECEIVE:
            return receive(c, &c->in_old, wsi, in, len);
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        case LWS_CALLBACK_CLIENT_CLOSED:
            retired(c);
            break;
        default:
            break;
        }
        return 0;
    }
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (!c || c->wsi != wsi) return -1;
        c->state = NET_OPEN;
        addrs_worked(&c->addrs);
        c->opened_ns = clock_mono_ns();
        c->connects++;
        if (c->ops->on_open) c->ops->on_open(c->ctx, c);
        if (c->out_n) lws_callback_on_writable(wsi);
        break;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (!c || c->wsi != wsi) return -1;
        if (c->state == NET_CLOSED) return -1;
        if (c->out_n) {
            c->net->last_io_ns = clock_mono_ns();
            if (c->net->before_write) c->net->before_write(c->net->before_write_ctx);
            /* lws_write frames and masks the message in place (the header in the room before
               it) and keeps its own copy of what the socket does not take at once: the ring's
               bytes are free again when it returns */
            unsigned char *m = c->out_buf + c->out_off[c->out_head];
            size_t n = c->out_len[c->out_head];
            int w = lws_write(wsi, m + LWS_PRE, n, LWS_WRITE_TEXT);
            c->out_head = (c->out_head + 1) % NET_OUT_MAX;
            if (!--c->out_n) drop_queue(c); /* empty: start again at the ring's beginning */
            if (w < (int)n) return -1;
            if (c->out_n) lws_callback_on_writable(wsi);
        }
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (!c || c->wsi != wsi) return -1;
        return receive(c, &c->in, wsi, in, len);
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (c && c->wsi == wsi) {
            addrs_failed(&c->addrs); /* the next address next time; a new lookup after a round of failures */
            lost(c, in && len ? (const char *)in : "connection failed");
        }
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (c && c->wsi == wsi) lost(c, "connection closed");
        break;
    default:
        break;
    }
    return 0;
}

static const struct lws_protocols protocols[] = {{"quoter-client", callback, 0, 1 << 16, 0, NULL, 0},
                                                 {"quoter-rest", rest_lws_callback, 0, 1 << 16, 0, NULL, 0}, /* rest.c */
                                                 {NULL, NULL, 0, 0, 0, NULL, 0}};

/* ---- the listening vhost (net_listen): HTTP GET only, answered by the owner's handler ---- */

typedef struct http_pss { char *body; size_t len; } http_pss_t;

/* The page's connections share the context's fd table with the trading connections: open
   idle ones without end and the WebSocket reconnects and REST requests find no fd left. So
   at most NET_HTTP_MAX_CONNS are open at once (the rest are closed as they are accepted),
   and each is closed once it has been NET_HTTP_IDLE_S without a finished answer: idle before
   its request, or too slow to send it or read the page. A sweep each second closes them. */
struct net_http {
    net_t *n;
    struct lws_sorted_usec_list sweep;
    struct { struct lws *wsi; int64_t deadline_ns; } c[NET_HTTP_MAX_CONNS];
    int nc;
};

static void http_sweep(struct lws_sorted_usec_list *sul) {
    struct net_http *h = lws_container_of(sul, struct net_http, sweep);
    int64_t now = clock_mono_ns();
    for (int i = 0; i < h->nc; i++)
        if (h->c[i].deadline_ns && now >= h->c[i].deadline_ns) {
            h->c[i].deadline_ns = 0; /* once: it leaves the table at its WSI_DESTROY */
            kill_wsi(h->c[i].wsi);
        }
    if (h->nc) lws_sul_schedule(h->n->lws, 0, &h->sweep, http_sweep, LWS_US_PER_SEC);
}

static int http_slot(struct net_http *h, struct lws *wsi) {
    for (int i = 0; h && i < h->nc; i++)
        if (h->c[i].wsi == wsi) return i;
    return -1;
}

static int http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    (void)len;
    http_pss_t *ps = user;
    net_t *vn = wsi ? lws_get_vhost_user(lws_get_vhost(wsi)) : NULL;
    struct net_http *h = vn ? vn->http : NULL;
    switch (reason) {
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION: /* wsi: the listening socket's */
        return !h || h->nc >= NET_HTTP_MAX_CONNS;
    case LWS_CALLBACK_WSI_CREATE: /* an accepted connection (the listening socket has none) */
        if (h && h->nc < NET_HTTP_MAX_CONNS) {
            h->c[h->nc].wsi = wsi;
            h->c[h->nc++].deadline_ns = clock_mono_ns() + (int64_t)NET_HTTP_IDLE_S * 1000000000;
            if (h->nc == 1) lws_sul_schedule(vn->lws, 0, &h->sweep, http_sweep, LWS_US_PER_SEC);
        }
        break;
    case LWS_CALLBACK_WSI_DESTROY: {
        int i = http_slot(h, wsi);
        if (i >= 0) h->c[i] = h->c[--h->nc];
        break;
    }
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return -1; /* no WebSocket here */
    case LWS_CALLBACK_HTTP: {
        net_t *n = lws_get_vhost_user(lws_get_vhost(wsi));
        net_http_answer_t a = {405, NULL, 0, "text/plain; charset=utf-8"};
        if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0 && n && n->http_fn) n->http_fn(n->http_ctx, in ? (const char *)in : "/", &a);
        if (!a.body) { /* the handler gave no body (or was not asked): its status in words */
            const char *w = a.status == 404 ? "not found\n" : a.status == 405 ? "method not allowed\n" : "error\n";
            a.len = strlen(w);
            a.body = malloc(a.len + 1);
            if (!a.body) return -1;
            memcpy(a.body, w, a.len + 1);
        }
        unsigned char hdr[LWS_PRE + 512], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr - 1;
        ps->body = malloc(LWS_PRE + a.len);
        if (!ps->body || lws_add_http_common_headers(wsi, (unsigned)a.status, a.type, (lws_filepos_t)a.len, &p, end) ||
            lws_finalize_write_http_header(wsi, start, &p, end)) {
            free(a.body);
            return -1;
        }
        memcpy(ps->body + LWS_PRE, a.body, a.len);
        ps->len = a.len;
        free(a.body);
        lws_callback_on_writable(wsi);
        return 0;
    }
    case LWS_CALLBACK_HTTP_WRITEABLE: {
        if (!ps || !ps->body) break;
        int w = lws_write(wsi, (unsigned char *)ps->body + LWS_PRE, ps->len, LWS_WRITE_HTTP_FINAL);
        free(ps->body);
        ps->body = NULL;
        if (w < (int)ps->len) return -1;
        /* answered (written, or buffered by lws): a kept-alive connection has its time again */
        int i = http_slot(h, wsi);
        if (i >= 0) h->c[i].deadline_ns = clock_mono_ns() + (int64_t)NET_HTTP_IDLE_S * 1000000000;
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    }
    case LWS_CALLBACK_CLOSED_HTTP:
        if (ps) {
            free(ps->body);
            ps->body = NULL;
        }
        break;
    default:
        break;
    }
    return 0;
}

static const struct lws_protocols http_protocols[] = {{"quoter-http", http_callback, sizeof(http_pss_t), 4096, 0, NULL, 0},
                                                      {NULL, NULL, 0, 0, 0, NULL, 0}};

int net_listen(net_t *n, const char *iface, int port, net_http_fn fn, void *ctx) {
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.vhost_name = "quoter-http";
    info.port = port;
    info.iface = iface;
    info.protocols = http_protocols;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    info.user = n;
    if (!n->http && !(n->http = calloc(1, sizeof *n->http))) return Q_E_NOMEM;
    n->http->n = n;
    n->http_fn = fn;
    n->http_ctx = ctx;
    n->http_vh = lws_create_vhost(n->lws, &info);
    return n->http_vh ? 0 : Q_E_IO;
}

static void wake(struct lws_sorted_usec_list *sul) { (void)sul; }

int net_init(net_t *n) {
    memset(n, 0, sizeof *n);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    lws_set_log_level(LLL_ERR, NULL);
    n->lws = lws_create_context(&info);
    if (!n->lws) return Q_E_IO;
    n->wake = calloc(1, sizeof *n->wake);
    if (!n->wake) return Q_E_NOMEM;
    n->jitter = (uint64_t)clock_mono_ns();
    return 0;
}

void net_free(net_t *n) {
    for (int i = 0; i < n->nconns; i++) {
        net_conn_t *c = n->conns[i];
        c->state = NET_CLOSED;
        c->next = c->old = NULL; /* their last callbacks (below) reach no one */
        drop_queue(c);
        free(c->out_buf);
        c->out_buf = NULL;
        wsmsg_free(&c->in);
        wsmsg_free(&c->in_old);
        addrs_free(&c->addrs);
    }
    if (n->lws) lws_context_destroy(n->lws);
    free(n->wake);
    free(n->http); /* after the context: its last WSI_DESTROYs read it */
    memset(n, 0, sizeof *n);
}

int net_url_parse(const char *url, net_url_t *u) {
    static const struct { const char *scheme; int tls, port; } k[] = {
        {"ws", 0, 80}, {"wss", 1, 443}, {"http", 0, 80}, {"https", 1, 443}};
    memset(u, 0, sizeof *u);
    const char *p = strstr(url, "://");
    size_t sl = p ? (size_t)(p - url) : 0;
    size_t i = 0;
    while (i < sizeof k / sizeof k[0] && (strlen(k[i].scheme) != sl || strncmp(url, k[i].scheme, sl))) i++;
    if (!p || i == sizeof k / sizeof k[0]) return Q_E_INVAL;
    snprintf(u->scheme, sizeof u->scheme, "%s", k[i].scheme);
    u->tls = k[i].tls;
    u->port = k[i].port;
    p += 3;
    const char *h = p, *he;
    if (*p == '[') { /* [IPv6]:port */
        h = p + 1;
        he = strchr(h, ']');
        if (!he) return Q_E_INVAL;
        p = he + 1;
    } else {
        p += strcspn(p, ":/");
        he = p;
    }
    size_t hl = (size_t)(he - h);
    if (!hl || hl >= sizeof u->host) return Q_E_INVAL;
    memcpy(u->host, h, hl);
    u->host[hl] = 0;
    if (*p == ':') { /* the port, read whole up to the path */
        char *end;
        long port = strtol(p + 1, &end, 10);
        if (end == p + 1 || port <= 0 || port > 65535 || (*end && *end != '/')) return Q_E_INVAL;
        u->port = (int)port;
        p = end;
    } else if (*p && *p != '/') {
        return Q_E_INVAL;
    }
    u->path = p;
    return 0;
}

int net_host_loopback(const char *host) {
    char h[64];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') { /* [::1] */
        host++;
        n -= 2;
    }
    if (n >= sizeof h) return 0;
    memcpy(h, host, n);
    h[n] = 0;
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, h, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, h, &a6) == 1) return IN6_IS_ADDR_LOOPBACK(&a6);
    return !strcasecmp(h, "localhost");
}

/* ws://host[:port]/path or wss://... */
static int parse_url(net_conn_t *c, const char *url) {
    net_url_t u;
    if (net_url_parse(url, &u) || strncmp(u.scheme, "ws", 2)) return Q_E_INVAL;
    c->tls = u.tls;
    c->port = u.port;
    snprintf(c->host, sizeof c->host, "%s", u.host);
    addrs_init(&c->addrs, c->host, ADDRS_MIN_GAP_NS, ADDRS_MAX_AGE_NS);
    if (snprintf(c->path, sizeof c->path, "%s", *u.path ? u.path : "/") >= (int)sizeof c->path) return Q_E_INVAL;
    return 0;
}

int net_endpoint(const char *e, char *api, char *stream, char *rest, size_t cap) {
    char a[512], st[512], r[512];
    if (!strcmp(e, "production")) {
        snprintf(a, sizeof a, "wss://ws-api.binance.com:443/ws-api/v3");
        snprintf(st, sizeof st, "wss://stream.binance.com:9443");
        snprintf(r, sizeof r, "https://api.binance.com");
    } else if (!strcmp(e, "testnet")) {
        snprintf(a, sizeof a, "wss://ws-api.testnet.binance.vision/ws-api/v3");
        snprintf(st, sizeof st, "wss://stream.testnet.binance.vision");
        snprintf(r, sizeof r, "https://testnet.binance.vision");
    } else if (!strcmp(e, "demo")) {
        snprintf(a, sizeof a, "wss://demo-ws-api.binance.com/ws-api/v3");
        snprintf(st, sizeof st, "wss://demo-stream.binance.com:9443");
        snprintf(r, sizeof r, "https://demo-api.binance.com");
    } else if (strstr(e, "://")) {
        net_url_t u;
        if (net_url_parse(e, &u)) return -1;
        const char *b = strchr(u.host, ':') ? "[" : "", *k = *b ? "]" : ""; /* IPv6 back in brackets */
        snprintf(a, sizeof a, "%s://%s%s%s:%d/ws-api/v3", u.tls ? "wss" : "ws", b, u.host, k, u.port);
        snprintf(st, sizeof st, "%s://%s%s%s:%d", u.tls ? "wss" : "ws", b, u.host, k, u.port);
        snprintf(r, sizeof r, "%s://%s%s%s:%d", u.tls ? "https" : "http", b, u.host, k, u.port);
    } else {
        return -1;
    }
    if (api) snprintf(api, cap, "%s", a);
    snprintf(stream, cap, "%s", st);
    snprintf(rest, cap, "%s", r);
    return 0;
}

static struct lws *connect_wsi(net_conn_t *c) {
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = c->net->lws;
    ci.address = addrs_pick(&c->addrs); /* numeric: lws looks nothing up */
    if (!ci.address) return NULL; /* no address: as a failed connection (retried after the backoff) */
    ci.port = c->port;
    ci.path = c->path;
    ci.host = c->host;
    ci.origin = c->host;
    ci.protocol = NULL;
    ci.local_protocol_name = "quoter-client";
    ci.userdata = c;
    /* TLS with verified certificates, except on loopback (the local exchange) */
    if (c->tls) ci.ssl_connection = LCCSCF_USE_SSL | (net_host_loopback(c->host) ? LCCSCF_ALLOW_SELFSIGNED : 0);
    return lws_client_connect_via_info(&ci);
}

static void connect_now(net_conn_t *c) {
    c->state = NET_CONNECTING;
    c->wsi = connect_wsi(c);
    if (!c->wsi) {
        addrs_failed(&c->addrs); /* the next address next time; a new lookup after a round of failures */
        lost(c, "cannot start a connection");
    }
}

void net_rotate(net_conn_t *c) {
    if (c->state != NET_OPEN || !c->wsi || c->next || c->old) return;
    c->retry_at_ns = clock_mono_ns() + 1000000000LL; /* the age check tries again at most every second */
    c->next = connect_wsi(c);
}

int net_open(net_t *n, net_conn_t *c, const char *name, const char *url, const net_conn_ops_t *ops, void *ctx) {
    if (n->nconns == NET_MAX_CONNS) return Q_E_FULL;
    memset(c, 0, sizeof *c);
    if (parse_url(c, url)) return Q_E_INVAL;
    snprintf(c->name, sizeof c->name, "%s", name);
    c->net = n;
    c->ops = ops;
    c->ctx = ctx;
    c->out_buf = malloc(NET_OUT_BYTES);
    if (!c->out_buf) return Q_E_NOMEM;
    wsmsg_init(&c->in, NET_MSG_MAX);
    wsmsg_init(&c->in_old, NET_MSG_MAX);
    n->conns[n->nconns++] = c;
    connect_now(c);
    return 0;
}

int net_send(net_conn_t *c, const char *text, size_t len) {
    if (c->capture) {
        c->capture(c->capture_ctx, text, len);
        return 0;
    }
    if (c->state != NET_OPEN || !c->wsi) return Q_E_STATE;
    if (c->out_n == NET_OUT_MAX) return Q_E_FULL;
    long at = ring_place(c, len);
    if (at < 0) return Q_E_FULL;
    memcpy(c->out_buf + at + LWS_PRE, text, len);
    int k = (c->out_head + c->out_n++) % NET_OUT_MAX;
    c->out_off[k] = (size_t)at;
    c->out_len[k] = len;
    c->out_tail = (size_t)at + ((LWS_PRE + len + 15) & ~(size_t)15);
    lws_callback_on_writable(c->wsi);
    return 0;
}

void net_close(net_conn_t *c) {
    c->state = NET_CLOSED;
    drop_queue(c);
    if (c->wsi) kill_wsi(c->wsi);
    if (c->next) kill_wsi(c->next);
    if (c->old) kill_wsi(c->old);
    c->next = c->old = NULL;
}

void net_reconnect(net_conn_t *c) {
    if (c->wsi) {
        struct lws *w = c->wsi;
        lost(c, "reconnecting");
        lws_set_timeout(w, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
    }
}

int net_output_pending(const net_t *n) {
    for (int i = 0; i < n->nconns; i++)
        if (n->conns[i]->out_n) return 1;
    return 0;
}

void net_run(net_t *n, int timeout_ms) {
    int64_t now = clock_mono_ns();
    for (int i = 0; i < n->nconns; i++) {
        net_conn_t *c = n->conns[i];
        if (c->state == NET_WAIT && now >= c->retry_at_ns) connect_now(c);
        /* a socket near its age limit is replaced before the server closes it */
        if (c->state == NET_OPEN && c->max_age_ns > 0 && now - c->opened_ns >= c->max_age_ns &&
            now >= c->retry_at_ns)
            net_rotate(c);
        if (c->old && now >= c->old_close_ns) {
            struct lws *w = c->old;
            retired(c);
            kill_wsi(w);
        }
    }
    if (timeout_ms < 0) { /* busy-polling: whatever is ready, without waiting */
        lws_service(n->lws, -1);
        return;
    }
    lws_sul_schedule(n->lws, 0, n->wake, wake, (lws_usec_t)timeout_ms * 1000 + 1);
    lws_service(n->lws, 0);
}
