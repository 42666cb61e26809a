/*
 * import_files.c - the data files of a nested import: one Parquet file per partition
 * directory, fed one row group of Dremel leaves at a time.
 *
 * Unpartitioned, a row group's leaves go to the single file as they are. Partitioned (by
 * top-level primitive columns), rows are routed by their partition values: each leaf is
 * walked with a cursor (a row is one level when the leaf is not repeated, else the levels
 * up to the next repetition level 0; its values are the levels at the leaf's max
 * definition level), the partition leaves give the row's values and directory
 * (col=hive-escaped/...), and the row's levels and values of every other leaf are
 * appended to that directory's staging leaves. Each directory's staged rows become one
 * row group of its file. Partition columns are kept out of the files (Delta stores them
 * in partitionValues), so the files use the tree without them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "tools/lakehouse-tool/tool.h"

#define PARTITIONS_MAX 10000 /* directories one import may create (a typo'd column guard) */

typedef struct stage {
    int16_t *def, *rep;
    size_t count, cap;
    lh_vec_t *values;
} stage_t;

typedef struct part_file {
    char *dir;             /* "" when unpartitioned */
    lh_delta_map_t values; /* partitionValues */
    char *path;            /* table-relative */
    lh_obj_writer_t *ow;
    lh_pq_writer_t *w;
    stage_t *stage; /* per data leaf */
    int64_t staged_rows;
} part_file_t;

struct tool_fileset {
    lh_delta_table_t *t;
    const lh_pq_node_t *tree; /* the source's */
    lh_pq_node_t data_root;   /* the files': the tree without partition columns */
    lh_pq_node_t *data_kids;
    int leaf_count;         /* source leaves */
    int *max_def, *max_rep; /* per source leaf */
    int nparts;
    char **part_names; /* the tree's spelling */
    int *part_leaf;    /* source leaf of each partition column */
    int data_count;
    int *data_leaf; /* source leaf of each data leaf */
    part_file_t *files;
    int file_count;
    size_t *pos, *vpos;         /* per source leaf while routing */
    lh_pq_leaf_data_t *scratch; /* per data leaf, for write_leaves */
};

/* ---- the tree ----------------------------------------------------------------------------- */

static int count_leaves(const lh_pq_node_t *n)
{
    int k = n->child_count == 0;
    for (int i = 0; i < n->child_count; i++)
        k += count_leaves(&n->children[i]);
    return k;
}

static void leaf_levels(tool_fileset_t *fs, const lh_pq_node_t *n, int def, int rep, int *leaf)
{
    def += n->repetition != 0;
    rep += n->repetition == 2;
    if (n->child_count == 0) {
        fs->max_def[*leaf] = def;
        fs->max_rep[*leaf] = rep;
        (*leaf)++;
    }
    for (int i = 0; i < n->child_count; i++)
        leaf_levels(fs, &n->children[i], def, rep, leaf);
}

static int part_index(const tool_fileset_t *fs, const char *name)
{
    for (int k = 0; k < fs->nparts; k++)
        if (strcasecmp(fs->part_names[k], name) == 0)
            return k;
    return -1;
}

/* Find the partition columns among the top-level ones; build the data tree and leaf map. */
static lh_err split_tree(tool_fileset_t *fs, const char *const *parts, lh_errbuf *eb)
{
    const lh_pq_node_t *root = fs->tree;
    for (int k = 0; k < fs->nparts; k++) {
        int leaf = 0, found = -1;
        for (int i = 0; i < root->child_count && found < 0; i++) {
            if (strcasecmp(root->children[i].name, parts[k]) == 0)
                found = i;
            else
                leaf += count_leaves(&root->children[i]);
        }
        LH_FAIL_IF(found < 0, LH_E_INVALID, eb, "partition column '%s' is not in the source",
                   parts[k]);
        LH_FAIL_IF(root->children[found].child_count > 0, LH_E_INVALID, eb,
                   "partition column '%s' is nested; partition columns must be primitive",
                   parts[k]);
        fs->part_names[k] = (char *)root->children[found].name;
        fs->part_leaf[k] = leaf;
    }
    fs->data_root = *root;
    fs->data_root.children = fs->data_kids;
    fs->data_root.child_count = 0;
    for (int i = 0, leaf = 0; i < root->child_count; i++) {
        int n = count_leaves(&root->children[i]);
        if (part_index(fs, root->children[i].name) < 0) {
            fs->data_kids[fs->data_root.child_count++] = root->children[i];
            for (int l = leaf; l < leaf + n; l++)
                fs->data_leaf[fs->data_count++] = l;
        }
        leaf += n;
    }
    LH_FAIL_IF(fs->data_root.child_count == 0, LH_E_INVALID, eb,
               "every column is a partition column; data files need at least one");
    return LH_OK;
}

lh_err tool_fileset_create(lh_delta_table_t *t, const lh_pq_node_t *tree, const char *const *parts,
                           int nparts, tool_fileset_t **out, lh_errbuf *eb)
{
    *out = NULL;
    tool_fileset_t *fs = calloc(1, sizeof *fs);
    LH_FAIL_IF(fs == NULL, LH_E_NOMEM, eb, "out of memory");
    *out = fs;
    fs->t = t;
    fs->tree = tree;
    fs->nparts = nparts;
    fs->leaf_count = count_leaves(tree) - (tree->child_count == 0);
    size_t nl = (size_t)fs->leaf_count + 1, np = (size_t)nparts + 1;
    fs->max_def = calloc(nl, sizeof *fs->max_def);
    fs->max_rep = calloc(nl, sizeof *fs->max_rep);
    fs->data_leaf = calloc(nl, sizeof *fs->data_leaf);
    fs->pos = calloc(nl, sizeof *fs->pos);
    fs->vpos = calloc(nl, sizeof *fs->vpos);
    fs->scratch = calloc(nl, sizeof *fs->scratch);
    fs->data_kids = calloc((size_t)tree->child_count + 1, sizeof *fs->data_kids);
    fs->part_names = calloc(np, sizeof *fs->part_names);
    fs->part_leaf = calloc(np, sizeof *fs->part_leaf);
    LH_FAIL_IF(!fs->max_def || !fs->max_rep || !fs->data_leaf || !fs->pos || !fs->vpos ||
                   !fs->scratch || !fs->data_kids || !fs->part_names || !fs->part_leaf,
               LH_E_NOMEM, eb, "out of memory");
    int leaf = 0;
    for (int i = 0; i < tree->child_count; i++)
        leaf_levels(fs, &tree->children[i], 0, 0, &leaf);
    return split_tree(fs, parts, eb);
}

const char *tool_fileset_part_name(const tool_fileset_t *fs, int k)
{
    return fs->part_names[k];
}

/* ---- files -------------------------------------------------------------------------------- */

static void stage_free(stage_t *s, int n)
{
    for (int i = 0; s && i < n; i++) {
        free(s[i].def);
        free(s[i].rep);
        lh_vec_destroy(s[i].values);
    }
    free(s);
}

static void map_free(lh_delta_map_t *m)
{
    for (int i = 0; i < m->count; i++) {
        free(m->items[i].key);
        free(m->items[i].value);
    }
    free(m->items);
    memset(m, 0, sizeof *m);
}

static void file_free(tool_fileset_t *fs, part_file_t *f)
{
    lh_pq_writer_destroy(f->w);
    if (f->ow)
        lh_obj_writer_abort(f->ow);
    stage_free(f->stage, fs->data_count);
    map_free(&f->values);
    free(f->dir);
    free(f->path);
}

void tool_fileset_destroy(tool_fileset_t *fs)
{
    if (fs == NULL)
        return;
    for (int i = 0; i < fs->file_count; i++)
        file_free(fs, &fs->files[i]);
    free(fs->files);
    free(fs->max_def);
    free(fs->max_rep);
    free(fs->data_leaf);
    free(fs->pos);
    free(fs->vpos);
    free(fs->scratch);
    free(fs->data_kids);
    free(fs->part_names);
    free(fs->part_leaf);
    free(fs);
}

static lh_err open_file(tool_fileset_t *fs, part_file_t *f, lh_errbuf *eb)
{
    char uuid[37], name[96];
    lh_uuid4(uuid);
    snprintf(name, sizeof name, "part-%05d-%s-c000.zstd.parquet", fs->file_count - 1, uuid);
    size_t n = strlen(f->dir) + strlen(name) + 2;
    f->path = malloc(n);
    LH_FAIL_IF(f->path == NULL, LH_E_NOMEM, eb, "out of memory");
    snprintf(f->path, n, "%s%s%s", f->dir, f->dir[0] ? "/" : "", name);
    char *key = lh_delta_table_key(fs->t, f->path);
    LH_FAIL_IF(key == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = lh_objstore_open_write(lh_delta_table_store(fs->t), key, &f->ow, eb);
    free(key);
    LH_TRY(e);
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    return lh_pq_writer_create_nested(&fs->data_root, &o, lh_obj_writer_sink(f->ow), &f->w, eb);
}

/* A new file for directory dir (taken) with partition values vals (taken). */
static lh_err add_file(tool_fileset_t *fs, char *dir, lh_delta_map_t *vals, part_file_t **out,
                       lh_errbuf *eb)
{
    part_file_t *nf = NULL;
    if (fs->file_count < PARTITIONS_MAX)
        nf = realloc(fs->files, (size_t)(fs->file_count + 1) * sizeof *nf);
    if (nf == NULL) {
        free(dir);
        map_free(vals);
        LH_FAIL_IF(fs->file_count >= PARTITIONS_MAX, LH_E_LIMIT, eb,
                   "more than %d partition directories in one import", PARTITIONS_MAX);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    fs->files = nf;
    part_file_t *f = &nf[fs->file_count++];
    *f = (part_file_t){.dir = dir, .values = *vals};
    memset(vals, 0, sizeof *vals);
    f->stage = calloc((size_t)fs->data_count + 1, sizeof *f->stage);
    LH_FAIL_IF(f->stage == NULL, LH_E_NOMEM, eb, "out of memory");
    *out = f;
    return open_file(fs, f, eb);
}

/* ---- routing rows ---------------------------------------------------------------------------- */

static lh_err map_add(lh_delta_map_t *m, const char *key, const char *value)
{
    lh_delta_kv_t *items = realloc(m->items, (size_t)(m->count + 1) * sizeof *items);
    if (items == NULL)
        return LH_E_NOMEM;
    m->items = items;
    items[m->count].key = strdup(key);
    items[m->count].value = value ? strdup(value) : NULL;
    if (items[m->count].key == NULL || (value && items[m->count].value == NULL)) {
        free(items[m->count].key);
        free(items[m->count].value);
        return LH_E_NOMEM;
    }
    m->count++;
    return LH_OK;
}

/* The directory and values of the row at the partition leaves' cursors. */
static lh_err row_partition(tool_fileset_t *fs, const lh_pq_leaf_data_t *leaves, tool_buf_t *dir,
                            lh_delta_map_t *vals, lh_errbuf *eb)
{
    dir->len = 0;
    tool_buf_puts(dir, "");
    for (int k = 0; k < fs->nparts; k++) {
        int l = fs->part_leaf[k];
        const lh_pq_leaf_data_t *d = &leaves[l];
        bool valid = fs->max_def[l] == 0 || d->def[fs->pos[l]] == fs->max_def[l];
        char buf[64];
        const char *text = NULL;
        if (valid)
            LH_TRY(lh_delta_partition_text(d->values, fs->vpos[l], buf, sizeof buf, &text, eb));
        char *esc = lh_delta_hive_escape(text);
        lh_err e = esc && map_add(vals, fs->part_names[k], text) == LH_OK ? LH_OK : LH_E_NOMEM;
        if (e == LH_OK)
            tool_buf_printf(dir, "%s%s=%s", k ? "/" : "", fs->part_names[k], esc);
        free(esc);
        if (text != buf)
            free((char *)text);
        LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

static lh_err file_for_row(tool_fileset_t *fs, const lh_pq_leaf_data_t *leaves, tool_buf_t *dir,
                           part_file_t **out, lh_errbuf *eb)
{
    lh_delta_map_t vals = {0};
    lh_err e = row_partition(fs, leaves, dir, &vals, eb);
    for (int i = 0; e == LH_OK && i < fs->file_count; i++)
        if (strcmp(fs->files[i].dir, dir->ptr) == 0) {
            map_free(&vals);
            *out = &fs->files[i];
            return LH_OK;
        }
    char *d = e == LH_OK ? strdup(dir->ptr) : NULL;
    if (e != LH_OK || d == NULL) {
        map_free(&vals);
        LH_FAIL_IF(e == LH_OK, LH_E_NOMEM, eb, "out of memory");
        return e;
    }
    return add_file(fs, d, &vals, out, eb);
}

static lh_err stage_levels(stage_t *s, const lh_pq_leaf_data_t *d, size_t from, size_t n,
                           lh_errbuf *eb)
{
    if (s->count + n > s->cap) {
        size_t cap = (s->count + n) * 2 + 64;
        int16_t *nd = realloc(s->def, cap * sizeof *nd);
        if (nd)
            s->def = nd;
        int16_t *nr = nd ? realloc(s->rep, cap * sizeof *nr) : NULL;
        LH_FAIL_IF(nd == NULL || nr == NULL, LH_E_NOMEM, eb, "out of memory");
        s->rep = nr;
        s->cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        s->def[s->count + i] = d->def ? d->def[from + i] : 0;
        s->rep[s->count + i] = d->rep ? d->rep[from + i] : 0;
    }
    s->count += n;
    return LH_OK;
}

static lh_err stage_values(stage_t *s, const lh_vec_t *src, size_t from, size_t n, lh_errbuf *eb)
{
    if (s->values == NULL && (s->values = lh_vec_create(src->type, n)) == NULL)
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    lh_type_id id = src->type.id;
    for (size_t i = from; i < from + n; i++) {
        lh_err e;
        if (id == LH_TYPE_STRING || id == LH_TYPE_BINARY)
            e = lh_vec_append_str(s->values, ((const lh_sv_t *)src->data)[i].ptr,
                                  ((const lh_sv_t *)src->data)[i].len);
        else if (id == LH_TYPE_FLOAT || id == LH_TYPE_DOUBLE)
            e = lh_vec_append_f64(s->values, lh_vec_get_f64(src, i));
        else if (id == LH_TYPE_DECIMAL && src->type.precision > 18)
            e = lh_vec_append_i128(s->values, ((const lh_i128 *)src->data)[i]);
        else
            e = lh_vec_append_i64(s->values, lh_vec_get_i64(src, i));
        LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

/* Move the next row of source leaf l (at its cursor) into s (NULL: just skip it). */
static lh_err route_leaf(tool_fileset_t *fs, int l, const lh_pq_leaf_data_t *d, stage_t *s,
                         lh_errbuf *eb)
{
    size_t from = fs->pos[l], end = from + 1, nv = 0;
    LH_FAIL_IF(from >= d->level_count, LH_E_CORRUPT, eb, "parquet: leaf %d has too few levels", l);
    while (fs->max_rep[l] > 0 && end < d->level_count && d->rep[end] != 0)
        end++;
    for (size_t i = from; i < end; i++)
        nv += fs->max_def[l] == 0 || d->def[i] == fs->max_def[l];
    LH_FAIL_IF(fs->vpos[l] + nv > d->values->count, LH_E_CORRUPT, eb,
               "parquet: leaf %d has too few values", l);
    if (s != NULL) {
        LH_TRY(stage_levels(s, d, from, end - from, eb));
        LH_TRY(stage_values(s, d->values, fs->vpos[l], nv, eb));
    }
    fs->pos[l] = end;
    fs->vpos[l] += nv;
    return LH_OK;
}

/* Write every file's staged rows as one row group, then empty the stages. */
static lh_err flush_stages(tool_fileset_t *fs, lh_errbuf *eb)
{
    for (int i = 0; i < fs->file_count; i++) {
        part_file_t *f = &fs->files[i];
        if (f->staged_rows == 0)
            continue;
        for (int k = 0; k < fs->data_count; k++) { /* every staged row staged every leaf */
            stage_t *s = &f->stage[k];
            fs->scratch[k] = (lh_pq_leaf_data_t){
                .def = s->def, .rep = s->rep, .level_count = s->count, .values = s->values};
        }
        LH_TRY(lh_pq_writer_write_leaves(f->w, f->staged_rows, fs->scratch, fs->data_count, eb));
        for (int k = 0; k < fs->data_count; k++) {
            f->stage[k].count = 0;
            lh_vec_reset(f->stage[k].values);
        }
        f->staged_rows = 0;
    }
    return LH_OK;
}

static lh_err route_rows(tool_fileset_t *fs, int64_t rows, const lh_pq_leaf_data_t *leaves,
                         lh_errbuf *eb)
{
    memset(fs->pos, 0, (size_t)fs->leaf_count * sizeof *fs->pos);
    memset(fs->vpos, 0, (size_t)fs->leaf_count * sizeof *fs->vpos);
    tool_buf_t dir = {0};
    lh_err e = LH_OK;
    for (int64_t r = 0; e == LH_OK && r < rows; r++) {
        part_file_t *f = NULL;
        e = file_for_row(fs, leaves, &dir, &f, eb);
        for (int k = 0; e == LH_OK && k < fs->data_count; k++)
            e = route_leaf(fs, fs->data_leaf[k], &leaves[fs->data_leaf[k]], &f->stage[k], eb);
        for (int k = 0; e == LH_OK && k < fs->nparts; k++)
            e = route_leaf(fs, fs->part_leaf[k], &leaves[fs->part_leaf[k]], NULL, eb);
        if (e == LH_OK)
            f->staged_rows++;
    }
    tool_buf_free(&dir);
    return e == LH_OK ? flush_stages(fs, eb) : e;
}

lh_err tool_fileset_put(tool_fileset_t *fs, int64_t rows, const lh_pq_leaf_data_t *leaves,
                        lh_errbuf *eb)
{
    if (rows == 0)
        return LH_OK;
    if (fs->nparts > 0)
        return route_rows(fs, rows, leaves, eb);
    part_file_t *f = fs->file_count ? &fs->files[0] : NULL;
    if (f == NULL) {
        char *dir = strdup("");
        lh_delta_map_t none = {0};
        LH_FAIL_IF(dir == NULL, LH_E_NOMEM, eb, "out of memory");
        LH_TRY(add_file(fs, dir, &none, &f, eb));
    }
    return lh_pq_writer_write_leaves(f->w, rows, leaves, fs->leaf_count, eb);
}

lh_err tool_fileset_finish(tool_fileset_t *fs, lh_delta_txn_t *x, lh_delta_op_result_t *res,
                           lh_errbuf *eb)
{
    for (int i = 0; i < fs->file_count; i++) {
        part_file_t *f = &fs->files[i];
        lh_pq_file_summary_t sum;
        LH_TRY(lh_pq_writer_finish(f->w, &sum, eb));
        lh_pq_writer_destroy(f->w);
        f->w = NULL;
        lh_obj_writer_t *ow = f->ow;
        f->ow = NULL;
        LH_TRY(lh_obj_writer_commit(ow, eb));
        char stats[64];
        snprintf(stats, sizeof stats, "{\"numRecords\":%lld}", (long long)sum.num_rows);
        lh_delta_add_t add = {
            .path = f->path,
            .partition_values = f->values,
            .size_bytes = (int64_t)sum.file_bytes,
            .modification_time_ms = lh_now_ms(),
            .data_change = true,
            .stats = stats,
        };
        LH_TRY(lh_delta_txn_add_file(x, &add, eb));
        res->files_added++;
        res->bytes_added += (int64_t)sum.file_bytes;
        res->rows_written += sum.num_rows;
    }
    return LH_OK;
}
