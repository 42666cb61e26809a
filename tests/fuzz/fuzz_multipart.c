/*
 * fuzz_multipart.c - libFuzzer target for api/workspace's streaming multipart/form-data
 * parser. Input: byte 0 picks a split point, bytes 1..k (up to the first '\n', at most
 * WS_FORM_BOUNDARY_MAX) are the boundary parameter of a Content-Type header (parsed by
 * ws_form_boundary, quoted or not), the rest is the body. The body is parsed twice,
 * whole and split in two at the chosen point, then one byte at a time: the outcome and
 * the parts seen (names, filenames, data) must be identical, whatever the chunking, and
 * nothing may crash or read past the input. Seeds: tests/fuzz/corpus/multipart/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/workspace/workspace_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct trace {
    char *buf;
    size_t bytes, cap;
} trace;

static void add(trace *t, const char *p, size_t n)
{
    if (t->bytes + n > t->cap) {
        t->cap = (t->bytes + n) * 2 + 64;
        t->buf = realloc(t->buf, t->cap);
    }
    memcpy(t->buf + t->bytes, p, n);
    t->bytes += n;
}

static lh_err on_begin(void *arg, const char *name, const char *filename, lh_errbuf *eb)
{
    (void)eb;
    add(arg, "<", 1);
    add(arg, name, strlen(name) + 1);
    if (filename != NULL)
        add(arg, filename, strlen(filename) + 1);
    add(arg, ">", 1);
    return LH_OK;
}

static lh_err on_data(void *arg, const char *bytes, size_t n, lh_errbuf *eb)
{
    (void)eb;
    LH_ASSERT(n > 0);
    add(arg, bytes, n);
    return LH_OK;
}

static lh_err on_end(void *arg, lh_errbuf *eb)
{
    (void)eb;
    add(arg, "</>", 3);
    return LH_OK;
}

static const ws_form_cb CB = {on_begin, on_data, on_end};

/* Parse body fed as the given chunk sizes (0-terminated; the last repeats). */
static lh_err run(const char *boundary, const char *body, size_t n, size_t first, size_t step,
                  trace *t)
{
    ws_form *f = ws_form_new(boundary, &CB, t);
    lh_errbuf eb;
    lh_err e = LH_OK;
    size_t i = 0;
    if (first > 0) {
        e = ws_form_feed(f, body, first, &eb);
        i = first;
    }
    while (e == LH_OK && i < n) {
        size_t k = n - i < step ? n - i : step;
        /* a heap copy per chunk so ASan sees reads past the chunk */
        char *chunk = malloc(k);
        memcpy(chunk, body + i, k);
        e = ws_form_feed(f, chunk, k, &eb);
        free(chunk);
        i += k;
    }
    if (e == LH_OK)
        e = ws_form_finish(f, &eb);
    ws_form_free(f);
    return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const char *nl = memchr(data + 1, '\n', size - 1);
    size_t blen = nl != NULL ? (size_t)(nl - (const char *)data) - 1 : 0;
    if (blen == 0 || blen > WS_FORM_BOUNDARY_MAX)
        return 0;
    /* the boundary goes through the Content-Type parser, as in the daemon */
    char header[64 + WS_FORM_BOUNDARY_MAX];
    int hlen = snprintf(header, sizeof header, "multipart/form-data; boundary=");
    memcpy(header + hlen, data + 1, blen);
    header[hlen + (int)blen] = '\0';
    lh_arena_t *arena = lh_arena_create();
    const char *boundary;
    lh_errbuf eb;
    if (ws_form_boundary(header, arena, &boundary, &eb) != LH_OK) {
        lh_arena_destroy(arena);
        return 0;
    }
    const char *body = (const char *)data + blen + 2;
    size_t n = size - blen - 2;
    size_t split = n > 0 ? data[0] % (n + 1) : 0;
    trace whole = {0}, halves = {0}, bytes = {0};
    lh_err a = run(boundary, body, n, 0, n > 0 ? n : 1, &whole);
    lh_err b = run(boundary, body, n, split, n > 0 ? n : 1, &halves);
    lh_err c = run(boundary, body, n, 0, 1, &bytes);
    LH_ASSERT(a == b && b == c);
    if (a == LH_OK) {
        LH_ASSERT(whole.bytes == halves.bytes && whole.bytes == bytes.bytes);
        LH_ASSERT(whole.bytes == 0 || (memcmp(whole.buf, halves.buf, whole.bytes) == 0 &&
                                       memcmp(whole.buf, bytes.buf, whole.bytes) == 0));
    }
    free(whole.buf);
    free(halves.buf);
    free(bytes.buf);
    lh_arena_destroy(arena);
    return 0;
}
