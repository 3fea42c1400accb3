/* account.h: the local exchange's accounts: API keys (HMAC and Ed25519), balances and fee
 * rates, loaded from an INI file whose [account NAME] sections sit beside the usual
 * [market] section (examples/exchange.ini). Balances are exact integers: base in lots,
 * quote in tick*lot units, each split into free and locked. Fee rates have at most 8
 * decimals (as Binance prints them); commissions are whole 1e-8 of the asset charged
 * (matching.h), which both units hold for every symbol whose tick is a power of ten. */
#ifndef Q_ACCOUNT_H
#define Q_ACCOUNT_H

#include <stdint.h>

#include "../config/config.h"

#define ACCOUNT_MAX 16

typedef struct account {
    char name[32];
    char hmac_key[80], hmac_secret[80];
    char ed_key[80];
    char ed_public_pem[256];   /* PEM, built from the one-line base64 body in the file */
    int64_t base_free, base_locked;
    __int128 quote_free, quote_locked;
    double maker_fee, taker_fee;
    char base_start[32], quote_start[32]; /* as written, resolved once the rules are known */
    int64_t open_orders;
} account_t;

typedef struct accounts {
    account_t a[ACCOUNT_MAX];
    int n;
} accounts_t;

/* Loads the file: [account NAME] sections into `acc`, every other section into `cfg`
   (like -c). 0 or an error in err (file:line: key: why). */
int accounts_load(accounts_t *acc, config_t *cfg, const char *path, char *err, int errcap);
/* Converts the starting balances once the symbol's units are known. */
int accounts_resolve(accounts_t *acc, const symbol_rules_t *r, char *err, int errcap);
/* The account owning an API key, and which kind of key it is (1 HMAC, 2 Ed25519). */
account_t *accounts_by_key(accounts_t *acc, const char *api_key, int *kind);

#endif
