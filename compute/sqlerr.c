/*
 * sqlerr.c - the error class table and message rendering (see sqlerr.h).
 *
 * Rows are sorted by class name (checked at first use by a debug assertion in the unit
 * test) and found by binary search. Add a row when code raises a new class; keep the
 * template Spark's, word for word, so clients that match on messages keep working.
 */
#include "compute/sqlerr.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const lh_sqlerr_class_t classes[] = {
    {"AMBIGUOUS_REFERENCE", "42704", "Reference <name> is ambiguous, could be: <referenceNames>."},
    {"ARITHMETIC_OVERFLOW", "22003",
     "<message>.<alternative> If necessary set <config> to \"false\" to bypass this error."},
    {"DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: The <paramIndex> parameter requires "
     "the <requiredType> type, however <inputSql> has the type <inputType>."},
    {"DIVIDE_BY_ZERO", "22012",
     "Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead. "
     "If necessary set <config> to \"false\" to bypass this error."},
    {"INTERNAL_ERROR", "XX000", "<message>"},
    {"OPERATION_CANCELED", "HY008", "Operation has been canceled."},
    {"PARSE_SYNTAX_ERROR", "42601", "Syntax error at or near <error><hint>."},
    {"TABLE_OR_VIEW_NOT_FOUND", "42P01",
     "The table or view <relationName> cannot be found. Verify the spelling and correctness of "
     "the schema and catalog.\nIf you did not qualify the name with a schema, verify the "
     "current_schema() output, or qualify the name with the correct schema and catalog.\nTo "
     "tolerate the error on drop use DROP VIEW IF EXISTS or DROP TABLE IF EXISTS."},
    {"UNABLE_TO_ACQUIRE_MEMORY", "53200",
     "Unable to acquire <requestedBytes> bytes of memory, got <receivedBytes>."},
    {"UNRESOLVED_COLUMN.WITH_SUGGESTION", "42703",
     "A column, variable, or function parameter with name <objectName> cannot be resolved. Did "
     "you mean one of the following? [<proposal>]."},
    {"UNRESOLVED_ROUTINE", "42883",
     "Cannot resolve routine <routineName> on search path <searchPath>."},
};
#define CLASS_COUNT (sizeof classes / sizeof classes[0])

static int cmp_class(const void *key, const void *row)
{
    return strcmp(key, ((const lh_sqlerr_class_t *)row)->error_class);
}

const lh_sqlerr_class_t *lh_sqlerr_find(const char *error_class)
{
    return bsearch(error_class, classes, CLASS_COUNT, sizeof classes[0], cmp_class);
}

const char *lh_sqlerr_state(const char *error_class)
{
    const lh_sqlerr_class_t *c = error_class ? lh_sqlerr_find(error_class) : NULL;
    return c ? c->sqlstate : "XX000";
}

/* Render tmpl with the name/value pairs of ap into out. */
static void render(char *out, size_t cap, const char *tmpl, va_list ap)
{
    const char *names[32], *values[32];
    int n = 0;
    for (const char *k; n < 32 && (k = va_arg(ap, const char *)) != NULL; n++) {
        names[n] = k;
        values[n] = va_arg(ap, const char *);
    }
    size_t o = 0;
    for (const char *p = tmpl; *p && o + 1 < cap;) {
        const char *close = *p == '<' ? strchr(p, '>') : NULL;
        int hit = -1;
        for (int i = 0; close && i < n; i++)
            if (strlen(names[i]) == (size_t)(close - p - 1) &&
                memcmp(names[i], p + 1, (size_t)(close - p - 1)) == 0)
                hit = i;
        if (hit < 0) {
            out[o++] = *p++;
            continue;
        }
        int w = snprintf(out + o, cap - o, "%s", values[hit] ? values[hit] : "");
        o += w < 0 ? 0 : (size_t)w;
        if (o >= cap)
            o = cap - 1;
        p = close + 1;
    }
    out[o] = '\0';
}

static lh_err raise(lh_errbuf *eb, int line, int pos, const char *error_class, va_list ap)
{
    const lh_sqlerr_class_t *c = lh_sqlerr_find(error_class);
    LH_ASSERT(c != NULL);
    char msg[LH_ERRBUF_MSG_MAX];
    render(msg, sizeof msg, c->tmpl, ap);
    lh_err e = line > 0 ? lh_err_set_code(eb, LH_E_INVALID, c->error_class, __FILE__, __LINE__,
                                          "[%s] %s SQLSTATE: %s (line %d, pos %d)", c->error_class,
                                          msg, c->sqlstate, line, pos)
                        : lh_err_set_code(eb, LH_E_INVALID, c->error_class, __FILE__, __LINE__,
                                          "[%s] %s SQLSTATE: %s", c->error_class, msg, c->sqlstate);
    return e;
}

lh_err lh_sqlerr(lh_errbuf *eb, const char *error_class, ...)
{
    va_list ap;
    va_start(ap, error_class);
    lh_err e = raise(eb, 0, 0, error_class, ap);
    va_end(ap);
    return e;
}

lh_err lh_sqlerr_at(lh_errbuf *eb, int line, int pos, const char *error_class, ...)
{
    va_list ap;
    va_start(ap, error_class);
    lh_err e = raise(eb, line, pos, error_class, ap);
    va_end(ap);
    return e;
}
