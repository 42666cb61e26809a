/*
 * fuzz_from_json.c - libFuzzer target for the DDL schema parser (common/type_text.c) and
 * from_json's JSON-to-value conversion and schema inference (compute/func/json_from.c).
 * The input is split at its first newline: the schema text, then the JSON text.
 *   - the schema text parses or is refused; a parsed type printed in SQL and catalog form
 *     parses back to the same type;
 *   - under a nested schema, from_json of the JSON gives NULL or a value that validates
 *     as that type (lh_nested_validate);
 *   - schema_of_json of the JSON is refused or gives a type text that parses back.
 * Errors are expected; crashes, leaks, hangs, out-of-bounds reads and broken properties
 * (LH_ASSERT) are not. Seeds: tests/fuzz/corpus/from_json/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/nested.h"
#include "compute/func/format.h"
#include "compute/func/nested_fn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(lh_type_t t)
{
    static char buf[1 << 16];
    const char *sql = lh_format_type_sql(t, buf, sizeof buf);
    if (strlen(sql) + 1 >= sizeof buf)
        return; /* too wide to print whole */
    lh_type_t back;
    LH_ASSERT(lh_type_parse_text(sql, strlen(sql), &back, NULL) == LH_OK);
    LH_ASSERT(lh_type_equal(back, t));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t schema_len = nl ? (size_t)(nl - text) : size;
    const char *json = nl ? nl + 1 : "";
    size_t json_len = nl ? size - schema_len - 1 : 0;
    lh_type_t t;
    if (lh_type_parse_text(text, schema_len, &t, NULL) == LH_OK) {
        check_round_trip(t);
        lh_vec_t *v = NULL;
        if (lh_type_is_nested(t) &&
            lh_from_json_value(json, json_len, text, schema_len, &v, NULL) == LH_OK) {
            lh_value_t x;
            lh_vec_get_value(v, 0, &x);
            LH_ASSERT(x.is_null || lh_nested_validate(t, x.v.str));
        }
        lh_vec_destroy(v);
    }
    char *inferred = NULL;
    if (lh_schema_of_json(json, json_len, &inferred, NULL) == LH_OK) {
        lh_type_t back;
        LH_ASSERT(lh_type_parse_text(inferred, strlen(inferred), &back, NULL) == LH_OK);
    }
    free(inferred);
    return 0;
}
