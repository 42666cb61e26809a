/*
 * sql.h - the SQL area's public header (api/sql): the area descriptor, and the warehouse
 * interface other code uses (warehouses.h: lh_warehouse_acquire / lh_warehouse_release,
 * the cluster_size map). The Statement Execution API and query history join this area.
 */
#ifndef LH_API_SQL_H
#define LH_API_SQL_H

#include "api/area.h"
#include "api/sql/warehouses.h"

/* The SQL area's descriptor (server/areas.c): warehouses now, statements later.
 * create publishes ctx->warehouses, destroy clears it. */
extern const lh_area_t lh_sql_area;

#endif
