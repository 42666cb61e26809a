/*
 * rewrite.c - write transactions: the file-level primitives of rewrite.h over a
 * commit.c transaction, a lazily opened output writer (write.c's push writer) and the
 * delta reader.
 *
 * Rewriting one file (lh_delta_wtxn_rewrite):
 *   1. f must be live in the snapshot; it joins the read set (ConcurrentDeleteRead when a
 *      winner removes it).
 *   2. Read f batch by batch (all columns, table order) and ask the callback. While every
 *      answer is KEEP_ALL nothing is written: a file nobody changes costs one read.
 *   3. On the first change (or at once under LH_DELTA_REWRITE_EAGER) stage remove(f) and
 *      re-read the k leading kept batches into the output writer, so rows keep their
 *      order without holding them in memory.
 *   4. From then on every batch's survivors (selection, no copy) or replacement go to the
 *      output writer; adds are staged when its files close (flush / commit / roll-over).
 * A selection is validated (in range, strictly ascending) and a replacement batch must
 * have the table's column types: both come from another module.
 *
 * Abort deletes the objects of every staged add; a commit that failed with an error that
 * could have come after the log entry landed (an I/O error) makes the outcome unknown, and
 * then the files stay for VACUUM rather than risk deleting committed data.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "storage/delta/delta_internal.h"
#include "storage/delta/rewrite.h"

typedef enum { WTXN_ACTIVE, WTXN_COMMITTED, WTXN_ABORTED } wtxn_state;

struct lh_delta_wtxn {
    lh_delta_txn_t *x;
    lh_delta_table_t *t;
    const lh_delta_snapshot_t *s; /* held by x; NULL when creating */
    lh_delta_write_opts_t opts;   /* output writer options (merge_schema off) */
    lh_delta_file_writer_t *out;  /* the output writer, opened on the first row */
    uint32_t *rows;               /* complement of a DELETE_ROWS selection */
    size_t rows_cap;
    wtxn_state state;
    bool outcome_unknown; /* a commit failed in a way that may have committed */
};

/* ---- lifecycle --------------------------------------------------------------------------- */

lh_err lh_delta_wtxn_begin(lh_delta_table_t *t, lh_delta_snapshot_t *s,
                           const lh_delta_write_opts_t *opts, lh_delta_wtxn_t **out, lh_errbuf *eb)
{
    *out = NULL;
    lh_delta_wtxn_t *w = calloc(1, sizeof *w);
    LH_FAIL_IF(w == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = opts && opts->enforces_constraints ? lh_delta_txn_begin_enforcing(t, s, &w->x, eb)
                                                  : lh_delta_txn_begin(t, s, &w->x, eb);
    if (e != LH_OK) {
        free(w);
        return e;
    }
    w->t = t;
    w->s = lh_delta_txn_snapshot(w->x);
    if (opts)
        w->opts = *opts;
    else
        lh_delta_write_opts_default(&w->opts);
    w->opts.merge_schema = false;
    *out = w;
    return LH_OK;
}

lh_delta_txn_t *lh_delta_wtxn_txn(lh_delta_wtxn_t *w)
{
    return w->x;
}

const lh_delta_snapshot_t *lh_delta_wtxn_snapshot(const lh_delta_wtxn_t *w)
{
    return w->s;
}

static lh_err active(const lh_delta_wtxn_t *w, lh_errbuf *eb)
{
    LH_FAIL_IF(w->state != WTXN_ACTIVE, LH_E_STATE, eb, "write transaction already %s",
               w->state == WTXN_COMMITTED ? "committed" : "aborted");
    return LH_OK;
}

/* Delete the objects of the staged adds (they were written by this transaction). */
static void delete_written(lh_delta_wtxn_t *w)
{
    size_t n = lh_delta_txn_staged_count(w->x);
    for (size_t i = 0; i < n; i++) {
        const lh_delta_action_t *a = lh_delta_txn_staged(w->x, i);
        if (a->kind != LH_DELTA_ADD)
            continue;
        char *key = lh_delta_table_key(w->t, a->u.add.path);
        lh_errbuf eb;
        lh_errbuf_clear(&eb);
        lh_err e = key ? lh_objstore_delete(lh_delta_table_store(w->t), key, &eb) : LH_E_NOMEM;
        if (e != LH_OK && e != LH_E_NOT_FOUND)
            lh_log(LH_LOG_WARN, "delta: abort could not delete '%s': %s", a->u.add.path, eb.msg);
        free(key);
    }
}

void lh_delta_wtxn_abort(lh_delta_wtxn_t *w)
{
    if (w == NULL || w->state != WTXN_ACTIVE)
        return;
    lh_delta_file_writer_abort(w->out);
    w->out = NULL;
    if (!w->outcome_unknown)
        delete_written(w);
    w->state = WTXN_ABORTED;
}

void lh_delta_wtxn_destroy(lh_delta_wtxn_t *w)
{
    if (w == NULL)
        return;
    lh_delta_wtxn_abort(w);
    lh_delta_txn_destroy(w->x);
    free(w->rows);
    free(w);
}

/* ---- reading ----------------------------------------------------------------------------- */

static int cmp_live(const void *key, const void *elem)
{
    return strcmp(key, ((const lh_delta_add_t *)elem)->path);
}

/* The snapshot's own add for f (f may be a copy), or LH_E_INVALID when f is not live. */
static lh_err find_live(const lh_delta_wtxn_t *w, const lh_delta_add_t *f,
                        const lh_delta_add_t **live, lh_errbuf *eb)
{
    LH_FAIL_IF(w->s == NULL, LH_E_STATE, eb, "the transaction creates the table: no files");
    LH_FAIL_IF(f == NULL || f->path == NULL, LH_E_INVALID, eb, "no file given");
    *live = w->s->file_count
                ? bsearch(f->path, w->s->files, w->s->file_count, sizeof *w->s->files, cmp_live)
                : NULL;
    LH_FAIL_IF(*live == NULL, LH_E_INVALID, eb, "file '%s' is not live in version %lld", f->path,
               (long long)w->s->version);
    return LH_OK;
}

lh_err lh_delta_wtxn_scan_files(lh_delta_wtxn_t *w, const lh_delta_pred_t *preds, int pred_count,
                                const lh_delta_add_t ***files, size_t *count, lh_errbuf *eb)
{
    *files = NULL;
    *count = 0;
    LH_TRY(active(w, eb));
    LH_FAIL_IF(w->s == NULL, LH_E_STATE, eb, "the transaction creates the table: no files");
    LH_TRY(lh_delta_txn_read_predicate(w->x, preds, pred_count, eb));
    return lh_delta_scan_files(w->s, preds, pred_count, files, count, eb);
}

lh_err lh_delta_wtxn_remove(lh_delta_wtxn_t *w, const lh_delta_add_t *f, lh_errbuf *eb)
{
    const lh_delta_add_t *live;
    LH_TRY(active(w, eb));
    LH_TRY(find_live(w, f, &live, eb));
    LH_TRY(lh_delta_txn_read_file(w->x, live->path, eb));
    return lh_delta_txn_remove_live(w->x, live, true, eb);
}

/* ---- the output writer ------------------------------------------------------------------- */

/* The batch schema of the output: the snapshot's (what the reader gives), or on create
 * the staged metadata's. */
static const lh_schema_t *table_schema(const lh_delta_wtxn_t *w)
{
    if (w->s != NULL)
        return w->s->metadata.schema;
    const lh_delta_metadata_t *md = lh_delta_txn_metadata(w->x);
    return md ? md->schema : NULL;
}

static lh_err check_batch(const lh_delta_wtxn_t *w, const lh_batch_t *b, lh_errbuf *eb)
{
    const lh_schema_t *ts = table_schema(w);
    LH_FAIL_IF(ts == NULL, LH_E_STATE, eb, "the table has no readable schema");
    LH_FAIL_IF(b == NULL || b->col_count != ts->field_count, LH_E_INVALID, eb,
               "batch has %d columns, the table has %d", b ? b->col_count : 0, ts->field_count);
    char a[32], c[32];
    for (int i = 0; i < ts->field_count; i++)
        LH_FAIL_IF(!lh_type_equal(b->cols[i]->type, ts->fields[i].type), LH_E_INVALID, eb,
                   "batch column %d is %s but table column '%s' is %s", i,
                   lh_type_name(b->cols[i]->type, a, sizeof a), ts->fields[i].name,
                   lh_type_name(ts->fields[i].type, c, sizeof c));
    return LH_OK;
}

static lh_err output(lh_delta_wtxn_t *w, const lh_batch_t *b, const uint32_t *rows, size_t n,
                     lh_errbuf *eb)
{
    if ((rows ? n : b->row_count) == 0)
        return LH_OK;
    if (w->out == NULL)
        LH_TRY(lh_delta_file_writer_open(w->x, table_schema(w), &w->opts, &w->out, eb));
    return lh_delta_file_writer_write(w->out, b, rows, n, eb);
}

static lh_err check_rows(const uint32_t *rows, size_t n, size_t row_count, lh_errbuf *eb)
{
    LH_FAIL_IF(n > 0 && rows == NULL, LH_E_INVALID, eb, "selection of %zu rows has no rows", n);
    for (size_t i = 0; i < n; i++)
        LH_FAIL_IF(rows[i] >= row_count || (i > 0 && rows[i] <= rows[i - 1]), LH_E_INVALID, eb,
                   "selection entry %zu (row %u) is out of range or not ascending", i, rows[i]);
    return LH_OK;
}

lh_err lh_delta_wtxn_insert(lh_delta_wtxn_t *w, const lh_batch_t *b, const uint32_t *rows,
                            size_t row_count, lh_errbuf *eb)
{
    LH_TRY(active(w, eb));
    LH_TRY(check_batch(w, b, eb));
    if (rows != NULL)
        LH_TRY(check_rows(rows, row_count, b->row_count, eb));
    return output(w, b, rows, row_count, eb);
}

lh_err lh_delta_wtxn_flush(lh_delta_wtxn_t *w, lh_errbuf *eb)
{
    LH_TRY(active(w, eb));
    lh_delta_file_writer_t *out = w->out;
    w->out = NULL;
    return out ? lh_delta_file_writer_close(out, eb) : LH_OK;
}

lh_err lh_delta_wtxn_write(lh_delta_wtxn_t *w, const lh_schema_t *schema,
                           lh_delta_batch_next_fn next, void *ctx,
                           const lh_delta_write_opts_t *opts, lh_errbuf *eb)
{
    LH_TRY(lh_delta_wtxn_flush(w, eb));
    return lh_delta_write_files(w->x, schema, next, ctx, opts ? opts : &w->opts, eb);
}

/* ---- rewriting one file -------------------------------------------------------------------- */

/* Validate the callback's answer; a selection that keeps every row is KEEP_ALL. */
static lh_err normalize(lh_delta_rewrite_result_t *r, const lh_batch_t *b, lh_errbuf *eb)
{
    switch (r->action) {
    case LH_DELTA_REWRITE_KEEP_ALL:
        return LH_OK;
    case LH_DELTA_REWRITE_KEEP_ROWS:
    case LH_DELTA_REWRITE_DELETE_ROWS:
        LH_TRY(check_rows(r->rows, r->row_count, b->row_count, eb));
        if (r->row_count == (r->action == LH_DELTA_REWRITE_KEEP_ROWS ? b->row_count : 0))
            r->action = LH_DELTA_REWRITE_KEEP_ALL;
        return LH_OK;
    case LH_DELTA_REWRITE_REPLACE:
        return LH_OK; /* checked when written */
    }
    LH_FAIL(LH_E_INVALID, eb, "unknown rewrite action %d", (int)r->action);
}

/* Rows of b not in the ascending selection del, into w->rows. */
static lh_err complement(lh_delta_wtxn_t *w, const lh_batch_t *b, const uint32_t *del, size_t n,
                         size_t *kept, lh_errbuf *eb)
{
    if (w->rows_cap < b->row_count) {
        uint32_t *nr = realloc(w->rows, b->row_count * sizeof *nr);
        LH_FAIL_IF(nr == NULL, LH_E_NOMEM, eb, "out of memory");
        w->rows = nr;
        w->rows_cap = b->row_count;
    }
    size_t k = 0, d = 0;
    for (uint32_t r = 0; r < b->row_count; r++) {
        if (d < n && del[d] == r)
            d++;
        else
            w->rows[k++] = r;
    }
    *kept = k;
    return LH_OK;
}

static lh_err emit(lh_delta_wtxn_t *w, const lh_batch_t *b, const lh_delta_rewrite_result_t *r,
                   int64_t *written, lh_errbuf *eb)
{
    size_t n = b->row_count;
    switch (r->action) {
    case LH_DELTA_REWRITE_KEEP_ALL:
        LH_TRY(output(w, b, NULL, 0, eb));
        break;
    case LH_DELTA_REWRITE_KEEP_ROWS: /* rows may be NULL when none is kept */
        n = r->row_count;
        if (n > 0)
            LH_TRY(output(w, b, r->rows, n, eb));
        break;
    case LH_DELTA_REWRITE_DELETE_ROWS:
        LH_TRY(complement(w, b, r->rows, r->row_count, &n, eb));
        if (n > 0)
            LH_TRY(output(w, b, w->rows, n, eb));
        break;
    case LH_DELTA_REWRITE_REPLACE:
        LH_TRY(check_batch(w, r->batch, eb));
        n = r->batch->row_count;
        LH_TRY(output(w, r->batch, NULL, 0, eb));
        break;
    }
    *written += (int64_t)n;
    return LH_OK;
}

/* Write the first k batches of f again, unchanged (they were kept before the first change). */
static lh_err replay(lh_delta_wtxn_t *w, const lh_delta_add_t *f, size_t k, int64_t *written,
                     lh_errbuf *eb)
{
    if (k == 0)
        return LH_OK;
    lh_delta_reader_t *r;
    LH_TRY(lh_delta_reader_open(w->t, w->s, f, NULL, 0, &r, eb));
    lh_err e = LH_OK;
    for (size_t i = 0; e == LH_OK && i < k; i++) {
        const lh_batch_t *b;
        e = lh_delta_reader_next(r, &b, eb);
        if (e == LH_OK && b == NULL)
            e = lh_err_set(eb, LH_E_CORRUPT, __FILE__, __LINE__,
                           "file '%s' ended early when read again", f->path);
        if (e == LH_OK)
            e = output(w, b, NULL, 0, eb);
        if (e == LH_OK)
            *written += (int64_t)b->row_count;
    }
    lh_delta_reader_close(r);
    return e;
}

static lh_err begin_change(lh_delta_wtxn_t *w, const lh_delta_add_t *f, size_t kept,
                           lh_delta_rewrite_stats_t *st, lh_errbuf *eb)
{
    LH_TRY(lh_delta_txn_remove_live(w->x, f, true, eb));
    st->changed = true;
    return replay(w, f, kept, &st->rows_written, eb);
}

static lh_err rewrite_batches(lh_delta_wtxn_t *w, lh_delta_reader_t *r, const lh_delta_add_t *f,
                              lh_delta_rewrite_fn fn, void *ctx, lh_delta_rewrite_stats_t *st,
                              lh_errbuf *eb)
{
    size_t kept = 0; /* leading batches kept whole while nothing changed */
    for (;;) {
        const lh_batch_t *b;
        LH_TRY(lh_delta_reader_next(r, &b, eb));
        if (b == NULL)
            return LH_OK;
        st->rows_read += (int64_t)b->row_count;
        lh_delta_rewrite_result_t res;
        memset(&res, 0, sizeof res);
        LH_TRY(fn(ctx, b, &res, eb));
        LH_TRY(normalize(&res, b, eb));
        if (!st->changed && res.action == LH_DELTA_REWRITE_KEEP_ALL) {
            kept++;
            continue;
        }
        if (!st->changed)
            LH_TRY(begin_change(w, f, kept, st, eb));
        LH_TRY(emit(w, b, &res, &st->rows_written, eb));
    }
}

lh_err lh_delta_wtxn_rewrite(lh_delta_wtxn_t *w, const lh_delta_add_t *f, lh_delta_rewrite_fn fn,
                             void *ctx, unsigned flags, lh_delta_rewrite_stats_t *stats,
                             lh_errbuf *eb)
{
    lh_delta_rewrite_stats_t st = {0};
    if (stats)
        *stats = st;
    const lh_delta_add_t *live;
    LH_TRY(active(w, eb));
    LH_TRY(find_live(w, f, &live, eb));
    LH_TRY(lh_delta_txn_read_file(w->x, live->path, eb));
    if (flags & LH_DELTA_REWRITE_EAGER)
        LH_TRY(begin_change(w, live, 0, &st, eb));
    lh_delta_reader_t *r;
    LH_TRY(lh_delta_reader_open(w->t, w->s, live, NULL, 0, &r, eb));
    lh_err e = rewrite_batches(w, r, live, fn, ctx, &st, eb);
    lh_delta_reader_close(r);
    if (stats)
        *stats = st;
    return e;
}

/* ---- commit ---------------------------------------------------------------------------------- */

bool lh_delta_wtxn_changed(const lh_delta_wtxn_t *w)
{
    size_t n = lh_delta_txn_staged_count(w->x);
    for (size_t i = 0; i < n; i++) {
        lh_delta_action_kind k = lh_delta_txn_staged(w->x, i)->kind;
        if (k == LH_DELTA_ADD || k == LH_DELTA_REMOVE)
            return true;
    }
    return false;
}

/* Errors after which the log entry certainly was not written. */
static bool surely_not_committed(lh_err e)
{
    return e == LH_E_CONFLICT || e == LH_E_EXISTS || e == LH_E_INVALID || e == LH_E_STATE ||
           e == LH_E_UNSUPPORTED || e == LH_E_NOMEM;
}

lh_err lh_delta_wtxn_commit(lh_delta_wtxn_t *w, const char *operation, const char *params_json,
                            const char *metrics_json, unsigned flags, int64_t *version,
                            lh_errbuf *eb)
{
    if (version)
        *version = -1;
    LH_TRY(lh_delta_wtxn_flush(w, eb));
    if (!(flags & LH_DELTA_COMMIT_ALLOW_EMPTY) && lh_delta_txn_is_empty(w->x)) {
        w->state = WTXN_COMMITTED; /* nothing to write, nothing written */
        return LH_OK;
    }
    LH_TRY(lh_delta_txn_set_operation(w->x, operation, params_json, eb));
    if (metrics_json != NULL)
        LH_TRY(lh_delta_txn_set_metrics(w->x, metrics_json, eb));
    int64_t v = -1;
    lh_err e = lh_delta_txn_commit(w->x, &v, eb);
    if (e != LH_OK) {
        w->outcome_unknown |= !surely_not_committed(e);
        return e;
    }
    w->state = WTXN_COMMITTED;
    if (version)
        *version = v;
    return LH_OK;
}
