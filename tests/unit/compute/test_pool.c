/*
 * test_pool.c - compute/pool: tasks run, workers move between pools, fork-join.
 */
#include <stdatomic.h>
#include <unistd.h>

#include "compute/pool.h"
#include "t.h"

static atomic_int ran;
static void bump(void *arg)
{
    (void)arg;
    atomic_fetch_add(&ran, 1);
}

static void test_submit_and_wait(void)
{
    lh_pool_t *p = lh_pool_create("t", 3);
    T_CHECK(p != NULL);
    T_EQ_INT(lh_pool_worker_count(p), 3);
    atomic_store(&ran, 0);
    for (int i = 0; i < 1000; i++)
        T_EQ_INT(lh_pool_submit(p, bump, NULL, NULL), LH_OK);
    lh_pool_wait_idle(p);
    T_EQ_INT(atomic_load(&ran), 1000);
    lh_pool_destroy(p);
}

static void test_move_workers(void)
{
    lh_pool_t *idle = lh_pool_create("instance-pool", 4);
    lh_pool_t *cluster = lh_pool_create("cluster", 0);
    T_EQ_INT(lh_pool_move_workers(idle, cluster, 3), 3);
    T_EQ_INT(lh_pool_worker_count(idle), 1);
    T_EQ_INT(lh_pool_worker_count(cluster), 3);
    atomic_store(&ran, 0);
    for (int i = 0; i < 100; i++)
        T_EQ_INT(lh_pool_submit(cluster, bump, NULL, NULL), LH_OK);
    lh_pool_wait_idle(cluster);
    T_EQ_INT(atomic_load(&ran), 100);
    T_EQ_INT(lh_pool_move_workers(cluster, idle, 10), 3); /* hand back on terminate */
    T_EQ_INT(lh_pool_worker_count(idle), 4);
    T_EQ_INT(lh_pool_move_workers(idle, NULL, 2), 2); /* stop two */
    T_EQ_INT(lh_pool_worker_count(idle), 2);
    lh_pool_destroy(cluster);
    lh_pool_destroy(idle);
}

static atomic_long sum;
static void add_i(void *arg, size_t i)
{
    (void)arg;
    atomic_fetch_add(&sum, (long)i);
}

static void test_parallel_for(void)
{
    lh_pool_t *p = lh_pool_create("pf", 2);
    atomic_store(&sum, 0);
    lh_pool_parallel_for(p, 10001, add_i, NULL);
    T_EQ_INT(atomic_load(&sum), 10000L * 10001 / 2);
    lh_pool_t *empty = lh_pool_create("none", 0);
    atomic_store(&sum, 0);
    lh_pool_parallel_for(empty, 10, add_i, NULL); /* caller does it all */
    T_EQ_INT(atomic_load(&sum), 45);
    lh_pool_destroy(empty);
    lh_pool_destroy(p);
}

static void test_destroy_drains(void)
{
    lh_pool_t *p = lh_pool_create("drain", 1);
    atomic_store(&ran, 0);
    for (int i = 0; i < 50; i++)
        lh_pool_submit(p, bump, NULL, NULL);
    lh_pool_destroy(p);
    T_EQ_INT(atomic_load(&ran), 50);
}

int main(void)
{
    T_RUN(test_submit_and_wait);
    T_RUN(test_move_workers);
    T_RUN(test_parallel_for);
    T_RUN(test_destroy_drains);
    return T_DONE();
}
