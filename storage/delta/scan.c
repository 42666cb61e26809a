/*
 * scan.c - which live files a scan must open (formats.md §2.4, §2.5).
 *
 * Partition pruning: a predicate on a partition column is evaluated exactly on the file's
 * partition value (null never matches a comparison). Data skipping: a predicate on a
 * data column is judged from add.stats {numRecords, minValues, maxValues, nullCount}:
 * all-null columns match nothing; otherwise min/max bound the values (timestamps get +1 ms
 * slack on max since stats are truncated to ms). A column without usable stats, a
 * decimal wider than 15 digits and NaN all mean "may match".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "storage/delta/delta_scan_internal.h"

/* ---- dates and timestamps ------------------------------------------------------------------ */

void lh_delta_format_date(int32_t days, char *buf, size_t n)
{
    int64_t y;
    unsigned m, d;
    lh_civil_from_days(days, &y, &m, &d);
    snprintf(buf, n, "%04lld-%02u-%02u", (long long)y, m, d);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void lh_delta_format_timestamp_ms(int64_t micros, char *buf, size_t n)
{
    int64_t ms = floor_div(micros, 1000);
    int64_t days = floor_div(ms, 86400000);
    int64_t rem = ms - days * 86400000;
    int64_t y;
    unsigned mo, d;
    lh_civil_from_days(days, &y, &mo, &d);
    snprintf(buf, n, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ", (long long)y, mo, d,
             (unsigned)(rem / 3600000), (unsigned)(rem / 60000 % 60), (unsigned)(rem / 1000 % 60),
             (unsigned)(rem % 1000));
}

bool lh_delta_parse_date(const char *s, int32_t *days)
{
    int y, m, d, used = 0;
    if (sscanf(s, "%d-%d-%d%n", &y, &m, &d, &used) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    if (s[used] != '\0')
        return false;
    *days = (int32_t)lh_days_from_civil(y, (unsigned)m, (unsigned)d);
    return true;
}

static bool parse_zone(const char *p, int64_t *offset_s)
{
    *offset_s = 0;
    if (*p == '\0' || strcmp(p, "Z") == 0)
        return true;
    int hh, mm;
    if ((p[0] == '+' || p[0] == '-') && sscanf(p + 1, "%2d:%2d", &hh, &mm) == 2) {
        *offset_s = (p[0] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
        return true;
    }
    return false;
}

bool lh_delta_parse_timestamp(const char *s, int64_t *micros)
{
    int y, mo, d, h, mi, sec, used = 0;
    char sep;
    if (sscanf(s, "%d-%d-%d%c%d:%d:%d%n", &y, &mo, &d, &sep, &h, &mi, &sec, &used) != 7 ||
        (sep != ' ' && sep != 'T') || mo < 1 || mo > 12 || d < 1 || d > 31)
        return false;
    const char *p = s + used;
    int64_t frac = 0;
    if (*p == '.') {
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < 6)
                frac = frac * 10 + (*p - '0');
        for (; digits < 6; digits++)
            frac *= 10;
    }
    int64_t off;
    if (!parse_zone(p, &off))
        return false;
    int64_t days = lh_days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - off;
    *micros = secs * 1000000 + frac;
    return true;
}

/* ---- typed values ---------------------------------------------------------------------------- */

static bool parse_decimal(const char *s, uint8_t scale, int64_t *out)
{
    int64_t v = 0;
    int frac = -1;
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    if (*s == '\0')
        return false;
    for (; *s; s++) {
        if (*s == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (*s < '0' || *s > '9' || v > INT64_MAX / 10 - 10)
            return false;
        if (frac >= 0 && frac >= scale)
            continue; /* extra digits truncated */
        v = v * 10 + (*s - '0');
        if (frac >= 0)
            frac++;
    }
    for (int f = frac < 0 ? 0 : frac; f < scale; f++)
        v *= 10;
    *out = neg ? -v : v;
    return true;
}

static bool parse_typed(const char *text, lh_type_t t, lh_value_t *out)
{
    char *end = NULL;
    switch (t.id) {
    case LH_TYPE_BOOLEAN:
        out->v.i64 = strcasecmp(text, "true") == 0;
        return out->v.i64 || strcasecmp(text, "false") == 0;
    case LH_TYPE_BYTE:
    case LH_TYPE_SHORT:
    case LH_TYPE_INT:
    case LH_TYPE_LONG:
        out->v.i64 = strtoll(text, &end, 10);
        return *end == '\0';
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        out->v.f64 = strtod(text, &end);
        return *end == '\0';
    case LH_TYPE_DATE: {
        int32_t days;
        if (!lh_delta_parse_date(text, &days))
            return false; /* days unset */
        out->v.i64 = days;
        return true;
    }
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
        return lh_delta_parse_timestamp(text, &out->v.i64);
    case LH_TYPE_DECIMAL:
        if (t.precision > 18)
            return false;
        return parse_decimal(text, t.scale, &out->v.i64);
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
        out->v.str.ptr = (const uint8_t *)text;
        out->v.str.len = (uint32_t)strlen(text);
        return true;
    default:
        return false;
    }
}

lh_err lh_delta_partition_value(const char *text, lh_type_t t, lh_value_t *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    out->type = t;
    if (text == NULL || text[0] == '\0') { /* "" also means null (§2.4) */
        out->is_null = true;
        return LH_OK;
    }
    LH_FAIL_IF(!parse_typed(text, t, out), LH_E_CORRUPT, eb,
               "partition value '%s' does not parse as its column type", text);
    return LH_OK;
}

/* ---- predicates --------------------------------------------------------------------------------
 */

bool lh_delta_op_holds(lh_pq_op op, int cmp)
{
    switch (op) {
    case LH_PQ_EQ:
    case LH_PQ_IN:
        return cmp == 0;
    case LH_PQ_LT:
        return cmp < 0;
    case LH_PQ_LE:
        return cmp <= 0;
    case LH_PQ_GT:
        return cmp > 0;
    case LH_PQ_GE:
        return cmp >= 0;
    }
    return false;
}

static bool eval_value(const lh_value_t *v, const lh_delta_pred_t *p)
{
    if (v->is_null)
        return false;
    for (int i = 0; i < p->value_count; i++)
        if (lh_delta_op_holds(p->op, lh_value_compare(v, &p->values[i])))
            return true;
    return false;
}

static bool is_partition_col(const lh_delta_metadata_t *md, const char *col)
{
    for (int i = 0; i < md->partition_column_count; i++)
        if (strcasecmp(md->partition_columns[i], col) == 0)
            return true;
    return false;
}

/* Partition value of col from pv, matching the key case-insensitively. */
static const char *pv_get(const lh_delta_map_t *pv, const char *col)
{
    for (int i = 0; i < pv->count; i++)
        if (strcasecmp(pv->items[i].key, col) == 0)
            return pv->items[i].value;
    return NULL;
}

static bool partition_may_match(const lh_delta_metadata_t *md, const lh_delta_map_t *pv,
                                const lh_delta_pred_t *p)
{
    const lh_schema_t *ps = md->primitive_schema;
    if (ps == NULL || !is_partition_col(md, p->column))
        return true;
    int idx = lh_schema_find(ps, p->column);
    if (idx < 0)
        return true;
    lh_value_t v;
    if (lh_delta_partition_value(pv_get(pv, p->column), ps->fields[idx].type, &v, NULL) != LH_OK)
        return true;
    return eval_value(&v, p);
}

bool lh_delta_pred_set_match_partition(const lh_delta_pred_set_t *s, const lh_delta_metadata_t *md,
                                       const lh_delta_map_t *pv)
{
    for (int i = 0; i < s->count; i++)
        if (!partition_may_match(md, pv, &s->preds[i]))
            return false;
    return true;
}

/* ---- stats --------------------------------------------------------------------------------- */

/* A stats JSON value as type t; false when unusable. */
static bool stat_value(json_t *j, lh_type_t t, lh_value_t *out)
{
    memset(out, 0, sizeof *out);
    out->type = t;
    if (j == NULL || json_is_null(j))
        return false;
    if (json_is_string(j))
        return t.id != LH_TYPE_DECIMAL && parse_typed(json_string_value(j), t, out);
    if (!json_is_number(j))
        return false;
    double d = json_number_value(j);
    switch (t.id) {
    case LH_TYPE_BYTE:
    case LH_TYPE_SHORT:
    case LH_TYPE_INT:
    case LH_TYPE_LONG:
        if (!json_is_integer(j))
            return false;
        out->v.i64 = json_integer_value(j);
        return true;
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        out->v.f64 = d;
        return !isnan(d);
    case LH_TYPE_DECIMAL:
        if (t.precision > 15)
            return false;
        out->v.i64 = (int64_t)llround(d * pow(10, t.scale));
        return true;
    default:
        return false;
    }
}

static bool range_may_match(const lh_value_t *mn, const lh_value_t *mx, const lh_delta_pred_t *p)
{
    for (int i = 0; i < p->value_count; i++) {
        const lh_value_t *v = &p->values[i];
        int lo = lh_value_compare(mn, v), hi = lh_value_compare(mx, v);
        switch (p->op) {
        case LH_PQ_EQ:
        case LH_PQ_IN:
            if (lo <= 0 && hi >= 0)
                return true;
            break;
        case LH_PQ_LT:
            return lo < 0;
        case LH_PQ_LE:
            return lo <= 0;
        case LH_PQ_GT:
            return hi > 0;
        case LH_PQ_GE:
            return hi >= 0;
        }
    }
    return false;
}

static bool stats_may_match(json_t *stats, const lh_field_t *f, const lh_delta_pred_t *p)
{
    json_t *num = json_object_get(stats, "numRecords");
    json_t *nc = json_object_get(json_object_get(stats, "nullCount"), f->name);
    if (json_is_integer(num) && json_is_integer(nc) &&
        json_integer_value(nc) == json_integer_value(num))
        return false; /* every value is null: no comparison holds */
    lh_value_t mn, mx;
    if (!stat_value(json_object_get(json_object_get(stats, "minValues"), f->name), f->type, &mn) ||
        !stat_value(json_object_get(json_object_get(stats, "maxValues"), f->name), f->type, &mx))
        return true;
    if (f->type.id == LH_TYPE_TIMESTAMP || f->type.id == LH_TYPE_TIMESTAMP_NTZ)
        mx.v.i64 += 1000;
    return range_may_match(&mn, &mx, p);
}

static bool pred_usable(const lh_delta_pred_t *p, const lh_field_t *f)
{
    if (p->value_count < 1 || (p->op != LH_PQ_IN && p->value_count != 1))
        return false;
    bool fp = f->type.id == LH_TYPE_FLOAT || f->type.id == LH_TYPE_DOUBLE;
    if (fp && (p->op == LH_PQ_GT || p->op == LH_PQ_GE))
        return false; /* NaN (left out of the stats) is larger than every number in Spark */
    for (int i = 0; i < p->value_count; i++)
        if (p->values[i].is_null || !lh_type_equal(p->values[i].type, f->type) ||
            (fp && isnan(p->values[i].v.f64)))
            return false;
    return true;
}

bool lh_delta_file_may_match(const lh_delta_snapshot_t *s, const lh_delta_add_t *f,
                             const lh_delta_pred_t *preds, int pred_count)
{
    const lh_delta_metadata_t *md = &s->metadata;
    const lh_schema_t *ps = md->primitive_schema;
    if (ps == NULL)
        return true;
    json_t *stats = NULL;
    bool match = true;
    for (int i = 0; match && i < pred_count; i++) {
        const lh_delta_pred_t *p = &preds[i];
        int idx = lh_schema_find(ps, p->column);
        if (idx < 0 || !pred_usable(p, &ps->fields[idx]))
            continue;
        if (is_partition_col(md, p->column)) {
            match = partition_may_match(md, &f->partition_values, p);
            continue;
        }
        if (stats == NULL && f->stats != NULL)
            stats = json_loads(f->stats, 0, NULL);
        if (json_is_object(stats))
            match = stats_may_match(stats, &ps->fields[idx], p);
    }
    json_decref(stats);
    return match;
}

lh_err lh_delta_scan_files(const lh_delta_snapshot_t *s, const lh_delta_pred_t *preds,
                           int pred_count, const lh_delta_add_t ***out, size_t *count,
                           lh_errbuf *eb)
{
    *out = NULL;
    *count = 0;
    const lh_delta_add_t **v = calloc(s->file_count + 1, sizeof *v);
    LH_FAIL_IF(v == NULL, LH_E_NOMEM, eb, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < s->file_count; i++)
        if (lh_delta_file_may_match(s, &s->files[i], preds, pred_count))
            v[n++] = &s->files[i];
    *out = v;
    *count = n;
    return LH_OK;
}

/* ---- predicate sets ----------------------------------------------------------------------------
 */

static lh_err copy_pred(const lh_delta_pred_t *src, lh_delta_pred_t *dst)
{
    memset(dst, 0, sizeof *dst);
    dst->op = src->op;
    dst->column = strdup(src->column);
    lh_value_t *vals = calloc((size_t)src->value_count + 1, sizeof *vals);
    if (dst->column == NULL || vals == NULL) {
        free(vals);
        return LH_E_NOMEM;
    }
    dst->values = vals;
    for (int i = 0; i < src->value_count; i++) {
        vals[i] = src->values[i];
        dst->value_count = i + 1;
        bool is_str = vals[i].type.id == LH_TYPE_STRING || vals[i].type.id == LH_TYPE_BINARY;
        if (is_str && !vals[i].is_null) {
            uint8_t *b = malloc(vals[i].v.str.len + 1);
            if (b == NULL) {
                vals[i].is_null = true;
                return LH_E_NOMEM;
            }
            memcpy(b, vals[i].v.str.ptr, vals[i].v.str.len);
            vals[i].v.str.ptr = b;
        }
    }
    return LH_OK;
}

static void free_pred(lh_delta_pred_t *p)
{
    lh_value_t *vals = (lh_value_t *)p->values;
    for (int i = 0; i < p->value_count; i++) {
        bool is_str = vals[i].type.id == LH_TYPE_STRING || vals[i].type.id == LH_TYPE_BINARY;
        if (is_str && !vals[i].is_null)
            free((void *)vals[i].v.str.ptr);
    }
    free(vals);
    free((char *)p->column);
}

lh_err lh_delta_pred_set_add(lh_delta_pred_set_t *s, const lh_delta_pred_t *preds, int n,
                             lh_errbuf *eb)
{
    lh_delta_pred_t *np = realloc(s->preds, (size_t)(s->count + n) * sizeof *np);
    LH_FAIL_IF(np == NULL, LH_E_NOMEM, eb, "out of memory");
    s->preds = np;
    for (int i = 0; i < n; i++) {
        lh_err e = copy_pred(&preds[i], &np[s->count]);
        s->count++;
        LH_FAIL_IF(e != LH_OK, e, eb, "out of memory");
    }
    return LH_OK;
}

void lh_delta_pred_set_clear(lh_delta_pred_set_t *s)
{
    for (int i = 0; i < s->count; i++)
        free_pred(&s->preds[i]);
    free(s->preds);
    s->preds = NULL;
    s->count = 0;
}
