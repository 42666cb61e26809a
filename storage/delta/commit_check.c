/*
 * commit_check.c - assertions on the actions a commit writes, paired across the
 * serialize / parse boundary (STYLE.md, "Errors"): what the commit path stages is checked
 * before it becomes NDJSON, and the committed version is read back through the parser and
 * checked again, action by action, against what was staged.
 *
 *   before serializing (lh_delta_check_staged)      after put-if-absent (lh_delta_check_committed)
 *     per add: path relative and non-empty,           read <version>.json back (parser)
 *       size > 0, stats self-consistent,              same add/remove sequence as staged:
 *       partition values = the partition columns,       path, size, dataChange, stats,
 *       each parsing as its column type,                partition values
 *       not a live file of the read snapshot          the per-add/remove checks again
 *     per remove: a live file of the read snapshot,   commitInfo.operation as staged
 *       with that file's size
 *     no path both added and removed
 *
 * Every action checked here was built by this module (write.c builds adds, removes copy a
 * live add), so a failure is a programmer error and stops the process (LH_ASSERT) before
 * a wrong commit can be written, or right after one was. Data read from disk that only
 * this process wrote is held to the same rules; a foreign log's files are only ever
 * removed, and a remove is checked against the snapshot it came from.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "storage/delta/delta_scan_internal.h"

/* ---- paths ------------------------------------------------------------------------------- */

/* "scheme:" prefix (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"). */
static bool has_scheme(const char *p)
{
    if (!isalpha((unsigned char)p[0]))
        return false;
    for (p++; *p && *p != '/'; p++) {
        if (*p == ':')
            return true;
        if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' && *p != '.')
            return false;
    }
    return false;
}

/* Relative to the table root, with no empty, "." or ".." segment. */
static bool path_relative(const char *p)
{
    if (p == NULL || p[0] == '\0' || p[0] == '/' || has_scheme(p))
        return false;
    for (const char *seg = p;;) {
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
            return false;
        if (end == NULL)
            return true;
        seg = end + 1;
    }
}

static int cmp_add_path(const void *key, const void *elem)
{
    return strcmp(key, ((const lh_delta_add_t *)elem)->path);
}

/* The live file of s with this path, or NULL (s->files is sorted by path). */
static const lh_delta_add_t *live_file(const lh_delta_snapshot_t *s, const char *path)
{
    if (s == NULL || s->file_count == 0)
        return NULL;
    return bsearch(path, s->files, s->file_count, sizeof *s->files, cmp_add_path);
}

/* ---- stats and partition values -------------------------------------------------------------- */

/* min <= max for the columns where both are numbers, or both strings of a string column. */
static bool min_le_max(const lh_delta_metadata_t *md, json_t *mins, json_t *maxs)
{
    const char *name;
    json_t *mn;
    json_object_foreach(mins, name, mn)
    {
        json_t *mx = json_object_get(maxs, name);
        if (json_is_number(mn) && json_is_number(mx)) {
            if (json_number_value(mn) > json_number_value(mx))
                return false;
            continue;
        }
        int c = md->schema ? lh_schema_find(md->schema, name) : -1;
        if (c < 0 || md->schema->fields[c].type.id != LH_TYPE_STRING || !json_is_string(mn) ||
            !json_is_string(mx))
            continue;
        size_t a = json_string_length(mn), b = json_string_length(mx);
        int r = memcmp(json_string_value(mn), json_string_value(mx), a < b ? a : b);
        if (r > 0 || (r == 0 && a > b))
            return false;
    }
    return true;
}

static bool stats_consistent(const lh_delta_metadata_t *md, const char *stats)
{
    if (stats == NULL)
        return true;
    json_t *j = json_loads(stats, 0, NULL);
    json_t *num = json_object_get(j, "numRecords");
    bool ok = json_is_object(j) && json_is_integer(num) && json_integer_value(num) >= 0;
    const char *name;
    json_t *nc;
    json_object_foreach(ok ? json_object_get(j, "nullCount") : NULL, name, nc)
    {
        if (json_is_integer(nc) &&
            (json_integer_value(nc) < 0 || json_integer_value(nc) > json_integer_value(num)))
            ok = false;
    }
    if (ok)
        ok = min_le_max(md, json_object_get(j, "minValues"), json_object_get(j, "maxValues"));
    json_decref(j);
    return ok;
}

/* Exactly md's partition columns, each value parsing as its column's type. */
static bool partition_values_match(const lh_delta_metadata_t *md, const lh_delta_map_t *pv)
{
    if (pv->count != md->partition_column_count)
        return false;
    for (int i = 0; i < md->partition_column_count; i++) {
        bool found = false;
        const char *text = lh_delta_map_get(pv, md->partition_columns[i], &found);
        int c = md->primitive_schema
                    ? lh_schema_find(md->primitive_schema, md->partition_columns[i])
                    : -1;
        lh_value_t v;
        if (!found || c < 0 ||
            lh_delta_partition_value(text, md->primitive_schema->fields[c].type, &v, NULL) != LH_OK)
            return false;
    }
    return true;
}

/* ---- per action ------------------------------------------------------------------------------ */

static void check_add(const lh_delta_snapshot_t *s, const lh_delta_metadata_t *md,
                      const lh_delta_add_t *a)
{
    LH_ASSERT(path_relative(a->path));
    LH_ASSERT(a->size_bytes > 0);
    LH_ASSERT(a->modification_time_ms >= 0);
    LH_ASSERT(!a->has_deletion_vector);
    LH_ASSERT(stats_consistent(md, a->stats));
    LH_ASSERT(partition_values_match(md, &a->partition_values));
    LH_ASSERT(live_file(s, a->path) == NULL);
}

static void check_remove(const lh_delta_snapshot_t *s, const lh_delta_remove_t *r)
{
    LH_ASSERT(r->path != NULL && r->path[0] != '\0');
    LH_ASSERT(!r->has_size || r->size_bytes >= 0);
    if (s == NULL)
        return;
    const lh_delta_add_t *live = live_file(s, r->path);
    LH_ASSERT(live != NULL);
    LH_ASSERT(!r->has_size || r->size_bytes == live->size_bytes);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Per-action checks over a list (staged, or read back), then no path added and removed. */
static void check_actions(const lh_delta_snapshot_t *s, const lh_delta_metadata_t *md,
                          const lh_delta_actions_t *a)
{
    const char **removed = calloc(a->count + 1, sizeof *removed);
    LH_ASSERT(removed != NULL);
    size_t n = 0;
    for (size_t i = 0; i < a->count; i++) {
        if (a->items[i].kind == LH_DELTA_ADD)
            check_add(s, md, &a->items[i].u.add);
        if (a->items[i].kind == LH_DELTA_REMOVE) {
            check_remove(s, &a->items[i].u.remove);
            removed[n++] = a->items[i].u.remove.path;
        }
    }
    qsort(removed, n, sizeof *removed, cmp_str);
    for (size_t i = 0; n > 0 && i < a->count; i++)
        if (a->items[i].kind == LH_DELTA_ADD)
            LH_ASSERT(bsearch(&a->items[i].u.add.path, removed, n, sizeof *removed, cmp_str) ==
                      NULL);
    free(removed);
}

void lh_delta_check_staged(const lh_delta_snapshot_t *s, const lh_delta_metadata_t *md,
                           const lh_delta_actions_t *staged)
{
    LH_ASSERT(md != NULL);
    check_actions(s, md, staged);
}

/* ---- read-back ------------------------------------------------------------------------------- */

static bool str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool maps_equal(const lh_delta_map_t *a, const lh_delta_map_t *b)
{
    if (a->count != b->count)
        return false;
    for (int i = 0; i < a->count; i++) {
        bool found = false;
        const char *v = lh_delta_map_get(b, a->items[i].key, &found);
        if (!found || !str_eq(v, a->items[i].value))
            return false;
    }
    return true;
}

static bool same_file_action(const lh_delta_action_t *x, const lh_delta_action_t *y)
{
    if (x->kind != y->kind)
        return false;
    if (x->kind == LH_DELTA_ADD) {
        const lh_delta_add_t *a = &x->u.add, *b = &y->u.add;
        return str_eq(a->path, b->path) && a->size_bytes == b->size_bytes &&
               a->data_change == b->data_change && str_eq(a->stats, b->stats) &&
               maps_equal(&a->partition_values, &b->partition_values);
    }
    const lh_delta_remove_t *a = &x->u.remove, *b = &y->u.remove;
    return str_eq(a->path, b->path) && a->data_change == b->data_change &&
           a->has_size == b->has_size && (!a->has_size || a->size_bytes == b->size_bytes) &&
           a->extended_file_metadata == b->extended_file_metadata;
}

/* Index of the next add/remove at or after i in a, or a->count. */
static size_t next_file_action(const lh_delta_actions_t *a, size_t i)
{
    while (i < a->count && a->items[i].kind != LH_DELTA_ADD && a->items[i].kind != LH_DELTA_REMOVE)
        i++;
    return i;
}

void lh_delta_check_committed(lh_delta_table_t *t, int64_t version, const lh_delta_snapshot_t *s,
                              const lh_delta_metadata_t *md, const lh_delta_actions_t *staged,
                              const char *operation)
{
    lh_delta_actions_t got;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    if (lh_delta_read_commit(t, version, &got, &eb) != LH_OK) {
        lh_log(LH_LOG_WARN, "delta: reading back version %lld failed: %s", (long long)version,
               eb.msg);
        return;
    }
    size_t i = next_file_action(staged, 0), j = next_file_action(&got, 0);
    for (; i < staged->count && j < got.count;
         i = next_file_action(staged, i + 1), j = next_file_action(&got, j + 1))
        LH_ASSERT(same_file_action(&staged->items[i], &got.items[j]));
    LH_ASSERT(i == staged->count && j == got.count);
    check_actions(s, md, &got);
    size_t infos = 0;
    for (size_t k = 0; k < got.count; k++) {
        if (got.items[k].kind != LH_DELTA_COMMIT_INFO)
            continue;
        infos++;
        LH_ASSERT(str_eq(got.items[k].u.commit_info.operation, operation));
    }
    LH_ASSERT(infos == 1);
    lh_delta_actions_free(&got);
}
