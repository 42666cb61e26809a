/*
 * fuzz_csv.c - libFuzzer target for the CSV reader (compute/files/csv.c).
 *
 * The first input byte picks the options (delimiter, quoting, header, type inference, mode,
 * a comment character); the rest is a file's bytes. The columns are inferred over the bytes
 * as read_files does, then the bytes are parsed into batches with a rescued data column,
 * and once more with every column forced to another type. Any result or error is fine;
 * crashes, leaks, hangs and UB are not. Seeds: tests/fuzz/corpus/csv/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compute/files/files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lh_err count_rows(void *ctx, const lh_batch_t *b, lh_errbuf *eb)
{
    (void)eb;
    *(size_t *)ctx += b->row_count;
    for (int c = 0; c < b->col_count; c++)
        if (b->cols[c]->count != b->row_count)
            abort(); /* every column holds every row */
    return LH_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t k = data[0];
    const char *buf = (const char *)data + 1;
    size_t len = size - 1;
    lh_ff_scan_t s;
    memset(&s, 0, sizeof s);
    lh_ff_opts_default(&s.opts, LH_FF_CSV);
    s.opts.sep = (k & 3) == 0 ? ',' : (k & 3) == 1 ? ';' : (k & 3) == 2 ? '\t' : '"';
    s.opts.quote = k & 4 ? '\0' : '"';
    s.opts.header = k & 8;
    s.opts.infer_types = k & 16;
    s.opts.mode = (lh_ff_mode)((k >> 5) % 3);
    s.opts.comment = k & 128 ? '#' : '\0';
    s.opts.rescued = true;
    lh_arena_t *a = lh_arena_create();
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    lh_ff_csv_infer_t *st = lh_ff_csv_infer_new();
    if (lh_ff_csv_infer_add(st, &s.opts, buf, len, true, &eb) == LH_OK) {
        int n;
        const char **names;
        lh_type_t *types;
        lh_ff_csv_infer_result(st, &s.opts, a, &n, &names, &types);
        s.col_count = n + 1;
        s.names = lh_arena_calloc(a, (size_t)n + 2, sizeof *s.names);
        s.types = lh_arena_calloc(a, (size_t)n + 2, sizeof *s.types);
        memcpy(s.names, names, (size_t)n * sizeof *names);
        memcpy(s.types, types, (size_t)n * sizeof *types);
        s.names[n] = "_rescued_data";
        s.types[n] = (lh_type_t){LH_TYPE_STRING};
        s.rescued_col = n;
        size_t rows = 0;
        int64_t got;
        lh_errbuf_clear(&eb);
        (void)lh_ff_csv_parse(&s, "/f.csv", buf, len, true, count_rows, &rows, &got, &eb);
        static const lh_type_id forced[] = {LH_TYPE_LONG, LH_TYPE_DOUBLE, LH_TYPE_DATE,
                                            LH_TYPE_TIMESTAMP, LH_TYPE_BOOLEAN};
        for (int i = 0; i < n; i++)
            s.types[i] = (lh_type_t){forced[(i + k) % 5]};
        lh_errbuf_clear(&eb);
        (void)lh_ff_csv_parse(&s, "/f.csv", buf, len, k & 1, count_rows, &rows, &got, &eb);
    }
    lh_ff_csv_infer_free(st);
    lh_arena_destroy(a);
    return 0;
}
