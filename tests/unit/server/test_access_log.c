/*
 * test_access_log.c - the access log: lines reach the fd within a few flush periods
 * without any further writes (the background service's periodic timer flushes them), keep
 * their order and format, and destroy writes what is left.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/bg.h"
#include "common/util.h"
#include "server/access_log.h"
#include "t.h"

/* Read what the pipe holds within timeout_ms (non-blocking reads). */
static size_t drain(int fd, char *buf, size_t cap, int timeout_ms, const char *until)
{
    size_t n = 0;
    for (int i = 0; i < timeout_ms; i++) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r > 0)
            n += (size_t)r;
        buf[n] = '\0';
        if (strstr(buf, until) != NULL)
            break;
        usleep(1000);
    }
    return n;
}

static void test_timer_flushes(void)
{
    int fds[2];
    LH_ASSERT(pipe(fds) == 0);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    lh_bg_t *bg = NULL;
    lh_errbuf eb = {0};
    LH_ASSERT(lh_bg_create(0, &bg, &eb) == LH_OK);
    lh_access_log_t *log = NULL;
    T_EQ_INT(lh_access_log_create(fds[1], bg, &log, &eb), LH_OK);
    lh_access_log_line(log, "GET /a %d", 200);
    lh_access_log_line(log, "GET /b %d", 404);
    static char buf[4096];
    int64_t t0 = lh_mono_ns();
    drain(fds[0], buf, sizeof buf, 2000, "GET /b 404\n");
    T_CHECK(strstr(buf, "Z INFO GET /a 200\n") != NULL);
    T_CHECK(strstr(buf, "GET /a 200\n") < strstr(buf, "GET /b 404\n"));
    T_CHECK(lh_mono_ns() - t0 < 1000 * 1000000LL); /* flushed by the 100 ms timer */
    lh_access_log_line(log, "GET /c %d", 500);
    lh_access_log_destroy(log); /* flushes the rest */
    drain(fds[0], buf, sizeof buf, 100, "GET /c 500\n");
    T_CHECK(strstr(buf, "GET /c 500\n") != NULL);
    lh_bg_destroy(bg);
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    T_RUN(test_timer_flushes);
    return T_DONE();
}
