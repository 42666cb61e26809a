/*
 * nested_value.c - text and casts of ARRAY, MAP and STRUCT values (common/nested.h holds
 * the format).
 *
 * Text, as Spark prints it:
 *   results (HiveResult.toHiveString, what the golden files and our Statement Execution
 *   API show): [1,2,null]  {"a":1,"b":"x"}  {1:"a",2:"b"} — nested strings in double
 *   quotes, nested NULL as null, map entries sorted by their text;
 *   CAST(x AS STRING) (ToStringBase): [1, 2, null]  {1, x}  {1 -> a, 2 -> b}.
 * JSON (to_json): [1,2], {"a":1,"b":"x"}, {"k":1} with JSON string escapes; timestamps and
 * dates as strings.
 * Nested values format into a growable buffer: the result of lh_format_value for a nested
 * type lives in a per-thread buffer until the thread's next nested format.
 *
 * Casts: ARRAY to ARRAY (element by element), MAP to MAP, STRUCT to STRUCT (field by field,
 * names from the target), each part with the scalar cast's semantics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/nested.h"
#include "compute/func/cast.h"
#include "compute/func/fn.h"
#include "compute/func/format.h"
#include "compute/func/nested_fn.h"

static lh_err put_text(lh_nbuf_t *b, const char *s)
{
    return lh_nbuf_put(b, s, strlen(s));
}

static lh_err fmt_part(lh_nbuf_t *b, const lh_value_t *v, const lh_tz_t *tz, lh_fmt_style style);

static lh_err fmt_array(lh_nbuf_t *b, const lh_narray_t *a, const lh_tz_t *tz, lh_fmt_style style)
{
    LH_TRY(put_text(b, "["));
    for (uint32_t i = 0; i < a->count; i++) {
        if (i > 0)
            LH_TRY(put_text(b, style == LH_FMT_CAST ? ", " : ","));
        lh_value_t e;
        lh_narray_get(a, i, &e);
        LH_TRY(fmt_part(b, &e, tz, style));
    }
    return put_text(b, "]");
}

typedef struct span {
    size_t at, len;
} span;

static int cmp_entry(const void *x, const void *y, void *ctx)
{
    const span *a = x, *c = y;
    const uint8_t *base = ctx;
    size_t n = a->len < c->len ? a->len : c->len;
    int r = memcmp(base + a->at, base + c->at, n);
    return r ? r : (a->len > c->len) - (a->len < c->len);
}

/* Insertion sort of entry spans by text (maps are small; qsort_r is not portable). */
static void sort_entries(span *e, uint32_t n, const uint8_t *base)
{
    for (uint32_t i = 1; i < n; i++) {
        span k = e[i];
        uint32_t j = i;
        while (j > 0 && cmp_entry(&e[j - 1], &k, (void *)base) > 0) {
            e[j] = e[j - 1];
            j--;
        }
        e[j] = k;
    }
}

static lh_err fmt_map(lh_nbuf_t *b, lh_type_t t, lh_sv_t bytes, const lh_tz_t *tz,
                      lh_fmt_style style)
{
    lh_narray_t k, v;
    lh_nmap_open(t, bytes, &k, &v);
    if (style == LH_FMT_CAST) {
        LH_TRY(put_text(b, "{"));
        for (uint32_t i = 0; i < k.count; i++) {
            lh_value_t x, y;
            lh_narray_get(&k, i, &x);
            lh_narray_get(&v, i, &y);
            LH_TRY(put_text(b, i ? ", " : ""));
            LH_TRY(fmt_part(b, &x, tz, style));
            LH_TRY(put_text(b, " -> "));
            LH_TRY(fmt_part(b, &y, tz, style));
        }
        return put_text(b, "}");
    }
    /* entries formatted into a side buffer, sorted by text, then joined */
    lh_nbuf_t side = {0};
    span *e = malloc(((size_t)k.count + 1) * sizeof *e);
    lh_err err = e ? LH_OK : LH_E_NOMEM;
    for (uint32_t i = 0; i < k.count && err == LH_OK; i++) {
        lh_value_t x, y;
        lh_narray_get(&k, i, &x);
        lh_narray_get(&v, i, &y);
        e[i].at = side.len;
        err = fmt_part(&side, &x, tz, style);
        if (err == LH_OK)
            err = put_text(&side, ":");
        if (err == LH_OK)
            err = fmt_part(&side, &y, tz, style);
        e[i].len = side.len - e[i].at;
    }
    if (err == LH_OK) {
        sort_entries(e, k.count, side.bytes);
        err = put_text(b, "{");
        for (uint32_t i = 0; i < k.count && err == LH_OK; i++) {
            if (i > 0)
                err = put_text(b, ",");
            if (err == LH_OK)
                err = lh_nbuf_put(b, side.bytes + e[i].at, e[i].len);
        }
        if (err == LH_OK)
            err = put_text(b, "}");
    }
    free(e);
    lh_nbuf_free(&side);
    return err;
}

static lh_err fmt_struct(lh_nbuf_t *b, lh_type_t t, lh_sv_t bytes, const lh_tz_t *tz,
                         lh_fmt_style style)
{
    LH_TRY(put_text(b, "{"));
    for (int i = 0; i < t.nested->field_count; i++) {
        if (i > 0)
            LH_TRY(put_text(b, style == LH_FMT_CAST ? ", " : ","));
        if (style == LH_FMT_RESULT) {
            LH_TRY(put_text(b, "\""));
            LH_TRY(put_text(b, t.nested->fields[i].name));
            LH_TRY(put_text(b, "\":"));
        }
        lh_value_t f;
        lh_nstruct_get(t, bytes, i, &f);
        LH_TRY(fmt_part(b, &f, tz, style));
    }
    return put_text(b, "}");
}

static lh_err fmt_nested(lh_nbuf_t *b, const lh_value_t *v, const lh_tz_t *tz, lh_fmt_style style)
{
    if (v->type.id == LH_TYPE_ARRAY) {
        lh_narray_t a;
        lh_narray_open(v->type.nested->elem, v->v.str, &a);
        return fmt_array(b, &a, tz, style);
    }
    if (v->type.id == LH_TYPE_MAP)
        return fmt_map(b, v->type, v->v.str, tz, style);
    return fmt_struct(b, v->type, v->v.str, tz, style);
}

/* One element, field, key or value inside a nested value. */
static lh_err fmt_part(lh_nbuf_t *b, const lh_value_t *v, const lh_tz_t *tz, lh_fmt_style style)
{
    if (v->is_null || v->type.id == LH_TYPE_NULL)
        return put_text(b, "null");
    if (lh_type_is_nested(v->type))
        return fmt_nested(b, v, tz, style);
    char buf[LH_FMT_MAX];
    const char *txt;
    size_t n = lh_format_value(v, tz, style, buf, &txt);
    bool quote = style == LH_FMT_RESULT && v->type.id == LH_TYPE_STRING;
    if (quote)
        LH_TRY(put_text(b, "\""));
    LH_TRY(lh_nbuf_put(b, txt, n));
    return quote ? put_text(b, "\"") : LH_OK;
}

static _Thread_local lh_nbuf_t tls_text; /* the last nested text of this thread */

size_t lh_format_nested(const lh_value_t *val, const lh_tz_t *tz, lh_fmt_style style,
                        const char **out)
{
    tls_text.len = 0;
    if (fmt_nested(&tls_text, val, tz, style) != LH_OK) {
        *out = "";
        return 0;
    }
    *out = (const char *)tls_text.bytes;
    return tls_text.len;
}

/* ---- JSON -------------------------------------------------------------------------------- */

static lh_err json_string(lh_nbuf_t *b, const uint8_t *s, size_t n)
{
    LH_TRY(put_text(b, "\""));
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\', esc[1] = (char)c, esc[2] = 0;
        } else if (c == '\n') {
            memcpy(esc, "\\n", 3);
        } else if (c == '\r') {
            memcpy(esc, "\\r", 3);
        } else if (c == '\t') {
            memcpy(esc, "\\t", 3);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
        } else {
            LH_TRY(lh_nbuf_put(b, &s[i], 1));
            continue;
        }
        LH_TRY(put_text(b, esc));
    }
    return put_text(b, "\"");
}

lh_err lh_nested_json(lh_nbuf_t *b, const lh_value_t *v, const lh_tz_t *tz)
{
    if (v->is_null || v->type.id == LH_TYPE_NULL)
        return put_text(b, "null");
    switch (v->type.id) {
    case LH_TYPE_ARRAY: {
        lh_narray_t a;
        lh_narray_open(v->type.nested->elem, v->v.str, &a);
        LH_TRY(put_text(b, "["));
        for (uint32_t i = 0; i < a.count; i++) {
            lh_value_t e;
            lh_narray_get(&a, i, &e);
            LH_TRY(put_text(b, i ? "," : ""));
            LH_TRY(lh_nested_json(b, &e, tz));
        }
        return put_text(b, "]");
    }
    case LH_TYPE_MAP: {
        lh_narray_t k, x;
        lh_nmap_open(v->type, v->v.str, &k, &x);
        LH_TRY(put_text(b, "{"));
        for (uint32_t i = 0; i < k.count; i++) {
            lh_value_t key, val;
            lh_narray_get(&k, i, &key);
            lh_narray_get(&x, i, &val);
            LH_TRY(put_text(b, i ? "," : ""));
            char buf[LH_FMT_MAX];
            const char *txt;
            size_t n = lh_type_is_nested(key.type)
                           ? lh_format_nested(&key, tz, LH_FMT_CAST, &txt)
                           : lh_format_value(&key, tz, LH_FMT_CAST, buf, &txt);
            LH_TRY(json_string(b, (const uint8_t *)txt, n));
            LH_TRY(put_text(b, ":"));
            LH_TRY(lh_nested_json(b, &val, tz));
        }
        return put_text(b, "}");
    }
    case LH_TYPE_STRUCT: {
        LH_TRY(put_text(b, "{"));
        bool first = true;
        for (int i = 0; i < v->type.nested->field_count; i++) {
            lh_value_t f;
            lh_nstruct_get(v->type, v->v.str, i, &f);
            if (f.is_null)
                continue; /* Spark's to_json drops null fields */
            LH_TRY(put_text(b, first ? "" : ","));
            first = false;
            const char *name = v->type.nested->fields[i].name;
            LH_TRY(json_string(b, (const uint8_t *)name, strlen(name)));
            LH_TRY(put_text(b, ":"));
            LH_TRY(lh_nested_json(b, &f, tz));
        }
        return put_text(b, "}");
    }
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
        return json_string(b, v->v.str.ptr, v->v.str.len);
    default: {
        char buf[LH_FMT_MAX];
        const char *txt;
        size_t n = lh_format_value(v, tz, LH_FMT_CAST, buf, &txt);
        bool quote = !lh_type_is_numeric(v->type.id) && v->type.id != LH_TYPE_BOOLEAN;
        if (quote)
            return json_string(b, (const uint8_t *)txt, n);
        return lh_nbuf_put(b, txt, n);
    }
    }
}

/* ---- casts ------------------------------------------------------------------------------- */

/* Cast one part (non-nested or nested) to type `to` through a one-row scratch vector. */
static lh_err cast_part(const lh_value_t *in, lh_type_t to, const lh_sql_conf_t *conf, bool try_,
                        lh_vec_t *scratch, lh_value_t *out, lh_errbuf *eb)
{
    if (in->is_null) {
        *out = (lh_value_t){.type = to, .is_null = true};
        return LH_OK;
    }
    LH_ASSERT(lh_type_equal(scratch->type, to));
    lh_vec_reset(scratch);
    LH_TRY(lh_vec_reserve(scratch, 1));
    scratch->count = 1;
    LH_TRY(lh_cast_row(in, scratch, 0, conf, try_, eb));
    lh_vec_get_value(scratch, 0, out);
    return LH_OK;
}

/* Cast the n values of array a to `to`, into vals[] (strings copied into keep's heap). */
static lh_err cast_array(const lh_narray_t *a, lh_type_t to, const lh_sql_conf_t *conf, bool try_,
                         lh_vec_t *keep, lh_value_t *vals, lh_errbuf *eb)
{
    lh_vec_t *scratch = lh_vec_create(to, 1);
    if (scratch == NULL)
        return LH_E_NOMEM;
    lh_err err = LH_OK;
    for (uint32_t i = 0; i < a->count && err == LH_OK; i++) {
        lh_value_t e;
        lh_narray_get(a, i, &e);
        err = cast_part(&e, to, conf, try_, scratch, &vals[i], eb);
        if (err == LH_OK && !vals[i].is_null && lh_type_is_bytes(to)) {
            const uint8_t *p = lh_vec_heap_copy(keep, vals[i].v.str.ptr, vals[i].v.str.len);
            if (p == NULL && vals[i].v.str.len > 0)
                err = LH_E_NOMEM;
            vals[i].v.str.ptr = p;
        }
    }
    lh_vec_destroy(scratch);
    return err;
}

static lh_err cast_nested(const lh_value_t *in, lh_type_t to, const lh_sql_conf_t *conf, bool try_,
                          lh_nbuf_t *b, lh_errbuf *eb)
{
    lh_vec_t *keep = lh_vec_create((lh_type_t){LH_TYPE_BINARY}, 0);
    lh_value_t *vals = NULL, *keys = NULL;
    lh_err err = keep ? LH_OK : LH_E_NOMEM;
    if (err == LH_OK && to.id == LH_TYPE_ARRAY) {
        lh_narray_t a;
        lh_narray_open(in->type.nested->elem, in->v.str, &a);
        vals = calloc((size_t)a.count + 1, sizeof *vals);
        err = vals ? cast_array(&a, to.nested->elem, conf, try_, keep, vals, eb) : LH_E_NOMEM;
        if (err == LH_OK)
            err = lh_nested_put_array(b, to.nested->elem, vals, a.count);
    } else if (err == LH_OK && to.id == LH_TYPE_MAP) {
        lh_narray_t k, v;
        lh_nmap_open(in->type, in->v.str, &k, &v);
        vals = calloc((size_t)k.count + 1, sizeof *vals);
        keys = calloc((size_t)k.count + 1, sizeof *keys);
        err =
            vals && keys ? cast_array(&k, to.nested->elem, conf, try_, keep, keys, eb) : LH_E_NOMEM;
        if (err == LH_OK)
            err = cast_array(&v, to.nested->value, conf, try_, keep, vals, eb);
        if (err == LH_OK)
            err = lh_nested_put_map(b, to, keys, vals, k.count);
    } else if (err == LH_OK) {
        int nf = to.nested->field_count;
        vals = calloc((size_t)nf + 1, sizeof *vals);
        err = vals ? LH_OK : LH_E_NOMEM;
        for (int i = 0; i < nf && err == LH_OK; i++) {
            lh_value_t f;
            lh_nstruct_get(in->type, in->v.str, i, &f);
            lh_type_t ft = to.nested->fields[i].type;
            lh_vec_t *scratch = lh_vec_create(ft, 1);
            err = scratch ? cast_part(&f, ft, conf, try_, scratch, &vals[i], eb) : LH_E_NOMEM;
            if (err == LH_OK && !vals[i].is_null && lh_type_is_bytes(ft)) {
                vals[i].v.str.ptr = lh_vec_heap_copy(keep, vals[i].v.str.ptr, vals[i].v.str.len);
                err = vals[i].v.str.ptr || !vals[i].v.str.len ? LH_OK : LH_E_NOMEM;
            }
            lh_vec_destroy(scratch);
        }
        if (err == LH_OK)
            err = lh_nested_put_struct(b, to, vals);
    }
    free(vals);
    free(keys);
    lh_vec_destroy(keep);
    return err;
}

lh_err lh_nested_cast_row(const lh_value_t *in, lh_vec_t *out, size_t i, const lh_sql_conf_t *conf,
                          bool try_, lh_errbuf *eb)
{
    if (out->type.id == LH_TYPE_STRING) {
        const char *txt;
        size_t n = lh_format_nested(in, fn_tz(conf), LH_FMT_CAST, &txt);
        return fn_put_str(out, i, txt, n);
    }
    if (lh_type_equal(in->type, out->type))
        return fn_put(out, i, in);
    lh_nbuf_t b = {0};
    lh_err err = cast_nested(in, out->type, conf, try_, &b, eb);
    if (err == LH_OK)
        err = fn_put_str(out, i, b.bytes, b.len);
    lh_nbuf_free(&b);
    return err;
}
