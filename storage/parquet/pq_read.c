/*
 * pq_read.c - the Parquet reader: open (footer), flat schema, and column chunk decoding.
 *
 * Reading one chunk (flat column or leaf):
 *   1. read exactly the chunk's byte range [start, start + total_compressed_size), where
 *      start is the dictionary page offset when valid, else the first data page (for
 *      parquet-mr before 1.2.9 plus the dictionary page header its size left out);
 *   2. walk page headers: a dictionary page is decoded once into the target layout
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

/* Values (levels) in one page we are willing to materialize. */
#define PQ_PAGE_VALUES_MAX (1u << 26)
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
    LH_FAIL_IF(f->schema == NULL || f->flat_leaf == NULL || f->nested_names == NULL, LH_E_NOMEM, eb,
               "parquet: out of memory for the schema");
    int k = 0, last_top = -1;
    for (int i = 0; i < m->leaf_count; i++) {
        const pq_leaf_t *lf = &m->leaves[i];
        if (leaf_is_flat(lf)) {
            f->flat_leaf[k] = i;
            LH_TRY(lh_schema_set(f->schema, k++, lf->path, lf->type, lf->max_def > 0));
        } else if (lf->top_index != last_top) {
            f->nested_names[f->nested_count++] = m->schema[lf->top_schema].name;
        }
        last_top = lf->top_index;
    }
    return LH_OK;
}

lh_err lh_pq_open(lh_pq_source_t *src, lh_pq_file_t **out, lh_errbuf *eb)
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

/* ---- chunk reader state ------------------------------------------------------------------ */

typedef struct buf {
    uint8_t *p;
    size_t cap;
} buf;

static lh_err buf_reserve(buf *b, size_t n, lh_errbuf *eb)
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

typedef struct creader {
    const pq_leaf_t *leaf;
    const pq_chunk_t *chunk;
    lh_errbuf *eb;
    bool flat;
    lh_vec_t *out;
    size_t tw; /* target width */
    buf chunk_bytes, page, scratch, scratch2, dba, def, rep;
    size_t chunk_len; /* bytes of the chunk loaded (see dict_header_slack) */
    void *dict;
    size_t dict_count;
    bool has_dict;
    /* leaf mode: all levels of the chunk */
    buf all_def, all_rep;
    uint64_t levels_read;
} creader;

static void creader_free(creader *r)
{
    free(r->chunk_bytes.p);
    free(r->page.p);
    free(r->scratch.p);
    free(r->scratch2.p);
    free(r->dba.p);
    free(r->def.p);
    free(r->rep.p);
    free(r->dict);
    free(r->all_def.p);
    free(r->all_rep.p);
}

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

static lh_err load_chunk(const lh_pq_file_t *f, creader *r)
{
    const pq_chunk_t *c = r->chunk;
    LH_FAIL_IF(c->encrypted, LH_E_UNSUPPORTED, r->eb,
               "parquet: encrypted column '%s' is not supported", r->leaf->path);
    LH_FAIL_IF(!lh_pq_codec_supported(c->codec), LH_E_UNSUPPORTED, r->eb,
               "parquet: unsupported compression codec %s in column '%s'",
               lh_pq_codec_name(c->codec), r->leaf->path);
    int64_t start = c->data_page_offset;
    if (c->dictionary_page_offset > 0 && c->dictionary_page_offset < start)
        start = c->dictionary_page_offset;
    LH_FAIL_IF(start < 4 || (uint64_t)start > f->src.size ||
                   (uint64_t)c->total_compressed > f->src.size - (uint64_t)start,
               LH_E_CORRUPT, r->eb, "parquet: column '%s' chunk lies outside the file",
               r->leaf->path);
    size_t len = (size_t)c->total_compressed + dict_header_slack(f, start);
    LH_FAIL_IF(len > f->src.size - (uint64_t)start, LH_E_CORRUPT, r->eb,
               "parquet: column '%s' chunk lies outside the file", r->leaf->path);
    r->chunk_len = len;
    LH_TRY(buf_reserve(&r->chunk_bytes, len ? len : 1, r->eb));
    return pq_src_read(f, (uint64_t)start, r->chunk_bytes.p, len, r->eb);
}

/* Decompress a page body (or use it in place). */
static lh_err page_body(creader *r, const uint8_t *src, size_t src_len, size_t dst_len,
                        bool compressed, const uint8_t **out, size_t *out_len)
{
    if (!compressed || r->chunk->codec == PQ_CODEC_UNCOMPRESSED) {
        *out = src;
        *out_len = src_len;
        return LH_OK;
    }
    LH_FAIL_IF(dst_len > LH_PQ_PAGE_MAX, LH_E_CORRUPT, r->eb, "parquet: page of %zu bytes",
               dst_len);
    LH_TRY(buf_reserve(&r->page, dst_len ? dst_len : 1, r->eb));
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
static lh_err stabilize(creader *r, const uint8_t **p, size_t len, bool stable)
{
    if (!stable || len == 0)
        return LH_OK;
    const uint8_t *h = lh_vec_heap_copy(r->out, *p, len);
    LH_FAIL_IF(h == NULL, LH_E_NOMEM, r->eb, "parquet: out of memory for strings");
    *p = h;
    return LH_OK;
}

static lh_err rle_bools(creader *r, const uint8_t *p, size_t len, size_t n, uint8_t *out)
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
static lh_err delta_length(creader *r, const uint8_t *p, size_t len, size_t n, lh_sv_t *out,
                           bool stable)
{
    const uint8_t *end = p + len;
    LH_TRY(buf_reserve(&r->scratch2, (n ? n : 1) * sizeof(int32_t), r->eb));
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
static lh_err delta_bytes(creader *r, const uint8_t *p, size_t len, size_t n, lh_sv_t *out,
                          bool stable)
{
    const uint8_t *end = p + len;
    size_t np, ns;
    LH_TRY(buf_reserve(&r->scratch2, (n ? n : 1) * 2 * sizeof(int32_t), r->eb));
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
    LH_TRY(buf_reserve(&r->dba, total ? (size_t)total : 1, r->eb));
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

static lh_err bss_values(creader *r, const uint8_t *p, size_t len, size_t n, void *out)
{
    int phys = r->leaf->phys_type;
    if (!is_bytes(phys))
        return pq_bss_decode(p, len, phys_width(phys), n, out, r->eb);
    size_t w = (size_t)r->leaf->type_length;
    LH_FAIL_IF(phys != PQ_FIXED_LEN_BYTE_ARRAY || n > len / w, LH_E_CORRUPT, r->eb,
               "parquet: bad BYTE_STREAM_SPLIT data");
    LH_TRY(buf_reserve(&r->scratch2, n * w + 1, r->eb));
    LH_TRY(pq_bss_decode(p, len, w, n, r->scratch2.p, r->eb));
    const uint8_t *b = r->scratch2.p;
    LH_TRY(stabilize(r, &b, n * w, true));
    return pq_plain_flba(b, n * w, w, n, out, r->eb);
}

static lh_err plain_values(creader *r, const uint8_t *p, size_t len, size_t n, void *out,
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
static lh_err phys_values(creader *r, int enc, const uint8_t *p, size_t len, size_t n, void *out,
                          bool stable)
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
static lh_err typed_values(creader *r, int enc, const uint8_t *p, size_t len, size_t n, void *dst)
{
    if (r->leaf->conv == PQ_CONV_NONE)
        return phys_values(r, enc, p, len, n, dst, true);
    size_t pw = phys_width(r->leaf->phys_type);
    LH_TRY(buf_reserve(&r->scratch, (n ? n : 1) * pw, r->eb));
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
        const T *d_ = (const T *)r->dict;                                                          \
        T *o_ = (T *)out;                                                                          \
        for (size_t j = 0; j < k; j++)                                                             \
            o_[i + j] = d_[idx[j]];                                                                \
    } while (0)

static lh_err dict_values(creader *r, const uint8_t *p, size_t len, size_t n, uint8_t *out)
{
    LH_FAIL_IF(!r->has_dict, LH_E_CORRUPT, r->eb,
               "parquet: dictionary-encoded page in '%s' without a dictionary", r->leaf->path);
    if (n == 0)
        return LH_OK;
    LH_FAIL_IF(len < 1 || p[0] > 32, LH_E_CORRUPT, r->eb, "parquet: bad dictionary index width");
    pq_rle_t rle;
    pq_rle_init(&rle, p + 1, len - 1, p[0]);
    uint32_t idx[1024];
    for (size_t i = 0; i < n;) {
        size_t k = n - i < 1024 ? n - i : 1024;
        LH_TRY(pq_rle_get(&rle, idx, k, r->eb));
        uint32_t mx = 0;
        for (size_t j = 0; j < k; j++)
            mx = idx[j] > mx ? idx[j] : mx;
        LH_FAIL_IF(mx >= r->dict_count, LH_E_CORRUPT, r->eb, "parquet: dictionary index %u of %zu",
                   mx, r->dict_count);
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

static lh_err read_dict(creader *r, const pq_page_header_t *h, const uint8_t *body)
{
    LH_FAIL_IF(r->has_dict, LH_E_CORRUPT, r->eb, "parquet: second dictionary page in '%s'",
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
    r->dict = malloc((n ? n : 1) * r->tw);
    LH_FAIL_IF(r->dict == NULL, LH_E_NOMEM, r->eb, "parquet: out of memory for a dictionary");
    r->dict_count = n;
    r->has_dict = true;
    return typed_values(r, PQ_ENC_PLAIN, p, len, n, r->dict);
}

/* ---- levels ------------------------------------------------------------------------------ */

static lh_err v1_levels(creader *r, int enc, int max, int16_t *out, size_t n, const uint8_t **p,
                        const uint8_t *end, size_t *count)
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

static lh_err v2_levels(creader *r, int max, int16_t *out, size_t n, const uint8_t *p, size_t len,
                        size_t *count)
{
    pq_rle_t rle;
    pq_rle_init(&rle, p, len, pq_bit_width((uint64_t)max));
    return pq_rle_levels(&rle, out, n, max, count, r->eb);
}

static lh_err level_buffers(creader *r, size_t n)
{
    LH_FAIL_IF(n > PQ_PAGE_VALUES_MAX, LH_E_CORRUPT, r->eb, "parquet: page of %zu values", n);
    LH_FAIL_IF(r->levels_read + n > (uint64_t)r->chunk->num_values, LH_E_CORRUPT, r->eb,
               "parquet: pages of '%s' hold more values than its chunk (%lld)", r->leaf->path,
               (long long)r->chunk->num_values);
    LH_TRY(buf_reserve(&r->def, (n ? n : 1) * sizeof(int16_t), r->eb));
    return buf_reserve(&r->rep, (n ? n : 1) * sizeof(int16_t), r->eb);
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
static lh_err spread_nulls(creader *r, size_t base, const int16_t *def, size_t n, size_t nn)
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
    switch (r->tw) {
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
    return LH_OK;
}

static lh_err append_levels(creader *r, const int16_t *def, const int16_t *rep, size_t n)
{
    size_t at = (size_t)r->levels_read * sizeof(int16_t), bytes = n * sizeof(int16_t);
    if (r->leaf->max_def > 0) {
        LH_TRY(buf_reserve(&r->all_def, at + bytes + 2, r->eb));
        memcpy(r->all_def.p + at, def, bytes);
    }
    if (r->leaf->max_rep > 0) {
        LH_TRY(buf_reserve(&r->all_rep, at + bytes + 2, r->eb));
        memcpy(r->all_rep.p + at, rep, bytes);
    }
    return LH_OK;
}

/* Levels decoded (nn of the n levels are at max_def); decode the values and place them. */
static lh_err page_values(creader *r, int enc, size_t n, size_t nn, const uint8_t *p, size_t len)
{
    const int16_t *def = (const int16_t *)r->def.p, *rep = (const int16_t *)r->rep.p;
    if (r->leaf->max_rep > 0 && r->levels_read == 0 && n > 0)
        LH_FAIL_IF(rep[0] != 0, LH_E_CORRUPT, r->eb,
                   "parquet: '%s' starts with repetition level %d", r->leaf->path, rep[0]);
    lh_vec_t *v = r->out;
    size_t base = v->count;
    LH_TRY(lh_vec_reserve(v, base + (r->flat ? n : nn)));
    uint8_t *dst = (uint8_t *)v->data + base * r->tw;
    if (enc == PQ_ENC_PLAIN_DICTIONARY || enc == PQ_ENC_RLE_DICTIONARY)
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
    return LH_OK;
}

static lh_err read_v1(creader *r, const pq_page_header_t *h, const uint8_t *body)
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

static lh_err read_v2(creader *r, const pq_page_header_t *h, const uint8_t *body)
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

static lh_err read_page(creader *r, size_t *pos)
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
    switch (h.type) {
    case PQ_PAGE_DICTIONARY:
        LH_FAIL_IF(!h.has_dict, LH_E_CORRUPT, r->eb, "parquet: dictionary page without header");
        return read_dict(r, &h, body);
    case PQ_PAGE_DATA:
        LH_FAIL_IF(!h.has_data || h.has_v2, LH_E_CORRUPT, r->eb, "parquet: data page header");
        return read_v1(r, &h, body);
    case PQ_PAGE_DATA_V2:
        LH_FAIL_IF(!h.has_data || !h.has_v2, LH_E_CORRUPT, r->eb, "parquet: v2 page header");
        return read_v2(r, &h, body);
    default:
        return LH_OK; /* index pages and unknown types are skipped */
    }
}

static lh_err read_chunk(lh_pq_file_t *f, creader *r)
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
    creader r = {.leaf = lf, .chunk = &g->chunks[li], .eb = eb, .flat = true, .out = out};
    r.tw = lh_type_width(lf->type);
    size_t count0 = out->count;
    lh_err e = read_chunk(f, &r);
    creader_free(&r);
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
    creader r = {
        .leaf = lf, .chunk = &f->meta.row_groups[rg].chunks[leaf], .eb = eb, .out = out->values};
    r.tw = lh_type_width(lf->type);
    lh_err e = read_chunk(f, &r);
    if (e == LH_OK) {
        out->level_count = (size_t)r.levels_read;
        out->def = (int16_t *)r.all_def.p;
        out->rep = (int16_t *)r.all_rep.p;
        r.all_def.p = r.all_rep.p = NULL;
    }
    creader_free(&r);
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
