/*
 * schema.c - schemaString <-> lh_schema_t (formats.md §2.3), new-table metadata, and path
 * escaping (§2.4).
 *
 * Only flat primitive schemas become an lh_schema_t; a nested column (struct/array/map/
 * variant) leaves the schema NULL and names the column, so such tables can still be
 * listed and time-travelled but their data is refused.
 *
 * Paths: a partition value is Hive-escaped into a directory name (`%XX` for control
 * characters and "#%'*\/:=?\\{[]^ and 0x7F); the resulting relative path is URI-encoded once
 * more in the log. Readers URI-decode once and key file identity on that decoded path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "storage/delta/delta_internal.h"

#define HIVE_NULL "__HIVE_DEFAULT_PARTITION__"

/* ---- schemaString -------------------------------------------------------------------- */

/* Parse field i into s at *n (primitive) or note it as nested. */
static lh_err parse_field(json_t *f, lh_schema_t *s, int *n, char **nested, lh_errbuf *eb)
{
    json_t *name = json_object_get(f, "name"), *type = json_object_get(f, "type");
    json_t *nullable = json_object_get(f, "nullable");
    LH_FAIL_IF(!json_is_string(name) || type == NULL, LH_E_CORRUPT, eb,
               "schemaString: field %d lacks name or type", *n);
    lh_type_t t = {LH_TYPE__COUNT, 0, 0};
    lh_err e = LH_E_UNSUPPORTED;
    if (json_is_string(type))
        e = lh_type_parse(json_string_value(type), &t, eb);
    else
        LH_FAIL_IF(!json_is_object(type), LH_E_CORRUPT, eb, "schemaString: bad type of '%s'",
                   json_string_value(name));
    if (e == LH_E_UNSUPPORTED) { /* struct/array/map/variant/interval: listable, not readable */
        if (*nested == NULL && (*nested = strdup(json_string_value(name))) == NULL)
            return LH_E_NOMEM;
        return LH_OK;
    }
    LH_FAIL_IF(e != LH_OK, LH_E_CORRUPT, eb, "schemaString: bad type of '%s'",
               json_string_value(name));
    bool is_nullable = nullable == NULL || json_is_true(nullable);
    return lh_schema_set(s, (*n)++, json_string_value(name), t, is_nullable);
}

static lh_err parse_fields(json_t *fields, lh_schema_t *s, char **nested, lh_errbuf *eb)
{
    int n = 0;
    for (size_t i = 0; i < json_array_size(fields); i++) {
        json_t *f = json_array_get(fields, i);
        LH_FAIL_IF(!json_is_object(f), LH_E_CORRUPT, eb, "schemaString: field is not an object");
        LH_TRY(parse_field(f, s, &n, nested, eb));
    }
    s->field_count = n;
    return LH_OK;
}

lh_err lh_delta_schema_parse(const char *schema_string, lh_schema_t **out, lh_schema_t **primitive,
                             char **nested_column, lh_errbuf *eb)
{
    *out = NULL;
    if (primitive)
        *primitive = NULL;
    *nested_column = NULL;
    json_t *root = json_loads(schema_string, 0, NULL);
    json_t *fields = json_object_get(root, "fields");
    json_t *type = json_object_get(root, "type");
    if (!json_is_object(root) || !json_is_array(fields) || !json_is_string(type) ||
        strcmp(json_string_value(type), "struct") != 0) {
        json_decref(root);
        LH_FAIL(LH_E_CORRUPT, eb, "schemaString is not a struct type");
    }
    lh_schema_t *s = lh_schema_create((int)json_array_size(fields));
    lh_err e = s ? parse_fields(fields, s, nested_column, eb) : LH_E_NOMEM;
    json_decref(root);
    for (int i = 0; e == LH_OK && i < s->field_count; i++) /* unique case-insensitively */
        if (lh_schema_find(s, s->fields[i].name) != i)
            e = lh_err_set(eb, LH_E_CORRUPT, __FILE__, __LINE__,
                           "schemaString: duplicate column '%s'", s->fields[i].name);
    if (e == LH_OK && primitive && (*primitive = lh_schema_copy(s)) == NULL)
        e = LH_E_NOMEM;
    if (e != LH_OK || *nested_column != NULL) {
        lh_schema_destroy(s);
        if (e != LH_OK && primitive) {
            lh_schema_destroy(*primitive);
            *primitive = NULL;
        }
        return e;
    }
    *out = s;
    return LH_OK;
}

char *lh_delta_schema_to_string(const lh_schema_t *schema)
{
    json_t *fields = json_array();
    for (int i = 0; fields && i < schema->field_count; i++) {
        char tn[32];
        const lh_field_t *f = &schema->fields[i];
        json_array_append_new(fields, json_pack("{s:s,s:s,s:b,s:{}}", "name", f->name, "type",
                                                lh_type_name(f->type, tn, sizeof tn), "nullable",
                                                f->nullable, "metadata"));
    }
    json_t *root = json_pack("{s:s,s:o}", "type", "struct", "fields", fields);
    char *s = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root);
    return s;
}

bool lh_delta_schema_has_unsupported_metadata(const char *schema_string, const char **what)
{
    static const char *const keys[] = {"delta.invariants", "delta.generationExpression",
                                       "delta.identity.", "delta.columnMapping.",
                                       "CURRENT_DEFAULT"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strstr(schema_string, keys[i]) != NULL) {
            *what = keys[i];
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
