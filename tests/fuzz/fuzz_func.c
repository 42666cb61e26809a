/*
 * fuzz_func.c - libFuzzer target for compute/func: the first byte picks a mode, the rest
 * (split at the first NUL into two strings) feeds
 *   0 casts of a string to every scalar type (CAST and TRY_CAST),
 *   1 datetime pattern compilation, formatting, and parsing of the second string,
 *   2 LIKE / ILIKE / RLIKE / regexp_* pattern compilation and matching,
 *   3 the literal parsers (numbers, typed literals, intervals),
 *   4 get_json_object over JSON text and a path, json_array_length / json_object_keys,
 *   5 to_number / try_to_number formats and input, to_char of a number through the first
 *     string as the format, make_valid_utf8 / try_validate_utf8,
 *   6 to_binary (hex, utf-8, base64), encode / decode with the first string as the charset
 *     (with and without spark.sql.legacy.javaCharsets / codingErrorAction), url_encode /
 *     url_decode, parse_url with the first string as the part or the query key.
 * Errors are expected; crashes, leaks, hangs and out-of-bounds reads are not.
 * Seeds: tests/fuzz/corpus/func/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "compute/func/cast.h"
#include "compute/func/datetime.h"
#include "compute/func/func.h"
#include "compute/func/literal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const lh_sql_conf_t CONF = {"America/Los_Angeles", true, 1700000000000000};
static const lh_sql_conf_t LEGACY = {
    .time_zone = "UTC", .ansi = true, .java_charsets = true, .coding_replace = true};

static lh_vec_t *str_vec(const char *s, size_t n)
{
    lh_vec_t *v = lh_vec_create((lh_type_t){LH_TYPE_STRING, 0, 0}, 1);
    if (v)
        lh_vec_append_str(v, s, n);
    return v;
}

/* name(a[, b]) (argc 1 or 2) with b constant; b a string, a of type t0 (STRING or BINARY),
 * under conf. */
static void calln(const char *name, int argc, lh_type_id t0, const char *a, size_t an,
                  const char *b, size_t bn, const lh_sql_conf_t *conf)
{
    const lh_func_t *f = lh_func_find(name);
    lh_arena_t *arena = lh_arena_create();
    lh_vec_t *va = str_vec(a, an), *vb = str_vec(b, bn);
    lh_type_t types[2] = {{t0, 0, 0}, {LH_TYPE_STRING, 0, 0}}, casts[2];
    if (va)
        va->type.id = t0; /* BINARY holds its bytes as STRING does */
    memcpy(casts, types, sizeof casts);
    lh_value_t cb = {.type = types[1], .v.str = {(const uint8_t *)b, (uint32_t)bn}};
    const lh_value_t *consts[2] = {NULL, &cb};
    lh_func_bind_t bd = {.arg_count = argc,
                         .arg_types = types,
                         .const_args = consts,
                         .conf = conf,
                         .arena = arena,
                         .cast_to = casts};
    lh_errbuf eb;
    if (f && va && vb && f->bind(&bd, &eb) == LH_OK && lh_type_equal(casts[0], types[0]) &&
        (argc < 2 || lh_type_equal(casts[1], types[1]))) {
        lh_vec_t *out = lh_vec_create(bd.ret_type, 1);
        const lh_vec_t *args[2] = {va, vb};
        lh_func_exec_t x = {.args = args,
                            .arg_count = argc,
                            .rows = 1,
                            .out = out,
                            .bind_data = bd.bind_data,
                            .conf = conf};
        if (out)
            f->exec(&x, &eb);
        lh_vec_destroy(out);
    }
    lh_vec_destroy(va);
    lh_vec_destroy(vb);
    lh_arena_destroy(arena);
}

static void call2x(const char *name, lh_type_id t0, const char *a, size_t an, const char *b,
                   size_t bn, const lh_sql_conf_t *conf)
{
    calln(name, 2, t0, a, an, b, bn, conf);
}

static void call2(const char *name, const char *a, size_t an, const char *b, size_t bn)
{
    call2x(name, LH_TYPE_STRING, a, an, b, bn, &CONF);
}

/* to_char(number, fmt) (the binder's __to_char_number) of a DECIMAL(18, 4) taken from b's
 * first bytes, with a as the format. */
static void to_char_number(const char *a, size_t an, const char *b, size_t bn)
{
    const lh_func_t *f = lh_func_find("__to_char_number");
    int64_t x = 0;
    memcpy(&x, b, bn < 8 ? bn : 8);
    x %= 1000000000000000000LL;
    lh_type_t types[2] = {{LH_TYPE_DECIMAL, 18, 4}, {LH_TYPE_STRING, 0, 0}}, casts[2];
    memcpy(casts, types, sizeof casts);
    lh_value_t fmt = {.type = types[1], .v.str = {(const uint8_t *)a, (uint32_t)an}};
    const lh_value_t *consts[2] = {NULL, &fmt};
    lh_arena_t *arena = lh_arena_create();
    lh_func_bind_t bd = {.arg_count = 2,
                         .arg_types = types,
                         .const_args = consts,
                         .conf = &CONF,
                         .arena = arena,
                         .cast_to = casts};
    lh_errbuf eb;
    lh_vec_t *va = lh_vec_create(types[0], 1), *vb = str_vec(a, an), *out = NULL;
    if (f && va && vb && lh_vec_append_i64(va, x) == LH_OK && f->bind(&bd, &eb) == LH_OK &&
        (out = lh_vec_create(bd.ret_type, 1)) != NULL) {
        const lh_vec_t *args[2] = {va, vb};
        lh_func_exec_t ex = {.args = args,
                             .arg_count = 2,
                             .rows = 1,
                             .out = out,
                             .bind_data = bd.bind_data,
                             .conf = &CONF};
        f->exec(&ex, &eb);
    }
    lh_vec_destroy(out);
    lh_vec_destroy(va);
    lh_vec_destroy(vb);
    lh_arena_destroy(arena);
}

static void codecs(const char *a, size_t an, const char *b, size_t bn)
{
    static const char *const fmts[] = {"hex", "utf-8", "base64"};
    for (int k = 0; k < 3; k++)
        call2("to_binary", b, bn, fmts[k], strlen(fmts[k]));
    for (int l = 0; l < 2; l++) {
        const lh_sql_conf_t *conf = l ? &LEGACY : &CONF;
        call2x("encode", LH_TYPE_STRING, b, bn, a, an, conf);
        call2x("decode", LH_TYPE_BINARY, b, bn, a, an, conf);
    }
    calln("url_encode", 1, LH_TYPE_STRING, b, bn, "", 0, &CONF);
    calln("try_url_decode", 1, LH_TYPE_STRING, b, bn, "", 0, &CONF);
    call2("try_parse_url", b, bn, a, an);
    static const char *const parts[] = {"HOST", "PATH", "QUERY", "FILE", "AUTHORITY", "USERINFO"};
    for (int k = 0; k < 6; k++)
        call2("parse_url", b, bn, parts[k], strlen(parts[k]));
}

static void casts(const char *s, size_t n)
{
    static const lh_type_t targets[] = {
        {LH_TYPE_BOOLEAN, 0, 0},     {LH_TYPE_BYTE, 0, 0},          {LH_TYPE_INT, 0, 0},
        {LH_TYPE_LONG, 0, 0},        {LH_TYPE_DOUBLE, 0, 0},        {LH_TYPE_FLOAT, 0, 0},
        {LH_TYPE_DECIMAL, 10, 2},    {LH_TYPE_DECIMAL, 38, 18},     {LH_TYPE_DATE, 0, 0},
        {LH_TYPE_TIMESTAMP, 0, 0},   {LH_TYPE_TIMESTAMP_NTZ, 0, 0}, {LH_TYPE_BINARY, 0, 0},
        {LH_TYPE_INTERVAL_YM, 0, 0}, {LH_TYPE_INTERVAL_DT, 2, 4}};
    lh_value_t in = {.type = {LH_TYPE_STRING, 0, 0}, .v.str = {(const uint8_t *)s, (uint32_t)n}};
    for (size_t k = 0; k < sizeof targets / sizeof targets[0]; k++) {
        lh_vec_t *out = lh_vec_create(targets[k], 1);
        lh_errbuf eb;
        if (out == NULL)
            continue;
        for (int t = 0; t < 2; t++) {
            if (lh_cast_row(&in, out, 0, &CONF, t, &eb) == LH_OK && lh_vec_is_valid(out, 0)) {
                lh_vec_t *back = lh_vec_create((lh_type_t){LH_TYPE_STRING, 0, 0}, 1);
                out->count = 1;
                if (back)
                    lh_cast_vec(out, back, 1, &CONF, false, &eb);
                lh_vec_destroy(back);
            }
        }
        lh_vec_destroy(out);
    }
}

static void patterns(const char *a, const char *b, size_t bn)
{
    lh_dtpat_t *p;
    lh_errbuf eb;
    if (lh_dtpat_compile(a, &p, &eb) != LH_OK)
        return;
    char buf[512];
    lh_dtpat_format(p, 1700000000000000LL, -8 * 3600, "America/Los_Angeles", buf, sizeof buf);
    lh_dtpat_format(p, -62135596800000000LL, 0, "UTC", buf, sizeof buf);
    lh_civil_t c;
    bool hz;
    int32_t off;
    const lh_tz_t *z;
    lh_dtpat_parse(p, b, bn, &c, &hz, &off, &z);
    lh_dtpat_free(p);
}

static void literals(const char *a)
{
    lh_arena_t *arena = lh_arena_create();
    lh_value_t v;
    lh_errbuf eb;
    lh_literal_number(a, &v, &eb);
    lh_literal_interval(a, &v, &eb);
    lh_cal_iv_t iv;
    lh_cal_interval_from_string(a, strlen(a), &iv);
    static const char *const kinds[] = {"DATE", "TIMESTAMP", "TIMESTAMP_NTZ", "X", "INTERVAL"};
    for (int k = 0; k < 5; k++)
        lh_literal_typed(kinds[k], a, &CONF, arena, &v, &eb);
    lh_arena_destroy(arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    int mode = data[0] % 7;
    /* two NUL-terminated heap copies, so ASan sees reads past either string */
    const uint8_t *rest = data + 1;
    size_t n = size - 1;
    const uint8_t *nul = memchr(rest, 0, n);
    size_t an = nul ? (size_t)(nul - rest) : n, bn = nul ? n - an - 1 : 0;
    char *a = malloc(an + 1), *b = malloc(bn + 1);
    if (a && b) {
        memcpy(a, rest, an);
        a[an] = '\0';
        memcpy(b, nul ? nul + 1 : rest, bn);
        b[bn] = '\0';
        switch (mode) {
        case 0:
            casts(a, an);
            break;
        case 1:
            patterns(a, b, bn);
            break;
        case 2:
            call2("like", b, bn, a, an);
            call2("ilike", b, bn, a, an);
            call2("rlike", b, bn, a, an);
            call2("regexp_extract", b, bn, a, an);
            call2("regexp_count", b, bn, a, an);
            break;
        case 3:
            literals(a);
            break;
        case 4:
            call2("get_json_object", b, bn, a, an);
            calln("json_array_length", 1, LH_TYPE_STRING, b, bn, "", 0, &CONF);
            calln("json_object_keys", 1, LH_TYPE_STRING, b, bn, "", 0, &CONF);
            break;
        case 6:
            codecs(a, an, b, bn);
            break;
        default:
            call2("to_number", b, bn, a, an);
            to_char_number(a, an, b, bn);
            call2("try_to_number", b, bn, a, an);
            call2("make_valid_utf8", b, bn, a, an);
            call2("try_validate_utf8", b, bn, a, an);
        }
    }
    free(a);
    free(b);
    return 0;
}
