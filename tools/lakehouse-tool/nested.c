/*
 * nested.c - Parquet files with nested columns (LIST, MAP, STRUCT) in lakehouse-tool:
 * their Delta schema, and their rows as JSON (cat).
 *
 * Schema: the file's schema tree (lh_pq_schema_tree) maps onto Delta types:
 *   group (LIST) { repeated group <any> { <element> } }           -> array
 *   group (MAP)  { repeated group <any> { required <key>; <value> } } -> map
 *   group without annotation, fields not repeated                 -> struct
 * nullable / containsNull / valueContainsNull come from OPTIONAL. Other shapes (the legacy
 * two-level lists, a repeated field outside LIST/MAP, an optional map key) are refused
 * naming the column: the data files are copied leaf by leaf over the same tree, so a shape
 * the Delta schema cannot state exactly must not be carried.
 *
 * Rows: one row group's leaves are read whole (Dremel levels + non-null values), then each
 * top-level column is assembled record by record: a node is null when the first leaf under
 * it has a definition level below the node's, a list/map continues while the next level's
 * repetition equals its repeated group's. Inconsistent levels mark the group corrupt
 * instead of reading out of bounds.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tools/lakehouse-tool/tool.h"

struct tool_node_info {
    int def, rep;               /* levels of this node (counting itself) */
    int first_leaf, leaf_count; /* the leaves below (or the leaf itself) */
};

static int node_index(const tool_nested_t *n, const lh_pq_node_t *node)
{
    return (int)(node - n->tree);
}

static const struct tool_node_info *info_of(const tool_nested_t *n, const lh_pq_node_t *node)
{
    return &n->info[node_index(n, node)];
}

static void fill_info(tool_nested_t *n, const lh_pq_node_t *node, int def, int rep, int *leaf)
{
    struct tool_node_info *in = &n->info[node_index(n, node)];
    in->def = def + (node->repetition != 0);
    in->rep = rep + (node->repetition == 2);
    in->first_leaf = *leaf;
    if (node->child_count == 0)
        (*leaf)++;
    for (int i = 0; i < node->child_count; i++)
        fill_info(n, &node->children[i], in->def, in->rep, leaf);
    in->leaf_count = *leaf - in->first_leaf;
}

/* ---- schema ------------------------------------------------------------------------------- */

static lh_err type_json(const lh_pq_node_t *node, const char *path, json_t **out, lh_errbuf *eb);

static lh_err refuse(const char *path, const char *why, lh_errbuf *eb)
{
    LH_FAIL(LH_E_UNSUPPORTED, eb,
            "column '%s': %s; it cannot be carried into a Delta table (nothing was written)", path,
            why);
}

/* The single repeated child of a LIST/MAP group, in the standard three-level shape: a
 * LIST's has one field (not named "array" or "<list>_tuple", which mark the legacy
 * two-level encodings), a MAP's has a key and a value. */
static lh_err repeated_child(const lh_pq_node_t *node, const char *path, const lh_pq_node_t **out,
                             lh_errbuf *eb)
{
    bool is_list = node->annot == LH_PQ_ANNOT_LIST;
    if (node->child_count != 1 || node->children[0].repetition != 2)
        return refuse(path,
                      is_list ? "a LIST group without exactly one repeated child"
                              : "a MAP group without exactly one repeated child",
                      eb);
    const lh_pq_node_t *r = &node->children[0];
    size_t nl = strlen(r->name);
    char why[200];
    if (is_list && (r->child_count != 1 || strcmp(r->name, "array") == 0 ||
                    (nl > 6 && strcmp(r->name + nl - 6, "_tuple") == 0))) {
        snprintf(why, sizeof why,
                 "a legacy two-level LIST encoding (repeated field '%s'); only the standard "
                 "three-level LIST is supported",
                 r->name);
        return refuse(path, why, eb);
    }
    if (!is_list && r->child_count != 2) {
        snprintf(why, sizeof why,
                 "a MAP whose repeated group '%s' has %d field(s) instead of a key and a value",
                 r->name, r->child_count);
        return refuse(path, why, eb);
    }
    *out = r;
    return LH_OK;
}

static void child_path(const char *path, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s.%s", path, name);
}

static lh_err list_json(const lh_pq_node_t *node, const char *path, json_t **out, lh_errbuf *eb)
{
    const lh_pq_node_t *r;
    LH_TRY(repeated_child(node, path, &r, eb));
    const lh_pq_node_t *el = &r->children[0];
    char p[1024];
    child_path(path, "element", p, sizeof p);
    json_t *et;
    LH_TRY(type_json(el, p, &et, eb));
    *out = json_pack("{s:s,s:o,s:b}", "type", "array", "elementType", et, "containsNull",
                     el->repetition == 1);
    return LH_OK;
}

static lh_err map_json(const lh_pq_node_t *node, const char *path, json_t **out, lh_errbuf *eb)
{
    const lh_pq_node_t *r;
    LH_TRY(repeated_child(node, path, &r, eb));
    const lh_pq_node_t *k = &r->children[0], *v = &r->children[1];
    char p[1024];
    if (k->repetition != 0)
        return refuse(path, "a MAP whose key is not REQUIRED (Delta map keys are never null)", eb);
    json_t *kt, *vt;
    child_path(path, "key", p, sizeof p);
    LH_TRY(type_json(k, p, &kt, eb));
    child_path(path, "value", p, sizeof p);
    lh_err e = type_json(v, p, &vt, eb);
    if (e != LH_OK) {
        json_decref(kt);
        return e;
    }
    *out = json_pack("{s:s,s:o,s:o,s:b}", "type", "map", "keyType", kt, "valueType", vt,
                     "valueContainsNull", v->repetition == 1);
    return LH_OK;
}

static lh_err struct_json(const lh_pq_node_t *node, const char *path, json_t **out, lh_errbuf *eb)
{
    json_t *fields = json_array();
    for (int i = 0; i < node->child_count; i++) {
        const lh_pq_node_t *c = &node->children[i];
        char p[1024];
        if (path)
            child_path(path, c->name, p, sizeof p);
        else
            snprintf(p, sizeof p, "%s", c->name);
        json_t *t = NULL;
        lh_err e = c->repetition == 2
                       ? refuse(p, "a repeated field outside a LIST or MAP group", eb)
                       : type_json(c, p, &t, eb);
        if (e != LH_OK) {
            json_decref(fields);
            return e;
        }
        json_array_append_new(fields, json_pack("{s:s,s:o,s:b,s:{}}", "name", c->name, "type", t,
                                                "nullable", c->repetition == 1, "metadata"));
    }
    *out = json_pack("{s:s,s:o}", "type", "struct", "fields", fields);
    return LH_OK;
}

static lh_err type_json(const lh_pq_node_t *node, const char *path, json_t **out, lh_errbuf *eb)
{
    *out = NULL;
    if (node->child_count == 0) {
        char tn[32];
        *out = json_string(lh_type_name(node->type, tn, sizeof tn));
        return LH_OK;
    }
    if (node->annot == LH_PQ_ANNOT_LIST)
        return list_json(node, path, out, eb);
    if (node->annot == LH_PQ_ANNOT_MAP)
        return map_json(node, path, out, eb);
    return struct_json(node, path, out, eb);
}

lh_err tool_nested_schema_string(const lh_pq_node_t *root, char **out, lh_errbuf *eb)
{
    json_t *st;
    LH_TRY(struct_json(root, NULL, &st, eb));
    *out = json_dumps(st, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(st);
    LH_FAIL_IF(*out == NULL, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

static int tree_size(const lh_pq_node_t *node)
{
    int n = 1;
    for (int i = 0; i < node->child_count; i++)
        n += tree_size(&node->children[i]);
    return n;
}

lh_err tool_nested_open(tool_nested_t *n, lh_pq_file_t *f, lh_errbuf *eb)
{
    memset(n, 0, sizeof *n);
    n->f = f;
    LH_TRY(lh_pq_schema_tree(f, &n->tree, eb));
    n->leaf_count = lh_pq_leaf_count(f);
    n->info = calloc((size_t)tree_size(n->tree), sizeof *n->info);
    n->leaves = calloc((size_t)n->leaf_count + 1, sizeof *n->leaves);
    n->pos = calloc((size_t)n->leaf_count + 1, sizeof *n->pos);
    n->vpos = calloc((size_t)n->leaf_count + 1, sizeof *n->vpos);
    LH_FAIL_IF(!n->info || !n->leaves || !n->pos || !n->vpos, LH_E_NOMEM, eb, "out of memory");
    int leaf = 0;
    for (int i = 0; i < n->tree->child_count; i++)
        fill_info(n, &n->tree->children[i], 0, 0, &leaf);
    return tool_nested_schema_string(n->tree, &n->schema_string, eb);
}

static void free_leaves(tool_nested_t *n)
{
    for (int i = 0; n->leaves && i < n->leaf_count; i++)
        lh_pq_leaf_data_free(&n->leaves[i]);
}

void tool_nested_close(tool_nested_t *n)
{
    free_leaves(n);
    free(n->leaves);
    free(n->pos);
    free(n->vpos);
    free(n->info);
    free(n->tree);
    free(n->schema_string);
    memset(n, 0, sizeof *n);
}

int tool_nested_find(const tool_nested_t *n, const char *name)
{
    for (int i = 0; i < n->tree->child_count; i++)
        if (strcasecmp(n->tree->children[i].name, name) == 0)
            return i;
    return -1;
}

lh_err tool_nested_load(tool_nested_t *n, int rg, lh_errbuf *eb)
{
    free_leaves(n);
    n->corrupt = false;
    for (int i = 0; i < n->leaf_count; i++) {
        LH_TRY(lh_pq_read_leaf(n->f, rg, i, &n->leaves[i], eb));
        n->pos[i] = n->vpos[i] = 0;
    }
    n->rows = lh_pq_row_group_num_rows(n->f, rg);
    return LH_OK;
}

/* ---- assembly ----------------------------------------------------------------------------- */

/* Definition level of the next entry of leaf l (its max when it has none); -1 past the end. */
static int next_def(tool_nested_t *n, int l)
{
    const lh_pq_leaf_data_t *d = &n->leaves[l];
    if (n->pos[l] >= d->level_count)
        return -1;
    return d->def ? d->def[n->pos[l]] : 0;
}

/* Step past one level entry of every leaf below node (a null or empty value). */
static void skip(tool_nested_t *n, const lh_pq_node_t *node)
{
    const struct tool_node_info *in = info_of(n, node);
    for (int l = in->first_leaf; l < in->first_leaf + in->leaf_count; l++) {
        const lh_pq_leaf_data_t *d = &n->leaves[l];
        if (n->pos[l] >= d->level_count) {
            n->corrupt = true;
            continue;
        }
        n->pos[l]++;
    }
}

/* Whether the next entry of node's first leaf continues the repeated group r. */
static bool repeats(tool_nested_t *n, const lh_pq_node_t *node, const lh_pq_node_t *r)
{
    int l = info_of(n, node)->first_leaf;
    const lh_pq_leaf_data_t *d = &n->leaves[l];
    return n->pos[l] < d->level_count && d->rep && d->rep[n->pos[l]] == info_of(n, r)->rep;
}

static void emit(tool_nested_t *n, const lh_pq_node_t *node, tool_buf_t *b);

static void emit_leaf(tool_nested_t *n, const lh_pq_node_t *node, tool_buf_t *b)
{
    int l = info_of(n, node)->first_leaf;
    const lh_vec_t *v = n->leaves[l].values;
    if (n->vpos[l] >= v->count) {
        n->corrupt = true;
        tool_buf_puts(b, "null");
        return;
    }
    tool_buf_json_value(b, v, n->vpos[l]++);
    n->pos[l]++;
}

/* A map key as a JSON object key: strings as they are, other values as their JSON text. */
static void emit_key(tool_nested_t *n, const lh_pq_node_t *k, tool_buf_t *b)
{
    size_t at = b->len;
    emit(n, k, b);
    if (b->ptr[at] == '"')
        return;
    tool_buf_t t = {0};
    tool_buf_json_string(&t, b->ptr + at, b->len - at);
    b->len = at;
    tool_buf_putn(b, t.ptr, t.len);
    tool_buf_free(&t);
}

static void emit_repeated(tool_nested_t *n, const lh_pq_node_t *node, tool_buf_t *b)
{
    const lh_pq_node_t *r = &node->children[0];
    bool is_map = node->annot == LH_PQ_ANNOT_MAP;
    tool_buf_puts(b, is_map ? "{" : "[");
    if (next_def(n, info_of(n, node)->first_leaf) < info_of(n, r)->def) {
        skip(n, node); /* empty */
    } else {
        for (bool first = true; first || repeats(n, node, r); first = false) {
            if (!first)
                tool_buf_puts(b, ",");
            if (is_map) {
                emit_key(n, &r->children[0], b);
                tool_buf_puts(b, ":");
                emit(n, &r->children[1], b);
            } else {
                emit(n, &r->children[0], b);
            }
        }
    }
    tool_buf_puts(b, is_map ? "}" : "]");
}

static void emit(tool_nested_t *n, const lh_pq_node_t *node, tool_buf_t *b)
{
    const struct tool_node_info *in = info_of(n, node);
    int d = next_def(n, in->first_leaf);
    if (d < 0) {
        n->corrupt = true;
        tool_buf_puts(b, "null");
        return;
    }
    if (node->repetition == 1 && d < in->def) {
        skip(n, node);
        tool_buf_puts(b, "null");
        return;
    }
    if (node->child_count == 0) {
        emit_leaf(n, node, b);
        return;
    }
    if (node->annot != LH_PQ_ANNOT_NONE) {
        emit_repeated(n, node, b);
        return;
    }
    tool_buf_puts(b, "{");
    for (int i = 0; i < node->child_count; i++) {
        const lh_pq_node_t *c = &node->children[i];
        if (i)
            tool_buf_puts(b, ",");
        tool_buf_json_string(b, c->name, strlen(c->name));
        tool_buf_puts(b, ":");
        emit(n, c, b);
    }
    tool_buf_puts(b, "}");
}

void tool_nested_emit(tool_nested_t *n, int top, tool_buf_t *b)
{
    emit(n, &n->tree->children[top], b);
}

lh_err tool_nested_check(const tool_nested_t *n, int top, lh_errbuf *eb)
{
    const struct tool_node_info *in = info_of(n, &n->tree->children[top]);
    bool bad = n->corrupt;
    for (int l = in->first_leaf; l < in->first_leaf + in->leaf_count; l++)
        bad |= n->pos[l] != n->leaves[l].level_count;
    LH_FAIL_IF(bad, LH_E_CORRUPT, eb, "parquet: the levels of column '%s' do not match its rows",
               n->tree->children[top].name);
    return LH_OK;
}
