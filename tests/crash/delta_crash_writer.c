/*
 * delta_crash_writer.c - the C half of tests/api/delta_crash.test.mjs (crash safety of
 * Delta commits under kill -9).
 *
 *   delta_crash_writer write DIR START [BATCH_ROWS] [MAX_COMMITS]
 *       Append batches of sequential ids START, START+1, ... (column id long, column
 *       payload string) with lh_delta_append, one commit per batch, creating the table on
 *       first use. After each commit prints "<version> <last id>\n" and flushes, so every
 *       line it printed is a commit that happened.
 *
 *   delta_crash_writer check DIR
 *       Verify the table as a reader would after a crash and print one JSON line:
 *       {"version":V,"files":F,"rows":N,"ranges":[[first,last],...]} where ranges are the
 *       ids present, sorted and merged. Exits 1 with a message on stderr when: the latest
 *       snapshot cannot be built; a commit file does not parse completely (every line a
 *       JSON action, commitInfo present, newline-terminated); a referenced data file is
 *       missing or unreadable; an id occurs twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/delta/ops.h"

typedef struct gen {
    int64_t next_id;
    int rows;
    bool done;
    lh_batch_t *b;
} gen_t;

static lh_err gen_next(void *ctx, const lh_batch_t **out, lh_errbuf *eb)
{
    gen_t *g = ctx;
    *out = NULL;
    if (g->done)
        return LH_OK;
    lh_batch_reset(g->b);
    for (int i = 0; i < g->rows; i++) {
        char payload[48];
        int n = snprintf(payload, sizeof payload, "row-%lld", (long long)(g->next_id + i));
        LH_FAIL_IF(lh_vec_append_i64(g->b->cols[0], g->next_id + i) != LH_OK ||
                       lh_vec_append_str(g->b->cols[1], payload, (size_t)n) != LH_OK,
                   LH_E_NOMEM, eb, "out of memory");
    }
    g->b->row_count = (size_t)g->rows;
    g->done = true;
    *out = g->b;
    return LH_OK;
}

static int fail(const char *what, const lh_errbuf *eb)
{
    fprintf(stderr, "delta_crash_writer: %s: %s\n", what, eb ? eb->msg : "");
    return 1;
}

static int run_write(lh_delta_table_t *t, int64_t start, int rows, int64_t max_commits)
{
    lh_schema_t *schema = lh_schema_create(2);
    lh_schema_set(schema, 0, "id", (lh_type_t){.id = LH_TYPE_LONG}, false);
    lh_schema_set(schema, 1, "payload", (lh_type_t){.id = LH_TYPE_STRING}, true);
    gen_t g = {.next_id = start, .rows = rows, .b = lh_batch_create(schema, (size_t)rows)};
    int rc = 0;
    for (int64_t i = 0; max_commits <= 0 || i < max_commits; i++) {
        lh_errbuf eb;
        lh_errbuf_clear(&eb);
        lh_delta_op_result_t res;
        g.done = false;
        if (lh_delta_append(t, schema, gen_next, &g, NULL, &res, &eb) != LH_OK) {
            rc = fail("append", &eb);
            break;
        }
        g.next_id += rows;
        printf("%lld %lld\n", (long long)res.version, (long long)(g.next_id - 1));
        fflush(stdout);
    }
    lh_batch_destroy(g.b);
    lh_schema_destroy(schema);
    return rc;
}

/* ---- check ------------------------------------------------------------------------------- */

/* Every commit file parses completely and carries commitInfo. */
static int check_log(lh_delta_table_t *t, int64_t latest)
{
    lh_objstore_t *os = lh_delta_table_store(t);
    for (int64_t v = 0; v <= latest; v++) {
        char key[64];
        snprintf(key, sizeof key, "_delta_log/%020lld.json", (long long)v);
        uint8_t *bytes;
        size_t len;
        lh_errbuf eb;
        lh_errbuf_clear(&eb);
        lh_err e = lh_objstore_get(os, key, &bytes, &len, &eb);
        if (e == LH_E_NOT_FOUND)
            continue; /* cleaned up below a checkpoint: the snapshot check covers it */
        if (e != LH_OK)
            return fail(key, &eb);
        lh_delta_actions_t a = {0};
        e = len > 0 && bytes[len - 1] == '\n'
                ? lh_delta_actions_parse((const char *)bytes, len, v, &a, &eb)
                : lh_err_set(&eb, LH_E_CORRUPT, __FILE__, __LINE__, "not newline-terminated");
        bool has_info = false;
        for (size_t i = 0; i < a.count; i++)
            has_info |= a.items[i].kind == LH_DELTA_COMMIT_INFO;
        lh_delta_actions_free(&a);
        free(bytes);
        if (e != LH_OK)
            return fail(key, &eb);
        if (!has_info)
            return fail(key, NULL);
    }
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int read_ids(lh_delta_table_t *t, lh_delta_snapshot_t *s, int64_t **ids, size_t *n)
{
    size_t cap = 1024;
    *ids = malloc(cap * sizeof **ids);
    *n = 0;
    const char *cols[] = {"id"};
    for (size_t i = 0; i < lh_delta_snapshot_file_count(s); i++) {
        const lh_delta_add_t *f = lh_delta_snapshot_file(s, i);
        lh_errbuf eb;
        lh_errbuf_clear(&eb);
        lh_delta_reader_t *r;
        lh_obj_info_t info;
        char *key = lh_delta_table_key(t, f->path);
        lh_err e = lh_objstore_stat(lh_delta_table_store(t), key, &info, &eb);
        free(key);
        if (e != LH_OK)
            return fail(f->path, &eb);
        if (lh_delta_reader_open(t, s, f, cols, 1, &r, &eb) != LH_OK)
            return fail(f->path, &eb);
        const lh_batch_t *b;
        while ((e = lh_delta_reader_next(r, &b, &eb)) == LH_OK && b != NULL) {
            for (size_t k = 0; k < b->row_count; k++) {
                if (*n == cap)
                    *ids = realloc(*ids, (cap *= 2) * sizeof **ids);
                (*ids)[(*n)++] =
                    lh_vec_get_i64(b->cols[0], b->cols[0]->sel ? b->cols[0]->sel[k] : k);
            }
        }
        lh_delta_reader_close(r);
        if (e != LH_OK)
            return fail(f->path, &eb);
    }
    return 0;
}

static int run_check(lh_delta_table_t *t)
{
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    lh_delta_snapshot_t *s;
    if (lh_delta_snapshot_latest(t, &s, &eb) != LH_OK)
        return fail("snapshot", &eb);
    int64_t version = lh_delta_snapshot_version(s);
    int64_t *ids = NULL;
    size_t n = 0;
    int rc = check_log(t, version);
    if (rc == 0)
        rc = read_ids(t, s, &ids, &n);
    if (rc == 0) {
        qsort(ids, n, sizeof *ids, cmp_i64);
        printf("{\"version\":%lld,\"files\":%zu,\"rows\":%zu,\"ranges\":[", (long long)version,
               lh_delta_snapshot_file_count(s), n);
        for (size_t i = 0; i < n; i++) {
            if (i > 0 && ids[i] == ids[i - 1]) {
                fprintf(stderr, "delta_crash_writer: id %lld occurs twice\n", (long long)ids[i]);
                rc = 1;
                break;
            }
            size_t j = i;
            while (j + 1 < n && ids[j + 1] == ids[j] + 1)
                j++;
            printf("%s[%lld,%lld]", i ? "," : "", (long long)ids[i], (long long)ids[j]);
            i = j;
        }
        printf("]}\n");
    }
    free(ids);
    lh_delta_snapshot_release(s);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "write") != 0 && strcmp(argv[1], "check") != 0) ||
        (strcmp(argv[1], "write") == 0 && argc < 4)) {
        fprintf(stderr, "usage: delta_crash_writer write DIR START [BATCH_ROWS] [MAX_COMMITS]\n"
                        "       delta_crash_writer check DIR\n");
        return 2;
    }
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    lh_objstore_t *os;
    lh_delta_table_t *t;
    if (lh_objstore_local_create(argv[2], &os, &eb) != LH_OK ||
        lh_delta_table_open(os, "", &t, &eb) != LH_OK)
        return fail("open", &eb);
    int rc = strcmp(argv[1], "check") == 0
                 ? run_check(t)
                 : run_write(t, atoll(argv[3]), argc > 4 ? atoi(argv[4]) : 100,
                             argc > 5 ? atoll(argv[5]) : 0);
    lh_delta_table_close(t);
    lh_objstore_destroy(os);
    return rc;
}
