/*
 * hashmap.h - the one hash map of the daemon: void* keys and values, behaviour from a
 * type vtable (hash, equal, free key, free value), hashed with xxHash (XXH3).
 *
 * Design: open addressing with linear probing over a power-of-two table of entries
 * {hash, key, value} plus a control byte (empty / full / deleted). A removal leaves a
 * tombstone so later probes still find keys placed past it; the table is rebuilt (same
 * size when tombstones dominate, double otherwise) before used slots pass 3/4, so a probe
 * always ends at an empty slot. The stored 64-bit hash is compared before the key.
 *
 * Ownership: on a successful put the map owns key and value and releases them through
 * the type's free_key / free_value (NULL = not owned) on remove, replace, clear and
 * destroy. Putting a key already present keeps the stored key, frees the new one and
 * replaces (and frees) the old value.
 *
 * Thread-safety: none. A map is plain data; callers serialize every call (including
 * lookups, which do not modify the map but must not race a put or remove).
 *
 * Iteration: `size_t it = 0; void *k, *v; while (lh_hashmap_next(m, &it, &k, &v)) ...`
 * in table order (unspecified). Removing the entry just returned is allowed during the
 * loop (removal never moves entries); putting is not.
 *
 * Ready-made types: LH_HASHMAP_STR (NUL-terminated char * keys compared by text) and
 * LH_HASHMAP_INT64 (int64 keys carried in the pointer: LH_HKEY_INT / LH_HKEY_TO_INT),
 * neither owning anything. For owned keys or values declare a type with the ready-made
 * hash/equal functions and your own free functions.
 */
#ifndef LH_COMMON_HASHMAP_H
#define LH_COMMON_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef struct lh_hashmap_type {
    uint64_t (*hash)(const void *key);
    bool (*equal)(const void *a, const void *b);
    void (*free_key)(void *key);     /* NULL: keys are not owned by the map */
    void (*free_value)(void *value); /* NULL: values are not owned by the map */
} lh_hashmap_type;

typedef struct lh_hashmap lh_hashmap_t;

/* Ready-made hash/equal pairs. */
uint64_t lh_hash_bytes(const void *data, size_t size);
uint64_t lh_hash_str(const void *key);
bool lh_equal_str(const void *a, const void *b);
uint64_t lh_hash_int64(const void *key);
bool lh_equal_int64(const void *a, const void *b);

/* int64 keys travel in the pointer itself (64-bit pointers are required). */
#define LH_HKEY_INT(v)    ((void *)(intptr_t)(int64_t)(v))
#define LH_HKEY_TO_INT(k) ((int64_t)(intptr_t)(k))

extern const lh_hashmap_type LH_HASHMAP_STR;   /* char * keys, nothing owned */
extern const lh_hashmap_type LH_HASHMAP_INT64; /* LH_HKEY_INT keys, nothing owned */

/* A new empty map sized for about capacity_hint entries (0 = small). The type must
 * outlive the map. NULL when out of memory. */
lh_hashmap_t *lh_hashmap_create(const lh_hashmap_type *type, size_t capacity_hint);
/* Free every owned key and value, then the map. NULL is ignored. */
void lh_hashmap_destroy(lh_hashmap_t *m);
/* Remove every entry (freeing owned ones); the table keeps its size. */
void lh_hashmap_clear(lh_hashmap_t *m);

size_t lh_hashmap_count(const lh_hashmap_t *m);

/* The value stored for key, or NULL when absent (use lh_hashmap_find for NULL values). */
void *lh_hashmap_get(const lh_hashmap_t *m, const void *key);
/* True when key is present; *value_out (if non-NULL) receives its value. */
bool lh_hashmap_find(const lh_hashmap_t *m, const void *key, void **value_out);

/* Insert or replace (see Ownership). LH_E_NOMEM when the table cannot grow; then nothing
 * changed and key/value still belong to the caller. */
lh_err lh_hashmap_put(lh_hashmap_t *m, void *key, void *value, lh_errbuf *eb);

/* Insert only when key is absent: *added tells which. When present nothing changes and
 * key/value stay the caller's (set semantics: a map with NULL values is a set). */
lh_err lh_hashmap_put_new(lh_hashmap_t *m, void *key, void *value, bool *added, lh_errbuf *eb);

/* Remove key, freeing the owned key and value. False when absent. */
bool lh_hashmap_remove(lh_hashmap_t *m, const void *key);
/* Remove key without freeing: the stored key and value go to the caller (either out
 * pointer may be NULL, then that part is freed as on remove). False when absent. */
bool lh_hashmap_take(lh_hashmap_t *m, const void *key, void **key_out, void **value_out);

/* Next entry at or after *it (start with 0): true and the entry's key/value (either out
 * pointer may be NULL), advancing *it; false at the end. */
bool lh_hashmap_next(const lh_hashmap_t *m, size_t *it, void **key_out, void **value_out);

#endif
