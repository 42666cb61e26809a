/*
 * test_catalog.c - the node type and runtime catalogues (api/clusters/catalog.c): listed
 * ids pass, unlisted ones fail with up to three close matches in a readable sentence, and
 * every row carries the fields the SDKs' select_node_type reads. Also: specs stored by older
 * builds lose the fields that are not ClusterSpec's (cl_spec_drop_unknown, at load).
 */
#include <string.h>

#include "api/clusters/clusters_internal.h"
#include "t.h"

static lh_err node(const char *id, lh_errbuf *eb)
{
    memset(eb, 0, sizeof *eb);
    return cl_check_node_type("Node type", id, eb);
}

static void test_listed(void)
{
    lh_errbuf eb;
    const char *ids[] = {"lakehouse.small", "i3.xlarge",    "i3.2xlarge", "g4dn.xlarge",
                         "Standard_DS3_v2", "n2-highmem-8", NULL};
    for (int i = 0; ids[i]; i++)
        T_EQ_INT(node(ids[i], &eb), LH_OK);
    T_EQ_INT(node(NULL, &eb), LH_OK); /* absent: nothing to check */
    T_EQ_INT(cl_check_spark_version("15.4.x-scala2.12", &eb), LH_OK);
    T_EQ_INT(cl_check_spark_version("lakehouse-1.x", &eb), LH_OK);
}

static void test_suggestions(void)
{
    lh_errbuf eb;
    T_EQ_INT(node("i3.xlarg", &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "Node type i3.xlarg is not supported. Did you mean i3.xlarge, ") ==
            eb.msg);
    T_CHECK(strstr(eb.msg, " or ") != NULL && eb.msg[strlen(eb.msg) - 1] == '?');
    /* case-insensitive distance: the exact id differs only in case */
    T_EQ_INT(node("standard_ds3_v2", &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "Did you mean Standard_DS3_v2") != NULL);
    /* nothing close: no guess, a pointer to the list */
    T_EQ_INT(node("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "Did you mean") == NULL);
    T_CHECK(strstr(eb.msg, "clusters/list-node-types") != NULL);
    /* a name longer than the distance cap is still answered */
    char big[300];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    T_EQ_INT(node(big, &eb), LH_E_INVALID);
    memset(&eb, 0, sizeof eb);
    T_EQ_INT(cl_check_spark_version("15.4.x-scala2.1", &eb), LH_E_INVALID);
    T_CHECK(
        strstr(eb.msg, "Invalid spark version 15.4.x-scala2.1. Did you mean 15.4.x-scala2.12") ==
        eb.msg);
}

static void test_rows(void)
{
    lh_clusters_t c = {.ncpu = 4, .memory_mb = 8192, .disk_gb = 100};
    json_t *all = cl_node_types(&c);
    T_CHECK(json_array_size(all) > 100);
    size_t i;
    json_t *t;
    json_array_foreach(all, i, t)
    {
        T_CHECK(json_is_number(json_object_get(t, "num_cores")));
        T_CHECK(json_integer_value(json_object_get(t, "memory_mb")) > 0);
        T_CHECK(json_is_object(json_object_get(t, "node_instance_type")));
        T_CHECK(json_is_boolean(json_object_get(t, "photon_worker_capable")));
    }
    json_decref(all);
    json_t *small = cl_node_type(&c, "lakehouse.small");
    T_EQ_INT(json_integer_value(json_object_get(small, "memory_mb")), 2048); /* 1 of 4 cores */
    json_t *disk = json_object_get(small, "node_instance_type");
    T_EQ_INT(json_integer_value(json_object_get(disk, "local_disk_size_gb")), 100);
    json_decref(small);
    json_t *machine = cl_node_type(&c, "lakehouse.machine");
    T_CHECK(json_real_value(json_object_get(machine, "num_cores")) == 4.0);
    json_decref(machine);
    T_CHECK(cl_node_type(&c, "nope") == NULL);
}

static void test_drop_unknown(void)
{
    json_t *spec = json_pack("{s:s, s:i, s:{s:s}, s:b, s:s}", "spark_version", "15.4.x-scala2.12",
                             "num_workers", 2, "custom_tags", "a", "b", "junk", 1, "pad", "x");
    cl_spec_drop_unknown(spec);
    T_EQ_INT(json_object_size(spec), 3);
    T_CHECK(json_object_get(spec, "junk") == NULL && json_object_get(spec, "pad") == NULL);
    T_CHECK(json_object_get(spec, "custom_tags") != NULL);
    json_decref(spec);
}

int main(void)
{
    T_RUN(test_listed);
    T_RUN(test_suggestions);
    T_RUN(test_rows);
    T_RUN(test_drop_unknown);
    return T_DONE();
}
