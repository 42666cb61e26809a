/*
 * golden.h - helpers for tests over the Delta golden tables (../shared/testdata/delta-golden,
 * read-only; tests that modify a table copy it to a temporary directory first).
 */
#ifndef LH_TEST_DELTA_GOLDEN_H
#define LH_TEST_DELTA_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/delta/delta.h"
#include "t.h"

typedef struct gtable {
    lh_objstore_t *os;
    lh_delta_table_t *t;
    char tmp[256]; /* non-empty for a temporary copy */
} gtable_t;

static inline void golden_path(const char *name, char *buf, size_t n)
{
    snprintf(buf, n, "%s/delta-golden/%s", t_testdata(), name);
}

static inline int gt_open_dir(gtable_t *g, const char *dir)
{
    lh_errbuf eb;
    if (lh_objstore_local_create(dir, &g->os, &eb) != LH_OK) {
        fprintf(stderr, "  cannot open %s: %s\n", dir, eb.msg);
        return -1;
    }
    return lh_delta_table_open(g->os, "", &g->t, &eb) == LH_OK ? 0 : -1;
}

static inline int gt_open(gtable_t *g, const char *name)
{
    char dir[512];
    memset(g, 0, sizeof *g);
    golden_path(name, dir, sizeof dir);
    return gt_open_dir(g, dir);
}

/* A private copy of golden table name in /tmp. */
static inline int gt_copy(gtable_t *g, const char *name)
{
    char dir[512], cmd[1200];
    memset(g, 0, sizeof *g);
    golden_path(name, dir, sizeof dir);
    snprintf(g->tmp, sizeof g->tmp, "/tmp/lh_golden_%d_XXXXXX", (int)getpid());
    if (mkdtemp(g->tmp) == NULL)
        return -1;
    snprintf(cmd, sizeof cmd, "cp -r '%s/.' '%s/'", dir, g->tmp);
    if (system(cmd) != 0)
        return -1;
    return gt_open_dir(g, g->tmp);
}

static inline void gt_close(gtable_t *g)
{
    lh_delta_table_close(g->t);
    lh_objstore_destroy(g->os);
    if (g->tmp[0]) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", g->tmp);
        if (system(cmd) != 0)
            fprintf(stderr, "  cleanup of %s failed\n", g->tmp);
    }
    memset(g, 0, sizeof *g);
}

/* Does the snapshot have a live file with this (decoded) path? */
static inline int has_file(const lh_delta_snapshot_t *s, const char *path)
{
    for (size_t i = 0; i < lh_delta_snapshot_file_count(s); i++)
        if (strcmp(lh_delta_snapshot_file(s, i)->path, path) == 0)
            return 1;
    return 0;
}

#endif
