/*
 * objstore.h - a small object-store interface (keys -> immutable byte objects).
 *
 * Keys are '/'-separated relative paths ("t1/_delta_log/00000000000000000000.json").
 * Absolute keys, empty segments and "." / ".." segments are refused with LH_E_INVALID.
 *
 * Semantics every implementation provides:
 *   - put:            atomic replace (readers see the old or the new object, never a mix);
 *   - put_if_absent:  atomic create; LH_E_EXISTS when the key exists (the Delta commit
 *                     primitive: exactly one of N racing writers wins);
 *   - writer:         streaming upload; invisible until commit, which is atomic replace;
 *   - list:           every object whose key starts with prefix (recursive), sorted
 *                     bytewise by key, with size and mtime;
 *   - get of a missing key is LH_E_NOT_FOUND; I/O failures are LH_E_IO.
 *
 * The local implementation (local.c) roots keys at a directory: put = tmp + fsync +
 * rename; put_if_absent = tmp + fsync + link() (EEXIST -> LH_E_EXISTS) + unlink tmp +
 * fsync dir. Temporary files are named ".tmp-<random>" beside the target; list skips them.
 *
 * Fault injection: lh_objstore_fail_nth(os, n) makes the n-th mutating call from now
 * (put, put_if_absent, delete, writer commit; 1-based) fail with LH_E_IO before it
 * changes anything. Counting is atomic, so it is usable from concurrent tests.
 *
 * Threading: an lh_objstore_t is thread-safe (no shared mutable state but the fault
 * counter). A writer belongs to one thread.
 */
#ifndef LH_STORAGE_OBJSTORE_H
#define LH_STORAGE_OBJSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/bytes.h"

typedef struct lh_objstore lh_objstore_t;
typedef struct lh_obj_writer lh_obj_writer_t;

typedef struct lh_obj_info {
    char *key; /* malloc'd (in lists) or NULL (from stat) */
    uint64_t size_bytes;
    int64_t mtime_ms; /* milliseconds since the epoch */
} lh_obj_info_t;

typedef struct lh_obj_list {
    size_t count;
    lh_obj_info_t *items; /* sorted by key */
} lh_obj_list_t;

/* Create a store rooted at directory root (created if missing). The store owns a copy of
 * the root's real path. Errors: LH_E_IO, LH_E_NOMEM. */
lh_err lh_objstore_local_create(const char *root, lh_objstore_t **out, lh_errbuf *eb);
void lh_objstore_destroy(lh_objstore_t *os);

/* A stable identity string, e.g. "file:/abs/root" (owned by os). Two stores with the same
 * identity address the same objects (used to share per-table locks). */
const char *lh_objstore_id(const lh_objstore_t *os);
/* For local stores: the filesystem path of key into buf; LH_E_UNSUPPORTED otherwise. */
lh_err lh_objstore_local_path(const lh_objstore_t *os, const char *key, char *buf, size_t buf_size,
                              lh_errbuf *eb);

/* Whole object into a malloc'd buffer (*out_bytes, NUL-terminated for convenience; the
 * terminator is not counted in *out_len). Caller frees. */
lh_err lh_objstore_get(lh_objstore_t *os, const char *key, uint8_t **out_bytes, size_t *out_len,
                       lh_errbuf *eb);
/* Exactly len bytes at offset into buf; LH_E_CORRUPT on a short object. */
lh_err lh_objstore_get_range(lh_objstore_t *os, const char *key, uint64_t offset, void *buf,
                             size_t len, lh_errbuf *eb);
/* Atomic create-or-replace. */
lh_err lh_objstore_put(lh_objstore_t *os, const char *key, const void *bytes, size_t len,
                       lh_errbuf *eb);
/* Atomic create; LH_E_EXISTS (no change) when key exists. */
lh_err lh_objstore_put_if_absent(lh_objstore_t *os, const char *key, const void *bytes, size_t len,
                                 lh_errbuf *eb);
/* Objects whose key starts with prefix ("" = all), sorted. Free with lh_obj_list_free.
 * A missing directory yields an empty list. */
lh_err lh_objstore_list(lh_objstore_t *os, const char *prefix, lh_obj_list_t *out, lh_errbuf *eb);
void lh_obj_list_free(lh_obj_list_t *l);
/* Delete; LH_E_NOT_FOUND when absent. Empty parent directories are left in place. */
lh_err lh_objstore_delete(lh_objstore_t *os, const char *key, lh_errbuf *eb);
/* Size and mtime of one object (out->key is left NULL). LH_E_NOT_FOUND when absent. */
lh_err lh_objstore_stat(lh_objstore_t *os, const char *key, lh_obj_info_t *out, lh_errbuf *eb);

/* Streaming writer: bytes go to a temporary object; commit makes key appear atomically
 * (replacing any existing object); abort (or destroy without commit) discards them.
 * lh_obj_writer_commit and _abort both free w. */
lh_err lh_objstore_open_write(lh_objstore_t *os, const char *key, lh_obj_writer_t **out,
                              lh_errbuf *eb);
lh_err lh_obj_writer_write(lh_obj_writer_t *w, const void *bytes, size_t len, lh_errbuf *eb);
uint64_t lh_obj_writer_bytes(const lh_obj_writer_t *w);
lh_err lh_obj_writer_commit(lh_obj_writer_t *w, lh_errbuf *eb);
void lh_obj_writer_abort(lh_obj_writer_t *w);
/* A byte sink writing into w (w must outlive the sink; flush is a no-op, commit syncs). */
lh_byte_sink_t lh_obj_writer_sink(lh_obj_writer_t *w);

/* A byte source over one object (local: lh_bytes_source_open_file). The source is
 * handed to lh_pq_open, which owns and closes it. */
lh_err lh_objstore_open_source(lh_objstore_t *os, const char *key, lh_byte_source_t *out,
                               lh_errbuf *eb);

/* Fault injection (tests): the n-th mutating call from now fails with LH_E_IO; 0 disarms. */
void lh_objstore_fail_nth(lh_objstore_t *os, int64_t n);

/* ---- implementation interface (for other backends, e.g. S3) --------------------------- */

typedef struct lh_objstore_vtbl {
    lh_err (*get)(lh_objstore_t *os, const char *key, uint8_t **out, size_t *len, lh_errbuf *eb);
    lh_err (*get_range)(lh_objstore_t *os, const char *key, uint64_t off, void *buf, size_t len,
                        lh_errbuf *eb);
    lh_err (*put)(lh_objstore_t *os, const char *key, const void *b, size_t len, bool if_absent,
                  lh_errbuf *eb);
    lh_err (*list)(lh_objstore_t *os, const char *prefix, lh_obj_list_t *out, lh_errbuf *eb);
    lh_err (*del)(lh_objstore_t *os, const char *key, lh_errbuf *eb);
    lh_err (*stat)(lh_objstore_t *os, const char *key, lh_obj_info_t *out, lh_errbuf *eb);
    lh_err (*open_write)(lh_objstore_t *os, const char *key, lh_obj_writer_t **out, lh_errbuf *eb);
    lh_err (*open_source)(lh_objstore_t *os, const char *key, lh_byte_source_t *out, lh_errbuf *eb);
    void (*destroy)(lh_objstore_t *os);
} lh_objstore_vtbl_t;

/* Validate a key (shared by backends): LH_E_INVALID for absolute / '..' / empty segments. */
lh_err lh_objstore_check_key(const char *key, bool allow_empty, lh_errbuf *eb);

#endif
