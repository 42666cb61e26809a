/*
 * nested_fn.h - ARRAY, MAP and STRUCT inside the function library (module-internal): text,
 * JSON and casts of nested values (nested_value.c), the shared helpers of the collection
 * functions (collection.c, collection_map.c).
 */
#ifndef LH_COMPUTE_FUNC_NESTED_FN_H
#define LH_COMPUTE_FUNC_NESTED_FN_H

#include <string.h>
#include <strings.h>

#include "common/nested.h"
#include "compute/func/datetime.h"
#include "compute/func/format.h"
#include "compute/func/func.h"

/* Text of a non-null nested value (see nested_value.c); *out points at a per-thread buffer
 * valid until the thread's next call. */
size_t lh_format_nested(const lh_value_t *val, const lh_tz_t *tz, lh_fmt_style style,
                        const char **out);
/* Append the JSON text of a value (nested or not; NULL is null) to b. */
lh_err lh_nested_json(lh_nbuf_t *b, const lh_value_t *v, const lh_tz_t *tz);
/* CAST of a non-null nested value into row i of out (STRING or a nested type). */
lh_err lh_nested_cast_row(const lh_value_t *in, lh_vec_t *out, size_t i, const lh_sql_conf_t *conf,
                          bool try_, lh_errbuf *eb);

/* json_from.c, for tests and the fuzz target: the from_json value of text under a DDL schema
 * (session zone UTC, PERMISSIVE) as a one-row vector (*out, caller destroys), and
 * schema_of_json's answer (*out malloc'd; MALFORMED_RECORD_IN_PARSING when not JSON). */
lh_err lh_from_json_value(const char *text, size_t len, const char *schema, size_t schema_len,
                          lh_vec_t **out, lh_errbuf *eb);
lh_err lh_schema_of_json(const char *text, size_t len, char **out, lh_errbuf *eb);
/* csv_fn.c, the same for from_csv (default options; a STRUCT of scalars) and schema_of_csv
 * (sep, quote, escape and nullValue as given). */
lh_err lh_from_csv_value(const char *text, size_t len, const char *schema, size_t schema_len,
                         lh_vec_t **out, lh_errbuf *eb);
lh_err lh_schema_of_csv(const char *text, size_t len, char sep, char quote, char escape,
                        const char *null_value, char **out, lh_errbuf *eb);

/* json_from.c helpers shared with csv_fn.c. The options map of argument idx (a constant
 * MAP<STRING, STRING>, else INVALID_OPTIONS.*): its keys and values (empty when NULL). */
lh_err lh_fn_options_open(lh_func_bind_t *b, int idx, lh_narray_t *keys, lh_narray_t *vals,
                          lh_errbuf *eb);
/* from_json / from_csv(text, schema, ..): the text argument a STRING (other scalars cast),
 * the schema a constant DDL string parsed into *type (*shown: it quoted, for errors). */
lh_err lh_fn_text_and_schema(lh_func_bind_t *b, const char *fname, lh_type_t *type,
                             const char **shown, lh_errbuf *eb);
/* Whether v is s, ignoring case. */
static inline bool lh_fn_sv_is(lh_sv_t v, const char *s)
{
    size_t n = strlen(s);
    return v.len == n && strncasecmp((const char *)v.ptr, s, n) == 0;
}
/* schema_of_json / schema_of_csv: argument 0 a constant non-NULL STRING (*out), else
 * NON_FOLDABLE_INPUT or UNEXPECTED_NULL naming it `input`. */
lh_err lh_fn_const_text(lh_func_bind_t *b, const char *fname, const char *input,
                        const lh_value_t **out, lh_errbuf *eb);
/* A STRING answer computed at bind: text (malloc'd, taken) becomes the bind data that
 * lh_fn_exec_bound_string puts in every row. */
lh_err lh_fn_bound_string(lh_func_bind_t *b, char *text);
lh_err lh_fn_exec_bound_string(const lh_func_exec_t *x, lh_errbuf *eb);
/* A datetime pattern option (dateFormat, ...) compiled at bind, freed with the arena. */
lh_err lh_fn_option_pattern(lh_func_bind_t *b, lh_sv_t v, lh_dtpat_t **out, lh_errbuf *eb);
/* Text as a DATE (days), TIMESTAMP or TIMESTAMP_NTZ (micros) of type t by pattern p, or by
 * Spark's CAST forms when p is NULL; false when it does not parse. */
bool lh_fn_parse_datetime(const lh_sql_conf_t *conf, const lh_dtpat_t *p, lh_type_t t, lh_sv_t s,
                          int64_t *out);

/* collection.c helpers shared with collection_map.c and the aggregates: a growable value
 * array, array rows in and out. */
typedef struct lh_fnc_vals {
    lh_value_t *v;
    size_t cap;
} lh_fnc_vals_t;
lh_err lh_fnc_vals_need(lh_fnc_vals_t *v, size_t n);
void lh_fnc_vals_free(lh_fnc_vals_t *v);
/* Encode vals as row i of the ARRAY vector out (nb: scratch, reused). */
lh_err lh_fnc_put_array(lh_vec_t *out, size_t i, const lh_value_t *vals, size_t n, lh_nbuf_t *nb);
/* The elements of non-null array row i of v (values point into v). */
lh_err lh_fnc_get_array(const lh_vec_t *v, size_t i, lh_fnc_vals_t *vals, uint32_t *n);
/* Spark's equality of two non-null values of one type. */
bool lh_fnc_value_eq(const lh_value_t *a, const lh_value_t *b);
/* concat(...) over arrays and reverse(array) (string.c delegates when it sees arrays). */
lh_err lh_fnc_concat_bind(lh_func_bind_t *b, lh_errbuf *eb);
lh_err lh_fnc_concat_exec(const lh_func_exec_t *x, lh_errbuf *eb);
lh_err lh_fnc_array_reverse(const lh_func_exec_t *x, lh_errbuf *eb);

#endif
