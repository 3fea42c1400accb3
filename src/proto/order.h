/* order.h: Binance's order vocabulary and the order events both sides speak: the names of
 * order types, times in force, statuses, self-trade prevention modes, expiry reasons and
 * symbol statuses (each written and read), and the executionReport event of the user data
 * stream, which the exchange writes and the live client reads with the same struct.
 * Decimals travel as the strings Binance prints (8 places); the writer of an event formats
 * them with its symbol's units, the reader converts them with its own. */
#ifndef Q_PROTO_ORDER_H
#define Q_PROTO_ORDER_H

#include <stddef.h>
#include <stdint.h>

typedef enum xtype { XT_LIMIT = 0, XT_LIMIT_MAKER, XT_MARKET } xtype_t;
typedef enum xtif { XTIF_GTC = 0, XTIF_IOC, XTIF_FOK } xtif_t;
typedef enum xstatus { XS_NEW = 0, XS_PARTIALLY_FILLED, XS_FILLED, XS_CANCELED, XS_REJECTED, XS_EXPIRED } xstatus_t;
/* selfTradePreventionMode (enums.md "STP Modes"). XSTP_DEFAULT in a request means "not
   sent": the order gets m->default_stp (EXPIRE_MAKER, as the exchangeInfo says). Stored
   and echoed only: users' orders match the replayed market, never each other. */
typedef enum xstp {
    XSTP_DEFAULT = 0, XSTP_NONE, XSTP_EXPIRE_TAKER, XSTP_EXPIRE_MAKER, XSTP_EXPIRE_BOTH, XSTP_DECREMENT, XSTP_TRANSFER
} xstp_t;
/* expiryReason of an EXPIRED order (enums.md "Expiry Reasons", user-data-stream.md `eR`).
   This exchange sets the IOC, FOK and MARKET ones; the others are there to be named. */
typedef enum xexpiry {
    XER_NONE = 0, XER_REJECTED, XER_EXCHANGE_CANCELED, XER_OCO_TRIGGER, XER_OTO_PHASE_ONE_EXPIRED,
    XER_UNFILLED_IOC_QUANTITY_EXPIRED, /* an IOC LIMIT's remainder */
    XER_UNFILLED_FOK_ORDER_EXPIRED,    /* a FOK that could not fill whole */
    XER_INSUFFICIENT_LIQUIDITY,        /* a MARKET order's remainder: the book ran out */
    XER_EXECUTION_RULE_PRICE_RANGE_EXCEEDED
} xexpiry_t;
/* symbol status (enums.md); only TRADING takes new orders, every status takes cancels */
typedef enum xsymstatus { XSS_TRADING = 0, XSS_END_OF_DAY, XSS_HALT, XSS_BREAK, XSS_CANCEL_ONLY } xsymstatus_t;

/* names as Binance writes them, and back (0, or -1 for a name not in the list) */
const char *xstatus_name(xstatus_t s);
const char *xtype_name(xtype_t t);
const char *xtif_name(xtif_t t);
const char *xstp_name(xstp_t s);            /* "NONE", "EXPIRE_MAKER", ...; XSTP_DEFAULT: "NONE" */
const char *xexpiry_name(xexpiry_t e);      /* "NONE", "UNFILLED_IOC_QUANTITY_EXPIRED", ... */
const char *xsymstatus_name(xsymstatus_t s);/* "TRADING", "CANCEL_ONLY", ... */
int xstatus_parse(const char *s, xstatus_t *out);
int xtype_parse(const char *s, xtype_t *out);
int xtif_parse(const char *s, xtif_t *out);
int xstp_parse(const char *s, xstp_t *out);
int xexpiry_parse(const char *s, xexpiry_t *out);
int xsymstatus_parse(const char *s, xsymstatus_t *out);

/* an executionReport (user-data-stream.md), its fields by their letters */
typedef struct proto_exec {
    int64_t event_ms;            /* E */
    char symbol[24];             /* s */
    char cid[40];                /* c: the order's client id; on a cancel, the cancel's */
    int buy;                     /* S */
    xtype_t type;                /* o */
    xtif_t tif;                  /* f */
    char qty[40], price[40];     /* q, p */
    char orig_cid[40];           /* C: on a cancel, the canceled order's client id; else "" */
    char exec[20];               /* x: NEW, CANCELED, REPLACED, REJECTED, TRADE, EXPIRED, TRADE_PREVENTION */
    xstatus_t status;            /* X */
    uint64_t order_id;           /* i */
    char last_qty[40], cum_qty[40], last_price[40]; /* l, z, L */
    char commission[48];         /* n ("0" when no trade) */
    char commission_asset[16];   /* N ("" for null) */
    int64_t trade_ms;            /* T */
    int64_t trade_id;            /* t (-1: none) */
    uint64_t exec_id;            /* I */
    int on_book, maker;          /* w, m */
    int64_t created_ms;          /* O */
    char cum_quote[48], last_quote[48]; /* Z, Y */
    int64_t working_ms;          /* W */
    xstp_t stp;                  /* V */
    xexpiry_t expiry;            /* eR, present only when the order expired (XER_NONE: absent) */
} proto_exec_t;

/* Writes the event's JSON; its length, or -1 when cap is too small. */
int proto_exec_json(const proto_exec_t *e, char *buf, size_t cap);
/* Reads an executionReport (the event object itself, not its {"subscriptionId","event"}
   wrapper); 0, or -1 when it is not one or a field is missing or malformed. */
int proto_exec_parse(const char *json, size_t n, proto_exec_t *out);
/* The same on an object cJSON has read (NULL: -1). exec_read.h reads it without cJSON. */
struct cJSON;
int proto_exec_from_cjson(const struct cJSON *o, proto_exec_t *out);

/* an order as the REST and WebSocket API answers give it: a placement (with its fills when
   the answer is FULL), a query, or a cancel (which names the canceled order by
   origClientOrderId and carries the cancel request's own client id) */
typedef struct proto_fill {
    char price[40], qty[40], commission[48], commission_asset[16];
    uint64_t trade_id;
} proto_fill_t;

typedef struct proto_order {
    char symbol[24];
    uint64_t order_id;
    char cid[40];                /* clientOrderId: the order's, or on a cancel the cancel's */
    char orig_cid[40];           /* origClientOrderId: a cancel's answer only ("" otherwise) */
    int query;                   /* a query's form: time, updateTime, isWorking; no transactTime */
    int64_t transact_ms, time_ms, update_ms, working_ms;
    char price[40], orig_qty[40], executed_qty[40], orig_quote_qty[48], cum_quote[48];
    xstatus_t status;
    xtif_t tif;
    xtype_t type;
    int buy;
    xstp_t stp;
    xexpiry_t expiry;            /* expiryReason, when EXPIRED (XER_NONE: absent) */
    int full;                    /* the answer lists its fills */
    const proto_fill_t *fills;   /* writer: the fills (nfills of them) */
    int nfills;                  /* reader: how many the answer listed (even past the room given) */
} proto_order_t;

/* Writes the order's JSON; its length, or -1 when cap is too small (never cut short). */
int proto_order_json(const proto_order_t *o, char *buf, size_t cap);
/* Reads an order answer; the first `cap` fills go to fills (NULL: none kept). 0, or -1
   when a field is missing or malformed. */
int proto_order_parse(const char *json, size_t n, proto_order_t *o, proto_fill_t *fills, int cap);

#endif
