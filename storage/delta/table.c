/*
 * table.c - table handles and the per-table commit-lock registry.
 *
 * The put-if-absent commit already serializes writers across processes; the in-process
 * mutex keeps writers of one daemon from racing each other needlessly (each loser would
 * re-read the log and run the conflict check). Two handles on the same table must share
 * the mutex, so locks live in a process-wide registry keyed by "<store id>|<root>" and
 * are refcounted by handles. The registry is the one mutable global of this module: it
 * mirrors a process-wide resource (the table directory), and is guarded by
 * registry_mutex. Lock order: registry_mutex is never held while a table mutex is taken.
 */
#include <stdlib.h>
#include <string.h>

#include "storage/delta/delta_internal.h"

typedef struct lh_delta_lock {
    struct lh_delta_lock *next;
    char *key;
    int refs; /* guarded by registry_mutex */
    pthread_mutex_t mutex;
} lh_delta_lock_t;

static pthread_mutex_t registry_mutex = PTHREAD_MUTEX_INITIALIZER;
static lh_delta_lock_t *registry_head; /* guarded by registry_mutex */

static lh_delta_lock_t *lock_acquire(const char *key)
{
    pthread_mutex_lock(&registry_mutex);
    lh_delta_lock_t *l = registry_head;
    while (l != NULL && strcmp(l->key, key) != 0)
        l = l->next;
    if (l == NULL && (l = calloc(1, sizeof *l)) != NULL) {
        l->key = strdup(key);
        if (l->key == NULL) {
            free(l);
            l = NULL;
        } else {
            pthread_mutex_init(&l->mutex, NULL);
            l->next = registry_head;
            registry_head = l;
        }
    }
    if (l != NULL)
        l->refs++;
    pthread_mutex_unlock(&registry_mutex);
    return l;
}

static void lock_release(lh_delta_lock_t *l)
{
    pthread_mutex_lock(&registry_mutex);
    if (--l->refs == 0) {
        lh_delta_lock_t **pp = &registry_head;
        while (*pp != l)
            pp = &(*pp)->next;
        *pp = l->next;
        pthread_mutex_destroy(&l->mutex);
        free(l->key);
        free(l);
    }
    pthread_mutex_unlock(&registry_mutex);
}

pthread_mutex_t *lh_delta_table_mutex(lh_delta_table_t *t)
{
    return &t->lock->mutex;
}

static char *join(const char *a, const char *sep, const char *b)
{
    size_t n = strlen(a) + strlen(sep) + strlen(b) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", a, sep, b);
    return s;
}

lh_err lh_delta_table_open(lh_objstore_t *os, const char *root, lh_delta_table_t **out,
                           lh_errbuf *eb)
{
    *out = NULL;
    LH_TRY(lh_objstore_check_key(root, true, eb));
    size_t n = strlen(root);
    LH_FAIL_IF(n > 0 && root[n - 1] == '/', LH_E_INVALID, eb,
               "table root '%s' must not end with '/'", root);
    lh_delta_table_t *t = calloc(1, sizeof *t);
    LH_FAIL_IF(t == NULL, LH_E_NOMEM, eb, "out of memory");
    t->os = os;
    t->root = strdup(root);
    t->log_dir = n ? join(root, "/", LH_DELTA_LOG_DIR) : strdup(LH_DELTA_LOG_DIR);
    char *lock_key = join(lh_objstore_id(os), "|", root);
    t->lock = lock_key ? lock_acquire(lock_key) : NULL;
    free(lock_key);
    if (t->root == NULL || t->log_dir == NULL || t->lock == NULL) {
        lh_delta_table_close(t);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    *out = t;
    return LH_OK;
}

void lh_delta_table_close(lh_delta_table_t *t)
{
    if (t == NULL)
        return;
    if (t->lock)
        lock_release(t->lock);
    free(t->root);
    free(t->log_dir);
    free(t);
}

lh_objstore_t *lh_delta_table_store(const lh_delta_table_t *t)
{
    return t->os;
}

const char *lh_delta_table_root(const lh_delta_table_t *t)
{
    return t->root;
}

char *lh_delta_table_key(const lh_delta_table_t *t, const char *path)
{
    return t->root[0] ? join(t->root, "/", path) : strdup(path);
}
