/*
 * router.c - a flat list of compiled routes, matched segment by segment.
 *
 * ~100 routes with 3-6 segments each: a linear scan that compares the first literal
 * segment difference cheaply is well under a microsecond, so no trie yet.
 */
#include "server/router.h"

#include <stdlib.h>
#include <string.h>

#define SEGMENTS_MAX 32

typedef enum { SEG_LITERAL, SEG_ALT, SEG_CAPTURE, SEG_REST } seg_kind;

typedef struct {
    seg_kind kind;
    const char *text; /* literal, or "a|b" for ALT (points into the pattern) */
    size_t text_bytes;
} seg;

typedef struct {
    const lh_route_t *route;
    int seg_count;
    seg segs[SEGMENTS_MAX];
} compiled;

struct lh_router {
    compiled *routes;
    int count, cap;
};

lh_router_t *lh_router_create(void)
{
    lh_router_t *r = calloc(1, sizeof *r);
    LH_ASSERT(r != NULL);
    return r;
}

void lh_router_destroy(lh_router_t *r)
{
    if (r == NULL)
        return;
    free(r->routes);
    free(r);
}

static void compile(compiled *c, const lh_route_t *route)
{
    c->route = route;
    c->seg_count = 0;
    const char *p = route->pattern;
    LH_ASSERT(*p == '/');
    while (*p == '/') {
        p++;
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        LH_ASSERT(c->seg_count < SEGMENTS_MAX);
        seg *s = &c->segs[c->seg_count++];
        if (n == 3 && memcmp(p, "{*}", 3) == 0) {
            s->kind = SEG_REST; /* the rest of the path: one or more segments */
            LH_ASSERT(p[n] == '\0');
        } else if (n >= 2 && p[0] == '{' && p[n - 1] == '}') {
            s->text = p + 1;
            s->text_bytes = n - 2;
            s->kind = memchr(p, '|', n) ? SEG_ALT : SEG_CAPTURE;
        } else {
            s->kind = SEG_LITERAL;
            s->text = p;
            s->text_bytes = n;
        }
        p += n;
    }
}

void lh_router_add(lh_router_t *r, const lh_route_t *routes, int count)
{
    if (r->count + count > r->cap) {
        r->cap = (r->count + count) * 2;
        r->routes = realloc(r->routes, (size_t)r->cap * sizeof *r->routes);
        LH_ASSERT(r->routes != NULL);
    }
    for (int i = 0; i < count; i++)
        compile(&r->routes[r->count++], &routes[i]);
}

static int alt_matches(const seg *s, const char *p, size_t n)
{
    const char *a = s->text, *end = s->text + s->text_bytes;
    while (a < end) {
        const char *bar = memchr(a, '|', (size_t)(end - a));
        size_t len = bar ? (size_t)(bar - a) : (size_t)(end - a);
        if (len == n && memcmp(a, p, n) == 0)
            return 1;
        a += len + 1;
    }
    return 0;
}

/* Split path into segments (pointers into path, lengths). Returns count or -1. */
static int split(const char *path, const char **starts, size_t *lens)
{
    int n = 0;
    const char *p = path;
    if (*p != '/')
        return -1;
    while (*p == '/') {
        p++;
        if (n == SEGMENTS_MAX)
            return -1;
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 0 && end == NULL && n > 0) /* tolerate one trailing slash */
            break;
        starts[n] = p;
        lens[n] = len;
        n++;
        p += len;
    }
    return n;
}

static int matches(const compiled *c, int n, const char **starts, const size_t *lens)
{
    int rest = c->seg_count > 0 && c->segs[c->seg_count - 1].kind == SEG_REST;
    if (rest ? n < c->seg_count : c->seg_count != n)
        return 0;
    for (int i = 0; i < c->seg_count - rest; i++) {
        const seg *s = &c->segs[i];
        if (s->kind == SEG_LITERAL &&
            (s->text_bytes != lens[i] || memcmp(s->text, starts[i], lens[i]) != 0))
            return 0;
        if (s->kind == SEG_ALT && !alt_matches(s, starts[i], lens[i]))
            return 0;
        if (s->kind == SEG_CAPTURE && lens[i] == 0)
            return 0;
    }
    return 1;
}

lh_match lh_router_match(const lh_router_t *r, const char *method, const char *path, lh_req_t *req,
                         const lh_route_t **route, int *route_index)
{
    const char *starts[SEGMENTS_MAX];
    size_t lens[SEGMENTS_MAX];
    int n = split(path, starts, lens);
    if (n < 0)
        return LH_MATCH_NO_PATH;
    lh_match result = LH_MATCH_NO_PATH;
    for (int i = 0; i < r->count; i++) {
        const compiled *c = &r->routes[i];
        if (!matches(c, n, starts, lens))
            continue;
        if (strcmp(c->route->method, method) != 0 && strcmp(c->route->method, "*") != 0 &&
            !(strcmp(method, "HEAD") == 0 && strcmp(c->route->method, "GET") == 0)) {
            result = LH_MATCH_NO_METHOD;
            continue;
        }
        req->path_param_count = 0;
        for (int k = 0; k < n; k++) {
            if (c->segs[k].kind == SEG_CAPTURE && req->path_param_count < LH_REQ_PATH_PARAMS_MAX)
                req->path_params[req->path_param_count++] =
                    lh_arena_strndup(req->arena, starts[k], lens[k]);
        }
        *route = c->route;
        *route_index = i;
        return LH_MATCH_OK;
    }
    return result;
}

int lh_router_count(const lh_router_t *r)
{
    return r->count;
}

const lh_route_t *lh_router_get(const lh_router_t *r, int i)
{
    return r->routes[i].route;
}
