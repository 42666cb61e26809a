/*
 * pq_cursor.c - the per-column cursor (parquet.h): one flat column of one row group,
 * read and skipped page by page.
 *
 * State: a read window over the chunk's bytes (raw: the file range [win_off, win_off +
 * win_len), refilled with at least PQ_READ_AHEAD bytes so small pages share one read,
 * and exactly one page's body for big pages), the current page and the chunk's
 * dictionary (r.dict, decoded from the first page). Most pages stream (pq_page.h: flat
 * column, RLE levels, PLAIN or dictionary values): their rows are decoded a slice of
 * PQ_SLICE_ROWS at a time into `page`, r.stream.left rows still undecoded; other pages
 * (DELTA_*, BYTE_STREAM_SPLIT, booleans, bit-packed levels) are decoded whole into
 * `page`. page_pos rows of `page` are consumed.
 *
 *   read n:  while rows are wanted: if the slice is used up, decode the next slice of
 *            the page, or begin the next page; copy min(wanted, left) rows onto out.
 *   skip n:  consume what is left of the slice; pass rows of a streamed page (levels
 *            decoded to count values, values stepped over, the rest of the page not
 *            touched at all); then, page header by page header, pass whole pages whose
 *            row count fits in what is left to skip (the body is neither read nor
 *            decompressed); begin the page the skip ends in.
 *
 * Invariant (asserted after every step): rows_done + rows pending in the slice + rows
 * left in the streamed page equals the levels the pages so far held (r.levels_read),
 * which never passes the chunk's count.
 * Page strings are borrowed from raw / the decompression buffer (r.heap is NULL) and
 * copied into out's heap before the next page replaces them.
 */
#include <stdlib.h>
#include <string.h>

#include "storage/parquet/parquet.h"
#include "storage/parquet/pq_file.h"
#include "storage/parquet/pq_format.h"
#include "storage/parquet/pq_page.h"

/* Bytes read at least per refill of the window: several small pages per read. */
#define PQ_READ_AHEAD (64u * 1024)
/* Rows of a streamed page decoded at a time: a few engine batches. */
#define PQ_SLICE_ROWS (4 * LH_BATCH_ROWS)

struct lh_pq_cursor {
    lh_pq_file_t *f;
    pq_creader_t r;
    unsigned flags;
    uint64_t pos, end;              /* next page header, end of the chunk (file offsets) */
    uint64_t rows_total, rows_done; /* rows of the chunk; rows read or skipped */
    lh_vec_t *page;                 /* the decoded current page */
    size_t page_pos;                /* rows of page consumed */
    pq_buf_t raw;                   /* read window */
    uint64_t win_off;
    size_t win_len;
    size_t dict_bytes; /* string bytes of the dictionary */
    bool page_dict;    /* slices of the current page come out as DICT vectors */
    bool failed;
    lh_pq_cursor_stats_t stats;
};

static size_t vec_bytes(const lh_vec_t *v)
{
    if (v == NULL)
        return 0;
    return v->capacity * lh_vec_slot_width(v) +
           (v->validity ? (v->capacity + 63) / 64 * sizeof(uint64_t) : 0);
}

static size_t held_bytes(const lh_pq_cursor_t *c)
{
    const pq_creader_t *r = &c->r;
    return c->raw.cap + r->page.cap + r->scratch.cap + r->scratch2.cap + r->dba.cap + r->def.cap +
           r->rep.cap + vec_bytes(c->page) + vec_bytes(r->dict) + c->dict_bytes;
}

static void note_memory(lh_pq_cursor_t *c)
{
    size_t now = held_bytes(c);
    if (now > c->stats.memory_bytes_max)
        c->stats.memory_bytes_max = now;
}

static void check_invariant(const lh_pq_cursor_t *c)
{
    LH_ASSERT(c->page_pos <= c->page->count);
    LH_ASSERT(c->rows_done + (c->page->count - c->page_pos) + c->r.stream.left == c->r.levels_read);
    LH_ASSERT(c->r.levels_read <= c->rows_total);
}

/* Make [off, off+len) of the file available at *p (len <= end - off); *have gets the
 * bytes available from off to the window's end. */
static lh_err window(lh_pq_cursor_t *c, uint64_t off, size_t len, const uint8_t **p, size_t *have)
{
    LH_ASSERT(off <= c->end && len <= c->end - off);
    if (off < c->win_off || off + len > c->win_off + c->win_len) {
        uint64_t left = c->end - off;
        size_t n = len > PQ_READ_AHEAD ? len : PQ_READ_AHEAD;
        if (n > left)
            n = (size_t)left;
        LH_TRY(pq_buf_reserve(&c->raw, n ? n : 1, c->r.eb));
        c->win_len = 0; /* invalid until the read succeeds */
        LH_TRY(pq_src_read(c->f, off, c->raw.p, n, c->r.eb));
        c->win_off = off;
        c->win_len = n;
    }
    *p = c->raw.p + (off - c->win_off);
    if (have != NULL)
        *have = (size_t)(c->win_off + c->win_len - off);
    return LH_OK;
}

static lh_err read_header(lh_pq_cursor_t *c, pq_page_header_t *h, size_t *used)
{
    uint64_t avail = c->end - c->pos;
    LH_FAIL_IF(avail == 0, LH_E_CORRUPT, c->r.eb,
               "parquet: column '%s' ends after %llu of %llu values", c->r.leaf->path,
               (unsigned long long)c->r.levels_read, (unsigned long long)c->rows_total);
    size_t cap = avail < LH_PQ_PAGE_HEADER_MAX ? (size_t)avail : LH_PQ_PAGE_HEADER_MAX;
    size_t want = cap < 256 ? cap : 256;
    for (;;) {
        const uint8_t *p;
        size_t have;
        LH_TRY(window(c, c->pos, want, &p, &have));
        if (have > cap)
            have = cap;
        lh_err e = pq_page_header_decode(p, have, h, used, c->r.eb);
        if (e == LH_OK || have >= cap)
            return e; /* a header that does not parse from every byte it may use */
        want = have > cap / 8 ? cap : have * 8;
    }
}

static bool is_data_page(const pq_page_header_t *h)
{
    return (h->type == PQ_PAGE_DATA && h->has_data && !h->has_v2) ||
           (h->type == PQ_PAGE_DATA_V2 && h->has_data && h->has_v2);
}

/* Pass a data page of h->num_values rows without reading its body. */
static lh_err pass_page(lh_pq_cursor_t *c, const pq_page_header_t *h, uint64_t *skipped)
{
    uint64_t n = (uint64_t)h->num_values;
    LH_FAIL_IF(c->r.levels_read + n > c->rows_total, LH_E_CORRUPT, c->r.eb,
               "parquet: pages of '%s' hold more values than its chunk (%llu)", c->r.leaf->path,
               (unsigned long long)c->rows_total);
    c->r.levels_read += n;
    c->rows_done += n;
    c->stats.pages_skipped++;
    *skipped = n;
    return LH_OK;
}

/* Empty c->page, as a DICT vector when the current page's rows come out that way. */
static lh_err fresh_page_vec(lh_pq_cursor_t *c)
{
    lh_vec_reset(c->page);
    c->page_pos = 0;
    c->r.out = c->page;
    if (c->page_dict && lh_vec_set_dict(c->page, c->r.dict) != LH_OK)
        LH_FAIL(LH_E_NOMEM, c->r.eb, "parquet: out of memory");
    return LH_OK;
}

/* Begin a data page: a streamed one decodes nothing yet, any other is decoded whole. */
static lh_err begin_data_page(lh_pq_cursor_t *c, const pq_page_header_t *h, const uint8_t *body)
{
    c->page_dict =
        (c->flags & LH_PQ_CURSOR_DICT) && pq_page_is_dict_encoded(h) && c->r.dict != NULL;
    LH_TRY(fresh_page_vec(c));
    bool streamed;
    LH_TRY(pq_page_begin(&c->r, h, body, &streamed));
    c->stats.pages_decoded++;
    c->stats.rows_decoded += c->page->count; /* a page decoded whole; 0 when streamed */
    note_memory(c);
    return LH_OK;
}

/* Decode the next slice of the streamed page into c->page. */
static lh_err next_slice(lh_pq_cursor_t *c)
{
    LH_TRY(fresh_page_vec(c));
    size_t k = c->r.stream.left < PQ_SLICE_ROWS ? c->r.stream.left : PQ_SLICE_ROWS;
    LH_TRY(pq_stream_read(&c->r, k));
    c->stats.rows_decoded += k;
    note_memory(c);
    return LH_OK;
}

static void count_dict_bytes(lh_pq_cursor_t *c)
{
    const lh_vec_t *d = c->r.dict;
    c->dict_bytes = 0;
    if (d == NULL || (d->type.id != LH_TYPE_STRING && d->type.id != LH_TYPE_BINARY))
        return;
    for (size_t i = 0; i < d->count; i++)
        c->dict_bytes += ((const lh_sv_t *)d->data)[i].len;
}

/* Advance by one data page: pass it when its rows fit in skip (*skipped = its rows), or
 * decode it into c->page (*skipped = 0). Dictionary and index pages on the way are read
 * or ignored. */
static lh_err next_page(lh_pq_cursor_t *c, uint64_t skip, uint64_t *skipped)
{
    *skipped = 0;
    for (;;) {
        pq_page_header_t h;
        size_t used;
        LH_TRY(read_header(c, &h, &used));
        LH_FAIL_IF(h.compressed_size < 0 || (uint64_t)h.compressed_size > c->end - c->pos - used,
                   LH_E_CORRUPT, c->r.eb, "parquet: page of '%s' runs past its chunk",
                   c->r.leaf->path);
        uint64_t body_off = c->pos + used;
        c->pos = body_off + (uint64_t)h.compressed_size;
        bool data = is_data_page(&h);
        if (data && h.num_values >= 0 && (uint64_t)h.num_values <= skip)
            return pass_page(c, &h, skipped);
        if (!data && h.type != PQ_PAGE_DICTIONARY && h.type != PQ_PAGE_DATA &&
            h.type != PQ_PAGE_DATA_V2)
            continue; /* index pages and unknown types */
        const uint8_t *body;
        LH_TRY(window(c, body_off, (size_t)h.compressed_size, &body, NULL));
        if (h.type != PQ_PAGE_DICTIONARY)
            return begin_data_page(c, &h, body);
        c->r.out = c->page;
        LH_TRY(pq_page_decode(&c->r, &h, body));
        count_dict_bytes(c);
        note_memory(c);
    }
}

/* Point c at column chunk (rg, c's leaf): counts, window and dictionary start over. */
static lh_err position(lh_pq_cursor_t *c, int rg, lh_errbuf *eb)
{
    lh_pq_file_t *f = c->f;
    LH_FAIL_IF(rg < 0 || rg >= f->meta.row_group_count, LH_E_INVALID, eb,
               "parquet: no row group %d", rg);
    const pq_leaf_t *lf = c->r.leaf;
    const pq_row_group_t *g = &f->meta.row_groups[rg];
    const pq_chunk_t *chunk = &g->chunks[lf - f->meta.leaves];
    LH_FAIL_IF(chunk->num_values != g->num_rows, LH_E_CORRUPT, eb,
               "parquet: column '%s' has %lld values for %lld rows", lf->path,
               (long long)chunk->num_values, (long long)g->num_rows);
    lh_vec_reset(c->page);
    lh_vec_destroy(c->r.dict);
    c->r.dict = NULL;
    c->r.chunk = chunk;
    c->r.eb = eb;
    c->r.levels_read = 0;
    memset(&c->r.stream, 0, sizeof c->r.stream);
    c->dict_bytes = 0;
    c->page_pos = 0;
    c->rows_total = (uint64_t)g->num_rows;
    c->rows_done = 0;
    c->pos = c->end = 0;
    c->win_off = c->win_len = 0;
    c->failed = false;
    uint64_t len = 0;
    if (c->rows_total > 0) /* empty chunks may leave their offsets unset */
        LH_TRY(pq_chunk_range(f, &c->r, &c->pos, &len));
    c->end = c->pos + len;
    return LH_OK;
}

lh_err lh_pq_cursor_open(lh_pq_file_t *f, int rg, int col, unsigned flags, lh_pq_cursor_t **out,
                         lh_errbuf *eb)
{
    *out = NULL;
    LH_FAIL_IF(col < 0 || col >= f->schema->field_count, LH_E_INVALID, eb, "parquet: no column %d",
               col);
    const pq_leaf_t *lf = &f->meta.leaves[f->flat_leaf[col]];
    lh_pq_cursor_t *c = calloc(1, sizeof *c);
    LH_FAIL_IF(c == NULL, LH_E_NOMEM, eb, "parquet: out of memory");
    c->f = f;
    c->flags = flags;
    c->r = (pq_creader_t){.leaf = lf, .eb = eb, .flat = true};
    c->r.tw = lh_type_width(lf->type);
    c->page = lh_vec_create(lf->type, 0);
    lh_err e = c->page ? position(c, rg, eb)
                       : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e != LH_OK) {
        lh_pq_cursor_close(c);
        return e;
    }
    *out = c;
    return LH_OK;
}

lh_err lh_pq_cursor_reopen(lh_pq_cursor_t *c, int rg, lh_errbuf *eb)
{
    lh_err e = position(c, rg, eb);
    c->failed = e != LH_OK;
    return e;
}

void lh_pq_cursor_close(lh_pq_cursor_t *c)
{
    if (c == NULL)
        return;
    pq_creader_free(&c->r);
    lh_vec_destroy(c->page);
    free(c->raw.p);
    free(c);
}

uint64_t lh_pq_cursor_rows_left(const lh_pq_cursor_t *c)
{
    return c->rows_total - c->rows_done;
}

static lh_err nomem(lh_err e, lh_errbuf *eb)
{
    if (e == LH_OK)
        return LH_OK;
    return lh_err_set(eb, e, __FILE__, __LINE__, "parquet: out of memory for a cursor read");
}

/* Append k rows of the current page to out, switching out's kind as the page needs. */
static lh_err emit(lh_pq_cursor_t *c, lh_vec_t *out, size_t k)
{
    lh_errbuf *eb = c->r.eb;
    if (c->page->kind == LH_VEC_DICT && out->kind == LH_VEC_FLAT && out->count == 0)
        LH_TRY(nomem(lh_vec_set_dict(out, c->page->dict), eb));
    else if (out->kind == LH_VEC_DICT && c->page->kind != LH_VEC_DICT)
        LH_TRY(nomem(lh_vec_flatten(out), eb));
    return nomem(lh_vec_append_range(out, c->page, c->page_pos, k), eb);
}

static lh_err read_rows(lh_pq_cursor_t *c, size_t n, lh_vec_t *out)
{
    while (out->count < n && c->rows_done < c->rows_total) {
        if (c->page_pos == c->page->count) {
            uint64_t skipped;
            if (c->r.stream.left > 0)
                LH_TRY(next_slice(c));
            else
                LH_TRY(next_page(c, 0, &skipped)); /* passes only pages of 0 rows */
            check_invariant(c);
            continue;
        }
        size_t k = c->page->count - c->page_pos;
        if (k > n - out->count)
            k = n - out->count;
        LH_TRY(emit(c, out, k));
        c->page_pos += k;
        c->rows_done += k;
        check_invariant(c);
    }
    return LH_OK;
}

static lh_err skip_rows(lh_pq_cursor_t *c, uint64_t n)
{
    uint64_t left = lh_pq_cursor_rows_left(c);
    if (n > left)
        n = left;
    while (n > 0) {
        size_t avail = c->page->count - c->page_pos;
        uint64_t in_page = c->r.stream.left;
        if (avail > 0) {
            size_t k = n < avail ? (size_t)n : avail;
            c->page_pos += k;
            c->rows_done += k;
            n -= k;
        } else if (in_page > 0) {
            uint64_t k = n < in_page ? n : in_page;
            if (k == in_page)
                c->r.stream.left = 0; /* the rest of the page: not even its levels */
            else
                LH_TRY(pq_stream_skip(&c->r, (size_t)k));
            c->rows_done += k;
            n -= k;
        } else {
            uint64_t skipped;
            LH_TRY(next_page(c, n, &skipped));
            n -= skipped;
        }
        check_invariant(c);
    }
    return LH_OK;
}

/* Common entry and exit of read and skip: refuse a failed cursor, fail it on error. */
static lh_err enter(lh_pq_cursor_t *c, lh_errbuf *eb)
{
    c->r.eb = eb;
    LH_FAIL_IF(c->failed, LH_E_STATE, eb, "parquet: cursor on '%s' failed earlier",
               c->r.leaf->path);
    return LH_OK;
}

static lh_err leave(lh_pq_cursor_t *c, lh_err e)
{
    if (e != LH_OK)
        c->failed = true;
    c->r.eb = NULL;
    return e;
}

lh_err lh_pq_cursor_read(lh_pq_cursor_t *c, size_t n, lh_vec_t *out, lh_errbuf *eb)
{
    LH_TRY(enter(c, eb));
    LH_FAIL_IF(!lh_type_equal(out->type, c->r.leaf->type), LH_E_INVALID, eb,
               "parquet: output vector type differs from column '%s'", c->r.leaf->path);
    lh_vec_reset(out);
    return leave(c, read_rows(c, n, out));
}

lh_err lh_pq_cursor_skip(lh_pq_cursor_t *c, uint64_t n, lh_errbuf *eb)
{
    LH_TRY(enter(c, eb));
    return leave(c, skip_rows(c, n));
}

void lh_pq_cursor_get_stats(const lh_pq_cursor_t *c, lh_pq_cursor_stats_t *out)
{
    *out = c->stats;
    out->memory_bytes = held_bytes(c);
    if (out->memory_bytes > out->memory_bytes_max)
        out->memory_bytes_max = out->memory_bytes;
}
