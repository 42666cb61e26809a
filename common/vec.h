/*
 * vec.h - column vectors and batches: the currency between storage/ and compute/.
 *
 * A vector holds `count` values of one logical type:
 *   - data:     fixed-width values, laid out per lh_type_width() (see the table below);
 *               strings/binary are lh_sv_t {ptr,len} whose bytes live in the vector's
 *               own string heap (or in memory the producer guarantees outlives the vector);
 *   - validity: a bitmap, bit i set = row i valid. NULL means every row is valid;
 *   - sel:      optional selection vector (row indices), so a filter copies nothing.
 *
 * Kinds (the `kind` field; a zeroed vector is flat):
 *   - FLAT:     data holds count values as above;
 *   - CONSTANT: data holds one value (slot 0, validity bit 0) that every one of the count
 *               rows has, e.g. a partition value. Reserve and the append helpers refuse it;
 *   - DICT:     data holds count uint32 indexes into `dict`, a flat vector of the same type
 *               that the producer keeps alive longer than this one (a Parquet dictionary
 *               page, held by its cursor). validity marks null rows; dictionary entries
 *               may be null too. Only lh_vec_append_index/_null append to it.
 * validity and sel index rows the same way whatever the kind. The lh_vec_get_* accessors,
 * lh_vec_is_valid and lh_vec_get_value work on every kind; code that reads data directly
 * handles flat vectors only and calls lh_vec_flatten first.
 *
 * Physical layout by type:
 *   BOOLEAN uint8_t (0/1)   BYTE int8_t   SHORT int16_t   INT int32_t   LONG int64_t
 *   FLOAT float   DOUBLE double   DATE int32_t (days since 1970-01-01)
 *   TIMESTAMP / TIMESTAMP_NTZ int64_t (microseconds since the epoch)
 *   DECIMAL precision <= 18: int64_t unscaled; precision 19..38: lh_i128 unscaled
 *   STRING / BINARY lh_sv_t
 *   INTERVAL_YM int32_t months   INTERVAL_DT int64_t microseconds
 *   ARRAY / MAP / STRUCT lh_sv_t: each row's value in the binary format of common/nested.h,
 *               in the string heap like a BINARY (so copying, gathering, spilling and
 *               hashing treat them as bytes)
 *   INTERVAL (calendar) lh_sv_t to LH_CAL_IV_BYTES bytes in the heap, lh_cal_iv_encode's
 *               layout (int32 months, int32 days, int64 microseconds, little-endian), so
 *               it travels as bytes like the nested types
 *
 * Vectors are not thread-safe; one owner at a time. Memory: lh_vec_create mallocs,
 * lh_vec_destroy frees everything the vector owns.
 */
#ifndef LH_COMMON_VEC_H
#define LH_COMMON_VEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define LH_BATCH_ROWS 2048 /* rows per engine batch (see STYLE.md, "The engine") */

typedef __int128 lh_i128;

typedef enum lh_type_id {
    LH_TYPE_NULL = 0, /* Delta "void": never stored, reads as null */
    LH_TYPE_BOOLEAN,
    LH_TYPE_BYTE,
    LH_TYPE_SHORT,
    LH_TYPE_INT,
    LH_TYPE_LONG,
    LH_TYPE_FLOAT,
    LH_TYPE_DOUBLE,
    LH_TYPE_STRING,
    LH_TYPE_BINARY,
    LH_TYPE_DATE,
    LH_TYPE_TIMESTAMP,     /* UTC-adjusted micros */
    LH_TYPE_TIMESTAMP_NTZ, /* local micros */
    LH_TYPE_DECIMAL,
    LH_TYPE_INTERVAL_YM, /* ANSI INTERVAL YEAR TO MONTH: int32_t months */
    LH_TYPE_INTERVAL_DT, /* ANSI INTERVAL DAY TO SECOND: int64_t microseconds */
    LH_TYPE_ARRAY,       /* nested (common/nested.h): lh_sv_t, one encoded value per row */
    LH_TYPE_MAP,
    LH_TYPE_STRUCT,
    /* Spark's CalendarIntervalType (type string "interval"): months, days, microseconds.
     * A value of expressions only (CAST(s AS INTERVAL), make_interval): never a column of
     * a table. Held as 16 bytes (lh_cal_iv_t below), like the nested types. */
    LH_TYPE_INTERVAL_CAL,
    LH_TYPE__COUNT
} lh_type_id;

typedef struct lh_type {
    lh_type_id id;
    uint8_t precision; /* DECIMAL only, 1..38 */
    uint8_t scale;     /* DECIMAL only, 0..precision */
    /* ARRAY/MAP/STRUCT only: the interned descriptor (common/nested.h), immutable and
     * process-lifetime, so types stay values and compare by pointer */
    const struct lh_ntype *nested;
} lh_type_t;

typedef struct lh_sv {
    const uint8_t *ptr;
    uint32_t len;
} lh_sv_t;

typedef enum lh_vec_kind {
    LH_VEC_FLAT = 0,
    LH_VEC_CONSTANT,
    LH_VEC_DICT,
} lh_vec_kind;

typedef struct lh_vec {
    lh_type_t type;
    size_t count;       /* values present */
    size_t capacity;    /* slots allocated in data (values; uint32 indexes for DICT) */
    void *data;         /* capacity * lh_vec_slot_width(v) bytes */
    uint64_t *validity; /* NULL = all valid; else ceil(capacity/64) words */
    uint32_t *sel;      /* optional selection (indices into data), sel_count entries */
    size_t sel_count;
    /* string heap: chunks of bytes owned by the vector */
    struct lh_vec_heap *heap;
    lh_vec_kind kind;          /* FLAT unless set by lh_vec_set_constant / lh_vec_set_dict */
    const struct lh_vec *dict; /* DICT only: the flat dictionary (borrowed, outlives v) */
} lh_vec_t;

/* Bytes per value in data for a type (DECIMAL depends on precision). */
static inline size_t lh_type_width(lh_type_t t)
{
    /* inline: sorts and comparisons ask it per value */
    switch (t.id) {
    case LH_TYPE_NULL:
    case LH_TYPE_BOOLEAN:
    case LH_TYPE_BYTE:
        return 1;
    case LH_TYPE_SHORT:
        return 2;
    case LH_TYPE_INT:
    case LH_TYPE_DATE:
    case LH_TYPE_FLOAT:
    case LH_TYPE_INTERVAL_YM:
        return 4;
    case LH_TYPE_DECIMAL:
        return t.precision <= 18 ? 8 : sizeof(lh_i128);
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
    case LH_TYPE_INTERVAL_CAL:
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT:
        return sizeof(lh_sv_t);
    default: /* LONG, DOUBLE, TIMESTAMP, TIMESTAMP_NTZ, INTERVAL_DT */
        return 8;
    }
}
/* Delta schema name, e.g. "long", "decimal(10,2)". Writes into buf (>= 24 bytes). */
const char *lh_type_name(lh_type_t type, char *buf, size_t buf_size);
/* Parse a Delta primitive type name. LH_E_UNSUPPORTED for nested or unknown names. */
lh_err lh_type_parse(const char *name, lh_type_t *out, lh_errbuf *eb);
bool lh_type_equal(lh_type_t a, lh_type_t b);
/* ARRAY, MAP or STRUCT. */
static inline bool lh_type_is_nested(lh_type_t t)
{
    return t.id == LH_TYPE_ARRAY || t.id == LH_TYPE_MAP || t.id == LH_TYPE_STRUCT;
}
/* Values held as lh_sv_t bytes in the heap: STRING, BINARY, the nested types and the
 * calendar INTERVAL. */
static inline bool lh_type_is_bytes(lh_type_t t)
{
    return t.id == LH_TYPE_STRING || t.id == LH_TYPE_BINARY || lh_type_is_nested(t) ||
           t.id == LH_TYPE_INTERVAL_CAL;
}

/* A calendar INTERVAL value and its 16-byte form in a vector's heap. */
typedef struct lh_cal_iv {
    int32_t months;
    int32_t days;
    int64_t micros;
} lh_cal_iv_t;
#define LH_CAL_IV_BYTES 16
static inline void lh_cal_iv_encode(lh_cal_iv_t v, uint8_t out[LH_CAL_IV_BYTES])
{
    uint64_t m = (uint32_t)v.months, d = (uint32_t)v.days, u = (uint64_t)v.micros;
    for (int k = 0; k < 4; k++)
        out[k] = (uint8_t)(m >> (8 * k)), out[4 + k] = (uint8_t)(d >> (8 * k));
    for (int k = 0; k < 8; k++)
        out[8 + k] = (uint8_t)(u >> (8 * k));
}
/* The value of s (a short or empty s, as a null row reads, is zero). */
static inline lh_cal_iv_t lh_cal_iv_decode(lh_sv_t s)
{
    lh_cal_iv_t v = {0, 0, 0};
    if (s.ptr == NULL || s.len < LH_CAL_IV_BYTES)
        return v;
    uint32_t m = 0, d = 0;
    uint64_t u = 0;
    for (int k = 3; k >= 0; k--)
        m = m << 8 | s.ptr[k], d = d << 8 | s.ptr[4 + k];
    for (int k = 7; k >= 0; k--)
        u = u << 8 | s.ptr[8 + k];
    v.months = (int32_t)m, v.days = (int32_t)d, v.micros = (int64_t)u;
    return v;
}

/* Create an empty vector with room for capacity values. NULL on allocation failure. */
lh_vec_t *lh_vec_create(lh_type_t type, size_t capacity);
void lh_vec_destroy(lh_vec_t *v);
/* Grow to at least capacity values (keeps contents). */
lh_err lh_vec_reserve(lh_vec_t *v, size_t capacity);
/* Drop all values; count = 0, all valid, no selection, flat again. A flat vector keeps
 * its allocations; a constant or dictionary one gives its data buffer back. */
void lh_vec_reset(lh_vec_t *v);
/* Bytes per slot of data: lh_type_width(type), or 4 for a DICT vector's indexes. */
size_t lh_vec_slot_width(const lh_vec_t *v);

/* Validity of row i of a constant or dictionary vector (see lh_vec_is_valid). */
bool lh_vec_is_valid_kind(const lh_vec_t *v, size_t i);

/* Whether row i (a physical index, below count) is not null, for any kind. */
static inline bool lh_vec_is_valid(const lh_vec_t *v, size_t i)
{
    if (v->kind != LH_VEC_FLAT)
        return lh_vec_is_valid_kind(v, i);
    return v->validity == NULL || ((v->validity[i >> 6] >> (i & 63)) & 1u);
}
/* Mark row i null or valid (allocates the bitmap on first null). */
lh_err lh_vec_set_null(lh_vec_t *v, size_t i, bool is_null);

/* Copy len bytes into the vector's string heap; returns a stable pointer or NULL. */
const uint8_t *lh_vec_heap_copy(lh_vec_t *v, const void *bytes, size_t len);
/* Append helpers (grow as needed). */
lh_err lh_vec_append_null(lh_vec_t *v);
lh_err lh_vec_append_i64(lh_vec_t *v, int64_t x); /* any integer-like type incl. DECIMAL<=18 */
lh_err lh_vec_append_f64(lh_vec_t *v, double x);  /* FLOAT or DOUBLE */
lh_err lh_vec_append_str(lh_vec_t *v, const void *bytes, size_t len); /* copies into heap */
lh_err lh_vec_append_bool(lh_vec_t *v, bool x);
lh_err lh_vec_append_i128(lh_vec_t *v, lh_i128 x); /* DECIMAL > 18 */
/* Append a value of v's type (NULL, or by its kind: i64, f64, i128, bool, bytes copied). */
struct lh_value;
lh_err lh_vec_append_value(lh_vec_t *v, const struct lh_value *x);

/* Accessors for row i of a vector of any kind (a null row reads as 0 / empty).
 * get_i64: any integer-like value (BOOLEAN..LONG, DATE, TIMESTAMP*, DECIMAL<=18);
 * get_f64: FLOAT/DOUBLE (others converted); get_i128: DECIMAL (any precision);
 * get_str: STRING/BINARY, pointing at memory the vector (or its dictionary) owns. */
int64_t lh_vec_get_i64(const lh_vec_t *v, size_t i);
double lh_vec_get_f64(const lh_vec_t *v, size_t i);
lh_i128 lh_vec_get_i128(const lh_vec_t *v, size_t i);
lh_sv_t lh_vec_get_str(const lh_vec_t *v, size_t i);

/* ---- constant and dictionary kinds --------------------------------------------------- */

struct lh_value;
/* Make v (whatever it held) a constant vector of count rows, all equal to value, or all
 * null when value is NULL or value->is_null. value->type must equal v->type; strings are
 * copied into v's heap. LH_E_NOMEM. */
lh_err lh_vec_set_constant(lh_vec_t *v, const struct lh_value *value, size_t count);
/* lh_vec_create + lh_vec_set_constant; NULL on allocation failure. */
lh_vec_t *lh_vec_create_constant(lh_type_t type, const struct lh_value *value, size_t count);
/* Make v an empty dictionary vector over dict (flat, same type, must outlive v). */
lh_err lh_vec_set_dict(lh_vec_t *v, const lh_vec_t *dict);
/* Append a row holding dictionary entry index (< dict->count). DICT vectors only. */
lh_err lh_vec_append_index(lh_vec_t *v, uint32_t index);
/* Materialize v as a flat vector in place: the same rows, validity and selection; strings
 * of a dictionary are copied into v's heap (v no longer needs the dictionary). */
lh_err lh_vec_flatten(lh_vec_t *v);
/* Append rows [from, from+n) of src to dst, copying strings into dst's heap. dst is flat
 * (src of any kind), or both are DICT over the same dictionary (indexes copied). */
lh_err lh_vec_append_range(lh_vec_t *dst, const lh_vec_t *src, size_t from, size_t n);

/* A single typed value (a literal, a statistic, a partition value). Strings point at
 * memory owned by whoever produced the value. */
typedef struct lh_value {
    lh_type_t type;
    bool is_null;
    union {
        int64_t i64;  /* BOOLEAN..LONG, DATE, TIMESTAMP*, DECIMAL<=18 */
        double f64;   /* FLOAT, DOUBLE */
        lh_i128 i128; /* DECIMAL > 18 */
        lh_sv_t str;  /* STRING, BINARY */
    } v;
} lh_value_t;

/* A STRING value over s (not copied), or a STRING null when s is NULL. */
lh_value_t lh_value_text(const char *s);

/* Compare two non-null values of the same type: <0, 0, >0 (strings bytewise unsigned). */
int lh_value_compare(const lh_value_t *a, const lh_value_t *b);
/* Row i of v (any kind) as a value; strings point into v's (or its dictionary's) memory. */
void lh_vec_get_value(const lh_vec_t *v, size_t i, lh_value_t *out);

/* A named column in a flat schema. */
typedef struct lh_field {
    char *name;
    lh_type_t type;
    bool nullable;
} lh_field_t;

typedef struct lh_schema {
    int field_count;
    lh_field_t *fields;
} lh_schema_t;

lh_schema_t *lh_schema_create(int field_count); /* names NULL; set with lh_schema_set */
lh_err lh_schema_set(lh_schema_t *s, int i, const char *name, lh_type_t type, bool nullable);
void lh_schema_destroy(lh_schema_t *s);
lh_schema_t *lh_schema_copy(const lh_schema_t *s);
/* Index of a column by case-insensitive name, or -1. */
int lh_schema_find(const lh_schema_t *s, const char *name);

/* A batch: one vector per schema field, all with row_count rows. Owns its vectors. */
typedef struct lh_batch {
    int col_count;
    lh_vec_t **cols;
    size_t row_count;
} lh_batch_t;

lh_batch_t *lh_batch_create(const lh_schema_t *schema, size_t capacity);
void lh_batch_destroy(lh_batch_t *b);
void lh_batch_reset(lh_batch_t *b);

#endif
