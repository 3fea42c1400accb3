/* fixed.h: exact decimal <-> integer conversion for prices and quantities.
 *
 * A price or quantity is an int64 count of a unit (the symbol's tick size or step size).
 * A unit is `mult * 10^-scale`: tick 0.01 is {scale 2, mult 1}, tick 0.05 is {2, 5},
 * tick 10 is {0, 10}. Parsing a Binance decimal string gives the exact count, or
 * Q_E_INEXACT when the string is not a whole number of units; formatting prints the
 * exact decimal back. Doubles only appear in the explicit rounding helpers, which the
 * strategies use (bids round down, asks round up). */
#ifndef Q_FIXED_H
#define Q_FIXED_H

#include <stddef.h>
#include <stdint.h>

#define FX_MAX_SCALE 18

typedef struct fx_unit {
    int scale;      /* decimal places of the unit (0..18) */
    int64_t mult;   /* the unit in units of 10^-scale; > 0 */
    double value;   /* mult * 10^-scale, for reports and strategy math */
} fx_unit_t;

/* Parses a unit such as "0.01000000" or "10". Zero or negative units are rejected. */
int fx_unit_parse(const char *s, size_t n, fx_unit_t *u);
int fx_unit_make(int scale, int64_t mult, fx_unit_t *u);

/* Parses an optionally signed decimal ("61837.63000000") into a count of units. */
int fx_parse(const char *s, size_t n, const fx_unit_t *u, int64_t *out);

/* Formats a count of units as a decimal with at least the unit's decimal places
 * (more if `min_decimals` asks: Binance prints 8). Returns the length written,
 * or a negative error when `cap` is too small. Always NUL-terminates on success. */
int fx_format(int64_t v, const fx_unit_t *u, int min_decimals, char *buf, size_t cap);

double fx_to_double(int64_t v, const fx_unit_t *u);
/* Rounds a real number to a count of units: down (bids, sizes) or up (asks). A relative
 * tolerance of 1e-12 absorbs binary floating-point noise such as 6183762.9999999. */
int64_t fx_floor(double x, const fx_unit_t *u);
int64_t fx_ceil(double x, const fx_unit_t *u);

#endif
