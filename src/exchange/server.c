/* server.c: the local exchange (see server.h and, for its parts, state.h): the context,
 * the exchange's clock, the timer that drives the market replay, start and shutdown. One
 * thread, one lws event loop. */
#include "server.h"

#include "state.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stopping;

server_t S;

/* the exchange's clock (the machine's, plus any injected skew) */
int64_t wall_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + S.f.skew_ms * 1000000;
}

int64_t now_ms(void) { return wall_ns() / 1000000; }

int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}


xsym_t *sym_find(const char *name) {
    for (int i = 0; i < S.nsym; i++)
        if (!strcmp(S.sym[i].rules.symbol, name)) return &S.sym[i];
    return 0;
}

static void tick(lws_sorted_usec_list_t *sul) {
    int64_t now = wall_ns(), next = INT64_MAX;
    for (int i = 0; i < S.nsym; i++) {
        int64_t due = market_poll(&S.sym[i].mkt, now, on_market, &S.sym[i]);
        if (due < next) next = due;
    }
    /* periodic streams: every 100 ms, and on each new second */
    static int64_t last_100ms, last_s;
    if (now / 100000000 != last_100ms) {
        last_100ms = now / 100000000;
        int second = now / 1000000000 != last_s;
        last_s = now / 1000000000;
        for (int i = 0; i < S.nsym; i++) {
            uint32_t want = 0;
            for (pss_t *c = S.conns; c; c = c->next) want |= c->subs[i];
            market_periodic(&S.sym[i].mkt, now, want, second, on_market, &S.sym[i]);
        }
    }
    if (next > now + 100000000) next = now + 100000000;
    int64_t wait_us = next == INT64_MAX ? 100000 : (next - now) / 1000;
    if (wait_us < 100) wait_us = 100;
    if (wait_us > 100000) wait_us = 100000;
    lws_sul_schedule(S.ctx, 0, sul, tick, wait_us);
}

static void on_signal(int sig) {
    (void)sig;
    stopping = 1;
    if (S.ctx) lws_cancel_service(S.ctx);
}

/* transport.c: lws's header limits and the log line that says it refused a request head */
void transport_init(struct lws_context_creation_info *info);

static void on_market_event(void *ctx, const md_event_t *ev, int64_t now) {
    xsym_t *x = ctx;
    matching_on_market(&x->match, ev, now / 1000000);
}

static void close_symbols(void) {
    for (int i = 0; i < S.nsym; i++) {
        matching_free(&S.sym[i].match);
        market_close(&S.sym[i].mkt);
    }
    S.nsym = 0;
}

int xserver_run(const listing_t *l, accounts_t *acc, const xserver_opts_t *o) {
    memset(&S, 0, sizeof S);
    config_t defaults; /* without a config, the [exchange] keys' defaults (Binance's limits) */
    const config_t *cfg = o->cfg;
    if (!cfg) {
        config_defaults(&defaults);
        cfg = &defaults;
    }
    S.acc = acc;
    for (int i = 0; i < l->n; i++) { /* each symbol: its market, its matching */
        xsym_t *x = &S.sym[i];
        x->rules = l->s[i].rules;
        int loop = o->loop || l->s[i].synth_path[0]; /* a synthetic market loops */
        if (market_open(&x->mkt, &x->rules, (char **)l->s[i].files, l->s[i].nfiles, o->speed, loop, wall_ns())) {
            fprintf(stderr, "quoter: cannot open the %s market: %s\n", x->rules.symbol, x->mkt.err);
            close_symbols();
            return 2;
        }
        S.nsym = i + 1;
        if (matching_init(&x->match, &x->rules, acc, &x->mkt.book)) {
            fprintf(stderr, "quoter: %s: cannot trade it (units finer than 1e-18 of an asset, or more than %d assets)\n",
                    x->rules.symbol, ASSET_MAX);
            close_symbols();
            return 2;
        }
        x->mkt.on_event = on_market_event;
        x->mkt.event_ctx = x;
        x->match.on_exec = on_exec;
        x->match.exec_ctx = x;
    }
    for (int i = 0; i < o->nfaults; i++) {
        char k[64];
        const char *eq = strchr(o->faults[i], '=');
        snprintf(k, sizeof k, "%.*s", eq ? (int)(eq - o->faults[i]) : 0, o->faults[i]);
        if (!eq || (strcmp(k, "drop") && fault_set(k, eq + 1))) {
            fprintf(stderr, "quoter: --fault %s: unknown fault or bad value\n", o->faults[i]);
            return 2;
        }
    }
    rl_init(&S.rl, cfg);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    transport_init(&info);
    info.port = o->port ? o->port : CONTEXT_PORT_NO_LISTEN_SERVER;
    info.iface = o->bind ? o->bind : "127.0.0.1";
    info.protocols = xs_protocols;
    /* text frames must be UTF-8 (RFC 6455 8.1: 1007 otherwise, fragmented or not); a method
       lws does not know leaves HTTP for the raw role, where transport.c answers it 405
       (without the option lws answers 403 in HTML) */
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6 | LWS_SERVER_OPTION_VALIDATE_UTF8 |
                   LWS_SERVER_OPTION_FALLBACK_TO_APPLY_LISTEN_ACCEPT_CONFIG;
    /* Every connection is answered or closed within a few seconds: a request head must be
       complete within timeout_secs_ah_idle (lws 4.1.6: 10 s, not renewed as bytes come), a
       body must keep coming (timeout_secs between reads), an idle keep-alive connection
       goes after keepalive_timeout. */
    info.timeout_secs = 5;
    info.timeout_secs_ah_idle = 5;
    info.keepalive_timeout = 5;
    /* server pings on idle connections (Binance: every 20 s), hang up without an answer */
    static lws_retry_bo_t idle;
    double ping = cfg->ping_interval_s;
    idle.secs_since_valid_ping = (uint16_t)(ping < 1 ? 1 : ping > 3000 ? 3000 : ping);
    idle.secs_since_valid_hangup = (uint16_t)(idle.secs_since_valid_ping * 3);
    info.retry_and_idle_policy = &idle;
    S.max_conn_s = cfg->max_connection_s;
    S.slow_client_ns = (int64_t)cfg->slow_client_ms * 1000000;
    if (!o->port) info.port = 0; /* the kernel picks */
    S.ctx = lws_create_context(&info);
    if (!S.ctx) {
        fprintf(stderr, "quoter: cannot listen on %s:%d\n", info.iface, o->port);
        close_symbols();
        return 2;
    }
    struct lws_vhost *vh = lws_get_vhost_by_name(S.ctx, "default");
    int port = vh ? lws_get_vhost_listen_port(vh) : o->port;
    char names[LISTING_MAX * 24] = "";
    for (int i = 0, n = 0; i < S.nsym; i++)
        n += snprintf(names + n, sizeof names - (size_t)n, "%s%s", i ? ", " : "", S.sym[i].rules.symbol);
    fprintf(stderr, "quoter: exchange listening on http://%s:%d (REST /api/v3, streams /ws and /stream) for %s\n",
            info.iface, port, names);
    if (o->port_file) {
        FILE *f = fopen(o->port_file, "w");
        if (f) {
            fprintf(f, "%d\n", port);
            fclose(f);
        }
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    lws_sul_schedule(S.ctx, 0, &S.sul, tick, 1000);
    S.busy_poll_ns = (int64_t)cfg->busy_poll_us * 1000;
    /* Sleeping in poll() between requests lets an idle vCPU halt, and waking it again from the
       client's core costs ~25 us each way on the development VM, more than the exchange's own
       work: with busy_poll_us the loop keeps polling without sleeping for a while after each
       WebSocket API request, when the next one is likely (-1: lws polls and returns at once). */
    while (!stopping) {
        int spin = S.busy_poll_ns && mono_ns() - S.last_api_ns < S.busy_poll_ns;
        if (lws_service(S.ctx, spin ? -1 : 0) < 0) break;
    }
    /* a planned close: tell every WebSocket client, give the messages a moment to leave */
    /* in the documented forms: raw on /ws/..., wrapped on /stream (as "!serverShutdown"),
       as an event on the WebSocket API (web-socket-streams.md, web-socket-api.md) */
    char shut[96], w[160];
    int sn = snprintf(shut, sizeof shut, "{\"e\":\"serverShutdown\",\"E\":%lld}", (long long)now_ms());
    for (pss_t *c = S.conns; c; c = c->next) {
        if (c->is_api) {
            enqueue(c, w, snprintf(w, sizeof w, "{\"event\":%s}", shut));
        } else if (c->combined) {
            enqueue(c, w, snprintf(w, sizeof w, "{\"stream\":\"!serverShutdown\",\"data\":%s}", shut));
        } else {
            enqueue(c, shut, sn);
        }
    }
    for (int64_t end = wall_ns() + 300000000; wall_ns() < end;)
        if (lws_service(S.ctx, 0) < 0) break;
    lws_context_destroy(S.ctx);
    reaction_close();
    close_symbols();
    fprintf(stderr, "quoter: exchange stopped after %lld requests, %lld stream connections\n", (long long)S.requests,
            (long long)S.connections);
    return 0;
}

