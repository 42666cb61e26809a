/*
 * fuzz_policy.c - cluster policy definitions (api/clusters/policy.h).
 *
 * Input: a policy definition (JSON text). It is parsed and, when valid, applied to two
 * fixed cluster specs (a plain one and one using every path form). Parse and apply must
 * never crash, leak or hang; a valid policy applied twice must give the same verdict
 * (defaults written by the first pass must satisfy the second).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "api/clusters/policy.h"

static const char *const specs[] = {
    "{\"spark_version\": \"15.4.x-scala2.12\", \"num_workers\": 2}",
    "{\"spark_version\": \"15.4.x-scala2.12\", \"cluster_name\": \"team-a\","
    " \"autoscale\": {\"min_workers\": 1, \"max_workers\": \"8\"},"
    " \"spark_conf\": {\"spark.databricks.io.cache.enabled\": \"true\"},"
    " \"custom_tags\": {\"team\": \"data\"}, \"autotermination_minutes\": 30,"
    " \"init_scripts\": [{\"volumes\": {\"destination\": \"/Volumes/a/b/c\"}}],"
    " \"enable_elastic_disk\": true, \"node_type_id\": \"lakehouse.small\"}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lh_policy_t *p = NULL;
    lh_errbuf eb;
    if (lh_policy_parse((const char *)data, size, &p, &eb) != LH_OK)
        return 0;
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        json_t *spec = json_loads(specs[i], 0, NULL);
        if (lh_policy_apply(p, spec, &eb) == LH_OK && lh_policy_apply(p, spec, &eb) != LH_OK)
            abort(); /* defaults and fixed values must satisfy their own rules */
        json_decref(spec);
    }
    lh_policy_free(p);
    return 0;
}
