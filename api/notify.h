/*
 * notify.h - the daemon's one notification sender: webhooks (HTTP POST of JSON) and email
 * (SMTP), over libcurl, on a background executor. Jobs' webhook_notifications and
 * email_notifications and the model registry's webhooks all send through it.
 *
 *   caller ──lh_notify_webhook / lh_notify_email (copies everything, never blocks)──>
 *     "notify" executor (LH_NOTIFY_THREADS threads): one attempt, bounded by timeout_ms
 *       success          -> on_done(ok)
 *       transient error  -> the retry list; a 100 ms bg timer moves a job back to the
 *                           executor when due (backoff 1 s, then 4 s: base * 4^(n-1))
 *       last attempt / permanent error -> on_done(!ok, status, error text)
 *
 * Transient: no answer (connect, DNS, timeout), HTTP 408, 429 and 5xx, SMTP failures other
 * than a refused login. Permanent: other 4xx, a refused login, a bad URL. A send in the
 * queue, in flight or waiting for a retry counts against LH_NOTIFY_QUEUE_MAX; past it a new
 * one fails at once with LH_E_LIMIT (on_done is then not called).
 *
 * on_done runs exactly once per accepted send, on a notify thread (or, at shutdown, on the
 * thread calling lh_notify_destroy), never on the caller's thread inside the call. It must
 * not block for long. The result it gets is valid only during the call.
 *
 * Shutdown (lh_notify_destroy, before lh_bg_destroy): new sends fail with LH_E_UNAVAILABLE;
 * a call in flight is aborted; queued and waiting sends end with on_done(!ok, "shutting
 * down"). Thread-safe: every function but create/destroy may be called from any thread.
 *
 * Email without a relay (no --smtp-url): on_done(!ok, "no SMTP relay configured
 * (--smtp-url)") right away (on a notify thread), so the caller records it as
 * undeliverable.
 */
#ifndef LH_API_NOTIFY_H
#define LH_API_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/bg.h"
#include "common/err.h"

#define LH_NOTIFY_THREADS 2

typedef struct lh_notify lh_notify_t;

typedef struct lh_notify_config {
    const char *smtp_url;      /* smtp://host:port or smtps://host:port; NULL/"" = none */
    const char *smtp_from;     /* envelope and From: address; NULL = lakehouse@localhost */
    const char *smtp_user;     /* optional login */
    const char *smtp_password; /* optional */
    int64_t timeout_ms;        /* one call; 0 = LH_NOTIFY_TIMEOUT_MS */
    int attempts;              /* per send; 0 = LH_NOTIFY_ATTEMPTS_MAX */
    int64_t backoff_ms;        /* first retry delay (then x4); 0 = 1000 */
    int queue_max;             /* sends accepted at once; 0 = LH_NOTIFY_QUEUE_MAX */
} lh_notify_config_t;

typedef struct lh_notify_result {
    bool ok;
    int http_status;      /* the last HTTP status (webhooks) or SMTP reply code; 0 = none */
    const char *error;    /* why it failed (NULL when ok) */
    const char *response; /* up to LH_NOTIFY_RESPONSE_MAX bytes of the answer (webhooks) */
    int attempts;         /* attempts made */
} lh_notify_result_t;

typedef void (*lh_notify_done_fn)(void *arg, const lh_notify_result_t *res);

typedef struct lh_notify_webhook_opts {
    const char *const *headers; /* extra "Name: value" lines, NULL-terminated; or NULL */
    int attempts;               /* 0 = the sender's default; 1 = no retry (an outbox retries) */
    bool insecure;              /* do not verify the server's TLS certificate */
} lh_notify_webhook_opts_t;

/* Start the sender: its executor on bg, curl's global state. Strings in cfg are copied.
 * LH_E_INVALID when smtp_url is not smtp:// or smtps://, errors of lh_bg_executor. */
lh_err lh_notify_create(lh_bg_t *bg, const lh_notify_config_t *cfg, lh_notify_t **out,
                        lh_errbuf *eb);

/* See "Shutdown" above. Blocks until every send has ended. NULL is a no-op. */
void lh_notify_destroy(lh_notify_t *n);

/* POST json_body (Content-Type: application/json) to url (http:// or https:// only).
 * opts may be NULL. Copies its arguments. LH_E_INVALID (a bad url or header), LH_E_LIMIT
 * (full), LH_E_UNAVAILABLE (shutting down), LH_E_NOMEM; on error on_done is not called. */
lh_err lh_notify_webhook(lh_notify_t *n, const char *url, const char *json_body,
                         const lh_notify_webhook_opts_t *opts, lh_notify_done_fn on_done, void *arg,
                         lh_errbuf *eb);

/* Send a text/plain UTF-8 email to the NULL-terminated list to (1..LH_NOTIFY_RCPT_MAX
 * addresses) through the configured relay, with From, To, Subject, Date, Message-ID and
 * MIME headers. Copies its arguments. LH_E_INVALID (no or a malformed address: spaces, CR,
 * LF, <, >, no @), LH_E_LIMIT, LH_E_UNAVAILABLE; on error on_done is not called. */
lh_err lh_notify_email(lh_notify_t *n, const char *const *to, const char *subject,
                       const char *text_body, lh_notify_done_fn on_done, void *arg, lh_errbuf *eb);

/* Prometheus text: lakehouse_notify_sent_total{kind}, lakehouse_notify_failed_total{kind}
 * (kind = webhook | email), lakehouse_notify_retries_total. */
void lh_notify_render_metrics(lh_notify_t *n, FILE *out);

#endif
