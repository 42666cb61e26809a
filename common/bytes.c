/*
 * bytes.c - the file- and memory-backed byte sources and sinks of bytes.h.
 *
 * The file source keeps an fd and the size taken at open (a file that shrinks later reads
 * short and fails LH_E_CORRUPT). The file sink writes through write(2) in a loop and
 * fsyncs on flush; the memory sink doubles its buffer as it grows.
 */
#include "common/bytes.h"

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
               "read of %zu bytes at %llu past the end of the file", len,
               (unsigned long long)offset);
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pread(fc->fd, p, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        LH_FAIL_IF(n < 0, LH_E_IO, eb, "pread failed: %s", strerror(errno));
        LH_FAIL_IF(n == 0, LH_E_CORRUPT, eb, "file shorter than expected");
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

static lh_err file_ctx_new(int fd, uint64_t size, file_ctx **out, lh_errbuf *eb)
{
    *out = malloc(sizeof **out);
    if (*out == NULL) {
        close(fd);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    (*out)->fd = fd;
    (*out)->size = size;
    return LH_OK;
}

lh_err lh_bytes_source_open_file(const char *path, lh_byte_source_t *out, lh_errbuf *eb)
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
    file_ctx *fc;
    LH_TRY(file_ctx_new(fd, (uint64_t)st.st_size, &fc, eb));
    out->ctx = fc;
    out->size = fc->size;
    out->read_at = file_read_at;
    out->close = file_close;
    return LH_OK;
}

/* Callers go through lh_bytes_source_read (or check ranges themselves, as the Parquet
 * reader does), so the memory source only copies. */
static lh_err mem_read_at(void *ctx, uint64_t offset, void *buf, size_t len, lh_errbuf *eb)
{
    (void)eb;
    if (len > 0)
        memcpy(buf, (const uint8_t *)ctx + offset, len);
    return LH_OK;
}

void lh_bytes_source_from_memory(const void *bytes, size_t size, lh_byte_source_t *out)
{
    out->ctx = (void *)bytes;
    out->size = size;
    out->read_at = mem_read_at;
    out->close = NULL;
}

lh_err lh_bytes_source_read(const lh_byte_source_t *src, uint64_t offset, void *buf, size_t len,
                            lh_errbuf *eb)
{
    LH_FAIL_IF(offset > src->size || len > src->size - offset, LH_E_CORRUPT, eb,
               "range of %zu bytes at %llu lies outside the source", len,
               (unsigned long long)offset);
    if (len == 0)
        return LH_OK;
    return src->read_at(src->ctx, offset, buf, len, eb);
}

void lh_bytes_source_close(lh_byte_source_t *src)
{
    if (src->close != NULL)
        src->close(src->ctx);
    src->close = NULL;
    src->ctx = NULL;
}

/* ---- sinks ------------------------------------------------------------------------------- */

static lh_err file_write(void *ctx, const void *buf, size_t len, lh_errbuf *eb)
{
    file_ctx *fc = ctx;
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = write(fc->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        LH_FAIL_IF(n <= 0, LH_E_IO, eb, "write failed: %s", strerror(errno));
        p += n;
        len -= (size_t)n;
        fc->size += (uint64_t)n;
    }
    return LH_OK;
}

static lh_err file_flush(void *ctx, lh_errbuf *eb)
{
    file_ctx *fc = ctx;
    LH_FAIL_IF(fsync(fc->fd) != 0, LH_E_IO, eb, "fsync failed: %s", strerror(errno));
    return LH_OK;
}

lh_err lh_bytes_sink_open_file(const char *path, lh_byte_sink_t *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    LH_FAIL_IF(fd < 0, LH_E_IO, eb, "cannot create %s: %s", path, strerror(errno));
    file_ctx *fc;
    LH_TRY(file_ctx_new(fd, 0, &fc, eb));
    out->ctx = fc;
    out->write = file_write;
    out->flush = file_flush;
    out->close = file_close;
    return LH_OK;
}

static lh_err mem_write(void *ctx, const void *buf, size_t len, lh_errbuf *eb)
{
    lh_byte_buf_t *b = ctx;
    LH_FAIL_IF(len > SIZE_MAX / 2 - b->len, LH_E_TOO_LARGE, eb, "memory sink overflow");
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len)
            cap *= 2;
        uint8_t *p = realloc(b->bytes, cap);
        LH_FAIL_IF(p == NULL, LH_E_NOMEM, eb, "out of memory for %zu bytes", cap);
        b->bytes = p;
        b->cap = cap;
    }
    if (len > 0)
        memcpy(b->bytes + b->len, buf, len);
    b->len += len;
    return LH_OK;
}

lh_byte_sink_t lh_bytes_sink_to_memory(lh_byte_buf_t *buf)
{
    return (lh_byte_sink_t){.ctx = buf, .write = mem_write};
}

lh_err lh_bytes_sink_write(const lh_byte_sink_t *sink, const void *buf, size_t len, lh_errbuf *eb)
{
    return sink->write(sink->ctx, buf, len, eb);
}

lh_err lh_bytes_sink_flush(const lh_byte_sink_t *sink, lh_errbuf *eb)
{
    return sink->flush != NULL ? sink->flush(sink->ctx, eb) : LH_OK;
}

void lh_bytes_sink_close(lh_byte_sink_t *sink)
{
    if (sink->close != NULL)
        sink->close(sink->ctx);
    sink->close = NULL;
    sink->ctx = NULL;
}
