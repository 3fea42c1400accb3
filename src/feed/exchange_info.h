/* exchange_info.h: reads a symbol's rules from a GET /api/v3/exchangeInfo response.
 * Accepts today's filters (NOTIONAL) and older ones (MIN_NOTIONAL) alike. Cold path:
 * a general JSON parser (cJSON) does the reading. */
#ifndef Q_EXCHANGE_INFO_H
#define Q_EXCHANGE_INFO_H

#include <stddef.h>

#include "../core/symbol.h"

int exinfo_parse(const char *json, size_t n, const char *symbol, symbol_rules_t *r, char *err,
                 int errcap);
int exinfo_load(const char *path, const char *symbol, symbol_rules_t *r, char *err, int errcap);

#endif
