/* transport.c: the local exchange's connections (see state.h): HTTP requests routed to the
 * REST, admin and listen-key handlers; WebSocket connections (streams and the WebSocket
 * API) with their out-queues, message reassembly and Binance's per-connection rules. */
#include "state.h"
#include "../proto/errors.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define URI_MAX 8192    /* a longer request URI is answered 414 */
#define HEAD_MAX 16384  /* lws's header buffer: a head past it is answered 431 from the bytes seen */
#define HEADERS_MAX 8192 /* a request head longer than this (but within lws's buffer) is answered 431 */

/* ---- what lws 4.1.6 does not check, seen in the bytes it reads ----
 * lws 4.1.6 accepts unmasked client frames, answers pings without telling the protocol
 * (and hides empty pongs), and closes silently a request whose head outgrows its header
 * buffer. It reads every socket with recv() (lws_ssl_capable_read_no_ssl), so the
 * exchange defines recv() here: the dynamic linker binds libwebsockets' calls to it, it
 * reads with the system call and shows the bytes to a small follower of the client's
 * WebSocket frames (masking, pings, pongs) and of where a request head ends. It changes
 * no byte, and descriptors that are not the exchange's server connections pass through. */
typedef struct rawconn {
    struct lws *wsi;     /* the exchange's connection on this descriptor, or NULL */
    uint8_t ws;          /* upgraded: the client's frames are followed */
    uint8_t nl;          /* in a request head: line ends in a row (two end the head) */
    uint8_t closed;      /* the client's close frame went by: what follows is not followed */
    uint8_t refused;     /* answered 414/431 past lws, which is closing it */
    uint32_t head_bytes; /* bytes read since the last request head ended */
    uint32_t head_peak;  /* the longest head read whole since lws last took one (LWS_CALLBACK_HTTP) */
    uint32_t head_last;  /* the length of the last request head read whole */
    uint8_t hlen, hneed; /* the frame header being read, and its length once known */
    uint8_t hdr[14];
    uint64_t left;       /* payload bytes of the current frame still to come */
    int violation;       /* a close code to close with at the next callback, or 0 */
    /* lws 4.1.6 answers no ping that comes between the frames of a fragmented message
       (RFC 6455 5.4 allows it there): such a ping's payload is kept and answered here */
    uint8_t in_msg;      /* a data message has begun and not ended */
    uint8_t ping_want, ping_got, pong_due;
    uint8_t mask[4];
    unsigned char ping[125];
    /* HTTP: the request being read */
    uint8_t close_after; /* close once the answer is written (framing error, chunked body) */
    uint8_t chunked;     /* the body comes in chunks (Transfer-Encoding: chunked) */
    uint8_t cstate;      /* where the chunk decoder is, see dechunk() */
    uint8_t cdigits;
    uint32_t csize;      /* bytes left in the chunk being read */
} rawconn_t;

static rawconn_t *rawc;  /* by descriptor; descriptors past nraw are not followed */
static int nraw;
static struct {          /* the last read, while lws parses it (same call chain) */
    int fd;
    const unsigned char *buf;
    ssize_t len, head_end; /* head_end: where the last request head in it ended, or -1 */
} last = {-1, 0, 0, -1};

static rawconn_t *conn_of(struct lws *wsi) {
    int fd = lws_get_socket_fd(wsi);
    return fd >= 0 && fd < nraw && rawc[fd].wsi == wsi ? &rawc[fd] : NULL;
}

/* a protocol violation seen in the bytes: lws closes with `code` at the next callback */
static void violate(rawconn_t *r, int code) {
    if (r->violation) return;
    r->violation = code;
    lws_callback_on_writable(r->wsi);
}

static int rx_over_limit(pss_t *c);

/* one client frame header, complete */
static void frame_start(rawconn_t *r) {
    uint8_t op = r->hdr[0] & 0x0f, len7 = r->hdr[1] & 0x7f;
    uint64_t len = len7;
    if (len7 == 126) len = (uint64_t)r->hdr[2] << 8 | r->hdr[3];
    if (len7 == 127) {
        len = 0;
        for (int i = 2; i < 10; i++) len = len << 8 | r->hdr[i];
    }
    r->left = len;
    if (!(r->hdr[1] & 0x80)) violate(r, LWS_CLOSE_STATUS_PROTOCOL_ERR); /* RFC 6455 5.1 */
    int fin = r->hdr[0] & 0x80;
    if (op == 0x1 || op == 0x2) r->in_msg = !fin;
    else if (op == 0x0 && fin) r->in_msg = 0;
    else if (op == 0x9 && r->in_msg && len <= sizeof r->ping && (r->hdr[1] & 0x80) && !r->pong_due) {
        memcpy(r->mask, r->hdr + r->hneed - 4, 4);
        r->ping_want = (uint8_t)len;
        r->ping_got = 0;
        if (!len) {
            r->pong_due = 1;
            lws_callback_on_writable(r->wsi);
        } else {
            r->pong_due = 2; /* collecting */
        }
    }
    if (op == 0x8) r->closed = 1;
    if (op == 0x9 || op == 0xa) { /* Binance counts pings and pongs among a stream's 5 a second */
        pss_t *c = lws_wsi_user(r->wsi);
        if (c && c->is_ws && !c->is_api && rx_over_limit(c)) violate(r, LWS_CLOSE_STATUS_POLICY_VIOLATION);
    }
}

static void follow_frames(rawconn_t *r, const unsigned char *p, size_t n) {
    while (n && !r->closed) {
        if (r->left) {
            size_t take = r->left < n ? (size_t)r->left : n;
            if (r->pong_due == 2) { /* an answered-by-us ping's payload, unmasked */
                for (size_t i = 0; i < take && r->ping_got < r->ping_want; i++, r->ping_got++)
                    r->ping[r->ping_got] = p[i] ^ r->mask[r->ping_got % 4];
                if (r->ping_got == r->ping_want) {
                    r->pong_due = 1;
                    lws_callback_on_writable(r->wsi);
                }
            }
            r->left -= take;
            p += take;
            n -= take;
            continue;
        }
        r->hdr[r->hlen++] = *p++;
        n--;
        if (r->hlen == 2)
            r->hneed = (uint8_t)(2 + ((r->hdr[1] & 0x7f) == 126 ? 2 : (r->hdr[1] & 0x7f) == 127 ? 8 : 0) +
                                 (r->hdr[1] & 0x80 ? 4 : 0));
        if (r->hlen < 2 || r->hlen < r->hneed) continue;
        frame_start(r);
        r->hlen = 0;
    }
}

static void observe(int fd, const unsigned char *p, ssize_t n) {
    rawconn_t *r = &rawc[fd];
    last.fd = fd;
    last.buf = p;
    last.len = n;
    last.head_end = -1;
    if (r->ws) {
        follow_frames(r, p, (size_t)n);
        return;
    }
    for (ssize_t i = 0; i < n; i++) { /* a head ends at an empty line; lws takes bare \n too */
        if (r->head_bytes < UINT32_MAX) r->head_bytes++;
        if (p[i] == '\n') {
            if (++r->nl == 2) {
                r->nl = 0;
                if (r->head_bytes > r->head_peak) r->head_peak = r->head_bytes;
                r->head_last = r->head_bytes;
                r->head_bytes = 0;
                last.head_end = i + 1;
            }
        } else if (p[i] != '\r') {
            r->nl = 0;
        }
    }
}

ssize_t recv(int fd, void *buf, size_t len, int flags) {
    ssize_t n = syscall(SYS_recvfrom, fd, buf, len, flags, NULL, NULL);
    if (n > 0 && fd >= 0 && fd < nraw && rawc[fd].wsi) observe(fd, buf, n);
    return n;
}

/* An answer written past lws, on a connection it does not let the protocol answer: a
   small one on a fresh socket, so one send() takes it; lws closes the connection next. */
static void raw_answer(int fd, int status, const char *reason, const char *msg) {
    char b[512];
    int m = (int)strlen(msg) + 23;
    int n = snprintf(b, sizeof b,
                     "HTTP/1.1 %d %s\r\ncontent-type: application/json;charset=UTF-8\r\ncontent-length: %d\r\n"
                     "connection: close\r\n\r\n{\"code\":-1000,\"msg\":\"%s\"}",
                     status, reason, m, msg);
    ssize_t w = send(fd, b, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)w; /* a client already gone needs no answer */
}

/* lws 4.1.6 refuses a request head that does not fit its header buffer (HEAD_MAX) or has
   more parts than it can index by closing the connection without a word, after saying so
   in its log. The log line comes while lws parses the last read, with the connection open:
   the exchange answers then, 414 if the request line had not ended, else 431. (lws may
   also parse a pipelined request it read before: the last read's connection is taken only
   if it has read that much of a head; else lws's silent close stands.) */
static void head_too_big(int min_bytes) {
    if (last.fd < 0 || last.fd >= nraw) return;
    rawconn_t *r = &rawc[last.fd];
    if (!r->wsi || r->ws || r->refused || (r->head_bytes < (uint32_t)min_bytes && r->head_peak < (uint32_t)min_bytes))
        return;
    r->refused = 1;
    char ip[48] = "";
    lws_get_peer_simple(r->wsi, ip, sizeof ip);
    if (lws_hdr_total_length(r->wsi, WSI_TOKEN_HTTP) <= 0) {
        raw_answer(last.fd, 414, "URI Too Long", "Request URI too long.");
        lwsl_user("rejected: request from %s: its URI is too long: 414\n", ip);
    } else {
        raw_answer(last.fd, 431, "Request Header Fields Too Large", "Request header fields too large.");
        lwsl_user("rejected: request from %s: its headers are over %d bytes: 431\n", ip, HEAD_MAX);
    }
}

static void log_line(int level, const char *line) {
    int room = !!strstr(line, "Ran out of header data space"), parts = !!strstr(line, "More hdr frags than we can deal");
    lwsl_emit_stderr(level, line);
    /* (these log too, in lws's line buffer: line is spent) */
    if (room) head_too_big(HEAD_MAX / 2); /* (lws stores some headers larger than they came) */
    else if (parts) head_too_big(WSI_TOKEN_COUNT);
}

void transport_init(struct lws_context_creation_info *info) {
    static struct lws_token_limits limits;
    /* the request line's URI: past URI_MAX in one part lws cuts it (and skips the version),
       which the HTTP callback sees and answers 414; other headers are bound by HEAD_MAX */
    static const enum lws_token_indexes uris[] = {WSI_TOKEN_GET_URI,   WSI_TOKEN_POST_URI,  WSI_TOKEN_OPTIONS_URI,
                                                  WSI_TOKEN_PUT_URI,   WSI_TOKEN_PATCH_URI, WSI_TOKEN_DELETE_URI,
                                                  WSI_TOKEN_CONNECT,   WSI_TOKEN_HEAD_URI};
    for (size_t i = 0; i < sizeof uris / sizeof uris[0]; i++) limits.token_limit[uris[i]] = URI_MAX;
    info->token_limits = &limits;
    info->max_http_header_data = HEAD_MAX;
    lws_set_log_level(LLL_ERR | LLL_WARN | LLL_USER, log_line);
    struct rlimit rl;
    int n = getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur > 65536 ? 65536 : (int)rl.rlim_cur;
    if (!rawc) {
        rawc = calloc((size_t)n, sizeof *rawc);
        nraw = rawc ? n : 0;
    }
}

#define QAT(c, i) ((c)->q[(i) & ((c)->qcap - 1)])

static void too_slow(pss_t *c, const char *why) {
    c->too_slow = 1;
    lwsl_user("closing connection from %s: it does not read (%s; %d frames, %lld bytes waiting)\n", c->ip, why,
              c->qtail - c->qhead, (long long)c->qbytes);
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
}

/* Queues a text frame for the connection. A client that does not read what it asked for
   is not served partly: when its oldest unsent frame has waited exchange.slow_client_ms, or
   past QUEUE_MAX frames or QUEUE_BYTES bytes, it is disconnected (as Binance does), so it
   knows to resynchronise, rather than losing frames unseen. A burst that the client reads
   (a fast replay emits thousands of messages in one turn of the loop) only grows the ring. */
frame_t *frame_new(const char *msg, int len) {
    frame_t *f = malloc(sizeof *f + LWS_PRE + (size_t)len);
    if (!f) return 0;
    f->len = len;
    f->refs = 0;
    f->queued_ns = mono_ns();
    memcpy(f->data + LWS_PRE, msg, (size_t)len);
    return f;
}

void frame_release(frame_t *f) {
    if (f && --f->refs <= 0) free(f);
}

void enqueue(pss_t *c, const char *msg, int len) {
    if (c->too_slow) return;
    frame_t *f = frame_new(msg, len);
    if (!f) return too_slow(c, "out of memory"); /* a frame lost is a stream broken */
    enqueue_frame(c, f);
    if (!f->refs) free(f);
}

void enqueue_frame(pss_t *c, frame_t *f) {
    if (c->too_slow) return;
    int64_t now = f->queued_ns;
    int n = c->qtail - c->qhead, len = f->len;
    if (n && S.slow_client_ns && now - QAT(c, c->qhead)->queued_ns > S.slow_client_ns) return too_slow(c, "waited too long");
    if (n >= QUEUE_MAX || c->qbytes + len > QUEUE_BYTES) return too_slow(c, "too much waiting");
    if (n == c->qcap) { /* grow the ring, keeping the frames in order */
        int cap = c->qcap ? c->qcap * 2 : 64;
        frame_t **q = malloc((size_t)cap * sizeof *q);
        if (!q) return too_slow(c, "out of memory"); /* a frame lost is a stream broken */
        for (int i = 0; i < n; i++) q[i] = QAT(c, c->qhead + i);
        free(c->q);
        c->q = q;
        c->qcap = cap;
        c->qhead = 0;
        c->qtail = n;
    }
    f->refs++;
    QAT(c, c->qtail) = f;
    c->qtail++;
    c->qbytes += len;
    if (!c->direct) lws_callback_on_writable(c->wsi);
}

/* takes the oldest queued frame (the caller frees it) */
frame_t *dequeue(pss_t *c) {
    if (c->qhead == c->qtail) return 0;
    frame_t *f = QAT(c, c->qhead);
    c->qhead++;
    c->qbytes -= f->len;
    if (c->qhead == c->qtail) c->qhead = c->qtail = 0; /* the counters never run far */
    return f;
}

/* writes queued frames while the socket takes them (all of them when !stop_when_choked);
   -1 when the connection failed */
static int flush_queue(struct lws *wsi, pss_t *c, int stop_when_choked) {
    while (c->qhead < c->qtail && !c->too_slow) {
        if (!stop_when_choked && lws_partial_buffered(wsi)) break;
        frame_t *f = dequeue(c);
        int n = lws_write(wsi, f->data + LWS_PRE, (size_t)f->len, LWS_WRITE_TEXT);
        frame_release(f);
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
    if (held >= HELD_MAX || held + (c->qtail - c->qhead) >= QUEUE_MAX || bytes + c->qbytes + len > QUEUE_BYTES) {
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
void drop_delayed(pss_t *c) {
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
    rawconn_t *r = conn_of(wsi);
    if (r && r->close_after &&
        lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION, (const unsigned char *)"close", 5, &p, end))
        return 1;
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

/* answers a ping lws did not (see rawconn_t), before anything written after it; -1 when
   the write failed */
static int send_due_pong(struct lws *wsi) {
    rawconn_t *rc = conn_of(wsi);
    if (!rc || rc->pong_due != 1) return 0;
    unsigned char pong[LWS_PRE + sizeof rc->ping];
    memcpy(pong + LWS_PRE, rc->ping, rc->ping_want);
    rc->pong_due = 0;
    return lws_write(wsi, pong + LWS_PRE, rc->ping_want, LWS_WRITE_PONG) < 0 ? -1 : 0;
}

/* Binance disconnects a market stream client that sends more than 5 messages a second:
   requests, pings and pongs (these two counted as they arrive, in frame_start) */
static int rx_over_limit(pss_t *c) {
    int64_t sec = now_ms() / 1000;
    if (sec != c->rx_second) {
        c->rx_second = sec;
        c->rx_count = 0;
    }
    if (++c->rx_count != 6) return c->rx_count > 6;
    lwsl_user("closing connection from %s: more than 5 incoming messages a second\n", c->ip);
    return 1;
}

/* closes with the code of a violation seen in the bytes (see frame_start), if any */
static int violated(struct lws *wsi) {
    rawconn_t *r = conn_of(wsi);
    if (!r || !r->violation) return 0;
    if (r->violation == LWS_CLOSE_STATUS_POLICY_VIOLATION) { /* (logged as counted) */
        lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)"too many messages", 17);
        return 1;
    }
    pss_t *c = lws_wsi_user(wsi);
    lwsl_user("closing connection from %s: an unmasked frame\n", c ? c->ip : "?");
    lws_close_reason(wsi, LWS_CLOSE_STATUS_PROTOCOL_ERR, (unsigned char *)"unmasked frame", 14);
    return 1;
}

static void unlink_conn(pss_t *c) {
    for (pss_t **pp = &S.conns; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    for (frame_t *f; (f = dequeue(c));) frame_release(f);
    free(c->q);
    c->q = 0;
    c->qcap = c->qhead = c->qtail = 0;
    wsmsg_free(&c->rx);
    drop_delayed(c);
}

/* Transfer-Encoding: chunked (RFC 9112 7.1), which lws 4.1.6 does not decode on a server:
   it hands over the raw stream as the body. Returns 1 at the last chunk, 0 for more, -1
   when the framing is broken, -2 when the body outgrows c->body. Chunk extensions and
   trailers are read and dropped. */
enum { CK_SIZE, CK_EXT, CK_SIZE_LF, CK_DATA, CK_DATA_CR, CK_DATA_LF, CK_TRAILER, CK_TRAILER_LINE, CK_END };
static int dechunk(rawconn_t *r, pss_t *c, const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = p[i];
        switch (r->cstate) {
        case CK_SIZE: {
            int d = ch >= '0' && ch <= '9' ? ch - '0' : (ch | 32) >= 'a' && (ch | 32) <= 'f' ? (ch | 32) - 'a' + 10 : -1;
            if (d >= 0) {
                if (++r->cdigits > 7) return -2; /* 256 MB and more: far past the body's room */
                r->csize = r->csize << 4 | (uint32_t)d;
            } else if (!r->cdigits) {
                return -1;
            } else if (ch == ';' || ch == ' ' || ch == '\t') {
                r->cstate = CK_EXT;
            } else if (ch == '\r') {
                r->cstate = CK_SIZE_LF;
            } else if (ch == '\n') {
                goto size_done;
            } else {
                return -1;
            }
            break;
        }
        case CK_EXT:
            if (ch == '\r') r->cstate = CK_SIZE_LF;
            else if (ch == '\n') goto size_done;
            break;
        case CK_SIZE_LF:
            if (ch != '\n') return -1;
        size_done:
            r->cdigits = 0;
            r->cstate = r->csize ? CK_DATA : CK_TRAILER;
            break;
        case CK_DATA: {
            size_t take = n - i < r->csize ? n - i : r->csize;
            if ((size_t)c->body_len + take >= sizeof c->body) return -2;
            memcpy(c->body + c->body_len, p + i, take);
            c->body_len += (int)take;
            r->csize -= (uint32_t)take;
            i += take - 1;
            if (!r->csize) r->cstate = CK_DATA_CR;
            break;
        }
        case CK_DATA_CR:
            if (ch == '\n') {
                r->cstate = CK_SIZE;
                break;
            }
            if (ch != '\r') return -1;
            r->cstate = CK_DATA_LF;
            break;
        case CK_DATA_LF:
            if (ch != '\n') return -1;
            r->cstate = CK_SIZE;
            break;
        case CK_TRAILER: /* at the start of a trailer line: an empty one ends the body */
            if (ch == '\n') {
                r->cstate = CK_END;
                return 1;
            }
            if (ch != '\r') r->cstate = CK_TRAILER_LINE;
            break;
        case CK_TRAILER_LINE:
            if (ch == '\n') r->cstate = CK_TRAILER;
            break;
        default:
            return 1;
        }
    }
    return 0;
}

/* the request as a whole is there (headers, and the body if any): route it */
static int body_done(struct lws *wsi, pss_t *c) {
    if (!strcmp(c->path, "/api/v3/userDataStream")) return listen_key(wsi, c) ? -1 : 0;
    if (is_signed_path(c->path)) return signed_endpoint(wsi, c) ? -1 : 0;
    return error(wsi, c, 405, BE_UNKNOWN, "Method not allowed.") ? -1 : 0;
}

/* an answer after which the connection closes: the request's framing is not one to read on */
static int refuse(struct lws *wsi, pss_t *c, int status, const char *msg) {
    rawconn_t *r = conn_of(wsi);
    if (r) r->close_after = 1;
    lwsl_user("rejected: %s %.40s from %s: %d %s\n", c->method, c->path, c->ip, status, msg);
    return error(wsi, c, status, BE_UNKNOWN, msg) ? -1 : 0;
}

/* The request line and framing headers, which lws 4.1.6 takes as they come: a URI that lws
   cut at URI_MAX, a version other than HTTP/1.0 and 1.1, and bodies it would misread. */
static int framing_refused(struct lws *wsi, pss_t *c, int uri_len, int *wait_body) {
    if (uri_len + lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS) >= URI_MAX) return 414;
    rawconn_t *hr = conn_of(wsi);
    if (hr && hr->head_last > HEADERS_MAX) return 431; /* the head as read, line and headers */
    char v[16] = "";
    if (lws_hdr_copy(wsi, v, sizeof v, WSI_TOKEN_HTTP) < 0 || (strcmp(v, "HTTP/1.1") && strcmp(v, "HTTP/1.0"))) return 505;
    *wait_body = 0;
    char te[32] = "", clen[24] = "";
    int has_te = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0;
    int has_cl = lws_hdr_copy(wsi, clen, sizeof clen, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0;
    if (has_te) {
        rawconn_t *r = conn_of(wsi);
        if (has_cl) return 400; /* both: which one frames the body is ambiguous (RFC 9112 6.3) */
        if (lws_hdr_copy(wsi, te, sizeof te, WSI_TOKEN_HTTP_TRANSFER_ENCODING) < 0 || strcasecmp(te, "chunked")) return 501;
        /* lws reads a body it does not know the length of only after POST and PUT */
        if (strcmp(c->method, "POST") && strcmp(c->method, "PUT")) return 411;
        if (!r) return 411;
        r->chunked = 1;
        r->cstate = CK_SIZE;
        r->close_after = 1; /* lws still waits for a body of unknown length after the last chunk */
        *wait_body = 1;
        return 0;
    }
    *wait_body = has_cl && strcmp(clen, "0") && strcmp(c->method, "GET");
    return 0;
}

static const char *framing_msg(int status) {
    switch (status) {
    case 400: return "Both Transfer-Encoding and Content-Length.";
    case 411: return "A body needs Content-Length here.";
    case 414: return "Request URI too long.";
    case 431: return "Request header fields too large.";
    case 501: return "Only the chunked transfer coding is supported.";
    case 505: return "HTTP version not supported.";
    default: return "Bad request.";
    }
}

static const char method_not_allowed[] =
    "HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json;charset=UTF-8\r\ncontent-length: 42\r\n"
    "connection: close\r\n\r\n{\"code\":-1000,\"msg\":\"Method not allowed.\"}";

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    pss_t *c = user;
    switch (reason) { /* connection bookkeeping, before lws has made a connection's state */
    case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED: {
        int fd = lws_get_socket_fd(wsi);
        if (fd >= 0 && fd < nraw) {
            memset(&rawc[fd], 0, sizeof rawc[fd]);
            rawc[fd].wsi = wsi;
            lws_set_opaque_user_data(wsi, &rawc[fd]);
        }
        return 0;
    }
    case LWS_CALLBACK_WSI_DESTROY: { /* (the descriptor is closed by now: found by the wsi) */
        rawconn_t *r = lws_get_opaque_user_data(wsi);
        if (r >= rawc && r < rawc + nraw && r->wsi == wsi) r->wsi = NULL;
        return 0;
    }
    default:
        break;
    }
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
        rawconn_t *r = conn_of(wsi);
        if (r) r->head_peak = 0;
        int wait_body, bad = framing_refused(wsi, c, (int)len, &wait_body);
        if (bad) return refuse(wsi, c, bad, framing_msg(bad));
        if (!strcmp(c->path, "/admin/faults")) return admin(wsi, c) ? -1 : 0;
        if (!strcmp(c->path, "/admin/balance")) return admin_balance(wsi, c) ? -1 : 0;
        if (!strcmp(c->path, "/admin/symbol")) return admin_symbol(wsi, c) ? -1 : 0;
        if (limited(wsi, c)) return 0;
        if (wait_body) return 0;
        if (!strcmp(c->path, "/api/v3/userDataStream")) return listen_key(wsi, c) ? -1 : 0;
        if (is_signed_path(c->path)) return signed_endpoint(wsi, c) ? -1 : 0;
        if (strcmp(method, "GET")) return error(wsi, c, 405, BE_UNKNOWN, "Method not allowed.") ? -1 : 0;
        return http_get(wsi, c, c->path) ? -1 : 0;
    }
    case LWS_CALLBACK_HTTP_BODY: {
        if (c->answered) break;
        rawconn_t *r = conn_of(wsi);
        if (r && r->chunked) {
            if (r->cstate == CK_END) break; /* what follows the last chunk is not read */
            int rc = dechunk(r, c, in, len);
            if (rc == -1) return refuse(wsi, c, 400, "Malformed chunked body.");
            if (rc == -2) return refuse(wsi, c, 413, "Request body too large.");
            if (rc == 1) return body_done(wsi, c);
            break;
        }
        /* past the room for it, the body is not read on: answered now, and closed after */
        if (c->body_len + (int)len >= (int)sizeof c->body) return refuse(wsi, c, 413, "Request body too large.");
        memcpy(c->body + c->body_len, in, len);
        c->body_len += (int)len;
        break;
    }
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (c->answered) break;
        return body_done(wsi, c);
    case LWS_CALLBACK_HTTP_WRITEABLE: {
        if (!c->resp) break;
        if (lws_write(wsi, c->resp + LWS_PRE, (size_t)c->resp_len, LWS_WRITE_HTTP_FINAL) != c->resp_len) {
            free(c->resp);
            c->resp = 0;
            return -1;
        }
        free(c->resp);
        c->resp = 0;
        rawconn_t *r = conn_of(wsi);
        if (r && r->close_after) return -1; /* lws flushes what the socket did not take, then closes */
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    }
    case LWS_CALLBACK_CLOSED_HTTP:
        free(c->resp);
        c->resp = 0;
        break;
    /* CONNECT, and methods lws does not know (LWS_SERVER_OPTION_FALLBACK_TO_APPLY_LISTEN_ACCEPT_CONFIG),
       leave HTTP for a raw connection that lws would keep open forever: answered 405 and closed */
    case LWS_CALLBACK_RAW_ADOPT: {
        char ip[48] = "";
        lws_get_peer_simple(wsi, ip, sizeof ip);
        lwsl_user("rejected: a request from %s with a method not served (CONNECT or unknown): 405\n", ip);
        lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, 3); /* if it never takes the answer */
        lws_callback_on_writable(wsi);
        break;
    }
    case LWS_CALLBACK_RAW_RX: /* the rest of that request: not read */
        break;
    case LWS_CALLBACK_RAW_WRITEABLE: {
        unsigned char b[LWS_PRE + sizeof method_not_allowed];
        memcpy(b + LWS_PRE, method_not_allowed, sizeof method_not_allowed - 1);
        lws_write(wsi, b + LWS_PRE, sizeof method_not_allowed - 1, LWS_WRITE_RAW);
        return -1;
    }
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: { /* a WebSocket upgrade, before it is accepted */
        char ip[48] = "", v[16] = "";
        lws_get_peer_simple(wsi, ip, sizeof ip);
        int uri = lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) + lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS);
        if (uri >= URI_MAX) {
            lwsl_user("rejected: WebSocket connection from %s: its URI is too long: 414\n", ip);
            lws_return_http_status(wsi, 414, "Request URI too long.");
            return 1;
        }
        if (lws_hdr_copy(wsi, v, sizeof v, WSI_TOKEN_HTTP) < 0 || strcmp(v, "HTTP/1.1")) {
            lwsl_user("rejected: WebSocket connection from %s: not HTTP/1.1: 505\n", ip);
            lws_return_http_status(wsi, 505, "HTTP version not supported.");
            return 1;
        }
        static char u[URI_MAX + 64]; /* (a URI lws let through fits whole) */
        if (S.f.ws_api_down && lws_hdr_copy(wsi, u, sizeof u, WSI_TOKEN_GET_URI) > 0 && !strncmp(u, "/ws-api/v3", 10)) {
            lwsl_user("fault: the WebSocket API is down: refused a connection from %s\n", ip);
            lws_return_http_status(wsi, 503, "The WebSocket API is down (fault ws_api_down).");
            return 1;
        }
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
        static char uri[URI_MAX + 64], streams[URI_MAX + 64]; /* a URI lws let through fits whole */
        if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) < 0) uri[0] = 0;
        c->logon = -1;
        c->listen_acct = -1;
        c->rate_limits = 1;
        c->connected_ms = now_ms();
        wsmsg_init(&c->rx, WS_MESSAGE_MAX);
        { /* no Nagle: answers leave as soon as they are written; and a send buffer of a
             fixed size (the kernel's grows to megabytes), so that what a client does not read
             waits in its out-queue, where exchange.slow_client_ms sees it, within a second */
            int one = 1, sndbuf = 256 << 10, fd = lws_get_socket_fd(wsi);
            if (fd >= 0) {
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
            }
        }
        lws_get_peer_simple(wsi, c->ip, sizeof c->ip);
        if (!strncmp(uri, "/ws-api/v3", 10)) {
            c->is_api = 1;
            char rl[64]; /* lws copies the whole "name=value" fragment */
            const char *v = lws_get_urlarg_by_name(wsi, "returnRateLimits=", rl, sizeof rl);
            if (v && !strcmp(v, "false")) c->rate_limits = 0; /* the connection's default */
        } else if (!strncmp(uri, "/ws/", 4)) {
            c->listen_acct = -1;
            for (int i = 0; i < S.nlisten; i++)
                if (!strcmp(S.listen[i].key, uri + 4)) c->listen_acct = S.listen[i].acct;
            if (c->listen_acct < 0) subscribe_list(c, uri + 4);
        } else if (!strncmp(uri, "/stream", 7)) {
            c->combined = 1;
            static char buf[URI_MAX + 64];
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
        rawconn_t *r = conn_of(wsi);
        if (r) { /* from here the bytes are frames: those already read behind the head too */
            r->ws = 1;
            r->hlen = 0;
            r->left = 0;
            if (last.fd == lws_get_socket_fd(wsi) && last.head_end >= 0 && last.head_end < last.len)
                follow_frames(r, last.buf + last.head_end, (size_t)(last.len - last.head_end));
        }
        break;
    }
    case LWS_CALLBACK_RECEIVE: {
        /* a message may come in several frames and a frame in several reads: whole
           messages only are handled, each answered */
        const char *msg;
        size_t n;
        if (violated(wsi)) return -1; /* before the frame's content is acted on */
        if (c->peer_closed) break; /* nothing after the client's close frame is answered */
        if (send_due_pong(wsi)) return -1; /* a ping between this message's frames comes first */
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
            if (rx_over_limit(c)) {
                lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)"too many messages", 17);
                return -1;
            }
            ws_request(c, msg, n);
        }
        break;
    }
    case LWS_CALLBACK_RECEIVE_PONG: /* counted as it arrived (frame_start) */
        if (violated(wsi)) return -1;
        break;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        c->peer_closed = 1;
        break;
    case LWS_CALLBACK_SERVER_WRITEABLE: {
        if (violated(wsi)) return -1;
        if (send_due_pong(wsi)) return -1;
        /* as many frames as the socket takes now, not one per event loop turn */
        if (flush_queue(wsi, c, 1)) return -1;
        break;
    }
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

