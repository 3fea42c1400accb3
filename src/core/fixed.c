/* fixed.c: exact decimal parsing and formatting (see fixed.h). */
#include "fixed.h"

#include <math.h>
#include <string.h>

#include "err.h"

static const int64_t pow10_tab[FX_MAX_SCALE + 1] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
    1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
    100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
    1000000000000000000LL};

int fx_unit_make(int scale, int64_t mult, fx_unit_t *u) {
    if (scale < 0 || scale > FX_MAX_SCALE || mult <= 0) return Q_E_INVAL;
    /* normalise: 0.10 is {1,1}, not {2,10} */
    while (scale > 0 && mult % 10 == 0) { mult /= 10; scale--; }
    u->scale = scale;
    u->mult = mult;
    u->value = (double)mult / (double)pow10_tab[scale];
    return 0;
}

int fx_unit_parse(const char *s, size_t n, fx_unit_t *u) {
    int64_t acc = 0;
    int scale = 0, seen_dot = 0, digits = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (seen_dot) return Q_E_PARSE;
            seen_dot = 1;
            continue;
        }
        if (c < '0' || c > '9') return Q_E_PARSE;
        if (acc > (INT64_MAX - 9) / 10) return Q_E_RANGE;
        acc = acc * 10 + (c - '0');
        digits++;
        if (seen_dot && ++scale > FX_MAX_SCALE) return Q_E_RANGE;
    }
    if (digits == 0) return Q_E_PARSE;
    if (acc == 0) return Q_E_INVAL;
    return fx_unit_make(scale, acc, u);
}

int fx_parse(const char *s, size_t n, const fx_unit_t *u, int64_t *out) {
    size_t i = 0;
    int neg = 0;
    if (n > 0 && (s[0] == '-' || s[0] == '+')) { neg = s[0] == '-'; i = 1; }
    if (i >= n) return Q_E_PARSE;
    int64_t acc = 0;
    int digits = 0;
    for (; i < n && s[i] != '.'; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9) return Q_E_PARSE;
        if (acc > (INT64_MAX - 9) / 10) return Q_E_RANGE;
        acc = acc * 10 + (int64_t)d;
        digits++;
    }
    int frac = 0;
    if (i < n) { /* s[i] == '.' */
        for (i++; i < n; i++) {
            unsigned d = (unsigned)(s[i] - '0');
            if (d > 9) return Q_E_PARSE;
            digits++;
            if (frac < u->scale) {
                if (acc > (INT64_MAX - 9) / 10) return Q_E_RANGE;
                acc = acc * 10 + (int64_t)d;
                frac++;
            } else if (d != 0) {
                return Q_E_INEXACT;
            }
        }
    }
    if (digits == 0) return Q_E_PARSE;
    if (frac < u->scale) {
        int64_t p = pow10_tab[u->scale - frac];
        if (acc > INT64_MAX / p) return Q_E_RANGE;
        acc *= p;
    }
    if (u->mult != 1) {
        if (acc % u->mult != 0) return Q_E_INEXACT;
        acc /= u->mult;
    }
    *out = neg ? -acc : acc;
    return 0;
}

int fx_format(int64_t v, const fx_unit_t *u, int min_decimals, char *buf, size_t cap) {
    char tmp[48];
    int neg = v < 0;
    uint64_t mag = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    if (mag > (uint64_t)INT64_MAX / (uint64_t)u->mult) return Q_E_RANGE;
    mag *= (uint64_t)u->mult;
    int dec = min_decimals > u->scale ? min_decimals : u->scale;
    if (dec > FX_MAX_SCALE) dec = FX_MAX_SCALE;
    int pad = dec - u->scale; /* extra zeros after the unit's own places */
    /* build right to left */
    int len = 0;
    for (int k = 0; k < pad; k++) tmp[len++] = '0';
    for (int k = 0; k < u->scale; k++) { tmp[len++] = (char)('0' + mag % 10); mag /= 10; }
    if (dec > 0) tmp[len++] = '.';
    do { tmp[len++] = (char)('0' + mag % 10); mag /= 10; } while (mag);
    if (neg) tmp[len++] = '-';
    if ((size_t)len + 1 > cap) return Q_E_RANGE;
    for (int k = 0; k < len; k++) buf[k] = tmp[len - 1 - k];
    buf[len] = '\0';
    return len;
}

double fx_to_double(int64_t v, const fx_unit_t *u) { return (double)v * u->value; }

int64_t fx_floor(double x, const fx_unit_t *u) {
    double q = x / u->value;
    return (int64_t)floor(q + 1e-12 * (fabs(q) > 1 ? fabs(q) : 1));
}

int64_t fx_ceil(double x, const fx_unit_t *u) {
    double q = x / u->value;
    return (int64_t)ceil(q - 1e-12 * (fabs(q) > 1 ? fabs(q) : 1));
}
