/*
 * thrift_dec.c - Thrift compact protocol decoding (see thrift_dec.h).
 *
 * Varints are ULEB128 of at most 10 bytes; i16/i32/i64 are zigzag varints; binary is a
 * varint length then bytes; field headers carry a 4-bit id delta or a full zigzag id.
 * Nothing here allocates; pointers returned point into the input.
 */
#include "storage/parquet/thrift_dec.h"

#include <string.h>

#define CORRUPT(d, ...) lh_err_set((d)->eb, LH_E_CORRUPT, __FILE__, __LINE__, __VA_ARGS__)

void lh_tdec_init(lh_tdec_t *d, const void *bytes, size_t len, lh_errbuf *eb)
{
    d->p = bytes;
    d->end = d->p + len;
    d->depth = 0;
    d->eb = eb;
}

lh_err lh_tdec_varint(lh_tdec_t *d, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (d->p >= d->end)
            return CORRUPT(d, "thrift: truncated varint");
        uint8_t b = *d->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            *out = v;
            return LH_OK;
        }
    }
    return CORRUPT(d, "thrift: varint longer than 10 bytes");
}

static lh_err zigzag(lh_tdec_t *d, int64_t *out)
{
    uint64_t u;
    LH_TRY(lh_tdec_varint(d, &u));
    *out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    return LH_OK;
}

lh_err lh_tdec_field(lh_tdec_t *d, int16_t *last, int16_t *id, uint8_t *type)
{
    if (d->p >= d->end)
        return CORRUPT(d, "thrift: truncated struct");
    uint8_t b = *d->p++;
    *type = b & 0x0f;
    if (*type == TC_STOP) {
        *id = 0;
        return LH_OK;
    }
    int delta = b >> 4;
    if (delta != 0) {
        *id = (int16_t)(*last + delta);
    } else {
        int64_t v;
        LH_TRY(zigzag(d, &v));
        if (v < INT16_MIN || v > INT16_MAX)
            return CORRUPT(d, "thrift: field id %lld out of range", (long long)v);
        *id = (int16_t)v;
    }
    if (*type > TC_UUID)
        return CORRUPT(d, "thrift: bad field type %u", *type);
    *last = *id;
    return LH_OK;
}

lh_err lh_tdec_struct_begin(lh_tdec_t *d)
{
    if (++d->depth > LH_TDEC_DEPTH_MAX)
        return CORRUPT(d, "thrift: nesting deeper than %d", LH_TDEC_DEPTH_MAX);
    return LH_OK;
}

void lh_tdec_struct_end(lh_tdec_t *d)
{
    d->depth--;
}

lh_err lh_tdec_expect(lh_tdec_t *d, uint8_t type, uint8_t want, const char *what)
{
    if (type != want)
        return CORRUPT(d, "thrift: %s has type %u, expected %u", what, type, want);
    return LH_OK;
}

lh_err lh_tdec_int(lh_tdec_t *d, uint8_t type, int64_t lo, int64_t hi, int64_t *out)
{
    int64_t v;
    if (type == TC_I8) {
        if (d->p >= d->end)
            return CORRUPT(d, "thrift: truncated i8");
        v = (int8_t)*d->p++;
    } else if (type == TC_I16 || type == TC_I32 || type == TC_I64) {
        LH_TRY(zigzag(d, &v));
    } else {
        return CORRUPT(d, "thrift: expected an integer, got type %u", type);
    }
    if (v < lo || v > hi)
        return CORRUPT(d, "thrift: integer %lld out of range", (long long)v);
    *out = v;
    return LH_OK;
}

lh_err lh_tdec_i32(lh_tdec_t *d, uint8_t type, int32_t *out)
{
    int64_t v;
    LH_TRY(lh_tdec_int(d, type, INT32_MIN, INT32_MAX, &v));
    *out = (int32_t)v;
    return LH_OK;
}

lh_err lh_tdec_i64(lh_tdec_t *d, uint8_t type, int64_t *out)
{
    return lh_tdec_int(d, type, INT64_MIN, INT64_MAX, out);
}

lh_err lh_tdec_bool(lh_tdec_t *d, uint8_t type, bool *out)
{
    if (type != TC_BOOL_TRUE && type != TC_BOOL_FALSE)
        return CORRUPT(d, "thrift: expected a bool, got type %u", type);
    *out = type == TC_BOOL_TRUE;
    return LH_OK;
}

static lh_err read_binary(lh_tdec_t *d, const uint8_t **ptr, uint32_t *len)
{
    uint64_t n;
    LH_TRY(lh_tdec_varint(d, &n));
    if (n > lh_tdec_remaining(d))
        return CORRUPT(d, "thrift: binary of %llu bytes past the end", (unsigned long long)n);
    *ptr = d->p;
    *len = (uint32_t)n;
    d->p += n;
    return LH_OK;
}

lh_err lh_tdec_binary(lh_tdec_t *d, uint8_t type, const uint8_t **ptr, uint32_t *len)
{
    LH_TRY(lh_tdec_expect(d, type, TC_BINARY, "binary field"));
    return read_binary(d, ptr, len);
}

lh_err lh_tdec_list(lh_tdec_t *d, uint8_t type, uint8_t *elem_type, uint32_t *size,
                    size_t min_elem_bytes)
{
    if (type != TC_LIST && type != TC_SET)
        return CORRUPT(d, "thrift: expected a list, got type %u", type);
    if (d->p >= d->end)
        return CORRUPT(d, "thrift: truncated list header");
    uint8_t b = *d->p++;
    uint64_t n = b >> 4;
    *elem_type = b & 0x0f;
    if (n == 15)
        LH_TRY(lh_tdec_varint(d, &n));
    if (min_elem_bytes == 0)
        min_elem_bytes = 1;
    if (n > lh_tdec_remaining(d) / min_elem_bytes)
        return CORRUPT(d, "thrift: list of %llu elements exceeds the input", (unsigned long long)n);
    *size = (uint32_t)n;
    return LH_OK;
}

lh_err lh_tdec_elem_int(lh_tdec_t *d, uint8_t elem_type, int64_t *out)
{
    return lh_tdec_int(d, elem_type, INT64_MIN, INT64_MAX, out);
}

static lh_err skip_bytes(lh_tdec_t *d, size_t n)
{
    if (n > lh_tdec_remaining(d))
        return CORRUPT(d, "thrift: value past the end");
    d->p += n;
    return LH_OK;
}

static lh_err skip_value(lh_tdec_t *d, uint8_t type, bool in_list);

static lh_err skip_struct(lh_tdec_t *d)
{
    LH_TRY(lh_tdec_struct_begin(d));
    int16_t last = 0, id;
    uint8_t type;
    for (;;) {
        LH_TRY(lh_tdec_field(d, &last, &id, &type));
        if (type == TC_STOP)
            break;
        LH_TRY(skip_value(d, type, false));
    }
    lh_tdec_struct_end(d);
    return LH_OK;
}

static lh_err skip_list(lh_tdec_t *d, uint8_t type)
{
    uint8_t et;
    uint32_t n;
    LH_TRY(lh_tdec_list(d, type, &et, &n, 1));
    LH_TRY(lh_tdec_struct_begin(d));
    for (uint32_t i = 0; i < n; i++)
        LH_TRY(skip_value(d, et, true));
    lh_tdec_struct_end(d);
    return LH_OK;
}

static lh_err skip_map(lh_tdec_t *d)
{
    uint64_t n;
    LH_TRY(lh_tdec_varint(d, &n));
    if (n == 0)
        return LH_OK;
    if (n > lh_tdec_remaining(d))
        return CORRUPT(d, "thrift: map of %llu entries exceeds the input", (unsigned long long)n);
    LH_TRY(skip_bytes(d, 1));
    uint8_t kv = d->p[-1];
    LH_TRY(lh_tdec_struct_begin(d));
    for (uint64_t i = 0; i < n; i++) {
        LH_TRY(skip_value(d, kv >> 4, true));
        LH_TRY(skip_value(d, kv & 0x0f, true));
    }
    lh_tdec_struct_end(d);
    return LH_OK;
}

static lh_err skip_value(lh_tdec_t *d, uint8_t type, bool in_list)
{
    uint64_t u;
    const uint8_t *ptr;
    uint32_t len;
    switch (type) {
    case TC_BOOL_TRUE:
    case TC_BOOL_FALSE:
        return in_list ? skip_bytes(d, 1) : LH_OK;
    case TC_I8:
        return skip_bytes(d, 1);
    case TC_I16:
    case TC_I32:
    case TC_I64:
        return lh_tdec_varint(d, &u);
    case TC_DOUBLE:
        return skip_bytes(d, 8);
    case TC_BINARY:
        return read_binary(d, &ptr, &len);
    case TC_LIST:
    case TC_SET:
        return skip_list(d, type);
    case TC_MAP:
        return skip_map(d);
    case TC_STRUCT:
        return skip_struct(d);
    case TC_UUID:
        return skip_bytes(d, 16);
    default:
        return CORRUPT(d, "thrift: cannot skip type %u", type);
    }
}

lh_err lh_tdec_skip(lh_tdec_t *d, uint8_t type)
{
    return skip_value(d, type, false);
}
