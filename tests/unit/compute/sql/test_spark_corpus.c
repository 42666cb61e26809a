/* test_spark_corpus.c - every `-- !query` statement of Spark's golden files
 * ($LH_TESTDATA/spark-sql-tests/results/ (every .sql.out file), read in place) goes through the
 * parser:
 *   - statements Spark answers without a ParseException must parse and round-trip through
 *     the printer (parse(format(parse(x))) prints the same);
 *   - statements Spark refuses with PARSE_SYNTAX_ERROR must be refused by us too;
 *   - other parse-time classes (INVALID_TYPED_LITERAL, ...) are counted, not asserted.
 * Prints the counts and every failure. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sqlt.h"

typedef struct counts {
    int total, ok_parsed, ok_failed, syntax_refused, syntax_accepted, other_parse, rt_failed;
    int syntax_same_text, other_refused, other_same_class;
} counts_t;

/* The value of "name" : "..." in Spark's JSON answer (JSON escapes kept), or "". */
static void json_param(const char *out, const char *name, char *buf, size_t cap)
{
    char key[64];
    snprintf(key, sizeof key, "\"%s\" : \"", name);
    const char *p = strstr(out, key);
    buf[0] = '\0';
    if (!p)
        return;
    p += strlen(key);
    size_t n = 0;
    while (*p && *p != '"' && n + 1 < cap) {
        if (*p == '\\' && p[1])
            p++;
        buf[n++] = *p++;
    }
    buf[n] = '\0';
}

/* Spark's message for its golden PARSE_SYNTAX_ERROR answer vs ours. */
static bool same_syntax_text(const char *output, const char *ours)
{
    char err[256], hint[256], want[600];
    json_param(output, "error", err, sizeof err);
    json_param(output, "hint", hint, sizeof hint);
    snprintf(want, sizeof want, "[PARSE_SYNTAX_ERROR] Syntax error at or near %s%s.", err, hint);
    return strncmp(ours, want, strlen(want)) == 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

static void check_one(const char *file, const char *sql, const char *output, counts_t *c)
{
    lh_arena_t *a = lh_arena_create();
    lh_ast_stmt_list_t *list;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    bool parsed = lh_sql_parse(sql, strlen(sql), a, &list, &eb) == LH_OK;
    bool parse_exc = strstr(output, "catalyst.parser.ParseException") != NULL;
    bool syntax = parse_exc && strstr(output, "\"PARSE_SYNTAX_ERROR\"") != NULL;
    c->total++;
    if (syntax) {
        if (parsed) {
            c->syntax_accepted++;
            printf("ACCEPTED (Spark: PARSE_SYNTAX_ERROR) %s: %s\n", file, sql);
        } else {
            c->syntax_refused++;
            if (same_syntax_text(output, eb.msg))
                c->syntax_same_text++;
            else
                printf("MESSAGE %s: %s\n    ours: %s\n", file, sql, eb.msg);
        }
    } else if (parse_exc) {
        char cls[128];
        json_param(output, "errorClass", cls, sizeof cls);
        c->other_parse++;
        c->other_refused += !parsed;
        if (!parsed && eb.error_code && strcmp(eb.error_code, cls) == 0)
            c->other_same_class++;
        else
            printf("OTHER %s (%s, ours: %s): %s\n", cls, file, parsed ? "parsed" : eb.msg, sql);
    } else if (!parsed) {
        c->ok_failed++;
        printf("FAILED %s: %s\n    %s\n", file, sql, eb.msg);
    } else {
        c->ok_parsed++;
        int ok;
        sqlt_roundtrip(a, sql, &ok);
        if (!ok) {
            c->rt_failed++;
            printf("ROUNDTRIP %s: %s\n", file, sql);
        }
    }
    lh_arena_destroy(a);
}

static void run_file(const char *path, const char *name, counts_t *c)
{
    char *text = slurp(path);
    if (!text)
        return;
    for (char *p = strstr(text, "-- !query\n"); p; p = strstr(p, "-- !query\n")) {
        char *sql = p + strlen("-- !query\n");
        char *end = strstr(sql, "\n-- !query");
        if (!end)
            break;
        *end = '\0';
        char *out = strstr(end + 1, "-- !query output\n");
        char *next = out ? strstr(out + 1, "\n-- !query\n") : NULL;
        if (next)
            *next = '\0';
        check_one(name, sql, out ? out : "", c);
        if (!next)
            break;
        p = next + 1;
    }
    free(text);
}

static void walk(const char *dir, const char *rel, counts_t *c)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096], name[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        snprintf(name, sizeof name, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            walk(path, name, c);
        else if (strstr(e->d_name, ".sql.out"))
            run_file(path, name, c);
    }
    closedir(d);
}

static void spark_golden_statements(void)
{
    char root[4096];
    snprintf(root, sizeof root, "%s/spark-sql-tests/results", t_testdata());
    counts_t c = {0};
    walk(root, "", &c);
    printf("spark corpus: %d statements; Spark OK: %d parsed, %d refused, %d round-trip "
           "failures; Spark PARSE_SYNTAX_ERROR: %d refused, %d accepted; other parse-time "
           "errors: %d (%d refused, %d with Spark's class); syntax error text identical to "
           "Spark's: %d\n",
           c.total, c.ok_parsed, c.ok_failed, c.rt_failed, c.syntax_refused, c.syntax_accepted,
           c.other_parse, c.other_refused, c.other_same_class, c.syntax_same_text);
    T_CHECK(c.total > 2500);
    T_EQ_INT(c.ok_failed, 0);
    T_EQ_INT(c.rt_failed, 0);
    T_EQ_INT(c.syntax_accepted, 0);
}

int main(void)
{
    T_RUN(spark_golden_statements);
    return T_DONE();
}
