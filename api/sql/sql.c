/*
 * sql.c - the SQL area's descriptor (api/area.h): SQL warehouses now; the Statement
 * Execution API and query history join this area (their routes and state) later.
 */
#include "api/sql/sql.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/sql/sessions.h"
#include "api/sql/statements.h"
#include "api/sql/warehouses_internal.h"

typedef struct sql_area {
    lh_ctx_t *ctx;
    lh_warehouses_t *warehouses;
    lh_statements_t *statements;
    lh_sql_sessions_t *sessions;
} sql_area;

static void area_destroy(void *state);

static lh_err area_create(lh_ctx_t *ctx, void **state, lh_errbuf *eb)
{
    sql_area *a = calloc(1, sizeof *a);
    LH_FAIL_IF(a == NULL, LH_E_NOMEM, eb, "out of memory");
    a->ctx = ctx;
    lh_err e = lh_warehouses_create(ctx, &a->warehouses, eb);
    if (e == LH_OK) {
        ctx->warehouses = a->warehouses;
        e = lh_sql_sessions_create(ctx, &a->sessions, eb);
    }
    if (e == LH_OK) {
        ctx->sql_sessions = a->sessions;
        e = lh_statements_create(ctx, &a->statements, eb);
    }
    if (e != LH_OK) {
        area_destroy(a);
        return e;
    }
    ctx->statements = a->statements;
    *state = a;
    return LH_OK;
}

static lh_err area_recover(void *state, lh_errbuf *eb)
{
    sql_area *a = state;
    LH_TRY(lh_warehouses_recover(a->warehouses, eb));
    return lh_statements_recover(a->statements, eb);
}

static void area_metrics(void *state, FILE *out)
{
    sql_area *a = state;
    lh_warehouses_render_metrics(a->warehouses, out);
    lh_statements_render_metrics(a->statements, out);
}

/* Statements first: they hold warehouse pools until they stop. */
static void area_destroy(void *state)
{
    sql_area *a = state;
    lh_statements_destroy(a->statements);
    a->ctx->statements = NULL;
    lh_sql_sessions_destroy(a->sessions);
    a->ctx->sql_sessions = NULL;
    if (a->warehouses != NULL)
        lh_warehouses_destroy(a->warehouses);
    a->ctx->warehouses = NULL;
    free(a);
}

/* One table: the warehouses' rows, then the statements', then the sessions'. */
static lh_route_t all_routes[32];
static int all_count;
static pthread_once_t routes_once = PTHREAD_ONCE_INIT;

static void build_routes(void)
{
    int n = 0;
    const lh_route_t *w = lh_warehouses_routes(&n);
    memcpy(all_routes, w, (size_t)n * sizeof *w);
    all_count = n;
    const lh_route_t *st = lh_statements_routes(&n);
    LH_ASSERT(all_count + n <= (int)(sizeof all_routes / sizeof all_routes[0]));
    memcpy(all_routes + all_count, st, (size_t)n * sizeof *st);
    all_count += n;
    const lh_route_t *ss = lh_sql_sessions_routes(&n);
    LH_ASSERT(all_count + n <= (int)(sizeof all_routes / sizeof all_routes[0]));
    memcpy(all_routes + all_count, ss, (size_t)n * sizeof *ss);
    all_count += n;
}

static const lh_route_t *area_routes(int *count)
{
    pthread_once(&routes_once, build_routes);
    *count = all_count;
    return all_routes;
}

const lh_area_t lh_sql_area = {
    .name = "sql",
    .create = area_create,
    .recover = area_recover,
    .routes = area_routes,
    .render_metrics = area_metrics,
    .destroy = area_destroy,
};
