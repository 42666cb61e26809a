/*
 * mlflow.c - the MLflow tracking area's descriptor. Placeholder until tracking lands: no
 * routes (server/pending.c answers 501 for them).
 */
#include "api/mlflow/mlflow.h"

#include "api/area.h"

const lh_area_t lh_mlflow_area = {.name = "mlflow"};

lh_err lh_mlflow_run_artifact_uri(lh_ctx_t *ctx, const char *run_id, lh_arena_t *arena,
                                  const char **uri, lh_errbuf *eb)
{
    (void)ctx, (void)arena, (void)uri;
    LH_FAIL(LH_E_NOT_FOUND, eb, "Run '%s' not found", run_id);
}
