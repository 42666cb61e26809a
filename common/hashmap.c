/*
 * hashmap.c - open addressing, linear probing, tombstones; see hashmap.h for the contract.
 *
 * Invariants (checked by the unit test through the public API):
 *   - cap is a power of two >= MIN_CAP; count + deleted < cap, so a probe always meets an
 *     EMPTY slot and terminates;
 *   - (count + deleted) * 4 <= cap * 3 after every put (grow or rebuild before);
 *   - an entry's slot is reachable from hash & (cap - 1) through FULL or DELETED slots.
 */
#include "common/hashmap.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

_Static_assert(sizeof(void *) >= sizeof(int64_t), "LH_HKEY_INT needs 64-bit pointers");

#define MIN_CAP 8

enum { SLOT_EMPTY = 0, SLOT_FULL = 1, SLOT_DELETED = 2 };

typedef struct entry {
    uint64_t hash;
    void *key;
    void *value;
} entry;

struct lh_hashmap {
    const lh_hashmap_type *type;
    entry *entries;
    uint8_t *ctrl;
    size_t cap;     /* power of two */
    size_t count;   /* FULL slots */
    size_t deleted; /* DELETED slots (tombstones) */
};

uint64_t lh_hash_bytes(const void *data, size_t size)
{
    return XXH3_64bits(data, size);
}

uint64_t lh_hash_str(const void *key)
{
    return XXH3_64bits(key, strlen(key));
}

bool lh_equal_str(const void *a, const void *b)
{
    return strcmp(a, b) == 0;
}

uint64_t lh_hash_int64(const void *key)
{
    int64_t v = LH_HKEY_TO_INT(key);
    return XXH3_64bits(&v, sizeof v);
}

bool lh_equal_int64(const void *a, const void *b)
{
    return a == b;
}

const lh_hashmap_type LH_HASHMAP_STR = {lh_hash_str, lh_equal_str, NULL, NULL};
const lh_hashmap_type LH_HASHMAP_INT64 = {lh_hash_int64, lh_equal_int64, NULL, NULL};

static bool alloc_table(lh_hashmap_t *m, size_t cap)
{
    entry *e = calloc(cap, sizeof *e);
    uint8_t *c = calloc(cap, 1);
    if (e == NULL || c == NULL) {
        free(e);
        free(c);
        return false;
    }
    m->entries = e;
    m->ctrl = c;
    m->cap = cap;
    m->count = 0;
    m->deleted = 0;
    return true;
}

lh_hashmap_t *lh_hashmap_create(const lh_hashmap_type *type, size_t capacity_hint)
{
    LH_ASSERT(type != NULL && type->hash != NULL && type->equal != NULL);
    size_t cap = MIN_CAP;
    while (cap / 4 * 3 < capacity_hint && cap < SIZE_MAX / 4)
        cap *= 2;
    lh_hashmap_t *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->type = type;
    if (!alloc_table(m, cap)) {
        free(m);
        return NULL;
    }
    return m;
}

static void free_entry(const lh_hashmap_t *m, entry *e)
{
    if (m->type->free_key != NULL)
        m->type->free_key(e->key);
    if (m->type->free_value != NULL)
        m->type->free_value(e->value);
}

void lh_hashmap_clear(lh_hashmap_t *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        if (m->ctrl[i] == SLOT_FULL)
            free_entry(m, &m->entries[i]);
    }
    memset(m->ctrl, SLOT_EMPTY, m->cap);
    m->count = 0;
    m->deleted = 0;
}

void lh_hashmap_destroy(lh_hashmap_t *m)
{
    if (m == NULL)
        return;
    lh_hashmap_clear(m);
    free(m->entries);
    free(m->ctrl);
    free(m);
}

size_t lh_hashmap_count(const lh_hashmap_t *m)
{
    return m->count;
}

/* Slot holding key, or SIZE_MAX. */
static size_t find_slot(const lh_hashmap_t *m, const void *key, uint64_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        if (m->ctrl[i] == SLOT_EMPTY)
            return SIZE_MAX;
        if (m->ctrl[i] == SLOT_FULL && m->entries[i].hash == h &&
            m->type->equal(m->entries[i].key, key))
            return i;
    }
}

bool lh_hashmap_find(const lh_hashmap_t *m, const void *key, void **value_out)
{
    size_t i = find_slot(m, key, m->type->hash(key));
    if (i == SIZE_MAX)
        return false;
    if (value_out != NULL)
        *value_out = m->entries[i].value;
    return true;
}

void *lh_hashmap_get(const lh_hashmap_t *m, const void *key)
{
    void *v = NULL;
    return lh_hashmap_find(m, key, &v) ? v : NULL;
}

/* Place an entry known to be absent (first EMPTY or DELETED slot of its probe). */
static void place(lh_hashmap_t *m, uint64_t h, void *key, void *value)
{
    size_t mask = m->cap - 1;
    size_t i = h & mask;
    while (m->ctrl[i] == SLOT_FULL)
        i = (i + 1) & mask;
    if (m->ctrl[i] == SLOT_DELETED)
        m->deleted--;
    m->ctrl[i] = SLOT_FULL;
    m->entries[i] = (entry){h, key, value};
    m->count++;
}

/* Rebuild into a table of new_cap slots, dropping tombstones. */
static bool rehash(lh_hashmap_t *m, size_t new_cap)
{
    lh_hashmap_t old = *m;
    if (!alloc_table(m, new_cap)) {
        *m = old;
        return false;
    }
    for (size_t i = 0; i < old.cap; i++) {
        if (old.ctrl[i] == SLOT_FULL)
            place(m, old.entries[i].hash, old.entries[i].key, old.entries[i].value);
    }
    free(old.entries);
    free(old.ctrl);
    return true;
}

/* Make room for one more entry: keep used slots at most 3/4 of the table. */
static bool reserve_one(lh_hashmap_t *m)
{
    if ((m->count + m->deleted + 1) * 4 <= m->cap * 3)
        return true;
    if ((m->count + 1) * 2 <= m->cap) /* mostly tombstones: rebuild at the same size */
        return rehash(m, m->cap);
    if (m->cap > SIZE_MAX / 2 / sizeof(entry))
        return false;
    return rehash(m, m->cap * 2);
}

lh_err lh_hashmap_put(lh_hashmap_t *m, void *key, void *value, lh_errbuf *eb)
{
    uint64_t h = m->type->hash(key);
    size_t i = find_slot(m, key, h);
    if (i != SIZE_MAX) {
        entry *e = &m->entries[i];
        if (m->type->free_key != NULL && e->key != key)
            m->type->free_key(key);
        if (m->type->free_value != NULL && e->value != value)
            m->type->free_value(e->value);
        e->value = value;
        return LH_OK;
    }
    LH_FAIL_IF(!reserve_one(m), LH_E_NOMEM, eb, "out of memory growing a hash map");
    place(m, h, key, value);
    return LH_OK;
}

lh_err lh_hashmap_put_new(lh_hashmap_t *m, void *key, void *value, bool *added, lh_errbuf *eb)
{
    uint64_t h = m->type->hash(key);
    *added = false;
    if (find_slot(m, key, h) != SIZE_MAX)
        return LH_OK;
    LH_FAIL_IF(!reserve_one(m), LH_E_NOMEM, eb, "out of memory growing a hash map");
    place(m, h, key, value);
    *added = true;
    return LH_OK;
}

bool lh_hashmap_take(lh_hashmap_t *m, const void *key, void **key_out, void **value_out)
{
    size_t i = find_slot(m, key, m->type->hash(key));
    if (i == SIZE_MAX)
        return false;
    entry e = m->entries[i];
    m->ctrl[i] = SLOT_DELETED;
    m->entries[i] = (entry){0};
    m->count--;
    m->deleted++;
    if (key_out != NULL)
        *key_out = e.key;
    else if (m->type->free_key != NULL)
        m->type->free_key(e.key);
    if (value_out != NULL)
        *value_out = e.value;
    else if (m->type->free_value != NULL)
        m->type->free_value(e.value);
    return true;
}

bool lh_hashmap_remove(lh_hashmap_t *m, const void *key)
{
    return lh_hashmap_take(m, key, NULL, NULL);
}

bool lh_hashmap_next(const lh_hashmap_t *m, size_t *it, void **key_out, void **value_out)
{
    for (size_t i = *it; i < m->cap; i++) {
        if (m->ctrl[i] == SLOT_FULL) {
            if (key_out != NULL)
                *key_out = m->entries[i].key;
            if (value_out != NULL)
                *value_out = m->entries[i].value;
            *it = i + 1;
            return true;
        }
    }
    *it = m->cap;
    return false;
}
