/*
 * bind_internal.h - the binder's shared state (not for other modules).
 *
 * A scope is the list of columns a query level can see, each with the qualifiers it can
 * be named by (alias, or table name, schema, catalog) and its position in the input
 * batch of the operator that evaluates expressions of that level. Binding an expression
 * happens in one of two modes:
 *   PRE   over the FROM/WHERE scope: columns resolve to input positions; an aggregate
 *         call is an error (WHERE) or is collected (SELECT list, HAVING, ORDER BY);
 *   POST  after GROUP BY: a sub-expression equal to a grouping key becomes a reference
 *         to that key's output column, an aggregate call a reference to its result, and
 *         a bare column that is neither is MISSING_AGGREGATION.
 */
#ifndef LH_COMPUTE_BIND_INTERNAL_H
#define LH_COMPUTE_BIND_INTERNAL_H

#include "compute/bind/bind.h"
#include "compute/sql/sqlerr.h"
#include "storage/objstore/objstore.h"

typedef struct bcol {
    const char *name;
    const char *qual[3]; /* table alias or name, schema, catalog (NULLs when unknown) */
    int index;           /* position in the input batch */
    lh_type_t type;
    bool nullable;
    bool hidden; /* not expanded by * (the right copy of a USING column) */
    bool meta;   /* hidden, yet found by its bare name (a file scan's _metadata) */
} bcol;

typedef struct scope {
    bcol *cols;
    int count;
} scope;

typedef struct cte_def {
    const char *name;
    const lh_ast_cte_t *cte;
    struct cte_def *next;
    bool used;      /* referenced: bound where used (an unused one binds once, for its errors) */
    bool recursive; /* under WITH RECURSIVE (bind_recursive.c) */
    struct lh_plan *working, *result; /* recursive: the level a step reads; the rows once run */
} cte_def;

/* The aggregation context of one SELECT level (POST mode). */
typedef struct agg_ctx {
    int key_count;
    lh_expr_t **keys; /* bound over the pre-aggregation input */
    int agg_count, agg_cap;
    lh_agg_call_t *aggs;
    const lh_ast_expr_t **agg_asts; /* to find a repeated call */
    bool collecting;                /* PRE pass that collects aggregate calls instead of failing */
    bool has_sets;                  /* GROUPING SETS / ROLLUP / CUBE (grouping() allowed) */
    bool global;                    /* no GROUP BY: one group of the whole input */
    struct sub_stage *args_sub;     /* correlated subqueries in aggregate arguments, or NULL */
    int sub_key_count;              /* keys with a correlated subquery: their ASTs, which */
    const lh_ast_expr_t **sub_key_asts; /* POST expressions match by text (match_key) */
    int *sub_key_index;
} agg_ctx;

struct bn_types; /* bind_name.c: AST node -> its bound expression */

typedef struct binder {
    const lh_bind_env_t *env;
    lh_arena_t *a;
    lh_errbuf *eb;
    const char *sql; /* text the spans of the current AST point into */
    cte_def *ctes;
    int depth;
    struct corr_frame *corr;     /* the subquery being bound, for outer references (or NULL) */
    struct bn_types *types;      /* NULL until the first expression binds */
    const struct udf_frame *udf; /* SQL functions being expanded (bind_udf.c), or NULL */
    const lh_ast_select_t *sel;  /* the SELECT level being bound (its WINDOW clause), or NULL */
    struct star_memo *stars;     /* calls whose star arguments bind_star.c expanded */
    struct sub_name *sub_names;  /* subqueries' outer references, for their headers */
    struct lambda_var *lambdas;  /* the parameters of the lambdas being bound (bind_hof.c) */
    int lambda_next;             /* the next lambda variable id */
    const scope *lateral;        /* a LATERAL subquery's left side, while bf_relation binds it */
    int lateral_nc;              /* ... and the outer references it read (bind_from.c) */
    lh_expr_t **lateral_refs;
} binder;

typedef enum { MODE_PRE, MODE_POST } bind_mode;

/* The window calls of one SELECT level (bind_window.c). A call binds to a marker column
 * (LH_WIN_MARKER - i) that bq patches to its real position once the window node's input
 * width is known (after every aggregate of the level has been collected). */
#define LH_WIN_MARKER (-1000000)
typedef struct win_ctx {
    const lh_ast_select_t *sel; /* for named windows (WINDOW w AS ...) */
    int count, cap;
    lh_window_call_t *calls;
} win_ctx;

typedef struct ectx {
    const scope *sc;
    bind_mode mode;
    agg_ctx *agg;          /* POST (or collecting PRE) */
    const char *clause;    /* "WHERE", "SELECT", ... for error messages */
    win_ctx *win;          /* where window functions may appear (SELECT, ORDER BY, QUALIFY) */
    struct sub_stage *sub; /* where correlated subqueries may appear (their joins), or NULL */
    const lh_ast_named_exprs_t *aliases; /* QUALIFY: SELECT items a bare name may name, or NULL */
} ectx;

/* Correlated subqueries (bind_subquery.c, bind_decorr.c). A subquery binds with a frame
 * naming the context it appears in; a column it cannot resolve is looked up there and
 * becomes an outer reference, a marker column LH_OUTER_MARKER - k. A correlated
 * subquery is decorrelated into a join that a stage (WHERE, or SELECT/HAVING/ORDER BY)
 * adds to the level's plan when the clause is bound; the expression that stands for it
 * reads result slots (LH_SUBRES_MARKER - i) that bsq_patch turns into real positions. */
#define LH_OUTER_MARKER  (-200000)
#define LH_SUBRES_MARKER (-300000)
#define LH_MARKER_SPAN   100000
typedef struct sub_stage {
    int count, cap;
    struct sub_pending *items; /* bind_subquery.c */
    int slot_count, slot_cap;
    int *slot_pos; /* result slot -> column, set by bsq_apply */
} sub_stage;

/* bind_star.c: *, t.*, s.* [EXCEPT (..)] in the SELECT list; stars among call and IN
 * arguments (bst_args returns e or its expanded copy; bst_expanded finds that copy again) */
lh_err bst_expand(binder *b, const ectx *x, const lh_ast_expr_t *star, int *n, lh_expr_t ***exprs,
                  const char ***names);
lh_err bst_args(binder *b, const ectx *x, const lh_ast_expr_t *e, const lh_ast_expr_t **out);
const lh_ast_expr_t *bst_expanded(binder *b, const lh_ast_expr_t *e);

/* bind_subname.c: scalarsubquery(c1, c2): a subquery's outer references (uses: the column
 * ASTs its frame resolved in the outer query), remembered for bn_name */
void bsn_remember(binder *b, const lh_ast_expr_t *e, const lh_ast_expr_t *const *uses, int n);
const char *bsn_name(binder *b, const lh_ast_expr_t *e);
/* Name e by name in headers (a bare CURRENT_DATE that reads a column of that name). */
void bsn_set(binder *b, const lh_ast_expr_t *e, const char *name);
/* The names of from's subqueries for the same subqueries of to (an expression written alike). */
void bsn_copy(binder *b, const lh_ast_expr_t *from, const lh_ast_expr_t *to);

/* bind_unpivot.c */
lh_err bu_unpivot(binder *b, const lh_ast_rel_t *r, lh_plan_t **plan, scope *sc);

/* bind_expr.c */
lh_err bx_expr(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out);
lh_err bx_bool(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out);
const char *bx_name(binder *b, const lh_ast_expr_t *e);
/* DATATYPE_MISMATCH.INVALID_ORDERING_TYPE when the key's type has no order (a calendar
 * interval, also inside arrays, maps and structs), as Spark's ordering checks. */
lh_err bx_orderable(binder *b, const lh_sort_key_t *k,
                    const char *fname); /* the column header Spark shows */
bool bx_has_agg(const lh_ast_expr_t *e);
lh_err bx_within_group(binder *b, const lh_ast_expr_t *e, const char *fn); /* Spark's checks */
lh_err bx_common_type(binder *b, lh_type_t x, lh_type_t y, lh_type_t *out);
lh_err bx_coerce(binder *b, lh_expr_t **e, lh_type_t t);
lh_err bx_fold_int(binder *b, const lh_ast_expr_t *e, const char *what, int64_t *out);
bool bx_equal(const lh_expr_t *x, const lh_expr_t *y);
/* A copy of e with column indices shifted by delta (bind_from.c). */
lh_expr_t *bx_rebase(binder *b, const lh_expr_t *e, int delta);
/* Which inputs e reads: bit 1 the left (columns < nl), bit 2 the right (bind_from.c). */
int bx_sides(const lh_expr_t *e, int nl);
const lh_func_t *bx_func(const char *const *names);

/* bind_subquery.c */
lh_err bsq_expr(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out);
/* A column the current scope lacks: an outer reference when an enclosing query has it. */
lh_err bsq_outer_column(binder *b, const lh_ast_expr_t *e, lh_expr_t **out, bool *found);
/* An aggregate call over outer columns only: the outer query's aggregate. */
lh_err bsq_outer_agg(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out,
                     bool *found);
/* WHERE: [NOT] EXISTS and IN conjuncts become semi/anti joins; the rest is *pred (or NULL).
 * The stage's joins are applied to *plan. */
lh_err bsq_where(binder *b, const ectx *x, const lh_ast_expr_t *where, lh_plan_t **plan,
                 lh_expr_t **pred);
/* The outer references the subquery being bound has so far, and dropping the ones after
 * the first n (their uses stay recorded for the subquery's name). */
int bsq_ref_count(binder *b);
void bsq_ref_truncate(binder *b, int n);
/* The scope of the query the subquery being bound appears in (for t.* of it), or NULL. */
const scope *bsq_outer_scope(binder *b);
/* A LATERAL subquery over the scope of its left side: *nc outer references refs[k] (over
 * that side's columns) for the markers LH_OUTER_MARKER - k in *plan. */
lh_err bsq_lateral(binder *b, const scope *outer, const lh_ast_query_t *q, lh_plan_t **plan,
                   int *nc, lh_expr_t ***refs);
/* Add the stage's joins over *plan (they keep its rows and columns, appending some). */
lh_err bsq_apply(binder *b, sub_stage *st, lh_plan_t **plan);
/* Replace result slot markers in e (in place). */
void bsq_patch(const sub_stage *st, lh_expr_t *e);

/* bind_decorr.c: plan pieces and the rewrite of a correlated plan */
lh_plan_t *bd_project(binder *b, lh_plan_t *child, int n, lh_expr_t **exprs, const char **names);
lh_plan_t *bd_filter(binder *b, lh_plan_t *child, lh_expr_t *pred);
lh_plan_t *bd_join(binder *b, lh_join_kind kind, lh_plan_t *l, lh_plan_t *r, int key_count,
                   lh_expr_t **lk, lh_expr_t **rk, bool *null_safe, lh_expr_t *residual);
lh_plan_t *bd_aggregate(binder *b, lh_plan_t *child, int key_count, lh_expr_t **keys, int agg_count,
                        lh_agg_call_t *aggs);
lh_expr_t *bd_col(binder *b, const lh_plan_t *p, int i);
lh_plan_t *bd_copy(binder *b, const lh_plan_t *p);
lh_err bd_agg_call(binder *b, const char *fn, int argc, lh_expr_t **args, lh_agg_call_t *out);
bool bd_expr_has_outer(const lh_expr_t *e);
bool bd_plan_has_outer(const lh_plan_t *p);
/* sub (outer references 0..nc-1) joined with the domain dom (nc columns, distinct): the
 * result has sub's columns ++ the nc domain columns, and no outer reference. */
lh_err bd_decorrelate(binder *b, lh_plan_t *sub, lh_plan_t *dom, int nc, lh_plan_t **out);

/* bind_name.c: Spark's name for an unaliased expression (toPrettySQL of the resolved
 * expression), from the AST and the bound sub-expressions bn_record kept. */
const char *bn_name(binder *b, const lh_ast_expr_t *e);
void bn_record(binder *b, const lh_ast_expr_t *e, const lh_expr_t *bound);

/* bind_window.c */
lh_err bw_call(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out);
/* Replace marker columns in e (in place) by base + window index. */
void bw_patch(lh_expr_t *e, int base);

/* bind_query.c */
lh_err bq_query(binder *b, const lh_ast_query_t *q, lh_plan_t **out);
/* bind_recursive.c: whether c is a recursive CTE (WITH RECURSIVE .. anchor UNION step), and
 * the plan a reference to it reads (its rows, computed at the first reference). */
bool br_is_recursive(const cte_def *c);
lh_err br_reference(binder *b, cte_def *c, lh_plan_t **plan);

/* bind_from.c */
lh_err bf_relation(binder *b, const lh_ast_rel_t *r, lh_plan_t **plan, scope *sc);
lh_err bf_table(binder *b, const lh_ast_name_t *name, const lh_ast_time_travel_t *travel,
                lh_plan_t **plan, scope *sc);
scope bf_scope_of(binder *b, const lh_plan_t *p, const char *qualifier);
const char *bf_lower(binder *b, const char *s);

/* bind_dml.c */
lh_err bd_delete(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out);
lh_err bd_update(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out);
lh_err bd_merge(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out);
lh_err bd_bind_truncate(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out);
lh_err bd_run_truncate(binder *b, const lh_ast_stmt_t *st);
/* The constraints of the table a SCAN reads (CHECK from its Delta configuration, NOT NULL
 * from its schema), bound over its columns. */
struct bcm_table;
/* ... and, when cm is not NULL, the table's column metadata (bind_colmeta.c) */
lh_err bd_checks(binder *b, const lh_plan_t *scan, lh_plan_checks_t **out, struct bcm_table *cm);
/* Spark's ANSI store assignment cast of e into a column (refuses STRING -> INT ...). */
lh_err bd_store_cast(binder *b, lh_expr_t *e, lh_type_t to, const char *table, const char *col,
                     lh_expr_t **out);
/* The source text of a span of b->sql (arena), or NULL. */
const char *bd_span_text(binder *b, lh_ast_span_t span);
/* Open a Delta table's latest snapshot at root (close with bd_close_snapshot, which
 * takes whatever was opened, also after an error). */
lh_err bd_open_snapshot(const char *root, lh_objstore_t **os, lh_delta_table_t **t,
                        lh_delta_snapshot_t **snap, lh_errbuf *eb);
void bd_close_snapshot(lh_objstore_t *os, lh_delta_table_t *t, lh_delta_snapshot_t *snap);

/* bind_alter.c: ALTER TABLE and COMMENT ON (commands) */
lh_err ba_run_alter(binder *b, const lh_ast_stmt_t *st);
lh_err ba_run_repair(binder *b, const lh_ast_stmt_t *st);
lh_err ba_run_comment(binder *b, const lh_ast_stmt_t *st);

/* bind_delta_cmd.c: DESCRIBE DETAIL / HISTORY (rows), RESTORE, OPTIMIZE, VACUUM (commands) */
lh_err bdc_describe(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out);
lh_err bdc_run_restore(binder *b, const lh_ast_stmt_t *st, lh_bound_t *bound);
lh_err bdc_run_optimize(binder *b, const lh_ast_stmt_t *st, lh_bound_t *bound);
lh_err bdc_run_vacuum(binder *b, const lh_ast_stmt_t *st, lh_bound_t *bound);

/* bind_udf.c: SQL functions */
/* A call of a SQL function (temporary, else the catalog's), inlined; *found false (and
 * nothing bound) when no such function exists. */
lh_err bud_call(binder *b, const ectx *x, const lh_ast_expr_t *e, bool *found, lh_expr_t **out);
lh_err bud_run_create(binder *b, const lh_ast_stmt_t *st);
lh_err bud_run_drop(binder *b, const lh_ast_stmt_t *st);
lh_err bud_show(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out);
lh_err bud_describe(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out);
/* UNRESOLVED_ROUTINE unless nm names a SQL function or a builtin. */
lh_err bud_check_exists(binder *b, const lh_ast_name_t *nm);
/* SHOW ... LIKE 'pattern': '*' any characters, '|' alternatives, case-insensitive. */
bool bud_pattern_match(const char *pattern, const char *name);

/* bind_create.c: CREATE TABLE's properties and constraints */
/* A property value (TBLPROPERTIES, OPTIONS, COPY INTO's options) as text: a string literal's
 * value, else the literal as written; NULL for none (UNSET's keys). */
const char *bcr_prop_value(binder *b, const lh_ast_expr_t *v);
lh_err bcr_check(binder *b, const lh_ast_create_table_t *ct); /* NOT_YET for what is not built */
const char *bcr_properties_json(binder *b, const lh_ast_create_table_t *ct); /* or NULL */
int bcr_property_count(const lh_ast_create_table_t *ct);
void bcr_property(binder *b, const lh_ast_create_table_t *ct, int i, const char **key,
                  const char **value);
/* PRIMARY KEY / FOREIGN KEY as UC table_constraints JSON (NULL when none). */
lh_err bcr_constraints_json(binder *b, const lh_ast_create_table_t *ct, const char *table,
                            const char **out);

/* bind_show.c: DESCRIBE TABLE/CATALOG/SCHEMA, SHOW COLUMNS/TBLPROPERTIES, SET/RESET */
lh_err bsh_describe_table(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out);
lh_err bsh_describe_namespace(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out);
lh_err bsh_describe_column(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out);
lh_err bsh_show_table_part(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out);
lh_err bsh_run_set(binder *b, const lh_ast_stmt_t *st, lh_bound_t *bound);
/* The catalog's row of the table or view named n (TABLE_OR_VIEW_NOT_FOUND if none). */
lh_err bsh_table_info(binder *b, const lh_ast_name_t *n, lh_table_info_t **out);
/* SHOW TABLE EXTENDED's information text: the detailed rows as 'Key: value' lines, the
 * partition columns, and the schema as Spark's tree ('Schema: root' then ' |-- a: ...'). */
const char *bsh_table_information(binder *b, const lh_table_info_t *ti);
/* SHOW PARTITIONS t [PARTITION (k = v)]: the distinct partition values present. */
lh_err bsh_show_partitions(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out);
/* bind_var.c: session variables. A reference (*found false when n names none), DECLARE,
 * SET VAR and DROP TEMPORARY VARIABLE. */
lh_err bv_reference(binder *b, const lh_ast_name_t *n, lh_expr_t **out, bool *found);
/* bind_hof.c: whether e is a higher-order function call (a known name with a lambda
 * argument), its binding, and a name's lambda variable (NULL: none). */
bool bh_is_hof(const lh_ast_expr_t *e);
lh_err bh_call(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out);
lh_expr_t *bh_lambda_ref(binder *b, const lh_ast_name_t *n);
lh_err bv_run_declare(binder *b, const lh_ast_stmt_t *st);
lh_err bv_run_set(binder *b, const lh_ast_stmt_t *st);
lh_err bv_run_drop(binder *b, const lh_ast_stmt_t *st);
/* IDENTIFIER(expr): the name its constant string spells (expr bound in where, or over no
 * columns when NULL). */
lh_err bv_identifier(binder *b, const ectx *where, const lh_ast_expr_t *call, lh_ast_name_t *out);

/* bind_stmt.c */
/* Spark's catalog text of a type ("bigint", "array<struct<a:int>>"), in the arena. */
const char *bs_type_text(binder *b, lh_type_t t);
/* The catalog's record of a table column: catalog type text and the Delta JSON of the type. */
/* A table column cannot hold a calendar INTERVAL, however nested (_LEGACY_ERROR_TEMP_1183). */
lh_err bs_check_column_type(lh_type_t t, lh_errbuf *eb);
lh_err bs_catalog_column(binder *b, const char *name, lh_type_t t, bool nullable,
                         const char *comment, lh_catalog_column_t *out);
lh_err bs_values_plan(binder *b, int col_count, const char *const *names, const lh_type_t *types,
                      int row_count, lh_value_t **rows, lh_plan_t **out);

/* bind_colmeta.c: generated, default and identity columns (Delta column metadata) and
 * clustering. */
typedef struct bcm_col {
    const char *name;
    const char *generation; /* delta.generationExpression, or NULL */
    const char *default_;   /* CURRENT_DEFAULT, or NULL */
    bool identity, id_always, id_has_hwm;
    int64_t id_start, id_step, id_hwm;
} bcm_col;
typedef struct bcm_table {
    int count;
    bcm_col *cols; /* in schema order */
    bool any_generated, any_default, any_identity;
    const char *clustering; /* the delta.clustering domain's configuration, or NULL */
} bcm_table;
lh_err bcm_parse(binder *b, const char *schema_string, bcm_table *out);
lh_err bcm_load(binder *b, const char *root, bcm_table *out); /* latest snapshot */
const bcm_col *bcm_find(const bcm_table *t, const char *name);
lh_err bcm_bind_text(binder *b, const scope *sc, const char *text, const char *clause,
                     lh_expr_t **out); /* sc NULL: no columns */
/* A DEFAULT value's text for column col of type: INVALID_DEFAULT_VALUE.* when it does
 * not bind or is not constant; *out the bound value, cast to type. */
lh_err bcm_check_default(binder *b, const char *statement, const char *col, const char *text,
                         lh_type_t type, const char *table, lh_expr_t **out);
lh_err bcm_check_create(binder *b, const lh_ast_create_table_t *ct, const lh_schema_t *schema);
lh_err bcm_apply_create(binder *b, const lh_ast_create_table_t *ct, const lh_schema_t *schema,
                        lh_delta_metadata_t *md, bool checks, lh_delta_protocol_t *proto,
                        char **clustering, bool *has_proto, lh_errbuf *eb);
/* UPDATE: v[i] = the new value of column i (NULL = unchanged); generated columns whose
 * inputs change get their expression over the new values. */
lh_err bcm_update_generated(binder *b, const bcm_table *cm, const lh_plan_t *scan, lh_expr_t **v);
/* MERGE INSERT: the columns left out get their DEFAULT (else NULL), generated ones their
 * expression over the inserted values; IDENTITY ones are marked in fill (NOT_YET when fill
 * is NULL), and those given in given (may be NULL). */
lh_err bcm_insert_fill(binder *b, const bcm_table *cm, const lh_plan_t *scan, lh_expr_t **v,
                       bool *fill, bool *given);
/* Whether a (1,7) protocol lists writer feature `feature`; the protocol with it added
 * (false when already there; names in b's arena). */
bool bcm_protocol_has(const lh_delta_protocol_t *p, const char *feature);
bool bcm_protocol_with(binder *b, const lh_delta_protocol_t *old, const char *feature,
                       lh_delta_protocol_t *out);
/* The delta.clustering domain: its column names (dotted paths; count returned, names in
 * arena), as a JSON array text ("[]" when none), and a configuration for names (malloc'd). */
int bcm_clustering_columns(binder *b, const char *conf, const char ***out);
const char *bcm_clustering_json(binder *b, const char *conf);
char *bcm_clustering_conf(const char *const *names, int n);
/* bind_copy.c: COPY INTO, bound as an INSERT over read_files cut to the files not loaded. */
lh_err bcp_copy_into(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out);

/* bind_infoschema.c: <catalog>.information_schema.<name> (system.: every catalog) as a
 * VALUES plan; LH_E_NOT_FOUND for an unknown catalog or relation name. */
lh_err bis_relation(binder *b, const char *cat, const char *name, lh_plan_t **out);

/* bind_showcreate.c: SHOW CREATE TABLE. */
/* CREATE TABLE t LIKE s: the statement that creates t as s is defined. */
lh_err bsc_like_text(binder *b, const lh_ast_stmt_t *st, const char **text);
lh_err bsc_show_create(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out);
lh_err bcm_generated_checks(binder *b, const lh_plan_t *scan, const bcm_table *cm,
                            lh_plan_checks_t *c, int cap);

#endif
