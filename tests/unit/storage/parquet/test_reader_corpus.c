/*
 * test_reader_corpus.c - every parquet-testing file either reads completely (all flat
 * columns and all leaves of all row groups) or is refused with the error we expect;
 * every bad_data file is refused without crashing.
 */
#include <dirent.h>

#include "reader_util.h"

/* Files we refuse, and how. */
static const struct {
    const char *name;
    lh_err code;
    const char *msg_part;
} refused[] = {
    {"hadoop_lz4_compressed.parquet", LH_E_UNSUPPORTED, "LZ4"},
    {"hadoop_lz4_compressed_larger.parquet", LH_E_UNSUPPORTED, "LZ4"},
    {"non_hadoop_lz4_compressed.parquet", LH_E_UNSUPPORTED, "LZ4"},
    {"lz4_raw_compressed.parquet", LH_E_UNSUPPORTED, "LZ4_RAW"},
    {"lz4_raw_compressed_larger.parquet", LH_E_UNSUPPORTED, "LZ4_RAW"},
    {"large_string_map.brotli.parquet", LH_E_UNSUPPORTED, "BROTLI"},
    /* its chunk sizes exclude page headers: pages run past the chunk */
    {"nation.dict-malformed.parquet", LH_E_CORRUPT, "past its chunk"},
};

static int read_ok, refused_ok, bad_refused;

static int expected_refusal(const char *name)
{
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (strcmp(refused[i].name, name) == 0)
            return (int)i;
    return -1;
}

static lh_err open_and_read(const char *path, lh_errbuf *eb)
{
    lh_byte_source_t src;
    lh_pq_file_t *f;
    LH_TRY(lh_bytes_source_open_file(path, &src, eb));
    LH_TRY(lh_pq_open(&src, &f, eb));
    lh_err e = pq_read_all(f, eb);
    lh_pq_close(f);
    return e;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void check_file(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    lh_errbuf eb = {0};
    lh_err e = open_and_read(path, &eb);
    int r = expected_refusal(name);
    if (ends_with(name, ".encrypted")) {
        if (e != LH_E_UNSUPPORTED || strstr(eb.msg, "encrypt") == NULL)
            fprintf(stderr, "  %s: expected 'encrypted' refusal, got %d %s\n", name, e, eb.msg);
        T_CHECK(e == LH_E_UNSUPPORTED);
        refused_ok += e == LH_E_UNSUPPORTED;
    } else if (r >= 0) {
        if (e != refused[r].code || strstr(eb.msg, refused[r].msg_part) == NULL)
            fprintf(stderr, "  %s: got %d '%s'\n", name, e, eb.msg);
        T_CHECK(e == refused[r].code && strstr(eb.msg, refused[r].msg_part) != NULL);
        refused_ok++;
    } else {
        if (e != LH_OK)
            fprintf(stderr, "  %s: %s\n", name, eb.msg);
        T_CHECK(e == LH_OK);
        read_ok += e == LH_OK;
    }
}

static void check_dir(const char *rel, void (*fn)(const char *, const char *))
{
    const char *dir = pq_path(rel);
    char dcopy[1024];
    snprintf(dcopy, sizeof dcopy, "%s", dir);
    DIR *d = opendir(dcopy);
    T_CHECK(d != NULL);
    if (d == NULL)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (ends_with(de->d_name, ".parquet") || ends_with(de->d_name, ".parquet.encrypted"))
            fn(dcopy, de->d_name);
    closedir(d);
}

static void test_data_files(void)
{
    check_dir("data", check_file);
    check_dir("data/aes256", check_file);
    check_dir("data/geospatial", check_file);
    printf("  data: %d read, %d refused as expected\n", read_ok, refused_ok);
    T_EQ_INT(read_ok, 68);    /* 58 in data/, 10 in data/geospatial */
    T_EQ_INT(refused_ok, 20); /* 6 codecs, 1 malformed, 13 encrypted */
}

static void check_bad(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    lh_errbuf eb = {0};
    lh_err e = open_and_read(path, &eb);
    if (e == LH_OK)
        fprintf(stderr, "  bad_data/%s was accepted\n", name);
    T_CHECK(e == LH_E_CORRUPT);
    T_CHECK(eb.msg[0] != '\0');
    bad_refused += e != LH_OK;
}

static void test_bad_data_refused(void)
{
    check_dir("bad_data", check_bad);
    printf("  bad_data: %d refused\n", bad_refused);
    T_EQ_INT(bad_refused, 8);
}

/* The same bytes through the memory source behave like the file source. */
static void test_memory_source(void)
{
    FILE *fp = fopen(pq_path("data/alltypes_plain.snappy.parquet"), "rb");
    T_CHECK(fp != NULL);
    if (fp == NULL)
        return;
    static uint8_t bytes[1 << 16];
    size_t n = fread(bytes, 1, sizeof bytes, fp);
    fclose(fp);
    lh_byte_source_t src;
    lh_bytes_source_from_memory(bytes, n, &src);
    lh_pq_file_t *f;
    lh_errbuf eb = {0};
    T_EQ_INT(lh_pq_open(&src, &f, &eb), LH_OK);
    T_EQ_INT(lh_pq_num_rows(f), 2);
    T_EQ_INT(pq_read_all(f, &eb), LH_OK);
    lh_pq_close(f);
    /* every truncation of the file is refused cleanly */
    for (size_t len = 0; len < n; len += 7) {
        lh_bytes_source_from_memory(bytes, len, &src);
        lh_err e = lh_pq_open(&src, &f, &eb);
        if (e == LH_OK) {
            e = pq_read_all(f, &eb);
            lh_pq_close(f);
        }
        T_CHECK(e != LH_OK);
    }
}

int main(void)
{
    T_RUN(test_data_files);
    T_RUN(test_bad_data_refused);
    T_RUN(test_memory_source);
    return T_DONE();
}
