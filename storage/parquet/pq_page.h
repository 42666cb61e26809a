/*
 * pq_page.h - decoding one page of one column chunk into a vector. Internal; shared by
 * the whole-chunk readers (pq_read.c) and the per-column cursor (pq_cursor.c).
 *
 * A pq_creader_t carries one chunk's decoding state: its dictionary (an lh_vec_t, decoded
 * once), the scratch buffers pages are decompressed and decoded into, and how many levels
 * the pages so far held. pq_page_decode takes one page (header + body) and:
 *   - dictionary page: decodes it into r->dict;
 *   - data page v1/v2: decodes the levels, then the values onto r->out. Flat reads spread
 *     the values over the page's rows (validity bits for nulls); leaf reads keep values
 *     dense and append the levels to all_def/all_rep. When r->out is a DICT vector over
 *     r->dict and the page is dictionary-encoded, the indexes are stored, not gathered.
 * Strings: when r->heap is set, string bytes are copied into its heap (they outlive the
 * page); when it is NULL (the cursor), data-page strings point into the reader's page
 * buffers, valid until the next page is decoded, and dictionary strings go to r->dict's
 * own heap.
 */
#ifndef LH_PQ_PAGE_H
#define LH_PQ_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/vec.h"
#include "storage/parquet/pq_decode.h"
#include "storage/parquet/pq_meta.h"

/* Values (levels) in one page we are willing to materialize. */
#define PQ_PAGE_VALUES_MAX (1u << 26)

typedef struct pq_buf {
    uint8_t *p;
    size_t cap;
} pq_buf_t;

/* Grow b to at least n bytes (contents kept). LH_E_NOMEM. */
lh_err pq_buf_reserve(pq_buf_t *b, size_t n, lh_errbuf *eb);

/* A data page decoded a slice of rows at a time (the cursor's path), possible for a flat
 * column whose page has RLE definition levels (or none) and PLAIN values (not BOOLEAN) or
 * dictionary indexes: the level and index decoders are resumable, PLAIN values are a
 * position in the page. */
typedef struct pq_stream {
    size_t left; /* rows of the page not decoded or passed yet */
    bool dict;   /* values are dictionary indexes */
    bool has_def;
    bool idx_ok; /* idx is set up (a page of only nulls may carry no index bytes) */
    pq_rle_t def, idx;
    const uint8_t *p, *end; /* PLAIN values not decoded yet */
} pq_stream_t;

typedef struct pq_creader {
    const pq_leaf_t *leaf;
    const pq_chunk_t *chunk;
    lh_errbuf *eb;
    bool flat;
    lh_vec_t *out;
    lh_vec_t *heap; /* where strings that must outlive the page go; NULL: see above */
    size_t tw;      /* target width */
    pq_buf_t chunk_bytes, page, scratch, scratch2, dba, def, rep;
    size_t chunk_len; /* bytes of the chunk (see pq_chunk_range's PARQUET-816 slack) */
    lh_vec_t *dict;   /* the chunk's dictionary, NULL until its page is read */
    /* leaf mode: all levels of the chunk */
    pq_buf_t all_def, all_rep;
    uint64_t levels_read; /* counts a streamed page's levels when it begins */
    pq_stream_t stream;
} pq_creader_t;

void pq_creader_free(pq_creader_t *r);
/* Decode one page whose header is h and whose compressed_size body bytes start at body.
 * Index pages and unknown page types are ignored. */
lh_err pq_page_decode(pq_creader_t *r, const pq_page_header_t *h, const uint8_t *body);
/* Begin page h: a data page that can stream sets r->stream up (left = its rows, its
 * levels counted) and *streamed is true; any other page is decoded whole, as by
 * pq_page_decode, and *streamed is false. The body must stay put while rows are left. */
lh_err pq_page_begin(pq_creader_t *r, const pq_page_header_t *h, const uint8_t *body,
                     bool *streamed);
/* Decode the next n rows (n <= r->stream.left) of the streamed page onto r->out (flat, or
 * DICT over r->dict when the page holds indexes). */
lh_err pq_stream_read(pq_creader_t *r, size_t n);
/* Pass the next n rows (n <= r->stream.left): levels are decoded to count the values,
 * indexes only stepped over (and checked), PLAIN values skipped by their sizes. */
lh_err pq_stream_skip(pq_creader_t *r, size_t n);
/* Whether a data page's values are dictionary indexes. */
bool pq_page_is_dict_encoded(const pq_page_header_t *h);

#endif
