/*
 * url.c - url_encode, url_decode, try_url_decode, parse_url, try_parse_url.
 *
 * url_encode/url_decode are Java's URLEncoder/URLDecoder in UTF-8 (what Spark's UrlCodec
 * calls): letters, digits and ".-*_" stay, a space is '+', every other byte is %XX; decoding
 * turns '+' into a space and %XX runs into bytes (an ill-formed UTF-8 part becomes U+FFFD),
 * and a '%' without two hex digits raises CANNOT_DECODE_URL (try_: NULL).
 *
 * parse_url(url, part[, key]) is Spark's ParseUrl over java.net.URI (RFC 2396 with Java's
 * rules): the parts HOST, PATH, QUERY, REF, PROTOCOL, FILE, AUTHORITY and USERINFO (raw, as
 * written); with a key, the value of key=... in the QUERY. Another part gives NULL. A URL
 * java.net.URI refuses raises INVALID_URL (NULL with ANSI off, and for try_parse_url). A host
 * that is not a valid server name (an underscore, say) leaves the authority registry-based
 * and HOST NULL, as in Java.
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "compute/func/fn.h"

/* ---- url_encode / url_decode ---- */

static lh_err b_url(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->cast_to[0] = fn_type(LH_TYPE_STRING);
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = true;
    return LH_OK;
}

static int hexval(uint8_t c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* s URL-encoded into o (>= 9 * s.len bytes: an ill-formed byte becomes %EF%BF%BD) */
static size_t url_encode(lh_sv_t s, uint8_t *o)
{
    static const char HEX[] = "0123456789ABCDEF";
    size_t k = 0, bad;
    for (size_t i = 0; i < s.len;) {
        uint8_t c = s.ptr[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '-' || c == '*' || c == '_') {
            o[k++] = c, i++;
            continue;
        }
        if (c == ' ') {
            o[k++] = '+', i++;
            continue;
        }
        size_t n = fn_utf8_seq(s.ptr + i, s.len - i, &bad);
        const uint8_t *src = n ? s.ptr + i : (const uint8_t *)"\xEF\xBF\xBD";
        for (size_t j = 0; j < (n ? n : 3); j++) {
            o[k++] = '%';
            o[k++] = (uint8_t)HEX[src[j] >> 4];
            o[k++] = (uint8_t)HEX[src[j] & 15];
        }
        i += n ? n : bad;
    }
    return k;
}

/* s URL-decoded into o (>= 3 * s.len bytes); false on a bad escape. */
static bool url_decode(lh_sv_t s, uint8_t *o, size_t *on)
{
    size_t k = 0;
    for (size_t i = 0; i < s.len;) {
        uint8_t c = s.ptr[i];
        if (c == '+') {
            o[k++] = ' ', i++;
        } else if (c != '%') {
            o[k++] = c, i++;
        } else { /* a run of %XX: its bytes as UTF-8, each ill-formed part U+FFFD */
            uint8_t *run = o + k + s.len; /* scratch past anything written so far */
            size_t rn = 0, bad;
            while (i < s.len && s.ptr[i] == '%') {
                if (i + 2 >= s.len) /* "%X" or "%" at the end */
                    return false;
                int h = hexval(s.ptr[i + 1]), l = hexval(s.ptr[i + 2]);
                if (h < 0 || l < 0)
                    return false;
                run[rn++] = (uint8_t)(h << 4 | l);
                i += 3;
            }
            for (size_t j = 0; j < rn;) {
                size_t n = fn_utf8_seq(run + j, rn - j, &bad);
                if (n == 0) {
                    memcpy(o + k, "\xEF\xBF\xBD", 3);
                    k += 3, j += bad;
                } else {
                    memmove(o + k, run + j, n);
                    k += n, j += n;
                }
            }
        }
    }
    *on = k;
    return true;
}

typedef enum { U_ENCODE, U_DECODE, U_TRY_DECODE } url_op;

static lh_err x_url(const lh_func_exec_t *x, url_op op, lh_errbuf *eb)
{
    uint8_t *o = NULL;
    size_t cap = 0;
    lh_err e = LH_OK;
    fn_begin(x);
    for (size_t i = 0; i < x->rows && e == LH_OK; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i);
        size_t need = 9 * (size_t)s.len + 16;
        if (need > cap) {
            free(o);
            cap = need;
            if ((o = malloc(cap)) == NULL) {
                e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
                break;
            }
        }
        size_t n;
        if (op == U_ENCODE) {
            n = url_encode(s, o);
        } else if (!url_decode(s, o, &n)) {
            if (op == U_TRY_DECODE) {
                e = fn_put_null(x->out, i);
                continue;
            }
            char v[300];
            snprintf(v, sizeof v, "%.*s", (int)(s.len < 280 ? s.len : 280), (const char *)s.ptr);
            e = lh_sqlerr(eb, "CANNOT_DECODE_URL", "url", v, NULL);
            break;
        }
        e = fn_put_str(x->out, i, o, n);
    }
    free(o);
    return e;
}

static lh_err x_url_encode(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return x_url(x, U_ENCODE, eb);
}
static lh_err x_url_decode(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return x_url(x, U_DECODE, eb);
}
static lh_err x_try_url_decode(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return x_url(x, U_TRY_DECODE, eb);
}

/* ---- parse_url: java.net.URI's parse ---- */

/* Spans into the URL (len < 0: absent). */
typedef struct span {
    int32_t off, len;
} span_t;

typedef struct uri {
    span_t scheme, authority, userinfo, host, path, query, fragment;
} uri_t;

static const span_t NONE = {0, -1};

static bool is_alpha(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}
static bool is_alnum(uint8_t c)
{
    return is_alpha(c) || is_digit(c);
}

/* Java's character classes (RFC 2396): unreserved, and the punctuation each part takes. A
 * byte >= 0x80 is one of Java's "other" characters (allowed where escapes are). */
static bool unreserved(uint8_t c)
{
    return is_alnum(c) || (c && strchr("-_.!~*'()", c) != NULL);
}

/* Whether s[from, to) has only unreserved bytes, "other" bytes, valid %XX escapes and bytes
 * of extra. */
static bool chars_ok(const uint8_t *s, size_t from, size_t to, const char *extra)
{
    for (size_t i = from; i < to; i++) {
        uint8_t c = s[i];
        if (c == '%') {
            if (i + 2 >= to || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
                return false;
            i += 2;
        } else if (c >= 0x80) {
            continue;
        } else if (!unreserved(c) && (c == 0 || strchr(extra, c) == NULL)) {
            return false;
        }
    }
    return true;
}

#define PCHARS ";:@&=+$,/"    /* path */
#define URICS  ";/?:@&=+$,[]" /* query, fragment, opaque part */
#define UINFO  ";:&=+$,"      /* userinfo */
#define REGAUT ";:@&=+$,"     /* registry-based authority */

/* A hostname: labels of letters, digits and '-' (not at either end) joined by '.', the last
 * starting with a letter (else it must be an IPv4 address); an optional final '.'. */
static bool hostname_ok(const uint8_t *s, size_t from, size_t to)
{
    if (from >= to)
        return false;
    size_t end = to;
    if (s[end - 1] == '.' && end - 1 > from)
        end--;
    size_t lab = from;
    bool last_alpha = false;
    int dots = 0, all_digits = 1;
    for (size_t i = from; i <= end; i++) {
        if (i == end || s[i] == '.') {
            if (i == lab || s[lab] == '-' || s[i - 1] == '-')
                return false;
            last_alpha = is_alpha(s[lab]);
            lab = i + 1;
            dots += i < end;
            continue;
        }
        if (!is_alnum(s[i]) && s[i] != '-')
            return false;
        if (!is_digit(s[i]))
            all_digits = 0;
    }
    if (last_alpha || dots == 0)
        return true; /* (Java checks the first character of the last label only when several) */
    /* a dotted quad of numbers 0..255 */
    if (!all_digits || dots != 3 || end != to)
        return false;
    int v = 0, digits = 0;
    for (size_t i = from; i <= to; i++) {
        if (i == to || s[i] == '.') {
            if (digits == 0 || v > 255)
                return false;
            v = 0, digits = 0;
        } else {
            v = v * 10 + (s[i] - '0'), digits++;
            if (digits > 3)
                return false;
        }
    }
    return true;
}

/* The authority s[from, to): server-based ([userinfo@]host[:port]) when it parses as one,
 * else registry-based (host absent) when its characters allow, else invalid. */
static bool parse_authority(const uint8_t *s, size_t from, size_t to, uri_t *u)
{
    u->authority = (span_t){(int32_t)from, (int32_t)(to - from)};
    size_t h = from;
    const uint8_t *at = memchr(s + from, '@', to - from);
    bool server = true;
    if (at != NULL) {
        size_t ui = (size_t)(at - s);
        if (chars_ok(s, from, ui, UINFO))
            u->userinfo = (span_t){(int32_t)from, (int32_t)(ui - from)};
        else
            server = false;
        h = ui + 1;
    }
    size_t he = to; /* host end */
    if (server && h < to && s[h] == '[') {
        const uint8_t *rb = memchr(s + h, ']', to - h);
        if (rb == NULL)
            return false; /* Java: a '[' without ']' is a syntax error */
        for (size_t i = h + 1; i < (size_t)(rb - s); i++)
            if (!(hexval(s[i]) >= 0 || s[i] == ':' || s[i] == '.'))
                return false;
        he = (size_t)(rb - s) + 1;
    } else if (server) {
        for (he = h; he < to && s[he] != ':'; he++)
            ;
        server = hostname_ok(s, h, he);
    }
    if (server && he < to) { /* :port, digits (maybe none) */
        if (s[he] != ':')
            server = false;
        for (size_t i = he + 1; server && i < to; i++)
            server = is_digit(s[i]);
    }
    if (server) {
        u->host = (span_t){(int32_t)h, (int32_t)(he - h)};
        return true;
    }
    u->userinfo = u->host = NONE;
    return to > from && chars_ok(s, from, to, REGAUT);
}

/* java.net.URI's parse of s[0, n); false where it throws URISyntaxException. */
static bool parse_uri(const uint8_t *s, size_t n, uri_t *u)
{
    *u = (uri_t){NONE, NONE, NONE, NONE, NONE, NONE, NONE};
    if (n == 0) { /* "" is a relative URI with an empty path */
        u->path = (span_t){0, 0};
        return true;
    }
    size_t p = 0;
    while (p < n && !strchr("/?#:", s[p]))
        p++;
    size_t i = 0;
    if (p < n && s[p] == ':') {
        if (p == 0 || !is_alpha(s[0]))
            return false;
        for (size_t k = 1; k < p; k++)
            if (!is_alnum(s[k]) && s[k] != '+' && s[k] != '-' && s[k] != '.')
                return false;
        u->scheme = (span_t){0, (int32_t)p};
        i = p + 1;
        if (i >= n)
            return false;  /* "x:": Java expects a scheme-specific part */
        if (s[i] != '/') { /* opaque: mailto:a@b[#frag] */
            const uint8_t *hash = memchr(s + i, '#', n - i);
            size_t e = hash ? (size_t)(hash - s) : n;
            if (!chars_ok(s, i, e, URICS))
                return false;
            if (hash) {
                if (!chars_ok(s, e + 1, n, URICS))
                    return false;
                u->fragment = (span_t){(int32_t)(e + 1), (int32_t)(n - e - 1)};
            }
            return true;
        }
    }
    /* hierarchical: [//authority]path[?query][#fragment] */
    if (i + 1 < n && s[i] == '/' && s[i + 1] == '/') {
        size_t a = i + 2, e = a;
        while (e < n && !strchr("/?#", s[e]))
            e++;
        if (e > a) {
            if (!parse_authority(s, a, e, u))
                return false;
        } else if (e >= n || s[e] != '/') {
            return false; /* "http://" or "http://?x": Java expects an authority */
        }
        i = e;
    }
    size_t e = i;
    while (e < n && s[e] != '?' && s[e] != '#')
        e++;
    if (!chars_ok(s, i, e, PCHARS))
        return false;
    u->path = (span_t){(int32_t)i, (int32_t)(e - i)};
    if (e < n && s[e] == '?') {
        size_t q = e + 1;
        e = q;
        while (e < n && s[e] != '#')
            e++;
        if (!chars_ok(s, q, e, URICS))
            return false;
        u->query = (span_t){(int32_t)q, (int32_t)(e - q)};
    }
    if (e < n) { /* '#' */
        if (!chars_ok(s, e + 1, n, URICS))
            return false;
        u->fragment = (span_t){(int32_t)(e + 1), (int32_t)(n - e - 1)};
    }
    return true;
}

static lh_err b_parse_url(lh_func_bind_t *b, lh_errbuf *eb)
{
    for (int i = 0; i < b->arg_count; i++)
        b->cast_to[i] = fn_type(LH_TYPE_STRING);
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = true;
    return LH_OK;
}

static bool part_is(lh_sv_t p, const char *name)
{
    return p.len == strlen(name) && memcmp(p.ptr, name, p.len) == 0; /* case matters */
}

/* The value of key in query q (Spark: the regex (&|^)key=([^&]*), first match). */
static bool query_value(const uint8_t *s, span_t q, lh_sv_t key, span_t *out)
{
    size_t from = (size_t)q.off, to = from + (size_t)q.len;
    for (size_t i = from; i + key.len < to; i++) { /* s[i + key.len] is the '=' */
        if (i != from && s[i - 1] != '&')
            continue;
        if ((key.len && memcmp(s + i, key.ptr, key.len) != 0) || s[i + key.len] != '=')
            continue;
        size_t v = i + key.len + 1, e = v;
        while (e < to && s[e] != '&')
            e++;
        *out = (span_t){(int32_t)v, (int32_t)(e - v)};
        return true;
    }
    return false;
}

static lh_err x_parse_url_(const lh_func_exec_t *x, bool try_, lh_errbuf *eb)
{
    bool null_on_bad = try_ || (x->conf != NULL && !x->conf->ansi);
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t url = fn_str(x->args[0], i), part = fn_str(x->args[1], i);
        uri_t u;
        if (url.len > INT32_MAX / 2 || !parse_uri(url.ptr, url.len, &u)) {
            if (null_on_bad) {
                LH_TRY(fn_put_null(x->out, i));
                continue;
            }
            char v[300];
            snprintf(v, sizeof v, "%.*s", (int)(url.len < 280 ? url.len : 280),
                     (const char *)url.ptr);
            return lh_sqlerr(eb, "INVALID_URL", "url", v, "ansiConfig",
                             "\"spark.sql.ansi.enabled\"", NULL);
        }
        span_t r = NONE;
        bool file = false;
        if (x->arg_count > 2) {
            if (part_is(part, "QUERY") && u.query.len >= 0)
                query_value(url.ptr, u.query, fn_str(x->args[2], i), &r);
        } else if (part_is(part, "HOST")) {
            r = u.host;
        } else if (part_is(part, "PATH")) {
            r = u.path;
        } else if (part_is(part, "QUERY")) {
            r = u.query;
        } else if (part_is(part, "REF")) {
            r = u.fragment;
        } else if (part_is(part, "PROTOCOL")) {
            r = u.scheme;
        } else if (part_is(part, "FILE")) {
            r = u.path, file = u.path.len >= 0 && u.query.len >= 0;
        } else if (part_is(part, "AUTHORITY")) {
            r = u.authority;
        } else if (part_is(part, "USERINFO")) {
            r = u.userinfo;
        }
        if (r.len < 0) {
            LH_TRY(fn_put_null(x->out, i));
        } else if (file) { /* path?query: contiguous in the URL */
            LH_TRY(fn_put_str(x->out, i, url.ptr + r.off,
                              (size_t)(u.query.off + u.query.len - r.off)));
        } else {
            LH_TRY(fn_put_str(x->out, i, r.len ? url.ptr + r.off : (const uint8_t *)"",
                              (size_t)r.len));
        }
    }
    return LH_OK;
}

static lh_err x_parse_url(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return x_parse_url_(x, false, eb);
}
static lh_err x_try_parse_url(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return x_parse_url_(x, true, eb);
}

#define F(name, lo, hi, bind, exec)                                                                \
    {                                                                                              \
        name, LH_FUNC_SCALAR, lo, hi, bind, exec, true                                             \
    }
const lh_func_t lh_fn_url[] = {
    F("parse_url", 2, 3, b_parse_url, x_parse_url),
    F("try_parse_url", 2, 3, b_parse_url, x_try_parse_url),
    F("try_url_decode", 1, 1, b_url, x_try_url_decode),
    F("url_decode", 1, 1, b_url, x_url_decode),
    F("url_encode", 1, 1, b_url, x_url_encode),
};
FN_COUNT(lh_fn_url);
