/*
 * http_file.c - a minimal HTTP/1.1 client for the artifact benchmark, so that the client is
 * not what is measured: it moves a file's bytes with the kernel's zero-copy calls, as `cp`
 * (copy_file_range) does.
 *
 *   http_file put HOST:PORT PATH TOKEN FILE   PUT FILE as the body (sendfile)
 *   http_file get HOST:PORT PATH TOKEN FILE   GET the body into FILE (splice through a pipe;
 *                                             FILE may be /dev/null)
 *
 * Exit status 0 on a 2xx answer with the whole body, 1 otherwise (a message on stderr).
 * A benchmark peer, not a general client: no TLS, no redirects, no chunked bodies.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what)
{
    fprintf(stderr, "http_file: %s: %s\n", what, errno ? strerror(errno) : "failed");
    return 1;
}

static int connect_to(const char *hostport)
{
    char host[256];
    const char *colon = strrchr(hostport, ':');
    if (colon == NULL || (size_t)(colon - hostport) >= sizeof host)
        return -1;
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = '\0';
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read the response head into buf (NUL-terminated); *body_start: bytes of body read past
 * it (at buf + head_len). Returns the head's length, or -1. */
static ssize_t read_head(int fd, char *buf, size_t cap, size_t *extra)
{
    size_t got = 0;
    while (got < cap - 1) {
        ssize_t r = read(fd, buf + got, cap - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
        buf[got] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (end != NULL) {
            size_t head = (size_t)(end - buf) + 4;
            *extra = got - head;
            return (ssize_t)head;
        }
    }
    return -1;
}

static long long header_value(const char *head, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strstr(head, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n"))
        if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':')
            return atoll(p + 3 + n);
    return -1;
}

static int status_of(const char *head)
{
    const char *sp = strchr(head, ' ');
    return sp ? atoi(sp + 1) : 0;
}

static int do_put(int sock, const char *hostport, const char *path, const char *token,
                  const char *file)
{
    int in = open(file, O_RDONLY);
    struct stat st;
    if (in < 0 || fstat(in, &st) != 0)
        return fail(file);
    char req[4096];
    int n = snprintf(req, sizeof req,
                     "PUT %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
                     "Content-Type: application/octet-stream\r\nContent-Length: %lld\r\n\r\n",
                     path, hostport, token, (long long)st.st_size);
    if (n <= 0 || (size_t)n >= sizeof req || write_all(sock, req, (size_t)n) != 0)
        return fail("request");
    off_t off = 0;
    while (off < st.st_size) {
        ssize_t w = sendfile(sock, in, &off, (size_t)(st.st_size - off));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return fail("sendfile");
    }
    close(in);
    char head[8192];
    size_t extra = 0;
    if (read_head(sock, head, sizeof head, &extra) < 0)
        return fail("response");
    int status = status_of(head);
    if (status < 200 || status > 299) {
        fprintf(stderr, "http_file: PUT %s: HTTP %d\n", path, status);
        return 1;
    }
    return 0;
}

static int do_get(int sock, const char *hostport, const char *path, const char *token,
                  const char *file)
{
    char req[4096];
    int n =
        snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n",
                 path, hostport, token);
    if (n <= 0 || (size_t)n >= sizeof req || write_all(sock, req, (size_t)n) != 0)
        return fail("request");
    char head[8192];
    size_t extra = 0;
    ssize_t hl = read_head(sock, head, sizeof head, &extra);
    if (hl < 0)
        return fail("response");
    int status = status_of(head);
    long long len = header_value(head, "Content-Length");
    if (status < 200 || status > 299 || len < 0) {
        fprintf(stderr, "http_file: GET %s: HTTP %d%s\n", path, status,
                len < 0 ? " without a Content-Length" : "");
        return 1;
    }
    int out = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0)
        return fail(file);
    if (extra > 0 && write_all(out, head + hl, extra) != 0)
        return fail("write");
    long long left = len - (long long)extra;
    int pipefd[2]; /* socket -> pipe -> file: no copy through user space */
    if (pipe(pipefd) != 0)
        return fail("pipe");
    fcntl(pipefd[1], F_SETPIPE_SZ, 1 << 20);
    while (left > 0) {
        ssize_t in =
            splice(sock, NULL, pipefd[1], NULL, (size_t)(left < (1 << 20) ? left : 1 << 20),
                   SPLICE_F_MOVE | SPLICE_F_MORE);
        if (in < 0 && errno == EINTR)
            continue;
        if (in <= 0)
            return fail("splice from the socket");
        for (ssize_t moved = 0; moved < in;) {
            ssize_t w = splice(pipefd[0], NULL, out, NULL, (size_t)(in - moved), SPLICE_F_MOVE);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return fail("splice to the file");
            moved += w;
        }
        left -= in;
    }
    close(out);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 6 || (strcmp(argv[1], "put") != 0 && strcmp(argv[1], "get") != 0)) {
        fprintf(stderr, "usage: http_file put|get HOST:PORT PATH TOKEN FILE\n");
        return 2;
    }
    int sock = connect_to(argv[2]);
    if (sock < 0)
        return fail(argv[2]);
    int rc = strcmp(argv[1], "put") == 0 ? do_put(sock, argv[2], argv[3], argv[4], argv[5])
                                         : do_get(sock, argv[2], argv[3], argv[4], argv[5]);
    close(sock);
    return rc;
}
