/*
 * spill.c - run files for the external sort and the hash aggregate's partitions: batches
 * written to and read back from a temporary file in the query's spill directory (removed
 * when the query ends; each file also when its run is closed). A sealed run holds no file
 * descriptor until it is rewound, so thousands of runs do not exhaust them.
 *
 * Format, per batch: uint32 rows, then per column: uint8 has_nulls, the validity words
 * when it has nulls, then the values: fixed-width slots, or for strings uint32 lengths
 * followed by the bytes. Native byte order (the file never leaves the process).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/exec/exec_internal.h"
#include "compute/exec/spill.h"

struct exec_run {
    FILE *f; /* NULL while sealed */
    char path[320];
    int col_count;
    lh_type_t *types;
    lh_batch_t *b; /* reading: the current batch */
    int64_t bytes, batches, rows;
    int64_t max_batch_bytes, max_batch_rows; /* as written */
};

static bool is_str(lh_type_t t)
{
    return lh_type_is_bytes(t);
}

lh_err exec_run_create(exec_query *q, int col_count, const lh_type_t *types, exec_run **out,
                       lh_errbuf *eb)
{
    const char *dir;
    LH_TRY(exec_spill_dir(q, &dir, eb));
    exec_run *r = calloc(1, sizeof *r);
    LH_FAIL_IF(r == NULL, LH_E_NOMEM, eb, "out of memory");
    snprintf(r->path, sizeof r->path, "%s/run-%d", dir, atomic_fetch_add(&q->spill_seq, 1));
    r->f = fopen(r->path, "w+b");
    r->col_count = col_count;
    r->types = malloc(((size_t)col_count + 1) * sizeof *r->types);
    if (r->f == NULL || r->types == NULL) {
        exec_run_close(r);
        LH_FAIL(LH_E_IO, eb, "cannot create spill file %s", r->path);
    }
    memcpy(r->types, types, (size_t)col_count * sizeof *types);
    *out = r;
    return LH_OK;
}

static lh_err put(exec_run *r, const void *p, size_t n, int64_t *bytes, lh_errbuf *eb)
{
    LH_FAIL_IF(n && fwrite(p, 1, n, r->f) != n, LH_E_IO, eb, "spill write failed: %s", r->path);
    *bytes += (int64_t)n;
    r->bytes += (int64_t)n;
    return LH_OK;
}

static lh_err write_batch(exec_run *r, const lh_batch_t *b, uint32_t n, int64_t *bytes,
                          lh_errbuf *eb);

lh_err exec_run_write(exec_run *r, const lh_batch_t *b, int64_t *bytes, lh_errbuf *eb)
{
    uint32_t n = (uint32_t)b->row_count;
    LH_FAIL_IF(r->f == NULL, LH_E_INTERNAL, eb, "write to a sealed spill file");
    int64_t at = r->bytes;
    r->batches++;
    r->rows += n;
    lh_err e = write_batch(r, b, n, bytes, eb);
    if (r->bytes - at > r->max_batch_bytes)
        r->max_batch_bytes = r->bytes - at;
    if (n > r->max_batch_rows)
        r->max_batch_rows = n;
    return e;
}

static lh_err write_batch(exec_run *r, const lh_batch_t *b, uint32_t n, int64_t *bytes,
                          lh_errbuf *eb)
{
    LH_TRY(put(r, &n, 4, bytes, eb));
    for (int c = 0; c < r->col_count; c++) {
        const lh_vec_t *v = b->cols[c];
        uint8_t nulls = v->validity != NULL;
        LH_TRY(put(r, &nulls, 1, bytes, eb));
        if (nulls)
            LH_TRY(put(r, v->validity, (n + 63) / 64 * 8, bytes, eb));
        if (!is_str(v->type)) {
            LH_TRY(put(r, v->data, n * lh_type_width(v->type), bytes, eb));
            continue;
        }
        const lh_sv_t *sv = v->data;
        for (uint32_t i = 0; i < n; i++)
            LH_TRY(put(r, &sv[i].len, 4, bytes, eb));
        for (uint32_t i = 0; i < n; i++)
            LH_TRY(put(r, sv[i].ptr, sv[i].len, bytes, eb));
    }
    return LH_OK;
}

lh_err exec_run_seal(exec_run *r, lh_errbuf *eb)
{
    lh_batch_destroy(r->b);
    r->b = NULL;
    if (r->f == NULL)
        return LH_OK;
    int rc = fclose(r->f);
    r->f = NULL;
    LH_FAIL_IF(rc != 0, LH_E_IO, eb, "spill write failed: %s", r->path);
    return LH_OK;
}

lh_err exec_run_rewind(exec_run *r, lh_errbuf *eb)
{
    if (r->f == NULL) {
        r->f = fopen(r->path, "rb");
        LH_FAIL_IF(r->f == NULL, LH_E_IO, eb, "cannot reopen spill file %s", r->path);
        return LH_OK;
    }
    LH_FAIL_IF(fflush(r->f) != 0 || fseek(r->f, 0, SEEK_SET) != 0, LH_E_IO, eb,
               "spill rewind failed: %s", r->path);
    return LH_OK;
}

int64_t exec_run_rows(const exec_run *r)
{
    return r->rows;
}

int64_t exec_run_bytes(const exec_run *r)
{
    return r->bytes;
}

int64_t exec_run_batch_rows(const exec_run *r)
{
    return r->max_batch_rows;
}

int64_t exec_run_batch_bytes(const exec_run *r)
{
    /* decoded: as written, plus 12 more bytes a string view than its length, validity */
    int64_t rows = r->max_batch_rows, extra = 64;
    for (int c = 0; c < r->col_count; c++)
        extra += rows / 8 + 8 + (is_str(r->types[c]) ? 12 * rows : 0);
    return r->max_batch_bytes + extra;
}
static lh_err get(exec_run *r, void *p, size_t n, lh_errbuf *eb)
{
    LH_FAIL_IF(n && fread(p, 1, n, r->f) != n, LH_E_IO, eb, "spill read failed: %s", r->path);
    return LH_OK;
}

static lh_err read_col(exec_run *r, lh_vec_t *v, uint32_t n, lh_errbuf *eb)
{
    uint8_t nulls;
    LH_TRY(get(r, &nulls, 1, eb));
    LH_FAIL_IF(lh_vec_reserve(v, n ? n : 1) != LH_OK, LH_E_NOMEM, eb, "out of memory");
    if (nulls) {
        LH_FAIL_IF(lh_vec_set_null(v, 0, false) != LH_OK, LH_E_NOMEM, eb, "out of memory");
        if (v->validity == NULL) {
            v->validity = calloc((v->capacity + 63) / 64, 8);
            LH_FAIL_IF(v->validity == NULL, LH_E_NOMEM, eb, "out of memory");
        }
        LH_TRY(get(r, v->validity, (n + 63) / 64 * 8, eb));
    }
    if (!is_str(v->type)) {
        LH_TRY(get(r, v->data, n * lh_type_width(v->type), eb));
    } else {
        lh_sv_t *sv = v->data;
        size_t total = 0;
        for (uint32_t i = 0; i < n; i++) {
            LH_TRY(get(r, &sv[i].len, 4, eb));
            total += sv[i].len;
        }
        uint8_t *tmp = malloc(total ? total : 1);
        LH_FAIL_IF(tmp == NULL, LH_E_NOMEM, eb, "out of memory");
        lh_err e = get(r, tmp, total, eb);
        const uint8_t *heap = e == LH_OK ? lh_vec_heap_copy(v, tmp, total) : NULL;
        free(tmp);
        LH_TRY(e);
        LH_FAIL_IF(heap == NULL && total > 0, LH_E_NOMEM, eb, "out of memory");
        for (uint32_t i = 0, off = 0; i < n; off += sv[i].len, i++)
            sv[i].ptr = heap ? heap + off : (const uint8_t *)"";
    }
    v->count = n;
    return LH_OK;
}

lh_err exec_run_next(exec_run *r, const lh_batch_t **out, lh_errbuf *eb)
{
    uint32_t n;
    *out = NULL;
    LH_FAIL_IF(r->f == NULL, LH_E_INTERNAL, eb, "read of a sealed spill file");
    if (fread(&n, 1, 4, r->f) != 4)
        return LH_OK; /* end of the run */
    if (r->b == NULL && (r->b = lh_vecops_batch_new(r->col_count, r->types, n ? n : 1)) == NULL)
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    lh_batch_reset(r->b);
    for (int c = 0; c < r->col_count; c++)
        LH_TRY(read_col(r, r->b->cols[c], n, eb));
    r->b->row_count = n;
    *out = r->b;
    return LH_OK;
}

void exec_run_close(exec_run *r)
{
    if (r == NULL)
        return;
    if (r->f)
        fclose(r->f);
    remove(r->path);
    lh_batch_destroy(r->b);
    free(r->types);
    free(r);
}
