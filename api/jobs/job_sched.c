/*
 * job_sched.c - the jobs scheduler: cron schedules, periodic triggers and file-arrival
 * triggers start runs (lh_jobs_start_run) at their times.
 *
 * Design: one serial executor ("jobs-scheduler", 1 thread) owns everything below; nothing
 * else touches it, so there is no lock. A min-heap holds each planned job's next due time
 * (a cron tick, a periodic tick or a file-arrival poll) and ONE one-shot bg timer is armed
 * at the heap's earliest entry. Route handlers ask for a re-plan (jd_sched_replan) by
 * posting a task that re-reads the job; a stale heap entry is recognised by its plan
 * generation and dropped when it surfaces.
 *
 * Exactly-once ticks: before a run is started, the tick is written to jobs.last_fired_ms in
 * one transaction for every job due at that moment (a batch: 1,000 jobs due in the same
 * second cost one commit), guarded by "last_fired_ms < tick", so a tick is never fired
 * twice, also across restarts. Missed ticks are not replayed: a plan starts after
 * max(now, last fired tick); a due tick fires even when late (once), and the ticks a stall
 * left more than LATE_SKIP_MS overdue are skipped (counted).
 *
 * File arrival: the folder is listed every max(1 s, min_time_between_triggers_seconds);
 * a name not seen before makes the trigger pending; it fires once no new name appeared for
 * wait_after_last_change_seconds and min_time_between_triggers_seconds passed since the
 * last fire. What was seen is persisted (jobs.file_state) before the run starts; the first
 * listing of a new trigger is only a baseline (files already there do not fire).
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/jobs/cron.h"
#include "api/jobs/job_defs_internal.h"
#include "common/bg.h"
#include "common/hashmap.h"
#include "common/json.h"
#include "common/util.h"
#include "storage/meta/meta.h"

#define LATE_SKIP_MS   1000 /* a next tick overdue by more than this is skipped */
#define POLL_MS        1000
#define FILES_MAX      10000
#define QUEUE_MAX      8192
#define FIRE_BATCH_MAX 4096

static const int64_t LATE_BUCKETS[] = {5, 10, 25, 50, 100, 200, 300, 500, 750, 1000, 2000, 5000};
#define N_BUCKETS (sizeof LATE_BUCKETS / sizeof LATE_BUCKETS[0])

enum { PLAN_CRON = 1, PLAN_PERIODIC, PLAN_FILE };

typedef struct plan {
    int64_t job_id;
    uint64_t gen;
    int kind;
    char *user; /* run as */
    lh_cron_t *cron;
    char *tz;
    int64_t period_ms, anchor_ms;
    /* file arrival */
    char *dir;
    int64_t min_between_ms, wait_ms, poll_ms;
    json_t *seen; /* {name: 1}; NULL until the baseline is taken */
    int64_t last_fire_ms, last_change_ms;
    size_t pending; /* new names seen at the last poll (0 = nothing pending) */
    bool logged;    /* a failed start was logged once */
} plan;

typedef struct entry {
    int64_t due;
    int64_t job_id;
    uint64_t gen;
} entry;

struct jd_sched {
    lh_jobs_t *j;
    lh_bg_executor_t *ex;
    lh_bg_timer_t *timer;
    int64_t timer_due;
    lh_hashmap_t *plans; /* job_id -> plan* */
    entry *heap;
    size_t heap_n, heap_cap;
    uint64_t gen;
    atomic_bool stopping;
    /* metrics */
    atomic_llong scheduled, fires, file_fires, start_errors, skipped, late_max, late_sum;
    atomic_llong late_bucket[N_BUCKETS + 1];
};

/* ---- heap ---- */

static bool heap_push(jd_sched_t *s, entry e)
{
    if (s->heap_n == s->heap_cap) {
        size_t cap = s->heap_cap ? 2 * s->heap_cap : 64;
        entry *h = realloc(s->heap, cap * sizeof *h);
        if (h == NULL)
            return false;
        s->heap = h;
        s->heap_cap = cap;
    }
    size_t i = s->heap_n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (s->heap[p].due <= e.due)
            break;
        s->heap[i] = s->heap[p];
        i = p;
    }
    s->heap[i] = e;
    return true;
}

static entry heap_pop(jd_sched_t *s)
{
    entry top = s->heap[0];
    entry last = s->heap[--s->heap_n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= s->heap_n)
            break;
        if (c + 1 < s->heap_n && s->heap[c + 1].due < s->heap[c].due)
            c++;
        if (last.due <= s->heap[c].due)
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (s->heap_n > 0)
        s->heap[i] = last;
    return top;
}

/* Re-plans leave their old entries behind until they surface; when they outnumber the
 * live ones, drop them all and rebuild the heap (O(n)). */
static void sift_down(entry *h, size_t n, size_t i)
{
    entry e = h[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && h[c + 1].due < h[c].due)
            c++;
        if (e.due <= h[c].due)
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = e;
}

static void heap_compact(jd_sched_t *s)
{
    size_t live = lh_hashmap_count(s->plans);
    if (s->heap_n < 2 * live + 64)
        return;
    size_t n = 0;
    for (size_t i = 0; i < s->heap_n; i++) {
        const plan *p = lh_hashmap_get(s->plans, LH_HKEY_INT(s->heap[i].job_id));
        if (p != NULL && p->gen == s->heap[i].gen)
            s->heap[n++] = s->heap[i];
    }
    s->heap_n = n;
    for (size_t i = n / 2; i-- > 0;)
        sift_down(s->heap, n, i);
}

/* ---- plans ---- */

static void plan_free(plan *p)
{
    if (p == NULL)
        return;
    free(p->user);
    lh_cron_destroy(p->cron);
    free(p->tz);
    free(p->dir);
    json_decref(p->seen);
    free(p);
}

static void plan_drop(jd_sched_t *s, int64_t job_id)
{
    void *k, *v;
    if (lh_hashmap_take(s->plans, LH_HKEY_INT(job_id), &k, &v)) {
        plan_free(v);
        atomic_fetch_sub(&s->scheduled, 1);
    }
}

static void sched_tick(void *arg);

/* Arm the one timer at the heap's earliest entry. */
static void arm(jd_sched_t *s)
{
    /* drop stale entries at the top so the timer is not armed for nothing */
    while (s->heap_n > 0) {
        plan *p = lh_hashmap_get(s->plans, LH_HKEY_INT(s->heap[0].job_id));
        if (p != NULL && p->gen == s->heap[0].gen)
            break;
        heap_pop(s);
    }
    if (s->heap_n == 0 || atomic_load(&s->stopping)) {
        if (s->timer != NULL) {
            lh_bg_timer_cancel(s->timer);
            s->timer = NULL;
        }
        return;
    }
    int64_t due = s->heap[0].due;
    if (s->timer != NULL && s->timer_due == due)
        return;
    if (s->timer != NULL) {
        lh_bg_timer_cancel(s->timer);
        s->timer = NULL;
    }
    int64_t delay = due - lh_now_ms();
    lh_errbuf eb;
    if (lh_bg_timer_add(s->j->ctx->bg, s->ex, delay > 0 ? delay : 0, 0, sched_tick, s, &s->timer,
                        &eb) != LH_OK) {
        s->timer = NULL;
        lh_log(LH_LOG_ERROR, "jobs scheduler: cannot arm its timer: %s", eb.msg);
        return;
    }
    s->timer_due = due;
}

/* The first cron tick strictly after `after`, or -1. */
static int64_t cron_next(const plan *p, int64_t after)
{
    int64_t next;
    lh_errbuf eb;
    if (lh_cron_next(p->cron, p->tz, after, &next, &eb) != LH_OK)
        return -1;
    return next;
}

static int64_t periodic_next(const plan *p, int64_t after)
{
    if (after < p->anchor_ms)
        return p->anchor_ms + p->period_ms;
    int64_t k = (after - p->anchor_ms) / p->period_ms + 1;
    return p->anchor_ms + k * p->period_ms;
}

static int64_t next_tick(const plan *p, int64_t after)
{
    return p->kind == PLAN_CRON ? cron_next(p, after) : periodic_next(p, after);
}

typedef struct row {
    json_t *settings;
    char *user;
    int64_t updated_time, last_fired;
    json_t *file_state;
} row;

static void row_free(row *r)
{
    json_decref(r->settings);
    free(r->user);
    json_decref(r->file_state);
    memset(r, 0, sizeof *r);
}

static void row_read(lh_stmt_t *st, row *r)
{
    const char *t = lh_stmt_text(st, 1);
    r->settings = json_loads(t != NULL ? t : "{}", 0, NULL);
    const char *ra = lh_stmt_text(st, 2), *cr = lh_stmt_text(st, 3);
    r->user = strdup(ra != NULL ? ra : (cr != NULL ? cr : ""));
    r->updated_time = lh_stmt_int(st, 4);
    r->last_fired = lh_stmt_is_null(st, 5) ? 0 : lh_stmt_int(st, 5);
    t = lh_stmt_text(st, 6);
    r->file_state = t != NULL ? json_loads(t, 0, NULL) : NULL;
}

#define ROW_SQL                                                                                    \
    "SELECT job_id, settings, run_as_user_name, creator_user_name, updated_time, last_fired_ms, "  \
    "file_state FROM jobs "

static bool paused(const json_t *o)
{
    const char *ps = json_string_value(json_object_get(o, "pause_status"));
    return ps != NULL && strcmp(ps, "PAUSED") == 0;
}

/* (Re)build job_id's plan from its row (NULL: the job is gone) and queue its first entry. */
static void plan_job(jd_sched_t *s, int64_t job_id, const row *r)
{
    plan_drop(s, job_id);
    if (r == NULL || r->settings == NULL)
        return;
    const json_t *sch = json_object_get(r->settings, "schedule");
    const json_t *tr = json_object_get(r->settings, "trigger");
    plan *p = calloc(1, sizeof *p);
    if (p == NULL)
        return;
    p->job_id = job_id;
    p->gen = ++s->gen;
    p->user = strdup(r->user != NULL ? r->user : "");
    int64_t now = lh_now_ms(), due = -1;
    lh_errbuf eb;
    if (json_is_object(sch) && !paused(sch)) {
        const char *expr = json_string_value(json_object_get(sch, "quartz_cron_expression"));
        const char *tz = json_string_value(json_object_get(sch, "timezone_id"));
        p->kind = PLAN_CRON;
        p->tz = strdup(tz != NULL ? tz : "UTC");
        if (lh_cron_parse(expr, &p->cron, &eb) == LH_OK && p->tz != NULL)
            due = cron_next(p, now > r->last_fired ? now : r->last_fired);
    } else if (json_is_object(tr) && !paused(tr)) {
        const json_t *per = json_object_get(tr, "periodic");
        const json_t *fa = json_object_get(tr, "file_arrival");
        if (json_is_object(per)) {
            int64_t n = 0;
            lh_json_as_int(json_object_get(per, "interval"), "interval", &n, &eb);
            const char *unit = json_string_value(json_object_get(per, "unit"));
            int64_t ms = unit == NULL                 ? 0
                         : strcmp(unit, "HOURS") == 0 ? 3600000LL
                         : strcmp(unit, "DAYS") == 0  ? 86400000LL
                                                      : 7 * 86400000LL;
            p->kind = PLAN_PERIODIC;
            p->period_ms = n * ms;
            p->anchor_ms = r->last_fired > 0 ? r->last_fired : r->updated_time;
            if (p->period_ms > 0)
                due = periodic_next(p, now);
        } else if (json_is_object(fa)) {
            const char *url = json_string_value(json_object_get(fa, "url"));
            int64_t min_s = 0, wait_s = 0;
            lh_json_as_int(json_object_get(fa, "min_time_between_triggers_seconds"), "m", &min_s,
                           &eb);
            lh_json_as_int(json_object_get(fa, "wait_after_last_change_seconds"), "w", &wait_s,
                           &eb);
            p->kind = PLAN_FILE;
            p->min_between_ms = min_s * 1000;
            p->wait_ms = wait_s * 1000;
            p->poll_ms = p->min_between_ms > POLL_MS ? p->min_between_ms : POLL_MS;
            if (url != NULL &&
                jd_file_arrival_dir(s->j->ctx->data_dir, url, &p->dir, &eb) == LH_OK) {
                json_t *seen = json_object_get(r->file_state, "seen");
                p->seen = json_is_object(seen) ? json_incref(seen) : NULL;
                json_int_t fired = json_integer_value(json_object_get(r->file_state, "fired_ms"));
                p->last_fire_ms = fired;
                due = now; /* take the baseline / look at once */
            }
        }
    }
    if (due < 0) {
        plan_free(p);
        return;
    }
    lh_errbuf eb2;
    if (lh_hashmap_put(s->plans, LH_HKEY_INT(job_id), p, &eb2) != LH_OK) {
        plan_free(p);
        return;
    }
    atomic_fetch_add(&s->scheduled, 1);
    heap_push(s, (entry){due, job_id, p->gen});
    heap_compact(s);
}

/* ---- reading jobs ---- */

typedef struct read_arg {
    jd_sched_t *s;
    int64_t job_id; /* 0 = every job */
} read_arg;

static lh_err read_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    read_arg *a = arg;
    lh_stmt_t *st;
    if (a->job_id > 0) {
        LH_TRY(lh_meta_stmt(m, ROW_SQL "WHERE job_id = ?", &st, eb));
        lh_stmt_bind_int(st, 1, a->job_id);
    } else {
        LH_TRY(lh_meta_stmt(m,
                            ROW_SQL "WHERE settings LIKE '%\"schedule\"%' OR settings LIKE "
                                    "'%\"trigger\"%' ORDER BY job_id",
                            &st, eb));
    }
    bool any = false;
    for (;;) {
        bool has;
        LH_TRY(lh_stmt_step(st, &has, eb));
        if (!has)
            break;
        any = true;
        row r = {0};
        row_read(st, &r);
        plan_job(a->s, lh_stmt_int(st, 0), &r);
        row_free(&r);
    }
    if (!any && a->job_id > 0)
        plan_job(a->s, a->job_id, NULL);
    return LH_OK;
}

typedef struct replan_arg {
    jd_sched_t *s;
    int64_t job_id;
} replan_arg;

static void replan_task(void *arg)
{
    replan_arg *ra = arg;
    jd_sched_t *s = ra->s;
    if (!atomic_load(&s->stopping)) {
        read_arg a = {s, ra->job_id};
        lh_errbuf eb;
        if (lh_meta_read(s->j->ctx->meta, read_tx, &a, &eb) != LH_OK)
            lh_log(LH_LOG_ERROR, "jobs scheduler: cannot read job %lld: %s", (long long)ra->job_id,
                   eb.msg);
        arm(s);
    }
    free(ra);
}

void jd_sched_replan(jd_sched_t *s, int64_t job_id)
{
    if (s == NULL || s->ex == NULL)
        return;
    replan_arg *a = malloc(sizeof *a);
    if (a == NULL)
        return;
    a->s = s;
    a->job_id = job_id;
    lh_errbuf eb;
    if (lh_bg_post(s->ex, replan_task, a, &eb) != LH_OK) {
        lh_log(LH_LOG_ERROR, "jobs scheduler: cannot re-plan job %lld: %s", (long long)job_id,
               eb.msg);
        free(a);
    }
}

/* ---- firing ---- */

typedef struct fire {
    plan *p;
    int64_t due;
    bool ok;
} fire;

typedef struct mark_arg {
    fire *f;
    size_t n;
} mark_arg;

/* Record each tick as fired, unless it already was (a tick never fires twice). */
static lh_err mark_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    mark_arg *a = arg;
    lh_stmt_t *st;
    for (size_t i = 0; i < a->n; i++) {
        LH_TRY(lh_meta_stmt(m,
                            "UPDATE jobs SET last_fired_ms = ?1 WHERE job_id = ?2 AND "
                            "(last_fired_ms IS NULL OR last_fired_ms < ?1)",
                            &st, eb));
        lh_stmt_bind_int(st, 1, a->f[i].due);
        lh_stmt_bind_int(st, 2, a->f[i].p->job_id);
        LH_TRY(lh_stmt_run(st, eb));
        a->f[i].ok = lh_meta_changes(m) > 0;
    }
    return LH_OK;
}

static void note_late(jd_sched_t *s, int64_t late)
{
    if (late < 0)
        late = 0;
    atomic_fetch_add(&s->late_sum, late);
    long long cur = atomic_load(&s->late_max);
    while (late > cur && !atomic_compare_exchange_weak(&s->late_max, &cur, late))
        ;
    size_t b = 0;
    while (b < N_BUCKETS && late > LATE_BUCKETS[b])
        b++;
    atomic_fetch_add(&s->late_bucket[b], 1);
}

static void start(jd_sched_t *s, plan *p, const char *trigger)
{
    lh_run_start_t rs = {.job_id = p->job_id, .trigger = trigger, .user_name = p->user};
    int64_t run_id = 0, number = 0;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    lh_err e = lh_jobs_start_run(s->j, &rs, &run_id, &number, &eb);
    if (e != LH_OK) {
        atomic_fetch_add(&s->start_errors, 1);
        if (!p->logged)
            lh_log(LH_LOG_WARN, "jobs scheduler: job %lld (%s): starting a run failed: %s",
                   (long long)p->job_id, trigger, eb.msg);
        p->logged = true;
    } else {
        lh_log(LH_LOG_DEBUG, "jobs scheduler: job %lld (%s): run %lld", (long long)p->job_id,
               trigger, (long long)run_id);
    }
}

typedef struct state_arg {
    int64_t job_id;
    const char *state;
} state_arg;

static lh_err state_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    state_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "UPDATE jobs SET file_state = ? WHERE job_id = ?", &st, eb));
    lh_stmt_bind_text(st, 1, a->state);
    lh_stmt_bind_int(st, 2, a->job_id);
    return lh_stmt_run(st, eb);
}

static bool persist_files(jd_sched_t *s, plan *p, json_t *seen, int64_t fired)
{
    json_t *o = json_object();
    json_object_set(o, "seen", seen);
    json_object_set_new(o, "fired_ms", json_integer(fired));
    char *text = lh_json_write(o, &(size_t){0});
    json_decref(o);
    if (text == NULL)
        return false;
    state_arg a = {p->job_id, text};
    lh_errbuf eb;
    lh_err e = lh_meta_tx(s->j->ctx->meta, state_tx, &a, &eb);
    free(text);
    if (e != LH_OK)
        lh_log(LH_LOG_ERROR, "jobs scheduler: job %lld: cannot record seen files: %s",
               (long long)p->job_id, eb.msg);
    return e == LH_OK;
}

/* The regular files in dir now ({name: 1}); an absent folder is empty. */
static json_t *list_files(const char *dir)
{
    json_t *o = json_object();
    DIR *d = opendir(dir);
    if (d == NULL || o == NULL)
        return o;
    int fd = dirfd(d);
    struct dirent *de;
    size_t n = 0;
    while ((de = readdir(d)) != NULL && n < FILES_MAX) {
        if (de->d_name[0] == '.')
            continue;
        struct stat st;
        if (fstatat(fd, de->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode))
            continue;
        json_object_set_new(o, de->d_name, json_integer(1));
        n++;
    }
    closedir(d);
    return o;
}

static void poll_files(jd_sched_t *s, plan *p, int64_t now)
{
    json_t *cur = list_files(p->dir);
    if (cur == NULL)
        return;
    if (p->seen == NULL) { /* first look: a baseline, nothing fires */
        if (persist_files(s, p, cur, p->last_fire_ms))
            p->seen = json_incref(cur);
        json_decref(cur);
        return;
    }
    size_t fresh = 0;
    const char *name;
    json_t *v;
    json_object_foreach(cur, name, v) if (json_object_get(p->seen, name) == NULL) fresh++;
    if (fresh == 0) {
        p->pending = 0;
        json_decref(cur);
        return;
    }
    if (fresh != p->pending) {
        p->pending = fresh;
        p->last_change_ms = now;
    }
    if (now - p->last_change_ms >= p->wait_ms && now - p->last_fire_ms >= p->min_between_ms) {
        if (persist_files(s, p, cur, now)) {
            json_decref(p->seen);
            p->seen = json_incref(cur);
            p->pending = 0;
            p->last_fire_ms = now;
            atomic_fetch_add(&s->file_fires, 1);
            start(s, p, "FILE_ARRIVAL");
        }
    }
    json_decref(cur);
}

static void sched_tick(void *arg)
{
    jd_sched_t *s = arg;
    if (s->timer != NULL) { /* this one-shot has fired: release it */
        lh_bg_timer_cancel(s->timer);
        s->timer = NULL;
    }
    if (atomic_load(&s->stopping))
        return;
    int64_t now = lh_now_ms();
    fire *batch = malloc(FIRE_BATCH_MAX * sizeof *batch);
    size_t n = 0;
    while (batch != NULL && s->heap_n > 0 && s->heap[0].due <= now && n < FIRE_BATCH_MAX) {
        entry e = heap_pop(s);
        plan *p = lh_hashmap_get(s->plans, LH_HKEY_INT(e.job_id));
        if (p == NULL || p->gen != e.gen)
            continue;
        if (p->kind == PLAN_FILE) {
            poll_files(s, p, now);
            heap_push(s, (entry){now + p->poll_ms, p->job_id, p->gen});
            continue;
        }
        batch[n++] = (fire){p, e.due, false};
    }
    if (n > 0) {
        mark_arg a = {batch, n};
        lh_errbuf eb;
        if (lh_meta_tx(s->j->ctx->meta, mark_tx, &a, &eb) != LH_OK) {
            lh_log(LH_LOG_ERROR, "jobs scheduler: cannot record %zu fired ticks: %s", n, eb.msg);
            for (size_t i = 0; i < n; i++)
                batch[i].ok = false;
        }
        for (size_t i = 0; i < n; i++) {
            fire *f = &batch[i];
            int64_t late = lh_now_ms() - f->due;
            if (f->ok) { /* a late tick still fires, once */
                atomic_fetch_add(&s->fires, 1);
                note_late(s, late);
                start(s, f->p, "PERIODIC");
            }
            /* the next tick; ticks already overdue by more than LATE_SKIP_MS (a stall) are
             * skipped, not replayed */
            int64_t floor = lh_now_ms() - LATE_SKIP_MS, next = next_tick(f->p, f->due);
            int guard = 0;
            while (next > 0 && next < floor && guard++ < 1000) {
                atomic_fetch_add(&s->skipped, 1);
                next = next_tick(f->p, next);
            }
            if (next > 0 && next < floor)
                next = next_tick(f->p, floor);
            if (next > 0)
                heap_push(s, (entry){next, f->p->job_id, f->p->gen});
        }
    }
    free(batch);
    arm(s);
}

/* ---- lifecycle ---- */

lh_err jd_sched_create(lh_jobs_t *j, jd_sched_t **out, lh_errbuf *eb)
{
    jd_sched_t *s = calloc(1, sizeof *s);
    LH_FAIL_IF(s == NULL, LH_E_NOMEM, eb, "out of memory");
    s->j = j;
    s->plans = lh_hashmap_create(&LH_HASHMAP_INT64, 64);
    if (s->plans == NULL) {
        free(s);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    *out = s;
    return LH_OK;
}

static void start_task(void *arg)
{
    jd_sched_t *s = arg;
    if (atomic_load(&s->stopping))
        return;
    read_arg a = {s, 0};
    lh_errbuf eb;
    if (lh_meta_read(s->j->ctx->meta, read_tx, &a, &eb) != LH_OK)
        lh_log(LH_LOG_ERROR, "jobs scheduler: cannot read the scheduled jobs: %s", eb.msg);
    arm(s);
}

lh_err jd_sched_start(jd_sched_t *s, lh_errbuf *eb)
{
    if (s->j->ctx->bg == NULL)
        return LH_OK;
    LH_TRY(lh_bg_executor(s->j->ctx->bg, "jobs-scheduler", 1, QUEUE_MAX, &s->ex, eb));
    return lh_bg_post(s->ex, start_task, s, eb);
}

void jd_sched_stop(jd_sched_t *s)
{
    if (s == NULL || atomic_exchange(&s->stopping, true))
        return;
    if (s->ex != NULL)
        lh_bg_executor_shutdown(s->ex); /* queued re-plans only free their arguments */
    if (s->timer != NULL) {
        lh_bg_timer_cancel(s->timer);
        s->timer = NULL;
    }
}

void jd_sched_destroy(jd_sched_t *s)
{
    if (s == NULL)
        return;
    jd_sched_stop(s);
    size_t it = 0;
    void *k, *v;
    while (lh_hashmap_next(s->plans, &it, &k, &v))
        plan_free(v);
    lh_hashmap_destroy(s->plans);
    free(s->heap);
    free(s);
}

void jd_sched_render_metrics(jd_sched_t *s, FILE *out)
{
    if (s == NULL)
        return;
    fprintf(out,
            "# HELP lakehouse_jobs_scheduled Jobs with an active schedule or trigger.\n"
            "# TYPE lakehouse_jobs_scheduled gauge\n"
            "lakehouse_jobs_scheduled %lld\n"
            "# HELP lakehouse_jobs_scheduler_fires_total Schedule and periodic ticks fired "
            "(a run start was attempted).\n"
            "# TYPE lakehouse_jobs_scheduler_fires_total counter\n"
            "lakehouse_jobs_scheduler_fires_total %lld\n"
            "# HELP lakehouse_jobs_scheduler_skipped_total Ticks skipped after a stall (over 1 s "
            "overdue).\n"
            "# TYPE lakehouse_jobs_scheduler_skipped_total counter\n"
            "lakehouse_jobs_scheduler_skipped_total %lld\n"
            "# HELP lakehouse_jobs_scheduler_start_errors_total Fires whose run did not start.\n"
            "# TYPE lakehouse_jobs_scheduler_start_errors_total counter\n"
            "lakehouse_jobs_scheduler_start_errors_total %lld\n"
            "# HELP lakehouse_jobs_file_arrival_fires_total File-arrival triggers fired.\n"
            "# TYPE lakehouse_jobs_file_arrival_fires_total counter\n"
            "lakehouse_jobs_file_arrival_fires_total %lld\n"
            "# HELP lakehouse_jobs_scheduler_late_ms_max Largest firing lateness (ms).\n"
            "# TYPE lakehouse_jobs_scheduler_late_ms_max gauge\n"
            "lakehouse_jobs_scheduler_late_ms_max %lld\n"
            "# HELP lakehouse_jobs_scheduler_late_ms Firing lateness after the due time (ms).\n"
            "# TYPE lakehouse_jobs_scheduler_late_ms histogram\n",
            (long long)atomic_load(&s->scheduled), (long long)atomic_load(&s->fires),
            (long long)atomic_load(&s->skipped), (long long)atomic_load(&s->start_errors),
            (long long)atomic_load(&s->file_fires), (long long)atomic_load(&s->late_max));
    long long cum = 0;
    for (size_t b = 0; b < N_BUCKETS; b++) {
        cum += atomic_load(&s->late_bucket[b]);
        fprintf(out, "lakehouse_jobs_scheduler_late_ms_bucket{le=\"%lld\"} %lld\n",
                (long long)LATE_BUCKETS[b], cum);
    }
    cum += atomic_load(&s->late_bucket[N_BUCKETS]);
    fprintf(out,
            "lakehouse_jobs_scheduler_late_ms_bucket{le=\"+Inf\"} %lld\n"
            "lakehouse_jobs_scheduler_late_ms_sum %lld\n"
            "lakehouse_jobs_scheduler_late_ms_count %lld\n",
            cum, (long long)atomic_load(&s->late_sum), cum);
}
