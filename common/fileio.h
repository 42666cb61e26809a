/*
 * fileio.h - writing files that end durable: a full write loop, and early writeback for
 * long streamed writes that finish with fsync.
 *
 * A 1 GiB upload written to the page cache and then fsynced waits for the whole GiB at
 * the end. lh_writeback_note starts the kernel's writeback (sync_file_range WRITE, which
 * does not wait) every LH_WRITEBACK_STEP bytes as the data arrives, so disk writes overlap
 * with receiving and the final fsync waits only for the last step. It never replaces the
 * fsync (sync_file_range flushes no metadata and no disk cache); where the call is not
 * available it is a no-op. Thread-safe (state is the caller's).
 */
#ifndef LH_COMMON_FILEIO_H
#define LH_COMMON_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Bytes between writeback starts: large enough that the calls cost nothing, small
 * enough that little is left for the final fsync. */
#define LH_WRITEBACK_STEP (8u << 20)

/* Write all of buf to fd (retrying short writes and EINTR). LH_E_IO names `what`. */
lh_err lh_write_full(int fd, const void *buf, size_t bytes, const char *what, lh_errbuf *eb);

typedef struct lh_writeback {
    uint64_t written; /* bytes written so far (from offset 0, sequentially) */
    uint64_t started; /* bytes whose writeback has been started */
} lh_writeback_t;

/* Record that `bytes` more were written sequentially to fd; start writeback of each full
 * step behind. */
void lh_writeback_note(lh_writeback_t *wb, int fd, size_t bytes);

#endif
