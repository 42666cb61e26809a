/* test_parse_query.c - expressions and queries parse, print canonically and round-trip;
 * precedence is Spark's. */
#include "sqlt.h"

static lh_arena_t *A;

static void precedence(void)
{
    T_FMT(A, "select 1 + 2 * 3", "SELECT 1 + (2 * 3)");
    T_FMT(A, "select (1 + 2) * 3", "SELECT (1 + 2) * 3");
    T_FMT(A, "select -a * b", "SELECT (-a) * b");
    T_FMT(A, "select a = b and c or d", "SELECT ((a = b) AND c) OR d");
    T_FMT(A, "select not a = b", "SELECT NOT (a = b)");
    T_FMT(A, "select a = b is null", "SELECT (a = b) IS NULL");
    T_FMT(A, "select a | b & c ^ d", "SELECT a | ((b & c) ^ d)");
    T_FMT(A, "select a || b + c", "SELECT (a || b) + c");
    T_FMT(A, "select 7 div 2 % 3", "SELECT (7 DIV 2) % 3");
    T_FMT(A, "select a << 1 + 2", "SELECT a << (1 + 2)");
    T_FMT(A, "select a < b = c", "SELECT (a < b) = c");
    T_FMT(A, "select x::int + 1", "SELECT x::INT + 1");
    T_FMT(A, "select -x::int", "SELECT -x::INT");
    T_FMT(A, "select 1 - -1", "SELECT 1 - (-1)");
    T_FMT(A, "select a between 1 and 2 and b", "SELECT (a BETWEEN 1 AND 2) AND b");
    T_FMT(A, "select a <=> b, a == b, a != b, a <> b", "SELECT a <=> b, a == b, a != b, a <> b");
    T_FMT(A, "select a is not distinct from b, a is distinct from b",
          "SELECT a IS NOT DISTINCT FROM b, a IS DISTINCT FROM b");
}

static void literals(void)
{
    T_FMT(A, "select null, true, FALSE, 1, 1L, 1S, 1Y, 1.5, 1.5D, 2BD, 1e10, 1.5F, .5",
          "SELECT NULL, true, false, 1, 1L, 1S, 1Y, 1.5, 1.5D, 2BD, 1e10, 1.5F, .5");
    T_FMT(A, "select -128Y, - 5", "SELECT -128Y, -5");
    T_FMT(A, "select 'a' 'b' \"c\"", "SELECT 'abc'");
    T_FMT(A, "select 'it\\'s', 'x\\ny', r'\\d+'", "SELECT 'it\\'s', 'x\\ny', '\\\\d+'");
    T_FMT(A, "select X'0AFF', x '01'", "SELECT X'0AFF', X'01'");
    T_FMT(A, "select date '2020-01-01', timestamp '2020-01-01 00:00:00', timestamp_ntz 'x'",
          "SELECT DATE '2020-01-01', TIMESTAMP '2020-01-01 00:00:00', TIMESTAMP_NTZ 'x'");
    T_FMT(A, "select interval '1' day, interval '1-2' year to month, interval 30 days",
          "SELECT INTERVAL '1' DAY, INTERVAL '1-2' YEAR TO MONTH, INTERVAL 30 DAYS");
    T_FMT(A, "select interval '1 day 2 hours', interval 1 day 2 hours, interval -1 month",
          "SELECT INTERVAL '1 day 2 hours', INTERVAL 1 DAY 2 HOURS, INTERVAL -1 MONTH");
    T_FMT(A, "select current_date - interval 30 days",
          "SELECT current_date() - (INTERVAL 30 DAYS)");
    T_FMT(A, "select :p, ?, ?", "SELECT :p, ?, ?");
    T_FMT(A, "select `a``b`, `select`", "SELECT `a``b`, `select`");
    /* keywords used as names print quoted (regression: fuzz_sql) */
    T_FMT(A, "select select + a, year, `date` from from",
          "SELECT `select` + a, year, `date` FROM `from`");
    /* `x FROM FROM t`: the first FROM is x's alias (Spark's parser) */
    T_FMT(A, "select count(*) from from t", "SELECT count(*) AS `from` FROM t");
    T_FMT(A, "select left(s, 2), `cast`(x), interval - 1",
          "SELECT left(s, 2), `cast`(x), interval - 1");
    T_FMT(A, "select (`values`(0)), `distinct`(a)", "SELECT `values`(0), `distinct`(a)");
}

static void predicates(void)
{
    T_FMT(A, "select a in (1, 2), a not in (select b from t)",
          "SELECT a IN (1, 2), a NOT IN (SELECT b FROM t)");
    T_FMT(A, "select (a, b) in (select 1, 2)", "SELECT (a, b) IN (SELECT 1, 2)");
    T_FMT(A, "select a in ((select 1) + 1, 2)", "SELECT a IN ((SELECT 1) + 1, 2)");
    T_FMT(A, "select a like 'x%' escape '!', a not ilike 'y', a rlike 'z', a regexp 'w'",
          "SELECT a LIKE 'x%' ESCAPE '!', a NOT ILIKE 'y', a RLIKE 'z', a REGEXP 'w'");
    T_FMT(A, "select a like any ('a', 'b'), a not like all ('c'), a ilike some ('d')",
          "SELECT a LIKE ANY ('a', 'b'), a NOT LIKE ALL ('c'), a ILIKE SOME ('d')");
    T_FMT(A, "select a is true, a is not false, a is unknown, a is not null",
          "SELECT a IS TRUE, a IS NOT FALSE, a IS UNKNOWN, a IS NOT NULL");
    T_FMT(A, "select exists (select 1), not exists (select 2)",
          "SELECT EXISTS (SELECT 1), NOT EXISTS (SELECT 2)");
    T_FMT(A, "select (select max(x) from t)", "SELECT (SELECT max(x) FROM t)");
}

static void calls(void)
{
    T_FMT(A, "select case when a then 1 when b then 2 else 3 end, case x when 1 then 'a' end",
          "SELECT CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END, CASE x WHEN 1 THEN 'a' END");
    T_FMT(A, "select cast(a as decimal(10, 2)), try_cast(b as int), c::string",
          "SELECT CAST(a AS DECIMAL(10, 2)), TRY_CAST(b AS INT), c::STRING");
    T_FMT(A, "select cast(a as array<struct<x: int, y string not null>>)",
          "SELECT CAST(a AS ARRAY<STRUCT<x: INT, y: STRING NOT NULL>>)");
    T_FMT(A, "select cast(m as map<string, array<int>>)",
          "SELECT CAST(m AS MAP<STRING, ARRAY<INT>>)");
    T_FMT(A, "select extract(year from d), count(*), count(distinct a, b)",
          "SELECT EXTRACT(year FROM d), count(*), count(DISTINCT a, b)");
    T_FMT(A, "select sum(x) filter (where y > 0), percentile_cont(0.5) within group (order by x)",
          "SELECT sum(x) FILTER (WHERE y > 0), percentile_cont(0.5) WITHIN GROUP (ORDER BY x)");
    T_FMT(A, "select first(x) ignore nulls over (partition by a order by b desc nulls last)",
          "SELECT first(x) IGNORE NULLS OVER (PARTITION BY a ORDER BY b DESC NULLS LAST)");
    T_FMT(A, "select last(x, true) over w, first(x ignore nulls), lag(x, 1, 0) over (w)",
          "SELECT last(x, true) OVER w, first(x IGNORE NULLS), lag(x, 1, 0) OVER (w)");
    T_FMT(A,
          "select avg(x) over (order by d rows between 29 preceding and current row), "
          "sum(x) over (order by d range between interval 1 day preceding and unbounded following)",
          "SELECT avg(x) OVER (ORDER BY d ROWS BETWEEN 29 PRECEDING AND CURRENT ROW), sum(x) OVER "
          "(ORDER BY d RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND UNBOUNDED FOLLOWING)");
    T_FMT(A, "select read_files('/p', format => 'json'), transform(a, x -> x + 1)",
          "SELECT read_files('/p', format => 'json'), transform(a, x -> x + 1)");
    T_FMT(A, "select zip_with(a, b, (x, y) -> x * y)", "SELECT zip_with(a, b, (x, y) -> x * y)");
    T_FMT(A, "select a.b.c, a[0], m['k'], f(x).y, col:a.b[0], s.f[1].g",
          "SELECT a.b.c, a[0], m['k'], f(x).y, col:a.b[0], s.f[1].g");
    T_FMT(A, "select trim(both 'x' from y), trim(leading from y), substring(s from 2 for 3)",
          "SELECT trim(BOTH 'x' FROM y), trim(LEADING FROM y), substring(s FROM 2 FOR 3)");
    T_FMT(A, "select position('a' in s), overlay(s placing 'x' from 1 for 2), trim(s)",
          "SELECT position('a' IN s), overlay(s PLACING 'x' FROM 1 FOR 2), trim(s)");
    T_FMT(A, "select struct(a as x, b), named_struct('a', 1), db.fn(1)",
          "SELECT struct(a AS x, b), named_struct('a', 1), db.fn(1)");
    T_FMT(A, "select *, t.*, * except (a, b.c) from t", "SELECT *, t.*, * EXCEPT (a, b.c) FROM t");
    T_FMT(A, "select 2 * (*), f(a, *)", "SELECT 2 * (*), f(a, *)");
}

static void from_clauses(void)
{
    T_FMT(A, "select * from cat.db.t as x (a, b), delta.`/p` d",
          "SELECT * FROM cat.db.t AS x(a, b), delta.`/p` AS d");
    T_FMT(A, "select * from a join b on a.x = b.x left outer join c using (x) cross join d",
          "SELECT * FROM a JOIN b ON a.x = b.x LEFT JOIN c USING (x) CROSS JOIN d");
    T_FMT(A,
          "select * from a natural join b full join c on true left semi join d on 1=1 anti "
          "join e on 1 = 1 right join f on 2 = 2",
          "SELECT * FROM a NATURAL JOIN b FULL JOIN c ON true LEFT SEMI JOIN d ON 1 = 1 LEFT "
          "ANTI JOIN e ON 1 = 1 RIGHT JOIN f ON 2 = 2");
    T_FMT(A, "select * from (select 1) s, values (1, 2), (3, 4) as v(a, b), range(10)",
          "SELECT * FROM (SELECT 1) AS s, VALUES (1, 2), (3, 4) AS v(a, b), range(10)");
    T_FMT(A, "select * from t version as of 3, t timestamp as of '2024-01-01', t@v3",
          "SELECT * FROM t VERSION AS OF 3, t TIMESTAMP AS OF '2024-01-01', t@v3");
    T_FMT(A, "select * from t tablesample (10 percent), u tablesample (5 rows)",
          "SELECT * FROM t TABLESAMPLE (10 PERCENT), u TABLESAMPLE (5 ROWS)");
    T_FMT(A, "select * from t tablesample (bucket 1 out of 4 on x) repeatable (7)",
          "SELECT * FROM t TABLESAMPLE (BUCKET 1 OUT OF 4 ON x) REPEATABLE (7)");
    T_FMT(A, "select c from t lateral view outer explode(a) e as c lateral view posexplode(b) p",
          "SELECT c FROM t LATERAL VIEW OUTER explode(a) e AS c LATERAL VIEW posexplode(b) p");
    T_FMT(A, "select * from t pivot (sum(x) as s, avg(x) for y in ('a' as a, 'b')) p",
          "SELECT * FROM t PIVOT (sum(x) AS s, avg(x) FOR y IN ('a' AS a, 'b')) AS p");
    T_FMT(A, "select * from t unpivot exclude nulls (v for k in (a as x, b))",
          "SELECT * FROM t UNPIVOT EXCLUDE NULLS (v FOR k IN (a AS x, b))");
    T_FMT(A, "select * from t unpivot ((v1, v2) for k in ((a, b) as ab, (c, d)))",
          "SELECT * FROM t UNPIVOT ((v1, v2) FOR k IN ((a, b) AS ab, (c, d)))");
    lh_errbuf eb; /* IN lists names, not expressions (regression: fuzz_sql) */
    T_CHECK(sqlt_format(A, "select * from t unpivot (v for k in (a * b))", &eb) == NULL);
    T_FMT(A, "select * from ((select 1) as x join t on true)",
          "SELECT * FROM (SELECT 1) AS x JOIN t ON true");
    T_FMT(A, "select * from ((select 1) union (select 2)) u",
          "SELECT * FROM ((SELECT 1) UNION (SELECT 2)) AS u");
    T_FMT(A, "select * from (a join b on true) j, lateral (select 1)",
          "SELECT * FROM (a JOIN b ON true) AS j, LATERAL (SELECT 1)");
}

static void clauses(void)
{
    T_FMT(A, "select distinct a, count(1) c from t where x group by a having c > 1 order by 1",
          "SELECT DISTINCT a, count(1) AS c FROM t WHERE x GROUP BY a HAVING c > 1 ORDER BY 1");
    T_FMT(A, "select a from t group by all", "SELECT a FROM t GROUP BY ALL");
    T_FMT(A, "select a from t group by rollup(a, (b, c)), cube(d)",
          "SELECT a FROM t GROUP BY ROLLUP ((a), (b, c)), CUBE ((d))");
    T_FMT(A, "select a from t group by grouping sets ((a, b), a, ())",
          "SELECT a FROM t GROUP BY GROUPING SETS ((a, b), (a), ())");
    T_FMT(A, "select a from t group by a, b with rollup",
          "SELECT a FROM t GROUP BY a, b WITH ROLLUP");
    T_FMT(A, "select a, row_number() over w r from t window w as (partition by a) qualify r = 1",
          "SELECT a, row_number() OVER w AS r FROM t WINDOW w AS (PARTITION BY a) QUALIFY r = 1");
    T_FMT(A, "select a from t order by a asc nulls first, b desc limit 10 offset 5",
          "SELECT a FROM t ORDER BY a ASC NULLS FIRST, b DESC LIMIT 10 OFFSET 5");
    T_FMT(A, "select a from t limit all", "SELECT a FROM t LIMIT ALL");
    T_FMT(A, "select a from t distribute by a sort by b",
          "SELECT a FROM t DISTRIBUTE BY a SORT BY b");
    T_FMT(A, "select a from t cluster by a", "SELECT a FROM t CLUSTER BY a");
    T_FMT(A, "with recursive r(n) as (select 1), s as (select 2) select * from r, s",
          "WITH RECURSIVE r(n) AS (SELECT 1), s AS (SELECT 2) SELECT * FROM r, s");
    T_FMT(A, "from t select a where b", "SELECT a FROM t WHERE b");
    T_FMT(A, "values (1, 'a'), (2, 'b')", "VALUES (1, 'a'), (2, 'b')");
    T_FMT(A, "table t", "TABLE t");
}

static void set_operations(void)
{
    T_FMT(A, "select 1 union select 2 intersect select 3",
          "SELECT 1 UNION SELECT 2 INTERSECT SELECT 3");
    T_FMT(A, "select 1 intersect select 2 union all select 3",
          "SELECT 1 INTERSECT SELECT 2 UNION ALL SELECT 3");
    T_FMT(A, "(select 1 union select 2) intersect select 3",
          "(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3");
    T_FMT(A, "select 1 except distinct select 2 minus select 3 order by 1 limit 1",
          "SELECT 1 EXCEPT DISTINCT SELECT 2 MINUS SELECT 3 ORDER BY 1 LIMIT 1");
    T_FMT(A, "(select 1 limit 1) union all (select 2 order by 1)",
          "(SELECT 1 LIMIT 1) UNION ALL (SELECT 2 ORDER BY 1)");
}

static void multi_statements(void)
{
    lh_errbuf eb;
    T_EQ_STR(sqlt_format(A, "select 1; select 2;", &eb), "SELECT 1;\nSELECT 2");
    T_EQ_STR(sqlt_format(A, " ; ", &eb), "");
    T_EQ_STR(sqlt_format(A, "select 1 -- c\n/* a /* nested */ b */ + 2", &eb), "SELECT 1 + 2");
    lh_ast_expr_t *e;
    T_CHECK(lh_sql_parse_expr("a > 0 AND b IS NOT NULL", 23, A, &e, &eb) == LH_OK);
    T_EQ_STR(lh_ast_format_expr(e, A), "(a > 0) AND (b IS NOT NULL)");
    lh_ast_type_t *ty;
    T_CHECK(lh_sql_parse_type("decimal(10,2)", 13, A, &ty, &eb) == LH_OK);
    T_EQ_INT(ty->params[0], 10);
    T_EQ_INT(ty->params[1], 2);
}

static void spans(void)
{
    lh_errbuf eb;
    lh_ast_stmt_list_t *l;
    const char *sql = "SELECT a + 1 AS x FROM t";
    T_CHECK(lh_sql_parse(sql, strlen(sql), A, &l, &eb) == LH_OK);
    lh_ast_expr_t *e = l->items[0]->query->select->items.items[0].expr;
    T_EQ_INT(e->span.start, 7);
    T_EQ_INT(e->span.stop, 12);
    T_EQ_INT(e->args.items[1]->span.start, 11);
    T_CHECK(e->args.items[1]->u.lit.kind == LH_LIT_NUMBER);
    T_EQ_STR(e->args.items[1]->u.lit.text, "1");
    T_EQ_INT(l->items[0]->span.stop, (long long)strlen(sql));
}

int main(void)
{
    A = lh_arena_create();
    T_RUN(precedence);
    T_RUN(literals);
    T_RUN(predicates);
    T_RUN(calls);
    T_RUN(from_clauses);
    T_RUN(clauses);
    T_RUN(set_operations);
    T_RUN(multi_statements);
    T_RUN(spans);
    lh_arena_destroy(A);
    return T_DONE();
}
