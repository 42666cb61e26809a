/*
 * arena.c - chunked bump allocation; big requests get their own chunk.
 *
 * Out of memory here aborts (LH_ASSERT) by policy rather than returning NULL: every
 * request allocates from its arena at hundreds of call sites, chunks are 16 KiB (or the
 * size of one large request), and a daemon that cannot get 16 KiB can do nothing useful,
 * so a NULL check at each site would buy only untested branches. The fault-injection build
 * therefore exempts the arena's own allocations (common/fault.h); failures it injects land
 * in malloc/strdup, SQLite, jansson and OpenSSL, whose callers must answer 5xx.
 */
#include "common/arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/fault.h"

#define CHUNK_SIZE (16 * 1024)

typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
} chunk;

typedef struct cleanup {
    struct cleanup *next;
    void (*fn)(void *);
    void *arg;
} cleanup;

struct lh_arena {
    chunk *head;
    cleanup *cleanups;
};

lh_arena_t *lh_arena_create(void)
{
    lh_arena_t *a = lh_fault_exempt_calloc(1, sizeof *a);
    LH_ASSERT(a != NULL);
    return a;
}

void lh_arena_destroy(lh_arena_t *a)
{
    if (a == NULL)
        return;
    for (cleanup *c = a->cleanups; c != NULL; c = c->next)
        c->fn(c->arg);
    chunk *k = a->head;
    while (k != NULL) {
        chunk *next = k->next;
        free(k);
        k = next;
    }
    free(a);
}

void *lh_arena_alloc(lh_arena_t *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    chunk *k = a->head;
    if (k == NULL || k->size - k->used < size) {
        size_t cap = size > CHUNK_SIZE / 2 ? size : CHUNK_SIZE;
        chunk *n = lh_fault_exempt_malloc(sizeof *n + cap);
        LH_ASSERT(n != NULL);
        n->used = 0;
        n->size = cap;
        if (size > CHUNK_SIZE / 2 && k != NULL) { /* keep the current chunk on top */
            n->next = k->next;
            k->next = n;
        } else {
            n->next = k;
            a->head = n;
        }
        k = n;
    }
    void *p = k->data + k->used;
    k->used += size;
    return p;
}

void *lh_arena_calloc(lh_arena_t *a, size_t count, size_t size)
{
    LH_ASSERT(size == 0 || count <= (size_t)-1 / size);
    void *p = lh_arena_alloc(a, count * size);
    memset(p, 0, count * size);
    return p;
}

char *lh_arena_strndup(lh_arena_t *a, const char *s, size_t n)
{
    char *p = lh_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *lh_arena_strdup(lh_arena_t *a, const char *s)
{
    return lh_arena_strndup(a, s, strlen(s));
}

char *lh_arena_sprintf(lh_arena_t *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    LH_ASSERT(n >= 0);
    char *p = lh_arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void lh_arena_defer(lh_arena_t *a, void (*fn)(void *), void *arg)
{
    cleanup *c = lh_arena_alloc(a, sizeof *c);
    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
}
