/*
 * checkpoint_write.c - classic V1 checkpoints (formats.md §2.9).
 *
 * Steps: shred the snapshot (protocol, metaData, txns, domains, live adds, unexpired
 * tombstones; one action per row) into Dremel levels for the fixed schema below, write
 * one row group with the nested Parquet writer into <v>.checkpoint.parquet through the
 * object store's atomic streaming writer, then replace _last_checkpoint
 * {version, size, sizeInBytes, numOfAddFiles}.
 *
 * Schema (every field OPTIONAL; MAP = repeated key_value{REQUIRED key, OPTIONAL value};
 * LIST = repeated list{OPTIONAL element}):
 *   txn{appId, version, lastUpdated}
 *   add{path, partitionValues MAP, size, modificationTime, dataChange, tags MAP, stats}
 *   remove{path, deletionTimestamp, dataChange, extendedFileMetadata, partitionValues MAP,
 *          size}
 *   metaData{id, name, description, format{provider, options MAP}, schemaString,
 *            partitionColumns LIST, configuration MAP, createdTime}
 *   protocol{minReaderVersion i32, minWriterVersion i32}
 *   domainMetadata{domain, configuration, removed}
 * Levels: a row whose struct is absent writes def 0 in each of its leaves; a null field of a
 * present struct writes (its max_def - 1); a null map/list writes the parent's depth, an
 * empty one the map/list's own depth.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "storage/delta/delta_internal.h"

#define RETENTION_MS_DEFAULT (7LL * 24 * 3600 * 1000) /* deletedFileRetentionDuration default */

/* ---- schema tree ------------------------------------------------------------------------- */

#define T_STR                                                                                      \
    {                                                                                              \
        LH_TYPE_STRING, 0, 0                                                                       \
    }
#define T_LONG                                                                                     \
    {                                                                                              \
        LH_TYPE_LONG, 0, 0                                                                         \
    }
#define T_INT                                                                                      \
    {                                                                                              \
        LH_TYPE_INT, 0, 0                                                                          \
    }
#define T_BOOL                                                                                     \
    {                                                                                              \
        LH_TYPE_BOOLEAN, 0, 0                                                                      \
    }
#define LEAF(n, t)                                                                                 \
    {                                                                                              \
        n, 1, 0, NULL, t, LH_PQ_ANNOT_NONE                                                         \
    }
#define GROUP(n, rep, kids, annot)                                                                 \
    {                                                                                              \
        n, rep, sizeof(kids) / sizeof(kids[0]), kids, {0, 0, 0}, annot                             \
    }

static const lh_pq_node_t kv_nodes[] = {{"key", 0, 0, NULL, T_STR, LH_PQ_ANNOT_NONE},
                                        LEAF("value", T_STR)};
static const lh_pq_node_t map_kv[] = {GROUP("key_value", 2, kv_nodes, LH_PQ_ANNOT_NONE)};
static const lh_pq_node_t list_el[] = {LEAF("element", T_STR)};
static const lh_pq_node_t list_rep[] = {GROUP("list", 2, list_el, LH_PQ_ANNOT_NONE)};

static const lh_pq_node_t txn_f[] = {LEAF("appId", T_STR), LEAF("version", T_LONG),
                                     LEAF("lastUpdated", T_LONG)};
static const lh_pq_node_t add_f[] = {
    LEAF("path", T_STR),        GROUP("partitionValues", 1, map_kv, LH_PQ_ANNOT_MAP),
    LEAF("size", T_LONG),       LEAF("modificationTime", T_LONG),
    LEAF("dataChange", T_BOOL), GROUP("tags", 1, map_kv, LH_PQ_ANNOT_MAP),
    LEAF("stats", T_STR)};
static const lh_pq_node_t remove_f[] = {LEAF("path", T_STR),
                                        LEAF("deletionTimestamp", T_LONG),
                                        LEAF("dataChange", T_BOOL),
                                        LEAF("extendedFileMetadata", T_BOOL),
                                        GROUP("partitionValues", 1, map_kv, LH_PQ_ANNOT_MAP),
                                        LEAF("size", T_LONG)};
static const lh_pq_node_t format_f[] = {LEAF("provider", T_STR),
                                        GROUP("options", 1, map_kv, LH_PQ_ANNOT_MAP)};
static const lh_pq_node_t md_f[] = {LEAF("id", T_STR),
                                    LEAF("name", T_STR),
                                    LEAF("description", T_STR),
                                    GROUP("format", 1, format_f, LH_PQ_ANNOT_NONE),
                                    LEAF("schemaString", T_STR),
                                    GROUP("partitionColumns", 1, list_rep, LH_PQ_ANNOT_LIST),
                                    GROUP("configuration", 1, map_kv, LH_PQ_ANNOT_MAP),
                                    LEAF("createdTime", T_LONG)};
static const lh_pq_node_t proto_f[] = {LEAF("minReaderVersion", T_INT),
                                       LEAF("minWriterVersion", T_INT)};
static const lh_pq_node_t dm_f[] = {LEAF("domain", T_STR), LEAF("configuration", T_STR),
                                    LEAF("removed", T_BOOL)};
static const lh_pq_node_t top[] = {GROUP("txn", 1, txn_f, LH_PQ_ANNOT_NONE),
                                   GROUP("add", 1, add_f, LH_PQ_ANNOT_NONE),
                                   GROUP("remove", 1, remove_f, LH_PQ_ANNOT_NONE),
                                   GROUP("metaData", 1, md_f, LH_PQ_ANNOT_NONE),
                                   GROUP("protocol", 1, proto_f, LH_PQ_ANNOT_NONE),
                                   GROUP("domainMetadata", 1, dm_f, LH_PQ_ANNOT_NONE)};
static const lh_pq_node_t root_node = GROUP("spark_schema", 0, top, LH_PQ_ANNOT_NONE);

/* Leaf numbers (depth-first) and the first leaf of each top-level struct. */
enum { L_TXN = 0, L_ADD = 3, L_RM = 12, L_MD = 19, L_PROTO = 30, L_DM = 32, L_COUNT = 35 };
static const int group_first[] = {L_TXN, L_ADD, L_RM, L_MD, L_PROTO, L_DM, L_COUNT};

static const lh_type_t leaf_types[L_COUNT] = {
    T_STR, T_LONG, T_LONG,                                                              /* txn */
    T_STR, T_STR,  T_STR,  T_LONG, T_LONG, T_BOOL, T_STR,  T_STR, T_STR,                /* add */
    T_STR, T_LONG, T_BOOL, T_BOOL, T_STR,  T_STR,  T_LONG,                              /* remove */
    T_STR, T_STR,  T_STR,  T_STR,  T_STR,  T_STR,  T_STR,  T_STR, T_STR, T_STR, T_LONG, /* md */
    T_INT, T_INT,          /* protocol */
    T_STR, T_STR,  T_BOOL, /* domainMetadata */
};

/* ---- shredding --------------------------------------------------------------------------- */

typedef struct shred {
    lh_pq_leaf_data_t leaves[L_COUNT];
    size_t cap[L_COUNT];
    int64_t rows;
    lh_err err;
} shred_t;

static void level(shred_t *s, int leaf, int def, int rep)
{
    lh_pq_leaf_data_t *d = &s->leaves[leaf];
    if (s->err != LH_OK)
        return;
    if (d->level_count == s->cap[leaf]) {
        size_t cap = s->cap[leaf] ? s->cap[leaf] * 2 : 256;
        int16_t *nd = realloc(d->def, cap * sizeof *nd);
        if (nd)
            d->def = nd;
        int16_t *nr = nd ? realloc(d->rep, cap * sizeof *nr) : NULL;
        if (nr)
            d->rep = nr;
        if (!nd || !nr) {
            s->err = LH_E_NOMEM;
            return;
        }
        s->cap[leaf] = cap;
    }
    d->def[d->level_count] = (int16_t)def;
    d->rep[d->level_count++] = (int16_t)rep;
}

static void val_str(shred_t *s, int leaf, int def, int rep, const char *v)
{
    level(s, leaf, v ? def : def - 1, rep);
    if (v && s->err == LH_OK)
        s->err = lh_vec_append_str(s->leaves[leaf].values, v, strlen(v));
}

static void val_i64(shred_t *s, int leaf, int def, bool has, int64_t v)
{
    level(s, leaf, has ? def : def - 1, 0);
    if (has && s->err == LH_OK)
        s->err = lh_vec_append_i64(s->leaves[leaf].values, v);
}

static void val_bool(shred_t *s, int leaf, int def, bool v)
{
    level(s, leaf, def, 0);
    if (s->err == LH_OK)
        s->err = lh_vec_append_bool(s->leaves[leaf].values, v);
}

/* A MAP at depth map_def (parent defined at map_def - 1); m NULL = null map. */
static void val_map(shred_t *s, int kleaf, int map_def, const lh_delta_map_t *m)
{
    if (m == NULL || m->count == 0) {
        level(s, kleaf, m ? map_def : map_def - 1, 0);
        level(s, kleaf + 1, m ? map_def : map_def - 1, 0);
        return;
    }
    for (int i = 0; i < m->count; i++) {
        val_str(s, kleaf, map_def + 1, i ? 1 : 0, m->items[i].key);
        val_str(s, kleaf + 1, map_def + 2, i ? 1 : 0, m->items[i].value);
    }
}

static void val_list(shred_t *s, int leaf, int list_def, char **items, int n)
{
    if (n <= 0) {
        level(s, leaf, n < 0 ? list_def - 1 : list_def, 0);
        return;
    }
    for (int i = 0; i < n; i++)
        val_str(s, leaf, list_def + 2, i ? 1 : 0, items[i]);
}

/* Null out every top-level struct except `keep` (its group index). */
static void null_others(shred_t *s, int keep)
{
    for (int g = 0; g < 6; g++)
        for (int l = group_first[g]; g != keep && l < group_first[g + 1]; l++)
            level(s, l, 0, 0);
    s->rows++;
}

static void row_txn(shred_t *s, const lh_delta_app_txn_t *t)
{
    val_str(s, L_TXN, 2, 0, t->app_id);
    val_i64(s, L_TXN + 1, 2, true, t->version);
    val_i64(s, L_TXN + 2, 2, t->has_last_updated, t->last_updated_ms);
    null_others(s, 0);
}

static void row_add(shred_t *s, const lh_delta_add_t *a)
{
    char *enc = lh_delta_uri_encode(a->path);
    if (enc == NULL)
        s->err = LH_E_NOMEM;
    val_str(s, L_ADD, 2, 0, enc);
    free(enc);
    val_map(s, L_ADD + 1, 2, &a->partition_values);
    val_i64(s, L_ADD + 3, 2, true, a->size_bytes);
    val_i64(s, L_ADD + 4, 2, true, a->modification_time_ms);
    val_bool(s, L_ADD + 5, 2, a->data_change);
    val_map(s, L_ADD + 6, 2, a->tags.count ? &a->tags : NULL);
    val_str(s, L_ADD + 8, 2, 0, a->stats);
    null_others(s, 1);
}

static void row_remove(shred_t *s, const lh_delta_remove_t *r)
{
    char *enc = lh_delta_uri_encode(r->path);
    if (enc == NULL)
        s->err = LH_E_NOMEM;
    val_str(s, L_RM, 2, 0, enc);
    free(enc);
    val_i64(s, L_RM + 1, 2, r->has_deletion_timestamp, r->deletion_timestamp_ms);
    val_bool(s, L_RM + 2, 2, false); /* checkpoint removes never change data */
    val_bool(s, L_RM + 3, 2, r->extended_file_metadata);
    val_map(s, L_RM + 4, 2, r->extended_file_metadata ? &r->partition_values : NULL);
    val_i64(s, L_RM + 6, 2, r->has_size, r->size_bytes);
    null_others(s, 2);
}

static void row_metadata(shred_t *s, const lh_delta_metadata_t *m)
{
    val_str(s, L_MD, 2, 0, m->id);
    val_str(s, L_MD + 1, 2, 0, m->name);
    val_str(s, L_MD + 2, 2, 0, m->description);
    val_str(s, L_MD + 3, 3, 0, m->format_provider);
    val_map(s, L_MD + 4, 3, &m->format_options);
    val_str(s, L_MD + 6, 2, 0, m->schema_string);
    val_list(s, L_MD + 7, 2, m->partition_columns, m->partition_column_count);
    val_map(s, L_MD + 8, 2, &m->configuration);
    val_i64(s, L_MD + 10, 2, m->has_created_time, m->created_time_ms);
    null_others(s, 3);
}

static void row_protocol(shred_t *s, const lh_delta_protocol_t *p)
{
    val_i64(s, L_PROTO, 2, true, p->min_reader_version);
    val_i64(s, L_PROTO + 1, 2, true, p->min_writer_version);
    null_others(s, 4);
}

static void row_domain(shred_t *s, const lh_delta_domain_t *d)
{
    val_str(s, L_DM, 2, 0, d->domain);
    val_str(s, L_DM + 1, 2, 0, d->configuration);
    val_bool(s, L_DM + 2, 2, d->removed);
    null_others(s, 5);
}

static void shred_free(shred_t *s)
{
    for (int i = 0; i < L_COUNT; i++) {
        free(s->leaves[i].def);
        free(s->leaves[i].rep);
        lh_vec_destroy(s->leaves[i].values);
    }
}

/* delta.deletedFileRetentionDuration ("interval 1 week", "interval 30 days", "168 hours")
 * in ms; the default when absent or unparsable. */
static int64_t retention_ms(const lh_delta_metadata_t *md)
{
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"week", 604800000LL}, {"day", 86400000LL}, {"hour", 3600000LL},
                 {"minute", 60000LL},   {"second", 1000LL},  {"millisecond", 1LL}};
    const char *s =
        lh_delta_map_get(&md->configuration, "delta.deletedFileRetentionDuration", NULL);
    if (s == NULL)
        return RETENTION_MS_DEFAULT;
    if (strncasecmp(s, "interval", 8) == 0)
        s += 8;
    char unit[16];
    long long n;
    if (sscanf(s, " %lld %15[a-zA-Z]", &n, unit) != 2 || n < 0)
        return RETENTION_MS_DEFAULT;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strncasecmp(unit, units[i].unit, strlen(units[i].unit)) == 0 &&
            (strlen(unit) == strlen(units[i].unit) ||
             (strlen(unit) == strlen(units[i].unit) + 1 && tolower(unit[strlen(unit) - 1]) == 's')))
            return n * units[i].ms;
    return RETENTION_MS_DEFAULT;
}

static lh_err shred_snapshot(const lh_delta_snapshot_t *snap, shred_t *s, int64_t *adds)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < L_COUNT; i++)
        if ((s->leaves[i].values = lh_vec_create(leaf_types[i], 16)) == NULL)
            return LH_E_NOMEM;
    int64_t expire_before = lh_now_ms() - retention_ms(&snap->metadata);
    row_protocol(s, &snap->protocol);
    row_metadata(s, &snap->metadata);
    for (size_t i = 0; i < snap->app_count; i++)
        row_txn(s, &snap->apps[i]);
    for (size_t i = 0; i < snap->domain_count; i++)
        row_domain(s, &snap->domains[i]);
    for (size_t i = 0; i < snap->file_count; i++)
        row_add(s, &snap->files[i]);
    for (size_t i = 0; i < snap->tombstone_count; i++)
        if (snap->tombstones[i].deletion_timestamp_ms >= expire_before)
            row_remove(s, &snap->tombstones[i]);
    *adds = (int64_t)snap->file_count;
    return s->err;
}

/* ---- files ------------------------------------------------------------------------------- */

static lh_err write_parquet(lh_delta_table_t *t, const char *key, shred_t *s, uint64_t *bytes,
                            lh_errbuf *eb)
{
    lh_obj_writer_t *ow;
    LH_TRY(lh_objstore_open_write(t->os, key, &ow, eb));
    lh_pq_write_opts_t opts;
    lh_pq_write_opts_default(&opts);
    opts.codec = LH_PQ_CODEC_SNAPPY;
    lh_pq_writer_t *w = NULL;
    lh_err e = lh_pq_writer_create_nested(&root_node, &opts, lh_obj_writer_sink(ow), &w, eb);
    if (e == LH_OK)
        e = lh_pq_writer_write_leaves(w, s->rows, s->leaves, L_COUNT, eb);
    if (e == LH_OK)
        e = lh_pq_writer_finish(w, NULL, eb);
    lh_pq_writer_destroy(w);
    *bytes = lh_obj_writer_bytes(ow);
    if (e != LH_OK) {
        lh_obj_writer_abort(ow);
        return e;
    }
    return lh_obj_writer_commit(ow, eb);
}

static lh_err write_last_checkpoint(lh_delta_table_t *t, int64_t version, int64_t rows,
                                    uint64_t bytes, int64_t adds, lh_errbuf *eb)
{
    char key[1024], body[256];
    snprintf(key, sizeof key, "%s/_last_checkpoint", t->log_dir);
    int n =
        snprintf(body, sizeof body,
                 "{\"version\":%lld,\"size\":%lld,\"sizeInBytes\":%llu,\"numOfAddFiles\":%lld}\n",
                 (long long)version, (long long)rows, (unsigned long long)bytes, (long long)adds);
    return lh_objstore_put(t->os, key, body, (size_t)n, eb);
}

lh_err lh_delta_checkpoint_write(lh_delta_table_t *t, const lh_delta_snapshot_t *snap,
                                 lh_errbuf *eb)
{
    LH_TRY(lh_delta_protocol_check_write(&snap->protocol, eb));
    shred_t s;
    int64_t adds = 0;
    lh_err e = shred_snapshot(snap, &s, &adds);
    if (e != LH_OK) {
        shred_free(&s);
        LH_FAIL(e, eb, "out of memory building a checkpoint");
    }
    char key[1024];
    snprintf(key, sizeof key, "%s/%020lld.checkpoint.parquet", t->log_dir,
             (long long)snap->version);
    uint64_t bytes = 0;
    e = write_parquet(t, key, &s, &bytes, eb);
    int64_t rows = s.rows;
    shred_free(&s);
    LH_TRY(e);
    return write_last_checkpoint(t, snap->version, rows, bytes, adds, eb);
}
