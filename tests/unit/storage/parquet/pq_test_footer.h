/*
 * pq_test_footer.h - test helpers for the writer tests: a memory sink, and a small
 * Thrift compact-protocol walker (written from the protocol spec, independent of the
 * writer's encoder and of the reader) to check footers and page headers field by field.
 *
 *   tq(buf, len, "4.0.1.2.3.5", &v)  follows field ids through structs and indexes through
 *   lists (here: row_groups[0].columns[2].meta_data.num_values) and fills v.
 */
#ifndef LH_TEST_PQ_FOOTER_H
#define LH_TEST_PQ_FOOTER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage/parquet/parquet.h"

typedef struct mem_sink {
    uint8_t *data;
    size_t len, cap;
    int fail_after; /* fail the Nth write (1-based); 0 = never */
    int writes;
} mem_sink_t;

static inline lh_err mem_sink_write(void *ctx, const void *buf, size_t len, lh_errbuf *eb)
{
    mem_sink_t *m = ctx;
    if (m->fail_after && ++m->writes >= m->fail_after)
        return lh_err_set(eb, LH_E_IO, __FILE__, __LINE__, "injected sink failure");
    if (m->len + len > m->cap) {
        size_t cap = m->cap ? m->cap : 4096;
        while (cap < m->len + len)
            cap *= 2;
        m->data = realloc(m->data, cap);
        m->cap = cap;
    }
    memcpy(m->data + m->len, buf, len);
    m->len += len;
    return LH_OK;
}

static inline lh_byte_sink_t mem_sink(mem_sink_t *m)
{
    return (lh_byte_sink_t){m, mem_sink_write};
}

typedef struct tval {
    int type; /* compact type code (1/2 bool, 5 i32, ...); 0 when not found */
    int64_t i;
    const uint8_t *bin;
    size_t len;
    uint32_t size;      /* list size */
    const uint8_t *end; /* where the value ends */
} tval_t;

static inline uint64_t tq_uleb(const uint8_t **p, const uint8_t *end)
{
    uint64_t x = 0;
    int s = 0;
    while (*p < end && s < 64) {
        uint8_t b = *(*p)++;
        x |= (uint64_t)(b & 0x7f) << s;
        if (!(b & 0x80))
            return x;
        s += 7;
    }
    *p = NULL;
    return 0;
}

static inline int64_t tq_zz(const uint8_t **p, const uint8_t *end)
{
    uint64_t u = tq_uleb(p, end);
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static inline const uint8_t *tq_skip(const uint8_t *p, const uint8_t *end, int type);

static inline const uint8_t *tq_skip_struct(const uint8_t *p, const uint8_t *end)
{
    while (p && p < end) {
        uint8_t b = *p++;
        if (b == 0)
            return p;
        if ((b >> 4) == 0)
            tq_zz(&p, end);
        if (p)
            p = tq_skip(p, end, b & 0x0f);
    }
    return NULL;
}

static inline const uint8_t *tq_list_header(const uint8_t *p, const uint8_t *end, int *elem,
                                            uint32_t *size)
{
    *elem = 0;
    *size = 0;
    if (p >= end)
        return NULL;
    uint8_t h = *p++;
    *elem = h & 0x0f;
    *size = h >> 4;
    if (*size == 15)
        *size = (uint32_t)tq_uleb(&p, end);
    return p;
}

static inline const uint8_t *tq_skip(const uint8_t *p, const uint8_t *end, int type)
{
    switch (type) {
    case 1:
    case 2:
        return p;
    case 3:
        return p < end ? p + 1 : NULL;
    case 4:
    case 5:
    case 6:
        tq_uleb(&p, end);
        return p;
    case 7:
        return end - p >= 8 ? p + 8 : NULL;
    case 8: {
        uint64_t n = tq_uleb(&p, end);
        return p && (uint64_t)(end - p) >= n ? p + n : NULL;
    }
    case 9: {
        int elem;
        uint32_t n;
        p = tq_list_header(p, end, &elem, &n);
        for (uint32_t i = 0; p && i < n; i++)
            p = (elem == 1 || elem == 2) ? p + 1 : tq_skip(p, end, elem);
        return p;
    }
    case 12:
        return tq_skip_struct(p, end);
    default:
        return NULL;
    }
}

static inline bool tq_value(const uint8_t *p, const uint8_t *end, int type, const char *path,
                            tval_t *out);

static inline bool tq_struct(const uint8_t *p, const uint8_t *end, const char *path, tval_t *out)
{
    long want = strtol(path, (char **)&path, 10);
    if (*path == '.')
        path++;
    int last = 0;
    while (p && p < end) {
        uint8_t b = *p++;
        if (b == 0)
            return false;
        int id = (b >> 4) ? last + (b >> 4) : (int)tq_zz(&p, end);
        last = id;
        if (p == NULL)
            return false;
        if (id == want)
            return tq_value(p, end, b & 0x0f, path, out);
        p = tq_skip(p, end, b & 0x0f);
    }
    return false;
}

static inline bool tq_value(const uint8_t *p, const uint8_t *end, int type, const char *path,
                            tval_t *out)
{
    if (*path == '\0') {
        memset(out, 0, sizeof *out);
        out->type = type;
        if (type == 1 || type == 2) {
            out->i = type == 1;
        } else if (type == 3) {
            out->i = (int8_t)*p;
        } else if (type >= 4 && type <= 6) {
            const uint8_t *q = p;
            out->i = tq_zz(&q, end);
        } else if (type == 8) {
            const uint8_t *q = p;
            out->len = (size_t)tq_uleb(&q, end);
            out->bin = q;
        } else if (type == 9) {
            int elem;
            tq_list_header(p, end, &elem, &out->size);
        }
        out->end = tq_skip(p, end, type);
        return true;
    }
    if (type == 12)
        return tq_struct(p, end, path, out);
    if (type != 9)
        return false;
    int elem;
    uint32_t n;
    p = tq_list_header(p, end, &elem, &n);
    long idx = strtol(path, (char **)&path, 10);
    if (*path == '.')
        path++;
    if (p == NULL || idx < 0 || (uint32_t)idx >= n)
        return false;
    for (long i = 0; p && i < idx; i++)
        p = tq_skip(p, end, elem);
    return p && tq_value(p, end, elem, path, out);
}

/* Query a struct encoded at buf. */
static inline bool tq(const uint8_t *buf, size_t len, const char *path, tval_t *out)
{
    memset(out, 0, sizeof *out);
    return tq_struct(buf, buf + len, path, out);
}

static inline int64_t tq_i(const uint8_t *buf, size_t len, const char *path)
{
    tval_t v;
    return tq(buf, len, path, &v) ? v.i : INT64_MIN;
}

/* The footer of a complete file in memory, or NULL. */
static inline const uint8_t *footer_of(const mem_sink_t *m, size_t *len)
{
    *len = 0;
    if (m->len < 12 || memcmp(m->data, "PAR1", 4) || memcmp(m->data + m->len - 4, "PAR1", 4))
        return NULL;
    const uint8_t *t = m->data + m->len - 8;
    uint32_t n = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
    if (n > m->len - 12)
        return NULL;
    *len = n;
    return m->data + m->len - 8 - n;
}

#endif
