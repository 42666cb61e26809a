/*
 * date_unit.c - timestampadd(unit, quantity, ts) and timestampdiff(unit, start, end).
 *
 * Spark writes the unit as a bare keyword (timestampadd(MONTH, 1, ts); the binder also
 * routes dateadd/date_add with three arguments and datediff/date_diff/timediff with three
 * here) and passes it as the constant first argument. Both work on the local date-time in
 * the session zone, as java.time does for Spark:
 *   - add: MICROSECOND ... WEEK add a duration to the local date-time (DAY and DAYOFYEAR
 *     as 24 hours of local time), MONTH/QUARTER/YEAR add months (day clamped to the
 *     month's end); overflow is DATETIME_OVERFLOW.
 *   - diff: ChronoUnit.between of the two local date-times: time units truncate the exact
 *     difference toward zero; DAY/WEEK/MONTH/QUARTER/YEAR count whole units, a unit being
 *     complete only when the end's time of day has reached the start's.
 * DATE arguments are cast to TIMESTAMP (midnight in the session zone); TIMESTAMP_NTZ stays.
 */
#include <stdio.h>
#include <strings.h>

#include "compute/func/datetime.h"
#include "compute/func/fn.h"

typedef enum {
    U_MICRO,
    U_MILLI,
    U_SECOND,
    U_MINUTE,
    U_HOUR,
    U_DAY,
    U_WEEK,
    U_MONTH,
    U_QUARTER,
    U_YEAR
} unit_t;

static const struct {
    const char *name;
    unit_t unit;
} UNITS[] = {
    {"MICROSECOND", U_MICRO}, {"MILLISECOND", U_MILLI}, {"SECOND", U_SECOND}, {"MINUTE", U_MINUTE},
    {"HOUR", U_HOUR},         {"DAY", U_DAY},           {"DAYOFYEAR", U_DAY}, {"WEEK", U_WEEK},
    {"MONTH", U_MONTH},       {"QUARTER", U_QUARTER},   {"YEAR", U_YEAR},
};
static const int64_t UNIT_US[] = {
    1, 1000, 1000000, 60000000, 3600000000LL, LH_US_PER_DAY, 7 * LH_US_PER_DAY};
static const char *const UNIT_NAME[] = {"MICROSECOND", "MILLISECOND", "SECOND", "MINUTE",  "HOUR",
                                        "DAY",         "WEEK",        "MONTH",  "QUARTER", "YEAR"};
static const int UNIT_MONTHS[] = {[U_MONTH] = 1, [U_QUARTER] = 3, [U_YEAR] = 12};

typedef struct {
    unit_t unit;
    bool add; /* timestampadd, else timestampdiff */
} unit_bd_t;

static lh_err bind_unit(lh_func_bind_t *b, bool add, lh_errbuf *eb)
{
    const char *fname = add ? "timestampadd" : "timestampdiff";
    const lh_value_t *u = b->const_args ? b->const_args[0] : NULL;
    if (u == NULL || u->is_null || u->type.id != LH_TYPE_STRING)
        return fn_bad_input(b, eb, fname, 0, "\"STRING\"");
    unit_bd_t *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    size_t i = 0, n = sizeof UNITS / sizeof UNITS[0];
    while (i < n && !(strlen(UNITS[i].name) == u->v.str.len &&
                      strncasecmp(UNITS[i].name, (const char *)u->v.str.ptr, u->v.str.len) == 0))
        i++;
    if (i == n) {
        char buf[96];
        snprintf(buf, sizeof buf, "'%.*s'", (int)(u->v.str.len > 64 ? 64 : u->v.str.len),
                 (const char *)u->v.str.ptr);
        return lh_sqlerr(eb, "INVALID_PARAMETER_VALUE.DATETIME_UNIT", "functionName",
                         add ? "`timestampadd`" : "`timestampdiff`", "parameter", "`unit`",
                         "invalidValue", buf, NULL);
    }
    bd->unit = UNITS[i].unit;
    bd->add = add;
    b->bind_data = bd;
    b->cast_to[0] = fn_type(LH_TYPE_STRING);
    int first_ts = add ? 2 : 1;
    for (int k = first_ts; k < b->arg_count; k++) {
        lh_type_id t = b->arg_types[k].id;
        if (t != LH_TYPE_NULL && t != LH_TYPE_DATE && t != LH_TYPE_TIMESTAMP &&
            t != LH_TYPE_TIMESTAMP_NTZ && t != LH_TYPE_STRING)
            return fn_bad_input(b, eb, fname, k, "\"TIMESTAMP\"");
        b->cast_to[k] = fn_type(t == LH_TYPE_TIMESTAMP_NTZ ? t : LH_TYPE_TIMESTAMP);
    }
    if (!add && b->arg_types[1].id == LH_TYPE_TIMESTAMP_NTZ &&
        b->arg_types[2].id == LH_TYPE_TIMESTAMP_NTZ)
        b->cast_to[1] = b->cast_to[2] = fn_type(LH_TYPE_TIMESTAMP_NTZ);
    else if (!add)
        b->cast_to[1] = b->cast_to[2] = fn_type(LH_TYPE_TIMESTAMP);
    if (add) {
        lh_type_id q = b->arg_types[1].id;
        if (q != LH_TYPE_NULL && !lh_type_is_integral(q) && q != LH_TYPE_STRING)
            return fn_bad_input(b, eb, fname, 1, "\"BIGINT\"");
        b->cast_to[1] = fn_type(LH_TYPE_LONG);
        b->ret_type = b->cast_to[2];
    } else {
        b->ret_type = fn_type(LH_TYPE_LONG);
    }
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err b_timestampadd(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_unit(b, true, eb);
}
static lh_err b_timestampdiff(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_unit(b, false, eb);
}

static int64_t months_add(int64_t local_us, int64_t months)
{
    int64_t days = lh_floordiv(local_us, LH_US_PER_DAY), tod = local_us - days * LH_US_PER_DAY, y;
    int m, d;
    lh_dt_civil_from_days(days, &y, &m, &d);
    int64_t total = y * 12 + (m - 1) + months, ny = lh_floordiv(total, 12);
    int nm = (int)(total - ny * 12) + 1, dim = lh_dt_days_in_month(ny, nm);
    return lh_dt_days_from_civil(ny, nm, d > dim ? dim : d) * LH_US_PER_DAY + tod;
}

/* Local micros of year +-290308 fit; java.time's limit is year +-999999999 but micros of
 * a Spark timestamp cannot go past the int64 range anyway. */
static bool add_one(unit_t u, int64_t local, int64_t q, int64_t *out)
{
    if (u >= U_MONTH) {
        int64_t months;
        if (__builtin_mul_overflow(q, UNIT_MONTHS[u], &months) || months > INT32_MAX ||
            months < INT32_MIN)
            return false;
        *out = months_add(local, months);
        return true;
    }
    int64_t d;
    return !__builtin_mul_overflow(q, UNIT_US[u], &d) && !__builtin_add_overflow(local, d, out);
}

/* Months between two local date-times as LocalDate.until counts them (after the day
 * adjustment for the time of day). */
static int64_t months_between_local(int64_t a, int64_t b)
{
    int64_t da = lh_floordiv(a, LH_US_PER_DAY), db = lh_floordiv(b, LH_US_PER_DAY);
    int64_t ta = a - da * LH_US_PER_DAY, tb = b - db * LH_US_PER_DAY;
    if (db > da && tb < ta)
        db--;
    else if (db < da && tb > ta)
        db++;
    int64_t ya, yb;
    int ma, mb, dda, ddb;
    lh_dt_civil_from_days(da, &ya, &ma, &dda);
    lh_dt_civil_from_days(db, &yb, &mb, &ddb);
    int64_t pa = (ya * 12 + ma - 1) * 32 + dda, pb = (yb * 12 + mb - 1) * 32 + ddb;
    return (pb - pa) / 32;
}

static int64_t diff_one(unit_t u, int64_t a, int64_t b)
{
    if (u >= U_MONTH)
        return months_between_local(a, b) / UNIT_MONTHS[u];
    /* a - b cannot overflow for timestamps Spark can hold in practice; saturate anyway */
    int64_t d;
    if (__builtin_sub_overflow(b, a, &d))
        return b > a ? INT64_MAX / UNIT_US[u] : INT64_MIN / UNIT_US[u];
    return d / UNIT_US[u];
}

static lh_err x_unit(const lh_func_exec_t *x, lh_errbuf *eb)
{
    const unit_bd_t *bd = x->bind_data;
    const lh_tz_t *tz = fn_tz(x->conf);
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        if (bd->add) {
            bool ntz = x->args[2]->type.id == LH_TYPE_TIMESTAMP_NTZ;
            int64_t ts = fn_i64(x->args[2], i), q = fn_i64(x->args[1], i), r;
            int64_t local = ntz ? ts : lh_dt_utc_to_local(tz, ts);
            if (!add_one(bd->unit, local, q, &r)) {
                char op[160];
                snprintf(op, sizeof op, "add %lld %s to TIMESTAMP '%lld'", (long long)q,
                         UNIT_NAME[bd->unit], (long long)ts);
                return lh_sqlerr(eb, "DATETIME_OVERFLOW", "operation", op, NULL);
            }
            fn_put_i64(x->out, i, ntz ? r : lh_dt_local_to_utc(tz, r));
        } else {
            bool ntz = x->args[1]->type.id == LH_TYPE_TIMESTAMP_NTZ;
            int64_t a = fn_i64(x->args[1], i), b = fn_i64(x->args[2], i);
            if (!ntz)
                a = lh_dt_utc_to_local(tz, a), b = lh_dt_utc_to_local(tz, b);
            fn_put_i64(x->out, i, diff_one(bd->unit, a, b));
        }
    }
    return LH_OK;
}

#define F(name, lo, hi, bind, exec)                                                                \
    {                                                                                              \
        name, LH_FUNC_SCALAR, lo, hi, bind, exec, true                                             \
    }
const lh_func_t lh_fn_date_unit[] = {
    F("timestampadd", 3, 3, b_timestampadd, x_unit),
    F("timestampdiff", 3, 3, b_timestampdiff, x_unit),
};
FN_COUNT(lh_fn_date_unit);
