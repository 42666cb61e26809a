/*
 * pq_write.c - the Parquet writer: flat files from batches, and the core shared with
 * pq_write_nested.c (see pq_write_internal.h for the data flow).
 *
 * File:  "PAR1" | rg0: chunk(col0) .. chunk(colN), bloom filters | rg1 ... | footer | len | "PAR1"
 * Chunk: [dictionary page (PLAIN entries)] data page v1 ...
 * Page:  [rep levels: u32 len + hybrid] [def levels: u32 len + hybrid] values, where the
 *        values are PLAIN, or a bit-width byte + hybrid dictionary indices (RLE_DICTIONARY).
 *
 * Values are staged in slices of at most LH_BATCH_ROWS rows: converted to their physical
 * form (bulk, or not at all when the vector already holds it), folded into the page's
 * statistics, then appended as PLAIN bytes or looked up in the chunk's dictionary. Past
 * dict_bytes_max of dictionary the page is flushed and the rest of the chunk is PLAIN.
 *
 * Type mapping, statistics and the footer's structures live in pq_write_meta.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "storage/parquet/pq_bloom.h"
#include "storage/parquet/pq_codec.h"
#include "storage/parquet/pq_format.h"
#include "storage/parquet/pq_write_internal.h"

#define DEFAULT_CREATED_BY "lakehouse version 0.1.0 (build dev)"

void lh_pq_write_opts_default(lh_pq_write_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->codec = LH_PQ_CODEC_ZSTD;
    o->zstd_level = 3;
    o->row_group_bytes = 128u * 1024 * 1024;
    o->row_group_rows = 122880;
    o->page_bytes = 1024 * 1024;
    o->dict_bytes_max = 1024 * 1024;
    o->dictionary = true;
    o->bloom_fpp = 0.01;
    o->created_by = DEFAULT_CREATED_BY;
}

/* ---- staging values ---------------------------------------------------------------------- */

/* Whether the vector's layout is already the physical PLAIN layout. */
static bool layout_is_physical(const pq_col_t *c)
{
    switch (c->type.id) {
    case LH_TYPE_INT:
    case LH_TYPE_DATE:
    case LH_TYPE_LONG:
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
        return true;
    case LH_TYPE_DECIMAL:
        return c->type.precision > 9 && c->type.precision <= 18;
    default:
        return false;
    }
}

#define AT(k) (rows ? rows[k] : start + (k))

/* Convert n values of v (rows[k], or start + k when rows is NULL) to their physical form;
 * *out points at them (into v itself when no conversion is needed). */
static lh_err stage_values(pq_col_t *c, const lh_vec_t *v, const uint32_t *rows, size_t start,
                           size_t n, const void **out)
{
    size_t vw = lh_type_width(v->type);
    if (rows == NULL && layout_is_physical(c)) {
        *out = (const uint8_t *)v->data + start * vw;
        return LH_OK;
    }
    size_t sw = c->kind == PK_BYTES ? sizeof(lh_sv_t) : (size_t)c->width;
    c->scratch.len = 0;
    if (!lh_pq_buf_reserve(&c->scratch, n * sw + 16))
        return LH_E_NOMEM;
    void *dst = c->scratch.data;
    *out = dst;
    switch (v->type.id) {
    case LH_TYPE_BOOLEAN: {
        const uint8_t *x = v->data;
        for (size_t k = 0; k < n; k++)
            ((uint8_t *)dst)[k] = x[AT(k)] != 0;
        return LH_OK;
    }
    case LH_TYPE_BYTE: {
        const int8_t *x = v->data;
        for (size_t k = 0; k < n; k++)
            ((int32_t *)dst)[k] = x[AT(k)];
        return LH_OK;
    }
    case LH_TYPE_SHORT: {
        const int16_t *x = v->data;
        for (size_t k = 0; k < n; k++)
            ((int32_t *)dst)[k] = x[AT(k)];
        return LH_OK;
    }
    case LH_TYPE_DECIMAL:
        if (c->kind == PK_I32) {
            const int64_t *x = v->data;
            for (size_t k = 0; k < n; k++)
                ((int32_t *)dst)[k] = (int32_t)x[AT(k)];
        } else if (c->kind == PK_FLBA) {
            const lh_i128 *x = v->data;
            for (size_t k = 0; k < n; k++)
                lh_pqw_i128_to_be(x[AT(k)], (uint8_t *)dst + k * sw, c->width);
        } else {
            break;
        }
        return LH_OK;
    default:
        break;
    }
    const uint8_t *src = v->data; /* a gather of physical-layout values */
    if (vw == 4) {
        for (size_t k = 0; k < n; k++)
            memcpy((uint8_t *)dst + k * 4, src + AT(k) * 4, 4);
    } else if (vw == 8) {
        for (size_t k = 0; k < n; k++)
            memcpy((uint8_t *)dst + k * 8, src + AT(k) * 8, 8);
    } else {
        for (size_t k = 0; k < n; k++)
            memcpy((uint8_t *)dst + k * vw, src + AT(k) * vw, vw);
    }
    return LH_OK;
}

#undef AT

/* The bloom hash input of a staged value: its PLAIN bytes (no length prefix). */
static uint64_t value_hash(const pq_col_t *c, const void *vals, size_t i)
{
    if (c->kind == PK_BYTES) {
        const lh_sv_t *x = (const lh_sv_t *)vals + i;
        return lh_pq_bloom_hash(x->ptr, x->len);
    }
    return lh_pq_bloom_hash((const uint8_t *)vals + i * (size_t)c->width, (size_t)c->width);
}

static lh_err ensure_idx(pq_col_t *c, size_t n)
{
    if (n <= c->idx_cap)
        return LH_OK;
    size_t cap = c->idx_cap ? c->idx_cap : 4096;
    while (cap < n)
        cap *= 2;
    uint32_t *p = realloc(c->idx, cap * sizeof *p);
    if (p == NULL)
        return LH_E_NOMEM;
    c->idx = p;
    c->idx_cap = cap;
    return LH_OK;
}

/* Append n staged non-null values to the open page. */
static lh_err put_values(pq_col_t *c, const void *vals, size_t n)
{
    if (n == 0)
        return LH_OK;
    lh_pqw_stats_add(c, &c->page_stats, vals, n);
    if (c->dict_active) {
        LH_TRY(ensure_idx(c, c->page_values + n));
        uint32_t *idx = c->idx + c->page_values;
        if (c->kind == PK_BYTES)
            LH_TRY(lh_pq_dict_put_bytes(&c->dict, vals, n, idx));
        else
            LH_TRY(lh_pq_dict_put_fixed(&c->dict, vals, n, idx));
        c->dict_values += (int64_t)n;
    } else {
        if (c->kind == PK_BYTES)
            lh_pq_plain_bytes(&c->vals, vals, n);
        else
            lh_pq_buf_append(&c->vals, vals, n * (size_t)c->width);
        if (c->vals.oom)
            return LH_E_NOMEM;
        for (size_t i = 0; c->bloom && i < n; i++)
            LH_TRY(lh_pq_hset_add(&c->bloom_set, value_hash(c, vals, i)));
    }
    c->page_values += n;
    return LH_OK;
}

/* ---- pages and chunks -------------------------------------------------------------------- */

static void put_le(uint8_t *p, uint64_t x, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(x >> (8 * i));
}

static lh_err sink_write(lh_pq_writer_t *w, const void *p, size_t n, lh_errbuf *eb)
{
    if (n == 0)
        return LH_OK;
    LH_TRY(w->sink.write(w->sink.ctx, p, n, eb));
    w->offset += n;
    return LH_OK;
}

static lh_err compress_body(lh_pq_writer_t *w, const uint8_t *src, size_t n, lh_errbuf *eb)
{
    int codec = (int)w->opts.codec;
    size_t bound = lh_pq_compress_bound(codec, n);
    w->comp.len = 0;
    LH_FAIL_IF(!lh_pq_buf_reserve(&w->comp, bound + 1), LH_E_NOMEM, eb, "parquet: out of memory");
    size_t out_len = 0;
    LH_TRY(
        lh_pq_compress(codec, w->opts.zstd_level, src, n, w->comp.data, w->comp.cap, &out_len, eb));
    w->comp.len = out_len;
    return LH_OK;
}

static size_t page_estimate(const pq_col_t *c)
{
    size_t levels =
        (c->page_levels * (size_t)(c->max_def > 0) + c->page_levels * (c->max_rep > 0)) / 4;
    if (!c->dict_active)
        return c->vals.len + levels;
    size_t bw = (size_t)lh_pq_bit_width(c->dict.count ? c->dict.count - 1 : 0);
    return c->page_values * (bw ? bw : 1) / 8 + levels;
}

static void levels_section(lh_pq_buf_t *body, const lh_pq_buf_t *lv, size_t n, int max)
{
    size_t at = body->len;
    lh_pq_buf_u32le(body, 0);
    lh_pq_rle_encode_u8(body, lv->data, n, lh_pq_bit_width((uint64_t)max));
    if (!body->oom)
        put_le(body->data + at, body->len - at - 4, 4);
}

static void reset_page(pq_col_t *c)
{
    c->def.len = c->rep.len = c->vals.len = 0;
    c->page_levels = c->page_values = 0;
    lh_pqw_stats_reset(&c->page_stats);
}

/* Whether the chunk's dictionary is not worth keeping: past dict_bytes_max, or nearly
 * every value distinct once DICT_PROBE_ENTRIES entries exist. The probe tells columns
 * bound to overflow (ids, timestamps) from ones whose dictionary fits: values drawn from
 * at most ~131k distinct (1 MiB of 8-byte entries) show at most ~87% new values when the
 * 32768th entry arrives, nearly-unique ones close to 100%. */
#define DICT_PROBE_ENTRIES  32768
#define DICT_PROBE_DISTINCT 0.9
#define DICT_KEEP_RATIO     0.9 /* keep a dictionary only below 90% of PLAIN's size */

static bool dict_gives_up(const lh_pq_writer_t *w, pq_col_t *c)
{
    if (c->dict.plain.len > w->opts.dict_bytes_max)
        return true;
    if (c->dict_probed || c->dict.count < DICT_PROBE_ENTRIES)
        return false;
    c->dict_probed = true;
    return (double)c->dict.count > DICT_PROBE_DISTINCT * (double)c->dict_values;
}

/* At the first page that would use the dictionary: whether dictionary page + indices are
 * not clearly smaller than PLAIN for the staged values (prices, ids with few repeats). */
static bool dict_not_smaller(const pq_col_t *c)
{
    double values = (double)c->page_values, entries = (double)c->dict.count;
    if (entries == 0)
        return false;
    double bits = lh_pq_bit_width(c->dict.count - 1);
    double dict_bytes = (double)c->dict.plain.len + values * (bits ? bits : 1) / 8.0;
    double plain_bytes = values * ((double)c->dict.plain.len / entries);
    return dict_bytes >= DICT_KEEP_RATIO * plain_bytes;
}

static lh_err bloom_add_dict(pq_col_t *c);

/* Turn the staged dictionary-encoded page back into PLAIN values and drop the dictionary,
 * so a chunk that gives up early carries no dictionary page at all. Only valid while no
 * page used the dictionary: then every entry came from the staged page. */
static lh_err undictionary(pq_col_t *c)
{
    if (c->bloom)
        LH_TRY(bloom_add_dict(c));
    const lh_pq_dict_t *d = &c->dict;
    for (size_t i = 0; i < c->page_values; i++) {
        uint32_t e = c->idx[i];
        if (c->kind == PK_BYTES) {
            const uint8_t *p = d->plain.data + d->offsets[e];
            uint32_t len =
                (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
            lh_pq_buf_append(&c->vals, p, (size_t)len + 4);
        } else {
            lh_pq_buf_append(&c->vals, d->plain.data + (size_t)e * (size_t)c->width,
                             (size_t)c->width);
        }
    }
    if (c->vals.oom)
        return LH_E_NOMEM;
    lh_pq_dict_reset(&c->dict);
    return LH_OK;
}

static lh_err flush_page(lh_pq_writer_t *w, pq_col_t *c, lh_errbuf *eb)
{
    if (c->page_levels == 0)
        return LH_OK;
    if (c->dict_active && !c->dict_used && c->page_values > 0 && dict_not_smaller(c)) {
        LH_FAIL_IF(undictionary(c) != LH_OK, LH_E_NOMEM, eb, "parquet: out of memory");
        c->dict_active = false;
    }
    lh_pq_buf_t *body = &w->body;
    body->len = 0;
    if (c->max_rep > 0)
        levels_section(body, &c->rep, c->page_levels, c->max_rep);
    if (c->max_def > 0)
        levels_section(body, &c->def, c->page_levels, c->max_def);
    int enc = PQ_ENC_PLAIN;
    if (c->dict_active && c->page_values > 0) {
        enc = PQ_ENC_RLE_DICTIONARY;
        int bw = lh_pq_bit_width(c->dict.count - 1);
        lh_pq_buf_byte(body, (uint8_t)bw);
        lh_pq_rle_encode_u32(body, c->idx, c->page_values, bw);
        c->dict_used = true;
    } else if (c->kind == PK_BOOL) {
        lh_pq_plain_bools(body, c->vals.data, c->page_values);
    } else {
        lh_pq_buf_append(body, c->vals.data, c->vals.len);
    }
    LH_FAIL_IF(body->oom, LH_E_NOMEM, eb, "parquet: out of memory");
    LH_FAIL_IF(body->len > INT32_MAX, LH_E_TOO_LARGE, eb, "parquet: page too large");
    LH_TRY(compress_body(w, body->data, body->len, eb));

    w->hdr.len = 0;
    lh_tenc_t t;
    lh_tenc_init(&t, &w->hdr);
    lh_tenc_i32(&t, 1, PQ_PAGE_DATA);
    lh_tenc_i32(&t, 2, (int32_t)body->len);
    lh_tenc_i32(&t, 3, (int32_t)w->comp.len);
    lh_tenc_struct_begin(&t, 5);
    lh_tenc_i32(&t, 1, (int32_t)c->page_levels);
    lh_tenc_i32(&t, 2, enc);
    lh_tenc_i32(&t, 3, PQ_ENC_RLE);
    lh_tenc_i32(&t, 4, PQ_ENC_RLE);
    lh_pqw_encode_stats(&t, 5, c, &c->page_stats);
    lh_tenc_struct_end(&t);
    lh_tenc_stop(&t);
    lh_pq_buf_append(&c->chunk, w->hdr.data, w->hdr.len);
    lh_pq_buf_append(&c->chunk, w->comp.data, w->comp.len);
    LH_FAIL_IF(w->hdr.oom || c->chunk.oom, LH_E_NOMEM, eb, "parquet: out of memory");

    c->chunk_unc += (int64_t)(w->hdr.len + body->len);
    c->chunk_levels += (int64_t)c->page_levels;
    c->encodings |= 1u << enc | 1u << PQ_ENC_RLE;
    lh_pqw_stats_merge(c, &c->chunk_stats, &c->page_stats);
    reset_page(c);
    return LH_OK;
}

/* After staging: flush a full page, and leave dictionary encoding once it is not worth it. */
static lh_err after_put(lh_pq_writer_t *w, pq_col_t *c, lh_errbuf *eb)
{
    if (c->dict_active && dict_gives_up(w, c)) {
        if (c->dict_used)
            LH_TRY(flush_page(w, c, eb)); /* earlier pages need the dictionary page */
        else
            LH_FAIL_IF(undictionary(c) != LH_OK, LH_E_NOMEM, eb, "parquet: out of memory");
        c->dict_active = false;
        return LH_OK;
    }
    if (page_estimate(c) >= w->opts.page_bytes)
        LH_TRY(flush_page(w, c, eb));
    return LH_OK;
}

lh_err lh_pqw_put_levels(lh_pq_writer_t *w, pq_col_t *c, const int16_t *def, const int16_t *rep,
                         size_t n, const lh_vec_t *vals, size_t val_start, size_t nvals,
                         lh_errbuf *eb)
{
    LH_FAIL_IF((c->max_def > 0 && def == NULL) || (c->max_rep > 0 && rep == NULL), LH_E_INVALID, eb,
               "parquet: leaf %s needs levels", c->path[c->path_len - 1]);
    size_t full = 0;
    if (c->max_def > 0) {
        LH_FAIL_IF(!lh_pq_buf_reserve(&c->def, n), LH_E_NOMEM, eb, "parquet: out of memory");
        for (size_t i = 0; i < n; i++) {
            LH_FAIL_IF(def[i] < 0 || def[i] > c->max_def, LH_E_INVALID, eb,
                       "parquet: definition level %d out of range", def[i]);
            c->def.data[c->def.len++] = (uint8_t)def[i];
            full += def[i] == c->max_def;
        }
    } else {
        full = n;
    }
    if (c->max_rep > 0) {
        LH_FAIL_IF(!lh_pq_buf_reserve(&c->rep, n), LH_E_NOMEM, eb, "parquet: out of memory");
        for (size_t i = 0; i < n; i++) {
            LH_FAIL_IF(rep[i] < 0 || rep[i] > c->max_rep, LH_E_INVALID, eb,
                       "parquet: repetition level %d out of range", rep[i]);
            c->rep.data[c->rep.len++] = (uint8_t)rep[i];
        }
    }
    LH_FAIL_IF(full != nvals, LH_E_INVALID, eb,
               "parquet: leaf %s has %zu defined levels but %zu values", c->path[c->path_len - 1],
               full, nvals);
    c->page_levels += n;
    c->page_stats.null_count += (int64_t)(n - nvals);
    if (nvals > 0) {
        LH_FAIL_IF(vals == NULL || !lh_type_equal(vals->type, c->type) ||
                       vals->count < val_start + nvals,
                   LH_E_INVALID, eb, "parquet: leaf %s: values vector does not match",
                   c->path[c->path_len - 1]);
        const void *staged;
        lh_err e = stage_values(c, vals, NULL, val_start, nvals, &staged);
        if (e == LH_OK)
            e = put_values(c, staged, nvals);
        LH_FAIL_IF(e != LH_OK, e, eb, "parquet: out of memory");
    }
    return after_put(w, c, eb);
}

/* Rows [pos, pos+n) of a flat column. Nulls were checked against nullability already. */
static lh_err put_flat(lh_pq_writer_t *w, pq_col_t *c, const lh_vec_t *v, size_t pos, size_t n,
                       lh_errbuf *eb)
{
    const uint32_t *rows = NULL;
    size_t nvals = n;
    if (v->sel != NULL || (c->max_def > 0 && v->validity != NULL)) {
        uint32_t *r = w->rows_scratch;
        nvals = 0;
        if (c->max_def > 0 && !lh_pq_buf_reserve(&c->def, n))
            return LH_E_NOMEM;
        for (size_t k = 0; k < n; k++) {
            size_t i = v->sel ? v->sel[pos + k] : pos + k;
            bool ok = lh_vec_is_valid(v, i);
            if (c->max_def > 0)
                c->def.data[c->def.len++] = ok;
            r[nvals] = (uint32_t)i;
            nvals += ok;
        }
        rows = r;
    } else if (c->max_def > 0) {
        if (!lh_pq_buf_reserve(&c->def, n))
            return LH_E_NOMEM;
        memset(c->def.data + c->def.len, 1, n);
        c->def.len += n;
    }
    c->page_levels += n;
    c->page_stats.null_count += (int64_t)(n - nvals);
    const void *staged;
    LH_TRY(stage_values(c, v, rows, pos, nvals, &staged));
    LH_TRY(put_values(c, staged, nvals));
    return after_put(w, c, eb);
}

/* Hash every dictionary entry into the bloom set (values staged while dictionary-encoding). */
static lh_err bloom_add_dict(pq_col_t *c)
{
    const lh_pq_dict_t *d = &c->dict;
    for (uint32_t e = 0; e < d->count; e++) {
        uint64_t h;
        if (c->kind == PK_BYTES) {
            const uint8_t *p = d->plain.data + d->offsets[e];
            uint32_t len =
                (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
            h = lh_pq_bloom_hash(p + 4, len);
        } else {
            h = lh_pq_bloom_hash(d->plain.data + (size_t)e * (size_t)c->width, (size_t)c->width);
        }
        LH_TRY(lh_pq_hset_add(&c->bloom_set, h));
    }
    return LH_OK;
}

static lh_err write_bloom(lh_pq_writer_t *w, pq_col_t *c, lh_errbuf *eb)
{
    LH_FAIL_IF(bloom_add_dict(c) != LH_OK, LH_E_NOMEM, eb, "parquet: out of memory");
    lh_pq_hset_t *s = &c->bloom_set;
    size_t nbytes = lh_pq_bloom_bytes_for(s->count + s->has_zero, w->opts.bloom_fpp);
    uint8_t *bits = calloc(1, nbytes);
    LH_FAIL_IF(bits == NULL, LH_E_NOMEM, eb, "parquet: out of memory");
    for (size_t i = 0; i < s->slot_count; i++)
        if (s->slots[i] != 0)
            lh_pq_bloom_insert(bits, nbytes, s->slots[i]);
    if (s->has_zero)
        lh_pq_bloom_insert(bits, nbytes, 0);
    w->hdr.len = 0;
    lh_tenc_t t;
    lh_tenc_init(&t, &w->hdr);
    lh_tenc_i32(&t, 1, (int32_t)nbytes);
    lh_tenc_struct_begin(&t, 2);
    lh_tenc_empty_struct(&t, 1); /* BLOCK */
    lh_tenc_struct_end(&t);
    lh_tenc_struct_begin(&t, 3);
    lh_tenc_empty_struct(&t, 1); /* XXHASH */
    lh_tenc_struct_end(&t);
    lh_tenc_struct_begin(&t, 4);
    lh_tenc_empty_struct(&t, 1); /* UNCOMPRESSED */
    lh_tenc_struct_end(&t);
    lh_tenc_stop(&t);
    c->m_bloom_off = (int64_t)w->offset;
    c->m_bloom_len = (int32_t)(w->hdr.len + nbytes);
    lh_err e = w->hdr.oom ? LH_E_NOMEM : sink_write(w, w->hdr.data, w->hdr.len, eb);
    if (e == LH_OK)
        e = sink_write(w, bits, nbytes, eb);
    free(bits);
    return e;
}

static lh_err write_footer(lh_pq_writer_t *w, lh_errbuf *eb)
{
    lh_pq_buf_t out = {0};
    lh_pqw_encode_footer(w, &out);
    lh_pq_buf_u32le(&out, (uint32_t)out.len);
    lh_pq_buf_append(&out, "PAR1", 4);
    lh_err e = out.oom ? LH_E_NOMEM : sink_write(w, out.data, out.len, eb);
    if (out.oom)
        lh_err_set(eb, e, __FILE__, __LINE__, "parquet: out of memory");
    lh_pq_buf_free(&out);
    return e;
}

static lh_err write_chunk(lh_pq_writer_t *w, pq_col_t *c, lh_errbuf *eb)
{
    LH_TRY(flush_page(w, c, eb));
    uint64_t start = w->offset;
    c->m_dict_off = -1;
    c->m_unc = c->chunk_unc;
    if (c->dict_used) {
        LH_TRY(compress_body(w, c->dict.plain.data, c->dict.plain.len, eb));
        w->hdr.len = 0;
        lh_tenc_t t;
        lh_tenc_init(&t, &w->hdr);
        lh_tenc_i32(&t, 1, PQ_PAGE_DICTIONARY);
        lh_tenc_i32(&t, 2, (int32_t)c->dict.plain.len);
        lh_tenc_i32(&t, 3, (int32_t)w->comp.len);
        lh_tenc_struct_begin(&t, 7);
        lh_tenc_i32(&t, 1, (int32_t)c->dict.count);
        lh_tenc_i32(&t, 2, PQ_ENC_PLAIN);
        lh_tenc_bool(&t, 3, false);
        lh_tenc_struct_end(&t);
        lh_tenc_stop(&t);
        LH_FAIL_IF(w->hdr.oom, LH_E_NOMEM, eb, "parquet: out of memory");
        c->m_dict_off = (int64_t)start;
        LH_TRY(sink_write(w, w->hdr.data, w->hdr.len, eb));
        LH_TRY(sink_write(w, w->comp.data, w->comp.len, eb));
        c->m_unc += (int64_t)(w->hdr.len + c->dict.plain.len);
        c->encodings |= 1u << PQ_ENC_PLAIN;
    }
    c->m_data_off = (int64_t)w->offset;
    LH_TRY(sink_write(w, c->chunk.data, c->chunk.len, eb));
    c->m_comp = (int64_t)(w->offset - start);
    return LH_OK;
}

static void reset_chunk(lh_pq_writer_t *w, pq_col_t *c)
{
    c->file_levels += c->chunk_levels;
    lh_pqw_stats_merge(c, &c->file_stats, &c->chunk_stats);
    lh_pqw_stats_reset(&c->chunk_stats);
    lh_pq_dict_reset(&c->dict);
    lh_pq_hset_reset(&c->bloom_set);
    c->chunk.len = 0;
    c->chunk_levels = c->chunk_unc = 0;
    c->encodings = 0;
    c->dict_active = c->dict_enabled;
    c->dict_used = false;
    c->dict_probed = false;
    c->dict_values = 0;
}

lh_err lh_pqw_close_row_group(lh_pq_writer_t *w, lh_errbuf *eb)
{
    if (w->rg_rows == 0)
        return LH_OK;
    LH_FAIL_IF(w->rg_count >= INT16_MAX, LH_E_LIMIT, eb, "parquet: too many row groups");
    uint64_t start = w->offset;
    for (int i = 0; i < w->col_count; i++)
        LH_TRY(write_chunk(w, &w->cols[i], eb));
    int64_t total_unc = 0, total_comp = 0;
    for (int i = 0; i < w->col_count; i++) {
        total_unc += w->cols[i].m_unc;
        total_comp += w->cols[i].m_comp;
    }
    for (int i = 0; i < w->col_count; i++)
        if (w->cols[i].bloom)
            LH_TRY(write_bloom(w, &w->cols[i], eb));
    lh_tenc_t t;
    lh_tenc_init(&t, &w->rg_meta);
    lh_tenc_elem_struct_begin(&t);
    lh_tenc_list_begin(&t, 1, TC_STRUCT, (uint32_t)w->col_count);
    for (int i = 0; i < w->col_count; i++)
        lh_pqw_encode_column_chunk(&t, w, &w->cols[i]);
    lh_tenc_i64(&t, 2, total_unc);
    lh_tenc_i64(&t, 3, w->rg_rows);
    lh_tenc_i64(&t, 5, (int64_t)start);
    lh_tenc_i64(&t, 6, total_comp);
    lh_tenc_i16(&t, 7, (int16_t)w->rg_count);
    lh_tenc_struct_end(&t);
    LH_FAIL_IF(w->rg_meta.oom, LH_E_NOMEM, eb, "parquet: out of memory");
    for (int i = 0; i < w->col_count; i++)
        reset_chunk(w, &w->cols[i]);
    w->num_rows += w->rg_rows;
    w->rg_rows = 0;
    w->rg_count++;
    return LH_OK;
}

/* ---- shared construction ----------------------------------------------------------------- */

lh_err lh_pqw_alloc(const lh_pq_write_opts_t *opts, lh_byte_sink_t sink, lh_pq_writer_t **out,
                    lh_errbuf *eb)
{
    *out = NULL;
    LH_FAIL_IF(sink.write == NULL, LH_E_INVALID, eb, "parquet: sink has no write function");
    lh_pq_write_opts_t o;
    if (opts != NULL)
        o = *opts;
    else
        lh_pq_write_opts_default(&o);
    LH_FAIL_IF(!lh_pq_codec_supported((int)o.codec), LH_E_UNSUPPORTED, eb,
               "parquet: unsupported codec %s", lh_pq_codec_name((int)o.codec));
    if (o.row_group_rows == 0)
        o.row_group_rows = 122880;
    if (o.row_group_bytes == 0)
        o.row_group_bytes = 128u * 1024 * 1024;
    if (o.page_bytes == 0)
        o.page_bytes = 1024 * 1024;
    if (o.bloom_fpp <= 0.0 || o.bloom_fpp >= 1.0)
        o.bloom_fpp = 0.01;
    if (o.zstd_level == 0)
        o.zstd_level = 3;
    lh_pq_writer_t *w = calloc(1, sizeof *w);
    LH_FAIL_IF(w == NULL, LH_E_NOMEM, eb, "parquet: out of memory");
    w->opts = o;
    w->opts.bloom_columns = NULL;
    w->opts.bloom_column_count = 0;
    w->opts.created_by = strdup(o.created_by ? o.created_by : DEFAULT_CREATED_BY);
    w->sink = sink;
    w->rows_scratch = malloc(LH_BATCH_ROWS * sizeof *w->rows_scratch);
    if (w->opts.created_by == NULL || w->rows_scratch == NULL) {
        lh_pq_writer_destroy(w);
        LH_FAIL(LH_E_NOMEM, eb, "parquet: out of memory");
    }
    *out = w;
    return LH_OK;
}

lh_err lh_pqw_add_snode(lh_pq_writer_t *w, const char *name, int repetition, int child_count,
                        lh_pq_annot annot, int leaf, lh_errbuf *eb)
{
    LH_FAIL_IF(name == NULL || name[0] == '\0', LH_E_INVALID, eb, "parquet: empty column name");
    pq_snode_t *s = realloc(w->snodes, (size_t)(w->snode_count + 1) * sizeof *s);
    LH_FAIL_IF(s == NULL, LH_E_NOMEM, eb, "parquet: out of memory");
    w->snodes = s;
    pq_snode_t *n = &s[w->snode_count];
    memset(n, 0, sizeof *n);
    n->name = strdup(name);
    LH_FAIL_IF(n->name == NULL, LH_E_NOMEM, eb, "parquet: out of memory");
    n->repetition = repetition;
    n->child_count = child_count;
    n->annot = annot;
    n->leaf = leaf;
    w->snode_count++;
    return LH_OK;
}

static int dict_width(const pq_col_t *c)
{
    return c->kind == PK_BYTES ? 0 : c->width;
}

lh_err lh_pqw_add_leaf(lh_pq_writer_t *w, lh_type_t type, const char *const *path, int path_len,
                       int max_def, int max_rep, lh_errbuf *eb, int *leaf)
{
    LH_FAIL_IF(max_def > 255 || max_rep > 255, LH_E_LIMIT, eb, "parquet: schema nested too deep");
    pq_col_t *cols = realloc(w->cols, (size_t)(w->col_count + 1) * sizeof *cols);
    LH_FAIL_IF(cols == NULL, LH_E_NOMEM, eb, "parquet: out of memory");
    w->cols = cols;
    pq_col_t *c = &cols[w->col_count];
    memset(c, 0, sizeof *c);
    w->col_count++; /* from here on, destroy frees it */
    c->path = calloc((size_t)path_len, sizeof *c->path);
    LH_FAIL_IF(c->path == NULL, LH_E_NOMEM, eb, "parquet: out of memory");
    c->path_len = path_len;
    for (int i = 0; i < path_len; i++) {
        c->path[i] = strdup(path[i]);
        LH_FAIL_IF(c->path[i] == NULL, LH_E_NOMEM, eb, "parquet: out of memory");
    }
    LH_TRY(lh_pqw_map_type(c, type, eb));
    c->max_def = max_def;
    c->max_rep = max_rep;
    c->dict_enabled = w->opts.dictionary && c->kind != PK_BOOL;
    c->dict_active = c->dict_enabled;
    lh_pq_dict_init(&c->dict, dict_width(c));
    *leaf = w->col_count - 1;
    return LH_OK;
}

lh_err lh_pqw_start(lh_pq_writer_t *w, lh_errbuf *eb)
{
    int cols = w->schema ? w->schema->field_count : w->col_count;
    w->summary_cols = calloc((size_t)(cols ? cols : 1), sizeof *w->summary_cols);
    w->summary_leaves =
        calloc((size_t)(w->col_count ? w->col_count : 1), sizeof *w->summary_leaves);
    LH_FAIL_IF(w->summary_cols == NULL || w->summary_leaves == NULL, LH_E_NOMEM, eb,
               "parquet: out of memory");
    return sink_write(w, "PAR1", 4, eb);
}

/* ---- flat public API --------------------------------------------------------------------- */

static lh_err add_flat_column(lh_pq_writer_t *w, const lh_field_t *f, lh_errbuf *eb)
{
    const char *path[1] = {f->name};
    int leaf = -1;
    LH_TRY(lh_pqw_add_leaf(w, f->type, path, 1, f->nullable ? 1 : 0, 0, eb, &leaf));
    return lh_pqw_add_snode(w, f->name, f->nullable ? PQ_OPTIONAL : PQ_REQUIRED, 0,
                            LH_PQ_ANNOT_NONE, leaf, eb);
}

static lh_err build_flat(lh_pq_writer_t *w, const lh_schema_t *schema,
                         const lh_pq_write_opts_t *opts, lh_errbuf *eb)
{
    LH_TRY(lh_pqw_add_snode(w, "schema", 0, schema->field_count, LH_PQ_ANNOT_NONE, -1, eb));
    w->schema = lh_schema_copy(schema);
    w->field_leaf = calloc((size_t)schema->field_count + 1, sizeof *w->field_leaf);
    w->field_nulls = calloc((size_t)schema->field_count + 1, sizeof *w->field_nulls);
    LH_FAIL_IF(w->schema == NULL || w->field_leaf == NULL || w->field_nulls == NULL, LH_E_NOMEM, eb,
               "parquet: out of memory");
    bool nested = false;
    for (int i = 0; i < schema->field_count; i++) {
        const lh_field_t *f = &schema->fields[i];
        LH_FAIL_IF(f->name == NULL, LH_E_INVALID, eb, "parquet: unnamed column %d", i);
        w->field_leaf[i] = w->col_count;
        nested |= lh_type_is_nested(f->type);
        LH_TRY(lh_type_is_nested(f->type) ? lh_pqw_add_nested_column(w, f, eb)
                                          : add_flat_column(w, f, eb));
    }
    for (int i = 0; opts != NULL && i < opts->bloom_column_count; i++) {
        int col = lh_schema_find(schema, opts->bloom_columns[i]);
        int leaf = col >= 0 ? w->field_leaf[col] : -1;
        LH_FAIL_IF(leaf < 0 || lh_type_is_nested(schema->fields[col].type) ||
                       w->cols[leaf].kind == PK_BOOL,
                   LH_E_INVALID, eb, "parquet: no column %s for a bloom filter",
                   opts->bloom_columns[i]);
        w->cols[leaf].bloom = true;
    }
    if (nested)
        LH_TRY(lh_pqw_shred_init(w, eb));
    return lh_pqw_start(w, eb);
}

lh_err lh_pq_writer_create(const lh_schema_t *schema, const lh_pq_write_opts_t *opts,
                           lh_byte_sink_t sink, lh_pq_writer_t **out, lh_errbuf *eb)
{
    *out = NULL;
    LH_FAIL_IF(schema == NULL || schema->field_count <= 0, LH_E_INVALID, eb,
               "parquet: schema has no columns");
    lh_pq_writer_t *w;
    LH_TRY(lh_pqw_alloc(opts, sink, &w, eb));
    lh_err e = build_flat(w, schema, opts, eb);
    if (e != LH_OK) {
        lh_pq_writer_destroy(w);
        return e;
    }
    *out = w;
    return LH_OK;
}

/* Whether every valid decimal of the batch has at most precision digits (so that its
 * physical form, e.g. INT32 for precision <= 9, holds it). */
static bool decimals_fit(const lh_vec_t *v, size_t rows)
{
    lh_i128 lim = 1;
    for (int i = 0; i < v->type.precision; i++)
        lim *= 10;
    for (size_t r = 0; r < rows; r++) {
        size_t i = v->sel ? v->sel[r] : r;
        if (!lh_vec_is_valid(v, i))
            continue;
        lh_i128 x = v->type.precision > 18 ? ((const lh_i128 *)v->data)[i]
                                           : (lh_i128)((const int64_t *)v->data)[i];
        if (x >= lim || x <= -lim)
            return false;
    }
    return true;
}

static lh_err check_batch(const lh_pq_writer_t *w, const lh_batch_t *b, lh_errbuf *eb)
{
    LH_FAIL_IF(b->col_count != w->schema->field_count, LH_E_INVALID, eb,
               "parquet: batch has %d columns, schema %d", b->col_count, w->schema->field_count);
    for (int i = 0; i < b->col_count; i++) {
        const lh_vec_t *v = b->cols[i];
        const lh_field_t *f = &w->schema->fields[i];
        LH_FAIL_IF(!lh_type_equal(v->type, f->type), LH_E_INVALID, eb,
                   "parquet: column %s: vector type does not match the schema", f->name);
        LH_FAIL_IF(v->kind != LH_VEC_FLAT, LH_E_INVALID, eb,
                   "parquet: column %s is a constant or dictionary vector (flatten it first)",
                   f->name);
        LH_FAIL_IF(v->sel ? v->sel_count < b->row_count : v->count < b->row_count, LH_E_INVALID, eb,
                   "parquet: column %s has fewer rows than the batch", f->name);
        LH_FAIL_IF(f->type.id == LH_TYPE_DECIMAL && !decimals_fit(v, b->row_count), LH_E_INVALID,
                   eb, "parquet: column %s holds a value beyond decimal(%u,%u)", f->name,
                   f->type.precision, f->type.scale);
        if (f->nullable || v->validity == NULL)
            continue;
        for (size_t r = 0; r < b->row_count; r++)
            LH_FAIL_IF(!lh_vec_is_valid(v, v->sel ? v->sel[r] : r), LH_E_INVALID, eb,
                       "parquet: null in non-nullable column %s", f->name);
    }
    return LH_OK;
}

static uint64_t open_rg_bytes(const lh_pq_writer_t *w)
{
    uint64_t n = 0;
    for (int i = 0; i < w->col_count; i++)
        n += (uint64_t)w->cols[i].chunk_unc + page_estimate(&w->cols[i]) +
             (w->cols[i].dict_active ? w->cols[i].dict.plain.len : 0);
    return n;
}

static lh_err write_batch(lh_pq_writer_t *w, const lh_batch_t *b, lh_errbuf *eb)
{
    LH_TRY(check_batch(w, b, eb));
    size_t pos = 0;
    while (pos < b->row_count) {
        size_t n = b->row_count - pos;
        if (n > LH_BATCH_ROWS)
            n = LH_BATCH_ROWS;
        if (n > w->opts.row_group_rows - (uint64_t)w->rg_rows)
            n = (size_t)(w->opts.row_group_rows - (uint64_t)w->rg_rows);
        for (int i = 0; i < w->schema->field_count; i++) {
            lh_err e = lh_type_is_nested(w->schema->fields[i].type)
                           ? lh_pqw_put_nested(w, i, b->cols[i], pos, n, eb)
                           : put_flat(w, &w->cols[w->field_leaf[i]], b->cols[i], pos, n, eb);
            if (e == LH_E_NOMEM)
                LH_FAIL(e, eb, "parquet: out of memory");
            LH_TRY(e);
        }
        w->rg_rows += (int64_t)n;
        pos += n;
        if ((uint64_t)w->rg_rows >= w->opts.row_group_rows ||
            open_rg_bytes(w) >= w->opts.row_group_bytes)
            LH_TRY(lh_pqw_close_row_group(w, eb));
    }
    return LH_OK;
}

lh_err lh_pq_writer_write_batch(lh_pq_writer_t *w, const lh_batch_t *b, lh_errbuf *eb)
{
    LH_FAIL_IF(w->failed || w->finished || w->schema == NULL, LH_E_STATE, eb,
               "parquet: writer is %s",
               w->finished ? "finished"
               : w->failed ? "failed"
                           : "nested");
    lh_err e = write_batch(w, b, eb);
    if (e != LH_OK && e != LH_E_INVALID)
        w->failed = true;
    return e;
}

lh_err lh_pq_writer_finish(lh_pq_writer_t *w, lh_pq_file_summary_t *summary, lh_errbuf *eb)
{
    LH_FAIL_IF(w->failed || w->finished, LH_E_STATE, eb, "parquet: writer is %s",
               w->finished ? "finished" : "failed");
    lh_err e = lh_pqw_close_row_group(w, eb);
    if (e == LH_OK)
        e = write_footer(w, eb);
    if (e != LH_OK) {
        w->failed = true;
        return e;
    }
    w->finished = true;
    if (summary != NULL)
        lh_pqw_fill_summary(w, summary);
    return LH_OK;
}

static void col_free(pq_col_t *c)
{
    for (int i = 0; c->path != NULL && i < c->path_len; i++)
        free(c->path[i]);
    free(c->path);
    lh_pq_buf_free(&c->def);
    lh_pq_buf_free(&c->rep);
    lh_pq_buf_free(&c->vals);
    free(c->idx);
    lh_pq_dict_free(&c->dict);
    lh_pq_buf_free(&c->chunk);
    lh_pq_hset_free(&c->bloom_set);
    lh_pqw_stats_free(&c->page_stats);
    lh_pqw_stats_free(&c->chunk_stats);
    lh_pqw_stats_free(&c->file_stats);
    lh_pq_buf_free(&c->scratch);
}

void lh_pq_writer_destroy(lh_pq_writer_t *w)
{
    if (w == NULL)
        return;
    for (int i = 0; i < w->col_count; i++)
        col_free(&w->cols[i]);
    free(w->cols);
    for (int i = 0; i < w->snode_count; i++)
        free(w->snodes[i].name);
    free(w->snodes);
    if (w->schema)
        lh_schema_destroy(w->schema);
    free((char *)w->opts.created_by);
    lh_pq_buf_free(&w->rg_meta);
    lh_pq_buf_free(&w->body);
    lh_pq_buf_free(&w->comp);
    lh_pq_buf_free(&w->hdr);
    free(w->rows_scratch);
    free(w->summary_cols);
    free(w->summary_leaves);
    lh_pqw_shred_free(w);
    free(w->field_leaf);
    free(w->field_nulls);
    free(w);
}
