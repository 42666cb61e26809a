/*
 * hash.c - digests, hashes and byte codecs: md5, sha1/sha, sha2, crc32, hash (Spark's
 * Murmur3_x86_32, seed 42), xxhash64 (seed 42), base64/unbase64, hex/unhex, encode/decode
 * (charsets) and decode's CASE form, to_binary, luhn_check.
 *
 * Spark hashes values by type: integers up to INT (and DATE) as 4 bytes, BIGINT,
 * TIMESTAMP and small decimals as 8 bytes, FLOAT/DOUBLE by their IEEE bits (-0.0 as 0),
 * strings and binaries by their bytes (Murmur3 with Spark's byte-at-a-time tail), larger
 * decimals by the big-endian two's-complement bytes of the unscaled value. Nulls leave the
 * running hash unchanged; each argument's hash seeds the next.
 */
#include <ctype.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <xxhash.h>

#include "common/nested.h"
#include "compute/func/fn.h"
#include "compute/func/format.h"
#include "compute/func/murmur.h"

/* ---- Murmur3_x86_32 as org.apache.spark.unsafe.hash.Murmur3_x86_32 ---- */

static uint32_t rotl(uint32_t x, int r)
{
    return (x << r) | (x >> (32 - r));
}
static uint32_t mix_k1(uint32_t k)
{
    return rotl(k * 0xcc9e2d51u, 15) * 0x1b873593u;
}
static uint32_t mix_h1(uint32_t h, uint32_t k)
{
    return rotl(h ^ k, 13) * 5 + 0xe6546b64u;
}
static uint32_t fmix(uint32_t h, uint32_t len)
{
    h ^= len;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    return h ^ (h >> 16);
}
static uint32_t mm_int(uint32_t v, uint32_t seed)
{
    return fmix(mix_h1(seed, mix_k1(v)), 4);
}
static uint32_t mm_long(uint64_t v, uint32_t seed)
{
    uint32_t h = mix_h1(seed, mix_k1((uint32_t)v));
    return fmix(mix_h1(h, mix_k1((uint32_t)(v >> 32))), 8);
}
uint32_t lh_murmur3_bytes(const uint8_t *p, size_t n, uint32_t seed)
{
    uint32_t h = seed;
    size_t al = n - n % 4, i = 0;
    for (; i < al; i += 4)
        h = mix_h1(h, mix_k1((uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
                             (uint32_t)p[i + 3] << 24));
    for (; i < n; i++)
        h = mix_h1(h, mix_k1((uint32_t)(int32_t)(int8_t)p[i]));
    return fmix(h, (uint32_t)n);
}

/* Java BigInteger.toByteArray of v: minimal big-endian two's complement. */
static size_t big_bytes(lh_i128 v, uint8_t out[17])
{
    uint8_t b[16];
    for (int i = 0; i < 16; i++)
        b[15 - i] = (uint8_t)((unsigned __int128)v >> (8 * i));
    int s = 0;
    while (s < 15 && ((b[s] == 0x00 && !(b[s + 1] & 0x80)) || (b[s] == 0xFF && (b[s + 1] & 0x80))))
        s++;
    memcpy(out, b + s, (size_t)(16 - s));
    return (size_t)(16 - s);
}

typedef uint64_t (*val_hash_fn)(const lh_value_t *v, uint64_t seed);

/* The elements of an ARRAY, the entries of a MAP (key, then value) or the fields of a STRUCT
 * value, each hashed into the running seed by h; NULLs leave it (Spark's HashExpression). */
static uint64_t nested_hash(const lh_value_t *v, uint64_t seed, val_hash_fn h)
{
    lh_value_t e;
    if (v->type.id == LH_TYPE_ARRAY) {
        lh_narray_t a;
        lh_narray_open(v->type.nested->elem, v->v.str, &a);
        for (uint32_t k = 0; k < a.count; k++) {
            lh_narray_get(&a, k, &e);
            if (!e.is_null)
                seed = h(&e, seed);
        }
    } else if (v->type.id == LH_TYPE_MAP) {
        lh_narray_t ks, vs;
        lh_nmap_open(v->type, v->v.str, &ks, &vs);
        for (uint32_t k = 0; k < ks.count; k++) {
            lh_narray_get(&ks, k, &e);
            seed = h(&e, seed);
            lh_narray_get(&vs, k, &e);
            if (!e.is_null)
                seed = h(&e, seed);
        }
    } else {
        for (int f = 0; f < v->type.nested->field_count; f++) {
            lh_nstruct_get(v->type, v->v.str, f, &e);
            if (!e.is_null)
                seed = h(&e, seed);
        }
    }
    return seed;
}

static uint64_t mm_val(const lh_value_t *v, uint64_t seed64)
{
    uint32_t seed = (uint32_t)seed64;
    switch (v->type.id) {
    case LH_TYPE_NULL:
        return seed;
    case LH_TYPE_BOOLEAN:
    case LH_TYPE_BYTE:
    case LH_TYPE_SHORT:
    case LH_TYPE_INT:
    case LH_TYPE_DATE:
    case LH_TYPE_INTERVAL_YM:
        return mm_int((uint32_t)v->v.i64, seed);
    case LH_TYPE_FLOAT: {
        float f = (float)v->v.f64;
        uint32_t bits;
        if (f == 0)
            f = 0;
        if (isnan(f))
            bits = 0x7fc00000u;
        else
            memcpy(&bits, &f, 4);
        return mm_int(bits, seed);
    }
    case LH_TYPE_DOUBLE: {
        double d = v->v.f64;
        uint64_t bits;
        if (d == 0)
            d = 0;
        if (isnan(d))
            bits = 0x7ff8000000000000ULL;
        else
            memcpy(&bits, &d, 8);
        return mm_long(bits, seed);
    }
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
        return lh_murmur3_bytes(v->v.str.ptr, v->v.str.len, seed);
    case LH_TYPE_DECIMAL:
        if (v->type.precision <= 18)
            return mm_long((uint64_t)v->v.i64, seed);
        uint8_t b[17];
        return lh_murmur3_bytes(b, big_bytes(v->v.i128, b), seed);
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT:
        return (uint32_t)nested_hash(v, seed, mm_val);
    default:
        return mm_long((uint64_t)v->v.i64, seed);
    }
}

static uint64_t xx_val(const lh_value_t *v, uint64_t seed)
{
    uint8_t b[17];
    size_t n;
    switch (v->type.id) {
    case LH_TYPE_NULL:
        return seed;
    case LH_TYPE_BOOLEAN:
    case LH_TYPE_BYTE:
    case LH_TYPE_SHORT:
    case LH_TYPE_INT:
    case LH_TYPE_DATE:
    case LH_TYPE_INTERVAL_YM:
    case LH_TYPE_FLOAT: {
        uint32_t x;
        if (v->type.id == LH_TYPE_FLOAT) {
            float f = (float)v->v.f64;
            if (f == 0)
                f = 0;
            memcpy(&x, &f, 4);
        } else {
            x = (uint32_t)v->v.i64;
        }
        memcpy(b, &x, 4);
        return XXH64(b, 4, seed);
    }
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
        return XXH64(v->v.str.ptr, v->v.str.len, seed);
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT:
        return nested_hash(v, seed, xx_val);
    case LH_TYPE_DECIMAL:
        if (v->type.precision > 18) {
            n = big_bytes(v->v.i128, b);
            return XXH64(b, n, seed);
        }
        /* fall through */
    default: {
        uint64_t x;
        if (v->type.id == LH_TYPE_DOUBLE) {
            double d = v->v.f64;
            if (d == 0)
                d = 0;
            memcpy(&x, &d, 8);
        } else {
            x = (uint64_t)v->v.i64;
        }
        memcpy(b, &x, 8);
        return XXH64(b, 8, seed);
    }
    }
}

static uint32_t mm_value(const lh_vec_t *v, size_t i, uint32_t seed)
{
    lh_value_t val = fn_get(v, i);
    return (uint32_t)mm_val(&val, seed);
}

static uint64_t xx_value(const lh_vec_t *v, size_t i, uint64_t seed)
{
    lh_value_t val = fn_get(v, i);
    return xx_val(&val, seed);
}

static lh_err b_hash(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->ret_type = fn_type(LH_TYPE_INT);
    b->ret_nullable = false;
    return LH_OK;
}
static lh_err b_xxhash(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->ret_type = fn_type(LH_TYPE_LONG);
    b->ret_nullable = false;
    return LH_OK;
}

static lh_err x_hash(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        uint32_t h = 42;
        for (int k = 0; k < x->arg_count; k++)
            if (!fn_null(x->args[k], i))
                h = mm_value(x->args[k], i, h);
        fn_put_i64(x->out, i, (int32_t)h);
    }
    return LH_OK;
}

static lh_err x_xxhash(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        uint64_t h = 42;
        for (int k = 0; k < x->arg_count; k++)
            if (!fn_null(x->args[k], i))
                h = xx_value(x->args[k], i, h);
        fn_put_i64(x->out, i, (int64_t)h);
    }
    return LH_OK;
}

/* ---- digests ---- */

static lh_err b_digest(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->cast_to[0] = fn_type(LH_TYPE_BINARY);
    if (b->arg_count > 1)
        b->cast_to[1] = fn_type(LH_TYPE_INT);
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = true;
    return LH_OK;
}

static void to_hex_lower(const uint8_t *d, size_t n, char *o)
{
    static const char h[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++)
        o[2 * i] = h[d[i] >> 4], o[2 * i + 1] = h[d[i] & 15];
}

static lh_err digest(const lh_func_exec_t *x, const EVP_MD *fixed, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        const EVP_MD *md = fixed;
        if (md == NULL) { /* sha2(bits) */
            int64_t bits = fn_i64(x->args[1], i);
            md = bits == 224                ? EVP_sha224()
                 : bits == 256 || bits == 0 ? EVP_sha256()
                 : bits == 384              ? EVP_sha384()
                 : bits == 512              ? EVP_sha512()
                                            : NULL;
            if (md == NULL) {
                LH_TRY(fn_put_null(x->out, i));
                continue;
            }
        }
        lh_sv_t s = fn_str(x->args[0], i);
        uint8_t d[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        LH_FAIL_IF(!EVP_Digest(s.ptr, s.len, d, &n, md, NULL), LH_E_INTERNAL, eb, "digest failed");
        char hex[2 * EVP_MAX_MD_SIZE];
        to_hex_lower(d, n, hex);
        LH_TRY(fn_put_str(x->out, i, hex, 2 * n));
    }
    return LH_OK;
}

static lh_err x_md5(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return digest(x, EVP_md5(), eb);
}
static lh_err x_sha1(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return digest(x, EVP_sha1(), eb);
}
static lh_err x_sha2(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return digest(x, NULL, eb);
}

static lh_err b_crc32(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->cast_to[0] = fn_type(LH_TYPE_BINARY);
    b->ret_type = fn_type(LH_TYPE_LONG);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_crc32(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i);
        uint32_t c = 0xFFFFFFFFu;
        for (uint32_t k = 0; k < s.len; k++) {
            c ^= s.ptr[k];
            for (int j = 0; j < 8; j++)
                c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
        }
        fn_put_i64(x->out, i, (int64_t)(c ^ 0xFFFFFFFFu));
    }
    return LH_OK;
}

/* ---- base64 / hex ---- */

static lh_err b_to_string(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->cast_to[0] = fn_type(LH_TYPE_BINARY);
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = true;
    return LH_OK;
}
static lh_err b_to_binary1(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->cast_to[0] = fn_type(LH_TYPE_STRING);
    b->ret_type = fn_type(LH_TYPE_BINARY);
    b->ret_nullable = true;
    return LH_OK;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t fn_b64_encode(const uint8_t *p, size_t n, char *o)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        o[k++] = B64[v >> 18], o[k++] = B64[(v >> 12) & 63];
        o[k++] = i + 1 < n ? B64[(v >> 6) & 63] : '=';
        o[k++] = i + 2 < n ? B64[v & 63] : '=';
    }
    return k;
}

bool fn_b64_decode(const uint8_t *p, size_t n, uint8_t *o, size_t *on)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *c = p[i] ? strchr(B64, p[i]) : NULL;
        if (p[i] == '=')
            break;
        if (c == NULL)
            continue;
        acc = acc << 6 | (uint32_t)(c - B64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            o[k++] = (uint8_t)(acc >> bits);
        }
    }
    *on = k;
    return true;
}

static int hexv(int c)
{
    return c >= '0' && c <= '9'                 ? c - '0'
           : (c | 32) >= 'a' && (c | 32) <= 'f' ? (c | 32) - 'a' + 10
                                                : -1;
}

/* unhex: odd length gets a leading 0 nibble; invalid -> false. */
static bool unhex(const uint8_t *p, size_t n, uint8_t *o, size_t *on)
{
    size_t k = 0, i = 0;
    if (n % 2) {
        int v = hexv(p[0]);
        if (v < 0)
            return false;
        o[k++] = (uint8_t)v;
        i = 1;
    }
    for (; i < n; i += 2) {
        int h = hexv(p[i]), l = hexv(p[i + 1]);
        if (h < 0 || l < 0)
            return false;
        o[k++] = (uint8_t)(h << 4 | l);
    }
    *on = k;
    return true;
}

/* base64() as Spark's (Java's MIME encoder): lines of 76 characters joined by CRLF, unless
 * spark.sql.chunkBase64String.enabled is false. o has room for 2 * n + 8 bytes. */
static size_t b64_mime(const uint8_t *p, size_t n, char *o, bool chunk)
{
    size_t k = fn_b64_encode(p, n, o);
    if (!chunk || k <= 76)
        return k;
    size_t lines = (k - 1) / 76; /* CRLFs to insert */
    for (size_t src = k, dst = k + 2 * lines; lines > 0; lines--) {
        size_t tail = src - 76 * lines; /* characters of the line after this break */
        memmove(o + dst - tail, o + src - tail, tail);
        dst -= tail, src -= tail;
        o[--dst] = '\n', o[--dst] = '\r';
    }
    return k + 2 * ((k - 1) / 76);
}

typedef enum { C_BASE64, C_UNBASE64, C_HEX, C_UNHEX } codec_t;

static lh_err codec(const lh_func_exec_t *x, codec_t c, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        const lh_vec_t *a = x->args[0];
        if (c == C_HEX && a->type.id != LH_TYPE_STRING && a->type.id != LH_TYPE_BINARY) {
            char buf[24];
            int n = snprintf(buf, sizeof buf, "%llX", (unsigned long long)fn_i64(a, i));
            LH_TRY(fn_put_str(x->out, i, buf, (size_t)n));
            continue;
        }
        lh_sv_t s = fn_str(a, i);
        char *o = malloc(2 * (size_t)s.len + 8);
        LH_FAIL_IF(o == NULL, LH_E_NOMEM, eb, "out of memory");
        size_t n = 0;
        bool ok = true;
        if (c == C_BASE64)
            n = b64_mime(s.ptr, s.len, o, x->conf == NULL || !x->conf->b64_unchunked);
        else if (c == C_UNBASE64)
            ok = fn_b64_decode(s.ptr, s.len, (uint8_t *)o, &n);
        else if (c == C_HEX)
            for (uint32_t k = 0; k < s.len; k++)
                n += (size_t)sprintf(o + n, "%02X", s.ptr[k]);
        else
            ok = unhex(s.ptr, s.len, (uint8_t *)o, &n);
        lh_err e = ok ? fn_put_str(x->out, i, o, n) : fn_put_null(x->out, i);
        free(o);
        LH_TRY(e);
    }
    return LH_OK;
}

static lh_err x_base64(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return codec(x, C_BASE64, eb);
}
static lh_err x_unbase64(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return codec(x, C_UNBASE64, eb);
}
static lh_err x_hex(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return codec(x, C_HEX, eb);
}
static lh_err x_unhex(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return codec(x, C_UNHEX, eb);
}

static lh_err b_hex(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_id id = b->arg_types[0].id;
    if (id != LH_TYPE_STRING && id != LH_TYPE_BINARY)
        b->cast_to[0] = fn_type(LH_TYPE_LONG);
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = true;
    return LH_OK;
}

/* ---- encode / decode with charsets ---- */

/* The charsets of encode/decode: Spark's list (the error names it), and with
 * spark.sql.legacy.javaCharsets a few more of Java's names, windows-1252 among them. */
enum { CS_LATIN1, CS_ASCII, CS_UTF16, CS_UTF16BE, CS_UTF16LE, CS_UTF32, CS_UTF8, CS_CP1252 };
static const char *const CHARSETS[] = {"iso-8859-1", "us-ascii", "utf-16", "utf-16be",
                                       "utf-16le",   "utf-32",   "utf-8"};
static const struct {
    const char *name;
    int cs;
} JAVA_CHARSETS[] = {
    {"ascii", CS_ASCII},         {"cp1252", CS_CP1252},    {"iso8859_1", CS_LATIN1},
    {"latin1", CS_LATIN1},       {"utf-32be", CS_UTF32},   {"utf8", CS_UTF8},
    {"utf_16be", CS_UTF16BE},    {"utf_16le", CS_UTF16LE}, {"utf_8", CS_UTF8},
    {"windows-1252", CS_CP1252},
};

static bool name_is(lh_sv_t s, const char *name)
{
    return strlen(name) == s.len && strncasecmp((const char *)s.ptr, name, s.len) == 0;
}

static int charset_of(lh_sv_t s, const lh_sql_conf_t *conf)
{
    for (int k = 0; k < (int)(sizeof CHARSETS / sizeof CHARSETS[0]); k++)
        if (name_is(s, CHARSETS[k]))
            return k;
    size_t n = sizeof JAVA_CHARSETS / sizeof JAVA_CHARSETS[0];
    for (size_t k = 0; conf && conf->java_charsets && k < n; k++)
        if (name_is(s, JAVA_CHARSETS[k].name))
            return JAVA_CHARSETS[k].cs;
    return -1;
}

static lh_err charset_error(const char *fname, lh_sv_t cs, lh_errbuf *eb)
{
    char c[128], f[32];
    snprintf(c, sizeof c, "%.*s", (int)(cs.len < 100 ? cs.len : 100), (const char *)cs.ptr);
    snprintf(f, sizeof f, "`%s`", fname);
    return lh_sqlerr(eb, "INVALID_PARAMETER_VALUE.CHARSET", "parameter", "`charset`",
                     "functionName", f, "charsets",
                     "iso-8859-1, us-ascii, utf-16, utf-16be, utf-16le, utf-32, utf-8", "charset",
                     c, NULL);
}

/* windows-1252's 0x80..0x9F (0: no character) */
static const uint16_t CP1252[32] = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

/* The byte of code point c in a one-byte charset, or -1 when it has none. */
static int byte_of(int cs, uint32_t c)
{
    if (c < 0x80 || (c <= 0xFF && cs == CS_LATIN1) || (c >= 0xA0 && c <= 0xFF && cs == CS_CP1252))
        return (int)c;
    for (int k = 0; cs == CS_CP1252 && k < 32; k++)
        if (CP1252[k] == c)
            return 0x80 + k;
    return -1;
}

/* The code points of the UTF-8 string s (each ill-formed part one U+FFFD, as Java's String
 * sees it) encoded in charset cs into o (>= 4 * s.len + 4 bytes). A character the charset
 * lacks is '?' when replace (Java's replacement), else the result is false. */
static bool encode_cs(int cs, lh_sv_t s, bool replace, uint8_t *o, size_t *on)
{
    size_t k = 0, bad;
    if (cs == CS_UTF16)
        o[k++] = 0xFE, o[k++] = 0xFF; /* Java's UTF-16 encoder writes a BOM */
    for (size_t i = 0; i < s.len;) {
        size_t n = fn_utf8_seq(s.ptr + i, s.len - i, &bad);
        uint32_t c = 0xFFFD;
        if (n > 0) {
            c = s.ptr[i] & (n == 1 ? 0x7F : n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
            for (size_t j = 1; j < n; j++)
                c = c << 6 | (s.ptr[i + j] & 0x3F);
        }
        i += n > 0 ? n : bad;
        switch (cs) {
        case CS_LATIN1:
        case CS_ASCII:
        case CS_CP1252: {
            int b = byte_of(cs, c);
            if (b < 0 && !replace)
                return false;
            o[k++] = b < 0 ? '?' : (uint8_t)b;
            break;
        }
        case CS_UTF16:
        case CS_UTF16BE:
        case CS_UTF16LE: {
            uint16_t u[2];
            int nu = 1;
            if (c >= 0x10000) {
                u[0] = (uint16_t)(0xD800 + ((c - 0x10000) >> 10));
                u[1] = (uint16_t)(0xDC00 + ((c - 0x10000) & 0x3FF));
                nu = 2;
            } else {
                u[0] = (uint16_t)c;
            }
            for (int j = 0; j < nu; j++) {
                bool le = cs == CS_UTF16LE;
                o[k++] = (uint8_t)(le ? u[j] : u[j] >> 8);
                o[k++] = (uint8_t)(le ? u[j] >> 8 : u[j]);
            }
            break;
        }
        case CS_UTF32:
            o[k++] = (uint8_t)(c >> 24), o[k++] = (uint8_t)(c >> 16);
            o[k++] = (uint8_t)(c >> 8), o[k++] = (uint8_t)c;
            break;
        default: /* UTF-8 */
            k += fn_utf8_put(c, o + k);
        }
    }
    *on = k;
    return true;
}

/* UTF-16 code unit at p */
static uint32_t u16_at(const uint8_t *p, bool le)
{
    return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 : (uint32_t)p[0] << 8 | p[1];
}

/* Bytes in charset cs to UTF-8 (o >= 3 * s.len + 4). A malformed or unmappable input is
 * U+FFFD when replace (Java's decoders), else the result is SIZE_MAX. */
static size_t decode_cs(int cs, lh_sv_t s, bool replace, uint8_t *o)
{
    size_t k = 0, i = 0, bad;
    bool le = cs == CS_UTF16LE;
    if (cs == CS_UTF16 && s.len >= 2 &&
        ((s.ptr[0] == 0xFF && s.ptr[1] == 0xFE) || (s.ptr[0] == 0xFE && s.ptr[1] == 0xFF)))
        le = s.ptr[0] == 0xFF, i = 2;
    if (cs == CS_UTF32 && s.len >= 4 && s.ptr[0] == 0 && s.ptr[1] == 0 && s.ptr[2] == 0xFE &&
        s.ptr[3] == 0xFF)
        i = 4;
    while (i < s.len) {
        uint32_t c = UINT32_MAX; /* malformed */
        if (cs == CS_LATIN1 || cs == CS_ASCII || cs == CS_CP1252) {
            c = s.ptr[i++];
            if (c >= 0x80 && cs == CS_ASCII)
                c = UINT32_MAX;
            else if (c >= 0x80 && c < 0xA0 && cs == CS_CP1252)
                c = CP1252[c - 0x80] ? CP1252[c - 0x80] : UINT32_MAX;
        } else if (cs == CS_UTF8) {
            size_t n = fn_utf8_seq(s.ptr + i, s.len - i, &bad);
            if (n > 0) {
                memcpy(o + k, s.ptr + i, n);
                k += n, i += n;
                continue;
            }
            i += bad;
        } else if (cs == CS_UTF32) {
            if (i + 3 < s.len) {
                c = (uint32_t)s.ptr[i] << 24 | (uint32_t)s.ptr[i + 1] << 16 |
                    (uint32_t)s.ptr[i + 2] << 8 | s.ptr[i + 3];
                if (c > 0x10FFFF || (c >= 0xD800 && c < 0xE000))
                    c = UINT32_MAX;
            }
            i = i + 3 < s.len ? i + 4 : s.len;
        } else if (i + 1 >= s.len) { /* UTF-16: an odd byte at the end */
            i = s.len;
        } else {
            c = u16_at(s.ptr + i, le);
            i += 2;
            if (c >= 0xDC00 && c < 0xE000) {
                c = UINT32_MAX; /* a low surrogate alone */
            } else if (c >= 0xD800 && c < 0xDC00) {
                uint32_t lo = i + 1 < s.len ? u16_at(s.ptr + i, le) : 0;
                if (lo >= 0xDC00 && lo < 0xE000)
                    c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00), i += 2;
                else
                    c = UINT32_MAX; /* a high surrogate alone: the next unit is read anew */
            }
        }
        if (c == UINT32_MAX) {
            if (!replace)
                return SIZE_MAX;
            c = 0xFFFD;
        }
        k += fn_utf8_put(c, o + k);
    }
    return k;
}

static lh_err b_encode(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->cast_to[0] = b->cast_to[1] = fn_type(LH_TYPE_STRING);
    b->ret_type = fn_type(LH_TYPE_BINARY);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_encode(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i), c = fn_str(x->args[1], i);
        int cs = charset_of(c, x->conf);
        if (cs < 0)
            return charset_error("encode", c, eb);
        uint8_t *o = malloc(4 * (size_t)s.len + 4);
        LH_FAIL_IF(o == NULL, LH_E_NOMEM, eb, "out of memory");
        size_t n;
        if (!encode_cs(cs, s, x->conf && x->conf->coding_replace, o, &n)) {
            free(o);
            char cn[16];
            snprintf(cn, sizeof cn, "%.*s", (int)(c.len < 15 ? c.len : 15), (const char *)c.ptr);
            return lh_sqlerr(eb, "MALFORMED_CHARACTER_CODING", "function", "`encode`", "charset",
                             cn, NULL);
        }
        lh_err e = fn_put_str(x->out, i, o, n);
        free(o);
        LH_TRY(e);
    }
    return LH_OK;
}

/* decode(bin, charset) or decode(expr, search, result, ..., default) */
static lh_err b_decode(lh_func_bind_t *b, lh_errbuf *eb)
{
    if (b->arg_count == 2) {
        b->cast_to[0] = fn_type(LH_TYPE_BINARY);
        b->cast_to[1] = fn_type(LH_TYPE_STRING);
        b->ret_type = fn_type(LH_TYPE_STRING);
        b->ret_nullable = true;
        return LH_OK;
    }
    if (b->arg_count < 3) {
        char an[16];
        snprintf(an, sizeof an, "%d", b->arg_count);
        return lh_sqlerr(eb, "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "functionName", "`decode`",
                         "expectedNum", "2", "actualNum", an, "docroot",
                         "https://spark.apache.org/docs/latest", NULL);
    }
    lh_type_t key = b->arg_types[0], res = b->arg_types[2];
    for (int i = 1; i < b->arg_count; i += 2) {
        if (i + 1 < b->arg_count) {
            lh_type_common(key, b->arg_types[i], &key);
            lh_type_common(res, b->arg_types[i + 1], &res);
        } else {
            lh_type_common(res, b->arg_types[i], &res);
        }
    }
    for (int i = 0; i < b->arg_count; i++)
        b->cast_to[i] = (i == 0 || (i % 2 == 1 && i + 1 < b->arg_count)) ? key : res;
    b->ret_type = res;
    b->ret_nullable = true;
    int *mode = lh_arena_alloc(b->arena, sizeof *mode);
    *mode = 1;
    b->bind_data = mode;
    return LH_OK;
}

static lh_err x_decode(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (x->bind_data) {
            lh_value_t k = fn_get(x->args[0], i), r = {.is_null = true};
            int a = 1;
            for (; a + 1 < x->arg_count; a += 2) {
                lh_value_t s = fn_get(x->args[a], i);
                if ((k.is_null && s.is_null) ||
                    (!k.is_null && !s.is_null && lh_value_compare(&k, &s) == 0)) {
                    r = fn_get(x->args[a + 1], i);
                    break;
                }
            }
            if (a + 1 >= x->arg_count && a < x->arg_count)
                r = fn_get(x->args[a], i);
            LH_TRY(fn_put(x->out, i, &r));
            continue;
        }
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i), c = fn_str(x->args[1], i);
        int cs = charset_of(c, x->conf);
        if (cs < 0)
            return charset_error("decode", c, eb);
        uint8_t *o = malloc(3 * (size_t)s.len + 4);
        LH_FAIL_IF(o == NULL, LH_E_NOMEM, eb, "out of memory");
        size_t n = decode_cs(cs, s, x->conf && x->conf->coding_replace, o);
        if (n == SIZE_MAX) {
            free(o);
            char cn[16];
            snprintf(cn, sizeof cn, "%.*s", (int)(c.len < 15 ? c.len : 15), (const char *)c.ptr);
            return lh_sqlerr(eb, "MALFORMED_CHARACTER_CODING", "function", "`decode`", "charset",
                             cn, NULL);
        }
        lh_err e = fn_put_str(x->out, i, o, n);
        free(o);
        LH_TRY(e);
    }
    return LH_OK;
}

/* to_binary(str[, fmt]): fmt a foldable, case-insensitive 'hex' (the default), 'utf-8',
 * 'utf8' or 'base64' (a constant of another type counts as its text, as Spark's implicit cast
 * makes it); a NULL fmt makes every result NULL. base64 is checked as Spark's UnBase64 with
 * failOnError does (RFC 4648 groups, whitespace between symbols, padding only at the end of
 * a group of 4), then decoded leniently like Java's MIME decoder. try_to_binary gives NULL
 * for input that does not convert and for a format that is none of those (a non-foldable
 * format stays an error). */
enum { TB_HEX, TB_UTF8, TB_B64, TB_NULL, TB_TRY = 16 };

static lh_err bind_to_binary(lh_func_bind_t *b, bool try_, lh_errbuf *eb)
{
    b->cast_to[0] = fn_type(LH_TYPE_STRING);
    int *k = lh_arena_alloc(b->arena, sizeof *k);
    *k = TB_HEX;
    if (b->arg_count > 1) {
        const lh_value_t *f = b->const_args ? b->const_args[1] : NULL;
        char sqlexpr[160];
        snprintf(sqlexpr, sizeof sqlexpr, "\"%s\"",
                 b->sql ? b->sql
                 : try_ ? "try_to_binary(...)"
                        : "to_binary(...)");
        if (f == NULL) {
            char in[160];
            snprintf(in, sizeof in, "\"%s\"",
                     lh_func_arg_sql(b, 1) ? lh_func_arg_sql(b, 1) : "fmt");
            return lh_sqlerr(eb, "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", "sqlExpr", sqlexpr,
                             "inputName", "`fmt`", "inputType", "\"STRING\"", "inputExpr", in,
                             NULL);
        }
        if (f->is_null || f->type.id == LH_TYPE_NULL) {
            *k = TB_NULL;
        } else {
            char buf[LH_FMT_MAX], fmt[40];
            const char *txt = buf;
            size_t n = f->type.id == LH_TYPE_STRING
                           ? (txt = (const char *)f->v.str.ptr, f->v.str.len)
                           : lh_format_value(f, NULL, LH_FMT_CAST, buf, &txt);
            size_t m = n < sizeof fmt - 1 ? n : sizeof fmt - 1;
            for (size_t i = 0; i < m; i++)
                fmt[i] = (char)tolower((unsigned char)txt[i]);
            fmt[m] = '\0';
            *k = n != m                                                  ? -1
                 : strcmp(fmt, "hex") == 0                               ? TB_HEX
                 : strcmp(fmt, "utf-8") == 0 || strcmp(fmt, "utf8") == 0 ? TB_UTF8
                 : strcmp(fmt, "base64") == 0                            ? TB_B64
                                                                         : -1;
            if (*k < 0 && try_)
                *k = TB_NULL;
            if (*k < 0) {
                char v[48];
                snprintf(v, sizeof v, "'%s'", fmt);
                return lh_sqlerr(eb, "DATATYPE_MISMATCH.INVALID_ARG_VALUE", "sqlExpr", sqlexpr,
                                 "inputName", "fmt", "requireType", "case-insensitive \"STRING\"",
                                 "validValues", "'hex', 'utf-8', 'utf8', or 'base64'", "inputValue",
                                 v, NULL);
            }
            b->cast_to[1] = fn_type(LH_TYPE_STRING);
        }
    }
    if (try_)
        *k |= TB_TRY;
    b->bind_data = k;
    b->ret_type = fn_type(LH_TYPE_BINARY);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err b_to_binary(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_to_binary(b, false, eb);
}

static lh_err b_try_to_binary(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_to_binary(b, true, eb);
}

/* Java's Character.isWhitespace for ASCII */
static bool b64_space(uint8_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x1F);
}

/* Spark's UnBase64.isValidBase64: groups of 4 symbols, the last of 2..4 symbols; padding
 * (at most 2 '=') only after 2 or more symbols of a group, completing it to 4, and nothing
 * (not even whitespace) after it. */
static bool b64_strict(const uint8_t *p, size_t n)
{
    size_t pos = 0, pad = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            c == '+' || c == '/') {
            if (pad != 0)
                return false;
            pos++;
        } else if (c == '=') {
            if (++pad > 2 || pos % 4 < 2)
                return false;
        } else if (!b64_space(c) || pad != 0) {
            return false;
        }
    }
    return pad > 0 ? (pos + pad) % 4 == 0 : pos % 4 != 1;
}

static lh_err x_to_binary(const lh_func_exec_t *x, lh_errbuf *eb)
{
    int k = x->bind_data ? *(const int *)x->bind_data : TB_HEX;
    bool try_ = (k & TB_TRY) != 0;
    k &= ~TB_TRY;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (k == TB_NULL) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i);
        uint8_t *o = malloc((size_t)s.len + 4);
        LH_FAIL_IF(o == NULL, LH_E_NOMEM, eb, "out of memory");
        size_t n = s.len;
        bool ok = true;
        if (k == TB_HEX)
            ok = unhex(s.ptr, s.len, o, &n);
        else if (k == TB_UTF8)
            memcpy(o, s.ptr, s.len);
        else
            ok = b64_strict(s.ptr, s.len) && fn_b64_decode(s.ptr, s.len, o, &n);
        if (!ok && try_) {
            free(o);
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        if (!ok) {
            free(o);
            char v[300];
            snprintf(v, sizeof v, "'%.*s'", (int)(s.len < 280 ? s.len : 280), (const char *)s.ptr);
            return lh_sqlerr(eb, "CONVERSION_INVALID_INPUT", "str", v, "fmt",
                             k == TB_HEX ? "'HEX'" : "'BASE64'", "targetType", "\"BINARY\"",
                             "suggestion", "`try_to_binary`", NULL);
        }
        lh_err e = fn_put_str(x->out, i, o, n);
        free(o);
        LH_TRY(e);
    }
    return LH_OK;
}

static lh_err b_luhn(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->cast_to[0] = fn_type(LH_TYPE_STRING);
    b->ret_type = fn_type(LH_TYPE_BOOLEAN);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_luhn(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i);
        int sum = 0;
        bool ok = s.len > 0;
        for (uint32_t k = 0; ok && k < s.len; k++) {
            int d = s.ptr[s.len - 1 - k] - '0';
            if (d < 0 || d > 9)
                ok = false;
            else
                sum += k % 2 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d;
        }
        fn_put_i64(x->out, i, ok && sum % 10 == 0);
    }
    return LH_OK;
}

#define F(name, lo, hi, bind, exec)                                                                \
    {                                                                                              \
        name, LH_FUNC_SCALAR, lo, hi, bind, exec, true                                             \
    }
const lh_func_t lh_fn_hash[] = {
    F("base64", 1, 1, b_to_string, x_base64),
    F("crc32", 1, 1, b_crc32, x_crc32),
    F("decode", 0, -1, b_decode, x_decode),
    F("encode", 2, 2, b_encode, x_encode),
    F("hash", 0, -1, b_hash, x_hash),
    F("hex", 1, 1, b_hex, x_hex),
    F("luhn_check", 1, 1, b_luhn, x_luhn),
    F("md5", 1, 1, b_digest, x_md5),
    F("sha", 1, 1, b_digest, x_sha1),
    F("sha1", 1, 1, b_digest, x_sha1),
    F("sha2", 2, 2, b_digest, x_sha2),
    F("to_binary", 1, 2, b_to_binary, x_to_binary),
    F("try_to_binary", 1, 2, b_try_to_binary, x_to_binary),
    F("unbase64", 1, 1, b_to_binary1, x_unbase64),
    F("unhex", 1, 1, b_to_binary1, x_unhex),
    F("xxhash64", 0, -1, b_xxhash, x_xxhash),
};
FN_COUNT(lh_fn_hash);
