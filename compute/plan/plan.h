/*
 * plan.h - the logical plan: what the binder builds, the optimizer rewrites and the
 * executor runs (compute/exec turns each node into physical operators and pipelines).
 *
 * A node has an output: col_count columns with names, types and nullability. Expressions
 * in a node read its child's output by column index (a join reads left ++ right). Nodes,
 * expressions and strings live in the query's arena; a plan is immutable once optimized,
 * so threads share it.
 *
 * Lineage: every SCAN names its table and the columns it reads, every WRITE its target, so
 * lh_plan_lineage walks a bound plan and lists inputs and output (recorded per statement;
 * the lineage API reads it later).
 */
#ifndef LH_COMPUTE_PLAN_H
#define LH_COMPUTE_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "compute/expr/expr.h"
#include "compute/agg/agg.h"
#include "storage/delta/delta.h"

typedef enum lh_plan_kind {
    LH_PLAN_SCAN,      /* a Delta table (or a path table) */
    LH_PLAN_VALUES,    /* inline rows of constant expressions; 0 columns = one empty row */
    LH_PLAN_FILTER,    /* rows of child where pred is TRUE */
    LH_PLAN_PROJECT,   /* exprs over child */
    LH_PLAN_AGGREGATE, /* group by keys; output = keys ++ aggregates (++ grouping id) */
    LH_PLAN_JOIN,      /* left, right; output left ++ right (SEMI / ANTI: left only) */
    LH_PLAN_SORT,      /* child ordered by keys */
    LH_PLAN_LIMIT,     /* child rows [offset, offset + limit) */
    LH_PLAN_TOPN,      /* SORT + LIMIT fused by the optimizer */
    LH_PLAN_SETOP,     /* UNION / INTERSECT / EXCEPT of children, ALL or DISTINCT */
    LH_PLAN_WINDOW,    /* child ++ one column per window expression */
    LH_PLAN_WRITE,     /* child rows (the table's columns, in order) into a Delta table;
                          output = one row: num_affected_rows, num_inserted_rows (BIGINT) */
    LH_PLAN_EMPTY,     /* no rows (a contradiction, LIMIT 0) */
    LH_PLAN_RANGE,     /* range(start, end, step): one BIGINT column `id` */
    LH_PLAN_DML,       /* DELETE / UPDATE / MERGE on a Delta table (MERGE: child = source);
                          output = one row of BIGINT counters (num_affected_rows, ...) */
    LH_PLAN_GENERATE,  /* child ++ the rows a generator makes of each child row (explode) */
    LH_PLAN_FILES,     /* plain files: csv.`/p`, json.`/p`, ..., read_files (compute/files) */
} lh_plan_kind;

/* What every write into a table must satisfy (Delta's invariants): the CHECK constraints
 * of the table (delta.constraints.<name>, bound over the table's columns; a row whose
 * check is FALSE or NULL violates it) and its NOT NULL columns. */
typedef struct lh_plan_checks {
    int count;
    lh_expr_t **exprs;
    const char **names; /* constraint names (lower case) */
    const char **texts; /* their expression text as stored */
    int col_count;      /* the table's columns */
    const char **col_names;
    const bool *not_null;
} lh_plan_checks_t;

typedef enum { LH_DML_DELETE, LH_DML_UPDATE, LH_DML_MERGE } lh_dml_kind;

/* One WHEN clause of MERGE. Its expressions read the joined row: the target's columns
 * then the source's (the side a clause cannot see is all NULL). */
typedef enum { LH_MERGE_ACT_UPDATE, LH_MERGE_ACT_DELETE, LH_MERGE_ACT_INSERT } lh_merge_act;
typedef enum { LH_WHEN_MATCHED, LH_WHEN_NOT_MATCHED, LH_WHEN_NOT_MATCHED_BY_SOURCE } lh_merge_when;
typedef struct lh_merge_clause {
    lh_merge_when when;
    lh_merge_act action;
    lh_expr_t *cond;    /* NULL = always */
    lh_expr_t **values; /* UPDATE / INSERT: one per table column, the table's types */
} lh_merge_clause_t;

/* Generators: explode / explode_outer (an array: col; a map: key, value), posexplode (pos
 * INT first), inline (an array of structs: its fields). */
typedef enum { LH_GEN_EXPLODE, LH_GEN_POSEXPLODE, LH_GEN_INLINE } lh_gen_kind;

typedef enum {
    LH_PJOIN_INNER,
    LH_PJOIN_LEFT,
    LH_PJOIN_RIGHT,
    LH_PJOIN_FULL,
    LH_PJOIN_SEMI,
    LH_PJOIN_ANTI,
    LH_PJOIN_CROSS
} lh_join_kind;

typedef enum { LH_SETOP_UNION, LH_SETOP_INTERSECT, LH_SETOP_EXCEPT } lh_setop_kind;

typedef struct lh_sort_key {
    lh_expr_t *expr;
    bool descending;
    bool nulls_first; /* Spark: NULLS FIRST for ASC, NULLS LAST for DESC unless said */
} lh_sort_key_t;

/* An aggregate call. args already have the types the function's bind asked for through
 * cast_to (the binder wraps them in casts); filter is BOOLEAN. */
typedef struct lh_agg_call {
    const lh_agg_func_t *func;
    void *bind_data;
    int arg_count;
    lh_expr_t **args;  /* over the child's columns */
    lh_expr_t *filter; /* FILTER (WHERE ...), or NULL */
    bool distinct;
    lh_type_t type;
    const char *name;
} lh_agg_call_t;

/* One window expression. Ranking/offset functions (agg NULL) by rank_fn:
 *   row_number, rank, dense_rank (INT), percent_rank, cume_dist (DOUBLE), ntile(n) (INT);
 *   lag / lead (x [, offset constant [, default expression]]), type of x, ignore_nulls;
 *   nth_value (x, n constant) over the frame, ignore_nulls.
 * first/last/first_value/last_value and every other aggregate are `agg` rows over the
 * frame (bound like an aggregate call; first/last's ignoreNulls is their constant second
 * argument). Frames: frame_start/frame_end are signed offsets, negative = PRECEDING,
 * 0 = CURRENT ROW, positive = FOLLOWING, INT64_MIN / INT64_MAX = UNBOUNDED. ROWS count
 * rows; RANGE compares the first ORDER BY key's value (numbers; DATE in days, TIMESTAMP in
 * microseconds: the binder converts interval offsets), CURRENT ROW = the row's peers. The
 * binder fills Spark's defaults (ORDER BY present: RANGE UNBOUNDED PRECEDING .. CURRENT
 * ROW; absent: the whole partition). */
typedef struct lh_window_call {
    const lh_agg_func_t *agg; /* an aggregate over a frame, or NULL for a ranking function */
    const char *rank_fn;      /* see above (case-insensitive) */
    void *bind_data;
    int arg_count;
    lh_expr_t **args;
    int partition_count;
    lh_expr_t **partition;
    int order_count;
    lh_sort_key_t *order;
    bool frame_rows;                   /* ROWS (true) or RANGE (false) */
    int64_t frame_start, frame_end;    /* offsets; INT64_MIN / INT64_MAX = UNBOUNDED */
    double frame_start_f, frame_end_f; /* RANGE: the offsets as numbers in the key's units
                                          (FLOAT/DOUBLE keys; DECIMAL keys unscaled); the
                                          int64 fields then hold only their signs */
    bool start_months, end_months;     /* RANGE over a DATE/TIMESTAMP key with an INTERVAL
                                          YEAR TO MONTH offset: the offset is calendar months
                                          (lh_dt_add_months in the session zone) */
    bool ignore_nulls;
    lh_type_t type;
    const char *name;
} lh_window_call_t;

typedef struct lh_plan {
    lh_plan_kind kind;
    int col_count;
    const char **col_names;
    lh_type_t *col_types;
    bool *col_nullable;
    int child_count;
    struct lh_plan **children;
    double est_rows; /* estimate for join order and build side; < 0 unknown */
    union {
        struct {
            const char *table_name; /* full name for lineage and errors */
            const char *root;       /* Delta table directory */
            int64_t version;        /* -1 = latest; time travel otherwise */
            int64_t timestamp_ms;   /* >= 0: TIMESTAMP AS OF */
            int column_count;       /* projected table columns, in output order (0 = all) */
            const char **columns;
            int pred_count; /* pushed-down simple predicates (file and row-group skipping) */
            lh_delta_pred_t *preds;
            lh_expr_t *filter;       /* the full pushed filter over the output columns, or NULL */
            const bool *column_used; /* NULL = all; else unread columns come out all NULL */
        } scan;
        struct {
            int row_count;
            lh_expr_t ***rows; /* row_count x col_count constant expressions */
        } values;
        struct {
            int64_t start, end, step; /* step != 0; rows start, start + step, ... before end */
        } range;
        struct {
            lh_expr_t *pred;
        } filter;
        struct {
            lh_expr_t **exprs; /* col_count */
        } project;
        struct {
            int key_count;
            lh_expr_t **keys;
            int agg_count;
            lh_agg_call_t *aggs;
            int set_count;  /* GROUPING SETS / ROLLUP / CUBE: set_count masks over keys */
            uint64_t *sets; /* bit k set = key k grouped in that set; NULL = one full set */
        } aggregate;
        struct {
            lh_join_kind kind;
            int key_count; /* equi-join keys: left_keys over the left child, right_keys over
                              the right child; left_keys[k] and right_keys[k] have one type
                              (the binder casts to the common type: keys compare as bytes) */
            lh_expr_t **left_keys, **right_keys;
            bool *null_safe;     /* <=> keys */
            lh_expr_t *residual; /* extra condition over left ++ right, or NULL */
            bool build_left;     /* hash the left side (the optimizer picks the smaller);
                                    ignored for SEMI / ANTI (always build right) */
        } join;
        struct {
            int key_count;
            lh_sort_key_t *keys;
            int64_t limit, offset; /* TOPN */
        } sort;
        struct {
            int64_t limit; /* -1 = none */
            int64_t offset;
        } limit;
        struct {
            lh_setop_kind kind;
            bool all;
        } setop;
        struct {
            int call_count;
            lh_window_call_t *calls;
        } window;
        struct {
            const char *table_name;
            const char *root;
            bool overwrite;
            bool create;                    /* CTAS / first write: the log is created */
            const char *partition_by_json;  /* CTAS: JSON array of column names, or NULL */
            const char *replace_where;      /* INSERT ... REPLACE WHERE (SQL text), or NULL */
            lh_expr_t *replace_pred;        /* ... and bound over the table's columns */
            const lh_plan_checks_t *checks; /* constraints to enforce, or NULL */
            const bool *identity_fill;      /* per table column: assign IDENTITY values (the
                                               INSERT left the column out), or NULL */
            const char *operation;          /* the commit's operation, NULL = WRITE */
            const char *operation_params;   /* ... and its parameters (JSON), or NULL */
            const char *const *app_ids;     /* SetTransaction ids to set (version 1) in the
                                               same commit, and read for the conflict check:
                                               the files COPY INTO loads */
            int app_id_count;
        } write;
        struct {
            lh_dml_kind op;
            const char *table_name;
            const char *root;
            int table_col_count;
            lh_type_t *table_types;
            lh_expr_t *cond;    /* DELETE / UPDATE: WHERE over the table's columns; NULL = all */
            lh_expr_t **values; /* UPDATE: the new row (CASE WHEN cond THEN v ELSE c END) */
            /* MERGE: equi-keys (target_keys over the target, source_keys over the source,
             * one type per pair), the rest of ON over target ++ source, the clauses */
            int key_count;
            lh_expr_t **target_keys, **source_keys;
            lh_expr_t *residual;
            int clause_count;
            lh_merge_clause_t *clauses;
            const char *cond_text; /* the predicate as written (commitInfo), or NULL */
            const lh_plan_checks_t *checks;
            const bool *identity_fill; /* MERGE: IDENTITY columns its INSERTs leave out (the
                                          write assigns them), or NULL */
        } dml;
        struct {
            lh_gen_kind kind;
            bool outer;      /* a row whose collection is NULL or empty gives one NULL row */
            lh_expr_t *expr; /* the ARRAY or MAP over the child's columns */
        } generate;
        struct {
            const struct lh_ff_scan *scan; /* files, options, columns (compute/files/files.h) */
        } files;
    } u;
} lh_plan_t;

/* A node with room for n output columns and children (arena). Zeroed, except: a SCAN
 * reads the latest version (version = timestamp_ms = -1), a LIMIT has no limit (-1). */
lh_plan_t *lh_plan_new(lh_arena_t *a, lh_plan_kind kind, int col_count, int child_count);

/* EXPLAIN text: one line per node, children indented. Arena-allocated. */
const char *lh_plan_explain(lh_arena_t *a, const lh_plan_t *p, bool extended);

/* Tables and columns a plan reads and the table it writes (NULL when none). */
typedef struct lh_lineage {
    int input_count;
    const char **input_tables;
    const char ***input_columns; /* per input, NULL-terminated */
    const char *output_table;
} lh_lineage_t;
void lh_plan_lineage(lh_arena_t *a, const lh_plan_t *p, lh_lineage_t *out);

#endif
