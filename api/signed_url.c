/*
 * signed_url.c - HMAC-signed expiring links (see signed_url.h).
 *
 * The key file is created with O_EXCL under a temporary name and linked into place, so two
 * modules opening a signer at once on an empty data dir end up with the same key (the
 * loser of the race reads the winner's).
 */
#include "api/signed_url.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"

#define KEY_BYTES 32

struct lh_signed_url {
    unsigned char key[KEY_BYTES];
};

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static lh_err read_key(const char *path, unsigned char key[KEY_BYTES], lh_errbuf *eb)
{
    FILE *f = fopen(path, "r");
    LH_FAIL_IF(f == NULL, LH_E_IO, eb, "cannot read %s: %s", path, strerror(errno));
    char hex[2 * KEY_BYTES + 2] = "";
    size_t n = fread(hex, 1, sizeof hex - 1, f);
    fclose(f);
    while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == '\r'))
        n--;
    LH_FAIL_IF(n != 2 * KEY_BYTES, LH_E_CORRUPT, eb, "%s does not hold %d hex digits", path,
               2 * KEY_BYTES);
    for (int i = 0; i < KEY_BYTES; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        LH_FAIL_IF(hi < 0 || lo < 0, LH_E_CORRUPT, eb, "%s does not hold hex digits", path);
        key[i] = (unsigned char)(hi << 4 | lo);
    }
    return LH_OK;
}

/* Write a new key under a temporary name, then link it into place unless one exists. */
static lh_err create_key(const char *path, lh_errbuf *eb)
{
    char tmp[4300];
    char rnd[17];
    lh_random_hex(rnd, 8);
    snprintf(tmp, sizeof tmp, "%s.%s.tmp", path, rnd);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    LH_FAIL_IF(fd < 0, LH_E_IO, eb, "cannot create %s: %s", tmp, strerror(errno));
    char hex[2 * KEY_BYTES + 2];
    lh_random_hex(hex, KEY_BYTES);
    hex[2 * KEY_BYTES] = '\n';
    bool ok = write(fd, hex, 2 * KEY_BYTES + 1) == 2 * KEY_BYTES + 1 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    int rc = ok ? link(tmp, path) : -1;
    int err = errno;
    unlink(tmp);
    LH_FAIL_IF(!ok || (rc != 0 && err != EEXIST), LH_E_IO, eb, "cannot write %s: %s", path,
               strerror(err));
    return LH_OK;
}

lh_err lh_signed_url_open(const char *data_dir, lh_signed_url_t **out, lh_errbuf *eb)
{
    char path[4200];
    snprintf(path, sizeof path, "%.4000s/url-signing-key", data_dir);
    if (access(path, F_OK) != 0)
        LH_TRY(create_key(path, eb));
    lh_signed_url_t *s = calloc(1, sizeof *s);
    LH_FAIL_IF(s == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = read_key(path, s->key, eb);
    if (e != LH_OK) {
        free(s);
        return e;
    }
    *out = s;
    return LH_OK;
}

void lh_signed_url_close(lh_signed_url_t *s)
{
    if (s != NULL)
        OPENSSL_cleanse(s->key, sizeof s->key);
    free(s);
}

static void mac_hex(const lh_signed_url_t *s, const char *path, const char *expires, char out[65])
{
    char msg[8192];
    int n = snprintf(msg, sizeof msg, "%s\n%s", path, expires);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (n < 0 || (size_t)n >= sizeof msg ||
        HMAC(EVP_sha256(), s->key, KEY_BYTES, (const unsigned char *)msg, (size_t)n, mac,
             &mac_len) == NULL) {
        memset(out, '0', 64); /* never matches a real signature check below */
        out[64] = '\0';
        return;
    }
    lh_hex(mac, 32, out);
}

void lh_signed_url_sign(const lh_signed_url_t *s, const char *path, int64_t expires_ms, char *out,
                        size_t out_size)
{
    char exp[24], mac[65];
    snprintf(exp, sizeof exp, "%lld", (long long)expires_ms);
    mac_hex(s, path, exp, mac);
    snprintf(out, out_size, "expires=%s&signature=%s", exp, mac);
}

lh_err lh_signed_url_verify(const lh_signed_url_t *s, const char *path, const char *expires,
                            const char *signature, int64_t now_ms, lh_errbuf *eb)
{
    LH_FAIL_IF(expires == NULL || signature == NULL, LH_E_PERMISSION, eb,
               "The link is not signed (expires and signature are required)");
    char *end = NULL;
    errno = 0;
    long long exp = strtoll(expires, &end, 10);
    LH_FAIL_IF(*expires == '\0' || *end != '\0' || errno != 0 || exp < 0 || strlen(expires) > 20,
               LH_E_PERMISSION, eb, "The link's expiry is malformed");
    char mac[65];
    mac_hex(s, path, expires, mac);
    bool same = strlen(signature) == 64 && CRYPTO_memcmp(mac, signature, 64) == 0;
    LH_FAIL_IF(!same || strlen(path) > 4000, LH_E_PERMISSION, eb,
               "The link's signature does not match");
    LH_FAIL_IF(exp <= now_ms, LH_E_PERMISSION, eb, "The link expired");
    return LH_OK;
}
