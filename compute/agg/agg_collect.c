/*
 * agg_collect.c - collect_list / collect_set / array_agg: the group's non-null values as an
 * ARRAY (common/nested.h).
 *
 * State: a growable buffer of the values in arrival order, each as its fixed-width slot or
 * a u32 length and the bytes (strings and nested values), and their count. Combine appends
 * the other partial's buffer. Finalize decodes the values, for collect_set sorts them and
 * drops repeats (Spark's order is its hash set's; ours is sorted, so deterministic), and
 * encodes the array. collect_list is order-sensitive like first/last.
 *
 * listagg / string_agg(expr[, delimiter]) (Spark 4's ListAgg): the group's non-null STRING
 * (or BINARY) values joined by the constant delimiter (NULL: none), NULL when there are none.
 * With WITHIN GROUP (ORDER BY k1 [DESC] [NULLS ..], ...) the binder calls the hidden row
 * "listagg ordered"(expr, delimiter, spec, k1, ...): spec is one "A"/"D" and one "F"/"L"
 * (NULLS FIRST/LAST) per key. A state row is its columns (expr, then the keys) each as a
 * null byte and, when not null, the slot or a u32 length and the bytes; finalize sorts the
 * rows by the keys (stable: ties keep arrival order) and joins the values.
 *
 * mode(expr[, deterministic]) (Spark 3.4): the most frequent non-null value, NULL when there
 * is none; of values equally frequent the smallest (Spark picks any unless deterministic is
 * true, then the smallest: we always do). Same state as collect_list; finalize sorts and
 * counts runs.
 */
#include <stdlib.h>
#include <string.h>

#include "common/nested.h"
#include "compute/agg/agg_internal.h"
#include "compute/func/format.h"
#include "compute/sql/sqlerr.h"

typedef struct collect_state {
    uint8_t *bytes;
    uint32_t len, cap;
    uint32_t count;
} collect_state;

typedef struct collect_bd {
    lh_type_t elem;
    bool set;
} collect_bd;

static lh_err bind(lh_func_bind_t *b, bool set, lh_errbuf *eb)
{
    (void)eb;
    collect_bd *bd = lh_arena_alloc(b->arena, sizeof *bd);
    bd->elem = b->arg_types[0];
    bd->set = set;
    b->bind_data = bd;
    b->ret_type = lh_type_array(bd->elem);
    b->ret_nullable = false;
    return LH_OK;
}

static lh_err list_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind(b, false, eb);
}

static lh_err set_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind(b, true, eb);
}

static size_t state_size(const void *bd)
{
    (void)bd;
    return sizeof(collect_state);
}

static void init(const void *bd, void *state)
{
    (void)bd;
    memset(state, 0, sizeof(collect_state));
}

static bool put(collect_state *s, const void *p, size_t n)
{
    if ((size_t)s->len + n > UINT32_MAX)
        return false;
    if (s->len + n > s->cap) {
        size_t cap = s->cap ? (size_t)s->cap * 2 : 64;
        while (cap < s->len + n)
            cap *= 2;
        if (cap > UINT32_MAX)
            cap = UINT32_MAX;
        uint8_t *q = realloc(s->bytes, cap);
        if (q == NULL)
            return false;
        s->bytes = q;
        s->cap = (uint32_t)cap;
    }
    memcpy(s->bytes + s->len, p, n);
    s->len += (uint32_t)n;
    return true;
}

static lh_err update(const void *bdp, void **states, const lh_vec_t *const *args, size_t rows,
                     lh_errbuf *eb)
{
    const lh_vec_t *v = args[0];
    bool bytes = lh_type_is_bytes(v->type);
    size_t w = lh_type_width(v->type);
    (void)bdp;
    for (size_t i = 0; i < rows; i++) {
        if (!lh_agg_valid(v, i) || v->type.id == LH_TYPE_NULL)
            continue;
        collect_state *s = states[i];
        bool ok;
        if (bytes) {
            lh_sv_t sv = ((const lh_sv_t *)v->data)[i];
            ok = put(s, &sv.len, 4) && put(s, sv.ptr, sv.len);
        } else {
            ok = put(s, (const char *)v->data + i * w, w);
        }
        LH_FAIL_IF(!ok, LH_E_NOMEM, eb, "collect_list: out of memory");
        s->count++;
    }
    return LH_OK;
}

static void combine(const void *bd, void *dst, const void *src)
{
    (void)bd;
    collect_state *d = dst;
    const collect_state *s = src;
    if (s->len > 0 && put(d, s->bytes, s->len))
        d->count += s->count;
}

/* The values of a state, decoded (strings point into the state). */
static void decode(const collect_bd *bd, const collect_state *s, lh_value_t *vals)
{
    bool bytes = lh_type_is_bytes(bd->elem);
    size_t w = lh_type_width(bd->elem), at = 0;
    lh_vec_t one = {.type = bd->elem, .count = 1, .capacity = 1};
    for (uint32_t k = 0; k < s->count; k++) {
        lh_value_t *v = &vals[k];
        if (bytes) {
            uint32_t n;
            memcpy(&n, s->bytes + at, 4);
            *v = (lh_value_t){.type = bd->elem, .v.str = {s->bytes + at + 4, n}};
            at += 4 + n;
            continue;
        }
        uint8_t slot[16];
        memcpy(slot, s->bytes + at, w);
        one.data = slot;
        lh_vec_get_value(&one, 0, v);
        at += w;
    }
}

static int cmp_vals(const void *a, const void *b)
{
    return lh_nested_value_cmp(a, b);
}

static lh_err finalize(const void *bdp, void *const *states, size_t count, lh_vec_t *out,
                       lh_errbuf *eb)
{
    const collect_bd *bd = bdp;
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    for (size_t k = 0; k < count && err == LH_OK; k++) {
        const collect_state *s = states[k];
        lh_value_t *vals = malloc(((size_t)s->count + 1) * sizeof *vals);
        if (vals == NULL) {
            err = LH_E_NOMEM;
            break;
        }
        decode(bd, s, vals);
        size_t n = s->count;
        if (bd->set && n > 1) {
            qsort(vals, n, sizeof *vals, cmp_vals);
            size_t m = 1;
            for (size_t j = 1; j < n; j++)
                if (lh_nested_value_cmp(&vals[m - 1], &vals[j]) != 0)
                    vals[m++] = vals[j];
            n = m;
        }
        nb.len = 0;
        err = lh_nested_put_array(&nb, bd->elem, vals, n);
        if (err == LH_OK)
            err = lh_vec_append_str(out, nb.bytes, nb.len);
        free(vals);
    }
    lh_nbuf_free(&nb);
    LH_FAIL_IF(err != LH_OK, err, eb, "collect_list: out of memory");
    return LH_OK;
}

static void destroy(const void *bd, void *state)
{
    (void)bd;
    collect_state *s = state;
    free(s->bytes);
    memset(s, 0, sizeof *s);
}

/* ---- mode ------------------------------------------------------------------------------------ */

static lh_err mode_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    if (b->arg_count > 1) {
        const lh_value_t *d = b->const_args ? b->const_args[1] : NULL;
        if (d == NULL || d->is_null || b->arg_types[1].id != LH_TYPE_BOOLEAN)
            return lh_sqlerr(eb, "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", "sqlExpr",
                             lh_arena_sprintf(b->arena, "\"%s\"", b->sql ? b->sql : "mode"),
                             "paramIndex", "second", "requiredType", "\"BOOLEAN\"", "inputSql",
                             lh_arena_sprintf(b->arena, "\"%s\"",
                                              lh_func_arg_sql(b, 1) ? lh_func_arg_sql(b, 1) : "?"),
                             "inputType", "a constant", NULL);
    }
    LH_TRY(bind(b, false, eb));
    b->ret_type = b->arg_types[0];
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err mode_finalize(const void *bdp, void *const *states, size_t count, lh_vec_t *out,
                            lh_errbuf *eb)
{
    const collect_bd *bd = bdp;
    lh_err err = LH_OK;
    for (size_t k = 0; k < count && err == LH_OK; k++) {
        const collect_state *s = states[k];
        if (s->count == 0 || bd->elem.id == LH_TYPE_NULL) {
            err = lh_vec_append_null(out);
            continue;
        }
        lh_value_t *vals = malloc((size_t)s->count * sizeof *vals);
        if (vals == NULL) {
            err = LH_E_NOMEM;
            break;
        }
        decode(bd, s, vals);
        qsort(vals, s->count, sizeof *vals, cmp_vals);
        size_t best = 0, best_n = 0;
        for (size_t i = 0, j; i < s->count; i = j) {
            for (j = i + 1; j < s->count && lh_nested_value_cmp(&vals[i], &vals[j]) == 0; j++)
                ;
            if (j - i > best_n)
                best = i, best_n = j - i;
        }
        err = lh_vec_append_value(out, &vals[best]);
        free(vals);
    }
    LH_FAIL_IF(err != LH_OK, err, eb, "mode: out of memory");
    return LH_OK;
}

/* ---- listagg ------------------------------------------------------------------------------ */

typedef struct listagg_bd {
    lh_type_t elem; /* STRING or BINARY */
    const uint8_t *delim;
    uint32_t delim_len;
    int keys; /* 0 without WITHIN GROUP */
    lh_type_t *key_types;
    bool *desc, *nulls_first;
} listagg_bd;

static lh_err listagg_bind_common(lh_func_bind_t *b, bool ordered, lh_errbuf *eb)
{
    const char *fname = "listagg";
    listagg_bd *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    lh_type_t t = b->arg_types[0];
    if (lh_type_is_nested(t))
        return lh_sqlerr(eb, "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", "sqlExpr",
                         lh_arena_sprintf(b->arena, "\"%s\"", b->sql ? b->sql : fname),
                         "paramIndex", "first", "requiredType", "(\"STRING\" or \"BINARY\")",
                         "inputSql", "the argument", "inputType", "\"ARRAY/MAP/STRUCT\"", NULL);
    bd->elem = t.id == LH_TYPE_BINARY ? t : (lh_type_t){LH_TYPE_STRING};
    b->cast_to[0] = t.id == LH_TYPE_NULL ? t : bd->elem;
    if (b->arg_count > 1) {
        const lh_value_t *d = b->const_args ? b->const_args[1] : NULL;
        lh_type_id dt = b->arg_types[1].id;
        if (d == NULL)
            return lh_sqlerr(eb, "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", "sqlExpr",
                             lh_arena_sprintf(b->arena, "\"%s\"", b->sql ? b->sql : fname),
                             "inputName", "`delimiter`", "inputType",
                             dt == LH_TYPE_BINARY ? "\"BINARY\"" : "\"STRING\"", "inputExpr",
                             lh_arena_sprintf(b->arena, "\"%s\"",
                                              lh_func_arg_sql(b, 1) ? lh_func_arg_sql(b, 1) : "?"),
                             NULL);
        if (dt != LH_TYPE_NULL && (dt == LH_TYPE_BINARY) != (bd->elem.id == LH_TYPE_BINARY))
            return lh_sqlerr(eb, "DATATYPE_MISMATCH.DATA_DIFF_TYPES", "sqlExpr",
                             lh_arena_sprintf(b->arena, "\"%s\"", b->sql ? b->sql : fname),
                             "functionName", "`listagg`", "dataType",
                             bd->elem.id == LH_TYPE_BINARY ? "[\"BINARY\", \"STRING\"]"
                                                           : "[\"STRING\", \"BINARY\"]",
                             NULL);
        if (dt != LH_TYPE_NULL && dt != LH_TYPE_BINARY && dt != LH_TYPE_STRING)
            b->cast_to[1] = (lh_type_t){LH_TYPE_STRING};
        if (!d->is_null && (dt == LH_TYPE_STRING || dt == LH_TYPE_BINARY)) {
            bd->delim = d->v.str.ptr;
            bd->delim_len = d->v.str.len;
        } else if (!d->is_null) { /* a number as delimiter: its text */
            char buf[64];
            const char *txt;
            size_t n = lh_format_value(d, NULL, LH_FMT_CAST, buf, &txt);
            bd->delim = (const uint8_t *)lh_arena_strndup(b->arena, txt, n);
            bd->delim_len = (uint32_t)n;
        }
    }
    if (ordered) {
        const lh_value_t *spec = b->const_args ? b->const_args[2] : NULL;
        int keys = b->arg_count - 3;
        LH_FAIL_IF(spec == NULL || spec->is_null || spec->type.id != LH_TYPE_STRING ||
                       spec->v.str.len != 2u * (uint32_t)keys || keys < 1,
                   LH_E_INVALID, eb, "listagg ordered: a bad ordering spec");
        bd->keys = keys;
        bd->key_types = lh_arena_calloc(b->arena, (size_t)keys, sizeof *bd->key_types);
        bd->desc = lh_arena_calloc(b->arena, (size_t)keys, sizeof *bd->desc);
        bd->nulls_first = lh_arena_calloc(b->arena, (size_t)keys, sizeof *bd->nulls_first);
        for (int k = 0; k < keys; k++) {
            char dir = (char)spec->v.str.ptr[2 * k], nf = (char)spec->v.str.ptr[2 * k + 1];
            LH_FAIL_IF((dir != 'A' && dir != 'D') || (nf != 'F' && nf != 'L'), LH_E_INVALID, eb,
                       "listagg ordered: a bad ordering spec");
            bd->key_types[k] = b->arg_types[3 + k];
            bd->desc[k] = dir == 'D';
            bd->nulls_first[k] = nf == 'F';
            LH_TRY(lh_func_check_orderable(b, eb, "sortorder", bd->key_types[k]));
        }
    }
    b->bind_data = bd;
    b->ret_type = bd->elem;
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err listagg_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    return listagg_bind_common(b, false, eb);
}

static lh_err listagg_ordered_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    return listagg_bind_common(b, true, eb);
}

/* Append column value row i of v to s: a null byte, then the slot or length and bytes. */
static bool put_cell(collect_state *s, const lh_vec_t *v, size_t i)
{
    uint8_t null = v->type.id == LH_TYPE_NULL || !lh_agg_valid(v, i);
    if (!put(s, &null, 1))
        return false;
    if (null)
        return true;
    if (lh_type_is_bytes(v->type)) {
        lh_sv_t sv = ((const lh_sv_t *)v->data)[i];
        return put(s, &sv.len, 4) && put(s, sv.ptr, sv.len);
    }
    size_t w = lh_type_width(v->type);
    return put(s, (const char *)v->data + i * w, w);
}

static lh_err listagg_update(const void *bdp, void **states, const lh_vec_t *const *args,
                             size_t rows, lh_errbuf *eb)
{
    const listagg_bd *bd = bdp;
    const lh_vec_t *v = args[0];
    for (size_t i = 0; i < rows; i++) {
        if (v->type.id == LH_TYPE_NULL || !lh_agg_valid(v, i))
            continue;
        collect_state *s = states[i];
        bool ok = put_cell(s, v, i);
        for (int k = 0; k < bd->keys && ok; k++)
            ok = put_cell(s, args[3 + k], i);
        LH_FAIL_IF(!ok, LH_E_NOMEM, eb, "listagg: out of memory");
        s->count++;
    }
    return LH_OK;
}

/* One cell of type t at *at (advanced past it). */
static void get_cell(const collect_state *s, lh_type_t t, size_t *at, lh_value_t *out)
{
    uint8_t null = s->bytes[(*at)++];
    *out = (lh_value_t){.type = t, .is_null = null != 0};
    if (null)
        return;
    if (lh_type_is_bytes(t)) {
        uint32_t n;
        memcpy(&n, s->bytes + *at, 4);
        out->v.str = (lh_sv_t){s->bytes + *at + 4, n};
        *at += 4 + n;
        return;
    }
    size_t w = lh_type_width(t);
    uint8_t slot[16];
    memcpy(slot, s->bytes + *at, w);
    lh_vec_t one = {.type = t, .count = 1, .capacity = 1, .data = slot};
    lh_vec_get_value(&one, 0, out);
    *at += w;
}

typedef struct la_row {
    const lh_value_t *cells; /* value, then the keys */
    uint32_t seq;
    const listagg_bd *bd;
} la_row;

static int la_cmp(const void *pa, const void *pb)
{
    const la_row *a = pa, *b = pb;
    for (int k = 0; k < a->bd->keys; k++) {
        const lh_value_t *x = &a->cells[1 + k], *y = &b->cells[1 + k];
        int c;
        if (x->is_null || y->is_null)
            c = x->is_null == y->is_null ? 0 : (x->is_null == a->bd->nulls_first[k] ? -1 : 1);
        else
            c = a->bd->desc[k] ? -lh_nested_value_cmp(x, y) : lh_nested_value_cmp(x, y);
        if (c != 0)
            return c;
    }
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static lh_err listagg_finalize(const void *bdp, void *const *states, size_t count, lh_vec_t *out,
                               lh_errbuf *eb)
{
    const listagg_bd *bd = bdp;
    int cols = 1 + bd->keys;
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    for (size_t g = 0; g < count && err == LH_OK; g++) {
        const collect_state *s = states[g];
        if (s->count == 0) {
            err = lh_vec_append_null(out);
            continue;
        }
        lh_value_t *cells = malloc((size_t)s->count * (size_t)cols * sizeof *cells);
        la_row *rows = malloc((size_t)s->count * sizeof *rows);
        if (cells == NULL || rows == NULL) {
            free(cells);
            free(rows);
            err = LH_E_NOMEM;
            break;
        }
        size_t at = 0;
        for (uint32_t r = 0; r < s->count; r++) {
            lh_value_t *c = &cells[(size_t)r * (size_t)cols];
            get_cell(s, bd->elem, &at, &c[0]);
            for (int k = 0; k < bd->keys; k++)
                get_cell(s, bd->key_types[k], &at, &c[1 + k]);
            rows[r] = (la_row){c, r, bd};
        }
        if (bd->keys > 0)
            qsort(rows, s->count, sizeof *rows, la_cmp);
        nb.len = 0;
        for (uint32_t r = 0; r < s->count && err == LH_OK; r++) {
            if (r > 0 && bd->delim_len > 0)
                err = lh_nbuf_put(&nb, bd->delim, bd->delim_len);
            if (err == LH_OK)
                err = lh_nbuf_put(&nb, rows[r].cells[0].v.str.ptr, rows[r].cells[0].v.str.len);
        }
        if (err == LH_OK)
            err = lh_vec_append_str(out, nb.bytes, nb.len);
        free(cells);
        free(rows);
    }
    lh_nbuf_free(&nb);
    LH_FAIL_IF(err != LH_OK, err, eb, "listagg: out of memory");
    return LH_OK;
}

const lh_agg_func_t lh_agg_collect_rows[] = {
    {"collect_list", 1, 1, list_bind, state_size, init, update, combine, finalize, destroy, true},
    {"array_agg", 1, 1, list_bind, state_size, init, update, combine, finalize, destroy, true},
    {"collect_set", 1, 1, set_bind, state_size, init, update, combine, finalize, destroy, false},
    {"mode", 1, 2, mode_bind, state_size, init, update, combine, mode_finalize, destroy, false},
    {"listagg", 1, 2, listagg_bind, state_size, init, listagg_update, combine, listagg_finalize,
     destroy, true},
    {"listagg ordered", 4, -1, listagg_ordered_bind, state_size, init, listagg_update, combine,
     listagg_finalize, destroy, true},
    {"string_agg", 1, 2, listagg_bind, state_size, init, listagg_update, combine, listagg_finalize,
     destroy, true},
};
const int lh_agg_collect_count = sizeof lh_agg_collect_rows / sizeof lh_agg_collect_rows[0];
