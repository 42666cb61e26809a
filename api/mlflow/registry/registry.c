/*
 * registry.c - the model registry area object (api/area.h): start-up, recovery, metrics,
 * shutdown.
 *
 *   create   the URL signer (api/signed_url.h, shared with the Statement API's links), two
 *            executors (work: artifact
 *            copies and deletes; hooks: the one-thread webhook drainer, which hands each
 *            POST to the daemon's notification sender, ctx->notify),
 *            the permission type's exists function (registered models by id)
 *   recover  versions left PENDING_REGISTRATION by a crash are copied again; the webhook
 *            drainer starts (every 500 ms; pending deliveries resume)
 *   destroy  stop flag (queued copies and deliveries become no-ops; a pending version stays
 *            pending and is redone at the next start), drain both executors
 *
 * lh_ctx_t has no slot for this area, so the running instance is reached through rg_of(req)
 * (one registry per daemon; set by create, cleared by destroy).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/area.h"
#include "api/mlflow/registry/registry_internal.h"
#include "api/perm.h"
#include "api/signed_url.h"
#include "common/config.h"
#include "common/util.h"

typedef struct exists_arg {
    const char *id;
    bool found;
} exists_arg;

static lh_err exists_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    exists_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "SELECT 1 FROM mlr_models WHERE id = ?", &st, eb));
    lh_stmt_bind_text(st, 1, a->id);
    return lh_stmt_step(st, &a->found, eb);
}

static bool model_exists(void *arg, const char *object_id)
{
    lh_registry_t *r = arg;
    exists_arg a = {object_id, false};
    lh_errbuf eb;
    return lh_meta_read(r->meta, exists_read, &a, &eb) == LH_OK && a.found;
}

static void registry_free(lh_registry_t *r)
{
    lh_signed_url_close(r->signer);
    free(r);
}

static lh_err area_create(lh_ctx_t *ctx, void **state, lh_errbuf *eb)
{
    lh_registry_t *r = calloc(1, sizeof *r);
    LH_FAIL_IF(r == NULL, LH_E_NOMEM, eb, "out of memory");
    r->ctx = ctx;
    r->meta = ctx->meta;
    int64_t minute = ctx->config != NULL ? ctx->config->test_minute_ms : 60000;
    r->signed_ttl_ms = 15 * minute;
    lh_err e = lh_signed_url_open(ctx->data_dir, &r->signer, eb);
    if (e == LH_OK)
        e = lh_bg_executor(ctx->bg, "registry-work", 2, 1024, &r->work_ex, eb);
    if (e == LH_OK)
        e = lh_bg_executor(ctx->bg, "registry-webhooks", 1, 64, &r->hook_ex, eb);
    if (e != LH_OK) {
        registry_free(r);
        return e;
    }
    lh_perm_register(ctx->perm, RG_PERM_PATH, model_exists, r);
    ctx->registry = r;
    *state = r;
    return LH_OK;
}

typedef struct pending_arg {
    lh_registry_t *r;
    json_t *list;
} pending_arg;

static lh_err pending_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    pending_arg *a = arg;
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT model_id, version FROM mlr_versions WHERE status = "
                        "'PENDING_REGISTRATION'",
                        &st, eb));
    while (true) {
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        json_array_append_new(
            a->list, json_pack("[s, I]", lh_stmt_text(st, 0), (json_int_t)lh_stmt_int(st, 1)));
    }
}

static lh_err area_recover(void *state, lh_errbuf *eb)
{
    lh_registry_t *r = state;
    pending_arg a = {r, json_array()};
    lh_err e = lh_meta_read(r->meta, pending_read, &a, eb);
    for (size_t i = 0; e == LH_OK && i < json_array_size(a.list); i++) {
        json_t *p = json_array_get(a.list, i);
        rg_copy_post(r, json_string_value(json_array_get(p, 0)),
                     json_integer_value(json_array_get(p, 1)));
    }
    json_decref(a.list);
    LH_TRY(e);
    return rg_hooks_start(r, eb);
}

static void area_metrics(void *state, FILE *out)
{
    lh_registry_t *r = state;
    long long ok, failed;
    rg_hook_counts(r, &ok, &failed);
    fprintf(out,
            "# TYPE lakehouse_registry_webhook_deliveries_total counter\n"
            "lakehouse_registry_webhook_deliveries_total{result=\"ok\"} %lld\n"
            "lakehouse_registry_webhook_deliveries_total{result=\"failed\"} %lld\n"
            "lakehouse_registry_webhook_deliveries_total{result=\"dropped\"} %lld\n"
            "# TYPE lakehouse_registry_copies_failed_total counter\n"
            "lakehouse_registry_copies_failed_total %lld\n",
            ok, failed, (long long)atomic_load(&r->deliveries_dropped),
            (long long)atomic_load(&r->copies_failed));
}

static void area_destroy(void *state)
{
    lh_registry_t *r = state;
    atomic_store(&r->stopping, true);
    if (r->drain_timer != NULL)
        lh_bg_timer_cancel(r->drain_timer);
    lh_bg_executor_shutdown(r->hook_ex);
    lh_bg_executor_shutdown(r->work_ex);
    rg_hooks_stop(r);
    r->ctx->registry = NULL;
    registry_free(r);
}

const lh_area_t lh_registry_area = {
    .name = "registry",
    .create = area_create,
    .recover = area_recover,
    .routes = rg_routes,
    .render_metrics = area_metrics,
    .destroy = area_destroy,
};
