/*
 * nested_text.h - a compact JSON-like text of a value (nested.h values included), for tests
 * that compare what a reader assembled with what DuckDB reads from the same file:
 *   arrays [1,null,2]   structs {"a":1,"b":"x"}   maps {"k":1,"j":null} (keys as JSON
 *   strings when they are strings, else their text)   strings "x"   NULL null
 *   booleans true/false   integers as digits   floats with %.17g trimmed by %g first.
 */
#ifndef LH_TEST_NESTED_TEXT_H
#define LH_TEST_NESTED_TEXT_H

#include <stdio.h>
#include <string.h>

#include "common/nested.h"

typedef struct ntext {
    char buf[8192];
    size_t len;
} ntext;

static inline void nt_put(ntext *t, const char *s, size_t n)
{
    if (t->len + n + 1 >= sizeof t->buf)
        n = sizeof t->buf - t->len - 1;
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static inline void nt_puts(ntext *t, const char *s)
{
    nt_put(t, s, strlen(s));
}

static inline void nt_value(ntext *t, const lh_value_t *v);

static inline void nt_array(ntext *t, const lh_narray_t *a)
{
    nt_puts(t, "[");
    for (uint32_t i = 0; i < a->count; i++) {
        lh_value_t e;
        lh_narray_get(a, i, &e);
        if (i)
            nt_puts(t, ",");
        nt_value(t, &e);
    }
    nt_puts(t, "]");
}

static inline void nt_value(ntext *t, const lh_value_t *v)
{
    char tmp[64];
    if (v->is_null) {
        nt_puts(t, "null");
        return;
    }
    switch (v->type.id) {
    case LH_TYPE_ARRAY: {
        lh_narray_t a;
        lh_narray_open(v->type.nested->elem, v->v.str, &a);
        nt_array(t, &a);
        return;
    }
    case LH_TYPE_MAP: {
        lh_narray_t k, x;
        lh_nmap_open(v->type, v->v.str, &k, &x);
        nt_puts(t, "{");
        for (uint32_t i = 0; i < k.count; i++) {
            lh_value_t a, b;
            lh_narray_get(&k, i, &a);
            lh_narray_get(&x, i, &b);
            if (i)
                nt_puts(t, ",");
            nt_value(t, &a);
            nt_puts(t, ":");
            nt_value(t, &b);
        }
        nt_puts(t, "}");
        return;
    }
    case LH_TYPE_STRUCT:
        nt_puts(t, "{");
        for (int i = 0; i < v->type.nested->field_count; i++) {
            lh_value_t f;
            lh_nstruct_get(v->type, v->v.str, i, &f);
            if (i)
                nt_puts(t, ",");
            nt_puts(t, "\"");
            nt_puts(t, v->type.nested->fields[i].name);
            nt_puts(t, "\":");
            nt_value(t, &f);
        }
        nt_puts(t, "}");
        return;
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
        nt_puts(t, "\"");
        nt_put(t, (const char *)v->v.str.ptr, v->v.str.len);
        nt_puts(t, "\"");
        return;
    case LH_TYPE_BOOLEAN:
        nt_puts(t, v->v.i64 ? "true" : "false");
        return;
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        snprintf(tmp, sizeof tmp, "%g", v->v.f64);
        nt_puts(t, tmp);
        return;
    default:
        snprintf(tmp, sizeof tmp, "%lld", (long long)v->v.i64);
        nt_puts(t, tmp);
        return;
    }
}

/* Text of row i of a vector of any type. */
static inline const char *nt_row(ntext *t, const lh_vec_t *v, size_t i)
{
    lh_value_t x;
    t->len = 0;
    t->buf[0] = '\0';
    lh_vec_get_value(v, i, &x);
    nt_value(t, &x);
    return t->buf;
}

#endif
