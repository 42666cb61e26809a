/*
 * test_reader_tree.c - lh_pq_schema_tree: a file's schema as the node tree the nested
 * writer takes (names, repetitions, LIST/MAP annotations, leaf types in leaf order), and
 * copying a nested file leaf by leaf over that tree reproduces every leaf's levels and
 * values.
 */
#include "reader_util.h"

static int leaf_types(const lh_pq_node_t *n, lh_type_t *out, int at)
{
    if (n->child_count == 0) {
        out[at] = n->type;
        return at + 1;
    }
    for (int i = 0; i < n->child_count; i++)
        at = leaf_types(&n->children[i], out, at);
    return at;
}

static void test_impala_tree(void)
{
    lh_pq_file_t *f = pq_open_rel("data/nullable.impala.parquet");
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    lh_pq_node_t *root;
    lh_errbuf eb = {0};
    T_EQ_INT(lh_pq_schema_tree(f, &root, &eb), LH_OK);
    static const char *const tops[] = {"id",      "int_array",     "int_array_Array",
                                       "int_map", "int_Map_Array", "nested_struct"};
    T_EQ_INT(root->child_count, 6);
    for (int i = 0; i < 6 && i < root->child_count; i++)
        T_CHECK(strcmp(root->children[i].name, tops[i]) == 0);
    const lh_pq_node_t *arr = &root->children[1], *map = &root->children[3];
    T_EQ_INT(root->children[0].child_count, 0);
    T_EQ_INT(root->children[0].type.id, LH_TYPE_LONG);
    T_EQ_INT(arr->annot, LH_PQ_ANNOT_LIST);
    T_EQ_INT(arr->repetition, 1);
    T_EQ_INT(arr->child_count, 1);
    T_EQ_INT(arr->children[0].repetition, 2);
    T_EQ_INT(map->annot, LH_PQ_ANNOT_MAP);
    T_EQ_INT(map->children[0].child_count, 2);
    T_CHECK(strcmp(map->children[0].children[0].name, "key") == 0);
    T_EQ_INT(map->children[0].children[0].repetition, 0);
    T_EQ_INT(map->children[0].children[0].type.id, LH_TYPE_STRING);
    T_EQ_INT(root->children[5].annot, LH_PQ_ANNOT_NONE);
    lh_type_t types[64];
    int n = leaf_types(root, types, 0);
    T_EQ_INT(n, lh_pq_leaf_count(f));
    for (int i = 0; i < n && i < lh_pq_leaf_count(f); i++) {
        lh_pq_leaf_info_t li;
        T_EQ_INT(lh_pq_leaf_get_info(f, i, &li, NULL), LH_OK);
        T_CHECK(lh_type_equal(li.type, types[i]));
    }
    free(root);
    lh_pq_close(f);
}

typedef struct mem_sink {
    uint8_t *p;
    size_t len, cap;
} mem_sink;

static lh_err mem_write(void *ctx, const void *buf, size_t len, lh_errbuf *eb)
{
    mem_sink *m = ctx;
    if (m->len + len > m->cap) {
        size_t cap = (m->len + len) * 2;
        uint8_t *np = realloc(m->p, cap);
        LH_FAIL_IF(np == NULL, LH_E_NOMEM, eb, "out of memory");
        m->p = np;
        m->cap = cap;
    }
    memcpy(m->p + m->len, buf, len);
    m->len += len;
    return LH_OK;
}

static bool same_leaf(const lh_pq_leaf_data_t *a, const lh_pq_leaf_data_t *b)
{
    if (a->level_count != b->level_count || a->values->count != b->values->count)
        return false;
    size_t n = a->level_count;
    if ((a->def && memcmp(a->def, b->def, n * sizeof *a->def) != 0) ||
        (a->rep && memcmp(a->rep, b->rep, n * sizeof *a->rep) != 0))
        return false;
    size_t w = lh_type_width(a->values->type);
    bool str = a->values->type.id == LH_TYPE_STRING || a->values->type.id == LH_TYPE_BINARY;
    for (size_t i = 0; i < a->values->count; i++) {
        lh_sv_t x = str ? pq_sv(a->values, i)
                        : (lh_sv_t){(const uint8_t *)a->values->data + i * w, (uint32_t)w};
        lh_sv_t y = str ? pq_sv(b->values, i)
                        : (lh_sv_t){(const uint8_t *)b->values->data + i * w, (uint32_t)w};
        if (x.len != y.len || memcmp(x.ptr, y.ptr, x.len) != 0)
            return false;
    }
    return true;
}

/* Write src's row group 0 over its own tree, reopen, compare every leaf. */
static void copy_and_compare(const char *rel)
{
    lh_pq_file_t *f = pq_open_rel(rel), *g = NULL;
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    lh_errbuf eb = {0};
    lh_pq_node_t *root = NULL;
    T_EQ_INT(lh_pq_schema_tree(f, &root, &eb), LH_OK);
    int nl = lh_pq_leaf_count(f);
    lh_pq_leaf_data_t *in = calloc((size_t)nl, sizeof *in), out;
    for (int i = 0; i < nl; i++)
        T_EQ_INT(lh_pq_read_leaf(f, 0, i, &in[i], &eb), LH_OK);
    mem_sink m = {0};
    lh_pq_writer_t *w;
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    T_EQ_INT(lh_pq_writer_create_nested(root, &o, (lh_pq_sink_t){&m, mem_write}, &w, &eb), LH_OK);
    T_EQ_INT(lh_pq_writer_write_leaves(w, lh_pq_row_group_num_rows(f, 0), in, nl, &eb), LH_OK);
    T_EQ_INT(lh_pq_writer_finish(w, NULL, &eb), LH_OK);
    lh_pq_writer_destroy(w);
    lh_pq_source_t src;
    lh_bytes_source_from_memory(m.p, m.len, &src);
    T_EQ_INT(lh_pq_open(&src, &g, &eb), LH_OK);
    T_EQ_INT(lh_pq_leaf_count(g), nl);
    for (int i = 0; g && i < nl; i++) {
        T_EQ_INT(lh_pq_read_leaf(g, 0, i, &out, &eb), LH_OK);
        if (!same_leaf(&in[i], &out))
            fprintf(stderr, "  %s: leaf %d differs\n", rel, i);
        T_CHECK(same_leaf(&in[i], &out));
        lh_pq_leaf_data_free(&out);
    }
    for (int i = 0; i < nl; i++)
        lh_pq_leaf_data_free(&in[i]);
    free(in);
    free(root);
    lh_pq_close(g);
    lh_pq_close(f);
    free(m.p);
}

static void test_copy_over_tree(void)
{
    copy_and_compare("data/nullable.impala.parquet");
    copy_and_compare("data/nested_maps.snappy.parquet");
    copy_and_compare("data/nested_lists.snappy.parquet");
}

int main(void)
{
    T_RUN(test_impala_tree);
    T_RUN(test_copy_over_tree);
    return T_DONE();
}
