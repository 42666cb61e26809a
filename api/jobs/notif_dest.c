/*
 * notif_dest.c - the Notification Destinations API (/api/2.0/notification-destinations),
 * the minimal part jobs' webhook_notifications need: a destination is an id (UUID), a
 * display_name and a config of one kind:
 *   email           {addresses: [..]}                         destination_type EMAIL
 *   generic_webhook {url, username?, password?}               destination_type WEBHOOK
 * (slack, pagerduty, microsoft_teams: 501 NOT_IMPLEMENTED, not built). Answers never show url,
 * username or password: only url_set / username_set / password_set, as Databricks. create, update
 * and delete are admins' (route flag); get and list anyone's. list answers every destination in one
 * page (no next_page_token: a workspace holds few). It lives in the jobs area (migration 13, table
 * notification_destinations) because jobs are its only sender so far.
 */
#include <stdlib.h>
#include <string.h>

#include "api/jobs/jobs_internal.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/util.h"
#include "storage/meta/meta.h"

#define DEST_URL_MAX   2048
#define DEST_ADDRS_MAX 100

static lh_err check_config(const json_t *config, const char **type, lh_errbuf *eb);

lh_err lh_jobs_dest_check_config(const json_t *config, const char **type, lh_errbuf *eb)
{
    return check_config(config, type, eb);
}

/* Check a config object; *type its destination_type. */
static lh_err check_config(const json_t *config, const char **type, lh_errbuf *eb)
{
    LH_FAIL_IF(!json_is_object(config), LH_E_INVALID, eb, "config is required");
    json_t *em = json_object_get(config, "email"), *wh = json_object_get(config, "generic_webhook");
    static const char *const others[] = {"slack", "pagerduty", "microsoft_teams"};
    for (size_t i = 0; i < 3; i++)
        LH_FAIL_IF(json_object_get(config, others[i]) != NULL, LH_E_NOT_IMPLEMENTED, eb,
                   "config.%s destinations are not available in Lakehouse yet", others[i]);
    LH_FAIL_IF((em != NULL) == (wh != NULL), LH_E_INVALID, eb,
               "config must hold exactly one of email, generic_webhook");
    if (em != NULL) {
        json_t *a = json_object_get(em, "addresses");
        LH_FAIL_IF(
            !json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > DEST_ADDRS_MAX,
            LH_E_INVALID, eb, "config.email.addresses must be 1 to %d addresses", DEST_ADDRS_MAX);
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v)
        {
            const char *s = json_string_value(v);
            LH_FAIL_IF(s == NULL || strchr(s, '@') == NULL || strlen(s) > 320, LH_E_INVALID, eb,
                       "config.email.addresses[%zu] is not an email address", i);
        }
        *type = "EMAIL";
        return LH_OK;
    }
    LH_FAIL_IF(!json_is_object(wh), LH_E_INVALID, eb, "config.generic_webhook must be an object");
    const char *url = NULL;
    LH_TRY(lh_json_get_str(wh, "url", LH_REQUIRED, &url, eb));
    LH_FAIL_IF(strlen(url) > DEST_URL_MAX ||
                   (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0),
               LH_E_INVALID, eb, "config.generic_webhook.url must be an http(s) URL");
    const char *s = NULL;
    LH_TRY(lh_json_get_str(wh, "username", LH_OPTIONAL, &s, eb));
    LH_TRY(lh_json_get_str(wh, "password", LH_OPTIONAL, &s, eb));
    *type = "WEBHOOK";
    return LH_OK;
}

/* The stored config as answers show it (secrets replaced by *_set). */
json_t *lh_jobs_dest_render_config(const json_t *config)
{
    json_t *out = json_deep_copy(config);
    json_t *wh = json_object_get(out, "generic_webhook");
    if (json_is_object(wh)) {
        static const char *const keys[] = {"url", "username", "password"};
        for (size_t i = 0; i < 3; i++) {
            char set[32];
            snprintf(set, sizeof set, "%s_set", keys[i]);
            json_object_set_new(wh, set, json_boolean(json_object_get(wh, keys[i]) != NULL));
            json_object_del(wh, keys[i]);
        }
    }
    return out;
}

typedef struct dest_arg {
    const char *id, *display_name, *type;
    json_t *config;  /* in: new config (create/update) */
    json_t *out;     /* out: the row as stored {id, display_name, destination_type, config} */
    bool update_cfg; /* update: replace config */
} dest_arg;

static json_t *row_json(lh_stmt_t *st)
{
    json_t *cfg = json_loads(lh_stmt_text(st, 3) ? lh_stmt_text(st, 3) : "{}", 0, NULL);
    return json_pack("{s:s, s:s, s:s, s:o}", "id", lh_stmt_text(st, 0), "display_name",
                     lh_stmt_text(st, 1) ? lh_stmt_text(st, 1) : "", "destination_type",
                     lh_stmt_text(st, 2), "config", cfg ? cfg : json_object());
}

static lh_err get_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    dest_arg *a = arg;
    lh_stmt_t *st;
    bool row = false;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT id, display_name, destination_type, config FROM "
                        "notification_destinations WHERE id = ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "Notification destination %s does not exist.", a->id);
    a->out = row_json(st);
    return LH_OK;
}

lh_err lh_jobs_dest_get(lh_ctx_t *ctx, const char *id, json_t **dest, lh_errbuf *eb)
{
    dest_arg a = {.id = id};
    LH_TRY(lh_meta_read(ctx->meta, get_cb, &a, eb));
    *dest = a.out;
    return LH_OK;
}

static lh_err create_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    dest_arg *a = arg;
    lh_stmt_t *st;
    char *cfg = json_dumps(a->config, JSON_COMPACT);
    LH_FAIL_IF(cfg == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = lh_meta_stmt(m,
                            "INSERT INTO notification_destinations(id, display_name, "
                            "destination_type, config, created_time) VALUES (?, ?, ?, ?, ?)",
                            &st, eb);
    if (e == LH_OK) {
        lh_stmt_bind_text(st, 1, a->id);
        lh_stmt_bind_text(st, 2, a->display_name ? a->display_name : "");
        lh_stmt_bind_text(st, 3, a->type);
        lh_stmt_bind_text(st, 4, cfg);
        lh_stmt_bind_int(st, 5, lh_now_ms());
        e = lh_stmt_run(st, eb);
    }
    free(cfg);
    return e;
}

static lh_err reply_dest(lh_req_t *req, json_t *row)
{
    json_t *cfg = lh_jobs_dest_render_config(json_object_get(row, "config"));
    json_object_set_new(row, "config", cfg);
    req->out = row;
    return LH_OK;
}

static lh_err h_create(lh_req_t *req, lh_errbuf *eb)
{
    dest_arg a = {0};
    char id[37];
    LH_TRY(lh_json_get_str(req->params, "display_name", LH_OPTIONAL, &a.display_name, eb));
    LH_FAIL_IF(a.display_name && strlen(a.display_name) > LH_NAME_MAX, LH_E_INVALID, eb,
               "display_name is longer than %d characters", LH_NAME_MAX);
    a.config = json_object_get(req->params, "config");
    LH_TRY(check_config(a.config, &a.type, eb));
    lh_uuid4(id);
    a.id = id;
    LH_TRY(lh_meta_tx(req->ctx->meta, create_cb, &a, eb));
    LH_TRY(lh_jobs_dest_get(req->ctx, id, &a.out, eb));
    return reply_dest(req, a.out);
}

static lh_err h_get(lh_req_t *req, lh_errbuf *eb)
{
    json_t *row = NULL;
    LH_TRY(lh_jobs_dest_get(req->ctx, lh_req_path_param(req, 0), &row, eb));
    return reply_dest(req, row);
}

static lh_err list_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    dest_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT id, display_name, destination_type, config FROM "
                        "notification_destinations ORDER BY display_name, id",
                        &st, eb));
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        json_t *o = row_json(st);
        json_object_del(o, "config"); /* ListNotificationDestinationsResult: no config */
        json_array_append_new(a->out, o);
    }
}

static lh_err h_list(lh_req_t *req, lh_errbuf *eb)
{
    dest_arg a = {.out = json_array()};
    lh_err e = lh_meta_read(req->ctx->meta, list_cb, &a, eb);
    if (e != LH_OK) {
        json_decref(a.out);
        return e;
    }
    req->out = json_pack("{s:o}", "results", a.out);
    return LH_OK;
}

static lh_err update_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    dest_arg *a = arg;
    dest_arg cur = {.id = a->id};
    LH_TRY(get_cb(m, &cur, eb));
    const char *old_type = json_string_value(json_object_get(cur.out, "destination_type"));
    bool same = !a->update_cfg || strcmp(old_type, a->type) == 0;
    /* a webhook's secrets not sent again are kept (the answers never show them) */
    if (a->update_cfg && same && strcmp(a->type, "WEBHOOK") == 0) {
        json_t *old = json_object_get(json_object_get(cur.out, "config"), "generic_webhook");
        json_t *nw = json_object_get(a->config, "generic_webhook");
        static const char *const keys[] = {"username", "password"};
        for (size_t i = 0; i < 2; i++)
            if (json_object_get(nw, keys[i]) == NULL && json_object_get(old, keys[i]) != NULL)
                json_object_set(nw, keys[i], json_object_get(old, keys[i]));
    }
    if (!same) {
        lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                   "A destination's type cannot change (it is %s): create a new one", old_type);
        json_decref(cur.out);
        return LH_E_INVALID;
    }
    json_decref(cur.out);
    lh_stmt_t *st;
    char *cfg = a->update_cfg ? json_dumps(a->config, JSON_COMPACT) : NULL;
    lh_err e = lh_meta_stmt(m,
                            "UPDATE notification_destinations SET display_name = "
                            "coalesce(?, display_name), config = coalesce(?, config) WHERE id = ?",
                            &st, eb);
    if (e == LH_OK) {
        if (a->display_name)
            lh_stmt_bind_text(st, 1, a->display_name);
        else
            lh_stmt_bind_null(st, 1);
        if (cfg)
            lh_stmt_bind_text(st, 2, cfg);
        else
            lh_stmt_bind_null(st, 2);
        lh_stmt_bind_text(st, 3, a->id);
        e = lh_stmt_run(st, eb);
    }
    free(cfg);
    return e;
}

static lh_err h_update(lh_req_t *req, lh_errbuf *eb)
{
    dest_arg a = {.id = lh_req_path_param(req, 0)};
    LH_TRY(lh_json_get_str(req->params, "display_name", LH_OPTIONAL, &a.display_name, eb));
    LH_FAIL_IF(a.display_name && strlen(a.display_name) > LH_NAME_MAX, LH_E_INVALID, eb,
               "display_name is longer than %d characters", LH_NAME_MAX);
    json_t *cfg = json_object_get(req->params, "config");
    if (cfg != NULL) {
        LH_TRY(check_config(cfg, &a.type, eb));
        a.config = json_deep_copy(cfg);
        a.update_cfg = true;
    }
    lh_err e = lh_meta_tx(req->ctx->meta, update_cb, &a, eb);
    json_decref(a.config);
    LH_TRY(e);
    json_t *row = NULL;
    LH_TRY(lh_jobs_dest_get(req->ctx, a.id, &row, eb));
    return reply_dest(req, row);
}

static lh_err delete_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    dest_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "DELETE FROM notification_destinations WHERE id = ?", &st, eb));
    lh_stmt_bind_text(st, 1, a->id);
    LH_TRY(lh_stmt_run(st, eb));
    LH_FAIL_IF(lh_meta_changes(m) == 0, LH_E_NOT_FOUND, eb,
               "Notification destination %s does not exist.", a->id);
    return LH_OK;
}

static lh_err h_delete(lh_req_t *req, lh_errbuf *eb)
{
    dest_arg a = {.id = lh_req_path_param(req, 0)};
    return lh_meta_tx(req->ctx->meta, delete_cb, &a, eb);
}

#define D "/api/2.0/notification-destinations"

static const lh_route_t dest_routes[] = {
    {"POST", D, h_create, LH_ROUTE_ADMIN, NULL, 0},
    {"GET", D, h_list, 0, NULL, 0},
    {"GET", D "/{id}", h_get, 0, NULL, 0},
    {"PATCH", D "/{id}", h_update, LH_ROUTE_ADMIN, NULL, 0},
    {"DELETE", D "/{id}", h_delete, LH_ROUTE_ADMIN, NULL, 0},
};

const lh_route_t *lh_jobs_dest_routes(int *count)
{
    *count = (int)(sizeof dest_routes / sizeof dest_routes[0]);
    return dest_routes;
}
