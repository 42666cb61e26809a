/*
 * filter.c - the registry's search filter, order_by and page tokens (MLflow's grammar for
 * SearchRegisteredModels / SearchModelVersions), parsed by hand and matched in memory.
 *
 *   filter  := clause ( AND clause )*
 *   clause  := field op value
 *   field   := name | run_id | source_path | version_number
 *            | (tags|tag) '.' ( word | `quoted` | "quoted" )   | `tags.key` forms
 *   op      := = | != | <> | < | <= | > | >= | LIKE | ILIKE | IN | NOT IN  (keywords any case)
 *   value   := 'text' | "text" | integer | '(' value ( ',' value )* ')'
 * Quotes inside text are doubled ('it''s') or backslash-escaped. String fields take =, !=,
 * LIKE, ILIKE (run_id and name also IN / NOT IN); version_number takes the numeric
 * comparisons. A tag clause on a row without that tag is false.
 *
 * Note: api/mlflow/filter.c (tracking's run filter) parses a superset of this grammar; the
 * two should become one parser.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "api/mlflow/registry/registry_internal.h"
#include "common/json.h"

typedef struct lex {
    const char *p, *end;
    lh_arena_t *arena;
} lex;

static void skip_ws(lex *l)
{
    while (l->p < l->end && isspace((unsigned char)*l->p))
        l->p++;
}

static bool is_word(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* A bare word at p (advances), or NULL. */
static const char *word(lex *l)
{
    skip_ws(l);
    const char *s = l->p;
    while (l->p < l->end && is_word(*l->p))
        l->p++;
    return l->p > s ? lh_arena_strndup(l->arena, s, (size_t)(l->p - s)) : NULL;
}

/* A quoted run starting at p with quote q (p at the quote); doubled or escaped quotes. */
static lh_err quoted(lex *l, char q, const char **out, lh_errbuf *eb)
{
    size_t cap = (size_t)(l->end - l->p) + 1, n = 0;
    char *buf = lh_arena_alloc(l->arena, cap);
    l->p++;
    for (;;) {
        LH_FAIL_IF(l->p >= l->end, LH_E_INVALID, eb, "Invalid filter: unterminated %c quote", q);
        char c = *l->p++;
        if (c == '\\' && l->p < l->end) {
            buf[n++] = *l->p++;
        } else if (c == q) {
            if (l->p < l->end && *l->p == q) {
                buf[n++] = q;
                l->p++;
            } else {
                break;
            }
        } else {
            LH_FAIL_IF(c == '\0', LH_E_INVALID, eb, "Invalid filter: NUL byte in a string");
            buf[n++] = c;
        }
    }
    buf[n] = '\0';
    *out = buf;
    return LH_OK;
}

static bool keyword(lex *l, const char *kw)
{
    skip_ws(l);
    size_t n = strlen(kw);
    if ((size_t)(l->end - l->p) < n || strncasecmp(l->p, kw, n) != 0)
        return false;
    if (l->p + n < l->end && is_word(l->p[n]))
        return false;
    l->p += n;
    return true;
}

static lh_err tag_key(lex *l, const char **key, lh_errbuf *eb)
{
    LH_FAIL_IF(l->p >= l->end, LH_E_INVALID, eb, "Invalid filter: a tag key is missing");
    if (*l->p == '`' || *l->p == '"')
        return quoted(l, *l->p, key, eb);
    const char *s = l->p;
    while (l->p < l->end && (is_word(*l->p) || *l->p == '.' || *l->p == '-'))
        l->p++;
    LH_FAIL_IF(l->p == s, LH_E_INVALID, eb, "Invalid filter: a tag key is missing");
    *key = lh_arena_strndup(l->arena, s, (size_t)(l->p - s));
    return LH_OK;
}

static lh_err field(lex *l, unsigned allowed, rf_clause *c, lh_errbuf *eb)
{
    skip_ws(l);
    const char *w;
    if (l->p < l->end && *l->p == '`') { /* `tags.k` or `name` */
        LH_TRY(quoted(l, '`', &w, eb));
    } else {
        w = word(l);
        LH_FAIL_IF(w == NULL, LH_E_INVALID, eb,
                   "Invalid filter: expected an attribute name at position %d",
                   (int)(l->end - l->p));
    }
    const char *dot = strchr(w, '.');
    if ((strncasecmp(w, "tags", 4) == 0 && (w[4] == '\0' || w[4] == '.')) ||
        (strncasecmp(w, "tag", 3) == 0 && (w[3] == '\0' || w[3] == '.'))) {
        c->field = RF_TAG;
        if (dot != NULL && dot[1] != '\0') {
            c->key = dot + 1;
        } else {
            LH_FAIL_IF(l->p >= l->end || *l->p != '.', LH_E_INVALID, eb,
                       "Invalid filter: expected tags.<key>");
            l->p++;
            LH_TRY(tag_key(l, &c->key, eb));
        }
    } else if (strcasecmp(w, "name") == 0) {
        c->field = RF_NAME;
    } else if (strcasecmp(w, "run_id") == 0) {
        c->field = RF_RUN_ID;
    } else if (strcasecmp(w, "source_path") == 0) {
        c->field = RF_SOURCE_PATH;
    } else if (strcasecmp(w, "version_number") == 0) {
        c->field = RF_VERSION;
    } else {
        LH_FAIL(LH_E_INVALID, eb, "Invalid attribute key '%s' specified in the filter", w);
    }
    LH_FAIL_IF(!(allowed & c->field), LH_E_INVALID, eb,
               "Invalid attribute key '%s' specified in the filter", w);
    return LH_OK;
}

static lh_err op(lex *l, rf_op *out, lh_errbuf *eb)
{
    skip_ws(l);
    static const struct {
        const char *text;
        rf_op op;
    } SYM[] = {{"!=", RF_NE}, {"<>", RF_NE}, {"<=", RF_LE}, {">=", RF_GE},
               {"=", RF_EQ},  {"<", RF_LT},  {">", RF_GT}};
    for (size_t i = 0; i < sizeof SYM / sizeof SYM[0]; i++) {
        size_t n = strlen(SYM[i].text);
        if ((size_t)(l->end - l->p) >= n && memcmp(l->p, SYM[i].text, n) == 0) {
            l->p += n;
            *out = SYM[i].op;
            return LH_OK;
        }
    }
    if (keyword(l, "LIKE"))
        *out = RF_LIKE;
    else if (keyword(l, "ILIKE"))
        *out = RF_ILIKE;
    else if (keyword(l, "IN"))
        *out = RF_IN;
    else if (keyword(l, "NOT") && keyword(l, "IN"))
        *out = RF_NOT_IN;
    else
        LH_FAIL(LH_E_INVALID, eb, "Invalid filter: expected a comparator");
    return LH_OK;
}

static lh_err string_value(lex *l, const char **out, lh_errbuf *eb)
{
    skip_ws(l);
    LH_FAIL_IF(l->p >= l->end || (*l->p != '\'' && *l->p != '"'), LH_E_INVALID, eb,
               "Invalid filter: expected a quoted string value");
    return quoted(l, *l->p, out, eb);
}

static lh_err list_value(lex *l, rf_clause *c, lh_errbuf *eb)
{
    skip_ws(l);
    LH_FAIL_IF(l->p >= l->end || *l->p != '(', LH_E_INVALID, eb,
               "Invalid filter: IN expects a list such as ('a', 'b')");
    l->p++;
    size_t cap = 4;
    c->values = lh_arena_alloc(l->arena, cap * sizeof *c->values);
    for (;;) {
        LH_FAIL_IF(c->value_count >= 1000, LH_E_INVALID, eb, "Invalid filter: IN list too long");
        if (c->value_count == cap) {
            const char **grown = lh_arena_alloc(l->arena, 2 * cap * sizeof *grown);
            memcpy(grown, c->values, cap * sizeof *grown);
            c->values = grown;
            cap *= 2;
        }
        LH_TRY(string_value(l, &c->values[c->value_count++], eb));
        skip_ws(l);
        LH_FAIL_IF(l->p >= l->end, LH_E_INVALID, eb, "Invalid filter: unterminated IN list");
        if (*l->p == ')') {
            l->p++;
            return LH_OK;
        }
        LH_FAIL_IF(*l->p != ',', LH_E_INVALID, eb, "Invalid filter: expected ',' or ')'");
        l->p++;
    }
}

static lh_err number_value(lex *l, int64_t *out, lh_errbuf *eb)
{
    skip_ws(l);
    const char *text;
    if (l->p < l->end && (*l->p == '\'' || *l->p == '"')) {
        LH_TRY(quoted(l, *l->p, &text, eb));
    } else {
        const char *s = l->p;
        if (l->p < l->end && *l->p == '-')
            l->p++;
        while (l->p < l->end && isdigit((unsigned char)*l->p))
            l->p++;
        text = lh_arena_strndup(l->arena, s, (size_t)(l->p - s));
    }
    char *end;
    long long v = strtoll(text, &end, 10);
    LH_FAIL_IF(*text == '\0' || *end != '\0' || strlen(text) > 18, LH_E_INVALID, eb,
               "Invalid filter: version_number expects an integer, got '%s'", text);
    *out = v;
    return LH_OK;
}

static lh_err clause(lex *l, unsigned allowed, rf_clause *c, lh_errbuf *eb)
{
    LH_TRY(field(l, allowed, c, eb));
    LH_TRY(op(l, &c->op, eb));
    if (c->field == RF_VERSION) {
        LH_FAIL_IF(c->op >= RF_LIKE, LH_E_INVALID, eb,
                   "Invalid comparator for version_number: use =, !=, <, <=, > or >=");
        return number_value(l, &c->number, eb);
    }
    if (c->op == RF_IN || c->op == RF_NOT_IN) {
        LH_FAIL_IF(c->field != RF_NAME && c->field != RF_RUN_ID, LH_E_INVALID, eb,
                   "Invalid filter: IN is supported for name and run_id only");
        return list_value(l, c, eb);
    }
    LH_FAIL_IF(c->op >= RF_LT && c->op <= RF_GE, LH_E_INVALID, eb,
               "Invalid comparator for a string attribute: use =, !=, LIKE or ILIKE");
    c->values = lh_arena_alloc(l->arena, sizeof *c->values);
    c->value_count = 1;
    return string_value(l, &c->values[0], eb);
}

lh_err rf_parse(const char *text, size_t text_bytes, unsigned fields, lh_arena_t *arena,
                rf_filter *out, lh_errbuf *eb)
{
    out->clauses = NULL;
    out->count = 0;
    if (text == NULL)
        return LH_OK;
    LH_FAIL_IF(text_bytes > RG_FILTER_MAX, LH_E_INVALID, eb, "Invalid filter: longer than %d bytes",
               RG_FILTER_MAX);
    lex l = {.p = text, .end = text + text_bytes, .arena = arena};
    skip_ws(&l);
    if (l.p == l.end)
        return LH_OK;
    out->clauses = lh_arena_calloc(arena, RG_FILTER_TERMS, sizeof *out->clauses);
    for (;;) {
        LH_FAIL_IF(out->count == RG_FILTER_TERMS, LH_E_INVALID, eb,
                   "Invalid filter: more than %d clauses", RG_FILTER_TERMS);
        LH_TRY(clause(&l, fields, &out->clauses[out->count++], eb));
        skip_ws(&l);
        if (l.p == l.end)
            return LH_OK;
        LH_FAIL_IF(!keyword(&l, "AND"), LH_E_INVALID, eb,
                   "Invalid filter: clauses must be joined with AND (at '%.20s')", l.p);
    }
}

bool rf_like(const char *pattern, const char *s, bool ci)
{
    /* iterative matcher with one backtrack point for the last '%' (linear-ish, no recursion) */
    const char *star = NULL, *mark = NULL;
    while (*s) {
        if (*pattern == '%') {
            star = ++pattern;
            mark = s;
        } else if (*pattern == '_' ||
                   (ci ? tolower((unsigned char)*pattern) == tolower((unsigned char)*s)
                       : *pattern == *s)) {
            if (*pattern == '\0')
                return false;
            pattern++;
            s++;
        } else if (star != NULL) {
            pattern = star;
            s = ++mark;
        } else {
            return false;
        }
    }
    while (*pattern == '%')
        pattern++;
    return *pattern == '\0';
}

static bool match_text(const rf_clause *c, const char *v)
{
    if (v == NULL)
        return false;
    switch (c->op) {
    case RF_EQ:
        return strcmp(v, c->values[0]) == 0;
    case RF_NE:
        return strcmp(v, c->values[0]) != 0;
    case RF_LIKE:
        return rf_like(c->values[0], v, false);
    case RF_ILIKE:
        return rf_like(c->values[0], v, true);
    case RF_IN:
    case RF_NOT_IN:
        for (size_t i = 0; i < c->value_count; i++)
            if (strcmp(v, c->values[i]) == 0)
                return c->op == RF_IN;
        return c->op == RF_NOT_IN;
    default:
        return false;
    }
}

static bool match_number(const rf_clause *c, int64_t v)
{
    switch (c->op) {
    case RF_EQ:
        return v == c->number;
    case RF_NE:
        return v != c->number;
    case RF_LT:
        return v < c->number;
    case RF_LE:
        return v <= c->number;
    case RF_GT:
        return v > c->number;
    case RF_GE:
        return v >= c->number;
    default:
        return false;
    }
}

bool rf_match(const rf_filter *f, const rf_row *row)
{
    for (size_t i = 0; i < f->count; i++) {
        const rf_clause *c = &f->clauses[i];
        bool ok = false;
        switch (c->field) {
        case RF_NAME:
            ok = match_text(c, row->name);
            break;
        case RF_RUN_ID:
            ok = match_text(c, row->run_id);
            break;
        case RF_SOURCE_PATH:
            ok = match_text(c, row->source);
            break;
        case RF_VERSION:
            ok = match_number(c, row->version);
            break;
        case RF_TAG:
            ok = match_text(c, json_string_value(json_object_get(row->tags, c->key)));
            break;
        }
        if (!ok)
            return false;
    }
    return true;
}

/* ---- order_by ---- */

static lh_err order_item(const char *text, const char *const *keys, rf_order *o, lh_errbuf *eb)
{
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    const char *s = p;
    while (*p && !isspace((unsigned char)*p))
        p++;
    size_t n = (size_t)(p - s);
    while (isspace((unsigned char)*p))
        p++;
    o->desc = false;
    if (strcasecmp(p, "DESC") == 0 || strncasecmp(p, "DESC ", 5) == 0)
        o->desc = true;
    else
        LH_FAIL_IF(*p != '\0' && strcasecmp(p, "ASC") != 0, LH_E_INVALID, eb,
                   "Invalid order_by clause '%s'", text);
    if (n == 9 && strncasecmp(s, "timestamp", 9) == 0) {
        s = "last_updated_timestamp";
        n = strlen(s);
    }
    for (int i = 0; keys[i] != NULL; i++) {
        if (strlen(keys[i]) == n && strncasecmp(keys[i], s, n) == 0) {
            o->key = i;
            return LH_OK;
        }
    }
    LH_FAIL(LH_E_INVALID, eb, "Invalid order by key '%.*s' specified", (int)(n > 200 ? 200 : n), s);
}

lh_err rf_parse_order(const json_t *order_by, const char *const *keys, lh_arena_t *arena,
                      rf_order **out, size_t *count, lh_errbuf *eb)
{
    size_t n = lh_json_list_size(order_by);
    LH_FAIL_IF(n > RG_ORDER_MAX, LH_E_INVALID, eb, "At most %d order_by clauses are supported",
               RG_ORDER_MAX);
    *out = lh_arena_calloc(arena, n + 1, sizeof **out);
    *count = n;
    for (size_t i = 0; i < n; i++) {
        const json_t *v = lh_json_list_get(order_by, i);
        LH_FAIL_IF(!json_is_string(v), LH_E_INVALID, eb, "order_by must be a list of strings");
        LH_TRY(order_item(json_string_value(v), keys, &(*out)[i], eb));
    }
    return LH_OK;
}

/* ---- page tokens ---- */

lh_err rf_page_offset(const char *token, int64_t *offset, lh_errbuf *eb)
{
    *offset = 0;
    if (token == NULL || *token == '\0')
        return LH_OK;
    size_t n = strlen(token);
    LH_FAIL_IF(n > 256 || n % 4 != 0, LH_E_INVALID, eb, "Invalid page token");
    unsigned char buf[200];
    int got = EVP_DecodeBlock(buf, (const unsigned char *)token, (int)n);
    LH_FAIL_IF(got < 0, LH_E_INVALID, eb, "Invalid page token");
    while (got > 0 && buf[got - 1] == '\0') /* padding decodes to NULs */
        got--;
    buf[got] = '\0';
    json_t *j = json_loads((const char *)buf, 0, NULL);
    json_t *o = json_object_get(j, "offset");
    bool ok = json_is_integer(o) && json_integer_value(o) >= 0;
    if (ok)
        *offset = json_integer_value(o);
    json_decref(j);
    LH_FAIL_IF(!ok, LH_E_INVALID, eb, "Invalid page token");
    return LH_OK;
}

const char *rf_page_token(lh_arena_t *arena, int64_t offset)
{
    char json[64];
    int n = snprintf(json, sizeof json, "{\"offset\": %lld}", (long long)offset);
    char *out = lh_arena_alloc(arena, 4 * ((size_t)n + 2) / 3 + 4);
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)json, n);
    return out;
}
