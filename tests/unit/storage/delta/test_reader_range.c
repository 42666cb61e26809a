/*
 * test_reader_range.c - a data file's row groups through lh_delta_reader: a write makes
 * row groups of a bounded row count, a reader reads a range of them, and predicates skip
 * row groups by their Parquet statistics (ranges, strings as bytes, dates, IN, all-null
 * chunks) but never on floats where a NaN could match.
 */
#include <math.h>

#include "tbuild.h"

#define ROWS 300000

static lh_delta_snapshot_t *setup(scratch_t *sc)
{
    lh_errbuf eb;
    scratch_open(sc, "");
    lh_schema_t *schema = test_schema();
    T_EQ_INT(create_table(sc->t, schema, NULL, 0, &eb), LH_OK);
    lh_schema_destroy(schema);
    T_EQ_INT(append_rows(sc->t, 0, ROWS, 1000000, NULL, &eb), LH_OK);
    lh_delta_snapshot_t *s;
    T_EQ_INT(lh_delta_snapshot_latest(sc->t, &s, &eb), LH_OK);
    T_EQ_INT(lh_delta_snapshot_file_count(s), 1);
    return s;
}

/* Rows the reader hands out, and the first id among them (-1 if none). */
static int64_t drain(lh_delta_reader_t *r, int64_t *first_id)
{
    lh_errbuf eb;
    const lh_batch_t *b;
    int64_t n = 0;
    *first_id = -1;
    while (lh_delta_reader_next(r, &b, &eb) == LH_OK && b) {
        if (n == 0 && b->row_count > 0)
            *first_id = lh_vec_get_i64(b->cols[0], 0);
        n += (int64_t)b->row_count;
    }
    return n;
}

static void test_row_groups_and_ranges(void)
{
    scratch_t sc;
    lh_errbuf eb;
    lh_delta_snapshot_t *s = setup(&sc);
    const lh_delta_add_t *f = lh_delta_snapshot_file(s, 0);
    lh_delta_reader_t *r;
    const char *cols[] = {"id"};
    T_EQ_INT(lh_delta_reader_open(sc.t, s, f, cols, 1, &r, &eb), LH_OK);
    int n = lh_delta_reader_row_group_count(r);
    T_CHECK(n >= 3); /* bounded row groups: 122,880 rows each */
    int64_t total = 0;
    for (int rg = 0; rg < n; rg++) {
        T_CHECK(lh_delta_reader_row_group_rows(r, rg) <= 131072);
        total += lh_delta_reader_row_group_rows(r, rg);
    }
    T_EQ_INT(total, ROWS);
    T_EQ_INT(lh_delta_reader_set_range(r, 1, 1, &eb), LH_OK);
    int64_t first;
    T_EQ_INT(drain(r, &first), lh_delta_reader_row_group_rows(r, 1));
    T_EQ_INT(first, lh_delta_reader_row_group_rows(r, 0));
    lh_delta_reader_close(r);

    T_EQ_INT(lh_delta_reader_open(sc.t, s, f, cols, 1, &r, &eb), LH_OK);
    T_EQ_INT(lh_delta_reader_set_range(r, n, 1, &eb), LH_E_INVALID);
    T_EQ_INT(lh_delta_reader_set_range(r, -1, 1, &eb), LH_E_INVALID);
    T_EQ_INT(lh_delta_reader_set_range(r, n, 0, &eb), LH_OK); /* empty */
    T_EQ_INT(drain(r, &first), 0);
    lh_delta_reader_close(r);
    lh_delta_snapshot_release(s);
    scratch_close(&sc);
}

/* Row groups read and skipped with preds, over the whole file. */
static void skip(scratch_t *sc, const lh_delta_snapshot_t *s, const lh_delta_pred_t *p, int n,
                 int64_t *rows, int64_t *pruned)
{
    lh_errbuf eb;
    lh_delta_reader_t *r;
    const char *cols[] = {"id", "name", "day", "amount"};
    T_EQ_INT(lh_delta_reader_open(sc->t, s, lh_delta_snapshot_file(s, 0), cols, 4, &r, &eb), LH_OK);
    T_EQ_INT(lh_delta_reader_set_preds(r, p, n, &eb), LH_OK);
    int64_t first, read;
    *rows = drain(r, &first);
    lh_delta_reader_row_groups(r, &read, pruned);
    lh_delta_reader_close(r);
}

static void test_skipping(void)
{
    scratch_t sc;
    lh_delta_snapshot_t *s = setup(&sc);
    int64_t rows, pruned;
    lh_type_t lng = {LH_TYPE_LONG, 0, 0}, str = {LH_TYPE_STRING, 0, 0};
    lh_type_t date = {LH_TYPE_DATE, 0, 0}, dbl = {LH_TYPE_DOUBLE, 0, 0};
    lh_value_t v = {.type = lng, .v.i64 = 250000};
    lh_delta_pred_t ge = {"ID", LH_PQ_GE, 1, &v}; /* names match case-insensitively */
    skip(&sc, s, &ge, 1, &rows, &pruned);
    T_EQ_INT(pruned, 2);
    T_EQ_INT(rows, ROWS - 245760);
    lh_value_t in[2] = {{.type = lng, .v.i64 = 3}, {.type = lng, .v.i64 = 299999}};
    lh_delta_pred_t pin = {"id", LH_PQ_IN, 2, in};
    skip(&sc, s, &pin, 1, &rows, &pruned);
    T_EQ_INT(pruned, 1);
    lh_value_t neg = {.type = lng, .v.i64 = 0};
    lh_delta_pred_t lt = {"id", LH_PQ_LT, 1, &neg};
    skip(&sc, s, &lt, 1, &rows, &pruned);
    T_EQ_INT(pruned, 3);
    T_EQ_INT(rows, 0);
    /* strings compare as bytes: "name-99999" > "name-299999" */
    lh_value_t sv = {.type = str, .v.str = {(const uint8_t *)"name-99999", 10}};
    lh_delta_pred_t sge = {"name", LH_PQ_GT, 1, &sv};
    skip(&sc, s, &sge, 1, &rows, &pruned);
    T_EQ_INT(pruned, 3);
    /* dates: day = 19000 + id */
    lh_value_t dv = {.type = date, .v.i64 = 19000 + 10};
    lh_delta_pred_t dle = {"day", LH_PQ_LE, 1, &dv};
    skip(&sc, s, &dle, 1, &rows, &pruned);
    T_EQ_INT(pruned, 2);
    /* floats: > could match a NaN the statistics leave out; < and = are judged */
    lh_value_t fv = {.type = dbl, .v.f64 = 1e12};
    lh_delta_pred_t fgt = {"amount", LH_PQ_GT, 1, &fv};
    skip(&sc, s, &fgt, 1, &rows, &pruned);
    T_EQ_INT(pruned, 0);
    lh_value_t fz = {.type = dbl, .v.f64 = -1};
    lh_delta_pred_t flt = {"amount", LH_PQ_LT, 1, &fz};
    skip(&sc, s, &flt, 1, &rows, &pruned);
    T_EQ_INT(pruned, 3);
    lh_value_t fnan = {.type = dbl, .v.f64 = NAN};
    lh_delta_pred_t feq = {"amount", LH_PQ_EQ, 1, &fnan};
    skip(&sc, s, &feq, 1, &rows, &pruned);
    T_EQ_INT(pruned, 0);
    /* unknown columns are ignored */
    lh_delta_pred_t nope = {"nope", LH_PQ_LT, 1, &neg};
    skip(&sc, s, &nope, 1, &rows, &pruned);
    T_EQ_INT(pruned, 0);
    T_EQ_INT(rows, ROWS);
    lh_delta_snapshot_release(s);
    scratch_close(&sc);
}

/* Late columns come empty until fill_late, then hold the batch's rows; a row group whose
 * batches are never filled never decodes them. */
static void test_late(void)
{
    scratch_t sc;
    lh_errbuf eb;
    lh_delta_snapshot_t *s = setup(&sc);
    lh_delta_reader_t *r;
    const char *cols[] = {"id", "name", "amount"};
    T_EQ_INT(lh_delta_reader_open(sc.t, s, lh_delta_snapshot_file(s, 0), cols, 3, &r, &eb), LH_OK);
    bool late[] = {false, true, true};
    lh_delta_reader_set_late(r, late);
    const lh_batch_t *b;
    int64_t rows = 0, filled = 0, rg_rows = lh_delta_reader_row_group_rows(r, 0);
    bool decoded[8] = {false};
    T_EQ_INT(lh_delta_reader_row_group_count(r), 3);
    bool ok = true;
    while (lh_delta_reader_next(r, &b, &eb) == LH_OK && b) {
        int64_t id = lh_vec_get_i64(b->cols[0], 0);
        ok = ok && b->cols[0]->count == b->row_count;
        if (id % 100000 < 2048) { /* fill a few batches, in row groups 0..2 */
            T_EQ_INT(lh_delta_reader_fill_late(r, &eb), LH_OK);
            ok = ok && b->cols[1]->count == b->row_count && b->cols[2]->count == b->row_count;
            char want[32];
            size_t k = b->row_count - 1;
            snprintf(want, sizeof want, "name-%lld", (long long)(id + (int64_t)k));
            const lh_sv_t *sv = &((const lh_sv_t *)b->cols[1]->data)[k];
            ok = ok && sv->len == strlen(want) && memcmp(sv->ptr, want, sv->len) == 0;
            ok = ok && lh_vec_get_f64(b->cols[2], k) == (double)(id + (int64_t)k) / 2;
            filled += (int64_t)b->row_count;
            decoded[id / rg_rows] = true;
        } else { /* filled as they come once this row group's columns are decoded */
            size_t want = decoded[id / rg_rows] ? b->row_count : 0;
            ok = ok && b->cols[1]->count == want && b->cols[2]->count == want;
        }
        rows += (int64_t)b->row_count;
    }
    T_CHECK(ok);
    T_EQ_INT(rows, ROWS);
    T_CHECK(filled > 0 && filled < ROWS);
    lh_delta_reader_close(r);
    lh_delta_snapshot_release(s);
    scratch_close(&sc);
}

int main(void)
{
    T_RUN(test_late);
    T_RUN(test_row_groups_and_ranges);
    T_RUN(test_skipping);
    return T_DONE();
}
