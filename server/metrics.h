/*
 * metrics.h - Prometheus counters: requests by route and status, a latency histogram.
 * Recording is lock-free (atomics); rendering reads a consistent-enough snapshot.
 */
#ifndef LH_SERVER_METRICS_H
#define LH_SERVER_METRICS_H

#include <stdint.h>
#include <stdio.h>

typedef struct lh_metrics lh_metrics_t;

/* route_count routes plus one "unmatched" slot (index route_count). */
lh_metrics_t *lh_metrics_create(int route_count);
void lh_metrics_destroy(lh_metrics_t *m);
void lh_metrics_record(lh_metrics_t *m, int route_index, int status, int64_t duration_ns);
/* Write the exposition text; route_label(i) names route i ("GET /api/{2.0|2.1}/..."). */
void lh_metrics_render(lh_metrics_t *m, FILE *out, const char *(*route_label)(void *, int),
                       void *label_ctx);

#endif
