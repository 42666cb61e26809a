/*
 * pq_write_nested.c - writing a schema tree from pre-shredded leaves (Delta checkpoints).
 *
 * The caller gives the tree (lh_pq_node_t) and, per row group, each leaf's Dremel levels
 * and non-null values. Here we only walk the tree once to number the leaves depth-first
 * and derive their max levels (each non-REQUIRED node on the path adds a definition
 * level, each REPEATED one a repetition level), then cut every leaf into slices that
 * start on a record boundary (rep == 0) and hand them to the shared column core.
 *
 * LIST and MAP groups carry both converted_type and logicalType; the caller builds the
 * standard three-level shapes (e.g. MAP = optional group (MAP) { repeated group key_value
 * { required key; optional value } }).
 */
#include <string.h>

#include "storage/parquet/pq_format.h"
#include "storage/parquet/pq_write_internal.h"

#define NESTED_DEPTH_MAX 32  /* far beyond Delta's checkpoint schema (depth 4) */
#define SLICE_LEVELS     512 /* levels staged at once (rounded up to the record end) */

typedef struct walk {
    lh_pq_writer_t *w;
    const char *path[NESTED_DEPTH_MAX];
    lh_errbuf *eb;
} walk_t;

static lh_err add_node(walk_t *k, const lh_pq_node_t *n, int depth, int def, int rep)
{
    LH_FAIL_IF(depth >= NESTED_DEPTH_MAX, LH_E_LIMIT, k->eb, "parquet: schema nested too deep");
    LH_FAIL_IF(n->name == NULL || n->repetition < 0 || n->repetition > 2, LH_E_INVALID, k->eb,
               "parquet: bad schema node");
    def += n->repetition != PQ_REQUIRED;
    rep += n->repetition == PQ_REPEATED;
    k->path[depth] = n->name;
    if (n->child_count == 0) {
        int leaf = -1;
        LH_TRY(lh_pqw_add_leaf(k->w, n->type, k->path, depth + 1, def, rep, k->eb, &leaf));
        return lh_pqw_add_snode(k->w, n->name, n->repetition, 0, LH_PQ_ANNOT_NONE, leaf, k->eb);
    }
    LH_FAIL_IF(n->children == NULL, LH_E_INVALID, k->eb, "parquet: group %s has no children",
               n->name);
    LH_TRY(lh_pqw_add_snode(k->w, n->name, n->repetition, n->child_count, n->annot, -1, k->eb));
    for (int i = 0; i < n->child_count; i++)
        LH_TRY(add_node(k, &n->children[i], depth + 1, def, rep));
    return LH_OK;
}

/* Whether leaf c's dotted path (below the root) is name. */
static bool path_is(const pq_col_t *c, const char *name)
{
    for (int i = 0; i < c->path_len; i++) {
        size_t n = strlen(c->path[i]);
        if (strncmp(name, c->path[i], n) != 0)
            return false;
        name += n;
        if (i + 1 < c->path_len && *name++ != '.')
            return false;
    }
    return *name == '\0';
}

/* Bloom filters for nested writers name leaves by dotted path, e.g. "add.path". */
static lh_err mark_bloom_leaves(lh_pq_writer_t *w, const lh_pq_write_opts_t *opts, lh_errbuf *eb)
{
    for (int i = 0; opts != NULL && i < opts->bloom_column_count; i++) {
        int found = -1;
        for (int c = 0; c < w->col_count && found < 0; c++)
            if (path_is(&w->cols[c], opts->bloom_columns[i]))
                found = c;
        LH_FAIL_IF(found < 0 || w->cols[found].kind == PK_BOOL, LH_E_INVALID, eb,
                   "parquet: no leaf %s for a bloom filter", opts->bloom_columns[i]);
        w->cols[found].bloom = true;
    }
    return LH_OK;
}

static lh_err build(lh_pq_writer_t *w, const lh_pq_node_t *root, const lh_pq_write_opts_t *opts,
                    lh_errbuf *eb)
{
    LH_FAIL_IF(root == NULL || root->child_count <= 0 || root->children == NULL, LH_E_INVALID, eb,
               "parquet: schema has no columns");
    LH_TRY(lh_pqw_add_snode(w, root->name ? root->name : "schema", 0, root->child_count,
                            LH_PQ_ANNOT_NONE, -1, eb));
    walk_t k = {.w = w, .eb = eb};
    for (int i = 0; i < root->child_count; i++)
        LH_TRY(add_node(&k, &root->children[i], 0, 0, 0));
    LH_TRY(mark_bloom_leaves(w, opts, eb));
    return lh_pqw_start(w, eb);
}

lh_err lh_pq_writer_create_nested(const lh_pq_node_t *root, const lh_pq_write_opts_t *opts,
                                  lh_byte_sink_t sink, lh_pq_writer_t **out, lh_errbuf *eb)
{
    *out = NULL;
    lh_pq_writer_t *w;
    LH_TRY(lh_pqw_alloc(opts, sink, &w, eb));
    lh_err e = build(w, root, opts, eb);
    if (e != LH_OK) {
        lh_pq_writer_destroy(w);
        return e;
    }
    *out = w;
    return LH_OK;
}

/* Records in a leaf: its rep == 0 levels (every level when it is not repeated). */
static size_t record_count(const pq_col_t *c, const lh_pq_leaf_data_t *d)
{
    if (c->max_rep == 0)
        return d->level_count;
    size_t n = 0;
    for (size_t i = 0; i < d->level_count; i++)
        n += d->rep[i] == 0;
    return n;
}

static lh_err write_leaf(lh_pq_writer_t *w, pq_col_t *c, const lh_pq_leaf_data_t *d, lh_errbuf *eb)
{
    size_t pos = 0, vpos = 0;
    while (pos < d->level_count) {
        size_t end = pos + SLICE_LEVELS < d->level_count ? pos + SLICE_LEVELS : d->level_count;
        while (c->max_rep > 0 && end < d->level_count && d->rep[end] != 0)
            end++;
        size_t nvals = end - pos;
        if (c->max_def > 0) {
            nvals = 0;
            for (size_t i = pos; i < end; i++)
                nvals += d->def[i] == c->max_def;
        }
        LH_TRY(lh_pqw_put_levels(w, c, c->max_def ? d->def + pos : NULL,
                                 c->max_rep ? d->rep + pos : NULL, end - pos, d->values, vpos,
                                 nvals, eb));
        pos = end;
        vpos += nvals;
    }
    return LH_OK;
}

static lh_err write_leaves(lh_pq_writer_t *w, int64_t num_rows, const lh_pq_leaf_data_t *leaves,
                           int leaf_count, lh_errbuf *eb)
{
    LH_FAIL_IF(leaf_count != w->col_count, LH_E_INVALID, eb,
               "parquet: %d leaves given, schema has %d", leaf_count, w->col_count);
    LH_FAIL_IF(num_rows < 0, LH_E_INVALID, eb, "parquet: negative row count");
    for (int i = 0; i < leaf_count; i++) {
        const pq_col_t *c = &w->cols[i];
        const lh_pq_leaf_data_t *d = &leaves[i];
        LH_FAIL_IF((c->max_def > 0 && d->level_count > 0 && d->def == NULL) ||
                       (c->max_rep > 0 && d->level_count > 0 && d->rep == NULL),
                   LH_E_INVALID, eb, "parquet: leaf %d lacks levels", i);
        LH_FAIL_IF(c->max_rep > 0 && d->level_count > 0 && d->rep[0] != 0, LH_E_INVALID, eb,
                   "parquet: leaf %d does not start a record", i);
        LH_FAIL_IF(record_count(c, d) != (size_t)num_rows, LH_E_INVALID, eb,
                   "parquet: leaf %d holds %zu records, expected %lld", i, record_count(c, d),
                   (long long)num_rows);
    }
    if (num_rows == 0)
        return LH_OK;
    for (int i = 0; i < leaf_count; i++)
        LH_TRY(write_leaf(w, &w->cols[i], &leaves[i], eb));
    w->rg_rows = num_rows;
    return lh_pqw_close_row_group(w, eb);
}

lh_err lh_pq_writer_write_leaves(lh_pq_writer_t *w, int64_t num_rows,
                                 const lh_pq_leaf_data_t *leaves, int leaf_count, lh_errbuf *eb)
{
    LH_FAIL_IF(w->failed || w->finished || w->schema != NULL, LH_E_STATE, eb,
               "parquet: writer is %s",
               w->finished ? "finished"
               : w->failed ? "failed"
                           : "flat");
    lh_err e = write_leaves(w, num_rows, leaves, leaf_count, eb);
    if (e != LH_OK)
        w->failed = true;
    return e;
}
