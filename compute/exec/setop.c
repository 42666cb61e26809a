/*
 * setop.c - UNION [ALL], INTERSECT [ALL], EXCEPT [ALL] over two materialized inputs, with
 * Spark's semantics: rows compare as wholes with NULLs equal to each other.
 *
 *   UNION ALL       the right rows after the left rows
 *   UNION           the first occurrence of every distinct row of left ++ right
 *   INTERSECT       distinct left rows that occur in right
 *   INTERSECT ALL   each left row while right still has an unused copy: min(l, r) copies
 *   EXCEPT          distinct left rows that do not occur in right
 *   EXCEPT ALL      left rows beyond the first r copies: max(0, l - r) copies
 * Rows are keyed by lh_vecops_encode of every column in a hash table of counts.
 */
#include <stdlib.h>
#include <string.h>

#include "compute/exec/exec_internal.h"

typedef struct setop {
    exec_ht ht;
    exec_bump mem;
    uint8_t *key;
    size_t key_cap;
} setop;

static size_t hdr(size_t len)
{
    return (8 + len + 7) & ~(size_t)7;
}

static lh_err row_key(setop *s, const lh_batch_t *b, size_t i, size_t *len, lh_errbuf *eb)
{
    size_t need = 0;
    for (int c = 0; c < b->col_count; c++)
        need += lh_vecops_encoded_size(b->cols[c], i);
    if (need > s->key_cap) {
        free(s->key);
        s->key_cap = need * 2;
        s->key = malloc(s->key_cap);
        LH_FAIL_IF(s->key == NULL, LH_E_NOMEM, eb, "out of memory");
    }
    size_t o = 0;
    for (int c = 0; c < b->col_count; c++)
        o += lh_vecops_encode(b->cols[c], i, s->key + o);
    *len = o;
    return LH_OK;
}

/* The count slot of the row's entry (created at 0 when create). NULL when absent. */
static lh_err slot(setop *s, const lh_batch_t *b, size_t i, bool create, int64_t **out,
                   lh_errbuf *eb)
{
    size_t len = 0;
    LH_TRY(row_key(s, b, i, &len, eb));
    uint64_t h = exec_ht_hash(s->key, len);
    void *e = exec_ht_find(&s->ht, h, s->key, len);
    if (e == NULL && create) {
        LH_TRY(exec_bump_alloc(&s->mem, hdr(len) + 8, &e, eb));
        *(uint32_t *)e = (uint32_t)len;
        memcpy((uint8_t *)e + 8, s->key, len);
        LH_TRY(exec_ht_insert(&s->ht, h, e, eb));
    }
    *out = e ? (int64_t *)((uint8_t *)e + hdr(len)) : NULL;
    return LH_OK;
}

/* Whether row i of b is emitted; updates the counts. */
static lh_err decide(setop *s, const lh_plan_t *p, const lh_batch_t *b, size_t i, bool left,
                     bool *emit, lh_errbuf *eb)
{
    int64_t *n;
    bool all = p->u.setop.all;
    switch (p->u.setop.kind) {
    case LH_SETOP_UNION: /* distinct: count = times emitted */
        LH_TRY(slot(s, b, i, true, &n, eb));
        *emit = (*n)++ == 0;
        return LH_OK;
    case LH_SETOP_INTERSECT:
    case LH_SETOP_EXCEPT:
        LH_TRY(slot(s, b, i, !left, &n, eb));
        if (!left) { /* build: right copies */
            (*n)++;
            *emit = false;
            return LH_OK;
        }
        if (p->u.setop.kind == LH_SETOP_INTERSECT) {
            *emit = n != NULL && *n > 0;
            if (*emit)
                *n = all ? *n - 1 : 0; /* distinct: emit once, then never */
            return LH_OK;
        }
        if (n == NULL) { /* EXCEPT, not in right */
            LH_TRY(slot(s, b, i, true, &n, eb));
            *n = all ? 0 : -1; /* -1: distinct row already emitted */
            *emit = true;
            return LH_OK;
        }
        if (all) {
            *emit = *n <= 0;
            if (*n > 0)
                (*n)--;
        } else {
            *emit = false;
        }
        return LH_OK;
    }
    return LH_OK;
}

/* Emit the rows of r that decide() keeps into out. */
static lh_err pass(setop *s, const lh_plan_t *p, exec_rows *r, bool left, exec_rows *out,
                   lh_errbuf *eb)
{
    uint32_t *sel = NULL;
    size_t cap = 0;
    lh_err e = LH_OK;
    for (size_t bi = 0; bi < r->batch_count && e == LH_OK; bi++) {
        const lh_batch_t *b = r->batches[bi];
        if (b->row_count > cap) {
            free(sel);
            cap = b->row_count;
            if ((sel = malloc(cap * sizeof *sel)) == NULL)
                return lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
        }
        size_t k = 0;
        for (size_t i = 0; i < b->row_count && e == LH_OK; i++) {
            bool emit = false;
            e = decide(s, p, b, i, left, &emit, eb);
            if (emit)
                sel[k++] = (uint32_t)i;
        }
        if (e == LH_OK && out != NULL && k > 0)
            e = exec_rows_append(out, b, sel, k, eb);
        if (e == LH_OK)
            e = exec_check(r->q, eb);
    }
    free(sel);
    return e;
}

lh_err exec_setop_run(exec_query *q, const lh_plan_t *p, exec_rows *left, exec_rows *right,
                      exec_rows **out, lh_errbuf *eb)
{
    if (p->u.setop.kind == LH_SETOP_UNION && p->u.setop.all) {
        exec_rows_move(left, right);
        exec_rows_free(right);
        *out = left;
        return LH_OK;
    }
    setop s;
    memset(&s, 0, sizeof s);
    exec_ht_init(&s.ht, q);
    exec_bump_init(&s.mem, q);
    exec_rows *r = exec_rows_new(q, left->col_count, left->types);
    lh_err e;
    if (p->u.setop.kind == LH_SETOP_UNION) {
        e = pass(&s, p, left, true, r, eb);
        if (e == LH_OK)
            e = pass(&s, p, right, true, r, eb);
    } else {
        e = pass(&s, p, right, false, NULL, eb);
        if (e == LH_OK)
            e = pass(&s, p, left, true, r, eb);
    }
    exec_ht_free(&s.ht);
    exec_bump_free(&s.mem);
    free(s.key);
    exec_rows_free(left);
    exec_rows_free(right);
    if (e != LH_OK) {
        exec_rows_free(r);
        return e;
    }
    *out = r;
    return LH_OK;
}
