/*
 * pq_encode.c - RLE/bit-packed hybrid, PLAIN helpers, dictionary and hash set
 * (see pq_encode.h).
 *
 * Hybrid encoder: scan runs of equal values. A run of 8 or more becomes an RLE run; the
 * rest accumulate as literals, which are always a contiguous slice of the input. Since a
 * bit-packed run holds groups of 8, pending literals are first topped up to a multiple of
 * 8 from the head of the next long run; only the final literal run is padded with zeros.
 */
#include "storage/parquet/pq_encode.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

int lh_pq_bit_width(uint64_t max)
{
    int bw = 0;
    while (max) {
        bw++;
        max >>= 1;
    }
    return bw;
}

static void emit_rle(lh_pq_buf_t *out, uint32_t value, size_t count, int bw)
{
    lh_pq_buf_varint(out, (uint64_t)count << 1);
    for (int b = 0; b < (bw + 7) / 8; b++)
        lh_pq_buf_byte(out, (uint8_t)(value >> (8 * b)));
}

#define DEFINE_BITPACK(NAME, T)                                                                    \
    static void NAME(lh_pq_buf_t *out, const T *v, size_t n, size_t padded, int bw)                \
    {                                                                                              \
        size_t bytes = (padded * (size_t)bw + 7) / 8;                                              \
        if (!lh_pq_buf_reserve(out, bytes + 8))                                                    \
            return;                                                                                \
        uint8_t *p = out->data + out->len;                                                         \
        uint64_t acc = 0;                                                                          \
        int bits = 0;                                                                              \
        for (size_t i = 0; i < padded; i++) {                                                      \
            uint64_t x = i < n ? (uint64_t)v[i] : 0;                                               \
            acc |= x << bits;                                                                      \
            bits += bw;                                                                            \
            while (bits >= 8) {                                                                    \
                *p++ = (uint8_t)acc;                                                               \
                acc >>= 8;                                                                         \
                bits -= 8;                                                                         \
            }                                                                                      \
        }                                                                                          \
        if (bits > 0)                                                                              \
            *p++ = (uint8_t)acc;                                                                   \
        out->len += bytes;                                                                         \
    }

DEFINE_BITPACK(bitpack_u8, uint8_t)
DEFINE_BITPACK(bitpack_u32, uint32_t)

#define DEFINE_RLE(NAME, T, PACK)                                                                  \
    static void NAME##_literals(lh_pq_buf_t *out, const T *v, size_t n, int bw)                    \
    {                                                                                              \
        size_t groups = (n + 7) / 8;                                                               \
        lh_pq_buf_varint(out, ((uint64_t)groups << 1) | 1);                                        \
        PACK(out, v, n, groups * 8, bw);                                                           \
    }                                                                                              \
    void NAME(lh_pq_buf_t *out, const T *v, size_t n, int bw)                                      \
    {                                                                                              \
        size_t lit_start = 0, lit_count = 0, i = 0;                                                \
        while (i < n) {                                                                            \
            T x = v[i];                                                                            \
            size_t j = i + 1;                                                                      \
            while (j < n && v[j] == x)                                                             \
                j++;                                                                               \
            size_t run = j - i;                                                                    \
            if (run >= 8 && lit_count % 8 != 0) {                                                  \
                size_t k = 8 - lit_count % 8;                                                      \
                lit_count += k;                                                                    \
                i += k;                                                                            \
                run -= k;                                                                          \
            }                                                                                      \
            if (run >= 8) {                                                                        \
                if (lit_count > 0)                                                                 \
                    NAME##_literals(out, v + lit_start, lit_count, bw);                            \
                lit_count = 0;                                                                     \
                emit_rle(out, (uint32_t)x, run, bw);                                               \
                i += run;                                                                          \
                continue;                                                                          \
            }                                                                                      \
            if (lit_count == 0)                                                                    \
                lit_start = i;                                                                     \
            lit_count += run;                                                                      \
            i += run;                                                                              \
        }                                                                                          \
        if (lit_count > 0)                                                                         \
            NAME##_literals(out, v + lit_start, lit_count, bw);                                    \
    }

DEFINE_RLE(lh_pq_rle_encode_u8, uint8_t, bitpack_u8)
DEFINE_RLE(lh_pq_rle_encode_u32, uint32_t, bitpack_u32)

void lh_pq_plain_bools(lh_pq_buf_t *out, const uint8_t *v, size_t n)
{
    bitpack_u8(out, v, n, n, 1);
}

void lh_pq_plain_bytes(lh_pq_buf_t *out, const lh_sv_t *v, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += 4 + (size_t)v[i].len;
    if (!lh_pq_buf_reserve(out, total))
        return;
    uint8_t *p = out->data + out->len;
    for (size_t i = 0; i < n; i++) {
        uint32_t len = v[i].len;
        p[0] = (uint8_t)len;
        p[1] = (uint8_t)(len >> 8);
        p[2] = (uint8_t)(len >> 16);
        p[3] = (uint8_t)(len >> 24);
        if (len)
            memcpy(p + 4, v[i].ptr, len);
        p += 4 + (size_t)len;
    }
    out->len += total;
}

/* ---- dictionary -------------------------------------------------------------------- */

#define DICT_SLOTS_MIN 1024

void lh_pq_dict_init(lh_pq_dict_t *d, int width)
{
    memset(d, 0, sizeof *d);
    d->width = width;
}

void lh_pq_dict_reset(lh_pq_dict_t *d)
{
    d->count = 0;
    d->plain.len = 0;
    d->plain.oom = false;
    if (d->slots)
        memset(d->slots, 0, d->slot_count * sizeof *d->slots);
}

void lh_pq_dict_free(lh_pq_dict_t *d)
{
    lh_pq_buf_free(&d->plain);
    free(d->offsets);
    free(d->slots);
    memset(d, 0, sizeof *d);
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Make room for one more entry: grow the slot table past load 1/2. */
static lh_err dict_grow(lh_pq_dict_t *d)
{
    if (d->slots != NULL && (size_t)(d->count + 1) * 2 <= d->slot_count)
        return LH_OK;
    size_t n = d->slot_count ? d->slot_count * 2 : DICT_SLOTS_MIN;
    uint64_t *slots = calloc(n, sizeof *slots);
    if (slots == NULL)
        return LH_E_NOMEM;
    for (size_t i = 0; i < d->slot_count; i++) {
        uint64_t s = d->slots[i];
        if (s == 0)
            continue;
        size_t pos = (size_t)(s >> 32) & (n - 1);
        while (slots[pos] != 0)
            pos = (pos + 1) & (n - 1);
        slots[pos] = s;
    }
    free(d->slots);
    d->slots = slots;
    d->slot_count = n;
    return LH_OK;
}

#define DEFINE_PUT_FIXED(NAME, T)                                                                  \
    static lh_err NAME(lh_pq_dict_t *d, const T *vals, size_t n, uint32_t *idx)                    \
    {                                                                                              \
        for (size_t i = 0; i < n; i++) {                                                           \
            T x = vals[i];                                                                         \
            uint32_t h = (uint32_t)mix64((uint64_t)x);                                             \
            size_t mask = d->slot_count - 1, pos = h & mask;                                       \
            const T *ents = (const T *)(const void *)d->plain.data;                                \
            for (;;) {                                                                             \
                uint64_t s = d->slots[pos];                                                        \
                if (s == 0)                                                                        \
                    break;                                                                         \
                if ((uint32_t)(s >> 32) == h && ents[(uint32_t)s - 1] == x)                        \
                    break;                                                                         \
                pos = (pos + 1) & mask;                                                            \
            }                                                                                      \
            if (d->slots[pos] != 0) {                                                              \
                idx[i] = (uint32_t)d->slots[pos] - 1;                                              \
                continue;                                                                          \
            }                                                                                      \
            lh_pq_buf_append(&d->plain, &x, sizeof x);                                             \
            if (d->plain.oom)                                                                      \
                return LH_E_NOMEM;                                                                 \
            d->slots[pos] = ((uint64_t)h << 32) | (uint64_t)(d->count + 1);                        \
            idx[i] = d->count++;                                                                   \
            LH_TRY(dict_grow(d));                                                                  \
        }                                                                                          \
        return LH_OK;                                                                              \
    }

DEFINE_PUT_FIXED(put_u32, uint32_t)
DEFINE_PUT_FIXED(put_u64, uint64_t)

static lh_err put_wide(lh_pq_dict_t *d, const uint8_t *vals, size_t n, uint32_t *idx)
{
    size_t w = (size_t)d->width;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *x = vals + i * w;
        uint32_t h = (uint32_t)XXH3_64bits(x, w);
        size_t mask = d->slot_count - 1, pos = h & mask;
        for (;;) {
            uint64_t s = d->slots[pos];
            if (s == 0)
                break;
            if ((uint32_t)(s >> 32) == h &&
                memcmp(d->plain.data + ((uint32_t)s - 1) * w, x, w) == 0)
                break;
            pos = (pos + 1) & mask;
        }
        if (d->slots[pos] != 0) {
            idx[i] = (uint32_t)d->slots[pos] - 1;
            continue;
        }
        lh_pq_buf_append(&d->plain, x, w);
        if (d->plain.oom)
            return LH_E_NOMEM;
        d->slots[pos] = ((uint64_t)h << 32) | (uint64_t)(d->count + 1);
        idx[i] = d->count++;
        LH_TRY(dict_grow(d));
    }
    return LH_OK;
}

lh_err lh_pq_dict_put_fixed(lh_pq_dict_t *d, const void *vals, size_t n, uint32_t *idx)
{
    LH_TRY(dict_grow(d));
    if (d->width == 4)
        return put_u32(d, vals, n, idx);
    if (d->width == 8)
        return put_u64(d, vals, n, idx);
    return put_wide(d, vals, n, idx);
}

static lh_err add_bytes_entry(lh_pq_dict_t *d, const lh_sv_t *x)
{
    if (d->count >= d->offsets_cap) {
        size_t cap = d->offsets_cap ? d->offsets_cap * 2 : 1024;
        uint32_t *o = realloc(d->offsets, cap * sizeof *o);
        if (o == NULL)
            return LH_E_NOMEM;
        d->offsets = o;
        d->offsets_cap = cap;
    }
    LH_ASSERT(d->plain.len < UINT32_MAX - 4 - (size_t)x->len);
    d->offsets[d->count] = (uint32_t)d->plain.len;
    lh_pq_buf_u32le(&d->plain, x->len);
    lh_pq_buf_append(&d->plain, x->ptr, x->len);
    return d->plain.oom ? LH_E_NOMEM : LH_OK;
}

static bool bytes_entry_eq(const lh_pq_dict_t *d, uint32_t e, const lh_sv_t *x)
{
    const uint8_t *p = d->plain.data + d->offsets[e];
    uint32_t len =
        (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return len == x->len && (len == 0 || memcmp(p + 4, x->ptr, len) == 0);
}

lh_err lh_pq_dict_put_bytes(lh_pq_dict_t *d, const lh_sv_t *vals, size_t n, uint32_t *idx)
{
    LH_TRY(dict_grow(d));
    for (size_t i = 0; i < n; i++) {
        const lh_sv_t *x = &vals[i];
        uint32_t h = (uint32_t)XXH3_64bits(x->ptr, x->len);
        size_t mask = d->slot_count - 1, pos = h & mask;
        for (;;) {
            uint64_t s = d->slots[pos];
            if (s == 0)
                break;
            if ((uint32_t)(s >> 32) == h && bytes_entry_eq(d, (uint32_t)s - 1, x))
                break;
            pos = (pos + 1) & mask;
        }
        if (d->slots[pos] != 0) {
            idx[i] = (uint32_t)d->slots[pos] - 1;
            continue;
        }
        LH_TRY(add_bytes_entry(d, x));
        d->slots[pos] = ((uint64_t)h << 32) | (uint64_t)(d->count + 1);
        idx[i] = d->count++;
        LH_TRY(dict_grow(d));
    }
    return LH_OK;
}

/* ---- hash set ---------------------------------------------------------------------- */

static lh_err hset_grow(lh_pq_hset_t *s)
{
    if (s->slots != NULL && (s->count + 1) * 2 <= s->slot_count)
        return LH_OK;
    size_t n = s->slot_count ? s->slot_count * 2 : DICT_SLOTS_MIN;
    uint64_t *slots = calloc(n, sizeof *slots);
    if (slots == NULL)
        return LH_E_NOMEM;
    for (size_t i = 0; i < s->slot_count; i++) {
        uint64_t h = s->slots[i];
        if (h == 0)
            continue;
        size_t pos = (size_t)mix64(h) & (n - 1);
        while (slots[pos] != 0)
            pos = (pos + 1) & (n - 1);
        slots[pos] = h;
    }
    free(s->slots);
    s->slots = slots;
    s->slot_count = n;
    return LH_OK;
}

lh_err lh_pq_hset_add(lh_pq_hset_t *s, uint64_t h)
{
    if (h == 0) {
        s->has_zero = true;
        return LH_OK;
    }
    LH_TRY(hset_grow(s));
    size_t mask = s->slot_count - 1, pos = (size_t)mix64(h) & mask;
    while (s->slots[pos] != 0) {
        if (s->slots[pos] == h)
            return LH_OK;
        pos = (pos + 1) & mask;
    }
    s->slots[pos] = h;
    s->count++;
    return LH_OK;
}

void lh_pq_hset_reset(lh_pq_hset_t *s)
{
    if (s->slots)
        memset(s->slots, 0, s->slot_count * sizeof *s->slots);
    s->count = 0;
    s->has_zero = false;
}

void lh_pq_hset_free(lh_pq_hset_t *s)
{
    free(s->slots);
    memset(s, 0, sizeof *s);
}
