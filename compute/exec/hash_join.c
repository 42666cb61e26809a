/*
 * hash_join.c - every join kind as a build (the right child, materialized in parallel by
 * its own pipeline, then hashed here on one thread) and a streaming probe (the left side).
 *
 * Build: each right row's keys are encoded (lh_vecops_encode); a row with a NULL in a key
 * that is not null-safe (<=>) can never match and is left out of the chains (Spark's =).
 * Chains: heads[hash & mask] -> next[row]. Without equi keys (CROSS, or only a residual
 * condition) every build row is a candidate of every probe row: a nested loop.
 *
 * Probe, per input batch: candidate pairs (probe row, build row) fill a 2048-pair buffer;
 * each full buffer becomes a batch (left columns gathered from the input, right columns
 * from the build rows), the residual filter selects the pairs that join, and those are
 * pushed (INNER, LEFT, RIGHT, FULL, CROSS) or only recorded (SEMI, ANTI). After the batch:
 * LEFT/FULL push the probe rows without a match with NULL right columns, SEMI the matched
 * rows, ANTI the others. RIGHT/FULL mark matched build rows (atomic bytes shared by the
 * workers) and finish pushes the unmatched ones with NULL left columns. The cancellation
 * check runs at every buffer, so a large nested loop stops within a buffer.
 * build_left (INNER, LEFT, RIGHT, FULL, CROSS): the left child is built and the right one
 * probes; output columns stay left ++ right and the outer sides swap roles (a LEFT join
 * then pads unmatched build rows in finish). SEMI and ANTI always build the right side.
 */
#include <stdlib.h>
#include <string.h>

#include "compute/exec/exec_internal.h"

typedef struct join_op {
    lh_join_kind kind;
    exec_rows *build;
    int left_cols, right_cols;             /* probe side's columns, build side's columns */
    const lh_type_t *left_types;           /* the probe side's types */
    bool swap;                             /* build_left: output = build ++ probe */
    int po, bo;                            /* output offsets of probe and build columns */
    bool unmatched_probe, unmatched_build; /* outer sides to NULL-pad */
    lh_expr_t **build_keys;
    int key_count;
    lh_expr_t **lkeys;
    int lnodes;
    lh_expr_t *residual;
    int rnodes;
    const bool *null_safe;
    size_t rows;
    exec_ref *refs;  /* build row -> (batch, row) */
    uint64_t *hash;  /* per build row */
    uint8_t *keys;   /* encoded keys */
    size_t *key_off; /* rows + 1 offsets; a row with an unusable key has length 0 */
    int64_t *heads, *next;
    size_t mask;
    _Atomic uint8_t *matched;
    int64_t charged;
} join_op;

typedef struct join_local {
    exec_eval keys, res;
    uint8_t *key;
    size_t key_cap;
    uint32_t probe[LH_BATCH_ROWS]; /* pair buffer: probe row */
    uint32_t cand[LH_BATCH_ROWS];  /* pair buffer: build row */
    size_t pairs;
    uint32_t sel[LH_BATCH_ROWS];
    lh_batch_t *out, *out2, *left; /* left: SEMI / ANTI output (left columns only) */
    uint8_t *hit;                  /* per probe row of the current input: joined at least once */
    size_t hit_cap;
} join_local;

static bool emits_pairs(lh_join_kind k)
{
    return k != LH_PJOIN_SEMI && k != LH_PJOIN_ANTI;
}

/* dst := column col of build rows ids[0..n). */
static lh_err gather_build(lh_vec_t *dst, const join_op *j, int col, const uint32_t *ids, size_t n)
{
    lh_vec_reset(dst);
    LH_TRY(lh_vec_reserve(dst, n ? n : 1));
    size_t w = lh_type_width(dst->type);
    for (size_t i = 0; i < n; i++) {
        exec_ref r = j->refs[ids[i]];
        const lh_vec_t *s = j->build->batches[r.batch]->cols[col];
        memcpy((char *)dst->data + i * w, (const char *)s->data + (size_t)r.row * w, w);
        if (!lh_vec_is_valid(s, r.row))
            LH_TRY(lh_vec_set_null(dst, i, true));
    }
    dst->count = n;
    return LH_OK;
}

/* Encode the probe row's keys into l->key; false when a non-null-safe key is NULL. */
static bool probe_key(const join_op *j, join_local *l, size_t i, size_t *len)
{
    size_t need = 0;
    for (int k = 0; k < j->key_count; k++) {
        if (!lh_vec_is_valid(l->keys.vals[k], i) && !(j->null_safe && j->null_safe[k]))
            return false;
        need += lh_vecops_encoded_size(l->keys.vals[k], i);
    }
    if (need > l->key_cap) {
        free(l->key);
        l->key_cap = need * 2;
        l->key = malloc(l->key_cap);
        LH_ASSERT(l->key != NULL);
    }
    size_t o = 0;
    for (int k = 0; k < j->key_count; k++)
        o += lh_vecops_encode(l->keys.vals[k], i, l->key + o);
    *len = o;
    return true;
}

/* Turn the pair buffer into output (or match marks). */
static lh_err flush(exec_op *op, join_local *l, const lh_batch_t *in, exec_thread *t, lh_errbuf *eb)
{
    join_op *j = op->data;
    size_t n = l->pairs;
    l->pairs = 0;
    LH_TRY(exec_check(op->q, eb));
    if (n == 0)
        return LH_OK;
    lh_batch_t *b = l->out;
    for (int c = 0; c < j->left_cols; c++)
        LH_FAIL_IF(lh_vecops_gather(b->cols[j->po + c], in->cols[c], l->probe, n) != LH_OK,
                   LH_E_NOMEM, eb, "out of memory");
    for (int c = 0; c < j->right_cols; c++)
        LH_FAIL_IF(gather_build(b->cols[j->bo + c], j, c, l->cand, n) != LH_OK, LH_E_NOMEM, eb,
                   "out of memory");
    b->row_count = n;
    size_t k = n;
    if (j->residual != NULL)
        LH_TRY(lh_expr_select(l->res.st, j->residual, b, l->sel, &k, eb));
    else
        for (size_t i = 0; i < n; i++)
            l->sel[i] = (uint32_t)i;
    for (size_t s = 0; s < k; s++) {
        l->hit[l->probe[l->sel[s]]] = 1;
        if (j->matched)
            atomic_store_explicit(&j->matched[l->cand[l->sel[s]]], 1, memory_order_relaxed);
    }
    if (!emits_pairs(j->kind) || k == 0)
        return LH_OK;
    if (k == n)
        return exec_push(t, op->stage, b, eb);
    LH_FAIL_IF(lh_vecops_batch_gather(l->out2, b, l->sel, k) != LH_OK, LH_E_NOMEM, eb,
               "out of memory");
    return exec_push(t, op->stage, l->out2, eb);
}

static lh_err add_pair(exec_op *op, join_local *l, const lh_batch_t *in, uint32_t probe,
                       uint32_t build, exec_thread *t, lh_errbuf *eb)
{
    l->probe[l->pairs] = probe;
    l->cand[l->pairs++] = build;
    return l->pairs == LH_BATCH_ROWS ? flush(op, l, in, t, eb) : LH_OK;
}

/* Candidate pairs of probe row i. */
static lh_err candidates(exec_op *op, join_local *l, const lh_batch_t *in, size_t i, exec_thread *t,
                         lh_errbuf *eb)
{
    join_op *j = op->data;
    if (j->key_count == 0) {
        for (size_t r = 0; r < j->rows; r++)
            LH_TRY(add_pair(op, l, in, (uint32_t)i, (uint32_t)r, t, eb));
        return LH_OK;
    }
    size_t len;
    if (j->heads == NULL || !probe_key(j, l, i, &len))
        return LH_OK;
    uint64_t h = exec_ht_hash(l->key, len);
    for (int64_t r = j->heads[h & j->mask]; r >= 0; r = j->next[r]) {
        size_t off = j->key_off[r], klen = j->key_off[r + 1] - off;
        if (j->hash[r] == h && klen == len && memcmp(j->keys + off, l->key, len) == 0) {
            LH_TRY(add_pair(op, l, in, (uint32_t)i, (uint32_t)r, t, eb));
            if (j->kind == LH_PJOIN_SEMI && j->residual == NULL)
                break; /* one match decides */
        }
    }
    return LH_OK;
}

/* Push probe rows whose hit flag equals want, right columns NULL (LEFT/FULL) or absent. */
static lh_err push_probe_rows(exec_op *op, join_local *l, const lh_batch_t *in, uint8_t want,
                              exec_thread *t, lh_errbuf *eb)
{
    join_op *j = op->data;
    size_t n = 0;
    for (size_t i = 0; i < in->row_count; i++)
        if (l->hit[i] == want)
            l->sel[n++] = (uint32_t)i;
    if (n == 0)
        return LH_OK;
    lh_batch_t *b = emits_pairs(j->kind) ? l->out : l->left;
    int po = emits_pairs(j->kind) ? j->po : 0;
    for (int c = 0; c < j->left_cols; c++)
        LH_FAIL_IF(lh_vecops_gather(b->cols[po + c], in->cols[c], l->sel, n) != LH_OK, LH_E_NOMEM,
                   eb, "out of memory");
    for (int c = 0; emits_pairs(j->kind) && c < j->right_cols; c++)
        LH_FAIL_IF(lh_vecops_fill_null(b->cols[j->bo + c], n) != LH_OK, LH_E_NOMEM, eb,
                   "out of memory");
    b->row_count = n;
    return exec_push(t, op->stage, b, eb);
}

static lh_err join_process(exec_op *op, void *local, const lh_batch_t *in, exec_thread *t,
                           lh_errbuf *eb)
{
    join_op *j = op->data;
    join_local *l = local;
    LH_TRY(exec_eval_run(&l->keys, in, eb));
    if (l->hit_cap < in->row_count) {
        free(l->hit);
        l->hit_cap = in->row_count;
        l->hit = malloc(l->hit_cap);
        LH_FAIL_IF(l->hit == NULL, LH_E_NOMEM, eb, "out of memory");
    }
    memset(l->hit, 0, in->row_count);
    l->pairs = 0;
    for (size_t i = 0; i < in->row_count; i++)
        LH_TRY(candidates(op, l, in, i, t, eb));
    LH_TRY(flush(op, l, in, t, eb));
    if (j->unmatched_probe || j->kind == LH_PJOIN_ANTI)
        return push_probe_rows(op, l, in, 0, t, eb);
    if (j->kind == LH_PJOIN_SEMI)
        return push_probe_rows(op, l, in, 1, t, eb);
    return LH_OK;
}

/* RIGHT / FULL: build rows nobody matched, with NULL left columns. */
static lh_err join_finish(exec_op *op, void *local, exec_thread *t, lh_errbuf *eb)
{
    join_op *j = op->data;
    join_local *l = local;
    if (j->matched == NULL)
        return LH_OK;
    size_t n = 0;
    for (size_t r = 0; r <= j->rows; r++) {
        if (n == LH_BATCH_ROWS || (r == j->rows && n > 0)) {
            lh_batch_t *b = l->out;
            for (int c = 0; c < j->left_cols; c++)
                LH_FAIL_IF(lh_vecops_fill_null(b->cols[j->po + c], n) != LH_OK, LH_E_NOMEM, eb,
                           "out of memory");
            for (int c = 0; c < j->right_cols; c++)
                LH_FAIL_IF(gather_build(b->cols[j->bo + c], j, c, l->cand, n) != LH_OK, LH_E_NOMEM,
                           eb, "out of memory");
            b->row_count = n;
            n = 0;
            LH_TRY(exec_push(t, op->stage, b, eb));
        }
        if (r < j->rows && !atomic_load_explicit(&j->matched[r], memory_order_relaxed))
            l->cand[n++] = (uint32_t)r;
    }
    return LH_OK;
}

static void *join_local_new(exec_op *op)
{
    join_op *j = op->data;
    const lh_plan_t *p = op->plan;
    join_local *l = calloc(1, sizeof *l);
    lh_errbuf eb;
    if (l == NULL)
        return NULL;
    lh_type_t types[j->left_cols + j->right_cols + 1];
    for (int c = 0; c < j->left_cols; c++)
        types[j->po + c] = j->left_types[c];
    for (int c = 0; c < j->right_cols; c++)
        types[j->bo + c] = j->build->types[c];
    l->out = lh_vecops_batch_new(j->left_cols + j->right_cols, types, LH_BATCH_ROWS);
    l->out2 = lh_vecops_batch_new(j->left_cols + j->right_cols, types, LH_BATCH_ROWS);
    l->left = lh_vecops_batch_new(j->left_cols, j->left_types, LH_BATCH_ROWS);
    bool ok = l->out && l->out2 && l->left &&
              exec_eval_init(&l->keys, op->q, j->lkeys, j->key_count, j->lnodes, &eb) == LH_OK &&
              exec_eval_init(&l->res, op->q, &j->residual, 1, j->rnodes, &eb) == LH_OK;
    (void)p;
    if (!ok) {
        op->vt->local_free(op, l);
        return NULL;
    }
    return l;
}

static void join_local_free(exec_op *op, void *local)
{
    (void)op;
    join_local *l = local;
    exec_eval_free(&l->keys);
    exec_eval_free(&l->res);
    lh_batch_destroy(l->out);
    lh_batch_destroy(l->out2);
    lh_batch_destroy(l->left);
    free(l->key);
    free(l->hit);
    free(l);
}

static void join_free(exec_op *op)
{
    join_op *j = op->data;
    exec_rows_free(j->build);
    free(j->refs);
    free(j->hash);
    free(j->keys);
    free(j->key_off);
    free(j->heads);
    free(j->next);
    free(j->lkeys);
    free(j->build_keys);
    free((void *)j->matched);
    exec_mem_release(op->q, j->charged);
    free(j);
}

static const exec_op_vt join_vt = {
    .name = "hash_join",
    .process = join_process,
    .finish = join_finish,
    .local_new = join_local_new,
    .local_free = join_local_free,
    .free = join_free,
};

/* Encode build row (b, i)'s keys at the end of j->keys; false when unusable (NULL). */
static lh_err encode_build_row(join_op *j, exec_eval *ev, size_t i, size_t *cap, bool *ok,
                               lh_errbuf *eb)
{
    size_t need = 0;
    *ok = true;
    for (int k = 0; k < j->key_count; k++) {
        if (!lh_vec_is_valid(ev->vals[k], i) && !(j->null_safe && j->null_safe[k]))
            *ok = false;
        need += lh_vecops_encoded_size(ev->vals[k], i);
    }
    size_t at = j->key_off[j->rows];
    if (!*ok) {
        j->key_off[j->rows + 1] = at;
        return LH_OK;
    }
    if (at + need > *cap) {
        size_t nc = (at + need) * 2;
        LH_TRY(exec_mem_charge(j->build->q, (int64_t)(nc - *cap), eb));
        j->charged += (int64_t)(nc - *cap);
        uint8_t *nk = realloc(j->keys, nc);
        LH_FAIL_IF(nk == NULL, LH_E_NOMEM, eb, "out of memory");
        j->keys = nk;
        *cap = nc;
    }
    for (int k = 0; k < j->key_count; k++)
        at += lh_vecops_encode(ev->vals[k], i, j->keys + at);
    j->key_off[j->rows + 1] = at;
    return LH_OK;
}

static lh_err build_table(exec_query *q, const lh_plan_t *p, join_op *j, lh_errbuf *eb)
{
    size_t n = (size_t)j->build->row_count, cap = 0;
    int64_t bytes = (int64_t)(n * (sizeof(exec_ref) + 2 * sizeof(int64_t) + sizeof(size_t) + 2));
    LH_TRY(exec_mem_charge(q, bytes, eb));
    j->charged += bytes;
    j->refs = malloc((n + 1) * sizeof *j->refs);
    j->hash = malloc((n + 1) * sizeof *j->hash);
    j->key_off = calloc(n + 2, sizeof *j->key_off);
    j->next = malloc((n + 1) * sizeof *j->next);
    size_t hc = 16;
    while (hc < n * 2)
        hc *= 2;
    j->heads = malloc(hc * sizeof *j->heads);
    LH_FAIL_IF(!j->refs || !j->hash || !j->key_off || !j->next || !j->heads, LH_E_NOMEM, eb,
               "out of memory");
    memset(j->heads, 0xff, hc * sizeof *j->heads);
    j->mask = hc - 1;
    lh_expr_t **rk = j->build_keys;
    (void)p;
    exec_eval ev;
    LH_TRY(exec_eval_init(&ev, q, rk, j->key_count, exec_number(q, rk, j->key_count), eb));
    lh_err e = LH_OK;
    for (size_t b = 0; b < j->build->batch_count && e == LH_OK; b++) {
        const lh_batch_t *bb = j->build->batches[b];
        if ((e = exec_eval_run(&ev, bb, eb)) != LH_OK)
            break;
        for (size_t i = 0; i < bb->row_count && e == LH_OK; i++, j->rows++) {
            bool ok;
            j->refs[j->rows] = (exec_ref){(uint32_t)b, (uint32_t)i};
            e = encode_build_row(j, &ev, i, &cap, &ok, eb);
            if (e != LH_OK || !ok)
                continue;
            size_t off = j->key_off[j->rows];
            uint64_t h = exec_ht_hash(j->keys + off, j->key_off[j->rows + 1] - off);
            j->hash[j->rows] = h;
            j->next[j->rows] = j->heads[h & j->mask];
            j->heads[h & j->mask] = (int64_t)j->rows;
        }
    }
    exec_eval_free(&ev);
    return e;
}

bool exec_join_builds_left(const lh_plan_t *p)
{
    lh_join_kind k = p->u.join.kind;
    return p->u.join.build_left && k != LH_PJOIN_SEMI && k != LH_PJOIN_ANTI;
}

lh_err exec_join_new(exec_query *q, const lh_plan_t *p, exec_rows *build, exec_op **out,
                     lh_errbuf *eb)
{
    join_op *j = calloc(1, sizeof *j);
    if (j == NULL) {
        exec_rows_free(build);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    exec_op *op = exec_op_new(q, &join_vt, p, j);
    j->kind = p->u.join.kind;
    j->build = build;
    j->swap = exec_join_builds_left(p);
    const lh_plan_t *probe = p->children[j->swap ? 1 : 0];
    j->left_cols = probe->col_count;
    j->left_types = probe->col_types;
    j->right_cols = build->col_count;
    j->po = j->swap ? build->col_count : 0;
    j->bo = j->swap ? 0 : probe->col_count;
    bool outer_left = j->kind == LH_PJOIN_LEFT || j->kind == LH_PJOIN_FULL;
    bool outer_right = j->kind == LH_PJOIN_RIGHT || j->kind == LH_PJOIN_FULL;
    j->unmatched_probe = j->swap ? outer_right : outer_left;
    j->unmatched_build = j->swap ? outer_left : outer_right;
    j->key_count = j->kind == LH_PJOIN_CROSS ? 0 : p->u.join.key_count;
    j->lkeys = calloc((size_t)j->key_count + 1, sizeof *j->lkeys);
    j->build_keys = calloc((size_t)j->key_count + 1, sizeof *j->build_keys);
    if (j->lkeys == NULL || j->build_keys == NULL) {
        exec_op_free(op);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    for (int k = 0; k < j->key_count; k++) { /* private copies: exec_number renumbers them */
        j->lkeys[k] = j->swap ? p->u.join.right_keys[k] : p->u.join.left_keys[k];
        j->build_keys[k] = j->swap ? p->u.join.left_keys[k] : p->u.join.right_keys[k];
    }
    j->lnodes = exec_number(q, j->lkeys, j->key_count);
    j->residual = p->u.join.residual;
    j->rnodes = j->residual ? exec_number(q, &j->residual, 1) : 0;
    j->null_safe = p->u.join.null_safe;
    lh_err e = j->key_count > 0 ? build_table(q, p, j, eb) : LH_OK;
    if (j->key_count == 0)
        j->rows = (size_t)build->row_count;
    if (e == LH_OK && j->key_count == 0) {
        j->refs = malloc((j->rows + 1) * sizeof *j->refs);
        size_t r = 0;
        for (size_t b = 0; j->refs && b < build->batch_count; b++)
            for (size_t i = 0; i < build->batches[b]->row_count; i++)
                j->refs[r++] = (exec_ref){(uint32_t)b, (uint32_t)i};
        if (j->refs == NULL)
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    }
    if (e == LH_OK && j->unmatched_build) {
        j->matched = calloc(j->rows + 1, 1);
        if (j->matched == NULL)
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    }
    if (e != LH_OK) {
        exec_op_free(op);
        return e;
    }
    *out = op;
    return LH_OK;
}
