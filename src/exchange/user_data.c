/* user_data.c: the user data stream of the local exchange: execution reports and balances
 * pushed to the WebSocket API subscriptions of an account (as {"subscriptionId","event"})
 * and to the retired listenKey streams (raw). */
#include "state.h"

#include "../proto/order.h"

#include <stdio.h>
#include <string.h>

/* the account's balances as an outboundAccountPosition event: of the n assets given (those
   that changed), or of every asset when n < 0 */
int position_json(const account_t *a, const int *assets, int n, int64_t t, char *pos, size_t cap) {
    int len = snprintf(pos, cap, "{\"e\":\"outboundAccountPosition\",\"E\":%lld,\"u\":%lld,\"B\":[", (long long)t,
                       (long long)t);
    int count = n < 0 ? S.acc->nassets : n;
    for (int i = 0; i < count && len > 0 && (size_t)len < cap; i++) {
        int id = n < 0 ? i : assets[i];
        char f[48], l[48];
        accounts_format(a->bal[id].free, f, sizeof f);
        accounts_format(a->bal[id].locked, l, sizeof l);
        len += snprintf(pos + len, cap - (size_t)len, "%s{\"a\":\"%s\",\"f\":\"%s\",\"l\":\"%s\"}", i ? "," : "",
                        accounts_asset_name(S.acc, id), f, l);
    }
    if (len <= 0 || (size_t)len + 3 > cap) return -1;
    memcpy(pos + len, "]}", 3);
    return len + 2;
}

int user_data_wanted(int acct) {
    for (pss_t *c = S.conns; c; c = c->next) {
        if (c->listen_acct == acct) return 1;
        for (int i = 0; i < c->nsubs; i++)
            if (c->sub_acct[i] == acct) return 1;
    }
    return 0;
}

/* one user data event to every connection subscribed to the account: raw on the retired
   listenKey stream, wrapped in {"subscriptionId","event"} on the WebSocket API */
void push_user_event(int acct, const char *ev, int len) {
    static char out[5200];
    for (pss_t *c = S.conns; c; c = c->next) {
        if (c->listen_acct == acct) enqueue(c, ev, len);
        for (int i = 0; i < c->nsubs; i++) {
            if (c->sub_acct[i] != acct) continue;
            int w = snprintf(out, sizeof out, "{\"subscriptionId\":%d,\"event\":%.*s}", c->sub_id[i], len, ev);
            if (w > 0 && w < (int)sizeof out) enqueue(c, out, w);
        }
    }
}

/* user data: an order event for every connection subscribed to its account */
/* executionReport "I": unique and increasing over every event (an order's id with its
   executed quantity repeated itself: a client de-duplicating by it lost events) */
static uint64_t exec_seq;

void on_exec(void *ctx, const xorder_t *o, const char *exec, const xfill_t *f) {
    const xsym_t *X = ctx; /* the order's symbol */
    const symbol_rules_t *R = &X->rules;
    /* an order's first fill lowers the unfilled order count (faqs/order_count_decrement.md) */
    if (f && f->first) rl_order_filled(&S.rl, o->acct, now_ms(), f->maker);
    if (!user_data_wanted(o->acct)) return;
    static char ev[4096], pos[1024];
    int64_t t = now_ms();
    int cancel = !strcmp(exec, "CANCELED");
    proto_exec_t e = {.event_ms = t, .buy = o->side == SIDE_BUY, .type = o->type, .tif = o->tif, .status = o->status,
                      .order_id = o->id, .trade_ms = t, .trade_id = f ? (int64_t)f->trade_id : -1,
                      .exec_id = ++exec_seq, .on_book = xorder_live(o),
                      .maker = f && f->maker, .created_ms = o->time_ms, .working_ms = o->time_ms, .stp = o->stp,
                      .expiry = o->status == XS_EXPIRED ? o->expiry : XER_NONE};
    snprintf(e.symbol, sizeof e.symbol, "%s", R->symbol);
    snprintf(e.cid, sizeof e.cid, "%s", cancel && S.cancel_cid ? S.cancel_cid : o->cid);
    snprintf(e.orig_cid, sizeof e.orig_cid, "%s", cancel ? o->cid : "");
    snprintf(e.exec, sizeof e.exec, "%s", exec);
    lots(R, o->qty, e.qty);
    if (o->price) px(R, o->price, e.price);
    else snprintf(e.price, sizeof e.price, "0.00000000");
    lots(R, f ? f->qty : 0, e.last_qty);
    lots(R, o->executed, e.cum_qty);
    if (f) px(R, f->price, e.last_price);
    else snprintf(e.last_price, sizeof e.last_price, "0.00000000");
    if (!f) snprintf(e.commission, sizeof e.commission, "0");
    else snprintf(e.commission_asset, sizeof e.commission_asset, "%s",
                  commission_text(R, f->buyer, f->commission, f->fee_bnb, e.commission));
    quote_amt(R, o->cum_quote, e.cum_quote);
    quote_amt(R, f ? (__int128)f->price * f->qty : 0, e.last_quote);
    int len = proto_exec_json(&e, ev, sizeof ev);
    if (len < 0) return;
    /* the balances an order moves (and BNB when its fee was paid in it) */
    int moved[3] = {X->match.base_asset, X->match.quote_asset, f && f->fee_bnb ? accounts_asset_find(S.acc, "BNB") : -1};
    int plen = position_json(&S.acc->a[o->acct], moved, moved[2] >= 0 ? 3 : 2, t, pos, sizeof pos);
    push_user_event(o->acct, ev, len);
    if (plen > 0) push_user_event(o->acct, pos, plen);
}

const char *new_listen_key(int acct) {
    if (S.nlisten == 64) return 0;
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char rnd[60];
    lws_get_random(S.ctx, rnd, sizeof rnd);
    char *k = S.listen[S.nlisten].key;
    for (int i = 0; i < 60; i++) k[i] = abc[rnd[i] % 62];
    k[60] = 0;
    S.listen[S.nlisten++].acct = acct;
    return k;
}

