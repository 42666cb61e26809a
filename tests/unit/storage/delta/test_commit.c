/*
 * test_commit.c - transactions: concurrent blind appends, the conflict matrix (each Delta
 * exception name), idempotent app txns, table creation, schema enforcement / mergeSchema,
 * appendOnly, fault injection over every object-store write of an append, metadata with
 * nested columns, and a data file whose column is nested where the table says primitive.
 */
#include <pthread.h>

#include "common/nested.h"
#include "tbuild.h"

static lh_delta_snapshot_t *latest(scratch_t *sc)
{
    lh_delta_snapshot_t *s = NULL;
    T_EQ_INT(lh_delta_snapshot_latest(sc->t, &s, NULL), LH_OK);
    return s;
}

static lh_delta_txn_t *begin(scratch_t *sc)
{
    lh_delta_snapshot_t *s = latest(sc);
    lh_delta_txn_t *x = NULL;
    T_EQ_INT(lh_delta_txn_begin(sc->t, s, &x, NULL), LH_OK);
    lh_delta_snapshot_release(s);
    return x;
}

/* Stage rows [first, first+n) as new files in x. */
static void stage_rows(lh_delta_txn_t *x, int64_t first, int n)
{
    lh_errbuf eb;
    lh_schema_t *schema = test_schema();
    lh_batch_t *b = test_batch(schema, first, n, 2, 0);
    stream_t st = {&b, 1, 0};
    T_EQ_INT(lh_delta_write_files(x, schema, stream_next, &st, NULL, &eb), LH_OK);
    lh_batch_destroy(b);
    lh_schema_destroy(schema);
}

static void setup(scratch_t *sc)
{
    scratch_open(sc, "tables/t1");
    lh_schema_t *schema = test_schema();
    const char *parts[] = {"day"};
    T_EQ_INT(create_table(sc->t, schema, parts, 1, NULL), LH_OK);
    lh_schema_destroy(schema);
    T_EQ_INT(append_rows(sc->t, 0, 10, 2, NULL, NULL), LH_OK); /* v1: days 19000, 19001 */
}

/* ---- concurrent blind appends ------------------------------------------------------------- */

typedef struct appender {
    scratch_t *sc;
    int id, ok;
} appender_t;

static void *append_thread(void *arg)
{
    appender_t *a = arg;
    for (int i = 0; i < 10; i++) {
        lh_errbuf eb;
        if (append_rows(a->sc->t, 1000 * (a->id + 1) + i * 10, 4, 2, NULL, &eb) == LH_OK)
            a->ok++;
        else
            fprintf(stderr, "  append %d failed: %s\n", a->id, eb.msg);
    }
    return NULL;
}

static void test_concurrent_appends(void)
{
    scratch_t sc;
    setup(&sc);
    appender_t a[2] = {{&sc, 0, 0}, {&sc, 1, 0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, append_thread, &a[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    T_EQ_INT(a[0].ok + a[1].ok, 20);
    lh_delta_snapshot_t *s = latest(&sc);
    T_EQ_INT(lh_delta_snapshot_version(s), 21);
    int64_t rows = 0;
    for (size_t i = 0; i < lh_delta_snapshot_file_count(s); i++)
        rows += count_rows(sc.t, s, lh_delta_snapshot_file(s, i));
    T_EQ_INT(rows, 10 + 20 * 4);
    lh_delta_snapshot_release(s);
    for (int v = 2; v <= 21; v++) { /* each version holds exactly one append */
        lh_delta_actions_t acts;
        T_EQ_INT(lh_delta_read_commit(sc.t, v, &acts, NULL), LH_OK);
        int infos = 0;
        for (size_t i = 0; i < acts.count; i++)
            infos += acts.items[i].kind == LH_DELTA_COMMIT_INFO;
        T_EQ_INT(infos, 1);
        lh_delta_actions_free(&acts);
    }
    scratch_close(&sc);
}

/* ---- the conflict matrix ------------------------------------------------------------------ */

typedef void (*prep_fn)(scratch_t *sc, lh_delta_txn_t *x);

/* Begin `loser`, let `winner` commit, then commit the loser: expect code/name. */
static void race(prep_fn loser, prep_fn winner, lh_err want, const char *want_name)
{
    scratch_t sc;
    setup(&sc);
    lh_delta_txn_t *lx = begin(&sc), *wx = begin(&sc);
    loser(&sc, lx);
    winner(&sc, wx);
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    T_EQ_INT(lh_delta_txn_commit(wx, NULL, &eb), LH_OK);
    lh_errbuf_clear(&eb);
    int64_t v = -1;
    lh_err e = lh_delta_txn_commit(lx, &v, &eb);
    T_EQ_INT(e, want);
    if (want_name) {
        T_EQ_STR(lh_errbuf_code_name(&eb), want_name);
    } else {
        T_EQ_INT(v, 3); /* retried after the winner's v2 */
    }
    lh_delta_txn_destroy(lx);
    lh_delta_txn_destroy(wx);
    scratch_close(&sc);
}

static void blind_append(scratch_t *sc, lh_delta_txn_t *x)
{
    (void)sc;
    stage_rows(x, 500, 4);
}

static void reading_append(scratch_t *sc, lh_delta_txn_t *x)
{
    lh_delta_txn_read_whole_table(x); /* INSERT INTO t SELECT ... FROM t */
    blind_append(sc, x);
}

static void overwrite(scratch_t *sc, lh_delta_txn_t *x)
{
    const lh_delta_snapshot_t *s = lh_delta_txn_snapshot(x);
    lh_delta_txn_read_whole_table(x);
    for (size_t i = 0; i < lh_delta_snapshot_file_count(s); i++)
        T_EQ_INT(lh_delta_txn_remove_live(x, lh_delta_snapshot_file(s, i), true, NULL), LH_OK);
    lh_delta_txn_set_operation(x, "WRITE", "{\"mode\":\"Overwrite\"}", NULL);
    stage_rows(x, 700, 4);
    (void)sc;
}

static void serializable_overwrite(scratch_t *sc, lh_delta_txn_t *x)
{
    overwrite(sc, x);
    lh_delta_txn_set_isolation(x, LH_DELTA_SERIALIZABLE);
}

static void delete_first_blind(scratch_t *sc, lh_delta_txn_t *x)
{
    (void)sc;
    const lh_delta_snapshot_t *s = lh_delta_txn_snapshot(x);
    T_EQ_INT(lh_delta_txn_remove_live(x, lh_delta_snapshot_file(s, 0), true, NULL), LH_OK);
}

static void delete_first_read(scratch_t *sc, lh_delta_txn_t *x)
{
    delete_first_blind(sc, x);
    lh_delta_txn_read_file(x, lh_delta_snapshot_file(lh_delta_txn_snapshot(x), 0)->path, NULL);
}

static void change_metadata(scratch_t *sc, lh_delta_txn_t *x)
{
    (void)sc;
    lh_delta_metadata_t md;
    T_EQ_INT(lh_delta_metadata_copy(lh_delta_txn_metadata(x), &md), LH_OK);
    free(md.description);
    md.description = strdup("changed");
    T_EQ_INT(lh_delta_txn_set_metadata(x, &md, NULL), LH_OK);
    lh_delta_metadata_clear(&md);
}

static void set_protocol(scratch_t *sc, lh_delta_txn_t *x)
{
    (void)sc;
    lh_delta_protocol_t p = {1, 2, -1, NULL, -1, NULL};
    T_EQ_INT(lh_delta_txn_set_protocol(x, &p, NULL), LH_OK);
}

static void app_txn(scratch_t *sc, lh_delta_txn_t *x)
{
    T_EQ_INT(lh_delta_txn_set_app_version(x, "stream-1", 7, NULL), LH_OK);
    blind_append(sc, x);
}

static void read_day0_append(scratch_t *sc, lh_delta_txn_t *x)
{
    lh_value_t d = {.type = {LH_TYPE_DATE, 0, 0}, .v.i64 = 19000};
    lh_delta_pred_t p = {"day", LH_PQ_EQ, 1, &d};
    T_EQ_INT(lh_delta_txn_read_predicate(x, &p, 1, NULL), LH_OK);
    stage_rows(x, 900, 1); /* id 900 -> day 19000 */
    (void)sc;
}

static void reading_append_day1(scratch_t *sc, lh_delta_txn_t *x)
{
    lh_delta_txn_read_file(x, "nothing-relevant", NULL); /* not blind */
    stage_rows(x, 801, 1);                               /* id 801 -> day 19001 */
    (void)sc;
}

static void reading_append_day0(scratch_t *sc, lh_delta_txn_t *x)
{
    lh_delta_txn_read_file(x, "nothing-relevant", NULL);
    stage_rows(x, 800, 1); /* id 800 -> day 19000 */
    (void)sc;
}

static void test_conflicts(void)
{
    /* blind appends never conflict: retried at the next version */
    race(blind_append, blind_append, LH_OK, NULL);
    /* WriteSerializable: an overwrite does not conflict with a blind append ... */
    race(overwrite, blind_append, LH_OK, NULL);
    /* ... but does under Serializable, and with an append that read the table */
    race(serializable_overwrite, blind_append, LH_E_CONFLICT, "ConcurrentAppendException");
    race(overwrite, reading_append, LH_E_CONFLICT, "ConcurrentAppendException");
    /* an append that read the table loses to an overwrite: its new files come first in
     * Spark's check order, so ConcurrentAppend (not ConcurrentDeleteRead) is reported */
    race(reading_append, overwrite, LH_E_CONFLICT, "ConcurrentAppendException");
    race(delete_first_read, delete_first_blind, LH_E_CONFLICT, "ConcurrentDeleteReadException");
    race(delete_first_blind, delete_first_blind, LH_E_CONFLICT, "ConcurrentDeleteDeleteException");
    race(blind_append, change_metadata, LH_E_CONFLICT, "MetadataChangedException");
    race(set_protocol, set_protocol, LH_E_CONFLICT, "ProtocolChangedException");
    race(app_txn, app_txn, LH_E_CONFLICT, "ConcurrentTransactionException");
    /* partition predicates: appends elsewhere are fine, into the read partition not */
    race(read_day0_append, reading_append_day1, LH_OK, NULL);
    race(read_day0_append, reading_append_day0, LH_E_CONFLICT, "ConcurrentAppendException");
}

/* ---- other commit rules ------------------------------------------------------------------- */

static void test_create_twice(void)
{
    scratch_t sc;
    setup(&sc);
    lh_errbuf eb;
    lh_schema_t *schema = test_schema();
    T_EQ_INT(create_table(sc.t, schema, NULL, 0, &eb), LH_E_EXISTS);
    T_EQ_STR(lh_errbuf_code_name(&eb), "DELTA_TABLE_ALREADY_EXISTS");
    lh_delta_metadata_t md;
    const char *bad_part[] = {"nope"};
    T_EQ_INT(lh_delta_metadata_init(&md, schema, bad_part, 1, &eb), LH_E_INVALID);
    lh_schema_destroy(schema);
    lh_delta_txn_t *x;
    T_EQ_INT(lh_delta_txn_begin(sc.t, NULL, &x, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_commit(x, NULL, &eb), LH_E_INVALID); /* no metadata */
    lh_delta_txn_destroy(x);
    scratch_close(&sc);
}

/* A metaData whose schemaString has nested columns parses them (ARRAY here) and keeps them
 * out of the primitive view; the table is readable and writable. One with a
 * variant column can be committed (schema NULL): the txn derives the views from the string;
 * readers see the column named, writes are refused cleanly. */
static void test_create_nested(void)
{
    scratch_t sc;
    scratch_open(&sc, "tables/nested");
    lh_errbuf eb;
    char *none[1] = {NULL};
    lh_delta_metadata_t md = {
        .id = "6d4c2c4e-0000-4000-8000-000000000001",
        .format_provider = "parquet",
        .schema_string = "{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":"
                         "\"long\",\"nullable\":true,\"metadata\":{}},{\"name\":\"l\",\"type\":{"
                         "\"type\":\"array\",\"elementType\":\"long\",\"containsNull\":true},"
                         "\"nullable\":true,\"metadata\":{}}]}",
        .partition_columns = none,
    };
    lh_delta_txn_t *x;
    T_EQ_INT(lh_delta_txn_begin(sc.t, NULL, &x, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_set_metadata(x, &md, &eb), LH_OK);
    const lh_delta_metadata_t *tm = lh_delta_txn_metadata(x);
    T_CHECK(tm->schema != NULL && tm->unreadable_column == NULL);
    T_EQ_INT(tm->schema->field_count, 2);
    T_CHECK(lh_type_equal(tm->schema->fields[1].type, lh_type_array((lh_type_t){LH_TYPE_LONG})));
    T_EQ_INT(tm->primitive_schema->field_count, 1);
    int64_t v = -1;
    T_EQ_INT(lh_delta_txn_commit(x, &v, &eb), LH_OK);
    T_EQ_INT(v, 0);
    lh_delta_txn_destroy(x);
    lh_delta_snapshot_t *s = latest(&sc);
    T_EQ_INT(lh_delta_snapshot_check_readable(s, &eb), LH_OK);
    lh_delta_snapshot_release(s);
    /* writes get past the nested column to schema enforcement (the test rows have more
     * columns than this table) */
    T_EQ_INT(append_rows(sc.t, 0, 4, 1, NULL, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "not in the table schema") != NULL);
    scratch_close(&sc);

    scratch_open(&sc, "tables/variant");
    md.schema_string = "{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":"
                       "\"long\",\"nullable\":true,\"metadata\":{}},{\"name\":\"v\",\"type\":"
                       "\"variant\",\"nullable\":true,\"metadata\":{}}]}";
    T_EQ_INT(lh_delta_txn_begin(sc.t, NULL, &x, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_set_metadata(x, &md, &eb), LH_OK);
    tm = lh_delta_txn_metadata(x);
    T_CHECK(tm->schema == NULL && tm->unreadable_column && strcmp(tm->unreadable_column, "v") == 0);
    T_EQ_INT(tm->primitive_schema->field_count, 1);
    T_EQ_INT(lh_delta_txn_commit(x, &v, &eb), LH_OK);
    lh_delta_txn_destroy(x);
    s = latest(&sc);
    T_CHECK(strstr(lh_delta_snapshot_metadata(s)->schema_string, "\"variant\"") != NULL);
    T_EQ_INT(lh_delta_snapshot_check_readable(s, &eb), LH_E_UNSUPPORTED);
    T_CHECK(strstr(eb.msg, "'v'") != NULL);
    lh_delta_snapshot_release(s);
    T_EQ_INT(append_rows(sc.t, 0, 4, 1, NULL, &eb), LH_E_UNSUPPORTED);
    md.schema_string = "{\"type\":\"struct\"}"; /* unparsable as a table schema */
    T_EQ_INT(lh_delta_txn_begin(sc.t, NULL, &x, &eb), LH_OK);
    T_CHECK(lh_delta_txn_set_metadata(x, &md, &eb) != LH_OK);
    lh_delta_txn_destroy(x);
    scratch_close(&sc);
}

/* A data file holding a column as nested where the table says primitive: reading it is
 * refused naming the column, never a column of nulls. */
static void test_reader_refuses_nested_file_column(void)
{
    scratch_t sc;
    scratch_open(&sc, "tables/mixed");
    lh_errbuf eb;
    lh_schema_t *schema = lh_schema_create(2);
    lh_schema_set(schema, 0, "id", (lh_type_t){LH_TYPE_LONG, 0, 0}, true);
    lh_schema_set(schema, 1, "l", (lh_type_t){LH_TYPE_LONG, 0, 0}, true);
    T_EQ_INT(create_table(sc.t, schema, NULL, 0, &eb), LH_OK);
    lh_schema_destroy(schema);
    /* id: optional long; l: optional group (LIST) { repeated group list { optional long } } */
    lh_pq_node_t el = {.name = "element", .repetition = 1, .type = {LH_TYPE_LONG, 0, 0}};
    lh_pq_node_t list = {.name = "list", .repetition = 2, .child_count = 1, .children = &el};
    lh_pq_node_t cols[2] = {
        {.name = "id", .repetition = 1, .type = {LH_TYPE_LONG, 0, 0}},
        {.name = "l",
         .repetition = 1,
         .child_count = 1,
         .children = &list,
         .annot = LH_PQ_ANNOT_LIST},
    };
    lh_pq_node_t root = {.name = "schema", .child_count = 2, .children = cols};
    int16_t def_id[1] = {1}, def_l[1] = {3}, rep_l[1] = {0};
    lh_pq_leaf_data_t leaves[2] = {
        {.def = def_id, .level_count = 1, .values = lh_vec_create((lh_type_t){LH_TYPE_LONG}, 1)},
        {.def = def_l,
         .rep = rep_l,
         .level_count = 1,
         .values = lh_vec_create((lh_type_t){LH_TYPE_LONG}, 1)},
    };
    lh_vec_append_i64(leaves[0].values, 1);
    lh_vec_append_i64(leaves[1].values, 5);
    lh_obj_writer_t *ow;
    lh_pq_writer_t *w;
    T_EQ_INT(lh_objstore_open_write(sc.os, "tables/mixed/nested.parquet", &ow, &eb), LH_OK);
    T_EQ_INT(lh_pq_writer_create_nested(&root, NULL, lh_obj_writer_sink(ow), &w, &eb), LH_OK);
    T_EQ_INT(lh_pq_writer_write_leaves(w, 1, leaves, 2, &eb), LH_OK);
    lh_pq_file_summary_t sum;
    T_EQ_INT(lh_pq_writer_finish(w, &sum, &eb), LH_OK);
    lh_pq_writer_destroy(w);
    T_EQ_INT(lh_obj_writer_commit(ow, &eb), LH_OK);
    lh_vec_destroy(leaves[0].values);
    lh_vec_destroy(leaves[1].values);
    lh_delta_txn_t *x = begin(&sc);
    lh_delta_add_t add = {
        .path = "nested.parquet", .size_bytes = (int64_t)sum.file_bytes, .data_change = true};
    T_EQ_INT(lh_delta_txn_add_file(x, &add, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_commit(x, NULL, &eb), LH_OK);
    lh_delta_txn_destroy(x);
    lh_delta_snapshot_t *s = latest(&sc);
    lh_delta_reader_t *r = NULL;
    T_EQ_INT(lh_delta_reader_open(sc.t, s, lh_delta_snapshot_file(s, 0), NULL, 0, &r, &eb),
             LH_E_UNSUPPORTED);
    T_CHECK(strstr(eb.msg, "column 'l' is nested") != NULL);
    const char *only_id[] = {"id"}; /* the primitive column alone still reads */
    T_EQ_INT(lh_delta_reader_open(sc.t, s, lh_delta_snapshot_file(s, 0), only_id, 1, &r, &eb),
             LH_OK);
    const lh_batch_t *b = NULL;
    T_EQ_INT(lh_delta_reader_next(r, &b, &eb), LH_OK);
    T_CHECK(b != NULL && b->row_count == 1 && lh_vec_get_i64(b->cols[0], 0) == 1);
    lh_delta_reader_close(r);
    lh_delta_snapshot_release(s);
    scratch_close(&sc);
}

static void test_app_version(void)
{
    scratch_t sc;
    setup(&sc);
    lh_delta_txn_t *x = begin(&sc);
    T_EQ_INT(lh_delta_txn_set_app_version(x, "stream-1", 42, NULL), LH_OK);
    T_EQ_INT(lh_delta_txn_staged_count(x), 1);
    T_EQ_INT(lh_delta_txn_staged(x, 0)->kind, LH_DELTA_TXN);
    T_EQ_INT(lh_delta_txn_set_metrics(x, "[1]", NULL), LH_E_INVALID);
    T_EQ_INT(lh_delta_txn_set_metrics(x, "{\"numFiles\":\"0\"}", NULL), LH_OK);
    T_EQ_INT(lh_delta_txn_commit(x, NULL, NULL), LH_OK);
    lh_delta_history_entry_t *h;
    size_t n;
    T_EQ_INT(lh_delta_history(sc.t, 1, &h, &n, NULL), LH_OK);
    T_CHECK(n == 1 && strstr(h[0].info.json, "\"operationMetrics\":{\"numFiles\":\"0\"}"));
    lh_delta_history_free(h, n);
    T_EQ_INT(lh_delta_txn_commit(x, NULL, NULL), LH_E_STATE);
    lh_delta_txn_destroy(x);
    lh_delta_snapshot_t *s = latest(&sc);
    int64_t v = -1;
    T_CHECK(lh_delta_snapshot_app_version(s, "stream-1", &v));
    T_EQ_INT(v, 42);
    T_CHECK(!lh_delta_snapshot_app_version(s, "other", &v));
    lh_delta_snapshot_release(s);
    scratch_close(&sc);
}

static lh_err write_schema(scratch_t *sc, lh_schema_t *schema, bool merge, lh_errbuf *eb)
{
    lh_delta_txn_t *x = begin(sc);
    lh_batch_t *b = lh_batch_create(schema, 4);
    for (int c = 0; c < schema->field_count; c++) {
        if (schema->fields[c].type.id == LH_TYPE_STRING)
            lh_vec_append_str(b->cols[c], "x", 1);
        else
            lh_vec_append_i64(b->cols[c], 7);
    }
    b->row_count = 1;
    stream_t st = {&b, 1, 0};
    lh_delta_write_opts_t o;
    lh_delta_write_opts_default(&o);
    o.merge_schema = merge;
    lh_err e = lh_delta_write_files(x, schema, stream_next, &st, &o, eb);
    if (e == LH_OK)
        e = lh_delta_txn_commit(x, NULL, eb);
    lh_delta_txn_destroy(x);
    lh_batch_destroy(b);
    return e;
}

static void test_schema_enforcement(void)
{
    scratch_t sc;
    setup(&sc);
    lh_errbuf eb;
    lh_schema_t *s = lh_schema_create(2);
    lh_schema_set(s, 0, "id", (lh_type_t){LH_TYPE_STRING, 0, 0}, false);
    lh_schema_set(s, 1, "day", (lh_type_t){LH_TYPE_DATE, 0, 0}, true);
    T_EQ_INT(write_schema(&sc, s, false, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "'id'") != NULL);
    lh_schema_set(s, 0, "name", (lh_type_t){LH_TYPE_STRING, 0, 0}, true);
    T_EQ_INT(write_schema(&sc, s, false, &eb), LH_E_INVALID); /* id is NOT NULL */
    T_CHECK(strstr(eb.msg, "'id'") != NULL);
    lh_schema_destroy(s);
    s = lh_schema_create(2);
    lh_schema_set(s, 0, "id", (lh_type_t){LH_TYPE_LONG, 0, 0}, false);
    lh_schema_set(s, 1, "extra", (lh_type_t){LH_TYPE_INT, 0, 0}, true);
    T_EQ_INT(write_schema(&sc, s, false, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "'extra'") != NULL);
    T_EQ_INT(write_schema(&sc, s, true, &eb), LH_OK); /* mergeSchema */
    lh_schema_destroy(s);
    lh_delta_snapshot_t *snap = latest(&sc);
    const lh_schema_t *ts = lh_delta_snapshot_metadata(snap)->schema;
    T_EQ_INT(ts->field_count, 6);
    T_EQ_STR(ts->fields[5].name, "extra");
    /* old files read the new column as null; the new file has it and a null day */
    int nulls = 0, sevens = 0;
    const char *cols[] = {"extra", "day"};
    for (size_t i = 0; i < lh_delta_snapshot_file_count(snap); i++) {
        lh_delta_reader_t *r;
        T_EQ_INT(
            lh_delta_reader_open(sc.t, snap, lh_delta_snapshot_file(snap, i), cols, 2, &r, &eb),
            LH_OK);
        const lh_batch_t *b;
        while (lh_delta_reader_next(r, &b, &eb) == LH_OK && b)
            for (size_t k = 0; k < b->row_count; k++) {
                if (!lh_vec_is_valid(b->cols[0], k))
                    nulls++;
                else
                    sevens += lh_vec_get_i64(b->cols[0], k) == 7 && !lh_vec_is_valid(b->cols[1], k);
            }
        lh_delta_reader_close(r);
    }
    T_EQ_INT(nulls, 10);
    T_EQ_INT(sevens, 1);
    lh_delta_snapshot_release(snap);
    scratch_close(&sc);
}

static void test_append_only(void)
{
    scratch_t sc;
    scratch_open(&sc, "");
    lh_errbuf eb;
    lh_schema_t *schema = test_schema();
    lh_delta_metadata_t md;
    T_EQ_INT(lh_delta_metadata_init(&md, schema, NULL, 0, &eb), LH_OK);
    lh_delta_map_t *conf = &md.configuration;
    conf->items = calloc(1, sizeof *conf->items);
    conf->items[0].key = strdup("delta.appendOnly");
    conf->items[0].value = strdup("true");
    conf->count = 1;
    lh_delta_txn_t *x;
    T_EQ_INT(lh_delta_txn_begin(sc.t, NULL, &x, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_set_metadata(x, &md, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_commit(x, NULL, &eb), LH_OK);
    lh_delta_txn_destroy(x);
    lh_delta_metadata_clear(&md);
    lh_schema_destroy(schema);
    T_EQ_INT(append_rows(sc.t, 0, 3, 1, NULL, &eb), LH_OK);
    x = begin(&sc);
    delete_first_blind(&sc, x);
    T_EQ_INT(lh_delta_txn_commit(x, NULL, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "append-only") != NULL);
    lh_delta_txn_destroy(x);
    scratch_close(&sc);
}

/* Fail each object-store mutation of an append in turn: the table stays readable and
 * either has the append (once) or not. */
static void test_fault_injection(void)
{
    for (int n = 1; n <= 6; n++) {
        scratch_t sc;
        setup(&sc);
        lh_objstore_fail_nth(sc.os, n);
        lh_errbuf eb;
        lh_err e = append_rows(sc.t, 100, 5, 2, NULL, &eb);
        lh_objstore_fail_nth(sc.os, 0);
        lh_delta_snapshot_t *s = latest(&sc);
        if (s) {
            int64_t rows = 0;
            for (size_t i = 0; i < lh_delta_snapshot_file_count(s); i++)
                rows += count_rows(sc.t, s, lh_delta_snapshot_file(s, i));
            T_EQ_INT(rows, e == LH_OK ? 15 : 10);
            T_EQ_INT(lh_delta_snapshot_version(s), e == LH_OK ? 2 : 1);
            lh_delta_snapshot_release(s);
        }
        T_CHECK(e == LH_OK || e == LH_E_IO);
        scratch_close(&sc);
    }
}

/* The same at version 10, where the commit is followed by a checkpoint: a failure after the
 * commit (checkpoint file or _last_checkpoint) must not fail or undo the commit. */
static void test_fault_injection_checkpoint(void)
{
    for (int n = 1; n <= 6; n++) {
        scratch_t sc;
        setup(&sc);
        for (int v = 2; v <= 9; v++)
            T_EQ_INT(append_rows(sc.t, v * 10, 2, 1, NULL, NULL), LH_OK);
        lh_objstore_fail_nth(sc.os, n);
        lh_errbuf eb;
        int64_t version = -1;
        lh_err e = append_rows(sc.t, 100, 5, 1, &version, &eb);
        lh_objstore_fail_nth(sc.os, 0);
        lh_obj_info_t st;
        bool has_cp =
            lh_objstore_stat(sc.os, "tables/t1/_delta_log/00000000000000000010.checkpoint.parquet",
                             &st, NULL) == LH_OK;
        T_CHECK(e == LH_OK || e == LH_E_IO);
        T_CHECK(!has_cp || e == LH_OK);
        lh_delta_snapshot_t *s = latest(&sc);
        if (s) {
            T_EQ_INT(lh_delta_snapshot_version(s), e == LH_OK ? 10 : 9);
            int64_t rows = 0;
            for (size_t i = 0; i < lh_delta_snapshot_file_count(s); i++)
                rows += count_rows(sc.t, s, lh_delta_snapshot_file(s, i));
            T_EQ_INT(rows, 10 + 8 * 2 + (e == LH_OK ? 5 : 0));
            lh_delta_snapshot_release(s);
        }
        scratch_close(&sc);
    }
}

int main(void)
{
    T_RUN(test_fault_injection_checkpoint);
    T_RUN(test_concurrent_appends);
    T_RUN(test_conflicts);
    T_RUN(test_create_twice);
    T_RUN(test_create_nested);
    T_RUN(test_reader_refuses_nested_file_column);
    T_RUN(test_app_version);
    T_RUN(test_schema_enforcement);
    T_RUN(test_append_only);
    T_RUN(test_fault_injection);
    return T_DONE();
}
