/*
 * bind_window.c - window function calls: f(args) OVER (PARTITION BY .. ORDER BY ..
 * [ROWS|RANGE frame]) and OVER w (WINDOW w AS (...)), into the level's window node.
 *
 * Ranking and offset functions (row_number, rank, dense_rank, percent_rank, cume_dist,
 * ntile, lag, lead, nth_value) are named by rank_fn; every aggregate (first/last included,
 * IGNORE NULLS becoming their constant second argument) is an aggregate over the frame.
 * Frames default as Spark's: with ORDER BY, RANGE UNBOUNDED PRECEDING .. CURRENT ROW;
 * without, the whole partition. RANGE offsets that are intervals become the ORDER BY key's
 * unit (days for DATE, microseconds for TIMESTAMP).
 */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "compute/bind/bind_internal.h"
#include "compute/func/format.h"

static const char *const ranking[] = {"row_number", "rank",  "dense_rank", "percent_rank",
                                      "cume_dist",  "ntile", "lag",        "lead",
                                      "nth_value",  NULL};

static bool is_ranking(const char *fn)
{
    for (int i = 0; ranking[i]; i++)
        if (strcasecmp(fn, ranking[i]) == 0)
            return true;
    return false;
}

static lh_err named_window(binder *b, const win_ctx *w, const char *name,
                           const lh_ast_window_t **out)
{
    for (int i = 0; w->sel && i < w->sel->window_count; i++)
        if (strcasecmp(w->sel->windows[i].name.text, name) == 0) {
            *out = w->sel->windows[i].spec;
            return LH_OK;
        }
    return lh_sqlerr(b->eb, "MISSING_WINDOW_SPECIFICATION", "windowName", name, "docroot",
                     "https://spark.apache.org/docs/latest", NULL);
}

static bool is_numeric_key(lh_type_t t)
{
    return (t.id >= LH_TYPE_BYTE && t.id <= LH_TYPE_LONG) || t.id == LH_TYPE_FLOAT ||
           t.id == LH_TYPE_DOUBLE || t.id == LH_TYPE_DECIMAL;
}

/* A frame offset: an interval in the ORDER BY key's unit, or a number cast to the key's
 * type as Spark's WindowFrameCoercion does (0.05 on a DOUBLE key, 1.5 on an INT key is 1);
 * *f is the same offset as a double (DECIMAL keys: unscaled, in the key's scale). */
static lh_err offset_of(binder *b, const lh_ast_expr_t *e, lh_type_t key, int64_t *out, double *f,
                        bool *months)
{
    scope none = {0};
    ectx c = {&none, MODE_PRE, NULL, "window frame", NULL};
    lh_expr_t *v;
    LH_TRY(bx_expr(b, &c, e, &v));
    const lh_sql_conf_t *conf = lh_session_conf(b->env->session);
    lh_value_t val;
    LH_TRY(lh_expr_fold(b->a, v, conf, &val, b->eb));
    LH_FAIL_IF(val.is_null, LH_E_INVALID, b->eb, "a window frame offset must not be NULL");
    if (val.type.id == LH_TYPE_INTERVAL_YM) { /* calendar months (check_frame: date/time keys) */
        *months = true;
        *out = val.v.i64;
        *f = (double)*out;
        return LH_OK;
    }
    if (val.type.id == LH_TYPE_INTERVAL_DT) {
        *out = key.id == LH_TYPE_DATE ? val.v.i64 / 86400000000LL : val.v.i64;
        *f = (double)*out;
        return LH_OK;
    }
    bool number = (val.type.id >= LH_TYPE_BYTE && val.type.id <= LH_TYPE_LONG) ||
                  val.type.id == LH_TYPE_FLOAT || val.type.id == LH_TYPE_DOUBLE ||
                  val.type.id == LH_TYPE_DECIMAL;
    bool both_integral = val.type.id >= LH_TYPE_BYTE && val.type.id <= LH_TYPE_LONG &&
                         key.id >= LH_TYPE_BYTE && key.id <= LH_TYPE_LONG;
    if (number && is_numeric_key(key) && !both_integral && !lh_type_equal(val.type, key)) {
        lh_expr_t *cast;
        LH_TRY(lh_expr_cast(b->a, lh_expr_const(b->a, &val, "offset"), key, false, conf, &cast,
                            b->eb));
        LH_TRY(lh_expr_fold(b->a, cast, conf, &val, b->eb));
    }
    if (number && (val.type.id == LH_TYPE_FLOAT || val.type.id == LH_TYPE_DOUBLE)) {
        LH_FAIL_IF(!isfinite(val.v.f64), LH_E_INVALID, b->eb,
                   "a window frame offset must be a finite number");
        *f = val.v.f64;
        *out = val.v.f64 < 0 ? -1 : val.v.f64 > 0 ? 1 : 0; /* the sign; the value is *f */
        return LH_OK;
    }
    if (number && val.type.id == LH_TYPE_DECIMAL) {
        *f = val.type.precision > 18 ? (double)val.v.i128 : (double)val.v.i64;
        *out = *f < 0 ? -1 : *f > 0 ? 1 : 0;
        return LH_OK;
    }
    LH_FAIL_IF(val.type.id < LH_TYPE_BYTE || val.type.id > LH_TYPE_LONG, LH_E_INVALID, b->eb,
               "[DATATYPE_MISMATCH.SPECIFIED_WINDOW_FRAME_UNACCEPTED_TYPE] The data type used in "
               "the window frame is not supported. SQLSTATE: 42K09");
    *out = val.v.i64;
    *f = (double)val.v.i64;
    return LH_OK;
}

static lh_err bound(binder *b, const lh_ast_frame_bound_t *fb, lh_type_t key, int64_t *out,
                    double *f, bool *months)
{
    *f = 0;
    *months = false;
    switch (fb->kind) {
    case LH_BOUND_UNBOUNDED_PRECEDING:
        *out = INT64_MIN;
        return LH_OK;
    case LH_BOUND_UNBOUNDED_FOLLOWING:
        *out = INT64_MAX;
        return LH_OK;
    case LH_BOUND_PRECEDING:
        LH_TRY(offset_of(b, fb->offset, key, out, f, months));
        *out = *out == INT64_MIN ? INT64_MAX : -*out;
        *f = -*f;
        return LH_OK;
    case LH_BOUND_FOLLOWING:
        return offset_of(b, fb->offset, key, out, f, months);
    default: /* CURRENT ROW, or the end of "ROWS start" */
        *out = 0;
        return LH_OK;
    }
}

static const char *bound_word(const lh_ast_frame_bound_t *fb)
{
    switch (fb->kind) {
    case LH_BOUND_UNBOUNDED_PRECEDING:
        return "\"UNBOUNDED PRECEDING\"";
    case LH_BOUND_UNBOUNDED_FOLLOWING:
        return "\"UNBOUNDED FOLLOWING\"";
    case LH_BOUND_PRECEDING:
    case LH_BOUND_FOLLOWING:
        return "\"offset\"";
    default:
        return "\"CURRENT ROW\"";
    }
}

static bool has_offset(const lh_ast_frame_bound_t *fb)
{
    return fb->kind == LH_BOUND_PRECEDING || fb->kind == LH_BOUND_FOLLOWING;
}

/* Spark's checks of a frame before its bounds are computed (CheckAnalysis' frame rules). */
static lh_err check_frame(binder *b, const lh_ast_window_t *sp, const lh_window_call_t *c,
                          const char *text)
{
    const lh_ast_frame_bound_t *fbs[2] = {&sp->start, &sp->end};
    if (sp->start.kind == LH_BOUND_UNBOUNDED_FOLLOWING ||
        sp->end.kind == LH_BOUND_UNBOUNDED_PRECEDING)
        return lh_sqlerr(b->eb, "DATATYPE_MISMATCH.SPECIFIED_WINDOW_FRAME_INVALID_BOUND", "sqlExpr",
                         text, "lower", bound_word(&sp->start), "upper", bound_word(&sp->end),
                         NULL);
    bool values = false;
    for (int i = 0; i < 2; i++) {
        if (!has_offset(fbs[i]))
            continue;
        const lh_ast_expr_t *o = fbs[i]->offset;
        while (o->kind == LH_EX_UNARY && o->args.count == 1)
            o = o->args.items[0];
        if (o->kind != LH_EX_LITERAL && o->kind != LH_EX_INTERVAL)
            return lh_sqlerr(b->eb, "_LEGACY_ERROR_TEMP_0064", "msg",
                             "Frame bound value must be a literal.", NULL);
        values = true;
    }
    if (sp->frame != 2 || !values)
        return LH_OK;
    if (c->order_count == 0)
        return lh_sqlerr(b->eb, "DATATYPE_MISMATCH.RANGE_FRAME_WITHOUT_ORDER", "sqlExpr", text,
                         NULL);
    if (c->order_count > 1)
        return lh_sqlerr(b->eb, "DATATYPE_MISMATCH.RANGE_FRAME_MULTI_ORDER", "sqlExpr", text,
                         "orderSpec", text, NULL);
    /* the ORDER BY key and the offsets: numbers with numbers, DATE with whole days,
     * TIMESTAMP with day-time intervals */
    lh_type_t key = c->order[0].expr->type;
    for (int i = 0; i < 2; i++) {
        if (!has_offset(fbs[i]))
            continue;
        scope none = {0};
        ectx x = {&none, MODE_PRE, NULL, "window frame", NULL};
        lh_expr_t *v;
        LH_TRY(bx_expr(b, &x, fbs[i]->offset, &v));
        bool num = is_numeric_key(v->type), dt = v->type.id == LH_TYPE_INTERVAL_DT;
        if (!num && !dt && v->type.id != LH_TYPE_INTERVAL_YM && v->type.id != LH_TYPE_NULL) {
            char vt[64];
            return lh_sqlerr(
                b->eb, "DATATYPE_MISMATCH.SPECIFIED_WINDOW_FRAME_UNACCEPTED_TYPE", "sqlExpr", text,
                "location", i ? "upper" : "lower", "exprType",
                lh_arena_sprintf(b->a, "\"%s\"", lh_format_type_sql(v->type, vt, sizeof vt)),
                "expectedType", "\"NUMERIC\" or \"INTERVAL\"", NULL);
        }
        bool ok = is_numeric_key(key) ? num
                  : key.id == LH_TYPE_TIMESTAMP || key.id == LH_TYPE_TIMESTAMP_NTZ
                      ? dt || v->type.id == LH_TYPE_INTERVAL_YM
                  : key.id == LH_TYPE_DATE
                      ? v->type.id == LH_TYPE_INTERVAL_YM || dt ||
                            (v->type.id >= LH_TYPE_BYTE && v->type.id <= LH_TYPE_LONG)
                      : false;
        if (ok && key.id == LH_TYPE_DATE && dt) { /* DATE takes whole days only */
            lh_value_t val;
            LH_TRY(lh_expr_fold(b->a, v, lh_session_conf(b->env->session), &val, b->eb));
            ok = val.is_null || val.v.i64 % 86400000000LL == 0;
        }
        if (!ok) {
            char kt[64], vt[64];
            return lh_sqlerr(
                b->eb, "DATATYPE_MISMATCH.RANGE_FRAME_INVALID_TYPE", "sqlExpr", text,
                "orderSpecType",
                lh_arena_sprintf(b->a, "\"%s\"", lh_format_type_sql(key, kt, sizeof kt)),
                "valueBoundaryType",
                lh_arena_sprintf(b->a, "\"%s\"", lh_format_type_sql(v->type, vt, sizeof vt)), NULL);
        }
    }
    return LH_OK;
}

static lh_err spec(binder *b, const ectx *inner, const lh_ast_window_t *sp, lh_window_call_t *c)
{
    c->partition_count = sp->partition.count;
    c->partition = lh_arena_calloc(b->a, (size_t)sp->partition.count + 1, sizeof *c->partition);
    for (int i = 0; i < sp->partition.count; i++)
        LH_TRY(bx_expr(b, inner, sp->partition.items[i], &c->partition[i]));
    c->order_count = sp->order.count;
    c->order = lh_arena_calloc(b->a, (size_t)sp->order.count + 1, sizeof *c->order);
    for (int i = 0; i < sp->order.count; i++) {
        const lh_ast_sort_item_t *it = &sp->order.items[i];
        lh_expr_t *k;
        LH_TRY(bx_expr(b, inner, it->expr, &k));
        bool nf = it->nulls == 1 ? true : it->nulls == 2 ? false : !it->desc;
        c->order[i] = (lh_sort_key_t){k, it->desc, nf};
        LH_TRY(bx_orderable(b, &c->order[i], "sortorder"));
    }
    lh_type_t key = c->order_count ? c->order[0].expr->type : (lh_type_t){LH_TYPE_LONG};
    if (sp->frame == 0) {
        c->frame_rows = c->order_count == 0;
        c->frame_start = INT64_MIN;
        c->frame_end = c->order_count ? 0 : INT64_MAX;
        return LH_OK;
    }
    const char *text = lh_arena_sprintf(b->a, "\"%s\"", c->name);
    LH_TRY(check_frame(b, sp, c, text));
    c->frame_rows = sp->frame == 1;
    if (c->frame_rows)
        key = (lh_type_t){LH_TYPE_LONG};
    LH_TRY(bound(b, &sp->start, key, &c->frame_start, &c->frame_start_f, &c->start_months));
    LH_TRY(bound(b, &sp->end, key, &c->frame_end, &c->frame_end_f, &c->end_months));
    for (int i = 0; c->frame_rows && i < 2; i++) { /* ROWS offsets are INT */
        int64_t v = i ? c->frame_end : c->frame_start;
        const lh_ast_frame_bound_t *fb = i ? &sp->end : &sp->start;
        if (has_offset(fb) && v != INT64_MIN && v != INT64_MAX &&
            (v > INT32_MAX || v < -(int64_t)INT32_MAX - 1))
            return lh_sqlerr(b->eb, "DATATYPE_MISMATCH.SPECIFIED_WINDOW_FRAME_UNACCEPTED_TYPE",
                             "sqlExpr", text, "location", i ? "upper" : "lower", "exprType",
                             "\"BIGINT\"", "expectedType", "\"INT\"", NULL);
    }
    bool bounded = sp->start.kind != LH_BOUND_UNBOUNDED_PRECEDING &&
                   sp->end.kind != LH_BOUND_UNBOUNDED_FOLLOWING && sp->end.kind != LH_BOUND_NONE;
    double lo = c->frame_rows ? (double)c->frame_start : c->frame_start_f;
    double hi = c->frame_rows ? (double)c->frame_end : c->frame_end_f;
    if (bounded && (has_offset(&sp->start) || has_offset(&sp->end)) && lo > hi &&
        (c->start_months == c->end_months || lo * hi >= 0)) /* months vs micros: by sign */
        return lh_sqlerr(b->eb, "DATATYPE_MISMATCH.SPECIFIED_WINDOW_FRAME_WRONG_COMPARISON",
                         "sqlExpr", text, "comparison", "less than or equal", NULL);
    return LH_OK;
}

/* The arguments and result type of an aggregate over a frame. */
static lh_err frame_agg(binder *b, const ectx *inner, const lh_ast_expr_t *e,
                        const lh_agg_func_t *af, lh_window_call_t *c)
{
    bool ignore = e->u.func.nulls == LH_NULLS_IGNORE;
    bool first_last = strcasecmp(af->name, "first") == 0 || strcasecmp(af->name, "last") == 0 ||
                      strcasecmp(af->name, "first_value") == 0 ||
                      strcasecmp(af->name, "last_value") == 0 ||
                      strcasecmp(af->name, "any_value") == 0;
    int argc = e->u.func.star ? 0 : e->args.count;
    int total = argc + (ignore && first_last && argc == 1);
    c->args = lh_arena_calloc(b->a, (size_t)total + 1, sizeof *c->args);
    lh_type_t *types = lh_arena_calloc(b->a, (size_t)total + 1, sizeof *types);
    const lh_value_t **consts = lh_arena_calloc(b->a, (size_t)total + 1, sizeof *consts);
    for (int i = 0; i < argc; i++)
        LH_TRY(bx_expr(b, inner, e->args.items[i], &c->args[i]));
    if (total > argc) {
        lh_value_t t = {.type = {LH_TYPE_BOOLEAN}, .v.i64 = 1};
        c->args[argc] = lh_expr_const(b->a, &t, "true");
    }
    for (int i = 0; i < total; i++) {
        types[i] = c->args[i]->type;
        consts[i] = c->args[i]->kind == LH_EXPR_CONST ? &c->args[i]->value : NULL;
    }
    lh_func_bind_t fb = {.arg_count = total,
                         .arg_types = types,
                         .const_args = consts,
                         .conf = lh_session_conf(b->env->session),
                         .arena = b->a};
    fb.cast_to = lh_arena_calloc(b->a, (size_t)total + 1, sizeof *fb.cast_to);
    memcpy(fb.cast_to, types, (size_t)total * sizeof *types);
    LH_TRY(af->bind(&fb, b->eb));
    for (int i = 0; i < total; i++)
        LH_TRY(bx_coerce(b, &c->args[i], fb.cast_to[i]));
    c->agg = af;
    c->arg_count = total;
    c->bind_data = fb.bind_data;
    c->type = fb.ret_type;
    return LH_OK;
}

static lh_err ranking_fn(binder *b, const ectx *inner, const lh_ast_expr_t *e, const char *fn,
                         lh_window_call_t *c)
{
    c->rank_fn = fn;
    c->arg_count = e->args.count;
    c->args = lh_arena_calloc(b->a, (size_t)e->args.count + 1, sizeof *c->args);
    for (int i = 0; i < e->args.count; i++)
        LH_TRY(bx_expr(b, inner, e->args.items[i], &c->args[i]));
    c->ignore_nulls = e->u.func.nulls == LH_NULLS_IGNORE;
    if (strcasecmp(fn, "percent_rank") == 0 || strcasecmp(fn, "cume_dist") == 0) {
        c->type = (lh_type_t){LH_TYPE_DOUBLE};
    } else if (strcasecmp(fn, "lag") == 0 || strcasecmp(fn, "lead") == 0 ||
               strcasecmp(fn, "nth_value") == 0) {
        LH_FAIL_IF(e->args.count < 1, LH_E_INVALID, b->eb, "%s needs an argument", fn);
        c->type = c->args[0]->type;
        if (e->args.count >= 3 && strcasecmp(fn, "nth_value") != 0)
            LH_TRY(bx_coerce(b, &c->args[2], c->type));
    } else {
        c->type = (lh_type_t){LH_TYPE_INT};
    }
    return LH_OK;
}

lh_err bw_call(binder *b, const ectx *x, const lh_ast_expr_t *e, lh_expr_t **out)
{
    win_ctx *w = x->win;
    if (w == NULL)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "a window function in this clause", NULL);
    const char *fn = e->name.parts[e->name.count - 1].text;
    const lh_ast_window_t *sp = e->u.func.over;
    if (sp == NULL || (sp->base != NULL && sp->partition.count == 0 && sp->order.count == 0))
        LH_TRY(named_window(b, w, sp ? sp->base->text : e->u.func.over_name->text, &sp));
    ectx inner = *x;
    inner.win = NULL; /* no window inside a window */
    lh_window_call_t c = {0};
    c.name = lh_arena_strndup(b->a, b->sql + e->span.start, e->span.stop - e->span.start);
    LH_TRY(spec(b, &inner, sp, &c));
    if (e->u.func.distinct)
        return lh_sqlerr(b->eb, "DISTINCT_WINDOW_FUNCTION_UNSUPPORTED", "windowExpr",
                         lh_arena_sprintf(b->a, "\"%s\"", c.name), NULL);
    if (is_ranking(fn) && strcasecmp(fn, "nth_value") != 0 && sp->order.count == 0)
        return lh_sqlerr(b->eb, "_LEGACY_ERROR_TEMP_1037", "wf",
                         lh_arena_sprintf(b->a, "%s()", bf_lower(b, fn)), NULL);
    if (e->u.func.filter != NULL)
        return lh_sqlerr(b->eb, "_LEGACY_ERROR_TEMP_1030", NULL);
    const lh_agg_func_t *af = is_ranking(fn) ? NULL : lh_agg_find(fn);
    bool cont = strcasecmp(fn, "percentile_cont") == 0 || strcasecmp(fn, "percentile_disc") == 0;
    if (af != NULL && (cont || strcasecmp(fn, "median") == 0)) {
        /* these see the whole partition: no ORDER BY, no frame but ROWS UNBOUNDED .. UNBOUNDED */
        bool whole = sp->frame == 0 ||
                     (sp->frame == 1 && c.frame_start == INT64_MIN && c.frame_end == INT64_MAX);
        if (sp->order.count > 0 || !whole)
            return lh_sqlerr(b->eb, "INVALID_WINDOW_SPEC_FOR_AGGREGATION_FUNC", "aggFunc",
                             lh_arena_sprintf(b->a, "\"%s\"", c.name), NULL);
    }
    if (af != NULL && cont) { /* f(p) WITHIN GROUP (ORDER BY x [DESC]): f(x, p), or f desc */
        const lh_ast_sort_item_t *wg = &e->u.func.within_group.items[0];
        lh_ast_expr_t *e2 = lh_arena_calloc(b->a, 1, sizeof *e2);
        *e2 = *e;
        e2->args.items = lh_arena_calloc(b->a, 3, sizeof *e2->args.items);
        e2->args.items[0] = wg->expr;
        e2->args.items[1] = e->args.items[0];
        e2->args.count = 2;
        if (wg->desc)
            af = lh_agg_find(strcasecmp(fn, "percentile_disc") == 0 ? "percentile_disc desc"
                                                                    : "percentile_cont desc");
        e = e2;
    }
    if (af != NULL)
        LH_TRY(frame_agg(b, &inner, e, af, &c));
    else if (is_ranking(fn))
        LH_TRY(ranking_fn(b, &inner, e, bf_lower(b, fn), &c));
    else
        return lh_sqlerr(b->eb, "UNSUPPORTED_EXPR_FOR_WINDOW", "sqlExpr",
                         lh_arena_sprintf(b->a, "\"%s\"", c.name), NULL);
    if (w->count == w->cap) {
        int cap = w->cap ? w->cap * 2 : 4;
        lh_window_call_t *n = lh_arena_calloc(b->a, (size_t)cap, sizeof *n);
        if (w->count)
            memcpy(n, w->calls, (size_t)w->count * sizeof *n);
        w->calls = n;
        w->cap = cap;
    }
    w->calls[w->count] = c;
    *out = lh_expr_column(b->a, LH_WIN_MARKER - w->count, c.type, true, c.name);
    w->count++;
    return LH_OK;
}

void bw_patch(lh_expr_t *e, int base)
{
    if (e->kind == LH_EXPR_COLUMN && e->column <= LH_WIN_MARKER)
        e->column = base + (LH_WIN_MARKER - e->column);
    for (int i = 0; i < e->arg_count; i++)
        bw_patch(e->args[i], base);
}
