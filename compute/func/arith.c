/*
 * arith.c - arithmetic operators (+ - * / div % pmod, unary -/+, try_*) and comparisons
 * (= <> < <= > >= <=>) on every type.
 *
 * Bind picks Spark's result type and casts both operands to one working type (or, for
 * DECIMAL, each to its own decimal), so exec switches once per batch on that type and
 * runs a typed loop. Overflow raises ARITHMETIC_OVERFLOW (integers), NUMERIC_VALUE_OUT_
 * OF_RANGE (decimals) and DIVIDE_BY_ZERO exactly where Spark's ANSI mode does; the try_
 * variants write NULL instead. Date/timestamp/interval arithmetic lives in datefn.c's
 * helpers and is reached through the same rows (bind dispatches on the operand types).
 */
#include <math.h>
#include <stdio.h>

#include "compute/func/cast.h"
#include "compute/func/datetime.h"
#include "compute/func/fn.h"
#include "common/nested.h"

typedef enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_IDIV, OP_MOD, OP_PMOD } op_t;

typedef struct arith_bd {
    op_t op;
    bool try_;
    lh_type_t work; /* operand type after casts (integral/float/double) */
    int kind;       /* 0 numeric, 1 decimal, 2 datetime (see dt_kind) */
    int dt_kind;
    bool swap;     /* commutative op bound with its operands exchanged (1 + date) */
    bool iv_exact; /* interval * / an integral or decimal: exact, rounded HALF_UP */
    bool str_out;  /* '2011-..' +- day-time interval: a TIMESTAMP cast back to STRING */
} arith_bd_t;

static const char *const OP_SYM[] = {"+", "-", "*", "/", "div", "%", "pmod"};
static const char *const OP_TRY[] = {"try_add",    "try_subtract", "try_multiply", "try_divide",
                                     "try_divide", "try_mod",      "try_mod"};

/* ---- errors ---- */

static lh_err overflow(const arith_bd_t *bd, lh_vec_t *out, size_t i, lh_errbuf *eb)
{
    if (bd->try_)
        return fn_put_null(out, i);
    char alt[96] = "";
    if (bd->op <= OP_MUL)
        snprintf(alt, sizeof alt, " Use '%s' to tolerate overflow and return NULL instead.",
                 OP_TRY[bd->op]);
    const char *msg = bd->work.id == LH_TYPE_INT    ? "integer overflow"
                      : bd->work.id == LH_TYPE_LONG ? "long overflow"
                                                    : "Overflow";
    return lh_sqlerr(eb, "ARITHMETIC_OVERFLOW", "message", msg, "alternative", alt, "config",
                     "\"spark.sql.ansi.enabled\"", NULL);
}

static lh_err div_zero(const arith_bd_t *bd, lh_vec_t *out, size_t i, lh_errbuf *eb)
{
    if (bd->try_)
        return fn_put_null(out, i);
    return lh_sqlerr(eb, "DIVIDE_BY_ZERO", "config", "\"spark.sql.ansi.enabled\"", NULL);
}

static lh_err dec_overflow_text(const arith_bd_t *bd, lh_vec_t *out, size_t i, const char *txt,
                                lh_errbuf *eb)
{
    if (bd->try_)
        return fn_put_null(out, i);
    char p[8], s[8];
    snprintf(p, sizeof p, "%u", out->type.precision);
    snprintf(s, sizeof s, "%u", out->type.scale);
    return lh_sqlerr(eb, "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION", "value", txt, "precision", p,
                     "scale", s, "config", "\"spark.sql.ansi.enabled\"", NULL);
}

static lh_err binop_mismatch(lh_func_bind_t *b, const char *sym, lh_errbuf *eb)
{
    char l[64], r[64], e[200];
    snprintf(e, sizeof e, "\"(%s %s %s)\"", b->arg_sql ? b->arg_sql[0] : "?", sym,
             b->arg_sql ? b->arg_sql[1] : "?");
    return lh_sqlerr(eb, "DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES", "sqlExpr", e, "left",
                     fn_type_sql(b->arg_types[0], l, sizeof l), "right",
                     fn_type_sql(b->arg_types[1], r, sizeof r), NULL);
}

/* timestamp + '1': Spark casts the string to DOUBLE, then Add refuses the TIMESTAMP. */
static lh_err binop_wrong_type(lh_func_bind_t *b, int ts_arg, lh_errbuf *eb)
{
    char t[64], e[200];
    const char *sql[2] = {b->arg_sql ? b->arg_sql[0] : "?", b->arg_sql ? b->arg_sql[1] : "?"};
    int k = 1 - ts_arg;
    size_t n = strlen(sql[k]);
    int strip = n >= 2 && sql[k][0] == '\'' && sql[k][n - 1] == '\'' ? 1 : 0;
    if (ts_arg == 0)
        snprintf(e, sizeof e, "\"(%s + %.*s)\"", sql[0], (int)(n - 2 * (size_t)strip),
                 sql[1] + strip);
    else
        snprintf(e, sizeof e, "\"(%.*s + %s)\"", (int)(n - 2 * (size_t)strip), sql[0] + strip,
                 sql[1]);
    return lh_sqlerr(eb, "DATATYPE_MISMATCH.BINARY_OP_WRONG_TYPE", "sqlExpr", e, "inputType",
                     "(\"NUMERIC\" or \"INTERVAL DAY TO SECOND\" or \"INTERVAL YEAR TO MONTH\" or "
                     "\"INTERVAL\")",
                     "actualDataType", fn_type_sql(b->arg_types[ts_arg], t, sizeof t), NULL);
}

/* ---- integer kernels ---- */

static bool int_fits(lh_type_id id, int64_t v)
{
    switch (id) {
    case LH_TYPE_BYTE:
        return v >= INT8_MIN && v <= INT8_MAX;
    case LH_TYPE_SHORT:
        return v >= INT16_MIN && v <= INT16_MAX;
    case LH_TYPE_INT:
        return v >= INT32_MIN && v <= INT32_MAX;
    default:
        return true;
    }
}

/* One integer op; returns 0 ok, 1 overflow, 2 divide by zero. */
static int int_op(op_t op, lh_type_id id, int64_t a, int64_t b, int64_t *r)
{
    switch (op) {
    case OP_ADD:
        if (__builtin_add_overflow(a, b, r))
            return 1;
        break;
    case OP_SUB:
        if (__builtin_sub_overflow(a, b, r))
            return 1;
        break;
    case OP_MUL:
        if (__builtin_mul_overflow(a, b, r))
            return 1;
        break;
    case OP_IDIV:
        if (b == 0)
            return 2;
        if (a == INT64_MIN && b == -1)
            return 1;
        *r = a / b;
        return 0; /* div returns BIGINT: no narrowing */
    case OP_MOD:
    case OP_PMOD:
        if (b == 0)
            return 2;
        *r = b == -1 ? 0 : a % b;
        if (op == OP_PMOD && *r < 0)
            *r = (*r + b) % b; /* Spark: if (a % n < 0) ((a % n) + n) % n */
        break;
    default:
        return 1;
    }
    return int_fits(id, *r) ? 0 : 1;
}

#define INT_LOOP(T)                                                                                \
    do {                                                                                           \
        const T *a = (const T *)x->args[0]->data, *b = (const T *)x->args[1]->data;                \
        for (size_t i = 0; i < x->rows; i++) {                                                     \
            if (fn_any_null(x, i))                                                                 \
                continue;                                                                          \
            int64_t r;                                                                             \
            int st = int_op(bd->op, id, a[i], b[i], &r);                                           \
            if (st == 1)                                                                           \
                LH_TRY(overflow(bd, x->out, i, eb));                                               \
            else if (st == 2)                                                                      \
                LH_TRY(div_zero(bd, x->out, i, eb));                                               \
            else                                                                                   \
                fn_put_i64(x->out, i, r);                                                          \
        }                                                                                          \
    } while (0)

static lh_err exec_int(const lh_func_exec_t *x, const arith_bd_t *bd, lh_errbuf *eb)
{
    lh_type_id id = bd->work.id;
    switch (id) {
    case LH_TYPE_BYTE:
        INT_LOOP(int8_t);
        break;
    case LH_TYPE_SHORT:
        INT_LOOP(int16_t);
        break;
    case LH_TYPE_INT:
        INT_LOOP(int32_t);
        break;
    default:
        INT_LOOP(int64_t);
    }
    return LH_OK;
}

static lh_err exec_float(const lh_func_exec_t *x, const arith_bd_t *bd, lh_errbuf *eb)
{
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        double a = fn_f64(x->args[0], i), b = fn_f64(x->args[1], i), r;
        switch (bd->op) {
        case OP_ADD:
            r = a + b;
            break;
        case OP_SUB:
            r = a - b;
            break;
        case OP_MUL:
            r = a * b;
            break;
        case OP_DIV:
            if (b == 0) {
                LH_TRY(div_zero(bd, x->out, i, eb));
                continue;
            }
            r = a / b;
            break;
        case OP_IDIV: {
            if (b == 0) {
                LH_TRY(div_zero(bd, x->out, i, eb));
                continue;
            }
            double q = trunc(a / b);
            if (!(q >= -9.2233720368547758e18 && q < 9.2233720368547758e18)) {
                LH_TRY(overflow(bd, x->out, i, eb));
                continue;
            }
            fn_put_i64(x->out, i, (int64_t)q);
            continue;
        }
        default: /* MOD / PMOD */
            if (b == 0) {
                LH_TRY(div_zero(bd, x->out, i, eb));
                continue;
            }
            r = fmod(a, b);
            if (bd->op == OP_PMOD && r < 0)
                r = fmod(r + b, b);
        }
        fn_put_f64(x->out, i, r);
    }
    return LH_OK;
}

/* ---- decimal kernel ---- */

static lh_err exec_dec(const lh_func_exec_t *x, const arith_bd_t *bd, lh_errbuf *eb)
{
    static const lh_dec_op map[] = {LH_DEC_ADD, LH_DEC_SUB, LH_DEC_MUL, LH_DEC_DIV,
                                    LH_DEC_DIV, LH_DEC_MOD, LH_DEC_PMOD};
    const lh_vec_t *va = x->args[0], *vb = x->args[1];
    bool idiv = bd->op == OP_IDIV;
    int rs = idiv ? 0 : x->out->type.scale, rp = idiv ? 38 : x->out->type.precision;
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_i128 r, a = lh_dec_get(va, i), b = lh_dec_get(vb, i);
        char txt[100];
        int st;
        if (idiv) { /* truncate toward zero: divide at a guard scale, then drop it */
            st = lh_dec_arith(LH_DEC_DIV, a, va->type.scale, b, vb->type.scale, 1, 38, &r, txt,
                              sizeof txt);
            r /= 10;
            if (st == 0 && (r > INT64_MAX || r < INT64_MIN))
                st = 1;
        } else {
            st = lh_dec_arith(map[bd->op], a, va->type.scale, b, vb->type.scale, rs, rp, &r, txt,
                              sizeof txt);
        }
        if (st == 2)
            LH_TRY(div_zero(bd, x->out, i, eb));
        else if (st == 1)
            LH_TRY(overflow(bd, x->out, i, eb));
        else if (st == 3)
            LH_TRY(dec_overflow_text(bd, x->out, i, txt, eb));
        else if (idiv)
            fn_put_i64(x->out, i, (int64_t)r);
        else
            lh_dec_put(x->out, i, r);
    }
    return LH_OK;
}

/* ---- datetime / interval arithmetic ---- */

enum {
    DT_DATE_INT,  /* date +- int days -> date */
    DT_DATE_DATE, /* date - date -> interval day */
    DT_TS_TS,     /* ts - ts -> interval day to second */
    DT_TS_DT,     /* ts +- interval dt -> ts */
    DT_TS_YM,     /* ts +- interval ym -> ts */
    DT_DATE_YM,   /* date +- interval ym -> date */
    DT_IV_IV,     /* interval +- interval */
    DT_IV_NUM,    /* interval * / number */
    DT_IV_DIV,    /* interval div interval -> bigint */
    DT_DATE_DAYS, /* date +- interval day -> date (date_add of the whole days) */
};

static int64_t add_months_days(int64_t days, int64_t months)
{
    int64_t y;
    int m, d;
    lh_dt_civil_from_days(days, &y, &m, &d);
    int64_t total = y * 12 + (m - 1) + months;
    int64_t ny = lh_floordiv(total, 12);
    int nm = (int)(total - ny * 12) + 1;
    int dim = lh_dt_days_in_month(ny, nm);
    return lh_dt_days_from_civil(ny, nm, d > dim ? dim : d);
}

static int64_t ts_add_months(const lh_tz_t *tz, int64_t us, int64_t months, bool ntz)
{
    int64_t local = ntz ? us : lh_dt_utc_to_local(tz, us);
    int64_t days = lh_floordiv(local, LH_US_PER_DAY), tod = local - days * LH_US_PER_DAY;
    int64_t r = add_months_days(days, months) * LH_US_PER_DAY + tod;
    return ntz ? r : lh_dt_local_to_utc(tz, r);
}

/* interval * n, interval / n for an integral or decimal n: exact with HALF_UP rounding to
 * whole months or microseconds, as Spark's Multiply/Divide{YM,DT}Interval. */
static lh_err iv_exact(const lh_func_exec_t *x, const arith_bd_t *bd, size_t i, int64_t a,
                       lh_errbuf *eb)
{
    const lh_vec_t *n = x->args[1];
    int sn = n->type.id == LH_TYPE_DECIMAL ? n->type.scale : 0;
    lh_i128 b = n->type.id == LH_TYPE_DECIMAL ? lh_dec_get(n, i) : fn_i64(n, i), r;
    int rc =
        lh_dec_arith(bd->op == OP_MUL ? LH_DEC_MUL : LH_DEC_DIV, a, 0, b, sn, 0, 38, &r, NULL, 0);
    bool ym = x->out->type.id == LH_TYPE_INTERVAL_YM;
    if (rc == 2) {
        if (bd->try_)
            return fn_put_null(x->out, i);
        return lh_sqlerr(eb, "INTERVAL_DIVIDED_BY_ZERO", NULL);
    }
    if (rc != 0 || r > (ym ? INT32_MAX : INT64_MAX) || r < (ym ? INT32_MIN : INT64_MIN)) {
        if (bd->try_)
            return fn_put_null(x->out, i);
        if (bd->op == OP_DIV)
            return lh_sqlerr(eb, "INTERVAL_ARITHMETIC_OVERFLOW.WITH_SUGGESTION", "functionName",
                             "`try_divide`", NULL);
        return lh_sqlerr(eb, "INTERVAL_ARITHMETIC_OVERFLOW.WITHOUT_SUGGESTION", NULL);
    }
    fn_put_i64(x->out, i, (int64_t)r);
    return LH_OK;
}

static lh_err exec_dt(const lh_func_exec_t *x, const arith_bd_t *bd, lh_errbuf *eb)
{
    const lh_tz_t *tz = fn_tz(x->conf);
    int sign = bd->op == OP_SUB ? -1 : 1;
    bool ntz = x->args[0]->type.id == LH_TYPE_TIMESTAMP_NTZ;
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        int64_t a = fn_i64(x->args[0], i), b = 0, r = 0;
        double bf = 0;
        if (bd->dt_kind == DT_IV_NUM && bd->iv_exact) {
            lh_err e = iv_exact(x, bd, i, a, eb);
            if (e != LH_OK)
                return e;
            continue;
        }
        if (bd->dt_kind == DT_IV_NUM)
            bf = fn_f64(x->args[1], i);
        else
            b = fn_i64(x->args[1], i);
        switch (bd->dt_kind) {
        case DT_DATE_INT:
            r = a + sign * b;
            break;
        case DT_DATE_DATE:
            r = (a - b) * LH_US_PER_DAY;
            break;
        case DT_TS_TS: /* Spark subtracts the local wall times */
            r = ntz ? a - b : lh_dt_utc_to_local(tz, a) - lh_dt_utc_to_local(tz, b);
            break;
        case DT_TS_DT: /* Spark adds the duration to the local date-time */
            if (__builtin_add_overflow(ntz ? a : lh_dt_utc_to_local(tz, a), sign * b, &r))
                return overflow(bd, x->out, i, eb);
            if (!ntz)
                r = lh_dt_local_to_utc(tz, r);
            break;
        case DT_TS_YM:
            r = ts_add_months(tz, a, sign * b, ntz);
            break;
        case DT_DATE_YM:
            r = add_months_days(a, sign * b);
            break;
        case DT_DATE_DAYS: /* Spark's extractansiintervaldays truncates toward zero */
            r = a + sign * (b / LH_US_PER_DAY);
            if (!int_fits(LH_TYPE_INT, r))
                return overflow(bd, x->out, i, eb);
            break;
        case DT_IV_DIV:
            if (b == 0) {
                if (bd->try_) {
                    fn_put_null(x->out, i);
                    continue;
                }
                return lh_sqlerr(eb, "DIVIDE_BY_ZERO", "config", "\"spark.sql.ansi.enabled\"",
                                 NULL);
            }
            if (a == INT64_MIN && b == -1)
                return overflow(bd, x->out, i, eb);
            r = a / b;
            break;
        case DT_IV_IV:
            if (__builtin_add_overflow(a, sign * b, &r) ||
                (x->out->type.id == LH_TYPE_INTERVAL_YM && !int_fits(LH_TYPE_INT, r))) {
                if (bd->try_) {
                    fn_put_null(x->out, i);
                    continue;
                }
                return lh_sqlerr(eb, "INTERVAL_ARITHMETIC_OVERFLOW.WITH_SUGGESTION", "functionName",
                                 bd->op == OP_SUB ? "`try_subtract`" : "`try_add`", NULL);
            }
            break;
        default: { /* DT_IV_NUM */
            if (bd->op == OP_DIV && bf == 0) {
                if (bd->try_) {
                    fn_put_null(x->out, i);
                    continue;
                }
                return lh_sqlerr(eb, "INTERVAL_DIVIDED_BY_ZERO", NULL);
            }
            double v = bd->op == OP_MUL ? (double)a * bf : (double)a / bf;
            v = round(v); /* Spark rounds HALF_UP */
            double lim = x->out->type.id == LH_TYPE_INTERVAL_YM ? 2147483647.0 : 9.2e18;
            if (!(fabs(v) <= lim)) {
                if (bd->try_) {
                    fn_put_null(x->out, i);
                    continue;
                }
                return lh_sqlerr(eb, "INTERVAL_ARITHMETIC_OVERFLOW.WITHOUT_SUGGESTION", NULL);
            }
            r = (int64_t)v;
        }
        }
        fn_put_i64(x->out, i, r);
    }
    return LH_OK;
}

/* ---- bind ---- */

static lh_type_t iv_type(lh_type_id id, int start, int end)
{
    lh_type_t t = fn_type(id);
    t.precision = (uint8_t)(start + 1);
    t.scale = (uint8_t)(end + 1);
    return t;
}

static lh_err bind_dt_ordered(lh_func_bind_t *b, arith_bd_t *bd, lh_errbuf *eb);

/* 1 + date, interval + ts, 2 * interval: bind as the exchanged pair and swap at exec. */
static lh_err bind_dt(lh_func_bind_t *b, arith_bd_t *bd, lh_errbuf *eb)
{
    lh_type_id l = b->arg_types[0].id, r = b->arg_types[1].id;
    bool is_ts[2] = {l == LH_TYPE_TIMESTAMP || l == LH_TYPE_TIMESTAMP_NTZ,
                     r == LH_TYPE_TIMESTAMP || r == LH_TYPE_TIMESTAMP_NTZ};
    if (bd->op == OP_ADD &&
        ((is_ts[0] && r == LH_TYPE_STRING) || (is_ts[1] && l == LH_TYPE_STRING)))
        return binop_wrong_type(b, is_ts[0] ? 0 : 1, eb);
    if (bd->op == OP_ADD && ((is_ts[0] && r == LH_TYPE_NULL) || (is_ts[1] && l == LH_TYPE_NULL)))
        return binop_mismatch(b, OP_SYM[bd->op], eb); /* ts + NULL: no rule applies */
    if (bd->op == OP_ADD && l == LH_TYPE_STRING && r == LH_TYPE_DATE) /* date_add('1', date) */
        return fn_bad_input(b, eb, "date_add", 1, "(\"INT\" or \"SMALLINT\" or \"TINYINT\")");
    bool flip = (bd->op == OP_ADD && l == LH_TYPE_NULL && r == LH_TYPE_DATE) ||
                (bd->op == OP_ADD && (lh_type_is_interval(l) || lh_type_is_integral(l)) &&
                 (lh_type_is_datetime(r) || (lh_type_is_interval(r) && !lh_type_is_interval(l)))) ||
                (bd->op == OP_MUL && lh_type_is_interval(r) &&
                 (lh_type_is_numeric(l) || l == LH_TYPE_STRING || l == LH_TYPE_NULL));
    if (!flip)
        return bind_dt_ordered(b, bd, eb);
    lh_type_t types[2] = {b->arg_types[1], b->arg_types[0]}, casts[2];
    const lh_type_t *orig = b->arg_types;
    b->arg_types = types;
    casts[0] = types[0], casts[1] = types[1];
    lh_type_t *orig_cast = b->cast_to;
    b->cast_to = casts;
    lh_err e = bind_dt_ordered(b, bd, eb);
    b->arg_types = orig;
    b->cast_to = orig_cast;
    orig_cast[0] = casts[1], orig_cast[1] = casts[0];
    bd->swap = true;
    return e;
}

static lh_err bind_dt_ordered(lh_func_bind_t *b, arith_bd_t *bd, lh_errbuf *eb)
{
    lh_type_id l = b->arg_types[0].id, r = b->arg_types[1].id;
    bool add_sub = bd->op == OP_ADD || bd->op == OP_SUB;
    bd->kind = 2;
    if (lh_type_is_interval(l) && (bd->op == OP_MUL || bd->op == OP_DIV) &&
        (r == LH_TYPE_STRING || r == LH_TYPE_NULL)) /* interval * '2', interval / NULL */
        r = LH_TYPE_DOUBLE;
    if (r == LH_TYPE_NULL && lh_type_is_interval(l) && add_sub) /* interval +- NULL */
        r = l, b->cast_to[1] = b->arg_types[0];
    if (r == LH_TYPE_NULL) /* date +- NULL, ts - NULL: NULL of the natural result */
        r = l == LH_TYPE_DATE ? LH_TYPE_INT : bd->op == OP_SUB ? l : LH_TYPE_INTERVAL_DT;
    if (add_sub && !(bd->op == OP_SUB && l == LH_TYPE_INTERVAL_DT && r == LH_TYPE_INTERVAL_YM) &&
        ((l == LH_TYPE_INTERVAL_DT && (lh_type_is_numeric(r) || r == LH_TYPE_INTERVAL_YM)) ||
         (r == LH_TYPE_INTERVAL_DT && (lh_type_is_numeric(l) || l == LH_TYPE_INTERVAL_YM))))
        /* Spark reads x +- day-time interval as a timestamp plus an interval */
        return fn_bad_input(b, eb, OP_SYM[bd->op], l == LH_TYPE_INTERVAL_DT ? 1 : 0,
                            "\"(TIMESTAMP OR TIMESTAMP WITHOUT TIME ZONE)\"");
    if (l == LH_TYPE_NULL)
        l = r == LH_TYPE_DATE && bd->op == OP_SUB ? LH_TYPE_DATE : r;
    b->cast_to[0] = fn_type(l), b->cast_to[1] = fn_type(r);
    if (lh_type_is_interval(l) || lh_type_is_interval(r))
        b->cast_to[0] = b->arg_types[0].id == l ? b->arg_types[0] : fn_type(l),
        b->cast_to[1] = b->arg_types[1].id == r ? b->arg_types[1] : fn_type(r);
    if (l == LH_TYPE_DATE && r == LH_TYPE_STRING && bd->op == OP_SUB) { /* date - '2001-..' */
        r = LH_TYPE_DATE;
        b->cast_to[1] = fn_type(r);
    }
    if (l == LH_TYPE_DATE && add_sub && r != LH_TYPE_DATE && !lh_type_is_integral(r) &&
        !lh_type_is_interval(r) && !lh_type_is_datetime(r))
        return fn_bad_input(b, eb, bd->op == OP_ADD ? "date_add" : "date_sub", 1,
                            "(\"INT\" or \"SMALLINT\" or \"TINYINT\")");
    if (l == LH_TYPE_STRING && lh_type_is_interval(r) && add_sub) { /* '2011-..' - interval */
        l = LH_TYPE_TIMESTAMP;
        b->cast_to[0] = fn_type(l);
        bd->str_out = r == LH_TYPE_INTERVAL_DT; /* Spark casts TimeAdd's answer to STRING */
    }
    if (l == LH_TYPE_STRING && lh_type_is_datetime(r) && add_sub)
        l = r, b->cast_to[0] = b->arg_types[1];
    if (r == LH_TYPE_STRING && lh_type_is_datetime(l) && bd->op == OP_SUB)
        r = l, b->cast_to[1] = b->arg_types[0];
    if (l == LH_TYPE_DATE && lh_type_is_integral(r) && add_sub) {
        bd->dt_kind = DT_DATE_INT, b->ret_type = fn_type(LH_TYPE_DATE);
        b->cast_to[1] = fn_type(LH_TYPE_INT);
    } else if (l == LH_TYPE_DATE && r == LH_TYPE_DATE && bd->op == OP_SUB) {
        bd->dt_kind = DT_DATE_DATE, b->ret_type = iv_type(LH_TYPE_INTERVAL_DT, 0, 0);
    } else if (lh_type_is_datetime(l) && lh_type_is_datetime(r) && bd->op == OP_SUB) {
        lh_type_t ts =
            fn_type(l == LH_TYPE_TIMESTAMP_NTZ && r != LH_TYPE_TIMESTAMP ? LH_TYPE_TIMESTAMP_NTZ
                                                                         : LH_TYPE_TIMESTAMP);
        b->cast_to[0] = b->cast_to[1] = ts;
        bd->dt_kind = DT_TS_TS, b->ret_type = iv_type(LH_TYPE_INTERVAL_DT, 0, 3);
    } else if (lh_type_is_datetime(l) && r == LH_TYPE_INTERVAL_YM && add_sub) {
        bd->dt_kind = l == LH_TYPE_DATE ? DT_DATE_YM : DT_TS_YM;
        b->ret_type = b->arg_types[0];
    } else if (l == LH_TYPE_DATE && r == LH_TYPE_INTERVAL_DT && add_sub &&
               b->cast_to[1].precision == 1 && b->cast_to[1].scale == 1) {
        bd->dt_kind = DT_DATE_DAYS, b->ret_type = fn_type(LH_TYPE_DATE);
    } else if (lh_type_is_datetime(l) && r == LH_TYPE_INTERVAL_DT && add_sub) {
        lh_type_t ts = fn_type(l == LH_TYPE_TIMESTAMP_NTZ ? l : LH_TYPE_TIMESTAMP);
        b->cast_to[0] = ts;
        bd->dt_kind = DT_TS_DT, b->ret_type = bd->str_out ? fn_type(LH_TYPE_STRING) : ts;
    } else if (lh_type_is_interval(l) && l == r && add_sub) {
        lh_type_t t;
        lh_type_common(b->arg_types[0], b->arg_types[1], &t);
        bd->dt_kind = DT_IV_IV, b->ret_type = t;
    } else if (lh_type_is_interval(l) && l == r && bd->op == OP_IDIV) {
        bd->dt_kind = DT_IV_DIV, b->ret_type = fn_type(LH_TYPE_LONG);
    } else if (lh_type_is_interval(l) && lh_type_is_numeric(r) &&
               (bd->op == OP_MUL || bd->op == OP_DIV)) {
        bd->dt_kind = DT_IV_NUM, b->ret_type = fn_type(l); /* the full interval type */
        bd->iv_exact = lh_type_is_integral(r) || r == LH_TYPE_DECIMAL;
        b->cast_to[1] = lh_type_is_integral(r) ? fn_type(LH_TYPE_LONG)
                        : r == LH_TYPE_DECIMAL ? b->arg_types[1]
                                               : fn_type(LH_TYPE_DOUBLE);
    } else if (lh_type_is_interval(r) && lh_type_is_numeric(l) && bd->op == OP_MUL) {
        return binop_mismatch(b, OP_SYM[bd->op], eb); /* num * interval: binder swaps */
    } else if (lh_type_is_datetime(r) && (lh_type_is_interval(l) || lh_type_is_integral(l)) &&
               bd->op == OP_ADD) {
        return binop_mismatch(b, OP_SYM[bd->op], eb); /* binder swaps commutative operands */
    } else {
        return binop_mismatch(b, OP_SYM[bd->op], eb);
    }
    return LH_OK;
}

/* The DECIMAL argument i (of type t, beside other) is brought to: an integer literal beside
 * a DECIMAL takes the digits of its value, any other integer its type's full width. */
static lh_type_t lit_decimal(const lh_func_bind_t *b, int i, lh_type_t t, lh_type_t other)
{
    const lh_value_t *c = b->const_args ? b->const_args[i] : NULL;
    if (c == NULL || !lh_type_is_integral(t.id) || other.id != LH_TYPE_DECIMAL ||
        !lh_type_is_integral(c->type.id))
        return lh_type_as_decimal(t);
    int64_t v = c->v.i64;
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int digits = 1;
    while (m >= 10)
        m /= 10, digits++;
    return lh_type_decimal(digits, 0);
}

static lh_err bind_numeric(lh_func_bind_t *b, arith_bd_t *bd, lh_errbuf *eb)
{
    lh_type_t l = b->arg_types[0], r = b->arg_types[1], t;
    /* Spark ANSI: a string operand becomes BIGINT beside an integer, DOUBLE otherwise */
    if (l.id == LH_TYPE_STRING)
        l = fn_type(lh_type_is_integral(r.id) || r.id == LH_TYPE_NULL ? LH_TYPE_LONG
                                                                      : LH_TYPE_DOUBLE);
    if (r.id == LH_TYPE_STRING)
        r = fn_type(lh_type_is_integral(l.id) ? LH_TYPE_LONG : LH_TYPE_DOUBLE);
    if (l.id == LH_TYPE_NULL)
        l = r.id == LH_TYPE_NULL ? fn_type(LH_TYPE_INT) : r;
    if (r.id == LH_TYPE_NULL)
        r = l;
    if (!lh_type_is_numeric(l.id) || !lh_type_is_numeric(r.id))
        return binop_mismatch(b, OP_SYM[bd->op], eb);
    lh_type_common(l, r, &t);
    if (bd->op == OP_DIV && t.id != LH_TYPE_DECIMAL)
        t = fn_type(LH_TYPE_DOUBLE);
    if (t.id == LH_TYPE_DECIMAL) {
        bd->kind = 1;
        /* an integer literal beside a decimal is a DECIMAL of the digits it has (Spark's
         * literalPickMinimumPrecision): 2 * DECIMAL(38,18) is DECIMAL(38,16), not (38,7) */
        b->cast_to[0] = lit_decimal(b, 0, l, r);
        b->cast_to[1] = lit_decimal(b, 1, r, l);
        static const lh_arith_op map[] = {LH_ARITH_ADD, LH_ARITH_SUB, LH_ARITH_MUL, LH_ARITH_DIV,
                                          LH_ARITH_DIV, LH_ARITH_MOD, LH_ARITH_MOD};
        b->ret_type = bd->op == OP_IDIV
                          ? fn_type(LH_TYPE_LONG)
                          : lh_type_decimal_result(map[bd->op], b->cast_to[0], b->cast_to[1],
                                                   b->conf != NULL && b->conf->dec_exact);
        return LH_OK;
    }
    if (bd->op == OP_IDIV && (lh_type_is_integral(t.id)))
        t = fn_type(LH_TYPE_LONG);
    b->cast_to[0] = b->cast_to[1] = t;
    bd->work = t;
    b->ret_type = bd->op == OP_IDIV ? fn_type(LH_TYPE_LONG) : t;
    return LH_OK;
}

static lh_err bind_op(lh_func_bind_t *b, op_t op, bool try_, lh_errbuf *eb)
{
    arith_bd_t *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    bd->op = op;
    bd->try_ = try_ || (b->conf && !b->conf->ansi);
    b->bind_data = bd;
    b->ret_nullable = true;
    lh_type_id l = b->arg_types[0].id, r = b->arg_types[1].id;
    if (lh_type_is_datetime(l) || lh_type_is_datetime(r) || lh_type_is_interval(l) ||
        lh_type_is_interval(r))
        return bind_dt(b, bd, eb);
    return bind_numeric(b, bd, eb);
}

/* '2011-..' +- day-time interval: the timestamp answer, then CAST to STRING. */
static lh_err exec_str_out(const lh_func_exec_t *x, const arith_bd_t *bd, lh_errbuf *eb)
{
    lh_vec_t *ts = lh_vec_create(fn_type(LH_TYPE_TIMESTAMP), x->rows);
    LH_FAIL_IF(ts == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_func_exec_t y = *x;
    y.out = ts;
    fn_begin(&y);
    lh_err e = exec_dt(&y, bd, eb);
    if (e == LH_OK)
        e = lh_cast_vec(ts, x->out, x->rows, x->conf, false, eb);
    lh_vec_destroy(ts);
    return e;
}

static lh_err exec_op(const lh_func_exec_t *x, lh_errbuf *eb)
{
    const arith_bd_t *bd = x->bind_data;
    fn_begin(x);
    if (bd->kind == 2 && bd->str_out)
        return exec_str_out(x, bd, eb);
    if (bd->kind == 2 && bd->swap) {
        const lh_vec_t *sw[2] = {x->args[1], x->args[0]};
        lh_func_exec_t y = *x;
        y.args = sw;
        return exec_dt(&y, bd, eb);
    }
    if (bd->kind == 2)
        return exec_dt(x, bd, eb);
    if (bd->kind == 1)
        return exec_dec(x, bd, eb);
    if (bd->work.id == LH_TYPE_FLOAT || bd->work.id == LH_TYPE_DOUBLE)
        return exec_float(x, bd, eb);
    return exec_int(x, bd, eb);
}

#define OP_BIND(fn, op, try_)                                                                      \
    static lh_err fn(lh_func_bind_t *b, lh_errbuf *eb)                                             \
    {                                                                                              \
        return bind_op(b, op, try_, eb);                                                           \
    }
OP_BIND(bind_add, OP_ADD, false)
OP_BIND(bind_sub, OP_SUB, false)
OP_BIND(bind_mul, OP_MUL, false)
OP_BIND(bind_div, OP_DIV, false)
OP_BIND(bind_idiv, OP_IDIV, false)
OP_BIND(bind_mod, OP_MOD, false)
OP_BIND(bind_pmod, OP_PMOD, false)
OP_BIND(bind_try_add, OP_ADD, true)
OP_BIND(bind_try_sub, OP_SUB, true)
OP_BIND(bind_try_mul, OP_MUL, true)
OP_BIND(bind_try_div, OP_DIV, true)
OP_BIND(bind_try_mod, OP_MOD, true)

/* ---- unary ---- */

static lh_err bind_unary(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t = b->arg_types[0];
    if (t.id == LH_TYPE_STRING || t.id == LH_TYPE_NULL)
        t = fn_type(LH_TYPE_DOUBLE);
    if (!lh_type_is_numeric(t.id) && !lh_type_is_interval(t.id))
        return fn_bad_input(b, eb, "negative", 0, "(\"NUMERIC\" or \"INTERVAL\")");
    b->cast_to[0] = t;
    b->ret_type = t;
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err exec_negative(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    const lh_vec_t *a = x->args[0];
    lh_type_id id = a->type.id;
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        if (id == LH_TYPE_FLOAT || id == LH_TYPE_DOUBLE) {
            fn_put_f64(x->out, i, -fn_f64(a, i));
        } else if (id == LH_TYPE_DECIMAL) {
            lh_dec_put(x->out, i, -lh_dec_get(a, i));
        } else {
            int64_t v = fn_i64(a, i);
            lh_type_id w = id == LH_TYPE_INTERVAL_YM ? LH_TYPE_INT : id;
            if ((v == INT64_MIN || !int_fits(w, -v)) && lh_type_is_interval(id))
                return lh_sqlerr(eb, "INTERVAL_ARITHMETIC_OVERFLOW.WITHOUT_SUGGESTION", NULL);
            if (v == INT64_MIN || !int_fits(w, -v)) {
                arith_bd_t bd = {.op = OP_SUB, .work = fn_type(w)};
                return overflow(&bd, x->out, i, eb);
            }
            fn_put_i64(x->out, i, -v);
        }
    }
    return LH_OK;
}

static lh_err exec_positive(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        lh_value_t v = fn_get(x->args[0], i);
        LH_TRY(fn_put(x->out, i, &v));
    }
    return LH_OK;
}

/* ---- comparisons ---- */

typedef enum { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_EQNULL } cmp_t;
static const char *const CMP_SYM[] = {"=", "<>", "<", "<=", ">", ">=", "<=>"};

static lh_err bind_cmp(lh_func_bind_t *b, cmp_t op, lh_errbuf *eb)
{
    lh_type_t t;
    if (!lh_type_common(b->arg_types[0], b->arg_types[1], &t))
        return binop_mismatch(b, CMP_SYM[op], eb);
    if (t.id == LH_TYPE_NULL)
        t = fn_type(LH_TYPE_BOOLEAN);
    if (!lh_type_orderable(t) && op != CMP_EQ && op != CMP_NE && op != CMP_EQNULL) {
        char e[200]; /* a calendar interval has no order (30 days vs 1 month) */
        snprintf(e, sizeof e, "\"(%s %s %s)\"", b->arg_sql ? b->arg_sql[0] : "?", CMP_SYM[op],
                 b->arg_sql ? b->arg_sql[1] : "?");
        return lh_sqlerr(eb, "DATATYPE_MISMATCH.INVALID_ORDERING_TYPE", "sqlExpr", e,
                         "functionName", CMP_SYM[op], "dataType", "\"INTERVAL\"", NULL);
    }
    b->cast_to[0] = b->cast_to[1] = t;
    b->ret_type = fn_type(LH_TYPE_BOOLEAN);
    b->ret_nullable = op != CMP_EQNULL;
    cmp_t *bd = lh_arena_alloc(b->arena, sizeof *bd);
    *bd = op;
    b->bind_data = bd;
    return LH_OK;
}

static int cmp_double(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b) ? 0 : isnan(a) ? 1 : -1; /* NaN is the largest */
    return (a > b) - (a < b);
}

static int cmp_row(const lh_vec_t *a, const lh_vec_t *b, size_t i)
{
    switch (a->type.id) {
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        return cmp_double(fn_f64(a, i), fn_f64(b, i));
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT: {
        int c = lh_nested_compare(a->type, fn_str(a, i), fn_str(b, i));
        return (c > 0) - (c < 0);
    }
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
    case LH_TYPE_INTERVAL_CAL: /* = and <> only: the same months, days and micros */ {
        lh_sv_t x = fn_str(a, i), y = fn_str(b, i);
        uint32_t n = x.len < y.len ? x.len : y.len;
        int c = n ? memcmp(x.ptr, y.ptr, n) : 0;
        return c ? (c > 0) - (c < 0) : (x.len > y.len) - (x.len < y.len);
    }
    case LH_TYPE_DECIMAL: {
        lh_i128 x = lh_dec_get(a, i), y = lh_dec_get(b, i);
        return (x > y) - (x < y);
    }
    default: {
        int64_t x = fn_i64(a, i), y = fn_i64(b, i);
        return (x > y) - (x < y);
    }
    }
}

static bool cmp_result(cmp_t op, int c)
{
    switch (op) {
    case CMP_EQ:
    case CMP_EQNULL:
        return c == 0;
    case CMP_NE:
        return c != 0;
    case CMP_LT:
        return c < 0;
    case CMP_LE:
        return c <= 0;
    case CMP_GT:
        return c > 0;
    default:
        return c >= 0;
    }
}

#define CMP_INT_LOOP(T)                                                                            \
    do {                                                                                           \
        const T *pa = (const T *)a->data, *pb = (const T *)b->data;                                \
        for (size_t i = 0; i < x->rows; i++)                                                       \
            o[i] = cmp_result(op, (pa[i] > pb[i]) - (pa[i] < pb[i]));                              \
    } while (0)

static lh_err exec_cmp(const lh_func_exec_t *x, lh_errbuf *eb)
{
    cmp_t op = *(const cmp_t *)x->bind_data;
    const lh_vec_t *a = x->args[0], *b = x->args[1];
    uint8_t *o = x->out->data;
    fn_begin(x);
    size_t w = a->type.id == LH_TYPE_NULL ? 0 : lh_type_width(a->type);
    bool ints = lh_type_is_integral(a->type.id) || a->type.id == LH_TYPE_DATE ||
                a->type.id == LH_TYPE_TIMESTAMP || a->type.id == LH_TYPE_TIMESTAMP_NTZ ||
                lh_type_is_interval(a->type.id) || a->type.id == LH_TYPE_BOOLEAN;
    if (ints && w == 1)
        CMP_INT_LOOP(int8_t);
    else if (ints && w == 2)
        CMP_INT_LOOP(int16_t);
    else if (ints && w == 4)
        CMP_INT_LOOP(int32_t);
    else if (ints && w == 8)
        CMP_INT_LOOP(int64_t);
    else if ((op == CMP_EQ || op == CMP_NE) &&
             (a->type.id == LH_TYPE_STRING || a->type.id == LH_TYPE_BINARY) &&
             a->kind == LH_VEC_FLAT && b->kind == LH_VEC_FLAT && a->validity == NULL &&
             b->validity == NULL) {
        /* string equality without nulls: lengths first, bytes only when they agree */
        const lh_sv_t *pa = a->data, *pb = b->data;
        for (size_t i = 0; i < x->rows; i++)
            o[i] = (pa[i].len == pb[i].len &&
                    (pa[i].len == 0 || memcmp(pa[i].ptr, pb[i].ptr, pa[i].len) == 0)) ==
                   (op == CMP_EQ);
        return LH_OK;
    }
    for (size_t i = 0; i < x->rows; i++) {
        bool na = fn_null(a, i) || w == 0, nb = fn_null(b, i) || w == 0;
        if (op == CMP_EQNULL && (na || nb)) {
            o[i] = na && nb;
            continue;
        }
        if (na || nb) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        if (!ints)
            o[i] = cmp_result(op, cmp_row(a, b, i));
    }
    return LH_OK;
}

#define CMP_BIND(fn, op)                                                                           \
    static lh_err fn(lh_func_bind_t *b, lh_errbuf *eb)                                             \
    {                                                                                              \
        return bind_cmp(b, op, eb);                                                                \
    }
CMP_BIND(bind_eq, CMP_EQ)
CMP_BIND(bind_ne, CMP_NE)
CMP_BIND(bind_lt, CMP_LT)
CMP_BIND(bind_le, CMP_LE)
CMP_BIND(bind_gt, CMP_GT)
CMP_BIND(bind_ge, CMP_GE)
CMP_BIND(bind_eqnull, CMP_EQNULL)

#define BIN(name, bind, exec)                                                                      \
    {                                                                                              \
        name, LH_FUNC_SCALAR, 2, 2, bind, exec, true                                               \
    }
const lh_func_t lh_fn_arith[] = {
    BIN("!=", bind_ne, exec_cmp),
    BIN("%", bind_mod, exec_op),
    BIN("*", bind_mul, exec_op),
    BIN("+", bind_add, exec_op),
    BIN("-", bind_sub, exec_op),
    BIN("/", bind_div, exec_op),
    BIN("<", bind_lt, exec_cmp),
    BIN("<=", bind_le, exec_cmp),
    BIN("<=>", bind_eqnull, exec_cmp),
    BIN("<>", bind_ne, exec_cmp),
    BIN("=", bind_eq, exec_cmp),
    BIN("==", bind_eq, exec_cmp),
    BIN(">", bind_gt, exec_cmp),
    BIN(">=", bind_ge, exec_cmp),
    BIN("add", bind_add, exec_op),
    BIN("div", bind_idiv, exec_op),
    BIN("divide", bind_div, exec_op),
    BIN("equal", bind_eq, exec_cmp),
    BIN("equal_null", bind_eqnull, exec_cmp),
    BIN("greater_than", bind_gt, exec_cmp),
    BIN("greater_than_or_equal", bind_ge, exec_cmp),
    BIN("less_than", bind_lt, exec_cmp),
    BIN("less_than_or_equal", bind_le, exec_cmp),
    BIN("mod", bind_mod, exec_op),
    BIN("multiply", bind_mul, exec_op),
    {"negative", LH_FUNC_SCALAR, 1, 1, bind_unary, exec_negative, true},
    BIN("not_equal", bind_ne, exec_cmp),
    BIN("pmod", bind_pmod, exec_op),
    {"positive", LH_FUNC_SCALAR, 1, 1, bind_unary, exec_positive, true},
    BIN("remainder", bind_mod, exec_op),
    BIN("subtract", bind_sub, exec_op),
    BIN("try_add", bind_try_add, exec_op),
    BIN("try_divide", bind_try_div, exec_op),
    BIN("try_mod", bind_try_mod, exec_op),
    BIN("try_multiply", bind_try_mul, exec_op),
    BIN("try_subtract", bind_try_sub, exec_op),
};
FN_COUNT(lh_fn_arith);
