/*
 * func.c - the registry (lh_func_find, lh_func_suggest, lh_func_all) and the helpers of
 * fn.h shared by the family files.
 *
 * The family tables are merged into one array sorted by name on first use
 * (pthread_once) and searched by bsearch; after that the registry is immutable.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/nested.h"
#include "compute/func/fn.h"
#include "compute/func/format.h"

#define REGISTRY_MAX 512

static lh_func_t registry[REGISTRY_MAX];
static int registry_count;
static pthread_once_t registry_once = PTHREAD_ONCE_INIT;

static int cmp_row(const void *a, const void *b)
{
    return strcmp(((const lh_func_t *)a)->name, ((const lh_func_t *)b)->name);
}

static void add_table(const lh_func_t *rows, int n)
{
    for (int i = 0; i < n; i++) {
        LH_ASSERT(registry_count < REGISTRY_MAX);
        registry[registry_count++] = rows[i];
    }
}

static void build(void)
{
    add_table(lh_fn_arith, lh_fn_arith_count);
    add_table(lh_fn_cast, lh_fn_cast_count);
    add_table(lh_fn_math, lh_fn_math_count);
    add_table(lh_fn_bitwise, lh_fn_bitwise_count);
    add_table(lh_fn_string, lh_fn_string_count);
    add_table(lh_fn_hash, lh_fn_hash_count);
    add_table(lh_fn_regex, lh_fn_regex_count);
    add_table(lh_fn_date, lh_fn_date_count);
    add_table(lh_fn_date_unit, lh_fn_date_unit_count);
    add_table(lh_fn_utf8, lh_fn_utf8_count);
    add_table(lh_fn_tonumber, lh_fn_tonumber_count);
    add_table(lh_fn_json, lh_fn_json_count);
    add_table(lh_fn_json_from, lh_fn_json_from_count);
    add_table(lh_fn_csv, lh_fn_csv_count);
    add_table(lh_fn_fmt, lh_fn_fmt_count);
    add_table(lh_fn_collection, lh_fn_collection_count);
    add_table(lh_fn_collection_map, lh_fn_collection_map_count);
    add_table(lh_fn_collection_more, lh_fn_collection_more_count);
    add_table(lh_fn_url, lh_fn_url_count);
    add_table(lh_fn_aes, lh_fn_aes_count);
    add_table(lh_fn_misc_more, lh_fn_misc_more_count);
    qsort(registry, (size_t)registry_count, sizeof registry[0], cmp_row);
    for (int i = 1; i < registry_count; i++) /* duplicate names are a programmer error */
        LH_ASSERT(strcmp(registry[i - 1].name, registry[i].name) != 0);
}

const lh_func_t *lh_func_find(const char *name)
{
    pthread_once(&registry_once, build);
    char low[64];
    size_t n = strlen(name);
    if (n >= sizeof low)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    lh_func_t key = {.name = low};
    return bsearch(&key, registry, (size_t)registry_count, sizeof registry[0], cmp_row);
}

const lh_func_t *lh_func_all(int *count)
{
    pthread_once(&registry_once, build);
    *count = registry_count;
    return registry;
}

static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    int row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int sub = prev + ((a[i - 1] | 32) != (b[j - 1] | 32));
            int best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            prev = cur;
        }
    }
    return row[lb];
}

int lh_func_suggest(const char *name, const char **out, int max)
{
    pthread_once(&registry_once, build);
    int n = 0;
    for (int d = 1; d <= 3 && n < max; d++)
        for (int i = 0; i < registry_count && n < max; i++)
            if (edit_distance(name, registry[i].name) == d)
                out[n++] = registry[i].name;
    return n;
}

/* ---- fn.h helpers ---- */

lh_value_t fn_get(const lh_vec_t *v, size_t i)
{
    lh_value_t val = {.type = v->type, .is_null = fn_null(v, i)};
    if (val.is_null)
        return val;
    switch (v->type.id) {
    case LH_TYPE_NULL:
        val.is_null = true;
        break;
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        val.v.f64 = lh_vec_get_f64(v, i);
        break;
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
    case LH_TYPE_INTERVAL_CAL:
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT:
        val.v.str = fn_str(v, i);
        break;
    case LH_TYPE_DECIMAL:
        if (v->type.precision > 18) {
            val.v.i128 = lh_dec_get(v, i);
            break;
        }
        /* fall through */
    default:
        val.v.i64 = lh_vec_get_i64(v, i);
    }
    return val;
}

lh_err fn_put_null(lh_vec_t *out, size_t i)
{
    memset((char *)out->data + i * lh_type_width(out->type), 0, lh_type_width(out->type));
    return lh_vec_set_null(out, i, true);
}

lh_err fn_put_str(lh_vec_t *out, size_t i, const void *bytes, size_t len)
{
    const uint8_t *p = lh_vec_heap_copy(out, bytes, len);
    if (p == NULL && len > 0)
        return LH_E_NOMEM;
    ((lh_sv_t *)out->data)[i] = (lh_sv_t){p, (uint32_t)len};
    return LH_OK;
}

lh_err fn_put(lh_vec_t *out, size_t i, const lh_value_t *val)
{
    if (val->is_null)
        return fn_put_null(out, i);
    switch (out->type.id) {
    case LH_TYPE_NULL:
        return fn_put_null(out, i);
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        fn_put_f64(out, i, val->v.f64);
        return LH_OK;
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
    case LH_TYPE_INTERVAL_CAL:
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT:
        return fn_put_str(out, i, val->v.str.ptr, val->v.str.len);
    case LH_TYPE_DECIMAL:
        lh_dec_put(out, i,
                   val->type.id == LH_TYPE_DECIMAL && val->type.precision > 18
                       ? val->v.i128
                       : (lh_i128)val->v.i64);
        return LH_OK;
    default:
        fn_put_i64(out, i, val->v.i64);
        return LH_OK;
    }
}

bool fn_any_null(const lh_func_exec_t *x, size_t i)
{
    for (int a = 0; a < x->arg_count; a++)
        if (fn_null(x->args[a], i) || x->args[a]->type.id == LH_TYPE_NULL) {
            fn_put_null(x->out, i);
            return true;
        }
    return false;
}

const lh_tz_t *fn_tz(const lh_sql_conf_t *conf)
{
    const lh_tz_t *tz = conf && conf->time_zone ? lh_tz_get(conf->time_zone) : NULL;
    return tz ? tz : lh_tz_get("UTC");
}

const char *fn_type_sql(lh_type_t t, char *buf, size_t cap)
{
    char inner[64];
    snprintf(buf, cap, "\"%s\"", lh_format_type_sql(t, inner, sizeof inner));
    return buf;
}

const char *fn_value_sql(const lh_value_t *v, char *buf, size_t cap)
{
    char tmp[LH_FMT_MAX];
    const char *txt;
    size_t n = lh_format_value(v, lh_tz_get("UTC"), LH_FMT_CAST, tmp, &txt);
    switch (v->type.id) {
    case LH_TYPE_STRING:
        snprintf(buf, cap, "'%.*s'", (int)(n < 200 ? n : 200), txt);
        break;
    case LH_TYPE_DOUBLE:
        snprintf(buf, cap, "%.*sD", (int)n, txt);
        break;
    case LH_TYPE_FLOAT:
        snprintf(buf, cap, "%.*sF", (int)n, txt);
        break;
    case LH_TYPE_BYTE:
        snprintf(buf, cap, "%.*sY", (int)n, txt);
        break;
    case LH_TYPE_SHORT:
        snprintf(buf, cap, "%.*sS", (int)n, txt);
        break;
    case LH_TYPE_LONG:
        snprintf(buf, cap, "%.*sL", (int)n, txt);
        break;
    case LH_TYPE_BOOLEAN:
        snprintf(buf, cap, "%s", v->v.i64 ? "true" : "false");
        break;
    case LH_TYPE_DATE:
        snprintf(buf, cap, "DATE '%.*s'", (int)n, txt);
        break;
    case LH_TYPE_TIMESTAMP:
        snprintf(buf, cap, "TIMESTAMP '%.*s'", (int)n, txt);
        break;
    case LH_TYPE_TIMESTAMP_NTZ:
        snprintf(buf, cap, "TIMESTAMP_NTZ '%.*s'", (int)n, txt);
        break;
    case LH_TYPE_DECIMAL:
        snprintf(buf, cap, "%.*sBD", (int)n, txt);
        break;
    default:
        snprintf(buf, cap, "%.*s", (int)(n < 200 ? n : 200), txt);
    }
    return buf;
}

lh_err lh_func_check_orderable(lh_func_bind_t *b, lh_errbuf *eb, const char *fname, lh_type_t t)
{
    if (lh_type_orderable(t))
        return LH_OK;
    char tb[256];
    return lh_sqlerr(eb, "DATATYPE_MISMATCH.INVALID_ORDERING_TYPE", "sqlExpr",
                     b->sql ? lh_arena_sprintf(b->arena, "\"%s\"", b->sql)
                            : lh_arena_sprintf(b->arena, "\"%s(...)\"", fname),
                     "functionName", lh_arena_sprintf(b->arena, "`%s`", fname), "dataType",
                     lh_arena_sprintf(b->arena, "\"%s\"", fn_type_sql(t, tb, sizeof tb)), NULL);
}

lh_err fn_bad_input(lh_func_bind_t *b, lh_errbuf *eb, const char *fname, int idx,
                    const char *required)
{
    static const char *const ord[] = {"first", "second", "third", "fourth", "fifth"};
    char t[64], pos[16], sqlexpr[96];
    snprintf(pos, sizeof pos, "%s", idx < 5 ? ord[idx] : "sixth");
    snprintf(sqlexpr, sizeof sqlexpr, "\"%s(...)\"", fname);
    return lh_sqlerr(eb, "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", "sqlExpr", sqlexpr,
                     "paramIndex", pos, "requiredType", required, "inputSql", "the argument",
                     "inputType", fn_type_sql(b->arg_types[idx], t, sizeof t), NULL);
}

int64_t fn_now_us(const lh_sql_conf_t *conf)
{
    if (conf && conf->now_us)
        return conf->now_us;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
