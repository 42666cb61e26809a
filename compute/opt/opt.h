/*
 * opt.h - the optimizer: rules over a bound plan, run once before execution.
 *
 * Rules (one function each, applied in this order):
 *   filters    (opt_filter.c) conjuncts of Filters move down through projections, joins,
 *              aggregates (grouping keys) and sorts; equalities between a join's two sides
 *              become equi-join keys (a comma join with WHERE a.x = b.x is a hash join);
 *   join order (opt_join.c) trees of INNER / CROSS joins are rebuilt left-deep from the
 *              smallest estimated input, joining next the connected input with the
 *              smallest estimated result (cross products only when nothing connects);
 *              a Project on top keeps the tree's output columns as written;
 *   pushdown   simple comparisons of a scan's column with a constant (=, <, <=, >, >=, IN)
 *              in a Filter directly over a Scan also go to the scan's predicates, so files
 *              whose partition values or statistics exclude them are never opened (the
 *              Filter stays: pruning is conservative);
 *   build side a join hashes the input estimated smaller (build_left when the left one is
 *              at most half the right one; SEMI / ANTI always hash the right side);
 *   prune      columns no operator above reads are not read by scans at all (the scan
 *              hands out an all-NULL column in their place, so no index changes anywhere).
 * Only `filters` and `join order` change the plan's shape (Filter nodes move, join keys
 * are added, joins are reordered); the root node keeps its address and its output columns.
 */
#ifndef LH_COMPUTE_OPT_H
#define LH_COMPUTE_OPT_H

#include "compute/plan/plan.h"

void lh_opt_run(lh_arena_t *a, lh_plan_t *plan);
/* The `filters` rule alone (lh_opt_run runs it first). */
void lh_opt_push_filters(lh_arena_t *a, lh_plan_t *plan);
/* The `join order` rule alone (lh_opt_run runs it after `filters`). */
void lh_opt_join_order(lh_arena_t *a, lh_plan_t *plan);

#endif
