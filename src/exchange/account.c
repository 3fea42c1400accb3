/* account.c: accounts of the local exchange (see account.h). */
#include "account.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"

typedef struct load {
    accounts_t *acc;
    config_t *cfg;
    char *err;
    int errcap, failed;
} load_t;

static int on_ini(void *user, const char *section, const char *name, const char *value) {
    load_t *l = user;
    if (l->failed) return 0;
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
        snprintf(x->base_start, sizeof x->base_start, "0");
        snprintf(x->quote_start, sizeof x->quote_start, "0");
    }
    struct { const char *key; char *dst; size_t cap; } strs[] = {
        {"hmac_api_key", x->hmac_key, sizeof x->hmac_key},
        {"hmac_secret_key", x->hmac_secret, sizeof x->hmac_secret},
        {"ed25519_api_key", x->ed_key, sizeof x->ed_key},
        {"base_balance", x->base_start, sizeof x->base_start},
        {"quote_balance", x->quote_start, sizeof x->quote_start},
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
    snprintf(l->err, (size_t)l->errcap, "[account %s] %s: unknown key or bad value", aname, name);
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

int accounts_resolve(accounts_t *acc, const symbol_rules_t *r, char *err, int errcap) {
    for (int i = 0; i < acc->n; i++) {
        account_t *x = &acc->a[i];
        if (fx_parse(x->base_start, strlen(x->base_start), &r->lot, &x->base_free) || x->base_free < 0 ||
            symbol_notional_parse(r, x->quote_start, &x->quote_free) || x->quote_free < 0) {
            snprintf(err, (size_t)errcap, "[account %s]: base_balance/quote_balance must be non-negative decimals",
                     x->name);
            return Q_E_PARSE;
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
