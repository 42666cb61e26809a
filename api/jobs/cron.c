/*
 * cron.c - Quartz cron expressions: the parser and the next-fire search (see cron.h).
 *
 * A parsed expression is a set of bitmasks, one per field (bit v = value v; years bit
 * y - 1970), plus day-of-month specials (L-n, nW, L-nW as bitmasks over n) and at most
 * one day-of-week special (nL or n#k). Whichever day field is '?' is ignored.
 *
 * The search works in wall time (local seconds since 1970-01-01T00:00) and maps wall
 * times to instants. A wall time in a DST gap has no instant; one in an overlap has two,
 * and Quartz fires at the later (see cron.h). "The last instant whose wall time is w"
 * grows with w, so the next fire time after an instant t0 is found in three steps:
 *
 *   1. the smallest wall time w whose last instant is >= t0: wall(t0), or, when t0 lies
 *      in the first pass of an overlap, the start of the repeated wall times;
 *   2. the next wall time >= w matching every field, field by field from the year down
 *      (a mismatch jumps to the next candidate of that field and zeroes the finer ones);
 *   3. its last instant; a wall time in a gap continues the search at the gap's end.
 *
 * Offsets come from compute/func/tz.h (the TZif reader the SQL engine uses); a
 * transition's instant is found by bisection on the offset, only near transitions.
 */
#include "api/jobs/cron.h"
#include "api/jobs/cron_internal.h"

#include "compute/func/tz.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { F_SEC, F_MIN, F_HOUR, F_DOM, F_MON, F_DOW, F_YEAR, F__COUNT };

#define YEAR_SPAN   (LH_CRON_YEAR_MAX - LH_CRON_YEAR_MIN + 1)
#define DAY_SECONDS 86400
#define SEARCH_MAX  100000 /* wall-time candidates per lh_cron_next: a safety net */

struct lh_cron {
    uint64_t seconds, minutes; /* bits 0-59 */
    uint32_t hours;            /* bits 0-23 */
    uint16_t months;           /* bits 1-12 */
    uint64_t years[3];         /* bit y - LH_CRON_YEAR_MIN */
    bool by_dow;               /* day-of-month is '?': days come from day-of-week */
    uint32_t dom_days;         /* bits 1-31 */
    uint32_t dom_last;         /* bit n: L-n (L is L-0) */
    uint32_t dom_near;         /* bit n: nW */
    uint32_t dom_last_near;    /* bit n: L-nW */
    uint8_t dow_days;          /* bits 1-7, 1 = Sunday */
    int8_t dow_last;           /* nL: n, else 0 */
    int8_t dow_nth_day;        /* n#k: n, else 0 */
    int8_t dow_nth;            /* n#k: k */
};

static const struct field_def {
    const char *name;
    int min, max, step_max;
    const char *range;
} fields[F__COUNT] = {
    {"seconds", 0, 59, 59, "0-59"},
    {"minutes", 0, 59, 59, "0-59"},
    {"hours", 0, 23, 23, "0-23"},
    {"day-of-month", 1, 31, 31, "1-31"},
    {"month", 1, 12, 12, "1-12 or JAN-DEC"},
    {"day-of-week", 1, 7, 7, "1-7 or SUN-SAT"},
    {"year", LH_CRON_YEAR_MIN, LH_CRON_YEAR_MAX, 1000000, "1970-2099"},
};

static const char *const month_names[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
static const char *const day_names[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

/* ---- calendar arithmetic ---------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400), yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097), doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int month_days(int64_t y, int m)
{
    static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return len[m - 1] + (m == 2 && leap);
}

/* Quartz numbering: 1 = Sunday .. 7 = Saturday; day 0 (1970-01-01) was a Thursday. */
static int weekday(int64_t days)
{
    return (int)(((days % 7) + 7 + 4) % 7) + 1;
}

/* The smallest set bit >= from, or -1. */
static int next_bit(uint64_t mask, int from)
{
    if (from >= 64)
        return -1;
    uint64_t m = mask & (~0ULL << from);
    return m ? __builtin_ctzll(m) : -1;
}

/* ---- parser ----------------------------------------------------------------------- */

typedef struct parser {
    const char *expr;    /* the whole expression, for messages */
    const char *p, *end; /* cursor and end of the current field */
    int field;           /* F_*, or -1 for whole-expression errors */
    uint64_t vals[3];    /* the current field's values: bit v - min */
    bool dow_special;    /* the current item was L, nL or n#k */
    struct lh_cron *c;
    lh_errbuf *eb;
} parser_t;

/* The expression for a message: printable ASCII as is, other bytes as \xNN, at most
 * about 100 characters. */
static void quote(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; *s && n + 8 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        if (n >= 100) {
            n += (size_t)snprintf(out + n, cap - n, "...");
            break;
        }
        if (ch >= 0x20 && ch < 0x7f)
            out[n++] = (char)ch;
        else
            n += (size_t)snprintf(out + n, cap - n, "\\x%02X", ch);
    }
    out[n < cap ? n : cap - 1] = '\0';
}

static lh_err fail(const parser_t *ps, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* LH_E_INVALID: "Invalid quartz_cron_expression '<expr>': <what>[ at position P][ (field N)]". */
static lh_err fail(const parser_t *ps, const char *at, const char *fmt, ...)
{
    char what[256], quoted[128], pos[40] = "", field[24] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    quote(ps->expr, quoted, sizeof quoted);
    if (at != NULL)
        snprintf(pos, sizeof pos, " at position %d", (int)(at - ps->expr) + 1);
    if (ps->field >= 0)
        snprintf(field, sizeof field, " (field %d)", ps->field + 1);
    return lh_err_set(ps->eb, LH_E_INVALID, __FILE__, __LINE__,
                      "Invalid quartz_cron_expression '%s': %s%s%s", quoted, what, pos, field);
}

/* "'x'" for a printable character, else "\xNN". */
static const char *show_char(char ch, char buf[8])
{
    unsigned char u = (unsigned char)ch;
    if (u >= 0x20 && u < 0x7f)
        snprintf(buf, 8, "'%c'", ch);
    else
        snprintf(buf, 8, "\\x%02X", u);
    return buf;
}

static lh_err unexpected(const parser_t *ps)
{
    char b[8];
    if (ps->p >= ps->end)
        return fail(ps, ps->p, "%s ends early", fields[ps->field].name);
    return fail(ps, ps->p, "unexpected character %s in %s", show_char(*ps->p, b),
                fields[ps->field].name);
}

static bool at_item_end(const parser_t *ps)
{
    return ps->p >= ps->end || *ps->p == ',';
}

static bool is_alpha_at(const parser_t *ps, size_t k)
{
    return ps->p + k < ps->end && isalpha((unsigned char)ps->p[k]);
}

/* Digits into *v (values above 9,999,999 saturate, so they fail the range check). */
static lh_err number(parser_t *ps, int *v)
{
    if (ps->p >= ps->end)
        return fail(ps, ps->p, "expected a number at the end of %s", fields[ps->field].name);
    if (!isdigit((unsigned char)*ps->p))
        return unexpected(ps);
    int n = 0;
    for (; ps->p < ps->end && isdigit((unsigned char)*ps->p); ps->p++)
        n = n > 9999999 ? n : n * 10 + (*ps->p - '0');
    *v = n;
    return LH_OK;
}

/* A month or day name (three letters, any case) into *v; names elsewhere are errors. */
static lh_err name(parser_t *ps, int *v)
{
    const char *const *names = ps->field == F_MON ? month_names : day_names;
    int count = ps->field == F_MON ? 12 : ps->field == F_DOW ? 7 : 0;
    size_t run = 0;
    while (is_alpha_at(ps, run))
        run++;
    /* "FRIL": the last Friday; any other letter after a name makes an unknown name */
    size_t len = run;
    if (ps->field == F_DOW && run == 4 && toupper((unsigned char)ps->p[3]) == 'L')
        len = 3;
    for (int i = 0; i < count && len == 3; i++) {
        if (toupper((unsigned char)ps->p[0]) == names[i][0] &&
            toupper((unsigned char)ps->p[1]) == names[i][1] &&
            toupper((unsigned char)ps->p[2]) == names[i][2]) {
            *v = i + 1;
            ps->p += 3;
            return LH_OK;
        }
    }
    if (count == 0)
        return unexpected(ps);
    return fail(ps, ps->p, "unknown %s name '%.*s'", ps->field == F_MON ? "month" : "day-of-week",
                (int)(run > 12 ? 12 : run), ps->p);
}

static lh_err value(parser_t *ps, int *v)
{
    if (ps->p < ps->end && isalpha((unsigned char)*ps->p))
        return name(ps, v);
    LH_TRY(number(ps, v));
    const struct field_def *f = &fields[ps->field];
    if (*v < f->min || *v > f->max)
        return fail(ps, NULL, "%s must be %s", f->name, f->range);
    return LH_OK;
}

static void set_val(parser_t *ps, int v)
{
    int bit = v - fields[ps->field].min;
    ps->vals[bit / 64] |= 1ULL << (bit % 64);
}

/* Add start..end by step; end < start wraps past the field's maximum (not for years). */
static lh_err add_range(parser_t *ps, int start, int end, int step)
{
    const struct field_def *f = &fields[ps->field];
    int span = f->max - f->min + 1;
    if (end < start) {
        if (ps->field == F_YEAR)
            return fail(ps, NULL, "year range %d-%d must not wrap around", start, end);
        end += span;
    }
    for (int i = start; i <= end; i += step)
        set_val(ps, f->min + (i - f->min) % span);
    return LH_OK;
}

static lh_err step(parser_t *ps, int *out)
{
    const struct field_def *f = &fields[ps->field];
    ps->p++; /* '/' */
    LH_TRY(number(ps, out));
    if (*out < 1 || *out > f->step_max) {
        if (ps->field == F_YEAR)
            return fail(ps, NULL, "year step must be at least 1");
        return fail(ps, NULL, "%s step must be 1-%d", f->name, f->step_max);
    }
    return LH_OK;
}

/* Day-of-month "L", "L-n", "LW", "L-nW". */
static lh_err dom_last(parser_t *ps)
{
    int n = 0;
    ps->p++; /* 'L' */
    if (ps->p < ps->end && *ps->p == '-') {
        ps->p++;
        LH_TRY(number(ps, &n));
        if (n > 30)
            return fail(ps, NULL, "day-of-month offset after 'L-' must be 0-30");
    }
    if (ps->p < ps->end && toupper((unsigned char)*ps->p) == 'W') {
        ps->p++;
        ps->c->dom_last_near |= 1u << n;
    } else {
        ps->c->dom_last |= 1u << n;
    }
    return LH_OK;
}

/* Day-of-week "nL" and "n#k" after the value n. */
static lh_err dow_suffix(parser_t *ps, int n)
{
    ps->dow_special = true;
    if (toupper((unsigned char)*ps->p) == 'L') {
        ps->p++;
        ps->c->dow_last = (int8_t)n;
        return LH_OK;
    }
    int k;
    ps->p++; /* '#' */
    LH_TRY(number(ps, &k));
    if (k < 1 || k > 5)
        return fail(ps, NULL, "day-of-week occurrence after '#' must be 1-5");
    ps->c->dow_nth_day = (int8_t)n;
    ps->c->dow_nth = (int8_t)k;
    return LH_OK;
}

/* One list item: '*', '/n', 'a', 'a-b', with '/n' after any of them, or a special. */
static lh_err item(parser_t *ps)
{
    const struct field_def *f = &fields[ps->field];
    int start = f->min, end = f->max, inc = 1;
    char ch = (char)toupper((unsigned char)*ps->p);
    ps->dow_special = false;
    if (ch == '?')
        return fail(ps, ps->p,
                    ps->field == F_DOM || ps->field == F_DOW
                        ? "'?' must be the only value of %s"
                        : "'?' is only allowed in day-of-month or day-of-week, not %s",
                    f->name);
    if (ch == 'L' && ps->field == F_DOM)
        return dom_last(ps);
    if (ch == 'L' && ps->field == F_DOW && (ps->p + 1 == ps->end || ps->p[1] == ',')) {
        ps->p++; /* 'L' alone: Saturday */
        ps->dow_special = true;
        set_val(ps, 7);
        return LH_OK;
    }
    if (ch == '*' || ch == '/') {
        if (ch == '*')
            ps->p++;
        if (ps->p < ps->end && *ps->p == '/')
            LH_TRY(step(ps, &inc));
        return add_range(ps, start, end, inc);
    }
    LH_TRY(value(ps, &start));
    if (ps->p < ps->end && ps->field == F_DOM && toupper((unsigned char)*ps->p) == 'W') {
        ps->p++;
        ps->c->dom_near |= 1u << start;
        return LH_OK;
    }
    if (ps->p < ps->end && ps->field == F_DOW &&
        (toupper((unsigned char)*ps->p) == 'L' || *ps->p == '#'))
        return dow_suffix(ps, start);
    end = start;
    bool ranged = ps->p < ps->end && *ps->p == '-';
    if (ranged) {
        ps->p++;
        LH_TRY(value(ps, &end));
    }
    if (ps->p < ps->end && *ps->p == '/') {
        if (!ranged)
            end = f->max; /* "a/n": from a to the field's maximum */
        LH_TRY(step(ps, &inc));
    }
    return add_range(ps, start, end, inc);
}

/* The field [ps->p, ps->end): '?' or a comma-separated list of items. */
static lh_err field(parser_t *ps, bool *unspecified)
{
    *unspecified = false;
    memset(ps->vals, 0, sizeof ps->vals);
    if (ps->end - ps->p == 1 && *ps->p == '?' && (ps->field == F_DOM || ps->field == F_DOW)) {
        *unspecified = true;
        return LH_OK;
    }
    int items = 0;
    bool special = false;
    for (;;) {
        if (at_item_end(ps))
            return fail(ps, ps->p, "empty value in %s", fields[ps->field].name);
        LH_TRY(item(ps));
        items++;
        special |= ps->dow_special;
        if (!at_item_end(ps))
            return unexpected(ps);
        if (ps->p >= ps->end)
            break;
        ps->p++; /* ',' */
    }
    if (special && items > 1)
        return fail(ps, NULL, "'L' and '#' cannot be combined with other day-of-week values");
    return LH_OK;
}

static void store(struct lh_cron *c, int f, const uint64_t *v)
{
    switch (f) {
    case F_SEC:
        c->seconds = v[0];
        break;
    case F_MIN:
        c->minutes = v[0];
        break;
    case F_HOUR:
        c->hours = (uint32_t)v[0];
        break;
    case F_DOM:
        c->dom_days = (uint32_t)(v[0] << 1);
        break;
    case F_MON:
        c->months = (uint16_t)(v[0] << 1);
        break;
    case F_DOW:
        c->dow_days = (uint8_t)(v[0] << 1);
        break;
    default:
        memcpy(c->years, v, sizeof c->years);
        break;
    }
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Split into fields (spaces and tabs, as Quartz's tokenizer) and parse each. */
static lh_err parse(parser_t *ps, const char *expr)
{
    const char *start[F__COUNT + 1], *stop[F__COUNT + 1];
    int n = 0, total = 0;
    for (const char *s = expr; *s;) {
        while (is_space(*s))
            s++;
        if (*s == '\0')
            break;
        const char *e = s;
        while (*e && !is_space(*e))
            e++;
        if (n <= F__COUNT)
            start[n] = s, stop[n] = e, n++;
        total++;
        s = e;
    }
    if (total < 6 || total > 7)
        return fail(ps, NULL,
                    "expected 6 or 7 fields (seconds minutes hours day-of-month month "
                    "day-of-week [year]), found %d",
                    total);
    bool unspec[F__COUNT] = {false};
    for (int f = 0; f < n; f++) {
        ps->field = f;
        ps->p = start[f];
        ps->end = stop[f];
        LH_TRY(field(ps, &unspec[f]));
        store(ps->c, f, ps->vals);
    }
    if (n == F_YEAR) { /* no year: every year */
        ps->field = F_YEAR;
        memset(ps->vals, 0, sizeof ps->vals);
        LH_TRY(add_range(ps, LH_CRON_YEAR_MIN, LH_CRON_YEAR_MAX, 1));
        store(ps->c, F_YEAR, ps->vals);
    }
    ps->field = -1;
    if (unspec[F_DOM] && unspec[F_DOW])
        return fail(ps, NULL,
                    "day-of-month (field 4) and day-of-week (field 6) cannot both be '?'");
    if (!unspec[F_DOM] && !unspec[F_DOW])
        return fail(ps, NULL,
                    "one of day-of-month (field 4) and day-of-week (field 6) must be '?'");
    ps->c->by_dow = unspec[F_DOM];
    return LH_OK;
}

lh_err lh_cron_parse(const char *expr, lh_cron_t **out, lh_errbuf *eb)
{
    *out = NULL;
    struct lh_cron *c = calloc(1, sizeof *c);
    LH_FAIL_IF(c == NULL, LH_E_NOMEM, eb, "out of memory parsing a cron expression");
    parser_t ps = {.expr = expr ? expr : "", .field = -1, .c = c, .eb = eb};
    lh_err e = parse(&ps, ps.expr);
    if (e != LH_OK) {
        free(c);
        return e;
    }
    *out = c;
    return LH_OK;
}

void lh_cron_destroy(lh_cron_t *c)
{
    free(c);
}

/* ---- matching wall times ---------------------------------------------------------- */

/* Quartz's W: Saturday moves to Friday (or to Monday the 3rd from the 1st), Sunday to
 * Monday (or to Friday from the month's last day). */
static int nearest_weekday(int d, int mdays, int wd1)
{
    int wd = (wd1 - 1 + d - 1) % 7 + 1;
    if (wd == 7)
        return d == 1 ? 3 : d - 1;
    if (wd == 1)
        return d == mdays ? d - 2 : d + 1;
    return d;
}

/* Bit d set for each day d of month m of year y that the day fields accept. */
static uint32_t day_mask(const struct lh_cron *c, int64_t y, int m)
{
    int mdays = month_days(y, m), wd1 = weekday(days_from_civil(y, m, 1));
    uint32_t mask = 0;
    if (c->by_dow) {
        if (c->dow_nth) {
            int d = 1 + (c->dow_nth_day - wd1 + 7) % 7 + 7 * (c->dow_nth - 1);
            return d <= mdays ? 1u << d : 0;
        }
        if (c->dow_last) {
            int d = 1 + (c->dow_last - wd1 + 7) % 7;
            while (d + 7 <= mdays)
                d += 7;
            return 1u << d;
        }
        for (int w = 1; w <= 7; w++)
            if (c->dow_days >> w & 1)
                for (int d = 1 + (w - wd1 + 7) % 7; d <= mdays; d += 7)
                    mask |= 1u << d;
        return mask;
    }
    mask = c->dom_days & (uint32_t)((2ULL << mdays) - 2);
    for (int n = 0; n <= 30; n++) {
        int d = mdays - n;
        if (d >= 1 && (c->dom_last >> n & 1))
            mask |= 1u << d;
        if (d >= 1 && (c->dom_last_near >> n & 1))
            mask |= 1u << nearest_weekday(d, mdays, wd1);
    }
    for (int n = 1; n <= mdays; n++)
        if (c->dom_near >> n & 1)
            mask |= 1u << nearest_weekday(n, mdays, wd1);
    return mask;
}

static bool year_set(const struct lh_cron *c, int64_t y)
{
    if (y < LH_CRON_YEAR_MIN || y > LH_CRON_YEAR_MAX)
        return false;
    int bit = (int)(y - LH_CRON_YEAR_MIN);
    return c->years[bit / 64] >> (bit % 64) & 1;
}

bool lh_cron_wall_matches(const lh_cron_t *c, int64_t w)
{
    int64_t days = floor_div(w, DAY_SECONDS), sod = w - days * DAY_SECONDS, y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    return year_set(c, y) && (c->months >> m & 1) && (day_mask(c, y, m) >> d & 1) &&
           (c->hours >> (sod / 3600) & 1) && (c->minutes >> (sod / 60 % 60) & 1) &&
           (c->seconds >> (sod % 60) & 1);
}

/* The first matching wall time >= *w into *w; false when none is left before 2100. Each
 * step either returns or moves to the next candidate of the first failing field, so a
 * call takes a handful of steps per year searched. */
static bool next_wall(const struct lh_cron *c, int64_t *w)
{
    int64_t days = floor_div(*w, DAY_SECONDS), sod = *w - days * DAY_SECONDS, y;
    int mo, d, h = (int)(sod / 3600), mi = (int)(sod / 60 % 60), s = (int)(sod % 60), v;
    civil_from_days(days, &y, &mo, &d);
    if (y < LH_CRON_YEAR_MIN)
        y = LH_CRON_YEAR_MIN, mo = 1, d = 1, h = mi = s = 0;
    for (;;) {
        if (y > LH_CRON_YEAR_MAX)
            return false;
        if (!year_set(c, y)) {
            y++, mo = 1, d = 1, h = mi = s = 0;
            continue;
        }
        if ((v = next_bit(c->months, mo)) < 0) {
            y++, mo = 1, d = 1, h = mi = s = 0;
            continue;
        }
        if (v != mo)
            mo = v, d = 1, h = mi = s = 0;
        if ((v = next_bit(day_mask(c, y, mo), d)) < 0) {
            mo++, d = 1, h = mi = s = 0;
            continue;
        }
        if (v != d)
            d = v, h = mi = s = 0;
        if ((v = next_bit(c->hours, h)) < 0) {
            d++, h = mi = s = 0;
            continue;
        }
        if (v != h)
            h = v, mi = s = 0;
        if ((v = next_bit(c->minutes, mi)) < 0) {
            h++, mi = s = 0;
            continue;
        }
        if (v != mi)
            mi = v, s = 0;
        if ((v = next_bit(c->seconds, s)) < 0) {
            mi++, s = 0;
            continue;
        }
        *w = days_from_civil(y, mo, d) * DAY_SECONDS + h * 3600 + mi * 60 + v;
        return true;
    }
}

/* ---- wall times to instants --------------------------------------------------------- */

/* The first instant in (lo, hi] with hi's offset, given offset(lo) != offset(hi). */
static int64_t transition(const lh_tz_t *tz, int64_t lo, int64_t hi)
{
    int32_t want = lh_tz_offset(tz, hi);
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (lh_tz_offset(tz, mid) == want)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

/* The last instant whose wall time is w into *t (true), or, for a wall time in a gap,
 * the first wall time after the gap into *resume (false). Offsets a day either side
 * bracket every transition near w. */
static bool resolve(const lh_tz_t *tz, int64_t w, int64_t *t, int64_t *resume)
{
    int32_t o1 = lh_tz_offset(tz, w - DAY_SECONDS), o2 = lh_tz_offset(tz, w + DAY_SECONDS);
    if (o1 == o2) {
        *t = w - o1;
        return true;
    }
    int64_t c1 = w - o1, c2 = w - o2;
    bool v1 = lh_tz_offset(tz, c1) == o1, v2 = lh_tz_offset(tz, c2) == o2;
    if (v1 || v2) {
        *t = v1 && v2 ? (c1 > c2 ? c1 : c2) : v1 ? c1 : c2; /* an overlap: the later */
        return true;
    }
    *resume = w + 1;
    if (o2 > o1 && lh_tz_offset(tz, c2) != lh_tz_offset(tz, c1)) {
        int64_t end = transition(tz, c2, c1) + o2; /* the gap is [T + o1, T + o2) */
        if (end > w)
            *resume = end;
    }
    return false;
}

/* The smallest wall time whose last instant is >= t0: wall(t0), unless t0 is in the first
 * pass of an overlap, whose repeated wall times all lie ahead in their second pass. */
static int64_t wall_start(const lh_tz_t *tz, int64_t t0)
{
    int32_t o0 = lh_tz_offset(tz, t0), later = lh_tz_offset(tz, t0 + DAY_SECONDS);
    int64_t w0 = t0 + o0;
    if (later < o0 && lh_tz_offset(tz, w0 - later) == later)
        return transition(tz, t0, w0 - later) + later;
    return w0;
}

static lh_err bad_zone(const char *timezone_id, lh_errbuf *eb)
{
    char quoted[128];
    quote(timezone_id ? timezone_id : "", quoted, sizeof quoted);
    LH_FAIL(LH_E_INVALID, eb, "Invalid timezone_id '%s': not a known time zone", quoted);
}

lh_err lh_cron_check_timezone(const char *timezone_id, lh_errbuf *eb)
{
    return lh_tz_get(timezone_id) ? LH_OK : bad_zone(timezone_id, eb);
}

lh_err lh_cron_next(const lh_cron_t *c, const char *timezone_id, int64_t after_ms, int64_t *next_ms,
                    lh_errbuf *eb)
{
    const lh_tz_t *tz = lh_tz_get(timezone_id);
    if (tz == NULL)
        return bad_zone(timezone_id, eb);
    /* Wall times 1970..2099 lie within a day of these instants. */
    const int64_t t_min = -DAY_SECONDS * 2,
                  t_max = days_from_civil(LH_CRON_YEAR_MAX + 1, 1, 1) * DAY_SECONDS + DAY_SECONDS;
    int64_t t0 = floor_div(after_ms, 1000) + 1; /* fire times are whole seconds > after_ms */
    if (t0 < t_min)
        t0 = t_min;
    int64_t w = t0 <= t_max ? wall_start(tz, t0) : INT64_MAX;
    for (int i = 0; w != INT64_MAX && i < SEARCH_MAX; i++) {
        if (!next_wall(c, &w))
            break;
        int64_t t, resume;
        if (resolve(tz, w, &t, &resume)) {
            if (t >= t0) {
                *next_ms = t * 1000;
                return LH_OK;
            }
            resume = w + 1; /* only with zone data wilder than one transition a day */
        }
        w = resume;
    }
    LH_FAIL(LH_E_NOT_FOUND, eb, "the cron expression has no fire time after %lld ms before %d",
            (long long)after_ms, LH_CRON_YEAR_MAX + 1);
}

bool lh_cron_fires_at(const lh_cron_t *c, const char *timezone_id, int64_t at_ms)
{
    int64_t s = floor_div(at_ms, 1000), next;
    if (s < -DAY_SECONDS * 2 || s > INT64_MAX / 1000 - 1)
        return false;
    return lh_cron_next(c, timezone_id, s * 1000 - 1, &next, NULL) == LH_OK && next == s * 1000;
}
