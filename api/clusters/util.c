/*
 * util.c - clusters area helpers: state names and the transition table, Databricks-style ids, the
 * cluster hash map (fixed buckets, chained; guarded by lh_clusters_t.lock), spec accessors.
 *
 * Id forms (as Databricks prints them):
 *   cluster        MMDD-HHMMSS-xxxxxxxx   (UTC creation time, 8 chars [a-z0-9])
 *   policy         16 upper-case hex digits
 *   instance pool  MMDD-HHMMSS-xxxxxx-pool-xxxxxxxx
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/clusters/clusters_internal.h"
#include "common/util.h"

static const char *const state_names[CL_STATE_COUNT] = {
    "PENDING", "RUNNING", "RESTARTING", "RESIZING", "TERMINATING", "TERMINATED", "ERROR",
};

const char *cl_state_name(cl_state s)
{
    LH_ASSERT(s >= 0 && s < CL_STATE_COUNT);
    return state_names[s];
}

bool cl_state_parse(const char *s, cl_state *out)
{
    for (int i = 0; i < CL_STATE_COUNT; i++) {
        if (strcmp(s, state_names[i]) == 0) {
            *out = (cl_state)i;
            return true;
        }
    }
    return false;
}

/*
 * Legal state transitions, as the handlers and the lifecycle jobs make them:
 *
 *   TERMINATED, ERROR --start--> PENDING --job--> RUNNING --restart/edit--> RESTARTING
 *                                   |  (pool full)    |  --resize--> RESIZING
 *                                   +--> TERMINATED   |  RESTARTING, RESIZING --job--> RUNNING
 *                                   |  (no workers: threads or the instance pool failed)
 *                                   +--> ERROR
 *   any but TERMINATED/TERMINATING --delete/reaper--> TERMINATING --job--> TERMINATED
 *
 * Start-up recovery adds RUNNING, PENDING, RESIZING, RESTARTING -> PENDING (brought back
 * by a fresh start) and TERMINATING -> TERMINATED. A new cluster starts PENDING and a
 * loaded one takes its stored state: those are initializations, not transitions.
 */
#define T(s) (1u << (s))
static const unsigned legal_to[CL_STATE_COUNT] = {
    [CL_PENDING] = T(CL_RUNNING) | T(CL_TERMINATED) | T(CL_TERMINATING) | T(CL_ERROR),
    [CL_RUNNING] = T(CL_RESTARTING) | T(CL_RESIZING) | T(CL_TERMINATING),
    [CL_RESTARTING] = T(CL_RUNNING) | T(CL_TERMINATING),
    [CL_RESIZING] = T(CL_RUNNING) | T(CL_TERMINATING),
    [CL_TERMINATING] = T(CL_TERMINATED),
    [CL_TERMINATED] = T(CL_PENDING),
    [CL_ERROR] = T(CL_PENDING) | T(CL_TERMINATING),
};
/* recovery: an active cluster restarts (PENDING), or, a job cluster, ends (TERMINATED) */
static const unsigned recovery_to[CL_STATE_COUNT] = {
    [CL_PENDING] = T(CL_PENDING) | T(CL_TERMINATED),
    [CL_RUNNING] = T(CL_PENDING) | T(CL_TERMINATED),
    [CL_RESTARTING] = T(CL_PENDING) | T(CL_TERMINATED),
    [CL_RESIZING] = T(CL_PENDING) | T(CL_TERMINATED),
    [CL_TERMINATING] = T(CL_TERMINATED),
};
#undef T

bool cl_transition_ok(cl_state from, cl_state to, bool recovery)
{
    LH_ASSERT(from >= 0 && from < CL_STATE_COUNT && to >= 0 && to < CL_STATE_COUNT);
    return ((recovery ? recovery_to : legal_to)[from] >> to) & 1u;
}

static void set_state(cl_cluster *cl, cl_state to, bool recovery)
{
    if (!cl_transition_ok(cl->state, to, recovery)) {
        lh_log(LH_LOG_ERROR, "cluster %s: illegal transition %s -> %s", cl->id,
               cl_state_name(cl->state), cl_state_name(to));
        LH_ASSERT(!"illegal cluster state transition");
    }
    cl->state = to;
}

void cl_set_state(cl_cluster *cl, cl_state to)
{
    set_state(cl, to, false);
}

void cl_set_state_recovery(cl_cluster *cl, cl_state to)
{
    set_state(cl, to, true);
}

static void time_prefix(char *out, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, size, "%m%d-%H%M%S", &tm);
}

static void random_alnum(char *out, int n)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char bytes[32];
    LH_ASSERT(n <= (int)sizeof bytes);
    lh_random_bytes(bytes, (size_t)n);
    for (int i = 0; i < n; i++)
        out[i] = alphabet[bytes[i] % 36];
    out[n] = '\0';
}

void cl_make_cluster_id(char out[CL_ID_MAX])
{
    char prefix[16], tail[9];
    time_prefix(prefix, sizeof prefix);
    random_alnum(tail, 8);
    snprintf(out, CL_ID_MAX, "%s-%s", prefix, tail);
}

void cl_make_policy_id(char out[CL_ID_MAX])
{
    lh_random_hex(out, 8);
    for (char *p = out; *p; p++)
        *p = (char)toupper((unsigned char)*p);
}

void cl_make_ipool_id(char out[CL_ID_MAX])
{
    char prefix[16], a[7], b[9];
    time_prefix(prefix, sizeof prefix);
    random_alnum(a, 6);
    random_alnum(b, 8);
    snprintf(out, CL_ID_MAX, "%s-%s-pool-%s", prefix, a, b);
}

bool cl_is_cluster_id(const char *s)
{
    static const char shape[] = "dddd-dddddd-aaaaaaaa";
    if (strlen(s) != sizeof shape - 1)
        return false;
    for (size_t i = 0; shape[i]; i++) {
        unsigned char ch = (unsigned char)s[i];
        bool ok = shape[i] == 'd'   ? isdigit(ch)
                  : shape[i] == 'a' ? (islower(ch) || isdigit(ch))
                                    : ch == (unsigned char)shape[i];
        if (!ok)
            return false;
    }
    return true;
}

static unsigned bucket_of(const char *id)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % CL_BUCKETS;
}

cl_cluster *cl_find_any(lh_clusters_t *c, const char *id)
{
    if (id == NULL)
        return NULL;
    for (cl_cluster *cl = c->buckets[bucket_of(id)]; cl != NULL; cl = cl->hnext) {
        if (strcmp(cl->id, id) == 0)
            return cl;
    }
    return NULL;
}

cl_cluster *cl_find(lh_clusters_t *c, const char *id)
{
    cl_cluster *cl = cl_find_any(c, id);
    return cl != NULL && !cl->is_deleted ? cl : NULL;
}

void cl_insert(lh_clusters_t *c, cl_cluster *cl)
{
    unsigned b = bucket_of(cl->id);
    cl->hnext = c->buckets[b];
    c->buckets[b] = cl;
    c->cluster_count++;
}

void cl_remove(lh_clusters_t *c, cl_cluster *cl)
{
    for (cl_cluster **pp = &c->buckets[bucket_of(cl->id)]; *pp != NULL; pp = &(*pp)->hnext) {
        if (*pp == cl) {
            *pp = cl->hnext;
            c->cluster_count--;
            return;
        }
    }
}

void cl_cluster_free(cl_cluster *cl)
{
    if (cl == NULL)
        return;
    LH_ASSERT(cl->pool == NULL);
    json_decref(cl->spec);
    json_decref(cl->termination_reason);
    free(cl->state_message);
    free(cl->creator);
    free(cl->cached_json);
    free(cl);
}

void cl_log(const cl_cluster *cl, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const char *name = json_string_value(json_object_get(cl->spec, "cluster_name"));
    lh_log(LH_LOG_INFO, "cluster %s (%s) %s", cl->id, name ? name : "", what);
}

void cl_set_message(cl_cluster *cl, const char *msg)
{
    char *m = strdup(msg ? msg : ""); /* NULL (out of memory): the message renders as "" */
    free(cl->state_message);
    cl->state_message = m;
}

cl_policy *cl_policy_find(lh_clusters_t *c, const char *id)
{
    for (cl_policy *p = c->policies; p != NULL && id != NULL; p = p->next) {
        if (strcmp(p->id, id) == 0)
            return p;
    }
    return NULL;
}

cl_ipool *cl_ipool_find(lh_clusters_t *c, const char *id)
{
    for (cl_ipool *ip = c->ipools; ip != NULL && id != NULL; ip = ip->next) {
        if (strcmp(ip->id, id) == 0)
            return ip;
    }
    return NULL;
}

int64_t cl_spec_int(const json_t *spec, const char *key, int64_t dflt)
{
    json_t *v = json_object_get(spec, key);
    return json_is_integer(v) ? json_integer_value(v) : dflt;
}

int64_t cl_spec_workers(const json_t *spec)
{
    json_t *as = json_object_get(spec, "autoscale");
    if (json_is_object(as))
        return cl_spec_int(as, "min_workers", 0);
    return cl_spec_int(spec, "num_workers", 0);
}

int cl_spec_threads(const json_t *spec)
{
    json_t *as = json_object_get(spec, "autoscale");
    int64_t want = json_is_object(as) ? cl_spec_int(as, "max_workers", 1)
                                      : cl_spec_int(spec, "num_workers", 0);
    int cores = lh_cpu_count();
    if (want < 1)
        want = 1; /* single node: the driver still computes */
    return want > cores ? cores : (int)want;
}
