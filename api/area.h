/*
 * area.h - the area descriptor: one row per product area (the shape of nginx's module
 * struct). server/areas.c lists every area; server/ iterates that list and nothing else
 * knows the set of areas, so adding one touches its folder, the list and CMake only.
 *
 * server/ drives the rows:
 *   start     create(ctx, &state) for each area in list order, then recover(state) for
 *             each in list order (all areas exist before any recovers), then registers
 *             each area's routes (in list order, after server/'s own ops routes and
 *             before the 501 pending routes, which match last);
 *   /metrics  render_metrics(state, out) for each area in list order;
 *   stop      destroy(state) for each created area in reverse list order, after HTTP has
 *             stopped and before the background service (ctx->bg) is destroyed.
 * Any member may be NULL. create publishes whatever other areas may use in the context
 * (e.g. ctx->clusters) and destroy clears it. Background work goes to ctx->bg (timers,
 * executors); an area starts no threads of its own.
 */
#ifndef LH_API_AREA_H
#define LH_API_AREA_H

#include <stdio.h>

#include "api/api.h"

typedef struct lh_area {
    const char *name;
    /* Build the area's state (load from the metastore; nothing runs yet). */
    lh_err (*create)(lh_ctx_t *ctx, void **state, lh_errbuf *eb);
    /* After every area exists and before HTTP starts: resolve work interrupted by a
     * restart, start timers. */
    lh_err (*recover)(void *state, lh_errbuf *eb);
    /* The area's route table (static data). */
    const lh_route_t *(*routes)(int *count);
    /* Prometheus text for /metrics. */
    void (*render_metrics)(void *state, FILE *out);
    /* Cancel timers, drain work, free; state may be NULL-safe or not: server/ only calls
     * it for areas whose create succeeded. */
    void (*destroy)(void *state);
} lh_area_t;

#endif
