/*
 * fuzz_identity.c - libFuzzer target for IDENTITY column metadata as a Delta log carries it
 * (compute/exec/identity.c): the input is a schemaString; every one of its first 8 columns is
 * marked for assignment, two batches of rows are filled and the new highWaterMarks are
 * staged in a scratch table's create transaction (never committed). Any result is fine;
 * crashes, leaks, overflow and UB are not. Seeds: tests/fuzz/corpus/identity/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compute/exec/exec_internal.h"
#include "storage/delta/delta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { COLS = 8 };

static lh_delta_table_t *table(void)
{
    static lh_delta_table_t *t;
    if (t == NULL) {
        char dir[64];
        lh_objstore_t *os;
        snprintf(dir, sizeof dir, "/tmp/lh_fuzz_identity_%d", (int)getpid());
        if (lh_objstore_local_create(dir, &os, NULL) != LH_OK ||
            lh_delta_table_open(os, "", &t, NULL) != LH_OK)
            abort();
    }
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    lh_delta_metadata_t md;
    memset(&md, 0, sizeof md);
    md.schema_string = text;
    bool fill[COLS];
    for (int i = 0; i < COLS; i++)
        fill[i] = true;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    exec_ident x;
    memset(&x, 0, sizeof x);
    lh_schema_t *schema = lh_schema_create(COLS);
    for (int i = 0; schema && i < COLS; i++) {
        char name[8];
        snprintf(name, sizeof name, "c%d", i);
        lh_schema_set(schema, i, name, (lh_type_t){LH_TYPE_LONG}, true);
    }
    lh_batch_t *b = schema ? lh_batch_create(schema, 16) : NULL;
    if (b != NULL && exec_ident_init(&x, &md, fill, COLS, &eb) == LH_OK) {
        for (int round = 0; round < 2; round++) {
            b->row_count = 5;
            if (exec_ident_fill(&x, b, &eb) != LH_OK)
                break;
        }
        lh_delta_txn_t *txn;
        if (lh_delta_txn_begin(table(), NULL, &txn, &eb) == LH_OK) {
            lh_delta_metadata_t init;
            if (lh_delta_metadata_init(&init, schema, NULL, 0, &eb) == LH_OK) {
                lh_delta_txn_set_metadata(txn, &init, &eb);
                lh_delta_metadata_clear(&init);
                exec_ident_commit(&x, txn, &eb);
            }
            lh_delta_txn_destroy(txn);
        }
    }
    exec_ident_free(&x);
    if (b)
        lh_batch_destroy(b);
    lh_schema_destroy(schema);
    free(text);
    return 0;
}
