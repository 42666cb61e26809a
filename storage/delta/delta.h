/*
 * delta.h - Delta Lake tables: log replay, snapshots, commits, checkpoints, scans, writes
 * (public contract of storage/delta). Protocol facts: shared/reference/formats.md §2.
 *
 * Objects and owners:
 *   lh_delta_table_t     a handle on one table root inside an object store. Thread-safe.
 *                        Handles for the same (store identity, root) share one in-process
 *                        commit mutex (a process-wide registry; see table.c).
 *   lh_delta_snapshot_t  the immutable state of the table at one version: protocol,
 *                        metadata, live files (sorted by path), tombstones, app txns,
 *                        domains. Refcounted atomically; any thread may read it.
 *   lh_delta_txn_t       one optimistic transaction; belongs to one thread.
 *   lh_delta_reader_t    reads one data file as batches; belongs to one thread.
 * Every struct returned by pointer from a snapshot or txn is owned by it (never free it).
 *
 * Reading (log.c, snapshot.c): newest checkpoint <= target (from _last_checkpoint, or by
 * listing when the hint is missing or corrupt), then commits checkpoint+1..target, which
 * must be contiguous (a gap is LH_E_CORRUPT). A snapshot lacking protocol or metaData is
 * LH_E_CORRUPT. The protocol gate runs before a snapshot is returned: reader version 1,
 * or 3 with only supported readerFeatures (timestampNtz, vacuumProtocolCheck); otherwise
 * LH_E_UNSUPPORTED with a message naming the feature ("deletionVectors", "columnMapping",
 * "v2Checkpoint", ...). Columns of every Delta type but variant and user-defined ones are
 * read, ARRAY/MAP/STRUCT ones as common/nested.h values; a column of another type keeps the
 * table listable (metadata.schema NULL, unreadable_column names it), and reading its data
 * through lh_delta_reader is LH_E_UNSUPPORTED.
 *
 * Writing (commit.c): begin from a snapshot (read version R), stage actions, commit =
 * put-if-absent of _delta_log/<R+1>.json; on LH_E_EXISTS the conflict check runs over the
 * winning commits and the commit retries at the next version or fails with LH_E_CONFLICT
 * and errbuf->error_code naming the Delta exception ("ConcurrentAppendException", ...).
 * Writes need a (1,2)-compatible table: reader version 1 and writer version <= 2 (or 7 with
 * only appendOnly/invariants), no column invariants/generation/identity/CHECK constraints.
 * Before serializing, every staged add/remove is asserted well-formed, and the committed
 * version is read back and asserted equal to what was staged (commit_check.c).
 * File-level rewrites (the engine/storage boundary) are in rewrite.h.
 *
 * Errors: LH_E_NOT_FOUND (no _delta_log / version not found), LH_E_CORRUPT (malformed log),
 * LH_E_UNSUPPORTED (features), LH_E_INVALID (bad arguments, schema mismatch), LH_E_CONFLICT,
 * LH_E_IO, LH_E_NOMEM. Functions taking a table block on object-store I/O; none retain
 * the errbuf. Unless stated, out-parameters are untouched or zeroed on error.
 */
#ifndef LH_STORAGE_DELTA_H
#define LH_STORAGE_DELTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/vec.h"
#include "storage/objstore/objstore.h"
#include "storage/parquet/parquet.h"

#define LH_DELTA_CHECKPOINT_INTERVAL 10  /* default delta.checkpointInterval */
#define LH_DELTA_STATS_COLS          32  /* default delta.dataSkippingNumIndexedCols */
#define LH_DELTA_COMMIT_RETRIES      100 /* put-if-absent attempts before LH_E_CONFLICT */

/* ---- actions (formats.md §2.2) -------------------------------------------------------- */

/* A string map; value NULL = JSON null. Keys unique. */
typedef struct lh_delta_kv {
    char *key;
    char *value;
} lh_delta_kv_t;

typedef struct lh_delta_map {
    int count;
    lh_delta_kv_t *items;
} lh_delta_map_t;

/* Value for key (NULL when absent or null); *found tells them apart (may be NULL). */
const char *lh_delta_map_get(const lh_delta_map_t *m, const char *key, bool *found);

typedef struct lh_delta_protocol {
    int32_t min_reader_version;
    int32_t min_writer_version;
    int reader_feature_count; /* -1 when readerFeatures is absent */
    char **reader_features;
    int writer_feature_count; /* -1 when absent */
    char **writer_features;
} lh_delta_protocol_t;

typedef struct lh_delta_metadata {
    char *id; /* required */
    char *name;
    char *description;
    char *format_provider; /* required, "parquet" */
    lh_delta_map_t format_options;
    char *schema_string; /* required: the raw JSON */
    /* Parsed schema (nested types as common/nested.h descriptors), or NULL when a column has
     * a type we cannot represent (then unreadable_column names the first one, e.g. a variant
     * column; such tables can list files but not read data). */
    lh_schema_t *schema;
    char *unreadable_column;
    /* The top-level columns that are neither nested nor unreadable: enough for partition
     * pruning and data skipping. Never NULL after parse. */
    lh_schema_t *primitive_schema;
    int partition_column_count;
    char **partition_columns;
    lh_delta_map_t configuration;
    bool has_created_time;
    int64_t created_time_ms;
} lh_delta_metadata_t;

/* An add action. path is the URI-decoded path (the file identity, relative to the table
 * root unless it carries a scheme); it is URI-encoded again when written to the log. */
typedef struct lh_delta_add {
    char *path;
    lh_delta_map_t partition_values;
    int64_t size_bytes;
    int64_t modification_time_ms;
    bool data_change;
    char *stats; /* raw stats JSON, or NULL */
    lh_delta_map_t tags;
    bool has_deletion_vector; /* a DV-bearing add (refused by the protocol gate anyway) */
} lh_delta_add_t;

typedef struct lh_delta_remove {
    char *path; /* decoded, like lh_delta_add_t.path */
    bool has_deletion_timestamp;
    int64_t deletion_timestamp_ms;
    bool data_change;
    bool extended_file_metadata; /* true => partition_values and size_bytes present */
    lh_delta_map_t partition_values;
    bool has_size;
    int64_t size_bytes;
    char *stats;
    lh_delta_map_t tags;
} lh_delta_remove_t;

/* SetTransaction ("txn"): idempotent-write marker per application id. */
typedef struct lh_delta_app_txn {
    char *app_id;
    int64_t version;
    bool has_last_updated;
    int64_t last_updated_ms;
} lh_delta_app_txn_t;

typedef struct lh_delta_domain {
    char *domain;
    char *configuration;
    bool removed;
} lh_delta_domain_t;

/* commitInfo is free-form: the raw JSON object plus the fields we use. */
typedef struct lh_delta_commit_info {
    char *json; /* the whole object, serialized */
    bool has_timestamp;
    int64_t timestamp_ms;
    char *operation; /* may be NULL */
    bool has_read_version;
    int64_t read_version;
    bool is_blind_append;
} lh_delta_commit_info_t;

typedef enum lh_delta_action_kind {
    LH_DELTA_PROTOCOL,
    LH_DELTA_METADATA,
    LH_DELTA_ADD,
    LH_DELTA_REMOVE,
    LH_DELTA_TXN,
    LH_DELTA_COMMIT_INFO,
    LH_DELTA_DOMAIN,
    LH_DELTA_CDC, /* kept as an add-shaped record (path, partitionValues, size) */
} lh_delta_action_kind;

typedef struct lh_delta_action {
    lh_delta_action_kind kind;
    union {
        lh_delta_protocol_t protocol;
        lh_delta_metadata_t metadata;
        lh_delta_add_t add; /* ADD and CDC */
        lh_delta_remove_t remove;
        lh_delta_app_txn_t txn;
        lh_delta_commit_info_t commit_info;
        lh_delta_domain_t domain;
    } u;
} lh_delta_action_t;

typedef struct lh_delta_actions {
    size_t count;
    lh_delta_action_t *items;
} lh_delta_actions_t;

/* Parse NDJSON commit content. Unknown actions and fields are ignored; a line that is not
 * a JSON object, or an action missing a required field, is LH_E_CORRUPT (message names the
 * version, when known, and the field). Results are appended to out. */
lh_err lh_delta_actions_parse(const char *ndjson, size_t len, int64_t version,
                              lh_delta_actions_t *out, lh_errbuf *eb);
/* Serialize as NDJSON (one line per action, '\n'-terminated), checking required fields
 * first (LH_E_INVALID). *out is malloc'd, NUL-terminated; caller frees. */
lh_err lh_delta_actions_serialize(const lh_delta_actions_t *a, char **out, size_t *out_len,
                                  lh_errbuf *eb);
void lh_delta_actions_free(lh_delta_actions_t *a);
void lh_delta_action_free(lh_delta_action_t *a);
/* Deep copies (for callers building actions from snapshot data). */
lh_err lh_delta_add_copy(const lh_delta_add_t *src, lh_delta_add_t *dst);
lh_err lh_delta_metadata_copy(const lh_delta_metadata_t *src, lh_delta_metadata_t *dst);

/* schemaString <-> schema. Parse sets *unreadable_column (malloc'd, may be NULL) and leaves
 * *out NULL when a column has a type we cannot represent; *primitive (may be NULL) gets the
 * columns that are not nested. LH_E_CORRUPT if unparsable. Build makes
 * {"type":"struct","fields":[...]} with empty metadata (nested types with containsNull,
 * valueContainsNull and nullable true inside); caller frees. */
lh_err lh_delta_schema_parse(const char *schema_string, lh_schema_t **out, lh_schema_t **primitive,
                             char **unreadable_column, lh_errbuf *eb);
char *lh_delta_schema_to_string(const lh_schema_t *schema);
/* schema_string with the columns of extra appended (existing fields kept as written, with
 * their metadata and inner nullability); malloc'd, NULL when schema_string is not a struct
 * or on allocation failure. */
char *lh_delta_schema_append(const char *schema_string, const lh_schema_t *extra);
/* One Delta type as JSON text ("\"long\"", {"type":"array",...}) -> lh_type_t (interned).
 * LH_E_UNSUPPORTED for variant and user-defined types or nesting beyond
 * LH_TYPE_NESTING_MAX, LH_E_CORRUPT when malformed. */
lh_err lh_delta_type_parse(const char *json_text, lh_type_t *out, lh_errbuf *eb);
/* The Delta JSON text of a type (compact; a quoted name for primitives); malloc'd, NULL on
 * allocation failure. */
char *lh_delta_type_json(lh_type_t t);

/* Fill md for a new table: random id, provider parquet, schemaString from schema, the
 * partition columns (which must exist in schema: LH_E_INVALID), createdTime now. */
lh_err lh_delta_metadata_init(lh_delta_metadata_t *md, const lh_schema_t *schema,
                              const char *const *partition_columns, int partition_column_count,
                              lh_errbuf *eb);
void lh_delta_metadata_clear(lh_delta_metadata_t *md);

/* Path encoding: the log holds URI-encoded paths; Hive partition directories escape
 * values. All return malloc'd strings (NULL on allocation failure / bad escape). */
char *lh_delta_uri_decode(const char *s);
char *lh_delta_uri_encode(const char *s);
char *lh_delta_hive_escape(const char *value); /* NULL value -> __HIVE_DEFAULT_PARTITION__ */

/* ---- tables and snapshots -------------------------------------------------------------- */

typedef struct lh_delta_table lh_delta_table_t;
typedef struct lh_delta_snapshot lh_delta_snapshot_t;

/* A handle on the table at key prefix root ("" = the store root) in os. The store must
 * outlive the handle. Does no I/O (a missing table shows up on the first snapshot). */
lh_err lh_delta_table_open(lh_objstore_t *os, const char *root, lh_delta_table_t **out,
                           lh_errbuf *eb);
void lh_delta_table_close(lh_delta_table_t *t);
lh_objstore_t *lh_delta_table_store(const lh_delta_table_t *t);
const char *lh_delta_table_root(const lh_delta_table_t *t);
/* Key of a table-relative path (decoded) in the store: "<root>/<path>"; malloc'd. */
char *lh_delta_table_key(const lh_delta_table_t *t, const char *path);

/* Newest version number (cheap: lists the log only). LH_E_NOT_FOUND when no commits. */
lh_err lh_delta_latest_version(lh_delta_table_t *t, int64_t *out, lh_errbuf *eb);

/* Snapshots. *out holds one reference; release with lh_delta_snapshot_release.
 * at_version: LH_E_NOT_FOUND if the version does not exist or cannot be recreated (its
 * commits were cleaned up). at_timestamp: the latest version whose commit timestamp
 * (commitInfo.timestamp, else file mtime; monotonized) is <= ts_ms; LH_E_INVALID if ts_ms
 * is before the earliest recreatable commit; after the latest commit gives the latest. */
lh_err lh_delta_snapshot_latest(lh_delta_table_t *t, lh_delta_snapshot_t **out, lh_errbuf *eb);
lh_err lh_delta_snapshot_at_version(lh_delta_table_t *t, int64_t version, lh_delta_snapshot_t **out,
                                    lh_errbuf *eb);
lh_err lh_delta_snapshot_at_timestamp(lh_delta_table_t *t, int64_t ts_ms, lh_delta_snapshot_t **out,
                                      lh_errbuf *eb);
lh_delta_snapshot_t *lh_delta_snapshot_retain(lh_delta_snapshot_t *s);
void lh_delta_snapshot_release(lh_delta_snapshot_t *s);

int64_t lh_delta_snapshot_version(const lh_delta_snapshot_t *s);
int64_t lh_delta_snapshot_timestamp_ms(const lh_delta_snapshot_t *s); /* of its commit */
const lh_delta_protocol_t *lh_delta_snapshot_protocol(const lh_delta_snapshot_t *s);
const lh_delta_metadata_t *lh_delta_snapshot_metadata(const lh_delta_snapshot_t *s);
/* Live files, sorted by path; pointers valid while the snapshot is held. */
size_t lh_delta_snapshot_file_count(const lh_delta_snapshot_t *s);
const lh_delta_add_t *lh_delta_snapshot_file(const lh_delta_snapshot_t *s, size_t i);
/* Tombstones (removes not superseded by a later add), sorted by path. */
size_t lh_delta_snapshot_tombstone_count(const lh_delta_snapshot_t *s);
const lh_delta_remove_t *lh_delta_snapshot_tombstone(const lh_delta_snapshot_t *s, size_t i);
/* Latest txn version for app_id; false when none. */
bool lh_delta_snapshot_app_version(const lh_delta_snapshot_t *s, const char *app_id, int64_t *out);
/* Live (not removed) domain metadata by name, or NULL. */
const lh_delta_domain_t *lh_delta_snapshot_domain(const lh_delta_snapshot_t *s, const char *domain);
/* Whether this process may write to the table (LH_E_UNSUPPORTED naming the reason). */
lh_err lh_delta_snapshot_check_writable(const lh_delta_snapshot_t *s, lh_errbuf *eb);
/* The same for a writer that enforces CHECK constraints itself (constraints allowed). */
lh_err lh_delta_snapshot_check_writable_enforcing(const lh_delta_snapshot_t *s, lh_errbuf *eb);
/* Whether data files can be read (every column's type is known): LH_E_UNSUPPORTED naming the
 * unreadable column otherwise. */
lh_err lh_delta_snapshot_check_readable(const lh_delta_snapshot_t *s, lh_errbuf *eb);

/* Actions of one commit file, in file order (for history, CDF, conflict checks).
 * LH_E_NOT_FOUND when the commit file does not exist. Free with lh_delta_actions_free. */
lh_err lh_delta_read_commit(lh_delta_table_t *t, int64_t version, lh_delta_actions_t *out,
                            lh_errbuf *eb);

/* ---- history --------------------------------------------------------------------------- */

typedef struct lh_delta_history_entry {
    int64_t version;
    int64_t timestamp_ms;        /* monotonized commit timestamp */
    lh_delta_commit_info_t info; /* zeroed (json NULL) when the commit has none */
} lh_delta_history_entry_t;

/* Commits newest first, at most limit (0 = all still in the log). Caller frees with
 * lh_delta_history_free. */
lh_err lh_delta_history(lh_delta_table_t *t, size_t limit, lh_delta_history_entry_t **out,
                        size_t *count, lh_errbuf *eb);
void lh_delta_history_free(lh_delta_history_entry_t *h, size_t count);

/* ---- scans ----------------------------------------------------------------------------- */

/* A simple predicate: column <op> literal(s). Literals use the column's type; strings
 * point at caller memory. Predicates in an array are ANDed. */
typedef struct lh_delta_pred {
    const char *column;
    lh_pq_op op;
    int value_count; /* 1, or the list length for IN */
    const lh_value_t *values;
} lh_delta_pred_t;

/* Whether a file may hold rows matching every predicate: partition values decide
 * partition columns exactly; stats decide data columns conservatively. */
bool lh_delta_file_may_match(const lh_delta_snapshot_t *s, const lh_delta_add_t *f,
                             const lh_delta_pred_t *preds, int pred_count);

/* Live files that may match (pruning + data skipping). *out is a malloc'd array of
 * pointers into the snapshot (valid while it is held); caller frees the array only. */
lh_err lh_delta_scan_files(const lh_delta_snapshot_t *s, const lh_delta_pred_t *preds,
                           int pred_count, const lh_delta_add_t ***out, size_t *count,
                           lh_errbuf *eb);

typedef struct lh_delta_reader lh_delta_reader_t;

/* Read one data file's projected columns (names from the table schema, matched
 * case-insensitively; NULL/0 = all). Partition columns come from partitionValues; columns
 * missing from the file read as null; ARRAY/MAP/STRUCT columns are read from the file's
 * nested columns as the table's type (see lh_pq_read_nested; a column nested in the file but
 * primitive in the table, or the reverse, is LH_E_UNSUPPORTED). On a table with an unreadable
 * column (a variant) only an explicit projection of other columns can be read (all columns:
 * LH_E_UNSUPPORTED naming it); an unknown name is LH_E_INVALID. Files with deletion vectors
 * and paths outside the table (absolute or with a scheme) are LH_E_UNSUPPORTED.
 * The snapshot must outlive the reader. */
lh_err lh_delta_reader_open(lh_delta_table_t *t, const lh_delta_snapshot_t *s,
                            const lh_delta_add_t *file, const char *const *columns,
                            int column_count, lh_delta_reader_t **out, lh_errbuf *eb);
/* Output schema (projection order). Owned by the reader. */
const lh_schema_t *lh_delta_reader_schema(const lh_delta_reader_t *r);
/* Next batch (owned by the reader, valid until the next call); *out NULL at the end. */
lh_err lh_delta_reader_next(lh_delta_reader_t *r, const lh_batch_t **out, lh_errbuf *eb);
void lh_delta_reader_close(lh_delta_reader_t *r);
/* Read decoded column chunks through cache (storage/delta/data_cache.h; NULL = none):
 * before the first lh_delta_reader_next. The cache must outlive the reader. */
struct lh_data_cache;
void lh_delta_reader_set_cache(lh_delta_reader_t *r, struct lh_data_cache *cache);
/* The file's row groups and their row counts. */
int lh_delta_reader_row_group_count(const lh_delta_reader_t *r);
int64_t lh_delta_reader_row_group_rows(const lh_delta_reader_t *r, int rg);
/* Read only row groups first_rg .. first_rg + rg_count - 1 (before the first
 * lh_delta_reader_next; LH_E_INVALID outside the file). Default: all. */
lh_err lh_delta_reader_set_range(lh_delta_reader_t *r, int first_rg, int rg_count, lh_errbuf *eb);
/* Row-group skipping: row groups whose Parquet statistics (min/max, null counts) or bloom
 * filters (= and IN) prove that no row satisfies every predicate are passed over (before
 * the first lh_delta_reader_next). Predicates on partition columns, columns missing from
 * the file or nested ones, and those a float NaN could satisfy, are ignored. The
 * predicates must outlive the reader. */
lh_err lh_delta_reader_set_preds(lh_delta_reader_t *r, const lh_delta_pred_t *preds, int n,
                                 lh_errbuf *eb);
/* Whether row group rg may hold rows matching the predicates set. */
bool lh_delta_reader_row_group_may_match(lh_delta_reader_t *r, int rg);
/* Late materialization: columns i with late[i] (reader positions; NULL = none) are
 * decoded only when asked for: a batch from lh_delta_reader_next leaves them empty (count
 * 0) until lh_delta_reader_fill_late decodes the row group's chunk (once) and fills the
 * batch's rows, so a row group none of whose batches is asked never decodes them. Before
 * the first lh_delta_reader_next. */
void lh_delta_reader_set_late(lh_delta_reader_t *r, const bool *late);
lh_err lh_delta_reader_fill_late(lh_delta_reader_t *r, lh_errbuf *eb);
/* Row groups read and skipped by the predicates so far. */
void lh_delta_reader_row_groups(const lh_delta_reader_t *r, int64_t *read, int64_t *pruned);

/* ---- transactions ---------------------------------------------------------------------- */

typedef struct lh_delta_txn lh_delta_txn_t;

typedef enum lh_delta_isolation {
    LH_DELTA_WRITE_SERIALIZABLE = 0, /* default: others' blind appends do not conflict */
    LH_DELTA_SERIALIZABLE,
    LH_DELTA_SNAPSHOT_ISOLATION, /* OPTIMIZE: skip the ConcurrentAppend check */
} lh_delta_isolation;

/* Begin a transaction reading snapshot s (retained by the txn), or s == NULL to create
 * the table (commit version 0; set metadata and optionally protocol, default (1,2)).
 * LH_E_UNSUPPORTED when the table is not writable by us. */
lh_err lh_delta_txn_begin(lh_delta_table_t *t, lh_delta_snapshot_t *s, lh_delta_txn_t **out,
                          lh_errbuf *eb);
/* The same for a writer that enforces CHECK constraints (lh_delta_write_opts_t). */
lh_err lh_delta_txn_begin_enforcing(lh_delta_table_t *t, lh_delta_snapshot_t *s,
                                    lh_delta_txn_t **out, lh_errbuf *eb);
void lh_delta_txn_destroy(lh_delta_txn_t *x); /* without commit = abort (data files stay) */
void lh_delta_txn_set_isolation(lh_delta_txn_t *x, lh_delta_isolation iso);
/* The commitInfo operation ("WRITE", "DELETE", ...) and operationParameters: a JSON object
 * text whose values are strings (may be NULL). Copied. */
lh_err lh_delta_txn_set_operation(lh_delta_txn_t *x, const char *operation, const char *params_json,
                                  lh_errbuf *eb);
/* commitInfo.operationMetrics: a JSON object text (Spark writes string values). Copied.
 * LH_E_INVALID when not an object. */
lh_err lh_delta_txn_set_metrics(lh_delta_txn_t *x, const char *metrics_json, lh_errbuf *eb);
/* The staged add/remove/txn/domainMetadata actions in staging order (not metaData or
 * protocol). Owned by the txn; valid until the next staging call or destroy. */
size_t lh_delta_txn_staged_count(const lh_delta_txn_t *x);
const lh_delta_action_t *lh_delta_txn_staged(const lh_delta_txn_t *x, size_t i);
/* The metadata the txn sees: staged metaData if any, else the snapshot's (NULL on create
 * before set_metadata). */
const lh_delta_metadata_t *lh_delta_txn_metadata(const lh_delta_txn_t *x);
int64_t lh_delta_txn_read_version(const lh_delta_txn_t *x); /* -1 on create */
lh_delta_table_t *lh_delta_txn_table(const lh_delta_txn_t *x);
/* The snapshot the txn read (NULL on create); owned by the txn. */
const lh_delta_snapshot_t *lh_delta_txn_snapshot(const lh_delta_txn_t *x);

/* Stage actions (deep copies). At most one metadata/protocol per commit (replaces).
 * set_metadata with md->schema NULL derives schema / primitive_schema / unreadable_column from
 * md->schema_string (LH_E_CORRUPT if it does not parse). */
lh_err lh_delta_txn_set_metadata(lh_delta_txn_t *x, const lh_delta_metadata_t *md, lh_errbuf *eb);
lh_err lh_delta_txn_set_protocol(lh_delta_txn_t *x, const lh_delta_protocol_t *p, lh_errbuf *eb);
lh_err lh_delta_txn_add_file(lh_delta_txn_t *x, const lh_delta_add_t *add, lh_errbuf *eb);
lh_err lh_delta_txn_remove_file(lh_delta_txn_t *x, const lh_delta_remove_t *rm, lh_errbuf *eb);
/* Remove a live file (extendedFileMetadata, deletionTimestamp now, dataChange given). */
lh_err lh_delta_txn_remove_live(lh_delta_txn_t *x, const lh_delta_add_t *live, bool data_change,
                                lh_errbuf *eb);
lh_err lh_delta_txn_set_app_version(lh_delta_txn_t *x, const char *app_id, int64_t version,
                                    lh_errbuf *eb);
lh_err lh_delta_txn_set_domain(lh_delta_txn_t *x, const lh_delta_domain_t *d, lh_errbuf *eb);

/* Record what the operation read, for the conflict check. Nothing recorded and only adds
 * staged = a blind append. */
void lh_delta_txn_read_whole_table(lh_delta_txn_t *x);
/* Read the files matching these predicates on partition columns (copied). */
lh_err lh_delta_txn_read_predicate(lh_delta_txn_t *x, const lh_delta_pred_t *preds, int pred_count,
                                   lh_errbuf *eb);
lh_err lh_delta_txn_read_file(lh_delta_txn_t *x, const char *path, lh_errbuf *eb);
/* Read the txn version of app_id (ConcurrentTransaction if a winner sets it). */
lh_err lh_delta_txn_read_app(lh_delta_txn_t *x, const char *app_id, lh_errbuf *eb);

/* Commit (see commit.c for the steps). On success *version_out (may be NULL) is the
 * committed version; a checkpoint follows every delta.checkpointInterval versions (its
 * failure is not a commit failure). LH_E_CONFLICT with errbuf->error_code set to the
 * Delta exception name; LH_E_EXISTS only when creating a table that exists (error_code
 * "DELTA_TABLE_ALREADY_EXISTS"). The txn cannot be committed twice (LH_E_STATE). */
lh_err lh_delta_txn_commit(lh_delta_txn_t *x, int64_t *version_out, lh_errbuf *eb);

/* ---- data file writes ------------------------------------------------------------------ */

/* A batch stream: *out NULL at the end. The batch stays valid until the next call. */
typedef lh_err (*lh_delta_batch_next_fn)(void *ctx, const lh_batch_t **out, lh_errbuf *eb);

typedef struct lh_delta_write_opts {
    bool merge_schema;        /* add new nullable columns to the table schema */
    int64_t target_file_rows; /* rows per file at most; 0 = 1,048,576 */
    lh_pq_codec codec;        /* default ZSTD (file suffix follows the codec) */
    bool rearrange_only;      /* OPTIMIZE-style rewrite: adds get dataChange=false */
    /* The caller checks the table's CHECK constraints (delta.constraints.*) on every row
     * it writes (the SQL engine does): a table with constraints is writable by it. */
    bool enforces_constraints;
} lh_delta_write_opts_t;

void lh_delta_write_opts_default(lh_delta_write_opts_t *o);

/* Write the stream's rows as new data files and stage their add actions (with stats) in
 * x. batch_schema names the stream's columns; it is checked against the txn's metadata:
 * a type mismatch, a missing non-nullable column or (without merge_schema) an unknown
 * column is LH_E_INVALID naming the column. Partition columns (from the metadata) go to
 * Hive-style directories and are not stored in files. Files are committed objects under
 * unique names, so a failed txn leaves only unreferenced files (VACUUM garbage). */
lh_err lh_delta_write_files(lh_delta_txn_t *x, const lh_schema_t *batch_schema,
                            lh_delta_batch_next_fn next, void *ctx,
                            const lh_delta_write_opts_t *opts, lh_errbuf *eb);

/* Row r of v as a partitionValues text, as the writer above stores it: *out is NULL for a
 * null (or empty string), else buf (>= 64 bytes) or a malloc'd string the caller frees
 * when it is not buf. LH_E_UNSUPPORTED for binary and decimal(>18,..); LH_E_INVALID for a
 * string holding a NUL. */
lh_err lh_delta_partition_text(const lh_vec_t *v, size_t r, char *buf, size_t n, const char **out,
                               lh_errbuf *eb);

/* ---- checkpoints ----------------------------------------------------------------------- */

/* Write a classic checkpoint of s (<v>.checkpoint.parquet) and then _last_checkpoint. */
lh_err lh_delta_checkpoint_write(lh_delta_table_t *t, const lh_delta_snapshot_t *s, lh_errbuf *eb);

#endif
