/*
 * http.h - the libmicrohttpd front end (the only file that includes microhttpd.h).
 */
#ifndef LH_SERVER_HTTP_H
#define LH_SERVER_HTTP_H

#include "server/server.h"

/* Read the TLS files and bind the listening socket: everything that can fail for reasons
 * of the network or the flags, done before the data dir is touched. Sets the real port. */
lh_err lh_http_prepare(lh_server_t *s, lh_errbuf *eb);
/* Serve on the prepared socket with a pool of HTTP threads. */
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
