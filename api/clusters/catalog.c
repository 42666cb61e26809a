/*
 * catalog.c - the node types and runtime versions we accept, as data (one row each), and
 * the "did you mean" lookup that clusters/create, clusters/edit and instance-pools/create
 * use to validate spark_version and node_type_id.
 *
 * Node types: our own lakehouse.* types (a share of this machine's cores and memory) and
 * the ids people copy from Databricks configs (AWS, Azure, GCP), each with its published
 * vCPUs, memory, GPUs and instance storage as the *logical* shape. Whatever the type, a
 * cluster runs as worker threads on this machine (see clusters.h for the mapping); the
 * published shape is what list-node-types reports, so the SDKs' select_node_type picks the
 * same ids it would on Databricks. Fields the SDKs filter on are all present and honest:
 * no IO cache and no port forwarding exist here, so those are false.
 *
 * Runtime versions: the current Databricks runtime strings (keys and display names) plus
 * lakehouse-1.x. Every key runs on the same native engine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/clusters/clusters_internal.h"
#include "common/json.h"

enum {
    NT_PHOTON = 1u << 0,   /* photon_worker_capable and photon_driver_capable */
    NT_GRAVITON = 1u << 1, /* is_graviton (AWS Arm) */
    NT_EBS = 1u << 2,      /* support_ebs_volumes (AWS) */
    NT_SHARE = 1u << 3,    /* lakehouse.*: cores/memory are a share of this machine */
};

typedef struct node_row {
    const char *id;
    const char *category;
    double cores;      /* published vCPUs; NT_SHARE: cores wanted, 0 = every core */
    double memory_gib; /* published; NT_SHARE: ignored (a share of the machine's) */
    int gpus;
    int disks, disk_gb; /* local (non-NVMe) disks and the size of each */
    int nvme, nvme_gb;  /* local NVMe disks and the size of each */
    unsigned flags;
} node_row;

#define GP  "General Purpose"
#define MO  "Memory Optimized"
#define CO  "Compute Optimized"
#define SO  "Storage Optimized"
#define GPU "GPU Accelerated"
#define AWS (NT_PHOTON | NT_EBS)
#define ARM (NT_PHOTON | NT_EBS | NT_GRAVITON)

static const node_row node_rows[] = {
    /* this machine */
    {"lakehouse.small", GP, 1, 0, 0, 1, 0, 0, 0, NT_PHOTON | NT_SHARE},
    {"lakehouse.medium", GP, 2, 0, 0, 1, 0, 0, 0, NT_PHOTON | NT_SHARE},
    {"lakehouse.large", GP, 4, 0, 0, 1, 0, 0, 0, NT_PHOTON | NT_SHARE},
    {"lakehouse.machine", GP, 0, 0, 0, 1, 0, 0, 0, NT_PHOTON | NT_SHARE},
    /* AWS */
    {"m5d.large", GP, 2, 8, 0, 0, 0, 1, 75, AWS},
    {"m5d.xlarge", GP, 4, 16, 0, 0, 0, 1, 150, AWS},
    {"m5d.2xlarge", GP, 8, 32, 0, 0, 0, 1, 300, AWS},
    {"m5d.4xlarge", GP, 16, 64, 0, 0, 0, 2, 300, AWS},
    {"m5d.8xlarge", GP, 32, 128, 0, 0, 0, 2, 600, AWS},
    {"m5d.12xlarge", GP, 48, 192, 0, 0, 0, 2, 900, AWS},
    {"m5d.16xlarge", GP, 64, 256, 0, 0, 0, 4, 600, AWS},
    {"m5d.24xlarge", GP, 96, 384, 0, 0, 0, 4, 900, AWS},
    {"r5d.large", MO, 2, 16, 0, 0, 0, 1, 75, AWS},
    {"r5d.xlarge", MO, 4, 32, 0, 0, 0, 1, 150, AWS},
    {"r5d.2xlarge", MO, 8, 64, 0, 0, 0, 1, 300, AWS},
    {"r5d.4xlarge", MO, 16, 128, 0, 0, 0, 2, 300, AWS},
    {"r5d.8xlarge", MO, 32, 256, 0, 0, 0, 2, 600, AWS},
    {"r5d.12xlarge", MO, 48, 384, 0, 0, 0, 2, 900, AWS},
    {"r5d.16xlarge", MO, 64, 512, 0, 0, 0, 4, 600, AWS},
    {"r5d.24xlarge", MO, 96, 768, 0, 0, 0, 4, 900, AWS},
    {"c5d.large", CO, 2, 4, 0, 0, 0, 1, 50, AWS},
    {"c5d.xlarge", CO, 4, 8, 0, 0, 0, 1, 100, AWS},
    {"c5d.2xlarge", CO, 8, 16, 0, 0, 0, 1, 200, AWS},
    {"c5d.4xlarge", CO, 16, 32, 0, 0, 0, 1, 400, AWS},
    {"c5d.9xlarge", CO, 36, 72, 0, 0, 0, 1, 900, AWS},
    {"c5d.12xlarge", CO, 48, 96, 0, 0, 0, 2, 900, AWS},
    {"c5d.18xlarge", CO, 72, 144, 0, 0, 0, 2, 900, AWS},
    {"c5d.24xlarge", CO, 96, 192, 0, 0, 0, 4, 900, AWS},
    {"i3.large", SO, 2, 15.25, 0, 0, 0, 1, 475, AWS},
    {"i3.xlarge", SO, 4, 30.5, 0, 0, 0, 1, 950, AWS},
    {"i3.2xlarge", SO, 8, 61, 0, 0, 0, 1, 1900, AWS},
    {"i3.4xlarge", SO, 16, 122, 0, 0, 0, 2, 1900, AWS},
    {"i3.8xlarge", SO, 32, 244, 0, 0, 0, 4, 1900, AWS},
    {"i3.16xlarge", SO, 64, 488, 0, 0, 0, 8, 1900, AWS},
    {"i3en.large", SO, 2, 16, 0, 0, 0, 1, 1250, AWS},
    {"i3en.xlarge", SO, 4, 32, 0, 0, 0, 1, 2500, AWS},
    {"i3en.2xlarge", SO, 8, 64, 0, 0, 0, 2, 2500, AWS},
    {"i3en.3xlarge", SO, 12, 96, 0, 0, 0, 1, 7500, AWS},
    {"i3en.6xlarge", SO, 24, 192, 0, 0, 0, 2, 7500, AWS},
    {"i3en.12xlarge", SO, 48, 384, 0, 0, 0, 4, 7500, AWS},
    {"i3en.24xlarge", SO, 96, 768, 0, 0, 0, 8, 7500, AWS},
    {"m6gd.large", GP, 2, 8, 0, 0, 0, 1, 118, ARM},
    {"m6gd.xlarge", GP, 4, 16, 0, 0, 0, 1, 237, ARM},
    {"m6gd.2xlarge", GP, 8, 32, 0, 0, 0, 1, 474, ARM},
    {"m6gd.4xlarge", GP, 16, 64, 0, 0, 0, 1, 950, ARM},
    {"m6gd.8xlarge", GP, 32, 128, 0, 0, 0, 1, 1900, ARM},
    {"m6gd.12xlarge", GP, 48, 192, 0, 0, 0, 2, 1425, ARM},
    {"m6gd.16xlarge", GP, 64, 256, 0, 0, 0, 2, 1900, ARM},
    {"r6gd.large", MO, 2, 16, 0, 0, 0, 1, 118, ARM},
    {"r6gd.xlarge", MO, 4, 32, 0, 0, 0, 1, 237, ARM},
    {"r6gd.2xlarge", MO, 8, 64, 0, 0, 0, 1, 474, ARM},
    {"r6gd.4xlarge", MO, 16, 128, 0, 0, 0, 1, 950, ARM},
    {"r6gd.8xlarge", MO, 32, 256, 0, 0, 0, 1, 1900, ARM},
    {"r6gd.12xlarge", MO, 48, 384, 0, 0, 0, 2, 1425, ARM},
    {"r6gd.16xlarge", MO, 64, 512, 0, 0, 0, 2, 1900, ARM},
    {"g4dn.xlarge", GPU, 4, 16, 1, 0, 0, 1, 125, NT_EBS},
    {"g4dn.2xlarge", GPU, 8, 32, 1, 0, 0, 1, 225, NT_EBS},
    {"g4dn.4xlarge", GPU, 16, 64, 1, 0, 0, 1, 225, NT_EBS},
    {"g4dn.8xlarge", GPU, 32, 128, 1, 0, 0, 1, 900, NT_EBS},
    {"g4dn.12xlarge", GPU, 48, 192, 4, 0, 0, 1, 900, NT_EBS},
    {"g4dn.16xlarge", GPU, 64, 256, 1, 0, 0, 1, 900, NT_EBS},
    {"g5.xlarge", GPU, 4, 16, 1, 0, 0, 1, 250, NT_EBS},
    {"g5.2xlarge", GPU, 8, 32, 1, 0, 0, 1, 450, NT_EBS},
    {"g5.4xlarge", GPU, 16, 64, 1, 0, 0, 1, 600, NT_EBS},
    {"g5.8xlarge", GPU, 32, 128, 1, 0, 0, 1, 900, NT_EBS},
    {"g5.12xlarge", GPU, 48, 192, 4, 0, 0, 1, 3800, NT_EBS},
    {"g5.16xlarge", GPU, 64, 256, 1, 0, 0, 1, 1900, NT_EBS},
    {"g5.24xlarge", GPU, 96, 384, 4, 0, 0, 1, 3800, NT_EBS},
    {"g5.48xlarge", GPU, 192, 768, 8, 0, 0, 2, 3800, NT_EBS},
    {"p3.2xlarge", GPU, 8, 61, 1, 0, 0, 0, 0, NT_EBS},
    {"p3.8xlarge", GPU, 32, 244, 4, 0, 0, 0, 0, NT_EBS},
    {"p3.16xlarge", GPU, 64, 488, 8, 0, 0, 0, 0, NT_EBS},
    /* Azure (local = the temporary SSD; Lsv2 add NVMe) */
    {"Standard_DS3_v2", GP, 4, 14, 0, 1, 28, 0, 0, NT_PHOTON},
    {"Standard_DS4_v2", GP, 8, 28, 0, 1, 56, 0, 0, NT_PHOTON},
    {"Standard_DS5_v2", GP, 16, 56, 0, 1, 112, 0, 0, NT_PHOTON},
    {"Standard_DS12_v2", MO, 4, 28, 0, 1, 56, 0, 0, NT_PHOTON},
    {"Standard_DS13_v2", MO, 8, 56, 0, 1, 112, 0, 0, NT_PHOTON},
    {"Standard_DS14_v2", MO, 16, 112, 0, 1, 224, 0, 0, NT_PHOTON},
    {"Standard_D4ds_v4", GP, 4, 16, 0, 1, 150, 0, 0, NT_PHOTON},
    {"Standard_D8ds_v4", GP, 8, 32, 0, 1, 300, 0, 0, NT_PHOTON},
    {"Standard_D16ds_v4", GP, 16, 64, 0, 1, 600, 0, 0, NT_PHOTON},
    {"Standard_D4ds_v5", GP, 4, 16, 0, 1, 150, 0, 0, NT_PHOTON},
    {"Standard_D8ds_v5", GP, 8, 32, 0, 1, 300, 0, 0, NT_PHOTON},
    {"Standard_D16ds_v5", GP, 16, 64, 0, 1, 600, 0, 0, NT_PHOTON},
    {"Standard_E4ds_v4", MO, 4, 32, 0, 1, 150, 0, 0, NT_PHOTON},
    {"Standard_E8ds_v4", MO, 8, 64, 0, 1, 300, 0, 0, NT_PHOTON},
    {"Standard_E16ds_v4", MO, 16, 128, 0, 1, 600, 0, 0, NT_PHOTON},
    {"Standard_E32ds_v4", MO, 32, 256, 0, 1, 1200, 0, 0, NT_PHOTON},
    {"Standard_F4s", CO, 4, 8, 0, 1, 16, 0, 0, NT_PHOTON},
    {"Standard_F8s", CO, 8, 16, 0, 1, 32, 0, 0, NT_PHOTON},
    {"Standard_F16s", CO, 16, 32, 0, 1, 64, 0, 0, NT_PHOTON},
    {"Standard_F4s_v2", CO, 4, 8, 0, 1, 32, 0, 0, NT_PHOTON},
    {"Standard_F8s_v2", CO, 8, 16, 0, 1, 64, 0, 0, NT_PHOTON},
    {"Standard_F16s_v2", CO, 16, 32, 0, 1, 128, 0, 0, NT_PHOTON},
    {"Standard_L8s_v2", SO, 8, 64, 0, 1, 80, 1, 1788, NT_PHOTON},
    {"Standard_L16s_v2", SO, 16, 128, 0, 1, 160, 2, 1788, NT_PHOTON},
    {"Standard_L32s_v2", SO, 32, 256, 0, 1, 320, 4, 1788, NT_PHOTON},
    {"Standard_NC4as_T4_v3", GPU, 4, 28, 1, 1, 180, 0, 0, 0},
    {"Standard_NC6s_v3", GPU, 6, 112, 1, 1, 736, 0, 0, 0},
    {"Standard_NC12s_v3", GPU, 12, 224, 2, 1, 1474, 0, 0, 0},
    {"Standard_NC24s_v3", GPU, 24, 448, 4, 1, 2948, 0, 0, 0},
    /* GCP (persistent disks only) */
    {"n1-standard-4", GP, 4, 15, 0, 0, 0, 0, 0, 0},
    {"n1-standard-8", GP, 8, 30, 0, 0, 0, 0, 0, 0},
    {"n1-standard-16", GP, 16, 60, 0, 0, 0, 0, 0, 0},
    {"n1-highmem-4", MO, 4, 26, 0, 0, 0, 0, 0, 0},
    {"n1-highmem-8", MO, 8, 52, 0, 0, 0, 0, 0, 0},
    {"n1-highmem-16", MO, 16, 104, 0, 0, 0, 0, 0, 0},
    {"n2-standard-4", GP, 4, 16, 0, 0, 0, 0, 0, NT_PHOTON},
    {"n2-standard-8", GP, 8, 32, 0, 0, 0, 0, 0, NT_PHOTON},
    {"n2-standard-16", GP, 16, 64, 0, 0, 0, 0, 0, NT_PHOTON},
    {"n2-standard-32", GP, 32, 128, 0, 0, 0, 0, 0, NT_PHOTON},
    {"n2-highmem-4", MO, 4, 32, 0, 0, 0, 0, 0, NT_PHOTON},
    {"n2-highmem-8", MO, 8, 64, 0, 0, 0, 0, 0, NT_PHOTON},
    {"n2-highmem-16", MO, 16, 128, 0, 0, 0, 0, 0, NT_PHOTON},
    {"n2-highmem-32", MO, 32, 256, 0, 0, 0, 0, 0, NT_PHOTON},
    {"n2-highcpu-8", CO, 8, 8, 0, 0, 0, 0, 0, NT_PHOTON},
    {"n2-highcpu-16", CO, 16, 16, 0, 0, 0, 0, 0, NT_PHOTON},
    {"a2-highgpu-1g", GPU, 12, 85, 1, 0, 0, 0, 0, 0},
};
#define NODE_ROWS (sizeof node_rows / sizeof node_rows[0])

/* Keys as Databricks lists them; the display names carry "LTS", "ML" and "GPU" the way the
 * SDKs' select_spark_version looks for them. */
static const char *const versions[][2] = {
    {"16.4.x-scala2.12", "16.4 LTS (includes Apache Spark 3.5.2, Scala 2.12)"},
    {"16.4.x-scala2.13", "16.4 LTS (includes Apache Spark 3.5.2, Scala 2.13)"},
    {"16.4.x-photon-scala2.12", "16.4 LTS Photon (includes Apache Spark 3.5.2, Scala 2.12)"},
    {"16.4.x-cpu-ml-scala2.12", "16.4 LTS ML (includes Apache Spark 3.5.2, Scala 2.12)"},
    {"16.4.x-gpu-ml-scala2.12", "16.4 LTS ML (includes Apache Spark 3.5.2, GPU, Scala 2.12)"},
    {"16.3.x-scala2.12", "16.3 (includes Apache Spark 3.5.2, Scala 2.12)"},
    {"16.2.x-scala2.12", "16.2 (includes Apache Spark 3.5.2, Scala 2.12)"},
    {"16.1.x-scala2.12", "16.1 (includes Apache Spark 3.5.0, Scala 2.12)"},
    {"16.0.x-scala2.12", "16.0 (includes Apache Spark 3.5.0, Scala 2.12)"},
    {"15.4.x-scala2.12", "15.4 LTS (includes Apache Spark 3.5.0, Scala 2.12)"},
    {"15.4.x-photon-scala2.12", "15.4 LTS Photon (includes Apache Spark 3.5.0, Scala 2.12)"},
    {"15.4.x-cpu-ml-scala2.12", "15.4 LTS ML (includes Apache Spark 3.5.0, Scala 2.12)"},
    {"15.4.x-gpu-ml-scala2.12", "15.4 LTS ML (includes Apache Spark 3.5.0, GPU, Scala 2.12)"},
    {"15.3.x-scala2.12", "15.3 (includes Apache Spark 3.5.0, Scala 2.12)"},
    {"15.2.x-scala2.12", "15.2 (includes Apache Spark 3.5.0, Scala 2.12)"},
    {"15.1.x-scala2.12", "15.1 (includes Apache Spark 3.5.0, Scala 2.12)"},
    {"14.3.x-scala2.12", "14.3 LTS (includes Apache Spark 3.5.0, Scala 2.12)"},
    {"14.3.x-photon-scala2.12", "14.3 LTS Photon (includes Apache Spark 3.5.0, Scala 2.12)"},
    {"14.3.x-cpu-ml-scala2.12", "14.3 LTS ML (includes Apache Spark 3.5.0, Scala 2.12)"},
    {"14.3.x-gpu-ml-scala2.12", "14.3 LTS ML (includes Apache Spark 3.5.0, GPU, Scala 2.12)"},
    {"13.3.x-scala2.12", "13.3 LTS (includes Apache Spark 3.4.1, Scala 2.12)"},
    {"13.3.x-photon-scala2.12", "13.3 LTS Photon (includes Apache Spark 3.4.1, Scala 2.12)"},
    {"13.3.x-cpu-ml-scala2.12", "13.3 LTS ML (includes Apache Spark 3.4.1, Scala 2.12)"},
    {"13.3.x-gpu-ml-scala2.12", "13.3 LTS ML (includes Apache Spark 3.4.1, GPU, Scala 2.12)"},
    {"12.2.x-scala2.12", "12.2 LTS (includes Apache Spark 3.3.2, Scala 2.12)"},
    {"lakehouse-1.x", "Lakehouse 1.x (native C engine on this machine)"},
};
#define VERSION_COUNT (sizeof versions / sizeof versions[0])

static const node_row *find_row(const char *id)
{
    for (size_t i = 0; id != NULL && i < NODE_ROWS; i++) {
        if (strcmp(node_rows[i].id, id) == 0)
            return &node_rows[i];
    }
    return NULL;
}

/* Published shape (NT_SHARE: the machine's share). */
static void row_shape(const lh_clusters_t *c, const node_row *r, double *cores, int64_t *mem_mb)
{
    if (!(r->flags & NT_SHARE)) {
        *cores = r->cores;
        *mem_mb = (int64_t)(r->memory_gib * 1024);
        return;
    }
    int n = r->cores == 0 || r->cores > c->ncpu ? c->ncpu : (int)r->cores;
    *cores = n;
    *mem_mb = c->memory_mb * n / c->ncpu;
}

static json_t *instance_json(const lh_clusters_t *c, const node_row *r)
{
    int disk_gb = (r->flags & NT_SHARE) ? (int)c->disk_gb : r->disk_gb;
    return json_pack("{s:s, s:i, s:i, s:i, s:i}", "instance_type_id", r->id, "local_disks",
                     r->disks, "local_disk_size_gb", disk_gb, "local_nvme_disks", r->nvme,
                     "local_nvme_disk_size_gb", r->nvme_gb);
}

static json_t *row_json(const lh_clusters_t *c, const node_row *r, int order)
{
    double cores;
    int64_t mem;
    row_shape(c, r, &cores, &mem);
    char desc[160];
    snprintf(desc, sizeof desc, "%s: %g cores, %.1f GiB%s (runs as worker threads on this machine)",
             r->id, cores, (double)mem / 1024, r->gpus ? ", GPU shape" : "");
    bool photon = r->flags & NT_PHOTON;
    json_t *o = json_pack("{s:s, s:s, s:s, s:f, s:I, s:i, s:s, s:b, s:b}", "node_type_id", r->id,
                          "instance_type_id", r->id, "description", desc, "num_cores", cores,
                          "memory_mb", (json_int_t)mem, "num_gpus", r->gpus, "category",
                          r->category, "is_deprecated", 0, "is_hidden", 0);
    json_object_set_new(o, "node_instance_type", instance_json(c, r));
    lh_json_set_bool(o, "photon_worker_capable", photon);
    lh_json_set_bool(o, "photon_driver_capable", photon);
    lh_json_set_bool(o, "is_graviton", r->flags & NT_GRAVITON);
    lh_json_set_bool(o, "support_ebs_volumes", r->flags & NT_EBS);
    lh_json_set_bool(o, "support_cluster_tags", true);
    lh_json_set_bool(o, "support_port_forwarding", false); /* nothing forwards ports here */
    lh_json_set_bool(o, "is_io_cache_enabled", false);     /* no disk cache here */
    lh_json_set_bool(o, "is_encrypted_in_transit", false);
    lh_json_set_int(o, "display_order", order);
    return o;
}

json_t *cl_node_types(const lh_clusters_t *c)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < NODE_ROWS; i++)
        json_array_append_new(arr, row_json(c, &node_rows[i], (int)i));
    return arr;
}

json_t *cl_node_type(const lh_clusters_t *c, const char *node_type_id)
{
    const node_row *r = find_row(node_type_id);
    return r != NULL ? row_json(c, r, (int)(r - node_rows)) : NULL;
}

json_t *cl_spark_versions(void)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < VERSION_COUNT; i++)
        json_array_append_new(
            arr, json_pack("{s:s, s:s}", "key", versions[i][0], "name", versions[i][1]));
    return arr;
}

/* ---- did you mean ---- */

static int tolower_ascii(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* Case-insensitive Levenshtein distance, capped at CAP (enough to rank suggestions). */
#define CAP 64
static int distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > CAP || m > CAP)
        return CAP;
    int row[CAP + 1];
    for (size_t j = 0; j <= m; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= m; j++) {
            int up = row[j];
            int cost = tolower_ascii(a[i - 1]) != tolower_ascii(b[j - 1]);
            int best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

typedef const char *(*name_at_fn)(size_t i);

static const char *node_name_at(size_t i)
{
    return node_rows[i].id;
}

static const char *version_name_at(size_t i)
{
    return versions[i][0];
}

/* " Did you mean a, b or c?" for the up-to-3 closest names within reach, or "". */
static void suggest(const char *given, name_at_fn name_at, size_t count, char *out, size_t size)
{
    int reach = (int)strlen(given) / 3 + 2;
    const char *best[3] = {0};
    int dist[3] = {CAP, CAP, CAP};
    for (size_t i = 0; i < count; i++) {
        int d = distance(given, name_at(i));
        for (int k = 0; k < 3 && d <= reach; k++) {
            if (d < dist[k]) { /* insert at k, shifting the rest down */
                memmove(&best[k + 1], &best[k], sizeof best[0] * (size_t)(2 - k));
                memmove(&dist[k + 1], &dist[k], sizeof dist[0] * (size_t)(2 - k));
                best[k] = name_at(i);
                dist[k] = d;
                break;
            }
        }
    }
    out[0] = '\0';
    int n = best[0] ? best[1] ? best[2] ? 3 : 2 : 1 : 0;
    if (n == 0)
        return;
    snprintf(out, size, " Did you mean %s%s%s%s%s?", best[0], n > 1 ? (n > 2 ? ", " : " or ") : "",
             n > 1 ? best[1] : "", n > 2 ? " or " : "", n > 2 ? best[2] : "");
}

lh_err cl_check_node_type(const char *what, const char *id, lh_errbuf *eb)
{
    if (id == NULL || find_row(id) != NULL)
        return LH_OK;
    char hint[256];
    suggest(id, node_name_at, NODE_ROWS, hint, sizeof hint);
    LH_FAIL(LH_E_INVALID, eb, "%s %s is not supported.%s%s", what, id, hint,
            hint[0] ? "" : " See clusters/list-node-types for the supported ones.");
}

lh_err cl_check_spark_version(const char *key, lh_errbuf *eb)
{
    for (size_t i = 0; i < VERSION_COUNT; i++) {
        if (strcmp(versions[i][0], key) == 0)
            return LH_OK;
    }
    char hint[256];
    suggest(key, version_name_at, VERSION_COUNT, hint, sizeof hint);
    LH_FAIL(LH_E_INVALID, eb, "Invalid spark version %s.%s%s", key, hint,
            hint[0] ? "" : " See clusters/spark-versions for the supported ones.");
}
