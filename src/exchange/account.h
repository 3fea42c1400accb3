/* account.h: the local exchange's accounts: API keys (HMAC and Ed25519), balances and fee
 * rates, loaded from an INI file whose [account NAME] sections sit beside the usual
 * [market] section (examples/exchange.ini).
 *
 * Balances are per ASSET, shared by every symbol that trades it (BTC is the base of
 * BTCUSDT and the quote of ETHBTC: one balance). Assets are registered by name in the
 * accounts_t (ids 0..nassets-1, at most ASSET_MAX, names up to ASSET_NAME_MAX chars), and
 * every account holds {free, locked} per asset id in ONE exact unit for every asset:
 * the atto, 1e-18 of the asset, in __int128. A symbol's lot (base quantity unit) and
 * tick*lot unit (a notional) are whole numbers of atto whenever their decimal scale is at
 * most 18 (accounts_units; a symbol with finer units is refused), so each matching_t
 * converts its symbol units at the account boundary exactly (matching.h).
 *
 * Every amount an account holds stays within ACCOUNT_AMOUNT_MAX (10^18 whole units of the
 * asset): starting balances are refused beyond it, deposits (accounts_credit) beyond the
 * smaller ACCOUNT_DEPOSIT_MAX, and the matching refuses an order whose fills could take
 * free + locked + incoming past it (MAX_POSITION), so every sum over balances is far inside
 * 128 bits.
 *
 * Fee rates have at most 8 decimals (as Binance prints them); commissions are whole 1e-8 of
 * the asset charged (matching.h), so with balances held and printed to 8 decimals (starting
 * balances and deposits have at most 8) what is charged is exactly what is printed. */
#ifndef Q_ACCOUNT_H
#define Q_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "../config/config.h"

#define ACCOUNT_MAX 16
#define ASSET_MAX 32
#define ASSET_NAME_MAX 15
#define ACCOUNT_ATTO ((__int128)1000000000000000000LL)                /* atto in one unit */
#define ACCOUNT_AMOUNT_MAX (ACCOUNT_ATTO * (__int128)1000000000000000000LL) /* 10^18 units */
/* deposits stop where a client counting 1e-8 of the asset in 64 bits would: INT64_MAX units
   of 1e-8 (92233720368.54775807) held in all (free + locked + incoming) */
#define ACCOUNT_DEPOSIT_MAX ((__int128)INT64_MAX * 10000000000LL)

typedef struct balance {
    __int128 free, locked;   /* atto */
    __int128 incoming;       /* atto that live orders may still bring (gross of fees; the
                                MAX_POSITION guard: free + locked + incoming <= ACCOUNT_AMOUNT_MAX
                                when an order is placed) */
} balance_t;

typedef struct account {
    char name[32];
    char hmac_key[80], hmac_secret[80];
    char ed_key[80];
    char ed_public_pem[256];   /* PEM, built from the one-line base64 body in the file */
    balance_t bal[ASSET_MAX];  /* by asset id */
    double maker_fee, taker_fee;
    /* fees paid in BNB (Binance's "use BNB to pay for fees", 25% off): BNB valued at this
       price in each symbol's quote asset (atto of quote per BNB; 0: fees in the received
       asset). A fill is charged in the received asset when the BNB balance is short. */
    __int128 bnb_fee_price;
    /* starting balances as read, resolved by accounts_resolve: base_balance/quote_balance
       as written (the default symbol's assets), balance.ASSET already parsed */
    char base_start[48], quote_start[48];
    struct { char asset[ASSET_NAME_MAX + 1]; __int128 atto; } start[ASSET_MAX];
    int nstart;
} account_t;

typedef struct accounts {
    account_t a[ACCOUNT_MAX];
    int n;
    char asset[ASSET_MAX][ASSET_NAME_MAX + 1]; /* the asset registry: names by id */
    int nassets;
    /* [symbol NAME] sections, which the exchange reads itself (listing.h): each key is given
       to this hook (0, or an error in err) rather than to the config */
    int (*symbol_key)(void *ctx, const char *section, const char *key, const char *value, char *err, int errcap);
    void *symbol_ctx;
} accounts_t;

/* Loads the file: [account NAME] sections into `acc`, [symbol NAME] sections to
   acc->symbol_key when set, every other section into `cfg` (like -c). Account keys: hmac_api_key, hmac_secret_key, ed25519_api_key,
   ed25519_public_key, maker_fee, taker_fee, bnb_fee_price, base_balance and quote_balance (the [market]
   symbol's base and quote), balance.ASSET (any asset, e.g. balance.ETH = 10). Amounts are
   non-negative decimals with at most 8 decimals. 0 or an error in err (file:line: key: why). */
int accounts_load(accounts_t *acc, config_t *cfg, const char *path, char *err, int errcap);
/* Registers the assets of the symbols (rules[0..n), each's base then quote, in order; rules[0]
   is the default ([market]) symbol that base_balance/quote_balance refer to), then the
   balance.ASSET ones, and sets every account's starting balances. Refuses a symbol whose
   units are finer than 1e-18 (accounts_units), more than ASSET_MAX assets, an asset given
   twice (base_balance and balance.BTC), and accounts without a usable key. 0 or Q_E_PARSE
   with err "[account NAME] key: why" (or "symbol S: why"). */
int accounts_resolve(accounts_t *acc, const symbol_rules_t *rules, int nrules, char *err, int errcap);
/* The account owning an API key, and which kind of key it is (1 HMAC, 2 Ed25519). */
account_t *accounts_by_key(accounts_t *acc, const char *api_key, int *kind);

/* Asset registry. accounts_asset: the id of `name`, registering it when new; -1 when the
   registry is full or the name is not an asset name (1..15 bytes, no space, control
   character, '"' or '\\'). accounts_asset_find: the id, or -1 when not registered.
   accounts_asset_name: the name of an id, NULL when out of range. */
int accounts_asset(accounts_t *acc, const char *name);
int accounts_asset_find(const accounts_t *acc, const char *name);
const char *accounts_asset_name(const accounts_t *acc, int id);

/* A symbol's units in atto: *atto_lot per lot of base, *atto_tick_lot per tick*lot unit of
   quote (a notional). 0, or Q_E_RANGE when a unit is finer than 1e-18 (lot scale, or tick
   scale + lot scale, above 18) or too coarse to count in atto. */
int accounts_units(const symbol_rules_t *r, __int128 *atto_lot, __int128 *atto_tick_lot);

/* An amount in atto as Binance prints balances: 8 decimals, truncated toward zero, '-' when
   negative (not for an amount that truncates to zero). Returns the length, or Q_E_RANGE when
   cap is too small (48 always suffices); buf is NUL-terminated on success. */
int accounts_format(__int128 atto, char *buf, size_t cap);
/* Parses a decimal ("-12.5", "0.00000001", "3") exactly into atto. Returns the number of
   decimals written (0..18: more than 8 is exact but finer than balances are printed; an
   admin delta answers -1111 then), or Q_E_INEXACT when it has more than 18 decimals,
   Q_E_PARSE when it is not [-]digits[.digits], Q_E_RANGE beyond +-ACCOUNT_AMOUNT_MAX. */
int accounts_parse(const char *decimal, __int128 *atto);

/* A deposit (delta > 0) or withdrawal (delta < 0): free += delta. 0, or Q_E_STATE when free
   would go below zero (insufficient balance), Q_E_RANGE when a deposit would take free +
   locked + incoming past ACCOUNT_DEPOSIT_MAX, Q_E_INVAL for a bad account or asset id.
   Nothing changes on error. */
int accounts_credit(accounts_t *acc, int a, int asset, __int128 delta);

#endif
