/*
 * test_crypto.c - api/secrets/crypto: AES-256-GCM seal/open (round trip, fresh nonces,
 * every tampering and a wrong key or associated data refused), key parsing (hex, base64,
 * malformed forms refused without echoing them), the key file (mode 0600, reuse, corrupt
 * contents), and the strict base64 codec (RFC 4648 vectors, malformed input).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/secrets/crypto.h"
#include "common/util.h"
#include "t.h"

static lh_secrets_key_t key_of(unsigned char fill)
{
    lh_secrets_key_t k;
    memset(k.bytes, fill, sizeof k.bytes);
    return k;
}

static const char AAD[] = "scope\0key";
#define AAD_BYTES (sizeof AAD - 1)

static bool opens(const lh_secrets_key_t *k, const void *aad, size_t aad_bytes,
                  const unsigned char *sealed, size_t n, unsigned char *out, size_t *plain_bytes)
{
    lh_errbuf eb;
    lh_err e = lh_secrets_open(k, aad, aad_bytes, sealed, n, out, plain_bytes, &eb);
    return e == LH_OK;
}

static void test_round_trip(void)
{
    lh_secrets_key_t k = key_of(7);
    size_t sizes[] = {0, 1, 15, 16, 17, 1000, 128 * 1024};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        unsigned char *plain = malloc(n + 1), *sealed = malloc(n + LH_SEAL_OVERHEAD),
                      *back = malloc(n + 1);
        for (size_t j = 0; j < n; j++)
            plain[j] = (unsigned char)(j * 31 + 5);
        T_EQ_INT(lh_secrets_seal(&k, AAD, AAD_BYTES, plain, n, sealed, NULL), LH_OK);
        T_EQ_INT(sealed[0], LH_SEAL_VERSION);
        size_t got = 999;
        T_CHECK(opens(&k, AAD, AAD_BYTES, sealed, n + LH_SEAL_OVERHEAD, back, &got));
        T_EQ_INT(got, n);
        T_CHECK(n == 0 || memcmp(plain, back, n) == 0);
        free(plain);
        free(sealed);
        free(back);
    }
}

static void test_fresh_nonce_and_no_plaintext(void)
{
    lh_secrets_key_t k = key_of(1);
    const char *secret = "correct horse battery staple";
    size_t n = strlen(secret);
    unsigned char a[128], b[128];
    T_EQ_INT(lh_secrets_seal(&k, AAD, AAD_BYTES, secret, n, a, NULL), LH_OK);
    T_EQ_INT(lh_secrets_seal(&k, AAD, AAD_BYTES, secret, n, b, NULL), LH_OK);
    T_CHECK(memcmp(a + 1, b + 1, LH_SEAL_NONCE_BYTES) != 0);
    T_CHECK(memcmp(a, b, n + LH_SEAL_OVERHEAD) != 0);
    T_CHECK(memmem(a, n + LH_SEAL_OVERHEAD, "horse", 5) == NULL);
}

static void test_tampering_refused(void)
{
    lh_secrets_key_t k = key_of(2), other = key_of(3);
    const char *secret = "s3cr3t";
    size_t n = strlen(secret), total = n + LH_SEAL_OVERHEAD;
    unsigned char sealed[64], out[64];
    size_t got;
    T_EQ_INT(lh_secrets_seal(&k, AAD, AAD_BYTES, secret, n, sealed, NULL), LH_OK);
    T_CHECK(!opens(&other, AAD, AAD_BYTES, sealed, total, out, &got));
    T_CHECK(!opens(&k, "scope\0kez", AAD_BYTES, sealed, total, out, &got));
    T_CHECK(!opens(&k, "scopek\0ey", AAD_BYTES, sealed, total, out, &got));
    for (size_t i = 0; i < total; i++) { /* every byte: version, nonce, ciphertext, tag */
        sealed[i] ^= 0x01;
        T_CHECK(!opens(&k, AAD, AAD_BYTES, sealed, total, out, &got));
        sealed[i] ^= 0x01;
    }
    T_CHECK(!opens(&k, AAD, AAD_BYTES, sealed, total - 1, out, &got));
    T_CHECK(!opens(&k, AAD, AAD_BYTES, sealed, LH_SEAL_OVERHEAD - 1, out, &got));
    lh_errbuf eb;
    T_EQ_INT(lh_secrets_open(&other, AAD, AAD_BYTES, sealed, total, out, &got, &eb), LH_E_CORRUPT);
    T_CHECK(strstr(eb.msg, "s3cr3t") == NULL);
    T_CHECK(strstr(eb.msg, "key") != NULL);
    T_CHECK(opens(&k, AAD, AAD_BYTES, sealed, total, out, &got));
}

static void test_key_parse(void)
{
    lh_secrets_key_t k;
    const char *hex = "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F";
    T_EQ_INT(lh_secrets_key_parse(hex, &k, NULL), LH_OK);
    for (int i = 0; i < 32; i++)
        T_EQ_INT(k.bytes[i], i);
    char b64[64];
    lh_secrets_b64_encode(k.bytes, 32, b64);
    lh_secrets_key_t k2;
    T_EQ_INT(lh_secrets_key_parse(b64, &k2, NULL), LH_OK);
    T_CHECK(memcmp(k.bytes, k2.bytes, 32) == 0);
    b64[43] = '\0'; /* without its '=' */
    char spaced[80];
    snprintf(spaced, sizeof spaced, "  %s\n", b64);
    T_EQ_INT(lh_secrets_key_parse(spaced, &k2, NULL), LH_OK);
    T_CHECK(memcmp(k.bytes, k2.bytes, 32) == 0);
    const char *bad[] = {"",
                         "abc",
                         "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1",
                         "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0",
                         "g00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                         "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==", /* 31 bytes */
                         "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g", /* 33 bytes */
                         "SECRETSECRET!"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lh_errbuf eb;
        T_EQ_INT(lh_secrets_key_parse(bad[i], &k2, &eb), LH_E_INVALID);
        T_CHECK(strstr(eb.msg, "64 hex digits") != NULL);
        T_CHECK(bad[i][0] == '\0' || strstr(eb.msg, bad[i]) == NULL);
    }
}

static void test_key_file(void)
{
    char dir[] = "/tmp/lh-sk-XXXXXX";
    T_CHECK(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/secrets.key", dir);
    lh_secrets_key_t a, b;
    bool found = true;
    T_EQ_INT(lh_secrets_key_file_read(path, &a, &found, NULL), LH_OK);
    T_CHECK(!found);
    T_EQ_INT(lh_secrets_key_file_create(path, &a, NULL), LH_OK);
    struct stat st;
    T_EQ_INT(stat(path, &st), 0);
    T_EQ_INT(st.st_mode & 0777, 0600);
    T_EQ_INT(st.st_size, 65);
    T_EQ_INT(lh_secrets_key_file_read(path, &b, &found, NULL), LH_OK);
    T_CHECK(found && memcmp(a.bytes, b.bytes, 32) == 0);
    /* a second creator finds the file there and adopts it */
    T_EQ_INT(lh_secrets_key_file_create(path, &b, NULL), LH_OK);
    T_CHECK(memcmp(a.bytes, b.bytes, 32) == 0);
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    T_CHECK(access(tmp, F_OK) != 0); /* no temporary left behind */
    FILE *f = fopen(path, "w");
    fputs("not a key\n", f);
    fclose(f);
    lh_errbuf eb;
    T_EQ_INT(lh_secrets_key_file_read(path, &b, &found, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, path) != NULL);
    unlink(path);
    rmdir(dir);
}

static bool dec(const char *s, char *out, size_t *n)
{
    return lh_secrets_b64_decode(s, strlen(s), (unsigned char *)out, n);
}

static void test_base64(void)
{
    const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        char enc[16], out[16];
        size_t n = lh_secrets_b64_encode(plain[i], strlen(plain[i]), enc);
        T_EQ_STR(enc, coded[i]);
        T_EQ_INT(n, strlen(coded[i]));
        T_CHECK(dec(coded[i], out, &n) && n == strlen(plain[i]) && !memcmp(out, plain[i], n));
    }
    char out[16];
    size_t n;
    T_CHECK(dec("Zg", out, &n) && n == 1 && out[0] == 'f'); /* padding optional */
    T_CHECK(dec("/+8=", out, &n) && n == 2);
    const char *bad[] = {"Z", "Zg=", "Zh==", "Zm9v\n", "Zm9v=", "Z===", "Zm-v", "Zm_v", "Z=g="};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        T_CHECK(!dec(bad[i], out, &n));
}

int main(void)
{
    T_RUN(test_round_trip);
    T_RUN(test_fresh_nonce_and_no_plaintext);
    T_RUN(test_tampering_refused);
    T_RUN(test_key_parse);
    T_RUN(test_key_file);
    T_RUN(test_base64);
    return T_DONE();
}
