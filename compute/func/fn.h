/*
 * fn.h - helpers shared by the function families (module-internal; not for callers).
 *
 * Each family file (arith.c, math.c, string.c, ...) exports one table of lh_func_t rows;
 * func.c merges them into the sorted registry. Exec loops read arguments with the typed
 * accessors below and write results with fn_put_* (which also handle null marking).
 */
#ifndef LH_COMPUTE_FUNC_FN_H
#define LH_COMPUTE_FUNC_FN_H

#include <stdbool.h>
#include <string.h>

#include "compute/func/coerce.h"
#include "compute/func/dec.h"
#include "compute/func/func.h"
#include "compute/func/tz.h"
#include "compute/sqlerr.h"

#define FN_TABLE(name)                                                                             \
    extern const lh_func_t name[];                                                                 \
    extern const int name##_count
FN_TABLE(lh_fn_arith);
FN_TABLE(lh_fn_cast);
FN_TABLE(lh_fn_math);
FN_TABLE(lh_fn_bitwise);
FN_TABLE(lh_fn_string);
FN_TABLE(lh_fn_hash);
FN_TABLE(lh_fn_regex);
FN_TABLE(lh_fn_date);
FN_TABLE(lh_fn_date_unit);
FN_TABLE(lh_fn_utf8);
FN_TABLE(lh_fn_tonumber);
FN_TABLE(lh_fn_json);
FN_TABLE(lh_fn_json_from);
FN_TABLE(lh_fn_csv);
FN_TABLE(lh_fn_fmt);
FN_TABLE(lh_fn_collection);
FN_TABLE(lh_fn_collection_map);
FN_TABLE(lh_fn_collection_more);
FN_TABLE(lh_fn_url);
FN_TABLE(lh_fn_aes);
FN_TABLE(lh_fn_misc_more);
#define FN_COUNT(arr) const int arr##_count = (int)(sizeof arr / sizeof arr[0])

static inline lh_type_t fn_type(lh_type_id id)
{
    return (lh_type_t){id, 0, 0};
}
static inline bool fn_null(const lh_vec_t *v, size_t i)
{
    return !lh_vec_is_valid(v, i);
}
static inline lh_sv_t fn_str(const lh_vec_t *v, size_t i)
{
    return ((const lh_sv_t *)v->data)[i];
}
static inline int64_t fn_i64(const lh_vec_t *v, size_t i)
{
    return lh_vec_get_i64(v, i);
}
static inline double fn_f64(const lh_vec_t *v, size_t i)
{
    return lh_vec_get_f64(v, i);
}
/* Any row as a value (strings point into the vector). */
lh_value_t fn_get(const lh_vec_t *v, size_t i);
lh_err fn_put_null(lh_vec_t *out, size_t i);
lh_err fn_put_str(lh_vec_t *out, size_t i, const void *bytes, size_t len);
lh_err fn_put(lh_vec_t *out, size_t i, const lh_value_t *val);
static inline void fn_put_i64(lh_vec_t *out, size_t i, int64_t x)
{
    switch (lh_type_width(out->type)) {
    case 1:
        ((int8_t *)out->data)[i] = (int8_t)x;
        break;
    case 2:
        ((int16_t *)out->data)[i] = (int16_t)x;
        break;
    case 4:
        ((int32_t *)out->data)[i] = (int32_t)x;
        break;
    case 16:
        ((lh_i128 *)out->data)[i] = x;
        break;
    default:
        ((int64_t *)out->data)[i] = x;
    }
}
static inline void fn_put_f64(lh_vec_t *out, size_t i, double x)
{
    if (out->type.id == LH_TYPE_FLOAT)
        ((float *)out->data)[i] = (float)x;
    else
        ((double *)out->data)[i] = x;
}
/* Null in any argument -> null out; returns true when row i is null. */
bool fn_any_null(const lh_func_exec_t *x, size_t i);
/* Bytes of the well-formed UTF-8 sequence at s[0..n) (n > 0), or 0 with *bad the length of
 * its maximal ill-formed subpart (at least 1): what Java's decoders replace with one U+FFFD. */
size_t fn_utf8_seq(const uint8_t *s, size_t n, size_t *bad);
/* Code point c as UTF-8 into o (1-4 bytes, the count returned). */
size_t fn_utf8_put(uint32_t c, uint8_t *o);
/* lower() of the UTF-8 string s[0..n) into o (>= 4 * n bytes); returns the length. */
size_t fn_lower(const uint8_t *s, size_t n, uint8_t *o);
/* Start an exec: out->count = rows. */
static inline void fn_begin(const lh_func_exec_t *x)
{
    x->out->count = x->rows;
}
const lh_tz_t *fn_tz(const lh_sql_conf_t *conf);

/* Spark's SQL text of a type and of a value for error messages: "INT", "'abc'", "1.5D". */
const char *fn_type_sql(lh_type_t t, char *buf, size_t cap);
const char *fn_value_sql(const lh_value_t *v, char *buf, size_t cap);
/* DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE for argument idx (0-based). */
lh_err fn_bad_input(lh_func_bind_t *b, lh_errbuf *eb, const char *fname, int idx,
                    const char *required);
/* The statement's current time (conf->now_us, or the clock when 0 or conf is NULL). */
int64_t fn_now_us(const lh_sql_conf_t *conf);

/* hash.c: base64. Encode n bytes into o (4 * ceil(n / 3) bytes, padded with '='); decode
 * leniently as Java's MIME decoder (characters outside the alphabet skipped, stops at '=')
 * into o (at least 3 * n / 4 bytes), *on bytes. */
size_t fn_b64_encode(const uint8_t *p, size_t n, char *o);
bool fn_b64_decode(const uint8_t *p, size_t n, uint8_t *o, size_t *on);

/* cast.c: convert one value (non-null) to type `to`; ansi errors raise Spark's classes,
 * try (ansi=false) turns failure into *is_null. */
lh_err lh_cast_value(const lh_value_t *in, lh_type_t to, const lh_sql_conf_t *conf, bool ansi,
                     lh_vec_t *scratch, lh_value_t *out, bool *is_null, lh_errbuf *eb);

#endif
