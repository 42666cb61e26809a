/*
 * pq_read.c - the Parquet reader: open (footer), flat schema, and column chunk decoding.
 *
 * Reading one chunk (flat column or leaf):
 *   1. read exactly the chunk's byte range [start, start + total_compressed_size), where
 *      start is the dictionary page offset when valid, else the first data page (for
 *      parquet-mr before 1.2.9 plus the dictionary page header its size left out);
 *   2. walk page headers (each page is decoded by pq_page.c, which the per-column cursor
 *      in pq_cursor.c shares): a dictionary page is decoded once into the target layout
 *      (strings copied into the output vector's heap); data pages v1/v2 are decompressed,
 *      their rep/def levels decoded, then the non-null values decoded straight into the
 *      output vector (PLAIN fixed width by memcpy, dictionary indices by gather) or, when
 *      the physical type differs from the logical one, via a scratch buffer + pq_convert;
 *   3. flat reads spread each page's values over its rows from the back, clearing validity
 *      bits for nulls; leaf reads keep the values dense and return the levels.
 * Every count from the file is checked against the chunk (num_values), the page and the
 * bytes present; a mismatch is LH_E_CORRUPT.
 */
#include "storage/parquet/parquet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/parquet/pq_codec.h"
#include "storage/parquet/pq_decode.h"
#include "storage/parquet/pq_file.h"
#include "storage/parquet/pq_format.h"
#include "storage/parquet/pq_page.h"

/* Rows we reserve up front for a flat chunk, before any page has proven them. */
#define PQ_RESERVE_MAX (1u << 20)

#define CORRUPT(eb, ...) lh_err_set((eb), LH_E_CORRUPT, __FILE__, __LINE__, __VA_ARGS__)

lh_err pq_src_read(const lh_pq_file_t *f, uint64_t offset, void *buf, size_t len, lh_errbuf *eb)
{
    LH_FAIL_IF(offset > f->src.size || len > f->src.size - offset, LH_E_CORRUPT, eb,
               "parquet: range of %zu bytes at %llu lies outside the file", len,
               (unsigned long long)offset);
    if (len == 0)
        return LH_OK;
    return f->src.read_at(f->src.ctx, offset, buf, len, eb);
}

/* ---- open ------------------------------------------------------------------------------ */

static lh_err read_footer(lh_pq_file_t *f, lh_errbuf *eb)
{
    uint64_t size = f->src.size;
    uint8_t head[4], tail[8];
    LH_FAIL_IF(size < 12, LH_E_CORRUPT, eb, "parquet: file of %llu bytes is too small",
               (unsigned long long)size);
    LH_TRY(pq_src_read(f, 0, head, 4, eb));
    LH_TRY(pq_src_read(f, size - 8, tail, 8, eb));
    LH_FAIL_IF(memcmp(tail + 4, "PARE", 4) == 0 || memcmp(head, "PARE", 4) == 0, LH_E_UNSUPPORTED,
               eb, "parquet: encrypted files are not supported");
    LH_FAIL_IF(memcmp(head, "PAR1", 4) != 0 || memcmp(tail + 4, "PAR1", 4) != 0, LH_E_CORRUPT, eb,
               "parquet: missing PAR1 magic");
    uint32_t len = (uint32_t)tail[0] | (uint32_t)tail[1] << 8 | (uint32_t)tail[2] << 16 |
                   (uint32_t)tail[3] << 24;
    LH_FAIL_IF(len == 0 || len > size - 12 || len > LH_PQ_FOOTER_MAX, LH_E_CORRUPT, eb,
               "parquet: bad footer length %u", len);
    f->footer = malloc(len);
    LH_FAIL_IF(f->footer == NULL, LH_E_NOMEM, eb, "parquet: out of memory for the footer");
    f->footer_len = len;
    return pq_src_read(f, size - 8 - len, f->footer, len, eb);
}

static bool leaf_is_flat(const pq_leaf_t *lf)
{
    return lf->top_schema == lf->schema_index && lf->max_rep == 0;
}

static lh_err build_flat(lh_pq_file_t *f, lh_errbuf *eb)
{
    const pq_meta_t *m = &f->meta;
    int flat = 0, roots = m->schema_count > 0 ? m->schema[0].num_children : 0;
    for (int i = 0; i < m->leaf_count; i++)
        flat += leaf_is_flat(&m->leaves[i]);
    f->schema = lh_schema_create(flat);
    f->flat_leaf = calloc((size_t)flat + 1, sizeof(int));
    f->nested_names = calloc((size_t)roots + 1, sizeof(char *));
    f->nested_top = calloc((size_t)roots + 1, sizeof(int));
    LH_FAIL_IF(f->schema == NULL || f->flat_leaf == NULL || f->nested_names == NULL ||
                   f->nested_top == NULL,
               LH_E_NOMEM, eb, "parquet: out of memory for the schema");
    int k = 0, last_top = -1;
    for (int i = 0; i < m->leaf_count; i++) {
        const pq_leaf_t *lf = &m->leaves[i];
        if (leaf_is_flat(lf)) {
            f->flat_leaf[k] = i;
            LH_TRY(lh_schema_set(f->schema, k++, lf->path, lf->type, lf->max_def > 0));
        } else if (lf->top_index != last_top) {
            f->nested_top[f->nested_count] = lf->top_schema;
            f->nested_names[f->nested_count++] = m->schema[lf->top_schema].name;
        }
        last_top = lf->top_index;
    }
    return f->nested_count > 0 ? pq_nested_init(f, eb) : LH_OK;
}

lh_err lh_pq_open(lh_byte_source_t *src, lh_pq_file_t **out, lh_errbuf *eb)
{
    *out = NULL;
    lh_pq_file_t *f = calloc(1, sizeof *f);
    if (f == NULL) {
        if (src->close)
            src->close(src->ctx);
        LH_FAIL(LH_E_NOMEM, eb, "parquet: out of memory");
    }
    f->src = *src;
    lh_err e = read_footer(f, eb);
    if (e == LH_OK)
        e = pq_meta_decode(f->footer, f->footer_len, f->src.size, &f->meta, eb);
    if (e == LH_OK && f->meta.encrypted)
        e = lh_err_set(eb, LH_E_UNSUPPORTED, __FILE__, __LINE__,
                       "parquet: encrypted files are not supported");
    if (e == LH_OK)
        e = build_flat(f, eb);
    if (e != LH_OK) {
        lh_pq_close(f);
        return e;
    }
    *out = f;
    return LH_OK;
}

void lh_pq_close(lh_pq_file_t *f)
{
    if (f == NULL)
        return;
    if (f->src.close)
        f->src.close(f->src.ctx);
    pq_meta_free(&f->meta);
    free(f->footer);
    if (f->schema)
        lh_schema_destroy(f->schema);
    free(f->flat_leaf);
    free(f->nested_names);
    free(f->nested_top);
    free(f->nodes);
    free(f);
}

int64_t lh_pq_num_rows(const lh_pq_file_t *f)
{
    return f->meta.num_rows;
}

int lh_pq_row_group_count(const lh_pq_file_t *f)
{
    return f->meta.row_group_count;
}

int64_t lh_pq_row_group_num_rows(const lh_pq_file_t *f, int rg)
{
    if (rg < 0 || rg >= f->meta.row_group_count)
        return -1;
    return f->meta.row_groups[rg].num_rows;
}

const char *lh_pq_created_by(const lh_pq_file_t *f)
{
    return f->meta.created_by;
}

const lh_schema_t *lh_pq_schema(const lh_pq_file_t *f)
{
    return f->schema;
}

int lh_pq_nested_column_count(const lh_pq_file_t *f)
{
    return f->nested_count;
}

const char *lh_pq_nested_column_name(const lh_pq_file_t *f, int i)
{
    return i >= 0 && i < f->nested_count ? f->nested_names[i] : NULL;
}

int lh_pq_leaf_count(const lh_pq_file_t *f)
{
    return f->meta.leaf_count;
}

lh_err lh_pq_leaf_get_info(const lh_pq_file_t *f, int leaf, lh_pq_leaf_info_t *out, lh_errbuf *eb)
{
    LH_FAIL_IF(leaf < 0 || leaf >= f->meta.leaf_count, LH_E_INVALID, eb,
               "parquet: no leaf column %d", leaf);
    const pq_leaf_t *lf = &f->meta.leaves[leaf];
    out->path = lf->path;
    out->max_def = lf->max_def;
    out->max_rep = lf->max_rep;
    out->type = lf->type;
    return LH_OK;
}

/* ---- whole chunks ---------------------------------------------------------------------- */

/* Whether created_by names parquet-mr before 1.2.9 (no version counts as before), whose
 * total_compressed_size left out the dictionary page header (PARQUET-816, IMPALA-694). */
static bool writer_omits_dict_header(const lh_pq_file_t *f)
{
    const char *cb = f->meta.created_by;
    if (cb == NULL || strncmp(cb, "parquet-mr", 10) != 0 || (cb[10] != '\0' && cb[10] != ' '))
        return false;
    const char *v = strstr(cb, " version ");
    int major = 0, minor = 0, patch = 0;
    if (v != NULL && sscanf(v + 9, "%d.%d.%d", &major, &minor, &patch) < 1)
        return false;
    return major < 1 || (major == 1 && (minor < 2 || (minor == 2 && patch < 9)));
}

/* Bytes to read past total_compressed_size: for such a writer, the encoded length of the
 * dictionary page header at start when the chunk opens with one (what its size omitted);
 * 0 otherwise. The Parquet spec counts headers in the size, so every other file is held
 * to it exactly. */
static size_t dict_header_slack(const lh_pq_file_t *f, int64_t start)
{
    uint8_t head[256];
    size_t n =
        f->src.size - (uint64_t)start < sizeof head ? f->src.size - (uint64_t)start : sizeof head;
    pq_page_header_t h;
    size_t used = 0;
    lh_errbuf ignored;
    if (!writer_omits_dict_header(f) ||
        pq_src_read(f, (uint64_t)start, head, n, &ignored) != LH_OK ||
        pq_page_header_decode(head, n, &h, &used, &ignored) != LH_OK ||
        h.type != PQ_PAGE_DICTIONARY)
        return 0;
    return used;
}

lh_err pq_chunk_range(const lh_pq_file_t *f, pq_creader_t *r, uint64_t *start, uint64_t *len)
{
    const pq_chunk_t *c = r->chunk;
    LH_FAIL_IF(c->encrypted, LH_E_UNSUPPORTED, r->eb,
               "parquet: encrypted column '%s' is not supported", r->leaf->path);
    LH_FAIL_IF(!lh_pq_codec_supported(c->codec), LH_E_UNSUPPORTED, r->eb,
               "parquet: unsupported compression codec %s in column '%s'",
               lh_pq_codec_name(c->codec), r->leaf->path);
    int64_t first = c->data_page_offset;
    if (c->dictionary_page_offset > 0 && c->dictionary_page_offset < first)
        first = c->dictionary_page_offset;
    LH_FAIL_IF(first < 4 || (uint64_t)first > f->src.size ||
                   (uint64_t)c->total_compressed > f->src.size - (uint64_t)first,
               LH_E_CORRUPT, r->eb, "parquet: column '%s' chunk lies outside the file",
               r->leaf->path);
    *start = (uint64_t)first;
    *len = (uint64_t)c->total_compressed + dict_header_slack(f, first);
    LH_FAIL_IF(*len > f->src.size - (uint64_t)first, LH_E_CORRUPT, r->eb,
               "parquet: column '%s' chunk lies outside the file", r->leaf->path);
    r->chunk_len = (size_t)*len;
    return LH_OK;
}

static lh_err load_chunk(const lh_pq_file_t *f, pq_creader_t *r)
{
    uint64_t start, len;
    LH_TRY(pq_chunk_range(f, r, &start, &len));
    LH_TRY(pq_buf_reserve(&r->chunk_bytes, len ? (size_t)len : 1, r->eb));
    return pq_src_read(f, start, r->chunk_bytes.p, (size_t)len, r->eb);
}

static lh_err read_page(pq_creader_t *r, size_t *pos)
{
    const uint8_t *base = r->chunk_bytes.p;
    size_t avail = r->chunk_len - *pos, used;
    pq_page_header_t h;
    LH_TRY(pq_page_header_decode(base + *pos,
                                 avail < LH_PQ_PAGE_HEADER_MAX ? avail : LH_PQ_PAGE_HEADER_MAX, &h,
                                 &used, r->eb));
    LH_FAIL_IF((size_t)h.compressed_size > avail - used, LH_E_CORRUPT, r->eb,
               "parquet: page of '%s' runs past its chunk", r->leaf->path);
    const uint8_t *body = base + *pos + used;
    *pos += used + (size_t)h.compressed_size;
    return pq_page_decode(r, &h, body);
}

static lh_err read_chunk(lh_pq_file_t *f, pq_creader_t *r)
{
    if (r->chunk->num_values == 0)
        return LH_OK; /* nothing to read; some writers leave its offsets unset */
    LH_TRY(load_chunk(f, r));
    /* Size the output once for a flat chunk (capped: the count comes from the footer). */
    if (r->flat) {
        uint64_t n = (uint64_t)r->chunk->num_values;
        LH_TRY(lh_vec_reserve(r->out, r->out->count + (n < PQ_RESERVE_MAX ? n : PQ_RESERVE_MAX)));
    }
    size_t pos = 0;
    while (pos < r->chunk_len && r->levels_read < (uint64_t)r->chunk->num_values)
        LH_TRY(read_page(r, &pos));
    LH_FAIL_IF(r->levels_read != (uint64_t)r->chunk->num_values, LH_E_CORRUPT, r->eb,
               "parquet: column '%s' has %llu of %lld values", r->leaf->path,
               (unsigned long long)r->levels_read, (long long)r->chunk->num_values);
    return LH_OK;
}

static lh_err check_rg(const lh_pq_file_t *f, int rg, lh_errbuf *eb)
{
    LH_FAIL_IF(rg < 0 || rg >= f->meta.row_group_count, LH_E_INVALID, eb,
               "parquet: no row group %d", rg);
    return LH_OK;
}

lh_err lh_pq_read_column(lh_pq_file_t *f, int rg, int col, lh_vec_t *out, lh_errbuf *eb)
{
    LH_TRY(check_rg(f, rg, eb));
    LH_FAIL_IF(col < 0 || col >= f->schema->field_count, LH_E_INVALID, eb, "parquet: no column %d",
               col);
    int li = f->flat_leaf[col];
    const pq_leaf_t *lf = &f->meta.leaves[li];
    LH_FAIL_IF(!lh_type_equal(out->type, lf->type), LH_E_INVALID, eb,
               "parquet: output vector type differs from column '%s'", lf->path);
    const pq_row_group_t *g = &f->meta.row_groups[rg];
    LH_FAIL_IF(g->chunks[li].num_values != g->num_rows, LH_E_CORRUPT, eb,
               "parquet: column '%s' has %lld values for %lld rows", lf->path,
               (long long)g->chunks[li].num_values, (long long)g->num_rows);
    pq_creader_t r = {
        .leaf = lf, .chunk = &g->chunks[li], .eb = eb, .flat = true, .out = out, .heap = out};
    r.tw = lh_type_width(lf->type);
    size_t count0 = out->count;
    lh_err e = read_chunk(f, &r);
    pq_creader_free(&r);
    if (e != LH_OK)
        out->count = count0;
    return e;
}

lh_err lh_pq_read_leaf(lh_pq_file_t *f, int rg, int leaf, lh_pq_leaf_data_t *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    LH_TRY(check_rg(f, rg, eb));
    LH_FAIL_IF(leaf < 0 || leaf >= f->meta.leaf_count, LH_E_INVALID, eb,
               "parquet: no leaf column %d", leaf);
    const pq_leaf_t *lf = &f->meta.leaves[leaf];
    out->values = lh_vec_create(lf->type, 0);
    LH_FAIL_IF(out->values == NULL, LH_E_NOMEM, eb, "parquet: out of memory");
    pq_creader_t r = {.leaf = lf,
                      .chunk = &f->meta.row_groups[rg].chunks[leaf],
                      .eb = eb,
                      .out = out->values,
                      .heap = out->values};
    r.tw = lh_type_width(lf->type);
    lh_err e = read_chunk(f, &r);
    if (e == LH_OK) {
        out->level_count = (size_t)r.levels_read;
        out->def = (int16_t *)r.all_def.p;
        out->rep = (int16_t *)r.all_rep.p;
        r.all_def.p = r.all_rep.p = NULL;
    }
    pq_creader_free(&r);
    if (e != LH_OK)
        lh_pq_leaf_data_free(out);
    return e;
}

void lh_pq_leaf_data_free(lh_pq_leaf_data_t *d)
{
    if (d == NULL)
        return;
    free(d->def);
    free(d->rep);
    lh_vec_destroy(d->values);
    memset(d, 0, sizeof *d);
}
