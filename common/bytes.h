/*
 * bytes.h - byte sources and sinks: the boundary between whoever stores bytes (local
 * files, memory, storage/objstore, later S3) and whoever parses or produces them
 * (storage/parquet, storage/delta, the HTTP layer's streamed bodies).
 *
 * A source is random-access and read-only: a size plus a pread-style read_at that fills
 * exactly the bytes asked for. A sink is append-only: write in order, flush to make what
 * was written durable (or visible) where that means something. Both are small structs of
 * function pointers passed by value; ctx belongs to whoever made them, and close (when not
 * NULL) releases it.
 *
 * Threading: the file source reads with pread (no shared offset), so one source may be
 * read from several threads at once; the memory source too. A sink belongs to one thread.
 */
#ifndef LH_COMMON_BYTES_H
#define LH_COMMON_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef struct lh_byte_source {
    void *ctx;
    uint64_t size;
    /* Read exactly len bytes at offset; LH_E_IO / LH_E_CORRUPT (short read) otherwise. */
    lh_err (*read_at)(void *ctx, uint64_t offset, void *buf, size_t len, lh_errbuf *eb);
    void (*close)(void *ctx); /* may be NULL */
} lh_byte_source_t;

/* A source over a local file (pread; thread-safe). LH_E_NOT_FOUND when path is missing,
 * LH_E_IO when it cannot be opened or is not a regular file. Close with
 * lh_bytes_source_close (or hand it to an owner that does, e.g. lh_pq_open). */
lh_err lh_bytes_source_open_file(const char *path, lh_byte_source_t *out, lh_errbuf *eb);
/* A source over caller-owned memory that must outlive the source. Never fails. */
void lh_bytes_source_from_memory(const void *bytes, size_t size, lh_byte_source_t *out);
/* Read [offset, offset+len), checked against src->size first (LH_E_CORRUPT outside). */
lh_err lh_bytes_source_read(const lh_byte_source_t *src, uint64_t offset, void *buf, size_t len,
                            lh_errbuf *eb);
/* Release the source's context (safe on a zeroed or already closed source). */
void lh_bytes_source_close(lh_byte_source_t *src);

typedef struct lh_byte_sink {
    void *ctx;
    /* Append len bytes; all or an error. */
    lh_err (*write)(void *ctx, const void *buf, size_t len, lh_errbuf *eb);
    /* Make everything written so far durable (file: fsync). May be NULL: nothing to do. */
    lh_err (*flush)(void *ctx, lh_errbuf *eb);
    void (*close)(void *ctx); /* may be NULL */
} lh_byte_sink_t;

/* A growable in-memory byte buffer, the target of a memory sink. Free bytes with free(). */
typedef struct lh_byte_buf {
    uint8_t *bytes;
    size_t len;
    size_t cap;
} lh_byte_buf_t;

/* A sink that creates (or truncates) path and writes to it; flush fsyncs. Close with
 * lh_bytes_sink_close. LH_E_IO when the file cannot be created. */
lh_err lh_bytes_sink_open_file(const char *path, lh_byte_sink_t *out, lh_errbuf *eb);
/* A sink appending to buf (caller-owned, must outlive the sink; start it zeroed). */
lh_byte_sink_t lh_bytes_sink_to_memory(lh_byte_buf_t *buf);
lh_err lh_bytes_sink_write(const lh_byte_sink_t *sink, const void *buf, size_t len, lh_errbuf *eb);
lh_err lh_bytes_sink_flush(const lh_byte_sink_t *sink, lh_errbuf *eb);
/* Release the sink's context (safe on a zeroed or already closed sink); does not flush. */
void lh_bytes_sink_close(lh_byte_sink_t *sink);

#endif
