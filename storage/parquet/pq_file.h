/*
 * pq_file.h - the reader's file object, shared by pq_read.c (open, pages, values) and
 * pq_stats.c (statistics, row-group skipping, bloom filters). Internal.
 */
#ifndef LH_PQ_FILE_H
#define LH_PQ_FILE_H

#include "storage/parquet/parquet.h"
#include "storage/parquet/pq_meta.h"
#include "storage/parquet/pq_page.h"

struct lh_pq_file {
    lh_byte_source_t src;
    uint8_t *footer; /* FileMetaData bytes; statistics point into them */
    size_t footer_len;
    pq_meta_t meta;
    lh_schema_t *schema; /* flat view */
    int *flat_leaf;      /* flat column -> leaf index */
    int nested_count;
    const char **nested_names;
    int *nested_top; /* schema index of each nested top-level column */
    /* The schema as a tree, per element (pq_nested.c); NULL when no column is nested. */
    struct pq_nnode *nodes;
};

/* One schema element in the tree view: its subtree is elements [index, end). */
typedef struct pq_nnode {
    int end;
    int def, rep; /* max levels counting this element */
    int leaf;     /* leaf index of a primitive element, else -1 */
    int first_leaf, leaf_count;
} pq_nnode_t;

/* Build f->nodes (pq_nested.c), once at open. */
lh_err pq_nested_init(lh_pq_file_t *f, lh_errbuf *eb);
/* LIST or MAP for a group annotated so (LIST; MAP or MAP_KEY_VALUE), else NONE (pq_tree.c). */
lh_pq_annot pq_el_annot(const pq_schema_el_t *el);

/* Read [offset, offset+len) of the source, bounds-checked against its size. */
lh_err pq_src_read(const lh_pq_file_t *f, uint64_t offset, void *buf, size_t len, lh_errbuf *eb);
/* The byte range [*start, *start + *len) of r's chunk, after checking that the chunk is
 * readable (not encrypted, a supported codec) and lies inside the file. */
lh_err pq_chunk_range(const lh_pq_file_t *f, pq_creader_t *r, uint64_t *start, uint64_t *len);

#endif
