/*
 * test_roundtrip.c - write a partitioned table over 25 commits (appends and removes, so
 * checkpoints appear at 10 and 20), then read it back at every version against a model,
 * and check every log action's required fields with an independent JSON walk.
 */
#include "tbuild.h"

#define VERSIONS  25
#define MAX_FILES 256

typedef struct model {
    int file_count;
    char *files[MAX_FILES];
    int64_t rows[MAX_FILES];
} model_t;

static model_t models[VERSIONS];

static void model_from_snapshot(scratch_t *sc, lh_delta_snapshot_t *s, model_t *m)
{
    m->file_count = 0;
    for (size_t i = 0; i < lh_delta_snapshot_file_count(s) && i < MAX_FILES; i++) {
        const lh_delta_add_t *f = lh_delta_snapshot_file(s, i);
        m->files[m->file_count] = strdup(f->path);
        m->rows[m->file_count++] = count_rows(sc->t, s, f);
    }
}

/* Version v: odd = append 12 rows over 3 days; even = remove the oldest file + append. */
static void do_commit(scratch_t *sc, int v)
{
    lh_errbuf eb;
    lh_delta_snapshot_t *s;
    T_EQ_INT(lh_delta_snapshot_latest(sc->t, &s, &eb), LH_OK);
    lh_delta_txn_t *x;
    T_EQ_INT(lh_delta_txn_begin(sc->t, s, &x, &eb), LH_OK);
    if (v % 2 == 0 && lh_delta_snapshot_file_count(s) > 0) {
        T_EQ_INT(lh_delta_txn_remove_live(x, lh_delta_snapshot_file(s, 0), true, &eb), LH_OK);
        lh_delta_txn_read_file(x, lh_delta_snapshot_file(s, 0)->path, &eb);
        lh_delta_txn_set_operation(x, "DELETE", "{\"predicate\":\"[]\"}", &eb);
    }
    lh_schema_t *schema = test_schema();
    lh_batch_t *b = test_batch(schema, (int64_t)v * 100, 12, 3, 1);
    stream_t st = {&b, 1, 0};
    T_EQ_INT(lh_delta_write_files(x, schema, stream_next, &st, NULL, &eb), LH_OK);
    int64_t got = -1;
    T_EQ_INT(lh_delta_txn_commit(x, &got, &eb), LH_OK);
    T_EQ_INT(got, v);
    lh_delta_txn_destroy(x);
    lh_batch_destroy(b);
    lh_schema_destroy(schema);
    lh_delta_snapshot_release(s);
    T_EQ_INT(lh_delta_snapshot_latest(sc->t, &s, &eb), LH_OK);
    T_EQ_INT(lh_delta_snapshot_version(s), v);
    model_from_snapshot(sc, s, &models[v]);
    lh_delta_snapshot_release(s);
}

static bool has_keys(json_t *o, const char *const *keys)
{
    for (; *keys; keys++)
        if (json_object_get(o, *keys) == NULL) {
            fprintf(stderr, "  missing '%s'\n", *keys);
            return false;
        }
    return true;
}

/* Independent check of the written NDJSON (not through our parser). */
static void check_log_file(scratch_t *sc, int v)
{
    static const char *const add_keys[] = {
        "path", "partitionValues", "size", "modificationTime", "dataChange", "stats", NULL};
    static const char *const rm_keys[] = {
        "path", "dataChange", "deletionTimestamp", "extendedFileMetadata", "partitionValues",
        "size", NULL};
    static const char *const md_keys[] = {
        "id", "format", "schemaString", "partitionColumns", "configuration", "createdTime", NULL};
    static const char *const ci_keys[] = {"timestamp", "operation", "operationParameters",
                                          "isBlindAppend", NULL};
    char key[64];
    snprintf(key, sizeof key, "_delta_log/%020d.json", v);
    uint8_t *buf;
    size_t len;
    T_EQ_INT(lh_objstore_get(sc->os, key, &buf, &len, NULL), LH_OK);
    int adds = 0;
    for (char *line = strtok((char *)buf, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *j = json_loads(line, 0, NULL);
        T_CHECK(json_is_object(j) && json_object_size(j) == 1);
        json_t *a;
        if ((a = json_object_get(j, "add"))) {
            adds++;
            T_CHECK(has_keys(a, add_keys));
            T_CHECK(json_is_true(json_object_get(a, "dataChange")));
            T_CHECK(json_integer_value(json_object_get(a, "size")) > 0);
        } else if ((a = json_object_get(j, "remove"))) {
            T_CHECK(has_keys(a, rm_keys));
        } else if ((a = json_object_get(j, "metaData"))) {
            T_CHECK(has_keys(a, md_keys));
            T_EQ_STR(json_string_value(json_object_get(json_object_get(a, "format"), "provider")),
                     "parquet");
        } else if ((a = json_object_get(j, "protocol"))) {
            T_EQ_INT(json_integer_value(json_object_get(a, "minReaderVersion")), 1);
            T_EQ_INT(json_integer_value(json_object_get(a, "minWriterVersion")), 2);
        } else if ((a = json_object_get(j, "commitInfo"))) {
            T_CHECK(has_keys(a, ci_keys));
        } else {
            T_CHECK(0);
        }
        json_decref(j);
    }
    T_CHECK(v == 0 || adds >= 3); /* 3 days (+ null day) */
    free(buf);
    lh_delta_actions_t acts; /* and our own reader accepts it */
    T_EQ_INT(lh_delta_read_commit(sc->t, v, &acts, NULL), LH_OK);
    lh_delta_actions_free(&acts);
}

static void check_version(scratch_t *sc, int v)
{
    lh_errbuf eb;
    lh_delta_snapshot_t *s;
    T_EQ_INT(lh_delta_snapshot_at_version(sc->t, v, &s, &eb), LH_OK);
    if (s == NULL)
        return;
    const model_t *m = &models[v];
    T_EQ_INT(lh_delta_snapshot_file_count(s), m->file_count);
    for (int i = 0; i < m->file_count && i < (int)lh_delta_snapshot_file_count(s); i++) {
        const lh_delta_add_t *f = lh_delta_snapshot_file(s, i);
        T_EQ_STR(f->path, m->files[i]);
        T_EQ_INT(count_rows(sc->t, s, f), m->rows[i]);
    }
    lh_delta_snapshot_release(s);
}

/* Partition values come back in the day column; the null day sits in the default dir. */
static void check_partitions(scratch_t *sc)
{
    lh_errbuf eb;
    lh_delta_snapshot_t *s;
    T_EQ_INT(lh_delta_snapshot_latest(sc->t, &s, &eb), LH_OK);
    int null_dirs = 0;
    for (size_t i = 0; i < lh_delta_snapshot_file_count(s); i++) {
        const lh_delta_add_t *f = lh_delta_snapshot_file(s, i);
        const char *day = lh_delta_map_get(&f->partition_values, "day", NULL);
        if (day == NULL) {
            null_dirs++;
            T_CHECK(strncmp(f->path, "day=__HIVE_DEFAULT_PARTITION__/", 31) == 0);
            continue;
        }
        char want[64];
        snprintf(want, sizeof want, "day=%s/", day);
        T_CHECK(strncmp(f->path, want, strlen(want)) == 0);
        const char *cols[] = {"day", "id"};
        lh_delta_reader_t *r;
        T_EQ_INT(lh_delta_reader_open(sc->t, s, f, cols, 2, &r, &eb), LH_OK);
        const lh_batch_t *b;
        T_EQ_INT(lh_delta_reader_next(r, &b, &eb), LH_OK);
        int32_t days;
        T_CHECK(b && sscanf(day, "2022-%*d-%*d") == 0);
        days = (int32_t)lh_vec_get_i64(b->cols[0], 0);
        T_CHECK(days >= 19000 && days < 19003);
        T_EQ_INT((lh_vec_get_i64(b->cols[1], 0) % 3), days - 19000);
        lh_delta_reader_close(r);
    }
    T_CHECK(null_dirs > 0);
    lh_delta_snapshot_release(s);
}

/* Stats of one file: numRecords, id min/max, timestamps as ISO ms Z, no partition col. */
static void check_stats(scratch_t *sc)
{
    lh_errbuf eb;
    lh_delta_snapshot_t *s;
    T_EQ_INT(lh_delta_snapshot_at_version(sc->t, 1, &s, &eb), LH_OK);
    const lh_delta_add_t *f = NULL;
    for (size_t i = 0; i < lh_delta_snapshot_file_count(s); i++)
        if (strncmp(lh_delta_snapshot_file(s, i)->path, "day=2022-01-08/", 15) == 0)
            f = lh_delta_snapshot_file(s, i); /* 19000 = 2022-01-08: ids 102, 105, 108, 111 */
    T_CHECK(f != NULL && f->stats != NULL);
    if (f && f->stats) {
        json_t *st = json_loads(f->stats, 0, NULL);
        json_t *mn = json_object_get(st, "minValues"), *mx = json_object_get(st, "maxValues");
        T_EQ_INT(json_integer_value(json_object_get(st, "numRecords")), 3);
        T_EQ_INT(json_integer_value(json_object_get(mn, "id")), 102);
        T_EQ_INT(json_integer_value(json_object_get(mx, "id")), 111);
        T_EQ_STR(json_string_value(json_object_get(mn, "ts")), "1970-01-01T00:01:42.123Z");
        T_EQ_STR(json_string_value(json_object_get(mn, "name")), "name-102");
        T_CHECK(json_object_get(mn, "day") == NULL);
        T_EQ_INT(json_integer_value(json_object_get(json_object_get(st, "nullCount"), "name")), 0);
        json_decref(st);
    }
    /* data skipping: id = 111 only in that file among version 1's files */
    lh_value_t v = {.type = {LH_TYPE_LONG, 0, 0}, .v.i64 = 111};
    lh_delta_pred_t p = {"id", LH_PQ_EQ, 1, &v};
    const lh_delta_add_t **files;
    size_t n;
    T_EQ_INT(lh_delta_scan_files(s, &p, 1, &files, &n, &eb), LH_OK);
    T_EQ_INT(n, 1);
    free(files);
    lh_delta_snapshot_release(s);
}

static void check_checkpoints(scratch_t *sc)
{
    lh_obj_info_t st;
    T_EQ_INT(
        lh_objstore_stat(sc->os, "_delta_log/00000000000000000010.checkpoint.parquet", &st, NULL),
        LH_OK);
    T_EQ_INT(
        lh_objstore_stat(sc->os, "_delta_log/00000000000000000020.checkpoint.parquet", &st, NULL),
        LH_OK);
    uint8_t *buf;
    size_t len;
    T_EQ_INT(lh_objstore_get(sc->os, "_delta_log/_last_checkpoint", &buf, &len, NULL), LH_OK);
    json_t *j = json_loadb((char *)buf, len, 0, NULL);
    T_EQ_INT(json_integer_value(json_object_get(j, "version")), 20);
    T_EQ_INT(json_integer_value(json_object_get(j, "numOfAddFiles")), models[20].file_count);
    json_decref(j);
    free(buf);
    /* Our checkpoint alone must rebuild the state: drop commits 0..20 and replay. */
    char key[64];
    for (int v = 0; v <= 20; v++) {
        snprintf(key, sizeof key, "_delta_log/%020d.json", v);
        T_EQ_INT(lh_objstore_delete(sc->os, key, NULL), LH_OK);
    }
    check_version(sc, 20);
    check_version(sc, 24);
    lh_delta_snapshot_t *s;
    lh_errbuf eb;
    T_EQ_INT(lh_delta_snapshot_at_version(sc->t, 19, &s, &eb), LH_E_NOT_FOUND);
    T_EQ_INT(lh_delta_snapshot_latest(sc->t, &s, &eb), LH_OK);
    if (s) {
        const lh_delta_metadata_t *md = lh_delta_snapshot_metadata(s);
        T_EQ_INT(md->partition_column_count, 1);
        T_EQ_STR(md->partition_columns[0], "day");
        T_EQ_INT(md->schema->field_count, 5);
        T_CHECK(!md->schema->fields[0].nullable);
        T_CHECK(lh_delta_snapshot_tombstone_count(s) > 0);
        for (size_t i = 0; i < lh_delta_snapshot_file_count(s); i++)
            T_CHECK(lh_delta_snapshot_file(s, i)->stats != NULL);
        lh_delta_snapshot_release(s);
    }
}

static void test_roundtrip(void)
{
    scratch_t sc;
    lh_errbuf eb;
    scratch_open(&sc, "");
    lh_schema_t *schema = test_schema();
    const char *parts[] = {"day"};
    T_EQ_INT(create_table(sc.t, schema, parts, 1, &eb), LH_OK);
    lh_schema_destroy(schema);
    models[0].file_count = 0;
    for (int v = 1; v < VERSIONS; v++)
        do_commit(&sc, v);
    for (int v = 0; v < VERSIONS; v++) {
        check_version(&sc, v);
        check_log_file(&sc, v);
    }
    check_partitions(&sc);
    check_stats(&sc);
    lh_delta_history_entry_t *h;
    size_t n;
    T_EQ_INT(lh_delta_history(sc.t, 5, &h, &n, &eb), LH_OK);
    T_EQ_INT(n, 5);
    if (n == 5) {
        T_EQ_INT(h[0].version, 24);
        T_EQ_STR(h[0].info.operation, "DELETE");
        T_EQ_STR(h[1].info.operation, "WRITE");
        T_CHECK(h[1].info.is_blind_append);
        T_CHECK(!h[0].info.is_blind_append);
        T_CHECK(h[0].timestamp_ms > h[1].timestamp_ms);
    }
    lh_delta_history_free(h, n);
    check_checkpoints(&sc);
    for (int v = 0; v < VERSIONS; v++)
        for (int i = 0; i < models[v].file_count; i++)
            free(models[v].files[i]);
    scratch_close(&sc);
}

int main(void)
{
    T_RUN(test_roundtrip);
    return T_DONE();
}
