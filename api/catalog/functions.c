/*
 * functions.c - SQL functions in Unity Catalog for the engine (compute/resolver.h's
 * get/create/drop/list_function): a FunctionInfo row in uc_functions, the same one the
 * REST API (POST/GET/DELETE /api/2.1/unity-catalog/functions) serves.
 *
 * FunctionInfo as Databricks fills it for CREATE FUNCTION ... RETURN expr:
 *   routine_body SQL, routine_definition (the body text), data_type (ColumnTypeName),
 *   full_data_type (the type text), input_params.parameters[{name, type_text, type_name,
 *   type_json, position, parameter_mode IN, parameter_type PARAM, parameter_default,
 *   comment}], is_deterministic, is_null_call false, sql_data_access, security_type
 *   DEFINER, parameter_style S, specific_name (= name).
 */
#include <string.h>

#include "api/catalog/catalog_internal.h"
#include "common/json.h"

static lh_err fkey(uc_key *k, char parts[3][UC_NAME_MAX + 1], const char *c, const char *s,
                   const char *n, lh_errbuf *eb)
{
    const char *given[3] = {c, s, n};
    static const char *const WHAT[3] = {"catalog", "schema", "function"};
    for (int i = 0; i < 3; i++) {
        LH_TRY(uc_name(WHAT[i], given[i], parts[i], eb));
        k->part[i] = parts[i];
    }
    k->n = 3;
    return LH_OK;
}

/* The engine's classes for a function's absence or presence. */
static lh_err fn_code(lh_err e, lh_errbuf *eb, const uc_key *k)
{
    if (e == LH_OK || eb == NULL)
        return e;
    const char *code = eb->error_code ? eb->error_code : "";
    if (strcmp(code, "CATALOG_DOES_NOT_EXIST") == 0)
        eb->error_code = "CATALOG_NOT_FOUND";
    else if (strcmp(code, "SCHEMA_DOES_NOT_EXIST") == 0)
        eb->error_code = "SCHEMA_NOT_FOUND";
    else if (e == LH_E_NOT_FOUND)
        return lh_err_set_code(eb, e, "ROUTINE_NOT_FOUND", __FILE__, __LINE__, "%s.%s.%s",
                               k->part[0], k->part[1], k->part[2]);
    else if (e == LH_E_EXISTS)
        return lh_err_set_code(eb, e, "ROUTINE_ALREADY_EXISTS", __FILE__, __LINE__, "%s.%s.%s",
                               k->part[0], k->part[1], k->part[2]);
    return e;
}

static const char *str_of(lh_arena_t *arena, const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? lh_arena_strdup(arena, s) : NULL;
}

static lh_function_info_t *info_from(lh_arena_t *arena, const json_t *o)
{
    lh_function_info_t *f = lh_arena_calloc(arena, 1, sizeof *f);
    f->catalog = str_of(arena, o, "catalog_name");
    f->schema = str_of(arena, o, "schema_name");
    f->name = str_of(arena, o, "name");
    f->full_name = str_of(arena, o, "full_name");
    f->data_type = str_of(arena, o, "full_data_type");
    f->routine_definition = str_of(arena, o, "routine_definition");
    f->comment = str_of(arena, o, "comment");
    f->is_deterministic = json_is_true(json_object_get(o, "is_deterministic"));
    f->sql_data_access = str_of(arena, o, "sql_data_access");
    f->owner = str_of(arena, o, "owner");
    f->created_at = json_integer_value(json_object_get(o, "created_at"));
    const json_t *ps = json_object_get(json_object_get(o, "input_params"), "parameters");
    size_t n = json_array_size(ps);
    lh_function_param_t *p = lh_arena_calloc(arena, n + 1, sizeof *p);
    for (size_t i = 0; i < n; i++) {
        const json_t *x = json_array_get(ps, i);
        p[i].name = str_of(arena, x, "name");
        p[i].type_text = str_of(arena, x, "type_text");
        p[i].default_text = str_of(arena, x, "parameter_default");
        p[i].comment = str_of(arena, x, "comment");
    }
    f->params = p;
    f->param_count = (int)n;
    return f;
}

static lh_err r_get_function(void *ctx, const char *catalog, const char *schema, const char *name,
                             lh_arena_t *arena, lh_function_info_t **out, lh_errbuf *eb)
{
    uc_key k;
    char parts[3][UC_NAME_MAX + 1];
    LH_TRY(fkey(&k, parts, catalog, schema, name, eb));
    json_t *o = NULL;
    LH_TRY(fn_code(uc_get(ctx, UC_FUNCTION, &k, &o, eb), eb, &k));
    const char *body = json_string_value(json_object_get(o, "routine_body"));
    if (body == NULL || strcmp(body, "SQL") != 0 ||
        json_string_value(json_object_get(o, "routine_definition")) == NULL) {
        json_decref(o);
        return lh_err_set_code(eb, LH_E_UNSUPPORTED, "UNSUPPORTED_FEATURE.NOT_YET", __FILE__,
                               __LINE__, "functions with routine_body %s", body ? body : "(none)");
    }
    *out = info_from(arena, o);
    json_decref(o);
    return LH_OK;
}

static json_t *params_json(const lh_function_info_t *f)
{
    json_t *ps = json_array();
    for (int i = 0; i < f->param_count; i++) {
        const lh_function_param_t *p = &f->params[i];
        lh_catalog_column_t col = {p->name, p->type_text, NULL, p->comment, true, -1};
        json_t *x = uc_column_json(&col, i);
        json_object_del(x, "nullable");
        json_object_del(x, "partition_index");
        lh_json_set_str(x, "parameter_mode", "IN");
        lh_json_set_str(x, "parameter_type", "PARAM");
        lh_json_set_str(x, "parameter_default", p->default_text);
        json_array_append_new(ps, x);
    }
    return json_pack("{s:o}", "parameters", ps);
}

static json_t *function_json(const lh_function_info_t *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "input_params", params_json(f));
    lh_json_set_str(o, "data_type", uc_type_name(f->data_type ? f->data_type : "string"));
    lh_json_set_str(o, "full_data_type", f->data_type);
    lh_json_set_str(o, "routine_body", "SQL");
    lh_json_set_str(o, "routine_definition", f->routine_definition);
    lh_json_set_str(o, "comment", f->comment);
    json_object_set_new(o, "is_deterministic", json_boolean(f->is_deterministic));
    json_object_set_new(o, "is_null_call", json_false());
    lh_json_set_str(o, "sql_data_access", f->sql_data_access ? f->sql_data_access : "CONTAINS_SQL");
    lh_json_set_str(o, "security_type", "DEFINER");
    lh_json_set_str(o, "parameter_style", "S");
    return o;
}

typedef struct replace_arg {
    const uc_key *key;
    json_t *info;
    const char *who;
} replace_arg;

/* OR REPLACE over an existing row: the new definition, the old identity and history. */
static lh_err replace_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    replace_arg *a = arg;
    json_t *old;
    LH_TRY(uc_row_get(m, UC_FUNCTION, a->key, &old, eb));
    static const char *const KEEP[] = {"function_id", "created_at", "created_by", "owner",
                                       "metastore_id"};
    for (size_t i = 0; i < sizeof KEEP / sizeof KEEP[0]; i++)
        if (json_object_get(old, KEEP[i]) != NULL)
            json_object_set(a->info, KEEP[i], json_object_get(old, KEEP[i]));
    json_decref(old);
    uc_info_touch(a->info, a->who);
    return uc_row_update(m, UC_FUNCTION, a->key, a->info, eb);
}

static lh_err r_create_function(void *ctx, const char *who, const lh_function_info_t *info,
                                bool if_not_exists, bool or_replace, lh_errbuf *eb)
{
    uc_key k;
    char parts[3][UC_NAME_MAX + 1];
    LH_TRY(fkey(&k, parts, info->catalog, info->schema, info->name, eb));
    json_t *o = function_json(info);
    lh_err e = LH_OK;
    if (or_replace) { /* keep the row's identity: update it in place when it exists */
        replace_arg a = {&k, o, who};
        e = lh_meta_tx(((lh_catalog_t *)ctx)->meta, replace_tx, &a, eb);
        if (e != LH_E_NOT_FOUND || (eb->error_code && strstr(eb->error_code, "SCHEMA"))) {
            json_decref(o);
            return fn_code(e, eb, &k);
        }
        lh_errbuf_clear(eb);
    }
    e = uc_create(ctx, UC_FUNCTION, who, &k, o, if_not_exists, NULL, eb);
    json_decref(o);
    return fn_code(e, eb, &k);
}

static lh_err r_drop_function(void *ctx, const char *catalog, const char *schema, const char *name,
                              bool if_exists, lh_errbuf *eb)
{
    uc_key k;
    char parts[3][UC_NAME_MAX + 1];
    LH_TRY(fkey(&k, parts, catalog, schema, name, eb));
    lh_arena_t *arena = lh_arena_create();
    lh_err e = uc_delete(ctx, UC_FUNCTION, &k, false, if_exists, arena, eb);
    lh_arena_destroy(arena);
    return fn_code(e, eb, &k);
}

static lh_err r_list_functions(void *ctx, const char *catalog, const char *schema,
                               lh_arena_t *arena, const char ***names, int *count, lh_errbuf *eb)
{
    uc_key k;
    char parts[3][UC_NAME_MAX + 1];
    LH_TRY(fkey(&k, parts, catalog, schema, "x", eb));
    k.n = 2;
    json_t *o = NULL;
    LH_TRY(fn_code(uc_list(ctx, UC_FUNCTION, &k, NULL, arena, &o, eb), eb, &k));
    json_t *items = json_object_get(o, uc_kinds[UC_FUNCTION].list_field);
    size_t n = json_array_size(items);
    const char **out = lh_arena_calloc(arena, n + 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = str_of(arena, json_array_get(items, i), "name");
    json_decref(o);
    *names = out;
    *count = (int)n;
    return LH_OK;
}

void uc_function_resolver_init(lh_resolver_t *r)
{
    r->get_function = r_get_function;
    r->create_function = r_create_function;
    r->drop_function = r_drop_function;
    r->list_functions = r_list_functions;
}
