/*
 * cmd_maint.c - table maintenance: optimize (bin-packing, --zorder-by) and vacuum.
 * Each prints one JSON object with what it did.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tools/lakehouse-tool/tool.h"

lh_err tool_cmd_optimize(const tool_args_t *a, lh_errbuf *eb)
{
    int64_t target;
    LH_TRY(
        tool_opt_int(a, "target-bytes", LH_DELTA_OPTIMIZE_TARGET_BYTES, 1, INT64_MAX, &target, eb));
    char **z = NULL;
    const char *zs = tool_opt(a, "zorder-by");
    int nz = zs ? tool_split_list(zs, &z) : 0;
    LH_FAIL_IF(zs && nz == 0, LH_E_INVALID, eb, "--zorder-by needs column names");
    lh_objstore_t *os;
    lh_delta_table_t *t;
    lh_err e = tool_open_table(a->items[0], true, &os, &t, eb);
    lh_delta_op_result_t r;
    if (e == LH_OK) {
        e = lh_delta_optimize(t, NULL, 0, target, (const char *const *)z, nz, &r, eb);
        tool_close_table(os, t);
    }
    tool_list_free(z, nz);
    if (e == LH_OK)
        printf("{\"version\":%lld,\"numRemovedFiles\":%lld,\"numAddedFiles\":%lld,"
               "\"numRemovedBytes\":%lld,\"numAddedBytes\":%lld}\n",
               (long long)r.version, (long long)r.files_removed, (long long)r.files_added,
               (long long)r.bytes_removed, (long long)r.bytes_added);
    return e;
}

lh_err tool_cmd_vacuum(const tool_args_t *a, lh_errbuf *eb)
{
    double hours = -1;
    const char *rh = tool_opt(a, "retain-hours");
    if (rh != NULL) {
        char *end;
        errno = 0;
        hours = strtod(rh, &end);
        LH_FAIL_IF(*rh == '\0' || *end != '\0' || errno != 0 || !(hours >= 0) || isinf(hours),
                   LH_E_INVALID, eb, "--retain-hours must be a number >= 0, got '%s'", rh);
    }
    bool dry_run = tool_opt(a, "dry-run") != NULL, force = tool_opt(a, "force") != NULL;
    lh_objstore_t *os;
    lh_delta_table_t *t;
    LH_TRY(tool_open_table(a->items[0], true, &os, &t, eb));
    lh_delta_vacuum_result_t r;
    lh_err e = lh_delta_vacuum(t, hours, dry_run, force, &r, eb);
    tool_close_table(os, t);
    LH_TRY(e);
    tool_buf_t b = {0};
    tool_buf_printf(&b, "{\"dryRun\":%s,\"numFiles\":%zu,\"numBytes\":%lld,\"files\":[",
                    dry_run ? "true" : "false", r.count, (long long)r.bytes);
    for (size_t i = 0; i < r.count; i++) {
        if (i)
            tool_buf_putn(&b, ",", 1);
        tool_buf_json_string(&b, r.paths[i], strlen(r.paths[i]));
    }
    tool_buf_puts(&b, "]}\n");
    fwrite(b.ptr, 1, b.len, stdout);
    tool_buf_free(&b);
    lh_delta_vacuum_result_free(&r);
    return LH_OK;
}
