/*
 * date.c - date and time functions: current_*, field extraction (year ... second,
 * date_part/extract), date_add/date_sub/datediff, add_months/months_between, last_day,
 * next_day, trunc/date_trunc, make_date/make_timestamp, unix_* and timestamp_* conversions,
 * from/to_utc_timestamp, and the pattern functions (date_format, to_date, to_timestamp,
 * unix_timestamp, from_unixtime) over datetime.h's patterns.
 *
 * TIMESTAMP inputs are converted to local time in the session zone once per row; DATE
 * functions take DATE (bind asks for a cast from TIMESTAMP or STRING). Constant patterns
 * compile in bind (freed with the arena); others compile per row.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "compute/func/date_fn.h"
#include "compute/func/datetime.h"
#include "compute/func/fn.h"
#include "compute/func/format.h"

static int64_t local_of(const lh_func_exec_t *x, const lh_vec_t *v, size_t i)
{
    int64_t us = fn_i64(v, i);
    return v->type.id == LH_TYPE_TIMESTAMP ? lh_dt_utc_to_local(fn_tz(x->conf), us) : us;
}

/* ---- bind helpers ---- */

static lh_err bind_types(lh_func_bind_t *b, const char *sig, lh_type_id ret)
{
    for (int i = 0; i < b->arg_count && sig[i]; i++) {
        lh_type_id want = sig[i] == 'D'   ? LH_TYPE_DATE
                          : sig[i] == 'T' ? LH_TYPE_TIMESTAMP
                          : sig[i] == 'S' ? LH_TYPE_STRING
                          : sig[i] == 'I' ? LH_TYPE_INT
                          : sig[i] == 'L' ? LH_TYPE_LONG
                          : sig[i] == 'F' ? LH_TYPE_DOUBLE
                                          : b->arg_types[i].id;
        if (sig[i] == 'T' && b->arg_types[i].id == LH_TYPE_TIMESTAMP_NTZ)
            want = LH_TYPE_TIMESTAMP_NTZ;
        b->cast_to[i] = fn_type(want);
    }
    b->ret_type = fn_type(ret);
    b->ret_nullable = true;
    return LH_OK;
}

/* ---- current_* ---- */

static lh_err b_cur_date(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_types(b, "", LH_TYPE_DATE);
}
static lh_err b_cur_ts(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_types(b, "", LH_TYPE_TIMESTAMP);
}
static lh_err b_local_ts(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_types(b, "", LH_TYPE_TIMESTAMP_NTZ);
}
static lh_err b_cur_tz(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_types(b, "", LH_TYPE_STRING);
}

static lh_err x_current(const lh_func_exec_t *x, lh_errbuf *eb)
{
    int64_t now = fn_now_us(x->conf);
    const lh_tz_t *tz = fn_tz(x->conf);
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        switch (x->out->type.id) {
        case LH_TYPE_DATE:
            fn_put_i64(x->out, i, lh_floordiv(lh_dt_utc_to_local(tz, now), LH_US_PER_DAY));
            break;
        case LH_TYPE_TIMESTAMP_NTZ:
            fn_put_i64(x->out, i, lh_dt_utc_to_local(tz, now));
            break;
        case LH_TYPE_STRING:
            LH_TRY(fn_put_str(x->out, i, lh_tz_name(tz), strlen(lh_tz_name(tz))));
            break;
        default:
            fn_put_i64(x->out, i, now);
        }
    }
    return LH_OK;
}

/* ---- fields ---- */

typedef enum {
    FLD_YEAR,
    FLD_QUARTER,
    FLD_MONTH,
    FLD_WEEK,
    FLD_DAY,
    FLD_DOW,
    FLD_DOW_ISO,
    FLD_DOY,
    FLD_HOUR,
    FLD_MINUTE,
    FLD_SECOND,
    FLD_SECOND_DEC,
    FLD_WEEKDAY,
    FLD_YEAROFWEEK
} field_t;

/* ISO week number and week-based year. */
static int iso_week(int64_t days, int64_t *wyear)
{
    int64_t y;
    int m, d;
    lh_dt_civil_from_days(days, &y, &m, &d);
    int wd = lh_dt_iso_weekday(days);
    int64_t thursday = days - wd + 4;
    int64_t ty;
    int tm, td;
    lh_dt_civil_from_days(thursday, &ty, &tm, &td);
    *wyear = ty;
    return (int)((thursday - lh_dt_days_from_civil(ty, 1, 1)) / 7 + 1);
}

static int64_t field_value(field_t f, int64_t local_us, int64_t *frac)
{
    int64_t days = lh_floordiv(local_us, LH_US_PER_DAY), wy;
    lh_civil_t c;
    lh_dt_civil_from_micros(local_us, &c);
    switch (f) {
    case FLD_YEAR:
        return c.year;
    case FLD_QUARTER:
        return (c.month - 1) / 3 + 1;
    case FLD_MONTH:
        return c.month;
    case FLD_WEEK:
        return iso_week(days, &wy);
    case FLD_YEAROFWEEK:
        iso_week(days, &wy);
        return wy;
    case FLD_DAY:
        return c.day;
    case FLD_DOW:
        return lh_dt_iso_weekday(days) % 7 + 1; /* Sunday = 1 */
    case FLD_DOW_ISO:
        return lh_dt_iso_weekday(days);
    case FLD_WEEKDAY:
        return lh_dt_iso_weekday(days) - 1; /* Monday = 0 */
    case FLD_DOY:
        return days - lh_dt_days_from_civil(c.year, 1, 1) + 1;
    case FLD_HOUR:
        return c.hour;
    case FLD_MINUTE:
        return c.minute;
    case FLD_SECOND:
        return c.second;
    default:
        *frac = (int64_t)c.second * 1000000 + c.micros;
        return *frac;
    }
}

static lh_err bind_field(lh_func_bind_t *b, field_t f)
{
    field_t *bd = lh_arena_alloc(b->arena, sizeof *bd);
    *bd = f;
    b->bind_data = bd;
    bool time = f == FLD_HOUR || f == FLD_MINUTE || f == FLD_SECOND || f == FLD_SECOND_DEC;
    lh_type_id in = b->arg_types[0].id;
    b->cast_to[0] = fn_type(
        time ? (in == LH_TYPE_TIMESTAMP_NTZ ? in : LH_TYPE_TIMESTAMP)
             : (in == LH_TYPE_TIMESTAMP || in == LH_TYPE_TIMESTAMP_NTZ ? in : LH_TYPE_DATE));
    b->ret_type = f == FLD_SECOND_DEC ? lh_type_decimal(8, 6) : fn_type(LH_TYPE_INT);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_field(const lh_func_exec_t *x, lh_errbuf *eb)
{
    field_t f = *(const field_t *)x->bind_data;
    const lh_vec_t *a = x->args[x->arg_count - 1];
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_null(a, i) || a->type.id == LH_TYPE_NULL) {
            fn_put_null(x->out, i);
            continue;
        }
        int64_t local =
            a->type.id == LH_TYPE_DATE ? fn_i64(a, i) * LH_US_PER_DAY : local_of(x, a, i);
        int64_t frac = 0, v = field_value(f, local, &frac);
        if (f == FLD_SECOND_DEC)
            lh_dec_put(x->out, i, frac);
        else
            fn_put_i64(x->out, i, v);
    }
    return LH_OK;
}

#define FIELD(fn, f)                                                                               \
    static lh_err fn(lh_func_bind_t *b, lh_errbuf *eb)                                             \
    {                                                                                              \
        return bind_field(b, f);                                                                   \
    }
FIELD(b_year, FLD_YEAR)
FIELD(b_quarter, FLD_QUARTER)
FIELD(b_month, FLD_MONTH)
FIELD(b_day, FLD_DAY)
FIELD(b_dow, FLD_DOW)
FIELD(b_doy, FLD_DOY)
FIELD(b_week, FLD_WEEK)
FIELD(b_weekday, FLD_WEEKDAY)
FIELD(b_hour, FLD_HOUR)
FIELD(b_minute, FLD_MINUTE)
FIELD(b_second, FLD_SECOND)

/* date_part(field, source) / extract */
static const struct {
    const char *name;
    field_t f;
} FIELD_NAMES[] = {
    {"YEAR", FLD_YEAR},
    {"Y", FLD_YEAR},
    {"YEARS", FLD_YEAR},
    {"YR", FLD_YEAR},
    {"YRS", FLD_YEAR},
    {"YEAROFWEEK", FLD_YEAROFWEEK},
    {"QUARTER", FLD_QUARTER},
    {"QTR", FLD_QUARTER},
    {"MONTH", FLD_MONTH},
    {"MON", FLD_MONTH},
    {"MONS", FLD_MONTH},
    {"MONTHS", FLD_MONTH},
    {"WEEK", FLD_WEEK},
    {"W", FLD_WEEK},
    {"WEEKS", FLD_WEEK},
    {"DAY", FLD_DAY},
    {"D", FLD_DAY},
    {"DAYS", FLD_DAY},
    {"DAYOFMONTH", FLD_DAY},
    {"DAYOFWEEK", FLD_DOW},
    {"DOW", FLD_DOW},
    {"DAYOFWEEK_ISO", FLD_DOW_ISO},
    {"DOW_ISO", FLD_DOW_ISO},
    {"DOY", FLD_DOY},
    {"HOUR", FLD_HOUR},
    {"H", FLD_HOUR},
    {"HOURS", FLD_HOUR},
    {"HR", FLD_HOUR},
    {"HRS", FLD_HOUR},
    {"MINUTE", FLD_MINUTE},
    {"M", FLD_MINUTE},
    {"MIN", FLD_MINUTE},
    {"MINS", FLD_MINUTE},
    {"MINUTES", FLD_MINUTE},
    {"SECOND", FLD_SECOND_DEC},
    {"S", FLD_SECOND_DEC},
    {"SEC", FLD_SECOND_DEC},
    {"SECONDS", FLD_SECOND_DEC},
    {"SECS", FLD_SECOND_DEC},
};

typedef struct part_bd {
    field_t f;
    bool interval;
    bool null_field; /* date_part(NULL, x): every row NULL */
} part_bd_t;

static lh_err b_date_part(lh_func_bind_t *b, lh_errbuf *eb)
{
    const lh_value_t *fv = b->const_args ? b->const_args[0] : NULL;
    if (fv && fv->is_null) { /* date_part(NULL, x) is NULL */
        /* Spark types it DOUBLE whatever the source (a null literal of DoubleType) */
        part_bd_t *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
        bd->f = FLD_YEAR;
        bd->null_field = true;
        b->bind_data = bd;
        b->ret_type = fn_type(LH_TYPE_DOUBLE);
        b->ret_nullable = true;
        return LH_OK;
    }
    if (fv == NULL || fv->type.id != LH_TYPE_STRING)
        return lh_sqlerr(eb, "NON_FOLDABLE_ARGUMENT", "funcName", "`date_part`", "paramName",
                         "`field`", "paramType", "\"STRING\"", NULL);
    char name[32];
    snprintf(name, sizeof name, "%.*s", (int)(fv->v.str.len < 31 ? fv->v.str.len : 31),
             (const char *)fv->v.str.ptr);
    int hit = -1;
    for (size_t k = 0; k < sizeof FIELD_NAMES / sizeof FIELD_NAMES[0] && hit < 0; k++)
        if (strcasecmp(name, FIELD_NAMES[k].name) == 0)
            hit = (int)k;
    lh_type_id src = b->arg_types[1].id;
    bool iv = lh_type_is_interval(src);
    if (hit < 0 || (iv && FIELD_NAMES[hit].f > FLD_SECOND_DEC) ||
        (src == LH_TYPE_INTERVAL_YM && FIELD_NAMES[hit].f > FLD_MONTH) ||
        (src == LH_TYPE_INTERVAL_DT && FIELD_NAMES[hit].f < FLD_DAY)) {
        char f[48], t[64];
        snprintf(f, sizeof f, "`%s`", name);
        snprintf(t, sizeof t, "\"%s\"", b->arg_sql ? b->arg_sql[1] : "?");
        return lh_sqlerr(eb, "INVALID_EXTRACT_FIELD", "field", f, "expr", t, NULL);
    }
    part_bd_t *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    bd->f = FIELD_NAMES[hit].f;
    bd->interval = iv;
    b->bind_data = bd;
    if (iv) {
        b->ret_type = bd->f == FLD_SECOND_DEC ? lh_type_decimal(8, 6)
                      : bd->f == FLD_YEAR || bd->f == FLD_DAY
                          ? fn_type(src == LH_TYPE_INTERVAL_YM ? LH_TYPE_INT : LH_TYPE_INT)
                          : fn_type(LH_TYPE_BYTE);
        if (bd->f == FLD_HOUR || bd->f == FLD_MINUTE || bd->f == FLD_MONTH)
            b->ret_type = fn_type(LH_TYPE_BYTE);
        if (bd->f == FLD_HOUR)
            b->ret_type = fn_type(LH_TYPE_BYTE);
        b->ret_nullable = true;
        return LH_OK;
    }
    lh_func_bind_t sub = *b;
    sub.arg_count = 1;
    sub.arg_types = b->arg_types + 1;
    sub.cast_to = b->cast_to + 1;
    LH_TRY(bind_field(&sub, bd->f));
    b->ret_type = sub.ret_type;
    b->ret_nullable = true;
    *(field_t *)sub.bind_data = bd->f;
    bd->f = bd->f;
    return LH_OK;
}

static lh_err x_date_part(const lh_func_exec_t *x, lh_errbuf *eb)
{
    const part_bd_t *bd = x->bind_data;
    if (bd->null_field || x->args[1]->type.id == LH_TYPE_NULL) {
        fn_begin(x);
        for (size_t i = 0; i < x->rows; i++)
            fn_put_null(x->out, i);
        return LH_OK;
    }
    if (!bd->interval) {
        lh_func_exec_t y = *x;
        y.bind_data = &bd->f;
        return x_field(&y, eb);
    }
    const lh_vec_t *a = x->args[1];
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_null(a, i)) {
            fn_put_null(x->out, i);
            continue;
        }
        int64_t v = fn_i64(a, i), r;
        switch (bd->f) {
        case FLD_YEAR:
            r = v / 12;
            break;
        case FLD_MONTH:
            r = v % 12;
            break;
        case FLD_DAY:
            r = v / LH_US_PER_DAY;
            break;
        case FLD_HOUR:
            r = v / 3600000000LL % 24;
            break;
        case FLD_MINUTE:
            r = v / 60000000LL % 60;
            break;
        default:
            r = v % 60000000LL;
            break;
        }
        if (bd->f == FLD_SECOND_DEC)
            lh_dec_put(x->out, i, r);
        else
            fn_put_i64(x->out, i, r);
    }
    return LH_OK;
}

/* ---- date arithmetic ---- */

static lh_err b_date_add(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_id t = b->arg_types[1].id;
    if (t != LH_TYPE_NULL && (!lh_type_is_integral(t) || t == LH_TYPE_LONG) && t != LH_TYPE_STRING)
        return fn_bad_input(b, eb, "date_add", 1, "(\"INT\" or \"SMALLINT\" or \"TINYINT\")");
    return bind_types(b, "DI", LH_TYPE_DATE);
}

static lh_err x_date_add_sign(const lh_func_exec_t *x, int sign)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        fn_put_i64(x->out, i, fn_i64(x->args[0], i) + sign * fn_i64(x->args[1], i));
    }
    return LH_OK;
}
static lh_err x_date_add(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return x_date_add_sign(x, 1);
}
static lh_err x_date_sub(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return x_date_add_sign(x, -1);
}

static lh_err b_datediff(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_types(b, "DD", LH_TYPE_INT);
}
static lh_err x_datediff(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++)
        if (!fn_any_null(x, i))
            fn_put_i64(x->out, i, fn_i64(x->args[0], i) - fn_i64(x->args[1], i));
    return LH_OK;
}

static int64_t add_months(int64_t days, int64_t months)
{
    int64_t y;
    int m, d;
    lh_dt_civil_from_days(days, &y, &m, &d);
    int64_t total = y * 12 + (m - 1) + months, ny = lh_floordiv(total, 12);
    int nm = (int)(total - ny * 12) + 1, dim = lh_dt_days_in_month(ny, nm);
    return lh_dt_days_from_civil(ny, nm, d > dim ? dim : d);
}

static lh_err b_add_months(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_types(b, "DI", LH_TYPE_DATE);
}
static lh_err x_add_months(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++)
        if (!fn_any_null(x, i))
            fn_put_i64(x->out, i, add_months(fn_i64(x->args[0], i), fn_i64(x->args[1], i)));
    return LH_OK;
}

static lh_err b_last_day(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_types(b, "D", LH_TYPE_DATE);
}
static lh_err x_last_day(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        int64_t y;
        int m, d;
        lh_dt_civil_from_days(fn_i64(x->args[0], i), &y, &m, &d);
        fn_put_i64(x->out, i, lh_dt_days_from_civil(y, m, lh_dt_days_in_month(y, m)));
    }
    return LH_OK;
}

/* months_between(t1, t2[, roundOff]): Spark's rule (31-day months, 8-digit rounding). */
static lh_err b_months_between(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_types(b, "TTX", LH_TYPE_DOUBLE);
}
static lh_err x_months_between(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        int64_t l1 = local_of(x, x->args[0], i), l2 = local_of(x, x->args[1], i);
        bool round_off = x->arg_count < 3 || fn_i64(x->args[2], i);
        lh_civil_t a, b;
        lh_dt_civil_from_micros(l1, &a);
        lh_dt_civil_from_micros(l2, &b);
        double months = (double)((a.year - b.year) * 12 + (a.month - b.month));
        bool a_last = a.day == lh_dt_days_in_month(a.year, a.month);
        bool b_last = b.day == lh_dt_days_in_month(b.year, b.month);
        double r;
        if (a.day == b.day || (a_last && b_last)) {
            r = months;
        } else {
            int64_t sa = lh_floormod(l1, LH_US_PER_DAY), sb = lh_floormod(l2, LH_US_PER_DAY);
            double diff = (double)(a.day - b.day) * LH_US_PER_DAY + (double)(sa - sb);
            r = months + diff / (31.0 * LH_US_PER_DAY);
        }
        if (round_off)
            r = round(r * 1e8) / 1e8;
        fn_put_f64(x->out, i, r);
    }
    return LH_OK;
}

static int dow_of(lh_sv_t s)
{
    static const char *const names[][3] = {{"MO", "MON", "MONDAY"},    {"TU", "TUE", "TUESDAY"},
                                           {"WE", "WED", "WEDNESDAY"}, {"TH", "THU", "THURSDAY"},
                                           {"FR", "FRI", "FRIDAY"},    {"SA", "SAT", "SATURDAY"},
                                           {"SU", "SUN", "SUNDAY"}};
    for (int d = 0; d < 7; d++)
        for (int k = 0; k < 3; k++)
            if (strlen(names[d][k]) == s.len &&
                strncasecmp((const char *)s.ptr, names[d][k], s.len) == 0)
                return d + 1;
    return 0;
}

static lh_err b_next_day(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_types(b, "DS", LH_TYPE_DATE);
}
static lh_err x_next_day(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[1], i);
        int want = dow_of(s);
        if (want == 0) {
            char v[80];
            snprintf(v, sizeof v, "%.*s", (int)(s.len < 60 ? s.len : 60), (const char *)s.ptr);
            return lh_sqlerr(eb, "ILLEGAL_DAY_OF_WEEK", "string", v, NULL);
        }
        int64_t d = fn_i64(x->args[0], i);
        int cur = lh_dt_iso_weekday(d), delta = (want - cur + 7) % 7;
        fn_put_i64(x->out, i, d + (delta == 0 ? 7 : delta));
    }
    return LH_OK;
}

/* ---- trunc / date_trunc ---- */

typedef enum {
    TU_YEAR,
    TU_QUARTER,
    TU_MONTH,
    TU_WEEK,
    TU_DAY,
    TU_HOUR,
    TU_MINUTE,
    TU_SECOND,
    TU_MS,
    TU_US,
    TU_NONE
} tunit_t;

static tunit_t tunit_of(lh_sv_t s)
{
    static const struct {
        const char *n;
        tunit_t u;
    } t[] = {{"YEAR", TU_YEAR},       {"YYYY", TU_YEAR},      {"YY", TU_YEAR},
             {"QUARTER", TU_QUARTER}, {"MONTH", TU_MONTH},    {"MM", TU_MONTH},
             {"MON", TU_MONTH},       {"WEEK", TU_WEEK},      {"DAY", TU_DAY},
             {"DD", TU_DAY},          {"HOUR", TU_HOUR},      {"MINUTE", TU_MINUTE},
             {"SECOND", TU_SECOND},   {"MILLISECOND", TU_MS}, {"MICROSECOND", TU_US}};
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
        if (strlen(t[k].n) == s.len && strncasecmp((const char *)s.ptr, t[k].n, s.len) == 0)
            return t[k].u;
    return TU_NONE;
}

static int64_t trunc_days(int64_t days, tunit_t u)
{
    int64_t y;
    int m, d;
    lh_dt_civil_from_days(days, &y, &m, &d);
    switch (u) {
    case TU_YEAR:
        return lh_dt_days_from_civil(y, 1, 1);
    case TU_QUARTER:
        return lh_dt_days_from_civil(y, (m - 1) / 3 * 3 + 1, 1);
    case TU_MONTH:
        return lh_dt_days_from_civil(y, m, 1);
    case TU_WEEK:
        return days - lh_dt_iso_weekday(days) + 1;
    default:
        return days;
    }
}

static lh_err b_trunc(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_types(b, "DS", LH_TYPE_DATE);
}
static lh_err x_trunc(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        tunit_t u = tunit_of(fn_str(x->args[1], i));
        if (u > TU_WEEK)
            LH_TRY(fn_put_null(x->out, i));
        else
            fn_put_i64(x->out, i, trunc_days(fn_i64(x->args[0], i), u));
    }
    return LH_OK;
}

static lh_err b_date_trunc(lh_func_bind_t *b, lh_errbuf *eb)
{
    bind_types(b, "ST", LH_TYPE_TIMESTAMP);
    b->ret_type = b->cast_to[1];
    return LH_OK;
}
static lh_err x_date_trunc(const lh_func_exec_t *x, lh_errbuf *eb)
{
    const lh_tz_t *tz = fn_tz(x->conf);
    bool ntz = x->args[1]->type.id == LH_TYPE_TIMESTAMP_NTZ;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        tunit_t u = tunit_of(fn_str(x->args[0], i));
        if (u == TU_NONE) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        int64_t local = local_of(x, x->args[1], i), r;
        int64_t days = lh_floordiv(local, LH_US_PER_DAY);
        static const int64_t unit[] = {
            0, 0, 0, 0, LH_US_PER_DAY, 3600000000LL, 60000000LL, 1000000LL, 1000LL, 1LL};
        r = u <= TU_WEEK ? trunc_days(days, u) * LH_US_PER_DAY
                         : lh_floordiv(local, unit[u]) * unit[u];
        fn_put_i64(x->out, i, ntz ? r : lh_dt_local_to_utc(tz, r));
    }
    return LH_OK;
}

/* ---- make_date / make_timestamp ---- */

static lh_err field_bounds(lh_errbuf *eb, const char *what, int64_t v, const char *range)
{
    char msg[160];
    snprintf(msg, sizeof msg, "Invalid value for %s (valid values %s): %lld", what, range,
             (long long)v);
    return lh_sqlerr(eb, "DATETIME_FIELD_OUT_OF_BOUNDS", "rangeMessage", msg, "ansiConfig",
                     "\"spark.sql.ansi.enabled\"", NULL);
}

static lh_err check_ymd(int64_t y, int64_t m, int64_t d, lh_errbuf *eb)
{
    if (y < -999999999 || y > 999999999)
        return field_bounds(eb, "Year", y, "-999999999 - 999999999");
    if (m < 1 || m > 12)
        return field_bounds(eb, "MonthOfYear", m, "1 - 12");
    if (d < 1 || d > 31)
        return field_bounds(eb, "DayOfMonth", d, "1 - 28/31");
    if (d > lh_dt_days_in_month(y, (int)m)) {
        static const char *const mn[] = {"JANUARY",   "FEBRUARY", "MARCH",    "APRIL",
                                         "MAY",       "JUNE",     "JULY",     "AUGUST",
                                         "SEPTEMBER", "OCTOBER",  "NOVEMBER", "DECEMBER"};
        char msg[96];
        if (m == 2 && d == 29)
            snprintf(msg, sizeof msg, "Invalid date 'February 29' as '%lld' is not a leap year",
                     (long long)y);
        else
            snprintf(msg, sizeof msg, "Invalid date '%s %lld'", mn[m - 1], (long long)d);
        return lh_sqlerr(eb, "DATETIME_FIELD_OUT_OF_BOUNDS", "rangeMessage", msg, "ansiConfig",
                         "\"spark.sql.ansi.enabled\"", NULL);
    }
    return LH_OK;
}

static lh_err b_make_date(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_types(b, "III", LH_TYPE_DATE);
}
static lh_err x_make_date(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        int64_t y = fn_i64(x->args[0], i), m = fn_i64(x->args[1], i), d = fn_i64(x->args[2], i);
        LH_TRY(check_ymd(y, m, d, eb));
        fn_put_i64(x->out, i, lh_dt_days_from_civil(y, (int)m, (int)d));
    }
    return LH_OK;
}

static lh_err b_make_ts(lh_func_bind_t *b, lh_errbuf *eb)
{
    bind_types(b, "IIIIISS", LH_TYPE_TIMESTAMP);
    b->cast_to[5] = lh_type_decimal(16, 6);
    return LH_OK;
}
/* make_timestamp_ntz(year, month, day, hour, min, sec): the same fields, no zone. */
static lh_err b_make_ts_ntz(lh_func_bind_t *b, lh_errbuf *eb)
{
    bind_types(b, "IIIIIS", LH_TYPE_TIMESTAMP_NTZ);
    b->cast_to[5] = lh_type_decimal(16, 6);
    return LH_OK;
}
/* Row i (no argument null) of make_timestamp*: the value into x->out, or the error. */
static lh_err make_ts_row(const lh_func_exec_t *x, size_t i, lh_errbuf *eb)
{
    int64_t f[5];
    for (int k = 0; k < 5; k++)
        f[k] = fn_i64(x->args[k], i);
    lh_i128 sec = lh_dec_get(x->args[5], i);
    LH_TRY(check_ymd(f[0], f[1], f[2], eb));
    if (f[3] < 0 || f[3] > 23)
        return field_bounds(eb, "HourOfDay", f[3], "0 - 23");
    if (f[4] < 0 || f[4] > 59)
        return field_bounds(eb, "MinuteOfHour", f[4], "0 - 59");
    if (sec >= 61000000 || sec < 0)
        return field_bounds(eb, "SecondOfMinute", (int64_t)(sec / 1000000), "0 - 59");
    if (sec > 60000000) {
        char v[48];
        lh_dec_format(sec, 6, v, sizeof v);
        return lh_sqlerr(eb, "INVALID_FRACTION_OF_SECOND", "secAndMicros", v, NULL);
    }
    lh_civil_t c = {
        .year = f[0], .month = (int)f[1], .day = (int)f[2], .hour = (int)f[3], .minute = (int)f[4]};
    int64_t local = lh_dt_micros_from_civil(&c) + (int64_t)sec;
    if (x->out->type.id == LH_TYPE_TIMESTAMP_NTZ) {
        fn_put_i64(x->out, i, local);
        return LH_OK;
    }
    const lh_tz_t *tz = fn_tz(x->conf);
    if (x->arg_count > 6) {
        lh_sv_t z = fn_str(x->args[6], i);
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(z.len < 63 ? z.len : 63), (const char *)z.ptr);
        tz = lh_tz_get(name);
        if (tz == NULL)
            return lh_sqlerr(eb, "INVALID_TIMEZONE", "timeZone", name, NULL);
    }
    fn_put_i64(x->out, i, lh_dt_local_to_utc(tz, local));
    return LH_OK;
}

lh_err lh_fn_make_ts_exec(const lh_func_exec_t *x, bool try_, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_err e = make_ts_row(x, i, eb);
        if (e != LH_OK && !try_)
            return e;
        if (e != LH_OK) {
            lh_errbuf_clear(eb);
            LH_TRY(fn_put_null(x->out, i));
        }
    }
    return LH_OK;
}
static lh_err x_make_ts(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return lh_fn_make_ts_exec(x, false, eb);
}

/* ---- make_ym_interval(years, months), make_dt_interval(days, hours, mins, secs) ---- */

static lh_err b_make_ym(lh_func_bind_t *b, lh_errbuf *eb)
{
    bind_types(b, "II", LH_TYPE_INTERVAL_YM);
    b->ret_type.precision = 1, b->ret_type.scale = 2;
    return LH_OK;
}

static lh_err b_make_dt(lh_func_bind_t *b, lh_errbuf *eb)
{
    bind_types(b, "III", LH_TYPE_INTERVAL_DT);
    if (b->arg_count > 3)
        b->cast_to[3] = lh_type_decimal(18, 6);
    b->ret_type.precision = 1, b->ret_type.scale = 4;
    return LH_OK;
}

static lh_err iv_overflow(lh_errbuf *eb)
{
    return lh_sqlerr(eb, "INTERVAL_ARITHMETIC_OVERFLOW.WITHOUT_SUGGESTION", NULL);
}

static lh_err x_make_ym(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        int64_t y = x->arg_count > 0 ? fn_i64(x->args[0], i) : 0;
        int64_t m = y * 12 + (x->arg_count > 1 ? fn_i64(x->args[1], i) : 0);
        if (m > INT32_MAX || m < INT32_MIN)
            return iv_overflow(eb);
        fn_put_i64(x->out, i, m);
    }
    return LH_OK;
}

static lh_err x_make_dt(const lh_func_exec_t *x, lh_errbuf *eb)
{
    static const int64_t unit[] = {LH_US_PER_DAY, 3600000000LL, 60000000LL};
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        int64_t us = 0, t;
        for (int k = 0; k < 3 && k < x->arg_count; k++)
            if (__builtin_mul_overflow(fn_i64(x->args[k], i), unit[k], &t) ||
                __builtin_add_overflow(us, t, &us))
                return iv_overflow(eb);
        if (x->arg_count > 3) {
            lh_i128 s = lh_dec_get(x->args[3], i);
            if (s > INT64_MAX || s < INT64_MIN || __builtin_add_overflow(us, (int64_t)s, &us))
                return iv_overflow(eb);
        }
        fn_put_i64(x->out, i, us);
    }
    return LH_OK;
}

/* ---- make_interval(years, months, weeks, days, hours, mins, secs): a calendar INTERVAL ---- */

static lh_err b_make_interval(lh_func_bind_t *b, lh_errbuf *eb)
{
    bind_types(b, "IIIIII", LH_TYPE_INTERVAL_CAL);
    if (b->arg_count > 6)
        b->cast_to[6] = lh_type_decimal(18, 6);
    return LH_OK;
}

/* Spark's IntervalUtils.makeInterval: months and days exact in int, micros in long. */
static lh_err make_interval_rows(const lh_func_exec_t *x, bool try_, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        int64_t a[6] = {0, 0, 0, 0, 0, 0}, months, days, micros = 0, t;
        for (int k = 0; k < 6 && k < x->arg_count; k++)
            a[k] = fn_i64(x->args[k], i);
        bool ovf = __builtin_mul_overflow(a[0], 12, &months) ||
                   __builtin_add_overflow(months, a[1], &months) || months > INT32_MAX ||
                   months < INT32_MIN || __builtin_mul_overflow(a[2], 7, &days) ||
                   __builtin_add_overflow(days, a[3], &days) || days > INT32_MAX ||
                   days < INT32_MIN;
        const char *what = ovf ? "integer overflow" : "long overflow";
        if (!ovf && x->arg_count > 6) {
            lh_i128 s = lh_dec_get(x->args[6], i);
            ovf = s > INT64_MAX || s < INT64_MIN;
            micros = (int64_t)s;
        }
        ovf = ovf || __builtin_mul_overflow(a[4], 3600000000LL, &t) ||
              __builtin_add_overflow(micros, t, &micros) ||
              __builtin_mul_overflow(a[5], 60000000LL, &t) ||
              __builtin_add_overflow(micros, t, &micros);
        if (ovf) {
            if (try_) {
                fn_put_null(x->out, i);
                continue;
            }
            return lh_sqlerr(
                eb, "ARITHMETIC_OVERFLOW", "message", what, "alternative",
                " Use 'try_make_interval' to tolerate overflow and return NULL instead.", "config",
                "\"spark.sql.ansi.enabled\"", NULL);
        }
        uint8_t b[LH_CAL_IV_BYTES];
        lh_cal_iv_encode((lh_cal_iv_t){(int32_t)months, (int32_t)days, micros}, b);
        LH_TRY(fn_put_str(x->out, i, b, sizeof b));
    }
    return LH_OK;
}

static lh_err x_make_interval(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return make_interval_rows(x, false, eb);
}

static lh_err x_try_make_interval(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return make_interval_rows(x, true, eb);
}

/* ---- epoch conversions ---- */

typedef enum {
    EP_UNIX_DATE,
    EP_SECONDS,
    EP_MILLIS,
    EP_MICROS,
    EP_TS_SEC,
    EP_TS_MS,
    EP_TS_US,
    EP_DATE_FROM
} epoch_t;

static lh_err bind_epoch(lh_func_bind_t *b, epoch_t k)
{
    epoch_t *bd = lh_arena_alloc(b->arena, sizeof *bd);
    *bd = k;
    b->bind_data = bd;
    switch (k) {
    case EP_UNIX_DATE:
        return bind_types(b, "D", LH_TYPE_INT);
    case EP_SECONDS:
    case EP_MILLIS:
    case EP_MICROS:
        return bind_types(b, "T", LH_TYPE_LONG);
    case EP_DATE_FROM:
        return bind_types(b, "I", LH_TYPE_DATE);
    case EP_TS_SEC:
        bind_types(b, "X", LH_TYPE_TIMESTAMP);
        if (!lh_type_is_integral(b->arg_types[0].id))
            b->cast_to[0] =
                lh_type_is_numeric(b->arg_types[0].id) && b->arg_types[0].id == LH_TYPE_DECIMAL
                    ? b->arg_types[0]
                    : fn_type(LH_TYPE_DOUBLE);
        else
            b->cast_to[0] = fn_type(LH_TYPE_LONG);
        return LH_OK;
    default:
        return bind_types(b, "L", LH_TYPE_TIMESTAMP);
    }
}

static lh_err x_epoch(const lh_func_exec_t *x, lh_errbuf *eb)
{
    epoch_t k = *(const epoch_t *)x->bind_data;
    const lh_vec_t *a = x->args[0];
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        int64_t r = 0;
        switch (k) {
        case EP_SECONDS:
            r = lh_floordiv(fn_i64(a, i), 1000000);
            break;
        case EP_MILLIS:
            r = lh_floordiv(fn_i64(a, i), 1000);
            break;
        case EP_TS_SEC:
            if (a->type.id == LH_TYPE_DOUBLE) {
                double d = fn_f64(a, i) * 1e6;
                if (!isfinite(d)) {
                    fn_put_null(x->out, i);
                    continue;
                }
                if (fabs(d) >= 9.2e18)
                    return lh_sqlerr(eb, "ARITHMETIC_OVERFLOW", "message", "long overflow",
                                     "alternative", "", "config", "\"spark.sql.ansi.enabled\"",
                                     NULL);
                r = (int64_t)d;
            } else if (a->type.id == LH_TYPE_DECIMAL) {
                lh_i128 u, dv = lh_dec_get(a, i), back;
                lh_dec_rescale(dv, a->type.scale, 6, false, &u);
                /* BigDecimal.longValueExact: digits below a microsecond are an error */
                LH_FAIL_IF(a->type.scale > 6 &&
                               (!lh_dec_rescale(u, 6, a->type.scale, false, &back) || back != dv),
                           LH_E_INVALID, eb, "Rounding necessary");
                LH_FAIL_IF(u > INT64_MAX || u < INT64_MIN, LH_E_INVALID, eb,
                           "Overflow"); /* BigDecimal.longValueExact */
                r = (int64_t)u;
            } else if (__builtin_mul_overflow(fn_i64(a, i), 1000000, &r)) {
                return lh_sqlerr(eb, "ARITHMETIC_OVERFLOW", "message", "long overflow",
                                 "alternative", "", "config", "\"spark.sql.ansi.enabled\"", NULL);
            }
            break;
        case EP_TS_MS:
            if (__builtin_mul_overflow(fn_i64(a, i), 1000, &r))
                return lh_sqlerr(eb, "ARITHMETIC_OVERFLOW", "message", "long overflow",
                                 "alternative", "", "config", "\"spark.sql.ansi.enabled\"", NULL);
            break;
        default:
            r = fn_i64(a, i);
            break;
        }
        fn_put_i64(x->out, i, r);
    }
    return LH_OK;
}

#define EPOCH(fn, k)                                                                               \
    static lh_err fn(lh_func_bind_t *b, lh_errbuf *eb)                                             \
    {                                                                                              \
        return bind_epoch(b, k);                                                                   \
    }
EPOCH(b_unix_date, EP_UNIX_DATE)
EPOCH(b_unix_seconds, EP_SECONDS)
EPOCH(b_unix_millis, EP_MILLIS)
EPOCH(b_unix_micros, EP_MICROS)
EPOCH(b_ts_seconds, EP_TS_SEC)
EPOCH(b_ts_millis, EP_TS_MS)
EPOCH(b_ts_micros, EP_TS_US)
EPOCH(b_date_from_unix, EP_DATE_FROM)

/* dayname(date), monthname(date) (Spark 4): the English three-letter names (EEE, MMM). */
static lh_err b_day_month_name(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_types(b, "D", LH_TYPE_STRING);
}

static lh_err x_name_of(const lh_func_exec_t *x, bool month)
{
    static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const lh_vec_t *a = x->args[0];
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (a->type.id == LH_TYPE_NULL || fn_null(a, i)) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        int64_t days_ = fn_i64(a, i);
        const char *n;
        if (month) {
            lh_civil_t c;
            lh_dt_civil_from_micros(days_ * LH_US_PER_DAY, &c);
            n = months[c.month - 1];
        } else {
            n = days[lh_floormod(days_ + 3, 7)]; /* 1970-01-01 was a Thursday */
        }
        LH_TRY(fn_put_str(x->out, i, n, 3));
    }
    return LH_OK;
}

static lh_err x_dayname(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    return x_name_of(x, false);
}

static lh_err x_monthname(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    return x_name_of(x, true);
}

/* ---- from_utc_timestamp / to_utc_timestamp ---- */

static lh_err b_utc(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_types(b, "TS", LH_TYPE_TIMESTAMP);
}

static lh_err utc_shift(const lh_func_exec_t *x, bool from, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t z = fn_str(x->args[1], i);
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(z.len < 63 ? z.len : 63), (const char *)z.ptr);
        const lh_tz_t *tz = lh_tz_get(name);
        if (tz == NULL)
            return lh_sqlerr(eb, "INVALID_TIMEZONE", "timeZone", name, NULL);
        int64_t ts = fn_i64(x->args[0], i);
        /* Spark's convertTz: the wall time in one zone read as the same wall time in the
         * other (UTC <-> tz); the session zone plays no part */
        int64_t r = from ? lh_dt_utc_to_local(tz, ts) : lh_dt_local_to_utc(tz, ts);
        fn_put_i64(x->out, i, r);
    }
    return LH_OK;
}
static lh_err x_from_utc(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return utc_shift(x, true, eb);
}
static lh_err x_to_utc(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return utc_shift(x, false, eb);
}

/* ---- patterns: date_format, to_timestamp, to_date, unix_timestamp, from_unixtime ---- */

typedef struct pat_bd {
    lh_dtpat_t *pat; /* NULL: no pattern argument or not constant */
    bool try_;
    int kind; /* 0 format, 1 to_timestamp, 2 to_date, 3 unix_timestamp, 4 from_unixtime */
    int pat_arg;
} pat_bd_t;

static void free_pat(void *p)
{
    lh_dtpat_free(p);
}

lh_err lh_fn_bind_pattern(lh_func_bind_t *b, int kind, bool try_, int pat_arg, lh_errbuf *eb)
{
    pat_bd_t *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    bd->kind = kind, bd->try_ = try_, bd->pat_arg = pat_arg;
    b->bind_data = bd;
    if (pat_arg < b->arg_count) {
        b->cast_to[pat_arg] = fn_type(LH_TYPE_STRING);
        const lh_value_t *p = b->const_args ? b->const_args[pat_arg] : NULL;
        if (p && !p->is_null && p->type.id == LH_TYPE_STRING) {
            char *txt = lh_arena_strndup(b->arena, (const char *)p->v.str.ptr, p->v.str.len);
            LH_TRY(lh_dtpat_compile(txt, &bd->pat, eb));
            lh_arena_defer(b->arena, free_pat, bd->pat);
        }
    }
    b->ret_nullable = true;
    lh_type_id a0 = b->arg_types[0].id;
    switch (kind) {
    case 0:
        b->cast_to[0] = fn_type(a0 == LH_TYPE_TIMESTAMP_NTZ ? a0 : LH_TYPE_TIMESTAMP);
        b->ret_type = fn_type(LH_TYPE_STRING);
        break;
    case 1:
    case 2:
    case 3:
        if (kind == 1 && lh_type_is_numeric(a0))
            b->cast_to[0] = fn_type(LH_TYPE_TIMESTAMP);
        else if (a0 != LH_TYPE_DATE && a0 != LH_TYPE_TIMESTAMP && a0 != LH_TYPE_TIMESTAMP_NTZ)
            b->cast_to[0] = fn_type(LH_TYPE_STRING);
        b->ret_type = fn_type(kind == 1   ? LH_TYPE_TIMESTAMP
                              : kind == 2 ? LH_TYPE_DATE
                                          : LH_TYPE_LONG);
        break;
    default:
        b->cast_to[0] = fn_type(LH_TYPE_LONG);
        b->ret_type = fn_type(LH_TYPE_STRING);
    }
    return LH_OK;
}

/* Parse text with the pattern to UTC micros (or session-local for dates). */
static bool parse_with(const lh_dtpat_t *p, lh_sv_t s, const lh_tz_t *tz, int64_t *utc)
{
    lh_civil_t c;
    bool has_zone;
    int32_t off;
    const lh_tz_t *zone;
    if (!lh_dtpat_parse(p, (const char *)s.ptr, s.len, &c, &has_zone, &off, &zone))
        return false;
    int64_t local = lh_dt_micros_from_civil(&c);
    *utc = zone       ? lh_dt_local_to_utc(zone, local)
           : has_zone ? local - (int64_t)off * LH_US_PER_SEC
                      : lh_dt_local_to_utc(tz, local);
    return true;
}

static lh_err parse_fail(const pat_bd_t *bd, lh_vec_t *out, size_t i, lh_sv_t s, lh_errbuf *eb)
{
    if (bd->try_)
        return fn_put_null(out, i);
    char msg[300];
    snprintf(msg, sizeof msg, "Text '%.*s' could not be parsed at index 0",
             (int)(s.len < 200 ? s.len : 200), (const char *)s.ptr);
    return lh_sqlerr(eb, "CANNOT_PARSE_TIMESTAMP", "message", msg, "func", "`try_to_timestamp`",
                     NULL);
}

static lh_err x_pattern(const lh_func_exec_t *x, lh_errbuf *eb)
{
    const pat_bd_t *bd = x->bind_data;
    const lh_tz_t *tz = fn_tz(x->conf);
    const lh_vec_t *a = x->args[0];
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_dtpat_t *own = NULL;
        const lh_dtpat_t *p = bd->pat;
        if (p == NULL && bd->pat_arg < x->arg_count) {
            lh_sv_t ps = fn_str(x->args[bd->pat_arg], i);
            char txt[256];
            snprintf(txt, sizeof txt, "%.*s", (int)(ps.len < 255 ? ps.len : 255),
                     (const char *)ps.ptr);
            LH_TRY(lh_dtpat_compile(txt, &own, eb));
            p = own;
        }
        lh_err e = LH_OK;
        if (bd->kind == 0 || bd->kind == 4) { /* format */
            int64_t utc = bd->kind == 4 ? fn_i64(a, i) * LH_US_PER_SEC : fn_i64(a, i);
            bool ntz = a->type.id == LH_TYPE_TIMESTAMP_NTZ;
            int64_t local = ntz ? utc : lh_dt_utc_to_local(tz, utc);
            char buf[512];
            size_t n;
            if (p)
                n = lh_dtpat_format(p, local, (int32_t)((local - utc) / LH_US_PER_SEC),
                                    lh_tz_name(tz), buf, sizeof buf);
            else
                n = lh_dt_format_local(local - lh_floormod(local, LH_US_PER_SEC), buf, sizeof buf);
            e = fn_put_str(x->out, i, buf, n);
        } else {
            int64_t utc;
            bool ok = true;
            if (a->type.id == LH_TYPE_DATE)
                utc = lh_dt_local_to_utc(tz, fn_i64(a, i) * LH_US_PER_DAY);
            else if (a->type.id == LH_TYPE_TIMESTAMP)
                utc = fn_i64(a, i);
            else if (a->type.id == LH_TYPE_TIMESTAMP_NTZ)
                utc = lh_dt_local_to_utc(tz, fn_i64(a, i));
            else if (p)
                ok = parse_with(p, fn_str(a, i), tz, &utc);
            else
                ok = lh_dt_parse_timestamp(
                    (const char *)fn_str(a, i).ptr, fn_str(a, i).len, tz, false,
                    (int32_t)lh_floordiv(fn_now_us(x->conf), LH_US_PER_DAY), &utc);
            if (!ok)
                e = parse_fail(bd, x->out, i, fn_str(a, i), eb);
            else if (bd->kind == 1)
                fn_put_i64(x->out, i, utc);
            else if (bd->kind == 2)
                fn_put_i64(x->out, i, lh_floordiv(lh_dt_utc_to_local(tz, utc), LH_US_PER_DAY));
            else
                fn_put_i64(x->out, i, lh_floordiv(utc, LH_US_PER_SEC));
        }
        lh_dtpat_free(own);
        LH_TRY(e);
    }
    return LH_OK;
}

/* to_timestamp_ntz(x[, fmt]): TIMESTAMP_NTZ (local micros, no zone). A TIMESTAMP becomes
 * its session-local wall time, a DATE its midnight; text is parsed as wall time (a zone in
 * it is an error without a pattern, ignored with one). */
static lh_err b_to_ntz(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_TRY(lh_fn_bind_pattern(b, 1, false, 1, eb));
    b->ret_type = fn_type(LH_TYPE_TIMESTAMP_NTZ);
    return LH_OK;
}

static lh_err x_to_ntz(const lh_func_exec_t *x, lh_errbuf *eb)
{
    const pat_bd_t *bd = x->bind_data;
    const lh_vec_t *a = x->args[0];
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        if (a->type.id == LH_TYPE_TIMESTAMP_NTZ) {
            fn_put_i64(x->out, i, fn_i64(a, i));
            continue;
        }
        if (a->type.id == LH_TYPE_DATE) {
            fn_put_i64(x->out, i, fn_i64(a, i) * LH_US_PER_DAY);
            continue;
        }
        if (a->type.id == LH_TYPE_TIMESTAMP) {
            fn_put_i64(x->out, i, lh_dt_utc_to_local(fn_tz(x->conf), fn_i64(a, i)));
            continue;
        }
        lh_dtpat_t *own = NULL;
        const lh_dtpat_t *p = bd->pat;
        if (p == NULL && bd->pat_arg < x->arg_count) {
            lh_sv_t ps = fn_str(x->args[bd->pat_arg], i);
            char txt[256];
            snprintf(txt, sizeof txt, "%.*s", (int)(ps.len < 255 ? ps.len : 255),
                     (const char *)ps.ptr);
            LH_TRY(lh_dtpat_compile(txt, &own, eb));
            p = own;
        }
        lh_sv_t sv = fn_str(a, i);
        int64_t local = 0;
        bool ok;
        if (p != NULL) {
            lh_civil_t c;
            bool has_zone;
            int32_t off;
            const lh_tz_t *zone;
            ok = lh_dtpat_parse(p, (const char *)sv.ptr, sv.len, &c, &has_zone, &off, &zone);
            if (ok)
                local = lh_dt_micros_from_civil(&c);
        } else {
            ok = lh_dt_parse_timestamp((const char *)sv.ptr, sv.len, lh_tz_get("UTC"), true,
                                       (int32_t)lh_floordiv(fn_now_us(x->conf), LH_US_PER_DAY),
                                       &local);
        }
        lh_dtpat_free(own);
        if (!ok)
            LH_TRY(parse_fail(bd, x->out, i, sv, eb));
        else
            fn_put_i64(x->out, i, local);
    }
    return LH_OK;
}

static lh_err b_date_format(lh_func_bind_t *b, lh_errbuf *eb)
{
    return lh_fn_bind_pattern(b, 0, false, 1, eb);
}
static lh_err b_to_timestamp(lh_func_bind_t *b, lh_errbuf *eb)
{
    return lh_fn_bind_pattern(b, 1, false, 1, eb);
}
static lh_err b_try_to_timestamp(lh_func_bind_t *b, lh_errbuf *eb)
{
    return lh_fn_bind_pattern(b, 1, true, 1, eb);
}
static lh_err b_to_date(lh_func_bind_t *b, lh_errbuf *eb)
{
    return lh_fn_bind_pattern(b, 2, false, 1, eb);
}
static lh_err b_unix_timestamp(lh_func_bind_t *b, lh_errbuf *eb)
{
    if (b->arg_count == 0) { /* now */
        lh_fn_bind_pattern(b, 3, false, 1, eb);
        return LH_OK;
    }
    return lh_fn_bind_pattern(b, 3, false, 1, eb);
}
static lh_err b_from_unixtime(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_TRY(lh_fn_bind_pattern(b, 4, false, 1, eb));
    if (b->arg_count == 1) { /* default pattern */
        pat_bd_t *bd = b->bind_data;
        LH_TRY(lh_dtpat_compile("yyyy-MM-dd HH:mm:ss", &bd->pat, eb));
        lh_arena_defer(b->arena, free_pat, bd->pat);
    }
    return LH_OK;
}

static lh_err x_unix_timestamp(const lh_func_exec_t *x, lh_errbuf *eb)
{
    if (x->arg_count > 0)
        return x_pattern(x, eb);
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++)
        fn_put_i64(x->out, i, lh_floordiv(fn_now_us(x->conf), LH_US_PER_SEC));
    return LH_OK;
}

#define F(name, lo, hi, bind, exec)                                                                \
    {                                                                                              \
        name, LH_FUNC_SCALAR, lo, hi, bind, exec, true                                             \
    }
#define NF(name, lo, hi, bind, exec)                                                               \
    {                                                                                              \
        name, LH_FUNC_SCALAR, lo, hi, bind, exec, false                                            \
    }
const lh_func_t lh_fn_date[] = {
    F("add_months", 2, 2, b_add_months, x_add_months),
    NF("curdate", 0, 0, b_cur_date, x_current),
    NF("current_date", 0, 0, b_cur_date, x_current),
    NF("current_timestamp", 0, 0, b_cur_ts, x_current),
    F("current_timezone", 0, 0, b_cur_tz, x_current),
    F("date_add", 2, 2, b_date_add, x_date_add),
    F("date_diff", 2, 2, b_datediff, x_datediff),
    F("date_format", 2, 2, b_date_format, x_pattern),
    F("date_from_unix_date", 1, 1, b_date_from_unix, x_epoch),
    F("date_part", 2, 2, b_date_part, x_date_part),
    F("date_sub", 2, 2, b_date_add, x_date_sub),
    F("date_trunc", 2, 2, b_date_trunc, x_date_trunc),
    F("dateadd", 2, 2, b_date_add, x_date_add),
    F("datediff", 2, 2, b_datediff, x_datediff),
    F("datepart", 2, 2, b_date_part, x_date_part),
    F("extract", 2, 2, b_date_part, x_date_part), /* extract('field', x) */
    F("day", 1, 1, b_day, x_field),
    F("dayname", 1, 1, b_day_month_name, x_dayname),
    F("dayofmonth", 1, 1, b_day, x_field),
    F("dayofweek", 1, 1, b_dow, x_field),
    F("dayofyear", 1, 1, b_doy, x_field),
    F("from_unixtime", 1, 2, b_from_unixtime, x_pattern),
    F("from_utc_timestamp", 2, 2, b_utc, x_from_utc),
    F("hour", 1, 1, b_hour, x_field),
    F("last_day", 1, 1, b_last_day, x_last_day),
    NF("localtimestamp", 0, 0, b_local_ts, x_current),
    F("make_date", 3, 3, b_make_date, x_make_date),
    F("make_dt_interval", 0, 4, b_make_dt, x_make_dt),
    F("make_timestamp", 6, 7, b_make_ts, x_make_ts),
    F("make_timestamp_ltz", 6, 7, b_make_ts, x_make_ts),
    F("make_timestamp_ntz", 6, 6, b_make_ts_ntz, x_make_ts),
    F("make_ym_interval", 0, 2, b_make_ym, x_make_ym),
    F("make_interval", 0, 7, b_make_interval, x_make_interval),
    F("try_make_interval", 0, 7, b_make_interval, x_try_make_interval),
    F("minute", 1, 1, b_minute, x_field),
    F("month", 1, 1, b_month, x_field),
    F("monthname", 1, 1, b_day_month_name, x_monthname),
    F("months_between", 2, 3, b_months_between, x_months_between),
    F("next_day", 2, 2, b_next_day, x_next_day),
    NF("now", 0, 0, b_cur_ts, x_current),
    F("quarter", 1, 1, b_quarter, x_field),
    F("second", 1, 1, b_second, x_field),
    F("timestamp_micros", 1, 1, b_ts_micros, x_epoch),
    F("timestamp_millis", 1, 1, b_ts_millis, x_epoch),
    F("timestamp_seconds", 1, 1, b_ts_seconds, x_epoch),
    F("to_char", 2, 2, b_date_format, x_pattern),
    F("to_date", 1, 2, b_to_date, x_pattern),
    F("to_timestamp", 1, 2, b_to_timestamp, x_pattern),
    F("to_timestamp_ntz", 1, 2, b_to_ntz, x_to_ntz),
    F("to_unix_timestamp", 1, 2, b_unix_timestamp, x_unix_timestamp),
    F("to_utc_timestamp", 2, 2, b_utc, x_to_utc),
    F("to_varchar", 2, 2, b_date_format, x_pattern),
    F("trunc", 2, 2, b_trunc, x_trunc),
    F("try_to_timestamp", 1, 2, b_try_to_timestamp, x_pattern),
    F("unix_date", 1, 1, b_unix_date, x_epoch),
    F("unix_micros", 1, 1, b_unix_micros, x_epoch),
    F("unix_millis", 1, 1, b_unix_millis, x_epoch),
    F("unix_seconds", 1, 1, b_unix_seconds, x_epoch),
    NF("unix_timestamp", 0, 2, b_unix_timestamp, x_unix_timestamp),
    F("weekday", 1, 1, b_weekday, x_field),
    F("weekofyear", 1, 1, b_week, x_field),
    F("year", 1, 1, b_year, x_field),
};
FN_COUNT(lh_fn_date);
