/*
 * identity.c - IDENTITY columns as the Delta protocol defines them ("Identity Columns"):
 * column metadata delta.identity.start / step / highWaterMark / allowExplicitInsert. A write
 * that assigns values gives each row the next value (the start, or highWaterMark + step, then
 * by step), and its commit carries a metaData action with the new highWaterMark (the last
 * value assigned: the highest for a positive step, the lowest for a negative one), so values
 * stay unique and increasing and a concurrent writer conflicts on the metadata change.
 * Shared by write.c (INSERT) and dml.c (MERGE INSERT).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "compute/exec/exec_internal.h"
#include "storage/delta/delta.h"

static bool json_i64(json_t *v, int64_t *out)
{
    if (!json_is_integer(v))
        return false;
    *out = json_integer_value(v);
    return true;
}

lh_err exec_ident_init(exec_ident *x, const lh_delta_metadata_t *md, const bool *fill, int n,
                       lh_errbuf *eb)
{
    memset(x, 0, sizeof *x);
    if (fill == NULL || md == NULL || md->schema_string == NULL)
        return LH_OK;
    x->schema = json_loads(md->schema_string, 0, NULL);
    json_t *fields = json_object_get(x->schema, "fields");
    for (int i = 0; i < n && (size_t)i < json_array_size(fields); i++) {
        if (!fill[i])
            continue;
        json_t *f = json_array_get(fields, (size_t)i);
        json_t *meta = json_object_get(f, "metadata");
        LH_FAIL_IF(x->count == 16, LH_E_UNSUPPORTED, eb, "more than 16 IDENTITY columns");
        struct exec_ident_col *d = &x->cols[x->count];
        int64_t start = 1, hwm;
        d->step = 1;
        LH_FAIL_IF(!json_i64(json_object_get(meta, "delta.identity.start"), &start), LH_E_CORRUPT,
                   eb, "IDENTITY column %d has no delta.identity.start", i);
        json_i64(json_object_get(meta, "delta.identity.step"), &d->step);
        LH_FAIL_IF(d->step == 0, LH_E_CORRUPT, eb, "IDENTITY column %d has step 0", i);
        d->next = start;
        if (json_i64(json_object_get(meta, "delta.identity.highWaterMark"), &hwm))
            LH_FAIL_IF(__builtin_add_overflow(hwm, d->step, &d->next), LH_E_INVALID, eb,
                       "IDENTITY column values are exhausted");
        d->col = i;
        d->name = json_string_value(json_object_get(f, "name"));
        if (d->name == NULL)
            d->name = "?";
        x->count++;
    }
    return LH_OK;
}

lh_err exec_ident_fill(exec_ident *x, lh_batch_t *b, lh_errbuf *eb)
{
    for (int k = 0; k < x->count && b->row_count > 0; k++) {
        struct exec_ident_col *d = &x->cols[k];
        LH_FAIL_IF(d->col >= b->col_count, LH_E_INTERNAL, eb, "IDENTITY column out of range");
        lh_vec_t *v = b->cols[d->col];
        lh_vec_reset(v);
        LH_TRY(lh_vec_reserve(v, b->row_count));
        for (size_t r = 0; r < b->row_count; r++) {
            LH_FAIL_IF(d->exhausted, LH_E_INVALID, eb, "IDENTITY column %s values are exhausted",
                       d->name);
            LH_TRY(lh_vec_append_i64(v, d->next));
            d->last = d->next;
            x->used = true;
            d->exhausted = __builtin_add_overflow(d->next, d->step, &d->next);
        }
    }
    return LH_OK;
}

lh_err exec_ident_commit(exec_ident *x, lh_delta_txn_t *txn, lh_errbuf *eb)
{
    if (!x->used)
        return LH_OK;
    json_t *fields = json_object_get(x->schema, "fields");
    for (int k = 0; k < x->count; k++) {
        json_t *meta = json_object_get(json_array_get(fields, (size_t)x->cols[k].col), "metadata");
        if (json_is_object(meta))
            json_object_set_new(meta, "delta.identity.highWaterMark",
                                json_integer(x->cols[k].last));
    }
    const lh_delta_metadata_t *cur = lh_delta_txn_metadata(txn);
    LH_FAIL_IF(cur == NULL, LH_E_INTERNAL, eb, "no metadata to update");
    lh_delta_metadata_t md;
    LH_FAIL_IF(lh_delta_metadata_copy(cur, &md) != LH_OK, LH_E_NOMEM, eb, "out of memory");
    free(md.schema_string);
    md.schema_string = json_dumps(x->schema, JSON_COMPACT | JSON_PRESERVE_ORDER);
    lh_schema_destroy(md.schema);
    lh_schema_destroy(md.primitive_schema);
    free(md.unreadable_column);
    md.schema = md.primitive_schema = NULL;
    md.unreadable_column = NULL;
    lh_err e = md.schema_string ? lh_delta_txn_set_metadata(txn, &md, eb)
                                : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    lh_delta_metadata_clear(&md);
    return e;
}

void exec_ident_free(exec_ident *x)
{
    json_decref(x->schema);
    memset(x, 0, sizeof *x);
}
