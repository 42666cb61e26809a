/*
 * fuzz_job_settings.c - libFuzzer target for api/jobs/job_settings.c: arbitrary bytes are
 * parsed as JSON and validated as JobSettings (job and one-time run), normalized from an
 * API 2.0 body, given defaults, and merged as a jobs/update with a fields_to_remove list
 * taken from the input's own "fields_to_remove"; the merge of valid settings with itself
 * must stay valid. A file-arrival url from the input goes through jd_file_arrival_dir,
 * whose answer must never contain a ".." segment. Must never crash, leak or loop.
 * Seeds: tests/fuzz/corpus/job_settings/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/jobs/job_defs_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    json_error_t jerr;
    json_t *s = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr);
    if (s == NULL)
        return 0;
    lh_errbuf eb;
    lh_err job = lh_jobs_validate_settings(s, false, &eb);
    (void)lh_jobs_validate_settings(s, true, &eb);
    if (json_is_object(s)) {
        json_t *copy = json_deep_copy(s);
        jd_settings_normalize(copy);
        if (job == LH_OK) {
            /* normalizing valid settings keeps them valid */
            if (lh_jobs_validate_settings(copy, false, &eb) != LH_OK)
                abort();
            jd_settings_defaults(copy);
            json_t *merged = NULL;
            if (jd_settings_merge(copy, copy, NULL, &merged, &eb) == LH_OK) {
                if (lh_jobs_validate_settings(merged, false, &eb) != LH_OK)
                    abort();
                json_decref(merged);
            }
        }
        json_t *merged = NULL;
        if (jd_settings_merge(copy, json_object_get(s, "new_settings"),
                              json_object_get(s, "fields_to_remove"), &merged, &eb) == LH_OK)
            json_decref(merged);
        json_decref(copy);
        const char *url = json_string_value(json_object_get(s, "url"));
        char *dir = NULL;
        if (url != NULL && jd_file_arrival_dir("/data", url, &dir, &eb) == LH_OK) {
            if (strstr(dir, "/../") != NULL ||
                (strlen(dir) >= 3 && strcmp(dir + strlen(dir) - 3, "/..") == 0))
                abort();
            free(dir);
        }
    }
    json_decref(s);
    return 0;
}
