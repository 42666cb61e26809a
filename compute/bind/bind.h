/*
 * bind.h - the binder: a parsed statement (compute/sql/ast.h) to something runnable.
 *
 * Queries and DML become logical plans (compute/plan/plan.h) with every name resolved and
 * every expression typed, Spark's implicit casts inserted; DDL and session statements
 * (CREATE, DROP, USE, SET, ...) become commands that lh_bind_run_command performs through
 * the resolver (compute/resolver.h) and storage. Results of SHOW/DESCRIBE are plans too
 * (VALUES), so every statement returns rows the same way.
 *
 * Names resolve in this order: CTEs of the enclosing queries, the session's temporary
 * views, then the catalog through the resolver (1 part: current catalog and schema; 2
 * parts: schema.table in the current catalog; 3 parts: catalog.schema.table), and path
 * tables (delta.`/path`). Errors are Spark's classes (TABLE_OR_VIEW_NOT_FOUND,
 * UNRESOLVED_COLUMN.WITH_SUGGESTION, MISSING_AGGREGATION, ...) rendered by sqlerr.h.
 *
 * Thread-safety: a session is used by one statement at a time (the statement API
 * serializes a session's statements); everything a bind produces lives in the caller's
 * arena.
 */
#ifndef LH_COMPUTE_BIND_H
#define LH_COMPUTE_BIND_H

#include <stdbool.h>

#include "common/arena.h"
#include "common/err.h"
#include "compute/func/func.h"
#include "compute/plan/plan.h"
#include "compute/resolver.h"
#include "compute/sql/ast.h"

/* A session: current catalog and schema, SET configs, temporary views. */
typedef struct lh_session lh_session_t;

lh_session_t *lh_session_create(const char *catalog, const char *schema);
void lh_session_destroy(lh_session_t *s);
const char *lh_session_catalog(const lh_session_t *s);
const char *lh_session_schema(const lh_session_t *s);
lh_err lh_session_use(lh_session_t *s, const char *catalog, const char *schema, lh_errbuf *eb);
/* Function settings (time zone, ANSI); valid until the next SET on the session. */
const lh_sql_conf_t *lh_session_conf(const lh_session_t *s);
/* The statement's start time (UTC micros) current_timestamp() and friends read; 0 = clock. */
void lh_session_set_now(lh_session_t *s, int64_t now_us);
/* SET key = value (spark.sql.session.timeZone, spark.sql.ansi.enabled, anything else is
 * kept and shown by SET). */
lh_err lh_session_set(lh_session_t *s, const char *key, const char *value, lh_errbuf *eb);
/* The value of a SET key, or NULL. */
const char *lh_session_get(const lh_session_t *s, const char *key);
/* Temporary views: name -> SQL text (bound afresh at each use). */
lh_err lh_session_put_view(lh_session_t *s, const char *name, const char *sql, bool replace,
                           lh_errbuf *eb);
const char *lh_session_get_view(const lh_session_t *s, const char *name);
bool lh_session_drop_view(lh_session_t *s, const char *name);
/* Temporary functions: name -> the text of its CREATE TEMPORARY FUNCTION statement
 * (parsed afresh at each call). ROUTINE_ALREADY_EXISTS unless replace. */
lh_err lh_session_put_function(lh_session_t *s, const char *name, const char *sql, bool replace,
                               lh_errbuf *eb);
const char *lh_session_get_function(const lh_session_t *s, const char *name);
bool lh_session_drop_function(lh_session_t *s, const char *name);
/* Names of the temporary functions (up to max into out; valid until the next change);
 * returns how many there are. */
int lh_session_function_names(const lh_session_t *s, const char **out, int max);
/* Session variables (DECLARE VARIABLE): name (any case) -> a value of its type, copied,
 * and the SQL text of its default (NULL: "NULL"). VARIABLE_ALREADY_EXISTS unless replace;
 * get: NULL when there is none (the value is valid until the next change); set/drop: false
 * when there is none. */
lh_err lh_session_declare_var(lh_session_t *s, const char *name, const lh_value_t *value,
                              const char *default_text, bool replace, lh_errbuf *eb);
const char *lh_session_var_default(const lh_session_t *s, const char *name);
const lh_value_t *lh_session_get_var(const lh_session_t *s, const char *name);
bool lh_session_set_var(lh_session_t *s, const char *name, const lh_value_t *value);
bool lh_session_drop_var(lh_session_t *s, const char *name);
/* `system`.`session`.`name` (per-thread buffer), as errors name a variable. */
const char *lh_session_var_sql_name(const char *name);
/* RESET [key]: SET values back to their defaults. */
void lh_session_reset(lh_session_t *s, const char *key);
/* The SET keys and values, sorted by key (arrays in a; strings valid until the next SET). */
int lh_session_conf_list(const lh_session_t *s, lh_arena_t *a, const char ***keys,
                         const char ***values);

/* What a statement binds to. */
typedef enum lh_bound_kind {
    LH_BOUND_QUERY,   /* plan: run it, rows are the answer */
    LH_BOUND_COMMAND, /* run lh_bind_run_command, then (if plan) the plan */
} lh_bound_kind;

typedef struct lh_bound {
    lh_bound_kind kind;
    lh_plan_t *plan;            /* rows to return (may be NULL for a command: no rows) */
    const char *statement_type; /* SELECT, INSERT, CREATE, DROP, SET, ... (query history) */
    const lh_ast_stmt_t *stmt;  /* the statement, for commands */
    bool discard_rows;          /* run plan for its effect only (CACHE SELECT warms the data
                                   cache): the answer has no columns and no rows */
} lh_bound_t;

typedef struct lh_bind_env {
    lh_arena_t *arena;
    const lh_resolver_t *resolver;
    lh_session_t *session;
    const char *user;     /* current_user() */
    const char *sql;      /* the statement text (error fragments, view text) */
    const char *data_dir; /* for path tables relative to nothing: absolute only */
    int param_count;      /* named parameters (:name) with their values */
    const char *const *param_names;
    const lh_value_t *param_values;
    int pos_param_count; /* positional parameters (?), EXECUTE IMMEDIATE .. USING */
    const lh_value_t *pos_param_values;
} lh_bind_env_t;

lh_err lh_bind(const lh_bind_env_t *env, const lh_ast_stmt_t *stmt, lh_bound_t **out,
               lh_errbuf *eb);

/* Perform a COMMAND (DDL through the resolver and storage, USE/SET on the session). Its
 * result rows, if any, are in b->plan afterwards (may be set by the command). */
lh_err lh_bind_run_command(const lh_bind_env_t *env, lh_bound_t *b, lh_errbuf *eb);

/* EXECUTE IMMEDIATE: the statement's text (a constant STRING expression; variables
 * allowed) and its USING values, each named by its alias or, for a bare name (a variable),
 * that name (NULL: unnamed; every value is also positional). */
typedef struct lh_exec_immediate {
    const char *sql;
    int arg_count;
    const char **names;
    lh_value_t *values;
} lh_exec_immediate_t;
lh_err lh_bind_execute_immediate(const lh_bind_env_t *env, const lh_ast_stmt_t *st,
                                 lh_exec_immediate_t *out, lh_errbuf *eb);
/* names[i] := vals[i] for session variables (UNRESOLVED_VARIABLE, an assignment's casts;
 * DUPLICATE_ASSIGNMENTS when one is named twice). */
lh_err lh_bind_assign_vars(const lh_bind_env_t *env, const lh_ast_name_t *names, int n,
                           const lh_value_t *vals, lh_errbuf *eb);

/* Map an AST type to an engine type (UNSUPPORTED_DATATYPE for nested ones for now). */
lh_err lh_bind_type(const lh_ast_type_t *t, lh_type_t *out, lh_errbuf *eb);

#endif
