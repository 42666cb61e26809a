/*
 * webhooks.c - registry webhooks (Databricks' /api/2.0/mlflow/registry-webhooks/...):
 * create, list, update, delete, test, and their delivery.
 *
 * Delivery is an outbox in the metastore (mlr_deliveries, at most RG_DELIVERIES_MAX rows):
 *
 *   change tx ──inserts──> mlr_deliveries (next_ms = now) ──drainer (hook executor, one
 *   thread; kicked after each commit and every 500 ms by a timer)──> POST url
 *        2xx: row deleted          else: attempts + 1, next_ms = now + 2^(attempts-1) s,
 *                                        dropped (logged, counted) after RG_HOOK_ATTEMPTS
 *
 * so a delivery exists iff its change committed, never runs on a request thread, and rows
 * left by a crash are sent after the restart. Each POST carries the JSON payload
 * {event, webhook_id, event_timestamp, model_name, version, ..., text}, the webhook's
 * Authorization header when set, and, when the webhook has a secret,
 * X-Databricks-Signature: hex HMAC-SHA256 of the body keyed by the secret (the header
 * databricks-sdk-py's HttpUrlSpec documents). The POST itself goes through the daemon's one
 * notification sender (api/notify.h, ctx->notify) with one attempt per outbox try; while
 * it is in flight the row is claimed (next_ms = now + RG_HOOK_LEASE_MS), and a restart
 * makes claimed rows due at once.
 *
 * A job webhook (job_spec {job_id, access_token, workspace_url}) is delivered the same way
 * as POST {workspace_url or this daemon}/api/2.1/jobs/run-now {job_id, notebook_params:
 * {event_message: <the payload's JSON text>}} with "Authorization: Bearer <access_token>",
 * as Databricks passes the payload to the job (dbutils.widgets.get("event_message")). The
 * token is stored like an http_url_spec's authorization and never shown.
 *
 * Permissions: a webhook on a model needs CAN_MANAGE on that model; a registry-wide one
 * (no model_name) needs an admin.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/hmac.h>

#include "api/mlflow/registry/registry_internal.h"
#include "api/notify.h"
#include "api/perm.h"
#include "common/config.h"
#include "common/json.h"
#include "common/util.h"

static const char *const EVENTS[] = {
    "MODEL_VERSION_CREATED",
    "MODEL_VERSION_TRANSITIONED_STAGE",
    "TRANSITION_REQUEST_CREATED",
    "COMMENT_CREATED",
    "REGISTERED_MODEL_CREATED",
    "MODEL_VERSION_TAG_SET",
    "MODEL_VERSION_TRANSITIONED_TO_STAGING",
    "MODEL_VERSION_TRANSITIONED_TO_PRODUCTION",
    "MODEL_VERSION_TRANSITIONED_TO_ARCHIVED",
    "TRANSITION_REQUEST_TO_STAGING_CREATED",
    "TRANSITION_REQUEST_TO_PRODUCTION_CREATED",
    "TRANSITION_REQUEST_TO_ARCHIVED_CREATED",
    NULL,
};

static bool known_event(const char *e)
{
    for (int i = 0; EVENTS[i] != NULL; i++)
        if (strcmp(EVENTS[i], e) == 0)
            return true;
    return false;
}

/* lh_json_write without the length. */
static char *json_text(const json_t *v, size_t *unused)
{
    size_t n;
    (void)unused;
    return lh_json_write(v, &n);
}

/* ---- the outbox ---- */

static const char *event_text(const char *event, const char *model, const json_t *f)
{
    (void)f;
    (void)model;
    if (strncmp(event, "MODEL_VERSION_TRANSITIONED", 26) == 0)
        return "A model version's stage was changed.";
    if (strcmp(event, "MODEL_VERSION_CREATED") == 0)
        return "A new model version was created.";
    if (strcmp(event, "REGISTERED_MODEL_CREATED") == 0)
        return "A new registered model was created.";
    if (strcmp(event, "COMMENT_CREATED") == 0)
        return "A user wrote a comment on a model version.";
    if (strcmp(event, "MODEL_VERSION_TAG_SET") == 0)
        return "A user set a tag on a model version.";
    return "A user requested a model version's stage be transitioned.";
}

static json_t *payload(const char *event, const char *hook_id, const char *model_name,
                       const json_t *fields, int64_t now)
{
    json_t *p = json_pack("{s:s, s:s, s:I}", "event", event, "webhook_id", hook_id,
                          "event_timestamp", (json_int_t)now);
    if (model_name != NULL)
        json_object_set_new(p, "model_name", json_string(model_name));
    if (fields != NULL)
        json_object_update(p, (json_t *)fields);
    json_object_set_new(p, "text", json_string(event_text(event, model_name, fields)));
    return p;
}

lh_err rg_hook_version_event(lh_registry_t *r, lh_meta_t *m, const char *event,
                             const char *model_name, int64_t version, json_t *fields,
                             int64_t now_ms, lh_errbuf *eb)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)version);
    json_object_set_new(fields, "version", json_string(text));
    lh_err e = rg_hook_event(r, m, event, model_name, fields, now_ms, eb);
    json_decref(fields);
    return e;
}

lh_err rg_hook_event(lh_registry_t *r, lh_meta_t *m, const char *event, const char *model_name,
                     json_t *fields, int64_t now_ms, lh_errbuf *eb)
{
    lh_stmt_t *st, *ins, *cnt;
    bool row;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT id FROM mlr_webhooks WHERE status = 'ACTIVE' AND "
                        "(model_name IS NULL OR model_name = ?) AND "
                        "EXISTS (SELECT 1 FROM json_each(events) WHERE value = ?)",
                        &st, eb));
    lh_stmt_bind_text(st, 1, model_name);
    lh_stmt_bind_text(st, 2, event);
    while (true) {
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        LH_TRY(lh_meta_stmt(m, "SELECT COUNT(*) FROM mlr_deliveries", &cnt, eb));
        LH_TRY(lh_stmt_step(cnt, &row, eb));
        if (lh_stmt_int(cnt, 0) >= RG_DELIVERIES_MAX) {
            lh_log(LH_LOG_WARN, "registry: webhook outbox full (%d): %s dropped", RG_DELIVERIES_MAX,
                   event);
            if (r != NULL)
                atomic_fetch_add(&r->deliveries_dropped, 1);
            continue;
        }
        json_t *p = payload(event, lh_stmt_text(st, 0), model_name, fields, now_ms);
        char *text = json_text(p, NULL);
        json_decref(p);
        LH_FAIL_IF(text == NULL, LH_E_NOMEM, eb, "out of memory");
        lh_err e = lh_meta_stmt(m,
                                "INSERT INTO mlr_deliveries (webhook_id, payload, next_ms, "
                                "created_ms) VALUES (?, ?, ?, ?)",
                                &ins, eb);
        if (e == LH_OK) {
            lh_stmt_bind_text(ins, 1, lh_stmt_text(st, 0));
            lh_stmt_bind_text(ins, 2, text);
            lh_stmt_bind_int(ins, 3, now_ms);
            lh_stmt_bind_int(ins, 4, now_ms);
            e = lh_stmt_run(ins, eb);
        }
        free(text);
        LH_TRY(e);
    }
}

/* ---- sending (through the daemon's one sender, api/notify.h) ---- */

typedef struct target {
    char *url, *secret, *authorization;
    bool ssl_verify;
    char *job_id, *job_ws; /* a job webhook (job_ws NULL: this daemon) */
    bool self;             /* a job webhook's run-now on this daemon (target_resolve) */
} target;

/* A job webhook's url := its run-now ({job_ws} or this daemon, from the listen address);
 * done once when the target is read, so every send and log line uses t->url. */
static lh_err target_resolve(const lh_ctx_t *ctx, target *t)
{
    if (t->job_id == NULL)
        return LH_OK;
    char url[RG_URI_MAX + 64];
    if (t->job_ws != NULL && *t->job_ws != '\0') {
        size_t n = strlen(t->job_ws);
        while (n > 0 && t->job_ws[n - 1] == '/')
            n--;
        snprintf(url, sizeof url, "%.*s/api/2.1/jobs/run-now", (int)n, t->job_ws);
    } else {
        t->self = true;
        const struct lh_config *c = ctx->config;
        const char *host = c && c->listen_host[0] && strcmp(c->listen_host, "0.0.0.0") != 0 &&
                                   strcmp(c->listen_host, "::") != 0
                               ? c->listen_host
                               : "127.0.0.1";
        bool v6 = strchr(host, ':') != NULL;
        snprintf(url, sizeof url, "%s://%s%s%s:%d/api/2.1/jobs/run-now",
                 c && c->tls_cert[0] ? "https" : "http", v6 ? "[" : "", host, v6 ? "]" : "",
                 c ? c->listen_port : 0);
    }
    free(t->url);
    t->url = strdup(url);
    return t->url != NULL ? LH_OK : LH_E_NOMEM;
}

/* The extra header lines of a POST of body to t (X-Databricks-Signature when the webhook
 * has a secret, Authorization when set), in lines (NULL-terminated, in buf). */
static void hook_headers(const target *t, const char *body, char buf[2][1200], const char *lines[3])
{
    int n = 0;
    if (t->secret != NULL && *t->secret != '\0') {
        unsigned char mac[32];
        unsigned int mac_len = 0;
        HMAC(EVP_sha256(), t->secret, (int)strlen(t->secret), (const unsigned char *)body,
             strlen(body), mac, &mac_len);
        char hex[65];
        lh_hex(mac, 32, hex);
        snprintf(buf[n], sizeof buf[n], "X-Databricks-Signature: %s", hex);
        lines[n] = buf[n];
        n++;
    }
    if (t->authorization != NULL && *t->authorization != '\0') {
        snprintf(buf[n], sizeof buf[n], "Authorization: %s", t->authorization);
        lines[n] = buf[n];
        n++;
    }
    lines[n] = NULL;
}

/* Hand one POST to the sender (one attempt: the outbox does the retrying). */
static lh_err hook_send(lh_ctx_t *ctx, const target *t, const char *payload,
                        lh_notify_done_fn on_done, void *arg, lh_errbuf *eb)
{
    LH_FAIL_IF(ctx->notify == NULL, LH_E_UNAVAILABLE, eb, "no notification sender");
    char *run_now = NULL; /* a job webhook's body: run-now with the payload as event_message */
    if (t->job_id != NULL) {
        json_t *r = json_pack("{s:I, s:{s:s}}", "job_id", (json_int_t)strtoll(t->job_id, NULL, 10),
                              "notebook_params", "event_message", payload);
        run_now = r ? json_dumps(r, JSON_COMPACT) : NULL;
        json_decref(r);
        LH_FAIL_IF(run_now == NULL, LH_E_NOMEM, eb, "out of memory");
    }
    const char *body = run_now ? run_now : payload;
    char buf[2][1200];
    const char *lines[3];
    hook_headers(t, body, buf, lines);
    /* this daemon's own certificate may be self-signed: its run-now is not verified */
    lh_notify_webhook_opts_t opts = {
        .headers = lines, .attempts = 1, .insecure = !t->ssl_verify || t->self};
    lh_err e = lh_notify_webhook(ctx->notify, t->url, body, &opts, on_done, arg, eb);
    free(run_now);
    return e;
}

/* ---- the drainer ---- */

/* What a delivery's completion needs, shared by the area and the sends in flight: the
 * sender may finish a send after the area is gone (its destroy runs first), so this is
 * refcounted. The metastore outlives the sender (server/server.c's stop order). */
struct rg_hook_sink {
    atomic_int refs;
    lh_meta_t *meta;
    atomic_llong ok, failed;
};

static void sink_release(rg_hook_sink *k)
{
    if (k != NULL && atomic_fetch_sub(&k->refs, 1) == 1)
        free(k);
}

#define BATCH 16

typedef struct due {
    int64_t id;
    int64_t attempts;
    char *payload;
    target t;
    bool active;
} due;

typedef struct drain_arg {
    due rows[BATCH];
    int count;
} drain_arg;

static char *sdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static lh_err due_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    drain_arg *a = arg;
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT d.id, d.attempts, d.payload, w.url, w.secret, w.authorization, "
                        "w.ssl_verify, w.status, w.job_id, w.job_workspace_url FROM "
                        "mlr_deliveries d JOIN mlr_webhooks w ON "
                        "w.id = d.webhook_id WHERE d.next_ms <= ? ORDER BY d.next_ms, d.id LIMIT ?",
                        &st, eb));
    lh_stmt_bind_int(st, 1, lh_now_ms());
    lh_stmt_bind_int(st, 2, BATCH);
    while (a->count < BATCH) {
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            break;
        due *d = &a->rows[a->count++];
        d->id = lh_stmt_int(st, 0);
        d->attempts = lh_stmt_int(st, 1);
        d->payload = sdup(lh_stmt_text(st, 2));
        d->t.url = sdup(lh_stmt_text(st, 3));
        d->t.secret = sdup(lh_stmt_text(st, 4));
        d->t.authorization = sdup(lh_stmt_text(st, 5));
        d->t.ssl_verify = lh_stmt_int(st, 6) != 0;
        const char *status = lh_stmt_text(st, 7);
        d->active = status != NULL && strcmp(status, "ACTIVE") == 0;
        d->t.job_id = sdup(lh_stmt_text(st, 8));
        d->t.job_ws = sdup(lh_stmt_text(st, 9));
    }
    return LH_OK;
}

typedef struct outcome {
    int64_t id;
    bool done;
    int64_t attempts, next_ms;
} outcome;

static lh_err outcome_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    outcome *o = arg;
    lh_stmt_t *st;
    if (o->done) {
        LH_TRY(lh_meta_stmt(m, "DELETE FROM mlr_deliveries WHERE id = ?", &st, eb));
        lh_stmt_bind_int(st, 1, o->id);
    } else {
        LH_TRY(lh_meta_stmt(m, "UPDATE mlr_deliveries SET attempts = ?, next_ms = ? WHERE id = ?",
                            &st, eb));
        lh_stmt_bind_int(st, 1, o->attempts);
        lh_stmt_bind_int(st, 2, o->next_ms);
        lh_stmt_bind_int(st, 3, o->id);
    }
    return lh_stmt_run(st, eb);
}

static void record(lh_meta_t *meta, outcome *o)
{
    lh_errbuf eb;
    if (lh_meta_tx(meta, outcome_tx, o, &eb) != LH_OK)
        lh_log(LH_LOG_ERROR, "registry: recording a webhook delivery failed: %s", eb.msg);
}

/* An attempt that failed: retry after 2^(attempts-1) s, or drop after RG_HOOK_ATTEMPTS. */
static void attempt_failed(rg_hook_sink *k, outcome *o, const char *url, const char *why)
{
    if (o->attempts >= RG_HOOK_ATTEMPTS) {
        o->done = true;
        atomic_fetch_add(&k->failed, 1);
        lh_log(LH_LOG_WARN, "registry: webhook delivery to %s dropped after %d attempts (%s)", url,
               RG_HOOK_ATTEMPTS, why);
    } else {
        o->next_ms = lh_now_ms() + (1000LL << (o->attempts - 1));
    }
}

typedef struct in_flight {
    rg_hook_sink *sink;
    int64_t id, attempts;
    char url[RG_URI_MAX + 64];
} in_flight;

static void delivered(void *arg, const lh_notify_result_t *res)
{
    in_flight *f = arg;
    if (res->attempts > 0) { /* 0: ended unsent at shutdown; the claim expires at restart */
        outcome o = {.id = f->id, .attempts = f->attempts + 1};
        if (res->ok) {
            o.done = true;
            atomic_fetch_add(&f->sink->ok, 1);
        } else {
            attempt_failed(f->sink, &o, f->url, res->error ? res->error : "failed");
        }
        record(f->sink->meta, &o);
    }
    sink_release(f->sink);
    free(f);
}

/* Claim a row for RG_HOOK_LEASE_MS (so the next drain skips it while it is in flight). */
static lh_err claim_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    const due *d = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "UPDATE mlr_deliveries SET next_ms = ? WHERE id = ?", &st, eb));
    lh_stmt_bind_int(st, 1, lh_now_ms() + RG_HOOK_LEASE_MS);
    lh_stmt_bind_int(st, 2, d->id);
    return lh_stmt_run(st, eb);
}

/* Send one row; false when the sender is full (stop this drain, try again later). */
static bool deliver(lh_registry_t *r, due *d)
{
    lh_errbuf eb;
    outcome o = {.id = d->id, .attempts = d->attempts};
    if (!d->active) {
        o.done = true; /* disabled (or in test mode) since the event: not sent */
        record(r->meta, &o);
        return true;
    }
    if (lh_meta_tx(r->meta, claim_tx, d, &eb) != LH_OK) {
        lh_log(LH_LOG_ERROR, "registry: claiming a webhook delivery failed: %s", eb.msg);
        return false;
    }
    in_flight *f = target_resolve(r->ctx, &d->t) == LH_OK ? calloc(1, sizeof *f) : NULL;
    if (f == NULL)
        return false; /* the claim expires */
    f->sink = r->hooks;
    f->id = d->id;
    f->attempts = d->attempts;
    snprintf(f->url, sizeof f->url, "%s", d->t.url ? d->t.url : "");
    atomic_fetch_add(&r->hooks->refs, 1);
    lh_err e = hook_send(r->ctx, &d->t, d->payload ? d->payload : "{}", delivered, f, &eb);
    if (e == LH_OK)
        return true;
    sink_release(f->sink);
    free(f);
    if (e == LH_E_LIMIT || e == LH_E_UNAVAILABLE || e == LH_E_NOMEM) {
        o.next_ms = lh_now_ms() + 1000; /* not an attempt: the sender was busy */
        record(r->meta, &o);
        return false;
    }
    o.attempts++;
    attempt_failed(r->hooks, &o, d->t.url ? d->t.url : "", eb.msg);
    record(r->meta, &o);
    return true;
}

static void target_free(target *t)
{
    free(t->url);
    free(t->secret);
    free(t->authorization);
    free(t->job_id);
    free(t->job_ws);
}

static void free_due(due *d)
{
    free(d->payload);
    target_free(&d->t);
}

static void drain(void *arg)
{
    lh_registry_t *r = arg;
    atomic_store(&r->drain_queued, false);
    bool more = true;
    for (int rounds = 0; more && rounds < 64; rounds++) {
        drain_arg a = {.count = 0};
        lh_errbuf eb;
        more = lh_meta_read(r->meta, due_read, &a, &eb) == LH_OK && a.count == BATCH;
        bool stop = false; /* shutting down, or the sender is full: the rest stay due */
        for (int i = 0; i < a.count; i++) {
            stop = stop || atomic_load(&r->stopping) || !deliver(r, &a.rows[i]);
            free_due(&a.rows[i]);
        }
        more = more && !stop;
    }
}

void rg_hook_kick(lh_registry_t *r)
{
    if (r == NULL || atomic_exchange(&r->drain_queued, true))
        return;
    lh_errbuf eb;
    if (lh_bg_post(r->hook_ex, drain, r, &eb) != LH_OK)
        atomic_store(&r->drain_queued, false); /* the timer picks it up */
}

/* Rows claimed by a daemon that died are due again now. */
static lh_err unclaim_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    (void)arg;
    lh_stmt_t *st;
    int64_t now = lh_now_ms();
    LH_TRY(lh_meta_stmt(m, "UPDATE mlr_deliveries SET next_ms = ? WHERE next_ms > ?", &st, eb));
    lh_stmt_bind_int(st, 1, now);
    lh_stmt_bind_int(st, 2, now);
    return lh_stmt_run(st, eb);
}

lh_err rg_hooks_start(lh_registry_t *r, lh_errbuf *eb)
{
    r->hooks = calloc(1, sizeof *r->hooks);
    LH_FAIL_IF(r->hooks == NULL, LH_E_NOMEM, eb, "out of memory");
    atomic_init(&r->hooks->refs, 1);
    r->hooks->meta = r->meta;
    LH_TRY(lh_meta_tx(r->meta, unclaim_tx, NULL, eb));
    return lh_bg_timer_add(r->ctx->bg, r->hook_ex, 0, 500, drain, r, &r->drain_timer, eb);
}

void rg_hooks_stop(lh_registry_t *r)
{
    sink_release(r->hooks);
    r->hooks = NULL;
}

void rg_hook_counts(const lh_registry_t *r, long long *ok, long long *failed)
{
    *ok = r->hooks ? (long long)atomic_load(&r->hooks->ok) : 0;
    *failed = r->hooks ? (long long)atomic_load(&r->hooks->failed) : 0;
}

/* ---- CRUD ---- */

typedef struct hop {
    lh_req_t *req;
    const char *id, *model_name, *description, *status, *url, *secret, *authorization;
    const char *job_id, *job_ws; /* job_spec (then url is "" and authorization the token) */
    json_t *events;
    bool ssl_verify, has_spec, has_ssl;
    json_t *out;
    /* list */
    const char *event_filter;
    int64_t offset, limit;
    lh_perm_visible_t visible;
} hop;

static json_t *hook_json(lh_stmt_t *st)
{
    /* columns: id, model_name, events, description, status, url, ssl_verify, creation_ms,
     * updated_ms, job_id, job_workspace_url */
    json_t *events = json_loads(lh_stmt_text(st, 2), 0, NULL);
    json_t *o = json_pack("{s:s, s:o, s:s, s:I, s:I}", "id", lh_stmt_text(st, 0), "events",
                          events ? events : json_array(), "status", lh_stmt_text(st, 4),
                          "creation_timestamp", (json_int_t)lh_stmt_int(st, 7),
                          "last_updated_timestamp", (json_int_t)lh_stmt_int(st, 8));
    if (lh_stmt_text(st, 9) != NULL) { /* JobSpecWithoutSecret */
        json_t *j = json_pack("{s:s}", "job_id", lh_stmt_text(st, 9));
        lh_json_set_str(j, "workspace_url", lh_stmt_text(st, 10));
        json_object_set_new(o, "job_spec", j);
    } else {
        json_object_set_new(o, "http_url_spec",
                            json_pack("{s:s, s:b}", "url", lh_stmt_text(st, 5),
                                      "enable_ssl_verification", (int)lh_stmt_int(st, 6)));
    }
    lh_json_set_str(o, "model_name", lh_stmt_text(st, 1));
    lh_json_set_str(o, "description", lh_stmt_text(st, 3));
    return o;
}

#define HOOK_COLS                                                                                  \
    "id, model_name, events, description, status, url, ssl_verify, creation_ms, updated_ms, "      \
    "job_id, job_workspace_url"

static lh_err hook_render(lh_meta_t *m, hop *o, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT " HOOK_COLS " FROM mlr_webhooks WHERE id = ?", &st, eb));
    lh_stmt_bind_text(st, 1, o->id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "Webhook %s does not exist", o->id);
    o->out = json_pack("{s:o}", "webhook", hook_json(st));
    return LH_OK;
}

static lh_err finish(hop *o, lh_err e)
{
    if (e == LH_OK)
        o->req->out = o->out;
    else
        json_decref(o->out);
    return e;
}

/* Who may manage webhooks of model_name (NULL: registry-wide). */
static lh_err require_manage(lh_req_t *req, const char *model_name, lh_errbuf *eb)
{
    if (model_name == NULL)
        return lh_req_require_admin(req, eb);
    rg_model mo;
    return rg_model_require(req, model_name, "CAN_MANAGE", &mo, eb);
}

static lh_err read_events(hop *o, lh_json_need need, lh_errbuf *eb)
{
    LH_TRY(lh_json_get_list(o->req->params, "events", need, &o->events, eb));
    if (o->events == NULL)
        return LH_OK;
    size_t n = lh_json_list_size(o->events);
    LH_FAIL_IF(n == 0, LH_E_INVALID, eb, "events must name at least one event");
    json_t *norm = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *e = json_string_value(lh_json_list_get(o->events, i));
        if (e == NULL || !known_event(e)) {
            json_decref(norm);
            LH_FAIL(LH_E_INVALID, eb, "Invalid webhook event '%s'", e ? e : "(not a string)");
        }
        if (strcmp(e, "REGISTERED_MODEL_CREATED") == 0 && o->model_name != NULL) {
            json_decref(norm);
            LH_FAIL(LH_E_INVALID, eb,
                    "REGISTERED_MODEL_CREATED can only be used by registry-wide webhooks (without "
                    "model_name)");
        }
        json_array_append_new(norm, json_string(e));
    }
    o->events = norm;
    lh_arena_defer(o->req->arena, (void (*)(void *))json_decref, norm);
    return LH_OK;
}

/* job_spec {job_id*, access_token*, workspace_url}: a job webhook. */
static lh_err read_job_spec(hop *o, json_t *job, lh_errbuf *eb)
{
    o->has_spec = true;
    const char *token = NULL;
    LH_TRY(lh_json_get_str(job, "job_id", LH_REQUIRED, &o->job_id, eb));
    size_t n = strlen(o->job_id);
    LH_FAIL_IF(n == 0 || n > 18 || strspn(o->job_id, "0123456789") != n, LH_E_INVALID, eb,
               "job_spec.job_id must be a job's id, not '%.64s'", o->job_id);
    LH_TRY(lh_json_get_str(job, "access_token", LH_REQUIRED, &token, eb));
    LH_FAIL_IF(*token == '\0' || strlen(token) > 1000, LH_E_INVALID, eb,
               "job_spec.access_token must be a token of at most 1000 bytes");
    LH_TRY(lh_json_get_str(job, "workspace_url", LH_OPTIONAL, &o->job_ws, eb));
    if (o->job_ws != NULL && *o->job_ws == '\0')
        o->job_ws = NULL;
    LH_FAIL_IF(o->job_ws != NULL && strncmp(o->job_ws, "https://", 8) != 0 &&
                   strncmp(o->job_ws, "http://", 7) != 0,
               LH_E_INVALID, eb, "job_spec.workspace_url must be an http:// or https:// URL");
    LH_FAIL_IF(o->job_ws != NULL && strlen(o->job_ws) > RG_URI_MAX, LH_E_INVALID, eb,
               "job_spec.workspace_url too long");
    o->url = "";
    o->secret = NULL;
    o->authorization = lh_arena_sprintf(o->req->arena, "Bearer %s", token);
    return LH_OK;
}

static lh_err read_spec(hop *o, lh_errbuf *eb)
{
    json_t *spec = NULL, *job = NULL;
    LH_TRY(lh_json_get_object(o->req->params, "job_spec", LH_OPTIONAL, &job, eb));
    LH_TRY(lh_json_get_object(o->req->params, "http_url_spec", LH_OPTIONAL, &spec, eb));
    LH_FAIL_IF(job != NULL && spec != NULL, LH_E_INVALID, eb,
               "Specify either http_url_spec or job_spec, not both");
    if (job != NULL)
        return read_job_spec(o, job, eb);
    if (spec == NULL)
        return LH_OK;
    o->has_spec = true;
    LH_TRY(lh_json_get_str(spec, "url", LH_REQUIRED, &o->url, eb));
    LH_FAIL_IF(strncmp(o->url, "https://", 8) != 0 && strncmp(o->url, "http://", 7) != 0,
               LH_E_INVALID, eb, "http_url_spec.url must be an http:// or https:// URL");
    LH_FAIL_IF(strlen(o->url) > RG_URI_MAX, LH_E_INVALID, eb, "http_url_spec.url too long");
    LH_TRY(lh_json_get_str(spec, "secret", LH_OPTIONAL, &o->secret, eb));
    LH_TRY(lh_json_get_str(spec, "authorization", LH_OPTIONAL, &o->authorization, eb));
    LH_FAIL_IF((o->secret && strlen(o->secret) > 1024) ||
                   (o->authorization && strlen(o->authorization) > 1024),
               LH_E_INVALID, eb, "http_url_spec.secret and authorization are at most 1024 bytes");
    o->has_ssl = lh_json_has(spec, "enable_ssl_verification");
    LH_TRY(lh_json_get_bool(spec, "enable_ssl_verification", LH_OPTIONAL, &o->ssl_verify, eb));
    return LH_OK;
}

static lh_err read_status(hop *o, lh_errbuf *eb)
{
    LH_TRY(lh_json_get_str(o->req->params, "status", LH_OPTIONAL, &o->status, eb));
    LH_FAIL_IF(o->status && strcmp(o->status, "ACTIVE") != 0 &&
                   strcmp(o->status, "TEST_MODE") != 0 && strcmp(o->status, "DISABLED") != 0,
               LH_E_INVALID, eb, "status must be ACTIVE, TEST_MODE or DISABLED, not '%s'",
               o->status);
    LH_TRY(lh_json_get_str(o->req->params, "description", LH_OPTIONAL, &o->description, eb));
    LH_FAIL_IF(o->description && strlen(o->description) > RG_TEXT_MAX, LH_E_INVALID, eb,
               "description too long");
    return LH_OK;
}

static lh_err create_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    hop *o = arg;
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT COUNT(*) FROM mlr_webhooks", &st, eb));
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(lh_stmt_int(st, 0) >= RG_WEBHOOKS_MAX, LH_E_LIMIT, eb,
               "A workspace may have at most %d registry webhooks", RG_WEBHOOKS_MAX);
    char *events = json_text(o->events, NULL);
    LH_FAIL_IF(events == NULL, LH_E_NOMEM, eb, "out of memory");
    int64_t now = lh_now_ms();
    lh_err e = lh_meta_stmt(m,
                            "INSERT INTO mlr_webhooks (id, model_name, events, description, "
                            "status, url, secret, authorization, ssl_verify, creation_ms, "
                            "updated_ms, job_id, job_workspace_url) VALUES (?, ?, ?, ?, ?, ?, "
                            "?, ?, ?, ?, ?, ?, ?)",
                            &st, eb);
    if (e == LH_OK) {
        lh_stmt_bind_text(st, 1, o->id);
        lh_stmt_bind_text(st, 2, o->model_name);
        lh_stmt_bind_text(st, 3, events);
        lh_stmt_bind_text(st, 4, o->description);
        lh_stmt_bind_text(st, 5, o->status ? o->status : "ACTIVE");
        lh_stmt_bind_text(st, 6, o->url);
        lh_stmt_bind_text(st, 7, o->secret);
        lh_stmt_bind_text(st, 8, o->authorization);
        lh_stmt_bind_int(st, 9, o->has_ssl ? o->ssl_verify : 1);
        lh_stmt_bind_int(st, 10, now);
        lh_stmt_bind_int(st, 11, now);
        lh_stmt_bind_text(st, 12, o->job_id);
        lh_stmt_bind_text(st, 13, o->job_ws);
        e = lh_stmt_run(st, eb);
    }
    free(events);
    LH_TRY(e);
    return hook_render(m, o, eb);
}

lh_err rg_h_hook_create(lh_req_t *req, lh_errbuf *eb)
{
    hop o = {.req = req};
    LH_TRY(lh_json_get_str(req->params, "model_name", LH_OPTIONAL, &o.model_name, eb));
    if (o.model_name != NULL && *o.model_name == '\0')
        o.model_name = NULL;
    LH_TRY(read_events(&o, LH_REQUIRED, eb));
    LH_TRY(read_spec(&o, eb));
    LH_FAIL_IF(!o.has_spec, LH_E_INVALID, eb, "http_url_spec or job_spec is required");
    LH_TRY(read_status(&o, eb));
    LH_TRY(require_manage(req, o.model_name, eb));
    char *id = lh_arena_alloc(req->arena, RG_ID_HEX + 1);
    lh_random_hex(id, RG_ID_HEX / 2);
    o.id = id;
    return finish(&o, lh_meta_tx(req->ctx->meta, create_tx, &o, eb));
}

/* The webhook's model_name (NULL: registry-wide); 404 when the id is unknown. */
typedef struct owner_arg {
    hop *o;
    const char *model_name;
} owner_arg;

static lh_err owner_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    owner_arg *a = arg;
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT model_name FROM mlr_webhooks WHERE id = ?", &st, eb));
    lh_stmt_bind_text(st, 1, a->o->id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "Webhook %s does not exist", a->o->id);
    const char *n = lh_stmt_text(st, 0);
    a->model_name = n ? lh_arena_strdup(a->o->req->arena, n) : NULL;
    return LH_OK;
}

static lh_err hook_prepare(lh_req_t *req, hop *o, lh_errbuf *eb)
{
    o->req = req;
    LH_TRY(lh_json_get_str(req->params, "id", LH_REQUIRED, &o->id, eb));
    owner_arg a = {o, NULL};
    LH_TRY(lh_meta_read(req->ctx->meta, owner_read, &a, eb));
    o->model_name = a.model_name;
    return require_manage(req, o->model_name, eb);
}

static lh_err update_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    hop *o = arg;
    char *events = o->events ? json_text(o->events, NULL) : NULL;
    lh_stmt_t *st;
    lh_err e = lh_meta_stmt(
        m,
        "UPDATE mlr_webhooks SET events = COALESCE(?1, events), description = COALESCE(?2, "
        "description), status = COALESCE(?3, status), url = COALESCE(?4, url), "
        "secret = CASE WHEN ?9 THEN ?5 ELSE secret END, authorization = CASE WHEN ?9 THEN ?6 "
        "ELSE authorization END, ssl_verify = COALESCE(?7, ssl_verify), updated_ms = ?8, "
        "job_id = CASE WHEN ?9 THEN ?11 ELSE job_id END, job_workspace_url = CASE WHEN ?9 THEN "
        "?12 ELSE job_workspace_url END WHERE id = ?10",
        &st, eb);
    if (e == LH_OK) {
        lh_stmt_bind_text(st, 1, events);
        lh_stmt_bind_text(st, 2, o->description);
        lh_stmt_bind_text(st, 3, o->status);
        lh_stmt_bind_text(st, 4, o->url);
        lh_stmt_bind_text(st, 5, o->secret);
        lh_stmt_bind_text(st, 6, o->authorization);
        if (o->has_ssl)
            lh_stmt_bind_int(st, 7, o->ssl_verify);
        lh_stmt_bind_int(st, 8, lh_now_ms());
        lh_stmt_bind_int(st, 9, o->has_spec);
        lh_stmt_bind_text(st, 10, o->id);
        lh_stmt_bind_text(st, 11, o->job_id);
        lh_stmt_bind_text(st, 12, o->job_ws);
        e = lh_stmt_run(st, eb);
    }
    free(events);
    LH_TRY(e);
    return hook_render(m, o, eb);
}

lh_err rg_h_hook_update(lh_req_t *req, lh_errbuf *eb)
{
    hop o = {.req = req};
    LH_TRY(hook_prepare(req, &o, eb));
    LH_TRY(read_events(&o, LH_OPTIONAL, eb));
    LH_TRY(read_spec(&o, eb));
    LH_TRY(read_status(&o, eb));
    return finish(&o, lh_meta_tx(req->ctx->meta, update_tx, &o, eb));
}

static lh_err delete_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    hop *o = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "DELETE FROM mlr_webhooks WHERE id = ?", &st, eb));
    lh_stmt_bind_text(st, 1, o->id);
    return lh_stmt_run(st, eb);
}

lh_err rg_h_hook_delete(lh_req_t *req, lh_errbuf *eb)
{
    hop o = {.req = req};
    LH_TRY(hook_prepare(req, &o, eb));
    return lh_meta_tx(req->ctx->meta, delete_tx, &o, eb);
}

/* ---- list ---- */

static bool hook_visible(hop *o, lh_meta_t *m, const char *model_name, lh_errbuf *eb)
{
    if (o->visible.all)
        return true;
    if (model_name == NULL)
        return false;
    rg_model mo;
    if (rg_model_find(m, model_name, o->req->arena, &mo, eb) != LH_OK)
        return false;
    return lh_perm_visible_has(&o->visible, mo.id);
}

static lh_err list_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    hop *o = arg;
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT " HOOK_COLS " FROM mlr_webhooks WHERE (?1 IS NULL OR model_name = "
                        "?1) AND (?2 IS NULL OR EXISTS (SELECT 1 FROM json_each(events) WHERE "
                        "value = ?2)) ORDER BY creation_ms, id",
                        &st, eb));
    lh_stmt_bind_text(st, 1, o->model_name);
    lh_stmt_bind_text(st, 2, o->event_filter);
    json_t *list = json_array();
    o->out = json_pack("{s:o}", "webhooks", list);
    int64_t seen = 0;
    while (true) {
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        lh_errbuf inner;
        if (!hook_visible(o, m, lh_stmt_text(st, 1), &inner))
            continue;
        if (seen++ < o->offset)
            continue;
        if (seen > o->offset + o->limit) {
            json_object_set_new(o->out, "next_page_token",
                                json_string(rg_page_token(o->req->arena, o->offset + o->limit)));
            return LH_OK;
        }
        json_array_append_new(list, hook_json(st));
    }
}

lh_err rg_h_hook_list(lh_req_t *req, lh_errbuf *eb)
{
    hop o = {.req = req, .limit = 100};
    const char *token = NULL;
    LH_TRY(lh_json_get_str(req->params, "model_name", LH_OPTIONAL, &o.model_name, eb));
    json_t *events = NULL;
    LH_TRY(lh_json_get_list(req->params, "events", LH_OPTIONAL, &events, eb));
    LH_FAIL_IF(lh_json_list_size(events) > 1, LH_E_INVALID, eb,
               "Filter by at most one event at a time");
    if (lh_json_list_size(events) == 1) {
        o.event_filter = json_string_value(lh_json_list_get(events, 0));
        LH_FAIL_IF(o.event_filter == NULL || !known_event(o.event_filter), LH_E_INVALID, eb,
                   "Invalid webhook event filter");
    }
    LH_TRY(lh_json_get_int(req->params, "max_results", LH_OPTIONAL, &o.limit, eb));
    if (o.limit == 0)
        o.limit = 100;
    LH_FAIL_IF(o.limit < 0 || o.limit > 1000, LH_E_INVALID, eb,
               "max_results must be between 1 and 1000");
    LH_TRY(lh_json_get_str(req->params, "page_token", LH_OPTIONAL, &token, eb));
    LH_TRY(rg_page_offset(token, &o.offset, eb));
    LH_TRY(lh_perm_visible(req->ctx, req->principal, RG_PERM_PATH, "CAN_MANAGE", req->arena,
                           &o.visible, eb));
    return finish(&o, lh_meta_read(req->ctx->meta, list_read, &o, eb));
}

/* ---- test ---- */

typedef struct test_job {
    lh_suspend_t *ticket;
    target t;
    char *body;
    long status;
    lh_err err;
    lh_errbuf eb;
    char resp[RG_HOOK_BODY_MAX];
} test_job;

static lh_err test_fill(lh_req_t *req, void *arg, lh_errbuf *eb)
{
    test_job *j = arg;
    if (j->err != LH_OK)
        LH_FAIL(LH_E_INVALID, eb, "Webhook test delivery failed: %s", j->eb.msg);
    req->out = json_pack("{s:{s:i, s:s}, s:i, s:s}", "webhook", "status_code", (int)j->status,
                         "body", j->resp, "status_code", (int)j->status, "body", j->resp);
    if (req->out == NULL) /* the answer was not UTF-8 */
        req->out = json_pack("{s:{s:i, s:s}, s:i, s:s}", "webhook", "status_code", (int)j->status,
                             "body", "", "status_code", (int)j->status, "body", "");
    return LH_OK;
}

static lh_err test_deadline(lh_req_t *req, void *arg, lh_errbuf *eb)
{
    (void)req;
    (void)arg;
    LH_FAIL(LH_E_UNAVAILABLE, eb, "The webhook did not answer in time");
}

static void test_job_free(test_job *j)
{
    target_free(&j->t);
    free(j->body);
    free(j);
}

/* The sender's answer: any HTTP status is the test's result; no answer is an error. */
static void test_done(void *arg, const lh_notify_result_t *res)
{
    test_job *j = arg;
    j->status = res->http_status;
    snprintf(j->resp, sizeof j->resp, "%s", res->response ? res->response : "");
    if (res->http_status == 0) {
        j->err = LH_E_IO;
        snprintf(j->eb.msg, sizeof j->eb.msg, "webhook POST to %.300s failed: %s", j->t.url,
                 res->error ? res->error : "no answer");
    }
    lh_req_resume(j->ticket, test_fill, j); /* false: the deadline answered */
    test_job_free(j);
}

typedef struct test_arg {
    hop *o;
    test_job *j;
    const char *event;
} test_arg;

static lh_err test_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    test_arg *a = arg;
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT url, secret, authorization, ssl_verify, events, job_id, "
                        "job_workspace_url FROM mlr_webhooks WHERE id = ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->o->id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "Webhook %s does not exist", a->o->id);
    a->j->t.url = sdup(lh_stmt_text(st, 0));
    a->j->t.secret = sdup(lh_stmt_text(st, 1));
    a->j->t.authorization = sdup(lh_stmt_text(st, 2));
    a->j->t.ssl_verify = lh_stmt_int(st, 3) != 0;
    a->j->t.job_id = sdup(lh_stmt_text(st, 5));
    a->j->t.job_ws = sdup(lh_stmt_text(st, 6));
    if (a->event == NULL) {
        json_t *events = json_loads(lh_stmt_text(st, 4), 0, NULL);
        const char *first = json_string_value(json_array_get(events, 0));
        a->event = lh_arena_strdup(a->o->req->arena, first ? first : "MODEL_VERSION_CREATED");
        json_decref(events);
    }
    return LH_OK;
}

lh_err rg_h_hook_test(lh_req_t *req, lh_errbuf *eb)
{
    hop o = {.req = req};
    test_arg a = {&o, NULL, NULL};
    LH_TRY(lh_json_get_str(req->params, "event", LH_OPTIONAL, &a.event, eb));
    LH_FAIL_IF(a.event && !known_event(a.event), LH_E_INVALID, eb, "Invalid webhook event '%s'",
               a.event);
    LH_TRY(hook_prepare(req, &o, eb));
    a.j = calloc(1, sizeof *a.j);
    LH_FAIL_IF(a.j == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = lh_meta_read(req->ctx->meta, test_read, &a, eb);
    if (e == LH_OK && target_resolve(req->ctx, &a.j->t) != LH_OK)
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK) {
        json_t *f = json_pack("{s:b}", "test", 1);
        if (strncmp(a.event, "MODEL_VERSION", 13) == 0 || strncmp(a.event, "TRANSITION", 10) == 0 ||
            strcmp(a.event, "COMMENT_CREATED") == 0)
            json_object_set_new(f, "version", json_string("1"));
        json_t *p =
            payload(a.event, o.id, o.model_name ? o.model_name : "test-model", f, lh_now_ms());
        a.j->body = json_text(p, NULL);
        json_decref(p);
        json_decref(f);
        if (a.j->body == NULL)
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    }
    if (e != LH_OK) {
        test_job_free(a.j);
        return e;
    }
    a.j->ticket = lh_req_suspend(req, RG_HOOK_TIMEOUT_MS + 5000, test_deadline, NULL);
    lh_errbuf post_eb;
    if (hook_send(req->ctx, &a.j->t, a.j->body, test_done, a.j, &post_eb) != LH_OK) {
        a.j->err = LH_E_LIMIT;
        snprintf(a.j->eb.msg, sizeof a.j->eb.msg, "%s", post_eb.msg);
        lh_req_resume(a.j->ticket, test_fill, a.j);
        test_job_free(a.j);
    }
    return LH_OK;
}
