/*
 * date_fn.h - date.c helpers shared with other function families (module-internal).
 */
#ifndef LH_COMPUTE_FUNC_DATE_FN_H
#define LH_COMPUTE_FUNC_DATE_FN_H

#include <stdbool.h>

#include "compute/func/func.h"

/* Bind a pattern function: kind 0 date_format, 1 to_timestamp, 2 to_date, 3 unix_timestamp,
 * 4 from_unixtime; try_: unparsable text gives NULL (exec with to_date's exec); pat_arg:
 * the index of the pattern argument. */
lh_err lh_fn_bind_pattern(lh_func_bind_t *b, int kind, bool try_, int pat_arg, lh_errbuf *eb);
/* make_timestamp / _ltz / _ntz exec (bound by their binds); try_: NULL instead of the
 * DATETIME_FIELD_OUT_OF_BOUNDS / INVALID_FRACTION_OF_SECOND / INVALID_TIMEZONE errors. */
lh_err lh_fn_make_ts_exec(const lh_func_exec_t *x, bool try_, lh_errbuf *eb);

#endif
