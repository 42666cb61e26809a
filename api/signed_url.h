/*
 * signed_url.h - short-lived links that carry their own credential: an HMAC-SHA256 of the
 * path and an expiry, in the query string. Used where a client must fetch a file without
 * its token (the Statement Execution API's EXTERNAL_LINKS; later the model registry's
 * artifact links), as cloud storage presigned URLs do.
 *
 *   query = "expires=<ms since epoch>&signature=<64 hex>"
 *   signature = hex(HMAC-SHA256(key, path "\n" expires))
 *
 * The key is 32 random bytes kept in DATA_DIR/url-signing-key (hex, mode 0600), created on
 * first use and shared by every module that opens a signer on the same data dir, so links
 * stay valid across a restart until they expire. A path is signed as given (no
 * normalization): sign and verify the same string the route sees.
 *
 * Thread-safe after lh_signed_url_open; the signer is immutable.
 */
#ifndef LH_API_SIGNED_URL_H
#define LH_API_SIGNED_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef struct lh_signed_url lh_signed_url_t;

/* Load DATA_DIR/url-signing-key, creating it (0600) when absent. LH_E_IO when the file
 * cannot be read or written, LH_E_CORRUPT when it does not hold 64 hex digits. */
lh_err lh_signed_url_open(const char *data_dir, lh_signed_url_t **out, lh_errbuf *eb);
void lh_signed_url_close(lh_signed_url_t *s);

/* The query string (no '?') that makes path valid until expires_ms. out >= 128 bytes. */
void lh_signed_url_sign(const lh_signed_url_t *s, const char *path, int64_t expires_ms, char *out,
                        size_t out_size);

/* Check the expires and signature values a request carried for path at now_ms:
 * LH_E_PERMISSION (a message without the expected signature) when either is missing,
 * malformed, wrong, or expired. Constant-time comparison. */
lh_err lh_signed_url_verify(const lh_signed_url_t *s, const char *path, const char *expires,
                            const char *signature, int64_t now_ms, lh_errbuf *eb);

#endif
