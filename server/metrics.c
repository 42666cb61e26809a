/*
 * metrics.c - fixed arrays of atomic counters; no allocation after start-up.
 */
#include "server/metrics.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "common/err.h"

static const int statuses[] = {200, 201, 204, 206, 304, 400, 401, 403, 404,
                               405, 409, 413, 429, 500, 501, 503, 0};
#define STATUS_SLOTS ((int)(sizeof statuses / sizeof statuses[0])) /* last = other */

static const double buckets_s[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                   0.05,   0.1,     0.25,   0.5,   1,      2.5,   5};
#define BUCKETS ((int)(sizeof buckets_s / sizeof buckets_s[0]))

struct lh_metrics {
    int route_count;
    atomic_uint_fast64_t *counts; /* (route_count+1) * STATUS_SLOTS */
    atomic_uint_fast64_t hist[BUCKETS + 1];
    atomic_uint_fast64_t sum_ns;
    atomic_uint_fast64_t total;
};

lh_metrics_t *lh_metrics_create(int route_count)
{
    lh_metrics_t *m = calloc(1, sizeof *m);
    LH_ASSERT(m != NULL);
    m->route_count = route_count;
    m->counts = calloc((size_t)(route_count + 1) * STATUS_SLOTS, sizeof *m->counts);
    LH_ASSERT(m->counts != NULL);
    return m;
}

void lh_metrics_destroy(lh_metrics_t *m)
{
    if (m == NULL)
        return;
    free(m->counts);
    free(m);
}

static int status_slot(int status)
{
    for (int i = 0; i < STATUS_SLOTS - 1; i++)
        if (statuses[i] == status)
            return i;
    return STATUS_SLOTS - 1;
}

void lh_metrics_record(lh_metrics_t *m, int route_index, int status, int64_t duration_ns)
{
    if (route_index < 0 || route_index > m->route_count)
        route_index = m->route_count;
    atomic_fetch_add_explicit(&m->counts[route_index * STATUS_SLOTS + status_slot(status)], 1,
                              memory_order_relaxed);
    double s = (double)duration_ns / 1e9;
    int b = 0;
    while (b < BUCKETS && s > buckets_s[b])
        b++;
    atomic_fetch_add_explicit(&m->hist[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_ns, (uint64_t)duration_ns, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->total, 1, memory_order_relaxed);
}

void lh_metrics_render(lh_metrics_t *m, FILE *out, const char *(*route_label)(void *, int),
                       void *label_ctx)
{
    fprintf(out, "# HELP lakehouse_http_requests_total HTTP requests by route and status.\n"
                 "# TYPE lakehouse_http_requests_total counter\n");
    for (int r = 0; r <= m->route_count; r++) {
        for (int s = 0; s < STATUS_SLOTS; s++) {
            uint64_t n = atomic_load(&m->counts[r * STATUS_SLOTS + s]);
            if (n == 0)
                continue;
            const char *label = r < m->route_count ? route_label(label_ctx, r) : "unmatched";
            if (statuses[s] != 0)
                fprintf(out, "lakehouse_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                        label, statuses[s], (unsigned long long)n);
            else
                fprintf(out, "lakehouse_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                        label, (unsigned long long)n);
        }
    }
    fprintf(out, "# HELP lakehouse_http_request_duration_seconds Request latency.\n"
                 "# TYPE lakehouse_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (int b = 0; b < BUCKETS; b++) {
        cum += atomic_load(&m->hist[b]);
        fprintf(out, "lakehouse_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                buckets_s[b], (unsigned long long)cum);
    }
    cum += atomic_load(&m->hist[BUCKETS]);
    fprintf(out, "lakehouse_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
            (unsigned long long)cum);
    fprintf(out, "lakehouse_http_request_duration_seconds_sum %.6f\n",
            (double)atomic_load(&m->sum_ns) / 1e9);
    fprintf(out, "lakehouse_http_request_duration_seconds_count %llu\n",
            (unsigned long long)atomic_load(&m->total));
}
