/*
 * runner.c - runs sqllogictest-style files (the .test files in tests/sql) through the whole engine:
 * a real server context (metastore, catalog, no HTTP) in a fresh data folder per file, one session
 * per file, lh_query_run for each record.
 *
 * Records are separated by blank lines; '#' starts a comment line.
 *   statement ok                 the SQL must succeed
 *   statement error [TEXT]       the SQL must fail (and its message contain TEXT)
 *   query [rowsort] [glob]       the SQL's rows, one line each, values tab-separated as
 *   <sql>                        Spark prints them (NULL for null); rowsort compares the
 *   ----                         lines sorted; glob reads each expected line as an
 *                                fnmatch pattern (for times and paths)
 *   <expected rows>                a value with line breaks (SHOW CREATE TABLE) spans lines
 *   names                        the SQL's output column names, one line each (Spark's
 *   <sql>                        headers for unaliased expressions)
 *   ----
 *   <expected names>
 * Prints one line per failure (file:line, what differed) and "N passed, N failed".
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

#include "compute/func/format.h"
#include "compute/query/query.h"
#include "server/server.h"

typedef struct rows {
    char **lines;
    int count, cap;
} rows;

static void rows_add(rows *r, const char *s)
{
    if (r->count == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 16;
        r->lines = realloc(r->lines, (size_t)r->cap * sizeof *r->lines);
    }
    r->lines[r->count++] = strdup(s);
}

static void rows_free(rows *r)
{
    for (int i = 0; i < r->count; i++)
        free(r->lines[i]);
    free(r->lines);
    memset(r, 0, sizeof *r);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct collect {
    rows out;
    rows names; /* the answer's column names (of its last statement with a schema) */
    const lh_sql_conf_t *conf;
} collect;

static lh_err on_schema(void *ctx, const lh_query_columns_t *cols, lh_errbuf *eb)
{
    (void)eb;
    collect *c = ctx;
    rows_free(&c->names);
    for (int i = 0; i < cols->count; i++)
        rows_add(&c->names, cols->names[i]);
    return LH_OK;
}

static lh_err on_batch(void *ctx, const lh_batch_t *b, lh_errbuf *eb)
{
    (void)eb;
    collect *c = ctx;
    const lh_tz_t *tz = lh_tz_get(c->conf->time_zone);
    for (size_t r = 0; r < b->row_count; r++) {
        char line[8192] = "";
        size_t n = 0;
        for (int k = 0; k < b->col_count; k++) {
            char buf[LH_FMT_MAX];
            const char *text = "NULL";
            size_t len = 4;
            if (lh_vec_is_valid(b->cols[k], r))
                len = lh_format_vec(b->cols[k], r, tz, LH_FMT_RESULT, buf, &text);
            n += (size_t)snprintf(line + n, sizeof line - n, "%s%.*s", k ? "\t" : "", (int)len,
                                  text);
            if (n >= sizeof line)
                n = sizeof line - 1;
        }
        for (char *at = line, *nl;; at = nl + 1) { /* a value's line breaks: several lines */
            nl = strchr(at, '\n');
            if (nl != NULL)
                *nl = '\0';
            if (nl != NULL || *at != '\0' || at == line) /* not the final line break */
                rows_add(&c->out, at);
            if (nl == NULL)
                break;
        }
    }
    return LH_OK;
}

typedef struct runner {
    lh_server_t srv;
    lh_session_t *session;
    const char *file;
    int passed, failed;
} runner;

/* sql with every ${TEST_DIR} replaced by the directory of the .test file (fixtures). */
static char *expand(const runner *r, const char *sql)
{
    static const char key[] = "${TEST_DIR}";
    char dir[4096], parent[4096];
    const char *slash = strrchr(r->file, '/');
    snprintf(parent, sizeof parent, "%.*s", slash ? (int)(slash - r->file) : 1,
             slash ? r->file : ".");
    if (realpath(parent, dir) == NULL)
        snprintf(dir, sizeof dir, "%s", parent);
    size_t n = strlen(sql) + 1, hits = 0;
    for (const char *p = strstr(sql, key); p; p = strstr(p + 1, key))
        hits++;
    char *out = malloc(n + hits * strlen(dir)), *o = out;
    for (const char *p = sql; *p;) {
        if (strncmp(p, key, sizeof key - 1) == 0) {
            o += sprintf(o, "%s", dir);
            p += sizeof key - 1;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

static lh_err run_sql(runner *r, const char *sql_in, collect *c, lh_errbuf *eb)
{
    char *sql = expand(r, sql_in);
    lh_arena_t *a = lh_arena_create();
    lh_query_opts_t o = {.resolver = r->srv.ctx.resolver, .user = "admin"};
    lh_query_sink_t sink = {c, on_schema, on_batch};
    lh_query_info_t info;
    c->conf = lh_session_conf(r->session);
    lh_err e = lh_query_run(sql, strlen(sql), r->session, &o, &sink, a, &info, eb);
    lh_arena_destroy(a);
    free(sql);
    return e;
}

static void fail(runner *r, int line, const char *sql, const char *what)
{
    r->failed++;
    fprintf(stderr, "FAIL %s:%d: %s\n  %s\n", r->file, line, what, sql);
}

/* One record: kind line, sql lines, optional expected lines. */
static void run_record(runner *r, int line, const char *kind, const char *sql, rows *expect)
{
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    collect c = {0};
    lh_err e = run_sql(r, sql, &c, &eb);
    char what[10000];
    if (strncmp(kind, "statement ok", 12) == 0) {
        if (e != LH_OK) {
            snprintf(what, sizeof what, "expected success, got: %s", eb.msg);
            fail(r, line, sql, what);
        } else {
            r->passed++;
        }
    } else if (strncmp(kind, "statement error", 15) == 0) {
        const char *want = kind + 15;
        while (*want == ' ')
            want++;
        if (e == LH_OK || (*want && strstr(eb.msg, want) == NULL)) {
            snprintf(what, sizeof what, "expected an error containing '%s', got: %s", want,
                     e == LH_OK ? "success" : eb.msg);
            fail(r, line, sql, what);
        } else {
            r->passed++;
        }
    } else if (strcmp(kind, "names") == 0) {
        int ok = e == LH_OK && c.names.count == expect->count;
        for (int i = 0; ok && i < c.names.count; i++)
            ok = strcmp(c.names.lines[i], expect->lines[i]) == 0;
        if (ok) {
            r->passed++;
        } else if (e != LH_OK) {
            snprintf(what, sizeof what, "query failed: %s", eb.msg);
            fail(r, line, sql, what);
        } else {
            size_t n = (size_t)snprintf(what, sizeof what, "names differ; got %d:", c.names.count);
            for (int i = 0; i < c.names.count && i < 20 && n < sizeof what; i++)
                n += (size_t)snprintf(what + n, sizeof what - n, "\n    %s", c.names.lines[i]);
            fail(r, line, sql, what);
        }
    } else if (strncmp(kind, "query", 5) == 0) {
        if (e != LH_OK) {
            snprintf(what, sizeof what, "query failed: %s", eb.msg);
            fail(r, line, sql, what);
        } else {
            if (strstr(kind, "rowsort")) { /* (qsort of no lines: its NULL is UB) */
                if (c.out.count > 0)
                    qsort(c.out.lines, (size_t)c.out.count, sizeof(char *), cmp_str);
                if (expect->count > 0)
                    qsort(expect->lines, (size_t)expect->count, sizeof(char *), cmp_str);
            }
            int ok = c.out.count == expect->count;
            for (int i = 0; ok && i < c.out.count; i++)
                ok = strstr(kind, "glob") ? fnmatch(expect->lines[i], c.out.lines[i], 0) == 0
                                          : strcmp(c.out.lines[i], expect->lines[i]) == 0;
            if (ok) {
                r->passed++;
            } else {
                size_t n = (size_t)snprintf(what, sizeof what, "rows differ; got %d:", c.out.count);
                for (int i = 0; i < c.out.count && i < 20 && n < sizeof what; i++)
                    n += (size_t)snprintf(what + n, sizeof what - n, "\n    %s", c.out.lines[i]);
                fail(r, line, sql, what);
            }
        }
    } else {
        fail(r, line, sql, "unknown record kind");
    }
    rows_free(&c.out);
    rows_free(&c.names);
}

static int start(runner *r, char *dir)
{
    lh_config_default(&r->srv.config);
    snprintf(r->srv.config.data_dir, sizeof r->srv.config.data_dir, "%s", dir);
    snprintf(r->srv.config.admin_token, sizeof r->srv.config.admin_token, "%s",
             "dapi0123456789abcdef0123456789abcdef");
    r->srv.config.no_http = 1;
    r->srv.config.access_log = 0;
    lh_errbuf eb;
    if (lh_server_start(&r->srv, &eb) != LH_OK) {
        fprintf(stderr, "runner: cannot start: %s\n", eb.msg);
        return -1;
    }
    r->session = lh_session_create("main", "default");
    return 0;
}

static void run_file(runner *r, FILE *f)
{
    char buf[65536], kind[256] = "";
    char *sql = NULL;
    size_t sql_len = 0;
    rows expect = {0};
    int line = 0, rec_line = 0, phase = 0; /* 0 none, 1 sql, 2 expected */
    for (;;) {
        char *got = fgets(buf, sizeof buf, f);
        if (got)
            line++, buf[strcspn(buf, "\n")] = '\0';
        bool blank = got == NULL || buf[0] == '\0';
        if (blank && phase > 0) {
            run_record(r, rec_line, kind, sql ? sql : "", &expect);
            free(sql);
            sql = NULL;
            sql_len = 0;
            rows_free(&expect);
            phase = 0;
        }
        if (got == NULL)
            break;
        if (blank || (phase == 0 && buf[0] == '#'))
            continue;
        if (phase == 0) {
            size_t kn = strlen(buf) < sizeof kind - 1 ? strlen(buf) : sizeof kind - 1;
            memcpy(kind, buf, kn); /* a record's first line: "query rowsort" and the like */
            kind[kn] = '\0';
            rec_line = line;
            phase = 1;
        } else if (phase == 1 && strcmp(buf, "----") == 0) {
            phase = 2;
        } else if (phase == 1) {
            size_t n = strlen(buf);
            sql = realloc(sql, sql_len + n + 2);
            memcpy(sql + sql_len, buf, n);
            sql_len += n;
            sql[sql_len++] = '\n';
            sql[sql_len] = '\0';
        } else {
            rows_add(&expect, buf);
        }
    }
    free(sql);
    rows_free(&expect);
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "r");
        if (f == NULL) {
            fprintf(stderr, "runner: cannot open %s\n", argv[i]);
            failed++;
            continue;
        }
        char dir[] = "/tmp/lh-sql-XXXXXX";
        runner *r = calloc(1, sizeof *r);
        r->file = argv[i];
        if (mkdtemp(dir) == NULL || start(r, dir) != 0) {
            failed++;
        } else {
            run_file(r, f);
            lh_session_destroy(r->session);
            lh_server_stop(&r->srv);
            char cmd[128];
            snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
            if (system(cmd) != 0)
                fprintf(stderr, "runner: could not remove %s\n", dir);
        }
        fclose(f);
        passed += r->passed;
        failed += r->failed;
        free(r);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
