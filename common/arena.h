/*
 * arena.h - a per-request bump allocator with cleanups.
 *
 * Everything a request allocates comes from its arena and is released once, when the
 * response is done (lh_arena_destroy). Resources that need closing (SQLite statements,
 * jansson values, fds) register a cleanup that runs, last registered first, at destroy.
 * Not thread-safe: one arena belongs to one request/thread at a time.
 */
#ifndef LH_COMMON_ARENA_H
#define LH_COMMON_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct lh_arena lh_arena_t;

lh_arena_t *lh_arena_create(void);
void lh_arena_destroy(lh_arena_t *a);

/* Aligned (16) memory valid until destroy. Aborts on out-of-memory (LH_ASSERT). */
void *lh_arena_alloc(lh_arena_t *a, size_t size);
void *lh_arena_calloc(lh_arena_t *a, size_t count, size_t size);
char *lh_arena_strdup(lh_arena_t *a, const char *s);
char *lh_arena_strndup(lh_arena_t *a, const char *s, size_t n);
char *lh_arena_sprintf(lh_arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Run fn(arg) at destroy. */
void lh_arena_defer(lh_arena_t *a, void (*fn)(void *), void *arg);

#endif
