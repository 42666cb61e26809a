/*
 * test_store.c - api/mlflow against a temporary meta.db, below HTTP: the Default experiment
 * made at start (its artifact location follows --mlflow-artifacts-proxy) and kept across
 * starts; lh_mlflow_run_artifact_uri (the registry's entry point) for live, deleted and
 * missing runs; keyset page tokens (round trip, other lists, other sorts, tampering); and
 * MLflow's key, length and metric-value rules.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/area.h"
#include "api/mlflow/mlflow_internal.h"
#include "common/config.h"
#include "server/server.h"
#include "t.h"

static char dir[64];

typedef struct {
    lh_config_t config;
    lh_ctx_t ctx;
} fixture;

static lh_err exec_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    return lh_meta_exec(m, arg, eb);
}

static void start(fixture *f, bool proxy)
{
    lh_config_default(&f->config);
    f->config.mlflow_artifacts_proxy = proxy;
    f->ctx.config = &f->config;
    char path[128];
    snprintf(path, sizeof path, "%s/meta.db", dir);
    LH_ASSERT(lh_meta_open(path, &f->ctx.meta, NULL) == LH_OK);
    f->ctx.data_dir = dir;
    void *state = NULL;
    LH_ASSERT(lh_mlflow_area.create(&f->ctx, &state, NULL) == LH_OK);
}

static void stop(fixture *f)
{
    lh_meta_close(f->ctx.meta);
}

static void fresh_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/lh-mlflow-XXXXXX");
    LH_ASSERT(mkdtemp(dir) != NULL);
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    T_EQ_INT(system(cmd), 0);
}

typedef struct {
    lh_arena_t *arena;
    mlf_experiment exp;
    bool found;
} load_arg;

static lh_err load_default(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    load_arg *a = arg;
    return mlf_experiment_load(m, 0, a->arena, &a->exp, &a->found, eb);
}

static void test_default_experiment(void)
{
    fresh_dir();
    fixture f = {0};
    start(&f, true);
    load_arg a = {.arena = lh_arena_create()};
    T_EQ_INT(lh_meta_read(f.ctx.meta, load_default, &a, NULL), LH_OK);
    T_CHECK(a.found);
    T_EQ_STR(a.exp.name, "Default");
    T_EQ_STR(a.exp.artifact_location, "mlflow-artifacts:/0");
    T_EQ_STR(a.exp.lifecycle_stage, "active");
    T_CHECK(mlf_experiment_exists(&f.ctx, 0));
    T_CHECK(!mlf_experiment_exists(&f.ctx, 1));
    stop(&f);
    /* a second start (without the flag) keeps the row as it was */
    start(&f, false);
    a.found = false;
    T_EQ_INT(lh_meta_read(f.ctx.meta, load_default, &a, NULL), LH_OK);
    T_EQ_STR(a.exp.artifact_location, "mlflow-artifacts:/0");
    T_EQ_STR(mlf_default_artifact_location(&f.ctx, 7, a.arena), "dbfs:/mlflow/7");
    stop(&f);
    lh_arena_destroy(a.arena);
    remove_dir();
}

static void test_run_artifact_uri(void)
{
    fresh_dir();
    fixture f = {0};
    start(&f, false);
    const char *sql =
        "INSERT INTO mlflow_runs(run_uuid, experiment_id, status, artifact_uri, lifecycle_stage) "
        "VALUES ('0123456789abcdef0123456789abcdef', 0, 'RUNNING', "
        "'dbfs:/mlflow/0/0123456789abcdef0123456789abcdef/artifacts', 'active'), "
        "('fedcba9876543210fedcba9876543210', 0, 'FINISHED', 'dbfs:/x/artifacts', 'deleted')";
    T_EQ_INT(lh_meta_tx(f.ctx.meta, exec_tx, (void *)sql, NULL), LH_OK);
    lh_arena_t *arena = lh_arena_create();
    const char *uri = NULL;
    lh_errbuf eb;
    T_EQ_INT(
        lh_mlflow_run_artifact_uri(&f.ctx, "0123456789abcdef0123456789abcdef", arena, &uri, &eb),
        LH_OK);
    T_EQ_STR(uri, "dbfs:/mlflow/0/0123456789abcdef0123456789abcdef/artifacts");
    /* deleted runs still resolve */
    T_EQ_INT(
        lh_mlflow_run_artifact_uri(&f.ctx, "fedcba9876543210fedcba9876543210", arena, &uri, &eb),
        LH_OK);
    T_EQ_STR(uri, "dbfs:/x/artifacts");
    T_EQ_INT(
        lh_mlflow_run_artifact_uri(&f.ctx, "00000000000000000000000000000000", arena, &uri, &eb),
        LH_E_NOT_FOUND);
    T_CHECK(strstr(eb.msg, "00000000000000000000000000000000") != NULL);
    lh_arena_destroy(arena);
    stop(&f);
    remove_dir();
}

static void test_page_tokens(void)
{
    lh_arena_t *arena = lh_arena_create();
    mlf_page pg;
    mlf_page_init(&pg, MLF_LIST_RUNS, "shape-a");
    mlf_page_sort(&pg, "a", 'i', true);
    mlf_page_sort(&pg, "b", 'd', false);
    mlf_page_sort(&pg, "c", 's', true);
    mlf_val vals[3] = {
        {.type = 'i', .i = -42}, {.type = 'd', .d = -INFINITY}, {.type = 's', .s = "x y\xc3\xa9"}};
    const char *token = mlf_page_token_vals(&pg, vals, arena);
    T_CHECK(strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
            strlen(token));
    lh_errbuf eb;
    T_EQ_INT(mlf_page_parse(&pg, token, arena, &eb), LH_OK);
    T_CHECK(pg.has_after);
    T_EQ_INT(pg.after[0].i, -42);
    T_CHECK(isinf(pg.after[1].d) && pg.after[1].d < 0);
    T_EQ_STR(pg.after[2].s, "x y\xc3\xa9");
    /* the keyset condition: one disjunct per sort column, each value bound once, and the
     * plain range on the first column that lets an index start at the page */
    mlf_sql q;
    mlf_sql_init(&q, arena);
    mlf_page_where(&pg, &q);
    mlf_page_order(&pg, &q);
    T_EQ_STR(q.text, " AND ((a > ?1) OR (a = ?1 AND b < ?2) OR (a = ?1 AND b = ?2 AND c > ?3)) "
                     "AND a >= ?1 ORDER BY a ASC, b DESC, c ASC");
    T_EQ_INT(q.nbinds, 3);
    /* empty = first page */
    T_EQ_INT(mlf_page_parse(&pg, "", arena, &eb), LH_OK);
    T_CHECK(!pg.has_after);
    /* another shape, another list, fewer columns, tampering: all refused */
    mlf_page other;
    mlf_page_init(&other, MLF_LIST_RUNS, "shape-b");
    mlf_page_sort(&other, "a", 'i', true);
    mlf_page_sort(&other, "b", 'd', false);
    mlf_page_sort(&other, "c", 's', true);
    T_EQ_INT(mlf_page_parse(&other, token, arena, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "page_token") != NULL);
    mlf_page_init(&other, MLF_LIST_EXPERIMENTS, "shape-a");
    mlf_page_sort(&other, "a", 'i', true);
    mlf_page_sort(&other, "b", 'd', false);
    mlf_page_sort(&other, "c", 's', true);
    T_EQ_INT(mlf_page_parse(&other, token, arena, &eb), LH_E_INVALID);
    mlf_page_init(&other, MLF_LIST_RUNS, "shape-a");
    mlf_page_sort(&other, "a", 'i', true);
    mlf_page_sort(&other, "b", 'd', false);
    mlf_page_sort(&other, "c", 'i', true); /* a text key read as an int */
    T_EQ_INT(mlf_page_parse(&other, token, arena, &eb), LH_E_INVALID);
    size_t n = strlen(token);
    char *cut = lh_arena_strndup(arena, token, n - 2);
    T_EQ_INT(mlf_page_parse(&pg, cut, arena, &eb), LH_E_INVALID);
    char *extra = lh_arena_sprintf(arena, "%sAAAA", token);
    T_EQ_INT(mlf_page_parse(&pg, extra, arena, &eb), LH_E_INVALID);
    T_EQ_INT(mlf_page_parse(&pg, "not a token!", arena, &eb), LH_E_INVALID);
    T_EQ_INT(mlf_page_parse(&pg, "A", arena, &eb), LH_E_INVALID);
    lh_arena_destroy(arena);
}

static void test_rules(void)
{
    lh_errbuf eb;
    T_EQ_INT(mlf_check_key("key", "train/loss 1:a-b.c_d", &eb), LH_OK);
    T_EQ_INT(mlf_check_key("key", "caf\xc3\xa9", &eb), LH_OK);
    const char *bad[] = {"",       "/a", "a/",  "a//b", "./a", "a/./b",
                         "a/../b", "..", "..a", "a;b",  "a\"b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        T_EQ_INT(mlf_check_key("metrics[3].key", bad[i], &eb), LH_E_INVALID);
        T_CHECK(strstr(eb.msg, "metrics[3].key") != NULL);
    }
    char key[300];
    memset(key, 'k', sizeof key);
    key[250] = '\0';
    T_EQ_INT(mlf_check_key("key", key, &eb), LH_OK);
    key[250] = 'k';
    key[251] = '\0';
    T_EQ_INT(mlf_check_key("key", key, &eb), LH_E_INVALID);
    /* lengths count characters, not bytes */
    T_EQ_INT(mlf_check_len("value", 2, "\xc3\xa9\xc3\xa9", &eb), LH_OK);
    T_EQ_INT(mlf_check_len("value", 1, "\xc3\xa9\xc3\xa9", &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "'value' exceeds the maximum length of 1") != NULL);

    double v = 0;
    json_t *j = json_string("NaN");
    T_EQ_INT(mlf_metric_value(j, "value", &v, &eb), LH_OK);
    T_CHECK(isnan(v));
    json_decref(j);
    j = json_string("-Infinity");
    T_EQ_INT(mlf_metric_value(j, "value", &v, &eb), LH_OK);
    T_CHECK(isinf(v) && v < 0);
    json_decref(j);
    j = json_string("2.5e3");
    T_EQ_INT(mlf_metric_value(j, "value", &v, &eb), LH_OK);
    T_CHECK(v == 2500);
    json_decref(j);
    j = json_string(" 1");
    T_EQ_INT(mlf_metric_value(j, "value", &v, &eb), LH_E_INVALID);
    json_decref(j);
    j = json_true();
    T_EQ_INT(mlf_metric_value(j, "metrics[0].value", &v, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "metrics[0].value") != NULL);
    json_decref(j);
    T_EQ_INT(mlf_metric_value(NULL, "value", &v, &eb), LH_E_INVALID);

    json_t *nan = mlf_double_json(NAN), *inf = mlf_double_json(INFINITY),
           *num = mlf_double_json(0.25);
    T_EQ_STR(json_string_value(nan), "NaN");
    T_EQ_STR(json_string_value(inf), "Infinity");
    T_CHECK(json_real_value(num) == 0.25);
    json_decref(nan);
    json_decref(inf);
    json_decref(num);

    /* clipping never splits a character */
    T_EQ_INT(mlf_clip("ab\xc3\xa9", 3), 2);
    T_EQ_INT(mlf_clip("ab\xc3\xa9", 4), 4);
    T_EQ_INT(mlf_clip("ab\xe2\x82\xac", 4), 2);
    T_EQ_INT(mlf_clip("abc", 10), 3);
    int64_t id = 0;
    T_CHECK(mlf_parse_experiment_id("0", &id) && id == 0);
    T_CHECK(mlf_parse_experiment_id("123", &id) && id == 123);
    T_CHECK(!mlf_parse_experiment_id("", &id) && !mlf_parse_experiment_id("1a", &id) &&
            !mlf_parse_experiment_id("-1", &id) &&
            !mlf_parse_experiment_id("1234567890123456789", &id));
    lh_arena_t *arena = lh_arena_create();
    const char *name = mlf_random_name(arena), *rid = mlf_random_id(arena, "m-");
    T_CHECK(strchr(name, '-') != NULL && strlen(name) >= 5);
    T_EQ_INT(strlen(rid), 34);
    T_CHECK(strncmp(rid, "m-", 2) == 0 && strspn(rid + 2, "0123456789abcdef") == 32);
    lh_arena_destroy(arena);
}

int main(void)
{
    T_RUN(test_default_experiment);
    T_RUN(test_run_artifact_uri);
    T_RUN(test_page_tokens);
    T_RUN(test_rules);
    return T_DONE();
}
