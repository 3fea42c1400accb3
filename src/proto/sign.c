/* sign.c: HMAC-SHA256 and Ed25519 signatures through OpenSSL (see sign.h). */
#include "sign.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"

/* HMAC() looks the algorithm up and keys a fresh context on every call (2 us on the
   development machine); a context keyed once per secret and re-initialised costs 0.35 us.
   A process has a handful of secrets: a small table that never evicts (then HMAC()). */
#define MAC_CACHE 32
static struct { char *secret; EVP_MAC_CTX *ctx; } mac_cache[MAC_CACHE];
static int mac_cached;

static EVP_MAC_CTX *mac_for(const char *secret) {
    for (int i = 0; i < mac_cached; i++)
        if (!strcmp(mac_cache[i].secret, secret)) return EVP_MAC_init(mac_cache[i].ctx, 0, 0, 0) == 1 ? mac_cache[i].ctx : 0;
    static EVP_MAC *hmac;
    if (mac_cached == MAC_CACHE || (!hmac && !(hmac = EVP_MAC_fetch(0, "HMAC", 0)))) return 0;
    OSSL_PARAM ps[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0), OSSL_PARAM_construct_end()};
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmac);
    char *copy = strdup(secret);
    if (!ctx || !copy || EVP_MAC_init(ctx, (const unsigned char *)secret, strlen(secret), ps) != 1) {
        EVP_MAC_CTX_free(ctx);
        free(copy);
        return 0;
    }
    mac_cache[mac_cached].secret = copy;
    mac_cache[mac_cached++].ctx = ctx;
    return ctx;
}

int sign_hmac_hex(const char *secret, const char *payload, size_t n, char out[65]) {
    unsigned char mac[32];
    unsigned int len = 0;
    size_t ml = 0;
    EVP_MAC_CTX *ctx = mac_for(secret);
    if (ctx) {
        if (EVP_MAC_update(ctx, (const unsigned char *)payload, n) != 1 || EVP_MAC_final(ctx, mac, &ml, sizeof mac) != 1 ||
            ml != 32)
            return Q_E_INVAL;
    } else if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)payload, n, mac, &len) || len != 32) {
        return Q_E_INVAL;
    }
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 15];
    }
    out[64] = 0;
    return 0;
}

int sign_hmac_verify(const char *secret, const char *payload, size_t n, const char *sig_hex) {
    char want[65];
    if (sign_hmac_hex(secret, payload, n, want) || strlen(sig_hex) != 64) return 0;
    char got[64];
    for (int i = 0; i < 64; i++) { /* HMAC signatures are case-insensitive */
        char c = sig_hex[i];
        got[i] = (char)(c >= 'A' && c <= 'F' ? c + 32 : c);
    }
    return CRYPTO_memcmp(want, got, 64) == 0;
}

/* Parsing a PEM costs ~400 us in OpenSSL 3 (its decoder framework), far more than the
   signature itself: parsed keys are kept, keyed by their PEM text. A process sees a handful
   of keys (the exchange's accounts, a client's own), so a small table that never evicts. */
#define KEY_CACHE 32
static struct { char *pem; int private_key; EVP_PKEY *k; } key_cache[KEY_CACHE];
static int key_cached;

static EVP_PKEY *parse_key(const char *pem, int private_key) {
    BIO *b = BIO_new_mem_buf(pem, -1);
    if (!b) return 0;
    EVP_PKEY *k = private_key ? PEM_read_bio_PrivateKey(b, 0, 0, 0) : PEM_read_bio_PUBKEY(b, 0, 0, 0);
    BIO_free(b);
    if (k && EVP_PKEY_id(k) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(k);
        k = 0;
    }
    return k;
}

/* a key that stays owned by the cache (or, once the table is full, the caller must free it:
   *owned says which) */
static EVP_PKEY *load_key(const char *pem, int private_key, int *owned) {
    *owned = 0;
    for (int i = 0; i < key_cached; i++)
        if (key_cache[i].private_key == private_key && !strcmp(key_cache[i].pem, pem)) return key_cache[i].k;
    EVP_PKEY *k = parse_key(pem, private_key);
    if (!k) return 0;
    char *copy = key_cached < KEY_CACHE ? strdup(pem) : 0;
    if (!copy) {
        *owned = 1;
        return k;
    }
    key_cache[key_cached].pem = copy;
    key_cache[key_cached].private_key = private_key;
    key_cache[key_cached++].k = k;
    return k;
}

int sign_ed25519_verify(const char *public_pem, const char *payload, size_t n, const char *sig_b64) {
    unsigned char sig[96];
    size_t sl = strlen(sig_b64);
    if (sl == 0 || sl > 120) return 0;
    int len = EVP_DecodeBlock(sig, (const unsigned char *)sig_b64, (int)sl);
    if (len < 0) return 0;
    while (sl > 0 && sig_b64[sl - 1] == '=') { len--; sl--; } /* DecodeBlock counts the padding */
    if (len != 64) return 0;
    int owned;
    EVP_PKEY *k = load_key(public_pem, 0, &owned);
    if (!k) return 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestVerifyInit(ctx, 0, 0, 0, k) == 1 &&
             EVP_DigestVerify(ctx, sig, 64, (const unsigned char *)payload, n) == 1;
    EVP_MD_CTX_free(ctx);
    if (owned) EVP_PKEY_free(k);
    return ok;
}

int sign_ed25519_sign(const char *private_pem, const char *payload, size_t n, char *out, size_t cap) {
    int owned;
    EVP_PKEY *k = load_key(private_pem, 1, &owned);
    if (!k) return Q_E_INVAL;
    unsigned char sig[64];
    size_t sl = sizeof sig;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestSignInit(ctx, 0, 0, 0, k) == 1 &&
             EVP_DigestSign(ctx, sig, &sl, (const unsigned char *)payload, n) == 1 && sl == 64;
    EVP_MD_CTX_free(ctx);
    if (owned) EVP_PKEY_free(k);
    if (!ok || cap < 89) return Q_E_INVAL;
    EVP_EncodeBlock((unsigned char *)out, sig, 64);
    return 0;
}

int sign_pct_encode(const char *in, size_t n, char *out, size_t cap) {
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                   c == '.' || c == '_' || c == '~';
        if (o + (keep ? 1 : 3) + 1 > cap) return -1;
        if (keep) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = 0;
    return (int)o;
}

int sign_sorted_payload(const char *const *k, const char *const *v, int n, char *out, size_t cap) {
    int order[64];
    if (n > 64) return -1;
    for (int i = 0; i < n; i++) order[i] = i;
    for (int i = 1; i < n; i++) /* insertion sort: a few dozen params at most */
        for (int j = i; j > 0 && strcmp(k[order[j - 1]], k[order[j]]) > 0; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    size_t o = 0;
    for (int i = 0; i < n; i++) { /* memcpy, not snprintf: this is on every order's path */
        size_t kl = strlen(k[order[i]]), vl = strlen(v[order[i]]);
        if (o + (i > 0) + kl + 1 + vl >= cap) return -1;
        if (i) out[o++] = '&';
        memcpy(out + o, k[order[i]], kl);
        o += kl;
        out[o++] = '=';
        memcpy(out + o, v[order[i]], vl);
        o += vl;
    }
    if (cap) out[o] = 0;
    return (int)o;
}

int sign_ws_request_as(sign_kind_t kind, const char *id, const char *method, const char *params,
                       const char *api_key, const char *secret, long long timestamp_ms, char *out, size_t cap) {
    const char *k[32], *v[32];
    char buf[1024], ts[24], payload[2048], sig[128] = "", json[1536] = "";
    int n = 0;
    size_t jn = 0;
    if (strlen(params) >= sizeof buf) return -1;
    memcpy(buf, params, strlen(params) + 1);
    for (char *p = buf, *next; p && *p; p = next) {
        if (n == 30) return -1; /* more would go unsent and unsigned */
        next = strchr(p, '&');
        if (next) *next++ = 0;
        for (const unsigned char *c = (const unsigned char *)p; *c; c++) /* written into JSON unescaped */
            if (*c == '"' || *c == '\\' || *c < 0x20) return -1;
        char *eq = strchr(p, '=');
        if (!eq) return -1;
        *eq = 0;
        k[n] = p;
        v[n++] = eq + 1;
        int w = snprintf(json + jn, sizeof json - jn, "\"%s\":\"%s\",", p, eq + 1);
        if (w < 0 || (size_t)w >= sizeof json - jn) return -1;
        jn += (size_t)w;
    }
    snprintf(ts, sizeof ts, "%lld", timestamp_ms);
    int w;
    if (kind == SIGN_TIMESTAMP_ONLY) { /* a logged-on session: the session's key signs nothing more */
        w = snprintf(out, cap, "{\"id\":%s,\"method\":\"%s\",\"params\":{%s\"timestamp\":%s}}", id, method, json, ts);
        return w < 0 || (size_t)w >= cap ? -1 : w;
    }
    k[n] = "apiKey";
    v[n++] = api_key;
    k[n] = "timestamp";
    v[n++] = ts;
    int pl = sign_sorted_payload(k, v, n, payload, sizeof payload);
    if (pl < 0) return -1;
    if (kind == SIGN_HMAC ? sign_hmac_hex(secret, payload, (size_t)pl, sig)
                          : sign_ed25519_sign(secret, payload, (size_t)pl, sig, sizeof sig))
        return -1;
    w = snprintf(out, cap, "{\"id\":%s,\"method\":\"%s\",\"params\":{\"apiKey\":\"%s\",%s\"timestamp\":%s,\"signature\":\"%s\"}}",
                 id, method, api_key, json, ts, sig);
    return w < 0 || (size_t)w >= cap ? -1 : w;
}

int sign_ws_request(const char *id, const char *method, const char *params, const char *api_key,
                    const char *secret, long long timestamp_ms, char *out, size_t cap) {
    return sign_ws_request_as(SIGN_HMAC, id, method, params, api_key, secret, timestamp_ms, out, cap);
}

void sign_cache_wipe(void) {
    for (int i = 0; i < mac_cached; i++) {
        if (mac_cache[i].secret) OPENSSL_cleanse(mac_cache[i].secret, strlen(mac_cache[i].secret));
        free(mac_cache[i].secret);
        EVP_MAC_CTX_free(mac_cache[i].ctx);
    }
    mac_cached = 0;
    for (int i = 0; i < key_cached; i++) {
        if (key_cache[i].pem) OPENSSL_cleanse(key_cache[i].pem, strlen(key_cache[i].pem));
        free(key_cache[i].pem);
        EVP_PKEY_free(key_cache[i].k);
    }
    key_cached = 0;
}
