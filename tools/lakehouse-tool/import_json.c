/*
 * import_json.c - JSON lines whose values include arrays or objects: ARRAY and STRUCT
 * columns instead of JSON text.
 *
 * Inference walks every value of every line into one type tree (jt_t) per column:
 *   array  -> ARRAY of the merged type of all elements of all rows
 *   object -> STRUCT of the union of the keys seen (first-seen order), each field merged
 *   scalar -> the kinds every value allows, as for flat columns (boolean, long, double,
 *             date, timestamp, else string)
 * Nulls and missing keys fit any type; a position holding only nulls or empty arrays is a
 * string. A position whose values mix arrays, objects and scalars has no type: the import
 * is refused naming it (a.b[] for the elements of a.b). So is an object that never has a
 * key (a struct needs a field).
 *
 * Writing: the type tree becomes the standard three-level Parquet shapes (every node
 * OPTIONAL; LIST = group (LIST) { repeated group list { element } }) and each row is
 * shredded into its leaves' Dremel levels: a null or missing value at definition level d
 * gives every leaf below one entry (rep, d); an empty array one entry (rep, d + 1); the
 * elements of an array recurse at d + 2, the first with the enclosing repetition level
 * and the rest with the array's own. Rows go out in row groups of JSON_ROW_GROUP_ROWS.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/lakehouse-tool/tool.h"

#define JSON_ROW_GROUP_ROWS 65536 /* rows shredded and written at once */

typedef enum jshape { J_NULL = 0, J_SCALAR, J_ARRAY, J_OBJECT } jshape;

typedef struct jt {
    jshape shape;
    int kinds;       /* J_SCALAR: what every value allows */
    struct jt *elem; /* J_ARRAY */
    int nfields;     /* J_OBJECT */
    char **names;
    struct jt **fields;
    int first_leaf, leaf_count;
    lh_type_t type; /* leaves */
} jt_t;

typedef struct leafbuf {
    int16_t *def, *rep;
    size_t count, cap;
    lh_vec_t *values;
} leafbuf_t;

typedef struct jctx {
    json_t *objs;
    jt_t root; /* J_OBJECT of the columns */
    lh_pq_node_t tree;
    int leaf_count;
    leafbuf_t *leaves;
    lh_pq_leaf_data_t *data;
    char *schema_string;
} jctx_t;

/* ---- inference ---------------------------------------------------------------------------- */

static void jt_free(jt_t *t)
{
    if (t->elem) {
        jt_free(t->elem);
        free(t->elem);
    }
    for (int i = 0; i < t->nfields; i++) {
        jt_free(t->fields[i]);
        free(t->fields[i]);
        free(t->names[i]);
    }
    free(t->fields);
    free(t->names);
    memset(t, 0, sizeof *t);
}

static const char *shape_name(jshape s)
{
    static const char *const names[] = {"null", "scalar", "array", "object"};
    return names[s];
}

static jt_t *field_of(jt_t *t, const char *key)
{
    for (int i = 0; i < t->nfields; i++)
        if (strcmp(t->names[i], key) == 0)
            return t->fields[i];
    char **nn = realloc(t->names, (size_t)(t->nfields + 1) * sizeof *nn);
    if (nn == NULL)
        return NULL;
    t->names = nn;
    jt_t **nf = realloc(t->fields, (size_t)(t->nfields + 1) * sizeof *nf);
    if (nf == NULL)
        return NULL;
    t->fields = nf;
    nn[t->nfields] = strdup(key);
    nf[t->nfields] = calloc(1, sizeof(jt_t));
    if (nn[t->nfields] == NULL || nf[t->nfields] == NULL) {
        free(nn[t->nfields]);
        free(nf[t->nfields]);
        return NULL;
    }
    return nf[t->nfields++];
}

static lh_err merge(jt_t *t, json_t *v, const char *path, lh_errbuf *eb);

static lh_err merge_children(jt_t *t, json_t *v, const char *path, lh_errbuf *eb)
{
    char p[512];
    if (t->shape == J_ARRAY) {
        snprintf(p, sizeof p, "%s[]", path);
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            LH_TRY(merge(t->elem, e, p, eb));
        }
        return LH_OK;
    }
    const char *k;
    json_t *e;
    json_object_foreach(v, k, e)
    {
        jt_t *f = field_of(t, k);
        LH_FAIL_IF(f == NULL, LH_E_NOMEM, eb, "out of memory");
        snprintf(p, sizeof p, "%s.%s", path, k);
        LH_TRY(merge(f, e, p, eb));
    }
    return LH_OK;
}

static lh_err merge(jt_t *t, json_t *v, const char *path, lh_errbuf *eb)
{
    if (v == NULL || json_is_null(v))
        return LH_OK;
    jshape s = json_is_array(v) ? J_ARRAY : json_is_object(v) ? J_OBJECT : J_SCALAR;
    if (t->shape == J_NULL) {
        t->shape = s;
        t->kinds = TOOL_K_ALL;
        if (s == J_ARRAY && (t->elem = calloc(1, sizeof *t->elem)) == NULL)
            LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    LH_FAIL_IF(t->shape != s, LH_E_UNSUPPORTED, eb,
               "column '%s': its JSON values mix %s and %s values, so no single Delta type "
               "fits (nothing was written)",
               path, shape_name(t->shape), shape_name(s));
    if (s != J_SCALAR)
        return merge_children(t, v, path, eb);
    char *text = NULL;
    t->kinds &= tool_json_value_kinds(v, &text);
    free(text);
    return LH_OK;
}

/* Number the leaves and fix their types; an object without keys is refused. */
static lh_err finalize(jt_t *t, const char *path, int *leaf, lh_errbuf *eb)
{
    t->first_leaf = *leaf;
    if (t->shape == J_ARRAY) {
        char p[512];
        int n = snprintf(p, sizeof p, "%s[]", path);
        LH_FAIL_IF(n < 0 || (size_t)n >= sizeof p, LH_E_UNSUPPORTED, eb,
                   "column path '%.64s...' is too deep", path);
        LH_TRY(finalize(t->elem, p, leaf, eb));
    } else if (t->shape == J_OBJECT) {
        LH_FAIL_IF(t->nfields == 0, LH_E_UNSUPPORTED, eb,
                   "column '%s': only empty JSON objects, and a struct needs a field (nothing "
                   "was written)",
                   path);
        for (int i = 0; i < t->nfields; i++) {
            char p[512];
            int n = snprintf(p, sizeof p, "%s.%s", path, t->names[i]);
            LH_FAIL_IF(n < 0 || (size_t)n >= sizeof p, LH_E_UNSUPPORTED, eb,
                       "column path '%.64s...' is too deep", path);
            LH_TRY(finalize(t->fields[i], p, leaf, eb));
        }
    } else {
        t->type =
            t->shape == J_NULL ? (lh_type_t){.id = LH_TYPE_STRING} : tool_type_of_kinds(t->kinds);
        (*leaf)++;
    }
    t->leaf_count = *leaf - t->first_leaf;
    return LH_OK;
}

/* ---- the Parquet tree ---------------------------------------------------------------------- */

static void node_free(lh_pq_node_t *n)
{
    for (int i = 0; i < n->child_count && n->children; i++)
        node_free((lh_pq_node_t *)&n->children[i]);
    free((void *)n->children);
}

static lh_err build_node(const jt_t *t, const char *name, lh_pq_node_t *n, lh_errbuf *eb)
{
    *n = (lh_pq_node_t){.name = name, .repetition = 1, .type = t->type};
    if (t->shape != J_ARRAY && t->shape != J_OBJECT)
        return LH_OK;
    int count = t->shape == J_ARRAY ? 1 : t->nfields;
    lh_pq_node_t *kids = calloc((size_t)count, sizeof *kids);
    LH_FAIL_IF(kids == NULL, LH_E_NOMEM, eb, "out of memory");
    n->children = kids;
    n->child_count = count;
    if (t->shape == J_OBJECT) {
        for (int i = 0; i < count; i++)
            LH_TRY(build_node(t->fields[i], t->names[i], &kids[i], eb));
        return LH_OK;
    }
    n->annot = LH_PQ_ANNOT_LIST;
    kids[0] = (lh_pq_node_t){.name = "list", .repetition = 2, .child_count = 1};
    lh_pq_node_t *el = calloc(1, sizeof *el);
    LH_FAIL_IF(el == NULL, LH_E_NOMEM, eb, "out of memory");
    kids[0].children = el;
    return build_node(t->elem, "element", el, eb);
}

/* ---- shredding ----------------------------------------------------------------------------- */

static lh_err push_level(leafbuf_t *l, int def, int rep, lh_errbuf *eb)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        int16_t *d = realloc(l->def, cap * sizeof *d);
        if (d != NULL)
            l->def = d;
        int16_t *r = d ? realloc(l->rep, cap * sizeof *r) : NULL;
        LH_FAIL_IF(d == NULL || r == NULL, LH_E_NOMEM, eb, "out of memory");
        l->rep = r;
        l->cap = cap;
    }
    l->def[l->count] = (int16_t)def;
    l->rep[l->count++] = (int16_t)rep;
    return LH_OK;
}

/* One entry (rep, def) in every leaf below t: a null, missing or empty value. */
static lh_err absent(jctx_t *c, const jt_t *t, int def, int rep, lh_errbuf *eb)
{
    for (int l = t->first_leaf; l < t->first_leaf + t->leaf_count; l++)
        LH_TRY(push_level(&c->leaves[l], def, rep, eb));
    return LH_OK;
}

static lh_err shred_scalar(jctx_t *c, const jt_t *t, json_t *v, int def, int rep, lh_errbuf *eb)
{
    leafbuf_t *l = &c->leaves[t->first_leaf];
    char *text = NULL;
    tool_json_value_kinds(v, &text);
    bool ok = text != NULL && tool_append_text(l->values, text);
    free(text);
    LH_FAIL_IF(!ok, LH_E_INTERNAL, eb, "JSON value does not convert to its inferred type");
    return push_level(l, def + 1, rep, eb);
}

/* v at a node whose ancestors define def levels and nrep repetition levels. */
static lh_err shred(jctx_t *c, const jt_t *t, json_t *v, int def, int rep, int nrep, lh_errbuf *eb)
{
    if (v == NULL || json_is_null(v) || t->shape == J_NULL)
        return absent(c, t, def, rep, eb);
    if (t->shape == J_SCALAR)
        return shred_scalar(c, t, v, def, rep, eb);
    if (t->shape == J_OBJECT) {
        for (int i = 0; i < t->nfields; i++)
            LH_TRY(shred(c, t->fields[i], json_object_get(v, t->names[i]), def + 1, rep, nrep, eb));
        return LH_OK;
    }
    if (json_array_size(v) == 0)
        return absent(c, t, def + 1, rep, eb);
    for (size_t i = 0; i < json_array_size(v); i++)
        LH_TRY(shred(c, t->elem, json_array_get(v, i), def + 2, i == 0 ? rep : nrep + 1, nrep + 1,
                     eb));
    return LH_OK;
}

static void leaves_reset(jctx_t *c)
{
    for (int l = 0; l < c->leaf_count; l++) {
        c->leaves[l].count = 0;
        lh_vec_reset(c->leaves[l].values);
    }
}

/* tool_nested_src_t.write: shred the rows and put them in row groups. */
static lh_err write_rows(void *ctx, tool_fileset_t *fs, lh_errbuf *eb)
{
    jctx_t *c = ctx;
    size_t rows = json_array_size(c->objs);
    for (size_t first = 0; first < rows; first += JSON_ROW_GROUP_ROWS) {
        size_t end = first + JSON_ROW_GROUP_ROWS < rows ? first + JSON_ROW_GROUP_ROWS : rows;
        leaves_reset(c);
        for (size_t r = first; r < end; r++) {
            json_t *o = json_array_get(c->objs, r);
            for (int f = 0; f < c->root.nfields; f++)
                LH_TRY(
                    shred(c, c->root.fields[f], json_object_get(o, c->root.names[f]), 0, 0, 0, eb));
        }
        for (int l = 0; l < c->leaf_count; l++)
            c->data[l] = (lh_pq_leaf_data_t){.def = c->leaves[l].def,
                                             .rep = c->leaves[l].rep,
                                             .level_count = c->leaves[l].count,
                                             .values = c->leaves[l].values};
        LH_TRY(tool_fileset_put(fs, (int64_t)(end - first), c->data, eb));
    }
    return LH_OK;
}

/* ---- command ------------------------------------------------------------------------------ */

/* Infer every column, then build the tree, the leaf buffers and the schemaString. */
static lh_err prepare(jctx_t *c, lh_errbuf *eb)
{
    c->root.shape = J_OBJECT;
    size_t i;
    json_t *o;
    json_array_foreach(c->objs, i, o)
    {
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
        {
            jt_t *f = field_of(&c->root, k);
            LH_FAIL_IF(f == NULL, LH_E_NOMEM, eb, "out of memory");
            LH_TRY(merge(f, v, k, eb));
        }
    }
    for (int f = 0; f < c->root.nfields; f++)
        LH_TRY(finalize(c->root.fields[f], c->root.names[f], &c->leaf_count, eb));
    LH_TRY(build_node(&c->root, "spark_schema", &c->tree, eb));
    c->tree.annot = LH_PQ_ANNOT_NONE;
    c->leaves = calloc((size_t)c->leaf_count + 1, sizeof *c->leaves);
    c->data = calloc((size_t)c->leaf_count + 1, sizeof *c->data);
    LH_FAIL_IF(!c->leaves || !c->data, LH_E_NOMEM, eb, "out of memory");
    LH_TRY(tool_nested_schema_string(&c->tree, &c->schema_string, eb));
    return LH_OK;
}

/* Leaf types in leaf order (the tree's depth-first order). */
static lh_err create_values(jctx_t *c, const jt_t *t, lh_errbuf *eb)
{
    if (t->shape == J_ARRAY)
        return create_values(c, t->elem, eb);
    if (t->shape == J_OBJECT) {
        for (int i = 0; i < t->nfields; i++)
            LH_TRY(create_values(c, t->fields[i], eb));
        return LH_OK;
    }
    c->leaves[t->first_leaf].values = lh_vec_create(t->type, 0);
    LH_FAIL_IF(c->leaves[t->first_leaf].values == NULL, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

static void jctx_free(jctx_t *c)
{
    for (int l = 0; c->leaves && l < c->leaf_count; l++) {
        free(c->leaves[l].def);
        free(c->leaves[l].rep);
        lh_vec_destroy(c->leaves[l].values);
    }
    free(c->leaves);
    free(c->data);
    free(c->schema_string);
    node_free(&c->tree);
    jt_free(&c->root);
}

lh_err tool_import_json_nested(lh_delta_table_t *t, json_t *objs, bool overwrite,
                               const char *const *parts, int nparts, lh_delta_op_result_t *res,
                               lh_errbuf *eb)
{
    jctx_t c = {.objs = objs};
    lh_err e = prepare(&c, eb);
    if (e == LH_OK)
        e = create_values(&c, &c.root, eb);
    if (e == LH_OK) {
        tool_nested_src_t src = {
            .schema_string = c.schema_string,
            .tree = &c.tree,
            .write = write_rows,
            .ctx = &c,
        };
        e = tool_nested_commit(t, &src, overwrite, parts, nparts, res, eb);
    }
    jctx_free(&c);
    return e;
}
