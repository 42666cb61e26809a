/*
 * pq_source.c - byte sources for the Parquet reader: a local file read with pread
 * (thread-safe, no shared offset) and caller-owned memory.
 */
#include "storage/parquet/parquet.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct file_ctx {
    int fd;
    uint64_t size;
} file_ctx;

static lh_err file_read_at(void *ctx, uint64_t offset, void *buf, size_t len, lh_errbuf *eb)
{
    file_ctx *fc = ctx;
    LH_FAIL_IF(offset > fc->size || len > fc->size - offset, LH_E_CORRUPT, eb,
               "parquet: read of %zu bytes at %llu past the end of the file", len,
               (unsigned long long)offset);
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pread(fc->fd, p, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        LH_FAIL_IF(n < 0, LH_E_IO, eb, "parquet: pread failed: %s", strerror(errno));
        LH_FAIL_IF(n == 0, LH_E_CORRUPT, eb, "parquet: file shorter than expected");
        p += n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    return LH_OK;
}

static void file_close(void *ctx)
{
    file_ctx *fc = ctx;
    close(fc->fd);
    free(fc);
}

lh_err lh_pq_source_open_file(const char *path, lh_pq_source_t *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    LH_FAIL_IF(fd < 0, errno == ENOENT ? LH_E_NOT_FOUND : LH_E_IO, eb, "cannot open %s: %s", path,
               strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        LH_FAIL(LH_E_IO, eb, "%s is not a readable regular file", path);
    }
    file_ctx *fc = malloc(sizeof *fc);
    if (fc == NULL) {
        close(fd);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    fc->fd = fd;
    fc->size = (uint64_t)st.st_size;
    out->ctx = fc;
    out->size = fc->size;
    out->read_at = file_read_at;
    out->close = file_close;
    return LH_OK;
}

/* The reader checks every range against src->size before calling read_at (see
 * pq_read.c, src_read), so the memory source only copies. */
static lh_err mem_read_at(void *ctx, uint64_t offset, void *buf, size_t len, lh_errbuf *eb)
{
    (void)eb;
    if (len > 0)
        memcpy(buf, (const uint8_t *)ctx + offset, len);
    return LH_OK;
}

void lh_pq_source_from_memory(const void *bytes, size_t size, lh_pq_source_t *out)
{
    out->ctx = (void *)bytes;
    out->size = size;
    out->read_at = mem_read_at;
    out->close = NULL;
}
