/*
 * filter.c - a recursive-descent parser for MLflow's search filters and order_by clauses
 * (grammar and per-target keys in filter.h). It reads bytes, never past `bytes`, and
 * copies every name and value into the arena, so the input need not outlive it.
 *
 * MLflow tokenizes with sqlparse and then checks each comparison; this parser accepts the
 * same language directly and reports the first problem with its character position.
 */
#include "api/mlflow/filter.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- keys each target accepts ---- */

enum { T_RUNS = 1, T_EXPERIMENTS = 2, T_MODELS = 4, T_REGISTERED = 8, T_VERSIONS = 16 };
enum { T_REGISTRY = T_REGISTERED | T_VERSIONS };
enum { IN_FILTER = 1, IN_ORDER = 2 };

typedef struct entity_name {
    const char *name;
    lh_mlflow_entity entity;
    unsigned targets;
} entity_name;

static const entity_name ENTITIES[] = {
    {"metric", LH_MLFLOW_METRIC, T_RUNS | T_MODELS},
    {"metrics", LH_MLFLOW_METRIC, T_RUNS | T_MODELS},
    {"parameter", LH_MLFLOW_PARAM, T_RUNS | T_MODELS},
    {"parameters", LH_MLFLOW_PARAM, T_RUNS | T_MODELS},
    {"param", LH_MLFLOW_PARAM, T_RUNS | T_MODELS},
    {"params", LH_MLFLOW_PARAM, T_RUNS | T_MODELS},
    {"tag", LH_MLFLOW_TAG, T_RUNS | T_EXPERIMENTS | T_MODELS | T_REGISTRY},
    {"tags", LH_MLFLOW_TAG, T_RUNS | T_EXPERIMENTS | T_MODELS | T_REGISTRY},
    {"attribute", LH_MLFLOW_ATTR, T_RUNS | T_EXPERIMENTS | T_MODELS | T_REGISTRY},
    {"attributes", LH_MLFLOW_ATTR, T_RUNS | T_EXPERIMENTS | T_MODELS},
    {"attr", LH_MLFLOW_ATTR, T_RUNS | T_EXPERIMENTS | T_MODELS},
    {"run", LH_MLFLOW_ATTR, T_RUNS},
    {"dataset", LH_MLFLOW_DATASET, T_RUNS},
    {"datasets", LH_MLFLOW_DATASET, T_RUNS},
};

typedef struct attr_name {
    const char *name;
    const char *canonical;
    bool numeric;
    unsigned where; /* IN_FILTER | IN_ORDER */
} attr_name;

static const attr_name RUN_ATTRS[] = {
    {"run_id", "run_id", false, IN_FILTER | IN_ORDER},
    {"run_name", "run_name", false, IN_FILTER | IN_ORDER},
    {"status", "status", false, IN_FILTER | IN_ORDER},
    {"user_id", "user_id", false, IN_FILTER | IN_ORDER},
    {"artifact_uri", "artifact_uri", false, IN_FILTER | IN_ORDER},
    {"lifecycle_stage", "lifecycle_stage", false, IN_FILTER | IN_ORDER},
    {"start_time", "start_time", true, IN_FILTER | IN_ORDER},
    {"end_time", "end_time", true, IN_FILTER | IN_ORDER},
    {"created", "start_time", true, IN_FILTER | IN_ORDER},
    {"Created", "start_time", true, IN_FILTER | IN_ORDER},
    {"run name", "run_name", false, IN_FILTER},
    {"Run name", "run_name", false, IN_FILTER},
    {"Run Name", "run_name", false, IN_FILTER},
    {NULL, NULL, false, 0},
};

static const attr_name EXPERIMENT_ATTRS[] = {
    {"name", "name", false, IN_FILTER | IN_ORDER},
    {"creation_time", "creation_time", true, IN_FILTER | IN_ORDER},
    {"last_update_time", "last_update_time", true, IN_FILTER | IN_ORDER},
    {"experiment_id", "experiment_id", true, IN_ORDER},
    {NULL, NULL, false, 0},
};

static const attr_name MODEL_ATTRS[] = {
    {"name", "name", false, IN_FILTER | IN_ORDER},
    {"model_id", "model_id", false, IN_FILTER | IN_ORDER},
    {"model_type", "model_type", false, IN_FILTER | IN_ORDER},
    {"status", "status", false, IN_FILTER | IN_ORDER},
    {"source_run_id", "source_run_id", false, IN_FILTER | IN_ORDER},
    {"creation_timestamp", "creation_timestamp", true, IN_FILTER | IN_ORDER},
    {"creation_time", "creation_timestamp", true, IN_FILTER | IN_ORDER},
    {"last_updated_timestamp", "last_updated_timestamp", true, IN_FILTER | IN_ORDER},
    {"last_updated_time", "last_updated_timestamp", true, IN_FILTER | IN_ORDER},
    {NULL, NULL, false, 0},
};

/* The registry's keys (SearchModelUtils, SearchModelVersionUtils): "timestamp" orders by
 * last_updated_timestamp, for registered models only. */
static const attr_name REGISTERED_MODEL_ATTRS[] = {
    {"name", "name", false, IN_FILTER | IN_ORDER},
    {"creation_timestamp", "creation_timestamp", true, IN_ORDER},
    {"last_updated_timestamp", "last_updated_timestamp", true, IN_ORDER},
    {"timestamp", "last_updated_timestamp", true, IN_ORDER},
    {NULL, NULL, false, 0},
};

static const attr_name MODEL_VERSION_ATTRS[] = {
    {"name", "name", false, IN_FILTER | IN_ORDER},
    {"run_id", "run_id", false, IN_FILTER},
    {"source_path", "source_path", false, IN_FILTER},
    {"version_number", "version_number", true, IN_FILTER | IN_ORDER},
    {"creation_timestamp", "creation_timestamp", true, IN_ORDER},
    {"last_updated_timestamp", "last_updated_timestamp", true, IN_ORDER},
    {NULL, NULL, false, 0},
};

static const struct {
    const attr_name *attrs;
    unsigned bit;
} TARGETS[] = {
    [LH_MLFLOW_RUNS] = {RUN_ATTRS, T_RUNS},
    [LH_MLFLOW_EXPERIMENTS] = {EXPERIMENT_ATTRS, T_EXPERIMENTS},
    [LH_MLFLOW_MODELS] = {MODEL_ATTRS, T_MODELS},
    [LH_MLFLOW_REGISTERED_MODELS] = {REGISTERED_MODEL_ATTRS, T_REGISTERED},
    [LH_MLFLOW_MODEL_VERSIONS] = {MODEL_VERSION_ATTRS, T_VERSIONS},
};

static const attr_name *attrs_of(lh_mlflow_target t)
{
    return TARGETS[t].attrs;
}

static unsigned target_bit(lh_mlflow_target t)
{
    return TARGETS[t].bit;
}

static bool is_registry(lh_mlflow_target t)
{
    return (target_bit(t) & T_REGISTRY) != 0;
}

static const char *const OP_NAMES[] = {"=",  "!=",   ">",     ">=", "<",
                                       "<=", "LIKE", "ILIKE", "IN", "NOT IN"};

const char *lh_mlflow_op_name(lh_mlflow_op op)
{
    return OP_NAMES[op];
}

/* ---- the parser ---- */

/* Drop an incomplete UTF-8 character left at the end of buf by a truncating snprintf. */
static void trim_utf8(char *buf)
{
    size_t len = strlen(buf), k = len;
    while (k > 0 && ((unsigned char)buf[k - 1] & 0xc0) == 0x80)
        k--;
    if (k == 0)
        return;
    unsigned char lead = (unsigned char)buf[k - 1];
    size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (k - 1 + need > len)
        buf[k - 1] = '\0';
}

typedef struct parser {
    const char *s;
    size_t n, i;
    lh_mlflow_target target;
    unsigned mode; /* IN_FILTER or IN_ORDER */
    lh_arena_t *arena;
    lh_errbuf *eb;
} parser;

__attribute__((format(printf, 3, 4))) static lh_err fail(parser *p, size_t pos, const char *fmt,
                                                         ...)
{
    char what[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    trim_utf8(what);
    int shown = p->n > 120 ? 120 : (int)p->n;
    while (shown > 0 && shown < (int)p->n && ((unsigned char)p->s[shown] & 0xc0) == 0x80)
        shown--; /* never through a UTF-8 character */
    return lh_err_set(p->eb, LH_E_INVALID, __FILE__, __LINE__,
                      "Invalid %s '%.*s%s': %s (at position %zu)",
                      p->mode == IN_ORDER ? "order_by clause" : "filter", shown, p->s,
                      p->n > 120 ? "..." : "", what, pos);
}

static bool at_end(const parser *p)
{
    return p->i >= p->n;
}

static char peek(const parser *p)
{
    return p->i < p->n ? p->s[p->i] : '\0';
}

static void skip_ws(parser *p)
{
    while (p->i < p->n && isspace((unsigned char)p->s[p->i]))
        p->i++;
}

static bool is_word(char c)
{
    return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

/* The word at p (letters, digits, '_'), advancing past it; its length (0 = none). */
static size_t read_word(parser *p, const char **start)
{
    *start = p->s + p->i;
    size_t b = p->i;
    while (p->i < p->n && is_word(p->s[p->i]))
        p->i++;
    return p->i - b;
}

static bool word_is(const char *w, size_t len, const char *kw)
{
    return strlen(kw) == len && strncasecmp(w, kw, len) == 0;
}

/* A key part quoted with q (no escapes, as in MLflow's identifiers). */
static lh_err read_quoted_name(parser *p, const char **out)
{
    size_t start = p->i;
    char q = p->s[p->i++];
    size_t b = p->i;
    while (p->i < p->n && p->s[p->i] != q)
        p->i++;
    if (at_end(p))
        return fail(p, start, "unterminated %c-quoted name", q);
    *out = lh_arena_strndup(p->arena, p->s + b, p->i - b);
    p->i++;
    return LH_OK;
}

static const entity_name *find_entity(const char *name)
{
    for (size_t k = 0; k < sizeof ENTITIES / sizeof ENTITIES[0]; k++)
        if (strcmp(ENTITIES[k].name, name) == 0)
            return &ENTITIES[k];
    return NULL;
}

static lh_err bad_entity(parser *p, size_t pos, const char *name)
{
    if (is_registry(p->target))
        return fail(p, pos,
                    "Invalid entity type '%s'. Valid entity types are ('attribute', 'tag', "
                    "'tags')",
                    name);
    if (p->target == LH_MLFLOW_EXPERIMENTS)
        return fail(p, pos, "Invalid entity type '%s'. Valid entity types are ('attribute', 'tag')",
                    name);
    if (p->target == LH_MLFLOW_MODELS)
        return fail(p, pos,
                    "Invalid entity type '%s'. Valid values are ['metric', 'parameter', 'tag', "
                    "'attribute']",
                    name);
    return fail(p, pos,
                "Invalid entity type '%s'. Valid values are ['metric', 'parameter', 'tag', "
                "'attribute', 'dataset']",
                name);
}

/* "'a', 'b'" from the table: the valid attribute keys, for messages. */
static void attr_list(const parser *p, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (const attr_name *a = attrs_of(p->target); a->name != NULL && used < size; a++)
        if (a->where & p->mode)
            used += (size_t)snprintf(buf + used, size - used, "%s'%s'", used ? ", " : "", a->name);
}

static lh_err resolve_attr(parser *p, size_t pos, const char *key, const char **canonical,
                           bool *numeric)
{
    for (const attr_name *a = attrs_of(p->target); a->name != NULL; a++)
        if ((a->where & p->mode) && strcmp(a->name, key) == 0) {
            *canonical = a->canonical;
            *numeric = a->numeric;
            return LH_OK;
        }
    char valid[240];
    attr_list(p, valid, sizeof valid);
    return fail(p, pos, "Invalid attribute key '%s' specified. Valid keys are {%s}", key, valid);
}

/* The name after "entity.": quoted, or bare (word characters and dots). */
static lh_err read_key_name(parser *p, const char *entity, const char **out)
{
    char c = peek(p);
    if (c == '`' || c == '"' || c == '\'')
        return read_quoted_name(p, out);
    size_t b = p->i;
    while (p->i < p->n && (is_word(p->s[p->i]) || p->s[p->i] == '.'))
        p->i++;
    if (p->i == b)
        return fail(p, b,
                    "expected a name after '%s.' (quote names with special characters in "
                    "backticks or double quotes)",
                    entity);
    *out = lh_arena_strndup(p->arena, p->s + b, p->i - b);
    return LH_OK;
}

typedef struct key {
    lh_mlflow_entity entity;
    const char *name;
    bool numeric;
    size_t pos;
} key;

static lh_err parse_key(parser *p, key *k)
{
    k->pos = p->i;
    const char *first = NULL;
    char c = peek(p);
    bool dquoted = c == '"';
    if (c == '`' || c == '"') {
        LH_TRY(read_quoted_name(p, &first));
    } else if (is_word(c)) {
        const char *w;
        size_t len = read_word(p, &w);
        first = lh_arena_strndup(p->arena, w, len);
    } else {
        return fail(p, k->pos,
                    "expected a key such as metrics.<name>, params.<name>, tags.<name> or "
                    "attributes.<name>");
    }
    if (peek(p) == '.') {
        p->i++;
        const entity_name *e = dquoted ? NULL : find_entity(first);
        if (e == NULL || !(e->targets & target_bit(p->target)))
            return bad_entity(p, k->pos, first);
        k->entity = e->entity;
        LH_TRY(read_key_name(p, first, &k->name));
    } else {
        k->entity = LH_MLFLOW_ATTR;
        k->name = first;
    }
    k->numeric = k->entity == LH_MLFLOW_METRIC;
    if (k->name[0] == '\0')
        return fail(p, k->pos, "empty key name");
    if (k->entity == LH_MLFLOW_ATTR)
        return resolve_attr(p, k->pos, k->name, &k->name, &k->numeric);
    if (k->entity == LH_MLFLOW_DATASET) {
        if (p->mode == IN_ORDER)
            return fail(p, k->pos, "Invalid order_by entity type 'dataset'");
        if (strcmp(k->name, "name") != 0 && strcmp(k->name, "digest") != 0 &&
            strcmp(k->name, "context") != 0)
            return fail(p, k->pos,
                        "Invalid dataset key '%s' specified. Valid keys are {'name', 'digest', "
                        "'context'}",
                        k->name);
    }
    return LH_OK;
}

static lh_err parse_op(parser *p, lh_mlflow_op *op)
{
    size_t start = p->i;
    const char *s = p->s + p->i;
    size_t left = p->n - p->i;
    if (left >= 2 && (memcmp(s, "<>", 2) == 0 || memcmp(s, "==", 2) == 0))
        return fail(p, start, "Invalid comparator '%.2s'", s);
    static const struct {
        const char *text;
        lh_mlflow_op op;
    } symbols[] = {{"!=", LH_MLFLOW_NE}, {">=", LH_MLFLOW_GE}, {"<=", LH_MLFLOW_LE},
                   {">", LH_MLFLOW_GT},  {"<", LH_MLFLOW_LT},  {"=", LH_MLFLOW_EQ}};
    for (size_t k = 0; k < sizeof symbols / sizeof symbols[0]; k++) {
        size_t len = strlen(symbols[k].text);
        if (left >= len && memcmp(s, symbols[k].text, len) == 0) {
            p->i += len;
            *op = symbols[k].op;
            return LH_OK;
        }
    }
    const char *w;
    size_t len = read_word(p, &w);
    if (word_is(w, len, "LIKE")) {
        *op = LH_MLFLOW_LIKE;
    } else if (word_is(w, len, "ILIKE")) {
        *op = LH_MLFLOW_ILIKE;
    } else if (word_is(w, len, "IN")) {
        *op = LH_MLFLOW_IN;
    } else if (word_is(w, len, "NOT")) {
        skip_ws(p);
        len = read_word(p, &w);
        if (!word_is(w, len, "IN"))
            return fail(p, start, "expected IN after NOT");
        *op = LH_MLFLOW_NOT_IN;
    } else {
        return fail(p, start,
                    "expected a comparison operator (=, !=, >, >=, <, <=, LIKE, ILIKE, IN, NOT "
                    "IN)");
    }
    return LH_OK;
}

/* Is op valid for k? Fills a message naming the allowed set when not. */
static lh_err check_op(parser *p, const key *k, lh_mlflow_op op, size_t pos)
{
    const char *allowed;
    unsigned mask;
    enum { CMP = 0x3f, STR = 0xc3, LIST = 0x300 };
    if (k->numeric) {
        mask = CMP;
        allowed = "{'=', '!=', '>', '>=', '<', '<='}";
    } else if (k->entity == LH_MLFLOW_PARAM || k->entity == LH_MLFLOW_TAG ||
               (k->entity == LH_MLFLOW_ATTR &&
                (p->target == LH_MLFLOW_EXPERIMENTS || p->target == LH_MLFLOW_REGISTERED_MODELS))) {
        mask = STR;
        allowed = "{'=', '!=', 'LIKE', 'ILIKE'}";
    } else if (p->target == LH_MLFLOW_MODEL_VERSIONS) {
        mask = STR | 1u << LH_MLFLOW_IN;
        allowed = "{'=', '!=', 'LIKE', 'ILIKE', 'IN'}";
    } else {
        mask = STR | LIST;
        allowed = "{'=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}";
    }
    if (!(mask & (1u << op)))
        return fail(p, pos, "Invalid comparator '%s' not one of '%s'", OP_NAMES[op], allowed);
    if ((op == LH_MLFLOW_IN || op == LH_MLFLOW_NOT_IN) &&
        (p->target == LH_MLFLOW_RUNS || p->target == LH_MLFLOW_MODEL_VERSIONS) &&
        k->entity == LH_MLFLOW_ATTR && strcmp(k->name, "run_id") != 0)
        return fail(p, pos,
                    "Only the 'run_id' attribute supports comparison with a list of quoted "
                    "string values");
    return LH_OK;
}

/* A quoted string value, kept verbatim between its quotes (a doubled quote or a
 * backslash-quote does not end it). */
static lh_err read_string(parser *p, const char **out)
{
    size_t start = p->i;
    char q = p->s[p->i++];
    size_t b = p->i;
    for (;;) {
        if (at_end(p))
            return fail(p, start, "unterminated string");
        char c = p->s[p->i];
        if (c == '\\' && p->i + 1 < p->n) {
            p->i += 2;
        } else if (c == q && p->i + 1 < p->n && p->s[p->i + 1] == q) {
            p->i += 2;
        } else if (c == q) {
            break;
        } else {
            p->i++;
        }
    }
    *out = lh_arena_strndup(p->arena, p->s + b, p->i - b);
    p->i++;
    return LH_OK;
}

static bool number_start(const parser *p)
{
    size_t j = p->i;
    if (j < p->n && (p->s[j] == '-' || p->s[j] == '+'))
        j++;
    if (j < p->n && p->s[j] == '.')
        j++;
    return j < p->n && isdigit((unsigned char)p->s[j]);
}

/* [-+]digits[.digits][e[-+]digits] or [-+].digits, ending at a delimiter. */
static lh_err read_number(parser *p, double *out)
{
    size_t b = p->i;
    if (peek(p) == '-' || peek(p) == '+')
        p->i++;
    while (isdigit((unsigned char)peek(p)))
        p->i++;
    if (peek(p) == '.') {
        p->i++;
        while (isdigit((unsigned char)peek(p)))
            p->i++;
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        size_t e = p->i++;
        if (peek(p) == '-' || peek(p) == '+')
            p->i++;
        if (!isdigit((unsigned char)peek(p)))
            return fail(p, e, "malformed exponent in a number");
        while (isdigit((unsigned char)peek(p)))
            p->i++;
    }
    if (is_word(peek(p)) || peek(p) == '.' || peek(p) == '\'' || peek(p) == '"')
        return fail(p, b, "malformed number");
    char *text = lh_arena_strndup(p->arena, p->s + b, p->i - b);
    *out = strtod(text, NULL);
    return LH_OK;
}

/* A registry's numeric attribute compared with a quoted number ('3'): MLflow's store passes
 * the text to the database, which compares it as a number. */
static lh_err read_quoted_number(parser *p, const key *k, double *out)
{
    size_t pos = p->i;
    const char *text;
    LH_TRY(read_string(p, &text));
    size_t len = strlen(text);
    char *end;
    *out = strtod(text, &end);
    if (len == 0 || strspn(text, "0123456789+-.eE") != len || *end != '\0') {
        int shown = len > 40 ? 40 : (int)len;
        while (shown > 0 && (size_t)shown < len && ((unsigned char)text[shown] & 0xc0) == 0x80)
            shown--; /* never through a UTF-8 character */
        return fail(p, pos, "Expected numeric value type for numeric attribute: %s. Found '%.*s'",
                    k->name, shown, text);
    }
    return LH_OK;
}

static lh_err read_list(parser *p, lh_mlflow_clause_t *c)
{
    size_t start = p->i++;
    const char **vals = lh_arena_calloc(p->arena, LH_MLFLOW_FILTER_LIST_MAX, sizeof *vals);
    size_t n = 0;
    skip_ws(p);
    if (peek(p) == ')')
        return fail(p, start,
                    "While parsing a list in the query, expected a non-empty list of string "
                    "values, but got empty list");
    for (;;) {
        skip_ws(p);
        if (peek(p) != '\'')
            return fail(p, p->i,
                        "While parsing a list in the query, expected string value, punctuation, "
                        "or whitespace");
        if (n == LH_MLFLOW_FILTER_LIST_MAX)
            return fail(p, p->i, "more than %d values in a list", LH_MLFLOW_FILTER_LIST_MAX);
        LH_TRY(read_string(p, &vals[n]));
        n++;
        skip_ws(p);
        if (peek(p) == ',') {
            p->i++;
            continue;
        }
        if (peek(p) == ')') {
            p->i++;
            break;
        }
        return fail(p, p->i, "expected ',' or ')' in a list");
    }
    c->list = vals;
    c->list_count = n;
    return LH_OK;
}

/* MLflow drops run ids with upper-case letters from IN lists (run ids are lower-case hex). */
static void drop_upper_case(lh_mlflow_clause_t *c)
{
    size_t kept = 0;
    for (size_t k = 0; k < c->list_count; k++) {
        bool upper = false;
        for (const char *s = c->list[k]; *s; s++)
            upper = upper || isupper((unsigned char)*s);
        if (!upper)
            c->list[kept++] = c->list[k];
    }
    c->list_count = kept;
}

static const char *entity_word(lh_mlflow_entity e)
{
    static const char *const words[] = {"metric", "param", "tag", "attribute", "dataset"};
    return words[e];
}

static lh_err parse_value(parser *p, const key *k, lh_mlflow_clause_t *c)
{
    size_t pos = p->i;
    char ch = peek(p);
    bool list_op = c->op == LH_MLFLOW_IN || c->op == LH_MLFLOW_NOT_IN;
    if (list_op) {
        if (ch != '(')
            return fail(p, pos, "expected a parenthesized list of quoted strings after %s",
                        OP_NAMES[c->op]);
        LH_TRY(read_list(p, c));
        if (k->entity == LH_MLFLOW_ATTR && strcmp(k->name, "run_id") == 0)
            drop_upper_case(c);
        return LH_OK;
    }
    int shown = p->n - p->i > 40 ? 40 : (int)(p->n - p->i); /* the input is not terminated */
    while (shown > 0 && p->i + (size_t)shown < p->n &&
           ((unsigned char)p->s[p->i + (size_t)shown] & 0xc0) == 0x80)
        shown--;
    if (k->numeric && is_registry(p->target) && (ch == '\'' || ch == '"'))
        return read_quoted_number(p, k, &c->number);
    if (k->numeric) {
        if (!number_start(p))
            return fail(p, pos, "Expected numeric value type for %s%s%s. Found '%.*s'",
                        k->entity == LH_MLFLOW_METRIC ? "metric" : "numeric attribute",
                        k->entity == LH_MLFLOW_METRIC ? "" : ": ",
                        k->entity == LH_MLFLOW_METRIC ? "" : k->name, shown, p->s + p->i);
        return read_number(p, &c->number);
    }
    if (ch == '\'' || ch == '"')
        return read_string(p, &c->text);
    return fail(p, pos, "Expected a quoted string value for %s (e.g. 'my-value'). Got value '%.*s'",
                entity_word(k->entity), shown, p->s + p->i);
}

static lh_err parse_clause(parser *p, lh_mlflow_clause_t *c)
{
    key k;
    LH_TRY(parse_key(p, &k));
    skip_ws(p);
    size_t op_pos = p->i;
    LH_TRY(parse_op(p, &c->op));
    LH_TRY(check_op(p, &k, c->op, op_pos));
    skip_ws(p);
    c->entity = k.entity;
    c->key = k.name;
    c->numeric = k.numeric;
    c->pos = k.pos;
    return parse_value(p, &k, c);
}

lh_err lh_mlflow_filter_parse(lh_mlflow_target target, const char *text, size_t bytes,
                              lh_arena_t *arena, lh_mlflow_filter_t *out, lh_errbuf *eb)
{
    parser p = {text, bytes, 0, target, IN_FILTER, arena, eb};
    out->clauses = NULL;
    out->count = 0;
    if (bytes > LH_MLFLOW_FILTER_BYTES_MAX)
        return lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                          "The filter is %zu bytes long; at most %d are allowed", bytes,
                          LH_MLFLOW_FILTER_BYTES_MAX);
    skip_ws(&p);
    if (at_end(&p))
        return LH_OK;
    lh_mlflow_clause_t *clauses =
        lh_arena_calloc(arena, LH_MLFLOW_FILTER_CLAUSES_MAX, sizeof *clauses);
    size_t n = 0;
    for (;;) {
        if (n == LH_MLFLOW_FILTER_CLAUSES_MAX)
            return fail(&p, p.i, "more than %d clauses", LH_MLFLOW_FILTER_CLAUSES_MAX);
        LH_TRY(parse_clause(&p, &clauses[n++]));
        skip_ws(&p);
        if (at_end(&p))
            break;
        size_t pos = p.i;
        const char *w;
        size_t len = read_word(&p, &w);
        if (word_is(w, len, "OR"))
            return fail(&p, pos,
                        "Invalid clause(s) in filter string: 'OR' (only AND joins clauses)");
        if (!word_is(w, len, "AND"))
            return fail(&p, pos, "expected AND between clauses");
        skip_ws(&p);
    }
    out->clauses = clauses;
    out->count = n;
    return LH_OK;
}

lh_err lh_mlflow_order_parse(lh_mlflow_target target, const char *text, size_t bytes,
                             lh_arena_t *arena, lh_mlflow_order_t *out, lh_errbuf *eb)
{
    parser p = {text, bytes, 0, target, IN_ORDER, arena, eb};
    if (bytes > LH_MLFLOW_FILTER_BYTES_MAX)
        return lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                          "An order_by clause is %zu bytes long; at most %d are allowed", bytes,
                          LH_MLFLOW_FILTER_BYTES_MAX);
    skip_ws(&p);
    key k;
    LH_TRY(parse_key(&p, &k));
    out->entity = k.entity;
    out->key = k.name;
    out->numeric = k.numeric;
    out->ascending = true;
    skip_ws(&p);
    if (!at_end(&p)) {
        size_t pos = p.i;
        const char *w;
        size_t len = read_word(&p, &w);
        if (word_is(w, len, "DESC"))
            out->ascending = false;
        else if (!word_is(w, len, "ASC"))
            return fail(&p, pos, "expected ASC or DESC after the key");
        skip_ws(&p);
        if (!at_end(&p))
            return fail(&p, p.i, "unexpected text after the sort direction");
    }
    return LH_OK;
}
