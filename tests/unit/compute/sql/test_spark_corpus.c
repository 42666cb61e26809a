/* test_spark_corpus.c - every `-- !query` statement of Spark's golden files
 * ($LH_TESTDATA/spark-sql-tests/results/ (every .sql.out file), read in place) goes through the parser:
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
} counts_t;

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
        } else
            c->syntax_refused++;
    } else if (parse_exc) {
        c->other_parse++;
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
           "errors: %d\n",
           c.total, c.ok_parsed, c.ok_failed, c.rt_failed, c.syntax_refused, c.syntax_accepted,
           c.other_parse);
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
