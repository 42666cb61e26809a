/*
 * util.h - clocks, ids, hashing and logging shared by every layer.
 * All functions are thread-safe.
 */
#ifndef LH_COMMON_UTIL_H
#define LH_COMMON_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Wall-clock milliseconds since the epoch (what Databricks APIs report). */
int64_t lh_now_ms(void);
/* Monotonic nanoseconds, for durations. */
int64_t lh_mono_ns(void);

/* Random bytes from the kernel's CSPRNG (getrandom: never allocates, never blocks once the
 * pool is seeded at boot); aborts only if the kernel refuses (no safe fallback). */
void lh_random_bytes(void *buf, size_t n);
/* n random bytes as 2n lowercase hex chars + NUL into out (size >= 2n+1). */
void lh_random_hex(char *out, size_t n);
/* A random (v4) UUID, 36 chars + NUL. */
void lh_uuid4(char out[37]);
/* SHA-256 of bytes as 64 hex chars + NUL. LH_E_NOMEM when OpenSSL cannot allocate. */
lh_err lh_sha256_hex(const void *bytes, size_t len, char out[65], lh_errbuf *eb);
/* Hex of bytes into out (size >= 2n+1). */
void lh_hex(const void *bytes, size_t n, char *out);

/* Proleptic Gregorian calendar <-> days since 1970-01-01 (Delta/Parquet DATE), exact for
 * every int32 day (Howard Hinnant's civil-from-days algorithm). */
int64_t lh_days_from_civil(int64_t y, unsigned m, unsigned d);
void lh_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

typedef enum lh_log_level { LH_LOG_DEBUG, LH_LOG_INFO, LH_LOG_WARN, LH_LOG_ERROR } lh_log_level;
/* One line to stderr with an ISO timestamp and level. Lines from threads do not interleave. */
void lh_log(lh_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lh_log_set_level(lh_log_level min_level);
/* Level by name (debug|info|warn|error) and format (text|json: one JSON object a line with
 * "ts", "level" and "msg"). Unknown names leave the setting as it is. */
void lh_log_configure(const char *level, const char *format);

#endif
