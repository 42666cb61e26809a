/*
 * cmd_read.c - the read-only commands: schema, cat, history.
 *
 * schema prints the Delta schemaString (for a Parquet file, the one its flat columns would
 * get). cat prints rows as JSON lines in column order, from a Parquet file or from a Delta
 * snapshot (latest or --version N), file by file in path order. history prints one JSON
 * object per commit, newest first: {"version", "timestamp", ...commitInfo}.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

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
        char *s = lh_delta_schema_to_string(lh_pq_schema(f));
        for (int i = 0; i < lh_pq_nested_column_count(f); i++)
            fprintf(stderr, "lakehouse-tool: note: nested column '%s' is not shown\n",
                    lh_pq_nested_column_name(f, i));
        lh_pq_close(f);
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

static lh_err cat_parquet(const char *path, char **cols, int ncols, printer_t *p, lh_errbuf *eb)
{
    lh_pq_file_t *f;
    LH_TRY(tool_open_parquet(path, &f, eb));
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

static lh_err cat_delta(const char *dir, int64_t version, char **cols, int ncols, printer_t *p,
                        lh_errbuf *eb)
{
    lh_objstore_t *os;
    lh_delta_table_t *t;
    LH_TRY(tool_open_table(dir, true, &os, &t, eb));
    lh_delta_snapshot_t *s = NULL;
    lh_err e = version >= 0 ? lh_delta_snapshot_at_version(t, version, &s, eb)
                            : lh_delta_snapshot_latest(t, &s, eb);
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
