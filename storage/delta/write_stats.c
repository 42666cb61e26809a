/*
 * write_stats.c - Delta's per-file statistics (add.stats, formats.md §2.5) from the Parquet
 * writer's summary: numRecords, and minValues / maxValues / nullCount per column.
 *
 * As Delta writes them: the first dataSkippingNumIndexedCols (default 32) leaf columns get
 * stats, counting a STRUCT's fields one by one (nested objects in the JSON) and an ARRAY or a
 * MAP as one column; min/max only for numbers, dates, timestamps and strings (strings cut to
 * 32 characters, the max bumped so it stays an upper bound); nullCount for every column,
 * an ARRAY/MAP counted as the rows where the value itself is NULL. Leaves inside structs
 * come from the Parquet leaf statistics (their null counts are exactly the rows where the
 * leaf or a struct around it is NULL); the NULLs of ARRAY/MAP fields inside structs are
 * counted here while the rows are written (lh_delta_stats_count).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/nested.h"
#include "storage/delta/delta_scan_internal.h"

#define STATS_PREFIX_CHARS 32

/* Byte length of the first max_chars UTF-8 characters of s; *cut tells if s is longer. */
static size_t utf8_prefix(const uint8_t *s, size_t len, size_t max_chars, bool *cut,
                          uint32_t *next_cp)
{
    size_t i = 0, chars = 0;
    while (i < len && chars < max_chars) {
        uint8_t c = s[i];
        i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        chars++;
    }
    if (i > len)
        i = len;
    *cut = i < len;
    *next_cp = *cut ? s[i] : 0; /* lead byte: < 0x7F exactly when the code point is */
    return i;
}

static json_t *string_stat(const lh_sv_t *sv, bool is_max)
{
    bool cut;
    uint32_t next;
    size_t n = utf8_prefix(sv->ptr, sv->len, STATS_PREFIX_CHARS, &cut, &next);
    if (!cut || !is_max)
        return json_stringn((const char *)sv->ptr, n);
    char *buf = malloc(n + 5);
    if (buf == NULL)
        return NULL;
    memcpy(buf, sv->ptr, n);
    if (next < 0x7F) {
        buf[n++] = 0x7F;
    } else {
        memcpy(buf + n, "\xF4\x8F\xBF\xBF", 4); /* U+10FFFF */
        n += 4;
    }
    json_t *j = json_stringn(buf, n);
    free(buf);
    return j;
}

static json_t *stat_json(const lh_value_t *v, bool is_max)
{
    char buf[48];
    switch (v->type.id) {
    case LH_TYPE_BYTE:
    case LH_TYPE_SHORT:
    case LH_TYPE_INT:
    case LH_TYPE_LONG:
        return json_integer(v->v.i64);
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        return isfinite(v->v.f64) ? json_real(v->v.f64) : NULL;
    case LH_TYPE_DATE:
        lh_delta_format_date((int32_t)v->v.i64, buf, sizeof buf);
        return json_string(buf);
    case LH_TYPE_TIMESTAMP:
        lh_delta_format_timestamp_ms(v->v.i64, buf, sizeof buf);
        return json_string(buf);
    case LH_TYPE_TIMESTAMP_NTZ:
        lh_delta_format_timestamp_ms(v->v.i64, buf, sizeof buf);
        buf[strlen(buf) - 1] = '\0'; /* no zone */
        return json_string(buf);
    case LH_TYPE_DECIMAL:
        if (v->type.precision > 15)
            return NULL;
        return json_real((double)v->v.i64 / pow(10, v->type.scale));
    case LH_TYPE_STRING:
        return string_stat(&v->v.str, is_max);
    default:
        return NULL; /* booleans, binary: no min/max */
    }
}

/* ARRAY/MAP fields reachable through STRUCT fields of t (depth-first). */
static int inner_lists(lh_type_t t)
{
    int n = 0;
    for (int i = 0; t.id == LH_TYPE_STRUCT && i < t.nested->field_count; i++) {
        lh_type_t ft = t.nested->fields[i].type;
        n += ft.id == LH_TYPE_STRUCT ? inner_lists(ft)
                                     : ft.id == LH_TYPE_ARRAY || ft.id == LH_TYPE_MAP;
    }
    return n;
}

int lh_delta_stats_inner_count(const lh_schema_t *data)
{
    int n = 0;
    for (int i = 0; i < data->field_count; i++)
        n += inner_lists(data->fields[i].type);
    return n;
}

static void count_struct(const lh_value_t *v, int64_t *counts, int *k)
{
    const lh_ntype_t *d = v->type.nested;
    for (int i = 0; i < d->field_count; i++) {
        lh_value_t f = {.type = d->fields[i].type, .is_null = true};
        if (!v->is_null)
            lh_nstruct_get(v->type, v->v.str, i, &f);
        if (f.type.id == LH_TYPE_STRUCT)
            count_struct(&f, counts, k);
        else if (f.type.id == LH_TYPE_ARRAY || f.type.id == LH_TYPE_MAP)
            counts[(*k)++] += f.is_null;
    }
}

void lh_delta_stats_count(const lh_schema_t *data, const lh_batch_t *b, size_t n, int64_t *counts)
{
    int k = 0;
    for (int c = 0; c < data->field_count; c++) {
        if (inner_lists(data->fields[c].type) == 0)
            continue;
        int at = k;
        for (size_t r = 0; r < n; r++) {
            lh_value_t v;
            lh_vec_get_value(b->cols[c], b->cols[c]->sel ? b->cols[c]->sel[r] : r, &v);
            k = at;
            count_struct(&v, counts, &k);
        }
        k = at + inner_lists(data->fields[c].type);
    }
}

typedef struct stats_walk {
    const lh_pq_file_summary_t *sum;
    const int64_t *inner; /* NULL counts of ARRAY/MAP fields inside structs */
    int inner_at;
    int leaf;   /* next leaf of the summary */
    int budget; /* leaf columns that may still get stats */
} stats_walk;

static void set_stat(json_t *obj, const char *name, json_t *v)
{
    if (v != NULL)
        json_object_set_new(obj, name, v);
}

/* Attach a nested stats object under name unless it stayed empty. */
static void set_object(json_t *obj, const char *name, json_t *sub)
{
    if (json_object_size(sub) > 0)
        json_object_set_new(obj, name, sub);
    else
        json_decref(sub);
}

/* The stats of one column (or struct field) of type t into mins/maxs/nulls. top: the summary
 * of a top-level ARRAY/MAP column (its NULL rows), else NULL. */
static void column_stats(stats_walk *x, const char *name, lh_type_t t, const lh_pq_col_stats_t *top,
                         json_t *mins, json_t *maxs, json_t *nulls)
{
    if (t.id == LH_TYPE_STRUCT) {
        json_t *m1 = json_object(), *m2 = json_object(), *n1 = json_object();
        for (int i = 0; i < t.nested->field_count; i++)
            column_stats(x, t.nested->fields[i].name, t.nested->fields[i].type, NULL, m1, m2, n1);
        set_object(mins, name, m1);
        set_object(maxs, name, m2);
        set_object(nulls, name, n1);
        return;
    }
    bool indexed = x->budget-- > 0;
    if (t.id == LH_TYPE_ARRAY || t.id == LH_TYPE_MAP) {
        x->leaf += lh_pq_type_leaf_count(t);
        int64_t n = top ? top->null_count : x->inner[x->inner_at++];
        if (indexed && (top == NULL || top->has_null_count))
            set_stat(nulls, name, json_integer(n));
        return;
    }
    const lh_pq_col_stats_t *c = &x->sum->leaves[x->leaf++];
    if (!indexed)
        return;
    if (c->has_null_count)
        set_stat(nulls, name, json_integer(c->null_count));
    json_t *mn = c->has_min_max ? stat_json(&c->min, false) : NULL;
    json_t *mx = c->has_min_max ? stat_json(&c->max, true) : NULL;
    if (mn && mx) {
        json_object_set_new(mins, name, mn);
        json_object_set_new(maxs, name, mx);
    } else {
        json_decref(mn);
        json_decref(mx);
    }
}

char *lh_delta_stats_build(const lh_schema_t *data, const lh_pq_file_summary_t *sum,
                           const int64_t *inner_nulls, int max_cols)
{
    json_t *mins = json_object(), *maxs = json_object(), *nulls = json_object();
    stats_walk x = {sum, inner_nulls, 0, 0, max_cols};
    for (int i = 0; i < data->field_count && i < sum->col_count; i++) {
        lh_type_t t = data->fields[i].type;
        bool list = t.id == LH_TYPE_ARRAY || t.id == LH_TYPE_MAP;
        column_stats(&x, data->fields[i].name, t, list ? &sum->cols[i] : NULL, mins, maxs, nulls);
    }
    json_t *st = json_pack("{s:I,s:o,s:o,s:o}", "numRecords", (json_int_t)sum->num_rows,
                           "minValues", mins, "maxValues", maxs, "nullCount", nulls);
    char *s = st ? json_dumps(st, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(st);
    return s;
}

int lh_delta_stats_max_cols(const lh_delta_metadata_t *md)
{
    const char *s = lh_delta_map_get(&md->configuration, "delta.dataSkippingNumIndexedCols", NULL);
    return s ? atoi(s) < 0 ? 1 << 30 : atoi(s) : LH_DELTA_STATS_COLS;
}
