/*
 * test_notebook.c - api/workspace/notebook.c: Databricks' notebook source format parsed
 * into cells for SQL, Python, Scala and R (header, separators, MAGIC cells with their
 * command, DBTITLE, CRLF, blank lines), header detection, and sources without a header.
 */
#include <string.h>

#include "api/workspace/notebook.h"
#include "t.h"

static lh_arena_t *arena;

static lh_notebook_t parse(const char *src, const char *language)
{
    lh_notebook_t nb;
    lh_errbuf eb;
    lh_err e = lh_notebook_parse(src, strlen(src), language, arena, &nb, &eb);
    T_EQ_INT(e, LH_OK);
    return nb;
}

#define CELL(nb, i) (nb).cells[(i)]

static void test_sql_notebook(void)
{
    lh_notebook_t nb = parse("-- Databricks notebook source\n"
                             "SELECT 1\n"
                             "\n"
                             "-- COMMAND ----------\n"
                             "\n"
                             "-- MAGIC %md\n"
                             "-- MAGIC # Title\n"
                             "-- MAGIC\n"
                             "-- MAGIC text\n"
                             "\n"
                             "-- COMMAND ----------\n"
                             "\n"
                             "-- MAGIC %run ./other_notebook\n"
                             "\n"
                             "-- COMMAND ----------\n"
                             "\n"
                             "-- MAGIC %python\n"
                             "-- MAGIC print(1)\n"
                             "\n"
                             "-- COMMAND ----------\n"
                             "\n"
                             "CREATE TABLE t AS\n"
                             "SELECT 2;\n"
                             "\n"
                             "INSERT INTO t VALUES (3)\n",
                             NULL);
    T_EQ_STR(nb.language, "SQL");
    T_CHECK(nb.has_header);
    T_EQ_INT(nb.cell_count, 5);
    if (nb.cell_count != 5)
        return;
    T_EQ_STR(CELL(nb, 0).language, "SQL");
    T_CHECK(CELL(nb, 0).magic == NULL);
    T_EQ_STR(CELL(nb, 0).text, "SELECT 1");
    T_EQ_STR(CELL(nb, 1).magic, "md");
    T_CHECK(CELL(nb, 1).language == NULL);
    T_EQ_STR(CELL(nb, 1).text, "# Title\n\ntext");
    T_EQ_STR(CELL(nb, 2).magic, "run");
    T_EQ_STR(CELL(nb, 2).text, "./other_notebook");
    T_EQ_STR(CELL(nb, 3).magic, "python");
    T_EQ_STR(CELL(nb, 3).language, "PYTHON");
    T_EQ_STR(CELL(nb, 3).text, "print(1)");
    T_EQ_STR(CELL(nb, 4).text, "CREATE TABLE t AS\nSELECT 2;\n\nINSERT INTO t VALUES (3)");
    T_EQ_INT(CELL(nb, 4).text_bytes, strlen(CELL(nb, 4).text));
}

static void test_python_scala_r(void)
{
    lh_notebook_t py = parse("# Databricks notebook source\n"
                             "x = 1\n\n# COMMAND ----------\n\n"
                             "# MAGIC %sql\n# MAGIC SELECT * FROM t\n",
                             NULL);
    T_EQ_STR(py.language, "PYTHON");
    T_EQ_INT(py.cell_count, 2);
    if (py.cell_count == 2) {
        T_EQ_STR(py.cells[0].text, "x = 1");
        T_EQ_STR(py.cells[1].magic, "sql");
        T_EQ_STR(py.cells[1].language, "SQL");
        T_EQ_STR(py.cells[1].text, "SELECT * FROM t");
    }
    lh_notebook_t sc = parse("// Databricks notebook source\n"
                             "val x = 1\n\n// COMMAND ----------\n\n// MAGIC %md hello\n",
                             NULL);
    T_EQ_STR(sc.language, "SCALA");
    T_EQ_INT(sc.cell_count, 2);
    if (sc.cell_count == 2) {
        T_EQ_STR(sc.cells[1].magic, "md");
        T_EQ_STR(sc.cells[1].text, "hello");
    }
    /* R shares Python's comment: the given language wins over the header's */
    lh_notebook_t r = parse("# Databricks notebook source\nlibrary(x)\n", "R");
    T_EQ_STR(r.language, "R");
    T_EQ_STR(r.cells[0].language, "R");
    /* a language with another comment style yields to the header */
    lh_notebook_t h = parse("-- Databricks notebook source\nSELECT 1\n", "PYTHON");
    T_EQ_STR(h.language, "SQL");
}

static void test_title_crlf_blank_cells(void)
{
    lh_notebook_t nb = parse("-- Databricks notebook source\r\n"
                             "-- DBTITLE 1,Load data\r\n"
                             "SELECT 1\r\n"
                             "\r\n"
                             "-- COMMAND ----------   \r\n"
                             "\r\n"
                             "\r\n"
                             "-- COMMAND ----------\r\n"
                             "   \r\n"
                             "-- DBTITLE 1,Notes\r\n"
                             "-- MAGIC %md\r\n"
                             "-- MAGIC *x*\r\n",
                             NULL);
    T_EQ_INT(nb.cell_count, 2); /* the blank cell in between is no cell */
    if (nb.cell_count != 2)
        return;
    T_EQ_STR(nb.cells[0].title, "Load data");
    T_EQ_STR(nb.cells[0].text, "SELECT 1");
    T_EQ_STR(nb.cells[1].title, "Notes");
    T_EQ_STR(nb.cells[1].magic, "md");
    T_EQ_STR(nb.cells[1].text, "*x*");
}

static void test_mixed_magic_is_code(void)
{
    /* not every line is a MAGIC line: a plain code cell, kept as written */
    lh_notebook_t nb = parse("-- Databricks notebook source\n-- MAGIC %md\nSELECT 1\n", NULL);
    T_EQ_INT(nb.cell_count, 1);
    T_CHECK(nb.cells[0].magic == NULL);
    T_EQ_STR(nb.cells[0].text, "-- MAGIC %md\nSELECT 1");
    /* a separator of another language is plain text */
    lh_notebook_t other =
        parse("-- Databricks notebook source\nA\n# COMMAND ----------\nB\n", NULL);
    T_EQ_INT(other.cell_count, 1);
}

static void test_headerless_and_errors(void)
{
    lh_notebook_t nb = parse("SELECT 1;\n\n-- COMMAND ----------\n\nSELECT 2;", "SQL");
    T_CHECK(!nb.has_header);
    T_EQ_INT(nb.cell_count, 2);
    lh_notebook_t empty = parse("-- Databricks notebook source\n", NULL);
    T_EQ_INT(empty.cell_count, 0);
    lh_notebook_t nothing = parse("", "PYTHON");
    T_EQ_INT(nothing.cell_count, 0);
    lh_errbuf eb;
    lh_notebook_t out;
    T_EQ_INT(lh_notebook_parse("SELECT 1", 8, NULL, arena, &out, &eb), LH_E_INVALID);
    T_EQ_INT(lh_notebook_parse("SELECT 1", 8, "COBOL", arena, &out, &eb), LH_E_INVALID);
    /* NUL bytes inside a cell are kept, counted by text_bytes */
    const char src[] = "# Databricks notebook source\na\0b\n";
    T_EQ_INT(lh_notebook_parse(src, sizeof src - 1, NULL, arena, &out, &eb), LH_OK);
    T_EQ_INT(out.cell_count, 1);
    T_EQ_INT(out.cells[0].text_bytes, 3);
}

static void test_header_language(void)
{
    T_EQ_STR(lh_notebook_header_language("-- Databricks notebook source\nx", 31), "SQL");
    T_EQ_STR(lh_notebook_header_language("# Databricks notebook source", 28), "PYTHON");
    T_EQ_STR(lh_notebook_header_language("// Databricks notebook source \r\n", 32), "SCALA");
    T_CHECK(lh_notebook_header_language("#Databricks notebook source", 27) == NULL);
    T_CHECK(lh_notebook_header_language("x\n# Databricks notebook source", 30) == NULL);
    T_CHECK(lh_notebook_header_language("", 0) == NULL);
    /* bytes bounds the look: a header cut short is none */
    T_CHECK(lh_notebook_header_language("-- Databricks notebook source", 10) == NULL);
    T_EQ_STR(lh_notebook_comment("R"), "#");
    T_CHECK(lh_notebook_comment("sql") == NULL);
}

int main(void)
{
    arena = lh_arena_create();
    T_RUN(test_sql_notebook);
    T_RUN(test_python_scala_r);
    T_RUN(test_title_crlf_blank_cells);
    T_RUN(test_mixed_magic_is_code);
    T_RUN(test_headerless_and_errors);
    T_RUN(test_header_language);
    lh_arena_destroy(arena);
    return T_DONE();
}
