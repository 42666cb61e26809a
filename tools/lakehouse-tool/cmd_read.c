/*
 * cmd_read.c - the read-only commands: schema, cat, history.
 *
 * schema prints the Delta schemaString (for a Parquet file, the one its columns would get,
 * nested types included). cat prints rows as JSON lines in column order, from a Parquet
 * file or from a Delta snapshot (latest or --version N), file by file in path order; arrays
 * print as JSON arrays, structs and maps as objects (nested.c assembles them). history prints one
 * JSON object per commit, newest first: {"version", "timestamp", ...commitInfo}.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tools/lakehouse-tool/tool.h"

/* ---- a Parquet file as batches ---------------------------------------------------------- */

lh_err tool_pq_stream_open(tool_pq_stream_t *ps, lh_pq_file_t *f, char **columns, int column_count,
                           lh_errbuf *eb)
{
    memset(ps, 0, sizeof *ps);
    ps->f = f;
    ps->schema = lh_pq_schema(f);
    int n = column_count > 0 ? column_count : ps->schema->field_count;
    ps->cols = calloc((size_t)n + 1, sizeof *ps->cols);
    ps->out_schema = lh_schema_create(n);
    LH_FAIL_IF(!ps->cols || !ps->out_schema, LH_E_NOMEM, eb, "out of memory");
    for (int i = 0; i < n; i++) {
        int c = column_count > 0 ? lh_schema_find(ps->schema, columns[i]) : i;
        LH_FAIL_IF(c < 0, LH_E_INVALID, eb, "column '%s' is not in the file", columns[i]);
        const lh_field_t *fl = &ps->schema->fields[c];
        lh_schema_set(ps->out_schema, i, fl->name, fl->type, fl->nullable);
        ps->cols[i] = c;
    }
    ps->rg = lh_batch_create(ps->out_schema, 0);
    ps->out = lh_batch_create(ps->out_schema, LH_BATCH_ROWS);
    LH_FAIL_IF(!ps->rg || !ps->out, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

lh_err tool_pq_stream_next(void *ctx, const lh_batch_t **out, lh_errbuf *eb)
{
    tool_pq_stream_t *ps = ctx;
    *out = NULL;
    while (ps->rg_off >= ps->rg_rows) {
        if (ps->next_rg >= lh_pq_row_group_count(ps->f))
            return LH_OK;
        lh_batch_reset(ps->rg);
        for (int i = 0; i < ps->out_schema->field_count; i++)
            LH_TRY(lh_pq_read_column(ps->f, ps->next_rg, ps->cols[i], ps->rg->cols[i], eb));
        ps->rg_rows = (size_t)lh_pq_row_group_num_rows(ps->f, ps->next_rg++);
        ps->rg_off = 0;
    }
    size_t n = ps->rg_rows - ps->rg_off;
    if (n > LH_BATCH_ROWS)
        n = LH_BATCH_ROWS;
    lh_batch_reset(ps->out);
    for (int i = 0; i < ps->out_schema->field_count; i++) {
        lh_vec_t *src = ps->rg->cols[i], *dst = ps->out->cols[i];
        for (size_t r = ps->rg_off; r < ps->rg_off + n; r++) {
            lh_err e;
            if (!lh_vec_is_valid(src, r))
                e = lh_vec_append_null(dst);
            else if (src->type.id == LH_TYPE_STRING || src->type.id == LH_TYPE_BINARY)
                e = lh_vec_append_str(dst, ((const lh_sv_t *)src->data)[r].ptr,
                                      ((const lh_sv_t *)src->data)[r].len);
            else if (src->type.id == LH_TYPE_FLOAT || src->type.id == LH_TYPE_DOUBLE)
                e = lh_vec_append_f64(dst, lh_vec_get_f64(src, r));
            else if (src->type.id == LH_TYPE_DECIMAL && src->type.precision > 18)
                e = lh_vec_append_i128(dst, ((const lh_i128 *)src->data)[r]);
            else if (src->type.id == LH_TYPE_NULL)
                e = lh_vec_append_null(dst);
            else
                e = lh_vec_append_i64(dst, lh_vec_get_i64(src, r));
            LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
        }
    }
    ps->out->row_count = n;
    ps->rg_off += n;
    *out = ps->out;
    return LH_OK;
}

void tool_pq_stream_close(tool_pq_stream_t *ps)
{
    free(ps->cols);
    lh_schema_destroy(ps->out_schema);
    lh_batch_destroy(ps->rg);
    lh_batch_destroy(ps->out);
    memset(ps, 0, sizeof *ps);
}

/* ---- schema ------------------------------------------------------------------------------- */

lh_err tool_cmd_schema(const tool_args_t *a, lh_errbuf *eb)
{
    const char *path = a->items[0];
    if (tool_is_file(path)) {
        lh_pq_file_t *f;
        LH_TRY(tool_open_parquet(path, &f, eb));
        char *s = NULL;
        lh_err e = LH_OK;
        if (lh_pq_nested_column_count(f) > 0) {
            tool_nested_t n;
            e = tool_nested_open(&n, f, eb);
            if (e == LH_OK)
                s = n.schema_string, n.schema_string = NULL;
            tool_nested_close(&n);
        } else {
            s = lh_delta_schema_to_string(lh_pq_schema(f));
        }
        lh_pq_close(f);
        LH_TRY(e);
        LH_FAIL_IF(s == NULL, LH_E_NOMEM, eb, "out of memory");
        printf("%s\n", s);
        free(s);
        return LH_OK;
    }
    lh_objstore_t *os;
    lh_delta_table_t *t;
    LH_TRY(tool_open_table(path, true, &os, &t, eb));
    lh_delta_snapshot_t *s;
    lh_err e = lh_delta_snapshot_latest(t, &s, eb);
    if (e == LH_OK) {
        printf("%s\n", lh_delta_snapshot_metadata(s)->schema_string);
        lh_delta_snapshot_release(s);
    }
    tool_close_table(os, t);
    return e;
}

/* ---- cat ---------------------------------------------------------------------------------- */

typedef struct printer {
    int64_t limit, printed; /* limit < 0: all */
    tool_buf_t line;
} printer_t;

/* Print a batch's rows; false once the limit is reached. */
static bool print_batch(printer_t *p, const lh_schema_t *schema, const lh_batch_t *b)
{
    for (size_t r = 0; r < b->row_count; r++) {
        if (p->limit >= 0 && p->printed >= p->limit)
            return false;
        p->line.len = 0;
        tool_buf_putn(&p->line, "{", 1);
        for (int c = 0; c < b->col_count; c++) {
            if (c)
                tool_buf_putn(&p->line, ",", 1);
            tool_buf_json_string(&p->line, schema->fields[c].name, strlen(schema->fields[c].name));
            tool_buf_putn(&p->line, ":", 1);
            tool_buf_json_value(&p->line, b->cols[c], r);
        }
        tool_buf_putn(&p->line, "}\n", 2);
        fwrite(p->line.ptr, 1, p->line.len, stdout);
        p->printed++;
    }
    return p->limit < 0 || p->printed < p->limit;
}

/* ---- cat of nested columns ------------------------------------------------------------ */

/* One output column of a nested cat: a top-level column of the file (top >= 0), else a
 * partition value (raw JSON text when quote is false) or null. */
typedef struct ncol {
    const char *name;
    int top;
    const char *part;
    bool quote;
} ncol_t;

static void nested_row(tool_nested_t *n, const ncol_t *cols, int ncols, tool_buf_t *line)
{
    line->len = 0;
    tool_buf_putn(line, "{", 1);
    for (int c = 0; c < ncols; c++) {
        if (c)
            tool_buf_putn(line, ",", 1);
        tool_buf_json_string(line, cols[c].name, strlen(cols[c].name));
        tool_buf_putn(line, ":", 1);
        if (cols[c].top >= 0)
            tool_nested_emit(n, cols[c].top, line);
        else if (cols[c].part == NULL)
            tool_buf_puts(line, "null");
        else if (cols[c].quote)
            tool_buf_json_string(line, cols[c].part, strlen(cols[c].part));
        else
            tool_buf_puts(line, cols[c].part);
    }
    tool_buf_putn(line, "}\n", 2);
}

/* Print the rows of a nested file; *more turns false once the limit is reached. */
static lh_err print_nested(tool_nested_t *n, const ncol_t *cols, int ncols, printer_t *p,
                           bool *more, lh_errbuf *eb)
{
    for (int rg = 0; *more && rg < lh_pq_row_group_count(n->f); rg++) {
        LH_TRY(tool_nested_load(n, rg, eb));
        for (int64_t r = 0; *more && r < n->rows; r++) {
            nested_row(n, cols, ncols, &p->line);
            for (int c = 0; n->corrupt && c < ncols; c++)
                if (cols[c].top >= 0)
                    LH_TRY(tool_nested_check(n, cols[c].top, eb));
            fwrite(p->line.ptr, 1, p->line.len, stdout);
            p->printed++;
            *more = p->limit < 0 || p->printed < p->limit;
        }
        for (int c = 0; *more && c < ncols; c++)
            if (cols[c].top >= 0)
                LH_TRY(tool_nested_check(n, cols[c].top, eb));
    }
    return LH_OK;
}

/* The file's top-level columns, or the named ones in that order. */
static lh_err nested_cols(const tool_nested_t *n, char **names, int count, ncol_t **out, int *nout,
                          lh_errbuf *eb)
{
    *nout = count > 0 ? count : n->tree->child_count;
    *out = calloc((size_t)*nout + 1, sizeof **out);
    LH_FAIL_IF(*out == NULL, LH_E_NOMEM, eb, "out of memory");
    for (int i = 0; i < *nout; i++) {
        int top = count > 0 ? tool_nested_find(n, names[i]) : i;
        LH_FAIL_IF(top < 0, LH_E_INVALID, eb, "column '%s' is not in the file", names[i]);
        (*out)[i] = (ncol_t){.name = n->tree->children[top].name, .top = top};
    }
    return LH_OK;
}

static lh_err cat_nested_parquet(lh_pq_file_t *f, char **names, int count, printer_t *p,
                                 lh_errbuf *eb)
{
    tool_nested_t n;
    ncol_t *cols = NULL;
    int ncols = 0;
    bool more = p->limit != 0;
    lh_err e = tool_nested_open(&n, f, eb);
    if (e == LH_OK)
        e = nested_cols(&n, names, count, &cols, &ncols, eb);
    if (e == LH_OK)
        e = print_nested(&n, cols, ncols, p, &more, eb);
    free(cols);
    tool_nested_close(&n);
    return e;
}

static lh_err cat_parquet(const char *path, char **cols, int ncols, printer_t *p, lh_errbuf *eb)
{
    lh_pq_file_t *f;
    LH_TRY(tool_open_parquet(path, &f, eb));
    if (lh_pq_nested_column_count(f) > 0) {
        lh_err e = cat_nested_parquet(f, cols, ncols, p, eb);
        lh_pq_close(f);
        return e;
    }
    tool_pq_stream_t ps;
    lh_err e = tool_pq_stream_open(&ps, f, cols, ncols, eb);
    while (e == LH_OK) {
        const lh_batch_t *b;
        e = tool_pq_stream_next(&ps, &b, eb);
        if (e != LH_OK || b == NULL || !print_batch(p, ps.out_schema, b))
            break;
    }
    tool_pq_stream_close(&ps);
    lh_pq_close(f);
    return e;
}

static lh_err cat_file(lh_delta_table_t *t, const lh_delta_snapshot_t *s, const lh_delta_add_t *f,
                       char **cols, int ncols, printer_t *p, bool *more, lh_errbuf *eb)
{
    lh_delta_reader_t *r;
    LH_TRY(lh_delta_reader_open(t, s, f, (const char *const *)cols, ncols, &r, eb));
    lh_err e = LH_OK;
    while (*more) {
        const lh_batch_t *b;
        if ((e = lh_delta_reader_next(r, &b, eb)) != LH_OK || b == NULL)
            break;
        *more = print_batch(p, lh_delta_reader_schema(r), b);
    }
    lh_delta_reader_close(r);
    return e;
}

/* Where column c of a nested table's file comes from: the file, else partitionValues. */
static void locate_col(const tool_nested_t *n, const lh_delta_metadata_t *md,
                       const lh_delta_add_t *add, ncol_t *c)
{
    c->top = tool_nested_find(n, c->name);
    c->part = NULL;
    int i = lh_schema_find(md->primitive_schema, c->name);
    if (c->top >= 0 || i < 0)
        return;
    c->part = lh_delta_map_get(&add->partition_values, md->primitive_schema->fields[i].name, NULL);
    lh_type_id id = md->primitive_schema->fields[i].type.id;
    c->quote = !(id >= LH_TYPE_BOOLEAN && id <= LH_TYPE_DOUBLE);
}

static lh_err cat_nested_file(lh_delta_table_t *t, const lh_delta_metadata_t *md,
                              const lh_delta_add_t *add, ncol_t *cols, int ncols, printer_t *p,
                              bool *more, lh_errbuf *eb)
{
    LH_FAIL_IF(add->has_deletion_vector, LH_E_UNSUPPORTED, eb,
               "data file '%s' has a deletion vector", add->path);
    LH_FAIL_IF(add->path[0] == '/' || strstr(add->path, "://") != NULL, LH_E_UNSUPPORTED, eb,
               "data file '%s' lies outside the table", add->path);
    char *key = lh_delta_table_key(t, add->path);
    LH_FAIL_IF(key == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_pq_source_t src;
    lh_err e = lh_objstore_open_source(lh_delta_table_store(t), key, &src, eb);
    free(key);
    LH_TRY(e);
    lh_pq_file_t *f;
    LH_TRY(lh_pq_open(&src, &f, eb));
    tool_nested_t n;
    e = tool_nested_open(&n, f, eb);
    for (int c = 0; e == LH_OK && c < ncols; c++)
        locate_col(&n, md, add, &cols[c]);
    if (e == LH_OK)
        e = print_nested(&n, cols, ncols, p, more, eb);
    tool_nested_close(&n);
    lh_pq_close(f);
    return e;
}

/* Name of the schemaString field called name (case-insensitively), or NULL. */
static const char *field_name(json_t *fields, const char *name)
{
    for (size_t k = 0; k < json_array_size(fields); k++) {
        const char *n = json_string_value(json_object_get(json_array_get(fields, k), "name"));
        if (n != NULL && strcasecmp(n, name) == 0)
            return n;
    }
    return NULL;
}

/* A table with nested columns: its schemaString's top-level fields (or the named ones),
 * each file assembled from its leaves. */
static lh_err cat_delta_nested(lh_delta_table_t *t, const lh_delta_snapshot_t *s, char **names,
                               int count, printer_t *p, lh_errbuf *eb)
{
    const lh_delta_metadata_t *md = lh_delta_snapshot_metadata(s);
    json_t *root = json_loads(md->schema_string, 0, NULL);
    json_t *fields = json_object_get(root, "fields");
    int ncols = count > 0 ? count : (int)json_array_size(fields);
    ncol_t *cols = calloc((size_t)ncols + 1, sizeof *cols);
    lh_err e = cols ? LH_OK : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    for (int i = 0; e == LH_OK && i < ncols; i++) {
        json_t *f = json_array_get(fields, (size_t)i);
        cols[i].name = count > 0 ? field_name(fields, names[i])
                                 : json_string_value(json_object_get(f, "name"));
        if (cols[i].name == NULL)
            e = lh_err_set(eb, count > 0 ? LH_E_INVALID : LH_E_CORRUPT, __FILE__, __LINE__,
                           count > 0 ? "column '%s' is not in the table"
                                     : "schemaString field %s has no name",
                           count > 0 ? names[i] : "?");
    }
    bool more = p->limit != 0;
    for (size_t i = 0; e == LH_OK && more && i < lh_delta_snapshot_file_count(s); i++)
        e = cat_nested_file(t, md, lh_delta_snapshot_file(s, i), cols, ncols, p, &more, eb);
    free(cols);
    json_decref(root);
    return e;
}

/* Whether a table's rows are assembled from the leaves (nested or unreadable columns). */
static bool has_nested(const lh_schema_t *schema)
{
    for (int i = 0; schema != NULL && i < schema->field_count; i++)
        if (lh_type_is_nested(schema->fields[i].type))
            return true;
    return schema == NULL;
}

static lh_err cat_delta(const char *dir, int64_t version, char **cols, int ncols, printer_t *p,
                        lh_errbuf *eb)
{
    lh_objstore_t *os;
    lh_delta_table_t *t;
    LH_TRY(tool_open_table(dir, true, &os, &t, eb));
    lh_delta_snapshot_t *s = NULL;
    lh_err e = version >= 0 ? lh_delta_snapshot_at_version(t, version, &s, eb)
                            : lh_delta_snapshot_latest(t, &s, eb);
    if (e == LH_OK && has_nested(lh_delta_snapshot_metadata(s)->schema)) {
        e = cat_delta_nested(t, s, cols, ncols, p, eb);
        lh_delta_snapshot_release(s);
        tool_close_table(os, t);
        return e;
    }
    if (e == LH_OK)
        e = lh_delta_snapshot_check_readable(s, eb);
    bool more = p->limit != 0;
    for (size_t i = 0; e == LH_OK && more && i < lh_delta_snapshot_file_count(s); i++)
        e = cat_file(t, s, lh_delta_snapshot_file(s, i), cols, ncols, p, &more, eb);
    lh_delta_snapshot_release(s);
    tool_close_table(os, t);
    return e;
}

lh_err tool_cmd_cat(const tool_args_t *a, lh_errbuf *eb)
{
    printer_t p = {.limit = -1};
    int64_t version;
    LH_TRY(tool_opt_int(a, "limit", -1, 0, INT64_MAX, &p.limit, eb));
    LH_TRY(tool_opt_int(a, "version", -1, 0, INT64_MAX, &version, eb));
    char **cols = NULL;
    const char *cs = tool_opt(a, "columns");
    int ncols = cs ? tool_split_list(cs, &cols) : 0;
    LH_FAIL_IF(cs && ncols == 0, LH_E_INVALID, eb, "--columns needs column names");
    const char *path = a->items[0];
    lh_err e;
    if (tool_is_file(path))
        e = version >= 0 ? lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                                      "--version needs a Delta table, not a Parquet file")
                         : cat_parquet(path, cols, ncols, &p, eb);
    else
        e = cat_delta(path, version, cols, ncols, &p, eb);
    tool_list_free(cols, ncols);
    tool_buf_free(&p.line);
    return e;
}

/* ---- history ------------------------------------------------------------------------------ */

lh_err tool_cmd_history(const tool_args_t *a, lh_errbuf *eb)
{
    int64_t limit;
    LH_TRY(tool_opt_int(a, "limit", 0, 0, INT64_MAX, &limit, eb));
    lh_objstore_t *os;
    lh_delta_table_t *t;
    LH_TRY(tool_open_table(a->items[0], true, &os, &t, eb));
    lh_delta_history_entry_t *h = NULL;
    size_t n = 0;
    lh_err e = lh_delta_history(t, (size_t)limit, &h, &n, eb);
    for (size_t i = 0; e == LH_OK && i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "version", json_integer(h[i].version));
        json_object_set_new(o, "timestamp", json_integer(h[i].timestamp_ms));
        json_t *ci = h[i].info.json ? json_loads(h[i].info.json, 0, NULL) : NULL;
        const char *k;
        json_t *v;
        json_object_foreach(ci, k, v)
        {
            if (strcmp(k, "timestamp") != 0 && strcmp(k, "version") != 0)
                json_object_set(o, k, v);
        }
        json_decref(ci);
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(o);
        if (s)
            printf("%s\n", s);
        free(s);
    }
    lh_delta_history_free(h, n);
    tool_close_table(os, t);
    return e;
}
