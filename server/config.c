/*
 * config.c - the one place settings are read: flags, the JSON --config file and the
 * environment, driven by one table of options (which --help prints).
 *
 * Precedence: defaults < --config FILE < environment < command-line flags. The file is a
 * JSON object whose keys are the options' keys ("listen", "tls": {"cert", "key"}, ...); an
 * unknown key is an error naming it, so a typo never silently does nothing.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/json.h"
#include "common/limits.h"
#include "server/server.h"

typedef enum { K_LISTEN, K_STR, K_INT, K_BOOL, K_OFF, K_ON, K_ENUM, K_BYTES } kind_t;

typedef struct opt {
    const char *flag; /* NULL: environment only */
    const char *key;  /* config file key (dotted = nested); NULL: not in the file */
    const char *env;  /* environment variable, or NULL */
    kind_t kind;
    size_t offset, size; /* field in lh_config_t (size: char buffers) */
    int64_t min, max;    /* K_INT */
    const char *choices; /* K_ENUM: "a|b|c" */
    const char *arg, *help;
} opt;

#define F(field) offsetof(lh_config_t, field), sizeof(((lh_config_t *)0)->field)

static const opt opts[] = {
    {"--listen", "listen", NULL, K_LISTEN, F(listen_host), 0, 0, NULL, "HOST:PORT",
     "address to serve on (default 127.0.0.1:8080)"},
    {"--data-dir", "data_dir", NULL, K_STR, F(data_dir), 0, 0, NULL, "DIR",
     "metastore, tables and files (default ./lakehouse-data)"},
    {"--threads", "http_threads", NULL, K_INT, F(http_threads), 0, LH_HTTP_THREADS_MAX, NULL, "N",
     "HTTP threads (default: the number of cores)"},
    {"--max-inflight", "max_inflight", NULL, K_INT, F(max_inflight), 1, LH_INFLIGHT_MAX, NULL, "N",
     "requests open at once before new ones get 429 (default 1024)"},
    {"--no-access-log", "access_log", NULL, K_OFF, F(access_log), 0, 0, NULL, NULL,
     "no access-log line per request (file: \"access_log\": false)"},
    {"--tls-cert", "tls.cert", NULL, K_STR, F(tls_cert), 0, 0, NULL, "FILE",
     "PEM certificate (chain): serve HTTPS on the listen port"},
    {"--tls-key", "tls.key", NULL, K_STR, F(tls_key), 0, 0, NULL, "FILE",
     "PEM private key for --tls-cert"},
    {"--log-level", "log_level", NULL, K_ENUM, F(log_level), 0, 0, "debug|info|warn|error", "LEVEL",
     "least severe log line written (default info)"},
    {"--log-format", "log_format", NULL, K_ENUM, F(log_format), 0, 0, "text|json", "FORMAT",
     "log lines as text or as one JSON object each (default text)"},
    {"--mlflow-artifacts-proxy", "mlflow_artifacts_proxy", NULL, K_ON, F(mlflow_artifacts_proxy), 0,
     0, NULL, NULL,
     "new MLflow experiments keep artifacts at mlflow-artifacts:/<id> (default dbfs:/)"},
    {"--query-memory-limit", "query_memory_limit", NULL, K_BYTES, F(query_memory_limit_bytes),
     1 << 20, INT64_MAX / 2, NULL, "BYTES",
     "memory one query may hold before it spills or fails (K/M/G suffixes; default 1/4 of RAM)"},
    {"--data-cache-size", "data_cache_size", NULL, K_BYTES, F(data_cache_bytes), 0, INT64_MAX / 2,
     NULL, "BYTES",
     "decoded Parquet column chunks kept in memory (K/M/G; 0 = off; default 1/8 of RAM)"},
    {"--smtp-url", "smtp.url", "LAKEHOUSE_SMTP_URL", K_STR, F(smtp_url), 0, 0, NULL, "URL",
     "SMTP relay for email notifications: smtp://HOST:PORT or smtps://HOST:PORT (default none: "
     "emails are recorded as undeliverable)"},
    {"--smtp-from", "smtp.from", "LAKEHOUSE_SMTP_FROM", K_STR, F(smtp_from), 0, 0, NULL, "ADDRESS",
     "From address of email notifications (default lakehouse@localhost)"},
    {"--smtp-user", "smtp.user", "LAKEHOUSE_SMTP_USER", K_STR, F(smtp_user), 0, 0, NULL, "USER",
     "login at the SMTP relay (optional)"},
    {"--smtp-password", "smtp.password", "LAKEHOUSE_SMTP_PASSWORD", K_STR, F(smtp_password), 0, 0,
     NULL, "PASSWORD", "password at the SMTP relay (prefer the environment variable)"},
    {NULL, NULL, "LAKEHOUSE_ADMIN_TOKEN", K_STR, F(admin_token), 0, 0, NULL, NULL,
     "the bootstrap admin's personal access token"},
    {NULL, NULL, "LAKEHOUSE_SECRETS_KEY", K_STR, F(secrets_key), 0, 0, NULL, NULL,
     "the secrets master key (64 hex digits or base64 of 32 bytes)"},
    {NULL, NULL, "LAKEHOUSE_TEST_MINUTE_MS", K_INT, F(test_minute_ms), 1, 60000, NULL, NULL,
     "tests: milliseconds in a \"minute\" of autotermination"},
    {NULL, NULL, "LAKEHOUSE_TEST_ROUTES", K_BOOL, F(test_routes), 0, 0, NULL, NULL,
     "tests: serve the /api/2.0/lakehouse-test/ routes"},
    {NULL, NULL, "LAKEHOUSE_TEST_FAIL_POOL_START", K_BOOL, F(test_fail_start), 0, 0, NULL, NULL,
     "tests: every cluster start fails as if no worker thread could be created (ERROR)"},
    {NULL, NULL, "LAKEHOUSE_TEST_BG_QUEUE_MAX", K_INT, F(bg_queue_cap), 1, LH_BG_QUEUE_MAX, NULL,
     NULL, "tests: cap every background queue at N, so a test can fill one (429)"},
    {NULL, NULL, "LAKEHOUSE_TEST_RESULT_TTL_MS", K_INT, F(result_ttl_ms), 1, 86400000, NULL, NULL,
     "tests: statement results expire N ms after the statement ends (default 1 hour)"},
};
#define OPT_COUNT (sizeof opts / sizeof opts[0])

void lh_config_default(lh_config_t *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->listen_host, sizeof c->listen_host, "127.0.0.1");
    c->listen_port = 8080;
    snprintf(c->data_dir, sizeof c->data_dir, "./lakehouse-data");
    c->access_log = 1;
    c->max_inflight = LH_INFLIGHT_MAX;
    snprintf(c->log_level, sizeof c->log_level, "info");
    snprintf(c->log_format, sizeof c->log_format, "text");
    c->test_minute_ms = 60000;
}

static lh_err parse_listen(lh_config_t *c, const char *name, const char *v, lh_errbuf *eb)
{
    const char *colon = strrchr(v, ':');
    LH_FAIL_IF(colon == NULL || colon == v, LH_E_INVALID, eb, "%s expects HOST:PORT, got '%s'",
               name, v);
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    LH_FAIL_IF(*end != '\0' || port < 0 || port > 65535 || end == colon + 1, LH_E_INVALID, eb,
               "%s: invalid port in '%s'", name, v);
    size_t host_len = (size_t)(colon - v);
    LH_FAIL_IF(host_len >= sizeof c->listen_host, LH_E_INVALID, eb, "%s: host too long", name);
    memcpy(c->listen_host, v, host_len);
    c->listen_host[host_len] = '\0';
    if (strcmp(c->listen_host, "localhost") == 0)
        snprintf(c->listen_host, sizeof c->listen_host, "127.0.0.1");
    c->listen_port = (int)port;
    return LH_OK;
}

static int choice_ok(const char *choices, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = choices; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && n > 0 && memcmp(p, v, n) == 0)
            return 1;
        p += len + (bar != NULL);
    }
    return 0;
}

static lh_err parse_bool(const char *name, const char *v, int *out, lh_errbuf *eb)
{
    if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0) {
        *out = 1;
    } else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0 || strcmp(v, "no") == 0 ||
               *v == '\0') {
        *out = 0;
    } else {
        LH_FAIL(LH_E_INVALID, eb, "%s: expected true or false, got '%s'", name, v);
    }
    return LH_OK;
}

/* A size: digits with an optional K, M, G or T suffix (powers of 1024, "B"/"iB" allowed).
 * 0 is stored as -1 ("off"), so 0 in the field keeps meaning "the default". */
static lh_err parse_bytes(const opt *o, const char *name, const char *v, int64_t *out,
                          lh_errbuf *eb)
{
    char *end = NULL;
    long long n = strtoll(v, &end, 10);
    static const char UNITS[] = "KMGT";
    const char *u = *end ? strchr(UNITS, *end >= 'a' ? *end - 'a' + 'A' : *end) : NULL;
    int shift = u != NULL ? 10 * (int)(u - UNITS + 1) : 0;
    if (u != NULL)
        end++;
    if (*end == 'i')
        end++;
    if (*end == 'B' || *end == 'b')
        end++;
    LH_FAIL_IF(end == v || *end != '\0' || n < 0 || (shift && n > (INT64_MAX >> shift)),
               LH_E_INVALID, eb, "%s: expected a size such as 512M or 2G, got '%s'", name, v);
    int64_t bytes = (int64_t)n << shift;
    LH_FAIL_IF((bytes != 0 || o->min > 0) && (bytes < o->min || bytes > o->max), LH_E_INVALID, eb,
               "%s: expected %lld..%lld bytes, got '%s'", name, (long long)o->min,
               (long long)o->max, v);
    *out = bytes == 0 ? -1 : bytes;
    return LH_OK;
}

/* Set option o from text v; name is how the user wrote it (flag, key or variable). */
static lh_err set_text(lh_config_t *c, const opt *o, const char *name, const char *v, lh_errbuf *eb)
{
    char *field = (char *)c + o->offset;
    switch (o->kind) {
    case K_LISTEN:
        return parse_listen(c, name, v, eb);
    case K_STR:
        LH_FAIL_IF(*v == '\0' || strlen(v) >= o->size, LH_E_INVALID, eb,
                   "%s: empty or longer than %zu bytes", name, o->size - 1);
        memcpy(field, v, strlen(v) + 1);
        return LH_OK;
    case K_ENUM:
        LH_FAIL_IF(!choice_ok(o->choices, v), LH_E_INVALID, eb, "%s: expected one of %s, got '%s'",
                   name, o->choices, v);
        snprintf(field, o->size, "%s", v);
        return LH_OK;
    case K_INT: {
        char *end = NULL;
        long long n = strtoll(v, &end, 10);
        LH_FAIL_IF(*v == '\0' || *end != '\0' || n < o->min || n > o->max, LH_E_INVALID, eb,
                   "%s: expected %lld..%lld, got '%s'", name, (long long)o->min, (long long)o->max,
                   v);
        if (o->size == sizeof(int64_t))
            *(int64_t *)(void *)field = n;
        else
            *(int *)(void *)field = (int)n;
        return LH_OK;
    }
    case K_BOOL:
    case K_OFF:
    case K_ON:
        return parse_bool(name, v, (int *)(void *)field, eb);
    case K_BYTES:
        return parse_bytes(o, name, v, (int64_t *)(void *)field, eb);
    }
    return LH_OK;
}

/* A config-file value as text for set_text (numbers, booleans and strings). */
static lh_err set_json(lh_config_t *c, const opt *o, const char *key, json_t *v, lh_errbuf *eb)
{
    char buf[64];
    if (json_is_string(v))
        return set_text(c, o, key, json_string_value(v), eb);
    if (json_is_integer(v) && (o->kind == K_INT || o->kind == K_BYTES)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        return set_text(c, o, key, buf, eb);
    }
    if (json_is_boolean(v) && (o->kind == K_BOOL || o->kind == K_OFF || o->kind == K_ON))
        return set_text(c, o, key, json_is_true(v) ? "true" : "false", eb);
    LH_FAIL(LH_E_INVALID, eb, "config key '%s': wrong type", key);
}

static const opt *find_key(const char *key)
{
    for (size_t i = 0; i < OPT_COUNT; i++)
        if (opts[i].key != NULL && strcmp(opts[i].key, key) == 0)
            return &opts[i];
    return NULL;
}

static int is_section(const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < OPT_COUNT; i++)
        if (opts[i].key && strncmp(opts[i].key, prefix, n) == 0 && opts[i].key[n] == '.')
            return 1;
    return 0;
}

static lh_err load_object(lh_config_t *c, json_t *obj, const char *prefix, lh_errbuf *eb)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        char key[128];
        snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", k);
        if (json_is_object(v) && is_section(key)) {
            LH_TRY(load_object(c, v, key, eb));
            continue;
        }
        const opt *o = find_key(key);
        LH_FAIL_IF(o == NULL, LH_E_INVALID, eb, "unknown config key '%s'", key);
        LH_TRY(set_json(c, o, key, v, eb));
    }
    return LH_OK;
}

static lh_err load_file(lh_config_t *c, const char *path, lh_errbuf *eb)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    LH_FAIL_IF(root == NULL, LH_E_INVALID, eb, "--config %s: %s (line %d)", path, jerr.text,
               jerr.line);
    lh_err e = json_is_object(root) ? load_object(c, root, "", eb)
                                    : lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                                                 "--config %s: not a JSON object", path);
    json_decref(root);
    if (e != LH_OK && strncmp(eb->msg, "--config", 8) != 0) {
        char msg[LH_ERRBUF_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", eb->msg);
        lh_err_set(eb, e, __FILE__, __LINE__, "--config %s: %s", path, msg);
    }
    return e;
}

static lh_err load_env(lh_config_t *c, lh_errbuf *eb)
{
    for (size_t i = 0; i < OPT_COUNT; i++) {
        const char *v = opts[i].env ? getenv(opts[i].env) : NULL;
        if (v != NULL && *v != '\0')
            LH_TRY(set_text(c, &opts[i], opts[i].env, v, eb));
    }
    return LH_OK;
}

static int flag_matches(const char *arg, const char *flag)
{
    size_t n = strlen(flag);
    return strncmp(arg, flag, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* The value of flag at argv[*i] ("--x=v" or "--x v"), or NULL with eb set. */
static const char *flag_value(int argc, char **argv, int *i, const char *flag, lh_errbuf *eb)
{
    size_t n = strlen(flag);
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (*i + 1 >= argc) {
        lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__, "%s needs a value", flag);
        return NULL;
    }
    return argv[++*i];
}

static lh_err parse_flag(lh_config_t *c, int argc, char **argv, int *i, lh_errbuf *eb)
{
    const char *a = argv[*i];
    if (flag_matches(a, "--config"))
        return flag_value(argc, argv, i, "--config", eb) ? LH_OK : LH_E_INVALID;
    for (size_t k = 0; k < OPT_COUNT; k++) {
        const opt *o = &opts[k];
        if (o->flag == NULL || !flag_matches(a, o->flag))
            continue;
        if (o->kind == K_OFF || o->kind == K_ON) {
            *(int *)(void *)((char *)c + o->offset) = o->kind == K_ON;
            return LH_OK;
        }
        const char *v = flag_value(argc, argv, i, o->flag, eb);
        return v ? set_text(c, o, o->flag, v, eb) : LH_E_INVALID;
    }
    LH_FAIL(LH_E_INVALID, eb, "unknown argument '%s' (see --help)", a);
}

static lh_err validate(const lh_config_t *c, lh_errbuf *eb)
{
    LH_FAIL_IF((c->tls_cert[0] != '\0') != (c->tls_key[0] != '\0'), LH_E_INVALID, eb,
               "--tls-cert and --tls-key go together");
    LH_FAIL_IF(c->smtp_url[0] != '\0' && strncasecmp(c->smtp_url, "smtp://", 7) != 0 &&
                   strncasecmp(c->smtp_url, "smtps://", 8) != 0,
               LH_E_INVALID, eb, "--smtp-url must start with smtp:// or smtps://, got '%s'",
               c->smtp_url);
    return LH_OK;
}

lh_err lh_config_parse(lh_config_t *c, int argc, char **argv, lh_errbuf *eb)
{
    for (int i = 1; i < argc; i++) { /* the config file first, so the rest override it */
        if (flag_matches(argv[i], "--config")) {
            const char *v = flag_value(argc, argv, &i, "--config", eb);
            if (v == NULL)
                return LH_E_INVALID;
            LH_TRY(load_file(c, v, eb));
        }
    }
    LH_TRY(load_env(c, eb));
    for (int i = 1; i < argc; i++)
        LH_TRY(parse_flag(c, argc, argv, &i, eb));
    return validate(c, eb);
}

void lh_config_usage(FILE *out)
{
    fprintf(out, "usage: lakehoused [options]\n\noptions (config-file key in brackets):\n");
    fprintf(out, "  %-26s %s\n", "--config FILE",
            "JSON object of settings; flags and environment override it");
    for (size_t i = 0; i < OPT_COUNT; i++) {
        const opt *o = &opts[i];
        if (o->flag == NULL)
            continue;
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", o->flag, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(out, "  %-26s %s [%s]\n", left, o->help, o->key);
    }
    fprintf(out, "  %-26s %s\n", "--routes", "print every served METHOD and path pattern");
    fprintf(out, "  %-26s %s\n", "--version, --help", "print the version / this text");
    fprintf(out, "\nenvironment:\n");
    for (size_t i = 0; i < OPT_COUNT; i++)
        if (opts[i].env != NULL)
            fprintf(out, "  %-26s %s\n", opts[i].env, opts[i].help);
}
