/*
 * json_write.c - a direct JSON serializer for response bodies.
 *
 * jansson's json_dumps goes through a callback per fragment and snprintf per number; on
 * the request path it cost more than everything else a cached GET does. This writer
 * appends straight into one growable buffer: keys in insertion order (as jansson keeps
 * them), strings escaped per RFC 8259 (jansson already guarantees valid UTF-8), integers
 * by hand, reals as "%.17g" with ".0" added when integral (as jansson prints them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"

typedef struct {
    char *p;
    size_t len, cap;
    int failed;
} wbuf;

static int reserve(wbuf *b, size_t n)
{
    if (b->failed)
        return 0;
    if (b->len + n <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap * 2 : 1024;
    while (cap < b->len + n)
        cap *= 2;
    char *np = realloc(b->p, cap);
    if (np == NULL) {
        b->failed = 1;
        return 0;
    }
    b->p = np;
    b->cap = cap;
    return 1;
}

static void put(wbuf *b, const char *s, size_t n)
{
    if (reserve(b, n)) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
    }
}

static void put_string(wbuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (!reserve(b, n * 6 + 2))
        return;
    char *o = b->p + b->len;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *o++ = (char)c;
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '"':
            *o++ = '"';
            break;
        case '\\':
            *o++ = '\\';
            break;
        case '\n':
            *o++ = 'n';
            break;
        case '\r':
            *o++ = 'r';
            break;
        case '\t':
            *o++ = 't';
            break;
        case '\b':
            *o++ = 'b';
            break;
        case '\f':
            *o++ = 'f';
            break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o++ = '"';
    b->len = (size_t)(o - b->p);
}

static void put_int(wbuf *b, json_int_t v)
{
    char tmp[24];
    int i = sizeof tmp;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        tmp[--i] = '-';
    put(b, tmp + i, sizeof tmp - (size_t)i);
}

static void put_real(wbuf *b, double d)
{
    char tmp[40];
    int n = snprintf(tmp, sizeof tmp, "%.17g", d);
    if (n <= 0)
        return;
    char *e = strchr(tmp, 'e');
    if (e != NULL) { /* "1e+300" -> "1e300", "1e-05" -> "1e-5", as jansson prints */
        char *src = e + 1, *dst = e + 1;
        if (*src == '+')
            src++;
        else if (*src == '-')
            *dst++ = *src++;
        while (*src == '0' && src[1] != '\0')
            src++;
        memmove(dst, src, strlen(src) + 1);
        n = (int)strlen(tmp);
    }
    put(b, tmp, (size_t)n);
    if (strpbrk(tmp, ".eEn") == NULL) /* keep it a real: 2 -> 2.0 (inf/nan never occur) */
        put(b, ".0", 2);
}

static void put_value(wbuf *b, const json_t *v, int depth)
{
    if (depth > LH_JSON_WRITE_DEPTH_MAX) {
        put(b, "null", 4);
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        put(b, "{", 1);
        const char *k;
        json_t *c;
        int first = 1;
        json_object_foreach((json_t *)v, k, c)
        {
            if (!first)
                put(b, ",", 1);
            first = 0;
            put_string(b, k, strlen(k));
            put(b, ":", 1);
            put_value(b, c, depth + 1);
        }
        put(b, "}", 1);
        break;
    }
    case JSON_ARRAY: {
        put(b, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i > 0)
                put(b, ",", 1);
            put_value(b, json_array_get(v, i), depth + 1);
        }
        put(b, "]", 1);
        break;
    }
    case JSON_STRING:
        put_string(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        put_int(b, json_integer_value(v));
        break;
    case JSON_REAL:
        put_real(b, json_real_value(v));
        break;
    case JSON_TRUE:
        put(b, "true", 4);
        break;
    case JSON_FALSE:
        put(b, "false", 5);
        break;
    case JSON_NULL:
        put(b, "null", 4);
        break;
    }
}

char *lh_json_write(const json_t *v, size_t *len)
{
    if (v == NULL) /* a document whose construction failed */
        return NULL;
    wbuf b = {0};
    put_value(&b, v, 0);
    put(&b, "", 1); /* NUL */
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    *len = b.len - 1;
    return b.p;
}
