/*
 * config.h - the daemon's runtime settings (the second of two levels: hard ceilings live in
 * common/limits.h; these are defaults an operator may change within those ceilings).
 *
 * Only server/config.c fills an lh_config_t: from defaults, then the JSON --config file,
 * then the environment, then command-line flags (later wins), validated at start. Every
 * other module reads it through lh_ctx_t.config and never calls getenv.
 */
#ifndef LH_COMMON_CONFIG_H
#define LH_COMMON_CONFIG_H

#include <stdint.h>

#define LH_CONFIG_PATH_MAX 4096

typedef struct lh_config {
    char listen_host[256];
    int listen_port;
    char data_dir[LH_CONFIG_PATH_MAX];
    int http_threads; /* 0 = number of cores */
    int access_log;   /* 1 = one line per request on stderr */
    int max_inflight; /* open requests before new ones get 429 (<= LH_INFLIGHT_MAX) */
    char tls_cert[LH_CONFIG_PATH_MAX]; /* PEM files; both set = HTTPS on the listen port */
    char tls_key[LH_CONFIG_PATH_MAX];
    char log_level[8];      /* debug | info | warn | error */
    char log_format[8];     /* text | json */
    char admin_token[256];  /* LAKEHOUSE_ADMIN_TOKEN: the bootstrap admin's token */
    char secrets_key[128];  /* LAKEHOUSE_SECRETS_KEY: secrets master key (hex or base64) */
    int64_t test_minute_ms; /* LAKEHOUSE_TEST_MINUTE_MS: length of a "minute" (tests) */
    int test_routes;        /* LAKEHOUSE_TEST_ROUTES=1: serve /api/2.0/lakehouse-test/... */
    int test_fail_start;    /* LAKEHOUSE_TEST_FAIL_POOL_START=1: cluster starts fail */
    int bg_queue_cap;       /* LAKEHOUSE_TEST_BG_QUEUE_MAX: > 0 caps every background queue */
    int64_t result_ttl_ms;  /* LAKEHOUSE_TEST_RESULT_TTL_MS: > 0 = statement results expiry */
    int no_http;            /* 1 = do not listen (the fuzz target dispatches directly) */
    /* --mlflow-artifacts-proxy: new MLflow experiments keep artifacts at mlflow-artifacts:/ */
    int mlflow_artifacts_proxy;
    int64_t query_memory_limit_bytes; /* --query-memory-limit: per query; 0 = a share of RAM */
    int64_t data_cache_bytes;         /* --data-cache-size: decoded Parquet cache; 0 = a share
                                         of RAM, -1 = off (--data-cache-size 0 off) */
    /* Email notifications (api/notify.h): the SMTP relay; "" = none (emails undeliverable) */
    char smtp_url[1024];     /* --smtp-url smtp://host:port | smtps://host:port */
    char smtp_from[256];     /* --smtp-from: From and envelope sender */
    char smtp_user[256];     /* --smtp-user (optional login) */
    char smtp_password[256]; /* --smtp-password / LAKEHOUSE_SMTP_PASSWORD */
} lh_config_t;

#endif
