/*
 * fuzz_mlflow_filter.c - libFuzzer target for api/mlflow's search grammar (filter.c) and the
 * SQL it becomes (search.c's builder): the first byte picks the target (low nibble mod 5:
 * runs, experiments, logged models, registered models, model versions) and whether the rest
 * is a filter or an order_by clause (bit 4); the rest (a slice,
 * not NUL-terminated) is parsed, and every clause of a parsed filter is turned into its SQL
 * comparison. Must never crash, leak, read past the input, or produce a clause the SQL
 * builder refuses (an assertion). Seeds: tests/fuzz/corpus/mlflow_filter/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/mlflow/filter.h"
#include "api/mlflow/mlflow_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_clause(const lh_mlflow_clause_t *c)
{
    if (c->key == NULL || c->pos > LH_MLFLOW_FILTER_BYTES_MAX)
        abort();
    bool list = c->op == LH_MLFLOW_IN || c->op == LH_MLFLOW_NOT_IN;
    if (list != (c->list != NULL) || (!list && !c->numeric && c->text == NULL))
        abort();
    if (c->numeric && (c->op > LH_MLFLOW_LE || list))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    lh_mlflow_target target = (lh_mlflow_target)((data[0] & 0x0f) % 5);
    bool order = (data[0] & 0x10) != 0;
    /* a heap copy of exactly size - 1 bytes, so ASan catches any read past the slice */
    size_t n = size - 1;
    char *text = malloc(n ? n : 1);
    if (text == NULL)
        return 0;
    if (n)
        memcpy(text, data + 1, n);
    lh_arena_t *arena = lh_arena_create();
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    if (order) {
        lh_mlflow_order_t o;
        if (lh_mlflow_order_parse(target, text, n, arena, &o, &eb) == LH_OK && o.key == NULL)
            abort();
    } else {
        lh_mlflow_filter_t f;
        if (lh_mlflow_filter_parse(target, text, n, arena, &f, &eb) == LH_OK) {
            if (f.count > LH_MLFLOW_FILTER_CLAUSES_MAX)
                abort();
            mlf_sql q;
            mlf_sql_init(&q, arena);
            for (size_t i = 0; i < f.count; i++) {
                check_clause(&f.clauses[i]);
                if (f.clauses[i].numeric)
                    mlf_sql_number_cmp(&q, "x.value", &f.clauses[i]);
                else
                    mlf_sql_string_cmp(&q, "x.value", &f.clauses[i]);
                mlf_sql_add(&q, " AND ");
            }
        } else if (eb.code != LH_E_INVALID) {
            abort();
        }
    }
    lh_arena_destroy(arena);
    free(text);
    return 0;
}
