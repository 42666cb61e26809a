/*
 * files_util.c - what the file parsers share: the JSON text of the rescued data column and
 * the output batches. Text to typed values and CSV type inference are in
 * compute/func/csv_text.c (from_csv uses them too).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/files/files_internal.h"
#include "compute/sql/sqlerr.h"
#include "compute/func/datetime.h"
#include "compute/func/dec.h"

/* ---- JSON text for the rescued data column ---------------------------------------------- */

bool ff_sb_put(ff_sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL)
            return false;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    return true;
}

bool ff_sb_json_str(ff_sbuf *b, const char *s, size_t n)
{
    bool ok = ff_sb_put(b, "\"", 1);
    for (size_t i = 0; i < n && ok; i++) {
        unsigned char ch = (unsigned char)s[i];
        char esc[8];
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            ok = ff_sb_put(b, esc, 2);
        } else if (ch < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", ch);
            ok = ff_sb_put(b, esc, 6);
        } else {
            ok = ff_sb_put(b, s + i, 1);
        }
    }
    return ok && ff_sb_put(b, "\"", 1);
}

/* Append "name":"value" to a rescued object (opened on first use). */
bool ff_rescue_add(ff_sbuf *b, const char *name, const char *s, size_t n)
{
    return ff_sb_put(b, b->n == 0 ? "{" : ",", 1) && ff_sb_json_str(b, name, strlen(name)) &&
           ff_sb_put(b, ":", 1) && ff_sb_json_str(b, s, n);
}

bool ff_rescue_finish(ff_sbuf *b, const char *path)
{
    return ff_sb_put(b, ",", 1) && ff_sb_json_str(b, "_file_path", 10) && ff_sb_put(b, ":", 1) &&
           ff_sb_json_str(b, path, strlen(path)) && ff_sb_put(b, "}", 1);
}

/* ---- output batches ---- */

bool ff_out_init(ff_out *o, const lh_ff_scan_t *s)
{
    o->cols = calloc((size_t)s->col_count + 1, sizeof *o->cols);
    if (o->cols == NULL)
        return false;
    for (int i = 0; i < s->col_count; i++)
        if ((o->cols[i] = lh_vec_create(s->types[i], LH_BATCH_ROWS)) == NULL)
            return false;
    o->b = (lh_batch_t){s->col_count, o->cols, 0};
    return true;
}

void ff_out_free(ff_out *o, int n)
{
    for (int i = 0; o->cols && i < n; i++)
        lh_vec_destroy(o->cols[i]);
    free(o->cols);
}

lh_err ff_out_flush(ff_out *o, lh_ff_emit_fn emit, void *ctx, lh_errbuf *eb)
{
    if (o->b.row_count == 0)
        return LH_OK;
    lh_err e = emit(ctx, &o->b, eb);
    o->rows += (int64_t)o->b.row_count;
    for (int i = 0; i < o->b.col_count; i++)
        lh_vec_reset(o->cols[i]);
    o->b.row_count = 0;
    return e;
}

lh_err ff_malformed(const char *what, size_t n, lh_errbuf *eb)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%.*s", (int)(n < 200 ? n : 200), what);
    return lh_sqlerr(eb, "MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION", "badRecord", buf,
                     "failFastMode", "FAILFAST", NULL);
}

/* ---- the _metadata column --------------------------------------------------------------- */

lh_type_t lh_ff_metadata_type(void)
{
    static const char *const names[6] = {"file_path",         "file_name",
                                         "file_size",         "file_block_start",
                                         "file_block_length", "file_modification_time"};
    const lh_type_t types[6] = {{LH_TYPE_STRING}, {LH_TYPE_STRING}, {LH_TYPE_LONG},
                                {LH_TYPE_LONG},   {LH_TYPE_LONG},   {LH_TYPE_TIMESTAMP}};
    return lh_type_struct(6, names, types); /* interned: the same descriptor every call */
}

static lh_value_t long_value(lh_type_id t, int64_t i)
{
    lh_value_t v = {.type = {t}};
    v.v.i64 = i;
    return v;
}

lh_err lh_ff_metadata_value(const lh_ff_scan_t *s, int file, int64_t start, int64_t end,
                            lh_nbuf_t *b)
{
    const char *path = s->files[file];
    const char *slash = strrchr(path, '/');
    size_t n = strlen(path) + 6;
    char *uri = malloc(n);
    if (uri == NULL)
        return LH_E_NOMEM;
    snprintf(uri, n, "file:%s", path); /* Spark's file_path of a local file */
    int64_t size = s->sizes[file], stop = end < 0 ? size : end;
    lh_value_t vals[6] = {lh_value_text(uri),
                          lh_value_text(slash ? slash + 1 : path),
                          long_value(LH_TYPE_LONG, size),
                          long_value(LH_TYPE_LONG, start),
                          long_value(LH_TYPE_LONG, stop - start),
                          long_value(LH_TYPE_TIMESTAMP, s->mtimes_us[file])};
    b->len = 0;
    lh_err e = lh_nested_put_struct(b, lh_ff_metadata_type(), vals);
    free(uri);
    return e;
}
