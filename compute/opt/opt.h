/*
 * opt.h - the optimizer: rules over a bound plan, run once before execution.
 *
 * Rules (one function each in opt.c, applied in this order):
 *   pushdown   simple comparisons of a scan's column with a constant (=, <, <=, >, >=, IN)
 *              in a Filter directly over a Scan also go to the scan's predicates, so files
 *              whose partition values or statistics exclude them are never opened (the
 *              Filter stays: pruning is conservative);
 *   prune      columns no operator above reads are not read by scans at all (the scan
 *              hands out an all-NULL column in their place, so no index changes anywhere).
 * Rules only annotate scans; the plan's shape and column positions never change.
 */
#ifndef LH_COMPUTE_OPT_H
#define LH_COMPUTE_OPT_H

#include "compute/plan/plan.h"

void lh_opt_run(lh_arena_t *a, lh_plan_t *plan);

#endif
