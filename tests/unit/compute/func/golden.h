/*
 * golden.h - a tiny literal-expression evaluator for the function library's tests.
 *
 * It reads one Spark SQL expression made of literals, CAST/TRY_CAST/::, unary -, the
 * arithmetic and comparison operators, || and function calls, binds every call through
 * the registry (inserting the implicit casts bind asks for), executes it on one-row
 * vectors and formats the result as Spark prints it. golden_eval answers "ok" with the
 * text, "error" with the error class, or "skip" when the expression uses something the
 * reader does not know (columns, subqueries, lambdas...).
 */
#ifndef LH_TEST_GOLDEN_H
#define LH_TEST_GOLDEN_H

#include <stddef.h>

typedef enum { G_OK, G_ERROR, G_SKIP } g_status;

/* Evaluate the comma-separated select list `sql` (after SELECT); out gets the values
 * tab-separated (G_OK) or the error class (G_ERROR). */
g_status golden_eval(const char *sql, const char *time_zone, char *out, size_t cap);

#endif
