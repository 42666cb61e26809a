/*
 * notify.c - the notification sender (see notify.h for the contract): one job per send,
 * copied at submission, run on the "notify" executor, parked on the retry list between
 * attempts, finished exactly once (on_done, counters, free, live - 1).
 *
 * Locks: n->mu guards the retry list and is taken with no other lock held; on_done is never
 * called with it held. curl handles live on one thread for one attempt.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "api/notify.h"
#include "common/limits.h"
#include "common/util.h"

#define TICK_MS       100
#define URL_MAX       4096
#define HEADER_MAX    8192
#define HEADERS_MAX   32
#define SUBJECT_MAX   998 /* RFC 5322 line length */
#define DEFAULT_FROM  "lakehouse@localhost"
#define NO_RELAY_TEXT "no SMTP relay configured (--smtp-url)"

enum { KIND_WEBHOOK, KIND_EMAIL, KIND_COUNT };
static const char *const KIND_NAMES[KIND_COUNT] = {"webhook", "email"};

typedef struct job job;

struct lh_notify {
    lh_bg_t *bg;
    lh_bg_executor_t *ex;
    lh_bg_timer_t *ticker;
    char *smtp_url, *smtp_from, *smtp_user, *smtp_password;
    char *mail_from; /* "<smtp_from>", the envelope sender */
    int64_t timeout_ms, backoff_ms;
    int attempts, queue_max;
    atomic_int live;    /* accepted, not finished */
    pthread_mutex_t mu; /* guards stopping's write, waiting */
    atomic_bool stopping;
    job *waiting; /* the retry list (unordered; it is short) */
    atomic_llong sent[KIND_COUNT], failed[KIND_COUNT], retries;
};

struct job {
    lh_notify_t *n;
    int kind;
    char *url;                  /* webhook */
    char *body;                 /* JSON (webhook) or the whole RFC 5322 message (email) */
    size_t body_bytes, read_at; /* read_at: the SMTP upload's position */
    struct curl_slist *lines;   /* headers (webhook) or recipients (email) */
    bool insecure;
    int attempts_max, attempt;
    int64_t due_ms; /* on the retry list */
    lh_notify_done_fn on_done;
    void *arg;
    job *next;
    /* the last attempt's outcome */
    long status;
    char error[LH_ERRBUF_MSG_MAX + CURL_ERROR_SIZE];
    char resp[LH_NOTIFY_RESPONSE_MAX + 1];
    size_t resp_bytes;
};

static int64_t mono_ms(void)
{
    return lh_mono_ns() / 1000000;
}

static char *sdup(const char *s)
{
    return s != NULL && *s != '\0' ? strdup(s) : NULL;
}

/* ---- finishing ---- */

static void job_free(job *j)
{
    free(j->url);
    free(j->body);
    curl_slist_free_all(j->lines);
    free(j);
}

static void finish(job *j, bool ok)
{
    lh_notify_t *n = j->n;
    atomic_fetch_add(ok ? &n->sent[j->kind] : &n->failed[j->kind], 1);
    if (!ok)
        lh_log(LH_LOG_WARN, "notify: %s %s%s failed after %d attempt(s): %s", KIND_NAMES[j->kind],
               j->kind == KIND_WEBHOOK ? "to " : "", j->kind == KIND_WEBHOOK ? j->url : "",
               j->attempt, j->error);
    lh_notify_result_t r = {
        .ok = ok,
        .http_status = (int)j->status,
        .error = ok ? NULL : j->error,
        .response = j->resp,
        .attempts = j->attempt,
    };
    if (j->on_done != NULL)
        j->on_done(j->arg, &r);
    job_free(j);
    atomic_fetch_sub(&n->live, 1);
}

static void fail(job *j, const char *text)
{
    snprintf(j->error, sizeof j->error, "%s", text);
    finish(j, false);
}

/* ---- one attempt ---- */

static size_t on_resp(char *data, size_t size, size_t count, void *arg)
{
    job *j = arg;
    size_t bytes = size * count;
    size_t room = LH_NOTIFY_RESPONSE_MAX - j->resp_bytes;
    size_t take = bytes < room ? bytes : room;
    memcpy(j->resp + j->resp_bytes, data, take);
    j->resp_bytes += take;
    j->resp[j->resp_bytes] = '\0';
    return bytes;
}

static size_t on_read(char *buf, size_t size, size_t count, void *arg)
{
    job *j = arg;
    size_t room = size * count, left = j->body_bytes - j->read_at;
    size_t take = left < room ? left : room;
    memcpy(buf, j->body + j->read_at, take);
    j->read_at += take;
    return take;
}

static int on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)a, (void)b, (void)c, (void)d;
    job *j = arg;
    return atomic_load(&j->n->stopping) ? 1 : 0; /* abort the call at shutdown */
}

static void common_opts(CURL *c, job *j, char *errbuf)
{
    lh_notify_t *n = j->n;
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)n->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)n->timeout_ms);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, j);
}

/* Transient (worth retrying) or permanent, from the curl code and the status. */
static bool transient(int kind, CURLcode rc, long status)
{
    if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_LOGIN_DENIED ||
        rc == CURLE_ABORTED_BY_CALLBACK)
        return false;
    if (kind == KIND_EMAIL)
        return status < 500; /* a 5xx reply is a permanent SMTP refusal */
    if (rc != CURLE_OK)
        return true;
    return status == 408 || status == 429 || status >= 500;
}

/* One attempt: true on success; else j->error, j->status set and *retry decided. */
static bool attempt(job *j, bool *retry)
{
    lh_notify_t *n = j->n;
    char errbuf[CURL_ERROR_SIZE] = "";
    CURL *c = curl_easy_init();
    *retry = false;
    j->status = 0;
    j->resp_bytes = 0;
    j->resp[0] = '\0';
    if (c == NULL) {
        snprintf(j->error, sizeof j->error, "curl_easy_init failed");
        *retry = true;
        return false;
    }
    common_opts(c, j, errbuf);
    if (j->kind == KIND_WEBHOOK) {
        curl_easy_setopt(c, CURLOPT_URL, j->url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, j->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->body_bytes);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, j->lines);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, j->insecure ? 0L : 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, j->insecure ? 0L : 2L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_resp);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, j);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "lakehouse-notify/1");
    } else {
        j->read_at = 0;
        curl_easy_setopt(c, CURLOPT_URL, n->smtp_url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
        curl_easy_setopt(c, CURLOPT_MAIL_FROM, n->mail_from);
        curl_easy_setopt(c, CURLOPT_MAIL_RCPT, j->lines);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, j);
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
        if (n->smtp_user != NULL)
            curl_easy_setopt(c, CURLOPT_USERNAME, n->smtp_user);
        if (n->smtp_password != NULL)
            curl_easy_setopt(c, CURLOPT_PASSWORD, n->smtp_password);
    }
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &j->status);
    curl_easy_cleanup(c);
    bool ok = rc == CURLE_OK && (j->kind == KIND_EMAIL || (j->status >= 200 && j->status < 300));
    if (ok)
        return true;
    if (rc != CURLE_OK)
        snprintf(j->error, sizeof j->error, "%s%s%s", curl_easy_strerror(rc), errbuf[0] ? ": " : "",
                 errbuf);
    else
        snprintf(j->error, sizeof j->error, "HTTP %ld", j->status);
    *retry = transient(j->kind, rc, j->status);
    return false;
}

/* ---- the executor task and the retry list ---- */

static void run_job(void *arg)
{
    job *j = arg;
    lh_notify_t *n = j->n;
    if (atomic_load(&n->stopping)) {
        fail(j, "the notification sender is shutting down");
        return;
    }
    if (j->kind == KIND_EMAIL && n->smtp_url == NULL) {
        j->attempt = 1;
        fail(j, NO_RELAY_TEXT);
        return;
    }
    j->attempt++;
    bool retry;
    if (attempt(j, &retry)) {
        finish(j, true);
        return;
    }
    if (!retry || j->attempt >= j->attempts_max) {
        finish(j, false);
        return;
    }
    int64_t delay = n->backoff_ms;
    for (int i = 1; i < j->attempt; i++)
        delay *= 4;
    j->due_ms = mono_ms() + delay;
    pthread_mutex_lock(&n->mu);
    bool parked = !atomic_load(&n->stopping);
    if (parked) {
        j->next = n->waiting;
        n->waiting = j;
        atomic_fetch_add(&n->retries, 1);
    }
    pthread_mutex_unlock(&n->mu);
    if (!parked)
        finish(j, false);
}

/* Take the due jobs (all of them when everything is true) off the retry list. */
static job *take_waiting(lh_notify_t *n, bool everything)
{
    int64_t now = mono_ms();
    job *due = NULL;
    pthread_mutex_lock(&n->mu);
    for (job **p = &n->waiting; *p != NULL;) {
        job *j = *p;
        if (everything || j->due_ms <= now) {
            *p = j->next;
            j->next = due;
            due = j;
        } else {
            p = &j->next;
        }
    }
    pthread_mutex_unlock(&n->mu);
    return due;
}

static void tick(void *arg)
{
    lh_notify_t *n = arg;
    job *due = take_waiting(n, false);
    while (due != NULL) {
        job *j = due;
        due = j->next;
        j->next = NULL;
        lh_errbuf eb;
        lh_err e = lh_bg_post(n->ex, run_job, j, &eb);
        if (e == LH_E_LIMIT) { /* try again next tick */
            pthread_mutex_lock(&n->mu);
            j->next = n->waiting;
            n->waiting = j;
            pthread_mutex_unlock(&n->mu);
        } else if (e != LH_OK) {
            fail(j, eb.msg);
        }
    }
}

/* ---- submission ---- */

static lh_err submit(lh_notify_t *n, job *j, lh_errbuf *eb)
{
    if (atomic_load(&n->stopping)) {
        job_free(j);
        LH_FAIL(LH_E_UNAVAILABLE, eb, "the notification sender is shutting down");
    }
    if (atomic_fetch_add(&n->live, 1) >= n->queue_max) {
        atomic_fetch_sub(&n->live, 1);
        job_free(j);
        LH_FAIL(LH_E_LIMIT, eb, "notification queue is full (%d sends pending)", n->queue_max);
    }
    lh_err e = lh_bg_post(n->ex, run_job, j, eb);
    if (e != LH_OK) {
        atomic_fetch_sub(&n->live, 1);
        job_free(j);
    }
    return e;
}

static bool clean_line(const char *s, size_t max)
{
    size_t len = strnlen(s, max + 1);
    if (len > max)
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\r' || s[i] == '\n')
            return false;
    return true;
}

static lh_err check_url(const char *url, lh_errbuf *eb)
{
    LH_FAIL_IF(url == NULL || *url == '\0', LH_E_INVALID, eb, "a webhook needs a url");
    LH_FAIL_IF(strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0,
               LH_E_INVALID, eb, "webhook url must start with http:// or https://");
    LH_FAIL_IF(strnlen(url, URL_MAX + 1) > URL_MAX, LH_E_INVALID, eb,
               "webhook url longer than %d bytes", URL_MAX);
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        LH_FAIL_IF(*p <= ' ' || *p == 0x7f, LH_E_INVALID, eb,
                   "webhook url must not contain spaces or control characters");
    return LH_OK;
}

static job *job_new(lh_notify_t *n, int kind, lh_notify_done_fn on_done, void *arg)
{
    job *j = calloc(1, sizeof *j);
    if (j != NULL) {
        j->n = n;
        j->kind = kind;
        j->on_done = on_done;
        j->arg = arg;
        j->attempts_max = n->attempts;
    }
    return j;
}

static bool add_line(job *j, const char *line)
{
    struct curl_slist *l = curl_slist_append(j->lines, line);
    if (l == NULL)
        return false;
    j->lines = l;
    return true;
}

lh_err lh_notify_webhook(lh_notify_t *n, const char *url, const char *json_body,
                         const lh_notify_webhook_opts_t *opts, lh_notify_done_fn on_done, void *arg,
                         lh_errbuf *eb)
{
    LH_TRY(check_url(url, eb));
    size_t body_bytes = json_body ? strlen(json_body) : 0;
    LH_FAIL_IF(body_bytes > LH_NOTIFY_BODY_MAX, LH_E_TOO_LARGE, eb,
               "a notification body is at most %d bytes", LH_NOTIFY_BODY_MAX);
    int count = 0;
    for (; opts != NULL && opts->headers != NULL && opts->headers[count] != NULL; count++)
        LH_FAIL_IF(count >= HEADERS_MAX || !clean_line(opts->headers[count], HEADER_MAX) ||
                       strchr(opts->headers[count], ':') == NULL,
                   LH_E_INVALID, eb, "webhook header %d is not one 'Name: value' line", count);
    job *j = job_new(n, KIND_WEBHOOK, on_done, arg);
    LH_FAIL_IF(j == NULL, LH_E_NOMEM, eb, "out of memory");
    j->url = strdup(url);
    j->body = strdup(json_body ? json_body : "");
    j->body_bytes = body_bytes;
    bool ok = j->url != NULL && j->body != NULL && add_line(j, "Content-Type: application/json") &&
              add_line(j, "Expect:");
    for (int i = 0; ok && i < count; i++)
        ok = add_line(j, opts->headers[i]);
    if (opts != NULL) {
        j->insecure = opts->insecure;
        if (opts->attempts > 0)
            j->attempts_max = opts->attempts < n->attempts ? opts->attempts : n->attempts;
    }
    if (!ok) {
        job_free(j);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    return submit(n, j, eb);
}

/* ---- email ---- */

static bool address_ok(const char *a)
{
    size_t len = strnlen(a, 255);
    const char *at = strchr(a, '@');
    if (len < 3 || len > 254 || at == NULL || at == a || at[1] == '\0')
        return false;
    for (const unsigned char *p = (const unsigned char *)a; *p; p++)
        if (*p <= ' ' || *p == 0x7f || strchr("<>,;\"()[]\\", *p) != NULL)
            return false;
    return true;
}

/* A growing text buffer; oom sticks. */
typedef struct text {
    char *p;
    size_t n, cap;
    bool oom;
} text;

static void put(text *t, const char *s, size_t len)
{
    if (t->oom)
        return;
    if (t->n + len + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 1024;
        while (cap < t->n + len + 1)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (p == NULL) {
            t->oom = true;
            return;
        }
        t->p = p;
        t->cap = cap;
    }
    memcpy(t->p + t->n, s, len);
    t->n += len;
    t->p[t->n] = '\0';
}

static void puts_(text *t, const char *s)
{
    put(t, s, strlen(s));
}

/* RFC 5322 date, independent of the locale. */
static void rfc5322_date(char *out, size_t size)
{
    static const char *const DAYS[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d +0000", DAYS[tm.tm_wday], tm.tm_mday,
             MONTHS[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Subject: as is when printable ASCII, else one RFC 2047 encoded-word per <= 45 bytes
 * (cut at UTF-8 boundaries), folded. CR and LF become spaces. */
static void put_subject(text *t, const char *subject)
{
    size_t len = strnlen(subject, SUBJECT_MAX);
    char clean[SUBJECT_MAX + 1];
    bool ascii = true;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)subject[i];
        clean[i] = c == '\r' || c == '\n' || c == '\t' ? ' ' : (char)c;
        if (c >= 0x80 || (c < ' ' && c != '\t' && c != '\r' && c != '\n'))
            ascii = false;
    }
    clean[len] = '\0';
    puts_(t, "Subject: ");
    if (ascii) {
        puts_(t, clean);
    } else {
        for (size_t at = 0; at < len;) {
            size_t take = len - at < 45 ? len - at : 45;
            while (at + take < len && ((unsigned char)clean[at + take] & 0xC0) == 0x80)
                take--;
            unsigned char b64[64];
            int w = EVP_EncodeBlock(b64, (const unsigned char *)clean + at, (int)take);
            puts_(t, at > 0 ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?");
            put(t, (const char *)b64, (size_t)w);
            puts_(t, "?=");
            at += take;
        }
    }
    puts_(t, "\r\n");
}

/* The body with every line ending as CRLF, ending with one. */
static void put_body(text *t, const char *body)
{
    const char *p = body ? body : "";
    while (*p) {
        size_t n = strcspn(p, "\r\n");
        put(t, p, n);
        puts_(t, "\r\n");
        p += n;
        if (*p == '\r' && p[1] == '\n')
            p += 2;
        else if (*p)
            p++;
    }
}

static char *build_message(lh_notify_t *n, const char *const *to, const char *subject,
                           const char *body, size_t *bytes)
{
    text t = {0};
    char line[256], id[33];
    rfc5322_date(line, sizeof line);
    puts_(&t, "Date: ");
    puts_(&t, line);
    puts_(&t, "\r\nFrom: ");
    puts_(&t, n->smtp_from);
    puts_(&t, "\r\nTo: ");
    for (int i = 0; to[i] != NULL; i++) {
        puts_(&t, i ? ",\r\n " : "");
        puts_(&t, to[i]);
    }
    puts_(&t, "\r\n");
    put_subject(&t, subject ? subject : "");
    lh_random_hex(id, 16);
    const char *domain = strchr(n->smtp_from, '@');
    snprintf(line, sizeof line, "Message-ID: <%s@%s>\r\n", id, domain ? domain + 1 : "lakehouse");
    puts_(&t, line);
    puts_(&t, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
              "Content-Transfer-Encoding: 8bit\r\n\r\n");
    put_body(&t, body);
    if (t.oom) {
        free(t.p);
        return NULL;
    }
    *bytes = t.n;
    return t.p;
}

lh_err lh_notify_email(lh_notify_t *n, const char *const *to, const char *subject,
                       const char *text_body, lh_notify_done_fn on_done, void *arg, lh_errbuf *eb)
{
    int count = 0;
    for (; to != NULL && to[count] != NULL; count++) {
        LH_FAIL_IF(count >= LH_NOTIFY_RCPT_MAX, LH_E_INVALID, eb,
                   "an email goes to at most %d recipients", LH_NOTIFY_RCPT_MAX);
        LH_FAIL_IF(!address_ok(to[count]), LH_E_INVALID, eb, "'%.100s' is not an email address",
                   to[count]);
    }
    LH_FAIL_IF(count == 0, LH_E_INVALID, eb, "an email needs at least one recipient");
    LH_FAIL_IF(text_body != NULL && strlen(text_body) > LH_NOTIFY_BODY_MAX, LH_E_TOO_LARGE, eb,
               "a notification body is at most %d bytes", LH_NOTIFY_BODY_MAX);
    job *j = job_new(n, KIND_EMAIL, on_done, arg);
    LH_FAIL_IF(j == NULL, LH_E_NOMEM, eb, "out of memory");
    bool ok = true;
    char rcpt[300];
    for (int i = 0; ok && i < count; i++) {
        snprintf(rcpt, sizeof rcpt, "<%s>", to[i]);
        ok = add_line(j, rcpt);
    }
    j->body = ok ? build_message(n, to, subject, text_body, &j->body_bytes) : NULL;
    if (j->body == NULL) {
        job_free(j);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    return submit(n, j, eb);
}

/* ---- life cycle ---- */

static void config_free(lh_notify_t *n)
{
    free(n->smtp_url);
    free(n->smtp_from);
    free(n->mail_from);
    free(n->smtp_user);
    free(n->smtp_password);
}

static lh_err copy_config(lh_notify_t *n, const lh_notify_config_t *cfg, lh_errbuf *eb)
{
    const char *url = cfg ? cfg->smtp_url : NULL;
    if (url != NULL && *url != '\0') {
        LH_FAIL_IF(strncasecmp(url, "smtp://", 7) != 0 && strncasecmp(url, "smtps://", 8) != 0,
                   LH_E_INVALID, eb, "--smtp-url must be smtp://HOST[:PORT] or smtps://...");
        n->smtp_url = strdup(url);
    }
    const char *from = cfg && cfg->smtp_from && *cfg->smtp_from ? cfg->smtp_from : DEFAULT_FROM;
    LH_FAIL_IF(!address_ok(from), LH_E_INVALID, eb, "--smtp-from '%.100s' is not an address", from);
    n->smtp_from = strdup(from);
    size_t len = strlen(from) + 3;
    n->mail_from = malloc(len);
    if (n->mail_from != NULL)
        snprintf(n->mail_from, len, "<%s>", from);
    n->smtp_user = sdup(cfg ? cfg->smtp_user : NULL);
    n->smtp_password = sdup(cfg ? cfg->smtp_password : NULL);
    LH_FAIL_IF(n->smtp_from == NULL || n->mail_from == NULL || (url && *url && n->smtp_url == NULL),
               LH_E_NOMEM, eb, "out of memory");
    n->timeout_ms = cfg && cfg->timeout_ms > 0 ? cfg->timeout_ms : LH_NOTIFY_TIMEOUT_MS;
    n->attempts = cfg && cfg->attempts > 0 ? cfg->attempts : LH_NOTIFY_ATTEMPTS_MAX;
    n->backoff_ms = cfg && cfg->backoff_ms > 0 ? cfg->backoff_ms : 1000;
    n->queue_max = cfg && cfg->queue_max > 0 ? cfg->queue_max : LH_NOTIFY_QUEUE_MAX;
    return LH_OK;
}

lh_err lh_notify_create(lh_bg_t *bg, const lh_notify_config_t *cfg, lh_notify_t **out,
                        lh_errbuf *eb)
{
    *out = NULL;
    lh_notify_t *n = calloc(1, sizeof *n);
    LH_FAIL_IF(n == NULL, LH_E_NOMEM, eb, "out of memory");
    n->bg = bg;
    pthread_mutex_init(&n->mu, NULL);
    lh_err e = copy_config(n, cfg, eb);
    if (e == LH_OK && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        e = lh_err_set(eb, LH_E_INTERNAL, __FILE__, __LINE__, "curl_global_init failed");
    if (e == LH_OK) {
        e = lh_bg_executor(bg, "notify", LH_NOTIFY_THREADS, n->queue_max, &n->ex, eb);
        if (e == LH_OK)
            e = lh_bg_timer_add(bg, NULL, TICK_MS, TICK_MS, tick, n, &n->ticker, eb);
        if (e != LH_OK)
            curl_global_cleanup();
    }
    if (e != LH_OK) {
        if (n->ex != NULL)
            lh_bg_executor_shutdown(n->ex);
        config_free(n);
        pthread_mutex_destroy(&n->mu);
        free(n);
        return e;
    }
    *out = n;
    return LH_OK;
}

static void fail_all(job *list)
{
    while (list != NULL) {
        job *j = list;
        list = j->next;
        fail(j, "the notification sender is shutting down");
    }
}

void lh_notify_destroy(lh_notify_t *n)
{
    if (n == NULL)
        return;
    pthread_mutex_lock(&n->mu);
    atomic_store(&n->stopping, true);
    pthread_mutex_unlock(&n->mu);
    lh_bg_timer_cancel(n->ticker); /* waits for a tick in progress */
    fail_all(take_waiting(n, true));
    lh_bg_executor_shutdown(n->ex); /* queued sends fail fast, calls in flight abort */
    fail_all(take_waiting(n, true));
    LH_ASSERT(atomic_load(&n->live) == 0);
    curl_global_cleanup();
    config_free(n);
    pthread_mutex_destroy(&n->mu);
    free(n);
}

void lh_notify_render_metrics(lh_notify_t *n, FILE *out)
{
    if (n == NULL)
        return;
    fprintf(out, "# TYPE lakehouse_notify_sent_total counter\n");
    for (int k = 0; k < KIND_COUNT; k++)
        fprintf(out, "lakehouse_notify_sent_total{kind=\"%s\"} %lld\n", KIND_NAMES[k],
                (long long)atomic_load(&n->sent[k]));
    fprintf(out, "# TYPE lakehouse_notify_failed_total counter\n");
    for (int k = 0; k < KIND_COUNT; k++)
        fprintf(out, "lakehouse_notify_failed_total{kind=\"%s\"} %lld\n", KIND_NAMES[k],
                (long long)atomic_load(&n->failed[k]));
    fprintf(out,
            "# TYPE lakehouse_notify_retries_total counter\n"
            "lakehouse_notify_retries_total %lld\n",
            (long long)atomic_load(&n->retries));
}
