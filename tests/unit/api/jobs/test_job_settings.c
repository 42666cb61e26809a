/*
 * test_job_settings.c - JobSettings validation (api/jobs/job_settings.c): task keys, task
 * types and their required fields, depends_on (missing keys, cycles named), run_if,
 * condition ops, for_each nesting, schedules (cron and zone errors name the field),
 * triggers, limits, job clusters, parameters, runs/submit rules; API 2.0 bodies; update
 * merging and fields_to_remove; file-arrival urls.
 */
#include "api/jobs/job_defs_internal.h"
#include "tests/unit/t.h"

static lh_errbuf eb;

static lh_err v(const char *text, bool submit)
{
    json_error_t jerr;
    json_t *s = json_loads(text, 0, &jerr);
    if (s == NULL) {
        fprintf(stderr, "bad test JSON: %s: %s\n", text, jerr.text);
        return LH_E_INTERNAL;
    }
    lh_errbuf_clear(&eb);
    lh_err e = lh_jobs_validate_settings(s, submit, &eb);
    json_decref(s);
    return e;
}

static bool msg_has(const char *needle)
{
    if (strstr(eb.msg, needle) != NULL)
        return true;
    fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", eb.msg, needle);
    return false;
}

#define NB(k) "{\"task_key\":\"" k "\",\"notebook_task\":{\"notebook_path\":\"/n\"}"

static void test_valid(void)
{
    T_EQ_INT(v("{}", false), LH_OK);
    T_EQ_INT(
        v("{\"name\":\"j\",\"tasks\":[" NB("a") "}," NB("b") ",\"depends_on\":[{\"task_key\":"
                                                             "\"a\"}],\"run_if\":\"ALL_DONE\"}]}",
          false),
        LH_OK);
    T_EQ_INT(v("{\"tasks\":[{\"task_key\":\"c\",\"condition_task\":{\"op\":\"GREATER_THAN\","
               "\"left\":\"1\",\"right\":\"2\"}}]}",
               false),
             LH_OK);
    T_EQ_INT(v("{\"tasks\":[{\"task_key\":\"s\",\"sql_task\":{\"warehouse_id\":\"w\",\"file\":"
               "{\"path\":\"/q.sql\"}}},{\"task_key\":\"p\",\"pipeline_task\":{\"pipeline_id\":"
               "\"x\"}},{\"task_key\":\"r\",\"run_job_task\":{\"job_id\":\"12\"}},{\"task_key\":"
               "\"w\",\"python_wheel_task\":{\"package_name\":\"p\",\"entry_point\":\"m\"}},"
               "{\"task_key\":\"j\",\"spark_jar_task\":{\"main_class_name\":\"M\"}},{\"task_key\":"
               "\"d\",\"dbt_task\":{\"commands\":[\"dbt run\"]}},{\"task_key\":\"ss\","
               "\"spark_submit_task\":{\"parameters\":[]}}]}",
               false),
             LH_OK);
    T_EQ_INT(v("{\"schedule\":{\"quartz_cron_expression\":\"0 15 10 ? * MON-FRI\",\"timezone_id\":"
               "\"America/Los_Angeles\",\"pause_status\":\"PAUSED\"}}",
               false),
             LH_OK);
    T_EQ_INT(v("{\"trigger\":{\"periodic\":{\"interval\":2,\"unit\":\"HOURS\"}}}", false), LH_OK);
    T_EQ_INT(v("{\"trigger\":{\"file_arrival\":{\"url\":\"/Volumes/c/s/v/in/\"}}}", false), LH_OK);
}

static void test_tasks(void)
{
    T_EQ_INT(v("{\"tasks\":[{\"notebook_task\":{\"notebook_path\":\"/n\"}}]}", false),
             LH_E_INVALID);
    T_CHECK(msg_has("settings.tasks[0].task_key is required"));
    T_EQ_INT(v("{\"tasks\":[" NB("a/b") "}]}", false), LH_E_INVALID);
    T_CHECK(msg_has("task_key"));
    T_EQ_INT(v("{\"tasks\":[" NB("a") "}," NB("a") "}]}", false), LH_E_INVALID);
    T_CHECK(msg_has("more than one task"));
    T_EQ_INT(v("{\"tasks\":[" NB("a") ",\"spark_python_task\":{\"python_file\":\"x\"}}]}", false),
             LH_E_INVALID);
    T_CHECK(msg_has("exactly one task type"));
    T_EQ_INT(v("{\"tasks\":[{\"task_key\":\"a\"}]}", false), LH_E_INVALID);
    T_CHECK(msg_has("needs one task type"));
    T_EQ_INT(v("{\"tasks\":[{\"task_key\":\"a\",\"python_wheel_task\":{\"package_name\":\"p\"}}]}",
               false),
             LH_E_INVALID);
    T_CHECK(msg_has("settings.tasks[0].python_wheel_task.entry_point is required"));
    T_EQ_INT(v("{\"tasks\":[{\"task_key\":\"a\",\"sql_task\":{\"warehouse_id\":\"w\"}}]}", false),
             LH_E_INVALID);
    T_CHECK(msg_has("exactly one of query, file, alert and dashboard"));
    T_EQ_INT(v("{\"tasks\":[" NB("a") ",\"run_if\":\"MAYBE\"}]}", false), LH_E_INVALID);
    T_CHECK(msg_has("run_if"));
    T_EQ_INT(v("{\"tasks\":[{\"task_key\":\"c\",\"condition_task\":{\"op\":\"LIKE\",\"left\":\"1\","
               "\"right\":\"2\"}}]}",
               false),
             LH_E_INVALID);
    T_CHECK(msg_has("condition_task.op"));
    T_EQ_INT(
        v("{\"tasks\":[{\"task_key\":\"f\",\"for_each_task\":{\"inputs\":\"[1]\",\"task\":"
          "{\"task_key\":\"g\",\"for_each_task\":{\"inputs\":\"[1]\",\"task\":" NB("h") "}}}}}]}",
          false),
        LH_E_INVALID);
    T_CHECK(msg_has("cannot nest"));
    T_EQ_INT(v("{\"tasks\":[{\"task_key\":\"f\",\"for_each_task\":{\"inputs\":\"[1]\",\"task\":"
               "{\"task_key\":\"g\"}}}]}",
               false),
             LH_E_INVALID);
    T_CHECK(msg_has("settings.tasks[0].for_each_task.task"));
    T_EQ_INT(v("{\"tasks\":[" NB("a") ",\"timeout_seconds\":-5}]}", false), LH_E_INVALID);
    T_CHECK(msg_has("timeout_seconds"));
}

static void test_depends(void)
{
    T_EQ_INT(
        v("{\"tasks\":[" NB("a") "}," NB("b") ",\"depends_on\":[{\"task_key\":\"zz\"}]}]}", false),
        LH_E_INVALID);
    T_CHECK(msg_has("settings.tasks[1].depends_on[0].task_key: task 'zz' does not exist"));
    T_EQ_INT(v("{\"tasks\":[" NB("a") ",\"depends_on\":[{\"task_key\":\"a\"}]}]}", false),
             LH_E_INVALID);
    T_CHECK(msg_has("itself"));
    T_EQ_INT(
        v("{\"tasks\":[" NB("x") "}," NB("a") ",\"depends_on\":[{\"task_key\":\"c\"}]}," NB(
              "b") ",\"depends_on\":[{\"task_key\":\"a\"}]}," NB("c") ",\"depends_on\":"
                                                                      "[{\"task_key\":\"b\"},{"
                                                                      "\"task_key\":\"x\"}]}]}",
          false),
        LH_E_INVALID);
    T_CHECK(msg_has("cycle: a -> c -> b -> a"));
    /* a diamond is fine */
    T_EQ_INT(
        v("{\"tasks\":[" NB("a") "}," NB("b") ",\"depends_on\":[{\"task_key\":\"a\"}]}," NB(
              "c") ",\"depends_on\":[{\"task_key\":\"a\"}]}," NB("d") ",\"depends_on\":"
                                                                      "[{\"task_key\":\"b\"},{"
                                                                      "\"task_key\":\"c\","
                                                                      "\"outcome\":\"true\"}]}]}",
          false),
        LH_OK);
}

static void test_job_level(void)
{
    T_EQ_INT(v("{\"schedule\":{\"quartz_cron_expression\":\"0 0 25 * * ?\",\"timezone_id\":"
               "\"UTC\"}}",
               false),
             LH_E_INVALID);
    T_CHECK(msg_has("settings.schedule.quartz_cron_expression: "));
    T_CHECK(msg_has("hours"));
    T_EQ_INT(v("{\"schedule\":{\"quartz_cron_expression\":\"0 0 * * * ?\",\"timezone_id\":"
               "\"Nowhere/Land\"}}",
               false),
             LH_E_INVALID);
    T_CHECK(msg_has("settings.schedule.timezone_id"));
    T_EQ_INT(v("{\"schedule\":{\"quartz_cron_expression\":\"0 0 * * * ?\"}}", false), LH_E_INVALID);
    T_CHECK(msg_has("timezone_id is required"));
    T_EQ_INT(v("{\"max_concurrent_runs\":1001}", false), LH_E_INVALID);
    T_EQ_INT(v("{\"max_concurrent_runs\":\"0\"}", false), LH_OK);
    T_EQ_INT(v("{\"timeout_seconds\":-1}", false), LH_E_INVALID);
    T_EQ_INT(v("{\"parameters\":[{\"name\":\"p\",\"default\":\"1\"},{\"name\":\"p\",\"default\":"
               "\"2\"}]}",
               false),
             LH_E_INVALID);
    T_CHECK(msg_has("settings.parameters[1].name: 'p' is used more than once"));
    T_EQ_INT(v("{\"job_clusters\":[{\"job_cluster_key\":\"k\",\"new_cluster\":{}}],\"tasks\":[" NB(
                   "a") ",\"job_cluster_key\":\"q\"}]}",
               false),
             LH_E_INVALID);
    T_CHECK(msg_has("job cluster 'q' does not exist"));
    T_EQ_INT(v("{\"trigger\":{\"file_arrival\":{\"url\":\"dbfs:/x/../../etc\"}}}", false),
             LH_E_INVALID);
    T_EQ_INT(v("{\"trigger\":{\"file_arrival\":{\"url\":\"/Volumes/c/s\"}}}", false), LH_E_INVALID);
    T_EQ_INT(v("{\"trigger\":{\"table_update\":{\"table_names\":[\"a\"]}}}", false),
             LH_E_UNSUPPORTED);
    T_EQ_INT(v("{\"schedule\":{\"quartz_cron_expression\":\"0 0 * * * ?\",\"timezone_id\":\"UTC\"},"
               "\"trigger\":{\"periodic\":{\"interval\":1,\"unit\":\"DAYS\"}}}",
               false),
             LH_E_INVALID);
    T_EQ_INT(v("{\"run_as\":{\"user_name\":\"a\",\"service_principal_name\":\"b\"}}", false),
             LH_E_INVALID);
    T_EQ_INT(v("[]", false), LH_E_INVALID);
    /* 1001 tasks */
    json_t *s = json_object(), *tasks = json_array();
    for (int i = 0; i < 1001; i++) {
        char k[16];
        snprintf(k, sizeof k, "t%d", i);
        json_array_append_new(tasks, json_pack("{s:s, s:{s:s}}", "task_key", k, "notebook_task",
                                               "notebook_path", "/n"));
    }
    json_object_set_new(s, "tasks", tasks);
    T_EQ_INT(lh_jobs_validate_settings(s, false, &eb), LH_E_INVALID);
    T_CHECK(msg_has("at most 1000 tasks"));
    json_array_remove(tasks, 0);
    T_EQ_INT(lh_jobs_validate_settings(s, false, &eb), LH_OK);
    json_decref(s);
}

static void test_submit(void)
{
    T_EQ_INT(v("{\"run_name\":\"r\",\"tasks\":[" NB("a") ",\"existing_cluster_id\":\"c\"}]}", true),
             LH_OK);
    T_EQ_INT(v("{\"schedule\":{\"quartz_cron_expression\":\"0 0 * * * ?\",\"timezone_id\":"
               "\"UTC\"}}",
               true),
             LH_E_INVALID);
    T_EQ_INT(v("{\"job_clusters\":[{\"job_cluster_key\":\"k\",\"new_cluster\":{}}],\"tasks\":[" NB(
                   "a") ",\"job_cluster_key\":\"k\"}]}",
               true),
             LH_E_INVALID);
}

static void test_legacy_and_merge(void)
{
    json_t *s = json_loads("{\"name\":\"my_job\",\"existing_cluster_id\":\"c\",\"max_retries\":2,"
                           "\"notebook_task\":{\"notebook_path\":\"/n\"}}",
                           0, NULL);
    T_EQ_INT(lh_jobs_validate_settings(s, false, &eb), LH_OK);
    jd_settings_normalize(s);
    json_t *t = json_array_get(json_object_get(s, "tasks"), 0);
    T_EQ_STR(json_string_value(json_object_get(t, "task_key")), "my_job");
    T_EQ_STR(json_string_value(json_object_get(t, "existing_cluster_id")), "c");
    T_EQ_INT(json_integer_value(json_object_get(t, "max_retries")), 2);
    T_CHECK(json_object_get(s, "notebook_task") == NULL);
    T_EQ_STR(json_string_value(json_object_get(s, "format")), "SINGLE_TASK");
    json_decref(s);

    json_t *old = json_loads("{\"name\":\"a\",\"tags\":{\"x\":\"1\"},\"tasks\":[" NB("a") "}," NB(
                                 "b") "}],\"job_clusters\":[{\"job_cluster_key\":\"k\"}]}",
                             0, NULL);
    json_t *ns = json_loads("{\"tasks\":[{\"task_key\":\"b\",\"pipeline_task\":{\"pipeline_id\":"
                            "\"p\"}}," NB("c") "}],\"name\":\"z\"}",
                            0, NULL);
    json_t *rm = json_loads("[\"tags\",\"tasks/a\",\"job_clusters/k\"]", 0, NULL);
    json_t *m = NULL;
    T_EQ_INT(jd_settings_merge(old, ns, rm, &m, &eb), LH_OK);
    T_EQ_STR(json_string_value(json_object_get(m, "name")), "z");
    T_CHECK(json_object_get(m, "tags") == NULL);
    json_t *tasks = json_object_get(m, "tasks");
    T_EQ_INT(json_array_size(tasks), 2);
    T_EQ_STR(json_string_value(json_object_get(json_array_get(tasks, 0), "task_key")), "b");
    T_CHECK(json_object_get(json_array_get(tasks, 0), "pipeline_task") != NULL);
    T_EQ_STR(json_string_value(json_object_get(json_array_get(tasks, 1), "task_key")), "c");
    T_EQ_INT(json_array_size(json_object_get(m, "job_clusters")), 0);
    json_decref(m);
    json_decref(rm);
    rm = json_loads("[\"tasks/nope\"]", 0, NULL);
    T_EQ_INT(jd_settings_merge(old, NULL, rm, &m, &eb), LH_E_INVALID);
    json_decref(rm);
    rm = json_loads("[\"tags/x\"]", 0, NULL);
    T_EQ_INT(jd_settings_merge(old, NULL, rm, &m, &eb), LH_E_INVALID);
    json_decref(rm);
    json_decref(ns);
    json_decref(old);
}

static void test_file_dir(void)
{
    char *d = NULL;
    T_EQ_INT(jd_file_arrival_dir("/data", "dbfs:/in/x", &d, &eb), LH_OK);
    T_EQ_STR(d, "/data/dbfs/in/x");
    free(d);
    T_EQ_INT(jd_file_arrival_dir("/data", "/Volumes/c/s/v/landing", &d, &eb), LH_OK);
    T_EQ_STR(d, "/data/volumes/c/s/v/landing");
    free(d);
    T_EQ_INT(jd_file_arrival_dir("/data", "dbfs:/..", &d, &eb), LH_E_INVALID);
    T_EQ_INT(jd_file_arrival_dir("/data", "/Volumes/c/s/../../x", &d, &eb), LH_E_INVALID);
    T_EQ_INT(jd_file_arrival_dir("/data", "s3://b/x", &d, &eb), LH_E_INVALID);
    T_EQ_INT(jd_file_arrival_dir("/data", "/tmp/x", &d, &eb), LH_E_INVALID);
}

int main(void)
{
    T_RUN(test_valid);
    T_RUN(test_tasks);
    T_RUN(test_depends);
    T_RUN(test_job_level);
    T_RUN(test_submit);
    T_RUN(test_legacy_and_merge);
    T_RUN(test_file_dir);
    return T_DONE();
}
