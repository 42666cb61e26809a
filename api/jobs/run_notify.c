/*
 * run_notify.c - a run's and a task's notifications, sent through api/notify.h (queued:
 * never blocks the engine):
 *
 *   email_notifications   {on_start, on_success, on_failure,
 *                          on_duration_warning_threshold_exceeded: [address],
 *                          no_alert_for_skipped_runs}
 *   webhook_notifications {same events: [{id}]}: ids of notification destinations
 *                          (notif_dest.c): a WEBHOOK destination gets the JSON payload
 *                          (Basic auth when it has username/password), an EMAIL one the email
 *   notification_settings {no_alert_for_skipped_runs, no_alert_for_canceled_runs}
 *
 * Events: on_start when a run (a task) starts running; on_success / on_failure when it ends
 * (failure = FAILED, TIMEDOUT, and CANCELED unless no_alert_for_canceled_runs, a run SKIPPED
 * at max_concurrent_runs unless no_alert_for_skipped_runs (notification_settings or
 * email_notifications: either silences both kinds); runs ended by a restart send nothing;
 * a task's EXCLUDED / UPSTREAM_* / DISABLED send nothing); on_duration_warning_threshold_exceeded
 * once while the run (a task) is running past its health.rules RUN_DURATION_SECONDS
 * GREATER_THAN value. for_each iterations send nothing (their for_each task does).
 * Webhook payload (Databricks' job webhook shape): {event_type: "jobs.on_start" |
 * "jobs.on_success" | "jobs.on_failure" | "jobs.on_duration_warning_threshold_exceeded",
 * workspace_id, run: {run_id, parent_run_id (a task's)}, job: {job_id, name}, task:
 * {task_key} (a task's)}.
 * A failed or undeliverable send (e.g. "no SMTP relay configured") is recorded as an event of
 * the run (job_run_events, migration 14: runs/get shows `events`, a Lakehouse extension:
 * {time, type: "NOTIFICATION_UNDELIVERABLE", message}), a WARN log line naming the run and the
 * counters lakehouse_jobs_notifications_{sent,failed}_total. Sends end on the notify
 * executor, possibly after the jobs area is gone: the metastore outlives the sender.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/jobs/run_internal.h"
#include "api/notify.h"
#include "common/json.h"
#include "common/util.h"
#include "storage/meta/meta.h"

/* process-wide: a send may end after the jobs area is gone (notify ends last) */
static atomic_llong notify_sent, notify_failed;

typedef struct sent_arg {
    lh_meta_t *meta;
    int64_t run_id; /* the run (a task's parent run) the event belongs to */
    char what[200];
} sent_arg;

typedef struct event_arg {
    int64_t run_id;
    const char *message;
} event_arg;

static lh_err event_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    event_arg *e = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO job_run_events(run_id, time, type, message) "
                        "VALUES (?, ?, 'NOTIFICATION_UNDELIVERABLE', ?)",
                        &st, eb));
    lh_stmt_bind_int(st, 1, e->run_id);
    lh_stmt_bind_int(st, 2, lh_now_ms());
    lh_stmt_bind_text(st, 3, e->message);
    return lh_stmt_run(st, eb);
}

/* Log, count and record a send that failed. */
static void undeliverable(lh_meta_t *meta, int64_t run_id, const char *what, const char *why)
{
    atomic_fetch_add(&notify_failed, 1);
    lh_log(LH_LOG_WARN, "jobs: notification %s undeliverable: %s", what, why);
    if (meta == NULL)
        return;
    char msg[1024]; /* what (< 200) and why (an errbuf message, < 512) always fit */
    snprintf(msg, sizeof msg, "notification %s undeliverable: %s", what, why);
    event_arg e = {run_id, msg};
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    if (lh_meta_tx(meta, event_tx, &e, &eb) != LH_OK)
        lh_log(LH_LOG_WARN, "jobs: run %lld: cannot record a notification event: %s",
               (long long)run_id, eb.msg);
}

static void on_sent(void *arg, const lh_notify_result_t *res)
{
    sent_arg *a = arg;
    if (res->ok)
        atomic_fetch_add(&notify_sent, 1);
    else
        undeliverable(a->meta, a->run_id, a->what, res->error ? res->error : "failed");
    free(a);
}

static sent_arg *sent_new(const run_t *run, const task_run_t *t, const char *event, const char *to)
{
    sent_arg *a = calloc(1, sizeof *a);
    if (a != NULL) {
        a->meta = run->owner->j->ctx->meta;
        a->run_id = run->run_id;
        snprintf(a->what, sizeof a->what, "%s of run %lld%s%s to %s", event, (long long)run->run_id,
                 t ? " task " : "", t ? t->key : "", to);
    }
    return a;
}

static char *base64(const char *in)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(in);
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned char)in[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)in[i + 2];
        out[o++] = tab[(v >> 18) & 63];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? tab[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

static void send_email(lh_notify_t *n, const run_t *run, const task_run_t *t, const char *event,
                       const json_t *addresses, const char *subject, const char *body)
{
    size_t count = json_array_size(addresses);
    if (count == 0)
        return;
    const char **to = calloc(count + 1, sizeof *to);
    if (to == NULL)
        return;
    size_t k = 0;
    for (size_t i = 0; i < count; i++)
        if (json_string_value(json_array_get(addresses, i)))
            to[k++] = json_string_value(json_array_get(addresses, i));
    sent_arg *a = sent_new(run, t, event, to[0] ? to[0] : "?");
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    if (k == 0 || a == NULL || lh_notify_email(n, to, subject, body, on_sent, a, &eb) != LH_OK) {
        undeliverable(run->owner->j->ctx->meta, run->run_id, a ? a->what : event,
                      eb.msg[0] ? eb.msg : "no address");
        free(a);
    }
    free(to);
}

static void send_webhook(lh_notify_t *n, const run_t *run, const task_run_t *t, const char *event,
                         const json_t *dest, const char *payload)
{
    json_t *wh = json_object_get(json_object_get(dest, "config"), "generic_webhook");
    const char *url = json_string_value(json_object_get(wh, "url"));
    const char *user = json_string_value(json_object_get(wh, "username"));
    const char *pass = json_string_value(json_object_get(wh, "password"));
    char *auth = NULL, *header = NULL;
    const char *headers[2] = {NULL, NULL};
    if (user != NULL || pass != NULL) {
        size_t len = strlen(user ? user : "") + strlen(pass ? pass : "") + 2;
        char *cred = malloc(len);
        if (cred != NULL) {
            snprintf(cred, len, "%s:%s", user ? user : "", pass ? pass : "");
            auth = base64(cred);
            free(cred);
        }
        if (auth != NULL && (header = malloc(strlen(auth) + 32)) != NULL) {
            sprintf(header, "Authorization: Basic %s", auth);
            headers[0] = header;
        }
    }
    lh_notify_webhook_opts_t opts = {.headers = headers};
    sent_arg *a = sent_new(run, t, event, json_string_value(json_object_get(dest, "id")));
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    if (url == NULL || a == NULL ||
        lh_notify_webhook(n, url, payload, &opts, on_sent, a, &eb) != LH_OK) {
        undeliverable(run->owner->j->ctx->meta, run->run_id, a ? a->what : event,
                      eb.msg[0] ? eb.msg : "no url");
        free(a);
    }
    free(auth);
    free(header);
}

void lh_run_notify(run_t *run, task_run_t *t, const char *event, const char *state)
{
    lh_ctx_t *ctx = run->owner->j->ctx;
    lh_notify_t *n = ctx->notify;
    if (n == NULL || (t != NULL && t->parent != NULL))
        return;
    const json_t *s = t ? t->settings : run->settings;
    json_t *emails = json_object_get(json_object_get(s, "email_notifications"), event);
    json_t *hooks = json_object_get(json_object_get(s, "webhook_notifications"), event);
    if (json_array_size(emails) == 0 && json_array_size(hooks) == 0)
        return;
    const char *job_name = run->job_name ? run->job_name : run->run_name ? run->run_name : "";
    char url[512];
    snprintf(url, sizeof url, "%s/#job/%lld/run/%lld",
             ctx->workspace_host ? ctx->workspace_host : "", (long long)run->job_id,
             (long long)(t ? t->run_id : run->run_id));
    /* the webhook payload */
    json_t *p = json_object();
    char ev[80];
    snprintf(ev, sizeof ev, "jobs.%s", event);
    json_object_set_new(p, "event_type", json_string(ev));
    char ws[32];
    snprintf(ws, sizeof ws, "%lld", (long long)ctx->workspace_id);
    json_object_set_new(p, "workspace_id", json_string(ws));
    json_t *rj = json_pack("{s:I}", "run_id", (json_int_t)(t ? t->run_id : run->run_id));
    if (t != NULL)
        json_object_set_new(rj, "parent_run_id", json_integer(run->run_id));
    json_object_set_new(rj, "run_page_url", json_string(url));
    if (state != NULL)
        json_object_set_new(rj, "result_state", json_string(state));
    json_object_set_new(p, "run", rj);
    json_object_set_new(
        p, "job", json_pack("{s:I, s:s}", "job_id", (json_int_t)run->job_id, "name", job_name));
    if (t != NULL)
        json_object_set_new(p, "task", json_pack("{s:s}", "task_key", t->key));
    char *payload = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    /* the email */
    static const struct {
        const char *event, *words;
    } words[] = {{"on_start", "started"},
                 {"on_success", "succeeded"},
                 {"on_failure", "failed"},
                 {"on_duration_warning_threshold_exceeded", "is running longer than expected"}};
    const char *w = event;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(words[i].event, event) == 0)
            w = words[i].words;
    char subject[512], body[2048];
    if (t != NULL)
        snprintf(subject, sizeof subject, "[Lakehouse] Task %s of job %s run %lld %s", t->key,
                 job_name, (long long)run->run_id, w);
    else
        snprintf(subject, sizeof subject, "[Lakehouse] Job %s run %lld %s", job_name,
                 (long long)run->run_id, w);
    snprintf(body, sizeof body,
             "Job: %s (job_id %lld)\nRun: %lld%s%s\nState: %s\nRun page: %s\n%s%s\n", job_name,
             (long long)run->job_id, (long long)run->run_id, t ? "\nTask: " : "", t ? t->key : "",
             state ? state : "RUNNING", url, (t ? t->message : run->message) ? "Message: " : "",
             (t ? t->message : run->message) ? (t ? t->message : run->message) : "");
    send_email(n, run, t, event, emails, subject, body);
    size_t i;
    json_t *h;
    json_array_foreach(hooks, i, h)
    {
        const char *id = json_string_value(json_object_get(h, "id"));
        json_t *dest = NULL;
        lh_errbuf eb;
        lh_errbuf_clear(&eb);
        if (id == NULL || lh_jobs_dest_get(ctx, id, &dest, &eb) != LH_OK) {
            char what[200];
            snprintf(what, sizeof what, "%s of run %lld to destination %s", event,
                     (long long)run->run_id, id ? id : "(no id)");
            undeliverable(ctx->meta, run->run_id, what, eb.msg[0] ? eb.msg : "no id");
            continue;
        }
        const char *type = json_string_value(json_object_get(dest, "destination_type"));
        if (type != NULL && strcmp(type, "EMAIL") == 0)
            send_email(n, run, t, event,
                       json_object_get(json_object_get(json_object_get(dest, "config"), "email"),
                                       "addresses"),
                       subject, body);
        else if (payload != NULL)
            send_webhook(n, run, t, event, dest, payload);
        json_decref(dest);
    }
    free(payload);
}

void lh_run_notify_end(run_t *run, task_run_t *t)
{
    run_rs rs = t ? t->rs : run->rs;
    const json_t *s = t ? t->settings : run->settings;
    json_t *ns = json_object_get(s, "notification_settings");
    bool no_cancel = false, no_skip = false, no_skip_email = false;
    lh_json_get_bool(ns, "no_alert_for_canceled_runs", LH_OPTIONAL, &no_cancel, NULL);
    lh_json_get_bool(ns, "no_alert_for_skipped_runs", LH_OPTIONAL, &no_skip, NULL);
    lh_json_get_bool(json_object_get(s, "email_notifications"), "no_alert_for_skipped_runs",
                     LH_OPTIONAL, &no_skip_email, NULL);
    const char *state = lh_run_rs_name(rs);
    if (t == NULL && run->lc == LC_SKIPPED) {
        if (!no_skip && !no_skip_email)
            lh_run_notify(run, NULL, "on_failure", state);
        return;
    }
    if (rs == RS_SUCCESS)
        lh_run_notify(run, t, "on_success", state);
    else if (rs == RS_FAILED || rs == RS_TIMEDOUT || (rs == RS_CANCELED && !no_cancel))
        lh_run_notify(run, t, "on_failure", state);
}

int64_t lh_run_duration_threshold_ms(const json_t *settings)
{
    size_t i;
    json_t *rule;
    json_array_foreach(json_object_get(json_object_get(settings, "health"), "rules"), i, rule)
    {
        const char *m = json_string_value(json_object_get(rule, "metric"));
        const char *op = json_string_value(json_object_get(rule, "op"));
        json_t *v = json_object_get(rule, "value");
        if (m && op && strcmp(m, "RUN_DURATION_SECONDS") == 0 && strcmp(op, "GREATER_THAN") == 0 &&
            json_is_number(v))
            return (int64_t)(json_number_value(v) * 1000);
    }
    return 0;
}

void lh_run_notify_metrics(FILE *out)
{
    fprintf(out,
            "# TYPE lakehouse_jobs_notifications_sent_total counter\n"
            "lakehouse_jobs_notifications_sent_total %lld\n"
            "# TYPE lakehouse_jobs_notifications_failed_total counter\n"
            "lakehouse_jobs_notifications_failed_total %lld\n",
            (long long)atomic_load(&notify_sent), (long long)atomic_load(&notify_failed));
}
