/*
 * test_scim_filter.c - api/identity SCIM filters: grammar, operators, precedence, errors,
 * and the length / term / nesting limits at N and N+1.
 */
#include <stdio.h>
#include <string.h>

#include "api/identity/scim_filter.h"
#include "common/limits.h"
#include "t.h"

typedef struct {
    const char *user_name, *display_name, *id, *external_id, *active;
    const char *emails[3];
} res_t;

static int values(const void *r, lh_scim_attr attr, const char **vals, int max)
{
    const res_t *x = r;
    const char *one = NULL;
    switch (attr) {
    case LH_SCIM_ATTR_USER_NAME:
        one = x->user_name;
        break;
    case LH_SCIM_ATTR_DISPLAY_NAME:
        one = x->display_name;
        break;
    case LH_SCIM_ATTR_ID:
        one = x->id;
        break;
    case LH_SCIM_ATTR_EXTERNAL_ID:
        one = x->external_id;
        break;
    case LH_SCIM_ATTR_ACTIVE:
        one = x->active;
        break;
    case LH_SCIM_ATTR_EMAILS_VALUE: {
        int n = 0;
        for (int i = 0; i < 3 && x->emails[i] && n < max; i++)
            vals[n++] = x->emails[i];
        return n;
    }
    default:
        break;
    }
    if (one == NULL)
        return 0;
    vals[0] = one;
    return 1;
}

static const res_t alice = {"alice@example.com",
                            "Alice Smith",
                            "101",
                            NULL,
                            "true",
                            {"alice@example.com", "a@home.org", NULL}};
static const res_t bob = {"bob@example.com", "Bob", "102", "ext-7", "false", {NULL}};

/* 1 = matches alice only, 2 = bob only, 3 = both, 0 = neither; -1 = parse error. */
static int eval(const char *filter)
{
    lh_arena_t *a = lh_arena_create();
    const lh_scim_filter_t *f = NULL;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    int r = -1;
    if (lh_scim_filter_parse(filter, strlen(filter), a, &f, &eb) == LH_OK)
        r = (lh_scim_filter_match(f, values, &alice) ? 1 : 0) |
            (lh_scim_filter_match(f, values, &bob) ? 2 : 0);
    lh_arena_destroy(a);
    return r;
}

static void test_operators(void)
{
    T_EQ_INT(eval("userName eq \"alice@example.com\""), 1);
    T_EQ_INT(eval("USERNAME EQ \"ALICE@EXAMPLE.COM\""), 1); /* case-insensitive */
    T_EQ_INT(eval("userName ne \"alice@example.com\""), 2);
    T_EQ_INT(eval("displayName co \"smi\""), 1);
    T_EQ_INT(eval("userName sw \"bo\""), 2);
    T_EQ_INT(eval("userName ew \"example.com\""), 3);
    T_EQ_INT(eval("externalId pr"), 2);
    T_EQ_INT(eval("id eq \"102\""), 2);
    T_EQ_INT(eval("id eq 102"), 2);
    T_EQ_INT(eval("active eq true"), 1);
    T_EQ_INT(eval("active eq false"), 2);
    T_EQ_INT(eval("emails.value eq \"a@home.org\""), 1);
    T_EQ_INT(eval("emails.value pr"), 1);
    T_EQ_INT(eval("externalId eq null"), 1);
    T_EQ_INT(eval("externalId ne null"), 2);
    T_EQ_INT(eval("displayName eq \"Say \\\"hi\\\"\""), 0);
    T_EQ_INT(eval(""), 3);
    T_EQ_INT(eval("   "), 3);
}

static void test_logic(void)
{
    T_EQ_INT(eval("userName sw \"a\" or userName sw \"b\""), 3);
    T_EQ_INT(eval("userName sw \"a\" and active eq true"), 1);
    T_EQ_INT(eval("userName sw \"a\" and active eq false"), 0);
    /* and binds tighter than or */
    T_EQ_INT(eval("userName sw \"b\" or userName sw \"a\" and active eq false"), 2);
    T_EQ_INT(eval("(userName sw \"b\" or userName sw \"a\") and active eq true"), 1);
    T_EQ_INT(eval("not (userName sw \"a\")"), 2);
    T_EQ_INT(eval("((id eq \"101\"))"), 1);
}

static void test_invalid(void)
{
    const char *bad[] = {
        "userName",
        "userName eq",
        "userName xx \"a\"",
        "password eq \"a\"",
        "userName eq \"unterminated",
        "userName eq \"bad \\q escape\"",
        "(userName eq \"a\"",
        "userName eq \"a\")",
        "userName eq \"a\" and",
        "userName eq \"a\" userName eq \"b\"",
        "userName co null",
        "userName eq \"a\" & id eq \"1\"",
        "not userName eq \"a\"",
        "()",
        "\"a\" eq userName",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = eval(bad[i]);
        if (r != -1)
            fprintf(stderr, "  accepted: %s\n", bad[i]);
        T_EQ_INT(r, -1);
    }
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    lh_arena_t *a = lh_arena_create();
    const lh_scim_filter_t *f = NULL;
    T_EQ_INT(lh_scim_filter_parse("id eq", 5, a, &f, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "Invalid filter") != NULL);
    /* a slice: bytes past len are never read */
    T_EQ_INT(lh_scim_filter_parse("id pr garbage", 5, a, &f, &eb), LH_OK);
    lh_arena_destroy(a);
}

/* "id eq "1" or id eq "1" ..." with n terms. */
static char *terms(int n, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; i < n; i++)
        snprintf(buf + strlen(buf), size - strlen(buf), "%sid eq \"%d\"", i ? " or " : "", i);
    return buf;
}

static void test_limits(void)
{
    static char buf[LH_SCIM_FILTER_MAX * 2];
    T_EQ_INT(eval(terms(LH_SCIM_FILTER_TERMS_MAX, buf, sizeof buf)), 0);
    T_EQ_INT(eval(terms(LH_SCIM_FILTER_TERMS_MAX + 1, buf, sizeof buf)), -1);

    char nest[LH_SCIM_FILTER_TERMS_MAX * 2 + 32];
    int d = LH_SCIM_FILTER_TERMS_MAX;
    memset(nest, '(', (size_t)d);
    strcpy(nest + d, "id pr");
    memset(nest + d + 5, ')', (size_t)d);
    nest[2 * d + 5] = '\0';
    T_EQ_INT(eval(nest), 3);
    d++;
    memset(nest, '(', (size_t)d);
    strcpy(nest + d, "id pr");
    memset(nest + d + 5, ')', (size_t)d);
    nest[2 * d + 5] = '\0';
    T_EQ_INT(eval(nest), -1);

    /* length: exactly LH_SCIM_FILTER_MAX is fine, one more is refused */
    memset(buf, ' ', LH_SCIM_FILTER_MAX);
    memcpy(buf, "id pr", 5);
    buf[LH_SCIM_FILTER_MAX] = '\0';
    T_EQ_INT(eval(buf), 3);
    buf[LH_SCIM_FILTER_MAX] = ' ';
    buf[LH_SCIM_FILTER_MAX + 1] = '\0';
    T_EQ_INT(eval(buf), -1);
}

static void test_terms_count(void)
{
    lh_arena_t *a = lh_arena_create();
    const lh_scim_filter_t *f = NULL;
    const char *s = "(id pr or userName eq \"x\") and not (active eq true)";
    T_EQ_INT(lh_scim_filter_parse(s, strlen(s), a, &f, NULL), LH_OK);
    T_EQ_INT(lh_scim_filter_terms(f), 3);
    T_EQ_INT(f->op, LH_SCIM_OP_AND);
    lh_arena_destroy(a);
}

int main(void)
{
    T_RUN(test_operators);
    T_RUN(test_logic);
    T_RUN(test_invalid);
    T_RUN(test_limits);
    T_RUN(test_terms_count);
    return T_DONE();
}
