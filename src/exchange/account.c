/* account.c: accounts of the local exchange (see account.h). */
#include "account.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"

static __int128 pow10_i128(int n) {
    __int128 v = 1;
    while (n-- > 0) v *= 10;
    return v;
}

/* ---- assets ------------------------------------------------------------------------ */

static int asset_name_ok(const char *s) {
    size_t n = strlen(s);
    if (n < 1 || n > ASSET_NAME_MAX) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f || *p == '"' || *p == '\\') return 0;
    return 1;
}

int accounts_asset_find(const accounts_t *acc, const char *name) {
    for (int i = 0; i < acc->nassets; i++)
        if (!strcmp(acc->asset[i], name)) return i;
    return -1;
}

int accounts_asset(accounts_t *acc, const char *name) {
    int id = accounts_asset_find(acc, name);
    if (id >= 0) return id;
    if (!asset_name_ok(name) || acc->nassets >= ASSET_MAX) return -1;
    snprintf(acc->asset[acc->nassets], sizeof acc->asset[0], "%s", name);
    return acc->nassets++;
}

const char *accounts_asset_name(const accounts_t *acc, int id) {
    return id >= 0 && id < acc->nassets ? acc->asset[id] : 0;
}

int accounts_units(const symbol_rules_t *r, __int128 *atto_lot, __int128 *atto_tick_lot) {
    int ls = r->lot.scale, qs = r->tick.scale + r->lot.scale;
    if (ls < 0 || ls > 18 || qs < 0 || qs > 18 || r->lot.mult <= 0 || r->tick.mult <= 0) return Q_E_RANGE;
    __int128 fl = pow10_i128(18 - ls), fq = pow10_i128(18 - qs);
    __int128 ml = r->lot.mult, mq = (__int128)r->tick.mult * r->lot.mult; /* < 2^126 */
    if (ml > ACCOUNT_AMOUNT_MAX / fl || mq > ACCOUNT_AMOUNT_MAX / fq) return Q_E_RANGE;
    *atto_lot = ml * fl;
    *atto_tick_lot = mq * fq;
    return 0;
}

/* ---- amounts ----------------------------------------------------------------------- */

int accounts_format(__int128 atto, char *buf, size_t cap) {
    unsigned __int128 u = atto < 0 ? -(unsigned __int128)atto : (unsigned __int128)atto;
    u /= 10000000000u; /* whole 1e-8, truncated toward zero */
    int neg = atto < 0 && u != 0;
    char digits[48];
    int n = 0;
    do { /* at least 9 digits: "0." and 8 places */
        digits[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u || n < 9);
    size_t len = (size_t)neg + (size_t)n + 1;
    if (len + 1 > cap) return Q_E_RANGE;
    size_t o = 0;
    if (neg) buf[o++] = '-';
    for (int i = n - 1; i >= 0; i--) {
        buf[o++] = digits[i];
        if (i == 8) buf[o++] = '.';
    }
    buf[o] = 0;
    return (int)o;
}

int accounts_parse(const char *s, __int128 *atto) {
    const char *p = s;
    int neg = *p == '-';
    if (neg) p++;
    const char *ip = p;
    while (*p >= '0' && *p <= '9') p++;
    size_t ni = (size_t)(p - ip), nf = 0;
    const char *fp = 0;
    if (*p == '.') {
        fp = ++p;
        while (*p >= '0' && *p <= '9') p++;
        nf = (size_t)(p - fp);
        if (!nf) return Q_E_PARSE;
    }
    if (!ni || *p) return Q_E_PARSE;
    if (nf > 18) return Q_E_INEXACT;
    while (ni > 1 && *ip == '0') ip++, ni--; /* leading zeros */
    if (ni > 19) return Q_E_RANGE;
    __int128 whole = 0, frac = 0;
    for (size_t i = 0; i < ni; i++) whole = whole * 10 + (ip[i] - '0');
    for (size_t i = 0; i < nf; i++) frac = frac * 10 + (fp[i] - '0');
    if (whole > ACCOUNT_AMOUNT_MAX / ACCOUNT_ATTO) return Q_E_RANGE;
    __int128 v = whole * ACCOUNT_ATTO + frac * pow10_i128(18 - (int)nf);
    if (v > ACCOUNT_AMOUNT_MAX) return Q_E_RANGE;
    *atto = neg ? -v : v;
    return (int)nf;
}

int accounts_credit(accounts_t *acc, int a, int asset, __int128 delta) {
    if (a < 0 || a >= acc->n || asset < 0 || asset >= acc->nassets) return Q_E_INVAL;
    balance_t *b = &acc->a[a].bal[asset];
    if (delta < -ACCOUNT_AMOUNT_MAX || delta > ACCOUNT_AMOUNT_MAX) return delta < 0 ? Q_E_STATE : Q_E_RANGE;
    __int128 nf = b->free + delta; /* both within ~2 * ACCOUNT_AMOUNT_MAX: no overflow */
    if (nf < 0) return Q_E_STATE;
    if (delta > 0 && nf + b->locked + b->incoming > ACCOUNT_DEPOSIT_MAX) return Q_E_RANGE;
    b->free = nf;
    return 0;
}

/* why a starting balance is refused, or NULL */
static const char *start_amount(const char *v, __int128 *out) {
    int rc = accounts_parse(v, out);
    if (rc == Q_E_INEXACT || rc > 8) return "more than 8 decimals (balances are held and printed to 8)";
    if (rc == Q_E_RANGE) return "too large (at most 10^18)";
    if (rc < 0) return "not a decimal amount (digits, optionally one '.' and up to 8 decimals)";
    if (*out < 0) return "must not be negative";
    return 0;
}

/* ---- loading ----------------------------------------------------------------------- */

typedef struct load {
    accounts_t *acc;
    config_t *cfg;
    char *err;
    int errcap, failed;
} load_t;

/* distinct balance.ASSET names over all accounts, counting `name` too */
static int distinct_assets(const accounts_t *acc, const char *name) {
    char seen[ACCOUNT_MAX * ASSET_MAX + 1][ASSET_NAME_MAX + 1];
    int n = 0;
    snprintf(seen[n++], sizeof seen[0], "%s", name);
    for (int i = 0; i < acc->n; i++)
        for (int k = 0; k < acc->a[i].nstart; k++) {
            int dup = 0;
            for (int j = 0; j < n && !dup; j++) dup = !strcmp(seen[j], acc->a[i].start[k].asset);
            if (!dup) snprintf(seen[n++], sizeof seen[0], "%s", acc->a[i].start[k].asset);
        }
    return n;
}

static int on_ini(void *user, const char *section, const char *name, const char *value) {
    load_t *l = user;
    if (l->failed) return 0;
    if (!strncmp(section, "symbol ", 7) && l->acc->symbol_key) { /* the exchange's further symbols */
        if (l->acc->symbol_key(l->acc->symbol_ctx, section, name, value, l->err, l->errcap)) {
            l->failed = 1;
            return 0;
        }
        return 1;
    }
    if (strncmp(section, "account ", 8) != 0) {
        char a[512];
        snprintf(a, sizeof a, "%s.%s=%s", section, name, value);
        if (config_set(l->cfg, a, l->err, l->errcap)) {
            l->failed = 1;
            return 0;
        }
        return 1;
    }
    const char *aname = section + 8;
    account_t *x = 0;
    for (int i = 0; i < l->acc->n; i++)
        if (!strcmp(l->acc->a[i].name, aname)) x = &l->acc->a[i];
    if (!x) {
        if (l->acc->n == ACCOUNT_MAX) {
            snprintf(l->err, (size_t)l->errcap, "at most %d accounts", ACCOUNT_MAX);
            l->failed = 1;
            return 0;
        }
        x = &l->acc->a[l->acc->n++];
        memset(x, 0, sizeof *x);
        snprintf(x->name, sizeof x->name, "%s", aname);
        x->maker_fee = x->taker_fee = 0.001;
    }
    const char *why = "unknown key or bad value";
    if (!strncmp(name, "balance.", 8)) {
        const char *asset = name + 8;
        __int128 v;
        why = 0;
        if (!asset_name_ok(asset)) why = "not an asset name (1 to 15 characters, no spaces or quotes)";
        else why = start_amount(value, &v);
        if (!why) {
            int k = 0;
            while (k < x->nstart && strcmp(x->start[k].asset, asset)) k++;
            if (k == x->nstart && (x->nstart == ASSET_MAX || distinct_assets(l->acc, asset) > ASSET_MAX)) {
                static char many[64];
                snprintf(many, sizeof many, "too many assets (at most %d)", ASSET_MAX);
                why = many;
            } else {
                if (k == x->nstart) x->nstart++;
                snprintf(x->start[k].asset, sizeof x->start[k].asset, "%s", asset);
                x->start[k].atto = v;
                return 1;
            }
        }
    }
    if (!strcmp(name, "base_balance") || !strcmp(name, "quote_balance")) {
        __int128 v;
        why = start_amount(value, &v);
        if (!why) {
            snprintf(name[0] == 'b' ? x->base_start : x->quote_start, sizeof x->base_start, "%s", value);
            return 1;
        }
    }
    struct { const char *key; char *dst; size_t cap; } strs[] = {
        {"hmac_api_key", x->hmac_key, sizeof x->hmac_key},
        {"hmac_secret_key", x->hmac_secret, sizeof x->hmac_secret},
        {"ed25519_api_key", x->ed_key, sizeof x->ed_key},
    };
    for (size_t k = 0; k < sizeof strs / sizeof *strs; k++)
        if (!strcmp(name, strs[k].key)) {
            if (strlen(value) >= strs[k].cap) break;
            snprintf(strs[k].dst, strs[k].cap, "%s", value);
            return 1;
        }
    if (!strcmp(name, "ed25519_public_key") && strlen(value) < 120) {
        snprintf(x->ed_public_pem, sizeof x->ed_public_pem, "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n",
                 value);
        return 1;
    }
    if (!strcmp(name, "bnb_fee_price")) {
        __int128 v;
        why = "want a price above 0 (quote per BNB)";
        if (accounts_parse(value, &v) >= 0 && v > 0 && v < ACCOUNT_ATTO * 1000000000) {
            x->bnb_fee_price = v;
            return 1;
        }
    }
    if (!strcmp(name, "maker_fee") || !strcmp(name, "taker_fee")) {
        /* a whole number of 1e-8, as Binance prints rates: commissions are then exact
           (matching.c charges amount * rate rounded once to 1e-8 of the asset) */
        char *end;
        double v = strtod(value, &end);
        fx_unit_t e8;
        int64_t units;
        if (end != value && !*end && v > -0.01 && v < 0.01 && !fx_unit_make(8, 1, &e8) &&
            !fx_parse(value, strlen(value), &e8, &units)) {
            *(name[0] == 'm' ? &x->maker_fee : &x->taker_fee) = v;
            return 1;
        }
    }
    snprintf(l->err, (size_t)l->errcap, "[account %s] %s: %s", aname, name, why);
    l->failed = 1;
    return 0;
}

int accounts_load(accounts_t *acc, config_t *cfg, const char *path, char *err, int errcap) {
    load_t l = {acc, cfg, err, errcap, 0};
    err[0] = 0;
    int rc = ini_parse(path, on_ini, &l);
    if (rc == 0) return 0;
    char tmp[512];
    if (rc < 0) snprintf(tmp, sizeof tmp, "%s: cannot open", path);
    else if (l.failed) snprintf(tmp, sizeof tmp, "%s:%d: %s", path, rc, err);
    else snprintf(tmp, sizeof tmp, "%s:%d: syntax error", path, rc);
    snprintf(err, (size_t)errcap, "%s", tmp);
    return Q_E_PARSE;
}

int accounts_resolve(accounts_t *acc, const symbol_rules_t *rules, int nrules, char *err, int errcap) {
    for (int i = 0; i < nrules; i++) {
        const symbol_rules_t *r = &rules[i];
        __int128 fl, fq;
        if (accounts_units(r, &fl, &fq)) {
            snprintf(err, (size_t)errcap,
                     "symbol %s: quantity unit (%d decimals) or notional unit (%d decimals) finer than 1e-18, or too "
                     "coarse: balances are counted in 1e-18 of an asset",
                     r->symbol, r->lot.scale, r->tick.scale + r->lot.scale);
            return Q_E_PARSE;
        }
        if (accounts_asset(acc, r->base) < 0 || accounts_asset(acc, r->quote) < 0) {
            snprintf(err, (size_t)errcap, "symbol %s: assets %s/%s: bad name or more than %d assets", r->symbol,
                     r->base, r->quote, ASSET_MAX);
            return Q_E_PARSE;
        }
    }
    for (int i = 0; i < acc->n; i++) {
        account_t *x = &acc->a[i];
        int given[ASSET_MAX] = {0};
        memset(x->bal, 0, sizeof x->bal);
        const char *keys[2] = {"base_balance", "quote_balance"}, *vals[2] = {x->base_start, x->quote_start};
        for (int k = 0; k < 2; k++) {
            if (!vals[k][0]) continue;
            if (nrules < 1) {
                snprintf(err, (size_t)errcap, "[account %s] %s: no [market] symbol to name its asset", x->name, keys[k]);
                return Q_E_PARSE;
            }
            int id = accounts_asset_find(acc, k ? rules[0].quote : rules[0].base);
            __int128 v;
            const char *why = start_amount(vals[k], &v);
            if (why) {
                snprintf(err, (size_t)errcap, "[account %s] %s: %s", x->name, keys[k], why);
                return Q_E_PARSE;
            }
            x->bal[id].free = v;
            given[id] = k + 1;
        }
        for (int k = 0; k < x->nstart; k++) {
            int id = accounts_asset(acc, x->start[k].asset);
            if (id < 0) {
                snprintf(err, (size_t)errcap, "[account %s] balance.%s: too many assets (at most %d, the symbols' included)",
                         x->name, x->start[k].asset, ASSET_MAX);
                return Q_E_PARSE;
            }
            if (given[id]) {
                snprintf(err, (size_t)errcap, "[account %s] balance.%s: %s already gives the %s balance", x->name,
                         x->start[k].asset, keys[given[id] - 1], x->start[k].asset);
                return Q_E_PARSE;
            }
            x->bal[id].free = x->start[k].atto;
        }
        if (!x->hmac_key[0] && !x->ed_key[0]) {
            snprintf(err, (size_t)errcap, "[account %s]: no API key (hmac_api_key or ed25519_api_key)", x->name);
            return Q_E_PARSE;
        }
        if (x->hmac_key[0] && !x->hmac_secret[0]) {
            snprintf(err, (size_t)errcap, "[account %s]: hmac_api_key without hmac_secret_key", x->name);
            return Q_E_PARSE;
        }
        if (x->ed_key[0] && !x->ed_public_pem[0]) {
            snprintf(err, (size_t)errcap, "[account %s]: ed25519_api_key without ed25519_public_key", x->name);
            return Q_E_PARSE;
        }
    }
    return 0;
}

account_t *accounts_by_key(accounts_t *acc, const char *key, int *kind) {
    for (int i = 0; i < acc->n; i++) {
        if (acc->a[i].hmac_key[0] && !strcmp(acc->a[i].hmac_key, key)) { *kind = 1; return &acc->a[i]; }
        if (acc->a[i].ed_key[0] && !strcmp(acc->a[i].ed_key, key)) { *kind = 2; return &acc->a[i]; }
    }
    return 0;
}
