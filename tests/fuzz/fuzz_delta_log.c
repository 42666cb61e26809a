/*
 * fuzz_delta_log.c - libFuzzer target for Delta log replay.
 *
 * The input is split on 0x1E (record separator) into at most 16 pieces; piece i becomes
 * _delta_log/<i>.json of a scratch table (a piece starting with "LC" becomes
 * _last_checkpoint instead). Then: latest snapshot, every version, time travel, history
 * and a scan with a predicate. Any result is fine; crashes, leaks and UB are not.
 * Seeds: tests/fuzz/corpus/delta_log/ (plus golden logs copied in at run time by
 * scripts/fuzz-seeds).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/delta/delta.h"

#define MAX_PIECES 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lh_objstore_t *store(void)
{
    static lh_objstore_t *os;
    if (os == NULL) {
        char dir[64];
        snprintf(dir, sizeof dir, "/tmp/lh_fuzz_delta_%d", (int)getpid());
        if (lh_objstore_local_create(dir, &os, NULL) != LH_OK)
            abort();
    }
    return os;
}

static void clear_log(lh_objstore_t *os)
{
    lh_obj_list_t l;
    if (lh_objstore_list(os, "_delta_log/", &l, NULL) != LH_OK)
        return;
    for (size_t i = 0; i < l.count; i++)
        lh_objstore_delete(os, l.items[i].key, NULL);
    lh_obj_list_free(&l);
}

static void write_pieces(lh_objstore_t *os, const uint8_t *data, size_t size)
{
    int version = 0;
    size_t start = 0;
    for (size_t i = 0; i <= size && version < MAX_PIECES; i++) {
        if (i < size && data[i] != 0x1E)
            continue;
        const uint8_t *p = data + start;
        size_t n = i - start;
        char key[64];
        if (n >= 2 && p[0] == 'L' && p[1] == 'C')
            snprintf(key, sizeof key, "_delta_log/_last_checkpoint");
        else
            snprintf(key, sizeof key, "_delta_log/%020d.json", version++);
        lh_objstore_put(os, key, p, n, NULL);
        start = i + 1;
    }
}

static void exercise(lh_delta_table_t *t)
{
    lh_delta_snapshot_t *s = NULL;
    if (lh_delta_snapshot_latest(t, &s, NULL) == LH_OK) {
        int64_t latest = lh_delta_snapshot_version(s);
        lh_value_t v = {.type = {LH_TYPE_LONG, 0, 0}, .v.i64 = 3};
        lh_delta_pred_t p = {"id", LH_PQ_GE, 1, &v};
        const lh_delta_add_t **files = NULL;
        size_t n = 0;
        if (lh_delta_scan_files(s, &p, 1, &files, &n, NULL) == LH_OK)
            free(files);
        lh_delta_snapshot_release(s);
        for (int64_t ver = 0; ver <= latest && ver < MAX_PIECES; ver++) {
            if (lh_delta_snapshot_at_version(t, ver, &s, NULL) == LH_OK)
                lh_delta_snapshot_release(s);
        }
    }
    if (lh_delta_snapshot_at_timestamp(t, 1700000000000LL, &s, NULL) == LH_OK)
        lh_delta_snapshot_release(s);
    lh_delta_history_entry_t *h = NULL;
    size_t hn = 0;
    if (lh_delta_history(t, 0, &h, &hn, NULL) == LH_OK)
        lh_delta_history_free(h, hn);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lh_objstore_t *os = store();
    clear_log(os);
    write_pieces(os, data, size);
    lh_delta_table_t *t = NULL;
    if (lh_delta_table_open(os, "", &t, NULL) != LH_OK)
        return 0;
    exercise(t);
    lh_delta_table_close(t);
    return 0;
}
