/*
 * bind_nested.h - binding ARRAY, MAP and STRUCT (bind_nested.c; module-internal): type
 * names, subscripts a[i] / m[k], field access s.f (written as a dotted column name or on any
 * expression), STRUCT(..) / (a, b) rows with their field names.
 */
#ifndef LH_COMPUTE_BIND_NESTED_H
#define LH_COMPUTE_BIND_NESTED_H

#include "compute/bind/bind_internal.h"

/* ARRAY<..>, MAP<..>, STRUCT<..> type names (elements through lh_bind_type). */
lh_err bn_type(const lh_ast_type_t *t, lh_type_t *out, lh_errbuf *eb);
/* SUBSCRIPT, FIELD, ROW and the struct(..) call: *done false when e is none of them. */
lh_err bn_expr(binder *b, const ectx *x, const lh_ast_expr_t *e, bool *done, lh_expr_t **out);
/* A dotted name no column matched: a column named by a prefix, then struct fields (s.f.g,
 * t.s.f). *done false when no prefix names a column (the caller reports it). */
lh_err bn_column_path(binder *b, const ectx *x, const lh_ast_expr_t *e, bool *done,
                      lh_expr_t **out);

#endif
