/* math.c - placeholder table (being written). */
#include "compute/func/fn.h"
const lh_func_t lh_fn_math[] = {{"__math", LH_FUNC_SCALAR, 0, 0, NULL, NULL, true}};
FN_COUNT(lh_fn_math);
