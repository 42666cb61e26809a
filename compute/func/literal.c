/*
 * literal.c - literal text to values (see literal.h): numeric literals with Spark's typing
 * and suffixes, typed literals, and ANSI interval literals in both the qualified form
 * ('1-2' YEAR TO MONTH) and the unit-list form (2 years 4 months).
 */
#include "compute/func/literal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/func/datetime.h"
#include "compute/func/dec.h"
#include "compute/func/fn.h"

/* ---- numbers ---- */

static lh_err range_error(const char *raw, const char *type, const char *min, const char *max,
                          lh_errbuf *eb)
{
    return lh_sqlerr(eb, "INVALID_NUMERIC_LITERAL_RANGE", "rawStrippedQualifier", raw, "typeName",
                     type, "minValue", min, "maxValue", max, NULL);
}

static lh_err suffixed_int(const char *raw, size_t n, char suf, lh_value_t *out, lh_errbuf *eb)
{
    lh_i128 u;
    int sc, pr;
    char txt[64];
    snprintf(txt, sizeof txt, "%.*s", (int)n, raw);
    struct {
        char suf;
        lh_type_id id;
        const char *name, *min, *max;
        int64_t lo, hi;
    } kinds[] = {{'Y', LH_TYPE_BYTE, "tinyint", "-128", "127", INT8_MIN, INT8_MAX},
                 {'S', LH_TYPE_SHORT, "smallint", "-32768", "32767", INT16_MIN, INT16_MAX},
                 {'L', LH_TYPE_LONG, "bigint", "-9223372036854775808", "9223372036854775807",
                  INT64_MIN, INT64_MAX}};
    for (int k = 0; k < 3; k++) {
        if (kinds[k].suf != suf)
            continue;
        if (!lh_dec_parse(raw, n, &u, &sc, &pr) || sc != 0 || u < kinds[k].lo || u > kinds[k].hi)
            return range_error(txt, kinds[k].name, kinds[k].min, kinds[k].max, eb);
        *out = (lh_value_t){.type = fn_type(kinds[k].id), .v.i64 = (int64_t)u};
        return LH_OK;
    }
    return LH_E_INVALID;
}

static lh_err decimal_literal(const char *raw, size_t n, lh_value_t *out, lh_errbuf *eb)
{
    lh_i128 u;
    int sc, pr;
    if (!lh_dec_parse(raw, n, &u, &sc, &pr)) {
        char p[16];
        snprintf(p, sizeof p, "%d", 39);
        return lh_sqlerr(eb, "DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION", "precision", p,
                         "maxPrecision", "38", NULL);
    }
    if (sc < 0) { /* 1e3BD: scale 0 */
        if (!lh_dec_rescale(u, sc, 0, false, &u))
            return lh_sqlerr(eb, "DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION", "precision", "39",
                             "maxPrecision", "38", NULL);
        sc = 0;
    }
    int digits = lh_dec_digits(u);
    int prec = digits > sc ? digits : sc;
    if (prec > 38) {
        char p[16];
        snprintf(p, sizeof p, "%d", prec);
        return lh_sqlerr(eb, "DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION", "precision", p,
                         "maxPrecision", "38", NULL);
    }
    out->type = lh_type_decimal(prec, sc);
    out->is_null = false;
    if (prec > 18)
        out->v.i128 = u;
    else
        out->v.i64 = (int64_t)u;
    return LH_OK;
}

lh_err lh_literal_number(const char *text, lh_value_t *out, lh_errbuf *eb)
{
    size_t n = strlen(text);
    memset(out, 0, sizeof *out);
    LH_FAIL_IF(n == 0, LH_E_INVALID, eb, "empty numeric literal");
    char last = (char)toupper((unsigned char)text[n - 1]);
    if (n >= 2 && toupper((unsigned char)text[n - 2]) == 'B' && last == 'D')
        return decimal_literal(text, n - 2, out, eb);
    if (last == 'Y' || last == 'S' || last == 'L')
        return suffixed_int(text, n - 1, last, out, eb);
    if (last == 'D' || last == 'F' || strpbrk(text, "eE") != NULL) {
        bool f = last == 'F';
        out->type = fn_type(f ? LH_TYPE_FLOAT : LH_TYPE_DOUBLE);
        out->v.f64 = strtod(text, NULL);
        if (f)
            out->v.f64 = (float)out->v.f64;
        if (isinf(out->v.f64)) {
            char raw[64];
            snprintf(raw, sizeof raw, "%.*s", (int)(n - (last == 'D' || f)), text);
            return f ? range_error(raw, "float", "-3.4028234663852886E+38",
                                   "3.4028234663852886E+38", eb)
                     : range_error(raw, "double", "-1.7976931348623157E+308",
                                   "1.7976931348623157E+308", eb);
        }
        return LH_OK;
    }
    if (strchr(text, '.') != NULL)
        return decimal_literal(text, n, out, eb);
    lh_i128 u;
    int sc, pr;
    if (lh_dec_parse(text, n, &u, &sc, &pr) && u >= INT32_MIN && u <= INT32_MAX) {
        *out = (lh_value_t){.type = fn_type(LH_TYPE_INT), .v.i64 = (int64_t)u};
        return LH_OK;
    }
    if (lh_dec_parse(text, n, &u, &sc, &pr) && u >= INT64_MIN && u <= INT64_MAX) {
        *out = (lh_value_t){.type = fn_type(LH_TYPE_LONG), .v.i64 = (int64_t)u};
        return LH_OK;
    }
    return decimal_literal(text, n, out, eb);
}

/* ---- typed literals ---- */

static lh_err typed_error(const char *kind, const char *value, lh_errbuf *eb)
{
    char t[48], v[300];
    snprintf(t, sizeof t, "\"%s\"", kind);
    snprintf(v, sizeof v, "'%.280s'", value);
    return lh_sqlerr(eb, "INVALID_TYPED_LITERAL", "valueType", t, "value", v, NULL);
}

static int hexval(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

lh_err lh_literal_typed(const char *kind, const char *value, const lh_sql_conf_t *conf,
                        lh_arena_t *arena, lh_value_t *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    size_t n = strlen(value);
    if (strcasecmp(kind, "DATE") == 0) {
        int32_t d;
        if (!lh_dt_parse_date(value, n, &d))
            return typed_error("DATE", value, eb);
        out->type = fn_type(LH_TYPE_DATE);
        out->v.i64 = d;
        return LH_OK;
    }
    bool ntz = strcasecmp(kind, "TIMESTAMP_NTZ") == 0;
    if (ntz || strcasecmp(kind, "TIMESTAMP") == 0 || strcasecmp(kind, "TIMESTAMP_LTZ") == 0) {
        int64_t us;
        int32_t today = (int32_t)lh_floordiv(fn_now_us(conf), LH_US_PER_DAY);
        if (!lh_dt_parse_timestamp(value, n, fn_tz(conf), ntz, today, &us))
            return typed_error(ntz ? "TIMESTAMP_NTZ" : "TIMESTAMP", value, eb);
        out->type = fn_type(ntz ? LH_TYPE_TIMESTAMP_NTZ : LH_TYPE_TIMESTAMP);
        out->v.i64 = us;
        return LH_OK;
    }
    if (strcasecmp(kind, "X") == 0) {
        uint8_t *b = lh_arena_alloc(arena, n / 2 + 2);
        size_t o = 0, i = 0;
        if (n % 2) { /* odd length: a leading zero nibble */
            int v = hexval(value[0]);
            if (v < 0)
                return typed_error("X", value, eb);
            b[o++] = (uint8_t)v;
            i = 1;
        }
        for (; i + 1 < n + 1 && i < n; i += 2) {
            int h = hexval(value[i]), l = hexval(value[i + 1]);
            if (h < 0 || l < 0)
                return typed_error("X", value, eb);
            b[o++] = (uint8_t)(h * 16 + l);
        }
        out->type = fn_type(LH_TYPE_BINARY);
        out->v.str = (lh_sv_t){b, (uint32_t)o};
        return LH_OK;
    }
    if (strcasecmp(kind, "INTERVAL") == 0)
        return lh_literal_interval(value, out, eb);
    LH_FAIL(LH_E_UNSUPPORTED, eb, "typed literal %s is not supported", kind);
}

/* ---- intervals ---- */

/* fields: YEAR=0 MONTH=1 (ym) / DAY=0 HOUR=1 MINUTE=2 SECOND=3 (dt) */
static int field_of(const char *w, size_t n, bool *ym)
{
    static const char *const names[] = {"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};
    for (int k = 0; k < 6; k++) {
        size_t l = strlen(names[k]);
        if ((n == l || (n == l + 1 && (w[l] == 's' || w[l] == 'S'))) &&
            strncasecmp(w, names[k], l) == 0) {
            *ym = k < 2;
            return k < 2 ? k : k - 2;
        }
    }
    return -1;
}

static const int64_t DT_US[] = {86400000000LL, 3600000000LL, 60000000LL, 1000000LL};

/* Why parse_fields failed: the text does not match the form, the YEAR TO MONTH total
 * overflows an int, or the leading day-time field is beyond what a BIGINT of
 * microseconds holds (Spark's "requirement failed: day 106751992 outside range"). */
typedef enum { PF_OK, PF_FORMAT, PF_OVERFLOW, PF_RANGE } pf_rc;
static const int64_t DT_MAX[] = {106751991LL, 2562047788LL, 153722867280LL, 9223372036854LL};

static pf_rc parse_fields_rc(const char *s, size_t n, bool ym, int start, int end, int64_t *out,
                             int64_t *bad);

/* Parse "[+-]a[sep b[sep c[sep d]]]" per the fields start..end into a value. */
static bool parse_fields(const char *s, size_t n, bool ym, int start, int end, int64_t *out)
{
    int64_t bad;
    return parse_fields_rc(s, n, ym, start, end, out, &bad) == PF_OK;
}

static pf_rc parse_fields_rc(const char *s, size_t n, bool ym, int start, int end, int64_t *out,
                             int64_t *bad)
{
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    while (n > i && isspace((unsigned char)s[n - 1]))
        n--;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    __int128 total = 0;
    for (int f = start; f <= end; f++) {
        if (f > start) {
            char sep = ym ? '-' : (f == 1 ? ' ' : ':');
            if (i >= n || s[i] != sep)
                return PF_FORMAT;
            i++;
        }
        __int128 v = 0;
        size_t st = i;
        while (i < n && isdigit((unsigned char)s[i]) && i - st < 19)
            v = v * 10 + (s[i++] - '0');
        if (i == st)
            return PF_FORMAT;
        if (f > start && ((ym && v > 11) || (!ym && f == 1 && v > 23) || (!ym && f > 1 && v > 59)))
            return PF_FORMAT;
        if (f == start && !ym && v > DT_MAX[f]) {
            *bad = (int64_t)v;
            return PF_RANGE;
        }
        total += ym ? (f == 0 ? v * 12 : v) : v * DT_US[f];
        if (!ym && f == 3 && i < n && s[i] == '.') {
            i++;
            int64_t frac = 0;
            int k = 0;
            while (i < n && isdigit((unsigned char)s[i])) {
                if (k < 6)
                    frac = frac * 10 + (s[i] - '0');
                k++, i++;
            }
            if (k > 9)
                return PF_FORMAT;
            for (; k < 6; k++)
                frac *= 10;
            total += frac;
        }
    }
    if (i != n)
        return PF_FORMAT;
    if (neg)
        total = -total;
    if (ym ? (total > INT32_MAX || total < INT32_MIN) : (total > INT64_MAX || total < INT64_MIN))
        return ym ? PF_OVERFLOW : PF_FORMAT;
    *out = (int64_t)total;
    return PF_OK;
}

static lh_type_t interval_type(bool ym, int start, int end)
{
    lh_type_t t = fn_type(ym ? LH_TYPE_INTERVAL_YM : LH_TYPE_INTERVAL_DT);
    t.precision = (uint8_t)(start + 1);
    t.scale = (uint8_t)(end + 1);
    return t;
}

bool lh_interval_from_string(const char *s, size_t n, lh_type_t t, int64_t *out)
{
    bool ym = t.id == LH_TYPE_INTERVAL_YM;
    int start = t.precision ? t.precision - 1 : 0, end = t.scale ? t.scale - 1 : (ym ? 1 : 3);
    while (n > 0 && (unsigned char)*s <= ' ')
        s++, n--;
    while (n > 0 && (unsigned char)s[n - 1] <= ' ')
        n--;
    if (n > 8 && strncasecmp(s, "INTERVAL", 8) == 0) {
        const char *q1 = memchr(s, '\'', n);
        const char *q2 = q1 ? memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - s)) : NULL;
        if (q2 == NULL)
            return false;
        bool neg = false;
        for (const char *p = s + 8; p < q1; p++)
            if (*p == '-')
                neg = !neg;
        int64_t v;
        if (!parse_fields(q1 + 1, (size_t)(q2 - q1 - 1), ym, start, end, &v))
            return false;
        *out = neg ? -v : v;
        return true;
    }
    return parse_fields(s, n, ym, start, end, out);
}

/* ---- calendar intervals (CAST(s AS INTERVAL)) ---- */

/* Java's Character.isWhitespace for one byte. */
static bool java_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

/* Java regex \\s: what String.split("\\s") cuts at. */
static bool regex_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Whether s[i..] starts with word (lower case; s is compared case-insensitively). */
static bool at_word(const char *s, size_t n, size_t i, const char *word)
{
    size_t l = strlen(word);
    return i + l <= n && strncasecmp(s + i, word, l) == 0;
}

bool lh_cal_interval_from_string(const char *s, size_t n, lh_cal_iv_t *out)
{
    enum { SIGN_TRIM, SIGN, VALUE_TRIM, VALUE, FRACTION, UNIT_TRIM, UNIT, SUFFIX, END } st;
    /* UTF8String.trimAll: whitespace and ISO control characters at both ends */
    while (n > 0 && ((unsigned char)*s <= ' ' || (unsigned char)*s == 0x7f))
        s++, n--;
    while (n > 0 && ((unsigned char)s[n - 1] <= ' ' || (unsigned char)s[n - 1] == 0x7f))
        n--;
    if (n == 0)
        return false;
    size_t i = 0;
    if (at_word(s, n, 0, "interval")) {
        if (n == 8 || !java_space((unsigned char)s[8]))
            return false;
        i = 9;
    }
    int64_t months = 0, days = 0, micros = 0, value = 0, fraction = 0;
    int scale = 100000000; /* nanoseconds of the next fraction digit */
    bool neg = false, point_first = false;
    st = SIGN_TRIM;
    while (i < n) {
        unsigned char b = (unsigned char)s[i];
        switch (st) {
        case SIGN_TRIM:
        case VALUE_TRIM:
        case UNIT_TRIM:
            if (java_space(b))
                i++;
            else
                st = st == SIGN_TRIM ? SIGN : st == VALUE_TRIM ? VALUE : UNIT;
            break;
        case SIGN:
            value = 0, fraction = 0, scale = 100000000, point_first = false, neg = false;
            st = VALUE_TRIM;
            if (b == '-' || b == '+') {
                neg = b == '-';
                i++;
            } else if (b == '.') {
                point_first = true;
                st = FRACTION;
                i++;
            } else if (!isdigit(b)) {
                return false;
            }
            break;
        case VALUE:
            if (isdigit(b)) {
                if (__builtin_mul_overflow(value, 10, &value) ||
                    __builtin_add_overflow(value, b - '0', &value))
                    return false;
            } else if (java_space(b)) {
                st = UNIT_TRIM;
            } else if (b == '.') {
                scale = 100000000;
                st = FRACTION;
            } else {
                return false;
            }
            i++;
            break;
        case FRACTION:
            if (isdigit(b) && scale > 0) {
                fraction += (b - '0') * scale;
                scale /= 10;
            } else if (java_space(b) && (!point_first || scale < 100000000)) {
                fraction /= 1000; /* nanoseconds to microseconds */
                st = UNIT_TRIM;
            } else {
                return false; /* a tenth digit, or not a number */
            }
            i++;
            break;
        case UNIT: {
            if (tolower(b) != 's' && scale < 100000000)
                return false; /* only seconds have a fractional part */
            if (neg)
                value = -value, fraction = -fraction;
            int64_t t;
            bool ovf = false;
            if (at_word(s, n, i, "year")) {
                ovf = __builtin_mul_overflow(value, 12, &t) ||
                      __builtin_add_overflow(months, t, &months);
                i += 4;
            } else if (at_word(s, n, i, "week")) {
                ovf =
                    __builtin_mul_overflow(value, 7, &t) || __builtin_add_overflow(days, t, &days);
                i += 4;
            } else if (at_word(s, n, i, "day")) {
                ovf = value > INT32_MAX || value < INT32_MIN ||
                      __builtin_add_overflow(days, value, &days);
                i += 3;
            } else if (at_word(s, n, i, "hour")) {
                ovf = __builtin_mul_overflow(value, 3600000000LL, &t) ||
                      __builtin_add_overflow(micros, t, &micros);
                i += 4;
            } else if (at_word(s, n, i, "second")) {
                ovf = __builtin_mul_overflow(value, 1000000LL, &t) ||
                      __builtin_add_overflow(micros, t, &micros) ||
                      __builtin_add_overflow(micros, fraction, &micros);
                i += 6;
            } else if (at_word(s, n, i, "month")) {
                ovf = value > INT32_MAX || value < INT32_MIN ||
                      __builtin_add_overflow(months, value, &months);
                i += 5;
            } else if (at_word(s, n, i, "minute")) {
                ovf = __builtin_mul_overflow(value, 60000000LL, &t) ||
                      __builtin_add_overflow(micros, t, &micros);
                i += 6;
            } else if (at_word(s, n, i, "millisecond")) {
                ovf = __builtin_mul_overflow(value, 1000LL, &t) ||
                      __builtin_add_overflow(micros, t, &micros);
                i += 11;
            } else if (at_word(s, n, i, "microsecond")) {
                ovf = __builtin_add_overflow(micros, value, &micros);
                i += 11;
            } else {
                return false;
            }
            /* months and days are Java ints: each step is exact in int */
            if (ovf || months > INT32_MAX || months < INT32_MIN || days > INT32_MAX ||
                days < INT32_MIN)
                return false;
            st = SUFFIX;
            break;
        }
        case SUFFIX:
            if (tolower(b) == 's')
                st = END;
            else if (java_space(b))
                st = SIGN_TRIM;
            else
                return false;
            i++;
            break;
        case END:
            if (!java_space(b))
                return false;
            st = SIGN_TRIM;
            i++;
            break;
        }
    }
    if (st != SUFFIX && st != END && st != SIGN_TRIM)
        return false;
    *out = (lh_cal_iv_t){(int32_t)months, (int32_t)days, micros};
    return true;
}

static lh_err interval_error(const char *text, lh_errbuf *eb)
{
    char v[300];
    snprintf(v, sizeof v, "%.280s", text);
    return lh_sqlerr(eb, "INVALID_INTERVAL_FORMAT.INTERVAL_PARSING", "input", v, "interval", v,
                     NULL);
}

/* "'body' FIELD [TO FIELD]" */
static lh_err qualified(const char *text, const char *q1, const char *q2, bool neg, lh_value_t *out,
                        lh_errbuf *eb)
{
    char w1[16] = {0}, w2[16] = {0}, to[8] = {0};
    int k = sscanf(q2 + 1, " %15s %7s %15s", w1, to, w2);
    bool ym1, ym2 = false;
    int f1 = k >= 1 ? field_of(w1, strlen(w1), &ym1) : -1, f2 = f1;
    if (f1 < 0 || (k != 1 && k != 3))
        return interval_error(text, eb);
    if (k == 3 && (strcasecmp(to, "TO") != 0 || (f2 = field_of(w2, strlen(w2), &ym2)) < 0 ||
                   ym1 != ym2 || f2 <= f1)) {
        char body[200];
        snprintf(body, sizeof body, "%.*s", (int)(q2 - q1 - 1), q1 + 1);
        return lh_sqlerr(eb, "INVALID_INTERVAL_FORMAT.UNSUPPORTED_FROM_TO_EXPRESSION", "input",
                         body, "from", w1, "to", w2, NULL);
    }
    lh_type_t t = interval_type(ym1, f1, f2);
    /* a minus before the quote flips the text's own sign, as Spark's parser does, so
     * -'178956970-8' YEAR TO MONTH reaches INT_MIN months */
    char body[256];
    int bl = (int)(q2 - q1 - 1);
    if (bl > 200)
        bl = 200;
    if (!neg)
        snprintf(body, sizeof body, "%.*s", bl, q1 + 1);
    else if (bl > 0 && q1[1] == '-')
        snprintf(body, sizeof body, "%.*s", bl - 1, q1 + 2);
    else
        snprintf(body, sizeof body, "-%.*s", bl, q1 + 1);
    size_t n = strlen(body);
    if (k == 1) {
        for (size_t i = 0; i < n; i++)
            if (isalpha((unsigned char)body[i])) /* 'interval 1' DAY, '1 day 2' DAY */
                return lh_sqlerr(eb, "_LEGACY_ERROR_TEMP_0026", "value", body, NULL);
    }
    int64_t v, bad = 0;
    pf_rc rc = parse_fields_rc(body, n, ym1, f1, f2, &v, &bad);
    lh_cal_iv_t c;
    char unit_text[300];
    snprintf(unit_text, sizeof unit_text, "%s %s", body, w1);
    if (rc != PF_OK && k == 1 && lh_cal_interval_from_string(unit_text, strlen(unit_text), &c) &&
        (ym1 || !__builtin_mul_overflow((int64_t)c.days, 86400000000LL, &v))) {
        /* one unit: Spark reads "<value> <unit>" as an interval string ('-\t 1' DAY) */
        if (ym1)
            v = c.months;
        else if (__builtin_add_overflow(v, c.micros, &v))
            return interval_error(text, eb);
        rc = PF_OK;
    }
    if (rc == PF_OVERFLOW)
        return lh_sqlerr(eb, "INVALID_INTERVAL_FORMAT.INTERVAL_PARSING", "input", body, "interval",
                         ym1 ? "year-month" : "day-time", NULL);
    if (rc == PF_RANGE) {
        static const char *const names[] = {"day", "hour", "minute", "second"};
        char msg[160];
        snprintf(msg, sizeof msg, "requirement failed: %s %lld outside range [0, %lld]", names[f1],
                 (long long)bad, (long long)DT_MAX[f1]);
        return lh_sqlerr(eb, "_LEGACY_ERROR_TEMP_0063", "msg", msg, NULL);
    }
    if (rc != PF_OK) {
        char typ[64], fmt[128];
        snprintf(typ, sizeof typ, "interval %s%s%s", w1, k == 3 ? " to " : "", k == 3 ? w2 : "");
        for (char *p = typ; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        snprintf(fmt, sizeof fmt, "`[+|-]%s`", ym1 ? "y-m" : "d h:m:s.n");
        /* year-month strings have no legacy fallback, so no notice (Spark's castStringToYMInterval)
         */
        return lh_sqlerr(eb,
                         ym1 && k == 3
                             ? "INVALID_INTERVAL_FORMAT.UNMATCHED_FORMAT_STRING"
                             : "INVALID_INTERVAL_FORMAT.UNMATCHED_FORMAT_STRING_WITH_NOTICE",
                         "input", body, "intervalStr", ym1 ? "year-month" : "day-time",
                         "supportedFormat", fmt, "typeName", typ, NULL);
    }
    *out = (lh_value_t){.type = t, .v.i64 = v};
    return LH_OK;
}

/* "2 years 4 months", "'1' day 3 seconds", "1 week" */
static lh_err unit_list(const char *text, lh_value_t *out, lh_errbuf *eb)
{
    __int128 total = 0;
    int kind = -1, lo = 9, hi = -1; /* kind 1 = ym, 0 = dt */
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    if (strncasecmp(p, "interval", 8) == 0 && isspace((unsigned char)p[8]))
        p += 8;
    while (*p) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        char num[64];
        size_t k = 0;
        bool quoted = *p == '\'';
        if (quoted)
            p++;
        while (*p && !isspace((unsigned char)*p) && *p != '\'' && k + 1 < sizeof num)
            num[k++] = *p++;
        num[k] = '\0';
        if (quoted && *p == '\'')
            p++;
        while (isspace((unsigned char)*p))
            p++;
        const char *w = p;
        while (isalpha((unsigned char)*p))
            p++;
        size_t wl = (size_t)(p - w);
        bool ym = false;
        int f = field_of(w, wl, &ym);
        bool week = f < 0 && wl >= 4 && strncasecmp(w, "week", 4) == 0;
        bool milli = f < 0 && wl >= 11 && strncasecmp(w, "millisecond", 11) == 0;
        bool micro = f < 0 && wl >= 11 && strncasecmp(w, "microsecond", 11) == 0;
        if (week || milli || micro)
            ym = false, f = week ? 0 : 3;
        if (f < 0 && k > 0 && wl > 0) {
            char u[32];
            snprintf(u, sizeof u, "%.*s", (int)(wl < 31 ? wl : 31), w);
            return lh_sqlerr(eb, "INVALID_INTERVAL_FORMAT.INVALID_UNIT", "input", text, "unit", u,
                             NULL);
        }
        if (f < 0 || k == 0)
            return interval_error(text, eb);
        if (kind >= 0 && kind != (int)ym)
            return lh_sqlerr(eb, "_LEGACY_ERROR_TEMP_0029", "literal", text, NULL);
        kind = ym;
        lo = f < lo ? f : lo, hi = f > hi ? f : hi;
        double d = strtod(num, NULL), term;
        if (ym)
            term = f == 0 ? d * 12 : d;
        else if (week)
            term = d * 7 * 86400e6;
        else if (milli)
            term = d * 1000;
        else if (micro)
            term = d;
        else
            term = d * (double)DT_US[f];
        if (!(fabs(term) < 9223372036854775808.0)) /* NaN, inf, beyond BIGINT micros */
            return interval_error(text, eb);
        total += (__int128)term;
        if (total > INT64_MAX || total < INT64_MIN ||
            (ym && (total > INT32_MAX || total < INT32_MIN)))
            return interval_error(text, eb);
    }
    if (kind < 0)
        return interval_error(text, eb);
    *out = (lh_value_t){.type = interval_type(kind == 1, lo, hi), .v.i64 = (int64_t)total};
    return LH_OK;
}

/* INTERVAL '<text>': Spark's typeConstructor reads the text as a calendar interval
 * (stringToInterval, so whitespace and an "interval" prefix are fine) and types it by the
 * unit words it names: year/month an INTERVAL YEAR TO MONTH, the others DAY TO SECOND. */
static lh_err string_interval(const char *body, lh_value_t *out, lh_errbuf *eb)
{
    lh_cal_iv_t c;
    if (!lh_cal_interval_from_string(body, strlen(body), &c))
        return typed_error("INTERVAL", body, eb);
    int lo[2] = {9, 9}, hi[2] = {-1, -1}; /* [0] day-time, [1] year-month */
    static const struct {
        const char *word;
        int ym, field;
    } units[] = {{"year", 1, 0},   {"month", 1, 1},       {"week", 0, 0},
                 {"day", 0, 0},    {"hour", 0, 1},        {"minute", 0, 2},
                 {"second", 0, 3}, {"millisecond", 0, 3}, {"microsecond", 0, 3}};
    for (const char *p = body; *p;) {
        while (*p && regex_space((unsigned char)*p))
            p++;
        const char *w = p;
        bool alpha = true;
        while (*p && !regex_space((unsigned char)*p))
            alpha = alpha && isalpha((unsigned char)*p), p++;
        size_t wl = (size_t)(p - w);
        if (wl > 1 && (w[wl - 1] == 's' || w[wl - 1] == 'S'))
            wl--; /* stripSuffix("s") */
        for (size_t k = 0; alpha && wl > 0 && k < sizeof units / sizeof units[0]; k++)
            if (strlen(units[k].word) == wl && strncasecmp(w, units[k].word, wl) == 0) {
                int y = units[k].ym, f = units[k].field;
                lo[y] = f < lo[y] ? f : lo[y], hi[y] = f > hi[y] ? f : hi[y];
            }
    }
    if (hi[1] >= 0 && hi[0] >= 0)
        return lh_sqlerr(eb, "_LEGACY_ERROR_TEMP_0029", "literal", body, NULL);
    if (hi[1] >= 0) {
        *out = (lh_value_t){.type = interval_type(true, lo[1], hi[1]), .v.i64 = c.months};
        return LH_OK;
    }
    int64_t us;
    if (hi[0] < 0 || __builtin_mul_overflow((int64_t)c.days, 86400000000LL, &us) ||
        __builtin_add_overflow(us, c.micros, &us))
        return typed_error("INTERVAL", body, eb);
    *out = (lh_value_t){.type = interval_type(false, lo[0], hi[0]), .v.i64 = us};
    return LH_OK;
}

lh_err lh_literal_interval(const char *text, lh_value_t *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    const char *p = text;
    bool neg = false;
    while (*p == ' ')
        p++;
    const char *q = p; /* a sign applies to the whole literal only before a quote */
    while (*q == ' ' || *q == '-' || *q == '+')
        q++;
    if (*q == '\'') {
        for (; p < q; p++)
            neg ^= *p == '-';
    }
    const char *q1 = *p == '\'' ? p : NULL, *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
    if (q1 && q2) {
        const char *rest = q2 + 1;
        while (*rest == ' ')
            rest++;
        if (*rest == '\0') { /* INTERVAL '1 day 2 hours' */
            char body[256];
            snprintf(body, sizeof body, "%.*s", (int)(q2 - q1 - 1), q1 + 1);
            LH_TRY(string_interval(body, out, eb));
        } else {
            char w1[16], w2[16], w3[16], w4[4];
            int words = sscanf(rest, "%15s %15s %15s %3s", w1, w2, w3, w4);
            bool ym;
            if ((words == 1 && field_of(w1, strlen(w1), &ym) >= 0) ||
                (words == 3 && strcasecmp(w2, "TO") == 0))
                return qualified(text, q1, q2, neg, out, eb);
            LH_TRY(unit_list(p, out, eb));
        }
    } else {
        LH_TRY(unit_list(p, out, eb));
    }
    if (neg)
        out->v.i64 = -out->v.i64;
    return LH_OK;
}
