/*
 * policy.h - cluster policy definitions: parse, then validate/apply to a cluster spec.
 *
 * A definition is a JSON object mapping attribute paths to rules:
 *   {"spark_version": {"type": "fixed", "value": "15.4.x-scala2.12"},
 *    "num_workers":   {"type": "range", "maxValue": 10, "defaultValue": 2},
 *    "custom_tags.team": {"type": "allowlist", "values": ["a", "b"]}}
 *
 * Paths: the first segment names a top-level spec field. For the map-valued fields
 * (spark_conf, spark_env_vars, custom_tags) the rest of the path is one map key, dots
 * included ("spark_conf.spark.databricks.io.cache.enabled"). Otherwise each further dot
 * descends into a nested object ("autoscale.max_workers"); a numeric segment indexes an
 * array ("init_scripts.0.volumes.destination"). Wildcards ("*") are not supported.
 *
 * Rule types and how lh_policy_apply treats an attribute:
 *   fixed      absent -> set to value; present and different -> violation
 *   forbidden  present -> violation
 *   range      numeric, minValue <= v <= maxValue
 *   allowlist  v is one of values;  blocklist: v is none of values
 *   regex      string fully matching value (POSIX extended, anchored ^(...)$)
 *   unlimited  anything
 * For every type but fixed/forbidden: absent -> defaultValue when given; otherwise
 * absent is a violation unless isOptional is true (limiting policies require the field;
 * unlimited rules without a default are optional unless isOptional is explicitly false).
 * hidden only affects the UI; the API applies hidden defaults like any other.
 * Values compare leniently: 2, "2" and 2.0 are equal; "true" equals true.
 *
 * Violations are LH_E_INVALID with "Validation failed for <path>, the value must ...".
 * Pure module: no globals, no I/O; thread-safe for distinct/const objects.
 */
#ifndef LH_API_CLUSTERS_POLICY_H
#define LH_API_CLUSTERS_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

typedef enum lh_policy_rule_type {
    LH_RULE_FIXED,
    LH_RULE_FORBIDDEN,
    LH_RULE_RANGE,
    LH_RULE_ALLOWLIST,
    LH_RULE_BLOCKLIST,
    LH_RULE_REGEX,
    LH_RULE_UNLIMITED,
} lh_policy_rule_type;

typedef struct lh_policy lh_policy_t;

/* Most rules in one definition (each path compiles a regex at most). */
#define LH_POLICY_RULES_MAX 512

/* Parse definition text (not NUL-terminated necessarily: len bytes). The caller owns
 * *out (lh_policy_free). Errors: LH_E_INVALID naming the bad path or field. */
lh_err lh_policy_parse(const char *definition, size_t len, lh_policy_t **out, lh_errbuf *eb);
void lh_policy_free(lh_policy_t *p);

/* Number of rules, and the i-th rule's path and type (for tests and listing). */
int lh_policy_rule_count(const lh_policy_t *p);
const char *lh_policy_rule_path(const lh_policy_t *p, int i);
lh_policy_rule_type lh_policy_rule_type_of(const lh_policy_t *p, int i);

/* Validate spec (a JSON object, modified in place) against p: fixed values and defaults
 * are filled in, violations are LH_E_INVALID naming the attribute. On error spec may
 * hold some defaults already; callers apply to a copy. */
lh_err lh_policy_apply(const lh_policy_t *p, json_t *spec, lh_errbuf *eb);

#endif
