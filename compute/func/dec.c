/*
 * dec.c - DECIMAL helpers (see dec.h): powers of ten, rescaling with HALF_UP/HALF_EVEN,
 * text in and out, and conversion from double through its shortest decimal form (what
 * Java's Double.toString gives, which is what Spark's Decimal(double) sees).
 */
#include "compute/func/dec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

lh_i128 lh_dec_pow10(int n)
{
    static lh_i128 tab[39];
    static int ready;
    if (!ready) { /* benign race: every thread writes the same values */
        lh_i128 p = 1;
        for (int i = 0; i <= 38; i++, p *= 10)
            tab[i] = p;
        ready = 1;
    }
    return n < 0 ? 1 : n > 38 ? tab[38] : tab[n];
}

bool lh_dec_fits(lh_i128 v, int precision)
{
    lh_i128 lim = lh_dec_pow10(precision);
    return v < lim && v > -lim;
}

int lh_dec_digits(lh_i128 v)
{
    if (v < 0)
        v = -v;
    int d = 1;
    while (d < 39 && v >= lh_dec_pow10(d))
        d++;
    return d;
}

bool lh_dec_rescale(lh_i128 v, int from, int to, bool half_even, lh_i128 *out)
{
    if (to >= from) {
        int k = to - from;
        if (k > 38)
            return v == 0 ? (*out = 0, true) : false;
        lh_i128 m = lh_dec_pow10(k);
        lh_i128 lim = (((lh_i128)1) << 126) / m;
        if (v > lim || v < -lim)
            return false;
        *out = v * m;
        return true;
    }
    int k = from - to;
    if (k > 38) {
        *out = 0;
        return true;
    }
    lh_i128 m = lh_dec_pow10(k), q = v / m, r = v % m;
    lh_i128 ar = r < 0 ? -r : r, half = m / 2;
    bool up = ar > half || (ar == half && (!half_even || (q % 2) != 0));
    if (up)
        q += v < 0 ? -1 : 1;
    *out = q;
    return true;
}

size_t lh_dec_format(lh_i128 v, int scale, char *buf, size_t cap)
{
    char digits[48];
    int n = 0;
    bool neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    do {
        digits[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u > 0);
    while (n <= scale)
        digits[n++] = '0';
    size_t o = 0;
    if (neg && o + 1 < cap)
        buf[o++] = '-';
    for (int i = n - 1; i >= 0 && o + 2 < cap; i--) {
        buf[o++] = digits[i];
        if (i == scale && scale > 0)
            buf[o++] = '.';
    }
    buf[o] = '\0';
    return o;
}

bool lh_dec_parse(const char *s, size_t n, lh_i128 *unscaled, int *scale, int *precision)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    lh_i128 v = 0;
    int digits = 0, frac = 0, total = 0;
    bool seen_dot = false;
    for (; i < n; i++) {
        if (s[i] == '.' && !seen_dot) {
            seen_dot = true;
            continue;
        }
        if (s[i] < '0' || s[i] > '9')
            break;
        total++;
        if (digits > 0 || s[i] != '0')
            digits++;
        if (digits > 38)
            return false;
        v = v * 10 + (s[i] - '0');
        if (seen_dot)
            frac++;
    }
    if (total == 0)
        return false;
    long exp = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        if (i >= n)
            return false;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (exp < 100000)
                exp = exp * 10 + (s[i] - '0');
        if (eneg)
            exp = -exp;
    }
    if (i != n)
        return false;
    *unscaled = neg ? -v : v;
    *scale = frac - (int)exp;
    int p = digits == 0 ? 1 : digits;
    *precision = p;
    return true;
}

bool lh_dec_from_double(double d, int scale, int precision, lh_i128 *out)
{
    if (!isfinite(d))
        return false;
    char buf[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    lh_i128 u;
    int sc, pr;
    if (!lh_dec_parse(buf, strlen(buf), &u, &sc, &pr))
        return false;
    if (sc < -38 || !lh_dec_rescale(u, sc, scale, false, out))
        return false;
    return lh_dec_fits(*out, precision);
}

double lh_dec_to_double(lh_i128 v, int scale)
{
    char buf[64];
    lh_dec_format(v, scale, buf, sizeof buf);
    return strtod(buf, NULL);
}
