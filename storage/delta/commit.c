/*
 * commit.c - optimistic transactions (formats.md §2.6, §2.7).
 *
 * A txn reads snapshot R, stages actions and records what it read. Commit:
 *   1. Check: metadata present on create, appendOnly honoured, one action per path; then
 *      assert the staged actions' invariants (commit_check.c: relative paths, sizes, stats,
 *      partition values, removes of live files, no path both added and removed).
 *   2. Take the table's in-process mutex (table.c registry).
 *   3. v = R + 1. Serialize commitInfo + protocol? + metaData? + staged actions as NDJSON
 *      (required fields asserted by lh_delta_actions_serialize).
 *   4. put_if_absent(_delta_log/%020d.json). OK -> committed at v.
 *   5. LH_E_EXISTS: list the log, read every winning commit W (checked+1..latest) and run
 *      the conflict check below; a hit fails with LH_E_CONFLICT and errbuf->error_code the
 *      Delta exception name; otherwise v = latest + 1 and go to 3.
 *   6. Release the mutex; read v back and assert it holds exactly what was staged
 *      (commit_check.c, the other half of step 1's pair); if v is a multiple of
 * delta.checkpointInterval, replay v and write a checkpoint (a failure there does not undo the
 * commit).
 *
 * Conflict check against a winning commit W, in Spark's order:
 *   ProtocolChanged   W has protocol and so do we, or W's protocol is not writable by us
 *   MetadataChanged   W has metaData
 *   ConcurrentAppend  W adds dataChange files matching what we read (whole table or the
 *                     partition predicates); W's blind appends are exempt under
 *                     WriteSerializable unless we change metadata; skipped under
 *                     SnapshotIsolation
 *   ConcurrentDeleteRead    W removes (dataChange) a file we read, or anything if we read
 *                           the whole table / a matching partition
 *   ConcurrentDeleteDelete  W removes a file we also remove
 *   ConcurrentTransaction   W sets a txn version for an appId we read, or the same
 *                           domainMetadata domain we set
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "storage/delta/delta_internal.h"
#include "storage/delta/delta_scan_internal.h"

struct lh_delta_txn {
    lh_delta_table_t *t;
    lh_delta_snapshot_t *snap; /* NULL when creating the table */
    int64_t read_version;      /* -1 when creating */
    lh_delta_isolation iso;
    lh_delta_actions_t staged; /* add, remove, txn, domainMetadata */
    bool has_metadata, has_protocol;
    lh_delta_metadata_t metadata;
    lh_delta_protocol_t protocol;
    char *operation, *params_json, *metrics_json;
    bool read_whole;
    lh_delta_pred_set_t read_preds;
    char **read_files, **read_apps;
    size_t read_file_count, read_app_count;
    bool committed;
};

/* ---- building a txn ------------------------------------------------------------------------ */

static lh_err txn_begin(lh_delta_table_t *t, lh_delta_snapshot_t *s, bool enforcing,
                        lh_delta_txn_t **out, lh_errbuf *eb)
{
    *out = NULL;
    if (s != NULL)
        LH_TRY(enforcing ? lh_delta_snapshot_check_writable_enforcing(s, eb)
                         : lh_delta_snapshot_check_writable(s, eb));
    lh_delta_txn_t *x = calloc(1, sizeof *x);
    LH_FAIL_IF(x == NULL, LH_E_NOMEM, eb, "out of memory");
    x->t = t;
    x->snap = s ? lh_delta_snapshot_retain(s) : NULL;
    x->read_version = s ? s->version : -1;
    x->iso = LH_DELTA_WRITE_SERIALIZABLE;
    if (s != NULL) { /* the table property Databricks reads, "Serializable" or default */
        const char *lvl =
            lh_delta_map_get(&s->metadata.configuration, "delta.isolationLevel", NULL);
        if (lvl != NULL && strcasecmp(lvl, "Serializable") == 0)
            x->iso = LH_DELTA_SERIALIZABLE;
    }
    *out = x;
    return LH_OK;
}

lh_err lh_delta_txn_begin(lh_delta_table_t *t, lh_delta_snapshot_t *s, lh_delta_txn_t **out,
                          lh_errbuf *eb)
{
    return txn_begin(t, s, false, out, eb);
}

lh_err lh_delta_txn_begin_enforcing(lh_delta_table_t *t, lh_delta_snapshot_t *s,
                                    lh_delta_txn_t **out, lh_errbuf *eb)
{
    return txn_begin(t, s, true, out, eb);
}

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void lh_delta_txn_destroy(lh_delta_txn_t *x)
{
    if (x == NULL)
        return;
    lh_delta_snapshot_release(x->snap);
    lh_delta_actions_free(&x->staged);
    lh_delta_metadata_clear(&x->metadata);
    lh_delta_protocol_clear(&x->protocol);
    free(x->operation);
    free(x->params_json);
    free(x->metrics_json);
    lh_delta_pred_set_clear(&x->read_preds);
    strv_free(x->read_files, x->read_file_count);
    strv_free(x->read_apps, x->read_app_count);
    free(x);
}

void lh_delta_txn_set_isolation(lh_delta_txn_t *x, lh_delta_isolation iso)
{
    x->iso = iso;
}

lh_err lh_delta_txn_set_operation(lh_delta_txn_t *x, const char *operation, const char *params_json,
                                  lh_errbuf *eb)
{
    if (params_json != NULL) {
        json_t *j = json_loads(params_json, 0, NULL);
        bool ok = json_is_object(j);
        json_decref(j);
        LH_FAIL_IF(!ok, LH_E_INVALID, eb, "operationParameters must be a JSON object");
    }
    free(x->operation);
    free(x->params_json);
    x->operation = operation ? strdup(operation) : NULL;
    x->params_json = params_json ? strdup(params_json) : NULL;
    LH_FAIL_IF((operation && !x->operation) || (params_json && !x->params_json), LH_E_NOMEM, eb,
               "out of memory");
    return LH_OK;
}

lh_err lh_delta_txn_set_metrics(lh_delta_txn_t *x, const char *metrics_json, lh_errbuf *eb)
{
    json_t *j = json_loads(metrics_json, 0, NULL);
    bool ok = json_is_object(j);
    json_decref(j);
    LH_FAIL_IF(!ok, LH_E_INVALID, eb, "operationMetrics must be a JSON object");
    char *copy = strdup(metrics_json);
    LH_FAIL_IF(copy == NULL, LH_E_NOMEM, eb, "out of memory");
    free(x->metrics_json);
    x->metrics_json = copy;
    return LH_OK;
}

size_t lh_delta_txn_staged_count(const lh_delta_txn_t *x)
{
    return x->staged.count;
}

const lh_delta_action_t *lh_delta_txn_staged(const lh_delta_txn_t *x, size_t i)
{
    return i < x->staged.count ? &x->staged.items[i] : NULL;
}

bool lh_delta_txn_is_empty(const lh_delta_txn_t *x)
{
    return x->staged.count == 0 && !x->has_metadata && !x->has_protocol;
}

const lh_delta_metadata_t *lh_delta_txn_metadata(const lh_delta_txn_t *x)
{
    if (x->has_metadata)
        return &x->metadata;
    return x->snap ? &x->snap->metadata : NULL;
}

int64_t lh_delta_txn_read_version(const lh_delta_txn_t *x)
{
    return x->read_version;
}

lh_delta_table_t *lh_delta_txn_table(const lh_delta_txn_t *x)
{
    return x->t;
}

const lh_delta_snapshot_t *lh_delta_txn_snapshot(const lh_delta_txn_t *x)
{
    return x->snap;
}

lh_err lh_delta_txn_set_metadata(lh_delta_txn_t *x, const lh_delta_metadata_t *md, lh_errbuf *eb)
{
    lh_delta_action_t a = {.kind = LH_DELTA_METADATA};
    a.u.metadata = *md;
    LH_TRY(lh_delta_action_validate(&a, LH_E_INVALID, -1, eb));
    lh_delta_metadata_t copy;
    lh_err e = lh_delta_metadata_copy(md, &copy);
    if (e != LH_OK) {
        lh_delta_metadata_clear(&copy);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    if (md->schema == NULL) { /* nested columns: derive both views from schemaString */
        lh_schema_destroy(copy.primitive_schema);
        free(copy.unreadable_column);
        copy.primitive_schema = NULL;
        copy.unreadable_column = NULL;
        if ((e = lh_delta_metadata_parse_schema(&copy, eb)) != LH_OK) {
            lh_delta_metadata_clear(&copy);
            return e;
        }
    }
    lh_delta_metadata_clear(&x->metadata);
    x->metadata = copy;
    x->has_metadata = true;
    return LH_OK;
}

lh_err lh_delta_txn_set_protocol(lh_delta_txn_t *x, const lh_delta_protocol_t *p, lh_errbuf *eb)
{
    LH_TRY(lh_delta_protocol_check_write(p, eb));
    lh_delta_protocol_t copy;
    if (lh_delta_protocol_copy(p, &copy) != LH_OK) {
        lh_delta_protocol_clear(&copy);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    lh_delta_protocol_clear(&x->protocol);
    x->protocol = copy;
    x->has_protocol = true;
    return LH_OK;
}

static lh_err stage(lh_delta_txn_t *x, const lh_delta_action_t *a, lh_errbuf *eb)
{
    LH_FAIL_IF(x->committed, LH_E_STATE, eb, "transaction already committed");
    LH_TRY(lh_delta_action_validate(a, LH_E_INVALID, -1, eb));
    lh_delta_action_t copy;
    lh_err e = lh_delta_action_copy(a, &copy);
    if (e == LH_OK)
        e = lh_delta_actions_push(&x->staged, &copy);
    if (e != LH_OK) {
        lh_delta_action_free(&copy);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

lh_err lh_delta_txn_add_file(lh_delta_txn_t *x, const lh_delta_add_t *add, lh_errbuf *eb)
{
    lh_delta_action_t a = {.kind = LH_DELTA_ADD};
    a.u.add = *add;
    return stage(x, &a, eb);
}

lh_err lh_delta_txn_remove_file(lh_delta_txn_t *x, const lh_delta_remove_t *rm, lh_errbuf *eb)
{
    lh_delta_action_t a = {.kind = LH_DELTA_REMOVE};
    a.u.remove = *rm;
    return stage(x, &a, eb);
}

lh_err lh_delta_txn_remove_live(lh_delta_txn_t *x, const lh_delta_add_t *live, bool data_change,
                                lh_errbuf *eb)
{
    lh_delta_remove_t r;
    memset(&r, 0, sizeof r);
    r.path = live->path;
    r.has_deletion_timestamp = true;
    r.deletion_timestamp_ms = lh_now_ms();
    r.data_change = data_change;
    r.extended_file_metadata = true;
    r.partition_values = live->partition_values;
    r.has_size = true;
    r.size_bytes = live->size_bytes;
    r.stats = live->stats;
    r.tags = live->tags;
    return lh_delta_txn_remove_file(x, &r, eb);
}

static lh_err strv_push(char ***v, size_t *n, const char *s, lh_errbuf *eb)
{
    char **nv = realloc(*v, (*n + 1) * sizeof *nv);
    LH_FAIL_IF(nv == NULL, LH_E_NOMEM, eb, "out of memory");
    *v = nv;
    nv[*n] = strdup(s);
    LH_FAIL_IF(nv[*n] == NULL, LH_E_NOMEM, eb, "out of memory");
    (*n)++;
    return LH_OK;
}

static bool strv_has(char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

lh_err lh_delta_txn_set_app_version(lh_delta_txn_t *x, const char *app_id, int64_t version,
                                    lh_errbuf *eb)
{
    lh_delta_action_t a = {.kind = LH_DELTA_TXN};
    a.u.txn.app_id = (char *)app_id;
    a.u.txn.version = version;
    a.u.txn.has_last_updated = true;
    a.u.txn.last_updated_ms = lh_now_ms();
    LH_TRY(stage(x, &a, eb));
    return lh_delta_txn_read_app(x, app_id, eb);
}

lh_err lh_delta_txn_set_domain(lh_delta_txn_t *x, const lh_delta_domain_t *d, lh_errbuf *eb)
{
    lh_delta_action_t a = {.kind = LH_DELTA_DOMAIN};
    a.u.domain = *d;
    return stage(x, &a, eb);
}

void lh_delta_txn_read_whole_table(lh_delta_txn_t *x)
{
    x->read_whole = true;
}

lh_err lh_delta_txn_read_predicate(lh_delta_txn_t *x, const lh_delta_pred_t *preds, int pred_count,
                                   lh_errbuf *eb)
{
    if (pred_count == 0) {
        x->read_whole = true;
        return LH_OK;
    }
    return lh_delta_pred_set_add(&x->read_preds, preds, pred_count, eb);
}

lh_err lh_delta_txn_read_file(lh_delta_txn_t *x, const char *path, lh_errbuf *eb)
{
    return strv_push(&x->read_files, &x->read_file_count, path, eb);
}

lh_err lh_delta_txn_read_app(lh_delta_txn_t *x, const char *app_id, lh_errbuf *eb)
{
    if (strv_has(x->read_apps, x->read_app_count, app_id))
        return LH_OK;
    return strv_push(&x->read_apps, &x->read_app_count, app_id, eb);
}

/* ---- commit content ------------------------------------------------------------------------- */

static bool is_blind_append(const lh_delta_txn_t *x)
{
    if (x->read_whole || x->read_preds.count > 0 || x->read_file_count > 0)
        return false;
    for (size_t i = 0; i < x->staged.count; i++)
        if (x->staged.items[i].kind == LH_DELTA_REMOVE)
            return false;
    return true;
}

static const char *iso_name(lh_delta_isolation iso)
{
    static const char *const names[] = {"WriteSerializable", "Serializable", "SnapshotIsolation"};
    return names[iso];
}

static const char *operation_name(const lh_delta_txn_t *x)
{
    return x->operation ? x->operation : (x->snap ? "WRITE" : "CREATE TABLE");
}

static char *commit_info_json(const lh_delta_txn_t *x)
{
    json_t *ci = json_object();
    json_object_set_new(ci, "timestamp", json_integer(lh_now_ms()));
    json_object_set_new(ci, "operation", json_string(operation_name(x)));
    json_t *params = x->params_json ? json_loads(x->params_json, 0, NULL) : json_object();
    json_object_set_new(ci, "operationParameters", params ? params : json_object());
    if (x->read_version >= 0)
        json_object_set_new(ci, "readVersion", json_integer(x->read_version));
    json_object_set_new(ci, "isolationLevel", json_string(iso_name(x->iso)));
    json_object_set_new(ci, "isBlindAppend", json_boolean(is_blind_append(x)));
    json_t *metrics = x->metrics_json ? json_loads(x->metrics_json, 0, NULL) : NULL;
    if (metrics)
        json_object_set_new(ci, "operationMetrics", metrics);
    json_object_set_new(ci, "engineInfo", json_string("lakehouse/0.1.0"));
    char id[37];
    lh_uuid4(id);
    json_object_set_new(ci, "txnId", json_string(id));
    char *s = json_dumps(ci, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(ci);
    return s;
}

/* Serialize the commit file for one attempt. Borrowed actions are not freed. */
static lh_err build_commit(lh_delta_txn_t *x, char **out, size_t *len, lh_errbuf *eb)
{
    lh_delta_actions_t all = {0};
    size_t n = x->staged.count + 3;
    all.items = calloc(n, sizeof *all.items);
    LH_FAIL_IF(all.items == NULL, LH_E_NOMEM, eb, "out of memory");
    char *ci = commit_info_json(x);
    all.items[all.count].kind = LH_DELTA_COMMIT_INFO;
    all.items[all.count++].u.commit_info.json = ci;
    if (x->has_protocol) {
        all.items[all.count].kind = LH_DELTA_PROTOCOL;
        all.items[all.count++].u.protocol = x->protocol;
    }
    if (x->has_metadata) {
        all.items[all.count].kind = LH_DELTA_METADATA;
        all.items[all.count++].u.metadata = x->metadata;
    }
    for (size_t i = 0; i < x->staged.count; i++)
        all.items[all.count++] = x->staged.items[i];
    lh_err e = ci ? lh_delta_actions_serialize(&all, out, len, eb)
                  : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    free(ci);
    free(all.items);
    return e;
}

static const char *staged_path(const lh_delta_action_t *a)
{
    if (a->kind == LH_DELTA_ADD)
        return a->u.add.path;
    if (a->kind == LH_DELTA_REMOVE)
        return a->u.remove.path;
    return NULL;
}

static lh_err precheck(lh_delta_txn_t *x, lh_errbuf *eb)
{
    LH_FAIL_IF(x->committed, LH_E_STATE, eb, "transaction already committed");
    LH_FAIL_IF(x->snap == NULL && !x->has_metadata, LH_E_INVALID, eb,
               "creating a table needs metadata");
    const lh_delta_metadata_t *md = lh_delta_txn_metadata(x);
    const char *ao = lh_delta_map_get(&md->configuration, "delta.appendOnly", NULL);
    bool append_only = ao && strcmp(ao, "true") == 0;
    for (size_t i = 0; i < x->staged.count; i++) {
        const lh_delta_action_t *a = &x->staged.items[i];
        LH_FAIL_IF(append_only && a->kind == LH_DELTA_REMOVE && a->u.remove.data_change,
                   LH_E_INVALID, eb, "table is append-only (delta.appendOnly): cannot remove '%s'",
                   a->u.remove.path);
        for (size_t j = i + 1; staged_path(a) && j < x->staged.count; j++) {
            const lh_delta_action_t *b = &x->staged.items[j];
            LH_FAIL_IF(b->kind == a->kind && staged_path(b) &&
                           strcmp(staged_path(a), staged_path(b)) == 0,
                       LH_E_INVALID, eb, "file '%s' appears twice in one commit", staged_path(a));
        }
    }
    if (x->snap == NULL && !x->has_protocol) {
        lh_delta_protocol_t p = {1, 2, -1, NULL, -1, NULL};
        x->protocol = p;
        x->has_protocol = true;
    }
    return LH_OK;
}

/* ---- conflict check ------------------------------------------------------------------------- */

static lh_err conflict(lh_errbuf *eb, const char *name, int64_t w, const char *what)
{
    return lh_err_set_code(eb, LH_E_CONFLICT, name, __FILE__, __LINE__,
                           "%s: concurrent commit at version %lld %s", name, (long long)w, what);
}

static bool staged_removes(const lh_delta_txn_t *x, const char *path)
{
    for (size_t i = 0; i < x->staged.count; i++)
        if (x->staged.items[i].kind == LH_DELTA_REMOVE &&
            strcmp(x->staged.items[i].u.remove.path, path) == 0)
            return true;
    return false;
}

static bool staged_domain(const lh_delta_txn_t *x, const char *domain)
{
    for (size_t i = 0; i < x->staged.count; i++)
        if (x->staged.items[i].kind == LH_DELTA_DOMAIN &&
            strcmp(x->staged.items[i].u.domain.domain, domain) == 0)
            return true;
    return false;
}

static bool read_covers(const lh_delta_txn_t *x, const lh_delta_map_t *pv)
{
    if (x->read_whole)
        return true;
    const lh_delta_metadata_t *md = x->snap ? &x->snap->metadata : lh_delta_txn_metadata(x);
    return pv && x->read_preds.count > 0 &&
           lh_delta_pred_set_match_partition(&x->read_preds, md, pv);
}

static lh_err check_add(const lh_delta_txn_t *x, const lh_delta_add_t *f, bool w_blind, int64_t w,
                        lh_errbuf *eb)
{
    if (!f->data_change || x->iso == LH_DELTA_SNAPSHOT_ISOLATION)
        return LH_OK;
    if (w_blind && x->iso == LH_DELTA_WRITE_SERIALIZABLE && !x->has_metadata)
        return LH_OK;
    if (read_covers(x, &f->partition_values))
        return conflict(eb, "ConcurrentAppendException", w, "added files this transaction read");
    return LH_OK;
}

static lh_err check_remove(const lh_delta_txn_t *x, const lh_delta_remove_t *r, int64_t w,
                           lh_errbuf *eb)
{
    if (r->data_change &&
        (strv_has(x->read_files, x->read_file_count, r->path) ||
         read_covers(x, r->extended_file_metadata ? &r->partition_values : NULL) ||
         (x->read_preds.count > 0 && !r->extended_file_metadata)))
        return conflict(eb, "ConcurrentDeleteReadException", w,
                        "removed files this transaction read");
    if (staged_removes(x, r->path))
        return conflict(eb, "ConcurrentDeleteDeleteException", w,
                        "removed files this transaction also removes");
    return LH_OK;
}

static bool winner_blind(const lh_delta_actions_t *wa)
{
    for (size_t i = 0; i < wa->count; i++)
        if (wa->items[i].kind == LH_DELTA_COMMIT_INFO)
            return wa->items[i].u.commit_info.is_blind_append;
    return false;
}

static lh_err check_meta(const lh_delta_txn_t *x, const lh_delta_actions_t *wa, int64_t w,
                         lh_errbuf *eb)
{
    for (size_t i = 0; i < wa->count; i++) {
        const lh_delta_action_t *a = &wa->items[i];
        if (a->kind == LH_DELTA_PROTOCOL &&
            (x->has_protocol || lh_delta_protocol_check_write(&a->u.protocol, NULL) != LH_OK))
            return conflict(eb, "ProtocolChangedException", w, "changed the protocol");
    }
    for (size_t i = 0; i < wa->count; i++)
        if (wa->items[i].kind == LH_DELTA_METADATA)
            return conflict(eb, "MetadataChangedException", w, "changed the table metadata");
    return LH_OK;
}

static lh_err check_winner(const lh_delta_txn_t *x, const lh_delta_actions_t *wa, int64_t w,
                           lh_errbuf *eb)
{
    LH_TRY(check_meta(x, wa, w, eb));
    bool blind = winner_blind(wa);
    for (size_t i = 0; i < wa->count; i++)
        if (wa->items[i].kind == LH_DELTA_ADD)
            LH_TRY(check_add(x, &wa->items[i].u.add, blind, w, eb));
    for (size_t i = 0; i < wa->count; i++)
        if (wa->items[i].kind == LH_DELTA_REMOVE)
            LH_TRY(check_remove(x, &wa->items[i].u.remove, w, eb));
    for (size_t i = 0; i < wa->count; i++) {
        const lh_delta_action_t *a = &wa->items[i];
        if ((a->kind == LH_DELTA_TXN &&
             strv_has(x->read_apps, x->read_app_count, a->u.txn.app_id)) ||
            (a->kind == LH_DELTA_DOMAIN && staged_domain(x, a->u.domain.domain)))
            return conflict(eb, "ConcurrentTransactionException", w,
                            "changed an application transaction or domain this one uses");
    }
    return LH_OK;
}

/* Check winners (from..latest]; *next is the next version to try. */
static lh_err check_winners(lh_delta_txn_t *x, int64_t from, int64_t *next, lh_errbuf *eb)
{
    int64_t latest;
    LH_TRY(lh_delta_latest_version(x->t, &latest, eb));
    for (int64_t w = from; w <= latest; w++) {
        lh_delta_actions_t wa;
        LH_TRY(lh_delta_read_commit(x->t, w, &wa, eb));
        lh_err e = check_winner(x, &wa, w, eb);
        lh_delta_actions_free(&wa);
        LH_TRY(e);
    }
    *next = latest + 1 > from ? latest + 1 : from;
    return LH_OK;
}

/* ---- commit -----------------------------------------------------------------------------------
 */

static lh_err attempt_loop(lh_delta_txn_t *x, int64_t *committed, lh_errbuf *eb)
{
    int64_t v = x->read_version + 1;
    for (int attempt = 0; attempt < LH_DELTA_COMMIT_RETRIES; attempt++) {
        char *body, *key = lh_delta_commit_key(x->t, v);
        size_t len;
        LH_FAIL_IF(key == NULL, LH_E_NOMEM, eb, "out of memory");
        lh_err e = build_commit(x, &body, &len, eb);
        if (e == LH_OK) {
            e = lh_objstore_put_if_absent(x->t->os, key, body, len, eb);
            free(body);
        }
        free(key);
        if (e == LH_OK) {
            *committed = v;
            return LH_OK;
        }
        if (e != LH_E_EXISTS)
            return e;
        LH_FAIL_IF(x->snap == NULL, LH_E_EXISTS, eb, "a Delta table already exists at '%s'",
                   x->t->root);
        LH_TRY(check_winners(x, v, &v, eb));
    }
    return lh_err_set_code(eb, LH_E_CONFLICT, "ConcurrentModificationException", __FILE__, __LINE__,
                           "gave up committing after %d attempts", LH_DELTA_COMMIT_RETRIES);
}

static int64_t checkpoint_interval(const lh_delta_metadata_t *md)
{
    const char *s = lh_delta_map_get(&md->configuration, "delta.checkpointInterval", NULL);
    long long n = s ? atoll(s) : 0;
    return n > 0 ? n : LH_DELTA_CHECKPOINT_INTERVAL;
}

static void maybe_checkpoint(lh_delta_txn_t *x, int64_t v)
{
    if (v == 0 || v % checkpoint_interval(lh_delta_txn_metadata(x)) != 0)
        return;
    lh_delta_snapshot_t *s;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    lh_err e = lh_delta_snapshot_at_version(x->t, v, &s, &eb);
    if (e == LH_OK) {
        e = lh_delta_checkpoint_write(x->t, s, &eb);
        lh_delta_snapshot_release(s);
    }
    if (e != LH_OK)
        lh_log(LH_LOG_WARN, "delta: checkpoint of version %lld failed: %s", (long long)v, eb.msg);
}

lh_err lh_delta_txn_commit(lh_delta_txn_t *x, int64_t *version_out, lh_errbuf *eb)
{
    LH_TRY(precheck(x, eb));
    lh_delta_check_staged(x->snap, lh_delta_txn_metadata(x), &x->staged);
    int64_t v = -1;
    pthread_mutex_t *mu = lh_delta_table_mutex(x->t);
    pthread_mutex_lock(mu);
    lh_err e = attempt_loop(x, &v, eb);
    pthread_mutex_unlock(mu);
    if (e == LH_E_EXISTS && eb)
        eb->error_code = "DELTA_TABLE_ALREADY_EXISTS";
    LH_TRY(e);
    x->committed = true;
    lh_delta_check_committed(x->t, v, x->snap, lh_delta_txn_metadata(x), &x->staged,
                             operation_name(x));
    if (version_out)
        *version_out = v;
    maybe_checkpoint(x, v);
    return LH_OK;
}
