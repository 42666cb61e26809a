/*
 * sessions.h - SQL sessions for the Statement Execution API (a Lakehouse extension).
 *
 * Databricks' REST Statement API runs each statement in a fresh session; its SQL drivers
 * and notebooks keep one. Lakehouse lets REST clients keep one too, so temporary views,
 * USE and SET carry from one statement to the next:
 *
 *   POST   /api/2.0/sql/sessions       {warehouse_id?, catalog?, schema?, session_confs?{k: v}}
 *                                      -> {session_id, catalog, schema, warehouse_id?}
 *   GET    /api/2.0/sql/sessions/{id}  -> the same, with the current catalog and schema
 *   DELETE /api/2.0/sql/sessions/{id}  -> {}
 *   POST   /api/2.0/sql/statements     {..., session_id}
 *
 * A session belongs to the user who created it: another user gets 403 (admins may get and
 * delete it, but never run statements in it: its state is private). Statements of one session run
 * one at a time, in submission order of execution start (the session's lock). A session unused for
 * LH_SQL_SESSION_IDLE_MS is closed; sessions live in memory only (a restart closes them all).
 */
#ifndef LH_API_SQL_SESSIONS_H
#define LH_API_SQL_SESSIONS_H

#include "api/api.h"
#include "compute/bind/bind.h"

typedef struct lh_sql_sessions lh_sql_sessions_t;
typedef struct lh_sql_session lh_sql_session_t;

lh_err lh_sql_sessions_create(lh_ctx_t *ctx, lh_sql_sessions_t **out, lh_errbuf *eb);
void lh_sql_sessions_destroy(lh_sql_sessions_t *s);
const lh_route_t *lh_sql_sessions_routes(int *count);

/* The session `id`, referenced: LH_E_NOT_FOUND when there is none, LH_E_PERMISSION when
 * it is another user's (admin_ok: admins may look at and close anyone's, not run in it). */
lh_err lh_sql_session_get(lh_sql_sessions_t *s, const char *id, const lh_principal_t *p,
                          bool admin_ok, lh_sql_session_t **out, lh_errbuf *eb);
/* Run a statement in it: lock returns the engine session, held until unlock. */
lh_session_t *lh_sql_session_lock(lh_sql_session_t *ss);
void lh_sql_session_unlock(lh_sql_session_t *ss);
/* Drop the reference lh_sql_session_get took. */
void lh_sql_session_unref(lh_sql_session_t *ss);

#endif
