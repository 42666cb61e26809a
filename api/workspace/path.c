/*
 * path.c - which names DBFS and the artifact store can reach, decided in one place.
 *
 * Every path the workspace area touches passes ws_rel_path: segments are checked one by
 * one (no empty, "." or ".." segment, no control character, no percent-encoded dot or
 * separator, no reserved temporary name), so a canonical relative path never climbs out
 * of its root by name. ws_fs_resolve then refuses symbolic links on the way down (one
 * planted inside DATA_DIR/dbfs could otherwise point anywhere): every existing component
 * is lstat'ed, and the final open of a file uses O_NOFOLLOW as well (fsops.c, dbfs.c).
 * Nothing in the API creates symlinks, so only someone with access to the data dir can
 * plant one; the check is about not following it, not about races with such a person.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "api/workspace/workspace_internal.h"

bool ws_reserved_name(const char *name, size_t bytes)
{
    return (bytes >= 4 && memcmp(name, ".lh-", 4) == 0) ||
           (bytes >= 5 && memcmp(name, ".tmp-", 5) == 0);
}

/* "%2e", "%2f", "%5c" in any case. */
static bool encoded_dot_or_separator(const char *s, size_t n)
{
    for (size_t i = 0; i + 2 < n; i++) {
        if (s[i] != '%')
            continue;
        if ((s[i + 1] == '2' && strchr("eEfF", s[i + 2]) != NULL) ||
            (s[i + 1] == '5' && strchr("cC", s[i + 2]) != NULL))
            return true;
    }
    return false;
}

static lh_err check_segment(const char *seg, size_t n, const char *shown, lh_errbuf *eb)
{
    LH_FAIL_IF(n == 0, LH_E_INVALID, eb, "Invalid path '%s': empty segments are not allowed",
               shown);
    LH_FAIL_IF((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'),
               LH_E_INVALID, eb, "Invalid path '%s': '.' and '..' segments are not allowed", shown);
    LH_FAIL_IF(n > WS_SEGMENT_MAX, LH_E_INVALID, eb,
               "Invalid path '%s': a name is longer than %d bytes", shown, WS_SEGMENT_MAX);
    for (size_t i = 0; i < n; i++)
        LH_FAIL_IF((unsigned char)seg[i] < 0x20 || seg[i] == 0x7f, LH_E_INVALID, eb,
                   "Invalid path '%s': control characters are not allowed", shown);
    LH_FAIL_IF(encoded_dot_or_separator(seg, n), LH_E_INVALID, eb,
               "Invalid path '%s': percent-encoded dots and separators are not allowed", shown);
    LH_FAIL_IF(ws_reserved_name(seg, n), LH_E_INVALID, eb,
               "Invalid path '%s': names starting with '.lh-' or '.tmp-' are reserved", shown);
    return LH_OK;
}

/* A printable copy of (possibly hostile) input for messages: bounded, controls as '?'. */
static const char *shown_of(const char *in, size_t n, lh_arena_t *a)
{
    size_t m = n > 200 ? 200 : n;
    char *s = lh_arena_alloc(a, m + 4);
    for (size_t i = 0; i < m; i++)
        s[i] = (unsigned char)in[i] < 0x20 || in[i] == 0x7f ? '?' : in[i];
    strcpy(s + m, n > m ? "..." : "");
    return s;
}

lh_err ws_rel_path(const char *in, size_t in_bytes, lh_arena_t *a, const char **rel, lh_errbuf *eb)
{
    const char *shown = shown_of(in, in_bytes, a);
    LH_FAIL_IF(memchr(in, '\0', in_bytes) != NULL, LH_E_INVALID, eb,
               "Invalid path '%s': NUL characters are not allowed", shown);
    LH_FAIL_IF(in_bytes > WS_PATH_MAX, LH_E_INVALID, eb, "Invalid path '%s': longer than %d bytes",
               shown, WS_PATH_MAX);
    size_t n = in_bytes;
    if (n > 0 && in[n - 1] == '/')
        n--; /* one trailing slash */
    LH_FAIL_IF(n > 0 && in[0] == '/', LH_E_INVALID, eb,
               "Invalid path '%s': expected a relative path", shown);
    for (size_t start = 0; start < n;) {
        const char *end = memchr(in + start, '/', n - start);
        size_t len = end != NULL ? (size_t)(end - (in + start)) : n - start;
        LH_TRY(check_segment(in + start, len, shown, eb));
        start += len + 1;
        LH_FAIL_IF(end != NULL && start >= n, LH_E_INVALID, eb,
                   "Invalid path '%s': empty segments are not allowed", shown);
    }
    *rel = lh_arena_strndup(a, in, n);
    return LH_OK;
}

lh_err ws_dbfs_path(const char *in, size_t in_bytes, lh_arena_t *a, const char **abs,
                    const char **rel, lh_errbuf *eb)
{
    const char *p = in;
    size_t n = in_bytes;
    if (n >= 5 && strncasecmp(p, "dbfs:", 5) == 0) {
        p += 5, n -= 5;
        if (n >= 3 && memcmp(p, "///", 3) == 0) /* dbfs:///x: an empty authority */
            p += 2, n -= 2;
    }
    LH_FAIL_IF(n == 0 || p[0] != '/', LH_E_INVALID, eb,
               "Invalid path '%s': DBFS paths are absolute ('/x/y' or 'dbfs:/x/y')",
               shown_of(in, in_bytes, a));
    const char *r;
    lh_errbuf inner;
    lh_errbuf_clear(&inner);
    lh_err e = ws_rel_path(p + 1, n - 1, a, &r, &inner);
    if (e != LH_OK) { /* name the path as given, not its relative part */
        const char *why = strstr(inner.msg, "': ");
        LH_FAIL(e, eb, "Invalid path '%s': %s", shown_of(in, in_bytes, a),
                why != NULL ? why + 3 : inner.msg);
    }
    *rel = r;
    *abs = lh_arena_sprintf(a, "/%s", r);
    return LH_OK;
}

lh_err ws_uri_parse(const char *uri, lh_arena_t *a, ws_scheme *scheme, const char **rel,
                    lh_errbuf *eb)
{
    LH_FAIL_IF(uri == NULL, LH_E_INVALID, eb, "An artifact URI is required");
    const char *colon = strchr(uri, ':');
    size_t scheme_bytes = colon != NULL ? (size_t)(colon - uri) : 0;
    const char *rest = colon != NULL ? colon + 1 : uri;
    if (scheme_bytes == 4 && strncasecmp(uri, "dbfs", 4) == 0) {
        const char *abs;
        *scheme = WS_DBFS;
        return ws_dbfs_path(uri, strlen(uri), a, &abs, rel, eb);
    }
    if (scheme_bytes == 16 && strncasecmp(uri, "mlflow-artifacts", 16) == 0) {
        *scheme = WS_MLFLOW_ARTIFACTS;
        if (strncmp(rest, "//", 2) == 0) { /* an authority: mlflow-artifacts://host:port/p */
            const char *slash = strchr(rest + 2, '/');
            rest = slash != NULL ? slash : "/";
        }
        LH_FAIL_IF(rest[0] != '/', LH_E_INVALID, eb,
                   "Invalid artifact URI '%s': expected mlflow-artifacts:/<path>",
                   shown_of(uri, strlen(uri), a));
        return ws_rel_path(rest + 1, strlen(rest + 1), a, rel, eb);
    }
    LH_FAIL(LH_E_INVALID, eb,
            "Unsupported artifact URI scheme '%.*s' in '%s': expected dbfs:/ or "
            "mlflow-artifacts:/",
            (int)(scheme_bytes > 64 ? 64 : scheme_bytes), uri, shown_of(uri, strlen(uri), a));
}

lh_err ws_fs_resolve(const char *root, const char *rel, lh_arena_t *a, const char **fs,
                     lh_errbuf *eb)
{
    char *path = lh_arena_sprintf(a, "%s%s%s", root, rel[0] != '\0' ? "/" : "", rel);
    size_t root_bytes = strlen(root);
    for (char *p = path + root_bytes; *p != '\0';) {
        char *next = strchr(p + 1, '/');
        if (next != NULL)
            *next = '\0';
        struct stat st;
        int rc = lstat(path, &st);
        int err = errno;
        bool is_link = rc == 0 && S_ISLNK(st.st_mode);
        if (next != NULL)
            *next = '/';
        LH_FAIL_IF(is_link, LH_E_INVALID, eb, "Invalid path '%s': symbolic links are not followed",
                   rel);
        if (rc != 0 && (err == ENOENT || err == ENOTDIR))
            break; /* the rest does not exist (yet) */
        LH_FAIL_IF(rc != 0, LH_E_IO, eb, "cannot stat %s: %s", rel, strerror(err));
        if (next == NULL)
            break;
        p = next;
    }
    *fs = path;
    return LH_OK;
}

const char *ws_root_dir(const lh_ctx_t *ctx, ws_scheme scheme, lh_arena_t *a)
{
    return lh_arena_sprintf(a, "%s/%s", ctx->data_dir,
                            scheme == WS_DBFS ? "dbfs" : "mlflow-artifacts");
}

/* ---- base64 ---- */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

lh_err ws_base64_decode(const char *in, size_t bytes, unsigned char *out, size_t *out_bytes,
                        const char *what, lh_errbuf *eb)
{
    size_t n = bytes;
    while (n > 0 && in[n - 1] == '=' && bytes - n < 2)
        n--;
    LH_FAIL_IF(n % 4 == 1, LH_E_INVALID, eb, "%s is not valid base64", what);
    uint32_t acc = 0;
    size_t o = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value((unsigned char)in[i]);
        LH_FAIL_IF(v < 0, LH_E_INVALID, eb, "%s is not valid base64", what);
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    *out_bytes = o;
    return LH_OK;
}

void ws_base64_encode(const unsigned char *in, size_t bytes, char *out)
{
    size_t o = 0, i = 0;
    for (; i + 2 < bytes; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = B64[v >> 18], out[o++] = B64[(v >> 12) & 63];
        out[o++] = B64[(v >> 6) & 63], out[o++] = B64[v & 63];
    }
    if (i < bytes) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < bytes ? (uint32_t)in[i + 1] << 8 : 0);
        out[o++] = B64[v >> 18], out[o++] = B64[(v >> 12) & 63];
        out[o++] = i + 1 < bytes ? B64[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
}
