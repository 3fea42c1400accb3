/* params.h: a Binance request's parameters, as the exchange reads them and a client writes
 * them: REST query strings and form bodies, WebSocket API `params` objects, and the payload
 * each one signs. Also the strict readers of Binance's parameter values (integers, ids,
 * timestamps) and the JSON text helpers both sides need.
 *
 * Nothing is dropped silently: a parameter that does not fit, a name sent twice or a
 * payload too long for its buffer makes the whole request fail with Binance's code, so a
 * signature can never cover less than what was acted on. */
#ifndef Q_PARAMS_H
#define Q_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#define PARAMS_MAX 32          /* Binance's endpoints take fewer; more is -1101 */
#define PARAM_NAME_MAX 64
#define PARAM_VALUE_MAX 1024   /* longer is -1100, never truncated */
#define PARAMS_PAYLOAD_MAX 16384

typedef struct params {
    int n;
    char k[PARAMS_MAX][PARAM_NAME_MAX];
    char v[PARAMS_MAX][PARAM_VALUE_MAX];
    char payload[PARAMS_PAYLOAD_MAX]; /* what the client signed, without the signature */
    int plen;
    char sig[256];
    int has_sig;
    int code;                  /* the first failure: a Binance code (-1100, -1101), or 0 */
    char msg[200];             /* ... and its message */
} params_t;

void params_reset(params_t *p);
/* Adds one decoded parameter; on failure sets p->code/msg (once) and returns it. */
int params_add(params_t *p, const char *k, size_t kl, const char *v, size_t vl);
/* REST: one decoded query parameter "k=v" as lws hands it over; it is percent-encoded
   again (RFC 3986) into the payload, after a '&' unless it is the first. */
int params_add_query(params_t *p, const char *kv, size_t n);
/* REST: a form body "k=v&k=v", %XX and '+' decoded into the
   parameters, the bytes as sent appended to the payload (after the query, nothing between). */
int params_add_form(params_t *p, const char *s, size_t n);
/* The WebSocket API's payload: every parameter but the signature, sorted by name. */
int params_sort_payload(params_t *p);
const char *params_get(const params_t *p, const char *k);

/* Strict readers: the whole text, digits only (an optional '-' for signed), no spaces,
   no exponent, no fraction, within range. 0, or -1 when the text is not such a number. */
int proto_parse_u64(const char *s, uint64_t *out);
int proto_parse_i64(const char *s, int64_t *out);
/* A non-negative decimal with at most `places` decimals, as an integer scaled by
   10^places ("5000.5", 3 -> 5000500). 0; -1 malformed; -2 more decimals than `places`. */
int proto_parse_fixed(const char *s, int places, int64_t *out);
/* UTF-8 well-formed by its lead and continuation bytes (what a text must be to go into
   JSON unchanged; overlong forms and surrogates are not looked for) */
int proto_utf8_ok(const char *s, size_t n);
/* Binance's rule for client order ids and request ids: ^[a-zA-Z0-9-_]{1,36}$ */
int proto_valid_id(const char *s);
/* Text for a JSON string: quotes, backslashes and control characters escaped. Always
   terminated; cut short (at a character boundary) when cap is too small. */
void proto_json_escape(const char *in, char *out, size_t cap);
/* An appender for JSON text that knows when it ran out of room: once over, it writes no
   more, and the caller refuses the text rather than send it cut short. */
typedef struct proto_jbuf {
    char *b;
    size_t cap, n;
    int over;
} proto_jbuf_t;
void proto_jb(proto_jbuf_t *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
