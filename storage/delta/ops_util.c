/*
 * ops_util.c - the pieces every table operation shares: predicate checking and row-wise
 * evaluation (SQL null semantics: a null value or literal never matches), batch row
 * copies, batch streams (over live files, materialized), commitInfo parameters
 * and metrics, and the commit step that fills lh_delta_op_result_t.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "storage/delta/delta_scan_internal.h"
#include "storage/delta/ops_internal.h"

void lh_delta_op_opts_default(lh_delta_op_opts_t *o)
{
    memset(o, 0, sizeof *o);
    lh_delta_write_opts_default(&o->write);
}

/* ---- predicates ---------------------------------------------------------------------------- */

static bool is_integer(lh_type_id t)
{
    return t >= LH_TYPE_BYTE && t <= LH_TYPE_LONG;
}

bool lh_delta_op_value_convert(const lh_value_t *v, lh_type_t t, lh_value_t *out)
{
    *out = *v;
    out->type = t;
    if (v->is_null || lh_type_equal(v->type, t))
        return true;
    lh_type_id from = v->type.id, to = t.id;
    if (is_integer(from) && is_integer(to))
        return true;
    if (is_integer(from) && (to == LH_TYPE_FLOAT || to == LH_TYPE_DOUBLE)) {
        out->v.f64 = (double)v->v.i64;
        return true;
    }
    if ((from == LH_TYPE_FLOAT || from == LH_TYPE_DOUBLE) &&
        (to == LH_TYPE_FLOAT || to == LH_TYPE_DOUBLE))
        return true;
    if ((from == LH_TYPE_STRING || from == LH_TYPE_BINARY) &&
        (to == LH_TYPE_STRING || to == LH_TYPE_BINARY))
        return true;
    if (is_integer(from) && to == LH_TYPE_DECIMAL && t.precision <= 18) {
        int64_t m = 1;
        for (int i = 0; i < t.scale; i++)
            m *= 10;
        out->v.i64 = v->v.i64 * m;
        return true;
    }
    return false;
}

lh_err lh_delta_op_preds_check(const lh_schema_t *schema, const lh_delta_pred_t *preds, int n,
                               int *cols, lh_errbuf *eb)
{
    char tn[32];
    for (int i = 0; i < n; i++) {
        const lh_delta_pred_t *p = &preds[i];
        int idx = p->column ? lh_schema_find(schema, p->column) : -1;
        LH_FAIL_IF(idx < 0, LH_E_INVALID, eb, "predicate column '%s' is not in the table",
                   p->column ? p->column : "(null)");
        LH_FAIL_IF(p->op == LH_PQ_IN ? p->value_count < 1 : p->value_count != 1, LH_E_INVALID, eb,
                   "predicate on '%s' has %d values", p->column, p->value_count);
        LH_FAIL_IF(p->values == NULL, LH_E_INVALID, eb, "predicate on '%s' has no value",
                   p->column);
        lh_type_t t = schema->fields[idx].type;
        for (int k = 0; k < p->value_count; k++) {
            lh_value_t c;
            LH_FAIL_IF(!lh_delta_op_value_convert(&p->values[k], t, &c), LH_E_INVALID, eb,
                       "predicate literal does not fit column '%s' of type %s", p->column,
                       lh_type_name(t, tn, sizeof tn));
        }
        if (cols)
            cols[i] = idx;
    }
    return LH_OK;
}

bool lh_delta_op_is_partition(const lh_delta_metadata_t *md, const char *col)
{
    for (int i = 0; i < md->partition_column_count; i++)
        if (strcasecmp(md->partition_columns[i], col) == 0)
            return true;
    return false;
}

bool lh_delta_op_preds_on_partitions(const lh_delta_metadata_t *md, const lh_delta_pred_t *preds,
                                     int n)
{
    for (int i = 0; i < n; i++)
        if (!lh_delta_op_is_partition(md, preds[i].column))
            return false;
    return true;
}

void lh_delta_op_row_value(const lh_vec_t *v, size_t r, lh_value_t *out)
{
    if (v->sel)
        r = v->sel[r];
    memset(out, 0, sizeof *out);
    out->type = v->type;
    out->is_null = !lh_vec_is_valid(v, r);
    if (out->is_null)
        return;
    if (lh_type_is_bytes(v->type)) { /* STRING, BINARY and the nested types */
        out->v.str = ((const lh_sv_t *)v->data)[r];
        return;
    }
    switch (v->type.id) {
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        out->v.f64 = lh_vec_get_f64(v, r);
        break;
    case LH_TYPE_DECIMAL:
        if (v->type.precision > 18) {
            out->v.i128 = ((const lh_i128 *)v->data)[r];
            break;
        }
        /* fall through */
    default:
        out->v.i64 = lh_vec_get_i64(v, r);
    }
}

/* AND one predicate into match[]. Literals are converted to the column type first. */
static void eval_one(const lh_vec_t *v, size_t rows, const lh_delta_pred_t *p, uint8_t *match)
{
    lh_value_t lits[16], *lit = lits;
    if (p->value_count > 16)
        lit = malloc((size_t)p->value_count * sizeof *lit);
    if (lit == NULL) { /* no memory: match nothing rather than too much */
        memset(match, 0, rows);
        return;
    }
    for (int k = 0; k < p->value_count; k++)
        lh_delta_op_value_convert(&p->values[k], v->type, &lit[k]);
    for (size_t r = 0; r < rows; r++) {
        if (!match[r])
            continue;
        lh_value_t x;
        lh_delta_op_row_value(v, r, &x);
        bool hit = false;
        for (int k = 0; !x.is_null && !hit && k < p->value_count; k++)
            hit = !lit[k].is_null && lh_delta_op_holds(p->op, lh_value_compare(&x, &lit[k]));
        match[r] = hit;
    }
    if (lit != lits)
        free(lit);
}

void lh_delta_op_eval(const lh_batch_t *b, const int *cols, const lh_delta_pred_t *preds, int n,
                      uint8_t *match)
{
    memset(match, 1, b->row_count);
    for (int i = 0; i < n; i++)
        eval_one(b->cols[cols[i]], b->row_count, &preds[i], match);
}

/* SQL text of a literal, appended to s. */
static void literal_sql(const lh_value_t *v, char *buf, size_t n)
{
    char tmp[40];
    if (v->is_null) {
        snprintf(buf, n, "NULL");
        return;
    }
    switch (v->type.id) {
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
        snprintf(buf, n, "'%.*s'", (int)(v->v.str.len > 200 ? 200 : v->v.str.len),
                 (const char *)v->v.str.ptr);
        return;
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        snprintf(buf, n, "%.17g", v->v.f64);
        return;
    case LH_TYPE_BOOLEAN:
        snprintf(buf, n, "%s", v->v.i64 ? "true" : "false");
        return;
    case LH_TYPE_DATE:
        lh_delta_format_date((int32_t)v->v.i64, tmp, sizeof tmp);
        snprintf(buf, n, "DATE '%s'", tmp);
        return;
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
        lh_delta_format_timestamp_ms(v->v.i64, tmp, sizeof tmp);
        snprintf(buf, n, "TIMESTAMP '%s'", tmp);
        return;
    default:
        snprintf(buf, n, "%" PRId64, v->v.i64);
    }
}

char *lh_delta_op_preds_json(const lh_delta_pred_t *preds, int n)
{
    static const char *const ops[] = {"=", "<", "<=", ">", ">=", "IN"};
    json_t *list = json_array();
    if (n > 0) {
        size_t cap = 256, len = 0;
        char *s = malloc(cap), lit[256];
        for (int i = 0; s && i < n; i++) {
            const lh_delta_pred_t *p = &preds[i];
            char one[1024];
            int k = snprintf(one, sizeof one, "(%s %s %s", p->column, ops[p->op],
                             p->op == LH_PQ_IN ? "(" : "");
            for (int j = 0; j < p->value_count && k < (int)sizeof one; j++) {
                literal_sql(&p->values[j], lit, sizeof lit);
                k += snprintf(one + k, sizeof one - (size_t)k, "%s%s", j ? ", " : "", lit);
            }
            if (k < (int)sizeof one)
                snprintf(one + k, sizeof one - (size_t)k, "%s)", p->op == LH_PQ_IN ? ")" : "");
            size_t need = len + strlen(one) + 8;
            char *ns = need > cap ? realloc(s, cap = need * 2) : s;
            if (ns == NULL) {
                free(s);
                s = NULL;
                break;
            }
            s = ns;
            len += (size_t)sprintf(s + len, "%s%s", i ? " AND " : "", one);
        }
        if (s == NULL) {
            json_decref(list);
            return NULL;
        }
        json_array_append_new(list, json_string(s));
        free(s);
    }
    char *out = json_dumps(list, JSON_COMPACT);
    json_decref(list);
    return out;
}

/* ---- batches and streams ------------------------------------------------------------------- */

lh_err lh_delta_op_copy_rows(const lh_batch_t *in, const uint32_t *rows, size_t n, lh_batch_t *out,
                             lh_errbuf *eb)
{
    if (rows == NULL)
        n = in->row_count;
    for (int c = 0; c < out->col_count; c++)
        LH_FAIL_IF(lh_delta_vec_gather(in->cols[c], rows, 0, n, out->cols[c]) != LH_OK, LH_E_NOMEM,
                   eb, "out of memory");
    out->row_count += n;
    return LH_OK;
}

void lh_delta_op_file_stream_init(lh_delta_op_file_stream_t *fs, lh_delta_table_t *t,
                                  const lh_delta_snapshot_t *s, const lh_delta_add_t *const *files,
                                  size_t n)
{
    memset(fs, 0, sizeof *fs);
    fs->t = t;
    fs->s = s;
    fs->files = files;
    fs->file_count = n;
}

lh_err lh_delta_op_file_stream_next(void *ctx, const lh_batch_t **out, lh_errbuf *eb)
{
    lh_delta_op_file_stream_t *fs = ctx;
    *out = NULL;
    for (;;) {
        if (fs->reader == NULL) {
            if (fs->next_file >= fs->file_count)
                return LH_OK;
            LH_TRY(lh_delta_reader_open(fs->t, fs->s, fs->files[fs->next_file++], NULL, 0,
                                        &fs->reader, eb));
        }
        const lh_batch_t *b;
        LH_TRY(lh_delta_reader_next(fs->reader, &b, eb));
        if (b == NULL) {
            lh_delta_reader_close(fs->reader);
            fs->reader = NULL;
            continue;
        }
        if (b->row_count == 0)
            continue;
        fs->rows_out += (int64_t)b->row_count;
        *out = b;
        return LH_OK;
    }
}

void lh_delta_op_file_stream_close(lh_delta_op_file_stream_t *fs)
{
    lh_delta_reader_close(fs->reader);
    fs->reader = NULL;
}

/* One batch copied into owned memory; column c of the copy is column src_col[c] of b. */
static lh_err copy_batch(const lh_batch_t *b, const lh_schema_t *schema, const int *src_col,
                         lh_batch_t **out, lh_errbuf *eb)
{
    lh_batch_t *copy = lh_batch_create(schema, b->row_count);
    LH_FAIL_IF(copy == NULL, LH_E_NOMEM, eb, "out of memory");
    *out = copy;
    for (int c = 0; c < schema->field_count; c++)
        LH_FAIL_IF(lh_delta_vec_gather(b->cols[src_col ? src_col[c] : c], NULL, 0, b->row_count,
                                       copy->cols[c]) != LH_OK,
                   LH_E_NOMEM, eb, "out of memory");
    copy->row_count = b->row_count;
    return LH_OK;
}

lh_err lh_delta_op_batches_load(lh_delta_op_batches_t *bs, const lh_schema_t *schema,
                                const int *src_col, lh_delta_batch_next_fn next, void *ctx,
                                lh_errbuf *eb)
{
    memset(bs, 0, sizeof *bs);
    size_t cap = 0;
    for (;;) {
        const lh_batch_t *b;
        LH_TRY(next(ctx, &b, eb));
        if (b == NULL)
            return LH_OK;
        if (b->row_count == 0)
            continue;
        LH_FAIL_IF(src_col == NULL && b->col_count != schema->field_count, LH_E_INVALID, eb,
                   "batch has %d columns, schema has %d", b->col_count, schema->field_count);
        if (bs->count == cap) {
            lh_batch_t **ni = realloc(bs->items, (cap = cap ? cap * 2 : 16) * sizeof *ni);
            LH_FAIL_IF(ni == NULL, LH_E_NOMEM, eb, "out of memory");
            bs->items = ni;
        }
        LH_TRY(copy_batch(b, schema, src_col, &bs->items[bs->count++], eb));
        bs->rows += b->row_count;
    }
}

void lh_delta_op_batches_free(lh_delta_op_batches_t *bs)
{
    for (size_t i = 0; i < bs->count; i++)
        lh_batch_destroy(bs->items[i]);
    free(bs->items);
    memset(bs, 0, sizeof *bs);
}

int64_t lh_delta_op_stats_num_records(const lh_delta_add_t *f)
{
    if (f->stats == NULL)
        return -1;
    json_t *j = json_loads(f->stats, 0, NULL);
    json_t *n = json_object_get(j, "numRecords");
    int64_t v = json_is_integer(n) ? (int64_t)json_integer_value(n) : -1;
    json_decref(j);
    return v;
}

lh_err lh_delta_op_count_matches(lh_delta_table_t *t, const lh_delta_snapshot_t *s,
                                 const lh_delta_add_t *f, const lh_delta_pred_t *preds, int n,
                                 int64_t *matched, int64_t *total, lh_errbuf *eb)
{
    *matched = *total = 0;
    const char *names[64];
    int cols[64], nc = 0;
    LH_FAIL_IF(n > 64, LH_E_INVALID, eb, "too many predicates (%d)", n);
    for (int i = 0; i < n; i++) {
        int k = 0;
        while (k < nc && strcasecmp(names[k], preds[i].column) != 0)
            k++;
        if (k == nc)
            names[nc++] = preds[i].column;
        cols[i] = k;
    }
    lh_delta_reader_t *r;
    LH_TRY(lh_delta_reader_open(t, s, f, nc ? names : NULL, nc, &r, eb));
    uint8_t *match = malloc(LH_BATCH_ROWS);
    lh_err e = match ? LH_OK : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    while (e == LH_OK) {
        const lh_batch_t *b;
        e = lh_delta_reader_next(r, &b, eb);
        if (e != LH_OK || b == NULL)
            break;
        lh_delta_op_eval(b, cols, preds, n, match);
        for (size_t i = 0; i < b->row_count; i++)
            *matched += match[i];
        *total += (int64_t)b->row_count;
    }
    free(match);
    lh_delta_reader_close(r);
    return e;
}

/* ---- commit --------------------------------------------------------------------------------- */

static void tally(const lh_delta_action_t *a, lh_delta_op_result_t *res)
{
    if (a->kind == LH_DELTA_ADD) {
        res->files_added++;
        res->bytes_added += a->u.add.size_bytes;
    } else if (a->kind == LH_DELTA_REMOVE) {
        res->files_removed++;
        res->bytes_removed += a->u.remove.has_size ? a->u.remove.size_bytes : 0;
    }
}

void lh_delta_op_staged_tally(const lh_delta_txn_t *x, lh_delta_op_result_t *res)
{
    res->files_added = res->files_removed = res->bytes_added = res->bytes_removed = 0;
    size_t n = lh_delta_txn_staged_count(x);
    for (size_t i = 0; i < n; i++)
        tally(lh_delta_txn_staged(x, i), res);
}

static char *metrics_json(const lh_delta_op_metric_t *m, int n)
{
    json_t *o = json_object();
    for (int i = 0; i < n; i++) {
        char buf[24];
        snprintf(buf, sizeof buf, "%" PRId64, m[i].value);
        json_object_set_new(o, m[i].name, json_string(buf));
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

/* operationParameters (stolen) and operationMetrics as JSON texts; NULL when absent. */
static lh_err commit_texts(json_t *params, const lh_delta_op_metric_t *metrics, int metric_count,
                           char **p, char **m, lh_errbuf *eb)
{
    *p = params ? json_dumps(params, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    *m = metric_count > 0 ? metrics_json(metrics, metric_count) : NULL;
    bool ok = (params == NULL || *p != NULL) && (metric_count == 0 || *m != NULL);
    json_decref(params);
    if (ok)
        return LH_OK;
    free(*p);
    free(*m);
    *p = *m = NULL;
    LH_FAIL(LH_E_NOMEM, eb, "out of memory");
}

lh_err lh_delta_op_commit(lh_delta_txn_t *x, const char *operation, json_t *params,
                          const lh_delta_op_metric_t *metrics, int metric_count,
                          lh_delta_op_result_t *res, lh_errbuf *eb)
{
    char *p, *m;
    LH_TRY(commit_texts(params, metrics, metric_count, &p, &m, eb));
    lh_err e = lh_delta_txn_set_operation(x, operation, p, eb);
    if (e == LH_OK && m != NULL)
        e = lh_delta_txn_set_metrics(x, m, eb);
    free(p);
    free(m);
    LH_TRY(e);
    return lh_delta_txn_commit(x, &res->version, eb);
}

lh_err lh_delta_op_commit_w(lh_delta_wtxn_t *w, const char *operation, json_t *params,
                            const lh_delta_op_metric_t *metrics, int metric_count, unsigned flags,
                            lh_delta_op_result_t *res, lh_errbuf *eb)
{
    char *p, *m;
    LH_TRY(commit_texts(params, metrics, metric_count, &p, &m, eb));
    lh_err e = lh_delta_wtxn_commit(w, operation, p, m, flags, &res->version, eb);
    free(p);
    free(m);
    return e;
}

lh_err lh_delta_op_snapshot_or_none(lh_delta_table_t *t, lh_delta_snapshot_t **out, lh_errbuf *eb)
{
    *out = NULL;
    lh_errbuf local;
    lh_errbuf_clear(&local);
    lh_err e = lh_delta_snapshot_latest(t, out, &local);
    if (e == LH_E_NOT_FOUND) {
        int64_t v;
        /* "no commits" is a new table; a missing version inside a log is not */
        if (lh_delta_latest_version(t, &v, NULL) == LH_E_NOT_FOUND)
            return LH_OK;
    }
    if (e != LH_OK && eb)
        *eb = local;
    return e;
}
