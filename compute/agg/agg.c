/*
 * agg.c - the aggregate registry (every row of agg_*.c in one lookup) and the value slot
 * shared by min/max/first/last/min_by/max_by.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/agg/agg_internal.h"
#include "compute/expr/vecops.h"

static const lh_agg_func_t *table_row(int k)
{
    const lh_agg_func_t *tables[] = {lh_agg_basic_rows, lh_agg_value_rows,   lh_agg_stat_rows,
                                     lh_agg_pct_rows,   lh_agg_collect_rows, lh_agg_hist_rows,
                                     lh_agg_sketch_rows};
    const int counts[] = {lh_agg_basic_count, lh_agg_value_count,   lh_agg_stat_count,
                          lh_agg_pct_count,   lh_agg_collect_count, lh_agg_hist_count,
                          lh_agg_sketch_count};
    for (int t = 0; t < 7; t++) {
        if (k < counts[t])
            return &tables[t][k];
        k -= counts[t];
    }
    return NULL;
}

const lh_agg_func_t *lh_agg_find(const char *name)
{
    for (int k = 0;; k++) {
        const lh_agg_func_t *f = table_row(k);
        if (f == NULL)
            return NULL;
        if (strcasecmp(f->name, name) == 0)
            return f;
    }
}

const lh_agg_func_t *lh_agg_row(int i)
{
    return i >= 0 ? table_row(i) : NULL;
}

int lh_agg_count(void)
{
    return lh_agg_basic_count + lh_agg_value_count + lh_agg_stat_count + lh_agg_pct_count +
           lh_agg_collect_count + lh_agg_hist_count + lh_agg_sketch_count;
}

bool lh_agg_slot_store(agg_slot *s, const lh_vec_t *v, size_t i)
{
    s->set = true;
    s->is_null = !lh_vec_is_valid(v, i);
    if (s->is_null)
        return true;
    switch (v->type.id) {
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
    case LH_TYPE_INTERVAL_CAL:
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT: {
        lh_sv_t sv = lh_vec_get_str(v, i);
        if (sv.len > s->cap || s->str == NULL) {
            uint8_t *p = realloc(s->str, sv.len ? sv.len : 1);
            if (p == NULL)
                return false;
            s->str = p;
            s->cap = sv.len ? sv.len : 1;
        }
        if (sv.len)
            memcpy(s->str, sv.ptr, sv.len);
        s->len = sv.len;
        return true;
    }
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        s->d = lh_vec_get_f64(v, i);
        return true;
    case LH_TYPE_DECIMAL:
        s->q = lh_vec_get_i128(v, i);
        return true;
    default:
        s->i = lh_vec_get_i64(v, i);
        return true;
    }
}

bool lh_agg_slot_copy(agg_slot *dst, const agg_slot *src)
{
    uint8_t *keep = dst->str;
    uint32_t cap = dst->cap;
    *dst = *src;
    dst->str = keep;
    dst->cap = cap;
    if (!src->set || src->is_null || src->str == NULL)
        return true;
    if (src->len > dst->cap || dst->str == NULL) {
        uint8_t *p = realloc(dst->str, src->len ? src->len : 1);
        if (p == NULL)
            return false;
        dst->str = p;
        dst->cap = src->len ? src->len : 1;
    }
    if (src->len)
        memcpy(dst->str, src->str, src->len);
    return true;
}

static void slot_value(const agg_slot *s, lh_type_t t, lh_value_t *out)
{
    memset(out, 0, sizeof *out);
    out->type = t;
    switch (t.id) {
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
    case LH_TYPE_INTERVAL_CAL:
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT:
        out->v.str.ptr = s->str;
        out->v.str.len = s->len;
        break;
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        out->v.f64 = s->d;
        break;
    case LH_TYPE_DECIMAL:
        if (t.precision > 18)
            out->v.i128 = s->q;
        else
            out->v.i64 = (int64_t)s->q;
        break;
    default:
        out->v.i64 = s->i;
    }
}

int lh_agg_slot_cmp(const agg_slot *s, const lh_vec_t *v, size_t i)
{
    lh_value_t a, b;
    slot_value(s, v->type, &a);
    lh_vec_get_value(v, i, &b);
    if (v->type.id == LH_TYPE_FLOAT)
        b.v.f64 = lh_vec_get_f64(v, i);
    return -lh_vecops_value_cmp(&b, &a);
}

int lh_agg_slot_cmp2(const agg_slot *a, const agg_slot *b, lh_type_t t)
{
    lh_value_t x, y;
    slot_value(a, t, &x);
    slot_value(b, t, &y);
    return lh_vecops_value_cmp(&x, &y);
}

lh_err lh_agg_slot_append(const agg_slot *s, lh_vec_t *out)
{
    if (!s->set || s->is_null)
        return lh_vec_append_null(out);
    switch (out->type.id) {
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
    case LH_TYPE_INTERVAL_CAL:
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT:
        return lh_vec_append_str(out, s->str, s->len);
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        return lh_vec_append_f64(out, s->d);
    case LH_TYPE_BOOLEAN:
        return lh_vec_append_bool(out, s->i != 0);
    case LH_TYPE_DECIMAL:
        return out->type.precision > 18 ? lh_vec_append_i128(out, s->q)
                                        : lh_vec_append_i64(out, (int64_t)s->q);
    default:
        return lh_vec_append_i64(out, s->i);
    }
}

void lh_agg_slot_free(agg_slot *s)
{
    free(s->str);
    s->str = NULL;
    s->cap = 0;
}

lh_type_t *lh_agg_type_data(lh_func_bind_t *b, lh_type_t t)
{
    lh_type_t *p = lh_arena_alloc(b->arena, sizeof *p);
    *p = t;
    return p;
}

bool lh_agg_is_integral(lh_type_t t)
{
    return t.id == LH_TYPE_BYTE || t.id == LH_TYPE_SHORT || t.id == LH_TYPE_INT ||
           t.id == LH_TYPE_LONG;
}

bool lh_agg_is_numeric(lh_type_t t)
{
    return lh_agg_is_integral(t) || t.id == LH_TYPE_FLOAT || t.id == LH_TYPE_DOUBLE ||
           t.id == LH_TYPE_DECIMAL;
}
