/*
 * notebook.h - Databricks' notebook source format: parse a notebook's source into cells.
 * Other areas reach this through api/workspace/workspace.h (jobs run the cells of a
 * notebook found by workspace path with lh_workspace_notebook_cells).
 *
 * The format (what Databricks exports as SOURCE and imports back), per language the line
 * comment C is "--" (SQL), "#" (Python, R) or "//" (Scala):
 *
 *   C Databricks notebook source          the header: first line, marks the file a notebook
 *   SELECT 1                              a cell in the notebook's language
 *
 *   C COMMAND ----------                  the separator, a blank line on each side
 *
 *   C DBTITLE 1,Totals                    optional: the next cell's title
 *   C MAGIC %md                           a magic cell: every line prefixed "C MAGIC "; its
 *   C MAGIC # Heading                     first line names the command (%md, %run, %python,
 *                                         %sql, %scala, %r, %sh, %fs, %pip, ...)
 * Lines may end in "\r\n". Blank lines around a cell are not part of it. A source without
 * the header (a notebook imported as SOURCE with a language) is parsed the same way, with
 * the given language's comment.
 *
 * Pure functions: no I/O, no global state; thread-safe. Any byte string is accepted without
 * crash (fuzzed by tests/fuzz/fuzz_notebook.c).
 */
#ifndef LH_API_WORKSPACE_NOTEBOOK_H
#define LH_API_WORKSPACE_NOTEBOOK_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/err.h"

/* One cell. Strings are NUL-terminated and arena-owned. */
typedef struct lh_nb_cell {
    /* "SQL", "PYTHON", "SCALA" or "R": the language the cell's text is in (the notebook's
     * for a plain cell, the magic's for %sql / %python / %scala / %r); NULL for cells that
     * are not code of a notebook language (%md, %run, %sh, %fs, %pip, ...). */
    const char *language;
    /* The magic command without its '%' ("md", "run", "python", "sql", "md-sandbox", ...),
     * or NULL for a plain cell. */
    const char *magic;
    /* The DBTITLE of the cell, or NULL. */
    const char *title;
    /* The cell's text: prefixes ("C MAGIC ") and the magic command removed (for %run, the
     * rest of its line: "./other_notebook"), lines joined with '\n', no trailing newline.
     * May hold NUL bytes from the source: text_bytes counts. */
    const char *text;
    size_t text_bytes;
} lh_nb_cell_t;

typedef struct lh_notebook {
    const char *language; /* "SQL", "PYTHON", "SCALA" or "R" */
    bool has_header;      /* the source started with the notebook header */
    lh_nb_cell_t *cells;  /* arena-owned; cell_count entries (0 for an empty notebook) */
    size_t cell_count;
} lh_notebook_t;

/* The language whose header the source's first line is ("SQL" for "-- Databricks notebook
 * source", "PYTHON" for "# ...", "SCALA" for "// ..."), or NULL. Trailing blanks and "\r"
 * on the line are allowed. */
const char *lh_notebook_header_language(const char *src, size_t bytes);

/* The line-comment prefix of a language ("--", "#", "//"), or NULL for an unknown one. */
const char *lh_notebook_comment(const char *language);

/* Parse src (bytes long, any content) into out, in arena a. language: the notebook's
 * language ("SQL", "PYTHON", "SCALA", "R") or NULL to take it from the header. With a
 * header, its comment style decides the separators; a given language with the same
 * comment style wins over the header's ("R" over "PYTHON" for "#"), another one yields to
 * the header. LH_E_INVALID when language is NULL and there is no header, or language is
 * not one of the four. */
lh_err lh_notebook_parse(const char *src, size_t bytes, const char *language, lh_arena_t *a,
                         lh_notebook_t *out, lh_errbuf *eb);

#endif
