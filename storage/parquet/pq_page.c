/*
 * pq_page.c - one page of a column chunk: decompression, levels, values (every encoding
 * the reader supports), the dictionary, and placing values into the output vector. See
 * pq_page.h for the contract and pq_read.c for how chunks are walked.
 *
 * Invariants asserted per data page (they hold for any input; malformed input fails
 * earlier with LH_E_CORRUPT): the values decoded equal the levels at max_def (nn <= n);
 * a flat page adds exactly n rows and spreads exactly nn values; a leaf page adds nn
 * values and n levels; levels_read never passes the chunk's num_values.
 */
#include "storage/parquet/pq_page.h"

#include <stdlib.h>
#include <string.h>

#include "storage/parquet/pq_codec.h"
#include "storage/parquet/pq_decode.h"
#include "storage/parquet/pq_format.h"

lh_err pq_buf_reserve(pq_buf_t *b, size_t n, lh_errbuf *eb)
{
    if (n <= b->cap)
        return LH_OK;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < n)
        cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    LH_FAIL_IF(p == NULL, LH_E_NOMEM, eb, "parquet: out of memory for %zu bytes", cap);
    b->p = p;
    b->cap = cap;
    return LH_OK;
}

void pq_creader_free(pq_creader_t *r)
{
    free(r->chunk_bytes.p);
    free(r->page.p);
    free(r->scratch.p);
    free(r->scratch2.p);
    free(r->dba.p);
    free(r->def.p);
    free(r->rep.p);
    lh_vec_destroy(r->dict);
    free(r->all_def.p);
    free(r->all_rep.p);
    memset(r, 0, sizeof *r);
}

/* Decompress a page body (or use it in place). */
static lh_err page_body(pq_creader_t *r, const uint8_t *src, size_t src_len, size_t dst_len,
                        bool compressed, const uint8_t **out, size_t *out_len)
{
    if (!compressed || r->chunk->codec == PQ_CODEC_UNCOMPRESSED) {
        *out = src;
        *out_len = src_len;
        return LH_OK;
    }
    LH_FAIL_IF(dst_len > LH_PQ_PAGE_MAX, LH_E_CORRUPT, r->eb, "parquet: page of %zu bytes",
               dst_len);
    LH_TRY(pq_buf_reserve(&r->page, dst_len ? dst_len : 1, r->eb));
    *out = r->page.p;
    *out_len = dst_len;
    if (dst_len == 0)
        return LH_OK;
    return lh_pq_decompress(r->chunk->codec, src, src_len, r->page.p, dst_len, r->eb);
}

/* ---- values ---------------------------------------------------------------------------- */

static bool is_bytes(int phys)
{
    return phys == PQ_BYTE_ARRAY || phys == PQ_FIXED_LEN_BYTE_ARRAY;
}

/* Physical width in the decode layout (lh_sv_t for byte arrays). */
static size_t phys_width(int phys)
{
    static const size_t w[8] = {1, 4, 8, 12, 4, 8, sizeof(lh_sv_t), sizeof(lh_sv_t)};
    return w[phys];
}

/* Copy bytes that string values will point at into the output vector's heap. */
static lh_err stabilize(pq_creader_t *r, const uint8_t **p, size_t len, bool stable)
{
    if (!stable || len == 0 || r->heap == NULL)
        return LH_OK;
    const uint8_t *h = lh_vec_heap_copy(r->heap, *p, len);
    LH_FAIL_IF(h == NULL, LH_E_NOMEM, r->eb, "parquet: out of memory for strings");
    *p = h;
    return LH_OK;
}

static lh_err rle_bools(pq_creader_t *r, const uint8_t *p, size_t len, size_t n, uint8_t *out)
{
    LH_FAIL_IF(len < 4, LH_E_CORRUPT, r->eb, "parquet: RLE booleans without a length");
    uint32_t l = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    LH_FAIL_IF(l > len - 4, LH_E_CORRUPT, r->eb, "parquet: RLE booleans past the page");
    pq_rle_t rle;
    pq_rle_init(&rle, p + 4, l, 1);
    uint32_t tmp[256];
    for (size_t i = 0; i < n;) {
        size_t k = n - i < 256 ? n - i : 256;
        LH_TRY(pq_rle_get(&rle, tmp, k, r->eb));
        for (size_t j = 0; j < k; j++)
            out[i + j] = (uint8_t)(tmp[j] & 1);
        i += k;
    }
    return LH_OK;
}

/* DELTA_LENGTH_BYTE_ARRAY: lengths (DBP) then the concatenated bytes. */
static lh_err delta_length(pq_creader_t *r, const uint8_t *p, size_t len, size_t n, lh_sv_t *out,
                           bool stable)
{
    const uint8_t *end = p + len;
    LH_TRY(pq_buf_reserve(&r->scratch2, (n ? n : 1) * sizeof(int32_t), r->eb));
    int32_t *lens = (int32_t *)r->scratch2.p;
    size_t total;
    LH_TRY(pq_dbp_decode(&p, end, true, lens, n, &total, r->eb));
    LH_FAIL_IF(total < n, LH_E_CORRUPT, r->eb, "parquet: %zu lengths for %zu values", total, n);
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        LH_FAIL_IF(lens[i] < 0, LH_E_CORRUPT, r->eb, "parquet: negative length");
        sum += (uint32_t)lens[i];
    }
    LH_FAIL_IF(sum > (uint64_t)(end - p), LH_E_CORRUPT, r->eb,
               "parquet: byte arrays past the page");
    LH_TRY(stabilize(r, &p, (size_t)sum, stable));
    for (size_t i = 0; i < n; i++) {
        out[i].ptr = p;
        out[i].len = (uint32_t)lens[i];
        p += lens[i];
    }
    return LH_OK;
}

/* DELTA_BYTE_ARRAY: prefix lengths, suffix lengths (both DBP), then the suffixes. Values
 * are rebuilt in r->dba, then copied once into the heap when they must outlive the page. */
static lh_err delta_bytes(pq_creader_t *r, const uint8_t *p, size_t len, size_t n, lh_sv_t *out,
                          bool stable)
{
    const uint8_t *end = p + len;
    size_t np, ns;
    LH_TRY(pq_buf_reserve(&r->scratch2, (n ? n : 1) * 2 * sizeof(int32_t), r->eb));
    int32_t *pre = (int32_t *)r->scratch2.p, *suf = pre + n;
    LH_TRY(pq_dbp_decode(&p, end, true, pre, n, &np, r->eb));
    LH_TRY(pq_dbp_decode(&p, end, true, suf, n, &ns, r->eb));
    LH_FAIL_IF(np < n || ns < n, LH_E_CORRUPT, r->eb, "parquet: DELTA_BYTE_ARRAY counts short");
    uint64_t total = 0, sufsum = 0, prev = 0;
    for (size_t i = 0; i < n; i++) {
        LH_FAIL_IF(pre[i] < 0 || suf[i] < 0 || (uint64_t)pre[i] > prev, LH_E_CORRUPT, r->eb,
                   "parquet: bad DELTA_BYTE_ARRAY prefix/suffix");
        prev = (uint64_t)pre[i] + (uint64_t)suf[i];
        total += prev;
        sufsum += (uint64_t)suf[i];
    }
    LH_FAIL_IF(sufsum > (uint64_t)(end - p) || total > LH_PQ_PAGE_MAX, LH_E_CORRUPT, r->eb,
               "parquet: DELTA_BYTE_ARRAY suffixes past the page");
    LH_TRY(pq_buf_reserve(&r->dba, total ? (size_t)total : 1, r->eb));
    uint8_t *w = r->dba.p;
    const uint8_t *last = w;
    for (size_t i = 0; i < n; i++) {
        memmove(w, last, (size_t)pre[i]);
        memcpy(w + pre[i], p, (size_t)suf[i]);
        p += suf[i];
        out[i].ptr = last = w;
        out[i].len = (uint32_t)(pre[i] + suf[i]);
        w += out[i].len;
    }
    const uint8_t *base = r->dba.p;
    LH_TRY(stabilize(r, &base, (size_t)total, stable));
    for (size_t i = 0; i < n; i++)
        out[i].ptr = base + (out[i].ptr - r->dba.p);
    return LH_OK;
}

static lh_err bss_values(pq_creader_t *r, const uint8_t *p, size_t len, size_t n, void *out)
{
    int phys = r->leaf->phys_type;
    if (!is_bytes(phys))
        return pq_bss_decode(p, len, phys_width(phys), n, out, r->eb);
    size_t w = (size_t)r->leaf->type_length;
    LH_FAIL_IF(phys != PQ_FIXED_LEN_BYTE_ARRAY || n > len / w, LH_E_CORRUPT, r->eb,
               "parquet: bad BYTE_STREAM_SPLIT data");
    LH_TRY(pq_buf_reserve(&r->scratch2, n * w + 1, r->eb));
    LH_TRY(pq_bss_decode(p, len, w, n, r->scratch2.p, r->eb));
    const uint8_t *b = r->scratch2.p;
    LH_TRY(stabilize(r, &b, n * w, true));
    return pq_plain_flba(b, n * w, w, n, out, r->eb);
}

static lh_err plain_values(pq_creader_t *r, const uint8_t *p, size_t len, size_t n, void *out,
                           bool stable)
{
    int phys = r->leaf->phys_type;
    size_t used;
    switch (phys) {
    case PQ_BOOLEAN:
        return pq_plain_bool(p, len, n, out, r->eb);
    case PQ_BYTE_ARRAY:
        LH_TRY(pq_plain_bytes(p, len, n, out, &used, r->eb));
        if (stable && used > 0) {
            const uint8_t *h = p;
            LH_TRY(stabilize(r, &h, used, true));
            lh_sv_t *sv = out;
            for (size_t i = 0; i < n; i++)
                sv[i].ptr = h + (sv[i].ptr - p);
        }
        return LH_OK;
    case PQ_FIXED_LEN_BYTE_ARRAY: {
        size_t w = (size_t)r->leaf->type_length;
        LH_FAIL_IF(n > len / w, LH_E_CORRUPT, r->eb, "parquet: FLBA values exceed the page");
        LH_TRY(stabilize(r, &p, n * w, stable));
        return pq_plain_flba(p, n * w, w, n, out, r->eb);
    }
    default:
        return pq_plain_fixed(p, len, phys_width(phys), n, out, r->eb);
    }
}

/* Decode n physical values of encoding enc into out (physical layout). */
static lh_err phys_values(pq_creader_t *r, int enc, const uint8_t *p, size_t len, size_t n,
                          void *out, bool stable)
{
    int phys = r->leaf->phys_type;
    size_t total;
    switch (enc) {
    case PQ_ENC_PLAIN:
        return plain_values(r, p, len, n, out, stable);
    case PQ_ENC_RLE:
        LH_FAIL_IF(phys != PQ_BOOLEAN, LH_E_CORRUPT, r->eb, "parquet: RLE values on non-boolean");
        return rle_bools(r, p, len, n, out);
    case PQ_ENC_DELTA_BINARY_PACKED:
        LH_FAIL_IF(phys != PQ_INT32 && phys != PQ_INT64, LH_E_CORRUPT, r->eb,
                   "parquet: DELTA_BINARY_PACKED on type %d", phys);
        LH_TRY(pq_dbp_decode(&p, p + len, phys == PQ_INT32, out, n, &total, r->eb));
        LH_FAIL_IF(total < n, LH_E_CORRUPT, r->eb, "parquet: %zu delta values for %zu", total, n);
        return LH_OK;
    case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
        LH_FAIL_IF(phys != PQ_BYTE_ARRAY, LH_E_CORRUPT, r->eb, "parquet: bad DELTA_LENGTH type");
        return delta_length(r, p, len, n, out, stable);
    case PQ_ENC_DELTA_BYTE_ARRAY:
        LH_FAIL_IF(!is_bytes(phys), LH_E_CORRUPT, r->eb, "parquet: bad DELTA_BYTE_ARRAY type");
        return delta_bytes(r, p, len, n, out, stable);
    case PQ_ENC_BYTE_STREAM_SPLIT:
        LH_FAIL_IF(phys == PQ_BOOLEAN || phys == PQ_INT96 || phys == PQ_BYTE_ARRAY, LH_E_CORRUPT,
                   r->eb, "parquet: BYTE_STREAM_SPLIT on type %d", phys);
        return bss_values(r, p, len, n, out);
    default:
        LH_FAIL(LH_E_UNSUPPORTED, r->eb, "parquet: unsupported encoding %d in column '%s'", enc,
                r->leaf->path);
    }
}

/* Decode n values into dst (target layout), converting when the layouts differ. */
static lh_err typed_values(pq_creader_t *r, int enc, const uint8_t *p, size_t len, size_t n,
                           void *dst)
{
    if (r->leaf->conv == PQ_CONV_NONE)
        return phys_values(r, enc, p, len, n, dst, true);
    size_t pw = phys_width(r->leaf->phys_type);
    LH_TRY(pq_buf_reserve(&r->scratch, (n ? n : 1) * pw, r->eb));
    LH_TRY(phys_values(r, enc, p, len, n, r->scratch.p, false));
    pq_convert(r->leaf->conv, r->scratch.p, n, dst);
    return LH_OK;
}

/* 16-byte values (lh_sv_t, lh_i128) moved as a pair of words. */
_Static_assert(sizeof(lh_sv_t) == 16 && sizeof(lh_i128) == 16, "16-byte vector slots");
typedef struct w16 {
    uint64_t a, b;
} w16;

#define GATHER(T)                                                                                  \
    do {                                                                                           \
        const T *d_ = (const T *)r->dict->data;                                                    \
        T *o_ = (T *)out;                                                                          \
        for (size_t j = 0; j < k; j++)                                                             \
            o_[i + j] = d_[idx[j]];                                                                \
    } while (0)

/* The next n dictionary indexes of rle, checked against the dictionary, gathered into
 * out (the target layout), stored as indexes (out is a DICT vector's data), or, when out
 * is NULL, only passed over. */
static lh_err dict_stream(pq_creader_t *r, pq_rle_t *rle, size_t n, uint8_t *out)
{
    bool as_indexes = r->out->kind == LH_VEC_DICT;
    LH_ASSERT(!as_indexes || r->out->dict == r->dict);
    uint32_t idx[1024];
    for (size_t i = 0; i < n;) {
        size_t k = n - i < 1024 ? n - i : 1024;
        LH_TRY(pq_rle_get(rle, idx, k, r->eb));
        uint32_t mx = 0;
        for (size_t j = 0; j < k; j++)
            mx = idx[j] > mx ? idx[j] : mx;
        LH_FAIL_IF(mx >= r->dict->count, LH_E_CORRUPT, r->eb, "parquet: dictionary index %u of %zu",
                   mx, r->dict->count);
        if (out == NULL) {
            i += k;
            continue;
        }
        if (as_indexes) {
            memcpy((uint32_t *)(void *)out + i, idx, k * sizeof(uint32_t));
            i += k;
            continue;
        }
        switch (r->tw) {
        case 1:
            GATHER(uint8_t);
            break;
        case 2:
            GATHER(uint16_t);
            break;
        case 4:
            GATHER(uint32_t);
            break;
        case 8:
            GATHER(uint64_t);
            break;
        default:
            GATHER(w16);
        }
        i += k;
    }
    return LH_OK;
}

/* Start a dictionary index stream over a page's value bytes (bit width byte + hybrid). */
static lh_err dict_stream_init(pq_creader_t *r, const uint8_t *p, size_t len, pq_rle_t *rle)
{
    LH_FAIL_IF(r->dict == NULL, LH_E_CORRUPT, r->eb,
               "parquet: dictionary-encoded page in '%s' without a dictionary", r->leaf->path);
    LH_FAIL_IF(len < 1 || p[0] > 32, LH_E_CORRUPT, r->eb, "parquet: bad dictionary index width");
    pq_rle_init(rle, p + 1, len - 1, p[0]);
    return LH_OK;
}

static lh_err dict_values(pq_creader_t *r, const uint8_t *p, size_t len, size_t n, uint8_t *out)
{
    LH_FAIL_IF(r->dict == NULL, LH_E_CORRUPT, r->eb,
               "parquet: dictionary-encoded page in '%s' without a dictionary", r->leaf->path);
    if (n == 0)
        return LH_OK;
    pq_rle_t rle;
    LH_TRY(dict_stream_init(r, p, len, &rle));
    return dict_stream(r, &rle, n, out);
}

static lh_err read_dict(pq_creader_t *r, const pq_page_header_t *h, const uint8_t *body)
{
    LH_FAIL_IF(r->dict != NULL, LH_E_CORRUPT, r->eb, "parquet: second dictionary page in '%s'",
               r->leaf->path);
    LH_FAIL_IF(h->encoding != PQ_ENC_PLAIN && h->encoding != PQ_ENC_PLAIN_DICTIONARY, LH_E_CORRUPT,
               r->eb, "parquet: dictionary page encoding %d", h->encoding);
    const uint8_t *p;
    size_t len, n = (size_t)h->num_values;
    LH_TRY(page_body(r, body, (size_t)h->compressed_size, (size_t)h->uncompressed_size, true, &p,
                     &len));
    size_t minw = r->leaf->phys_type == PQ_BYTE_ARRAY             ? 4
                  : r->leaf->phys_type == PQ_FIXED_LEN_BYTE_ARRAY ? (size_t)r->leaf->type_length
                  : r->leaf->phys_type == PQ_BOOLEAN              ? 0
                                                                  : phys_width(r->leaf->phys_type);
    LH_FAIL_IF(minw > 0 && n > len / minw, LH_E_CORRUPT, r->eb,
               "parquet: dictionary of %zu values in %zu bytes", n, len);
    LH_FAIL_IF(minw == 0 && n > len * 8, LH_E_CORRUPT, r->eb, "parquet: dictionary too large");
    r->dict = lh_vec_create(r->leaf->type, n ? n : 1);
    LH_FAIL_IF(r->dict == NULL, LH_E_NOMEM, r->eb, "parquet: out of memory for a dictionary");
    /* Dictionary strings outlive every page: into the reader's heap, or the dictionary's. */
    lh_vec_t *heap = r->heap;
    if (heap == NULL)
        r->heap = r->dict;
    lh_err e = typed_values(r, PQ_ENC_PLAIN, p, len, n, r->dict->data);
    r->heap = heap;
    r->dict->count = e == LH_OK ? n : 0;
    return e;
}

/* ---- levels ------------------------------------------------------------------------------ */

static lh_err v1_levels(pq_creader_t *r, int enc, int max, int16_t *out, size_t n,
                        const uint8_t **p, const uint8_t *end, size_t *count)
{
    int bw = pq_bit_width((uint64_t)max);
    size_t avail = (size_t)(end - *p), used;
    if (enc == PQ_ENC_RLE) {
        LH_FAIL_IF(avail < 4, LH_E_CORRUPT, r->eb, "parquet: levels without a length");
        const uint8_t *q = *p;
        uint32_t l =
            (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
        LH_FAIL_IF(l > avail - 4, LH_E_CORRUPT, r->eb, "parquet: levels past the page");
        pq_rle_t rle;
        pq_rle_init(&rle, q + 4, l, bw);
        LH_TRY(pq_rle_levels(&rle, out, n, max, count, r->eb));
        *p += 4 + (size_t)l;
        return LH_OK;
    }
    LH_FAIL_IF(enc != PQ_ENC_BIT_PACKED, LH_E_CORRUPT, r->eb, "parquet: level encoding %d", enc);
    LH_TRY(pq_bitpacked_levels(*p, avail, bw, out, n, max, &used, r->eb));
    *p += used;
    if (count) {
        *count = 0;
        for (size_t i = 0; i < n; i++)
            *count += out[i] == max;
    }
    return LH_OK;
}

static lh_err v2_levels(pq_creader_t *r, int max, int16_t *out, size_t n, const uint8_t *p,
                        size_t len, size_t *count)
{
    pq_rle_t rle;
    pq_rle_init(&rle, p, len, pq_bit_width((uint64_t)max));
    return pq_rle_levels(&rle, out, n, max, count, r->eb);
}

static lh_err level_count(pq_creader_t *r, size_t n)
{
    LH_FAIL_IF(n > PQ_PAGE_VALUES_MAX, LH_E_CORRUPT, r->eb, "parquet: page of %zu values", n);
    LH_FAIL_IF(r->levels_read + n > (uint64_t)r->chunk->num_values, LH_E_CORRUPT, r->eb,
               "parquet: pages of '%s' hold more values than its chunk (%lld)", r->leaf->path,
               (long long)r->chunk->num_values);
    return LH_OK;
}

static lh_err level_buffers(pq_creader_t *r, size_t n)
{
    LH_TRY(level_count(r, n));
    LH_TRY(pq_buf_reserve(&r->def, (n ? n : 1) * sizeof(int16_t), r->eb));
    return pq_buf_reserve(&r->rep, (n ? n : 1) * sizeof(int16_t), r->eb);
}

/* ---- page assembly ------------------------------------------------------------------------ */

static void set_valid_range(lh_vec_t *v, size_t from, size_t n)
{
    if (v->validity == NULL)
        return;
    for (size_t i = from; i < from + n; i++)
        v->validity[i >> 6] |= (uint64_t)1 << (i & 63);
}

#define SPREAD(T)                                                                                  \
    do {                                                                                           \
        T *d_ = (T *)r->out->data + base;                                                          \
        for (size_t i = n; i-- > 0;) {                                                             \
            if (def[i] == max) {                                                                   \
                d_[i] = d_[--src];                                                                 \
            } else {                                                                               \
                memset(&d_[i], 0, sizeof(T));                                                      \
                bits[(base + i) >> 6] &= ~((uint64_t)1 << ((base + i) & 63));                      \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* Flat: values [base, base+nn) spread over rows [base, base+n) per def levels. */
static lh_err spread_nulls(pq_creader_t *r, size_t base, const int16_t *def, size_t n, size_t nn)
{
    set_valid_range(r->out, base, n);
    if (nn == n)
        return LH_OK;
    size_t first_null = 0;
    int16_t max = (int16_t)r->leaf->max_def;
    while (def[first_null] == max)
        first_null++;
    LH_TRY(lh_vec_set_null(r->out, base + first_null, true));
    uint64_t *bits = r->out->validity;
    size_t src = nn;
    switch (lh_vec_slot_width(r->out)) {
    case 1:
        SPREAD(uint8_t);
        break;
    case 2:
        SPREAD(uint16_t);
        break;
    case 4:
        SPREAD(uint32_t);
        break;
    case 8:
        SPREAD(uint64_t);
        break;
    default:
        SPREAD(w16);
    }
    LH_ASSERT(src == 0); /* every decoded value landed on a row at max_def */
    return LH_OK;
}

static lh_err append_levels(pq_creader_t *r, const int16_t *def, const int16_t *rep, size_t n)
{
    size_t at = (size_t)r->levels_read * sizeof(int16_t), bytes = n * sizeof(int16_t);
    if (r->leaf->max_def > 0) {
        LH_TRY(pq_buf_reserve(&r->all_def, at + bytes + 2, r->eb));
        memcpy(r->all_def.p + at, def, bytes);
    }
    if (r->leaf->max_rep > 0) {
        LH_TRY(pq_buf_reserve(&r->all_rep, at + bytes + 2, r->eb));
        memcpy(r->all_rep.p + at, rep, bytes);
    }
    return LH_OK;
}

/* Levels decoded (nn of the n levels are at max_def); decode the values and place them. */
static lh_err page_values(pq_creader_t *r, int enc, size_t n, size_t nn, const uint8_t *p,
                          size_t len)
{
    const int16_t *def = (const int16_t *)r->def.p, *rep = (const int16_t *)r->rep.p;
    if (r->leaf->max_rep > 0 && r->levels_read == 0 && n > 0)
        LH_FAIL_IF(rep[0] != 0, LH_E_CORRUPT, r->eb,
                   "parquet: '%s' starts with repetition level %d", r->leaf->path, rep[0]);
    LH_ASSERT(nn <= n); /* nn counts the levels at max_def among n */
    LH_ASSERT(r->levels_read + n <= (uint64_t)r->chunk->num_values); /* level_buffers */
    lh_vec_t *v = r->out;
    size_t base = v->count;
    bool dict_page = enc == PQ_ENC_PLAIN_DICTIONARY || enc == PQ_ENC_RLE_DICTIONARY;
    LH_ASSERT(v->kind == LH_VEC_FLAT || (v->kind == LH_VEC_DICT && dict_page && r->flat));
    LH_TRY(lh_vec_reserve(v, base + (r->flat ? n : nn)));
    /* data is still NULL when nothing was reserved (a leaf page of NULLs only) */
    uint8_t *dst = v->data ? (uint8_t *)v->data + base * lh_vec_slot_width(v) : NULL;
    if (dict_page)
        LH_TRY(dict_values(r, p, len, nn, dst));
    else
        LH_TRY(typed_values(r, enc, p, len, nn, dst));
    if (r->flat) {
        LH_TRY(spread_nulls(r, base, def, n, nn));
        v->count = base + n;
    } else {
        LH_TRY(append_levels(r, def, rep, n));
        v->count = base + nn;
    }
    r->levels_read += n;
    LH_ASSERT(v->count == base + (r->flat ? n : nn));
    return LH_OK;
}

static lh_err read_v1(pq_creader_t *r, const pq_page_header_t *h, const uint8_t *body)
{
    const uint8_t *p;
    size_t len, n = (size_t)h->num_values;
    LH_TRY(level_buffers(r, n));
    LH_TRY(page_body(r, body, (size_t)h->compressed_size, (size_t)h->uncompressed_size, true, &p,
                     &len));
    const uint8_t *end = p + len;
    size_t nn = n;
    if (r->leaf->max_rep > 0)
        LH_TRY(
            v1_levels(r, h->rep_encoding, r->leaf->max_rep, (int16_t *)r->rep.p, n, &p, end, NULL));
    if (r->leaf->max_def > 0)
        LH_TRY(
            v1_levels(r, h->def_encoding, r->leaf->max_def, (int16_t *)r->def.p, n, &p, end, &nn));
    return page_values(r, h->encoding, n, nn, p, (size_t)(end - p));
}

static lh_err read_v2(pq_creader_t *r, const pq_page_header_t *h, const uint8_t *body)
{
    size_t n = (size_t)h->num_values, rl = (size_t)h->rep_bytes, dl = (size_t)h->def_bytes;
    size_t cs = (size_t)h->compressed_size, us = (size_t)h->uncompressed_size;
    LH_FAIL_IF(rl + dl > cs || rl + dl > us, LH_E_CORRUPT, r->eb,
               "parquet: v2 level lengths exceed the page");
    LH_FAIL_IF(r->leaf->max_def == 0 && h->num_nulls > 0, LH_E_CORRUPT, r->eb,
               "parquet: required column '%s' has a page with nulls", r->leaf->path);
    LH_TRY(level_buffers(r, n));
    size_t nn = n;
    if (r->leaf->max_rep > 0)
        LH_TRY(v2_levels(r, r->leaf->max_rep, (int16_t *)r->rep.p, n, body, rl, NULL));
    if (r->leaf->max_def > 0)
        LH_TRY(v2_levels(r, r->leaf->max_def, (int16_t *)r->def.p, n, body + rl, dl, &nn));
    const uint8_t *p;
    size_t len;
    LH_TRY(page_body(r, body + rl + dl, cs - rl - dl, us - rl - dl, h->is_compressed, &p, &len));
    return page_values(r, h->encoding, n, nn, p, len);
}

bool pq_page_is_dict_encoded(const pq_page_header_t *h)
{
    return h->encoding == PQ_ENC_PLAIN_DICTIONARY || h->encoding == PQ_ENC_RLE_DICTIONARY;
}

lh_err pq_page_decode(pq_creader_t *r, const pq_page_header_t *h, const uint8_t *body)
{
    switch (h->type) {
    case PQ_PAGE_DICTIONARY:
        LH_FAIL_IF(!h->has_dict, LH_E_CORRUPT, r->eb, "parquet: dictionary page without header");
        return read_dict(r, h, body);
    case PQ_PAGE_DATA:
        LH_FAIL_IF(!h->has_data || h->has_v2, LH_E_CORRUPT, r->eb, "parquet: data page header");
        return read_v1(r, h, body);
    case PQ_PAGE_DATA_V2:
        LH_FAIL_IF(!h->has_data || !h->has_v2, LH_E_CORRUPT, r->eb, "parquet: v2 page header");
        return read_v2(r, h, body);
    default:
        return LH_OK; /* index pages and unknown types are skipped */
    }
}

/* ---- streamed pages (the cursor) ---------------------------------------------------------- */

static bool can_stream(const pq_creader_t *r, const pq_page_header_t *h)
{
    const pq_leaf_t *lf = r->leaf;
    if (!r->flat || lf->max_rep > 0)
        return false;
    if (!pq_page_is_dict_encoded(h) && (h->encoding != PQ_ENC_PLAIN || lf->phys_type == PQ_BOOLEAN))
        return false;
    if (h->type == PQ_PAGE_DATA)
        return h->has_data && !h->has_v2 && (lf->max_def == 0 || h->def_encoding == PQ_ENC_RLE);
    return h->type == PQ_PAGE_DATA_V2 && h->has_data && h->has_v2;
}

/* v1: levels and values share the (decompressed) body; the levels come first. */
static lh_err stream_v1(pq_creader_t *r, const pq_page_header_t *h, const uint8_t *body)
{
    pq_stream_t *s = &r->stream;
    size_t len;
    LH_TRY(page_body(r, body, (size_t)h->compressed_size, (size_t)h->uncompressed_size, true, &s->p,
                     &len));
    s->end = s->p + len;
    if (r->leaf->max_def == 0)
        return LH_OK;
    LH_FAIL_IF(len < 4, LH_E_CORRUPT, r->eb, "parquet: levels without a length");
    const uint8_t *q = s->p;
    uint32_t l = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
    LH_FAIL_IF(l > len - 4, LH_E_CORRUPT, r->eb, "parquet: levels past the page");
    pq_rle_init(&s->def, q + 4, l, pq_bit_width((uint64_t)r->leaf->max_def));
    s->p += 4 + (size_t)l;
    return LH_OK;
}

/* v2: uncompressed levels ahead of the (maybe compressed) values. */
static lh_err stream_v2(pq_creader_t *r, const pq_page_header_t *h, const uint8_t *body)
{
    pq_stream_t *s = &r->stream;
    size_t rl = (size_t)h->rep_bytes, dl = (size_t)h->def_bytes;
    size_t cs = (size_t)h->compressed_size, us = (size_t)h->uncompressed_size;
    LH_FAIL_IF(rl + dl > cs || rl + dl > us, LH_E_CORRUPT, r->eb,
               "parquet: v2 level lengths exceed the page");
    LH_FAIL_IF(r->leaf->max_def == 0 && h->num_nulls > 0, LH_E_CORRUPT, r->eb,
               "parquet: required column '%s' has a page with nulls", r->leaf->path);
    if (r->leaf->max_def > 0)
        pq_rle_init(&s->def, body + rl, dl, pq_bit_width((uint64_t)r->leaf->max_def));
    size_t len;
    LH_TRY(page_body(r, body + rl + dl, cs - rl - dl, us - rl - dl, h->is_compressed, &s->p, &len));
    s->end = s->p + len;
    return LH_OK;
}

lh_err pq_page_begin(pq_creader_t *r, const pq_page_header_t *h, const uint8_t *body,
                     bool *streamed)
{
    *streamed = false;
    if (!can_stream(r, h))
        return pq_page_decode(r, h, body);
    LH_FAIL_IF(h->num_values < 0, LH_E_CORRUPT, r->eb, "parquet: page of %d values", h->num_values);
    size_t n = (size_t)h->num_values;
    LH_TRY(level_count(r, n));
    pq_stream_t *s = &r->stream;
    memset(s, 0, sizeof *s);
    LH_TRY(h->type == PQ_PAGE_DATA ? stream_v1(r, h, body) : stream_v2(r, h, body));
    s->has_def = r->leaf->max_def > 0;
    s->dict = pq_page_is_dict_encoded(h);
    if (s->dict) {
        LH_FAIL_IF(r->dict == NULL, LH_E_CORRUPT, r->eb,
                   "parquet: dictionary-encoded page in '%s' without a dictionary", r->leaf->path);
        if (s->end > s->p)
            LH_TRY(dict_stream_init(r, s->p, (size_t)(s->end - s->p), &s->idx));
        s->idx_ok = s->end > s->p;
    }
    s->left = n;
    r->levels_read += n;
    *streamed = true;
    return LH_OK;
}

/* The bytes the next n PLAIN values take. */
static lh_err plain_span(pq_creader_t *r, size_t n, size_t *used)
{
    const pq_stream_t *s = &r->stream;
    size_t avail = (size_t)(s->end - s->p);
    int phys = r->leaf->phys_type;
    if (phys == PQ_BYTE_ARRAY) {
        const uint8_t *q = s->p;
        for (size_t i = 0; i < n; i++) {
            LH_FAIL_IF(s->end - q < 4, LH_E_CORRUPT, r->eb, "parquet: byte arrays past the page");
            uint32_t l =
                (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
            LH_FAIL_IF(l > (size_t)(s->end - q) - 4, LH_E_CORRUPT, r->eb,
                       "parquet: byte arrays past the page");
            q += 4 + (size_t)l;
        }
        *used = (size_t)(q - s->p);
        return LH_OK;
    }
    size_t w = phys == PQ_FIXED_LEN_BYTE_ARRAY ? (size_t)r->leaf->type_length : phys_width(phys);
    LH_FAIL_IF(w == 0 || n > avail / w, LH_E_CORRUPT, r->eb, "parquet: PLAIN values past the page");
    *used = n * w;
    return LH_OK;
}

/* The next nn values of the streamed page into dst (target layout), or passed (NULL). */
static lh_err stream_values(pq_creader_t *r, size_t nn, uint8_t *dst)
{
    pq_stream_t *s = &r->stream;
    if (nn == 0)
        return LH_OK;
    if (s->dict) {
        LH_FAIL_IF(!s->idx_ok, LH_E_CORRUPT, r->eb, "parquet: dictionary indexes missing in '%s'",
                   r->leaf->path);
        return dict_stream(r, &s->idx, nn, dst);
    }
    size_t used = 0;
    LH_TRY(plain_span(r, nn, &used));
    if (dst != NULL)
        LH_TRY(typed_values(r, PQ_ENC_PLAIN, s->p, used, nn, dst));
    s->p += used;
    return LH_OK;
}

/* The next n definition levels into r->def; *nn gets how many are at max_def. */
static lh_err stream_levels(pq_creader_t *r, size_t n, size_t *nn)
{
    pq_stream_t *s = &r->stream;
    LH_TRY(pq_buf_reserve(&r->def, (n ? n : 1) * sizeof(int16_t), r->eb));
    *nn = n;
    if (!s->has_def)
        return LH_OK;
    LH_TRY(pq_rle_levels(&s->def, (int16_t *)r->def.p, n, r->leaf->max_def, nn, r->eb));
    LH_ASSERT(*nn <= n);
    return LH_OK;
}

lh_err pq_stream_read(pq_creader_t *r, size_t n)
{
    pq_stream_t *s = &r->stream;
    LH_ASSERT(r->flat && n <= s->left);
    size_t nn;
    LH_TRY(stream_levels(r, n, &nn));
    lh_vec_t *v = r->out;
    LH_ASSERT(v->kind == LH_VEC_FLAT || (v->kind == LH_VEC_DICT && s->dict));
    size_t base = v->count;
    LH_FAIL_IF(lh_vec_reserve(v, base + n) != LH_OK, LH_E_NOMEM, r->eb,
               "parquet: out of memory for %zu rows", n);
    LH_TRY(stream_values(r, nn, (uint8_t *)v->data + base * lh_vec_slot_width(v)));
    LH_TRY(spread_nulls(r, base, (const int16_t *)r->def.p, n, nn));
    v->count = base + n;
    s->left -= n;
    return LH_OK;
}

#define PQ_SKIP_SLICE 4096 /* levels decoded at a time while skipping */

lh_err pq_stream_skip(pq_creader_t *r, size_t n)
{
    pq_stream_t *s = &r->stream;
    LH_ASSERT(n <= s->left);
    while (n > 0) {
        size_t k = n < PQ_SKIP_SLICE ? n : PQ_SKIP_SLICE, nn;
        LH_TRY(stream_levels(r, k, &nn));
        LH_TRY(stream_values(r, nn, NULL));
        s->left -= k;
        n -= k;
    }
    return LH_OK;
}
