/*
 * collection_map.c - MAP functions (map, map_keys, map_values, map_from_arrays, str_to_map,
 * map_contains_key), the regex functions that return arrays (split, regexp_extract_all) and
 * to_json.
 *
 * Maps keep their entries in insertion order; a NULL key raises NULL_MAP_KEY and a repeated
 * key DUPLICATED_MAP_KEY (Spark's default spark.sql.mapKeyDedupPolicy = EXCEPTION).
 * Regex splitting follows Java's String.split(regex, limit) as Spark calls it: limit > 0
 * gives at most limit parts, otherwise every part (trailing empty strings kept); a
 * zero-width match at the start gives no leading empty part.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/func/fn.h"
#include "compute/func/nested_fn.h"

static bool args_null(const lh_func_exec_t *x, size_t i)
{
    for (int k = 0; k < x->arg_count; k++)
        if (x->args[k]->type.id == LH_TYPE_NULL || fn_null(x->args[k], i))
            return true;
    return false;
}

/* Check keys[0..n) for NULL and duplicates (Spark's errors). */
static lh_err check_keys(const lh_value_t *keys, size_t n, const lh_sql_conf_t *conf, lh_errbuf *eb)
{
    for (size_t k = 0; k < n; k++) {
        if (keys[k].is_null)
            return lh_sqlerr(eb, "NULL_MAP_KEY", NULL);
        for (size_t j = 0; j < k; j++) {
            if (!lh_fnc_value_eq(&keys[j], &keys[k]))
                continue;
            char buf[LH_FMT_MAX];
            const char *txt;
            size_t len = lh_type_is_nested(keys[k].type)
                             ? lh_format_nested(&keys[k], fn_tz(conf), LH_FMT_CAST, &txt)
                             : lh_format_value(&keys[k], fn_tz(conf), LH_FMT_CAST, buf, &txt);
            char key[256];
            snprintf(key, sizeof key, "%.*s", (int)(len < 200 ? len : 200), txt);
            return lh_sqlerr(eb, "DUPLICATED_MAP_KEY", "key", key, "mapKeyDedupPolicy",
                             "\"spark.sql.mapKeyDedupPolicy\"", NULL);
        }
    }
    return LH_OK;
}

static lh_err put_map(lh_vec_t *out, size_t i, const lh_value_t *keys, const lh_value_t *vals,
                      size_t n, lh_nbuf_t *nb)
{
    nb->len = 0;
    LH_TRY(lh_nested_put_map(nb, out->type, keys, vals, n));
    return fn_put_str(out, i, nb->bytes, nb->len);
}

/* ---- map(k, v, ...) -------------------------------------------------------------------------- */

static lh_err b_map(lh_func_bind_t *b, lh_errbuf *eb)
{
    if (b->arg_count % 2 != 0)
        return lh_sqlerr(eb, "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "functionName", "`map`",
                         "expectedNum", "2n (n > 0)", "actualNum",
                         lh_arena_sprintf(b->arena, "%d", b->arg_count), "docroot",
                         "https://spark.apache.org/docs/latest", NULL);
    lh_type_t k = fn_type(LH_TYPE_NULL), v = fn_type(LH_TYPE_NULL);
    for (int i = 0; i < b->arg_count; i += 2) {
        if (!lh_type_common(k, b->arg_types[i], &k))
            return lh_sqlerr(eb, "DATATYPE_MISMATCH.CREATE_MAP_KEY_DIFF_TYPES", "sqlExpr",
                             lh_arena_sprintf(b->arena, "\"%s\"", b->sql ? b->sql : "map"),
                             "functionName", "`map`", "dataType", "keys", NULL);
        if (!lh_type_common(v, b->arg_types[i + 1], &v))
            return fn_bad_input(b, eb, "map", i + 1, "the same type as the other values");
    }
    for (int i = 0; i < b->arg_count; i++)
        b->cast_to[i] = i % 2 ? v : k;
    b->ret_type = lh_type_map(k, v);
    b->ret_nullable = false;
    return LH_OK;
}

static lh_err x_map(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    size_t n = (size_t)x->arg_count / 2;
    lh_fnc_vals_t keys = {0}, vals = {0};
    lh_nbuf_t nb = {0};
    lh_err err = lh_fnc_vals_need(&keys, n + 1);
    if (err == LH_OK)
        err = lh_fnc_vals_need(&vals, n + 1);
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        for (size_t k = 0; k < n; k++) {
            keys.v[k] = fn_get(x->args[2 * k], i);
            vals.v[k] = fn_get(x->args[2 * k + 1], i);
        }
        err = check_keys(keys.v, n, x->conf, eb);
        if (err == LH_OK)
            err = put_map(x->out, i, keys.v, vals.v, n, &nb);
    }
    lh_fnc_vals_free(&keys);
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    return err;
}

/* ---- map_keys, map_values, map_contains_key ----------------------------------------------------
 */

static lh_err b_map_part(lh_func_bind_t *b, lh_errbuf *eb, bool values)
{
    if (b->arg_types[0].id != LH_TYPE_MAP)
        return fn_bad_input(b, eb, values ? "map_values" : "map_keys", 0, "\"MAP\"");
    const lh_ntype_t *m = b->arg_types[0].nested;
    b->ret_type = lh_type_array(values ? m->value : m->elem);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err b_map_keys(lh_func_bind_t *b, lh_errbuf *eb)
{
    return b_map_part(b, eb, false);
}

static lh_err b_map_values(lh_func_bind_t *b, lh_errbuf *eb)
{
    return b_map_part(b, eb, true);
}

static lh_err map_part(const lh_func_exec_t *x, bool values)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (args_null(x, i)) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        lh_narray_t k, v;
        lh_nmap_open(x->args[0]->type, fn_str(x->args[0], i), &k, &v);
        const lh_narray_t *a = values ? &v : &k;
        uint32_t empty = 0;
        if (a->nulls == NULL)
            LH_TRY(fn_put_str(x->out, i, &empty, 4));
        else
            LH_TRY(fn_put_str(x->out, i, a->nulls - 4, a->size));
    }
    return LH_OK;
}

static lh_err x_map_keys(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    return map_part(x, false);
}

static lh_err x_map_values(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    return map_part(x, true);
}

static lh_err b_map_contains_key(lh_func_bind_t *b, lh_errbuf *eb)
{
    if (b->arg_types[0].id != LH_TYPE_MAP)
        return fn_bad_input(b, eb, "map_contains_key", 0, "\"MAP\"");
    b->cast_to[1] = b->arg_types[0].nested->elem;
    b->ret_type = fn_type(LH_TYPE_BOOLEAN);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_map_contains_key(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (args_null(x, i)) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        lh_value_t key = fn_get(x->args[1], i);
        lh_narray_t k, v;
        lh_nmap_open(x->args[0]->type, fn_str(x->args[0], i), &k, &v);
        bool found = false;
        for (uint32_t j = 0; j < k.count && !found; j++) {
            lh_value_t kj;
            lh_narray_get(&k, j, &kj);
            found = lh_fnc_value_eq(&kj, &key);
        }
        fn_put_i64(x->out, i, found);
    }
    return LH_OK;
}

/* ---- map_from_arrays ------------------------------------------------------------------------- */

static lh_err b_map_from_arrays(lh_func_bind_t *b, lh_errbuf *eb)
{
    for (int i = 0; i < 2; i++)
        if (b->arg_types[i].id != LH_TYPE_ARRAY)
            return fn_bad_input(b, eb, "map_from_arrays", i, "\"ARRAY\"");
    b->ret_type = lh_type_map(b->arg_types[0].nested->elem, b->arg_types[1].nested->elem);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_map_from_arrays(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    lh_fnc_vals_t keys = {0}, vals = {0};
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (args_null(x, i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        uint32_t nk, nv;
        err = lh_fnc_get_array(x->args[0], i, &keys, &nk);
        if (err == LH_OK)
            err = lh_fnc_get_array(x->args[1], i, &vals, &nv);
        if (err == LH_OK && nk != nv)
            err = lh_sqlerr(eb, "INTERNAL_ERROR", "message",
                            "The key array and value array of MapData must have the same length.",
                            NULL);
        if (err == LH_OK)
            err = check_keys(keys.v, nk, x->conf, eb);
        if (err == LH_OK)
            err = put_map(x->out, i, keys.v, vals.v, nk, &nb);
    }
    lh_fnc_vals_free(&keys);
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    return err;
}

/* ---- regex splitting ---------------------------------------------------------------------------
 */

static lh_err compile(lh_sv_t p, pcre2_code **out, lh_errbuf *eb)
{
    int err;
    PCRE2_SIZE off;
    *out = pcre2_compile(p.ptr ? p.ptr : (const uint8_t *)"", p.len, PCRE2_UTF, &err, &off, NULL);
    if (*out != NULL)
        return LH_OK;
    char msg[160];
    pcre2_get_error_message(err, (PCRE2_UCHAR *)msg, sizeof msg);
    return lh_sqlerr(eb, "INVALID_PARAMETER_VALUE.PATTERN", "parameter", "`regexp`", "functionName",
                     "`split`", "value", msg, NULL);
}

/* Split s at matches of code (Java's String.split(regex, limit)); parts into vals. */
static lh_err rx_split(pcre2_code *code, pcre2_match_data *md, lh_sv_t s, int64_t limit,
                       lh_fnc_vals_t *vals, size_t *n)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    size_t count = 0, last = 0, at = 0;
    const lh_type_t str = fn_type(LH_TYPE_STRING);
    while (at <= s.len && (limit <= 0 || (int64_t)count + 1 < limit)) {
        if (pcre2_match(code, s.ptr, s.len, at, 0, md, NULL) <= 0)
            break;
        size_t m0 = ov[0], m1 = ov[1];
        if (m1 == m0 && m0 == 0) { /* no leading empty part for a zero-width match */
            at = 1;
            continue;
        }
        if (m1 == m0 && m0 >= s.len)
            break;
        LH_TRY(lh_fnc_vals_need(vals, count + 2));
        vals->v[count++] =
            (lh_value_t){.type = str, .v.str = {s.ptr + last, (uint32_t)(m0 - last)}};
        last = m1;
        at = m1 > m0 ? m1 : m1 + 1;
    }
    LH_TRY(lh_fnc_vals_need(vals, count + 2));
    vals->v[count++] = (lh_value_t){.type = str, .v.str = {s.ptr + last, (uint32_t)(s.len - last)}};
    *n = count;
    return LH_OK;
}

typedef struct rx_bd {
    pcre2_code *code; /* constant pattern, or NULL */
} rx_bd;

static void free_code(void *p)
{
    pcre2_code_free(p);
}

static lh_err bind_rx(lh_func_bind_t *b, lh_errbuf *eb, lh_type_t ret)
{
    rx_bd *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    b->bind_data = bd;
    b->cast_to[0] = b->cast_to[1] = fn_type(LH_TYPE_STRING);
    if (b->arg_count > 2)
        b->cast_to[2] = fn_type(LH_TYPE_INT);
    const lh_value_t *p = b->const_args ? b->const_args[1] : NULL;
    if (p && !p->is_null && p->type.id == LH_TYPE_STRING) {
        LH_TRY(compile(p->v.str, &bd->code, eb));
        lh_arena_defer(b->arena, free_code, bd->code);
    }
    b->ret_type = ret;
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err b_split(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_rx(b, eb, lh_type_array(fn_type(LH_TYPE_STRING)));
}

static lh_err b_extract_all(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_rx(b, eb, lh_type_array(fn_type(LH_TYPE_STRING)));
}

/* Every match's group g. */
static lh_err rx_extract_all(pcre2_code *code, pcre2_match_data *md, lh_sv_t s, int64_t g,
                             lh_fnc_vals_t *vals, size_t *n, lh_errbuf *eb)
{
    uint32_t groups = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
    if (g < 0 || g > (int64_t)groups) {
        char gc[16], gi[24];
        snprintf(gc, sizeof gc, "%u", groups);
        snprintf(gi, sizeof gi, "%lld", (long long)g);
        return lh_sqlerr(eb, "INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX", "parameter", "`idx`",
                         "functionName", "`regexp_extract_all`", "groupCount", gc, "groupIndex", gi,
                         NULL);
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    size_t count = 0;
    for (size_t at = 0; at <= s.len;) {
        int rc = pcre2_match(code, s.ptr, s.len, at, 0, md, NULL);
        if (rc <= 0)
            break;
        LH_TRY(lh_fnc_vals_need(vals, count + 1));
        lh_value_t v = {.type = fn_type(LH_TYPE_STRING)};
        if (g < rc && ov[2 * g] != PCRE2_UNSET)
            v.v.str = (lh_sv_t){s.ptr + ov[2 * g], (uint32_t)(ov[2 * g + 1] - ov[2 * g])};
        else
            v.v.str = (lh_sv_t){(const uint8_t *)"", 0};
        vals->v[count++] = v;
        at = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
    }
    *n = count;
    return LH_OK;
}

static lh_err x_rx(const lh_func_exec_t *x, lh_errbuf *eb, bool split)
{
    fn_begin(x);
    const rx_bd *bd = x->bind_data;
    pcre2_match_data *md = pcre2_match_data_create(64, NULL);
    LH_FAIL_IF(md == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_fnc_vals_t vals = {0};
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (args_null(x, i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        pcre2_code *code = bd->code, *own = NULL;
        if (code == NULL) {
            err = compile(fn_str(x->args[1], i), &own, eb);
            code = own;
        }
        size_t n = 0;
        lh_sv_t s = fn_str(x->args[0], i);
        if (err == LH_OK && split)
            err = rx_split(code, md, s, x->arg_count > 2 ? fn_i64(x->args[2], i) : -1, &vals, &n);
        else if (err == LH_OK)
            err = rx_extract_all(code, md, s, x->arg_count > 2 ? fn_i64(x->args[2], i) : 1, &vals,
                                 &n, eb);
        if (err == LH_OK)
            err = lh_fnc_put_array(x->out, i, vals.v, n, &nb);
        pcre2_code_free(own);
    }
    pcre2_match_data_free(md);
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    return err;
}

static lh_err x_split(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return x_rx(x, eb, true);
}

static lh_err x_extract_all(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return x_rx(x, eb, false);
}

/* ---- str_to_map -------------------------------------------------------------------------------
 */

static lh_err b_str_to_map(lh_func_bind_t *b, lh_errbuf *eb)
{
    (void)eb;
    for (int i = 0; i < b->arg_count; i++)
        b->cast_to[i] = fn_type(LH_TYPE_STRING);
    b->ret_type = lh_type_map(fn_type(LH_TYPE_STRING), fn_type(LH_TYPE_STRING));
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_str_to_map(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    pcre2_match_data *md = pcre2_match_data_create(64, NULL);
    LH_FAIL_IF(md == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_fnc_vals_t pairs = {0}, kv = {0}, keys = {0}, vals = {0};
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (args_null(x, i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        lh_sv_t pd = x->arg_count > 1 ? fn_str(x->args[1], i) : (lh_sv_t){(const uint8_t *)",", 1};
        lh_sv_t kd = x->arg_count > 2 ? fn_str(x->args[2], i) : (lh_sv_t){(const uint8_t *)":", 1};
        pcre2_code *pc = NULL, *kc = NULL;
        err = compile(pd, &pc, eb);
        if (err == LH_OK)
            err = compile(kd, &kc, eb);
        size_t np = 0;
        if (err == LH_OK)
            err = rx_split(pc, md, fn_str(x->args[0], i), -1, &pairs, &np);
        if (err == LH_OK)
            err = lh_fnc_vals_need(&keys, np + 1);
        if (err == LH_OK)
            err = lh_fnc_vals_need(&vals, np + 1);
        for (size_t k = 0; k < np && err == LH_OK; k++) {
            size_t n2 = 0;
            err = rx_split(kc, md, pairs.v[k].v.str, 2, &kv, &n2);
            keys.v[k] = kv.v[0];
            vals.v[k] =
                n2 > 1 ? kv.v[1] : (lh_value_t){.type = fn_type(LH_TYPE_STRING), .is_null = true};
        }
        if (err == LH_OK)
            err = check_keys(keys.v, np, x->conf, eb);
        if (err == LH_OK)
            err = put_map(x->out, i, keys.v, vals.v, np, &nb);
        pcre2_code_free(pc);
        pcre2_code_free(kc);
    }
    pcre2_match_data_free(md);
    lh_fnc_vals_free(&pairs);
    lh_fnc_vals_free(&kv);
    lh_fnc_vals_free(&keys);
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    return err;
}

/* ---- to_json -------------------------------------------------------------------------------- */

static lh_err b_to_json(lh_func_bind_t *b, lh_errbuf *eb)
{
    if (!lh_type_is_nested(b->arg_types[0]))
        return fn_bad_input(b, eb, "to_json", 0, "(\"STRUCT\" or \"ARRAY\" or \"MAP\")");
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_to_json(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (args_null(x, i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        lh_value_t v = fn_get(x->args[0], i);
        nb.len = 0;
        err = lh_nested_json(&nb, &v, fn_tz(x->conf));
        if (err == LH_OK)
            err = fn_put_str(x->out, i, nb.bytes, nb.len);
    }
    lh_nbuf_free(&nb);
    return err;
}

#define F(name, lo, hi, bind, exec)                                                                \
    {                                                                                              \
        name, LH_FUNC_SCALAR, lo, hi, bind, exec, true                                             \
    }
const lh_func_t lh_fn_collection_map[] = {
    F("map", 0, -1, b_map, x_map),
    F("map_contains_key", 2, 2, b_map_contains_key, x_map_contains_key),
    F("map_from_arrays", 2, 2, b_map_from_arrays, x_map_from_arrays),
    F("map_keys", 1, 1, b_map_keys, x_map_keys),
    F("map_values", 1, 1, b_map_values, x_map_values),
    F("regexp_extract_all", 2, 3, b_extract_all, x_extract_all),
    F("split", 2, 3, b_split, x_split),
    F("str_to_map", 1, 3, b_str_to_map, x_str_to_map),
    F("to_json", 1, 2, b_to_json, x_to_json),
};
FN_COUNT(lh_fn_collection_map);
