/*
 * test_bytes.c - common/bytes: file and memory sources (bounds, short files, missing
 * files) and sinks (write, flush, close), and a file sink read back through a source.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bytes.h"
#include "t.h"

static void test_memory_source(void)
{
    static const char text[] = "0123456789";
    lh_byte_source_t src;
    lh_bytes_source_from_memory(text, 10, &src);
    T_EQ_INT(src.size, 10);
    char buf[8] = {0};
    lh_errbuf eb;
    T_EQ_INT(lh_bytes_source_read(&src, 3, buf, 4, &eb), LH_OK);
    T_CHECK(memcmp(buf, "3456", 4) == 0);
    T_EQ_INT(lh_bytes_source_read(&src, 8, buf, 3, &eb), LH_E_CORRUPT);
    T_EQ_INT(lh_bytes_source_read(&src, 11, buf, 0, &eb), LH_E_CORRUPT);
    T_EQ_INT(lh_bytes_source_read(&src, 10, buf, 0, &eb), LH_OK);
    lh_bytes_source_close(&src); /* no context to release */
}

static void test_memory_sink(void)
{
    lh_byte_buf_t buf = {0};
    lh_byte_sink_t sink = lh_bytes_sink_to_memory(&buf);
    lh_errbuf eb;
    char chunk[1000];
    for (int i = 0; i < 100; i++) {
        memset(chunk, 'a' + i % 26, sizeof chunk);
        T_EQ_INT(lh_bytes_sink_write(&sink, chunk, sizeof chunk, &eb), LH_OK);
    }
    T_EQ_INT(lh_bytes_sink_flush(&sink, &eb), LH_OK); /* no flush function: nothing to do */
    T_EQ_INT(buf.len, 100000);
    T_CHECK(buf.cap >= buf.len);
    T_EQ_INT(buf.bytes[0], 'a');
    T_EQ_INT(buf.bytes[99999], 'a' + 99 % 26);
    lh_bytes_sink_close(&sink);
    free(buf.bytes);
}

static void test_file_roundtrip(void)
{
    char path[] = "/tmp/lh_bytes_XXXXXX";
    int fd = mkstemp(path);
    T_CHECK(fd >= 0);
    close(fd);
    lh_errbuf eb;
    lh_byte_sink_t sink;
    T_EQ_INT(lh_bytes_sink_open_file(path, &sink, &eb), LH_OK);
    T_EQ_INT(lh_bytes_sink_write(&sink, "hello ", 6, &eb), LH_OK);
    T_EQ_INT(lh_bytes_sink_write(&sink, "world", 5, &eb), LH_OK);
    T_EQ_INT(lh_bytes_sink_flush(&sink, &eb), LH_OK);
    lh_bytes_sink_close(&sink);
    lh_bytes_sink_close(&sink); /* idempotent */

    lh_byte_source_t src;
    T_EQ_INT(lh_bytes_source_open_file(path, &src, &eb), LH_OK);
    T_EQ_INT(src.size, 11);
    char buf[16] = {0};
    T_EQ_INT(lh_bytes_source_read(&src, 6, buf, 5, &eb), LH_OK);
    T_EQ_STR(buf, "world");
    /* The source's own read_at refuses ranges past the size it saw at open. */
    T_EQ_INT(src.read_at(src.ctx, 8, buf, 4, &eb), LH_E_CORRUPT);
    /* A file truncated after open reads short: corrupt, not garbage. */
    T_EQ_INT(truncate(path, 4), 0);
    T_EQ_INT(lh_bytes_source_read(&src, 2, buf, 6, &eb), LH_E_CORRUPT);
    lh_bytes_source_close(&src);
    unlink(path);
}

static void test_file_errors(void)
{
    lh_errbuf eb;
    lh_byte_source_t src;
    T_EQ_INT(lh_bytes_source_open_file("/tmp/lh_bytes_no_such_file", &src, &eb), LH_E_NOT_FOUND);
    T_EQ_INT(lh_bytes_source_open_file("/tmp", &src, &eb), LH_E_IO); /* not a regular file */
    lh_byte_sink_t sink;
    T_EQ_INT(lh_bytes_sink_open_file("/tmp/lh_no_such_dir/x", &sink, &eb), LH_E_IO);
}

int main(void)
{
    T_RUN(test_memory_source);
    T_RUN(test_memory_sink);
    T_RUN(test_file_roundtrip);
    T_RUN(test_file_errors);
    return T_DONE();
}
