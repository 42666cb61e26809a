/*
 * schema.c - schemaString <-> lh_schema_t (formats.md §2.3), new-table metadata, and path
 * escaping (§2.4).
 *
 * Types: a primitive is its name ("long", "decimal(10,2)"); nested types are objects
 * {"type":"array","elementType":T,"containsNull":b}, {"type":"map","keyType":K,
 * "valueType":V,"valueContainsNull":b} and {"type":"struct","fields":[{"name","type",
 * "nullable","metadata"}...]}, read into the interned lh_type_t of common/nested.h. Our
 * nested types are always nullable inside, so containsNull/valueContainsNull/nullable of
 * inner fields are read and ignored, and written as true. A column whose type we cannot
 * represent (variant, a user-defined type) leaves the schema NULL and names the column, so
 * such tables can still be listed and time-travelled but their data is refused.
 *
 * Paths: a partition value is Hive-escaped into a directory name (`%XX` for control
 * characters and "#%'*\/:=?\\{[]^ and 0x7F); the resulting relative path is URI-encoded once
 * more in the log. Readers URI-decode once and key file identity on that decoded path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/limits.h"
#include "common/nested.h"
#include "common/util.h"
#include "storage/delta/delta_internal.h"

#define HIVE_NULL "__HIVE_DEFAULT_PARTITION__"

/* ---- types -------------------------------------------------------------------------- */

static lh_err type_from_json(json_t *t, int depth, const char *col, lh_type_t *out, lh_errbuf *eb);

static lh_err struct_from_json(json_t *fields, int depth, const char *col, lh_type_t *out,
                               lh_errbuf *eb)
{
    LH_FAIL_IF(!json_is_array(fields), LH_E_CORRUPT, eb,
               "schemaString: struct type of '%s' has no fields array", col);
    size_t n = json_array_size(fields);
    LH_FAIL_IF(n > INT16_MAX, LH_E_CORRUPT, eb, "schemaString: struct of '%s' is too wide", col);
    const char **names = calloc(n + 1, sizeof *names);
    lh_type_t *types = calloc(n + 1, sizeof *types);
    lh_err e =
        names && types ? LH_OK : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    for (size_t i = 0; e == LH_OK && i < n; i++) {
        json_t *f = json_array_get(fields, i);
        names[i] = json_string_value(json_object_get(f, "name"));
        json_t *ft = json_object_get(f, "type");
        if (!json_is_object(f) || names[i] == NULL || ft == NULL) {
            e = lh_err_set(eb, LH_E_CORRUPT, __FILE__, __LINE__,
                           "schemaString: a struct field of '%s' lacks name or type", col);
            break;
        }
        for (size_t k = 0; e == LH_OK && k < i; k++)
            if (strcasecmp(names[k], names[i]) == 0)
                e = lh_err_set(eb, LH_E_CORRUPT, __FILE__, __LINE__,
                               "schemaString: duplicate field '%s' in '%s'", names[i], col);
        if (e == LH_OK)
            e = type_from_json(ft, depth + 1, col, &types[i], eb);
    }
    if (e == LH_OK)
        *out = lh_type_struct((int)n, names, types);
    free(names);
    free(types);
    return e;
}

/* A Delta type: a primitive name, or an array/map/struct object. LH_E_UNSUPPORTED for types
 * we have no lh_type_t for (variant, user-defined), LH_E_CORRUPT for malformed ones. col
 * names the top-level column, for messages. */
static lh_err type_from_json(json_t *t, int depth, const char *col, lh_type_t *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    if (json_is_string(t)) {
        lh_err e = lh_type_parse(json_string_value(t), out, eb);
        LH_FAIL_IF(e == LH_E_UNSUPPORTED, e, eb, "column '%s' has unsupported type '%s'", col,
                   json_string_value(t));
        LH_FAIL_IF(e != LH_OK, LH_E_CORRUPT, eb, "schemaString: bad type of '%s'", col);
        return LH_OK;
    }
    const char *kind = json_string_value(json_object_get(t, "type"));
    LH_FAIL_IF(kind == NULL, LH_E_CORRUPT, eb, "schemaString: bad type of '%s'", col);
    LH_FAIL_IF(depth >= LH_TYPE_NESTING_MAX, LH_E_UNSUPPORTED, eb,
               "column '%s' nests types more than %d deep", col, LH_TYPE_NESTING_MAX);
    if (strcmp(kind, "struct") == 0)
        return struct_from_json(json_object_get(t, "fields"), depth, col, out, eb);
    bool is_map = strcmp(kind, "map") == 0;
    LH_FAIL_IF(!is_map && strcmp(kind, "array") != 0, LH_E_UNSUPPORTED, eb,
               "column '%s' has unsupported type '%s'", col, kind);
    json_t *a = json_object_get(t, is_map ? "keyType" : "elementType");
    json_t *b = is_map ? json_object_get(t, "valueType") : NULL;
    LH_FAIL_IF(a == NULL || (is_map && b == NULL), LH_E_CORRUPT, eb,
               "schemaString: %s type of '%s' lacks %s", kind, col,
               is_map ? "keyType or valueType" : "elementType");
    lh_type_t x, y;
    LH_TRY(type_from_json(a, depth + 1, col, &x, eb));
    if (!is_map) {
        *out = lh_type_array(x);
        return LH_OK;
    }
    LH_TRY(type_from_json(b, depth + 1, col, &y, eb));
    *out = lh_type_map(x, y);
    return LH_OK;
}

/* The Delta JSON of a type (new reference; NULL on allocation failure). Every element, value
 * and field is nullable: our nested types carry no nullability (common/nested.h). */
static json_t *type_to_json(lh_type_t t)
{
    char tn[32];
    const lh_ntype_t *d = t.nested;
    switch (t.id) {
    case LH_TYPE_ARRAY:
        return json_pack("{s:s,s:o,s:b}", "type", "array", "elementType", type_to_json(d->elem),
                         "containsNull", 1);
    case LH_TYPE_MAP:
        return json_pack("{s:s,s:o,s:o,s:b}", "type", "map", "keyType", type_to_json(d->elem),
                         "valueType", type_to_json(d->value), "valueContainsNull", 1);
    case LH_TYPE_STRUCT: {
        json_t *fields = json_array();
        for (int i = 0; fields && i < d->field_count; i++)
            if (json_array_append_new(fields,
                                      json_pack("{s:s,s:o,s:b,s:{}}", "name", d->fields[i].name,
                                                "type", type_to_json(d->fields[i].type), "nullable",
                                                1, "metadata")) != 0) {
                json_decref(fields);
                fields = NULL;
            }
        return json_pack("{s:s,s:o}", "type", "struct", "fields", fields);
    }
    default:
        return json_string(lh_type_name(t, tn, sizeof tn));
    }
}

lh_err lh_delta_type_parse(const char *json_text, lh_type_t *out, lh_errbuf *eb)
{
    json_t *t = json_loads(json_text, JSON_DECODE_ANY, NULL);
    LH_FAIL_IF(t == NULL, LH_E_CORRUPT, eb, "a Delta type is not JSON");
    lh_err e = type_from_json(t, 0, "?", out, eb);
    json_decref(t);
    return e;
}

char *lh_delta_type_json(lh_type_t t)
{
    json_t *j = type_to_json(t);
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    return s;
}

/* ---- schemaString -------------------------------------------------------------------- */

/* Parse field i into s at *n, or note it as unreadable (a type we cannot represent). */
static lh_err parse_field(json_t *f, lh_schema_t *s, int *n, char **unreadable, lh_errbuf *eb)
{
    json_t *name = json_object_get(f, "name"), *type = json_object_get(f, "type");
    json_t *nullable = json_object_get(f, "nullable");
    LH_FAIL_IF(!json_is_string(name) || type == NULL, LH_E_CORRUPT, eb,
               "schemaString: field %d lacks name or type", *n);
    LH_FAIL_IF(!json_is_string(type) && !json_is_object(type), LH_E_CORRUPT, eb,
               "schemaString: bad type of '%s'", json_string_value(name));
    lh_type_t t;
    lh_errbuf ignored;
    lh_err e = type_from_json(type, 0, json_string_value(name), &t, &ignored);
    if (e == LH_E_UNSUPPORTED) { /* variant, user-defined: listable, not readable */
        if (*unreadable == NULL && (*unreadable = strdup(json_string_value(name))) == NULL)
            return LH_E_NOMEM;
        return LH_OK;
    }
    if (e != LH_OK)
        return lh_err_set(eb, e, __FILE__, __LINE__, "%s", ignored.msg);
    bool is_nullable = nullable == NULL || json_is_true(nullable);
    return lh_schema_set(s, (*n)++, json_string_value(name), t, is_nullable);
}

static lh_err parse_fields(json_t *fields, lh_schema_t *s, char **unreadable, lh_errbuf *eb)
{
    int n = 0;
    for (size_t i = 0; i < json_array_size(fields); i++) {
        json_t *f = json_array_get(fields, i);
        LH_FAIL_IF(!json_is_object(f), LH_E_CORRUPT, eb, "schemaString: field is not an object");
        LH_TRY(parse_field(f, s, &n, unreadable, eb));
    }
    s->field_count = n;
    return LH_OK;
}

/* The columns of s that are not nested (for partition values and statistics). */
static lh_schema_t *primitive_columns(const lh_schema_t *s)
{
    int n = 0;
    for (int i = 0; i < s->field_count; i++)
        n += !lh_type_is_nested(s->fields[i].type);
    lh_schema_t *p = lh_schema_create(n);
    for (int i = 0, k = 0; p != NULL && i < s->field_count; i++) {
        const lh_field_t *f = &s->fields[i];
        if (lh_type_is_nested(f->type))
            continue;
        if (lh_schema_set(p, k++, f->name, f->type, f->nullable) != LH_OK) {
            lh_schema_destroy(p);
            return NULL;
        }
    }
    return p;
}

lh_err lh_delta_schema_parse(const char *schema_string, lh_schema_t **out, lh_schema_t **primitive,
                             char **unreadable_column, lh_errbuf *eb)
{
    *out = NULL;
    if (primitive)
        *primitive = NULL;
    *unreadable_column = NULL;
    json_t *root = json_loads(schema_string, 0, NULL);
    json_t *fields = json_object_get(root, "fields");
    json_t *type = json_object_get(root, "type");
    if (!json_is_object(root) || !json_is_array(fields) || !json_is_string(type) ||
        strcmp(json_string_value(type), "struct") != 0) {
        json_decref(root);
        LH_FAIL(LH_E_CORRUPT, eb, "schemaString is not a struct type");
    }
    lh_schema_t *s = lh_schema_create((int)json_array_size(fields));
    lh_err e = s ? parse_fields(fields, s, unreadable_column, eb) : LH_E_NOMEM;
    json_decref(root);
    for (int i = 0; e == LH_OK && i < s->field_count; i++) /* unique case-insensitively */
        if (lh_schema_find(s, s->fields[i].name) != i)
            e = lh_err_set(eb, LH_E_CORRUPT, __FILE__, __LINE__,
                           "schemaString: duplicate column '%s'", s->fields[i].name);
    if (e == LH_OK && primitive && (*primitive = primitive_columns(s)) == NULL)
        e = LH_E_NOMEM;
    if (e != LH_OK || *unreadable_column != NULL) {
        lh_schema_destroy(s);
        if (e != LH_OK && primitive) {
            lh_schema_destroy(*primitive);
            *primitive = NULL;
        }
        if (e != LH_OK) {
            free(*unreadable_column);
            *unreadable_column = NULL;
        }
        return e;
    }
    *out = s;
    return LH_OK;
}

/* The StructField JSON of a column (new reference). */
static json_t *field_to_json(const lh_field_t *f)
{
    return json_pack("{s:s,s:o,s:b,s:{}}", "name", f->name, "type", type_to_json(f->type),
                     "nullable", f->nullable, "metadata");
}

char *lh_delta_schema_to_string(const lh_schema_t *schema)
{
    json_t *fields = json_array();
    for (int i = 0; fields && i < schema->field_count; i++)
        json_array_append_new(fields, field_to_json(&schema->fields[i]));
    json_t *root = json_pack("{s:s,s:o}", "type", "struct", "fields", fields);
    char *s = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root);
    return s;
}

char *lh_delta_schema_append(const char *schema_string, const lh_schema_t *extra)
{
    json_t *root = json_loads(schema_string, 0, NULL);
    json_t *fields = json_object_get(root, "fields");
    bool ok = json_is_array(fields);
    for (int i = 0; ok && i < extra->field_count; i++)
        ok = json_array_append_new(fields, field_to_json(&extra->fields[i])) == 0;
    char *s = ok ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root);
    return s;
}

bool lh_delta_schema_has_unsupported_metadata(const char *schema_string, bool enforcing,
                                              const char **what)
{
    /* generated columns, column defaults and identity columns are written by a writer that
     * computes them (the SQL engine, which also enforces CHECK constraints) */
    static const struct {
        const char *key;
        bool enforced;
    } keys[] = {{"delta.invariants", false},
                {"delta.generationExpression", true},
                {"delta.identity.", true},
                {"delta.columnMapping.", false},
                {"CURRENT_DEFAULT", true}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if ((!enforcing || !keys[i].enforced) && strstr(schema_string, keys[i].key) != NULL) {
            *what = keys[i].key;
            return true;
        }
    }
    return false;
}

lh_err lh_delta_metadata_init(lh_delta_metadata_t *md, const lh_schema_t *schema,
                              const char *const *partition_columns, int partition_column_count,
                              lh_errbuf *eb)
{
    memset(md, 0, sizeof *md);
    for (int i = 0; i < partition_column_count; i++)
        LH_FAIL_IF(lh_schema_find(schema, partition_columns[i]) < 0, LH_E_INVALID, eb,
                   "partition column '%s' is not in the schema", partition_columns[i]);
    char id[37];
    lh_uuid4(id);
    md->id = strdup(id);
    md->format_provider = strdup("parquet");
    md->schema_string = lh_delta_schema_to_string(schema);
    md->schema = lh_schema_copy(schema);
    md->primitive_schema = lh_schema_copy(schema);
    md->partition_columns = calloc((size_t)partition_column_count + 1, sizeof(char *));
    md->partition_column_count = md->partition_columns ? partition_column_count : -1;
    for (int i = 0; md->partition_columns && i < partition_column_count; i++) {
        int idx = lh_schema_find(schema, partition_columns[i]); /* schema's spelling */
        md->partition_columns[i] = strdup(schema->fields[idx].name);
        if (md->partition_columns[i] == NULL)
            md->id = NULL; /* reported below (leaks id, only on OOM) */
    }
    md->has_created_time = true;
    md->created_time_ms = lh_now_ms();
    if (!md->id || !md->format_provider || !md->schema_string || !md->schema ||
        !md->primitive_schema || !md->partition_columns) {
        lh_delta_metadata_clear(md);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

/* ---- escaping ----------------------------------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void lh_delta_path_canonicalize(char *path)
{
    size_t skip = 0;
    if (strncmp(path, "file:///", 8) == 0)
        skip = 7;
    else if (strncmp(path, "file:/", 6) == 0 && path[6] != '/')
        skip = 5;
    if (skip)
        memmove(path, path + skip, strlen(path + skip) + 1);
}

char *lh_delta_uri_decode(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1), *o = out;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            *o++ = s[i];
            continue;
        }
        int hi = i + 1 < n ? hexval(s[i + 1]) : -1;
        int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            free(out);
            return NULL;
        }
        *o++ = (char)(hi * 16 + lo);
        i += 2;
    }
    *o = '\0';
    return out;
}

static char *escape(const char *s, bool (*keep)(unsigned char c))
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = malloc(3 * n + 1), *o = out;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (keep(c)) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

/* RFC 2396 path characters minus ':' (a relative path must not look like a scheme). */
static bool uri_keep(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && strchr("-_.!~*'()/;@&=+$,", c) != NULL;
}

char *lh_delta_uri_encode(const char *s)
{
    return escape(s, uri_keep);
}

static bool hive_keep(unsigned char c)
{
    return c >= 0x20 && c != 0x7F && strchr("\"#%'*/:=?\\{[]^", c) == NULL;
}

char *lh_delta_hive_escape(const char *value)
{
    if (value == NULL || value[0] == '\0')
        return strdup(HIVE_NULL);
    return escape(value, hive_keep);
}
