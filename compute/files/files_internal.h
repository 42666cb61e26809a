/*
 * files_internal.h - what the readers of compute/files share (files_util.c): output
 * batches of a scan's columns, and the JSON text of the rescued data column.
 */
#ifndef LH_COMPUTE_FILES_INTERNAL_H
#define LH_COMPUTE_FILES_INTERNAL_H

#include "compute/files/files.h"

/* A batch of the scan's columns being filled, emitted every LH_BATCH_ROWS rows. */
typedef struct ff_out {
    lh_batch_t b;
    lh_vec_t **cols;
    int64_t rows; /* emitted so far */
} ff_out;

bool ff_out_init(ff_out *o, const lh_ff_scan_t *s);
void ff_out_free(ff_out *o, int n);
/* Emit the rows gathered (if any) and reset the vectors. */
lh_err ff_out_flush(ff_out *o, lh_ff_emit_fn emit, void *ctx, lh_errbuf *eb);

/* A growable text buffer (malloc'd; free p). */
typedef struct ff_sbuf {
    char *p;
    size_t n, cap;
} ff_sbuf;

bool ff_sb_put(ff_sbuf *b, const char *s, size_t n);
bool ff_sb_json_str(ff_sbuf *b, const char *s, size_t n);
/* Add "name":"text" to a rescued data object (b->n == 0: none yet), and close it. */
bool ff_rescue_add(ff_sbuf *b, const char *name, const char *s, size_t n);
bool ff_rescue_finish(ff_sbuf *b, const char *path);

/* MALFORMED_RECORD_IN_PARSING for FAILFAST, quoting the record's start. */
lh_err ff_malformed(const char *what, size_t n, lh_errbuf *eb);

#endif
