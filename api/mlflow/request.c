/*
 * request.c - reading MLflow requests and writing MLflow's JSON.
 *
 * Requests: MLflow clients send GET messages as query parameters (repeated for lists) and
 * everything else as JSON bodies; req->params merges both. Scalars repeated in a query
 * string take their first value, as MLflow's server does. Numbers may be JSON strings.
 * Names and lengths follow mlflow/utils/validation.py (messages keep its wording).
 *
 * Responses: proto JSON as MLflow writes it: int64 as JSON numbers, doubles that are not
 * finite as the strings "NaN", "Infinity" and "-Infinity", empty lists omitted.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/mlflow/mlflow_internal.h"
#include "common/json.h"
#include "common/util.h"

/* ---- text in messages ---- */

int mlf_clip(const char *s, int max)
{
    int n = 0;
    while (n < max && s[n] != '\0')
        n++;
    if (s[n] == '\0')
        return n;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

/* ---- getters ---- */

static json_t *first_of(json_t *v)
{
    if (json_is_array(v))
        v = json_array_size(v) > 0 ? json_array_get(v, 0) : NULL;
    return json_is_null(v) ? NULL : v;
}

static lh_err missing(const char *key, lh_errbuf *eb)
{
    LH_FAIL(LH_E_INVALID, eb,
            "Missing value for required parameter '%s'. See the API docs for more information "
            "about request parameters.",
            key);
}

lh_err mlf_str(const json_t *params, const char *key, bool required, const char **out,
               lh_errbuf *eb)
{
    json_t *v = first_of(json_object_get(params, key));
    if (v == NULL || (json_is_string(v) && required && json_string_length(v) == 0))
        return required ? missing(key, eb) : LH_OK;
    LH_FAIL_IF(!json_is_string(v), LH_E_INVALID, eb,
               "Invalid value for parameter '%s' supplied: expected a string", key);
    *out = json_string_value(v);
    return LH_OK;
}

lh_err mlf_int(const json_t *params, const char *key, bool required, int64_t *out, bool *present,
               lh_errbuf *eb)
{
    json_t *v = first_of(json_object_get(params, key));
    if (present != NULL)
        *present = v != NULL;
    if (v == NULL)
        return required ? missing(key, eb) : LH_OK;
    LH_FAIL_IF(json_is_boolean(v), LH_E_INVALID, eb,
               "Invalid value for parameter '%s' supplied: expected an integer", key);
    return lh_json_as_int(v, key, out, eb);
}

lh_err mlf_run_id(const json_t *params, const char **out, lh_errbuf *eb)
{
    const char *id = NULL;
    LH_TRY(mlf_str(params, "run_id", false, &id, eb));
    if (id == NULL || *id == '\0')
        LH_TRY(mlf_str(params, "run_uuid", false, &id, eb));
    if (id == NULL || *id == '\0')
        return missing("run_id", eb);
    *out = id;
    return LH_OK;
}

lh_err mlf_str_list(const json_t *params, const char *key, lh_arena_t *arena, const char ***out,
                    size_t *count, lh_errbuf *eb)
{
    json_t *v = json_object_get(params, key);
    size_t n = lh_json_list_size(v);
    const char **items = lh_arena_calloc(arena, n + 1, sizeof *items);
    for (size_t i = 0; i < n; i++) {
        json_t *e = lh_json_list_get(v, i);
        if (json_is_integer(e)) {
            items[i] = lh_arena_sprintf(arena, "%lld", (long long)json_integer_value(e));
            continue;
        }
        LH_FAIL_IF(!json_is_string(e), LH_E_INVALID, eb,
                   "Invalid value for parameter '%s' supplied: expected a list of strings", key);
        items[i] = json_string_value(e);
    }
    *out = items;
    *count = n;
    return LH_OK;
}

lh_err mlf_kv_list(const json_t *list, const char *what, lh_arena_t *arena, mlf_kv **out,
                   size_t *count, lh_errbuf *eb)
{
    size_t n = lh_json_list_size(list);
    mlf_kv *items = lh_arena_calloc(arena, n + 1, sizeof *items);
    for (size_t i = 0; i < n; i++) {
        json_t *o = lh_json_list_get(list, i);
        LH_FAIL_IF(!json_is_object(o), LH_E_INVALID, eb, "%s[%zu] must be an object", what, i);
        lh_errbuf inner;
        if (mlf_str(o, "key", true, &items[i].key, &inner) != LH_OK)
            LH_FAIL(LH_E_INVALID, eb, "Missing value for required parameter '%s[%zu].key'.", what,
                    i);
        items[i].value = "";
        LH_TRY(mlf_str(o, "value", false, &items[i].value, eb));
    }
    *out = items;
    *count = n;
    return LH_OK;
}

bool mlf_parse_experiment_id(const char *text, int64_t *out)
{
    if (text == NULL || *text == '\0' || strlen(text) > 18)
        return false;
    int64_t v = 0;
    for (const char *p = text; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return false;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return true;
}

lh_err mlf_view_type(const json_t *params, const char *key, int *out, lh_errbuf *eb)
{
    static const char *const names[] = {NULL, "ACTIVE_ONLY", "DELETED_ONLY", "ALL"};
    json_t *v = first_of(json_object_get(params, key));
    *out = 1;
    if (v == NULL)
        return LH_OK;
    for (int i = 1; i <= 3 && json_is_string(v); i++)
        if (strcasecmp(json_string_value(v), names[i]) == 0) {
            *out = i;
            return LH_OK;
        }
    int64_t n = 0;
    lh_errbuf ignored;
    LH_FAIL_IF(lh_json_as_int(v, key, &n, &ignored) != LH_OK || n < 1 || n > 3, LH_E_INVALID, eb,
               "Invalid value for parameter '%s' supplied: expected ACTIVE_ONLY, DELETED_ONLY or "
               "ALL",
               key);
    *out = (int)n;
    return LH_OK;
}

/* ---- MLflow's rules for names and lengths ---- */

static bool key_char_ok(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '/' || c == '.' || c == '-' || c == ' ' || c == ':' ||
           c >= 0x80;
}

/* posixpath.normpath(name) != name, or it is "." or starts with ".." or "/". */
static bool resolves_elsewhere(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || name[0] == '/' || name[n - 1] == '/' || strncmp(name, "..", 2) == 0 ||
        strstr(name, "//") != NULL)
        return true;
    for (const char *seg = name; seg != NULL;) {
        const char *slash = strchr(seg, '/');
        size_t len = slash ? (size_t)(slash - seg) : strlen(seg);
        if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
            return true;
        seg = slash ? slash + 1 : NULL;
    }
    return false;
}

lh_err mlf_check_key(const char *path, const char *name, lh_errbuf *eb)
{
    for (const char *p = name; *p; p++)
        LH_FAIL_IF(!key_char_ok((unsigned char)*p), LH_E_INVALID, eb,
                   "Invalid value \"%.*s\" for parameter '%s' supplied: Names may only contain "
                   "alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) "
                   "and slashes (/).",
                   MLF_CLIP(name, 250), path);
    LH_FAIL_IF(resolves_elsewhere(name), LH_E_INVALID, eb,
               "Invalid value \"%.*s\" for parameter '%s' supplied: Names may be treated as "
               "files in certain cases, and must not resolve to other names when treated as such.",
               MLF_CLIP(name, 250), path);
    return mlf_check_len(path, MLF_KEY_MAX, name, eb);
}

lh_err mlf_check_len(const char *path, size_t limit, const char *value, lh_errbuf *eb)
{
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        chars += (*p & 0xc0) != 0x80;
    LH_FAIL_IF(chars > limit, LH_E_INVALID, eb,
               "'%s' exceeds the maximum length of %zu characters (got %zu)", path, limit, chars);
    return LH_OK;
}

lh_err mlf_metric_value(const json_t *v, const char *path, double *out, lh_errbuf *eb)
{
    LH_FAIL_IF(v == NULL || json_is_null(v), LH_E_INVALID, eb,
               "Missing value for required parameter '%s'.", path);
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return LH_OK;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end = NULL;
        errno = 0;
        double d = strtod(s, &end);
        if (*s != '\0' && *end == '\0' && !isspace((unsigned char)*s)) {
            *out = d;
            return LH_OK;
        }
        LH_FAIL(LH_E_INVALID, eb,
                "Invalid value \"%.*s\" for parameter '%s' supplied: Please specify value as a "
                "valid double (64-bit floating point)",
                MLF_CLIP(s, 100), path);
    }
    LH_FAIL(LH_E_INVALID, eb,
            "Invalid value for parameter '%s' supplied: Please specify value as a valid double "
            "(64-bit floating point)",
            path);
}

/* ---- JSON ---- */

json_t *mlf_double_json(double v)
{
    if (isnan(v))
        return json_string("NaN");
    if (isinf(v))
        return json_string(v > 0 ? "Infinity" : "-Infinity");
    return json_real(v);
}

void mlf_kv_append(json_t *arr, const char *key, const char *value)
{
    json_t *o = json_object();
    json_object_set_new(o, "key", json_string(key));
    if (value != NULL)
        json_object_set_new(o, "value", json_string(value));
    json_array_append_new(arr, o);
}

lh_err mlf_kv_step(lh_stmt_t *st, json_t *obj, const char *name, lh_errbuf *eb)
{
    json_t *arr = json_array();
    for (;;) {
        bool row = false;
        lh_err e = lh_stmt_step(st, &row, eb);
        if (e != LH_OK) {
            json_decref(arr);
            return e;
        }
        if (!row)
            break;
        mlf_kv_append(arr, lh_stmt_text(st, 0), lh_stmt_text(st, 1));
    }
    mlf_set_list(obj, name, arr);
    return LH_OK;
}

lh_err mlf_kv_rows(lh_meta_t *m, const char *sql, const char *id, json_t *obj, const char *name,
                   lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, sql, &st, eb));
    lh_stmt_bind_text(st, 1, id);
    return mlf_kv_step(st, obj, name, eb);
}

const char *mlf_json_text(lh_arena_t *arena, json_t *v)
{
    size_t len = 0;
    char *text = lh_json_write(v, &len);
    json_decref(v);
    LH_ASSERT(text != NULL); /* out of memory, as the arena would */
    const char *copy = lh_arena_strndup(arena, text, len);
    free(text);
    return copy;
}

void mlf_set_list(json_t *obj, const char *key, json_t *arr)
{
    if (json_array_size(arr) > 0)
        json_object_set_new(obj, key, arr);
    else
        json_decref(arr);
}

/* ---- ids and names ---- */

static const char *const ADJECTIVES[] = {
    "amber", "bold",   "brave", "bright", "calm",  "clever", "crisp",  "dapper", "eager",
    "fancy", "gentle", "glad",  "golden", "grand", "happy",  "honest", "jolly",  "keen",
    "kind",  "lively", "lucky", "merry",  "mild",  "nimble", "noble",  "polite", "proud",
    "quiet", "rapid",  "shy",   "silent", "sleek", "smooth", "snappy", "steady", "sunny",
    "swift", "tidy",   "vivid", "warm",   "wise",  "zesty",
};
static const char *const NOUNS[] = {
    "ant",   "bat",  "bear", "bee",   "bird",  "carp",  "cat",   "colt",  "crab",  "crow",
    "deer",  "dove", "duck", "eel",   "elk",   "finch", "fly",   "fox",   "frog",  "gnat",
    "goat",  "hare", "hawk", "hen",   "lark",  "lion",  "lynx",  "mole",  "moth",  "mouse",
    "newt",  "owl",  "ox",   "panda", "quail", "ram",   "seal",  "shrew", "snail", "squid",
    "stork", "swan", "toad", "trout", "vole",  "wasp",  "whale", "wolf",  "wren",  "yak",
};

const char *mlf_random_name(lh_arena_t *arena)
{
    uint32_t r[3];
    lh_random_bytes(r, sizeof r);
    return lh_arena_sprintf(arena, "%s-%s-%u",
                            ADJECTIVES[r[0] % (sizeof ADJECTIVES / sizeof *ADJECTIVES)],
                            NOUNS[r[1] % (sizeof NOUNS / sizeof *NOUNS)], r[2] % 1000);
}

const char *mlf_random_id(lh_arena_t *arena, const char *prefix)
{
    char hex[33];
    lh_random_hex(hex, 16);
    return lh_arena_sprintf(arena, "%s%s", prefix, hex);
}
