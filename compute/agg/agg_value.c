/*
 * agg_value.c - aggregates that keep one value of the input's type: min, max, first,
 * last, any_value, min_by, max_by. States are value slots (agg_internal.h); strings are
 * copied into the slot, so a state never points into an input batch.
 *
 * first/last/any_value take an optional constant ignoreNulls argument (default false: a
 * NULL first value is the answer). Across threads, combine keeps the partial that the
 * operator merges first (first) or last (last): the operator merges partials in morsel
 * order, which is the order Spark's answer would follow for one task.
 */
#include <string.h>

#include "compute/agg/agg_internal.h"
#include "compute/sqlerr.h"

typedef struct val_bd {
    lh_type_t type;     /* the value's type */
    lh_type_t ord_type; /* min_by / max_by: the ordering argument's type */
    bool ignore_nulls;
    int sign; /* min: -1 (keep smaller), max: +1 */
} val_bd;

static val_bd *new_bd(lh_func_bind_t *b)
{
    val_bd *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    bd->type = b->arg_types[0];
    b->ret_type = bd->type;
    b->ret_nullable = true;
    b->bind_data = bd;
    return bd;
}

static lh_err min_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_TRY(lh_func_check_orderable(b, eb, "min", b->arg_types[0]));
    new_bd(b)->sign = -1;
    return LH_OK;
}

static lh_err max_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_TRY(lh_func_check_orderable(b, eb, "max", b->arg_types[0]));
    new_bd(b)->sign = 1;
    return LH_OK;
}

static lh_err first_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    val_bd *bd = new_bd(b);
    if (b->arg_count == 2) {
        const lh_value_t *c = b->const_args ? b->const_args[1] : NULL;
        LH_FAIL_IF(c == NULL || c->type.id != LH_TYPE_BOOLEAN || c->is_null, LH_E_INVALID, eb,
                   "[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] the ignoreNulls argument must be a "
                   "constant boolean SQLSTATE: 42K09");
        bd->ignore_nulls = c->v.i64 != 0;
    }
    return LH_OK;
}

static lh_err by_bind(lh_func_bind_t *b, int sign, lh_errbuf *eb)
{
    LH_TRY(lh_func_check_orderable(b, eb, sign > 0 ? "max_by" : "min_by", b->arg_types[1]));
    val_bd *bd = new_bd(b);
    bd->sign = sign;
    bd->ord_type = b->arg_types[1];
    return LH_OK;
}

static lh_err min_by_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    return by_bind(b, -1, eb);
}

static lh_err max_by_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    return by_bind(b, 1, eb);
}

static size_t one_size(const void *bd)
{
    (void)bd;
    return sizeof(agg_slot);
}

static size_t two_size(const void *bd)
{
    (void)bd;
    return 2 * sizeof(agg_slot);
}

static void one_init(const void *bd, void *st)
{
    (void)bd;
    memset(st, 0, sizeof(agg_slot));
}

static void two_init(const void *bd, void *st)
{
    (void)bd;
    memset(st, 0, 2 * sizeof(agg_slot));
}

static void one_destroy(const void *bd, void *st)
{
    (void)bd;
    lh_agg_slot_free(st);
}

static void two_destroy(const void *bd, void *st)
{
    (void)bd;
    lh_agg_slot_free(st);
    lh_agg_slot_free((agg_slot *)st + 1);
}

#define NOMEM(eb) LH_FAIL(LH_E_NOMEM, eb, "out of memory")

/* min / max of BIGINT or DOUBLE without the generic comparison. */
static bool minmax_fast(const val_bd *bd, void **states, const lh_vec_t *v, size_t rows)
{
    if (v->kind != LH_VEC_FLAT || v->sel != NULL)
        return false;
    if (v->type.id == LH_TYPE_LONG) {
        const int64_t *d = v->data;
        for (size_t i = 0; i < rows; i++) {
            agg_slot *s = states[i];
            if (lh_agg_valid(v, i) && (!s->set || (d[i] < s->i ? -1 : d[i] > s->i) == bd->sign)) {
                s->i = d[i];
                s->set = true;
            }
        }
        return true;
    }
    if (v->type.id == LH_TYPE_DOUBLE) { /* NaN is greatest: the generic path orders it */
        const double *d = v->data;
        for (size_t i = 0; i < rows; i++) {
            if (d[i] != d[i])
                return false;
        }
        for (size_t i = 0; i < rows; i++) {
            agg_slot *s = states[i];
            if (lh_agg_valid(v, i) &&
                (!s->set ||
                 (s->d != s->d ? bd->sign < 0 : (d[i] < s->d ? -1 : d[i] > s->d) == bd->sign))) {
                s->d = d[i];
                s->set = true;
            }
        }
        return true;
    }
    return false;
}

static lh_err minmax_update(const void *bdp, void **states, const lh_vec_t *const *args,
                            size_t rows, lh_errbuf *eb)
{
    const val_bd *bd = bdp;
    if (minmax_fast(bd, states, args[0], rows))
        return LH_OK;
    for (size_t i = 0; i < rows; i++) {
        agg_slot *s = states[i];
        if (!lh_agg_valid(args[0], i))
            continue;
        if (!s->set || lh_agg_slot_cmp(s, args[0], i) * bd->sign < 0)
            if (!lh_agg_slot_store(s, args[0], i))
                NOMEM(eb);
    }
    return LH_OK;
}

static void minmax_combine(const void *bdp, void *dst, const void *src)
{
    const val_bd *bd = bdp;
    agg_slot *d = dst;
    const agg_slot *s = src;
    if (s->set && (!d->set || lh_agg_slot_cmp2(s, d, bd->type) * bd->sign > 0))
        LH_ASSERT(lh_agg_slot_copy(d, s));
}

static lh_err first_update(const void *bdp, void **states, const lh_vec_t *const *args, size_t rows,
                           lh_errbuf *eb)
{
    const val_bd *bd = bdp;
    for (size_t i = 0; i < rows; i++) {
        agg_slot *s = states[i];
        if (!s->set && (!bd->ignore_nulls || lh_agg_valid(args[0], i)))
            if (!lh_agg_slot_store(s, args[0], i))
                NOMEM(eb);
    }
    return LH_OK;
}

static lh_err last_update(const void *bdp, void **states, const lh_vec_t *const *args, size_t rows,
                          lh_errbuf *eb)
{
    const val_bd *bd = bdp;
    for (size_t i = 0; i < rows; i++)
        if (!bd->ignore_nulls || lh_agg_valid(args[0], i))
            if (!lh_agg_slot_store(states[i], args[0], i))
                NOMEM(eb);
    return LH_OK;
}

static void first_combine(const void *bd, void *dst, const void *src)
{
    (void)bd;
    if (!((agg_slot *)dst)->set && ((const agg_slot *)src)->set)
        LH_ASSERT(lh_agg_slot_copy(dst, src));
}

static void last_combine(const void *bd, void *dst, const void *src)
{
    (void)bd;
    if (((const agg_slot *)src)->set)
        LH_ASSERT(lh_agg_slot_copy(dst, src));
}

static lh_err one_finalize(const void *bd, void *const *states, size_t n, lh_vec_t *out,
                           lh_errbuf *eb)
{
    (void)bd;
    for (size_t i = 0; i < n; i++)
        LH_FAIL_IF(lh_agg_slot_append(states[i], out) != LH_OK, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

/* min_by / max_by: slot 0 the value, slot 1 the ordering key. */
static lh_err by_update(const void *bdp, void **states, const lh_vec_t *const *args, size_t rows,
                        lh_errbuf *eb)
{
    const val_bd *bd = bdp;
    for (size_t i = 0; i < rows; i++) {
        agg_slot *s = states[i];
        if (!lh_agg_valid(args[1], i))
            continue;
        if (!s[1].set || lh_agg_slot_cmp(&s[1], args[1], i) * bd->sign < 0)
            if (!lh_agg_slot_store(&s[1], args[1], i) || !lh_agg_slot_store(&s[0], args[0], i))
                NOMEM(eb);
    }
    return LH_OK;
}

static void by_combine(const void *bdp, void *dst, const void *src)
{
    const val_bd *bd = bdp;
    agg_slot *d = dst;
    const agg_slot *s = src;
    if (s[1].set && (!d[1].set || lh_agg_slot_cmp2(&s[1], &d[1], bd->ord_type) * bd->sign > 0)) {
        LH_ASSERT(lh_agg_slot_copy(&d[0], &s[0]));
        LH_ASSERT(lh_agg_slot_copy(&d[1], &s[1]));
    }
}

#define ONE_ROW(nm, bind, upd, comb, mx, ord)                                                      \
    {                                                                                              \
        nm, 1, mx, bind, one_size, one_init, upd, comb, one_finalize, one_destroy, ord             \
    }
#define BY_ROW(nm, bind)                                                                           \
    {                                                                                              \
        nm, 2, 2, bind, two_size, two_init, by_update, by_combine, one_finalize, two_destroy,      \
            false                                                                                  \
    }

const lh_agg_func_t lh_agg_value_rows[] = {
    ONE_ROW("min", min_bind, minmax_update, minmax_combine, 1, false),
    ONE_ROW("max", max_bind, minmax_update, minmax_combine, 1, false),
    ONE_ROW("first", first_bind, first_update, first_combine, 2, true),
    ONE_ROW("first_value", first_bind, first_update, first_combine, 2, true),
    ONE_ROW("any_value", first_bind, first_update, first_combine, 2, true),
    ONE_ROW("last", first_bind, last_update, last_combine, 2, true),
    ONE_ROW("last_value", first_bind, last_update, last_combine, 2, true),
    BY_ROW("min_by", min_by_bind),
    BY_ROW("max_by", max_by_bind),
};
const int lh_agg_value_count = sizeof lh_agg_value_rows / sizeof lh_agg_value_rows[0];
