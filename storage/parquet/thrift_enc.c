/*
 * thrift_enc.c - Thrift compact-protocol encoder (see thrift_enc.h).
 */
#include "storage/parquet/thrift_enc.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "storage/parquet/pq_format.h"

void lh_pq_buf_free(lh_pq_buf_t *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

bool lh_pq_buf_reserve(lh_pq_buf_t *b, size_t n)
{
    if (b->oom)
        return false;
    if (b->cap - b->len >= n)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n)
        cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (p == NULL) {
        b->oom = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void lh_pq_buf_append(lh_pq_buf_t *b, const void *p, size_t n)
{
    if (n == 0 || !lh_pq_buf_reserve(b, n))
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void lh_pq_buf_u32le(lh_pq_buf_t *b, uint32_t x)
{
    uint8_t le[4] = {(uint8_t)x, (uint8_t)(x >> 8), (uint8_t)(x >> 16), (uint8_t)(x >> 24)};
    lh_pq_buf_append(b, le, 4);
}

void lh_pq_buf_varint(lh_pq_buf_t *b, uint64_t x)
{
    uint8_t tmp[10];
    size_t n = 0;
    while (x >= 0x80) {
        tmp[n++] = (uint8_t)(x | 0x80);
        x >>= 7;
    }
    tmp[n++] = (uint8_t)x;
    lh_pq_buf_append(b, tmp, n);
}

static uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

void lh_tenc_init(lh_tenc_t *t, lh_pq_buf_t *out)
{
    t->out = out;
    t->depth = 0;
    t->last_id[0] = 0;
}

void lh_tenc_field(lh_tenc_t *t, int16_t id, int type)
{
    int16_t *last = &t->last_id[t->depth];
    int delta = id - *last;
    if (delta > 0 && delta <= 15) {
        lh_pq_buf_byte(t->out, (uint8_t)((delta << 4) | type));
    } else {
        lh_pq_buf_byte(t->out, (uint8_t)type);
        lh_pq_buf_varint(t->out, zigzag(id));
    }
    *last = id;
}

void lh_tenc_i32(lh_tenc_t *t, int16_t id, int32_t v)
{
    lh_tenc_field(t, id, TC_I32);
    lh_pq_buf_varint(t->out, zigzag(v));
}

void lh_tenc_i64(lh_tenc_t *t, int16_t id, int64_t v)
{
    lh_tenc_field(t, id, TC_I64);
    lh_pq_buf_varint(t->out, zigzag(v));
}

void lh_tenc_i16(lh_tenc_t *t, int16_t id, int16_t v)
{
    lh_tenc_field(t, id, TC_I16);
    lh_pq_buf_varint(t->out, zigzag(v));
}

void lh_tenc_i8(lh_tenc_t *t, int16_t id, int8_t v)
{
    lh_tenc_field(t, id, TC_I8);
    lh_pq_buf_byte(t->out, (uint8_t)v);
}

void lh_tenc_bool(lh_tenc_t *t, int16_t id, bool v)
{
    lh_tenc_field(t, id, v ? TC_BOOL_TRUE : TC_BOOL_FALSE);
}

void lh_tenc_binary(lh_tenc_t *t, int16_t id, const void *p, size_t n)
{
    lh_tenc_field(t, id, TC_BINARY);
    lh_tenc_elem_binary(t, p, n);
}

void lh_tenc_string(lh_tenc_t *t, int16_t id, const char *s)
{
    lh_tenc_binary(t, id, s, strlen(s));
}

static void push(lh_tenc_t *t)
{
    LH_ASSERT(t->depth + 1 < LH_TENC_DEPTH_MAX);
    t->last_id[++t->depth] = 0;
}

void lh_tenc_struct_begin(lh_tenc_t *t, int16_t id)
{
    lh_tenc_field(t, id, TC_STRUCT);
    push(t);
}

void lh_tenc_empty_struct(lh_tenc_t *t, int16_t id)
{
    lh_tenc_field(t, id, TC_STRUCT);
    lh_pq_buf_byte(t->out, TC_STOP);
}

void lh_tenc_struct_end(lh_tenc_t *t)
{
    LH_ASSERT(t->depth > 0);
    lh_pq_buf_byte(t->out, TC_STOP);
    t->depth--;
}

void lh_tenc_stop(lh_tenc_t *t)
{
    LH_ASSERT(t->depth == 0);
    lh_pq_buf_byte(t->out, TC_STOP);
}

void lh_tenc_list_header(lh_tenc_t *t, int elem_type, uint32_t size)
{
    if (size <= 14) {
        lh_pq_buf_byte(t->out, (uint8_t)((size << 4) | (uint32_t)elem_type));
    } else {
        lh_pq_buf_byte(t->out, (uint8_t)(0xF0 | elem_type));
        lh_pq_buf_varint(t->out, size);
    }
}

void lh_tenc_list_begin(lh_tenc_t *t, int16_t id, int elem_type, uint32_t size)
{
    lh_tenc_field(t, id, TC_LIST);
    lh_tenc_list_header(t, elem_type, size);
}

void lh_tenc_elem_struct_begin(lh_tenc_t *t)
{
    push(t);
}

void lh_tenc_elem_i32(lh_tenc_t *t, int32_t v)
{
    lh_pq_buf_varint(t->out, zigzag(v));
}

void lh_tenc_elem_binary(lh_tenc_t *t, const void *p, size_t n)
{
    lh_pq_buf_varint(t->out, n);
    lh_pq_buf_append(t->out, p, n);
}
