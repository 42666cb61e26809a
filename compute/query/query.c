/*
 * query.c - parse, bind, run (see query.h). Each statement gets its own plan arena
 * (released after it ran), so a long notebook does not grow one arena without bound;
 * only the last statement's plan and info stay in the caller's arena.
 */
#include "compute/query/query.h"

#include <string.h>
#include <time.h>

#include "common/util.h"
#include "compute/opt/opt.h"
#include "compute/sql/parser.h"

typedef struct run_ctx {
    const lh_query_sink_t *sink;
    bool deliver; /* only the last statement's rows reach the caller */
} run_ctx;

static lh_err drop_batch(void *ctx, const lh_batch_t *b, lh_errbuf *eb)
{
    (void)ctx, (void)b, (void)eb;
    return LH_OK;
}

static lh_err announce(const lh_query_sink_t *sink, const lh_plan_t *p, lh_errbuf *eb)
{
    if (sink == NULL || sink->on_schema == NULL)
        return LH_OK;
    lh_query_columns_t cols = {p ? p->col_count : 0, p ? p->col_names : NULL,
                               p ? p->col_types : NULL, p ? p->col_nullable : NULL};
    return sink->on_schema(sink->ctx, &cols, eb);
}

static lh_err run_one(const lh_ast_stmt_t *st, const char *sql, lh_session_t *session,
                      const lh_query_opts_t *o, const lh_query_sink_t *sink, bool last,
                      lh_arena_t *arena, lh_query_info_t *info, lh_errbuf *eb)
{
    lh_bind_env_t env = {arena, o->resolver,    session,        o->user,        sql,
                         NULL,  o->param_count, o->param_names, o->param_values};
    int64_t t0 = lh_mono_ns();
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now); /* one current_timestamp() per statement */
    lh_session_set_now(session, (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000);
    lh_bound_t *bound;
    LH_TRY(lh_bind(&env, st, &bound, eb));
    if (bound->kind == LH_BOUND_COMMAND)
        LH_TRY(lh_bind_run_command(&env, bound, eb));
    info->compile_ns += lh_mono_ns() - t0;
    info->statement_type = bound->statement_type;
    if (last)
        LH_TRY(announce(sink, bound->discard_rows ? NULL : bound->plan, eb));
    if (bound->plan == NULL)
        return LH_OK;
    lh_opt_run(arena, bound->plan);
    lh_plan_lineage(arena, bound->plan, &info->lineage);
    lh_exec_opts_t eo = {o->pool,   lh_session_conf(session), o->memory_limit_bytes,
                         o->cancel, o->deadline_ns,           o->data_cache};
    lh_exec_stats_t stats;
    memset(&stats, 0, sizeof stats);
    bool deliver = last && sink && !bound->discard_rows;
    lh_err e = lh_exec_run(bound->plan, &eo, deliver ? sink->on_batch : drop_batch,
                           deliver ? sink->ctx : NULL, &stats, eb);
    info->stats = stats;
    return e;
}

lh_err lh_query_run(const char *sql, size_t bytes, lh_session_t *session,
                    const lh_query_opts_t *opts, const lh_query_sink_t *sink, lh_arena_t *arena,
                    lh_query_info_t *info, lh_errbuf *eb)
{
    memset(info, 0, sizeof *info);
    int64_t t0 = lh_mono_ns();
    lh_ast_stmt_list_t *list;
    LH_TRY(lh_sql_parse(sql, bytes, arena, &list, eb));
    info->compile_ns = lh_mono_ns() - t0;
    if (list->count == 0)
        return announce(sink, NULL, eb);
    for (int i = 0; i < list->count; i++) {
        bool last = i == list->count - 1;
        lh_arena_t *a = last ? arena : lh_arena_create();
        lh_err e = run_one(list->items[i], sql, session, opts, sink, last, a, info, eb);
        if (!last) {
            info->lineage = (lh_lineage_t){0}; /* it lived in the released arena */
            info->statement_type = NULL;
            lh_arena_destroy(a);
        }
        LH_TRY(e);
    }
    return LH_OK;
}
