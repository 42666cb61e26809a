/*
 * nested.h - ARRAY, MAP and STRUCT: the interned type descriptors and the binary format of
 * their values.
 *
 * Types. An lh_type_t of id ARRAY/MAP/STRUCT points at an lh_ntype_t: immutable, interned
 * (one descriptor per distinct type, kept for the life of the process, created under a
 * lock), so lh_type_t stays a small value and two nested types are equal exactly when their
 * descriptor pointers are. Element, key, value and field types are themselves lh_type_t (so
 * they nest). Every element, value and field may be null (Spark's containsNull /
 * valueContainsNull / nullable are always true here; map keys are never null).
 *
 * Values. A vector of a nested type is a flat vector of lh_sv_t, like BINARY: each row's
 * value is serialized in the vector's heap (the shape of Spark's UnsafeArrayData and
 * UnsafeRow), so gather, copy, spill and hash code treat it as bytes and batches stay
 * flat. The format (little endian, no alignment: readers memcpy):
 *
 *   ARRAY<T>   u32 count | null bits, (count+7)/8 bytes (bit i set = element i is NULL) |
 *              fixed-width T: count slots of lh_type_width(T) bytes (null slots zeroed);
 *              variable T (STRING, BINARY, nested): count u32 end offsets into the bytes
 *              that follow them, then those bytes (element i = [end[i-1], end[i]))
 *   MAP<K,V>   u32 byte length of the keys array | ARRAY<K> of the keys | ARRAY<V> of the
 *              values (same count; entries in insertion order, keys unique)
 *   STRUCT<..> null bits, (field_count+7)/8 bytes | per field: fixed width: its slot;
 *              variable: u32 length, then the bytes
 *
 * The encoding is canonical (null slots zeroed), so equal values have equal bytes: GROUP BY,
 * DISTINCT and join keys hash and compare the bytes. Ordering (ORDER BY, min/max,
 * sort_array) decodes: arrays element-wise then by length, structs field-wise, NULL
 * elements first (Spark's ordering). Values produced by this module are trusted; bytes
 * from outside (files, fuzzers) go through lh_nested_validate first.
 */
#ifndef LH_COMMON_NESTED_H
#define LH_COMMON_NESTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/vec.h"

typedef struct lh_nfield {
    const char *name; /* case as written */
    lh_type_t type;
} lh_nfield_t;

typedef struct lh_ntype {
    lh_type_id id;   /* LH_TYPE_ARRAY, LH_TYPE_MAP or LH_TYPE_STRUCT */
    lh_type_t elem;  /* ARRAY element, MAP key */
    lh_type_t value; /* MAP value */
    int field_count; /* STRUCT */
    const lh_nfield_t *fields;
} lh_ntype_t;

/* Interned constructors (thread-safe; abort on out of memory, like the arena). */
lh_type_t lh_type_array(lh_type_t elem);
lh_type_t lh_type_map(lh_type_t key, lh_type_t value);
/* names are copied; field names must be distinct for a meaningful type (not checked). */
lh_type_t lh_type_struct(int field_count, const char *const *names, const lh_type_t *types);
/* The field index of name (case-insensitive) in a STRUCT type, or -1. */
int lh_type_field(lh_type_t t, const char *name);

/* Spark's catalog string: array<int>, map<string,bigint>, struct<a:int,b:string>. */
const char *lh_type_catalog_string(lh_type_t t, char *buf, size_t cap);
/* Spark's SQL string as errors and the Statement Execution API show it: ARRAY<INT>,
 * MAP<STRING, BIGINT>, STRUCT<a: INT, `b c`: STRING> (field names back-quoted when they are
 * not plain identifiers). Scalar parts come from scalar_sql. */
const char *lh_type_sql_string(lh_type_t t, const char *(*scalar_sql)(lh_type_t, char *, size_t),
                               char *buf, size_t cap);

/* Spark's type text (common/type_text.c): a DDL field list "a INT, b ARRAY<STRING> NOT NULL
 * COMMENT 'c'" (a STRUCT of those fields; NOT NULL and comments are not kept) or one type in
 * SQL or catalog spelling ("MAP<STRING, INT>", "struct<a:int,b:string>", "decimal(10,2)",
 * "bigint", "INTERVAL DAY TO SECOND"), case-insensitive, `back-quoted` names. LH_E_INVALID
 * with the position for a
 * syntax error or a repeated field name (names differing in case are distinct, as JSON keys
 * are), LH_E_UNSUPPORTED for an unknown type name or
 * nesting beyond LH_TYPE_NESTING_MAX. Thread-safe. */
lh_err lh_type_parse_text(const char *text, size_t len, lh_type_t *out, lh_errbuf *eb);

/* ---- writing ----------------------------------------------------------------------------- */

/* A growable byte buffer (malloc'd; lh_nbuf_free releases it). */
typedef struct lh_nbuf {
    uint8_t *bytes;
    size_t len, cap;
} lh_nbuf_t;
void lh_nbuf_free(lh_nbuf_t *b);
lh_err lh_nbuf_put(lh_nbuf_t *b, const void *bytes, size_t n);

/* Append the encoding of an array of n values of type elem (vals[i].is_null marks nulls;
 * each non-null value must have type elem: callers cast first). LH_E_NOMEM/TOO_LARGE. */
lh_err lh_nested_put_array(lh_nbuf_t *b, lh_type_t elem, const lh_value_t *vals, size_t n);
lh_err lh_nested_put_map(lh_nbuf_t *b, lh_type_t map, const lh_value_t *keys,
                         const lh_value_t *vals, size_t n);
/* vals: one per field of the STRUCT type st. */
lh_err lh_nested_put_struct(lh_nbuf_t *b, lh_type_t st, const lh_value_t *vals);

/* ---- reading (trusted bytes) -------------------------------------------------------------- */

typedef struct lh_narray {
    lh_type_t elem;
    uint32_t count;
    const uint8_t *nulls;
    const uint8_t *slots; /* fixed: values; variable: end offsets */
    const uint8_t *heap;  /* variable: the bytes */
    size_t width;         /* fixed width, 0 for variable */
    size_t size;          /* bytes of the whole array */
} lh_narray_t;

void lh_narray_open(lh_type_t elem, lh_sv_t bytes, lh_narray_t *out);
bool lh_narray_is_null(const lh_narray_t *a, uint32_t i);
/* Element i as a value (is_null set; strings point into the array's bytes). */
void lh_narray_get(const lh_narray_t *a, uint32_t i, lh_value_t *out);
/* The keys and values arrays of a MAP value. */
void lh_nmap_open(lh_type_t map, lh_sv_t bytes, lh_narray_t *keys, lh_narray_t *vals);
/* Field i of a STRUCT value. */
void lh_nstruct_get(lh_type_t st, lh_sv_t bytes, int field, lh_value_t *out);

/* Whether values of t have an order (Spark's RowOrdering.isOrderable): not a calendar
 * interval, nor an array, map or struct holding one. */
bool lh_type_orderable(lh_type_t t);

/* Whether bytes are a well-formed value of type t (for untrusted input). */
bool lh_nested_validate(lh_type_t t, lh_sv_t bytes);

/* Spark's ordering of two non-null values of the nested type t. */
int lh_nested_compare(lh_type_t t, lh_sv_t a, lh_sv_t b);
/* Two non-null values of the same (any) type in Spark's ordering: NaN greatest, -0.0 ==
 * 0.0, strings bytewise, nested as lh_nested_compare. */
int lh_nested_value_cmp(const lh_value_t *a, const lh_value_t *b);

#endif
