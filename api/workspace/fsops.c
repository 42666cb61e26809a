/*
 * fsops.c - filesystem primitives for DBFS and the artifact store, over paths that
 * ws_fs_resolve produced (so every component is inside a root and no symlink is on the way).
 *
 * Atomicity: a file appears whole or not at all. Uploads are staged (ws_fs_stage), fsynced
 * and then published by rename (replace) or link (create-only, EEXIST = already exists),
 * and the directory is fsynced. A tree copy is built under a reserved temporary name beside
 * its destination and swapped in with renameat2(RENAME_EXCHANGE) (or renamed when nothing
 * is there), so readers see the old tree or the new one. Removal walks with nftw(FTW_PHYS):
 * symlinks are unlinked, never followed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/workspace/workspace_internal.h"
#include "common/fileio.h"
#include "common/util.h"

static int64_t mtime_ms(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
}

lh_err ws_fs_stat(const char *fs, struct stat *st, lh_errbuf *eb)
{
    if (lstat(fs, st) != 0) {
        LH_FAIL_IF(errno == ENOENT || errno == ENOTDIR, LH_E_NOT_FOUND, eb, "not found");
        LH_FAIL(LH_E_IO, eb, "cannot stat: %s", strerror(errno));
    }
    LH_FAIL_IF(S_ISLNK(st->st_mode), LH_E_INVALID, eb, "symbolic links are not followed");
    return LH_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const ws_entry *)a)->name, ((const ws_entry *)b)->name);
}

lh_err ws_fs_list(const char *fs, lh_arena_t *a, ws_entry **entries, size_t *count, lh_errbuf *eb)
{
    int dfd = open(fs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) {
        LH_FAIL_IF(errno == ENOENT || errno == ENOTDIR, LH_E_NOT_FOUND, eb, "not found");
        LH_FAIL(LH_E_IO, eb, "cannot list: %s", strerror(errno));
    }
    DIR *d = fdopendir(dfd);
    if (d == NULL) {
        close(dfd);
        LH_FAIL(LH_E_IO, eb, "cannot list: %s", strerror(errno));
    }
    size_t n = 0, cap = 16;
    ws_entry *out = malloc(cap * sizeof *out);
    struct dirent *de;
    while (out != NULL && (de = readdir(d)) != NULL) {
        const char *nm = de->d_name;
        struct stat st;
        if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0 || ws_reserved_name(nm, strlen(nm)) ||
            fstatat(dfd, nm, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)))
            continue;
        if (n == cap) {
            ws_entry *grown = realloc(out, 2 * cap * sizeof *out);
            if (grown == NULL) {
                free(out);
                out = NULL;
                break;
            }
            out = grown, cap *= 2;
        }
        out[n++] = (ws_entry){lh_arena_strdup(a, nm), S_ISDIR(st.st_mode),
                              S_ISDIR(st.st_mode) ? 0 : (uint64_t)st.st_size, mtime_ms(&st)};
    }
    closedir(d);
    LH_FAIL_IF(out == NULL, LH_E_NOMEM, eb, "out of memory listing a directory");
    qsort(out, n, sizeof *out, by_name);
    *entries = lh_arena_calloc(a, n > 0 ? n : 1, sizeof **entries);
    memcpy(*entries, out, n * sizeof *out);
    *count = n;
    free(out);
    return LH_OK;
}

lh_err ws_fs_mkdirs(const char *root, const char *rel, lh_arena_t *a, const char *shown,
                    lh_errbuf *eb)
{
    if (mkdir(root, 0755) != 0 && errno != EEXIST)
        LH_FAIL(LH_E_IO, eb, "cannot create the storage root: %s", strerror(errno));
    if (rel[0] == '\0')
        return LH_OK;
    char *path = lh_arena_sprintf(a, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        int rc = mkdir(path, 0755), err = errno;
        struct stat st;
        if (rc != 0 && err == EEXIST && (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
            WS_FAIL_CODE(eb, "RESOURCE_ALREADY_EXISTS",
                         "Cannot create directory %s: a file exists at %s%s", shown,
                         shown[0] == '/' ? "/" : "", path + strlen(root) + 1);
        LH_FAIL_IF(rc != 0 && err == ENOTDIR, LH_E_INVALID, eb,
                   "Cannot create directory %s: a parent is a file", shown);
        LH_FAIL_IF(rc != 0 && err != EEXIST, LH_E_IO, eb, "cannot create directory %s: %s", shown,
                   strerror(err));
        *p = saved;
        if (saved == '\0')
            return LH_OK;
    }
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    int rc = flag == FTW_DP ? rmdir(path) : unlink(path);
    return rc != 0 && errno != ENOENT ? -1 : 0;
}

lh_err ws_fs_remove_tree(const char *fs, lh_errbuf *eb)
{
    struct stat st;
    if (lstat(fs, &st) != 0)
        return errno == ENOENT || errno == ENOTDIR ? LH_OK
                                                   : lh_err_set(eb, LH_E_IO, __FILE__, __LINE__,
                                                                "cannot stat: %s", strerror(errno));
    int rc = S_ISDIR(st.st_mode) ? nftw(fs, rm_one, 32, FTW_DEPTH | FTW_PHYS) : unlink(fs);
    LH_FAIL_IF(rc != 0 && errno != ENOENT, LH_E_IO, eb, "cannot delete: %s", strerror(errno));
    ws_fs_sync_parent(fs);
    return LH_OK;
}

void ws_fs_sync_parent(const char *fs)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", fs);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        return;
    *slash = '\0';
    int fd = open(dir[0] != '\0' ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

lh_err ws_fs_publish(const char *tmp, const char *dst, bool overwrite, const char *shown,
                     lh_errbuf *eb)
{
    struct stat st;
    bool exists = lstat(dst, &st) == 0;
    if (exists && (S_ISDIR(st.st_mode) || !overwrite)) {
        unlink(tmp);
        WS_FAIL_CODE(eb, "RESOURCE_ALREADY_EXISTS", "A %s already exists at %s",
                     S_ISDIR(st.st_mode) ? "directory" : "file", shown);
    }
    int rc = overwrite ? rename(tmp, dst) : link(tmp, dst);
    int err = errno;
    if (!overwrite || rc != 0)
        unlink(tmp);
    if (rc != 0 && (err == EEXIST || err == EISDIR || err == ENOTEMPTY))
        WS_FAIL_CODE(eb, "RESOURCE_ALREADY_EXISTS", "%s already exists", shown);
    LH_FAIL_IF(rc != 0 && err == ENOTDIR, LH_E_INVALID, eb, "Cannot write %s: a parent is a file",
               shown);
    LH_FAIL_IF(rc != 0, LH_E_IO, eb, "cannot store %s: %s", shown, strerror(err));
    ws_fs_sync_parent(dst);
    return LH_OK;
}

lh_err ws_fs_write_all(int fd, const void *buf, size_t bytes, lh_errbuf *eb)
{
    return lh_write_full(fd, buf, bytes, "the file", eb);
}

lh_err ws_fs_stage(const char *dir, lh_arena_t *a, int *fd, const char **path, lh_errbuf *eb)
{
    LH_FAIL_IF(mkdir(dir, 0700) != 0 && errno != EEXIST, LH_E_IO, eb,
               "cannot create the staging directory: %s", strerror(errno));
    char rnd[33];
    lh_random_hex(rnd, 16);
    const char *p = lh_arena_sprintf(a, "%s/%s", dir, rnd);
    *fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    LH_FAIL_IF(*fd < 0, LH_E_IO, eb, "cannot create a staging file: %s", strerror(errno));
    *path = p;
    return LH_OK;
}

/* ---- tree copy ---- */

static lh_err copy_file(const char *src, const char *dst, lh_errbuf *eb)
{
    int in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    LH_FAIL_IF(in < 0, LH_E_IO, eb, "cannot open %s: %s", src, strerror(errno));
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) {
        close(in);
        LH_FAIL(LH_E_IO, eb, "cannot create %s: %s", dst, strerror(errno));
    }
    lh_err e = LH_OK;
    for (;;) {
        ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
        if (n == 0)
            break;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL)) {
            char buf[64 * 1024]; /* a filesystem without copy_file_range: copy by hand */
            while (e == LH_OK && (n = read(in, buf, sizeof buf)) > 0)
                e = ws_fs_write_all(out, buf, (size_t)n, eb);
        }
        if (n < 0 && e == LH_OK)
            e = lh_err_set(eb, LH_E_IO, __FILE__, __LINE__, "cannot copy %s: %s", src,
                           strerror(errno));
        if (n <= 0 || e != LH_OK)
            break;
    }
    if (e == LH_OK && fsync(out) != 0)
        e = lh_err_set(eb, LH_E_IO, __FILE__, __LINE__, "fsync %s: %s", dst, strerror(errno));
    close(in);
    close(out);
    return e;
}

static lh_err copy_any(const char *src, const char *dst, int depth, lh_errbuf *eb)
{
    struct stat st;
    LH_FAIL_IF(depth > 256, LH_E_INVALID, eb, "the tree to copy is nested too deeply");
    LH_FAIL_IF(lstat(src, &st) != 0, LH_E_IO, eb, "cannot stat %s: %s", src, strerror(errno));
    if (S_ISREG(st.st_mode))
        return copy_file(src, dst, eb);
    if (!S_ISDIR(st.st_mode))
        return LH_OK; /* symlinks and specials are not part of a tree we copy */
    LH_FAIL_IF(mkdir(dst, 0755) != 0, LH_E_IO, eb, "cannot create %s: %s", dst, strerror(errno));
    DIR *d = opendir(src);
    LH_FAIL_IF(d == NULL, LH_E_IO, eb, "cannot list %s: %s", src, strerror(errno));
    lh_err e = LH_OK;
    struct dirent *de;
    while (e == LH_OK && (de = readdir(d)) != NULL) {
        const char *nm = de->d_name;
        if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0 || ws_reserved_name(nm, strlen(nm)))
            continue;
        size_t a = strlen(src) + strlen(nm) + 2, b = strlen(dst) + strlen(nm) + 2;
        char *s = malloc(a), *t = malloc(b);
        if (s == NULL || t == NULL)
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory copying");
        else {
            snprintf(s, a, "%s/%s", src, nm);
            snprintf(t, b, "%s/%s", dst, nm);
            e = copy_any(s, t, depth + 1, eb);
        }
        free(s);
        free(t);
    }
    closedir(d);
    if (e == LH_OK) {
        int fd = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            (void)fsync(fd);
            close(fd);
        }
    }
    return e;
}

lh_err ws_fs_copy_tree(const char *src, const char *dst, lh_errbuf *eb)
{
    char rnd[17], tmp[4200], old[4200];
    lh_random_hex(rnd, 8);
    const char *slash = strrchr(dst, '/');
    LH_ASSERT(slash != NULL);
    int dir_bytes = (int)(slash - dst);
    snprintf(tmp, sizeof tmp, "%.*s/.tmp-lh-copy-%s", dir_bytes, dst, rnd);
    lh_err e = copy_any(src, tmp, 0, eb);
    if (e != LH_OK) {
        lh_errbuf ignored;
        ws_fs_remove_tree(tmp, &ignored);
        return e;
    }
    struct stat st;
    int rc = lstat(dst, &st) == 0 ? renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, RENAME_EXCHANGE)
                                  : rename(tmp, dst);
    if (rc != 0 && errno == EINVAL) { /* no RENAME_EXCHANGE here: move the old one aside */
        snprintf(old, sizeof old, "%.*s/.tmp-lh-old-%s", dir_bytes, dst, rnd);
        rc = rename(dst, old);
        if (rc == 0 && (rc = rename(tmp, dst)) != 0)
            (void)rename(old, dst);
        if (rc == 0)
            snprintf(tmp, sizeof tmp, "%s", old);
    }
    int err = errno;
    lh_errbuf ignored;
    ws_fs_remove_tree(tmp, &ignored); /* the old tree after an exchange, or the failed copy */
    LH_FAIL_IF(rc != 0, LH_E_IO, eb, "cannot move the copy into place: %s", strerror(err));
    ws_fs_sync_parent(dst);
    return LH_OK;
}
