/* trade_api.c: the signed endpoints of the local exchange, one handler for REST and the
 * WebSocket API alike: API keys, timestamps and signatures; orders (place, test, cancel,
 * query, cancel-replace, amend), open orders, the account and its trades. */
#include "state.h"
#include "../proto/errors.h"

#include "../core/err.h"
#include "../proto/order.h"
#include "../proto/sign.h"


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the account index for an API key after the timestamp and signature checks, or -1 with
   the error in r. `payload` is what the client signed; a logged-on WebSocket session
   passes sig_required = 0. */
int check_signed(reply_t *r, const char *key, const params_t *p, int sig_required) {
    int kind = 0;
    account_t *a = key && key[0] ? accounts_by_key(S.acc, key, &kind) : 0;
    if (!key || !key[0]) {
        rfail(r, 401, BE_BAD_API_KEY_FMT, "API-key format invalid.");
        return -1;
    }
    if (!a) {
        rfail(r, 401, BE_REJECTED_MBX_KEY, "Invalid API-key, IP, or permissions for action.");
        return -1;
    }
    const char *ts = params_get(p, "timestamp"), *rw = params_get(p, "recvWindow");
    if (!ts) {
        rfail(r, 400, BE_MANDATORY_PARAM_EMPTY_OR_MALFORMED, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
        return -1;
    }
    if (sig_required && !p->sig[0]) {
        rfail(r, 400, BE_MANDATORY_PARAM_EMPTY_OR_MALFORMED, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
        return -1;
    }
    /* timestamp: an integer of milliseconds, or of microseconds; recvWindow: milliseconds
       with up to 3 decimals (microseconds), at most 60000. All compared in microseconds. */
    int64_t t_us, window_us = 5000000;
    if (proto_parse_i64(ts, &t_us) || t_us < 0) {
        rfail(r, 400, BE_ILLEGAL_CHARS, "Illegal characters found in parameter 'timestamp'; legal range is '0' to '9223372036854775807'.");
        return -1;
    }
    if (t_us < 100000000000000LL) t_us *= 1000; /* milliseconds (until the year 5138) */
    if (rw) {
        int rc = proto_parse_fixed(rw, 3, &window_us);
        if (rc == -2) {
            rfail(r, 400, BE_BAD_PRECISION, "Parameter 'recvWindow' has too much precision.");
            return -1;
        }
        if (rc) {
            rfail(r, 400, BE_ILLEGAL_CHARS, "Illegal characters found in parameter 'recvWindow'; legal range is '0' to '60000'.");
            return -1;
        }
    }
    /* Binance: at most 60000 (the legal range the -1100 above names, '0' to '60000'); a
       window of 0 is legal and leaves only requests stamped no earlier than the server's now */
    if (window_us > 60000000) {
        rfail(r, 400, BE_BAD_RECV_WINDOW, "recvWindow must be less than 60000");
        return -1;
    }
    int64_t server = wall_ns() / 1000;
    if (!(t_us < server + 1000000 && server - t_us <= window_us)) {
        rfail(r, 400, BE_INVALID_TIMESTAMP, "Timestamp for this request is outside of the recvWindow.");
        return -1;
    }
    if (sig_required) {
        int ok = kind == 1 ? sign_hmac_verify(a->hmac_secret, p->payload, (size_t)p->plen, p->sig)
                           : sign_ed25519_verify(a->ed_public_pem, p->payload, (size_t)p->plen, p->sig);
        if (!ok) {
            rfail(r, 400, BE_INVALID_SIGNATURE, "Signature for this request is not valid.");
            return -1;
        }
    }
    return (int)(a - S.acc->a);
}

/* ---- formatting ------------------------------------------------------------ */

const char *lots(const symbol_rules_t *r, int64_t v, char *buf) {
    fx_format(v, &r->lot, 8, buf, 40);
    return buf;
}
const char *px(const symbol_rules_t *r, int64_t v, char *buf) {
    fx_format(v, &r->tick, 8, buf, 40);
    return buf;
}
/* tick*lot units of quote as Binance prints them: 8 places, truncated */
const char *quote_amt(const symbol_rules_t *r, __int128 v, char *buf) {
    return symbol_quote_format(r, v, buf, 48);
}
const char *commission_text(const symbol_rules_t *r, int buyer, __int128 commission, __int128 fee_bnb, char *buf) {
    if (fee_bnb) {
        accounts_format(fee_bnb, buf, 48);
        return "BNB";
    }
    if (buyer) lots(r, (int64_t)commission, buf);
    else quote_amt(r, commission, buf);
    return buyer ? r->base : r->quote;
}

/* an order as Binance prints it: a placement (resp_full adds fills), a query, or - with
   cancel_cid - a cancel's answer, which names the order by origClientOrderId and carries the
   cancel request's own clientOrderId */
static int order_json(const xsym_t *X, char *b, int cap, const xorder_t *o, int resp_full, int query, const char *cancel_cid) {
    const symbol_rules_t *R = &X->rules;
    proto_order_t po = {.order_id = o->id, .query = query, .transact_ms = o->update_ms, .time_ms = o->time_ms,
                        .update_ms = o->update_ms, .working_ms = o->time_ms, .status = o->status, .tif = o->tif,
                        .type = o->type, .buy = o->side == SIDE_BUY, .stp = o->stp,
                        .expiry = o->status == XS_EXPIRED ? o->expiry : XER_NONE, .full = resp_full};
    snprintf(po.symbol, sizeof po.symbol, "%s", R->symbol);
    snprintf(po.cid, sizeof po.cid, "%s", cancel_cid ? cancel_cid : o->cid);
    snprintf(po.orig_cid, sizeof po.orig_cid, "%s", cancel_cid ? o->cid : "");
    if (o->price) px(R, o->price, po.price);
    else snprintf(po.price, sizeof po.price, "0.00000000");
    lots(R, o->qty, po.orig_qty);
    lots(R, o->executed, po.executed_qty);
    quote_amt(R, o->quote_qty, po.orig_quote_qty);
    quote_amt(R, o->cum_quote, po.cum_quote);
    if (resp_full) { /* the fills of the request being answered, as printed */
        static proto_fill_t *fills;
        static int cap_fills;
        int nf = X->match.nfills;
        if (nf > cap_fills) {
            proto_fill_t *g = realloc(fills, (size_t)nf * sizeof *g);
            if (!g) return -1;
            fills = g;
            cap_fills = nf;
        }
        for (int i = 0; i < nf; i++) {
            const xfill_t *f = &X->match.fills[i];
            proto_fill_t *pf = &fills[i];
            px(R, f->price, pf->price);
            lots(R, f->qty, pf->qty);
            snprintf(pf->commission_asset, sizeof pf->commission_asset, "%s",
                     commission_text(R, f->buyer, f->commission, f->fee_bnb, pf->commission));
            pf->trade_id = f->trade_id;
        }
        po.fills = fills;
        po.nfills = nf;
    }
    return proto_order_json(&po, b, (size_t)cap);
}

/* the clientOrderId of a cancel request: its newClientOrderId (cancelNewClientOrderId in a
   cancelReplace), or one made up */
static const char *cancel_id(const params_t *p, const char *param) {
    const char *c = params_get(p, param);
    return c ? c : "x-quoter-cancel";
}

/* ---- endpoints ------------------------------------------------------------- */

static int order_error(reply_t *r, int code, const char *msg) { return rfail(r, 400, code, msg); }

/* more decimals than an asset's precision (8): Binance answers -1111 */
static int too_precise(const char *v) {
    const char *dot = strchr(v, '.');
    return dot && strlen(dot + 1) > 8;
}

/* A decimal parameter (price, quantity) in units of `unit`: BE_ILLEGAL_CHARS when it is not a plain
   positive decimal, BE_BAD_PRECISION with more decimals than the asset's precision (8), BE_INVALID_MESSAGE with
   the filter's failure when it is not a whole number of units. 0 when fine. */
static int decimal_param(reply_t *r, const char *name, const char *v, const fx_unit_t *unit, const char *filter,
                         int64_t *out) {
    char m[200];
    if (too_precise(v)) {
        snprintf(m, sizeof m, "Parameter '%s' has too much precision.", name);
        return order_error(r, BE_BAD_PRECISION, m), -1;
    }
    int rc = fx_parse(v, strlen(v), unit, out);
    if (rc == Q_E_INEXACT) return order_error(r, BE_INVALID_MESSAGE, symbol_filter_failure(filter)), -1;
    if (rc || *out <= 0) {
        snprintf(m, sizeof m, "Illegal characters found in parameter '%s'; legal range is '0.00000001' to '9000000000'.", name);
        return order_error(r, BE_ILLEGAL_CHARS, m), -1;
    }
    return 0;
}

/* newOrderRespType: ACK, RESULT or FULL (the default for every type served here) */
static int resp_type(reply_t *r, const params_t *p, char *out) {
    const char *rt = params_get(p, "newOrderRespType");
    if (!rt) rt = "FULL";
    if (strcmp(rt, "ACK") && strcmp(rt, "RESULT") && strcmp(rt, "FULL"))
        return order_error(r, BE_ILLEGAL_CHARS, "Illegal characters found in parameter 'newOrderRespType'; legal range is 'ACK, RESULT, FULL'."), -1;
    *out = rt[0];
    return 0;
}

static int parse_new_order(const xsym_t *X, reply_t *r, const params_t *p, xplace_t *x) {
    const symbol_rules_t *R = &X->rules;
    memset(x, 0, sizeof *x);
    const char *side = params_get(p, "side"), *type = params_get(p, "type"), *tif = params_get(p, "timeInForce"), *qty = params_get(p, "quantity"),
               *price = params_get(p, "price");
    const char *missing = !side ? "side" : !type ? "type" : 0;
    if (missing) {
        char m[160];
        snprintf(m, sizeof m, "Mandatory parameter '%s' was not sent, was empty/null, or malformed.", missing);
        return order_error(r, BE_MANDATORY_PARAM_EMPTY_OR_MALFORMED, m), -1;
    }
    if (!strcmp(side, "BUY")) x->side = SIDE_BUY;
    else if (!strcmp(side, "SELL")) x->side = SIDE_SELL;
    else return order_error(r, BE_INVALID_SIDE, "Invalid side."), -1;
    if (!strcmp(type, "LIMIT")) x->type = XT_LIMIT;
    else if (!strcmp(type, "LIMIT_MAKER")) x->type = XT_LIMIT_MAKER;
    else if (!strcmp(type, "MARKET")) x->type = XT_MARKET;
    else return order_error(r, BE_INVALID_ORDER_TYPE, "Invalid orderType."), -1;
    if (x->type == XT_LIMIT) {
        if (!tif) return order_error(r, BE_MANDATORY_PARAM_EMPTY_OR_MALFORMED, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed."), -1;
        if (!strcmp(tif, "GTC")) x->tif = XTIF_GTC;
        else if (!strcmp(tif, "IOC")) x->tif = XTIF_IOC;
        else if (!strcmp(tif, "FOK")) x->tif = XTIF_FOK;
        else return order_error(r, BE_INVALID_TIF, "Invalid timeInForce."), -1;
    } else if (tif) {
        return order_error(r, BE_PARAM_NOT_REQUIRED, "Parameter 'timeInForce' sent when not required."), -1;
    }
    if (params_get(p, "icebergQty")) /* exchangeInfo: icebergAllowed false */
        return order_error(r, BE_NEW_ORDER_REJECTED, "Iceberg orders are not supported for this symbol."), -1;
    const char *qq = params_get(p, "quoteOrderQty"), *stp = params_get(p, "selfTradePreventionMode");
    if (qq && (x->type != XT_MARKET || qty)) /* MARKET only, and instead of quantity */
        return order_error(r, BE_PARAM_NOT_REQUIRED, "Parameter 'quoteOrderQty' sent when not required."), -1;
    if (qq) {
        if (too_precise(qq)) return order_error(r, BE_BAD_PRECISION, "Parameter 'quoteOrderQty' has too much precision."), -1;
        if (symbol_notional_parse(R, qq, &x->quote_qty) || x->quote_qty <= 0)
            return order_error(r, BE_ILLEGAL_CHARS, "Illegal characters found in parameter 'quoteOrderQty'; legal range is '0.00000001' to '9000000000'."), -1;
    } else if (!qty) {
        return order_error(r, BE_MANDATORY_PARAM_EMPTY_OR_MALFORMED, x->type == XT_MARKET
                                         ? "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!"
                                         : "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed."), -1;
    } else if (decimal_param(r, "quantity", qty, &R->lot, "LOT_SIZE", &x->qty)) {
        return -1;
    }
    if (stp && (xstp_parse(stp, &x->stp) || x->stp == XSTP_DECREMENT || x->stp == XSTP_TRANSFER))
        return order_error(r, BE_ILLEGAL_CHARS, "Illegal characters found in parameter 'selfTradePreventionMode'; legal range is 'NONE, EXPIRE_TAKER, EXPIRE_MAKER, EXPIRE_BOTH'."), -1;
    if (x->type != XT_MARKET) {
        if (!price) return order_error(r, BE_MANDATORY_PARAM_EMPTY_OR_MALFORMED, "Mandatory parameter 'price' was not sent, was empty/null, or malformed."), -1;
        if (decimal_param(r, "price", price, &R->tick, "PRICE_FILTER", &x->price)) return -1;
    } else if (price) {
        return order_error(r, BE_PARAM_NOT_REQUIRED, "Parameter 'price' sent when not required."), -1;
    }
    x->cid = params_get(p, "newClientOrderId");
    return 0;
}

/* an optional integer parameter within [lo, hi]: 0 absent (*out untouched), 1 read, -1 with
   BE_ILLEGAL_CHARS in r when it is not a whole number in range */
static int int_param(reply_t *r, const params_t *p, const char *name, int64_t lo, int64_t hi, int64_t *out) {
    const char *v = params_get(p, name);
    int64_t x;
    if (!v) return 0;
    if (proto_parse_i64(v, &x) || x < lo || x > hi) {
        char m[200];
        snprintf(m, sizeof m, "Illegal characters found in parameter '%s'; legal range is '%lld' to '%lld'.", name,
                 (long long)lo, (long long)hi);
        order_error(r, BE_ILLEGAL_CHARS, m);
        return -1;
    }
    *out = x;
    return 1;
}

static int id_args(reply_t *r, const params_t *p, uint64_t *id, const char **cid) {
    const char *oid = params_get(p, "orderId");
    *cid = params_get(p, "origClientOrderId");
    *id = 0;
    if (oid && (proto_parse_u64(oid, id) || *id > INT64_MAX)) {
        order_error(r, BE_ILLEGAL_CHARS, "Illegal characters found in parameter 'orderId'; legal range is '0' to '9223372036854775807'.");
        return -1;
    }
    if (oid && !*id) *id = MATCH_ID_NONE; /* orderId=0 is sent, and names no order */
    if (!*id && !*cid) {
        order_error(r, BE_MANDATORY_PARAM_EMPTY_OR_MALFORMED, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
        return -1;
    }
    return 0;
}

/* counts a new order against the account's ORDERS limits; 1 (with BE_TOO_MANY_ORDERS) when over */
static int order_budget(reply_t *r, int a, int64_t t) {
    const char *which;
    r->order_acct = a;
    if (!rl_order(&S.rl, a, t, &which)) return 0;
    char m[160];
    snprintf(m, sizeof m, "Too many new orders; current limit is %d orders per %s.",
             which[0] == '1' && which[2] == 'D' ? S.rl.ordersday_limit : S.rl.orders10_limit, which);
    rfail(r, 429, BE_TOO_MANY_ORDERS, m);
    return 1;
}

/* a signed request of account `a`, by REST method and path (the WebSocket API maps its
   methods onto these) */
void dispatch(reply_t *r, int a, const params_t *p) {
    static char body[RESP_MAX];
    int rc = 0, n = -1;
    const char *method = r->method, *path = r->path;
    const char *sym = params_get(p, "symbol");
    int needs_symbol = strcmp(path, "/api/v3/account") && !(strcmp(path, "/api/v3/openOrders") == 0 && method[0] == 'G');
    if (needs_symbol && !sym) {
        rc = order_error(r, BE_MANDATORY_PARAM_EMPTY_OR_MALFORMED, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
        goto done;
    }
    xsym_t *X = sym ? sym_find(sym) : 0; /* NULL: the account, or open orders of every symbol */
    const symbol_rules_t *R = X ? &X->rules : 0;
    if (sym && !X) {
        rc = order_error(r, BE_BAD_SYMBOL, "Invalid symbol.");
        goto done;
    }
    static const char *const id_params[] = {"newClientOrderId", "origClientOrderId", "cancelNewClientOrderId",
                                            "cancelOrigClientOrderId"};
    for (size_t i = 0; i < sizeof id_params / sizeof *id_params; i++) {
        const char *v = params_get(p, id_params[i]);
        if (v && !proto_valid_id(v)) {
            char m[160];
            snprintf(m, sizeof m, "Illegal characters found in parameter '%s'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.",
                     id_params[i]);
            rc = order_error(r, BE_ILLEGAL_CHARS, m);
            goto done;
        }
    }
    int64_t t = now_ms();
    const char *msg = 0;
    xorder_t *o = 0;
    if (!strcmp(method, "POST") && (!strcmp(path, "/api/v3/order") || !strcmp(path, "/api/v3/order/test"))) {
        xplace_t x;
        char rt;
        if (parse_new_order(X, r, p, &x) || resp_type(r, p, &rt)) goto done;
        x.test = !strcmp(path, "/api/v3/order/test");
        if (!x.test && order_budget(r, a, t)) goto done;
        int code = matching_place(&X->match, a, &x, t, &o, &msg);
        if (code) {
            rc = order_error(r, code, msg);
            goto done;
        }
        if (x.test) {
            const char *cc = params_get(p, "computeCommissionRates");
            if (cc && strcmp(cc, "true") && strcmp(cc, "false")) {
                rc = order_error(r, BE_ILLEGAL_CHARS, "Illegal characters found in parameter 'computeCommissionRates'; legal range is 'true, false'.");
                goto done;
            }
            if (!cc || cc[0] == 'f') {
                rc = rok(r, "{}", 2);
                goto done;
            }
            /* the account's rates as the order would pay them (no tax, no BNB discount here) */
            const account_t *ac = &S.acc->a[a];
            n = snprintf(body, sizeof body,
                         "{\"standardCommissionForOrder\":{\"maker\":\"%.8f\",\"taker\":\"%.8f\"},"
                         "\"specialCommissionForOrder\":{\"maker\":\"0.00000000\",\"taker\":\"0.00000000\"},"
                         "\"taxCommissionForOrder\":{\"maker\":\"0.00000000\",\"taker\":\"0.00000000\"},"
                         "\"discount\":{\"enabledForAccount\":false,\"enabledForSymbol\":false,\"discountAsset\":\"BNB\","
                         "\"discount\":\"0.00000000\"}}",
                         ac->maker_fee, ac->taker_fee);
            rc = rok(r, body, n);
            goto done;
        }
        if (rt == 'A')
            n = snprintf(body, sizeof body, "{\"symbol\":\"%s\",\"orderId\":%llu,\"orderListId\":-1,\"clientOrderId\":\"%s\",\"transactTime\":%lld}",
                         R->symbol, (unsigned long long)o->id, o->cid, (long long)o->update_ms);
        else
            n = order_json(X, body, sizeof body, o, rt == 'F', 0, 0);
    } else if (!strcmp(method, "DELETE") && !strcmp(path, "/api/v3/order")) {
        uint64_t id;
        const char *cid;
        if (id_args(r, p, &id, &cid)) goto done;
        S.cancel_cid = cancel_id(p, "newClientOrderId");
        int code = matching_cancel(&X->match, a, id, cid, t, &o, &msg);
        S.cancel_cid = 0;
        if (code) {
            rc = order_error(r, code, msg);
            goto done;
        }
        n = order_json(X, body, sizeof body, o, 0, 0, cancel_id(p, "newClientOrderId"));
    } else if (!strcmp(method, "GET") && !strcmp(path, "/api/v3/order")) {
        uint64_t id;
        const char *cid;
        if (id_args(r, p, &id, &cid)) goto done;
        o = matching_find(&X->match, a, id, cid);
        if (!o && id && cid && matching_find(&X->match, a, id, 0)) { /* the order, under another client id */
            rc = order_error(r, BE_CLIENT_ORDER_ID_INVALID, "Client order ID is not correct for this order ID.");
            goto done;
        }
        if (!o) {
            rc = order_error(r, BE_NO_SUCH_ORDER, "Order does not exist.");
            goto done;
        }
        n = order_json(X, body, sizeof body, o, 0, 1, 0);
    } else if (!strcmp(path, "/api/v3/openOrders") && (method[0] == 'G' || method[0] == 'D')) {
        int del = method[0] == 'D', k = 0;
        n = snprintf(body, sizeof body, "[");
        for (int si = 0; si < S.nsym && n >= 0; si++) { /* the symbol's, or (GET without one) every symbol's */
            xsym_t *Y = &S.sym[si];
            if (X && Y != X) continue;
            int nl = matching_open_orders(&Y->match, a, 0, 0);
            xorder_t **live = malloc(((size_t)nl + 1) * sizeof *live);
            if (!live) {
                n = -1;
                break;
            }
            nl = matching_open_orders(&Y->match, a, live, nl);
            for (int i = 0; i < nl; i++) {
                xorder_t *x = live[i];
                S.cancel_cid = cancel_id(p, "newClientOrderId");
                int failed = del && matching_cancel(&Y->match, a, x->id, 0, t, &o, &msg);
                S.cancel_cid = 0;
                if (failed) continue;
                if (k++) body[n++] = ',';
                int w = order_json(Y, body + n, (int)sizeof body - n - 2, x, 0, !del, del ? cancel_id(p, "newClientOrderId") : 0);
                if (w < 0) { /* never a list cut short: the request fails whole (500) */
                    n = -1;
                    break;
                }
                n += w;
            }
            free(live);
        }
        if (n < 0) {
            rc = rfail(r, 500, BE_UNKNOWN, "An unknown error occurred while processing the request.");
            goto done;
        }
        if (del && k == 0) {
            rc = order_error(r, BE_CANCEL_REJECTED, "Unknown order sent.");
            goto done;
        }
        body[n++] = ']';
        body[n] = 0;
    } else if (!strcmp(method, "GET") && !strcmp(path, "/api/v3/account")) {
        account_t *x = &S.acc->a[a];
        proto_jbuf_t j = {body, sizeof body, 0, 0};
        proto_jb(&j,
           "{\"makerCommission\":%d,\"takerCommission\":%d,\"buyerCommission\":0,\"sellerCommission\":0,"
           "\"commissionRates\":{\"maker\":\"%.8f\",\"taker\":\"%.8f\",\"buyer\":\"0.00000000\",\"seller\":\"0.00000000\"},"
           "\"canTrade\":true,\"canWithdraw\":false,\"canDeposit\":false,\"brokered\":false,"
           "\"requireSelfTradePrevention\":false,\"preventSor\":false,\"updateTime\":%lld,\"accountType\":\"SPOT\","
           "\"balances\":[",
           (int)(x->maker_fee * 10000 + 0.5), (int)(x->taker_fee * 10000 + 0.5), x->maker_fee, x->taker_fee, (long long)t);
        for (int id = 0; id < S.acc->nassets; id++) { /* every asset, as Binance lists them (omitZeroBalances=false) */
            char f[48], l[48];
            accounts_format(x->bal[id].free, f, sizeof f);
            accounts_format(x->bal[id].locked, l, sizeof l);
            proto_jb(&j, "%s{\"asset\":\"%s\",\"free\":\"%s\",\"locked\":\"%s\"}", id ? "," : "", accounts_asset_name(S.acc, id), f, l);
        }
        proto_jb(&j, "],\"permissions\":[\"SPOT\"],\"uid\":%d}", 1000 + a);
        n = j.over ? -1 : (int)j.n;
    } else if (!strcmp(method, "GET") && !strcmp(path, "/api/v3/account/commission")) {
        /* the account's rates for the symbol: this exchange charges its standard rates only (no
           special or tax rates); the BNB discount is on for an account that pays fees in BNB */
        const account_t *x = &S.acc->a[a];
        static const char zero[] = "{\"maker\":\"0.00000000\",\"taker\":\"0.00000000\",\"buyer\":\"0.00000000\",\"seller\":\"0.00000000\"}";
        n = snprintf(body, sizeof body,
                     "{\"symbol\":\"%s\",\"standardCommission\":{\"maker\":\"%.8f\",\"taker\":\"%.8f\",\"buyer\":\"0.00000000\","
                     "\"seller\":\"0.00000000\"},\"specialCommission\":%s,\"taxCommission\":%s,\"discount\":{"
                     "\"enabledForAccount\":%s,\"enabledForSymbol\":true,\"discountAsset\":\"BNB\",\"discount\":\"0.75000000\"}}",
                     R->symbol, x->maker_fee, x->taker_fee, zero, zero, x->bnb_fee_price > 0 ? "true" : "false");
        if (n >= (int)sizeof body) n = -1;
    } else if (!strcmp(method, "GET") && !strcmp(path, "/api/v3/myTrades")) {
        static xtrade_t trs[MATCH_TRADES_MAX];
        xtrade_query_t qy = {0};
        int64_t limit = 500, oid = 0, from = 0, st = 0, en = 0;
        int k = 0;
        if (int_param(r, p, "limit", 1, 1000, &limit) < 0 || int_param(r, p, "orderId", 0, INT64_MAX, &oid) < 0 ||
            int_param(r, p, "fromId", 0, INT64_MAX, &from) < 0 || int_param(r, p, "startTime", 0, INT64_MAX, &st) < 0 ||
            int_param(r, p, "endTime", 0, INT64_MAX, &en) < 0)
            goto done;
        if (params_get(p, "fromId") && (st || en)) {
            rc = order_error(r, BE_OPTIONAL_PARAMS_BAD_COMBO, "Combination of optional parameters invalid.");
            goto done;
        }
        qy.order_id = (uint64_t)oid;
        qy.from_id = params_get(p, "fromId") ? (from ? (uint64_t)from : 1) : 0; /* trade ids start at 1 */
        qy.start_ms = st;
        qy.end_ms = en;
        qy.limit = (int)limit;
        int nt = matching_trades(&X->match, a, &qy, trs, MATCH_TRADES_MAX, &msg);
        if (nt < 0) {
            rc = order_error(r, nt, msg);
            goto done;
        }
        n = snprintf(body, sizeof body, "[");
        for (int i = 0; i < nt && n < (int)sizeof body - 512; i++) {
            const xtrade_t *tr = &trs[i];
            char tp[40], tq[40], tqq[48], tc[48];
            n += snprintf(body + n, sizeof body - (size_t)n,
                          "%s{\"symbol\":\"%s\",\"id\":%llu,\"orderId\":%llu,\"orderListId\":-1,\"price\":\"%s\",\"qty\":\"%s\","
                          "\"quoteQty\":\"%s\",\"commission\":\"%s\",\"commissionAsset\":\"%s\",\"time\":%lld,"
                          "\"isBuyer\":%s,\"isMaker\":%s,\"isBestMatch\":true}",
                          k++ ? "," : "", R->symbol, (unsigned long long)tr->id, (unsigned long long)tr->order_id,
                          px(R, tr->price, tp), lots(R, tr->qty, tq), quote_amt(R, (__int128)tr->price * tr->qty, tqq),
                          tc, commission_text(R, tr->side == SIDE_BUY, tr->commission, tr->fee_bnb, tc), (long long)tr->time_ms,
                          tr->side == SIDE_BUY ? "true" : "false", tr->maker ? "true" : "false");
        }
        body[n++] = ']';
        body[n] = 0;
    } else if (!strcmp(method, "POST") && !strcmp(path, "/api/v3/order/cancelReplace")) {
        /* cancel, then (by mode) place; 200 both, 400 BE_CANCEL_REPLACE_FAILED both failed, 409 BE_CANCEL_REPLACE_PARTIALLY_FAILED one failed */
        const char *mode = params_get(p, "cancelReplaceMode");
        if (!mode || (strcmp(mode, "STOP_ON_FAILURE") && strcmp(mode, "ALLOW_FAILURE"))) {
            rc = order_error(r, BE_MANDATORY_PARAM_EMPTY_OR_MALFORMED, "Mandatory parameter 'cancelReplaceMode' was not sent, was empty/null, or malformed.");
            goto done;
        }
        const char *coid = params_get(p, "cancelOrderId"), *ccid = params_get(p, "cancelOrigClientOrderId");
        if (!coid && !ccid) {
            rc = order_error(r, BE_MANDATORY_PARAM_EMPTY_OR_MALFORMED, "Param 'cancelOrigClientOrderId' or 'cancelOrderId' must be sent, but both were empty/null!");
            goto done;
        }
        uint64_t cancel_oid = 0;
        if (coid && (proto_parse_u64(coid, &cancel_oid) || cancel_oid > INT64_MAX)) {
            rc = order_error(r, BE_ILLEGAL_CHARS, "Illegal characters found in parameter 'cancelOrderId'; legal range is '0' to '9223372036854775807'.");
            goto done;
        }
        if (coid && !cancel_oid) cancel_oid = MATCH_ID_NONE; /* cancelOrderId=0 is sent, and names no order */
        xplace_t x;
        char rt;
        if (parse_new_order(X, r, p, &x) || resp_type(r, p, &rt)) goto done;
        if (order_budget(r, a, t)) goto done;
        /* "Filters and Order Count are evaluated before the processing of the cancellation
           and order placement occurs" (rest-api.md): a replacement that fails a filter is
           refused whole, and the order it would replace stays */
        int fcode = matching_filters(&X->match, &x, &msg);
        if (fcode) {
            rc = order_error(r, fcode, msg);
            goto done;
        }
        static char cancel_part[4096], new_part[RESP_MAX / 2], data[RESP_MAX / 2 + 8192];
        const char *cmsg = 0, *nmsg = 0;
        xorder_t *co = 0, *no = 0;
        int toolong = 0;
        S.cancel_cid = cancel_id(p, "cancelNewClientOrderId");
        int ccode = matching_cancel(&X->match, a, cancel_oid, ccid, t, &co, &cmsg);
        S.cancel_cid = 0;
        if (ccode) snprintf(cancel_part, sizeof cancel_part, "{\"code\":%d,\"msg\":\"%s\"}", ccode, cmsg);
        else if (order_json(X, cancel_part, sizeof cancel_part, co, 0, 0, cancel_id(p, "cancelNewClientOrderId")) < 0)
            toolong = 1;
        int ncode = 1; /* not attempted */
        if (!ccode || !strcmp(mode, "ALLOW_FAILURE")) {
            ncode = matching_place(&X->match, a, &x, t, &no, &nmsg);
            if (ncode) snprintf(new_part, sizeof new_part, "{\"code\":%d,\"msg\":\"%s\"}", ncode, nmsg);
            else if (order_json(X, new_part, sizeof new_part, no, rt == 'F', 0, 0) < 0)
                toolong = 1;
        }
        n = snprintf(data, sizeof data, "{\"cancelResult\":\"%s\",\"newOrderResult\":\"%s\",\"cancelResponse\":%s,\"newOrderResponse\":%s}",
                     ccode ? "FAILURE" : "SUCCESS", ncode == 1 ? "NOT_ATTEMPTED" : ncode ? "FAILURE" : "SUCCESS", cancel_part,
                     ncode == 1 ? "null" : new_part);
        if (toolong || n < 0 || n >= (int)sizeof data) { /* done, but not sayable whole: 500, an unknown outcome */
            rc = rfail(r, 500, BE_UNKNOWN, "An unknown error occurred while processing the request.");
            goto done;
        }
        if (!ccode && !ncode) {
            rc = rok(r, data, n);
            goto done;
        }
        r->data = data;
        rc = (ccode && ncode) ? rfail(r, 400, BE_CANCEL_REPLACE_FAILED, "Order cancel-replace failed.")
                              : rfail(r, 409, BE_CANCEL_REPLACE_PARTIALLY_FAILED, "Order cancel-replace partially failed.");
        goto done;
    } else if (!strcmp(method, "PUT") && !strcmp(path, "/api/v3/order/amend/keepPriority")) {
        uint64_t id;
        const char *cid, *nq = params_get(p, "newQty");
        if (id_args(r, p, &id, &cid)) goto done;
        int64_t q;
        if (!nq || fx_parse(nq, strlen(nq), &R->lot, &q)) {
            rc = order_error(r, BE_MANDATORY_PARAM_EMPTY_OR_MALFORMED, "Mandatory parameter 'newQty' was not sent, was empty/null, or malformed.");
            goto done;
        }
        int code = matching_amend(&X->match, a, id, cid, q, t, &o, &msg);
        if (code) {
            rc = order_error(r, code, msg);
            goto done;
        }
        const char *ncid = params_get(p, "newClientOrderId");
        char ocid[40];
        snprintf(ocid, sizeof ocid, "%s", o->cid);
        if (ncid && (code = matching_set_cid(&X->match, o, ncid, &msg))) { /* the index follows the new id */
            rc = order_error(r, code, msg);
            goto done;
        }
        char pr[40], oq[40], eq[40], cq[48];
        n = snprintf(body, sizeof body,
                     "{\"transactTime\":%lld,\"executionId\":%llu,\"amendedOrder\":{\"symbol\":\"%s\",\"orderId\":%llu,"
                     "\"orderListId\":-1,\"origClientOrderId\":\"%s\",\"clientOrderId\":\"%s\",\"price\":\"%s\",\"qty\":\"%s\","
                     "\"executedQty\":\"%s\",\"preventedQty\":\"0.00000000\",\"quoteOrderQty\":\"0.00000000\","
                     "\"cumulativeQuoteQty\":\"%s\",\"status\":\"%s\",\"timeInForce\":\"%s\",\"type\":\"%s\",\"side\":\"%s\","
                     "\"workingTime\":%lld,\"selfTradePreventionMode\":\"%s\"}}",
                     (long long)t, (unsigned long long)(o->id * 1000 + (uint64_t)o->amends), R->symbol,
                     (unsigned long long)o->id, ocid, o->cid, px(R, o->price, pr), lots(R, o->qty, oq), lots(R, o->executed, eq),
                     quote_amt(R, o->cum_quote, cq), xstatus_name(o->status), xtif_name(o->tif), xtype_name(o->type),
                     o->side == SIDE_BUY ? "BUY" : "SELL", (long long)o->time_ms, xstp_name(o->stp));
        /* the user data stream hears of it as Binance tells it: execution type REPLACED,
           under the order's client id after the amend */
        on_exec(X, o, "REPLACED", 0);
    } else {
        rc = rfail(r, 404, BE_UNKNOWN, "Unknown endpoint.");
        goto done;
    }
    rc = n < 0 ? rfail(r, 500, BE_UNKNOWN, "An unknown error occurred while processing the request.") : rok(r, body, n);
    if (rc == 0 && r->status == 200 && o && S.f.unknown_outcome > 0 && !strcmp(method, "POST") &&
        !strcmp(path, "/api/v3/order")) { /* fault: executed, but the answer says nobody knows */
        S.f.unknown_outcome--;
        lwsl_user("fault: order %llu accepted but answered 503 -1007\n", (unsigned long long)o->id);
        rfail(r, 503, BE_TIMEOUT, "Timeout waiting for response from backend server. Send status unknown; execution status unknown.");
    }
done:
    (void)rc;
}

