/*
 * util.c - clocks, random ids (getrandom), SHA-256 (OpenSSL) and logging.
 */
#include "common/util.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

int64_t lh_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t lh_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void lh_random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0 && errno == EINTR)
            continue;
        LH_ASSERT(got > 0);
        p += got;
        n -= (size_t)got;
    }
}

void lh_hex(const void *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *b = bytes;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

void lh_random_hex(char *out, size_t n)
{
    unsigned char buf[64];
    LH_ASSERT(n <= sizeof buf);
    lh_random_bytes(buf, n);
    lh_hex(buf, n, out);
}

void lh_uuid4(char out[37])
{
    unsigned char b[16];
    lh_random_bytes(b, sizeof b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    char hex[33];
    lh_hex(b, 16, hex);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

/* OpenSSL 3 looks an algorithm up (under a global lock) on every EVP_sha256() use; fetch it
 * once. Every request's token check hashes, so this is on the hot path. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL); /* NULL (out of memory): EVP_sha256() */
}

lh_err lh_sha256_hex(const void *bytes, size_t len, char out[65], lh_errbuf *eb)
{
    pthread_once(&sha256_once, fetch_sha256);
    unsigned char md[32];
    unsigned int md_len = 0;
    const EVP_MD *alg = sha256_md != NULL ? sha256_md : EVP_sha256();
    /* OpenSSL fails here only when it cannot allocate the digest context */
    LH_FAIL_IF(EVP_Digest(bytes, len, md, &md_len, alg, NULL) != 1 || md_len != 32, LH_E_NOMEM, eb,
               "SHA-256: out of memory");
    lh_hex(md, 32, out);
    return LH_OK;
}

static atomic_int log_min_level = LH_LOG_INFO;

void lh_log_set_level(lh_log_level min_level)
{
    atomic_store(&log_min_level, (int)min_level);
}

static atomic_int log_json; /* 1 = --log-format json */

void lh_log_configure(const char *level, const char *format)
{
    static const char *const levels[] = {"debug", "info", "warn", "error"};
    for (int i = 0; level != NULL && i < 4; i++)
        if (strcmp(level, levels[i]) == 0)
            lh_log_set_level((lh_log_level)i);
    if (format != NULL && (strcmp(format, "json") == 0 || strcmp(format, "text") == 0))
        atomic_store(&log_json, strcmp(format, "json") == 0);
}

/* Append s to out[*n..cap) as JSON string content (quotes not included). */
static void json_escape_into(char *out, size_t *n, size_t cap, const char *s)
{
    for (; *s && *n + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[(*n)++] = '\\';
            out[(*n)++] = (char)c;
        } else if (c < 0x20) {
            *n += (size_t)snprintf(out + *n, cap - *n, "\\u%04x", c);
        } else {
            out[(*n)++] = (char)c;
        }
    }
}

void lh_log(lh_log_level level, const char *fmt, ...)
{
    if ((int)level < atomic_load(&log_min_level))
        return;
    static const char *const names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    char msg[1900], ts_text[40], line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t t = strftime(ts_text, sizeof ts_text, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts_text + t, sizeof ts_text - t, ".%03ldZ", ts.tv_nsec / 1000000);
    size_t n;
    if (atomic_load(&log_json)) {
        n = (size_t)snprintf(line, sizeof line, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"",
                             ts_text, names[level]);
        json_escape_into(line, &n, sizeof line - 4, msg);
        n += (size_t)snprintf(line + n, sizeof line - n, "\"}");
    } else {
        n = (size_t)snprintf(line, sizeof line, "%s %s %s", ts_text, names[level], msg);
    }
    if (n > sizeof line - 2)
        n = sizeof line - 2;
    line[n++] = '\n';
    fwrite(line, 1, n, stderr); /* one fwrite: stdio locks the stream per call */
}

int64_t lh_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void lh_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}
