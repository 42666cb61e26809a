/*
 * csv_fn.c - from_csv(csv, schema[, options]), to_csv(struct[, options]) and
 * schema_of_csv(csv[, options]), as Spark's CsvToStructs, StructsToCsv and SchemaOfCsv do
 * them over one record (records, values and inference: csv_text.c).
 *
 * options   sep / delimiter, quote, escape (one character, CSVExprUtils forms), nullValue
 *           (""), emptyValue, mode (PERMISSIVE, FAILFAST; DROPMALFORMED is
 *           PARSE_MODE_UNSUPPORTED), dateFormat / timestampFormat / timestampNTZFormat,
 *           nanValue / positiveInf / negativeInf, columnNameOfCorruptRecord
 *           ("_corrupt_record"); for to_csv also quoteAll, escapeQuotes and
 *           ignoreLeadingWhiteSpace / ignoreTrailingWhiteSpace (true when writing). Other
 *           keys are accepted and ignored, as Spark does.
 * from_csv  the schema is a constant DDL string of a STRUCT of scalar fields (NON_STRUCT_TYPE,
 *           UNSUPPORTED_DATATYPE otherwise). The input is one record: line breaks are data.
 *           Field i of the schema takes token i; a token equal to nullValue is NULL; values
 *           convert as Spark's UnivocityParser does (intervals by their CAST rules, dates and
 *           timestamps by the pattern options when given). A record with another token count
 *           or a value that does not convert is malformed: PERMISSIVE keeps what converted
 *           (NULL for the rest) and puts the input into a STRING field named
 *           columnNameOfCorruptRecord when the schema has one; FAILFAST raises
 *           MALFORMED_RECORD_IN_PARSING. NULL input is NULL.
 * to_csv    a STRUCT to one record without a line break: NULL fields as nullValue (""), an
 *           empty string as emptyValue (""""), dates and timestamps by their patterns
 *           (yyyy-MM-dd, yyyy-MM-dd'T'HH:mm:ss[.SSS][XXX] in the session zone,
 *           yyyy-MM-dd'T'HH:mm:ss[.SSS] for NTZ), ANSI intervals in their literal form
 *           (INTERVAL '1' DAY), calendar intervals as "1 days", other scalars as CAST to
 *           STRING shows them, surrounding whitespace trimmed; a value holding the separator,
 *           the quote or a line break (or every value, with quoteAll) is quoted, its quotes
 *           escaped. Nested fields show as CAST to STRING shows them (Spark prints their Java
 *           object names there).
 * schema_of_csv  the constant record's fields as _c0, _c1, ... with the types CSVInferSchema
 *           gives them: "STRUCT<_c0: INT, _c1: STRING>".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/nested.h"
#include "compute/func/cast.h"
#include "compute/func/csv_text.h"
#include "compute/func/datetime.h"
#include "compute/func/fn.h"
#include "compute/func/format.h"
#include "compute/func/nested_fn.h"

typedef struct csv_bd {
    lh_type_t type; /* from_csv: the schema; to_csv: the input struct */
    char sep, quote, escape;
    const char *null_value, *empty_value;
    const char *nan_value, *pos_inf, *neg_inf;
    const char *corrupt_name;
    int corrupt; /* from_csv: the field that takes malformed input (-1: none) */
    bool failfast, quote_all, escape_quotes, trim_lead, trim_trail;
    lh_dtpat_t *date_fmt, *ts_fmt, *ntz_fmt;
} csv_bd;

static const char *arena_text(lh_func_bind_t *b, lh_sv_t v)
{
    return lh_arena_strndup(b->arena, (const char *)v.ptr, v.len);
}

static lh_err bad_option(lh_func_bind_t *b, const char *name, const char *why, lh_errbuf *eb)
{
    (void)b;
    return lh_err_set_code(eb, LH_E_INVALID, "INVALID_PARAMETER_VALUE", __FILE__, __LINE__,
                           "Invalid value for the option %s: %s", name, why);
}

static lh_err char_option(lh_func_bind_t *b, const char *name, lh_sv_t v, bool sep, char *out,
                          lh_errbuf *eb)
{
    switch (lh_csv_option_char((const char *)v.ptr, v.len, out)) {
    case LH_CSV_CHAR_OK:
        return LH_OK;
    case LH_CSV_CHAR_EMPTY:
        if (sep)
            return lh_sqlerr(eb, "INVALID_DELIMITER_VALUE.EMPTY_STRING", NULL);
        *out = '\0';
        return LH_OK;
    default:
        if (sep)
            return lh_sqlerr(eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                             lh_arena_sprintf(b->arena,
                                              "a delimiter of more than one character (%s)",
                                              arena_text(b, v)),
                             NULL);
        return bad_option(b, name, "it cannot be more than one character", eb);
    }
}

static lh_err bool_option(lh_func_bind_t *b, const char *name, lh_sv_t v, bool *out, lh_errbuf *eb)
{
    if (lh_fn_sv_is(v, "true") || lh_fn_sv_is(v, "false")) {
        *out = lh_fn_sv_is(v, "true");
        return LH_OK;
    }
    return bad_option(b, name, "it can be true or false", eb);
}

static void csv_defaults(csv_bd *bd, bool write)
{
    bd->sep = ',';
    bd->quote = '"';
    bd->escape = '\\';
    bd->null_value = "";
    bd->empty_value = write ? "\"\"" : "";
    bd->nan_value = "NaN";
    bd->pos_inf = "Inf";
    bd->neg_inf = "-Inf";
    bd->corrupt_name = "_corrupt_record";
    bd->corrupt = -1;
    bd->escape_quotes = true;
    bd->trim_lead = bd->trim_trail = write;
}

/* Defaults, then the options map at argument idx (when there is one). */
static lh_err bind_options(lh_func_bind_t *b, int idx, const char *fname, bool write, csv_bd *bd,
                           lh_errbuf *eb)
{
    csv_defaults(bd, write);
    if (idx >= b->arg_count)
        return LH_OK;
    lh_narray_t keys, vals;
    LH_TRY(lh_fn_options_open(b, idx, &keys, &vals, eb));
    for (uint32_t i = 0; i < keys.count; i++) {
        lh_value_t k, v;
        lh_narray_get(&keys, i, &k);
        lh_narray_get(&vals, i, &v);
        if (v.is_null)
            continue;
        lh_sv_t key = k.v.str, val = v.v.str;
        const char *name = arena_text(b, key);
        if (lh_fn_sv_is(key, "sep") || lh_fn_sv_is(key, "delimiter")) {
            LH_TRY(char_option(b, name, val, true, &bd->sep, eb));
        } else if (lh_fn_sv_is(key, "quote")) {
            LH_TRY(char_option(b, name, val, false, &bd->quote, eb));
        } else if (lh_fn_sv_is(key, "escape")) {
            LH_TRY(char_option(b, name, val, false, &bd->escape, eb));
        } else if (lh_fn_sv_is(key, "nullValue")) {
            bd->null_value = arena_text(b, val);
        } else if (lh_fn_sv_is(key, "emptyValue")) {
            bd->empty_value = arena_text(b, val);
        } else if (lh_fn_sv_is(key, "nanValue")) {
            bd->nan_value = arena_text(b, val);
        } else if (lh_fn_sv_is(key, "positiveInf")) {
            bd->pos_inf = arena_text(b, val);
        } else if (lh_fn_sv_is(key, "negativeInf")) {
            bd->neg_inf = arena_text(b, val);
        } else if (lh_fn_sv_is(key, "columnNameOfCorruptRecord")) {
            bd->corrupt_name = arena_text(b, val);
        } else if (lh_fn_sv_is(key, "mode") && !write) {
            bool permissive = lh_fn_sv_is(val, "PERMISSIVE");
            bd->failfast = lh_fn_sv_is(val, "FAILFAST");
            if (!permissive && !bd->failfast)
                return lh_sqlerr(eb, "PARSE_MODE_UNSUPPORTED", "funcName",
                                 lh_arena_sprintf(b->arena, "`%s`", fname), "mode",
                                 arena_text(b, val), NULL);
        } else if (lh_fn_sv_is(key, "quoteAll")) {
            LH_TRY(bool_option(b, name, val, &bd->quote_all, eb));
        } else if (lh_fn_sv_is(key, "escapeQuotes")) {
            LH_TRY(bool_option(b, name, val, &bd->escape_quotes, eb));
        } else if (lh_fn_sv_is(key, "ignoreLeadingWhiteSpace") && write) {
            LH_TRY(bool_option(b, name, val, &bd->trim_lead, eb));
        } else if (lh_fn_sv_is(key, "ignoreTrailingWhiteSpace") && write) {
            LH_TRY(bool_option(b, name, val, &bd->trim_trail, eb));
        } else if (lh_fn_sv_is(key, "dateFormat")) {
            LH_TRY(lh_fn_option_pattern(b, val, &bd->date_fmt, eb));
        } else if (lh_fn_sv_is(key, "timestampFormat")) {
            LH_TRY(lh_fn_option_pattern(b, val, &bd->ts_fmt, eb));
        } else if (lh_fn_sv_is(key, "timestampNTZFormat")) {
            LH_TRY(lh_fn_option_pattern(b, val, &bd->ntz_fmt, eb));
        }
    }
    return LH_OK;
}

/* ---- from_csv ---------------------------------------------------------------------------------
 */

static lh_err b_from_csv(lh_func_bind_t *b, lh_errbuf *eb)
{
    csv_bd *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    const char *shown;
    LH_TRY(lh_fn_text_and_schema(b, "from_csv", &bd->type, &shown, eb));
    char tbuf[512];
    if (bd->type.id != LH_TYPE_STRUCT)
        return lh_sqlerr(
            eb, "INVALID_SCHEMA.NON_STRUCT_TYPE", "inputSchema", shown, "dataType",
            lh_arena_sprintf(b->arena, "\"%s\"", fn_type_sql(bd->type, tbuf, sizeof tbuf)), NULL);
    const lh_ntype_t *d = bd->type.nested;
    for (int f = 0; f < d->field_count; f++)
        if (lh_type_is_nested(d->fields[f].type))
            return lh_sqlerr(eb, "UNSUPPORTED_DATATYPE", "typeName",
                             lh_arena_sprintf(b->arena, "\"%s\"",
                                              fn_type_sql(d->fields[f].type, tbuf, sizeof tbuf)),
                             NULL);
    LH_TRY(bind_options(b, 2, "from_csv", false, bd, eb));
    for (int f = 0; f < d->field_count; f++)
        if (strcmp(d->fields[f].name, bd->corrupt_name) == 0 &&
            d->fields[f].type.id == LH_TYPE_STRING)
            bd->corrupt = f;
    b->bind_data = bd;
    b->ret_type = bd->type;
    b->ret_nullable = true;
    return LH_OK;
}

typedef struct from_ctx {
    const csv_bd *bd;
    const lh_sql_conf_t *conf;
    const lh_tz_t *tz;
    lh_csv_fmt_t fmt;
    lh_csv_rec_t rec;
    lh_vec_t **scratch; /* one single-value vector a field */
    lh_value_t *vals;
    lh_nbuf_t out;
} from_ctx;

static bool text_is(const char *s, size_t n, const char *t)
{
    return n == strlen(t) && memcmp(s, t, n) == 0;
}

/* Field f's text into ctx->vals[f] (through its scratch vector); false: it does not convert. */
static bool convert(from_ctx *c, int f, const char *s, size_t n, lh_errbuf *eb, lh_err *err)
{
    const csv_bd *bd = c->bd;
    lh_type_t t = bd->type.nested->fields[f].type;
    lh_vec_t *v = c->scratch[f];
    lh_vec_reset(v);
    bool ok;
    switch (t.id) {
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE: {
        double x = 0;
        ok = true;
        if (text_is(s, n, bd->nan_value))
            x = NAN;
        else if (text_is(s, n, bd->pos_inf))
            x = INFINITY;
        else if (text_is(s, n, bd->neg_inf))
            x = -INFINITY;
        else
            ok = lh_csv_append_text(v, t, s, n, c->tz);
        if (ok && v->count == 0)
            ok = lh_vec_append_f64(v, x) == LH_OK;
        break;
    }
    case LH_TYPE_DATE:
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ: {
        const lh_dtpat_t *p = t.id == LH_TYPE_DATE        ? bd->date_fmt
                              : t.id == LH_TYPE_TIMESTAMP ? bd->ts_fmt
                                                          : bd->ntz_fmt;
        int64_t x;
        ok = lh_fn_parse_datetime(c->conf, p, t, (lh_sv_t){(const uint8_t *)s, (uint32_t)n}, &x) &&
             lh_vec_append_i64(v, x) == LH_OK;
        break;
    }
    case LH_TYPE_INTERVAL_YM:
    case LH_TYPE_INTERVAL_DT:
    case LH_TYPE_INTERVAL_CAL: {
        lh_value_t in = {.type = {LH_TYPE_STRING}, .v.str = {(const uint8_t *)s, (uint32_t)n}};
        lh_errbuf ignored;
        ok = lh_cast_row(&in, v, 0, c->conf, true, &ignored) == LH_OK;
        if (ok) {
            v->count = 1;
            ok = lh_vec_is_valid(v, 0);
        }
        break;
    }
    default:
        ok = lh_csv_append_text(v, t, s, n, c->tz);
        break;
    }
    if (!ok && v->count == 0 && lh_vec_append_null(v) != LH_OK)
        *err = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "from_csv: out of memory");
    lh_vec_get_value(v, 0, &c->vals[f]);
    return ok;
}

static lh_err from_row(from_ctx *c, lh_sv_t text, lh_vec_t *out, size_t i, lh_errbuf *eb)
{
    const csv_bd *bd = c->bd;
    const lh_ntype_t *d = bd->type.nested;
    const char *base = (const char *)text.ptr;
    const char *p = lh_csv_next_record(&c->fmt, base, base, base + text.len, &c->rec);
    LH_FAIL_IF(p == NULL && c->rec.count < 0, LH_E_NOMEM, eb, "from_csv: out of memory");
    int tokens = p == NULL ? -1 : c->rec.count, want = d->field_count - (bd->corrupt >= 0);
    bool bad = tokens != want || c->rec.bad;
    lh_err err = LH_OK;
    for (int f = 0, k = 0; f < d->field_count && err == LH_OK; f++) {
        c->vals[f] = (lh_value_t){.type = d->fields[f].type, .is_null = true};
        if (f == bd->corrupt)
            continue;
        int tok = k++;
        const char *s;
        size_t n;
        if (tok >= tokens || lh_csv_fld_value(&c->rec, base, &c->rec.f[tok], bd->null_value,
                                              bd->empty_value, &s, &n))
            continue;
        if (!convert(c, f, s, n, eb, &err))
            bad = true;
    }
    LH_TRY(err);
    if (bad && bd->failfast) {
        char rec[256];
        snprintf(rec, sizeof rec, "%.*s", (int)(text.len < 200 ? text.len : 200), base);
        return lh_sqlerr(eb, "MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION", "badRecord", rec,
                         "failFastMode", "FAILFAST", NULL);
    }
    if (bad && bd->corrupt >= 0) {
        c->vals[bd->corrupt].is_null = false;
        c->vals[bd->corrupt].v.str = text;
    }
    c->out.len = 0;
    LH_FAIL_IF(lh_nested_put_struct(&c->out, bd->type, c->vals) != LH_OK, LH_E_NOMEM, eb,
               "from_csv: out of memory");
    return fn_put_str(out, i, c->out.bytes, c->out.len);
}

static void from_ctx_free(from_ctx *c)
{
    int n = c->bd->type.nested->field_count;
    for (int f = 0; c->scratch && f < n; f++)
        lh_vec_destroy(c->scratch[f]);
    free(c->scratch);
    free(c->vals);
    lh_csv_rec_free(&c->rec);
    lh_nbuf_free(&c->out);
}

static lh_err from_ctx_init(from_ctx *c, const csv_bd *bd, const lh_sql_conf_t *conf, lh_errbuf *eb)
{
    const lh_ntype_t *d = bd->type.nested;
    *c = (from_ctx){.bd = bd, .conf = conf, .tz = fn_tz(conf)};
    lh_csv_fmt_init(&c->fmt, bd->sep, bd->quote, bd->escape, '\0', false);
    c->scratch = calloc((size_t)d->field_count + 1, sizeof *c->scratch);
    c->vals = calloc((size_t)d->field_count + 1, sizeof *c->vals);
    bool ok = c->scratch && c->vals;
    for (int f = 0; f < d->field_count && ok; f++)
        ok = (c->scratch[f] = lh_vec_create(d->fields[f].type, 1)) != NULL;
    if (ok)
        return LH_OK;
    from_ctx_free(c);
    return lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "from_csv: out of memory");
}

static lh_err x_from_csv(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    from_ctx c;
    LH_TRY(from_ctx_init(&c, x->bind_data, x->conf, eb));
    lh_err e = LH_OK;
    for (size_t i = 0; i < x->rows && e == LH_OK; i++)
        e = x->args[0]->type.id == LH_TYPE_NULL || fn_null(x->args[0], i)
                ? fn_put_null(x->out, i)
                : from_row(&c, fn_str(x->args[0], i), x->out, i, eb);
    from_ctx_free(&c);
    return e;
}

lh_err lh_from_csv_value(const char *text, size_t len, const char *schema, size_t schema_len,
                         lh_vec_t **out, lh_errbuf *eb)
{
    *out = NULL;
    csv_bd bd;
    csv_defaults(&bd, false);
    LH_TRY(lh_type_parse_text(schema, schema_len, &bd.type, eb));
    LH_FAIL_IF(bd.type.id != LH_TYPE_STRUCT, LH_E_INVALID, eb, "from_csv: not a struct schema");
    for (int f = 0; f < bd.type.nested->field_count; f++)
        LH_FAIL_IF(lh_type_is_nested(bd.type.nested->fields[f].type), LH_E_INVALID, eb,
                   "from_csv: a nested field");
    lh_sql_conf_t conf = {.time_zone = "UTC", .ansi = true};
    from_ctx c;
    LH_TRY(from_ctx_init(&c, &bd, &conf, eb));
    lh_vec_t *v = lh_vec_create(bd.type, 1);
    lh_err e = v ? LH_OK : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK) {
        v->count = 1;
        e = from_row(&c, (lh_sv_t){(const uint8_t *)text, (uint32_t)len}, v, 0, eb);
    }
    from_ctx_free(&c);
    if (e != LH_OK) {
        lh_vec_destroy(v);
        return e;
    }
    *out = v;
    return LH_OK;
}

/* ---- to_csv ------------------------------------------------------------------------------------
 */

static lh_err b_to_csv(lh_func_bind_t *b, lh_errbuf *eb)
{
    if (b->arg_types[0].id != LH_TYPE_STRUCT)
        return fn_bad_input(b, eb, "to_csv", 0, "\"STRUCT\"");
    csv_bd *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    bd->type = b->arg_types[0];
    LH_TRY(bind_options(b, 1, "to_csv", true, bd, eb));
    if (bd->ts_fmt == NULL)
        LH_TRY(lh_fn_option_pattern(
            b, (lh_sv_t){(const uint8_t *)"yyyy-MM-dd'T'HH:mm:ss[.SSS][XXX]", 32}, &bd->ts_fmt,
            eb));
    if (bd->ntz_fmt == NULL)
        LH_TRY(lh_fn_option_pattern(
            b, (lh_sv_t){(const uint8_t *)"yyyy-MM-dd'T'HH:mm:ss[.SSS]", 27}, &bd->ntz_fmt, eb));
    b->bind_data = bd;
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = true;
    return LH_OK;
}

/* The text of one non-null field value (*out: buf or the value's own bytes). */
static size_t field_text(const csv_bd *bd, const lh_value_t *v, const lh_tz_t *tz, char *buf,
                         const char **out)
{
    *out = buf;
    switch (v->type.id) {
    case LH_TYPE_DATE:
        if (bd->date_fmt)
            return lh_dtpat_format(bd->date_fmt, v->v.i64 * LH_US_PER_DAY, 0, "UTC", buf,
                                   LH_FMT_MAX);
        return lh_dt_format_date((int32_t)v->v.i64, buf, LH_FMT_MAX);
    case LH_TYPE_TIMESTAMP: {
        int64_t local = lh_dt_utc_to_local(tz, v->v.i64);
        return lh_dtpat_format(bd->ts_fmt, local, (int32_t)((local - v->v.i64) / LH_US_PER_SEC),
                               lh_tz_name(tz), buf, LH_FMT_MAX);
    }
    case LH_TYPE_TIMESTAMP_NTZ:
        return lh_dtpat_format(bd->ntz_fmt, v->v.i64, 0, "UTC", buf, LH_FMT_MAX);
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT:
        return lh_format_nested(v, tz, LH_FMT_CAST, out);
    default:
        return lh_format_value(v, tz, LH_FMT_CAST, buf, out);
    }
}

/* Append one field (text s, n) as univocity's CsvWriter writes it with Spark's settings. */
static lh_err put_field(lh_nbuf_t *o, const csv_bd *bd, const char *s, size_t n)
{
    if (bd->trim_lead)
        while (n > 0 && (unsigned char)s[0] <= ' ')
            s++, n--;
    if (bd->trim_trail)
        while (n > 0 && (unsigned char)s[n - 1] <= ' ')
            n--;
    if (n == 0)
        return lh_nbuf_put(o, bd->empty_value, strlen(bd->empty_value));
    bool quote = bd->quote != '\0' && bd->quote_all;
    bool has_quote = false;
    for (size_t i = 0; i < n && bd->quote != '\0'; i++) {
        char ch = s[i];
        has_quote |= ch == bd->quote;
        quote |=
            ch == bd->sep || ch == '\n' || ch == '\r' || (ch == bd->quote && bd->escape_quotes);
    }
    if (!quote)
        return lh_nbuf_put(o, s, n);
    lh_err e = lh_nbuf_put(o, &bd->quote, 1);
    if (!has_quote)
        e = e == LH_OK ? lh_nbuf_put(o, s, n) : e;
    for (size_t i = 0; has_quote && i < n && e == LH_OK; i++) {
        if (s[i] == bd->quote)
            e = lh_nbuf_put(o, bd->escape ? &bd->escape : &bd->quote, 1);
        if (e == LH_OK)
            e = lh_nbuf_put(o, s + i, 1);
    }
    return e == LH_OK ? lh_nbuf_put(o, &bd->quote, 1) : e;
}

static lh_err x_to_csv(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    const csv_bd *bd = x->bind_data;
    const lh_tz_t *tz = fn_tz(x->conf);
    const lh_ntype_t *d = bd->type.nested;
    lh_nbuf_t nb = {0};
    lh_err e = LH_OK;
    for (size_t i = 0; i < x->rows && e == LH_OK; i++) {
        if (fn_null(x->args[0], i)) {
            e = fn_put_null(x->out, i);
            continue;
        }
        lh_sv_t row = fn_str(x->args[0], i);
        nb.len = 0;
        for (int f = 0; f < d->field_count && e == LH_OK; f++) {
            if (f > 0)
                e = lh_nbuf_put(&nb, &bd->sep, 1);
            lh_value_t v;
            lh_nstruct_get(bd->type, row, f, &v);
            if (e != LH_OK || v.is_null) {
                if (e == LH_OK)
                    e = lh_nbuf_put(&nb, bd->null_value, strlen(bd->null_value));
                continue;
            }
            char buf[LH_FMT_MAX];
            const char *s;
            size_t n = field_text(bd, &v, tz, buf, &s);
            e = put_field(&nb, bd, s, n);
        }
        if (e == LH_OK)
            e = fn_put_str(x->out, i, nb.bytes, nb.len);
    }
    lh_nbuf_free(&nb);
    if (e == LH_E_NOMEM)
        lh_err_set(eb, e, __FILE__, __LINE__, "to_csv: out of memory");
    return e;
}

/* ---- schema_of_csv -----------------------------------------------------------------------------
 */

lh_err lh_schema_of_csv(const char *text, size_t len, char sep, char quote, char escape,
                        const char *null_value, char **out, lh_errbuf *eb)
{
    *out = NULL;
    lh_csv_fmt_t fmt;
    lh_csv_fmt_init(&fmt, sep, quote, escape, '\0', false);
    lh_csv_rec_t rec = {0};
    const char *p = lh_csv_next_record(&fmt, text, text, text + len, &rec);
    int n = p == NULL ? (rec.count < 0 ? -1 : 0) : rec.count;
    char **names = n > 0 ? calloc((size_t)n, sizeof *names) : NULL;
    lh_type_t *types = n > 0 ? calloc((size_t)n, sizeof *types) : NULL;
    bool ok = n >= 0 && (n == 0 || (names && types));
    const lh_tz_t *utc = lh_tz_get("UTC");
    for (int i = 0; ok && i < n; i++) {
        const char *s;
        size_t sn;
        names[i] = malloc(16);
        ok = names[i] != NULL;
        if (ok)
            snprintf(names[i], 16, "_c%d", i);
        bool null = lh_csv_fld_value(&rec, text, &rec.f[i], null_value, "", &s, &sn) || sn == 0;
        types[i] = null ? (lh_type_t){LH_TYPE_STRING} : lh_csv_infer_text(s, sn, utc);
    }
    lh_csv_rec_free(&rec);
    lh_err e = ok ? LH_OK : LH_E_NOMEM;
    if (ok) {
        lh_type_t st = lh_type_struct(n, (const char *const *)names, types);
        for (size_t cap = 256; e == LH_OK; cap *= 4) {
            char *buf = malloc(cap);
            if (buf == NULL) {
                e = LH_E_NOMEM;
            } else if (strlen(lh_format_type_sql(st, buf, cap)) + 1 < cap) {
                *out = buf;
                break;
            } else {
                free(buf);
            }
        }
    }
    for (int i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
    free(types);
    LH_FAIL_IF(e != LH_OK, e, eb, "schema_of_csv: out of memory");
    return LH_OK;
}

static lh_err b_schema_of_csv(lh_func_bind_t *b, lh_errbuf *eb)
{
    const lh_value_t *v = NULL;
    LH_TRY(lh_fn_const_text(b, "schema_of_csv", "csv", &v, eb));
    csv_bd bd = {0};
    LH_TRY(bind_options(b, 1, "schema_of_csv", false, &bd, eb));
    char *text;
    LH_TRY(lh_schema_of_csv((const char *)v->v.str.ptr, v->v.str.len, bd.sep, bd.quote, bd.escape,
                            bd.null_value, &text, eb));
    return lh_fn_bound_string(b, text);
}

const lh_func_t lh_fn_csv[] = {
    {"from_csv", LH_FUNC_SCALAR, 2, 3, b_from_csv, x_from_csv, true},
    {"schema_of_csv", LH_FUNC_SCALAR, 1, 2, b_schema_of_csv, lh_fn_exec_bound_string, true},
    {"to_csv", LH_FUNC_SCALAR, 1, 2, b_to_csv, x_to_csv, true},
};
FN_COUNT(lh_fn_csv);
