/*
 * snapshot.c - snapshot reconstruction (formats.md §2.8), protocol gate (§2.14) and time
 * travel (§2.10).
 *
 * Replay of version V:
 *   1. List _delta_log. Pick the newest complete checkpoint <= V: the _last_checkpoint
 *      hint when it names one that the listing shows complete, else by listing.
 *   2. Commits checkpoint+1..V (0..V without a checkpoint) must all be present:
 *      V beyond the newest commit or before the earliest recreatable version is
 *      LH_E_NOT_FOUND; a hole inside the range is LH_E_CORRUPT.
 *   3. Apply actions newest first (commit V down to the checkpoint, then the checkpoint);
 *      the first action seen per file path / appId / domain wins, and the first protocol
 *      and metaData win. Surviving adds are live files, surviving removes tombstones.
 *   4. No protocol or no metaData is LH_E_CORRUPT; then the reader gate runs.
 */
#include <stdlib.h>
#include <string.h>

#include "common/hashmap.h"
#include "storage/delta/delta_internal.h"

/* Sets of borrowed strings: common/hashmap with NULL values, created on first use. */
static lh_err set_add(lh_hashmap_t **set, const char *key, bool *fresh)
{
    if (*set == NULL && (*set = lh_hashmap_create(&LH_HASHMAP_STR, 256)) == NULL)
        return LH_E_NOMEM;
    return lh_hashmap_put_new(*set, (void *)key, NULL, fresh, NULL);
}

/* ---- replay state ------------------------------------------------------------------------- */

typedef struct replay {
    lh_delta_snapshot_t *s;
    bool has_protocol, has_metadata;
    lh_hashmap_t *paths, *apps, *domains; /* seen keys (borrowed strings) */
    size_t files_cap, tomb_cap, apps_cap, domains_cap;
    lh_delta_actions_t keep; /* actions whose strings the sets borrow (domain tombstones) */
} replay_t;

#define PUSH(arr, count, cap, item)                                                                \
    do {                                                                                           \
        if ((count) == (cap)) {                                                                    \
            size_t nc_ = (cap) ? (cap)*2 : 64;                                                     \
            void *p_ = realloc((arr), nc_ * sizeof *(arr));                                        \
            if (p_ == NULL)                                                                        \
                return LH_E_NOMEM;                                                                 \
            (arr) = p_;                                                                            \
            (cap) = nc_;                                                                           \
        }                                                                                          \
        (arr)[(count)++] = (item);                                                                 \
    } while (0)

static lh_err apply_file(replay_t *r, lh_delta_action_t *a)
{
    lh_delta_snapshot_t *s = r->s;
    bool is_add = a->kind == LH_DELTA_ADD;
    bool fresh;
    LH_TRY(set_add(&r->paths, is_add ? a->u.add.path : a->u.remove.path, &fresh));
    if (!fresh)
        return LH_OK;
    if (is_add)
        PUSH(s->files, s->file_count, r->files_cap, a->u.add);
    else
        PUSH(s->tombstones, s->tombstone_count, r->tomb_cap, a->u.remove);
    memset(&a->u, 0, sizeof a->u); /* moved; the set borrows the path from the snapshot */
    return LH_OK;
}

static lh_err apply_app(replay_t *r, lh_delta_action_t *a)
{
    bool fresh;
    LH_TRY(set_add(&r->apps, a->u.txn.app_id, &fresh));
    if (fresh) {
        PUSH(r->s->apps, r->s->app_count, r->apps_cap, a->u.txn);
        memset(&a->u, 0, sizeof a->u);
    }
    return LH_OK;
}

static lh_err apply_domain(replay_t *r, lh_delta_action_t *a)
{
    bool fresh;
    LH_TRY(set_add(&r->domains, a->u.domain.domain, &fresh));
    if (!fresh)
        return LH_OK;
    if (a->u.domain.removed) { /* tombstone: keep the name alive for the set */
        LH_TRY(lh_delta_actions_push(&r->keep, a));
    } else {
        PUSH(r->s->domains, r->s->domain_count, r->domains_cap, a->u.domain);
    }
    memset(&a->u, 0, sizeof a->u);
    return LH_OK;
}

static lh_err apply_action(replay_t *r, lh_delta_action_t *a)
{
    switch (a->kind) {
    case LH_DELTA_PROTOCOL:
        if (!r->has_protocol) {
            r->s->protocol = a->u.protocol;
            r->has_protocol = true;
            memset(&a->u, 0, sizeof a->u);
        }
        return LH_OK;
    case LH_DELTA_METADATA:
        if (!r->has_metadata) {
            r->s->metadata = a->u.metadata;
            r->has_metadata = true;
            memset(&a->u, 0, sizeof a->u);
        }
        return LH_OK;
    case LH_DELTA_ADD:
    case LH_DELTA_REMOVE:
        return apply_file(r, a);
    case LH_DELTA_TXN:
        return apply_app(r, a);
    case LH_DELTA_DOMAIN:
        return apply_domain(r, a);
    default:
        return LH_OK;
    }
}

/* Apply a batch of actions newest-last as newest-first (reverse order). */
static lh_err apply_all(replay_t *r, lh_delta_actions_t *acts, lh_errbuf *eb)
{
    for (size_t i = acts->count; i-- > 0;) {
        lh_err e = apply_action(r, &acts->items[i]);
        LH_FAIL_IF(e != LH_OK, e, eb, "out of memory replaying the delta log");
    }
    return LH_OK;
}

/* ---- planning ---------------------------------------------------------------------------- */

typedef struct plan {
    int64_t target;
    int64_t cp_version; /* -1: none */
    size_t cp_first, cp_count;
    int64_t start; /* first commit to apply */
} plan_t;

/* Index range of a complete checkpoint at version v (classic or an entire multi-part set). */
static bool checkpoint_at(const lh_delta_log_listing_t *l, int64_t v, size_t *first, size_t *count)
{
    for (size_t i = 0; i < l->count; i++) {
        const lh_delta_log_file_t *f = &l->files[i];
        if (f->version != v)
            continue;
        if (f->kind == LOG_CHECKPOINT) {
            *first = i;
            *count = 1;
            return true;
        }
        if (f->kind == LOG_CHECKPOINT_PART && f->part == 1) {
            size_t n = 0;
            while (i + n < l->count && l->files[i + n].kind == LOG_CHECKPOINT_PART &&
                   l->files[i + n].version == v && l->files[i + n].parts == f->parts &&
                   l->files[i + n].part == (int)n + 1)
                n++;
            if ((int)n == f->parts) {
                *first = i;
                *count = n;
                return true;
            }
        }
    }
    return false;
}

static void choose_checkpoint(lh_delta_table_t *t, const lh_delta_log_listing_t *l, plan_t *p)
{
    int64_t hint_v;
    int hint_parts;
    p->cp_version = -1;
    if (lh_delta_last_checkpoint(t, &hint_v, &hint_parts) && hint_v <= p->target &&
        checkpoint_at(l, hint_v, &p->cp_first, &p->cp_count)) {
        p->cp_version = hint_v;
    }
    for (size_t i = l->count; i-- > 0;) { /* a newer one than the hint may exist */
        int64_t v = l->files[i].version;
        if (v <= p->target && v > p->cp_version && l->files[i].kind != LOG_COMMIT &&
            checkpoint_at(l, v, &p->cp_first, &p->cp_count)) {
            p->cp_version = v;
            break;
        }
    }
}

static bool has_v2_checkpoint(const lh_delta_log_listing_t *l, int64_t after, int64_t upto)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->files[i].kind == LOG_CHECKPOINT_V2 && l->files[i].version > after &&
            l->files[i].version <= upto)
            return true;
    return false;
}

static int64_t latest_version(const lh_delta_log_listing_t *l)
{
    int64_t v = -1;
    size_t first, count;
    for (size_t i = 0; i < l->count; i++)
        if (l->files[i].kind == LOG_COMMIT ||
            (l->files[i].version > v && checkpoint_at(l, l->files[i].version, &first, &count)))
            v = l->files[i].version > v ? l->files[i].version : v;
    return v;
}

/* Commits start..target must all exist. None of them at all means the range was cleaned
 * up (LH_E_NOT_FOUND); a hole after an existing one is corruption. */
static lh_err check_commits(const lh_delta_log_listing_t *l, const plan_t *p, lh_errbuf *eb)
{
    int64_t expect = p->start;
    bool any = false;
    for (size_t i = 0; i < l->count; i++)
        any |= l->files[i].kind == LOG_COMMIT && l->files[i].version >= p->start &&
               l->files[i].version <= p->target;
    LH_FAIL_IF(!any && p->start <= p->target, LH_E_NOT_FOUND, eb,
               "version %lld cannot be recreated: its commits were cleaned up",
               (long long)p->target);
    for (size_t i = 0; i < l->count && expect <= p->target; i++) {
        const lh_delta_log_file_t *f = &l->files[i];
        if (f->kind != LOG_COMMIT || f->version < expect)
            continue;
        LH_FAIL_IF(f->version > expect, LH_E_CORRUPT, eb,
                   "delta log versions are not contiguous: version %lld is missing",
                   (long long)expect);
        expect++;
    }
    LH_FAIL_IF(expect <= p->target, LH_E_CORRUPT, eb,
               "delta log versions are not contiguous: version %lld is missing", (long long)expect);
    return LH_OK;
}

static lh_err make_plan(lh_delta_table_t *t, const lh_delta_log_listing_t *l, int64_t version,
                        plan_t *p, lh_errbuf *eb)
{
    LH_FAIL_IF(l->count == 0, LH_E_NOT_FOUND, eb, "no Delta table at '%s' (empty _delta_log)",
               t->root);
    int64_t latest = latest_version(l);
    LH_FAIL_IF(latest < 0, LH_E_NOT_FOUND, eb, "no Delta commits at '%s'", t->root);
    LH_FAIL_IF(version > latest, LH_E_NOT_FOUND, eb, "version %lld does not exist (latest is %lld)",
               (long long)version, (long long)latest);
    p->target = version < 0 ? latest : version;
    choose_checkpoint(t, l, p);
    LH_FAIL_IF(has_v2_checkpoint(l, p->cp_version, p->target) && p->cp_version < 0 &&
                   l->files[0].version > 0,
               LH_E_UNSUPPORTED, eb, "table uses unsupported feature 'v2Checkpoint'");
    p->start = p->cp_version + 1;
    if (p->cp_version < 0) {
        const lh_delta_log_file_t *first = &l->files[0];
        LH_FAIL_IF(first->kind == LOG_COMMIT && first->version > p->target, LH_E_NOT_FOUND, eb,
                   "version %lld cannot be recreated (earliest commit is %lld)",
                   (long long)p->target, (long long)first->version);
    }
    return check_commits(l, p, eb);
}

/* ---- protocol gate ----------------------------------------------------------------------- */

static const char *const reader_features_ok[] = {"timestampNtz", "vacuumProtocolCheck"};

static bool feature_in(const char *f, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f, list[i]) == 0)
            return true;
    return false;
}

lh_err lh_delta_protocol_check_read(const lh_delta_protocol_t *p, lh_errbuf *eb)
{
    int r = p->min_reader_version;
    LH_FAIL_IF(r == 2, LH_E_UNSUPPORTED, eb,
               "table uses unsupported feature 'columnMapping' (reader version 2)");
    LH_FAIL_IF(r > 3 || r < 1, LH_E_UNSUPPORTED, eb, "unsupported Delta reader version %d", r);
    for (int i = 0; r == 3 && i < p->reader_feature_count; i++) {
        const char *f = p->reader_features[i];
        LH_FAIL_IF(!feature_in(f, reader_features_ok, 2), LH_E_UNSUPPORTED, eb,
                   "table uses unsupported reader feature '%s'", f);
    }
    return LH_OK;
}

/* generatedColumns, allowColumnDefaults and identityColumns carry column metadata that only
 * the enforcing writer accepts (lh_delta_schema_has_unsupported_metadata); clustering is a
 * layout hint kept in domain metadata */
static const char *const writer_features_ok[] = {
    "appendOnly",          "invariants",      "checkConstraints", "generatedColumns",
    "allowColumnDefaults", "identityColumns", "domainMetadata",   "clustering"};

lh_err lh_delta_protocol_check_write(const lh_delta_protocol_t *p, lh_errbuf *eb)
{
    LH_TRY(lh_delta_protocol_check_read(p, eb));
    LH_FAIL_IF(p->min_reader_version != 1, LH_E_UNSUPPORTED, eb,
               "cannot write to a table with reader version %d (we write (1,2) tables)",
               p->min_reader_version);
    int w = p->min_writer_version;
    /* 3 = CHECK constraints: writable when the table has none, or the writer enforces them
     * (lh_delta_snapshot_check_writable) */
    LH_FAIL_IF(w > 3 && w != 7, LH_E_UNSUPPORTED, eb,
               "cannot write to a table with writer version %d (we write (1,2) tables)", w);
    for (int i = 0; w == 7 && i < p->writer_feature_count; i++) {
        const char *f = p->writer_features[i];
        LH_FAIL_IF(!feature_in(f, writer_features_ok,
                               sizeof writer_features_ok / sizeof *writer_features_ok),
                   LH_E_UNSUPPORTED, eb, "cannot write: table uses writer feature '%s'", f);
    }
    return LH_OK;
}

static lh_err check_writable(const lh_delta_snapshot_t *s, bool enforcing, lh_errbuf *eb)
{
    LH_TRY(lh_delta_protocol_check_write(&s->protocol, eb));
    const char *what;
    LH_FAIL_IF(
        lh_delta_schema_has_unsupported_metadata(s->metadata.schema_string, enforcing, &what),
        LH_E_UNSUPPORTED, eb, "cannot write: schema uses column metadata '%s'", what);
    for (int i = 0; !enforcing && i < s->metadata.configuration.count; i++) {
        const char *k = s->metadata.configuration.items[i].key;
        LH_FAIL_IF(strncmp(k, "delta.constraints.", 18) == 0, LH_E_UNSUPPORTED, eb,
                   "cannot write: table has CHECK constraint '%s'", k);
    }
    return LH_OK;
}

lh_err lh_delta_snapshot_check_writable(const lh_delta_snapshot_t *s, lh_errbuf *eb)
{
    return check_writable(s, false, eb);
}

lh_err lh_delta_snapshot_check_writable_enforcing(const lh_delta_snapshot_t *s, lh_errbuf *eb)
{
    return check_writable(s, true, eb);
}

lh_err lh_delta_snapshot_check_readable(const lh_delta_snapshot_t *s, lh_errbuf *eb)
{
    LH_FAIL_IF(s->metadata.schema == NULL, LH_E_UNSUPPORTED, eb,
               "column '%s' has a type that cannot be read (variant or user-defined)",
               s->metadata.unreadable_column ? s->metadata.unreadable_column : "?");
    return LH_OK;
}

/* ---- building ---------------------------------------------------------------------------- */

static void snapshot_free(lh_delta_snapshot_t *s)
{
    lh_delta_protocol_clear(&s->protocol);
    lh_delta_metadata_clear(&s->metadata);
    for (size_t i = 0; i < s->file_count; i++)
        lh_delta_add_clear(&s->files[i]);
    for (size_t i = 0; i < s->tombstone_count; i++)
        lh_delta_remove_clear(&s->tombstones[i]);
    for (size_t i = 0; i < s->app_count; i++)
        free(s->apps[i].app_id);
    for (size_t i = 0; i < s->domain_count; i++) {
        free(s->domains[i].domain);
        free(s->domains[i].configuration);
    }
    free(s->files);
    free(s->tombstones);
    free(s->apps);
    free(s->domains);
    free(s);
}

static lh_err replay_commits(lh_delta_table_t *t, replay_t *r, const plan_t *p, lh_errbuf *eb)
{
    for (int64_t v = p->target; v >= p->start; v--) {
        lh_delta_actions_t acts;
        lh_err e = lh_delta_read_commit(t, v, &acts, eb);
        LH_FAIL_IF(e == LH_E_NOT_FOUND, LH_E_CORRUPT, eb,
                   "delta log version %lld vanished during replay", (long long)v);
        LH_TRY(e);
        e = apply_all(r, &acts, eb);
        lh_delta_actions_free(&acts);
        LH_TRY(e);
    }
    return LH_OK;
}

static lh_err replay_checkpoint(lh_delta_table_t *t, replay_t *r, const plan_t *p,
                                const lh_delta_log_listing_t *l, lh_errbuf *eb)
{
    for (size_t i = 0; p->cp_version >= 0 && i < p->cp_count; i++) {
        lh_delta_actions_t acts = {0};
        lh_err e = lh_delta_checkpoint_read(t, l->files[p->cp_first + i].key, &acts, eb);
        if (e == LH_OK)
            e = apply_all(r, &acts, eb);
        lh_delta_actions_free(&acts);
        LH_TRY(e);
    }
    return LH_OK;
}

static int cmp_add(const void *a, const void *b)
{
    return strcmp(((const lh_delta_add_t *)a)->path, ((const lh_delta_add_t *)b)->path);
}

static int cmp_remove(const void *a, const void *b)
{
    return strcmp(((const lh_delta_remove_t *)a)->path, ((const lh_delta_remove_t *)b)->path);
}

static lh_err finish(lh_delta_table_t *t, replay_t *r, const plan_t *p,
                     const lh_delta_log_listing_t *l, lh_errbuf *eb)
{
    lh_delta_snapshot_t *s = r->s;
    s->version = p->target;
    LH_FAIL_IF(!r->has_protocol, LH_E_CORRUPT, eb,
               "delta table at version %lld has no protocol action", (long long)p->target);
    LH_FAIL_IF(!r->has_metadata, LH_E_CORRUPT, eb,
               "delta table at version %lld has no metaData action", (long long)p->target);
    LH_TRY(lh_delta_protocol_check_read(&s->protocol, eb));
    if (s->file_count > 1)
        qsort(s->files, s->file_count, sizeof *s->files, cmp_add);
    if (s->tombstone_count > 1)
        qsort(s->tombstones, s->tombstone_count, sizeof *s->tombstones, cmp_remove);
    s->timestamp_ms = 0;
    for (size_t i = 0; i < l->count; i++)
        if (l->files[i].version == p->target && l->files[i].kind == LOG_COMMIT)
            return lh_delta_commit_timestamp(t, &l->files[i], &s->timestamp_ms, eb);
    return LH_OK;
}

static lh_err build(lh_delta_table_t *t, const lh_delta_log_listing_t *l, int64_t version,
                    lh_delta_snapshot_t **out, lh_errbuf *eb)
{
    plan_t p;
    LH_TRY(make_plan(t, l, version, &p, eb));
    replay_t r;
    memset(&r, 0, sizeof r);
    r.s = calloc(1, sizeof *r.s);
    LH_FAIL_IF(r.s == NULL, LH_E_NOMEM, eb, "out of memory");
    atomic_init(&r.s->refs, 1);
    lh_err e = replay_commits(t, &r, &p, eb);
    if (e == LH_OK)
        e = replay_checkpoint(t, &r, &p, l, eb);
    if (e == LH_OK)
        e = finish(t, &r, &p, l, eb);
    lh_hashmap_destroy(r.paths);
    lh_hashmap_destroy(r.apps);
    lh_hashmap_destroy(r.domains);
    lh_delta_actions_free(&r.keep);
    if (e != LH_OK) {
        snapshot_free(r.s);
        return e;
    }
    *out = r.s;
    return LH_OK;
}

lh_err lh_delta_snapshot_at_version(lh_delta_table_t *t, int64_t version, lh_delta_snapshot_t **out,
                                    lh_errbuf *eb)
{
    *out = NULL;
    lh_delta_log_listing_t l;
    LH_TRY(lh_delta_log_list(t, 0, &l, eb));
    lh_err e = build(t, &l, version, out, eb);
    lh_delta_log_listing_free(&l);
    return e;
}

lh_err lh_delta_snapshot_latest(lh_delta_table_t *t, lh_delta_snapshot_t **out, lh_errbuf *eb)
{
    return lh_delta_snapshot_at_version(t, -1, out, eb);
}

lh_err lh_delta_latest_version(lh_delta_table_t *t, int64_t *out, lh_errbuf *eb)
{
    lh_delta_log_listing_t l;
    LH_TRY(lh_delta_log_list(t, 0, &l, eb));
    *out = latest_version(&l);
    lh_delta_log_listing_free(&l);
    LH_FAIL_IF(*out < 0, LH_E_NOT_FOUND, eb, "no Delta table at '%s'", t->root);
    return LH_OK;
}

/* ---- time travel by timestamp -------------------------------------------------------------- */

/* Versions and monotonized timestamps of the commits in the listing. */
static lh_err commit_times(lh_delta_table_t *t, const lh_delta_log_listing_t *l, int64_t **vers,
                           int64_t **ts, size_t *n, lh_errbuf *eb)
{
    *vers = calloc(l->count + 1, sizeof **vers);
    *ts = calloc(l->count + 1, sizeof **ts);
    *n = 0;
    LH_FAIL_IF(*vers == NULL || *ts == NULL, LH_E_NOMEM, eb, "out of memory");
    for (size_t i = 0; i < l->count; i++) {
        if (l->files[i].kind != LOG_COMMIT)
            continue;
        int64_t when;
        LH_TRY(lh_delta_commit_timestamp(t, &l->files[i], &when, eb));
        if (*n > 0 && when <= (*ts)[*n - 1])
            when = (*ts)[*n - 1] + 1;
        (*vers)[*n] = l->files[i].version;
        (*ts)[(*n)++] = when;
    }
    return LH_OK;
}

lh_err lh_delta_snapshot_at_timestamp(lh_delta_table_t *t, int64_t ts_ms, lh_delta_snapshot_t **out,
                                      lh_errbuf *eb)
{
    *out = NULL;
    lh_delta_log_listing_t l;
    LH_TRY(lh_delta_log_list(t, 0, &l, eb));
    int64_t *vers = NULL, *ts = NULL;
    size_t n = 0;
    lh_err e = commit_times(t, &l, &vers, &ts, &n, eb);
    int64_t pick = -1;
    for (size_t i = 0; e == LH_OK && i < n && ts[i] <= ts_ms; i++)
        pick = vers[i];
    if (e == LH_OK && pick < 0)
        e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                       "timestamp %lld is before the earliest available commit", (long long)ts_ms);
    if (e == LH_OK)
        e = build(t, &l, pick, out, eb);
    free(vers);
    free(ts);
    lh_delta_log_listing_free(&l);
    return e;
}

/* ---- history ------------------------------------------------------------------------------- */

static lh_err history_entry(lh_delta_table_t *t, int64_t v, int64_t ts, lh_delta_history_entry_t *h,
                            lh_errbuf *eb)
{
    lh_delta_actions_t acts;
    memset(h, 0, sizeof *h);
    h->version = v;
    h->timestamp_ms = ts;
    LH_TRY(lh_delta_read_commit(t, v, &acts, eb));
    for (size_t i = 0; i < acts.count; i++) {
        if (acts.items[i].kind == LH_DELTA_COMMIT_INFO) {
            h->info = acts.items[i].u.commit_info;
            memset(&acts.items[i].u, 0, sizeof acts.items[i].u);
            break;
        }
    }
    lh_delta_actions_free(&acts);
    return LH_OK;
}

lh_err lh_delta_history(lh_delta_table_t *t, size_t limit, lh_delta_history_entry_t **out,
                        size_t *count, lh_errbuf *eb)
{
    *out = NULL;
    *count = 0;
    lh_delta_log_listing_t l;
    LH_TRY(lh_delta_log_list(t, 0, &l, eb));
    int64_t *vers = NULL, *ts = NULL;
    size_t n = 0;
    lh_err e = commit_times(t, &l, &vers, &ts, &n, eb);
    size_t want = limit && limit < n ? limit : n;
    lh_delta_history_entry_t *h = e == LH_OK ? calloc(want + 1, sizeof *h) : NULL;
    if (e == LH_OK && h == NULL)
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    size_t got = 0;
    for (size_t i = 0; e == LH_OK && i < want; i++, got++)
        e = history_entry(t, vers[n - 1 - i], ts[n - 1 - i], &h[i], eb);
    free(vers);
    free(ts);
    lh_delta_log_listing_free(&l);
    if (e != LH_OK) {
        lh_delta_history_free(h, got);
        return e;
    }
    *out = h;
    *count = want;
    return LH_OK;
}

void lh_delta_history_free(lh_delta_history_entry_t *h, size_t count)
{
    for (size_t i = 0; h && i < count; i++) {
        free(h[i].info.json);
        free(h[i].info.operation);
    }
    free(h);
}

/* ---- accessors ----------------------------------------------------------------------------- */

lh_delta_snapshot_t *lh_delta_snapshot_retain(lh_delta_snapshot_t *s)
{
    atomic_fetch_add(&s->refs, 1);
    return s;
}

void lh_delta_snapshot_release(lh_delta_snapshot_t *s)
{
    if (s != NULL && atomic_fetch_sub(&s->refs, 1) == 1)
        snapshot_free(s);
}

int64_t lh_delta_snapshot_version(const lh_delta_snapshot_t *s)
{
    return s->version;
}

int64_t lh_delta_snapshot_timestamp_ms(const lh_delta_snapshot_t *s)
{
    return s->timestamp_ms;
}

const lh_delta_protocol_t *lh_delta_snapshot_protocol(const lh_delta_snapshot_t *s)
{
    return &s->protocol;
}

const lh_delta_metadata_t *lh_delta_snapshot_metadata(const lh_delta_snapshot_t *s)
{
    return &s->metadata;
}

size_t lh_delta_snapshot_file_count(const lh_delta_snapshot_t *s)
{
    return s->file_count;
}

const lh_delta_add_t *lh_delta_snapshot_file(const lh_delta_snapshot_t *s, size_t i)
{
    return i < s->file_count ? &s->files[i] : NULL;
}

size_t lh_delta_snapshot_tombstone_count(const lh_delta_snapshot_t *s)
{
    return s->tombstone_count;
}

const lh_delta_remove_t *lh_delta_snapshot_tombstone(const lh_delta_snapshot_t *s, size_t i)
{
    return i < s->tombstone_count ? &s->tombstones[i] : NULL;
}

bool lh_delta_snapshot_app_version(const lh_delta_snapshot_t *s, const char *app_id, int64_t *out)
{
    for (size_t i = 0; i < s->app_count; i++) {
        if (strcmp(s->apps[i].app_id, app_id) == 0) {
            *out = s->apps[i].version;
            return true;
        }
    }
    return false;
}

const lh_delta_domain_t *lh_delta_snapshot_domain(const lh_delta_snapshot_t *s, const char *domain)
{
    for (size_t i = 0; i < s->domain_count; i++)
        if (strcmp(s->domains[i].domain, domain) == 0)
            return &s->domains[i];
    return NULL;
}
