/*
 * test_golden.c - Spark's golden answers for single-expression SELECTs, evaluated through
 * the function registry (bind + exec) by the tiny reader in golden.c.
 *
 * For each file of ../shared/testdata/spark-sql-tests/results/ listed below, every query
 * of the form SELECT <literal expressions> is evaluated in America/Los_Angeles (the
 * session zone the files were recorded in) and its formatted value, or its error class,
 * compared with Spark's. Queries the reader cannot drive (tables, columns, subqueries) are
 * skipped. The pass rate per file is printed; the test fails when a file drops below its
 * floor (the rate reached when the floor was set), so regressions show.
 * LH_GOLDEN_VERBOSE=1 prints every mismatch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/func/golden.c"
#include "t.h"

typedef struct family {
    const char *file;
    int floor; /* minimum passes */
} family_t;

static const family_t FAMILIES[] = {
    {"cast.sql.out", 114},
    {"try_cast.sql.out", 27},
    {"math.sql.out", 73},
    {"operators.sql.out", 50},
    {"try_arithmetic.sql.out", 64},
    {"decimalArithmeticOperations.sql.out", 27},
    {"string-functions.sql.out", 155},
    {"regexp-functions.sql.out", 52},
    {"date.sql.out", 63},
    {"timestamp.sql.out", 67},
    {"datetime-parsing.sql.out", 26},
    {"datetime-formatting.sql.out", 3},
    {"interval.sql.out", 164},
    {"extract.sql.out", 24},
    {"literals.sql.out", 44},
    {"predicate-functions.sql.out", 32},
    {"null-handling.sql.out", 0},
    {"conditional-functions.sql.out", 0},
    {"sql-compatibility-functions.sql.out", 0},
    {"ilike.sql.out", 2},
};

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    size_t got = fread(b, 1, (size_t)n, f);
    b[got] = '\0';
    fclose(f);
    return b;
}

/* Section text after marker up to the next "\n-- !query" (trailing newlines trimmed). */
static char *section(char *p, const char *marker, char **next)
{
    char *s = strstr(p, marker);
    if (s == NULL)
        return NULL;
    s += strlen(marker);
    char *e = strstr(s, "\n-- !query");
    if (e == NULL)
        e = s + strlen(s);
    *next = e;
    size_t n = (size_t)(e - s);
    char *r = malloc(n + 1);
    memcpy(r, s, n);
    r[n] = '\0';
    while (n > 0 && r[n - 1] == '\n')
        r[--n] = '\0';
    return r;
}

static void expected_error(const char *out, char *cls, size_t cap)
{
    const char *k = strstr(out, "\"errorClass\" : \"");
    cls[0] = '\0';
    if (k) {
        k += 16;
        const char *e = strchr(k, '"');
        snprintf(cls, cap, "%.*s", (int)(e - k), k);
    }
}

static int run_file(const family_t *fam, int *evaluated, int *total)
{
    char path[512];
    snprintf(path, sizeof path, "%s/spark-sql-tests/results/%s", t_testdata(), fam->file);
    char *text = slurp(path);
    if (text == NULL) {
        fprintf(stderr, "  missing %s\n", path);
        return -1;
    }
    bool verbose = getenv("LH_GOLDEN_VERBOSE") != NULL;
    int pass = 0;
    *evaluated = *total = 0;
    for (char *p = text; (p = strstr(p, "-- !query\n")) != NULL;) {
        char *next;
        char *q = section(p, "-- !query\n", &next);
        p = next;
        char *schema = section(p, "-- !query schema\n", &next);
        if (schema == NULL) {
            free(q);
            continue;
        }
        char *out = section(next, "-- !query output\n", &next);
        p = next;
        (*total)++;
        if (strncasecmp(q, "select ", 7) != 0 || out == NULL) {
            free(q), free(schema), free(out);
            continue;
        }
        char got[2048];
        g_status st = golden_eval(q + 7, "America/Los_Angeles", got, sizeof got);
        bool is_err = strncmp(out, "org.apache", 10) == 0 || strstr(out, "\"errorClass\"");
        if (st != G_SKIP && (strchr(out, '\n') == NULL || is_err)) {
            (*evaluated)++;
            char cls[128];
            bool ok;
            if (is_err) {
                expected_error(out, cls, sizeof cls);
                ok = st == G_ERROR && strcmp(cls, got) == 0;
            } else {
                ok = st == G_OK && strcmp(out, got) == 0;
            }
            pass += ok;
            if (!ok && verbose)
                fprintf(stderr, "  [%s] %s\n     want: %.200s\n     got:  %s%s\n", fam->file, q,
                        is_err ? cls : out, st == G_ERROR ? "error " : "", got);
        }
        free(q), free(schema), free(out);
    }
    free(text);
    return pass;
}

static void golden_families(void)
{
    int all_pass = 0, all_eval = 0;
    for (size_t k = 0; k < sizeof FAMILIES / sizeof FAMILIES[0]; k++) {
        int ev, total;
        int pass = run_file(&FAMILIES[k], &ev, &total);
        if (pass < 0)
            continue;
        printf("golden %-40s %4d/%-4d evaluated pass (%d queries in file)\n", FAMILIES[k].file,
               pass, ev, total);
        T_CHECK(pass >= FAMILIES[k].floor);
        all_pass += pass, all_eval += ev;
    }
    printf("golden total %d/%d\n", all_pass, all_eval);
}

int main(void)
{
    T_RUN(golden_families);
    return T_DONE();
}
