/*
 * hash_agg.c - GROUP BY (with GROUPING SETS / ROLLUP / CUBE) as a pipeline sink.
 *
 * Each worker aggregates its morsels into its own table: a group is one bump-allocated
 * entry { key_len, key bytes (lh_vecops_encode of every key, a non-grouped key encoded as
 * NULL, then the 8-byte grouping id when there are sets), the aggregate states }. For a
 * batch, the keys are encoded row by row and looked up once per grouping set, giving a
 * state pointer per row; each aggregate then updates all rows with one call (scatter
 * update). FILTER (WHERE ...) rows are gathered first. combine merges worker tables into
 * the first one (states combined, or entries adopted with their memory); result decodes
 * the keys and finalizes the states 2048 groups at a time.
 *
 * DISTINCT aggregates: the workers only collect the rows, and result aggregates them,
 * passing a row to a DISTINCT aggregate only when (group, arguments) is new (a
 * per-aggregate set). With GROUP BY keys (no grouping sets) on a pool, a worker that has
 * seen more than DPART_AFTER_ROWS rows splits them by their key's hash into 64 partitions
 * as it collects them (batches packed per partition), and result aggregates the
 * partitions on the pool (no group spans two partitions, so their tables are then adopted
 * whole); a small input is aggregated on one thread in arrival order.
 * Keys of a batch are encoded and hashed first and their slots prefetched, then probed. Output:
 * keys ++ aggregates (++ the grouping id, BIGINT, Spark's spark_grouping_id: bit n-1-k set when key
 * k is not grouped in the row's set). A global aggregate (no keys, no sets) over no rows still
 * yields its one row.
 *
 * Over half the memory limit, GROUP BY without grouping sets spills (Grace hash
 * aggregation, described above the spilling functions below); a finished aggregate can be
 * a source (exec_agg_source_new), so spilled groups stream to the next pipeline.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compute/exec/exec_internal.h"
#include "compute/exec/spill.h"

#define AGG_MAX_ARGS 64 /* arguments of one aggregate call: count(DISTINCT t.*) */

typedef struct table {
    exec_ht ht;
    exec_bump bump;
    void **groups; /* insertion order */
    size_t n, cap;
} table;

/* Grace partitioning: 32 partitions a level, by 5 bits of the key's hash per level (the
 * top bits first; the hash table probes with the low bits). */
#define AGG_PART_BITS 5
#define AGG_PARTS     (1 << AGG_PART_BITS)
#define AGG_LEVELS    4

static unsigned part_of(uint64_t hash, int level)
{
    return (unsigned)(hash >> (64 - AGG_PART_BITS * (level + 1))) & (AGG_PARTS - 1);
}

typedef struct part_list {
    exec_run **runs;
    size_t n, cap;
} part_list;

/* Writes input batches to one run per partition, rows routed by their key's hash. */
typedef struct pwriter {
    exec_run *runs[AGG_PARTS];
    lh_batch_t *scratch;
    uint32_t *sel;
    uint8_t *part;
    size_t cap;
} pwriter;

typedef struct agg_op {
    int key_count, agg_count, set_count;
    const uint64_t *sets;
    uint32_t *dup;     /* per set: how many earlier sets have the same mask (Spark keeps repeats) */
    uint64_t map_keys; /* keys whose type holds a MAP: encoded with their entries sorted */
    uint64_t full_set;
    size_t *off;       /* per aggregate: state offset after the key header */
    size_t states;     /* bytes of all states */
    lh_expr_t **exprs; /* keys, then args of each aggregate, then filters */
    int *arg_at, *filter_at;
    int expr_count, node_count;
    bool distinct_mode;
    bool can_spill; /* GROUP BY keys without grouping sets */
    atomic_bool spilling;
    table global;
    exec_rows *raw; /* DISTINCT mode: the collected input */
    /* DISTINCT mode on a pool with GROUP BY keys (no sets): the workers partition their rows
     * by key hash as they collect them, each raw batch holding one partition's rows
     * (raw_part[b]), so the partitions aggregate in parallel with no second pass. */
    bool dpart;
    uint8_t *raw_part;
    size_t raw_part_cap;
    pthread_mutex_t mu;
    part_list parts[AGG_PARTS]; /* spilled input rows by key hash (level 0) */
} agg_op;

typedef struct agg_local {
    exec_eval ev;
    table t;
    uint8_t *key;
    size_t key_cap;
    void **base; /* per row: its group entry */
    void **st;   /* per row: one aggregate's state */
    uint32_t *sel;
    size_t rows_cap;
    lh_vec_t *gathered[AGG_MAX_ARGS];
    exec_rows *raw;
    uint8_t *raw_part; /* dpart: the partition of each raw batch (DPART_NONE: not split) */
    bool parted;       /* dpart: this worker splits its rows (it has seen enough of them) */
    size_t raw_part_cap;
    lh_batch_t *popen[1 << 6]; /* dpart: each partition's batch being filled */
    int64_t pbytes[1 << 6];    /* dpart: the bytes charged for each open batch */
    int64_t pstr[1 << 6];      /* dpart: string bytes in each open batch */
    exec_ht *seen;             /* DISTINCT: per aggregate (result only) */
    /* A batch's keys, encoded back to back (row i at keys + koff[i], koff[i+1] - koff[i]
     * bytes) with their hashes: hashed and prefetched first, then probed, so the cache
     * misses of a large table overlap instead of one per row in turn. */
    uint8_t *keys;
    size_t keys_cap;
    uint32_t *koff;
    uint64_t *khash;
    exec_bump seen_mem;
    pwriter pw; /* spilling: this worker's partition runs */
    /* one integer key: a direct-mapped cache of (key value -> group entry), see small_key */
    int64_t kc_v[256];
    void *kc_e[256];
    int64_t kc_tries, kc_hits;
    bool kc_off;
} agg_local;

static size_t hdr_size(size_t key_len)
{
    return (8 + key_len + 15) & ~(size_t)15;
}

static void *state_of(const agg_op *a, void *entry, int k)
{
    return (uint8_t *)entry + hdr_size(EXEC_HT_KEY_LEN(entry)) + a->off[k];
}

static void table_init(table *t, exec_query *q)
{
    memset(t, 0, sizeof *t);
    exec_ht_init(&t->ht, q);
    exec_bump_init(&t->bump, q);
}

static void table_free(const lh_plan_t *p, agg_op *a, table *t)
{
    for (size_t g = 0; g < t->n; g++)
        for (int k = 0; k < a->agg_count; k++) {
            const lh_agg_call_t *c = &p->u.aggregate.aggs[k];
            if (c->func->destroy)
                c->func->destroy(c->bind_data, state_of(a, t->groups[g], k));
        }
    free(t->groups);
    exec_ht_free(&t->ht);
    exec_bump_free(&t->bump);
    memset(t, 0, sizeof *t);
}

static lh_err table_push(table *t, void *entry, lh_errbuf *eb)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        void **g = realloc(t->groups, cap * sizeof *g);
        LH_FAIL_IF(g == NULL, LH_E_NOMEM, eb, "out of memory");
        t->groups = g;
        t->cap = cap;
    }
    t->groups[t->n++] = entry;
    return LH_OK;
}

/* The group of key with hash h (created with initialized states when new). */
static lh_err group_of_hashed(const lh_plan_t *p, agg_op *a, table *t, const uint8_t *key,
                              size_t len, uint64_t h, void **out, lh_errbuf *eb)
{
    void *e = exec_ht_find(&t->ht, h, key, len);
    if (e == NULL) {
        LH_TRY(exec_bump_alloc(&t->bump, hdr_size(len) + a->states, &e, eb));
        *(uint32_t *)e = (uint32_t)len;
        memcpy((uint8_t *)e + 8, key, len);
        for (int k = 0; k < a->agg_count; k++) {
            const lh_agg_call_t *c = &p->u.aggregate.aggs[k];
            c->func->init(c->bind_data, state_of(a, e, k));
        }
        LH_TRY(exec_ht_insert(&t->ht, h, e, eb));
        LH_TRY(table_push(t, e, eb));
    }
    *out = e;
    return LH_OK;
}

static lh_err group_of(const lh_plan_t *p, agg_op *a, table *t, const uint8_t *key, size_t len,
                       void **out, lh_errbuf *eb)
{
    return group_of_hashed(p, a, t, key, len, exec_ht_hash(key, len), out, eb);
}

/* Append len bytes of key as the next row's key in l->keys (row i: koff[i] set). */
static lh_err keys_append(agg_local *l, size_t i, const uint8_t *key, size_t len, lh_errbuf *eb)
{
    size_t at = l->koff[i];
    if (at + len > l->keys_cap) {
        size_t cap = (at + len) * 2;
        uint8_t *k = realloc(l->keys, cap);
        LH_FAIL_IF(k == NULL, LH_E_NOMEM, eb, "out of memory");
        l->keys = k;
        l->keys_cap = cap;
    }
    memcpy(l->keys + at, key, len);
    l->koff[i + 1] = (uint32_t)(at + len);
    l->khash[i] = exec_ht_hash(key, len);
    return LH_OK;
}

/* Software-pipelined prefetch for probing row i of n in t: the slot of row i + 2D, and the
 * entry of row i + D when its slot (prefetched D rows ago) holds its hash. Called just
 * before row i is probed, so each miss has D probes' time to arrive. */
#define PF_DIST 8
/* always_inline: GCC 12 deletes calls to a static function whose only effects are
 * prefetches (its pure-const analysis counts them as none) before it would inline it */
#define PF_INLINE static inline __attribute__((always_inline))
PF_INLINE void probe_prefetch(const exec_ht *t, const agg_local *l, size_t i, size_t n)
{
    if (t->cap == 0)
        return;
    if (i + 2 * PF_DIST < n)
        exec_ht_prefetch(t, l->khash[i + 2 * PF_DIST]);
    if (i + PF_DIST < n) {
        const exec_ht_slot *s = &t->slots[l->khash[i + PF_DIST] & (t->cap - 1)];
        if (s->hash == l->khash[i + PF_DIST])
            __builtin_prefetch(s->entry);
    }
}

/* The first rows' prefetches (probe_prefetch covers the rest). */
PF_INLINE void keys_prefetch(const exec_ht *t, const agg_local *l, size_t n)
{
    if (t->cap == 0)
        return;
    for (size_t i = 0; i < n && i < 2 * PF_DIST; i++)
        exec_ht_prefetch(t, l->khash[i]);
    for (size_t i = 0; i < n && i < PF_DIST; i++) {
        const exec_ht_slot *s = &t->slots[l->khash[i] & (t->cap - 1)];
        if (s->hash == l->khash[i])
            __builtin_prefetch(s->entry);
    }
}

static lh_err grow_rows(agg_local *l, size_t rows, lh_errbuf *eb)
{
    if (rows <= l->rows_cap)
        return LH_OK;
    free(l->base);
    free(l->st);
    free(l->sel);
    free(l->koff);
    free(l->khash);
    l->base = malloc(rows * sizeof *l->base);
    l->st = malloc(rows * sizeof *l->st);
    l->sel = malloc(rows * sizeof *l->sel);
    l->koff = malloc((rows + 1) * sizeof *l->koff);
    l->khash = malloc(rows * sizeof *l->khash);
    LH_FAIL_IF(!l->base || !l->st || !l->sel || !l->koff || !l->khash, LH_E_NOMEM, eb,
               "out of memory");
    l->rows_cap = rows;
    return LH_OK;
}

/* Encode row i's key for set mask into l->key; returns the length. */
static lh_err encode_key(agg_op *a, agg_local *l, size_t i, int set, size_t *len, lh_errbuf *eb)
{
    uint64_t mask = a->sets && set >= 0 ? a->sets[set] : a->full_set;
    size_t need = 12;
    for (int k = 0; k < a->key_count; k++)
        need += lh_vecops_encoded_size(l->ev.vals[k], i);
    if (need > l->key_cap) {
        free(l->key);
        l->key_cap = need * 2;
        l->key = malloc(l->key_cap);
        LH_FAIL_IF(l->key == NULL, LH_E_NOMEM, eb, "out of memory");
    }
    size_t o = 0;
    int64_t gid = 0;
    for (int k = 0; k < a->key_count; k++) {
        if (mask >> k & 1) {
            size_t at = o;
            o += lh_vecops_encode(l->ev.vals[k], i, l->key + o);
            if ((a->map_keys >> k & 1) && l->key[at] == 1)
                LH_FAIL_IF(lh_vecops_canon(l->ev.vals[k]->type, l->key + at + 5,
                                           (uint32_t)(o - at - 5)) != LH_OK,
                           LH_E_NOMEM, eb, "out of memory");
        } else {
            l->key[o++] = 0;
            gid |= (int64_t)1 << (a->key_count - 1 - k);
        }
    }
    if (a->sets != NULL) {
        memcpy(l->key + o, &gid, 8);
        o += 8;
        if (a->dup[set] > 0) { /* a repeated set: its groups stay apart from the first's */
            memcpy(l->key + o, &a->dup[set], 4);
            o += 4;
        }
    }
    *len = o;
    return LH_OK;
}

/* Encode (group, args of row i) for DISTINCT aggregate k into l->key. */
static lh_err distinct_key(agg_op *a, agg_local *l, int k, const lh_agg_call_t *c, void *group,
                           size_t i, size_t *len, lh_errbuf *eb)
{
    size_t need = 8;
    for (int j = 0; j < c->arg_count; j++)
        need += lh_vecops_encoded_size(l->ev.vals[a->arg_at[k] + j], i);
    if (need > l->key_cap) {
        free(l->key);
        l->key_cap = need * 2;
        l->key = malloc(l->key_cap);
        LH_FAIL_IF(l->key == NULL, LH_E_NOMEM, eb, "out of memory");
    }
    memcpy(l->key, &group, 8);
    size_t o = 8;
    for (int j = 0; j < c->arg_count; j++)
        o += lh_vecops_encode(l->ev.vals[a->arg_at[k] + j], i, l->key + o);
    *len = o;
    return LH_OK;
}

/* Whether row i's (group, args) key (l->keys, from distinct_key) is new for DISTINCT
 * aggregate k; remembered when it is. */
static lh_err distinct_new(agg_local *l, int k, size_t i, bool *fresh, lh_errbuf *eb)
{
    const uint8_t *key = l->keys + l->koff[i];
    size_t o = l->koff[i + 1] - l->koff[i];
    uint64_t h = l->khash[i];
    *fresh = exec_ht_find(&l->seen[k], h, key, o) == NULL;
    if (!*fresh)
        return LH_OK;
    void *e;
    LH_TRY(exec_bump_alloc(&l->seen_mem, 8 + o, &e, eb));
    *(uint32_t *)e = (uint32_t)o;
    memcpy((uint8_t *)e + 8, key, o);
    return exec_ht_insert(&l->seen[k], h, e, eb);
}

static lh_err encode_flat(agg_local *l, const lh_vec_t *const *vs, int nv, void *const *prefix,
                          size_t rows, bool *done, lh_errbuf *eb);

/* args[j] := its rows sel[0..n) as a flat vector (l->gathered[j]). */
static lh_err gather_arg(agg_local *l, int j, const lh_vec_t **args, const uint32_t *sel, size_t n,
                         lh_errbuf *eb)
{
    if (l->gathered[j] == NULL || !lh_type_equal(l->gathered[j]->type, args[j]->type)) {
        lh_vec_destroy(l->gathered[j]);
        l->gathered[j] = lh_vec_create(args[j]->type, n ? n : 1);
        LH_FAIL_IF(l->gathered[j] == NULL, LH_E_NOMEM, eb, "out of memory");
    }
    LH_FAIL_IF(lh_vecops_gather(l->gathered[j], args[j], sel, n) != LH_OK, LH_E_NOMEM, eb,
               "out of memory");
    args[j] = l->gathered[j];
    return LH_OK;
}

/* Update aggregate k for the rows whose filter is TRUE (and, DISTINCT, are new). */
static lh_err update_one(const lh_plan_t *p, agg_op *a, agg_local *l, int k, size_t rows,
                         lh_errbuf *eb)
{
    const lh_agg_call_t *c = &p->u.aggregate.aggs[k];
    const lh_vec_t *args[AGG_MAX_ARGS];
    LH_FAIL_IF(c->arg_count > AGG_MAX_ARGS, LH_E_UNSUPPORTED, eb,
               "aggregate with more than 64 arguments");
    for (int j = 0; j < c->arg_count; j++)
        args[j] = l->ev.vals[a->arg_at[k] + j];
    const lh_vec_t *f = c->filter ? l->ev.vals[a->filter_at[k]] : NULL;
    if (f == NULL && !c->distinct) {
        for (size_t i = 0; i < rows; i++)
            l->st[i] = state_of(a, l->base[i], k);
        return c->func->update(c->bind_data, l->st, args, rows, eb);
    }
    size_t n = 0;
    if (c->distinct) { /* (group, arguments) keys of the batch first, then probed */
        bool fast = false;
        LH_TRY(encode_flat(l, &l->ev.vals[a->arg_at[k]], c->arg_count, l->base, rows, &fast, eb));
        l->koff[0] = 0;
        for (size_t i = 0; i < rows && !fast; i++) {
            size_t len = 0;
            LH_TRY(distinct_key(a, l, k, c, l->base[i], i, &len, eb));
            LH_TRY(keys_append(l, i, l->key, len, eb));
        }
        keys_prefetch(&l->seen[k], l, rows);
    }
    for (size_t i = 0; i < rows; i++) {
        bool keep = f == NULL || (lh_vec_is_valid(f, i) && ((const uint8_t *)f->data)[i]);
        if (keep && c->distinct) {
            probe_prefetch(&l->seen[k], l, i, rows);
            LH_TRY(distinct_new(l, k, i, &keep, eb));
        }
        if (keep) {
            l->sel[n] = (uint32_t)i;
            l->st[n++] = state_of(a, l->base[i], k);
        }
    }
    for (int j = 0; j < c->arg_count; j++)
        LH_TRY(gather_arg(l, j, args, l->sel, n, eb));
    return n ? c->func->update(c->bind_data, l->st, args, n, eb) : LH_OK;
}

/* Rows [0, rows) of the flat vectors vs[0..nv) into l->keys / koff / khash column by
 * column, byte for byte what lh_vecops_encode writes value by value, each row's bytes
 * after prefix[i] (8 bytes, a group entry) when prefix is not NULL. *done false (nothing
 * written) unless every vector is flat without a selection. (Grouping keys holding a MAP are
 * canonicalized: the caller keeps them away.) */
static lh_err encode_flat(agg_local *l, const lh_vec_t *const *vs, int nv, void *const *prefix,
                          size_t rows, bool *done, lh_errbuf *eb)
{
    *done = false;
    for (int k = 0; k < nv; k++)
        if (vs[k]->kind != LH_VEC_FLAT || vs[k]->sel != NULL)
            return LH_OK;
    size_t total = 0, pre = prefix != NULL ? 8 : 0;
    for (size_t i = 0; i < rows; i++) {
        l->koff[i] = (uint32_t)total;
        total += pre;
        for (int k = 0; k < nv; k++) {
            const lh_vec_t *v = vs[k];
            if (!lh_vec_is_valid(v, i))
                total += 1;
            else if (lh_type_is_bytes(v->type))
                total += 5 + ((const lh_sv_t *)v->data)[i].len;
            else
                total += 1 + lh_type_width(v->type);
        }
    }
    LH_FAIL_IF(total > UINT32_MAX, LH_E_LIMIT, eb, "grouping keys of one batch over 4 GiB");
    l->koff[rows] = (uint32_t)total;
    if (total > l->keys_cap) {
        uint8_t *kb = realloc(l->keys, total * 2);
        LH_FAIL_IF(kb == NULL, LH_E_NOMEM, eb, "out of memory");
        l->keys = kb;
        l->keys_cap = total * 2;
    }
    for (size_t i = 0; prefix != NULL && i < rows; i++) {
        memcpy(l->keys + l->koff[i], &prefix[i], 8);
        l->koff[i] += 8;
    }
    for (int k = 0; k < nv; k++) {
        const lh_vec_t *v = vs[k];
        bool bytes = lh_type_is_bytes(v->type);
        size_t w = lh_type_width(v->type);
        for (size_t i = 0; i < rows; i++) {
            uint8_t *out = l->keys + l->koff[i]; /* koff[i] advances as columns are written */
            if (!lh_vec_is_valid(v, i)) {
                out[0] = 0;
                l->koff[i] += 1;
                continue;
            }
            out[0] = 1;
            if (bytes) {
                lh_sv_t sv = ((const lh_sv_t *)v->data)[i];
                memcpy(out + 1, &sv.len, 4);
                if (sv.len)
                    memcpy(out + 5, sv.ptr, sv.len);
                l->koff[i] += 5 + sv.len;
            } else if (v->type.id == LH_TYPE_DOUBLE) { /* one NaN, one zero (as lh_vecops_encode) */
                double d = ((const double *)v->data)[i];
                d = isnan(d) ? NAN : (d == 0.0 ? 0.0 : d);
                memcpy(out + 1, &d, 8);
                l->koff[i] += 9;
            } else if (v->type.id == LH_TYPE_FLOAT) {
                float f = ((const float *)v->data)[i];
                f = isnan(f) ? NAN : (f == 0.0f ? 0.0f : f);
                memcpy(out + 1, &f, 4);
                l->koff[i] += 5;
            } else {
                memcpy(out + 1, (const char *)v->data + i * w, w);
                l->koff[i] += 1 + w;
            }
        }
    }
    /* every koff[i] now points at row i + 1's start: shift back */
    for (size_t i = rows; i > 0; i--)
        l->koff[i] = l->koff[i - 1];
    l->koff[0] = 0;
    for (size_t i = 0; i < rows; i++)
        l->khash[i] = exec_ht_hash(l->keys + l->koff[i], l->koff[i + 1] - l->koff[i]);
    *done = true;
    return LH_OK;
}

/* The grouping keys of rows [0, rows) by encode_flat (no grouping sets or MAP keys). */
static lh_err encode_keys_flat(agg_op *a, agg_local *l, size_t rows, bool *done, lh_errbuf *eb)
{
    *done = false;
    if (a->sets != NULL || a->map_keys != 0 || a->key_count > 64)
        return LH_OK;
    return encode_flat(l, l->ev.vals, a->key_count, NULL, rows, done, eb);
}

/* One integer-like key (no grouping sets): rows find their group through a 256-entry
 * direct-mapped cache of (value -> group entry), so a key of few distinct values skips the
 * batch's encoding, hashing and probing; a miss encodes, hashes and probes that row alone.
 * Entries live in l->t's bump memory and stay put; the cache is cleared whenever l->t is
 * empty (new, or adopted by a merge). A worker whose first 16K rows hit less than 90% of
 * the time turns the cache off (a key of many values: the batched probes are faster). */
#define KC_TRIAL_ROWS 16384
static bool small_key(const agg_op *a, const agg_local *l)
{
    if (l->kc_off || a->key_count != 1 || a->sets != NULL || a->map_keys != 0)
        return false;
    const lh_vec_t *v = l->ev.vals[0];
    if (v->kind != LH_VEC_FLAT || v->sel != NULL)
        return false;
    switch (v->type.id) {
    case LH_TYPE_BOOLEAN:
    case LH_TYPE_BYTE:
    case LH_TYPE_SHORT:
    case LH_TYPE_INT:
    case LH_TYPE_LONG:
    case LH_TYPE_DATE:
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
        return true;
    default:
        return false;
    }
}

static lh_err small_key_groups(const lh_plan_t *p, agg_op *a, agg_local *l, size_t rows,
                               lh_errbuf *eb)
{
    const lh_vec_t *v = l->ev.vals[0];
    size_t w = lh_type_width(v->type);
    const uint8_t *data = v->data;
    if (l->t.n == 0)
        memset(l->kc_e, 0, sizeof l->kc_e);
    int64_t hits = 0;
    uint8_t key[1 + 8];
    for (size_t i = 0; i < rows; i++) {
        if (!lh_vec_is_valid(v, i)) { /* NULL: encoded as one 0 byte, never cached */
            key[0] = 0;
            LH_TRY(group_of(p, a, &l->t, key, 1, &l->base[i], eb));
            continue;
        }
        int64_t x = 0;
        memcpy(&x, data + i * w, w); /* the raw bytes: equal values, equal images */
        unsigned at = (unsigned)(((uint64_t)x * 0x9E3779B97F4A7C15ull) >> 56);
        if (l->kc_e[at] != NULL && l->kc_v[at] == x) {
            l->base[i] = l->kc_e[at];
            hits++;
            continue;
        }
        key[0] = 1;
        memcpy(key + 1, data + i * w, w);
        LH_TRY(group_of(p, a, &l->t, key, 1 + w, &l->base[i], eb));
        l->kc_v[at] = x;
        l->kc_e[at] = l->base[i];
    }
    if (l->kc_tries < KC_TRIAL_ROWS) {
        l->kc_tries += (int64_t)rows;
        l->kc_hits += hits;
        if (l->kc_tries >= KC_TRIAL_ROWS && l->kc_hits < l->kc_tries / 10 * 9)
            l->kc_off = true;
    }
    return LH_OK;
}

static lh_err agg_batch(const lh_plan_t *p, agg_op *a, agg_local *l, const lh_batch_t *in,
                        lh_errbuf *eb)
{
    LH_TRY(exec_eval_run(&l->ev, in, eb));
    LH_TRY(grow_rows(l, in->row_count, eb));
    int sets = a->sets ? a->set_count : 1;
    if (a->key_count == 0 && a->sets == NULL) { /* a global aggregate: one group, no lookups */
        void *g;
        LH_TRY(group_of(p, a, &l->t, (const uint8_t *)"", 0, &g, eb));
        for (size_t i = 0; i < in->row_count; i++)
            l->base[i] = g;
        for (int k = 0; k < a->agg_count; k++)
            LH_TRY(update_one(p, a, l, k, in->row_count, eb));
        return LH_OK;
    }
    if (small_key(a, l)) {
        LH_TRY(small_key_groups(p, a, l, in->row_count, eb));
        for (int k = 0; k < a->agg_count; k++)
            LH_TRY(update_one(p, a, l, k, in->row_count, eb));
        return LH_OK;
    }
    for (int s = 0; s < sets; s++) {
        bool fast = false;
        LH_TRY(encode_keys_flat(a, l, in->row_count, &fast, eb));
        l->koff[0] = 0;
        for (size_t i = 0; i < in->row_count && !fast; i++) {
            size_t len = 0;
            LH_TRY(encode_key(a, l, i, a->sets ? s : -1, &len, eb));
            LH_TRY(keys_append(l, i, l->key, len, eb));
        }
        keys_prefetch(&l->t.ht, l, in->row_count);
        for (size_t i = 0; i < in->row_count; i++) {
            probe_prefetch(&l->t.ht, l, i, in->row_count);
            LH_TRY(group_of_hashed(p, a, &l->t, l->keys + l->koff[i], l->koff[i + 1] - l->koff[i],
                                   l->khash[i], &l->base[i], eb));
        }
        for (int k = 0; k < a->agg_count; k++)
            LH_TRY(update_one(p, a, l, k, in->row_count, eb));
    }
    return LH_OK;
}

/* ---- spilling (Grace hash aggregation) ---------------------------------------------------
 *
 * Over half the memory limit (checked before each batch, with the batch's worst case), the
 * operator starts spilling: from then on every worker writes its input rows to one run per
 * partition of their key's hash instead of aggregating them (DISTINCT mode: the rows it
 * collected too). The groups already in memory stay there, frozen (their states cannot be
 * written out). result then takes the partitions one at a time: the partition's rows are
 * aggregated into a fresh table, whose groups are folded into the frozen ones with the same
 * key, and the partition's groups (frozen and new) are emitted. A partition too big for
 * what memory is left is split again by the next 5 bits of the hash (AGG_LEVELS levels);
 * only when a partition at the last level still cannot fit does the query fail with
 * UNABLE_TO_ACQUIRE_MEMORY. */

static void pw_close(pwriter *w)
{
    for (int p = 0; p < AGG_PARTS; p++)
        exec_run_close(w->runs[p]);
    lh_batch_destroy(w->scratch);
    free(w->sel);
    free(w->part);
    memset(w, 0, sizeof *w);
}

/* Route the rows of in (keys already evaluated into l->ev) to w's runs at level. */
static lh_err pw_write(exec_op *op, agg_local *l, pwriter *w, const lh_batch_t *in, int level,
                       lh_errbuf *eb)
{
    agg_op *a = op->data;
    size_t n = in->row_count, count[AGG_PARTS] = {0}, at[AGG_PARTS];
    if (n > w->cap) {
        free(w->sel);
        free(w->part);
        w->sel = malloc(n * sizeof *w->sel);
        w->part = malloc(n);
        w->cap = w->sel && w->part ? n : 0;
        LH_FAIL_IF(w->cap == 0, LH_E_NOMEM, eb, "out of memory");
    }
    if (w->scratch == NULL)
        w->scratch = lh_vecops_batch_like(in, LH_BATCH_ROWS);
    LH_FAIL_IF(w->scratch == NULL, LH_E_NOMEM, eb, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        LH_TRY(encode_key(a, l, i, -1, &len, eb));
        w->part[i] = (uint8_t)part_of(exec_ht_hash(l->key, len), level);
        count[w->part[i]]++;
    }
    for (size_t p = 0, o = 0; p < AGG_PARTS; o += count[p], p++)
        at[p] = o;
    for (size_t i = 0; i < n; i++)
        w->sel[at[w->part[i]]++] = (uint32_t)i;
    int64_t bytes = 0;
    lh_err e = LH_OK;
    for (size_t p = 0, o = 0; p < AGG_PARTS && e == LH_OK; o += count[p], p++) {
        if (count[p] == 0)
            continue;
        if (w->runs[p] == NULL)
            e = exec_run_create(op->q, in->col_count, a->raw->types, &w->runs[p], eb);
        if (e == LH_OK)
            e = lh_vecops_batch_gather(w->scratch, in, w->sel + o, count[p]) == LH_OK
                    ? exec_run_write(w->runs[p], w->scratch, &bytes, eb)
                    : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    }
    atomic_fetch_add(&op->q->spill_bytes, bytes);
    return e;
}

static lh_err spill_batch(exec_op *op, agg_local *l, const lh_batch_t *in, lh_errbuf *eb)
{
    LH_TRY(exec_eval_run(&l->ev, in, eb));
    return pw_write(op, l, &l->pw, in, 0, eb);
}

/* Worst-case bytes one batch adds to a table: an entry per row, and the index doubling. */
static int64_t batch_need(const agg_op *a, const table *t, size_t rows)
{
    int64_t need = (int64_t)(rows * (hdr_size(64) + a->states + 16));
    if ((t->ht.count + rows) * 2 > t->ht.cap)
        need += (int64_t)(t->ht.cap ? t->ht.cap * 2 : 1024) * 16;
    return need;
}

/* Whether to start spilling before taking a batch that may need `need` more bytes. */
static bool should_spill(exec_op *op, int64_t need)
{
    agg_op *a = op->data;
    int64_t limit = op->q->opts->memory_limit_bytes;
    return a->can_spill && limit > 0 && atomic_load(&op->q->mem) + need > limit / 2;
}

/* Move w's runs to the operator's partition lists (sealed). */
static lh_err pw_hand_over(exec_op *op, pwriter *w, lh_errbuf *eb)
{
    agg_op *a = op->data;
    lh_err e = LH_OK;
    pthread_mutex_lock(&a->mu);
    for (int p = 0; p < AGG_PARTS && e == LH_OK; p++) {
        if (w->runs[p] == NULL)
            continue;
        part_list *pl = &a->parts[p];
        if (pl->n == pl->cap) {
            size_t cap = pl->cap ? pl->cap * 2 : 8;
            exec_run **nr = realloc(pl->runs, cap * sizeof *nr);
            if (nr == NULL) {
                e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
                break;
            }
            pl->runs = nr;
            pl->cap = cap;
        }
        if ((e = exec_run_seal(w->runs[p], eb)) == LH_OK) {
            pl->runs[pl->n++] = w->runs[p];
            w->runs[p] = NULL;
        }
    }
    pthread_mutex_unlock(&a->mu);
    return e;
}

/* ---- DISTINCT mode on a pool: rows collected by partition ------------------------------ */

#define DPART_BITS 6
#define DPARTS     (1 << DPART_BITS)
#define DPART_NONE 0xff
/* A worker keeps its rows whole (in arrival order: a small input aggregates on one thread
 * in that order, as without a pool) until it has seen this many, then splits them. */
#define DPART_AFTER_ROWS 32768

/* tags[at..at+n) := src[0..n) (growing tags). */
static lh_err tags_put(uint8_t **tags, size_t *cap, size_t at, const uint8_t *src, size_t n,
                       lh_errbuf *eb)
{
    if (n == 0)
        return LH_OK;
    if (at + n > *cap) {
        size_t c = *cap ? *cap : 256;
        while (c < at + n)
            c *= 2;
        uint8_t *t = realloc(*tags, c);
        LH_FAIL_IF(t == NULL, LH_E_NOMEM, eb, "out of memory");
        *tags = t;
        *cap = c;
    }
    memcpy(*tags + at, src, n);
    return LH_OK;
}

/* Partition p's open batch out of l (its charge released): NULL when it has none. */
static lh_batch_t *dpart_take(exec_query *q, agg_local *l, unsigned p)
{
    lh_batch_t *b = l->popen[p];
    l->popen[p] = NULL;
    exec_mem_release(q, l->pbytes[p]);
    l->pbytes[p] = l->pstr[p] = 0;
    if (b != NULL && b->row_count == 0) {
        lh_batch_destroy(b);
        b = NULL;
    }
    return b;
}

/* Hand partition p's open batch to l->raw, tagged with p. */
static lh_err dpart_close(exec_query *q, agg_local *l, unsigned p, lh_errbuf *eb)
{
    lh_batch_t *b = dpart_take(q, l, p);
    if (b == NULL)
        return LH_OK;
    uint8_t tag = (uint8_t)p;
    lh_err e = tags_put(&l->raw_part, &l->raw_part_cap, l->raw->batch_count, &tag, 1, eb);
    if (e != LH_OK) {
        lh_batch_destroy(b);
        return e;
    }
    return exec_rows_take(l->raw, b, eb);
}

static lh_err dpart_flush(exec_query *q, agg_local *l, lh_errbuf *eb)
{
    for (unsigned p = 0; p < DPARTS; p++)
        LH_TRY(dpart_close(q, l, p, eb));
    return LH_OK;
}

/* Append rows idx[0..n) of in to partition p's open batch (made on demand, small at first:
 * there are DPARTS of them a worker) and charge what it grew by. */
static lh_err dpart_append(exec_query *q, agg_local *l, unsigned p, const lh_batch_t *in,
                           const uint32_t *idx, size_t n, lh_errbuf *eb)
{
    if (l->popen[p] == NULL) {
        l->popen[p] = exec_rows_batch(l->raw, 128);
        LH_FAIL_IF(l->popen[p] == NULL, LH_E_NOMEM, eb, "out of memory");
        lh_batch_reset(l->popen[p]);
    }
    lh_batch_t *b = l->popen[p];
    int64_t now = 64;
    for (int c = 0; c < b->col_count; c++) {
        lh_vec_t *v = b->cols[c];
        const lh_vec_t *src = in->cols[c];
        lh_err e = LH_OK;
        if (src->kind != LH_VEC_FLAT) { /* constants, dictionaries: row by row (copies) */
            for (size_t k = 0; k < n && e == LH_OK; k++)
                e = lh_vec_append_range(v, src, idx[k], 1);
        } else if ((e = lh_vecops_gather_append(v, src, idx, n)) == LH_OK &&
                   lh_type_is_bytes(v->type)) { /* gathered strings are borrowed: copy them */
            lh_sv_t *sv = v->data;
            for (size_t i = b->row_count; i < b->row_count + n && e == LH_OK; i++)
                if (sv[i].len > 0 && lh_vec_is_valid(v, i) &&
                    (sv[i].ptr = lh_vec_heap_copy(v, sv[i].ptr, sv[i].len)) == NULL)
                    e = LH_E_NOMEM;
        }
        LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
        now += (int64_t)(v->capacity * lh_vec_slot_width(v) + v->capacity / 8);
        if (lh_type_is_bytes(v->type))
            for (size_t i = b->row_count; i < b->row_count + n; i++)
                l->pstr[p] += ((const lh_sv_t *)v->data)[i].len;
    }
    b->row_count += n;
    now += l->pstr[p];
    LH_TRY(exec_mem_charge(q, now - l->pbytes[p], eb));
    l->pbytes[p] = now;
    return LH_OK;
}

/* Route in's rows to the open batches of their key's partition (a counting sort of the
 * batch by partition, then one gather per partition and column). */
static lh_err dpart_collect(exec_op *op, agg_local *l, const lh_batch_t *in, lh_errbuf *eb)
{
    agg_op *a = op->data;
    size_t n = in->row_count;
    LH_TRY(exec_eval_first(&l->ev, in, a->key_count, eb));
    LH_TRY(grow_rows(l, n, eb));
    bool fast = false;
    LH_TRY(encode_keys_flat(a, l, n, &fast, eb));
    for (size_t i = 0; i < n && !fast; i++) {
        size_t len = 0;
        LH_TRY(encode_key(a, l, i, -1, &len, eb));
        l->khash[i] = exec_ht_hash(l->key, len);
    }
    uint32_t at[DPARTS + 1] = {0}, fill[DPARTS];
    uint8_t *part = (uint8_t *)l->st; /* rows_cap pointers: room for n bytes */
    for (size_t i = 0; i < n; i++) {
        part[i] = (uint8_t)(l->khash[i] >> (64 - DPART_BITS));
        at[part[i] + 1]++;
    }
    for (unsigned p = 0; p < DPARTS; p++)
        at[p + 1] += at[p];
    memcpy(fill, at, sizeof fill);
    for (size_t i = 0; i < n; i++)
        l->sel[fill[part[i]]++] = (uint32_t)i;
    for (unsigned p = 0; p < DPARTS; p++) {
        const uint32_t *idx = l->sel + at[p];
        size_t left = at[p + 1] - at[p];
        while (left > 0) {
            size_t room = LH_BATCH_ROWS - (l->popen[p] ? l->popen[p]->row_count : 0);
            size_t take = room < left ? room : left;
            LH_TRY(dpart_append(op->q, l, p, in, idx, take, eb));
            idx += take;
            left -= take;
            if (l->popen[p]->row_count == LH_BATCH_ROWS)
                LH_TRY(dpart_close(op->q, l, p, eb));
        }
    }
    return LH_OK;
}

/* Split the whole (DPART_NONE) batches of raw (tags[b] per batch; not l->raw) into l's
 * partitions (its open batches and l->raw), dropping them from raw. */
static lh_err split_whole(exec_op *op, agg_local *l, exec_rows *raw, uint8_t *tags, lh_errbuf *eb)
{
    size_t kept = 0;
    lh_err e = LH_OK;
    for (size_t b = 0; b < raw->batch_count; b++) {
        lh_batch_t *batch = raw->batches[b];
        if (tags[b] != DPART_NONE || e != LH_OK) {
            tags[kept] = tags[b];
            raw->batches[kept++] = batch;
            continue;
        }
        e = dpart_collect(op, l, batch, eb);
        int64_t bytes = exec_batch_bytes(batch);
        raw->row_count -= (int64_t)batch->row_count;
        raw->bytes -= bytes;
        exec_mem_release(op->q, bytes);
        lh_batch_destroy(batch);
    }
    raw->batch_count = kept;
    return e;
}

/* dpart: collect in, whole while the worker has seen few rows, else split by partition
 * (the whole batches kept so far split first). */
static lh_err dpart_consume(exec_op *op, agg_local *l, const lh_batch_t *in, lh_errbuf *eb)
{
    if (!l->parted && l->raw->row_count + (int64_t)in->row_count <= DPART_AFTER_ROWS) {
        uint8_t tag = DPART_NONE;
        LH_TRY(tags_put(&l->raw_part, &l->raw_part_cap, l->raw->batch_count, &tag, 1, eb));
        return exec_rows_append(l->raw, in, NULL, 0, eb);
    }
    if (!l->parted) { /* the whole batches so far are split first */
        l->parted = true;
        exec_rows *whole = exec_rows_new(op->q, l->raw->col_count, l->raw->types);
        LH_FAIL_IF(whole == NULL, LH_E_NOMEM, eb, "out of memory");
        exec_rows_move(whole, l->raw);
        lh_err e = LH_OK;
        for (size_t b = 0; b < whole->batch_count && e == LH_OK; b++)
            e = dpart_collect(op, l, whole->batches[b], eb);
        exec_rows_free(whole);
        LH_TRY(e);
    }
    return dpart_collect(op, l, in, eb);
}

/* DISTINCT mode: write the rows collected so far to the partitions. */
static lh_err spill_raw(exec_op *op, agg_local *l, exec_rows *raw, lh_errbuf *eb)
{
    for (size_t b = 0; b < raw->batch_count; b++)
        LH_TRY(spill_batch(op, l, raw->batches[b], eb));
    for (size_t b = 0; b < raw->batch_count; b++)
        lh_batch_destroy(raw->batches[b]);
    if (raw->q != NULL)
        exec_mem_release(raw->q, raw->bytes);
    raw->batch_count = 0;
    raw->row_count = 0;
    raw->bytes = 0;
    return LH_OK;
}

static lh_err agg_consume(exec_op *op, void *local, const lh_batch_t *in, exec_thread *t,
                          lh_errbuf *eb)
{
    (void)t;
    agg_op *a = op->data;
    agg_local *l = local;
    int64_t need =
        a->distinct_mode ? exec_batch_bytes(in) * 2 : batch_need(a, &l->t, in->row_count);
    if (!atomic_load(&a->spilling) && should_spill(op, need))
        atomic_store(&a->spilling, true);
    if (atomic_load(&a->spilling)) {
        for (unsigned p = 0; p < DPARTS; p++) { /* open batches go straight to the runs */
            lh_batch_t *b = dpart_take(op->q, l, p);
            lh_err e = b != NULL ? spill_batch(op, l, b, eb) : LH_OK;
            lh_batch_destroy(b);
            LH_TRY(e);
        }
        if (l->raw->batch_count > 0)
            LH_TRY(spill_raw(op, l, l->raw, eb));
        return spill_batch(op, l, in, eb);
    }
    if (a->distinct_mode && a->dpart)
        return dpart_consume(op, l, in, eb);
    if (a->distinct_mode)
        return exec_rows_append(l->raw, in, NULL, 0, eb);
    return agg_batch(op->plan, a, l, in, eb);
}

/* Merge table src into dst (src left empty; its memory moves to dst). */
static lh_err merge(const lh_plan_t *p, agg_op *a, table *dst, table *src, lh_errbuf *eb)
{
    if (dst->n == 0 && dst->ht.cap == 0) { /* adopt src whole */
        exec_bump_move(&src->bump, &dst->bump);
        table t = *dst;
        *dst = *src;
        *src = t;
        return LH_OK;
    }
    for (size_t g = 0; g < src->n; g++) {
        void *e = src->groups[g];
        size_t len = EXEC_HT_KEY_LEN(e);
        uint64_t h = exec_ht_hash(EXEC_HT_KEY(e), len);
        void *d = exec_ht_find(&dst->ht, h, EXEC_HT_KEY(e), len);
        if (d == NULL) {
            LH_TRY(exec_ht_insert(&dst->ht, h, e, eb));
            LH_TRY(table_push(dst, e, eb));
            continue;
        }
        for (int k = 0; k < a->agg_count; k++) {
            const lh_agg_call_t *c = &p->u.aggregate.aggs[k];
            c->func->combine(c->bind_data, state_of(a, d, k), state_of(a, e, k));
            if (c->func->destroy)
                c->func->destroy(c->bind_data, state_of(a, e, k));
        }
    }
    src->n = 0;
    exec_bump_move(&dst->bump, &src->bump);
    exec_ht_free(&src->ht); /* its index is no longer needed */
    exec_ht_init(&src->ht, dst->ht.q);
    return LH_OK;
}

static lh_err agg_combine(exec_op *op, void *local, lh_errbuf *eb)
{
    agg_op *a = op->data;
    agg_local *l = local;
    LH_TRY(pw_hand_over(op, &l->pw, eb));
    if (a->distinct_mode) {
        LH_TRY(dpart_flush(op->q, l, eb));
        if (a->dpart)
            LH_TRY(tags_put(&a->raw_part, &a->raw_part_cap, a->raw->batch_count, l->raw_part,
                            l->raw->batch_count, eb));
        exec_rows_move(a->raw, l->raw);
        return LH_OK;
    }
    return merge(op->plan, a, &a->global, &l->t, eb);
}

/* A local for aggregating on the result thread (DISTINCT sets when needed). */
static agg_local *proc_local_new(exec_op *op)
{
    agg_op *a = op->data;
    agg_local *l = op->vt->local_new(op);
    if (l == NULL)
        return NULL;
    exec_bump_init(&l->seen_mem, op->q);
    if (a->distinct_mode) {
        l->seen = calloc((size_t)a->agg_count + 1, sizeof *l->seen);
        if (l->seen == NULL) {
            op->vt->local_free(op, l);
            return NULL;
        }
        for (int k = 0; k < a->agg_count; k++)
            exec_ht_init(&l->seen[k], op->q);
    }
    return l;
}

static void proc_local_free(exec_op *op, agg_local *l)
{
    agg_op *a = op->data;
    for (int k = 0; k < a->agg_count && l->seen; k++)
        exec_ht_free(&l->seen[k]);
    free(l->seen);
    l->seen = NULL;
    exec_bump_free(&l->seen_mem);
    op->vt->local_free(op, l);
}

/* DISTINCT mode in parallel (a->dpart): every row of a group is in one partition of the
 * key's hash, so partitions aggregate independently on the pool (their DISTINCT sets too)
 * and their groups are then adopted by the global table (no key is in two partitions). */
#define DISTINCT_PAR_MIN_ROWS 32768

typedef struct dpar {
    exec_op *op;
    agg_local **done; /* per partition */
    lh_err *err;
    lh_errbuf *ebs;
} dpar;

static void dpar_aggregate(void *arg, size_t part)
{
    dpar *d = arg;
    exec_op *op = d->op;
    agg_op *a = op->data;
    lh_errbuf *eb = &d->ebs[part];
    agg_local *l = proc_local_new(op);
    lh_err e = l ? LH_OK : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    for (size_t b = 0; b < a->raw->batch_count && e == LH_OK; b++)
        if (a->raw_part[b] == part && (e = exec_check(op->q, eb)) == LH_OK)
            e = agg_batch(op->plan, a, l, a->raw->batches[b], eb);
    if (e != LH_OK && l != NULL) {
        proc_local_free(op, l);
        l = NULL;
    }
    d->done[part] = l;
    d->err[part] = e;
}

static lh_err run_distinct_parallel(exec_op *op, lh_errbuf *eb)
{
    agg_op *a = op->data;
    exec_query *q = op->q;
    dpar d = {.op = op};
    d.done = calloc(DPARTS, sizeof *d.done);
    d.err = calloc(DPARTS, sizeof *d.err);
    d.ebs = calloc(DPARTS, sizeof *d.ebs);
    lh_err e = d.done && d.err && d.ebs
                   ? LH_OK
                   : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK) {
        lh_pool_parallel_for(q->opts->pool, DPARTS, dpar_aggregate, &d);
        for (size_t p = 0; p < DPARTS && e == LH_OK; p++)
            if ((e = d.err[p]) != LH_OK)
                *eb = d.ebs[p];
    }
    for (size_t p = 0; d.done != NULL && p < DPARTS; p++) {
        if (d.done[p] != NULL && e == LH_OK)
            e = merge(op->plan, a, &a->global, &d.done[p]->t, eb);
        if (d.done[p] != NULL)
            proc_local_free(op, d.done[p]);
    }
    free(d.done);
    free(d.err);
    free(d.ebs);
    return e;
}

/* DISTINCT mode: aggregate the collected rows (in parallel when it pays). */
static lh_err run_distinct(exec_op *op, lh_errbuf *eb)
{
    agg_op *a = op->data;
    if (a->dpart && a->raw->row_count >= DISTINCT_PAR_MIN_ROWS) {
        /* workers that saw few rows kept them whole: split those here */
        agg_local *l = op->vt->local_new(op);
        LH_FAIL_IF(l == NULL, LH_E_NOMEM, eb, "out of memory");
        lh_err e = split_whole(op, l, a->raw, a->raw_part, eb);
        if (e == LH_OK)
            e = dpart_flush(op->q, l, eb);
        if (e == LH_OK)
            e = tags_put(&a->raw_part, &a->raw_part_cap, a->raw->batch_count, l->raw_part,
                         l->raw->batch_count, eb);
        if (e == LH_OK)
            exec_rows_move(a->raw, l->raw);
        op->vt->local_free(op, l);
        LH_TRY(e);
        return run_distinct_parallel(op, eb);
    }
    agg_local *l = proc_local_new(op);
    LH_FAIL_IF(l == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = LH_OK;
    for (size_t b = 0; b < a->raw->batch_count && e == LH_OK; b++)
        if ((e = exec_check(op->q, eb)) == LH_OK)
            e = agg_batch(op->plan, a, l, a->raw->batches[b], eb);
    if (e == LH_OK)
        e = merge(op->plan, a, &a->global, &l->t, eb);
    proc_local_free(op, l);
    return e;
}

typedef lh_err (*agg_emit_fn)(void *ctx, lh_batch_t *b, lh_errbuf *eb); /* takes b */

/* Finalize groups g[0..n) into a new batch of the plan's columns, handed to out. */
static lh_err emit(exec_op *op, void **g, size_t n, agg_emit_fn out, void *ctx, lh_errbuf *eb)
{
    const lh_plan_t *p = op->plan;
    agg_op *a = op->data;
    lh_batch_t *b = lh_vecops_batch_new(p->col_count, p->col_types, n ? n : 1);
    LH_FAIL_IF(b == NULL, LH_E_NOMEM, eb, "out of memory");
    int64_t *gids = a->sets != NULL ? malloc((n ? n : 1) * sizeof *gids) : NULL;
    if (a->sets != NULL && gids == NULL) {
        lh_batch_destroy(b);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const uint8_t *k = EXEC_HT_KEY(g[i]);
        for (int c = 0; c < a->key_count; c++)
            k += lh_vecops_decode(k, b->cols[c]);
        if (gids != NULL)
            memcpy(&gids[i], k, 8);
        if (gids != NULL && p->col_count > a->key_count + a->agg_count)
            lh_vec_append_i64(b->cols[a->key_count + a->agg_count], gids[i]);
    }
    void **st = malloc((n ? n : 1) * sizeof *st);
    lh_err e = st ? LH_OK : LH_E_NOMEM;
    for (int k = 0; k < a->agg_count && e == LH_OK; k++) {
        const lh_agg_call_t *c = &p->u.aggregate.aggs[k];
        for (size_t i = 0; i < n; i++)
            st[i] = state_of(a, g[i], k);
        e = c->func->finalize(c->bind_data, st, n, b->cols[a->key_count + k], eb);
        if (e == LH_OK && gids != NULL && strcmp(c->func->name, LH_AGG_GROUPING_ID) == 0)
            memcpy(b->cols[a->key_count + k]->data, gids, n * sizeof *gids);
    }
    free(st);
    free(gids);
    b->row_count = n;
    if (e != LH_OK) {
        lh_batch_destroy(b);
        return e;
    }
    return out(ctx, b, eb);
}

static lh_err emit_groups(exec_op *op, void **g, size_t n, agg_emit_fn out, void *ctx,
                          lh_errbuf *eb)
{
    for (size_t from = 0; from < n; from += LH_BATCH_ROWS) {
        LH_TRY(exec_check(op->q, eb));
        LH_TRY(
            emit(op, g + from, n - from < LH_BATCH_ROWS ? n - from : LH_BATCH_ROWS, out, ctx, eb));
    }
    return LH_OK;
}

/* A list of frozen groups (pointers into the global table). */
typedef struct glist {
    void **g;
    size_t n;
} glist;

/* Split gl by the partition of each group's key at level into sub[AGG_PARTS] (one
 * allocation, sub[0].g; charged). */
static lh_err split_groups(exec_op *op, glist gl, int level, glist sub[AGG_PARTS], lh_errbuf *eb)
{
    int64_t bytes = (int64_t)((gl.n + 1) * sizeof(void *));
    LH_TRY(exec_mem_charge(op->q, bytes, eb));
    void **all = malloc((gl.n + 1) * sizeof *all);
    uint8_t *part = malloc(gl.n + 1);
    if (all == NULL || part == NULL) {
        free(all);
        free(part);
        exec_mem_release(op->q, bytes);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    size_t count[AGG_PARTS] = {0}, at[AGG_PARTS];
    for (size_t i = 0; i < gl.n; i++) {
        const void *e = gl.g[i];
        part[i] = (uint8_t)part_of(exec_ht_hash(EXEC_HT_KEY(e), EXEC_HT_KEY_LEN(e)), level);
        count[part[i]]++;
    }
    for (size_t p = 0, o = 0; p < AGG_PARTS; o += count[p], p++) {
        at[p] = o;
        sub[p] = (glist){all + o, count[p]};
    }
    for (size_t i = 0; i < gl.n; i++)
        all[at[part[i]]++] = gl.g[i];
    free(part);
    return LH_OK;
}

static void split_free(exec_op *op, glist sub[AGG_PARTS], size_t total)
{
    free(sub[0].g);
    exec_mem_release(op->q, (int64_t)((total + 1) * sizeof(void *)));
}

static lh_err do_partition(exec_op *op, exec_run **runs, size_t n, glist gl, int level,
                           agg_emit_fn out, void *ctx, lh_errbuf *eb);

/* Split runs (rows of one partition at level-1) into AGG_PARTS partitions at level, and
 * process each. */
static lh_err repartition(exec_op *op, exec_run **runs, size_t n, glist gl, int level,
                          agg_emit_fn out, void *ctx, lh_errbuf *eb)
{
    agg_local *l = op->vt->local_new(op);
    LH_FAIL_IF(l == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = LH_OK;
    for (size_t r = 0; r < n && e == LH_OK; r++) {
        const lh_batch_t *b = NULL;
        e = exec_run_rewind(runs[r], eb);
        while (e == LH_OK && (e = exec_run_next(runs[r], &b, eb)) == LH_OK && b != NULL)
            if ((e = exec_check(op->q, eb)) == LH_OK && (e = exec_eval_run(&l->ev, b, eb)) == LH_OK)
                e = pw_write(op, l, &l->pw, b, level, eb);
        if (exec_run_seal(runs[r], eb) != LH_OK && e == LH_OK)
            e = LH_E_IO;
    }
    for (int p = 0; p < AGG_PARTS && e == LH_OK; p++)
        if (l->pw.runs[p] != NULL)
            e = exec_run_seal(l->pw.runs[p], eb);
    glist sub[AGG_PARTS];
    if (e == LH_OK)
        e = split_groups(op, gl, level, sub, eb);
    if (e != LH_OK) {
        op->vt->local_free(op, l);
        return e;
    }
    for (int p = 0; p < AGG_PARTS && e == LH_OK; p++) {
        exec_run *one[1] = {l->pw.runs[p]};
        e = do_partition(op, one, one[0] ? 1 : 0, sub[p], level, out, ctx, eb);
        exec_run_close(l->pw.runs[p]); /* its disk space back as soon as it is done */
        l->pw.runs[p] = NULL;
    }
    split_free(op, sub, gl.n);
    op->vt->local_free(op, l);
    return e;
}

/* Fold the new groups of t into the frozen groups with the same key; the rest of t's
 * groups go to *fresh (t->groups reordered in place: fresh ones first, count returned). */
static size_t fold_into_frozen(exec_op *op, table *t)
{
    agg_op *a = op->data;
    const lh_plan_t *p = op->plan;
    size_t fresh = 0;
    for (size_t g = 0; g < t->n; g++) {
        void *e = t->groups[g];
        size_t len = EXEC_HT_KEY_LEN(e);
        void *d = a->global.n ? exec_ht_find(&a->global.ht, exec_ht_hash(EXEC_HT_KEY(e), len),
                                             EXEC_HT_KEY(e), len)
                              : NULL;
        if (d == NULL) {
            t->groups[g] = t->groups[fresh];
            t->groups[fresh++] = e;
            continue;
        }
        for (int k = 0; k < a->agg_count; k++) {
            const lh_agg_call_t *c = &p->u.aggregate.aggs[k];
            c->func->combine(c->bind_data, state_of(a, d, k), state_of(a, e, k));
            if (c->func->destroy) { /* left initialized, so freeing t stays safe */
                c->func->destroy(c->bind_data, state_of(a, e, k));
                c->func->init(c->bind_data, state_of(a, e, k));
            }
        }
    }
    return fresh;
}

/* Aggregate the rows of runs (one partition) with the frozen groups gl of the same
 * partition, and emit them; split further when they cannot fit. */
static lh_err do_partition(exec_op *op, exec_run **runs, size_t n, glist gl, int level,
                           agg_emit_fn out, void *ctx, lh_errbuf *eb)
{
    agg_op *a = op->data;
    int64_t rows = 0, limit = op->q->opts->memory_limit_bytes;
    for (size_t r = 0; r < n; r++)
        rows += exec_run_rows(runs[r]);
    int64_t per_row = (int64_t)(hdr_size(32) + a->states + 32) + (a->distinct_mode ? 64 : 0);
    bool too_big = limit > 0 && rows * per_row > limit - atomic_load(&op->q->mem);
    if (too_big && level + 1 < AGG_LEVELS && rows > LH_BATCH_ROWS)
        return repartition(op, runs, n, gl, level + 1, out, ctx, eb);
    agg_local *l = proc_local_new(op);
    LH_FAIL_IF(l == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = LH_OK;
    for (size_t r = 0; r < n && e == LH_OK; r++) {
        const lh_batch_t *b = NULL;
        e = exec_run_rewind(runs[r], eb);
        while (e == LH_OK && (e = exec_run_next(runs[r], &b, eb)) == LH_OK && b != NULL)
            if ((e = exec_check(op->q, eb)) == LH_OK)
                e = agg_batch(op->plan, a, l, b, eb);
        if (exec_run_seal(runs[r], eb) != LH_OK && e == LH_OK)
            e = LH_E_IO;
    }
    if (e == LH_E_LIMIT && level + 1 < AGG_LEVELS) { /* did not fit after all: split */
        proc_local_free(op, l);
        return repartition(op, runs, n, gl, level + 1, out, ctx, eb);
    }
    if (e == LH_OK) {
        size_t fresh = fold_into_frozen(op, &l->t);
        e = emit_groups(op, l->t.groups, fresh, out, ctx, eb);
    }
    if (e == LH_OK)
        e = emit_groups(op, gl.g, gl.n, out, ctx, eb);
    proc_local_free(op, l);
    return e;
}

/* After spilling: every partition in turn. */
static lh_err emit_spilled(exec_op *op, agg_emit_fn out, void *ctx, lh_errbuf *eb)
{
    agg_op *a = op->data;
    if (a->raw->batch_count > 0) { /* DISTINCT rows still in memory join the partitions */
        agg_local *l = op->vt->local_new(op);
        LH_FAIL_IF(l == NULL, LH_E_NOMEM, eb, "out of memory");
        lh_err e = spill_raw(op, l, a->raw, eb);
        if (e == LH_OK)
            e = pw_hand_over(op, &l->pw, eb);
        op->vt->local_free(op, l);
        LH_TRY(e);
    }
    glist sub[AGG_PARTS];
    LH_TRY(split_groups(op, (glist){a->global.groups, a->global.n}, 0, sub, eb));
    lh_err e = LH_OK;
    for (int p = 0; p < AGG_PARTS && e == LH_OK; p++) {
        part_list *pl = &a->parts[p];
        e = do_partition(op, pl->runs, pl->n, sub[p], 0, out, ctx, eb);
        for (size_t r = 0; r < pl->n; r++)
            exec_run_close(pl->runs[r]);
        pl->n = 0;
    }
    split_free(op, sub, a->global.n);
    return e;
}

/* Whether the sink spilled (its pipeline executed). */
bool exec_agg_spilled(exec_op *op)
{
    return atomic_load(&((agg_op *)op->data)->spilling);
}

/* Every group of the finished sink, batch by batch, to out. */
static lh_err emit_all(exec_op *op, agg_emit_fn out, void *ctx, lh_errbuf *eb)
{
    agg_op *a = op->data;
    const lh_plan_t *p = op->plan;
    if (atomic_load(&a->spilling))
        return emit_spilled(op, out, ctx, eb);
    if (a->distinct_mode)
        LH_TRY(run_distinct(op, eb));
    if (a->global.n == 0 && a->key_count == 0 && a->sets == NULL) {
        void *e;
        LH_TRY(group_of(p, a, &a->global, (const uint8_t *)"", 0, &e, eb));
    }
    return emit_groups(op, a->global.groups, a->global.n, out, ctx, eb);
}

static lh_err emit_rows(void *ctx, lh_batch_t *b, lh_errbuf *eb)
{
    return exec_rows_take(ctx, b, eb);
}

static lh_err agg_result(exec_op *op, exec_rows **out, lh_errbuf *eb)
{
    exec_rows *r = exec_rows_new(op->q, op->plan->col_count, op->plan->col_types);
    lh_err e = emit_all(op, emit_rows, r, eb);
    if (e != LH_OK) {
        exec_rows_free(r);
        return e;
    }
    *out = r;
    return LH_OK;
}

/* ---- a finished aggregate as a source (spilled groups stream) -------------------------- */

typedef struct push_ctx {
    exec_thread *t;
    int stage;
} push_ctx;

static lh_err emit_push(void *ctx, lh_batch_t *b, lh_errbuf *eb)
{
    push_ctx *c = ctx;
    lh_err e = exec_push(c->t, c->stage, b, eb);
    lh_batch_destroy(b);
    return e;
}

static size_t grouped_morsels(exec_op *op)
{
    (void)op;
    return 1;
}

static lh_err grouped_produce(exec_op *op, void *local, size_t m, exec_thread *t, lh_errbuf *eb)
{
    (void)local;
    (void)m;
    push_ctx c = {t, op->stage};
    return emit_all(op->data, emit_push, &c, eb);
}

static void grouped_free(exec_op *op)
{
    exec_op_free(op->data);
}

static const exec_op_vt grouped_vt = {
    .name = "grouped",
    .morsels = grouped_morsels,
    .produce = grouped_produce,
    .free = grouped_free,
};

exec_op *exec_agg_source_new(exec_query *q, exec_op *agg)
{
    return exec_op_new(q, &grouped_vt, agg->plan, agg);
}

static void *agg_local_new(exec_op *op)
{
    agg_op *a = op->data;
    agg_local *l = calloc(1, sizeof *l);
    lh_errbuf eb;
    if (l == NULL)
        return NULL;
    table_init(&l->t, op->q);
    l->raw =
        exec_rows_new(op->q, op->plan->children[0]->col_count, op->plan->children[0]->col_types);
    if (exec_eval_init(&l->ev, op->q, a->exprs, a->expr_count, a->node_count, &eb) != LH_OK) {
        op->vt->local_free(op, l);
        return NULL;
    }
    return l;
}

static void agg_local_free(exec_op *op, void *local)
{
    agg_local *l = local;
    table_free(op->plan, op->data, &l->t);
    exec_eval_free(&l->ev);
    exec_rows_free(l->raw);
    free(l->raw_part);
    for (unsigned p = 0; p < DPARTS; p++)
        lh_batch_destroy(dpart_take(op->q, l, p));
    pw_close(&l->pw);
    for (int j = 0; j < AGG_MAX_ARGS; j++)
        lh_vec_destroy(l->gathered[j]);
    free(l->key);
    free(l->keys);
    free(l->koff);
    free(l->khash);
    free(l->base);
    free(l->st);
    free(l->sel);
    free(l);
}

static void agg_free(exec_op *op)
{
    agg_op *a = op->data;
    table_free(op->plan, a, &a->global);
    exec_rows_free(a->raw);
    free(a->raw_part);
    for (int p = 0; p < AGG_PARTS; p++) {
        for (size_t r = 0; r < a->parts[p].n; r++)
            exec_run_close(a->parts[p].runs[r]);
        free(a->parts[p].runs);
    }
    pthread_mutex_destroy(&a->mu);
    free(a->off);
    free(a->dup);
    free(a->exprs);
    free(a->arg_at);
    free(a->filter_at);
    free(a);
}

static const exec_op_vt agg_vt = {
    .name = "hash_agg",
    .consume = agg_consume,
    .combine = agg_combine,
    .result = agg_result,
    .local_new = agg_local_new,
    .local_free = agg_local_free,
    .free = agg_free,
};

/* Lay out states and list every expression (keys, args, filters) for one evaluator. */
static lh_err layout(exec_query *q, agg_op *a, const lh_plan_t *p, lh_errbuf *eb)
{
    int n = a->key_count;
    for (int k = 0; k < a->agg_count; k++)
        n += p->u.aggregate.aggs[k].arg_count + 1;
    a->exprs = calloc((size_t)n + 1, sizeof *a->exprs);
    a->off = calloc((size_t)a->agg_count + 1, sizeof *a->off);
    a->arg_at = calloc((size_t)a->agg_count + 1, sizeof *a->arg_at);
    a->filter_at = calloc((size_t)a->agg_count + 1, sizeof *a->filter_at);
    LH_FAIL_IF(!a->exprs || !a->off || !a->arg_at || !a->filter_at, LH_E_NOMEM, eb,
               "out of memory");
    int e = 0;
    for (int k = 0; k < a->key_count; k++) {
        a->exprs[e++] = p->u.aggregate.keys[k];
        if (k < 64 && lh_vecops_has_map(p->u.aggregate.keys[k]->type))
            a->map_keys |= (uint64_t)1 << k;
    }
    for (int k = 0; k < a->agg_count; k++) {
        const lh_agg_call_t *c = &p->u.aggregate.aggs[k];
        a->arg_at[k] = e;
        for (int j = 0; j < c->arg_count; j++)
            a->exprs[e++] = c->args[j];
        a->filter_at[k] = e;
        a->exprs[e++] = c->filter; /* NULL: skipped by the evaluator */
        a->off[k] = a->states;
        a->states += (c->func->state_size(c->bind_data) + 15) & ~(size_t)15;
        a->distinct_mode |= c->distinct;
    }
    a->expr_count = e;
    a->node_count = exec_number(q, a->exprs, e);
    return LH_OK;
}

lh_err exec_agg_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb)
{
    agg_op *a = calloc(1, sizeof *a);
    LH_FAIL_IF(a == NULL, LH_E_NOMEM, eb, "out of memory");
    exec_op *op = exec_op_new(q, &agg_vt, p, a);
    a->key_count = p->u.aggregate.key_count;
    a->agg_count = p->u.aggregate.agg_count;
    a->set_count = p->u.aggregate.set_count;
    a->sets = p->u.aggregate.sets;
    a->full_set = a->key_count >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << a->key_count) - 1);
    table_init(&a->global, q);
    pthread_mutex_init(&a->mu, NULL);
    a->can_spill = a->key_count > 0 && a->sets == NULL;
    a->raw = exec_rows_new(q, p->children[0]->col_count, p->children[0]->col_types);
    if (a->sets != NULL) {
        a->dup = calloc((size_t)a->set_count + 1, sizeof *a->dup);
        for (int s = 0; a->dup != NULL && s < a->set_count; s++)
            for (int t = 0; t < s; t++)
                a->dup[s] += a->sets[t] == a->sets[s];
    }
    lh_err e = a->sets != NULL && a->dup == NULL
                   ? lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory")
               : a->key_count > 63 ? lh_err_set(eb, LH_E_UNSUPPORTED, __FILE__, __LINE__,
                                                "more than 63 grouping keys")
                                   : layout(q, a, p, eb);
    if (e != LH_OK) {
        exec_op_free(op);
        return e;
    }
    a->dpart = a->distinct_mode && a->key_count > 0 && a->sets == NULL && q->opts->pool != NULL &&
               q->threads > 1;
    *out = op;
    return LH_OK;
}
