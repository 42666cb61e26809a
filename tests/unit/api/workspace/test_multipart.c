/*
 * test_multipart.c - api/workspace/multipart.c: the streaming multipart/form-data parser
 * gives the same parts whatever the chunking (every split point of a body, and one byte at
 * a time), keeps boundary look-alikes inside data, skips preamble and epilogue, and refuses
 * malformed bodies; the Content-Type boundary parameter is parsed quoted or not.
 */
#include <stdlib.h>
#include <string.h>

#include "api/workspace/workspace_internal.h"
#include "t.h"

typedef struct seen {
    char text[65536]; /* "name|filename|data;" per part */
    size_t bytes;
    int parts;
    int fail_at_part; /* begin of this part fails (0 = never) */
} seen;

static void add(seen *s, const char *p, size_t n)
{
    if (s->bytes + n < sizeof s->text) {
        memcpy(s->text + s->bytes, p, n);
        s->bytes += n;
        s->text[s->bytes] = '\0';
    }
}

static lh_err on_begin(void *arg, const char *name, const char *filename, lh_errbuf *eb)
{
    seen *s = arg;
    s->parts++;
    if (s->parts == s->fail_at_part)
        LH_FAIL(LH_E_INVALID, eb, "refused");
    add(s, name, strlen(name));
    add(s, "|", 1);
    if (filename != NULL)
        add(s, filename, strlen(filename));
    add(s, "|", 1);
    return LH_OK;
}

static lh_err on_data(void *arg, const char *bytes, size_t n, lh_errbuf *eb)
{
    (void)eb;
    T_CHECK(n > 0);
    add(arg, bytes, n);
    return LH_OK;
}

static lh_err on_end(void *arg, lh_errbuf *eb)
{
    (void)eb;
    add(arg, ";", 1);
    return LH_OK;
}

static const ws_form_cb CB = {on_begin, on_data, on_end};

/* Parse body fed in chunks of `step` bytes after a first chunk of `first`. */
static lh_err parse(const char *boundary, const char *body, size_t n, size_t first, size_t step,
                    seen *s)
{
    memset(s, 0, sizeof *s);
    ws_form *f = ws_form_new(boundary, &CB, s);
    lh_errbuf eb;
    lh_err e = ws_form_feed(f, body, first < n ? first : n, &eb);
    for (size_t i = first; e == LH_OK && i < n; i += step)
        e = ws_form_feed(f, body + i, n - i < step ? n - i : step, &eb);
    if (e == LH_OK)
        e = ws_form_finish(f, &eb);
    ws_form_free(f);
    return e;
}

static void check_all_splits(const char *boundary, const char *body, const char *want)
{
    size_t n = strlen(body);
    static seen s;
    for (size_t first = 0; first <= n; first++) {
        T_EQ_INT(parse(boundary, body, n, first, n + 1, &s), LH_OK);
        T_EQ_STR(s.text, want);
    }
    T_EQ_INT(parse(boundary, body, n, 1, 1, &s), LH_OK);
    T_EQ_STR(s.text, want);
    T_EQ_INT(parse(boundary, body, n, 3, 7, &s), LH_OK);
    T_EQ_STR(s.text, want);
}

static void test_simple(void)
{
    check_all_splits("XyZ",
                     "--XyZ\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\n/a/b\r\n"
                     "--XyZ\r\nContent-Disposition: form-data; name=\"contents\"; "
                     "filename=\"f.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                     "hello\r\nworld\r\n--XyZ--\r\n",
                     "path||/a/b;contents|f.bin|hello\r\nworld;");
}

static void test_lookalikes(void)
{
    /* partial delimiters, CR runs, a boundary without its CRLF, a longer boundary */
    check_all_splits("ab-ab",
                     "--ab-ab\r\nContent-Disposition: form-data; name=x\r\n\r\n"
                     "\r\r\n\r\n-\r\n--ab-a\r\n--ab-\r\n--ab-aX--ab-ab\r\r\n--ab-ab--",
                     "x||\r\r\n\r\n-\r\n--ab-a\r\n--ab-\r\n--ab-aX--ab-ab\r;");
    check_all_splits("aaa",
                     "--aaa\r\nContent-Disposition: form-data; name=y\r\n\r\n"
                     "\r\n--aa\r\n--aab\r\n-\r\n--aa\r\n--aaa--",
                     "y||\r\n--aa\r\n--aab\r\n-\r\n--aa;");
}

static void test_preamble_epilogue_empty(void)
{
    static seen s;
    check_all_splits(
        "b",
        "preamble\r\nignored\r\n--b  \r\nContent-Disposition: form-data; name=\"e\"\r\n"
        "\r\n\r\n--b\r\nContent-Disposition: form-data; name=\"z\"\r\n\r\nzz\r\n--b--"
        "\r\nepilogue --b\r\n",
        "e||;z||zz;");
    const char *only_end = "--b--";
    T_EQ_INT(parse("b", only_end, strlen(only_end), 5, 1, &s), LH_OK);
    T_EQ_INT(s.parts, 0);
}

static void test_malformed(void)
{
    static seen s;
    const char *bodies[] = {
        "",                                                        /* no closing boundary */
        "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nxx", /* cut in data */
        "--b\r\nContent-Disposition: form-data; name=a\r\n",       /* cut in headers */
        "--b\r\n\r\nno name\r\n--b--",                             /* no Content-Disposition */
        "--bX\r\n",                                                /* garbage after delimiter */
        "--b-x",                                                   /* half a close */
        "--b\rX",                                                  /* CR without LF */
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        lh_err e = parse("b", bodies[i], strlen(bodies[i]), 2, 1, &s);
        T_CHECK(e == LH_E_MALFORMED);
    }
    char big[WS_FORM_HEADERS_MAX + 64] = "--b\r\nX-Pad: ";
    memset(big + strlen(big), 'p', WS_FORM_HEADERS_MAX);
    big[sizeof big - 1] = '\0';
    T_EQ_INT(parse("b", big, strlen(big), 100, 100, &s), LH_E_MALFORMED);
    /* a callback error stops the parser and is returned as it is */
    memset(&s, 0, sizeof s);
    s.fail_at_part = 1;
    ws_form *f = ws_form_new("b", &CB, &s);
    lh_errbuf eb;
    const char *body = "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b--";
    T_EQ_INT(ws_form_feed(f, body, strlen(body), &eb), LH_E_INVALID);
    T_EQ_INT(ws_form_feed(f, "x", 1, &eb), LH_E_MALFORMED);
    T_EQ_INT(ws_form_finish(f, &eb), LH_E_MALFORMED);
    ws_form_free(f);
}

static void test_boundary_header(void)
{
    lh_arena_t *a = lh_arena_create();
    lh_errbuf eb;
    const char *b = NULL;
    T_EQ_INT(ws_form_boundary("multipart/form-data; boundary=abc", a, &b, &eb), LH_OK);
    T_EQ_STR(b, "abc");
    T_EQ_INT(ws_form_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b;c\"", a, &b, &eb),
             LH_OK);
    T_EQ_STR(b, "a b;c");
    T_EQ_INT(ws_form_boundary("multipart/form-data;boundary=x; other=1", a, &b, &eb), LH_OK);
    T_EQ_STR(b, "x");
    T_EQ_INT(ws_form_boundary("multipart/form-data", a, &b, &eb), LH_E_INVALID);
    T_EQ_INT(ws_form_boundary("multipart/form-data; boundary=", a, &b, &eb), LH_E_INVALID);
    T_EQ_INT(ws_form_boundary("multipart/form-data; boundary=\"open", a, &b, &eb), LH_E_INVALID);
    T_EQ_INT(ws_form_boundary("application/json", a, &b, &eb), LH_E_INVALID);
    T_EQ_INT(ws_form_boundary(NULL, a, &b, &eb), LH_E_INVALID);
    char longb[WS_FORM_BOUNDARY_MAX + 64] = "multipart/form-data; boundary=";
    memset(longb + strlen(longb), 'q', WS_FORM_BOUNDARY_MAX + 1);
    longb[sizeof longb - 1] = '\0';
    T_EQ_INT(ws_form_boundary(longb, a, &b, &eb), LH_E_INVALID);
    lh_arena_destroy(a);
}

/* Random data with many CRs and boundary prefixes, against a plain search. */
static void test_random_data(void)
{
    static char data[20000], body[21000];
    unsigned seed = 12345;
    const char *pieces[] = {"\r", "\n", "-", "\r\n", "\r\n-", "\r\n--", "\r\n--q", "\r\n--qq", "x"};
    for (int round = 0; round < 20; round++) {
        size_t n = 0;
        while (n < sizeof data - 16) {
            seed = seed * 1103515245 + 12345;
            const char *p = pieces[(seed >> 16) % 9];
            memcpy(data + n, p, strlen(p));
            n += strlen(p);
        }
        data[n] = '\0';
        int len =
            snprintf(body, sizeof body,
                     "--qqq\r\nContent-Disposition: form-data; name=r\r\n\r\n%s\r\n--qqq--", data);
        static seen s;
        size_t steps[] = {1, 2, 5, 64, 4096, 100000};
        for (size_t k = 0; k < 6; k++) {
            memset(&s, 0, sizeof s);
            T_EQ_INT(parse("qqq", body, (size_t)len, steps[k] / 2, steps[k], &s), LH_OK);
            T_EQ_INT(s.bytes, n + strlen("r||;"));
            T_CHECK(memcmp(s.text + 3, data, n) == 0);
        }
    }
}

int main(void)
{
    T_RUN(test_simple);
    T_RUN(test_lookalikes);
    T_RUN(test_preamble_epilogue_empty);
    T_RUN(test_malformed);
    T_RUN(test_boundary_header);
    T_RUN(test_random_data);
    return T_DONE();
}
