/* binance.c: the live venue over the WebSocket API and the streams (see binance.h). */
#include "binance.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/clock.h"
#include "../../core/err.h"
#include "../../core/log.h"
#include "../../feed/exchange_info.h"
#include "../../proto/errors.h"
#include "../../proto/exec_read.h"
#include "../../proto/order.h"
#include "../../proto/params.h"
#include "../../proto/sign.h"

static int bn_place(venue_t *v, const order_t *o, int64_t now);
static int bn_cancel(venue_t *v, const order_t *o, int64_t now);
static int bn_replace(venue_t *v, const order_t *old, const order_t *o, venue_replace_mode_t mode, int64_t now);
static int bn_query(venue_t *v, const order_t *o, int64_t now);
static int bn_cancel_all(venue_t *v, int64_t now);
static int bn_sync(venue_t *v, int64_t now);
static const venue_vt_t bn_vt = {"binance", bn_place, bn_cancel, bn_replace, bn_query, bn_cancel_all, bn_sync};

static void api_open(void *ctx, net_conn_t *c);
static void api_text(void *ctx, net_conn_t *c, const char *msg, size_t len);
static void api_close(void *ctx, net_conn_t *c, const char *why);
static void stream_text(void *ctx, net_conn_t *c, const char *msg, size_t len);
static void stream_close(void *ctx, net_conn_t *c, const char *why);
static void api_rotate(void *ctx, net_conn_t *c);
static void api_retired(void *ctx, net_conn_t *c);
static void stream_rotate(void *ctx, net_conn_t *c);
static const net_conn_ops_t api_ops = {api_open, api_text, api_close, api_rotate, api_retired};
static const net_conn_ops_t stream_ops = {0, stream_text, stream_close, stream_rotate, 0};

static void balance_event(binance_t *b, int i, int64_t f, int64_t l, __int128 fq, __int128 lq, int64_t t);
static int rest_req(binance_t *b, bn_pending_t *p, const char *method, const char *params_json, const char *kv);
static void rest_done(void *ctx, uint64_t tag, const rest_answer_t *a);
static void orders_limits(binance_t *b, const cJSON *limits, int64_t t);
static binance_tuning_t tuning;
void binance_set_tuning(const binance_tuning_t *t) { tuning = *t; }

static void note(const binance_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const binance_t *b, const char *fmt, ...) {
    (void)b;
    if (!tuning.verbose) return;
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(LOG_INFO, "binance", fmt, ap);
    va_end(ap);
}

/* ---- helpers ------------------------------------------------------------------------- */

static void emit(binance_t *b, venue_event_t *e) {
    if (!e->local_ns) e->local_ns = clock_real_ns();
    if (b->base.sink) b->base.sink(b->base.sink_ctx, e);
}

static venue_event_t event(venue_event_type_t type, const char *cid, order_side_t side) {
    venue_event_t e;
    memset(&e, 0, sizeof e);
    e.type = type;
    e.side = side;
    e.cum_qty = -1;
    if (cid) snprintf(e.cid, sizeof e.cid, "%.36s", cid);
    return e;
}

int64_t binance_server_ms(const binance_t *b) { return clock_real_ns() / 1000000 + b->offset_ms; }

static bn_pending_t *pend_new(binance_t *b, bn_kind_t kind) {
    for (int i = 0; i < BN_PENDING; i++) {
        bn_pending_t *p = &b->pend[(b->next_id + (uint64_t)i) % BN_PENDING];
        if (p->kind == BN_NONE) {
            memset(p, 0, sizeof *p);
            p->kind = kind;
            p->id = ++b->next_id;
            p->sent_ns = clock_real_ns();
            return p;
        }
    }
    return 0;
}

static bn_pending_t *pend_find(binance_t *b, uint64_t id) {
    for (int i = 0; i < BN_PENDING; i++)
        if (b->pend[i].kind != BN_NONE && b->pend[i].id == id) return &b->pend[i];
    return 0;
}

/* sends a request; an unsigned one when params_json is given ("{...}" or NULL), a signed
   one when `kv` is ("k=v&k=v": HMAC over the sorted params with apiKey and timestamp; with
   an Ed25519 key signed likewise, or only timestamped once the session is logged on).
   Returns VENUE_SENT, or VENUE_NOT_SENT (the pending slot is freed). */
static int send_req(binance_t *b, bn_pending_t *p, const char *method, const char *params_json, const char *kv) {
    char id[32], buf[4096];
    p->gen = b->api.gen;
    /* after a 429 or 418 nothing at all goes out until retryAfter (a ban grows otherwise) */
    if (clock_real_ns() < b->retry_until_ns && p->kind != BN_TIME) {
        p->kind = BN_NONE;
        return VENUE_NOT_SENT;
    }
    /* the WebSocket API is not open: over REST (the start-up's clock, and the fallback) */
    if (b->rest_on && b->api.state != NET_OPEN && !b->api.capture) return rest_req(b, p, method, params_json, kv);
    snprintf(id, sizeof id, "\"%" PRIu64 "\"", p->id);
    int n;
    if (kv) { /* an Ed25519 key signs session.logon; the session's later requests are only timestamped */
        sign_kind_t kind = !b->ed25519 ? SIGN_HMAC
                           : !b->logged_on || p->kind == BN_LOGON ? SIGN_ED25519 : SIGN_TIMESTAMP_ONLY;
        n = sign_ws_request_as(kind, id, method, kv, b->cfg.api_key, b->cfg.secret, (long long)binance_server_ms(b),
                               buf, sizeof buf);
    } else {
        n = snprintf(buf, sizeof buf, "{\"id\":%s,\"method\":\"%s\"%s%s}", id, method, params_json ? ",\"params\":" : "",
                     params_json ? params_json : "");
    }
    if (n < 0 || n >= (int)sizeof buf || net_send(&b->api, buf, (size_t)n)) {
        p->kind = BN_NONE;
        return VENUE_NOT_SENT;
    }
    b->st.requests++;
    if (p->kind == BN_PLACE || p->kind == BN_CANCEL || p->kind == BN_REPLACE || p->kind == BN_CANCEL_ALL)
        b->st.order_requests++;
    return VENUE_SENT;
}

static void fmt_price(const binance_t *b, int64_t v, char *out, size_t cap) { fx_format(v, &b->cfg.rules->tick, 0, out, cap); }
static void fmt_qty(const binance_t *b, int64_t v, char *out, size_t cap) { fx_format(v, &b->cfg.rules->lot, 0, out, cap); }

static int parse_units(const cJSON *o, const char *k, const fx_unit_t *u, int64_t *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsString(v)) return -1;
    return fx_parse(v->valuestring, strlen(v->valuestring), u, out) ? -1 : 0;
}

/* a quote amount ("123.45600000") in tick*lot units; -1 when unreadable */
static int parse_quote(const binance_t *b, const cJSON *o, const char *k, __int128 *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsString(v)) return -1;
    return symbol_notional_parse(b->cfg.rules, v->valuestring, out) ? -1 : 0;
}

/* a decimal commission ("0.00000100") as amount * 10^-scale */
static int parse_fee(const char *s, int64_t *amount, int *scale) {
    int64_t a = 0;
    int sc = -1, neg = 0;
    if (*s == '-') { neg = 1; s++; }
    if (!*s) return -1;
    for (; *s; s++) {
        if (*s == '.') {
            if (sc >= 0) return -1;
            sc = 0;
            continue;
        }
        if (!isdigit((unsigned char)*s) || a > (INT64_MAX - 9) / 10) return -1;
        a = a * 10 + (*s - '0');
        if (sc >= 0 && ++sc > 18) return -1;
    }
    *amount = neg ? -a : a;
    *scale = sc < 0 ? 0 : sc;
    return 0;
}

static const char *jstr(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static int64_t jnum(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    /* a number out of int64's range (or NaN) reads as 0: casting it would be undefined */
    return cJSON_IsNumber(v) && v->valuedouble > -9.2e18 && v->valuedouble < 9.2e18 ? (int64_t)v->valuedouble : 0;
}

static venue_status_t status_of(const char *s) {
    xstatus_t x;
    if (xstatus_parse(s, &x)) return VST_NONE;
    switch (x) {
    case XS_NEW: return VST_NEW;
    case XS_PARTIALLY_FILLED: return VST_PARTIALLY_FILLED;
    case XS_FILLED: return VST_FILLED;
    case XS_CANCELED: return VST_CANCELED;
    case XS_REJECTED: return VST_REJECTED;
    case XS_EXPIRED: return VST_EXPIRED;
    }
    return VST_NONE;
}

/* an order object of an answer (order.cancel, order.status, openOrders, cancelAll) */
static void order_fields(const binance_t *b, const cJSON *r, venue_event_t *e) {
    e->order_id = (uint64_t)jnum(r, "orderId");
    e->status = status_of(jstr(r, "status"));
    int64_t v;
    if (!parse_units(r, "executedQty", &b->cfg.rules->lot, &v)) e->cum_qty = v;
    __int128 q;
    if (!parse_quote(b, r, "cummulativeQuoteQty", &q)) e->cum_quote = q;
    if (!parse_units(r, "price", &b->cfg.rules->tick, &v)) e->price = v;
    if (!parse_units(r, "origQty", &b->cfg.rules->lot, &v)) e->qty = v;
    e->side = !strcmp(jstr(r, "side"), "SELL") ? SIDE_SELL : SIDE_BUY;
}

/* ---- requests -------------------------------------------------------------------------- */

static int order_kv(const binance_t *b, const order_t *o, const char *prefix, char *out, size_t cap) {
    char p[48], q[48];
    fmt_price(b, o->price, p, sizeof p);
    fmt_qty(b, o->qty, q, sizeof q);
    return snprintf(out, cap, "%snewClientOrderId=%s&newOrderRespType=ACK&price=%s&quantity=%s&recvWindow=%lld&side=%s&symbol=%s&%s",
                    prefix, o->cid, p, q, (long long)b->cfg.recv_window_ms, o->side == SIDE_BUY ? "BUY" : "SELL",
                    b->cfg.rules->symbol, o->type == OT_LIMIT ? "timeInForce=GTC&type=LIMIT" : "type=LIMIT_MAKER");
}

static int blocked(binance_t *b) { return clock_real_ns() < b->retry_until_ns; }

static int bn_place(venue_t *v, const order_t *o, int64_t now) {
    (void)now;
    binance_t *b = (binance_t *)v;
    if (!b->ready || blocked(b)) return VENUE_NOT_SENT;
    bn_pending_t *p = pend_new(b, BN_PLACE);
    if (!p) return VENUE_NOT_SENT;
    snprintf(p->cid, sizeof p->cid, "%s", o->cid);
    p->side = o->side;
    char kv[1024];
    order_kv(b, o, "", kv, sizeof kv);
    b->orders_sent++; /* (counted when only attempted: what matters is whether one may be out) */
    return send_req(b, p, "order.place", 0, kv);
}

/* a request about one order by its client id (order.cancel, order.status) */
static int order_request(binance_t *b, bn_kind_t kind, const char *method, const order_t *o) {
    if (!b->ready && !binance_can_send(b)) return VENUE_NOT_SENT;
    bn_pending_t *p = pend_new(b, kind);
    if (!p) return VENUE_NOT_SENT;
    snprintf(p->cid, sizeof p->cid, "%s", o->cid);
    p->side = o->side;
    char kv[512];
    snprintf(kv, sizeof kv, "origClientOrderId=%s&recvWindow=%lld&symbol=%s", o->cid, (long long)b->cfg.recv_window_ms,
             b->cfg.rules->symbol);
    return send_req(b, p, method, 0, kv);
}

static int bn_cancel(venue_t *v, const order_t *o, int64_t now) {
    (void)now;
    return order_request((binance_t *)v, BN_CANCEL, "order.cancel", o);
}

static int bn_replace(venue_t *v, const order_t *old, const order_t *o, venue_replace_mode_t mode, int64_t now) {
    (void)now;
    binance_t *b = (binance_t *)v;
    if (!b->ready || blocked(b)) return VENUE_NOT_SENT;
    bn_pending_t *p = pend_new(b, BN_REPLACE);
    if (!p) return VENUE_NOT_SENT;
    snprintf(p->cid, sizeof p->cid, "%s", o->cid);
    snprintf(p->cid2, sizeof p->cid2, "%s", old->cid);
    p->side = o->side;
    char pre[160], kv[1200];
    snprintf(pre, sizeof pre, "cancelOrigClientOrderId=%s&cancelReplaceMode=%s&", old->cid,
             mode == VREPLACE_ALLOW_FAILURE ? "ALLOW_FAILURE" : "STOP_ON_FAILURE");
    order_kv(b, o, pre, kv, sizeof kv);
    b->orders_sent++;
    return send_req(b, p, "order.cancelReplace", 0, kv);
}

static int bn_query(venue_t *v, const order_t *o, int64_t now) {
    (void)now;
    return order_request((binance_t *)v, BN_STATUS, "order.status", o);
}

static int bn_cancel_all(venue_t *v, int64_t now) {
    (void)now;
    binance_t *b = (binance_t *)v;
    if (!b->ready && !binance_can_send(b)) return VENUE_NOT_SENT;
    bn_pending_t *p = pend_new(b, BN_CANCEL_ALL);
    if (!p) return VENUE_NOT_SENT;
    char kv[256];
    snprintf(kv, sizeof kv, "recvWindow=%lld&symbol=%s", (long long)b->cfg.recv_window_ms, b->cfg.rules->symbol);
    return send_req(b, p, "openOrders.cancelAll", 0, kv);
}

static int open_orders_req(binance_t *b, uint32_t sync) {
    bn_pending_t *p = pend_new(b, BN_OPEN_ORDERS);
    if (!p) return VENUE_NOT_SENT;
    p->sync = sync;
    char kv[256];
    snprintf(kv, sizeof kv, "recvWindow=%lld&symbol=%s", (long long)b->cfg.recv_window_ms, b->cfg.rules->symbol);
    return send_req(b, p, "openOrders.status", 0, kv);
}

int binance_open_orders(binance_t *b) { return open_orders_req(b, 0); }

static int bn_sync(venue_t *v, int64_t now) {
    (void)now;
    binance_t *b = (binance_t *)v;
    if (!b->ready && !binance_can_send(b)) return VENUE_NOT_SENT;
    bn_pending_t *p = pend_new(b, BN_ACCOUNT);
    if (!p) return VENUE_NOT_SENT;
    uint32_t gen = b->sync_gen + 1 ? b->sync_gen + 1 : 1; /* (never 0: that is "asked alone") */
    p->sync = gen;
    char kv[256];
    snprintf(kv, sizeof kv, "omitZeroBalances=true&recvWindow=%lld", (long long)b->cfg.recv_window_ms);
    if (send_req(b, p, "account.status", 0, kv)) return VENUE_NOT_SENT;
    /* an earlier sync still waiting is over: its late answers are not counted in this one */
    b->sync_gen = gen;
    b->sync_waiting = 0;
    if (open_orders_req(b, gen)) return VENUE_MAYBE_SENT;
    b->sync_waiting = 2;
    /* the account's rates, told to the owner (the sync does not wait for them) */
    bn_pending_t *c = pend_new(b, BN_COMMISSION);
    if (c) {
        snprintf(kv, sizeof kv, "recvWindow=%lld&symbol=%s", (long long)b->cfg.recv_window_ms, b->cfg.rules->symbol);
        send_req(b, c, "account.commission", 0, kv);
    }
    return VENUE_SENT;
}

int binance_depth(binance_t *b, int limit) {
    bn_pending_t *p = pend_new(b, BN_DEPTH);
    if (!p) return VENUE_NOT_SENT;
    char params[128];
    snprintf(params, sizeof params, "{\"symbol\":\"%s\",\"limit\":%d}", b->cfg.rules->symbol, limit);
    return send_req(b, p, "depth", params, 0);
}

static void request_exinfo(binance_t *b) {
    b->next_exinfo_ns = clock_real_ns() + 5000000000LL; /* the answer sets the next */
    bn_pending_t *q = pend_new(b, BN_EXINFO);
    if (q) {
        char params[64];
        snprintf(params, sizeof params, "{\"symbol\":\"%s\"}", b->cfg.rules->symbol);
        send_req(b, q, "exchangeInfo", params, 0);
    }
}

static void request_time(binance_t *b) {
    bn_pending_t *p = pend_new(b, BN_TIME);
    if (p) send_req(b, p, "time", 0, 0);
}

static void subscribe(binance_t *b) {
    bn_pending_t *p = pend_new(b, BN_SUBSCRIBE);
    if (!p) return;
    if (b->ed25519 && b->logged_on) send_req(b, p, "userDataStream.subscribe", 0, 0);
    else send_req(b, p, "userDataStream.subscribe.signature", 0, "recvWindow=60000");
}

/* Ed25519: session.logon, then the subscription; HMAC: the signed subscription */
static void start_session(binance_t *b) {
    b->session_asked = 1;
    if (!b->cfg.api_key || !b->cfg.secret) return; /* no key (a dry run): market data only */
    if (!b->ed25519) {
        subscribe(b);
        return;
    }
    bn_pending_t *p = pend_new(b, BN_LOGON);
    if (p) send_req(b, p, "session.logon", 0, "recvWindow=60000");
}

/* ---- answers ---------------------------------------------------------------------------- */


/* an order request's outcome is unknown: its orders are queried by the oms */
static void unknown(binance_t *b, const bn_pending_t *p, int64_t t) {
    b->st.unknowns++;
    venue_request_t r = p->kind == BN_PLACE ? VREQ_PLACE : p->kind == BN_CANCEL ? VREQ_CANCEL
                      : p->kind == BN_REPLACE ? VREQ_REPLACE : VREQ_QUERY;
    venue_event_t e = event(VEV_UNKNOWN, p->cid, p->side);
    e.req = r;
    e.local_ns = t;
    e.code = BE_TIMEOUT;
    e.reason = "outcome unknown";
    emit(b, &e);
    if (p->kind == BN_REPLACE) {
        e = event(VEV_UNKNOWN, p->cid2, p->side);
        e.req = VREQ_CANCEL;
        e.local_ns = t;
        emit(b, &e);
    }
}

static void rate_limited(binance_t *b, const cJSON *err, int64_t t) {
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(err, "data");
    int64_t retry_ms = data ? jnum(data, "retryAfter") : 0; /* an epoch time in ms */
    /* the wait from now on the exchange's clock, at most 3 days as Retry-After's (a time far
       off, or an offset from a wild serverTime, would overflow the nanoseconds) */
    __int128 wait_ms = (__int128)retry_ms - binance_server_ms(b);
    if (wait_ms > 86400 * 3 * 1000LL) wait_ms = 86400 * 3 * 1000LL;
    int64_t until = retry_ms > 0 ? t + (int64_t)(wait_ms > 0 ? wait_ms : 0) * 1000000 : t + 1000000000LL;
    if (until < t + 100000000LL) until = t + 100000000LL;
    if (until > b->retry_until_ns) b->retry_until_ns = until;
    b->st.rate_limited++;
    venue_event_t e = event(VEV_RATE_LIMIT, 0, SIDE_BUY);
    e.local_ns = t;
    e.retry_ns = b->retry_until_ns; /* the longest wait known (REST: Retry-After set it already) */
    e.orders_used = -1;
    emit(b, &e);
}

/* a refusal: of a new order (VEV_REJECT) or of a cancel (VEV_CANCEL_REJECT) */
static void refused(binance_t *b, venue_event_type_t type, const char *cid, order_side_t side, venue_request_t req,
                    int code, const char *msg, int64_t t) {
    venue_event_t e = event(type, cid, side);
    e.req = req;
    e.code = code;
    e.reason = msg;
    e.local_ns = t;
    emit(b, &e);
}

static void place_failed(binance_t *b, const char *cid, order_side_t side, venue_request_t req, int code, const char *msg,
                         int64_t t) {
    refused(b, VEV_REJECT, cid, side, req, code, msg, t);
}

static void cancel_failed(binance_t *b, const char *cid, order_side_t side, venue_request_t req, int code, const char *msg,
                          int64_t t) {
    refused(b, VEV_CANCEL_REJECT, cid, side, req, code, msg, t);
}

static void canceled(binance_t *b, const cJSON *r, const char *cid, int64_t t) {
    venue_event_t e = event(VEV_CANCELED, cid, SIDE_BUY);
    order_fields(b, r, &e);
    e.local_ns = t;
    if (e.status == VST_FILLED) return; /* not canceled: it had filled, which its trades tell */
    emit(b, &e);
}

/* one of a sync's two answers (account, open orders) came, was refused or is lost: the sync
   is done when both are; open orders asked alone (the stop's confirmation) end at once,
   unless a sync is under way (its end is the one the owner waits for; the stop asks again).
   An answer of an earlier sync than the latest is not counted: it cannot end a later one.
   The one place this is counted, for every way an answer ends. */
static void sync_part(binance_t *b, const bn_pending_t *p, int code, int64_t t) {
    if (!p->sync) {
        if (p->kind != BN_OPEN_ORDERS || b->sync_waiting) return;
    } else if (p->sync != b->sync_gen || !b->sync_waiting || --b->sync_waiting) {
        return;
    }
    venue_event_t e = event(VEV_SYNC_DONE, 0, SIDE_BUY);
    e.code = code;
    e.local_ns = t;
    emit(b, &e);
}

static void on_error(binance_t *b, bn_pending_t *p, int status, const cJSON *err, int64_t t) {
    int code = (int)jnum(err, "code");
    const char *msg = jstr(err, "msg");
    /* "Market is closed.": the symbol stopped trading; its status, asked now, stops quoting */
    if (strstr(msg, "Market is closed") && (p->kind == BN_PLACE || p->kind == BN_REPLACE)) request_exinfo(b);
    b->st.errors++;
    if (code == BE_INVALID_TIMESTAMP) request_time(b); /* -1021: the clock drifted */
    if (status == 429 || status == 418) rate_limited(b, err, t);
    if (binance_outcome_unknown(status, code) && (p->kind == BN_PLACE || p->kind == BN_CANCEL || p->kind == BN_REPLACE ||
                                          p->kind == BN_STATUS || p->kind == BN_TRADES)) {
        unknown(b, p, t);
        return;
    }
    switch (p->kind) {
    case BN_PLACE: place_failed(b, p->cid, p->side, VREQ_PLACE, code, msg, t); break;
    case BN_CANCEL: cancel_failed(b, p->cid, p->side, VREQ_CANCEL, code, msg, t); break;
    case BN_REPLACE: {
        /* -2021/-2022 carry each part's outcome in data */
        const cJSON *data = cJSON_GetObjectItemCaseSensitive(err, "data");
        const cJSON *cr = data ? cJSON_GetObjectItemCaseSensitive(data, "cancelResponse") : 0;
        const cJSON *nr = data ? cJSON_GetObjectItemCaseSensitive(data, "newOrderResponse") : 0;
        if (cr && cJSON_GetObjectItemCaseSensitive(cr, "code"))
            cancel_failed(b, p->cid2, p->side, VREQ_REPLACE, (int)jnum(cr, "code"), jstr(cr, "msg"), t);
        else if (cr)
            canceled(b, cr, p->cid2, t);
        if (nr && cJSON_GetObjectItemCaseSensitive(nr, "code"))
            place_failed(b, p->cid, p->side, VREQ_REPLACE, (int)jnum(nr, "code"), jstr(nr, "msg"), t);
        else if (nr) {
            venue_event_t e = event(VEV_ACK, p->cid, p->side);
            e.order_id = (uint64_t)jnum(nr, "orderId");
            e.status = VST_NEW;
            e.local_ns = t;
            emit(b, &e);
        }
        if (!cr && !nr) { /* the request itself was refused: nothing canceled, nothing placed */
            cancel_failed(b, p->cid2, p->side, VREQ_REPLACE, code, msg, t);
            place_failed(b, p->cid, p->side, VREQ_REPLACE, code, msg, t);
        }
        break;
    }
    case BN_STATUS: {
        venue_event_t e = event(VEV_STATUS, p->cid, p->side);
        e.code = code == BE_NO_SUCH_ORDER ? VENUE_CODE_NO_SUCH_ORDER : code;
        e.local_ns = t;
        if (e.code == VENUE_CODE_NO_SUCH_ORDER) emit(b, &e);
        else unknown(b, p, t);
        break;
    }
    case BN_ACCOUNT:
    case BN_OPEN_ORDERS:
        sync_part(b, p, code, t);
        break;
    case BN_COMMISSION: /* the fees booked are the executionReports' own: the run goes on */
        note(b, "account.commission refused: %d %s (the fees booked are the ones each fill states)", code, msg);
        break;
    case BN_SUBSCRIBE:
        if (p->gen != b->api.gen) break;
        if (code == BE_INVALID_TIMESTAMP) b->session_asked = 0;
        else snprintf(b->err, sizeof b->err, "user data subscription refused: %d %s", code, msg);
        break;
    case BN_LOGON:
        if (p->gen != b->api.gen) break;
        if (code == BE_INVALID_TIMESTAMP) b->session_asked = 0; /* again once the clock is re-synced */
        else snprintf(b->err, sizeof b->err, "session.logon refused: %d %s", code, msg);
        break;
    default:
        break;
    }
}

static void trade_events(binance_t *b, const bn_pending_t *p, const cJSON *arr, int64_t t) {
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        venue_event_t e = event(VEV_FILL, p->cid, cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "isBuyer")) ? SIDE_BUY : SIDE_SELL);
        e.local_ns = t;
        e.trade_id = jnum(it, "id");
        e.order_id = (uint64_t)jnum(it, "orderId");
        e.maker = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "isMaker"));
        if (parse_units(it, "price", &b->cfg.rules->tick, &e.price) || parse_units(it, "qty", &b->cfg.rules->lot, &e.qty) ||
            parse_fee(jstr(it, "commission"), &e.fee, &e.fee_scale)) {
            b->st.parse_errors++;
            continue;
        }
        snprintf(e.fee_asset, sizeof e.fee_asset, "%s", jstr(it, "commissionAsset"));
        emit(b, &e);
    }
}

/* a decimal unit without its trailing zeros ("0.0100" is "0.01") */
static int same_unit(fx_unit_t a, fx_unit_t b) {
    while (a.scale > 0 && a.mult % 10 == 0) a.mult /= 10, a.scale--;
    while (b.scale > 0 && b.mult % 10 == 0) b.mult /= 10, b.scale--;
    return a.scale == b.scale && a.mult == b.mult;
}

/* exchangeInfo's PRICE_FILTER tickSize and LOT_SIZE stepSize against the rules the engine
   prices with (the config's): a difference would have every order refused (-1013) or
   mispriced, so the venue is not ready any more. Before any order went out the run stops
   with the reason (err); later (the rules changed under a running quoter) it only stops
   quoting, so that its orders are canceled and a stop still confirms it. */
static void check_rules(binance_t *b, const cJSON *r) {
    char *txt = cJSON_PrintUnformatted(r), err[160];
    symbol_rules_t x;
    memset(&x, 0, sizeof x);
    if (!txt) snprintf(err, sizeof err, "out of memory");
    int rc = txt ? exinfo_parse(txt, strlen(txt), b->cfg.rules->symbol, &x, err, sizeof err) : -1;
    free(txt);
    /* said whatever --quiet says, once a minute while it lasts (exchangeInfo comes every
       minute, every 5 s while the symbol does not trade) */
    int64_t now = clock_real_ns();
    int tell = !b->rules_told_ns || now - b->rules_told_ns >= 60000000000LL;
    if (rc) { /* the symbol is not listed, or has no such filters: nothing to compare */
        if (tell) {
            b->rules_told_ns = now;
            log_msg(LOG_WARN, "binance", "exchangeInfo: %s's tick and step sizes cannot be checked: %s", b->cfg.rules->symbol,
                    err);
        }
        return;
    }
    const char *what = !same_unit(x.tick, b->cfg.rules->tick) ? "PRICE_FILTER.tickSize"
                     : !same_unit(x.step, b->cfg.rules->step) ? "LOT_SIZE.stepSize" : 0;
    if (!what) {
        b->rules_told_ns = 0;
        return;
    }
    char have[48], want[48];
    const fx_unit_t *hu = what[0] == 'P' ? &x.tick : &x.step, *wu = what[0] == 'P' ? &b->cfg.rules->tick : &b->cfg.rules->step;
    fx_format(hu->mult, &(fx_unit_t){hu->scale, 1, 0}, 0, have, sizeof have);
    fx_format(wu->mult, &(fx_unit_t){wu->scale, 1, 0}, 0, want, sizeof want);
    char msg[256];
    snprintf(msg, sizeof msg, "exchangeInfo: %s's %s is %s, the config says %s (market.tick_size / step_size)",
             b->cfg.rules->symbol, what, have, want);
    if (!b->orders_sent) { /* nothing went out: the run stops with this (err) */
        if (!b->rules_bad) note(b, "%s: not quoting", msg);
        snprintf(b->err, sizeof b->err, "%s", msg);
    } else if (tell) { /* mid-run: it stops quoting, and says why every minute until stopped */
        b->rules_told_ns = now;
        log_msg(LOG_ERROR, "binance", "%s: not quoting (until restarted with the exchange's rules)", msg);
    }
    b->rules_bad = 1;
    b->ready = 0; /* no order with the wrong units */
}

static void on_result(binance_t *b, bn_pending_t *p, const cJSON *r, int64_t t) {
    switch (p->kind) {
    case BN_TIME: {
        int64_t old_offset = b->offset_ms;
        int64_t server = jnum(r, "serverTime");
        int64_t period_ns = (int64_t)((tuning.time_sync_s > 0 ? tuning.time_sync_s : BN_TIME_SYNC_S) * 1e9);
        int64_t rtt_ms = (t - p->sent_ns) / 1000000; /* over REST: from the request's writing (rest.h) */
        /* the server stamped its time between the request's leaving and the answer's coming,
           so the true offset lies in [server - received, server - sent], and the midpoint is
           off by at most half the round trip. A long trip is dropped once a clock is known (the
           next is asked 5 s after this one was), but only when the offset in use lies within
           its bounds: one outside them is wrong by more than this sample can be (a clock that
           jumped while the machine was slow), and the sample replaces it. A REST sample
           answered while the WebSocket API is up does not replace the API's fresher one. */
        int64_t lo_ms = server - t / 1000000 - 1, hi_ms = server - p->sent_ns / 1000000 + 1;
        int agrees = b->offset_ms >= lo_ms && b->offset_ms <= hi_ms;
        const char *drop = p->rest && b->api.state == NET_OPEN && b->time_ws_ns && t - b->time_ws_ns < period_ns + 60000000000LL
                               ? "over REST while the WebSocket API measures it"
                           : b->time_known && rtt_ms > BN_TIME_MAX_RTT_MS && agrees ? "the round trip too long" : 0;
        if (drop) {
            note(b, "clock sample dropped: %s (round trip %lld ms)", drop, (long long)rtt_ms);
        } else {
            int64_t mid_ms = (p->sent_ns + t) / 2 / 1000000;
            b->offset_ms = server - mid_ms;
            b->time_rtt_ms = rtt_ms;
            if (!p->rest) b->time_ws_ns = t;
            b->st.time_syncs++;
            if (p->rest && !b->time_known)
                note(b, "clock offset %lld ms (round trip %lld ms) over REST", (long long)b->offset_ms, (long long)b->time_rtt_ms);
            if (b->time_known && (b->offset_ms > old_offset + 1000 || b->offset_ms < old_offset - 1000))
                note(b, "clock offset re-synced: %lld ms (was %lld ms)", (long long)b->offset_ms, (long long)old_offset);
            b->next_time_sync_ns = t + period_ns;
        }
        if (!b->session_asked && p->gen == b->api.gen && b->api.state == NET_OPEN) start_session(b);
        if (!b->time_known) {
            b->time_known = 1;
            request_exinfo(b);
        }
        break;
    }
    case BN_EXINFO: {
        orders_limits(b, cJSON_GetObjectItemCaseSensitive(r, "rateLimits"), t);
        const cJSON *rl;
        cJSON_ArrayForEach(rl, cJSON_GetObjectItemCaseSensitive(r, "rateLimits")) /* X-MBX-USED-WEIGHT-1M's bound */
            if (!strcmp(jstr(rl, "rateLimitType"), "REQUEST_WEIGHT") && !strcmp(jstr(rl, "interval"), "MINUTE") &&
                jnum(rl, "intervalNum") == 1 && jnum(rl, "limit") > 0 && jnum(rl, "limit") < 100000000)
                b->weight_limit = (int)jnum(rl, "limit");
        const cJSON *syms = cJSON_GetObjectItemCaseSensitive(r, "symbols"), *s;
        cJSON_ArrayForEach(s, syms) if (!strcmp(jstr(s, "symbol"), b->cfg.rules->symbol)) {
            int changed = strcmp(b->symbol_status, jstr(s, "status")) != 0;
            snprintf(b->symbol_status, sizeof b->symbol_status, "%s", jstr(s, "status"));
            if (changed && b->hooks.on_symbol) b->hooks.on_symbol(b->hooks.ctx, b->symbol_status);
        }
        /* asked again in a minute; every 5 s while the symbol does not trade */
        b->next_exinfo_ns = t + (strcmp(b->symbol_status, "TRADING") ? 5000000000LL : 60000000000LL);
        check_rules(b, r);
        break;
    }
    case BN_COMMISSION: {
        bn_commission_t c;
        memset(&c, 0, sizeof c);
        const cJSON *std = cJSON_GetObjectItemCaseSensitive(r, "standardCommission");
        const cJSON *tax = cJSON_GetObjectItemCaseSensitive(r, "taxCommission");
        const cJSON *spc = cJSON_GetObjectItemCaseSensitive(r, "specialCommission");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(r, "discount");
        snprintf(c.maker, sizeof c.maker, "%s", jstr(std, "maker"));
        snprintf(c.taker, sizeof c.taker, "%s", jstr(std, "taker"));
        snprintf(c.tax_maker, sizeof c.tax_maker, "%s", tax ? jstr(tax, "maker") : "0");
        snprintf(c.tax_taker, sizeof c.tax_taker, "%s", tax ? jstr(tax, "taker") : "0");
        /* specialCommission is an extra commission added to the standard one (Binance's
           docs), like tax: all three are paid */
        snprintf(c.special_maker, sizeof c.special_maker, "%s", spc ? jstr(spc, "maker") : "0");
        snprintf(c.special_taker, sizeof c.special_taker, "%s", spc ? jstr(spc, "taker") : "0");
        /* every rate read whole ("0.001x" is not 0.001): a rate misread is a fee misjudged */
        const char *txt[6] = {c.maker, c.taker, c.tax_maker, c.tax_taker, c.special_maker, c.special_taker};
        double v[6];
        int bad = -1;
        for (int i = 0; i < 6 && bad < 0; i++) {
            char *end;
            v[i] = strtod(txt[i], &end);
            if (!txt[i][0] || *end || !(v[i] >= 0 && v[i] < 1)) bad = i;
        }
        if (bad >= 0) {
            static const char *names[6] = {"standardCommission.maker", "standardCommission.taker", "taxCommission.maker",
                                           "taxCommission.taker", "specialCommission.maker", "specialCommission.taker"};
            note(b, "account.commission: %s is not a rate (\"%.24s\"): the answer ignored", names[bad], txt[bad]);
            break;
        }
        c.maker_rate = v[0] + v[2] + v[4];
        c.taker_rate = v[1] + v[3] + v[5];
        snprintf(c.discount_asset, sizeof c.discount_asset, "%s", d ? jstr(d, "discountAsset") : "");
        snprintf(c.discount, sizeof c.discount, "%s", d ? jstr(d, "discount") : "");
        c.discount_on = d && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "enabledForAccount")) &&
                        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "enabledForSymbol"));
        c.known = 1;
        int changed = !b->commission.known || strcmp(b->commission.maker, c.maker) || strcmp(b->commission.taker, c.taker) ||
                      strcmp(b->commission.tax_maker, c.tax_maker) || strcmp(b->commission.tax_taker, c.tax_taker) ||
                      strcmp(b->commission.special_maker, c.special_maker) ||
                      strcmp(b->commission.special_taker, c.special_taker) ||
                      b->commission.discount_on != c.discount_on || strcmp(b->commission.discount, c.discount);
        b->commission = c;
        if (changed && b->hooks.on_commission) b->hooks.on_commission(b->hooks.ctx, &b->commission);
        break;
    }
    case BN_LOGON:
        b->st.logons++;
        if (p->gen != b->api.gen) break; /* the old socket's: the new one logs on by itself */
        b->logged_on = 1;
        note(b, "logged on (session.logon, Ed25519)");
        subscribe(b);
        break;
    case BN_SUBSCRIBE:
        if (p->gen != b->api.gen) break;
        b->subscribed = 1;
        if (!b->ready && !b->rules_bad) {
            b->ready = 1;
            if (b->hooks.on_ready) b->hooks.on_ready(b->hooks.ctx);
        }
        break;
    case BN_DEPTH: {
        char *txt = cJSON_PrintUnformatted(r);
        if (txt && b->hooks.on_depth) b->hooks.on_depth(b->hooks.ctx, txt, strlen(txt), t);
        free(txt);
        break;
    }
    case BN_PLACE: {
        venue_event_t e = event(VEV_ACK, p->cid, p->side);
        e.order_id = (uint64_t)jnum(r, "orderId");
        e.status = VST_NEW;
        e.local_ns = t;
        emit(b, &e);
        break;
    }
    case BN_CANCEL:
        canceled(b, r, p->cid, t);
        break;
    case BN_REPLACE: {
        const cJSON *cr = cJSON_GetObjectItemCaseSensitive(r, "cancelResponse");
        const cJSON *nr = cJSON_GetObjectItemCaseSensitive(r, "newOrderResponse");
        if (cr) canceled(b, cr, p->cid2, t);
        if (nr) {
            venue_event_t e = event(VEV_ACK, p->cid, p->side);
            e.order_id = (uint64_t)jnum(nr, "orderId");
            e.status = VST_NEW;
            e.local_ns = t;
            emit(b, &e);
        }
        break;
    }
    case BN_STATUS: {
        venue_event_t e = event(VEV_STATUS, p->cid, p->side);
        order_fields(b, r, &e);
        e.local_ns = t;
        emit(b, &e);
        /* its trades follow: myTrades for this order */
        if (e.cum_qty > 0) {
            bn_pending_t *q = pend_new(b, BN_TRADES);
            if (q) {
                snprintf(q->cid, sizeof q->cid, "%s", p->cid);
                q->side = p->side;
                char kv[256];
                snprintf(kv, sizeof kv, "orderId=%" PRIu64 "&recvWindow=%lld&symbol=%s", e.order_id,
                         (long long)b->cfg.recv_window_ms, b->cfg.rules->symbol);
                send_req(b, q, "myTrades", 0, kv);
            }
        }
        break;
    }
    case BN_TRADES:
        trade_events(b, p, r, t);
        break;
    case BN_CANCEL_ALL: {
        const cJSON *it;
        cJSON_ArrayForEach(it, r) canceled(b, it, jstr(it, "origClientOrderId"), t);
        break;
    }
    case BN_ACCOUNT: {
        const cJSON *bal = cJSON_GetObjectItemCaseSensitive(r, "balances"), *it;
        int told[2] = {0, 0};
        cJSON_ArrayForEach(it, bal) {
            const char *a = jstr(it, "asset");
            int base = !strcmp(a, b->cfg.rules->base), quote = !strcmp(a, b->cfg.rules->quote);
            if (!base && !quote) continue;
            told[base ? 0 : 1] = 1;
            int64_t f = 0, l = 0;
            __int128 fq = 0, lq = 0;
            if (base && (parse_units(it, "free", &b->cfg.rules->lot, &f) || parse_units(it, "locked", &b->cfg.rules->lot, &l)))
                continue;
            if (quote && (parse_quote(b, it, "free", &fq) || parse_quote(b, it, "locked", &lq))) continue;
            balance_event(b, base ? 0 : 1, f, l, fq, lq, t);
        }
        /* asked with omitZeroBalances: an asset not listed is one the account holds none of
           (the ledger must not keep the config's balance for it) */
        if (cJSON_IsArray(bal))
            for (int i = 0; i < 2; i++)
                if (!told[i] && *(i ? b->cfg.rules->quote : b->cfg.rules->base)) balance_event(b, i, 0, 0, 0, 0, t);
        sync_part(b, p, 0, t);
        break;
    }
    case BN_OPEN_ORDERS: {
        const cJSON *it;
        cJSON_ArrayForEach(it, r) {
            venue_event_t e = event(VEV_OPEN_ORDER, jstr(it, "clientOrderId"), SIDE_BUY);
            order_fields(b, it, &e);
            e.local_ns = t;
            emit(b, &e);
        }
        sync_part(b, p, 0, t);
        break;
    }
    default:
        break;
    }
}

/* an executionReport: the order's state and its trades as the exchange tells them */
/* an executionReport's fields as both readers give them: the allocation-free reader's
   (proto/exec_read.h, the usual case) and cJSON's (a REJECTED report, whose reason the
   reader does not keep, and order types the reader does not take) */
typedef struct exec_view {
    const char *symbol, *exec, *cid, *orig_cid, *status, *cum_qty, *cum_quote;
    const char *last_price, *last_qty, *commission, *commission_asset, *reason;
    int buy, maker;
    int64_t event_ms, trade_id;
    uint64_t order_id;
} exec_view_t;

/* One mapping of an executionReport to the venue's events, whichever reader read it. */
static void exec_event(binance_t *b, const exec_view_t *x, int64_t t) {
    b->st.reports++;
    if (strcmp(x->symbol, b->cfg.rules->symbol)) return;
    /* an event time whose nanoseconds would overflow reads as 0 */
    int64_t ems = x->event_ms > -9200000000000LL && x->event_ms < 9200000000000LL ? x->event_ms : 0;
    venue_event_t e = event(VEV_ACK, !strcmp(x->exec, "CANCELED") && x->orig_cid[0] ? x->orig_cid : x->cid,
                            x->buy ? SIDE_BUY : SIDE_SELL);
    e.local_ns = t;
    e.exch_ns = ems * 1000000;
    e.order_id = x->order_id;
    e.status = status_of(x->status);
    int64_t v;
    if (!fx_parse(x->cum_qty, strlen(x->cum_qty), &b->cfg.rules->lot, &v)) e.cum_qty = v;
    __int128 q;
    if (!symbol_notional_parse(b->cfg.rules, x->cum_quote, &q)) e.cum_quote = q;
    if (!strcmp(x->exec, "NEW")) {
        e.type = VEV_ACK;
    } else if (!strcmp(x->exec, "TRADE")) {
        e.type = VEV_FILL;
        e.trade_id = x->trade_id;
        e.maker = x->maker;
        if (fx_parse(x->last_price, strlen(x->last_price), &b->cfg.rules->tick, &e.price) ||
            fx_parse(x->last_qty, strlen(x->last_qty), &b->cfg.rules->lot, &e.qty) ||
            parse_fee(x->commission, &e.fee, &e.fee_scale)) {
            b->st.parse_errors++;
            return;
        }
        snprintf(e.fee_asset, sizeof e.fee_asset, "%s", x->commission_asset);
    } else if (!strcmp(x->exec, "CANCELED")) {
        e.type = VEV_CANCELED;
    } else if (!strcmp(x->exec, "EXPIRED") || !strcmp(x->exec, "TRADE_PREVENTION")) {
        e.type = VEV_EXPIRED;
    } else if (!strcmp(x->exec, "REJECTED")) {
        e.type = VEV_REJECT;
        e.req = VREQ_PLACE;
        e.reason = x->reason;
    } else {
        return; /* REPLACED (amend) and others: the state follows in later reports */
    }
    emit(b, &e);
}

static void on_execution(binance_t *b, const cJSON *ev, int64_t t) {
    exec_view_t x = {jstr(ev, "s"), jstr(ev, "x"), jstr(ev, "c"), jstr(ev, "C"), jstr(ev, "X"), jstr(ev, "z"),
                     jstr(ev, "Z"), jstr(ev, "L"), jstr(ev, "l"), jstr(ev, "n"), jstr(ev, "N"), jstr(ev, "r"),
                     strcmp(jstr(ev, "S"), "SELL") != 0, cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ev, "m")),
                     jnum(ev, "E"), jnum(ev, "t"), (uint64_t)jnum(ev, "i")};
    exec_event(b, &x, t);
}

static void on_exec_report(binance_t *b, const proto_exec_t *p, int64_t t) {
    exec_view_t x = {p->symbol, p->exec, p->cid, p->orig_cid, xstatus_name(p->status), p->cum_qty, p->cum_quote,
                     p->last_price, p->last_qty, p->commission, p->commission_asset, "", p->buy, p->maker,
                     p->event_ms,
                     (double)p->trade_id > -9.2e18 && (double)p->trade_id < 9.2e18 ? (int64_t)p->trade_id : 0,
                     p->order_id};
    exec_event(b, &x, t);
}

/* the balance of base (i 0) or quote (i 1) as a VEV_BALANCE; free and locked as read */
static void balance_event(binance_t *b, int i, int64_t f, int64_t l, __int128 fq, __int128 lq, int64_t t) {
    venue_event_t e = event(VEV_BALANCE, 0, SIDE_BUY);
    snprintf(e.asset, sizeof e.asset, "%s", i ? b->cfg.rules->quote : b->cfg.rules->base);
    e.local_ns = t;
    e.free = i ? fq : f;
    e.locked = i ? lq : l;
    b->bal[i].known = 1;
    b->bal[i].free = f;
    b->bal[i].locked = l;
    b->bal[i].free_q = fq;
    b->bal[i].locked_q = lq;
    b->st.balances++;
    emit(b, &e);
}

static int asset_index(const binance_t *b, const char *a) {
    return !strcmp(a, b->cfg.rules->base) ? 0 : !strcmp(a, b->cfg.rules->quote) ? 1 : -1;
}

/* outboundAccountPosition {e,E,u,B:[{a,f,l}]}: the balances that changed, absolute */
static void on_position(binance_t *b, const cJSON *ev, int64_t t) {
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(ev, "B")) {
        int i = asset_index(b, jstr(it, "a"));
        int64_t f = 0, l = 0;
        __int128 fq = 0, lq = 0;
        if (i < 0) continue;
        if (i == 0 && (parse_units(it, "f", &b->cfg.rules->lot, &f) || parse_units(it, "l", &b->cfg.rules->lot, &l))) {
            b->st.parse_errors++;
            continue;
        }
        if (i == 1 && (parse_quote(b, it, "f", &fq) || parse_quote(b, it, "l", &lq))) {
            b->st.parse_errors++;
            continue;
        }
        balance_event(b, i, f, l, fq, lq, t);
    }
}

/* balanceUpdate {e,E,a,d,T}: a deposit or withdrawal, a delta on the free balance: told as
   VEV_TRANSFER (the ledger moves its balance and its start together: no PnL) */
static void on_balance_update(binance_t *b, const cJSON *ev, int64_t t) {
    int i = asset_index(b, jstr(ev, "a"));
    if (i < 0) return;
    const char *d = jstr(ev, "d");
    int neg = *d == '-';
    cJSON *tmp = cJSON_CreateObject();
    if (!tmp) return;
    cJSON_AddStringToObject(tmp, "d", d + neg);
    int64_t dv = 0;
    __int128 dq = 0;
    int bad = i == 0 ? parse_units(tmp, "d", &b->cfg.rules->lot, &dv) : parse_quote(b, tmp, "d", &dq);
    cJSON_Delete(tmp);
    if (bad) {
        b->st.parse_errors++;
        return;
    }
    venue_event_t e = event(VEV_TRANSFER, 0, SIDE_BUY);
    snprintf(e.asset, sizeof e.asset, "%s", jstr(ev, "a"));
    e.local_ns = t;
    e.free = i == 0 ? (__int128)(neg ? -dv : dv) : (neg ? -dq : dq);
    if (b->bal[i].known) { /* the last absolute balance, kept for the next comparisons */
        if (i == 0) b->bal[0].free += neg ? -dv : dv;
        else b->bal[1].free_q += neg ? -dq : dq;
    }
    note(b, "balanceUpdate %s %s", jstr(ev, "a"), d);
    emit(b, &e);
}

/* 1 when this user data event came already (a rotation's overlap: both sockets subscribed) */
static int seen_event(binance_t *b, const char *msg, size_t len) {
    const char *e = 0;
    for (size_t i = 0; i + 8 <= len; i++)
        if (!memcmp(msg + i, "\"event\":", 8)) { e = msg + i; break; }
    if (!e) return 0;
    uint64_t h = 1469598103934665603ull;
    for (const char *s = e; s < msg + len; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
    h |= 1;
    /* open addressing in each set; none is ever deleted: a full half-set becomes the old one */
    for (int g = 0; g < 2; g++) {
        const uint64_t *set = b->seen[g];
        for (uint32_t k = (uint32_t)(h >> 32) % BN_SEEN;; k = (k + 1) % BN_SEEN) {
            if (!set[k]) break;
            if (set[k] == h) return 1;
        }
    }
    if (b->nseen >= BN_SEEN / 2) {
        b->seen_cur ^= 1;
        memset(b->seen[b->seen_cur], 0, sizeof b->seen[0]);
        b->nseen = 0;
    }
    uint64_t *set = b->seen[b->seen_cur];
    uint32_t k = (uint32_t)(h >> 32) % BN_SEEN;
    while (set[k]) k = (k + 1) % BN_SEEN;
    set[k] = h;
    b->nseen++;
    return 0;
}

/* rateLimits [{rateLimitType, interval, intervalNum, limit, count}]: the ORDERS per 10 s
   limit (exchangeInfo) and count (answers) as a VEV_RATE_LIMIT without a wait */
static void orders_limits(binance_t *b, const cJSON *limits, int64_t t) {
    const cJSON *it;
    cJSON_ArrayForEach(it, limits) {
        if (strcmp(jstr(it, "rateLimitType"), "ORDERS") || strcmp(jstr(it, "interval"), "SECOND") ||
            jnum(it, "intervalNum") != 10)
            continue;
        venue_event_t e = event(VEV_RATE_LIMIT, 0, SIDE_BUY);
        e.local_ns = t;
        int64_t lim = jnum(it, "limit"), cnt = cJSON_GetObjectItemCaseSensitive(it, "count") ? jnum(it, "count") : -1;
        e.orders_limit = lim > 0 && lim < 1000000 ? (int)lim : 0;
        e.orders_used = cnt >= 0 && cnt < 1000000 ? (int)cnt : -1;
        emit(b, &e);
    }
}

static void api_text(void *ctx, net_conn_t *c, const char *msg, size_t len) {
    (void)c;
    binance_t *b = ctx;
    int64_t t = clock_real_ns();
    /* an executionReport, the hot one, without cJSON; anything else it does not take whole
       (another event, an answer, a report of an order type this side never sends) below */
    proto_exec_t x;
    if (!proto_exec_read_event(msg, len, &x) && strcmp(x.exec, "REJECTED")) {
        if (seen_event(b, msg, len)) b->st.duplicates++;
        else on_exec_report(b, &x, t);
        return;
    }
    cJSON *j = cJSON_ParseWithLength(msg, len);
    if (!j) {
        b->st.parse_errors++;
        return;
    }
    const cJSON *event_obj = cJSON_GetObjectItemCaseSensitive(j, "event");
    if (event_obj) { /* user data: {"subscriptionId":N,"event":{...}}, or the server's {"event":{...}} */
        const char *e = jstr(event_obj, "e");
        if (!strcmp(e, "serverShutdown")) {
            b->st.shutdowns++;
            note(b, "the WebSocket API announced serverShutdown: opening a new connection");
            net_rotate(&b->api);
        } else if (seen_event(b, msg, len)) {
            b->st.duplicates++;
        } else if (!strcmp(e, "executionReport")) {
            on_execution(b, event_obj, t);
        } else if (!strcmp(e, "outboundAccountPosition")) {
            on_position(b, event_obj, t);
        } else if (!strcmp(e, "balanceUpdate")) {
            on_balance_update(b, event_obj, t);
        } else if (!strcmp(e, "eventStreamTerminated")) {
            b->subscribed = 0;
            subscribe(b);
        }
        cJSON_Delete(j);
        return;
    }
    const cJSON *idv = cJSON_GetObjectItemCaseSensitive(j, "id");
    /* ours are decimal strings: read whole ("12abc" is not request 12) */
    uint64_t id = 0;
    if (!cJSON_IsString(idv) || proto_parse_u64(idv->valuestring, &id)) id = 0;
    bn_pending_t *p = pend_find(b, id);
    if (!p || p->rest) { /* (a request sent over REST is answered there only) */
        cJSON_Delete(j);
        return;
    }
    b->st.answers++;
    if (p->kind == BN_PLACE || p->kind == BN_CANCEL || p->kind == BN_REPLACE) {
        b->st.rtt_n++;
        b->st.rtt_sum_ms += (double)(t - p->sent_ns) / 1e6;
        hist_observe(&b->st.rtt_hist, t - p->sent_ns);
    }
    int status = (int)jnum(j, "status");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "result");
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
    bn_pending_t copy = *p;
    p->kind = BN_NONE; /* free before the events: a sink may send the next request */
    if (status == 200 && r) on_result(b, &copy, r, t);
    else on_error(b, &copy, status, err, t);
    /* the venue's own count of our new orders: the risk gate's budget stays true to it */
    orders_limits(b, cJSON_GetObjectItemCaseSensitive(j, "rateLimits"), t);
    cJSON_Delete(j);
}

static void api_open(void *ctx, net_conn_t *c) {
    (void)c;
    binance_t *b = ctx;
    b->time_known = 0;
    b->logged_on = b->session_asked = 0;
    b->api_down_told = 0;
    request_time(b);
}

/* a new API socket took over: the clock, the logon and the subscription again on it; the old
   one's subscription goes on delivering until it closes (events seen twice are dropped) */
static void api_rotate(void *ctx, net_conn_t *c) {
    binance_t *b = ctx;
    b->st.rotations++;
    b->logged_on = b->session_asked = 0;
    note(b, "the WebSocket API moved to a new connection (%lld so far); the old one drains", (long long)c->rotations);
    request_time(b);
}

/* a request that will never be answered (its socket retired, its REST answer lost): an
   order request's outcome is unknown, a sync ends unfinished, a snapshot is asked again */
static void lost_request(binance_t *b, const bn_pending_t *p, int64_t t) {
    if (p->kind == BN_PLACE || p->kind == BN_CANCEL || p->kind == BN_REPLACE || p->kind == BN_STATUS ||
        p->kind == BN_TRADES) {
        unknown(b, p, t);
    } else if (p->kind == BN_ACCOUNT || p->kind == BN_OPEN_ORDERS) {
        sync_part(b, p, -1, t);
    } else if (p->kind == BN_DEPTH && b->hooks.on_down) {
        b->hooks.on_down(b->hooks.ctx, p->rest ? "a depth snapshot asked over REST was not answered"
                                               : "a depth snapshot was lost with a rotated connection");
    }
}

/* the old API socket is closed: what was sent on it and not answered has an unknown outcome */
static void api_retired(void *ctx, net_conn_t *c) {
    binance_t *b = ctx;
    int64_t t = clock_real_ns();
    for (int i = 0; i < BN_PENDING; i++) {
        bn_pending_t *p = &b->pend[i];
        if (p->kind == BN_NONE || p->rest || p->gen >= c->gen) continue;
        bn_pending_t copy = *p;
        p->kind = BN_NONE;
        lost_request(b, &copy, t);
    }
}

static void stream_rotate(void *ctx, net_conn_t *c) {
    binance_t *b = ctx;
    note(b, "the market data streams moved to a new connection (%lld so far)", (long long)c->rotations);
}

static void api_close(void *ctx, net_conn_t *c, const char *why) {
    (void)c;
    binance_t *b = ctx;
    int64_t t = clock_real_ns();
    b->ready = b->subscribed = 0;
    /* every order request in flight on it has an unknown outcome now (those over REST go on) */
    for (int i = 0; i < BN_PENDING; i++) {
        bn_pending_t *p = &b->pend[i];
        if (p->kind == BN_NONE || p->rest) continue;
        bn_pending_t copy = *p;
        p->kind = BN_NONE;
        if (copy.kind != BN_DEPTH) lost_request(b, &copy, t); /* (a lost snapshot: on_down below says it) */
    }
    if (b->rest_on && !b->api_down_told)
        note(b, "the WebSocket API is down: cancels, queries and syncs go over REST until it is back");
    b->api_down_told = 1;
    if (b->hooks.on_down) b->hooks.on_down(b->hooks.ctx, why);
}

static void stream_text(void *ctx, net_conn_t *c, const char *msg, size_t len) {
    binance_t *b = ctx;
    int shutdown = 0;
    for (size_t i = 0; len < 256 && i + 14 <= len && !shutdown; i++) shutdown = !memcmp(msg + i, "serverShutdown", 14);
    if (shutdown) {
        b->st.shutdowns++;
        note(b, "the streams announced serverShutdown: opening a new connection");
        net_rotate(c);
        return;
    }
    if (b->hooks.on_market) b->hooks.on_market(b->hooks.ctx, msg, len, clock_real_ns());
}

static void stream_close(void *ctx, net_conn_t *c, const char *why) {
    (void)c;
    binance_t *b = ctx;
    if (b->hooks.on_down) b->hooks.on_down(b->hooks.ctx, why);
}

/* ---- REST: the start-up path and the fallback (rest.h) ----------------------------------- */

/* the REST twin of a WebSocket API method; signed ones carry timestamp and signature */
static const struct { const char *ws, *http, *path; int sign; } rest_map[] = {
    {"time", "GET", "/api/v3/time", 0},
    {"exchangeInfo", "GET", "/api/v3/exchangeInfo", 0},
    {"depth", "GET", "/api/v3/depth", 0},
    {"order.place", "POST", "/api/v3/order", 1},
    {"order.cancel", "DELETE", "/api/v3/order", 1},
    {"order.cancelReplace", "POST", "/api/v3/order/cancelReplace", 1},
    {"order.status", "GET", "/api/v3/order", 1},
    {"myTrades", "GET", "/api/v3/myTrades", 1},
    {"openOrders.cancelAll", "DELETE", "/api/v3/openOrders", 1},
    {"openOrders.status", "GET", "/api/v3/openOrders", 1},
    {"account.status", "GET", "/api/v3/account", 1},
    {"account.commission", "GET", "/api/v3/account/commission", 1},
};

/* an unsigned request's params object {"k":"v","n":5} as "k=v&n=5"; -1 when it does not fit */
static int json_kv(const char *json, char *out, size_t cap) {
    out[0] = 0;
    if (!json) return 0;
    cJSON *j = cJSON_Parse(json);
    if (!j) return -1;
    size_t n = 0;
    int bad = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, j) {
        int m = cJSON_IsString(it) ? snprintf(out + n, cap - n, "%s%s=%s", n ? "&" : "", it->string, it->valuestring)
                : cJSON_IsNumber(it) ? snprintf(out + n, cap - n, "%s%s=%lld", n ? "&" : "", it->string, (long long)jnum(j, it->string))
                                     : -1;
        if (m < 0 || (size_t)m >= cap - n) { bad = 1; break; }
        n += (size_t)m;
    }
    cJSON_Delete(j);
    return bad ? -1 : (int)n;
}

/* send_req's REST path: the method's twin, its query (signed when kv is given), sent;
   VENUE_SENT or VENUE_NOT_SENT (the slot freed). The session's own methods (logon, user
   data) have no REST twin. */
static int rest_req(binance_t *b, bn_pending_t *p, const char *method, const char *params_json, const char *kv) {
    size_t i = 0;
    while (i < sizeof rest_map / sizeof rest_map[0] && strcmp(rest_map[i].ws, method)) i++;
    char plain[1024], q[2600], url[2800];
    int n = -1;
    if (i < sizeof rest_map / sizeof rest_map[0]) {
        if (rest_map[i].sign && kv && b->cfg.secret)
            n = rest_signed_query(kv, b->cfg.secret, (long long)binance_server_ms(b), q, sizeof q);
        else if (!rest_map[i].sign && json_kv(params_json, plain, sizeof plain) >= 0)
            n = rest_query(plain, q, sizeof q);
    }
    if (n < 0 || snprintf(url, sizeof url, "%s%s%s", rest_map[i].path, n ? "?" : "", q) >= (int)sizeof url ||
        rest_send(&b->rest, p->id, rest_map[i].http, url)) {
        p->kind = BN_NONE;
        return VENUE_NOT_SENT;
    }
    p->rest = 1;
    b->st.requests++;
    if (p->kind == BN_PLACE || p->kind == BN_CANCEL || p->kind == BN_REPLACE || p->kind == BN_CANCEL_ALL)
        b->st.order_requests++;
    b->st.rest_requests++;
    b->st.rest_kind[p->kind]++;
    return VENUE_SENT;
}

/* a REST answer: its headers first (the ORDERS count, the weight, Retry-After), then the
   body through the WebSocket API's handlers (a REST body is what `result` or `error` holds) */
static void rest_done(void *ctx, uint64_t tag, const rest_answer_t *a) {
    binance_t *b = ctx;
    int64_t t = clock_real_ns();
    bn_pending_t *p = pend_find(b, tag);
    if (!p || !p->rest) return;
    bn_pending_t copy = *p;
    p->kind = BN_NONE; /* free before the events: a sink may send the next request */
    if (a->sent_ns > 0) copy.sent_ns = a->sent_ns; /* the trip from the request's writing, not
                                                      from its queueing (DNS, TCP, TLS before) */
    cJSON *j = a->status ? cJSON_ParseWithLength(a->body, a->len) : 0;
    if (!a->status || (a->status == 200 && !j)) { /* no answer, or one that says nothing */
        b->st.rest_lost++;
        if (a->status) b->st.parse_errors++;
        note(b, "REST request %" PRIu64 " not answered (%s)", tag, a->status ? "an unreadable answer" : a->why);
        lost_request(b, &copy, t);
        cJSON_Delete(j);
        return;
    }
    b->st.answers++;
    /* (no round trip counted: rtt_n/rtt_sum_ms and rtt_hist are the WebSocket API's order
       round trips; a REST one, a new connection each, would mix DNS, TCP and TLS into them) */
    if (a->order_count_10s >= 0) { /* the venue's count of our new orders, as rateLimits gives it */
        venue_event_t e = event(VEV_RATE_LIMIT, 0, SIDE_BUY);
        e.local_ns = t;
        e.orders_used = a->order_count_10s < 1000000 ? a->order_count_10s : -1;
        emit(b, &e);
    }
    if (a->used_weight_1m >= 0) {
        b->weight_used = a->used_weight_1m;
        if (b->weight_limit > 0 && a->used_weight_1m >= b->weight_limit) { /* nothing more until the minute turns */
            int64_t next_min_ms = (binance_server_ms(b) / 60000 + 1) * 60000;
            int64_t until = (next_min_ms - b->offset_ms) * 1000000;
            if (until > b->retry_until_ns) b->retry_until_ns = until;
            note(b, "REST weight %d of %d used this minute: holding requests until it turns", a->used_weight_1m,
                 b->weight_limit);
        }
    }
    if ((a->status == 429 || a->status == 418) && a->retry_after_s > 0) {
        int64_t until = t + (int64_t)(a->retry_after_s < 86400 * 3 ? a->retry_after_s : 86400 * 3) * 1000000000LL;
        if (until > b->retry_until_ns) b->retry_until_ns = until;
    } else if ((a->status == 429 || a->status == 418) && a->retry_after_s < 0) {
        /* no readable Retry-After, and a REST error body has no data.retryAfter: on_error's
           1 s default would go on asking at ~1 Hz while limited, and a 429 ignored grows into
           a 418 ban (which grows with each repeat); so hold conservatively: 30 s after a 429
           (past the 10 s order window, half the weight minute), 120 s after a 418 (bans start
           at 2 minutes) */
        int64_t until = t + (a->status == 418 ? 120 : 30) * 1000000000LL;
        if (until > b->retry_until_ns) b->retry_until_ns = until;
        note(b, "REST %d without a readable Retry-After: holding requests for %d s", a->status, a->status == 418 ? 120 : 30);
    }
    if (a->status == 200) on_result(b, &copy, j, t);
    else on_error(b, &copy, a->status, j, t);
    cJSON_Delete(j);
}

void binance_feed_rest(binance_t *b, uint64_t id, const rest_answer_t *a) { rest_done(b, id, a); }

int binance_can_send(const binance_t *b) {
    return b->time_known && (b->api.state == NET_OPEN || b->rest_on) && b->cfg.api_key && b->cfg.secret;
}

int binance_open(binance_t *b, const binance_config_t *cfg, const bn_hooks_t *hooks) {
    memset(b, 0, sizeof *b);
    b->base.vt = &bn_vt;
    hist_init(&b->st.rtt_hist, hist_round_trip_le, (int)(sizeof hist_round_trip_le / sizeof hist_round_trip_le[0]));
    b->cfg = *cfg;
    b->hooks = *hooks;
    if (!cfg->recv_window_ms) b->cfg.recv_window_ms = 5000;
    b->ed25519 = cfg->secret && !strncmp(cfg->secret, "-----BEGIN", 10);
    int n = snprintf(b->symbol_lc, sizeof b->symbol_lc, "%s", cfg->rules->symbol);
    for (int i = 0; i < n; i++) b->symbol_lc[i] = (char)tolower((unsigned char)b->symbol_lc[i]);
    int rc = net_init(&b->net);
    if (rc) {
        snprintf(b->err, sizeof b->err, "cannot start the network loop");
        return rc;
    }
    char url[1024];
    snprintf(url, sizeof url, "%s/stream?streams=%s@depth@100ms/%s@bookTicker/%s@trade", cfg->stream_url, b->symbol_lc,
             b->symbol_lc, b->symbol_lc);
    if ((rc = net_open(&b->net, &b->api, "api", cfg->api_url, &api_ops, b)) ||
        (rc = net_open(&b->net, &b->stream, "stream", url, &stream_ops, b))) {
        snprintf(b->err, sizeof b->err, "not a WebSocket URL: %.200s", rc == Q_E_INVAL ? cfg->api_url : url);
        return rc;
    }
    double age = tuning.max_conn_age_s > 0 ? tuning.max_conn_age_s : 23.5 * 3600;
    b->api.max_age_ns = b->stream.max_age_ns = (int64_t)(age * 1e9);
    b->weight_used = -1;
    return 0;
}

int binance_open_rest(binance_t *b, const char *url) {
    int rc = rest_init(&b->rest, &b->net, url, b->cfg.api_key, 0, rest_done, b);
    if (rc) {
        snprintf(b->err, sizeof b->err, "not an http:// or https:// URL: %.200s", url);
        return rc;
    }
    b->rest_on = 1;
    /* the host's address now, at start-up, where a blocking lookup is harmless (rest.c: not
       per request); after a failure here, addrs.h looks again off the loop, at most once a minute */
    if (rest_resolve(&b->rest)) note(b, "REST: %s has no address yet (looked up again in the background, at most once a minute)", b->rest.host);
    if (b->api.state != NET_OPEN) { /* the clock (then exchangeInfo) before the WebSocket API is up */
        b->next_time_sync_ns = clock_real_ns() + 5000000000LL; /* asked again in 5 s if not answered */
        request_time(b);
    }
    return 0;
}

void binance_close(binance_t *b) {
    if (b->rest_on) {
        const int64_t *k = b->st.rest_kind;
        note(b, "REST: %lld requests (time %lld, exchangeInfo %lld, depth %lld, place %lld, cancel %lld, replace %lld, "
                "query %lld, trades %lld, cancel_all %lld, account %lld, open orders %lld), %lld not answered; "
                "last X-MBX-USED-WEIGHT-1M %d",
             (long long)b->st.rest_requests, (long long)k[BN_TIME], (long long)k[BN_EXINFO], (long long)k[BN_DEPTH],
             (long long)k[BN_PLACE], (long long)k[BN_CANCEL], (long long)k[BN_REPLACE], (long long)k[BN_STATUS],
             (long long)k[BN_TRADES], (long long)k[BN_CANCEL_ALL], (long long)k[BN_ACCOUNT], (long long)k[BN_OPEN_ORDERS],
             (long long)b->st.rest_lost, b->weight_used);
        rest_free(&b->rest);
    }
    net_free(&b->net);
}

void binance_feed_api(binance_t *b, const char *msg, size_t len) { api_text(b, &b->api, msg, len); }

/* A WebSocket API request whose answer has not come in BN_ANSWER_TIMEOUT_NS will not come (a
   server that dropped it, a lost frame): it ends as if its connection had closed (orders:
   unknown, the oms queries; a sync: done with an error, asked again), and what the session
   needs is asked again: the clock (whose answer restarts a lost logon or subscription) and
   exchangeInfo. Checked once a second. (REST requests have rest.c's own timeout.) */
static void expire_answers(binance_t *b) {
    int64_t t = clock_real_ns();
    if (t < b->next_expiry_ns) return;
    b->next_expiry_ns = t + 1000000000LL;
    for (int i = 0; i < BN_PENDING; i++) {
        bn_pending_t *p = &b->pend[i];
        if (p->kind == BN_NONE || p->rest || t - p->sent_ns < BN_ANSWER_TIMEOUT_NS) continue;
        bn_pending_t copy = *p;
        p->kind = BN_NONE;
        note(b, "a WebSocket API request (kind %d) had no answer in %d s: taken as lost", (int)copy.kind,
             (int)(BN_ANSWER_TIMEOUT_NS / 1000000000LL));
        if (copy.kind == BN_TIME || copy.kind == BN_LOGON || copy.kind == BN_SUBSCRIBE) {
            if (copy.kind != BN_TIME) b->session_asked = 0; /* redone when the clock's answer comes */
            request_time(b);
        } else if (copy.kind == BN_EXINFO) {
            b->next_exinfo_ns = t;
        } else {
            lost_request(b, &copy, t);
        }
    }
}

void binance_run(binance_t *b, int timeout_ms) {
    int up = b->api.state == NET_OPEN || b->rest_on; /* the WebSocket API, or REST in its place */
    if (b->time_known && up && b->next_exinfo_ns && clock_real_ns() >= b->next_exinfo_ns)
        request_exinfo(b);
    /* the clock offset, measured again every few minutes (and on -1021) */
    if (b->time_known && up && b->next_time_sync_ns && clock_real_ns() >= b->next_time_sync_ns) {
        b->next_time_sync_ns = clock_real_ns() + 5000000000LL; /* the answer sets the next */
        request_time(b);
    }
    /* the clock is not known and the WebSocket API is not open: REST measures it (the start-up
       request may have been lost); at most one such request in flight */
    if (!b->time_known && b->rest_on && b->api.state != NET_OPEN && clock_real_ns() >= b->next_time_sync_ns) {
        b->next_time_sync_ns = clock_real_ns() + 5000000000LL;
        request_time(b);
    }
    expire_answers(b);
    if (b->rest_on) rest_run(&b->rest);
    net_run(&b->net, timeout_ms);
}
