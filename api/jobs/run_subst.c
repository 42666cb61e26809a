/*
 * run_subst.c - task parameter templates: Databricks' dynamic value references
 * ("{{job.id}}", "{{tasks.a.values.n}}", "{{input}}") and widget substitution ("${name}"),
 * and the condition_task comparison. Pure functions (fuzzed by tests/fuzz/fuzz_run_subst.c).
 *
 * Scanning is one pass, left to right: "{{" opens a reference that ends at the next "}}"
 * (no "}}" after it: the rest is literal); "${" opens a widget that ends at the next "}"
 * when what is between is a name (otherwise the "$" is literal). Replacement values are not
 * scanned again, so a value holding "{{" cannot inject a reference.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/jobs/run_internal.h"
#include "common/err.h"

#define REF_NAME_MAX 256

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static bool buf_add(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (np == NULL)
            return false;
        b->p = np;
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return true;
}

static bool name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

static const char *find2(const char *s, const char *end, char a, char b)
{
    for (; s + 1 < end; s++)
        if (s[0] == a && s[1] == b)
            return s;
    return NULL;
}

/* One reference [from, to): trim, check, resolve, append. */
static lh_err put_ref(buf *b, lh_subst_kind kind, const char *from, const char *to, lh_subst_fn fn,
                      void *arg, lh_errbuf *eb)
{
    while (from < to && (*from == ' ' || *from == '\t'))
        from++;
    while (to > from && (to[-1] == ' ' || to[-1] == '\t'))
        to--;
    size_t n = (size_t)(to - from);
    LH_FAIL_IF(n == 0, LH_E_INVALID, eb, "empty reference {{}}");
    LH_FAIL_IF(n > REF_NAME_MAX, LH_E_INVALID, eb, "reference longer than %d bytes", REF_NAME_MAX);
    char name[REF_NAME_MAX + 1];
    for (size_t i = 0; i < n; i++) {
        LH_FAIL_IF(!name_char(from[i]), LH_E_INVALID, eb,
                   "invalid character in reference '{{%.*s}}'", (int)n, from);
        name[i] = from[i];
    }
    name[n] = '\0';
    char *v = NULL;
    LH_TRY(fn(arg, kind, name, &v, eb));
    bool ok = buf_add(b, v ? v : "", v ? strlen(v) : 0);
    free(v);
    LH_FAIL_IF(!ok, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

/* A widget "${name}" at s: its end (after '}') or NULL when it is not one. */
static const char *widget_end(const char *s, const char *end)
{
    const char *p = s + 2;
    while (p < end && p - (s + 2) <= REF_NAME_MAX && name_char(*p))
        p++;
    return p < end && *p == '}' && p > s + 2 && p - (s + 2) <= REF_NAME_MAX ? p + 1 : NULL;
}

static lh_err subst(buf *b, const char *text, size_t bytes, lh_subst_fn fn, void *arg,
                    lh_errbuf *eb)
{
    const char *s = text, *end = text + bytes, *lit = text;
    while (s < end) {
        const char *close = NULL;
        if (s + 1 < end && s[0] == '{' && s[1] == '{' &&
            (close = find2(s + 2, end, '}', '}')) != NULL) {
            LH_FAIL_IF(!buf_add(b, lit, (size_t)(s - lit)), LH_E_NOMEM, eb, "out of memory");
            LH_TRY(put_ref(b, LH_SUBST_REF, s + 2, close, fn, arg, eb));
            s = lit = close + 2;
            continue;
        }
        const char *we = NULL;
        if (s + 1 < end && s[0] == '$' && s[1] == '{' && (we = widget_end(s, end)) != NULL) {
            LH_FAIL_IF(!buf_add(b, lit, (size_t)(s - lit)), LH_E_NOMEM, eb, "out of memory");
            LH_TRY(put_ref(b, LH_SUBST_WIDGET, s + 2, we - 1, fn, arg, eb));
            s = lit = we;
            continue;
        }
        s++;
    }
    LH_FAIL_IF(!buf_add(b, lit, (size_t)(end - lit)), LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

lh_err lh_run_subst(const char *text, size_t bytes, lh_subst_fn fn, void *arg, char **out,
                    lh_errbuf *eb)
{
    buf b = {0};
    lh_err e = subst(&b, text, bytes, fn, arg, eb);
    if (e == LH_OK && b.p == NULL && !buf_add(&b, "", 0))
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e != LH_OK) {
        free(b.p);
        return e;
    }
    *out = b.p;
    return LH_OK;
}

static bool as_number(const char *s, double *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0')
        return false;
    char *end = NULL;
    errno = 0;
    double d = strtod(s, &end);
    while (end && isspace((unsigned char)*end))
        end++;
    if (end == NULL || *end != '\0' || isnan(d))
        return false;
    *out = d;
    return true;
}

lh_err lh_run_condition(const char *op, const char *left, const char *right, bool *outcome,
                        lh_errbuf *eb)
{
    static const char *const ops[] = {"EQUAL_TO",     "NOT_EQUAL",
                                      "GREATER_THAN", "GREATER_THAN_OR_EQUAL",
                                      "LESS_THAN",    "LESS_THAN_OR_EQUAL"};
    int k = -1;
    for (int i = 0; i < 6; i++)
        if (op != NULL && strcmp(op, ops[i]) == 0)
            k = i;
    LH_FAIL_IF(k < 0, LH_E_INVALID, eb, "condition_task.op: unknown value '%s'", op ? op : "");
    /* Databricks: EQUAL_TO and NOT_EQUAL compare strings ("12.0" != "12"); the ordering
     * operators compare numbers (bytewise here when either side is not a number) */
    double a, b;
    int c;
    if (k >= 2 && as_number(left, &a) && as_number(right, &b))
        c = a < b ? -1 : a > b ? 1 : 0;
    else
        c = strcmp(left, right);
    c = c < 0 ? -1 : c > 0 ? 1 : 0;
    static const bool table[6][3] = {{false, true, false}, {true, false, true},
                                     {false, false, true}, {false, true, true},
                                     {true, false, false}, {true, true, false}};
    *outcome = table[k][c + 1];
    return LH_OK;
}
