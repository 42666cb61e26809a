/*
 * bind_files.h - plain files as relations (bind_files.c): path tables of the csv, json,
 * text, parquet and binaryFile formats, and the read_files table-valued function.
 */
#ifndef LH_COMPUTE_BIND_FILES_H
#define LH_COMPUTE_BIND_FILES_H

#include "compute/bind/bind_internal.h"

/* format.`path` for a format other than delta: a FILES plan node. */
lh_err bf_path_files(binder *b, const char *format, const char *path, lh_plan_t **plan);
/* read_files(path [, option => value ...]) */
lh_err bf_read_files(binder *b, const lh_ast_expr_t *call, lh_plan_t **plan);

#endif
