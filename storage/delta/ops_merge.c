/*
 * ops_merge.c - MERGE INTO t USING s ON t.k1 = s.k1 AND ... (upsert: WHEN MATCHED UPDATE
 * SET *, WHEN NOT MATCHED INSERT *), copy-on-write.
 *
 *   1. Load the source into memory (reordered to the table's column order) and index its
 *      rows by key in a hash table; rows with the same key are chained. Null keys are not
 *      indexed (they never match, so they are inserted).
 *   2. Candidate target files: the source's per-key [min, max] as GE/LE predicates through
 *      lh_delta_scan_files (partition values decide exactly, stats conservatively).
 *   3. Probe each candidate's key columns. A target row matched by a chain of two or more
 *      source rows fails the MERGE (Delta's "multiple source rows matched").
 *   4. Each file with a match is rewritten (lh_delta_wtxn_rewrite: read set, remove) keeping
 *      its unmatched rows (a KEEP_ROWS selection); then every source row goes to the same
 *      output (lh_delta_wtxn_insert) once per target row it matched (the updated rows), or
 *      once when it matched none (inserts). Both share the transaction's new files.
 * The read set is the whole table plus each touched file, so a concurrent writer that
 * removes a touched file or adds non-blind data fails one of the two (formats.md §2.7).
 * All of it is one write transaction (rewrite.h); a failure aborts it.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "storage/delta/ops_internal.h"

#define MERGE_KEYS_MAX 8

typedef struct src_entry {
    uint32_t batch, row;
    uint64_t hash;
    int64_t next;    /* next source row with the same key, or -1 */
    int64_t matches; /* target rows matched (kept on the chain head) */
} src_entry_t;

typedef struct merge {
    lh_delta_table_t *t;
    const lh_delta_snapshot_t *s;
    const lh_schema_t *schema; /* table schema */
    int key_count;
    int key_cols[MERGE_KEYS_MAX]; /* in the table schema */
    lh_delta_op_batches_t src;    /* source, table column order */
    src_entry_t *entries;
    size_t entry_count;
    int64_t *slots; /* entry index of a chain head, -1 empty */
    size_t slot_mask;
    /* output */
    size_t emit_batch;
    lh_batch_t *emit;
    uint32_t *emit_rows;
    size_t emit_rows_cap;
    uint32_t rows[LH_BATCH_ROWS];
    lh_delta_op_result_t *res;
} merge_t;

/* ---- source ---------------------------------------------------------------------------------- */

static lh_err check_source(merge_t *m, const lh_schema_t *src, const char *const *keys, int nk,
                           int *src_col, lh_errbuf *eb)
{
    const lh_schema_t *ts = m->schema;
    LH_FAIL_IF(nk < 1 || nk > MERGE_KEYS_MAX, LH_E_INVALID, eb,
               "MERGE needs 1 to %d key columns, got %d", MERGE_KEYS_MAX, nk);
    LH_FAIL_IF(src->field_count != ts->field_count, LH_E_INVALID, eb,
               "MERGE source has %d columns, the table has %d (UPDATE SET * / INSERT * need "
               "the same columns)",
               src->field_count, ts->field_count);
    char a[32], b[32];
    for (int c = 0; c < ts->field_count; c++) {
        int i = lh_schema_find(src, ts->fields[c].name);
        LH_FAIL_IF(i < 0, LH_E_INVALID, eb, "MERGE source lacks table column '%s'",
                   ts->fields[c].name);
        LH_FAIL_IF(!lh_type_equal(src->fields[i].type, ts->fields[c].type), LH_E_INVALID, eb,
                   "MERGE source column '%s' is %s but the table column is %s", ts->fields[c].name,
                   lh_type_name(src->fields[i].type, a, sizeof a),
                   lh_type_name(ts->fields[c].type, b, sizeof b));
        src_col[c] = i;
    }
    m->key_count = nk;
    for (int k = 0; k < nk; k++) {
        m->key_cols[k] = keys[k] ? lh_schema_find(ts, keys[k]) : -1;
        LH_FAIL_IF(m->key_cols[k] < 0, LH_E_INVALID, eb,
                   "MERGE key column '%s' is not in "
                   "the table",
                   keys[k] ? keys[k] : "(null)");
    }
    return LH_OK;
}

/* ---- key hashing ----------------------------------------------------------------------------- */

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

/* Key values of row r (cols[k] in b); false when a key is null. */
static bool row_key(const lh_batch_t *b, const int *cols, int nk, size_t r, lh_value_t *vals,
                    uint64_t *hash)
{
    uint64_t h = 1469598103934665603ULL;
    for (int k = 0; k < nk; k++) {
        lh_value_t *v = &vals[k];
        lh_delta_op_row_value(b->cols[cols[k]], r, v);
        if (v->is_null)
            return false;
        if (lh_type_is_bytes(v->type)) { /* nested values are canonical bytes */
            h = mix(h, v->v.str.ptr, v->v.str.len);
        } else if (v->type.id == LH_TYPE_FLOAT || v->type.id == LH_TYPE_DOUBLE) {
            double d = v->v.f64 == 0 ? 0.0 : v->v.f64; /* -0.0 == 0.0 */
            h = mix(h, &d, sizeof d);
        } else if (v->type.id == LH_TYPE_DECIMAL && v->type.precision > 18) {
            h = mix(h, &v->v.i128, sizeof v->v.i128);
        } else {
            h = mix(h, &v->v.i64, sizeof v->v.i64);
        }
        h = mix(h, "\x1f", 1);
    }
    *hash = h;
    return true;
}

static bool entry_equals(const merge_t *m, const src_entry_t *e, const lh_value_t *vals)
{
    const lh_batch_t *b = m->src.items[e->batch];
    for (int k = 0; k < m->key_count; k++) {
        lh_value_t v;
        lh_delta_op_row_value(b->cols[m->key_cols[k]], e->row, &v);
        if (lh_value_compare(&v, &vals[k]) != 0)
            return false;
    }
    return true;
}

/* Chain head for these key values, or -1. *slot gets the probe end. */
static int64_t lookup(const merge_t *m, const lh_value_t *vals, uint64_t h, size_t *slot)
{
    size_t i = (size_t)h & m->slot_mask;
    for (; m->slots[i] >= 0; i = (i + 1) & m->slot_mask) {
        const src_entry_t *e = &m->entries[m->slots[i]];
        if (e->hash == h && entry_equals(m, e, vals))
            break;
    }
    *slot = i;
    return m->slots[i];
}

static lh_err build_index(merge_t *m, lh_errbuf *eb)
{
    size_t n = 0;
    for (size_t i = 0; i < m->src.count; i++)
        n += m->src.items[i]->row_count;
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    m->entries = calloc(n + 1, sizeof *m->entries);
    m->slots = malloc(cap * sizeof *m->slots);
    LH_FAIL_IF(!m->entries || !m->slots, LH_E_NOMEM, eb, "out of memory");
    memset(m->slots, 0xff, cap * sizeof *m->slots);
    m->slot_mask = cap - 1;
    lh_value_t vals[MERGE_KEYS_MAX];
    for (size_t bi = 0; bi < m->src.count; bi++) {
        const lh_batch_t *b = m->src.items[bi];
        for (size_t r = 0; r < b->row_count; r++) {
            src_entry_t *e = &m->entries[m->entry_count];
            *e = (src_entry_t){.batch = (uint32_t)bi, .row = (uint32_t)r, .next = -1};
            int64_t idx = (int64_t)m->entry_count++;
            if (!row_key(b, m->key_cols, m->key_count, r, vals, &e->hash))
                continue; /* null key: never matches */
            size_t slot;
            int64_t head = lookup(m, vals, e->hash, &slot);
            if (head < 0) {
                m->slots[slot] = idx;
            } else { /* same key: chain after the head */
                e->next = m->entries[head].next;
                m->entries[head].next = idx;
            }
        }
    }
    return LH_OK;
}

/* ---- target ---------------------------------------------------------------------------------- */

static lh_err probe_row(merge_t *m, const lh_batch_t *b, const int *cols, size_t r, bool count,
                        bool *hit, lh_errbuf *eb)
{
    lh_value_t vals[MERGE_KEYS_MAX];
    uint64_t h;
    size_t slot;
    *hit = row_key(b, cols, m->key_count, r, vals, &h) && lookup(m, vals, h, &slot) >= 0;
    if (!*hit || !count)
        return LH_OK;
    src_entry_t *head = &m->entries[m->slots[slot]];
    if (head->next >= 0)
        return lh_err_set_code(
            eb, LH_E_INVALID, "DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE", __FILE__,
            __LINE__,
            "Cannot perform Merge as multiple source rows matched and attempted to modify the "
            "same target row in the Delta table in possibly conflicting ways");
    head->matches++;
    return LH_OK;
}

/* Matched target rows of file f (reading only the key columns). */
static lh_err probe_file(merge_t *m, const lh_delta_add_t *f, int64_t *matched, int64_t *total,
                         lh_errbuf *eb)
{
    const char *names[MERGE_KEYS_MAX];
    int cols[MERGE_KEYS_MAX];
    for (int k = 0; k < m->key_count; k++) {
        names[k] = m->schema->fields[m->key_cols[k]].name;
        cols[k] = k;
    }
    lh_delta_reader_t *r;
    LH_TRY(lh_delta_reader_open(m->t, m->s, f, names, m->key_count, &r, eb));
    lh_err e = LH_OK;
    *matched = *total = 0;
    for (;;) {
        const lh_batch_t *b;
        if ((e = lh_delta_reader_next(r, &b, eb)) != LH_OK || b == NULL)
            break;
        for (size_t i = 0; e == LH_OK && i < b->row_count; i++) {
            bool hit;
            e = probe_row(m, b, cols, i, true, &hit, eb);
            *matched += hit;
        }
        *total += (int64_t)b->row_count;
        if (e != LH_OK)
            break;
    }
    lh_delta_reader_close(r);
    return e;
}

/* Source key range as GE/LE predicates (vals must hold 2 * key_count values). */
static size_t key_range(const merge_t *m, lh_delta_pred_t *preds, lh_value_t *vals)
{
    bool any = false;
    for (size_t i = 0; i < m->entry_count; i++) {
        const src_entry_t *e = &m->entries[i];
        const lh_batch_t *b = m->src.items[e->batch];
        lh_value_t kv[MERGE_KEYS_MAX];
        uint64_t h;
        if (!row_key(b, m->key_cols, m->key_count, e->row, kv, &h))
            continue;
        for (int k = 0; k < m->key_count; k++) {
            if (!any || lh_value_compare(&kv[k], &vals[2 * k]) < 0)
                vals[2 * k] = kv[k];
            if (!any || lh_value_compare(&kv[k], &vals[2 * k + 1]) > 0)
                vals[2 * k + 1] = kv[k];
        }
        any = true;
    }
    if (!any)
        return 0;
    for (int k = 0; k < m->key_count; k++) {
        const char *col = m->schema->fields[m->key_cols[k]].name;
        preds[2 * k] = (lh_delta_pred_t){col, LH_PQ_GE, 1, &vals[2 * k]};
        preds[2 * k + 1] = (lh_delta_pred_t){col, LH_PQ_LE, 1, &vals[2 * k + 1]};
    }
    return (size_t)(2 * m->key_count);
}

/* Probe the candidate files; touched ones are moved to the front of files. */
static lh_err touch_files(merge_t *m, lh_delta_wtxn_t *w, const lh_delta_add_t ***files,
                          size_t *count, lh_errbuf *eb)
{
    lh_delta_pred_t preds[2 * MERGE_KEYS_MAX];
    lh_value_t vals[2 * MERGE_KEYS_MAX];
    size_t np = key_range(m, preds, vals);
    *files = NULL;
    *count = 0;
    if (np == 0)
        return LH_OK;
    size_t n;
    LH_TRY(lh_delta_wtxn_scan_files(w, preds, (int)np, files, &n, eb));
    for (size_t i = 0; i < n; i++) {
        int64_t matched, total;
        LH_TRY(probe_file(m, (*files)[i], &matched, &total, eb));
        if (matched == 0)
            continue;
        m->res->rows_updated += matched;
        m->res->rows_copied += total - matched;
        (*files)[(*count)++] = (*files)[i];
    }
    return LH_OK;
}

/* ---- output ---------------------------------------------------------------------------------- */

/* Touched-file rows that no source row replaces are kept. */
static lh_err keep_unmatched(void *ctx, const lh_batch_t *in, lh_delta_rewrite_result_t *out,
                             lh_errbuf *eb)
{
    merge_t *m = ctx;
    LH_ASSERT(in->row_count <= LH_BATCH_ROWS); /* the reader's batch size */
    size_t n = 0;
    for (size_t r = 0; r < in->row_count; r++) {
        bool hit;
        LH_TRY(probe_row(m, in, m->key_cols, r, false, &hit, eb));
        if (!hit)
            m->rows[n++] = (uint32_t)r;
    }
    out->action = LH_DELTA_REWRITE_KEEP_ROWS;
    out->rows = m->rows;
    out->row_count = n;
    return LH_OK;
}

/* Times a source row is written: once per matched target row, once if none. */
static int64_t multiplicity(const merge_t *m, const src_entry_t *e, lh_delta_op_result_t *res)
{
    const lh_batch_t *b = m->src.items[e->batch];
    lh_value_t kv[MERGE_KEYS_MAX];
    uint64_t h;
    size_t slot;
    int64_t head =
        row_key(b, m->key_cols, m->key_count, e->row, kv, &h) ? lookup(m, kv, h, &slot) : -1;
    int64_t n = head >= 0 ? m->entries[head].matches : 0;
    if (n == 0 && res)
        res->rows_inserted++;
    return n ? n : 1;
}

static lh_err source_next(void *ctx, const lh_batch_t **out, lh_errbuf *eb)
{
    merge_t *m = ctx;
    *out = NULL;
    if (m->emit_batch >= m->src.count)
        return LH_OK;
    const lh_batch_t *b = m->src.items[m->emit_batch];
    size_t base = 0, n = 0;
    for (size_t i = 0; i < m->emit_batch; i++)
        base += m->src.items[i]->row_count;
    m->emit_batch++;
    for (size_t r = 0; r < b->row_count; r++) {
        int64_t times = multiplicity(m, &m->entries[base + r], m->res);
        for (int64_t k = 0; k < times; k++) {
            if (n == m->emit_rows_cap) {
                size_t cap = m->emit_rows_cap ? 2 * m->emit_rows_cap : LH_BATCH_ROWS;
                uint32_t *nr = realloc(m->emit_rows, cap * sizeof *nr);
                LH_FAIL_IF(nr == NULL, LH_E_NOMEM, eb, "out of memory");
                m->emit_rows = nr;
                m->emit_rows_cap = cap;
            }
            m->emit_rows[n++] = (uint32_t)r;
        }
    }
    lh_batch_destroy(m->emit);
    m->emit = lh_batch_create(m->schema, n);
    LH_FAIL_IF(m->emit == NULL, LH_E_NOMEM, eb, "out of memory");
    LH_TRY(lh_delta_op_copy_rows(b, m->emit_rows, n, m->emit, eb));
    *out = m->emit;
    return LH_OK;
}

static lh_err write_output(merge_t *m, lh_delta_wtxn_t *w, const lh_delta_add_t **files,
                           size_t count, lh_errbuf *eb)
{
    for (size_t i = 0; i < count; i++)
        LH_TRY(lh_delta_wtxn_rewrite(w, files[i], keep_unmatched, m, LH_DELTA_REWRITE_EAGER, NULL,
                                     eb));
    for (;;) {
        const lh_batch_t *b;
        LH_TRY(source_next(m, &b, eb));
        if (b == NULL)
            break;
        LH_TRY(lh_delta_wtxn_insert(w, b, NULL, 0, eb));
    }
    m->res->rows_written = m->res->rows_copied + m->res->rows_updated + m->res->rows_inserted;
    return LH_OK;
}

static lh_err commit_merge(merge_t *m, lh_delta_wtxn_t *w, int64_t t0, lh_errbuf *eb)
{
    LH_TRY(lh_delta_wtxn_flush(w, eb)); /* the adds the metrics count */
    char pred[512] = "";
    size_t len = 0;
    for (int k = 0; k < m->key_count && len < sizeof pred; k++) {
        const char *c = m->schema->fields[m->key_cols[k]].name;
        len += (size_t)snprintf(pred + len, sizeof pred - len, "%s(target.%s = source.%s)",
                                k ? " AND " : "", c, c);
    }
    json_t *pl = json_pack("[s]", pred);
    char *pls = json_dumps(pl, JSON_COMPACT);
    json_decref(pl);
    json_t *params =
        json_pack("{s:s,s:s,s:s,s:s}", "predicate", pls ? pls : "[]", "matchedPredicates",
                  "[{\"actionType\":\"update\"}]", "notMatchedPredicates",
                  "[{\"actionType\":\"insert\"}]", "notMatchedBySourcePredicates", "[]");
    free(pls);
    lh_delta_op_result_t *r = m->res;
    lh_delta_op_staged_tally(lh_delta_wtxn_txn(w), r);
    lh_delta_op_metric_t mt[] = {
        {"numSourceRows", r->source_rows},         {"numTargetRowsInserted", r->rows_inserted},
        {"numTargetRowsUpdated", r->rows_updated}, {"numTargetRowsDeleted", 0},
        {"numTargetRowsCopied", r->rows_copied},   {"numOutputRows", r->rows_written},
        {"numTargetFilesAdded", r->files_added},   {"numTargetFilesRemoved", r->files_removed},
        {"numTargetBytesAdded", r->bytes_added},   {"numTargetBytesRemoved", r->bytes_removed},
        {"executionTimeMs", lh_now_ms() - t0},
    };
    return lh_delta_op_commit_w(w, "MERGE", params, mt, (int)(sizeof mt / sizeof mt[0]), 0, r, eb);
}

static lh_err run_merge(merge_t *m, lh_delta_wtxn_t *w, const lh_schema_t *source_schema,
                        lh_delta_batch_next_fn next, void *ctx, const char *const *keys, int nk,
                        int64_t t0, lh_errbuf *eb)
{
    int src_col[1024];
    LH_FAIL_IF(m->schema->field_count > 1024, LH_E_INVALID, eb, "too many columns");
    LH_TRY(check_source(m, source_schema, keys, nk, src_col, eb));
    LH_TRY(lh_delta_op_batches_load(&m->src, m->schema, src_col, next, ctx, eb));
    m->res->source_rows = (int64_t)m->src.rows;
    if (m->res->source_rows == 0)
        return LH_OK;
    LH_TRY(build_index(m, eb));
    lh_delta_txn_read_whole_table(lh_delta_wtxn_txn(w));
    const lh_delta_add_t **files = NULL;
    size_t count = 0;
    lh_err e = touch_files(m, w, &files, &count, eb);
    if (e == LH_OK)
        e = write_output(m, w, files, count, eb);
    free(files);
    if (e == LH_OK)
        e = commit_merge(m, w, t0, eb);
    return e;
}

lh_err lh_delta_merge(lh_delta_table_t *t, const lh_schema_t *source_schema,
                      lh_delta_batch_next_fn next, void *ctx, const char *const *keys,
                      int key_count, lh_delta_op_result_t *res, lh_errbuf *eb)
{
    memset(res, 0, sizeof *res);
    res->version = -1;
    int64_t t0 = lh_now_ms();
    lh_delta_snapshot_t *s;
    LH_TRY(lh_delta_snapshot_latest(t, &s, eb));
    merge_t *m = calloc(1, sizeof *m);
    lh_delta_wtxn_t *w = NULL;
    lh_err e = m ? lh_delta_snapshot_check_readable(s, eb)
                 : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK)
        e = lh_delta_wtxn_begin(t, s, NULL, &w, eb);
    if (e == LH_OK) {
        m->t = t;
        m->s = s;
        m->schema = lh_delta_snapshot_metadata(s)->schema;
        m->res = res;
        e = run_merge(m, w, source_schema, next, ctx, keys, key_count, t0, eb);
    }
    if (m) {
        lh_delta_op_batches_free(&m->src);
        free(m->entries);
        free(m->slots);
        free(m->emit_rows);
        lh_batch_destroy(m->emit);
        free(m);
    }
    lh_delta_wtxn_destroy(w);
    lh_delta_snapshot_release(s);
    return e;
}
