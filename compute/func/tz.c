/*
 * tz.c - TZif (RFC 8536) reader and fixed-offset zones (see tz.h).
 *
 * A zone is its transition list (64-bit section of a v2+ file) plus the POSIX TZ rule of
 * the footer for instants after the last transition (slim files rely on it). Offsets at
 * an instant: binary search of the transitions, else the rule. Local to UTC tries the
 * offsets just before and after the instant, as java.time's ZoneRules does.
 */
#include "compute/func/tz.h"

#include "common/limits.h"

#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TZ_MAX_TYPES 256

typedef struct rule_date { /* POSIX TZ: Mm.w.d, Jn or n */
    char kind;             /* 'M', 'J', 'N' */
    int m, w, d;
    int32_t time; /* seconds after local midnight */
} rule_date_t;

struct lh_tz {
    char name[64];
    int32_t fixed; /* used when ntrans == 0 and !has_rule */
    int ntrans;
    int64_t *trans;                  /* UTC seconds */
    int32_t *after;                  /* offset in effect from trans[i] */
    int32_t before;                  /* offset before the first transition */
    uint8_t *abbr_idx;               /* per transition: offset into abbrs */
    uint8_t before_abbr;             /* abbreviation before the first transition */
    char abbrs[64];                  /* TZif abbreviation strings, NUL-separated */
    char std_name[16], dst_name[16]; /* from the footer rule */
    bool has_rule;                   /* footer rule present */
    bool rule_dst;                   /* the rule has a DST part */
    int32_t std_off, dst_off;
    rule_date_t start, end;
    struct lh_tz *next;
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct lh_tz *cache;

static int64_t be64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return (int64_t)v;
}

static int32_t be32(const unsigned char *p)
{
    return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

/* Parse "[+-]hh[:mm[:ss]]" as POSIX does (returns seconds, sign as written). */
static const char *posix_offset(const char *s, int32_t *out)
{
    int sign = 1, h = 0, m = 0, sec = 0;
    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    if (!isdigit((unsigned char)*s))
        return NULL;
    while (isdigit((unsigned char)*s))
        h = h * 10 + (*s++ - '0');
    if (*s == ':') {
        s++;
        while (isdigit((unsigned char)*s))
            m = m * 10 + (*s++ - '0');
        if (*s == ':') {
            s++;
            while (isdigit((unsigned char)*s))
                sec = sec * 10 + (*s++ - '0');
        }
    }
    *out = sign * (h * 3600 + m * 60 + sec);
    return s;
}

static const char *posix_name(const char *s)
{
    if (*s == '<') {
        const char *e = strchr(s, '>');
        return e ? e + 1 : NULL;
    }
    while (isalpha((unsigned char)*s))
        s++;
    return s;
}

static const char *posix_date(const char *s, rule_date_t *r)
{
    r->time = 7200;
    if (*s == 'M') {
        r->kind = 'M';
        if (sscanf(s + 1, "%d.%d.%d", &r->m, &r->w, &r->d) != 3)
            return NULL;
        s++;
        while (*s && *s != ',' && *s != '/')
            s++;
    } else {
        r->kind = *s == 'J' ? 'J' : 'N';
        if (*s == 'J')
            s++;
        r->d = atoi(s);
        while (isdigit((unsigned char)*s))
            s++;
    }
    if (*s == '/') {
        int32_t t;
        s = posix_offset(s + 1, &t);
        if (s == NULL)
            return NULL;
        r->time = t;
    }
    return s;
}

/* "PST8PDT,M3.2.0,M11.1.0": POSIX offsets are west-positive, ours east-positive. */
static void copy_name(char *dst, size_t cap, const char *b, const char *e)
{
    if (*b == '<')
        b++, e--;
    snprintf(dst, cap, "%.*s", (int)(e - b), b);
}

static void parse_rule(struct lh_tz *z, const char *s)
{
    int32_t off;
    const char *n0 = s;
    s = posix_name(s);
    if (s != NULL)
        copy_name(z->std_name, sizeof z->std_name, n0, s);
    if (s == NULL || (s = posix_offset(s, &off)) == NULL)
        return;
    z->has_rule = true;
    z->std_off = -off;
    if (*s == '\0' || *s == '\n')
        return;
    const char *n1 = s;
    s = posix_name(s);
    if (s == NULL)
        return;
    copy_name(z->dst_name, sizeof z->dst_name, n1, s);
    z->dst_off = z->std_off + 3600;
    if (*s != ',' && *s != '\0') {
        if ((s = posix_offset(s, &off)) == NULL)
            return;
        z->dst_off = -off;
    }
    if (*s != ',' || (s = posix_date(s + 1, &z->start)) == NULL || *s != ',' ||
        posix_date(s + 1, &z->end) == NULL)
        return;
    z->rule_dst = true;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Local seconds (in the offset in effect before the change) of a rule date in year y. */
static int64_t rule_local(const rule_date_t *r, int64_t y)
{
    int64_t day;
    if (r->kind == 'M') {
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int64_t first = days_from_civil(y, r->m, 1);
        int wd = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
        int64_t d = first + ((r->d - wd + 7) % 7) + (int64_t)(r->w - 1) * 7;
        int len = mdays[r->m - 1] + (r->m == 2 && is_leap(y));
        while (d >= first + len)
            d -= 7;
        day = d;
    } else if (r->kind == 'J') {
        int n = r->d;
        if (is_leap(y) && n >= 60)
            n++;
        day = days_from_civil(y, 1, 1) + n - 1;
    } else {
        day = days_from_civil(y, 1, 1) + r->d;
    }
    return day * 86400 + r->time;
}

static int32_t rule_offset(const struct lh_tz *z, int64_t utc)
{
    if (!z->rule_dst)
        return z->std_off;
    int64_t y = 1970 + (utc + (int64_t)z->std_off) / 31556952;
    for (int tries = 0; tries < 2; tries++) {
        int64_t s = rule_local(&z->start, y) - z->std_off;
        int64_t e = rule_local(&z->end, y) - z->dst_off;
        if (s < e ? (utc >= s && utc < e) : !(utc >= e && utc < s))
            return z->dst_off;
        if (utc >= s || utc >= e)
            return z->std_off;
        y--; /* estimate may be a year late near Jan 1 */
    }
    return z->std_off;
}

static bool load_tzif(struct lh_tz *z, const unsigned char *p, size_t n)
{
    if (n < 44 || memcmp(p, "TZif", 4) != 0)
        return false;
    int32_t cnt[6];
    for (int i = 0; i < 6; i++)
        cnt[i] = be32(p + 20 + 4 * i);
    /* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
    size_t v1 = (size_t)cnt[3] * 5 + (size_t)cnt[4] * 6 + (size_t)cnt[5] + (size_t)cnt[2] * 8 +
                (size_t)cnt[1] + (size_t)cnt[0];
    if (p[4] < '2' || 44 + v1 + 44 > n)
        return false;
    const unsigned char *h = p + 44 + v1;
    if (memcmp(h, "TZif", 4) != 0)
        return false;
    for (int i = 0; i < 6; i++)
        cnt[i] = be32(h + 20 + 4 * i);
    if (cnt[3] < 0 || cnt[3] > LH_TZ_TRANSITIONS_MAX || cnt[4] <= 0 || cnt[4] > TZ_MAX_TYPES)
        return false;
    size_t body = (size_t)cnt[3] * 9 + (size_t)cnt[4] * 6 + (size_t)cnt[5] + (size_t)cnt[2] * 12 +
                  (size_t)cnt[1] + (size_t)cnt[0];
    const unsigned char *t = h + 44;
    if ((size_t)(t - p) + body > n)
        return false;
    const unsigned char *idx = t + (size_t)cnt[3] * 8, *types = idx + cnt[3];
    z->ntrans = cnt[3];
    z->trans = calloc((size_t)cnt[3] + 1, sizeof *z->trans);
    z->after = calloc((size_t)cnt[3] + 1, sizeof *z->after);
    z->abbr_idx = calloc((size_t)cnt[3] + 1, 1);
    if (z->trans == NULL || z->after == NULL || z->abbr_idx == NULL)
        return false;
    const unsigned char *chars = types + (size_t)cnt[4] * 6;
    size_t nchars = (size_t)cnt[5] < sizeof z->abbrs - 1 ? (size_t)cnt[5] : sizeof z->abbrs - 1;
    memcpy(z->abbrs, chars, nchars);
    for (int i = 0; i < cnt[3]; i++) {
        z->trans[i] = be64(t + 8 * i);
        int ti = idx[i] < cnt[4] ? idx[i] : 0;
        z->after[i] = be32(types + 6 * ti);
        uint8_t ai = types[6 * ti + 5];
        z->abbr_idx[i] = ai < nchars ? ai : 0;
    }
    z->before = be32(types); /* type 0 */
    z->before_abbr = types[5] < nchars ? types[5] : 0;
    const unsigned char *foot = t + body, *end = p + n;
    if (foot < end && *foot == '\n') {
        char rule[128];
        size_t k = 0;
        for (foot++; foot < end && *foot != '\n' && k + 1 < sizeof rule; foot++)
            rule[k++] = (char)*foot;
        rule[k] = '\0';
        if (k > 0)
            parse_rule(z, rule);
    }
    return true;
}

/* "+08:00", "-0530", "+8", "UTC", "Z", "GMT+01:00", "UTC-3". */
static bool parse_fixed(const char *s, int32_t *out)
{
    if (strcmp(s, "UTC") == 0 || strcmp(s, "Z") == 0 || strcmp(s, "GMT") == 0 ||
        strcmp(s, "UT") == 0) {
        *out = 0;
        return true;
    }
    if (strncmp(s, "UTC", 3) == 0 || strncmp(s, "GMT", 3) == 0)
        s += 3;
    else if (strncmp(s, "UT", 2) == 0)
        s += 2;
    if (*s != '+' && *s != '-')
        return false;
    int sign = *s++ == '-' ? -1 : 1, f[3] = {0, 0, 0}, nf = 0;
    while (*s && nf < 3) {
        int d = 0, v = 0;
        while (isdigit((unsigned char)*s) && d < 2)
            v = v * 10 + (*s++ - '0'), d++;
        if (d == 0)
            return false;
        f[nf++] = v;
        if (*s == ':')
            s++;
    }
    if (*s != '\0' || f[0] > 18 || f[1] > 59 || f[2] > 59)
        return false;
    int32_t secs = f[0] * 3600 + f[1] * 60 + f[2];
    if (secs > 18 * 3600)
        return false;
    *out = sign * secs;
    return true;
}

static struct lh_tz *load(const char *name)
{
    struct lh_tz *z = calloc(1, sizeof *z);
    if (z == NULL)
        return NULL;
    snprintf(z->name, sizeof z->name, "%s", name);
    int32_t off;
    if (parse_fixed(name, &off)) {
        z->fixed = off;
        return z;
    }
    if (strstr(name, "..") != NULL || name[0] == '/' || strlen(name) > 60) {
        free(z);
        return NULL;
    }
    char path[128];
    const char *dir = getenv("TZDIR");
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "/usr/share/zoneinfo", name);
    FILE *f = fopen(path, "rb");
    unsigned char *buf = malloc(1 << 17);
    size_t n = f && buf ? fread(buf, 1, 1 << 17, f) : 0;
    if (f)
        fclose(f);
    bool ok = n > 0 && load_tzif(z, buf, n);
    free(buf);
    if (!ok) {
        free(z->trans);
        free(z->after);
        free(z->abbr_idx);
        free(z);
        return NULL;
    }
    return z;
}

const lh_tz_t *lh_tz_get(const char *name)
{
    if (name == NULL || *name == '\0')
        return NULL;
    pthread_mutex_lock(&cache_mu);
    struct lh_tz *z = cache;
    while (z && strcmp(z->name, name) != 0)
        z = z->next;
    if (z == NULL && (z = load(name)) != NULL) {
        z->next = cache;
        cache = z;
    }
    pthread_mutex_unlock(&cache_mu);
    return z;
}

int32_t lh_tz_offset(const lh_tz_t *z, int64_t utc)
{
    if (z->ntrans == 0)
        return z->has_rule ? rule_offset(z, utc) : z->fixed;
    if (utc < z->trans[0])
        return z->before;
    if (utc >= z->trans[z->ntrans - 1] && z->has_rule)
        return rule_offset(z, utc);
    int lo = 0, hi = z->ntrans - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (z->trans[mid] <= utc)
            lo = mid;
        else
            hi = mid - 1;
    }
    return z->after[lo];
}

int64_t lh_tz_local_to_utc(const lh_tz_t *z, int64_t local)
{
    /* Offsets around the instant: a day either side covers every real transition. */
    int32_t o1 = lh_tz_offset(z, local - 86400), o2 = lh_tz_offset(z, local + 86400);
    if (o1 == o2)
        return local - o1;
    bool v1 = lh_tz_offset(z, local - o1) == o1, v2 = lh_tz_offset(z, local - o2) == o2;
    if (v1) /* valid with the earlier offset (also the overlap choice) */
        return local - o1;
    if (v2)
        return local - o2;
    return local - o1; /* gap: local - before-offset lands after the transition */
}

const char *lh_tz_abbrev(const lh_tz_t *z, int64_t utc)
{
    if (z->ntrans == 0 && !z->has_rule)
        return z->name;
    if (z->ntrans == 0 || (utc >= z->trans[z->ntrans - 1] && z->has_rule)) {
        bool dst = z->rule_dst && rule_offset(z, utc) == z->dst_off && z->dst_off != z->std_off;
        const char *n = dst ? z->dst_name : z->std_name;
        return n[0] ? n : z->name;
    }
    if (utc < z->trans[0]) { /* java.time names local mean time by the zone's first name */
        const char *b = z->abbrs + z->before_abbr;
        return strcmp(b, "LMT") == 0 ? z->abbrs + z->abbr_idx[0] : b;
    }
    int lo = 0, hi = z->ntrans - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (z->trans[mid] <= utc)
            lo = mid;
        else
            hi = mid - 1;
    }
    return z->abbrs + z->abbr_idx[lo];
}

const char *lh_tz_name(const lh_tz_t *z)
{
    return z->name;
}
