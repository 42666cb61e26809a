/*
 * agg_stat.c - moment statistics over DOUBLE: stddev/stddev_samp/std, stddev_pop,
 * variance/var_samp, var_pop, covar_samp, covar_pop, corr, skewness, kurtosis.
 *
 * Welford's streaming update per row and Chan's pairwise formula in combine, as Spark's
 * CentralMomentAgg and Covariance do. With no input the answer is NULL; the sample
 * variants over one row give NULL (Spark 4: spark.sql.legacy.statisticalAggregate=false),
 * and corr over one row likewise. corr over a constant column divides by zero: in ANSI mode
 * DIVIDE_BY_ZERO (Spark's Divide), NULL otherwise. skewness and kurtosis keep the third and
 * fourth central moments with Spark's update and merge formulas (CentralMomentAgg); a
 * zero second moment gives NULL.
 *
 * regr_count, regr_avgx, regr_avgy, regr_sxx, regr_syy, regr_sxy, regr_slope,
 * regr_intercept, regr_r2 (y, x) (Spark's linearRegression.scala): over the rows where both
 * are non-null, from the covariance state (args y, x: "x" moments are y's): count (BIGINT),
 * the averages, the sums of squares M2(x), M2(y) and the co-moment, slope = co-moment / M2(x)
 * and intercept = avg(y) - slope * avg(x) (NULL when x is constant), r2 = corr^2 (NULL when
 * x is constant, 1 when y is). No row: NULL (regr_count 0).
 */
#include <math.h>
#include <string.h>

#include "compute/agg/agg_internal.h"
#include "compute/sqlerr.h"

typedef enum { ST_VAR_SAMP, ST_VAR_POP, ST_STD_SAMP, ST_STD_POP } var_kind;
typedef enum { CO_SAMP, CO_POP, CO_CORR } co_kind;

typedef struct var_state {
    double n, mean, m2;
} var_state;

typedef struct co_state {
    double n, xavg, yavg, ck, xmk, ymk;
} co_state;

typedef enum { MO_SKEW, MO_KURT } mo_kind;

typedef struct mo_state {
    double n, avg, m2, m3, m4;
} mo_state;

static lh_err bind_double(lh_func_bind_t *b, int kind)
{
    int *k = lh_arena_alloc(b->arena, sizeof *k);
    *k = kind;
    for (int i = 0; i < b->arg_count; i++)
        b->cast_to[i] = (lh_type_t){.id = LH_TYPE_DOUBLE};
    b->ret_type = (lh_type_t){.id = LH_TYPE_DOUBLE};
    b->ret_nullable = true;
    b->bind_data = k;
    return LH_OK;
}

#define KIND_BIND(fn, kind)                                                                        \
    static lh_err fn(lh_func_bind_t *b, lh_errbuf *eb)                                             \
    {                                                                                              \
        (void)eb;                                                                                  \
        return bind_double(b, kind);                                                               \
    }
KIND_BIND(var_samp_bind, ST_VAR_SAMP)
KIND_BIND(var_pop_bind, ST_VAR_POP)
KIND_BIND(std_samp_bind, ST_STD_SAMP)
KIND_BIND(std_pop_bind, ST_STD_POP)
KIND_BIND(co_samp_bind, CO_SAMP)
KIND_BIND(co_pop_bind, CO_POP)
KIND_BIND(skew_bind, MO_SKEW)
KIND_BIND(kurt_bind, MO_KURT)

typedef struct corr_bd {
    int kind; /* first, as bind_double's */
    bool ansi;
} corr_bd;

static lh_err corr_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    (void)eb;
    LH_TRY(bind_double(b, CO_CORR));
    corr_bd *bd = lh_arena_alloc(b->arena, sizeof *bd);
    bd->kind = CO_CORR;
    bd->ansi = b->conf == NULL || b->conf->ansi;
    b->bind_data = bd;
    return LH_OK;
}

static size_t var_size(const void *bd)
{
    (void)bd;
    return sizeof(var_state);
}

static size_t co_size(const void *bd)
{
    (void)bd;
    return sizeof(co_state);
}

static void var_init(const void *bd, void *st)
{
    (void)bd;
    memset(st, 0, sizeof(var_state));
}

static void co_init(const void *bd, void *st)
{
    (void)bd;
    memset(st, 0, sizeof(co_state));
}

static lh_err var_update(const void *bd, void **states, const lh_vec_t *const *args, size_t rows,
                         lh_errbuf *eb)
{
    const double *x = args[0]->data;
    for (size_t i = 0; i < rows; i++) {
        if (!lh_agg_valid(args[0], i))
            continue;
        var_state *s = states[i]; /* Spark's update, operation for operation */
        s->n += 1;
        double delta = x[i] - s->mean, dn = delta / s->n;
        s->mean += dn;
        s->m2 += delta * (delta - dn);
    }
    (void)bd;
    (void)eb;
    return LH_OK;
}

static void var_combine(const void *bd, void *dstp, const void *srcp)
{
    var_state *d = dstp;
    const var_state *s = srcp;
    (void)bd;
    if (s->n == 0)
        return;
    if (d->n == 0) {
        *d = *s;
        return;
    }
    double n = d->n + s->n, delta = s->mean - d->mean, dn = delta / n;
    d->m2 = d->m2 + s->m2 + delta * dn * d->n * s->n;
    d->mean += dn * s->n;
    d->n = n;
}

static lh_err var_finalize(const void *bdp, void *const *states, size_t count, lh_vec_t *out,
                           lh_errbuf *eb)
{
    int kind = *(const int *)bdp;
    for (size_t k = 0; k < count; k++) {
        const var_state *s = states[k];
        bool samp = kind == ST_VAR_SAMP || kind == ST_STD_SAMP;
        lh_err e;
        if (s->n == 0 || (samp && s->n == 1)) {
            e = lh_vec_append_null(out);
        } else {
            double v = s->m2 / (samp ? s->n - 1 : s->n);
            e = lh_vec_append_f64(out, kind == ST_STD_SAMP || kind == ST_STD_POP ? sqrt(v) : v);
        }
        LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

static lh_err co_update(const void *bd, void **states, const lh_vec_t *const *args, size_t rows,
                        lh_errbuf *eb)
{
    const double *x = args[0]->data, *y = args[1]->data;
    for (size_t i = 0; i < rows; i++) {
        if (!lh_agg_valid(args[0], i) || !lh_agg_valid(args[1], i))
            continue;
        co_state *s = states[i];
        s->n += 1;
        double dx = x[i] - s->xavg, dy = y[i] - s->yavg;
        s->xavg += dx / s->n;
        s->yavg += dy / s->n;
        s->ck += dx * (y[i] - s->yavg);
        s->xmk += dx * (x[i] - s->xavg);
        s->ymk += dy * (y[i] - s->yavg);
    }
    (void)bd;
    (void)eb;
    return LH_OK;
}

static void co_combine(const void *bd, void *dstp, const void *srcp)
{
    co_state *d = dstp;
    const co_state *s = srcp;
    (void)bd;
    if (s->n == 0)
        return;
    if (d->n == 0) {
        *d = *s;
        return;
    }
    double n = d->n + s->n, dx = s->xavg - d->xavg, dy = s->yavg - d->yavg;
    double f = d->n * s->n / n;
    d->ck += s->ck + dx * dy * f;
    d->xmk += s->xmk + dx * dx * f;
    d->ymk += s->ymk + dy * dy * f;
    d->xavg += dx * s->n / n;
    d->yavg += dy * s->n / n;
    d->n = n;
}

static lh_err co_finalize(const void *bdp, void *const *states, size_t count, lh_vec_t *out,
                          lh_errbuf *eb)
{
    int kind = *(const int *)bdp;
    for (size_t k = 0; k < count; k++) {
        const co_state *s = states[k];
        lh_err e;
        if (s->n == 0 || (kind != CO_POP && s->n == 1))
            e = lh_vec_append_null(out);
        else if (kind == CO_CORR && s->xmk * s->ymk == 0 && ((const corr_bd *)bdp)->ansi)
            return lh_sqlerr(eb, "DIVIDE_BY_ZERO", "config", "\"spark.sql.ansi.enabled\"", NULL);
        else if (kind == CO_CORR && s->xmk * s->ymk == 0)
            e = lh_vec_append_null(out);
        else if (kind == CO_CORR)
            e = lh_vec_append_f64(out, s->ck / sqrt(s->xmk * s->ymk));
        else
            e = lh_vec_append_f64(out, s->ck / (kind == CO_SAMP ? s->n - 1 : s->n));
        LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

typedef enum {
    RG_COUNT,
    RG_AVGX,
    RG_AVGY,
    RG_SXX,
    RG_SYY,
    RG_SXY,
    RG_SLOPE,
    RG_INTERCEPT,
    RG_R2
} rg_kind;

static lh_err regr_bind(lh_func_bind_t *b, rg_kind kind)
{
    LH_TRY(bind_double(b, (int)kind));
    if (kind == RG_COUNT) {
        b->ret_type = (lh_type_t){.id = LH_TYPE_LONG};
        b->ret_nullable = false;
    }
    return LH_OK;
}

#define REGR_BIND(fn, kind)                                                                        \
    static lh_err fn(lh_func_bind_t *b, lh_errbuf *eb)                                             \
    {                                                                                              \
        (void)eb;                                                                                  \
        return regr_bind(b, kind);                                                                 \
    }
REGR_BIND(rg_count_bind, RG_COUNT)
REGR_BIND(rg_avgx_bind, RG_AVGX)
REGR_BIND(rg_avgy_bind, RG_AVGY)
REGR_BIND(rg_sxx_bind, RG_SXX)
REGR_BIND(rg_syy_bind, RG_SYY)
REGR_BIND(rg_sxy_bind, RG_SXY)
REGR_BIND(rg_slope_bind, RG_SLOPE)
REGR_BIND(rg_intercept_bind, RG_INTERCEPT)
REGR_BIND(rg_r2_bind, RG_R2)

static lh_err regr_finalize(const void *bdp, void *const *states, size_t count, lh_vec_t *out,
                            lh_errbuf *eb)
{
    rg_kind kind = (rg_kind) * (const int *)bdp;
    for (size_t k = 0; k < count; k++) {
        const co_state *s = states[k]; /* args (y, x): xavg/xmk are y's, yavg/ymk x's */
        double v = 0;
        bool null = s->n == 0;
        switch (kind) {
        case RG_COUNT:
            null = false;
            break;
        case RG_AVGX: /* (own state: regr_avg_finalize) */
        case RG_AVGY:
            break;
        case RG_SXX:
            v = s->ymk;
            break;
        case RG_SYY:
            v = s->xmk;
            break;
        case RG_SXY:
            v = s->ck;
            break;
        case RG_SLOPE:
        case RG_INTERCEPT:
            null = null || s->ymk == 0;
            v = null ? 0 : s->ck / s->ymk;
            if (kind == RG_INTERCEPT)
                v = s->xavg - v * s->yavg;
            break;
        case RG_R2:
            null = null || s->ymk == 0;
            v = null ? 0 : s->xmk == 0 ? 1.0 : pow(s->ck / sqrt(s->xmk * s->ymk), 2);
            break;
        }
        lh_err e = null               ? lh_vec_append_null(out)
                   : kind == RG_COUNT ? lh_vec_append_i64(out, (int64_t)s->n)
                                      : lh_vec_append_f64(out, v);
        LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

static size_t mo_size(const void *bd)
{
    (void)bd;
    return sizeof(mo_state);
}

static void mo_init(const void *bd, void *st)
{
    (void)bd;
    memset(st, 0, sizeof(mo_state));
}

static lh_err mo_update(const void *bd, void **states, const lh_vec_t *const *args, size_t rows,
                        lh_errbuf *eb)
{
    const double *x = args[0]->data;
    for (size_t i = 0; i < rows; i++) {
        if (!lh_agg_valid(args[0], i))
            continue;
        mo_state *s = states[i];
        double n = s->n + 1, delta = x[i] - s->avg, dn = delta / n;
        double m2 = s->m2 + delta * (delta - dn), d2 = delta * delta, dn2 = dn * dn;
        double m3 = s->m3 - 3.0 * dn * m2 + delta * (d2 - dn2);
        double m4 = s->m4 - 4.0 * dn * m3 - 6.0 * dn2 * m2 + delta * (delta * d2 - dn * dn2);
        *s = (mo_state){n, s->avg + dn, m2, m3, m4};
    }
    (void)bd;
    (void)eb;
    return LH_OK;
}

static void mo_combine(const void *bd, void *dstp, const void *srcp)
{
    mo_state *d = dstp;
    const mo_state *s = srcp;
    (void)bd;
    double n1 = d->n, n2 = s->n, n = n1 + n2, delta = s->avg - d->avg;
    double dn = n == 0 ? 0 : delta / n;
    double m2 = d->m2 + s->m2 + delta * dn * n1 * n2;
    double m3 = d->m3 + s->m3 + dn * dn * delta * n1 * n2 * (n1 - n2) +
                3.0 * dn * (n1 * s->m2 - n2 * d->m2);
    double m4 = d->m4 + s->m4 + dn * dn * dn * delta * n1 * n2 * (n1 * n1 - n1 * n2 + n2 * n2) +
                6.0 * dn * dn * (n1 * n1 * s->m2 + n2 * n2 * d->m2) +
                4.0 * dn * (n1 * s->m3 - n2 * d->m3);
    *d = (mo_state){n, d->avg + dn * n2, m2, m3, m4};
}

static lh_err mo_finalize(const void *bdp, void *const *states, size_t count, lh_vec_t *out,
                          lh_errbuf *eb)
{
    int kind = *(const int *)bdp;
    for (size_t k = 0; k < count; k++) {
        const mo_state *s = states[k];
        lh_err e;
        if (s->n == 0 || s->m2 == 0)
            e = lh_vec_append_null(out);
        else if (kind == MO_SKEW)
            e = lh_vec_append_f64(out, sqrt(s->n) * s->m3 / sqrt(s->m2 * s->m2 * s->m2));
        else
            e = lh_vec_append_f64(out, s->n * s->m4 / (s->m2 * s->m2) - 3.0);
        LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

#define VAR_ROW(nm, bind)                                                                          \
    {                                                                                              \
        nm, 1, 1, bind, var_size, var_init, var_update, var_combine, var_finalize, NULL, false     \
    }
#define CO_ROW(nm, bind)                                                                           \
    {                                                                                              \
        nm, 2, 2, bind, co_size, co_init, co_update, co_combine, co_finalize, NULL, false          \
    }

/* regr_avgx / regr_avgy: Spark's Average (sum / count) over the rows with both values. */
typedef struct rg_avg_state {
    double n, sy, sx;
} rg_avg_state;

static size_t rg_avg_size(const void *bd)
{
    (void)bd;
    return sizeof(rg_avg_state);
}

static void rg_avg_init(const void *bd, void *st)
{
    (void)bd;
    memset(st, 0, sizeof(rg_avg_state));
}

static lh_err rg_avg_update(const void *bd, void **states, const lh_vec_t *const *args, size_t rows,
                            lh_errbuf *eb)
{
    const double *y = args[0]->data, *x = args[1]->data;
    for (size_t i = 0; i < rows; i++) {
        if (!lh_agg_valid(args[0], i) || !lh_agg_valid(args[1], i))
            continue;
        rg_avg_state *s = states[i];
        s->n += 1;
        s->sy += y[i];
        s->sx += x[i];
    }
    (void)bd;
    (void)eb;
    return LH_OK;
}

static void rg_avg_combine(const void *bd, void *dstp, const void *srcp)
{
    rg_avg_state *d = dstp;
    const rg_avg_state *s = srcp;
    (void)bd;
    d->n += s->n;
    d->sy += s->sy;
    d->sx += s->sx;
}

static lh_err rg_avg_finalize(const void *bdp, void *const *states, size_t count, lh_vec_t *out,
                              lh_errbuf *eb)
{
    bool avgx = *(const int *)bdp == RG_AVGX;
    for (size_t k = 0; k < count; k++) {
        const rg_avg_state *s = states[k];
        lh_err e = s->n == 0 ? lh_vec_append_null(out)
                             : lh_vec_append_f64(out, (avgx ? s->sx : s->sy) / s->n);
        LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

#define REGR_ROW(nm, bind)                                                                         \
    {                                                                                              \
        nm, 2, 2, bind, co_size, co_init, co_update, co_combine, regr_finalize, NULL, false        \
    }

const lh_agg_func_t lh_agg_stat_rows[] = {
    VAR_ROW("stddev", std_samp_bind),
    VAR_ROW("stddev_samp", std_samp_bind),
    VAR_ROW("std", std_samp_bind),
    VAR_ROW("stddev_pop", std_pop_bind),
    VAR_ROW("variance", var_samp_bind),
    VAR_ROW("var_samp", var_samp_bind),
    VAR_ROW("var_pop", var_pop_bind),
    CO_ROW("covar_samp", co_samp_bind),
    CO_ROW("covar_pop", co_pop_bind),
    CO_ROW("corr", corr_bind),
    {"regr_avgx", 2, 2, rg_avgx_bind, rg_avg_size, rg_avg_init, rg_avg_update, rg_avg_combine,
     rg_avg_finalize, NULL, false},
    {"regr_avgy", 2, 2, rg_avgy_bind, rg_avg_size, rg_avg_init, rg_avg_update, rg_avg_combine,
     rg_avg_finalize, NULL, false},
    REGR_ROW("regr_count", rg_count_bind),
    REGR_ROW("regr_intercept", rg_intercept_bind),
    REGR_ROW("regr_r2", rg_r2_bind),
    REGR_ROW("regr_slope", rg_slope_bind),
    REGR_ROW("regr_sxx", rg_sxx_bind),
    REGR_ROW("regr_sxy", rg_sxy_bind),
    REGR_ROW("regr_syy", rg_syy_bind),
    {"skewness", 1, 1, skew_bind, mo_size, mo_init, mo_update, mo_combine, mo_finalize, NULL,
     false},
    {"kurtosis", 1, 1, kurt_bind, mo_size, mo_init, mo_update, mo_combine, mo_finalize, NULL,
     false},
};
const int lh_agg_stat_count = sizeof lh_agg_stat_rows / sizeof lh_agg_stat_rows[0];
