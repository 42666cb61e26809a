/*
 * pq_roundtrip.c - the C half of tests/interop/duckdb_parquet.test.mjs.
 *
 *   pq_roundtrip write <file> <zstd|snappy|none>   write the all-types sample with our writer
 *   pq_roundtrip expect                            print the sample as JSON lines
 *   pq_roundtrip read <file>                       read any flat file with our reader and
 *                                                  print its schema and rows as JSON lines
 *   pq_roundtrip nested <file> <copies>            write the checkpoint-shaped nested sample
 *                                                  (tests/unit/storage/parquet/pq_test_nested.h)
 *                                                  as two row groups of <copies> x 4 records
 *
 * JSON lines: first {"schema":[["name","delta type"],...]}, then one object per row whose
 * values are strings (null for SQL NULL): integers and decimals in decimal notation,
 * booleans "true"/"false", dates "YYYY-MM-DD", timestamps as microseconds since the epoch,
 * binary as upper-case hex, floats with %.9g / %.17g ("nan", "inf", "-inf").
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/parquet/parquet.h"
#include "../unit/storage/parquet/pq_test_nested.h"

#define SAMPLE_ROWS 5000

typedef struct sample_col {
    const char *name;
    lh_type_t type;
    bool nullable;
} sample_col_t;

static const sample_col_t sample_cols[] = {
    {"b", {LH_TYPE_BOOLEAN, 0, 0}, true},
    {"i8", {LH_TYPE_BYTE, 0, 0}, true},
    {"i16", {LH_TYPE_SHORT, 0, 0}, true},
    {"i32", {LH_TYPE_INT, 0, 0}, true},
    {"i64", {LH_TYPE_LONG, 0, 0}, true},
    {"f32", {LH_TYPE_FLOAT, 0, 0}, true},
    {"f64", {LH_TYPE_DOUBLE, 0, 0}, true},
    {"s_dict", {LH_TYPE_STRING, 0, 0}, true},
    {"s_uniq", {LH_TYPE_STRING, 0, 0}, true},
    {"bin", {LH_TYPE_BINARY, 0, 0}, true},
    {"d", {LH_TYPE_DATE, 0, 0}, true},
    {"ts", {LH_TYPE_TIMESTAMP, 0, 0}, true},
    {"ts_ntz", {LH_TYPE_TIMESTAMP_NTZ, 0, 0}, true},
    {"dec9", {LH_TYPE_DECIMAL, 9, 2}, true},
    {"dec18", {LH_TYPE_DECIMAL, 18, 4}, true},
    {"dec38", {LH_TYPE_DECIMAL, 38, 10}, true},
    {"id", {LH_TYPE_LONG, 0, 0}, false},
};
#define SAMPLE_COLS ((int)(sizeof sample_cols / sizeof sample_cols[0]))

static const char *const words[] = {"alpha", "beta", "gamma", "delta", "epsilon"};

/* Append row r's value of sample column c to v. */
static lh_err sample_append(lh_vec_t *v, int c, int64_t r)
{
    int64_t sign = (r % 2) ? -1 : 1;
    if (sample_cols[c].nullable && (r * 7 + c) % 11 == 0)
        return lh_vec_append_null(v);
    char buf[64];
    switch (c) {
    case 0:
        return lh_vec_append_bool(v, r % 3 == 0);
    case 1:
        return lh_vec_append_i64(v, r % 256 - 128);
    case 2:
        return lh_vec_append_i64(v, (r * 13) % 65536 - 32768);
    case 3:
        return lh_vec_append_i64(v, r * 100003 - 250000000);
    case 4:
        return lh_vec_append_i64(v, r * 1000000007LL * sign);
    case 5:
        return lh_vec_append_f64(v, r % 101 == 0 ? NAN : (double)(r % 100) * 0.25 - 10.0);
    case 6:
        return lh_vec_append_f64(v, r % 97 == 0 ? NAN : r == 50 ? -0.0 : (double)r * 0.125 - 300);
    case 7:
        return lh_vec_append_str(v, words[r % 5], strlen(words[r % 5]));
    case 8:
        snprintf(buf, sizeof buf, "user-%06" PRId64 "-%s", r * 7919 % 100003, words[r % 3]);
        return lh_vec_append_str(v, buf, strlen(buf));
    case 9: {
        uint8_t b[4] = {(uint8_t)r, (uint8_t)(r >> 8), 0, 0xff};
        return lh_vec_append_str(v, b, (size_t)(r % 5));
    }
    case 10:
        return lh_vec_append_i64(v, r * 3 - 2000);
    case 11:
        return lh_vec_append_i64(v, 1700000000000000LL + r * 1234567);
    case 12:
        return lh_vec_append_i64(v, -100000000000LL + r * 7654321);
    case 13:
        return lh_vec_append_i64(v, sign * ((r * 12345) % 999999999));
    case 14:
        return lh_vec_append_i64(v, sign * r * 1234567890123LL);
    case 15: {
        lh_i128 x = (lh_i128)r * 100000000000000000LL * 1000000000LL + r;
        return lh_vec_append_i128(v, sign * x);
    }
    default:
        return lh_vec_append_i64(v, r);
    }
}

/* ---- formatting ------------------------------------------------------------------------ */

static void put_i128(lh_i128 x, char *out)
{
    char tmp[48];
    int n = 0;
    unsigned __int128 u = x < 0 ? -(unsigned __int128)x : (unsigned __int128)x;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    if (x < 0)
        *out++ = '-';
    while (n)
        *out++ = tmp[--n];
    *out = '\0';
}

static void put_decimal(lh_i128 x, int scale, char *out)
{
    char digits[48];
    put_i128(x < 0 ? -x : x, digits);
    int n = (int)strlen(digits);
    char *p = out;
    if (x < 0)
        *p++ = '-';
    if (scale == 0) {
        strcpy(p, digits);
        return;
    }
    if (n <= scale) {
        *p++ = '0';
        *p++ = '.';
        for (int i = 0; i < scale - n; i++)
            *p++ = '0';
        strcpy(p, digits);
        return;
    }
    memcpy(p, digits, (size_t)(n - scale));
    p += n - scale;
    *p++ = '.';
    strcpy(p, digits + n - scale);
}

static void put_date(int64_t days, char *out)
{
    /* civil-from-days (proleptic Gregorian) */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    sprintf(out, "%04" PRId64 "-%02" PRId64 "-%02" PRId64, y + (m <= 2), m, d);
}

static void put_float(double d, bool single, char *out)
{
    if (isnan(d))
        strcpy(out, "nan");
    else if (isinf(d))
        strcpy(out, d < 0 ? "-inf" : "inf");
    else
        sprintf(out, single ? "%.9g" : "%.17g", d);
}

static void json_str(const char *s, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static void print_value(const lh_vec_t *v, size_t i)
{
    if (!lh_vec_is_valid(v, i)) {
        fputs("null", stdout);
        return;
    }
    char buf[128];
    lh_type_t t = v->type;
    switch (t.id) {
    case LH_TYPE_BOOLEAN:
        strcpy(buf, ((const uint8_t *)v->data)[i] ? "true" : "false");
        break;
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        put_float(lh_vec_get_f64(v, i), t.id == LH_TYPE_FLOAT, buf);
        break;
    case LH_TYPE_STRING: {
        const lh_sv_t *s = (const lh_sv_t *)v->data + i;
        json_str((const char *)s->ptr, s->len);
        return;
    }
    case LH_TYPE_BINARY: {
        const lh_sv_t *s = (const lh_sv_t *)v->data + i;
        putchar('"');
        for (uint32_t k = 0; k < s->len; k++)
            printf("%02X", s->ptr[k]);
        putchar('"');
        return;
    }
    case LH_TYPE_DATE:
        put_date(lh_vec_get_i64(v, i), buf);
        break;
    case LH_TYPE_DECIMAL:
        if (t.precision > 18)
            put_decimal(((const lh_i128 *)v->data)[i], t.scale, buf);
        else
            put_decimal(lh_vec_get_i64(v, i), t.scale, buf);
        break;
    default:
        sprintf(buf, "%" PRId64, lh_vec_get_i64(v, i));
        break;
    }
    printf("\"%s\"", buf);
}

static void print_schema(const lh_schema_t *s)
{
    char tn[32];
    fputs("{\"schema\":[", stdout);
    for (int c = 0; c < s->field_count; c++) {
        printf("%s[", c ? "," : "");
        json_str(s->fields[c].name, strlen(s->fields[c].name));
        printf(",\"%s\"]", lh_type_name(s->fields[c].type, tn, sizeof tn));
    }
    puts("]}");
}

static void print_rows(const lh_schema_t *s, lh_vec_t **cols, size_t rows)
{
    for (size_t r = 0; r < rows; r++) {
        putchar('{');
        for (int c = 0; c < s->field_count; c++) {
            printf("%s", c ? "," : "");
            json_str(s->fields[c].name, strlen(s->fields[c].name));
            putchar(':');
            print_value(cols[c], r);
        }
        puts("}");
    }
}

/* ---- modes ------------------------------------------------------------------------------ */

static lh_schema_t *sample_schema(void)
{
    lh_schema_t *s = lh_schema_create(SAMPLE_COLS);
    for (int c = 0; s && c < SAMPLE_COLS; c++)
        if (lh_schema_set(s, c, sample_cols[c].name, sample_cols[c].type,
                          sample_cols[c].nullable) != LH_OK)
            return NULL;
    return s;
}

static lh_err fill_batch(lh_batch_t *b, int64_t first, size_t n)
{
    lh_batch_reset(b);
    for (int c = 0; c < b->col_count; c++)
        for (size_t k = 0; k < n; k++)
            LH_TRY(sample_append(b->cols[c], c, first + (int64_t)k));
    b->row_count = n;
    return LH_OK;
}

static lh_err file_write(void *ctx, const void *buf, size_t len, lh_errbuf *eb)
{
    LH_FAIL_IF(fwrite(buf, 1, len, ctx) != len, LH_E_IO, eb, "write failed");
    return LH_OK;
}

static int do_write(const char *path, const char *codec)
{
    lh_errbuf eb = {0};
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    o.codec = !strcmp(codec, "snappy") ? LH_PQ_CODEC_SNAPPY
              : !strcmp(codec, "none") ? LH_PQ_CODEC_UNCOMPRESSED
                                       : LH_PQ_CODEC_ZSTD;
    o.row_group_rows = 2000; /* several row groups ... */
    o.page_bytes = 4096;     /* ... of several pages */
    o.dict_bytes_max = 8192; /* s_uniq falls back to PLAIN mid-chunk */
    const char *bloom[] = {"s_dict", "i64"};
    o.bloom_columns = bloom;
    o.bloom_column_count = 2;
    FILE *f = fopen(path, "wb");
    lh_schema_t *s = sample_schema();
    lh_batch_t *b = s ? lh_batch_create(s, 1000) : NULL;
    lh_pq_writer_t *w = NULL;
    lh_err e = (f && b) ? LH_OK : LH_E_IO;
    if (e == LH_OK)
        e = lh_pq_writer_create(s, &o, (lh_byte_sink_t){f, file_write}, &w, &eb);
    for (int64_t r = 0; e == LH_OK && r < SAMPLE_ROWS; r += 1000) {
        e = fill_batch(b, r, 1000);
        if (e == LH_OK)
            e = lh_pq_writer_write_batch(w, b, &eb);
    }
    if (e == LH_OK)
        e = lh_pq_writer_finish(w, NULL, &eb);
    lh_pq_writer_destroy(w);
    lh_batch_destroy(b);
    lh_schema_destroy(s);
    if (f && fclose(f) != 0 && e == LH_OK)
        e = LH_E_IO;
    if (e != LH_OK)
        fprintf(stderr, "write failed: %s\n", eb.msg);
    return e == LH_OK ? 0 : 1;
}

static int do_expect(void)
{
    lh_schema_t *s = sample_schema();
    lh_batch_t *b = lh_batch_create(s, SAMPLE_ROWS);
    if (fill_batch(b, 0, SAMPLE_ROWS) != LH_OK)
        return 1;
    print_schema(s);
    print_rows(s, b->cols, SAMPLE_ROWS);
    lh_batch_destroy(b);
    lh_schema_destroy(s);
    return 0;
}

static int do_read(const char *path)
{
    lh_errbuf eb = {0};
    lh_byte_source_t src;
    lh_pq_file_t *f = NULL;
    lh_err e = lh_bytes_source_open_file(path, &src, &eb);
    if (e == LH_OK)
        e = lh_pq_open(&src, &f, &eb);
    if (e != LH_OK) {
        fprintf(stderr, "open failed: %s\n", eb.msg);
        return 1;
    }
    const lh_schema_t *s = lh_pq_schema(f);
    print_schema(s);
    lh_vec_t **cols = calloc((size_t)s->field_count, sizeof *cols);
    for (int rg = 0; e == LH_OK && rg < lh_pq_row_group_count(f); rg++) {
        for (int c = 0; e == LH_OK && c < s->field_count; c++) {
            cols[c] = lh_vec_create(s->fields[c].type, 16);
            e = lh_pq_read_column(f, rg, c, cols[c], &eb);
        }
        if (e == LH_OK)
            print_rows(s, cols, (size_t)lh_pq_row_group_num_rows(f, rg));
        for (int c = 0; c < s->field_count; c++) {
            lh_vec_destroy(cols[c]);
            cols[c] = NULL;
        }
    }
    free(cols);
    lh_pq_close(f);
    if (e != LH_OK)
        fprintf(stderr, "read failed: %s\n", eb.msg);
    return e == LH_OK ? 0 : 1;
}

static int do_nested(const char *path, int copies)
{
    lh_errbuf eb = {0};
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    o.page_bytes = 512;
    lh_pq_leaf_data_t leaves[CK_LEAVES];
    ck_build(leaves, copies);
    FILE *f = fopen(path, "wb");
    lh_pq_writer_t *w = NULL;
    lh_err e =
        f ? lh_pq_writer_create_nested(&ck_root, &o, (lh_byte_sink_t){f, file_write}, &w, &eb)
          : LH_E_IO;
    for (int rg = 0; e == LH_OK && rg < 2; rg++)
        e = lh_pq_writer_write_leaves(w, 4 * (int64_t)copies, leaves, CK_LEAVES, &eb);
    if (e == LH_OK)
        e = lh_pq_writer_finish(w, NULL, &eb);
    lh_pq_writer_destroy(w);
    ck_free(leaves);
    if (f && fclose(f) != 0 && e == LH_OK)
        e = LH_E_IO;
    if (e != LH_OK)
        fprintf(stderr, "nested write failed: %s\n", eb.msg);
    return e == LH_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "nested"))
        return do_nested(argv[2], atoi(argv[3]));
    if (argc == 4 && !strcmp(argv[1], "write"))
        return do_write(argv[2], argv[3]);
    if (argc == 2 && !strcmp(argv[1], "expect"))
        return do_expect();
    if (argc == 3 && !strcmp(argv[1], "read"))
        return do_read(argv[2]);
    fprintf(stderr, "usage: pq_roundtrip write <file> <zstd|snappy|none> | expect | read <file> | "
                    "nested <file> <copies>\n");
    return 2;
}
