/* test_signed_url.c - api/signed_url: the key file, sign/verify, tampering, expiry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/signed_url.h"
#include "t.h"

static char dir[64];

static void query_parts(const char *q, char *exp, char *sig)
{
    LH_ASSERT(sscanf(q, "expires=%31[0-9]&signature=%64[0-9a-f]", exp, sig) == 2);
}

static void test_sign_verify(void)
{
    lh_signed_url_t *s;
    T_EQ_INT(lh_signed_url_open(dir, &s, NULL), LH_OK);
    char q[160], exp[32], sig[80];
    lh_signed_url_sign(s, "/a/b", 5000, q, sizeof q);
    query_parts(q, exp, sig);
    T_EQ_STR(exp, "5000");
    T_EQ_INT(strlen(sig), 64);
    lh_errbuf eb;
    T_EQ_INT(lh_signed_url_verify(s, "/a/b", exp, sig, 4999, &eb), LH_OK);
    T_EQ_INT(lh_signed_url_verify(s, "/a/b", exp, sig, 5000, &eb), LH_E_PERMISSION); /* expired */
    T_CHECK(strstr(eb.msg, "expired") != NULL);
    T_EQ_INT(lh_signed_url_verify(s, "/a/c", exp, sig, 0, &eb), LH_E_PERMISSION); /* other path */
    T_EQ_INT(lh_signed_url_verify(s, "/a/b", "5001", sig, 0, &eb), LH_E_PERMISSION);
    sig[10] = sig[10] == 'a' ? 'b' : 'a';
    T_EQ_INT(lh_signed_url_verify(s, "/a/b", exp, sig, 0, &eb), LH_E_PERMISSION);
    T_EQ_INT(lh_signed_url_verify(s, "/a/b", NULL, sig, 0, &eb), LH_E_PERMISSION);
    T_EQ_INT(lh_signed_url_verify(s, "/a/b", exp, NULL, 0, &eb), LH_E_PERMISSION);
    T_EQ_INT(lh_signed_url_verify(s, "/a/b", "", sig, 0, &eb), LH_E_PERMISSION);
    T_EQ_INT(lh_signed_url_verify(s, "/a/b", "12x", sig, 0, &eb), LH_E_PERMISSION);
    T_EQ_INT(lh_signed_url_verify(s, "/a/b", "-1", sig, 0, &eb), LH_E_PERMISSION);
    T_EQ_INT(lh_signed_url_verify(s, "/a/b", "99999999999999999999999", sig, 0, &eb),
             LH_E_PERMISSION);
    T_EQ_INT(lh_signed_url_verify(s, "/a/b", exp, "short", 0, &eb), LH_E_PERMISSION);
    lh_signed_url_close(s);
}

/* A second signer on the same data dir (another module, or after a restart) shares the key;
 * the key file is private to the owner. */
static void test_key_shared_and_private(void)
{
    lh_signed_url_t *a, *b;
    T_EQ_INT(lh_signed_url_open(dir, &a, NULL), LH_OK);
    T_EQ_INT(lh_signed_url_open(dir, &b, NULL), LH_OK);
    char q1[160], q2[160];
    lh_signed_url_sign(a, "/x", 123, q1, sizeof q1);
    lh_signed_url_sign(b, "/x", 123, q2, sizeof q2);
    T_EQ_STR(q1, q2);
    char path[128];
    snprintf(path, sizeof path, "%s/url-signing-key", dir);
    struct stat st;
    T_EQ_INT(stat(path, &st), 0);
    T_EQ_INT(st.st_mode & 0777, 0600);
    lh_signed_url_close(a);
    lh_signed_url_close(b);
    /* another data dir, another key */
    char other[96];
    snprintf(other, sizeof other, "%s/other", dir);
    T_EQ_INT(mkdir(other, 0700), 0);
    T_EQ_INT(lh_signed_url_open(other, &a, NULL), LH_OK);
    lh_signed_url_sign(a, "/x", 123, q2, sizeof q2);
    T_CHECK(strcmp(q1, q2) != 0);
    lh_signed_url_close(a);
}

static void test_corrupt_key(void)
{
    char sub[96], path[128];
    snprintf(sub, sizeof sub, "%s/corrupt", dir);
    T_EQ_INT(mkdir(sub, 0700), 0);
    snprintf(path, sizeof path, "%s/url-signing-key", sub);
    FILE *f = fopen(path, "w");
    fputs("not hex\n", f);
    fclose(f);
    lh_signed_url_t *s = NULL;
    lh_errbuf eb;
    T_EQ_INT(lh_signed_url_open(sub, &s, &eb), LH_E_CORRUPT);
    T_CHECK(s == NULL);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/lh-sign-XXXXXX");
    LH_ASSERT(mkdtemp(dir) != NULL);
    T_RUN(test_sign_verify);
    T_RUN(test_key_shared_and_private);
    T_RUN(test_corrupt_key);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    T_CHECK(system(cmd) == 0);
    return T_DONE();
}
