/*
 * test_paths.c - api/workspace/path.c: the relative-path normalizer (canonical forms and
 * every refusal: "..", ".", empty segments, percent-encoded dots and separators, controls,
 * NUL, reserved names, lengths), DBFS paths ("/x", "dbfs:/x", "dbfs:///x"), artifact URIs
 * (schemes, the ignored authority, unknown schemes), symlink-refusing resolution, base64.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/workspace/workspace_internal.h"
#include "t.h"

static lh_arena_t *A;

static const char *rel_of(const char *in)
{
    const char *rel = NULL;
    lh_errbuf eb;
    return ws_rel_path(in, strlen(in), A, &rel, &eb) == LH_OK ? rel : "(refused)";
}

static void test_rel_path(void)
{
    T_EQ_STR(rel_of(""), "");
    T_EQ_STR(rel_of("a"), "a");
    T_EQ_STR(rel_of("a/b/c.txt"), "a/b/c.txt");
    T_EQ_STR(rel_of("a/b/"), "a/b");
    T_EQ_STR(rel_of("..."), "...");
    T_EQ_STR(rel_of("a..b/.hidden/x%41y/100%"), "a..b/.hidden/x%41y/100%");
    const char *refused[] = {"..",       "../x",    "a/..",  "a/../b",          ".",      "./a",
                             "a/./b",    "/a",      "a//b",  "a/b//",           "//",     "%2e%2e",
                             "a/%2E%2e", "a%2fb",   "a%2Fb", "a%5cb",           "a%5Cb",  "x%2e",
                             "a\x01",    "a\x7f/b", ".lh-x", "a/.lh-staging/b", ".tmp-1", "a//"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        if (strcmp(rel_of(refused[i]), "(refused)") != 0)
            fprintf(stderr, "  accepted: '%s'\n", refused[i]);
        T_EQ_STR(rel_of(refused[i]), "(refused)");
    }
    /* NUL inside the counted bytes */
    const char *rel;
    lh_errbuf eb;
    T_EQ_INT(ws_rel_path("a\0/../b", 7, A, &rel, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "NUL") != NULL);
    /* lengths: a 255-byte name is fine, 256 is not; the whole path is bounded */
    char name[300];
    memset(name, 'n', sizeof name);
    name[255] = '\0';
    T_EQ_STR(rel_of(name), name);
    name[255] = 'n', name[256] = '\0';
    T_EQ_STR(rel_of(name), "(refused)");
    char *longp = malloc(WS_PATH_MAX + 2);
    for (int i = 0; i < WS_PATH_MAX + 1; i++)
        longp[i] = i % 2 ? '/' : 'a';
    longp[WS_PATH_MAX + 1] = '\0';
    T_EQ_STR(rel_of(longp), "(refused)");
    longp[WS_PATH_MAX - 1] = '\0'; /* ends in 'a' */
    T_CHECK(strcmp(rel_of(longp), "(refused)") != 0);
    free(longp);
    /* the message names the path, with controls masked */
    T_EQ_INT(ws_rel_path("x/\x01/..", 7, A, &rel, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "x/?/..") != NULL);
}

static void dbfs_case(const char *in, const char *abs_want, const char *rel_want)
{
    const char *abs = NULL, *rel = NULL;
    lh_errbuf eb;
    lh_err e = ws_dbfs_path(in, strlen(in), A, &abs, &rel, &eb);
    if (abs_want == NULL) {
        T_EQ_INT(e, LH_E_INVALID);
        T_CHECK(strstr(eb.msg, "Invalid path") != NULL);
        return;
    }
    T_EQ_INT(e, LH_OK);
    T_EQ_STR(abs, abs_want);
    T_EQ_STR(rel, rel_want);
}

static void test_dbfs_path(void)
{
    dbfs_case("/", "/", "");
    dbfs_case("dbfs:/", "/", "");
    dbfs_case("/a/b", "/a/b", "a/b");
    dbfs_case("dbfs:/a/b/", "/a/b", "a/b");
    dbfs_case("DBFS:/a", "/a", "a");
    dbfs_case("dbfs:///a", "/a", "a");
    dbfs_case("", NULL, NULL);
    dbfs_case("a/b", NULL, NULL);
    dbfs_case("dbfs:a", NULL, NULL);
    dbfs_case("dbfs:", NULL, NULL);
    dbfs_case("//a", NULL, NULL);
    dbfs_case("/a/../b", NULL, NULL);
    dbfs_case("dbfs:/../etc/passwd", NULL, NULL);
    dbfs_case("/a/%2e%2e/b", NULL, NULL);
    dbfs_case("s3:/a", NULL, NULL);
}

static void uri_case(const char *uri, int scheme_want, const char *rel_want)
{
    ws_scheme s;
    const char *rel = NULL;
    lh_errbuf eb;
    lh_err e = ws_uri_parse(uri, A, &s, &rel, &eb);
    if (rel_want == NULL) {
        T_EQ_INT(e, LH_E_INVALID);
        return;
    }
    T_EQ_INT(e, LH_OK);
    T_EQ_INT(s, scheme_want);
    T_EQ_STR(rel, rel_want);
}

static void test_uri(void)
{
    uri_case("dbfs:/mlflow/1/abc/artifacts", WS_DBFS, "mlflow/1/abc/artifacts");
    uri_case("dbfs:/", WS_DBFS, "");
    uri_case("mlflow-artifacts:/1/abc/artifacts", WS_MLFLOW_ARTIFACTS, "1/abc/artifacts");
    uri_case("mlflow-artifacts://localhost:5000/1/abc", WS_MLFLOW_ARTIFACTS, "1/abc");
    uri_case("mlflow-artifacts://host", WS_MLFLOW_ARTIFACTS, "");
    uri_case("mlflow-artifacts:/", WS_MLFLOW_ARTIFACTS, "");
    uri_case("mlflow-artifacts:rel", 0, NULL);
    uri_case("mlflow-artifacts:/../x", 0, NULL);
    uri_case("mlflow-artifacts://h/a/%2e%2e/x", 0, NULL);
    uri_case("dbfs:/a/../../x", 0, NULL);
    uri_case("s3://bucket/x", 0, NULL);
    uri_case("file:///etc/passwd", 0, NULL);
    uri_case("/plain/path", 0, NULL);
    uri_case("", 0, NULL);
    ws_scheme s;
    const char *rel;
    lh_errbuf eb;
    T_EQ_INT(ws_uri_parse("s3://bucket/x", A, &s, &rel, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "'s3'") != NULL);
    T_EQ_INT(ws_uri_parse(NULL, A, &s, &rel, &eb), LH_E_INVALID);
}

static void test_resolve_symlinks(void)
{
    char root[] = "/tmp/lh-ws-paths-XXXXXX";
    T_CHECK(mkdtemp(root) != NULL);
    char p[512];
    snprintf(p, sizeof p, "%s/d", root);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/d/link", root);
    T_EQ_INT(symlink("/etc", p), 0);
    snprintf(p, sizeof p, "%s/flink", root);
    T_EQ_INT(symlink("/etc/passwd", p), 0);
    const char *fs;
    lh_errbuf eb;
    T_EQ_INT(ws_fs_resolve(root, "d/new/deeper", A, &fs, &eb), LH_OK);
    snprintf(p, sizeof p, "%s/d/new/deeper", root);
    T_EQ_STR(fs, p);
    T_EQ_INT(ws_fs_resolve(root, "", A, &fs, &eb), LH_OK);
    T_EQ_STR(fs, root);
    T_EQ_INT(ws_fs_resolve(root, "d/link", A, &fs, &eb), LH_E_INVALID);
    T_EQ_INT(ws_fs_resolve(root, "d/link/passwd", A, &fs, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "symbolic") != NULL);
    T_EQ_INT(ws_fs_resolve(root, "flink", A, &fs, &eb), LH_E_INVALID);
    T_EQ_INT(ws_fs_resolve(root, "flink/x", A, &fs, &eb), LH_E_INVALID);
    lh_errbuf ignored;
    ws_fs_remove_tree(root, &ignored);
    struct stat st;
    T_CHECK(stat("/etc/passwd", &st) == 0); /* removal never follows the links */
    T_CHECK(lstat(root, &st) != 0);
}

static void test_base64(void)
{
    const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        char enc[32];
        unsigned char dec[32];
        size_t n;
        lh_errbuf eb;
        ws_base64_encode((const unsigned char *)plain[i], strlen(plain[i]), enc);
        T_EQ_STR(enc, coded[i]);
        T_EQ_INT(ws_base64_decode(coded[i], strlen(coded[i]), dec, &n, "x", &eb), LH_OK);
        T_EQ_INT(n, strlen(plain[i]));
        T_CHECK(memcmp(dec, plain[i], n) == 0);
    }
    unsigned char dec[32];
    size_t n;
    lh_errbuf eb;
    T_EQ_INT(ws_base64_decode("Zm9vYg", 6, dec, &n, "x", &eb), LH_OK); /* no padding */
    T_EQ_INT(n, 4);
    T_EQ_INT(ws_base64_decode("Zm9v!", 5, dec, &n, "data", &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "data") != NULL);
    T_EQ_INT(ws_base64_decode("Z", 1, dec, &n, "x", &eb), LH_E_INVALID);
    T_EQ_INT(ws_base64_decode("Zm=v", 4, dec, &n, "x", &eb), LH_E_INVALID);
    T_EQ_INT(ws_base64_decode("Zm9v====", 8, dec, &n, "x", &eb), LH_E_INVALID);
}

int main(void)
{
    A = lh_arena_create();
    T_RUN(test_rel_path);
    T_RUN(test_dbfs_path);
    T_RUN(test_uri);
    T_RUN(test_resolve_symlinks);
    T_RUN(test_base64);
    lh_arena_destroy(A);
    return T_DONE();
}
