/*
 * ops_optimize.c - OPTIMIZE [WHERE partition predicates] [ZORDER BY cols] (formats.md §2.13).
 *
 * Bin-packing: live files (after the partition filter) are grouped by partition; in each
 * group the files smaller than the target size are taken smallest first and packed
 * greedily into bins of at most the target size. A bin of two or more files is rewritten:
 * its rows are streamed into lh_delta_write_files with target_file_rows estimated from
 * the bin's bytes per row, so the new files come out near the target size.
 *
 * ZORDER BY: every file of a partition forms one bin; its rows are loaded and written in
 * Morton (Z) order. Each z-order column is mapped to a 32-bit order-preserving key: the
 * column's values in the bin are sorted (nulls first), given dense ranks 0..d-1, and the
 * ranks are stretched over the full range, key = rank * (2^32 - 1) / (d - 1), so every
 * column spans all 32 bits whatever its number of distinct values. Rows are then sorted by
 * the bit-interleaving of the keys (column 1's bit 31, column 2's bit 31, ..., column 1's
 * bit 30, ...) without building the interleaved key: two rows compare on the column whose
 * keys differ in the most significant bit (ties go to the earlier column).
 *
 * Commit: removes and adds with dataChange=false, SnapshotIsolation (concurrent appends do
 * not conflict; concurrent removal of a compacted file does), operation OPTIMIZE with
 * parameters {predicate, zOrderBy, clusterBy, auto}. New files are written through a
 * scratch transaction whose staged adds are re-staged as dataChange=false.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "storage/delta/ops_internal.h"

#define ZORDER_COLS_MAX 16

typedef struct opt {
    lh_delta_table_t *t;
    const lh_delta_snapshot_t *s;
    const lh_delta_metadata_t *md;
    lh_delta_txn_t *x;
    int64_t target_bytes;
    int zcols[ZORDER_COLS_MAX], zcount;
    lh_delta_op_result_t *res;
} opt_t;

/* ---- z-order ------------------------------------------------------------------------------ */

typedef struct zsort {
    const lh_delta_op_batches_t *rows;
    const size_t *base; /* first global row of each batch */
    int col;
    const uint32_t *keys; /* row-major: keys[row * zcount + d] */
    int zcount;
} zsort_t;

static void locate(const zsort_t *z, uint32_t g, const lh_batch_t **b, size_t *r)
{
    size_t lo = 0, hi = z->rows->count;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (z->base[mid] <= g)
            lo = mid;
        else
            hi = mid;
    }
    *b = z->rows->items[lo];
    *r = g - z->base[lo];
}

static void zvalue(const zsort_t *z, uint32_t g, lh_value_t *v)
{
    const lh_batch_t *b;
    size_t r;
    locate(z, g, &b, &r);
    lh_delta_op_row_value(b->cols[z->col], r, v);
}

static int cmp_value(const void *pa, const void *pb, void *ctx)
{
    lh_value_t a, b;
    zvalue(ctx, *(const uint32_t *)pa, &a);
    zvalue(ctx, *(const uint32_t *)pb, &b);
    if (a.is_null || b.is_null)
        return (int)b.is_null - (int)a.is_null;
    return lh_value_compare(&a, &b);
}

static bool less_msb(uint32_t a, uint32_t b)
{
    return a < b && a < (a ^ b);
}

static int cmp_morton(const void *pa, const void *pb, void *ctx)
{
    const zsort_t *z = ctx;
    const uint32_t *ka = &z->keys[(size_t) * (const uint32_t *)pa * (size_t)z->zcount];
    const uint32_t *kb = &z->keys[(size_t) * (const uint32_t *)pb * (size_t)z->zcount];
    int msd = 0;
    uint32_t best = 0;
    for (int d = 0; d < z->zcount; d++) {
        uint32_t x = ka[d] ^ kb[d];
        if (less_msb(best, x)) {
            best = x;
            msd = d;
        }
    }
    return (ka[msd] > kb[msd]) - (ka[msd] < kb[msd]);
}

/* keys[g * zcount + d] for column d, from dense ranks stretched over 32 bits. */
static void column_keys(zsort_t *z, uint32_t *order, size_t n, int d, uint32_t *keys)
{
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    qsort_r(order, n, sizeof *order, cmp_value, z);
    uint64_t *rank = malloc(n * sizeof *rank);
    if (rank == NULL)
        return; /* keys stay 0: correct data, just not clustered */
    uint64_t distinct = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && cmp_value(&order[i - 1], &order[i], z) != 0)
            distinct++;
        rank[i] = distinct;
    }
    for (size_t i = 0; i < n; i++)
        keys[(size_t)order[i] * (size_t)z->zcount + (size_t)d] =
            distinct ? (uint32_t)(rank[i] * 0xFFFFFFFFull / distinct) : 0;
    free(rank);
}

typedef struct zstream {
    const lh_delta_op_batches_t *rows;
    zsort_t z;
    uint32_t *order;
    size_t n, next;
    lh_batch_t *out;
} zstream_t;

static lh_err zstream_next(void *ctx, const lh_batch_t **out, lh_errbuf *eb)
{
    zstream_t *zs = ctx;
    *out = NULL;
    if (zs->next >= zs->n)
        return LH_OK;
    lh_batch_reset(zs->out);
    for (size_t k = 0; k < LH_BATCH_ROWS && zs->next < zs->n; k++, zs->next++) {
        const lh_batch_t *b;
        size_t r;
        locate(&zs->z, zs->order[zs->next], &b, &r);
        uint32_t row = (uint32_t)r;
        LH_TRY(lh_delta_op_copy_rows(b, &row, 1, zs->out, eb));
    }
    *out = zs->out;
    return LH_OK;
}

/* Load the bin's rows and order them along the Z curve. */
static lh_err zorder_prepare(opt_t *o, lh_delta_op_batches_t *rows, zstream_t *zs, size_t **base,
                             uint32_t **keys, lh_errbuf *eb)
{
    size_t n = 0;
    *base = malloc((rows->count + 1) * sizeof **base);
    LH_FAIL_IF(*base == NULL, LH_E_NOMEM, eb, "out of memory");
    for (size_t i = 0; i < rows->count; i++) {
        (*base)[i] = n;
        n += rows->items[i]->row_count;
    }
    LH_FAIL_IF(n > UINT32_MAX, LH_E_INVALID, eb, "ZORDER bin too large (%zu rows)", n);
    *keys = calloc(n * (size_t)o->zcount + 1, sizeof **keys);
    zs->order = malloc((n + 1) * sizeof *zs->order);
    zs->out = lh_batch_create(o->md->schema, LH_BATCH_ROWS);
    LH_FAIL_IF(!*keys || !zs->order || !zs->out, LH_E_NOMEM, eb, "out of memory");
    zs->rows = rows;
    zs->n = n;
    zs->z = (zsort_t){.rows = rows, .base = *base, .keys = *keys, .zcount = o->zcount};
    for (int d = 0; d < o->zcount; d++) {
        zs->z.col = o->zcols[d];
        column_keys(&zs->z, zs->order, n, d, *keys);
    }
    for (size_t i = 0; i < n; i++)
        zs->order[i] = (uint32_t)i;
    qsort_r(zs->order, n, sizeof *zs->order, cmp_morton, &zs->z);
    return LH_OK;
}

/* ---- bins ----------------------------------------------------------------------------------- */

/* Move the adds staged in scratch into x as dataChange=false. */
static lh_err restage(opt_t *o, lh_delta_txn_t *scratch, lh_errbuf *eb)
{
    size_t n = lh_delta_txn_staged_count(scratch);
    for (size_t i = 0; i < n; i++) {
        const lh_delta_action_t *a = lh_delta_txn_staged(scratch, i);
        if (a->kind != LH_DELTA_ADD)
            continue;
        lh_delta_add_t add = a->u.add;
        add.data_change = false;
        LH_TRY(lh_delta_txn_add_file(o->x, &add, eb));
    }
    return LH_OK;
}

static lh_err write_bin(opt_t *o, const lh_delta_add_t **bin, size_t n, lh_errbuf *eb)
{
    int64_t bytes = 0, rows = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t nr = lh_delta_op_stats_num_records(bin[i]);
        bytes += bin[i]->size_bytes;
        rows = rows < 0 || nr < 0 ? -1 : rows + nr;
        LH_TRY(lh_delta_txn_read_file(o->x, bin[i]->path, eb));
        LH_TRY(lh_delta_txn_remove_live(o->x, bin[i], false, eb));
    }
    lh_delta_write_opts_t wo;
    lh_delta_write_opts_default(&wo);
    if (rows > 0 && bytes > 0) {
        double per_row = (double)bytes / (double)rows;
        int64_t tr = (int64_t)((double)o->target_bytes / per_row);
        wo.target_file_rows = tr < 1 ? 1 : tr;
    }
    lh_delta_txn_t *w; /* scratch txn: its adds are re-staged in o->x as dataChange=false */
    LH_TRY(lh_delta_txn_begin(o->t, (lh_delta_snapshot_t *)o->s, &w, eb));
    lh_delta_op_file_stream_t fs;
    lh_delta_op_batches_t loaded = {0};
    zstream_t zs = {0};
    size_t *base = NULL;
    uint32_t *keys = NULL;
    lh_delta_op_file_stream_init(&fs, o->t, o->s, bin, n);
    lh_err e = LH_OK;
    if (o->zcount > 0) {
        e = lh_delta_op_batches_load(&loaded, o->md->schema, NULL, lh_delta_op_file_stream_next,
                                     &fs, eb);
        if (e == LH_OK)
            e = zorder_prepare(o, &loaded, &zs, &base, &keys, eb);
        if (e == LH_OK)
            e = lh_delta_write_files(w, o->md->schema, zstream_next, &zs, &wo, eb);
    } else {
        e = lh_delta_write_files(w, o->md->schema, lh_delta_op_file_stream_next, &fs, &wo, eb);
    }
    o->res->rows_written += o->zcount > 0 ? (int64_t)zs.n : fs.rows_out;
    if (e == LH_OK)
        e = restage(o, w, eb);
    lh_delta_txn_destroy(w);
    lh_delta_op_file_stream_close(&fs);
    lh_delta_op_batches_free(&loaded);
    lh_batch_destroy(zs.out);
    free(zs.order);
    free(base);
    free(keys);
    return e;
}

static int cmp_size(const void *a, const void *b)
{
    int64_t x = (*(const lh_delta_add_t *const *)a)->size_bytes;
    int64_t y = (*(const lh_delta_add_t *const *)b)->size_bytes;
    return (x > y) - (x < y);
}

/* One partition's files: pack and rewrite. */
static lh_err optimize_group(opt_t *o, const lh_delta_add_t **files, size_t n, int *bins,
                             lh_errbuf *eb)
{
    if (o->zcount > 0) {
        (*bins)++;
        return write_bin(o, files, n, eb);
    }
    size_t small = 0;
    for (size_t i = 0; i < n; i++)
        if (files[i]->size_bytes < o->target_bytes)
            files[small++] = files[i];
    qsort(files, small, sizeof *files, cmp_size);
    for (size_t i = 0; i < small;) {
        size_t j = i;
        int64_t sum = 0;
        while (j < small && (j == i || sum + files[j]->size_bytes <= o->target_bytes))
            sum += files[j++]->size_bytes;
        if (j - i >= 2) {
            (*bins)++;
            LH_TRY(write_bin(o, files + i, j - i, eb));
        }
        i = j;
    }
    return LH_OK;
}

/* Canonical partition tuple text for grouping. */
static char *partition_key(const lh_delta_metadata_t *md, const lh_delta_add_t *f)
{
    size_t cap = 64, len = 0;
    char *k = calloc(cap, 1);
    for (int i = 0; k && i < md->partition_column_count; i++) {
        const char *v = NULL;
        for (int j = 0; j < f->partition_values.count; j++)
            if (strcasecmp(f->partition_values.items[j].key, md->partition_columns[i]) == 0)
                v = f->partition_values.items[j].value;
        size_t need = len + (v ? strlen(v) : 0) + 3;
        if (need > cap) {
            char *nk = realloc(k, cap = need * 2);
            if (nk == NULL) {
                free(k);
                return NULL;
            }
            k = nk;
        }
        len += (size_t)sprintf(k + len, "%s%s\x1f", v && *v ? "=" : "\x1e", v ? v : "");
    }
    return k;
}

typedef struct keyed {
    char *key;
    const lh_delta_add_t *f;
} keyed_t;

static int cmp_keyed(const void *a, const void *b)
{
    int c = strcmp(((const keyed_t *)a)->key, ((const keyed_t *)b)->key);
    if (c)
        return c;
    return strcmp(((const keyed_t *)a)->f->path, ((const keyed_t *)b)->f->path);
}

static lh_err optimize_files(opt_t *o, const lh_delta_add_t **files, size_t n, int *bins,
                             lh_errbuf *eb)
{
    keyed_t *k = calloc(n + 1, sizeof *k);
    LH_FAIL_IF(k == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = LH_OK;
    for (size_t i = 0; i < n; i++) {
        k[i] = (keyed_t){partition_key(o->md, files[i]), files[i]};
        if (k[i].key == NULL)
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    }
    if (e == LH_OK)
        qsort(k, n, sizeof *k, cmp_keyed);
    for (size_t i = 0; i < n; i++)
        files[i] = k[i].f;
    for (size_t i = 0; e == LH_OK && i < n;) {
        size_t j = i + 1;
        while (j < n && strcmp(k[i].key, k[j].key) == 0)
            j++;
        e = optimize_group(o, files + i, j - i, bins, eb);
        i = j;
    }
    for (size_t i = 0; i < n; i++)
        free(k[i].key);
    free(k);
    return e;
}

/* ---- entry ---------------------------------------------------------------------------------- */

static lh_err check_args(opt_t *o, const lh_delta_pred_t *preds, int np,
                         const char *const *zorder_by, int nz, lh_errbuf *eb)
{
    LH_TRY(lh_delta_snapshot_check_readable(o->s, eb));
    LH_TRY(lh_delta_op_preds_check(o->md->schema, preds, np, NULL, eb));
    for (int i = 0; i < np; i++)
        LH_FAIL_IF(!lh_delta_op_is_partition(o->md, preds[i].column), LH_E_INVALID, eb,
                   "Predicate references non-partition column '%s'. Only the partition "
                   "columns may be referenced: OPTIMIZE WHERE",
                   preds[i].column);
    LH_FAIL_IF(nz < 0 || nz > ZORDER_COLS_MAX, LH_E_INVALID, eb,
               "ZORDER BY takes at most %d columns", ZORDER_COLS_MAX);
    for (int i = 0; i < nz; i++) {
        int c = zorder_by[i] ? lh_schema_find(o->md->schema, zorder_by[i]) : -1;
        LH_FAIL_IF(c < 0, LH_E_INVALID, eb, "ZORDER BY column '%s' is not in the table",
                   zorder_by[i] ? zorder_by[i] : "(null)");
        LH_FAIL_IF(lh_delta_op_is_partition(o->md, zorder_by[i]), LH_E_INVALID, eb,
                   "ZORDER BY column '%s' is a partition column; Z-Ordering can only be "
                   "performed on data columns",
                   zorder_by[i]);
        LH_FAIL_IF(lh_type_is_nested(o->md->schema->fields[c].type), LH_E_INVALID, eb,
                   "Z-Ordering on [%s] will be ineffective, because we currently do not collect "
                   "stats for these columns (an ARRAY, MAP or STRUCT column)",
                   zorder_by[i]);
        o->zcols[i] = c;
    }
    o->zcount = nz;
    return LH_OK;
}

static lh_err commit_optimize(opt_t *o, const lh_delta_pred_t *preds, int np, int nz, int bins,
                              lh_errbuf *eb)
{
    json_t *zl = json_array();
    for (int i = 0; i < nz; i++)
        json_array_append_new(zl, json_string(o->md->schema->fields[o->zcols[i]].name));
    char *zs = json_dumps(zl, JSON_COMPACT);
    json_decref(zl);
    char *ps = lh_delta_op_preds_json(preds, np);
    json_t *params = json_pack("{s:s,s:s,s:s,s:b}", "predicate", ps ? ps : "[]", "zOrderBy",
                               zs ? zs : "[]", "clusterBy", "[]", "auto", 0);
    free(zs);
    free(ps);
    lh_delta_op_result_t *r = o->res;
    lh_delta_op_staged_tally(o->x, r);
    lh_delta_op_metric_t m[] = {
        {"numAddedFiles", r->files_added},
        {"numRemovedFiles", r->files_removed},
        {"numAddedBytes", r->bytes_added},
        {"numRemovedBytes", r->bytes_removed},
        {"numBins", bins},
        {"numOutputRows", r->rows_written},
    };
    lh_delta_txn_set_isolation(o->x, LH_DELTA_SNAPSHOT_ISOLATION);
    return lh_delta_op_commit(o->x, "OPTIMIZE", params, m, 6, r, eb);
}

lh_err lh_delta_optimize(lh_delta_table_t *t, const lh_delta_pred_t *preds, int pred_count,
                         int64_t target_file_bytes, const char *const *zorder_by, int zorder_count,
                         lh_delta_op_result_t *res, lh_errbuf *eb)
{
    memset(res, 0, sizeof *res);
    res->version = -1;
    lh_delta_snapshot_t *s;
    LH_TRY(lh_delta_snapshot_latest(t, &s, eb));
    opt_t o = {.t = t, .s = s, .md = lh_delta_snapshot_metadata(s), .res = res};
    o.target_bytes = target_file_bytes > 0 ? target_file_bytes : LH_DELTA_OPTIMIZE_TARGET_BYTES;
    const lh_delta_add_t **files = NULL;
    size_t n = 0;
    int bins = 0;
    lh_err e = check_args(&o, preds, pred_count, zorder_by, zorder_count, eb);
    if (e == LH_OK)
        e = lh_delta_txn_begin(t, s, &o.x, eb);
    if (e == LH_OK)
        e = lh_delta_txn_read_predicate(o.x, preds, pred_count, eb);
    if (e == LH_OK)
        e = lh_delta_scan_files(s, preds, pred_count, &files, &n, eb);
    if (e == LH_OK)
        e = optimize_files(&o, files, n, &bins, eb);
    if (e == LH_OK && bins > 0)
        e = commit_optimize(&o, preds, pred_count, zorder_count, bins, eb);
    free(files);
    lh_delta_txn_destroy(o.x);
    lh_delta_snapshot_release(s);
    return e;
}
