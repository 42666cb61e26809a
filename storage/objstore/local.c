/*
 * local.c - the local-filesystem object store: key "a/b/c" is file <root>/a/b/c.
 *
 * Atomic writes (readers never see a partial object):
 *   put            write <dir>/.tmp-<rand>, fsync, rename over the key, fsync <dir>
 *   put_if_absent  write <dir>/.tmp-<rand>, fsync, link(tmp, key) (EEXIST -> LH_E_EXISTS),
 *                  unlink tmp, fsync <dir>. Never rename (it would overwrite) and never
 *                  O_EXCL-create the key then write it (readers would see a prefix).
 *   writer         streams into .tmp-<rand>; commit = fsync + rename + fsync dir.
 * Parent directories are created on demand (mkdir -p). list walks the directory that
 * contains the prefix, recursively, skipping .tmp-* files, and sorts by key.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "storage/objstore/objstore_internal.h"

#define TMP_PREFIX ".tmp-"

typedef struct local_store {
    lh_objstore_t base;
} local_store_t;

typedef struct local_writer {
    lh_obj_writer_t base;
    int fd;
    lh_writeback_t wb; /* early writeback: commit's fsync waits for the tail only */
    char tmp_path[PATH_MAX];
    char final_path[PATH_MAX];
} local_writer_t;

static lh_err key_path(lh_objstore_t *os, const char *key, char *buf, lh_errbuf *eb)
{
    return lh_objstore_local_path(os, key, buf, PATH_MAX, eb);
}

static lh_err mkdirs_for(char *path, lh_errbuf *eb)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0755);
        int err = errno;
        *p = '/';
        LH_FAIL_IF(rc != 0 && err != EEXIST, LH_E_IO, eb, "mkdir %.*s: %s", (int)(p - path), path,
                   strerror(err));
    }
    return LH_OK;
}

static void dir_of(const char *path, char *out)
{
    snprintf(out, PATH_MAX, "%s", path);
    char *slash = strrchr(out, '/');
    if (slash != NULL)
        *slash = slash == out ? '/' : '\0';
}

static lh_err fsync_dir(const char *path, lh_errbuf *eb)
{
    char dir[PATH_MAX];
    dir_of(path, dir);
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    LH_FAIL_IF(fd < 0, LH_E_IO, eb, "open dir %s: %s", dir, strerror(errno));
    int rc = fsync(fd);
    int err = errno;
    close(fd);
    LH_FAIL_IF(rc != 0, LH_E_IO, eb, "fsync dir %s: %s", dir, strerror(err));
    return LH_OK;
}

/* Open a fresh temporary file beside final_path. */
static lh_err open_tmp(const char *final_path, char *tmp_path, int *fd_out, lh_errbuf *eb)
{
    char dir[PATH_MAX];
    dir_of(final_path, dir);
    uint64_t r[2] = {0, 0};
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        r[0] = (uint64_t)getpid() ^ (uint64_t)(uintptr_t)tmp_path;
    int n = snprintf(tmp_path, PATH_MAX, "%s/" TMP_PREFIX "%016llx%016llx", dir,
                     (unsigned long long)r[0], (unsigned long long)r[1]);
    LH_FAIL_IF(n < 0 || n >= PATH_MAX, LH_E_INVALID, eb, "path too long: %s", final_path);
    int fd = open(tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    LH_FAIL_IF(fd < 0, LH_E_IO, eb, "create %s: %s", tmp_path, strerror(errno));
    *fd_out = fd;
    return LH_OK;
}

/* Write bytes to a new synced temporary file next to final_path. */
static lh_err write_tmp(const char *final_path, const void *bytes, size_t len, char *tmp_path,
                        lh_errbuf *eb)
{
    int fd;
    LH_TRY(open_tmp(final_path, tmp_path, &fd, eb));
    lh_err e = lh_write_full(fd, bytes, len, tmp_path, eb);
    if (e == LH_OK && fsync(fd) != 0)
        e = lh_err_set(eb, LH_E_IO, __FILE__, __LINE__, "fsync %s: %s", tmp_path, strerror(errno));
    close(fd);
    if (e != LH_OK)
        unlink(tmp_path);
    return e;
}

static lh_err publish(const char *tmp, const char *final_path, bool if_absent, lh_errbuf *eb)
{
    if (!if_absent) {
        if (rename(tmp, final_path) != 0) {
            int err = errno;
            unlink(tmp);
            LH_FAIL(LH_E_IO, eb, "rename to %s: %s", final_path, strerror(err));
        }
        return fsync_dir(final_path, eb);
    }
    int rc = link(tmp, final_path);
    int err = errno;
    unlink(tmp);
    LH_FAIL_IF(rc != 0 && err == EEXIST, LH_E_EXISTS, eb, "object %s already exists", final_path);
    LH_FAIL_IF(rc != 0, LH_E_IO, eb, "link to %s: %s", final_path, strerror(err));
    return fsync_dir(final_path, eb);
}

static lh_err local_put(lh_objstore_t *os, const char *key, const void *bytes, size_t len,
                        bool if_absent, lh_errbuf *eb)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    LH_TRY(key_path(os, key, path, eb));
    LH_TRY(mkdirs_for(path, eb));
    LH_TRY(write_tmp(path, bytes, len, tmp, eb));
    return publish(tmp, path, if_absent, eb);
}

static lh_err open_existing(lh_objstore_t *os, const char *key, int *fd, struct stat *st,
                            lh_errbuf *eb)
{
    char path[PATH_MAX];
    LH_TRY(key_path(os, key, path, eb));
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    LH_FAIL_IF(*fd < 0 && (errno == ENOENT || errno == ENOTDIR), LH_E_NOT_FOUND, eb,
               "object '%s' not found", key);
    LH_FAIL_IF(*fd < 0, LH_E_IO, eb, "open %s: %s", path, strerror(errno));
    if (fstat(*fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(*fd);
        LH_FAIL(LH_E_NOT_FOUND, eb, "object '%s' is not a file", key);
    }
    return LH_OK;
}

static lh_err pread_all(int fd, uint64_t off, void *buf, size_t len, const char *what,
                        lh_errbuf *eb)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        LH_FAIL_IF(n < 0, LH_E_IO, eb, "read %s: %s", what, strerror(errno));
        LH_FAIL_IF(n == 0, LH_E_CORRUPT, eb, "short read of %s at offset %llu", what,
                   (unsigned long long)off);
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return LH_OK;
}

static lh_err local_get(lh_objstore_t *os, const char *key, uint8_t **out, size_t *len,
                        lh_errbuf *eb)
{
    int fd;
    struct stat st;
    *out = NULL;
    *len = 0;
    LH_TRY(open_existing(os, key, &fd, &st, eb));
    uint8_t *buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        close(fd);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory reading '%s'", key);
    }
    lh_err e = pread_all(fd, 0, buf, (size_t)st.st_size, key, eb);
    close(fd);
    if (e != LH_OK) {
        free(buf);
        return e;
    }
    buf[st.st_size] = '\0';
    *out = buf;
    *len = (size_t)st.st_size;
    return LH_OK;
}

static lh_err local_get_range(lh_objstore_t *os, const char *key, uint64_t off, void *buf,
                              size_t len, lh_errbuf *eb)
{
    int fd;
    struct stat st;
    LH_TRY(open_existing(os, key, &fd, &st, eb));
    lh_err e = pread_all(fd, off, buf, len, key, eb);
    close(fd);
    return e;
}

/* ---- list ------------------------------------------------------------------------------ */

typedef struct list_acc {
    lh_obj_list_t *out;
    size_t cap;
    const char *prefix;
} list_acc_t;

static lh_err acc_push(list_acc_t *a, const char *key, const struct stat *st, lh_errbuf *eb)
{
    if (a->out->count == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        lh_obj_info_t *items = realloc(a->out->items, cap * sizeof *items);
        LH_FAIL_IF(items == NULL, LH_E_NOMEM, eb, "out of memory listing");
        a->out->items = items;
        a->cap = cap;
    }
    lh_obj_info_t *it = &a->out->items[a->out->count];
    it->key = strdup(key);
    LH_FAIL_IF(it->key == NULL, LH_E_NOMEM, eb, "out of memory listing");
    it->size_bytes = (uint64_t)st->st_size;
    it->mtime_ms = (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
    a->out->count++;
    return LH_OK;
}

/* Could a key under directory dir_key ("" or "a/b/") start with the prefix? */
static bool dir_may_match(const char *dir_key, const char *prefix)
{
    size_t d = strlen(dir_key), p = strlen(prefix);
    return strncmp(dir_key, prefix, d < p ? d : p) == 0;
}

static lh_err walk(list_acc_t *a, const char *root, const char *dir_key, lh_errbuf *eb);

static lh_err walk_entry(list_acc_t *a, const char *root, const char *dir_key, const char *name,
                         lh_errbuf *eb)
{
    char key[PATH_MAX], path[PATH_MAX];
    struct stat st;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
        strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
        return LH_OK;
    int n = snprintf(key, sizeof key, "%s%s", dir_key, name);
    LH_FAIL_IF(n < 0 || n >= (int)sizeof key, LH_E_IO, eb, "key too long under %s", dir_key);
    n = snprintf(path, sizeof path, "%s/%s", root, key);
    LH_FAIL_IF(n < 0 || n >= (int)sizeof path, LH_E_IO, eb, "path too long under %s", root);
    if (stat(path, &st) != 0)
        return LH_OK; /* vanished meanwhile */
    if (S_ISDIR(st.st_mode)) {
        LH_FAIL_IF(n + 1 >= (int)sizeof key, LH_E_IO, eb, "key too long");
        strcat(key, "/");
        return dir_may_match(key, a->prefix) ? walk(a, root, key, eb) : LH_OK;
    }
    if (S_ISREG(st.st_mode) && strncmp(key, a->prefix, strlen(a->prefix)) == 0)
        return acc_push(a, key, &st, eb);
    return LH_OK;
}

static lh_err walk(list_acc_t *a, const char *root, const char *dir_key, lh_errbuf *eb)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", root, dir_key);
    DIR *d = opendir(path);
    if (d == NULL) {
        LH_FAIL_IF(errno != ENOENT && errno != ENOTDIR, LH_E_IO, eb, "opendir %s: %s", path,
                   strerror(errno));
        return LH_OK;
    }
    lh_err e = LH_OK;
    struct dirent *de;
    while (e == LH_OK && (de = readdir(d)) != NULL)
        e = walk_entry(a, root, dir_key, de->d_name, eb);
    closedir(d);
    return e;
}

static int cmp_info(const void *a, const void *b)
{
    return strcmp(((const lh_obj_info_t *)a)->key, ((const lh_obj_info_t *)b)->key);
}

static lh_err local_list(lh_objstore_t *os, const char *prefix, lh_obj_list_t *out, lh_errbuf *eb)
{
    char dir_key[PATH_MAX];
    snprintf(dir_key, sizeof dir_key, "%s", prefix);
    char *slash = strrchr(dir_key, '/');
    if (slash != NULL)
        slash[1] = '\0';
    else
        dir_key[0] = '\0';
    list_acc_t a = {.out = out, .cap = 0, .prefix = prefix};
    lh_err e = walk(&a, os->local_root, dir_key, eb);
    if (e != LH_OK) {
        lh_obj_list_free(out);
        return e;
    }
    if (out->count > 1)
        qsort(out->items, out->count, sizeof *out->items, cmp_info);
    return LH_OK;
}

/* ---- delete / stat ----------------------------------------------------------------------- */

static lh_err local_del(lh_objstore_t *os, const char *key, lh_errbuf *eb)
{
    char path[PATH_MAX];
    LH_TRY(key_path(os, key, path, eb));
    if (unlink(path) != 0) {
        LH_FAIL_IF(errno == ENOENT || errno == ENOTDIR, LH_E_NOT_FOUND, eb, "object '%s' not found",
                   key);
        LH_FAIL(LH_E_IO, eb, "unlink %s: %s", path, strerror(errno));
    }
    return LH_OK;
}

static lh_err local_stat(lh_objstore_t *os, const char *key, lh_obj_info_t *out, lh_errbuf *eb)
{
    char path[PATH_MAX];
    struct stat st;
    LH_TRY(key_path(os, key, path, eb));
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        LH_FAIL_IF(errno == ENOENT || errno == ENOTDIR || errno == 0, LH_E_NOT_FOUND, eb,
                   "object '%s' not found", key);
        LH_FAIL(LH_E_NOT_FOUND, eb, "object '%s' not found: %s", key, strerror(errno));
    }
    out->key = NULL;
    out->size_bytes = (uint64_t)st.st_size;
    out->mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
    return LH_OK;
}

/* ---- streaming writer -------------------------------------------------------------------- */

static void writer_free(local_writer_t *w)
{
    free(w->base.key);
    free(w);
}

static lh_err lw_write(lh_obj_writer_t *base, const void *b, size_t len, lh_errbuf *eb)
{
    local_writer_t *w = (local_writer_t *)base;
    LH_TRY(lh_write_full(w->fd, b, len, w->tmp_path, eb));
    lh_writeback_note(&w->wb, w->fd, len);
    return LH_OK;
}

static lh_err lw_commit(lh_obj_writer_t *base, lh_errbuf *eb)
{
    local_writer_t *w = (local_writer_t *)base;
    lh_err e = LH_OK;
    if (fsync(w->fd) != 0)
        e = lh_err_set(eb, LH_E_IO, __FILE__, __LINE__, "fsync %s: %s", w->tmp_path,
                       strerror(errno));
    close(w->fd);
    if (e == LH_OK)
        e = publish(w->tmp_path, w->final_path, false, eb);
    else
        unlink(w->tmp_path);
    writer_free(w);
    return e;
}

static void lw_abort(lh_obj_writer_t *base)
{
    local_writer_t *w = (local_writer_t *)base;
    close(w->fd);
    unlink(w->tmp_path);
    writer_free(w);
}

static const lh_obj_writer_vtbl_t local_writer_vt = {lw_write, lw_commit, lw_abort};

static lh_err local_open_write(lh_objstore_t *os, const char *key, lh_obj_writer_t **out,
                               lh_errbuf *eb)
{
    local_writer_t *w = calloc(1, sizeof *w);
    LH_FAIL_IF(w == NULL, LH_E_NOMEM, eb, "out of memory");
    w->base.vt = &local_writer_vt;
    w->base.os = os;
    w->base.key = strdup(key);
    lh_err e = w->base.key ? key_path(os, key, w->final_path, eb)
                           : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK)
        e = mkdirs_for(w->final_path, eb);
    if (e == LH_OK)
        e = open_tmp(w->final_path, w->tmp_path, &w->fd, eb);
    if (e != LH_OK) {
        writer_free(w);
        return e;
    }
    *out = &w->base;
    return LH_OK;
}

/* ---- byte source ------------------------------------------------------------------------- */

typedef struct fd_source {
    int fd;
} fd_source_t;

static lh_err src_read_at(void *ctx, uint64_t offset, void *buf, size_t len, lh_errbuf *eb)
{
    return pread_all(((fd_source_t *)ctx)->fd, offset, buf, len, "object source", eb);
}

static void src_close(void *ctx)
{
    close(((fd_source_t *)ctx)->fd);
    free(ctx);
}

static lh_err local_open_source(lh_objstore_t *os, const char *key, lh_byte_source_t *out,
                                lh_errbuf *eb)
{
    int fd;
    struct stat st;
    LH_TRY(open_existing(os, key, &fd, &st, eb));
    fd_source_t *s = malloc(sizeof *s);
    if (s == NULL) {
        close(fd);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    s->fd = fd;
    out->ctx = s;
    out->size = (uint64_t)st.st_size;
    out->read_at = src_read_at;
    out->close = src_close;
    return LH_OK;
}

/* ---- lifecycle ----------------------------------------------------------------------------- */

static void local_destroy(lh_objstore_t *os)
{
    free(os->id);
    free(os->local_root);
    free(os);
}

static const lh_objstore_vtbl_t local_vt = {
    .get = local_get,
    .get_range = local_get_range,
    .put = local_put,
    .list = local_list,
    .del = local_del,
    .stat = local_stat,
    .open_write = local_open_write,
    .open_source = local_open_source,
    .destroy = local_destroy,
};

lh_err lh_objstore_local_create(const char *root, lh_objstore_t **out, lh_errbuf *eb)
{
    char path[PATH_MAX], real[PATH_MAX];
    *out = NULL;
    int n = snprintf(path, sizeof path, "%s/", root);
    LH_FAIL_IF(n < 0 || n >= (int)sizeof path, LH_E_INVALID, eb, "root path too long");
    LH_TRY(mkdirs_for(path, eb));
    LH_FAIL_IF(realpath(root, real) == NULL, LH_E_IO, eb, "realpath %s: %s", root, strerror(errno));
    local_store_t *s = calloc(1, sizeof *s);
    LH_FAIL_IF(s == NULL, LH_E_NOMEM, eb, "out of memory");
    s->base.vt = &local_vt;
    s->base.local_root = strdup(real);
    s->base.id = malloc(strlen(real) + 6);
    if (s->base.local_root == NULL || s->base.id == NULL) {
        local_destroy(&s->base);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    sprintf(s->base.id, "file:%s", real);
    atomic_init(&s->base.fail_countdown, 0);
    *out = &s->base;
    return LH_OK;
}
