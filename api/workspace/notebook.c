/*
 * notebook.c - the notebook source parser (notebook.h).
 *
 * One pass over the lines: the header (if any) is skipped, separator lines cut the rest
 * into cells, and each cell is then shaped on its own:
 *   1. blank lines at its start and end are dropped;
 *   2. a first line "C DBTITLE <n>,<title>" becomes the title;
 *   3. when every line is "C MAGIC" or starts with "C MAGIC ", the prefixes go and the
 *      first line's "%command" becomes the magic (the rest of that line stays as text);
 *   4. the lines are joined with '\n' into the arena.
 * Lines are (ptr, len) slices of the source; nothing is copied until step 4, so the work is
 * linear in the source size.
 */
#include <string.h>

#include "api/workspace/notebook.h"

typedef struct line {
    const char *p;
    size_t n; /* without the '\n' and a trailing '\r' */
} line;

static const struct {
    const char *language, *comment;
} LANGS[] = {{"SQL", "--"}, {"PYTHON", "#"}, {"SCALA", "//"}, {"R", "#"}};

const char *lh_notebook_comment(const char *language)
{
    for (size_t i = 0; language != NULL && i < sizeof LANGS / sizeof LANGS[0]; i++)
        if (strcmp(LANGS[i].language, language) == 0)
            return LANGS[i].comment;
    return NULL;
}

static const char *canonical_language(const char *language)
{
    for (size_t i = 0; language != NULL && i < sizeof LANGS / sizeof LANGS[0]; i++)
        if (strcmp(LANGS[i].language, language) == 0)
            return LANGS[i].language;
    return NULL;
}

/* The line starting at src[*pos]; advances *pos past its '\n'. */
static line next_line(const char *src, size_t bytes, size_t *pos)
{
    const char *p = src + *pos;
    const char *nl = memchr(p, '\n', bytes - *pos);
    size_t n = nl != NULL ? (size_t)(nl - p) : bytes - *pos;
    *pos += nl != NULL ? n + 1 : n;
    if (n > 0 && p[n - 1] == '\r')
        n--;
    return (line){p, n};
}

static line rtrim(line l)
{
    while (l.n > 0 && (l.p[l.n - 1] == ' ' || l.p[l.n - 1] == '\t' || l.p[l.n - 1] == '\r'))
        l.n--;
    return l;
}

static bool is_blank(line l)
{
    return rtrim(l).n == 0;
}

static bool line_is(line l, const char *comment, const char *rest)
{
    size_t c = strlen(comment), r = strlen(rest);
    l = rtrim(l);
    return l.n == c + r && memcmp(l.p, comment, c) == 0 && memcmp(l.p + c, rest, r) == 0;
}

static bool starts_with(line l, const char *comment, const char *rest)
{
    size_t c = strlen(comment), r = strlen(rest);
    return l.n >= c + r && memcmp(l.p, comment, c) == 0 && memcmp(l.p + c, rest, r) == 0;
}

const char *lh_notebook_header_language(const char *src, size_t bytes)
{
    if (src == NULL)
        return NULL;
    size_t pos = 0;
    line first = next_line(src, bytes, &pos);
    for (size_t i = 0; i < 3; i++)
        if (line_is(first, LANGS[i].comment, " Databricks notebook source"))
            return LANGS[i].language;
    return NULL;
}

/* ---- cells ---- */

typedef struct builder {
    lh_arena_t *a;
    const char *comment;
    const char *language;
    lh_nb_cell_t *cells;
    size_t count, cap;
} builder;

static lh_nb_cell_t *push_cell(builder *b)
{
    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 8;
        lh_nb_cell_t *grown = lh_arena_calloc(b->a, cap, sizeof *grown);
        if (b->count > 0)
            memcpy(grown, b->cells, b->count * sizeof *grown);
        b->cells = grown;
        b->cap = cap;
    }
    lh_nb_cell_t *c = &b->cells[b->count++];
    memset(c, 0, sizeof *c);
    return c;
}

static const char *join(lh_arena_t *a, const line *lines, size_t n, size_t *bytes)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += lines[i].n + (i + 1 < n ? 1 : 0);
    char *out = lh_arena_alloc(a, total + 1), *w = out;
    for (size_t i = 0; i < n; i++) {
        if (lines[i].n > 0)
            memcpy(w, lines[i].p, lines[i].n);
        w += lines[i].n;
        if (i + 1 < n)
            *w++ = '\n';
    }
    *w = '\0';
    *bytes = total;
    return out;
}

/* "C DBTITLE 1,Title" -> the title. */
static bool title_of(builder *b, line l, const char **title)
{
    if (!starts_with(l, b->comment, " DBTITLE "))
        return false;
    size_t i = strlen(b->comment) + 9;
    while (i < l.n && l.p[i] >= '0' && l.p[i] <= '9')
        i++;
    if (i >= l.n || l.p[i] != ',')
        return false;
    line t = rtrim((line){l.p + i + 1, l.n - i - 1});
    *title = lh_arena_strndup(b->a, t.p, t.n);
    return true;
}

/* All lines "C MAGIC" or "C MAGIC ...": strip the prefixes in place. */
static bool strip_magic(builder *b, line *lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!line_is(lines[i], b->comment, " MAGIC") &&
            !starts_with(lines[i], b->comment, " MAGIC "))
            return false;
    size_t skip = strlen(b->comment) + 7;
    for (size_t i = 0; i < n; i++) {
        if (lines[i].n >= skip) {
            lines[i].p += skip;
            lines[i].n -= skip;
        } else {
            lines[i].n = 0;
        }
    }
    return true;
}

static const char *magic_language(const char *magic)
{
    static const char *const map[][2] = {
        {"sql", "SQL"}, {"python", "PYTHON"}, {"scala", "SCALA"}, {"r", "R"}};
    for (size_t i = 0; i < 4; i++)
        if (strcmp(map[i][0], magic) == 0)
            return map[i][1];
    return NULL;
}

/* The first line "%cmd rest": set the magic, keep "rest" (if any) as the first text line. */
static void take_magic(builder *b, lh_nb_cell_t *c, line *lines, size_t *first, size_t n)
{
    line l = lines[*first];
    if (l.n < 2 || l.p[0] != '%')
        return;
    size_t k = 1;
    while (k < l.n && l.p[k] != ' ' && l.p[k] != '\t')
        k++;
    c->magic = lh_arena_strndup(b->a, l.p + 1, k - 1);
    c->language = magic_language(c->magic);
    while (k < l.n && (l.p[k] == ' ' || l.p[k] == '\t'))
        k++;
    if (k < l.n) {
        lines[*first] = (line){l.p + k, l.n - k};
    } else {
        (*first)++;
        while (*first < n && is_blank(lines[*first]))
            (*first)++;
    }
}

static void finish_cell(builder *b, line *lines, size_t n)
{
    size_t first = 0;
    while (first < n && is_blank(lines[first]))
        first++;
    while (n > first && is_blank(lines[n - 1]))
        n--;
    if (first == n)
        return; /* an empty cell (blank lines between separators) */
    lh_nb_cell_t *c = push_cell(b);
    c->language = b->language;
    if (title_of(b, lines[first], &c->title)) {
        first++;
        while (first < n && is_blank(lines[first]))
            first++;
    }
    if (first < n && strip_magic(b, lines + first, n - first))
        take_magic(b, c, lines, &first, n);
    c->text = join(b->a, lines + first, n - first, &c->text_bytes);
}

static lh_err pick_language(const char *src, size_t bytes, const char *language, builder *b,
                            bool *has_header, lh_errbuf *eb)
{
    const char *header = lh_notebook_header_language(src, bytes);
    const char *given = canonical_language(language);
    LH_FAIL_IF(language != NULL && given == NULL, LH_E_INVALID, eb,
               "Invalid language '%.32s': expected PYTHON, SQL, SCALA or R", language);
    LH_FAIL_IF(given == NULL && header == NULL, LH_E_INVALID, eb,
               "The source has no notebook header (\"-- Databricks notebook source\", \"# ...\", "
               "\"// ...\") and no language was given");
    *has_header = header != NULL;
    if (header != NULL &&
        (given == NULL || strcmp(lh_notebook_comment(given), lh_notebook_comment(header)) != 0))
        given = header;
    b->language = given;
    b->comment = lh_notebook_comment(given);
    return LH_OK;
}

lh_err lh_notebook_parse(const char *src, size_t bytes, const char *language, lh_arena_t *a,
                         lh_notebook_t *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    if (src == NULL)
        src = "", bytes = 0;
    builder b = {a, NULL, NULL, NULL, 0, 0};
    LH_TRY(pick_language(src, bytes, language, &b, &out->has_header, eb));
    size_t pos = 0, n = 0, cap = 64;
    line *lines = lh_arena_alloc(a, cap * sizeof *lines);
    if (out->has_header)
        (void)next_line(src, bytes, &pos);
    while (pos < bytes) {
        line l = next_line(src, bytes, &pos);
        if (line_is(l, b.comment, " COMMAND ----------")) {
            finish_cell(&b, lines, n);
            n = 0;
            continue;
        }
        if (n == cap) {
            line *grown = lh_arena_alloc(a, 2 * cap * sizeof *grown);
            memcpy(grown, lines, n * sizeof *lines);
            lines = grown, cap *= 2;
        }
        lines[n++] = l;
    }
    finish_cell(&b, lines, n);
    out->language = b.language;
    out->cells = b.cells;
    out->cell_count = b.count;
    return LH_OK;
}
