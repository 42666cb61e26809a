/*
 * bind_create.c - the parts of CREATE TABLE beyond columns: TBLPROPERTIES (kept in the
 * Delta log's configuration and in Unity Catalog's properties), informational PRIMARY KEY
 * and FOREIGN KEY constraints (Unity Catalog table_constraints, as Databricks records them:
 * not enforced), and the clauses not built yet, refused by name rather than ignored.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "compute/bind/bind_internal.h"

const char *bcr_prop_value(binder *b, const lh_ast_expr_t *v)
{
    if (v == NULL)
        return NULL;
    if (v->kind == LH_EX_LITERAL && v->u.lit.kind == LH_LIT_STRING)
        return lh_arena_strndup(b->a, v->u.lit.str, v->u.lit.str_len);
    if (v->kind == LH_EX_LITERAL && v->u.lit.text != NULL)
        return v->u.lit.text;
    const char *t = bd_span_text(b, v->span);
    return t ? t : "";
}

static const char *prop_text(binder *b, const lh_ast_expr_t *v)
{
    const char *t = bcr_prop_value(b, v);
    return t ? t : "";
}

lh_err bcr_check(binder *b, const lh_ast_create_table_t *ct)
{
    const char *what = NULL;
    if (ct->cluster_by_auto)
        what = "CLUSTER BY AUTO";
    for (int i = 0; what == NULL && i < ct->constraint_count; i++)
        if (ct->constraints[i].kind == LH_CONS_UNIQUE)
            what = "UNIQUE constraints";
    if (what != NULL)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message", what, NULL);
    return LH_OK;
}

const char *bcr_properties_json(binder *b, const lh_ast_create_table_t *ct)
{
    if (ct->tblproperties.count == 0)
        return NULL;
    json_t *o = json_object();
    for (int i = 0; i < ct->tblproperties.count; i++) {
        const lh_ast_prop_t *p = &ct->tblproperties.items[i];
        json_object_set_new(o, p->key, json_string(prop_text(b, p->value)));
    }
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    const char *out = text ? lh_arena_strdup(b->a, text) : NULL;
    free(text);
    return out;
}

int bcr_property_count(const lh_ast_create_table_t *ct)
{
    return ct->tblproperties.count;
}

void bcr_property(binder *b, const lh_ast_create_table_t *ct, int i, const char **key,
                  const char **value)
{
    *key = ct->tblproperties.items[i].key;
    *value = prop_text(b, ct->tblproperties.items[i].value);
}

static json_t *names_json(const lh_ast_idents_t *ids)
{
    json_t *a = json_array();
    for (int i = 0; i < ids->count; i++)
        json_array_append_new(a, json_string(ids->items[i].text));
    return a;
}

lh_err bcr_constraints_json(binder *b, const lh_ast_create_table_t *ct, const char *table,
                            const char **out)
{
    *out = NULL;
    json_t *arr = json_array();
    for (int i = 0; i < ct->constraint_count; i++) {
        const lh_ast_constraint_t *k = &ct->constraints[i];
        if (k->kind != LH_CONS_PRIMARY_KEY && k->kind != LH_CONS_FOREIGN_KEY)
            continue;
        for (int c = 0; c < k->columns.count; c++) {
            bool known = false;
            for (int j = 0; j < ct->column_count; j++)
                known |= strcasecmp(ct->columns[j].name.text, k->columns.items[c].text) == 0;
            if (!known) {
                json_decref(arr);
                return lh_sqlerr(b->eb, "UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", "objectName",
                                 lh_arena_sprintf(b->a, "`%s`", k->columns.items[c].text), NULL);
            }
        }
        bool pk = k->kind == LH_CONS_PRIMARY_KEY;
        const char *name =
            k->name ? k->name->text : lh_arena_sprintf(b->a, "%s_%s", table, pk ? "pk" : "fk");
        json_t *c = json_pack("{s:s, s:o}", "name", name, "child_columns", names_json(&k->columns));
        if (!pk) {
            const lh_ast_name_t *rt = &k->ref_table;
            const char *parent = "";
            for (int p = 0; p < rt->count; p++)
                parent = lh_arena_sprintf(b->a, "%s%s%s", parent, p ? "." : "",
                                          bf_lower(b, rt->parts[p].text));
            if (rt->count < 3) /* qualified as the table's catalog and schema would be */
                parent = lh_arena_sprintf(
                    b->a, "%s%s%s", rt->count < 3 ? lh_session_catalog(b->env->session) : "",
                    rt->count < 2
                        ? lh_arena_sprintf(b->a, ".%s", lh_session_schema(b->env->session))
                        : "",
                    lh_arena_sprintf(b->a, ".%s", parent));
            json_object_set_new(c, "parent_table", json_string(parent));
            json_object_set_new(c, "parent_columns", names_json(&k->ref_columns));
        }
        json_array_append_new(
            arr, json_pack("{s:o}", pk ? "primary_key_constraint" : "foreign_key_constraint", c));
    }
    if (json_array_size(arr) > 0) {
        char *text = json_dumps(arr, JSON_COMPACT);
        *out = text ? lh_arena_strdup(b->a, text) : NULL;
        free(text);
    }
    json_decref(arr);
    return LH_OK;
}
