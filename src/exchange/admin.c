/* admin.c: the local exchange's admin endpoints, on loopback only: /admin/faults (fault
 * injection, every injected fault logged as `fault: ...`) and /admin/balance (deposits and
 * withdrawals). */
#include "state.h"
#include "../proto/errors.h"

#include "../core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"

/* drops every WebSocket connection, or only the WebSocket API's (the ws_api_down fault: new
   ones are refused while it lasts, in transport.c; REST and the streams go on) */
static void drop_connections(int api_only) {
    int n = 0;
    for (pss_t *c = S.conns; c; c = c->next)
        if (!api_only || c->is_api) {
            lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
            n++;
        }
    lwsl_user("fault: %sdropped %d WebSocket connections\n", api_only ? "the WebSocket API is down: " : "", n);
}

/* the exchange's clock jumps by the skew's change; the replays keep their pace (each one's
   start moves with the clock), so a skew is a clock fault alone, not a market data outage
   (skew < 0) or a burst of it (skew > 0) */
static void set_skew(int64_t ms) {
    for (int i = 0; i < S.nsym; i++) S.sym[i].mkt.wall_start_ns += (ms - S.f.skew_ms) * 1000000;
    S.f.skew_ms = ms;
}

/* one fault setting; 0, or -1 when the name or value is not known or out of its range
   (each range keeps the arithmetic on it exact: a storm lasts at most 30 days) */
int fault_set(const char *k, const char *v) {
    int64_t x;
    if (proto_parse_i64(v, &x)) return -1;
    if (!strcmp(k, "delay_ms") && x >= 0 && x <= 60000) S.f.delay_ms = (int)x;
    else if (!strcmp(k, "unknown_outcome") && x >= 0 && x <= 1000000000) S.f.unknown_outcome = (int)x;
    else if (!strcmp(k, "skip_diffs") && x >= 0 && x <= 1000000000) S.f.skip_diffs = (int)x;
    else if (!strcmp(k, "storm_s") && x >= 0 && x <= 30 * 86400) S.f.storm_until_ms = x ? now_ms() + x * 1000 : 0;
    else if (!strcmp(k, "skew_ms") && x > -3600000 && x < 3600000) set_skew(x);
    else if (!strcmp(k, "drop") && x == 1) drop_connections(0);
    else if (!strcmp(k, "ws_api_down") && (x == 0 || x == 1)) {
        if ((S.f.ws_api_down = (int)x)) drop_connections(1);
    }
    else return -1;
    lwsl_user("fault: set %s=%s\n", k, v);
    return 0;
}

static int faults_json(char *b, int cap) {
    int64_t t = now_ms();
    return snprintf(b, (size_t)cap, "{\"delay_ms\":%d,\"unknown_outcome\":%d,\"skip_diffs\":%d,\"storm_s\":%lld,\"skew_ms\":%lld,\"ws_api_down\":%d}",
                    S.f.delay_ms, S.f.unknown_outcome, S.f.skip_diffs,
                    (long long)(S.f.storm_until_ms > t ? (S.f.storm_until_ms - t + 999) / 1000 : 0), (long long)S.f.skew_ms,
                    S.f.ws_api_down);
}

/* the admin endpoints answer loopback clients only */
static int loopback(const pss_t *c) { return !strncmp(c->ip, "127.", 4) || !strcmp(c->ip, "::1"); }

/* /admin/faults on loopback: GET shows, POST ?k=v&... sets, DELETE clears */
int admin(struct lws *wsi, pss_t *c) {
    char b[512];
    if (!loopback(c))
        return error(wsi, c, 403, BE_UNKNOWN, "The admin endpoint is for loopback only.");
    if (!strcmp(c->method, "DELETE")) {
        set_skew(0);
        memset(&S.f, 0, sizeof S.f);
        lwsl_user("fault: all cleared\n");
    } else if (!strcmp(c->method, "POST")) {
        static params_t q;
        if (parse_params(wsi, c, &q)) return error(wsi, c, 400, q.code, q.msg);
        for (int i = 0; i < q.n; i++)
            if (fault_set(q.k[i], q.v[i])) {
                snprintf(b, sizeof b, "unknown fault or bad value: %.64s (faults: delay_ms, unknown_outcome, skip_diffs, storm_s, skew_ms, drop=1, ws_api_down=0|1)", q.k[i]);
                return error(wsi, c, 400, BE_UNKNOWN, b);
            }
    } else if (strcmp(c->method, "GET")) {
        return error(wsi, c, 405, BE_UNKNOWN, "Method not allowed.");
    }
    return respond(wsi, c, 200, b, faults_json(b, sizeof b));
}


/* /admin/symbol on loopback: GET ?symbol=S shows the symbol's status, POST ?symbol=S&status=X
   sets it at run time (TRADING, END_OF_DAY, HALT, BREAK, CANCEL_ONLY: all but TRADING refuse
   new orders with BE_NEW_ORDER_REJECTED "Market is closed." and keep cancels working); exchangeInfo shows it */
int admin_symbol(struct lws *wsi, pss_t *c) {
    static params_t q;
    char b[256];
    if (!loopback(c)) return error(wsi, c, 403, BE_UNKNOWN, "The admin endpoint is for loopback only.");
    if (parse_params(wsi, c, &q)) return error(wsi, c, 400, q.code, q.msg);
    const char *sym = params_get(&q, "symbol"), *st = params_get(&q, "status");
    if (!sym) return error(wsi, c, 400, BE_MANDATORY_PARAM_EMPTY_OR_MALFORMED, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
    xsym_t *x = sym_find(sym);
    if (!x) return error(wsi, c, 400, BE_BAD_SYMBOL, "Invalid symbol.");
    if (!strcmp(c->method, "POST")) {
        static const xsymstatus_t all[] = {XSS_TRADING, XSS_END_OF_DAY, XSS_HALT, XSS_BREAK, XSS_CANCEL_ONLY};
        size_t k = 0;
        while (k < sizeof all / sizeof *all && !(st && !strcmp(st, xsymstatus_name(all[k])))) k++;
        if (k == sizeof all / sizeof *all)
            return error(wsi, c, 400, BE_ILLEGAL_CHARS, "Illegal characters found in parameter 'status'; legal range is 'TRADING, END_OF_DAY, HALT, BREAK, CANCEL_ONLY'.");
        matching_set_status(&x->match, all[k]);
        lwsl_user("admin: %s is now %s\n", sym, st);
    } else if (strcmp(c->method, "GET")) {
        return error(wsi, c, 405, BE_UNKNOWN, "Method not allowed.");
    }
    return respond(wsi, c, 200, b,
                   snprintf(b, sizeof b, "{\"symbol\":\"%s\",\"status\":\"%s\"}", x->rules.symbol, xsymstatus_name(x->match.status)));
}

/* /admin/balance on loopback: POST ?account=NAME&asset=ASSET&delta=D credits (or, negative,
   debits) the account's free balance as a deposit or withdrawal would, and pushes
   balanceUpdate and outboundAccountPosition to its user data subscribers; GET ?account=NAME
   shows the balances. */
int admin_balance(struct lws *wsi, pss_t *c) {
    static params_t q;
    static char b[16384];
    if (!loopback(c)) return error(wsi, c, 403, BE_UNKNOWN, "The admin endpoint is for loopback only.");
    if (parse_params(wsi, c, &q)) return error(wsi, c, 400, q.code, q.msg);
    const char *name = params_get(&q, "account");
    int ai = -1;
    for (int i = 0; name && i < S.acc->n; i++)
        if (!strcmp(S.acc->a[i].name, name)) ai = i;
    if (ai < 0) return error(wsi, c, 400, BE_UNKNOWN, "Unknown account (the [account NAME] sections of the config).");
    account_t *a = &S.acc->a[ai];
    int64_t t = now_ms();
    if (!strcmp(c->method, "POST")) {
        const char *asset = params_get(&q, "asset"), *delta = params_get(&q, "delta");
        int id = asset ? accounts_asset_find(S.acc, asset) : -1;
        if (id < 0) return error(wsi, c, 400, BE_UNKNOWN, "Unknown asset (the assets of the symbols served, and balance.ASSET keys).");
        __int128 d = 0;
        int rc = delta ? accounts_parse(delta, &d) : Q_E_PARSE;
        if (rc > 8 || rc == Q_E_INEXACT) /* balances are printed, so held, to 8 decimals */
            return error(wsi, c, 400, BE_BAD_PRECISION, "Parameter 'delta' has too much precision.");
        if (rc < 0 || d == 0)
            return error(wsi, c, 400, BE_ILLEGAL_CHARS, "Illegal characters found in parameter 'delta'; a non-zero decimal.");
        rc = accounts_credit(S.acc, ai, id, d);
        if (rc == Q_E_STATE) return error(wsi, c, 400, BE_NEW_ORDER_REJECTED, "Account has insufficient balance for requested action.");
        if (rc) return error(wsi, c, 400, BE_ILLEGAL_CHARS, "Illegal characters found in parameter 'delta'; the balance would be too large.");
        char dtxt[48];
        accounts_format(d, dtxt, sizeof dtxt);
        lwsl_user("admin: balance of %s: %s %s\n", a->name, dtxt, asset);
        if (user_data_wanted(ai)) {
            int n = snprintf(b, sizeof b, "{\"e\":\"balanceUpdate\",\"E\":%lld,\"a\":\"%s\",\"d\":\"%s\",\"T\":%lld}",
                             (long long)t, asset, dtxt, (long long)t);
            push_user_event(ai, b, n);
            n = position_json(a, &id, 1, t, b, sizeof b);
            push_user_event(ai, b, n);
        }
    } else if (strcmp(c->method, "GET")) {
        return error(wsi, c, 405, BE_UNKNOWN, "Method not allowed.");
    }
    return respond(wsi, c, 200, b, position_json(a, 0, -1, t, b, sizeof b));
}

