/*
 * fuzz_json.c - libFuzzer target for the JSON reader (compute/files/json.c).
 *
 * The first input byte picks the options (JSON lines or multiLine, the mode); the rest is a
 * file's bytes. The schema is inferred over the bytes as read_files does (nested STRUCT and
 * ARRAY columns included), the bytes are parsed with it into batches with a rescued data
 * column, every nested value produced is validated, and they are parsed once more with the
 * columns forced to other types (a map, a struct, scalars). Any result or error is fine;
 * crashes, leaks, hangs and UB are not. Seeds: tests/fuzz/corpus/json/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/nested.h"
#include "compute/files/files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lh_err check(void *ctx, const lh_batch_t *b, lh_errbuf *eb)
{
    (void)ctx;
    (void)eb;
    for (int c = 0; c < b->col_count; c++) {
        const lh_vec_t *v = b->cols[c];
        if (v->count != b->row_count)
            abort();
        for (size_t r = 0; lh_type_is_nested(v->type) && r < v->count; r++)
            if (lh_vec_is_valid(v, r) && !lh_nested_validate(v->type, lh_vec_get_str(v, r)))
                abort(); /* the reader wrote a value its own type rejects */
    }
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
    lh_ff_opts_default(&s.opts, LH_FF_JSON);
    s.opts.multiline = k & 1;
    s.opts.mode = (lh_ff_mode)((k >> 1) % 3);
    lh_arena_t *a = lh_arena_create();
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    lh_ff_json_infer_t *st = lh_ff_json_infer_new();
    if (lh_ff_json_infer_add(st, &s.opts, buf, len, &eb) == LH_OK) {
        int n;
        const char **names;
        lh_type_t *types;
        lh_ff_json_infer_result(st, a, &n, &names, &types);
        s.col_count = n + 1;
        s.names = lh_arena_calloc(a, (size_t)n + 2, sizeof *s.names);
        s.types = lh_arena_calloc(a, (size_t)n + 2, sizeof *s.types);
        memcpy(s.names, names, (size_t)n * sizeof *names);
        memcpy(s.types, types, (size_t)n * sizeof *types);
        s.names[n] = "_rescued_data";
        s.types[n] = (lh_type_t){LH_TYPE_STRING};
        s.rescued_col = n;
        int64_t rows;
        lh_errbuf_clear(&eb);
        (void)lh_ff_json_parse(&s, "/f.json", buf, len, check, NULL, &rows, &eb);
        const char *fn[2] = {"a", "b"};
        lh_type_t ft[2] = {{LH_TYPE_LONG}, lh_type_array((lh_type_t){LH_TYPE_STRING})};
        lh_type_t forced[] = {lh_type_map((lh_type_t){LH_TYPE_STRING}, (lh_type_t){LH_TYPE_DOUBLE}),
                              lh_type_struct(2, fn, ft),
                              {LH_TYPE_TIMESTAMP},
                              {LH_TYPE_DECIMAL, 10, 2, NULL},
                              {LH_TYPE_BOOLEAN},
                              {LH_TYPE_STRING}};
        for (int i = 0; i < n; i++)
            s.types[i] = forced[(i + k) % 6];
        lh_errbuf_clear(&eb);
        (void)lh_ff_json_parse(&s, "/f.json", buf, len, check, NULL, &rows, &eb);
    }
    lh_ff_json_infer_free(st);
    lh_arena_destroy(a);
    return 0;
}
