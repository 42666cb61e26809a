/*
 * pq_encode.h - Parquet value and level encoders for the writer. Internal.
 *
 *   - RLE/bit-packed hybrid (levels and dictionary indices), without length prefix;
 *   - PLAIN for booleans (bit-packed) and byte arrays (u32 LE length + bytes); fixed-width
 *     PLAIN is a plain little-endian copy (lh_pq_buf_append);
 *   - a dictionary: open-addressing hash table over entries stored directly in their
 *     PLAIN form, so the dictionary page body is the entry buffer itself;
 *   - a set of 64-bit hashes (distinct count and contents for bloom filters).
 *
 * Nothing here allocates per value: buffers grow geometrically. Allocation failure is
 * reported as LH_E_NOMEM (dictionary, set) or as the buffer's sticky oom flag (encoders).
 */
#ifndef LH_PQ_ENCODE_H
#define LH_PQ_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/vec.h"
#include "storage/parquet/thrift_enc.h"

/* Bits needed to store max (0 for 0). */
int lh_pq_bit_width(uint64_t max);

/* Hybrid-encode n values of bit width bw (0..32) and append them to out. */
void lh_pq_rle_encode_u8(lh_pq_buf_t *out, const uint8_t *v, size_t n, int bw);
void lh_pq_rle_encode_u32(lh_pq_buf_t *out, const uint32_t *v, size_t n, int bw);

/* PLAIN booleans (v[i] is 0 or 1), packed LSB-first. */
void lh_pq_plain_bools(lh_pq_buf_t *out, const uint8_t *v, size_t n);
/* PLAIN byte arrays. */
void lh_pq_plain_bytes(lh_pq_buf_t *out, const lh_sv_t *v, size_t n);

typedef struct lh_pq_dict {
    int width;          /* bytes per fixed-width entry; 0 = byte arrays */
    uint32_t count;     /* entries */
    lh_pq_buf_t plain;  /* entries in PLAIN form = the dictionary page body */
    uint32_t *offsets;  /* byte arrays: offset of entry i's length prefix in plain */
    size_t offsets_cap; /* entries allocated in offsets */
    uint64_t *slots;    /* (hash32 << 32) | (entry + 1); 0 = empty */
    size_t slot_count;  /* a power of two, at least twice count */
} lh_pq_dict_t;

void lh_pq_dict_init(lh_pq_dict_t *d, int width);
/* Forget all entries, keeping the allocations. */
void lh_pq_dict_reset(lh_pq_dict_t *d);
void lh_pq_dict_free(lh_pq_dict_t *d);
/* Look up or add each of n values (width bytes each, or lh_sv_t), writing its entry
 * index to idx[i]. LH_E_NOMEM on allocation failure (the dictionary stays usable). */
lh_err lh_pq_dict_put_fixed(lh_pq_dict_t *d, const void *vals, size_t n, uint32_t *idx);
lh_err lh_pq_dict_put_bytes(lh_pq_dict_t *d, const lh_sv_t *vals, size_t n, uint32_t *idx);

/* A set of 64-bit hashes. */
typedef struct lh_pq_hset {
    uint64_t *slots; /* 0 = empty; the hash 0 is tracked by has_zero */
    size_t slot_count;
    size_t count;
    bool has_zero;
} lh_pq_hset_t;

lh_err lh_pq_hset_add(lh_pq_hset_t *s, uint64_t h);
void lh_pq_hset_reset(lh_pq_hset_t *s);
void lh_pq_hset_free(lh_pq_hset_t *s);

#endif
