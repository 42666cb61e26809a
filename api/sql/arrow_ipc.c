/*
 * arrow_ipc.c - the Arrow IPC stream writer (see arrow_ipc.h). Facts from apache/arrow
 * format/Schema.fbs, Message.fbs and Columnar.rst; the code is our own.
 *
 * Flatbuffers, as written here (front to back; every offset points forward):
 *   buffer  = uoffset32 to the root table, then objects
 *   vtable  = u16 vtable bytes, u16 table bytes, u16 field offset per slot (0 = absent)
 *   table   = i32 (table - vtable), then the fields, each aligned to its size
 *   string  = u32 length, bytes, NUL        vector = u32 count, elements
 * A table is written before the objects it references, so a reference field is a
 * placeholder patched with (target - field position) once the target is written.
 * Union fields take two slots: the type (u8) and the value (an offset).
 */
#include "api/sql/arrow_ipc.h"

#include <stdlib.h>
#include <string.h>

/* ---- a growable buffer --------------------------------------------------------------- */

static bool grow(lh_byte_buf_t *b, size_t more)
{
    if (b->len + more <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more)
        cap *= 2;
    uint8_t *p = realloc(b->bytes, cap);
    if (p == NULL)
        return false;
    b->bytes = p;
    b->cap = cap;
    return true;
}

static bool put(lh_byte_buf_t *b, const void *p, size_t n)
{
    if (n == 0) /* nothing to copy (and b->bytes may still be NULL) */
        return true;
    if (!grow(b, n))
        return false;
    if (p)
        memcpy(b->bytes + b->len, p, n);
    else
        memset(b->bytes + b->len, 0, n);
    b->len += n;
    return true;
}

static bool pad(lh_byte_buf_t *b, size_t align)
{
    size_t r = b->len % align;
    return r == 0 || put(b, NULL, align - r);
}

static void set_u32(lh_byte_buf_t *b, size_t at, uint32_t v)
{
    memcpy(b->bytes + at, &v, 4); /* little-endian hosts only (asserted in the header use) */
}

static void set_u16(lh_byte_buf_t *b, size_t at, uint16_t v)
{
    memcpy(b->bytes + at, &v, 2);
}

/* ---- flatbuffer objects -------------------------------------------------------------- */

typedef struct fbf {
    uint8_t size; /* 0 = absent; 1, 2, 4, 8 bytes; references are 4 */
    bool ref;     /* a forward offset, patched later with fb_link */
    int64_t v;
} fbf;

typedef struct fb {
    lh_byte_buf_t b;
    bool oom;
} fb;

/* Write a table with n slots; refs[i] gets the position of reference field i. */
static size_t fb_table(fb *f, const fbf *fields, int n, size_t *refs)
{
    lh_byte_buf_t *b = &f->b;
    f->oom |= !pad(b, 2);
    size_t vt = b->len;
    f->oom |= !put(b, NULL, 4 + 2 * (size_t)n) || !pad(b, 4);
    size_t t = b->len;
    f->oom |= !put(b, NULL, 4);
    if (f->oom)
        return 0;
    set_u32(b, t, (uint32_t)(int32_t)(t - vt));
    for (int i = 0; i < n; i++) {
        if (fields[i].size == 0)
            continue;
        f->oom |= !pad(b, fields[i].size);
        size_t at = b->len;
        int64_t v = fields[i].ref ? 0 : fields[i].v;
        f->oom |= !put(b, &v, fields[i].size); /* the low bytes: little-endian */
        if (f->oom)
            return 0;
        set_u16(b, vt + 4 + 2 * (size_t)i, (uint16_t)(at - t));
        if (refs)
            refs[i] = at;
    }
    set_u16(b, vt, (uint16_t)(4 + 2 * n));
    set_u16(b, vt + 2, (uint16_t)(b->len - t));
    return t;
}

static void fb_link(fb *f, size_t ref_at, size_t target)
{
    if (!f->oom)
        set_u32(&f->b, ref_at, (uint32_t)(target - ref_at));
}

static size_t fb_string(fb *f, const char *s)
{
    size_t n = strlen(s);
    uint32_t len = (uint32_t)n;
    f->oom |= !pad(&f->b, 4);
    size_t at = f->b.len;
    f->oom |= !put(&f->b, &len, 4) || !put(&f->b, s, n) || !put(&f->b, NULL, 1);
    return at;
}

/* A vector of count references (patch element i at the returned position + 4 + 4i). */
static size_t fb_ref_vector(fb *f, int count)
{
    uint32_t n = (uint32_t)count;
    f->oom |= !pad(&f->b, 4);
    size_t at = f->b.len;
    f->oom |= !put(&f->b, &n, 4) || !put(&f->b, NULL, 4 * (size_t)count);
    return at;
}

/* A vector of count structs of two int64 each (FieldNode, Buffer): elements 8-aligned. */
static size_t fb_pair_vector(fb *f, const int64_t *pairs, int count)
{
    uint32_t n = (uint32_t)count;
    f->oom |= !pad(&f->b, 4);
    if ((f->b.len + 4) % 8 != 0)
        f->oom |= !put(&f->b, NULL, 4);
    size_t at = f->b.len;
    f->oom |= !put(&f->b, &n, 4) || !put(&f->b, pairs, 16 * (size_t)count);
    return at;
}

/* ---- messages ------------------------------------------------------------------------ */

enum { V5 = 4, HDR_SCHEMA = 1, HDR_RECORD_BATCH = 3 };
enum {
    T_NULL = 1,
    T_INT = 2,
    T_FLOAT = 3,
    T_BINARY = 4,
    T_UTF8 = 5,
    T_BOOL = 6,
    T_DECIMAL = 7,
    T_DATE = 8,
    T_TIMESTAMP = 10,
    T_INTERVAL = 11,
    T_DURATION = 18,
};
enum { UNIT_MICROSECOND = 2 };

/* Message {version, header_type, header, bodyLength}: returns the header's ref position. */
static size_t fb_message(fb *f, int header_type, int64_t body_bytes)
{
    f->oom |= !put(&f->b, NULL, 4); /* root offset, patched below */
    fbf m[4] = {{2, false, V5}, {1, false, header_type}, {4, true, 0}, {8, false, body_bytes}};
    size_t refs[4] = {0};
    size_t t = fb_table(f, m, 4, refs);
    fb_link(f, 0, t);
    return refs[2];
}

/* Frame the flatbuffer and body into out. */
static lh_err frame(lh_byte_buf_t *out, fb *f, const lh_byte_buf_t *body, lh_errbuf *eb)
{
    LH_FAIL_IF(f->oom || !pad(&f->b, 8), LH_E_NOMEM, eb, "out of memory");
    uint32_t cont = 0xFFFFFFFFu, meta = (uint32_t)f->b.len;
    bool ok = put(out, &cont, 4) && put(out, &meta, 4) && put(out, f->b.bytes, f->b.len) &&
              (body == NULL || put(out, body->bytes, body->len));
    LH_FAIL_IF(!ok, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

/* The type table of one column; returns its union type id. */
static int type_table(fb *f, lh_type_t t, size_t *table)
{
    fbf x[3] = {{0}};
    int id = T_NULL, n = 0;
    switch (t.id) {
    case LH_TYPE_BOOLEAN:
        id = T_BOOL;
        break;
    case LH_TYPE_BYTE:
    case LH_TYPE_SHORT:
    case LH_TYPE_INT:
    case LH_TYPE_LONG:
        id = T_INT;
        x[0] = (fbf){4, false, 8 * (int64_t)lh_type_width(t)};
        x[1] = (fbf){1, false, 1};
        n = 2;
        break;
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        id = T_FLOAT;
        x[0] = (fbf){2, false, t.id == LH_TYPE_FLOAT ? 1 : 2};
        n = 1;
        break;
    case LH_TYPE_STRING:
        id = T_UTF8;
        break;
    case LH_TYPE_BINARY:
        id = T_BINARY;
        break;
    case LH_TYPE_DECIMAL:
        id = T_DECIMAL;
        x[0] = (fbf){4, false, t.precision};
        x[1] = (fbf){4, false, t.scale};
        x[2] = (fbf){4, false, 128};
        n = 3;
        break;
    case LH_TYPE_DATE:
        id = T_DATE;
        x[0] = (fbf){2, false, 0}; /* DAY (the default is MILLISECOND: write it) */
        n = 1;
        break;
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
        id = T_TIMESTAMP;
        x[0] = (fbf){2, false, UNIT_MICROSECOND};
        x[1] = (fbf){4, true, 0};
        n = t.id == LH_TYPE_TIMESTAMP ? 2 : 1;
        break;
    case LH_TYPE_INTERVAL_YM:
        id = T_INTERVAL;
        x[0] = (fbf){2, false, 0}; /* YEAR_MONTH */
        n = 1;
        break;
    case LH_TYPE_INTERVAL_DT:
        id = T_DURATION;
        x[0] = (fbf){2, false, UNIT_MICROSECOND};
        n = 1;
        break;
    case LH_TYPE_INTERVAL_CAL:
        id = T_INTERVAL;
        x[0] = (fbf){2, false, 2}; /* MONTH_DAY_NANO */
        n = 1;
        break;
    default:
        break; /* NULL */
    }
    size_t refs[3] = {0};
    *table = fb_table(f, x, n, refs);
    if (id == T_TIMESTAMP && n == 2)
        fb_link(f, refs[1], fb_string(f, "UTC"));
    return id;
}

lh_err lh_arrow_write_schema(lh_byte_buf_t *out, int count, const char *const *names,
                             const lh_type_t *types, lh_errbuf *eb)
{
    fb f = {{0}, false};
    size_t header = fb_message(&f, HDR_SCHEMA, 0);
    fbf s[2] = {{2, false, 0}, {4, true, 0}};
    size_t srefs[2] = {0};
    fb_link(&f, header, fb_table(&f, s, 2, srefs));
    size_t vec = fb_ref_vector(&f, count);
    fb_link(&f, srefs[1], vec);
    for (int i = 0; i < count && !f.oom; i++) {
        /* Field {name, nullable, type_type, type, dictionary, children} */
        fbf fl[6] = {{4, true, 0}, {1, false, 1}, {1, false, 0}, {4, true, 0}, {0}, {4, true, 0}};
        size_t refs[6] = {0};
        size_t field = fb_table(&f, fl, 6, refs);
        fb_link(&f, vec + 4 + 4 * (size_t)i, field);
        fb_link(&f, refs[0], fb_string(&f, names[i]));
        size_t tt = 0;
        int id = type_table(&f, types[i], &tt);
        if (!f.oom)
            f.b.bytes[refs[2]] = (uint8_t)id;
        fb_link(&f, refs[3], tt);
        fb_link(&f, refs[5], fb_ref_vector(&f, 0));
    }
    lh_err e = frame(out, &f, NULL, eb);
    free(f.b.bytes);
    return e;
}

/* ---- record batches ------------------------------------------------------------------ */

typedef struct batch_out {
    lh_byte_buf_t body;
    int64_t *nodes, *buffers; /* pairs */
    int node_count, buffer_count;
    bool oom;
} batch_out;

/* Append a body buffer (padded to 8) and its {offset, length}. */
static void body_buffer(batch_out *o, const void *p, size_t n)
{
    int64_t off = (int64_t)o->body.len;
    o->oom |= !put(&o->body, p, n) || !pad(&o->body, 8);
    o->buffers[2 * o->buffer_count] = off;
    o->buffers[2 * o->buffer_count + 1] = (int64_t)n;
    o->buffer_count++;
}

/* The validity bitmap of rows [from, from+n): NULL when every row is valid. */
static uint8_t *validity(const lh_vec_t *v, size_t from, size_t n, int64_t *nulls, bool *oom)
{
    *nulls = 0;
    uint8_t *bits = NULL;
    for (size_t i = 0; i < n; i++) {
        if (lh_vec_is_valid(v, from + i))
            continue;
        if (bits == NULL) {
            bits = malloc((n + 7) / 8);
            if (bits == NULL) {
                *oom = true;
                return NULL;
            }
            memset(bits, 0xFF, (n + 7) / 8);
        }
        bits[i / 8] &= (uint8_t) ~(1u << (i % 8));
        (*nulls)++;
    }
    return bits;
}

static void fixed_values(batch_out *o, const lh_vec_t *v, size_t from, size_t n)
{
    lh_type_t t = v->type;
    size_t w = t.id == LH_TYPE_DECIMAL || t.id == LH_TYPE_INTERVAL_CAL ? 16 : lh_type_width(t);
    uint8_t *vals = calloc(n ? n : 1, w);
    if (vals == NULL) {
        o->oom = true;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (!lh_vec_is_valid(v, from + i))
            continue;
        uint8_t *p = vals + i * w;
        if (t.id == LH_TYPE_DECIMAL) {
            lh_i128 x = lh_vec_get_i128(v, from + i);
            memcpy(p, &x, 16);
        } else if (t.id == LH_TYPE_INTERVAL_CAL) { /* months, days, nanoseconds */
            lh_cal_iv_t c = lh_cal_iv_decode(lh_vec_get_str(v, from + i));
            int64_t ns;
            if (__builtin_mul_overflow(c.micros, 1000, &ns))
                ns = c.micros < 0 ? INT64_MIN : INT64_MAX;
            memcpy(p, &c.months, 4);
            memcpy(p + 4, &c.days, 4);
            memcpy(p + 8, &ns, 8);
        } else if (t.id == LH_TYPE_FLOAT) {
            float x = (float)lh_vec_get_f64(v, from + i);
            memcpy(p, &x, 4);
        } else if (t.id == LH_TYPE_DOUBLE) {
            double x = lh_vec_get_f64(v, from + i);
            memcpy(p, &x, 8);
        } else {
            int64_t x = lh_vec_get_i64(v, from + i);
            memcpy(p, &x, w); /* the low w bytes (little-endian) */
        }
    }
    body_buffer(o, vals, n * w);
    free(vals);
}

static void bool_values(batch_out *o, const lh_vec_t *v, size_t from, size_t n)
{
    uint8_t *bits = calloc((n + 7) / 8 + 1, 1);
    if (bits == NULL) {
        o->oom = true;
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (lh_vec_is_valid(v, from + i) && lh_vec_get_i64(v, from + i))
            bits[i / 8] |= (uint8_t)(1u << (i % 8));
    body_buffer(o, bits, (n + 7) / 8);
    free(bits);
}

static lh_err string_values(batch_out *o, const lh_vec_t *v, size_t from, size_t n, lh_errbuf *eb)
{
    int32_t *offs = malloc((n + 1) * sizeof *offs);
    lh_byte_buf_t data = {0};
    if (offs == NULL) {
        o->oom = true;
        return LH_OK;
    }
    offs[0] = 0;
    for (size_t i = 0; i < n && !o->oom; i++) {
        if (lh_vec_is_valid(v, from + i)) {
            lh_sv_t s = lh_vec_get_str(v, from + i);
            if (data.len + s.len > (size_t)INT32_MAX) {
                free(offs);
                free(data.bytes);
                LH_FAIL(LH_E_LIMIT, eb, "a string column holds more than 2 GiB in one batch");
            }
            o->oom |= !put(&data, s.ptr, s.len);
        }
        offs[i + 1] = (int32_t)data.len;
    }
    body_buffer(o, offs, (n + 1) * sizeof *offs);
    body_buffer(o, data.bytes, data.len);
    free(offs);
    free(data.bytes);
    return LH_OK;
}

static lh_err column(batch_out *o, const lh_vec_t *v, size_t from, size_t n, lh_errbuf *eb)
{
    int64_t nulls = 0;
    int k = o->node_count++;
    o->nodes[2 * k] = (int64_t)n;
    if (v->type.id == LH_TYPE_NULL) {
        o->nodes[2 * k + 1] = (int64_t)n;
        return LH_OK;
    }
    uint8_t *bits = validity(v, from, n, &nulls, &o->oom);
    o->nodes[2 * k + 1] = nulls;
    body_buffer(o, bits, bits ? (n + 7) / 8 : 0);
    free(bits);
    switch (v->type.id) {
    case LH_TYPE_BOOLEAN:
        bool_values(o, v, from, n);
        break;
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
        return string_values(o, v, from, n, eb);
    default:
        fixed_values(o, v, from, n);
        break;
    }
    return LH_OK;
}

lh_err lh_arrow_write_batch(lh_byte_buf_t *out, const lh_batch_t *b, size_t from, size_t rows,
                            lh_errbuf *eb)
{
    LH_ASSERT(from + rows <= b->row_count);
    batch_out o = {0};
    o.nodes = calloc(2 * (size_t)b->col_count + 2, sizeof *o.nodes);
    o.buffers = calloc(6 * (size_t)b->col_count + 2, sizeof *o.buffers);
    lh_err e = o.nodes && o.buffers
                   ? LH_OK
                   : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    for (int c = 0; c < b->col_count && e == LH_OK; c++)
        e = column(&o, b->cols[c], from, rows, eb);
    if (e == LH_OK && o.oom)
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK) {
        fb f = {{0}, false};
        size_t header = fb_message(&f, HDR_RECORD_BATCH, (int64_t)o.body.len);
        /* RecordBatch {length, nodes, buffers} */
        fbf r[3] = {{8, false, (int64_t)rows}, {4, true, 0}, {4, true, 0}};
        size_t refs[3] = {0};
        fb_link(&f, header, fb_table(&f, r, 3, refs));
        fb_link(&f, refs[1], fb_pair_vector(&f, o.nodes, o.node_count));
        fb_link(&f, refs[2], fb_pair_vector(&f, o.buffers, o.buffer_count));
        e = frame(out, &f, &o.body, eb);
        free(f.b.bytes);
    }
    free(o.nodes);
    free(o.buffers);
    free(o.body.bytes);
    return e;
}

lh_err lh_arrow_write_eos(lh_byte_buf_t *out, lh_errbuf *eb)
{
    uint32_t eos[2] = {0xFFFFFFFFu, 0};
    LH_FAIL_IF(!put(out, eos, sizeof eos), LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}
