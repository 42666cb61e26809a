/*
 * download.c - reaching a version's copied artifacts:
 *   GET model-versions/get-download-uri          {artifact_uri} (the registry's copy)
 *   GET model-versions/list-artifacts            {files[{path,is_dir,file_size}]}
 *   GET model-versions/get-signed-download-uri   {signed_uri, headers[]}
 *   GET model-versions/signed-download?...       the file, WITHOUT a bearer token
 * The last two are what MLflow's DatabricksModelsArtifactRepository uses for
 * models:/<name>/<version> with tracking URI `databricks`.
 *
 * A signed URL names the version by model id (rename-proof) and the path, and carries
 * expires and signature from api/signed_url.h (the daemon's one URL key), over the string
 * "mlflow-registry/<model_id>/<version>/<path>". It lives 15 minutes
 * (LAKEHOUSE_TEST_MINUTE_MS scales a minute, for tests). A missing, bad or expired
 * signature is 403.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/mlflow/registry/registry_internal.h"
#include "api/signed_url.h"
#include "api/workspace/workspace.h"
#include "common/json.h"
#include "common/util.h"

typedef struct dop {
    lh_req_t *req;
    const char *name, *path;
    int64_t version;
    rg_model mo;
    rg_version v;
} dop;

static lh_err version_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    dop *o = arg;
    LH_TRY(rg_model_reload(m, o->req->arena, &o->mo, eb));
    return rg_version_find(m, &o->mo, o->version, o->req->arena, &o->v, eb);
}

static lh_err prepare(lh_req_t *req, dop *o, lh_errbuf *eb)
{
    o->req = req;
    o->path = "";
    LH_TRY(lh_json_get_str(req->params, "name", LH_REQUIRED, &o->name, eb));
    LH_TRY(rg_version_param(req->params, &o->version, eb));
    LH_TRY(lh_json_get_str(req->params, "path", LH_OPTIONAL, &o->path, eb));
    LH_FAIL_IF(strlen(o->path) > RG_URI_MAX, LH_E_INVALID, eb, "path too long");
    while (*o->path == '/')
        o->path++;
    LH_TRY(rg_model_require(req, o->name, "CAN_READ", &o->mo, eb));
    return lh_meta_read(req->ctx->meta, version_read, o, eb);
}

lh_err rg_h_version_download_uri(lh_req_t *req, lh_errbuf *eb)
{
    dop o;
    memset(&o, 0, sizeof o);
    LH_TRY(prepare(req, &o, eb));
    const char *uri = o.v.storage ? o.v.storage : o.v.source;
    req->out = json_pack("{s:s}", "artifact_uri", uri);
    return LH_OK;
}

static bool copied(const rg_version *v)
{
    return rg_is_registry_copy(v->storage);
}

lh_err rg_h_version_list_artifacts(lh_req_t *req, lh_errbuf *eb)
{
    dop o;
    memset(&o, 0, sizeof o);
    LH_TRY(prepare(req, &o, eb));
    json_t *files = NULL;
    if (copied(&o.v))
        LH_TRY(lh_artifacts_list(req->ctx, o.v.storage, o.path, &files, eb));
    req->out = json_pack("{s:o}", "files", files ? files : json_array());
    return LH_OK;
}

static char *url_encode(lh_arena_t *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = lh_arena_alloc(a, 3 * strlen(s) + 1), *p = out;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
            *p++ = (char)c;
        } else {
            *p++ = '%';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        }
    }
    *p = '\0';
    return out;
}

static const char *signed_what(lh_arena_t *a, const char *model_id, int64_t version,
                               const char *path)
{
    return lh_arena_sprintf(a, "mlflow-registry/%s/%lld/%s", model_id, (long long)version, path);
}

lh_err rg_h_version_signed_uri(lh_req_t *req, lh_errbuf *eb)
{
    dop o;
    memset(&o, 0, sizeof o);
    LH_TRY(prepare(req, &o, eb));
    LH_FAIL_IF(*o.path == '\0', LH_E_INVALID, eb, "path must name a file of the model version");
    LH_FAIL_IF(!copied(&o.v), LH_E_STATE, eb,
               "Model Version (name=%s, version=%lld) has no stored artifacts (status %s)",
               o.mo.name, (long long)o.version, o.v.status);
    lh_registry_t *r = rg_of(req);
    char query[256];
    lh_signed_url_sign(r->signer, signed_what(req->arena, o.mo.id, o.version, o.path),
                       lh_now_ms() + r->signed_ttl_ms, query, sizeof query);
    const char *uri = lh_arena_sprintf(
        req->arena,
        "%s/api/2.0/mlflow/model-versions/signed-download?model_id=%s&version=%lld&path=%s&%s",
        req->ctx->workspace_host, o.mo.id, (long long)o.version, url_encode(req->arena, o.path),
        query);
    req->out = json_pack("{s:s, s:[]}", "signed_uri", uri, "headers");
    return LH_OK;
}

/* ---- the signed route (no token) ---- */

typedef struct sop {
    lh_req_t *req;
    const char *model_id, *path;
    int64_t version;
    const char *storage;
} sop;

static lh_err storage_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    sop *o = arg;
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT storage FROM mlr_versions WHERE model_id = ? AND version = ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, o->model_id);
    lh_stmt_bind_int(st, 2, o->version);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row || lh_stmt_text(st, 0) == NULL, LH_E_NOT_FOUND, eb,
               "The model version no longer exists");
    o->storage = lh_arena_strdup(o->req->arena, lh_stmt_text(st, 0));
    return LH_OK;
}

lh_err rg_h_signed_download(lh_req_t *req, lh_errbuf *eb)
{
    sop o = {.req = req};
    const char *sig = NULL, *expires = NULL;
    lh_errbuf inner;
    bool ok = lh_json_get_str(req->params, "model_id", LH_REQUIRED, &o.model_id, &inner) == LH_OK &&
              lh_json_get_str(req->params, "path", LH_REQUIRED, &o.path, &inner) == LH_OK &&
              lh_json_get_str(req->params, "signature", LH_REQUIRED, &sig, &inner) == LH_OK &&
              lh_json_get_int(req->params, "version", LH_REQUIRED, &o.version, &inner) == LH_OK &&
              lh_json_get_str(req->params, "expires", LH_REQUIRED, &expires, &inner) == LH_OK &&
              strlen(o.model_id) == RG_ID_HEX && strlen(o.path) <= RG_URI_MAX;
    LH_FAIL_IF(!ok, LH_E_PERMISSION, eb, "Invalid signed URL");
    LH_TRY(lh_signed_url_verify(rg_of(req)->signer,
                                signed_what(req->arena, o.model_id, o.version, o.path), expires,
                                sig, lh_now_ms(), eb));
    LH_TRY(lh_meta_read(req->ctx->meta, storage_read, &o, eb));
    int fd;
    uint64_t size;
    LH_TRY(lh_artifacts_open(req->ctx, lh_arena_sprintf(req->arena, "%s/%s", o.storage, o.path),
                             &fd, &size, eb));
    lh_req_send_file(req, fd, size, "application/octet-stream");
    return LH_OK;
}
