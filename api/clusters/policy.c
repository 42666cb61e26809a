/*
 * policy.c - cluster policy parser and validator (see policy.h for the rule semantics).
 *
 * Parse: definition text -> JSON object -> one rule per path (type checked, regex
 * compiled once). Apply, in two phases so every rule sees every default:
 *   1. fill: each absent attribute gets its fixed value or defaultValue (parents created);
 *   2. check: each attribute, defaults included, against its rule.
 * Applying a policy twice therefore gives the same verdict (the fuzz target checks it).
 */
#include "api/clusters/policy.h"

#include <math.h>
#include <stdio.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct rule {
    char *path;
    lh_policy_rule_type type;
    json_t *value;  /* fixed value or regex pattern */
    json_t *values; /* allowlist/blocklist */
    json_t *default_value;
    bool has_min, has_max;
    double min, max;
    bool is_optional, optional_given, hidden;
    bool has_regex;
    pcre2_code *regex;
} rule;

struct lh_policy {
    int count;
    rule *rules;
};

static const char *const type_names[] = {
    [LH_RULE_FIXED] = "fixed",         [LH_RULE_FORBIDDEN] = "forbidden", [LH_RULE_RANGE] = "range",
    [LH_RULE_ALLOWLIST] = "allowlist", [LH_RULE_BLOCKLIST] = "blocklist", [LH_RULE_REGEX] = "regex",
    [LH_RULE_UNLIMITED] = "unlimited",
};

static bool parse_type(const char *s, lh_policy_rule_type *out)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++) {
        if (strcmp(s, type_names[i]) == 0) {
            *out = (lh_policy_rule_type)i;
            return true;
        }
    }
    return false;
}

/* A number from a JSON number or numeric string. */
static bool as_number(const json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return true;
    }
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    char *end = NULL;
    double d = strtod(s, &end);
    if (*s == '\0' || *end != '\0' || !isfinite(d))
        return false;
    *out = d;
    return true;
}

/* Canonical text of a scalar for lenient comparison; false for objects/arrays. */
static bool scalar_text(const json_t *v, char *buf, size_t size)
{
    double d;
    if (json_is_boolean(v)) {
        snprintf(buf, size, "%s", json_is_true(v) ? "true" : "false");
    } else if (as_number(v, &d)) {
        snprintf(buf, size, "%.17g", d);
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        snprintf(buf, size, "%s",
                 strcasecmp(s, "true") == 0    ? "true"
                 : strcasecmp(s, "false") == 0 ? "false"
                                               : s);
    } else {
        return false;
    }
    return true;
}

static bool values_equal(const json_t *a, const json_t *b)
{
    if (json_equal(a, b))
        return true;
    char ta[256], tb[256];
    return scalar_text(a, ta, sizeof ta) && scalar_text(b, tb, sizeof tb) && strcmp(ta, tb) == 0;
}

static bool in_list(const json_t *list, const json_t *v)
{
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x)
    {
        if (values_equal(x, v))
            return true;
    }
    return false;
}

static void rule_clear(rule *r)
{
    free(r->path);
    json_decref(r->value);
    json_decref(r->values);
    json_decref(r->default_value);
    if (r->has_regex)
        pcre2_code_free(r->regex);
}

void lh_policy_free(lh_policy_t *p)
{
    if (p == NULL)
        return;
    for (int i = 0; i < p->count; i++)
        rule_clear(&p->rules[i]);
    free(p->rules);
    free(p);
}

static lh_err parse_bound(const json_t *spec, const char *key, const char *path, bool *has,
                          double *out, lh_errbuf *eb)
{
    json_t *v = json_object_get(spec, key);
    if (v == NULL || json_is_null(v))
        return LH_OK;
    LH_FAIL_IF(!as_number(v, out), LH_E_INVALID, eb,
               "Invalid policy definition: %s.%s must be a number", path, key);
    *has = true;
    return LH_OK;
}

static lh_err parse_bool_field(const json_t *spec, const char *key, const char *path, bool *given,
                               bool *out, lh_errbuf *eb)
{
    json_t *v = json_object_get(spec, key);
    if (v == NULL || json_is_null(v))
        return LH_OK;
    if (json_is_boolean(v))
        *out = json_is_true(v);
    else if (json_is_string(v) && strcasecmp(json_string_value(v), "true") == 0)
        *out = true;
    else if (json_is_string(v) && strcasecmp(json_string_value(v), "false") == 0)
        *out = false;
    else
        LH_FAIL(LH_E_INVALID, eb, "Invalid policy definition: %s.%s must be a boolean", path, key);
    if (given != NULL)
        *given = true;
    return LH_OK;
}

/* ---- regexes ----
 * Policy regexes are Java-style (Databricks evaluates them on the JVM), so they compile
 * with PCRE2, whose compile memory is linear in the pattern and whose matching is bounded
 * by match and depth limits: a definition is user input and must not exhaust the daemon.
 * The whole value must match (ANCHORED | ENDANCHORED). */
#define REGEX_PATTERN_MAX 1024
#define REGEX_MATCH_LIMIT 100000
#define REGEX_DEPTH_LIMIT 1000

static lh_err compile_regex(rule *r, lh_errbuf *eb)
{
    LH_FAIL_IF(!json_is_string(r->value), LH_E_INVALID, eb,
               "Invalid policy definition: %s: regex rules need a string value", r->path);
    const char *pat = json_string_value(r->value);
    size_t len = json_string_length(r->value);
    LH_FAIL_IF(len > REGEX_PATTERN_MAX, LH_E_INVALID, eb,
               "Invalid policy definition: %s: regex longer than %d characters", r->path,
               REGEX_PATTERN_MAX);
    int code = 0;
    PCRE2_SIZE offset = 0;
    r->regex = pcre2_compile((PCRE2_SPTR)pat, len, PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED,
                             &code, &offset, NULL);
    if (r->regex == NULL) {
        PCRE2_UCHAR msg[128];
        pcre2_get_error_message(code, msg, sizeof msg);
        LH_FAIL(LH_E_INVALID, eb, "Invalid policy definition: %s: bad regex '%s': %s at %zu",
                r->path, pat, (const char *)msg, (size_t)offset);
    }
    r->has_regex = true;
    return LH_OK;
}

/* Whether s matches r's regex in full, within the match limits (over the limit = no). */
static bool regex_matches(const rule *r, const char *s)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(r->regex, NULL);
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    if (md == NULL || mc == NULL) {
        pcre2_match_data_free(md);
        pcre2_match_context_free(mc);
        return false;
    }
    pcre2_set_match_limit(mc, REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(mc, REGEX_DEPTH_LIMIT);
    int rc = pcre2_match(r->regex, (PCRE2_SPTR)s, strlen(s), 0, 0, md, mc);
    pcre2_match_data_free(md);
    pcre2_match_context_free(mc);
    return rc >= 0;
}

static lh_err parse_values(rule *r, json_t *spec, lh_errbuf *eb)
{
    json_t *values = json_object_get(spec, "values");
    LH_FAIL_IF(!json_is_array(values), LH_E_INVALID, eb,
               "Invalid policy definition: %s: %s rules need a values array", r->path,
               type_names[r->type]);
    r->values = json_incref(values);
    return LH_OK;
}

static lh_err parse_rule_body(rule *r, json_t *spec, lh_errbuf *eb)
{
    json_t *v = json_object_get(spec, "value");
    if (v != NULL && !json_is_null(v))
        r->value = json_incref(v);
    json_t *d = json_object_get(spec, "defaultValue");
    if (d != NULL && !json_is_null(d))
        r->default_value = json_incref(d);
    LH_TRY(parse_bound(spec, "minValue", r->path, &r->has_min, &r->min, eb));
    LH_TRY(parse_bound(spec, "maxValue", r->path, &r->has_max, &r->max, eb));
    LH_TRY(parse_bool_field(spec, "isOptional", r->path, &r->optional_given, &r->is_optional, eb));
    LH_TRY(parse_bool_field(spec, "hidden", r->path, NULL, &r->hidden, eb));
    switch (r->type) {
    case LH_RULE_FIXED:
        LH_FAIL_IF(r->value == NULL, LH_E_INVALID, eb,
                   "Invalid policy definition: %s: fixed rules need a value", r->path);
        return LH_OK;
    case LH_RULE_ALLOWLIST:
    case LH_RULE_BLOCKLIST:
        return parse_values(r, spec, eb);
    case LH_RULE_REGEX:
        return compile_regex(r, eb);
    case LH_RULE_RANGE:
        LH_FAIL_IF(r->has_min && r->has_max && r->min > r->max, LH_E_INVALID, eb,
                   "Invalid policy definition: %s: minValue exceeds maxValue", r->path);
        return LH_OK;
    default:
        return LH_OK;
    }
}

static lh_err parse_rule(rule *r, const char *path, json_t *spec, lh_errbuf *eb)
{
    LH_FAIL_IF(*path == '\0', LH_E_INVALID, eb, "Invalid policy definition: empty attribute path");
    LH_FAIL_IF(!json_is_object(spec), LH_E_INVALID, eb,
               "Invalid policy definition: %s must be an object", path);
    r->path = strdup(path);
    LH_FAIL_IF(r->path == NULL, LH_E_NOMEM, eb, "out of memory");
    json_t *t = json_object_get(spec, "type");
    LH_FAIL_IF(!json_is_string(t), LH_E_INVALID, eb,
               "Invalid policy definition: %s needs a string type", path);
    LH_FAIL_IF(!parse_type(json_string_value(t), &r->type), LH_E_INVALID, eb,
               "Invalid policy definition: %s has unknown type '%s'", path, json_string_value(t));
    return parse_rule_body(r, spec, eb);
}

static lh_err parse_rules(lh_policy_t *p, json_t *root, lh_errbuf *eb)
{
    size_t n = json_object_size(root);
    LH_FAIL_IF(n > LH_POLICY_RULES_MAX, LH_E_INVALID, eb,
               "Invalid policy definition: more than %d attributes", LH_POLICY_RULES_MAX);
    p->rules = calloc(n ? n : 1, sizeof *p->rules);
    LH_FAIL_IF(p->rules == NULL, LH_E_NOMEM, eb, "out of memory");
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val)
    {
        lh_err e = parse_rule(&p->rules[p->count], key, val, eb);
        p->count++; /* a partly parsed rule is still cleared by lh_policy_free */
        LH_TRY(e);
    }
    return LH_OK;
}

lh_err lh_policy_parse(const char *definition, size_t len, lh_policy_t **out, lh_errbuf *eb)
{
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_loadb(definition, len, 0, &jerr);
    LH_FAIL_IF(root == NULL, LH_E_INVALID, eb, "Invalid policy definition: %s", jerr.text);
    lh_policy_t *p = calloc(1, sizeof *p);
    lh_err e = p == NULL ? lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory")
               : !json_is_object(root)
                   ? lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                                "Invalid policy definition: must be a JSON object")
                   : parse_rules(p, root, eb);
    json_decref(root);
    if (e != LH_OK) {
        lh_policy_free(p);
        return e;
    }
    *out = p;
    return LH_OK;
}

int lh_policy_rule_count(const lh_policy_t *p)
{
    return p->count;
}

const char *lh_policy_rule_path(const lh_policy_t *p, int i)
{
    return i >= 0 && i < p->count ? p->rules[i].path : NULL;
}

lh_policy_rule_type lh_policy_rule_type_of(const lh_policy_t *p, int i)
{
    LH_ASSERT(i >= 0 && i < p->count);
    return p->rules[i].type;
}

/* ---- attribute paths ---- */

static bool is_map_field(const char *name, size_t n)
{
    static const char *const maps[] = {"spark_conf", "spark_env_vars", "custom_tags"};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) {
        if (strlen(maps[i]) == n && strncmp(maps[i], name, n) == 0)
            return true;
    }
    return false;
}

/* Child of a container by one segment (object key or array index). */
static json_t *child_of(json_t *node, const char *seg)
{
    if (json_is_object(node))
        return json_object_get(node, seg);
    if (!json_is_array(node) || *seg < '0' || *seg > '9')
        return NULL;
    char *end = NULL;
    unsigned long i = strtoul(seg, &end, 10);
    return *end == '\0' ? json_array_get(node, i) : NULL;
}

/* Walk path in spec. Returns the value (NULL when absent). When create is set, missing
 * parent objects are created and *parent and *leaf say where to write. */
static json_t *locate(json_t *spec, const char *path, bool create, json_t **parent, char *leaf,
                      size_t leaf_size)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *node = spec;
    char *seg = buf;
    size_t first = strcspn(buf, ".");
    bool map = buf[first] == '.' && is_map_field(buf, first);
    for (;;) {
        char *dot = map && seg != buf ? NULL : strchr(seg, '.');
        if (dot == NULL) {
            if (parent != NULL) {
                *parent = node;
                snprintf(leaf, leaf_size, "%s", seg);
            }
            return child_of(node, seg);
        }
        *dot = '\0';
        json_t *next = child_of(node, seg);
        if (next == NULL && create && json_is_object(node)) {
            next = json_object();
            json_object_set_new(node, seg, next);
        }
        if (next == NULL || (!json_is_object(next) && !json_is_array(next)))
            return NULL;
        node = next;
        seg = dot + 1;
    }
}

static lh_err set_value(json_t *spec, const rule *r, json_t *value, lh_errbuf *eb)
{
    json_t *parent = NULL;
    char leaf[1024];
    locate(spec, r->path, true, &parent, leaf, sizeof leaf);
    LH_FAIL_IF(!json_is_object(parent), LH_E_INVALID, eb,
               "Validation failed for %s, the attribute's parent is not an object", r->path);
    json_object_set_new(parent, leaf, json_deep_copy(value)); /* never alias the policy */
    return LH_OK;
}

/* ---- checks ---- */

static void describe(const json_t *v, char *buf, size_t size)
{
    if (!scalar_text(v, buf, size)) {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        snprintf(buf, size, "%s", s ? s : "?");
        free(s);
    }
}

static lh_err check_range(const rule *r, const json_t *v, lh_errbuf *eb)
{
    double d;
    LH_FAIL_IF(!as_number(v, &d), LH_E_INVALID, eb,
               "Validation failed for %s, the value must be a number", r->path);
    LH_FAIL_IF(r->has_min && d < r->min, LH_E_INVALID, eb,
               "Validation failed for %s, the value must be at least %.17g (is %.17g)", r->path,
               r->min, d);
    LH_FAIL_IF(r->has_max && d > r->max, LH_E_INVALID, eb,
               "Validation failed for %s, the value must be at most %.17g (is %.17g)", r->path,
               r->max, d);
    return LH_OK;
}

static lh_err check_regex(const rule *r, const json_t *v, lh_errbuf *eb)
{
    char text[1024];
    LH_FAIL_IF(!scalar_text(v, text, sizeof text), LH_E_INVALID, eb,
               "Validation failed for %s, the value must be a string", r->path);
    const char *s = json_is_string(v) ? json_string_value(v) : text;
    LH_FAIL_IF(!regex_matches(r, s), LH_E_INVALID, eb,
               "Validation failed for %s, the value must match the regex %s (is \"%s\")", r->path,
               json_string_value(r->value), s);
    return LH_OK;
}

static lh_err check_present(const rule *r, const json_t *v, lh_errbuf *eb)
{
    char got[256], want[256];
    switch (r->type) {
    case LH_RULE_FIXED:
        describe(r->value, want, sizeof want);
        describe(v, got, sizeof got);
        LH_FAIL_IF(!values_equal(r->value, v), LH_E_INVALID, eb,
                   "Validation failed for %s, the value must be %s (is %s)", r->path, want, got);
        return LH_OK;
    case LH_RULE_FORBIDDEN:
        LH_FAIL(LH_E_INVALID, eb, "Validation failed for %s, the value must not be present",
                r->path);
    case LH_RULE_RANGE:
        return check_range(r, v, eb);
    case LH_RULE_ALLOWLIST:
        describe(r->values, want, sizeof want);
        LH_FAIL_IF(!in_list(r->values, v), LH_E_INVALID, eb,
                   "Validation failed for %s, the value must be one of %s", r->path, want);
        return LH_OK;
    case LH_RULE_BLOCKLIST:
        describe(r->values, want, sizeof want);
        LH_FAIL_IF(in_list(r->values, v), LH_E_INVALID, eb,
                   "Validation failed for %s, the value must not be one of %s", r->path, want);
        return LH_OK;
    case LH_RULE_REGEX:
        return check_regex(r, v, eb);
    case LH_RULE_UNLIMITED:
        return LH_OK;
    }
    return LH_OK;
}

static bool optional_when_absent(const rule *r)
{
    if (r->optional_given)
        return r->is_optional;
    return r->type == LH_RULE_UNLIMITED; /* limiting rules require the attribute by default */
}

/* Phase 1: write fixed values and defaults of absent attributes. */
static lh_err fill_rule(const rule *r, json_t *spec, lh_errbuf *eb)
{
    json_t *v = locate(spec, r->path, false, NULL, NULL, 0);
    if ((v != NULL && !json_is_null(v)) || r->type == LH_RULE_FORBIDDEN)
        return LH_OK;
    if (r->type == LH_RULE_FIXED)
        return set_value(spec, r, r->value, eb);
    if (r->default_value != NULL)
        return set_value(spec, r, r->default_value, eb);
    return LH_OK;
}

/* Phase 2: every attribute (defaults included) against its rule. */
static lh_err check_rule(const rule *r, json_t *spec, lh_errbuf *eb)
{
    json_t *v = locate(spec, r->path, false, NULL, NULL, 0);
    if (v != NULL && !json_is_null(v))
        return check_present(r, v, eb);
    LH_FAIL_IF(r->type != LH_RULE_FORBIDDEN && !optional_when_absent(r), LH_E_INVALID, eb,
               "Validation failed for %s, the value must be present", r->path);
    return LH_OK;
}

lh_err lh_policy_apply(const lh_policy_t *p, json_t *spec, lh_errbuf *eb)
{
    LH_FAIL_IF(!json_is_object(spec), LH_E_INVALID, eb, "cluster spec must be an object");
    for (int i = 0; i < p->count; i++)
        LH_TRY(fill_rule(&p->rules[i], spec, eb));
    for (int i = 0; i < p->count; i++)
        LH_TRY(check_rule(&p->rules[i], spec, eb));
    return LH_OK;
}
