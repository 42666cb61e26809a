/*
 * files.c - the Files API over Unity Catalog volumes:
 *
 *   PUT    /api/2.0/fs/files/Volumes/<c>/<s>/<v>/<path> ?overwrite (default true)   body = bytes
 *   GET    ... -> the bytes (Range works; Last-Modified, Content-Length); HEAD: the headers
 *   DELETE ... -> {}
 *   PUT    /api/2.0/fs/directories/Volumes/... -> {} (mkdir -p, idempotent)
 *   GET    ... ?page_size, page_token -> {contents: [{path, is_directory, file_size,
 *          last_modified, name}], next_page_token}; HEAD: 200 when it exists
 *   DELETE ... -> {} (empty directories only: 409 DIRECTORY_NOT_EMPTY otherwise)
 *
 * Access: admins and the owners of the volume, its schema or its catalog (grants such as
 * READ VOLUME / WRITE VOLUME come with Unity Catalog privileges).
 * A volume's files live in its storage_location (DATA_DIR/volumes/<c>/<s>/<v>/ when
 * managed). Paths are checked segment by segment: no empty, "." or ".." segments, no
 * control characters, so nothing outside the volume is reachable (400 otherwise).
 *
 * Uploads stream into a hidden temporary file beside the target (".lh-upload-<random>",
 * never listed), which is renamed over the target (overwrite) or linked to it (no
 * overwrite: link fails when the name exists, 409) only when the whole body arrived; a
 * cut upload removes the temporary file and leaves nothing. Parent directories are created.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/catalog/catalog_internal.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/util.h"

#define TMP_PREFIX    ".lh-upload-"
#define LIST_PAGE_MAX 1000
#define FILES_PREFIX  "/api/2.0/fs/files"
#define DIRS_PREFIX   "/api/2.0/fs/directories"

typedef struct vpath {
    const char *api; /* "/Volumes/c/s/v/rest" as normalized */
    const char *fs;  /* absolute local path */
    bool is_root;    /* the volume itself */
} vpath;

static lh_err not_found(lh_errbuf *eb, const char *what, const char *path)
{
    return lh_err_set_code(eb, LH_E_NOT_FOUND, "NOT_FOUND", __FILE__, __LINE__,
                           "The %s %s does not exist", what, path);
}

static lh_err check_segment(const char *seg, size_t len, const char *path, lh_errbuf *eb)
{
    LH_FAIL_IF(len == 0 || (len == 1 && seg[0] == '.') || (len == 2 && memcmp(seg, "..", 2) == 0),
               LH_E_INVALID, eb, "Invalid path '%s': empty, '.' and '..' segments are not allowed",
               path);
    LH_FAIL_IF(len > UC_NAME_MAX, LH_E_INVALID, eb, "Invalid path '%s': a name is too long", path);
    for (size_t i = 0; i < len; i++)
        LH_FAIL_IF((unsigned char)seg[i] < 0x20 || seg[i] == 0x7f, LH_E_INVALID, eb,
                   "Invalid path '%s': control characters are not allowed", path);
    LH_FAIL_IF(len >= strlen(TMP_PREFIX) && memcmp(seg, TMP_PREFIX, strlen(TMP_PREFIX)) == 0,
               LH_E_INVALID, eb, "Invalid path '%s': names starting with %s are reserved", path,
               TMP_PREFIX);
    return LH_OK;
}

/* The volume's storage location, after checking the caller may reach its files. */
static lh_err volume_dir(lh_req_t *req, const uc_key *key, const char **dir, lh_errbuf *eb)
{
    lh_errbuf inner = {0};
    lh_err e = uc_volume_access(uc_of(req), req->principal, key, req->arena, dir, &inner);
    if (e == LH_E_NOT_FOUND)
        return not_found(eb, "volume",
                         lh_arena_sprintf(req->arena, "/Volumes/%s/%s/%s", key->part[0],
                                          key->part[1], key->part[2]));
    if (e != LH_OK)
        *eb = inner;
    return e;
}

/* Map the request path after prefix ("/Volumes/c/s/v/...") to a local path. */
static lh_err resolve(lh_req_t *req, const char *prefix, vpath *out, lh_errbuf *eb)
{
    const char *p = req->path + strlen(prefix);
    LH_FAIL_IF(strncmp(p, "/Volumes/", 9) != 0, LH_E_INVALID, eb,
               "Paths must start with /Volumes/<catalog>/<schema>/<volume>");
    size_t total = strlen(p);
    LH_FAIL_IF(total >= UC_PATH_MAX / 2, LH_E_INVALID, eb, "The path is too long");
    if (total > 1 && p[total - 1] == '/')
        total--; /* one trailing slash */
    char *api = lh_arena_strndup(req->arena, p, total);
    uc_key key = {{NULL, NULL, NULL}, 3};
    const char *seg = api + 9, *rest = NULL;
    for (int i = 0; i < 3; i++) {
        const char *end = strchr(seg, '/');
        size_t len = end != NULL ? (size_t)(end - seg) : strlen(seg);
        LH_FAIL_IF(len == 0, LH_E_INVALID, eb,
                   "Invalid path '%s': expected /Volumes/<catalog>/<schema>/<volume>/...", api);
        char *name = lh_arena_alloc(req->arena, UC_NAME_MAX + 1);
        LH_TRY(uc_name("path", lh_arena_strndup(req->arena, seg, len), name, eb));
        key.part[i] = name;
        seg = end != NULL ? end + 1 : NULL;
        if (seg == NULL)
            break;
    }
    LH_FAIL_IF(key.part[2] == NULL, LH_E_INVALID, eb,
               "Invalid path '%s': expected /Volumes/<catalog>/<schema>/<volume>/...", api);
    rest = seg;
    for (const char *s = rest; s != NULL;) {
        const char *end = strchr(s, '/');
        size_t len = end != NULL ? (size_t)(end - s) : strlen(s);
        LH_TRY(check_segment(s, len, api, eb));
        s = end != NULL ? end + 1 : NULL;
    }
    const char *dir;
    LH_TRY(volume_dir(req, &key, &dir, eb));
    out->is_root = rest == NULL;
    out->fs = rest != NULL ? lh_arena_sprintf(req->arena, "%s/%s", dir, rest) : dir;
    out->api = rest != NULL ? lh_arena_sprintf(req->arena, "/Volumes/%s/%s/%s/%s", key.part[0],
                                               key.part[1], key.part[2], rest)
                            : lh_arena_sprintf(req->arena, "/Volumes/%s/%s/%s", key.part[0],
                                               key.part[1], key.part[2]);
    return LH_OK;
}

static const char *http_date(lh_arena_t *arena, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[64];
    strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return lh_arena_strdup(arena, buf);
}

static int64_t mtime_ms(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
}

/* ---- upload ---- */

typedef struct upload {
    int fd;
    const char *tmp, *dest, *api;
    bool overwrite;
} upload;

static lh_err up_write(void *state, const char *data, size_t bytes, lh_errbuf *eb)
{
    upload *u = state;
    while (bytes > 0) {
        ssize_t w = write(u->fd, data, bytes);
        if (w < 0 && errno == EINTR)
            continue;
        LH_FAIL_IF(w <= 0, LH_E_IO, eb, "cannot write %s: %s", u->api, strerror(errno));
        data += w;
        bytes -= (size_t)w;
    }
    return LH_OK;
}

static void up_abort(void *state)
{
    upload *u = state;
    if (u->fd >= 0)
        close(u->fd);
    u->fd = -1;
    unlink(u->tmp);
}

static lh_err up_finish(void *state, lh_req_t *req, lh_errbuf *eb)
{
    upload *u = state;
    (void)req;
    int rc = fsync(u->fd);
    rc |= close(u->fd);
    u->fd = -1;
    if (rc != 0) {
        unlink(u->tmp);
        LH_FAIL(LH_E_IO, eb, "cannot write %s: %s", u->api, strerror(errno));
    }
    rc = u->overwrite ? rename(u->tmp, u->dest) : link(u->tmp, u->dest);
    int saved = errno;
    if (!u->overwrite || rc != 0)
        unlink(u->tmp);
    if (rc != 0 && (saved == EEXIST || saved == EISDIR))
        return lh_err_set_code(eb, LH_E_EXISTS, "ALREADY_EXISTS", __FILE__, __LINE__,
                               "The file %s already exists", u->api);
    LH_FAIL_IF(rc != 0, LH_E_IO, eb, "cannot store %s: %s", u->api, strerror(saved));
    return LH_OK;
}

static const lh_body_sink_t upload_sink = {up_write, up_finish, up_abort};

lh_err uc_h_file_put(lh_req_t *req, lh_errbuf *eb)
{
    vpath vp;
    LH_TRY(resolve(req, FILES_PREFIX, &vp, eb));
    LH_FAIL_IF(vp.is_root, LH_E_INVALID, eb, "%s is a volume, not a file path", vp.api);
    bool overwrite = true;
    LH_TRY(lh_json_get_bool(req->params, "overwrite", LH_OPTIONAL, &overwrite, eb));
    struct stat st;
    if (stat(vp.fs, &st) == 0 && (S_ISDIR(st.st_mode) || !overwrite))
        return lh_err_set_code(eb, LH_E_EXISTS, "ALREADY_EXISTS", __FILE__, __LINE__,
                               "The %s %s already exists",
                               S_ISDIR(st.st_mode) ? "directory" : "file", vp.api);
    char *parent = lh_arena_strdup(req->arena, vp.fs);
    *strrchr(parent, '/') = '\0';
    LH_TRY(uc_mkdirs(parent, eb));
    upload *u = lh_arena_calloc(req->arena, 1, sizeof *u);
    char rnd[17];
    lh_random_hex(rnd, 8);
    u->tmp = lh_arena_sprintf(req->arena, "%s/" TMP_PREFIX "%s", parent, rnd);
    u->dest = vp.fs;
    u->api = vp.api;
    u->overwrite = overwrite;
    u->fd = open(u->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    LH_FAIL_IF(u->fd < 0, LH_E_IO, eb, "cannot create %s: %s", vp.api, strerror(errno));
    lh_req_stream_body(req, &upload_sink, u);
    return LH_OK;
}

/* ---- download, metadata, delete ---- */

lh_err uc_h_file_get(lh_req_t *req, lh_errbuf *eb)
{
    vpath vp;
    LH_TRY(resolve(req, FILES_PREFIX, &vp, eb));
    int fd = open(vp.fs, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
    }
    if (fd < 0)
        return not_found(eb, "file", vp.api);
    lh_req_add_header(req, "Last-Modified", http_date(req->arena, st.st_mtim.tv_sec));
    lh_req_send_file(req, fd, (uint64_t)st.st_size, "application/octet-stream");
    return LH_OK;
}

lh_err uc_h_file_delete(lh_req_t *req, lh_errbuf *eb)
{
    vpath vp;
    LH_TRY(resolve(req, FILES_PREFIX, &vp, eb));
    struct stat st;
    if (lstat(vp.fs, &st) != 0)
        return not_found(eb, "file", vp.api);
    LH_FAIL_IF(S_ISDIR(st.st_mode), LH_E_INVALID, eb,
               "%s is a directory: delete it with the directories API", vp.api);
    LH_FAIL_IF(unlink(vp.fs) != 0, LH_E_IO, eb, "cannot delete %s: %s", vp.api, strerror(errno));
    return LH_OK;
}

/* ---- directories ---- */

lh_err uc_h_dir_put(lh_req_t *req, lh_errbuf *eb)
{
    vpath vp;
    LH_TRY(resolve(req, DIRS_PREFIX, &vp, eb));
    struct stat st;
    if (stat(vp.fs, &st) == 0 && !S_ISDIR(st.st_mode))
        return lh_err_set_code(eb, LH_E_EXISTS, "ALREADY_EXISTS", __FILE__, __LINE__,
                               "A file already exists at %s", vp.api);
    return uc_mkdirs(vp.fs, eb);
}

lh_err uc_h_dir_delete(lh_req_t *req, lh_errbuf *eb)
{
    vpath vp;
    LH_TRY(resolve(req, DIRS_PREFIX, &vp, eb));
    LH_FAIL_IF(vp.is_root, LH_E_INVALID, eb,
               "%s is the root of a volume: delete the volume instead", vp.api);
    struct stat st;
    if (stat(vp.fs, &st) != 0 || !S_ISDIR(st.st_mode))
        return not_found(eb, "directory", vp.api);
    if (rmdir(vp.fs) != 0 && (errno == ENOTEMPTY || errno == EEXIST))
        return lh_err_set_code(eb, LH_E_CONFLICT, "DIRECTORY_NOT_EMPTY", __FILE__, __LINE__,
                               "The directory %s is not empty", vp.api);
    return LH_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Entry names of dir (sorted, temporaries skipped) into the arena. */
static lh_err read_names(lh_req_t *req, const char *dir, const char ***names, size_t *count,
                         lh_errbuf *eb)
{
    DIR *d = opendir(dir);
    LH_FAIL_IF(d == NULL, LH_E_IO, eb, "cannot list directory: %s", strerror(errno));
    size_t n = 0, cap = 64;
    const char **out = malloc(cap * sizeof *out);
    struct dirent *ent;
    while (out != NULL && (ent = readdir(d)) != NULL) {
        const char *nm = ent->d_name;
        if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0 ||
            strncmp(nm, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
            continue;
        if (n == cap) {
            const char **grown = realloc(out, 2 * cap * sizeof *out);
            if (grown == NULL)
                break;
            out = grown;
            cap *= 2;
        }
        out[n++] = lh_arena_strdup(req->arena, nm);
    }
    closedir(d);
    LH_FAIL_IF(out == NULL, LH_E_NOMEM, eb, "out of memory");
    qsort(out, n, sizeof *out, by_name);
    const char **copy = lh_arena_calloc(req->arena, n > 0 ? n : 1, sizeof *copy);
    memcpy(copy, out, n * sizeof *out);
    free(out);
    *names = copy;
    *count = n;
    return LH_OK;
}

static json_t *entry_json(lh_req_t *req, const vpath *vp, const char *name)
{
    struct stat st;
    const char *fs = lh_arena_sprintf(req->arena, "%s/%s", vp->fs, name);
    if (stat(fs, &st) != 0)
        return NULL;
    json_t *o = json_object();
    lh_json_set_str(o, "path", lh_arena_sprintf(req->arena, "%s/%s", vp->api, name));
    lh_json_set_bool(o, "is_directory", S_ISDIR(st.st_mode));
    if (!S_ISDIR(st.st_mode))
        lh_json_set_int(o, "file_size", (int64_t)st.st_size);
    lh_json_set_int(o, "last_modified", mtime_ms(&st));
    lh_json_set_str(o, "name", name);
    return o;
}

static const lh_page_spec DIR_PAGE = {.list_id = LH_PAGE_LIST_FS_DIRECTORY,
                                      .keys = "s",
                                      .size_param = "page_size",
                                      .size_default = LIST_PAGE_MAX,
                                      .size_max = LIST_PAGE_MAX,
                                      .flags = LH_PAGE_CLAMP,
                                      .style = LH_PAGE_STYLE_NEXT};

static lh_err list_dir(lh_req_t *req, const vpath *vp, lh_errbuf *eb)
{
    lh_page_t page;
    LH_TRY(lh_page_parse(&DIR_PAGE, req->params, req->arena, &page, eb));
    const char **names = NULL;
    size_t n = 0;
    LH_TRY(read_names(req, vp->fs, &names, &n, eb));
    json_t *contents = json_array();
    for (size_t i = 0; i < n; i++) {
        lh_page_key key[LH_PAGE_KEYS_MAX] = {{.s = names[i]}};
        if (!lh_page_in_range(&page, key))
            continue;
        if (!lh_page_take(&page, key))
            break;
        json_t *e = entry_json(req, vp, names[i]);
        if (e != NULL)
            lh_page_add(&page, contents, e);
    }
    req->out = json_object();
    json_object_set_new(req->out, "contents", contents);
    lh_page_finish(&page, req->out);
    return LH_OK;
}

lh_err uc_h_dir_get(lh_req_t *req, lh_errbuf *eb)
{
    vpath vp;
    LH_TRY(resolve(req, DIRS_PREFIX, &vp, eb));
    struct stat st;
    if (stat(vp.fs, &st) != 0 || !S_ISDIR(st.st_mode))
        return not_found(eb, "directory", vp.api);
    if (strcmp(req->method, "HEAD") == 0)
        return LH_OK;
    return list_dir(req, &vp, eb);
}
