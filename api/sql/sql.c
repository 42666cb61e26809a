/*
 * sql.c - the SQL area's descriptor (api/area.h): SQL warehouses now; the Statement
 * Execution API and query history join this area (their routes and state) later.
 */
#include "api/sql/sql.h"
#include "api/sql/warehouses_internal.h"

static lh_err area_create(lh_ctx_t *ctx, void **state, lh_errbuf *eb)
{
    lh_warehouses_t *w;
    LH_TRY(lh_warehouses_create(ctx, &w, eb));
    ctx->warehouses = w;
    *state = w;
    return LH_OK;
}

static lh_err area_recover(void *state, lh_errbuf *eb)
{
    return lh_warehouses_recover(state, eb);
}

static void area_metrics(void *state, FILE *out)
{
    lh_warehouses_render_metrics(state, out);
}

static void area_destroy(void *state)
{
    lh_warehouses_t *w = state;
    w->ctx->warehouses = NULL;
    lh_warehouses_destroy(w);
}

const lh_area_t lh_sql_area = {
    .name = "sql",
    .create = area_create,
    .recover = area_recover,
    .routes = lh_warehouses_routes,
    .render_metrics = area_metrics,
    .destroy = area_destroy,
};
