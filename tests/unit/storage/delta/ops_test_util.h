/*
 * ops_test_util.h - fixtures for the table-operation tests (test_ops_*.c): a temporary
 * table directory, a row generator for the schema (id long NOT NULL, p string, v double),
 * and a full scan of a snapshot into sorted rows.
 */
#ifndef LH_TEST_OPS_UTIL_H
#define LH_TEST_OPS_UTIL_H

#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/delta/ops.h"
#include "t.h"

typedef struct tbl {
    char dir[256];
    lh_objstore_t *os;
    lh_delta_table_t *t;
} tbl_t;

static inline void tbl_open(tbl_t *tb)
{
    snprintf(tb->dir, sizeof tb->dir, "/tmp/lh-ops-XXXXXX");
    if (mkdtemp(tb->dir) == NULL) {
        perror("mkdtemp");
        exit(1);
    }
    lh_errbuf eb;
    if (lh_objstore_local_create(tb->dir, &tb->os, &eb) != LH_OK ||
        lh_delta_table_open(tb->os, "", &tb->t, &eb) != LH_OK) {
        fprintf(stderr, "open: %s\n", eb.msg);
        exit(1);
    }
}

static inline int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(p);
}

static inline void tbl_close(tbl_t *tb)
{
    lh_delta_table_close(tb->t);
    lh_objstore_destroy(tb->os);
    nftw(tb->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- rows -------------------------------------------------------------------------------- */

typedef struct rows {
    int n;
    const int64_t *id;
    const char *const *p; /* NULL entry = null */
    const double *v;
    const bool *v_null; /* may be NULL */
    int next, per_batch;
    lh_batch_t *b;
    lh_schema_t *schema;
} rows_t;

static inline lh_schema_t *test_schema(void)
{
    lh_schema_t *s = lh_schema_create(3);
    lh_schema_set(s, 0, "id", (lh_type_t){.id = LH_TYPE_LONG}, false);
    lh_schema_set(s, 1, "p", (lh_type_t){.id = LH_TYPE_STRING}, true);
    lh_schema_set(s, 2, "v", (lh_type_t){.id = LH_TYPE_DOUBLE}, true);
    return s;
}

static inline void rows_init(rows_t *r, int n, const int64_t *id, const char *const *p,
                             const double *v, const bool *v_null)
{
    memset(r, 0, sizeof *r);
    r->n = n;
    r->id = id;
    r->p = p;
    r->v = v;
    r->v_null = v_null;
    r->per_batch = 7; /* several batches per stream */
    r->schema = test_schema();
    r->b = lh_batch_create(r->schema, (size_t)r->per_batch);
}

static inline void rows_free(rows_t *r)
{
    lh_batch_destroy(r->b);
    lh_schema_destroy(r->schema);
}

static inline lh_err rows_next(void *ctx, const lh_batch_t **out, lh_errbuf *eb)
{
    rows_t *r = ctx;
    (void)eb;
    *out = NULL;
    if (r->next >= r->n)
        return LH_OK;
    lh_batch_reset(r->b);
    int k = 0;
    for (; k < r->per_batch && r->next < r->n; k++, r->next++) {
        int i = r->next;
        lh_vec_append_i64(r->b->cols[0], r->id[i]);
        if (r->p[i])
            lh_vec_append_str(r->b->cols[1], r->p[i], strlen(r->p[i]));
        else
            lh_vec_append_null(r->b->cols[1]);
        if (r->v_null && r->v_null[i])
            lh_vec_append_null(r->b->cols[2]);
        else
            lh_vec_append_f64(r->b->cols[2], r->v[i]);
    }
    r->b->row_count = (size_t)k;
    *out = r->b;
    return LH_OK;
}

/* A stream of one batch. */
typedef struct single {
    const lh_batch_t *b;
    bool done;
} single_t;

static inline lh_err single_next(void *ctx, const lh_batch_t **out, lh_errbuf *eb)
{
    single_t *s = ctx;
    (void)eb;
    *out = s->done ? NULL : s->b;
    s->done = true;
    return LH_OK;
}

/* Append ids [first, first+n) with p = pv and v = id * 1.5 (opts may be NULL). */
static inline lh_err append_range(tbl_t *tb, int64_t first, int n, const char *pv,
                                  const lh_delta_op_opts_t *opts, lh_delta_op_result_t *res,
                                  lh_errbuf *eb)
{
    int64_t *id = calloc((size_t)n + 1, sizeof *id);
    const char **p = calloc((size_t)n + 1, sizeof *p);
    double *v = calloc((size_t)n + 1, sizeof *v);
    for (int i = 0; i < n; i++) {
        id[i] = first + i;
        p[i] = pv;
        v[i] = (double)(first + i) * 1.5;
    }
    rows_t r;
    rows_init(&r, n, id, p, v, NULL);
    lh_err e = lh_delta_append(tb->t, r.schema, rows_next, &r, opts, res, eb);
    rows_free(&r);
    free(id);
    free(p);
    free(v);
    return e;
}

static inline lh_delta_op_opts_t partitioned_by_p(void)
{
    static const char *const parts[] = {"p"};
    lh_delta_op_opts_t o;
    lh_delta_op_opts_default(&o);
    o.partition_columns = parts;
    o.partition_column_count = 1;
    return o;
}

/* ---- scan -------------------------------------------------------------------------------- */

#define SCAN_MAX 8192

typedef struct scanned {
    int n;
    int64_t id[SCAN_MAX];
    char p[SCAN_MAX][16]; /* "" = null */
    double v[SCAN_MAX];
    bool v_null[SCAN_MAX];
    int cols;
} scanned_t;

/* Every row of the latest snapshot (version < 0) or of version, sorted by id. */
static inline lh_err scan_all(tbl_t *tb, int64_t version, scanned_t *out)
{
    lh_errbuf eb;
    lh_delta_snapshot_t *s;
    memset(out, 0, sizeof *out);
    lh_err e = version < 0 ? lh_delta_snapshot_latest(tb->t, &s, &eb)
                           : lh_delta_snapshot_at_version(tb->t, version, &s, &eb);
    if (e != LH_OK)
        return e;
    out->cols = lh_delta_snapshot_metadata(s)->schema->field_count;
    const char *cols[] = {"id", "p", "v"};
    for (size_t i = 0; e == LH_OK && i < lh_delta_snapshot_file_count(s); i++) {
        lh_delta_reader_t *r;
        e = lh_delta_reader_open(tb->t, s, lh_delta_snapshot_file(s, i), cols, 3, &r, &eb);
        const lh_batch_t *b;
        while (e == LH_OK && (e = lh_delta_reader_next(r, &b, &eb)) == LH_OK && b) {
            for (size_t k = 0; k < b->row_count && out->n < SCAN_MAX; k++, out->n++) {
                out->id[out->n] = lh_vec_get_i64(b->cols[0], k);
                out->p[out->n][0] = '\0';
                if (lh_vec_is_valid(b->cols[1], k)) {
                    const lh_sv_t *sv = &((const lh_sv_t *)b->cols[1]->data)[k];
                    snprintf(out->p[out->n], 16, "%.*s", (int)sv->len, (const char *)sv->ptr);
                }
                out->v_null[out->n] = !lh_vec_is_valid(b->cols[2], k);
                out->v[out->n] = out->v_null[out->n] ? 0 : lh_vec_get_f64(b->cols[2], k);
            }
        }
        if (e == LH_OK)
            lh_delta_reader_close(r);
    }
    lh_delta_snapshot_release(s);
    if (e != LH_OK)
        fprintf(stderr, "  scan: %s\n", eb.msg);
    /* insertion sort by id (small tables) */
    for (int i = 1; i < out->n; i++)
        for (int j = i; j > 0 && out->id[j - 1] > out->id[j]; j--) {
            int64_t ti = out->id[j];
            out->id[j] = out->id[j - 1];
            out->id[j - 1] = ti;
            char tp[16];
            memcpy(tp, out->p[j], 16);
            memcpy(out->p[j], out->p[j - 1], 16);
            memcpy(out->p[j - 1], tp, 16);
            double tv = out->v[j];
            out->v[j] = out->v[j - 1];
            out->v[j - 1] = tv;
            bool tn = out->v_null[j];
            out->v_null[j] = out->v_null[j - 1];
            out->v_null[j - 1] = tn;
        }
    return e;
}

static inline size_t live_files(tbl_t *tb)
{
    lh_delta_snapshot_t *s;
    lh_errbuf eb;
    if (lh_delta_snapshot_latest(tb->t, &s, &eb) != LH_OK)
        return (size_t)-1;
    size_t n = lh_delta_snapshot_file_count(s);
    lh_delta_snapshot_release(s);
    return n;
}

/* The commitInfo of version as a jansson object (caller decrefs), or NULL. */
static inline json_t *commit_info(tbl_t *tb, int64_t version)
{
    lh_delta_actions_t a;
    lh_errbuf eb;
    if (lh_delta_read_commit(tb->t, version, &a, &eb) != LH_OK)
        return NULL;
    json_t *ci = NULL;
    for (size_t i = 0; i < a.count; i++)
        if (a.items[i].kind == LH_DELTA_COMMIT_INFO)
            ci = json_loads(a.items[i].u.commit_info.json, 0, NULL);
    lh_delta_actions_free(&a);
    return ci;
}

/* commitInfo.<obj>.<key> as a string ("" when absent). */
static inline const char *ci_str(json_t *ci, const char *obj, const char *key)
{
    json_t *o = obj ? json_object_get(ci, obj) : ci;
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

/* Counts of add / remove actions in version, and how many have dataChange=true. */
static inline void commit_counts(tbl_t *tb, int64_t version, int *adds, int *removes,
                                 int *data_changes)
{
    lh_delta_actions_t a;
    lh_errbuf eb;
    *adds = *removes = *data_changes = 0;
    if (lh_delta_read_commit(tb->t, version, &a, &eb) != LH_OK)
        return;
    for (size_t i = 0; i < a.count; i++) {
        if (a.items[i].kind == LH_DELTA_ADD) {
            (*adds)++;
            *data_changes += a.items[i].u.add.data_change;
        } else if (a.items[i].kind == LH_DELTA_REMOVE) {
            (*removes)++;
            *data_changes += a.items[i].u.remove.data_change;
        }
    }
    lh_delta_actions_free(&a);
}

static inline lh_value_t v_str(const char *s)
{
    lh_value_t v = {.type = {.id = LH_TYPE_STRING}};
    v.v.str.ptr = (const uint8_t *)s;
    v.v.str.len = (uint32_t)strlen(s);
    return v;
}

static inline lh_value_t v_long(int64_t x)
{
    lh_value_t v = {.type = {.id = LH_TYPE_LONG}};
    v.v.i64 = x;
    return v;
}

static inline lh_value_t v_double(double x)
{
    lh_value_t v = {.type = {.id = LH_TYPE_DOUBLE}};
    v.v.f64 = x;
    return v;
}

#endif
