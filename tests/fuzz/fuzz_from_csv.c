/*
 * fuzz_from_csv.c - libFuzzer target for from_csv and schema_of_csv (compute/func/csv_fn.c)
 * over the one-record CSV reader (compute/func/csv_text.c). The input is split at its first
 * newline: the schema text, then the CSV text (which may hold more line breaks: they are
 * data here).
 *   - under a STRUCT schema of scalars, from_csv gives a value that validates as that type
 *     (lh_nested_validate);
 *   - schema_of_csv of the CSV gives a type text that parses back to a STRUCT.
 * Errors are expected; crashes, leaks, hangs, out-of-bounds reads and broken properties
 * (LH_ASSERT) are not. Seeds: tests/fuzz/corpus/from_csv/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/nested.h"
#include "compute/func/nested_fn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t schema_len = nl ? (size_t)(nl - text) : size;
    const char *csv = nl ? nl + 1 : "";
    size_t csv_len = nl ? size - schema_len - 1 : 0;
    lh_type_t t;
    lh_vec_t *v = NULL;
    if (lh_type_parse_text(text, schema_len, &t, NULL) == LH_OK &&
        lh_from_csv_value(csv, csv_len, text, schema_len, &v, NULL) == LH_OK) {
        lh_value_t x;
        lh_vec_get_value(v, 0, &x);
        LH_ASSERT(!x.is_null && lh_nested_validate(t, x.v.str));
    }
    lh_vec_destroy(v);
    char *inferred = NULL;
    if (lh_schema_of_csv(csv, csv_len, ',', '"', '\\', "", &inferred, NULL) == LH_OK) {
        lh_type_t back;
        LH_ASSERT(lh_type_parse_text(inferred, strlen(inferred), &back, NULL) == LH_OK);
        LH_ASSERT(back.id == LH_TYPE_STRUCT);
    }
    free(inferred);
    return 0;
}
