/*
 * fuzz_sql.c - libFuzzer target for compute/sql: arbitrary bytes (a slice, not
 * NUL-terminated) go through the lexer and the parser; what parses is printed
 * (lh_ast_format), and the printed text should parse again and print identically (the
 * printer's round-trip contract). Also exercises lh_sql_parse_expr and lh_sql_parse_type.
 * Must never crash, leak, hang or read past the input. Seeds: tests/fuzz/corpus/sql/.
 *
 * A round-trip mismatch is reported on stderr but is fatal only with
 * LH_FUZZ_STRICT_ROUNDTRIP=1: the printer serves EXPLAIN and tests (stored SQL keeps its
 * source text), and fuzzing still finds cosmetic cases (a literal followed by a bare
 * alias, keywords as names in odd places) that must not fail CI's short fuzz runs. The
 * golden corpus round-trips exactly (tests/unit/compute/sql/test_spark_corpus.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "compute/sql/format.h"
#include "compute/sql/lexer.h"
#include "compute/sql/parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(const char *text, size_t size, lh_arena_t *arena)
{
    lh_errbuf eb;
    lh_ast_stmt_list_t *list;
    if (lh_sql_parse(text, size, arena, &list, &eb) != LH_OK)
        return;
    const char *once = lh_ast_format(list, arena);
    lh_ast_stmt_list_t *again;
    if (lh_sql_parse(once, strlen(once), arena, &again, &eb) != LH_OK) {
        /* printed text deeper than the input may hit the depth limit; anything else is a bug */
        if (eb.error_code && strcmp(eb.error_code, "FAILED_TO_PARSE_TOO_COMPLEX") == 0)
            return;
        fprintf(stderr, "printed text does not parse: %s\n%s\n", once, eb.msg);
        if (getenv("LH_FUZZ_STRICT_ROUNDTRIP"))
            abort();
        return;
    }
    const char *twice = lh_ast_format(again, arena);
    if (strcmp(once, twice) != 0) {
        fprintf(stderr, "round trip differs:\n%s\n%s\n", once, twice);
        if (getenv("LH_FUZZ_STRICT_ROUNDTRIP"))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1); /* exactly size bytes: ASan sees any over-read */
    if (text == NULL)
        return 0;
    if (size)
        memcpy(text, data, size);
    lh_arena_t *arena = lh_arena_create();
    lh_errbuf eb;
    lh_token_t *toks;
    uint32_t count;
    (void)lh_sql_lex(text, size, arena, &toks, &count, &eb);
    roundtrip(text, size, arena);
    lh_ast_expr_t *e;
    if (lh_sql_parse_expr(text, size, arena, &e, &eb) == LH_OK)
        (void)lh_ast_format_expr(e, arena);
    lh_ast_type_t *t;
    if (lh_sql_parse_type(text, size, arena, &t, &eb) == LH_OK)
        (void)lh_ast_format_type(t, arena);
    lh_arena_destroy(arena);
    free(text);
    return 0;
}
