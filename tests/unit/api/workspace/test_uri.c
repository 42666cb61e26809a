/*
 * test_uri.c - the artifact-URI interface of api/workspace/workspace.h over a bare context
 * (only data_dir set, no area created, as other areas' unit tests use it): list (entries
 * under a root and a sub-path, files and missing paths empty), copy (files and trees,
 * across schemes, replacing what is there, complete or absent, refusals), delete (trees,
 * missing is fine, the root refused), open (size, directories and missing paths refused),
 * and traversal or symlinks refused everywhere.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/workspace/workspace.h"
#include "t.h"

static char DATA[] = "/tmp/lh-ws-uri-XXXXXX";
static lh_ctx_t CTX;

static void put_file(const char *rel, const char *text)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", DATA, rel);
    for (char *s = p + strlen(DATA) + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
}

static char *read_uri(const char *uri)
{
    int fd;
    uint64_t size;
    lh_errbuf eb;
    if (lh_artifacts_open(&CTX, uri, &fd, &size, &eb) != LH_OK)
        return NULL;
    char *buf = calloc(1, size + 1);
    ssize_t n = read(fd, buf, size);
    close(fd);
    T_EQ_INT(n, (ssize_t)size);
    return buf;
}

static char *listing(const char *root, const char *rel)
{
    json_t *files = NULL;
    lh_errbuf eb;
    if (lh_artifacts_list(&CTX, root, rel, &files, &eb) != LH_OK)
        return strdup("(error)");
    char *s = json_dumps(files, JSON_COMPACT);
    json_decref(files);
    return s;
}

static void check_listing(const char *root, const char *rel, const char *want)
{
    char *got = listing(root, rel);
    T_EQ_STR(got, want);
    free(got);
}

static void test_list(void)
{
    put_file("dbfs/mlflow/1/r1/artifacts/model/MLmodel", "flavors: {}");
    put_file("dbfs/mlflow/1/r1/artifacts/model/data/w.bin", "12345");
    put_file("dbfs/mlflow/1/r1/artifacts/metrics.json", "{}");
    put_file("dbfs/mlflow/1/r1/artifacts/.lh-hidden", "x");
    put_file("mlflow-artifacts/2/r2/artifacts/a.txt", "aa");
    const char *root = "dbfs:/mlflow/1/r1/artifacts";
    check_listing(root, NULL,
                  "[{\"path\":\"metrics.json\",\"is_dir\":false,\"file_size\":2},"
                  "{\"path\":\"model\",\"is_dir\":true}]");
    check_listing(root, "",
                  "[{\"path\":\"metrics.json\",\"is_dir\":false,\"file_size\":2},"
                  "{\"path\":\"model\",\"is_dir\":true}]");
    check_listing(root, "model",
                  "[{\"path\":\"model/MLmodel\",\"is_dir\":false,\"file_size\":11},"
                  "{\"path\":\"model/data\",\"is_dir\":true}]");
    check_listing(root, "model/data/",
                  "[{\"path\":\"model/data/w.bin\",\"is_dir\":false,\"file_size\":5}]");
    check_listing(root, "metrics.json", "[]");
    check_listing(root, "missing", "[]");
    check_listing("dbfs:/nowhere", NULL, "[]");
    check_listing("mlflow-artifacts:/2/r2/artifacts", NULL,
                  "[{\"path\":\"a.txt\",\"is_dir\":false,\"file_size\":2}]");
    check_listing("mlflow-artifacts://tracking:5000/2/r2", NULL,
                  "[{\"path\":\"artifacts\",\"is_dir\":true}]");
    check_listing(root, "../../..", "(error)");
    check_listing(root, "/abs", "(error)");
    check_listing("dbfs:/../..", NULL, "(error)");
    check_listing("s3://b/k", NULL, "(error)");
    check_listing(root, "model/%2e%2e", "(error)");
}

static void test_open(void)
{
    char *s = read_uri("dbfs:/mlflow/1/r1/artifacts/model/MLmodel");
    T_EQ_STR(s, "flavors: {}");
    free(s);
    s = read_uri("mlflow-artifacts:/2/r2/artifacts/a.txt");
    T_EQ_STR(s, "aa");
    free(s);
    int fd;
    uint64_t size;
    lh_errbuf eb;
    T_EQ_INT(lh_artifacts_open(&CTX, "dbfs:/mlflow/1/r1/artifacts/model", &fd, &size, &eb),
             LH_E_INVALID);
    T_EQ_INT(lh_artifacts_open(&CTX, "dbfs:/mlflow/1/none", &fd, &size, &eb), LH_E_NOT_FOUND);
    T_EQ_INT(lh_artifacts_open(&CTX, "dbfs:/mlflow/1/r1/artifacts/metrics.json/x", &fd, &size, &eb),
             LH_E_NOT_FOUND);
    T_EQ_INT(lh_artifacts_open(&CTX, "dbfs:/../etc/passwd", &fd, &size, &eb), LH_E_INVALID);
    T_EQ_INT(lh_artifacts_open(&CTX, "file:///etc/passwd", &fd, &size, &eb), LH_E_INVALID);
    char p[1024];
    snprintf(p, sizeof p, "%s/dbfs/escape", DATA);
    T_EQ_INT(symlink("/etc", p), 0);
    T_EQ_INT(lh_artifacts_open(&CTX, "dbfs:/escape/passwd", &fd, &size, &eb), LH_E_INVALID);
    check_listing("dbfs:/escape", NULL, "(error)");
    T_EQ_INT(lh_artifacts_copy(&CTX, "dbfs:/escape", "dbfs:/copied", &eb), LH_E_INVALID);
    T_EQ_INT(lh_artifacts_delete(&CTX, "dbfs:/escape/passwd", &eb), LH_E_INVALID);
    unlink(p);
}

static int entries_in(const char *rel)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", DATA, rel);
    DIR *d = opendir(p);
    int n = 0;
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d != NULL)
        closedir(d);
    return n;
}

static void test_copy(void)
{
    lh_errbuf eb;
    /* a tree, across schemes, into a parent that does not exist yet */
    T_EQ_INT(lh_artifacts_copy(&CTX, "dbfs:/mlflow/1/r1/artifacts/model",
                               "mlflow-artifacts:/models/m/1/model", &eb),
             LH_OK);
    char *s = read_uri("mlflow-artifacts:/models/m/1/model/data/w.bin");
    T_EQ_STR(s, "12345");
    free(s);
    check_listing("mlflow-artifacts:/models/m/1", NULL, "[{\"path\":\"model\",\"is_dir\":true}]");
    /* replacing a tree: the new one whole, nothing of the old left */
    put_file("dbfs/src2/only.txt", "new");
    T_EQ_INT(lh_artifacts_copy(&CTX, "dbfs:/src2", "mlflow-artifacts:/models/m/1/model", &eb),
             LH_OK);
    check_listing("mlflow-artifacts:/models/m/1/model", NULL,
                  "[{\"path\":\"only.txt\",\"is_dir\":false,\"file_size\":3}]");
    /* a file over a file, a file over a tree */
    T_EQ_INT(lh_artifacts_copy(&CTX, "dbfs:/src2/only.txt", "dbfs:/dst/f.txt", &eb), LH_OK);
    s = read_uri("dbfs:/dst/f.txt");
    T_EQ_STR(s, "new");
    free(s);
    T_EQ_INT(
        lh_artifacts_copy(&CTX, "dbfs:/src2/only.txt", "mlflow-artifacts:/models/m/1/model", &eb),
        LH_OK);
    s = read_uri("mlflow-artifacts:/models/m/1/model");
    T_EQ_STR(s, "new");
    free(s);
    /* no temporaries left beside the destinations */
    check_listing("mlflow-artifacts:/models/m/1", NULL,
                  "[{\"path\":\"model\",\"is_dir\":false,\"file_size\":3}]");
    check_listing("dbfs:/dst", NULL, "[{\"path\":\"f.txt\",\"is_dir\":false,\"file_size\":3}]");
    T_EQ_INT(entries_in("dbfs/dst"), 1); /* listing hides temporaries: count on disk */
    T_EQ_INT(entries_in("mlflow-artifacts/models/m/1"), 1);
    /* refusals */
    T_EQ_INT(lh_artifacts_copy(&CTX, "dbfs:/nope", "dbfs:/x", &eb), LH_E_NOT_FOUND);
    T_EQ_INT(lh_artifacts_copy(&CTX, "dbfs:/src2", "dbfs:/src2/inner", &eb), LH_E_INVALID);
    T_EQ_INT(lh_artifacts_copy(&CTX, "dbfs:/src2/only.txt", "dbfs:/src2", &eb), LH_E_INVALID);
    T_EQ_INT(lh_artifacts_copy(&CTX, "dbfs:/src2", "dbfs:/", &eb), LH_E_INVALID);
    T_EQ_INT(lh_artifacts_copy(&CTX, "dbfs:/src2", "dbfs:/a/../b", &eb), LH_E_INVALID);
    T_EQ_INT(lh_artifacts_copy(&CTX, "dbfs:/src2/only.txt", "dbfs:/dst/f.txt/under", &eb),
             LH_E_INVALID); /* a file where a directory must go */
}

static void test_delete(void)
{
    lh_errbuf eb;
    T_EQ_INT(lh_artifacts_delete(&CTX, "dbfs:/mlflow/1/r1/artifacts/model", &eb), LH_OK);
    check_listing("dbfs:/mlflow/1/r1/artifacts", NULL,
                  "[{\"path\":\"metrics.json\",\"is_dir\":false,\"file_size\":2}]");
    T_EQ_INT(lh_artifacts_delete(&CTX, "dbfs:/mlflow/1/r1/artifacts/metrics.json", &eb), LH_OK);
    T_EQ_INT(lh_artifacts_delete(&CTX, "dbfs:/mlflow/1/r1/artifacts/metrics.json", &eb), LH_OK);
    T_EQ_INT(lh_artifacts_delete(&CTX, "mlflow-artifacts:/never/was", &eb), LH_OK);
    T_EQ_INT(lh_artifacts_delete(&CTX, "dbfs:/", &eb), LH_E_INVALID);
    T_EQ_INT(lh_artifacts_delete(&CTX, "mlflow-artifacts:/", &eb), LH_E_INVALID);
    T_EQ_INT(lh_artifacts_delete(&CTX, "dbfs:/..", &eb), LH_E_INVALID);
    T_EQ_INT(lh_artifacts_delete(&CTX, "ftp://x/y", &eb), LH_E_INVALID);
}

int main(void)
{
    T_CHECK(mkdtemp(DATA) != NULL);
    CTX.data_dir = DATA;
    T_RUN(test_list);
    T_RUN(test_open);
    T_RUN(test_copy);
    T_RUN(test_delete);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", DATA);
    T_CHECK(system(cmd) == 0);
    return T_DONE();
}
