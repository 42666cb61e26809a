/*
 * test_reader_delta.c - DELTA_BINARY_PACKED, DELTA_BYTE_ARRAY and the delta_encoding
 * files compared cell by cell with their *_expect.csv (empty unquoted cell = null).
 */
#include <inttypes.h>

#include "reader_util.h"

typedef struct csv {
    char *text;
    size_t len, pos;
} csv;

static int csv_load(csv *c, const char *rel)
{
    FILE *fp = fopen(pq_path(rel), "rb");
    if (fp == NULL)
        return 0;
    fseek(fp, 0, SEEK_END);
    c->len = (size_t)ftell(fp);
    fseek(fp, 0, SEEK_SET);
    c->text = malloc(c->len + 1);
    c->len = fread(c->text, 1, c->len, fp);
    c->text[c->len] = '\0';
    c->pos = 0;
    fclose(fp);
    return 1;
}

/* Next cell into out; returns 0 at end of line/file after the last cell. *is_null for an
 * empty unquoted cell; *eol set when the cell ends its line. */
static void csv_cell(csv *c, char *out, size_t cap, int *is_null, int *eol)
{
    size_t n = 0;
    int quoted = c->pos < c->len && c->text[c->pos] == '"';
    if (quoted) {
        c->pos++;
        while (c->pos < c->len) {
            char ch = c->text[c->pos++];
            if (ch == '"') {
                if (c->pos < c->len && c->text[c->pos] == '"')
                    c->pos++;
                else
                    break;
            }
            if (n + 1 < cap)
                out[n++] = ch;
        }
    } else {
        while (c->pos < c->len && c->text[c->pos] != ',' && c->text[c->pos] != '\n' &&
               c->text[c->pos] != '\r')
            if (n + 1 < cap)
                out[n++] = c->text[c->pos++];
            else
                c->pos++;
    }
    out[n] = '\0';
    *is_null = !quoted && n == 0;
    *eol = c->pos >= c->len || c->text[c->pos] != ',';
    if (c->pos < c->len && c->text[c->pos] == ',')
        c->pos++;
    else
        while (c->pos < c->len && (c->text[c->pos] == '\r' || c->text[c->pos] == '\n'))
            c->pos++;
}

static void format_cell(const lh_vec_t *v, size_t i, char *out, size_t cap)
{
    switch (v->type.id) {
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY: {
        lh_sv_t s = pq_sv(v, i);
        snprintf(out, cap, "%.*s", (int)s.len, (const char *)s.ptr);
        break;
    }
    default:
        snprintf(out, cap, "%" PRId64, lh_vec_get_i64(v, i));
    }
}

/* Compare every flat column of row group 0 with the CSV (same column order). */
static void compare_with_csv(const char *parquet_rel, const char *csv_rel, int want_rows)
{
    lh_pq_file_t *f = pq_open_rel(parquet_rel);
    csv c = {0};
    T_CHECK(f != NULL);
    T_CHECK(csv_load(&c, csv_rel));
    if (f == NULL || c.text == NULL) {
        lh_pq_close(f);
        free(c.text);
        return;
    }
    const lh_schema_t *s = lh_pq_schema(f);
    int cols = s->field_count;
    lh_vec_t **v = calloc((size_t)cols, sizeof *v);
    for (int k = 0; k < cols; k++) {
        v[k] = pq_col(f, 0, s->fields[k].name);
        T_CHECK(v[k] != NULL);
        if (v[k] == NULL)
            goto out;
        T_EQ_INT(v[k]->count, want_rows);
    }
    char cell[4096], mine[4096];
    int is_null, eol, mismatches = 0;
    for (int k = 0; k < cols; k++) /* header */
        csv_cell(&c, cell, sizeof cell, &is_null, &eol);
    T_CHECK(eol);
    size_t row = 0;
    for (; c.pos < c.len && row < (size_t)want_rows; row++) {
        for (int k = 0; k < cols; k++) {
            csv_cell(&c, cell, sizeof cell, &is_null, &eol);
            int valid = lh_vec_is_valid(v[k], row);
            if (valid)
                format_cell(v[k], row, mine, sizeof mine);
            if (valid == is_null || (valid && strcmp(mine, cell) != 0)) {
                if (mismatches++ < 5)
                    fprintf(stderr, "  %s row %zu col %s: got %s, csv %s\n", parquet_rel, row,
                            s->fields[k].name, valid ? mine : "null", is_null ? "null" : cell);
            }
        }
        T_CHECK(eol);
    }
    T_EQ_INT(row, want_rows);
    T_EQ_INT(mismatches, 0);
out:
    for (int k = 0; k < cols; k++)
        lh_vec_destroy(v[k]);
    free(v);
    free(c.text);
    lh_pq_close(f);
}

static void test_delta_binary_packed(void)
{
    compare_with_csv("data/delta_binary_packed.parquet", "data/delta_binary_packed_expect.csv",
                     200);
}

static void test_delta_byte_array(void)
{
    compare_with_csv("data/delta_byte_array.parquet", "data/delta_byte_array_expect.csv", 1000);
}

static void test_delta_encoding_required(void)
{
    compare_with_csv("data/delta_encoding_required_column.parquet",
                     "data/delta_encoding_required_column_expect.csv", 100);
}

static void test_delta_encoding_optional(void)
{
    compare_with_csv("data/delta_encoding_optional_column.parquet",
                     "data/delta_encoding_optional_column_expect.csv", 100);
}

int main(void)
{
    T_RUN(test_delta_binary_packed);
    T_RUN(test_delta_byte_array);
    T_RUN(test_delta_encoding_required);
    T_RUN(test_delta_encoding_optional);
    return T_DONE();
}
