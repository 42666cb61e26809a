/*
 * main.c - lakehoused: parse flags, start the server, wait for SIGTERM/SIGINT, stop.
 *
 * Signals are blocked in every thread and taken synchronously here with sigwait, so no
 * handler runs in a random thread. Exit codes: 0 clean stop, 1 start-up failure, 2 usage.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common/fault.h"
#include "common/util.h"
#include "server/server.h"

/* --routes: every METHOD and path pattern served, one per line (the openapi test reads it). */
static void print_routes(void)
{
    for (int t = 0; t < lh_route_table_count(); t++) {
        int n = 0;
        const lh_route_t *r = lh_route_table(t, &n);
        for (int i = 0; i < n; i++)
            printf("%s %s\n", r[i].method, r[i].pattern);
    }
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            lh_config_usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--routes") == 0) {
            print_routes();
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("lakehoused 0.1.0\n");
            return 0;
        }
    }
    static lh_server_t server; /* one per process; static only to keep it off the stack */
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    lh_config_default(&server.config);
    if (lh_config_parse(&server.config, argc, argv, &eb) != LH_OK) {
        fprintf(stderr, "lakehoused: %s\n", eb.msg);
        return 2;
    }
    lh_log_configure(server.config.log_level, server.config.log_format);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    int64_t t0 = lh_mono_ns();
    if (lh_server_start(&server, &eb) != LH_OK) {
        fprintf(stderr, "lakehoused: %s\n", eb.msg);
        lh_server_stop(&server);
        lh_server_cleanup_failed_start(&server);
        return 1;
    }
    lh_log(LH_LOG_INFO, "lakehoused listening on %s (data dir %s, ready in %.1f ms)",
           server.host_url, server.config.data_dir, (double)(lh_mono_ns() - t0) / 1e6);
    int sig = 0;
    sigwait(&set, &sig);
    lh_log(LH_LOG_INFO, "signal %d: shutting down", sig);
    lh_server_stop(&server);
    lh_log(LH_LOG_INFO, "stopped");
#ifdef LH_FAULT_INJECT /* tests/fault/ compares this with a run that injected nothing */
    fprintf(stderr, "lh-fault: %ld allocations live at exit\n", lh_fault_live());
#endif
    return 0;
}
