/*
 * json.c - lenient typed getters (see json.h).
 */
#include "common/json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static __thread bool json_oom;

static void *json_malloc_noting(size_t size)
{
    void *p = malloc(size);
    if (p == NULL)
        json_oom = true;
    return p;
}

void lh_json_track_oom(void)
{
    json_set_alloc_funcs(json_malloc_noting, free);
}

bool lh_json_oom_seen(void)
{
    return json_oom;
}

bool lh_json_oom_take(void)
{
    bool seen = json_oom;
    json_oom = false;
    return seen;
}

bool lh_json_has(const json_t *obj, const char *key)
{
    if (obj == NULL || !json_is_object(obj))
        return false;
    json_t *v = json_object_get(obj, key);
    return v != NULL && !json_is_null(v);
}

static lh_err missing(const char *key, lh_json_need need, lh_errbuf *eb)
{
    if (need == LH_REQUIRED)
        LH_FAIL(LH_E_INVALID, eb, "Missing required field: %s", key);
    return LH_OK;
}

lh_err lh_json_get_str(const json_t *obj, const char *key, lh_json_need need, const char **out,
                       lh_errbuf *eb)
{
    if (!lh_json_has(obj, key))
        return missing(key, need, eb);
    json_t *v = json_object_get(obj, key);
    LH_FAIL_IF(!json_is_string(v), LH_E_INVALID, eb, "Invalid value for %s: expected a string",
               key);
    *out = json_string_value(v);
    return LH_OK;
}

lh_err lh_json_as_int(const json_t *v, const char *what, int64_t *out, lh_errbuf *eb)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return LH_OK;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        LH_FAIL_IF(d != floor(d) || fabs(d) > 9.0e18, LH_E_INVALID, eb,
                   "Invalid value for %s: expected an integer", what);
        *out = (int64_t)d;
        return LH_OK;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end = NULL;
        errno = 0;
        long long x = strtoll(s, &end, 10);
        LH_FAIL_IF(*s == '\0' || *end != '\0' || errno == ERANGE, LH_E_INVALID, eb,
                   "Invalid value for %s: '%s' is not an integer", what, s);
        *out = x;
        return LH_OK;
    }
    LH_FAIL(LH_E_INVALID, eb, "Invalid value for %s: expected an integer", what);
}

lh_err lh_json_get_int(const json_t *obj, const char *key, lh_json_need need, int64_t *out,
                       lh_errbuf *eb)
{
    if (!lh_json_has(obj, key))
        return missing(key, need, eb);
    return lh_json_as_int(json_object_get(obj, key), key, out, eb);
}

lh_err lh_json_get_int_range(const json_t *obj, const char *key, lh_json_need need, int64_t min,
                             int64_t max, int64_t *out, lh_errbuf *eb)
{
    if (!lh_json_has(obj, key))
        return missing(key, need, eb);
    int64_t x = 0;
    LH_TRY(lh_json_as_int(json_object_get(obj, key), key, &x, eb));
    LH_FAIL_IF(x < min || x > max, LH_E_INVALID, eb,
               "Invalid value for %s: %lld is outside [%lld, %lld]", key, (long long)x,
               (long long)min, (long long)max);
    *out = x;
    return LH_OK;
}

lh_err lh_json_get_double(const json_t *obj, const char *key, lh_json_need need, double *out,
                          lh_errbuf *eb)
{
    if (!lh_json_has(obj, key))
        return missing(key, need, eb);
    json_t *v = json_object_get(obj, key);
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return LH_OK;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end = NULL;
        double d = strtod(s, &end);
        LH_FAIL_IF(*s == '\0' || *end != '\0' || !isfinite(d), LH_E_INVALID, eb,
                   "Invalid value for %s: '%s' is not a number", key, s);
        *out = d;
        return LH_OK;
    }
    LH_FAIL(LH_E_INVALID, eb, "Invalid value for %s: expected a number", key);
}

lh_err lh_json_as_bool(const json_t *v, const char *what, bool *out, lh_errbuf *eb)
{
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return LH_OK;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0) {
            *out = true;
            return LH_OK;
        }
        if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0) {
            *out = false;
            return LH_OK;
        }
    }
    LH_FAIL(LH_E_INVALID, eb, "Invalid value for %s: expected a boolean", what);
}

lh_err lh_json_get_bool(const json_t *obj, const char *key, lh_json_need need, bool *out,
                        lh_errbuf *eb)
{
    if (!lh_json_has(obj, key))
        return missing(key, need, eb);
    return lh_json_as_bool(json_object_get(obj, key), key, out, eb);
}

lh_err lh_json_get_object(const json_t *obj, const char *key, lh_json_need need, json_t **out,
                          lh_errbuf *eb)
{
    if (!lh_json_has(obj, key))
        return missing(key, need, eb);
    json_t *v = json_object_get(obj, key);
    LH_FAIL_IF(!json_is_object(v), LH_E_INVALID, eb, "Invalid value for %s: expected an object",
               key);
    *out = v;
    return LH_OK;
}

lh_err lh_json_get_list(const json_t *obj, const char *key, lh_json_need need, json_t **out,
                        lh_errbuf *eb)
{
    if (!lh_json_has(obj, key))
        return missing(key, need, eb);
    json_t *v = json_object_get(obj, key);
    LH_FAIL_IF(json_is_object(v), LH_E_INVALID, eb, "Invalid value for %s: expected a list", key);
    *out = v;
    return LH_OK;
}

size_t lh_json_list_size(const json_t *list)
{
    if (list == NULL || json_is_null(list))
        return 0;
    return json_is_array(list) ? json_array_size(list) : 1;
}

json_t *lh_json_list_get(const json_t *list, size_t i)
{
    if (json_is_array(list))
        return json_array_get(list, i);
    return i == 0 ? (json_t *)list : NULL;
}

int lh_json_depth(const json_t *v)
{
    int max = 0;
    if (json_is_object(v)) {
        const char *k;
        json_t *c;
        json_object_foreach((json_t *)v, k, c)
        {
            int d = lh_json_depth(c);
            if (d > max)
                max = d;
        }
        return max + 1;
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c)
        {
            int d = lh_json_depth(c);
            if (d > max)
                max = d;
        }
        return max + 1;
    }
    return 0;
}

void lh_json_set_str(json_t *obj, const char *key, const char *val)
{
    if (val != NULL)
        json_object_set_new(obj, key, json_string(val));
}

void lh_json_set_int(json_t *obj, const char *key, int64_t val)
{
    json_object_set_new(obj, key, json_integer(val));
}

void lh_json_set_bool(json_t *obj, const char *key, bool val)
{
    json_object_set_new(obj, key, json_boolean(val));
}
