/*
 * bind_files.c - plain files as relations: the path tables csv.`/p`, json.`/p`,
 * text.`/p`, parquet.`/p` (Spark's defaults: CSV without header, every column _c<i> a
 * STRING; JSON with inferred types; text one STRING column `value`) and the read_files
 * table-valued function (Databricks' defaults: the format from the file extension when not
 * given, CSV types inferred (inferColumnTypes), a `_rescued_data` STRING column for CSV and
 * JSON, header false).
 *
 * Paths: absolute local paths, file:/..., and Unity Catalog volumes /Volumes/c/s/v/...
 * (also dbfs:/Volumes/...), mapped to the volume's directory through the resolver, which
 * checks the caller may read it. Other schemes answer UNSUPPORTED_FEATURE.NOT_YET. The
 * files are listed and the schema inferred here, once, at bind time (compute/files); the
 * plan node carries the bound scan.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/bind/bind_files.h"
#include "compute/bind/bind_internal.h"
#include "compute/sql/parser.h"
#include "compute/files/files.h"
#include "compute/func/csv_text.h"

static lh_err not_yet(binder *b, const char *what)
{
    return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message", what, NULL);
}

static lh_err bad_value(binder *b, const char *name, const char *why)
{
    return lh_err_set_code(b->eb, LH_E_INVALID, "INVALID_PARAMETER_VALUE", __FILE__, __LINE__,
                           "Invalid value for the option %s: %s", name, why);
}

/* /Volumes/c/s/v[/rest] to the volume's local directory (plus rest). */
static lh_err volume_local(binder *b, const char *path, const char **out)
{
    const char *seg[3] = {NULL, NULL, NULL}, *p = path + 9;
    for (int i = 0; i < 3; i++) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 0)
            return lh_sqlerr(b->eb, "PATH_NOT_FOUND", "path", path, NULL);
        seg[i] = bf_lower(b, lh_arena_strndup(b->a, p, n));
        p = e ? e + 1 : p + n;
        if (e == NULL && i < 2)
            return lh_sqlerr(b->eb, "PATH_NOT_FOUND", "path", path, NULL);
    }
    for (const char *s = p; *s;) { /* no way out of the volume */
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return lh_sqlerr(b->eb, "PATH_NOT_FOUND", "path", path, NULL);
        s = e ? e + 1 : s + n;
    }
    const lh_resolver_t *r = b->env->resolver;
    if (r == NULL || r->volume_path == NULL)
        return not_yet(b, "reading Unity Catalog volumes without a catalog");
    const char *dir;
    lh_errbuf inner;
    lh_errbuf_clear(&inner);
    lh_err e = r->volume_path(r->ctx, b->env->user, seg[0], seg[1], seg[2], b->a, &dir, &inner);
    if (e == LH_E_NOT_FOUND)
        return lh_sqlerr(b->eb, "PATH_NOT_FOUND", "path", path, NULL);
    if (e != LH_OK) {
        *b->eb = inner;
        return e;
    }
    *out = *p ? lh_arena_sprintf(b->a, "%s/%s", dir, p) : dir;
    return LH_OK;
}

/* The local path a user's path names. */
static lh_err local_path(binder *b, const char *path, const char **out)
{
    if (strncmp(path, "dbfs:/Volumes/", 14) == 0)
        path += 5;
    if (strncmp(path, "file://", 7) == 0)
        path += 7;
    else if (strncmp(path, "file:/", 6) == 0)
        path += 5;
    if (strncmp(path, "/Volumes/", 9) == 0)
        return volume_local(b, path, out);
    if (strstr(path, "://") != NULL || strncmp(path, "dbfs:", 5) == 0)
        return not_yet(b, lh_arena_sprintf(b->a, "reading files at %s", path));
    if (path[0] != '/')
        return lh_sqlerr(b->eb, "PATH_NOT_FOUND", "path", path, NULL);
    *out = path;
    return LH_OK;
}

/* ---- options ------------------------------------------------------------------------------ */

typedef struct opts_in {
    int count;
    const char **names, **values; /* lower-case names */
} opts_in;

static const char *opt(const opts_in *o, const char *name)
{
    for (int i = o->count - 1; i >= 0; i--)
        if (strcasecmp(o->names[i], name) == 0)
            return o->values[i];
    return NULL;
}

static lh_err opt_bool(binder *b, const opts_in *o, const char *name, bool *out)
{
    const char *v = opt(o, name);
    if (v == NULL)
        return LH_OK;
    if (strcasecmp(v, "true") == 0)
        *out = true;
    else if (strcasecmp(v, "false") == 0)
        *out = false;
    else
        return bad_value(b, name, lh_arena_sprintf(b->a, "%s flag can be true or false", name));
    return LH_OK;
}

/* One character (lh_csv_option_char); an empty quote, escape or comment is none. */
static lh_err opt_char(binder *b, const opts_in *o, const char *name, bool empty_ok, char *out)
{
    const char *v = opt(o, name);
    if (v == NULL)
        return LH_OK;
    bool sep = strcasecmp(name, "sep") == 0 || strcasecmp(name, "delimiter") == 0;
    switch (lh_csv_option_char(v, strlen(v), out)) {
    case LH_CSV_CHAR_OK:
        return LH_OK;
    case LH_CSV_CHAR_EMPTY:
        if (empty_ok) {
            *out = '\0';
            return LH_OK;
        }
        return lh_sqlerr(b->eb, "INVALID_DELIMITER_VALUE.EMPTY_STRING", NULL);
    default:
        if (sep)
            return not_yet(
                b, lh_arena_sprintf(b->a, "a delimiter of more than one character (%s)", v));
        return bad_value(b, name,
                         lh_arena_sprintf(b->a, "%s cannot be more than one character", name));
    }
}

static const char *const known[] = {"format",
                                    "header",
                                    "inferSchema",
                                    "inferColumnTypes",
                                    "sep",
                                    "delimiter",
                                    "quote",
                                    "escape",
                                    "comment",
                                    "nullValue",
                                    "emptyValue",
                                    "mode",
                                    "multiLine",
                                    "wholeText",
                                    "schemaHints",
                                    "encoding",
                                    "charset",
                                    "timeZone",
                                    "recursiveFileLookup",
                                    "rescuedDataColumn",
                                    "schemaEvolutionMode",
                                    "useStrictGlobber",
                                    NULL};

static lh_err check_names(binder *b, const opts_in *o, const char *fn)
{
    for (int i = 0; i < o->count; i++) {
        bool ok = false;
        for (int k = 0; known[k] && !ok; k++)
            ok = strcasecmp(o->names[i], known[k]) == 0;
        if (!ok)
            return lh_sqlerr(b->eb, "UNRECOGNIZED_PARAMETER_NAME", "routineName", fn,
                             "argumentName", lh_arena_sprintf(b->a, "`%s`", o->names[i]),
                             "proposals", "`format`, `header`, `sep`, `schemaHints`", NULL);
    }
    return LH_OK;
}

/* schemaHints: "name TYPE, name2 TYPE2" (types in SQL syntax). */
static lh_err hints_of(binder *b, const char *text, lh_ff_hint_t **out, int *count)
{
    int n = 0, cap = 8;
    lh_ff_hint_t *h = lh_arena_calloc(b->a, (size_t)cap, sizeof *h);
    const char *p = text;
    while (*p) {
        const char *e = p;
        int depth = 0;
        while (*e && !(*e == ',' && depth == 0)) {
            depth += *e == '(' || *e == '<';
            depth -= *e == ')' || *e == '>';
            e++;
        }
        char *item = lh_arena_strndup(b->a, p, (size_t)(e - p));
        p = *e ? e + 1 : e;
        while (isspace((unsigned char)*item))
            item++;
        if (*item == '\0')
            continue;
        char *name = item, *type;
        if (*item == '`') {
            name = item + 1;
            char *close = strchr(name, '`');
            if (close == NULL)
                return bad_value(b, "schemaHints", text);
            *close = '\0';
            type = close + 1;
        } else {
            type = item + strcspn(item, " \t");
            if (*type)
                *type++ = '\0';
        }
        lh_ast_type_t *at;
        lh_type_t t;
        LH_TRY(lh_sql_parse_type(type, strlen(type), b->a, &at, b->eb));
        LH_TRY(lh_bind_type(at, &t, b->eb));
        if (n == cap) {
            lh_ff_hint_t *nh = lh_arena_calloc(b->a, (size_t)cap * 2, sizeof *nh);
            memcpy(nh, h, (size_t)n * sizeof *nh);
            h = nh;
            cap *= 2;
        }
        h[n++] = (lh_ff_hint_t){name, t};
    }
    *out = h;
    *count = n;
    return LH_OK;
}

static lh_err apply_opts(binder *b, const opts_in *o, lh_ff_opts_t *f)
{
    LH_TRY(opt_bool(b, o, "header", &f->header));
    LH_TRY(opt_bool(b, o, "inferSchema", &f->infer_types));
    LH_TRY(opt_bool(b, o, "inferColumnTypes", &f->infer_types));
    LH_TRY(opt_bool(b, o, "multiLine", &f->multiline));
    LH_TRY(opt_bool(b, o, "wholeText", &f->whole_text));
    LH_TRY(opt_char(b, o, "delimiter", false, &f->sep));
    LH_TRY(opt_char(b, o, "sep", false, &f->sep));
    LH_TRY(opt_char(b, o, "quote", true, &f->quote));
    LH_TRY(opt_char(b, o, "escape", true, &f->escape));
    LH_TRY(opt_char(b, o, "comment", true, &f->comment));
    const char *v;
    if ((v = opt(o, "nullValue")) != NULL)
        f->null_value = v;
    if ((v = opt(o, "emptyValue")) != NULL)
        f->empty_value = v;
    if ((v = opt(o, "mode")) != NULL) /* Spark: an unknown mode is PERMISSIVE */
        f->mode = strcasecmp(v, "FAILFAST") == 0        ? LH_FF_FAILFAST
                  : strcasecmp(v, "DROPMALFORMED") == 0 ? LH_FF_DROPMALFORMED
                                                        : LH_FF_PERMISSIVE;
    if ((v = opt(o, "rescuedDataColumn")) != NULL && strcmp(v, "_rescued_data") != 0)
        return not_yet(b, "a rescued data column with another name than _rescued_data");
    if ((v = opt(o, "encoding")) != NULL || (v = opt(o, "charset")) != NULL) {
        if (strcasecmp(v, "utf-8") != 0 && strcasecmp(v, "utf8") != 0)
            return not_yet(b, lh_arena_sprintf(b->a, "reading files in the %s encoding", v));
    }
    if ((v = opt(o, "timeZone")) != NULL)
        f->time_zone = v;
    return LH_OK;
}

/* List, infer, and make the plan node. */
static lh_err finish(binder *b, lh_ff_scan_t *s, const char *path, const opts_in *o,
                     bool pick_format, lh_plan_t **plan)
{
    const char *local;
    LH_TRY(local_path(b, path, &local));
    LH_TRY(lh_ff_list(local, b->a, s, b->eb));
    if (pick_format) {
        int f = s->file_count > 0 ? lh_ff_format_of_path(s->files[0]) : -1;
        if (f < 0)
            return lh_sqlerr(b->eb, "UNABLE_TO_INFER_SCHEMA", "format",
                             "files without a known extension (set the format option)", NULL);
        bool infer = s->opts.infer_types;
        lh_ff_opts_default(&s->opts, (lh_ff_format)f);
        s->opts.infer_types = infer;
        s->opts.rescued = f == LH_FF_CSV || f == LH_FF_JSON;
        s->opts.time_zone = lh_session_conf(b->env->session)->time_zone;
        LH_TRY(apply_opts(b, o, &s->opts));
    }
    lh_ff_hint_t *hints = NULL;
    int hint_count = 0;
    const char *ht = opt(o, "schemaHints");
    if (ht != NULL)
        LH_TRY(hints_of(b, ht, &hints, &hint_count));
    LH_TRY(lh_ff_infer(s, hint_count, hints, b->a, b->eb));
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_FILES, s->col_count + 1, 0);
    int64_t bytes = 0;
    for (int i = 0; i < s->file_count; i++) {
        bytes += s->sizes[i];
    }
    for (int i = 0; i < s->col_count; i++) {
        p->col_names[i] = s->names[i];
        p->col_types[i] = s->types[i];
        p->col_nullable[i] = true;
    }
    p->col_names[s->col_count] = "_metadata"; /* hidden from * (bf_scope_of) */
    p->col_types[s->col_count] = lh_ff_metadata_type();
    p->col_nullable[s->col_count] = false;
    p->u.files.scan = s;
    p->est_rows = (double)bytes / 32.0;
    *plan = p;
    return LH_OK;
}

lh_err bf_path_files(binder *b, const char *format, const char *path, lh_plan_t **plan)
{
    int f = lh_ff_format_of(format);
    if (f < 0 && (strcasecmp(format, "orc") == 0 || strcasecmp(format, "avro") == 0))
        return not_yet(b, lh_arena_sprintf(b->a, "reading %s files", format));
    if (f < 0)
        return lh_sqlerr(b->eb, "UNSUPPORTED_DATASOURCE_FOR_DIRECT_QUERY", "dataSourceType", format,
                         NULL);
    lh_ff_scan_t *s = lh_arena_calloc(b->a, 1, sizeof *s);
    lh_ff_opts_default(&s->opts, (lh_ff_format)f);
    s->opts.time_zone = lh_session_conf(b->env->session)->time_zone;
    s->display = lh_arena_strdup(b->a, path);
    opts_in none = {0};
    return finish(b, s, path, &none, false, plan);
}

/* A constant argument as text. */
static lh_err fold_text(binder *b, const lh_ast_expr_t *a, const char *fn, const char **out)
{
    scope none = {0};
    ectx x = {&none, MODE_PRE, NULL, fn, NULL};
    lh_expr_t *e;
    LH_TRY(bx_expr(b, &x, a, &e));
    LH_TRY(lh_expr_cast(b->a, e, (lh_type_t){LH_TYPE_STRING}, false,
                        lh_session_conf(b->env->session), &e, b->eb));
    lh_value_t v;
    LH_TRY(lh_expr_fold(b->a, e, lh_session_conf(b->env->session), &v, b->eb));
    *out = v.is_null ? NULL : lh_arena_strndup(b->a, (const char *)v.v.str.ptr, v.v.str.len);
    return LH_OK;
}

lh_err bf_read_files(binder *b, const lh_ast_expr_t *call, lh_plan_t **plan)
{
    int n = call->args.count;
    opts_in o = {0, lh_arena_calloc(b->a, (size_t)n + 1, sizeof(char *)),
                 lh_arena_calloc(b->a, (size_t)n + 1, sizeof(char *))};
    const char *path = NULL;
    int positional = 0;
    for (int i = 0; i < n; i++) {
        const lh_ast_expr_t *a = call->args.items[i];
        if (a->kind == LH_EX_NAMED_ARG) {
            o.names[o.count] = a->ident.text;
            LH_TRY(fold_text(b, a->args.items[0], "read_files", &o.values[o.count]));
            if (o.values[o.count] != NULL)
                o.count++;
            continue;
        }
        if (positional++ > 0)
            return lh_sqlerr(b->eb, "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "functionName",
                             "`read_files`", "expectedNum", "1", "actualNum",
                             lh_arena_sprintf(b->a, "%d", positional), "docroot",
                             "https://spark.apache.org/docs/latest", NULL);
        LH_TRY(fold_text(b, a, "read_files", &path));
    }
    if (path == NULL)
        return lh_sqlerr(b->eb, "REQUIRED_PARAMETER_NOT_FOUND", "routineName", "`read_files`",
                         "parameterName", "`path`", "index", "0", NULL);
    LH_TRY(check_names(b, &o, "`read_files`"));
    lh_ff_scan_t *s = lh_arena_calloc(b->a, 1, sizeof *s);
    const char *fmt = opt(&o, "format");
    int f = fmt ? lh_ff_format_of(fmt) : (int)LH_FF_CSV;
    if (f < 0)
        return not_yet(b, lh_arena_sprintf(b->a, "read_files with format '%s'", fmt));
    lh_ff_opts_default(&s->opts, (lh_ff_format)f);
    s->opts.infer_types = true; /* inferColumnTypes */
    s->opts.rescued = f == LH_FF_CSV || f == LH_FF_JSON;
    s->opts.time_zone = lh_session_conf(b->env->session)->time_zone;
    s->display = path;
    LH_TRY(apply_opts(b, &o, &s->opts));
    return finish(b, s, path, &o, fmt == NULL, plan);
}
