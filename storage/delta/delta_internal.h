/*
 * delta_internal.h - shared internals of storage/delta (not for other modules).
 *
 * File map:
 *   actions.c        action structs: JSON parse/validate/serialize, copy, free, maps
 *   schema.c         schemaString <-> lh_schema_t, path URI/Hive escaping
 *   log.c            _delta_log listing, _last_checkpoint, commit timestamps
 *   checkpoint_read.c / checkpoint_write.c   classic Parquet checkpoints
 *   snapshot.c       replay + reconciliation, protocol gate, time travel, accessors
 *   table.c          table handles and the per-table commit-lock registry
 *   commit.c         transactions, put-if-absent commit, conflict check
 *   scan.c           partition pruning, stats-based skipping, stats JSON
 *   reader.c / write.c   data file read and write paths (write.c: the push writer below)
 *   rewrite.c        write transactions: file-level rewrite primitives (rewrite.h)
 *   commit_check.c   invariants of staged actions, before serializing and after read-back
 */
#ifndef LH_STORAGE_DELTA_INTERNAL_H
#define LH_STORAGE_DELTA_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

#include "storage/delta/delta.h"

#define LH_DELTA_LOG_DIR "_delta_log"

/* ---- actions.c ---- */
/* Parse m->schema_string (absent on read = empty struct) into schema/primitive_schema. */
lh_err lh_delta_metadata_parse_schema(lh_delta_metadata_t *m, lh_errbuf *eb);
void lh_delta_map_free(lh_delta_map_t *m);
lh_err lh_delta_map_copy(const lh_delta_map_t *src, lh_delta_map_t *dst);
lh_err lh_delta_map_set(lh_delta_map_t *m, const char *key, const char *value);
lh_err lh_delta_protocol_copy(const lh_delta_protocol_t *src, lh_delta_protocol_t *dst);
void lh_delta_protocol_clear(lh_delta_protocol_t *p);
lh_err lh_delta_remove_copy(const lh_delta_remove_t *src, lh_delta_remove_t *dst);
void lh_delta_add_clear(lh_delta_add_t *a);
void lh_delta_remove_clear(lh_delta_remove_t *r);
lh_err lh_delta_action_copy(const lh_delta_action_t *src, lh_delta_action_t *dst);
lh_err lh_delta_actions_push(lh_delta_actions_t *a, const lh_delta_action_t *act);
/* Validate required fields (both before writing and after reading). code picks
 * LH_E_INVALID (writing) or LH_E_CORRUPT (reading). */
lh_err lh_delta_action_validate(const lh_delta_action_t *a, lh_err code, int64_t version,
                                lh_errbuf *eb);
/* One action as a JSON object (for serialization); NULL on allocation failure. */
json_t *lh_delta_action_to_json(const lh_delta_action_t *a);

/* ---- schema.c ---- */
/* Canonical file identity, in place: "file:///x" and "file:/x" become "/x" (the same file
 * Spark qualifies both to). Other paths are unchanged. */
void lh_delta_path_canonicalize(char *path);
bool lh_delta_schema_has_unsupported_metadata(const char *schema_string, bool enforcing,
                                              const char **what);

/* ---- log.c ---- */
typedef struct lh_delta_log_file {
    int64_t version;
    int kind; /* LOG_COMMIT, LOG_CHECKPOINT (classic), LOG_CHECKPOINT_PART, LOG_CHECKPOINT_V2 */
    int part, parts;
    char *key;
    int64_t mtime_ms;
} lh_delta_log_file_t;

enum { LOG_COMMIT = 1, LOG_CHECKPOINT, LOG_CHECKPOINT_PART, LOG_CHECKPOINT_V2 };

typedef struct lh_delta_log_listing {
    size_t count;
    lh_delta_log_file_t *files; /* sorted by (version, kind, part) */
} lh_delta_log_listing_t;

/* List _delta_log files with version >= from_version. */
lh_err lh_delta_log_list(lh_delta_table_t *t, int64_t from_version, lh_delta_log_listing_t *out,
                         lh_errbuf *eb);
void lh_delta_log_listing_free(lh_delta_log_listing_t *l);
/* Parse _last_checkpoint; false when missing or corrupt. */
bool lh_delta_last_checkpoint(lh_delta_table_t *t, int64_t *version, int *parts);
char *lh_delta_commit_key(const lh_delta_table_t *t, int64_t version);
/* Commit timestamp of version (commitInfo.timestamp, else mtime), not monotonized. */
lh_err lh_delta_commit_timestamp(lh_delta_table_t *t, const lh_delta_log_file_t *f, int64_t *out,
                                 lh_errbuf *eb);

/* ---- checkpoint_read.c ---- */
/* Append the actions of checkpoint part key (protocol, metaData, add, remove, txn, domain). */
lh_err lh_delta_checkpoint_read(lh_delta_table_t *t, const char *key, lh_delta_actions_t *out,
                                lh_errbuf *eb);

/* ---- table.c ---- */
struct lh_delta_table {
    lh_objstore_t *os;
    char *root;    /* "" or "a/b" (no trailing '/') */
    char *log_dir; /* "_delta_log" or "a/b/_delta_log" */
    struct lh_delta_lock *lock;
};

pthread_mutex_t *lh_delta_table_mutex(lh_delta_table_t *t);

/* ---- commit.c ---- */
/* Nothing staged at all: no add, remove, txn, domainMetadata, metaData or protocol. */
bool lh_delta_txn_is_empty(const lh_delta_txn_t *x);

/* ---- write.c: the push side of lh_delta_write_files ---- */
typedef struct lh_delta_file_writer lh_delta_file_writer_t;

/* A writer of new data files for x, fed batches whose columns are named by batch_schema
 * (checked as lh_delta_write_files does; merge_schema may stage a metaData update). The
 * schema must outlive the writer. opts NULL = defaults. */
lh_err lh_delta_file_writer_open(lh_delta_txn_t *x, const lh_schema_t *batch_schema,
                                 const lh_delta_write_opts_t *opts, lh_delta_file_writer_t **out,
                                 lh_errbuf *eb);
/* Write rows[0..row_count) of b (row indices, through b's vectors' selections), or every
 * row when rows is NULL. A file reaching target_file_rows is closed and its add staged. */
lh_err lh_delta_file_writer_write(lh_delta_file_writer_t *fw, const lh_batch_t *b,
                                  const uint32_t *rows, size_t row_count, lh_errbuf *eb);
/* Close the open files (staging their adds) and free fw, also on error. */
lh_err lh_delta_file_writer_close(lh_delta_file_writer_t *fw, lh_errbuf *eb);
/* Discard the open files (closed ones stay staged) and free fw. NULL is a no-op. */
void lh_delta_file_writer_abort(lh_delta_file_writer_t *fw);

/* ---- commit_check.c ---- */
/* Assert the invariants of a commit's staged add/remove actions before they are
 * serialized: adds have relative, non-empty paths, positive sizes, stats consistent with
 * themselves and partition values matching md's partition columns and types, and are not
 * live in s; removes name a live file of s (s NULL: creating) with its size; no path is
 * both added and removed. A violation is a programmer error: LH_ASSERT. */
void lh_delta_check_staged(const lh_delta_snapshot_t *s, const lh_delta_metadata_t *md,
                           const lh_delta_actions_t *staged);
/* Read version back and assert it holds exactly the staged add/remove actions (same order,
 * paths, sizes, dataChange, stats, partition values) with the same per-action checks, and
 * commitInfo.operation == operation. An I/O error reading it is logged, not raised (the
 * commit has happened). */
void lh_delta_check_committed(lh_delta_table_t *t, int64_t version, const lh_delta_snapshot_t *s,
                              const lh_delta_metadata_t *md, const lh_delta_actions_t *staged,
                              const char *operation);

/* ---- snapshot.c ---- */
typedef struct lh_delta_app_entry {
    char *app_id;
    int64_t version;
} lh_delta_app_entry_t;

struct lh_delta_snapshot {
    _Atomic int refs;
    int64_t version;
    int64_t timestamp_ms;
    lh_delta_protocol_t protocol;
    lh_delta_metadata_t metadata;
    size_t file_count;
    lh_delta_add_t *files;
    size_t tombstone_count;
    lh_delta_remove_t *tombstones;
    size_t app_count;
    lh_delta_app_txn_t *apps;
    size_t domain_count;
    lh_delta_domain_t *domains;
};

/* Protocol gate for reading. */
lh_err lh_delta_protocol_check_read(const lh_delta_protocol_t *p, lh_errbuf *eb);
lh_err lh_delta_protocol_check_write(const lh_delta_protocol_t *p, lh_errbuf *eb);

#endif
