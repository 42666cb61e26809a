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
#include <ctype.h>
#include <strings.h>

#include "compute/func/golden.c"
#include "t.h"

typedef struct family {
    const char *file;
    int floor; /* minimum passes */
} family_t;

static const family_t FAMILIES[] = {
    {"cast.sql.out", 116},
    {"try_cast.sql.out", 27},
    {"math.sql.out", 73},
    {"operators.sql.out", 70},
    {"try_arithmetic.sql.out", 69},
    {"decimalArithmeticOperations.sql.out", 30},
    {"string-functions.sql.out", 196},
    {"regexp-functions.sql.out", 67},
    {"date.sql.out", 71},
    {"timestamp.sql.out", 72},
    {"datetime-parsing.sql.out", 26},
    {"datetime-formatting.sql.out", 29},
    {"interval.sql.out", 210},
    {"extract.sql.out", 114},
    {"literals.sql.out", 47},
    {"predicate-functions.sql.out", 37},
    {"null-handling.sql.out", 0},
    {"conditional-functions.sql.out", 0},
    {"sql-compatibility-functions.sql.out", 4},
    {"ilike.sql.out", 2},
};

/* ---- temporary views of literal rows (CREATE TEMPORARY VIEW v AS SELECT ...) ---- */

#define VIEW_MAX  8
#define VIEW_COLS 8
#define VIEW_ROWS 16

typedef struct view {
    char name[64];
    int ncols, nrows;
    char cols[VIEW_COLS][64];
    char *cells[VIEW_ROWS][VIEW_COLS]; /* expression text */
} view_t;

static view_t views[VIEW_MAX];
static int nviews;

static void views_reset(void)
{
    for (int v = 0; v < nviews; v++)
        for (int r = 0; r < views[v].nrows; r++)
            for (int c = 0; c < views[v].ncols; c++)
                free(views[v].cells[r][c]);
    nviews = 0;
}

/* Split [s, e) at top-level commas (outside quotes and parentheses). */
static int split_top(const char *s, const char *e, const char **b, const char **z, int max)
{
    int n = 0, depth = 0;
    char q = 0;
    const char *st = s;
    for (const char *p = s; p <= e && n < max; p++) {
        if (p < e && q) {
            if (*p == q)
                q = 0;
            continue;
        }
        if (p < e && (*p == '\'' || *p == '"' || *p == '`')) {
            q = *p;
            continue;
        }
        if (p < e && *p == '(')
            depth++;
        if (p < e && *p == ')')
            depth--;
        if (p == e || (*p == ',' && depth == 0)) {
            b[n] = st, z[n++] = p;
            st = p + 1;
        }
    }
    return n;
}

static char *dup_trim(const char *b, const char *e)
{
    while (b < e && isspace((unsigned char)*b))
        b++;
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    char *r = malloc((size_t)(e - b) + 1);
    memcpy(r, b, (size_t)(e - b));
    r[e - b] = '\0';
    return r;
}

static void word_copy(char *out, size_t cap, const char *b, const char *e)
{
    while (b < e && (isspace((unsigned char)*b) || *b == '`'))
        b++;
    while (e > b && (isspace((unsigned char)e[-1]) || e[-1] == '`'))
        e--;
    snprintf(out, cap, "%.*s", (int)(e - b), b);
}

static void define_view(const char *q)
{
    if (nviews >= VIEW_MAX)
        return;
    view_t *v = &views[nviews];
    memset(v, 0, sizeof *v);
    const char *p = q + strlen("create temporary view ");
    const char *ne = p;
    while (*ne && !isspace((unsigned char)*ne))
        ne++;
    word_copy(v->name, sizeof v->name, p, ne);
    const char *sel = strcasestr(ne, " select ");
    if (sel == NULL)
        return;
    sel += 8;
    const char *vals = strcasestr(sel, "from values");
    const char *b[VIEW_ROWS * VIEW_COLS], *z[VIEW_ROWS * VIEW_COLS];
    if (vals) { /* (e1, e2), (..) [as] t(c1, c2) */
        const char *last_open = strrchr(vals, '('), *last_close = strrchr(vals, ')');
        if (!last_open || !last_close)
            return;
        int nc = split_top(last_open + 1, last_close, b, z, VIEW_COLS);
        for (int c = 0; c < nc; c++)
            word_copy(v->cols[c], sizeof v->cols[c], b[c], z[c]);
        v->ncols = nc;
        const char *rows_b = vals + 11, *rows_e = last_open;
        while (rows_e > rows_b && (isalnum((unsigned char)rows_e[-1]) || rows_e[-1] == '_' ||
                                   isspace((unsigned char)rows_e[-1])))
            rows_e--;
        if (rows_e - rows_b >= 2 && strncasecmp(rows_e - 2, "as", 2) == 0)
            rows_e -= 2;
        int nr = split_top(rows_b, rows_e, b, z, VIEW_ROWS);
        for (int r = 0; r < nr; r++) {
            const char *rb = strchr(b[r], '('), *re = z[r];
            while (re > rb && re[-1] != ')')
                re--;
            if (rb == NULL || re <= rb)
                return;
            const char *cb[VIEW_COLS], *cz[VIEW_COLS];
            int k = split_top(rb + 1, re - 1, cb, cz, VIEW_COLS);
            for (int c = 0; c < k && c < nc; c++)
                v->cells[r][c] = dup_trim(cb[c], cz[c]);
            v->nrows++;
        }
    } else { /* select e1 as c1, e2 c2 */
        int nc = split_top(sel, sel + strlen(sel), b, z, VIEW_COLS);
        for (int c = 0; c < nc; c++) {
            const char *e = z[c];
            while (e > b[c] && isspace((unsigned char)e[-1]))
                e--;
            const char *w = e;
            while (w > b[c] && (isalnum((unsigned char)w[-1]) || w[-1] == '_' || w[-1] == '`'))
                w--;
            word_copy(v->cols[c], sizeof v->cols[c], w, e);
            const char *xe = w;
            while (xe > b[c] && isspace((unsigned char)xe[-1]))
                xe--;
            if (xe - b[c] >= 3 && strncasecmp(xe - 2, "as", 2) == 0 &&
                isspace((unsigned char)xe[-3]))
                xe -= 2;
            v->cells[0][c] = dup_trim(b[c], xe);
        }
        v->ncols = nc;
        v->nrows = 1;
    }
    nviews++;
}

/* "LIST from NAME" over a known view: rewrite per row into out (malloc'd lines). */
static int expand_view_query(const char *list_and_from, char **rows_sql, int max)
{
    const char *from = NULL;
    for (const char *p = list_and_from; (p = strcasestr(p, " from ")) != NULL; p++)
        from = p;
    if (from == NULL)
        return 0;
    char name[64];
    word_copy(name, sizeof name, from + 6, from + strlen(from));
    view_t *v = NULL;
    for (int k = 0; k < nviews; k++)
        if (strcasecmp(views[k].name, name) == 0)
            v = &views[k];
    if (v == NULL)
        return 0;
    int n = 0;
    for (int r = 0; r < v->nrows && n < max; r++) {
        size_t cap = 8192, o = 0;
        char *out = malloc(cap);
        char q = 0;
        for (const char *p = list_and_from; p < from && o + 600 < cap;) {
            if (q) {
                out[o++] = *p;
                if (*p++ == q)
                    q = 0;
                continue;
            }
            if (*p == '\'' || *p == '"') {
                q = *p;
                out[o++] = *p++;
                continue;
            }
            if (isalpha((unsigned char)*p) || *p == '_' || *p == '`') {
                const char *w = p;
                while (p < from && (isalnum((unsigned char)*p) || *p == '_' || *p == '`'))
                    p++;
                char word[64];
                word_copy(word, sizeof word, w, p);
                int hit = -1;
                for (int c = 0; c < v->ncols && hit < 0; c++)
                    if (strcasecmp(word, v->cols[c]) == 0 && v->cells[r][c])
                        hit = c;
                if (hit >= 0)
                    o += (size_t)snprintf(out + o, cap - o, "(%s)", v->cells[r][hit]);
                else
                    o += (size_t)snprintf(out + o, cap - o, "%.*s", (int)(p - w), w);
                continue;
            }
            out[o++] = *p++;
        }
        out[o] = '\0';
        rows_sql[n++] = out;
    }
    return n;
}

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
        if (strncasecmp(q, "create temporary view ", 22) == 0)
            define_view(q);
        if (strncasecmp(q, "select ", 7) != 0 || out == NULL) {
            free(q), free(schema), free(out);
            continue;
        }
        char got[8192];
        g_status st = golden_eval(q + 7, "America/Los_Angeles", got, sizeof got);
        char *rows_sql[VIEW_ROWS];
        int nrows = st == G_SKIP ? expand_view_query(q + 7, rows_sql, VIEW_ROWS) : 0;
        if (nrows > 0) { /* one line per view row */
            size_t o = 0;
            st = G_OK;
            for (int r = 0; r < nrows; r++) {
                char line[2048];
                g_status rs = golden_eval(rows_sql[r], "America/Los_Angeles", line, sizeof line);
                if (rs != G_OK && st == G_OK) {
                    st = rs;
                    snprintf(got, sizeof got, "%s", line);
                }
                if (st == G_OK)
                    o += (size_t)snprintf(got + o, sizeof got - o, "%s%s", r ? "\n" : "", line);
                free(rows_sql[r]);
            }
        }
        bool is_err = strncmp(out, "org.apache", 10) == 0 || strstr(out, "\"errorClass\"");
        if (st != G_SKIP && (strchr(out, '\n') == NULL || is_err || nrows > 0)) {
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
    views_reset();
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
