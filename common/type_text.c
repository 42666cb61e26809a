/*
 * type_text.c - Spark's type text into an lh_type_t (see nested.h, lh_type_parse_text): the
 * DDL schemas of from_json and DataFrame readers ("a INT, b ARRAY<STRING> NOT NULL COMMENT
 * 'x'") and single types in SQL or catalog spelling ("MAP<STRING, INT>", "struct<a:int>",
 * "decimal(10,2)"), case-insensitively.
 *
 *   schema  := fields | type                  (a field list is tried first, as Spark does)
 *   fields  := field (',' field)*
 *   field   := name [':'] type [NOT NULL] [COMMENT 'text']
 *   type    := ARRAY '<' type '>' | MAP '<' type ',' type '>'
 *            | STRUCT '<' [field (',' field)*] '>' | INTERVAL [unit [TO unit]]
 *            | name ['(' int [',' int] ')']
 *   name    := letters, digits and '_' | `back-quoted, `` for a quote`
 *
 * A hand-written recursive descent over the bytes with one token of lookahead; nesting stops
 * at LH_TYPE_NESTING_MAX. Names are copied into a scratch buffer per parse (the interned
 * type copies them again), so nothing here outlives the call.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/limits.h"
#include "common/nested.h"

typedef struct tparser {
    const char *s;
    size_t n, i;
    int depth;
    lh_errbuf *eb;
} tparser;

static void skip_space(tparser *p)
{
    while (p->i < p->n && isspace((unsigned char)p->s[p->i]))
        p->i++;
}

static bool at_end(tparser *p)
{
    skip_space(p);
    return p->i >= p->n;
}

static bool eat(tparser *p, char c)
{
    skip_space(p);
    if (p->i < p->n && p->s[p->i] == c) {
        p->i++;
        return true;
    }
    return false;
}

static lh_err syntax(tparser *p, const char *what)
{
    skip_space(p);
    if (p->i >= p->n)
        LH_FAIL(LH_E_INVALID, p->eb, "syntax error in type text: %s expected at the end", what);
    LH_FAIL(LH_E_INVALID, p->eb, "syntax error in type text at position %zu ('%c'): %s expected",
            p->i + 1, p->s[p->i], what);
}

static bool word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* A name into buf (malloc'd, NUL-terminated); plain words or back-quoted. */
static lh_err name(tparser *p, char **out)
{
    skip_space(p);
    *out = NULL;
    size_t cap = 16, len = 0;
    char *b = malloc(cap);
    LH_FAIL_IF(b == NULL, LH_E_NOMEM, p->eb, "out of memory");
    bool quoted = p->i < p->n && p->s[p->i] == '`';
    if (quoted)
        p->i++;
    for (; p->i < p->n; p->i++) {
        char c = p->s[p->i];
        if (quoted && c == '`') {
            if (p->i + 1 < p->n && p->s[p->i + 1] == '`') {
                p->i++; /* `` is one quote */
            } else {
                p->i++;
                quoted = false;
                break;
            }
        } else if ((!quoted && !word_char(c)) || c == '\0') {
            break; /* a NUL ends the name (and fails the parse) */
        }
        if (len + 2 > cap) {
            char *nb = realloc(b, cap *= 2);
            if (nb == NULL) {
                free(b);
                LH_FAIL(LH_E_NOMEM, p->eb, "out of memory");
            }
            b = nb;
        }
        b[len++] = c;
    }
    b[len] = '\0';
    if (quoted || len == 0) {
        free(b);
        return syntax(p, "a name");
    }
    *out = b;
    return LH_OK;
}

/* Whether the next word is kw (case-insensitive, a whole word); consumes it if so. */
static bool keyword(tparser *p, const char *kw)
{
    skip_space(p);
    size_t k = strlen(kw);
    if (p->n - p->i < k || strncasecmp(p->s + p->i, kw, k) != 0 ||
        (p->i + k < p->n && word_char(p->s[p->i + k])))
        return false;
    p->i += k;
    return true;
}

static lh_err number(tparser *p, int *out)
{
    skip_space(p);
    long v = 0;
    size_t b = p->i;
    while (p->i < p->n && isdigit((unsigned char)p->s[p->i]) && v < 1000000)
        v = v * 10 + (p->s[p->i++] - '0');
    if (p->i == b)
        return syntax(p, "a number");
    *out = (int)v;
    return LH_OK;
}

typedef struct prim_row {
    const char *name;
    lh_type_id id;
} prim_row;

static const prim_row prims[] = {
    {"boolean", LH_TYPE_BOOLEAN},
    {"bool", LH_TYPE_BOOLEAN},
    {"tinyint", LH_TYPE_BYTE},
    {"byte", LH_TYPE_BYTE},
    {"smallint", LH_TYPE_SHORT},
    {"short", LH_TYPE_SHORT},
    {"int", LH_TYPE_INT},
    {"integer", LH_TYPE_INT},
    {"bigint", LH_TYPE_LONG},
    {"long", LH_TYPE_LONG},
    {"float", LH_TYPE_FLOAT},
    {"real", LH_TYPE_FLOAT},
    {"double", LH_TYPE_DOUBLE},
    {"string", LH_TYPE_STRING},
    {"varchar", LH_TYPE_STRING},
    {"char", LH_TYPE_STRING},
    {"binary", LH_TYPE_BINARY},
    {"date", LH_TYPE_DATE},
    {"timestamp", LH_TYPE_TIMESTAMP},
    {"timestamp_ltz", LH_TYPE_TIMESTAMP},
    {"timestamp_ntz", LH_TYPE_TIMESTAMP_NTZ},
    {"decimal", LH_TYPE_DECIMAL},
    {"dec", LH_TYPE_DECIMAL},
    {"numeric", LH_TYPE_DECIMAL},
    {"void", LH_TYPE_NULL},
};

static lh_err parse_type(tparser *p, lh_type_t *out);

static lh_err scalar(tparser *p, const char *word, lh_type_t *out)
{
    const prim_row *r = NULL;
    for (size_t k = 0; k < sizeof prims / sizeof prims[0] && r == NULL; k++)
        if (strcasecmp(prims[k].name, word) == 0)
            r = &prims[k];
    LH_FAIL_IF(r == NULL, LH_E_UNSUPPORTED, p->eb, "unsupported data type \"%s\"", word);
    *out = (lh_type_t){r->id, 0, 0, NULL};
    int a = r->id == LH_TYPE_DECIMAL ? 10 : 0, b = 0;
    if (eat(p, '(')) { /* decimal(p[,s]); varchar(n), char(n): the length is not kept */
        LH_TRY(number(p, &a));
        if (eat(p, ','))
            LH_TRY(number(p, &b));
        if (!eat(p, ')'))
            return syntax(p, "')'");
        LH_FAIL_IF(r->id != LH_TYPE_DECIMAL && r->id != LH_TYPE_STRING, LH_E_INVALID, p->eb,
                   "type \"%s\" takes no parameters", word);
    }
    if (r->id == LH_TYPE_DECIMAL) {
        LH_FAIL_IF(a < 1 || a > 38 || b > a, LH_E_INVALID, p->eb, "invalid decimal(%d,%d)", a, b);
        out->precision = (uint8_t)a;
        out->scale = (uint8_t)b;
    }
    return LH_OK;
}

/* The field of an ANSI interval: its index in YEAR, MONTH or DAY, HOUR, MINUTE, SECOND. */
static int interval_unit(tparser *p, bool *ym)
{
    static const char *const units[] = {"year", "month", "day", "hour", "minute", "second"};
    for (int u = 0; u < 6; u++)
        if (keyword(p, units[u])) {
            *ym = u < 2;
            return u < 2 ? u : u - 2;
        }
    return -1;
}

/* INTERVAL start [TO end]: an ANSI interval type, its fields in precision and scale as
 * field + 1 (compute/func/README.md); INTERVAL alone: a calendar interval (from_json and
 * from_csv schemas take it, as Spark does). */
static lh_err interval(tparser *p, lh_type_t *out)
{
    bool ym, ym_end;
    int start = interval_unit(p, &ym), end = start;
    if (start < 0) {
        *out = (lh_type_t){LH_TYPE_INTERVAL_CAL};
        return LH_OK;
    }
    if (keyword(p, "to")) {
        end = interval_unit(p, &ym_end);
        if (end < 0 || ym_end != ym || end <= start)
            return syntax(p, "an interval field after the start field");
    }
    *out = (lh_type_t){ym ? LH_TYPE_INTERVAL_YM : LH_TYPE_INTERVAL_DT, (uint8_t)(start + 1),
                       (uint8_t)(end + 1), NULL};
    return LH_OK;
}

/* [NOT NULL] [COMMENT 'text'] after a field's type: accepted, not kept. */
static lh_err field_tail(tparser *p)
{
    if (keyword(p, "not") && !keyword(p, "null"))
        return syntax(p, "NULL after NOT");
    if (!keyword(p, "comment"))
        return LH_OK;
    skip_space(p);
    if (p->i >= p->n || (p->s[p->i] != '\'' && p->s[p->i] != '"'))
        return syntax(p, "a quoted comment");
    char q = p->s[p->i++];
    while (p->i < p->n && p->s[p->i] != q)
        p->i += p->s[p->i] == '\\' ? 2 : 1;
    if (p->i >= p->n)
        return syntax(p, "the end of the comment");
    p->i++;
    return LH_OK;
}

typedef struct field_list {
    char **names;
    lh_type_t *types;
    int count, cap;
} field_list;

static void fields_free(field_list *f)
{
    for (int i = 0; i < f->count; i++)
        free(f->names[i]);
    free(f->names);
    free(f->types);
    memset(f, 0, sizeof *f);
}

static lh_err field(tparser *p, field_list *f)
{
    if (f->count == f->cap) {
        int cap = f->cap ? f->cap * 2 : 8;
        char **n = realloc(f->names, (size_t)cap * sizeof *n);
        if (n != NULL)
            f->names = n;
        lh_type_t *t = realloc(f->types, (size_t)cap * sizeof *t);
        if (t != NULL)
            f->types = t;
        LH_FAIL_IF(n == NULL || t == NULL, LH_E_NOMEM, p->eb, "out of memory");
        f->cap = cap;
    }
    char *nm;
    LH_TRY(name(p, &nm));
    f->names[f->count] = nm;
    f->count++;
    for (int k = 0; k + 1 < f->count; k++) /* names differing in case are distinct here */
        LH_FAIL_IF(strcmp(f->names[k], nm) == 0, LH_E_INVALID, p->eb, "duplicate field name \"%s\"",
                   nm);
    (void)eat(p, ':');
    LH_TRY(parse_type(p, &f->types[f->count - 1]));
    return field_tail(p);
}

/* fields up to (not including) close, or to the end when close is 0. */
static lh_err fields(tparser *p, char close, lh_type_t *out)
{
    field_list f = {0};
    lh_err e = LH_OK;
    skip_space(p);
    if (!close && p->i >= p->n)
        return syntax(p, "a field or a type");
    bool empty = close && p->i < p->n && p->s[p->i] == close;
    if (!empty) {
        do
            e = field(p, &f);
        while (e == LH_OK && eat(p, ','));
    }
    if (e == LH_OK && close && !eat(p, close))
        e = syntax(p, "'>' or ','");
    if (e == LH_OK && !close && !at_end(p))
        e = syntax(p, "',' or the end");
    if (e == LH_OK)
        *out = lh_type_struct(f.count, (const char *const *)f.names, f.types);
    fields_free(&f);
    return e;
}

static lh_err parse_type(tparser *p, lh_type_t *out)
{
    LH_FAIL_IF(++p->depth > LH_TYPE_NESTING_MAX, LH_E_UNSUPPORTED, p->eb,
               "type nested more than %d deep", LH_TYPE_NESTING_MAX);
    lh_err e;
    lh_type_t a, b;
    if (keyword(p, "array")) {
        e = eat(p, '<') ? parse_type(p, &a) : syntax(p, "'<'");
        if (e == LH_OK && !eat(p, '>'))
            e = syntax(p, "'>'");
        if (e == LH_OK)
            *out = lh_type_array(a);
    } else if (keyword(p, "map")) {
        e = eat(p, '<') ? parse_type(p, &a) : syntax(p, "'<'");
        if (e == LH_OK)
            e = eat(p, ',') ? parse_type(p, &b) : syntax(p, "','");
        if (e == LH_OK && !eat(p, '>'))
            e = syntax(p, "'>'");
        if (e == LH_OK)
            *out = lh_type_map(a, b);
    } else if (keyword(p, "struct")) {
        e = eat(p, '<') ? fields(p, '>', out) : syntax(p, "'<'");
    } else if (keyword(p, "interval")) {
        e = interval(p, out);
    } else {
        char *word = NULL;
        e = name(p, &word);
        if (e == LH_OK)
            e = scalar(p, word, out);
        free(word);
    }
    p->depth--;
    return e;
}

lh_err lh_type_parse_text(const char *text, size_t len, lh_type_t *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    lh_errbuf e1 = {0}, e2 = {0};
    tparser a = {text, len, 0, 0, &e1};
    lh_err r1 = fields(&a, 0, out); /* "a INT, b STRING" */
    if (r1 == LH_OK)
        return LH_OK;
    tparser b = {text, len, 0, 0, &e2}; /* "ARRAY<INT>", "struct<a:int>", "int" */
    lh_err r2 = r1 == LH_E_NOMEM ? r1 : parse_type(&b, out);
    if (r2 == LH_OK && !at_end(&b))
        r2 = syntax(&b, "the end");
    if (r2 == LH_OK)
        return LH_OK;
    memset(out, 0, sizeof *out);
    /* the reading that got further explains it (on a tie, an unknown type over syntax) */
    bool second = r1 != LH_E_NOMEM && (b.i > a.i || (b.i == a.i && r2 == LH_E_UNSUPPORTED));
    return lh_err_set(eb, second ? r2 : r1, __FILE__, __LINE__, "%s", second ? e2.msg : e1.msg);
}
