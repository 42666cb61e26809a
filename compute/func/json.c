/*
 * json.c - get_json_object(json, path) and json_path_extract (the `:` operator on STRING
 * columns, rewritten by the binder), with Spark's JSONPath subset: $, .name, ['name'],
 * [n], [*] and .* (wildcards collect matches into a JSON array).
 *
 * A small scanner walks the text without building a tree: each path step skips values
 * until it reaches the member or element, so one row costs one pass over its prefix.
 * Results: strings unquoted and unescaped, numbers and booleans as written, null as SQL
 * NULL, objects and arrays as compact JSON (whitespace outside strings removed, as Spark
 * re-serializes them). Malformed JSON or path -> NULL, as Spark.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "common/limits.h"
#include "compute/func/fn.h"

#define JSON_MAX_STEPS 32

typedef struct step {
    int kind; /* 0 name, 1 index, 2 wildcard */
    const char *name;
    size_t len;
    long index;
    bool ci; /* a name matched in any case (json_path_extract's .name and .`name`) */
} step_t;

typedef struct jpath {
    int n;
    step_t s[JSON_MAX_STEPS];
} jpath_t;

/* ci: the `:` operator's paths, whose .name and .`name` steps match in any case (a
 * ['name'] step matches exactly, as in get_json_object). */
static bool parse_path(const char *p, size_t n, jpath_t *out, bool ci)
{
    size_t i = 0;
    out->n = 0;
    if (n == 0 || p[0] != '$')
        return false;
    for (i = 1; i < n;) {
        if (out->n >= JSON_MAX_STEPS)
            return false;
        step_t *st = &out->s[out->n++];
        *st = (step_t){0}; /* a ['name'] step matches case-sensitively (ci false) */
        if (p[i] == '.') {
            i++;
            if (i < n && p[i] == '*') {
                st->kind = 2, i++;
                continue;
            }
            st->ci = ci;
            if (ci && i < n && p[i] == '`') { /* .`zip code` */
                size_t b = ++i;
                while (i < n && p[i] != '`')
                    i++;
                if (i >= n)
                    return false;
                st->kind = 0, st->name = p + b, st->len = i - b;
                i++;
                continue;
            }
            size_t b = i;
            while (i < n && p[i] != '.' && p[i] != '[')
                i++;
            if (i == b)
                return false;
            st->kind = 0, st->name = p + b, st->len = i - b;
        } else if (p[i] == '[') {
            i++;
            if (i < n && p[i] == '*') {
                st->kind = 2, i++;
            } else if (i < n && (p[i] == '\'' || p[i] == '"')) {
                char q = p[i++];
                size_t b = i;
                while (i < n && p[i] != q)
                    i++;
                if (i >= n)
                    return false;
                st->kind = 0, st->name = p + b, st->len = i - b;
                i++;
            } else {
                if (i >= n || !isdigit((unsigned char)p[i]))
                    return false;
                long v = 0;
                while (i < n && isdigit((unsigned char)p[i]) && v < 100000000)
                    v = v * 10 + (p[i++] - '0');
                st->kind = 1, st->index = v;
            }
            if (i >= n || p[i] != ']')
                return false;
            i++;
        } else {
            return false;
        }
    }
    return true;
}

typedef struct jtext {
    const char *s;
    size_t n;
} jtext_t;

static size_t skip_ws(jtext_t t, size_t i)
{
    while (i < t.n && isspace((unsigned char)t.s[i]))
        i++;
    return i;
}

/* End of the string starting at the quote at i, or 0 on error. */
static size_t skip_string(jtext_t t, size_t i)
{
    for (i++; i < t.n; i++) {
        if (t.s[i] == '\\')
            i++;
        else if (t.s[i] == '"')
            return i + 1;
    }
    return 0;
}

/* End of the value at i (after whitespace), or 0 on malformed input. */
static size_t skip_value(jtext_t t, size_t i, int depth)
{
    i = skip_ws(t, i);
    if (i >= t.n || depth > LH_SQL_JSON_DEPTH_MAX)
        return 0;
    char c = t.s[i];
    if (c == '"')
        return skip_string(t, i);
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        i = skip_ws(t, i + 1);
        if (i < t.n && t.s[i] == close)
            return i + 1;
        for (;;) {
            if (c == '{') {
                i = skip_ws(t, i);
                if (i >= t.n || t.s[i] != '"' || (i = skip_string(t, i)) == 0)
                    return 0;
                i = skip_ws(t, i);
                if (i >= t.n || t.s[i] != ':')
                    return 0;
                i++;
            }
            if ((i = skip_value(t, i, depth + 1)) == 0)
                return 0;
            i = skip_ws(t, i);
            if (i < t.n && t.s[i] == ',') {
                i++;
                continue;
            }
            return i < t.n && t.s[i] == close ? i + 1 : 0;
        }
    }
    size_t b = i;
    while (i < t.n && (isalnum((unsigned char)t.s[i]) || strchr("+-.", t.s[i])))
        i++;
    return i > b ? i : 0;
}

/* Does the JSON string at [b, e) (quotes included) equal name? */
static bool key_eq(jtext_t t, size_t b, size_t e, const step_t *st)
{
    return e - b - 2 == st->len && (st->ci ? strncasecmp(t.s + b + 1, st->name, st->len)
                                           : memcmp(t.s + b + 1, st->name, st->len)) == 0;
}

typedef struct match {
    size_t b[64], e[64];
    int n;
    bool multi; /* a wildcard was crossed: answer is an array */
} match_t;

static void walk(jtext_t t, size_t i, const jpath_t *p, int k, match_t *m, int depth)
{
    i = skip_ws(t, i);
    if (k == p->n) {
        size_t e = skip_value(t, i, depth);
        if (e && m->n < 64)
            m->b[m->n] = i, m->e[m->n++] = e;
        return;
    }
    if (i >= t.n || depth > LH_SQL_JSON_DEPTH_MAX)
        return;
    const step_t *st = &p->s[k];
    char c = t.s[i];
    if (c == '{' && st->kind != 1) {
        size_t j = skip_ws(t, i + 1);
        while (j < t.n && t.s[j] == '"') {
            size_t ke = skip_string(t, j);
            if (ke == 0)
                return;
            size_t v = skip_ws(t, ke);
            if (v >= t.n || t.s[v] != ':')
                return;
            v++;
            if (st->kind == 2 || key_eq(t, j, ke, st)) {
                if (st->kind == 2)
                    m->multi = true;
                walk(t, v, p, k + 1, m, depth + 1);
                if (st->kind == 0)
                    return;
            }
            size_t ve = skip_value(t, v, depth + 1);
            if (ve == 0)
                return;
            j = skip_ws(t, ve);
            if (j < t.n && t.s[j] == ',')
                j = skip_ws(t, j + 1);
        }
    } else if (c == '[' && st->kind != 0) {
        size_t j = skip_ws(t, i + 1);
        for (long idx = 0; j < t.n && t.s[j] != ']'; idx++) {
            if (st->kind == 2 || idx == st->index) {
                if (st->kind == 2)
                    m->multi = true;
                walk(t, j, p, k + 1, m, depth + 1);
                if (st->kind == 1)
                    return;
            }
            size_t ve = skip_value(t, j, depth + 1);
            if (ve == 0)
                return;
            j = skip_ws(t, ve);
            if (j < t.n && t.s[j] == ',')
                j = skip_ws(t, j + 1);
        }
    }
}

/* Append the value at [b, e) as Spark prints it: strings unescaped when top-level. */
static bool emit(jtext_t t, size_t b, size_t e, bool raw_string, char **o, size_t *on, size_t *cap)
{
    size_t need = *on + (e - b) + 4;
    if (need > *cap) {
        char *q = realloc(*o, need * 2);
        if (q == NULL)
            return false;
        *o = q, *cap = need * 2;
    }
    if (raw_string && t.s[b] == '"') {
        for (size_t i = b + 1; i + 1 < e; i++) {
            char c = t.s[i];
            if (c == '\\' && i + 2 < e) {
                char x = t.s[++i];
                if (x == 'u' && i + 4 < e) {
                    unsigned v = 0;
                    sscanf(t.s + i + 1, "%4x", &v);
                    i += 4;
                    if (v < 0x80) {
                        (*o)[(*on)++] = (char)v;
                    } else if (v < 0x800) {
                        (*o)[(*on)++] = (char)(0xC0 | v >> 6);
                        (*o)[(*on)++] = (char)(0x80 | (v & 0x3F));
                    } else {
                        (*o)[(*on)++] = (char)(0xE0 | v >> 12); /* need <= 3 per 6 in */
                        (*o)[(*on)++] = (char)(0x80 | ((v >> 6) & 0x3F));
                        (*o)[(*on)++] = (char)(0x80 | (v & 0x3F));
                    }
                    continue;
                }
                c = x == 'n'   ? '\n'
                    : x == 't' ? '\t'
                    : x == 'r' ? '\r'
                    : x == 'b' ? '\b'
                    : x == 'f' ? '\f'
                               : x;
            }
            (*o)[(*on)++] = c;
        }
        return true;
    }
    bool in_str = false;
    for (size_t i = b; i < e; i++) {
        char c = t.s[i];
        if (in_str && c == '\\') {
            (*o)[(*on)++] = c;
            (*o)[(*on)++] = t.s[++i];
            continue;
        }
        if (c == '"')
            in_str = !in_str;
        if (!in_str && isspace((unsigned char)c))
            continue;
        (*o)[(*on)++] = c;
    }
    return true;
}

typedef struct json_bd {
    bool const_path;
    bool ci; /* json_path_extract */
    jpath_t path;
} json_bd_t;

static lh_err bind_json(lh_func_bind_t *b, bool ci, lh_errbuf *eb);

static lh_err b_json(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_json(b, false, eb);
}

static lh_err b_json_path(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_json(b, true, eb);
}

static lh_err bind_json(lh_func_bind_t *b, bool ci, lh_errbuf *eb)
{
    json_bd_t *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    bd->ci = ci;
    b->cast_to[0] = b->cast_to[1] = fn_type(LH_TYPE_STRING);
    const lh_value_t *p = b->const_args ? b->const_args[1] : NULL;
    if (p && !p->is_null && p->type.id == LH_TYPE_STRING) {
        /* the path text lives as long as the plan's constants: copy it */
        char *txt = lh_arena_strndup(b->arena, (const char *)p->v.str.ptr, p->v.str.len);
        bd->const_path = parse_path(txt, p->v.str.len, &bd->path, ci);
        if (!bd->const_path)
            bd->path.n = -1; /* invalid: every row NULL */
        bd->const_path = true;
    }
    b->bind_data = bd;
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_json(const lh_func_exec_t *x, lh_errbuf *eb)
{
    const json_bd_t *bd = x->bind_data;
    char *o = NULL;
    size_t cap = 0;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        jpath_t own;
        const jpath_t *p = &bd->path;
        if (!bd->const_path) {
            lh_sv_t ps = fn_str(x->args[1], i);
            if (!parse_path((const char *)ps.ptr, ps.len, &own, bd->ci))
                own.n = -1;
            p = &own;
        }
        lh_sv_t js = fn_str(x->args[0], i);
        jtext_t t = {(const char *)js.ptr, js.len};
        match_t m = {.n = 0};
        if (p->n >= 0)
            walk(t, 0, p, 0, &m, 0);
        size_t on = 0;
        bool ok = true;
        if (m.n == 0 || (m.n == 1 && !m.multi && m.e[0] - m.b[0] == 4 &&
                         memcmp(t.s + m.b[0], "null", 4) == 0)) {
            fn_put_null(x->out, i);
            continue;
        }
        if (m.multi && m.n > 1) {
            ok = emit((jtext_t){"[", 1}, 0, 1, false, &o, &on, &cap);
            for (int k = 0; ok && k < m.n; k++) {
                if (k)
                    ok = emit((jtext_t){",", 1}, 0, 1, false, &o, &on, &cap);
                ok = ok && emit(t, m.b[k], m.e[k], false, &o, &on, &cap);
            }
            ok = ok && emit((jtext_t){"]", 1}, 0, 1, false, &o, &on, &cap);
        } else {
            ok = emit(t, m.b[0], m.e[0], true, &o, &on, &cap);
        }
        lh_err e = ok ? fn_put_str(x->out, i, o, on) : LH_E_NOMEM;
        if (e) {
            free(o);
            LH_FAIL(e, eb, "get_json_object: out of memory");
        }
    }
    free(o);
    return LH_OK;
}

const lh_func_t lh_fn_json[] = {
    {"get_json_object", LH_FUNC_SCALAR, 2, 2, b_json, x_json, true},
    {"json_path_extract", LH_FUNC_SCALAR, 2, 2, b_json_path, x_json, true},
};
FN_COUNT(lh_fn_json);
