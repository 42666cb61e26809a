/*
 * vecops.h - row-level helpers over flat vectors that the evaluator and the operators
 * share: gather (rows by index into a compact vector), scatter (back into place), typed
 * row comparison with Spark's ordering, and a byte encoding of row values for hashing
 * (group keys, join keys, DISTINCT).
 *
 * All functions take flat vectors (kind FLAT, no selection). Gathered and scattered
 * strings keep pointing at the source's bytes: the destination is valid only while the
 * source is (the evaluator's scratch and the operators' batches follow that rule; copy
 * with lh_vec_append_range when a value must outlive its source).
 *
 * Key encoding (lh_vecops_encode): per value one tag byte (0 null, 1 valid) followed, when
 * valid, by the fixed-width bytes or a 4-byte length and the bytes of a string. Floats are
 * normalized first (-0.0 -> 0.0, every NaN -> one NaN), so equal encodings = equal values
 * under Spark's grouping semantics (NULLs group together, NaN = NaN).
 */
#ifndef LH_COMPUTE_VECOPS_H
#define LH_COMPUTE_VECOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/vec.h"

/* dst := src rows idx[0..n) (dst reset first, same type). LH_E_NOMEM. */
lh_err lh_vecops_gather(lh_vec_t *dst, const lh_vec_t *src, const uint32_t *idx, size_t n);
/* The same, appended after dst's values (dst keeps its values; strings are borrowed from
 * src, as lh_vecops_gather's are). */
lh_err lh_vecops_gather_append(lh_vec_t *dst, const lh_vec_t *src, const uint32_t *idx, size_t n);
/* dst row idx[k] := src row k for k < n (dst already has its count). LH_E_NOMEM. */
lh_err lh_vecops_scatter(lh_vec_t *dst, const lh_vec_t *src, const uint32_t *idx, size_t n);
/* A flat copy of row i of src appended to dst (strings copied into dst's heap). */
lh_err lh_vecops_append_row(lh_vec_t *dst, const lh_vec_t *src, size_t i);
/* Make dst a flat vector of n nulls (reset first). */
lh_err lh_vecops_fill_null(lh_vec_t *dst, size_t n);

/* Compare non-null row i of a with non-null row j of b (same type) in Spark's ordering:
 * numbers by value, NaN greatest and -0.0 == 0.0, strings and binary bytewise unsigned. */
int lh_vecops_cmp(const lh_vec_t *a, size_t i, const lh_vec_t *b, size_t j);
/* Equality with Spark's = (not null-aware: both rows must be valid). */
bool lh_vecops_eq(const lh_vec_t *a, size_t i, const lh_vec_t *b, size_t j);
/* A value of any type compared with lh_vecops_cmp's ordering. */
int lh_vecops_value_cmp(const lh_value_t *a, const lh_value_t *b);

/* Whether values of type t contain a MAP at any depth (vecops_canon.c). */
bool lh_vecops_has_map(lh_type_t t);
/* Rewrite the non-null nested value bytes[0..len) of type t in place with every map's
 * entries in key order (Spark groups maps by their entries: MapSort); same length. */
lh_err lh_vecops_canon(lh_type_t t, uint8_t *bytes, uint32_t len);

/* Bytes lh_vecops_encode appends for row i of v (upper bound is exact). */
size_t lh_vecops_encoded_size(const lh_vec_t *v, size_t i);
/* Append the encoding of row i of v at out; returns the bytes written. */
size_t lh_vecops_encode(const lh_vec_t *v, size_t i, uint8_t *out);
/* Decode one encoded value of type t at in, appending it to dst (strings copied);
 * returns the bytes consumed. */
size_t lh_vecops_decode(const uint8_t *in, lh_vec_t *dst);

/* A 64-bit hash of bytes (a multiply-xorshift mix up to 16 bytes, XXH3 beyond). */
uint64_t lh_vecops_hash(const void *bytes, size_t len);

/* A batch whose vectors hold rows idx[0..n) of src (dst has src's column count and
 * types; created on first use by the caller with lh_vecops_batch_like). */
lh_batch_t *lh_vecops_batch_like(const lh_batch_t *src, size_t capacity);
lh_err lh_vecops_batch_gather(lh_batch_t *dst, const lh_batch_t *src, const uint32_t *idx,
                              size_t n);
/* A batch with col_count empty flat vectors of the given types (not from a schema). */
lh_batch_t *lh_vecops_batch_new(int col_count, const lh_type_t *types, size_t capacity);

#endif
