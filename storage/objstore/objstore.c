/*
 * objstore.c - the backend-independent front of the object store: key validation, fault
 * injection, dispatch through the vtable, list helpers.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "storage/objstore/objstore_internal.h"

lh_err lh_objstore_check_key(const char *key, bool allow_empty, lh_errbuf *eb)
{
    LH_FAIL_IF(key == NULL, LH_E_INVALID, eb, "object key is NULL");
    if (key[0] == '\0') {
        LH_FAIL_IF(!allow_empty, LH_E_INVALID, eb, "object key is empty");
        return LH_OK;
    }
    LH_FAIL_IF(key[0] == '/', LH_E_INVALID, eb, "object key '%s' is absolute", key);
    const char *seg = key;
    for (;;) {
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        bool last = end == NULL;
        LH_FAIL_IF(n == 0 && !(last && allow_empty), LH_E_INVALID, eb,
                   "object key '%s' has an empty segment", key);
        LH_FAIL_IF((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'),
                   LH_E_INVALID, eb, "object key '%s' has a '.' or '..' segment", key);
        if (last)
            break;
        seg = end + 1;
    }
    return LH_OK;
}

/* Consume one mutating call; LH_E_IO when it is the armed one. */
static lh_err fault_tick(lh_objstore_t *os, const char *what, const char *key, lh_errbuf *eb)
{
    int64_t left = atomic_load(&os->fail_countdown);
    while (left > 0) {
        if (atomic_compare_exchange_weak(&os->fail_countdown, &left, left - 1)) {
            LH_FAIL_IF(left == 1, LH_E_IO, eb, "injected fault: %s '%s'", what, key);
            return LH_OK;
        }
    }
    return LH_OK;
}

lh_err lh_objstore_fault_tick(lh_objstore_t *os, const char *what, const char *key, lh_errbuf *eb)
{
    return fault_tick(os, what, key, eb);
}

void lh_objstore_fail_nth(lh_objstore_t *os, int64_t n)
{
    atomic_store(&os->fail_countdown, n);
}

void lh_objstore_destroy(lh_objstore_t *os)
{
    if (os)
        os->vt->destroy(os);
}

const char *lh_objstore_id(const lh_objstore_t *os)
{
    return os->id;
}

lh_err lh_objstore_get(lh_objstore_t *os, const char *key, uint8_t **out_bytes, size_t *out_len,
                       lh_errbuf *eb)
{
    LH_TRY(lh_objstore_check_key(key, false, eb));
    return os->vt->get(os, key, out_bytes, out_len, eb);
}

lh_err lh_objstore_get_range(lh_objstore_t *os, const char *key, uint64_t offset, void *buf,
                             size_t len, lh_errbuf *eb)
{
    LH_TRY(lh_objstore_check_key(key, false, eb));
    return os->vt->get_range(os, key, offset, buf, len, eb);
}

lh_err lh_objstore_put(lh_objstore_t *os, const char *key, const void *bytes, size_t len,
                       lh_errbuf *eb)
{
    LH_TRY(lh_objstore_check_key(key, false, eb));
    LH_TRY(fault_tick(os, "put", key, eb));
    return os->vt->put(os, key, bytes, len, false, eb);
}

lh_err lh_objstore_put_if_absent(lh_objstore_t *os, const char *key, const void *bytes, size_t len,
                                 lh_errbuf *eb)
{
    LH_TRY(lh_objstore_check_key(key, false, eb));
    LH_TRY(fault_tick(os, "put_if_absent", key, eb));
    return os->vt->put(os, key, bytes, len, true, eb);
}

lh_err lh_objstore_list(lh_objstore_t *os, const char *prefix, lh_obj_list_t *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    LH_TRY(lh_objstore_check_key(prefix, true, eb));
    return os->vt->list(os, prefix, out, eb);
}

void lh_obj_list_free(lh_obj_list_t *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i].key);
    free(l->items);
    memset(l, 0, sizeof *l);
}

lh_err lh_objstore_delete(lh_objstore_t *os, const char *key, lh_errbuf *eb)
{
    LH_TRY(lh_objstore_check_key(key, false, eb));
    LH_TRY(fault_tick(os, "delete", key, eb));
    return os->vt->del(os, key, eb);
}

lh_err lh_objstore_stat(lh_objstore_t *os, const char *key, lh_obj_info_t *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    LH_TRY(lh_objstore_check_key(key, false, eb));
    return os->vt->stat(os, key, out, eb);
}

lh_err lh_objstore_open_write(lh_objstore_t *os, const char *key, lh_obj_writer_t **out,
                              lh_errbuf *eb)
{
    *out = NULL;
    LH_TRY(lh_objstore_check_key(key, false, eb));
    return os->vt->open_write(os, key, out, eb);
}

lh_err lh_obj_writer_write(lh_obj_writer_t *w, const void *bytes, size_t len, lh_errbuf *eb)
{
    lh_err e = w->vt->write(w, bytes, len, eb);
    if (e == LH_OK)
        w->bytes_written += len;
    return e;
}

uint64_t lh_obj_writer_bytes(const lh_obj_writer_t *w)
{
    return w->bytes_written;
}

lh_err lh_obj_writer_commit(lh_obj_writer_t *w, lh_errbuf *eb)
{
    lh_err e = fault_tick(w->os, "commit", w->key, eb);
    if (e != LH_OK) {
        w->vt->abort(w);
        return e;
    }
    return w->vt->commit(w, eb);
}

void lh_obj_writer_abort(lh_obj_writer_t *w)
{
    if (w)
        w->vt->abort(w);
}

static lh_err sink_write(void *ctx, const void *buf, size_t len, lh_errbuf *eb)
{
    return lh_obj_writer_write(ctx, buf, len, eb);
}

lh_byte_sink_t lh_obj_writer_sink(lh_obj_writer_t *w)
{
    lh_byte_sink_t s = {.ctx = w, .write = sink_write};
    return s;
}

lh_err lh_objstore_open_source(lh_objstore_t *os, const char *key, lh_byte_source_t *out,
                               lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    LH_TRY(lh_objstore_check_key(key, false, eb));
    return os->vt->open_source(os, key, out, eb);
}

lh_err lh_objstore_local_path(const lh_objstore_t *os, const char *key, char *buf, size_t buf_size,
                              lh_errbuf *eb)
{
    LH_FAIL_IF(os->local_root == NULL, LH_E_UNSUPPORTED, eb, "not a local object store");
    LH_TRY(lh_objstore_check_key(key, true, eb));
    int n = snprintf(buf, buf_size, "%s%s%s", os->local_root, key[0] ? "/" : "", key);
    LH_FAIL_IF(n < 0 || (size_t)n >= buf_size, LH_E_INVALID, eb, "path too long for key '%s'", key);
    return LH_OK;
}
