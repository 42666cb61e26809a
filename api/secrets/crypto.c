/*
 * crypto.c - AES-256-GCM sealing, the workspace key (env or key file) and base64 for the
 * secrets area (contract in crypto.h).
 *
 * GCM with a 96-bit random nonce is safe for far more seals than one workspace makes
 * (NIST SP 800-38D bounds random nonces at 2^32 invocations per key).
 */
#include "api/secrets/crypto.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/util.h"

/* ---- base64 ---- */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t lh_secrets_b64_encode(const void *in, size_t n, char *out)
{
    const unsigned char *p = in;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        out[o++] = B64[(v >> 18) & 63];
        out[o++] = B64[(v >> 12) & 63];
        out[o++] = i + 1 < n ? B64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? B64[v & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

static int b64_value(char c)
{
    const char *p = c ? strchr(B64, c) : NULL;
    return p ? (int)(p - B64) : -1;
}

bool lh_secrets_b64_decode(const char *text, size_t text_bytes, unsigned char *out,
                           size_t *out_bytes)
{
    size_t n = text_bytes;
    if (n >= 1 && text[n - 1] == '=')
        n--;
    if (n >= 1 && text[n - 1] == '=')
        n--;
    if (n != text_bytes && text_bytes % 4 != 0)
        return false; /* padding only completes a final quantum */
    if (n % 4 == 1)
        return false;
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value(text[i]);
        if (v < 0)
            return false;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0)
        return false; /* non-canonical: stray low bits */
    *out_bytes = o;
    return true;
}

/* ---- key ---- */

static bool parse_hex(const char *s, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i += 2) {
        int hi = isxdigit((unsigned char)s[i]), lo = isxdigit((unsigned char)s[i + 1]);
        if (!hi || !lo)
            return false;
        char pair[3] = {s[i], s[i + 1], '\0'};
        out[i / 2] = (unsigned char)strtoul(pair, NULL, 16);
    }
    return true;
}

lh_err lh_secrets_key_parse(const char *text, lh_secrets_key_t *out, lh_errbuf *eb)
{
    while (isspace((unsigned char)*text))
        text++;
    size_t n = strlen(text);
    while (n > 0 && isspace((unsigned char)text[n - 1]))
        n--;
    if (n == 2 * LH_SECRETS_KEY_BYTES && parse_hex(text, n, out->bytes))
        return LH_OK;
    unsigned char buf[3 * 64 / 4 + 3];
    size_t got = 0;
    if (n <= 64 && lh_secrets_b64_decode(text, n, buf, &got) && got == LH_SECRETS_KEY_BYTES) {
        memcpy(out->bytes, buf, LH_SECRETS_KEY_BYTES);
        OPENSSL_cleanse(buf, sizeof buf);
        return LH_OK;
    }
    OPENSSL_cleanse(buf, sizeof buf);
    LH_FAIL(LH_E_INVALID, eb,
            "a secrets key must be 64 hex digits or the base64 of 32 bytes (got %zu characters)",
            n);
}

lh_err lh_secrets_key_file_read(const char *path, lh_secrets_key_t *out, bool *found, lh_errbuf *eb)
{
    *found = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return LH_OK;
    LH_FAIL_IF(fd < 0, LH_E_IO, eb, "cannot read %s: %s", path, strerror(errno));
    char text[256];
    ssize_t got = read(fd, text, sizeof text - 1);
    int err = errno;
    struct stat st;
    bool loose = fstat(fd, &st) == 0 && (st.st_mode & 077) != 0;
    close(fd);
    LH_FAIL_IF(got < 0, LH_E_IO, eb, "cannot read %s: %s", path, strerror(err));
    text[got] = '\0';
    lh_errbuf inner;
    lh_err e = lh_secrets_key_parse(text, out, &inner);
    OPENSSL_cleanse(text, sizeof text);
    LH_FAIL_IF(e != LH_OK, LH_E_INVALID, eb, "%s does not hold a valid key: %s", path, inner.msg);
    if (loose)
        lh_log(LH_LOG_WARN, "%s is readable by other users; chmod 600 it", path);
    *found = true;
    return LH_OK;
}

static void fsync_dir_of(const char *path)
{
    char copy[4200];
    snprintf(copy, sizeof copy, "%s", path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static lh_err write_key_tmp(const char *tmp, const lh_secrets_key_t *key, lh_errbuf *eb)
{
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    LH_FAIL_IF(fd < 0, LH_E_IO, eb, "cannot create %s: %s", tmp, strerror(errno));
    char line[2 * LH_SECRETS_KEY_BYTES + 2];
    lh_hex(key->bytes, LH_SECRETS_KEY_BYTES, line);
    line[2 * LH_SECRETS_KEY_BYTES] = '\n';
    bool ok = fchmod(fd, 0600) == 0 && write(fd, line, sizeof line - 1) == sizeof line - 1 &&
              fsync(fd) == 0;
    int err = errno;
    OPENSSL_cleanse(line, sizeof line);
    ok = (close(fd) == 0) && ok;
    if (!ok) {
        unlink(tmp);
        LH_FAIL(LH_E_IO, eb, "cannot write %s: %s", tmp, strerror(err));
    }
    return LH_OK;
}

lh_err lh_secrets_key_file_create(const char *path, lh_secrets_key_t *out, lh_errbuf *eb)
{
    char tmp[4200];
    int w = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    LH_FAIL_IF(w < 0 || (size_t)w >= sizeof tmp, LH_E_INVALID, eb, "key file path too long");
    lh_secrets_key_t key;
    lh_random_bytes(key.bytes, sizeof key.bytes);
    lh_err e = write_key_tmp(tmp, &key, eb);
    if (e != LH_OK) {
        OPENSSL_cleanse(&key, sizeof key);
        return e;
    }
    int rc = link(tmp, path), err = errno;
    unlink(tmp);
    if (rc != 0) {
        OPENSSL_cleanse(&key, sizeof key);
        LH_FAIL_IF(err != EEXIST, LH_E_IO, eb, "cannot create %s: %s", path, strerror(err));
        bool found = false; /* someone else created it first: theirs wins */
        LH_TRY(lh_secrets_key_file_read(path, out, &found, eb));
        LH_FAIL_IF(!found, LH_E_IO, eb, "%s vanished while being created", path);
        return LH_OK;
    }
    fsync_dir_of(path);
    *out = key;
    OPENSSL_cleanse(&key, sizeof key);
    return LH_OK;
}

/* ---- AES-256-GCM ---- */

static const unsigned char VERSION_BYTE = LH_SEAL_VERSION;

/* Feed the version byte and the caller's aad as associated data. */
static bool add_aad(EVP_CIPHER_CTX *c, bool enc, const void *aad, size_t aad_bytes)
{
    int n;
    if (enc)
        return EVP_EncryptUpdate(c, NULL, &n, &VERSION_BYTE, 1) == 1 &&
               (aad_bytes == 0 || EVP_EncryptUpdate(c, NULL, &n, aad, (int)aad_bytes) == 1);
    return EVP_DecryptUpdate(c, NULL, &n, &VERSION_BYTE, 1) == 1 &&
           (aad_bytes == 0 || EVP_DecryptUpdate(c, NULL, &n, aad, (int)aad_bytes) == 1);
}

static bool seal_with(EVP_CIPHER_CTX *c, const lh_secrets_key_t *key, const void *aad,
                      size_t aad_bytes, const void *plain, size_t plain_bytes, unsigned char *out)
{
    unsigned char *nonce = out + 1, *ct = out + 1 + LH_SEAL_NONCE_BYTES;
    int n = 0, fin = 0;
    out[0] = LH_SEAL_VERSION;
    lh_random_bytes(nonce, LH_SEAL_NONCE_BYTES);
    if (EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, LH_SEAL_NONCE_BYTES, NULL) != 1 ||
        EVP_EncryptInit_ex(c, NULL, NULL, key->bytes, nonce) != 1 ||
        !add_aad(c, true, aad, aad_bytes))
        return false;
    if (plain_bytes > 0 && EVP_EncryptUpdate(c, ct, &n, plain, (int)plain_bytes) != 1)
        return false;
    if (EVP_EncryptFinal_ex(c, ct + n, &fin) != 1 || (size_t)(n + fin) != plain_bytes)
        return false;
    return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, LH_SEAL_TAG_BYTES, ct + plain_bytes) == 1;
}

lh_err lh_secrets_seal(const lh_secrets_key_t *key, const void *aad, size_t aad_bytes,
                       const void *plain, size_t plain_bytes, unsigned char *out, lh_errbuf *eb)
{
    LH_ASSERT(plain_bytes < (1u << 30) && aad_bytes < (1u << 30));
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    LH_FAIL_IF(c == NULL, LH_E_NOMEM, eb, "out of memory");
    bool ok = seal_with(c, key, aad, aad_bytes, plain, plain_bytes, out);
    EVP_CIPHER_CTX_free(c);
    LH_FAIL_IF(!ok, LH_E_INTERNAL, eb, "AES-256-GCM encryption failed");
    return LH_OK;
}

static bool open_with(EVP_CIPHER_CTX *c, const lh_secrets_key_t *key, const void *aad,
                      size_t aad_bytes, const unsigned char *sealed, size_t ct_bytes,
                      unsigned char *out)
{
    const unsigned char *nonce = sealed + 1, *ct = sealed + 1 + LH_SEAL_NONCE_BYTES;
    unsigned char tag[LH_SEAL_TAG_BYTES];
    memcpy(tag, ct + ct_bytes, sizeof tag);
    int n = 0, fin = 0;
    if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, LH_SEAL_NONCE_BYTES, NULL) != 1 ||
        EVP_DecryptInit_ex(c, NULL, NULL, key->bytes, nonce) != 1 ||
        !add_aad(c, false, aad, aad_bytes))
        return false;
    if (ct_bytes > 0 && EVP_DecryptUpdate(c, out, &n, ct, (int)ct_bytes) != 1)
        return false;
    if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, sizeof tag, tag) != 1)
        return false;
    return EVP_DecryptFinal_ex(c, out + n, &fin) == 1 && (size_t)(n + fin) == ct_bytes;
}

lh_err lh_secrets_open(const lh_secrets_key_t *key, const void *aad, size_t aad_bytes,
                       const unsigned char *sealed, size_t sealed_bytes, unsigned char *out,
                       size_t *plain_bytes, lh_errbuf *eb)
{
    LH_FAIL_IF(sealed_bytes < LH_SEAL_OVERHEAD || sealed_bytes - LH_SEAL_OVERHEAD >= (1u << 30),
               LH_E_CORRUPT, eb, "stored secret is truncated");
    LH_FAIL_IF(sealed[0] != LH_SEAL_VERSION, LH_E_CORRUPT, eb,
               "stored secret has unknown format version %d", sealed[0]);
    size_t ct_bytes = sealed_bytes - LH_SEAL_OVERHEAD;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    LH_FAIL_IF(c == NULL, LH_E_NOMEM, eb, "out of memory");
    bool ok = open_with(c, key, aad, aad_bytes, sealed, ct_bytes, out);
    EVP_CIPHER_CTX_free(c);
    if (!ok) {
        OPENSSL_cleanse(out, ct_bytes);
        LH_FAIL(LH_E_CORRUPT, eb,
                "stored secret failed authentication: the secrets key is not the one it was "
                "written with (LAKEHOUSE_SECRETS_KEY or DATA_DIR/secrets.key), or the data "
                "was altered");
    }
    *plain_bytes = ct_bytes;
    return LH_OK;
}
