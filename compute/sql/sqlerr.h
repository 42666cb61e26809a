/*
 * sqlerr.h - Spark's error classes for everything the SQL engine reports.
 *
 * One table (sqlerr.c) maps an error class ("PARSE_SYNTAX_ERROR",
 * "UNRESOLVED_COLUMN.WITH_SUGGESTION") to its SQLSTATE and its message template, the
 * template text being Spark's (common/utils/src/main/resources/error/
 * error-conditions.json): parameters are written <name>. A raised error fills an lh_errbuf:
 *   eb->code        LH_E_INVALID (user errors; the statement FAILS, HTTP stays 200) or
 *                   the code the caller passes;
 *   eb->error_code  the error class (a static string from the table);
 *   eb->msg         "[CLASS] <message with parameters> SQLSTATE: <state>" plus, when
 *                   the caller gives a position, " (line L, pos P)" for parse errors,
 *                   exactly as Spark prints them.
 * Thread-safe (the table is read-only).
 */
#ifndef LH_COMPUTE_SQL_SQLERR_H
#define LH_COMPUTE_SQL_SQLERR_H

#include "common/err.h"

typedef struct lh_sqlerr_class {
    const char *error_class; /* e.g. "DIVIDE_BY_ZERO" */
    const char *sqlstate;    /* e.g. "22012" */
    const char *tmpl;        /* Spark's message, parameters as <name> */
} lh_sqlerr_class_t;

/* The row for a class, or NULL. */
const lh_sqlerr_class_t *lh_sqlerr_find(const char *error_class);
/* The SQLSTATE of a class ("XX000" for unknown classes). */
const char *lh_sqlerr_state(const char *error_class);

/* Raise error_class with parameters given as name, value pairs ending in NULL:
 *   return lh_sqlerr(eb, "UNRESOLVED_ROUTINE", "routineName", "`foo`",
 *                    "searchPath", "[`system`.`builtin`]", NULL);
 * An unknown class asserts (a programmer error). Returns LH_E_INVALID. */
lh_err lh_sqlerr(lh_errbuf *eb, const char *error_class, ...) __attribute__((sentinel));
/* The same, appending " (line L, pos P)" (1-based line, 0-based pos) as Spark's parser
 * does. */
lh_err lh_sqlerr_at(lh_errbuf *eb, int line, int pos, const char *error_class, ...)
    __attribute__((sentinel));

#endif
