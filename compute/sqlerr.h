/*
 * sqlerr.h - moved to compute/sql/sqlerr.h (library lh_sql, which lh_compute links); this
 * forwarding header keeps code written against the old path compiling.
 */
#ifndef LH_COMPUTE_SQLERR_H
#define LH_COMPUTE_SQLERR_H

#include "compute/sql/sqlerr.h"

#endif
