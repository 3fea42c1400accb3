/* sign.h: Binance request signatures, as the exchange verifies them (and a client makes
 * them): HMAC-SHA256 in hex, Ed25519 in base64 (pure Ed25519 over the payload bytes).
 *
 * Payloads: REST signs the query string then the body, joined with nothing between,
 * percent-encoded (RFC 3986, UTF-8) before signing; the WebSocket API signs every param
 * but `signature`, sorted by name, as k=v joined by '&', raw. Known answers from the
 * Binance docs are in tests/test_sign.c. OpenSSL does the cryptography; parsed Ed25519 keys
 * and keyed HMAC contexts are cached by key text (setting a key up costs more than the
 * signature), so these functions are not thread-safe. */
#ifndef Q_SIGN_H
#define Q_SIGN_H

#include <stddef.h>

/* hex digest (64 chars + NUL) of HMAC-SHA256(secret, payload) */
int sign_hmac_hex(const char *secret, const char *payload, size_t n, char out[65]);
/* constant-time, case-insensitive comparison of two hex signatures */
int sign_hmac_verify(const char *secret, const char *payload, size_t n, const char *sig_hex);

/* Ed25519 with a PEM key (public for verify, private for sign). Signatures are base64. */
int sign_ed25519_verify(const char *public_pem, const char *payload, size_t n, const char *sig_b64);
int sign_ed25519_sign(const char *private_pem, const char *payload, size_t n, char *out, size_t cap);

/* The WebSocket API payload: the n params k[i]=v[i] sorted by name, joined by '&', raw.
   Returns the length, or -1 when cap is too small. */
int sign_sorted_payload(const char *const *k, const char *const *v, int n, char *out, size_t cap);

/* A WebSocket API request signed with HMAC, as a client sends it:
   {"id":ID,"method":METHOD,"params":{...params, "apiKey", "timestamp", "signature"}}.
   `params` is "k=v&k=v" (string values, no escaping needed); `id` is JSON text (a number
   or a quoted string). Returns the length, or -1 when out is too small or params malformed:
   a pair without '=', more than 30 pairs, or a '"', '\\' or control character (which would
   need escaping). */
int sign_ws_request(const char *id, const char *method, const char *params, const char *api_key,
                    const char *secret, long long timestamp_ms, char *out, size_t cap);
/* The same with the signer named: SIGN_HMAC (secret: the HMAC secret; sign_ws_request),
   SIGN_ED25519 (secret: the PEM private key; the signature is base64), or
   SIGN_TIMESTAMP_ONLY (a request on a session logged on with session.logon: neither apiKey
   nor signature, only the timestamp). The same checks of params in every case. */
typedef enum sign_kind { SIGN_HMAC = 0, SIGN_ED25519, SIGN_TIMESTAMP_ONLY } sign_kind_t;
int sign_ws_request_as(sign_kind_t kind, const char *id, const char *method, const char *params,
                       const char *api_key, const char *secret, long long timestamp_ms, char *out, size_t cap);

/* Forgets the cached keys, their copies wiped (OPENSSL_cleanse): at the end of a live run,
   so no secret stays in memory longer than it is used. */
void sign_cache_wipe(void);

/* RFC 3986 percent-encoding: unreserved characters stay, every other byte is %XX
   (upper-case hex). Returns the length, or -1 when cap is too small. */
int sign_pct_encode(const char *in, size_t n, char *out, size_t cap);

#endif
