/*
 * fuzz_request.c - request bodies into every handler.
 *
 * Input: byte 0 picks a route (modulo the route count), the rest is the JSON body. A
 * server context (metastore in a temp dir, identity, clusters; no HTTP listener) is built
 * once; each input is dispatched as the admin with captures set to "1". Handlers must
 * answer (success or error JSON) and never crash, leak or hang.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server.h"

static lh_server_t srv;
static const char *admin_auth = "Bearer dapi00000000000000000000000000000fuzz";

static const char *header(lh_req_t *req, const char *name)
{
    (void)req;
    return strcmp(name, "Authorization") == 0 ? admin_auth : NULL;
}

static void init_once(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    char *dir = strdup("/tmp/lh-fuzz-XXXXXX");
    if (mkdtemp(dir) == NULL)
        abort();
    setenv("LAKEHOUSE_ADMIN_TOKEN", admin_auth + 7, 1);
    lh_config_default(&srv.config);
    snprintf(srv.config.data_dir, sizeof srv.config.data_dir, "%s", dir);
    srv.config.no_http = 1;
    lh_errbuf eb;
    if (lh_server_start(&srv, &eb) != LH_OK) {
        fprintf(stderr, "fuzz: %s\n", eb.msg);
        abort();
    }
    free(dir);
}

/* Concrete path for a pattern: first alternative, "1" for captures. */
static char *concrete_path(lh_arena_t *a, const char *pattern)
{
    char *out = lh_arena_alloc(a, strlen(pattern) + 16);
    char *o = out;
    for (const char *p = pattern; *p;) {
        if (*p == '{') {
            const char *end = strchr(p, '}');
            const char *bar = memchr(p, '|', (size_t)(end - p));
            if (bar) {
                memcpy(o, p + 1, (size_t)(bar - p - 1));
                o += bar - p - 1;
            } else {
                *o++ = '1';
            }
            p = end + 1;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

/* Dispatch one request as the admin; returns its output (caller decrefs) or NULL. */
static json_t *dispatch(const char *method, const char *path, json_t *body)
{
    lh_req_t req;
    memset(&req, 0, sizeof req);
    req.ctx = &srv.ctx;
    req.arena = lh_arena_create();
    req.method = method;
    req.path = path;
    req.params = body;
    req.header = header;
    int idx;
    lh_server_dispatch(&srv, &req, &idx);
    lh_arena_destroy(req.arena);
    return req.out;
}

/* Created clusters and pools own threads: delete them again so runs stay bounded. */
static void cleanup_created(json_t *out)
{
    const char *id = json_string_value(json_object_get(out, "cluster_id"));
    if (id != NULL) {
        json_t *b = json_pack("{s:s}", "cluster_id", id);
        json_decref(dispatch("POST", "/api/2.1/clusters/permanent-delete", b));
        json_decref(b);
    }
    id = json_string_value(json_object_get(out, "instance_pool_id"));
    if (id != NULL) {
        json_t *b = json_pack("{s:s}", "instance_pool_id", id);
        json_decref(dispatch("POST", "/api/2.0/instance-pools/delete", b));
        json_decref(b);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_once();
    if (size < 1)
        return 0;
    int n = lh_router_count(srv.router);
    const lh_route_t *route = lh_router_get(srv.router, data[0] % n);
    if (strcmp(route->pattern, "/metrics") == 0)
        return 0;
    json_t *body = json_loadb((const char *)data + 1, size - 1, 0, NULL);
    if (body == NULL || !json_is_object(body)) {
        json_decref(body);
        return 0;
    }
    lh_arena_t *a = lh_arena_create();
    json_t *out = dispatch(route->method, concrete_path(a, route->pattern), body);
    if (out != NULL && strcmp(route->method, "POST") == 0)
        cleanup_created(out);
    json_decref(out);
    json_decref(body);
    lh_arena_destroy(a);
    return 0;
}
