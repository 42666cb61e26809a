/*
 * registry.h - the MLflow model registry (api/mlflow/registry): registered models, model
 * versions, stages, aliases, transition requests, comments and registry webhooks, under
 * /api/2.0/mlflow/ (and /ajax-api/2.0/mlflow/).
 */
#ifndef LH_API_MLFLOW_REGISTRY_H
#define LH_API_MLFLOW_REGISTRY_H

#include "api/api.h"

/* The area descriptor (api/area.h). */
extern const struct lh_area lh_registry_area;

#endif
