/*
 * agg_internal.h - shared pieces of the aggregate functions (compute/agg/): the row
 * tables each file contributes to the registry, and a "value slot" state holding one
 * value of any type (strings copied into the slot's own heap buffer).
 */
#ifndef LH_COMPUTE_AGG_INTERNAL_H
#define LH_COMPUTE_AGG_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "compute/agg/agg.h"

extern const lh_agg_func_t lh_agg_basic_rows[];
extern const int lh_agg_basic_count;
extern const lh_agg_func_t lh_agg_value_rows[];
extern const int lh_agg_value_count;
extern const lh_agg_func_t lh_agg_stat_rows[];
extern const int lh_agg_stat_count;
extern const lh_agg_func_t lh_agg_pct_rows[];
extern const int lh_agg_pct_count;
extern const lh_agg_func_t lh_agg_collect_rows[];
extern const int lh_agg_collect_count;
extern const lh_agg_func_t lh_agg_hist_rows[];
extern const int lh_agg_hist_count;
extern const lh_agg_func_t lh_agg_sketch_rows[];
extern const int lh_agg_sketch_count;

/* One value of any type. */
typedef struct agg_slot {
    lh_i128 q; /* first: keeps the 16-byte alignment of the union below */
    int64_t i;
    double d;
    uint8_t *str; /* malloc'd copy of a string (cap bytes) */
    uint32_t len, cap;
    bool set;     /* a value was stored */
    bool is_null; /* the stored value is NULL (first/last without ignoreNulls) */
} agg_slot;

/* Store row i of v in s (strings copied; false on allocation failure). */
bool lh_agg_slot_store(agg_slot *s, const lh_vec_t *v, size_t i);
/* Store another slot's value (for combine). */
bool lh_agg_slot_copy(agg_slot *dst, const agg_slot *src);
/* Compare row i of v (valid) with the stored (valid) value. */
int lh_agg_slot_cmp(const agg_slot *s, const lh_vec_t *v, size_t i);
int lh_agg_slot_cmp2(const agg_slot *a, const agg_slot *b, lh_type_t t);
/* Append the stored value to out (NULL when unset or null). */
lh_err lh_agg_slot_append(const agg_slot *s, lh_vec_t *out);
void lh_agg_slot_free(agg_slot *s);

/* Whether row i of v is valid (flat vectors). */
static inline bool lh_agg_valid(const lh_vec_t *v, size_t i)
{
    return lh_vec_is_valid(v, i);
}

/* Arena copy of a bound type for bind_data. */
lh_type_t *lh_agg_type_data(lh_func_bind_t *b, lh_type_t t);
bool lh_agg_is_numeric(lh_type_t t);
bool lh_agg_is_integral(lh_type_t t);

#endif
