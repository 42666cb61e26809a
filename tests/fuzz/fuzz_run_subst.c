/*
 * fuzz_run_subst.c - libFuzzer target for api/jobs/run_subst.c: arbitrary bytes are
 * substituted ({{references}}, ${widgets}) with a resolver that knows a few names (one
 * value itself holding "{{...}}"), and split at the first NUL into condition operands.
 * Checks: never crash, leak or loop; on success the output is no longer than the input (the
 * values are short); an error leaves *out untouched; EQUAL_TO and NOT_EQUAL always disagree.
 * Seeds: tests/fuzz/corpus/run_subst/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/jobs/run_internal.h"
#include "common/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lh_err lookup(void *arg, lh_subst_kind kind, const char *name, char **value, lh_errbuf *eb)
{
    (void)arg;
    LH_FAIL_IF(strlen(name) == 0 || strlen(name) > 256, LH_E_INTERNAL, eb, "bad name");
    if (strcmp(name, "x") == 0 || (kind == LH_SUBST_WIDGET && strcmp(name, "w") == 0)) {
        *value = strdup(kind == LH_SUBST_WIDGET ? "W" : "{{x}}");
        return LH_OK;
    }
    LH_FAIL(LH_E_INVALID, eb, "unknown reference {{%s}}", name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *out = (char *)1;
    lh_errbuf eb;
    lh_err e = lh_run_subst((const char *)data, size, lookup, NULL, &out, &eb);
    if (e == LH_OK) {
        size_t n = strlen(out);
        if (n > size)
            abort(); /* {{x}} stays 5 bytes, ${w} shrinks to 1: never longer than the input */
        free(out);
    } else if (e != LH_E_INVALID || out != (char *)1) {
        abort();
    }
    const char *nul = memchr(data, 0, size);
    if (nul != NULL && memchr(nul + 1, 0, size - (size_t)(nul + 1 - (const char *)data)) != NULL) {
        static const char *const ops[] = {"EQUAL_TO",     "NOT_EQUAL",
                                          "GREATER_THAN", "GREATER_THAN_OR_EQUAL",
                                          "LESS_THAN",    "LESS_THAN_OR_EQUAL"};
        bool a, b;
        const char *l = (const char *)data, *r = nul + 1;
        for (int i = 0; i < 6; i++) {
            if (lh_run_condition(ops[i], l, r, &a, &eb) != LH_OK)
                abort();
        }
        /* EQUAL_TO and NOT_EQUAL disagree, always */
        lh_run_condition("EQUAL_TO", l, r, &a, &eb);
        lh_run_condition("NOT_EQUAL", l, r, &b, &eb);
        if (a == b)
            abort();
    }
    return 0;
}
