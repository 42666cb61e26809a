/*
 * reader_util.h - helpers shared by the Parquet reader tests: open a corpus file, read a
 * flat column by name, read every column and leaf of a file.
 */
#ifndef LH_TEST_PQ_READER_UTIL_H
#define LH_TEST_PQ_READER_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/parquet/parquet.h"
#include "t.h"

static inline const char *pq_path(const char *rel)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s/parquet-testing/%s", t_testdata(), rel);
    return buf;
}

/* Open a corpus file (relative to parquet-testing/), or NULL with a test failure. */
static inline lh_pq_file_t *pq_open_rel(const char *rel)
{
    lh_errbuf eb = {0};
    lh_byte_source_t src;
    lh_pq_file_t *f = NULL;
    if (lh_bytes_source_open_file(pq_path(rel), &src, &eb) != LH_OK ||
        lh_pq_open(&src, &f, &eb) != LH_OK) {
        fprintf(stderr, "  cannot open %s: %s\n", rel, eb.msg);
        return NULL;
    }
    return f;
}

/* Read flat column `name` of row group rg into a new vector (NULL on failure). */
static inline lh_vec_t *pq_col(lh_pq_file_t *f, int rg, const char *name)
{
    const lh_schema_t *s = lh_pq_schema(f);
    int c = lh_schema_find(s, name);
    if (c < 0) {
        fprintf(stderr, "  no column %s\n", name);
        return NULL;
    }
    lh_vec_t *v = lh_vec_create(s->fields[c].type, 0);
    lh_errbuf eb = {0};
    if (lh_pq_read_column(f, rg, c, v, &eb) != LH_OK) {
        fprintf(stderr, "  read %s: %s\n", name, eb.msg);
        lh_vec_destroy(v);
        return NULL;
    }
    return v;
}

static inline int pq_leaf_index(lh_pq_file_t *f, const char *path)
{
    for (int i = 0; i < lh_pq_leaf_count(f); i++) {
        lh_pq_leaf_info_t li;
        if (lh_pq_leaf_get_info(f, i, &li, NULL) == LH_OK && strcmp(li.path, path) == 0)
            return i;
    }
    return -1;
}

static inline lh_sv_t pq_sv(const lh_vec_t *v, size_t i)
{
    return ((const lh_sv_t *)v->data)[i];
}

static inline int pq_sv_eq(const lh_vec_t *v, size_t i, const char *s)
{
    lh_sv_t x = pq_sv(v, i);
    return x.len == strlen(s) && memcmp(x.ptr, s, x.len) == 0;
}

/* Read every flat column, every nested column whose shape has a type (a refused shape is not
 * an error here) and every leaf of every row group. Returns the first error (LH_OK if all
 * read) and its message in eb. */
static inline lh_err pq_read_all(lh_pq_file_t *f, lh_errbuf *eb)
{
    const lh_schema_t *s = lh_pq_schema(f);
    lh_err first = LH_OK;
    for (int rg = 0; rg < lh_pq_row_group_count(f); rg++) {
        for (int c = 0; c < s->field_count; c++) {
            lh_vec_t *v = lh_vec_create(s->fields[c].type, 0);
            lh_err e = lh_pq_read_column(f, rg, c, v, first == LH_OK ? eb : NULL);
            if (e == LH_OK && (int64_t)v->count != lh_pq_row_group_num_rows(f, rg))
                e = LH_E_INTERNAL;
            if (first == LH_OK)
                first = e;
            lh_vec_destroy(v);
        }
        for (int c = 0; c < lh_pq_nested_column_count(f); c++) {
            lh_type_t t;
            if (lh_pq_nested_column_type(f, c, &t, NULL) != LH_OK)
                continue;
            lh_vec_t *v = lh_vec_create(t, 0);
            lh_err e = lh_pq_read_nested(f, rg, c, v, first == LH_OK ? eb : NULL);
            if (e == LH_OK && (int64_t)v->count != lh_pq_row_group_num_rows(f, rg))
                e = LH_E_INTERNAL;
            if (first == LH_OK)
                first = e;
            lh_vec_destroy(v);
        }
        for (int l = 0; l < lh_pq_leaf_count(f); l++) {
            lh_pq_leaf_data_t d;
            lh_err e = lh_pq_read_leaf(f, rg, l, &d, first == LH_OK ? eb : NULL);
            if (first == LH_OK)
                first = e;
            lh_pq_leaf_data_free(&d);
        }
    }
    return first;
}

#endif
