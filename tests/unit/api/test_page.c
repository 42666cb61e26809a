/*
 * test_page.c - api/page: page sizes (default, 0, negative, clamp, over max), token round
 * trips, garbage tokens refused with "Invalid page_token", the three response styles,
 * walking a list forward and back (in memory and through SQLite with the generated WHERE
 * / ORDER BY / bindings, mixed and uniform key directions), stability while rows are
 * inserted between pages, and an empty page that still carries a token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/page.h"
#include "common/limits.h"
#include "t.h"

enum { LIST_A = LH_PAGE_LIST_TEST, LIST_B = 200 }; /* 200: unused by any list */

/* created DESC, name ASC (names unique): newest first, as clusters/list sorts */
static const lh_page_spec MIXED = {LIST_A, "Is", "created, name",      "page_size",
                                   0,      1000, LH_PAGE_ZERO_INVALID, LH_PAGE_STYLE_NEXT_PREV};
/* created ASC, id ASC: one row-value comparison in SQL */
static const lh_page_spec UNIFORM = {LIST_B, "ii", "created, id", "max_results",
                                     4,      10,   LH_PAGE_CLAMP, LH_PAGE_STYLE_NEXT};
static const lh_page_spec JOBS = {LIST_B, "ii", "created, id",         "limit", 20,
                                  100,    0,    LH_PAGE_STYLE_HAS_MORE};

typedef struct row {
    int64_t created, id;
    char name[16];
} row;

#define ROWS_MAX 64
static row rows[ROWS_MAX];
static int row_count;

static void keys_of(const lh_page_spec *spec, const row *r, lh_page_key *k)
{
    memset(k, 0, sizeof(lh_page_key) * LH_PAGE_KEYS_MAX);
    k[0].i = r->created;
    if (spec->keys[1] == 's')
        k[1].s = r->name;
    else
        k[1].i = r->id;
}

static void add_row(int64_t created, int64_t id)
{
    row *r = &rows[row_count++];
    r->created = created;
    r->id = id;
    snprintf(r->name, sizeof r->name, "r%03lld", (long long)id);
}

static const lh_page_spec *sort_spec;
static int by_spec(const void *a, const void *b)
{
    lh_page_key ka[LH_PAGE_KEYS_MAX], kb[LH_PAGE_KEYS_MAX];
    keys_of(sort_spec, a, ka);
    keys_of(sort_spec, b, kb);
    return lh_page_compare(sort_spec, ka, kb);
}

static void make_rows(void)
{
    row_count = 0;
    for (int i = 0; i < 23; i++)
        add_row(1000 + i / 3, 100 - i); /* three rows per timestamp: ties on created */
}

/* One page from the in-memory rows, like an area's list handler. */
static lh_err page_memory(const lh_page_spec *spec, json_t *params, lh_arena_t *a, json_t **out,
                          lh_errbuf *eb)
{
    lh_page_t p;
    LH_TRY(lh_page_parse(spec, params, a, &p, eb));
    row sorted[ROWS_MAX];
    memcpy(sorted, rows, sizeof rows);
    sort_spec = spec;
    qsort(sorted, (size_t)row_count, sizeof *sorted, by_spec);
    json_t *list = json_array();
    for (int n = 0; n < row_count; n++) {
        const row *r = &sorted[p.backward ? row_count - 1 - n : n];
        lh_page_key k[LH_PAGE_KEYS_MAX];
        keys_of(spec, r, k);
        if (!lh_page_in_range(&p, k))
            continue;
        if (!lh_page_take(&p, k))
            break;
        lh_page_add(&p, list, json_integer(r->id));
    }
    *out = json_pack("{s:o}", "rows", list);
    lh_page_finish(&p, *out);
    return LH_OK;
}

static json_t *params_of(const char *size_param, int64_t size, const char *token)
{
    json_t *p = json_object();
    if (size >= 0)
        json_object_set_new(p, size_param, json_integer(size));
    if (token != NULL)
        json_object_set_new(p, "page_token", json_string(token));
    return p;
}

typedef lh_err (*page_fn)(const lh_page_spec *, json_t *, lh_arena_t *, json_t **, lh_errbuf *);

/* Walk every page forward with next tokens, appending ids to got; returns pages. */
static int walk(page_fn fn, const lh_page_spec *spec, int64_t size, json_t *got, json_t **last_page,
                lh_arena_t *a)
{
    const char *token = NULL;
    int pages = 0;
    for (;;) {
        json_t *params = params_of(spec->size_param, size, token), *out = NULL;
        lh_errbuf eb;
        lh_err e = fn(spec, params, a, &out, &eb);
        json_decref(params);
        T_EQ_INT(e, LH_OK);
        if (e != LH_OK)
            return pages;
        pages++;
        json_array_extend(got, json_object_get(out, "rows"));
        const char *next = json_string_value(json_object_get(out, "next_page_token"));
        token = next ? lh_arena_strdup(a, next) : NULL;
        json_decref(*last_page);
        *last_page = out;
        if (token == NULL || pages > 100)
            return pages;
    }
}

static json_t *expected_ids(const lh_page_spec *spec)
{
    row sorted[ROWS_MAX];
    memcpy(sorted, rows, sizeof rows);
    sort_spec = spec;
    qsort(sorted, (size_t)row_count, sizeof *sorted, by_spec);
    json_t *ids = json_array();
    for (int i = 0; i < row_count; i++)
        json_array_append_new(ids, json_integer(sorted[i].id));
    return ids;
}

static void test_sizes(void)
{
    lh_arena_t *a = lh_arena_create();
    lh_page_t p;
    lh_errbuf eb;
    json_t *q = json_object();
    T_EQ_INT(lh_page_parse(&UNIFORM, q, a, &p, &eb), LH_OK); /* absent: default */
    T_EQ_INT(p.limit, 4);
    T_EQ_INT(p.fetch, 5);
    T_CHECK(!p.has_pos);
    json_object_set_new(q, "max_results", json_integer(0)); /* SDK: 0 = server default */
    T_EQ_INT(lh_page_parse(&UNIFORM, q, a, &p, &eb), LH_OK);
    T_EQ_INT(p.limit, 4);
    json_object_set_new(q, "max_results", json_string("7")); /* query strings */
    T_EQ_INT(lh_page_parse(&UNIFORM, q, a, &p, &eb), LH_OK);
    T_EQ_INT(p.limit, 7);
    json_object_set_new(q, "max_results", json_integer(5000)); /* clamped */
    T_EQ_INT(lh_page_parse(&UNIFORM, q, a, &p, &eb), LH_OK);
    T_EQ_INT(p.limit, 10);
    json_object_set_new(q, "max_results", json_integer(-1));
    T_EQ_INT(lh_page_parse(&UNIFORM, q, a, &p, &eb), LH_E_INVALID);
    json_object_clear(q);
    json_object_set_new(q, "limit", json_integer(101)); /* Jobs: over the max is 400 */
    T_EQ_INT(lh_page_parse(&JOBS, q, a, &p, &eb), LH_E_INVALID);
    json_object_set_new(q, "limit", json_integer(100));
    T_EQ_INT(lh_page_parse(&JOBS, q, a, &p, &eb), LH_OK);
    T_EQ_INT(p.limit, 100);
    json_object_clear(q);
    T_EQ_INT(lh_page_parse(&MIXED, q, a, &p, &eb), LH_OK); /* default 0: unbounded */
    T_EQ_INT(p.limit, 0);
    T_EQ_INT(p.fetch, -1);
    json_object_set_new(q, "page_size", json_integer(0));
    T_EQ_INT(lh_page_parse(&MIXED, q, a, &p, &eb), LH_E_INVALID); /* ZERO_INVALID */
    json_object_set_new(q, "page_size", json_integer(LH_PAGE_SIZE_MAX));
    T_EQ_INT(lh_page_parse(&MIXED, q, a, &p, &eb), LH_OK);
    json_object_set_new(q, "page_size", json_integer(LH_PAGE_SIZE_MAX + 1));
    T_EQ_INT(lh_page_parse(&MIXED, q, a, &p, &eb), LH_E_INVALID);
    json_decref(q);
    lh_arena_destroy(a);
}

static void test_token_roundtrip(void)
{
    lh_arena_t *a = lh_arena_create();
    static const lh_page_spec S = {9, "Isi", NULL, "max_results", 5, 10, 0, LH_PAGE_STYLE_NEXT};
    lh_page_t p;
    json_t *q = json_object();
    T_EQ_INT(lh_page_parse(&S, q, a, &p, NULL), LH_OK);
    const char *texts[] = {"", "a", "h\xc3\xa9llo w/ spaces+slashes?", "x"};
    int64_t ints[] = {INT64_MIN, -1, 0, INT64_MAX};
    for (int t = 0; t < 4; t++) {
        lh_page_key k[3] = {{.i = ints[t]}, {.s = texts[t]}, {.i = ints[3 - t]}};
        for (int flags = 0; flags < 4; flags++) {
            const char *tok = lh_page_token(&p, k, flags & 1, flags & 2);
            T_CHECK(strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                "0123456789-_") == strlen(tok)); /* URL-safe as is */
            json_object_set_new(q, "page_token", json_string(tok));
            lh_page_t d;
            T_EQ_INT(lh_page_parse(&S, q, a, &d, NULL), LH_OK);
            T_CHECK(d.has_pos);
            T_EQ_INT(d.backward, (flags & 1) != 0);
            T_EQ_INT(d.inclusive, (flags & 2) != 0);
            T_EQ_INT(d.pos[0].i, ints[t]);
            T_EQ_STR(d.pos[1].s, texts[t]);
            T_EQ_INT(d.pos[2].i, ints[3 - t]);
        }
    }
    json_object_set_new(q, "page_token", json_string("")); /* empty: first page */
    T_EQ_INT(lh_page_parse(&S, q, a, &p, NULL), LH_OK);
    T_CHECK(!p.has_pos);
    json_decref(q);
    lh_arena_destroy(a);
}

static void expect_invalid(const lh_page_spec *spec, const char *tok)
{
    lh_arena_t *a = lh_arena_create();
    json_t *q = json_pack("{s:s}", "page_token", tok);
    lh_page_t p;
    lh_errbuf eb;
    memset(&eb, 0, sizeof eb);
    T_EQ_INT(lh_page_parse(spec, q, a, &p, &eb), LH_E_INVALID);
    T_EQ_STR(eb.msg, "Invalid page_token");
    T_EQ_STR(lh_errbuf_code_name(&eb), "INVALID_PARAMETER_VALUE");
    json_decref(q);
    lh_arena_destroy(a);
}

/* base64url of raw bytes, through a token-shaped detour: build bytes by hand. */
static const char *b64(lh_arena_t *a, const uint8_t *b, size_t n)
{
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *out = lh_arena_alloc(a, n * 2 + 4), *o = out;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = acc << 8 | b[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            *o++ = al[acc >> bits & 63];
        }
    }
    if (bits > 0)
        *o++ = al[acc << (6 - bits) & 63];
    *o = '\0';
    return out;
}

static void test_garbage_tokens(void)
{
    lh_arena_t *a = lh_arena_create();
    const char *junk[] = {"abc", "0", "!!!!", "a b", "12345", "eyJvZmZzZXQiOjV9", "A", "===="};
    for (size_t i = 0; i < sizeof junk / sizeof *junk; i++)
        expect_invalid(&UNIFORM, junk[i]);
    /* a valid UNIFORM token: version 1, list B, flags 0, two int keys */
    uint8_t good[4 + 18] = {1, LIST_B, 0,   2, 'i', 0, 0, 0, 0, 0, 0,
                            0, 5,      'i', 0, 0,   0, 0, 0, 0, 0, 9};
    lh_page_t p;
    json_t *q = json_pack("{s:s}", "page_token", b64(a, good, sizeof good));
    T_EQ_INT(lh_page_parse(&UNIFORM, q, a, &p, NULL), LH_OK);
    T_EQ_INT(p.pos[0].i, 5);
    T_EQ_INT(p.pos[1].i, 9);
    json_decref(q);
    expect_invalid(&MIXED, b64(a, good, sizeof good)); /* another list's token */
    uint8_t bad[sizeof good + 1];
    memcpy(bad, good, sizeof good);
    bad[0] = 2; /* version */
    expect_invalid(&UNIFORM, b64(a, bad, sizeof good));
    memcpy(bad, good, sizeof good);
    bad[2] = 4; /* unknown flag */
    expect_invalid(&UNIFORM, b64(a, bad, sizeof good));
    memcpy(bad, good, sizeof good);
    bad[3] = 1; /* key count */
    expect_invalid(&UNIFORM, b64(a, bad, sizeof good));
    memcpy(bad, good, sizeof good);
    bad[13] = 's'; /* key type */
    expect_invalid(&UNIFORM, b64(a, bad, sizeof good));
    expect_invalid(&UNIFORM, b64(a, good, sizeof good - 1)); /* truncated */
    memcpy(bad, good, sizeof good);
    bad[sizeof good] = 0; /* trailing byte */
    expect_invalid(&UNIFORM, b64(a, bad, sizeof good + 1));
    uint8_t nul_text[] = {1, LIST_A, 0, 2, 'i', 0, 0, 0, 0, 0, 0, 0, 1, 's', 0, 2, 'a', 0};
    expect_invalid(&MIXED, b64(a, nul_text, sizeof nul_text)); /* NUL inside text */
    uint8_t long_text[] = {1, LIST_A, 0, 2, 'i', 0, 0, 0, 0, 0, 0, 0, 1, 's', 0, 9, 'a'};
    expect_invalid(&MIXED, b64(a, long_text, sizeof long_text)); /* length past the end */
    char *huge = lh_arena_alloc(a, LH_PAGE_TOKEN_MAX + 2);
    memset(huge, 'A', LH_PAGE_TOKEN_MAX + 1);
    huge[LH_PAGE_TOKEN_MAX + 1] = '\0';
    expect_invalid(&UNIFORM, huge);
    lh_arena_destroy(a);
}

/* Forward through every page, then back with prev tokens: same rows, same pages. */
static void check_walks(page_fn fn)
{
    lh_arena_t *a = lh_arena_create();
    make_rows();
    const lh_page_spec *specs[] = {&MIXED, &UNIFORM};
    for (int s = 0; s < 2; s++) {
        json_t *got = json_array(), *last = NULL;
        int pages = walk(fn, specs[s], 5, got, &last, a);
        json_t *want = expected_ids(specs[s]);
        T_CHECK(json_equal(got, want));
        T_EQ_INT(pages, 5); /* 23 rows by 5 */
        T_EQ_INT(json_array_size(json_object_get(last, "rows")), 3);
        json_decref(want);
        json_decref(got);
        json_decref(last);
    }
    /* backward from the last page of MIXED, with prev_page_token */
    json_t *got = json_array(), *last = NULL;
    walk(fn, &MIXED, 5, got, &last, a);
    json_t *back = json_array();
    json_array_extend(back, json_object_get(last, "rows"));
    const char *prev = json_string_value(json_object_get(last, "prev_page_token"));
    int pages = 1;
    while (prev != NULL && pages < 20) {
        json_t *params = params_of("page_size", 5, prev), *out = NULL;
        T_EQ_INT(fn(&MIXED, params, a, &out, NULL), LH_OK);
        json_decref(params);
        T_EQ_INT(json_array_size(json_object_get(out, "rows")), 5);
        T_CHECK(json_object_get(out, "next_page_token") != NULL); /* back to where we were */
        json_t *merged = json_copy(json_object_get(out, "rows"));
        json_array_extend(merged, back);
        json_decref(back);
        back = merged;
        const char *p = json_string_value(json_object_get(out, "prev_page_token"));
        prev = p ? lh_arena_strdup(a, p) : NULL;
        json_decref(out);
        pages++;
    }
    T_EQ_INT(pages, 5);
    T_CHECK(json_equal(back, got)); /* the same rows, in list order */
    json_decref(back);
    json_decref(got);
    json_decref(last);
    lh_arena_destroy(a);
}

static void test_walk_memory(void)
{
    check_walks(page_memory);
}

/* Rows inserted before and after the position between two pages: the next page starts
 * right after the last row seen (no repeats, no skipped existing rows). */
static void test_stable_under_inserts(void)
{
    lh_arena_t *a = lh_arena_create();
    make_rows();
    json_t *params = params_of("page_size", 5, NULL), *out = NULL;
    T_EQ_INT(page_memory(&MIXED, params, a, &out, NULL), LH_OK);
    json_decref(params);
    const char *tok =
        lh_arena_strdup(a, json_string_value(json_object_get(out, "next_page_token")));
    json_decref(out);
    add_row(5000, 1); /* newest: lands on page one, before the position */
    add_row(1, 2);    /* oldest: lands at the end */
    params = params_of("page_size", 100, tok);
    T_EQ_INT(page_memory(&MIXED, params, a, &out, NULL), LH_OK);
    json_decref(params);
    json_t *rest = json_object_get(out, "rows");
    T_EQ_INT(json_array_size(rest), 23 - 5 + 1); /* every old row after page one + oldest */
    T_EQ_INT(json_integer_value(json_array_get(rest, json_array_size(rest) - 1)), 2);
    for (size_t i = 0; i < json_array_size(rest); i++)
        T_CHECK(json_integer_value(json_array_get(rest, i)) != 1);
    json_decref(out);
    lh_arena_destroy(a);
}

static void test_styles(void)
{
    lh_arena_t *a = lh_arena_create();
    make_rows();
    json_t *params = params_of("limit", 20, NULL), *out = NULL;
    T_EQ_INT(page_memory(&JOBS, params, a, &out, NULL), LH_OK);
    T_CHECK(json_is_true(json_object_get(out, "has_more")));
    const char *tok = json_string_value(json_object_get(out, "next_page_token"));
    T_CHECK(tok != NULL);
    T_CHECK(json_object_get(out, "prev_page_token") == NULL);
    json_object_set_new(params, "page_token", json_string(tok));
    json_decref(out);
    T_EQ_INT(page_memory(&JOBS, params, a, &out, NULL), LH_OK);
    T_CHECK(json_is_false(json_object_get(out, "has_more"))); /* always present */
    T_CHECK(json_object_get(out, "next_page_token") == NULL);
    T_EQ_INT(json_array_size(json_object_get(out, "rows")), 3);
    json_decref(out);
    json_decref(params);
    /* NEXT style: no prev token even after page one; the last page has no token */
    json_t *got = json_array(), *last = NULL;
    walk(page_memory, &UNIFORM, 10, got, &last, a);
    T_CHECK(json_object_get(last, "prev_page_token") == NULL);
    T_CHECK(json_object_get(last, "has_more") == NULL);
    T_CHECK(json_object_get(last, "next_page_token") == NULL);
    json_decref(got);
    json_decref(last);
    /* NEXT_PREV without page_size: everything, no tokens (the 2.0 clusters/list shape) */
    params = json_object();
    T_EQ_INT(page_memory(&MIXED, params, a, &out, NULL), LH_OK);
    T_EQ_INT(json_array_size(json_object_get(out, "rows")), 23);
    T_EQ_INT(json_object_size(out), 1);
    json_decref(out);
    json_decref(params);
    lh_arena_destroy(a);
}

/* A scan that filters every row it reads and stops on a budget: an empty page that
 * still carries a token, which resumes after the scanned rows. */
static void test_empty_page_with_token(void)
{
    lh_arena_t *a = lh_arena_create();
    make_rows();
    json_t *params = params_of("max_results", 0, NULL);
    lh_page_t p;
    T_EQ_INT(lh_page_parse(&UNIFORM, params, a, &p, NULL), LH_OK);
    row sorted[ROWS_MAX];
    memcpy(sorted, rows, sizeof rows);
    sort_spec = &UNIFORM;
    qsort(sorted, (size_t)row_count, sizeof *sorted, by_spec);
    for (int i = 0; i < 3; i++) { /* budget of 3 rows, all filtered out */
        lh_page_key k[LH_PAGE_KEYS_MAX];
        keys_of(&UNIFORM, &sorted[i], k);
        lh_page_pass(&p, k);
    }
    lh_page_cut(&p);
    json_t *out = json_pack("{s:[]}", "rows");
    lh_page_finish(&p, out);
    const char *tok = json_string_value(json_object_get(out, "next_page_token"));
    T_CHECK(tok != NULL);
    json_object_set_new(params, "page_token", json_string(tok));
    json_decref(out);
    T_EQ_INT(page_memory(&UNIFORM, params, a, &out, NULL), LH_OK);
    T_EQ_INT(json_integer_value(json_array_get(json_object_get(out, "rows"), 0)),
             sorted[3].id); /* resumes after the three scanned rows */
    json_decref(out);
    json_decref(params);
    lh_arena_destroy(a);
}

/* ---- SQLite ---- */

static lh_meta_t *meta;

static lh_err create_table(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    (void)arg;
    LH_TRY(lh_meta_exec(m,
                        "CREATE TABLE IF NOT EXISTS page_rows (created INTEGER, id INTEGER "
                        "PRIMARY KEY, name TEXT UNIQUE)",
                        eb));
    LH_TRY(lh_meta_exec(m, "DELETE FROM page_rows", eb));
    for (int i = 0; i < row_count; i++) {
        lh_stmt_t *st;
        LH_TRY(lh_meta_stmt(m, "INSERT INTO page_rows VALUES (?, ?, ?)", &st, eb));
        lh_stmt_bind_int(st, 1, rows[i].created);
        lh_stmt_bind_int(st, 2, rows[i].id);
        lh_stmt_bind_text(st, 3, rows[i].name);
        LH_TRY(lh_stmt_run(st, eb));
    }
    return LH_OK;
}

typedef struct sql_arg {
    lh_page_t *p;
    json_t *list;
} sql_arg;

static lh_err sql_page_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    sql_arg *sa = arg;
    lh_page_t *p = sa->p;
    const char *sql = lh_arena_sprintf(p->arena,
                                       "SELECT created, id, name FROM page_rows WHERE id > ?1 "
                                       "AND %s ORDER BY %s LIMIT ?%d",
                                       lh_page_sql_where(p, 2), lh_page_sql_order(p),
                                       2 + (int)strlen(p->spec->keys));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, sql, &st, eb));
    lh_stmt_bind_int(st, 1, 0);        /* the caller's own filter comes first */
    int next = lh_page_bind(p, st, 2); /* LIMIT is ?4 with or without a token */
    lh_stmt_bind_int(st, next, p->fetch);
    for (;;) {
        bool has_row;
        LH_TRY(lh_stmt_step(st, &has_row, eb));
        if (!has_row)
            return LH_OK;
        row r = {lh_stmt_int(st, 0), lh_stmt_int(st, 1), ""};
        snprintf(r.name, sizeof r.name, "%s", lh_stmt_text(st, 2));
        lh_page_key k[LH_PAGE_KEYS_MAX];
        keys_of(p->spec, &r, k);
        if (!lh_page_take(p, k))
            return LH_OK;
        lh_page_add(p, sa->list, json_integer(r.id));
    }
}

static lh_err page_sql(const lh_page_spec *spec, json_t *params, lh_arena_t *a, json_t **out,
                       lh_errbuf *eb)
{
    lh_page_t p;
    LH_TRY(lh_page_parse(spec, params, a, &p, eb));
    sql_arg sa = {&p, json_array()};
    lh_err e = lh_meta_read(meta, sql_page_cb, &sa, eb);
    if (e != LH_OK) {
        json_decref(sa.list);
        return e;
    }
    *out = json_pack("{s:o}", "rows", sa.list);
    lh_page_finish(&p, *out);
    return LH_OK;
}

static void test_walk_sqlite(void)
{
    char dir[] = "/tmp/lh-page-XXXXXX";
    T_CHECK(mkdtemp(dir) != NULL);
    char path[64];
    snprintf(path, sizeof path, "%s/meta.db", dir);
    T_EQ_INT(lh_meta_open(path, &meta, NULL), LH_OK);
    make_rows();
    T_EQ_INT(lh_meta_tx(meta, create_table, NULL, NULL), LH_OK);
    check_walks(page_sql);
    lh_arena_t *a = lh_arena_create();
    lh_page_t p;
    json_t *q = params_of("page_size", 5, NULL);
    T_EQ_INT(lh_page_parse(&MIXED, q, a, &p, NULL), LH_OK);
    T_EQ_STR(lh_page_sql_where(&p, 2), "1");
    T_EQ_STR(lh_page_sql_order(&p), "created DESC, name ASC");
    lh_page_key k[2] = {{.i = 3}, {.s = "x"}};
    json_object_set_new(q, "page_token", json_string(lh_page_token(&p, k, false, false)));
    T_EQ_INT(lh_page_parse(&MIXED, q, a, &p, NULL), LH_OK);
    T_EQ_STR(lh_page_sql_where(&p, 2), "((created < ?2) OR (created = ?2 AND name > ?3))");
    json_decref(q);
    q = params_of("max_results", 5, NULL);
    p.spec = &UNIFORM; /* mint a UNIFORM token: backward, inclusive */
    lh_page_key ki[2] = {{.i = 3}, {.i = 4}};
    json_object_set_new(q, "page_token", json_string(lh_page_token(&p, ki, true, true)));
    T_EQ_INT(lh_page_parse(&UNIFORM, q, a, &p, NULL), LH_OK);
    T_EQ_STR(lh_page_sql_where(&p, 1), "((created, id) <= (?1, ?2))");
    T_EQ_STR(lh_page_sql_order(&p), "created DESC, id DESC");
    json_decref(q);
    lh_arena_destroy(a);
    lh_meta_close(meta);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    T_EQ_INT(system(cmd), 0);
}

int main(void)
{
    T_RUN(test_sizes);
    T_RUN(test_token_roundtrip);
    T_RUN(test_garbage_tokens);
    T_RUN(test_walk_memory);
    T_RUN(test_stable_under_inserts);
    T_RUN(test_styles);
    T_RUN(test_empty_page_with_token);
    T_RUN(test_walk_sqlite);
    return T_DONE();
}
