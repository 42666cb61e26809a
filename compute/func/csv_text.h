/*
 * csv_text.h - CSV text, shared by the CSV file reader (compute/files/csv.c) and the
 * functions from_csv, to_csv and schema_of_csv (csv_fn.c):
 *
 *   records   RFC 4180 with Spark's options: fields separated by `sep`, records by \n, \r\n
 *             or \r (or, for one-line input, line breaks are data); a field starting with
 *             `quote` runs to the closing quote and may hold separators and line breaks;
 *             inside it a doubled quote and `escape` before a quote or an escape stand for
 *             that character. Text after a closing quote is kept (univocity is lenient).
 *   values    Spark's CSV conversions (UnivocityParser): integers of their type's range
 *             ([+-]digits), DOUBLE/FLOAT (also NaN, Inf, -Inf, Infinity), BOOLEAN
 *             (true/false, any case), DATE and TIMESTAMP in Spark's CAST forms, DECIMAL
 *             within its precision, STRING and BINARY as they are.
 *   inference Spark's CSVInferSchema: INT, BIGINT, DECIMAL(p,0) (integers wider than
 *             BIGINT, up to 38 digits), DOUBLE, DATE (yyyy-MM-dd), TIMESTAMP (a date, 'T' or
 *             ' ', a time, an optional zone), BOOLEAN, else STRING; a column's type is the
 *             merge of its values' types (numbers widen, DATE and TIMESTAMP give TIMESTAMP,
 *             anything else mixed gives STRING).
 */
#ifndef LH_COMPUTE_FUNC_CSV_TEXT_H
#define LH_COMPUTE_FUNC_CSV_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/vec.h"
#include "compute/func/tz.h"

typedef struct lh_csv_fmt {
    char sep, quote, escape, comment; /* quote, comment '\0': none */
    bool lines;                       /* line breaks end records (else they are data) */
    bool stop[256];                   /* bytes ending an unquoted field */
} lh_csv_fmt_t;

typedef struct lh_csv_fld {
    size_t off, n;
    bool scratch; /* the text is in the record's scratch (unescaped), else in the input */
    bool quoted;
} lh_csv_fld_t;

/* One record's fields; reused from record to record, freed with lh_csv_rec_free. */
typedef struct lh_csv_rec {
    lh_csv_fld_t *f;
    int count, cap;
    char *scratch;
    size_t sc_len, sc_cap;
    bool bad; /* an unterminated quote */
} lh_csv_rec_t;

/* A one-character option (sep, quote, escape, comment) as Spark's CSVExprUtils.toChar takes
 * it: one character, \t \n \r \\ \" \' \b, or \u00XX (ASCII). */
typedef enum { LH_CSV_CHAR_OK, LH_CSV_CHAR_EMPTY, LH_CSV_CHAR_LONG } lh_csv_char_res;
lh_csv_char_res lh_csv_option_char(const char *v, size_t n, char *out);

void lh_csv_fmt_init(lh_csv_fmt_t *c, char sep, char quote, char escape, char comment, bool lines);
/* The record at p (after skipping empty lines, when lines, and comment lines) into r.
 * Returns the position after it, or NULL when there is none (or on out of memory:
 * r->count < 0). base: the start of the input (field offsets are relative to it). */
const char *lh_csv_next_record(const lh_csv_fmt_t *c, const char *base, const char *p,
                               const char *end, lh_csv_rec_t *r);
void lh_csv_rec_free(lh_csv_rec_t *r);

static inline const char *lh_csv_fld_text(const lh_csv_rec_t *r, const char *base,
                                          const lh_csv_fld_t *f)
{
    return f->scratch ? r->scratch + f->off : base + f->off;
}

/* Whether the field reads as NULL (its text equals null_value; a quoted empty field reads
 * as empty_value first); *s, *n get its text otherwise. */
bool lh_csv_fld_value(const lh_csv_rec_t *r, const char *base, const lh_csv_fld_t *f,
                      const char *null_value, const char *empty_value, const char **s, size_t *n);

/* Convert text to a value of type t appended to v (NULL-free text; STRING copies as is).
 * false when the text does not convert (nothing appended). */
bool lh_csv_append_text(lh_vec_t *v, lh_type_t t, const char *s, size_t n, const lh_tz_t *tz);
/* The narrowest CSV type for a text, and the merge of two inferred types. */
lh_type_t lh_csv_infer_text(const char *s, size_t n, const lh_tz_t *tz);
lh_type_t lh_csv_merge_types(lh_type_t a, lh_type_t b);

#endif
