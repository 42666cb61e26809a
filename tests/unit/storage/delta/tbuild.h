/*
 * tbuild.h - test helpers: a scratch table in /tmp, batches from C arrays, a batch stream.
 */
#ifndef LH_TEST_DELTA_TBUILD_H
#define LH_TEST_DELTA_TBUILD_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/delta/delta.h"
#include "t.h"

typedef struct scratch {
    char dir[256];
    lh_objstore_t *os;
    lh_delta_table_t *t;
} scratch_t;

static inline void scratch_open(scratch_t *s, const char *root)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/lh_delta_test_%d_XXXXXX", (int)getpid());
    T_CHECK(mkdtemp(s->dir) != NULL);
    T_EQ_INT(lh_objstore_local_create(s->dir, &s->os, NULL), LH_OK);
    T_EQ_INT(lh_delta_table_open(s->os, root, &s->t, NULL), LH_OK);
}

static inline void scratch_close(scratch_t *s)
{
    char cmd[300];
    lh_delta_table_close(s->t);
    lh_objstore_destroy(s->os);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "  cleanup failed\n");
}

/* The test schema: id LONG NOT NULL, name STRING, day DATE, ts TIMESTAMP, amount DOUBLE. */
static inline lh_schema_t *test_schema(void)
{
    lh_schema_t *s = lh_schema_create(5);
    lh_schema_set(s, 0, "id", (lh_type_t){LH_TYPE_LONG, 0, 0}, false);
    lh_schema_set(s, 1, "name", (lh_type_t){LH_TYPE_STRING, 0, 0}, true);
    lh_schema_set(s, 2, "day", (lh_type_t){LH_TYPE_DATE, 0, 0}, true);
    lh_schema_set(s, 3, "ts", (lh_type_t){LH_TYPE_TIMESTAMP, 0, 0}, true);
    lh_schema_set(s, 4, "amount", (lh_type_t){LH_TYPE_DOUBLE, 0, 0}, true);
    return s;
}

/* n rows with ids first..first+n-1; day = 19000 + id % days (NULL every 7th id when
 * null_days); name "name-<id>"; ts = id seconds; amount = id / 2. */
static inline lh_batch_t *test_batch(const lh_schema_t *schema, int64_t first, int n, int days,
                                     int null_days)
{
    lh_batch_t *b = lh_batch_create(schema, (size_t)n);
    for (int i = 0; i < n; i++) {
        int64_t id = first + i;
        char name[32];
        snprintf(name, sizeof name, "name-%lld", (long long)id);
        lh_vec_append_i64(b->cols[0], id);
        lh_vec_append_str(b->cols[1], name, strlen(name));
        if (null_days && id % 7 == 0)
            lh_vec_append_null(b->cols[2]);
        else
            lh_vec_append_i64(b->cols[2], 19000 + id % days);
        lh_vec_append_i64(b->cols[3], id * 1000000 + 123456);
        lh_vec_append_f64(b->cols[4], (double)id / 2);
    }
    b->row_count = (size_t)n;
    return b;
}

typedef struct stream {
    lh_batch_t **batches;
    int count, next;
} stream_t;

static inline lh_err stream_next(void *ctx, const lh_batch_t **out, lh_errbuf *eb)
{
    stream_t *s = ctx;
    (void)eb;
    *out = s->next < s->count ? s->batches[s->next++] : NULL;
    return LH_OK;
}

/* Create the table at version 0 with the given partition columns. */
static inline lh_err create_table(lh_delta_table_t *t, const lh_schema_t *schema,
                                  const char *const *parts, int part_count, lh_errbuf *eb)
{
    lh_delta_metadata_t md;
    LH_TRY(lh_delta_metadata_init(&md, schema, parts, part_count, eb));
    lh_delta_txn_t *x;
    lh_err e = lh_delta_txn_begin(t, NULL, &x, eb);
    if (e == LH_OK) {
        e = lh_delta_txn_set_metadata(x, &md, eb);
        if (e == LH_OK)
            e = lh_delta_txn_commit(x, NULL, eb);
        lh_delta_txn_destroy(x);
    }
    lh_delta_metadata_clear(&md);
    return e;
}

/* Append rows [first, first+n) in one commit; *version gets the committed version. */
static inline lh_err append_rows(lh_delta_table_t *t, int64_t first, int n, int days,
                                 int64_t *version, lh_errbuf *eb)
{
    lh_delta_snapshot_t *s;
    LH_TRY(lh_delta_snapshot_latest(t, &s, eb));
    lh_delta_txn_t *x;
    lh_err e = lh_delta_txn_begin(t, s, &x, eb);
    lh_delta_snapshot_release(s);
    LH_TRY(e);
    lh_schema_t *schema = test_schema();
    lh_batch_t *b = test_batch(schema, first, n, days, 1);
    stream_t st = {&b, 1, 0};
    e = lh_delta_write_files(x, schema, stream_next, &st, NULL, eb);
    if (e == LH_OK)
        e = lh_delta_txn_commit(x, version, eb);
    lh_delta_txn_destroy(x);
    lh_batch_destroy(b);
    lh_schema_destroy(schema);
    return e;
}

/* Rows in a file, via the reader. -1 on error. */
static inline int64_t count_rows(lh_delta_table_t *t, const lh_delta_snapshot_t *s,
                                 const lh_delta_add_t *f)
{
    lh_errbuf eb;
    lh_delta_reader_t *r;
    if (lh_delta_reader_open(t, s, f, NULL, 0, &r, &eb) != LH_OK) {
        fprintf(stderr, "  reader: %s\n", eb.msg);
        return -1;
    }
    int64_t n = 0;
    const lh_batch_t *b;
    while (lh_delta_reader_next(r, &b, &eb) == LH_OK && b)
        n += (int64_t)b->row_count;
    lh_delta_reader_close(r);
    return n;
}

#endif
