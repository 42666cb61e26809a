/*
 * delta_scan_internal.h - predicate sets, typed partition values and date/time text helpers
 * shared by scan.c, commit.c, reader.c and write.c; the statistics of written files.
 */
#ifndef LH_STORAGE_DELTA_SCAN_INTERNAL_H
#define LH_STORAGE_DELTA_SCAN_INTERNAL_H

#include "storage/delta/delta_internal.h"

/* Owned copies of predicates (column names and string literals duplicated). */
typedef struct lh_delta_pred_set {
    int count;
    lh_delta_pred_t *preds;
} lh_delta_pred_set_t;

lh_err lh_delta_pred_set_add(lh_delta_pred_set_t *s, const lh_delta_pred_t *preds, int n,
                             lh_errbuf *eb);
void lh_delta_pred_set_clear(lh_delta_pred_set_t *s);
/* Could a file with partition values pv hold matching rows? Only partition-column
 * predicates decide; others count as "may match". */
bool lh_delta_pred_set_match_partition(const lh_delta_pred_set_t *s, const lh_delta_metadata_t *md,
                                       const lh_delta_map_t *pv);

/* Parse a partition value string as type t into out (strings borrow text). NULL or ""
 * is a null value. LH_E_CORRUPT when unparsable. */
lh_err lh_delta_partition_value(const char *text, lh_type_t t, lh_value_t *out, lh_errbuf *eb);

/* Whether "value <op> literal" holds given cmp = compare(value, literal); IN is per value. */
bool lh_delta_op_holds(lh_pq_op op, int cmp);
/* "YYYY-MM-DD" of days into buf (>= 16). */
void lh_delta_format_date(int32_t days, char *buf, size_t n);
/* ISO-8601 UTC "YYYY-MM-DDTHH:MM:SS.mmmZ" of micros, truncated to ms, into buf (>= 32). */
void lh_delta_format_timestamp_ms(int64_t micros, char *buf, size_t n);
/* Parse "YYYY-MM-DD[ T]HH:MM:SS[.f{1,9}][Z|±HH:MM]" as micros (UTC). */
bool lh_delta_parse_timestamp(const char *s, int64_t *micros);
bool lh_delta_parse_date(const char *s, int32_t *days);

/* reader.c: vector helpers (also used by write.c). */
bool lh_delta_type_convertible(lh_type_t from, lh_type_t to);
/* Append n rows of src (rows[i], or first+i when rows is NULL; through src->sel) to dst,
 * converting integer-like and float types. */
lh_err lh_delta_vec_gather(const lh_vec_t *src, const uint32_t *rows, size_t first, size_t n,
                           lh_vec_t *dst);
/* Append v (NULL = null) n times. */
lh_err lh_delta_vec_fill(lh_vec_t *dst, const lh_value_t *v, size_t n);

/* write_stats.c: add.stats of a data file whose columns (partition columns excluded) are
 * data. inner_count: the ARRAY/MAP fields inside STRUCT columns, whose NULLs the writer
 * counts row by row with lh_delta_stats_count (n rows of b, columns as data) into an array of
 * that many counters; build makes the JSON (malloc'd, NULL on allocation failure) from the
 * Parquet summary and those counters for the first max_cols leaf columns. */
int lh_delta_stats_inner_count(const lh_schema_t *data);
void lh_delta_stats_count(const lh_schema_t *data, const lh_batch_t *b, size_t n, int64_t *counts);
char *lh_delta_stats_build(const lh_schema_t *data, const lh_pq_file_summary_t *sum,
                           const int64_t *inner_nulls, int max_cols);
/* delta.dataSkippingNumIndexedCols (default LH_DELTA_STATS_COLS; negative = all). */
int lh_delta_stats_max_cols(const lh_delta_metadata_t *md);

#endif
