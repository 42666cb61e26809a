/*
 * filter.h - MLflow's search grammar (mlflow/utils/search_utils.py), parsed into clauses
 * that search.c turns into SQL. Pure: no metastore, no SQL.
 *
 * Filter:   clause (AND clause)*          (AND and the operators are case-insensitive)
 * Clause:   key op value
 * Key:      [entity '.'] name             entity: metric(s), param(s)/parameter(s), tag(s),
 *                                          attribute(s)/attr/run, dataset(s) (per target);
 *                                          no entity = an attribute
 *           name: bare ([A-Za-z0-9_] and dots), or quoted with backticks, "..." or '...'
 *           (keys with spaces, dashes, dots); the entity may be backticked
 * Op:       = != > >= < <= LIKE ILIKE IN NOT IN, as the key's kind allows:
 *             metrics, numeric attributes   = != > >= < <=      (number values)
 *             params, tags                  = != LIKE ILIKE     ('string' or "string")
 *             string attributes             = != LIKE ILIKE, IN / NOT IN for run_id
 *             datasets (name/digest/context) = != LIKE ILIKE IN NOT IN
 * Value:    'text' | "text" (kept verbatim between the quotes, as MLflow does) | number |
 *           ('a', 'b', ...) for IN
 * Order:    key [ASC|DESC]                 (datasets cannot order)
 *
 * Targets differ in their attributes and entities:
 *   runs          run_id, run_name ("run name", "Run name", "Run Name"), status, user_id,
 *                 artifact_uri, lifecycle_stage, start_time (created, Created), end_time
 *   experiments   name, creation_time, last_update_time (filter); + experiment_id (order);
 *                 entities attribute(s)/attr and tag(s) only
 *   models        name, model_id, model_type, status, source_run_id, creation_timestamp
 *                 (creation_time), last_updated_timestamp (last_updated_time)
 *   registered    (the model registry's SearchRegisteredModels) name (filter and order);
 *   models        creation_timestamp, last_updated_timestamp (timestamp) (order only);
 *                 entities attribute and tag(s) only; no IN
 *   model         (SearchModelVersions) name, run_id, source_path, version_number (filter);
 *   versions      name, version_number, creation_timestamp, last_updated_timestamp (order);
 *                 entities attribute and tag(s) only; IN (not NOT IN) for run_id only;
 *                 version_number also takes a quoted number ('3'), as MLflow's store does
 * Errors are LH_E_INVALID naming the filter and the 0-based character position.
 *
 * Thread-safe (no shared state); results live in the arena.
 */
#ifndef LH_API_MLFLOW_FILTER_H
#define LH_API_MLFLOW_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/err.h"

/* Most clauses in one filter, and most values in one IN list (bounded SQL). */
#define LH_MLFLOW_FILTER_CLAUSES_MAX 64
#define LH_MLFLOW_FILTER_LIST_MAX    1000
/* Longest filter or order_by text accepted. */
#define LH_MLFLOW_FILTER_BYTES_MAX (64 * 1024)

typedef enum lh_mlflow_target {
    LH_MLFLOW_RUNS,
    LH_MLFLOW_EXPERIMENTS,
    LH_MLFLOW_MODELS,
    LH_MLFLOW_REGISTERED_MODELS,
    LH_MLFLOW_MODEL_VERSIONS,
} lh_mlflow_target;

typedef enum lh_mlflow_entity {
    LH_MLFLOW_METRIC,
    LH_MLFLOW_PARAM,
    LH_MLFLOW_TAG,
    LH_MLFLOW_ATTR,
    LH_MLFLOW_DATASET,
} lh_mlflow_entity;

typedef enum lh_mlflow_op {
    LH_MLFLOW_EQ,
    LH_MLFLOW_NE,
    LH_MLFLOW_GT,
    LH_MLFLOW_GE,
    LH_MLFLOW_LT,
    LH_MLFLOW_LE,
    LH_MLFLOW_LIKE,
    LH_MLFLOW_ILIKE,
    LH_MLFLOW_IN,
    LH_MLFLOW_NOT_IN,
} lh_mlflow_op;

typedef struct lh_mlflow_clause {
    lh_mlflow_entity entity;
    const char *key; /* the metric/param/tag name, or the canonical attribute name */
    bool numeric;    /* compares numbers (metrics, numeric attributes) */
    lh_mlflow_op op;
    double number;     /* numeric: the value */
    const char *text;  /* otherwise: the string value (IN: NULL) */
    const char **list; /* IN / NOT IN: the values */
    size_t list_count;
    size_t pos; /* where the clause starts in the filter */
} lh_mlflow_clause_t;

typedef struct lh_mlflow_filter {
    lh_mlflow_clause_t *clauses;
    size_t count;
} lh_mlflow_filter_t;

typedef struct lh_mlflow_order {
    lh_mlflow_entity entity;
    const char *key;
    bool numeric; /* sorts numbers (metrics, numeric attributes) */
    bool ascending;
} lh_mlflow_order_t;

/* Parse text (bytes long, need not be NUL-terminated; empty or blank = no clauses). */
lh_err lh_mlflow_filter_parse(lh_mlflow_target target, const char *text, size_t bytes,
                              lh_arena_t *arena, lh_mlflow_filter_t *out, lh_errbuf *eb);

/* Parse one order_by element ("metrics.rmse DESC"). */
lh_err lh_mlflow_order_parse(lh_mlflow_target target, const char *text, size_t bytes,
                             lh_arena_t *arena, lh_mlflow_order_t *out, lh_errbuf *eb);

/* The operator as written in MLflow's messages ("NOT IN"). */
const char *lh_mlflow_op_name(lh_mlflow_op op);

#endif
