/*
 * fuzz_notebook.c - libFuzzer target for api/workspace's notebook source parser. Input:
 * byte 0 picks the language given (none, SQL, PYTHON, SCALA, R), the rest is the source.
 * Nothing may crash or read past the input; a parse that succeeds has a known language,
 * cells whose text_bytes match their text's NUL-terminated storage and never exceed the
 * source, and the same cells when the source is parsed again (determinism). Seeds:
 * tests/fuzz/corpus/notebook/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/workspace/notebook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const langs[] = {NULL, "SQL", "PYTHON", "SCALA", "R"};
    if (size < 1)
        return 0;
    const char *language = langs[data[0] % 5];
    size_t n = size - 1;
    char *src = malloc(n > 0 ? n : 1); /* a heap copy so ASan sees reads past the end */
    memcpy(src, data + 1, n);
    lh_arena_t *a = lh_arena_create();
    lh_notebook_t nb, again;
    lh_errbuf eb;
    lh_err e = lh_notebook_parse(src, n, language, a, &nb, &eb);
    lh_err e2 = lh_notebook_parse(src, n, language, a, &again, &eb);
    LH_ASSERT(e == e2);
    if (e == LH_OK) {
        LH_ASSERT(lh_notebook_comment(nb.language) != NULL);
        LH_ASSERT(nb.cell_count == again.cell_count);
        for (size_t i = 0; i < nb.cell_count; i++) {
            const lh_nb_cell_t *c = &nb.cells[i];
            LH_ASSERT(c->text != NULL && c->text[c->text_bytes] == '\0');
            LH_ASSERT(c->text_bytes <= n);
            LH_ASSERT(c->text_bytes == again.cells[i].text_bytes &&
                      memcmp(c->text, again.cells[i].text, c->text_bytes) == 0);
            LH_ASSERT(c->language == NULL || lh_notebook_comment(c->language) != NULL);
        }
    } else {
        LH_ASSERT(e == LH_E_INVALID && language == NULL);
    }
    lh_arena_destroy(a);
    free(src);
    return 0;
}
