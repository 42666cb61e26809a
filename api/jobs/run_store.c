/*
 * run_store.c - the runs tables (migration 12): job_runs holds one row per run and per task
 * run attempt with its rendered document; job_run_tokens maps idempotency tokens to runs.
 * A save writes the run's row and every task run's row in one transaction, guarded by a
 * version that only grows (the caller holds the runs mutex, so saves are ordered anyway).
 * A task run's get-output fields are written once, when they change; above
 * OUTPUT_INLINE_MAX bytes they go to DATA_DIR/jobs/runs/<run_id>/<task_run_id>.json
 * (written to a temp name, fsynced, renamed) and the row holds {"output_file": name}.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/jobs/run_internal.h"
#include "api/page.h"
#include "common/json.h"
#include "common/util.h"
#include "storage/meta/meta.h"

/* Compact JSON text (malloc'd) or NULL. */
static char *jw(const json_t *v)
{
    size_t len = 0;
    return v ? lh_json_write(v, &len) : NULL;
}

#define OUTPUT_INLINE_MAX (16 * 1024)

static void run_dir(const lh_jobs_runs_t *r, int64_t run_id, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/jobs/runs/%lld", r->j->ctx->data_dir, (long long)run_id);
}

static bool mkdirs(const char *path)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return false;
            *p = '/';
        }
    return mkdir(tmp, 0755) == 0 || errno == EEXIST;
}

/* Write text to DATA_DIR/jobs/runs/<run_id>/<task_run_id>.json (temp + fsync + rename);
 * returns the row's stand-in ({"output_file": ...}) or NULL on failure. */
static char *output_to_file(const lh_jobs_runs_t *r, int64_t run_id, int64_t task_run_id,
                            const char *text)
{
    char dir[1024], path[1100], tmp[1200];
    run_dir(r, run_id, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%lld.json", dir, (long long)task_run_id);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (!mkdirs(dir))
        return NULL;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return NULL;
    size_t n = strlen(text), done = 0;
    while (done < n) {
        ssize_t w = write(fd, text + done, n - done);
        if (w <= 0 && errno != EINTR)
            break;
        if (w > 0)
            done += (size_t)w;
    }
    bool ok = done == n && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return NULL;
    }
    char stub[128];
    snprintf(stub, sizeof stub, "{\"output_file\":\"%lld.json\"}", (long long)task_run_id);
    return strdup(stub);
}

/* A stored output: inline JSON, or the file it names. */
static json_t *output_load(const lh_jobs_runs_t *r, int64_t run_id, json_t *stored)
{
    const char *file = json_string_value(json_object_get(stored, "output_file"));
    if (file == NULL || strchr(file, '/') != NULL)
        return stored;
    char dir[1024], path[1300];
    run_dir(r, run_id, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%s", dir, file);
    json_t *o = json_load_file(path, 0, NULL);
    json_decref(stored);
    return o;
}

/* Remove DATA_DIR/jobs/runs/<run_id>/ (its files and the folder). */
static void remove_run_dir(const lh_jobs_runs_t *r, int64_t run_id)
{
    char dir[1024], path[1300];
    run_dir(r, run_id, dir, sizeof dir);
    DIR *dh = opendir(dir);
    if (dh == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(dh)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(dh);
    rmdir(dir);
}

static lh_meta_t *meta_of(lh_jobs_runs_t *r)
{
    return r->j->ctx->meta;
}

static lh_err next_id_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "SELECT COALESCE(MAX(run_id), 0) FROM job_runs", &st, eb));
    bool row = false;
    LH_TRY(lh_stmt_step(st, &row, eb));
    *(int64_t *)arg = row ? lh_stmt_int(st, 0) : 0;
    return LH_OK;
}

lh_err lh_run_store_load_next_id(lh_jobs_runs_t *r, lh_errbuf *eb)
{
    int64_t max = 0;
    LH_TRY(lh_meta_read(meta_of(r), next_id_read, &max, eb));
    r->next_id = max + 1;
    return LH_OK;
}

typedef struct save_row {
    int64_t run_id, parent_run_id, job_id, start_time;
    const char *run_type, *creator, *lc;
    char *doc, *output, *priv;
} save_row;

typedef struct save_arg {
    save_row *rows;
    int count;
    int64_t version;
    const char *token;
    int64_t token_run_id;
} save_arg;

static lh_err save_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    save_arg *a = arg;
    for (int i = 0; i < a->count; i++) {
        save_row *s = &a->rows[i];
        lh_stmt_t *st;
        LH_TRY(lh_meta_stmt(
            m,
            "INSERT INTO job_runs (run_id, parent_run_id, job_id, run_type, creator_user_name, "
            "life_cycle_state, start_time, version, doc, output, private) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(run_id) DO UPDATE SET life_cycle_state = excluded.life_cycle_state, "
            "start_time = excluded.start_time, version = excluded.version, doc = excluded.doc, "
            "output = COALESCE(excluded.output, output), "
            "private = COALESCE(excluded.private, private) WHERE excluded.version >= version",
            &st, eb));
        lh_stmt_bind_int(st, 1, s->run_id);
        if (s->parent_run_id > 0)
            lh_stmt_bind_int(st, 2, s->parent_run_id);
        else
            lh_stmt_bind_null(st, 2);
        lh_stmt_bind_int(st, 3, s->job_id);
        lh_stmt_bind_text(st, 4, s->run_type);
        lh_stmt_bind_text(st, 5, s->creator);
        lh_stmt_bind_text(st, 6, s->lc);
        lh_stmt_bind_int(st, 7, s->start_time);
        lh_stmt_bind_int(st, 8, a->version);
        lh_stmt_bind_text(st, 9, s->doc);
        lh_stmt_bind_text(st, 10, s->output);
        lh_stmt_bind_text(st, 11, s->priv);
        LH_TRY(lh_stmt_run(st, eb));
    }
    if (a->token != NULL) {
        lh_stmt_t *st;
        LH_TRY(lh_meta_stmt(m, "INSERT OR IGNORE INTO job_run_tokens (token, run_id) VALUES (?, ?)",
                            &st, eb));
        lh_stmt_bind_text(st, 1, a->token);
        lh_stmt_bind_int(st, 2, a->token_run_id);
        LH_TRY(lh_stmt_run(st, eb));
    }
    return LH_OK;
}

static void add_task_rows(const run_t *run, task_run_t *t, save_row *rows, int *n, int cap)
{
    /* waiting for a retry: the row keeps the failed attempt; the next one gets a new id */
    if (t->run_id == 0 || *n >= cap || t->lc == LC_WAITING_FOR_RETRY)
        return;
    json_t *doc = lh_task_render(t);
    json_object_set_new(doc, "job_id", json_integer(run->job_id));
    json_object_set_new(doc, "parent_run_id", json_integer(run->run_id));
    json_object_set_new(doc, "run_type", json_string(run->run_type));
    if (run->creator)
        json_object_set_new(doc, "creator_user_name", json_string(run->creator));
    if (t->iter_count > 0) {
        json_t *its = json_array();
        for (int i = 0; i < t->iter_count; i++)
            json_array_append_new(its, lh_task_render(t->iters[i]));
        json_object_set_new(doc, "iterations", its);
    }
    char *output = NULL;
    if (t->output != NULL && !t->output_saved) { /* written once per change */
        output = jw(t->output);
        if (output != NULL && strlen(output) > OUTPUT_INLINE_MAX) {
            char *stub = output_to_file(run->owner, run->run_id, t->run_id, output);
            free(output);
            output = stub;
        }
        t->output_saved = output != NULL;
    }
    rows[*n] = (save_row){t->run_id,
                          run->run_id,
                          run->job_id,
                          t->start_time ? t->start_time : run->created_time,
                          run->run_type,
                          run->creator,
                          lh_run_lc_name(t->lc),
                          jw(doc),
                          output,
                          NULL};
    json_decref(doc);
    (*n)++;
    for (int i = 0; i < t->iter_count; i++)
        add_task_rows(run, t->iters[i], rows, n, cap);
}

static int count_rows(const task_run_t *t)
{
    int n = 1;
    for (int i = 0; i < t->iter_count; i++)
        n += count_rows(t->iters[i]);
    return n;
}

lh_err lh_run_store_save(run_t *run, const char *idempotency_token, lh_errbuf *eb)
{
    int cap = 1;
    for (int i = 0; i < run->task_count; i++)
        cap += count_rows(run->tasks[i]);
    save_row *rows = calloc((size_t)cap, sizeof *rows);
    LH_FAIL_IF(rows == NULL, LH_E_NOMEM, eb, "out of memory");
    json_t *doc = lh_run_render(run, true);
    int n = 0;
    rows[n++] = (save_row){run->run_id,
                           0,
                           run->job_id,
                           run->start_time ? run->start_time : run->created_time,
                           run->run_type,
                           run->creator,
                           lh_run_lc_name(run->lc),
                           jw(doc),
                           NULL,
                           NULL};
    json_decref(doc);
    json_t *priv = json_pack("{s:O, s:O, s:O, s:s, s:{}}", "settings", run->settings, "overrides",
                             run->overrides, "job_params", run->job_params, "job_name",
                             run->job_name ? run->job_name : "", "tasks");
    for (int i = 0; priv && i < run->task_count; i++) {
        task_run_t *t = run->tasks[i];
        json_t *o = json_pack("{s:i}", "outcome", t->outcome);
        if (t->values)
            json_object_set(o, "values", t->values);
        json_object_set_new(json_object_get(priv, "tasks"), t->key, o);
    }
    rows[0].priv = priv ? jw(priv) : NULL;
    json_decref(priv);
    for (int i = 0; i < run->task_count; i++)
        add_task_rows(run, run->tasks[i], rows, &n, cap);
    lh_err e = LH_OK;
    for (int i = 0; i < n; i++)
        if (rows[i].doc == NULL)
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    save_arg a = {rows, n, ++run->version, idempotency_token, run->run_id};
    if (e == LH_OK)
        e = lh_meta_tx(run->owner->j->ctx->meta, save_tx, &a, eb);
    for (int i = 0; i < n; i++) {
        free(rows[i].doc);
        free(rows[i].output);
        free(rows[i].priv);
    }
    free(rows);
    return e;
}

typedef struct token_arg {
    const char *token;
    int64_t run_id;
} token_arg;

static lh_err token_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    token_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "SELECT run_id FROM job_run_tokens WHERE token = ?", &st, eb));
    lh_stmt_bind_text(st, 1, a->token);
    bool row = false;
    LH_TRY(lh_stmt_step(st, &row, eb));
    a->run_id = row ? lh_stmt_int(st, 0) : 0;
    return LH_OK;
}

lh_err lh_run_store_token(lh_jobs_runs_t *r, const char *token, int64_t *run_id, lh_errbuf *eb)
{
    token_arg a = {token, 0};
    LH_TRY(lh_meta_read(meta_of(r), token_read, &a, eb));
    *run_id = a.run_id;
    return LH_OK;
}

static run_lc lc_of(const char *s)
{
    for (int i = 0; i <= LC_WAITING_FOR_RETRY; i++)
        if (s != NULL && strcmp(s, lh_run_lc_name((run_lc)i)) == 0)
            return (run_lc)i;
    return LC_INTERNAL_ERROR;
}

typedef struct get_arg {
    int64_t run_id, run_dir_id;
    run_row_t *out;
} get_arg;

static json_t *parse(const char *text)
{
    return text ? json_loads(text, 0, NULL) : NULL;
}

static lh_err get_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    get_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT doc, output, parent_run_id, job_id, creator_user_name, "
                        "life_cycle_state, private, version FROM job_runs WHERE run_id = ?",
                        &st, eb));
    lh_stmt_bind_int(st, 1, a->run_id);
    bool row = false;
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_INVALID, eb, "Run %lld does not exist.", (long long)a->run_id);
    a->out->doc = parse(lh_stmt_text(st, 0));
    a->out->output = parse(lh_stmt_text(st, 1));
    a->run_dir_id = lh_stmt_is_null(st, 2) ? a->run_id : lh_stmt_int(st, 2);
    a->out->is_task = !lh_stmt_is_null(st, 2);
    a->out->parent_run_id = a->out->is_task ? lh_stmt_int(st, 2) : 0;
    a->out->job_id = lh_stmt_int(st, 3);
    const char *c = lh_stmt_text(st, 4);
    a->out->creator = c ? strdup(c) : NULL;
    a->out->lc = lc_of(lh_stmt_text(st, 5));
    a->out->priv = parse(lh_stmt_text(st, 6));
    a->out->version = lh_stmt_int(st, 7);
    LH_FAIL_IF(a->out->doc == NULL, LH_E_CORRUPT, eb, "run %lld: stored document unreadable",
               (long long)a->run_id);
    if (a->out->is_task)
        return LH_OK;
    a->out->events = json_array();
    LH_FAIL_IF(a->out->events == NULL, LH_E_NOMEM, eb, "out of memory");
    LH_TRY(lh_meta_stmt(m,
                        "SELECT time, type, message FROM job_run_events WHERE run_id = ? "
                        "ORDER BY seq LIMIT 1000",
                        &st, eb));
    lh_stmt_bind_int(st, 1, a->run_id);
    for (;;) {
        row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            break;
        json_t *ev = json_pack("{s:I,s:s,s:s}", "time", (json_int_t)lh_stmt_int(st, 0), "type",
                               lh_stmt_text(st, 1), "message", lh_stmt_text(st, 2));
        LH_FAIL_IF(ev == NULL || json_array_append_new(a->out->events, ev) != 0, LH_E_NOMEM, eb,
                   "out of memory");
    }
    return LH_OK;
}

lh_err lh_run_store_get(lh_jobs_runs_t *r, int64_t run_id, run_row_t *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    get_arg a = {run_id, 0, out};
    lh_err e = lh_meta_read(meta_of(r), get_read, &a, eb);
    if (e != LH_OK) {
        lh_run_row_free(out);
        return e;
    }
    if (out->output != NULL)
        out->output = output_load(r, a.run_dir_id, out->output);
    return LH_OK;
}

void lh_run_row_free(run_row_t *row)
{
    json_decref(row->doc);
    json_decref(row->output);
    json_decref(row->priv);
    json_decref(row->events);
    free(row->creator);
    memset(row, 0, sizeof *row);
}

static lh_err delete_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    int64_t id = *(int64_t *)arg;
    lh_stmt_t *st;
    LH_TRY(
        lh_meta_stmt(m, "DELETE FROM job_runs WHERE run_id = ?1 OR parent_run_id = ?1", &st, eb));
    lh_stmt_bind_int(st, 1, id);
    LH_TRY(lh_stmt_run(st, eb));
    LH_TRY(lh_meta_stmt(m, "DELETE FROM job_run_tokens WHERE run_id = ?", &st, eb));
    lh_stmt_bind_int(st, 1, id);
    LH_TRY(lh_stmt_run(st, eb));
    LH_TRY(lh_meta_stmt(m, "DELETE FROM job_run_events WHERE run_id = ?", &st, eb));
    lh_stmt_bind_int(st, 1, id);
    return lh_stmt_run(st, eb);
}

lh_err lh_run_store_delete(lh_jobs_runs_t *r, int64_t run_id, lh_errbuf *eb)
{
    LH_TRY(lh_meta_tx(meta_of(r), delete_tx, &run_id, eb));
    remove_run_dir(r, run_id);
    return LH_OK;
}

static lh_err delete_job_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    int64_t id = *(int64_t *)arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "DELETE FROM job_run_tokens WHERE run_id IN "
                        "(SELECT run_id FROM job_runs WHERE job_id = ?)",
                        &st, eb));
    lh_stmt_bind_int(st, 1, id);
    LH_TRY(lh_stmt_run(st, eb));
    LH_TRY(lh_meta_stmt(m,
                        "DELETE FROM job_run_events WHERE run_id IN "
                        "(SELECT run_id FROM job_runs WHERE job_id = ?)",
                        &st, eb));
    lh_stmt_bind_int(st, 1, id);
    LH_TRY(lh_stmt_run(st, eb));
    LH_TRY(lh_meta_stmt(m, "DELETE FROM job_runs WHERE job_id = ?", &st, eb));
    lh_stmt_bind_int(st, 1, id);
    return lh_stmt_run(st, eb);
}

lh_err lh_run_store_delete_job(lh_jobs_runs_t *r, int64_t job_id, lh_errbuf *eb)
{
    return lh_meta_tx(meta_of(r), delete_job_tx, &job_id, eb);
}

#define ACTIVE_STATES "('QUEUED','PENDING','RUNNING','TERMINATING','BLOCKED','WAITING_FOR_RETRY')"
#define RESTART_MSG   "The run was interrupted by a restart of the server"

/* A document that was in flight: INTERNAL_ERROR with the restart message. */
static char *interrupted(const char *text, int64_t now)
{
    json_t *doc = parse(text);
    if (doc == NULL)
        return NULL;
    json_t *state = json_pack("{s:s, s:s, s:b}", "life_cycle_state", "INTERNAL_ERROR",
                              "state_message", RESTART_MSG, "user_cancelled_or_timedout", 0);
    json_t *status =
        json_pack("{s:s, s:{s:s, s:s, s:s}}", "state", "TERMINATED", "termination_details", "code",
                  "INTERNAL_ERROR", "type", "INTERNAL_ERROR", "message", RESTART_MSG);
    json_object_set_new(doc, "state", state);
    json_object_set_new(doc, "status", status);
    json_object_set_new(doc, "end_time", json_integer(now));
    json_t *tasks = json_object_get(doc, "tasks");
    size_t i;
    json_t *t;
    json_array_foreach(tasks, i, t)
    {
        const char *lc =
            json_string_value(json_object_get(json_object_get(t, "state"), "life_cycle_state"));
        if (lc && strstr(ACTIVE_STATES, lc) != NULL) {
            json_object_set(t, "state", state);
            json_object_set(t, "status", status);
        }
    }
    char *out = jw(doc);
    json_decref(doc);
    return out;
}

static lh_err recover_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    (void)arg;
    int64_t now = lh_now_ms();
    for (;;) {
        lh_stmt_t *st;
        LH_TRY(lh_meta_stmt(
            m,
            "SELECT run_id, doc FROM job_runs WHERE life_cycle_state IN " ACTIVE_STATES " LIMIT 1",
            &st, eb));
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        int64_t id = lh_stmt_int(st, 0);
        char *doc = interrupted(lh_stmt_text(st, 1), now);
        lh_stmt_t *up;
        LH_TRY(lh_meta_stmt(m,
                            "UPDATE job_runs SET life_cycle_state = 'INTERNAL_ERROR', "
                            "doc = COALESCE(?, doc) WHERE run_id = ?",
                            &up, eb));
        lh_stmt_bind_text(up, 1, doc);
        lh_stmt_bind_int(up, 2, id);
        free(doc);
        LH_TRY(lh_stmt_run(up, eb));
    }
}

lh_err lh_run_store_recover(lh_jobs_runs_t *r, lh_errbuf *eb)
{
    return lh_meta_tx(meta_of(r), recover_tx, NULL, eb);
}

typedef struct list_arg {
    const run_list_q_t *q;
    json_t *runs;
} list_arg;

static lh_err list_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    list_arg *a = arg;
    const run_list_q_t *q = a->q;
    lh_page_t *p = q->page;
    char sql[2048];
    snprintf(sql, sizeof sql,
             "SELECT run_id, doc FROM job_runs WHERE parent_run_id IS NULL AND "
             "(?1 = 0 OR job_id = ?1) AND (?2 = 0 OR life_cycle_state IN " ACTIVE_STATES ") AND "
             "(?3 = 0 OR life_cycle_state NOT IN " ACTIVE_STATES
             ") AND (?4 = 0 OR start_time >= ?4) "
             "AND (?5 = 0 OR start_time <= ?5) AND (?6 IS NULL OR run_type = ?6) AND "
             "(?7 IS NULL OR creator_user_name = ?7) AND %s ORDER BY %s LIMIT ?9 OFFSET ?10",
             lh_page_sql_where(p, 8), lh_page_sql_order(p));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, sql, &st, eb));
    lh_stmt_bind_int(st, 1, q->job_id);
    lh_stmt_bind_int(st, 2, q->active_only);
    lh_stmt_bind_int(st, 3, q->completed_only);
    lh_stmt_bind_int(st, 4, q->start_from);
    lh_stmt_bind_int(st, 5, q->start_to);
    lh_stmt_bind_text(st, 6, q->run_type);
    lh_stmt_bind_text(st, 7, q->creator);
    int n = lh_page_bind(p, st, 8);
    lh_stmt_bind_int(st, n, p->fetch);
    lh_stmt_bind_int(st, n + 1, p->has_pos ? 0 : q->offset);
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            break;
        lh_page_key k[1] = {{lh_stmt_int(st, 0), NULL}};
        if (!lh_page_take(p, k))
            break;
        json_t *doc = parse(lh_stmt_text(st, 1));
        if (doc == NULL)
            continue;
        json_object_del(doc, "repair_history");
        if (!q->expand_tasks)
            json_object_del(doc, "tasks");
        lh_page_add(p, a->runs, doc);
    }
    return LH_OK;
}

lh_err lh_run_store_list(lh_jobs_runs_t *r, const run_list_q_t *q, json_t *runs, lh_errbuf *eb)
{
    list_arg a = {q, runs};
    return lh_meta_read(meta_of(r), list_read, &a, eb);
}
