/*
 * ops_vacuum.c - VACUUM [RETAIN n HOURS] [DRY RUN] (formats.md §2.11).
 *
 *   1. Retention: delta.deletedFileRetentionDuration ("interval 7 days", default 168 h).
 *      A shorter RETAIN is refused unless forced (Spark's retentionDurationCheck).
 *   2. List every object under the table root. Skip _delta_log and hidden paths: a path
 *      segment starting with '.' or '_', except partition directories ("<partcol>=...")
 *      and _change_data / _delta_index.
 *   3. Delete a file only when no live add references it, it is not a tombstone removed
 *      inside the retention, and its mtime is older than the retention.
 *   4. Remove the directories the deletions left empty (local stores: rmdir of each
 *      deleted file's parents up to the root, which fails harmlessly when not empty).
 * VACUUM writes nothing to the log.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "storage/delta/ops_internal.h"

#define MS_PER_HOUR 3600000.0

/* "interval 7 days" / "interval 168 hours" / "1 week" as hours; -1 when unparsable. */
static double parse_interval_hours(const char *s)
{
    static const struct {
        const char *unit;
        double hours;
    } units[] = {{"week", 168},
                 {"day", 24},
                 {"hour", 1},
                 {"minute", 1.0 / 60},
                 {"second", 1.0 / 3600},
                 {"millisecond", 1.0 / 3600000}};
    while (isspace((unsigned char)*s))
        s++;
    if (strncasecmp(s, "interval", 8) == 0)
        s += 8;
    char *end;
    double n = strtod(s, &end);
    if (end == s)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strncasecmp(end, units[i].unit, strlen(units[i].unit)) == 0)
            return n * units[i].hours;
    return -1;
}

static double configured_hours(const lh_delta_metadata_t *md)
{
    const char *s =
        lh_delta_map_get(&md->configuration, "delta.deletedFileRetentionDuration", NULL);
    double h = s ? parse_interval_hours(s) : -1;
    return h >= 0 ? h : LH_DELTA_VACUUM_RETAIN_HOURS;
}

/* Whether rel (table-relative) is in VACUUM's scope. */
static bool in_scope(const lh_delta_metadata_t *md, const char *rel)
{
    if (strncmp(rel, "_delta_log/", 11) == 0)
        return false;
    for (const char *seg = rel; seg && *seg;) {
        const char *slash = strchr(seg, '/');
        size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
        bool partition_dir = false;
        for (int i = 0; slash && i < md->partition_column_count; i++) {
            size_t pl = strlen(md->partition_columns[i]);
            partition_dir |=
                n > pl && strncasecmp(seg, md->partition_columns[i], pl) == 0 && seg[pl] == '=';
        }
        bool special = slash && ((n == 12 && strncmp(seg, "_change_data", 12) == 0) ||
                                 (n == 12 && strncmp(seg, "_delta_index", 12) == 0));
        if ((seg[0] == '.' || seg[0] == '_') && !partition_dir && !special)
            return false;
        seg = slash ? slash + 1 : NULL;
    }
    return true;
}

static bool is_live(const lh_delta_snapshot_t *s, const char *rel)
{
    size_t lo = 0, hi = lh_delta_snapshot_file_count(s);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(lh_delta_snapshot_file(s, mid)->path, rel);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static bool recent_tombstone(const lh_delta_snapshot_t *s, const char *rel, int64_t cutoff_ms)
{
    size_t lo = 0, hi = lh_delta_snapshot_tombstone_count(s);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const lh_delta_remove_t *r = lh_delta_snapshot_tombstone(s, mid);
        int c = strcmp(r->path, rel);
        if (c == 0)
            return r->has_deletion_timestamp && r->deletion_timestamp_ms >= cutoff_ms;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* rmdir each parent of key below the table root; counts the ones removed. */
static void remove_empty_parents(lh_delta_table_t *t, const char *key, int64_t *removed)
{
    const char *root = lh_delta_table_root(t);
    size_t root_len = strlen(root);
    char *dir = strdup(key), path[4096];
    for (char *slash; dir && (slash = strrchr(dir, '/')) != NULL;) {
        *slash = '\0';
        if (strlen(dir) <= root_len)
            break;
        if (lh_objstore_local_path(lh_delta_table_store(t), dir, path, sizeof path, NULL) !=
                LH_OK ||
            rmdir(path) != 0)
            break;
        (*removed)++;
    }
    free(dir);
}

static lh_err push_path(lh_delta_vacuum_result_t *out, const char *rel, lh_errbuf *eb)
{
    char **np = realloc(out->paths, (out->count + 1) * sizeof *np);
    LH_FAIL_IF(np == NULL, LH_E_NOMEM, eb, "out of memory");
    out->paths = np;
    np[out->count] = strdup(rel);
    LH_FAIL_IF(np[out->count] == NULL, LH_E_NOMEM, eb, "out of memory");
    out->count++;
    return LH_OK;
}

static lh_err sweep(lh_delta_table_t *t, const lh_delta_snapshot_t *s, int64_t cutoff_ms,
                    bool dry_run, lh_delta_vacuum_result_t *out, lh_errbuf *eb)
{
    const char *root = lh_delta_table_root(t);
    char *prefix = malloc(strlen(root) + 2);
    LH_FAIL_IF(prefix == NULL, LH_E_NOMEM, eb, "out of memory");
    sprintf(prefix, "%s%s", root, root[0] ? "/" : "");
    lh_obj_list_t l;
    lh_err e = lh_objstore_list(lh_delta_table_store(t), prefix, &l, eb);
    size_t plen = strlen(prefix);
    free(prefix);
    LH_TRY(e);
    const lh_delta_metadata_t *md = lh_delta_snapshot_metadata(s);
    for (size_t i = 0; e == LH_OK && i < l.count; i++) {
        const lh_obj_info_t *o = &l.items[i];
        const char *rel = o->key + plen;
        if (!in_scope(md, rel) || is_live(s, rel) || recent_tombstone(s, rel, cutoff_ms) ||
            o->mtime_ms >= cutoff_ms)
            continue;
        if (!dry_run) {
            e = lh_objstore_delete(lh_delta_table_store(t), o->key, eb);
            if (e == LH_E_NOT_FOUND) { /* a concurrent VACUUM got there first */
                e = LH_OK;
                continue;
            }
            if (e != LH_OK)
                break;
            remove_empty_parents(t, o->key, &out->dirs_removed);
        }
        out->bytes += (int64_t)o->size_bytes;
        e = push_path(out, rel, eb);
    }
    lh_obj_list_free(&l);
    return e;
}

lh_err lh_delta_vacuum(lh_delta_table_t *t, double retain_hours, bool dry_run, bool force,
                       lh_delta_vacuum_result_t *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    lh_delta_snapshot_t *s;
    LH_TRY(lh_delta_snapshot_latest(t, &s, eb));
    double configured = configured_hours(lh_delta_snapshot_metadata(s));
    double hours = retain_hours < 0 ? configured : retain_hours;
    lh_err e = LH_OK;
    if (hours < configured && !force)
        e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                       "Are you sure you would like to vacuum files with such a low retention "
                       "period (%g hours)? It is shorter than delta.deletedFileRetentionDuration "
                       "(%g hours): writers still running may need those files. Use force "
                       "(spark.databricks.delta.retentionDurationCheck.enabled = false) if you "
                       "are certain.",
                       hours, configured);
    if (e == LH_OK)
        e = sweep(t, s, lh_now_ms() - (int64_t)(hours * MS_PER_HOUR), dry_run, out, eb);
    lh_delta_snapshot_release(s);
    if (e != LH_OK)
        lh_delta_vacuum_result_free(out);
    return e;
}

void lh_delta_vacuum_result_free(lh_delta_vacuum_result_t *r)
{
    for (size_t i = 0; i < r->count; i++)
        free(r->paths[i]);
    free(r->paths);
    memset(r, 0, sizeof *r);
}
