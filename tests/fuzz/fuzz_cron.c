/*
 * fuzz_cron.c - libFuzzer target for api/jobs/cron: arbitrary bytes are parsed as a Quartz
 * cron expression; when they parse, a few fire times are computed in a zone and from a
 * start picked by the input, and checked: each strictly after the one before, a whole
 * second, a wall time the expression matches, the same answer from any instant between
 * the previous time and it, and lh_cron_fires_at agrees. Must never crash, leak or loop.
 * Seeds: tests/fuzz/corpus/cron/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/jobs/cron.h"
#include "api/jobs/cron_internal.h"
#include "common/err.h"
#include "compute/func/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const zones[] = {"UTC",
                                    "America/Los_Angeles",
                                    "Europe/Berlin",
                                    "Australia/Lord_Howe",
                                    "Pacific/Chatham",
                                    "America/Santiago",
                                    "Africa/Casablanca",
                                    "Asia/Kolkata"};

/* Starts: near transitions (2024 fall-back in Los Angeles and Berlin, Lord Howe's
 * half-hour shift, Chatham's 02:45 gap), the epoch, the end of 2099, and one from the
 * input's hash anywhere in 1969-2100. */
static const int64_t starts_s[] = {1730617200, 1729990800, 1712417400, 1727534700,
                                   0,          4102444700, -86400};

static uint64_t hash(const uint8_t *data, size_t size)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 1099511628211ULL;
    return h;
}

static void check_chain(const lh_cron_t *c, const char *zone, int64_t after_ms)
{
    const lh_tz_t *tz = lh_tz_get(zone);
    if (tz == NULL)
        return; /* no tzdata for it here */
    int64_t prev = after_ms, next;
    for (int i = 0; i < 4; i++) {
        lh_err e = lh_cron_next(c, zone, prev, &next, NULL);
        if (e == LH_E_NOT_FOUND)
            return;
        if (e != LH_OK || next <= prev || next % 1000 != 0)
            abort();
        int64_t t = next / 1000;
        if (!lh_cron_wall_matches(c, t + lh_tz_offset(tz, t)))
            abort();
        int64_t mid = prev + (next - prev) / 2, again;
        if (lh_cron_next(c, zone, mid, &again, NULL) != LH_OK || again != next)
            abort();
        if (!lh_cron_fires_at(c, zone, next))
            abort();
        prev = next;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 512)
        return 0;
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    lh_cron_t *c = NULL;
    lh_errbuf eb;
    if (lh_cron_parse(text, &c, &eb) == LH_OK) {
        uint64_t h = hash(data, size);
        const char *zone = zones[h % (sizeof zones / sizeof zones[0])];
        int64_t span = 4102444800LL + 2 * 86400; /* 1969-12-30 .. 2100-01-01 */
        int64_t from = (int64_t)((h >> 8) % (uint64_t)span) - 2 * 86400;
        check_chain(c, zone, from * 1000 + (int64_t)(h >> 60));
        const int64_t start = starts_s[(h >> 20) % (sizeof starts_s / sizeof starts_s[0])];
        check_chain(c, zone, start * 1000);
        lh_cron_destroy(c);
    } else if (eb.code != LH_E_INVALID || strncmp(eb.msg, "Invalid quartz_cron_expression '", 32)) {
        abort();
    }
    free(text);
    return 0;
}
