/*
 * test_local.c - the local object store: keys, atomic put / put_if_absent (incl. a race of
 * two threads where exactly one wins), listing, ranges, streaming writers, fault injection.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/objstore/objstore.h"
#include "t.h"

static char root[256];

static lh_objstore_t *fresh_store(void)
{
    snprintf(root, sizeof root, "/tmp/lh_objstore_test_%d_XXXXXX", (int)getpid());
    T_CHECK(mkdtemp(root) != NULL);
    lh_objstore_t *os = NULL;
    T_EQ_INT(lh_objstore_local_create(root, &os, NULL), LH_OK);
    return os;
}

static void cleanup(lh_objstore_t *os)
{
    char cmd[300];
    lh_objstore_destroy(os);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    T_EQ_INT(system(cmd), 0);
}

static void test_keys(void)
{
    lh_objstore_t *os = fresh_store();
    lh_errbuf eb;
    T_EQ_INT(lh_objstore_put(os, "/abs", "x", 1, &eb), LH_E_INVALID);
    T_EQ_INT(lh_objstore_put(os, "a/../b", "x", 1, &eb), LH_E_INVALID);
    T_EQ_INT(lh_objstore_put(os, "..", "x", 1, &eb), LH_E_INVALID);
    T_EQ_INT(lh_objstore_put(os, "a//b", "x", 1, &eb), LH_E_INVALID);
    T_EQ_INT(lh_objstore_put(os, "", "x", 1, &eb), LH_E_INVALID);
    T_EQ_INT(lh_objstore_put(os, "a/./b", "x", 1, &eb), LH_E_INVALID);
    T_EQ_INT(lh_objstore_put(os, "a/..b/c", "x", 1, &eb), LH_OK); /* '..b' is a name */
    cleanup(os);
}

static void test_put_get(void)
{
    lh_objstore_t *os = fresh_store();
    uint8_t *buf;
    size_t len;
    T_EQ_INT(lh_objstore_get(os, "x/y", &buf, &len, NULL), LH_E_NOT_FOUND);
    T_EQ_INT(lh_objstore_put(os, "x/y", "hello", 5, NULL), LH_OK);
    T_EQ_INT(lh_objstore_put(os, "x/y", "world!", 6, NULL), LH_OK); /* replace */
    T_EQ_INT(lh_objstore_get(os, "x/y", &buf, &len, NULL), LH_OK);
    T_EQ_INT(len, 6);
    T_EQ_STR((char *)buf, "world!");
    free(buf);
    char part[3];
    T_EQ_INT(lh_objstore_get_range(os, "x/y", 2, part, 3, NULL), LH_OK);
    T_CHECK(memcmp(part, "rld", 3) == 0);
    T_EQ_INT(lh_objstore_get_range(os, "x/y", 4, part, 3, NULL), LH_E_CORRUPT);
    lh_obj_info_t st;
    T_EQ_INT(lh_objstore_stat(os, "x/y", &st, NULL), LH_OK);
    T_EQ_INT(st.size_bytes, 6);
    T_CHECK(st.mtime_ms > 1600000000000LL);
    T_EQ_INT(lh_objstore_stat(os, "x", &st, NULL), LH_E_NOT_FOUND); /* a directory */
    T_EQ_INT(lh_objstore_delete(os, "x/y", NULL), LH_OK);
    T_EQ_INT(lh_objstore_delete(os, "x/y", NULL), LH_E_NOT_FOUND);
    cleanup(os);
}

static void test_put_if_absent(void)
{
    lh_objstore_t *os = fresh_store();
    lh_errbuf eb;
    T_EQ_INT(lh_objstore_put_if_absent(os, "log/0.json", "a", 1, &eb), LH_OK);
    T_EQ_INT(lh_objstore_put_if_absent(os, "log/0.json", "bb", 2, &eb), LH_E_EXISTS);
    uint8_t *buf;
    size_t len;
    T_EQ_INT(lh_objstore_get(os, "log/0.json", &buf, &len, NULL), LH_OK);
    T_EQ_INT(len, 1);
    free(buf);
    lh_obj_list_t l;
    T_EQ_INT(lh_objstore_list(os, "log/", &l, NULL), LH_OK);
    T_EQ_INT(l.count, 1); /* no temporary files left behind */
    lh_obj_list_free(&l);
    cleanup(os);
}

typedef struct race {
    lh_objstore_t *os;
    int id;
    lh_err result;
    pthread_barrier_t *bar;
} race_t;

static void *racer(void *arg)
{
    race_t *r = arg;
    char body[16];
    snprintf(body, sizeof body, "writer-%d", r->id);
    pthread_barrier_wait(r->bar);
    r->result = lh_objstore_put_if_absent(r->os, "t/_delta_log/00000000000000000001.json", body,
                                          strlen(body), NULL);
    return NULL;
}

static void test_put_if_absent_race(void)
{
    lh_objstore_t *os = fresh_store();
    for (int round = 0; round < 50; round++) {
        pthread_barrier_t bar;
        pthread_barrier_init(&bar, NULL, 2);
        race_t r[2] = {{os, 0, LH_OK, &bar}, {os, 1, LH_OK, &bar}};
        pthread_t th[2];
        for (int i = 0; i < 2; i++)
            pthread_create(&th[i], NULL, racer, &r[i]);
        for (int i = 0; i < 2; i++)
            pthread_join(th[i], NULL);
        pthread_barrier_destroy(&bar);
        int wins = (r[0].result == LH_OK) + (r[1].result == LH_OK);
        int losses = (r[0].result == LH_E_EXISTS) + (r[1].result == LH_E_EXISTS);
        T_EQ_INT(wins, 1);
        T_EQ_INT(losses, 1);
        uint8_t *buf;
        size_t len;
        T_EQ_INT(lh_objstore_get(os, "t/_delta_log/00000000000000000001.json", &buf, &len, NULL),
                 LH_OK);
        int winner = r[0].result == LH_OK ? 0 : 1;
        char want[16];
        snprintf(want, sizeof want, "writer-%d", winner);
        T_EQ_STR((char *)buf, want);
        free(buf);
        T_EQ_INT(lh_objstore_delete(os, "t/_delta_log/00000000000000000001.json", NULL), LH_OK);
    }
    cleanup(os);
}

static void test_list(void)
{
    lh_objstore_t *os = fresh_store();
    const char *keys[] = {"t/b/2", "t/a", "t/b/1", "u/x", "t2"};
    for (int i = 0; i < 5; i++)
        T_EQ_INT(lh_objstore_put(os, keys[i], "x", 1, NULL), LH_OK);
    lh_obj_list_t l;
    T_EQ_INT(lh_objstore_list(os, "t/", &l, NULL), LH_OK);
    T_EQ_INT(l.count, 3);
    if (l.count == 3) {
        T_EQ_STR(l.items[0].key, "t/a");
        T_EQ_STR(l.items[1].key, "t/b/1");
        T_EQ_STR(l.items[2].key, "t/b/2");
        T_EQ_INT(l.items[0].size_bytes, 1);
    }
    lh_obj_list_free(&l);
    T_EQ_INT(lh_objstore_list(os, "t", &l, NULL), LH_OK); /* a name prefix, not a dir */
    T_EQ_INT(l.count, 4);
    lh_obj_list_free(&l);
    T_EQ_INT(lh_objstore_list(os, "", &l, NULL), LH_OK);
    T_EQ_INT(l.count, 5);
    lh_obj_list_free(&l);
    T_EQ_INT(lh_objstore_list(os, "nope/", &l, NULL), LH_OK);
    T_EQ_INT(l.count, 0);
    lh_obj_list_free(&l);
    cleanup(os);
}

static void test_writer(void)
{
    lh_objstore_t *os = fresh_store();
    lh_obj_writer_t *w;
    T_EQ_INT(lh_objstore_open_write(os, "d/big.parquet", &w, NULL), LH_OK);
    T_EQ_INT(lh_obj_writer_write(w, "abc", 3, NULL), LH_OK);
    T_EQ_INT(lh_obj_writer_write(w, "def", 3, NULL), LH_OK);
    T_EQ_INT(lh_obj_writer_bytes(w), 6);
    lh_obj_info_t st;
    T_EQ_INT(lh_objstore_stat(os, "d/big.parquet", &st, NULL), LH_E_NOT_FOUND); /* invisible */
    T_EQ_INT(lh_obj_writer_commit(w, NULL), LH_OK);
    T_EQ_INT(lh_objstore_stat(os, "d/big.parquet", &st, NULL), LH_OK);
    T_EQ_INT(st.size_bytes, 6);
    T_EQ_INT(lh_objstore_open_write(os, "d/aborted", &w, NULL), LH_OK);
    T_EQ_INT(lh_obj_writer_write(w, "zz", 2, NULL), LH_OK);
    lh_obj_writer_abort(w);
    lh_obj_list_t l;
    T_EQ_INT(lh_objstore_list(os, "d/", &l, NULL), LH_OK);
    T_EQ_INT(l.count, 1);
    lh_obj_list_free(&l);
    lh_byte_source_t src;
    T_EQ_INT(lh_objstore_open_source(os, "d/big.parquet", &src, NULL), LH_OK);
    T_EQ_INT(src.size, 6);
    char b2[2];
    T_EQ_INT(src.read_at(src.ctx, 4, b2, 2, NULL), LH_OK);
    T_CHECK(memcmp(b2, "ef", 2) == 0);
    src.close(src.ctx);
    cleanup(os);
}

static void test_fault_injection(void)
{
    lh_objstore_t *os = fresh_store();
    lh_errbuf eb;
    lh_objstore_fail_nth(os, 2);
    T_EQ_INT(lh_objstore_put(os, "a", "x", 1, &eb), LH_OK);
    T_EQ_INT(lh_objstore_put(os, "b", "x", 1, &eb), LH_E_IO);
    T_CHECK(strstr(eb.msg, "injected") != NULL);
    T_EQ_INT(lh_objstore_put(os, "b", "x", 1, &eb), LH_OK); /* only the n-th */
    lh_obj_info_t st;
    lh_objstore_fail_nth(os, 1);
    T_EQ_INT(lh_objstore_put_if_absent(os, "c", "x", 1, &eb), LH_E_IO);
    T_EQ_INT(lh_objstore_stat(os, "c", &st, NULL), LH_E_NOT_FOUND);
    lh_obj_writer_t *w;
    lh_objstore_fail_nth(os, 1);
    T_EQ_INT(lh_objstore_open_write(os, "w", &w, NULL), LH_OK);
    T_EQ_INT(lh_obj_writer_commit(w, &eb), LH_E_IO);
    T_EQ_INT(lh_objstore_stat(os, "w", &st, NULL), LH_E_NOT_FOUND);
    lh_obj_list_t l;
    T_EQ_INT(lh_objstore_list(os, "", &l, NULL), LH_OK);
    T_EQ_INT(l.count, 2);
    lh_obj_list_free(&l);
    cleanup(os);
}

int main(void)
{
    T_RUN(test_keys);
    T_RUN(test_put_get);
    T_RUN(test_put_if_absent);
    T_RUN(test_put_if_absent_race);
    T_RUN(test_list);
    T_RUN(test_writer);
    T_RUN(test_fault_injection);
    return T_DONE();
}
