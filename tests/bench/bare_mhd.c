/*
 * bare_mhd.c - the HTTP baseline for tests/bench/http_bench.sh: a libmicrohttpd server
 * with the same threading as lakehoused (thread pool, poll) that answers every request
 * with a fixed JSON body of a given size. No routing, no auth, no JSON building.
 *
 *   bare_mhd PORT THREADS BODY_BYTES [CERT.pem KEY.pem]   (with the PEM files: HTTPS)
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *body;
static size_t body_bytes;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls, (void)url, (void)method, (void)version, (void)upload_data;
    if (*con_cls == NULL) { /* headers first, answer on the second call */
        *con_cls = conn;
        return MHD_YES;
    }
    *upload_data_size = 0;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(body_bytes, body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ok = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 6) {
        fprintf(stderr, "usage: bare_mhd PORT THREADS BODY_BYTES [CERT.pem KEY.pem]\n");
        return 2;
    }
    char *pem[2] = {NULL, NULL};
    for (int i = 0; argc == 6 && i < 2; i++) {
        FILE *f = fopen(argv[4 + i], "rb");
        pem[i] = calloc(1, 1 << 20);
        if (f == NULL || pem[i] == NULL || fread(pem[i], 1, (1 << 20) - 1, f) == 0) {
            fprintf(stderr, "bare_mhd: cannot read %s\n", argv[4 + i]);
            return 1;
        }
        fclose(f);
    }
    unsigned port = (unsigned)atoi(argv[1]), threads = (unsigned)atoi(argv[2]);
    body_bytes = (size_t)atol(argv[3]);
    if (body_bytes < 2)
        body_bytes = 2;
    body = malloc(body_bytes);
    memset(body, ' ', body_bytes);
    body[0] = '{';
    body[body_bytes - 1] = '}';
    struct MHD_OptionItem tls[] = {{MHD_OPTION_HTTPS_MEM_CERT, 0, pem[0]},
                                   {MHD_OPTION_HTTPS_MEM_KEY, 0, pem[1]},
                                   {MHD_OPTION_END, 0, NULL}};
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | (pem[0] ? MHD_USE_TLS : 0), (uint16_t)port,
        NULL, NULL, on_request, NULL, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096, MHD_OPTION_ARRAY, pem[0] ? tls : tls + 2,
        MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "bare_mhd: cannot listen on %u\n", port);
        return 1;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sig;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    free(body);
    free(pem[0]);
    free(pem[1]);
    return 0;
}
