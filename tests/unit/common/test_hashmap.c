/*
 * test_hashmap.c - common/hashmap: get/put/remove, growth from the smallest table,
 * tombstones (remove then re-find keys placed past them, reuse, rebuild), iteration
 * (with removal during the loop), 100k keys against a shadow array, and that the type's
 * free functions run exactly once per owned key and value (ASan checks the rest).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hashmap.h"
#include "t.h"

static int keys_freed, values_freed;

static void count_free_key(void *k)
{
    keys_freed++;
    free(k);
}

static void count_free_value(void *v)
{
    values_freed++;
    free(v);
}

static const lh_hashmap_type OWNED = {lh_hash_str, lh_equal_str, count_free_key, count_free_value};

/* Every key hashes to one value: every operation walks a probe chain. */
static uint64_t hash_collide(const void *key)
{
    (void)key;
    return 42;
}

static const lh_hashmap_type COLLIDE = {hash_collide, lh_equal_int64, NULL, NULL};

static char *dup_int(int i)
{
    char buf[32];
    snprintf(buf, sizeof buf, "k%d", i);
    return strdup(buf);
}

static void test_basic_str(void)
{
    lh_hashmap_t *m = lh_hashmap_create(&LH_HASHMAP_STR, 0);
    T_CHECK(m != NULL);
    T_EQ_INT(lh_hashmap_count(m), 0);
    T_CHECK(lh_hashmap_get(m, "a") == NULL);
    T_EQ_INT(lh_hashmap_put(m, "a", "1", NULL), LH_OK);
    T_EQ_INT(lh_hashmap_put(m, "b", "2", NULL), LH_OK);
    char key[] = "a"; /* another pointer with the same text */
    T_EQ_STR(lh_hashmap_get(m, key), "1");
    T_EQ_INT(lh_hashmap_put(m, key, "3", NULL), LH_OK); /* replace */
    T_EQ_INT(lh_hashmap_count(m), 2);
    T_EQ_STR(lh_hashmap_get(m, "a"), "3");
    T_EQ_INT(lh_hashmap_put(m, "nul", NULL, NULL), LH_OK);
    void *v = (void *)1;
    T_CHECK(lh_hashmap_find(m, "nul", &v) && v == NULL);
    T_CHECK(!lh_hashmap_find(m, "zzz", &v));
    bool added = true;
    T_EQ_INT(lh_hashmap_put_new(m, "b", "9", &added, NULL), LH_OK); /* present: unchanged */
    T_CHECK(!added);
    T_EQ_STR(lh_hashmap_get(m, "b"), "2");
    T_EQ_INT(lh_hashmap_put_new(m, "c", "4", &added, NULL), LH_OK);
    T_CHECK(added);
    T_EQ_STR(lh_hashmap_get(m, "c"), "4");
    T_CHECK(lh_hashmap_remove(m, "c"));
    T_CHECK(lh_hashmap_remove(m, "a"));
    T_CHECK(!lh_hashmap_remove(m, "a"));
    T_CHECK(lh_hashmap_get(m, "a") == NULL);
    T_EQ_STR(lh_hashmap_get(m, "b"), "2");
    T_EQ_INT(lh_hashmap_count(m), 2);
    lh_hashmap_destroy(m);
    lh_hashmap_destroy(NULL);
}

static void test_int64_keys(void)
{
    lh_hashmap_t *m = lh_hashmap_create(&LH_HASHMAP_INT64, 4);
    int64_t ks[] = {0, -1, INT64_MAX, INT64_MIN, 1234567890123LL};
    for (int i = 0; i < 5; i++)
        T_EQ_INT(lh_hashmap_put(m, LH_HKEY_INT(ks[i]), LH_HKEY_INT(i + 100), NULL), LH_OK);
    for (int i = 0; i < 5; i++)
        T_EQ_INT(LH_HKEY_TO_INT(lh_hashmap_get(m, LH_HKEY_INT(ks[i]))), i + 100);
    T_CHECK(!lh_hashmap_find(m, LH_HKEY_INT(7), NULL));
    lh_hashmap_destroy(m);
}

/* All keys in one probe chain: removing from the middle must keep later keys reachable,
 * and a tombstone is reused by the next insert. */
static void test_tombstones_in_chain(void)
{
    lh_hashmap_t *m = lh_hashmap_create(&COLLIDE, 0);
    for (int i = 1; i <= 5; i++)
        T_EQ_INT(lh_hashmap_put(m, LH_HKEY_INT(i), LH_HKEY_INT(i * 10), NULL), LH_OK);
    T_CHECK(lh_hashmap_remove(m, LH_HKEY_INT(2)));
    T_CHECK(lh_hashmap_remove(m, LH_HKEY_INT(3)));
    for (int i = 4; i <= 5; i++)
        T_EQ_INT(LH_HKEY_TO_INT(lh_hashmap_get(m, LH_HKEY_INT(i))), i * 10);
    T_CHECK(!lh_hashmap_find(m, LH_HKEY_INT(2), NULL));
    T_EQ_INT(lh_hashmap_put(m, LH_HKEY_INT(6), LH_HKEY_INT(60), NULL), LH_OK);
    T_EQ_INT(lh_hashmap_count(m), 4);
    /* churn far past the table size: tombstones must be rebuilt away, never fill it */
    for (int round = 0; round < 1000; round++) {
        int64_t k = 100 + round;
        T_EQ_INT(lh_hashmap_put(m, LH_HKEY_INT(k), LH_HKEY_INT(k), NULL), LH_OK);
        T_CHECK(lh_hashmap_remove(m, LH_HKEY_INT(k)));
    }
    T_EQ_INT(lh_hashmap_count(m), 4);
    T_EQ_INT(LH_HKEY_TO_INT(lh_hashmap_get(m, LH_HKEY_INT(6))), 60);
    T_EQ_INT(LH_HKEY_TO_INT(lh_hashmap_get(m, LH_HKEY_INT(1))), 10);
    lh_hashmap_destroy(m);
}

static void test_many_keys_grow(void)
{
    enum { N = 100000 };
    lh_hashmap_t *m = lh_hashmap_create(&LH_HASHMAP_INT64, 0); /* grows from the minimum */
    for (int64_t i = 0; i < N; i++)
        T_EQ_INT(lh_hashmap_put(m, LH_HKEY_INT(i * 7919), LH_HKEY_INT(i), NULL), LH_OK);
    T_EQ_INT(lh_hashmap_count(m), N);
    int bad = 0;
    for (int64_t i = 0; i < N; i++)
        bad += LH_HKEY_TO_INT(lh_hashmap_get(m, LH_HKEY_INT(i * 7919))) != i;
    T_EQ_INT(bad, 0);
    for (int64_t i = 0; i < N; i += 2) /* remove the even ones */
        T_CHECK(lh_hashmap_remove(m, LH_HKEY_INT(i * 7919)));
    T_EQ_INT(lh_hashmap_count(m), N / 2);
    for (int64_t i = 0; i < N; i++)
        bad += lh_hashmap_find(m, LH_HKEY_INT(i * 7919), NULL) != (i % 2 == 1);
    T_EQ_INT(bad, 0);
    lh_hashmap_destroy(m);
}

static void test_iterate(void)
{
    enum { N = 1000 };
    lh_hashmap_t *m = lh_hashmap_create(&LH_HASHMAP_INT64, 0);
    for (int64_t i = 0; i < N; i++)
        lh_hashmap_put(m, LH_HKEY_INT(i), LH_HKEY_INT(-i), NULL);
    static char seen[N];
    memset(seen, 0, sizeof seen);
    size_t it = 0;
    void *k, *v;
    int n = 0;
    while (lh_hashmap_next(m, &it, &k, &v)) {
        int64_t key = LH_HKEY_TO_INT(k);
        T_CHECK(key >= 0 && key < N && LH_HKEY_TO_INT(v) == -key);
        seen[key]++;
        n++;
        if (key % 3 == 0) /* removing the current entry is allowed */
            T_CHECK(lh_hashmap_remove(m, k));
    }
    T_EQ_INT(n, N);
    for (int i = 0; i < N; i++)
        T_EQ_INT(seen[i], 1);
    T_EQ_INT(lh_hashmap_count(m), N - (N + 2) / 3);
    it = 0;
    n = 0;
    while (lh_hashmap_next(m, &it, NULL, NULL))
        n++;
    T_EQ_INT(n, N - (N + 2) / 3);
    T_CHECK(!lh_hashmap_next(m, &it, &k, &v)); /* stays at the end */
    lh_hashmap_destroy(m);
}

static void test_vtable_frees(void)
{
    keys_freed = values_freed = 0;
    lh_hashmap_t *m = lh_hashmap_create(&OWNED, 0);
    for (int i = 0; i < 100; i++)
        T_EQ_INT(lh_hashmap_put(m, dup_int(i), dup_int(i), NULL), LH_OK);
    /* replace: the new key is freed (the stored one stays), the old value is freed */
    T_EQ_INT(lh_hashmap_put(m, dup_int(5), strdup("five"), NULL), LH_OK);
    T_EQ_INT(keys_freed, 1);
    T_EQ_INT(values_freed, 1);
    T_EQ_STR(lh_hashmap_get(m, "k5"), "five");
    T_CHECK(lh_hashmap_remove(m, "k6"));
    T_EQ_INT(keys_freed, 2);
    T_EQ_INT(values_freed, 2);
    void *k = NULL, *v = NULL;
    T_CHECK(lh_hashmap_take(m, "k7", &k, &v)); /* ownership moves to us */
    T_EQ_STR(k, "k7");
    T_EQ_STR(v, "k7");
    T_EQ_INT(keys_freed, 2);
    free(k);
    free(v);
    T_CHECK(lh_hashmap_take(m, "k8", NULL, &v)); /* key freed, value ours */
    T_EQ_INT(keys_freed, 3);
    free(v);
    lh_hashmap_clear(m);
    T_EQ_INT(lh_hashmap_count(m), 0);
    T_EQ_INT(keys_freed, 3 + 97);
    T_EQ_INT(values_freed, 2 + 97);
    T_EQ_INT(lh_hashmap_put(m, dup_int(1), dup_int(1), NULL), LH_OK); /* usable after clear */
    lh_hashmap_destroy(m);
    T_EQ_INT(keys_freed, 101);
    T_EQ_INT(values_freed, 100);
}

int main(void)
{
    T_RUN(test_basic_str);
    T_RUN(test_int64_keys);
    T_RUN(test_tombstones_in_chain);
    T_RUN(test_many_keys_grow);
    T_RUN(test_iterate);
    T_RUN(test_vtable_frees);
    return T_DONE();
}
