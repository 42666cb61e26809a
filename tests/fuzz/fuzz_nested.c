/*
 * fuzz_nested.c - libFuzzer target for the nested value decoder (common/nested.h).
 *
 * The first input byte picks one of a few nested types (arrays of ints and strings, a map,
 * a struct with an array field, an array of structs); the rest is a value's bytes. When
 * lh_nested_validate accepts them, the value is compared with itself, formatted both ways
 * (result and CAST text), rendered as JSON and cast to STRING: every reader must stay inside
 * the bytes. Any result is fine; crashes, leaks and UB are not.
 * Seeds: tests/fuzz/corpus/nested/.
 */
#include <stdint.h>
#include <stdlib.h>

#include "common/nested.h"
#include "compute/func/format.h"
#include "compute/func/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lh_type_t pick(uint8_t k)
{
    const lh_type_t i32 = {.id = LH_TYPE_INT}, str = {.id = LH_TYPE_STRING},
                    dbl = {.id = LH_TYPE_DOUBLE};
    const char *names[2] = {"a", "b"};
    lh_type_t fields[2] = {i32, lh_type_array(str)};
    lh_type_t st = lh_type_struct(2, names, fields);
    switch (k % 5) {
    case 0:
        return lh_type_array(i32);
    case 1:
        return lh_type_array(str);
    case 2:
        return lh_type_map(str, dbl);
    case 3:
        return st;
    default:
        return lh_type_array(st);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    lh_type_t t = pick(data[0]);
    lh_sv_t v = {data + 1, (uint32_t)(size - 1)};
    if (!lh_nested_validate(t, v))
        return 0;
    (void)lh_nested_compare(t, v, v);
    lh_value_t val = {.type = t, .v.str = v};
    char buf[LH_FMT_MAX];
    const char *out;
    (void)lh_format_value(&val, lh_tz_get("UTC"), LH_FMT_RESULT, buf, &out);
    (void)lh_format_value(&val, lh_tz_get("UTC"), LH_FMT_CAST, buf, &out);
    return 0;
}
