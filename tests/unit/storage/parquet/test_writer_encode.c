/*
 * test_writer_encode.c - the writer's building blocks: Thrift compact encoding (bytes
 * checked against the protocol spec), the RLE/bit-packed hybrid encoder (exact bytes and
 * round trips through a small decoder written here from Encodings.md), PLAIN helpers,
 * the dictionary and the hash set.
 */
#include <stdint.h>

#include "storage/parquet/pq_encode.h"
#include "storage/parquet/pq_format.h"
#include "storage/parquet/thrift_enc.h"
#include "t.h"

static int bytes_eq(const lh_pq_buf_t *b, const uint8_t *want, size_t n)
{
    return b->len == n && memcmp(b->data, want, n) == 0;
}

static void test_thrift_fields(void)
{
    lh_pq_buf_t b = {0};
    lh_tenc_t t;
    lh_tenc_init(&t, &b);
    lh_tenc_i32(&t, 1, 1);    /* 15 02 */
    lh_tenc_i32(&t, 20, -1);  /* long delta: 05 28 01 */
    lh_tenc_i64(&t, 21, 300); /* 16 d8 04 */
    lh_tenc_bool(&t, 22, true);
    lh_tenc_bool(&t, 23, false);
    lh_tenc_string(&t, 24, "ab");
    lh_tenc_i16(&t, 25, 7);
    lh_tenc_i8(&t, 26, -2);
    lh_tenc_stop(&t);
    const uint8_t want[] = {0x15, 0x02, 0x05, 0x28, 0x01, 0x16, 0xd8, 0x04, 0x11, 0x12,
                            0x18, 0x02, 'a',  'b',  0x14, 0x0e, 0x13, 0xfe, 0x00};
    T_CHECK(bytes_eq(&b, want, sizeof want));
    lh_pq_buf_free(&b);
}

static void test_thrift_nesting(void)
{
    lh_pq_buf_t b = {0};
    lh_tenc_t t;
    lh_tenc_init(&t, &b);
    lh_tenc_i32(&t, 1, 0);
    lh_tenc_struct_begin(&t, 5); /* delta 4: 4c */
    lh_tenc_i32(&t, 1, 2);       /* delta restarts at 0 inside: 15 04 */
    lh_tenc_empty_struct(&t, 4); /* 3c 00 */
    lh_tenc_struct_end(&t);      /* 00 */
    lh_tenc_i32(&t, 6, 1);       /* delta 1 from the outer 5: 15 02 */
    lh_tenc_list_begin(&t, 7, TC_STRUCT, 2);
    lh_tenc_elem_struct_begin(&t);
    lh_tenc_i32(&t, 2, 1);
    lh_tenc_struct_end(&t);
    lh_tenc_elem_struct_begin(&t);
    lh_tenc_struct_end(&t);
    lh_tenc_stop(&t);
    const uint8_t want[] = {0x15, 0x00, 0x4c, 0x15, 0x04, 0x3c, 0x00, 0x00, 0x15,
                            0x02, 0x19, 0x2c, 0x25, 0x02, 0x00, 0x00, 0x00};
    T_CHECK(bytes_eq(&b, want, sizeof want));
    T_EQ_INT(t.depth, 0);
    lh_pq_buf_free(&b);
}

static void test_thrift_long_list(void)
{
    lh_pq_buf_t b = {0};
    lh_tenc_t t;
    lh_tenc_init(&t, &b);
    lh_tenc_list_begin(&t, 2, TC_I32, 15);
    const uint8_t head[] = {0x29, 0xf5, 0x0f};
    T_CHECK(b.len == 3 && memcmp(b.data, head, 3) == 0);
    b.len = 0;
    lh_tenc_list_header(&t, TC_BINARY, 14);
    T_EQ_INT(b.len, 1);
    T_EQ_INT(b.data[0], 0xe8);
    lh_pq_buf_free(&b);
}

/* ---- hybrid decoder (test oracle) ---- */

static uint64_t uleb(const uint8_t **p)
{
    uint64_t x = 0;
    int s = 0;
    while (**p & 0x80) {
        x |= (uint64_t)(**p & 0x7f) << s;
        s += 7;
        (*p)++;
    }
    x |= (uint64_t) * *p << s;
    (*p)++;
    return x;
}

static size_t hybrid_decode(const uint8_t *p, const uint8_t *end, int bw, uint32_t *out, size_t n)
{
    size_t k = 0;
    while (p < end && k < n) {
        uint64_t h = uleb(&p);
        if ((h & 1) == 0) {
            uint32_t v = 0;
            for (int b = 0; b < (bw + 7) / 8; b++)
                v |= (uint32_t)*p++ << (8 * b);
            for (uint64_t i = 0; i < (h >> 1) && k < n; i++)
                out[k++] = v;
        } else {
            size_t count = (size_t)(h >> 1) * 8;
            for (size_t i = 0; i < count; i++) {
                uint64_t v = 0;
                for (int b = 0; b < bw; b++) {
                    size_t bit = i * (size_t)bw + (size_t)b;
                    v |= (uint64_t)((p[bit / 8] >> (bit % 8)) & 1) << b;
                }
                if (k < n)
                    out[k++] = (uint32_t)v;
            }
            p += (count * (size_t)bw + 7) / 8;
        }
    }
    return k;
}

static void test_rle_exact(void)
{
    uint8_t ones[100];
    memset(ones, 1, sizeof ones);
    lh_pq_buf_t b = {0};
    lh_pq_rle_encode_u8(&b, ones, 100, 1);
    const uint8_t run[] = {0xc8, 0x01, 0x01};
    T_CHECK(bytes_eq(&b, run, sizeof run));
    b.len = 0;
    const uint8_t alt[] = {1, 0, 1, 0, 1, 0, 1, 0};
    lh_pq_rle_encode_u8(&b, alt, 8, 1);
    const uint8_t lit[] = {0x03, 0x55};
    T_CHECK(bytes_eq(&b, lit, sizeof lit));
    b.len = 0;
    const uint32_t three[] = {5, 6, 7};
    lh_pq_rle_encode_u32(&b, three, 3, 3); /* one padded group: 03, 5|6<<3|7<<6 (9 bits) */
    const uint8_t pad[] = {0x03, 0xf5, 0x01, 0x00};
    T_CHECK(bytes_eq(&b, pad, sizeof pad));
    lh_pq_buf_free(&b);
}

static void test_rle_roundtrip(void)
{
    static uint32_t in[20000], out[20000];
    uint64_t x = 88172645463325252ULL;
    for (int bw = 0; bw <= 32; bw += (bw < 4 ? 1 : 7)) {
        uint64_t mask = bw == 32 ? 0xffffffffULL : ((1ULL << bw) - 1);
        size_t n = 0;
        while (n < 19000) { /* alternate random literals and runs of random length */
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            size_t len = 1 + (x % 23);
            uint32_t v = (uint32_t)((x >> 20) & mask);
            for (size_t i = 0; i < len; i++)
                in[n++] = (x & 1) ? v : (uint32_t)(((x >> (i % 40)) + i) & mask);
        }
        lh_pq_buf_t b = {0};
        lh_pq_rle_encode_u32(&b, in, n, bw);
        T_CHECK(!b.oom);
        T_EQ_INT(hybrid_decode(b.data, b.data + b.len, bw, out, n), n);
        T_CHECK(memcmp(in, out, n * sizeof *in) == 0);
        if (bw <= 8) { /* the u8 variant (levels) encodes the same bytes */
            static uint8_t in8[20000];
            for (size_t i = 0; i < n; i++)
                in8[i] = (uint8_t)in[i];
            lh_pq_buf_t b8 = {0};
            lh_pq_rle_encode_u8(&b8, in8, n, bw);
            T_CHECK(b8.len == b.len && memcmp(b8.data, b.data, b.len) == 0);
            lh_pq_buf_free(&b8);
        }
        lh_pq_buf_free(&b);
    }
}

static void test_plain(void)
{
    lh_pq_buf_t b = {0};
    const uint8_t bools[10] = {1, 0, 0, 1, 1, 1, 0, 0, 1, 1};
    lh_pq_plain_bools(&b, bools, 10);
    const uint8_t packed[] = {0x39, 0x03};
    T_CHECK(bytes_eq(&b, packed, 2));
    b.len = 0;
    lh_sv_t sv[2] = {{(const uint8_t *)"hey", 3}, {NULL, 0}};
    lh_pq_plain_bytes(&b, sv, 2);
    const uint8_t ba[] = {3, 0, 0, 0, 'h', 'e', 'y', 0, 0, 0, 0};
    T_CHECK(bytes_eq(&b, ba, sizeof ba));
    lh_pq_buf_free(&b);
    T_EQ_INT(lh_pq_bit_width(0), 0);
    T_EQ_INT(lh_pq_bit_width(1), 1);
    T_EQ_INT(lh_pq_bit_width(255), 8);
    T_EQ_INT(lh_pq_bit_width(256), 9);
}

static void test_dict_bytes(void)
{
    lh_pq_dict_t d;
    lh_pq_dict_init(&d, 0);
    lh_sv_t v[4] = {{(const uint8_t *)"a", 1},
                    {(const uint8_t *)"b", 1},
                    {(const uint8_t *)"a", 1},
                    {(const uint8_t *)"", 0}};
    uint32_t idx[4];
    T_EQ_INT(lh_pq_dict_put_bytes(&d, v, 4, idx), LH_OK);
    T_EQ_INT(idx[0], 0);
    T_EQ_INT(idx[1], 1);
    T_EQ_INT(idx[2], 0);
    T_EQ_INT(idx[3], 2);
    T_EQ_INT(d.count, 3);
    const uint8_t plain[] = {1, 0, 0, 0, 'a', 1, 0, 0, 0, 'b', 0, 0, 0, 0};
    T_CHECK(bytes_eq(&d.plain, plain, sizeof plain));
    /* many entries force the table to grow; lookups stay stable */
    char buf[16];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 5000; i++) {
            int n = snprintf(buf, sizeof buf, "k%d", i);
            lh_sv_t s = {(const uint8_t *)buf, (uint32_t)n};
            uint32_t e;
            T_EQ_INT(lh_pq_dict_put_bytes(&d, &s, 1, &e), LH_OK);
            if (e != (uint32_t)(3 + i)) {
                T_EQ_INT(e, 3 + i);
                break;
            }
        }
    }
    T_EQ_INT(d.count, 5003);
    lh_pq_dict_reset(&d);
    T_EQ_INT(lh_pq_dict_put_bytes(&d, v + 1, 1, idx), LH_OK);
    T_EQ_INT(idx[0], 0);
    lh_pq_dict_free(&d);
}

static void test_dict_fixed(void)
{
    for (int w = 4; w <= 16; w += 4) {
        if (w == 12)
            continue;
        lh_pq_dict_t d;
        lh_pq_dict_init(&d, w);
        uint8_t vals[20000 * 16];
        static uint32_t idx[20000];
        for (int i = 0; i < 20000; i++) {
            memset(vals + (size_t)i * (size_t)w, 0, (size_t)w);
            uint32_t key = (uint32_t)(i % 3000) * 2654435761u;
            memcpy(vals + (size_t)i * (size_t)w, &key, 4);
        }
        T_EQ_INT(lh_pq_dict_put_fixed(&d, vals, 20000, idx), LH_OK);
        T_EQ_INT(d.count, 3000);
        T_EQ_INT(d.plain.len, 3000 * w);
        int ok = 1;
        for (int i = 0; i < 20000; i++)
            ok &= idx[i] == (uint32_t)(i % 3000);
        T_CHECK(ok);
        lh_pq_dict_free(&d);
    }
}

static void test_hset(void)
{
    lh_pq_hset_t s = {0};
    for (uint64_t i = 0; i < 10000; i++)
        T_EQ_INT(lh_pq_hset_add(&s, (i % 2500) * 0x9E3779B97F4A7C15ULL), LH_OK);
    T_EQ_INT(s.count + s.has_zero, 2500);
    T_CHECK(s.has_zero);
    lh_pq_hset_reset(&s);
    T_EQ_INT(s.count, 0);
    lh_pq_hset_free(&s);
}

int main(void)
{
    T_RUN(test_thrift_fields);
    T_RUN(test_thrift_nesting);
    T_RUN(test_thrift_long_list);
    T_RUN(test_rle_exact);
    T_RUN(test_rle_roundtrip);
    T_RUN(test_plain);
    T_RUN(test_dict_bytes);
    T_RUN(test_dict_fixed);
    T_RUN(test_hset);
    return T_DONE();
}
