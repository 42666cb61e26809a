/*
 * parse_dml.c - INSERT INTO/OVERWRITE, MERGE INTO, UPDATE, DELETE.
 *
 *   INSERT (INTO | OVERWRITE) [TABLE] t [PARTITION (k [= v], ..)] [IF NOT EXISTS]
 *          [(cols) | BY NAME] [REPLACE WHERE cond] query
 *   MERGE [WITH SCHEMA EVOLUTION] INTO t [[AS] a] USING rel ON cond
 *         (WHEN MATCHED [AND c] THEN (UPDATE SET * | UPDATE SET a = e, .. | DELETE)
 *         | WHEN NOT MATCHED [BY TARGET] [AND c] THEN (INSERT * | INSERT [(cols)] VALUES (..))
 *         | WHEN NOT MATCHED BY SOURCE [AND c] THEN (UPDATE SET .. | DELETE))+
 *   UPDATE t [[AS] a] SET a = e, .. [WHERE cond]
 *   DELETE FROM t [[AS] a] [WHERE cond]
 */
#include "compute/sql/parser_internal.h"

lh_err lh_p_props(parser_t *p, lh_ast_props_t *out)
{
    memset(out, 0, sizeof *out);
    LH_TRY(lh_p_expect_op(p, "("));
    if (lh_p_accept_op(p, ")"))
        return LH_OK;
    do {
        lh_ast_prop_t pr = {0};
        if (lh_p_is_string(p, 0)) {
            LH_TRY(lh_p_string(p, &pr.key));
        } else {
            uint32_t first = p->pos;
            lh_ast_name_t n;
            LH_TRY(lh_p_name(p, &n));
            pr.key = lh_p_text(p, lh_p_span(p, first));
        }
        bool eq = lh_p_accept_op(p, "=");
        if (eq || (!lh_p_is_op(p, 0, ",") && !lh_p_is_op(p, 0, ")")))
            LH_TRY(lh_p_expr(p, &pr.value));
        PUSH(p, out->items, out->count, pr);
    } while (lh_p_accept_op(p, ","));
    return lh_p_expect_op(p, ")");
}

static lh_err insert(parser_t *p, lh_ast_stmt_t *s)
{
    lh_ast_insert_t *in = lh_arena_calloc(p->arena, 1, sizeof *in);
    s->insert = in;
    p->pos++; /* INSERT */
    if (lh_p_accept_kw(p, "OVERWRITE"))
        in->overwrite = true;
    else
        LH_TRY(lh_p_expect_kw(p, "INTO"));
    in->table_written = lh_p_accept_kw(p, "TABLE");
    LH_TRY(lh_p_name(p, &in->table));
    if (lh_p_accept_kw(p, "PARTITION"))
        LH_TRY(lh_p_props(p, &in->partition));
    if (lh_p_is_kw(p, 0, "IF") && lh_p_is_kw(p, 1, "NOT") && lh_p_is_kw(p, 2, "EXISTS")) {
        p->pos += 3;
        in->if_not_exists = true;
    }
    if (lh_p_is_op(p, 0, "(") && !lh_p_starts_query(p, 0))
        LH_TRY(lh_p_ident_list(p, &in->columns));
    else if (lh_p_is_kw(p, 0, "BY") && lh_p_is_kw(p, 1, "NAME")) {
        p->pos += 2;
        in->by_name = true;
    }
    if (lh_p_is_kw(p, 0, "REPLACE") && lh_p_is_kw(p, 1, "WHERE")) {
        p->pos += 2;
        LH_TRY(lh_p_expr(p, &in->replace_where));
    }
    if (!lh_p_starts_query(p, 0))
        return lh_p_fail(p);
    return lh_p_query(p, &in->query);
}

static lh_err assignments(parser_t *p, lh_ast_assign_t **out, int *count)
{
    do {
        lh_ast_assign_t a = {0};
        LH_TRY(lh_p_name(p, &a.column));
        LH_TRY(lh_p_expect_op(p, "="));
        if (!lh_p_accept_kw(p, "DEFAULT"))
            LH_TRY(lh_p_expr(p, &a.value));
        PUSH(p, *out, *count, a);
    } while (lh_p_accept_op(p, ","));
    return LH_OK;
}

static lh_err merge_insert(parser_t *p, lh_ast_merge_when_t *w)
{
    if (lh_p_accept_op(p, "*")) {
        w->action = LH_MERGE_INSERT_STAR;
        return LH_OK;
    }
    w->action = LH_MERGE_INSERT;
    if (lh_p_accept_op(p, "(")) {
        do {
            lh_ast_name_t n;
            LH_TRY(lh_p_name(p, &n));
            PUSH(p, w->insert_columns, w->insert_column_count, n);
        } while (lh_p_accept_op(p, ","));
        LH_TRY(lh_p_expect_op(p, ")"));
    }
    LH_TRY(lh_p_expect_kw(p, "VALUES"));
    LH_TRY(lh_p_expect_op(p, "("));
    LH_TRY(lh_p_expr_list(p, &w->insert_values));
    return lh_p_expect_op(p, ")");
}

static lh_err merge_when(parser_t *p, lh_ast_merge_when_t *w)
{
    memset(w, 0, sizeof *w);
    p->pos++; /* WHEN */
    bool not = lh_p_accept_kw(p, "NOT");
    LH_TRY(lh_p_expect_kw(p, "MATCHED"));
    w->kind = not ? LH_MERGE_NOT_MATCHED : LH_MERGE_MATCHED;
    if (not &&lh_p_accept_kw(p, "BY")) {
        if (lh_p_accept_kw(p, "SOURCE"))
            w->kind = LH_MERGE_NOT_MATCHED_BY_SOURCE;
        else {
            LH_TRY(lh_p_expect_kw(p, "TARGET"));
            w->by_target_written = true;
        }
    }
    if (lh_p_accept_kw(p, "AND"))
        LH_TRY(lh_p_expr(p, &w->cond));
    LH_TRY(lh_p_expect_kw(p, "THEN"));
    if (w->kind == LH_MERGE_NOT_MATCHED) {
        LH_TRY(lh_p_expect_kw(p, "INSERT"));
        return merge_insert(p, w);
    }
    if (lh_p_accept_kw(p, "DELETE")) {
        w->action = LH_MERGE_DELETE;
        return LH_OK;
    }
    LH_TRY(lh_p_expect_kw(p, "UPDATE"));
    LH_TRY(lh_p_expect_kw(p, "SET"));
    if (lh_p_accept_op(p, "*")) {
        w->action = LH_MERGE_UPDATE_STAR;
        return LH_OK;
    }
    w->action = LH_MERGE_UPDATE;
    return assignments(p, &w->sets, &w->set_count);
}

static lh_err merge(parser_t *p, lh_ast_stmt_t *s)
{
    lh_ast_merge_t *m = lh_arena_calloc(p->arena, 1, sizeof *m);
    s->merge = m;
    p->pos++; /* MERGE */
    if (lh_p_is_kw(p, 0, "WITH")) {
        p->pos++;
        LH_TRY(lh_p_expect_kw(p, "SCHEMA"));
        LH_TRY(lh_p_expect_kw(p, "EVOLUTION"));
        m->with_schema_evolution = true;
    }
    LH_TRY(lh_p_expect_kw(p, "INTO"));
    LH_TRY(lh_p_name(p, &m->target));
    LH_TRY(lh_p_alias(p, &m->target_alias, true));
    LH_TRY(lh_p_expect_kw(p, "USING"));
    LH_TRY(lh_p_relation(p, &m->source));
    LH_TRY(lh_p_expect_kw(p, "ON"));
    LH_TRY(lh_p_expr(p, &m->on));
    if (!lh_p_is_kw(p, 0, "WHEN"))
        return lh_p_fail(p);
    while (lh_p_is_kw(p, 0, "WHEN")) {
        lh_ast_merge_when_t w;
        LH_TRY(merge_when(p, &w));
        PUSH(p, m->whens, m->when_count, w);
    }
    return LH_OK;
}

/* [[AS] alias] before SET / WHERE */
static lh_err dml_alias(parser_t *p, lh_ast_stmt_t *s)
{
    if (lh_p_is_kw(p, 0, "SET") && !lh_p_is_op(p, 1, "="))
        return LH_OK;
    return lh_p_alias(p, &s->alias, true);
}

static lh_err update(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++; /* UPDATE */
    LH_TRY(lh_p_name(p, &s->name));
    LH_TRY(dml_alias(p, s));
    LH_TRY(lh_p_expect_kw(p, "SET"));
    LH_TRY(assignments(p, &s->sets, &s->set_count));
    if (lh_p_accept_kw(p, "WHERE"))
        LH_TRY(lh_p_expr(p, &s->where));
    return LH_OK;
}

static lh_err delete_(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++; /* DELETE */
    LH_TRY(lh_p_expect_kw(p, "FROM"));
    LH_TRY(lh_p_name(p, &s->name));
    LH_TRY(dml_alias(p, s));
    if (lh_p_accept_kw(p, "WHERE"))
        LH_TRY(lh_p_expr(p, &s->where));
    return LH_OK;
}

static lh_err copy_into(parser_t *p, lh_ast_stmt_t *s)
{
    lh_ast_copy_t *c = lh_arena_calloc(p->arena, 1, sizeof *c);
    s->copy = c;
    p->pos += 2; /* COPY INTO */
    LH_TRY(lh_p_name(p, &c->table));
    LH_TRY(lh_p_expect_kw(p, "FROM"));
    if (lh_p_accept_op(p, "(")) { /* (SELECT .. FROM 'path' ..) */
        uint32_t first = p->pos;
        p->copy = c;
        lh_err e = lh_p_query(p, &c->query);
        p->copy = NULL;
        LH_TRY(e);
        lh_ast_span_t qs = lh_p_span(p, first);
        c->select_text = lh_p_text(p, qs);
        c->path_start -= qs.start; /* offsets into select_text */
        c->path_stop -= qs.start;
        if (c->source == NULL)
            return lh_p_fail_at(p, first); /* its FROM must name the source path */
        LH_TRY(lh_p_expect_op(p, ")"));
    } else {
        LH_TRY(lh_p_string(p, &c->source));
    }
    LH_TRY(lh_p_expect_kw(p, "FILEFORMAT"));
    LH_TRY(lh_p_expect_op(p, "="));
    lh_ast_ident_t f;
    LH_TRY(lh_p_ident(p, &f));
    c->format = f.text;
    for (;;) {
        if (lh_p_accept_kw(p, "FILES")) {
            LH_TRY(lh_p_expect_op(p, "="));
            LH_TRY(lh_p_expect_op(p, "("));
            do {
                const char *name;
                LH_TRY(lh_p_string(p, &name));
                const char **files =
                    lh_arena_calloc(p->arena, (size_t)c->file_count + 1, sizeof *files);
                if (c->file_count)
                    memcpy(files, c->files, (size_t)c->file_count * sizeof *files);
                files[c->file_count++] = name;
                c->files = files;
            } while (lh_p_accept_op(p, ","));
            LH_TRY(lh_p_expect_op(p, ")"));
        } else if (lh_p_accept_kw(p, "PATTERN")) {
            LH_TRY(lh_p_expect_op(p, "="));
            LH_TRY(lh_p_string(p, &c->pattern));
        } else if (lh_p_accept_kw(p, "FORMAT_OPTIONS")) {
            LH_TRY(lh_p_props(p, &c->format_options));
        } else if (lh_p_accept_kw(p, "COPY_OPTIONS")) {
            LH_TRY(lh_p_props(p, &c->copy_options));
        } else {
            return LH_OK;
        }
    }
}

lh_err lh_p_dml(parser_t *p, lh_ast_stmt_t **out)
{
    uint32_t first = p->pos;
    *out = NULL;
    if (lh_p_is_kw(p, 0, "INSERT")) {
        *out = lh_p_new_stmt(p, LH_ST_INSERT, first);
        return insert(p, *out);
    }
    if (lh_p_is_kw(p, 0, "COPY") && lh_p_is_kw(p, 1, "INTO")) {
        *out = lh_p_new_stmt(p, LH_ST_COPY_INTO, first);
        return copy_into(p, *out);
    }
    if (lh_p_is_kw(p, 0, "MERGE")) {
        *out = lh_p_new_stmt(p, LH_ST_MERGE, first);
        return merge(p, *out);
    }
    if (lh_p_is_kw(p, 0, "UPDATE")) {
        *out = lh_p_new_stmt(p, LH_ST_UPDATE, first);
        return update(p, *out);
    }
    if (lh_p_is_kw(p, 0, "DELETE")) {
        *out = lh_p_new_stmt(p, LH_ST_DELETE, first);
        return delete_(p, *out);
    }
    return LH_OK;
}
