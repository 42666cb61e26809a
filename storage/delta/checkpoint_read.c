/*
 * checkpoint_read.c - classic (and multi-part) Parquet checkpoints -> actions
 * (formats.md §2.9), through the Parquet leaf API.
 *
 * Each checkpoint row has one non-null top-level struct (txn, add, remove, metaData,
 * protocol, domainMetadata). We read the leaves we know by dotted path (maps match any
 * "<base>.<group>.key|value", lists any "<base>.<group>.<element>"), then walk the rows of
 * every leaf in lockstep: a cursor per leaf knows the slice of Dremel levels (a row starts
 * at rep == 0) and of non-null values belonging to the current row. A struct is present in
 * a row when its first leaf's definition level reaches the struct's depth (1).
 * Every rebuilt action is validated like a JSON one.
 */
#include <stdlib.h>
#include <string.h>

#include "storage/delta/delta_internal.h"

enum {
    TXN_APP,
    TXN_VER,
    TXN_LU,
    ADD_PATH,
    ADD_PV_K,
    ADD_PV_V,
    ADD_SIZE,
    ADD_MT,
    ADD_DC,
    ADD_STATS,
    ADD_TAG_K,
    ADD_TAG_V,
    ADD_DV,
    RM_PATH,
    RM_DTS,
    RM_DC,
    RM_EXT,
    RM_PV_K,
    RM_PV_V,
    RM_SIZE,
    MD_ID,
    MD_NAME,
    MD_DESC,
    MD_PROV,
    MD_OPT_K,
    MD_OPT_V,
    MD_SCHEMA,
    MD_PC,
    MD_CONF_K,
    MD_CONF_V,
    MD_CT,
    P_R,
    P_W,
    P_RF,
    P_WF,
    DM_DOMAIN,
    DM_CONF,
    DM_REMOVED,
    NCOLS
};

enum match { EXACT, MAP_KEY, MAP_VALUE, NESTED_FIRST };

static const struct {
    const char *path;
    enum match how;
} specs[NCOLS] = {
    [TXN_APP] = {"txn.appId", EXACT},
    [TXN_VER] = {"txn.version", EXACT},
    [TXN_LU] = {"txn.lastUpdated", EXACT},
    [ADD_PATH] = {"add.path", EXACT},
    [ADD_PV_K] = {"add.partitionValues", MAP_KEY},
    [ADD_PV_V] = {"add.partitionValues", MAP_VALUE},
    [ADD_SIZE] = {"add.size", EXACT},
    [ADD_MT] = {"add.modificationTime", EXACT},
    [ADD_DC] = {"add.dataChange", EXACT},
    [ADD_STATS] = {"add.stats", EXACT},
    [ADD_TAG_K] = {"add.tags", MAP_KEY},
    [ADD_TAG_V] = {"add.tags", MAP_VALUE},
    [ADD_DV] = {"add.deletionVector", NESTED_FIRST},
    [RM_PATH] = {"remove.path", EXACT},
    [RM_DTS] = {"remove.deletionTimestamp", EXACT},
    [RM_DC] = {"remove.dataChange", EXACT},
    [RM_EXT] = {"remove.extendedFileMetadata", EXACT},
    [RM_PV_K] = {"remove.partitionValues", MAP_KEY},
    [RM_PV_V] = {"remove.partitionValues", MAP_VALUE},
    [RM_SIZE] = {"remove.size", EXACT},
    [MD_ID] = {"metaData.id", EXACT},
    [MD_NAME] = {"metaData.name", EXACT},
    [MD_DESC] = {"metaData.description", EXACT},
    [MD_PROV] = {"metaData.format.provider", EXACT},
    [MD_OPT_K] = {"metaData.format.options", MAP_KEY},
    [MD_OPT_V] = {"metaData.format.options", MAP_VALUE},
    [MD_SCHEMA] = {"metaData.schemaString", EXACT},
    [MD_PC] = {"metaData.partitionColumns", NESTED_FIRST},
    [MD_CONF_K] = {"metaData.configuration", MAP_KEY},
    [MD_CONF_V] = {"metaData.configuration", MAP_VALUE},
    [MD_CT] = {"metaData.createdTime", EXACT},
    [P_R] = {"protocol.minReaderVersion", EXACT},
    [P_W] = {"protocol.minWriterVersion", EXACT},
    [P_RF] = {"protocol.readerFeatures", NESTED_FIRST},
    [P_WF] = {"protocol.writerFeatures", NESTED_FIRST},
    [DM_DOMAIN] = {"domainMetadata.domain", EXACT},
    [DM_CONF] = {"domainMetadata.configuration", EXACT},
    [DM_REMOVED] = {"domainMetadata.removed", EXACT},
};

/* A leaf column and the current row's slice of it. */
typedef struct col {
    int leaf; /* -1: not in the file */
    int max_def, max_rep;
    lh_pq_leaf_data_t d;
    size_t lvl, val;         /* cursor: next row starts here */
    size_t row_lvl, row_end; /* current row: levels [row_lvl, row_end) */
    size_t row_val;          /* first value of the current row */
} col_t;

typedef struct cp {
    lh_pq_file_t *f;
    col_t c[NCOLS];
    const char *key;
    lh_errbuf *eb;
} cp_t;

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool spec_matches(int i, const lh_pq_leaf_info_t *info)
{
    const char *base = specs[i].path;
    size_t n = strlen(base);
    if (specs[i].how == EXACT)
        return strcmp(info->path, base) == 0;
    if (strncmp(info->path, base, n) != 0 || info->path[n] != '.')
        return false;
    if (specs[i].how == MAP_KEY)
        return info->max_rep >= 1 && ends_with(info->path, ".key");
    if (specs[i].how == MAP_VALUE)
        return info->max_rep >= 1 && ends_with(info->path, ".value");
    return true;
}

static lh_err bind_leaves(cp_t *cp)
{
    for (int i = 0; i < NCOLS; i++)
        cp->c[i].leaf = -1;
    int n = lh_pq_leaf_count(cp->f);
    for (int leaf = 0; leaf < n; leaf++) {
        lh_pq_leaf_info_t info;
        LH_TRY(lh_pq_leaf_get_info(cp->f, leaf, &info, cp->eb));
        for (int i = 0; i < NCOLS; i++) {
            if (cp->c[i].leaf < 0 && spec_matches(i, &info)) {
                cp->c[i].leaf = leaf;
                cp->c[i].max_def = info.max_def;
                cp->c[i].max_rep = info.max_rep;
            }
        }
    }
    LH_FAIL_IF(cp->c[ADD_PATH].leaf < 0 || cp->c[P_R].leaf < 0 || cp->c[MD_ID].leaf < 0,
               LH_E_CORRUPT, cp->eb, "checkpoint %s lacks add/protocol/metaData columns", cp->key);
    return LH_OK;
}

/* ---- cursors ------------------------------------------------------------------------------- */

static int16_t def_at(const col_t *c, size_t i)
{
    return c->d.def ? c->d.def[i] : (int16_t)c->max_def;
}

static lh_err col_next_row(cp_t *cp, col_t *c)
{
    if (c->leaf < 0)
        return LH_OK;
    LH_FAIL_IF(c->lvl >= c->d.level_count, LH_E_CORRUPT, cp->eb,
               "checkpoint %s: leaf %d has too few levels", cp->key, c->leaf);
    c->row_lvl = c->lvl;
    c->row_val = c->val;
    size_t i = c->lvl;
    do {
        if (def_at(c, i) == c->max_def)
            c->val++;
        i++;
    } while (i < c->d.level_count && c->d.rep && c->d.rep[i] != 0);
    c->row_end = c->lvl = i;
    LH_FAIL_IF(c->val > (c->d.values ? c->d.values->count : 0), LH_E_CORRUPT, cp->eb,
               "checkpoint %s: leaf %d has too few values", cp->key, c->leaf);
    return LH_OK;
}

/* Is the top-level struct of this leaf non-null in the current row? */
static bool present(const col_t *c)
{
    return c->leaf >= 0 && def_at(c, c->row_lvl) >= 1;
}

static bool scalar_valid(const col_t *c)
{
    return c->leaf >= 0 && def_at(c, c->row_lvl) == c->max_def;
}

static char *vec_str(const lh_vec_t *v, size_t i)
{
    const lh_sv_t *sv = &((const lh_sv_t *)v->data)[i];
    return strndup((const char *)sv->ptr, sv->len);
}

static lh_err get_str(const col_t *c, char **out)
{
    if (!scalar_valid(c))
        return LH_OK;
    if (c->d.values->type.id != LH_TYPE_STRING && c->d.values->type.id != LH_TYPE_BINARY)
        return LH_E_CORRUPT;
    *out = vec_str(c->d.values, c->row_val);
    return *out ? LH_OK : LH_E_NOMEM;
}

static bool get_i64(const col_t *c, int64_t *out)
{
    if (!scalar_valid(c))
        return false;
    lh_type_id t = c->d.values->type.id;
    if (t == LH_TYPE_STRING || t == LH_TYPE_BINARY || t == LH_TYPE_FLOAT || t == LH_TYPE_DOUBLE)
        return false;
    *out = lh_vec_get_i64(c->d.values, c->row_val);
    return true;
}

static bool get_bool(const col_t *c, bool *out)
{
    int64_t v;
    if (!get_i64(c, &v))
        return false;
    *out = v != 0;
    return true;
}

/* A MAP<string,string> from its key and value leaves in the current row. */
static lh_err get_map(const col_t *k, const col_t *v, lh_delta_map_t *out)
{
    if (k->leaf < 0)
        return LH_OK;
    size_t kv = k->row_val, vv = v->leaf >= 0 ? v->row_val : 0;
    for (size_t i = k->row_lvl; i < k->row_end; i++) {
        bool has_key = def_at(k, i) == k->max_def;
        size_t vi = v->leaf >= 0 ? v->row_lvl + (i - k->row_lvl) : 0;
        bool has_val = v->leaf >= 0 && vi < v->row_end && def_at(v, vi) == v->max_def;
        if (has_key) {
            char *key = vec_str(k->d.values, kv++);
            char *val = has_val ? vec_str(v->d.values, vv) : NULL;
            lh_err e = key ? lh_delta_map_set(out, key, val) : LH_E_NOMEM;
            free(key);
            free(val);
            LH_TRY(e);
        }
        if (has_val)
            vv++;
    }
    return LH_OK;
}

/* A LIST<string>; *count -1 when the list itself is null. */
static lh_err get_list(const col_t *c, char ***out, int *count)
{
    *count = -1;
    if (c->leaf < 0 || def_at(c, c->row_lvl) < c->max_def - 2)
        return LH_OK;
    size_t n = 0;
    for (size_t i = c->row_lvl; i < c->row_end; i++)
        n += def_at(c, i) == c->max_def;
    *out = calloc(n + 1, sizeof **out);
    if (*out == NULL)
        return LH_E_NOMEM;
    *count = 0;
    for (size_t j = 0; j < n; j++) {
        (*out)[j] = vec_str(c->d.values, c->row_val + j);
        if ((*out)[j] == NULL)
            return LH_E_NOMEM;
        (*count)++;
    }
    return LH_OK;
}

/* ---- rows -> actions ----------------------------------------------------------------------- */

static lh_err decode_path(char **p)
{
    if (*p == NULL)
        return LH_OK;
    char *d = lh_delta_uri_decode(*p);
    if (d == NULL)
        return LH_E_CORRUPT;
    free(*p);
    lh_delta_path_canonicalize(d);
    *p = d;
    return LH_OK;
}

static lh_err row_add(cp_t *cp, lh_delta_action_t *a)
{
    lh_delta_add_t *f = &a->u.add;
    col_t *c = cp->c;
    a->kind = LH_DELTA_ADD;
    LH_TRY(get_str(&c[ADD_PATH], &f->path));
    LH_TRY(decode_path(&f->path));
    LH_TRY(get_map(&c[ADD_PV_K], &c[ADD_PV_V], &f->partition_values));
    get_i64(&c[ADD_SIZE], &f->size_bytes);
    get_i64(&c[ADD_MT], &f->modification_time_ms);
    get_bool(&c[ADD_DC], &f->data_change);
    LH_TRY(get_str(&c[ADD_STATS], &f->stats));
    LH_TRY(get_map(&c[ADD_TAG_K], &c[ADD_TAG_V], &f->tags));
    f->has_deletion_vector = c[ADD_DV].leaf >= 0 && def_at(&c[ADD_DV], c[ADD_DV].row_lvl) >= 2;
    return LH_OK;
}

static lh_err row_remove(cp_t *cp, lh_delta_action_t *a)
{
    lh_delta_remove_t *r = &a->u.remove;
    col_t *c = cp->c;
    a->kind = LH_DELTA_REMOVE;
    LH_TRY(get_str(&c[RM_PATH], &r->path));
    LH_TRY(decode_path(&r->path));
    r->has_deletion_timestamp = get_i64(&c[RM_DTS], &r->deletion_timestamp_ms);
    get_bool(&c[RM_DC], &r->data_change);
    get_bool(&c[RM_EXT], &r->extended_file_metadata);
    LH_TRY(get_map(&c[RM_PV_K], &c[RM_PV_V], &r->partition_values));
    r->has_size = get_i64(&c[RM_SIZE], &r->size_bytes);
    return LH_OK;
}

static lh_err row_metadata(cp_t *cp, lh_delta_action_t *a)
{
    lh_delta_metadata_t *m = &a->u.metadata;
    col_t *c = cp->c;
    a->kind = LH_DELTA_METADATA;
    LH_TRY(get_str(&c[MD_ID], &m->id));
    LH_TRY(get_str(&c[MD_NAME], &m->name));
    LH_TRY(get_str(&c[MD_DESC], &m->description));
    LH_TRY(get_str(&c[MD_PROV], &m->format_provider));
    LH_TRY(get_map(&c[MD_OPT_K], &c[MD_OPT_V], &m->format_options));
    LH_TRY(get_str(&c[MD_SCHEMA], &m->schema_string));
    LH_TRY(get_list(&c[MD_PC], &m->partition_columns, &m->partition_column_count));
    if (m->partition_column_count < 0 && c[MD_PC].leaf >= 0) {
        m->partition_columns = calloc(1, sizeof(char *));
        m->partition_column_count = m->partition_columns ? 0 : -1;
    }
    LH_TRY(get_map(&c[MD_CONF_K], &c[MD_CONF_V], &m->configuration));
    m->has_created_time = get_i64(&c[MD_CT], &m->created_time_ms);
    return lh_delta_metadata_parse_schema(m, cp->eb);
}

static lh_err row_protocol(cp_t *cp, lh_delta_action_t *a)
{
    lh_delta_protocol_t *p = &a->u.protocol;
    col_t *c = cp->c;
    int64_t r = 0, w = 0;
    a->kind = LH_DELTA_PROTOCOL;
    get_i64(&c[P_R], &r);
    get_i64(&c[P_W], &w);
    p->min_reader_version = (int32_t)r;
    p->min_writer_version = (int32_t)w;
    p->reader_feature_count = p->writer_feature_count = -1;
    LH_TRY(get_list(&c[P_RF], &p->reader_features, &p->reader_feature_count));
    return get_list(&c[P_WF], &p->writer_features, &p->writer_feature_count);
}

static lh_err row_txn(cp_t *cp, lh_delta_action_t *a)
{
    col_t *c = cp->c;
    a->kind = LH_DELTA_TXN;
    LH_TRY(get_str(&c[TXN_APP], &a->u.txn.app_id));
    get_i64(&c[TXN_VER], &a->u.txn.version);
    a->u.txn.has_last_updated = get_i64(&c[TXN_LU], &a->u.txn.last_updated_ms);
    return LH_OK;
}

static lh_err row_domain(cp_t *cp, lh_delta_action_t *a)
{
    col_t *c = cp->c;
    a->kind = LH_DELTA_DOMAIN;
    LH_TRY(get_str(&c[DM_DOMAIN], &a->u.domain.domain));
    LH_TRY(get_str(&c[DM_CONF], &a->u.domain.configuration));
    get_bool(&c[DM_REMOVED], &a->u.domain.removed);
    return LH_OK;
}

typedef lh_err (*row_fn)(cp_t *cp, lh_delta_action_t *a);

static const struct {
    int first_leaf;
    row_fn build;
} row_kinds[] = {
    {ADD_PATH, row_add}, {RM_PATH, row_remove}, {MD_ID, row_metadata},
    {P_R, row_protocol}, {TXN_APP, row_txn},    {DM_DOMAIN, row_domain},
};

static lh_err emit_row(cp_t *cp, lh_delta_actions_t *out)
{
    for (size_t k = 0; k < sizeof row_kinds / sizeof row_kinds[0]; k++) {
        if (!present(&cp->c[row_kinds[k].first_leaf]))
            continue;
        lh_delta_action_t a;
        memset(&a, 0, sizeof a);
        lh_err e = row_kinds[k].build(cp, &a);
        if (e == LH_OK)
            e = lh_delta_action_validate(&a, LH_E_CORRUPT, -1, cp->eb);
        else if (e == LH_E_CORRUPT || e == LH_E_NOMEM)
            e = lh_err_set(cp->eb, e, __FILE__, __LINE__, "checkpoint %s: bad %s row", cp->key,
                           specs[row_kinds[k].first_leaf].path);
        if (e == LH_OK)
            e = lh_delta_actions_push(out, &a);
        if (e != LH_OK) {
            lh_delta_action_free(&a);
            return e;
        }
    }
    return LH_OK;
}

static void free_leaves(cp_t *cp)
{
    for (int i = 0; i < NCOLS; i++) {
        if (cp->c[i].leaf >= 0 && (cp->c[i].d.def || cp->c[i].d.rep || cp->c[i].d.values))
            lh_pq_leaf_data_free(&cp->c[i].d);
        memset(&cp->c[i].d, 0, sizeof cp->c[i].d);
        cp->c[i].lvl = cp->c[i].val = 0;
    }
}

static lh_err read_row_group(cp_t *cp, int rg, lh_delta_actions_t *out)
{
    lh_err e = LH_OK;
    for (int i = 0; e == LH_OK && i < NCOLS; i++)
        if (cp->c[i].leaf >= 0)
            e = lh_pq_read_leaf(cp->f, rg, cp->c[i].leaf, &cp->c[i].d, cp->eb);
    int64_t rows = lh_pq_row_group_num_rows(cp->f, rg);
    for (int64_t r = 0; e == LH_OK && r < rows; r++) {
        for (int i = 0; e == LH_OK && i < NCOLS; i++)
            e = col_next_row(cp, &cp->c[i]);
        if (e == LH_OK)
            e = emit_row(cp, out);
    }
    free_leaves(cp);
    return e;
}

lh_err lh_delta_checkpoint_read(lh_delta_table_t *t, const char *key, lh_delta_actions_t *out,
                                lh_errbuf *eb)
{
    cp_t cp;
    memset(&cp, 0, sizeof cp);
    cp.key = key;
    cp.eb = eb;
    lh_pq_source_t src;
    LH_TRY(lh_objstore_open_source(t->os, key, &src, eb));
    LH_TRY(lh_pq_open(&src, &cp.f, eb));
    lh_err e = bind_leaves(&cp);
    for (int rg = 0; e == LH_OK && rg < lh_pq_row_group_count(cp.f); rg++)
        e = read_row_group(&cp, rg, out);
    lh_pq_close(cp.f);
    return e;
}
