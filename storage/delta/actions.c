/*
 * actions.c - Delta log actions: NDJSON parse, required-field validation, serialization,
 * deep copy and free (formats.md §2.2).
 *
 * Parsing is table-driven: the single top-level key of each line picks a parser; unknown
 * actions and unknown fields are ignored. Every parsed action is validated with the same
 * function that guards writes (lh_delta_action_validate), so a required field is checked
 * on both sides of the log. Paths are URI-decoded on read and encoded again on write.
 */
#include <stdlib.h>
#include <string.h>

#include "storage/delta/delta_internal.h"

/* ---- small helpers -------------------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

#define DUP_FIELD(dst, src)                                                                        \
    do {                                                                                           \
        (dst) = dup_or_null(src);                                                                  \
        if ((src) != NULL && (dst) == NULL)                                                        \
            return LH_E_NOMEM;                                                                     \
    } while (0)

typedef struct pctx {
    int64_t version;
    const char *action;
    lh_errbuf *eb;
} pctx_t;

static lh_err bad(const pctx_t *c, const char *field, const char *what)
{
    if (c->version >= 0)
        return lh_err_set(c->eb, LH_E_CORRUPT, __FILE__, __LINE__,
                          "delta log version %lld: %s.%s %s", (long long)c->version, c->action,
                          field, what);
    return lh_err_set(c->eb, LH_E_CORRUPT, __FILE__, __LINE__, "delta log: %s.%s %s", c->action,
                      field, what);
}

/* Strict getters: absent or null leaves *out alone; a wrong type is LH_E_CORRUPT. */
static lh_err get_str(const pctx_t *c, json_t *o, const char *k, char **out)
{
    json_t *v = json_object_get(o, k);
    if (v == NULL || json_is_null(v))
        return LH_OK;
    if (!json_is_string(v))
        return bad(c, k, "is not a string");
    *out = strdup(json_string_value(v));
    return *out ? LH_OK : LH_E_NOMEM;
}

static lh_err get_int(const pctx_t *c, json_t *o, const char *k, int64_t *out, bool *has)
{
    json_t *v = json_object_get(o, k);
    if (v == NULL || json_is_null(v))
        return LH_OK;
    if (json_is_integer(v))
        *out = json_integer_value(v);
    else if (json_is_string(v) && json_string_length(v) > 0) {
        char *end;
        *out = strtoll(json_string_value(v), &end, 10);
        if (*end != '\0')
            return bad(c, k, "is not an integer");
    } else
        return bad(c, k, "is not an integer");
    if (has)
        *has = true;
    return LH_OK;
}

static lh_err get_bool(const pctx_t *c, json_t *o, const char *k, bool *out, bool *has)
{
    json_t *v = json_object_get(o, k);
    if (v == NULL || json_is_null(v))
        return LH_OK;
    if (!json_is_boolean(v))
        return bad(c, k, "is not a boolean");
    *out = json_is_true(v);
    if (has)
        *has = true;
    return LH_OK;
}

static lh_err get_map(const pctx_t *c, json_t *o, const char *k, lh_delta_map_t *out, bool *has)
{
    json_t *v = json_object_get(o, k);
    if (v == NULL || json_is_null(v))
        return LH_OK;
    if (!json_is_object(v))
        return bad(c, k, "is not an object");
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val)
    {
        if (!json_is_string(val) && !json_is_null(val))
            return bad(c, k, "has a non-string value");
        LH_TRY(lh_delta_map_set(out, key, json_is_string(val) ? json_string_value(val) : NULL));
    }
    if (has)
        *has = true;
    return LH_OK;
}

static lh_err get_str_list(const pctx_t *c, json_t *o, const char *k, char ***out, int *count)
{
    json_t *v = json_object_get(o, k);
    if (v == NULL || json_is_null(v))
        return LH_OK;
    if (!json_is_array(v))
        return bad(c, k, "is not an array");
    size_t n = json_array_size(v);
    *out = calloc(n ? n : 1, sizeof **out);
    if (*out == NULL)
        return LH_E_NOMEM;
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_string(e))
            return bad(c, k, "has a non-string element");
        (*out)[i] = strdup(json_string_value(e));
        if ((*out)[i] == NULL)
            return LH_E_NOMEM;
        (*count)++;
    }
    return LH_OK;
}

/* Decode a path in place of *p (URI-decoding once). */
static lh_err decode_path(const pctx_t *c, char **p)
{
    if (*p == NULL)
        return LH_OK;
    char *d = lh_delta_uri_decode(*p);
    if (d == NULL)
        return bad(c, "path", "has an invalid %-escape");
    free(*p);
    lh_delta_path_canonicalize(d);
    *p = d;
    return LH_OK;
}

/* A log without schemaString is read as an empty struct, as Delta's reference reader does
 * (several of its golden tables have none); writes still require it. */
lh_err lh_delta_metadata_parse_schema(lh_delta_metadata_t *m, lh_errbuf *eb)
{
    if (m->schema_string == NULL &&
        (m->schema_string = strdup("{\"type\":\"struct\",\"fields\":[]}")) == NULL)
        return LH_E_NOMEM;
    return lh_delta_schema_parse(m->schema_string, &m->schema, &m->primitive_schema,
                                 &m->unreadable_column, eb);
}

/* ---- maps ------------------------------------------------------------------------------ */

const char *lh_delta_map_get(const lh_delta_map_t *m, const char *key, bool *found)
{
    for (int i = 0; i < m->count; i++) {
        if (strcmp(m->items[i].key, key) == 0) {
            if (found)
                *found = true;
            return m->items[i].value;
        }
    }
    if (found)
        *found = false;
    return NULL;
}

lh_err lh_delta_map_set(lh_delta_map_t *m, const char *key, const char *value)
{
    for (int i = 0; i < m->count; i++) {
        if (strcmp(m->items[i].key, key) == 0) {
            char *v = dup_or_null(value);
            if (value && !v)
                return LH_E_NOMEM;
            free(m->items[i].value);
            m->items[i].value = v;
            return LH_OK;
        }
    }
    lh_delta_kv_t *items = realloc(m->items, (size_t)(m->count + 1) * sizeof *items);
    if (items == NULL)
        return LH_E_NOMEM;
    m->items = items;
    items[m->count].key = strdup(key);
    items[m->count].value = dup_or_null(value);
    if (items[m->count].key == NULL || (value && items[m->count].value == NULL)) {
        free(items[m->count].key);
        free(items[m->count].value);
        return LH_E_NOMEM;
    }
    m->count++;
    return LH_OK;
}

void lh_delta_map_free(lh_delta_map_t *m)
{
    for (int i = 0; i < m->count; i++) {
        free(m->items[i].key);
        free(m->items[i].value);
    }
    free(m->items);
    m->items = NULL;
    m->count = 0;
}

lh_err lh_delta_map_copy(const lh_delta_map_t *src, lh_delta_map_t *dst)
{
    memset(dst, 0, sizeof *dst);
    for (int i = 0; i < src->count; i++)
        LH_TRY(lh_delta_map_set(dst, src->items[i].key, src->items[i].value));
    return LH_OK;
}

static void str_list_free(char **l, int n)
{
    for (int i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

static lh_err str_list_copy(char **src, int n, char ***dst)
{
    *dst = NULL;
    if (n < 0 || src == NULL)
        return LH_OK;
    *dst = calloc(n ? (size_t)n : 1, sizeof **dst);
    if (*dst == NULL)
        return LH_E_NOMEM;
    for (int i = 0; i < n; i++) {
        (*dst)[i] = strdup(src[i]);
        if ((*dst)[i] == NULL)
            return LH_E_NOMEM;
    }
    return LH_OK;
}

/* ---- per-action parsers ---------------------------------------------------------------- */

static lh_err parse_protocol(const pctx_t *c, json_t *o, lh_delta_action_t *a)
{
    lh_delta_protocol_t *p = &a->u.protocol;
    int64_t r = -1, w = -1;
    p->reader_feature_count = p->writer_feature_count = -1;
    LH_TRY(get_int(c, o, "minReaderVersion", &r, NULL));
    LH_TRY(get_int(c, o, "minWriterVersion", &w, NULL));
    if (r < 0 || r > INT32_MAX || w < 0 || w > INT32_MAX)
        return bad(c, "minReaderVersion/minWriterVersion", "is missing or out of range");
    p->min_reader_version = (int32_t)r;
    p->min_writer_version = (int32_t)w;
    LH_TRY(get_str_list(c, o, "readerFeatures", &p->reader_features, &p->reader_feature_count));
    return get_str_list(c, o, "writerFeatures", &p->writer_features, &p->writer_feature_count);
}

static lh_err parse_metadata(const pctx_t *c, json_t *o, lh_delta_action_t *a)
{
    lh_delta_metadata_t *m = &a->u.metadata;
    LH_TRY(get_str(c, o, "id", &m->id));
    LH_TRY(get_str(c, o, "name", &m->name));
    LH_TRY(get_str(c, o, "description", &m->description));
    json_t *fmt = json_object_get(o, "format");
    if (json_is_object(fmt)) {
        LH_TRY(get_str(c, fmt, "provider", &m->format_provider));
        LH_TRY(get_map(c, fmt, "options", &m->format_options, NULL));
    }
    LH_TRY(get_str(c, o, "schemaString", &m->schema_string));
    m->partition_column_count = -1;
    LH_TRY(
        get_str_list(c, o, "partitionColumns", &m->partition_columns, &m->partition_column_count));
    LH_TRY(get_map(c, o, "configuration", &m->configuration, NULL));
    LH_TRY(get_int(c, o, "createdTime", &m->created_time_ms, &m->has_created_time));
    return lh_delta_metadata_parse_schema(m, c->eb) == LH_OK
               ? LH_OK
               : bad(c, "schemaString", "is not a valid struct schema");
}

static lh_err parse_add(const pctx_t *c, json_t *o, lh_delta_action_t *a)
{
    lh_delta_add_t *f = &a->u.add;
    bool has_pv = false, has_size = false, has_mt = false, has_dc = false;
    LH_TRY(get_str(c, o, "path", &f->path));
    LH_TRY(decode_path(c, &f->path));
    LH_TRY(get_map(c, o, "partitionValues", &f->partition_values, &has_pv));
    LH_TRY(get_int(c, o, "size", &f->size_bytes, &has_size));
    LH_TRY(get_int(c, o, "modificationTime", &f->modification_time_ms, &has_mt));
    LH_TRY(get_bool(c, o, "dataChange", &f->data_change, &has_dc));
    LH_TRY(get_str(c, o, "stats", &f->stats));
    LH_TRY(get_map(c, o, "tags", &f->tags, NULL));
    json_t *dv = json_object_get(o, "deletionVector");
    f->has_deletion_vector = dv != NULL && !json_is_null(dv);
    if (a->kind == LH_DELTA_CDC) {
        if (!has_pv || !has_size)
            return bad(c, has_pv ? "size" : "partitionValues", "is missing");
        return LH_OK;
    }
    if (!has_pv)
        return bad(c, "partitionValues", "is missing");
    if (!has_size || !has_mt || !has_dc)
        return bad(c,
                   !has_size ? "size"
                   : !has_mt ? "modificationTime"
                             : "dataChange",
                   "is missing");
    return LH_OK;
}

static lh_err parse_remove(const pctx_t *c, json_t *o, lh_delta_action_t *a)
{
    lh_delta_remove_t *r = &a->u.remove;
    bool has_dc = false;
    LH_TRY(get_str(c, o, "path", &r->path));
    LH_TRY(decode_path(c, &r->path));
    LH_TRY(
        get_int(c, o, "deletionTimestamp", &r->deletion_timestamp_ms, &r->has_deletion_timestamp));
    LH_TRY(get_bool(c, o, "dataChange", &r->data_change, &has_dc));
    LH_TRY(get_bool(c, o, "extendedFileMetadata", &r->extended_file_metadata, NULL));
    LH_TRY(get_map(c, o, "partitionValues", &r->partition_values, NULL));
    LH_TRY(get_int(c, o, "size", &r->size_bytes, &r->has_size));
    LH_TRY(get_str(c, o, "stats", &r->stats));
    LH_TRY(get_map(c, o, "tags", &r->tags, NULL));
    if (!has_dc)
        return bad(c, "dataChange", "is missing");
    return LH_OK;
}

static lh_err parse_txn(const pctx_t *c, json_t *o, lh_delta_action_t *a)
{
    lh_delta_app_txn_t *t = &a->u.txn;
    bool has_v = false;
    LH_TRY(get_str(c, o, "appId", &t->app_id));
    LH_TRY(get_int(c, o, "version", &t->version, &has_v));
    LH_TRY(get_int(c, o, "lastUpdated", &t->last_updated_ms, &t->has_last_updated));
    return has_v ? LH_OK : bad(c, "version", "is missing");
}

static lh_err parse_commit_info(const pctx_t *c, json_t *o, lh_delta_action_t *a)
{
    lh_delta_commit_info_t *ci = &a->u.commit_info;
    ci->json = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (ci->json == NULL)
        return LH_E_NOMEM;
    /* commitInfo is free-form: tolerate odd types rather than refusing the commit. */
    json_t *ts = json_object_get(o, "timestamp");
    if (json_is_integer(ts)) {
        ci->has_timestamp = true;
        ci->timestamp_ms = json_integer_value(ts);
    }
    json_t *op = json_object_get(o, "operation");
    if (json_is_string(op) && (ci->operation = strdup(json_string_value(op))) == NULL)
        return LH_E_NOMEM;
    json_t *rv = json_object_get(o, "readVersion");
    if (json_is_integer(rv)) {
        ci->has_read_version = true;
        ci->read_version = json_integer_value(rv);
    }
    ci->is_blind_append = json_is_true(json_object_get(o, "isBlindAppend"));
    (void)c;
    return LH_OK;
}

static lh_err parse_domain(const pctx_t *c, json_t *o, lh_delta_action_t *a)
{
    lh_delta_domain_t *d = &a->u.domain;
    bool has_removed = false;
    LH_TRY(get_str(c, o, "domain", &d->domain));
    LH_TRY(get_str(c, o, "configuration", &d->configuration));
    LH_TRY(get_bool(c, o, "removed", &d->removed, &has_removed));
    return has_removed ? LH_OK : bad(c, "removed", "is missing");
}

typedef lh_err (*parse_fn)(const pctx_t *c, json_t *o, lh_delta_action_t *a);

static const struct {
    const char *name;
    lh_delta_action_kind kind;
    parse_fn parse;
} parsers[] = {
    {"protocol", LH_DELTA_PROTOCOL, parse_protocol},
    {"metaData", LH_DELTA_METADATA, parse_metadata},
    {"add", LH_DELTA_ADD, parse_add},
    {"remove", LH_DELTA_REMOVE, parse_remove},
    {"txn", LH_DELTA_TXN, parse_txn},
    {"commitInfo", LH_DELTA_COMMIT_INFO, parse_commit_info},
    {"domainMetadata", LH_DELTA_DOMAIN, parse_domain},
    {"cdc", LH_DELTA_CDC, parse_add},
};

static const char *kind_name(lh_delta_action_kind k)
{
    for (size_t i = 0; i < sizeof parsers / sizeof parsers[0]; i++)
        if (parsers[i].kind == k)
            return parsers[i].name;
    return "?";
}

/* Parse one line's object; unknown actions leave *got false. */
static lh_err parse_object(json_t *line, int64_t version, lh_delta_actions_t *out, lh_errbuf *eb)
{
    const char *key;
    json_t *val;
    json_object_foreach(line, key, val)
    {
        for (size_t i = 0; i < sizeof parsers / sizeof parsers[0]; i++) {
            if (strcmp(key, parsers[i].name) != 0)
                continue;
            pctx_t c = {version, parsers[i].name, eb};
            if (!json_is_object(val))
                return bad(&c, "", "is not an object");
            lh_delta_action_t a;
            memset(&a, 0, sizeof a);
            a.kind = parsers[i].kind;
            lh_err e = parsers[i].parse(&c, val, &a);
            if (e == LH_OK)
                e = lh_delta_action_validate(&a, LH_E_CORRUPT, version, eb);
            if (e == LH_OK)
                e = lh_delta_actions_push(out, &a);
            if (e != LH_OK) {
                lh_delta_action_free(&a);
                return e == LH_E_NOMEM ? lh_err_set(eb, e, __FILE__, __LINE__, "out of memory") : e;
            }
        }
    }
    return LH_OK;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

lh_err lh_delta_actions_parse(const char *ndjson, size_t len, int64_t version,
                              lh_delta_actions_t *out, lh_errbuf *eb)
{
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(ndjson + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (ndjson + pos)) : len - pos;
        if (!blank(ndjson + pos, n)) {
            json_error_t je;
            json_t *line = json_loadb(ndjson + pos, n, JSON_REJECT_DUPLICATES, &je);
            if (line == NULL || !json_is_object(line)) {
                json_decref(line);
                LH_FAIL(LH_E_CORRUPT, eb, "delta log version %lld: line is not a JSON object (%s)",
                        (long long)version, line ? "not an object" : je.text);
            }
            lh_err e = parse_object(line, version, out, eb);
            json_decref(line);
            LH_TRY(e);
        }
        pos += n + 1;
    }
    return LH_OK;
}

/* ---- validation ----------------------------------------------------------------------- */

static lh_err missing(lh_err code, int64_t version, const char *action, const char *field,
                      lh_errbuf *eb)
{
    return lh_err_set(eb, code, __FILE__, __LINE__,
                      "delta log version %lld: %s is missing required field '%s'",
                      (long long)version, action, field);
}

static const char *metadata_missing(const lh_delta_metadata_t *m)
{
    if (m->id == NULL)
        return "id";
    if (m->format_provider == NULL)
        return "format.provider";
    if (m->schema_string == NULL)
        return "schemaString";
    if (m->partition_column_count < 0)
        return "partitionColumns";
    return NULL;
}

lh_err lh_delta_action_validate(const lh_delta_action_t *a, lh_err code, int64_t version,
                                lh_errbuf *eb)
{
    const char *field = NULL;
    switch (a->kind) {
    case LH_DELTA_PROTOCOL:
        if (a->u.protocol.min_reader_version < 1 || a->u.protocol.min_writer_version < 1)
            field = "minReaderVersion/minWriterVersion";
        break;
    case LH_DELTA_METADATA:
        field = metadata_missing(&a->u.metadata);
        break;
    case LH_DELTA_ADD:
    case LH_DELTA_CDC:
        if (a->u.add.path == NULL || a->u.add.path[0] == '\0')
            field = "path";
        else if (a->u.add.size_bytes < 0)
            field = "size";
        break;
    case LH_DELTA_REMOVE:
        if (a->u.remove.path == NULL || a->u.remove.path[0] == '\0')
            field = "path";
        break;
    case LH_DELTA_TXN:
        if (a->u.txn.app_id == NULL)
            field = "appId";
        break;
    case LH_DELTA_DOMAIN:
        if (a->u.domain.domain == NULL)
            field = "domain";
        else if (a->u.domain.configuration == NULL)
            field = "configuration";
        break;
    case LH_DELTA_COMMIT_INFO:
        break;
    }
    return field ? missing(code, version, kind_name(a->kind), field, eb) : LH_OK;
}

/* ---- serialization --------------------------------------------------------------------- */

static json_t *map_json(const lh_delta_map_t *m)
{
    json_t *o = json_object();
    for (int i = 0; o && i < m->count; i++)
        json_object_set_new(o, m->items[i].key,
                            m->items[i].value ? json_string(m->items[i].value) : json_null());
    return o;
}

static json_t *list_json(char **l, int n)
{
    json_t *a = json_array();
    for (int i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(l[i]));
    return a;
}

static void set_str(json_t *o, const char *k, const char *v)
{
    if (v)
        json_object_set_new(o, k, json_string(v));
}

static void set_encoded_path(json_t *o, const char *path)
{
    char *enc = lh_delta_uri_encode(path);
    json_object_set_new(o, "path", enc ? json_string(enc) : json_null());
    free(enc);
}

static json_t *protocol_json(const lh_delta_protocol_t *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "minReaderVersion", json_integer(p->min_reader_version));
    json_object_set_new(o, "minWriterVersion", json_integer(p->min_writer_version));
    if (p->reader_feature_count >= 0)
        json_object_set_new(o, "readerFeatures",
                            list_json(p->reader_features, p->reader_feature_count));
    if (p->writer_feature_count >= 0)
        json_object_set_new(o, "writerFeatures",
                            list_json(p->writer_features, p->writer_feature_count));
    return o;
}

static json_t *metadata_json(const lh_delta_metadata_t *m)
{
    json_t *o = json_object();
    set_str(o, "id", m->id);
    set_str(o, "name", m->name);
    set_str(o, "description", m->description);
    json_t *fmt = json_object();
    set_str(fmt, "provider", m->format_provider);
    json_object_set_new(fmt, "options", map_json(&m->format_options));
    json_object_set_new(o, "format", fmt);
    set_str(o, "schemaString", m->schema_string);
    json_object_set_new(o, "partitionColumns",
                        list_json(m->partition_columns, m->partition_column_count));
    json_object_set_new(o, "configuration", map_json(&m->configuration));
    if (m->has_created_time)
        json_object_set_new(o, "createdTime", json_integer(m->created_time_ms));
    return o;
}

static json_t *add_json(const lh_delta_add_t *f, bool cdc)
{
    json_t *o = json_object();
    set_encoded_path(o, f->path);
    json_object_set_new(o, "partitionValues", map_json(&f->partition_values));
    json_object_set_new(o, "size", json_integer(f->size_bytes));
    if (!cdc)
        json_object_set_new(o, "modificationTime", json_integer(f->modification_time_ms));
    json_object_set_new(o, "dataChange", json_boolean(cdc ? false : f->data_change));
    set_str(o, "stats", f->stats);
    if (f->tags.count > 0)
        json_object_set_new(o, "tags", map_json(&f->tags));
    return o;
}

static json_t *remove_json(const lh_delta_remove_t *r)
{
    json_t *o = json_object();
    set_encoded_path(o, r->path);
    if (r->has_deletion_timestamp)
        json_object_set_new(o, "deletionTimestamp", json_integer(r->deletion_timestamp_ms));
    json_object_set_new(o, "dataChange", json_boolean(r->data_change));
    if (r->extended_file_metadata) {
        json_object_set_new(o, "extendedFileMetadata", json_true());
        json_object_set_new(o, "partitionValues", map_json(&r->partition_values));
    }
    if (r->has_size)
        json_object_set_new(o, "size", json_integer(r->size_bytes));
    set_str(o, "stats", r->stats);
    if (r->tags.count > 0)
        json_object_set_new(o, "tags", map_json(&r->tags));
    return o;
}

static json_t *txn_json(const lh_delta_app_txn_t *t)
{
    json_t *o = json_object();
    set_str(o, "appId", t->app_id);
    json_object_set_new(o, "version", json_integer(t->version));
    if (t->has_last_updated)
        json_object_set_new(o, "lastUpdated", json_integer(t->last_updated_ms));
    return o;
}

static json_t *domain_json(const lh_delta_domain_t *d)
{
    json_t *o = json_object();
    set_str(o, "domain", d->domain);
    set_str(o, "configuration", d->configuration);
    json_object_set_new(o, "removed", json_boolean(d->removed));
    return o;
}

json_t *lh_delta_action_to_json(const lh_delta_action_t *a)
{
    json_t *body = NULL;
    switch (a->kind) {
    case LH_DELTA_PROTOCOL:
        body = protocol_json(&a->u.protocol);
        break;
    case LH_DELTA_METADATA:
        body = metadata_json(&a->u.metadata);
        break;
    case LH_DELTA_ADD:
    case LH_DELTA_CDC:
        body = add_json(&a->u.add, a->kind == LH_DELTA_CDC);
        break;
    case LH_DELTA_REMOVE:
        body = remove_json(&a->u.remove);
        break;
    case LH_DELTA_TXN:
        body = txn_json(&a->u.txn);
        break;
    case LH_DELTA_COMMIT_INFO:
        body = a->u.commit_info.json ? json_loads(a->u.commit_info.json, 0, NULL) : json_object();
        break;
    case LH_DELTA_DOMAIN:
        body = domain_json(&a->u.domain);
        break;
    }
    json_t *line = json_object();
    if (line == NULL || body == NULL) {
        json_decref(line);
        json_decref(body);
        return NULL;
    }
    json_object_set_new(line, kind_name(a->kind), body);
    return line;
}

lh_err lh_delta_actions_serialize(const lh_delta_actions_t *a, char **out, size_t *out_len,
                                  lh_errbuf *eb)
{
    size_t cap = 1024, len = 0;
    char *buf = malloc(cap);
    LH_FAIL_IF(buf == NULL, LH_E_NOMEM, eb, "out of memory");
    for (size_t i = 0; i < a->count; i++) {
        lh_err e = lh_delta_action_validate(&a->items[i], LH_E_INVALID, -1, eb);
        json_t *j = e == LH_OK ? lh_delta_action_to_json(&a->items[i]) : NULL;
        char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(j);
        if (s == NULL) {
            free(buf);
            return e != LH_OK ? e : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
        }
        size_t n = strlen(s);
        if (len + n + 2 > cap) {
            while (len + n + 2 > cap)
                cap *= 2;
            char *nb = realloc(buf, cap);
            if (nb == NULL) {
                free(s);
                free(buf);
                LH_FAIL(LH_E_NOMEM, eb, "out of memory");
            }
            buf = nb;
        }
        memcpy(buf + len, s, n);
        len += n;
        buf[len++] = '\n';
        free(s);
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return LH_OK;
}

/* ---- copy and free --------------------------------------------------------------------- */

void lh_delta_protocol_clear(lh_delta_protocol_t *p)
{
    str_list_free(p->reader_features, p->reader_feature_count);
    str_list_free(p->writer_features, p->writer_feature_count);
    memset(p, 0, sizeof *p);
}

lh_err lh_delta_protocol_copy(const lh_delta_protocol_t *src, lh_delta_protocol_t *dst)
{
    *dst = *src;
    dst->reader_features = dst->writer_features = NULL;
    lh_err e =
        str_list_copy(src->reader_features, src->reader_feature_count, &dst->reader_features);
    if (e == LH_OK)
        e = str_list_copy(src->writer_features, src->writer_feature_count, &dst->writer_features);
    return e;
}

void lh_delta_metadata_clear(lh_delta_metadata_t *m)
{
    free(m->id);
    free(m->name);
    free(m->description);
    free(m->format_provider);
    lh_delta_map_free(&m->format_options);
    free(m->schema_string);
    lh_schema_destroy(m->schema);
    lh_schema_destroy(m->primitive_schema);
    free(m->unreadable_column);
    str_list_free(m->partition_columns, m->partition_column_count);
    lh_delta_map_free(&m->configuration);
    memset(m, 0, sizeof *m);
}

lh_err lh_delta_metadata_copy(const lh_delta_metadata_t *s, lh_delta_metadata_t *d)
{
    memset(d, 0, sizeof *d);
    d->partition_column_count = s->partition_column_count;
    d->has_created_time = s->has_created_time;
    d->created_time_ms = s->created_time_ms;
    DUP_FIELD(d->id, s->id);
    DUP_FIELD(d->name, s->name);
    DUP_FIELD(d->description, s->description);
    DUP_FIELD(d->format_provider, s->format_provider);
    DUP_FIELD(d->schema_string, s->schema_string);
    DUP_FIELD(d->unreadable_column, s->unreadable_column);
    if (s->schema && (d->schema = lh_schema_copy(s->schema)) == NULL)
        return LH_E_NOMEM;
    if (s->primitive_schema && (d->primitive_schema = lh_schema_copy(s->primitive_schema)) == NULL)
        return LH_E_NOMEM;
    LH_TRY(lh_delta_map_copy(&s->format_options, &d->format_options));
    LH_TRY(lh_delta_map_copy(&s->configuration, &d->configuration));
    return str_list_copy(s->partition_columns, s->partition_column_count, &d->partition_columns);
}

void lh_delta_add_clear(lh_delta_add_t *a)
{
    free(a->path);
    lh_delta_map_free(&a->partition_values);
    free(a->stats);
    lh_delta_map_free(&a->tags);
    memset(a, 0, sizeof *a);
}

lh_err lh_delta_add_copy(const lh_delta_add_t *s, lh_delta_add_t *d)
{
    *d = *s;
    d->path = d->stats = NULL;
    memset(&d->partition_values, 0, sizeof d->partition_values);
    memset(&d->tags, 0, sizeof d->tags);
    DUP_FIELD(d->path, s->path);
    DUP_FIELD(d->stats, s->stats);
    LH_TRY(lh_delta_map_copy(&s->partition_values, &d->partition_values));
    return lh_delta_map_copy(&s->tags, &d->tags);
}

void lh_delta_remove_clear(lh_delta_remove_t *r)
{
    free(r->path);
    lh_delta_map_free(&r->partition_values);
    free(r->stats);
    lh_delta_map_free(&r->tags);
    memset(r, 0, sizeof *r);
}

lh_err lh_delta_remove_copy(const lh_delta_remove_t *s, lh_delta_remove_t *d)
{
    *d = *s;
    d->path = d->stats = NULL;
    memset(&d->partition_values, 0, sizeof d->partition_values);
    memset(&d->tags, 0, sizeof d->tags);
    DUP_FIELD(d->path, s->path);
    DUP_FIELD(d->stats, s->stats);
    LH_TRY(lh_delta_map_copy(&s->partition_values, &d->partition_values));
    return lh_delta_map_copy(&s->tags, &d->tags);
}

static void commit_info_clear(lh_delta_commit_info_t *c)
{
    free(c->json);
    free(c->operation);
    memset(c, 0, sizeof *c);
}

void lh_delta_action_free(lh_delta_action_t *a)
{
    switch (a->kind) {
    case LH_DELTA_PROTOCOL:
        lh_delta_protocol_clear(&a->u.protocol);
        break;
    case LH_DELTA_METADATA:
        lh_delta_metadata_clear(&a->u.metadata);
        break;
    case LH_DELTA_ADD:
    case LH_DELTA_CDC:
        lh_delta_add_clear(&a->u.add);
        break;
    case LH_DELTA_REMOVE:
        lh_delta_remove_clear(&a->u.remove);
        break;
    case LH_DELTA_TXN:
        free(a->u.txn.app_id);
        break;
    case LH_DELTA_COMMIT_INFO:
        commit_info_clear(&a->u.commit_info);
        break;
    case LH_DELTA_DOMAIN:
        free(a->u.domain.domain);
        free(a->u.domain.configuration);
        break;
    }
    memset(&a->u, 0, sizeof a->u);
}

lh_err lh_delta_action_copy(const lh_delta_action_t *s, lh_delta_action_t *d)
{
    memset(d, 0, sizeof *d);
    d->kind = s->kind;
    switch (s->kind) {
    case LH_DELTA_PROTOCOL:
        return lh_delta_protocol_copy(&s->u.protocol, &d->u.protocol);
    case LH_DELTA_METADATA:
        return lh_delta_metadata_copy(&s->u.metadata, &d->u.metadata);
    case LH_DELTA_ADD:
    case LH_DELTA_CDC:
        return lh_delta_add_copy(&s->u.add, &d->u.add);
    case LH_DELTA_REMOVE:
        return lh_delta_remove_copy(&s->u.remove, &d->u.remove);
    case LH_DELTA_TXN:
        d->u.txn = s->u.txn;
        DUP_FIELD(d->u.txn.app_id, s->u.txn.app_id);
        return LH_OK;
    case LH_DELTA_COMMIT_INFO:
        d->u.commit_info = s->u.commit_info;
        DUP_FIELD(d->u.commit_info.json, s->u.commit_info.json);
        DUP_FIELD(d->u.commit_info.operation, s->u.commit_info.operation);
        return LH_OK;
    case LH_DELTA_DOMAIN:
        d->u.domain = s->u.domain;
        DUP_FIELD(d->u.domain.domain, s->u.domain.domain);
        DUP_FIELD(d->u.domain.configuration, s->u.domain.configuration);
        return LH_OK;
    }
    return LH_OK;
}

/* Takes ownership of *act's contents on success. */
lh_err lh_delta_actions_push(lh_delta_actions_t *a, const lh_delta_action_t *act)
{
    if ((a->count & (a->count - 1)) == 0) { /* grow at powers of two */
        size_t cap = a->count ? a->count * 2 : 8;
        lh_delta_action_t *items = realloc(a->items, cap * sizeof *items);
        if (items == NULL)
            return LH_E_NOMEM;
        a->items = items;
    }
    a->items[a->count++] = *act;
    return LH_OK;
}

void lh_delta_actions_free(lh_delta_actions_t *a)
{
    for (size_t i = 0; i < a->count; i++)
        lh_delta_action_free(&a->items[i]);
    free(a->items);
    a->items = NULL;
    a->count = 0;
}
