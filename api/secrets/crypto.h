/*
 * crypto.h - the secrets area's encryption at rest: AES-256-GCM over OpenSSL EVP, the
 * workspace key, and the base64 the API speaks. Internal to api/secrets (and its tests).
 *
 * A sealed value is   version (1 byte, LH_SEAL_VERSION) | nonce (12) | ciphertext (n) | tag (16)
 * with a fresh random nonce per seal. The authenticated data is the version byte followed
 * by the caller's associated data (the area passes "scope\0key"), so a sealed value copied
 * to another scope or key, or altered in any bit, fails to open.
 *
 * The key (32 bytes) comes from LAKEHOUSE_SECRETS_KEY (64 hex digits, or base64 of 32
 * bytes) or from the key file DATA_DIR/secrets.key, which holds the key as 64 hex digits
 * and a newline and is created mode 0600, written to a temporary file, fsynced and linked
 * into place (link fails if the name exists, so two creators never both win).
 *
 * Nothing here logs, and error messages never include key or plaintext bytes.
 * All functions are thread-safe (no shared state).
 */
#ifndef LH_API_SECRETS_CRYPTO_H
#define LH_API_SECRETS_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

#define LH_SECRETS_KEY_BYTES 32
#define LH_SEAL_VERSION      1
#define LH_SEAL_NONCE_BYTES  12
#define LH_SEAL_TAG_BYTES    16
#define LH_SEAL_OVERHEAD     (1 + LH_SEAL_NONCE_BYTES + LH_SEAL_TAG_BYTES)

typedef struct lh_secrets_key {
    unsigned char bytes[LH_SECRETS_KEY_BYTES];
} lh_secrets_key_t;

/* Parse a key given as text: 64 hex digits (either case) or base64 (padding optional) of
 * exactly 32 bytes; surrounding whitespace is ignored. LH_E_INVALID otherwise, with a
 * message that names the accepted forms but never echoes the text. */
lh_err lh_secrets_key_parse(const char *text, lh_secrets_key_t *out, lh_errbuf *eb);

/* Load the key file at path. *found false (and LH_OK) when it does not exist.
 * LH_E_INVALID when it exists but does not hold a key; LH_E_IO when it cannot be read. */
lh_err lh_secrets_key_file_read(const char *path, lh_secrets_key_t *out, bool *found,
                                lh_errbuf *eb);

/* Create the key file at path with a new random key (mode 0600, fsynced, directory
 * fsynced). If the file appeared meanwhile, that key is loaded instead. */
lh_err lh_secrets_key_file_create(const char *path, lh_secrets_key_t *out, lh_errbuf *eb);

/* Seal plain_bytes bytes into out (room for plain_bytes + LH_SEAL_OVERHEAD bytes).
 * LH_E_INTERNAL only if OpenSSL fails. */
lh_err lh_secrets_seal(const lh_secrets_key_t *key, const void *aad, size_t aad_bytes,
                       const void *plain, size_t plain_bytes, unsigned char *out, lh_errbuf *eb);

/* Open a sealed value into out (room for sealed_bytes - LH_SEAL_OVERHEAD bytes); sets
 * *plain_bytes. LH_E_CORRUPT when it is too short, of an unknown version, or fails
 * authentication (wrong key, wrong aad, altered bytes); out is then zeroed. */
lh_err lh_secrets_open(const lh_secrets_key_t *key, const void *aad, size_t aad_bytes,
                       const unsigned char *sealed, size_t sealed_bytes, unsigned char *out,
                       size_t *plain_bytes, lh_errbuf *eb);

/* Standard base64 (RFC 4648 section 4) with padding. out needs LH_BASE64_LEN(n) + 1
 * bytes; returns the length written (NUL-terminated). */
#define LH_BASE64_LEN(n) (4 * (((n) + 2) / 3))
size_t lh_secrets_b64_encode(const void *in, size_t n, char *out);
/* Strict decode of text_bytes chars: the standard alphabet, '=' padding optional but only
 * at the end, no whitespace, no non-zero trailing bits. out needs 3 * (text_bytes / 4) + 3
 * bytes. false on any malformed input. */
bool lh_secrets_b64_decode(const char *text, size_t text_bytes, unsigned char *out,
                           size_t *out_bytes);

#endif
