/*
 * fuzz_dbfs_path.c - libFuzzer target for api/workspace's path decisions: arbitrary bytes
 * (a slice, not NUL-terminated) go through the relative-path normalizer, the DBFS path
 * parser, the artifact-URI parser (NUL-terminated copy) and the base64 decoder. Checked
 * invariants: an accepted path is canonical (normalizing it again gives itself), has no
 * "." / ".." / empty segment and no reserved name, and a DBFS path's absolute form is "/"
 * plus its relative form; base64 output never exceeds its bound and re-encodes to a
 * decodable text. The Workspace API's path parser (ws_obj_path, NUL-terminated copy) too: an
 * accepted path is absolute, canonical (parsing it again gives itself), within the length
 * bounds, and has no empty, "." or ".." segment. Seeds: tests/fuzz/corpus/dbfs_path/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/workspace/workspace_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_canonical(const char *rel, lh_arena_t *a)
{
    lh_errbuf eb;
    const char *again = NULL;
    LH_ASSERT(ws_rel_path(rel, strlen(rel), a, &again, &eb) == LH_OK);
    LH_ASSERT(strcmp(again, rel) == 0);
    for (const char *s = rel; *s != '\0';) {
        const char *end = strchr(s, '/');
        size_t n = end != NULL ? (size_t)(end - s) : strlen(s);
        LH_ASSERT(n > 0 && !(n == 1 && s[0] == '.') && !(n == 2 && s[0] == '.' && s[1] == '.'));
        LH_ASSERT(!ws_reserved_name(s, n));
        s += n + (end != NULL);
    }
}

static void check_workspace_path(const char *path, lh_arena_t *a)
{
    lh_errbuf eb;
    const char *again = NULL;
    LH_ASSERT(path[0] == '/' && strlen(path) <= WS_OBJ_PATH_MAX);
    LH_ASSERT(ws_obj_path(path, a, &again, &eb) == LH_OK && strcmp(again, path) == 0);
    LH_ASSERT(strcmp(path, "/") == 0 || path[strlen(path) - 1] != '/');
    LH_ASSERT(strstr(path, "//") == NULL && strstr(path, "/./") == NULL &&
              strstr(path, "/../") == NULL);
    const char *parent = ws_obj_parent(path, a);
    LH_ASSERT((parent == NULL) == (strcmp(path, "/") == 0));
    if (parent != NULL)
        LH_ASSERT(strncmp(parent, path, strlen(parent)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1), *cstr = malloc(size + 1);
    memcpy(text, data, size);
    memcpy(cstr, data, size);
    cstr[size] = '\0';
    lh_arena_t *a = lh_arena_create();
    lh_errbuf eb;
    const char *rel = NULL, *abs = NULL;
    if (ws_rel_path(text, size, a, &rel, &eb) == LH_OK)
        check_canonical(rel, a);
    if (ws_dbfs_path(text, size, a, &abs, &rel, &eb) == LH_OK) {
        check_canonical(rel, a);
        LH_ASSERT(abs[0] == '/' && strcmp(abs + 1, rel) == 0);
    }
    const char *wpath = NULL;
    if (ws_obj_path(cstr, a, &wpath, &eb) == LH_OK)
        check_workspace_path(wpath, a);
    ws_scheme scheme;
    if (ws_uri_parse(cstr, a, &scheme, &rel, &eb) == LH_OK)
        check_canonical(rel, a);
    unsigned char *out = malloc(size / 4 * 3 + 3);
    size_t n = 0;
    if (ws_base64_decode(text, size, out, &n, "data", &eb) == LH_OK) {
        LH_ASSERT(n <= size / 4 * 3 + 2);
        char *enc = malloc(4 * ((n + 2) / 3) + 1);
        ws_base64_encode(out, n, enc);
        unsigned char *back = malloc(n + 3);
        size_t m = 0;
        LH_ASSERT(ws_base64_decode(enc, strlen(enc), back, &m, "again", &eb) == LH_OK);
        LH_ASSERT(m == n && memcmp(back, out, n) == 0);
        free(back);
        free(enc);
    }
    free(out);
    lh_arena_destroy(a);
    free(text);
    free(cstr);
    return 0;
}
