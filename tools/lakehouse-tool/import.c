/*
 * import.c - `import SRC DELTA_DIR`: load CSV, JSON lines or Parquet into a Delta table
 * (created when absent) with lh_delta_append / lh_delta_overwrite.
 *
 * Formats by extension (.csv, .json/.jsonl/.ndjson, .parquet), else sniffed ("PAR1", '{').
 *   CSV: RFC 4180 (a header row; fields separated by ',', optionally quoted with '"', '""'
 *        inside quotes is a quote, quoted fields may span lines; CRLF or LF). An empty field
 *        is null.
 *   JSON lines: one object per line; keys become columns in first-seen order. When some
 *        value is an array or an object, ARRAY and STRUCT columns are inferred over every
 *        value and written through the nested path (import_json.c), or the import is
 *        refused naming a column whose values have no single type.
 * Both are read whole into text cells, then each column's type is inferred over every
 * value: boolean, long, double, date (YYYY-MM-DD), timestamp (YYYY-MM-DD[T ]HH:MM:SS[.f]
 * [Z|+HH:MM]) or string; JSON keeps its own kinds (numbers stay numbers, strings stay
 * strings unless every one is a date or timestamp). When the table exists, columns it
 * already has take the table's type instead, and the text is converted to it.
 *   Parquet: flat files are streamed as they are; a file with LIST, MAP or STRUCT columns
 *        is copied leaf by leaf with its nested types (import_nested.c), or refused naming
 *        the column whose shape cannot be carried. No column is ever dropped.
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "tools/lakehouse-tool/tool.h"

typedef struct table_text {
    int ncols;
    char **names;
    size_t nrows, cap_rows;
    char **cells; /* row-major, NULL = null */
    lh_type_t *types;
    size_t next_row; /* streaming */
    lh_schema_t *schema;
    lh_batch_t *batch;
} table_text_t;

static void table_free(table_text_t *tt)
{
    for (size_t i = 0; i < tt->nrows * (size_t)tt->ncols; i++)
        free(tt->cells[i]);
    for (int c = 0; c < tt->ncols; c++)
        free(tt->names[c]);
    free(tt->cells);
    free(tt->names);
    free(tt->types);
    lh_schema_destroy(tt->schema);
    lh_batch_destroy(tt->batch);
}

static lh_err add_row(table_text_t *tt, char **row, lh_errbuf *eb)
{
    if (tt->nrows == tt->cap_rows) {
        size_t cap = tt->cap_rows ? tt->cap_rows * 2 : 1024;
        char **nc = realloc(tt->cells, cap * (size_t)tt->ncols * sizeof *nc);
        LH_FAIL_IF(nc == NULL, LH_E_NOMEM, eb, "out of memory");
        tt->cells = nc;
        tt->cap_rows = cap;
    }
    memcpy(&tt->cells[tt->nrows++ * (size_t)tt->ncols], row, (size_t)tt->ncols * sizeof *row);
    return LH_OK;
}

/* ---- text parsing ------------------------------------------------------------------------- */

static bool parse_bool(const char *s, bool *out)
{
    if (strcasecmp(s, "true") == 0 || strcasecmp(s, "false") == 0) {
        *out = tolower((unsigned char)s[0]) == 't';
        return true;
    }
    return false;
}

static bool parse_long(const char *s, int64_t *out)
{
    const char *p = s + (*s == '-' || *s == '+');
    if (!isdigit((unsigned char)*p))
        return false;
    for (const char *q = p; *q; q++)
        if (!isdigit((unsigned char)*q))
            return false;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    *out = v;
    return errno == 0;
}

static bool parse_double(const char *s, double *out)
{
    const char *p = s + (*s == '-' || *s == '+');
    bool digits = false;
    while (isdigit((unsigned char)*p))
        p++, digits = true;
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++)
            digits = true;
    if (digits && (*p == 'e' || *p == 'E')) {
        p++;
        p += *p == '-' || *p == '+';
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (!digits || *p != '\0')
        return false;
    *out = strtod(s, NULL);
    return true;
}

static bool digits_at(const char *s, int n, int *out)
{
    *out = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        *out = *out * 10 + (s[i] - '0');
    }
    return true;
}

static bool parse_date_prefix(const char *s, int64_t *days)
{
    int y, m, d;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!digits_at(s, 4, &y) || s[4] != '-' || !digits_at(s + 5, 2, &m) || s[7] != '-' ||
        !digits_at(s + 8, 2, &d) || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    *days = lh_days_from_civil(y, (unsigned)m, (unsigned)d);
    return true;
}

static bool parse_date(const char *s, int64_t *days)
{
    return strlen(s) == 10 && parse_date_prefix(s, days);
}

/* YYYY-MM-DD[T ]HH:MM:SS[.f{1,9}][Z|+HH:MM|-HH:MM|+HHMM]; no zone = UTC. */
static bool parse_timestamp(const char *s, int64_t *micros)
{
    int64_t days;
    int h, mi, sec;
    if (strlen(s) < 19 || !parse_date_prefix(s, &days) || (s[10] != 'T' && s[10] != ' ') ||
        !digits_at(s + 11, 2, &h) || s[13] != ':' || !digits_at(s + 14, 2, &mi) || s[16] != ':' ||
        !digits_at(s + 17, 2, &sec) || h > 23 || mi > 59 || sec > 60)
        return false;
    const char *p = s + 19;
    int64_t frac = 0;
    if (*p == '.') {
        int n = 0;
        for (p++; isdigit((unsigned char)*p); p++, n++)
            if (n < 6)
                frac = frac * 10 + (*p - '0');
        if (n == 0 || n > 9)
            return false;
        for (; n < 6; n++)
            frac *= 10;
    }
    int64_t offset_s = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        int sign = *p == '-' ? -1 : 1;
        if (!digits_at(p + 1, 2, &oh))
            return false;
        p += 3;
        p += *p == ':';
        if (!digits_at(p, 2, &om))
            return false;
        p += 2;
        offset_s = sign * (oh * 3600 + om * 60);
    }
    if (*p != '\0')
        return false;
    *micros = ((days * 86400 + h * 3600 + mi * 60 + sec) - offset_s) * 1000000 + frac;
    return true;
}

/* Decimal text into an unscaled value of scale digits; false on syntax / too many digits. */
static bool parse_decimal(const char *s, int scale, lh_i128 *out)
{
    bool neg = *s == '-';
    const char *p = s + (*s == '-' || *s == '+');
    lh_i128 v = 0;
    int frac = -1, digits = 0;
    for (; *p; p++) {
        if (*p == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (!isdigit((unsigned char)*p) || ++digits > 38)
            return false;
        if (frac >= 0 && frac == scale)
            continue; /* truncate extra fraction digits */
        v = v * 10 + (*p - '0');
        if (frac >= 0)
            frac++;
    }
    if (digits == 0)
        return false;
    for (int f = frac < 0 ? 0 : frac; f < scale; f++)
        v *= 10;
    *out = neg ? -v : v;
    return true;
}

/* Append text s converted to v's type; false when it does not parse. */
static bool append_text(lh_vec_t *v, const char *s)
{
    if (s == NULL)
        return lh_vec_append_null(v) == LH_OK;
    int64_t i;
    double d;
    bool b;
    lh_i128 dec;
    switch (v->type.id) {
    case LH_TYPE_BOOLEAN:
        return parse_bool(s, &b) && lh_vec_append_bool(v, b) == LH_OK;
    case LH_TYPE_BYTE:
    case LH_TYPE_SHORT:
    case LH_TYPE_INT:
    case LH_TYPE_LONG: {
        static const int64_t lim[] = {INT8_MAX, INT16_MAX, INT32_MAX, INT64_MAX};
        int64_t max = lim[v->type.id - LH_TYPE_BYTE];
        return parse_long(s, &i) && i <= max && i >= -max - 1 && lh_vec_append_i64(v, i) == LH_OK;
    }
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        if (strcmp(s, "NaN") == 0 || strcmp(s, "Infinity") == 0 || strcmp(s, "-Infinity") == 0)
            return lh_vec_append_f64(v, strtod(s, NULL)) == LH_OK;
        return parse_double(s, &d) && lh_vec_append_f64(v, d) == LH_OK;
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
        return lh_vec_append_str(v, s, strlen(s)) == LH_OK;
    case LH_TYPE_DATE:
        return parse_date(s, &i) && lh_vec_append_i64(v, i) == LH_OK;
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
        return parse_timestamp(s, &i) && lh_vec_append_i64(v, i) == LH_OK;
    case LH_TYPE_DECIMAL:
        if (!parse_decimal(s, v->type.scale, &dec))
            return false;
        return v->type.precision > 18 ? lh_vec_append_i128(v, dec) == LH_OK
                                      : lh_vec_append_i64(v, (int64_t)dec) == LH_OK;
    default:
        return lh_vec_append_null(v) == LH_OK;
    }
}

bool tool_append_text(lh_vec_t *v, const char *s)
{
    return append_text(v, s);
}

/* ---- inference ---------------------------------------------------------------------------- */

enum { K_BOOL = 1, K_LONG = 2, K_DOUBLE = 4, K_DATE = 8, K_TS = 16, K_ALL = TOOL_K_ALL };

static int text_kinds(const char *s)
{
    int k = 0;
    bool b;
    int64_t i;
    double d;
    k |= parse_bool(s, &b) ? K_BOOL : 0;
    k |= parse_long(s, &i) ? K_LONG | K_DOUBLE : 0;
    k |= parse_double(s, &d) ? K_DOUBLE : 0;
    k |= parse_date(s, &i) ? K_DATE : 0;
    k |= parse_timestamp(s, &i) ? K_TS : 0;
    return k;
}

static lh_type_t type_of_kinds(int k)
{
    static const struct {
        int kind;
        lh_type_id id;
    } order[] = {{K_BOOL, LH_TYPE_BOOLEAN},
                 {K_LONG, LH_TYPE_LONG},
                 {K_DOUBLE, LH_TYPE_DOUBLE},
                 {K_DATE, LH_TYPE_DATE},
                 {K_TS, LH_TYPE_TIMESTAMP}};
    lh_type_t t = {.id = LH_TYPE_STRING};
    if (k == K_ALL) /* no values at all */
        return t;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (k & order[i].kind) {
            t.id = order[i].id;
            break;
        }
    return t;
}

/* Infer column c from its text (allowed: the kinds the source permits). */
static lh_type_t infer_column(const table_text_t *tt, int c, int allowed)
{
    int k = allowed;
    for (size_t r = 0; r < tt->nrows && k; r++) {
        const char *s = tt->cells[r * (size_t)tt->ncols + (size_t)c];
        if (s != NULL)
            k &= text_kinds(s);
    }
    return type_of_kinds(k);
}

/* ---- CSV ---------------------------------------------------------------------------------- */

/* Next field at *p; *end_of_record after the last field of a record. NULL for empty. */
static char *csv_field(const char **p, const char *end, bool *end_of_record, bool *bad)
{
    const char *s = *p;
    tool_buf_t b = {0};
    *end_of_record = false;
    bool quoted = s < end && *s == '"';
    if (quoted) {
        for (s++;; s++) {
            if (s >= end) {
                *bad = true;
                break;
            }
            if (*s == '"') {
                if (s + 1 < end && s[1] == '"') {
                    tool_buf_putn(&b, "\"", 1);
                    s++;
                    continue;
                }
                s++;
                break;
            }
            tool_buf_putn(&b, s, 1);
        }
    }
    const char *start = s;
    while (s < end && *s != ',' && *s != '\n' && *s != '\r')
        s++;
    if (quoted && s != start)
        *bad = true; /* text after the closing quote */
    if (!quoted && s > start)
        tool_buf_putn(&b, start, (size_t)(s - start));
    if (s < end && *s == ',') {
        s++;
    } else {
        *end_of_record = true;
        if (s < end && *s == '\r')
            s++;
        if (s < end && *s == '\n')
            s++;
    }
    *p = s;
    if (b.len == 0) {
        tool_buf_free(&b);
        return NULL;
    }
    return b.ptr;
}

static lh_err csv_record(const char **p, const char *end, char ***out, int *n, lh_errbuf *eb)
{
    *out = NULL;
    *n = 0;
    bool eor = false, bad = false;
    while (!eor) {
        char *f = csv_field(p, end, &eor, &bad);
        char **nf = realloc(*out, (size_t)(*n + 1) * sizeof *nf);
        if (nf == NULL) {
            free(f);
            for (int i = 0; i < *n; i++)
                free((*out)[i]);
            free(*out);
            *out = NULL;
            *n = 0;
            LH_FAIL(LH_E_NOMEM, eb, "out of memory");
        }
        *out = nf;
        nf[(*n)++] = f;
    }
    if (bad) {
        for (int i = 0; i < *n; i++)
            free((*out)[i]);
        free(*out);
        *out = NULL;
        *n = 0;
        LH_FAIL(LH_E_INVALID, eb, "malformed CSV: unterminated or misplaced quote");
    }
    return LH_OK;
}

static lh_err load_csv(const char *text, size_t len, table_text_t *tt, lh_errbuf *eb)
{
    const char *p = text, *end = text + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* BOM */
    LH_FAIL_IF(p >= end, LH_E_INVALID, eb, "empty CSV file (a header row is required)");
    LH_TRY(csv_record(&p, end, &tt->names, &tt->ncols, eb));
    tt->types = calloc((size_t)tt->ncols, sizeof *tt->types);
    LH_FAIL_IF(tt->types == NULL, LH_E_NOMEM, eb, "out of memory");
    for (int c = 0; c < tt->ncols; c++)
        LH_FAIL_IF(tt->names[c] == NULL, LH_E_INVALID, eb, "CSV header column %d is empty", c + 1);
    for (size_t line = 2; p < end; line++) {
        char **row;
        int n;
        LH_TRY(csv_record(&p, end, &row, &n, eb));
        if (n == 1 && row[0] == NULL) { /* blank line */
            free(row);
            continue;
        }
        if (n != tt->ncols) {
            for (int i = 0; i < n; i++)
                free(row[i]);
            free(row);
            LH_FAIL(LH_E_INVALID, eb, "CSV record %zu has %d fields, the header has %d", line, n,
                    tt->ncols);
        }
        lh_err e = add_row(tt, row, eb);
        free(row);
        LH_TRY(e);
    }
    for (int c = 0; c < tt->ncols; c++)
        tt->types[c] = infer_column(tt, c, K_ALL);
    return LH_OK;
}

/* ---- JSON lines --------------------------------------------------------------------------- */

static lh_err json_col(table_text_t *tt, const char *key, lh_errbuf *eb)
{
    for (int c = 0; c < tt->ncols; c++)
        if (strcmp(tt->names[c], key) == 0)
            return LH_OK;
    char **nn = realloc(tt->names, (size_t)(tt->ncols + 1) * sizeof *nn);
    LH_FAIL_IF(nn == NULL, LH_E_NOMEM, eb, "out of memory");
    tt->names = nn;
    nn[tt->ncols] = strdup(key);
    LH_FAIL_IF(nn[tt->ncols] == NULL, LH_E_NOMEM, eb, "out of memory");
    tt->ncols++;
    return LH_OK;
}

static int json_col_index(const table_text_t *tt, const char *key)
{
    for (int c = 0; c < tt->ncols; c++)
        if (strcmp(tt->names[c], key) == 0)
            return c;
    return -1;
}

/* Kinds a JSON value allows; its text in *text (malloc'd, NULL for null). */
static int json_kinds(json_t *v, char **text)
{
    *text = NULL;
    switch (json_typeof(v)) {
    case JSON_NULL:
        return K_ALL;
    case JSON_TRUE:
    case JSON_FALSE:
        *text = strdup(json_is_true(v) ? "true" : "false");
        return K_BOOL;
    case JSON_INTEGER:
        *text = json_dumps(v, JSON_ENCODE_ANY);
        return K_LONG | K_DOUBLE;
    case JSON_REAL:
        *text = json_dumps(v, JSON_ENCODE_ANY);
        return K_DOUBLE;
    case JSON_STRING:
        *text = strdup(json_string_value(v));
        return K_DATE | K_TS; /* strings stay strings unless all are dates/timestamps */
    default:
        *text = json_dumps(v, JSON_COMPACT);
        return 0;
    }
}

int tool_json_value_kinds(json_t *v, char **text)
{
    int k = json_kinds(v, text);
    if (json_is_string(v))
        k &= text_kinds(*text);
    return json_is_null(v) ? TOOL_K_ALL : k;
}

lh_type_t tool_type_of_kinds(int kinds)
{
    return type_of_kinds(kinds);
}

/* Pass 1: parse every line (objects appended to objs) and collect the keys. */
static lh_err json_parse_lines(const char *text, size_t len, table_text_t *tt, json_t *objs,
                               lh_errbuf *eb)
{
    size_t lineno = 0;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end, *q = p;
        lineno++;
        while (q < le && isspace((unsigned char)*q))
            q++;
        if (q < le) {
            json_error_t je;
            json_t *o = json_loadb(p, (size_t)(le - p), 0, &je);
            if (!json_is_object(o)) {
                json_decref(o);
                LH_FAIL(LH_E_INVALID, eb, "line %zu is not a JSON object: %s", lineno,
                        o ? "another JSON value" : je.text);
            }
            json_array_append_new(objs, o);
            const char *k;
            json_t *v;
            json_object_foreach(o, k, v)
            {
                LH_TRY(json_col(tt, k, eb));
            }
        }
        p = nl ? nl + 1 : end;
    }
    LH_FAIL_IF(tt->ncols == 0, LH_E_INVALID, eb, "no JSON objects with keys in the file");
    return LH_OK;
}

/* Pass 2: cells and kinds. */
static lh_err json_fill(table_text_t *tt, json_t *objs, int *kinds, lh_errbuf *eb)
{
    for (int c = 0; c < tt->ncols; c++)
        kinds[c] = K_ALL;
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o)
    {
        char **row = calloc((size_t)tt->ncols, sizeof *row);
        LH_FAIL_IF(row == NULL, LH_E_NOMEM, eb, "out of memory");
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
        {
            int c = json_col_index(tt, k);
            kinds[c] &= json_kinds(v, &row[c]);
        }
        lh_err e = add_row(tt, row, eb);
        if (e != LH_OK)
            for (int c = 0; c < tt->ncols; c++)
                free(row[c]);
        free(row);
        LH_TRY(e);
    }
    return LH_OK;
}

/* Whether any value of any line is an array or an object. */
static bool json_has_nested(json_t *objs)
{
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o)
    {
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
        {
            if (json_is_array(v) || json_is_object(v))
                return true;
        }
    }
    return false;
}

/* Flat lines (objs parsed by json_parse_lines) into text cells and inferred types. */
static lh_err load_jsonl(json_t *objs, table_text_t *tt, lh_errbuf *eb)
{
    int *kinds = calloc((size_t)tt->ncols, sizeof *kinds);
    tt->types = calloc((size_t)tt->ncols, sizeof *tt->types);
    lh_err e = LH_OK;
    if (!kinds || !tt->types)
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK)
        e = json_fill(tt, objs, kinds, eb);
    for (int c = 0; e == LH_OK && c < tt->ncols; c++) {
        int k = kinds[c];
        if (k == K_ALL || k == 0)
            tt->types[c] = (lh_type_t){.id = LH_TYPE_STRING};
        else if ((k & ~(K_DATE | K_TS)) == 0) /* only strings */
            tt->types[c] = infer_column(tt, c, K_DATE | K_TS);
        else
            tt->types[c] = type_of_kinds(k);
    }
    free(kinds);
    return e;
}

/* ---- streaming the text table ------------------------------------------------------------- */

static lh_err text_next(void *ctx, const lh_batch_t **out, lh_errbuf *eb)
{
    table_text_t *tt = ctx;
    *out = NULL;
    if (tt->next_row >= tt->nrows)
        return LH_OK;
    lh_batch_reset(tt->batch);
    size_t n = tt->nrows - tt->next_row;
    if (n > LH_BATCH_ROWS)
        n = LH_BATCH_ROWS;
    for (size_t r = tt->next_row; r < tt->next_row + n; r++)
        for (int c = 0; c < tt->ncols; c++) {
            const char *s = tt->cells[r * (size_t)tt->ncols + (size_t)c];
            char tn[32];
            LH_FAIL_IF(!append_text(tt->batch->cols[c], s), LH_E_INVALID, eb,
                       "row %zu, column '%s': '%s' is not a valid %s", r + 1, tt->names[c], s,
                       lh_type_name(tt->schema->fields[c].type, tn, sizeof tn));
        }
    tt->batch->row_count = n;
    tt->next_row += n;
    *out = tt->batch;
    return LH_OK;
}

/* Schema of the text table: the table's types for columns it has, else inferred. */
static lh_err text_schema(table_text_t *tt, lh_delta_table_t *t, lh_errbuf *eb)
{
    lh_delta_snapshot_t *s = NULL;
    int64_t v;
    if (lh_delta_latest_version(t, &v, NULL) == LH_OK)
        LH_TRY(lh_delta_snapshot_latest(t, &s, eb));
    const lh_schema_t *ts = s ? lh_delta_snapshot_metadata(s)->schema : NULL;
    tt->schema = lh_schema_create(tt->ncols);
    LH_FAIL_IF(tt->schema == NULL, LH_E_NOMEM, eb, "out of memory");
    for (int c = 0; c < tt->ncols; c++) {
        int i = ts ? lh_schema_find(ts, tt->names[c]) : -1;
        lh_schema_set(tt->schema, c, i >= 0 ? ts->fields[i].name : tt->names[c],
                      i >= 0 ? ts->fields[i].type : tt->types[c], true);
    }
    lh_delta_snapshot_release(s);
    tt->batch = lh_batch_create(tt->schema, LH_BATCH_ROWS);
    LH_FAIL_IF(tt->batch == NULL, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

/* ---- command ------------------------------------------------------------------------------ */

enum src_format { FMT_CSV, FMT_JSONL, FMT_PARQUET };

static enum src_format detect_format(const char *path, const char *head, size_t n)
{
    const char *dot = strrchr(path, '.');
    if (dot && strcasecmp(dot, ".csv") == 0)
        return FMT_CSV;
    if (dot && (strcasecmp(dot, ".json") == 0 || strcasecmp(dot, ".jsonl") == 0 ||
                strcasecmp(dot, ".ndjson") == 0))
        return FMT_JSONL;
    if (dot && strcasecmp(dot, ".parquet") == 0)
        return FMT_PARQUET;
    if (n >= 4 && memcmp(head, "PAR1", 4) == 0)
        return FMT_PARQUET;
    return n > 0 && head[0] == '{' ? FMT_JSONL : FMT_CSV;
}

static lh_err read_all(const char *path, char **out, size_t *len, lh_errbuf *eb)
{
    FILE *f = fopen(path, "rb");
    LH_FAIL_IF(f == NULL, LH_E_NOT_FOUND, eb, "cannot open '%s': %s", path, strerror(errno));
    tool_buf_t b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        tool_buf_putn(&b, chunk, n);
    bool err = ferror(f);
    fclose(f);
    if (err) {
        tool_buf_free(&b);
        LH_FAIL(LH_E_IO, eb, "reading '%s' failed", path);
    }
    if (b.ptr == NULL)
        tool_buf_putn(&b, "", 0);
    *out = b.ptr;
    *len = b.len;
    return LH_OK;
}

typedef struct import_job {
    lh_delta_table_t *t;
    bool overwrite;
    lh_delta_op_opts_t opts;
    lh_delta_op_result_t res;
} import_job_t;

static lh_err run_write(import_job_t *j, const lh_schema_t *schema, lh_delta_batch_next_fn next,
                        void *ctx, lh_errbuf *eb)
{
    return j->overwrite ? lh_delta_overwrite(j->t, schema, next, ctx, &j->opts, &j->res, eb)
                        : lh_delta_append(j->t, schema, next, ctx, &j->opts, &j->res, eb);
}

static lh_err import_parquet(import_job_t *j, const char *src, lh_errbuf *eb)
{
    lh_pq_file_t *f;
    LH_TRY(tool_open_parquet(src, &f, eb));
    if (lh_pq_nested_column_count(f) > 0) { /* LIST/MAP/STRUCT: copied leaf by leaf */
        lh_err e = tool_import_nested(j->t, f, j->overwrite, j->opts.partition_columns,
                                      j->opts.partition_column_count, &j->res, eb);
        lh_pq_close(f);
        return e;
    }
    tool_pq_stream_t ps;
    lh_err e = tool_pq_stream_open(&ps, f, NULL, 0, eb);
    if (e == LH_OK)
        e = run_write(j, ps.out_schema, tool_pq_stream_next, &ps, eb);
    tool_pq_stream_close(&ps);
    lh_pq_close(f);
    return e;
}

static lh_err import_text(import_job_t *j, const char *text, size_t len, enum src_format fmt,
                          lh_errbuf *eb)
{
    table_text_t tt;
    memset(&tt, 0, sizeof tt);
    json_t *objs = NULL;
    lh_err e;
    bool nested = false;
    if (fmt == FMT_CSV) {
        e = load_csv(text, len, &tt, eb);
    } else {
        objs = json_array();
        e = json_parse_lines(text, len, &tt, objs, eb);
        nested = e == LH_OK && json_has_nested(objs);
        if (nested) /* arrays / objects: ARRAY and STRUCT columns (import_json.c) */
            e = tool_import_json_nested(j->t, objs, j->overwrite, j->opts.partition_columns,
                                        j->opts.partition_column_count, &j->res, eb);
        else if (e == LH_OK)
            e = load_jsonl(objs, &tt, eb);
    }
    if (e == LH_OK && !nested)
        e = text_schema(&tt, j->t, eb);
    if (e == LH_OK && !nested)
        e = run_write(j, tt.schema, text_next, &tt, eb);
    json_decref(objs);
    table_free(&tt);
    return e;
}

static lh_err import_file(import_job_t *j, const char *src, lh_errbuf *eb)
{
    LH_FAIL_IF(!tool_is_file(src), LH_E_NOT_FOUND, eb, "source '%s' is not a file", src);
    char head[4] = {0};
    FILE *f = fopen(src, "rb");
    size_t n = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    enum src_format fmt = detect_format(src, head, n);
    if (fmt == FMT_PARQUET)
        return import_parquet(j, src, eb);
    char *text;
    size_t len;
    LH_TRY(read_all(src, &text, &len, eb));
    lh_err e = import_text(j, text, len, fmt, eb);
    free(text);
    return e;
}

lh_err tool_cmd_import(const tool_args_t *a, lh_errbuf *eb)
{
    const char *mode = tool_opt(a, "mode");
    LH_FAIL_IF(mode && strcmp(mode, "append") != 0 && strcmp(mode, "overwrite") != 0, LH_E_INVALID,
               eb, "--mode must be append or overwrite, got '%s'", mode);
    import_job_t j = {.overwrite = mode && strcmp(mode, "overwrite") == 0};
    lh_delta_op_opts_default(&j.opts);
    char **parts = NULL;
    const char *pb = tool_opt(a, "partition-by");
    int np = pb ? tool_split_list(pb, &parts) : 0;
    j.opts.partition_columns = (const char *const *)parts;
    j.opts.partition_column_count = np;
    lh_objstore_t *os;
    lh_err e = tool_open_table(a->items[1], false, &os, &j.t, eb);
    if (e == LH_OK) {
        e = import_file(&j, a->items[0], eb);
        tool_close_table(os, j.t);
    }
    tool_list_free(parts, np);
    if (e == LH_OK)
        printf("{\"version\":%lld,\"numOutputRows\":%lld,\"numFiles\":%lld,"
               "\"numRemovedFiles\":%lld}\n",
               (long long)j.res.version, (long long)j.res.rows_written,
               (long long)j.res.files_added, (long long)j.res.files_removed);
    return e;
}
