/*
 * parquet_bench.c - the C half of tests/bench/parquet_bench.mjs (a benchmark, not a test:
 * it prints numbers and asserts nothing).
 *
 *   parquet_bench write <file> [rows]     generate the events table (default 10M rows) in
 *                                          memory, then time writing it as ZSTD Parquet
 *   parquet_bench scan <file> <threads>   read every column of every row group with our
 *                                          reader, row groups spread over threads
 *   parquet_bench cursor <file> <threads> [dict]
 *                                          the same scan through per-column cursors, all
 *                                          columns of a row group in lock-step batches of
 *                                          2048 rows (an engine's scan); "dict" asks for
 *                                          dictionary-kind vectors
 *
 * Each mode prints one JSON line. write honours LH_PQ_ZSTD_LEVEL, LH_PQ_PAGE_BYTES and
 * LH_PQ_ROW_GROUP_ROWS (rows per row group; one row group of 10M rows shows what the
 * cursor saves over whole-chunk reads). The events table is deterministic:
 *   user_id BIGINT          (i * 2654435761) % 1000003
 *   session_id STRING       "sess-" + upper hex of ((i / 8) * 2654435761) % 4294967291
 *   event_type STRING       view / click / add_to_cart / purchase (6:2:1:1)
 *   event_timestamp TIMESTAMP  1700000000000000 + i * 1000 + (i * 37) % 1000 (increasing)
 *   revenue DOUBLE          null unless (i * 31) % 10 < 3, else ((i * 48271) % 100000) / 100
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "storage/parquet/parquet.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Peak RSS of this process. getrusage's ru_maxrss survives execve on Linux, so when a big
 * parent (node with DuckDB) spawns us it reports the parent's peak; /proc's VmHWM belongs
 * to our own address space. getrusage is the fallback elsewhere. */
static double peak_rss_mb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    if (f != NULL)
        fclose(f);
    if (kb < 0) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        kb = ru.ru_maxrss;
    }
    return (double)kb / 1024.0;
}

static const char *const event_types[] = {"view", "click", "add_to_cart", "purchase"};

static lh_schema_t *events_schema(void)
{
    lh_schema_t *s = lh_schema_create(5);
    lh_schema_set(s, 0, "user_id", (lh_type_t){LH_TYPE_LONG, 0, 0}, true);
    lh_schema_set(s, 1, "session_id", (lh_type_t){LH_TYPE_STRING, 0, 0}, true);
    lh_schema_set(s, 2, "event_type", (lh_type_t){LH_TYPE_STRING, 0, 0}, true);
    lh_schema_set(s, 3, "event_timestamp", (lh_type_t){LH_TYPE_TIMESTAMP, 0, 0}, true);
    lh_schema_set(s, 4, "revenue", (lh_type_t){LH_TYPE_DOUBLE, 0, 0}, true);
    return s;
}

static lh_err gen_batch(lh_batch_t *b, int64_t first, size_t n)
{
    char buf[32];
    for (size_t k = 0; k < n; k++) {
        int64_t i = first + (int64_t)k;
        LH_TRY(lh_vec_append_i64(b->cols[0], (i * 2654435761LL) % 1000003));
        int len = snprintf(buf, sizeof buf, "sess-%" PRIX64,
                           (uint64_t)(((i / 8) * 2654435761LL) % 4294967291LL));
        LH_TRY(lh_vec_append_str(b->cols[1], buf, (size_t)len));
        int64_t h = (i * 7919 + i / 3) % 10;
        const char *et = event_types[h < 6 ? 0 : h < 8 ? 1 : h < 9 ? 2 : 3];
        LH_TRY(lh_vec_append_str(b->cols[2], et, strlen(et)));
        LH_TRY(lh_vec_append_i64(b->cols[3], 1700000000000000LL + i * 1000 + (i * 37) % 1000));
        if ((i * 31) % 10 < 3)
            LH_TRY(lh_vec_append_f64(b->cols[4], (double)((i * 48271) % 100000) / 100.0));
        else
            LH_TRY(lh_vec_append_null(b->cols[4]));
    }
    b->row_count = n;
    return LH_OK;
}

static lh_err file_write(void *ctx, const void *buf, size_t len, lh_errbuf *eb)
{
    LH_FAIL_IF(fwrite(buf, 1, len, ctx) != len, LH_E_IO, eb, "write failed");
    return LH_OK;
}

static int do_write(const char *path, int64_t rows)
{
    lh_schema_t *s = events_schema();
    size_t nb = (size_t)((rows + LH_BATCH_ROWS - 1) / LH_BATCH_ROWS);
    lh_batch_t **batches = calloc(nb, sizeof *batches);
    double t0 = now_s();
    for (size_t k = 0; k < nb; k++) {
        int64_t first = (int64_t)k * LH_BATCH_ROWS;
        size_t n = (size_t)(rows - first < LH_BATCH_ROWS ? rows - first : LH_BATCH_ROWS);
        batches[k] = lh_batch_create(s, n);
        if (batches[k] == NULL || gen_batch(batches[k], first, n) != LH_OK) {
            fprintf(stderr, "generation failed\n");
            return 1;
        }
    }
    double gen_s = now_s() - t0;
    lh_errbuf eb = {0};
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    if (getenv("LH_PQ_ZSTD_LEVEL"))
        o.zstd_level = atoi(getenv("LH_PQ_ZSTD_LEVEL"));
    if (getenv("LH_PQ_PAGE_BYTES"))
        o.page_bytes = (uint64_t)atoll(getenv("LH_PQ_PAGE_BYTES"));
    if (getenv("LH_PQ_ROW_GROUP_ROWS")) { /* e.g. one row group for a cursor's memory */
        o.row_group_rows = (uint64_t)atoll(getenv("LH_PQ_ROW_GROUP_ROWS"));
        o.row_group_bytes = UINT64_MAX;
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return 1;
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    lh_pq_writer_t *w = NULL;
    lh_pq_file_summary_t sum = {0};
    t0 = now_s();
    lh_err e = lh_pq_writer_create(s, &o, (lh_byte_sink_t){f, file_write}, &w, &eb);
    for (size_t k = 0; e == LH_OK && k < nb; k++)
        e = lh_pq_writer_write_batch(w, batches[k], &eb);
    if (e == LH_OK)
        e = lh_pq_writer_finish(w, &sum, &eb);
    if (fflush(f) != 0 && e == LH_OK)
        e = LH_E_IO;
    double write_s = now_s() - t0;
    fclose(f);
    if (e != LH_OK) {
        fprintf(stderr, "write failed: %s\n", eb.msg);
        return 1;
    }
    printf("{\"rows\":%" PRId64 ",\"gen_s\":%.3f,\"write_s\":%.3f,\"file_bytes\":%" PRIu64 "}\n",
           sum.num_rows, gen_s, write_s, sum.file_bytes);
    lh_pq_writer_destroy(w);
    for (size_t k = 0; k < nb; k++)
        lh_batch_destroy(batches[k]);
    free(batches);
    lh_schema_destroy(s);
    return 0;
}

typedef struct scan_job {
    lh_pq_file_t *f;
    int tid, threads;
    bool cursor;
    unsigned cursor_flags;
    int64_t rows;
    uint64_t checksum;
    lh_err err;
    lh_errbuf eb;
} scan_job_t;

/* Touch every value so nothing stays lazily decoded: sum of integers and string lengths. */
static uint64_t checksum_vec(const lh_vec_t *v)
{
    uint64_t sum = 0;
    bool flat = v->kind == LH_VEC_FLAT;
    for (size_t i = 0; i < v->count; i++) {
        if (!lh_vec_is_valid(v, i))
            continue;
        if (v->type.id == LH_TYPE_STRING || v->type.id == LH_TYPE_BINARY)
            sum += flat ? ((const lh_sv_t *)v->data)[i].len : lh_vec_get_str(v, i).len;
        else if (v->type.id == LH_TYPE_DOUBLE || v->type.id == LH_TYPE_FLOAT)
            sum += (uint64_t)lh_vec_get_f64(v, i);
        else
            sum += (uint64_t)lh_vec_get_i64(v, i);
    }
    return sum;
}

/* One row group through cursors (reopened from the last row group, buffers kept): every
 * column advanced one batch at a time. */
static lh_err cursor_row_group(scan_job_t *j, int rg, lh_vec_t **cols, lh_pq_cursor_t **cur)
{
    int n = lh_pq_schema(j->f)->field_count;
    lh_err e = LH_OK;
    for (int c = 0; e == LH_OK && c < n; c++)
        e = cur[c] ? lh_pq_cursor_reopen(cur[c], rg, &j->eb)
                   : lh_pq_cursor_open(j->f, rg, c, j->cursor_flags, &cur[c], &j->eb);
    while (e == LH_OK && lh_pq_cursor_rows_left(cur[0]) > 0) {
        for (int c = 0; e == LH_OK && c < n; c++) {
            e = lh_pq_cursor_read(cur[c], LH_BATCH_ROWS, cols[c], &j->eb);
            j->checksum += checksum_vec(cols[c]);
        }
    }
    return e;
}

static void *cursor_thread(void *arg)
{
    scan_job_t *j = arg;
    const lh_schema_t *s = lh_pq_schema(j->f);
    lh_vec_t **cols = calloc((size_t)s->field_count, sizeof *cols);
    lh_pq_cursor_t **cur = calloc((size_t)s->field_count, sizeof *cur);
    for (int c = 0; c < s->field_count; c++)
        cols[c] = lh_vec_create(s->fields[c].type, LH_BATCH_ROWS);
    for (int rg = j->tid; j->err == LH_OK && rg < lh_pq_row_group_count(j->f); rg += j->threads) {
        j->err = cursor_row_group(j, rg, cols, cur);
        j->rows += lh_pq_row_group_num_rows(j->f, rg);
    }
    for (int c = 0; c < s->field_count; c++) {
        lh_vec_destroy(cols[c]);
        lh_pq_cursor_close(cur[c]);
    }
    free(cols);
    free(cur);
    return NULL;
}

static void *scan_thread(void *arg)
{
    scan_job_t *j = arg;
    if (j->cursor)
        return cursor_thread(arg);
    const lh_schema_t *s = lh_pq_schema(j->f);
    lh_vec_t **cols = calloc((size_t)s->field_count, sizeof *cols);
    for (int c = 0; c < s->field_count; c++)
        cols[c] = lh_vec_create(s->fields[c].type, 1024);
    for (int rg = j->tid; j->err == LH_OK && rg < lh_pq_row_group_count(j->f); rg += j->threads) {
        for (int c = 0; j->err == LH_OK && c < s->field_count; c++) {
            lh_vec_reset(cols[c]);
            j->err = lh_pq_read_column(j->f, rg, c, cols[c], &j->eb);
            j->checksum += checksum_vec(cols[c]);
        }
        j->rows += lh_pq_row_group_num_rows(j->f, rg);
    }
    for (int c = 0; c < s->field_count; c++)
        lh_vec_destroy(cols[c]);
    free(cols);
    return NULL;
}

static int do_scan(const char *path, int threads, bool cursor, unsigned cursor_flags)
{
    lh_errbuf eb = {0};
    lh_byte_source_t src;
    lh_pq_file_t *f = NULL;
    double t0 = now_s();
    lh_err e = lh_bytes_source_open_file(path, &src, &eb);
    if (e == LH_OK)
        e = lh_pq_open(&src, &f, &eb);
    if (e != LH_OK) {
        fprintf(stderr, "open failed: %s\n", eb.msg);
        return 1;
    }
    scan_job_t jobs[64];
    pthread_t tids[64];
    if (threads < 1 || threads > 64)
        threads = 1;
    for (int t = 0; t < threads; t++) {
        jobs[t] = (scan_job_t){
            .f = f, .tid = t, .threads = threads, .cursor = cursor, .cursor_flags = cursor_flags};
        pthread_create(&tids[t], NULL, scan_thread, &jobs[t]);
    }
    int64_t rows = 0;
    uint64_t checksum = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tids[t], NULL);
        rows += jobs[t].rows;
        checksum += jobs[t].checksum;
        if (jobs[t].err != LH_OK) {
            fprintf(stderr, "scan failed: %s\n", jobs[t].eb.msg);
            e = jobs[t].err;
        }
    }
    double secs = now_s() - t0;
    lh_pq_close(f);
    if (e != LH_OK)
        return 1;
    printf("{\"mode\":\"%s\",\"rows\":%" PRId64
           ",\"threads\":%d,\"scan_s\":%.3f,\"rows_per_s\":%.0f,"
           "\"checksum\":%" PRIu64 ",\"peak_rss_mb\":%.1f}\n",
           !cursor        ? "scan"
           : cursor_flags ? "cursor_dict"
                          : "cursor",
           rows, threads, secs, (double)rows / secs, checksum, peak_rss_mb());
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "write"))
        return do_write(argv[2], argc > 3 ? strtoll(argv[3], NULL, 10) : 10000000);
    if (argc == 4 && !strcmp(argv[1], "scan"))
        return do_scan(argv[2], atoi(argv[3]), false, 0);
    if ((argc == 4 || argc == 5) && !strcmp(argv[1], "cursor"))
        return do_scan(argv[2], atoi(argv[3]), true,
                       argc == 5 && !strcmp(argv[4], "dict") ? LH_PQ_CURSOR_DICT : 0);
    fprintf(stderr, "usage: parquet_bench write <file> [rows] | scan <file> <threads> | "
                    "cursor <file> <threads> [dict]\n");
    return 2;
}
