/*
 * murmur.h - Spark's Murmur3_x86_32 of a byte string (org.apache.spark.unsafe.hash's
 * hashUnsafeBytes, with its legacy one-byte-at-a-time tail): hash() and xxhash64()'s
 * neighbour in compute/func/hash.c, and count_min_sketch's item hash in compute/agg.
 */
#ifndef LH_COMPUTE_FUNC_MURMUR_H
#define LH_COMPUTE_FUNC_MURMUR_H

#include <stddef.h>
#include <stdint.h>

uint32_t lh_murmur3_bytes(const uint8_t *p, size_t n, uint32_t seed);

#endif
