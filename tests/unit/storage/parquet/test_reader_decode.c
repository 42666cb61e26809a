/*
 * test_reader_decode.c - the reader's building blocks on hand-made bytes: the Thrift
 * compact decoder (unknown-field skipping, id deltas, depth and length bounds), the
 * RLE/bit-packed hybrid, BIT_PACKED levels, DELTA_BINARY_PACKED (spec examples, 32-bit
 * wrap-around), BYTE_STREAM_SPLIT; then mutated corpus files, which must be refused or
 * read, never crash.
 */
#include "reader_util.h"
#include "storage/parquet/pq_decode.h"
#include "storage/parquet/thrift_dec.h"

static void test_thrift_skips_unknown_fields(void)
{
    /* struct { 1: i32 7, 2: list<struct{1: binary "ab"}> [1], 3: map<i32,binary> {1:"x"},
     *          4: double, 5: bool true, 200 (long form): i64 -1, 6: struct{1: i8 5} } */
    static const uint8_t b[] = {0x15, 0x0e,                              /* 1: i32 zigzag(7) */
                                0x19, 0x1c, 0x18, 0x02, 'a',  'b', 0x00, /* 2: list of 1 struct */
                                0x1b, 0x01, 0x58, 0x02, 0x01, 'x', /* 3: map size 1 i32->binary */
                                0x17, 0,    0,    0,    0,    0,   0,
                                0xf0, 0x3f,                   /* 4: double 1.0 */
                                0x11,                         /* 5: bool true */
                                0x06, 0x90, 0x03, 0x01,       /* 200: i64 zigzag(-1) */
                                0x0c, 0x0c, 0x13, 0x05, 0x00, /* 6 (after 200: long form) */
                                0x00};
    lh_tdec_t d;
    lh_errbuf eb = {0};
    lh_tdec_init(&d, b, sizeof b, &eb);
    int16_t last = 0, id;
    uint8_t type;
    int32_t seven = 0;
    int seen = 0;
    for (;;) {
        T_EQ_INT(lh_tdec_field(&d, &last, &id, &type), LH_OK);
        if (type == TC_STOP)
            break;
        seen++;
        if (id == 1)
            T_EQ_INT(lh_tdec_i32(&d, type, &seven), LH_OK);
        else
            T_EQ_INT(lh_tdec_skip(&d, type), LH_OK);
        if (id == 200)
            T_EQ_INT(type, TC_I64);
    }
    T_EQ_INT(seven, 7);
    T_EQ_INT(seen, 7);
    T_EQ_INT(lh_tdec_remaining(&d), 0);
}

static void test_thrift_bounds(void)
{
    lh_errbuf eb = {0};
    lh_tdec_t d;
    uint8_t deep[400];
    for (int i = 0; i < 400; i++)
        deep[i] = 0x1c; /* field 1: struct, nested again and again */
    lh_tdec_init(&d, deep, sizeof deep, &eb);
    T_EQ_INT(lh_tdec_skip(&d, TC_STRUCT), LH_E_CORRUPT);
    T_CHECK(strstr(eb.msg, "nesting") != NULL);

    static const uint8_t big_list[] = {0xfc, 0xff, 0xff, 0x3f, 0x00}; /* 1M structs */
    lh_tdec_init(&d, big_list, sizeof big_list, &eb);
    uint8_t et;
    uint32_t n;
    T_EQ_INT(lh_tdec_list(&d, TC_LIST, &et, &n, 1), LH_E_CORRUPT);

    static const uint8_t long_bin[] = {0x10, 'a', 'b'}; /* length 16, 2 bytes present */
    const uint8_t *p;
    uint32_t len;
    lh_tdec_init(&d, long_bin, sizeof long_bin, &eb);
    T_EQ_INT(lh_tdec_binary(&d, TC_BINARY, &p, &len), LH_E_CORRUPT);

    static const uint8_t long_varint[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    uint64_t u;
    lh_tdec_init(&d, long_varint, sizeof long_varint, &eb);
    T_EQ_INT(lh_tdec_varint(&d, &u), LH_E_CORRUPT);

    static const uint8_t truncated[] = {0x15};
    int16_t last = 0, id;
    uint8_t type;
    int32_t v;
    lh_tdec_init(&d, truncated, sizeof truncated, &eb);
    T_EQ_INT(lh_tdec_field(&d, &last, &id, &type), LH_OK);
    T_EQ_INT(lh_tdec_i32(&d, type, &v), LH_E_CORRUPT);
}

static void test_rle_hybrid(void)
{
    /* RLE run of 5 x 3 (bw 2), then 1 group bit-packed 0..3,0..3 */
    static const uint8_t b[] = {0x0a, 0x03, 0x03, 0xe4, 0xe4};
    pq_rle_t r;
    uint32_t out[13];
    lh_errbuf eb = {0};
    pq_rle_init(&r, b, sizeof b, 2);
    T_EQ_INT(pq_rle_get(&r, out, 13, &eb), LH_OK);
    static const uint32_t want[] = {3, 3, 3, 3, 3, 0, 1, 2, 3, 0, 1, 2, 3};
    for (int i = 0; i < 13; i++)
        T_EQ_INT(out[i], want[i]);
    T_EQ_INT(pq_rle_get(&r, out, 1, &eb), LH_E_CORRUPT); /* exhausted */

    int16_t lv[13];
    size_t at_max = 0;
    pq_rle_init(&r, b, sizeof b, 3);
    T_EQ_INT(pq_rle_levels(&r, lv, 13, 3, &at_max, &eb), LH_E_CORRUPT); /* group truncated */
    pq_rle_init(&r, b, sizeof b, 2);
    T_EQ_INT(pq_rle_levels(&r, lv, 13, 3, &at_max, &eb), LH_OK);
    T_EQ_INT(at_max, 7); /* five from the run, two from the group */
    T_EQ_INT(lv[5], 0);
    T_EQ_INT(lv[8], 3);
    pq_rle_init(&r, b, 2, 2);
    T_EQ_INT(pq_rle_levels(&r, lv, 5, 2, NULL, &eb), LH_E_CORRUPT); /* level 3 > max 2 */

    static const uint8_t zero_width[] = {0x05}; /* 2 groups bit-packed with width 0 */
    pq_rle_init(&r, zero_width, 1, 0);
    T_EQ_INT(pq_rle_get(&r, out, 8, &eb), LH_E_CORRUPT);
    static const uint8_t zero_ok[] = {0x03, 0x10}; /* 1 group, then RLE run of 8 */
    pq_rle_init(&r, zero_ok, 2, 0);
    T_EQ_INT(pq_rle_get(&r, out, 13, &eb), LH_OK);
    T_EQ_INT(out[12], 0);
}

static void test_bit_packed_levels(void)
{
    /* spec example: 0..7 with 3 bits, MSB first */
    static const uint8_t b[] = {0x05, 0x39, 0x77};
    int16_t lv[8];
    size_t used;
    lh_errbuf eb = {0};
    T_EQ_INT(pq_bitpacked_levels(b, 3, 3, lv, 8, 7, &used, &eb), LH_OK);
    T_EQ_INT(used, 3);
    for (int i = 0; i < 8; i++)
        T_EQ_INT(lv[i], i);
    T_EQ_INT(pq_bitpacked_levels(b, 2, 3, lv, 8, 7, &used, &eb), LH_E_CORRUPT);
}

static void test_delta_binary_packed(void)
{
    lh_errbuf eb = {0};
    size_t total;
    /* 1 2 3 4 5: all deltas 1, widths 0 */
    static const uint8_t a[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0};
    int64_t out[8];
    const uint8_t *p = a;
    T_EQ_INT(pq_dbp_decode(&p, a + sizeof a, false, out, 8, &total, &eb), LH_OK);
    T_EQ_INT(total, 5);
    T_EQ_INT(p - a, (long)sizeof a);
    for (int i = 0; i < 5; i++)
        T_EQ_INT(out[i], i + 1);
    /* 7 5 3 1 2 3 4 5: min delta -2, width 2 */
    static const uint8_t b[] = {0x80, 0x01, 0x04, 0x08, 0x0e, 0x03, 0x02, 0, 0,
                                0,    0xc0, 0x3f, 0,    0,    0,    0,    0, 0};
    static const int64_t want[] = {7, 5, 3, 1, 2, 3, 4, 5};
    p = b;
    T_EQ_INT(pq_dbp_decode(&p, b + sizeof b, false, out, 8, &total, &eb), LH_OK);
    for (int i = 0; i < 8; i++)
        T_EQ_INT(out[i], want[i]);
    T_EQ_INT(pq_dbp_decode(&(const uint8_t *){b}, b + 10, false, out, 8, &total, &eb),
             LH_E_CORRUPT); /* miniblock truncated */
    /* INT32 wraps: INT32_MAX + 1 == INT32_MIN */
    static const uint8_t c[] = {0x80, 0x01, 0x04, 0x02, 0xfe, 0xff, 0xff,
                                0xff, 0x0f, 0x02, 0,    0,    0,    0};
    int32_t o32[2];
    p = c;
    T_EQ_INT(pq_dbp_decode(&p, c + sizeof c, true, o32, 2, &total, &eb), LH_OK);
    T_EQ_INT(o32[0], INT32_MAX);
    T_EQ_INT(o32[1], INT32_MIN);
    /* a bad header: block size not a multiple of 128 */
    static const uint8_t bad[] = {0x40, 0x04, 0x05, 0x02};
    p = bad;
    T_EQ_INT(pq_dbp_decode(&p, bad + sizeof bad, false, out, 8, &total, &eb), LH_E_CORRUPT);
}

static void test_byte_stream_split(void)
{
    static const uint8_t b[] = {1, 2, 3, 4, 5, 6}; /* 3 values of 2 bytes */
    uint8_t out[6];
    lh_errbuf eb = {0};
    T_EQ_INT(pq_bss_decode(b, 6, 2, 3, out, &eb), LH_OK);
    static const uint8_t want[] = {1, 4, 2, 5, 3, 6};
    T_CHECK(memcmp(out, want, 6) == 0);
    T_EQ_INT(pq_bss_decode(b, 5, 2, 3, out, &eb), LH_E_CORRUPT);
}

static size_t load(const char *rel, uint8_t *buf, size_t cap)
{
    FILE *fp = fopen(pq_path(rel), "rb");
    if (fp == NULL)
        return 0;
    size_t n = fread(buf, 1, cap, fp);
    fclose(fp);
    return n;
}

/* Flip bytes of small files and check each result is OK or a clean error. */
static void test_mutated_files(void)
{
    static const char *files[] = {
        "data/alltypes_plain.parquet",
        "data/alltypes_dictionary.parquet",
        "data/datapage_v2.snappy.parquet",
        "data/nested_maps.snappy.parquet",
        "data/delta_length_byte_array.parquet",
        "data/rle_boolean_encoding.parquet",
        "data/fixed_length_decimal.parquet",
        "data/data_index_bloom_encoding_stats.parquet",
        "data/list_columns.parquet",
        "data/byte_stream_split.zstd.parquet",
    };
    static uint8_t orig[1 << 16], buf[1 << 16];
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    int ok = 0, refused = 0;
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        size_t n = load(files[k], orig, sizeof orig);
        T_CHECK(n > 0);
        for (int iter = 0; iter < 300 && n > 0; iter++) {
            memcpy(buf, orig, n);
            int flips = 1 + iter % 4;
            for (int j = 0; j < flips; j++) {
                seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                buf[(seed >> 33) % n] ^= (uint8_t)(1u << ((seed >> 20) & 7));
            }
            lh_byte_source_t src;
            lh_bytes_source_from_memory(buf, n, &src);
            lh_pq_file_t *f;
            lh_errbuf eb = {0};
            lh_err e = lh_pq_open(&src, &f, &eb);
            if (e == LH_OK) {
                e = pq_read_all(f, &eb);
                if (lh_pq_row_group_count(f) > 0 && lh_pq_schema(f)->field_count > 0) {
                    lh_value_t v = {.type = lh_pq_schema(f)->fields[0].type};
                    lh_pq_pred_t p = {0, LH_PQ_EQ, 1, &v};
                    (void)lh_pq_row_group_may_match(f, 0, &p, 1);
                }
                lh_pq_close(f);
            }
            T_CHECK(e == LH_OK || e == LH_E_CORRUPT || e == LH_E_UNSUPPORTED);
            T_CHECK(e == LH_OK || eb.msg[0] != '\0');
            ok += e == LH_OK;
            refused += e != LH_OK;
        }
    }
    printf("  mutated files: %d read, %d refused\n", ok, refused);
    T_CHECK(refused > 0);
}

int main(void)
{
    T_RUN(test_thrift_skips_unknown_fields);
    T_RUN(test_thrift_bounds);
    T_RUN(test_rle_hybrid);
    T_RUN(test_bit_packed_levels);
    T_RUN(test_delta_binary_packed);
    T_RUN(test_byte_stream_split);
    T_RUN(test_mutated_files);
    return T_DONE();
}
