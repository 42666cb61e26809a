/*
 * aes.c - aes_encrypt, aes_decrypt, try_aes_decrypt (Spark's ExpressionImplUtils.aesInternal
 * over OpenSSL's EVP).
 *
 *   aes_encrypt(input, key[, mode[, padding[, iv[, aad]]]]) -> BINARY
 *   aes_decrypt(input, key[, mode[, padding[, aad]]])       -> BINARY
 *
 * key: 16, 24 or 32 bytes (AES-128/192/256). mode/padding (case-insensitive): GCM with NONE
 * (the default), CBC with PKCS, ECB with PKCS (DEFAULT is each mode's padding); anything else
 * is UNSUPPORTED_FEATURE.AES_MODE. GCM output is the 12-byte IV, the ciphertext, then the
 * 16-byte tag; CBC output is the 16-byte IV then the ciphertext; ECB is the ciphertext alone.
 * An IV not given is random (so encryption is not repeatable); ECB takes no IV, only GCM takes
 * AAD. A decryption that fails (wrong key, tag, padding or length) is
 * INVALID_PARAMETER_VALUE.AES_CRYPTO_ERROR, NULL for try_aes_decrypt.
 */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "compute/func/fn.h"

typedef enum { AES_ENCRYPT, AES_DECRYPT, AES_TRY_DECRYPT } aes_op;
typedef enum { M_GCM, M_CBC, M_ECB } aes_mode;

static const char *const OP_NAME[] = {"`aes_encrypt`", "`aes_decrypt`", "`try_aes_decrypt`"};
static const char *const MODE_NAME[] = {"GCM", "CBC", "ECB"};

static lh_err b_aes(lh_func_bind_t *b, aes_op op)
{
    /* input, key, iv and aad are BINARY; mode and padding STRING */
    for (int i = 0; i < b->arg_count; i++) {
        bool text = i == 2 || i == 3;
        b->cast_to[i] = fn_type(text ? LH_TYPE_STRING : LH_TYPE_BINARY);
    }
    aes_op *bd = lh_arena_alloc(b->arena, sizeof *bd);
    *bd = op;
    b->bind_data = bd;
    b->ret_type = fn_type(LH_TYPE_BINARY);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err b_aes_encrypt(lh_func_bind_t *b, lh_errbuf *eb)
{
    return b_aes(b, AES_ENCRYPT);
}
static lh_err b_aes_decrypt(lh_func_bind_t *b, lh_errbuf *eb)
{
    return b_aes(b, AES_DECRYPT);
}
static lh_err b_try_aes_decrypt(lh_func_bind_t *b, lh_errbuf *eb)
{
    return b_aes(b, AES_TRY_DECRYPT);
}

static bool sv_is(lh_sv_t s, const char *w)
{
    return s.len == strlen(w) && strncasecmp((const char *)s.ptr, w, s.len) == 0;
}

/* The mode of (mode, padding), or -1 with Spark's error. */
static int mode_of(lh_sv_t mode, lh_sv_t pad, aes_op op, lh_errbuf *eb, lh_err *err)
{
    bool dflt = sv_is(pad, "DEFAULT");
    if (sv_is(mode, "GCM") && (dflt || sv_is(pad, "NONE")))
        return M_GCM;
    if (sv_is(mode, "CBC") && (dflt || sv_is(pad, "PKCS")))
        return M_CBC;
    if (sv_is(mode, "ECB") && (dflt || sv_is(pad, "PKCS")))
        return M_ECB;
    char m[64], p[64];
    snprintf(m, sizeof m, "%.*s", (int)(mode.len < 60 ? mode.len : 60), (const char *)mode.ptr);
    snprintf(p, sizeof p, "%.*s", (int)(pad.len < 60 ? pad.len : 60), (const char *)pad.ptr);
    *err = lh_sqlerr(eb, "UNSUPPORTED_FEATURE.AES_MODE", "mode", m, "padding", p, "functionName",
                     OP_NAME[op], NULL);
    return -1;
}

static const EVP_CIPHER *cipher_of(aes_mode m, size_t key_len)
{
    int k = key_len == 16 ? 0 : key_len == 24 ? 1 : 2;
    switch (m) {
    case M_GCM:
        return k == 0 ? EVP_aes_128_gcm() : k == 1 ? EVP_aes_192_gcm() : EVP_aes_256_gcm();
    case M_CBC:
        return k == 0 ? EVP_aes_128_cbc() : k == 1 ? EVP_aes_192_cbc() : EVP_aes_256_cbc();
    default:
        return k == 0 ? EVP_aes_128_ecb() : k == 1 ? EVP_aes_192_ecb() : EVP_aes_256_ecb();
    }
}

/* Encrypt or decrypt in into out (>= in.len + 64 bytes); *n its length. false on a failed
 * decryption (or an OpenSSL failure). */
static bool aes_run(bool enc, aes_mode m, lh_sv_t in, lh_sv_t key, lh_sv_t iv, lh_sv_t aad,
                    uint8_t *out, size_t *n)
{
    size_t ivn = m == M_GCM ? 12 : m == M_CBC ? 16 : 0, tagn = m == M_GCM ? 16 : 0;
    uint8_t ivb[16];
    const uint8_t *body = in.ptr;
    size_t body_n = in.len;
    if (enc) {
        if (ivn && iv.len == 0 && RAND_bytes(ivb, (int)ivn) != 1)
            return false;
        if (ivn && iv.len)
            memcpy(ivb, iv.ptr, ivn);
    } else {
        if (in.len < ivn + tagn)
            return false;
        memcpy(ivb, in.ptr, ivn);
        body = in.ptr + ivn;
        body_n = in.len - ivn - tagn;
    }
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (c == NULL)
        return false;
    bool ok = EVP_CipherInit_ex(c, cipher_of(m, key.len), NULL, NULL, NULL, enc) == 1;
    if (ok && m == M_GCM)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, (int)ivn, NULL) == 1;
    ok = ok && EVP_CipherInit_ex(c, NULL, NULL, key.ptr, ivn ? ivb : NULL, enc) == 1;
    size_t k = 0;
    if (enc && ivn) {
        memcpy(out, ivb, ivn);
        k = ivn;
    }
    int len = 0;
    if (ok && m == M_GCM && aad.len)
        ok = EVP_CipherUpdate(c, NULL, &len, aad.ptr, (int)aad.len) == 1;
    if (ok && m == M_GCM && !enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, (int)tagn,
                                 (void *)(in.ptr + in.len - tagn)) == 1;
    if (ok && body_n) {
        ok = EVP_CipherUpdate(c, out + k, &len, body, (int)body_n) == 1;
        k += (size_t)len;
    }
    if (ok) {
        ok = EVP_CipherFinal_ex(c, out + k, &len) == 1;
        k += (size_t)len;
    }
    if (ok && m == M_GCM && enc) {
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, (int)tagn, out + k) == 1;
        k += tagn;
    }
    EVP_CIPHER_CTX_free(c);
    *n = k;
    return ok;
}

static lh_err x_aes(const lh_func_exec_t *x, lh_errbuf *eb)
{
    aes_op op = *(const aes_op *)x->bind_data;
    bool enc = op == AES_ENCRYPT;
    int iv_arg = enc ? 4 : -1, aad_arg = enc ? 5 : 4;
    uint8_t *o = NULL;
    size_t cap = 0;
    lh_err e = LH_OK;
    fn_begin(x);
    for (size_t i = 0; i < x->rows && e == LH_OK; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t in = fn_str(x->args[0], i), key = fn_str(x->args[1], i);
        lh_sv_t mode =
            x->arg_count > 2 ? fn_str(x->args[2], i) : (lh_sv_t){(const uint8_t *)"GCM", 3};
        lh_sv_t pad =
            x->arg_count > 3 ? fn_str(x->args[3], i) : (lh_sv_t){(const uint8_t *)"DEFAULT", 7};
        lh_sv_t iv =
            iv_arg >= 0 && x->arg_count > iv_arg ? fn_str(x->args[iv_arg], i) : (lh_sv_t){0};
        lh_sv_t aad = x->arg_count > aad_arg ? fn_str(x->args[aad_arg], i) : (lh_sv_t){0};
        int m = mode_of(mode, pad, op, eb, &e);
        if (m < 0)
            break;
        char num[24];
        if (key.len != 16 && key.len != 24 && key.len != 32) {
            snprintf(num, sizeof num, "%u", (unsigned)key.len);
            e = lh_sqlerr(eb, "INVALID_PARAMETER_VALUE.AES_KEY_LENGTH", "parameter", "`key`",
                          "functionName", OP_NAME[op], "actualLength", num, NULL);
            break;
        }
        if (iv.len && m == M_ECB) {
            e = lh_sqlerr(eb, "UNSUPPORTED_FEATURE.AES_MODE_IV", "mode", MODE_NAME[m],
                          "functionName", OP_NAME[op], NULL);
            break;
        }
        if (iv.len && iv.len != (m == M_GCM ? 12u : 16u)) {
            snprintf(num, sizeof num, "%u", (unsigned)iv.len);
            e = lh_sqlerr(eb, "INVALID_PARAMETER_VALUE.AES_IV_LENGTH", "parameter", "`iv`",
                          "functionName", OP_NAME[op], "mode", MODE_NAME[m], "actualLength", num,
                          NULL);
            break;
        }
        if (aad.len && m != M_GCM) {
            e = lh_sqlerr(eb, "UNSUPPORTED_FEATURE.AES_MODE_AAD", "mode", MODE_NAME[m],
                          "functionName", OP_NAME[op], NULL);
            break;
        }
        if (in.len > INT32_MAX - 64) {
            e = lh_sqlerr(eb, "INVALID_PARAMETER_VALUE.AES_CRYPTO_ERROR", "parameter",
                          "`expr`, `key`", "functionName", OP_NAME[op], "detailMessage",
                          "input too large", NULL);
            break;
        }
        if ((size_t)in.len + 64 > cap) {
            free(o);
            cap = (size_t)in.len + 64;
            if ((o = malloc(cap)) == NULL) {
                e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
                break;
            }
        }
        size_t n;
        if (aes_run(enc, (aes_mode)m, in, key, iv, aad, o, &n))
            e = fn_put_str(x->out, i, o, n);
        else if (op == AES_TRY_DECRYPT)
            e = fn_put_null(x->out, i);
        else
            e = lh_sqlerr(eb, "INVALID_PARAMETER_VALUE.AES_CRYPTO_ERROR", "parameter",
                          "`expr`, `key`", "functionName", OP_NAME[op], "detailMessage",
                          enc ? "encryption failed" : "decryption failed (wrong key, mode or data)",
                          NULL);
    }
    free(o);
    return e;
}

/* aes_encrypt is not deterministic when its IV is random: it is not folded. */
const lh_func_t lh_fn_aes[] = {
    {"aes_decrypt", LH_FUNC_SCALAR, 2, 5, b_aes_decrypt, x_aes, true},
    {"aes_encrypt", LH_FUNC_SCALAR, 2, 6, b_aes_encrypt, x_aes, false},
    {"try_aes_decrypt", LH_FUNC_SCALAR, 2, 5, b_try_aes_decrypt, x_aes, true},
};
FN_COUNT(lh_fn_aes);
