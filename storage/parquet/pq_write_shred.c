/*
 * pq_write_shred.c - ARRAY, MAP and STRUCT columns of a flat writer: their Parquet schema and
 * the shredding of common/nested.h values into Dremel levels.
 *
 * Schema (what Spark writes with spark.sql.parquet.writeLegacyFormat=false):
 *   ARRAY<E>    <opt> group name (LIST) { repeated group list { optional E element; } }
 *   MAP<K,V>    <opt> group name (MAP) { repeated group key_value { required K key;
 *                                                                   optional V value; } }
 *   STRUCT<..>  <opt> group name { optional F1 f1; ... }
 * where <opt> is OPTIONAL for a nullable column and every element, value and field (our nested
 * types hold NULLs anywhere), REQUIRED for a non-nullable column and map keys.
 *
 * Shredding one value of type T whose parent is defined at level d, with repetition level r
 * for its first entry:
 *   NULL       every leaf below T gets (def d, rep r)
 *   scalar     the leaf gets (def d + 1, rep r) and the value
 *   STRUCT     each field shredded at d + 1 (rep r for every field)
 *   ARRAY/MAP  empty: every leaf below gets (def d + 1, rep r); else element i is shredded at
 *              d + 2 with rep r for the first and the repeated group's level after
 * (d + 1 becomes d for a REQUIRED node.) Each leaf stages its levels and non-null values for a
 * slice of rows, which then go to the column core as whole records.
 */
#include <stdlib.h>
#include <string.h>

#include "common/nested.h"
#include "storage/parquet/pq_format.h"
#include "storage/parquet/pq_write_internal.h"

/* ---- schema ------------------------------------------------------------------------------- */

typedef struct build {
    lh_pq_writer_t *w;
    const char *path[LH_PQ_NESTED_DEPTH_MAX];
    lh_errbuf *eb;
} build_t;

static lh_err add_type(build_t *b, const char *name, lh_type_t t, int repetition, int depth,
                       int def, int rep);

static lh_err add_group(build_t *b, const char *name, int repetition, int kids, lh_pq_annot a,
                        int depth)
{
    b->path[depth] = name;
    return lh_pqw_add_snode(b->w, name, repetition, kids, a, -1, b->eb);
}

static lh_err add_type(build_t *b, const char *name, lh_type_t t, int repetition, int depth,
                       int def, int rep)
{
    LH_FAIL_IF(depth + 2 >= LH_PQ_NESTED_DEPTH_MAX, LH_E_LIMIT, b->eb,
               "parquet: column %s nests too deep", b->path[0]);
    def += repetition != PQ_REQUIRED;
    const lh_ntype_t *d = t.nested;
    switch (t.id) {
    case LH_TYPE_ARRAY:
        LH_TRY(add_group(b, name, repetition, 1, LH_PQ_ANNOT_LIST, depth));
        LH_TRY(add_group(b, "list", PQ_REPEATED, 1, LH_PQ_ANNOT_NONE, depth + 1));
        return add_type(b, "element", d->elem, PQ_OPTIONAL, depth + 2, def + 1, rep + 1);
    case LH_TYPE_MAP:
        LH_TRY(add_group(b, name, repetition, 1, LH_PQ_ANNOT_MAP, depth));
        LH_TRY(add_group(b, "key_value", PQ_REPEATED, 2, LH_PQ_ANNOT_NONE, depth + 1));
        LH_TRY(add_type(b, "key", d->elem, PQ_REQUIRED, depth + 2, def + 1, rep + 1));
        return add_type(b, "value", d->value, PQ_OPTIONAL, depth + 2, def + 1, rep + 1);
    case LH_TYPE_STRUCT:
        LH_FAIL_IF(d->field_count == 0, LH_E_UNSUPPORTED, b->eb,
                   "parquet: column %s has a struct without fields", name ? name : "?");
        LH_TRY(add_group(b, name, repetition, d->field_count, LH_PQ_ANNOT_NONE, depth));
        for (int i = 0; i < d->field_count; i++)
            LH_TRY(add_type(b, d->fields[i].name, d->fields[i].type, PQ_OPTIONAL, depth + 1, def,
                            rep));
        return LH_OK;
    default: {
        int leaf = -1;
        b->path[depth] = name;
        LH_TRY(lh_pqw_add_leaf(b->w, t, b->path, depth + 1, def, rep, b->eb, &leaf));
        return lh_pqw_add_snode(b->w, name, repetition, 0, LH_PQ_ANNOT_NONE, leaf, b->eb);
    }
    }
}

lh_err lh_pqw_add_nested_column(lh_pq_writer_t *w, const lh_field_t *f, lh_errbuf *eb)
{
    build_t b = {.w = w, .eb = eb};
    return add_type(&b, f->name, f->type, f->nullable ? PQ_OPTIONAL : PQ_REQUIRED, 0, 0, 0);
}

/* ---- shredding ---------------------------------------------------------------------------- */

int lh_pq_type_leaf_count(lh_type_t t)
{
    const lh_ntype_t *d = t.nested;
    switch (t.id) {
    case LH_TYPE_ARRAY:
        return lh_pq_type_leaf_count(d->elem);
    case LH_TYPE_MAP:
        return lh_pq_type_leaf_count(d->elem) + lh_pq_type_leaf_count(d->value);
    case LH_TYPE_STRUCT: {
        int n = 0;
        for (int i = 0; i < d->field_count; i++)
            n += lh_pq_type_leaf_count(d->fields[i].type);
        return n;
    }
    default:
        return 1;
    }
}

static lh_err stage_level(pq_shred_leaf_t *s, int def, int rep)
{
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        int16_t *d = realloc(s->def, cap * sizeof *d);
        if (d != NULL)
            s->def = d;
        int16_t *r = realloc(s->rep, cap * sizeof *r);
        if (r != NULL)
            s->rep = r;
        if (d == NULL || r == NULL)
            return LH_E_NOMEM;
        s->cap = cap;
    }
    s->def[s->count] = (int16_t)def;
    s->rep[s->count++] = (int16_t)rep;
    return LH_OK;
}

static lh_err stage_value(lh_vec_t *v, const lh_value_t *x)
{
    if (lh_type_is_bytes(v->type))
        return lh_vec_append_str(v, x->v.str.ptr, x->v.str.len);
    switch (v->type.id) {
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        return lh_vec_append_f64(v, x->v.f64);
    case LH_TYPE_BOOLEAN:
        return lh_vec_append_bool(v, x->v.i64 != 0);
    case LH_TYPE_DECIMAL:
        if (v->type.precision > 18)
            return lh_vec_append_i128(v, x->v.i128);
        return lh_vec_append_i64(v, x->v.i64);
    default:
        return lh_vec_append_i64(v, x->v.i64);
    }
}

/* Whether a decimal holds at most its type's digits (its physical form must hold it). */
static bool decimal_fits(const lh_value_t *x)
{
    lh_i128 lim = 1, v = x->type.precision > 18 ? x->v.i128 : (lh_i128)x->v.i64;
    for (int i = 0; i < x->type.precision; i++)
        lim *= 10;
    return v < lim && v > -lim;
}

typedef struct shred {
    pq_shred_leaf_t *leaves; /* of the column being shredded */
    lh_errbuf *eb;
} shred_t;

/* Every leaf in [leaf, leaf + n) gets one level entry without a value. */
static lh_err stage_empty(shred_t *s, int leaf, int n, int def, int rep)
{
    for (int l = leaf; l < leaf + n; l++)
        LH_TRY(stage_level(&s->leaves[l], def, rep));
    return LH_OK;
}

static lh_err shred_value(shred_t *s, const lh_value_t *v, bool optional, int leaf, int def,
                          int rep, int rep_max);

/* The entries of an array or map value (already known non-null), defined at def. */
static lh_err shred_entries(shred_t *s, const lh_value_t *v, int leaf, int def, int rep,
                            int rep_max)
{
    const lh_ntype_t *d = v->type.nested;
    lh_narray_t keys, vals;
    if (v->type.id == LH_TYPE_MAP)
        lh_nmap_open(v->type, v->v.str, &keys, &vals);
    else
        lh_narray_open(d->elem, v->v.str, &keys);
    if (keys.count == 0)
        return stage_empty(s, leaf, lh_pq_type_leaf_count(v->type), def, rep);
    int key_leaves = lh_pq_type_leaf_count(d->elem);
    for (uint32_t i = 0; i < keys.count; i++) {
        lh_value_t x;
        int r = i == 0 ? rep : rep_max + 1;
        lh_narray_get(&keys, i, &x);
        if (v->type.id != LH_TYPE_MAP) {
            LH_TRY(shred_value(s, &x, true, leaf, def + 1, r, rep_max + 1));
            continue;
        }
        LH_FAIL_IF(x.is_null, LH_E_INVALID, s->eb, "parquet: a map key is NULL");
        LH_TRY(shred_value(s, &x, false, leaf, def + 1, r, rep_max + 1));
        lh_narray_get(&vals, i, &x);
        LH_TRY(shred_value(s, &x, true, leaf + key_leaves, def + 1, r, rep_max + 1));
    }
    return LH_OK;
}

/* Shred v into the leaves from `leaf` on. def: the parent's definition level; rep: the first
 * entry's repetition level; rep_max: the repetition level of the innermost list around. */
static lh_err shred_value(shred_t *s, const lh_value_t *v, bool optional, int leaf, int def,
                          int rep, int rep_max)
{
    if (v->is_null) {
        LH_FAIL_IF(!optional, LH_E_INVALID, s->eb, "parquet: NULL in a required nested field");
        return stage_empty(s, leaf, lh_pq_type_leaf_count(v->type), def, rep);
    }
    def += optional;
    switch (v->type.id) {
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
        return shred_entries(s, v, leaf, def, rep, rep_max);
    case LH_TYPE_STRUCT: {
        const lh_ntype_t *d = v->type.nested;
        for (int i = 0; i < d->field_count; i++) {
            lh_value_t x;
            lh_nstruct_get(v->type, v->v.str, i, &x);
            LH_TRY(shred_value(s, &x, true, leaf, def, rep, rep_max));
            leaf += lh_pq_type_leaf_count(d->fields[i].type);
        }
        return LH_OK;
    }
    default: {
        pq_shred_leaf_t *l = &s->leaves[leaf];
        LH_FAIL_IF(v->type.id == LH_TYPE_DECIMAL && !decimal_fits(v), LH_E_INVALID, s->eb,
                   "parquet: a nested value holds a decimal beyond decimal(%u,%u)",
                   v->type.precision, v->type.scale);
        LH_TRY(stage_level(l, def, rep));
        lh_err e = stage_value(l->vals, v);
        LH_FAIL_IF(e != LH_OK, e, s->eb, "parquet: out of memory");
        return LH_OK;
    }
    }
}

lh_err lh_pqw_put_nested(lh_pq_writer_t *w, int field, const lh_vec_t *v, size_t pos, size_t n,
                         lh_errbuf *eb)
{
    const lh_field_t *f = &w->schema->fields[field];
    int first = w->field_leaf[field], count = lh_pq_type_leaf_count(f->type);
    shred_t s = {.leaves = w->shred + first, .eb = eb};
    for (int l = 0; l < count; l++) {
        s.leaves[l].count = 0;
        lh_vec_reset(s.leaves[l].vals);
    }
    for (size_t k = 0; k < n; k++) {
        size_t i = v->sel ? v->sel[pos + k] : pos + k;
        lh_value_t x;
        lh_vec_get_value(v, i, &x);
        w->field_nulls[field] += x.is_null;
        lh_err e = shred_value(&s, &x, f->nullable, 0, 0, 0, 0);
        LH_FAIL_IF(e == LH_E_NOMEM, e, eb, "parquet: out of memory");
        LH_TRY(e);
    }
    for (int l = 0; l < count; l++) {
        pq_shred_leaf_t *sl = &s.leaves[l];
        pq_col_t *c = &w->cols[first + l];
        LH_TRY(lh_pqw_put_levels(w, c, c->max_def ? sl->def : NULL, c->max_rep ? sl->rep : NULL,
                                 sl->count, sl->vals, 0, sl->vals->count, eb));
    }
    return LH_OK;
}

lh_err lh_pqw_shred_init(lh_pq_writer_t *w, lh_errbuf *eb)
{
    w->shred = calloc((size_t)w->col_count + 1, sizeof *w->shred);
    LH_FAIL_IF(w->shred == NULL, LH_E_NOMEM, eb, "parquet: out of memory");
    for (int l = 0; l < w->col_count; l++) {
        w->shred[l].vals = lh_vec_create(w->cols[l].type, 0);
        LH_FAIL_IF(w->shred[l].vals == NULL, LH_E_NOMEM, eb, "parquet: out of memory");
    }
    return LH_OK;
}

void lh_pqw_shred_free(lh_pq_writer_t *w)
{
    for (int l = 0; w->shred && l < w->col_count; l++) {
        free(w->shred[l].def);
        free(w->shred[l].rep);
        lh_vec_destroy(w->shred[l].vals);
    }
    free(w->shred);
    w->shred = NULL;
}
