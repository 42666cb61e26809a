/*
 * files.c - listing, schema inference and reading for file scans (see files.h): the
 * format table, directory and glob listing, the fixed schemas (text, binaryFile), Parquet
 * through storage/parquet, and the dispatch of CSV and JSON buffers to csv.c and json.c.
 *
 * Files are mapped read-only (mmap) for the time of one unit; a big CSV file without quote
 * characters is cut into byte ranges at line boundaries: a range reads the lines that
 * start inside it, so every line is read once.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compute/files/files_internal.h"
#include "compute/sql/sqlerr.h"
#include "storage/parquet/parquet.h"

static const char *const format_names[] = {"csv", "json", "text", "parquet", "binaryFile"};

const char *lh_ff_format_name(lh_ff_format f)
{
    return format_names[f];
}

int lh_ff_format_of(const char *name)
{
    for (int i = 0; i < 5; i++)
        if (strcasecmp(name, format_names[i]) == 0)
            return i;
    return -1;
}

int lh_ff_format_of_path(const char *path)
{
    static const struct {
        const char *ext;
        lh_ff_format f;
    } exts[] = {{".csv", LH_FF_CSV},        {".tsv", LH_FF_CSV},     {".json", LH_FF_JSON},
                {".jsonl", LH_FF_JSON},     {".ndjson", LH_FF_JSON}, {".txt", LH_FF_TEXT},
                {".parquet", LH_FF_PARQUET}};
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof exts / sizeof exts[0]; i++)
        if (strcasecmp(dot, exts[i].ext) == 0)
            return (int)exts[i].f;
    return -1;
}

void lh_ff_opts_default(lh_ff_opts_t *o, lh_ff_format format)
{
    memset(o, 0, sizeof *o);
    o->format = format;
    o->mode = LH_FF_PERMISSIVE;
    o->sep = ',';
    o->quote = '"';
    o->escape = '\\';
    o->null_value = "";
    o->empty_value = "";
    o->time_zone = "UTC";
}

/* ---- listing ----------------------------------------------------------------------------- */

typedef struct flist {
    lh_arena_t *a;
    const char **files;
    int64_t *sizes, *mtimes;
    int count, cap;
} flist;

static lh_err add_file(flist *l, const char *path, const struct stat *st, lh_errbuf *eb)
{
    LH_FAIL_IF(l->count >= LH_FF_FILES_MAX, LH_E_LIMIT, eb, "more than %d files under the path",
               LH_FF_FILES_MAX);
    if (l->count == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        const char **f = lh_arena_calloc(l->a, (size_t)cap, sizeof *f);
        int64_t *s = lh_arena_calloc(l->a, (size_t)cap, sizeof *s);
        int64_t *m = lh_arena_calloc(l->a, (size_t)cap, sizeof *m);
        if (l->count) {
            memcpy(f, l->files, (size_t)l->count * sizeof *f);
            memcpy(s, l->sizes, (size_t)l->count * sizeof *s);
            memcpy(m, l->mtimes, (size_t)l->count * sizeof *m);
        }
        l->files = f, l->sizes = s, l->mtimes = m, l->cap = cap;
    }
    l->files[l->count] = lh_arena_strdup(l->a, path);
    l->sizes[l->count] = st->st_size;
    l->mtimes[l->count++] = (int64_t)st->st_mtim.tv_sec * 1000000 + st->st_mtim.tv_nsec / 1000;
    return LH_OK;
}

static bool hidden(const char *name)
{
    return name[0] == '.' || name[0] == '_';
}

static lh_err walk(flist *l, const char *path, int depth, lh_errbuf *eb)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return LH_OK;
    if (!S_ISDIR(st.st_mode))
        return S_ISREG(st.st_mode) ? add_file(l, path, &st, eb) : LH_OK;
    LH_FAIL_IF(depth > 64, LH_E_LIMIT, eb, "directories nested too deep under %s", path);
    DIR *d = opendir(path);
    if (d == NULL)
        return LH_OK;
    lh_err e = LH_OK;
    struct dirent *de;
    while (e == LH_OK && (de = readdir(d)) != NULL) {
        if (hidden(de->d_name))
            continue;
        char *child = lh_arena_sprintf(l->a, "%s%s%s", path,
                                       path[strlen(path) - 1] == '/' ? "" : "/", de->d_name);
        e = walk(l, child, depth + 1, eb);
    }
    closedir(d);
    return e;
}

static int cmp_idx(const void *a, const void *b, void *ctx)
{
    const flist *l = ctx;
    return strcmp(l->files[*(const int *)a], l->files[*(const int *)b]);
}

lh_err lh_ff_list(const char *path, lh_arena_t *a, lh_ff_scan_t *s, lh_errbuf *eb)
{
    flist l = {a, NULL, NULL, NULL, 0, 0};
    lh_err e = LH_OK;
    if (strpbrk(path, "*?[{") != NULL) {
        glob_t g;
        int rc = glob(path, GLOB_BRACE | GLOB_NOSORT, NULL, &g);
        for (size_t i = 0; rc == 0 && e == LH_OK && i < g.gl_pathc; i++) {
            const char *base = strrchr(g.gl_pathv[i], '/');
            if (!hidden(base ? base + 1 : g.gl_pathv[i]))
                e = walk(&l, g.gl_pathv[i], 0, eb);
        }
        if (rc == 0)
            globfree(&g);
    } else {
        struct stat st;
        if (stat(path, &st) == 0)
            e = walk(&l, path, 0, eb);
        else
            l.count = -1;
    }
    LH_TRY(e);
    if (l.count < 0 || (l.count == 0 && strpbrk(path, "*?[{") != NULL))
        return lh_sqlerr(eb, "PATH_NOT_FOUND", "path", lh_arena_sprintf(a, "file:%s", path), NULL);
    int *idx = lh_arena_calloc(a, (size_t)l.count + 1, sizeof *idx);
    for (int i = 0; i < l.count; i++)
        idx[i] = i;
    qsort_r(idx, (size_t)l.count, sizeof *idx, cmp_idx, &l);
    s->file_count = l.count;
    s->files = lh_arena_calloc(a, (size_t)l.count + 1, sizeof *s->files);
    s->sizes = lh_arena_calloc(a, (size_t)l.count + 1, sizeof *s->sizes);
    s->mtimes_us = lh_arena_calloc(a, (size_t)l.count + 1, sizeof *s->mtimes_us);
    for (int i = 0; i < l.count; i++) {
        s->files[i] = l.files[idx[i]];
        s->sizes[i] = l.sizes[idx[i]];
        s->mtimes_us[i] = l.mtimes[idx[i]];
    }
    return LH_OK;
}

/* ---- mapping files --------------------------------------------------------------------------- */

typedef struct fmap {
    const char *p;
    size_t len;
    void *addr;
} fmap;

static lh_err map_file(const char *path, fmap *m, lh_errbuf *eb)
{
    memset(m, 0, sizeof *m);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? lh_sqlerr(eb, "PATH_NOT_FOUND", "path", path, NULL)
                               : lh_err_set(eb, LH_E_IO, __FILE__, __LINE__, "cannot open %s: %s",
                                            path, strerror(errno));
    struct stat st;
    lh_err e = LH_OK;
    if (fstat(fd, &st) != 0) {
        e = lh_err_set(eb, LH_E_IO, __FILE__, __LINE__, "cannot stat %s", path);
    } else if (st.st_size > 0) {
        m->addr = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m->addr == MAP_FAILED) {
            m->addr = NULL;
            e = lh_err_set(eb, LH_E_IO, __FILE__, __LINE__, "cannot map %s", path);
        } else {
            m->p = m->addr;
            m->len = (size_t)st.st_size;
        }
    }
    close(fd);
    return e;
}

static void unmap_file(fmap *m)
{
    if (m->addr)
        munmap(m->addr, m->len);
}

/* ---- inference ------------------------------------------------------------------------------- */

static lh_err infer_parquet(lh_ff_scan_t *s, lh_arena_t *a, lh_errbuf *eb)
{
    lh_byte_source_t src;
    LH_TRY(lh_bytes_source_open_file(s->files[0], &src, eb));
    lh_pq_file_t *f;
    LH_TRY(lh_pq_open(&src, &f, eb));
    lh_err e = LH_OK;
    if (lh_pq_nested_column_count(f) > 0)
        e = lh_sqlerr(eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                      lh_arena_sprintf(a, "reading the nested Parquet column `%s` of a file",
                                       lh_pq_nested_column_name(f, 0)),
                      NULL);
    const lh_schema_t *sc = lh_pq_schema(f);
    if (e == LH_OK) {
        s->col_count = sc->field_count;
        s->names = lh_arena_calloc(a, (size_t)sc->field_count + 1, sizeof *s->names);
        s->types = lh_arena_calloc(a, (size_t)sc->field_count + 1, sizeof *s->types);
        for (int i = 0; i < sc->field_count; i++) {
            s->names[i] = lh_arena_strdup(a, sc->fields[i].name);
            s->types[i] = sc->fields[i].type;
        }
    }
    lh_pq_close(f);
    return e;
}

static lh_err infer_text_files(lh_ff_scan_t *s, lh_arena_t *a, lh_errbuf *eb)
{
    lh_ff_csv_infer_t *csv = s->opts.format == LH_FF_CSV ? lh_ff_csv_infer_new() : NULL;
    lh_ff_json_infer_t *json = s->opts.format == LH_FF_JSON ? lh_ff_json_infer_new() : NULL;
    lh_err e =
        csv || json ? LH_OK : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    int64_t budget = LH_FF_INFER_BYTES_MAX;
    for (int i = 0; e == LH_OK && i < s->file_count && budget > 0; i++) {
        fmap m;
        if ((e = map_file(s->files[i], &m, eb)) != LH_OK)
            break;
        size_t len = m.len;
        if ((int64_t)len > budget && !s->opts.multiline) { /* whole lines only */
            len = (size_t)budget;
            while (len > 0 && m.p[len - 1] != '\n')
                len--;
        }
        budget -= (int64_t)len;
        e = csv ? lh_ff_csv_infer_add(csv, &s->opts, m.p, len, i == 0, eb)
                : lh_ff_json_infer_add(json, &s->opts, m.p, len, eb);
        unmap_file(&m);
    }
    if (e == LH_OK && csv)
        lh_ff_csv_infer_result(csv, &s->opts, a, &s->col_count, &s->names, &s->types);
    else if (e == LH_OK)
        lh_ff_json_infer_result(json, a, &s->col_count, &s->names, &s->types);
    lh_ff_csv_infer_free(csv);
    lh_ff_json_infer_free(json);
    return e;
}

static void fixed(lh_ff_scan_t *s, lh_arena_t *a, int n, const char *const *names,
                  const lh_type_id *ids)
{
    s->col_count = n;
    s->names = lh_arena_calloc(a, (size_t)n, sizeof *s->names);
    s->types = lh_arena_calloc(a, (size_t)n, sizeof *s->types);
    for (int i = 0; i < n; i++) {
        s->names[i] = names[i];
        s->types[i] = (lh_type_t){ids[i]};
    }
}

lh_err lh_ff_infer(lh_ff_scan_t *s, int hint_count, const lh_ff_hint_t *hints, lh_arena_t *a,
                   lh_errbuf *eb)
{
    s->rescued_col = -1;
    if (s->opts.format == LH_FF_TEXT) {
        static const char *const n[] = {"value"};
        static const lh_type_id t[] = {LH_TYPE_STRING};
        fixed(s, a, 1, n, t);
        return LH_OK;
    }
    if (s->opts.format == LH_FF_BINARY) {
        static const char *const n[] = {"path", "modificationTime", "length", "content"};
        static const lh_type_id t[] = {LH_TYPE_STRING, LH_TYPE_TIMESTAMP, LH_TYPE_LONG,
                                       LH_TYPE_BINARY};
        fixed(s, a, 4, n, t);
        return LH_OK;
    }
    if (s->file_count == 0)
        return lh_sqlerr(eb, "UNABLE_TO_INFER_SCHEMA", "format",
                         s->opts.format == LH_FF_PARQUET ? "Parquet"
                         : s->opts.format == LH_FF_CSV   ? "CSV"
                                                         : "JSON",
                         NULL);
    LH_TRY(s->opts.format == LH_FF_PARQUET ? infer_parquet(s, a, eb) : infer_text_files(s, a, eb));
    for (int h = 0; h < hint_count; h++) {
        int found = -1;
        for (int i = 0; i < s->col_count && found < 0; i++)
            if (strcasecmp(s->names[i], hints[h].name) == 0)
                found = i;
        if (found >= 0) {
            s->types[found] = hints[h].type;
            continue;
        }
        if (s->opts.format == LH_FF_CSV) /* a hint for a column CSV does not have: skipped */
            continue;
        const char **nm = lh_arena_calloc(a, (size_t)s->col_count + 2, sizeof *nm);
        lh_type_t *ty = lh_arena_calloc(a, (size_t)s->col_count + 2, sizeof *ty);
        memcpy(nm, s->names, (size_t)s->col_count * sizeof *nm);
        memcpy(ty, s->types, (size_t)s->col_count * sizeof *ty);
        nm[s->col_count] = hints[h].name;
        ty[s->col_count++] = hints[h].type;
        s->names = nm;
        s->types = ty;
    }
    s->header_count = s->col_count;
    if (s->opts.rescued && s->opts.format != LH_FF_PARQUET) {
        const char **nm = lh_arena_calloc(a, (size_t)s->col_count + 2, sizeof *nm);
        lh_type_t *ty = lh_arena_calloc(a, (size_t)s->col_count + 2, sizeof *ty);
        memcpy(nm, s->names, (size_t)s->col_count * sizeof *nm);
        memcpy(ty, s->types, (size_t)s->col_count * sizeof *ty);
        nm[s->col_count] = "_rescued_data";
        ty[s->col_count] = (lh_type_t){LH_TYPE_STRING};
        s->rescued_col = s->col_count++;
        s->names = nm;
        s->types = ty;
    }
    return LH_OK;
}

/* ---- units -------------------------------------------------------------------------------------
 */

static bool splittable(const lh_ff_scan_t *s, int f)
{
    if (s->opts.format != LH_FF_CSV || s->sizes[f] <= LH_FF_SPLIT_BYTES)
        return false;
    fmap m;
    lh_errbuf eb;
    if (map_file(s->files[f], &m, &eb) != LH_OK)
        return false;
    bool ok = m.len > 0 && (s->opts.quote == '\0' || memchr(m.p, s->opts.quote, m.len) == NULL) &&
              memchr(m.p, '\r', m.len) == NULL;
    unmap_file(&m);
    return ok;
}

lh_err lh_ff_units(const lh_ff_scan_t *s, lh_ff_unit_t **units, size_t *count, lh_errbuf *eb)
{
    size_t n = 0, cap = (size_t)s->file_count + 1;
    lh_ff_unit_t *u = malloc(cap * sizeof *u);
    LH_FAIL_IF(u == NULL, LH_E_NOMEM, eb, "out of memory");
    for (int f = 0; f < s->file_count; f++) {
        int64_t parts =
            splittable(s, f) ? (s->sizes[f] + LH_FF_SPLIT_BYTES - 1) / LH_FF_SPLIT_BYTES : 1;
        for (int64_t k = 0; k < parts; k++) {
            if (n == cap) {
                cap *= 2;
                lh_ff_unit_t *nu = realloc(u, cap * sizeof *nu);
                if (nu == NULL) {
                    free(u);
                    LH_FAIL(LH_E_NOMEM, eb, "out of memory");
                }
                u = nu;
            }
            int64_t start = parts == 1 ? 0 : k * LH_FF_SPLIT_BYTES;
            int64_t end = parts == 1 || k == parts - 1 ? -1 : (k + 1) * LH_FF_SPLIT_BYTES;
            u[n++] = (lh_ff_unit_t){f, start, end};
        }
    }
    *units = u;
    *count = n;
    return LH_OK;
}

/* ---- reading -----------------------------------------------------------------------------------
 */

static lh_err read_text(const lh_ff_scan_t *s, const char *p, size_t len, lh_ff_emit_fn emit,
                        void *ctx, int64_t *rows, lh_errbuf *eb)
{
    ff_out o = {0};
    lh_err e = ff_out_init(&o, s) ? LH_OK : LH_E_NOMEM;
    const char *end = p + len;
    if (s->opts.whole_text) {
        if (e == LH_OK && (e = lh_vec_append_str(o.cols[0], p, len)) == LH_OK)
            o.b.row_count = 1;
        p = end;
    }
    while (e == LH_OK && p < end) {
        const char *q = p;
        while (q < end && *q != '\n' && *q != '\r')
            q++;
        e = lh_vec_append_str(o.cols[0], p, (size_t)(q - p));
        if (q < end && *q == '\r' && q + 1 < end && q[1] == '\n')
            q++;
        p = q + 1;
        if (e == LH_OK && ++o.b.row_count == LH_BATCH_ROWS)
            e = ff_out_flush(&o, emit, ctx, eb);
    }
    if (e == LH_E_NOMEM)
        lh_err_set(eb, e, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK)
        e = ff_out_flush(&o, emit, ctx, eb);
    *rows = o.rows;
    ff_out_free(&o, s->col_count);
    return e;
}

static lh_err read_binary(const lh_ff_scan_t *s, int f, const fmap *m, lh_ff_emit_fn emit,
                          void *ctx, int64_t *rows, lh_errbuf *eb)
{
    ff_out o = {0};
    lh_err e = ff_out_init(&o, s) ? LH_OK : LH_E_NOMEM;
    char path[4200];
    snprintf(path, sizeof path, "file:%s", s->files[f]);
    if (e == LH_OK)
        e = lh_vec_append_str(o.cols[0], path, strlen(path));
    if (e == LH_OK)
        e = lh_vec_append_i64(o.cols[1], s->mtimes_us[f]);
    if (e == LH_OK)
        e = lh_vec_append_i64(o.cols[2], (int64_t)m->len);
    if (e == LH_OK)
        e = lh_vec_append_str(o.cols[3], m->p ? m->p : "", m->len);
    if (e != LH_OK)
        lh_err_set(eb, e, __FILE__, __LINE__, "out of memory");
    o.b.row_count = 1;
    if (e == LH_OK)
        e = ff_out_flush(&o, emit, ctx, eb);
    *rows = 1;
    ff_out_free(&o, s->col_count);
    return e;
}

/* Parquet: columns matched by name (case-insensitive); a column the file lacks is NULL. */
static lh_err read_parquet(const lh_ff_scan_t *s, int f, lh_ff_emit_fn emit, void *ctx,
                           int64_t *rows, lh_errbuf *eb)
{
    lh_byte_source_t src;
    LH_TRY(lh_bytes_source_open_file(s->files[f], &src, eb));
    lh_pq_file_t *pf;
    LH_TRY(lh_pq_open(&src, &pf, eb));
    const lh_schema_t *sc = lh_pq_schema(pf);
    int n = s->col_count;
    int *map = calloc((size_t)n + 1, sizeof *map);
    lh_pq_cursor_t **cur = calloc((size_t)n + 1, sizeof *cur);
    ff_out o = {0};
    lh_err e = map && cur && ff_out_init(&o, s) ? LH_OK : LH_E_NOMEM;
    if (e != LH_OK)
        lh_err_set(eb, e, __FILE__, __LINE__, "out of memory");
    for (int i = 0; e == LH_OK && i < n; i++) {
        map[i] = lh_schema_find(sc, s->names[i]);
        if (map[i] >= 0 && !lh_type_equal(sc->fields[map[i]].type, s->types[i]))
            e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                           "column %s of %s has another type than the first file's", s->names[i],
                           s->files[f]);
    }
    *rows = 0;
    for (int rg = 0; e == LH_OK && rg < lh_pq_row_group_count(pf); rg++) {
        int64_t left = lh_pq_row_group_num_rows(pf, rg);
        for (int i = 0; e == LH_OK && i < n; i++)
            if (map[i] >= 0)
                e = cur[i] ? lh_pq_cursor_reopen(cur[i], rg, eb)
                           : lh_pq_cursor_open(pf, rg, map[i], 0, &cur[i], eb);
        while (e == LH_OK && left > 0) {
            size_t k = left < LH_BATCH_ROWS ? (size_t)left : LH_BATCH_ROWS;
            for (int i = 0; e == LH_OK && i < n; i++) {
                if (map[i] >= 0) {
                    e = lh_pq_cursor_read(cur[i], k, o.cols[i], eb);
                    continue;
                }
                lh_vec_reset(o.cols[i]);
                for (size_t r = 0; r < k && e == LH_OK; r++)
                    e = lh_vec_append_null(o.cols[i]);
            }
            o.b.row_count = k;
            left -= (int64_t)k;
            if (e == LH_OK) {
                e = emit(ctx, &o.b, eb);
                *rows += (int64_t)k;
            }
        }
    }
    for (int i = 0; cur && i < n; i++)
        if (cur[i])
            lh_pq_cursor_close(cur[i]);
    free(cur);
    free(map);
    ff_out_free(&o, n);
    lh_pq_close(pf);
    return e;
}

lh_err lh_ff_read(const lh_ff_scan_t *s, const lh_ff_unit_t *u, lh_ff_emit_fn emit, void *ctx,
                  int64_t *rows_read, lh_errbuf *eb)
{
    int64_t rows = 0;
    lh_err e;
    const char *path = s->files[u->file];
    if (s->opts.format == LH_FF_PARQUET) {
        e = read_parquet(s, u->file, emit, ctx, &rows, eb);
    } else {
        fmap m;
        LH_TRY(map_file(path, &m, eb));
        const char *p = m.p;
        size_t len = m.len;
        if (u->start > 0 || u->end >= 0) { /* a byte range: the lines starting in it */
            size_t a = (size_t)u->start, b = u->end < 0 ? m.len : (size_t)u->end;
            if (a > m.len)
                a = m.len;
            if (b > m.len)
                b = m.len;
            if (a > 0) {
                const char *nl = memchr(m.p + a - 1, '\n', m.len - (a - 1));
                a = nl ? (size_t)(nl - m.p) + 1 : m.len;
            }
            if (b > 0 && b < m.len) {
                const char *nl = memchr(m.p + b - 1, '\n', m.len - (b - 1));
                b = nl ? (size_t)(nl - m.p) + 1 : m.len;
            }
            p = m.p + a;
            len = b > a ? b - a : 0;
        }
        switch (s->opts.format) {
        case LH_FF_CSV:
            e = lh_ff_csv_parse(s, path, p ? p : "", len, u->start == 0, emit, ctx, &rows, eb);
            break;
        case LH_FF_JSON:
            e = lh_ff_json_parse(s, path, p ? p : "", len, emit, ctx, &rows, eb);
            break;
        case LH_FF_TEXT:
            e = read_text(s, p ? p : "", len, emit, ctx, &rows, eb);
            break;
        default:
            e = read_binary(s, u->file, &m, emit, ctx, &rows, eb);
            break;
        }
        unmap_file(&m);
    }
    if (rows_read)
        *rows_read = rows;
    return e;
}
