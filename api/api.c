/*
 * api.c - helpers every area's handlers share.
 */
#include "api/api.h"

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
