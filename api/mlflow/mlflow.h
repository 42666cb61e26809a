/*
 * mlflow.h - MLflow tracking (api/mlflow): experiments, runs, metrics, params, tags,
 * datasets, logged models and search, under /api/2.0/mlflow/ and /ajax-api/2.0/mlflow/.
 * The model registry is api/mlflow/registry/ (registry.h), a second area in the same
 * folder that reaches tracking through this header.
 *
 * Thread-safe: every function may be called from any thread.
 */
#ifndef LH_API_MLFLOW_H
#define LH_API_MLFLOW_H

#include "api/api.h"

/* The area descriptor (api/area.h). */
extern const struct lh_area lh_mlflow_area;

/* The artifact_uri of run run_id (32 hex characters), in arena; LH_E_NOT_FOUND naming the
 * run when there is none (deleted runs still resolve). */
lh_err lh_mlflow_run_artifact_uri(lh_ctx_t *ctx, const char *run_id, lh_arena_t *arena,
                                  const char **uri, lh_errbuf *eb);

#endif
