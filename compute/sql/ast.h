/*
 * ast.h - the syntax tree of Spark SQL statements: the contract between the parser and
 * the binder.
 *
 * Conventions (every node):
 *   - allocated in the arena given to lh_sql_parse; nothing is freed on its own;
 *   - `span` is the node's source range [start, stop) in bytes of the statement text, so
 *     an error can quote the fragment (Spark's queryContext: startIndex = start,
 *     stopIndex = stop - 1);
 *   - lists are {items, count} arrays (count 0 and items NULL when absent);
 *   - optional children are NULL when absent; flags default to false;
 *   - identifiers keep their text as written (unquoted case preserved) and `quoted`
 *     (backquotes): Spark compares names case-insensitively either way;
 *   - literals keep their source text and kind, never a converted value, so the binder
 *     computes types (DECIMAL precision, out-of-range checks) from the text;
 *   - the parser does no name resolution and no typing: `a.b.c` is a column reference
 *     with three parts, whatever it resolves to.
 * lh_ast_format (format.h) prints any node back as canonical SQL.
 */
#ifndef LH_COMPUTE_SQL_AST_H
#define LH_COMPUTE_SQL_AST_H

#include <stdbool.h>
#include <stdint.h>

typedef struct lh_ast_span {
    uint32_t start, stop; /* byte offsets, stop exclusive */
} lh_ast_span_t;

typedef struct lh_ast_ident {
    const char *text; /* unescaped */
    bool quoted;      /* written with backquotes */
    lh_ast_span_t span;
} lh_ast_ident_t;

/* A dotted name: a.b.c (1..n parts). */
typedef struct lh_ast_name {
    lh_ast_ident_t *parts;
    int count;
    lh_ast_span_t span;
} lh_ast_name_t;

typedef struct lh_ast_expr lh_ast_expr_t;
typedef struct lh_ast_query lh_ast_query_t;
typedef struct lh_ast_rel lh_ast_rel_t;
typedef struct lh_ast_type lh_ast_type_t;
typedef struct lh_ast_window lh_ast_window_t;

typedef struct lh_ast_exprs {
    lh_ast_expr_t **items;
    int count;
} lh_ast_exprs_t;

typedef struct lh_ast_idents {
    lh_ast_ident_t *items;
    int count;
} lh_ast_idents_t;

/* ---- types --------------------------------------------------------------------------- */

typedef struct lh_ast_field {
    lh_ast_ident_t name;
    lh_ast_type_t *type;
    bool not_null;
    const char *comment; /* NULL when absent */
} lh_ast_field_t;

/* A type name: INT, DECIMAL(10,2), ARRAY<INT>, MAP<STRING,INT>, STRUCT<a: INT, b STRING>,
 * INTERVAL DAY TO SECOND, VARCHAR(10). `name` is upper-cased (ARRAY, MAP, STRUCT, INTERVAL
 * and every scalar name as written: INT/INTEGER, LONG/BIGINT... the binder maps synonyms). */
struct lh_ast_type {
    const char *name;
    int params[2]; /* DECIMAL(p,s), VARCHAR(n), CHAR(n) */
    int param_count;
    lh_ast_type_t *elem;    /* ARRAY element, MAP key */
    lh_ast_type_t *value;   /* MAP value */
    lh_ast_field_t *fields; /* STRUCT fields */
    int field_count;
    const char *from_unit, *to_unit; /* INTERVAL qualifiers (upper case), NULL if absent */
    lh_ast_span_t span;
};

/* ---- expressions --------------------------------------------------------------------- */

typedef enum lh_ast_expr_kind {
    LH_EX_LITERAL,   /* lit */
    LH_EX_INTERVAL,  /* interval */
    LH_EX_COLUMN,    /* name: a, t.a, cat.db.t.a, s.field (unresolved dotted name) */
    LH_EX_STAR,      /* star: *, t.*, * EXCEPT (a, b) */
    LH_EX_PARAM,     /* param: :name or ? */
    LH_EX_UNARY,     /* op, args[0] */
    LH_EX_BINARY,    /* op, args[0], args[1] */
    LH_EX_IS,        /* is_what, negated, args[0] (IS [NOT] NULL/TRUE/FALSE/UNKNOWN) */
    LH_EX_IN,        /* negated, args[0] = value, args[1..] = list */
    LH_EX_IN_QUERY,  /* negated, args = value(s) (a (a,b) row is a LH_EX_ROW), query */
    LH_EX_BETWEEN,   /* negated, args[0] BETWEEN args[1] AND args[2] */
    LH_EX_LIKE,      /* like: op, negated, args[0] = value, args[1] = pattern (or the
                        ANY/ALL list in args[1..] when quantifier), escape */
    LH_EX_CASE,      /* case_: operand (NULL for searched), whens/thens, else */
    LH_EX_CAST,      /* cast: args[0], type, style (CAST, TRY_CAST, ::) */
    LH_EX_EXTRACT,   /* ident = field, args[0] = source */
    LH_EX_FUNC,      /* func: name (1..n parts), args (NAMED_ARG / LAMBDA among them);
                        CURRENT_DATE, CURRENT_TIMESTAMP, CURRENT_USER... without parentheses
                        are FUNCs with no args */
    LH_EX_NAMED_ARG, /* ident => args[0] */
    LH_EX_LAMBDA,    /* lambda params (idents), args[0] = body */
    LH_EX_SUBSCRIPT, /* args[0][args[1]] */
    LH_EX_FIELD,     /* args[0].ident (field of a non-name expression) */
    LH_EX_JSON_PATH, /* args[0]:path, path text in str (e.g. "a.b[0]") */
    LH_EX_SUBQUERY,  /* scalar subquery: query */
    LH_EX_EXISTS,    /* EXISTS (query) (NOT EXISTS is NOT over it) */
    LH_EX_ROW,       /* (a, b, ...): args (a struct, as Spark's CreateStruct) */
    LH_EX_COLLATE,   /* args[0] COLLATE ident */
    LH_EX_ALIAS,     /* args[0] AS ident: a named field in STRUCT(a AS x, ..) or a row
                        (a AS x, b) */
} lh_ast_expr_kind_t;

typedef enum lh_ast_op {
    LH_OP_NONE = 0,
    /* unary */
    LH_OP_NEG,
    LH_OP_PLUS,
    LH_OP_NOT,
    LH_OP_BITNOT,
    /* binary arithmetic */
    LH_OP_ADD,
    LH_OP_SUB,
    LH_OP_MUL,
    LH_OP_DIV,
    LH_OP_MOD,
    LH_OP_IDIV /* div */,
    LH_OP_CONCAT /* || */,
    LH_OP_BITAND,
    LH_OP_BITOR,
    LH_OP_BITXOR,
    LH_OP_SHL,
    LH_OP_SHR,
    LH_OP_USHR,
    /* comparison */
    LH_OP_EQ /* = */,
    LH_OP_EQ2 /* == */,
    LH_OP_NE /* <> */,
    LH_OP_NE2 /* != */,
    LH_OP_LT,
    LH_OP_LE,
    LH_OP_GT,
    LH_OP_GE,
    LH_OP_NSEQ /* <=> */,
    LH_OP_DISTINCT /* IS DISTINCT FROM */,
    LH_OP_NOT_DISTINCT /* IS NOT DISTINCT FROM */,
    /* logical */
    LH_OP_AND,
    LH_OP_OR,
    /* LIKE family (LH_EX_LIKE.op) */
    LH_OP_LIKE,
    LH_OP_ILIKE,
    LH_OP_RLIKE,
    LH_OP_REGEXP,
    LH_OP__COUNT
} lh_ast_op_t;

typedef enum lh_ast_lit_kind {
    LH_LIT_NULL,
    LH_LIT_BOOL,   /* text "true"/"false" (lower case) */
    LH_LIT_NUMBER, /* text as written (a folded minus included), num = lh_num_kind_t */
    LH_LIT_STRING, /* str = value (adjacent literals concatenated), text = source */
    LH_LIT_BINARY, /* X'..': str = hex digits */
    LH_LIT_TYPED,  /* DATE/TIMESTAMP/TIMESTAMP_NTZ/TIMESTAMP_LTZ 'str': type_name */
} lh_ast_lit_kind_t;

typedef enum lh_ast_is_what {
    LH_IS_NULL,
    LH_IS_TRUE,
    LH_IS_FALSE,
    LH_IS_UNKNOWN,
} lh_ast_is_what_t;

typedef enum lh_ast_cast_style {
    LH_CAST_CAST,
    LH_CAST_TRY,
    LH_CAST_COLONS,
} lh_ast_cast_style_t;

typedef enum lh_ast_quant {
    LH_QUANT_NONE,
    LH_QUANT_ANY,
    LH_QUANT_SOME,
    LH_QUANT_ALL,
} lh_ast_quant_t;

typedef enum lh_ast_nulls {
    LH_NULLS_DEFAULT,
    LH_NULLS_IGNORE,
    LH_NULLS_RESPECT,
} lh_ast_nulls_t;

typedef enum lh_ast_trim {
    LH_TRIM_NONE,
    LH_TRIM_BOTH,
    LH_TRIM_LEADING,
    LH_TRIM_TRAILING,
} lh_ast_trim_t;

typedef struct lh_ast_sort_item {
    lh_ast_expr_t *expr;
    bool desc;        /* DESC written */
    bool asc_written; /* ASC written (keeps the text canonical) */
    int nulls;        /* 0 default, 1 NULLS FIRST, 2 NULLS LAST */
} lh_ast_sort_item_t;

typedef struct lh_ast_sort {
    lh_ast_sort_item_t *items;
    int count;
} lh_ast_sort_t;

typedef enum lh_ast_frame_bound_kind {
    LH_BOUND_NONE = 0,
    LH_BOUND_UNBOUNDED_PRECEDING,
    LH_BOUND_PRECEDING, /* expr PRECEDING */
    LH_BOUND_CURRENT_ROW,
    LH_BOUND_FOLLOWING, /* expr FOLLOWING */
    LH_BOUND_UNBOUNDED_FOLLOWING,
} lh_ast_frame_bound_kind_t;

typedef struct lh_ast_frame_bound {
    lh_ast_frame_bound_kind_t kind;
    lh_ast_expr_t *offset;
} lh_ast_frame_bound_t;

/* OVER (...) or WINDOW w AS (...). */
struct lh_ast_window {
    lh_ast_ident_t *base;            /* OVER (w ...) / WINDOW x AS (w ...) refinement, or NULL */
    lh_ast_exprs_t partition;        /* PARTITION BY / DISTRIBUTE BY */
    lh_ast_sort_t order;             /* ORDER BY / SORT BY */
    int frame;                       /* 0 none, 1 ROWS, 2 RANGE */
    lh_ast_frame_bound_t start, end; /* end.kind NONE for "ROWS start" */
    lh_ast_span_t span;
};

struct lh_ast_expr {
    lh_ast_expr_kind_t kind;
    lh_ast_span_t span;
    lh_ast_op_t op;
    bool negated;
    lh_ast_exprs_t args;
    lh_ast_ident_t ident;  /* NAMED_ARG name, FIELD field, EXTRACT field, COLLATE name */
    lh_ast_name_t name;    /* COLUMN, FUNC, STAR qualifier (count 0 for bare *) */
    const char *str;       /* JSON_PATH path; PARAM name (NULL for ?) */
    lh_ast_query_t *query; /* IN_QUERY, SUBQUERY, EXISTS */
    union {
        struct {
            lh_ast_lit_kind_t kind;
            const char *text; /* source text; numbers: digits and suffix, with a leading '-'
                                 when a minus sign was folded in (-128Y is one literal,
                                 as in Spark) */
            const char *str;  /* STRING/TYPED/BINARY: the decoded value */
            uint32_t str_len;
            int num;               /* lh_num_kind_t for NUMBER */
            const char *type_name; /* TYPED: DATE, TIMESTAMP, TIMESTAMP_NTZ, TIMESTAMP_LTZ */
        } lit;
        struct {
            /* INTERVAL 'v' [unit [TO unit]] or INTERVAL v unit v unit ...: values[i] is a
             * literal (string or number; a minus before a number is folded into it, before
             * a string it is an LH_EX_UNARY NEG) and units[i] its unit, upper case as written
             * (YEAR(S) MONTH(S) WEEK(S) DAY(S) HOUR(S) MINUTE(S) SECOND(S) MILLISECOND(S)
             * MICROSECOND(S) NANOSECOND(S)). A lone string without unit ('1 day 2 hours') has
             * count 1 and units[0] NULL. to_unit is set for 'v' X TO Y (count 1). */
            lh_ast_expr_t **values;
            const char **units;
            int count;
            const char *to_unit;
        } interval;
        struct {
            lh_ast_name_t *except_names; /* * EXCEPT (a, b.c): dotted names */
            int except_count;
        } star;
        struct {
            int index; /* ? markers: 0-based position in the statement */
        } param;
        struct {
            lh_ast_is_what_t what;
        } is;
        struct {
            lh_ast_quant_t quant;
            lh_ast_expr_t *escape; /* ESCAPE 'c' (a string literal) or NULL */
        } like;
        struct {
            lh_ast_expr_t *operand;
            lh_ast_exprs_t whens, thens;
            lh_ast_expr_t *else_;
        } case_;
        struct {
            lh_ast_type_t *type;
            lh_ast_cast_style_t style;
        } cast;
        struct {
            bool distinct;              /* f(DISTINCT ..) */
            bool all;                   /* f(ALL ..) */
            bool star;                  /* count(*) */
            lh_ast_expr_t *filter;      /* FILTER (WHERE ..) */
            lh_ast_sort_t within_group; /* WITHIN GROUP (ORDER BY ..) */
            lh_ast_nulls_t nulls;       /* IGNORE/RESPECT NULLS after the call */
            bool nulls_inside;          /* written inside the parens: f(x IGNORE NULLS) */
            lh_ast_window_t *over;      /* OVER (...) */
            lh_ast_ident_t *over_name;  /* OVER w */
            lh_ast_trim_t trim;         /* TRIM(BOTH|LEADING|TRAILING [x] FROM y):
                                           args[0] = y (source), args[1] = x if given */
            bool from_syntax; /* TRIM(.. FROM ..), SUBSTRING(x FROM a FOR b), POSITION(a IN b),
                                 OVERLAY(a PLACING b FROM c FOR d): args in call order */
            bool bare;        /* CURRENT_DATE etc. without parentheses: a column of that name, when
                                 there is one, comes first */
        } func;
        struct {
            lh_ast_idents_t params;
            bool parens; /* (x) -> .. */
        } lambda;
    } u;
};

/* ---- relations (FROM) ---------------------------------------------------------------- */

typedef enum lh_ast_rel_kind {
    LH_REL_TABLE,   /* name (1..3 parts; path tables: delta.`/p` is a 2-part name) */
    LH_REL_FUNC,    /* table-valued function: call (an LH_EX_FUNC) */
    LH_REL_QUERY,   /* (subquery) [LATERAL] */
    LH_REL_VALUES,  /* VALUES (..), (..) */
    LH_REL_JOIN,    /* left, right, join */
    LH_REL_PIVOT,   /* left = source, pivot */
    LH_REL_UNPIVOT, /* left = source, unpivot */
} lh_ast_rel_kind_t;

typedef enum lh_ast_join_kind {
    LH_JOIN_INNER,
    LH_JOIN_CROSS,
    LH_JOIN_LEFT,
    LH_JOIN_RIGHT,
    LH_JOIN_FULL,
    LH_JOIN_LEFT_SEMI,
    LH_JOIN_LEFT_ANTI,
    LH_JOIN_COMMA /* FROM a, b */,
} lh_ast_join_kind_t;

typedef struct lh_ast_named_expr {
    lh_ast_expr_t *expr;
    lh_ast_ident_t *alias;   /* AS x, or NULL */
    lh_ast_idents_t aliases; /* AS (x, y) for generators */
    bool as_written;
} lh_ast_named_expr_t;

typedef struct lh_ast_named_exprs {
    lh_ast_named_expr_t *items;
    int count;
} lh_ast_named_exprs_t;

typedef struct lh_ast_sample {
    int kind; /* 1 PERCENT, 2 ROWS, 3 BUCKET x OUT OF y, 4 byte length (e.g. 100M) */
    lh_ast_expr_t *value, *value2; /* value2: BUCKET's y */
    lh_ast_expr_t *on;             /* BUCKET .. ON expr */
    lh_ast_expr_t *repeatable;     /* REPEATABLE (seed) */
} lh_ast_sample_t;

typedef struct lh_ast_time_travel {
    int kind; /* 1 VERSION AS OF, 2 TIMESTAMP AS OF, 3 @v<n> (version), 4 @yyyyMMdd... */
    lh_ast_expr_t *value;
    const char *at_text; /* kind 3/4: the text after @ */
} lh_ast_time_travel_t;

struct lh_ast_rel {
    lh_ast_rel_kind_t kind;
    lh_ast_span_t span;
    lh_ast_name_t name;    /* TABLE */
    lh_ast_expr_t *call;   /* FUNC */
    lh_ast_query_t *query; /* QUERY */
    bool lateral;          /* LATERAL (subquery) / LATERAL f(..) */
    lh_ast_exprs_t *rows;  /* VALUES: rows[i] is one row (exprs) */
    int row_count;
    lh_ast_ident_t *alias;        /* [AS] alias, or NULL */
    lh_ast_idents_t col_aliases;  /* alias(c1, c2) */
    lh_ast_time_travel_t *travel; /* TABLE time travel, or NULL */
    lh_ast_sample_t *sample;      /* TABLESAMPLE, or NULL */
    lh_ast_rel_t *left, *right;   /* JOIN; PIVOT/UNPIVOT source in left */
    struct {
        lh_ast_join_kind_t kind;
        bool natural;
        bool outer_written; /* LEFT OUTER JOIN */
        lh_ast_expr_t *on;
        lh_ast_idents_t using_;
    } join;
    struct {
        lh_ast_named_exprs_t aggs;   /* PIVOT (sum(x) AS s, ...) */
        lh_ast_exprs_t columns;      /* FOR a or FOR (a, b) */
        lh_ast_named_exprs_t values; /* IN (v [AS x], (v1, v2) [AS y]) */
    } pivot;
    struct {
        int nulls;                     /* 0 default, 1 INCLUDE NULLS, 2 EXCLUDE NULLS */
        lh_ast_idents_t value_columns; /* UNPIVOT (v FOR ..) or ((v1, v2) FOR ..) */
        lh_ast_ident_t name_column;
        lh_ast_exprs_t *in_columns;  /* IN (a, (b, c) ..): one or more LH_EX_COLUMN each */
        lh_ast_ident_t **in_aliases; /* alias per IN item, or NULL */
        int in_count;
    } unpivot;
};

/* ---- queries ------------------------------------------------------------------------- */

typedef enum lh_ast_group_kind {
    LH_GROUP_EXPR,   /* expr (an ordinal is a LIT NUMBER) */
    LH_GROUP_ROLLUP, /* ROLLUP (sets[0..]) each set one expr list */
    LH_GROUP_CUBE,
    LH_GROUP_GROUPING_SETS, /* GROUPING SETS ((a, b), a, ()) */
} lh_ast_group_kind_t;

typedef struct lh_ast_group_item lh_ast_group_item_t;

/* One element of ROLLUP/CUBE/GROUPING SETS: a list of expressions ("(a, b)", "a", "()"),
 * or, inside GROUPING SETS, a nested ROLLUP/CUBE/GROUPING SETS (nested != NULL). */
typedef struct lh_ast_grouping_set {
    lh_ast_exprs_t exprs;
    lh_ast_group_item_t *nested;
} lh_ast_grouping_set_t;

struct lh_ast_group_item {
    lh_ast_group_kind_t kind;
    lh_ast_expr_t *expr;         /* EXPR */
    lh_ast_grouping_set_t *sets; /* ROLLUP/CUBE/GROUPING SETS elements */
    int set_count;
};

typedef struct lh_ast_group_by {
    bool present;
    bool all; /* GROUP BY ALL */
    int with; /* 0, 1 WITH ROLLUP, 2 WITH CUBE (trailing modifier) */
    lh_ast_group_item_t *items;
    int count;
} lh_ast_group_by_t;

typedef struct lh_ast_lateral_view {
    bool outer;
    lh_ast_expr_t *call;   /* LH_EX_FUNC */
    lh_ast_ident_t *table; /* the view's name, or NULL */
    lh_ast_idents_t columns;
} lh_ast_lateral_view_t;

typedef struct lh_ast_named_window {
    lh_ast_ident_t name;
    lh_ast_window_t *spec;
} lh_ast_named_window_t;

typedef struct lh_ast_select {
    bool distinct, all_written;
    lh_ast_named_exprs_t items;
    lh_ast_rel_t *from; /* comma lists become LH_JOIN_COMMA joins; NULL without FROM */
    lh_ast_lateral_view_t *laterals;
    int lateral_count;
    lh_ast_expr_t *where;
    lh_ast_group_by_t group_by;
    lh_ast_expr_t *having;
    lh_ast_named_window_t *windows;
    int window_count;
    lh_ast_expr_t *qualify;
} lh_ast_select_t;

typedef enum lh_ast_query_kind {
    LH_Q_SELECT, /* select */
    LH_Q_SETOP,  /* left setop right */
    LH_Q_VALUES, /* VALUES rows as a query */
    LH_Q_TABLE,  /* TABLE name */
    LH_Q_PAREN,  /* ( inner ) with its own ORDER BY/LIMIT/CTEs */
} lh_ast_query_kind_t;

typedef enum lh_ast_setop {
    LH_SET_UNION,
    LH_SET_INTERSECT,
    LH_SET_EXCEPT,
    LH_SET_MINUS,
} lh_ast_setop_t;

typedef struct lh_ast_cte {
    lh_ast_ident_t name;
    lh_ast_idents_t columns;
    lh_ast_query_t *query;
} lh_ast_cte_t;

struct lh_ast_query {
    lh_ast_query_kind_t kind;
    lh_ast_span_t span;
    /* WITH [RECURSIVE] (on any query level that had one) */
    bool recursive;
    lh_ast_cte_t *ctes;
    int cte_count;
    lh_ast_select_t *select;              /* SELECT */
    lh_ast_query_t *left, *right, *inner; /* SETOP: left/right; PAREN: inner */
    lh_ast_setop_t setop;
    int set_quant;        /* 0 none, 1 ALL, 2 DISTINCT */
    lh_ast_exprs_t *rows; /* VALUES */
    int row_count;
    lh_ast_ident_t *values_alias; /* VALUES (..) [AS] t(a, b) at query level, or NULL */
    lh_ast_idents_t values_columns;
    lh_ast_name_t table; /* TABLE */
    /* query organization: applies to the whole query at this level */
    lh_ast_sort_t order_by;
    lh_ast_sort_t sort_by;
    lh_ast_exprs_t cluster_by, distribute_by;
    lh_ast_expr_t *limit; /* NULL; limit_all for LIMIT ALL */
    bool limit_all;
    lh_ast_expr_t *offset;
};

/* ---- statements ---------------------------------------------------------------------- */

typedef enum lh_ast_stmt_kind {
    LH_ST_QUERY,           /* query */
    LH_ST_INSERT,          /* insert */
    LH_ST_MERGE,           /* merge */
    LH_ST_UPDATE,          /* name, alias, sets, where */
    LH_ST_DELETE,          /* name, alias, where */
    LH_ST_CREATE_CATALOG,  /* name, if_not_exists, comment, props (OPTIONS) */
    LH_ST_CREATE_SCHEMA,   /* name, if_not_exists, comment, location, props */
    LH_ST_CREATE_TABLE,    /* table (table->query for CTAS), name (= table->name), or_replace
                              (also REPLACE TABLE), if_not_exists, temporary */
    LH_ST_CREATE_VIEW,     /* name, view_columns (+ view_column_comments), query, text (the
                              query as written), or_replace, temporary, global, if_not_exists,
                              comment, props (TBLPROPERTIES); a view over files (USING csv
                              OPTIONS (path ..)) has table (using_, options) and no query */
    LH_ST_CREATE_FUNCTION, /* func, name (= func->name), or_replace, temporary, if_not_exists */
    LH_ST_DROP,            /* object (TABLE VIEW SCHEMA DATABASE CATALOG FUNCTION VOLUME), name,
                              if_exists, cascade, temporary */
    LH_ST_TRUNCATE,        /* name, props (PARTITION (k = v, ..)) */
    LH_ST_ALTER_TABLE,     /* alter, name (object: TABLE or VIEW) */
    LH_ST_COMMENT_ON,      /* object, name, comment (NULL for IS NULL) */
    LH_ST_USE,             /* object (NONE, CATALOG, SCHEMA, DATABASE), name (USE 'x': one
                              quoted part) */
    LH_ST_SET,             /* key (NULL: SET alone), value (NULL: SET key), text: the raw
                              text after SET, as Spark's SetCommand (keys/values unparsed);
                              SET TIME ZONE 'z' | LOCAL | INTERVAL ..: key
                              "spark.sql.session.timeZone", value the zone (NULL for LOCAL) */
    LH_ST_RESET,           /* key (NULL: RESET alone) */
    LH_ST_DESCRIBE,        /* describe_what, name, extended/formatted; TABLE: props
                              (PARTITION), column (DESCRIBE t col); QUERY: query; HISTORY:
                              where = the LIMIT count */
    LH_ST_SHOW,            /* show_what, show_all (SHOW ALL FUNCTIONS; key "USER", "SYSTEM" or
                              "ALL" as written, NULL when none), name (IN/FROM, or the
                              table of COLUMNS/TBLPROPERTIES/CREATE TABLE/PARTITIONS), pattern
                              (LIKE 'x'; TBLPROPERTIES t ('key'): the key), column (COLUMNS
                              IN t IN schema: the schema) */
    LH_ST_RESTORE,         /* name, travel */
    LH_ST_OPTIMIZE,        /* name or location ('path'), where, zorder */
    LH_ST_VACUUM,          /* name or location ('path'), retain_hours (expr), dry_run */
    LH_ST_CACHE,           /* CACHE SELECT: query; CACHE [LAZY] TABLE name [OPTIONS]
                              [AS query]: name, extended (LAZY), props, query */
    LH_ST_UNCACHE,         /* name, if_exists */
    LH_ST_CLEAR_CACHE,
    LH_ST_REFRESH,           /* object (TABLE/FUNCTION), name; REFRESH 'path': location */
    LH_ST_ANALYZE,           /* name; text = the rest (COMPUTE STATISTICS ..), unparsed */
    LH_ST_EXPLAIN,           /* explain_mode, inner (the explained statement) */
    LH_ST_DECLARE_VAR,       /* DECLARE [OR REPLACE] [VARIABLE] name [type] [DEFAULT | = expr]:
                                name, or_replace, var_type, var_default */
    LH_ST_SET_VAR,           /* SET VAR[IABLE] a = x, b = DEFAULT: var_names, var_values (NULL:
                                DEFAULT); SET VAR (a, b) = (query): var_names, query */
    LH_ST_EXECUTE_IMMEDIATE, /* EXECUTE IMMEDIATE sql [INTO a, b] [USING x [AS n], ..]:
                                exec_sql, var_names (INTO), exec_args (USING) */
    LH_ST_COPY_INTO,         /* COPY INTO t FROM 'path' FILEFORMAT = f ..: copy */
    LH_ST_REPAIR,            /* [MSCK] REPAIR TABLE name [ADD|DROP|SYNC PARTITIONS | SYNC
                                METADATA]: name, key (the option as written, upper case) */
} lh_ast_stmt_kind_t;

/* Object words of DROP, COMMENT ON, USE, DESCRIBE, REFRESH. */
typedef enum lh_ast_object {
    LH_OBJ_NONE = 0,
    LH_OBJ_TABLE,
    LH_OBJ_VIEW,
    LH_OBJ_SCHEMA,
    LH_OBJ_DATABASE,
    LH_OBJ_CATALOG,
    LH_OBJ_FUNCTION,
    LH_OBJ_COLUMN,
    LH_OBJ_VOLUME,
    LH_OBJ_QUERY,
    LH_OBJ_VARIABLE, /* DROP TEMPORARY VARIABLE */
} lh_ast_object_t;

typedef struct lh_ast_prop {
    const char *key;      /* 'a.b' or a.b as written (unquoted) */
    lh_ast_expr_t *value; /* literal, or NULL (UNSET / key only) */
} lh_ast_prop_t;

typedef struct lh_ast_props {
    lh_ast_prop_t *items;
    int count;
} lh_ast_props_t;

typedef struct lh_ast_column_def {
    lh_ast_ident_t name;
    lh_ast_type_t *type;
    bool not_null;
    const char *comment;
    lh_ast_expr_t *generated;   /* GENERATED ALWAYS AS (expr) */
    const char *generated_text; /* its source text, for storing */
    bool identity;              /* GENERATED {ALWAYS|BY DEFAULT} AS IDENTITY [(..)] */
    bool identity_by_default;
    lh_ast_expr_t *identity_start, *identity_step;
    lh_ast_expr_t *default_; /* DEFAULT expr */
    const char *default_text;
    lh_ast_span_t span;
} lh_ast_column_def_t;

typedef enum lh_ast_constraint_kind {
    LH_CONS_PRIMARY_KEY,
    LH_CONS_FOREIGN_KEY,
    LH_CONS_CHECK,
    LH_CONS_UNIQUE,
} lh_ast_constraint_kind_t;

typedef struct lh_ast_constraint {
    lh_ast_constraint_kind_t kind;
    lh_ast_ident_t *name;    /* CONSTRAINT name, or NULL */
    lh_ast_idents_t columns; /* PRIMARY KEY / FOREIGN KEY / UNIQUE columns */
    lh_ast_name_t ref_table; /* FOREIGN KEY .. REFERENCES t (cols) */
    lh_ast_idents_t ref_columns;
    lh_ast_expr_t *check;   /* CHECK (expr) */
    const char *check_text; /* its source text */
    const char *options;    /* trailing constraint options as written (RELY, NOT ENFORCED..) */
} lh_ast_constraint_t;

typedef struct lh_ast_create_table {
    lh_ast_name_t name;
    lh_ast_column_def_t *columns;
    int column_count;
    lh_ast_constraint_t *constraints;
    int constraint_count;
    const char *using_;                  /* USING delta|parquet|..., as written, or NULL */
    lh_ast_idents_t partitioned_by;      /* PARTITIONED BY (a, b) */
    lh_ast_column_def_t *partition_defs; /* PARTITIONED BY (a INT, ..): typed form */
    int partition_def_count;
    lh_ast_idents_t cluster_by; /* CLUSTER BY (a, b) */
    bool cluster_by_auto;       /* CLUSTER BY AUTO */
    bool cluster_by_none;       /* CLUSTER BY NONE */
    const char *comment;
    lh_ast_props_t tblproperties;
    lh_ast_props_t options; /* OPTIONS (k = v) */
    const char *location;
    lh_ast_query_t *query; /* CTAS, or NULL */
    bool like;             /* CREATE TABLE x LIKE y */
    lh_ast_name_t like_name;
} lh_ast_create_table_t;

typedef struct lh_ast_insert {
    bool overwrite;
    bool table_written; /* INSERT INTO TABLE t */
    lh_ast_name_t table;
    lh_ast_props_t partition; /* PARTITION (a = 1, b): value NULL for dynamic */
    bool if_not_exists;
    lh_ast_idents_t columns;      /* (a, b) or empty */
    bool by_name;                 /* INSERT INTO t BY NAME */
    lh_ast_expr_t *replace_where; /* INSERT INTO t REPLACE WHERE cond */
    lh_ast_query_t *query;        /* SELECT, VALUES or TABLE */
} lh_ast_insert_t;

typedef struct lh_ast_assign {
    lh_ast_name_t column; /* a or t.a or a.b.c */
    lh_ast_expr_t *value; /* NULL for DEFAULT */
} lh_ast_assign_t;

typedef enum lh_ast_merge_when_kind {
    LH_MERGE_MATCHED,
    LH_MERGE_NOT_MATCHED /* [BY TARGET] */,
    LH_MERGE_NOT_MATCHED_BY_SOURCE,
} lh_ast_merge_when_kind_t;

typedef enum lh_ast_merge_action {
    LH_MERGE_UPDATE_STAR,
    LH_MERGE_UPDATE,
    LH_MERGE_DELETE,
    LH_MERGE_INSERT_STAR,
    LH_MERGE_INSERT,
} lh_ast_merge_action_t;

typedef struct lh_ast_merge_when {
    lh_ast_merge_when_kind_t kind;
    bool by_target_written;
    lh_ast_expr_t *cond; /* AND cond, or NULL */
    lh_ast_merge_action_t action;
    lh_ast_assign_t *sets; /* UPDATE SET */
    int set_count;
    lh_ast_name_t *insert_columns; /* INSERT (cols) VALUES (vals) */
    int insert_column_count;
    lh_ast_exprs_t insert_values;
} lh_ast_merge_when_t;

typedef struct lh_ast_merge {
    lh_ast_name_t target;
    lh_ast_ident_t *target_alias;
    lh_ast_rel_t *source; /* table or subquery, with its alias */
    lh_ast_expr_t *on;
    lh_ast_merge_when_t *whens;
    int when_count;
    bool with_schema_evolution;
} lh_ast_merge_t;

typedef enum lh_ast_alter_kind {
    LH_ALTER_ADD_COLUMNS,     /* columns */
    LH_ALTER_DROP_COLUMNS,    /* names, if_exists */
    LH_ALTER_RENAME_TO,       /* new_name */
    LH_ALTER_RENAME_COLUMN,   /* column, new_column */
    LH_ALTER_ALTER_COLUMN,    /* column + change: comment/type/set_not_null/drop_not_null/
                                 default/drop_default/first/after */
    LH_ALTER_SET_PROPS,       /* props */
    LH_ALTER_UNSET_PROPS,     /* props (keys), if_exists */
    LH_ALTER_ADD_CONSTRAINT,  /* constraint */
    LH_ALTER_DROP_CONSTRAINT, /* constraint_name, if_exists, cascade */
    LH_ALTER_SET_LOCATION,    /* text */
    LH_ALTER_CLUSTER_BY,      /* names (empty for NONE) */
    LH_ALTER_OWNER,           /* text (principal) */
    LH_ALTER_ADD_PARTITION,   /* partition props; if_not_exists */
    LH_ALTER_DROP_PARTITION,  /* partition props; if_exists */
    LH_ALTER_VIEW_AS,         /* ALTER VIEW v AS query (text: the query as written) */
} lh_ast_alter_kind_t;

/* COPY INTO table FROM 'source' FILEFORMAT = format [FILES = ('a', ..) | PATTERN = 'glob']
 * [FORMAT_OPTIONS (k = v, ..)] [COPY_OPTIONS (k = v, ..)] */
typedef struct lh_ast_copy {
    lh_ast_name_t table;
    /* FROM (SELECT .. FROM 'source' ..): the query as written, and where its 'source'
     * token sits in that text (the binder puts the read_files call there); NULL when the
     * source is read whole */
    const char *select_text;
    uint32_t path_start, path_stop;
    lh_ast_query_t *query;
    const char *source;
    const char *format; /* as written */
    const char *pattern;
    const char **files;
    int file_count;
    lh_ast_props_t format_options, copy_options;
} lh_ast_copy_t;

typedef struct lh_ast_alter {
    lh_ast_alter_kind_t kind;
    lh_ast_column_def_t *columns;
    int column_count;
    lh_ast_name_t *names;
    int name_count;
    lh_ast_name_t new_name;
    lh_ast_name_t column;
    lh_ast_ident_t new_column;
    const char *comment; /* ALTER COLUMN c COMMENT '..' */
    bool comment_set;
    lh_ast_type_t *type; /* ALTER COLUMN c TYPE t */
    bool set_not_null, drop_not_null, drop_default;
    lh_ast_expr_t *default_; /* ALTER COLUMN c SET DEFAULT e */
    const char *default_text;
    bool first;            /* FIRST */
    lh_ast_ident_t *after; /* AFTER x */
    lh_ast_props_t props;
    bool if_exists, if_not_exists, cascade;
    lh_ast_constraint_t *constraint;
    lh_ast_ident_t constraint_name;
    const char *text;
    lh_ast_query_t *query;
} lh_ast_alter_t;

typedef struct lh_ast_func_param {
    lh_ast_ident_t name;
    lh_ast_type_t *type;
    lh_ast_expr_t *default_;
    const char *comment;
} lh_ast_func_param_t;

typedef struct lh_ast_create_function {
    lh_ast_name_t name;
    lh_ast_func_param_t *params;
    int param_count;
    lh_ast_type_t *returns;             /* RETURNS type, or NULL */
    lh_ast_column_def_t *returns_table; /* RETURNS TABLE (cols) */
    int returns_table_count;
    bool returns_table_written;
    const char *comment;
    bool deterministic_written, not_deterministic;
    const char *language; /* LANGUAGE SQL / PYTHON, or NULL */
    bool contains_sql_written, reads_sql_data_written;
    lh_ast_expr_t *ret;        /* RETURN expr */
    lh_ast_query_t *ret_query; /* RETURN query (table functions, scalar subquery) */
    const char *body_text;     /* the RETURN body as written */
    const char *as_text;       /* AS $$ ... $$ / AS 'class' bodies */
} lh_ast_create_function_t;

typedef enum lh_ast_show {
    LH_SHOW_CATALOGS,
    LH_SHOW_SCHEMAS,
    LH_SHOW_TABLES,
    LH_SHOW_VIEWS,
    LH_SHOW_COLUMNS,
    LH_SHOW_TBLPROPERTIES,
    LH_SHOW_CREATE_TABLE,
    LH_SHOW_FUNCTIONS,
    LH_SHOW_PARTITIONS,
    LH_SHOW_TABLE_EXTENDED,
    LH_SHOW_VOLUMES,
    LH_SHOW_CURRENT_SCHEMA,
} lh_ast_show_t;

typedef enum lh_ast_describe {
    LH_DESC_TABLE,
    LH_DESC_DETAIL,
    LH_DESC_HISTORY,
    LH_DESC_CATALOG,
    LH_DESC_SCHEMA,
    LH_DESC_QUERY,
    LH_DESC_FUNCTION,
    LH_DESC_VOLUME,
} lh_ast_describe_t;

typedef struct lh_ast_stmt lh_ast_stmt_t;

struct lh_ast_stmt {
    lh_ast_stmt_kind_t kind;
    lh_ast_span_t span;
    /* common fields (the kind's comment in lh_ast_stmt_kind_t says which apply) */
    lh_ast_name_t name;
    lh_ast_ident_t *alias;
    lh_ast_query_t *query;
    lh_ast_expr_t *where;
    lh_ast_object_t object;
    bool or_replace, if_exists, if_not_exists, temporary, global, cascade, extended, formatted,
        dry_run, show_all;
    const char *comment; /* COMMENT '..' (decoded); COMMENT ON .. IS NULL: NULL */
    const char *location;
    lh_ast_props_t props;         /* catalog/schema OPTIONS/PROPERTIES; view TBLPROPERTIES;
                                     TRUNCATE/DESCRIBE PARTITION */
    lh_ast_idents_t view_columns; /* CREATE VIEW v (a COMMENT '..', b) */
    const char **view_column_comments;
    const char *text;        /* SET: the raw text after SET (as Spark keeps it);
                                VIEW: the query text as written */
    const char *key, *value; /* SET key = value / RESET key (trimmed text) */
    lh_ast_assign_t *sets;   /* UPDATE SET */
    int set_count;
    lh_ast_time_travel_t *travel; /* RESTORE */
    lh_ast_exprs_t zorder;        /* OPTIMIZE .. ZORDER BY (..) */
    lh_ast_expr_t *retain_hours;  /* VACUUM .. RETAIN n HOURS */
    lh_ast_show_t show_what;
    const char *pattern; /* SHOW .. LIKE 'pattern' (or a bare 'pattern') */
    lh_ast_describe_t describe_what;
    lh_ast_name_t column; /* DESCRIBE t col */
    int explain_mode;     /* 0 plain, 1 EXTENDED, 2 FORMATTED, 3 CODEGEN, 4 COST */
    lh_ast_stmt_t *inner; /* EXPLAIN's statement */
    lh_ast_insert_t *insert;
    lh_ast_merge_t *merge;
    lh_ast_copy_t *copy; /* COPY INTO */
    lh_ast_create_table_t *table;
    lh_ast_alter_t *alter;
    lh_ast_create_function_t *func;
    lh_ast_type_t *var_type;    /* DECLARE: the type, or NULL (the default's) */
    lh_ast_expr_t *var_default; /* DECLARE: DEFAULT expr, or NULL */
    lh_ast_name_t *var_names;   /* SET VAR: the variables */
    lh_ast_expr_t **var_values; /* SET VAR a = x: one value each (NULL: DEFAULT) */
    int var_count;
    lh_ast_expr_t *exec_sql;        /* EXECUTE IMMEDIATE: the statement's text */
    lh_ast_named_exprs_t exec_args; /* EXECUTE IMMEDIATE .. USING x [AS name], .. */
};

typedef struct lh_ast_stmt_list {
    lh_ast_stmt_t **items;
    int count;
} lh_ast_stmt_list_t;

#endif
