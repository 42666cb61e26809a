/*
 * multipart.c - a streaming multipart/form-data parser (RFC 7578 over RFC 2046), for
 * POST /api/2.0/dbfs/put with a file part: the body arrives in chunks split anywhere and
 * the file's bytes go straight to a callback, so nothing but a part's header block (at
 * most WS_FORM_HEADERS_MAX bytes) is ever buffered.
 *
 * The delimiter D is CRLF "--" boundary. Part data is searched for D with a
 * Knuth-Morris-Pratt automaton: `matched` counts how many bytes of D the input ends with.
 * Those bytes are exactly D's prefix, so they need no buffer across chunks: when the match
 * fails they are emitted as data from D itself. memchr jumps to the next CR while nothing is
 * matched, which keeps large parts fast. The body's first delimiter has no leading CRLF, so
 * the parser starts as if "\r\n" had just been read (preamble bytes are dropped).
 *
 *   PREAMBLE --D--> AFTER (skip spaces) --"--"--> END (epilogue ignored)
 *                          \--CRLF--> HEADERS --CRLF CRLF--> DATA --D--> AFTER ...
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/workspace/workspace_internal.h"

typedef enum { S_PREAMBLE, S_AFTER, S_AFTER_DASH, S_AFTER_CR, S_HEADERS, S_DATA, S_END } state;

struct ws_form {
    const ws_form_cb *cb;
    void *arg;
    state st;
    bool failed;
    bool in_part; /* begin ran, end not yet */
    size_t delim_bytes;
    size_t matched;
    char delim[WS_FORM_BOUNDARY_MAX + 4];
    size_t fail[WS_FORM_BOUNDARY_MAX + 4]; /* KMP failure function of delim */
    size_t header_bytes;
    char headers[WS_FORM_HEADERS_MAX + 1];
};

lh_err ws_form_boundary(const char *content_type, lh_arena_t *a, const char **boundary,
                        lh_errbuf *eb)
{
    LH_FAIL_IF(content_type == NULL || strncasecmp(content_type, "multipart/form-data", 19) != 0,
               LH_E_INVALID, eb, "Expected a multipart/form-data body");
    const char *p = content_type + 19;
    while ((p = strchr(p, ';')) != NULL) {
        p++;
        p += strspn(p, " \t");
        if (strncasecmp(p, "boundary=", 9) != 0)
            continue;
        p += 9;
        size_t n;
        if (*p == '"') {
            const char *close = strchr(++p, '"');
            LH_FAIL_IF(close == NULL, LH_E_INVALID, eb, "Malformed multipart boundary");
            n = (size_t)(close - p);
        } else {
            n = strcspn(p, "; \t");
        }
        LH_FAIL_IF(n == 0 || n > WS_FORM_BOUNDARY_MAX, LH_E_INVALID, eb,
                   "The multipart boundary must be 1 to %d characters", WS_FORM_BOUNDARY_MAX);
        for (size_t i = 0; i < n; i++)
            LH_FAIL_IF((unsigned char)p[i] < 0x20 || p[i] == 0x7f, LH_E_INVALID, eb,
                       "Malformed multipart boundary");
        *boundary = lh_arena_strndup(a, p, n);
        return LH_OK;
    }
    LH_FAIL(LH_E_INVALID, eb, "The multipart/form-data body has no boundary");
}

ws_form *ws_form_new(const char *boundary, const ws_form_cb *cb, void *arg)
{
    size_t b = strlen(boundary);
    LH_ASSERT(b > 0 && b <= WS_FORM_BOUNDARY_MAX);
    ws_form *f = calloc(1, sizeof *f);
    if (f == NULL)
        return NULL;
    f->cb = cb;
    f->arg = arg;
    memcpy(f->delim, "\r\n--", 4);
    memcpy(f->delim + 4, boundary, b);
    f->delim_bytes = b + 4;
    f->fail[0] = 0;
    for (size_t i = 1, k = 0; i < f->delim_bytes; i++) {
        while (k > 0 && f->delim[i] != f->delim[k])
            k = f->fail[k - 1];
        if (f->delim[i] == f->delim[k])
            k++;
        f->fail[i] = k;
    }
    f->st = S_PREAMBLE;
    f->matched = 2; /* the body starts as if after a CRLF */
    return f;
}

void ws_form_free(ws_form *f)
{
    free(f);
}

static lh_err emit(ws_form *f, const char *p, size_t n, lh_errbuf *eb)
{
    return f->st == S_DATA && n > 0 ? f->cb->data(f->arg, p, n, eb) : LH_OK;
}

/* Copy a parameter value (name="x" or name=x) of a Content-Disposition line into out. */
static bool disposition_param(const char *line, const char *param, char *out, size_t cap)
{
    size_t pn = strlen(param);
    for (const char *p = strchr(line, ';'); p != NULL; p = strchr(p, ';')) {
        p++;
        p += strspn(p, " \t");
        if (strncasecmp(p, param, pn) != 0 || p[pn] != '=')
            continue;
        p += pn + 1;
        size_t n = 0;
        if (*p == '"') {
            p++;
            while (p[n] != '\0' && p[n] != '"')
                n++;
        } else {
            n = strcspn(p, "; \t");
        }
        if (n >= cap)
            return false;
        memcpy(out, p, n);
        out[n] = '\0';
        return true;
    }
    return false;
}

static lh_err part_begin(ws_form *f, lh_errbuf *eb)
{
    char name[256], filename[512];
    bool has_name = false, has_file = false;
    f->headers[f->header_bytes] = '\0';
    for (char *line = f->headers; line != NULL && *line != '\0';) {
        char *eol = strstr(line, "\r\n");
        if (eol != NULL)
            *eol = '\0';
        if (strncasecmp(line, "Content-Disposition:", 20) == 0) {
            has_name = disposition_param(line, "name", name, sizeof name);
            has_file = disposition_param(line, "filename", filename, sizeof filename);
        }
        line = eol != NULL ? eol + 2 : NULL;
    }
    LH_FAIL_IF(!has_name, LH_E_MALFORMED, eb,
               "A multipart part has no Content-Disposition name (or it is too long)");
    f->in_part = true;
    return f->cb->begin(f->arg, name, has_file ? filename : NULL, eb);
}

/* HEADERS: collect until CRLF CRLF (an empty block is just CRLF). */
static lh_err feed_headers(ws_form *f, char c, lh_errbuf *eb)
{
    LH_FAIL_IF(f->header_bytes >= WS_FORM_HEADERS_MAX, LH_E_MALFORMED, eb,
               "A multipart part's headers exceed %d bytes", WS_FORM_HEADERS_MAX);
    f->headers[f->header_bytes++] = c;
    size_t n = f->header_bytes;
    bool done = (n == 2 && memcmp(f->headers, "\r\n", 2) == 0) ||
                (n >= 4 && memcmp(f->headers + n - 4, "\r\n\r\n", 4) == 0);
    if (!done)
        return LH_OK;
    f->header_bytes = n == 2 ? 0 : n - 2; /* keep the last header line's CRLF */
    LH_TRY(part_begin(f, eb));
    f->st = S_DATA;
    f->matched = 0;
    return LH_OK;
}

/* The byte after a delimiter: "--" ends the body, CRLF starts a part, blanks are padding. */
static lh_err feed_after(ws_form *f, char c, lh_errbuf *eb)
{
    if (f->st == S_AFTER_DASH) {
        LH_FAIL_IF(c != '-', LH_E_MALFORMED, eb, "Malformed multipart delimiter");
        f->st = S_END;
    } else if (f->st == S_AFTER_CR) {
        LH_FAIL_IF(c != '\n', LH_E_MALFORMED, eb, "Malformed multipart delimiter");
        f->st = S_HEADERS;
        f->header_bytes = 0;
    } else if (c == '-') {
        f->st = S_AFTER_DASH;
    } else if (c == '\r') {
        f->st = S_AFTER_CR;
    } else {
        LH_FAIL_IF(c != ' ' && c != '\t', LH_E_MALFORMED, eb, "Malformed multipart delimiter");
    }
    return LH_OK;
}

/* DATA or PREAMBLE from p[i]: returns the index after the delimiter, or n. */
static lh_err feed_data(ws_form *f, const char *p, size_t n, size_t *i, lh_errbuf *eb)
{
    size_t run = *i; /* start of plain bytes not emitted yet (when matched == 0) */
    for (size_t k = *i; k < n; k++) {
        if (f->matched == 0) {
            const char *cr = memchr(p + k, '\r', n - k);
            if (cr == NULL) {
                k = n;
                break;
            }
            k = (size_t)(cr - p);
            LH_TRY(emit(f, p + run, k - run, eb));
            f->matched = 1;
            continue;
        }
        char c = p[k];
        while (f->matched > 0 && f->delim[f->matched] != c) {
            size_t back = f->fail[f->matched - 1];
            LH_TRY(emit(f, f->delim, f->matched - back, eb)); /* these were data after all */
            f->matched = back;
        }
        if (f->delim[f->matched] == c) {
            f->matched++;
        } else {
            run = k; /* c is plain data: a new run starts here */
            continue;
        }
        if (f->matched == f->delim_bytes) {
            if (f->in_part) {
                f->in_part = false;
                LH_TRY(f->cb->end(f->arg, eb));
            }
            f->st = S_AFTER;
            f->matched = 0;
            *i = k + 1;
            return LH_OK;
        }
        run = k + 1;
    }
    if (f->matched == 0)
        LH_TRY(emit(f, p + run, n - run, eb));
    *i = n;
    return LH_OK;
}

lh_err ws_form_feed(ws_form *f, const char *bytes, size_t n, lh_errbuf *eb)
{
    LH_FAIL_IF(f->failed, LH_E_MALFORMED, eb, "The multipart body is malformed");
    lh_err e = LH_OK;
    for (size_t i = 0; i < n && e == LH_OK;) {
        switch (f->st) {
        case S_PREAMBLE:
        case S_DATA:
            e = feed_data(f, bytes, n, &i, eb);
            break;
        case S_HEADERS:
            e = feed_headers(f, bytes[i++], eb);
            break;
        case S_END:
            i = n; /* the epilogue is ignored */
            break;
        default:
            e = feed_after(f, bytes[i++], eb);
            break;
        }
    }
    if (e != LH_OK)
        f->failed = true;
    return e;
}

lh_err ws_form_finish(ws_form *f, lh_errbuf *eb)
{
    LH_FAIL_IF(f->failed || f->st != S_END, LH_E_MALFORMED, eb,
               "The multipart body ended before its closing boundary");
    return LH_OK;
}
