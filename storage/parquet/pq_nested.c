/*
 * pq_nested.c - top-level nested columns (LIST, MAP, STRUCT) read as the per-row values of
 * common/nested.h: Dremel record assembly from the leaves' repetition and definition levels.
 *
 * Shapes (the Parquet spec's LIST/MAP rules with its backward-compatibility rules, which
 * Spark, parquet-mr and DuckDB follow):
 *   group (LIST) { repeated group <r> { <e> } }          ARRAY of e (three levels)
 *   group (LIST) { repeated <primitive> }                 ARRAY of it, elements required
 *   group (LIST) { repeated group <r> { a; b; ... } }     ARRAY of STRUCT<a, b, ...> when r has
 *   group (LIST) { repeated group array|<list>_tuple {x} } several fields or is named so
 *   group (MAP | MAP_KEY_VALUE) { repeated group { key; value } }   MAP<key, value>
 *   group without annotation                              STRUCT of its children
 *   repeated field outside LIST/MAP (a column or a struct field)   ARRAY of it, required
 * A repeated node read "as an element" stands for one required element of its list.
 *
 * Reading compiles a plan from the wanted type (the table's) against the file's tree:
 * struct fields are matched by name case-insensitively (missing ones read as NULL and
 * their leaves are not read), integers widen and FLOAT reads as DOUBLE; any other
 * mismatch is LH_E_UNSUPPORTED naming the column. The row group's needed leaves are read
 * whole (lh_pq_read_leaf), then each record is assembled depth-first: a value whose node
 * is OPTIONAL is NULL when the definition level of the first read leaf below it is below
 * the node's; a list/map is empty when that level is below its repeated node's, else it
 * takes elements while the next level's repetition equals the repeated node's. Skipping a
 * NULL or empty value (or the leaf read only for a struct's own nullness) advances every
 * read leaf below it by its levels of that value. Nested results are encoded bottom-up,
 * one scratch buffer per depth. Levels that do not fit the schema (a file lying about its
 * records) are LH_E_CORRUPT, never an out-of-bounds read.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/nested.h"
#include "storage/parquet/pq_file.h"
#include "storage/parquet/pq_format.h"

/* ---- the schema tree ---------------------------------------------------------------------- */

static int build_nodes(lh_pq_file_t *f, int at, int def, int rep, int *leaf)
{
    const pq_schema_el_t *el = &f->meta.schema[at];
    pq_nnode_t *n = &f->nodes[at];
    n->def = def + (at > 0 && el->repetition != PQ_REQUIRED);
    n->rep = rep + (at > 0 && el->repetition == PQ_REPEATED);
    n->leaf = el->num_children == 0 && at > 0 ? (*leaf)++ : -1;
    n->first_leaf = n->leaf >= 0 ? n->leaf : *leaf;
    int next = at + 1;
    for (int i = 0; i < el->num_children; i++)
        next = build_nodes(f, next, n->def, n->rep, leaf);
    n->end = next;
    n->leaf_count = *leaf - n->first_leaf;
    return next;
}

lh_err pq_nested_init(lh_pq_file_t *f, lh_errbuf *eb)
{
    f->nodes = calloc((size_t)f->meta.schema_count + 1, sizeof *f->nodes);
    LH_FAIL_IF(f->nodes == NULL, LH_E_NOMEM, eb, "parquet: out of memory for the schema");
    int leaf = 0; /* the footer's tree was validated at open: depth bounded, exact count */
    build_nodes(f, 0, 0, 0, &leaf);
    return LH_OK;
}

static const pq_schema_el_t *el_of(const lh_pq_file_t *f, int node)
{
    return &f->meta.schema[node];
}

/* The i-th child of node (caller keeps i < num_children). */
static int child_of(const lh_pq_file_t *f, int node, int i)
{
    int c = node + 1;
    while (i-- > 0)
        c = f->nodes[c].end;
    return c;
}

typedef struct shape_ctx {
    const lh_pq_file_t *f;
    const char *col; /* the top-level column, for messages */
    lh_errbuf *eb;
} shape_ctx;

static lh_err refuse(shape_ctx *x, const char *why, const char *name)
{
    return lh_err_set(x->eb, LH_E_UNSUPPORTED, __FILE__, __LINE__,
                      "parquet: nested column '%s': %s '%s'", x->col, why, name);
}

/* The repeated node r and element node e of a LIST group (e == r: the two-level forms). */
static lh_err list_parts(shape_ctx *x, int g, int *r, int *e)
{
    const pq_schema_el_t *el = el_of(x->f, g);
    if (el->num_children != 1 || el_of(x->f, g + 1)->repetition != PQ_REPEATED)
        return refuse(x, "a LIST group needs one repeated child:", el->name);
    *r = *e = g + 1;
    const pq_schema_el_t *rel = el_of(x->f, *r);
    if (rel->num_children != 1)
        return LH_OK; /* a repeated primitive, or a group of several fields */
    size_t gl = strlen(el->name), rl = strlen(rel->name);
    bool legacy =
        strcmp(rel->name, "array") == 0 || (rl == gl + 6 && strncmp(rel->name, el->name, gl) == 0 &&
                                            strcmp(rel->name + gl, "_tuple") == 0);
    if (!legacy)
        *e = *r + 1;
    return LH_OK;
}

/* The key and value nodes of a MAP group. */
static lh_err map_parts(shape_ctx *x, int g, int *kv, int *k, int *v)
{
    const pq_schema_el_t *el = el_of(x->f, g);
    if (el->num_children != 1 || el_of(x->f, g + 1)->repetition != PQ_REPEATED ||
        el_of(x->f, g + 1)->num_children != 2)
        return refuse(x, "a MAP group needs one repeated group of a key and a value:", el->name);
    *kv = g + 1;
    *k = child_of(x->f, *kv, 0);
    *v = child_of(x->f, *kv, 1);
    return LH_OK;
}

static lh_err type_of(shape_ctx *x, int node, bool as_element, lh_type_t *out);

static lh_err struct_type(shape_ctx *x, int node, lh_type_t *out)
{
    int n = el_of(x->f, node)->num_children;
    const char **names = calloc((size_t)n + 1, sizeof *names);
    lh_type_t *types = calloc((size_t)n + 1, sizeof *types);
    lh_err e = names && types
                   ? LH_OK
                   : lh_err_set(x->eb, LH_E_NOMEM, __FILE__, __LINE__, "parquet: out of memory");
    for (int i = 0, c = node + 1; e == LH_OK && i < n; i++, c = x->f->nodes[c].end) {
        names[i] = el_of(x->f, c)->name;
        for (int k = 0; e == LH_OK && k < i; k++)
            if (strcasecmp(names[k], names[i]) == 0)
                e = refuse(x, "a group repeats the field name", names[i]);
        if (e == LH_OK)
            e = type_of(x, c, false, &types[i]);
    }
    if (e == LH_OK)
        *out = lh_type_struct(n, names, types);
    free(names);
    free(types);
    return e;
}

/* The type node reads as: a repeated node outside an element position is an ARRAY of it. */
static lh_err type_of(shape_ctx *x, int node, bool as_element, lh_type_t *out)
{
    const pq_schema_el_t *el = el_of(x->f, node);
    const pq_nnode_t *n = &x->f->nodes[node];
    if (el->repetition == PQ_REPEATED && !as_element) {
        lh_type_t t;
        LH_TRY(type_of(x, node, true, &t));
        *out = lh_type_array(t);
        return LH_OK;
    }
    if (n->leaf >= 0) {
        *out = x->f->meta.leaves[n->leaf].type;
        return LH_OK;
    }
    lh_pq_annot a = pq_el_annot(el);
    if (a == LH_PQ_ANNOT_LIST) {
        int r, e;
        lh_type_t t;
        LH_TRY(list_parts(x, node, &r, &e));
        LH_TRY(type_of(x, e, e == r, &t));
        *out = lh_type_array(t);
        return LH_OK;
    }
    if (a == LH_PQ_ANNOT_MAP) {
        int kv, k, v;
        lh_type_t kt, vt;
        LH_TRY(map_parts(x, node, &kv, &k, &v));
        LH_TRY(type_of(x, k, false, &kt));
        LH_TRY(type_of(x, v, false, &vt));
        *out = lh_type_map(kt, vt);
        return LH_OK;
    }
    return struct_type(x, node, out);
}

static lh_err check_nested(const lh_pq_file_t *f, int i, lh_errbuf *eb)
{
    LH_FAIL_IF(i < 0 || i >= f->nested_count, LH_E_INVALID, eb, "parquet: no nested column %d", i);
    return LH_OK;
}

lh_err lh_pq_nested_column_type(const lh_pq_file_t *f, int i, lh_type_t *out, lh_errbuf *eb)
{
    LH_TRY(check_nested(f, i, eb));
    shape_ctx x = {f, f->nested_names[i], eb};
    return type_of(&x, f->nested_top[i], false, out);
}

/* ---- the read plan ------------------------------------------------------------------------ */

typedef enum pkind { P_ABSENT, P_LEAF, P_STRUCT, P_LIST, P_MAP } pkind;

typedef struct plan {
    pkind kind;
    lh_type_t type; /* the wanted type */
    int node;       /* the element whose slot this value is */
    bool optional;  /* NULL when the level is below null_def */
    int null_def;
    int skip_rep; /* repetition level of the slot: a skip stops at entries <= it */
    int first;    /* first read leaf below node (its levels decide) */
    int leaf;     /* P_LEAF */
    int list_def; /* P_LIST, P_MAP: levels of the repeated node */
    int list_rep;
    int phantom; /* P_STRUCT: a leaf read only for the struct's nullness, else -1 */
    int kid_count;
    struct plan *kids; /* struct fields (wanted order), list element, map key and value */
} plan;

typedef struct compile_ctx {
    shape_ctx s;
    bool *need; /* leaves to read */
    int depth;
} compile_ctx;

static bool int_like(lh_type_id t)
{
    return t >= LH_TYPE_BYTE && t <= LH_TYPE_LONG;
}

/* Whether values of the file's scalar type read as want (Spark's Parquet upcasts). */
static bool scalar_fits(lh_type_t file, lh_type_t want)
{
    if (lh_type_equal(file, want))
        return true;
    if (int_like(file.id) && int_like(want.id))
        return file.id <= want.id;
    return file.id == LH_TYPE_FLOAT && want.id == LH_TYPE_DOUBLE;
}

static lh_err mismatch(compile_ctx *c, int node, lh_type_t want)
{
    char buf[256];
    return lh_err_set(c->s.eb, LH_E_UNSUPPORTED, __FILE__, __LINE__,
                      "parquet: nested column '%s': field '%s' cannot be read as %s", c->s.col,
                      el_of(c->s.f, node)->name, lh_type_catalog_string(want, buf, sizeof buf));
}

static lh_err compile(compile_ctx *c, int node, bool as_element, lh_type_t want, plan *p);

static lh_err new_kids(compile_ctx *c, plan *p, int n)
{
    p->kid_count = n;
    p->kids = calloc((size_t)n + 1, sizeof *p->kids);
    LH_FAIL_IF(p->kids == NULL, LH_E_NOMEM, c->s.eb, "parquet: out of memory");
    return LH_OK;
}

static lh_err compile_struct(compile_ctx *c, int node, plan *p)
{
    const lh_ntype_t *d = p->type.nested;
    int n = el_of(c->s.f, node)->num_children;
    LH_TRY(new_kids(c, p, d->field_count));
    bool any = false;
    for (int i = 0; i < d->field_count; i++) {
        p->kids[i].kind = P_ABSENT;
        p->kids[i].type = d->fields[i].type;
        for (int k = 0, ch = node + 1; k < n; k++, ch = c->s.f->nodes[ch].end) {
            if (strcasecmp(el_of(c->s.f, ch)->name, d->fields[i].name) != 0)
                continue;
            LH_TRY(compile(c, ch, false, d->fields[i].type, &p->kids[i]));
            any = true;
            break;
        }
    }
    p->phantom = -1;
    if (!any) { /* nothing of it is read: one leaf still tells whether it is NULL */
        p->phantom = c->s.f->nodes[node].first_leaf;
        c->need[p->phantom] = true;
    }
    return LH_OK;
}

static lh_err compile_list(compile_ctx *c, int r, int e, plan *p)
{
    if (p->type.id != LH_TYPE_ARRAY)
        return mismatch(c, r, p->type);
    p->kind = P_LIST;
    p->list_def = c->s.f->nodes[r].def;
    p->list_rep = c->s.f->nodes[r].rep;
    LH_TRY(new_kids(c, p, 1));
    return compile(c, e, e == r, p->type.nested->elem, &p->kids[0]);
}

static lh_err compile_map(compile_ctx *c, int node, plan *p)
{
    int kv, k, v;
    LH_TRY(map_parts(&c->s, node, &kv, &k, &v));
    if (p->type.id != LH_TYPE_MAP)
        return mismatch(c, node, p->type);
    p->kind = P_MAP;
    p->list_def = c->s.f->nodes[kv].def;
    p->list_rep = c->s.f->nodes[kv].rep;
    LH_TRY(new_kids(c, p, 2));
    LH_TRY(compile(c, k, false, p->type.nested->elem, &p->kids[0]));
    return compile(c, v, false, p->type.nested->value, &p->kids[1]);
}

static lh_err compile_shape(compile_ctx *c, int node, bool as_element, plan *p)
{
    const pq_schema_el_t *el = el_of(c->s.f, node);
    const pq_nnode_t *n = &c->s.f->nodes[node];
    if (el->repetition == PQ_REPEATED && !as_element) /* a bare repeated field: a list */
        return compile_list(c, node, node, p);
    if (n->leaf >= 0) {
        if (lh_type_is_nested(p->type) || !scalar_fits(c->s.f->meta.leaves[n->leaf].type, p->type))
            return mismatch(c, node, p->type);
        p->kind = P_LEAF;
        p->leaf = n->leaf;
        c->need[n->leaf] = true;
        return LH_OK;
    }
    lh_pq_annot a = pq_el_annot(el);
    if (a == LH_PQ_ANNOT_LIST) {
        int r, e;
        LH_TRY(list_parts(&c->s, node, &r, &e));
        return compile_list(c, r, e, p);
    }
    if (a == LH_PQ_ANNOT_MAP)
        return compile_map(c, node, p);
    if (p->type.id != LH_TYPE_STRUCT)
        return mismatch(c, node, p->type);
    p->kind = P_STRUCT;
    return compile_struct(c, node, p);
}

/* The first read leaf below p (every plan but P_ABSENT reads at least one). */
static int first_read(const plan *p)
{
    switch (p->kind) {
    case P_LEAF:
        return p->leaf;
    case P_STRUCT: {
        int m = p->phantom;
        for (int i = 0; i < p->kid_count; i++) {
            int k = p->kids[i].kind == P_ABSENT ? -1 : p->kids[i].first;
            if (k >= 0 && (m < 0 || k < m))
                m = k;
        }
        return m;
    }
    case P_LIST:
    case P_MAP:
        return p->kids[0].first;
    default:
        return -1;
    }
}

static lh_err compile(compile_ctx *c, int node, bool as_element, lh_type_t want, plan *p)
{
    LH_FAIL_IF(++c->depth > LH_PQ_SCHEMA_DEPTH_MAX, LH_E_CORRUPT, c->s.eb,
               "parquet: schema too deep");
    const pq_schema_el_t *el = el_of(c->s.f, node);
    const pq_nnode_t *n = &c->s.f->nodes[node];
    p->type = want;
    p->node = node;
    p->optional = el->repetition == PQ_OPTIONAL && !as_element;
    p->null_def = n->def;
    p->skip_rep = n->rep;
    lh_err e = compile_shape(c, node, as_element, p);
    p->first = first_read(p);
    c->depth--;
    return e;
}

static void plan_free(plan *p)
{
    for (int i = 0; i < p->kid_count; i++)
        plan_free(&p->kids[i]);
    free(p->kids);
}

/* ---- assembly ----------------------------------------------------------------------------- */

typedef struct depth_scratch {
    lh_nbuf_t buf;       /* encodings of the nested values assembled at this depth */
    lh_value_t *vals[2]; /* children of a value one depth up: fields / elements, map values */
    size_t *offs[2];     /* where a nested child's bytes start in the next depth's buf */
    size_t cap;
} depth_scratch;

typedef struct assembler {
    lh_pq_leaf_data_t *leaves; /* per leaf of the file; values NULL when not read */
    const int16_t *max_def;    /* per leaf */
    size_t *pos, *vpos;        /* next level and next value per read leaf */
    depth_scratch *d;          /* LH_PQ_SCHEMA_DEPTH_MAX + 1 */
    bool corrupt;
} assembler;

static int def_at(const assembler *a, int l)
{
    const lh_pq_leaf_data_t *d = &a->leaves[l];
    return d->def ? d->def[a->pos[l]] : 0;
}

static int rep_at(const assembler *a, int l)
{
    const lh_pq_leaf_data_t *d = &a->leaves[l];
    return d->rep ? d->rep[a->pos[l]] : 0;
}

static bool has_level(assembler *a, int l)
{
    if (a->pos[l] < a->leaves[l].level_count)
        return true;
    a->corrupt = true;
    return false;
}

/* Pass leaf l's levels of the current value of a slot at repetition level rep. */
static void skip_leaf(assembler *a, int l, int rep)
{
    if (!has_level(a, l))
        return;
    const lh_pq_leaf_data_t *d = &a->leaves[l];
    do {
        a->vpos[l] += def_at(a, l) == a->max_def[l];
        a->pos[l]++;
    } while (a->pos[l] < d->level_count && rep_at(a, l) > rep);
}

/* Pass the current value of p's slot in every leaf read below it. */
static void skip_value(assembler *a, const plan *p)
{
    switch (p->kind) {
    case P_LEAF:
        skip_leaf(a, p->leaf, p->skip_rep);
        return;
    case P_STRUCT:
        if (p->phantom >= 0)
            skip_leaf(a, p->phantom, p->skip_rep);
        /* fall through */
    case P_LIST:
    case P_MAP:
        for (int i = 0; i < p->kid_count; i++)
            if (p->kids[i].kind != P_ABSENT) {
                plan k = p->kids[i];
                k.skip_rep = p->skip_rep; /* the whole slot, not one element */
                skip_value(a, &k);
            }
        return;
    default:
        return;
    }
}

static lh_err need_slots(depth_scratch *s, size_t n)
{
    if (n <= s->cap)
        return LH_OK;
    size_t cap = s->cap ? s->cap * 2 : 16;
    while (cap < n)
        cap *= 2;
    for (int k = 0; k < 2; k++) {
        lh_value_t *v = realloc(s->vals[k], cap * sizeof *v);
        if (v != NULL)
            s->vals[k] = v;
        size_t *o = realloc(s->offs[k], cap * sizeof *o);
        if (o != NULL)
            s->offs[k] = o;
        if (v == NULL || o == NULL)
            return LH_E_NOMEM;
    }
    s->cap = cap;
    return LH_OK;
}

static lh_err read_value(assembler *a, const plan *p, int depth, lh_value_t *out, size_t *off);

/* Read child plan k into slot i of this depth's arrays (side 0 or 1). */
static lh_err read_child(assembler *a, const plan *k, int depth, int side, size_t i)
{
    depth_scratch *s = &a->d[depth];
    LH_TRY(need_slots(s, i + 1));
    return read_value(a, k, depth + 1, &s->vals[side][i], &s->offs[side][i]);
}

/* Point the nested children of this depth at the next depth's bytes (final now). */
static void fix_children(assembler *a, int depth, int side, size_t n)
{
    depth_scratch *s = &a->d[depth];
    for (size_t i = 0; i < n; i++)
        if (!s->vals[side][i].is_null && lh_type_is_nested(s->vals[side][i].type))
            s->vals[side][i].v.str.ptr = a->d[depth + 1].buf.bytes + s->offs[side][i];
}

/* Elements of a list or map slot: n of them (0 when empty). */
static lh_err read_entries(assembler *a, const plan *p, int depth, size_t *n)
{
    *n = 0;
    if (def_at(a, p->first) < p->list_def) {
        skip_value(a, p);
        return LH_OK;
    }
    do {
        LH_TRY(read_child(a, &p->kids[0], depth, 0, *n));
        if (p->kind == P_MAP) {
            LH_TRY(read_child(a, &p->kids[1], depth, 1, *n));
            if (a->d[depth].vals[0][*n].is_null) /* map keys are never null */
                a->corrupt = true;
        }
        (*n)++;
    } while (!a->corrupt && a->pos[p->first] < a->leaves[p->first].level_count &&
             rep_at(a, p->first) == p->list_rep);
    return LH_OK;
}

static lh_err read_leaf(assembler *a, const plan *p, lh_value_t *out)
{
    int l = p->leaf;
    const lh_vec_t *v = a->leaves[l].values;
    if (def_at(a, l) != a->max_def[l] || a->vpos[l] >= v->count) {
        a->corrupt = true;
        out->is_null = true;
        return LH_OK;
    }
    lh_vec_get_value(v, a->vpos[l]++, out);
    out->type = p->type; /* widening: integers stay in i64, FLOAT already in f64 */
    a->pos[l]++;
    return LH_OK;
}

static lh_err read_nested(assembler *a, const plan *p, int depth, lh_value_t *out, size_t *off)
{
    depth_scratch *s = &a->d[depth];
    lh_nbuf_t *b = &a->d[depth].buf;
    size_t n = 0;
    lh_err e;
    if (p->kind == P_STRUCT) {
        for (int i = 0; i < p->kid_count; i++)
            LH_TRY(read_child(a, &p->kids[i], depth, 0, (size_t)i));
        if (p->phantom >= 0)
            skip_leaf(a, p->phantom, p->skip_rep);
        fix_children(a, depth, 0, (size_t)p->kid_count);
        *off = b->len;
        e = lh_nested_put_struct(b, p->type, s->vals[0]);
    } else {
        LH_TRY(read_entries(a, p, depth, &n));
        fix_children(a, depth, 0, n);
        *off = b->len;
        if (p->kind == P_MAP) {
            fix_children(a, depth, 1, n);
            e = lh_nested_put_map(b, p->type, s->vals[0], s->vals[1], n);
        } else {
            e = lh_nested_put_array(b, p->type.nested->elem, s->vals[0], n);
        }
    }
    a->d[depth + 1].buf.len = 0; /* the children are inside this value now */
    LH_TRY(e);
    out->v.str = (lh_sv_t){NULL, (uint32_t)(b->len - *off)}; /* ptr set by the caller */
    return LH_OK;
}

static lh_err read_value(assembler *a, const plan *p, int depth, lh_value_t *out, size_t *off)
{
    memset(out, 0, sizeof *out);
    out->type = p->type;
    *off = 0;
    if (p->kind == P_ABSENT || a->corrupt || !has_level(a, p->first)) {
        out->is_null = true;
        return LH_OK;
    }
    if (p->optional && def_at(a, p->first) < p->null_def) {
        skip_value(a, p);
        out->is_null = true;
        return LH_OK;
    }
    if (p->kind == P_LEAF)
        return read_leaf(a, p, out);
    if (depth >= LH_PQ_SCHEMA_DEPTH_MAX) { /* the compiled plan is bounded by the schema */
        a->corrupt = true;
        out->is_null = true;
        return LH_OK;
    }
    return read_nested(a, p, depth, out, off);
}

/* Whether every read leaf below the column is at the start of a record. */
static bool at_record(assembler *a, const bool *need, int first, int count)
{
    for (int l = first; l < first + count; l++)
        if (need[l] && (!has_level(a, l) || rep_at(a, l) != 0))
            return false;
    return true;
}

static lh_err assemble_rows(assembler *a, const plan *p, const bool *need, int first, int count,
                            int64_t rows, lh_vec_t *out, lh_errbuf *eb)
{
    for (int64_t r = 0; r < rows; r++) {
        LH_FAIL_IF(!at_record(a, need, first, count), LH_E_CORRUPT, eb,
                   "parquet: the levels of a nested column do not match its %lld rows",
                   (long long)rows);
        lh_value_t v;
        size_t off;
        lh_err e = read_value(a, p, 0, &v, &off);
        LH_FAIL_IF(e == LH_E_TOO_LARGE, e, eb, "parquet: a nested value exceeds 4 GiB");
        LH_FAIL_IF(e != LH_OK, e, eb, "parquet: out of memory assembling a nested value");
        LH_FAIL_IF(a->corrupt, LH_E_CORRUPT, eb,
                   "parquet: the levels of a nested column do not match its schema");
        e = v.is_null ? lh_vec_append_null(out)
                      : lh_vec_append_str(out, a->d[0].buf.bytes + off, v.v.str.len);
        a->d[0].buf.len = 0;
        LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "parquet: out of memory");
    }
    for (int l = first; l < first + count; l++)
        LH_FAIL_IF(need[l] && (a->pos[l] != a->leaves[l].level_count ||
                               a->vpos[l] != a->leaves[l].values->count),
                   LH_E_CORRUPT, eb, "parquet: a nested column has levels past its %lld rows",
                   (long long)rows);
    return LH_OK;
}

static void assembler_free(assembler *a, int leaf_count)
{
    for (int l = 0; a->leaves && l < leaf_count; l++)
        lh_pq_leaf_data_free(&a->leaves[l]);
    for (int k = 0; a->d && k <= LH_PQ_SCHEMA_DEPTH_MAX; k++) {
        lh_nbuf_free(&a->d[k].buf);
        for (int s = 0; s < 2; s++) {
            free(a->d[k].vals[s]);
            free(a->d[k].offs[s]);
        }
    }
    free(a->d);
    free(a->leaves);
    free((void *)a->max_def);
    free(a->pos);
    free(a->vpos);
}

static lh_err assemble(lh_pq_file_t *f, int rg, int top, const plan *p, const bool *need,
                       lh_vec_t *out, lh_errbuf *eb)
{
    int n = f->meta.leaf_count;
    assembler a = {0};
    a.leaves = calloc((size_t)n + 1, sizeof *a.leaves);
    int16_t *md = calloc((size_t)n + 1, sizeof *md);
    a.max_def = md;
    a.pos = calloc((size_t)n + 1, sizeof *a.pos);
    a.vpos = calloc((size_t)n + 1, sizeof *a.vpos);
    a.d = calloc(LH_PQ_SCHEMA_DEPTH_MAX + 1, sizeof *a.d);
    lh_err e = a.leaves && md && a.pos && a.vpos && a.d
                   ? LH_OK
                   : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "parquet: out of memory");
    const pq_nnode_t *t = &f->nodes[top];
    for (int l = t->first_leaf; e == LH_OK && l < t->first_leaf + t->leaf_count; l++) {
        md[l] = (int16_t)f->meta.leaves[l].max_def;
        if (need[l])
            e = lh_pq_read_leaf(f, rg, l, &a.leaves[l], eb);
    }
    int64_t rows = f->meta.row_groups[rg].num_rows;
    if (e == LH_OK && (rows < 0 || (uint64_t)rows > a.leaves[p->first].level_count))
        e = lh_err_set(eb, LH_E_CORRUPT, __FILE__, __LINE__,
                       "parquet: nested column has fewer levels than its %lld rows",
                       (long long)rows);
    if (e == LH_OK && lh_vec_reserve(out, out->count + (size_t)rows) != LH_OK)
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "parquet: out of memory");
    if (e == LH_OK)
        e = assemble_rows(&a, p, need, t->first_leaf, t->leaf_count, rows, out, eb);
    assembler_free(&a, n);
    return e;
}

lh_err lh_pq_read_nested(lh_pq_file_t *f, int rg, int i, lh_vec_t *out, lh_errbuf *eb)
{
    LH_TRY(check_nested(f, i, eb));
    LH_FAIL_IF(rg < 0 || rg >= f->meta.row_group_count, LH_E_INVALID, eb,
               "parquet: no row group %d", rg);
    LH_FAIL_IF(!lh_type_is_nested(out->type) || out->kind != LH_VEC_FLAT, LH_E_INVALID, eb,
               "parquet: nested column '%s' needs a flat vector of a nested type",
               f->nested_names[i]);
    compile_ctx c = {.s = {f, f->nested_names[i], eb}};
    c.need = calloc((size_t)f->meta.leaf_count + 1, sizeof *c.need);
    LH_FAIL_IF(c.need == NULL, LH_E_NOMEM, eb, "parquet: out of memory");
    plan p = {0};
    size_t count0 = out->count;
    lh_err e = compile(&c, f->nested_top[i], false, out->type, &p);
    if (e == LH_OK)
        e = assemble(f, rg, f->nested_top[i], &p, c.need, out, eb);
    if (e != LH_OK)
        out->count = count0;
    plan_free(&p);
    free(c.need);
    return e;
}
