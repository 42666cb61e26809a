/*
 * test_policy.c - the cluster policy parser and validator (api/clusters/policy.h):
 * every rule type, defaults, isOptional, hidden, path forms and error messages.
 */
#include <string.h>

#include "api/clusters/policy.h"
#include "t.h"

static lh_policy_t *parse(const char *def)
{
    lh_policy_t *p = NULL;
    lh_errbuf eb = {0};
    if (lh_policy_parse(def, strlen(def), &p, &eb) != LH_OK)
        fprintf(stderr, "  parse failed: %s\n", eb.msg);
    return p;
}

/* Apply def to spec_text; returns the error code, the message in eb, result in *out. */
static lh_err apply(const char *def, const char *spec_text, json_t **out, lh_errbuf *eb)
{
    lh_policy_t *p = parse(def);
    if (p == NULL)
        return LH_E_INTERNAL;
    json_t *spec = json_loads(spec_text, 0, NULL);
    lh_err e = lh_policy_apply(p, spec, eb);
    lh_policy_free(p);
    if (out != NULL)
        *out = spec;
    else
        json_decref(spec);
    return e;
}

static bool msg_has(const lh_errbuf *eb, const char *s)
{
    bool ok = strstr(eb->msg, s) != NULL;
    if (!ok)
        fprintf(stderr, "  message '%s' lacks '%s'\n", eb->msg, s);
    return ok;
}

static void test_parse_errors(void)
{
    const char *bad[] = {
        "not json",
        "[]",
        "{\"a\": 1}",
        "{\"a\": {}}",
        "{\"a\": {\"type\": \"nope\"}}",
        "{\"a\": {\"type\": \"fixed\"}}",
        "{\"a\": {\"type\": \"allowlist\"}}",
        "{\"a\": {\"type\": \"blocklist\", \"values\": 3}}",
        "{\"a\": {\"type\": \"regex\", \"value\": \"(\"}}",
        "{\"a\": {\"type\": \"regex\"}}",
        "{\"a\": {\"type\": \"range\", \"minValue\": \"x\"}}",
        "{\"a\": {\"type\": \"range\", \"minValue\": 5, \"maxValue\": 1}}",
        "{\"a\": {\"type\": \"unlimited\", \"isOptional\": \"maybe\"}}",
        "{\"\": {\"type\": \"unlimited\"}}",
        /* stacked quantifiers: a syntax error for PCRE2 (a fuzz finding under glibc regex) */
        "{\"a\": {\"type\": \"regex\", \"value\": \"/V++++++++++++++++++++++++++++/.*\"}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lh_policy_t *p = NULL;
        lh_errbuf eb = {0};
        lh_err e = lh_policy_parse(bad[i], strlen(bad[i]), &p, &eb);
        if (e != LH_E_INVALID)
            fprintf(stderr, "  accepted: %s\n", bad[i]);
        T_EQ_INT(e, LH_E_INVALID);
        T_CHECK(p == NULL);
        T_CHECK(strstr(eb.msg, "Invalid policy definition") != NULL);
    }
}

static void test_parse_ok(void)
{
    lh_policy_t *p = parse("{\"spark_version\": {\"type\": \"fixed\", \"value\": \"x\"},"
                           " \"num_workers\": {\"type\": \"range\", \"maxValue\": 3}}");
    T_CHECK(p != NULL);
    T_EQ_INT(lh_policy_rule_count(p), 2);
    T_EQ_STR(lh_policy_rule_path(p, 0), "spark_version");
    T_EQ_INT(lh_policy_rule_type_of(p, 0), LH_RULE_FIXED);
    T_EQ_INT(lh_policy_rule_type_of(p, 1), LH_RULE_RANGE);
    lh_policy_free(p);
    p = parse("{}");
    T_CHECK(p != NULL && lh_policy_rule_count(p) == 0);
    lh_policy_free(p);
}

static void test_fixed(void)
{
    const char *def = "{\"spark_version\": {\"type\": \"fixed\", \"value\": \"15.4.x-scala2.12\","
                      " \"hidden\": true}}";
    json_t *out = NULL;
    lh_errbuf eb = {0};
    T_EQ_INT(apply(def, "{}", &out, &eb), LH_OK);
    T_EQ_STR(json_string_value(json_object_get(out, "spark_version")), "15.4.x-scala2.12");
    json_decref(out);
    T_EQ_INT(apply(def, "{\"spark_version\": \"15.4.x-scala2.12\"}", NULL, &eb), LH_OK);
    T_EQ_INT(apply(def, "{\"spark_version\": \"14.3.x\"}", NULL, &eb), LH_E_INVALID);
    T_CHECK(msg_has(&eb, "Validation failed for spark_version"));
    T_CHECK(msg_has(&eb, "15.4.x-scala2.12"));
    /* numbers compare leniently */
    T_EQ_INT(apply("{\"num_workers\": {\"type\": \"fixed\", \"value\": 2}}",
                   "{\"num_workers\": \"2\"}", NULL, &eb),
             LH_OK);
    T_EQ_INT(
        apply("{\"x\": {\"type\": \"fixed\", \"value\": true}}", "{\"x\": \"True\"}", NULL, &eb),
        LH_OK);
}

static void test_forbidden(void)
{
    const char *def = "{\"instance_pool_id\": {\"type\": \"forbidden\"}}";
    lh_errbuf eb = {0};
    T_EQ_INT(apply(def, "{}", NULL, &eb), LH_OK);
    T_EQ_INT(apply(def, "{\"instance_pool_id\": \"p\"}", NULL, &eb), LH_E_INVALID);
    T_CHECK(msg_has(&eb, "Validation failed for instance_pool_id"));
}

static void test_range(void)
{
    const char *def = "{\"num_workers\": {\"type\": \"range\", \"minValue\": 1, \"maxValue\": 10,"
                      " \"defaultValue\": 2}}";
    json_t *out = NULL;
    lh_errbuf eb = {0};
    T_EQ_INT(apply(def, "{}", &out, &eb), LH_OK);
    T_EQ_INT(json_integer_value(json_object_get(out, "num_workers")), 2);
    json_decref(out);
    T_EQ_INT(apply(def, "{\"num_workers\": 10}", NULL, &eb), LH_OK);
    T_EQ_INT(apply(def, "{\"num_workers\": \"5\"}", NULL, &eb), LH_OK);
    T_EQ_INT(apply(def, "{\"num_workers\": 11}", NULL, &eb), LH_E_INVALID);
    T_CHECK(msg_has(&eb, "Validation failed for num_workers, the value must be at most 10"));
    T_EQ_INT(apply(def, "{\"num_workers\": 0}", NULL, &eb), LH_E_INVALID);
    T_CHECK(msg_has(&eb, "at least 1"));
    T_EQ_INT(apply(def, "{\"num_workers\": \"many\"}", NULL, &eb), LH_E_INVALID);
    T_CHECK(msg_has(&eb, "must be a number"));
    /* no default: required unless isOptional */
    T_EQ_INT(apply("{\"num_workers\": {\"type\": \"range\", \"maxValue\": 3}}", "{}", NULL, &eb),
             LH_E_INVALID);
    T_CHECK(msg_has(&eb, "Validation failed for num_workers, the value must be present"));
    T_EQ_INT(
        apply("{\"num_workers\": {\"type\": \"range\", \"maxValue\": 3, \"isOptional\": true}}",
              "{}", NULL, &eb),
        LH_OK);
    /* a default outside its own range is a violation */
    T_EQ_INT(apply("{\"n\": {\"type\": \"range\", \"maxValue\": 3, \"defaultValue\": 9}}", "{}",
                   NULL, &eb),
             LH_E_INVALID);
}

static void test_allowlist_blocklist(void)
{
    const char *allow = "{\"node_type_id\": {\"type\": \"allowlist\", \"values\": [\"a\", \"b\"],"
                        " \"defaultValue\": \"a\"}}";
    json_t *out = NULL;
    lh_errbuf eb = {0};
    T_EQ_INT(apply(allow, "{}", &out, &eb), LH_OK);
    T_EQ_STR(json_string_value(json_object_get(out, "node_type_id")), "a");
    json_decref(out);
    T_EQ_INT(apply(allow, "{\"node_type_id\": \"b\"}", NULL, &eb), LH_OK);
    T_EQ_INT(apply(allow, "{\"node_type_id\": \"c\"}", NULL, &eb), LH_E_INVALID);
    T_CHECK(msg_has(&eb, "Validation failed for node_type_id, the value must be one of"));
    const char *block = "{\"runtime_engine\": {\"type\": \"blocklist\", \"values\": [\"PHOTON\"],"
                        " \"isOptional\": true}}";
    T_EQ_INT(apply(block, "{}", NULL, &eb), LH_OK);
    T_EQ_INT(apply(block, "{\"runtime_engine\": \"STANDARD\"}", NULL, &eb), LH_OK);
    T_EQ_INT(apply(block, "{\"runtime_engine\": \"PHOTON\"}", NULL, &eb), LH_E_INVALID);
    T_CHECK(msg_has(&eb, "Validation failed for runtime_engine, the value must not be one of"));
}

static void test_regex(void)
{
    const char *def = "{\"cluster_name\": {\"type\": \"regex\", \"value\": \"team-[a-z]+\"}}";
    lh_errbuf eb = {0};
    T_EQ_INT(apply(def, "{\"cluster_name\": \"team-data\"}", NULL, &eb), LH_OK);
    T_EQ_INT(apply(def, "{\"cluster_name\": \"xteam-data\"}", NULL, &eb), LH_E_INVALID);
    T_CHECK(msg_has(&eb, "Validation failed for cluster_name, the value must match"));
    T_EQ_INT(apply(def, "{\"cluster_name\": \"team-data1\"}", NULL, &eb), LH_E_INVALID);
    T_EQ_INT(apply(def, "{}", NULL, &eb), LH_E_INVALID); /* required by default */
    T_EQ_INT(
        apply("{\"a\": {\"type\": \"regex\", \"value\": \"a|b\"}}", "{\"a\": \"b\"}", NULL, &eb),
        LH_OK); /* alternation stays inside the anchors */
    T_EQ_INT(
        apply("{\"a\": {\"type\": \"regex\", \"value\": \"a|b\"}}", "{\"a\": \"ab\"}", NULL, &eb),
        LH_E_INVALID);
}

static void test_regex_cost(void)
{
    lh_errbuf eb = {0};
    /* nested bounded repeats: PCRE2 refuses them by size instead of expanding them */
    const char *huge = "{\"a\": {\"type\": \"regex\", \"value\": \"((a{99}){99}){99}\"}}";
    lh_policy_t *p = NULL;
    T_EQ_INT(lh_policy_parse(huge, strlen(huge), &p, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "too large") != NULL);
    /* catastrophic backtracking stops at the match limit and counts as no match */
    T_EQ_INT(apply("{\"a\": {\"type\": \"regex\", \"value\": \"(a+)+b\"}}",
                   "{\"a\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac\"}", NULL, &eb),
             LH_E_INVALID);
    /* ordinary patterns, brackets, escapes and small bounds stay accepted */
    T_EQ_INT(apply("{\"a\": {\"type\": \"regex\", \"value\": \"[a-z]{2,8}(-[0-9]+)?\"}}",
                   "{\"a\": \"ab-12\"}", NULL, &eb),
             LH_OK);
    T_EQ_INT(apply("{\"a\": {\"type\": \"regex\", \"value\": \"[]+{]x\\\\++\"}}",
                   "{\"a\": \"{x++\"}", NULL, &eb),
             LH_OK);
    T_EQ_INT(apply("{\"a\": {\"type\": \"regex\", \"value\": \"([[:alpha:]]+|[0-9]{3})\"}}",
                   "{\"a\": \"123\"}", NULL, &eb),
             LH_OK);
}

static void test_unlimited(void)
{
    json_t *out = NULL;
    lh_errbuf eb = {0};
    const char *def = "{\"autotermination_minutes\": {\"type\": \"unlimited\","
                      " \"defaultValue\": 30}}";
    T_EQ_INT(apply(def, "{}", &out, &eb), LH_OK);
    T_EQ_INT(json_integer_value(json_object_get(out, "autotermination_minutes")), 30);
    json_decref(out);
    T_EQ_INT(apply(def, "{\"autotermination_minutes\": 999}", NULL, &eb), LH_OK);
    T_EQ_INT(apply("{\"x\": {\"type\": \"unlimited\"}}", "{}", NULL, &eb), LH_OK);
    T_EQ_INT(apply("{\"x\": {\"type\": \"unlimited\", \"isOptional\": false}}", "{}", NULL, &eb),
             LH_E_INVALID);
    T_CHECK(msg_has(&eb, "Validation failed for x"));
}

static void test_paths(void)
{
    json_t *out = NULL;
    lh_errbuf eb = {0};
    const char *def = "{\"spark_conf.spark.databricks.io.cache.enabled\": {\"type\": \"fixed\","
                      " \"value\": \"true\"},"
                      " \"custom_tags.team\": {\"type\": \"fixed\", \"value\": \"data\"},"
                      " \"autoscale.max_workers\": {\"type\": \"range\", \"maxValue\": 8,"
                      " \"defaultValue\": 4}}";
    T_EQ_INT(apply(def, "{\"custom_tags\": {\"other\": \"1\"}}", &out, &eb), LH_OK);
    json_t *conf = json_object_get(out, "spark_conf");
    T_EQ_STR(json_string_value(json_object_get(conf, "spark.databricks.io.cache.enabled")), "true");
    T_EQ_STR(json_string_value(json_object_get(json_object_get(out, "custom_tags"), "team")),
             "data");
    T_EQ_STR(json_string_value(json_object_get(json_object_get(out, "custom_tags"), "other")), "1");
    T_EQ_INT(json_integer_value(json_object_get(json_object_get(out, "autoscale"), "max_workers")),
             4);
    json_decref(out);
    T_EQ_INT(apply(def, "{\"autoscale\": {\"min_workers\": 1, \"max_workers\": 9}}", NULL, &eb),
             LH_E_INVALID);
    T_CHECK(msg_has(&eb, "Validation failed for autoscale.max_workers"));
    T_EQ_INT(apply(def, "{\"custom_tags\": {\"team\": \"ops\"}}", NULL, &eb), LH_E_INVALID);
    T_CHECK(msg_has(&eb, "Validation failed for custom_tags.team"));
    /* array index segments */
    T_EQ_INT(apply("{\"init_scripts.0.volumes.destination\": {\"type\": \"regex\","
                   " \"value\": \"/Volumes/.*\"}}",
                   "{\"init_scripts\": [{\"volumes\": {\"destination\": \"/tmp/x\"}}]}", NULL, &eb),
             LH_E_INVALID);
    T_CHECK(msg_has(&eb, "init_scripts.0.volumes.destination"));
    /* a fixed value under a scalar parent cannot be written */
    T_EQ_INT(apply("{\"autoscale.max_workers\": {\"type\": \"fixed\", \"value\": 2}}",
                   "{\"autoscale\": 3}", NULL, &eb),
             LH_E_INVALID);
}

static void test_apply_non_object(void)
{
    lh_policy_t *p = parse("{}");
    json_t *arr = json_array();
    lh_errbuf eb = {0};
    T_EQ_INT(lh_policy_apply(p, arr, &eb), LH_E_INVALID);
    json_decref(arr);
    lh_policy_free(p);
}

int main(void)
{
    T_RUN(test_parse_errors);
    T_RUN(test_parse_ok);
    T_RUN(test_fixed);
    T_RUN(test_forbidden);
    T_RUN(test_range);
    T_RUN(test_allowlist_blocklist);
    T_RUN(test_regex);
    T_RUN(test_regex_cost);
    T_RUN(test_unlimited);
    T_RUN(test_paths);
    T_RUN(test_apply_non_object);
    return T_DONE();
}
