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
        for (int i = 0; i <= 38; i++) {
            tab[i] = p;
            if (i < 38)
                p *= 10;
        }
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

/* ---- exact wide arithmetic (256-bit magnitudes) for + - * / % on DECIMAL ---- */

typedef struct u256 {
    uint64_t w[4]; /* little-endian limbs */
} u256_t;

static u256_t u256_from(unsigned __int128 v)
{
    u256_t r = {{(uint64_t)v, (uint64_t)(v >> 64), 0, 0}};
    return r;
}

static bool u256_is_zero(const u256_t *a)
{
    return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0;
}

static int u256_cmp(const u256_t *a, const u256_t *b)
{
    for (int i = 3; i >= 0; i--)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

static bool u256_add(u256_t *a, const u256_t *b)
{
    unsigned __int128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (unsigned __int128)a->w[i] + b->w[i];
        a->w[i] = (uint64_t)c;
        c >>= 64;
    }
    return c == 0;
}

static void u256_sub(u256_t *a, const u256_t *b) /* a >= b */
{
    __int128 br = 0;
    for (int i = 0; i < 4; i++) {
        __int128 d = (__int128)a->w[i] - b->w[i] - br;
        br = d < 0;
        a->w[i] = (uint64_t)(d + (br ? ((__int128)1 << 64) : 0));
    }
}

/* a *= m (m < 2^64); false on overflow. */
static bool u256_mul_small(u256_t *a, uint64_t m)
{
    unsigned __int128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (unsigned __int128)a->w[i] * m;
        a->w[i] = (uint64_t)c;
        c >>= 64;
    }
    return c == 0;
}

/* a /= d (d < 2^64), returns the remainder. */
static uint64_t u256_div_small(u256_t *a, uint64_t d)
{
    unsigned __int128 r = 0;
    for (int i = 3; i >= 0; i--) {
        r = r << 64 | a->w[i];
        a->w[i] = (uint64_t)(r / d);
        r %= d;
    }
    return (uint64_t)r;
}

static bool u256_mul_pow10(u256_t *a, int k)
{
    for (; k > 0; k -= 19)
        if (!u256_mul_small(a, (uint64_t)lh_dec_pow10(k > 19 ? 19 : k)))
            return false;
    return true;
}

static u256_t u256_mul128(unsigned __int128 a, unsigned __int128 b)
{
    uint64_t x[2] = {(uint64_t)a, (uint64_t)(a >> 64)}, y[2] = {(uint64_t)b, (uint64_t)(b >> 64)};
    u256_t r = {{0, 0, 0, 0}};
    for (int i = 0; i < 2; i++) {
        unsigned __int128 c = 0;
        for (int j = 0; j < 2; j++) {
            c += (unsigned __int128)x[i] * y[j] + r.w[i + j];
            r.w[i + j] = (uint64_t)c;
            c >>= 64;
        }
        r.w[i + 2] = (uint64_t)c;
    }
    return r;
}

/* q = a / b, r = a % b by shift-subtract (b != 0). */
static void u256_divmod(const u256_t *a, const u256_t *b, u256_t *q, u256_t *r)
{
    u256_t quo = {{0, 0, 0, 0}}, rem = {{0, 0, 0, 0}};
    for (int bit = 255; bit >= 0; bit--) {
        for (int i = 3; i > 0; i--)
            rem.w[i] = rem.w[i] << 1 | rem.w[i - 1] >> 63;
        rem.w[0] = rem.w[0] << 1 | ((a->w[bit / 64] >> (bit % 64)) & 1);
        if (u256_cmp(&rem, b) >= 0) {
            u256_sub(&rem, b);
            quo.w[bit / 64] |= 1ULL << (bit % 64);
        }
    }
    *q = quo, *r = rem;
}

/* Round |v| / 10^k HALF_UP. */
static void u256_round_div_pow10(u256_t *v, int k)
{
    if (k <= 0)
        return;
    /* divide by 10^(k-1) (truncating, remembering whether anything was dropped is not
     * needed for HALF_UP), then by 10 and look at the last digit */
    for (int left = k - 1; left > 0; left -= 19)
        u256_div_small(v, (uint64_t)lh_dec_pow10(left > 19 ? 19 : left));
    uint64_t last = u256_div_small(v, 10);
    if (last >= 5) {
        u256_t one = u256_from(1);
        u256_add(v, &one);
    }
}

static size_t u256_format(u256_t v, bool neg, int scale, char *buf, size_t cap)
{
    char digits[96];
    int n = 0;
    do
        digits[n++] = (char)('0' + u256_div_small(&v, 10));
    while (!u256_is_zero(&v) && n < 95);
    while (n <= scale && n < 95)
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

static unsigned __int128 mag(lh_i128 v)
{
    return v < 0 ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
}

int lh_dec_arith(lh_dec_op op, lh_i128 a, int sa, lh_i128 b, int sb, int rs, int rp, lh_i128 *out,
                 char *text, size_t cap)
{
    bool na = a < 0, nb = b < 0, neg;
    u256_t x = u256_from(mag(a)), y = u256_from(mag(b)), r;
    int s; /* scale of the exact result in r */
    if (op == LH_DEC_ADD || op == LH_DEC_SUB || op == LH_DEC_MOD || op == LH_DEC_PMOD) {
        s = sa > sb ? sa : sb;
        if (!u256_mul_pow10(&x, s - sa) || !u256_mul_pow10(&y, s - sb))
            return 1;
        if (op == LH_DEC_SUB)
            nb = !nb;
        if (op == LH_DEC_MOD || op == LH_DEC_PMOD) {
            if (u256_is_zero(&y))
                return 2;
            u256_t q;
            u256_divmod(&x, &y, &q, &r);
            neg = na && !u256_is_zero(&r);  /* the remainder takes the dividend's sign */
            if (op == LH_DEC_PMOD && neg) { /* (r + |n|) % |n| when n > 0; Spark: r + n */
                u256_t t = y;
                u256_sub(&t, &r);
                r = t;
                neg = nb;
            }
        } else if (na == nb) {
            r = x;
            if (!u256_add(&r, &y))
                return 1;
            neg = na;
        } else if (u256_cmp(&x, &y) >= 0) {
            r = x, u256_sub(&r, &y), neg = na;
        } else {
            r = y, u256_sub(&r, &x), neg = nb;
        }
    } else if (op == LH_DEC_MUL) {
        r = u256_mul128(mag(a), mag(b));
        s = sa + sb;
        neg = na != nb;
    } else { /* DIV: |a| * 10^k / |b| with one guard digit, then HALF_UP */
        if (u256_is_zero(&y))
            return 2;
        int k = rs - sa + sb + 1;
        if (k < 0) {
            u256_round_div_pow10(&x, -k); /* rare: huge divisor scale */
            k = 0;
        }
        if (!u256_mul_pow10(&x, k))
            return 1;
        u256_t rem;
        u256_divmod(&x, &y, &r, &rem);
        s = rs + 1;
        neg = na != nb;
    }
    if (rs < s)
        u256_round_div_pow10(&r, s - rs);
    else if (!u256_mul_pow10(&r, rs - s))
        return 1;
    u256_t lim = u256_from((unsigned __int128)lh_dec_pow10(rp));
    if (u256_cmp(&r, &lim) >= 0) {
        if (text)
            u256_format(r, neg && !u256_is_zero(&r), rs, text, cap);
        return 3;
    }
    lh_i128 v = (lh_i128)(((unsigned __int128)r.w[1] << 64) | r.w[0]);
    *out = neg ? -v : v;
    return 0;
}
