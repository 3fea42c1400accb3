/* order.c: Binance's order vocabulary and the executionReport event (see order.h). */
#include "order.h"

#include "params.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *xstatus_name(xstatus_t s) {
    static const char *const n[] = {"NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "REJECTED", "EXPIRED"};
    return (unsigned)s < sizeof n / sizeof *n ? n[s] : "?";
}
const char *xtype_name(xtype_t t) {
    static const char *const n[] = {"LIMIT", "LIMIT_MAKER", "MARKET"};
    return (unsigned)t < sizeof n / sizeof *n ? n[t] : "?";
}
const char *xtif_name(xtif_t t) {
    static const char *const n[] = {"GTC", "IOC", "FOK"};
    return (unsigned)t < sizeof n / sizeof *n ? n[t] : "?";
}
static const char *const stp_names[] = {"NONE", "NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT", "TRANSFER"};
const char *xstp_name(xstp_t s) { return (unsigned)s < sizeof stp_names / sizeof *stp_names ? stp_names[s] : "NONE"; }
int xstp_parse(const char *s, xstp_t *out) {
    for (unsigned i = XSTP_NONE; i < sizeof stp_names / sizeof *stp_names; i++)
        if (!strcmp(s, stp_names[i])) {
            *out = (xstp_t)i;
            return 0;
        }
    return -1;
}
const char *xexpiry_name(xexpiry_t e) {
    static const char *const n[] = {"NONE", "REJECTED", "EXCHANGE_CANCELED", "OCO_TRIGGER", "OTO_PHASE_ONE_EXPIRED",
                                    "UNFILLED_IOC_QUANTITY_EXPIRED", "UNFILLED_FOK_ORDER_EXPIRED",
                                    "INSUFFICIENT_LIQUIDITY", "EXECUTION_RULE_PRICE_RANGE_EXCEEDED"};
    return (unsigned)e < sizeof n / sizeof *n ? n[e] : "NONE";
}
const char *xsymstatus_name(xsymstatus_t s) {
    static const char *const n[] = {"TRADING", "END_OF_DAY", "HALT", "BREAK", "CANCEL_ONLY"};
    return (unsigned)s < sizeof n / sizeof *n ? n[s] : "TRADING";
}


static int find(const char *s, const char *const *n, unsigned count, unsigned from) {
    for (unsigned i = from; s && i < count; i++)
        if (!strcmp(s, n[i])) return (int)i;
    return -1;
}
#define NAMES(type, fn, ...)                                                                  \
    int fn(const char *s, type *out) {                                                        \
        static const char *const n[] = {__VA_ARGS__};                                       \
        int i = find(s, n, sizeof n / sizeof *n, 0);                                          \
        if (i < 0) return -1;                                                                 \
        *out = (type)i;                                                                       \
        return 0;                                                                             \
    }
NAMES(xstatus_t, xstatus_parse, "NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "REJECTED", "EXPIRED")
NAMES(xtype_t, xtype_parse, "LIMIT", "LIMIT_MAKER", "MARKET")
NAMES(xtif_t, xtif_parse, "GTC", "IOC", "FOK")
NAMES(xexpiry_t, xexpiry_parse, "NONE", "REJECTED", "EXCHANGE_CANCELED", "OCO_TRIGGER", "OTO_PHASE_ONE_EXPIRED",
      "UNFILLED_IOC_QUANTITY_EXPIRED", "UNFILLED_FOK_ORDER_EXPIRED", "INSUFFICIENT_LIQUIDITY",
      "EXECUTION_RULE_PRICE_RANGE_EXCEEDED")
NAMES(xsymstatus_t, xsymstatus_parse, "TRADING", "END_OF_DAY", "HALT", "BREAK", "CANCEL_ONLY")

int proto_exec_json(const proto_exec_t *e, char *buf, size_t cap) {
    char n_asset[24];
    if (e->commission_asset[0]) snprintf(n_asset, sizeof n_asset, "\"%s\"", e->commission_asset);
    else snprintf(n_asset, sizeof n_asset, "null");
    int len = snprintf(buf, cap,
        "{\"e\":\"executionReport\",\"E\":%lld,\"s\":\"%s\",\"c\":\"%s\",\"S\":\"%s\",\"o\":\"%s\",\"f\":\"%s\",\"q\":\"%s\","
        "\"p\":\"%s\",\"P\":\"0.00000000\",\"F\":\"0.00000000\",\"g\":-1,\"C\":\"%s\",\"x\":\"%s\",\"X\":\"%s\",\"r\":\"NONE\","
        "\"i\":%llu,\"l\":\"%s\",\"z\":\"%s\",\"L\":\"%s\",\"n\":\"%s\",\"N\":%s,\"T\":%lld,\"t\":%lld,\"I\":%llu,"
        "\"w\":%s,\"m\":%s,\"M\":false,\"O\":%lld,\"Z\":\"%s\",\"Y\":\"%s\",\"Q\":\"0.00000000\",\"W\":%lld,\"V\":\"%s\"%s%s%s}",
        (long long)e->event_ms, e->symbol, e->cid, e->buy ? "BUY" : "SELL", xtype_name(e->type), xtif_name(e->tif), e->qty,
        e->price, e->orig_cid, e->exec, xstatus_name(e->status), (unsigned long long)e->order_id, e->last_qty, e->cum_qty,
        e->last_price, e->commission, n_asset, (long long)e->trade_ms, (long long)e->trade_id,
        (unsigned long long)e->exec_id, e->on_book ? "true" : "false", e->maker ? "true" : "false",
        (long long)e->created_ms, e->cum_quote, e->last_quote, (long long)e->working_ms, xstp_name(e->stp),
        e->expiry ? ",\"eR\":\"" : "", e->expiry ? xexpiry_name(e->expiry) : "", e->expiry ? "\"" : "");
    return len >= 0 && (size_t)len < cap ? len : -1;
}

/* the field readers: 0, or -1 when the field is missing or of another type */
static int str(const cJSON *o, const char *k, char *out, size_t cap) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= cap) return -1;
    memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
    return 0;
}
static int num(const cJSON *o, const char *k, int64_t *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    /* whole and within int64 before the cast (casting 1e300 is undefined) */
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= -9.2e18 && v->valuedouble <= 9.2e18) ||
        v->valuedouble != (double)(int64_t)v->valuedouble)
        return -1;
    *out = (int64_t)v->valuedouble; /* (ids and times of today are exact in a double: < 2^53) */
    return 0;
}
static int flag(const cJSON *o, const char *k, int *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsBool(v)) return -1;
    *out = cJSON_IsTrue(v);
    return 0;
}

int proto_exec_parse(const char *json, size_t n, proto_exec_t *e) {
    cJSON *o = cJSON_ParseWithLength(json, n);
    int rc = proto_exec_from_cjson(o, e);
    cJSON_Delete(o);
    return rc;
}

int proto_exec_from_cjson(const cJSON *o, proto_exec_t *e) {
    memset(e, 0, sizeof *e);
    char ev[20], side[8], type[16], tif[8], status[20], stp[20], er[48];
    int64_t oid, eid;
    int rc = !o || str(o, "e", ev, sizeof ev) || strcmp(ev, "executionReport") || num(o, "E", &e->event_ms) ||
             str(o, "s", e->symbol, sizeof e->symbol) || str(o, "c", e->cid, sizeof e->cid) ||
             str(o, "S", side, sizeof side) || str(o, "o", type, sizeof type) || str(o, "f", tif, sizeof tif) ||
             str(o, "q", e->qty, sizeof e->qty) || str(o, "p", e->price, sizeof e->price) ||
             str(o, "C", e->orig_cid, sizeof e->orig_cid) || str(o, "x", e->exec, sizeof e->exec) ||
             str(o, "X", status, sizeof status) || num(o, "i", &oid) || str(o, "l", e->last_qty, sizeof e->last_qty) ||
             str(o, "z", e->cum_qty, sizeof e->cum_qty) || str(o, "L", e->last_price, sizeof e->last_price) ||
             str(o, "n", e->commission, sizeof e->commission) || num(o, "T", &e->trade_ms) ||
             num(o, "t", &e->trade_id) || num(o, "I", &eid) || flag(o, "w", &e->on_book) || flag(o, "m", &e->maker) ||
             num(o, "O", &e->created_ms) || str(o, "Z", e->cum_quote, sizeof e->cum_quote) ||
             str(o, "Y", e->last_quote, sizeof e->last_quote) || str(o, "V", stp, sizeof stp);
    if (!rc) {
        const cJSON *na = cJSON_GetObjectItemCaseSensitive(o, "N");
        if (cJSON_IsString(na) && strlen(na->valuestring) < sizeof e->commission_asset)
            memcpy(e->commission_asset, na->valuestring, strlen(na->valuestring) + 1);
        else if (!cJSON_IsNull(na)) rc = 1;
        if (num(o, "W", &e->working_ms)) e->working_ms = 0; /* only for orders that went on the book */
        e->order_id = (uint64_t)oid;
        e->exec_id = (uint64_t)eid;
        e->buy = !strcmp(side, "BUY");
        if ((!e->buy && strcmp(side, "SELL")) || xtype_parse(type, &e->type) || xtif_parse(tif, &e->tif) ||
            xstatus_parse(status, &e->status) || xstp_parse(stp, &e->stp))
            rc = 1;
        if (!str(o, "eR", er, sizeof er) && xexpiry_parse(er, &e->expiry)) rc = 1;
    }
    return rc ? -1 : 0;
}

int proto_order_json(const proto_order_t *o, char *buf, size_t cap) {
    proto_jbuf_t j = {buf, cap, 0, cap == 0};
    if (o->orig_cid[0])
        proto_jb(&j, "{\"symbol\":\"%s\",\"origClientOrderId\":\"%s\",\"orderId\":%llu,\"orderListId\":-1,\"clientOrderId\":\"%s\",",
           o->symbol, o->orig_cid, (unsigned long long)o->order_id, o->cid);
    else
        proto_jb(&j, "{\"symbol\":\"%s\",\"orderId\":%llu,\"orderListId\":-1,\"clientOrderId\":\"%s\",", o->symbol,
           (unsigned long long)o->order_id, o->cid);
    if (!o->query) proto_jb(&j, "\"transactTime\":%lld,", (long long)o->transact_ms);
    proto_jb(&j,
       "\"price\":\"%s\",\"origQty\":\"%s\",\"executedQty\":\"%s\",\"origQuoteOrderQty\":\"%s\","
       "\"cummulativeQuoteQty\":\"%s\",\"status\":\"%s\",\"timeInForce\":\"%s\",\"type\":\"%s\",\"side\":\"%s\",",
       o->price, o->orig_qty, o->executed_qty, o->orig_quote_qty, o->cum_quote, xstatus_name(o->status), xtif_name(o->tif),
       xtype_name(o->type), o->buy ? "BUY" : "SELL");
    if (o->query)
        proto_jb(&j, "\"stopPrice\":\"0.00000000\",\"icebergQty\":\"0.00000000\",\"time\":%lld,\"updateTime\":%lld,\"isWorking\":true,",
           (long long)o->time_ms, (long long)o->update_ms);
    proto_jb(&j, "\"workingTime\":%lld,\"selfTradePreventionMode\":\"%s\"", (long long)o->working_ms, xstp_name(o->stp));
    if (o->expiry) proto_jb(&j, ",\"expiryReason\":\"%s\"", xexpiry_name(o->expiry));
    if (o->full) {
        proto_jb(&j, ",\"fills\":[");
        for (int i = 0; i < o->nfills; i++) {
            const proto_fill_t *f = &o->fills[i];
            proto_jb(&j, "%s{\"price\":\"%s\",\"qty\":\"%s\",\"commission\":\"%s\",\"commissionAsset\":\"%s\",\"tradeId\":%llu}",
               i ? "," : "", f->price, f->qty, f->commission, f->commission_asset, (unsigned long long)f->trade_id);
        }
        proto_jb(&j, "]");
    }
    proto_jb(&j, "}");
    return j.over ? -1 : (int)j.n;
}

int proto_order_parse(const char *json, size_t n, proto_order_t *o, proto_fill_t *fills, int cap) {
    memset(o, 0, sizeof *o);
    cJSON *j = cJSON_ParseWithLength(json, n);
    char side[8], type[16], tif[8], status[20], stp[20], er[48];
    int64_t oid;
    int rc = !cJSON_IsObject(j) || str(j, "symbol", o->symbol, sizeof o->symbol) || num(j, "orderId", &oid) ||
             str(j, "clientOrderId", o->cid, sizeof o->cid) || str(j, "price", o->price, sizeof o->price) ||
             str(j, "origQty", o->orig_qty, sizeof o->orig_qty) ||
             str(j, "executedQty", o->executed_qty, sizeof o->executed_qty) ||
             str(j, "cummulativeQuoteQty", o->cum_quote, sizeof o->cum_quote) || str(j, "status", status, sizeof status) ||
             str(j, "timeInForce", tif, sizeof tif) || str(j, "type", type, sizeof type) || str(j, "side", side, sizeof side);
    if (!rc) {
        o->order_id = (uint64_t)oid;
        if (str(j, "origClientOrderId", o->orig_cid, sizeof o->orig_cid)) o->orig_cid[0] = 0;
        if (str(j, "origQuoteOrderQty", o->orig_quote_qty, sizeof o->orig_quote_qty)) o->orig_quote_qty[0] = 0;
        o->query = num(j, "transactTime", &o->transact_ms) != 0;
        if (o->query && (num(j, "time", &o->time_ms) || num(j, "updateTime", &o->update_ms))) rc = 1;
        if (num(j, "workingTime", &o->working_ms)) o->working_ms = 0;
        o->buy = !strcmp(side, "BUY");
        if ((!o->buy && strcmp(side, "SELL")) || xstatus_parse(status, &o->status) || xtif_parse(tif, &o->tif) ||
            xtype_parse(type, &o->type))
            rc = 1;
        o->stp = XSTP_NONE;
        if (!str(j, "selfTradePreventionMode", stp, sizeof stp) && xstp_parse(stp, &o->stp)) rc = 1;
        if (!str(j, "expiryReason", er, sizeof er) && xexpiry_parse(er, &o->expiry)) rc = 1;
        const cJSON *fl = cJSON_GetObjectItemCaseSensitive(j, "fills"), *f;
        o->full = cJSON_IsArray(fl);
        cJSON_ArrayForEach(f, fl) {
            proto_fill_t x;
            int64_t tid;
            if (str(f, "price", x.price, sizeof x.price) || str(f, "qty", x.qty, sizeof x.qty) ||
                str(f, "commission", x.commission, sizeof x.commission) ||
                str(f, "commissionAsset", x.commission_asset, sizeof x.commission_asset) || num(f, "tradeId", &tid)) {
                rc = 1;
                break;
            }
            x.trade_id = (uint64_t)tid;
            if (fills && o->nfills < cap) fills[o->nfills] = x;
            o->nfills++;
        }
    }
    cJSON_Delete(j);
    return rc ? -1 : 0;
}
