/*
 * dml.c - DELETE, UPDATE and MERGE on a Delta table: the engine decides which rows change
 * (the vectorized evaluator, batch at a time), storage rewrites the files (rewrite.h:
 * copy-on-write, one write transaction) and commits. Runs on the calling thread.
 *
 *   open the table, begin a transaction on the latest snapshot, list its files
 *   DELETE   per file batch: select WHERE -> DELETE_ROWS (no WHERE: every row)
 *   UPDATE   per file batch: select WHERE; when some row matches, the new batch is the
 *            plan's values (CASE WHEN cond THEN new ELSE old END per column) -> REPLACE
 *   MERGE    the source (child plan) is materialized into one batch and hashed on its
 *            equi-join keys (rows with a null key never match). Per target batch:
 *              candidate pairs (target row, source row) from the hash table
 *              -> the joined rows (target ++ source) -> the residual of ON -> matches;
 *              a target row with two matches fails (DELTA_MULTIPLE_SOURCE_ROW_..., unless
 *              the only MATCHED clause is an unconditional DELETE);
 *              matched rows take the first WHEN MATCHED clause whose condition is TRUE,
 *              unmatched target rows the first WHEN NOT MATCHED BY SOURCE clause;
 *              -> REPLACE with the untouched rows and the updated ones (any change).
 *            Then the source rows no target row matched take the first WHEN NOT MATCHED
 *            clause; INSERT rows go to the transaction's writer.
 *   every new row passes the table's constraints (checks.c) before it is written;
 *   commit with Delta's commitInfo (operation, predicate, metrics); a conflict becomes
 *   Delta's error class. Any failure aborts the transaction: nothing is visible and the
 *   files it wrote are deleted.
 * The answer is Databricks' one row: num_affected_rows (MERGE: + num_updated_rows,
 * num_deleted_rows, num_inserted_rows).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/exec/exec_internal.h"
#include "compute/sql/sqlerr.h"
#include "storage/delta/rewrite.h"

#define MERGE_PAIRS_MAX (64LL << 20) /* candidate pairs of one target batch (a runaway join) */

typedef struct dml {
    exec_query *q;
    const lh_plan_t *p;
    int n;  /* table columns */
    int sn; /* MERGE: source columns */
    lh_expr_state_t *st;
    lh_expr_t **tcols; /* identity columns of the target (flat views of a file batch) */
    lh_expr_t *cond;
    lh_expr_t **values; /* UPDATE */
    lh_expr_t **tkeys, **skeys, *residual;
    lh_merge_clause_t *clauses; /* private copies */
    exec_checker chk;
    uint32_t *sel;
    size_t sel_cap;
    lh_batch_t view; /* borrowed vectors (REPLACE of UPDATE, flat target) */
    lh_vec_t **view_cols;
    int64_t updated, deleted, inserted, copied, source_rows;
    /* MERGE */
    lh_batch_t *src; /* every source row */
    uint8_t *src_matched;
    uint8_t *kbytes;
    size_t *koff;
    uint32_t *klen;
    uint64_t *khash;
    int64_t *next, *slots;
    size_t slot_mask;
    bool need_unique;
    lh_batch_t *joined, *matched, *part, *out;
    uint32_t *pt, *ps; /* candidate pairs */
    size_t pair_cap;
    int *which;
    exec_ident ident; /* MERGE INSERT: IDENTITY columns assigned */
    size_t which_cap;
} dml;

/* ---- small helpers ------------------------------------------------------------------- */

static lh_err grow(void **p, size_t *cap, size_t need, size_t width, lh_errbuf *eb)
{
    if (need <= *cap)
        return LH_OK;
    size_t n = *cap ? *cap : 256;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * width);
    LH_FAIL_IF(q == NULL, LH_E_NOMEM, eb, "out of memory");
    *p = q;
    *cap = n;
    return LH_OK;
}

static lh_err sel_room(dml *d, size_t n, lh_errbuf *eb)
{
    return grow((void **)&d->sel, &d->sel_cap, n + 1, sizeof *d->sel, eb);
}

/* Flat views of the target batch's columns in d->view. */
static lh_err target_view(dml *d, const lh_batch_t *b, lh_errbuf *eb)
{
    for (int i = 0; i < d->n; i++) {
        const lh_vec_t *v;
        LH_TRY(lh_expr_eval(d->st, d->tcols[i], b, &v, eb));
        d->view_cols[i] = (lh_vec_t *)v;
    }
    d->view.row_count = b->row_count;
    return LH_OK;
}

/* Append rows idx[0..n) of src (flat) to dst, copying strings; runs of rows at once. */
static lh_err append_rows(lh_vec_t *dst, const lh_vec_t *src, const uint32_t *idx, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && idx[j] == idx[j - 1] + 1)
            j++;
        LH_TRY(lh_vec_append_range(dst, src, idx[i], j - i));
        i = j;
    }
    return LH_OK;
}

static lh_err number_all(dml *d, lh_errbuf *eb)
{
    const lh_plan_t *p = d->p;
    size_t cap = (size_t)d->n * (2 + (size_t)p->u.dml.clause_count) + 8 +
                 2 * (size_t)p->u.dml.key_count + (size_t)p->u.dml.clause_count;
    lh_expr_t ***slots = calloc(cap, sizeof *slots);
    lh_expr_t **all = calloc(cap, sizeof *all);
    int count = 0;
    LH_FAIL_IF(slots == NULL || all == NULL, LH_E_NOMEM, eb, "out of memory");
#define SLOT(x)                                                                                    \
    do {                                                                                           \
        if ((x) != NULL)                                                                           \
            slots[count++] = &(x);                                                                 \
    } while (0)
    for (int i = 0; i < d->n; i++)
        SLOT(d->tcols[i]);
    SLOT(d->cond);
    for (int i = 0; d->values && i < d->n; i++)
        SLOT(d->values[i]);
    for (int i = 0; i < p->u.dml.key_count; i++) {
        SLOT(d->tkeys[i]);
        SLOT(d->skeys[i]);
    }
    SLOT(d->residual);
    for (int k = 0; k < p->u.dml.clause_count; k++) {
        SLOT(d->clauses[k].cond);
        for (int i = 0; d->clauses[k].values && i < d->n; i++)
            SLOT(d->clauses[k].values[i]);
    }
#undef SLOT
    for (int i = 0; i < count; i++)
        all[i] = *slots[i];
    int nodes = exec_number(d->q, all, count);
    for (int i = 0; i < count; i++)
        *slots[i] = all[i];
    free(slots);
    free(all);
    d->st = lh_expr_state_create(nodes, d->q->conf);
    LH_FAIL_IF(d->st == NULL, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

static lh_err dml_init(dml *d, exec_query *q, const lh_plan_t *p, lh_errbuf *eb)
{
    memset(d, 0, sizeof *d);
    d->q = q;
    d->p = p;
    d->n = p->u.dml.table_col_count;
    lh_arena_t *a = q->arena;
    d->tcols = lh_arena_calloc(a, (size_t)d->n + 1, sizeof *d->tcols);
    for (int i = 0; i < d->n; i++)
        d->tcols[i] = lh_expr_column(a, i, p->u.dml.table_types[i], true, "c");
    d->cond = p->u.dml.cond;
    if (p->u.dml.values) {
        d->values = lh_arena_calloc(a, (size_t)d->n + 1, sizeof *d->values);
        memcpy(d->values, p->u.dml.values, (size_t)d->n * sizeof *d->values);
    }
    int kc = p->u.dml.key_count;
    d->tkeys = lh_arena_calloc(a, (size_t)kc + 1, sizeof *d->tkeys);
    d->skeys = lh_arena_calloc(a, (size_t)kc + 1, sizeof *d->skeys);
    for (int i = 0; i < kc; i++) {
        d->tkeys[i] = p->u.dml.target_keys[i];
        d->skeys[i] = p->u.dml.source_keys[i];
    }
    d->residual = p->u.dml.residual;
    int cc = p->u.dml.clause_count;
    d->clauses = lh_arena_calloc(a, (size_t)cc + 1, sizeof *d->clauses);
    for (int k = 0; k < cc; k++) {
        d->clauses[k] = p->u.dml.clauses[k];
        if (p->u.dml.clauses[k].values) {
            d->clauses[k].values = lh_arena_calloc(a, (size_t)d->n + 1, sizeof(lh_expr_t *));
            memcpy(d->clauses[k].values, p->u.dml.clauses[k].values,
                   (size_t)d->n * sizeof(lh_expr_t *));
        }
    }
    LH_TRY(number_all(d, eb));
    d->view_cols = lh_arena_calloc(a, (size_t)d->n + 1, sizeof *d->view_cols);
    d->view.cols = d->view_cols;
    d->view.col_count = d->n;
    return exec_checker_init(&d->chk, q, p->u.dml.checks, eb);
}

static void dml_free(dml *d)
{
    if (d->st)
        lh_expr_state_destroy(d->st);
    exec_checker_free(&d->chk);
    exec_ident_free(&d->ident);
    free(d->sel);
    lh_batch_t *bs[] = {d->src, d->joined, d->matched, d->part, d->out};
    for (size_t i = 0; i < sizeof bs / sizeof bs[0]; i++)
        if (bs[i])
            lh_batch_destroy(bs[i]);
    free(d->src_matched);
    free(d->kbytes);
    free(d->koff);
    free(d->klen);
    free(d->khash);
    free(d->next);
    free(d->slots);
    free(d->pt);
    free(d->ps);
    free(d->which);
}

/* ---- DELETE and UPDATE ------------------------------------------------------------------ */

static lh_err delete_cb(void *ctx, const lh_batch_t *b, lh_delta_rewrite_result_t *out,
                        lh_errbuf *eb)
{
    dml *d = ctx;
    LH_TRY(exec_check(d->q, eb));
    LH_TRY(sel_room(d, b->row_count, eb));
    size_t hit = b->row_count;
    if (d->cond != NULL)
        LH_TRY(lh_expr_select(d->st, d->cond, b, d->sel, &hit, eb));
    else
        for (size_t i = 0; i < hit; i++)
            d->sel[i] = (uint32_t)i;
    if (hit == 0)
        return LH_OK;
    d->deleted += (int64_t)hit;
    out->action = LH_DELTA_REWRITE_DELETE_ROWS;
    out->rows = d->sel;
    out->row_count = hit;
    return LH_OK;
}

static lh_err update_cb(void *ctx, const lh_batch_t *b, lh_delta_rewrite_result_t *out,
                        lh_errbuf *eb)
{
    dml *d = ctx;
    LH_TRY(exec_check(d->q, eb));
    LH_TRY(sel_room(d, b->row_count, eb));
    size_t hit = b->row_count;
    if (d->cond != NULL)
        LH_TRY(lh_expr_select(d->st, d->cond, b, d->sel, &hit, eb));
    if (hit == 0)
        return LH_OK;
    for (int i = 0; i < d->n; i++) {
        const lh_vec_t *v;
        LH_TRY(lh_expr_eval(d->st, d->values[i], b, &v, eb));
        d->view_cols[i] = (lh_vec_t *)v;
    }
    d->view.row_count = b->row_count;
    LH_TRY(exec_checker_run(&d->chk, &d->view, eb));
    d->updated += (int64_t)hit;
    d->copied += (int64_t)(b->row_count - hit);
    out->action = LH_DELTA_REWRITE_REPLACE;
    out->batch = &d->view;
    return LH_OK;
}

/* ---- MERGE: the source and its hash table ------------------------------------------------ */

/* Encoded key of row r (keys[0..kc) evaluated); false when a key is null. */
static bool encode_key(const lh_vec_t *const *keys, int kc, size_t r, uint8_t *buf, size_t *len)
{
    size_t at = 0;
    for (int k = 0; k < kc; k++) {
        if (!lh_vec_is_valid(keys[k], r))
            return false;
        at += lh_vecops_encode(keys[k], r, buf + at);
    }
    *len = at;
    return true;
}

static size_t key_size(const lh_vec_t *const *keys, int kc, size_t r)
{
    size_t s = 0;
    for (int k = 0; k < kc; k++)
        s += lh_vecops_encoded_size(keys[k], r);
    return s;
}

static lh_err load_source(dml *d, lh_errbuf *eb)
{
    const lh_plan_t *child = d->p->children[0];
    exec_rows *rows;
    LH_TRY(exec_materialize(d->q, child, &rows, eb));
    d->sn = child->col_count;
    lh_err e = LH_OK;
    d->src = lh_vecops_batch_new(d->sn, child->col_types, (size_t)rows->row_count + 1);
    if (d->src == NULL)
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    for (size_t b = 0; e == LH_OK && b < rows->batch_count; b++)
        for (int c = 0; e == LH_OK && c < d->sn; c++)
            e = lh_vec_append_range(d->src->cols[c], rows->batches[b]->cols[c], 0,
                                    rows->batches[b]->row_count);
    if (e == LH_OK)
        d->src->row_count = (size_t)rows->row_count;
    exec_rows_free(rows);
    return e;
}

static lh_err hash_source(dml *d, lh_errbuf *eb)
{
    size_t n = d->src->row_count;
    int kc = d->p->u.dml.key_count;
    d->src_matched = calloc(n + 1, 1);
    d->koff = calloc(n + 1, sizeof *d->koff);
    d->klen = calloc(n + 1, sizeof *d->klen);
    d->khash = calloc(n + 1, sizeof *d->khash);
    d->next = calloc(n + 1, sizeof *d->next);
    size_t slots = 16;
    while (slots < 2 * n)
        slots *= 2;
    d->slots = malloc(slots * sizeof *d->slots);
    LH_FAIL_IF(!d->src_matched || !d->koff || !d->klen || !d->khash || !d->next || !d->slots,
               LH_E_NOMEM, eb, "out of memory");
    d->slot_mask = slots - 1;
    for (size_t i = 0; i < slots; i++)
        d->slots[i] = -1;
    /* evaluate the keys over the whole source (one batch), encode, chain equal keys */
    const lh_vec_t *keys[64];
    LH_FAIL_IF(kc > 64, LH_E_INVALID, eb, "too many MERGE keys");
    for (int k = 0; k < kc; k++)
        LH_TRY(lh_expr_eval(d->st, d->skeys[k], d->src, &keys[k], eb));
    size_t total = 0;
    for (size_t r = 0; r < n; r++)
        total += key_size(keys, kc, r);
    d->kbytes = malloc(total + 1);
    LH_FAIL_IF(d->kbytes == NULL, LH_E_NOMEM, eb, "out of memory");
    LH_TRY(exec_mem_charge(d->q, (int64_t)(total + n * 48), eb));
    size_t at = 0;
    for (size_t r = 0; r < n; r++) {
        size_t len;
        d->next[r] = -1;
        if (!encode_key(keys, kc, r, d->kbytes + at, &len))
            continue; /* a null key never matches */
        d->koff[r] = at;
        d->klen[r] = (uint32_t)len;
        d->khash[r] = lh_vecops_hash(d->kbytes + at, len) | 1u;
        at += len;
        size_t s = d->khash[r] & d->slot_mask;
        while (d->slots[s] >= 0) {
            int64_t h = d->slots[s];
            if (d->khash[h] == d->khash[r] && d->klen[h] == len &&
                memcmp(d->kbytes + d->koff[h], d->kbytes + d->koff[r], len) == 0)
                break;
            s = (s + 1) & d->slot_mask;
        }
        d->next[r] = d->slots[s]; /* -1 when the slot was empty */
        d->slots[s] = (int64_t)r;
    }
    return LH_OK;
}

/* The chain of source rows with this key, or -1. */
static int64_t probe(const dml *d, const uint8_t *key, size_t len)
{
    uint64_t h = lh_vecops_hash(key, len) | 1u;
    size_t s = h & d->slot_mask;
    while (d->slots[s] >= 0) {
        int64_t r = d->slots[s];
        if (d->khash[r] == h && d->klen[r] == len && memcmp(d->kbytes + d->koff[r], key, len) == 0)
            return r;
        s = (s + 1) & d->slot_mask;
    }
    return -1;
}

/* ---- MERGE: clauses ------------------------------------------------------------------------ */

/* The joined batch: target rows tidx (from d->view) ++ source rows sidx (NULL: all null). */
static lh_err build_joined(dml *d, lh_batch_t *j, const lh_batch_t *target, const uint32_t *tidx,
                           const uint32_t *sidx, size_t n)
{
    for (int c = 0; c < d->n; c++) {
        if (target != NULL)
            LH_TRY(lh_vecops_gather(j->cols[c], target->cols[c], tidx, n));
        else
            LH_TRY(lh_vecops_fill_null(j->cols[c], n));
    }
    for (int c = 0; c < d->sn; c++) {
        if (sidx != NULL)
            LH_TRY(lh_vecops_gather(j->cols[d->n + c], d->src->cols[c], sidx, n));
        else
            LH_TRY(lh_vecops_fill_null(j->cols[d->n + c], n));
    }
    j->row_count = n;
    return LH_OK;
}

/* Assign each row of j to the first clause of kind `when` whose condition is TRUE
 * (which[r] = clause index, or -1). */
static lh_err assign(dml *d, lh_merge_when when, const lh_batch_t *j, lh_errbuf *eb)
{
    LH_TRY(grow((void **)&d->which, &d->which_cap, j->row_count + 1, sizeof *d->which, eb));
    LH_TRY(sel_room(d, j->row_count, eb));
    for (size_t r = 0; r < j->row_count; r++)
        d->which[r] = -1;
    size_t open = j->row_count;
    for (int k = 0; k < d->p->u.dml.clause_count && open > 0; k++) {
        const lh_merge_clause_t *cl = &d->clauses[k];
        if (cl->when != when)
            continue;
        if (cl->cond == NULL) {
            for (size_t r = 0; r < j->row_count; r++)
                if (d->which[r] < 0)
                    d->which[r] = k;
            break;
        }
        size_t hit;
        LH_TRY(lh_expr_select(d->st, cl->cond, j, d->sel, &hit, eb));
        for (size_t i = 0; i < hit; i++)
            if (d->which[d->sel[i]] < 0) {
                d->which[d->sel[i]] = k;
                open--;
            }
    }
    return LH_OK;
}

/* Rows of j assigned to clause k (in d->sel), their count. */
static size_t rows_of(dml *d, const lh_batch_t *j, int k)
{
    size_t n = 0;
    for (size_t r = 0; r < j->row_count; r++)
        if (d->which[r] == k)
            d->sel[n++] = (uint32_t)r;
    return n;
}

/* Perform the assigned clauses of j: UPDATE/INSERT rows appended to d->out; counters. */
static lh_err perform(dml *d, const lh_batch_t *j, lh_errbuf *eb)
{
    for (int k = 0; k < d->p->u.dml.clause_count; k++) {
        const lh_merge_clause_t *cl = &d->clauses[k];
        size_t n = rows_of(d, j, k);
        if (n == 0)
            continue;
        if (cl->action == LH_MERGE_ACT_DELETE) {
            d->deleted += (int64_t)n;
            continue;
        }
        if (cl->action == LH_MERGE_ACT_UPDATE)
            d->updated += (int64_t)n;
        else
            d->inserted += (int64_t)n;
        LH_TRY(lh_vecops_batch_gather(d->part, j, d->sel, n));
        for (int c = 0; c < d->n; c++) {
            const lh_vec_t *v;
            LH_TRY(lh_expr_eval(d->st, cl->values[c], d->part, &v, eb));
            LH_TRY(lh_vec_append_range(d->out->cols[c], v, 0, n));
        }
        d->out->row_count += n;
    }
    return LH_OK;
}

static void out_reset(dml *d)
{
    for (int c = 0; c < d->n; c++)
        lh_vec_reset(d->out->cols[c]);
    d->out->row_count = 0;
}

static bool has_when(const dml *d, lh_merge_when w)
{
    for (int k = 0; k < d->p->u.dml.clause_count; k++)
        if (d->clauses[k].when == w)
            return true;
    return false;
}

/* Candidate pairs of the target batch (d->view) by key; their count. */
static lh_err candidates(dml *d, size_t *count, lh_errbuf *eb)
{
    int kc = d->p->u.dml.key_count;
    const lh_vec_t *keys[64];
    for (int k = 0; k < kc; k++)
        LH_TRY(lh_expr_eval(d->st, d->tkeys[k], &d->view, &keys[k], eb));
    size_t n = 0;
    uint8_t stack[512];
    for (size_t r = 0; r < d->view.row_count; r++) {
        size_t need = key_size(keys, kc, r), len;
        uint8_t *buf = need <= sizeof stack ? stack : malloc(need);
        LH_FAIL_IF(buf == NULL, LH_E_NOMEM, eb, "out of memory");
        int64_t s = encode_key(keys, kc, r, buf, &len) ? probe(d, buf, len) : -1;
        if (buf != stack)
            free(buf);
        for (; s >= 0; s = d->next[s]) {
            LH_FAIL_IF((int64_t)n >= MERGE_PAIRS_MAX, LH_E_LIMIT, eb,
                       "MERGE: too many source rows match one batch of the target");
            size_t cap = d->pair_cap;
            LH_TRY(grow((void **)&d->pt, &cap, n + 1, sizeof *d->pt, eb));
            cap = d->pair_cap;
            LH_TRY(grow((void **)&d->ps, &cap, n + 1, sizeof *d->ps, eb));
            d->pair_cap = cap;
            d->pt[n] = (uint32_t)r;
            d->ps[n] = (uint32_t)s;
            n++;
        }
    }
    *count = n;
    return LH_OK;
}

static lh_err merge_cb(void *ctx, const lh_batch_t *b, lh_delta_rewrite_result_t *out,
                       lh_errbuf *eb)
{
    dml *d = ctx;
    LH_TRY(exec_check(d->q, eb));
    LH_TRY(target_view(d, b, eb));
    size_t pairs = 0, rows = b->row_count;
    if (d->src->row_count > 0)
        LH_TRY(candidates(d, &pairs, eb));
    /* the residual of ON over the candidate pairs -> matched pairs */
    LH_TRY(sel_room(d, pairs > rows ? pairs : rows, eb));
    size_t m = pairs;
    if (d->residual != NULL && pairs > 0) {
        LH_TRY(build_joined(d, d->joined, &d->view, d->pt, d->ps, pairs));
        LH_TRY(lh_expr_select(d->st, d->residual, d->joined, d->sel, &m, eb));
        LH_TRY(lh_vecops_batch_gather(d->matched, d->joined, d->sel, m));
        for (size_t i = 0; i < m; i++) { /* keep the pairs' identities in step */
            d->pt[i] = d->pt[d->sel[i]];
            d->ps[i] = d->ps[d->sel[i]];
        }
    } else {
        LH_TRY(build_joined(d, d->matched, &d->view, d->pt, d->ps, pairs));
    }
    /* per target row: matched? (pairs are in target row order) */
    uint8_t *touched = calloc(rows + 1, 1);
    LH_FAIL_IF(touched == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = LH_OK;
    for (size_t i = 0; i < m; i++) {
        if (touched[d->pt[i]] && d->need_unique) {
            e = lh_sqlerr(
                eb, "DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE", "usageReference",
                "https://docs.delta.io/latest/delta-update.html#upsert-into-a-table-using-merge",
                NULL);
            break;
        }
        touched[d->pt[i]] = 1;
        d->src_matched[d->ps[i]] = 1;
    }
    if (e == LH_OK && !d->need_unique && m > 0) { /* one pair per target row */
        size_t u = 0;
        for (size_t i = 0; i < m; i++)
            if (i == 0 || d->pt[i] != d->pt[i - 1]) {
                d->sel[u] = (uint32_t)i;
                d->pt[u] = d->pt[i];
                d->ps[u++] = d->ps[i];
            }
        if (u < m) {
            e = lh_vecops_batch_gather(d->joined, d->matched, d->sel, u);
            lh_batch_t *tmp = d->matched;
            d->matched = d->joined;
            d->joined = tmp;
            m = u;
        }
    }
    int64_t before = d->updated + d->deleted;
    out_reset(d);
    if (e == LH_OK && m > 0 && has_when(d, LH_WHEN_MATCHED)) {
        e = assign(d, LH_WHEN_MATCHED, d->matched, eb);
        for (size_t i = 0; e == LH_OK && i < m; i++) /* rows no clause takes stay as they are */
            if (d->which[i] < 0)
                touched[d->pt[i]] = 0;
        if (e == LH_OK)
            e = perform(d, d->matched, eb);
    } else {
        memset(touched, 0, rows);
    }
    /* unmatched target rows: WHEN NOT MATCHED BY SOURCE */
    if (e == LH_OK && has_when(d, LH_WHEN_NOT_MATCHED_BY_SOURCE)) {
        uint8_t *was = calloc(rows + 1, 1);
        size_t u = 0;
        e = was ? LH_OK : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
        for (size_t i = 0; e == LH_OK && i < m; i++)
            was[d->pt[i]] = 1;
        uint32_t *idx = e == LH_OK ? malloc((rows + 1) * sizeof *idx) : NULL;
        for (size_t r = 0; idx && r < rows; r++)
            if (!was[r])
                idx[u++] = (uint32_t)r;
        if (e == LH_OK && idx == NULL)
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
        if (e == LH_OK && u > 0)
            e = build_joined(d, d->joined, &d->view, idx, NULL, u);
        if (e == LH_OK && u > 0)
            e = assign(d, LH_WHEN_NOT_MATCHED_BY_SOURCE, d->joined, eb);
        for (size_t i = 0; e == LH_OK && i < u; i++)
            if (d->which[i] >= 0)
                touched[idx[i]] = 1;
        if (e == LH_OK && u > 0)
            e = perform(d, d->joined, eb);
        free(idx);
        free(was);
    }
    if (e != LH_OK || d->updated + d->deleted == before) {
        free(touched);
        return e;
    }
    /* REPLACE: the untouched rows, then the updated ones */
    size_t updated_rows = d->out->row_count, kept = 0;
    uint32_t *idx = malloc((rows + 1) * sizeof *idx);
    if (idx == NULL)
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    for (size_t r = 0; idx && r < rows; r++)
        if (!touched[r])
            idx[kept++] = (uint32_t)r;
    free(touched);
    if (e == LH_OK)
        e = exec_checker_run(&d->chk, d->out, eb);
    lh_batch_t *res = NULL;
    if (e == LH_OK && (res = lh_vecops_batch_new(d->n, d->p->u.dml.table_types, rows)) == NULL)
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    for (int c = 0; e == LH_OK && c < d->n; c++) {
        e = append_rows(res->cols[c], d->view_cols[c], idx, kept);
        if (e == LH_OK)
            e = lh_vec_append_range(res->cols[c], d->out->cols[c], 0, updated_rows);
    }
    free(idx);
    if (e != LH_OK) {
        if (res)
            lh_batch_destroy(res);
        return e;
    }
    res->row_count = kept + updated_rows;
    d->copied += (int64_t)kept;
    lh_batch_destroy(d->out); /* the output of the last callback is kept as `out` */
    d->out = res;
    out->action = LH_DELTA_REWRITE_REPLACE;
    out->batch = res;
    return LH_OK;
}

/* The source rows no target row matched: WHEN NOT MATCHED clauses. */
static lh_err merge_inserts(dml *d, lh_delta_wtxn_t *w, lh_errbuf *eb)
{
    if (!has_when(d, LH_WHEN_NOT_MATCHED))
        return LH_OK;
    size_t n = d->src->row_count;
    uint32_t *idx = malloc(LH_BATCH_ROWS * sizeof *idx);
    LH_FAIL_IF(idx == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = LH_OK;
    for (size_t r = 0; e == LH_OK && r < n;) {
        size_t u = 0;
        for (; r < n && u < LH_BATCH_ROWS; r++)
            if (!d->src_matched[r])
                idx[u++] = (uint32_t)r;
        if (u == 0)
            continue;
        out_reset(d);
        e = build_joined(d, d->joined, NULL, NULL, idx, u);
        if (e == LH_OK)
            e = assign(d, LH_WHEN_NOT_MATCHED, d->joined, eb);
        if (e == LH_OK)
            e = perform(d, d->joined, eb);
        if (e == LH_OK)
            e = exec_ident_fill(&d->ident, d->out, eb);
        if (e == LH_OK)
            e = exec_checker_run(&d->chk, d->out, eb);
        if (e == LH_OK && d->out->row_count > 0)
            e = lh_delta_wtxn_insert(w, d->out, NULL, 0, eb);
        if (e == LH_OK)
            e = exec_check(d->q, eb);
    }
    free(idx);
    return e;
}

static lh_err merge_prepare(dml *d, lh_errbuf *eb)
{
    LH_TRY(load_source(d, eb));
    LH_TRY(hash_source(d, eb));
    d->source_rows = (int64_t)d->src->row_count;
    int jn = d->n + d->sn;
    lh_type_t *types = lh_arena_calloc(d->q->arena, (size_t)jn + 1, sizeof *types);
    memcpy(types, d->p->u.dml.table_types, (size_t)d->n * sizeof *types);
    memcpy(types + d->n, d->p->children[0]->col_types, (size_t)d->sn * sizeof *types);
    d->joined = lh_vecops_batch_new(jn, types, LH_BATCH_ROWS);
    d->matched = lh_vecops_batch_new(jn, types, LH_BATCH_ROWS);
    d->part = lh_vecops_batch_new(jn, types, LH_BATCH_ROWS);
    d->out = lh_vecops_batch_new(d->n, types, LH_BATCH_ROWS);
    LH_FAIL_IF(!d->joined || !d->matched || !d->part || !d->out, LH_E_NOMEM, eb, "out of memory");
    /* Delta: several matches are fine when the only MATCHED clause is an unconditional
     * DELETE (the row goes either way) */
    int matched = 0;
    bool lone_delete = false;
    for (int k = 0; k < d->p->u.dml.clause_count; k++)
        if (d->clauses[k].when == LH_WHEN_MATCHED) {
            matched++;
            lone_delete = d->clauses[k].action == LH_MERGE_ACT_DELETE && d->clauses[k].cond == NULL;
        }
    d->need_unique = matched > 0 && !(matched == 1 && lone_delete);
    return LH_OK;
}

/* ---- the transaction ---------------------------------------------------------------------- */

static const char *const OPS[] = {"DELETE", "UPDATE", "MERGE"};

static char *json_text(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static void put_num(json_t *o, const char *key, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    json_object_set_new(o, key, json_string(buf));
}

static lh_err commit(dml *d, lh_delta_wtxn_t *w, int64_t files_removed, lh_errbuf *eb)
{
    LH_TRY(lh_delta_wtxn_flush(w, eb));
    const lh_delta_txn_t *x = lh_delta_wtxn_txn(w);
    int64_t added = 0, added_bytes = 0;
    for (size_t i = 0; i < lh_delta_txn_staged_count(x); i++) {
        const lh_delta_action_t *a = lh_delta_txn_staged(x, i);
        if (a->kind == LH_DELTA_ADD) {
            added++;
            added_bytes += a->u.add.size_bytes;
        }
    }
    const char *pred = d->p->u.dml.cond_text;
    json_t *params = json_object(), *m = json_object();
    if (d->p->u.dml.op == LH_DML_MERGE) {
        json_object_set_new(params, "predicate", json_string(pred ? pred : "true"));
        put_num(m, "numSourceRows", d->source_rows);
        put_num(m, "numTargetRowsInserted", d->inserted);
        put_num(m, "numTargetRowsUpdated", d->updated);
        put_num(m, "numTargetRowsDeleted", d->deleted);
        put_num(m, "numTargetRowsCopied", d->copied);
        put_num(m, "numOutputRows", d->inserted + d->updated + d->copied);
        put_num(m, "numTargetFilesAdded", added);
        put_num(m, "numTargetFilesRemoved", files_removed);
        put_num(m, "numTargetBytesAdded", added_bytes);
    } else {
        char list[4096];
        json_t *arr = json_pack("[s]", pred ? pred : "true");
        char *s = json_dumps(arr, JSON_COMPACT);
        snprintf(list, sizeof list, "%s", s ? s : "[]");
        free(s);
        json_decref(arr);
        json_object_set_new(params, "predicate", json_string(list));
        put_num(m, "numRemovedFiles", files_removed);
        put_num(m, "numAddedFiles", added);
        put_num(m, "numCopiedRows", d->copied);
        if (d->p->u.dml.op == LH_DML_DELETE)
            put_num(m, "numDeletedRows", d->deleted);
        else
            put_num(m, "numUpdatedRows", d->updated);
    }
    char *ps = json_text(params), *ms = json_text(m);
    lh_err e = lh_delta_wtxn_commit(w, OPS[d->p->u.dml.op], ps, ms, 0, NULL, eb);
    free(ps);
    free(ms);
    return exec_delta_error(e, eb);
}

static lh_err run(dml *d, lh_delta_table_t *t, lh_delta_wtxn_t **wp, lh_errbuf *eb)
{
    lh_delta_snapshot_t *snap;
    LH_TRY(lh_delta_snapshot_latest(t, &snap, eb));
    lh_delta_write_opts_t o;
    lh_delta_write_opts_default(&o);
    o.enforces_constraints = true; /* checks.c does */
    lh_err e = lh_delta_wtxn_begin(t, snap, &o, wp, eb);
    lh_delta_snapshot_release(snap);
    LH_TRY(e);
    lh_delta_wtxn_t *w = *wp;
    const lh_delta_add_t **files = NULL;
    size_t n = 0;
    LH_TRY(lh_delta_wtxn_scan_files(w, NULL, 0, &files, &n, eb));
    lh_delta_rewrite_fn fn = d->p->u.dml.op == LH_DML_DELETE   ? delete_cb
                             : d->p->u.dml.op == LH_DML_UPDATE ? update_cb
                                                               : merge_cb;
    int64_t removed = 0;
    for (size_t i = 0; e == LH_OK && i < n; i++) {
        lh_delta_rewrite_stats_t st;
        e = lh_delta_wtxn_rewrite(w, files[i], fn, d, 0, &st, eb);
        if (e == LH_OK && st.changed) {
            removed++;
            if (d->p->u.dml.op == LH_DML_DELETE)
                d->copied += st.rows_written;
        }
    }
    free(files);
    if (e == LH_OK && d->p->u.dml.op == LH_DML_MERGE && d->p->u.dml.identity_fill != NULL)
        e = exec_ident_init(&d->ident, lh_delta_txn_metadata(lh_delta_wtxn_txn(w)),
                            d->p->u.dml.identity_fill, d->n, eb);
    if (e == LH_OK && d->p->u.dml.op == LH_DML_MERGE)
        e = merge_inserts(d, w, eb);
    if (e == LH_OK) /* the new highWaterMarks, in the same commit */
        e = exec_ident_commit(&d->ident, lh_delta_wtxn_txn(w), eb);
    if (e == LH_OK)
        e = commit(d, w, removed, eb);
    return e;
}

lh_err exec_dml_run(exec_query *q, const lh_plan_t *p, exec_rows **out, lh_errbuf *eb)
{
    dml d;
    lh_err e = dml_init(&d, q, p, eb);
    if (e == LH_OK && p->u.dml.op == LH_DML_MERGE)
        e = merge_prepare(&d, eb);
    lh_objstore_t *os = NULL;
    lh_delta_table_t *t = NULL;
    lh_delta_wtxn_t *w = NULL;
    if (e == LH_OK)
        e = lh_objstore_local_create(p->u.dml.root, &os, eb);
    if (e == LH_OK)
        e = lh_delta_table_open(os, "", &t, eb);
    if (e == LH_OK)
        e = run(&d, t, &w, eb);
    lh_delta_wtxn_destroy(w); /* aborts unless committed: files it wrote are deleted */
    if (t)
        lh_delta_table_close(t);
    if (os)
        lh_objstore_destroy(os);
    int64_t counts[4] = {d.updated + d.deleted + d.inserted, d.updated, d.deleted, d.inserted};
    dml_free(&d);
    LH_TRY(e);
    atomic_fetch_add(&q->rows_written, counts[0]);
    exec_rows *r = exec_rows_new(q, p->col_count, p->col_types);
    lh_batch_t *b = exec_rows_batch(r, 1);
    for (int i = 0; b && i < p->col_count; i++)
        lh_vec_append_i64(b->cols[i], counts[i < 4 ? i : 0]);
    if (b != NULL)
        b->row_count = 1;
    e = b ? exec_rows_take(r, b, eb) : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "no memory");
    if (e != LH_OK) {
        exec_rows_free(r);
        return e;
    }
    *out = r;
    return LH_OK;
}
