/*
 * access_log.h - one line per request, buffered.
 *
 * HTTP threads append formatted lines to a shared 256 KiB buffer under a mutex (no
 * syscall on the request path); a periodic timer of the background service (common/bg.h,
 * on its default executor) writes the buffer out every 100 ms, and
 * a writer that finds the buffer full writes it itself. Destroy flushes what is left, so
 * a clean shutdown loses no line. Thread-safe.
 */
#ifndef LH_SERVER_ACCESS_LOG_H
#define LH_SERVER_ACCESS_LOG_H

#include <stddef.h>

#include "common/bg.h"

typedef struct lh_access_log lh_access_log_t;

/* Log to fd (not closed by destroy), flushed by a timer on bg. Errors: LH_E_NOMEM and
 * lh_bg_timer_add's. */
lh_err lh_access_log_create(int fd, lh_bg_t *bg, lh_access_log_t **out, lh_errbuf *eb);
/* Cancel the flush timer, write what is left, free. Call before bg is destroyed. */
void lh_access_log_destroy(lh_access_log_t *l);
/* Append one line; a timestamp and level prefix like lh_log's are added, and '\n'. */
void lh_access_log_line(lh_access_log_t *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
