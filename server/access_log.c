/*
 * access_log.c - buffered access log flushed by a periodic timer of the background
 * service (see access_log.h).
 *
 * Lock order: mu only (the timer's callback runs on the default executor and takes mu;
 * bg's own locks are never held then); the write(2) of a full buffer happens under mu so
 * lines stay in order.
 */
#include "server/access_log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/bg.h"
#include "common/err.h"

#define BUF_BYTES      (256 * 1024)
#define LINE_MAX_BYTES 2048
#define FLUSH_MS       100

struct lh_access_log {
    int fd;
    pthread_mutex_t mu;
    size_t used;
    lh_bg_timer_t *flusher;
    char buf[BUF_BYTES];
};

static void flush_locked(lh_access_log_t *l)
{
    size_t off = 0;
    while (off < l->used) {
        ssize_t n = write(l->fd, l->buf + off, l->used - off);
        if (n <= 0)
            break; /* a log that cannot be written must not stop the server */
        off += (size_t)n;
    }
    l->used = 0;
}

static void flush_tick(void *arg)
{
    lh_access_log_t *l = arg;
    pthread_mutex_lock(&l->mu);
    if (l->used > 0)
        flush_locked(l);
    pthread_mutex_unlock(&l->mu);
}

lh_err lh_access_log_create(int fd, lh_bg_t *bg, lh_access_log_t **out, lh_errbuf *eb)
{
    lh_access_log_t *l = calloc(1, sizeof *l);
    LH_FAIL_IF(l == NULL, LH_E_NOMEM, eb, "out of memory");
    l->fd = fd;
    pthread_mutex_init(&l->mu, NULL);
    lh_err e = lh_bg_timer_add(bg, NULL, FLUSH_MS, FLUSH_MS, flush_tick, l, &l->flusher, eb);
    if (e != LH_OK) {
        pthread_mutex_destroy(&l->mu);
        free(l);
        return e;
    }
    *out = l;
    return LH_OK;
}

void lh_access_log_destroy(lh_access_log_t *l)
{
    if (l == NULL)
        return;
    lh_bg_timer_cancel(l->flusher); /* waits for a flush in progress */
    flush_tick(l);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

/* "2026-11-25T07:12:03.123Z INFO ", with the seconds part formatted once per second. */
static size_t prefix(char *out, size_t cap)
{
    static _Thread_local time_t cached_sec = -1;
    static _Thread_local char cached[32];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != cached_sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
        cached_sec = ts.tv_sec;
    }
    int n = snprintf(out, cap, "%s.%03ldZ INFO ", cached, ts.tv_nsec / 1000000);
    return n > 0 ? (size_t)n : 0;
}

void lh_access_log_line(lh_access_log_t *l, const char *fmt, ...)
{
    char line[LINE_MAX_BYTES];
    size_t n = prefix(line, sizeof line);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    va_end(ap);
    n += m < 0 ? 0 : (size_t)m;
    if (n > sizeof line - 2)
        n = sizeof line - 2;
    line[n++] = '\n';
    pthread_mutex_lock(&l->mu);
    if (l->used + n > BUF_BYTES)
        flush_locked(l);
    memcpy(l->buf + l->used, line, n);
    l->used += n;
    pthread_mutex_unlock(&l->mu);
}
