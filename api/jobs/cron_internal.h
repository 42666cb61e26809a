/*
 * cron_internal.h - cron.c's pieces that the unit tests check on their own.
 */
#ifndef LH_API_JOBS_CRON_INTERNAL_H
#define LH_API_JOBS_CRON_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "api/jobs/cron.h"

/* True when the wall time (seconds since 1970-01-01T00:00 local) matches every field,
 * tested directly (not through the search lh_cron_next uses). */
bool lh_cron_wall_matches(const lh_cron_t *c, int64_t wall_seconds);

#endif
