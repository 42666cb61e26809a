/*
 * openapi.c - GET /openapi.yaml and /openapi.json (no auth): the spec of every route,
 * embedded in the binary at build time (cmake/embed.cmake) so it always matches the
 * routes the binary serves.
 *
 * The JSON form is converted from the YAML once, on first use, with libyaml's document
 * loader (which resolves anchors and aliases into shared nodes). Plain scalars are typed
 * as YAML 1.2's core schema does (null, booleans, integers, floats); quoted and block
 * scalars stay strings.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "common/json.h"
#include "server/server.h"

extern const unsigned char lh_openapi_yaml[];
extern const size_t lh_openapi_yaml_bytes;

#define DEPTH_MAX 64

static json_t *plain_scalar(const char *v, size_t n)
{
    if (n == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0)
        return json_null();
    if (strcmp(v, "true") == 0 || strcmp(v, "True") == 0)
        return json_true();
    if (strcmp(v, "false") == 0 || strcmp(v, "False") == 0)
        return json_false();
    char *end;
    errno = 0;
    long long i = strtoll(v, &end, 10);
    if (*end == '\0' && errno == 0 && strspn(v, "-+0123456789") == n)
        return json_integer(i);
    double d = strtod(v, &end);
    if (*end == '\0' && strspn(v, "-+0123456789.eE") == n && isfinite(d))
        return json_real(d);
    return json_stringn(v, n);
}

static json_t *convert(yaml_document_t *doc, yaml_node_t *node, int depth)
{
    if (node == NULL || depth > DEPTH_MAX)
        return NULL;
    if (node->type == YAML_SCALAR_NODE) {
        const char *v = (const char *)node->data.scalar.value;
        size_t n = node->data.scalar.length;
        return node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? plain_scalar(v, n)
                                                                  : json_stringn(v, n);
    }
    if (node->type == YAML_SEQUENCE_NODE) {
        json_t *arr = json_array();
        for (yaml_node_item_t *it = node->data.sequence.items.start;
             it < node->data.sequence.items.top; it++)
            json_array_append_new(arr, convert(doc, yaml_document_get_node(doc, *it), depth + 1));
        return arr;
    }
    json_t *obj = json_object();
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        json_t *v = convert(doc, yaml_document_get_node(doc, p->value), depth + 1);
        if (k != NULL && k->type == YAML_SCALAR_NODE && v != NULL)
            json_object_set_new(obj, (const char *)k->data.scalar.value, v);
        else
            json_decref(v);
    }
    return obj;
}

static char *to_json(size_t *bytes)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    char *out = NULL;
    if (!yaml_parser_initialize(&parser))
        return NULL;
    yaml_parser_set_input_string(&parser, lh_openapi_yaml, lh_openapi_yaml_bytes);
    if (yaml_parser_load(&parser, &doc)) {
        json_t *root = convert(&doc, yaml_document_get_root_node(&doc), 0);
        if (root != NULL)
            out = lh_json_write(root, bytes);
        json_decref(root);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    return out;
}

static lh_err openapi_yaml(lh_req_t *req, lh_errbuf *eb)
{
    (void)eb;
    req->text = (const char *)lh_openapi_yaml;
    req->text_bytes = lh_openapi_yaml_bytes;
    req->content_type = "application/yaml";
    return LH_OK;
}

static lh_err openapi_json(lh_req_t *req, lh_errbuf *eb)
{
    lh_server_t *s = req->ctx->server;
    pthread_mutex_lock(&s->openapi_mu);
    if (s->openapi_json == NULL)
        s->openapi_json = to_json(&s->openapi_json_bytes);
    pthread_mutex_unlock(&s->openapi_mu);
    LH_FAIL_IF(s->openapi_json == NULL, LH_E_INTERNAL, eb,
               "the embedded openapi.yaml does not parse");
    req->text = s->openapi_json; /* immutable once made; freed at stop */
    req->text_bytes = s->openapi_json_bytes;
    return LH_OK;
}

static const lh_route_t openapi_routes[] = {
    {"GET", "/openapi.yaml", openapi_yaml, LH_ROUTE_NO_AUTH},
    {"GET", "/openapi.json", openapi_json, LH_ROUTE_NO_AUTH},
};

const lh_route_t *lh_openapi_routes(int *count)
{
    *count = (int)(sizeof openapi_routes / sizeof openapi_routes[0]);
    return openapi_routes;
}
