/*
 * json.c - the JSON reader: JSON lines (one object per line; a line holding an array of
 * objects gives one row each) or, with multiLine, one value per file. A hand-written
 * parser reads each value straight into the column's type; no document tree is built.
 *
 * Inference (Spark's JsonInferSchema): integers are BIGINT, other numbers DOUBLE, true and
 * false BOOLEAN, strings STRING, objects STRUCT (fields sorted by name, as Spark sorts
 * them), arrays ARRAY of their elements' merged type; BIGINT and DOUBLE merge to DOUBLE,
 * other mixes to STRING, fields only ever null to STRING. Top-level columns are sorted by
 * name too.
 *
 * Reading: a STRING column takes a JSON string's text, or any other value's JSON text
 * (compact, as Spark's Jackson generator writes it). A value that does not fit its column
 * is NULL and makes the record malformed (mode: see files.h; the rescued data column keeps
 * its JSON text). A line that is not a JSON object is malformed: all NULL in PERMISSIVE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/nested.h"
#include "compute/files/files_internal.h"
#include "compute/func/csv_text.h"
#include "compute/func/datetime.h"

typedef struct jp {
    const char *p, *end;
    int depth;
    ff_sbuf *tmp; /* unescaped strings and nested encodings of the current record */
} jp;

static void ws(jp *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

static bool lit(jp *j, const char *w, size_t n)
{
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
        return false;
    j->p += n;
    return true;
}

static int hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static bool put_utf8(ff_sbuf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    }
    return ff_sb_put(b, u, n);
}

/* A string at j->p (the opening quote): its text as an offset and length into j->tmp, or
 * (no escapes) a pointer into the input: *s. */
static bool str(jp *j, const char **s, size_t *n, size_t *tmp_off, bool *in_tmp)
{
    if (j->p >= j->end || *j->p != '"')
        return false;
    const char *a = ++j->p;
    while (j->p < j->end && *j->p != '"' && *j->p != '\\' && (unsigned char)*j->p >= 0x20)
        j->p++;
    if (j->p < j->end && *j->p == '"') {
        *s = a, *n = (size_t)(j->p - a), *in_tmp = false;
        j->p++;
        return true;
    }
    size_t off = j->tmp->n;
    if (!ff_sb_put(j->tmp, a, (size_t)(j->p - a)))
        return false;
    while (j->p < j->end && *j->p != '"') {
        unsigned char c = (unsigned char)*j->p;
        if (c < 0x20)
            return false;
        if (c != '\\') {
            if (!ff_sb_put(j->tmp, j->p++, 1))
                return false;
            continue;
        }
        if (j->end - j->p < 2)
            return false;
        char e = j->p[1];
        j->p += 2;
        const char *m = strchr("\"\\/bfnrt", e);
        if (e != 'u') {
            static const char rep[] = "\"\\/\b\f\n\r\t";
            if (m == NULL || e == '\0' || !ff_sb_put(j->tmp, &rep[m - "\"\\/bfnrt"], 1))
                return false;
            continue;
        }
        int cp = j->end - j->p >= 4 ? hex4(j->p) : -1;
        if (cp < 0)
            return false;
        j->p += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && j->end - j->p >= 6 && j->p[0] == '\\' &&
            j->p[1] == 'u') {
            int lo = hex4(j->p + 2);
            if (lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                j->p += 6;
            }
        }
        if (!put_utf8(j->tmp, (unsigned)cp))
            return false;
    }
    if (j->p >= j->end)
        return false;
    j->p++;
    *tmp_off = off, *n = j->tmp->n - off, *in_tmp = true, *s = NULL;
    return true;
}

static bool number(jp *j, bool *is_int)
{
    const char *a = j->p;
    if (j->p < j->end && *j->p == '-')
        j->p++;
    const char *d = j->p;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
        j->p++;
    if (j->p == d)
        return false;
    *is_int = true;
    if (j->p < j->end && *j->p == '.') {
        *is_int = false;
        const char *f = ++j->p;
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
            j->p++;
        if (j->p == f)
            return false;
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        *is_int = false;
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
            j->p++;
        const char *x = j->p;
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
            j->p++;
        if (j->p == x)
            return false;
    }
    return j->p > a;
}

/* Skip one value (syntax checked). */
static bool skip(jp *j)
{
    ws(j);
    if (j->p >= j->end || ++j->depth > LH_FF_JSON_DEPTH_MAX)
        return false;
    bool ok = true, is_int;
    const char *s;
    size_t n, off;
    bool in_tmp;
    size_t mark = j->tmp->n;
    char c = *j->p;
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->p++;
        ws(j);
        if (j->p < j->end && *j->p == close) {
            j->p++;
        } else {
            for (;;) {
                if (c == '{') {
                    ws(j);
                    if (!str(j, &s, &n, &off, &in_tmp))
                        return false;
                    ws(j);
                    if (!lit(j, ":", 1))
                        return false;
                }
                if (!skip(j))
                    return false;
                ws(j);
                if (lit(j, ",", 1))
                    continue;
                if (!lit(j, &close, 1))
                    return false;
                break;
            }
        }
    } else if (c == '"') {
        ok = str(j, &s, &n, &off, &in_tmp);
    } else if (c == 't') {
        ok = lit(j, "true", 4);
    } else if (c == 'f') {
        ok = lit(j, "false", 5);
    } else if (c == 'n') {
        ok = lit(j, "null", 4);
    } else {
        ok = number(j, &is_int);
    }
    j->tmp->n = mark;
    j->depth--;
    return ok;
}

/* The compact JSON text of [a, b) (whitespace outside strings dropped) appended to tmp. */
static bool compact(ff_sbuf *b, const char *a, const char *e)
{
    bool in = false;
    for (const char *p = a; p < e; p++) {
        if (in) {
            if (*p == '\\' && p + 1 < e) {
                if (!ff_sb_put(b, p, 2))
                    return false;
                p++;
                continue;
            }
            in = *p != '"';
        } else if (*p == '"') {
            in = true;
        } else if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            continue;
        }
        if (!ff_sb_put(b, p, 1))
            return false;
    }
    return true;
}

/* ---- inference --------------------------------------------------------------------------------
 */

enum { JT_NULL, JT_BOOL, JT_LONG, JT_DOUBLE, JT_STRING, JT_ARRAY, JT_OBJECT };

typedef struct jt {
    int kind;
    struct jt *elem;
    int nf, cap;
    char **names;
    struct jt **fields;
} jt;

static void jt_clear(jt *t)
{
    if (t->elem) {
        jt_clear(t->elem);
        free(t->elem);
    }
    for (int i = 0; i < t->nf; i++) {
        free(t->names[i]);
        jt_clear(t->fields[i]);
        free(t->fields[i]);
    }
    free(t->names);
    free(t->fields);
    memset(t, 0, sizeof *t);
}

/* Merge scalar kind k into t. */
static void jt_merge(jt *t, int k)
{
    if (k == JT_NULL || t->kind == k)
        return;
    if (t->kind == JT_NULL) {
        t->kind = k;
        return;
    }
    if ((t->kind == JT_LONG && k == JT_DOUBLE) || (t->kind == JT_DOUBLE && k == JT_LONG)) {
        t->kind = JT_DOUBLE;
        return;
    }
    jt_clear(t);
    t->kind = JT_STRING;
}

static jt *jt_field(jt *t, const char *s, size_t n)
{
    for (int i = 0; i < t->nf; i++)
        if (strlen(t->names[i]) == n && memcmp(t->names[i], s, n) == 0)
            return t->fields[i];
    if (t->nf == t->cap) {
        int cap = t->cap ? t->cap * 2 : 8;
        char **nm = realloc(t->names, (size_t)cap * sizeof *nm);
        if (nm == NULL)
            return NULL;
        t->names = nm;
        jt **f = realloc(t->fields, (size_t)cap * sizeof *f);
        if (f == NULL)
            return NULL;
        t->fields = f;
        t->cap = cap;
    }
    jt *f = calloc(1, sizeof *f);
    char *nm = strndup(s, n);
    if (f == NULL || nm == NULL) {
        free(f);
        free(nm);
        return NULL;
    }
    t->names[t->nf] = nm;
    t->fields[t->nf++] = f;
    return f;
}

static bool infer(jp *j, jt *t)
{
    ws(j);
    if (j->p >= j->end || ++j->depth > LH_FF_JSON_DEPTH_MAX)
        return false;
    char c = *j->p;
    bool ok = true, is_int;
    size_t mark = j->tmp->n;
    if (c == '{' || c == '[') {
        int k = c == '{' ? JT_OBJECT : JT_ARRAY;
        bool as_string = t->kind != JT_NULL && t->kind != k;
        if (as_string) { /* a mix: the column is a STRING of JSON text */
            jt_merge(t, JT_STRING);
            ok = skip(j);
            j->depth--;
            return ok;
        }
        t->kind = k;
        char close = c == '{' ? '}' : ']';
        j->p++;
        ws(j);
        if (j->p < j->end && *j->p == close) {
            j->p++;
        } else {
            for (;;) {
                jt *sub = t;
                if (k == JT_OBJECT) {
                    const char *s;
                    size_t n, off;
                    bool in_tmp;
                    ws(j);
                    if (!str(j, &s, &n, &off, &in_tmp))
                        return false;
                    sub = jt_field(t, in_tmp ? j->tmp->p + off : s, n);
                    ws(j);
                    if (sub == NULL || !lit(j, ":", 1))
                        return false;
                } else {
                    if (t->elem == NULL && (t->elem = calloc(1, sizeof *t->elem)) == NULL)
                        return false;
                    sub = t->elem;
                }
                if (!infer(j, sub))
                    return false;
                ws(j);
                if (lit(j, ",", 1))
                    continue;
                if (!lit(j, &close, 1))
                    return false;
                break;
            }
        }
    } else {
        int k = JT_NULL;
        const char *s;
        size_t n, off;
        bool in_tmp;
        if (c == '"')
            ok = str(j, &s, &n, &off, &in_tmp), k = JT_STRING;
        else if (c == 't')
            ok = lit(j, "true", 4), k = JT_BOOL;
        else if (c == 'f')
            ok = lit(j, "false", 5), k = JT_BOOL;
        else if (c == 'n')
            ok = lit(j, "null", 4);
        else {
            const char *a = j->p;
            ok = number(j, &is_int);
            k = JT_DOUBLE; /* integers beyond BIGINT are DOUBLE here (Spark: DECIMAL) */
            if (ok && is_int) {
                lh_type_t it = lh_csv_infer_text(a, (size_t)(j->p - a), NULL);
                k = it.id == LH_TYPE_INT || it.id == LH_TYPE_LONG ? JT_LONG : JT_DOUBLE;
            }
        }
        if (ok)
            jt_merge(t, k);
    }
    j->tmp->n = mark;
    j->depth--;
    return ok;
}

static int cmp_name(const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;
    return strcmp(*x, *y);
}

static lh_type_t jt_type(const jt *t)
{
    switch (t->kind) {
    case JT_BOOL:
        return (lh_type_t){LH_TYPE_BOOLEAN};
    case JT_LONG:
        return (lh_type_t){LH_TYPE_LONG};
    case JT_DOUBLE:
        return (lh_type_t){LH_TYPE_DOUBLE};
    case JT_ARRAY:
        return lh_type_array(t->elem ? jt_type(t->elem) : (lh_type_t){LH_TYPE_STRING});
    case JT_OBJECT: {
        int n = t->nf;
        if (n == 0)
            return (lh_type_t){LH_TYPE_STRING}; /* Spark drops empty structs; kept as text */
        const char **names = malloc((size_t)n * sizeof *names);
        lh_type_t *types = malloc((size_t)n * sizeof *types);
        int *order = malloc((size_t)n * sizeof *order);
        if (!names || !types || !order) {
            free(names), free(types), free(order);
            return (lh_type_t){LH_TYPE_STRING};
        }
        for (int i = 0; i < n; i++)
            names[i] = t->names[i];
        qsort(names, (size_t)n, sizeof *names, cmp_name);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++)
                if (t->names[k] == names[i])
                    types[i] = jt_type(t->fields[k]);
        lh_type_t r = lh_type_struct(n, names, types);
        free(names), free(types), free(order);
        return r;
    }
    default:
        return (lh_type_t){LH_TYPE_STRING};
    }
}

struct lh_ff_json_infer {
    jt root; /* an object: the columns */
};

lh_ff_json_infer_t *lh_ff_json_infer_new(void)
{
    lh_ff_json_infer_t *st = calloc(1, sizeof *st);
    if (st)
        st->root.kind = JT_OBJECT;
    return st;
}

void lh_ff_json_infer_free(lh_ff_json_infer_t *st)
{
    if (st == NULL)
        return;
    jt_clear(&st->root);
    free(st);
}

/* A record (an object, or an array of objects) into the root. Malformed ones are skipped
 * (Spark infers over the good records). */
static void infer_record(lh_ff_json_infer_t *st, jp *j)
{
    ws(j);
    if (j->p < j->end && *j->p == '[') {
        j->p++;
        ws(j);
        if (lit(j, "]", 1))
            return;
        do {
            ws(j);
            if (j->p >= j->end || *j->p != '{' || !infer(j, &st->root))
                return;
            ws(j);
        } while (lit(j, ",", 1));
        return;
    }
    if (j->p < j->end && *j->p == '{')
        (void)infer(j, &st->root);
    st->root.kind = JT_OBJECT; /* a malformed line cannot change the top level */
}

lh_err lh_ff_json_infer_add(lh_ff_json_infer_t *st, const lh_ff_opts_t *o, const char *buf,
                            size_t len, lh_errbuf *eb)
{
    ff_sbuf tmp = {0};
    const char *p = buf, *end = buf + len;
    while (p < end) {
        const char *nl = o->multiline ? end : memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            nl = end;
        jp j = {p, nl, 0, &tmp};
        infer_record(st, &j);
        p = nl + 1;
    }
    free(tmp.p);
    (void)eb;
    return LH_OK;
}

void lh_ff_json_infer_result(const lh_ff_json_infer_t *st, lh_arena_t *a, int *count,
                             const char ***names, lh_type_t **types)
{
    const jt *r = &st->root;
    int n = r->nf;
    const char **nm = lh_arena_calloc(a, (size_t)n + 1, sizeof *nm);
    lh_type_t *ty = lh_arena_calloc(a, (size_t)n + 1, sizeof *ty);
    for (int i = 0; i < n; i++)
        nm[i] = lh_arena_strdup(a, r->names[i]);
    qsort(nm, (size_t)n, sizeof *nm, cmp_name);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++)
            if (strcmp(r->names[k], nm[i]) == 0)
                ty[i] = jt_type(r->fields[k]);
    *count = n;
    *names = nm;
    *types = ty;
}

/* ---- reading ----------------------------------------------------------------------------------
 */

typedef struct rd {
    const lh_tz_t *tz;
} rd;

static bool conv(jp *j, const rd *r, lh_type_t t, lh_value_t *out, ff_sbuf *hold);

/* A value's text for a STRING column: the string's text, or the value's compact JSON. */
static bool conv_string(jp *j, lh_value_t *out, ff_sbuf *hold)
{
    const char *s;
    size_t n, off;
    bool in_tmp;
    if (*j->p == '"') {
        if (!str(j, &s, &n, &off, &in_tmp))
            return false;
        size_t at = hold->n;
        if (!ff_sb_put(hold, in_tmp ? j->tmp->p + off : s, n))
            return false;
        out->v.str = (lh_sv_t){(const uint8_t *)(uintptr_t)at, (uint32_t)n};
        return true;
    }
    const char *a = j->p;
    if (!skip(j))
        return false;
    size_t at = hold->n;
    if (!compact(hold, a, j->p))
        return false;
    out->v.str = (lh_sv_t){(const uint8_t *)(uintptr_t)at, (uint32_t)(hold->n - at)};
    return true;
}

/* Offsets stored in v.str.ptr (hold may move while a record is read) become pointers. */
static void fix_ptr(lh_value_t *v, const ff_sbuf *hold)
{
    if (!v->is_null && lh_type_is_bytes(v->type))
        v->v.str.ptr = (const uint8_t *)hold->p + (uintptr_t)v->v.str.ptr;
}

static bool conv_nested(jp *j, const rd *r, lh_type_t t, lh_value_t *out, ff_sbuf *hold)
{
    const lh_ntype_t *nt = t.nested;
    bool obj = t.id != LH_TYPE_ARRAY;
    char open = obj ? '{' : '[', close = obj ? '}' : ']';
    if (*j->p != open)
        return false;
    j->p++;
    int cap = obj && t.id == LH_TYPE_STRUCT ? nt->field_count : 8, n = 0;
    lh_value_t *vals = calloc((size_t)cap + 1, sizeof *vals);
    lh_value_t *keys = t.id == LH_TYPE_MAP ? calloc((size_t)cap + 1, sizeof *keys) : NULL;
    ff_sbuf mine = {0}; /* this level's bytes (children's encodings and strings) */
    bool ok = vals != NULL && (t.id != LH_TYPE_MAP || keys != NULL);
    for (int i = 0; ok && t.id == LH_TYPE_STRUCT && i < nt->field_count; i++)
        vals[i] = (lh_value_t){nt->fields[i].type, true, {0}};
    ws(j);
    if (ok && j->p < j->end && *j->p == close) {
        j->p++;
    } else {
        while (ok) {
            lh_value_t *slot = NULL;
            lh_type_t vt = t.id == LH_TYPE_ARRAY ? nt->elem : nt->value;
            if (obj) {
                const char *s;
                size_t kn, off;
                bool in_tmp;
                ws(j);
                ok = str(j, &s, &kn, &off, &in_tmp);
                const char *k = ok ? (in_tmp ? j->tmp->p + off : s) : NULL;
                ws(j);
                ok = ok && lit(j, ":", 1);
                if (ok && t.id == LH_TYPE_STRUCT) {
                    for (int f = 0; f < nt->field_count && slot == NULL; f++)
                        if (strlen(nt->fields[f].name) == kn &&
                            memcmp(nt->fields[f].name, k, kn) == 0)
                            slot = &vals[f], vt = nt->fields[f].type;
                } else if (ok) {
                    size_t at = mine.n;
                    ok = ff_sb_put(&mine, k, kn);
                    if (n == cap) {
                        cap *= 2;
                        lh_value_t *nv = realloc(vals, (size_t)cap * sizeof *nv);
                        lh_value_t *nk = nv ? realloc(keys, (size_t)cap * sizeof *nk) : NULL;
                        vals = nv ? nv : vals;
                        keys = nk ? nk : keys;
                        ok = ok && nv && nk;
                    }
                    if (ok) {
                        keys[n] = (lh_value_t){nt->elem, false, {0}};
                        keys[n].v.str = (lh_sv_t){(const uint8_t *)(uintptr_t)at, (uint32_t)kn};
                        slot = &vals[n++];
                    }
                }
            } else {
                if (n == cap) {
                    cap *= 2;
                    lh_value_t *nv = realloc(vals, (size_t)cap * sizeof *nv);
                    ok = nv != NULL;
                    vals = nv ? nv : vals;
                }
                slot = ok ? &vals[n++] : NULL;
            }
            if (!ok)
                break;
            ws(j);
            if (slot == NULL) {
                ok = skip(j); /* a field the struct does not have */
            } else {
                slot->type = vt;
                ok = conv(j, r, vt, slot, &mine);
            }
            ws(j);
            if (ok && lit(j, ",", 1))
                continue;
            ok = ok && lit(j, &close, 1);
            break;
        }
    }
    if (ok) {
        int count = t.id == LH_TYPE_STRUCT ? nt->field_count : n;
        for (int i = 0; i < count; i++) {
            fix_ptr(&vals[i], &mine);
            if (keys)
                fix_ptr(&keys[i], &mine);
        }
        lh_nbuf_t nb = {0};
        lh_err e = t.id == LH_TYPE_STRUCT ? lh_nested_put_struct(&nb, t, vals)
                   : t.id == LH_TYPE_MAP  ? lh_nested_put_map(&nb, t, keys, vals, (size_t)n)
                                          : lh_nested_put_array(&nb, nt->elem, vals, (size_t)n);
        size_t at = hold->n;
        ok = e == LH_OK && ff_sb_put(hold, (const char *)nb.bytes, nb.len);
        out->v.str = (lh_sv_t){(const uint8_t *)(uintptr_t)at, (uint32_t)nb.len};
        lh_nbuf_free(&nb);
    }
    free(vals);
    free(keys);
    free(mine.p);
    return ok;
}

/* Parse a value at j into out (of type t); strings and nested bytes go to hold (out's
 * pointer is an offset into it until fix_ptr). false: malformed or not of type t (j is
 * then past the value when it was well-formed: *j->p tells). */
static bool conv(jp *j, const rd *r, lh_type_t t, lh_value_t *out, ff_sbuf *hold)
{
    ws(j);
    if (j->p >= j->end || ++j->depth > LH_FF_JSON_DEPTH_MAX)
        return false;
    out->type = t;
    out->is_null = false;
    bool ok = false, is_int = false;
    const char *a = j->p;
    if (lit(j, "null", 4)) {
        out->is_null = true;
        ok = true;
    } else if (t.id == LH_TYPE_STRING) {
        ok = conv_string(j, out, hold);
    } else if (lh_type_is_nested(t)) {
        ok = conv_nested(j, r, t, out, hold);
    } else if (t.id == LH_TYPE_BOOLEAN) {
        ok = lit(j, "true", 4)    ? (out->v.i64 = 1, true)
             : lit(j, "false", 5) ? (out->v.i64 = 0, true)
                                  : false;
    } else if (*j->p == '"') {
        const char *s;
        size_t n, off;
        bool in_tmp;
        ok = str(j, &s, &n, &off, &in_tmp);
        if (ok) {
            const char *txt = in_tmp ? j->tmp->p + off : s;
            lh_vec_t *v = lh_vec_create(t, 1);
            ok = v != NULL &&
                 (t.id == LH_TYPE_DOUBLE || t.id == LH_TYPE_FLOAT || t.id == LH_TYPE_DATE ||
                  t.id == LH_TYPE_TIMESTAMP || t.id == LH_TYPE_TIMESTAMP_NTZ ||
                  t.id == LH_TYPE_DECIMAL) &&
                 lh_csv_append_text(v, t, txt, n, r->tz);
            if (ok)
                lh_vec_get_value(v, 0, out);
            lh_vec_destroy(v);
            out->type = t;
        }
    } else if (number(j, &is_int)) {
        lh_vec_t *v = lh_vec_create(t, 1);
        bool int_type = t.id == LH_TYPE_LONG || t.id == LH_TYPE_INT || t.id == LH_TYPE_SHORT ||
                        t.id == LH_TYPE_BYTE;
        ok = v != NULL && (!int_type || is_int) && t.id != LH_TYPE_DATE &&
             t.id != LH_TYPE_TIMESTAMP && t.id != LH_TYPE_TIMESTAMP_NTZ &&
             lh_csv_append_text(v, t, a, (size_t)(j->p - a), r->tz);
        if (ok)
            lh_vec_get_value(v, 0, out);
        lh_vec_destroy(v);
        out->type = t;
    }
    if (!ok) { /* the caller steps over the value */
        j->p = a;
        out->is_null = true;
    }
    j->depth--;
    return ok;
}

static lh_err append_value(lh_vec_t *v, const lh_value_t *x)
{
    if (x->is_null)
        return lh_vec_append_null(v);
    switch (x->type.id) {
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        return lh_vec_append_f64(v, x->v.f64);
    case LH_TYPE_DECIMAL:
        if (x->type.precision > 18)
            return lh_vec_append_i128(v, x->v.i128);
        return lh_vec_append_i64(v, x->v.i64);
    default:
        if (lh_type_is_bytes(x->type))
            return lh_vec_append_str(v, x->v.str.ptr, x->v.str.len);
        return lh_vec_append_i64(v, x->v.i64);
    }
}

typedef struct rowctx {
    const lh_ff_scan_t *s;
    rd r;
    lh_value_t *vals;
    ff_sbuf hold, resc;
    int next; /* the column expected next (keys mostly come in the same order) */
} rowctx;

static int find_col(rowctx *c, const char *k, size_t n)
{
    const lh_ff_scan_t *s = c->s;
    int ncols = s->col_count - (s->rescued_col >= 0);
    for (int t = 0; t < ncols; t++) {
        int i = (c->next + t) % ncols;
        if (strlen(s->names[i]) == n && memcmp(s->names[i], k, n) == 0) {
            c->next = i + 1 < ncols ? i + 1 : 0;
            return i;
        }
    }
    return -1;
}

/* One object into c->vals. *bad: a value did not fit its column. false: malformed. */
static bool read_object(jp *j, rowctx *c, bool *bad)
{
    const lh_ff_scan_t *s = c->s;
    int ncols = s->col_count - (s->rescued_col >= 0);
    for (int i = 0; i < ncols; i++)
        c->vals[i] = (lh_value_t){s->types[i], true, {0}};
    c->hold.n = 0;
    c->resc.n = 0;
    c->next = 0;
    ws(j);
    if (!lit(j, "{", 1))
        return false;
    ws(j);
    if (lit(j, "}", 1))
        return true;
    for (;;) {
        const char *ks;
        size_t kn, off;
        bool in_tmp;
        ws(j);
        if (!str(j, &ks, &kn, &off, &in_tmp))
            return false;
        const char *k = in_tmp ? j->tmp->p + off : ks;
        ws(j);
        if (!lit(j, ":", 1))
            return false;
        int col = find_col(c, k, kn);
        ws(j);
        const char *a = j->p;
        if (col < 0) {
            if (!skip(j))
                return false;
        } else if (!conv(j, &c->r, s->types[col], &c->vals[col], &c->hold)) {
            j->p = a;
            if (!skip(j))
                return false;
            *bad = true;
            if (s->rescued_col >= 0) { /* a string's text, or the value's JSON text */
                ff_sbuf txt = {0};
                const char *ss, *end = j->p;
                size_t sn, soff;
                bool s_tmp;
                jp sj = {a, end, 0, j->tmp};
                bool ok = *a == '"' && str(&sj, &ss, &sn, &soff, &s_tmp)
                              ? ff_sb_put(&txt, s_tmp ? j->tmp->p + soff : ss, sn)
                              : compact(&txt, a, end);
                ok = ok && ff_rescue_add(&c->resc, s->names[col], txt.p ? txt.p : "", txt.n);
                free(txt.p);
                if (!ok)
                    return false;
            }
        }
        ws(j);
        if (lit(j, ",", 1))
            continue;
        return lit(j, "}", 1);
    }
}

static lh_err put_row(rowctx *c, ff_out *o, const char *path, bool malformed_rec)
{
    const lh_ff_scan_t *s = c->s;
    int ncols = s->col_count - (s->rescued_col >= 0);
    for (int i = 0; i < ncols; i++) {
        lh_value_t v = malformed_rec ? (lh_value_t){s->types[i], true, {0}} : c->vals[i];
        fix_ptr(&v, &c->hold);
        LH_TRY(append_value(o->cols[i], &v));
    }
    if (s->rescued_col >= 0) {
        lh_vec_t *v = o->cols[s->rescued_col];
        if (c->resc.n == 0 || malformed_rec)
            return lh_vec_append_null(v);
        if (!ff_rescue_finish(&c->resc, path))
            return LH_E_NOMEM;
        return lh_vec_append_str(v, c->resc.p, c->resc.n);
    }
    return LH_OK;
}

/* One record [p, e): an object or an array of objects, as rows of o. */
static lh_err read_record(rowctx *c, ff_out *o, const char *path, const char *p, const char *e,
                          ff_sbuf *tmp, lh_ff_emit_fn emit, void *ctx, lh_errbuf *eb)
{
    jp j = {p, e, 0, tmp};
    ws(&j);
    if (j.p >= j.end)
        return LH_OK; /* a blank line */
    bool array = j.p < j.end && *j.p == '[';
    if (array) {
        j.p++;
        ws(&j);
        if (lit(&j, "]", 1)) {
            ws(&j);
            if (j.p == j.end)
                return LH_OK;
        }
    }
    for (;;) {
        bool bad = false;
        tmp->n = 0;
        bool ok = read_object(&j, c, &bad);
        ws(&j);
        bool more = ok && array && lit(&j, ",", 1);
        if (ok && array && !more)
            ok = lit(&j, "]", 1);
        if (ok && !more) {
            ws(&j);
            ok = j.p == j.end;
        }
        if ((!ok || bad) && c->s->opts.mode == LH_FF_FAILFAST)
            return ff_malformed(p, (size_t)(e - p), eb);
        if ((!ok || bad) && c->s->opts.mode == LH_FF_DROPMALFORMED) {
            if (!more)
                return LH_OK;
            continue;
        }
        LH_TRY(put_row(c, o, path, !ok));
        if (++o->b.row_count == LH_BATCH_ROWS)
            LH_TRY(ff_out_flush(o, emit, ctx, eb));
        if (!more || !ok)
            return LH_OK;
    }
}

lh_err lh_ff_json_parse(const lh_ff_scan_t *s, const char *path, const char *buf, size_t len,
                        lh_ff_emit_fn emit, void *ctx, int64_t *rows, lh_errbuf *eb)
{
    rowctx c = {s, {lh_tz_get(s->opts.time_zone ? s->opts.time_zone : "UTC")}, NULL, {0}, {0}, 0};
    c.vals = calloc((size_t)s->col_count + 1, sizeof *c.vals);
    ff_out o = {0};
    ff_sbuf tmp = {0};
    lh_err e = c.vals != NULL && ff_out_init(&o, s) ? LH_OK : LH_E_NOMEM;
    const char *p = buf, *end = buf + len;
    while (e == LH_OK && p < end) {
        const char *nl = s->opts.multiline ? end : memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            nl = end;
        e = read_record(&c, &o, path, p, nl, &tmp, emit, ctx, eb);
        p = nl + 1;
    }
    if (e == LH_E_NOMEM && eb->msg[0] == '\0')
        lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK)
        e = ff_out_flush(&o, emit, ctx, eb);
    if (rows)
        *rows = o.rows;
    ff_out_free(&o, s->col_count);
    free(c.vals);
    free(c.hold.p);
    free(c.resc.p);
    free(tmp.p);
    return e;
}
