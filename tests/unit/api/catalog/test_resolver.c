/*
 * test_resolver.c - the catalog's resolver (compute/resolver.h) driven directly, as the SQL
 * engine calls it: the seeded catalogs, create catalog/schema/table, get_table (columns,
 * type JSON, managed location), lists, IF NOT EXISTS / OR REPLACE, drops with and without
 * cascade (managed files removed), view/table mismatches, ALTER through update_table,
 * set_comment, name rules, Spark error classes, and two threads racing to create the same
 * table (exactly one wins, the other gets LH_E_EXISTS).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/catalog/catalog_internal.h"
#include "common/util.h"
#include "t.h"

static char dir[64];
static lh_ctx_t ctx;
static lh_catalog_t *cat;
static const lh_resolver_t *r;

static void setup(void)
{
    memset(&ctx, 0, sizeof ctx);
    snprintf(dir, sizeof dir, "/tmp/lh-cat-XXXXXX");
    LH_ASSERT(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/meta.db", dir);
    LH_ASSERT(lh_meta_open(path, &ctx.meta, NULL) == LH_OK);
    ctx.data_dir = dir;
    LH_ASSERT(lh_catalog_create(&ctx, &cat, NULL) == LH_OK);
    r = lh_catalog_resolver(cat);
    ctx.resolver = r;
}

static void teardown(void)
{
    lh_catalog_destroy(cat);
    lh_meta_close(ctx.meta);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    T_CHECK(system(cmd) == 0);
}

static const lh_catalog_column_t COLS[] = {
    {"id", "bigint", "\"long\"", NULL, false, -1},
    {"amount", "decimal(10,2)", NULL, "money", true, -1},
    {"day", "date", NULL, NULL, true, 0},
};

static lh_table_info_t table(const char *c, const char *s, const char *n, lh_table_kind kind)
{
    lh_table_info_t t = {0};
    t.catalog = c;
    t.schema = s;
    t.name = n;
    t.kind = kind;
    t.columns = COLS;
    t.column_count = 3;
    t.properties_json = "{\"delta.appendOnly\":\"false\"}";
    if (kind == LH_TABLE_VIEW) {
        t.view_definition = "SELECT 1 AS x";
        t.column_count = 0;
    }
    return t;
}

static void test_seeded(void)
{
    lh_arena_t *a = lh_arena_create();
    const char **names;
    int n;
    T_EQ_INT(r->list_catalogs(r->ctx, a, &names, &n, NULL), LH_OK);
    T_EQ_INT(n, 2);
    T_EQ_STR(names[0], "hive_metastore");
    T_EQ_STR(names[1], "main");
    T_EQ_INT(r->list_schemas(r->ctx, "MAIN", a, &names, &n, NULL), LH_OK);
    T_EQ_INT(n, 2);
    T_EQ_STR(names[0], "default");
    T_EQ_STR(names[1], "information_schema");
    T_EQ_INT(r->schema_exists(r->ctx, "hive_metastore", "default", NULL), LH_OK);
    lh_errbuf eb = {0};
    T_EQ_INT(r->catalog_exists(r->ctx, "nope", &eb), LH_E_NOT_FOUND);
    T_EQ_STR(eb.error_code, "CATALOG_NOT_FOUND");
    T_EQ_INT(r->schema_exists(r->ctx, "main", "nope", &eb), LH_E_NOT_FOUND);
    T_EQ_STR(eb.error_code, "SCHEMA_NOT_FOUND");
    T_EQ_INT(r->catalog_exists(r->ctx, "a.b", &eb), LH_E_INVALID);
    lh_arena_destroy(a);
}

static void test_create_get_list(void)
{
    lh_arena_t *a = lh_arena_create();
    T_EQ_INT(r->create_catalog(r->ctx, "alice", "Sales", "c", false, NULL), LH_OK);
    lh_errbuf eb = {0};
    T_EQ_INT(r->create_catalog(r->ctx, "alice", "sales", NULL, false, &eb), LH_E_EXISTS);
    T_EQ_STR(eb.error_code, "CATALOG_ALREADY_EXISTS");
    T_EQ_INT(r->create_catalog(r->ctx, "alice", "sales", NULL, true, NULL), LH_OK);
    T_EQ_INT(r->create_schema(r->ctx, "alice", "sales", "Q1", NULL, false, NULL), LH_OK);
    lh_table_info_t t = table("sales", "q1", "Orders", LH_TABLE_MANAGED), *stored = NULL;
    T_EQ_INT(r->create_table(r->ctx, "alice", &t, false, false, a, &stored, NULL), LH_OK);
    char want[256];
    snprintf(want, sizeof want, "%s/warehouse/sales/q1/orders", dir);
    T_EQ_STR(stored->storage_location, want);
    T_EQ_STR(stored->full_name, "sales.q1.orders");
    T_CHECK(stored->table_id != NULL && strlen(stored->table_id) == 36);

    lh_table_info_t *got = NULL;
    T_EQ_INT(r->get_table(r->ctx, "SALES", "q1", "ORDERS", a, &got, NULL), LH_OK);
    T_EQ_INT(got->kind, LH_TABLE_MANAGED);
    T_EQ_STR(got->data_source_format, "DELTA");
    T_EQ_STR(got->owner, "alice");
    T_EQ_INT(got->column_count, 3);
    T_EQ_STR(got->columns[0].name, "id");
    T_EQ_STR(got->columns[0].type_json, "\"long\"");
    T_CHECK(!got->columns[0].nullable);
    T_EQ_STR(got->columns[1].type_text, "decimal(10,2)");
    T_EQ_STR(got->columns[1].type_json, "\"decimal(10,2)\"");
    T_EQ_STR(got->columns[1].comment, "money");
    T_EQ_INT(got->columns[2].partition_index, 0);
    T_EQ_INT(got->columns[1].partition_index, -1);
    T_EQ_STR(got->properties_json, "{\"delta.appendOnly\":\"false\"}");

    T_EQ_INT(r->create_table(r->ctx, "alice", &t, false, false, a, NULL, &eb), LH_E_EXISTS);
    T_EQ_STR(eb.error_code, "TABLE_OR_VIEW_ALREADY_EXISTS");
    T_EQ_INT(r->create_table(r->ctx, "bob", &t, true, false, a, &stored, NULL), LH_OK);
    T_EQ_STR(stored->owner, "alice"); /* IF NOT EXISTS leaves the existing one */
    lh_table_info_t v = table("sales", "q1", "v_orders", LH_TABLE_VIEW);
    T_EQ_INT(r->create_table(r->ctx, "alice", &v, false, false, a, &stored, NULL), LH_OK);
    T_CHECK(stored->storage_location == NULL);
    T_EQ_STR(stored->view_definition, "SELECT 1 AS x");

    const char **names;
    int n;
    T_EQ_INT(r->list_tables(r->ctx, "sales", "q1", a, &names, &n, NULL), LH_OK);
    T_EQ_INT(n, 2);
    T_EQ_STR(names[0], "orders");
    T_EQ_STR(names[1], "v_orders");
    T_EQ_INT(r->get_table(r->ctx, "sales", "q1", "missing", a, &got, &eb), LH_E_NOT_FOUND);
    T_EQ_STR(eb.error_code, "TABLE_OR_VIEW_NOT_FOUND");
    T_EQ_INT(r->get_table(r->ctx, "sales", "q9", "orders", a, &got, &eb), LH_E_NOT_FOUND);
    T_EQ_STR(eb.error_code, "SCHEMA_NOT_FOUND");
    lh_table_info_t bad = table("sales", "information_schema", "x", LH_TABLE_MANAGED);
    T_EQ_INT(r->create_table(r->ctx, "alice", &bad, false, false, a, NULL, NULL), LH_E_INVALID);
    lh_arena_destroy(a);
}

static void test_replace_alter_comment(void)
{
    lh_arena_t *a = lh_arena_create();
    lh_table_info_t *before = NULL, *after = NULL;
    T_EQ_INT(r->get_table(r->ctx, "sales", "q1", "orders", a, &before, NULL), LH_OK);
    lh_table_info_t t = table("sales", "q1", "orders", LH_TABLE_MANAGED);
    t.column_count = 1;
    T_EQ_INT(r->create_table(r->ctx, "bob", &t, false, true, a, &after, NULL), LH_OK);
    T_EQ_STR(after->table_id, before->table_id);
    T_EQ_STR(after->storage_location, before->storage_location);
    T_EQ_INT(after->column_count, 1);

    lh_table_info_t alt = *after;
    alt.name = "Orders2";
    alt.comment = "renamed";
    alt.columns = COLS;
    alt.column_count = 2;
    T_EQ_INT(r->update_table(r->ctx, "sales", "q1", "orders", &alt, NULL), LH_OK);
    lh_errbuf eb = {0};
    T_EQ_INT(r->get_table(r->ctx, "sales", "q1", "orders", a, &after, &eb), LH_E_NOT_FOUND);
    T_EQ_INT(r->get_table(r->ctx, "sales", "q1", "orders2", a, &after, NULL), LH_OK);
    T_EQ_STR(after->comment, "renamed");
    T_EQ_INT(after->column_count, 2);
    T_EQ_STR(after->table_id, before->table_id);

    T_EQ_INT(r->set_comment(r->ctx, "TABLE", "sales.q1.orders2", "c2", NULL), LH_OK);
    T_EQ_INT(r->get_table(r->ctx, "sales", "q1", "orders2", a, &after, NULL), LH_OK);
    T_EQ_STR(after->comment, "c2");
    T_EQ_INT(r->set_comment(r->ctx, "SCHEMA", "sales.q1", "schema c", NULL), LH_OK);
    T_EQ_INT(r->set_comment(r->ctx, "CATALOG", "nope", "x", &eb), LH_E_NOT_FOUND);
    lh_arena_destroy(a);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void test_drops(void)
{
    lh_arena_t *a = lh_arena_create();
    lh_table_info_t *got = NULL;
    T_EQ_INT(r->get_table(r->ctx, "sales", "q1", "orders2", a, &got, NULL), LH_OK);
    /* the engine would write the Delta log here */
    char log_dir[512], file[600];
    snprintf(log_dir, sizeof log_dir, "%s/_delta_log", got->storage_location);
    T_EQ_INT(uc_mkdirs(log_dir, NULL), LH_OK);
    snprintf(file, sizeof file, "%s/00000000000000000000.json", log_dir);
    FILE *f = fopen(file, "w");
    T_CHECK(f != NULL);
    fclose(f);

    lh_errbuf eb = {0};
    T_EQ_INT(r->drop_table(r->ctx, "sales", "q1", "v_orders", false, false, &eb), LH_E_INVALID);
    T_EQ_STR(eb.error_code, "EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE");
    T_EQ_INT(r->drop_table(r->ctx, "sales", "q1", "v_orders", false, true, NULL), LH_OK);
    T_EQ_INT(r->drop_table(r->ctx, "sales", "q1", "v_orders", true, true, NULL), LH_OK);
    T_EQ_INT(r->drop_table(r->ctx, "sales", "q1", "v_orders", false, true, &eb), LH_E_NOT_FOUND);

    /* a dropped managed table takes its files along */
    lh_table_info_t tmp = table("sales", "q1", "tmp", LH_TABLE_MANAGED), *st = NULL;
    T_EQ_INT(r->create_table(r->ctx, "alice", &tmp, false, false, a, &st, NULL), LH_OK);
    T_EQ_INT(uc_mkdirs(st->storage_location, NULL), LH_OK);
    T_CHECK(exists(st->storage_location));
    T_EQ_INT(r->drop_table(r->ctx, "sales", "q1", "tmp", false, false, NULL), LH_OK);
    T_CHECK(!exists(st->storage_location));
    /* an external table keeps them */
    char ext[512];
    snprintf(ext, sizeof ext, "%s/ext-table", dir);
    lh_table_info_t et = table("sales", "q1", "ext", LH_TABLE_EXTERNAL);
    et.storage_location = ext;
    T_EQ_INT(r->create_table(r->ctx, "alice", &et, false, false, a, &st, NULL), LH_OK);
    T_EQ_INT(st->kind, LH_TABLE_EXTERNAL);
    T_EQ_INT(uc_mkdirs(ext, NULL), LH_OK);
    T_EQ_INT(r->drop_table(r->ctx, "sales", "q1", "ext", false, false, NULL), LH_OK);
    T_CHECK(exists(ext));

    T_EQ_INT(r->drop_schema(r->ctx, "sales", "q1", false, false, &eb), LH_E_STATE);
    T_EQ_STR(eb.error_code, "SCHEMA_NOT_EMPTY");
    T_EQ_INT(r->drop_catalog(r->ctx, "sales", false, false, &eb), LH_E_STATE);
    T_EQ_STR(eb.error_code, "CATALOG_NOT_EMPTY");
    T_CHECK(exists(file));
    T_EQ_INT(r->drop_schema(r->ctx, "sales", "q1", false, true, NULL), LH_OK);
    T_CHECK(!exists(file));
    T_CHECK(!exists(got->storage_location));
    T_EQ_INT(r->drop_schema(r->ctx, "sales", "information_schema", false, true, &eb), LH_E_INVALID);
    /* only default and information_schema are left: empty */
    T_EQ_INT(r->drop_catalog(r->ctx, "sales", false, false, NULL), LH_OK);
    T_EQ_INT(r->drop_catalog(r->ctx, "sales", false, false, &eb), LH_E_NOT_FOUND);
    T_EQ_STR(eb.error_code, "CATALOG_NOT_FOUND");
    T_EQ_INT(r->drop_catalog(r->ctx, "sales", true, false, NULL), LH_OK);
    lh_arena_destroy(a);
}

typedef struct racer {
    const char *name;
    lh_err result;
} racer;

static void *race(void *arg)
{
    racer *rc = arg;
    lh_arena_t *a = lh_arena_create();
    lh_table_info_t t = table("main", "default", rc->name, LH_TABLE_MANAGED);
    rc->result = r->create_table(r->ctx, "racer", &t, false, false, a, NULL, NULL);
    lh_arena_destroy(a);
    return NULL;
}

static void test_race(void)
{
    for (int i = 0; i < 20; i++) {
        char name[32];
        snprintf(name, sizeof name, "t%d", i);
        racer a = {name, LH_OK}, b = {name, LH_OK};
        pthread_t ta, tb;
        pthread_create(&ta, NULL, race, &a);
        pthread_create(&tb, NULL, race, &b);
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);
        T_CHECK((a.result == LH_OK) != (b.result == LH_OK));
        T_CHECK(a.result == LH_E_EXISTS || b.result == LH_E_EXISTS);
    }
    T_EQ_INT(r->drop_schema(r->ctx, "main", "default", false, false, NULL), LH_E_STATE);
    T_EQ_INT(r->drop_catalog(r->ctx, "main", false, true, NULL), LH_OK);
    lh_errbuf eb = {0};
    T_EQ_INT(r->catalog_exists(r->ctx, "main", &eb), LH_E_NOT_FOUND);
}

static void test_reopen_keeps_drops(void)
{
    /* the seed runs once: main stays dropped after a restart */
    lh_catalog_destroy(cat);
    T_EQ_INT(lh_catalog_create(&ctx, &cat, NULL), LH_OK);
    r = lh_catalog_resolver(cat);
    T_EQ_INT(r->catalog_exists(r->ctx, "main", NULL), LH_E_NOT_FOUND);
    T_EQ_INT(r->catalog_exists(r->ctx, "hive_metastore", NULL), LH_OK);
}

int main(void)
{
    setup();
    T_RUN(test_seeded);
    T_RUN(test_create_get_list);
    T_RUN(test_replace_alter_comment);
    T_RUN(test_drops);
    T_RUN(test_race);
    T_RUN(test_reopen_keeps_drops);
    teardown();
    return T_DONE();
}
