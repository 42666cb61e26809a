/*
 * fuzz_scim_filter.c - libFuzzer target for api/identity's SCIM filter parser: arbitrary
 * bytes are parsed as a filter (a slice, not NUL-terminated) and, when they parse, the
 * tree is evaluated against a fixed resource; the same bytes (NUL-terminated) also go
 * through the PATCH path form members[value eq "id"]. Must never crash, leak or read past
 * the input. Seeds: tests/fuzz/corpus/scim_filter/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/identity/scim_filter.h"
#include "api/identity/scim_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int values(const void *res, lh_scim_attr attr, const char **vals, int max)
{
    (void)res;
    static const char *const fixed[LH_SCIM_ATTR__COUNT] = {
        [LH_SCIM_ATTR_USER_NAME] = "alice@example.com",
        [LH_SCIM_ATTR_DISPLAY_NAME] = "Alice",
        [LH_SCIM_ATTR_ID] = "101",
        [LH_SCIM_ATTR_ACTIVE] = "true",
        [LH_SCIM_ATTR_EMAILS_VALUE] = "alice@example.com",
        [LH_SCIM_ATTR_APPLICATION_ID] = "6f1c1e2a-0000-4000-8000-000000000001",
    };
    /* an attribute without a value (externalId here) is absent, as for the real resources */
    if (fixed[attr] == NULL || max < 1)
        return 0;
    vals[0] = fixed[attr];
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a heap copy of exactly size bytes, so ASan catches any read past the slice */
    char *text = malloc(size ? size : 1);
    char *cstr = malloc(size + 1);
    if (text == NULL || cstr == NULL) {
        free(text);
        free(cstr);
        return 0;
    }
    if (size)
        memcpy(text, data, size);
    memcpy(cstr, data, size);
    cstr[size] = '\0';
    int64_t member = 0;
    if (lh_scim_member_filter_path(cstr, &member) && member <= 0)
        abort();
    free(cstr);
    lh_arena_t *arena = lh_arena_create();
    const lh_scim_filter_t *f = NULL;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    if (lh_scim_filter_parse(text, size, arena, &f, &eb) == LH_OK) {
        (void)lh_scim_filter_match(f, values, NULL);
        if (lh_scim_filter_terms(f) > 64)
            abort(); /* the parser must enforce LH_SCIM_FILTER_TERMS_MAX */
    }
    lh_arena_destroy(arena);
    free(text);
    return 0;
}
