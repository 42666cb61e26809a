/*
 * bind_copy.c - COPY INTO t FROM 'path' FILEFORMAT = f [FILES = (..) | PATTERN = '..']
 * [FORMAT_OPTIONS (..)] [COPY_OPTIONS (..)]: the files under path appended to Delta table t,
 * each file once.
 *
 * It is bound as INSERT INTO t BY NAME SELECT .. FROM read_files(path, format => f, <format
 * options>) whose file list is then cut to the files to load. Each loaded file is recorded in
 * the same Delta commit as a SetTransaction (txn) action, app id "lakehouse.copy_into:" + the
 * file's path: part of the table itself (any engine sees it, checkpoints keep it), atomic
 * with the rows, and a concurrent COPY INTO of the same file conflicts at commit
 * (ConcurrentTransaction) instead of loading it twice. A file recorded is skipped by later
 * runs, even when it changed, as Databricks does; COPY_OPTIONS ('force' = 'true') loads
 * every file again. A CSV or JSON source's _rescued_data column is dropped unless t has one.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/bind/bind_internal.h"
#include "compute/files/files.h"
#include "compute/sql/parser.h"
#include "storage/delta/delta.h"

#define APP_PREFIX "lakehouse.copy_into:"

/* s as a SQL string literal. */
static const char *sql_str(binder *b, const char *s)
{
    size_t n = strlen(s);
    char *out = lh_arena_alloc(b->a, 2 * n + 3), *o = out;
    *o++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'' || *p == '\\')
            *o++ = '\\';
        *o++ = *p;
    }
    *o++ = '\'';
    *o = '\0';
    return out;
}

static const char *prop_text(binder *b, const lh_ast_prop_t *p)
{
    const char *v = bcr_prop_value(b, p->value);
    return v ? v : "";
}

static lh_plan_t *find_kind(lh_plan_t *p, lh_plan_kind k)
{
    if (p == NULL || p->kind == k)
        return p;
    for (int i = 0; i < p->child_count; i++) {
        lh_plan_t *f = find_kind(p->children[i], k);
        if (f != NULL)
            return f;
    }
    return NULL;
}

static bool truthy(const char *v)
{
    return strcasecmp(v, "true") == 0;
}

/* The read_files call over the source, with the format and its options. */
static const char *source_call(binder *b, const lh_ast_copy_t *c)
{
    const char *path = c->source;
    if (c->pattern != NULL) /* PATTERN: a glob under the source directory */
        path = lh_arena_sprintf(b->a, "%s%s%s", c->source,
                                c->source[0] && c->source[strlen(c->source) - 1] == '/' ? "" : "/",
                                c->pattern);
    const char *call = lh_arena_sprintf(b->a, "read_files(%s, format => %s", sql_str(b, path),
                                        sql_str(b, c->format));
    for (int i = 0; i < c->format_options.count; i++) {
        const lh_ast_prop_t *p = &c->format_options.items[i];
        call = lh_arena_sprintf(b->a, "%s, `%s` => %s", call, p->key, sql_str(b, prop_text(b, p)));
    }
    return lh_arena_sprintf(b->a, "%s)", call);
}

/* Parse and bind one statement made here. */
static lh_err bind_text(binder *b, const char *sql, lh_bound_t **out)
{
    lh_ast_stmt_list_t *list;
    LH_TRY(lh_sql_parse(sql, strlen(sql), b->a, &list, b->eb));
    lh_bind_env_t env = *b->env;
    env.sql = sql;
    return lh_bind(&env, list->items[0], out, b->eb);
}

/* Keep the files of s to load: named by FILES (when given), not loaded before (unless
 * force); their app ids in *ids. */
static lh_err cut_files(binder *b, const lh_ast_copy_t *c, lh_ff_scan_t *s,
                        const lh_delta_snapshot_t *snap, bool force, const char ***ids, int *count)
{
    const char **keep_ids = lh_arena_calloc(b->a, (size_t)s->file_count + 1, sizeof *keep_ids);
    int w = 0;
    for (int i = 0; i < s->file_count; i++) {
        const char *f = s->files[i];
        bool named = c->file_count == 0;
        for (int k = 0; k < c->file_count && !named; k++) {
            size_t fl = strlen(f), nl = strlen(c->files[k]);
            named = strcmp(f, c->files[k]) == 0 ||
                    (nl < fl && f[fl - nl - 1] == '/' && strcmp(f + fl - nl, c->files[k]) == 0);
        }
        const char *id = lh_arena_sprintf(b->a, APP_PREFIX "%s", f);
        int64_t v;
        if (!named || (!force && lh_delta_snapshot_app_version(snap, id, &v)))
            continue;
        s->files[w] = s->files[i];
        s->sizes[w] = s->sizes[i];
        s->mtimes_us[w] = s->mtimes_us[i];
        keep_ids[w++] = id;
    }
    s->file_count = w;
    *ids = keep_ids;
    *count = w;
    return LH_OK;
}

lh_err bcp_copy_into(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    const lh_ast_copy_t *c = st->copy;
    bool force = false;
    for (int i = 0; i < c->copy_options.count; i++) {
        const lh_ast_prop_t *p = &c->copy_options.items[i];
        const char *v = prop_text(b, p);
        if (strcasecmp(p->key, "force") == 0)
            force = truthy(v);
        else if (strcasecmp(p->key, "mergeSchema") != 0 || truthy(v))
            return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                             lh_arena_sprintf(b->a, "COPY INTO's copy option '%s'", p->key), NULL);
    }
    lh_plan_t *target;
    scope sc;
    LH_TRY(bf_table(b, &c->table, NULL, &target, &sc));
    if (target->kind != LH_PLAN_SCAN)
        return lh_sqlerr(b->eb, "UNSUPPORTED_INSERT.NOT_ALLOWED", "relationId", "a view", NULL);
    const char *from = source_call(b, c);
    const char *query;
    if (c->select_text != NULL) { /* the query as written, reading the call for 'source' */
        query = lh_arena_sprintf(b->a, "%.*s%s%s", (int)c->path_start, c->select_text, from,
                                 c->select_text + c->path_stop);
    } else { /* every column of the source the table has (_rescued_data only if it has it) */
        lh_bound_t *probe;
        LH_TRY(bind_text(b, lh_arena_sprintf(b->a, "SELECT * FROM %s", from), &probe));
        const char *cols = "";
        for (int i = 0; i < probe->plan->col_count; i++) {
            const char *n = probe->plan->col_names[i];
            bool in_target = false;
            for (int k = 0; k < target->col_count; k++)
                in_target |= strcasecmp(target->col_names[k], n) == 0;
            if (strcmp(n, "_rescued_data") == 0 && !in_target)
                continue;
            cols = lh_arena_sprintf(b->a, "%s%s`%s`", cols, *cols ? ", " : "", n);
        }
        if (*cols == '\0')
            return lh_sqlerr(b->eb, "UNABLE_TO_INFER_SCHEMA", "format", c->format, NULL);
        query = lh_arena_sprintf(b->a, "SELECT %s FROM %s", cols, from);
    }
    const char *name = lh_arena_sprintf(b->a, "`%s`", c->table.parts[0].text);
    for (int i = 1; i < c->table.count; i++)
        name = lh_arena_sprintf(b->a, "%s.`%s`", name, c->table.parts[i].text);
    lh_bound_t *bound;
    LH_TRY(bind_text(b, lh_arena_sprintf(b->a, "INSERT INTO %s BY NAME %s", name, query), &bound));
    lh_plan_t *files = find_kind(bound->plan, LH_PLAN_FILES);
    lh_plan_t *write = find_kind(bound->plan, LH_PLAN_WRITE);
    if (files == NULL || write == NULL)
        return lh_sqlerr(b->eb, "INTERNAL_ERROR", "message", "COPY INTO: an unexpected plan", NULL);
    lh_objstore_t *os;
    lh_delta_table_t *t;
    lh_delta_snapshot_t *snap;
    LH_TRY(bd_open_snapshot(write->u.write.root, &os, &t, &snap, b->eb));
    const char **ids;
    int n;
    lh_err e = cut_files(b, c, (lh_ff_scan_t *)files->u.files.scan, snap, force, &ids, &n);
    bd_close_snapshot(os, t, snap);
    LH_TRY(e);
    write->u.write.operation = "COPY INTO";
    json_t *params = json_pack("{s:s, s:s, s:s}", "source", c->source, "format", c->format, "files",
                               lh_arena_sprintf(b->a, "%d", n));
    char *pt = params ? json_dumps(params, JSON_COMPACT) : NULL;
    json_decref(params);
    write->u.write.operation_params = pt ? lh_arena_strdup(b->a, pt) : NULL;
    free(pt);
    write->u.write.app_ids = ids;
    write->u.write.app_id_count = n;
    bound->statement_type = "COPY";
    *out = bound;
    return LH_OK;
}
