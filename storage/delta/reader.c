/*
 * reader.c - one data file of a snapshot as batches of the projected table columns
 * (formats.md §2.8 step 5).
 *
 * Per output column, the source is one of: a file column (matched case-insensitively by
 * name; integer-like and float types widen to the table type), a nested file column read as
 * the table's ARRAY/MAP/STRUCT type (lh_pq_read_nested: struct fields by name, missing ones
 * NULL, the same widening inside), the file's partition value (a constant), or nothing (a
 * column added after the file was written: nulls). The reader decodes one row group at a
 * time and hands it out in slices of LH_BATCH_ROWS rows.
 */
#include <stdlib.h>
#include <string.h>

#include "storage/delta/data_cache.h"
#include "storage/delta/delta_scan_internal.h"

enum src_kind { SRC_FILE, SRC_NESTED, SRC_PARTITION, SRC_NULL };

typedef struct out_col {
    enum src_kind kind;
    int file_col;         /* SRC_FILE: index in the file's flat schema; SRC_NESTED: nested index */
    lh_vec_t *rg_vals;    /* the current row group: SRC_FILE file type, SRC_NESTED table type */
    const lh_vec_t *view; /* ... what is read: rg_vals or a data cache entry's vector */
    lh_data_cache_entry_t *ref; /* the cache entry view belongs to, or NULL */
    lh_value_t pv;              /* SRC_PARTITION */
    bool late;                  /* decoded only when lh_delta_reader_fill_late asks for it */
} out_col_t;

struct lh_delta_reader {
    lh_pq_file_t *f;
    lh_schema_t *schema;
    out_col_t *cols;
    lh_batch_t *batch;
    int rg; /* current row group, -1 before the first */
    int64_t rg_rows, rg_off;
    int64_t last_off, last_n; /* the rows of the batch handed out last */
    int rg_end;               /* one past the last row group read (set_range) */
    lh_pq_pred_t *preds;      /* row-group skipping (set_preds): on file columns */
    int pred_count;
    int64_t rg_pruned, rg_read; /* row groups skipped by preds / loaded */
    lh_data_cache_t *cache;     /* decoded chunks shared across scans (NULL = none) */
    char *cache_file;           /* the file's identity in the cache: store id + "/" + key */
    int64_t file_size, file_mtime_ms;
};

/* ---- vector copying (shared with write.c) ------------------------------------------------- */

static bool int_like(lh_type_id t)
{
    return (t >= LH_TYPE_BOOLEAN && t <= LH_TYPE_LONG) || t == LH_TYPE_DATE ||
           t == LH_TYPE_TIMESTAMP || t == LH_TYPE_TIMESTAMP_NTZ;
}

bool lh_delta_type_convertible(lh_type_t from, lh_type_t to)
{
    if (lh_type_equal(from, to))
        return true;
    if (int_like(from.id) && int_like(to.id))
        return (from.id <= LH_TYPE_LONG) == (to.id <= LH_TYPE_LONG) && from.id <= to.id;
    return from.id == LH_TYPE_FLOAT && to.id == LH_TYPE_DOUBLE;
}

static lh_err copy_one(const lh_vec_t *src, size_t r, lh_vec_t *dst)
{
    if (!lh_vec_is_valid(src, r))
        return lh_vec_append_null(dst);
    if (lh_type_is_bytes(dst->type)) { /* STRING, BINARY and the nested types */
        const lh_sv_t *sv = &((const lh_sv_t *)src->data)[r];
        return lh_vec_append_str(dst, sv->ptr, sv->len);
    }
    switch (dst->type.id) {
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        return lh_vec_append_f64(dst, lh_vec_get_f64(src, r));
    case LH_TYPE_DECIMAL:
        if (dst->type.precision > 18)
            return lh_vec_append_i128(dst, ((const lh_i128 *)src->data)[r]);
        return lh_vec_append_i64(dst, lh_vec_get_i64(src, r));
    default:
        return lh_vec_append_i64(dst, lh_vec_get_i64(src, r));
    }
}

lh_err lh_delta_vec_gather(const lh_vec_t *src, const uint32_t *rows, size_t first, size_t n,
                           lh_vec_t *dst)
{
    if (rows == NULL && src->kind == LH_VEC_FLAT && src->sel == NULL && dst->kind == LH_VEC_FLAT &&
        lh_type_equal(src->type, dst->type))
        return lh_vec_append_range(dst, src, first, n); /* one copy of the range */
    LH_TRY(lh_vec_reserve(dst, dst->count + n));
    for (size_t i = 0; i < n; i++) {
        size_t r = rows ? rows[i] : first + i;
        if (src->sel)
            r = src->sel[r];
        LH_TRY(copy_one(src, r, dst));
    }
    return LH_OK;
}

lh_err lh_delta_vec_fill(lh_vec_t *dst, const lh_value_t *v, size_t n)
{
    LH_TRY(lh_vec_reserve(dst, dst->count + n));
    for (size_t i = 0; i < n; i++) {
        lh_err e;
        if (v == NULL || v->is_null)
            e = lh_vec_append_null(dst);
        else if (lh_type_is_bytes(dst->type))
            e = lh_vec_append_str(dst, v->v.str.ptr, v->v.str.len);
        else if (dst->type.id == LH_TYPE_FLOAT || dst->type.id == LH_TYPE_DOUBLE)
            e = lh_vec_append_f64(dst, v->v.f64);
        else
            e = lh_vec_append_i64(dst, v->v.i64);
        LH_TRY(e);
    }
    return LH_OK;
}

/* ---- opening ------------------------------------------------------------------------------ */

static bool is_partition(const lh_delta_metadata_t *md, const char *name)
{
    for (int i = 0; i < md->partition_column_count; i++)
        if (strcasecmp(md->partition_columns[i], name) == 0)
            return true;
    return false;
}

static lh_err projection(const lh_schema_t *table, const char *const *columns, int n,
                         lh_schema_t **out, lh_errbuf *eb)
{
    if (columns == NULL || n == 0) {
        *out = lh_schema_copy(table);
        LH_FAIL_IF(*out == NULL, LH_E_NOMEM, eb, "out of memory");
        return LH_OK;
    }
    lh_schema_t *s = lh_schema_create(n);
    LH_FAIL_IF(s == NULL, LH_E_NOMEM, eb, "out of memory");
    for (int i = 0; i < n; i++) {
        int idx = lh_schema_find(table, columns[i]);
        if (idx < 0) {
            lh_schema_destroy(s);
            LH_FAIL(LH_E_INVALID, eb, "column '%s' is not a readable column of the table",
                    columns[i]);
        }
        const lh_field_t *f = &table->fields[idx];
        lh_schema_set(s, i, f->name, f->type, f->nullable);
    }
    *out = s;
    return LH_OK;
}

/* Data files must live under the table root: a log that points at absolute paths or other
 * URIs ("file:/etc/...", "s3://...") is refused rather than followed, so a table cannot
 * make the daemon read files outside its own directory. */
static lh_err open_source(lh_delta_table_t *t, const char *path, lh_pq_source_t *src, lh_errbuf *eb)
{
    LH_FAIL_IF(path[0] == '/' || strchr(path, ':') != NULL, LH_E_UNSUPPORTED, eb,
               "data file '%s' is outside the table (absolute paths are not supported)", path);
    char *key = lh_delta_table_key(t, path);
    LH_FAIL_IF(key == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = lh_objstore_open_source(t->os, key, src, eb);
    free(key);
    return e;
}

static lh_err bind_column(lh_delta_reader_t *r, const lh_delta_metadata_t *md,
                          const lh_delta_add_t *file, int i, lh_errbuf *eb)
{
    const lh_field_t *f = &r->schema->fields[i];
    out_col_t *c = &r->cols[i];
    if (is_partition(md, f->name)) {
        c->kind = SRC_PARTITION;
        const char *text = NULL;
        for (int k = 0; k < file->partition_values.count; k++)
            if (strcasecmp(file->partition_values.items[k].key, f->name) == 0)
                text = file->partition_values.items[k].value;
        return lh_delta_partition_value(text, f->type, &c->pv, eb);
    }
    const lh_schema_t *fs = lh_pq_schema(r->f);
    int nested = -1;
    for (int k = 0; nested < 0 && k < lh_pq_nested_column_count(r->f); k++)
        if (strcasecmp(lh_pq_nested_column_name(r->f, k), f->name) == 0)
            nested = k;
    c->file_col = lh_schema_find(fs, f->name);
    char a[32], b[32];
    if (lh_type_is_nested(f->type)) {
        LH_FAIL_IF(c->file_col >= 0, LH_E_UNSUPPORTED, eb,
                   "column '%s' is %s in file '%s' but nested in the table", f->name,
                   lh_type_name(fs->fields[c->file_col].type, a, sizeof a), file->path);
        c->kind = nested >= 0 ? SRC_NESTED : SRC_NULL;
        c->file_col = nested;
        return LH_OK; /* the nested shape is checked against the table type when read */
    }
    c->kind = c->file_col < 0 ? SRC_NULL : SRC_FILE;
    LH_FAIL_IF(c->kind == SRC_NULL && nested >= 0, LH_E_UNSUPPORTED, eb,
               "column '%s' is nested in file '%s' but primitive in the table", f->name,
               file->path); /* absent reads as null; a nested column must not */
    if (c->kind == SRC_FILE) {
        lh_type_t ft = fs->fields[c->file_col].type;
        LH_FAIL_IF(!lh_delta_type_convertible(ft, f->type), LH_E_UNSUPPORTED, eb,
                   "column '%s' is %s in file '%s' but %s in the table", f->name,
                   lh_type_name(ft, a, sizeof a), file->path, lh_type_name(f->type, b, sizeof b));
    }
    return LH_OK;
}

lh_err lh_delta_reader_open(lh_delta_table_t *t, const lh_delta_snapshot_t *s,
                            const lh_delta_add_t *file, const char *const *columns,
                            int column_count, lh_delta_reader_t **out, lh_errbuf *eb)
{
    *out = NULL;
    bool all = columns == NULL || column_count == 0;
    if (all) /* every column: an unreadable one (variant) cannot be read */
        LH_TRY(lh_delta_snapshot_check_readable(s, eb));
    const lh_schema_t *table =
        s->metadata.schema ? s->metadata.schema : s->metadata.primitive_schema;
    LH_FAIL_IF(table == NULL, LH_E_CORRUPT, eb, "snapshot has no schema");
    LH_FAIL_IF(file->has_deletion_vector, LH_E_UNSUPPORTED, eb,
               "table uses unsupported feature 'deletionVectors'");
    lh_delta_reader_t *r = calloc(1, sizeof *r);
    LH_FAIL_IF(r == NULL, LH_E_NOMEM, eb, "out of memory");
    r->rg = -1;
    r->rg_end = -1;
    lh_err e = projection(table, columns, column_count, &r->schema, eb);
    r->file_size = file->size_bytes;
    r->file_mtime_ms = file->modification_time_ms;
    char *key = e == LH_OK ? lh_delta_table_key(t, file->path) : NULL;
    const char *store = lh_objstore_id(t->os);
    if (key != NULL && asprintf(&r->cache_file, "%s/%s", store ? store : "", key) < 0)
        r->cache_file = NULL;
    free(key);
    lh_pq_source_t src;
    if (e == LH_OK && (e = open_source(t, file->path, &src, eb)) == LH_OK)
        e = lh_pq_open(&src, &r->f, eb);
    if (e == LH_OK)
        r->rg_end = lh_pq_row_group_count(r->f);
    if (e == LH_OK) {
        r->cols = calloc((size_t)r->schema->field_count + 1, sizeof *r->cols);
        r->batch = lh_batch_create(r->schema, LH_BATCH_ROWS);
        if (r->cols == NULL || r->batch == NULL)
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    }
    for (int i = 0; e == LH_OK && i < r->schema->field_count; i++)
        e = bind_column(r, &s->metadata, file, i, eb);
    if (e != LH_OK) {
        lh_delta_reader_close(r);
        return e;
    }
    *out = r;
    return LH_OK;
}

const lh_schema_t *lh_delta_reader_schema(const lh_delta_reader_t *r)
{
    return r->schema;
}

/* ---- reading ------------------------------------------------------------------------------ */

void lh_delta_reader_set_cache(lh_delta_reader_t *r, lh_data_cache_t *cache)
{
    r->cache = r->cache_file != NULL ? cache : NULL;
}

static void drop_view(lh_delta_reader_t *r, out_col_t *c)
{
    lh_data_cache_release(r->cache, c->ref);
    c->ref = NULL;
    c->view = NULL;
    lh_vec_destroy(c->rg_vals);
    c->rg_vals = NULL;
}

/* Column c of the current row group: from the cache, or decoded (and offered to it). */
static lh_err load_column(lh_delta_reader_t *r, out_col_t *c, lh_errbuf *eb)
{
    drop_view(r, c);
    lh_data_cache_key_t key = {r->cache_file, r->file_size, r->file_mtime_ms, r->rg, c->file_col};
    if (r->cache != NULL && (c->view = lh_data_cache_get(r->cache, &key, &c->ref)) != NULL)
        return LH_OK;
    c->rg_vals = lh_vec_create(lh_pq_schema(r->f)->fields[c->file_col].type, 0);
    LH_FAIL_IF(c->rg_vals == NULL, LH_E_NOMEM, eb, "out of memory");
    LH_TRY(lh_pq_read_column(r->f, r->rg, c->file_col, c->rg_vals, eb));
    c->view = c->rg_vals;
    if (r->cache != NULL) { /* the cache owns it from here */
        c->view = lh_data_cache_put(r->cache, &key, c->rg_vals, &c->ref);
        c->rg_vals = NULL;
        LH_FAIL_IF(c->view == NULL, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

static lh_err load_one(lh_delta_reader_t *r, int i, lh_errbuf *eb)
{
    out_col_t *c = &r->cols[i];
    if (c->kind == SRC_FILE)
        return load_column(r, c, eb);
    if (c->kind == SRC_NESTED) { /* assembled from its leaves: not cached */
        drop_view(r, c);
        c->rg_vals = lh_vec_create(r->schema->fields[i].type, 0);
        LH_FAIL_IF(c->rg_vals == NULL, LH_E_NOMEM, eb, "out of memory");
        LH_TRY(lh_pq_read_nested(r->f, r->rg, c->file_col, c->rg_vals, eb));
        c->view = c->rg_vals;
    }
    return LH_OK;
}

/* Whether column i is decoded lazily and not yet for this row group. */
static bool late_pending(const out_col_t *c)
{
    return c->late && c->view == NULL && (c->kind == SRC_FILE || c->kind == SRC_NESTED);
}

static lh_err load_row_group(lh_delta_reader_t *r, lh_errbuf *eb)
{
    for (int i = 0; i < r->schema->field_count; i++) {
        if (r->cols[i].late)
            drop_view(r, &r->cols[i]); /* decoded when a batch of this row group needs it */
        else
            LH_TRY(load_one(r, i, eb));
    }
    r->rg_rows = lh_pq_row_group_num_rows(r->f, r->rg);
    r->rg_off = 0;
    return LH_OK;
}

/* ---- row groups -------------------------------------------------------------------------- */

int lh_delta_reader_row_group_count(const lh_delta_reader_t *r)
{
    return lh_pq_row_group_count(r->f);
}

int64_t lh_delta_reader_row_group_rows(const lh_delta_reader_t *r, int rg)
{
    return lh_pq_row_group_num_rows(r->f, rg);
}

lh_err lh_delta_reader_set_range(lh_delta_reader_t *r, int first_rg, int rg_count, lh_errbuf *eb)
{
    int n = lh_pq_row_group_count(r->f);
    LH_FAIL_IF(r->rg >= 0 || first_rg < 0 || rg_count < 0 || first_rg > n ||
                   rg_count > n - first_rg,
               LH_E_INVALID, eb, "row groups %d..%d are not in the file (%d row groups)", first_rg,
               first_rg + rg_count, n);
    r->rg = first_rg - 1;
    r->rg_end = first_rg + rg_count;
    return LH_OK;
}

static bool is_float(lh_type_id t)
{
    return t == LH_TYPE_FLOAT || t == LH_TYPE_DOUBLE;
}

/* Whether pred p can judge row groups of file column type ft from Parquet min/max: not
 * when a NaN could match it (Spark: NaN = NaN, NaN is larger than every other value, and
 * Parquet statistics leave NaN out), so on floats only < and <= and = / IN of numbers. */
static bool pred_usable(const lh_delta_pred_t *p, lh_type_t ft)
{
    if (p->values == NULL || p->value_count <= 0 || (p->op != LH_PQ_IN && p->value_count != 1))
        return false;
    if (!is_float(ft.id))
        return true;
    if (p->op == LH_PQ_GT || p->op == LH_PQ_GE)
        return false;
    for (int i = 0; i < p->value_count; i++)
        if (p->values[i].is_null || !is_float(p->values[i].type.id) ||
            p->values[i].v.f64 != p->values[i].v.f64)
            return false;
    return true;
}

lh_err lh_delta_reader_set_preds(lh_delta_reader_t *r, const lh_delta_pred_t *preds, int n,
                                 lh_errbuf *eb)
{
    free(r->preds);
    r->preds = NULL;
    r->pred_count = 0;
    if (n <= 0)
        return LH_OK;
    r->preds = calloc((size_t)n, sizeof *r->preds);
    LH_FAIL_IF(r->preds == NULL, LH_E_NOMEM, eb, "out of memory");
    const lh_schema_t *fs = lh_pq_schema(r->f);
    for (int i = 0; i < n; i++) {
        int col = preds[i].column ? lh_schema_find(fs, preds[i].column) : -1;
        if (col < 0 || lh_type_is_nested(fs->fields[col].type) ||
            !pred_usable(&preds[i], fs->fields[col].type))
            continue; /* a partition column, a missing or nested one: the file decided */
        r->preds[r->pred_count++] =
            (lh_pq_pred_t){col, preds[i].op, preds[i].value_count, preds[i].values};
    }
    return LH_OK;
}

bool lh_delta_reader_row_group_may_match(lh_delta_reader_t *r, int rg)
{
    return r->pred_count == 0 || lh_pq_row_group_may_match(r->f, rg, r->preds, r->pred_count);
}

void lh_delta_reader_row_groups(const lh_delta_reader_t *r, int64_t *read, int64_t *pruned)
{
    *read = r->rg_read;
    *pruned = r->rg_pruned;
}

lh_err lh_delta_reader_next(lh_delta_reader_t *r, const lh_batch_t **out, lh_errbuf *eb)
{
    *out = NULL;
    while (r->rg < 0 || r->rg_off >= r->rg_rows) {
        if (r->rg + 1 >= r->rg_end)
            return LH_OK;
        r->rg++;
        if (!lh_delta_reader_row_group_may_match(r, r->rg)) {
            r->rg_pruned++;
            r->rg_rows = r->rg_off = 0;
            continue;
        }
        r->rg_read++;
        LH_TRY(load_row_group(r, eb));
    }
    size_t n = (size_t)(r->rg_rows - r->rg_off);
    if (n > LH_BATCH_ROWS)
        n = LH_BATCH_ROWS;
    lh_batch_reset(r->batch);
    for (int i = 0; i < r->schema->field_count; i++) {
        out_col_t *c = &r->cols[i];
        lh_vec_t *dst = r->batch->cols[i];
        if (late_pending(c))
            continue; /* left empty until lh_delta_reader_fill_late */
        lh_err e = c->kind == SRC_FILE || c->kind == SRC_NESTED
                       ? lh_delta_vec_gather(c->view, NULL, (size_t)r->rg_off, n, dst)
                       : lh_delta_vec_fill(dst, c->kind == SRC_PARTITION ? &c->pv : NULL, n);
        LH_FAIL_IF(e != LH_OK, e, eb, "out of memory reading a batch");
    }
    r->batch->row_count = n;
    r->last_off = r->rg_off;
    r->last_n = (int64_t)n;
    r->rg_off += (int64_t)n;
    *out = r->batch;
    return LH_OK;
}

void lh_delta_reader_set_late(lh_delta_reader_t *r, const bool *late)
{
    for (int i = 0; i < r->schema->field_count; i++)
        r->cols[i].late = late != NULL && late[i];
}

lh_err lh_delta_reader_fill_late(lh_delta_reader_t *r, lh_errbuf *eb)
{
    for (int i = 0; r->rg >= 0 && i < r->schema->field_count; i++) {
        out_col_t *c = &r->cols[i];
        if (!late_pending(c))
            continue;
        LH_TRY(load_one(r, i, eb));
        lh_vec_t *dst = r->batch->cols[i];
        LH_FAIL_IF(dst->count != 0 || lh_delta_vec_gather(c->view, NULL, (size_t)r->last_off,
                                                          (size_t)r->last_n, dst) != LH_OK,
                   LH_E_NOMEM, eb, "out of memory reading a batch");
    }
    return LH_OK;
}

void lh_delta_reader_close(lh_delta_reader_t *r)
{
    if (r == NULL)
        return;
    for (int i = 0; r->cols && r->schema && i < r->schema->field_count; i++)
        drop_view(r, &r->cols[i]);
    free(r->cache_file);
    free(r->preds);
    free(r->cols);
    lh_batch_destroy(r->batch);
    if (r->f)
        lh_pq_close(r->f);
    lh_schema_destroy(r->schema);

    free(r);
}
