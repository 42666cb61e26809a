/*
 * access_log.h - one line per request, buffered.
 *
 * HTTP threads append formatted lines to a shared 256 KiB buffer under a mutex (no
 * syscall on the request path); a flusher thread writes the buffer out every 100 ms, and
 * a writer that finds the buffer full writes it itself. Destroy flushes what is left, so
 * a clean shutdown loses no line. Thread-safe.
 */
#ifndef LH_SERVER_ACCESS_LOG_H
#define LH_SERVER_ACCESS_LOG_H

#include <stddef.h>

typedef struct lh_access_log lh_access_log_t;

/* Log to fd (not closed by destroy). NULL if the flusher thread cannot start. */
lh_access_log_t *lh_access_log_create(int fd);
void lh_access_log_destroy(lh_access_log_t *l);
/* Append one line; a timestamp and level prefix like lh_log's are added, and '\n'. */
void lh_access_log_line(lh_access_log_t *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
