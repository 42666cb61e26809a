/*
 * out.c - text output of lakehouse-tool: a growable buffer and the JSON text of column
 * values (cat). Formats: dates "YYYY-MM-DD"; timestamps "YYYY-MM-DDTHH:MM:SS.ffffffZ"
 * (timestamp_ntz without the Z); decimals as exact decimal strings; binary as base64;
 * floats in the shortest text that reads back exactly, NaN/Infinity as strings.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "tools/lakehouse-tool/tool.h"

static void grow(tool_buf_t *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->ptr, cap);
    if (p == NULL) {
        fprintf(stderr, "lakehouse-tool: out of memory\n");
        exit(1);
    }
    b->ptr = p;
    b->cap = cap;
}

void tool_buf_putn(tool_buf_t *b, const char *s, size_t n)
{
    grow(b, n);
    memcpy(b->ptr + b->len, s, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

void tool_buf_puts(tool_buf_t *b, const char *s)
{
    tool_buf_putn(b, s, strlen(s));
}

void tool_buf_printf(tool_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    grow(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void tool_buf_free(tool_buf_t *b)
{
    free(b->ptr);
    memset(b, 0, sizeof *b);
}

/* Length of a valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const uint8_t *s, size_t n)
{
    size_t len = s[0] < 0x80                   ? 1
                 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2
                 : s[0] >= 0xE0 && s[0] < 0xF0 ? 3
                 : s[0] >= 0xF0 && s[0] < 0xF5 ? 4
                                               : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

void tool_buf_json_string(tool_buf_t *b, const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    tool_buf_putn(b, "\"", 1);
    for (size_t i = 0; i < n;) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            tool_buf_putn(b, e, 2);
            i++;
        } else if (c < 0x20) {
            static const char *const names = "btn?fr";
            if (c >= 8 && c <= 13 && names[c - 8] != '?')
                tool_buf_printf(b, "\\%c", names[c - 8]);
            else
                tool_buf_printf(b, "\\u%04x", c);
            i++;
        } else {
            size_t len = utf8_len(p + i, n - i);
            if (len == 0) {
                tool_buf_puts(b, "\xEF\xBF\xBD"); /* U+FFFD */
                i++;
            } else {
                tool_buf_putn(b, s + i, len);
                i += len;
            }
        }
    }
    tool_buf_putn(b, "\"", 1);
}

static void put_base64(tool_buf_t *b, const uint8_t *p, size_t n)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    tool_buf_putn(b, "\"", 1);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char q[4] = {tbl[(v >> 18) & 63], tbl[(v >> 12) & 63], i + 1 < n ? tbl[(v >> 6) & 63] : '=',
                     i + 2 < n ? tbl[v & 63] : '='};
        tool_buf_putn(b, q, 4);
    }
    tool_buf_putn(b, "\"", 1);
}

static void put_timestamp(tool_buf_t *b, int64_t micros, bool utc)
{
    int64_t days = micros / 86400000000LL, rem = micros % 86400000000LL;
    if (rem < 0) {
        rem += 86400000000LL;
        days--;
    }
    int64_t y;
    unsigned m, d;
    lh_civil_from_days(days, &y, &m, &d);
    int64_t s = rem / 1000000;
    tool_buf_printf(b, "\"%04lld-%02u-%02uT%02d:%02d:%02d.%06lld%s\"", (long long)y, m, d,
                    (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60), (long long)(rem % 1000000),
                    utc ? "Z" : "");
}

static void put_decimal(tool_buf_t *b, lh_i128 unscaled, int scale)
{
    char digits[48];
    int n = 0;
    bool neg = unscaled < 0;
    unsigned __int128 u =
        neg ? (unsigned __int128)0 - (unsigned __int128)unscaled : (unsigned __int128)unscaled;
    do {
        digits[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u > 0);
    while (n <= scale)
        digits[n++] = '0';
    tool_buf_puts(b, neg ? "\"-" : "\"");
    for (int i = n - 1; i >= 0; i--) {
        char c = digits[i];
        tool_buf_putn(b, &c, 1);
        if (i == scale && scale > 0)
            tool_buf_putn(b, ".", 1);
    }
    tool_buf_putn(b, "\"", 1);
}

static void put_double(tool_buf_t *b, double x, bool is_float)
{
    if (isnan(x)) {
        tool_buf_puts(b, "\"NaN\"");
        return;
    }
    if (isinf(x)) {
        tool_buf_puts(b, x > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        return;
    }
    char tmp[40];
    for (int prec = is_float ? 6 : 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, x);
        if (is_float ? (float)strtod(tmp, NULL) == (float)x : strtod(tmp, NULL) == x)
            break;
    }
    tool_buf_puts(b, tmp);
}

void tool_buf_json_value(tool_buf_t *b, const lh_vec_t *v, size_t r)
{
    if (v->sel)
        r = v->sel[r];
    if (v->type.id == LH_TYPE_NULL || !lh_vec_is_valid(v, r)) {
        tool_buf_puts(b, "null");
        return;
    }
    const lh_sv_t *sv = v->type.id == LH_TYPE_STRING || v->type.id == LH_TYPE_BINARY
                            ? &((const lh_sv_t *)v->data)[r]
                            : NULL;
    char tmp[32];
    switch (v->type.id) {
    case LH_TYPE_BOOLEAN:
        tool_buf_puts(b, lh_vec_get_i64(v, r) ? "true" : "false");
        return;
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        put_double(b, lh_vec_get_f64(v, r), v->type.id == LH_TYPE_FLOAT);
        return;
    case LH_TYPE_STRING:
        tool_buf_json_string(b, (const char *)sv->ptr, sv->len);
        return;
    case LH_TYPE_BINARY:
        put_base64(b, sv->ptr, sv->len);
        return;
    case LH_TYPE_DATE: {
        int64_t y;
        unsigned m, d;
        lh_civil_from_days(lh_vec_get_i64(v, r), &y, &m, &d);
        snprintf(tmp, sizeof tmp, "\"%04lld-%02u-%02u\"", (long long)y, m, d);
        tool_buf_puts(b, tmp);
        return;
    }
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
        put_timestamp(b, lh_vec_get_i64(v, r), v->type.id == LH_TYPE_TIMESTAMP);
        return;
    case LH_TYPE_DECIMAL:
        put_decimal(b,
                    v->type.precision > 18 ? ((const lh_i128 *)v->data)[r]
                                           : (lh_i128)lh_vec_get_i64(v, r),
                    v->type.scale);
        return;
    default:
        tool_buf_printf(b, "%lld", (long long)lh_vec_get_i64(v, r));
    }
}
