/*
 * exec_groupby_bench.c - times a GROUP BY over a Delta table with the executor.
 *
 *   exec_groupby_bench [rows] [dir] [groups]
 * writes (once; reused when dir already holds a table) a table of `rows` rows (default
 * 10M): id BIGINT, g BIGINT = id % groups (default 1000; a table is
 * written per rows and groups), v DOUBLE = id * 0.25, in files of about 1M rows,
 * then runs SELECT g, count(*), sum(v), min(id) FROM t GROUP BY g on 1 and 2 threads and
 * prints wall and CPU seconds and rows/s for each (on a shared machine the CPU figure is
 * the stable one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/util.h"
#include "compute/agg/agg.h"
#include "compute/exec/exec.h"
#include "storage/delta/ops.h"

static int64_t g_groups = 1000;

typedef struct gen {
    int64_t next, total;
    lh_schema_t *schema;
    lh_batch_t *b;
} gen;

static lh_err gen_next(void *ctx, const lh_batch_t **out, lh_errbuf *eb)
{
    gen *g = ctx;
    (void)eb;
    *out = NULL;
    if (g->next >= g->total)
        return LH_OK;
    lh_batch_reset(g->b);
    int64_t n = g->total - g->next < 65536 ? g->total - g->next : 65536;
    for (int64_t i = 0; i < n; i++, g->next++) {
        lh_vec_append_i64(g->b->cols[0], g->next);
        lh_vec_append_i64(g->b->cols[1], g->next % g_groups);
        lh_vec_append_f64(g->b->cols[2], (double)g->next * 0.25);
    }
    g->b->row_count = (size_t)n;
    *out = g->b;
    return LH_OK;
}

static int write_table(const char *dir, int64_t rows)
{
    lh_objstore_t *os;
    lh_delta_table_t *t;
    lh_errbuf eb;
    if (lh_objstore_local_create(dir, &os, &eb) || lh_delta_table_open(os, "", &t, &eb))
        return fprintf(stderr, "open: %s\n", eb.msg), 1;
    int64_t v;
    if (lh_delta_latest_version(t, &v, &eb) == LH_OK) {
        printf("reusing the table in %s\n", dir);
    } else {
        gen g = {.total = rows, .schema = lh_schema_create(3)};
        lh_schema_set(g.schema, 0, "id", (lh_type_t){.id = LH_TYPE_LONG}, false);
        lh_schema_set(g.schema, 1, "g", (lh_type_t){.id = LH_TYPE_LONG}, false);
        lh_schema_set(g.schema, 2, "v", (lh_type_t){.id = LH_TYPE_DOUBLE}, false);
        g.b = lh_batch_create(g.schema, 65536);
        lh_delta_op_opts_t o;
        lh_delta_op_opts_default(&o);
        lh_delta_op_result_t res;
        int64_t t0 = lh_mono_ns();
        lh_err e = lh_delta_append(t, g.schema, gen_next, &g, &o, &res, &eb);
        printf("wrote %lld rows in %.2f s\n", (long long)rows, (lh_mono_ns() - t0) / 1e9);
        lh_batch_destroy(g.b);
        lh_schema_destroy(g.schema);
        if (e != LH_OK)
            return fprintf(stderr, "write: %s\n", eb.msg), 1;
    }
    lh_delta_table_close(t);
    lh_objstore_destroy(os);
    return 0;
}

static lh_agg_call_t agg(lh_arena_t *a, const char *name, lh_expr_t *arg)
{
    lh_agg_call_t c = {.func = lh_agg_find(name), .name = name};
    lh_type_t t = arg ? arg->type : (lh_type_t){.id = LH_TYPE_LONG}, ct = t;
    const lh_value_t *consts[1] = {0};
    lh_func_bind_t b = {.arg_count = arg ? 1 : 0,
                        .arg_types = &t,
                        .const_args = consts,
                        .arena = a,
                        .cast_to = &ct};
    lh_errbuf eb;
    if (c.func->bind(&b, &eb) != LH_OK)
        abort();
    c.bind_data = b.bind_data;
    c.type = b.ret_type;
    c.arg_count = arg ? 1 : 0;
    c.args = lh_arena_calloc(a, 1, sizeof(lh_expr_t *));
    c.args[0] = arg;
    return c;
}

static lh_plan_t *plan(lh_arena_t *a, const char *dir)
{
    static const char *cols[] = {"id", "g", "v"};
    lh_type_t L = {.id = LH_TYPE_LONG}, D = {.id = LH_TYPE_DOUBLE};
    lh_plan_t *s = lh_plan_new(a, LH_PLAN_SCAN, 3, 0);
    s->u.scan.root = dir;
    s->u.scan.columns = cols;
    s->u.scan.column_count = 3;
    lh_type_t types[] = {L, L, D};
    for (int i = 0; i < 3; i++) {
        s->col_names[i] = cols[i];
        s->col_types[i] = types[i];
    }
    lh_plan_t *p = lh_plan_new(a, LH_PLAN_AGGREGATE, 4, 1);
    p->children[0] = s;
    p->u.aggregate.key_count = 1;
    p->u.aggregate.keys = lh_arena_calloc(a, 1, sizeof(lh_expr_t *));
    p->u.aggregate.keys[0] = lh_expr_column(a, 1, L, false, "g");
    p->u.aggregate.agg_count = 3;
    p->u.aggregate.aggs = lh_arena_calloc(a, 3, sizeof(lh_agg_call_t));
    p->u.aggregate.aggs[0] = agg(a, "count", NULL);
    p->u.aggregate.aggs[1] = agg(a, "sum", lh_expr_column(a, 2, D, false, "v"));
    p->u.aggregate.aggs[2] = agg(a, "min", lh_expr_column(a, 0, L, false, "id"));
    lh_type_t out[] = {L, L, D, L};
    for (int i = 0; i < 4; i++) {
        p->col_names[i] = "c";
        p->col_types[i] = out[i];
    }
    return p;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static lh_err count_rows(void *ctx, const lh_batch_t *b, lh_errbuf *eb)
{
    (void)eb;
    *(int64_t *)ctx += (int64_t)b->row_count;
    return LH_OK;
}

int main(int argc, char **argv)
{
    int64_t rows = argc > 1 ? atoll(argv[1]) : 10000000;
    g_groups = argc > 3 && atoll(argv[3]) > 0 ? atoll(argv[3]) : 1000;
    char defdir[64];
    snprintf(defdir, sizeof defdir, "/tmp/lh-exec-bench-%lld-%lld", (long long)rows,
             (long long)g_groups);
    const char *dir = argc > 2 && strcmp(argv[2], "-") != 0 ? argv[2] : defdir;
    mkdir(dir, 0755);
    if (write_table(dir, rows))
        return 1;
    lh_arena_t *a = lh_arena_create();
    lh_plan_t *p = plan(a, dir);
    for (int threads = 1; threads <= 2; threads++) {
        lh_pool_t *pool = threads > 1 ? lh_pool_create("bench", threads - 1) : NULL;
        lh_sql_conf_t conf = {.time_zone = "UTC", .ansi = true};
        lh_exec_opts_t o = {.pool = pool, .conf = &conf};
        for (int rep = 0; rep < 3; rep++) {
            int64_t groups = 0;
            lh_exec_stats_t st;
            lh_errbuf eb;
            int64_t t0 = lh_mono_ns();
            double c0 = cpu_s();
            if (lh_exec_run(p, &o, count_rows, &groups, &st, &eb) != LH_OK)
                return fprintf(stderr, "run: %s\n", eb.msg), 1;
            double s = (lh_mono_ns() - t0) / 1e9, cpu = cpu_s() - c0;
            printf("threads=%d run=%d groups=%lld rows=%lld wall %.3f s %.1f Mrows/s, cpu %.3f s "
                   "(%.1f Mrows per cpu-s) peak=%lld KB\n",
                   threads, rep, (long long)groups, (long long)st.rows_read, s,
                   (double)st.rows_read / s / 1e6, cpu, (double)st.rows_read / cpu / 1e6,
                   (long long)st.peak_memory_bytes / 1024);
        }
        if (pool)
            lh_pool_destroy(pool);
    }
    lh_arena_destroy(a);
    return 0;
}
