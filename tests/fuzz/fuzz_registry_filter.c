/*
 * fuzz_registry_filter.c - libFuzzer target for the model registry's search filter and
 * page-token parsers (api/mlflow/registry/filter.c): arbitrary bytes are parsed as a
 * filter (a slice, not NUL-terminated) with every field allowed and, when they parse,
 * matched against a fixed row; the same bytes (NUL-terminated) go through the LIKE matcher
 * as a pattern, the order_by parser and the page-token decoder. Must never crash, leak or
 * read past the input. Seeds: tests/fuzz/corpus/registry_filter/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/mlflow/registry/registry_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    char *cstr = malloc(size + 1);
    if (text == NULL || cstr == NULL) {
        free(text);
        free(cstr);
        return 0;
    }
    memcpy(text, data, size);
    memcpy(cstr, data, size);
    cstr[size] = '\0';
    lh_arena_t *arena = lh_arena_create();
    lh_errbuf eb;
    rf_filter f;
    unsigned all = RF_NAME | RF_TAG | RF_RUN_ID | RF_SOURCE_PATH | RF_VERSION;
    if (rf_parse(text, size, all, arena, &f, &eb) == LH_OK) {
        json_t *tags = json_pack("{s:s, s:s}", "k", "v", "a b", "%_");
        rf_row row = {
            .name = "model_A", .run_id = "0123", .source = "dbfs:/x", .version = 3, .tags = tags};
        (void)rf_match(&f, &row);
        json_decref(tags);
    }
    (void)rf_like(cstr, "some-model_name%", false);
    (void)rf_like(cstr, "SOME-model", true);
    static const char *const keys[] = {"name", "last_updated_timestamp", NULL};
    json_t *order = json_pack("[s]", cstr);
    rf_order *o;
    size_t n;
    if (order != NULL)
        (void)rf_parse_order(order, keys, arena, &o, &n, &eb);
    json_decref(order);
    int64_t offset;
    (void)rf_page_offset(cstr, &offset, &eb);
    lh_arena_destroy(arena);
    free(text);
    free(cstr);
    return 0;
}
