/*
 * fuzz_signed_url.c - signed link checks (api/signed_url.h).
 *
 * Input: "<path>\n<expires>\n<signature>" (missing parts are absent values). Verify must
 * never crash or accept a link it did not sign: only a signature made here for the same
 * path and expiry may pass, and only before the expiry.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/signed_url.h"
#include "common/err.h"

static lh_signed_url_t *signer;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (signer == NULL) {
        char dir[] = "/tmp/lh-fuzz-sign-XXXXXX";
        LH_ASSERT(mkdtemp(dir) != NULL);
        LH_ASSERT(lh_signed_url_open(dir, &signer, NULL) == LH_OK);
    }
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *path = text, *expires = strchr(path, '\n'), *sig = NULL;
    if (expires) {
        *expires++ = '\0';
        sig = strchr(expires, '\n');
        if (sig)
            *sig++ = '\0';
    }
    lh_errbuf eb;
    lh_err e = lh_signed_url_verify(signer, path, expires, sig, 1000, &eb);
    if (e == LH_OK) { /* must be one of ours */
        char q[160], want[160];
        long long exp = atoll(expires);
        lh_signed_url_sign(signer, path, exp, q, sizeof q);
        snprintf(want, sizeof want, "expires=%s&signature=%s", expires, sig);
        LH_ASSERT(strcmp(q, want) == 0 && exp > 1000);
    }
    /* and what we sign verifies */
    char q[160];
    lh_signed_url_sign(signer, path, 5000, q, sizeof q);
    const char *s = strstr(q, "signature=") + 10;
    LH_ASSERT(strlen(path) > 4000 ||
              lh_signed_url_verify(signer, path, "5000", s, 1000, &eb) == LH_OK);
    free(text);
    return 0;
}
