/* transport.c: the local exchange's connections (see state.h): HTTP requests routed to the
 * REST, admin and listen-key handlers; WebSocket connections (streams and the WebSocket
 * API) with their out-queues, message reassembly and Binance's per-connection rules. */
#include "state.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Queues a text frame for the connection. A client that does not read what it asked for
   is not served partly: past QUEUE frames or QUEUE_BYTES bytes waiting it is disconnected
   (as Binance does), so it knows to resynchronise, rather than losing frames unseen. */
void enqueue(pss_t *c, const char *msg, int len) {
    if (c->too_slow) return;
    if (c->qtail - c->qhead >= QUEUE || c->qbytes + len > QUEUE_BYTES) {
        c->too_slow = 1;
        lwsl_user("closing connection from %s: it does not read (%d frames, %lld bytes waiting)\n", c->ip,
                  c->qtail - c->qhead, (long long)c->qbytes);
        lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
        return;
    }
    frame_t *f = malloc(sizeof *f + LWS_PRE + (size_t)len);
    if (!f) {
        c->too_slow = 1; /* a frame lost is a stream broken: the client must start over */
        lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
        return;
    }
    f->len = len;
    memcpy(f->data + LWS_PRE, msg, (size_t)len);
    c->q[c->qtail++ % QUEUE] = f;
    c->qbytes += len;
    if (!c->direct) lws_callback_on_writable(c->wsi);
}

/* writes queued frames while the socket takes them (all of them when !stop_when_choked);
   -1 when the connection failed */
static int flush_queue(struct lws *wsi, pss_t *c, int stop_when_choked) {
    while (c->qhead < c->qtail && !c->too_slow) {
        if (!stop_when_choked && lws_partial_buffered(wsi)) break;
        frame_t *f = c->q[c->qhead++ % QUEUE];
        c->qbytes -= f->len;
        int n = lws_write(wsi, f->data + LWS_PRE, (size_t)f->len, LWS_WRITE_TEXT);
        free(f);
        if (n < 0) return -1;
        if (stop_when_choked && lws_send_pipe_choked(wsi)) break;
    }
    if (c->qhead < c->qtail) lws_callback_on_writable(wsi);
    return 0;
}

/* The delay fault on the WebSocket API: an answer is held, then queued like any other.
   Answers keep their order (all wait the same delay, set before they were made). */
typedef struct delayed {
    struct delayed *next;
    pss_t *c;
    int64_t due_ns;
    int len;
    char msg[];
} delayed_t;

static void release_delayed(lws_sorted_usec_list_t *sul) {
    (void)sul;
    int64_t now = wall_ns();
    while (S.delayed && S.delayed->due_ns <= now) {
        delayed_t *d = S.delayed;
        S.delayed = d->next;
        enqueue(d->c, d->msg, d->len);
        free(d);
    }
    if (S.delayed) lws_sul_schedule(S.ctx, 0, &S.delay_sul, release_delayed, (S.delayed->due_ns - now) / 1000 + 1);
}

/* Held answers count toward the connection's out-queue limits: a client that keeps asking
   while the delay fault holds its answers is closed like one that does not read, rather
   than growing the held list without bound. */
void enqueue_delayed(pss_t *c, const char *msg, int len, int delay_ms) {
    if (c->too_slow) return;
    int64_t due = wall_ns() + (int64_t)delay_ms * 1000000, held = 0, bytes = 0;
    delayed_t **pp = &S.delayed;
    for (delayed_t *e = S.delayed; e; e = e->next) /* (the fault's path, not the hot one) */
        if (e->c == c) held++, bytes += e->len;
    if (held + (c->qtail - c->qhead) >= QUEUE || bytes + c->qbytes + len > QUEUE_BYTES) {
        c->too_slow = 1;
        lwsl_user("closing connection from %s: it does not read (%lld answers held by the delay fault)\n", c->ip,
                  (long long)held);
        lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
        return;
    }
    delayed_t *d = malloc(sizeof *d + (size_t)len);
    if (!d) return;
    d->c = c;
    d->due_ns = due;
    d->len = len;
    memcpy(d->msg, msg, (size_t)len);
    d->next = 0;
    while (*pp && (*pp)->due_ns <= d->due_ns) pp = &(*pp)->next;
    d->next = *pp;
    *pp = d;
    if (S.delayed == d) lws_sul_schedule(S.ctx, 0, &S.delay_sul, release_delayed, (lws_usec_t)delay_ms * 1000 + 1);
}

/* a closing connection's held answers go with it */
static void drop_delayed(pss_t *c) {
    for (delayed_t **pp = &S.delayed; *pp;) {
        if ((*pp)->c == c) {
            delayed_t *d = *pp;
            *pp = d->next;
            free(d);
        } else {
            pp = &(*pp)->next;
        }
    }
}

static int add_header(struct lws *wsi, const char *name, long long v, unsigned char **p, unsigned char *end) {
    char val[32];
    int n = snprintf(val, sizeof val, "%lld", v);
    return lws_add_http_header_by_name(wsi, (const unsigned char *)name, (const unsigned char *)val, n, p, end);
}

int respond_with(struct lws *wsi, pss_t *c, int status, const char *body, int len, int retry_after) {
    unsigned char hdr[LWS_PRE + 1024], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr - 1;
    if (lws_add_http_common_headers(wsi, (unsigned int)status, "application/json;charset=UTF-8", (lws_filepos_t)len,
                                    &p, end))
        return 1;
    int64_t t = now_ms();
    if (add_header(wsi, "x-mbx-used-weight-1m:", rl_used(&S.rl, c->ip, t), &p, end)) return 1;
    if (c->order_acct >= 0) {
        int o10, od;
        rl_orders(&S.rl, c->order_acct, t, &o10, &od);
        if (add_header(wsi, "x-mbx-order-count-10s:", o10, &p, end) || add_header(wsi, "x-mbx-order-count-1d:", od, &p, end))
            return 1;
    }
    if (retry_after > 0 && add_header(wsi, "retry-after:", retry_after, &p, end)) return 1;
    if (lws_finalize_write_http_header(wsi, start, &p, end)) return 1;
    if (c->answered) return 0; /* one answer per request (a zero-length body may still complete) */
    c->answered = 1;
    c->resp = malloc(LWS_PRE + (size_t)len + 1);
    if (!c->resp) return 1;
    memcpy(c->resp + LWS_PRE, body, (size_t)len);
    c->resp_len = len;
    if (S.f.delay_ms > 0) { /* fault: the answer leaves later */
        lwsl_user("fault: %s %s answered after %d ms\n", c->method, c->path, S.f.delay_ms);
        lws_set_timer_usecs(wsi, (lws_usec_t)S.f.delay_ms * 1000);
        return 0;
    }
    lws_callback_on_writable(wsi);
    return 0;
}

int respond(struct lws *wsi, pss_t *c, int status, const char *body, int len) {
    return respond_with(wsi, c, status, body, len, 0);
}

int error(struct lws *wsi, pss_t *c, int status, int code, const char *msg) {
    char b[1024], m[900];
    proto_json_escape(msg, m, sizeof m);
    int n = snprintf(b, sizeof b, "{\"code\":%d,\"msg\":\"%s\"}", code, m);
    return respond(wsi, c, status, b, n);
}

/* Binance disconnects a market stream client that sends more than 5 messages a second */
static int stream_rx_limit(struct lws *wsi, pss_t *c) {
    int64_t sec = now_ms() / 1000;
    if (sec != c->rx_second) {
        c->rx_second = sec;
        c->rx_count = 0;
    }
    if (++c->rx_count <= 5) return 0;
    lwsl_user("closing connection from %s: more than 5 incoming messages a second\n", c->ip);
    lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)"too many messages", 17);
    return -1;
}

static void unlink_conn(pss_t *c) {
    for (pss_t **pp = &S.conns; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    while (c->qhead < c->qtail) free(c->q[c->qhead++ % QUEUE]);
    c->qbytes = 0;
    wsmsg_free(&c->rx);
    drop_delayed(c);
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    pss_t *c = user;
    /* lws calls some reasons without a connection's state: for the vhost, and for a request
       it refused while parsing its headers (a %00 in the URL, say) before any was made */
    if (!c && reason != LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION) return 0;
    switch (reason) {
    case LWS_CALLBACK_HTTP: {
        memset(c, 0, sizeof *c);
        c->wsi = wsi;
        snprintf(c->path, sizeof c->path, "%s", (const char *)in);
        const char *method = lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0      ? "GET"
                             : lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0   ? "POST"
                             : lws_hdr_total_length(wsi, WSI_TOKEN_DELETE_URI) > 0 ? "DELETE"
                             : lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI) > 0    ? "PUT"
                                                                                   : "";
        snprintf(c->method, sizeof c->method, "%s", method);
        c->order_acct = -1;
        lws_get_peer_simple(wsi, c->ip, sizeof c->ip);
        if (!strcmp(c->path, "/admin/faults")) return admin(wsi, c) ? -1 : 0;
        if (!strcmp(c->path, "/admin/balance")) return admin_balance(wsi, c) ? -1 : 0;
        if (limited(wsi, c)) return 0;
        char clen[24] = "";
        if (lws_hdr_copy(wsi, clen, sizeof clen, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 && strcmp(clen, "0") && strcmp(method, "GET"))
            return 0; /* wait for the body */
        if (!strcmp(c->path, "/api/v3/userDataStream")) return listen_key(wsi, c) ? -1 : 0;
        if (is_signed_path(c->path)) return signed_endpoint(wsi, c) ? -1 : 0;
        if (strcmp(method, "GET")) return error(wsi, c, 405, -1000, "Method not allowed.") ? -1 : 0;
        return http_get(wsi, c, c->path) ? -1 : 0;
    }
    case LWS_CALLBACK_HTTP_BODY:
        if (c->answered) break;
        if (c->body_len + (int)len >= (int)sizeof c->body) c->body_overflow = 1;
        else {
            memcpy(c->body + c->body_len, in, len);
            c->body_len += (int)len;
        }
        break;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (c->answered) break;
        if (c->body_overflow) return error(wsi, c, 413, -1000, "Request body too large.") ? -1 : 0;
        if (!strcmp(c->path, "/api/v3/userDataStream")) return listen_key(wsi, c) ? -1 : 0;
        if (is_signed_path(c->path)) return signed_endpoint(wsi, c) ? -1 : 0;
        return error(wsi, c, 405, -1000, "Method not allowed.") ? -1 : 0;
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (!c->resp) break;
        if (lws_write(wsi, c->resp + LWS_PRE, (size_t)c->resp_len, LWS_WRITE_HTTP_FINAL) != c->resp_len) {
            free(c->resp);
            c->resp = 0;
            return -1;
        }
        free(c->resp);
        c->resp = 0;
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    case LWS_CALLBACK_CLOSED_HTTP:
        free(c->resp);
        c->resp = 0;
        break;
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: { /* a WebSocket upgrade, before it is accepted */
        char ip[48] = "";
        lws_get_peer_simple(wsi, ip, sizeof ip);
        if (rl_connect(&S.rl, ip, now_ms())) {
            lwsl_user("rejected: WebSocket connection from %s: more than %d connections in 5 minutes\n", ip, S.rl.conn_limit);
            lws_return_http_status(wsi, 429, "Too many new connections; the limit is per 5 minutes per IP.");
            return 1;
        }
        break;
    }
    case LWS_CALLBACK_ESTABLISHED: {
        memset(c, 0, sizeof *c);
        c->wsi = wsi;
        c->is_ws = 1;
        char uri[512], streams[2048];
        if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) < 0) uri[0] = 0;
        c->logon = -1;
        c->listen_acct = -1;
        c->rate_limits = 1;
        c->connected_ms = now_ms();
        wsmsg_init(&c->rx, WS_MESSAGE_MAX);
        { /* no Nagle: answers leave as soon as they are written */
            int one = 1, fd = lws_get_socket_fd(wsi);
            if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
        lws_get_peer_simple(wsi, c->ip, sizeof c->ip);
        if (!strncmp(uri, "/ws-api/v3", 10)) {
            c->is_api = 1;
        } else if (!strncmp(uri, "/ws/", 4)) {
            c->listen_acct = -1;
            for (int i = 0; i < S.nlisten; i++)
                if (!strcmp(S.listen[i].key, uri + 4)) c->listen_acct = S.listen[i].acct;
            if (c->listen_acct < 0) subscribe_list(c, uri + 4);
        } else if (!strncmp(uri, "/stream", 7)) {
            c->combined = 1;
            char buf[2048];
            const char *v = lws_get_urlarg_by_name(wsi, "streams=", buf, sizeof buf);
            if (v) {
                snprintf(streams, sizeof streams, "%s", v);
                subscribe_list(c, streams);
            }
        }
        c->next = S.conns;
        S.conns = c;
        S.connections++;
        /* Binance closes every connection after 24 h; clients must reconnect */
        lws_set_timer_usecs(wsi, (lws_usec_t)(S.max_conn_s * 1e6));
        char peer[64] = "";
        lws_get_peer_simple(wsi, peer, sizeof peer);
        lwsl_user("connection %lld from %s: %s\n", (long long)S.connections, peer, uri);
        break;
    }
    case LWS_CALLBACK_RECEIVE: {
        /* a message may come in several frames and a frame in several reads: whole
           messages only are handled, each answered */
        const char *msg;
        size_t n;
        if (c->peer_closed) break; /* nothing after the client's close frame is answered */
        wsmsg_rc_t rc = wsmsg_add(&c->rx, in, len, lws_is_first_fragment(wsi), lws_is_final_fragment(wsi), &msg, &n);
        if (rc == WSMSG_MORE) break;
        if (rc != WSMSG_DONE) {
            lwsl_user("closing connection from %s: a message longer than %d bytes\n", c->ip, WS_MESSAGE_MAX);
            lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)"message too long", 16);
            return -1;
        }
        if (c->is_api) {
            /* answer at once rather than after another turn of the event loop (the order
               round trip is what a trading client waits for); lws keeps what the socket
               does not take and we fall back to the writeable callback */
            int queued = c->qtail > c->qhead;
            if (S.busy_poll_ns) S.last_api_ns = mono_ns();
            c->direct = 1;
            ws_api_request(c, msg, n);
            c->direct = 0;
            if (!queued && flush_queue(wsi, c, 0)) return -1;
            if (c->qhead < c->qtail) lws_callback_on_writable(wsi);
        } else {
            if (stream_rx_limit(wsi, c)) return -1;
            ws_request(c, msg, n);
        }
        break;
    }
    case LWS_CALLBACK_RECEIVE_PONG: /* pongs count toward a stream client's 5 messages a second */
        if (!c->is_api && stream_rx_limit(wsi, c)) return -1;
        break;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        c->peer_closed = 1;
        break;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        /* as many frames as the socket takes now, not one per event loop turn */
        if (flush_queue(wsi, c, 1)) return -1;
        break;
    case LWS_CALLBACK_TIMER:
        if (!c->is_ws) { /* a delayed HTTP answer */
            lws_callback_on_writable(wsi);
            break;
        }
        lwsl_user("closing connection from %s: it reached the %.0f s connection age limit\n", c->ip, S.max_conn_s);
        lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY, (unsigned char *)"connection age limit", 20);
        return -1;
    case LWS_CALLBACK_CLOSED:
        unlink_conn(c);
        break;
    default:
        break;
    }
    return 0;
}

const struct lws_protocols xs_protocols[] = {
    {"binance", callback, sizeof(pss_t), 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

