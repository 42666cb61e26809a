/*
 * pq_decode.c - Parquet encodings (see pq_decode.h) and physical-to-logical conversions.
 *
 * Layout notes: hybrid runs start with a ULEB header h (h&1: h>>1 groups of 8 bit-packed
 * values, LSB first; else an RLE run of h>>1 copies of a ceil(w/8)-byte value).
 * DELTA_BINARY_PACKED: <block> <miniblocks> <count> <zigzag first>, then per block a
 * zigzag min delta, one width byte per miniblock and the packed miniblocks; arithmetic
 * wraps (32-bit for INT32).
 */
#include "storage/parquet/pq_decode.h"

#include <string.h>

#include "storage/parquet/pq_meta.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the Parquet decoder assumes a little-endian host"
#endif

#define CORRUPT(eb, ...) lh_err_set((eb), LH_E_CORRUPT, __FILE__, __LINE__, __VA_ARGS__)

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint32_t load32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

int pq_bit_width(uint64_t max)
{
    int w = 0;
    while (max) {
        w++;
        max >>= 1;
    }
    return w;
}

/* 8 values of w <= 32 bits from g, which has at least w + 8 readable bytes. */
static inline void unpack8_fast(const uint8_t *g, int w, uint32_t *out)
{
    uint64_t mask = ((uint64_t)1 << w) - 1;
    for (int j = 0; j < 8; j++) {
        unsigned bit = (unsigned)(j * w);
        out[j] = (uint32_t)((load64(g + (bit >> 3)) >> (bit & 7)) & mask);
    }
}

/* 8 values of w <= 32 bits from g, which has at least w readable bytes. */
static inline void unpack8_u32(const uint8_t *g, const uint8_t *end, int w, uint32_t *out)
{
    if (w == 0) {
        memset(out, 0, 8 * sizeof *out);
        return;
    }
    if (end - g >= w + 8) {
        unpack8_fast(g, w, out);
        return;
    }
    uint8_t pad[48] = {0};
    memcpy(pad, g, (size_t)w);
    unpack8_fast(pad, w, out);
}

/* 8 values of w <= 64 bits from g, which has at least w readable bytes. */
static void unpack8_u64(const uint8_t *g, const uint8_t *end, int w, uint64_t *out)
{
    uint8_t pad[80] = {0};
    if (end - g < w + 16) {
        memcpy(pad, g, (size_t)w);
        g = pad;
    }
    uint64_t mask = w == 64 ? ~(uint64_t)0 : ((uint64_t)1 << w) - 1;
    for (int j = 0; j < 8; j++) {
        unsigned bit = (unsigned)(j * w), b = bit >> 3, s = bit & 7;
        uint64_t v = load64(g + b) >> s;
        if (s + (unsigned)w > 64)
            v |= (uint64_t)g[b + 8] << (64 - s);
        out[j] = v & mask;
    }
}

/* Whole groups of a bit-packed run. Groups with 8 bytes of slack after them take the fast
 * path; a switch on the common widths lets the compiler specialise the shifts. */
#define UNPACK_CASE(W)                                                                             \
    case W:                                                                                        \
        for (; g < groups && end - p >= (W) + 8; g++, p += (W), out += 8)                          \
            unpack8_fast(p, W, out);                                                               \
        break

static void unpack_groups(const uint8_t *p, const uint8_t *end, int w, uint32_t *out, size_t groups)
{
    size_t g = 0;
    switch (w) {
        UNPACK_CASE(1);
        UNPACK_CASE(2);
        UNPACK_CASE(3);
        UNPACK_CASE(4);
        UNPACK_CASE(5);
        UNPACK_CASE(6);
        UNPACK_CASE(7);
        UNPACK_CASE(8);
        UNPACK_CASE(9);
        UNPACK_CASE(10);
        UNPACK_CASE(11);
        UNPACK_CASE(12);
        UNPACK_CASE(13);
        UNPACK_CASE(14);
        UNPACK_CASE(15);
        UNPACK_CASE(16);
        UNPACK_CASE(17);
        UNPACK_CASE(18);
        UNPACK_CASE(19);
        UNPACK_CASE(20);
    default:
        break;
    }
    for (; g < groups; g++, p += w, out += 8)
        unpack8_u32(p, end, w, out);
}

static lh_err uleb(const uint8_t **p, const uint8_t *end, uint64_t *out, lh_errbuf *eb)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p >= end)
            return CORRUPT(eb, "parquet: truncated varint");
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return LH_OK;
        }
    }
    return CORRUPT(eb, "parquet: varint too long");
}

static lh_err zigzag(const uint8_t **p, const uint8_t *end, uint64_t *out, lh_errbuf *eb)
{
    uint64_t u;
    LH_TRY(uleb(p, end, &u, eb));
    *out = (u >> 1) ^ (0 - (u & 1));
    return LH_OK;
}

/* ---- RLE / bit-packed hybrid ------------------------------------------------------------ */

void pq_rle_init(pq_rle_t *r, const uint8_t *p, size_t len, int bit_width)
{
    memset(r, 0, sizeof *r);
    r->p = p;
    r->end = p + len;
    r->bit_width = bit_width;
}

static lh_err rle_next_run(pq_rle_t *r, lh_errbuf *eb)
{
    uint64_t h;
    LH_TRY(uleb(&r->p, r->end, &h, eb));
    uint64_t n = h >> 1;
    int w = r->bit_width;
    if (h & 1) {
        if (n > UINT32_MAX / 8 || n * (uint64_t)w > (uint64_t)(r->end - r->p))
            return CORRUPT(eb, "parquet: bit-packed run past the end of its data");
        /* Encoders switch to an RLE run after 8 repeats, so a zero-width bit-packed run
         * longer than one group only comes from a broken writer (ARROW-GH-43605). */
        if (w == 0 && n > 1)
            return CORRUPT(eb, "parquet: bit-packed run of %llu groups with bit width 0",
                           (unsigned long long)n);
        r->bp = r->p;
        r->bp_left = (uint32_t)(n * 8);
        r->p += n * (uint64_t)w;
        return LH_OK;
    }
    size_t vb = ((size_t)w + 7) / 8;
    if (n > UINT32_MAX || vb > (size_t)(r->end - r->p))
        return CORRUPT(eb, "parquet: bad RLE run");
    uint32_t v = 0;
    for (size_t i = 0; i < vb; i++)
        v |= (uint32_t)r->p[i] << (8 * i);
    r->p += vb;
    r->rle_left = (uint32_t)n;
    r->rle_value = v;
    return LH_OK;
}

lh_err pq_rle_get(pq_rle_t *r, uint32_t *out, size_t n, lh_errbuf *eb)
{
    const int w = r->bit_width;
    while (n > 0) {
        if (r->buf_pos < r->buf_len) {
            *out++ = r->buf[r->buf_pos++];
            n--;
        } else if (r->rle_left > 0) {
            size_t k = n < r->rle_left ? n : r->rle_left;
            for (size_t i = 0; i < k; i++)
                out[i] = r->rle_value;
            out += k;
            n -= k;
            r->rle_left -= (uint32_t)k;
        } else if (r->bp_left > 0) {
            size_t groups = (n < r->bp_left ? n : r->bp_left) / 8;
            if (groups > 0) {
                unpack_groups(r->bp, r->end, w, out, groups);
                r->bp += groups * (size_t)w;
                r->bp_left -= (uint32_t)(groups * 8);
                out += groups * 8;
                n -= groups * 8;
            }
            if (n > 0 && r->bp_left > 0) {
                unpack8_u32(r->bp, r->end, w, r->buf);
                r->bp += w;
                r->bp_left -= 8;
                r->buf_pos = 0;
                r->buf_len = 8;
            }
        } else {
            LH_TRY(rle_next_run(r, eb));
        }
    }
    return LH_OK;
}

/* One RLE run of levels: fill and count in one pass. */
static lh_err levels_rle_run(pq_rle_t *r, int16_t *out, size_t k, int max_level, size_t *count,
                             lh_errbuf *eb)
{
    if (r->rle_value > (uint32_t)max_level)
        return CORRUPT(eb, "parquet: level %u above the maximum %d", r->rle_value, max_level);
    int16_t v = (int16_t)r->rle_value;
    for (size_t i = 0; i < k; i++)
        out[i] = v;
    if (r->rle_value == (uint32_t)max_level)
        *count += k;
    r->rle_left -= (uint32_t)k;
    return LH_OK;
}

lh_err pq_rle_levels(pq_rle_t *r, int16_t *out, size_t n, int max_level, size_t *count_max,
                     lh_errbuf *eb)
{
    size_t count = 0;
    uint32_t tmp[256], bad = 0;
    while (n > 0) {
        if (r->rle_left > 0 && r->buf_pos >= r->buf_len) {
            size_t k = n < r->rle_left ? n : r->rle_left;
            LH_TRY(levels_rle_run(r, out, k, max_level, &count, eb));
            out += k;
            n -= k;
            continue;
        }
        size_t k = n < 256 ? n : 256;
        if (r->rle_left > 0 && r->buf_pos >= r->buf_len && r->rle_left < k)
            k = r->rle_left;
        LH_TRY(pq_rle_get(r, tmp, k, eb));
        for (size_t i = 0; i < k; i++) {
            bad |= tmp[i] > (uint32_t)max_level;
            count += tmp[i] == (uint32_t)max_level;
            out[i] = (int16_t)tmp[i];
        }
        if (bad)
            return CORRUPT(eb, "parquet: level above the maximum %d", max_level);
        out += k;
        n -= k;
    }
    if (count_max)
        *count_max = count;
    return LH_OK;
}

lh_err pq_bitpacked_levels(const uint8_t *p, size_t len, int bit_width, int16_t *out, size_t n,
                           int max_level, size_t *used, lh_errbuf *eb)
{
    uint64_t bits = (uint64_t)n * (uint64_t)bit_width;
    size_t bytes = (size_t)((bits + 7) / 8);
    if (bytes > len)
        return CORRUPT(eb, "parquet: BIT_PACKED levels past the end of the page");
    uint64_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = 0;
        for (int b = 0; b < bit_width; b++, pos++)
            v = (v << 1) | ((p[pos >> 3] >> (7 - (pos & 7))) & 1u);
        if (v > (uint32_t)max_level)
            return CORRUPT(eb, "parquet: level above the maximum %d", max_level);
        out[i] = (int16_t)v;
    }
    *used = bytes;
    return LH_OK;
}

/* ---- PLAIN ------------------------------------------------------------------------------ */

lh_err pq_plain_fixed(const uint8_t *p, size_t len, size_t width, size_t n, void *out,
                      lh_errbuf *eb)
{
    if (width != 0 && n > len / width)
        return CORRUPT(eb, "parquet: %zu PLAIN values of %zu bytes exceed the page", n, width);
    if (n > 0)
        memcpy(out, p, n * width);
    return LH_OK;
}

lh_err pq_plain_bool(const uint8_t *p, size_t len, size_t n, uint8_t *out, lh_errbuf *eb)
{
    if (n > len * 8)
        return CORRUPT(eb, "parquet: PLAIN booleans exceed the page");
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint8_t b = p[i >> 3];
        for (int j = 0; j < 8; j++)
            out[i + (size_t)j] = (b >> j) & 1;
    }
    for (; i < n; i++)
        out[i] = (p[i >> 3] >> (i & 7)) & 1;
    return LH_OK;
}

lh_err pq_plain_bytes(const uint8_t *p, size_t len, size_t n, lh_sv_t *out, size_t *used,
                      lh_errbuf *eb)
{
    const uint8_t *s = p, *end = p + len;
    for (size_t i = 0; i < n; i++) {
        if (end - s < 4)
            return CORRUPT(eb, "parquet: PLAIN BYTE_ARRAY value %zu past the page", i);
        uint32_t l = load32(s);
        s += 4;
        if (l > (size_t)(end - s))
            return CORRUPT(eb, "parquet: BYTE_ARRAY length %u past the page", l);
        out[i].ptr = s;
        out[i].len = l;
        s += l;
    }
    *used = (size_t)(s - p);
    return LH_OK;
}

lh_err pq_plain_flba(const uint8_t *p, size_t len, size_t width, size_t n, lh_sv_t *out,
                     lh_errbuf *eb)
{
    if (width == 0 || n > len / width)
        return CORRUPT(eb, "parquet: FIXED_LEN_BYTE_ARRAY values exceed the page");
    for (size_t i = 0; i < n; i++) {
        out[i].ptr = p + i * width;
        out[i].len = (uint32_t)width;
    }
    return LH_OK;
}

/* ---- DELTA_BINARY_PACKED ---------------------------------------------------------------- */

typedef struct dbp_hdr {
    uint64_t block, mbs, count, first, per;
} dbp_hdr;

static lh_err dbp_header(const uint8_t **p, const uint8_t *end, dbp_hdr *h, lh_errbuf *eb)
{
    LH_TRY(uleb(p, end, &h->block, eb));
    LH_TRY(uleb(p, end, &h->mbs, eb));
    LH_TRY(uleb(p, end, &h->count, eb));
    LH_TRY(zigzag(p, end, &h->first, eb));
    if (h->block == 0 || h->block % 128 != 0 || h->block > (1u << 20) || h->mbs == 0 ||
        h->block % h->mbs != 0 || (h->block / h->mbs) % 8 != 0)
        return CORRUPT(eb, "parquet: bad DELTA_BINARY_PACKED header (%llu/%llu)",
                       (unsigned long long)h->block, (unsigned long long)h->mbs);
    h->per = h->block / h->mbs;
    return LH_OK;
}

lh_err pq_dbp_peek_count(const uint8_t *p, const uint8_t *end, size_t *count, lh_errbuf *eb)
{
    dbp_hdr h;
    LH_TRY(dbp_header(&p, end, &h, eb));
    *count = (size_t)h.count;
    return LH_OK;
}

typedef struct dbp_out {
    bool is32;
    void *out;
    size_t cap, stored;
    uint64_t prev;
} dbp_out;

static inline void dbp_store(dbp_out *o, uint64_t v)
{
    if (o->is32)
        ((int32_t *)o->out)[o->stored++] = (int32_t)(uint32_t)v;
    else
        ((int64_t *)o->out)[o->stored++] = (int64_t)v;
}

/* Unpack one miniblock of `take` values (w bits each) at p and accumulate. */
static void dbp_miniblock(dbp_out *o, const uint8_t *p, const uint8_t *end, int w, size_t take,
                          uint64_t min_delta)
{
    uint64_t d[8];
    for (size_t i = 0; i < take; i += 8) {
        unpack8_u64(p + (i / 8) * (size_t)w, end, w, d);
        size_t k = take - i < 8 ? take - i : 8;
        for (size_t j = 0; j < k && o->stored < o->cap; j++) {
            o->prev += min_delta + d[j];
            if (o->is32)
                o->prev = (uint32_t)o->prev;
            dbp_store(o, o->prev);
        }
    }
}

static lh_err dbp_block(const uint8_t **pp, const uint8_t *end, const dbp_hdr *h, dbp_out *o,
                        uint64_t *remaining, lh_errbuf *eb)
{
    const uint8_t *p = *pp;
    uint64_t min_delta;
    LH_TRY(zigzag(&p, end, &min_delta, eb));
    if (h->mbs > (uint64_t)(end - p))
        return CORRUPT(eb, "parquet: DELTA_BINARY_PACKED widths past the end");
    const uint8_t *widths = p;
    p += h->mbs;
    int wmax = o->is32 ? 32 : 64;
    for (uint64_t m = 0; m<h->mbs && * remaining> 0; m++) {
        int w = widths[m];
        if (w > wmax)
            return CORRUPT(eb, "parquet: DELTA_BINARY_PACKED width %d", w);
        size_t take = *remaining < h->per ? (size_t)*remaining : (size_t)h->per;
        size_t full = (size_t)(h->per * (uint64_t)w / 8);
        size_t need = (take + 7) / 8 * (size_t)w;
        if (need > (size_t)(end - p))
            return CORRUPT(eb, "parquet: DELTA_BINARY_PACKED miniblock past the end");
        if (o->stored < o->cap)
            dbp_miniblock(o, p, end, w, take, min_delta);
        p += full < (size_t)(end - p) ? full : (size_t)(end - p);
        *remaining -= take;
    }
    *pp = p;
    return LH_OK;
}

lh_err pq_dbp_decode(const uint8_t **p, const uint8_t *end, bool is32, void *out, size_t cap,
                     size_t *total, lh_errbuf *eb)
{
    dbp_hdr h;
    LH_TRY(dbp_header(p, end, &h, eb));
    dbp_out o = {.is32 = is32, .out = out, .cap = cap, .prev = h.first};
    if (is32)
        o.prev = (uint32_t)o.prev;
    if (h.count > 0 && cap > 0)
        dbp_store(&o, o.prev);
    uint64_t remaining = h.count ? h.count - 1 : 0;
    while (remaining > 0)
        LH_TRY(dbp_block(p, end, &h, &o, &remaining, eb));
    *total = (size_t)h.count;
    return LH_OK;
}

/* ---- BYTE_STREAM_SPLIT ------------------------------------------------------------------ */

lh_err pq_bss_decode(const uint8_t *p, size_t len, size_t width, size_t n, uint8_t *out,
                     lh_errbuf *eb)
{
    if (width == 0 || len % width != 0 || len / width < n)
        return CORRUPT(eb, "parquet: BYTE_STREAM_SPLIT data of %zu bytes for %zu values", len, n);
    size_t streams = len / width;
    for (size_t j = 0; j < width; j++) {
        const uint8_t *s = p + j * streams;
        for (size_t i = 0; i < n; i++)
            out[i * width + j] = s[i];
    }
    return LH_OK;
}

/* ---- conversions -------------------------------------------------------------------------- */

lh_i128 pq_be_to_i128(const uint8_t *p, size_t len)
{
    if (len == 0)
        return 0;
    if (len > 16) {
        p += len - 16;
        len = 16;
    }
    unsigned __int128 v = (p[0] & 0x80) ? ~(unsigned __int128)0 : 0;
    for (size_t i = 0; i < len; i++)
        v = (v << 8) | p[i];
    return (lh_i128)v;
}

float pq_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13);
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    } else if (man == 0) {
        bits = sign;
    } else {
        int e = -1;
        do {
            e++;
            man <<= 1;
        } while (!(man & 0x400));
        bits = sign | ((uint32_t)(112 - e) << 23) | ((man & 0x3ff) << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

int64_t pq_int96_to_micros(const uint8_t *p)
{
    int64_t nanos = (int64_t)load64(p);
    int32_t jd = (int32_t)load32(p + 8);
    uint64_t days = (uint64_t)((int64_t)jd - 2440588);
    return (int64_t)(days * 86400000000ull + (uint64_t)(nanos / 1000));
}

static int64_t floor_div1000(int64_t v)
{
    int64_t q = v / 1000;
    return (v % 1000 < 0) ? q - 1 : q;
}

size_t pq_conv_src_width(int conv)
{
    switch (conv) {
    case PQ_CONV_I32_TO_I8:
    case PQ_CONV_I32_TO_I16:
    case PQ_CONV_U32_TO_I64:
    case PQ_CONV_I32_TO_I64:
    case PQ_CONV_I32_TO_I128:
    case PQ_CONV_I32_TO_U16:
        return 4;
    case PQ_CONV_I64_TO_I128:
    case PQ_CONV_U64_TO_I128:
    case PQ_CONV_MILLIS:
    case PQ_CONV_NANOS:
        return 8;
    case PQ_CONV_INT96:
        return 12;
    default:
        return 0;
    }
}

static void convert_bytes(int conv, const lh_sv_t *s, size_t n, void *dst)
{
    for (size_t i = 0; i < n; i++) {
        if (conv == PQ_CONV_BE_TO_I64) {
            ((int64_t *)dst)[i] = (int64_t)pq_be_to_i128(s[i].ptr, s[i].len);
        } else if (conv == PQ_CONV_BE_TO_I128) {
            lh_i128 v = pq_be_to_i128(s[i].ptr, s[i].len);
            memcpy((lh_i128 *)dst + i, &v, sizeof v);
        } else {
            uint16_t h = s[i].len >= 2 ? (uint16_t)(s[i].ptr[0] | s[i].ptr[1] << 8) : 0;
            ((float *)dst)[i] = pq_f16_to_f32(h);
        }
    }
}

static void convert_i64(int conv, const int64_t *s, size_t n, void *dst)
{
    int64_t *d = dst;
    for (size_t i = 0; i < n; i++) {
        if (conv == PQ_CONV_MILLIS) {
            d[i] = (int64_t)((uint64_t)s[i] * 1000u);
        } else if (conv == PQ_CONV_NANOS) {
            d[i] = floor_div1000(s[i]);
        } else {
            lh_i128 v = conv == PQ_CONV_U64_TO_I128 ? (lh_i128)(uint64_t)s[i] : (lh_i128)s[i];
            memcpy((lh_i128 *)dst + i, &v, sizeof v);
        }
    }
}

static void convert_i32(int conv, const int32_t *s, size_t n, void *dst)
{
    for (size_t i = 0; i < n; i++) {
        switch (conv) {
        case PQ_CONV_I32_TO_I8:
            ((int8_t *)dst)[i] = (int8_t)s[i];
            break;
        case PQ_CONV_I32_TO_I16:
            ((int16_t *)dst)[i] = (int16_t)s[i];
            break;
        case PQ_CONV_I32_TO_U16:
            ((int32_t *)dst)[i] = (int32_t)(uint16_t)s[i];
            break;
        case PQ_CONV_U32_TO_I64:
            ((int64_t *)dst)[i] = (int64_t)(uint32_t)s[i];
            break;
        case PQ_CONV_I32_TO_I64:
            ((int64_t *)dst)[i] = s[i];
            break;
        default: {
            lh_i128 v = s[i];
            memcpy((lh_i128 *)dst + i, &v, sizeof v);
        }
        }
    }
}

void pq_convert(int conv, const void *src, size_t n, void *dst)
{
    if (conv == PQ_CONV_INT96) {
        for (size_t i = 0; i < n; i++)
            ((int64_t *)dst)[i] = pq_int96_to_micros((const uint8_t *)src + 12 * i);
    } else if (conv == PQ_CONV_BE_TO_I64 || conv == PQ_CONV_BE_TO_I128 || conv == PQ_CONV_F16) {
        convert_bytes(conv, src, n, dst);
    } else if (pq_conv_src_width(conv) == 8) {
        convert_i64(conv, src, n, dst);
    } else {
        convert_i32(conv, src, n, dst);
    }
}
