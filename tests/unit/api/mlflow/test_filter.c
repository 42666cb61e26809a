/*
 * test_filter.c - api/mlflow/filter.c: MLflow's search grammar (keys, operators, values,
 * aliases, per-target keys, the model registry's two targets), the errors it names with
 * positions, and order_by clauses; and the registry's offset page tokens
 * (api/mlflow/registry/store.c).
 */
#include <stdio.h>
#include <string.h>

#include "api/mlflow/filter.h"
#include "api/mlflow/registry/registry_internal.h"
#include "t.h"

static lh_arena_t *arena;

static lh_err parse(lh_mlflow_target t, const char *text, lh_mlflow_filter_t *f, lh_errbuf *eb)
{
    lh_errbuf_clear(eb);
    return lh_mlflow_filter_parse(t, text, strlen(text), arena, f, eb);
}

/* The filter fails with INVALID naming `part` and "position pos". */
static int fails_at(lh_mlflow_target t, const char *text, const char *part, int pos)
{
    lh_mlflow_filter_t f;
    lh_errbuf eb;
    if (parse(t, text, &f, &eb) != LH_E_INVALID) {
        fprintf(stderr, "  expected an error for: %s\n", text);
        return 0;
    }
    char where[48];
    snprintf(where, sizeof where, "position %d)", pos);
    if (strstr(eb.msg, part) == NULL || (pos >= 0 && strstr(eb.msg, where) == NULL)) {
        fprintf(stderr, "  %s -> %s\n", text, eb.msg);
        return 0;
    }
    return 1;
}

static void test_empty(void)
{
    lh_mlflow_filter_t f;
    lh_errbuf eb;
    T_EQ_INT(parse(LH_MLFLOW_RUNS, "", &f, &eb), LH_OK);
    T_EQ_INT(f.count, 0);
    T_EQ_INT(parse(LH_MLFLOW_RUNS, "  \t\n ", &f, &eb), LH_OK);
    T_EQ_INT(f.count, 0);
}

static void test_metrics_params_tags(void)
{
    lh_mlflow_filter_t f;
    lh_errbuf eb;
    T_EQ_INT(parse(LH_MLFLOW_RUNS,
                   "metrics.rmse > 0.5 and params.model = 'Linear' AND tags.`my tag` != \"x y\" "
                   "aNd metric.train.loss <= -1e3",
                   &f, &eb),
             LH_OK);
    T_EQ_INT(f.count, 4);
    T_EQ_INT(f.clauses[0].entity, LH_MLFLOW_METRIC);
    T_EQ_STR(f.clauses[0].key, "rmse");
    T_EQ_INT(f.clauses[0].op, LH_MLFLOW_GT);
    T_CHECK(f.clauses[0].numeric && f.clauses[0].number == 0.5);
    T_EQ_INT(f.clauses[0].pos, 0);
    T_EQ_INT(f.clauses[1].entity, LH_MLFLOW_PARAM);
    T_EQ_STR(f.clauses[1].key, "model");
    T_EQ_STR(f.clauses[1].text, "Linear");
    T_EQ_INT(f.clauses[1].pos, 23);
    T_EQ_INT(f.clauses[2].entity, LH_MLFLOW_TAG);
    T_EQ_STR(f.clauses[2].key, "my tag");
    T_EQ_INT(f.clauses[2].op, LH_MLFLOW_NE);
    T_EQ_STR(f.clauses[2].text, "x y");
    T_EQ_STR(f.clauses[3].key, "train.loss");
    T_EQ_INT(f.clauses[3].op, LH_MLFLOW_LE);
    T_CHECK(f.clauses[3].number == -1000.0);
    /* quoted keys, backticked entities, LIKE/ILIKE, verbatim string contents */
    T_EQ_INT(parse(LH_MLFLOW_RUNS,
                   "`params`.\"a-b\" LIKE 'x%' AND parameters.'c.d' ilike '%It''s%' AND "
                   "tags.t = 'a\\'b' AND metrics.`m` >= .5",
                   &f, &eb),
             LH_OK);
    T_EQ_INT(f.count, 4);
    T_EQ_STR(f.clauses[0].key, "a-b");
    T_EQ_INT(f.clauses[0].op, LH_MLFLOW_LIKE);
    T_EQ_STR(f.clauses[1].key, "c.d");
    T_EQ_INT(f.clauses[1].op, LH_MLFLOW_ILIKE);
    T_EQ_STR(f.clauses[1].text, "%It''s%");
    T_EQ_STR(f.clauses[2].text, "a\\'b");
    T_CHECK(f.clauses[3].number == 0.5);
}

static void test_attributes(void)
{
    lh_mlflow_filter_t f;
    lh_errbuf eb;
    T_EQ_INT(parse(LH_MLFLOW_RUNS,
                   "attributes.status = 'FINISHED' AND created > 10 AND `Run Name` LIKE 'r%' AND "
                   "run.end_time < 5 AND attr.user_id != 'a' AND run_name = \"n\"",
                   &f, &eb),
             LH_OK);
    T_EQ_INT(f.count, 6);
    T_EQ_STR(f.clauses[0].key, "status");
    T_CHECK(!f.clauses[0].numeric);
    T_EQ_STR(f.clauses[1].key, "start_time");
    T_CHECK(f.clauses[1].numeric && f.clauses[1].number == 10);
    T_EQ_STR(f.clauses[2].key, "run_name");
    T_EQ_STR(f.clauses[3].key, "end_time");
    T_EQ_STR(f.clauses[4].key, "user_id");
    T_EQ_STR(f.clauses[5].key, "run_name");
    T_EQ_INT(f.clauses[5].entity, LH_MLFLOW_ATTR);
}

static void test_lists_and_datasets(void)
{
    lh_mlflow_filter_t f;
    lh_errbuf eb;
    T_EQ_INT(parse(LH_MLFLOW_RUNS,
                   "attributes.run_id IN ('abc', 'DEF','0f') and run_id not   in ('x') AND "
                   "dataset.name IN ('Iris') AND datasets.context = 'training'",
                   &f, &eb),
             LH_OK);
    T_EQ_INT(f.count, 4);
    T_EQ_INT(f.clauses[0].op, LH_MLFLOW_IN);
    T_EQ_INT(f.clauses[0].list_count, 2); /* run ids with upper-case letters are dropped */
    T_EQ_STR(f.clauses[0].list[0], "abc");
    T_EQ_STR(f.clauses[0].list[1], "0f");
    T_EQ_INT(f.clauses[1].op, LH_MLFLOW_NOT_IN);
    T_EQ_INT(f.clauses[2].entity, LH_MLFLOW_DATASET);
    T_EQ_INT(f.clauses[2].list_count, 1);
    T_EQ_STR(f.clauses[2].list[0], "Iris"); /* kept: not a run id */
    T_EQ_STR(f.clauses[3].key, "context");
}

static void test_targets(void)
{
    lh_mlflow_filter_t f;
    lh_errbuf eb;
    T_EQ_INT(parse(LH_MLFLOW_EXPERIMENTS,
                   "name LIKE 'a%' AND tags.team = 'x' AND attributes.creation_time >= 5 AND "
                   "attribute.last_update_time < 9",
                   &f, &eb),
             LH_OK);
    T_EQ_INT(f.count, 4);
    T_EQ_INT(f.clauses[1].entity, LH_MLFLOW_TAG);
    T_CHECK(f.clauses[2].numeric);
    T_CHECK(fails_at(LH_MLFLOW_EXPERIMENTS, "metrics.x > 1", "Invalid entity type 'metrics'", 0));
    T_CHECK(fails_at(LH_MLFLOW_EXPERIMENTS, "name IN ('a')", "Invalid comparator 'IN'", 5));
    T_CHECK(fails_at(LH_MLFLOW_EXPERIMENTS, "experiment_id = 1", "Invalid attribute key", 0));
    T_EQ_INT(parse(LH_MLFLOW_MODELS,
                   "creation_time > 1 AND metrics.acc >= 0.9 AND params.a = 'b' AND status = "
                   "'LOGGED_MODEL_READY' AND model_id IN ('m-1')",
                   &f, &eb),
             LH_OK);
    T_EQ_STR(f.clauses[0].key, "creation_timestamp");
    T_CHECK(fails_at(LH_MLFLOW_MODELS, "dataset.name = 'x'", "Invalid entity type 'dataset'", 0));
}

static void test_registered_models(void)
{
    const lh_mlflow_target t = LH_MLFLOW_REGISTERED_MODELS;
    lh_mlflow_filter_t f;
    lh_errbuf eb;
    T_EQ_INT(parse(t,
                   "name LIKE 'Churn%' and tags.team = 'ml' AND tag.`a b` != \"x''y\" AND "
                   "attribute.name ILIKE 'churn%'",
                   &f, &eb),
             LH_OK);
    T_EQ_INT(f.count, 4);
    T_EQ_INT(f.clauses[0].entity, LH_MLFLOW_ATTR);
    T_EQ_STR(f.clauses[0].key, "name");
    T_EQ_INT(f.clauses[0].op, LH_MLFLOW_LIKE);
    T_EQ_INT(f.clauses[1].entity, LH_MLFLOW_TAG);
    T_EQ_STR(f.clauses[1].key, "team");
    T_EQ_STR(f.clauses[2].key, "a b");
    T_EQ_STR(f.clauses[2].text, "x''y"); /* verbatim, as MLflow keeps it */
    T_EQ_INT(f.clauses[3].op, LH_MLFLOW_ILIKE);
    T_EQ_INT(parse(t, "name='x'", &f, &eb), LH_OK);
    T_EQ_STR(f.clauses[0].text, "x");
    T_CHECK(fails_at(t, "run_id = 'x'", "Invalid attribute key 'run_id'", 0));
    T_CHECK(fails_at(t, "creation_timestamp > 1", "Invalid attribute key", 0)); /* order only */
    T_CHECK(fails_at(t, "name IN ('a')", "Invalid comparator 'IN'", 5));
    T_CHECK(fails_at(t, "name > 'x'", "Invalid comparator '>'", 5));
    T_CHECK(fails_at(t, "metrics.a > 1", "Valid entity types are ('attribute', 'tag', 'tags')", 0));
    T_CHECK(fails_at(t, "attributes.name = 'x'", "Invalid entity type 'attributes'", 0));
    T_CHECK(fails_at(t, "name = 'a' OR name = 'b'", "OR", 11));
    T_CHECK(fails_at(t, "name LIKE", "Expected a quoted string value for attribute", 9));
    T_CHECK(fails_at(t, "name = 'x", "unterminated string", 7));
    T_CHECK(fails_at(t, "tags. = 'x'", "expected a name after 'tags.'", 5));
    T_CHECK(fails_at(t, "bogus = 'x'", "Invalid attribute key 'bogus'", 0));
}

static void test_model_versions(void)
{
    const lh_mlflow_target t = LH_MLFLOW_MODEL_VERSIONS;
    lh_mlflow_filter_t f;
    lh_errbuf eb;
    T_EQ_INT(parse(t,
                   "run_id IN ('r0', 'R1', 'r1') AND version_number >= 3 and version_number < "
                   "'4' AND source_path LIKE 'dbfs:/%' AND name = \"m\" AND tags.k != 'v'",
                   &f, &eb),
             LH_OK);
    T_EQ_INT(f.count, 6);
    T_EQ_INT(f.clauses[0].op, LH_MLFLOW_IN);
    T_EQ_INT(f.clauses[0].list_count, 2); /* run ids with upper-case letters are dropped */
    T_CHECK(f.clauses[1].numeric && f.clauses[1].number == 3);
    T_CHECK(f.clauses[2].numeric && f.clauses[2].number == 4); /* a quoted number */
    T_EQ_STR(f.clauses[3].key, "source_path");
    T_EQ_INT(f.clauses[5].entity, LH_MLFLOW_TAG);
    T_CHECK(fails_at(t, "run_id NOT IN ('x')", "Invalid comparator 'NOT IN'", 7));
    T_CHECK(fails_at(t, "source_path IN ('x')", "Only the 'run_id' attribute", 12));
    T_CHECK(fails_at(t, "name IN ('x')", "Only the 'run_id' attribute", 5));
    T_CHECK(fails_at(t, "version_number LIKE '1'", "Invalid comparator 'LIKE'", 15));
    T_CHECK(fails_at(t, "version_number = abc", "Expected numeric value type", 17));
    T_CHECK(fails_at(t, "version_number = 'abc'", "numeric attribute: version_number", 17));
    T_CHECK(fails_at(t, "version_number > 'nan'", "Expected numeric value type", 17));
    T_CHECK(fails_at(t, "version_number > ''", "Expected numeric value type", 17));
    T_CHECK(fails_at(t, "run_id IN ('x',", "expected string value", 15));
    T_CHECK(fails_at(t, "creation_timestamp > 1", "Invalid attribute key", 0));
    T_CHECK(fails_at(t, "params.a = 'x'", "Invalid entity type 'params'", 0));
}

static void test_registry_order_by(void)
{
    lh_mlflow_order_t o;
    lh_errbuf eb;
#define ORDER(t, s) lh_mlflow_order_parse(t, s, strlen(s), arena, &o, &eb)
    T_EQ_INT(ORDER(LH_MLFLOW_REGISTERED_MODELS, "timestamp DESC"), LH_OK);
    T_EQ_STR(o.key, "last_updated_timestamp");
    T_CHECK(!o.ascending && o.numeric);
    T_EQ_INT(ORDER(LH_MLFLOW_REGISTERED_MODELS, "name"), LH_OK);
    T_CHECK(o.ascending && !o.numeric);
    T_EQ_INT(ORDER(LH_MLFLOW_REGISTERED_MODELS, "creation_timestamp asc"), LH_OK);
    T_EQ_INT(ORDER(LH_MLFLOW_REGISTERED_MODELS, "tags.k"), LH_OK); /* search.c refuses it */
    T_EQ_INT(o.entity, LH_MLFLOW_TAG);
    T_EQ_INT(ORDER(LH_MLFLOW_REGISTERED_MODELS, "size ASC"), LH_E_INVALID);
    T_EQ_INT(ORDER(LH_MLFLOW_REGISTERED_MODELS, "version_number"), LH_E_INVALID);
    T_EQ_INT(ORDER(LH_MLFLOW_REGISTERED_MODELS, "name sideways"), LH_E_INVALID);
    T_EQ_INT(ORDER(LH_MLFLOW_MODEL_VERSIONS, "version_number ASC"), LH_OK);
    T_CHECK(o.ascending && o.numeric);
    T_EQ_INT(ORDER(LH_MLFLOW_MODEL_VERSIONS, "last_updated_timestamp DESC"), LH_OK);
    T_EQ_INT(ORDER(LH_MLFLOW_MODEL_VERSIONS, "timestamp"), LH_E_INVALID);
    T_EQ_INT(ORDER(LH_MLFLOW_MODEL_VERSIONS, "run_id"), LH_E_INVALID); /* filter only */
#undef ORDER
}

static void test_registry_page_tokens(void)
{
    lh_errbuf eb;
    int64_t off = -1;
    T_EQ_INT(rg_page_offset(rg_page_token(arena, 1234), &off, &eb), LH_OK);
    T_EQ_INT(off, 1234);
    T_EQ_INT(rg_page_offset("", &off, &eb), LH_OK);
    T_EQ_INT(off, 0);
    T_EQ_INT(rg_page_offset(NULL, &off, &eb), LH_OK);
    T_EQ_INT(off, 0);
    T_EQ_INT(rg_page_offset("abc", &off, &eb), LH_E_INVALID);
    T_EQ_INT(rg_page_offset("garbage!", &off, &eb), LH_E_INVALID);
    T_EQ_INT(rg_page_offset("eyJvZmZzZXQiOiAtMX0=", &off, &eb), LH_E_INVALID); /* offset -1 */
    T_EQ_INT(rg_page_offset("eyJvZmZzZXQiOiAxMH0=", &off, &eb), LH_OK);        /* MLflow's */
    T_EQ_INT(off, 10);
}

static void test_errors_name_positions(void)
{
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "metrics.a > 1 OR metrics.b > 2", "OR", 14));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "metrics.a > 1 metrics.b > 2", "expected AND", 14));
    T_CHECK(
        fails_at(LH_MLFLOW_RUNS, "metrics.a >> 1", "Expected numeric value type for metric", 11));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "metrics.a = 'x'", "Expected numeric value type", 12));
    T_CHECK(
        fails_at(LH_MLFLOW_RUNS, "params.a = 1", "Expected a quoted string value for param", 11));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "params.a > 'x'", "Invalid comparator '>'", 9));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "metrics.a LIKE 1", "Invalid comparator 'LIKE'", 10));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "tags.a <> 'x'", "Invalid comparator '<>'", 7));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "tags.a == 'x'", "Invalid comparator '=='", 7));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "tags.a ~ 'x'", "expected a comparison operator", 7));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "tags.a NOT LIKE 'x'", "expected IN after NOT", 7));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "status IN ('a')", "Only the 'run_id' attribute", 7));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "run_id IN ()", "empty list", 10));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "run_id IN ('a' 'b')", "expected ',' or ')'", 15));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "run_id IN ('a', \"b\")", "expected string value", 16));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "run_id IN 'a'", "parenthesized list", 10));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "run_id = ('a')", "Expected a quoted string value", 9));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "tags.a = 'open", "unterminated string", 9));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "tags.`open = 'x'", "unterminated `-quoted name", 5));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "foo.a = 'x'", "Invalid entity type 'foo'", 0));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "\"metrics\".a > 1", "Invalid entity type 'metrics'", 0));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "bogus = 'x'", "Invalid attribute key 'bogus'", 0));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "dataset.size = 'x'", "Invalid dataset key 'size'", 0));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "metrics. > 1", "expected a name after 'metrics.'", 8));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "metrics.`` > 1", "empty key name", 0));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "= 1", "expected a key", 0));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "metrics.a > 1.2.3", "malformed number", 12));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "metrics.a > 5abc", "malformed number", 12));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "metrics.a > 1e", "malformed exponent", 13));
    T_CHECK(fails_at(LH_MLFLOW_RUNS, "metrics.a > 1 AND", "expected a key", 17));
}

static void test_limits(void)
{
    char text[8192] = "";
    for (int i = 0; i < LH_MLFLOW_FILTER_CLAUSES_MAX; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%smetrics.m%d > %d",
                 i ? " AND " : "", i, i);
    lh_mlflow_filter_t f;
    lh_errbuf eb;
    T_EQ_INT(parse(LH_MLFLOW_RUNS, text, &f, &eb), LH_OK);
    T_EQ_INT(f.count, LH_MLFLOW_FILTER_CLAUSES_MAX);
    snprintf(text + strlen(text), sizeof text - strlen(text), " AND metrics.x > 1");
    T_CHECK(fails_at(LH_MLFLOW_RUNS, text, "more than 64 clauses", -1));

    static char list[16 * 1024];
    strcpy(list, "run_id IN (");
    for (int i = 0; i <= LH_MLFLOW_FILTER_LIST_MAX; i++)
        strcat(list, i ? ",'a'" : "'a'");
    strcat(list, ")");
    T_CHECK(fails_at(LH_MLFLOW_RUNS, list, "more than 1000 values", -1));

    static char big[LH_MLFLOW_FILTER_BYTES_MAX + 2];
    memset(big, ' ', sizeof big - 1);
    T_EQ_INT(lh_mlflow_filter_parse(LH_MLFLOW_RUNS, big, sizeof big - 1, arena, &f, &eb),
             LH_E_INVALID);
    /* the input need not be NUL-terminated: only `bytes` are read */
    const char exact[] = {'p', 'a', 'r', 'a', 'm', 's', '.', 'a', '=', '\'', 'x', '\''};
    T_EQ_INT(lh_mlflow_filter_parse(LH_MLFLOW_RUNS, exact, sizeof exact, arena, &f, &eb), LH_OK);
    T_EQ_STR(f.clauses[0].text, "x");
    T_EQ_INT(lh_mlflow_filter_parse(LH_MLFLOW_RUNS, exact, sizeof exact - 1, arena, &f, &eb),
             LH_E_INVALID);
}

/* Every multi-byte sequence in s is complete (a JSON string can carry it). */
static int utf8_complete(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int need = *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : *p >= 0xc0 ? 1 : 0;
        if (*p >= 0x80 && *p < 0xc0)
            return 0;
        p++;
        for (int k = 0; k < need; k++, p++)
            if ((*p & 0xc0) != 0x80)
                return 0;
    }
    return 1;
}

static void test_messages_never_cut_a_character(void)
{
    /* the filter is echoed up to 120 bytes and values up to 40: shift a 2- and a 3-byte
     * character across both cuts */
    for (int pad = 0; pad < 8; pad++) {
        char text[512];
        snprintf(text, sizeof text, "params.%.*s%s = 1%s", 110 + pad,
                 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                 "\xc3\xa9\xe2\x82\xac", "\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x82\xac");
        lh_mlflow_filter_t f;
        lh_errbuf eb;
        T_EQ_INT(parse(LH_MLFLOW_RUNS, text, &f, &eb), LH_E_INVALID);
        T_CHECK(utf8_complete(eb.msg));
        snprintf(text, sizeof text, "metrics.a > %.*s\xe2\x82\xac\xe2\x82\xac", 36 + pad,
                 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        T_EQ_INT(parse(LH_MLFLOW_RUNS, text, &f, &eb), LH_E_INVALID);
        T_CHECK(utf8_complete(eb.msg));
    }
}

static void test_order_by(void)
{
    lh_mlflow_order_t o;
    lh_errbuf eb;
#define ORDER(t, s) lh_mlflow_order_parse(t, s, strlen(s), arena, &o, &eb)
    T_EQ_INT(ORDER(LH_MLFLOW_RUNS, "metrics.rmse DESC"), LH_OK);
    T_EQ_INT(o.entity, LH_MLFLOW_METRIC);
    T_EQ_STR(o.key, "rmse");
    T_CHECK(!o.ascending && o.numeric);
    T_EQ_INT(ORDER(LH_MLFLOW_RUNS, " `params`.`a b`  asc "), LH_OK);
    T_EQ_INT(o.entity, LH_MLFLOW_PARAM);
    T_EQ_STR(o.key, "a b");
    T_CHECK(o.ascending && !o.numeric);
    T_EQ_INT(ORDER(LH_MLFLOW_RUNS, "start_time"), LH_OK);
    T_CHECK(o.ascending && o.numeric && o.entity == LH_MLFLOW_ATTR);
    T_EQ_INT(ORDER(LH_MLFLOW_RUNS, "attributes.Created desc"), LH_OK);
    T_EQ_STR(o.key, "start_time");
    T_EQ_INT(ORDER(LH_MLFLOW_RUNS, "tags.\"x.y\""), LH_OK);
    T_EQ_STR(o.key, "x.y");
    T_EQ_INT(ORDER(LH_MLFLOW_EXPERIMENTS, "experiment_id DESC"), LH_OK);
    T_CHECK(o.numeric);
    T_EQ_INT(ORDER(LH_MLFLOW_RUNS, "metrics.a sideways"), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "ASC or DESC") != NULL && strstr(eb.msg, "order_by") != NULL);
    T_EQ_INT(ORDER(LH_MLFLOW_RUNS, "metrics.a DESC x"), LH_E_INVALID);
    T_EQ_INT(ORDER(LH_MLFLOW_RUNS, "dataset.name"), LH_E_INVALID);
    T_EQ_INT(ORDER(LH_MLFLOW_RUNS, "`Run Name`"), LH_E_INVALID); /* a filter-only alias */
    T_EQ_INT(ORDER(LH_MLFLOW_EXPERIMENTS, "metrics.a"), LH_E_INVALID);
    T_EQ_INT(ORDER(LH_MLFLOW_RUNS, ""), LH_E_INVALID);
#undef ORDER
    T_EQ_STR(lh_mlflow_op_name(LH_MLFLOW_NOT_IN), "NOT IN");
}

int main(void)
{
    arena = lh_arena_create();
    T_RUN(test_empty);
    T_RUN(test_metrics_params_tags);
    T_RUN(test_attributes);
    T_RUN(test_lists_and_datasets);
    T_RUN(test_targets);
    T_RUN(test_registered_models);
    T_RUN(test_model_versions);
    T_RUN(test_registry_order_by);
    T_RUN(test_registry_page_tokens);
    T_RUN(test_errors_name_positions);
    T_RUN(test_limits);
    T_RUN(test_messages_never_cut_a_character);
    T_RUN(test_order_by);
    lh_arena_destroy(arena);
    return T_DONE();
}
