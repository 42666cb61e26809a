/*
 * checks.c - what every write into a Delta table must satisfy, and how storage's write
 * errors read as Delta's error classes. Shared by write.c (INSERT, CTAS) and dml.c
 * (UPDATE, MERGE).
 *
 *   NOT NULL columns   a null in one fails with DELTA_NOT_NULL_CONSTRAINT_VIOLATED
 *   CHECK constraints  a row whose check is FALSE or NULL (Delta's rule: only TRUE passes)
 *                      fails with DELTA_VIOLATE_CONSTRAINT_WITH_VALUES, naming the
 *                      constraint and the values of the columns it reads, sorted by name,
 *                      as Delta prints them (" - col : value" lines)
 *
 * A violation fails the statement before its commit, so the caller aborts the write
 * transaction and nothing becomes visible.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/exec/exec_internal.h"
#include "compute/func/format.h"
#include "compute/sql/sqlerr.h"

lh_err exec_checker_init(exec_checker *k, exec_query *q, const lh_plan_checks_t *c, lh_errbuf *eb)
{
    memset(k, 0, sizeof *k);
    k->c = c;
    k->q = q;
    if (c == NULL || c->count == 0)
        return LH_OK;
    k->exprs = calloc((size_t)c->count, sizeof *k->exprs);
    LH_FAIL_IF(k->exprs == NULL, LH_E_NOMEM, eb, "out of memory");
    memcpy(k->exprs, c->exprs, (size_t)c->count * sizeof *k->exprs);
    int nodes = exec_number(q, k->exprs, c->count);
    k->st = lh_expr_state_create(nodes, q->conf);
    LH_FAIL_IF(k->st == NULL, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

void exec_checker_free(exec_checker *k)
{
    if (k->st)
        lh_expr_state_destroy(k->st);
    free(k->exprs);
    memset(k, 0, sizeof *k);
}

static void mark_columns(const lh_expr_t *e, bool *used, int n)
{
    if (e->kind == LH_EXPR_COLUMN && e->column >= 0 && e->column < n)
        used[e->column] = true;
    for (int i = 0; i < e->arg_count; i++)
        mark_columns(e->args[i], used, n);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* " - a : 1\n - b : null" for the columns check i reads, row r of b. */
static void violation_values(const exec_checker *k, int i, const lh_batch_t *b, size_t r, char *out,
                             size_t size)
{
    const lh_plan_checks_t *c = k->c;
    int n = c->col_count < b->col_count ? c->col_count : b->col_count;
    bool used[256] = {false};
    mark_columns(c->exprs[i], used, n < 256 ? n : 256);
    const char *lines[256];
    int count = 0;
    char buf[256][LH_FMT_MAX + 160];
    const lh_tz_t *tz = lh_tz_get(k->q->conf ? k->q->conf->time_zone : "UTC");
    for (int col = 0; col < n && col < 256; col++) {
        if (!used[col])
            continue;
        char text[LH_FMT_MAX];
        const char *s = "null";
        size_t len = 4;
        if (lh_vec_is_valid(b->cols[col], r))
            len = lh_format_vec(b->cols[col], r, tz, LH_FMT_RESULT, text, &s);
        snprintf(buf[count], sizeof buf[count], "%s : %.*s", c->col_names[col], (int)len, s);
        lines[count] = buf[count];
        count++;
    }
    qsort(lines, (size_t)count, sizeof *lines, cmp_name);
    size_t at = 0;
    out[0] = '\0';
    for (int j = 0; j < count && at < size; j++)
        at += (size_t)snprintf(out + at, size - at, "%s - %s", j ? "\n" : "", lines[j]);
}

lh_err exec_checker_run(exec_checker *k, const lh_batch_t *b, lh_errbuf *eb)
{
    const lh_plan_checks_t *c = k->c;
    if (c == NULL || b->row_count == 0)
        return LH_OK;
    for (int col = 0; col < c->col_count && col < b->col_count; col++) {
        if (c->not_null == NULL || !c->not_null[col])
            continue;
        for (size_t r = 0; r < b->row_count; r++)
            if (!lh_vec_is_valid(b->cols[col], r))
                return lh_sqlerr(eb, "DELTA_NOT_NULL_CONSTRAINT_VIOLATED", "columnName",
                                 c->col_names[col], NULL);
    }
    for (int i = 0; i < c->count; i++) {
        const lh_vec_t *v;
        LH_TRY(lh_expr_eval(k->st, k->exprs[i], b, &v, eb));
        for (size_t r = 0; r < b->row_count; r++) {
            if (lh_vec_is_valid(v, r) && ((const uint8_t *)v->data)[r])
                continue;
            char values[4096];
            violation_values(k, i, b, r, values, sizeof values);
            /* Spark's expression.sql: a binary operator prints in parentheses */
            const lh_expr_t *x = c->exprs[i];
            bool binary = x->kind == LH_EXPR_AND || x->kind == LH_EXPR_OR ||
                          (x->kind == LH_EXPR_CALL && x->arg_count == 2 && c->texts[i][0] != '(');
            char sql[1024];
            snprintf(sql, sizeof sql, binary ? "(%s)" : "%s", c->texts[i]);
            return lh_sqlerr(eb, "DELTA_VIOLATE_CONSTRAINT_WITH_VALUES", "constraintName",
                             c->names[i], "expression", sql, "values", values, NULL);
        }
    }
    return LH_OK;
}

/* storage's conflict names -> Delta's error classes */
static const char *const CONFLICTS[][2] = {
    {"ConcurrentAppendException", "DELTA_CONCURRENT_APPEND"},
    {"ConcurrentDeleteReadException", "DELTA_CONCURRENT_DELETE_READ"},
    {"ConcurrentDeleteDeleteException", "DELTA_CONCURRENT_DELETE_DELETE"},
    {"ProtocolChangedException", "DELTA_PROTOCOL_CHANGED"},
    {"MetadataChangedException", "DELTA_METADATA_CHANGED"},
    {"ConcurrentTransactionException", "DELTA_CONCURRENT_TRANSACTION"},
    {"ConcurrentModificationException", "DELTA_CONCURRENT_WRITE"},
};

lh_err exec_delta_error(lh_err e, lh_errbuf *eb)
{
    if (e != LH_E_CONFLICT || eb == NULL)
        return e;
    const char *cls = "DELTA_CONCURRENT_WRITE";
    for (size_t i = 0; i < sizeof CONFLICTS / sizeof CONFLICTS[0]; i++)
        if (eb->error_code && strcmp(eb->error_code, CONFLICTS[i][0]) == 0)
            cls = CONFLICTS[i][1];
    char detail[sizeof eb->msg];
    snprintf(detail, sizeof detail, "%s", eb->msg);
    lh_sqlerr(eb, cls, "conflictingCommit", detail, NULL);
    eb->code = LH_E_CONFLICT;
    return LH_E_CONFLICT;
}
