/*
 * csv.c - the CSV reader: RFC 4180 records with Spark's options, parsed straight into
 * column vectors, and the schema inference over them.
 *
 * Records: fields separated by `sep`, records by \n, \r\n or \r; a field starting with
 * `quote` runs to the closing quote and may hold separators and line breaks; inside it a
 * doubled quote and `escape` before a quote or an escape stand for that character (Spark's
 * escape '\' and RFC 4180's "" both work). Text after a closing quote is kept (univocity is
 * lenient there). Empty lines and, when `comment` is set, lines starting with it are
 * skipped. A field whose text (after unquoting; a quoted empty field is `emptyValue`)
 * equals `nullValue` is NULL - with Spark's defaults both an empty field and "" are NULL.
 *
 * Malformed records (Spark's UnivocityParser): a record with fewer fields than the schema
 * is padded with NULLs, one with more is cut, and a value that does not convert to its
 * column's type is NULL; such a record is malformed, so DROPMALFORMED skips it and
 * FAILFAST fails the query. With a rescued data column, PERMISSIVE keeps what did not fit
 * there as a JSON object ({"col":"text",...,"_file_path":"..."}).
 *
 * Inference (Spark's CSVInferSchema): the column count is the first record's; names are the
 * header's (empty ones _c<i>; duplicates, case-insensitively, get their index appended) or
 * _c0.._cN; each column's type is the merge of its non-null values' types (files_util.c),
 * STRING when it has none or when type inference is off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/files/files_internal.h"
#include "compute/func/csv_text.h"
#include "compute/sql/sqlerr.h"

static void fmt_init(lh_csv_fmt_t *c, const lh_ff_opts_t *o)
{
    lh_csv_fmt_init(c, o->sep, o->quote, o->escape, o->comment, true);
}

static bool fld_value(const lh_ff_opts_t *o, const lh_csv_rec_t *r, const char *base,
                      const lh_csv_fld_t *f, const char **s, size_t *n)
{
    return lh_csv_fld_value(r, base, f, o->null_value, o->empty_value, s, n);
}

/* Convert record r into one row of o. *bad: the record is malformed. */
static lh_err put_row(const lh_ff_scan_t *s, const lh_tz_t *tz, const lh_csv_rec_t *r,
                      const char *base, ff_out *o, ff_sbuf *resc, bool *bad)
{
    int ncols = s->col_count - (s->rescued_col >= 0);
    *bad = r->bad || r->count != ncols;
    resc->n = 0;
    for (int i = 0; i < ncols; i++) {
        lh_vec_t *v = o->cols[i];
        const char *t;
        size_t n;
        if (i >= r->count || fld_value(&s->opts, r, base, &r->f[i], &t, &n)) {
            if (lh_vec_append_null(v) != LH_OK)
                return LH_E_NOMEM;
            continue;
        }
        if (lh_csv_append_text(v, s->types[i], t, n, tz))
            continue;
        *bad = true;
        if (lh_vec_append_null(v) != LH_OK)
            return LH_E_NOMEM;
        if (s->rescued_col >= 0 && !ff_rescue_add(resc, s->names[i], t, n))
            return LH_E_NOMEM;
    }
    for (int i = ncols; s->rescued_col >= 0 && i < r->count; i++) {
        char name[24];
        snprintf(name, sizeof name, "_c%d", i);
        if (!ff_rescue_add(resc, name, lh_csv_fld_text(r, base, &r->f[i]), r->f[i].n))
            return LH_E_NOMEM;
    }
    return LH_OK;
}

lh_err lh_ff_csv_parse(const lh_ff_scan_t *s, const char *path, const char *buf, size_t len,
                       bool first_unit, lh_ff_emit_fn emit, void *ctx, int64_t *rows, lh_errbuf *eb)
{
    lh_csv_fmt_t c;
    fmt_init(&c, &s->opts);
    const lh_tz_t *tz = lh_tz_get(s->opts.time_zone ? s->opts.time_zone : "UTC");
    lh_csv_rec_t r = {0};
    ff_out o = {0};
    ff_sbuf resc = {0};
    lh_err e = ff_out_init(&o, s) ? LH_OK : LH_E_NOMEM;
    const char *p = buf, *end = buf + len;
    bool skip_header = s->opts.header && first_unit;
    while (e == LH_OK) {
        const char *rec_start = p;
        p = lh_csv_next_record(&c, buf, p, end, &r);
        if (p == NULL) {
            if (r.count < 0)
                e = LH_E_NOMEM;
            break;
        }
        if (skip_header) {
            skip_header = false;
            continue;
        }
        bool bad;
        e = put_row(s, tz, &r, buf, &o, &resc, &bad);
        if (e != LH_OK)
            break;
        if (bad && s->opts.mode == LH_FF_FAILFAST) {
            e = ff_malformed(rec_start, (size_t)(p - rec_start), eb);
            break;
        }
        if (bad && s->opts.mode == LH_FF_DROPMALFORMED) {
            for (int i = 0; i < s->col_count; i++)
                o.cols[i]->count = o.b.row_count;
            continue;
        }
        if (s->rescued_col >= 0) {
            lh_vec_t *v = o.cols[s->rescued_col];
            if (resc.n == 0)
                e = lh_vec_append_null(v);
            else
                e = ff_rescue_finish(&resc, path) ? lh_vec_append_str(v, resc.p, resc.n)
                                                  : LH_E_NOMEM;
        }
        if (e == LH_OK && ++o.b.row_count == LH_BATCH_ROWS)
            e = ff_out_flush(&o, emit, ctx, eb);
    }
    if (e == LH_E_NOMEM && eb->msg[0] == '\0')
        lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK)
        e = ff_out_flush(&o, emit, ctx, eb);
    if (rows)
        *rows = o.rows;
    ff_out_free(&o, s->col_count);
    lh_csv_rec_free(&r);
    free(resc.p);
    return e;
}

/* ---- inference ------------------------------------------------------------------------------ */

struct lh_ff_csv_infer {
    int count; /* columns: the first record's field count (-1 before it) */
    char **names;
    lh_type_t *types;
};

lh_ff_csv_infer_t *lh_ff_csv_infer_new(void)
{
    lh_ff_csv_infer_t *st = calloc(1, sizeof *st);
    if (st)
        st->count = -1;
    return st;
}

void lh_ff_csv_infer_free(lh_ff_csv_infer_t *st)
{
    if (st == NULL)
        return;
    for (int i = 0; st->names && i < st->count; i++)
        free(st->names[i]);
    free(st->names);
    free(st->types);
    free(st);
}

static bool first_record(lh_ff_csv_infer_t *st, const lh_ff_opts_t *o, const lh_csv_rec_t *r,
                         const char *base)
{
    st->count = r->count;
    st->names = calloc((size_t)r->count + 1, sizeof *st->names);
    st->types = calloc((size_t)r->count + 1, sizeof *st->types);
    if (st->names == NULL || st->types == NULL)
        return false;
    for (int i = 0; i < r->count && o->header; i++) {
        const char *t = lh_csv_fld_text(r, base, &r->f[i]);
        st->names[i] = r->f[i].n ? strndup(t, r->f[i].n) : NULL;
    }
    return true;
}

lh_err lh_ff_csv_infer_add(lh_ff_csv_infer_t *st, const lh_ff_opts_t *o, const char *buf,
                           size_t len, bool names_from_header, lh_errbuf *eb)
{
    lh_csv_fmt_t c;
    fmt_init(&c, o);
    const lh_tz_t *tz = lh_tz_get(o->time_zone ? o->time_zone : "UTC");
    lh_csv_rec_t r = {0};
    const char *p = buf, *end = buf + len;
    bool header = o->header;
    lh_err e = LH_OK;
    while ((p = lh_csv_next_record(&c, buf, p, end, &r)) != NULL) {
        if (st->count < 0 && (!o->header || names_from_header) && !first_record(st, o, &r, buf)) {
            e = LH_E_NOMEM;
            break;
        }
        if (header) {
            header = false;
            continue;
        }
        for (int i = 0; i < r.count && i < st->count; i++) {
            const char *t;
            size_t n;
            if (fld_value(o, &r, buf, &r.f[i], &t, &n))
                continue;
            lh_type_t ty =
                o->infer_types ? lh_csv_infer_text(t, n, tz) : (lh_type_t){LH_TYPE_STRING};
            st->types[i] = lh_csv_merge_types(st->types[i], ty);
        }
    }
    if (r.count < 0)
        e = LH_E_NOMEM;
    lh_csv_rec_free(&r);
    if (e != LH_OK)
        lh_err_set(eb, e, __FILE__, __LINE__, "out of memory");
    return e;
}

void lh_ff_csv_infer_result(const lh_ff_csv_infer_t *st, const lh_ff_opts_t *o, lh_arena_t *a,
                            int *count, const char ***names, lh_type_t **types)
{
    (void)o;
    int n = st->count < 0 ? 0 : st->count;
    const char **nm = lh_arena_calloc(a, (size_t)n + 1, sizeof *nm);
    lh_type_t *ty = lh_arena_calloc(a, (size_t)n + 1, sizeof *ty);
    for (int i = 0; i < n; i++) {
        const char *h = st->names[i];
        bool dup = false;
        for (int k = 0; h && k < n && !dup; k++)
            dup = k != i && st->names[k] && strcasecmp(st->names[k], h) == 0;
        nm[i] = h == NULL ? lh_arena_sprintf(a, "_c%d", i)
                : dup     ? lh_arena_sprintf(a, "%s%d", h, i)
                          : lh_arena_strdup(a, h);
        ty[i] = st->types[i].id == LH_TYPE_NULL ? (lh_type_t){LH_TYPE_STRING} : st->types[i];
    }
    *count = n;
    *names = nm;
    *types = ty;
}
