/*
 * scan_delta.c - the Delta table scan (a source): morsels of row groups of data files.
 *
 * Built on the calling thread: open the table (a local object store at the plan's root),
 * take the snapshot (latest, a version, or a timestamp), and list the files the pushed
 * predicates cannot exclude (lh_delta_scan_files: partition pruning and min/max skipping;
 * files_pruned counts the others). When there are few of them (SCAN_SPLIT_FILES_*),
 * each file's footer is read once here: its row groups are checked against the pushed
 * predicates (Parquet min/max, null counts, bloom filters; row_groups_pruned counts the
 * skipped ones, a file left with none counts as pruned) and the surviving ones become
 * morsels of consecutive row groups of at least SCAN_MORSEL_ROWS rows (one per row group
 * with our writer's 122,880-row row groups), so a one-file table scans on every worker.
 * With more files, one morsel per file, whose reader skips row groups itself.
 *
 * Each morsel opens a reader on its file with the projected columns at its row groups,
 * pushes every batch (copied into the worker's flat batch first when the reader hands out
 * constant or dictionary vectors), after the scan's filter when there is one: the plan's
 * own, or a FILTER right above the scan that exec_build fuses into it. With a filter, the
 * read columns it does not use are late (lh_delta_reader_set_late): each batch comes with
 * the filter's columns only, the filter selects, and only a batch with kept rows has the
 * others filled, so a row group with no kept rows never decodes them. Morsels are in file
 * order, then row group order, so the scan's rows keep the table's order.
 */
#include <stdlib.h>
#include <string.h>

#include "compute/exec/exec_internal.h"
#include "storage/delta/delta.h"

#define SCAN_SPLIT_FILES_MAX        256 /* read footers at build time for at most this many files */
#define SCAN_SPLIT_FILES_PER_THREAD 8   /* ... and at most this many per worker */
#define SCAN_MORSEL_ROWS            65536 /* a morsel of a split file: row groups up to this many rows */

/* A unit of work: row groups [first_rg, first_rg + rg_count) of files[file], or the whole
 * file (rg_count < 0). first: the file's first morsel (counts its file and bytes). */
typedef struct scan_morsel {
    size_t file;
    int first_rg, rg_count;
    bool first;
} scan_morsel;

typedef struct scan {
    int read_count; /* columns the reader is asked for (all, or the used ones) */
    const char **read_names;
    int *read_pos; /* read column i fills output column read_pos[i] */
    lh_objstore_t *os;
    lh_delta_table_t *table;
    lh_delta_snapshot_t *snap;
    const lh_delta_add_t **files;
    size_t file_count;
    scan_morsel *morsels;
    size_t morsel_count, morsel_cap;
    const lh_delta_pred_t *preds;
    int pred_count;
    int node_count; /* of the filter */
    lh_expr_t *filter;
    bool *late; /* read columns the filter does not use (late materialization), or NULL */
} scan;

typedef struct scan_local {
    lh_batch_t *flat, *out;
    lh_batch_t view;  /* the output columns: the reader's, and nulls for unread ones */
    lh_vec_t **nulls; /* all-NULL flat vectors for the unread columns */
    exec_eval ev;
    uint32_t *sel;
    size_t sel_cap;
} scan_local;

static size_t scan_morsels(exec_op *op)
{
    return ((scan *)op->data)->morsel_count;
}

static lh_err copy_flat(scan_local *l, const lh_batch_t *b, lh_errbuf *eb)
{
    lh_batch_reset(l->flat);
    for (int c = 0; c < b->col_count; c++)
        LH_FAIL_IF(lh_vec_append_range(l->flat->cols[c], b->cols[c], 0, b->row_count) != LH_OK,
                   LH_E_NOMEM, eb, "out of memory");
    l->flat->row_count = b->row_count;
    return LH_OK;
}

/* Whether every vector of b is flat without a selection (pushed as is). */
static bool all_flat(const lh_batch_t *b)
{
    for (int c = 0; c < b->col_count; c++)
        if (b->cols[c]->kind != LH_VEC_FLAT || b->cols[c]->sel != NULL)
            return false;
    return true;
}

/* The rows of in the filter keeps: l->sel[0..*n). */
static lh_err select_rows(scan *s, scan_local *l, const lh_batch_t *in, size_t *n, lh_errbuf *eb)
{
    if (l->sel_cap < in->row_count) {
        free(l->sel);
        l->sel_cap = in->row_count;
        l->sel = malloc(l->sel_cap * sizeof *l->sel);
        LH_FAIL_IF(l->sel == NULL, LH_E_NOMEM, eb, "out of memory");
    }
    return lh_expr_select(l->ev.st, s->filter, in, l->sel, n, eb);
}

/* Push the n rows of in selected in l->sel. */
static lh_err push_selected(exec_op *op, scan_local *l, const lh_batch_t *in, size_t n,
                            exec_thread *t, lh_errbuf *eb)
{
    if (n == 0)
        return LH_OK;
    if (n == in->row_count)
        return exec_push(t, op->stage, in, eb);
    LH_FAIL_IF(lh_vecops_batch_gather(l->out, in, l->sel, n) != LH_OK, LH_E_NOMEM, eb,
               "out of memory");
    return exec_push(t, op->stage, l->out, eb);
}

static lh_err push_filtered(exec_op *op, scan_local *l, const lh_batch_t *in, exec_thread *t,
                            lh_errbuf *eb)
{
    scan *s = op->data;
    if (s->filter == NULL)
        return exec_push(t, op->stage, in, eb);
    size_t n;
    LH_TRY(select_rows(s, l, in, &n, eb));
    if (n == in->row_count)
        return exec_push(t, op->stage, in, eb);
    LH_FAIL_IF(lh_vecops_batch_gather(l->out, in, l->sel, n) != LH_OK, LH_E_NOMEM, eb,
               "out of memory");
    return exec_push(t, op->stage, l->out, eb);
}

/* Every row of v NULL, with zeroed values, so no operator above sees uninitialized memory
 * (the string copy in common/vec.c skips NULL slots; hashing and sorting need not). */
static void null_fill(lh_vec_t *v)
{
    memset(v->validity, 0, ((v->capacity + 63) / 64) * sizeof(uint64_t));
    memset(v->data, 0, v->capacity * lh_type_width(v->type));
}

/* The reader's batch (the used columns) as the scan's full width: unread columns are
 * all-NULL flat vectors, so operators above see their positions unchanged. */
static lh_err widen(exec_op *op, scan_local *l, const lh_batch_t **b, lh_errbuf *eb)
{
    scan *s = op->data;
    const lh_plan_t *p = op->plan;
    size_t n = (*b)->row_count;
    for (int c = 0; c < p->col_count; c++) {
        lh_vec_t *v = l->nulls[c];
        if (v == NULL)
            continue;
        if (v->capacity < n) {
            LH_FAIL_IF(lh_vec_reserve(v, n) != LH_OK, LH_E_NOMEM, eb, "out of memory");
            null_fill(v);
        }
        v->count = n;
        l->view.cols[c] = v;
    }
    for (int i = 0; i < s->read_count; i++)
        l->view.cols[s->read_pos[i]] = (*b)->cols[i];
    l->view.row_count = n;
    *b = &l->view;
    return LH_OK;
}

static lh_err scan_produce(exec_op *op, void *local, size_t m, exec_thread *t, lh_errbuf *eb)
{
    scan *s = op->data;
    scan_local *l = local;
    const lh_plan_t *p = op->plan;
    const scan_morsel *sm = &s->morsels[m];
    const lh_delta_add_t *file = s->files[sm->file];
    lh_delta_reader_t *r;
    LH_TRY(lh_delta_reader_open(s->table, s->snap, file, s->read_names, s->read_count, &r, eb));
    (void)p;
    lh_delta_reader_set_cache(r, op->q->opts->data_cache);
    lh_delta_reader_set_late(r, s->late);
    lh_err e = sm->rg_count >= 0 ? lh_delta_reader_set_range(r, sm->first_rg, sm->rg_count, eb)
                                 : lh_delta_reader_set_preds(r, s->preds, s->pred_count, eb);
    if (e != LH_OK) {
        lh_delta_reader_close(r);
        return e;
    }
    atomic_fetch_add(&op->q->scan_morsels, 1);
    if (sm->first) {
        atomic_fetch_add(&op->q->files_read, 1);
        atomic_fetch_add(&op->q->bytes_read, file->size_bytes);
    }
    const lh_batch_t *b;
    while ((e = lh_delta_reader_next(r, &b, eb)) == LH_OK && b != NULL) {
        atomic_fetch_add(&op->q->rows_read, (int64_t)b->row_count);
        if (s->read_pos != NULL && (e = widen(op, l, &b, eb)) != LH_OK)
            break;
        if (s->late != NULL) { /* the filter's columns first; the others for kept rows */
            size_t n = 0;
            bool flat = all_flat(b);
            if (flat && (e = select_rows(s, l, b, &n, eb)) != LH_OK)
                break;
            if (flat && n == 0)
                continue;
            if ((e = lh_delta_reader_fill_late(r, eb)) != LH_OK)
                break;
            if (flat) {
                if ((e = push_selected(op, l, b, n, t, eb)) != LH_OK)
                    break;
                continue;
            }
        }
        if (all_flat(b)) { /* the reader's batch lives until the next call: no copy */
            if ((e = push_filtered(op, l, b, t, eb)) != LH_OK)
                break;
        } else if ((e = copy_flat(l, b, eb)) != LH_OK ||
                   (e = push_filtered(op, l, l->flat, t, eb)) != LH_OK) {
            break;
        }
    }
    int64_t rg_read, rg_pruned;
    lh_delta_reader_row_groups(r, &rg_read, &rg_pruned);
    atomic_fetch_add(&op->q->row_groups_read, rg_read);
    atomic_fetch_add(&op->q->row_groups_pruned, rg_pruned);
    lh_delta_reader_close(r);
    return e;
}

/* One all-NULL flat vector per unread column (validity bitmap all zero). */
static bool nulls_init(scan_local *l, const lh_plan_t *p)
{
    l->nulls = calloc((size_t)p->col_count + 1, sizeof *l->nulls);
    l->view.cols = calloc((size_t)p->col_count + 1, sizeof *l->view.cols);
    if (l->nulls == NULL || l->view.cols == NULL)
        return false;
    l->view.col_count = p->col_count;
    for (int c = 0; c < p->col_count; c++) {
        if (p->u.scan.column_used[c])
            continue;
        lh_vec_t *v = lh_vec_create(p->col_types[c], LH_BATCH_ROWS);
        if (v == NULL || lh_vec_set_null(v, 0, true) != LH_OK) {
            lh_vec_destroy(v);
            return false;
        }
        null_fill(v);
        l->nulls[c] = v;
    }
    return true;
}

static void *scan_local_new(exec_op *op)
{
    scan *s = op->data;
    const lh_plan_t *p = op->plan;
    scan_local *l = calloc(1, sizeof *l);
    if (l == NULL)
        return NULL;
    l->flat = lh_vecops_batch_new(p->col_count, p->col_types, LH_BATCH_ROWS);
    l->out = lh_vecops_batch_new(p->col_count, p->col_types, LH_BATCH_ROWS);
    if (s->read_pos != NULL && !nulls_init(l, p)) {
        op->vt->local_free(op, l);
        return NULL;
    }
    lh_errbuf eb;
    if (l->flat == NULL || l->out == NULL ||
        (s->filter && exec_eval_init(&l->ev, op->q, &s->filter, 1, s->node_count, &eb) != LH_OK)) {
        op->vt->local_free(op, l);
        return NULL;
    }
    return l;
}

static void scan_local_free(exec_op *op, void *local)
{
    scan_local *l = local;
    const lh_plan_t *p = op->plan;
    for (int c = 0; l->nulls && c < p->col_count; c++)
        lh_vec_destroy(l->nulls[c]);
    free(l->nulls);
    free(l->view.cols);
    lh_batch_destroy(l->flat);
    lh_batch_destroy(l->out);
    exec_eval_free(&l->ev);
    free(l->sel);
    free(l);
}

static void scan_free(exec_op *op)
{
    scan *s = op->data;
    free(s->read_names);
    free(s->read_pos);
    free(s->files);
    free(s->morsels);
    free(s->late);
    if (s->snap)
        lh_delta_snapshot_release(s->snap);
    if (s->table)
        lh_delta_table_close(s->table);
    if (s->os)
        lh_objstore_destroy(s->os);
    free(s);
}

static const exec_op_vt scan_vt = {
    .name = "scan_delta",
    .morsels = scan_morsels,
    .produce = scan_produce,
    .local_new = scan_local_new,
    .local_free = scan_local_free,
    .free = scan_free,
};

static lh_err open_snapshot(scan *s, const lh_plan_t *p, lh_errbuf *eb)
{
    LH_TRY(lh_objstore_local_create(p->u.scan.root, &s->os, eb));
    LH_TRY(lh_delta_table_open(s->os, "", &s->table, eb));
    if (p->u.scan.timestamp_ms >= 0)
        LH_TRY(lh_delta_snapshot_at_timestamp(s->table, p->u.scan.timestamp_ms, &s->snap, eb));
    else if (p->u.scan.version >= 0)
        LH_TRY(lh_delta_snapshot_at_version(s->table, p->u.scan.version, &s->snap, eb));
    else
        LH_TRY(lh_delta_snapshot_latest(s->table, &s->snap, eb));
    return lh_delta_snapshot_check_readable(s->snap, eb);
}

/* Which table columns the reader reads: all, or (column_used) only those, with their
 * output positions. */
static lh_err plan_reads(scan *s, const lh_plan_t *p, lh_errbuf *eb)
{
    s->read_count = p->u.scan.column_count;
    s->read_names = calloc((size_t)p->u.scan.column_count + 1, sizeof *s->read_names);
    LH_FAIL_IF(s->read_names == NULL, LH_E_NOMEM, eb, "out of memory");
    if (p->u.scan.column_used == NULL) {
        memcpy(s->read_names, p->u.scan.columns, (size_t)s->read_count * sizeof(char *));
        return LH_OK;
    }
    s->read_pos = calloc((size_t)p->u.scan.column_count + 1, sizeof *s->read_pos);
    LH_FAIL_IF(s->read_pos == NULL, LH_E_NOMEM, eb, "out of memory");
    s->read_count = 0;
    for (int i = 0; i < p->u.scan.column_count; i++) {
        if (!p->u.scan.column_used[i])
            continue;
        s->read_pos[s->read_count] = i;
        s->read_names[s->read_count++] = p->u.scan.columns[i];
    }
    return LH_OK;
}

static lh_err add_morsel(scan *s, size_t file, int first_rg, int rg_count, bool *first,
                         lh_errbuf *eb)
{
    if (s->morsel_count == s->morsel_cap) {
        size_t cap = s->morsel_cap ? s->morsel_cap * 2 : 16;
        scan_morsel *n = realloc(s->morsels, cap * sizeof *n);
        LH_FAIL_IF(n == NULL, LH_E_NOMEM, eb, "out of memory");
        s->morsels = n;
        s->morsel_cap = cap;
    }
    s->morsels[s->morsel_count++] = (scan_morsel){file, first_rg, rg_count, *first};
    *first = false;
    return LH_OK;
}

/* File i's surviving row groups as morsels (its footer read once, here). */
static lh_err split_file(exec_query *q, scan *s, size_t i, lh_errbuf *eb)
{
    lh_delta_reader_t *r;
    LH_TRY(
        lh_delta_reader_open(s->table, s->snap, s->files[i], s->read_names, s->read_count, &r, eb));
    lh_err e = lh_delta_reader_set_preds(r, s->preds, s->pred_count, eb);
    int n = lh_delta_reader_row_group_count(r), start = -1;
    int64_t rows = 0, pruned = 0;
    bool first = true;
    for (int rg = 0; e == LH_OK && rg <= n; rg++) {
        bool keep = rg < n && lh_delta_reader_row_group_may_match(r, rg);
        if (rg < n && !keep)
            pruned++;
        if (start >= 0 && (!keep || rows >= SCAN_MORSEL_ROWS)) {
            e = add_morsel(s, i, start, rg - start, &first, eb);
            start = -1;
        }
        if (keep && start < 0) {
            start = rg;
            rows = 0;
        }
        if (keep)
            rows += lh_delta_reader_row_group_rows(r, rg);
    }
    lh_delta_reader_close(r);
    atomic_fetch_add(&q->row_groups_pruned, pruned);
    if (e == LH_OK && first && n > 0) /* every row group skipped */
        atomic_fetch_add(&q->files_pruned, 1);
    return e;
}

static lh_err plan_morsels(exec_query *q, scan *s, lh_errbuf *eb)
{
    /* many files keep every worker busy as they are: no footer reads on this thread */
    bool split = s->file_count <= SCAN_SPLIT_FILES_MAX &&
                 s->file_count <= (size_t)SCAN_SPLIT_FILES_PER_THREAD * (size_t)q->threads;
    for (size_t i = 0; i < s->file_count; i++) {
        bool first = true;
        LH_TRY(split ? split_file(q, s, i, eb) : add_morsel(s, i, 0, -1, &first, eb));
    }
    return LH_OK;
}

static void mark_columns(const lh_expr_t *e, bool *used, int n)
{
    if (e->kind == LH_EXPR_COLUMN && e->column >= 0 && e->column < n)
        used[e->column] = true;
    for (int i = 0; i < e->arg_count; i++)
        mark_columns(e->args[i], used, n);
}

/* Which read columns the filter does not use: those decode only for row groups with kept
 * rows. NULL (none late) without a filter, or when it uses none or all of them. */
static lh_err plan_late(scan *s, const lh_plan_t *p, lh_errbuf *eb)
{
    if (s->filter == NULL)
        return LH_OK;
    bool *used = calloc((size_t)p->col_count + 1, sizeof *used);
    s->late = calloc((size_t)s->read_count + 1, sizeof *s->late);
    LH_FAIL_IF(used == NULL || s->late == NULL, LH_E_NOMEM, eb, "out of memory");
    mark_columns(s->filter, used, p->col_count);
    int late = 0;
    for (int i = 0; i < s->read_count; i++) {
        int c = s->read_pos ? s->read_pos[i] : i;
        s->late[i] = !used[c];
        late += s->late[i];
    }
    free(used);
    if (late == 0 || late == s->read_count) {
        free(s->late);
        s->late = NULL;
    }
    return LH_OK;
}

/* The scan, with filter (over its output columns, or NULL) evaluated per batch: the plan's
 * own pushed filter, or a FILTER just above it (exec_build fuses them). */
lh_err exec_scan_filtered_new(exec_query *q, const lh_plan_t *p, lh_expr_t *filter, exec_op **out,
                              lh_errbuf *eb)
{
    scan *s = calloc(1, sizeof *s);
    LH_FAIL_IF(s == NULL, LH_E_NOMEM, eb, "out of memory");
    exec_op *op = exec_op_new(q, &scan_vt, p, s);
    lh_err e = open_snapshot(s, p, eb);
    if (e == LH_OK)
        e = lh_delta_scan_files(s->snap, p->u.scan.preds, p->u.scan.pred_count, &s->files,
                                &s->file_count, eb);
    if (e != LH_OK) {
        exec_op_free(op);
        return e;
    }
    atomic_fetch_add(&q->files_pruned,
                     (int64_t)(lh_delta_snapshot_file_count(s->snap) - s->file_count));
    s->preds = p->u.scan.preds;
    s->pred_count = p->u.scan.pred_count;
    if (e == LH_OK)
        e = plan_reads(s, p, eb);
    if (e == LH_OK)
        e = plan_morsels(q, s, eb);
    if (e != LH_OK) {
        exec_op_free(op);
        return e;
    }
    s->filter = filter;
    if (s->filter)
        s->node_count = exec_number(q, &s->filter, 1);
    if ((e = plan_late(s, p, eb)) != LH_OK) {
        exec_op_free(op);
        return e;
    }
    *out = op;
    return LH_OK;
}

lh_err exec_scan_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb)
{
    return exec_scan_filtered_new(q, p, p->u.scan.filter, out, eb);
}
