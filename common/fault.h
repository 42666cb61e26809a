/*
 * fault.h - allocation fault injection for tests (CMake -DLH_FAULT_INJECT=ON).
 *
 * In that build common/fault.c replaces the process's malloc, calloc, realloc, free and
 * the aligned allocators (glibc's documented "replacing malloc": the executable's
 * definitions win for every library, SQLite, jansson, OpenSSL and libc included) with
 * wrappers over glibc's __libc_* functions that:
 *   - count live allocations process-wide, so a leak shows as a difference at exit
 *     (lh_fault_live; lakehoused prints it on stderr when it stops);
 *   - when armed on a thread, count that thread's allocations and make the nth fail
 *     (return NULL with errno ENOMEM), once; every other allocation succeeds.
 * Arming is per thread, so only the request under test sees the failure: lakehoused arms
 * the thread serving a request that carries the header LH_FAULT_HEADER: <n> around
 * parsing and dispatch (not libmicrohttpd's own response handling, whose failure just
 * drops the connection), and answers with LH_FAULT_ALLOCS_HEADER: <allocations counted>.
 * tests/fault/ loops API scenarios over n with it.
 *
 * Exempt allocations (lh_fault_exempt_*) are counted as live but never fail: they are the
 * ones whose failure aborts by policy, the request arena's chunks (see common/arena.c).
 *
 * In every other build these are inline no-ops (exempt_* is plain malloc/calloc) and
 * nothing is replaced.
 */
#ifndef LH_COMMON_FAULT_H
#define LH_COMMON_FAULT_H

#include <stddef.h>
#include <stdlib.h>

#define LH_FAULT_HEADER        "X-Lh-Fault-Nth"
#define LH_FAULT_ALLOCS_HEADER "X-Lh-Fault-Allocs"

#ifdef LH_FAULT_INJECT
/* Count this thread's allocations from now; the nth (n >= 1) fails. n == 0: count only. */
void lh_fault_arm(long nth);
/* Stop counting on this thread; returns the allocations counted since lh_fault_arm. */
long lh_fault_disarm(void);
/* Allocations made and not yet freed, process-wide. */
long lh_fault_live(void);
void *lh_fault_exempt_malloc(size_t size);
void *lh_fault_exempt_calloc(size_t count, size_t size);
#else
static inline void lh_fault_arm(long nth)
{
    (void)nth;
}
static inline long lh_fault_disarm(void)
{
    return 0;
}
static inline long lh_fault_live(void)
{
    return 0;
}
static inline void *lh_fault_exempt_malloc(size_t size)
{
    return malloc(size);
}
static inline void *lh_fault_exempt_calloc(size_t count, size_t size)
{
    return calloc(count, size);
}
#endif

#endif
