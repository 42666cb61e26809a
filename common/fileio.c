/*
 * fileio.c - see fileio.h.
 */
#include "common/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

lh_err lh_write_full(int fd, const void *buf, size_t bytes, const char *what, lh_errbuf *eb)
{
    const char *p = buf;
    while (bytes > 0) {
        ssize_t w = write(fd, p, bytes);
        if (w < 0 && errno == EINTR)
            continue;
        LH_FAIL_IF(w <= 0, LH_E_IO, eb, "cannot write %s: %s", what,
                   w < 0 ? strerror(errno) : "short write");
        p += w;
        bytes -= (size_t)w;
    }
    return LH_OK;
}

void lh_writeback_note(lh_writeback_t *wb, int fd, size_t bytes)
{
    wb->written += bytes;
    if (wb->written - wb->started < LH_WRITEBACK_STEP)
        return;
    uint64_t len = wb->written - wb->started;
#ifdef SYNC_FILE_RANGE_WRITE
    /* Asynchronous: queues the range for writeback and returns. Errors are left to the
     * final fsync, which reports them. */
    (void)sync_file_range(fd, (off_t)wb->started, (off_t)len, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd;
#endif
    wb->started += len;
}
