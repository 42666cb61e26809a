/*
 * pq_bloom.h - Parquet split-block bloom filters (SBBF), as the format spec defines them:
 * 32-byte blocks of eight 32-bit words, xxHash64 (seed 0) of the value's PLAIN encoding
 * (BYTE_ARRAY: the bytes without the length prefix). Internal to storage/parquet.
 *
 * On disk: BloomFilterHeader {1 numBytes:i32, 2 algorithm:{1 BLOCK{}}, 3 hash:{1 XXHASH{}},
 * 4 compression:{1 UNCOMPRESSED{}}} followed by numBytes of bitset, at
 * ColumnMetaData.bloom_filter_offset (field 14, i64); field 15 (i32) is header+bitset length.
 */
#ifndef LH_PQ_BLOOM_H
#define LH_PQ_BLOOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LH_PQ_BLOOM_BYTES_MIN 32
#define LH_PQ_BLOOM_BYTES_MAX (128u * 1024 * 1024)

/* Bitset size (a power of two in [MIN, MAX]) for ndv distinct values at rate fpp. */
size_t lh_pq_bloom_bytes_for(uint64_t ndv, double fpp);
uint64_t lh_pq_bloom_hash(const void *bytes, size_t len);
void lh_pq_bloom_insert(uint8_t *bitset, size_t nbytes, uint64_t hash);
bool lh_pq_bloom_check(const uint8_t *bitset, size_t nbytes, uint64_t hash);

#endif
