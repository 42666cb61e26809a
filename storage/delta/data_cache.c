/*
 * data_cache.c - the decoded column chunk cache (data_cache.h): a hash map from the key's
 * text to an entry, and a doubly linked LRU list (head = most recent) of the entries in
 * the map. Entries are refcounted: the map holds one reference, each reader one more.
 *
 * Lock order: c->mu only; nothing else is taken while it is held (vectors are freed
 * after it is released).
 */
#include "storage/delta/data_cache.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hashmap.h"

struct lh_data_cache_entry {
    char *key;
    lh_vec_t *vec;
    int64_t bytes;
    int refs;    /* the map's (while linked) + readers' */
    bool linked; /* in the map and the LRU list */
    struct lh_data_cache_entry *prev, *next;
};

struct lh_data_cache {
    pthread_mutex_t mu; /* guards everything below */
    lh_hashmap_t *map;  /* key text -> entry (keys owned by the entries) */
    lh_data_cache_entry_t *head, *tail;
    int64_t bytes, bytes_max;
    lh_data_cache_stats_t st;
};

lh_data_cache_t *lh_data_cache_create(int64_t bytes_max)
{
    lh_data_cache_t *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->map = lh_hashmap_create(&LH_HASHMAP_STR, 256);
    if (c->map == NULL) {
        free(c);
        return NULL;
    }
    pthread_mutex_init(&c->mu, NULL);
    c->bytes_max = bytes_max > 0 ? bytes_max : 1;
    return c;
}

static void entry_free(lh_data_cache_entry_t *e)
{
    lh_vec_destroy(e->vec);
    free(e->key);
    free(e);
}

void lh_data_cache_destroy(lh_data_cache_t *c)
{
    if (c == NULL)
        return;
    for (lh_data_cache_entry_t *e = c->head, *next; e != NULL; e = next) {
        next = e->next;
        LH_ASSERT(e->refs == 1); /* no reader may still hold one */
        entry_free(e);
    }
    lh_hashmap_destroy(c->map);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static char *key_text(const lh_data_cache_key_t *k)
{
    size_t n = strlen(k->file) + 80;
    char *s = malloc(n);
    if (s != NULL)
        snprintf(s, n, "%s\x1f%" PRId64 "\x1f%" PRId64 "\x1f%d\x1f%d", k->file, k->size_bytes,
                 k->mtime_ms, k->row_group, k->column);
    return s;
}

static void lru_unlink(lh_data_cache_t *c, lh_data_cache_entry_t *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push(lh_data_cache_t *c, lh_data_cache_entry_t *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (c->tail == NULL)
        c->tail = e;
}

/* Unlink LRU entries until the total fits; those no reader holds go on *dead. */
static void evict(lh_data_cache_t *c, lh_data_cache_entry_t **dead)
{
    while (c->bytes > c->bytes_max && c->tail != NULL) {
        lh_data_cache_entry_t *e = c->tail;
        lru_unlink(c, e);
        lh_hashmap_remove(c->map, e->key);
        e->linked = false;
        c->bytes -= e->bytes;
        c->st.evictions++;
        if (--e->refs == 0) {
            e->next = *dead;
            *dead = e;
        }
    }
}

static void free_dead(lh_data_cache_entry_t *dead)
{
    while (dead != NULL) {
        lh_data_cache_entry_t *next = dead->next;
        entry_free(dead);
        dead = next;
    }
}

const lh_vec_t *lh_data_cache_get(lh_data_cache_t *c, const lh_data_cache_key_t *key,
                                  lh_data_cache_entry_t **ref)
{
    *ref = NULL;
    char *k = key_text(key);
    if (k == NULL)
        return NULL;
    pthread_mutex_lock(&c->mu);
    lh_data_cache_entry_t *e = lh_hashmap_get(c->map, k);
    if (e != NULL) {
        e->refs++;
        lru_unlink(c, e);
        lru_push(c, e);
        c->st.hits++;
    } else {
        c->st.misses++;
    }
    pthread_mutex_unlock(&c->mu);
    free(k);
    *ref = e;
    return e ? e->vec : NULL;
}

const lh_vec_t *lh_data_cache_put(lh_data_cache_t *c, const lh_data_cache_key_t *key, lh_vec_t *v,
                                  lh_data_cache_entry_t **ref)
{
    *ref = NULL;
    lh_data_cache_entry_t *e = calloc(1, sizeof *e);
    if (e == NULL || (e->key = key_text(key)) == NULL) {
        free(e);
        lh_vec_destroy(v);
        return NULL;
    }
    e->vec = v;
    e->bytes = lh_data_cache_vec_bytes(v);
    e->refs = 1; /* the caller's */
    lh_data_cache_entry_t *dead = NULL;
    pthread_mutex_lock(&c->mu);
    lh_data_cache_entry_t *old = lh_hashmap_get(c->map, e->key);
    if (old != NULL) { /* another reader decoded it first: share theirs */
        old->refs++;
        e->refs = 0;
        e->next = dead;
        dead = e;
        e = old;
    } else if (e->bytes <= c->bytes_max && lh_hashmap_put(c->map, e->key, e, NULL) == LH_OK) {
        e->refs++; /* the map's */
        e->linked = true;
        lru_push(c, e);
        c->bytes += e->bytes;
        c->st.inserts++;
        evict(c, &dead);
    }
    pthread_mutex_unlock(&c->mu);
    free_dead(dead);
    *ref = e;
    return e->vec;
}

void lh_data_cache_release(lh_data_cache_t *c, lh_data_cache_entry_t *ref)
{
    if (ref == NULL)
        return;
    pthread_mutex_lock(&c->mu);
    bool last = --ref->refs == 0;
    pthread_mutex_unlock(&c->mu);
    if (last)
        entry_free(ref);
}

void lh_data_cache_get_stats(lh_data_cache_t *c, lh_data_cache_stats_t *out)
{
    pthread_mutex_lock(&c->mu);
    *out = c->st;
    out->bytes = c->bytes;
    out->bytes_max = c->bytes_max;
    out->entries = (int64_t)lh_hashmap_count(c->map);
    pthread_mutex_unlock(&c->mu);
}

int64_t lh_data_cache_vec_bytes(const lh_vec_t *v)
{
    int64_t n = (int64_t)(v->capacity * lh_type_width(v->type)) + (int64_t)sizeof *v;
    if (v->validity != NULL)
        n += (int64_t)((v->capacity + 63) / 64 * 8);
    if (lh_type_is_bytes(v->type))
        for (size_t i = 0; i < v->count; i++)
            n += ((const lh_sv_t *)v->data)[i].len;
    return n;
}
