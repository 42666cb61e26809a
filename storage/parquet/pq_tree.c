/*
 * pq_tree.c - a file's schema as an lh_pq_node_t tree (the shape the nested writer takes),
 * so a caller can carry nested columns through: read the leaves with lh_pq_read_leaf and
 * write them with lh_pq_writer_create_nested over the same tree.
 *
 * The footer's schema is a depth-first element list with child counts; the tree puts each
 * group's children in one contiguous slice of a single node array (the root in slot 0).
 * Leaves get the logical type the reader decodes them to, in leaf order. Names point into
 * the file's decoded footer, so the tree must not outlive the file.
 */
#include <stdlib.h>

#include "storage/parquet/pq_file.h"
#include "storage/parquet/pq_format.h"

typedef struct tree_build {
    const pq_meta_t *m;
    lh_pq_node_t *nodes;
    int next_slot; /* first free slot in nodes */
    int next_el;   /* next schema element to consume */
    int next_leaf;
} tree_build_t;

lh_pq_annot pq_el_annot(const pq_schema_el_t *el)
{
    if (el->logical.kind == 3 || el->converted == PQ_CT_LIST)
        return LH_PQ_ANNOT_LIST;
    if (el->logical.kind == 2 || el->converted == PQ_CT_MAP || el->converted == PQ_CT_MAP_KEY_VALUE)
        return LH_PQ_ANNOT_MAP;
    return LH_PQ_ANNOT_NONE;
}

/* Fill node from the next schema element and, recursively, its children. The footer was
 * validated at open (the tree covers every element, depth bounded), so this cannot fail. */
static void build_node(tree_build_t *b, lh_pq_node_t *node)
{
    const pq_schema_el_t *el = &b->m->schema[b->next_el++];
    node->name = el->name;
    node->repetition = el->repetition < 0 ? PQ_REQUIRED : el->repetition;
    node->child_count = el->num_children;
    if (el->num_children == 0) {
        node->type = b->m->leaves[b->next_leaf++].type;
        return;
    }
    node->annot = pq_el_annot(el);
    lh_pq_node_t *kids = &b->nodes[b->next_slot];
    b->next_slot += el->num_children;
    node->children = kids;
    for (int i = 0; i < el->num_children; i++)
        build_node(b, &kids[i]);
}

lh_err lh_pq_schema_tree(const lh_pq_file_t *f, lh_pq_node_t **out, lh_errbuf *eb)
{
    *out = NULL;
    const pq_meta_t *m = &f->meta;
    LH_FAIL_IF(m->schema_count < 1, LH_E_CORRUPT, eb, "parquet: empty schema");
    tree_build_t b = {.m = m, .next_slot = 1};
    b.nodes = calloc((size_t)m->schema_count, sizeof *b.nodes);
    LH_FAIL_IF(b.nodes == NULL, LH_E_NOMEM, eb, "parquet: out of memory");
    build_node(&b, &b.nodes[0]);
    *out = b.nodes;
    return LH_OK;
}
