/* exchange_info.h: reads a symbol's rules from a GET /api/v3/exchangeInfo response.
 * Accepts today's filters (NOTIONAL) and older ones (MIN_NOTIONAL) alike. Cold path:
 * a general JSON parser (cJSON) does the reading.
 *
 * In two steps: the symbol's entry as the decimal strings it prints (exinfo_entry_t), then
 * those in integer units (exinfo_entry_rules). The config's precedence works between the
 * two: a recording's own exchangeInfo line gives the entry, the [market] keys a config gives
 * replace its strings one by one (config_market_rules_rec). */
#ifndef Q_EXCHANGE_INFO_H
#define Q_EXCHANGE_INFO_H

#include <stddef.h>

#include "../core/symbol.h"

/* One symbol's entry, as printed; an empty string is a filter field the entry does not give
   (0 = off once converted). */
typedef struct exinfo_entry {
    char symbol[24], status[24], base[16], quote[16];
    char tick[40], step[40];                 /* PRICE_FILTER.tickSize, LOT_SIZE.stepSize */
    char min_price[40], max_price[40];       /* PRICE_FILTER */
    char min_qty[40], max_qty[40];           /* LOT_SIZE */
    char min_notional[40], max_notional[40]; /* NOTIONAL or MIN_NOTIONAL */
    int notional_applies;                    /* applyMinToMarket / applyToMarket */
    int max_num_orders;                      /* MAX_NUM_ORDERS; 0 = unknown */
} exinfo_entry_t;

/* The entry of `symbol` in a response: 0, Q_E_NOTFOUND when the response has no such symbol,
   Q_E_PARSE when it is not JSON; err says why. */
int exinfo_entry_parse(const char *json, size_t n, const char *symbol, exinfo_entry_t *e, char *err, int errcap);
/* The entry in integer units: units first (tick, step), then every bound counted in them. */
int exinfo_entry_rules(const exinfo_entry_t *e, symbol_rules_t *r, char *err, int errcap);

/* Both steps. */
int exinfo_parse(const char *json, size_t n, const char *symbol, symbol_rules_t *r, char *err,
                 int errcap);
int exinfo_load(const char *path, const char *symbol, symbol_rules_t *r, char *err, int errcap);

/* What differs between two symbols' rules, as exchangeInfo names it ("tickSize 0.01 -> 0.1,
   minNotional 10 -> 5") into buf; returns how many fields differ (0: the same rules). */
int exinfo_rules_diff(const symbol_rules_t *a, const symbol_rules_t *b, char *buf, size_t cap);

#endif
