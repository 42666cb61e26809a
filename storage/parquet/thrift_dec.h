/*
 * thrift_dec.h - a bounded decoder for the Thrift compact protocol (Parquet metadata).
 * Internal to storage/parquet.
 *
 * The decoder walks a byte range; every read checks the remaining length, every list
 * size is checked against the bytes left, and nesting is bounded by LH_TDEC_DEPTH_MAX.
 * Callers read a struct as a loop over fields:
 *
 *     int16_t last = 0; int16_t id; uint8_t type;
 *     while (lh_tdec_field(d, &last, &id, &type) == LH_OK && type != TC_STOP) {
 *         switch (id) { case 1: ...; default: lh_tdec_skip(d, type); }
 *     }
 *
 * Each function returns LH_E_CORRUPT (with a message in d->eb) on malformed input.
 */
#ifndef LH_PQ_THRIFT_DEC_H
#define LH_PQ_THRIFT_DEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "storage/parquet/pq_format.h"

/* Deepest struct/list nesting we follow: Parquet's own metadata needs fewer than 10. */
#define LH_TDEC_DEPTH_MAX 32

typedef struct lh_tdec {
    const uint8_t *p;
    const uint8_t *end;
    int depth;
    lh_errbuf *eb;
} lh_tdec_t;

void lh_tdec_init(lh_tdec_t *d, const void *bytes, size_t len, lh_errbuf *eb);
static inline size_t lh_tdec_remaining(const lh_tdec_t *d)
{
    return (size_t)(d->end - d->p);
}

lh_err lh_tdec_varint(lh_tdec_t *d, uint64_t *out);
/* Next field header of the current struct; *type == TC_STOP ends it. *last is the
 * previous field id of this struct (start at 0 for every struct). */
lh_err lh_tdec_field(lh_tdec_t *d, int16_t *last, int16_t *id, uint8_t *type);
/* Enter / leave a nested struct (bounds the depth). */
lh_err lh_tdec_struct_begin(lh_tdec_t *d);
void lh_tdec_struct_end(lh_tdec_t *d);
/* An integer field of type I8/I16/I32/I64 (zigzag), range-checked into [lo, hi]. */
lh_err lh_tdec_int(lh_tdec_t *d, uint8_t type, int64_t lo, int64_t hi, int64_t *out);
lh_err lh_tdec_i32(lh_tdec_t *d, uint8_t type, int32_t *out);
lh_err lh_tdec_i64(lh_tdec_t *d, uint8_t type, int64_t *out);
/* A bool field: the value is carried by the type code. */
lh_err lh_tdec_bool(lh_tdec_t *d, uint8_t type, bool *out);
/* A binary/string field: points into the input. */
lh_err lh_tdec_binary(lh_tdec_t *d, uint8_t type, const uint8_t **ptr, uint32_t *len);
/* A list/set header of a field of type `type`; size is bounded by the bytes left, each
 * element taking at least min_elem_bytes. */
lh_err lh_tdec_list(lh_tdec_t *d, uint8_t type, uint8_t *elem_type, uint32_t *size,
                    size_t min_elem_bytes);
/* A list element of integer/binary type (no field header). */
lh_err lh_tdec_elem_int(lh_tdec_t *d, uint8_t elem_type, int64_t *out);
/* Skip one value of the given type (recursively, depth-bounded). */
lh_err lh_tdec_skip(lh_tdec_t *d, uint8_t type);
/* Expect a field of `want` type, else corrupt. */
lh_err lh_tdec_expect(lh_tdec_t *d, uint8_t type, uint8_t want, const char *what);

#endif
