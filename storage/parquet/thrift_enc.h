/*
 * thrift_enc.h - Thrift compact-protocol encoder for the Parquet writer. Internal.
 *
 * Bytes go into an lh_pq_buf_t, a growable byte buffer also used for page bodies.
 * Allocation failure is sticky: every append after a failure is a no-op and
 * lh_pq_buf_t.oom stays set, so callers check once after building a structure.
 *
 * Field headers carry the id delta from the previous field of the *same* struct, so the
 * encoder keeps the previous id on a stack: struct_begin pushes 0, struct_end pops.
 *
 *   lh_tenc_i32(t, 1, 7);                     field 1 = 7
 *   lh_tenc_struct_begin(t, 5); ... lh_tenc_struct_end(t);   nested struct field 5
 *   lh_tenc_list_begin(t, 2, TC_STRUCT, n); then n times:
 *       lh_tenc_elem_struct_begin(t); ... lh_tenc_struct_end(t);
 *   lh_tenc_stop(t) ends the outermost struct (writes 0x00).
 */
#ifndef LH_PQ_THRIFT_ENC_H
#define LH_PQ_THRIFT_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LH_TENC_DEPTH_MAX 16 /* deepest Parquet struct nesting is about 5 */

typedef struct lh_pq_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    bool oom; /* sticky: an allocation failed */
} lh_pq_buf_t;

void lh_pq_buf_free(lh_pq_buf_t *b);
/* Make room for n more bytes; false (and oom set) on failure. */
bool lh_pq_buf_reserve(lh_pq_buf_t *b, size_t n);
void lh_pq_buf_append(lh_pq_buf_t *b, const void *p, size_t n);
static inline void lh_pq_buf_byte(lh_pq_buf_t *b, uint8_t x)
{
    if (b->len < b->cap || lh_pq_buf_reserve(b, 1))
        b->data[b->len++] = x;
}
void lh_pq_buf_u32le(lh_pq_buf_t *b, uint32_t x);
void lh_pq_buf_varint(lh_pq_buf_t *b, uint64_t x);

typedef struct lh_tenc {
    lh_pq_buf_t *out;
    int depth;
    int16_t last_id[LH_TENC_DEPTH_MAX];
} lh_tenc_t;

/* Start encoding a top-level struct into out (appends). */
void lh_tenc_init(lh_tenc_t *t, lh_pq_buf_t *out);

void lh_tenc_field(lh_tenc_t *t, int16_t id, int type);
void lh_tenc_i32(lh_tenc_t *t, int16_t id, int32_t v); /* also enums */
void lh_tenc_i64(lh_tenc_t *t, int16_t id, int64_t v);
void lh_tenc_i16(lh_tenc_t *t, int16_t id, int16_t v);
void lh_tenc_i8(lh_tenc_t *t, int16_t id, int8_t v);
void lh_tenc_bool(lh_tenc_t *t, int16_t id, bool v);
void lh_tenc_binary(lh_tenc_t *t, int16_t id, const void *p, size_t n);
void lh_tenc_string(lh_tenc_t *t, int16_t id, const char *s);
void lh_tenc_struct_begin(lh_tenc_t *t, int16_t id);
/* An empty struct field, e.g. a union member like STRING{} or MICROS{}. */
void lh_tenc_empty_struct(lh_tenc_t *t, int16_t id);
void lh_tenc_struct_end(lh_tenc_t *t);
/* The 0x00 that ends the top-level struct. */
void lh_tenc_stop(lh_tenc_t *t);

/* List field header; elements follow without field headers. */
void lh_tenc_list_begin(lh_tenc_t *t, int16_t id, int elem_type, uint32_t size);
/* A bare list header (no field header), for a list written as raw bytes. */
void lh_tenc_list_header(lh_tenc_t *t, int elem_type, uint32_t size);
void lh_tenc_elem_struct_begin(lh_tenc_t *t);
void lh_tenc_elem_i32(lh_tenc_t *t, int32_t v);
void lh_tenc_elem_binary(lh_tenc_t *t, const void *p, size_t n);

#endif
