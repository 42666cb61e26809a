/*
 * test_cursor.c - the per-column Parquet cursor against the whole-row-group reader:
 *   - every flat column of every readable parquet-testing file, read in chunks of 1, 7
 *     and 2048 rows with skips in between, flat and with dictionary output;
 *   - whole pages passed by skip without being decoded (tiny-page corpus file);
 *   - a 5M-row int64 column in one row group: the cursor holds about one page while the
 *     whole-chunk reader holds the column (cursor stats, and glibc's allocator counters);
 *   - dictionary-kind output for a dictionary-encoded string column, one dictionary for
 *     the chunk, and a chunk whose writer fell back to PLAIN part-way;
 *   - bad arguments and a failed cursor.
 */
#include <dirent.h>
#include <malloc.h>
#include <unistd.h>

#include "reader_util.h"

static const lh_type_t T_LONG = {LH_TYPE_LONG, 0, 0};
static const lh_type_t T_STR = {LH_TYPE_STRING, 0, 0};

/* Same row value (nulls equal, floats bitwise so NaNs compare). */
static bool same_value(const lh_value_t *a, const lh_value_t *b)
{
    if (a->is_null || b->is_null)
        return a->is_null == b->is_null;
    switch (a->type.id) {
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
        return a->v.str.len == b->v.str.len &&
               (a->v.str.len == 0 || memcmp(a->v.str.ptr, b->v.str.ptr, a->v.str.len) == 0);
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        return memcmp(&a->v.f64, &b->v.f64, sizeof(double)) == 0;
    case LH_TYPE_DECIMAL:
        if (a->type.precision > 18)
            return a->v.i128 == b->v.i128;
        /* fall through */
    default:
        return a->v.i64 == b->v.i64;
    }
}

/* Rows [0, got->count) of got equal rows [at, ...) of want. Returns mismatches. */
static int compare_rows(const lh_vec_t *want, size_t at, const lh_vec_t *got)
{
    int bad = 0;
    for (size_t i = 0; i < got->count; i++) {
        lh_value_t a, b;
        lh_vec_get_value(want, at + i, &a);
        lh_vec_get_value(got, i, &b);
        bad += !same_value(&a, &b);
    }
    return bad;
}

typedef struct pattern {
    size_t reads[3];
    int read_count;
    uint64_t skips[5];
    int skip_count;
} pattern_t;

static const pattern_t patterns[] = {
    {{1}, 1, {0}, 1},
    {{7}, 1, {0}, 1},
    {{2048}, 1, {0}, 1},
    {{1, 7, 2048}, 3, {0, 3, 1, 1000, 5000}, 5},
    {{2048, 7, 1}, 3, {9000, 0, 2, 40000, 7}, 5},
};

/* Walk a column with a cursor following p; every row returned must match want. */
static int walk(lh_pq_file_t *f, int rg, int col, const lh_vec_t *want, const pattern_t *p,
                unsigned flags, lh_pq_cursor_stats_t *stats)
{
    lh_errbuf eb = {0};
    lh_pq_cursor_t *c;
    if (lh_pq_cursor_open(f, rg, col, flags, &c, &eb) != LH_OK) {
        fprintf(stderr, "  cursor open: %s\n", eb.msg);
        return 1;
    }
    lh_vec_t *got = lh_vec_create(want->type, 0);
    size_t at = 0;
    int bad = 0;
    for (int step = 0; at < want->count && bad == 0; step++) {
        size_t n = p->reads[step % p->read_count];
        size_t expect = want->count - at < n ? want->count - at : n;
        if (lh_pq_cursor_read(c, n, got, &eb) != LH_OK) {
            fprintf(stderr, "  cursor read: %s\n", eb.msg);
            bad++;
            break;
        }
        bad += got->count != expect;
        bad += compare_rows(want, at, got);
        bad += (flags & LH_PQ_CURSOR_DICT) == 0 && got->kind != LH_VEC_FLAT;
        at += got->count;
        uint64_t skip = p->skips[step % p->skip_count];
        if (lh_pq_cursor_skip(c, skip, &eb) != LH_OK) {
            fprintf(stderr, "  cursor skip: %s\n", eb.msg);
            bad++;
            break;
        }
        at = want->count - at < skip ? want->count : at + (size_t)skip;
        bad += lh_pq_cursor_rows_left(c) != want->count - at;
    }
    /* At the end: reads return nothing, skips do nothing. */
    bad += lh_pq_cursor_read(c, 5, got, &eb) != LH_OK || got->count != 0;
    bad += lh_pq_cursor_skip(c, 5, &eb) != LH_OK;
    if (stats)
        lh_pq_cursor_get_stats(c, stats);
    lh_vec_destroy(got);
    lh_pq_cursor_close(c);
    return bad;
}

static int check_corpus_file(lh_pq_file_t *f, const char *name, int *columns)
{
    const lh_schema_t *s = lh_pq_schema(f);
    int bad_total = 0;
    for (int rg = 0; rg < lh_pq_row_group_count(f); rg++) {
        for (int col = 0; col < s->field_count; col++) {
            lh_vec_t *want = lh_vec_create(s->fields[col].type, 0);
            lh_errbuf eb = {0};
            if (lh_pq_read_column(f, rg, col, want, &eb) != LH_OK) {
                lh_vec_destroy(want); /* the whole reader refuses it: nothing to compare */
                continue;
            }
            int bad = 0;
            for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
                bad += walk(f, rg, col, want, &patterns[p], 0, NULL);
                bad += walk(f, rg, col, want, &patterns[p], LH_PQ_CURSOR_DICT, NULL);
            }
            if (bad)
                fprintf(stderr, "  %s rg %d column %s: %d mismatches\n", name, rg,
                        s->fields[col].name, bad);
            bad_total += bad;
            (*columns)++;
            lh_vec_destroy(want);
        }
    }
    return bad_total;
}

static void test_corpus_matches_whole_reader(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/parquet-testing/data", t_testdata());
    DIR *d = opendir(dir);
    T_CHECK(d != NULL);
    if (d == NULL)
        return;
    int files = 0, columns = 0, bad = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 8 || strcmp(e->d_name + len - 8, ".parquet") != 0)
            continue;
        char rel[512];
        snprintf(rel, sizeof rel, "data/%s", e->d_name);
        lh_errbuf eb = {0};
        lh_byte_source_t src;
        lh_pq_file_t *f;
        if (lh_bytes_source_open_file(pq_path(rel), &src, &eb) != LH_OK ||
            lh_pq_open(&src, &f, &eb) != LH_OK)
            continue; /* encrypted or refused at open: covered by test_reader_corpus */
        bad += check_corpus_file(f, e->d_name, &columns);
        files++;
        lh_pq_close(f);
    }
    closedir(d);
    printf("  cursor vs whole reader: %d files, %d column chunks\n", files, columns);
    T_CHECK(files >= 40);
    T_CHECK(columns >= 250);
    T_EQ_INT(bad, 0);
}

static void test_skip_passes_whole_pages(void)
{
    lh_pq_file_t *f = pq_open_rel("data/alltypes_tiny_pages.parquet");
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    int col = lh_schema_find(lh_pq_schema(f), "id");
    lh_vec_t *want = pq_col(f, 0, "id");
    T_CHECK(want != NULL && want->count > 5000);
    static const pattern_t big_skips = {{7}, 1, {3000}, 1};
    lh_pq_cursor_stats_t st;
    T_EQ_INT(walk(f, 0, col, want, &big_skips, 0, &st), 0);
    T_CHECK(st.pages_skipped > 10);
    T_CHECK(st.pages_decoded > 0);
    /* Pages passed by skip are never decoded: a full read decodes more of them. */
    lh_pq_cursor_stats_t all;
    static const pattern_t full = {{2048}, 1, {0}, 1};
    T_EQ_INT(walk(f, 0, col, want, &full, 0, &all), 0);
    T_EQ_INT(all.pages_skipped, 0);
    T_CHECK(all.pages_decoded > st.pages_decoded);
    printf("  tiny pages: %llu decoded + %llu passed with skips, %llu decoded reading all\n",
           (unsigned long long)st.pages_decoded, (unsigned long long)st.pages_skipped,
           (unsigned long long)all.pages_decoded);
    lh_vec_destroy(want);
    lh_pq_close(f);
}

/* ---- files written by our writer ----------------------------------------------------------- */

typedef void (*fill_fn)(lh_batch_t *b, size_t first_row, size_t n);

/* Write rows rows through fill into path, one row group, with the given page and
 * dictionary sizes. */
static size_t rg_rows_override; /* rows per row group when set; one row group otherwise */

static lh_err write_file(const char *path, const lh_schema_t *s, size_t rows, fill_fn fill,
                         uint64_t page_bytes, uint64_t dict_bytes_max)
{
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    o.row_group_rows = rg_rows_override ? rg_rows_override : rows + 1;
    o.row_group_bytes = (uint64_t)1 << 40;
    o.page_bytes = page_bytes;
    o.dict_bytes_max = dict_bytes_max;
    o.codec = LH_PQ_CODEC_SNAPPY;
    lh_errbuf eb = {0};
    lh_byte_sink_t sink;
    LH_TRY(lh_bytes_sink_open_file(path, &sink, &eb));
    lh_pq_writer_t *w = NULL;
    lh_err e = lh_pq_writer_create(s, &o, sink, &w, &eb);
    lh_batch_t *b = lh_batch_create(s, LH_BATCH_ROWS);
    for (size_t at = 0; e == LH_OK && at < rows; at += LH_BATCH_ROWS) {
        size_t n = rows - at < LH_BATCH_ROWS ? rows - at : LH_BATCH_ROWS;
        lh_batch_reset(b);
        fill(b, at, n);
        b->row_count = n;
        e = lh_pq_writer_write_batch(w, b, &eb);
    }
    if (e == LH_OK)
        e = lh_pq_writer_finish(w, NULL, &eb);
    if (e != LH_OK)
        fprintf(stderr, "  write %s: %s\n", path, eb.msg);
    lh_batch_destroy(b);
    lh_pq_writer_destroy(w);
    lh_bytes_sink_close(&sink);
    return e;
}

static int64_t long_value(size_t row)
{
    return (int64_t)(row * 2654435761u % 1000000007u) - 500000000;
}

static void fill_longs(lh_batch_t *b, size_t first, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lh_vec_append_i64(b->cols[0], long_value(first + i));
}

/* Bytes glibc's allocator has handed out (arena + mmap'd blocks); 0 when another
 * allocator is in charge (sanitizers). */
static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

#define BIG_ROWS 5000000
#define MIB      (1024 * 1024)

static void test_memory_stays_at_a_page(void)
{
    char path[] = "/tmp/lh_cursor_big_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    lh_schema_t *s = lh_schema_create(1);
    lh_schema_set(s, 0, "v", T_LONG, false);
    T_EQ_INT(write_file(path, s, BIG_ROWS, fill_longs, MIB, MIB), LH_OK);
    lh_pq_file_t *f;
    lh_errbuf eb = {0};
    lh_byte_source_t src;
    T_EQ_INT(lh_bytes_source_open_file(path, &src, &eb), LH_OK);
    T_EQ_INT(lh_pq_open(&src, &f, &eb), LH_OK);
    T_EQ_INT(lh_pq_row_group_count(f), 1);

    lh_vec_t *out = lh_vec_create(T_LONG, LH_BATCH_ROWS);
    lh_pq_cursor_t *c;
    size_t base = heap_in_use(), peak = 0;
    T_EQ_INT(lh_pq_cursor_open(f, 0, 0, 0, &c, &eb), LH_OK);
    size_t row = 0;
    int bad = 0;
    while (lh_pq_cursor_rows_left(c) > 0) {
        T_EQ_INT(lh_pq_cursor_read(c, LH_BATCH_ROWS, out, &eb), LH_OK);
        for (size_t i = 0; i < out->count; i++)
            bad += ((int64_t *)out->data)[i] != long_value(row + i);
        row += out->count;
        size_t now = heap_in_use();
        peak = now > peak ? now : peak;
    }
    T_EQ_INT(row, BIG_ROWS);
    T_EQ_INT(bad, 0);
    lh_pq_cursor_stats_t st;
    lh_pq_cursor_get_stats(c, &st);
    lh_pq_cursor_close(c);
    /* ~38 pages of 1 MiB: the cursor held a read window, a decompressed page and a decoded
     * slice of it at a time, never the 40 MB column. */
    printf("  5M longs: %llu pages, cursor held at most %.2f MiB (allocator peak +%.2f MiB)\n",
           (unsigned long long)st.pages_decoded, st.memory_bytes_max / (double)MIB,
           base ? (peak - base) / (double)MIB : 0.0);
    T_CHECK(st.pages_decoded >= 30);
    T_CHECK(st.memory_bytes_max < 3 * MIB);
    if (base > 0) { /* glibc's counters are live: check them too */
        T_CHECK(peak - base < 6 * MIB);
        lh_vec_t *whole = lh_vec_create(T_LONG, 0);
        T_EQ_INT(lh_pq_read_column(f, 0, 0, whole, &eb), LH_OK);
        T_CHECK(heap_in_use() - base > 38 * MIB); /* the measurement sees a whole chunk */
        lh_vec_destroy(whole);
    }
    /* Skipping 4M rows passes pages without decoding them. */
    T_EQ_INT(lh_pq_cursor_open(f, 0, 0, 0, &c, &eb), LH_OK);
    T_EQ_INT(lh_pq_cursor_skip(c, 4000000, &eb), LH_OK);
    T_EQ_INT(lh_pq_cursor_read(c, 3, out, &eb), LH_OK);
    T_EQ_INT(((int64_t *)out->data)[2], long_value(4000002));
    lh_pq_cursor_get_stats(c, &st);
    T_CHECK(st.pages_skipped >= 25);
    T_EQ_INT(st.pages_decoded, 1);
    T_CHECK(st.rows_decoded <= 4 * LH_BATCH_ROWS); /* one slice of the page, not the page */
    lh_pq_cursor_close(c);
    /* Skipping inside a page steps over values without decoding them. */
    T_EQ_INT(lh_pq_cursor_open(f, 0, 0, 0, &c, &eb), LH_OK);
    T_EQ_INT(lh_pq_cursor_read(c, 1, out, &eb), LH_OK);
    T_EQ_INT(lh_pq_cursor_skip(c, 100000, &eb), LH_OK); /* pages hold ~131k longs */
    T_EQ_INT(lh_pq_cursor_read(c, 1, out, &eb), LH_OK);
    T_EQ_INT(((int64_t *)out->data)[0], long_value(100001));
    lh_pq_cursor_get_stats(c, &st);
    T_EQ_INT(st.pages_decoded, 1);
    T_EQ_INT(st.pages_skipped, 0);
    T_EQ_INT(st.rows_decoded, 2 * 4 * LH_BATCH_ROWS); /* two slices: rows 0.. and 100001.. */
    lh_pq_cursor_close(c);
    lh_vec_destroy(out);
    lh_pq_close(f);
    lh_schema_destroy(s);
    unlink(path);
}

#define DICT_ROWS 300000

static bool dict_row_null(size_t row)
{
    return row % 11 == 3;
}

static void dict_row_text(size_t row, char *buf, size_t size)
{
    snprintf(buf, size, "city-%03zu", row * 7 % 100);
}

static void fill_dict_strings(lh_batch_t *b, size_t first, size_t n)
{
    char text[32];
    for (size_t i = 0; i < n; i++) {
        if (dict_row_null(first + i)) {
            lh_vec_append_null(b->cols[0]);
            continue;
        }
        dict_row_text(first + i, text, sizeof text);
        lh_vec_append_str(b->cols[0], text, strlen(text));
    }
}

static void test_dictionary_output(void)
{
    char path[] = "/tmp/lh_cursor_dict_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    lh_schema_t *s = lh_schema_create(1);
    lh_schema_set(s, 0, "city", T_STR, true);
    T_EQ_INT(write_file(path, s, DICT_ROWS, fill_dict_strings, 32 * 1024, MIB), LH_OK);
    lh_errbuf eb = {0};
    lh_byte_source_t src;
    lh_pq_file_t *f;
    T_EQ_INT(lh_bytes_source_open_file(path, &src, &eb), LH_OK);
    T_EQ_INT(lh_pq_open(&src, &f, &eb), LH_OK);
    lh_pq_cursor_t *c;
    T_EQ_INT(lh_pq_cursor_open(f, 0, 0, LH_PQ_CURSOR_DICT, &c, &eb), LH_OK);
    lh_vec_t *out = lh_vec_create(T_STR, 0);
    const lh_vec_t *dict = NULL;
    size_t row = 0;
    int bad = 0, batches = 0;
    char text[32];
    while (lh_pq_cursor_rows_left(c) > 0) {
        T_EQ_INT(lh_pq_cursor_read(c, LH_BATCH_ROWS, out, &eb), LH_OK);
        bad += out->kind != LH_VEC_DICT;
        if (out->kind != LH_VEC_DICT)
            break;
        dict = dict ? dict : out->dict;
        bad += out->dict != dict; /* one dictionary for the whole chunk, never expanded */
        for (size_t i = 0; i < out->count; i++, row++) {
            bool is_null = dict_row_null(row);
            bad += lh_vec_is_valid(out, i) == is_null;
            if (is_null)
                continue;
            dict_row_text(row, text, sizeof text);
            lh_sv_t sv = lh_vec_get_str(out, i);
            bad += sv.len != strlen(text) || memcmp(sv.ptr, text, sv.len) != 0;
        }
        batches++;
    }
    T_EQ_INT(bad, 0);
    T_EQ_INT(row, DICT_ROWS);
    T_CHECK(dict != NULL && dict->count == 100);
    lh_pq_cursor_stats_t st;
    lh_pq_cursor_get_stats(c, &st);
    T_CHECK(st.pages_decoded > 1); /* several data pages share the dictionary */
    printf("  dictionary column: %d batches over %llu pages, %zu entries\n", batches,
           (unsigned long long)st.pages_decoded, dict ? dict->count : 0);
    /* Flattening a dictionary batch gives what a flat cursor gives. */
    lh_pq_cursor_close(c);
    T_EQ_INT(lh_pq_cursor_open(f, 0, 0, LH_PQ_CURSOR_DICT, &c, &eb), LH_OK);
    lh_pq_cursor_t *flat;
    T_EQ_INT(lh_pq_cursor_open(f, 0, 0, 0, &flat, &eb), LH_OK);
    lh_vec_t *want = lh_vec_create(T_STR, 0);
    T_EQ_INT(lh_pq_cursor_skip(c, 777, &eb), LH_OK);
    T_EQ_INT(lh_pq_cursor_skip(flat, 777, &eb), LH_OK);
    T_EQ_INT(lh_pq_cursor_read(c, 5000, out, &eb), LH_OK);
    T_EQ_INT(lh_pq_cursor_read(flat, 5000, want, &eb), LH_OK);
    T_EQ_INT(want->kind, LH_VEC_FLAT);
    T_EQ_INT(lh_vec_flatten(out), LH_OK);
    lh_pq_cursor_close(c); /* the flattened batch no longer needs the dictionary */
    T_EQ_INT(out->count, 5000);
    T_EQ_INT(compare_rows(want, 0, out), 0);
    lh_pq_cursor_close(flat);
    lh_vec_destroy(want);
    lh_vec_destroy(out);
    lh_pq_close(f);
    lh_schema_destroy(s);
    unlink(path);
}

/* Rows 0..59999 draw from 50 values; later rows are all distinct: the writer's dictionary
 * overflows part-way and the rest of the chunk is PLAIN. */
static void mixed_text(size_t row, char *buf, size_t size)
{
    if (row < 60000)
        snprintf(buf, size, "low-%02zu", row % 50);
    else
        snprintf(buf, size, "unique-value-%09zu", row);
}

static void fill_mixed(lh_batch_t *b, size_t first, size_t n)
{
    char text[48];
    for (size_t i = 0; i < n; i++) {
        mixed_text(first + i, text, sizeof text);
        lh_vec_append_str(b->cols[0], text, strlen(text));
    }
}

static void test_dictionary_fallback_mid_chunk(void)
{
    char path[] = "/tmp/lh_cursor_mixed_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    lh_schema_t *s = lh_schema_create(1);
    lh_schema_set(s, 0, "s", T_STR, false);
    T_EQ_INT(write_file(path, s, 100000, fill_mixed, 16 * 1024, 8 * 1024), LH_OK);
    lh_errbuf eb = {0};
    lh_byte_source_t src;
    lh_pq_file_t *f;
    T_EQ_INT(lh_bytes_source_open_file(path, &src, &eb), LH_OK);
    T_EQ_INT(lh_pq_open(&src, &f, &eb), LH_OK);
    lh_vec_t *want = pq_col(f, 0, "s");
    lh_pq_cursor_t *c;
    T_EQ_INT(lh_pq_cursor_open(f, 0, 0, LH_PQ_CURSOR_DICT, &c, &eb), LH_OK);
    lh_vec_t *out = lh_vec_create(T_STR, 0);
    int dict_batches = 0, flat_batches = 0, bad = 0;
    size_t row = 0;
    while (lh_pq_cursor_rows_left(c) > 0) {
        T_EQ_INT(lh_pq_cursor_read(c, 3000, out, &eb), LH_OK);
        dict_batches += out->kind == LH_VEC_DICT;
        flat_batches += out->kind == LH_VEC_FLAT;
        bad += compare_rows(want, row, out);
        row += out->count;
    }
    T_EQ_INT(row, 100000);
    T_EQ_INT(bad, 0);
    T_CHECK(dict_batches > 5);
    T_CHECK(flat_batches > 5); /* including the batch that spans the switch, flattened */
    lh_pq_cursor_close(c);
    lh_vec_destroy(out);
    lh_vec_destroy(want);
    lh_pq_close(f);
    lh_schema_destroy(s);
    unlink(path);
}

/* One cursor walks every row group of a column through reopen. */
static void test_reopen_across_row_groups(void)
{
    char path[] = "/tmp/lh_cursor_rgs_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    lh_schema_t *s = lh_schema_create(1);
    lh_schema_set(s, 0, "city", T_STR, true);
    rg_rows_override = 40000;
    T_EQ_INT(write_file(path, s, 100000, fill_dict_strings, 16 * 1024, MIB), LH_OK);
    rg_rows_override = 0;
    lh_errbuf eb = {0};
    lh_byte_source_t src;
    lh_pq_file_t *f;
    T_EQ_INT(lh_bytes_source_open_file(path, &src, &eb), LH_OK);
    T_EQ_INT(lh_pq_open(&src, &f, &eb), LH_OK);
    T_EQ_INT(lh_pq_row_group_count(f), 3);
    lh_pq_cursor_t *c;
    T_EQ_INT(lh_pq_cursor_open(f, 0, 0, LH_PQ_CURSOR_DICT, &c, &eb), LH_OK);
    lh_vec_t *out = lh_vec_create(T_STR, 0);
    int bad = 0;
    for (int rg = 0; rg < 3; rg++) {
        if (rg > 0)
            T_EQ_INT(lh_pq_cursor_reopen(c, rg, &eb), LH_OK);
        T_EQ_INT(lh_pq_cursor_rows_left(c), rg < 2 ? 40000 : 20000);
        lh_vec_t *want = pq_col(f, rg, "city");
        T_EQ_INT(lh_pq_cursor_skip(c, 100, &eb), LH_OK);
        T_EQ_INT(lh_pq_cursor_read(c, 30000, out, &eb), LH_OK);
        T_EQ_INT(out->kind, LH_VEC_DICT);
        bad += compare_rows(want, 100, out);
        lh_vec_destroy(want);
    }
    T_EQ_INT(bad, 0);
    T_EQ_INT(lh_pq_cursor_reopen(c, 3, &eb), LH_E_INVALID);
    T_EQ_INT(lh_pq_cursor_read(c, 1, out, &eb), LH_E_STATE);
    T_EQ_INT(lh_pq_cursor_reopen(c, 1, &eb), LH_OK); /* clears the failure */
    T_EQ_INT(lh_pq_cursor_read(c, 1, out, &eb), LH_OK);
    T_EQ_INT(out->count, 1);
    lh_pq_cursor_close(c);
    lh_vec_destroy(out);
    lh_pq_close(f);
    lh_schema_destroy(s);
    unlink(path);
}

static void test_bad_arguments(void)
{
    lh_pq_file_t *f = pq_open_rel("data/alltypes_plain.parquet");
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    lh_errbuf eb = {0};
    lh_pq_cursor_t *c;
    T_EQ_INT(lh_pq_cursor_open(f, 1, 0, 0, &c, &eb), LH_E_INVALID);
    T_EQ_INT(lh_pq_cursor_open(f, 0, 99, 0, &c, &eb), LH_E_INVALID);
    int id = lh_schema_find(lh_pq_schema(f), "id"); /* int32 */
    T_EQ_INT(lh_pq_cursor_open(f, 0, id, 0, &c, &eb), LH_OK);
    lh_vec_t *wrong = lh_vec_create(T_STR, 0);
    T_EQ_INT(lh_pq_cursor_read(c, 4, wrong, &eb), LH_E_INVALID);
    lh_vec_t *ok = lh_vec_create(lh_pq_schema(f)->fields[id].type, 0);
    T_EQ_INT(lh_pq_cursor_read(c, 4, ok, &eb), LH_OK); /* INVALID does not fail the cursor */
    T_EQ_INT(ok->count, 4);
    T_EQ_INT(lh_pq_cursor_rows_left(c), 4);
    lh_pq_cursor_close(c);
    lh_vec_destroy(wrong);
    lh_vec_destroy(ok);
    lh_pq_close(f);
}

/* A chunk whose page header is damaged fails with LH_E_CORRUPT, then LH_E_STATE. */
static void test_corrupt_page_fails_cursor(void)
{
    FILE *fp = fopen(pq_path("data/alltypes_plain.parquet"), "rb");
    T_CHECK(fp != NULL);
    if (fp == NULL)
        return;
    static uint8_t bytes[1 << 16];
    size_t n = fread(bytes, 1, sizeof bytes, fp);
    fclose(fp);
    lh_byte_source_t src;
    lh_bytes_source_from_memory(bytes, n, &src);
    lh_errbuf eb = {0};
    lh_pq_file_t *f;
    T_EQ_INT(lh_pq_open(&src, &f, &eb), LH_OK);
    lh_pq_cursor_t *c;
    T_EQ_INT(lh_pq_cursor_open(f, 0, 0, 0, &c, &eb), LH_OK);
    memset(bytes + 4, 0xff, 16); /* the first page header of the first column */
    lh_vec_t *v = lh_vec_create(lh_pq_schema(f)->fields[0].type, 0);
    T_EQ_INT(lh_pq_cursor_read(c, 2, v, &eb), LH_E_CORRUPT);
    T_EQ_INT(lh_pq_cursor_read(c, 2, v, &eb), LH_E_STATE);
    T_EQ_INT(lh_pq_cursor_skip(c, 2, &eb), LH_E_STATE);
    lh_pq_cursor_close(c);
    lh_vec_destroy(v);
    lh_pq_close(f);
}

static void test_writer_refuses_non_flat(void)
{
    lh_schema_t *s = lh_schema_create(1);
    lh_schema_set(s, 0, "v", T_LONG, false);
    lh_byte_buf_t buf = {0};
    lh_pq_writer_t *w;
    lh_errbuf eb = {0};
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    T_EQ_INT(lh_pq_writer_create(s, &o, lh_bytes_sink_to_memory(&buf), &w, &eb), LH_OK);
    lh_batch_t *b = lh_batch_create(s, 0);
    lh_value_t x = {.type = T_LONG, .v.i64 = 5};
    T_EQ_INT(lh_vec_set_constant(b->cols[0], &x, 10), LH_OK);
    b->row_count = 10;
    T_EQ_INT(lh_pq_writer_write_batch(w, b, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "flatten") != NULL);
    T_EQ_INT(lh_vec_flatten(b->cols[0]), LH_OK); /* flattened, it writes */
    T_EQ_INT(lh_pq_writer_write_batch(w, b, &eb), LH_OK);
    T_EQ_INT(lh_pq_writer_finish(w, NULL, &eb), LH_OK);
    lh_pq_writer_destroy(w);
    lh_batch_destroy(b);
    lh_schema_destroy(s);
    free(buf.bytes);
}

int main(void)
{
    T_RUN(test_corpus_matches_whole_reader);
    T_RUN(test_skip_passes_whole_pages);
    T_RUN(test_memory_stays_at_a_page);
    T_RUN(test_dictionary_output);
    T_RUN(test_dictionary_fallback_mid_chunk);
    T_RUN(test_reopen_across_row_groups);
    T_RUN(test_bad_arguments);
    T_RUN(test_corrupt_page_fails_cursor);
    T_RUN(test_writer_refuses_non_flat);
    return T_DONE();
}
