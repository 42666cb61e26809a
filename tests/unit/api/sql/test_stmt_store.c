/* test_stmt_store.c - api/sql/stmt_store: statement rows, lineage written and read back
 * (lh_statements_lineage), and recovery after a restart (in-flight -> FAILED, INLINE
 * results -> CLOSED). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/sql/stmt_internal.h"
#include "common/config.h"
#include "common/util.h"
#include "storage/meta/meta.h"
#include "t.h"

static lh_ctx_t ctx;
static lh_config_t config;
static lh_statements_t owner;
static char dir[64];

static stmt *new_stmt(const char *id, st_state state, st_disposition disp)
{
    stmt *st = calloc(1, sizeof *st);
    pthread_mutex_init(&st->mu, NULL);
    st->refs = 1;
    st->owner = &owner;
    snprintf(st->id, sizeof st->id, "%s", id);
    st->state = state;
    st->sql = strdup("SELECT a FROM t");
    st->warehouse_id = strdup("wh1");
    st->catalog = strdup("main");
    st->schema = strdup("default");
    st->user = strdup("ana@example.com");
    st->user_id = 42;
    st->disposition = disp;
    st->submitted_ms = lh_now_ms();
    st->columns = json_array();
    return st;
}

static const char *stored_state(const char *id, json_t **out)
{
    int64_t uid = 0;
    *out = NULL;
    T_EQ_INT(lh_stmt_store_render(&ctx, id, out, &uid, NULL), LH_OK);
    return *out ? json_string_value(json_object_get(json_object_get(*out, "status"), "state"))
                : NULL;
}

static void test_lineage_roundtrip(void)
{
    stmt *st = new_stmt("11111111-0000-0000-0000-000000000001", ST_PENDING, DISP_INLINE);
    T_EQ_INT(lh_stmt_store_insert(&ctx, st, NULL), LH_OK);
    const char *cols_a[] = {"id", "name", NULL}, *cols_b[] = {NULL};
    const char **cols[] = {cols_a, cols_b};
    const char *tables[] = {"main.default.users", "main.default.orders"};
    lh_lineage_t l = {2, tables, cols, "main.default.report"};
    lh_stmt_store_lineage(&ctx, st->id, &l);
    json_t *got = NULL;
    T_EQ_INT(lh_statements_lineage(ctx.meta, st->id, &got, NULL), LH_OK);
    char *text = json_dumps(got, JSON_COMPACT);
    T_EQ_STR(text, "[{\"direction\":\"input\",\"table_name\":\"main.default.users\"},"
                   "{\"direction\":\"input\",\"table_name\":\"main.default.users\","
                   "\"column_name\":\"id\"},"
                   "{\"direction\":\"input\",\"table_name\":\"main.default.users\","
                   "\"column_name\":\"name\"},"
                   "{\"direction\":\"input\",\"table_name\":\"main.default.orders\"},"
                   "{\"direction\":\"output\",\"table_name\":\"main.default.report\"}]");
    free(text);
    json_decref(got);
    /* none recorded: an empty array */
    T_EQ_INT(lh_statements_lineage(ctx.meta, "nope", &got, NULL), LH_OK);
    T_EQ_INT(json_array_size(got), 0);
    json_decref(got);
    lh_stmt_free(st);
}

static void test_update_and_render(void)
{
    stmt *st = new_stmt("11111111-0000-0000-0000-000000000002", ST_PENDING, DISP_INLINE);
    T_EQ_INT(lh_stmt_store_insert(&ctx, st, NULL), LH_OK);
    st->state = ST_FAILED;
    st->ended_ms = lh_now_ms();
    st->error_code = strdup("BAD_REQUEST");
    st->error_message = strdup("[X] boom");
    st->sql_state = strdup("42000");
    lh_stmt_store_update(&ctx, st);
    json_t *out;
    T_EQ_STR(stored_state(st->id, &out), "FAILED");
    char *text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
    T_EQ_STR(text, "{\"statement_id\":\"11111111-0000-0000-0000-000000000002\",\"status\":"
                   "{\"error\":{\"error_code\":\"BAD_REQUEST\",\"message\":\"[X] boom\"},"
                   "\"sql_state\":\"42000\",\"state\":\"FAILED\"}}");
    free(text);
    json_decref(out);
    T_CHECK(stored_state("no-such-statement", &out) == NULL);
    lh_stmt_free(st);
}

static void test_recover(void)
{
    stmt *running = new_stmt("11111111-0000-0000-0000-000000000003", ST_PENDING, DISP_INLINE);
    stmt *done = new_stmt("11111111-0000-0000-0000-000000000004", ST_PENDING, DISP_INLINE);
    T_EQ_INT(lh_stmt_store_insert(&ctx, running, NULL), LH_OK);
    T_EQ_INT(lh_stmt_store_insert(&ctx, done, NULL), LH_OK);
    running->state = ST_RUNNING;
    lh_stmt_store_update(&ctx, running);
    done->state = ST_SUCCEEDED;
    done->ended_ms = lh_now_ms();
    done->expires_ms = done->ended_ms + 3600000;
    lh_stmt_store_update(&ctx, done);
    T_EQ_INT(lh_stmt_store_recover(&owner, NULL), LH_OK);
    json_t *out;
    T_EQ_STR(stored_state(running->id, &out), "FAILED");
    const char *msg = json_string_value(
        json_object_get(json_object_get(json_object_get(out, "status"), "error"), "message"));
    T_EQ_STR(msg, "The statement was interrupted by a restart of the server");
    json_decref(out);
    T_EQ_STR(stored_state(done->id, &out), "CLOSED"); /* INLINE results lived in memory */
    json_decref(out);
    T_EQ_INT(lh_hashmap_count(owner.table), 0);
    lh_stmt_free(running);
    lh_stmt_free(done);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/lh-stmt-XXXXXX");
    LH_ASSERT(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/meta.db", dir);
    LH_ASSERT(lh_meta_open(path, &ctx.meta, NULL) == LH_OK);
    ctx.data_dir = dir;
    ctx.workspace_host = "http://127.0.0.1:8080";
    ctx.config = &config;
    owner.ctx = &ctx;
    owner.ttl_ms = 3600000;
    pthread_mutex_init(&owner.mu, NULL);
    owner.table = lh_hashmap_create(&LH_HASHMAP_STR, 8);
    T_RUN(test_lineage_roundtrip);
    T_RUN(test_update_and_render);
    T_RUN(test_recover);
    lh_hashmap_destroy(owner.table);
    lh_meta_close(ctx.meta);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    T_CHECK(system(cmd) == 0);
    return T_DONE();
}
