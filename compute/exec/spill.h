/*
 * spill.h - runs on disk for the external sort and the aggregate's partitions (spill.c). A run
 * belongs to one thread at a time; its file is deleted on close.
 */
#ifndef LH_COMPUTE_EXEC_SPILL_H
#define LH_COMPUTE_EXEC_SPILL_H

#include "compute/exec/exec_internal.h"

typedef struct exec_run exec_run;

lh_err exec_run_create(exec_query *q, int col_count, const lh_type_t *types, exec_run **out,
                       lh_errbuf *eb);
/* Append a batch (flat vectors); *bytes grows by what was written. */
lh_err exec_run_write(exec_run *r, const lh_batch_t *b, int64_t *bytes, lh_errbuf *eb);
/* Close the file after the last write (no descriptor held); rewind reopens it. */
lh_err exec_run_seal(exec_run *r, lh_errbuf *eb);
/* Rows and bytes written; an estimate of one decoded batch's memory (a read buffer). */
int64_t exec_run_rows(const exec_run *r);
int64_t exec_run_bytes(const exec_run *r);
int64_t exec_run_batch_bytes(const exec_run *r);
int64_t exec_run_batch_rows(const exec_run *r); /* the longest batch written */
/* Start reading from the beginning (a sealed run is reopened for reading). */
lh_err exec_run_rewind(exec_run *r, lh_errbuf *eb);
/* The next batch (owned by the run, valid until the next call), NULL at the end. */
lh_err exec_run_next(exec_run *r, const lh_batch_t **out, lh_errbuf *eb);
void exec_run_close(exec_run *r);

#endif
