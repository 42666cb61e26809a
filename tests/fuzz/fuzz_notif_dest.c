/*
 * fuzz_notif_dest.c - libFuzzer target for api/jobs/notif_dest.c: arbitrary bytes parsed as
 * JSON and checked as a notification destination's config; a valid one is rendered, and the
 * rendering must never show a url, username or password. Must never crash, leak or loop.
 * Seeds: tests/fuzz/corpus/notif_dest/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/jobs/jobs_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    json_error_t jerr;
    json_t *c = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr);
    if (c == NULL)
        return 0;
    lh_errbuf eb;
    const char *type = NULL;
    if (lh_jobs_dest_check_config(c, &type, &eb) == LH_OK) {
        if (type == NULL || (strcmp(type, "EMAIL") != 0 && strcmp(type, "WEBHOOK") != 0))
            abort();
        json_t *r = lh_jobs_dest_render_config(c);
        json_t *wh = json_object_get(r, "generic_webhook");
        if (json_object_get(wh, "url") || json_object_get(wh, "password") ||
            json_object_get(wh, "username"))
            abort();
        json_decref(r);
    }
    json_decref(c);
    return 0;
}
