/* test_run_subst.c - api/jobs/run_subst.c: {{references}} and ${widgets} in task
 * parameters (spaces, literals left alone, no re-scan of values, errors), and the
 * condition_task comparison (numeric when both sides are numbers, else bytewise). */
#include <stdlib.h>
#include <string.h>

#include "api/jobs/run_internal.h"
#include "t.h"

/* Values: job.id -> 42, a.b -> "{{job.id}}" (must not be re-scanned), w -> "W" (widget). */
static lh_err lookup(void *arg, lh_subst_kind kind, const char *name, char **value, lh_errbuf *eb)
{
    (void)arg;
    const char *v = NULL;
    if (kind == LH_SUBST_REF && strcmp(name, "job.id") == 0)
        v = "42";
    else if (kind == LH_SUBST_REF && strcmp(name, "a.b") == 0)
        v = "{{job.id}}";
    else if (kind == LH_SUBST_WIDGET && strcmp(name, "w") == 0)
        v = "W";
    else if (kind == LH_SUBST_REF && strcmp(name, "empty") == 0)
        v = "";
    LH_FAIL_IF(v == NULL, LH_E_INVALID, eb, "unknown reference {{%s}}", name);
    *value = strdup(v);
    return LH_OK;
}

static char *sub(const char *text, lh_err *e)
{
    char *out = NULL;
    lh_errbuf eb;
    *e = lh_run_subst(text, strlen(text), lookup, NULL, &out, &eb);
    return out;
}

static void expect(const char *text, const char *want)
{
    lh_err e;
    char *out = sub(text, &e);
    T_EQ_INT(e, LH_OK);
    T_EQ_STR(out, want);
    free(out);
}

static void expect_error(const char *text)
{
    lh_err e;
    char *out = sub(text, &e);
    T_EQ_INT(e, LH_E_INVALID);
    T_CHECK(out == NULL);
}

static void test_references(void)
{
    expect("", "");
    expect("plain text", "plain text");
    expect("{{job.id}}", "42");
    expect("id={{ job.id }}!", "id=42!");
    expect("{{job.id}}{{job.id}}", "4242");
    expect("x{{empty}}y", "xy");
    expect("{{a.b}}", "{{job.id}}"); /* values are not scanned again */
    expect("{{job.id", "{{job.id");  /* no closing braces: literal */
    expect("{ {job.id}}", "{ {job.id}}");
    expect("}}{{job.id}}", "}}42");
}

static void test_widgets(void)
{
    expect("${w}", "W");
    expect("a ${w} b", "a W b");
    expect("$w ${ w} ${} $", "$w ${ w} ${} $"); /* not widgets: literal */
    expect("${w", "${w");
    expect("cost: $5", "cost: $5");
}

static void test_errors(void)
{
    expect_error("{{nope}}");
    expect_error("{{}}");
    expect_error("{{   }}");
    expect_error("{{job id}}");
    expect_error("{{job.id}} {{a;b}}");
    expect_error("${nope}");
    char big[400];
    memset(big, 'a', sizeof big);
    memcpy(big, "{{", 2);
    memcpy(big + sizeof big - 3, "}}", 3);
    expect_error(big);
}

static bool cond(const char *op, const char *l, const char *r)
{
    bool out = false;
    lh_errbuf eb;
    T_EQ_INT(lh_run_condition(op, l, r, &out, &eb), LH_OK);
    return out;
}

static void test_condition(void)
{
    T_CHECK(cond("EQUAL_TO", "a", "a"));
    T_CHECK(!cond("EQUAL_TO", "a", "b"));
    T_CHECK(!cond("EQUAL_TO", "12.0", "12")); /* a string comparison, as Databricks */
    T_CHECK(cond("NOT_EQUAL", "12.0", "12"));
    T_CHECK(cond("GREATER_THAN_OR_EQUAL", "12.0", "12")); /* numeric */
    T_CHECK(cond("NOT_EQUAL", "1", "2"));
    T_CHECK(cond("LESS_THAN", "9", "10")); /* numeric, not bytewise */
    T_CHECK(!cond("LESS_THAN", "b", "a"));
    T_CHECK(cond("GREATER_THAN", "b", "a"));
    T_CHECK(cond("GREATER_THAN_OR_EQUAL", "3", "3"));
    T_CHECK(cond("LESS_THAN_OR_EQUAL", "-1e3", "2"));
    T_CHECK(cond("LESS_THAN", "10", "9x")); /* one side not a number: bytewise */
    bool out;
    lh_errbuf eb;
    T_EQ_INT(lh_run_condition("BETWEEN", "1", "2", &out, &eb), LH_E_INVALID);
    T_EQ_INT(lh_run_condition(NULL, "1", "2", &out, &eb), LH_E_INVALID);
}

int main(void)
{
    T_RUN(test_references);
    T_RUN(test_widgets);
    T_RUN(test_errors);
    T_RUN(test_condition);
    return T_DONE();
}
