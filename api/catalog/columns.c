/*
 * columns.c - column types as Unity Catalog reports them: Spark SQL type text ("bigint",
 * "decimal(10,2)", "array<string>") -> the SDK's ColumnTypeName ("LONG", "DECIMAL",
 * "ARRAY"), and type_json, the Spark StructField JSON
 * {"name":..,"type":..,"nullable":..,"metadata":{..}} whose type is Delta's JSON of it (an
 * object for array<..>, map<..> and struct<..>, parsed from the type text). The type map is
 * a table.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/catalog/catalog_internal.h"
#include "common/json.h"
#include "common/nested.h"
#include "storage/delta/delta.h"

typedef struct type_row {
    const char *text;      /* Spark SQL spelling (lower case) */
    const char *type_name; /* ColumnTypeName */
    const char *json;      /* Spark JSON type name; NULL = not a primitive */
} type_row;

static const type_row TYPES[] = {
    {"boolean", "BOOLEAN", "boolean"},
    {"tinyint", "BYTE", "byte"},
    {"byte", "BYTE", "byte"},
    {"smallint", "SHORT", "short"},
    {"short", "SHORT", "short"},
    {"int", "INT", "integer"},
    {"integer", "INT", "integer"},
    {"bigint", "LONG", "long"},
    {"long", "LONG", "long"},
    {"float", "FLOAT", "float"},
    {"real", "FLOAT", "float"},
    {"double", "DOUBLE", "double"},
    {"string", "STRING", "string"},
    {"varchar", "STRING", NULL},
    {"char", "CHAR", NULL},
    {"binary", "BINARY", "binary"},
    {"date", "DATE", "date"},
    {"timestamp", "TIMESTAMP", "timestamp"},
    {"timestamp_ltz", "TIMESTAMP", "timestamp"},
    {"timestamp_ntz", "TIMESTAMP_NTZ", "timestamp_ntz"},
    {"decimal", "DECIMAL", NULL},
    {"dec", "DECIMAL", NULL},
    {"numeric", "DECIMAL", NULL},
    {"interval", "INTERVAL", NULL},
    {"array", "ARRAY", NULL},
    {"map", "MAP", NULL},
    {"struct", "STRUCT", NULL},
    {"variant", "VARIANT", "variant"},
    {"void", "NULL", "void"},
    {"null", "NULL", "void"},
};

/* The leading word of type text, lower-cased, into buf. */
static void head_word(const char *text, char *buf, size_t cap)
{
    size_t i = 0;
    while (text[i] != '\0' && i + 1 < cap && (isalnum((unsigned char)text[i]) || text[i] == '_')) {
        buf[i] = (char)tolower((unsigned char)text[i]);
        i++;
    }
    buf[i] = '\0';
}

static const type_row *lookup(const char *type_text)
{
    char word[32];
    head_word(type_text != NULL ? type_text : "", word, sizeof word);
    for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
        if (strcmp(TYPES[i].text, word) == 0)
            return &TYPES[i];
    return NULL;
}

const char *uc_type_name(const char *type_text)
{
    const type_row *r = lookup(type_text);
    return r != NULL ? r->type_name : "USER_DEFINED_TYPE";
}

const char *uc_type_json_of(const char *type_text, char *buf, size_t cap)
{
    const type_row *r = lookup(type_text);
    lh_type_t t;
    if (r != NULL && r->json == NULL && strcmp(r->type_name, "DECIMAL") != 0 &&
        lh_type_parse_text(type_text, strlen(type_text), &t, NULL) == LH_OK &&
        lh_type_is_nested(t)) { /* array<..>, map<..>, struct<..>: Delta's JSON of the type */
        char *json = lh_delta_type_json(t);
        bool fits = json != NULL && strlen(json) < cap;
        if (fits)
            memcpy(buf, json, strlen(json) + 1);
        free(json);
        return fits ? buf : NULL;
    }
    if (r != NULL && r->json != NULL) {
        snprintf(buf, cap, "\"%s\"", r->json);
        return buf;
    }
    if (r != NULL && strcmp(r->type_name, "DECIMAL") == 0) {
        int p = 10, s = 0;
        const char *paren = strchr(type_text, '(');
        if (paren != NULL && sscanf(paren, "(%d,%d)", &p, &s) < 1)
            p = 10;
        snprintf(buf, cap, "\"decimal(%d,%d)\"", p, s);
        return buf;
    }
    return NULL;
}

/* Precision and scale of a decimal type text into col. */
static void set_decimal(json_t *col, const char *type_text)
{
    int p = 10, s = 0;
    const char *paren = strchr(type_text, '(');
    if (paren != NULL && sscanf(paren, "(%d ,%d)", &p, &s) < 1)
        p = 10;
    lh_json_set_int(col, "type_precision", p);
    lh_json_set_int(col, "type_scale", s);
}

/* StructField JSON text for name/type/nullable/comment; type_json is the type's JSON text
 * (or NULL: the type text as a string). */
static char *field_json(const char *name, const char *type_text, const char *type_json,
                        bool nullable, const char *comment)
{
    json_t *type = type_json != NULL ? json_loads(type_json, JSON_DECODE_ANY, NULL) : NULL;
    if (type == NULL)
        type = json_string(type_text);
    json_t *meta = json_object();
    if (comment != NULL)
        lh_json_set_str(meta, "comment", comment);
    json_t *f = json_pack("{s:s, s:o, s:b, s:o}", "name", name, "type", type, "nullable", nullable,
                          "metadata", meta);
    char *text = json_dumps(f, JSON_COMPACT);
    json_decref(f);
    return text;
}

json_t *uc_column_json(const lh_catalog_column_t *col, int position)
{
    json_t *o = json_object();
    lh_json_set_str(o, "name", col->name);
    lh_json_set_str(o, "type_text", col->type_text);
    lh_json_set_str(o, "type_name", uc_type_name(col->type_text));
    char buf[8192];
    const char *tj =
        col->type_json != NULL ? col->type_json : uc_type_json_of(col->type_text, buf, sizeof buf);
    char *fj = field_json(col->name, col->type_text, tj, col->nullable, col->comment);
    if (fj != NULL)
        lh_json_set_str(o, "type_json", fj);
    free(fj);
    lh_json_set_int(o, "position", position);
    lh_json_set_bool(o, "nullable", col->nullable);
    lh_json_set_str(o, "comment", col->comment);
    if (col->partition_index >= 0)
        lh_json_set_int(o, "partition_index", col->partition_index);
    if (strcmp(uc_type_name(col->type_text), "DECIMAL") == 0)
        set_decimal(o, col->type_text);
    return o;
}

lh_err uc_column_normalize(json_t *col, int position, lh_errbuf *eb)
{
    LH_FAIL_IF(!json_is_object(col), LH_E_INVALID, eb, "columns[%d] must be an object", position);
    const char *name = NULL, *type_text = NULL, *comment = NULL;
    LH_TRY(lh_json_get_str(col, "name", LH_REQUIRED, &name, eb));
    LH_TRY(lh_json_get_str(col, "type_text", LH_OPTIONAL, &type_text, eb));
    LH_TRY(lh_json_get_str(col, "comment", LH_OPTIONAL, &comment, eb));
    bool nullable = true;
    LH_TRY(lh_json_get_bool(col, "nullable", LH_OPTIONAL, &nullable, eb));
    if (type_text == NULL) {
        const char *tn = NULL;
        LH_TRY(lh_json_get_str(col, "type_name", LH_REQUIRED, &tn, eb));
        type_text = tn;
        lh_json_set_str(col, "type_text", tn); /* as given; lower-cased below */
    }
    lh_catalog_column_t c = {name, type_text, NULL, comment, nullable, -1};
    json_t *full = uc_column_json(&c, position);
    json_object_update_missing(col, full);
    json_decref(full);
    if (!lh_json_has(col, "position"))
        lh_json_set_int(col, "position", position);
    return LH_OK;
}
