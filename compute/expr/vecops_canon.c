/*
 * vecops_canon.c - map keys of grouping: Spark groups maps by their entries, whatever their
 * insertion order (it sorts them, MapSort), so two maps with the same entries must encode
 * the same. lh_vecops_canon rewrites a nested value with every map's entries in key order
 * (at any depth: maps in arrays, in structs, in maps); the result has the same length (the
 * same elements, permuted), so a key encoding can be rewritten in place.
 */
#include <stdlib.h>
#include <string.h>

#include "common/nested.h"
#include "compute/expr/vecops.h"

bool lh_vecops_has_map(lh_type_t t)
{
    switch (t.id) {
    case LH_TYPE_MAP:
        return true;
    case LH_TYPE_ARRAY:
        return lh_vecops_has_map(t.nested->elem);
    case LH_TYPE_STRUCT:
        for (int i = 0; i < t.nested->field_count; i++)
            if (lh_vecops_has_map(t.nested->fields[i].type))
                return true;
        return false;
    default:
        return false;
    }
}

typedef struct canon_ctx {
    lh_nbuf_t *tmp; /* buffers of canonical sub-values (freed at the end) */
    int count, cap;
} canon_ctx;

static lh_err canon(canon_ctx *c, lh_type_t t, lh_sv_t in, lh_nbuf_t *out);

/* v (a non-null nested value with maps inside) re-pointed at its canonical bytes. */
static lh_err canon_value(canon_ctx *c, lh_value_t *v)
{
    if (v->is_null || !lh_vecops_has_map(v->type))
        return LH_OK;
    if (c->count == c->cap) {
        int cap = c->cap ? 2 * c->cap : 16;
        lh_nbuf_t *n = realloc(c->tmp, (size_t)cap * sizeof *n);
        if (n == NULL)
            return LH_E_NOMEM;
        memset(n + c->cap, 0, (size_t)(cap - c->cap) * sizeof *n);
        c->tmp = n;
        c->cap = cap;
    }
    lh_nbuf_t *b = &c->tmp[c->count++];
    LH_TRY(canon(c, v->type, v->v.str, b));
    v->v.str = (lh_sv_t){b->bytes, (uint32_t)b->len};
    return LH_OK;
}

static lh_err array_values(canon_ctx *c, const lh_narray_t *a, lh_value_t **out)
{
    *out = calloc(a->count ? a->count : 1, sizeof **out);
    if (*out == NULL)
        return LH_E_NOMEM;
    for (uint32_t i = 0; i < a->count; i++) {
        lh_narray_get(a, i, &(*out)[i]);
        LH_TRY(canon_value(c, &(*out)[i]));
    }
    return LH_OK;
}

static lh_err canon_map(canon_ctx *c, lh_type_t t, lh_sv_t in, lh_nbuf_t *out)
{
    lh_narray_t ka, va;
    lh_nmap_open(t, in, &ka, &va);
    lh_value_t *keys = NULL, *vals = NULL, *sk = NULL, *sv = NULL;
    uint32_t *perm = NULL;
    lh_err e = array_values(c, &ka, &keys);
    if (e == LH_OK)
        e = array_values(c, &va, &vals);
    uint32_t n = ka.count;
    perm = malloc((n ? n : 1) * sizeof *perm);
    sk = malloc((n ? n : 1) * sizeof *sk);
    sv = malloc((n ? n : 1) * sizeof *sv);
    if (e == LH_OK && (perm == NULL || sk == NULL || sv == NULL))
        e = LH_E_NOMEM;
    if (e == LH_OK) {
        for (uint32_t i = 0; i < n; i++) { /* insertion sort: maps are small, keys unique */
            uint32_t j = i;
            for (; j > 0 && lh_nested_value_cmp(&keys[perm[j - 1]], &keys[i]) > 0; j--)
                perm[j] = perm[j - 1];
            perm[j] = i;
        }
        for (uint32_t i = 0; i < n; i++) {
            sk[i] = keys[perm[i]];
            sv[i] = vals[perm[i]];
        }
        e = lh_nested_put_map(out, t, sk, sv, n);
    }
    free(keys);
    free(vals);
    free(sk);
    free(sv);
    free(perm);
    return e;
}

static lh_err canon(canon_ctx *c, lh_type_t t, lh_sv_t in, lh_nbuf_t *out)
{
    if (t.id == LH_TYPE_MAP)
        return canon_map(c, t, in, out);
    if (t.id == LH_TYPE_ARRAY) {
        lh_narray_t a;
        lh_narray_open(t.nested->elem, in, &a);
        lh_value_t *vals = NULL;
        lh_err e = array_values(c, &a, &vals);
        if (e == LH_OK)
            e = lh_nested_put_array(out, t.nested->elem, vals, a.count);
        free(vals);
        return e;
    }
    /* STRUCT */
    int n = t.nested->field_count;
    lh_value_t *vals = calloc(n ? (size_t)n : 1, sizeof *vals);
    if (vals == NULL)
        return LH_E_NOMEM;
    lh_err e = LH_OK;
    for (int i = 0; e == LH_OK && i < n; i++) {
        lh_nstruct_get(t, in, i, &vals[i]);
        e = canon_value(c, &vals[i]);
    }
    if (e == LH_OK)
        e = lh_nested_put_struct(out, t, vals);
    free(vals);
    return e;
}

lh_err lh_vecops_canon(lh_type_t t, uint8_t *bytes, uint32_t len)
{
    canon_ctx c = {0};
    lh_nbuf_t out = {0};
    lh_err e = canon(&c, t, (lh_sv_t){bytes, len}, &out);
    if (e == LH_OK && out.len == len)
        memcpy(bytes, out.bytes, len);
    for (int i = 0; i < c.count; i++)
        lh_nbuf_free(&c.tmp[i]);
    free(c.tmp);
    lh_nbuf_free(&out);
    return e;
}
