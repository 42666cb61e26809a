/* sqlt.h - helpers for the SQL parser tests: parse, print, re-parse, compare. */
#ifndef LH_TEST_SQLT_H
#define LH_TEST_SQLT_H

#include <stdio.h>
#include <string.h>

#include "common/arena.h"
#include "compute/sql/format.h"
#include "compute/sql/parser.h"
#include "t.h"

/* Parse sql and print it canonically; NULL (and the message in eb) on error. */
static inline const char *sqlt_format(lh_arena_t *a, const char *sql, lh_errbuf *eb)
{
    lh_ast_stmt_list_t *list;
    lh_errbuf_clear(eb);
    if (lh_sql_parse(sql, strlen(sql), a, &list, eb) != LH_OK)
        return NULL;
    return lh_ast_format(list, a);
}

/* Round trip: format(parse(sql)) re-parses to the same printed text. Returns the text. */
static inline const char *sqlt_roundtrip(lh_arena_t *a, const char *sql, int *ok)
{
    lh_errbuf eb;
    const char *once = sqlt_format(a, sql, &eb);
    *ok = 0;
    if (once == NULL) {
        fprintf(stderr, "  parse failed: %s\n    %s\n", sql, eb.msg);
        return NULL;
    }
    const char *twice = sqlt_format(a, once, &eb);
    if (twice == NULL) {
        fprintf(stderr, "  re-parse failed: %s\n    printed: %s\n    %s\n", sql, once, eb.msg);
        return NULL;
    }
    if (strcmp(once, twice) != 0) {
        fprintf(stderr, "  round trip differs:\n    %s\n    %s\n", once, twice);
        return NULL;
    }
    *ok = 1;
    return once;
}

#define T_RT(a, sql)                                                                               \
    do {                                                                                           \
        int t_ok_;                                                                                 \
        sqlt_roundtrip((a), (sql), &t_ok_);                                                        \
        T_CHECK(t_ok_);                                                                            \
    } while (0)

/* Round trip and compare with the expected canonical text. */
#define T_FMT(a, sql, expected)                                                                    \
    do {                                                                                           \
        int t_ok_;                                                                                 \
        const char *t_s_ = sqlt_roundtrip((a), (sql), &t_ok_);                                     \
        T_CHECK(t_ok_);                                                                            \
        if (t_s_)                                                                                  \
            T_EQ_STR(t_s_, (expected));                                                            \
    } while (0)

/* Parsing fails with exactly this message. */
#define T_ERR(a, sql, want)                                                                        \
    do {                                                                                           \
        lh_errbuf t_eb_;                                                                           \
        const char *t_s_ = sqlt_format((a), (sql), &t_eb_);                                        \
        T_CHECK(t_s_ == NULL);                                                                     \
        if (t_s_ == NULL)                                                                          \
            T_EQ_STR(t_eb_.msg, (want));                                                           \
    } while (0)

#endif
