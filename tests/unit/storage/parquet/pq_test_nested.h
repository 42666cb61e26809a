/*
 * pq_test_nested.h - a small Delta-checkpoint-shaped schema and its shredded levels, shared
 * by the nested writer tests:
 *
 *   add: optional group { path: optional string,
 *                         partitionValues: optional group (MAP) {
 *                             repeated group key_value { required string key;
 *                                                        optional string value } },
 *                         size: optional long }
 *   metaData: optional group { partitionColumns: optional group (LIST) {
 *                                  repeated group list { optional string element } } }
 *
 * Records (repeated `copies` times):
 *   0  add{path "a", partitionValues {x: "1", y: null}, size 10}, metaData null
 *   1  add null, metaData{partitionColumns ["x", "y"]}
 *   2  add{path "b", partitionValues {}, size null}, metaData null
 *   3  add{path null, partitionValues null, size 5}, metaData{partitionColumns null}
 */
#ifndef LH_TEST_PQ_NESTED_H
#define LH_TEST_PQ_NESTED_H

#include <stdlib.h>
#include <string.h>

#include "storage/parquet/parquet.h"

#define CK_LEAVES 5
#define CK_STR                                                                                     \
    {                                                                                              \
        LH_TYPE_STRING, 0, 0                                                                       \
    }

static const lh_pq_node_t ck_kv[] = {
    {"key", 0, 0, NULL, CK_STR, LH_PQ_ANNOT_NONE},
    {"value", 1, 0, NULL, CK_STR, LH_PQ_ANNOT_NONE},
};
static const lh_pq_node_t ck_pv[] = {{"key_value", 2, 2, ck_kv, {0, 0, 0}, LH_PQ_ANNOT_NONE}};
static const lh_pq_node_t ck_add[] = {
    {"path", 1, 0, NULL, CK_STR, LH_PQ_ANNOT_NONE},
    {"partitionValues", 1, 1, ck_pv, {0, 0, 0}, LH_PQ_ANNOT_MAP},
    {"size", 1, 0, NULL, {LH_TYPE_LONG, 0, 0}, LH_PQ_ANNOT_NONE},
};
static const lh_pq_node_t ck_elem[] = {{"element", 1, 0, NULL, CK_STR, LH_PQ_ANNOT_NONE}};
static const lh_pq_node_t ck_list[] = {{"list", 2, 1, ck_elem, {0, 0, 0}, LH_PQ_ANNOT_NONE}};
static const lh_pq_node_t ck_md[] = {
    {"partitionColumns", 1, 1, ck_list, {0, 0, 0}, LH_PQ_ANNOT_LIST}};
static const lh_pq_node_t ck_top[] = {
    {"add", 1, 3, ck_add, {0, 0, 0}, LH_PQ_ANNOT_NONE},
    {"metaData", 1, 1, ck_md, {0, 0, 0}, LH_PQ_ANNOT_NONE},
};
static const lh_pq_node_t ck_root = {"spark_schema", 0, 2, ck_top, {0, 0, 0}, LH_PQ_ANNOT_NONE};

/* Per leaf, one copy of the four records: levels and values ("" separated). */
static const struct {
    int n;
    int16_t def[6], rep[6];
    const char *vals[4];
    int nvals;
} ck_shape[CK_LEAVES] = {
    {4, {2, 0, 2, 1}, {0}, {"a", "b"}, 2},                /* add.path */
    {5, {3, 3, 0, 2, 1}, {0, 1, 0, 0, 0}, {"x", "y"}, 2}, /* ...key */
    {5, {4, 3, 0, 2, 1}, {0, 1, 0, 0, 0}, {"1"}, 1},      /* ...value */
    {4, {2, 0, 1, 2}, {0}, {"10", "5"}, 2},               /* add.size */
    {5, {0, 4, 4, 0, 1}, {0, 0, 1, 0, 0}, {"x", "y"}, 2}, /* ...element */
};

/* Fill leaves[] with `copies` copies of the records; free with ck_free. */
static inline void ck_build(lh_pq_leaf_data_t *leaves, int copies)
{
    for (int l = 0; l < CK_LEAVES; l++) {
        lh_pq_leaf_data_t *d = &leaves[l];
        size_t n = (size_t)ck_shape[l].n * (size_t)copies;
        d->def = malloc(n * sizeof *d->def);
        d->rep = malloc(n * sizeof *d->rep);
        d->level_count = n;
        lh_type_t t = {l == 3 ? LH_TYPE_LONG : LH_TYPE_STRING, 0, 0};
        d->values = lh_vec_create(t, (size_t)ck_shape[l].nvals * (size_t)copies);
        for (int c = 0; c < copies; c++) {
            memcpy(d->def + c * ck_shape[l].n, ck_shape[l].def, (size_t)ck_shape[l].n * 2);
            memcpy(d->rep + c * ck_shape[l].n, ck_shape[l].rep, (size_t)ck_shape[l].n * 2);
            for (int k = 0; k < ck_shape[l].nvals; k++) {
                const char *s = ck_shape[l].vals[k];
                if (l == 3)
                    lh_vec_append_i64(d->values, atoll(s) + c);
                else
                    lh_vec_append_str(d->values, s, strlen(s));
            }
        }
    }
}

static inline void ck_free(lh_pq_leaf_data_t *leaves)
{
    for (int l = 0; l < CK_LEAVES; l++) {
        free(leaves[l].def);
        free(leaves[l].rep);
        lh_vec_destroy(leaves[l].values);
    }
}

#endif
