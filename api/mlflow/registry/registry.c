/*
 * registry.c - the model registry area's descriptor. Placeholder until the registry
 * lands: no routes (server/pending.c answers 501 for them).
 */
#include "api/mlflow/registry/registry.h"

#include "api/area.h"

const lh_area_t lh_registry_area = {.name = "registry"};
