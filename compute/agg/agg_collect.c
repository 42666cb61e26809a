/*
 * agg_collect.c - collect_list / collect_set / array_agg: the group's non-null values as an
 * ARRAY (common/nested.h).
 *
 * State: a growable buffer of the values in arrival order, each as its fixed-width slot or
 * a u32 length and the bytes (strings and nested values), and their count. Combine appends
 * the other partial's buffer. Finalize decodes the values, for collect_set sorts them and
 * drops repeats (Spark's order is its hash set's; ours is sorted, so deterministic), and
 * encodes the array. collect_list is order-sensitive like first/last.
 */
#include <stdlib.h>
#include <string.h>

#include "common/nested.h"
#include "compute/agg/agg_internal.h"

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

const lh_agg_func_t lh_agg_collect_rows[] = {
    {"collect_list", 1, 1, list_bind, state_size, init, update, combine, finalize, destroy, true},
    {"array_agg", 1, 1, list_bind, state_size, init, update, combine, finalize, destroy, true},
    {"collect_set", 1, 1, set_bind, state_size, init, update, combine, finalize, destroy, false},
};
const int lh_agg_collect_count = sizeof lh_agg_collect_rows / sizeof lh_agg_collect_rows[0];
