/* rest.c: REST requests on net.c's libwebsockets context (see rest.h). */
#include "rest.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../core/clock.h"
#include "../../core/err.h"
#include "../../proto/sign.h"

int rest_init(rest_t *r, net_t *n, const char *url, const char *api_key, int64_t timeout_ns, rest_done_fn done,
              void *ctx) {
    memset(r, 0, sizeof *r);
    net_url_t u;
    if (net_url_parse(url, &u) || strncmp(u.scheme, "http", 4)) return Q_E_INVAL;
    r->tls = u.tls;
    r->port = u.port;
    snprintf(r->host, sizeof r->host, "%s", u.host);
    if (*u.path && snprintf(r->prefix, sizeof r->prefix, "%s", u.path) >= (int)sizeof r->prefix) return Q_E_INVAL;
    /* the paths carry /api/v3: a base given as Binance's docs write it (".../api") loses it */
    size_t pl = strlen(r->prefix);
    while (pl && r->prefix[pl - 1] == '/') r->prefix[--pl] = 0;
    if (pl >= 4 && !strcmp(r->prefix + pl - 4, "/api")) r->prefix[pl - 4] = 0;
    addrs_init(&r->addrs, r->host, ADDRS_MIN_GAP_NS, ADDRS_MAX_AGE_NS);
    r->net = n;
    r->api_key = api_key;
    r->timeout_ns = timeout_ns > 0 ? timeout_ns : REST_TIMEOUT_NS;
    r->done = done;
    r->ctx = ctx;
    for (int i = 0; i < REST_MAX; i++) r->req[i].r = r;
    return 0;
}

static void slot_reset(rest_req_t *q) {
    q->tag = 0;
    q->wsi = NULL;
    q->len = 0;
    q->status = 0;
    q->starting = q->failed = 0;
    q->sent_ns = 0;
}

/* hands the answer (or its absence: status 0) to the owner once and frees the slot; the
   connection, if any, is left to close by itself (its later callbacks find no request) */
static void finish(rest_req_t *q, int status, const char *why) {
    rest_t *r = q->r;
    uint64_t tag = q->tag;
    if (!tag) return;
    rest_answer_t a;
    memset(&a, 0, sizeof a);
    a.status = status;
    a.body = q->body && status ? q->body : "";
    a.len = status ? q->len : 0;
    a.used_weight_1m = status ? q->weight : -1;
    a.order_count_10s = status ? q->orders10 : -1;
    a.order_count_1d = status ? q->orders1d : -1;
    a.retry_after_s = status ? q->retry_after : -1;
    a.why = why;
    a.sent_ns = q->sent_ns;
    if (status) r->st.answered++;
    else r->st.lost++;
    slot_reset(q); /* free before the callback: it may send the next request */
    if (r->done) r->done(r->ctx, tag, &a);
}

int rest_header_uint(const char *v) {
    /* the whole value or nothing: "12abc" is not 12, and Retry-After's other form, an
       HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"), is not 0 (atoi read both so) */
    while (*v == ' ' || *v == '\t') v++;
    long x = 0;
    int digits = 0;
    for (; *v >= '0' && *v <= '9'; v++, digits++) {
        if (digits >= 9) return -1; /* past 999999999: not a figure we can use */
        x = x * 10 + (*v - '0');
    }
    while (*v == ' ' || *v == '\t') v++;
    return digits && !*v ? (int)x : -1;
}

/* a header's value as a non-negative int, or -1 (the name lower-case with its colon; lws
   keeps headers it does not know as custom ones, matched as they were written) */
static int header_int(struct lws *wsi, const char *lower, const char *canon) {
    char v[32];
    int n = lws_hdr_custom_copy(wsi, v, sizeof v, lower, (int)strlen(lower));
    if (n <= 0) n = lws_hdr_custom_copy(wsi, v, sizeof v, canon, (int)strlen(canon));
    if (n <= 0) return -1;
    return rest_header_uint(v);
}

static int append(rest_req_t *q, const void *in, size_t len) {
    if (q->len + len + 1 > REST_BODY_MAX) return -1;
    if (q->len + len + 1 > q->cap) {
        size_t cap = q->cap ? q->cap : 4096;
        while (cap < q->len + len + 1) cap *= 2;
        char *b = realloc(q->body, cap);
        if (!b) return -1;
        q->body = b;
        q->cap = cap;
    }
    memcpy(q->body + q->len, in, len);
    q->len += len;
    q->body[q->len] = 0;
    return 0;
}

int rest_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    /* `user` is a request only in a client connection's own callbacks (see net.c) */
    if (reason != LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER && reason != LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP &&
        reason != LWS_CALLBACK_RECEIVE_CLIENT_HTTP && reason != LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ &&
        reason != LWS_CALLBACK_COMPLETED_CLIENT_HTTP && reason != LWS_CALLBACK_CLOSED_CLIENT_HTTP &&
        reason != LWS_CALLBACK_CLIENT_CONNECTION_ERROR)
        return 0;
    rest_req_t *q = user;
    if (!q || !q->tag || q->wsi != wsi) {
        /* an abandoned request's connection (timed out, or the client closing): drop it */
        return reason == LWS_CALLBACK_CLOSED_CLIENT_HTTP || reason == LWS_CALLBACK_CLIENT_CONNECTION_ERROR ? 0 : -1;
    }
    switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
        unsigned char **p = (unsigned char **)in, *end = (*p) + len;
        rest_t *r = q->r;
        /* the request goes out now, connected (and TLS done): its round trip starts here, not
           at rest_send, or a clock offset taken at the midpoint leans by the set-up's time */
        q->sent_ns = clock_real_ns();
        if (r->api_key && lws_add_http_header_by_name(wsi, (const unsigned char *)"x-mbx-apikey:",
                                                      (const unsigned char *)r->api_key, (int)strlen(r->api_key), p, end))
            return -1;
        /* no body (every parameter is in the query): said, so that no server waits for one */
        if (strcmp(q->method, "GET") &&
            lws_add_http_header_by_name(wsi, (const unsigned char *)"content-length:", (const unsigned char *)"0", 1, p, end))
            return -1;
        break;
    }
    case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP: {
        addrs_worked(&q->r->addrs); /* an answer came from this address */
        q->status = (int)lws_http_client_http_response(wsi);
        q->weight = header_int(wsi, "x-mbx-used-weight-1m:", "X-MBX-USED-WEIGHT-1M:");
        q->orders10 = header_int(wsi, "x-mbx-order-count-10s:", "X-MBX-ORDER-COUNT-10S:");
        q->orders1d = header_int(wsi, "x-mbx-order-count-1d:", "X-MBX-ORDER-COUNT-1D:");
        char v[32];
        q->retry_after = -1;
        if (lws_hdr_copy(wsi, v, sizeof v, WSI_TOKEN_HTTP_RETRY_AFTER) > 0) q->retry_after = rest_header_uint(v);
        else q->retry_after = header_int(wsi, "retry-after:", "Retry-After:");
        break;
    }
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP: {
        char buf[4096 + LWS_PRE], *px = buf + LWS_PRE;
        int n = (int)sizeof buf - LWS_PRE;
        if (lws_http_client_read(wsi, &px, &n) < 0) return -1;
        break;
    }
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
        if (append(q, in, len)) { /* (finish counts it lost) */
            finish(q, 0, "answer too large");
            return -1;
        }
        break;
    case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
        if (!q->body) append(q, "", 0);
        finish(q, q->status, q->status ? NULL : "no HTTP status");
        return -1; /* one request per connection: close it */
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
    case LWS_CALLBACK_CLOSED_CLIENT_HTTP: {
        if (q->starting) { /* inside rest_send: it returns the failure */
            q->failed = 1;
            q->wsi = NULL;
            return 0;
        }
        /* a failed connection: the next address next time, and after a round of failures a
           new lookup (addrs.h); one that connected: the address works */
        if (reason == LWS_CALLBACK_CLIENT_CONNECTION_ERROR) addrs_failed(&q->r->addrs);
        else addrs_worked(&q->r->addrs);
        char why[160];
        snprintf(why, sizeof why, "%s%.120s", reason == LWS_CALLBACK_CLIENT_CONNECTION_ERROR ? "connection failed: " : "connection closed before the answer",
                 reason == LWS_CALLBACK_CLIENT_CONNECTION_ERROR && in ? (const char *)in : "");
        finish(q, 0, why);
        return 0;
    }
    default:
        break;
    }
    return 0;
}

int rest_resolve(rest_t *r) { return addrs_lookup_now(&r->addrs) ? Q_E_IO : 0; }

int rest_send(rest_t *r, uint64_t tag, const char *method, const char *path_query) {
    if (!tag) return Q_E_INVAL;
    rest_req_t *q = 0;
    for (int i = 0; i < REST_MAX && !q; i++)
        if (!r->req[i].tag) q = &r->req[i];
    if (!q) return Q_E_FULL;
    if (snprintf(q->path, sizeof q->path, "%s%s", r->prefix, path_query) >= (int)sizeof q->path ||
        snprintf(q->method, sizeof q->method, "%s", method) >= (int)sizeof q->method)
        return Q_E_INVAL;
    /* the host's address, not its name, goes to lws (addrs.h says why) */
    const char *addr = addrs_pick(&r->addrs);
    if (!addr) return Q_E_IO; /* no address: nothing went out (retried by the owner) */
    q->tag = tag;
    q->len = 0;
    q->status = 0;
    q->weight = q->orders10 = q->orders1d = q->retry_after = -1;
    q->deadline_ns = clock_mono_ns() + r->timeout_ns;
    q->starting = 1;
    q->failed = 0;
    q->sent_ns = 0;
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = r->net->lws;
    ci.address = addr; /* numeric: lws looks nothing up */
    ci.port = r->port;
    ci.path = q->path;
    ci.host = r->host; /* the name: Host header, SNI and the certificate's check */
    ci.origin = r->host;
    ci.method = q->method;
    ci.protocol = "quoter-rest";
    ci.local_protocol_name = "quoter-rest";
    ci.userdata = q;
    ci.pwsi = &q->wsi; /* set before any callback: a request knows its connection at once */
    ci.alpn = "http/1.1"; /* lws reads custom headers (X-MBX-...) on HTTP/1 only */
    ci.ssl_connection = LCCSCF_HTTP_NO_FOLLOW_REDIRECT;
    /* TLS with verified certificates, except on loopback (the local exchange) */
    if (r->tls) ci.ssl_connection |= LCCSCF_USE_SSL | (net_host_loopback(r->host) ? LCCSCF_ALLOW_SELFSIGNED : 0);
    struct lws *w = lws_client_connect_via_info(&ci);
    q->starting = 0;
    if (!w || q->failed) {
        slot_reset(q);
        addrs_failed(&r->addrs);
        return Q_E_IO;
    }
    q->wsi = w;
    r->st.sent++;
    return 0;
}

void rest_run(rest_t *r) {
    if (!r->net) return;
    int64_t now = clock_mono_ns();
    for (int i = 0; i < REST_MAX; i++) {
        rest_req_t *q = &r->req[i];
        if (!q->tag || now < q->deadline_ns) continue;
        struct lws *w = q->wsi;
        if (!q->status) addrs_failed(&r->addrs); /* not even a status line: the address may be dead */
        r->st.timeouts++;
        finish(q, 0, "timed out");
        if (w) lws_set_timeout(w, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
    }
}

void rest_free(rest_t *r) {
    for (int i = 0; i < REST_MAX; i++) {
        rest_req_t *q = &r->req[i];
        if (q->wsi) lws_set_timeout(q->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
        slot_reset(q);
        free(q->body);
        q->body = 0;
        q->cap = 0;
    }
    r->done = 0;
    addrs_free(&r->addrs);
}

/* kv's pairs with each value percent-encoded, joined by '&'; the length, or -1 */
int rest_query(const char *kv, char *out, size_t cap) {
    size_t n = 0;
    if (!cap) return -1;
    out[0] = 0;
    for (const char *s = kv; s && *s;) {
        const char *amp = strchr(s, '&'), *eq = strchr(s, '=');
        size_t pl = amp ? (size_t)(amp - s) : strlen(s);
        if (!eq || eq >= s + pl || eq == s) return -1;
        size_t kl = (size_t)(eq - s);
        if (n + kl + 2 >= cap) return -1;
        if (n) out[n++] = '&';
        memcpy(out + n, s, kl);
        n += kl;
        out[n++] = '=';
        int vl = sign_pct_encode(eq + 1, pl - kl - 1, out + n, cap - n);
        if (vl < 0) return -1;
        n += (size_t)vl;
        s = amp ? amp + 1 : 0;
    }
    out[n] = 0;
    return (int)n;
}

int rest_signed_query(const char *kv, const char *secret, long long ts_ms, char *out, size_t cap) {
    if (!secret) return -1;
    int n = rest_query(kv, out, cap);
    if (n < 0) return -1;
    int m = snprintf(out + n, cap - (size_t)n, "%stimestamp=%lld", n ? "&" : "", ts_ms);
    if (m < 0 || (size_t)(n + m) >= cap) return -1;
    n += m;
    char sig[160], enc[480];
    if (!strncmp(secret, "-----BEGIN", 10)) {
        if (sign_ed25519_sign(secret, out, (size_t)n, sig, sizeof sig)) return -1;
        if (sign_pct_encode(sig, strlen(sig), enc, sizeof enc) < 0) return -1;
    } else {
        if (sign_hmac_hex(secret, out, (size_t)n, sig)) return -1;
        snprintf(enc, sizeof enc, "%s", sig);
    }
    m = snprintf(out + n, cap - (size_t)n, "&signature=%s", enc);
    if (m < 0 || (size_t)(n + m) >= cap) return -1;
    return n + m;
}
