/*
 * test_read.c - api/secrets against a temporary meta.db: lh_secrets_read (the interface
 * later areas use) as the system and as users; levels resolved through `users`, direct
 * and nested (and cyclic) group membership; the key file created on the first put; a wrong
 * key reported as LH_E_CORRUPT; and what meta.db holds (no plaintext).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/secrets/secrets_internal.h"
#include "common/config.h"
#include "common/util.h"
#include "t.h"

static char dir[64];

typedef struct {
    lh_ctx_t ctx;
} fixture;

static lh_err exec_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    return lh_meta_exec(m, arg, eb);
}

/* users: alice (1), bob (2), carol (3); groups: team (10) has group inner (11) has bob;
 * loop (12) and inner form a cycle. */
static const char *const PEOPLE[] = {
    "INSERT INTO users(id, user_name, created_at) VALUES (1, 'alice', 0), (2, 'bob', 0), "
    "(3, 'carol', 0)",
    "INSERT INTO groups(id, display_name, created_at) VALUES (10, 'team', 0), (11, 'inner', 0), "
    "(12, 'loop', 0)",
    "INSERT INTO group_members VALUES (10, 11, 'group'), (11, 2, 'user'), (12, 11, 'group'), "
    "(11, 12, 'group')",
};

static void setup(fixture *f)
{
    memset(f, 0, sizeof *f);
    snprintf(dir, sizeof dir, "/tmp/lh-sec-XXXXXX");
    LH_ASSERT(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/meta.db", dir);
    LH_ASSERT(lh_meta_open(path, &f->ctx.meta, NULL) == LH_OK);
    f->ctx.data_dir = dir;
    for (size_t i = 0; i < sizeof PEOPLE / sizeof PEOPLE[0]; i++)
        LH_ASSERT(lh_meta_tx(f->ctx.meta, exec_tx, (void *)PEOPLE[i], NULL) == LH_OK);
    LH_ASSERT(lh_secrets_create(&f->ctx, &f->ctx.secrets, NULL) == LH_OK);
}

static void teardown(fixture *f)
{
    lh_secrets_destroy(f->ctx.secrets);
    lh_meta_close(f->ctx.meta);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    T_EQ_INT(system(cmd), 0);
}

static lh_err put(fixture *f, const char *scope, const char *key, const char *value)
{
    lh_secrets_key_t k;
    LH_TRY(sc_key_get(f->ctx.secrets, &k, NULL));
    char aad[300];
    size_t aad_bytes = sc_aad(scope, key, aad);
    unsigned char sealed[256];
    char text[400];
    LH_TRY(lh_secrets_seal(&k, aad, aad_bytes, value, strlen(value), sealed, NULL));
    lh_secrets_b64_encode(sealed, strlen(value) + LH_SEAL_OVERHEAD, text);
    return sc_secret_put(f->ctx.secrets, NULL, scope, key, text, NULL);
}

static lh_err read_as(fixture *f, const lh_principal_t *who, const char *key, char *out)
{
    lh_arena_t *a = lh_arena_create();
    const void *v = NULL;
    size_t n = 0;
    lh_errbuf eb;
    lh_err e = lh_secrets_read(&f->ctx, who, "s", key, a, &v, &n, &eb);
    if (e == LH_OK) {
        memcpy(out, v, n);
        out[n] = '\0';
    }
    lh_arena_destroy(a);
    return e;
}

static const lh_principal_t ALICE = {1, "alice", false}, BOB = {2, "bob", false},
                            CAROL = {3, "CAROL", false}, ROOT = {9, "root", true};

static void test_system_and_levels(void)
{
    fixture f;
    setup(&f);
    char path[128];
    snprintf(path, sizeof path, "%s/secrets.key", dir);
    T_CHECK(access(path, F_OK) != 0); /* no key file until the first put */
    T_EQ_INT(sc_scope_create(f.ctx.secrets, &ALICE, "s", NULL, NULL), LH_OK);
    T_EQ_INT(put(&f, "s", "pw", "hunter2"), LH_OK);
    struct stat st;
    T_EQ_INT(stat(path, &st), 0);
    T_EQ_INT(st.st_mode & 0777, 0600);
    char out[64];
    T_EQ_INT(read_as(&f, NULL, "pw", out), LH_OK);
    T_EQ_STR(out, "hunter2");
    T_EQ_INT(read_as(&f, &ALICE, "pw", out), LH_OK); /* the creator holds MANAGE */
    T_EQ_INT(read_as(&f, &ROOT, "pw", out), LH_OK);  /* admins always do */
    T_EQ_INT(read_as(&f, &BOB, "pw", out), LH_E_PERMISSION);
    T_EQ_INT(read_as(&f, &CAROL, "pw", out), LH_E_PERMISSION);
    T_EQ_INT(read_as(&f, &BOB, "nope", out), LH_E_PERMISSION); /* no key probing */
    T_EQ_INT(read_as(&f, &ALICE, "nope", out), LH_E_NOT_FOUND);
    /* bob is in inner, which is in team (and in a cycle with loop) */
    T_EQ_INT(sc_acl_put(f.ctx.secrets, &ALICE, "s", "TEAM", SC_READ, NULL), LH_OK);
    T_EQ_INT(read_as(&f, &BOB, "pw", out), LH_OK);
    T_EQ_STR(out, "hunter2");
    T_EQ_INT(read_as(&f, &CAROL, "pw", out), LH_E_PERMISSION);
    T_EQ_INT(sc_acl_put(f.ctx.secrets, &BOB, "s", "bob", SC_MANAGE, NULL), LH_E_PERMISSION);
    T_EQ_INT(sc_acl_put(f.ctx.secrets, &ALICE, "s", "users", SC_READ, NULL), LH_OK);
    T_EQ_INT(read_as(&f, &CAROL, "pw", out), LH_OK); /* `users`, matched case-insensitively */
    T_EQ_INT(sc_acl_delete(f.ctx.secrets, &ALICE, "s", "users", NULL), LH_OK);
    T_EQ_INT(sc_acl_delete(f.ctx.secrets, &ALICE, "s", "team", NULL), LH_OK);
    T_EQ_INT(read_as(&f, &BOB, "pw", out), LH_E_PERMISSION);
    T_EQ_INT(sc_acl_put(f.ctx.secrets, &ALICE, "s", "nobody", SC_READ, NULL), LH_E_INVALID);
    teardown(&f);
}

static bool file_has(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return false;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    return memmem(buf, n, needle, strlen(needle)) != NULL;
}

static void test_wrong_key_and_disk(void)
{
    fixture f;
    setup(&f);
    T_EQ_INT(sc_scope_create(f.ctx.secrets, NULL, "s", "users", NULL), LH_OK);
    T_EQ_INT(put(&f, "s", "pw", "PLAINTEXT-marker-4711"), LH_OK);
    char path[128];
    snprintf(path, sizeof path, "%s/meta.db", dir);
    T_CHECK(!file_has(path, "PLAINTEXT-marker-4711"));
    snprintf(path, sizeof path, "%s/meta.db-wal", dir);
    T_CHECK(file_has(path, "secret_acls")); /* the WAL is really read */
    T_CHECK(!file_has(path, "PLAINTEXT-marker-4711"));
    /* a different key in effect: reads fail as LH_E_CORRUPT, nothing crashes */
    lh_secrets_destroy(f.ctx.secrets);
    static lh_config_t cfg;
    snprintf(cfg.secrets_key, sizeof cfg.secrets_key, "%s",
             "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    f.ctx.config = &cfg;
    T_EQ_INT(lh_secrets_create(&f.ctx, &f.ctx.secrets, NULL), LH_OK);
    char out[64];
    T_EQ_INT(read_as(&f, &ALICE, "pw", out), LH_E_CORRUPT);
    lh_secrets_destroy(f.ctx.secrets);
    snprintf(cfg.secrets_key, sizeof cfg.secrets_key, "zz");
    lh_errbuf eb;
    f.ctx.secrets = NULL;
    T_EQ_INT(lh_secrets_create(&f.ctx, &f.ctx.secrets, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "LAKEHOUSE_SECRETS_KEY") != NULL);
    cfg.secrets_key[0] = '\0';
    T_EQ_INT(lh_secrets_create(&f.ctx, &f.ctx.secrets, NULL), LH_OK); /* the file again */
    T_EQ_INT(read_as(&f, &ALICE, "pw", out), LH_OK);
    T_EQ_STR(out, "PLAINTEXT-marker-4711");
    teardown(&f);
}

int main(void)
{
    T_RUN(test_system_and_levels);
    T_RUN(test_wrong_key_and_disk);
    return T_DONE();
}
