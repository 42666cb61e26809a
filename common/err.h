/*
 * err.h - the one error vocabulary of the daemon.
 *
 * Fallible functions return lh_err (LH_OK == 0) and write results through
 * out-parameters. An lh_errbuf carries a human message (plus file:line) and,
 * optionally, a more specific wire error_code (e.g. "ConcurrentAppendException"
 * or "SCIM_404"). Only server/ maps lh_err to an HTTP status and JSON body.
 *
 *   LH_TRY(expr)                         forward an error in one line
 *   LH_FAIL_IF(cond, code, eb, fmt, ...) raise one when cond holds
 *   LH_FAIL(code, eb, fmt, ...)          raise one unconditionally
 *
 * An errbuf pointer may be NULL: the code is still returned, the text dropped.
 */
#ifndef LH_COMMON_ERR_H
#define LH_COMMON_ERR_H

#include <stdarg.h>

typedef enum lh_err {
    LH_OK = 0,
    LH_E_INVALID,         /* 400 INVALID_PARAMETER_VALUE */
    LH_E_MALFORMED,       /* 400 MALFORMED_REQUEST (unparsable body) */
    LH_E_STATE,           /* 400 INVALID_STATE (operation not valid now) */
    LH_E_UNAUTHENTICATED, /* 401 UNAUTHENTICATED */
    LH_E_PERMISSION,      /* 403 PERMISSION_DENIED */
    LH_E_NOT_FOUND,       /* 404 RESOURCE_DOES_NOT_EXIST */
    LH_E_NO_ENDPOINT,     /* 404 ENDPOINT_NOT_FOUND */
    LH_E_METHOD,          /* 405 METHOD_NOT_ALLOWED */
    LH_E_EXISTS,          /* 409 RESOURCE_ALREADY_EXISTS */
    LH_E_CONFLICT,        /* 409 ABORTED (concurrent modification, Delta conflicts) */
    LH_E_TOO_LARGE,       /* 413 REQUEST_ENTITY_TOO_LARGE */
    LH_E_LIMIT,           /* 429 REQUEST_LIMIT_EXCEEDED */
    LH_E_UNSUPPORTED,     /* 400 a valid input using a feature we do not support */
    LH_E_CORRUPT,         /* 500 DATA_LOSS: stored data (Parquet, Delta log) is malformed */
    LH_E_IO,              /* 500 IO_ERROR: the operating system refused */
    LH_E_NOMEM,           /* 500 RESOURCE_EXHAUSTED: allocation failed */
    LH_E_INTERNAL,        /* 500 INTERNAL_ERROR */
    LH_E_NOT_IMPLEMENTED, /* 501 NOT_IMPLEMENTED */
    LH_E_UNAVAILABLE,     /* 503 TEMPORARILY_UNAVAILABLE (shutting down) */
    LH_E__COUNT
} lh_err;

#define LH_ERRBUF_MSG_MAX 512

typedef struct lh_errbuf {
    lh_err code;
    const char *error_code; /* optional static string overriding the default wire code */
    const char *file;
    int line;
    char msg[LH_ERRBUF_MSG_MAX];
} lh_errbuf;

/* Record an error in eb (if non-NULL) and return code. Thread-safe (eb is the caller's). */
lh_err lh_err_set(lh_errbuf *eb, lh_err code, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
lh_err lh_err_setv(lh_errbuf *eb, lh_err code, const char *file, int line, const char *fmt,
                   va_list ap);

/* Like lh_err_set, also setting a specific wire error_code (a static string). */
lh_err lh_err_set_code(lh_errbuf *eb, lh_err code, const char *error_code, const char *file,
                       int line, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Both return their code. The macros below say so where the call is made: flow analysis
 * then knows an error path never returns LH_OK, so an out-parameter left unset by a failed
 * call is not read after it (GCC -O3 inlines the callee and otherwise warns "may be used
 * uninitialized"). `code` is evaluated twice: pass a constant or a plain variable. */
static inline lh_err lh_err_returning_(lh_err recorded, lh_err code)
{
    (void)recorded;
    return code;
}
#define lh_err_set(eb, code, ...) lh_err_returning_(lh_err_set((eb), (code), __VA_ARGS__), (code))
#define lh_err_set_code(eb, code, ...)                                                             \
    lh_err_returning_(lh_err_set_code((eb), (code), __VA_ARGS__), (code))

void lh_errbuf_clear(lh_errbuf *eb);

/* Default wire error_code for a code, e.g. "INVALID_PARAMETER_VALUE". Never NULL. */
const char *lh_err_code_name(lh_err code);
/* HTTP status for a code. */
int lh_err_http_status(lh_err code);
/* The wire error_code for an errbuf: its override, or the default for its code. */
const char *lh_errbuf_code_name(const lh_errbuf *eb);

#define LH_FAIL(code, eb, ...) return lh_err_set((eb), (code), __FILE__, __LINE__, __VA_ARGS__)

#define LH_FAIL_IF(cond, code, eb, ...)                                                            \
    do {                                                                                           \
        if (cond)                                                                                  \
            return lh_err_set((eb), (code), __FILE__, __LINE__, __VA_ARGS__);                      \
    } while (0)

#define LH_TRY(expr)                                                                               \
    do {                                                                                           \
        lh_err lh_try_e_ = (expr);                                                                 \
        if (lh_try_e_ != LH_OK)                                                                    \
            return lh_try_e_;                                                                      \
    } while (0)

/* Assertions stay on in release builds: they guard programmer errors, not input. */
void lh_assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));
#define LH_ASSERT(cond)                                                                            \
    do {                                                                                           \
        if (!(cond))                                                                               \
            lh_assert_fail(#cond, __FILE__, __LINE__);                                             \
    } while (0)

#endif
