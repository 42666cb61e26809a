/*
 * agg_basic.c - count, count_if, sum, avg, try_sum, try_avg, bool_and / bool_or (and their
 * aliases), bit_and / bit_or / bit_xor.
 *
 * Result types follow Spark: count -> BIGINT (never null); sum of integral -> BIGINT with
 * an ARITHMETIC_OVERFLOW error in ANSI mode (wrapping otherwise), of DECIMAL(p,s) ->
 * DECIMAL(min(38,p+10),s), of FLOAT/DOUBLE (and strings, cast) -> DOUBLE; avg -> DOUBLE,
 * or DECIMAL(min(38,p+4),min(38,s+4)) for decimals (rounded half up). Overflow found in
 * combine (which cannot fail) is recorded in the state and raised by finalize.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compute/agg/agg_internal.h"
#include "compute/sqlerr.h"

/* ---- count / count_if ------------------------------------------------------------------ */

static size_t count_size(const void *bd)
{
    (void)bd;
    return sizeof(int64_t);
}

static void count_init(const void *bd, void *st)
{
    (void)bd;
    *(int64_t *)st = 0;
}

static lh_err count_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    (void)eb;
    b->ret_type = (lh_type_t){.id = LH_TYPE_LONG};
    b->ret_nullable = false;
    return LH_OK;
}

/* count(*) has no args: every row counts; count(a, b, ...) counts rows with no NULL. */
static lh_err count_update(const void *bd, void **states, const lh_vec_t *const *args, size_t rows,
                           lh_errbuf *eb)
{
    int argc = bd ? *(const int *)bd : 0;
    for (size_t i = 0; i < rows; i++) {
        bool ok = true;
        for (int a = 0; a < argc && ok; a++)
            ok = lh_agg_valid(args[a], i);
        *(int64_t *)states[i] += ok;
    }
    (void)eb;
    return LH_OK;
}

static lh_err count_bind_args(lh_func_bind_t *b, lh_errbuf *eb)
{
    int *argc = lh_arena_alloc(b->arena, sizeof *argc);
    *argc = b->arg_count;
    b->bind_data = argc;
    return count_bind(b, eb);
}

static void count_combine(const void *bd, void *dst, const void *src)
{
    (void)bd;
    *(int64_t *)dst += *(const int64_t *)src;
}

static lh_err count_finalize(const void *bd, void *const *states, size_t n, lh_vec_t *out,
                             lh_errbuf *eb)
{
    (void)bd;
    for (size_t i = 0; i < n; i++)
        LH_FAIL_IF(lh_vec_append_i64(out, *(const int64_t *)states[i]) != LH_OK, LH_E_NOMEM, eb,
                   "out of memory");
    return LH_OK;
}

static lh_err type_error(lh_errbuf *eb, const char *fn, const char *required, lh_type_t got)
{
    char tn[32], expr[64], req[48];
    lh_type_name(got, tn, sizeof tn);
    for (char *p = tn; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    snprintf(expr, sizeof expr, "\"%s\"", fn);
    snprintf(req, sizeof req, "\"%s\"", required);
    char quoted[40];
    snprintf(quoted, sizeof quoted, "\"%s\"", tn);
    return lh_sqlerr(eb, "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", "sqlExpr", expr, "paramIndex",
                     "first", "requiredType", req, "inputSql", "\"input\"", "inputType", quoted,
                     NULL);
}

static lh_err count_if_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    if (b->arg_types[0].id != LH_TYPE_BOOLEAN && b->arg_types[0].id != LH_TYPE_NULL)
        return type_error(eb, "count_if", "BOOLEAN", b->arg_types[0]);
    b->cast_to[0] = (lh_type_t){.id = LH_TYPE_BOOLEAN};
    return count_bind(b, eb);
}

static lh_err count_if_update(const void *bd, void **states, const lh_vec_t *const *args,
                              size_t rows, lh_errbuf *eb)
{
    (void)bd;
    (void)eb;
    const uint8_t *d = args[0]->data;
    for (size_t i = 0; i < rows; i++)
        *(int64_t *)states[i] += lh_agg_valid(args[0], i) && d[i];
    return LH_OK;
}

/* ---- sum / avg ------------------------------------------------------------------------- */

typedef enum { NUM_LONG, NUM_DOUBLE, NUM_DECIMAL } num_mode;

typedef struct num_bd {
    num_mode mode;
    lh_type_t in, out;
    bool ansi;
    bool avg;
    bool try_; /* try_sum / try_avg: an overflow is NULL whatever the ANSI mode */
} num_bd;

typedef struct num_state {
    lh_i128 q; /* decimal sum (unscaled, input scale) */
    int64_t i; /* integral sum */
    double d;  /* double sum */
    int64_t n; /* non-null inputs */
    bool overflow;
} num_state;

static lh_i128 dec_pow10(int k)
{
    lh_i128 x = 1;
    while (k-- > 0)
        x *= 10;
    return x;
}

static lh_err num_bind(lh_func_bind_t *b, bool avg, bool try_, lh_errbuf *eb)
{
    lh_type_t t = b->arg_types[0];
    num_bd *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    bd->ansi = (b->conf == NULL || b->conf->ansi) && !try_;
    bd->avg = avg;
    bd->try_ = try_;
    /* avg(timestamp): Spark casts it to DOUBLE (seconds) */
    if (t.id == LH_TYPE_STRING || t.id == LH_TYPE_NULL || (avg && t.id == LH_TYPE_TIMESTAMP))
        t = b->cast_to[0] = (lh_type_t){.id = LH_TYPE_DOUBLE};
    if (avg && t.id == LH_TYPE_TIMESTAMP) /* Spark averages the seconds since the epoch */
        t = b->cast_to[0] = (lh_type_t){.id = LH_TYPE_DOUBLE};
    if (!lh_agg_is_numeric(t))
        return type_error(eb,
                          try_  ? (avg ? "try_avg" : "try_sum")
                          : avg ? "avg"
                                : "sum",
                          "NUMERIC", t);
    bd->in = t;
    if (t.id == LH_TYPE_DECIMAL) {
        bd->mode = NUM_DECIMAL;
        int p = t.precision + (avg ? 4 : 10), s = t.scale + (avg ? 4 : 0);
        bd->out = (lh_type_t){.id = LH_TYPE_DECIMAL,
                              .precision = (uint8_t)(p > 38 ? 38 : p),
                              .scale = (uint8_t)(s > 38 ? 38 : s)};
    } else if (lh_agg_is_integral(t) && !avg) {
        bd->mode = NUM_LONG;
        bd->out = (lh_type_t){.id = LH_TYPE_LONG};
    } else {
        bd->mode = NUM_DOUBLE;
        bd->out = (lh_type_t){.id = LH_TYPE_DOUBLE};
    }
    b->ret_type = bd->out;
    b->ret_nullable = true;
    b->bind_data = bd;
    return LH_OK;
}

static lh_err sum_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    return num_bind(b, false, false, eb);
}

static lh_err avg_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    return num_bind(b, true, false, eb);
}

static lh_err try_sum_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    return num_bind(b, false, true, eb);
}

static lh_err try_avg_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    return num_bind(b, true, true, eb);
}

static size_t num_size(const void *bd)
{
    (void)bd;
    return sizeof(num_state);
}

static void num_init(const void *bd, void *st)
{
    (void)bd;
    memset(st, 0, sizeof(num_state));
}

static lh_err num_update(const void *bdp, void **states, const lh_vec_t *const *args, size_t rows,
                         lh_errbuf *eb)
{
    const num_bd *bd = bdp;
    const lh_vec_t *v = args[0];
    (void)eb;
    if (bd->mode == NUM_DOUBLE && v->type.id == LH_TYPE_DOUBLE && v->kind == LH_VEC_FLAT) {
        const double *d = v->data;
        for (size_t i = 0; i < rows; i++)
            if (lh_agg_valid(v, i)) {
                num_state *s = states[i];
                s->n++;
                s->d += d[i];
            }
        return LH_OK;
    }
    if (bd->mode == NUM_LONG && v->type.id == LH_TYPE_LONG && v->kind == LH_VEC_FLAT) {
        const int64_t *d = v->data;
        for (size_t i = 0; i < rows; i++)
            if (lh_agg_valid(v, i)) {
                num_state *s = states[i];
                s->n++;
                s->overflow |= __builtin_add_overflow(s->i, d[i], &s->i);
            }
        return LH_OK;
    }
    for (size_t i = 0; i < rows; i++) {
        if (!lh_agg_valid(v, i))
            continue;
        num_state *s = states[i];
        s->n++;
        switch (bd->mode) {
        case NUM_LONG:
            s->overflow |= __builtin_add_overflow(s->i, lh_vec_get_i64(v, i), &s->i);
            break;
        case NUM_DOUBLE:
            s->d += lh_vec_get_f64(v, i);
            break;
        case NUM_DECIMAL:
            s->overflow |= __builtin_add_overflow(s->q, lh_vec_get_i128(v, i), &s->q);
            break;
        }
    }
    return LH_OK;
}

static void num_combine(const void *bdp, void *dstp, const void *srcp)
{
    const num_bd *bd = bdp;
    num_state *d = dstp;
    const num_state *s = srcp;
    d->n += s->n;
    d->overflow |= s->overflow;
    if (bd->mode == NUM_LONG)
        d->overflow |= __builtin_add_overflow(d->i, s->i, &d->i);
    else if (bd->mode == NUM_DOUBLE)
        d->d += s->d;
    else
        d->overflow |= __builtin_add_overflow(d->q, s->q, &d->q);
}

static lh_err overflow_error(const num_bd *bd, lh_errbuf *eb)
{
    return lh_sqlerr(eb, "ARITHMETIC_OVERFLOW", "message",
                     bd->mode == NUM_LONG ? "long overflow" : "Overflow in sum of decimals",
                     "alternative", " Use 'try_sum' to tolerate overflow and return NULL instead.",
                     "config", "\"spark.sql.ansi.enabled\"", NULL);
}

/* Decimal sum or average of one state into out (false: overflow). */
static bool dec_result(const num_bd *bd, const num_state *s, lh_vec_t *out, lh_err *err)
{
    lh_i128 r = s->q, lim = dec_pow10(bd->out.precision);
    if (bd->avg) {
        lh_i128 scaled;
        if (__builtin_mul_overflow(r, dec_pow10(bd->out.scale - bd->in.scale), &scaled))
            return false;
        lh_i128 q = scaled / s->n, rem = scaled % s->n;
        if (2 * (rem < 0 ? -rem : rem) >= s->n)
            q += scaled < 0 ? -1 : 1;
        r = q;
    }
    if (r >= lim || r <= -lim)
        return false;
    *err = bd->out.precision > 18 ? lh_vec_append_i128(out, r) : lh_vec_append_i64(out, (int64_t)r);
    return true;
}

static lh_err num_finalize(const void *bdp, void *const *states, size_t count, lh_vec_t *out,
                           lh_errbuf *eb)
{
    const num_bd *bd = bdp;
    for (size_t k = 0; k < count; k++) {
        const num_state *s = states[k];
        lh_err e = LH_OK;
        if (s->n == 0) {
            e = lh_vec_append_null(out);
        } else if (bd->mode == NUM_DOUBLE) {
            e = lh_vec_append_f64(out, bd->avg ? s->d / (double)s->n : s->d);
        } else if (bd->mode == NUM_LONG && !s->overflow) {
            e = lh_vec_append_i64(out, s->i);
        } else if (bd->mode == NUM_DECIMAL && !s->overflow && dec_result(bd, s, out, &e)) {
            /* appended */
        } else if (bd->ansi) {
            return overflow_error(bd, eb);
        } else {
            e = bd->mode == NUM_LONG && !bd->try_ ? lh_vec_append_i64(out, s->i)
                                                  : lh_vec_append_null(out);
        }
        LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

/* ---- bool_and / bool_or ---------------------------------------------------------------- */

/* state: 0 = no input, 1 = false, 2 = true */
static size_t bool_size(const void *bd)
{
    (void)bd;
    return 1;
}

static void bool_init(const void *bd, void *st)
{
    (void)bd;
    *(uint8_t *)st = 0;
}

static lh_err bool_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    /* a STRING casts implicitly ('true'), as Spark's ImplicitTypeCasts allow */
    if (b->arg_types[0].id != LH_TYPE_BOOLEAN && b->arg_types[0].id != LH_TYPE_NULL &&
        b->arg_types[0].id != LH_TYPE_STRING)
        return type_error(eb, "bool_and", "BOOLEAN", b->arg_types[0]);
    b->cast_to[0] = b->ret_type = (lh_type_t){.id = LH_TYPE_BOOLEAN};
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err and_update(const void *bd, void **states, const lh_vec_t *const *args, size_t rows,
                         lh_errbuf *eb)
{
    const uint8_t *d = args[0]->data;
    for (size_t i = 0; i < rows; i++)
        if (lh_agg_valid(args[0], i)) {
            uint8_t *s = states[i];
            *s = (*s == 1 || !d[i]) ? 1 : 2;
        }
    (void)bd;
    (void)eb;
    return LH_OK;
}

static lh_err or_update(const void *bd, void **states, const lh_vec_t *const *args, size_t rows,
                        lh_errbuf *eb)
{
    const uint8_t *d = args[0]->data;
    for (size_t i = 0; i < rows; i++)
        if (lh_agg_valid(args[0], i)) {
            uint8_t *s = states[i];
            *s = (*s == 2 || d[i]) ? 2 : 1;
        }
    (void)bd;
    (void)eb;
    return LH_OK;
}

static void and_combine(const void *bd, void *dst, const void *src)
{
    uint8_t *d = dst, s = *(const uint8_t *)src;
    (void)bd;
    if (s != 0)
        *d = (*d == 1 || s == 1) ? 1 : 2;
}

static void or_combine(const void *bd, void *dst, const void *src)
{
    uint8_t *d = dst, s = *(const uint8_t *)src;
    (void)bd;
    if (s != 0)
        *d = (*d == 2 || s == 2) ? 2 : 1;
}

static lh_err bool_finalize(const void *bd, void *const *states, size_t n, lh_vec_t *out,
                            lh_errbuf *eb)
{
    (void)bd;
    for (size_t i = 0; i < n; i++) {
        uint8_t s = *(const uint8_t *)states[i];
        lh_err e = s == 0 ? lh_vec_append_null(out) : lh_vec_append_bool(out, s == 2);
        LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

#define COUNT_ROW(nm, bind, upd, mn, mx)                                                           \
    {                                                                                              \
        nm, mn, mx, bind, count_size, count_init, upd, count_combine, count_finalize, NULL, false  \
    }
#define NUM_ROW(nm, bind)                                                                          \
    {                                                                                              \
        nm, 1, 1, bind, num_size, num_init, num_update, num_combine, num_finalize, NULL, false     \
    }
#define BOOL_ROW(nm, upd, comb)                                                                    \
    {                                                                                              \
        nm, 1, 1, bool_bind, bool_size, bool_init, upd, comb, bool_finalize, NULL, false           \
    }

/* ---- spark_grouping_id() ------------------------------------------------------------------
 * The grouping set a group belongs to (bit k set = the k-th GROUP BY key is aggregated
 * away), as Spark's spark_grouping_id column. It has no state: the hash aggregate, which
 * knows each group's set, writes it over the zeros finalize leaves (compute/exec/hash_agg.c);
 * without grouping sets every key is grouped and 0 is the answer. The binder uses it for
 * grouping() and grouping_id(). */

static lh_err gid_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    (void)eb;
    b->ret_type = (lh_type_t){.id = LH_TYPE_LONG};
    b->ret_nullable = false;
    return LH_OK;
}

static size_t gid_size(const void *bd)
{
    (void)bd;
    return 1;
}

static void gid_init(const void *bd, void *st)
{
    (void)bd, (void)st;
}

static lh_err gid_update(const void *bd, void **states, const lh_vec_t *const *args, size_t rows,
                         lh_errbuf *eb)
{
    (void)bd, (void)states, (void)args, (void)rows, (void)eb;
    return LH_OK;
}

static void gid_combine(const void *bd, void *dst, const void *src)
{
    (void)bd, (void)dst, (void)src;
}

static lh_err gid_finalize(const void *bd, void *const *states, size_t count, lh_vec_t *out,
                           lh_errbuf *eb)
{
    (void)bd, (void)states;
    for (size_t i = 0; i < count; i++)
        LH_FAIL_IF(lh_vec_append_i64(out, 0) != LH_OK, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

/* ---- bit_and / bit_or / bit_xor --------------------------------------------------------- */

/* Integral input, result of the input's type (NULL without non-null input). */
typedef struct bit_state {
    int64_t v;
    bool set;
} bit_state;

static lh_err bit_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t = b->arg_types[0];
    if (t.id == LH_TYPE_NULL)
        t = b->cast_to[0] = (lh_type_t){.id = LH_TYPE_LONG};
    if (!lh_agg_is_integral(t))
        return type_error(eb, "bit_and", "INTEGRAL", t);
    b->ret_type = t;
    b->ret_nullable = true;
    return LH_OK;
}

static size_t bit_size(const void *bd)
{
    (void)bd;
    return sizeof(bit_state);
}

static void bit_init(const void *bd, void *st)
{
    (void)bd;
    memset(st, 0, sizeof(bit_state));
}

static void bit_fold(int op, bit_state *s, int64_t x)
{
    if (!s->set)
        s->v = x;
    else
        s->v = op == 0 ? s->v & x : op == 1 ? s->v | x : s->v ^ x;
    s->set = true;
}

static lh_err bit_update(int op, void **states, const lh_vec_t *v, size_t rows)
{
    for (size_t i = 0; i < rows; i++)
        if (lh_agg_valid(v, i))
            bit_fold(op, states[i], lh_vec_get_i64(v, i));
    return LH_OK;
}

#define BIT_FNS(op, nm)                                                                            \
    static lh_err nm##_update(const void *bd, void **states, const lh_vec_t *const *args,          \
                              size_t rows, lh_errbuf *eb)                                          \
    {                                                                                              \
        (void)bd, (void)eb;                                                                        \
        return bit_update(op, states, args[0], rows);                                              \
    }                                                                                              \
    static void nm##_combine(const void *bd, void *dst, const void *src)                           \
    {                                                                                              \
        const bit_state *s = src;                                                                  \
        (void)bd;                                                                                  \
        if (s->set)                                                                                \
            bit_fold(op, dst, s->v);                                                               \
    }
BIT_FNS(0, bit_and)
BIT_FNS(1, bit_or)
BIT_FNS(2, bit_xor)

static lh_err bit_finalize(const void *bd, void *const *states, size_t count, lh_vec_t *out,
                           lh_errbuf *eb)
{
    (void)bd;
    for (size_t i = 0; i < count; i++) {
        const bit_state *s = states[i];
        lh_err e = s->set ? lh_vec_append_i64(out, s->v) : lh_vec_append_null(out);
        LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

#define BIT_ROW(nm)                                                                                \
    {                                                                                              \
#nm, 1, 1, bit_bind, bit_size, bit_init, nm##_update, nm##_combine, bit_finalize, NULL,    \
            false                                                                                  \
    }

const lh_agg_func_t lh_agg_basic_rows[] = {
    COUNT_ROW("count", count_bind_args, count_update, 0, -1),
    COUNT_ROW("count_if", count_if_bind, count_if_update, 1, 1),
    NUM_ROW("sum", sum_bind),
    NUM_ROW("avg", avg_bind),
    NUM_ROW("mean", avg_bind),
    NUM_ROW("try_sum", try_sum_bind),
    NUM_ROW("try_avg", try_avg_bind),
    BIT_ROW(bit_and),
    BIT_ROW(bit_or),
    BIT_ROW(bit_xor),
    BOOL_ROW("bool_and", and_update, and_combine),
    BOOL_ROW("every", and_update, and_combine),
    BOOL_ROW("bool_or", or_update, or_combine),
    BOOL_ROW("any", or_update, or_combine),
    BOOL_ROW("some", or_update, or_combine),
    {LH_AGG_GROUPING_ID, 0, 0, gid_bind, gid_size, gid_init, gid_update, gid_combine, gid_finalize,
     NULL, false},
};
const int lh_agg_basic_count = sizeof lh_agg_basic_rows / sizeof lh_agg_basic_rows[0];
