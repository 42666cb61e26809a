/*
 * hashtable.c - the keyed hash table of the hash aggregate and the set operations, and the
 * bump allocator their entries live in. Keys are lh_vecops_encode byte strings; the table
 * keeps (hash, entry) pairs with linear probing and doubles at half load. Every byte is
 * charged to the query (exec_mem_charge), so a table that cannot fit fails cleanly.
 */
#include <stdlib.h>
#include <string.h>

#include "compute/exec/exec_internal.h"

#define CHUNK_BYTES (256 * 1024)

typedef struct bump_chunk {
    struct bump_chunk *next;
    size_t used, size;
    _Alignas(16) uint8_t bytes[];
} bump_chunk;

void exec_bump_init(exec_bump *b, exec_query *q)
{
    memset(b, 0, sizeof *b);
    b->q = q;
}

lh_err exec_bump_alloc(exec_bump *b, size_t size, void **out, lh_errbuf *eb)
{
    size = (size + 15) & ~(size_t)15;
    bump_chunk *c = b->head;
    if (c == NULL || c->size - c->used < size) {
        /* chunks of at most 1/32 of a small memory limit, so tables of a spilling
         * aggregate's partitions fit (4 KB at least) */
        int64_t limit = b->q && b->q->opts ? b->q->opts->memory_limit_bytes : 0;
        size_t chunk = CHUNK_BYTES;
        if (limit > 0 && (size_t)limit / 32 < chunk)
            chunk = (size_t)limit / 32 > 4096 ? (size_t)limit / 32 : 4096;
        size_t cs = size > chunk ? size : chunk;
        LH_TRY(exec_mem_charge(b->q, (int64_t)cs, eb));
        c = malloc(sizeof *c + cs);
        if (c == NULL) {
            exec_mem_release(b->q, (int64_t)cs);
            LH_FAIL(LH_E_NOMEM, eb, "out of memory");
        }
        c->next = b->head;
        c->used = 0;
        c->size = cs;
        b->head = c;
        b->charged += (int64_t)cs;
    }
    *out = c->bytes + c->used;
    memset(*out, 0, size);
    c->used += size;
    return LH_OK;
}

void exec_bump_free(exec_bump *b)
{
    for (bump_chunk *c = b->head, *n; c != NULL; c = n) {
        n = c->next;
        free(c);
    }
    if (b->q)
        exec_mem_release(b->q, b->charged);
    memset(b, 0, sizeof *b);
}

void exec_bump_move(exec_bump *dst, exec_bump *src)
{
    bump_chunk *last = src->head;
    if (last == NULL)
        return;
    while (last->next != NULL)
        last = last->next;
    last->next = dst->head;
    /* keep dst's open chunk first so its free space is used */
    if (dst->head != NULL) {
        bump_chunk *open = dst->head;
        last->next = open->next;
        open->next = src->head;
    } else {
        dst->head = src->head;
    }
    dst->charged += src->charged;
    src->head = NULL;
    src->charged = 0;
}

void exec_ht_init(exec_ht *h, exec_query *q)
{
    memset(h, 0, sizeof *h);
    h->q = q;
}

void exec_ht_free(exec_ht *h)
{
    free(h->slots);
    if (h->q)
        exec_mem_release(h->q, h->charged);
    memset(h, 0, sizeof *h);
}

uint64_t exec_ht_hash(const uint8_t *key, size_t len)
{
    uint64_t x = lh_vecops_hash(key, len);
    return x ? x : 1;
}

void *exec_ht_find(const exec_ht *h, uint64_t hash, const uint8_t *key, size_t len)
{
    if (h->cap == 0)
        return NULL;
    for (size_t i = hash & (h->cap - 1);; i = (i + 1) & (h->cap - 1)) {
        const exec_ht_slot *s = &h->slots[i];
        if (s->hash == 0)
            return NULL;
        if (s->hash == hash && EXEC_HT_KEY_LEN(s->entry) == len &&
            memcmp(EXEC_HT_KEY(s->entry), key, len) == 0)
            return s->entry;
    }
}

static lh_err grow(exec_ht *h, lh_errbuf *eb)
{
    size_t cap = h->cap ? h->cap * 2 : 1024;
    int64_t bytes = (int64_t)(cap * sizeof(exec_ht_slot));
    LH_TRY(exec_mem_charge(h->q, bytes, eb));
    /* written before read, not calloc: fresh pages written first fault in once, where
     * calloc's zero pages are read by the probes below and then copied on write, each copy
     * a TLB flush on every core (explicit_bzero: the compiler turns malloc + memset back
     * into calloc) */
    exec_ht_slot *ss = malloc(cap * sizeof *ss);
    if (ss == NULL) {
        exec_mem_release(h->q, bytes);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    explicit_bzero(ss, cap * sizeof *ss);
    for (size_t i = 0; i < h->cap; i++) {
        if (h->slots[i].hash == 0)
            continue;
        size_t j = h->slots[i].hash & (cap - 1);
        while (ss[j].hash != 0)
            j = (j + 1) & (cap - 1);
        ss[j] = h->slots[i];
    }
    free(h->slots);
    exec_mem_release(h->q, h->charged);
    h->slots = ss;
    h->cap = cap;
    h->charged = bytes;
    return LH_OK;
}

lh_err exec_ht_insert(exec_ht *h, uint64_t hash, void *entry, lh_errbuf *eb)
{
    if ((h->count + 1) * 2 > h->cap)
        LH_TRY(grow(h, eb));
    size_t i = hash & (h->cap - 1);
    while (h->slots[i].hash != 0)
        i = (i + 1) & (h->cap - 1);
    h->slots[i] = (exec_ht_slot){hash, entry};
    h->count++;
    return LH_OK;
}
