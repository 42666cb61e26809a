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
    T_EQ_INT(read_ok, 69);    /* 59 in data/, 10 in data/geospatial */
    T_EQ_INT(refused_ok, 19); /* 6 codecs, 13 encrypted */
}

/* nation.dict-malformed: parquet-mr (no version, i.e. before 1.2.9) left the dictionary
 * page header out of total_compressed_size (PARQUET-816), so its dictionary-encoded chunks
 * are 15 bytes longer than declared. Read with the header's length added; values as
 * DuckDB reads them. */
static void test_nation_dict_malformed(void)
{
    static const int region[25] = {0, 1, 1, 1, 4, 0, 3, 3, 2, 2, 4, 4, 2,
                                   4, 0, 0, 0, 1, 2, 3, 4, 2, 3, 3, 1};
    static const char *const names[25] = {
        "ALGERIA",      "ARGENTINA",  "BRAZIL",  "CANADA",         "EGYPT",
        "ETHIOPIA",     "FRANCE",     "GERMANY", "INDIA",          "INDONESIA",
        "IRAN",         "IRAQ",       "JAPAN",   "JORDAN",         "KENYA",
        "MOROCCO",      "MOZAMBIQUE", "PERU",    "CHINA",          "ROMANIA",
        "SAUDI ARABIA", "VIETNAM",    "RUSSIA",  "UNITED KINGDOM", "UNITED STATES"};
    lh_pq_file_t *f = pq_open_rel("data/nation.dict-malformed.parquet");
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    T_EQ_INT(lh_pq_num_rows(f), 25);
    lh_vec_t *key = pq_col(f, 0, "nation_key"), *name = pq_col(f, 0, "name");
    lh_vec_t *reg = pq_col(f, 0, "region_key"), *com = pq_col(f, 0, "comment_col");
    T_CHECK(key && name && reg && com);
    if (key && name && reg && com) {
        T_EQ_INT(name->type.id, LH_TYPE_BINARY); /* no UTF8 annotation: DuckDB says BLOB */
        for (size_t i = 0; i < 25; i++) {
            T_EQ_INT(lh_vec_get_i64(key, i), (int64_t)i);
            T_EQ_INT(lh_vec_get_i64(reg, i), region[i]);
            T_CHECK(pq_sv_eq(name, i, names[i]));
        }
        T_CHECK(pq_sv_eq(com, 0, " haggle. carefully final deposits detect slyly agai"));
        T_CHECK(pq_sv_eq(com, 24,
                         "y final packages. slow foxes cajole quickly. quickly silent "
                         "platelets breach ironic accounts. unusual pinto be"));
    }
    lh_vec_destroy(key);
    lh_vec_destroy(name);
    lh_vec_destroy(reg);
    lh_vec_destroy(com);
    lh_pq_close(f);
}

/* The allowance is for that writer only: the same bytes claiming another writer are
 * held to the spec's size (headers included) and refused. */
static void test_dict_header_slack_only_for_old_parquet_mr(void)
{
    FILE *fp = fopen(pq_path("data/nation.dict-malformed.parquet"), "rb");
    T_CHECK(fp != NULL);
    if (fp == NULL)
        return;
    static uint8_t bytes[1 << 14];
    size_t n = fread(bytes, 1, sizeof bytes, fp);
    fclose(fp);
    uint8_t *cb = NULL;
    for (size_t i = 0; i + 10 <= n && cb == NULL; i++)
        if (memcmp(bytes + i, "parquet-mr", 10) == 0)
            cb = bytes + i;
    T_CHECK(cb != NULL);
    if (cb == NULL)
        return;
    memcpy(cb, "parquet-MR", 10);
    lh_pq_source_t src;
    lh_bytes_source_from_memory(bytes, n, &src);
    lh_pq_file_t *f;
    lh_errbuf eb = {0};
    T_EQ_INT(lh_pq_open(&src, &f, &eb), LH_OK);
    lh_err e = pq_read_all(f, &eb);
    T_EQ_INT(e, LH_E_CORRUPT);
    T_CHECK(strstr(eb.msg, "past its chunk") != NULL);
    lh_pq_close(f);
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
    T_RUN(test_nation_dict_malformed);
    T_RUN(test_dict_header_slack_only_for_old_parquet_mr);
    T_RUN(test_bad_data_refused);
    T_RUN(test_memory_source);
    return T_DONE();
}
