/*
 * test_filter.c - the model registry's search filter (api/mlflow/registry/filter.c):
 * grammar, operators, quoting, LIKE/ILIKE, errors, limits at N and N+1, order_by and
 * page tokens.
 */
#include <stdio.h>
#include <string.h>

#include "api/mlflow/registry/registry_internal.h"
#include "t.h"

static const unsigned ALL = RF_NAME | RF_TAG | RF_RUN_ID | RF_SOURCE_PATH | RF_VERSION;

/* 1 match, 0 no match, -1 parse error */
static int eval(const char *filter, unsigned fields)
{
    lh_arena_t *a = lh_arena_create();
    json_t *tags = json_pack("{s:s, s:s}", "team", "ml", "a b", "x'y");
    rf_row row = {
        .name = "Churn_Model", .run_id = "r1", .source = "dbfs:/m/1", .version = 3, .tags = tags};
    rf_filter f;
    lh_errbuf eb;
    int r = rf_parse(filter, strlen(filter), fields, a, &f, &eb) != LH_OK ? -1 : rf_match(&f, &row);
    json_decref(tags);
    lh_arena_destroy(a);
    return r;
}

static void test_match(void)
{
    T_EQ_INT(eval("", ALL), 1);
    T_EQ_INT(eval("name = 'Churn_Model'", ALL), 1);
    T_EQ_INT(eval("name = \"Churn_Model\"", ALL), 1);
    T_EQ_INT(eval("name != 'Churn_Model'", ALL), 0);
    T_EQ_INT(eval("name LIKE 'Churn%'", ALL), 1);
    T_EQ_INT(eval("name LIKE 'churn%'", ALL), 0);
    T_EQ_INT(eval("name ILIKE 'churn%'", ALL), 1);
    T_EQ_INT(eval("name like '%_Model'", ALL), 1);
    T_EQ_INT(eval("name LIKE 'C_urn%Mo%'", ALL), 1);
    T_EQ_INT(eval("name LIKE '%x%'", ALL), 0);
    T_EQ_INT(eval("tags.team = 'ml' AND name LIKE '%'", ALL), 1);
    T_EQ_INT(eval("tags.`a b` = 'x''y'", ALL), 1);
    T_EQ_INT(eval("tag.\"a b\" = 'x\\'y'", ALL), 1);
    T_EQ_INT(eval("tags.missing != 'z'", ALL), 0);
    T_EQ_INT(eval("run_id IN ('r0', 'r1')", ALL), 1);
    T_EQ_INT(eval("run_id NOT IN ('r0', 'r1')", ALL), 0);
    T_EQ_INT(eval("version_number >= 3 and version_number < 4", ALL), 1);
    T_EQ_INT(eval("version_number > '3'", ALL), 0);
    T_EQ_INT(eval("source_path LIKE 'dbfs:/%'", ALL), 1);
}

static void test_errors(void)
{
    T_EQ_INT(eval("name", ALL), -1);
    T_EQ_INT(eval("name =", ALL), -1);
    T_EQ_INT(eval("name = x", ALL), -1);
    T_EQ_INT(eval("name = 'x", ALL), -1);
    T_EQ_INT(eval("name = 'x' OR name = 'y'", ALL), -1);
    T_EQ_INT(eval("name > 'x'", ALL), -1);
    T_EQ_INT(eval("version_number LIKE '1'", ALL), -1);
    T_EQ_INT(eval("version_number = abc", ALL), -1);
    T_EQ_INT(eval("tags. = 'x'", ALL), -1);
    T_EQ_INT(eval("bogus = 'x'", ALL), -1);
    T_EQ_INT(eval("run_id = 'x'", RF_NAME | RF_TAG), -1);
    T_EQ_INT(eval("source_path IN ('x')", ALL), -1);
    T_EQ_INT(eval("run_id IN ('x',", ALL), -1);
}

static void test_limits(void)
{
    char buf[RG_FILTER_MAX + 64];
    buf[0] = '\0';
    for (int i = 0; i < RG_FILTER_TERMS; i++)
        strcat(buf, i ? " AND name LIKE '%'" : "name LIKE '%'");
    T_EQ_INT(eval(buf, ALL), 1);
    strcat(buf, " AND name LIKE '%'");
    T_EQ_INT(eval(buf, ALL), -1);
    memset(buf, ' ', RG_FILTER_MAX);
    buf[RG_FILTER_MAX] = '\0';
    T_EQ_INT(eval(buf, ALL), 1);
    buf[RG_FILTER_MAX] = ' ';
    buf[RG_FILTER_MAX + 1] = '\0';
    T_EQ_INT(eval(buf, ALL), -1);
}

static void test_order_and_tokens(void)
{
    static const char *const keys[] = {"name", "last_updated_timestamp", NULL};
    lh_arena_t *a = lh_arena_create();
    lh_errbuf eb;
    rf_order *o;
    size_t n;
    json_t *ob = json_pack("[s, s]", "timestamp DESC", "name");
    T_EQ_INT(rf_parse_order(ob, keys, a, &o, &n, &eb), LH_OK);
    T_EQ_INT(n, 2);
    T_EQ_INT(o[0].key, 1);
    T_CHECK(o[0].desc);
    T_EQ_INT(o[1].key, 0);
    T_CHECK(!o[1].desc);
    json_decref(ob);
    ob = json_pack("[s]", "size ASC");
    T_EQ_INT(rf_parse_order(ob, keys, a, &o, &n, &eb), LH_E_INVALID);
    json_decref(ob);
    ob = json_pack("[s]", "name sideways");
    T_EQ_INT(rf_parse_order(ob, keys, a, &o, &n, &eb), LH_E_INVALID);
    json_decref(ob);
    int64_t off = -1;
    T_EQ_INT(rf_page_offset(rf_page_token(a, 1234), &off, &eb), LH_OK);
    T_EQ_INT(off, 1234);
    T_EQ_INT(rf_page_offset("", &off, &eb), LH_OK);
    T_EQ_INT(off, 0);
    T_EQ_INT(rf_page_offset("abc", &off, &eb), LH_E_INVALID);
    T_EQ_INT(rf_page_offset("eyJvZmZzZXQiOiAtMX0=", &off, &eb), LH_E_INVALID); /* offset -1 */
    lh_arena_destroy(a);
}

int main(void)
{
    T_RUN(test_match);
    T_RUN(test_errors);
    T_RUN(test_limits);
    T_RUN(test_order_and_tokens);
    return T_DONE();
}
