/* test_parse_stmt.c - every DDL, DML and utility statement form parses into the expected
 * tree and prints back canonically. */
#include "sqlt.h"

static lh_arena_t *A;

static lh_ast_stmt_t *one(const char *sql)
{
    lh_ast_stmt_list_t *l;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    if (lh_sql_parse(sql, strlen(sql), A, &l, &eb) != LH_OK || l->count != 1) {
        fprintf(stderr, "  parse failed: %s: %s\n", sql, eb.msg);
        return NULL;
    }
    return l->items[0];
}

static void create_namespaces(void)
{
    T_FMT(A, "create catalog if not exists c comment 'x'",
          "CREATE CATALOG IF NOT EXISTS c COMMENT 'x'");
    T_FMT(A, "create schema if not exists c.s comment 'y' location '/l'",
          "CREATE SCHEMA IF NOT EXISTS c.s COMMENT 'y' LOCATION '/l'");
    T_FMT(A, "create database d with dbproperties ('a' = 1)",
          "CREATE SCHEMA d WITH DBPROPERTIES ('a' = 1)");
    lh_ast_stmt_t *s = one("CREATE SCHEMA IF NOT EXISTS main.sales");
    T_CHECK(s && s->kind == LH_ST_CREATE_SCHEMA && s->if_not_exists && s->name.count == 2);
}

static void create_tables(void)
{
    T_FMT(A,
          "create or replace table if not exists c.s.t (id bigint not null comment 'k', "
          "d date generated always as (cast(ts as date)), v int default 0, "
          "constraint pk primary key (id), constraint ck check (v >= 0)) using delta "
          "partitioned by (d) cluster by (id) comment 'tbl' tblproperties ('a.b' = 'c') "
          "location '/x'",
          "CREATE OR REPLACE TABLE IF NOT EXISTS c.s.t (id BIGINT NOT NULL COMMENT 'k', d DATE "
          "GENERATED ALWAYS AS (CAST(ts AS DATE)), v INT DEFAULT 0, CONSTRAINT pk PRIMARY KEY "
          "(id), CONSTRAINT ck CHECK (v >= 0)) USING delta PARTITIONED BY (d) CLUSTER BY (id) "
          "LOCATION '/x' COMMENT 'tbl' TBLPROPERTIES ('a.b' = 'c')");
    T_FMT(A, "create table t using parquet as select 1 a",
          "CREATE TABLE t USING parquet AS SELECT 1 AS a");
    T_FMT(A, "create table t (a int) partitioned by (b string)",
          "CREATE TABLE t (a INT) PARTITIONED BY (b STRING)");
    T_FMT(A,
          "create table t (id bigint generated always as identity (start with 1 increment by 2))",
          "CREATE TABLE t (id BIGINT GENERATED ALWAYS AS IDENTITY (START WITH 1 INCREMENT BY 2))");
    T_FMT(A, "create table t like s", "CREATE TABLE t LIKE s");
    T_FMT(A, "create table t (a int) cluster by auto", "CREATE TABLE t (a INT) CLUSTER BY AUTO");
    lh_ast_stmt_t *s =
        one("CREATE TABLE t (v INT, CHECK (v > 0), g INT GENERATED ALWAYS AS (v*2))");
    T_CHECK(s && s->table->column_count == 2 && s->table->constraint_count == 1);
    if (s) {
        T_EQ_STR(s->table->constraints[0].check_text, "v > 0");
        T_EQ_STR(s->table->columns[1].generated_text, "v*2");
    }
}

static void create_views_functions(void)
{
    T_FMT(A, "create or replace temporary view v (a comment 'x', b) as select 1, 2",
          "CREATE OR REPLACE TEMPORARY VIEW v (a COMMENT 'x', b) AS SELECT 1, 2");
    T_FMT(A, "create view if not exists v comment 'c' as values (1)",
          "CREATE VIEW IF NOT EXISTS v COMMENT 'c' AS VALUES (1)");
    T_FMT(A, "create temporary view v using csv options (path '/p', header true)",
          "CREATE TEMPORARY VIEW v USING csv OPTIONS ('path' = '/p', 'header' = true)");
    T_FMT(A, "create global temp view v as select 1", "CREATE GLOBAL TEMPORARY VIEW v AS SELECT 1");
    T_FMT(A,
          "create or replace function mask(s string, n int default 4) returns string "
          "comment 'm' deterministic return concat(repeat('*', n), right(s, 4))",
          "CREATE OR REPLACE FUNCTION mask(s STRING, n INT DEFAULT 4) RETURNS STRING COMMENT 'm' "
          "DETERMINISTIC RETURN concat(repeat('*', n), right(s, 4))");
    T_FMT(A, "create temporary function f() returns table (a int) return select 1",
          "CREATE TEMPORARY FUNCTION f() RETURNS TABLE (a INT) RETURN SELECT 1");
    lh_ast_stmt_t *s = one("CREATE VIEW v AS  SELECT a FROM t");
    T_CHECK(s && s->kind == LH_ST_CREATE_VIEW);
    if (s)
        T_EQ_STR(s->text, "SELECT a FROM t");
}

static void dml(void)
{
    T_FMT(A, "insert into t values (1, 'a'), (2, 'b')", "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    T_FMT(A, "insert into table t (a, b) select * from s", "INSERT INTO t (a, b) SELECT * FROM s");
    T_FMT(A, "insert overwrite t partition (p = 1, q) select 1",
          "INSERT OVERWRITE TABLE t PARTITION (p = 1, q) SELECT 1");
    T_FMT(A, "insert into t replace where d = '2024' select * from s",
          "INSERT INTO t REPLACE WHERE d = '2024' SELECT * FROM s");
    T_FMT(A, "insert into t by name select 1 a", "INSERT INTO t BY NAME SELECT 1 AS a");
    T_FMT(A,
          "merge into t as x using (select * from s) y on x.id = y.id "
          "when matched and y.del then delete when matched then update set * "
          "when not matched then insert * when not matched by source then delete",
          "MERGE INTO t AS x USING (SELECT * FROM s) AS y ON x.id = y.id WHEN MATCHED AND "
          "y.del THEN DELETE WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT * WHEN "
          "NOT MATCHED BY SOURCE THEN DELETE");
    T_FMT(A,
          "merge into t using s on t.k = s.k when matched then update set t.v = s.v, w = 1 "
          "when not matched by target and s.v > 0 then insert (k, v) values (s.k, s.v) "
          "when not matched by source and t.v < 0 then update set v = 0",
          "MERGE INTO t USING s ON t.k = s.k WHEN MATCHED THEN UPDATE SET t.v = s.v, w = 1 WHEN "
          "NOT MATCHED AND s.v > 0 THEN INSERT (k, v) VALUES (s.k, s.v) WHEN NOT MATCHED BY "
          "SOURCE AND t.v < 0 THEN UPDATE SET v = 0");
    T_FMT(A, "update t set a = a + 1, b = default where c",
          "UPDATE t SET a = a + 1, b = DEFAULT WHERE c");
    T_FMT(A, "update t x set x.a = 1", "UPDATE t AS x SET x.a = 1");
    T_FMT(A, "delete from t where a is null", "DELETE FROM t WHERE a IS NULL");
    T_FMT(A, "delete from c.s.t as x", "DELETE FROM c.s.t AS x");
}

static void drops_alters(void)
{
    T_FMT(A, "drop table if exists a.b", "DROP TABLE IF EXISTS a.b");
    T_FMT(A, "drop view v", "DROP VIEW v");
    T_FMT(A, "drop schema s cascade", "DROP SCHEMA s CASCADE");
    T_FMT(A, "drop catalog if exists c cascade", "DROP CATALOG IF EXISTS c CASCADE");
    T_FMT(A, "drop temporary function f", "DROP TEMPORARY FUNCTION f");
    T_FMT(A, "truncate table t", "TRUNCATE TABLE t");
    T_FMT(A, "alter table t add columns (a int comment 'x', b string)",
          "ALTER TABLE t ADD COLUMNS (a INT COMMENT 'x', b STRING)");
    T_FMT(A, "alter table t add column c int", "ALTER TABLE t ADD COLUMNS (c INT)");
    T_FMT(A, "alter table t rename to u", "ALTER TABLE t RENAME TO u");
    T_FMT(A, "alter table t rename column a to b", "ALTER TABLE t RENAME COLUMN a TO b");
    T_FMT(A, "alter table t alter column a comment 'x'",
          "ALTER TABLE t ALTER COLUMN a COMMENT 'x'");
    T_FMT(A, "alter table t change column a type bigint",
          "ALTER TABLE t ALTER COLUMN a TYPE BIGINT");
    T_FMT(A, "alter table t alter column a set not null",
          "ALTER TABLE t ALTER COLUMN a SET NOT NULL");
    T_FMT(A, "alter table t set tblproperties ('k' = 'v')",
          "ALTER TABLE t SET TBLPROPERTIES ('k' = 'v')");
    T_FMT(A, "alter table t unset tblproperties if exists ('k')",
          "ALTER TABLE t UNSET TBLPROPERTIES IF EXISTS ('k')");
    T_FMT(A, "alter table t add constraint c check (a > 0)",
          "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)");
    T_FMT(A, "alter table t drop constraint if exists c",
          "ALTER TABLE t DROP CONSTRAINT IF EXISTS c");
    T_FMT(A, "alter table t drop columns (a, b)", "ALTER TABLE t DROP COLUMNS (a, b)");
    T_FMT(A, "alter table t cluster by (a)", "ALTER TABLE t CLUSTER BY (a)");
    T_FMT(A, "alter view v as select 2", "ALTER VIEW v AS SELECT 2");
    T_FMT(A, "comment on table t is 'x'", "COMMENT ON TABLE t IS 'x'");
    T_FMT(A, "comment on catalog c is null", "COMMENT ON CATALOG c IS NULL");
    T_FMT(A, "comment on column t.a is 'c'", "COMMENT ON COLUMN t.a IS 'c'");
}

static void utilities(void)
{
    T_FMT(A, "use catalog c", "USE CATALOG c");
    T_FMT(A, "use schema s", "USE SCHEMA s");
    T_FMT(A, "use database s", "USE DATABASE s");
    T_FMT(A, "use c.s", "USE c.s");
    T_FMT(A, "set spark.sql.session.timeZone = America/Los_Angeles",
          "SET spark.sql.session.timeZone = America/Los_Angeles");
    T_FMT(A, "set ansi_mode=false", "SET ansi_mode = false");
    T_FMT(A, "set", "SET");
    T_FMT(A, "SET TIME ZONE 'America/Los_Angeles'", "SET TIME ZONE 'America/Los_Angeles'");
    lh_ast_stmt_t *s = one("set time zone local");
    T_CHECK(s && s->value == NULL && strcmp(s->key, "spark.sql.session.timeZone") == 0);
    s = one("SET TIME ZONE 'UTC'");
    T_CHECK(s && s->value && strcmp(s->value, "UTC") == 0);
    s = one("SET TIME ZONE INTERVAL '08:00' HOUR TO MINUTE");
    T_CHECK(s && s->value && strcmp(s->value, "INTERVAL '08:00' HOUR TO MINUTE") == 0);
    T_FMT(A, "reset", "RESET");
    T_FMT(A, "reset spark.sql.ansi.enabled", "RESET spark.sql.ansi.enabled");
    s = one("SET  a.b =  x y ");
    T_CHECK(s && s->kind == LH_ST_SET);
    if (s) {
        T_EQ_STR(s->key, "a.b");
        T_EQ_STR(s->value, "x y");
    }
    char longset[700]; /* printing has no length cap (regression: fuzz_sql) */
    memset(longset, 'x', sizeof longset - 1);
    memcpy(longset, "SET k = ", 8);
    longset[sizeof longset - 1] = '\0';
    lh_errbuf eb;
    T_EQ_STR(sqlt_format(A, longset, &eb), longset);
    T_FMT(A, "describe table extended t", "DESCRIBE TABLE EXTENDED t");
    T_FMT(A, "desc t", "DESCRIBE TABLE t");
    T_FMT(A, "describe detail t", "DESCRIBE DETAIL t");
    T_FMT(A, "describe history t", "DESCRIBE HISTORY t");
    T_FMT(A, "describe catalog c", "DESCRIBE CATALOG c");
    T_FMT(A, "describe schema extended s", "DESCRIBE SCHEMA EXTENDED s");
    T_FMT(A, "describe query select 1", "DESCRIBE QUERY SELECT 1");
    T_FMT(A, "show catalogs", "SHOW CATALOGS");
    T_FMT(A, "show schemas in c like 'x*'", "SHOW SCHEMAS IN c LIKE 'x*'");
    T_FMT(A, "show tables from s", "SHOW TABLES IN s");
    T_FMT(A, "show views", "SHOW VIEWS");
    T_FMT(A, "show columns in t", "SHOW COLUMNS IN t");
    T_FMT(A, "show tblproperties t", "SHOW TBLPROPERTIES t");
    T_FMT(A, "show create table t", "SHOW CREATE TABLE t");
    T_FMT(A, "show functions like 'a*'", "SHOW FUNCTIONS LIKE 'a*'");
    T_FMT(A, "restore table t to version as of 3", "RESTORE TABLE t TO VERSION AS OF 3");
    T_FMT(A, "restore t timestamp as of '2024-01-01'",
          "RESTORE TABLE t TO TIMESTAMP AS OF '2024-01-01'");
    T_FMT(A, "optimize t where d > '2024' zorder by (a, b)",
          "OPTIMIZE t WHERE d > '2024' ZORDER BY (a, b)");
    T_FMT(A, "vacuum t retain 168 hours dry run", "VACUUM t RETAIN 168 HOURS DRY RUN");
    T_FMT(A, "vacuum '/p'", "VACUUM '/p'");
    T_FMT(A, "cache select * from t where a > 1", "CACHE SELECT * FROM t WHERE a > 1");
    T_FMT(A, "cache table t", "CACHE TABLE t");
    T_FMT(A, "uncache table if exists t", "UNCACHE TABLE IF EXISTS t");
    T_FMT(A, "clear cache", "CLEAR CACHE");
    T_FMT(A, "refresh table t", "REFRESH TABLE t");
    T_FMT(A, "explain select 1", "EXPLAIN SELECT 1");
    T_FMT(A, "explain extended select 1", "EXPLAIN EXTENDED SELECT 1");
    T_FMT(A, "explain formatted insert into t values (1)",
          "EXPLAIN FORMATTED INSERT INTO t VALUES (1)");
}

static void statement_types(void)
{
    static const char *const cases[][2] = {
        {"SELECT 1", "SELECT"},
        {"WITH a AS (SELECT 1) SELECT * FROM a", "SELECT"},
        {"INSERT INTO t VALUES (1)", "INSERT"},
        {"MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE", "MERGE"},
        {"CREATE TABLE t (a INT)", "CREATE"},
        {"CREATE OR REPLACE TABLE t AS SELECT 1", "REPLACE"},
        {"DROP VIEW v", "DROP"},
        {"ALTER TABLE t RENAME TO u", "ALTER"},
        {"SHOW TABLES", "SHOW"},
        {"DESCRIBE t", "DESCRIBE"},
        {"USE CATALOG c", "USE"},
        {"SET a = b", "SET"},
        {"EXPLAIN SELECT 1", "EXPLAIN"},
        {"VACUUM t", "OTHER"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lh_ast_stmt_t *s = one(cases[i][0]);
        T_CHECK(s != NULL);
        if (s)
            T_EQ_STR(lh_ast_stmt_type(s), cases[i][1]);
    }
}

int main(void)
{
    A = lh_arena_create();
    T_RUN(create_namespaces);
    T_RUN(create_tables);
    T_RUN(create_views_functions);
    T_RUN(dml);
    T_RUN(drops_alters);
    T_RUN(utilities);
    T_RUN(statement_types);
    lh_arena_destroy(A);
    return T_DONE();
}
