/*
 * job_settings.c - JobSettings: validation (jobs/create, reset, update's merged result,
 * runs/submit), API 2.0 single-task bodies, defaults, jobs/update merging, and the
 * file-arrival trigger's url.
 *
 * Errors are LH_E_INVALID naming the field by its path in the request, e.g.
 * "settings.tasks[1].depends_on[0].task_key: task 'b' does not exist".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/jobs/cron.h"
#include "api/jobs/job_defs_internal.h"
#include "common/json.h"

#define KEY_MAX 100

static const char *const TASK_TYPES[] = {"notebook_task",  "spark_python_task", "python_wheel_task",
                                         "spark_jar_task", "spark_submit_task", "sql_task",
                                         "pipeline_task",  "run_job_task",      "condition_task",
                                         "for_each_task",  "dbt_task",          NULL};

static const char *const RUN_IF[] = {
    "ALL_SUCCESS",         "ALL_DONE", "NONE_FAILED", "AT_LEAST_ONE_SUCCESS", "ALL_FAILED",
    "AT_LEAST_ONE_FAILED", NULL};

static const char *const COND_OPS[] = {
    "EQUAL_TO",           "NOT_EQUAL", "GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN",
    "LESS_THAN_OR_EQUAL", NULL};

/* Fields of an API 2.0 single-task body that belong to its one task. */
static const char *const LEGACY_TASK_FIELDS[] = {
    "existing_cluster_id",       "new_cluster",      "libraries", "max_retries",
    "min_retry_interval_millis", "retry_on_timeout", NULL};

static bool in_set(const char *s, const char *const *set)
{
    for (int i = 0; set[i] != NULL; i++)
        if (strcmp(s, set[i]) == 0)
            return true;
    return false;
}

static bool valid_key(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > KEY_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

static const json_t *get(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_null(v) ? NULL : v;
}

/* ---- small typed checks, each naming "<where>.<key>" ---- */

static lh_err need_obj(const json_t *o, const char *where, const char *key, bool required,
                       const json_t **out, lh_errbuf *eb)
{
    const json_t *v = get(o, key);
    *out = v;
    LH_FAIL_IF(v == NULL && required, LH_E_INVALID, eb, "%s.%s is required", where, key);
    LH_FAIL_IF(v != NULL && !json_is_object(v), LH_E_INVALID, eb, "%s.%s must be an object", where,
               key);
    return LH_OK;
}

static lh_err need_list(const json_t *o, const char *where, const char *key, const json_t **out,
                        lh_errbuf *eb)
{
    const json_t *v = get(o, key);
    *out = v;
    LH_FAIL_IF(v != NULL && !json_is_array(v), LH_E_INVALID, eb, "%s.%s must be an array", where,
               key);
    return LH_OK;
}

static lh_err need_str(const json_t *o, const char *where, const char *key, bool required,
                       const char **out, lh_errbuf *eb)
{
    const json_t *v = get(o, key);
    *out = NULL;
    LH_FAIL_IF(v == NULL && required, LH_E_INVALID, eb, "%s.%s is required", where, key);
    if (v == NULL)
        return LH_OK;
    LH_FAIL_IF(!json_is_string(v), LH_E_INVALID, eb, "%s.%s must be a string", where, key);
    LH_FAIL_IF(required && json_string_length(v) == 0, LH_E_INVALID, eb, "%s.%s must not be empty",
               where, key);
    *out = json_string_value(v);
    return LH_OK;
}

static lh_err need_enum(const json_t *o, const char *where, const char *key, const char *const *set,
                        lh_errbuf *eb)
{
    const char *s;
    LH_TRY(need_str(o, where, key, false, &s, eb));
    if (s == NULL || in_set(s, set))
        return LH_OK;
    char all[256] = "";
    for (int i = 0; set[i] != NULL; i++) {
        strncat(all, i ? ", " : "", sizeof all - strlen(all) - 1);
        strncat(all, set[i], sizeof all - strlen(all) - 1);
    }
    LH_FAIL(LH_E_INVALID, eb, "%s.%s: '%s' is not one of %s", where, key, s, all);
}

static lh_err need_int(const json_t *o, const char *where, const char *key, bool required,
                       int64_t min, int64_t max, int64_t *out, lh_errbuf *eb)
{
    const json_t *v = get(o, key);
    LH_FAIL_IF(v == NULL && required, LH_E_INVALID, eb, "%s.%s is required", where, key);
    if (v == NULL)
        return LH_OK;
    char what[320];
    snprintf(what, sizeof what, "%s.%s", where, key);
    int64_t n;
    LH_TRY(lh_json_as_int(v, what, &n, eb));
    LH_FAIL_IF(n < min || n > max, LH_E_INVALID, eb, "%s must be between %lld and %lld, not %lld",
               what, (long long)min, (long long)max, (long long)n);
    if (out != NULL)
        *out = n;
    return LH_OK;
}

static lh_err need_bool(const json_t *o, const char *where, const char *key, lh_errbuf *eb)
{
    const json_t *v = get(o, key);
    if (v == NULL)
        return LH_OK;
    char what[320];
    snprintf(what, sizeof what, "%s.%s", where, key);
    bool b;
    return lh_json_as_bool(v, what, &b, eb);
}

/* ---- tasks ---- */

static lh_err check_task_type(const json_t *task, const char *where, const char *type,
                              lh_errbuf *eb)
{
    char w[200];
    snprintf(w, sizeof w, "%s.%s", where, type);
    const json_t *t = get(task, type);
    const char *s;
    if (strcmp(type, "notebook_task") == 0) {
        LH_TRY(need_str(t, w, "notebook_path", true, &s, eb));
        LH_TRY(need_enum(t, w, "source", (const char *const[]){"WORKSPACE", "GIT", NULL}, eb));
        const json_t *bp;
        LH_TRY(need_obj(t, w, "base_parameters", false, &bp, eb));
    } else if (strcmp(type, "spark_python_task") == 0) {
        LH_TRY(need_str(t, w, "python_file", true, &s, eb));
        LH_TRY(need_enum(t, w, "source", (const char *const[]){"WORKSPACE", "GIT", NULL}, eb));
        const json_t *l;
        LH_TRY(need_list(t, w, "parameters", &l, eb));
    } else if (strcmp(type, "python_wheel_task") == 0) {
        LH_TRY(need_str(t, w, "package_name", true, &s, eb));
        LH_TRY(need_str(t, w, "entry_point", true, &s, eb));
        const json_t *l;
        LH_TRY(need_list(t, w, "parameters", &l, eb));
        LH_TRY(need_obj(t, w, "named_parameters", false, &l, eb));
    } else if (strcmp(type, "spark_jar_task") == 0) {
        const char *mc = NULL, *uri = NULL;
        LH_TRY(need_str(t, w, "main_class_name", false, &mc, eb));
        LH_TRY(need_str(t, w, "jar_uri", false, &uri, eb));
        LH_FAIL_IF(mc == NULL && uri == NULL, LH_E_INVALID, eb, "%s.main_class_name is required",
                   w);
        const json_t *l;
        LH_TRY(need_list(t, w, "parameters", &l, eb));
    } else if (strcmp(type, "spark_submit_task") == 0) {
        const json_t *l;
        LH_TRY(need_list(t, w, "parameters", &l, eb));
    } else if (strcmp(type, "sql_task") == 0) {
        LH_TRY(need_str(t, w, "warehouse_id", true, &s, eb));
        static const char *const kinds[] = {"query", "file", "alert", "dashboard", NULL};
        int n = 0;
        for (int i = 0; kinds[i] != NULL; i++) {
            const json_t *k;
            LH_TRY(need_obj(t, w, kinds[i], false, &k, eb));
            n += k != NULL;
        }
        LH_FAIL_IF(n != 1, LH_E_INVALID, eb,
                   "%s: exactly one of query, file, alert and dashboard is required", w);
        const json_t *k;
        if ((k = get(t, "query")) != NULL) {
            char w2[256];
            snprintf(w2, sizeof w2, "%s.query", w);
            /* query_id names a saved query (not built: the task fails when it runs);
             * query_text is Lakehouse's extension: the SQL itself */
            const char *text = NULL;
            LH_TRY(need_str(k, w2, "query_id", false, &s, eb));
            LH_TRY(need_str(k, w2, "query_text", false, &text, eb));
            LH_FAIL_IF((s == NULL) == (text == NULL), LH_E_INVALID, eb,
                       "%s: exactly one of query_id and query_text is required", w2);
        }
        if ((k = get(t, "file")) != NULL) {
            char w2[256];
            snprintf(w2, sizeof w2, "%s.file", w);
            LH_TRY(need_str(k, w2, "path", true, &s, eb));
        }
        if ((k = get(t, "alert")) != NULL) {
            char w2[256];
            snprintf(w2, sizeof w2, "%s.alert", w);
            LH_TRY(need_str(k, w2, "alert_id", true, &s, eb));
        }
        if ((k = get(t, "dashboard")) != NULL) {
            char w2[256];
            snprintf(w2, sizeof w2, "%s.dashboard", w);
            LH_TRY(need_str(k, w2, "dashboard_id", true, &s, eb));
        }
        const json_t *p;
        LH_TRY(need_obj(t, w, "parameters", false, &p, eb));
    } else if (strcmp(type, "pipeline_task") == 0) {
        LH_TRY(need_str(t, w, "pipeline_id", true, &s, eb));
        LH_TRY(need_bool(t, w, "full_refresh", eb));
    } else if (strcmp(type, "run_job_task") == 0) {
        LH_TRY(need_int(t, w, "job_id", true, 1, INT64_MAX, NULL, eb));
        const json_t *p;
        LH_TRY(need_obj(t, w, "job_parameters", false, &p, eb));
    } else if (strcmp(type, "condition_task") == 0) {
        LH_TRY(need_str(t, w, "op", true, &s, eb));
        LH_TRY(need_enum(t, w, "op", COND_OPS, eb));
        const json_t *v = get(t, "left");
        LH_FAIL_IF(v == NULL, LH_E_INVALID, eb, "%s.left is required", w);
        LH_FAIL_IF(!json_is_string(v), LH_E_INVALID, eb, "%s.left must be a string", w);
        v = get(t, "right");
        LH_FAIL_IF(v == NULL, LH_E_INVALID, eb, "%s.right is required", w);
        LH_FAIL_IF(!json_is_string(v), LH_E_INVALID, eb, "%s.right must be a string", w);
    } else if (strcmp(type, "dbt_task") == 0) {
        const json_t *l = get(t, "commands");
        LH_FAIL_IF(l == NULL, LH_E_INVALID, eb, "%s.commands is required", w);
        LH_FAIL_IF(!json_is_array(l) || json_array_size(l) == 0, LH_E_INVALID, eb,
                   "%s.commands must be a non-empty array of strings", w);
        for (size_t i = 0; i < json_array_size(l); i++)
            LH_FAIL_IF(!json_is_string(json_array_get(l, i)), LH_E_INVALID, eb,
                       "%s.commands[%zu] must be a string", w, i);
    }
    /* for_each_task is checked by the caller (it nests a task) */
    return LH_OK;
}

typedef struct vctx {
    const json_t *job_clusters; /* array or NULL */
    bool submit;
} vctx;

static lh_err check_task(const vctx *v, const json_t *task, const char *where, bool nested,
                         lh_errbuf *eb);

static lh_err check_for_each(const vctx *v, const json_t *fe, const char *where, lh_errbuf *eb)
{
    char w[200];
    snprintf(w, sizeof w, "%s.for_each_task", where);
    const json_t *in = get(fe, "inputs");
    LH_FAIL_IF(in == NULL, LH_E_INVALID, eb, "%s.inputs is required", w);
    LH_FAIL_IF(!json_is_string(in) && !json_is_array(in), LH_E_INVALID, eb,
               "%s.inputs must be a string (a JSON array or a reference)", w);
    LH_TRY(need_int(fe, w, "concurrency", false, 1, 100, NULL, eb));
    const json_t *inner = get(fe, "task");
    LH_FAIL_IF(inner == NULL, LH_E_INVALID, eb, "%s.task is required", w);
    char w2[256];
    snprintf(w2, sizeof w2, "%s.task", w);
    LH_FAIL_IF(!json_is_object(inner), LH_E_INVALID, eb, "%s must be an object", w2);
    return check_task(v, inner, w2, true, eb);
}

static lh_err check_task(const vctx *v, const json_t *task, const char *where, bool nested,
                         lh_errbuf *eb)
{
    LH_FAIL_IF(!json_is_object(task), LH_E_INVALID, eb, "%s must be an object", where);
    const char *key;
    LH_TRY(need_str(task, where, "task_key", true, &key, eb));
    LH_FAIL_IF(!valid_key(key), LH_E_INVALID, eb,
               "%s.task_key: '%.100s' must be 1-100 characters of letters, digits, '_' and '-'",
               where, key);
    const char *type = NULL;
    for (int i = 0; TASK_TYPES[i] != NULL; i++) {
        const json_t *t = get(task, TASK_TYPES[i]);
        if (t == NULL)
            continue;
        LH_FAIL_IF(type != NULL, LH_E_INVALID, eb,
                   "%s: a task has exactly one task type; '%s' has both %s and %s", where, key,
                   type, TASK_TYPES[i]);
        LH_FAIL_IF(!json_is_object(t), LH_E_INVALID, eb, "%s.%s must be an object", where,
                   TASK_TYPES[i]);
        type = TASK_TYPES[i];
    }
    LH_FAIL_IF(type == NULL, LH_E_INVALID, eb,
               "%s: task '%s' needs one task type (notebook_task, spark_python_task, "
               "python_wheel_task, spark_jar_task, spark_submit_task, sql_task, pipeline_task, "
               "run_job_task, condition_task, for_each_task or dbt_task)",
               where, key);
    if (strcmp(type, "for_each_task") == 0) {
        LH_FAIL_IF(nested, LH_E_INVALID, eb, "%s: a for_each_task cannot nest a for_each_task",
                   where);
        LH_TRY(check_for_each(v, get(task, type), where, eb));
    } else {
        LH_TRY(check_task_type(task, where, type, eb));
    }
    LH_TRY(need_enum(task, where, "run_if", RUN_IF, eb));
    LH_TRY(need_int(task, where, "timeout_seconds", false, 0, INT32_MAX, NULL, eb));
    LH_TRY(need_int(task, where, "max_retries", false, -1, INT32_MAX, NULL, eb));
    LH_TRY(need_int(task, where, "min_retry_interval_millis", false, 0, INT32_MAX, NULL, eb));
    LH_TRY(need_bool(task, where, "retry_on_timeout", eb));
    LH_TRY(need_bool(task, where, "disabled", eb));
    const char *s;
    LH_TRY(need_str(task, where, "description", false, &s, eb));
    LH_TRY(need_str(task, where, "existing_cluster_id", false, &s, eb));
    const json_t *o;
    LH_TRY(need_obj(task, where, "new_cluster", false, &o, eb));
    LH_TRY(need_list(task, where, "libraries", &o, eb));
    const char *jck = NULL;
    LH_TRY(need_str(task, where, "job_cluster_key", false, &jck, eb));
    int compute = (get(task, "existing_cluster_id") != NULL) + (get(task, "new_cluster") != NULL) +
                  (jck != NULL) + (get(task, "environment_key") != NULL);
    LH_FAIL_IF(compute > 1, LH_E_INVALID, eb,
               "%s: at most one of existing_cluster_id, new_cluster, job_cluster_key and "
               "environment_key",
               where);
    if (jck != NULL) {
        LH_FAIL_IF(v->submit, LH_E_INVALID, eb,
                   "%s.job_cluster_key: a one-time run has no job clusters; use new_cluster or "
                   "existing_cluster_id",
                   where);
        bool found = false;
        for (size_t i = 0; i < json_array_size(v->job_clusters) && !found; i++) {
            const char *k = json_string_value(
                json_object_get(json_array_get(v->job_clusters, i), "job_cluster_key"));
            found = k != NULL && strcmp(k, jck) == 0;
        }
        LH_FAIL_IF(!found, LH_E_INVALID, eb,
                   "%s.job_cluster_key: job cluster '%.100s' does not exist", where, jck);
    }
    return LH_OK;
}

/* Index of the task with key, or -1. */
static long task_index(const json_t *tasks, const char *key)
{
    for (size_t i = 0; i < json_array_size(tasks); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(tasks, i), "task_key")), key) ==
            0)
            return (long)i;
    return -1;
}

/* Depth-first search for a cycle through depends_on; on one, names it. */
static lh_err find_cycle(const json_t *tasks, long *dep, size_t *dep_off, size_t *dep_n,
                         char *color, long *stack, size_t depth, long at, const char *where,
                         lh_errbuf *eb)
{
    color[at] = 1;
    stack[depth] = at;
    for (size_t k = 0; k < dep_n[at]; k++) {
        long to = dep[dep_off[at] + k];
        if (color[to] == 1) {
            char path[LH_ERRBUF_MSG_MAX / 2] = "";
            size_t first = 0;
            while (stack[first] != to)
                first++;
            for (size_t i = first; i <= depth; i++) {
                strncat(path,
                        json_string_value(
                            json_object_get(json_array_get(tasks, (size_t)stack[i]), "task_key")),
                        sizeof path - strlen(path) - 1);
                strncat(path, " -> ", sizeof path - strlen(path) - 1);
            }
            strncat(
                path,
                json_string_value(json_object_get(json_array_get(tasks, (size_t)to), "task_key")),
                sizeof path - strlen(path) - 1);
            LH_FAIL(LH_E_INVALID, eb, "%s.tasks: the task dependencies form a cycle: %s", where,
                    path);
        }
        if (color[to] == 0)
            LH_TRY(find_cycle(tasks, dep, dep_off, dep_n, color, stack, depth + 1, to, where, eb));
    }
    color[at] = 2;
    return LH_OK;
}

static lh_err check_tasks(const vctx *v, const json_t *tasks, const char *where, lh_errbuf *eb)
{
    size_t n = json_array_size(tasks);
    LH_FAIL_IF(n > LH_JOBS_TASKS_MAX, LH_E_INVALID, eb, "%s.tasks: at most %d tasks, not %zu",
               where, LH_JOBS_TASKS_MAX, n);
    char w[200];
    size_t deps_total = 0;
    for (size_t i = 0; i < n; i++) {
        snprintf(w, sizeof w, "%s.tasks[%zu]", where, i);
        const json_t *t = json_array_get(tasks, i);
        LH_TRY(check_task(v, t, w, false, eb));
        const char *key = json_string_value(json_object_get(t, "task_key"));
        LH_FAIL_IF(task_index(tasks, key) != (long)i, LH_E_INVALID, eb,
                   "%s.task_key: '%s' is used by more than one task", w, key);
        const json_t *deps;
        LH_TRY(need_list(t, w, "depends_on", &deps, eb));
        deps_total += json_array_size(deps);
    }
    /* depends_on: keys exist, then no cycle */
    long *dep = calloc(deps_total + 1, sizeof *dep);
    size_t *off = calloc(n + 1, sizeof *off), *cnt = calloc(n + 1, sizeof *cnt);
    long *stack = calloc(n + 1, sizeof *stack);
    char *color = calloc(n + 1, 1);
    lh_err e = LH_OK;
    if (dep == NULL || off == NULL || cnt == NULL || stack == NULL || color == NULL)
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    size_t at = 0;
    for (size_t i = 0; i < n && e == LH_OK; i++) {
        const json_t *t = json_array_get(tasks, i);
        const json_t *deps = get(t, "depends_on");
        off[i] = at;
        for (size_t k = 0; k < json_array_size(deps) && e == LH_OK; k++) {
            char w2[256];
            snprintf(w2, sizeof w2, "%s.tasks[%zu].depends_on[%zu]", where, i, k);
            const json_t *d = json_array_get(deps, k);
            const char *dk;
            if (!json_is_object(d)) {
                e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__, "%s must be an object", w2);
                break;
            }
            e = need_str(d, w2, "task_key", true, &dk, eb);
            if (e == LH_OK)
                e = need_enum(d, w2, "outcome", (const char *const[]){"true", "false", NULL}, eb);
            if (e != LH_OK)
                break;
            long to = task_index(tasks, dk);
            if (to < 0) {
                e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                               "%s.task_key: task '%.100s' does not exist", w2, dk);
                break;
            }
            if (to == (long)i) {
                e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                               "%s.task_key: task '%.100s' cannot depend on itself", w2, dk);
                break;
            }
            dep[at++] = to;
            cnt[i]++;
        }
    }
    for (size_t i = 0; i < n && e == LH_OK; i++)
        if (color[i] == 0)
            e = find_cycle(tasks, dep, off, cnt, color, stack, 0, (long)i, where, eb);
    free(dep);
    free(off);
    free(cnt);
    free(stack);
    free(color);
    return e;
}

/* ---- schedule and triggers ---- */

static const char *const PAUSE[] = {"PAUSED", "UNPAUSED", NULL};

static lh_err check_schedule(const json_t *sch, const char *where, lh_errbuf *eb)
{
    char w[200];
    snprintf(w, sizeof w, "%s.schedule", where);
    const char *expr, *tz;
    LH_TRY(need_str(sch, w, "quartz_cron_expression", true, &expr, eb));
    LH_TRY(need_str(sch, w, "timezone_id", true, &tz, eb));
    LH_TRY(need_enum(sch, w, "pause_status", PAUSE, eb));
    lh_cron_t *c = NULL;
    lh_errbuf ceb;
    lh_errbuf_clear(&ceb);
    lh_err e = lh_cron_parse(expr, &c, &ceb);
    if (e == LH_E_NOMEM)
        return lh_err_set(eb, e, __FILE__, __LINE__, "out of memory");
    LH_FAIL_IF(e != LH_OK, LH_E_INVALID, eb, "%s.quartz_cron_expression: %s", w, ceb.msg);
    lh_cron_destroy(c);
    e = lh_cron_check_timezone(tz, &ceb);
    LH_FAIL_IF(e != LH_OK, LH_E_INVALID, eb, "%s.timezone_id: %s", w, ceb.msg);
    return LH_OK;
}

lh_err jd_file_arrival_dir(const char *data_dir, const char *url, char **out, lh_errbuf *eb)
{
    const char *rest, *sub;
    if (strncmp(url, "dbfs:/", 6) == 0) {
        rest = url + 6;
        sub = "dbfs";
    } else if (strncmp(url, "/Volumes/", 9) == 0) {
        rest = url + 9;
        sub = "volumes";
        /* catalog/schema/volume must all be there */
        const char *p = rest;
        int parts = 0;
        while (*p != '\0') {
            while (*p == '/')
                p++;
            if (*p == '\0')
                break;
            parts++;
            while (*p != '\0' && *p != '/')
                p++;
        }
        LH_FAIL_IF(parts < 3, LH_E_INVALID, eb,
                   "trigger.file_arrival.url: '%.200s' must name a volume "
                   "(/Volumes/<catalog>/<schema>/<volume>/...)",
                   url);
    } else {
        LH_FAIL(LH_E_INVALID, eb,
                "trigger.file_arrival.url: '%.200s' must be a dbfs:/ path or a /Volumes/ path",
                url);
    }
    /* no '..' or '.' segments, no NUL-unsafe or control characters */
    for (const char *p = rest; *p != '\0';) {
        while (*p == '/')
            p++;
        const char *s = p;
        while (*p != '\0' && *p != '/') {
            LH_FAIL_IF((unsigned char)*p < 0x20 || *p == '\\', LH_E_INVALID, eb,
                       "trigger.file_arrival.url: '%.200s' has an invalid character", url);
            p++;
        }
        size_t n = (size_t)(p - s);
        LH_FAIL_IF((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'), LH_E_INVALID,
                   eb, "trigger.file_arrival.url: '%.200s' must not contain '.' or '..' segments",
                   url);
    }
    LH_FAIL_IF(strlen(url) > 1024, LH_E_INVALID, eb, "trigger.file_arrival.url is too long");
    if (data_dir == NULL || out == NULL)
        return LH_OK;
    size_t len = strlen(data_dir) + strlen(sub) + strlen(rest) + 3;
    char *path = malloc(len);
    LH_FAIL_IF(path == NULL, LH_E_NOMEM, eb, "out of memory");
    snprintf(path, len, "%s/%s/%s", data_dir, sub, rest);
    *out = path;
    return LH_OK;
}

static lh_err check_trigger(const json_t *tr, const char *where, lh_errbuf *eb)
{
    char w[200];
    snprintf(w, sizeof w, "%s.trigger", where);
    LH_TRY(need_enum(tr, w, "pause_status", PAUSE, eb));
    const json_t *fa, *per, *tu, *tb;
    LH_TRY(need_obj(tr, w, "file_arrival", false, &fa, eb));
    LH_TRY(need_obj(tr, w, "periodic", false, &per, eb));
    LH_TRY(need_obj(tr, w, "table_update", false, &tu, eb));
    LH_TRY(need_obj(tr, w, "table", false, &tb, eb));
    int n = (fa != NULL) + (per != NULL) + (tu != NULL) + (tb != NULL);
    LH_FAIL_IF(n != 1, LH_E_INVALID, eb,
               "%s: exactly one of file_arrival, periodic and table_update is required", w);
    LH_FAIL_IF(tu != NULL || tb != NULL, LH_E_UNSUPPORTED, eb,
               "%s.table_update: table-update triggers are not supported by Lakehouse", w);
    if (per != NULL) {
        char w2[256];
        snprintf(w2, sizeof w2, "%s.periodic", w);
        LH_TRY(need_int(per, w2, "interval", true, 1, 100000, NULL, eb));
        const char *u;
        LH_TRY(need_str(per, w2, "unit", true, &u, eb));
        LH_TRY(
            need_enum(per, w2, "unit", (const char *const[]){"HOURS", "DAYS", "WEEKS", NULL}, eb));
    }
    if (fa != NULL) {
        char w2[256];
        snprintf(w2, sizeof w2, "%s.file_arrival", w);
        const char *url;
        LH_TRY(need_str(fa, w2, "url", true, &url, eb));
        LH_TRY(jd_file_arrival_dir(NULL, url, NULL, eb));
        LH_TRY(
            need_int(fa, w2, "min_time_between_triggers_seconds", false, 0, 86400 * 7, NULL, eb));
        LH_TRY(need_int(fa, w2, "wait_after_last_change_seconds", false, 0, 86400 * 7, NULL, eb));
    }
    return LH_OK;
}

/* ---- the whole settings object ---- */

static bool is_legacy(const json_t *s)
{
    if (get(s, "tasks") != NULL)
        return false;
    for (int i = 0; TASK_TYPES[i] != NULL; i++)
        if (get(s, TASK_TYPES[i]) != NULL)
            return true;
    return false;
}

static lh_err check_keyed(const json_t *list, const char *where, const char *field, const char *key,
                          lh_errbuf *eb)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        char w[200];
        snprintf(w, sizeof w, "%s.%s[%zu]", where, field, i);
        const json_t *e = json_array_get(list, i);
        LH_FAIL_IF(!json_is_object(e), LH_E_INVALID, eb, "%s must be an object", w);
        const char *k;
        LH_TRY(need_str(e, w, key, true, &k, eb));
        for (size_t m = 0; m < i; m++)
            LH_FAIL_IF(
                strcmp(json_string_value(json_object_get(json_array_get(list, m), key)), k) == 0,
                LH_E_INVALID, eb, "%s.%s: '%.100s' is used more than once", w, key, k);
    }
    return LH_OK;
}

static lh_err validate(const json_t *s, bool submit, lh_errbuf *eb)
{
    const char *where = submit ? "request" : "settings";
    const char *str;
    LH_TRY(need_str(s, where, "name", false, &str, eb));
    LH_FAIL_IF(str != NULL && strlen(str) > 4096, LH_E_INVALID, eb,
               "%s.name: at most 4096 characters", where);
    LH_TRY(need_str(s, where, "run_name", false, &str, eb));
    LH_TRY(need_str(s, where, "description", false, &str, eb));
    LH_TRY(need_int(s, where, "max_concurrent_runs", false, 0, 1000, NULL, eb));
    LH_TRY(need_int(s, where, "timeout_seconds", false, 0, INT32_MAX, NULL, eb));
    LH_TRY(need_enum(s, where, "format", (const char *const[]){"SINGLE_TASK", "MULTI_TASK", NULL},
                     eb));
    LH_TRY(need_enum(s, where, "performance_target",
                     (const char *const[]){"STANDARD", "PERFORMANCE_OPTIMIZED", NULL}, eb));
    LH_TRY(
        need_enum(s, where, "edit_mode", (const char *const[]){"UI_LOCKED", "EDITABLE", NULL}, eb));
    const json_t *o;
    LH_TRY(need_obj(s, where, "tags", false, &o, eb));
    if (o != NULL) {
        LH_FAIL_IF(json_object_size(o) > 25, LH_E_INVALID, eb, "%s.tags: at most 25 tags", where);
        const char *k;
        json_t *val;
        json_object_foreach((json_t *)o, k, val) LH_FAIL_IF(
            !json_is_string(val), LH_E_INVALID, eb, "%s.tags.%s must be a string", where, k);
    }
    LH_TRY(need_obj(s, where, "email_notifications", false, &o, eb));
    LH_TRY(need_obj(s, where, "webhook_notifications", false, &o, eb));
    LH_TRY(need_obj(s, where, "notification_settings", false, &o, eb));
    LH_TRY(need_obj(s, where, "git_source", false, &o, eb));
    if (o != NULL) {
        char w[200];
        snprintf(w, sizeof w, "%s.git_source", where);
        LH_TRY(need_str(o, w, "git_url", true, &str, eb));
        LH_TRY(need_str(o, w, "git_provider", true, &str, eb));
    }
    LH_TRY(need_obj(s, where, "queue", false, &o, eb));
    if (o != NULL) {
        char w[200];
        snprintf(w, sizeof w, "%s.queue", where);
        LH_FAIL_IF(get(o, "enabled") == NULL, LH_E_INVALID, eb, "%s.enabled is required", w);
        LH_TRY(need_bool(o, w, "enabled", eb));
    }
    LH_TRY(need_obj(s, where, "health", false, &o, eb));
    if (o != NULL) {
        char w[200];
        snprintf(w, sizeof w, "%s.health", where);
        const json_t *rules;
        LH_TRY(need_list(o, w, "rules", &rules, eb));
        for (size_t i = 0; i < json_array_size(rules); i++) {
            char w2[256];
            snprintf(w2, sizeof w2, "%s.rules[%zu]", w, i);
            const json_t *r = json_array_get(rules, i);
            LH_FAIL_IF(!json_is_object(r), LH_E_INVALID, eb, "%s must be an object", w2);
            LH_TRY(need_str(r, w2, "metric", true, &str, eb));
            LH_TRY(need_enum(
                r, w2, "metric",
                (const char *const[]){"RUN_DURATION_SECONDS", "STREAMING_BACKLOG_BYTES",
                                      "STREAMING_BACKLOG_RECORDS", "STREAMING_BACKLOG_SECONDS",
                                      "STREAMING_BACKLOG_FILES", NULL},
                eb));
            LH_TRY(need_str(r, w2, "op", true, &str, eb));
            LH_TRY(need_enum(r, w2, "op", (const char *const[]){"GREATER_THAN", NULL}, eb));
            LH_TRY(need_int(r, w2, "value", true, 0, INT64_MAX, NULL, eb));
        }
    }
    LH_TRY(need_obj(s, where, "run_as", false, &o, eb));
    if (o != NULL) {
        char w[200];
        snprintf(w, sizeof w, "%s.run_as", where);
        const char *u = NULL, *sp = NULL, *g = NULL;
        LH_TRY(need_str(o, w, "user_name", false, &u, eb));
        LH_TRY(need_str(o, w, "service_principal_name", false, &sp, eb));
        LH_TRY(need_str(o, w, "group_name", false, &g, eb));
        LH_FAIL_IF(g != NULL, LH_E_INVALID, eb,
                   "%s.group_name: a job cannot run as a group; use user_name or "
                   "service_principal_name",
                   w);
        LH_FAIL_IF((u == NULL) == (sp == NULL), LH_E_INVALID, eb,
                   "%s: exactly one of user_name and service_principal_name is required", w);
        LH_FAIL_IF((u != NULL && *u == '\0') || (sp != NULL && *sp == '\0'), LH_E_INVALID, eb,
                   "%s: the principal name must not be empty", w);
    }

    const json_t *jc, *params, *envs, *tasks;
    LH_TRY(need_list(s, where, "job_clusters", &jc, eb));
    LH_FAIL_IF(submit && jc != NULL && json_array_size(jc) > 0, LH_E_INVALID, eb,
               "%s.job_clusters: a one-time run has no job clusters", where);
    LH_TRY(check_keyed(jc, where, "job_clusters", "job_cluster_key", eb));
    for (size_t i = 0; i < json_array_size(jc); i++) {
        char w[200];
        snprintf(w, sizeof w, "%s.job_clusters[%zu]", where, i);
        LH_TRY(need_obj(json_array_get(jc, i), w, "new_cluster", true, &o, eb));
    }
    LH_TRY(need_list(s, where, "parameters", &params, eb));
    LH_TRY(check_keyed(params, where, "parameters", "name", eb));
    for (size_t i = 0; i < json_array_size(params); i++) {
        char w[200];
        snprintf(w, sizeof w, "%s.parameters[%zu]", where, i);
        const json_t *d = get(json_array_get(params, i), "default");
        LH_FAIL_IF(d == NULL, LH_E_INVALID, eb, "%s.default is required", w);
        LH_FAIL_IF(!json_is_string(d), LH_E_INVALID, eb, "%s.default must be a string", w);
    }
    LH_TRY(need_list(s, where, "environments", &envs, eb));
    LH_TRY(check_keyed(envs, where, "environments", "environment_key", eb));
    LH_TRY(need_list(s, where, "tasks", &tasks, eb));
    vctx v = {jc, submit};
    LH_TRY(check_tasks(&v, tasks, where, eb));

    const json_t *sch, *tr, *cont;
    LH_TRY(need_obj(s, where, "schedule", false, &sch, eb));
    LH_TRY(need_obj(s, where, "trigger", false, &tr, eb));
    LH_TRY(need_obj(s, where, "continuous", false, &cont, eb));
    if (submit) {
        LH_FAIL_IF(sch != NULL, LH_E_INVALID, eb, "%s.schedule: a one-time run has no schedule",
                   where);
        LH_FAIL_IF(tr != NULL, LH_E_INVALID, eb, "%s.trigger: a one-time run has no trigger",
                   where);
        LH_FAIL_IF(cont != NULL, LH_E_INVALID, eb,
                   "%s.continuous: a one-time run cannot be continuous", where);
    }
    LH_FAIL_IF((sch != NULL) + (tr != NULL) + (cont != NULL) > 1, LH_E_INVALID, eb,
               "%s: at most one of schedule, trigger and continuous", where);
    LH_FAIL_IF(cont != NULL, LH_E_UNSUPPORTED, eb,
               "%s.continuous: continuous jobs are not supported by Lakehouse; use a schedule or "
               "a trigger",
               where);
    if (sch != NULL)
        LH_TRY(check_schedule(sch, where, eb));
    if (tr != NULL)
        LH_TRY(check_trigger(tr, where, eb));
    return LH_OK;
}

lh_err lh_jobs_validate_settings(const json_t *settings, bool submit, lh_errbuf *eb)
{
    LH_FAIL_IF(!json_is_object(settings), LH_E_INVALID, eb, "settings must be an object");
    if (!is_legacy(settings))
        return validate(settings, submit, eb);
    json_t *copy = json_deep_copy(settings);
    LH_FAIL_IF(copy == NULL, LH_E_NOMEM, eb, "out of memory");
    jd_settings_normalize(copy);
    lh_err e = validate(copy, submit, eb);
    json_decref(copy);
    return e;
}

void jd_settings_normalize(json_t *s)
{
    if (!json_is_object(s) || !is_legacy(s))
        return;
    json_t *task = json_object();
    json_t *tasks = json_array();
    if (task == NULL || tasks == NULL) {
        json_decref(task);
        json_decref(tasks);
        return;
    }
    const char *name = json_string_value(get(s, "name"));
    json_object_set_new(task, "task_key",
                        json_string(name != NULL && valid_key(name) ? name : "task"));
    for (int i = 0; TASK_TYPES[i] != NULL; i++) {
        json_t *t = json_object_get(s, TASK_TYPES[i]);
        if (t != NULL) {
            json_object_set(task, TASK_TYPES[i], t);
            json_object_del(s, TASK_TYPES[i]);
        }
    }
    for (int i = 0; LEGACY_TASK_FIELDS[i] != NULL; i++) {
        json_t *t = json_object_get(s, LEGACY_TASK_FIELDS[i]);
        if (t != NULL) {
            json_object_set(task, LEGACY_TASK_FIELDS[i], t);
            json_object_del(s, LEGACY_TASK_FIELDS[i]);
        }
    }
    json_array_append_new(tasks, task);
    json_object_set_new(s, "tasks", tasks);
    if (get(s, "format") == NULL)
        json_object_set_new(s, "format", json_string("SINGLE_TASK"));
}

void lh_jobs_normalize_settings(json_t *settings)
{
    jd_settings_normalize(settings);
}

void jd_settings_defaults(json_t *s)
{
    if (get(s, "max_concurrent_runs") == NULL)
        json_object_set_new(s, "max_concurrent_runs", json_integer(1));
    if (get(s, "timeout_seconds") == NULL)
        json_object_set_new(s, "timeout_seconds", json_integer(0));
    if (get(s, "format") == NULL)
        json_object_set_new(s, "format", json_string("MULTI_TASK"));
    if (get(s, "email_notifications") == NULL)
        json_object_set_new(s, "email_notifications", json_object());
    if (get(s, "name") == NULL)
        json_object_set_new(s, "name", json_string("Untitled"));
    json_t *sch = json_object_get(s, "schedule");
    if (json_is_object(sch) && get(sch, "pause_status") == NULL)
        json_object_set_new(sch, "pause_status", json_string("UNPAUSED"));
    json_t *tr = json_object_get(s, "trigger");
    if (json_is_object(tr) && get(tr, "pause_status") == NULL)
        json_object_set_new(tr, "pause_status", json_string("UNPAUSED"));
}

/* ---- jobs/update ---- */

typedef struct keyed {
    const char *field, *key;
} keyed;
static const keyed KEYED[] = {{"tasks", "task_key"},
                              {"job_clusters", "job_cluster_key"},
                              {"parameters", "name"},
                              {"environments", "environment_key"},
                              {NULL, NULL}};

static const keyed *keyed_find(const char *field, size_t n)
{
    for (int i = 0; KEYED[i].field != NULL; i++)
        if (strlen(KEYED[i].field) == n && strncmp(KEYED[i].field, field, n) == 0)
            return &KEYED[i];
    return NULL;
}

static long keyed_index(const json_t *list, const char *key, const char *value)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *k = json_string_value(json_object_get(json_array_get(list, i), key));
        if (k != NULL && strcmp(k, value) == 0)
            return (long)i;
    }
    return -1;
}

lh_err jd_settings_merge(const json_t *old, const json_t *new_settings,
                         const json_t *fields_to_remove, json_t **out, lh_errbuf *eb)
{
    json_t *m = json_deep_copy(old);
    LH_FAIL_IF(m == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = LH_OK;
    for (size_t i = 0; i < lh_json_list_size(fields_to_remove) && e == LH_OK; i++) {
        const json_t *f = lh_json_list_get(fields_to_remove, i);
        if (!json_is_string(f)) {
            e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                           "fields_to_remove[%zu] must be a string", i);
            break;
        }
        const char *name = json_string_value(f);
        const char *slash = strchr(name, '/');
        if (slash == NULL) {
            json_object_del(m, name);
            continue;
        }
        const keyed *k = keyed_find(name, (size_t)(slash - name));
        if (k == NULL || slash[1] == '\0' || strchr(slash + 1, '/') != NULL) {
            e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                           "fields_to_remove[%zu]: '%.200s': only top-level fields and "
                           "tasks/<task_key>, job_clusters/<job_cluster_key>, "
                           "parameters/<name> or environments/<environment_key> can be removed",
                           i, name);
            break;
        }
        json_t *list = json_object_get(m, k->field);
        long at = keyed_index(list, k->key, slash + 1);
        if (at < 0) {
            e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                           "fields_to_remove[%zu]: %s '%.100s' does not exist", i, k->field,
                           slash + 1);
            break;
        }
        json_array_remove(list, (size_t)at);
    }
    if (e == LH_OK && new_settings != NULL) {
        jd_settings_normalize((json_t *)new_settings);
        const char *field;
        json_t *val;
        json_object_foreach((json_t *)new_settings, field, val)
        {
            const keyed *k = keyed_find(field, strlen(field));
            json_t *cur = json_object_get(m, field);
            if (k == NULL || !json_is_array(val) || !json_is_array(cur)) {
                json_object_set(m, field, val);
                continue;
            }
            for (size_t i = 0; i < json_array_size(val); i++) {
                json_t *item = json_array_get(val, i);
                const char *kv = json_string_value(json_object_get(item, k->key));
                long at = kv != NULL ? keyed_index(cur, k->key, kv) : -1;
                if (at >= 0)
                    json_array_set(cur, (size_t)at, item);
                else
                    json_array_append(cur, item);
            }
        }
    }
    if (e != LH_OK) {
        json_decref(m);
        return e;
    }
    *out = m;
    return LH_OK;
}
