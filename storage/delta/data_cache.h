/*
 * data_cache.h - decoded Parquet column chunks kept in memory (Databricks' disk cache, in
 * RAM): a size-bounded LRU of one row group's column of one data file, as the Delta reader
 * decodes it (file type, flat vector).
 *
 * Key: the file's identity, not the snapshot's: the object store's id + the file's key +
 * its size and modification time (a rewritten file with the same name misses), + row group
 * + column index in the file's flat schema. Delta files are immutable, so an entry never
 * goes stale; a table that is rewritten leaves old entries to age out of the LRU.
 *
 * Entries are shared read-only by every reader that hits them: a hit takes a reference
 * that the reader gives back (lh_data_cache_release) when it moves to the next row group.
 * Eviction unlinks the least recently used entries until the total fits; an unlinked entry
 * still referenced is freed by its last release. Thread-safe: one mutex guards the map,
 * the LRU list and the counters (held for O(1) work per call, never while decoding).
 */
#ifndef LH_STORAGE_DELTA_DATA_CACHE_H
#define LH_STORAGE_DELTA_DATA_CACHE_H

#include <stdint.h>

#include "common/vec.h"

typedef struct lh_data_cache lh_data_cache_t;
typedef struct lh_data_cache_entry lh_data_cache_entry_t;

typedef struct lh_data_cache_key {
    const char *file; /* object store id + "/" + file key */
    int64_t size_bytes, mtime_ms;
    int row_group, column;
} lh_data_cache_key_t;

typedef struct lh_data_cache_stats {
    uint64_t hits, misses, inserts, evictions;
    int64_t bytes, bytes_max, entries;
} lh_data_cache_stats_t;

/* A cache holding at most bytes_max bytes of decoded data (> 0). NULL on no memory. */
lh_data_cache_t *lh_data_cache_create(int64_t bytes_max);
/* Frees every entry; no reference may be outstanding. NULL-safe. */
void lh_data_cache_destroy(lh_data_cache_t *c);

/* The cached vector of key (a new reference in *ref), or NULL (a miss, counted). */
const lh_vec_t *lh_data_cache_get(lh_data_cache_t *c, const lh_data_cache_key_t *key,
                                  lh_data_cache_entry_t **ref);
/* Hand a freshly decoded vector to the cache. It takes ownership of v in every case and
 * answers v's shared copy with a reference in *ref (also when v is larger than the whole
 * cache: the entry then lives only while referenced). NULL only when out of memory (v is
 * freed then). If another thread inserted the same key meanwhile, its entry is answered. */
const lh_vec_t *lh_data_cache_put(lh_data_cache_t *c, const lh_data_cache_key_t *key, lh_vec_t *v,
                                  lh_data_cache_entry_t **ref);
/* Give back a reference from get or put. NULL-safe. */
void lh_data_cache_release(lh_data_cache_t *c, lh_data_cache_entry_t *ref);

void lh_data_cache_get_stats(lh_data_cache_t *c, lh_data_cache_stats_t *out);

/* Bytes a decoded vector holds (values, validity, string bytes): what an entry costs. */
int64_t lh_data_cache_vec_bytes(const lh_vec_t *v);

#endif
