/* state.h: the local exchange's shared state and what its parts call on each other. Not a
 * public interface (server.h is): one server per process, one thread, one lws event loop.
 *
 * The parts, by role:
 *   server.c     the context, the clock, the market timer, start and shutdown
 *   transport.c  HTTP and WebSocket connections: routing, out-queues, reassembly, limits
 *   rest.c       REST glue: query and body parameters, rate limits, replies as HTTP
 *   market_api.c market data handlers, shared by REST and the WebSocket API
 *   trade_api.c  signed order and account handlers, shared by REST and the WebSocket API
 *   ws_api.c     the WebSocket API (/ws-api/v3)
 *   streams.c    market data streams (/ws, /stream)
 *   user_data.c  the user data stream: execution reports, balances, listen keys
 *   admin.c      /admin/faults and /admin/balance (loopback only)
 * What a client needs too (signing, parameters, strict numbers, error codes, order answers
 * and events, reassembly) is in src/proto. */
#ifndef Q_EXCHANGE_STATE_H
#define Q_EXCHANGE_STATE_H

#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdint.h>

#include "../proto/params.h"
#include "../proto/wsmsg.h"
#include "account.h"
#include "listing.h"
#include "market.h"
#include "matching.h"
#include "ratelimit.h"

#define QUEUE_MAX (1 << 20)         /* frames waiting per connection ... */
#define QUEUE_BYTES (64 << 20)      /* ... and their bytes; past either the client is too slow: closed */
#define HELD_MAX 4096               /* WebSocket API answers the delay fault may hold per connection */
#define RESP_MAX (1 << 20)
#define WS_MESSAGE_MAX (64 << 10)   /* a longer incoming WebSocket message is closed with 1009 */
#define WSAPI_SUBS 4

/* an outgoing text frame; one frame serves every subscriber of a stream message (lws only
   writes the frame header into the LWS_PRE bytes, the same for every connection) */
typedef struct frame {
    int len;
    int refs;                     /* queues holding it */
    int64_t queued_ns;            /* mono_ns() when made: a frame waiting too long means a slow client */
    unsigned char data[];         /* LWS_PRE + payload */
} frame_t;

/* one connection: an HTTP request, a market stream or a WebSocket API session */
typedef struct pss {
    struct lws *wsi;
    struct pss *next;
    int is_ws, combined;
    uint32_t subs[LISTING_MAX];   /* market streams, a bit per market_stream_t, per symbol */
    frame_t **q;                  /* a ring of qcap (a power of two) growing as needed */
    int qcap, qhead, qtail;       /* qhead..qtail count up; a frame's slot is its count & (qcap - 1) */
    int64_t qbytes;
    int too_slow;                 /* the out-queue overflowed: being closed */
    int peer_closed;              /* the client sent its close frame */
    wsmsg_t rx;                   /* the incoming message being reassembled */
    /* HTTP: the request (method, path, body) and the response waiting to be written */
    char method[8];
    char path[128];
    char ip[48];                  /* the peer, for rate limits */
    int weight;                   /* what this request was charged ... */
    int64_t charged_ms;           /* ... and when (a refund goes to that minute) */
    int order_acct;               /* account whose order counts go in the headers, or -1 */
    int answered;                 /* a response is already queued (rate limited) */
    char body[PARAMS_PAYLOAD_MAX];
    int body_len, body_overflow;
    unsigned char *resp;
    int resp_len;
    /* WebSocket API */
    int is_api;
    int rate_limits;              /* returnRateLimits (default true) */
    int logon;                    /* account logged on with session.logon, or -1 */
    int64_t connected_ms, logon_ms;
    int nsubs, next_sub;
    int sub_acct[WSAPI_SUBS], sub_id[WSAPI_SUBS]; /* user data subscriptions */
    int sub_logon[WSAPI_SUBS];    /* made by userDataStream.subscribe on the logged-on session */
    int listen_acct;              /* /ws/<listenKey>: the retired user data stream, or -1 */
    int direct;                   /* answering inside the receive callback: no writeable request */
    int64_t rx_second;            /* market streams: messages received in this second ... */
    int rx_count;                 /* ... at most 5, as Binance allows */
} pss_t;

typedef struct delayed delayed_t;

/* one symbol: its rules, its replayed market and its order matching (order and trade ids
   are per symbol, as on Binance); balances are the accounts', shared by every symbol */
typedef struct xsym {
    symbol_rules_t rules;
    market_t mkt;
    matching_t match;
} xsym_t;

typedef struct server {
    struct lws_context *ctx;
    xsym_t sym[LISTING_MAX];
    int nsym;
    accounts_t *acc;
    lws_sorted_usec_list_t sul;
    pss_t *conns;
    int64_t requests, connections;
    ratelimit_t rl;
    double max_conn_s;
    int64_t slow_client_ns;      /* a WebSocket client whose oldest unsent frame waited this long is closed */
    const char *cancel_cid;      /* the clientOrderId of the cancel being served: its executionReport's
                                    "c" (the order's own id goes in "C"), as Binance sends them */
    int64_t busy_poll_ns, last_api_ns; /* spin after WebSocket API requests (see the main loop) */
    struct { char key[64]; int acct; } listen[64]; /* retired listenKey streams */
    int nlisten;
    delayed_t *delayed;          /* WebSocket API answers held back by the delay fault, by due time */
    lws_sorted_usec_list_t delay_sul;
    struct faults {
        int delay_ms;            /* every REST and WebSocket API answer waits this long */
        int unknown_outcome;     /* the next N orders are executed but answered 503 -1007 */
        int skip_diffs;          /* the next N depth diffs are not sent (subscribers see a gap) */
        int64_t storm_until_ms;  /* every request is answered 429 until then */
        int64_t skew_ms;         /* the exchange's clock runs this far from the machine's */
        int ws_api_down;         /* WebSocket API connections are dropped and refused (REST and streams work) */
    } f;
} server_t;

extern server_t S;

/* server.c: the symbol named (exactly, upper case), or NULL */
xsym_t *sym_find(const char *name);

/* server.c: the exchange's clock (the machine's plus any injected skew), and a monotonic one */
int64_t wall_ns(void);
int64_t now_ms(void);
int64_t mono_ns(void);
/* reaction.c: bench_reaction's measurement hook (off unless QUOTER_REACTION_LOG is set) */
void reaction_bbo(const char *json, int len);
void reaction_request(const char *msg, size_t len);
void reaction_close(void);

/* transport.c */
void enqueue(pss_t *c, const char *msg, int len);
frame_t *frame_new(const char *msg, int len);  /* NULL when out of memory */
void enqueue_frame(pss_t *c, frame_t *f);      /* queues a shared frame (refs + 1) */
void frame_release(frame_t *f);                /* refs - 1, freed at 0 */
frame_t *dequeue(pss_t *c);                    /* the oldest frame; the caller releases it */
void enqueue_delayed(pss_t *c, const char *msg, int len, int delay_ms);
void drop_delayed(pss_t *c);                   /* a closing connection's held answers go with it */
int respond_with(struct lws *wsi, pss_t *c, int status, const char *body, int len, int retry_after);
int respond(struct lws *wsi, pss_t *c, int status, const char *body, int len);
int error(struct lws *wsi, pss_t *c, int status, int code, const char *msg);
extern const struct lws_protocols xs_protocols[];

/* what a request produced, before it is written as HTTP or as a WebSocket API answer */
typedef struct reply {
    int status;          /* HTTP status: 200, 400, 401, 404 ... */
    int code;            /* Binance error code when status != 200 */
    char msg[256];       /* JSON-escaped */
    const char *body;    /* JSON result when status == 200 */
    int len;
    const char *data;    /* an error's "data" object (cancelReplace), or NULL */
    int order_acct;      /* the account whose order counts apply, or -1 */
    const char *method, *path; /* for the log */
} reply_t;

int rfail(reply_t *r, int status, int code, const char *msg);
int rok(reply_t *r, const char *body, int len);

/* a request's arguments: a REST query string (through lws) or a WebSocket API request's
   params, so one handler serves both */
typedef struct args {
    const params_t *query;   /* REST */
    const cJSON *params;     /* WebSocket API */
} args_t;

/* rest.c */
int limited(struct lws *wsi, pss_t *c);
int parse_params(struct lws *wsi, pss_t *c, params_t *p);
int reply_respond(struct lws *wsi, pss_t *c, const reply_t *r);
int is_signed_path(const char *path);
int signed_endpoint(struct lws *wsi, pss_t *c);
int http_get(struct lws *wsi, pss_t *c, const char *path);
int listen_key(struct lws *wsi, pss_t *c);

/* market_api.c */
int qarg(const args_t *a, const char *name, char *out, int cap);
int endpoint_weight(const args_t *a, const char *method, const char *path);

void market_data(reply_t *r, const args_t *a, const char *path);

/* trade_api.c */
int check_signed(reply_t *r, const char *key, const params_t *p, int sig_required);
void dispatch(reply_t *r, int a, const params_t *p);
const char *lots(const symbol_rules_t *r, int64_t v, char *buf);
const char *px(const symbol_rules_t *r, int64_t v, char *buf);
const char *quote_amt(const symbol_rules_t *r, __int128 v, char *buf);
/* a fill's commission as Binance prints it into buf (48 bytes), and its asset: BNB when it was
   paid in BNB (fee_bnb, atto), else the asset received (base for a buyer, quote for a seller) */
const char *commission_text(const symbol_rules_t *r, int buyer, __int128 commission, __int128 fee_bnb, char *buf);

/* ws_api.c */
void ws_api_request(pss_t *c, const char *msg, size_t len);

/* streams.c */
int stream_bit(const char *name, size_t n, int *sym);
void subscribe_list(pss_t *c, const char *list);
void ws_request(pss_t *c, const char *msg, size_t len);
void on_market(void *ctx, market_stream_t s, const char *json, int len);
extern const char *const stream_suffix[MS_NSTREAMS];

/* user_data.c */
int position_json(const account_t *a, const int *assets, int n, int64_t t, char *pos, size_t cap);
int user_data_wanted(int acct);
void push_user_event(int acct, const char *ev, int len);
void on_exec(void *ctx, const xorder_t *o, const char *exec, const xfill_t *fill);
const char *new_listen_key(int acct);

/* admin.c */
int admin(struct lws *wsi, pss_t *c);
int admin_balance(struct lws *wsi, pss_t *c);
int admin_symbol(struct lws *wsi, pss_t *c);
int fault_set(const char *k, const char *v);

#endif
