/*
 * log.c - reading the _delta_log directory (formats.md §2.1, §2.8 step 1).
 *
 * Recognized names (anything else, incl. .crc, compactions and _sidecars/, is ignored):
 *   %020d.json                                   commit
 *   %020d.checkpoint.parquet                     classic checkpoint
 *   %020d.checkpoint.%010d.%010d.parquet         part of a multi-part checkpoint
 *   %020d.checkpoint.<uuid>.{json,parquet}       V2 checkpoint (needs v2Checkpoint)
 * _last_checkpoint is only a hint: a missing or unparsable one means "list everything".
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/delta/delta_internal.h"

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* Classify a file name inside _delta_log; false when it is not a log file. */
static bool classify(const char *name, lh_delta_log_file_t *f)
{
    if (strlen(name) < 21 || !digits(name, 20) || name[20] != '.')
        return false;
    f->version = strtoll(name, NULL, 10);
    const char *rest = name + 21;
    if (strcmp(rest, "json") == 0) {
        f->kind = LOG_COMMIT;
        return true;
    }
    if (strncmp(rest, "checkpoint.", 11) != 0)
        return false;
    rest += 11;
    if (strcmp(rest, "parquet") == 0) {
        f->kind = LOG_CHECKPOINT;
        f->part = f->parts = 1;
        return true;
    }
    if (strlen(rest) == 29 && digits(rest, 10) && rest[10] == '.' && digits(rest + 11, 10) &&
        strcmp(rest + 21, ".parquet") == 0) {
        f->kind = LOG_CHECKPOINT_PART;
        f->part = atoi(rest);
        f->parts = atoi(rest + 11);
        return f->part >= 1 && f->part <= f->parts;
    }
    size_t n = strlen(rest);
    if ((n > 5 && strcmp(rest + n - 5, ".json") == 0) ||
        (n > 8 && strcmp(rest + n - 8, ".parquet") == 0)) {
        f->kind = LOG_CHECKPOINT_V2;
        return true;
    }
    return false;
}

static int cmp_log_file(const void *pa, const void *pb)
{
    const lh_delta_log_file_t *a = pa, *b = pb;
    if (a->version != b->version)
        return a->version < b->version ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind - b->kind;
    if (a->parts != b->parts)
        return a->parts - b->parts;
    return a->part - b->part;
}

static lh_err listing_push(lh_delta_log_listing_t *out, const lh_delta_log_file_t *f)
{
    lh_delta_log_file_t *files = realloc(out->files, (out->count + 1) * sizeof *files);
    if (files == NULL)
        return LH_E_NOMEM;
    out->files = files;
    files[out->count] = *f;
    files[out->count].key = strdup(f->key);
    if (files[out->count].key == NULL)
        return LH_E_NOMEM;
    out->count++;
    return LH_OK;
}

lh_err lh_delta_log_list(lh_delta_table_t *t, int64_t from_version, lh_delta_log_listing_t *out,
                         lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    char prefix[1024];
    snprintf(prefix, sizeof prefix, "%s/", t->log_dir);
    lh_obj_list_t l;
    LH_TRY(lh_objstore_list(t->os, prefix, &l, eb));
    size_t plen = strlen(prefix);
    lh_err e = LH_OK;
    for (size_t i = 0; e == LH_OK && i < l.count; i++) {
        const char *name = l.items[i].key + plen;
        lh_delta_log_file_t f = {0};
        if (strchr(name, '/') != NULL || !classify(name, &f) || f.version < from_version)
            continue;
        f.key = l.items[i].key;
        f.mtime_ms = l.items[i].mtime_ms;
        e = listing_push(out, &f);
    }
    lh_obj_list_free(&l);
    if (e != LH_OK) {
        lh_delta_log_listing_free(out);
        LH_FAIL(e, eb, "out of memory listing the delta log");
    }
    if (out->count > 1)
        qsort(out->files, out->count, sizeof *out->files, cmp_log_file);
    return LH_OK;
}

void lh_delta_log_listing_free(lh_delta_log_listing_t *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->files[i].key);
    free(l->files);
    memset(l, 0, sizeof *l);
}

bool lh_delta_last_checkpoint(lh_delta_table_t *t, int64_t *version, int *parts)
{
    char key[1024];
    snprintf(key, sizeof key, "%s/_last_checkpoint", t->log_dir);
    uint8_t *buf;
    size_t len;
    if (lh_objstore_get(t->os, key, &buf, &len, NULL) != LH_OK)
        return false;
    json_t *j = json_loadb((const char *)buf, len, 0, NULL);
    free(buf);
    json_t *v = json_object_get(j, "version"), *p = json_object_get(j, "parts");
    bool ok = json_is_integer(v) && json_integer_value(v) >= 0 &&
              (p == NULL || json_is_null(p) || (json_is_integer(p) && json_integer_value(p) > 0));
    if (ok) {
        *version = json_integer_value(v);
        *parts = json_is_integer(p) ? (int)json_integer_value(p) : 0;
    }
    json_decref(j);
    return ok;
}

char *lh_delta_commit_key(const lh_delta_table_t *t, int64_t version)
{
    size_t n = strlen(t->log_dir) + 32;
    char *k = malloc(n);
    if (k)
        snprintf(k, n, "%s/%020lld.json", t->log_dir, (long long)version);
    return k;
}

lh_err lh_delta_read_commit(lh_delta_table_t *t, int64_t version, lh_delta_actions_t *out,
                            lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    char *key = lh_delta_commit_key(t, version);
    LH_FAIL_IF(key == NULL, LH_E_NOMEM, eb, "out of memory");
    uint8_t *buf;
    size_t len;
    lh_err e = lh_objstore_get(t->os, key, &buf, &len, eb);
    free(key);
    LH_TRY(e);
    e = lh_delta_actions_parse((const char *)buf, len, version, out, eb);
    free(buf);
    if (e != LH_OK)
        lh_delta_actions_free(out);
    return e;
}

lh_err lh_delta_commit_timestamp(lh_delta_table_t *t, const lh_delta_log_file_t *f, int64_t *out,
                                 lh_errbuf *eb)
{
    lh_delta_actions_t a;
    LH_TRY(lh_delta_read_commit(t, f->version, &a, eb));
    *out = f->mtime_ms;
    for (size_t i = 0; i < a.count; i++) {
        if (a.items[i].kind == LH_DELTA_COMMIT_INFO && a.items[i].u.commit_info.has_timestamp) {
            *out = a.items[i].u.commit_info.timestamp_ms;
            break;
        }
    }
    lh_delta_actions_free(&a);
    return LH_OK;
}
