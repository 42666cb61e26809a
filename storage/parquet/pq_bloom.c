/*
 * pq_bloom.c - split-block bloom filter insert and probe (see pq_bloom.h).
 */
#include "storage/parquet/pq_bloom.h"

#include <math.h>
#include <string.h>
#include <xxhash.h>

static const uint32_t salt[8] = {0x47b6137bu, 0x44974d91u, 0x8824ad5bu, 0xa2b7289du,
                                 0x705495c7u, 0x2df1424bu, 0x9efc4947u, 0x5c6bfb31u};

size_t lh_pq_bloom_bytes_for(uint64_t ndv, double fpp)
{
    if (fpp <= 0.0 || fpp >= 1.0)
        fpp = 0.01;
    double bits = -8.0 * (double)ndv / log(1.0 - pow(fpp, 1.0 / 8.0));
    size_t bytes = LH_PQ_BLOOM_BYTES_MIN;
    while (bytes < LH_PQ_BLOOM_BYTES_MAX && (double)bytes * 8.0 < bits)
        bytes *= 2;
    return bytes;
}

uint64_t lh_pq_bloom_hash(const void *bytes, size_t len)
{
    return XXH64(bytes, len, 0);
}

static uint32_t *block_for(uint8_t *bitset, size_t nbytes, uint64_t hash)
{
    uint64_t nblocks = nbytes / 32;
    uint64_t idx = ((hash >> 32) * nblocks) >> 32;
    return (uint32_t *)(void *)(bitset + idx * 32);
}

void lh_pq_bloom_insert(uint8_t *bitset, size_t nbytes, uint64_t hash)
{
    uint32_t *block = block_for(bitset, nbytes, hash);
    uint32_t key = (uint32_t)hash;
    for (int i = 0; i < 8; i++) {
        uint32_t w;
        memcpy(&w, &block[i], 4);
        w |= 1u << ((key * salt[i]) >> 27);
        memcpy(&block[i], &w, 4);
    }
}

bool lh_pq_bloom_check(const uint8_t *bitset, size_t nbytes, uint64_t hash)
{
    if (nbytes < 32)
        return true;
    const uint32_t *block = block_for((uint8_t *)bitset, nbytes, hash);
    uint32_t key = (uint32_t)hash;
    for (int i = 0; i < 8; i++) {
        uint32_t w;
        memcpy(&w, &block[i], 4);
        if (!(w & (1u << ((key * salt[i]) >> 27))))
            return false;
    }
    return true;
}
