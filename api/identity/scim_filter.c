/*
 * scim_filter.c - lexer, recursive-descent parser and evaluator for SCIM filters (grammar in
 * scim_filter.h). The lexer works on a (ptr, len) slice, never reading past len; the parser
 * counts terms and nesting so hostile input cannot grow the tree or the stack without bound.
 */
#include "api/identity/scim_filter.h"

#include <string.h>
#include <strings.h>

#include "common/limits.h"

typedef enum { TK_END, TK_LPAREN, TK_RPAREN, TK_WORD, TK_STRING, TK_NUMBER } tk_kind;

typedef struct {
    const char *text;
    size_t len, pos;
    lh_arena_t *arena;
    int terms, depth;
    tk_kind kind; /* the current token */
    size_t tok_start;
    const char *tok; /* arena copy: word, number, or unescaped string */
    lh_errbuf *eb;
} parser;

#define FAIL_AT(p, ...) lh_err_set((p)->eb, LH_E_INVALID, __FILE__, __LINE__, __VA_ARGS__)

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-' || c == '$';
}

static lh_err lex_string(parser *p)
{
    char *buf = lh_arena_alloc(p->arena, p->len - p->pos + 1);
    size_t n = 0;
    p->pos++; /* opening quote */
    while (p->pos < p->len && p->text[p->pos] != '"') {
        char c = p->text[p->pos++];
        if (c == '\\') {
            if (p->pos >= p->len)
                break;
            char e = p->text[p->pos++];
            const char *from = "\"\\/nt", *to = "\"\\/\n\t";
            const char *hit = memchr(from, e, 5);
            if (hit == NULL || e == '\0')
                return FAIL_AT(p, "Invalid filter: bad escape '\\%c' at position %zu", e,
                               p->pos - 1);
            c = to[hit - from];
        }
        buf[n++] = c;
    }
    if (p->pos >= p->len)
        return FAIL_AT(p, "Invalid filter: unterminated string at position %zu", p->tok_start);
    p->pos++; /* closing quote */
    buf[n] = '\0';
    p->tok = buf;
    p->kind = TK_STRING;
    return LH_OK;
}

static lh_err lex_next(parser *p)
{
    while (p->pos < p->len && is_space(p->text[p->pos]))
        p->pos++;
    p->tok_start = p->pos;
    p->tok = NULL;
    if (p->pos >= p->len) {
        p->kind = TK_END;
        return LH_OK;
    }
    char c = p->text[p->pos];
    if (c == '(' || c == ')') {
        p->pos++;
        p->kind = c == '(' ? TK_LPAREN : TK_RPAREN;
        return LH_OK;
    }
    if (c == '"')
        return lex_string(p);
    if (!is_word_char(c))
        return FAIL_AT(p, "Invalid filter: unexpected character at position %zu", p->pos);
    while (p->pos < p->len && is_word_char(p->text[p->pos]))
        p->pos++;
    p->tok = lh_arena_strndup(p->arena, p->text + p->tok_start, p->pos - p->tok_start);
    p->kind = ((c >= '0' && c <= '9') || c == '-') ? TK_NUMBER : TK_WORD;
    return LH_OK;
}

static bool is_word(const parser *p, const char *w)
{
    return p->kind == TK_WORD && strcasecmp(p->tok, w) == 0;
}

static const char *const ATTR_NAMES[LH_SCIM_ATTR__COUNT] = {
    "userName", "displayName", "id", "externalId", "active", "emails.value", "applicationId",
};

static const char *const OP_NAMES[] = {"eq", "ne", "co", "sw", "ew", "pr"};

static lh_err parse_attr(parser *p, lh_scim_attr *out)
{
    for (int i = 0; p->kind == TK_WORD && i < LH_SCIM_ATTR__COUNT; i++) {
        if (strcasecmp(p->tok, ATTR_NAMES[i]) == 0) {
            *out = (lh_scim_attr)i;
            return lex_next(p);
        }
    }
    if (p->kind == TK_WORD)
        return FAIL_AT(p, "Invalid filter: unsupported attribute '%s' at position %zu", p->tok,
                       p->tok_start);
    return FAIL_AT(p, "Invalid filter: expected an attribute at position %zu", p->tok_start);
}

static lh_err parse_op(parser *p, lh_scim_op *out)
{
    for (int i = 0; i <= LH_SCIM_OP_PR; i++) {
        if (is_word(p, OP_NAMES[i])) {
            *out = (lh_scim_op)i;
            return lex_next(p);
        }
    }
    return FAIL_AT(p,
                   "Invalid filter: expected an operator (eq, ne, co, sw, ew, pr) at "
                   "position %zu",
                   p->tok_start);
}

/* A literal: string, number, true/false (as text), null (NULL). */
static lh_err parse_value(parser *p, const char **out, bool *is_null)
{
    *is_null = false;
    if (p->kind == TK_STRING || p->kind == TK_NUMBER) {
        *out = p->tok;
    } else if (is_word(p, "true") || is_word(p, "false")) {
        *out = strcasecmp(p->tok, "true") == 0 ? "true" : "false";
    } else if (is_word(p, "null")) {
        *out = NULL;
        *is_null = true;
    } else {
        return FAIL_AT(p, "Invalid filter: expected a value at position %zu", p->tok_start);
    }
    return lex_next(p);
}

static lh_scim_filter_t *node(parser *p, lh_scim_op op)
{
    lh_scim_filter_t *n = lh_arena_calloc(p->arena, 1, sizeof *n);
    n->op = op;
    return n;
}

static lh_err parse_or(parser *p, const lh_scim_filter_t **out);

static lh_err parse_group(parser *p, const lh_scim_filter_t **out)
{
    if (p->kind != TK_LPAREN)
        return FAIL_AT(p, "Invalid filter: expected '(' at position %zu", p->tok_start);
    if (++p->depth > LH_SCIM_FILTER_TERMS_MAX)
        return FAIL_AT(p, "Invalid filter: parentheses nested deeper than %d",
                       LH_SCIM_FILTER_TERMS_MAX);
    LH_TRY(lex_next(p));
    LH_TRY(parse_or(p, out));
    if (p->kind != TK_RPAREN)
        return FAIL_AT(p, "Invalid filter: expected ')' at position %zu", p->tok_start);
    p->depth--;
    return lex_next(p);
}

static lh_err parse_compare(parser *p, const lh_scim_filter_t **out)
{
    if (++p->terms > LH_SCIM_FILTER_TERMS_MAX)
        return FAIL_AT(p, "Invalid filter: more than %d terms", LH_SCIM_FILTER_TERMS_MAX);
    lh_scim_attr attr = LH_SCIM_ATTR_USER_NAME;
    lh_scim_op op = LH_SCIM_OP_EQ;
    LH_TRY(parse_attr(p, &attr));
    LH_TRY(parse_op(p, &op));
    lh_scim_filter_t *n = node(p, op);
    n->attr = attr;
    if (op != LH_SCIM_OP_PR) {
        bool is_null = false;
        LH_TRY(parse_value(p, &n->value, &is_null));
        if (is_null && op != LH_SCIM_OP_EQ && op != LH_SCIM_OP_NE)
            return FAIL_AT(p, "Invalid filter: null only compares with eq or ne");
    }
    *out = n;
    return LH_OK;
}

static lh_err parse_factor(parser *p, const lh_scim_filter_t **out)
{
    if (p->kind == TK_LPAREN)
        return parse_group(p, out);
    if (is_word(p, "not")) {
        LH_TRY(lex_next(p));
        lh_scim_filter_t *n = node(p, LH_SCIM_OP_NOT);
        LH_TRY(parse_group(p, &n->left));
        *out = n;
        return LH_OK;
    }
    return parse_compare(p, out);
}

static lh_err parse_and(parser *p, const lh_scim_filter_t **out)
{
    LH_TRY(parse_factor(p, out));
    while (is_word(p, "and")) {
        LH_TRY(lex_next(p));
        lh_scim_filter_t *n = node(p, LH_SCIM_OP_AND);
        n->left = *out;
        LH_TRY(parse_factor(p, &n->right));
        *out = n;
    }
    return LH_OK;
}

static lh_err parse_or(parser *p, const lh_scim_filter_t **out)
{
    LH_TRY(parse_and(p, out));
    while (is_word(p, "or")) {
        LH_TRY(lex_next(p));
        lh_scim_filter_t *n = node(p, LH_SCIM_OP_OR);
        n->left = *out;
        LH_TRY(parse_and(p, &n->right));
        *out = n;
    }
    return LH_OK;
}

lh_err lh_scim_filter_parse(const char *text, size_t len, lh_arena_t *arena,
                            const lh_scim_filter_t **out, lh_errbuf *eb)
{
    *out = NULL;
    LH_FAIL_IF(len > LH_SCIM_FILTER_MAX, LH_E_INVALID, eb,
               "Invalid filter: longer than %d characters", LH_SCIM_FILTER_MAX);
    parser p = {.text = text, .len = len, .arena = arena, .eb = eb};
    LH_TRY(lex_next(&p));
    if (p.kind == TK_END)
        return LH_OK;
    LH_TRY(parse_or(&p, out));
    if (p.kind != TK_END) {
        *out = NULL;
        LH_FAIL(LH_E_INVALID, eb, "Invalid filter: unexpected input at position %zu", p.tok_start);
    }
    return LH_OK;
}

/* ---- evaluation ---- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return k <= n && strcasecmp(s + n - k, suffix) == 0;
}

static bool compare_one(lh_scim_op op, const char *have, const char *want)
{
    switch (op) {
    case LH_SCIM_OP_EQ:
        return strcasecmp(have, want) == 0;
    case LH_SCIM_OP_CO:
        return strcasestr(have, want) != NULL;
    case LH_SCIM_OP_SW:
        return strncasecmp(have, want, strlen(want)) == 0;
    case LH_SCIM_OP_EW:
        return ends_with(have, want);
    default:
        return false;
    }
}

static bool match_leaf(const lh_scim_filter_t *f, lh_scim_values_fn values, const void *res)
{
    const char *vals[LH_SCIM_VALUES_MAX];
    int n = values(res, f->attr, vals, LH_SCIM_VALUES_MAX);
    if (f->op == LH_SCIM_OP_PR)
        return n > 0;
    if (f->value == NULL) /* eq null: absent; ne null: present */
        return (n == 0) == (f->op == LH_SCIM_OP_EQ);
    lh_scim_op op = f->op == LH_SCIM_OP_NE ? LH_SCIM_OP_EQ : f->op;
    bool any = false;
    for (int i = 0; i < n && !any; i++)
        any = compare_one(op, vals[i], f->value);
    return f->op == LH_SCIM_OP_NE ? !any : any;
}

bool lh_scim_filter_match(const lh_scim_filter_t *f, lh_scim_values_fn values, const void *resource)
{
    if (f == NULL)
        return true;
    switch (f->op) {
    case LH_SCIM_OP_AND:
        return lh_scim_filter_match(f->left, values, resource) &&
               lh_scim_filter_match(f->right, values, resource);
    case LH_SCIM_OP_OR:
        return lh_scim_filter_match(f->left, values, resource) ||
               lh_scim_filter_match(f->right, values, resource);
    case LH_SCIM_OP_NOT:
        return !lh_scim_filter_match(f->left, values, resource);
    default:
        return match_leaf(f, values, resource);
    }
}

int lh_scim_filter_terms(const lh_scim_filter_t *f)
{
    if (f == NULL)
        return 0;
    if (f->op == LH_SCIM_OP_AND || f->op == LH_SCIM_OP_OR || f->op == LH_SCIM_OP_NOT)
        return lh_scim_filter_terms(f->left) + lh_scim_filter_terms(f->right);
    return 1;
}
