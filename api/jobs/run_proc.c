/*
 * run_proc.c - one job task's subprocess (see run_proc.h for the contract).
 *
 *   resolve argv[0] on PATH, build envp, open the log (O_APPEND), the pipe, /dev/null
 *   posix_spawn: own process group, signals default and unblocked, 0 </dev/null,
 *                1 2 >pipe, chdir, every fd >= 3 closed, execve
 *   loop every <= 50 ms:
 *     poll(pipe) -> copy to the log (capped)
 *     waitid(WNOWAIT): exited? (not reaped yet, so the group id stays ours)
 *     cancel / deadline -> killpg TERM, +500 ms KILL
 *   leader exited: killpg TERM (leftovers), drain the pipe to EOF (KILL after 500 ms,
 *   give up after 1 s: a process that left the group may hold it), reap.
 *
 * posix_spawn rather than fork: glibc clones with CLONE_VM|CLONE_VFORK, so starting a task
 * costs the same however much memory the daemon holds, and exec errors come back as its
 * return value.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/jobs/run_proc.h"
#include "common/limits.h"
#include "common/util.h"

#define TRUNCATED_LINE "\n[log truncated]\n"
#define READ_CHUNK     (64 * 1024)

static int64_t mono_ms(void)
{
    return lh_mono_ns() / 1000000;
}

/* ---- before the fork ---- */

/* argv0 as an executable path: as given when it has a '/', else the first PATH hit. */
static lh_err resolve_exe(const char *argv0, char *out, size_t out_size, lh_errbuf *eb)
{
    if (strchr(argv0, '/') != NULL) {
        snprintf(out, out_size, "%s", argv0);
        return LH_OK;
    }
    const char *path = getenv("PATH");
    if (path == NULL || *path == '\0')
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ":");
        if (n > 0 && (size_t)snprintf(out, out_size, "%.*s/%s", (int)n, p, argv0) < out_size &&
            access(out, X_OK) == 0)
            return LH_OK;
        p += n + (p[n] == ':');
    }
    LH_FAIL(LH_E_NOT_FOUND, eb, "%s: not found on PATH", argv0);
}

typedef struct envp_t {
    char *base[3]; /* PATH, HOME, LANG (malloc'd) */
    const char *vec[LH_PROC_ENV_MAX + 4];
} envp_t;

static bool overridden(const char *const *env, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; env != NULL && env[i] != NULL; i++)
        if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
            return true;
    return false;
}

static lh_err build_env(const char *const *env, envp_t *e, lh_errbuf *eb)
{
    static const char *const NAMES[3] = {"PATH", "HOME", "LANG"};
    static const char *const DEFAULTS[3] = {"/usr/local/bin:/usr/bin:/bin", "/", "C.UTF-8"};
    int count = 0, extra = 0;
    while (env != NULL && env[extra] != NULL) {
        LH_FAIL_IF(strchr(env[extra], '=') == NULL || env[extra][0] == '=', LH_E_INVALID, eb,
                   "environment entry '%.100s' is not NAME=value", env[extra]);
        extra++;
    }
    LH_FAIL_IF(extra > LH_PROC_ENV_MAX, LH_E_INVALID, eb,
               "a task may set at most %d environment variables", LH_PROC_ENV_MAX);
    for (int i = 0; i < 3; i++) {
        if (overridden(env, NAMES[i]))
            continue;
        const char *v = getenv(NAMES[i]);
        size_t n = strlen(NAMES[i]) + strlen(v ? v : DEFAULTS[i]) + 2;
        e->base[i] = malloc(n);
        LH_FAIL_IF(e->base[i] == NULL, LH_E_NOMEM, eb, "out of memory");
        snprintf(e->base[i], n, "%s=%s", NAMES[i], v ? v : DEFAULTS[i]);
        e->vec[count++] = e->base[i];
    }
    for (int i = 0; i < extra; i++)
        e->vec[count++] = env[i];
    e->vec[count] = NULL;
    return LH_OK;
}

static void env_free(envp_t *e)
{
    for (int i = 0; i < 3; i++)
        free(e->base[i]);
}

/* ---- the parent's loop ---- */

typedef struct run_state {
    pid_t pid;
    int outr; /* the pipe's read end; -1 after EOF */
    int log_fd;
    int64_t log_left; /* bytes the log may still take */
    lh_proc_result_t *res;
    int64_t term_ms; /* when SIGTERM went to the group; 0 = not yet */
    bool killed;     /* SIGKILL sent */
    lh_errbuf *eb;
    lh_err log_err; /* the first log write error (the run goes on; reported at the end) */
} run_state;

static void log_write(run_state *s, const char *data, size_t n)
{
    if (s->res->log_truncated || s->log_err != LH_OK)
        return;
    bool cut = (int64_t)n > s->log_left;
    if (cut)
        n = (size_t)s->log_left;
    while (n > 0) {
        ssize_t w = write(s->log_fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            s->log_err = lh_err_set(s->eb, LH_E_IO, __FILE__, __LINE__, "writing the task log: %s",
                                    strerror(errno));
            return;
        }
        data += w;
        n -= (size_t)w;
        s->log_left -= w;
        s->res->log_bytes += w;
    }
    if (cut) {
        ssize_t w = write(s->log_fd, TRUNCATED_LINE, sizeof TRUNCATED_LINE - 1);
        if (w > 0)
            s->res->log_bytes += w;
        s->res->log_truncated = true;
    }
}

/* Wait up to timeout_ms for output and copy what is there to the log. */
static void pump(run_state *s, int timeout_ms)
{
    if (s->outr < 0) {
        if (timeout_ms > 0)
            poll(NULL, 0, timeout_ms);
        return;
    }
    struct pollfd p = {.fd = s->outr, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) <= 0)
        return;
    char buf[READ_CHUNK];
    for (int i = 0; i < 16; i++) { /* up to 1 MiB per wakeup, then check the clock again */
        ssize_t r = read(s->outr, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EAGAIN)
            return;
        if (r <= 0) {
            close(s->outr);
            s->outr = -1;
            return;
        }
        log_write(s, buf, (size_t)r);
    }
}

static bool leader_exited(run_state *s)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_PID, (id_t)s->pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0)
        return errno != EINTR; /* ECHILD: already reaped (SIGCHLD ignored): never loop */
    return info.si_pid == s->pid;
}

/* SIGTERM the group once, SIGKILL it LH_PROC_KILL_GRACE_MS later. */
static void stop_group(run_state *s, int64_t now)
{
    if (s->term_ms == 0) {
        killpg(s->pid, SIGTERM);
        s->term_ms = now;
    } else if (!s->killed && now - s->term_ms >= LH_PROC_KILL_GRACE_MS) {
        killpg(s->pid, SIGKILL);
        s->killed = true;
    }
}

static void supervise(run_state *s, const atomic_bool *cancel, int64_t deadline_ms)
{
    while (!leader_exited(s)) {
        int64_t now = mono_ms();
        if (!s->res->cancelled && !s->res->timed_out) {
            if (cancel != NULL && atomic_load(cancel))
                s->res->cancelled = true;
            else if (deadline_ms > 0 && now >= deadline_ms)
                s->res->timed_out = true;
        }
        if (s->res->cancelled || s->res->timed_out)
            stop_group(s, now);
        int wait = LH_PROC_POLL_MS;
        if (deadline_ms > 0 && !s->res->timed_out && deadline_ms - now < wait)
            wait = deadline_ms - now > 0 ? (int)(deadline_ms - now) : 0;
        pump(s, wait);
    }
    /* The leader is a zombie (its pid still names the group): end what is left of the
     * group, and read the pipe until every writer is gone. */
    int64_t start = mono_ms();
    if (s->term_ms == 0 && s->outr >= 0) {
        pump(s, 0);
        if (s->outr >= 0) {
            killpg(s->pid, SIGTERM);
            s->term_ms = start;
        }
    }
    while (s->outr >= 0 && mono_ms() - start < 2 * LH_PROC_KILL_GRACE_MS) {
        if (!s->killed && mono_ms() - s->term_ms >= LH_PROC_KILL_GRACE_MS) {
            killpg(s->pid, SIGKILL);
            s->killed = true;
        }
        pump(s, LH_PROC_POLL_MS);
    }
    if (!s->killed && s->term_ms != 0)
        killpg(s->pid, SIGKILL); /* stragglers that ignored SIGTERM */
}

static void reap(run_state *s)
{
    int status = 0;
    pid_t r;
    while ((r = waitpid(s->pid, &status, 0)) < 0 && errno == EINTR)
        ;
    if (r != s->pid)
        return; /* reaped by someone else: the status is unknown (exit_code -1) */
    s->res->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    s->res->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/* ---- lh_proc_run ---- */

typedef struct fds {
    int log_fd, devnull, out[2];
} fds;

static void fds_close(fds *f)
{
    int *all[] = {&f->log_fd, &f->devnull, &f->out[0], &f->out[1]};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (*all[i] >= 0)
            close(*all[i]);
        *all[i] = -1;
    }
}

static lh_err fds_open(const char *log_path, fds *f, int64_t *log_size, lh_errbuf *eb)
{
    f->log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    LH_FAIL_IF(f->log_fd < 0, LH_E_IO, eb, "cannot open the task log %s: %s", log_path,
               strerror(errno));
    struct stat st;
    *log_size = fstat(f->log_fd, &st) == 0 ? st.st_size : 0;
    f->devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    LH_FAIL_IF(f->devnull < 0, LH_E_IO, eb, "cannot open /dev/null: %s", strerror(errno));
    LH_FAIL_IF(pipe2(f->out, O_CLOEXEC) != 0, LH_E_IO, eb, "pipe: %s", strerror(errno));
    return LH_OK;
}

static lh_err check_spec(const lh_proc_spec_t *spec, lh_errbuf *eb)
{
    LH_FAIL_IF(spec == NULL || spec->argv == NULL || spec->argv[0] == NULL ||
                   spec->argv[0][0] == '\0',
               LH_E_INVALID, eb, "a task process needs a program");
    LH_FAIL_IF(spec->log_path == NULL || spec->log_path[0] == '\0', LH_E_INVALID, eb,
               "a task process needs a log path");
    int n = 0;
    while (spec->argv[n] != NULL)
        n++;
    LH_FAIL_IF(n > LH_PROC_ARGS_MAX, LH_E_INVALID, eb, "a task may have at most %d arguments",
               LH_PROC_ARGS_MAX);
    return LH_OK;
}

/* posix_spawn (a vfork-style clone: cheap however large the daemon is) with the child's
 * setup as spawn attributes and file actions; on success *pid is the running child. */
static lh_err spawn(const lh_proc_spec_t *spec, const char *exe, const envp_t *env, fds *f,
                    pid_t *pid, lh_errbuf *eb)
{
    struct stat st;
    if (spec->cwd != NULL) {
        int rc = stat(spec->cwd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
        LH_FAIL_IF(rc != 0, LH_E_IO, eb, "chdir for %s: %s", spec->cwd, strerror(rc));
    }
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t fa;
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    int rc = posix_spawnattr_init(&attr);
    LH_FAIL_IF(rc != 0, LH_E_NOMEM, eb, "posix_spawnattr_init: %s", strerror(rc));
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0); /* its own group, so killpg reaches grandchildren */
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    rc = posix_spawn_file_actions_init(&fa);
    if (rc == 0) {
        posix_spawn_file_actions_adddup2(&fa, f->devnull, 0);
        posix_spawn_file_actions_adddup2(&fa, f->out[1], 1);
        posix_spawn_file_actions_adddup2(&fa, f->out[1], 2);
        if (spec->cwd != NULL)
            posix_spawn_file_actions_addchdir_np(&fa, spec->cwd);
        posix_spawn_file_actions_addclosefrom_np(&fa, 3); /* nothing else is inherited */
        rc = posix_spawn(pid, exe, &fa, &attr, (char *const *)spec->argv, (char *const *)env->vec);
        posix_spawn_file_actions_destroy(&fa);
    }
    posix_spawnattr_destroy(&attr);
    close(f->out[1]);
    close(f->devnull);
    f->out[1] = f->devnull = -1;
    LH_FAIL_IF(rc != 0, LH_E_IO, eb, "exec %s: %s", spec->argv[0], strerror(rc));
    return LH_OK;
}

lh_err lh_proc_run(const lh_proc_spec_t *spec, const atomic_bool *cancel, int64_t deadline_ms,
                   lh_proc_result_t *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    out->exit_code = -1;
    LH_TRY(check_spec(spec, eb));
    char exe[PATH_MAX];
    LH_TRY(resolve_exe(spec->argv[0], exe, sizeof exe, eb));
    envp_t env;
    memset(&env, 0, sizeof env);
    fds f = {-1, -1, {-1, -1}};
    int64_t log_size = 0;
    pid_t pid = -1;
    int64_t start = mono_ms();
    lh_err e = build_env(spec->env, &env, eb);
    if (e == LH_OK)
        e = fds_open(spec->log_path, &f, &log_size, eb);
    if (e == LH_OK)
        e = spawn(spec, exe, &env, &f, &pid, eb);
    env_free(&env);
    if (e != LH_OK) {
        fds_close(&f);
        return e;
    }
    int64_t log_max = spec->log_max_bytes > 0 ? spec->log_max_bytes : LH_PROC_LOG_MAX;
    run_state s = {.pid = pid, .outr = f.out[0], .log_fd = f.log_fd, .res = out, .eb = eb};
    s.log_left = log_max > log_size ? log_max - log_size : 0;
    out->log_truncated = log_size >= log_max; /* an earlier attempt filled it */
    fcntl(s.outr, F_SETFL, O_NONBLOCK);
    f.out[0] = -1;
    supervise(&s, cancel, deadline_ms);
    reap(&s);
    if (s.outr >= 0)
        close(s.outr);
    fds_close(&f);
    out->duration_ms = mono_ms() - start;
    return s.log_err;
}

/* ---- the log tail ---- */

lh_err lh_proc_log_tail(const char *log_path, size_t max_bytes, char **text, bool *truncated,
                        lh_errbuf *eb)
{
    *text = NULL;
    *truncated = false;
    int fd = open(log_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        *text = strdup("");
        LH_FAIL_IF(*text == NULL, LH_E_NOMEM, eb, "out of memory");
        return LH_OK;
    }
    LH_FAIL_IF(fd < 0, LH_E_IO, eb, "cannot open the task log %s: %s", log_path, strerror(errno));
    struct stat st;
    uint64_t size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    uint64_t from = size > max_bytes ? size - max_bytes : 0;
    size_t want = (size_t)(size - from);
    char *buf = malloc(want + 1);
    size_t got = 0;
    while (buf != NULL && got < want) {
        ssize_t r = pread(fd, buf + got, want - got, (off_t)(from + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    int read_errno = errno;
    close(fd);
    LH_FAIL_IF(buf == NULL, LH_E_NOMEM, eb, "out of memory");
    if (got < want) {
        free(buf);
        LH_FAIL(LH_E_IO, eb, "reading the task log %s: %s", log_path, strerror(read_errno));
    }
    size_t skip = 0; /* start at a character: skip continuation bytes (at most 3) */
    while (from > 0 && skip < got && skip < 3 && ((unsigned char)buf[skip] & 0xC0) == 0x80)
        skip++;
    size_t len = got - skip, marker = sizeof TRUNCATED_LINE - 1;
    memmove(buf, buf + skip, len);
    buf[len] = '\0';
    *truncated =
        from > 0 || (len >= marker && memcmp(buf + len - marker, TRUNCATED_LINE, marker) == 0);
    *text = buf;
    return LH_OK;
}

/* ---- materialize ---- */

static lh_err mkdir_p(const char *path, lh_errbuf *eb)
{
    LH_FAIL_IF(mkdir(path, 0700) != 0 && errno != EEXIST, LH_E_IO, eb, "cannot create %s: %s", path,
               strerror(errno));
    return LH_OK;
}

static lh_err write_file(const char *path, const void *bytes, size_t len, lh_errbuf *eb)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    LH_FAIL_IF(fd < 0, LH_E_IO, eb, "cannot create %s: %s", path, strerror(errno));
    const char *p = bytes;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int err = errno;
            close(fd);
            unlink(path);
            LH_FAIL(LH_E_IO, eb, "writing %s: %s", path, strerror(err));
        }
        p += w;
        len -= (size_t)w;
    }
    if (close(fd) != 0) {
        unlink(path);
        LH_FAIL(LH_E_IO, eb, "writing %s: %s", path, strerror(errno));
    }
    return LH_OK;
}

lh_err lh_proc_materialize(const char *data_dir, const char *name, const void *bytes, size_t len,
                           char **path_out, lh_errbuf *eb)
{
    *path_out = NULL;
    char dir[PATH_MAX], safe[101], rnd[17], tmp[PATH_MAX + 64], final[PATH_MAX + 128];
    LH_FAIL_IF((size_t)snprintf(dir, sizeof dir, "%s/jobs", data_dir) >= sizeof dir, LH_E_INVALID,
               eb, "data dir path too long");
    LH_TRY(mkdir_p(dir, eb));
    snprintf(dir, sizeof dir, "%s/jobs/tmp", data_dir);
    LH_TRY(mkdir_p(dir, eb));
    size_t n = 0;
    for (const char *c = name ? name : ""; *c && n < sizeof safe - 1; c++, n++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-';
        safe[n] = ok ? *c : '_';
    }
    safe[n] = '\0';
    if (n == 0 || strcmp(safe, ".") == 0 || strcmp(safe, "..") == 0)
        snprintf(safe, sizeof safe, "task");
    lh_random_hex(rnd, 8);
    snprintf(tmp, sizeof tmp, "%s/.tmp-%s", dir, rnd);
    snprintf(final, sizeof final, "%s/%s-%s", dir, rnd, safe);
    LH_TRY(write_file(tmp, bytes, len, eb));
    if (rename(tmp, final) != 0) {
        int err = errno;
        unlink(tmp);
        LH_FAIL(LH_E_IO, eb, "rename to %s: %s", final, strerror(err));
    }
    *path_out = strdup(final);
    if (*path_out == NULL) {
        unlink(final);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

/* ---- argv builders ---- */

void lh_proc_argv_free(char **argv)
{
    for (int i = 0; argv != NULL && argv[i] != NULL; i++)
        free(argv[i]);
    free(argv);
}

typedef struct argv_b {
    char **v;
    int n, cap;
    bool oom;
} argv_b;

static void push(argv_b *b, char *s)
{
    if (s == NULL || b->oom) {
        free(s);
        b->oom = true;
        return;
    }
    if (b->n + 2 > b->cap) {
        int cap = b->cap ? b->cap * 2 : 16;
        char **v = realloc(b->v, (size_t)cap * sizeof *v);
        if (v == NULL) {
            free(s);
            b->oom = true;
            return;
        }
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = s;
    b->v[b->n] = NULL;
}

/* A parameter value as text: strings as they are, numbers and booleans as JSON text. */
static char *param_text(const json_t *v)
{
    char buf[64];
    if (json_is_string(v))
        return strdup(json_string_value(v));
    if (json_is_integer(v)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        return strdup(buf);
    }
    if (json_is_real(v)) {
        snprintf(buf, sizeof buf, "%.17g", json_real_value(v));
        return strdup(buf);
    }
    if (json_is_boolean(v))
        return strdup(json_is_true(v) ? "true" : "false");
    return NULL;
}

static lh_err finish_argv(argv_b *b, char ***argv_out, lh_errbuf *eb)
{
    if (b->oom) {
        lh_proc_argv_free(b->v);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    *argv_out = b->v;
    return LH_OK;
}

static lh_err push_list(argv_b *b, const json_t *list, const char *field, lh_errbuf *eb)
{
    if (list == NULL || json_is_null(list))
        return LH_OK;
    LH_FAIL_IF(!json_is_array(list), LH_E_INVALID, eb, "%s must be an array of strings", field);
    LH_FAIL_IF(json_array_size(list) > LH_PROC_ARGS_MAX - 8, LH_E_INVALID, eb,
               "%s: at most %d parameters", field, LH_PROC_ARGS_MAX - 8);
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        char *t = param_text(v);
        LH_FAIL_IF(t == NULL && !json_is_string(v) && !json_is_number(v) && !json_is_boolean(v),
                   LH_E_INVALID, eb, "%s[%zu] must be a string", field, i);
        push(b, t);
    }
    return LH_OK;
}

lh_err lh_proc_argv_python_file(const char *file, const json_t *parameters, char ***argv_out,
                                lh_errbuf *eb)
{
    *argv_out = NULL;
    LH_FAIL_IF(file == NULL || *file == '\0', LH_E_INVALID, eb, "python_file is required");
    argv_b b = {0};
    push(&b, strdup("python3"));
    push(&b, strdup(file));
    lh_err e = push_list(&b, parameters, "parameters", eb);
    if (e != LH_OK) {
        lh_proc_argv_free(b.v);
        return e;
    }
    return finish_argv(&b, argv_out, eb);
}

/* The python_wheel_task launcher: argv[1] package, argv[2] entry point, the rest the
 * task's arguments. An entry point of that name in the distribution's metadata (any group,
 * console_scripts first) wins; else <package>.<entry_point>() as Databricks documents. */
static const char WHEEL_LAUNCHER[] =
    "import sys\n"
    "from importlib import import_module, metadata\n"
    "pkg, name = sys.argv[1], sys.argv[2]\n"
    "sys.argv = [pkg] + sys.argv[3:]\n"
    "try:\n"
    "    eps = list(metadata.distribution(pkg).entry_points)\n"
    "except metadata.PackageNotFoundError:\n"
    "    eps = []\n"
    "eps = sorted((e for e in eps if e.name == name), key=lambda e: e.group != "
    "'console_scripts')\n"
    "if eps:\n"
    "    fn = eps[0].load()\n"
    "else:\n"
    "    mod = import_module(pkg.replace('-', '_'))\n"
    "    fn = getattr(mod, name, None)\n"
    "    if fn is None:\n"
    "        sys.exit('python_wheel_task: package %s has no entry point %s' % (pkg, name))\n"
    "sys.exit(fn())\n";

static bool dotted_name(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 256)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.' || *s == '-'))
            return false;
    return true;
}

static lh_err push_named(argv_b *b, const json_t *named, lh_errbuf *eb)
{
    LH_FAIL_IF(!json_is_object(named), LH_E_INVALID, eb,
               "named_parameters must be an object of strings");
    LH_FAIL_IF(json_object_size(named) > LH_PROC_ARGS_MAX - 8, LH_E_INVALID, eb,
               "named_parameters: at most %d entries", LH_PROC_ARGS_MAX - 8);
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)named, k, v)
    {
        char *t = param_text(v);
        LH_FAIL_IF(t == NULL && !(json_is_string(v) || json_is_number(v) || json_is_boolean(v)),
                   LH_E_INVALID, eb, "named_parameters.%.100s must be a string", k);
        if (t == NULL) {
            b->oom = true;
            return LH_OK;
        }
        size_t n = strlen(k) + strlen(t) + 4;
        char *arg = malloc(n);
        if (arg != NULL)
            snprintf(arg, n, "--%s=%s", k, t);
        free(t);
        push(b, arg);
    }
    return LH_OK;
}

lh_err lh_proc_argv_python_wheel(const json_t *task, char ***argv_out, lh_errbuf *eb)
{
    *argv_out = NULL;
    LH_FAIL_IF(!json_is_object(task), LH_E_INVALID, eb, "python_wheel_task must be an object");
    const char *pkg = json_string_value(json_object_get(task, "package_name"));
    const char *entry = json_string_value(json_object_get(task, "entry_point"));
    const json_t *params = json_object_get(task, "parameters");
    const json_t *named = json_object_get(task, "named_parameters");
    if (json_is_null(params))
        params = NULL;
    if (json_is_null(named))
        named = NULL;
    LH_FAIL_IF(!dotted_name(pkg), LH_E_INVALID, eb,
               "python_wheel_task.package_name is required (a package name)");
    LH_FAIL_IF(!dotted_name(entry), LH_E_INVALID, eb,
               "python_wheel_task.entry_point is required (a function or entry point name)");
    LH_FAIL_IF(params != NULL && named != NULL, LH_E_INVALID, eb,
               "python_wheel_task: give parameters or named_parameters, not both");
    argv_b b = {0};
    push(&b, strdup("python3"));
    push(&b, strdup("-c"));
    push(&b, strdup(WHEEL_LAUNCHER));
    push(&b, strdup(pkg));
    push(&b, strdup(entry));
    lh_err e = named != NULL ? push_named(&b, named, eb)
                             : push_list(&b, params, "python_wheel_task.parameters", eb);
    if (e != LH_OK) {
        lh_proc_argv_free(b.v);
        return e;
    }
    return finish_argv(&b, argv_out, eb);
}

/* The Python notebook launcher: argv[1] the source file, argv[2] the parameters (JSON),
 * argv[3] where to write {"result", "task_values"}. */
static const char NOTEBOOK_LAUNCHER[] =
    "import json, os, sys\n"
    "src, params, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]\n"
    "values_in = params.pop('task_values', None) or {}\n"
    "state = {'result': None, 'task_values': {}}\n"
    "class _Exit(BaseException):\n"
    "    pass\n"
    "class _Widgets:\n"
    "    def __init__(self):\n"
    "        self.defaults = {}\n"
    "    def get(self, name):\n"
    "        if name in params:\n"
    "            return str(params[name])\n"
    "        if name in self.defaults:\n"
    "            return self.defaults[name]\n"
    "        raise ValueError('No input widget named %s is defined' % name)\n"
    "    def getArgument(self, name, default=None):\n"
    "        try:\n"
    "            return self.get(name)\n"
    "        except ValueError:\n"
    "            return default\n"
    "    def _declare(self, name, default_value='', *args, **kwargs):\n"
    "        self.defaults[name] = '' if default_value is None else str(default_value)\n"
    "    text = dropdown = combobox = multiselect = _declare\n"
    "    def remove(self, name):\n"
    "        self.defaults.pop(name, None)\n"
    "    def removeAll(self):\n"
    "        self.defaults.clear()\n"
    "class _Notebook:\n"
    "    def exit(self, value):\n"
    "        state['result'] = None if value is None else str(value)\n"
    "        raise _Exit()\n"
    "class _TaskValues:\n"
    "    def set(self, key, value):\n"
    "        json.dumps(value)\n"
    "        state['task_values'][key] = value\n"
    "    def get(self, taskKey, key, default=None, debugValue=None):\n"
    "        return values_in.get(taskKey, {}).get(key, default)\n"
    "class _Jobs:\n"
    "    taskValues = _TaskValues()\n"
    "class _DBUtils:\n"
    "    widgets = _Widgets()\n"
    "    notebook = _Notebook()\n"
    "    jobs = _Jobs()\n"
    "dbutils = _DBUtils()\n"
    "def _write():\n"
    "    tmp = out + '.tmp'\n"
    "    with open(tmp, 'w') as f:\n"
    "        json.dump(state, f)\n"
    "    os.replace(tmp, out)\n"
    "g = {'__name__': '__main__', '__file__': src, 'dbutils': dbutils,\n"
    "     'getArgument': dbutils.widgets.getArgument}\n"
    "code = 0\n"
    "try:\n"
    "    with open(src) as f:\n"
    "        exec(compile(f.read(), src, 'exec'), g)\n"
    "except _Exit:\n"
    "    pass\n"
    "except SystemExit as e:\n"
    "    code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)\n"
    "    if not isinstance(e.code, int) and e.code is not None:\n"
    "        print(e.code, file=sys.stderr)\n"
    "except BaseException:\n"
    "    import traceback\n"
    "    traceback.print_exc()\n"
    "    code = 1\n"
    "sys.stdout.flush()\n"
    "_write()\n"
    "sys.exit(code)\n";

/* params as JSON text for the launcher (*out malloc'd): strings kept, numbers and booleans
 * as text, "task_values" (an object) as it is. */
static lh_err notebook_params(const json_t *params, char **out, lh_errbuf *eb)
{
    *out = NULL;
    LH_FAIL_IF(params != NULL && !json_is_null(params) && !json_is_object(params), LH_E_INVALID, eb,
               "notebook parameters must be an object of strings");
    json_t *copy = json_object();
    LH_FAIL_IF(copy == NULL, LH_E_NOMEM, eb, "out of memory");
    const char *k;
    json_t *v;
    if (json_is_object(params)) {
        json_object_foreach((json_t *)params, k, v)
        {
            if (strcmp(k, "task_values") == 0 && json_is_object(v)) {
                json_object_set(copy, k, v);
                continue;
            }
            char *t = param_text(v);
            if (t == NULL) {
                json_decref(copy);
                LH_FAIL(LH_E_INVALID, eb, "notebook parameter %.100s must be a string", k);
            }
            json_object_set_new(copy, k, json_string(t));
            free(t);
        }
    }
    *out = json_dumps(copy, JSON_COMPACT);
    json_decref(copy);
    LH_FAIL_IF(*out == NULL, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

lh_err lh_proc_argv_python_notebook(const char *file, const json_t *params, const char *output_path,
                                    char ***argv_out, lh_errbuf *eb)
{
    *argv_out = NULL;
    LH_FAIL_IF(file == NULL || *file == '\0', LH_E_INVALID, eb, "notebook_path is required");
    LH_FAIL_IF(output_path == NULL || *output_path == '\0', LH_E_INVALID, eb,
               "a notebook run needs an output path");
    char *text;
    LH_TRY(notebook_params(params, &text, eb));
    argv_b b = {0};
    push(&b, strdup("python3"));
    push(&b, strdup("-c"));
    push(&b, strdup(NOTEBOOK_LAUNCHER));
    push(&b, strdup(file));
    push(&b, text);
    push(&b, strdup(output_path));
    return finish_argv(&b, argv_out, eb);
}
