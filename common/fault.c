/*
 * fault.c - the allocator of the fault-injection build (see fault.h); empty otherwise.
 *
 * Each wrapper asks should_fail() first (an armed thread, its nth call), then
 * forwards to glibc's __libc_* allocator and adjusts the live count on success. State
 * is thread-local except the live count (relaxed atomic: it is read only at quiet points).
 * Nothing here may allocate.
 */
#include "common/fault.h"

#ifdef LH_FAULT_INJECT

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *p, size_t size);
void __libc_free(void *p);
void *__libc_memalign(size_t align, size_t size);

/* The replacements, declared here because their public prototypes come from stdlib.h
 * (malloc.h for memalign, valloc and pvalloc). */
void *memalign(size_t align, size_t size);
void *pvalloc(size_t size);

static atomic_long live;
static __thread long tl_nth;     /* > 0: the allocation number that fails */
static __thread long tl_counted; /* allocations seen since arming */
static __thread int tl_armed;

void lh_fault_arm(long nth)
{
    tl_nth = nth > 0 ? nth : 0;
    tl_counted = 0;
    tl_armed = 1;
}

long lh_fault_disarm(void)
{
    tl_armed = 0;
    tl_nth = 0;
    return tl_counted;
}

long lh_fault_live(void)
{
    return atomic_load_explicit(&live, memory_order_relaxed);
}

static int should_fail(void)
{
    if (!tl_armed)
        return 0;
    if (++tl_counted != tl_nth)
        return 0;
    errno = ENOMEM;
    return 1;
}

static void *counted(void *p)
{
    if (p != NULL)
        atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
    return p;
}

void *malloc(size_t size)
{
    return should_fail() ? NULL : counted(__libc_malloc(size));
}

void *calloc(size_t count, size_t size)
{
    return should_fail() ? NULL : counted(__libc_calloc(count, size));
}

void *realloc(void *p, size_t size)
{
    if (p == NULL)
        return malloc(size);
    if (size == 0) { /* glibc frees p and returns NULL */
        free(p);
        return NULL;
    }
    return should_fail() ? NULL : __libc_realloc(p, size);
}

void free(void *p)
{
    if (p == NULL)
        return;
    atomic_fetch_sub_explicit(&live, 1, memory_order_relaxed);
    __libc_free(p);
}

void *memalign(size_t align, size_t size)
{
    return should_fail() ? NULL : counted(__libc_memalign(align, size));
}

void *aligned_alloc(size_t align, size_t size)
{
    return memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1)) != 0)
        return EINVAL;
    void *p = memalign(align, size);
    if (p == NULL)
        return ENOMEM;
    *out = p;
    return 0;
}

void *valloc(size_t size)
{
    return memalign(4096, size);
}

void *pvalloc(size_t size)
{
    return memalign(4096, (size + 4095) & ~(size_t)4095);
}

/* Straight to glibc: a flag raised around a call to malloc would not do, as the compiler
 * may assume malloc reads no global state and drop the flag's updates. */
void *lh_fault_exempt_malloc(size_t size)
{
    return counted(__libc_malloc(size));
}

void *lh_fault_exempt_calloc(size_t count, size_t size)
{
    return counted(__libc_calloc(count, size));
}

#else
/* ISO C forbids an empty translation unit. */
typedef int lh_fault_unused_t;
#endif
