/*
 * cluster_start_bench.c - clusters/create -> RUNNING inside the daemon, without HTTP in
 * the measurement: a server context with no listener, requests dispatched directly, the
 * state polled in a tight loop. Cold (new worker threads) vs from a warm instance pool
 * (adopted threads). A benchmark: prints medians, asserts nothing.
 *
 *   build/cluster_start_bench [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "compute/pool.h"
#include "server/server.h"

static lh_server_t srv;
static const char *auth = "Bearer dapi000000000000000000000000000bench";

static const char *header(lh_req_t *req, const char *name)
{
    (void)req;
    return strcmp(name, "Authorization") == 0 ? auth : NULL;
}

static json_t *dispatch(const char *method, const char *path, json_t *body)
{
    lh_req_t req;
    memset(&req, 0, sizeof req);
    req.ctx = &srv.ctx;
    req.arena = lh_arena_create();
    req.method = method;
    req.path = path;
    req.params = body;
    req.header = header;
    int idx;
    lh_server_dispatch(&srv, &req, &idx);
    json_t *out = req.out;
    if (out == NULL && req.text != NULL)
        out = json_loadb(req.text, req.text_bytes, 0, NULL);
    lh_arena_destroy(req.arena);
    json_decref(body);
    return out;
}

static int is_running(const char *id)
{
    json_t *o = dispatch("GET", "/api/2.1/clusters/get", json_pack("{s:s}", "cluster_id", id));
    int ok = strcmp(json_string_value(json_object_get(o, "state")), "RUNNING") == 0;
    json_decref(o);
    return ok;
}

static double start_once(const char *pool_id)
{
    json_t *spec = json_pack("{s:s, s:s, s:i}", "spark_version", "15.4.x-scala2.12", "node_type_id",
                             "lakehouse.small", "num_workers", 2);
    if (pool_id)
        json_object_set_new(spec, "instance_pool_id", json_string(pool_id));
    int64_t t0 = lh_mono_ns();
    json_t *r = dispatch("POST", "/api/2.1/clusters/create", spec);
    char id[64];
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(r, "cluster_id")));
    json_decref(r);
    while (!is_running(id))
        usleep(50); /* poll, but leave the 2 cores to the daemon's own threads */
    double ms = (double)(lh_mono_ns() - t0) / 1e6;
    json_decref(dispatch("POST", "/api/2.1/clusters/permanent-delete",
                         json_pack("{s:s}", "cluster_id", id)));
    usleep(20000); /* termination and the pool's top-up finish off the clock */
    return ms;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The compute step alone: a cluster pool getting `workers` threads, new or adopted. */
static void pool_step(int workers, int rounds)
{
    double *grow = calloc((size_t)rounds, sizeof *grow),
           *adopt = calloc((size_t)rounds, sizeof *adopt);
    lh_pool_t *idle = lh_pool_create("idle", workers);
    for (int i = 0; i < rounds; i++) {
        lh_pool_t *p = lh_pool_create("cluster", 0);
        int64_t t0 = lh_mono_ns();
        lh_pool_grow(p, workers, NULL);
        grow[i] = (double)(lh_mono_ns() - t0) / 1e3;
        lh_pool_destroy(p);
        p = lh_pool_create("cluster", 0);
        t0 = lh_mono_ns();
        lh_pool_move_workers(idle, p, workers);
        adopt[i] = (double)(lh_mono_ns() - t0) / 1e3;
        lh_pool_move_workers(p, idle, workers);
        lh_pool_destroy(p);
    }
    qsort(grow, (size_t)rounds, sizeof *grow, cmp);
    qsort(adopt, (size_t)rounds, sizeof *adopt, cmp);
    printf("  compute step, %d workers: new threads median %.1f us, adopted from a pool %.1f us "
           "(%.1fx faster)\n",
           workers, grow[rounds / 2], adopt[rounds / 2], grow[rounds / 2] / adopt[rounds / 2]);
    lh_pool_destroy(idle);
    free(grow);
    free(adopt);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 30;
    if (rounds < 1 || rounds > 1000)
        rounds = 30;
    char dir[] = "/tmp/lh-bench-XXXXXX";
    if (mkdtemp(dir) == NULL)
        return 1;
    setenv("LAKEHOUSE_ADMIN_TOKEN", auth + 7, 1);
    lh_config_default(&srv.config);
    snprintf(srv.config.data_dir, sizeof srv.config.data_dir, "%s", dir);
    srv.config.no_http = 1;
    srv.config.access_log = 0;
    lh_errbuf eb;
    if (lh_server_start(&srv, &eb) != LH_OK) {
        fprintf(stderr, "bench: %s\n", eb.msg);
        return 1;
    }
    double *cold = calloc((size_t)rounds, sizeof *cold),
           *warm = calloc((size_t)rounds, sizeof *warm);
    for (int i = 0; i < rounds; i++)
        cold[i] = start_once(NULL);
    json_t *p =
        dispatch("POST", "/api/2.0/instance-pools/create",
                 json_pack("{s:s, s:s, s:i, s:i}", "instance_pool_name", "warm", "node_type_id",
                           "lakehouse.small", "min_idle_instances", 4, "max_capacity", 16));
    char pool_id[64];
    snprintf(pool_id, sizeof pool_id, "%s",
             json_string_value(json_object_get(p, "instance_pool_id")));
    json_decref(p);
    usleep(100000);
    for (int i = 0; i < rounds; i++)
        warm[i] = start_once(pool_id);
    qsort(cold, (size_t)rounds, sizeof *cold, cmp);
    qsort(warm, (size_t)rounds, sizeof *warm, cmp);
    printf("\nclusters/create -> RUNNING in-process (%d rounds, 2 workers each)\n", rounds);
    printf("  cold (new threads)        median %.3f ms  p90 %.3f ms  (target < 50)\n",
           cold[rounds / 2], cold[rounds * 9 / 10]);
    printf("  warm instance pool        median %.3f ms  p90 %.3f ms  (target < 5)\n",
           warm[rounds / 2], warm[rounds * 9 / 10]);
    printf("  warm/cold ratio           %.2f (both dominated by the metastore write-through)\n",
           warm[rounds / 2] / cold[rounds / 2]);
    pool_step(2, 200);
    pool_step(16, 200);
    lh_server_stop(&srv);
    free(cold);
    free(warm);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
