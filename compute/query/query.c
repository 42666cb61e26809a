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
#include "compute/sql/sqlerr.h"

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
                      lh_arena_t *arena, lh_query_info_t *info, lh_errbuf *eb);

/* EXECUTE IMMEDIATE .. INTO: the statement's only row (none: NULLs). */
typedef struct into_rows {
    lh_arena_t *arena;
    int cols, rows;
    lh_value_t *vals;
} into_rows;

static lh_err into_schema(void *ctx, const lh_query_columns_t *cols, lh_errbuf *eb)
{
    (void)eb;
    into_rows *r = ctx;
    r->cols = cols->count;
    r->vals = lh_arena_calloc(r->arena, (size_t)cols->count + 1, sizeof *r->vals);
    for (int i = 0; i < cols->count; i++)
        r->vals[i] = (lh_value_t){.type = cols->types[i], .is_null = true};
    return LH_OK;
}

static lh_err into_batch(void *ctx, const lh_batch_t *b, lh_errbuf *eb)
{
    into_rows *r = ctx;
    for (size_t i = 0; i < b->row_count; i++) {
        if (++r->rows > 1)
            return lh_sqlerr(eb, "ROW_SUBQUERY_TOO_MANY_ROWS", NULL);
        for (int c = 0; c < r->cols && c < b->col_count; c++) {
            lh_value_t *v = &r->vals[c];
            lh_vec_get_value(b->cols[c], i, v);
            if (!v->is_null && lh_type_is_bytes(v->type)) {
                uint8_t *copy = lh_arena_alloc(r->arena, v->v.str.len + 1);
                memcpy(copy, v->v.str.ptr, v->v.str.len);
                v->v.str.ptr = copy;
            }
        }
    }
    return LH_OK;
}

/* EXECUTE IMMEDIATE sql [INTO vars] [USING args]: one statement parsed from the text, run
 * with the USING values as its parameters (by name, and every one by position); its rows
 * are the answer, or with INTO go into the variables. */
static lh_err run_immediate(const lh_bind_env_t *env, const lh_ast_stmt_t *st,
                            lh_session_t *session, const lh_query_opts_t *o,
                            const lh_query_sink_t *sink, bool last, lh_arena_t *arena,
                            lh_query_info_t *info, lh_errbuf *eb)
{
    lh_exec_immediate_t ei;
    LH_TRY(lh_bind_execute_immediate(env, st, &ei, eb));
    lh_ast_stmt_list_t *list;
    LH_TRY(lh_sql_parse(ei.sql, strlen(ei.sql), arena, &list, eb));
    if (list->count != 1)
        return lh_sqlerr(eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "EXECUTE IMMEDIATE of other than one statement", NULL);
    const lh_ast_stmt_t *inner = list->items[0];
    if (inner->kind == LH_ST_EXECUTE_IMMEDIATE)
        return lh_sqlerr(eb, "NESTED_EXECUTE_IMMEDIATE", "sqlString", ei.sql, NULL);
    if (st->var_count > 0 && inner->kind != LH_ST_QUERY)
        return lh_sqlerr(eb, "INVALID_STATEMENT_FOR_EXECUTE_INTO", "sqlString", ei.sql, NULL);
    lh_query_opts_t io = *o;
    int named = 0;
    const char **names = lh_arena_calloc(arena, (size_t)ei.arg_count + 1, sizeof *names);
    lh_value_t *vals = lh_arena_calloc(arena, (size_t)ei.arg_count + 1, sizeof *vals);
    for (int i = 0; i < ei.arg_count; i++)
        if (ei.names[i] != NULL) {
            names[named] = ei.names[i];
            vals[named++] = ei.values[i];
        }
    io.param_count = named;
    io.param_names = names;
    io.param_values = vals;
    io.pos_param_count = ei.arg_count;
    io.pos_param_values = ei.values;
    if (st->var_count == 0)
        return run_one(inner, ei.sql, session, &io, sink, last, arena, info, eb);
    into_rows r = {arena, 0, 0, NULL};
    lh_query_sink_t into = {&r, into_schema, into_batch};
    LH_TRY(run_one(inner, ei.sql, session, &io, &into, true, arena, info, eb));
    if (r.cols != st->var_count)
        return lh_sqlerr(eb, "ASSIGNMENT_ARITY_MISMATCH", "numTarget",
                         lh_arena_sprintf(arena, "%d", st->var_count), "numExpr",
                         lh_arena_sprintf(arena, "%d", r.cols), NULL);
    LH_TRY(lh_bind_assign_vars(env, st->var_names, st->var_count, r.vals, eb));
    info->lineage = (lh_lineage_t){0};
    return last ? announce(sink, NULL, eb) : LH_OK;
}

static lh_err run_one(const lh_ast_stmt_t *st, const char *sql, lh_session_t *session,
                      const lh_query_opts_t *o, const lh_query_sink_t *sink, bool last,
                      lh_arena_t *arena, lh_query_info_t *info, lh_errbuf *eb)
{
    lh_bind_env_t env = {arena,
                         o->resolver,
                         session,
                         o->user,
                         sql,
                         NULL,
                         o->param_count,
                         o->param_names,
                         o->param_values,
                         o->pos_param_count,
                         o->pos_param_values};
    int64_t t0 = lh_mono_ns();
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now); /* one current_timestamp() per statement */
    lh_session_set_now(session, (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000);
    if (st->kind == LH_ST_EXECUTE_IMMEDIATE)
        return run_immediate(&env, st, session, o, sink, last, arena, info, eb);
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
