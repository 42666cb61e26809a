/*
 * api.c - helpers every area's handlers share. The streaming and suspension calls only
 * record what the handler wants; server/ does the work behind them (req->ops).
 */
#include "api/api.h"

#include <unistd.h>

void lh_req_add_header(lh_req_t *req, const char *name, const char *value)
{
    LH_ASSERT(req->header_count < LH_REQ_HEADERS_MAX);
    req->header_names[req->header_count] = name;
    req->header_values[req->header_count] = value;
    req->header_count++;
}

lh_err lh_req_require_admin(const lh_req_t *req, lh_errbuf *eb)
{
    LH_FAIL_IF(req->principal == NULL || !req->principal->is_admin, LH_E_PERMISSION, eb,
               "Only workspace admins can perform this operation");
    return LH_OK;
}

void lh_req_stream_body(lh_req_t *req, const lh_body_sink_t *sink, void *state)
{
    LH_ASSERT(req->route != NULL && (req->route->flags & LH_ROUTE_STREAM));
    req->sink = sink;
    req->sink_state = state;
}

void lh_req_send_file(lh_req_t *req, int fd, uint64_t size, const char *content_type)
{
    if (req->has_file)
        close(req->file_fd);
    req->has_file = true;
    req->file_fd = fd;
    req->body_size = (int64_t)size;
    req->content_type = content_type;
}

void lh_req_send_stream(lh_req_t *req, const lh_body_gen_t *gen, void *state, int64_t size,
                        const char *content_type)
{
    req->gen = gen;
    req->gen_state = state;
    req->body_size = size;
    req->content_type = content_type;
}

lh_suspend_t *lh_req_suspend(lh_req_t *req, int64_t timeout_ms, lh_fill_fn on_deadline, void *arg)
{
    LH_ASSERT(req->ops != NULL && req->suspend == NULL);
    return req->ops->suspend(req, timeout_ms, on_deadline, arg);
}

bool lh_req_resume(lh_suspend_t *t, lh_fill_fn fill, void *arg)
{
    return t->ops->resume(t, fill, arg);
}

void lh_suspend_release(lh_suspend_t *t)
{
    t->ops->release(t);
}
