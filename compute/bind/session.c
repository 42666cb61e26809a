/*
 * session.c - a SQL session: current catalog and schema, SET configs, temporary views and
 * functions, session variables (DECLARE VARIABLE: a name, a type and a value the session
 * owns a copy of).
 *
 * Small linked lists: a session holds a handful of settings and views. Owned by whoever
 * created it (the statement API keeps one per session id, jobs one per notebook run);
 * used by one statement at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/bind/bind.h"
#include "compute/sql/sqlerr.h"

#define DEC_LOSS      "spark.sql.decimalOperations.allowPrecisionLoss"
#define JAVA_CHARSETS "spark.sql.legacy.javaCharsets"
#define CODING_ACTION "spark.sql.legacy.codingErrorAction"
#define CHUNK_BASE64  "spark.sql.chunkBase64String.enabled"

typedef struct kv {
    char *key, *value;
    struct kv *next;
} kv;

typedef struct var {
    char *name;         /* lower case */
    char *default_text; /* the DECLARE's default expression (SQL), for SET VAR x = DEFAULT */
    lh_value_t value;
    uint8_t *bytes; /* a STRING/BINARY/nested value's copy */
    struct var *next;
} var;

struct lh_session {
    char *catalog, *schema;
    var *vars;
    kv *conf;  /* SET key = value */
    kv *views; /* temporary views: name (lower case) -> SQL */
    kv *funcs; /* temporary functions: name (lower case) -> its CREATE statement text */
    char time_zone[64];
    lh_sql_conf_t sql_conf;
};

static char *lower_dup(const char *s)
{
    char *d = strdup(s ? s : "");
    LH_ASSERT(d != NULL);
    for (char *p = d; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return d;
}

lh_session_t *lh_session_create(const char *catalog, const char *schema)
{
    lh_session_t *s = calloc(1, sizeof *s);
    LH_ASSERT(s != NULL);
    s->catalog = lower_dup(catalog ? catalog : "main");
    s->schema = lower_dup(schema ? schema : "default");
    strcpy(s->time_zone, "UTC");
    s->sql_conf.time_zone = s->time_zone;
    s->sql_conf.ansi = true;
    return s;
}

static void free_list(kv *k)
{
    while (k != NULL) {
        kv *next = k->next;
        free(k->key);
        free(k->value);
        free(k);
        k = next;
    }
}

static void free_var(var *v)
{
    free(v->name);
    free(v->default_text);
    free(v->bytes);
    free(v);
}

void lh_session_destroy(lh_session_t *s)
{
    if (s == NULL)
        return;
    while (s->vars != NULL) {
        var *next = s->vars->next;
        free_var(s->vars);
        s->vars = next;
    }
    free_list(s->conf);
    free_list(s->views);
    free_list(s->funcs);
    free(s->catalog);
    free(s->schema);
    free(s);
}

const char *lh_session_catalog(const lh_session_t *s)
{
    return s->catalog;
}

const char *lh_session_schema(const lh_session_t *s)
{
    return s->schema;
}

lh_err lh_session_use(lh_session_t *s, const char *catalog, const char *schema, lh_errbuf *eb)
{
    (void)eb;
    char *c = catalog ? lower_dup(catalog) : NULL; /* copies first: catalog may be ours */
    char *sc = schema ? lower_dup(schema) : NULL;
    if (c != NULL) {
        free(s->catalog);
        s->catalog = c;
    }
    if (sc != NULL) {
        free(s->schema);
        s->schema = sc;
    }
    return LH_OK;
}

const lh_sql_conf_t *lh_session_conf(const lh_session_t *s)
{
    return &s->sql_conf;
}

void lh_session_set_now(lh_session_t *s, int64_t now_us)
{
    s->sql_conf.now_us = now_us;
}

static kv *find(kv *list, const char *key)
{
    for (kv *k = list; k != NULL; k = k->next)
        if (strcasecmp(k->key, key) == 0)
            return k;
    return NULL;
}

static void put(kv **list, const char *key, const char *value)
{
    kv *k = find(*list, key);
    if (k == NULL) {
        k = calloc(1, sizeof *k);
        LH_ASSERT(k != NULL);
        k->key = lower_dup(key);
        k->next = *list;
        *list = k;
    }
    free(k->value);
    k->value = strdup(value);
    LH_ASSERT(k->value != NULL);
}

lh_err lh_session_set(lh_session_t *s, const char *key, const char *value, lh_errbuf *eb)
{
    if (strcasecmp(key, "spark.sql.session.timeZone") == 0 || strcasecmp(key, "time zone") == 0) {
        LH_FAIL_IF(strlen(value) >= sizeof s->time_zone || *value == '\0', LH_E_INVALID, eb,
                   "[INVALID_CONF_VALUE.TIME_ZONE] The value '%s' in the config "
                   "\"spark.sql.session.timeZone\" is invalid. SQLSTATE: 22022",
                   value);
        strcpy(s->time_zone, value);
    } else if (strcasecmp(key, "spark.sql.ansi.enabled") == 0 ||
               strcasecmp(key, "ansi_mode") == 0) {
        s->sql_conf.ansi = strcasecmp(value, "false") != 0;
    } else if (strcasecmp(key, "spark.sql.legacy.percentileDiscCalculation") == 0) {
        s->sql_conf.legacy_percentile_disc = strcasecmp(value, "true") == 0;
    } else if (strcasecmp(key, DEC_LOSS) == 0) {
        s->sql_conf.dec_exact = strcasecmp(value, "false") == 0;
    } else if (strcasecmp(key, JAVA_CHARSETS) == 0) {
        s->sql_conf.java_charsets = strcasecmp(value, "true") == 0;
    } else if (strcasecmp(key, CODING_ACTION) == 0) {
        s->sql_conf.coding_replace = strcasecmp(value, "true") == 0;
    } else if (strcasecmp(key, CHUNK_BASE64) == 0) {
        s->sql_conf.b64_unchunked = strcasecmp(value, "false") == 0;
    }
    put(&s->conf, key, value);
    return LH_OK;
}

const char *lh_session_get(const lh_session_t *s, const char *key)
{
    kv *k = find(s->conf, key);
    return k ? k->value : NULL;
}

lh_err lh_session_put_view(lh_session_t *s, const char *name, const char *sql, bool replace,
                           lh_errbuf *eb)
{
    if (!replace && find(s->views, name) != NULL)
        return lh_sqlerr(eb, "TEMP_TABLE_OR_VIEW_ALREADY_EXISTS", "relationName", name, NULL);
    put(&s->views, name, sql);
    return LH_OK;
}

const char *lh_session_get_view(const lh_session_t *s, const char *name)
{
    kv *k = find(s->views, name);
    return k ? k->value : NULL;
}

bool lh_session_drop_view(lh_session_t *s, const char *name)
{
    for (kv **p = &s->views; *p != NULL; p = &(*p)->next) {
        if (strcasecmp((*p)->key, name) == 0) {
            kv *k = *p;
            *p = k->next;
            k->next = NULL;
            free_list(k);
            return true;
        }
    }
    return false;
}

lh_err lh_session_put_function(lh_session_t *s, const char *name, const char *sql, bool replace,
                               lh_errbuf *eb)
{
    if (!replace && find(s->funcs, name) != NULL)
        return lh_sqlerr(eb, "ROUTINE_ALREADY_EXISTS", "newRoutineType", "temporary function",
                         "routineName", name, "existingRoutineType", "temporary function", NULL);
    put(&s->funcs, name, sql);
    return LH_OK;
}

const char *lh_session_get_function(const lh_session_t *s, const char *name)
{
    kv *k = find(s->funcs, name);
    return k ? k->value : NULL;
}

bool lh_session_drop_function(lh_session_t *s, const char *name)
{
    for (kv **p = &s->funcs; *p != NULL; p = &(*p)->next) {
        if (strcasecmp((*p)->key, name) == 0) {
            kv *k = *p;
            *p = k->next;
            k->next = NULL;
            free_list(k);
            return true;
        }
    }
    return false;
}

int lh_session_function_names(const lh_session_t *s, const char **out, int max)
{
    int n = 0;
    for (kv *k = s->funcs; k != NULL; k = k->next, n++)
        if (n < max)
            out[n] = k->key;
    return n;
}

/* RESET: every SET key back to its default (RESET key: that one). */
void lh_session_reset(lh_session_t *s, const char *key)
{
    if (key == NULL) {
        free_list(s->conf);
        s->conf = NULL;
    } else {
        for (kv **p = &s->conf; *p != NULL; p = &(*p)->next) {
            if (strcasecmp((*p)->key, key) == 0) {
                kv *k = *p;
                *p = k->next;
                k->next = NULL;
                free_list(k);
                break;
            }
        }
    }
    if (key == NULL || strcasecmp(key, "spark.sql.session.timeZone") == 0)
        strcpy(s->time_zone, "UTC");
    if (key == NULL || strcasecmp(key, "spark.sql.ansi.enabled") == 0)
        s->sql_conf.ansi = true;
    if (key == NULL || strcasecmp(key, "spark.sql.legacy.percentileDiscCalculation") == 0)
        s->sql_conf.legacy_percentile_disc = false;
    if (key == NULL || strcasecmp(key, DEC_LOSS) == 0)
        s->sql_conf.dec_exact = false;
    if (key == NULL || strcasecmp(key, JAVA_CHARSETS) == 0)
        s->sql_conf.java_charsets = false;
    if (key == NULL || strcasecmp(key, CODING_ACTION) == 0)
        s->sql_conf.coding_replace = false;
    if (key == NULL || strcasecmp(key, CHUNK_BASE64) == 0)
        s->sql_conf.b64_unchunked = false;
}

/* SET with no key: every key set, in order of name (keys and values in arena). */
int lh_session_conf_list(const lh_session_t *s, lh_arena_t *a, const char ***keys,
                         const char ***values)
{
    int n = 0;
    for (kv *k = s->conf; k != NULL; k = k->next)
        n++;
    *keys = lh_arena_calloc(a, (size_t)n + 1, sizeof **keys);
    *values = lh_arena_calloc(a, (size_t)n + 1, sizeof **values);
    int i = 0;
    for (kv *k = s->conf; k != NULL; k = k->next, i++) {
        int j = i;
        while (j > 0 && strcmp((*keys)[j - 1], k->key) > 0) {
            (*keys)[j] = (*keys)[j - 1];
            (*values)[j] = (*values)[j - 1];
            j--;
        }
        (*keys)[j] = k->key;
        (*values)[j] = k->value;
    }
    return n;
}

/* ---- session variables ------------------------------------------------------------------- */

static var **find_var(lh_session_t *s, const char *name)
{
    var **p = &s->vars;
    while (*p != NULL && strcasecmp((*p)->name, name) != 0)
        p = &(*p)->next;
    return p;
}

/* v's value := value (its bytes copied). */
static void var_store(var *v, const lh_value_t *value)
{
    free(v->bytes);
    v->bytes = NULL;
    v->value = *value;
    if (!value->is_null && lh_type_is_bytes(value->type)) {
        v->bytes = malloc(value->v.str.len + 1);
        LH_ASSERT(v->bytes != NULL);
        memcpy(v->bytes, value->v.str.ptr, value->v.str.len);
        v->value.v.str.ptr = v->bytes;
    }
}

lh_err lh_session_declare_var(lh_session_t *s, const char *name, const lh_value_t *value,
                              const char *default_text, bool replace, lh_errbuf *eb)
{
    var **p = find_var(s, name);
    if (*p != NULL && !replace)
        return lh_sqlerr(eb, "VARIABLE_ALREADY_EXISTS", "variableName",
                         lh_session_var_sql_name(name), NULL);
    if (*p == NULL) {
        var *v = calloc(1, sizeof *v);
        LH_ASSERT(v != NULL);
        v->name = lower_dup(name);
        *p = v;
    }
    free((*p)->default_text);
    (*p)->default_text = strdup(default_text ? default_text : "NULL");
    LH_ASSERT((*p)->default_text != NULL);
    var_store(*p, value);
    return LH_OK;
}

const char *lh_session_var_default(const lh_session_t *s, const char *name)
{
    var *const *p = find_var((lh_session_t *)s, name);
    return *p ? (*p)->default_text : NULL;
}

const lh_value_t *lh_session_get_var(const lh_session_t *s, const char *name)
{
    var *const *p = find_var((lh_session_t *)s, name);
    return *p ? &(*p)->value : NULL;
}

bool lh_session_set_var(lh_session_t *s, const char *name, const lh_value_t *value)
{
    var **p = find_var(s, name);
    if (*p == NULL)
        return false;
    var_store(*p, value);
    return true;
}

bool lh_session_drop_var(lh_session_t *s, const char *name)
{
    var **p = find_var(s, name);
    if (*p == NULL)
        return false;
    var *v = *p;
    *p = v->next;
    free_var(v);
    return true;
}

const char *lh_session_var_sql_name(const char *name)
{
    static _Thread_local char buf[320];
    snprintf(buf, sizeof buf, "`system`.`session`.`%s`", name);
    return buf;
}
