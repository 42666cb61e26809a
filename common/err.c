/*
 * err.c - error codes, their wire names and HTTP statuses.
 */
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int status;
} err_table[LH_E__COUNT] = {
    [LH_OK] = {"OK", 200},
    [LH_E_INVALID] = {"INVALID_PARAMETER_VALUE", 400},
    [LH_E_MALFORMED] = {"MALFORMED_REQUEST", 400},
    [LH_E_STATE] = {"INVALID_STATE", 400},
    [LH_E_UNAUTHENTICATED] = {"UNAUTHENTICATED", 401},
    [LH_E_PERMISSION] = {"PERMISSION_DENIED", 403},
    [LH_E_NOT_FOUND] = {"RESOURCE_DOES_NOT_EXIST", 404},
    [LH_E_NO_ENDPOINT] = {"ENDPOINT_NOT_FOUND", 404},
    [LH_E_METHOD] = {"METHOD_NOT_ALLOWED", 405},
    [LH_E_EXISTS] = {"RESOURCE_ALREADY_EXISTS", 409},
    [LH_E_CONFLICT] = {"ABORTED", 409},
    [LH_E_TOO_LARGE] = {"REQUEST_ENTITY_TOO_LARGE", 413},
    [LH_E_LIMIT] = {"REQUEST_LIMIT_EXCEEDED", 429},
    [LH_E_UNSUPPORTED] = {"INVALID_PARAMETER_VALUE", 400},
    [LH_E_CORRUPT] = {"DATA_LOSS", 500},
    [LH_E_IO] = {"IO_ERROR", 500},
    [LH_E_NOMEM] = {"RESOURCE_EXHAUSTED", 500},
    [LH_E_INTERNAL] = {"INTERNAL_ERROR", 500},
    [LH_E_NOT_IMPLEMENTED] = {"NOT_IMPLEMENTED", 501},
    [LH_E_UNAVAILABLE] = {"TEMPORARILY_UNAVAILABLE", 503},
};

lh_err lh_err_setv(lh_errbuf *eb, lh_err code, const char *file, int line, const char *fmt,
                   va_list ap)
{
    if (eb == NULL)
        return code;
    eb->code = code;
    eb->error_code = NULL;
    eb->file = file;
    eb->line = line;
    vsnprintf(eb->msg, sizeof eb->msg, fmt, ap);
    return code;
}

lh_err(lh_err_set)(lh_errbuf *eb, lh_err code, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lh_err_setv(eb, code, file, line, fmt, ap);
    va_end(ap);
    return code;
}

lh_err(lh_err_set_code)(lh_errbuf *eb, lh_err code, const char *error_code, const char *file,
                        int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lh_err_setv(eb, code, file, line, fmt, ap);
    va_end(ap);
    if (eb != NULL)
        eb->error_code = error_code;
    return code;
}

void lh_errbuf_clear(lh_errbuf *eb)
{
    memset(eb, 0, sizeof *eb);
}

const char *lh_err_code_name(lh_err code)
{
    if ((unsigned)code >= LH_E__COUNT)
        return "INTERNAL_ERROR";
    return err_table[code].name;
}

int lh_err_http_status(lh_err code)
{
    if ((unsigned)code >= LH_E__COUNT)
        return 500;
    return err_table[code].status;
}

const char *lh_errbuf_code_name(const lh_errbuf *eb)
{
    if (eb->error_code != NULL)
        return eb->error_code;
    return lh_err_code_name(eb->code);
}

void lh_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "lakehoused: assertion failed: %s (%s:%d)\n", expr, file, line);
    fflush(stderr);
    abort();
}
