/* harness.c: the server state without sockets (see harness.h). */
#include "harness.h"

#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static accounts_t acc0;   /* the accounts as given, restored by reset */
static ratelimit_t rl0;   /* the limits, counts at zero */
static int ready;

static int matching_start(void) {
    xsym_t *x = &S.sym[0];
    if (matching_init(&x->match, &x->rules, S.acc, &x->mkt.book)) return -1;
    x->match.on_exec = on_exec;
    x->match.exec_ctx = x;
    return 0;
}

int xserver_harness_init(const symbol_rules_t *rules, accounts_t *acc, const config_t *cfg) {
    if (ready) xserver_harness_free();
    memset(&S, 0, sizeof S);
    config_t defaults;
    if (!cfg) {
        config_defaults(&defaults);
        cfg = &defaults;
    }
    S.sym[0].rules = *rules; /* one symbol */
    S.nsym = 1;
    S.acc = acc;
    acc0 = *acc;
    /* the market as market_open() leaves it, with no recording behind it (open = 0) */
    market_t *m = &S.sym[0].mkt;
    m->rules = &S.sym[0].rules;
    m->speed = 1;
    for (int i = 0; rules->symbol[i] && i < 23; i++)
        m->lower[i] = (char)(rules->symbol[i] >= 'A' && rules->symbol[i] <= 'Z' ? rules->symbol[i] + 32 : rules->symbol[i]);
    if (book_init(&m->book, 17)) return -1;
    sync_init(&m->sync, &m->book);
    m->wall_start_ns = wall_ns();
    if (matching_start()) {
        sync_free(&m->sync);
        book_free(&m->book);
        return -1;
    }
    rl_init(&S.rl, cfg);
    rl0 = S.rl;
    S.max_conn_s = cfg->max_connection_s;
    S.busy_poll_ns = (int64_t)cfg->busy_poll_us * 1000;
    lws_set_log_level(LLL_ERR, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    S.ctx = lws_create_context(&info);
    if (!S.ctx) {
        matching_free(&S.sym[0].match);
        sync_free(&m->sync);
        book_free(&m->book);
        return -1;
    }
    ready = 1;
    return 0;
}

void xserver_harness_reset(void) {
    *S.acc = acc0;
    S.rl = rl0;
    if (S.sym[0].match.next_id != 1 || S.sym[0].match.ntrades) { /* orders were placed: a fresh engine */
        matching_free(&S.sym[0].match);
        if (matching_start()) abort();
    }
    S.nlisten = 0;
    memset(&S.f, 0, sizeof S.f);
    S.requests = 0;
}

void xserver_harness_book(int64_t mid, int levels, int64_t qty) {
    book_clear(&S.sym[0].mkt.book);
    for (int i = 0; i < levels; i++) {
        if (mid - 1 - i > 0) book_set(&S.sym[0].mkt.book, BOOK_BID, mid - 1 - i, qty);
        book_set(&S.sym[0].mkt.book, BOOK_ASK, mid + 1 + i, qty);
    }
}

struct pss *xserver_harness_conn(const char *ip) {
    pss_t *c = calloc(1, sizeof *c);
    if (!c) return 0;
    c->is_ws = 1;
    c->is_api = 1;
    c->direct = 1; /* enqueue() asks nothing of lws */
    c->rate_limits = 1;
    c->logon = -1;
    c->listen_acct = -1;
    c->order_acct = -1;
    c->connected_ms = now_ms();
    snprintf(c->ip, sizeof c->ip, "%s", ip ? ip : "127.0.0.1");
    wsmsg_init(&c->rx, WS_MESSAGE_MAX);
    c->next = S.conns;
    S.conns = c;
    return c;
}

int xserver_harness_drain(struct pss *c, void (*fn)(void *ctx, const char *msg, int len), void *ctx) {
    int n = 0;
    while (c->qhead < c->qtail) {
        frame_t *f = dequeue(c);
        if (fn) fn(ctx, (const char *)f->data + LWS_PRE, f->len);
        frame_release(f);
        n++;
    }
    return n;
}

void xserver_harness_close(struct pss *c) {
    if (!c) return;
    for (pss_t **pp = &S.conns; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    xserver_harness_drain(c, 0, 0);
    drop_delayed(c); /* answers the delay fault holds for it */
    wsmsg_free(&c->rx);
    free(c->q); /* the out-queue ring */
    free(c);
}

void xserver_harness_free(void) {
    if (!ready) return;
    while (S.conns) xserver_harness_close(S.conns);
    if (S.ctx) lws_context_destroy(S.ctx);
    matching_free(&S.sym[0].match);
    sync_free(&S.sym[0].mkt.sync);
    book_free(&S.sym[0].mkt.book);
    memset(&S, 0, sizeof S);
    ready = 0;
}
