/*
 * objstore_internal.h - what a backend implements: the store and writer base structs.
 * A backend embeds lh_objstore_t / lh_obj_writer_t as the first member of its own struct.
 */
#ifndef LH_STORAGE_OBJSTORE_INTERNAL_H
#define LH_STORAGE_OBJSTORE_INTERNAL_H

#include <stdatomic.h>
#include <stdio.h>

#include "storage/objstore/objstore.h"

struct lh_objstore {
    const lh_objstore_vtbl_t *vt;
    char *id;                       /* "file:/abs/root" */
    char *local_root;               /* local stores only, else NULL */
    _Atomic int64_t fail_countdown; /* fault injection: fail when it reaches 1 -> 0 */
};

typedef struct lh_obj_writer_vtbl {
    lh_err (*write)(lh_obj_writer_t *w, const void *b, size_t len, lh_errbuf *eb);
    lh_err (*commit)(lh_obj_writer_t *w, lh_errbuf *eb); /* frees w */
    void (*abort)(lh_obj_writer_t *w);                   /* frees w */
} lh_obj_writer_vtbl_t;

struct lh_obj_writer {
    const lh_obj_writer_vtbl_t *vt;
    lh_objstore_t *os;
    char *key;
    uint64_t bytes_written;
};

/* Count one mutating call against the fault-injection counter. */
lh_err lh_objstore_fault_tick(lh_objstore_t *os, const char *what, const char *key, lh_errbuf *eb);

#endif
