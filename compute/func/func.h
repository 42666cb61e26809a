/*
 * func.h - the function registry: every scalar function, operator and cast the SQL engine
 * calls, as rows of data (name, arity, bind, exec), never a strcmp chain.
 *
 * Binding (once per call site, by compute/bind): the binder gives the argument types (and
 * the constant value of each argument that is a literal after folding); bind checks them,
 * chooses the result type and, through cast_to, the types it wants its arguments cast to
 * (Spark's implicit casts: the binder inserts the casts), and may keep bind_data (a
 * compiled regex, a parsed datetime pattern, a decimal scale) in the arena. Errors are
 * Spark's classes via compute/sqlerr.h (DATATYPE_MISMATCH.*, WRONG_NUM_ARGS.*,...).
 *
 * Execution (once per batch, by compute/expr): exec gets flat argument vectors (no
 * selection vector; nulls in validity) of `rows` values already cast to cast_to, and
 * fills `out` (created by the caller with the bound result type and capacity >= rows):
 * out->count = rows, validity for nulls, string bytes through lh_vec_heap_copy. A typed
 * loop per type, no per-row function pointers, no malloc per row. Runtime errors are
 * Spark's classes (DIVIDE_BY_ZERO, CAST_INVALID_INPUT, ARITHMETIC_OVERFLOW...) raised
 * only where Spark raises them in ANSI mode; try_* variants return NULL instead.
 *
 * Thread-safety: the registry is immutable; bind_data is read-only after bind, so one
 * bound call runs on many threads at once.
 */
#ifndef LH_COMPUTE_FUNC_H
#define LH_COMPUTE_FUNC_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/err.h"
#include "common/vec.h"

/* Session settings a function may depend on (SET spark.sql.session.timeZone = ...). */
typedef struct lh_sql_conf {
    const char *time_zone; /* IANA name, e.g. "UTC", "America/Los_Angeles" */
    bool ansi;             /* spark.sql.ansi.enabled (Databricks SQL: true) */
    int64_t now_us;        /* statement start (UTC micros) for current_timestamp() and
                              friends, the same for every call in a statement; 0 = clock */
    /* (after the fields above: positional initializers name only those) */
    bool legacy_percentile_disc; /* spark.sql.legacy.percentileDiscCalculation */
    bool dec_exact;              /* spark.sql.decimalOperations.allowPrecisionLoss = false */
    bool java_charsets;          /* spark.sql.legacy.javaCharsets: encode/decode take more names */
    bool coding_replace;         /* spark.sql.legacy.codingErrorAction: replace, do not raise */
    bool b64_unchunked;          /* spark.sql.chunkBase64String.enabled = false */
} lh_sql_conf_t;

typedef struct lh_func_bind {
    /* in */
    int arg_count;
    const lh_type_t *arg_types;
    const lh_value_t *const *const_args; /* [i] non-NULL when argument i is a constant */
    const lh_sql_conf_t *conf;
    lh_arena_t *arena; /* for bind_data; lives as long as the bound plan */
    /* optional: each argument's SQL (a column's name; "?" for other arguments: read it
     * with lh_func_arg_sql) and the whole call's, for error messages and arrays_zip's
     * field names; NULL when the caller has none */
    const char *const *arg_sql;
    const char *sql;
    /* out */
    lh_type_t ret_type;
    bool ret_nullable;
    lh_type_t *cast_to; /* arg_count entries, preset to arg_types; bind may change them */
    void *bind_data;    /* in for "cast"/"try_cast": the target lh_type_t (see cast.h) */
} lh_func_bind_t;

typedef struct lh_func_exec {
    const lh_vec_t *const *args; /* arg_count flat vectors, `rows` values each */
    int arg_count;
    size_t rows;
    lh_vec_t *out;
    const void *bind_data;
    const lh_sql_conf_t *conf;
} lh_func_exec_t;

typedef enum { LH_FUNC_SCALAR, LH_FUNC_AGGREGATE, LH_FUNC_WINDOW } lh_func_kind;

typedef struct lh_func {
    const char *name;       /* lower case; operators have names too: "+" is "add" */
    lh_func_kind kind;      /* this header's registry holds LH_FUNC_SCALAR rows */
    int min_args, max_args; /* max_args -1 = variadic */
    lh_err (*bind)(lh_func_bind_t *b, lh_errbuf *eb);
    lh_err (*exec)(const lh_func_exec_t *x, lh_errbuf *eb);
    bool deterministic; /* false for rand, uuid, current_timestamp (not folded) */
} lh_func_t;

/* Family headers: compute/func/cast.h (CAST), coerce.h (implicit casts), format.h (value
 * text), literal.h (literal text), tz.h and datetime.h (time zones, patterns). */

/* The row for a name (case-insensitive), or NULL. */
const lh_func_t *lh_func_find(const char *name);
/* Up to max names close to `name` (edit distance), for UNRESOLVED_ROUTINE suggestions. */
int lh_func_suggest(const char *name, const char **out, int max);
/* Every row, for SHOW FUNCTIONS. */
const lh_func_t *lh_func_all(int *count);

/* DATATYPE_MISMATCH.INVALID_ORDERING_TYPE unless type t (of argument data of fname) has an
 * order (lh_type_orderable): min, max, greatest, sort_array, ... over calendar intervals. */
lh_err lh_func_check_orderable(lh_func_bind_t *b, lh_errbuf *eb, const char *fname, lh_type_t t);

/* The SQL of argument i when it is a column (its name), else NULL (arg_sql holds "?"). */
static inline const char *lh_func_arg_sql(const lh_func_bind_t *b, int i)
{
    const char *s = b->arg_sql ? b->arg_sql[i] : NULL;
    return s != NULL && !(s[0] == '?' && s[1] == '\0') ? s : NULL;
}

#endif
