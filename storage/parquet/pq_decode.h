/*
 * pq_decode.h - Parquet value and level encodings, decoded straight into caller memory.
 * Internal to storage/parquet.
 *
 * Every decoder is bounded by the byte range it is given and returns LH_E_CORRUPT when
 * the data run out or a header is invalid; none allocates. Bit-packed data is unpacked
 * 8 values at a time with unaligned 64-bit loads (falling back to a padded copy near the
 * end of the buffer).
 */
#ifndef LH_PQ_DECODE_H
#define LH_PQ_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/vec.h"

/* RLE / bit-packed hybrid stream (levels, dictionary indices, RLE booleans). */
typedef struct pq_rle {
    const uint8_t *p, *end;
    int bit_width;
    uint32_t rle_left; /* values left in the current RLE run */
    uint32_t rle_value;
    uint32_t bp_left;  /* values left in the current bit-packed run */
    const uint8_t *bp; /* next group of 8 of that run */
    uint32_t buf[8];   /* unpacked group not yet consumed */
    int buf_pos, buf_len;
} pq_rle_t;

/* bit_width 0..32. */
void pq_rle_init(pq_rle_t *r, const uint8_t *p, size_t len, int bit_width);
/* The next n values. */
lh_err pq_rle_get(pq_rle_t *r, uint32_t *out, size_t n, lh_errbuf *eb);
/* The next n levels, each checked to be <= max_level; *count_max (may be NULL) gets how
 * many equal max_level. */
lh_err pq_rle_levels(pq_rle_t *r, int16_t *out, size_t n, int max_level, size_t *count_max,
                     lh_errbuf *eb);
/* Deprecated BIT_PACKED levels (MSB first). Returns the bytes used in *used. */
lh_err pq_bitpacked_levels(const uint8_t *p, size_t len, int bit_width, int16_t *out, size_t n,
                           int max_level, size_t *used, lh_errbuf *eb);
/* Bits needed for values up to max (0 for 0). */
int pq_bit_width(uint64_t max);

/* PLAIN fixed-width: copies n*width bytes. */
lh_err pq_plain_fixed(const uint8_t *p, size_t len, size_t width, size_t n, void *out,
                      lh_errbuf *eb);
/* PLAIN BOOLEAN (bit-packed LSB first) to 0/1 bytes. */
lh_err pq_plain_bool(const uint8_t *p, size_t len, size_t n, uint8_t *out, lh_errbuf *eb);
/* PLAIN BYTE_ARRAY: n {u32 len, bytes}; the svs point into p. *used gets the bytes read. */
lh_err pq_plain_bytes(const uint8_t *p, size_t len, size_t n, lh_sv_t *out, size_t *used,
                      lh_errbuf *eb);
/* PLAIN FIXED_LEN_BYTE_ARRAY: n values of width bytes, as svs into p. */
lh_err pq_plain_flba(const uint8_t *p, size_t len, size_t width, size_t n, lh_sv_t *out,
                     lh_errbuf *eb);

/* DELTA_BINARY_PACKED: decodes the whole stream at *p (advanced past it); stores the first
 * min(total, cap) values in out (int32_t when is32, else int64_t); *total gets the count. */
lh_err pq_dbp_decode(const uint8_t **p, const uint8_t *end, bool is32, void *out, size_t cap,
                     size_t *total, lh_errbuf *eb);
/* DBP header count only (to size buffers), without consuming. */
lh_err pq_dbp_peek_count(const uint8_t *p, const uint8_t *end, size_t *count, lh_errbuf *eb);

/* BYTE_STREAM_SPLIT of n values of width bytes from len bytes (len/width streams). */
lh_err pq_bss_decode(const uint8_t *p, size_t len, size_t width, size_t n, uint8_t *out,
                     lh_errbuf *eb);

#endif

/* Convert n physical values to the leaf's target layout (conv is a pq_conv):
 * sources are int32/int64 arrays, 12-byte INT96 records or lh_sv_t for byte arrays. */
void pq_convert(int conv, const void *src, size_t n, void *dst);
/* The physical value width the conversion reads (0 for lh_sv_t sources). */
size_t pq_conv_src_width(int conv);
/* Big-endian two's complement bytes to a signed integer (last 16 bytes kept). */
lh_i128 pq_be_to_i128(const uint8_t *p, size_t len);
float pq_f16_to_f32(uint16_t h);
/* INT96 (nanos of day LE, Julian day LE) to microseconds since the epoch. */
int64_t pq_int96_to_micros(const uint8_t *p);
