/*
 * page.c - keyset paging shared by every list endpoint (contract in page.h).
 *
 * Tokens after a page (fetch order: the order rows were scanned; F/L = first/last
 * scanned row, P = the request's position):
 *   forward fetch   next = after L (when more);  prev = before F, or, on an empty page,
 *                   before P with P's own row included when the request excluded it
 *   backward fetch  next = after F, or after P with inclusion flipped on an empty page;
 *                   prev = before L (when more)
 * so walking next then prev (or prev then next) returns to the same rows.
 */
#include "api/page.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "common/limits.h"

enum { FLAG_BACKWARD = 1, FLAG_INCLUSIVE = 2, HEADER_BYTES = 4 };

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int key_count(const lh_page_spec *spec)
{
    int n = (int)strlen(spec->keys);
    LH_ASSERT(n >= 1 && n <= LH_PAGE_KEYS_MAX);
    return n;
}

static bool key_is_text(const lh_page_spec *spec, int k)
{
    return tolower((unsigned char)spec->keys[k]) == 's';
}

static bool key_is_asc(const lh_page_spec *spec, int k)
{
    return islower((unsigned char)spec->keys[k]) != 0;
}

/* ---- base64url (no padding) ---- */

static char *b64_encode(lh_arena_t *a, const uint8_t *in, size_t n)
{
    char *out = lh_arena_alloc(a, (n + 2) / 3 * 4 + 1), *o = out;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        *o++ = B64[v >> 18 & 63];
        *o++ = B64[v >> 12 & 63];
        if (i + 1 < n)
            *o++ = B64[v >> 6 & 63];
        if (i + 2 < n)
            *o++ = B64[v & 63];
    }
    *o = '\0';
    return out;
}

static int b64_value(char c)
{
    const char *p = c != '\0' ? strchr(B64, c) : NULL;
    return p != NULL ? (int)(p - B64) : -1;
}

/* Decode text into out (room for 3/4 of its length); false on any non-alphabet character
 * or an impossible length. */
static bool b64_decode(const char *text, uint8_t *out, size_t *n_out)
{
    size_t len = strlen(text), n = 0;
    if (len % 4 == 1)
        return false;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64_value(text[i]);
        if (v < 0)
            return false;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    if ((acc & ((1u << bits) - 1)) != 0) /* leftover bits must be zero (canonical) */
        return false;
    *n_out = n;
    return true;
}

/* ---- tokens ---- */

const char *lh_page_token(const lh_page_t *p, const lh_page_key *row, bool backward, bool inclusive)
{
    const lh_page_spec *spec = p->spec;
    int nk = key_count(spec);
    size_t size = HEADER_BYTES;
    for (int k = 0; k < nk; k++)
        size += key_is_text(spec, k) ? 3 + strlen(row[k].s) : 9;
    uint8_t *buf = lh_arena_alloc(p->arena, size), *b = buf;
    *b++ = LH_PAGE_TOKEN_VERSION;
    *b++ = spec->list_id;
    *b++ = (uint8_t)((backward ? FLAG_BACKWARD : 0) | (inclusive ? FLAG_INCLUSIVE : 0));
    *b++ = (uint8_t)nk;
    for (int k = 0; k < nk; k++) {
        if (key_is_text(spec, k)) {
            size_t len = strlen(row[k].s);
            LH_ASSERT(len <= 0xffff);
            *b++ = 's';
            *b++ = (uint8_t)(len >> 8);
            *b++ = (uint8_t)len;
            memcpy(b, row[k].s, len);
            b += len;
        } else {
            *b++ = 'i';
            for (int s = 56; s >= 0; s -= 8)
                *b++ = (uint8_t)((uint64_t)row[k].i >> s);
        }
    }
    char *text = b64_encode(p->arena, buf, size);
    LH_ASSERT(strlen(text) <= LH_PAGE_TOKEN_MAX);
    return text;
}

/* Read one key of kind `text` from b[*at..n) into out. */
static bool read_key(lh_arena_t *a, const uint8_t *b, size_t n, size_t *at, bool text,
                     lh_page_key *out)
{
    size_t i = *at;
    if (i >= n || b[i] != (text ? 's' : 'i'))
        return false;
    i++;
    if (text) {
        if (n - i < 2)
            return false;
        size_t len = (size_t)b[i] << 8 | b[i + 1];
        i += 2;
        if (n - i < len || memchr(b + i, '\0', len) != NULL)
            return false;
        out->s = lh_arena_strndup(a, (const char *)b + i, len);
        i += len;
    } else {
        if (n - i < 8)
            return false;
        uint64_t v = 0;
        for (int k = 0; k < 8; k++)
            v = v << 8 | b[i + k];
        out->i = (int64_t)v;
        i += 8;
    }
    *at = i;
    return true;
}

static bool decode_token(lh_page_t *p, const char *text)
{
    const lh_page_spec *spec = p->spec;
    size_t len = strlen(text), n = 0;
    if (len > LH_PAGE_TOKEN_MAX)
        return false;
    uint8_t *b = lh_arena_alloc(p->arena, len * 3 / 4 + 1);
    if (!b64_decode(text, b, &n) || n < HEADER_BYTES)
        return false;
    int nk = key_count(spec);
    if (b[0] != LH_PAGE_TOKEN_VERSION || b[1] != spec->list_id ||
        (b[2] & ~(FLAG_BACKWARD | FLAG_INCLUSIVE)) != 0 || b[3] != nk)
        return false;
    size_t at = HEADER_BYTES;
    for (int k = 0; k < nk; k++) {
        if (!read_key(p->arena, b, n, &at, key_is_text(spec, k), &p->pos[k]))
            return false;
    }
    p->backward = (b[2] & FLAG_BACKWARD) != 0;
    p->inclusive = (b[2] & FLAG_INCLUSIVE) != 0;
    return at == n;
}

/* ---- parse ---- */

static lh_err parse_size(const lh_page_spec *spec, const json_t *params, int64_t *out,
                         lh_errbuf *eb)
{
    LH_ASSERT(spec->size_max >= 1 && spec->size_max <= LH_PAGE_SIZE_MAX);
    int64_t v = 0;
    LH_TRY(lh_json_get_int(params, spec->size_param, LH_OPTIONAL, &v, eb));
    LH_FAIL_IF(v < 0, LH_E_INVALID, eb, "Invalid %s: %lld (must not be negative)", spec->size_param,
               (long long)v);
    LH_FAIL_IF(v == 0 && lh_json_has(params, spec->size_param) &&
                   (spec->flags & LH_PAGE_ZERO_INVALID),
               LH_E_INVALID, eb, "Invalid %s: must be at least 1", spec->size_param);
    if (v > spec->size_max) {
        LH_FAIL_IF(!(spec->flags & LH_PAGE_CLAMP), LH_E_INVALID, eb,
                   "Invalid %s: %lld (at most %lld)", spec->size_param, (long long)v,
                   (long long)spec->size_max);
        v = spec->size_max;
    }
    *out = v > 0 ? v : spec->size_default;
    return LH_OK;
}

lh_err lh_page_parse(const lh_page_spec *spec, const json_t *params, lh_arena_t *arena,
                     lh_page_t *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    out->spec = spec;
    out->arena = arena;
    LH_TRY(parse_size(spec, params, &out->limit, eb));
    out->fetch = out->limit > 0 ? out->limit + 1 : -1;
    const char *tok = NULL;
    LH_TRY(lh_json_get_str(params, "page_token", LH_OPTIONAL, &tok, eb));
    if (tok == NULL || *tok == '\0')
        return LH_OK;
    LH_FAIL_IF(!decode_token(out, tok), LH_E_INVALID, eb, "Invalid page_token");
    out->has_pos = true;
    return LH_OK;
}

/* ---- rows ---- */

int lh_page_compare(const lh_page_spec *spec, const lh_page_key *a, const lh_page_key *b)
{
    int nk = key_count(spec);
    for (int k = 0; k < nk; k++) {
        int c =
            key_is_text(spec, k) ? strcmp(a[k].s, b[k].s) : (a[k].i > b[k].i) - (a[k].i < b[k].i);
        if (c != 0)
            return key_is_asc(spec, k) ? (c > 0 ? 1 : -1) : (c > 0 ? -1 : 1);
    }
    return 0;
}

bool lh_page_in_range(const lh_page_t *p, const lh_page_key *row)
{
    if (!p->has_pos)
        return true;
    int c = lh_page_compare(p->spec, row, p->pos);
    if (c == 0)
        return p->inclusive;
    return p->backward ? c < 0 : c > 0;
}

static void copy_keys(const lh_page_t *p, lh_page_key *dst, const lh_page_key *src)
{
    int nk = key_count(p->spec);
    for (int k = 0; k < nk; k++) {
        dst[k].i = src[k].i;
        dst[k].s = key_is_text(p->spec, k) ? lh_arena_strdup(p->arena, src[k].s) : NULL;
    }
}

void lh_page_pass(lh_page_t *p, const lh_page_key *row)
{
    if (p->scanned == 0)
        copy_keys(p, p->first, row);
    copy_keys(p, p->last, row);
    p->scanned++;
}

bool lh_page_take(lh_page_t *p, const lh_page_key *row)
{
    if (p->limit > 0 && p->taken >= p->limit) {
        p->more = true;
        return false;
    }
    lh_page_pass(p, row);
    p->taken++;
    return true;
}

void lh_page_cut(lh_page_t *p)
{
    p->more = true;
}

void lh_page_add(const lh_page_t *p, json_t *list, json_t *item)
{
    if (p->backward)
        json_array_insert_new(list, 0, item);
    else
        json_array_append_new(list, item);
}

static void set_token(json_t *out, const char *name, const char *token)
{
    json_object_set_new(out, name, json_string(token));
}

/* Tokens that step away from this page in list order (see the table at the top). */
static void compute_tokens(const lh_page_t *p, const char **next, const char **prev)
{
    bool empty = p->scanned == 0;
    const char *beyond = NULL, *back = NULL; /* beyond = further in fetch direction */
    if (p->more && !empty)
        beyond = lh_page_token(p, p->last, p->backward, false);
    else if (p->more && p->has_pos) /* cut before scanning anything: stay at pos */
        beyond = lh_page_token(p, p->pos, p->backward, p->inclusive);
    if (!empty)
        back = lh_page_token(p, p->first, !p->backward, false);
    else if (p->has_pos)
        back = lh_page_token(p, p->pos, !p->backward, !p->inclusive);
    if (p->backward) {
        *next = back;
        *prev = beyond;
    } else {
        *next = beyond;
        *prev = p->has_pos ? back : NULL;
    }
}

void lh_page_finish(const lh_page_t *p, json_t *out)
{
    const char *next = NULL, *prev = NULL;
    compute_tokens(p, &next, &prev);
    if (p->spec->style == LH_PAGE_STYLE_HAS_MORE)
        json_object_set_new(out, "has_more", json_boolean(next != NULL));
    if (next != NULL)
        set_token(out, "next_page_token", next);
    if (prev != NULL && p->spec->style == LH_PAGE_STYLE_NEXT_PREV)
        set_token(out, "prev_page_token", prev);
}

/* ---- SQL ---- */

/* The k-th column name of spec->columns (trimmed), in the arena. */
static const char *column(const lh_page_t *p, int k)
{
    LH_ASSERT(p->spec->columns != NULL);
    const char *s = p->spec->columns;
    for (int i = 0; i < k; i++) {
        s = strchr(s, ',');
        LH_ASSERT(s != NULL);
        s++;
    }
    while (*s == ' ')
        s++;
    size_t n = strcspn(s, ",");
    while (n > 0 && s[n - 1] == ' ')
        n--;
    return lh_arena_strndup(p->arena, s, n);
}

/* Ascending in the fetch direction. */
static bool fetch_asc(const lh_page_t *p, int k)
{
    return key_is_asc(p->spec, k) != p->backward;
}

static bool uniform_direction(const lh_page_t *p)
{
    int nk = key_count(p->spec);
    for (int k = 1; k < nk; k++) {
        if (fetch_asc(p, k) != fetch_asc(p, 0))
            return false;
    }
    return true;
}

/* (a, b) > (?1, ?2): one row-value comparison when every key runs the same way. */
static const char *where_row_value(const lh_page_t *p, int first_param)
{
    int nk = key_count(p->spec);
    const char *cols = "", *params = "";
    for (int k = 0; k < nk; k++) {
        cols = lh_arena_sprintf(p->arena, "%s%s%s", cols, k ? ", " : "", column(p, k));
        params = lh_arena_sprintf(p->arena, "%s%s?%d", params, k ? ", " : "", first_param + k);
    }
    const char *op = fetch_asc(p, 0) ? ">" : "<";
    return lh_arena_sprintf(p->arena, "((%s) %s%s (%s))", cols, op, p->inclusive ? "=" : "",
                            params);
}

/* (a < ?1) OR (a = ?1 AND b > ?2) ...: mixed directions, expanded. */
static const char *where_expanded(const lh_page_t *p, int first_param)
{
    int nk = key_count(p->spec);
    const char *out = "";
    for (int k = 0; k < nk; k++) {
        const char *term = "";
        for (int e = 0; e < k; e++)
            term =
                lh_arena_sprintf(p->arena, "%s%s = ?%d AND ", term, column(p, e), first_param + e);
        const char *eq = k == nk - 1 && p->inclusive ? "=" : "";
        term = lh_arena_sprintf(p->arena, "%s%s %s%s ?%d", term, column(p, k),
                                fetch_asc(p, k) ? ">" : "<", eq, first_param + k);
        out = lh_arena_sprintf(p->arena, "%s%s(%s)", out, k ? " OR " : "", term);
    }
    return lh_arena_sprintf(p->arena, "(%s)", out);
}

const char *lh_page_sql_where(const lh_page_t *p, int first_param)
{
    if (!p->has_pos)
        return "1";
    return uniform_direction(p) ? where_row_value(p, first_param) : where_expanded(p, first_param);
}

const char *lh_page_sql_order(const lh_page_t *p)
{
    int nk = key_count(p->spec);
    const char *out = "";
    for (int k = 0; k < nk; k++)
        out = lh_arena_sprintf(p->arena, "%s%s%s %s", out, k ? ", " : "", column(p, k),
                               fetch_asc(p, k) ? "ASC" : "DESC");
    return out;
}

int lh_page_bind(const lh_page_t *p, lh_stmt_t *st, int first_param)
{
    int nk = key_count(p->spec);
    for (int k = 0; k < nk && p->has_pos; k++) {
        if (key_is_text(p->spec, k))
            lh_stmt_bind_text(st, first_param + k, p->pos[k].s);
        else
            lh_stmt_bind_int(st, first_param + k, p->pos[k].i);
    }
    return first_param + nk;
}
