/*
 * pq_codec.h - page compression codecs (zstd, snappy, zlib/gzip). Internal.
 * Thread-safe: no shared state (zstd contexts are per call).
 */
#ifndef LH_PQ_CODEC_H
#define LH_PQ_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Whether codec id (enum pq_codec_id) is one we can read and write. */
int lh_pq_codec_supported(int codec);
/* Name for error messages, e.g. "LZ4_RAW". */
const char *lh_pq_codec_name(int codec);

/* Decompress src into exactly dst_len bytes. LH_E_CORRUPT if the result size differs,
 * LH_E_UNSUPPORTED for codecs we lack. src_len == 0 with dst_len == 0 is fine. */
lh_err lh_pq_decompress(int codec, const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
                        lh_errbuf *eb);

/* Upper bound of the compressed size of n bytes. */
size_t lh_pq_compress_bound(int codec, size_t n);
/* Compress src into dst (capacity dst_cap >= bound); *out_len gets the size. */
lh_err lh_pq_compress(int codec, int level, const uint8_t *src, size_t src_len, uint8_t *dst,
                      size_t dst_cap, size_t *out_len, lh_errbuf *eb);

#endif
