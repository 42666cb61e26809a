/*
 * workspace.c - the workspace area's descriptor. Placeholder until DBFS lands: no routes
 * (server/pending.c answers 501 for them), and the artifact calls answer
 * LH_E_NOT_IMPLEMENTED.
 */
#include "api/workspace/workspace.h"

#include "api/area.h"

const lh_area_t lh_workspace_area = {.name = "workspace"};

lh_err lh_artifacts_list(lh_ctx_t *ctx, const char *root_uri, const char *rel_path, json_t **files,
                         lh_errbuf *eb)
{
    (void)ctx, (void)root_uri, (void)rel_path, (void)files;
    LH_FAIL(LH_E_NOT_IMPLEMENTED, eb, "artifact storage is not implemented yet");
}

lh_err lh_artifacts_copy(lh_ctx_t *ctx, const char *src_uri, const char *dst_uri, lh_errbuf *eb)
{
    (void)ctx, (void)src_uri, (void)dst_uri;
    LH_FAIL(LH_E_NOT_IMPLEMENTED, eb, "artifact storage is not implemented yet");
}

lh_err lh_artifacts_delete(lh_ctx_t *ctx, const char *uri, lh_errbuf *eb)
{
    (void)ctx, (void)uri;
    LH_FAIL(LH_E_NOT_IMPLEMENTED, eb, "artifact storage is not implemented yet");
}

lh_err lh_artifacts_open(lh_ctx_t *ctx, const char *uri, int *fd, uint64_t *size, lh_errbuf *eb)
{
    (void)ctx, (void)uri, (void)fd, (void)size;
    LH_FAIL(LH_E_NOT_IMPLEMENTED, eb, "artifact storage is not implemented yet");
}
