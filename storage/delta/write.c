/*
 * write.c - the data-file write path (formats.md §2.4, §2.5).
 *
 * The push writer (lh_delta_file_writer_*, delta_internal.h) does the work; the stream
 * API lh_delta_write_files pulls batches and pushes them. Write rewrites (rewrite.c) push
 * only the rows a selection keeps, without copying them first.
 *   1. Enforce the schema: every stream column must exist in the table with the same type
 *      (or be added under merge_schema, as nullable); a missing non-nullable column fails.
 *   2. Split each batch by partition tuple. Each partition has an open file: an object-store
 *      streaming writer under "<col>=<hive-escaped value>/…/part-NNNNN-<uuid>-c000.<codec>
 *      .parquet" feeding a flat Parquet writer whose schema is the table schema minus the
 *      partition columns (absent stream columns are written as nulls).
 *   3. A file is closed at target_file_rows and at the end: finish the Parquet footer,
 *      commit the object (atomic), stage an add with stats built from the writer summary.
 *   Any failure aborts the open files; closed ones stay as unreferenced garbage for VACUUM.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "storage/delta/delta_scan_internal.h"

typedef struct part_file {
    char *dir;             /* "a=1/b=x" or "" */
    lh_delta_map_t values; /* partition values as strings */
    char *path;            /* table-relative (decoded) */
    lh_obj_writer_t *ow;
    lh_pq_writer_t *pw;
    int64_t rows;
    int64_t *inner_nulls; /* NULL counts of ARRAY/MAP fields in structs (write_stats.c) */
} part_file_t;

typedef struct wctx {
    lh_delta_txn_t *x;
    const lh_delta_metadata_t *md;
    const lh_schema_t *in; /* stream schema */
    lh_schema_t *data;     /* file schema: table minus partition columns */
    int *data_src;         /* per data column: stream column or -1 */
    int *part_src;         /* per partition column: stream column or -1 */
    lh_delta_write_opts_t opts;
    part_file_t *files;
    size_t file_count;
    int part_seq;
    lh_batch_t *scratch;
    uint32_t *rows;
    int inner_count; /* ARRAY/MAP fields inside STRUCT columns of data */
} wctx_t;

void lh_delta_write_opts_default(lh_delta_write_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->target_file_rows = 1048576;
    o->codec = LH_PQ_CODEC_ZSTD;
}

/* ---- schema enforcement ------------------------------------------------------------------- */

/* Add the stream's columns the table lacks (nullable), keeping the existing fields' JSON
 * (metadata, nullability inside nested types) as written. */
static lh_err merged_metadata(wctx_t *w, const lh_schema_t *table, lh_errbuf *eb)
{
    int extra = 0;
    for (int i = 0; i < w->in->field_count; i++)
        extra += lh_schema_find(table, w->in->fields[i].name) < 0;
    if (extra == 0)
        return LH_OK;
    lh_schema_t *s = lh_schema_create(extra);
    LH_FAIL_IF(s == NULL, LH_E_NOMEM, eb, "out of memory");
    for (int i = 0, n = 0; i < w->in->field_count; i++)
        if (lh_schema_find(table, w->in->fields[i].name) < 0)
            lh_schema_set(s, n++, w->in->fields[i].name, w->in->fields[i].type, true);
    lh_delta_metadata_t md;
    lh_err e = lh_delta_metadata_copy(w->md, &md);
    char *ss = e == LH_OK ? lh_delta_schema_append(w->md->schema_string, s) : NULL;
    lh_schema_destroy(s);
    if (ss != NULL) {
        free(md.schema_string);
        md.schema_string = ss;
        lh_schema_destroy(md.schema);
        lh_schema_destroy(md.primitive_schema);
        free(md.unreadable_column);
        md.schema = md.primitive_schema = NULL; /* derived from the new schemaString */
        md.unreadable_column = NULL;
        e = lh_delta_txn_set_metadata(w->x, &md, eb);
    } else if (e == LH_OK) {
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    }
    lh_delta_metadata_clear(&md);
    if (e == LH_OK)
        w->md = lh_delta_txn_metadata(w->x);
    return e;
}

static lh_err enforce_schema(wctx_t *w, lh_errbuf *eb)
{
    const lh_schema_t *table = w->md->schema;
    char a[256], b[256];
    for (int i = 0; i < w->in->field_count; i++) {
        const lh_field_t *f = &w->in->fields[i];
        int idx = lh_schema_find(table, f->name);
        LH_FAIL_IF(idx < 0 && !w->opts.merge_schema, LH_E_INVALID, eb,
                   "column '%s' is not in the table schema (use mergeSchema to add it)", f->name);
        LH_FAIL_IF(idx >= 0 && !lh_type_equal(table->fields[idx].type, f->type), LH_E_INVALID, eb,
                   "column '%s' has type %s but the table column is %s", f->name,
                   lh_type_name(f->type, a, sizeof a),
                   lh_type_name(table->fields[idx].type, b, sizeof b));
    }
    for (int i = 0; i < table->field_count; i++)
        LH_FAIL_IF(!table->fields[i].nullable && lh_schema_find(w->in, table->fields[i].name) < 0,
                   LH_E_INVALID, eb, "non-nullable column '%s' is missing from the data",
                   table->fields[i].name);
    return w->opts.merge_schema ? merged_metadata(w, table, eb) : LH_OK;
}

static bool is_partition(const lh_delta_metadata_t *md, const char *name)
{
    for (int i = 0; i < md->partition_column_count; i++)
        if (strcasecmp(md->partition_columns[i], name) == 0)
            return true;
    return false;
}

static lh_err build_layout(wctx_t *w, lh_errbuf *eb)
{
    const lh_schema_t *table = w->md->schema;
    int pc = w->md->partition_column_count;
    w->data = lh_schema_create(table->field_count - pc > 0 ? table->field_count - pc : 0);
    w->data_src = calloc((size_t)table->field_count + 1, sizeof(int));
    w->part_src = calloc((size_t)pc + 1, sizeof(int));
    w->rows = calloc(LH_BATCH_ROWS, sizeof(uint32_t));
    LH_FAIL_IF(!w->data || !w->data_src || !w->part_src || !w->rows, LH_E_NOMEM, eb,
               "out of memory");
    int n = 0;
    for (int i = 0; i < table->field_count; i++) {
        const lh_field_t *f = &table->fields[i];
        if (is_partition(w->md, f->name))
            continue;
        lh_schema_set(w->data, n, f->name, f->type, f->nullable);
        w->data_src[n++] = lh_schema_find(w->in, f->name);
    }
    LH_FAIL_IF(n != w->data->field_count, LH_E_CORRUPT, eb,
               "partition columns are not all in the table schema");
    for (int i = 0; i < pc; i++)
        w->part_src[i] = lh_schema_find(w->in, w->md->partition_columns[i]);
    w->scratch = lh_batch_create(w->data, LH_BATCH_ROWS);
    LH_FAIL_IF(w->scratch == NULL, LH_E_NOMEM, eb, "out of memory");
    w->inner_count = lh_delta_stats_inner_count(w->data);
    return LH_OK;
}

/* ---- partition values as text --------------------------------------------------------------- */

static void format_double(double d, char *buf, size_t n)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    if (isfinite(d) && strpbrk(buf, ".eEn") == NULL)
        strncat(buf, ".0", n - strlen(buf) - 1);
}

static void format_decimal(int64_t unscaled, int scale, char *buf, size_t n)
{
    uint64_t u = unscaled < 0 ? (uint64_t)0 - (uint64_t)unscaled : (uint64_t)unscaled;
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%0*llu", scale + 1, (unsigned long long)u);
    int int_len = len - scale;
    snprintf(buf, n, "%s%.*s%s%s", unscaled < 0 ? "-" : "", int_len, digits, scale ? "." : "",
             digits + int_len);
}

static void format_ntz(int64_t micros, char *buf, size_t n)
{
    lh_delta_format_timestamp_ms(micros, buf, n); /* "YYYY-MM-DDTHH:MM:SS.mmmZ" */
    int64_t us = micros % 1000000;
    if (us < 0)
        us += 1000000;
    buf[10] = ' ';
    snprintf(buf + 19, n - 19, ".%06lld", (long long)us);
}

lh_err lh_delta_partition_text(const lh_vec_t *v, size_t r, char *buf, size_t n, const char **out,
                               lh_errbuf *eb)
{
    if (v->sel)
        r = v->sel[r];
    *out = buf;
    if (!lh_vec_is_valid(v, r)) {
        *out = NULL;
        return LH_OK;
    }
    switch (v->type.id) {
    case LH_TYPE_STRING: {
        const lh_sv_t *sv = &((const lh_sv_t *)v->data)[r];
        LH_FAIL_IF(memchr(sv->ptr, 0, sv->len) != NULL, LH_E_INVALID, eb,
                   "partition value contains a NUL byte");
        *out = sv->len ? strndup((const char *)sv->ptr, sv->len) : NULL;
        LH_FAIL_IF(sv->len && *out == NULL, LH_E_NOMEM, eb, "out of memory");
        return LH_OK; /* caller frees when *out != buf */
    }
    case LH_TYPE_BOOLEAN:
        snprintf(buf, n, "%s", lh_vec_get_i64(v, r) ? "true" : "false");
        return LH_OK;
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        format_double(lh_vec_get_f64(v, r), buf, n);
        return LH_OK;
    case LH_TYPE_DATE:
        lh_delta_format_date((int32_t)lh_vec_get_i64(v, r), buf, n);
        return LH_OK;
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
        format_ntz(lh_vec_get_i64(v, r), buf, n);
        if (v->type.id == LH_TYPE_TIMESTAMP) { /* ISO-8601 UTC */
            buf[10] = 'T';
            strncat(buf, "Z", n - strlen(buf) - 1);
        }
        return LH_OK;
    case LH_TYPE_DECIMAL:
        LH_FAIL_IF(v->type.precision > 18, LH_E_UNSUPPORTED, eb,
                   "partitioning by decimal(%d,...) is not supported", v->type.precision);
        format_decimal(lh_vec_get_i64(v, r), v->type.scale, buf, n);
        return LH_OK;
    case LH_TYPE_BINARY:
    case LH_TYPE_NULL:
    case LH_TYPE__COUNT:
        break;
    default:
        snprintf(buf, n, "%lld", (long long)lh_vec_get_i64(v, r));
        return LH_OK;
    }
    LH_FAIL(LH_E_UNSUPPORTED, eb, "cannot partition by a column of this type");
}

/* The partition directory and values of batch row r. */
static lh_err row_partition(wctx_t *w, const lh_batch_t *b, size_t r, char **dir,
                            lh_delta_map_t *vals, lh_errbuf *eb)
{
    size_t cap = 256, len = 0;
    char *d = calloc(cap, 1);
    LH_FAIL_IF(d == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = LH_OK;
    for (int i = 0; e == LH_OK && i < w->md->partition_column_count; i++) {
        char buf[64];
        const char *text = NULL;
        if (w->part_src[i] >= 0)
            e = lh_delta_partition_text(b->cols[w->part_src[i]], r, buf, sizeof buf, &text, eb);
        char *esc = e == LH_OK ? lh_delta_hive_escape(text) : NULL;
        const char *name = w->md->partition_columns[i];
        size_t need = len + strlen(name) + (esc ? strlen(esc) : 0) + 3;
        char *nd = esc && need > cap ? realloc(d, cap = need * 2) : d;
        if (e == LH_OK && (esc == NULL || nd == NULL || lh_delta_map_set(vals, name, text)))
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
        if (nd)
            d = nd;
        if (e == LH_OK)
            len += (size_t)sprintf(d + len, "%s%s=%s", i ? "/" : "", name, esc);
        free(esc);
        if (text != buf)
            free((char *)text);
    }
    if (e != LH_OK) {
        free(d);
        return e;
    }
    *dir = d;
    return LH_OK;
}

/* ---- files ------------------------------------------------------------------------------- */

static const char *codec_suffix(lh_pq_codec c)
{
    switch (c) {
    case LH_PQ_CODEC_ZSTD:
        return ".zstd";
    case LH_PQ_CODEC_SNAPPY:
        return ".snappy";
    case LH_PQ_CODEC_GZIP:
        return ".gz";
    default:
        return "";
    }
}

static lh_err open_file(wctx_t *w, part_file_t *pf, lh_errbuf *eb)
{
    char uuid[37], name[128];
    lh_uuid4(uuid);
    snprintf(name, sizeof name, "part-%05d-%s-c000%s.parquet", w->part_seq++, uuid,
             codec_suffix(w->opts.codec));
    size_t n = strlen(pf->dir) + strlen(name) + 2;
    pf->path = malloc(n);
    LH_FAIL_IF(pf->path == NULL, LH_E_NOMEM, eb, "out of memory");
    snprintf(pf->path, n, "%s%s%s", pf->dir, pf->dir[0] ? "/" : "", name);
    lh_delta_table_t *t = lh_delta_txn_table(w->x);
    char *key = lh_delta_table_key(t, pf->path);
    LH_FAIL_IF(key == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = lh_objstore_open_write(lh_delta_table_store(t), key, &pf->ow, eb);
    free(key);
    LH_TRY(e);
    free(pf->inner_nulls);
    pf->inner_nulls = calloc((size_t)w->inner_count + 1, sizeof *pf->inner_nulls);
    LH_FAIL_IF(pf->inner_nulls == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    o.codec = w->opts.codec;
    return lh_pq_writer_create(w->data, &o, lh_obj_writer_sink(pf->ow), &pf->pw, eb);
}

static void abort_file(part_file_t *pf)
{
    free(pf->inner_nulls);
    pf->inner_nulls = NULL;
    lh_pq_writer_destroy(pf->pw);
    lh_obj_writer_abort(pf->ow);
    pf->pw = NULL;
    pf->ow = NULL;
    free(pf->path);
    pf->path = NULL;
    pf->rows = 0;
}

static lh_err close_file(wctx_t *w, part_file_t *pf, lh_errbuf *eb)
{
    lh_pq_file_summary_t sum;
    lh_err e = lh_pq_writer_finish(pf->pw, &sum, eb);
    char *stats = e == LH_OK ? lh_delta_stats_build(w->data, &sum, pf->inner_nulls,
                                                    lh_delta_stats_max_cols(w->md))
                             : NULL;
    free(pf->inner_nulls);
    pf->inner_nulls = NULL;
    lh_pq_writer_destroy(pf->pw);
    pf->pw = NULL;
    if (e == LH_OK)
        e = lh_obj_writer_commit(pf->ow, eb);
    else
        lh_obj_writer_abort(pf->ow);
    pf->ow = NULL;
    lh_delta_add_t add = {
        .path = pf->path,
        .partition_values = pf->values,
        .size_bytes = (int64_t)sum.file_bytes,
        .modification_time_ms = lh_now_ms(),
        .data_change = !w->opts.rearrange_only,
        .stats = stats,
    };
    if (e == LH_OK)
        e = lh_delta_txn_add_file(w->x, &add, eb);
    free(stats);
    free(pf->path);
    pf->path = NULL;
    pf->rows = 0;
    return e;
}

/* ---- batches ------------------------------------------------------------------------------- */

/* Index of the open file for partition dir (taking ownership of dir and vals), or -1. */
static ssize_t find_file(wctx_t *w, char *dir, lh_delta_map_t *vals)
{
    for (size_t i = 0; i < w->file_count; i++) {
        if (strcmp(w->files[i].dir, dir) == 0) {
            free(dir);
            lh_delta_map_free(vals);
            return (ssize_t)i;
        }
    }
    part_file_t *f = realloc(w->files, (w->file_count + 1) * sizeof *f);
    if (f == NULL) {
        free(dir);
        lh_delta_map_free(vals);
        return -1;
    }
    w->files = f;
    memset(&f[w->file_count], 0, sizeof *f);
    f[w->file_count].dir = dir;
    f[w->file_count].values = *vals;
    return (ssize_t)w->file_count++;
}

static lh_err write_rows(wctx_t *w, part_file_t *pf, const lh_batch_t *b, const uint32_t *rows,
                         size_t n, lh_errbuf *eb)
{
    if (pf->pw == NULL)
        LH_TRY(open_file(w, pf, eb));
    lh_batch_reset(w->scratch);
    for (int c = 0; c < w->data->field_count; c++) {
        int src = w->data_src[c];
        lh_err e = src >= 0 ? lh_delta_vec_gather(b->cols[src], rows, 0, n, w->scratch->cols[c])
                            : lh_delta_vec_fill(w->scratch->cols[c], NULL, n);
        LH_FAIL_IF(e != LH_OK, e, eb, "out of memory");
    }
    w->scratch->row_count = n;
    if (w->inner_count > 0)
        lh_delta_stats_count(w->data, w->scratch, n, pf->inner_nulls);
    LH_TRY(lh_pq_writer_write_batch(pf->pw, w->scratch, eb));
    pf->rows += (int64_t)n;
    return pf->rows >= w->opts.target_file_rows ? close_file(w, pf, eb) : LH_OK;
}

/* Rows the file can take before it reaches target_file_rows (at most LH_BATCH_ROWS). */
static size_t chunk_rows(const wctx_t *w, ssize_t file)
{
    int64_t room = w->opts.target_file_rows - w->files[file].rows;
    return room < 1 ? 1 : room > LH_BATCH_ROWS ? LH_BATCH_ROWS : (size_t)room;
}

/* Row i of the selection (all rows when sel is NULL). */
static inline uint32_t sel_row(const uint32_t *sel, size_t i)
{
    return sel ? sel[i] : (uint32_t)i;
}

/* Write the selected rows of b whose row_file is file, cutting files at exactly
 * target_file_rows. row_file is indexed like the selection. */
static lh_err write_group(wctx_t *w, const lh_batch_t *b, const uint32_t *sel, size_t n_sel,
                          const ssize_t *row_file, ssize_t file, lh_errbuf *eb)
{
    size_t n = 0;
    for (size_t i = 0; i < n_sel; i++) {
        if (row_file && row_file[i] != file)
            continue;
        w->rows[n++] = sel_row(sel, i);
        if (n == chunk_rows(w, file)) {
            LH_TRY(write_rows(w, &w->files[file], b, w->rows, n, eb));
            n = 0;
        }
    }
    return n ? write_rows(w, &w->files[file], b, w->rows, n, eb) : LH_OK;
}

/* Map every selected row of b to its partition's file, then write each partition's rows. */
static lh_err write_batch(wctx_t *w, const lh_batch_t *b, const uint32_t *sel, size_t n_sel,
                          lh_errbuf *eb)
{
    if (w->md->partition_column_count == 0) {
        char *dir = strdup("");
        lh_delta_map_t none = {0};
        ssize_t f = dir ? find_file(w, dir, &none) : -1;
        LH_FAIL_IF(f < 0, LH_E_NOMEM, eb, "out of memory");
        return write_group(w, b, sel, n_sel, NULL, f, eb);
    }
    ssize_t *row_file = calloc(n_sel + 1, sizeof *row_file);
    LH_FAIL_IF(row_file == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = LH_OK;
    for (size_t i = 0; e == LH_OK && i < n_sel; i++) {
        char *dir = NULL;
        lh_delta_map_t vals = {0};
        e = row_partition(w, b, sel_row(sel, i), &dir, &vals, eb);
        if (e == LH_OK && (row_file[i] = find_file(w, dir, &vals)) < 0)
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    }
    bool *done = e == LH_OK ? calloc(w->file_count + 1, sizeof *done) : NULL;
    if (e == LH_OK && done == NULL)
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    for (size_t i = 0; e == LH_OK && i < n_sel; i++) {
        if (done[row_file[i]]) /* each partition once, at its first row */
            continue;
        done[row_file[i]] = true;
        e = write_group(w, b, sel, n_sel, row_file, row_file[i], eb);
    }
    free(done);
    free(row_file);
    return e;
}

/* ---- the push writer ------------------------------------------------------------------------ */

struct lh_delta_file_writer {
    wctx_t w;
};

static void writer_free(lh_delta_file_writer_t *fw)
{
    wctx_t *w = &fw->w;
    for (size_t i = 0; i < w->file_count; i++) {
        if (w->files[i].pw != NULL || w->files[i].ow != NULL)
            abort_file(&w->files[i]);
        free(w->files[i].dir);
        lh_delta_map_free(&w->files[i].values);
    }
    free(w->files);
    lh_schema_destroy(w->data);
    free(w->data_src);
    free(w->part_src);
    free(w->rows);
    lh_batch_destroy(w->scratch);
    free(fw);
}

lh_err lh_delta_file_writer_open(lh_delta_txn_t *x, const lh_schema_t *batch_schema,
                                 const lh_delta_write_opts_t *opts, lh_delta_file_writer_t **out,
                                 lh_errbuf *eb)
{
    *out = NULL;
    lh_delta_file_writer_t *fw = calloc(1, sizeof *fw);
    LH_FAIL_IF(fw == NULL, LH_E_NOMEM, eb, "out of memory");
    wctx_t *w = &fw->w;
    w->x = x;
    w->md = lh_delta_txn_metadata(x);
    w->in = batch_schema;
    if (opts)
        w->opts = *opts;
    else
        lh_delta_write_opts_default(&w->opts);
    if (w->opts.target_file_rows <= 0)
        w->opts.target_file_rows = 1048576;
    lh_err e = LH_OK;
    if (w->md == NULL)
        e = lh_err_set(eb, LH_E_STATE, __FILE__, __LINE__,
                       "set the table metadata before writing files");
    else if (w->md->schema == NULL)
        e = lh_err_set(eb, LH_E_UNSUPPORTED, __FILE__, __LINE__,
                       "cannot write to a table with nested column '%s'",
                       w->md->unreadable_column ? w->md->unreadable_column : "?");
    if (e == LH_OK)
        e = enforce_schema(w, eb);
    if (e == LH_OK)
        e = build_layout(w, eb);
    if (e != LH_OK) {
        writer_free(fw);
        return e;
    }
    *out = fw;
    return LH_OK;
}

lh_err lh_delta_file_writer_write(lh_delta_file_writer_t *fw, const lh_batch_t *b,
                                  const uint32_t *rows, size_t row_count, lh_errbuf *eb)
{
    wctx_t *w = &fw->w;
    LH_FAIL_IF(b->col_count != w->in->field_count, LH_E_INVALID, eb,
               "batch has %d columns, schema has %d", b->col_count, w->in->field_count);
    return write_batch(w, b, rows, rows ? row_count : b->row_count, eb);
}

lh_err lh_delta_file_writer_close(lh_delta_file_writer_t *fw, lh_errbuf *eb)
{
    lh_err e = LH_OK;
    for (size_t i = 0; e == LH_OK && i < fw->w.file_count; i++)
        if (fw->w.files[i].pw != NULL)
            e = close_file(&fw->w, &fw->w.files[i], eb);
    writer_free(fw);
    return e;
}

void lh_delta_file_writer_abort(lh_delta_file_writer_t *fw)
{
    if (fw != NULL)
        writer_free(fw);
}

lh_err lh_delta_write_files(lh_delta_txn_t *x, const lh_schema_t *batch_schema,
                            lh_delta_batch_next_fn next, void *ctx,
                            const lh_delta_write_opts_t *opts, lh_errbuf *eb)
{
    lh_delta_file_writer_t *fw;
    LH_TRY(lh_delta_file_writer_open(x, batch_schema, opts, &fw, eb));
    for (;;) {
        const lh_batch_t *b = NULL;
        lh_err e = next(ctx, &b, eb);
        if (e == LH_OK && b == NULL)
            return lh_delta_file_writer_close(fw, eb);
        if (e == LH_OK)
            e = lh_delta_file_writer_write(fw, b, NULL, 0, eb);
        if (e != LH_OK) {
            lh_delta_file_writer_abort(fw);
            return e;
        }
    }
}
