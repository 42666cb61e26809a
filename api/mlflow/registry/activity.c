/*
 * activity.c - Databricks' workspace-registry extras: stage transition requests and
 * comments on model versions (databricks-sdk-py ModelRegistryAPI), kept as rows of
 * mlr_activities:
 *   kind 'request'   an open (is_open = 1) or closed transition request
 *   kind 'comment'   a comment (editable and deletable by its author)
 *   kind 'activity'  the record of what happened (APPLIED_TRANSITION, APPROVED_REQUEST,
 *                    REJECTED_REQUEST, CANCELLED_REQUEST)
 *
 * Levels: requesting a transition needs CAN_EDIT; approving or rejecting one needs the
 * level of the transition itself (CAN_MANAGE_STAGING_VERSIONS / _PRODUCTION_VERSIONS);
 * cancelling one is for its creator or CAN_MANAGE. Comments need CAN_READ; editing one is
 * for its author, deleting one for its author or CAN_MANAGE.
 */
#include <string.h>

#include "api/mlflow/registry/registry_internal.h"
#include "api/perm.h"
#include "common/json.h"
#include "common/util.h"

typedef struct aop {
    lh_req_t *req;
    const char *name, *stage, *comment, *creator, *id, *from;
    int64_t version;
    bool archive;
    int rank; /* the caller's level on the model */
    rg_model mo;
    rg_version v;
    json_t *out;
} aop;

lh_err rg_activity_add(lh_meta_t *m, const char *model_id, int64_t version, const char *type,
                       const char *from, const char *to, const char *comment,
                       const char *system_comment, const char *user, int64_t now_ms, lh_errbuf *eb)
{
    char id[RG_ID_HEX + 1];
    lh_random_hex(id, RG_ID_HEX / 2);
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO mlr_activities (id, model_id, version, kind, activity_type, "
                        "from_stage, to_stage, comment, system_comment, user_id, creation_ms, "
                        "updated_ms) VALUES (?, ?, ?, 'activity', ?, ?, ?, ?, ?, ?, ?, ?)",
                        &st, eb));
    lh_stmt_bind_text(st, 1, id);
    lh_stmt_bind_text(st, 2, model_id);
    lh_stmt_bind_int(st, 3, version);
    lh_stmt_bind_text(st, 4, type);
    lh_stmt_bind_text(st, 5, from);
    lh_stmt_bind_text(st, 6, to);
    lh_stmt_bind_text(st, 7, comment);
    lh_stmt_bind_text(st, 8, system_comment);
    lh_stmt_bind_text(st, 9, user);
    lh_stmt_bind_int(st, 10, now_ms);
    lh_stmt_bind_int(st, 11, now_ms);
    return lh_stmt_run(st, eb);
}

#define ACT_COLS                                                                                   \
    "id, activity_type, from_stage, to_stage, comment, system_comment, user_id, creation_ms, "     \
    "updated_ms"

static json_t *activity_json(lh_stmt_t *st)
{
    json_t *o = json_pack("{s:s, s:I, s:I}", "id", lh_stmt_text(st, 0), "creation_timestamp",
                          (json_int_t)lh_stmt_int(st, 7), "last_updated_timestamp",
                          (json_int_t)lh_stmt_int(st, 8));
    static const char *const FIELDS[] = {NULL,      "activity_type",  "from_stage", "to_stage",
                                         "comment", "system_comment", "user_id"};
    for (int i = 1; i <= 6; i++)
        lh_json_set_str(o, FIELDS[i], lh_stmt_text(st, i));
    return o;
}

/* The activity just written for (model, version, type): the newest one. */
static lh_err last_activity(lh_meta_t *m, aop *o, const char *type, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT " ACT_COLS " FROM mlr_activities WHERE model_id = ? AND "
                        "version = ? AND kind = 'activity' AND activity_type = ? "
                        "ORDER BY creation_ms DESC, rowid DESC LIMIT 1",
                        &st, eb));
    lh_stmt_bind_text(st, 1, o->mo.id);
    lh_stmt_bind_int(st, 2, o->version);
    lh_stmt_bind_text(st, 3, type);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_ASSERT(row);
    o->out = json_pack("{s:o}", "activity", activity_json(st));
    return LH_OK;
}

static lh_err reload(lh_meta_t *m, aop *o, lh_errbuf *eb)
{
    LH_TRY(rg_model_reload(m, o->req->arena, &o->mo, eb));
    return rg_version_find(m, &o->mo, o->version, o->req->arena, &o->v, eb);
}

static lh_err version_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    return reload(m, arg, eb);
}

/* name, version, (stage), the model with the caller's rank, the version's current stage. */
static lh_err prepare(lh_req_t *req, aop *o, bool with_stage, lh_errbuf *eb)
{
    o->req = req;
    LH_TRY(rg_name_param(req->params, &o->name, eb));
    LH_TRY(rg_version_param(req->params, &o->version, eb));
    if (with_stage) {
        const char *stage;
        LH_TRY(lh_json_get_str(req->params, "stage", LH_REQUIRED, &stage, eb));
        LH_TRY(rg_stage_parse(stage, &o->stage, eb));
    }
    LH_TRY(lh_json_get_str(req->params, "comment", LH_OPTIONAL, &o->comment, eb));
    LH_FAIL_IF(o->comment && strlen(o->comment) > RG_TEXT_MAX, LH_E_INVALID, eb,
               "comment is longer than %d bytes", RG_TEXT_MAX);
    LH_TRY(rg_model_require(req, o->name, "CAN_READ", &o->mo, eb));
    LH_TRY(lh_perm_rank_of(req->ctx, req->principal, RG_PERM_PATH, o->mo.id, &o->rank, eb));
    LH_TRY(lh_meta_read(req->ctx->meta, version_read, o, eb));
    o->from = o->v.stage;
    return LH_OK;
}

static int rank_of(const char *level)
{
    return lh_perm_level_rank(lh_perm_type_find(RG_PERM_PATH), level);
}

static lh_err need(aop *o, const char *level, lh_errbuf *eb)
{
    return rg_require(o->req, o->mo.id, level, eb);
}

static json_t *request_actions(const aop *o, const char *creator, const char *from, const char *to)
{
    json_t *a = json_array();
    if (o->rank >= rank_of(rg_transition_level(from, to))) {
        json_array_append_new(a, json_string("APPROVE_TRANSITION_REQUEST"));
        json_array_append_new(a, json_string("REJECT_TRANSITION_REQUEST"));
    }
    const char *me = rg_user(o->req);
    if ((me && creator && strcmp(me, creator) == 0) || o->rank >= rank_of("CAN_MANAGE"))
        json_array_append_new(a, json_string("CANCEL_TRANSITION_REQUEST"));
    return a;
}

static lh_err finish(aop *o, lh_err e)
{
    if (e == LH_OK)
        o->req->out = o->out;
    else
        json_decref(o->out);
    return e;
}

/* ---- transition requests ---- */

static const char *request_event(const char *stage)
{
    return strcmp(stage, "Staging") == 0      ? "TRANSITION_REQUEST_TO_STAGING_CREATED"
           : strcmp(stage, "Production") == 0 ? "TRANSITION_REQUEST_TO_PRODUCTION_CREATED"
           : strcmp(stage, "Archived") == 0   ? "TRANSITION_REQUEST_TO_ARCHIVED_CREATED"
                                              : NULL;
}

static lh_err hook(lh_meta_t *m, aop *o, const char *event, json_t *fields, int64_t now,
                   lh_errbuf *eb)
{
    return rg_hook_version_event(rg_of(o->req), m, event, o->mo.name, o->version, fields, now, eb);
}

static lh_err request_create_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    aop *o = arg;
    LH_TRY(reload(m, o, eb));
    char id[RG_ID_HEX + 1];
    lh_random_hex(id, RG_ID_HEX / 2);
    int64_t now = lh_now_ms();
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO mlr_activities (id, model_id, version, kind, activity_type, "
                        "from_stage, to_stage, comment, user_id, is_open, creation_ms, "
                        "updated_ms) VALUES (?, ?, ?, 'request', 'REQUESTED_TRANSITION', ?, ?, ?, "
                        "?, 1, ?, ?)",
                        &st, eb));
    lh_stmt_bind_text(st, 1, id);
    lh_stmt_bind_text(st, 2, o->mo.id);
    lh_stmt_bind_int(st, 3, o->version);
    lh_stmt_bind_text(st, 4, o->v.stage);
    lh_stmt_bind_text(st, 5, o->stage);
    lh_stmt_bind_text(st, 6, o->comment);
    lh_stmt_bind_text(st, 7, rg_user(o->req));
    lh_stmt_bind_int(st, 8, now);
    lh_stmt_bind_int(st, 9, now);
    LH_TRY(lh_stmt_run(st, eb));
    json_t *f = json_pack("{s:s, s:s}", "from_stage", o->v.stage, "to_stage", o->stage);
    lh_json_set_str(f, "comment", o->comment);
    LH_TRY(hook(m, o, "TRANSITION_REQUEST_CREATED", json_deep_copy(f), now, eb));
    if (request_event(o->stage) != NULL)
        LH_TRY(hook(m, o, request_event(o->stage), f, now, eb));
    else
        json_decref(f);
    json_t *r =
        json_pack("{s:I, s:s, s:o}", "creation_timestamp", (json_int_t)now, "to_stage", o->stage,
                  "available_actions", request_actions(o, rg_user(o->req), o->v.stage, o->stage));
    lh_json_set_str(r, "user_id", rg_user(o->req));
    lh_json_set_str(r, "comment", o->comment);
    o->out = json_pack("{s:o}", "request", r);
    return LH_OK;
}

lh_err rg_h_request_create(lh_req_t *req, lh_errbuf *eb)
{
    aop o = {0};
    LH_TRY(prepare(req, &o, true, eb));
    LH_TRY(need(&o, "CAN_EDIT", eb));
    LH_TRY(finish(&o, lh_meta_tx(req->ctx->meta, request_create_tx, &o, eb)));
    rg_hook_kick(rg_of(req));
    return LH_OK;
}

/* Close the open requests to o->stage (by creator when given); LH_E_NOT_FOUND if none. */
static lh_err close_requests(lh_meta_t *m, aop *o, int64_t now, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "UPDATE mlr_activities SET is_open = 0, updated_ms = ? WHERE model_id = ? "
                        "AND version = ? AND kind = 'request' AND is_open = 1 AND to_stage = ? "
                        "AND (?5 IS NULL OR user_id = ?5)",
                        &st, eb));
    lh_stmt_bind_int(st, 1, now);
    lh_stmt_bind_text(st, 2, o->mo.id);
    lh_stmt_bind_int(st, 3, o->version);
    lh_stmt_bind_text(st, 4, o->stage);
    lh_stmt_bind_text(st, 5, o->creator);
    LH_TRY(lh_stmt_run(st, eb));
    LH_FAIL_IF(
        lh_meta_changes(m) == 0, LH_E_NOT_FOUND, eb,
        "No open transition request to stage %s for Model Version (name=%s, version=%lld)%s%s",
        o->stage, o->mo.name, (long long)o->version, o->creator ? " by " : "",
        o->creator ? o->creator : "");
    return LH_OK;
}

typedef enum { APPROVE, REJECT, CANCEL } decision;

typedef struct dec_arg {
    aop *o;
    decision d;
} dec_arg;

static lh_err decide_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    dec_arg *a = arg;
    aop *o = a->o;
    LH_TRY(reload(m, o, eb));
    int64_t now = lh_now_ms();
    LH_TRY(close_requests(m, o, now, eb));
    static const char *const TYPES[] = {"APPROVED_REQUEST", "REJECTED_REQUEST",
                                        "CANCELLED_REQUEST"};
    if (a->d == APPROVE) {
        LH_FAIL_IF(strcmp(o->v.stage, o->from) != 0, LH_E_CONFLICT, eb,
                   "Model Version (name=%s, version=%lld) changed stage concurrently; retry",
                   o->mo.name, (long long)o->version);
        LH_TRY(rg_transition_tx(m, &o->mo, o->version, o->stage, o->archive, rg_user(o->req), now,
                                NULL, eb));
        json_t *f = json_pack("{s:s, s:s}", "from_stage", o->from, "to_stage", o->stage);
        LH_TRY(hook(m, o, "MODEL_VERSION_TRANSITIONED_STAGE", f, now, eb));
    }
    LH_TRY(rg_activity_add(m, o->mo.id, o->version, TYPES[a->d], o->from, o->stage, o->comment,
                           NULL, rg_user(o->req), now, eb));
    return last_activity(m, o, TYPES[a->d], eb);
}

static lh_err decide(lh_req_t *req, decision d, lh_errbuf *eb)
{
    aop o = {0};
    LH_TRY(prepare(req, &o, true, eb));
    if (d == APPROVE)
        LH_TRY(lh_json_get_bool(req->params, "archive_existing_versions", LH_REQUIRED, &o.archive,
                                eb));
    LH_FAIL_IF(o.archive && strcmp(o.stage, "Staging") != 0 && strcmp(o.stage, "Production") != 0,
               LH_E_INVALID, eb,
               "Model version transition cannot archive existing model versions because '%s' is "
               "not an Active stage. Valid stages are Staging and Production",
               o.stage);
    if (d == CANCEL) {
        LH_TRY(lh_json_get_str(req->params, "creator", LH_REQUIRED, &o.creator, eb));
        const char *me = rg_user(req);
        if (!(me && strcmp(me, o.creator) == 0))
            LH_TRY(need(&o, "CAN_MANAGE", eb));
    } else {
        LH_TRY(need(&o, rg_transition_level(o.from, o.stage), eb));
    }
    dec_arg a = {&o, d};
    LH_TRY(finish(&o, lh_meta_tx(req->ctx->meta, decide_tx, &a, eb)));
    rg_hook_kick(rg_of(req));
    return LH_OK;
}

lh_err rg_h_request_approve(lh_req_t *req, lh_errbuf *eb)
{
    return decide(req, APPROVE, eb);
}

lh_err rg_h_request_reject(lh_req_t *req, lh_errbuf *eb)
{
    return decide(req, REJECT, eb);
}

lh_err rg_h_request_delete(lh_req_t *req, lh_errbuf *eb)
{
    return decide(req, CANCEL, eb);
}

static lh_err request_list_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    aop *o = arg;
    LH_TRY(reload(m, o, eb));
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT " ACT_COLS " FROM mlr_activities WHERE model_id = ? AND "
                        "version = ? AND kind = 'request' AND is_open = 1 ORDER BY creation_ms",
                        &st, eb));
    lh_stmt_bind_text(st, 1, o->mo.id);
    lh_stmt_bind_int(st, 2, o->version);
    json_t *list = json_array();
    o->out = json_pack("{s:o}", "requests", list);
    while (true) {
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        json_t *a = activity_json(st);
        json_object_set_new(
            a, "available_actions",
            request_actions(o, lh_stmt_text(st, 6), o->v.stage, lh_stmt_text(st, 3)));
        json_array_append_new(list, a);
    }
}

lh_err rg_h_request_list(lh_req_t *req, lh_errbuf *eb)
{
    aop o = {0};
    LH_TRY(prepare(req, &o, false, eb));
    return finish(&o, lh_meta_read(req->ctx->meta, request_list_read, &o, eb));
}

/* ---- comments ---- */

static json_t *comment_json(const aop *o, lh_stmt_t *st)
{
    json_t *c = json_pack("{s:s, s:I, s:I}", "id", lh_stmt_text(st, 0), "creation_timestamp",
                          (json_int_t)lh_stmt_int(st, 7), "last_updated_timestamp",
                          (json_int_t)lh_stmt_int(st, 8));
    lh_json_set_str(c, "comment", lh_stmt_text(st, 4));
    lh_json_set_str(c, "user_id", lh_stmt_text(st, 6));
    json_t *actions = json_array();
    const char *me = rg_user(o->req), *author = lh_stmt_text(st, 6);
    bool mine = me && author && strcmp(me, author) == 0;
    if (mine)
        json_array_append_new(actions, json_string("EDIT_COMMENT"));
    if (mine || o->rank >= rank_of("CAN_MANAGE"))
        json_array_append_new(actions, json_string("DELETE_COMMENT"));
    json_object_set_new(c, "available_actions", actions);
    return c;
}

static lh_err comment_render(lh_meta_t *m, aop *o, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT " ACT_COLS " FROM mlr_activities WHERE id = ?", &st, eb));
    lh_stmt_bind_text(st, 1, o->id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "Comment %s not found", o->id);
    o->out = json_pack("{s:o}", "comment", comment_json(o, st));
    return LH_OK;
}

static lh_err comment_create_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    aop *o = arg;
    LH_TRY(reload(m, o, eb));
    char *id = lh_arena_alloc(o->req->arena, RG_ID_HEX + 1);
    lh_random_hex(id, RG_ID_HEX / 2);
    o->id = id;
    int64_t now = lh_now_ms();
    lh_stmt_t *st;
    LH_TRY(
        lh_meta_stmt(m,
                     "INSERT INTO mlr_activities (id, model_id, version, kind, comment, user_id, "
                     "creation_ms, updated_ms) VALUES (?, ?, ?, 'comment', ?, ?, ?, ?)",
                     &st, eb));
    lh_stmt_bind_text(st, 1, id);
    lh_stmt_bind_text(st, 2, o->mo.id);
    lh_stmt_bind_int(st, 3, o->version);
    lh_stmt_bind_text(st, 4, o->comment);
    lh_stmt_bind_text(st, 5, rg_user(o->req));
    lh_stmt_bind_int(st, 6, now);
    lh_stmt_bind_int(st, 7, now);
    LH_TRY(lh_stmt_run(st, eb));
    LH_TRY(hook(m, o, "COMMENT_CREATED", json_pack("{s:s}", "comment", o->comment), now, eb));
    return comment_render(m, o, eb);
}

lh_err rg_h_comment_create(lh_req_t *req, lh_errbuf *eb)
{
    aop o = {0};
    LH_TRY(prepare(req, &o, false, eb));
    LH_FAIL_IF(o.comment == NULL || *o.comment == '\0', LH_E_INVALID, eb,
               "Missing value for required parameter 'comment'");
    LH_TRY(finish(&o, lh_meta_tx(req->ctx->meta, comment_create_tx, &o, eb)));
    rg_hook_kick(rg_of(req));
    return LH_OK;
}

/* A comment by id: its model and author (for the checks). */
typedef struct cfind {
    aop *o;
    const char *author;
} cfind;

static lh_err comment_find(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    cfind *c = arg;
    lh_stmt_t *st;
    bool row, found;
    LH_TRY(lh_meta_stmt(
        m, "SELECT model_id, user_id FROM mlr_activities WHERE id = ? AND kind = 'comment'", &st,
        eb));
    lh_stmt_bind_text(st, 1, c->o->id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "Comment %s not found", c->o->id);
    const char *author = lh_stmt_text(st, 1);
    c->author = author ? lh_arena_strdup(c->o->req->arena, author) : NULL;
    char model_id[RG_ID_HEX + 1];
    snprintf(model_id, sizeof model_id, "%s", lh_stmt_text(st, 0));
    LH_TRY(rg_model_by_id(m, model_id, c->o->req->arena, &c->o->mo, &found, eb));
    LH_ASSERT(found);
    return LH_OK;
}

static lh_err comment_prepare(lh_req_t *req, aop *o, const char **author, lh_errbuf *eb)
{
    o->req = req;
    LH_TRY(lh_json_get_str(req->params, "id", LH_REQUIRED, &o->id, eb));
    cfind c = {o, NULL};
    LH_TRY(lh_meta_read(req->ctx->meta, comment_find, &c, eb));
    LH_TRY(need(o, "CAN_READ", eb));
    LH_TRY(lh_perm_rank_of(req->ctx, req->principal, RG_PERM_PATH, o->mo.id, &o->rank, eb));
    *author = c.author;
    return LH_OK;
}

static lh_err comment_update_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    aop *o = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "UPDATE mlr_activities SET comment = ?, updated_ms = ? WHERE id = ? AND "
                        "kind = 'comment'",
                        &st, eb));
    lh_stmt_bind_text(st, 1, o->comment);
    lh_stmt_bind_int(st, 2, lh_now_ms());
    lh_stmt_bind_text(st, 3, o->id);
    LH_TRY(lh_stmt_run(st, eb));
    return comment_render(m, o, eb);
}

lh_err rg_h_comment_update(lh_req_t *req, lh_errbuf *eb)
{
    aop o = {0};
    const char *author;
    LH_TRY(lh_json_get_str(req->params, "comment", LH_REQUIRED, &o.comment, eb));
    LH_FAIL_IF(strlen(o.comment) > RG_TEXT_MAX, LH_E_INVALID, eb, "comment is longer than %d bytes",
               RG_TEXT_MAX);
    LH_TRY(comment_prepare(req, &o, &author, eb));
    const char *me = rg_user(req);
    LH_FAIL_IF(!(me && author && strcmp(me, author) == 0) &&
                   !(req->principal && req->principal->is_admin),
               LH_E_PERMISSION, eb, "Only the author of comment %s may edit it", o.id);
    return finish(&o, lh_meta_tx(req->ctx->meta, comment_update_tx, &o, eb));
}

static lh_err comment_delete_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    aop *o = arg;
    lh_stmt_t *st;
    LH_TRY(
        lh_meta_stmt(m, "DELETE FROM mlr_activities WHERE id = ? AND kind = 'comment'", &st, eb));
    lh_stmt_bind_text(st, 1, o->id);
    return lh_stmt_run(st, eb);
}

lh_err rg_h_comment_delete(lh_req_t *req, lh_errbuf *eb)
{
    aop o = {0};
    const char *author;
    LH_TRY(comment_prepare(req, &o, &author, eb));
    const char *me = rg_user(req);
    if (!(me && author && strcmp(me, author) == 0))
        LH_TRY(need(&o, "CAN_MANAGE", eb));
    return lh_meta_tx(req->ctx->meta, comment_delete_tx, &o, eb);
}
