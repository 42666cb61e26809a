/*
 * config.c - flags and the optional JSON config file.
 *
 * Precedence: defaults < --config FILE < command-line flags. The file is a JSON object
 * with any of: listen ("HOST:PORT"), data_dir, http_threads, access_log (bool).
 * Environment (tests): LAKEHOUSE_TEST_BG_QUEUE_MAX=N caps every background queue at N
 * (1..LH_BG_QUEUE_MAX), so black-box tests can fill one and see 429.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/limits.h"
#include "server/server.h"

void lh_config_default(lh_config_t *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->listen_host, sizeof c->listen_host, "127.0.0.1");
    c->listen_port = 8080;
    snprintf(c->data_dir, sizeof c->data_dir, "./lakehouse-data");
    c->access_log = 1;
    c->max_inflight = LH_INFLIGHT_MAX;
}

static lh_err parse_listen(lh_config_t *c, const char *v, lh_errbuf *eb)
{
    const char *colon = strrchr(v, ':');
    LH_FAIL_IF(colon == NULL || colon == v, LH_E_INVALID, eb,
               "--listen expects HOST:PORT, got '%s'", v);
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    LH_FAIL_IF(*end != '\0' || port < 0 || port > 65535 || end == colon + 1, LH_E_INVALID, eb,
               "--listen: invalid port in '%s'", v);
    size_t host_len = (size_t)(colon - v);
    LH_FAIL_IF(host_len >= sizeof c->listen_host, LH_E_INVALID, eb, "--listen: host too long");
    memcpy(c->listen_host, v, host_len);
    c->listen_host[host_len] = '\0';
    if (strcmp(c->listen_host, "localhost") == 0)
        snprintf(c->listen_host, sizeof c->listen_host, "127.0.0.1");
    c->listen_port = (int)port;
    return LH_OK;
}

static lh_err set_data_dir(lh_config_t *c, const char *v, lh_errbuf *eb)
{
    LH_FAIL_IF(*v == '\0' || strlen(v) >= sizeof c->data_dir, LH_E_INVALID, eb,
               "--data-dir: invalid path");
    snprintf(c->data_dir, sizeof c->data_dir, "%s", v);
    return LH_OK;
}

static lh_err load_file(lh_config_t *c, const char *path, lh_errbuf *eb)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    LH_FAIL_IF(root == NULL, LH_E_INVALID, eb, "--config %s: %s (line %d)", path, jerr.text,
               jerr.line);
    const char *listen = NULL, *dir = NULL;
    int64_t threads = c->http_threads;
    bool access_log = c->access_log;
    lh_err e = json_is_object(root) ? LH_OK
                                    : lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                                                 "--config %s: not a JSON object", path);
    if (e == LH_OK)
        e = lh_json_get_str(root, "listen", LH_OPTIONAL, &listen, eb);
    if (e == LH_OK)
        e = lh_json_get_str(root, "data_dir", LH_OPTIONAL, &dir, eb);
    if (e == LH_OK)
        e = lh_json_get_int_range(root, "http_threads", LH_OPTIONAL, 0, 256, &threads, eb);
    if (e == LH_OK)
        e = lh_json_get_bool(root, "access_log", LH_OPTIONAL, &access_log, eb);
    if (e == LH_OK && listen)
        e = parse_listen(c, listen, eb);
    if (e == LH_OK && dir)
        e = set_data_dir(c, dir, eb);
    c->http_threads = (int)threads;
    c->access_log = access_log;
    json_decref(root);
    return e;
}

static const char *flag_value(int argc, char **argv, int *i, const char *flag, lh_errbuf *eb,
                              lh_err *e)
{
    size_t n = strlen(flag);
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (*i + 1 >= argc) {
        *e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__, "%s needs a value", flag);
        return NULL;
    }
    return argv[++*i];
}

static int is_flag(const char *arg, const char *flag)
{
    size_t n = strlen(flag);
    return strncmp(arg, flag, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static lh_err bg_queue_cap_from_env(lh_config_t *c, lh_errbuf *eb)
{
    const char *v = getenv("LAKEHOUSE_TEST_BG_QUEUE_MAX");
    if (v == NULL || *v == '\0')
        return LH_OK;
    char *end = NULL;
    long n = strtol(v, &end, 10);
    LH_FAIL_IF(*end != '\0' || n < 1 || n > LH_BG_QUEUE_MAX, LH_E_INVALID, eb,
               "LAKEHOUSE_TEST_BG_QUEUE_MAX: expected 1..%d, got '%s'", LH_BG_QUEUE_MAX, v);
    c->bg_queue_cap = (int)n;
    return LH_OK;
}

lh_err lh_config_parse(lh_config_t *c, int argc, char **argv, lh_errbuf *eb)
{
    lh_err e = LH_OK;
    for (int i = 1; i < argc; i++) { /* the config file first, so flags override it */
        if (is_flag(argv[i], "--config")) {
            const char *v = flag_value(argc, argv, &i, "--config", eb, &e);
            if (v == NULL)
                return e;
            LH_TRY(load_file(c, v, eb));
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (is_flag(a, "--config")) {
            flag_value(argc, argv, &i, "--config", eb, &e);
        } else if (is_flag(a, "--listen")) {
            if ((v = flag_value(argc, argv, &i, "--listen", eb, &e)) == NULL)
                return e;
            LH_TRY(parse_listen(c, v, eb));
        } else if (is_flag(a, "--data-dir")) {
            if ((v = flag_value(argc, argv, &i, "--data-dir", eb, &e)) == NULL)
                return e;
            LH_TRY(set_data_dir(c, v, eb));
        } else if (is_flag(a, "--threads")) {
            if ((v = flag_value(argc, argv, &i, "--threads", eb, &e)) == NULL)
                return e;
            char *end = NULL;
            long t = strtol(v, &end, 10);
            LH_FAIL_IF(*end != '\0' || t < 0 || t > 256, LH_E_INVALID, eb,
                       "--threads: expected 0..256, got '%s'", v);
            c->http_threads = (int)t;
        } else if (is_flag(a, "--max-inflight")) {
            if ((v = flag_value(argc, argv, &i, "--max-inflight", eb, &e)) == NULL)
                return e;
            char *end = NULL;
            long n = strtol(v, &end, 10);
            LH_FAIL_IF(*end != '\0' || n < 1 || n > LH_INFLIGHT_MAX, LH_E_INVALID, eb,
                       "--max-inflight: expected 1..%d, got '%s'", LH_INFLIGHT_MAX, v);
            c->max_inflight = (int)n;
        } else if (strcmp(a, "--no-access-log") == 0) {
            c->access_log = 0;
        } else {
            LH_FAIL(LH_E_INVALID, eb, "unknown argument '%s' (see --help)", a);
        }
    }
    return bg_queue_cap_from_env(c, eb);
}
