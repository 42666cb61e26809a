/*
 * http.h - the libmicrohttpd front end (the only file that includes microhttpd.h).
 */
#ifndef LH_SERVER_HTTP_H
#define LH_SERVER_HTTP_H

#include "server/server.h"

/* Listen on config.listen_host:listen_port with a pool of HTTP threads. */
lh_err lh_http_start(lh_server_t *s, lh_errbuf *eb);
/* Stop accepting new connections (in-flight requests continue). */
void lh_http_quiesce(lh_server_t *s);
/* Finish in-flight requests, close connections, join the HTTP threads. */
void lh_http_stop(lh_server_t *s);

/* Park / unpark the connection behind req (suspend.c; see api.h). lh_http_suspend runs
 * on the request's HTTP thread inside its handler; lh_http_resume from any thread, once,
 * after the answer is in req. */
void lh_http_suspend(lh_req_t *req);
void lh_http_resume(lh_req_t *req);

#endif
