/*
 * dtpattern.c - Spark datetime patterns (lh_dtpat_*, declared in datetime.h).
 *
 * A pattern compiles to tokens: a letter with its repeat count, or literal text ('...'
 * quoted, '' for a quote, other non-letters as is). Spark 3+ rejects week-based letters
 * (Y w W u e c) and some widths; we raise its INCONSISTENT_BEHAVIOR_CROSS_VERSION class
 * for those. Formatting and parsing walk the tokens; English names only (Spark's locale).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/func/datetime.h"
#include "compute/sqlerr.h"

#define PAT_MAX_TOKENS 64

typedef struct tok {
    char letter; /* 0 = literal */
    int count;
    char lit[16];
    int litlen;
} tok_t;

struct lh_dtpat {
    int n;
    tok_t t[PAT_MAX_TOKENS];
};

static const char *const MONTHS[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};
static const char *const DAYS[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                   "Friday", "Saturday", "Sunday"};

/* Widest count Spark accepts per letter (0 = letter not supported). */
static int max_count(char c)
{
    switch (c) {
    case 'y':
        return 10;
    case 'G':
    case 'M':
    case 'L':
    case 'Q':
    case 'q':
    case 'E':
    case 'z':
        return 4;
    case 'd':
    case 'h':
    case 'H':
    case 'k':
    case 'K':
    case 'm':
    case 's':
    case 'V':
        return 2;
    case 'D':
        return 3;
    case 'a':
    case 'F':
        return 1;
    case 'S':
        return 9;
    case 'X':
    case 'x':
    case 'Z':
    case 'O':
        return 5;
    default:
        return 0;
    }
}

static lh_err bad_pattern(const char *pattern, lh_errbuf *eb)
{
    char quoted[300];
    snprintf(quoted, sizeof quoted, "'%.280s'", pattern);
    return lh_sqlerr(eb, "INCONSISTENT_BEHAVIOR_CROSS_VERSION.DATETIME_PATTERN_RECOGNITION",
                     "pattern", quoted, "config", "\"spark.sql.legacy.timeParserPolicy\"",
                     "docroot", "https://spark.apache.org/docs/latest", NULL);
}

static bool push_lit(lh_dtpat_t *p, char ch)
{
    tok_t *t = p->n > 0 && p->t[p->n - 1].letter == 0 && p->t[p->n - 1].litlen < 15
                   ? &p->t[p->n - 1]
                   : NULL;
    if (t == NULL) {
        if (p->n >= PAT_MAX_TOKENS)
            return false;
        t = &p->t[p->n++];
        memset(t, 0, sizeof *t);
    }
    t->lit[t->litlen++] = ch;
    return true;
}

lh_err lh_dtpat_compile(const char *pattern, lh_dtpat_t **out, lh_errbuf *eb)
{
    lh_dtpat_t *p = calloc(1, sizeof *p);
    LH_FAIL_IF(p == NULL, LH_E_NOMEM, eb, "out of memory");
    for (const char *s = pattern; *s;) {
        bool ok = true;
        if (*s == '\'') {
            if (s[1] == '\'') {
                ok = push_lit(p, '\''), s += 2;
            } else {
                const char *e = strchr(s + 1, '\'');
                if (e == NULL) {
                    free(p);
                    return bad_pattern(pattern, eb);
                }
                for (s++; s < e && ok; s++)
                    ok = push_lit(p, *s);
                s = e + 1;
            }
        } else if (*s == '[' || *s == ']') { /* optional section */
            if (p->n >= PAT_MAX_TOKENS) {
                free(p);
                return bad_pattern(pattern, eb);
            }
            memset(&p->t[p->n], 0, sizeof p->t[0]);
            p->t[p->n].letter = *s++;
            p->t[p->n++].count = 1;
        } else if (isalpha((unsigned char)*s)) {
            int k = 1;
            while (s[k] == *s)
                k++;
            if (max_count(*s) < k || p->n >= PAT_MAX_TOKENS) {
                free(p);
                return bad_pattern(pattern, eb);
            }
            p->t[p->n].letter = *s;
            p->t[p->n++].count = k;
            s += k;
        } else {
            ok = push_lit(p, *s++);
        }
        if (!ok) {
            free(p);
            return bad_pattern(pattern, eb);
        }
    }
    *out = p;
    return LH_OK;
}

void lh_dtpat_free(lh_dtpat_t *p)
{
    free(p);
}

static size_t put(char *buf, size_t cap, size_t o, const char *s)
{
    size_t n = strlen(s);
    if (o + n + 1 > cap)
        n = o + 1 < cap ? cap - o - 1 : 0;
    memcpy(buf + o, s, n);
    buf[o + n] = '\0';
    return o + n;
}

static size_t put_num(char *buf, size_t cap, size_t o, int64_t v, int width)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%0*lld", width, (long long)v);
    return put(buf, cap, o, tmp);
}

/* Offsets as java.time prints them: X (Z for zero) and x: +HH[MM], +HHMM, +HH:MM,
 * +HHMM[ss], +HH:MM[:ss]; Z: +HHMM (1-3), localized GMT (4), +HH:MM[:ss] (5);
 * O: GMT+H[:MM[:ss]] (1), GMT+HH:MM[:ss] (4). */
static void fmt_offset(char letter, int count, int32_t off, char *out, size_t cap)
{
    char sign = off < 0 ? '-' : '+';
    int a = off < 0 ? -off : off, h = a / 3600, m = a / 60 % 60, s = a % 60;
    if (letter == 'Z' && count == 4)
        letter = 'O';
    if (letter == 'O') {
        if (off == 0)
            snprintf(out, cap, "GMT");
        else if (count == 1)
            s   ? snprintf(out, cap, "GMT%c%d:%02d:%02d", sign, h, m, s)
            : m ? snprintf(out, cap, "GMT%c%d:%02d", sign, h, m)
                : snprintf(out, cap, "GMT%c%d", sign, h);
        else
            s ? snprintf(out, cap, "GMT%c%02d:%02d:%02d", sign, h, m, s)
              : snprintf(out, cap, "GMT%c%02d:%02d", sign, h, m);
        return;
    }
    if (letter == 'Z') {
        if (count <= 3)
            snprintf(out, cap, "%c%02d%02d", sign, h, m);
        else
            s          ? snprintf(out, cap, "%c%02d:%02d:%02d", sign, h, m, s)
            : off == 0 ? snprintf(out, cap, "Z")
                       : snprintf(out, cap, "%c%02d:%02d", sign, h, m);
        return;
    }
    if (off == 0 && letter == 'X') {
        snprintf(out, cap, "Z");
        return;
    }
    if (count == 1)
        m ? snprintf(out, cap, "%c%02d%02d", sign, h, m) : snprintf(out, cap, "%c%02d", sign, h);
    else if (count == 2)
        snprintf(out, cap, "%c%02d%02d", sign, h, m);
    else if (count == 3)
        snprintf(out, cap, "%c%02d:%02d", sign, h, m);
    else if (count == 4)
        s ? snprintf(out, cap, "%c%02d%02d%02d", sign, h, m, s)
          : snprintf(out, cap, "%c%02d%02d", sign, h, m);
    else
        s ? snprintf(out, cap, "%c%02d:%02d:%02d", sign, h, m, s)
          : snprintf(out, cap, "%c%02d:%02d", sign, h, m);
}

/* java.time's full zone text ('zzzz') for the common abbreviations; others print as is. */
static const char *long_zone_name(const char *abbr)
{
    static const char *const names[][2] = {{"PST", "Pacific Standard Time"},
                                           {"PDT", "Pacific Daylight Time"},
                                           {"MST", "Mountain Standard Time"},
                                           {"MDT", "Mountain Daylight Time"},
                                           {"CST", "Central Standard Time"},
                                           {"CDT", "Central Daylight Time"},
                                           {"EST", "Eastern Standard Time"},
                                           {"EDT", "Eastern Daylight Time"},
                                           {"UTC", "Coordinated Universal Time"},
                                           {"GMT", "Greenwich Mean Time"},
                                           {"CET", "Central European Standard Time"},
                                           {"CEST", "Central European Summer Time"},
                                           {"JST", "Japan Standard Time"},
                                           {"IST", "India Standard Time"}};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(abbr, names[k][0]) == 0)
            return names[k][1];
    return abbr;
}

static size_t fmt_token(const tok_t *t, const lh_civil_t *c, int64_t days, int32_t off,
                        const char *zone, char *buf, size_t cap, size_t o)
{
    char tmp[64];
    int n = t->count;
    switch (t->letter) {
    case 'G':
        return put(buf, cap, o,
                   n == 4 ? (c->year > 0 ? "Anno Domini" : "Before Christ")
                          : (c->year > 0 ? "AD" : "BC"));
    case 'y': {
        int64_t y = c->year > 0 ? c->year : 1 - c->year;
        return n == 2 ? put_num(buf, cap, o, y % 100, 2) : put_num(buf, cap, o, y, n);
    }
    case 'M':
    case 'L':
        if (n >= 3) {
            snprintf(tmp, sizeof tmp, "%.*s", n == 3 ? 3 : 20, MONTHS[c->month - 1]);
            return put(buf, cap, o, tmp);
        }
        return put_num(buf, cap, o, c->month, n);
    case 'Q':
    case 'q': {
        int q = (c->month - 1) / 3 + 1;
        static const char *const ord[] = {"1st", "2nd", "3rd", "4th"};
        if (n == 3)
            snprintf(tmp, sizeof tmp, "Q%d", q);
        else if (n == 4)
            snprintf(tmp, sizeof tmp, "%s quarter", ord[q - 1]);
        else
            snprintf(tmp, sizeof tmp, "%0*d", n, q);
        return put(buf, cap, o, tmp);
    }
    case 'd':
        return put_num(buf, cap, o, c->day, n);
    case 'D':
        return put_num(buf, cap, o, days - lh_dt_days_from_civil(c->year, 1, 1) + 1, n);
    case 'E':
        snprintf(tmp, sizeof tmp, "%.*s", n == 4 ? 20 : 3, DAYS[lh_dt_iso_weekday(days) - 1]);
        return put(buf, cap, o, tmp);
    case 'F': /* java.time's 'F' reads ALIGNED_DAY_OF_WEEK_IN_MONTH: 1..7 */
        return put_num(buf, cap, o, (c->day - 1) % 7 + 1, n);
    case 'a':
        return put(buf, cap, o, c->hour < 12 ? "AM" : "PM");
    case 'H':
        return put_num(buf, cap, o, c->hour, n);
    case 'k':
        return put_num(buf, cap, o, c->hour == 0 ? 24 : c->hour, n);
    case 'K':
        return put_num(buf, cap, o, c->hour % 12, n);
    case 'h':
        return put_num(buf, cap, o, c->hour % 12 == 0 ? 12 : c->hour % 12, n);
    case 'm':
        return put_num(buf, cap, o, c->minute, n);
    case 's':
        return put_num(buf, cap, o, c->second, n);
    case 'S': {
        snprintf(tmp, sizeof tmp, "%06d000", c->micros);
        tmp[n] = '\0';
        return put(buf, cap, o, tmp);
    }
    case 'V':
        return put(buf, cap, o, zone ? zone : "UTC");
    case 'z': { /* short names from the zone data; the long form is not in TZif */
        const lh_tz_t *tz = zone ? lh_tz_get(zone) : NULL;
        int64_t utc =
            lh_floordiv(days * LH_US_PER_DAY +
                            ((int64_t)c->hour * 3600 + c->minute * 60 + c->second) * LH_US_PER_SEC,
                        LH_US_PER_SEC) -
            off;
        const char *ab = tz ? lh_tz_abbrev(tz, utc) : (zone ? zone : "UTC");
        return put(buf, cap, o, n == 4 ? long_zone_name(ab) : ab);
    }
    default:
        fmt_offset(t->letter, n, off, tmp, sizeof tmp);
        return put(buf, cap, o, tmp);
    }
}

size_t lh_dtpat_format(const lh_dtpat_t *p, int64_t local_us, int32_t offset_s, const char *zone,
                       char *buf, size_t cap)
{
    lh_civil_t c;
    lh_dt_civil_from_micros(local_us, &c);
    int64_t days = lh_floordiv(local_us, LH_US_PER_DAY);
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < p->n; i++) {
        const tok_t *t = &p->t[i];
        if (t->letter == '[' || t->letter == ']')
            continue;
        if (t->letter == 0) {
            char lit[17];
            memcpy(lit, t->lit, (size_t)t->litlen);
            lit[t->litlen] = '\0';
            o = put(buf, cap, o, lit);
        } else {
            o = fmt_token(t, &c, days, offset_s, zone, buf, cap, o);
        }
    }
    return o;
}

/* ---- parsing ---- */

static bool num(const char *s, size_t n, size_t *i, int minw, int maxw, int64_t *v)
{
    int k = 0;
    *v = 0;
    while (*i < n && k < maxw && isdigit((unsigned char)s[*i]))
        *v = *v * 10 + (s[(*i)++] - '0'), k++;
    return k >= minw;
}

static int name_match(const char *s, size_t n, size_t *i, const char *const *names, int count,
                      bool short_form)
{
    for (int k = 0; k < count; k++) {
        size_t len = short_form ? 3 : strlen(names[k]);
        if (*i + len <= n && strncasecmp(s + *i, names[k], len) == 0) {
            *i += len;
            return k + 1;
        }
    }
    return 0;
}

static bool parse_offset(const char *s, size_t n, size_t *i, int32_t *off)
{
    if (*i < n && s[*i] == 'Z') {
        (*i)++;
        *off = 0;
        return true;
    }
    if (*i >= n || (s[*i] != '+' && s[*i] != '-'))
        return false;
    int sign = s[(*i)++] == '-' ? -1 : 1;
    int64_t h, m = 0;
    if (!num(s, n, i, 2, 2, &h))
        return false;
    if (*i < n && s[*i] == ':')
        (*i)++;
    num(s, n, i, 2, 2, &m);
    *off = sign * (int32_t)(h * 3600 + m * 60);
    return true;
}

/* Zone ids and the short names java.time's 'z' parses. */
static const lh_tz_t *zone_named(const char *z)
{
    static const char *const abbr[][2] = {
        {"PST", "America/Los_Angeles"}, {"PDT", "America/Los_Angeles"}, {"MST", "America/Denver"},
        {"MDT", "America/Denver"},      {"CST", "America/Chicago"},     {"CDT", "America/Chicago"},
        {"EST", "America/New_York"},    {"EDT", "America/New_York"},    {"CET", "Europe/Paris"},
        {"CEST", "Europe/Paris"},       {"JST", "Asia/Tokyo"},          {"IST", "Asia/Kolkata"}};
    for (size_t k = 0; k < sizeof abbr / sizeof abbr[0]; k++)
        if (strcmp(z, abbr[k][0]) == 0)
            return lh_tz_get(abbr[k][1]);
    return lh_tz_get(z);
}

static bool parse_token(const tok_t *t, const char *s, size_t n, size_t *i, lh_civil_t *c, int *pm,
                        bool *has_zone, int32_t *off, const lh_tz_t **zone)
{
    int64_t v;
    int cnt = t->count;
    switch (t->letter) {
    case 'y':
        /* java.time: y any width, yy two digits (20xx), yyy.. at least count digits */
        if (!num(s, n, i, cnt == 2 ? 2 : cnt >= 3 ? cnt : 1, cnt == 2 ? 2 : 9, &v))
            return false;
        c->year = cnt == 2 ? 2000 + v : v;
        return true;
    case 'M':
    case 'L':
        if (cnt >= 3) {
            int m = name_match(s, n, i, MONTHS, 12, cnt == 3);
            c->month = m;
            return m > 0;
        }
        if (!num(s, n, i, cnt, 2, &v))
            return false;
        c->month = (int)v;
        return true;
    case 'd':
        if (!num(s, n, i, cnt, 2, &v))
            return false;
        c->day = (int)v;
        return true;
    case 'D':
        if (!num(s, n, i, cnt, 3, &v))
            return false;
        c->day = -(int)v; /* day of year, resolved by the caller below */
        return true;
    case 'E':
        return name_match(s, n, i, DAYS, 7, cnt < 4) > 0;
    case 'a':
        if (*i + 2 > n)
            return false;
        *pm = strncasecmp(s + *i, "PM", 2) == 0 ? 1 : strncasecmp(s + *i, "AM", 2) == 0 ? 0 : -1;
        *i += 2;
        return *pm >= 0;
    case 'H':
    case 'k':
    case 'h':
    case 'K':
        if (!num(s, n, i, cnt, 2, &v))
            return false;
        c->hour = (int)(t->letter == 'k' && v == 24 ? 0 : v);
        return true;
    case 'm':
        if (!num(s, n, i, cnt, 2, &v))
            return false;
        c->minute = (int)v;
        return true;
    case 's':
        if (!num(s, n, i, cnt, 2, &v))
            return false;
        c->second = (int)v;
        return true;
    case 'S': {
        size_t st = *i;
        if (!num(s, n, i, 1, cnt, &v)) /* java.time: 1..count fraction digits */
            return false;
        int k = (int)(*i - st);
        for (; k < 6; k++)
            v *= 10;
        for (; k > 6; k--)
            v /= 10;
        c->micros = (int32_t)v;
        return true;
    }
    case 'X':
    case 'x':
    case 'Z':
        *has_zone = true;
        return parse_offset(s, n, i, off);
    case 'V':
    case 'z': {
        size_t st = *i;
        while (*i < n && (isalnum((unsigned char)s[*i]) || strchr("/_+-:", s[*i])))
            (*i)++;
        char z[64];
        size_t zl = *i - st < 63 ? *i - st : 63;
        memcpy(z, s + st, zl);
        z[zl] = '\0';
        const lh_tz_t *tz = zone_named(z);
        if (tz == NULL)
            return false;
        *has_zone = true;
        *zone = tz; /* resolved at the parsed local time by the caller */
        return true;
    }
    default:
        return false;
    }
}

typedef struct pstate {
    const char *s;
    size_t n;
    lh_civil_t *c;
    int *pm;
    bool *has_zone;
    int32_t *off;
    const lh_tz_t **zone;
    bool frac_seen; /* an S field was parsed: a second one must agree */
} pstate_t;

/* Index of the ']' closing the '[' at k (or end). */
static int group_end(const lh_dtpat_t *p, int k, int end)
{
    int depth = 0;
    for (int j = k; j < end; j++) {
        depth += p->t[j].letter == '[' ? 1 : p->t[j].letter == ']' ? -1 : 0;
        if (depth == 0)
            return j;
    }
    return end;
}

/* Parse tokens [k, end); returns the token index reached (end on success). An optional
 * group that does not match is skipped with the input and fields restored. */
static int parse_seq(const lh_dtpat_t *p, int k, int end, pstate_t *st, size_t *i)
{
    for (; k < end; k++) {
        const tok_t *t = &p->t[k];
        if (t->letter == '[') {
            int close = group_end(p, k, end);
            size_t save_i = *i;
            lh_civil_t save_c = *st->c;
            int save_pm = *st->pm;
            bool save_z = *st->has_zone;
            if (parse_seq(p, k + 1, close, st, i) != close) {
                *i = save_i, *st->c = save_c, *st->pm = save_pm, *st->has_zone = save_z;
            }
            k = close;
            continue;
        }
        if (t->letter == ']')
            continue;
        if (t->letter == 0) {
            if (*i + (size_t)t->litlen > st->n ||
                memcmp(st->s + *i, t->lit, (size_t)t->litlen) != 0)
                return k;
            *i += (size_t)t->litlen;
        } else {
            int32_t had = st->c->micros;
            if (!parse_token(t, st->s, st->n, i, st->c, st->pm, st->has_zone, st->off, st->zone))
                return k;
            if (t->letter == 'S' && st->frac_seen && st->c->micros != had)
                return k; /* java.time: "Conflict found: Field MicroOfSecond .. differs" */
            st->frac_seen |= t->letter == 'S';
        }
    }
    return end;
}

bool lh_dtpat_parse(const lh_dtpat_t *p, const char *s, size_t n, lh_civil_t *c, bool *has_zone,
                    int32_t *offset_s, const lh_tz_t **zone)
{
    *zone = NULL;
    memset(c, 0, sizeof *c);
    c->year = 1970, c->month = 1, c->day = 1;
    *has_zone = false;
    *offset_s = 0;
    int pm = -1;
    size_t i = 0;
    pstate_t st = {s, n, c, &pm, has_zone, offset_s, zone, false};
    if (parse_seq(p, 0, p->n, &st, &i) != p->n || i != n)
        return false;
    if (pm >= 0) {
        if (c->hour < 1 || c->hour > 12)
            return false;
        c->hour = c->hour % 12 + (pm ? 12 : 0);
    }
    if (c->day < 0) {
        int64_t y;
        int m, d;
        lh_dt_civil_from_days(lh_dt_days_from_civil(c->year, 1, 1) - c->day - 1, &y, &m, &d);
        c->month = m, c->day = d;
    }
    return c->month >= 1 && c->month <= 12 && c->day >= 1 &&
           c->day <= lh_dt_days_in_month(c->year, c->month) && c->hour < 24 && c->minute < 60 &&
           c->second < 60;
}
