/*
 * registry_internal.h - what the files of api/mlflow/registry share; not for other areas.
 *
 *   registry.c  the area object: start-up (signing key, executors, permission type),
 *               recovery after a restart (pending copies, pending webhook deliveries)
 *   store.c     reading models and versions from the metastore and rendering them;
 *               offset page tokens
 *   search.c    registered-models/search and model-versions/search as SQL, with
 *               tracking's filter grammar (api/mlflow/filter.h) and SQL builder
 *   models.c    registered models, tags, aliases (handlers + transactions)
 *   versions.c  model versions: create (with the artifact copy), update, delete, stages
 *   activity.c  the Databricks variants: transition requests, comments, activities
 *   webhooks.c  registry webhooks: CRUD, the delivery outbox, sent through api/notify.h
 *   download.c  list-artifacts, download URIs, signed download URLs and their route
 *   routes.c    the route table
 *
 * Tables (migration 7): mlr_models, mlr_model_tags, mlr_versions, mlr_version_tags,
 * mlr_aliases, mlr_activities, mlr_webhooks, mlr_deliveries. Models are keyed by a stable
 * id (32 hex), which is also their permission object id, so renames keep ACLs and storage.
 *
 * Every change is one metastore transaction that also checks the caller's permission and
 * enqueues the webhook deliveries it causes (an outbox: a delivery exists iff its change
 * committed).
 */
#ifndef LH_API_MLFLOW_REGISTRY_INTERNAL_H
#define LH_API_MLFLOW_REGISTRY_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "api/mlflow/registry/registry.h"
#include "common/bg.h"
#include "storage/meta/meta.h"

#define RG_PERM_PATH "registered-models"
#define RG_ID_HEX    32
/* Bounds (each with its reason). */
#define RG_NAME_MAX       256   /* MLflow's registered_models.name column */
#define RG_TAG_KEY_MAX    250   /* MLflow guarantees 250-byte keys */
#define RG_TAG_VALUE_MAX  5000  /* MLflow's tag value column */
#define RG_TAGS_MAX       100   /* tags given in one create call */
#define RG_ALIAS_MAX      256   /* MLflow: alias names up to 256 bytes */
#define RG_TEXT_MAX       65536 /* descriptions, comments */
#define RG_URI_MAX        4096  /* source, run_link */
#define RG_DELIVERIES_MAX 10000 /* the webhook outbox: more are dropped (and counted) */
#define RG_WEBHOOKS_MAX   1000  /* webhooks in a workspace */
#define RG_HOOK_ATTEMPTS  6     /* a delivery is tried this often, backoff 1, 2, 4, 8, 16 s */
#define RG_HOOK_TIMEOUT_MS                                                                         \
    10000                      /* one delivery's HTTP call (the sender's LH_NOTIFY_TIMEOUT_MS)     \
                                */
#define RG_HOOK_LEASE_MS 60000 /* a delivery handed to the sender is not picked again */
#define RG_HOOK_BODY_MAX 4096  /* bytes of a test delivery's answer kept for the caller */

typedef struct rg_hook_sink rg_hook_sink; /* webhooks.c: outlives the area for late sends */

typedef struct lh_registry {
    lh_ctx_t *ctx;
    lh_meta_t *meta;
    lh_bg_executor_t *work_ex; /* artifact copies and deletes */
    lh_bg_executor_t *hook_ex; /* webhook deliveries: one thread, the outbox drainer */
    lh_bg_timer_t *drain_timer;
    struct lh_signed_url *signer; /* signed download URLs (api/signed_url.h) */
    int64_t signed_ttl_ms;
    atomic_bool stopping;
    atomic_bool drain_queued;
    rg_hook_sink *hooks; /* deliveries in flight (rg_hooks_start .. rg_hooks_stop) */
    atomic_llong deliveries_dropped, copies_failed;
} lh_registry_t;

/* The running area (ctx->registry: set by create, cleared by destroy). */
static inline lh_registry_t *rg_of(const lh_req_t *req)
{
    return req->ctx->registry;
}

/* ---- store.c ---- */

typedef struct rg_model {
    char id[RG_ID_HEX + 1];
    const char *name, *description, *user_id;
    int64_t creation_ms, updated_ms;
} rg_model;

typedef struct rg_version {
    int64_t version;
    const char *stage, *description, *source, *run_id, *run_link, *status, *status_message,
        *user_id, *storage;
    int64_t creation_ms, updated_ms;
} rg_version;

/* Offset page tokens, as MLflow's SQL store writes them: base64 of {"offset": n}. An empty
 * or NULL token is offset 0; anything else malformed is LH_E_INVALID "Invalid page token". */
lh_err rg_page_offset(const char *token, int64_t *offset, lh_errbuf *eb);
const char *rg_page_token(lh_arena_t *arena, int64_t offset);

/* Canonical stage for text (case-insensitive), or NULL. */
const char *rg_stage_canonical(const char *text);
/* A stage parameter: LH_E_INVALID "Invalid Model Version stage: ..." when not a stage. */
lh_err rg_stage_parse(const char *text, const char **stage, lh_errbuf *eb);

/* A model from a row whose first columns are RG_MODEL_COLS; strings in arena. */
#define RG_MODEL_COLS "id, name, description, user_id, creation_ms, updated_ms"
void rg_model_row(lh_stmt_t *st, lh_arena_t *arena, rg_model *out);

/* Inside a metastore callback. Strings live in arena. */
lh_err rg_model_find(lh_meta_t *m, const char *name, lh_arena_t *arena, rg_model *out,
                     lh_errbuf *eb);
lh_err rg_model_by_id(lh_meta_t *m, const char *id, lh_arena_t *arena, rg_model *out, bool *found,
                      lh_errbuf *eb);
lh_err rg_version_find(lh_meta_t *m, const rg_model *mo, int64_t version, lh_arena_t *arena,
                       rg_version *out, lh_errbuf *eb);
/* Inside a callback: re-read *mo by its id (a rename or delete may have raced the caller's
 * permission check); LH_E_NOT_FOUND under its old name when it is gone. */
lh_err rg_model_reload(lh_meta_t *m, lh_arena_t *arena, rg_model *mo, lh_errbuf *eb);
/* The required "name" param, a registered model name (non-empty, at most RG_NAME_MAX). */
lh_err rg_name_param(const json_t *params, const char **name, lh_errbuf *eb);
/* The version param as a number: LH_E_INVALID unless a positive integer. */
lh_err rg_version_param(const json_t *params, int64_t *out, lh_errbuf *eb);
/* Bump a model's last_updated_timestamp. */
lh_err rg_model_touch(lh_meta_t *m, const char *model_id, int64_t now_ms, lh_errbuf *eb);

/* Renderings (new JSON objects). */
lh_err rg_model_json(lh_meta_t *m, const rg_model *mo, lh_arena_t *arena, json_t **out,
                     lh_errbuf *eb);
lh_err rg_version_json(lh_meta_t *m, const rg_model *mo, const rg_version *v, json_t **out,
                       lh_errbuf *eb);
/* Latest version per stage (stages NULL = every stage), ascending by stage order. */
lh_err rg_latest_versions(lh_meta_t *m, const rg_model *mo, const char *const *stages,
                          size_t stage_count, lh_arena_t *arena, json_t *list, lh_errbuf *eb);
/* The tags param ([{key, value}]) validated; NULL when absent. */
lh_err rg_tags_param(const json_t *params, json_t **tags, lh_errbuf *eb);
lh_err rg_check_name(const char *what, const char *name, size_t max, lh_errbuf *eb);

/* Permission helpers (run outside metastore callbacks). */
lh_err rg_require(const lh_req_t *req, const char *model_id, const char *level, lh_errbuf *eb);
/* Read the model by name (404) and require level on it. */
lh_err rg_model_require(lh_req_t *req, const char *name, const char *level, rg_model *out,
                        lh_errbuf *eb);
const char *rg_user(const lh_req_t *req);

/* ---- versions.c ---- */

/* Post the artifact copy of a PENDING_REGISTRATION version (also used by recovery). */
void rg_copy_post(lh_registry_t *r, const char *model_id, int64_t version);
/* Whether uri is one of the registry's own copies (dbfs:/ or mlflow-artifacts:/ root). */
bool rg_is_registry_copy(const char *uri);
/* Delete copied artifacts on the work executor (best effort). */
void rg_storage_delete_post(lh_registry_t *r, const char *uri);
/* Apply a stage transition inside a transaction (archive_existing in the same one). */
lh_err rg_transition_tx(lh_meta_t *m, const rg_model *mo, int64_t version, const char *stage,
                        bool archive_existing, const char *user, int64_t now_ms,
                        const char **from_stage, lh_errbuf *eb);
/* The level a transition from -> to needs. */
const char *rg_transition_level(const char *from, const char *to);

/* ---- activity.c ---- */
lh_err rg_activity_add(lh_meta_t *m, const char *model_id, int64_t version, const char *type,
                       const char *from, const char *to, const char *comment,
                       const char *system_comment, const char *user, int64_t now_ms, lh_errbuf *eb);

/* ---- webhooks.c ---- */

/* Inside a transaction: queue event for every ACTIVE webhook that listens (model_name
 * scoped or registry-wide). fields is borrowed; event, webhook_id, event_timestamp are
 * added. */
lh_err rg_hook_event(lh_registry_t *r, lh_meta_t *m, const char *event, const char *model_name,
                     json_t *fields, int64_t now_ms, lh_errbuf *eb);
/* rg_hook_event for one version: adds "version" (as text) to fields, which it steals. */
lh_err rg_hook_version_event(lh_registry_t *r, lh_meta_t *m, const char *event,
                             const char *model_name, int64_t version, json_t *fields,
                             int64_t now_ms, lh_errbuf *eb);
/* After a commit that may have queued deliveries: have the drainer look now. */
void rg_hook_kick(lh_registry_t *r);
/* recover: claimed rows due again, the drain timer. stop (destroy, after the executors):
 * sends still in flight finish on their own. counts: deliveries sent and dropped. */
lh_err rg_hooks_start(lh_registry_t *r, lh_errbuf *eb);
void rg_hooks_stop(lh_registry_t *r);
void rg_hook_counts(const lh_registry_t *r, long long *ok, long long *failed);

/* ---- download.c ---- */
/* HMAC-SHA256 hex of the signed-URL message. */

/* ---- handlers (routes.c lists them) ---- */
#define RG_HANDLER(n) lh_err n(lh_req_t *req, lh_errbuf *eb)
RG_HANDLER(rg_h_model_create);
RG_HANDLER(rg_h_model_get);
RG_HANDLER(rg_h_model_get_databricks);
RG_HANDLER(rg_h_model_rename);
RG_HANDLER(rg_h_model_update);
RG_HANDLER(rg_h_model_delete);
RG_HANDLER(rg_h_model_search);
RG_HANDLER(rg_h_model_latest);
RG_HANDLER(rg_h_model_set_tag);
RG_HANDLER(rg_h_model_delete_tag);
RG_HANDLER(rg_h_alias_set);
RG_HANDLER(rg_h_alias_delete);
RG_HANDLER(rg_h_alias_get);
RG_HANDLER(rg_h_version_create);
RG_HANDLER(rg_h_version_get);
RG_HANDLER(rg_h_version_update);
RG_HANDLER(rg_h_version_delete);
RG_HANDLER(rg_h_version_search);
RG_HANDLER(rg_h_version_transition);
RG_HANDLER(rg_h_version_transition_databricks);
RG_HANDLER(rg_h_version_set_tag);
RG_HANDLER(rg_h_version_delete_tag);
RG_HANDLER(rg_h_version_download_uri);
RG_HANDLER(rg_h_version_list_artifacts);
RG_HANDLER(rg_h_version_signed_uri);
RG_HANDLER(rg_h_signed_download);
RG_HANDLER(rg_h_request_create);
RG_HANDLER(rg_h_request_approve);
RG_HANDLER(rg_h_request_reject);
RG_HANDLER(rg_h_request_list);
RG_HANDLER(rg_h_request_delete);
RG_HANDLER(rg_h_comment_create);
RG_HANDLER(rg_h_comment_update);
RG_HANDLER(rg_h_comment_delete);
RG_HANDLER(rg_h_hook_create);
RG_HANDLER(rg_h_hook_list);
RG_HANDLER(rg_h_hook_update);
RG_HANDLER(rg_h_hook_delete);
RG_HANDLER(rg_h_hook_test);

const lh_route_t *rg_routes(int *count);

#endif
