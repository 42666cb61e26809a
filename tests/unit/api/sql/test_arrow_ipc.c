/* test_arrow_ipc.c - api/sql/arrow_ipc: the framing, the flatbuffer metadata and the body
 * buffers of a stream, read back with a minimal flatbuffer reader written here. */
#include <stdlib.h>
#include <string.h>

#include "api/sql/arrow_ipc.h"
#include "t.h"

/* ---- a minimal flatbuffer reader ---- */
static uint32_t u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static int64_t i64(const uint8_t *p)
{
    int64_t v;
    memcpy(&v, p, 8);
    return v;
}
/* Field i of the table at t: a pointer, or NULL when absent. */
static const uint8_t *field(const uint8_t *t, int i)
{
    int32_t soff;
    memcpy(&soff, t, 4);
    const uint8_t *vt = t - soff;
    uint16_t vt_size, off;
    memcpy(&vt_size, vt, 2);
    if (4 + 2 * i >= vt_size)
        return NULL;
    memcpy(&off, vt + 4 + 2 * i, 2);
    return off ? t + off : NULL;
}
static const uint8_t *deref(const uint8_t *p)
{
    return p + u32(p);
}

typedef struct msg {
    int header_type;
    const uint8_t *header;
    int64_t body_bytes;
    const uint8_t *body;
    size_t next;
} msg;

static bool read_msg(const lh_byte_buf_t *b, size_t at, msg *m)
{
    T_CHECK(at % 8 == 0);
    if (u32(b->bytes + at) != 0xFFFFFFFFu)
        return false;
    uint32_t meta = u32(b->bytes + at + 4);
    if (meta == 0) {
        m->header_type = 0;
        m->next = at + 8;
        return true;
    }
    T_CHECK(meta % 8 == 0);
    const uint8_t *fb = b->bytes + at + 8;
    const uint8_t *root = deref(fb);
    int16_t version;
    memcpy(&version, field(root, 0), 2);
    T_EQ_INT(version, 4); /* V5 */
    m->header_type = *field(root, 1);
    m->header = deref(field(root, 2));
    m->body_bytes = field(root, 3) ? i64(field(root, 3)) : 0;
    T_CHECK(((uintptr_t)field(root, 3) - (uintptr_t)b->bytes) % 8 == 0 || m->body_bytes == 0);
    m->body = fb + meta;
    m->next = at + 8 + meta + (size_t)m->body_bytes;
    return true;
}

static lh_batch_t *make_batch(void)
{
    lh_schema_t *s = lh_schema_create(3);
    lh_schema_set(s, 0, "id", (lh_type_t){LH_TYPE_LONG, 0, 0}, true);
    lh_schema_set(s, 1, "name", (lh_type_t){LH_TYPE_STRING, 0, 0}, true);
    lh_schema_set(s, 2, "ok", (lh_type_t){LH_TYPE_BOOLEAN, 0, 0}, true);
    lh_batch_t *b = lh_batch_create(s, 8);
    lh_schema_destroy(s);
    lh_vec_append_i64(b->cols[0], 7);
    lh_vec_append_null(b->cols[0]);
    lh_vec_append_i64(b->cols[0], -1);
    lh_vec_append_str(b->cols[1], "ab", 2);
    lh_vec_append_str(b->cols[1], "", 0);
    lh_vec_append_str(b->cols[1], "xyz", 3);
    lh_vec_append_bool(b->cols[2], true);
    lh_vec_append_bool(b->cols[2], false);
    lh_vec_append_bool(b->cols[2], true);
    b->row_count = 3;
    return b;
}

static void test_stream(void)
{
    lh_batch_t *b = make_batch();
    const char *names[] = {"id", "name", "ok"};
    lh_type_t types[] = {{LH_TYPE_LONG, 0, 0}, {LH_TYPE_STRING, 0, 0}, {LH_TYPE_BOOLEAN, 0, 0}};
    lh_byte_buf_t out = {0};
    T_EQ_INT(lh_arrow_write_schema(&out, 3, names, types, NULL), LH_OK);
    T_EQ_INT(lh_arrow_write_batch(&out, b, 1, 2, NULL), LH_OK); /* rows 1..2 */
    T_EQ_INT(lh_arrow_write_eos(&out, NULL), LH_OK);

    msg m;
    T_CHECK(read_msg(&out, 0, &m));
    T_EQ_INT(m.header_type, 1); /* Schema */
    const uint8_t *fields = deref(field(m.header, 1));
    T_EQ_INT(u32(fields), 3);
    const uint8_t *f1 = deref(fields + 4 + 4);
    const uint8_t *name = deref(field(f1, 0));
    T_EQ_INT(u32(name), 4);
    T_CHECK(memcmp(name + 4, "name", 5) == 0); /* NUL-terminated */
    T_EQ_INT(*field(f1, 2), 5);                /* Utf8 */
    T_EQ_INT(*field(deref(fields + 4), 2), 2); /* Int */
    const uint8_t *int_type = deref(field(deref(fields + 4), 3));
    T_EQ_INT(u32(field(int_type, 0)), 64);
    T_EQ_INT(*field(int_type, 1), 1);

    size_t at = m.next;
    T_CHECK(read_msg(&out, at, &m));
    T_EQ_INT(m.header_type, 3); /* RecordBatch */
    T_EQ_INT(i64(field(m.header, 0)), 2);
    const uint8_t *nodes = deref(field(m.header, 1)), *bufs = deref(field(m.header, 2));
    T_EQ_INT(u32(nodes), 3);
    T_EQ_INT(i64(nodes + 4), 2);     /* id: length 2 */
    T_EQ_INT(i64(nodes + 4 + 8), 1); /* one null */
    T_EQ_INT(i64(nodes + 4 + 24), 0);
    T_EQ_INT(u32(bufs), 7); /* 2 + 3 + 2 */
    int64_t off[7], len[7];
    for (int i = 0; i < 7; i++) {
        off[i] = i64(bufs + 4 + 16 * i);
        len[i] = i64(bufs + 4 + 16 * i + 8);
        T_CHECK(off[i] % 8 == 0 && off[i] + len[i] <= m.body_bytes);
    }
    T_EQ_INT(len[0], 1);
    T_EQ_INT(m.body[off[0]] & 3, 2); /* row 1 null, row 2 valid */
    T_EQ_INT(i64(m.body + off[1] + 8), -1);
    T_EQ_INT(len[2], 0); /* names: no nulls, no bitmap */
    int32_t offs[3];
    memcpy(offs, m.body + off[3], sizeof offs);
    T_CHECK(offs[0] == 0 && offs[1] == 0 && offs[2] == 3);
    T_CHECK(memcmp(m.body + off[4], "xyz", 3) == 0);
    T_EQ_INT(m.body[off[6]] & 3, 2); /* false, true */

    T_CHECK(read_msg(&out, m.next, &m));
    T_EQ_INT(m.header_type, 0); /* end of stream */
    T_EQ_INT(m.next, out.len);
    free(out.bytes);
    lh_batch_destroy(b);
}

/* Every type the engine produces has an Arrow type and a batch of nulls encodes. */
static void test_all_types_null_batch(void)
{
    lh_type_t types[LH_TYPE__COUNT];
    const char *names[LH_TYPE__COUNT];
    lh_schema_t *s = lh_schema_create(LH_TYPE__COUNT);
    for (int i = 0; i < LH_TYPE__COUNT; i++) {
        types[i] = (lh_type_t){(lh_type_id)i, i == LH_TYPE_DECIMAL ? 38 : 0, 0};
        names[i] = "c";
        lh_schema_set(s, i, "c", types[i], true);
    }
    lh_batch_t *b = lh_batch_create(s, 4);
    lh_schema_destroy(s);
    for (int i = 0; i < LH_TYPE__COUNT; i++) {
        lh_vec_append_null(b->cols[i]);
        lh_vec_append_null(b->cols[i]);
    }
    b->row_count = 2;
    lh_byte_buf_t out = {0};
    T_EQ_INT(lh_arrow_write_schema(&out, LH_TYPE__COUNT, names, types, NULL), LH_OK);
    T_EQ_INT(lh_arrow_write_batch(&out, b, 0, 2, NULL), LH_OK);
    T_EQ_INT(lh_arrow_write_batch(&out, b, 2, 0, NULL), LH_OK); /* an empty batch */
    msg m;
    size_t at = 0;
    int count = 0;
    while (read_msg(&out, at, &m) && m.header_type != 0 && count < 10) {
        at = m.next;
        count++;
    }
    T_EQ_INT(count, 3);
    T_EQ_INT(at, out.len);
    free(out.bytes);
    lh_batch_destroy(b);
}

int main(void)
{
    T_RUN(test_stream);
    T_RUN(test_all_types_null_batch);
    return T_DONE();
}
