/* test_run_proc.c - api/jobs/run_proc: exit codes, stdout+stderr in one log, the log cap
 * and tail, cancel and deadline (a shell and its grandchildren stop within 1 s), the
 * environment, no inherited fds, no zombies, the argv builders, and (when python3 is on
 * PATH) the spark_python_task and python_wheel_task launchers end to end. Most cases use
 * /bin/sh so they do not depend on python. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/jobs/run_proc.h"
#include "common/limits.h"
#include "common/util.h"
#include "t.h"

static char g_dir[256];

static int64_t mono_ms(void)
{
    return lh_mono_ns() / 1000000;
}

static void log_path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s.log", g_dir, name);
    unlink(out);
}

static char *slurp(const char *path)
{
    char *text = NULL;
    bool truncated;
    if (lh_proc_log_tail(path, 1 << 24, &text, &truncated, NULL) != LH_OK)
        return strdup("");
    return text;
}

/* Run sh -c script; returns the lh_err, fills res. */
static lh_err sh(const char *script, const char *log, const char *const *env,
                 const atomic_bool *cancel, int64_t deadline, lh_proc_result_t *res)
{
    const char *argv[] = {"sh", "-c", script, NULL};
    lh_proc_spec_t spec = {.argv = argv, .env = env, .log_path = log};
    lh_errbuf eb;
    lh_err e = lh_proc_run(&spec, cancel, deadline, res, &eb);
    if (e != LH_OK)
        fprintf(stderr, "  lh_proc_run: %s\n", eb.msg);
    return e;
}

static void test_exit_codes(void)
{
    char log[300];
    log_path(log, sizeof log, "exit");
    lh_proc_result_t r;
    T_EQ_INT(sh("exit 0", log, NULL, NULL, 0, &r), LH_OK);
    T_EQ_INT(r.exit_code, 0);
    T_EQ_INT(r.signal, 0);
    T_CHECK(!r.cancelled && !r.timed_out);
    T_EQ_INT(sh("exit 3", log, NULL, NULL, 0, &r), LH_OK);
    T_EQ_INT(r.exit_code, 3);
    T_EQ_INT(sh("kill -9 $$", log, NULL, NULL, 0, &r), LH_OK);
    T_EQ_INT(r.exit_code, -1);
    T_EQ_INT(r.signal, SIGKILL);
}

static void test_output_captured(void)
{
    char log[300];
    log_path(log, sizeof log, "out");
    lh_proc_result_t r;
    T_EQ_INT(sh("echo one; echo two >&2; echo three; cat", log, NULL, NULL, 0, &r), LH_OK);
    char *text = slurp(log);
    T_EQ_STR(text, "one\ntwo\nthree\n"); /* stdin is /dev/null: cat ends at once */
    T_EQ_INT(r.log_bytes, 14);
    free(text);
    /* a second attempt appends */
    T_EQ_INT(sh("echo again", log, NULL, NULL, 0, &r), LH_OK);
    text = slurp(log);
    T_EQ_STR(text, "one\ntwo\nthree\nagain\n");
    free(text);
}

static void test_log_cap(void)
{
    char log[300];
    log_path(log, sizeof log, "cap");
    const char *argv[] = {"sh", "-c", "head -c 1000 /dev/zero | tr '\\0' a", NULL};
    lh_proc_spec_t spec = {.argv = argv, .log_path = log, .log_max_bytes = 1000};
    lh_proc_result_t r;
    lh_errbuf eb;
    T_EQ_INT(lh_proc_run(&spec, NULL, 0, &r, &eb), LH_OK); /* exactly N: whole, no marker */
    T_CHECK(!r.log_truncated);
    struct stat st;
    T_CHECK(stat(log, &st) == 0 && st.st_size == 1000);
    char *text;
    bool truncated;
    T_EQ_INT(lh_proc_log_tail(log, 5000, &text, &truncated, &eb), LH_OK);
    T_CHECK(!truncated);
    T_EQ_INT(strlen(text), 1000);
    free(text);

    log_path(log, sizeof log, "cap2");
    argv[2] = "head -c 1001 /dev/zero | tr '\\0' a; head -c 3000000 /dev/zero";
    T_EQ_INT(lh_proc_run(&spec, NULL, 0, &r, &eb), LH_OK); /* N + 1: cut, marker, drained */
    T_CHECK(r.log_truncated);
    T_EQ_INT(r.exit_code, 0); /* the child never blocked on the pipe */
    T_CHECK(stat(log, &st) == 0 && st.st_size == 1000 + 17);
    T_EQ_INT(lh_proc_log_tail(log, 5000, &text, &truncated, &eb), LH_OK);
    T_CHECK(truncated);
    T_CHECK(strstr(text, "[log truncated]\n") != NULL);
    free(text);
    /* a retry appending to a full log adds nothing */
    argv[2] = "echo more";
    T_EQ_INT(lh_proc_run(&spec, NULL, 0, &r, &eb), LH_OK);
    T_CHECK(r.log_truncated);
    T_EQ_INT(r.log_bytes, 0);
}

static void test_log_tail(void)
{
    char log[300];
    log_path(log, sizeof log, "tail");
    FILE *f = fopen(log, "w");
    fputs("abc\xc3\xa9xyz", f); /* "abcéxyz": é is 2 bytes */
    fclose(f);
    char *text;
    bool truncated;
    lh_errbuf eb;
    T_EQ_INT(lh_proc_log_tail(log, 3, &text, &truncated, &eb), LH_OK);
    T_EQ_STR(text, "xyz");
    T_CHECK(truncated);
    free(text);
    T_EQ_INT(lh_proc_log_tail(log, 4, &text, &truncated, &eb), LH_OK);
    T_EQ_STR(text, "xyz"); /* starts inside é: the continuation byte is skipped */
    free(text);
    T_EQ_INT(lh_proc_log_tail(log, 5, &text, &truncated, &eb), LH_OK);
    T_EQ_STR(text, "\xc3\xa9xyz");
    free(text);
    T_EQ_INT(lh_proc_log_tail(log, 100, &text, &truncated, &eb), LH_OK);
    T_EQ_STR(text, "abc\xc3\xa9xyz");
    T_CHECK(!truncated);
    free(text);
    log_path(log, sizeof log, "missing");
    T_EQ_INT(lh_proc_log_tail(log, 100, &text, &truncated, &eb), LH_OK);
    T_EQ_STR(text, "");
    free(text);
}

typedef struct canceller {
    atomic_bool *flag;
    int after_ms;
} canceller;

static void *cancel_later(void *arg)
{
    canceller *c = arg;
    usleep((useconds_t)c->after_ms * 1000);
    atomic_store(c->flag, true);
    return NULL;
}

/* The pid in file path, or 0. */
static long read_pid(const char *path)
{
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (f != NULL) {
        if (fscanf(f, "%ld", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    return pid;
}

/* Gone, or a zombie waiting for init (the grandchild is not ours to reap). */
static bool process_gone(long pid)
{
    char path[64], stat_text[256] = "";
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    for (int i = 0; i < 50; i++) {
        FILE *f = fopen(path, "r");
        if (f == NULL)
            return true;
        size_t n = fread(stat_text, 1, sizeof stat_text - 1, f);
        stat_text[n] = '\0';
        fclose(f);
        const char *close_paren = strrchr(stat_text, ')');
        if (close_paren != NULL && close_paren[1] == ' ' && close_paren[2] == 'Z')
            return true;
        usleep(10000);
    }
    return false;
}

static void test_cancel(void)
{
    char log[300], pidfile[300], script[800];
    log_path(log, sizeof log, "cancel");
    snprintf(pidfile, sizeof pidfile, "%s/grandchild.pid", g_dir);
    unlink(pidfile);
    snprintf(script, sizeof script, "sleep 30 & echo $! > %s; echo started; sleep 30; wait",
             pidfile);
    atomic_bool flag = false;
    canceller c = {&flag, 300};
    pthread_t t;
    pthread_create(&t, NULL, cancel_later, &c);
    int64_t t0 = mono_ms();
    lh_proc_result_t r;
    T_EQ_INT(sh(script, log, NULL, &flag, 0, &r), LH_OK);
    int64_t took = mono_ms() - t0;
    pthread_join(t, NULL);
    T_CHECK(r.cancelled);
    T_CHECK(!r.timed_out);
    T_EQ_INT(r.signal, SIGTERM);
    T_CHECK(took < 1300); /* 300 ms + at most 1 s */
    long gc = read_pid(pidfile);
    T_CHECK(gc > 0);
    T_CHECK(gc > 0 && process_gone(gc));
    char *text = slurp(log);
    T_EQ_STR(text, "started\n");
    free(text);
}

static void test_cancel_ignoring_term(void)
{
    char log[300];
    log_path(log, sizeof log, "cancel_kill");
    atomic_bool flag = false;
    canceller c = {&flag, 100};
    pthread_t t;
    pthread_create(&t, NULL, cancel_later, &c);
    int64_t t0 = mono_ms();
    lh_proc_result_t r;
    T_EQ_INT(sh("trap '' TERM; sleep 30; sleep 30", log, NULL, &flag, 0, &r), LH_OK);
    int64_t took = mono_ms() - t0;
    pthread_join(t, NULL);
    T_CHECK(r.cancelled);
    T_EQ_INT(r.signal, SIGKILL);
    T_CHECK(took >= 100 + LH_PROC_KILL_GRACE_MS - 60);
    T_CHECK(took < 1100);
}

static void test_deadline(void)
{
    char log[300];
    log_path(log, sizeof log, "deadline");
    int64_t t0 = mono_ms();
    lh_proc_result_t r;
    T_EQ_INT(sh("sleep 30", log, NULL, NULL, t0 + 250, &r), LH_OK);
    int64_t took = mono_ms() - t0;
    T_CHECK(r.timed_out);
    T_CHECK(!r.cancelled);
    T_CHECK(took >= 240 && took < 1250);
    /* a deadline that is not reached changes nothing */
    T_EQ_INT(sh("exit 0", log, NULL, NULL, mono_ms() + 10000, &r), LH_OK);
    T_CHECK(!r.timed_out);
    T_EQ_INT(r.exit_code, 0);
}

static void test_leftover_background_stopped(void)
{
    char log[300], pidfile[300], script[800];
    log_path(log, sizeof log, "leftover");
    snprintf(pidfile, sizeof pidfile, "%s/leftover.pid", g_dir);
    unlink(pidfile);
    snprintf(script, sizeof script, "sleep 30 & echo $! > %s; echo done", pidfile);
    int64_t t0 = mono_ms();
    lh_proc_result_t r;
    T_EQ_INT(sh(script, log, NULL, NULL, 0, &r), LH_OK);
    T_EQ_INT(r.exit_code, 0);
    T_CHECK(mono_ms() - t0 < 1500);
    long gc = read_pid(pidfile);
    T_CHECK(gc > 0 && process_gone(gc));
}

static void test_env(void)
{
    char log[300];
    log_path(log, sizeof log, "env");
    setenv("LH_DAEMON_ONLY_SECRET", "leak", 1);
    const char *env[] = {"DATABRICKS_HOST=http://127.0.0.1:1234", "DATABRICKS_TOKEN=dapi-run-1",
                         NULL};
    lh_proc_result_t r;
    T_EQ_INT(sh("echo \"$DATABRICKS_HOST|$DATABRICKS_TOKEN|${LH_DAEMON_ONLY_SECRET:-none}|"
                "${PATH:+path}|${HOME:+home}|${LANG:+lang}\"",
                log, env, NULL, 0, &r),
             LH_OK);
    char *text = slurp(log);
    T_EQ_STR(text, "http://127.0.0.1:1234|dapi-run-1|none|path|home|lang\n");
    free(text);
    /* an addition overrides an inherited one */
    log_path(log, sizeof log, "env2");
    const char *env2[] = {"HOME=/nowhere", NULL};
    T_EQ_INT(sh("echo $HOME", log, env2, NULL, 0, &r), LH_OK);
    text = slurp(log);
    T_EQ_STR(text, "/nowhere\n");
    free(text);
    const char *bad[] = {"NOEQUALS", NULL};
    const char *argv[] = {"sh", "-c", "true", NULL};
    lh_proc_spec_t spec = {.argv = argv, .env = bad, .log_path = log};
    lh_errbuf eb;
    T_EQ_INT(lh_proc_run(&spec, NULL, 0, &r, &eb), LH_E_INVALID);
}

static void test_no_fd_leak(void)
{
    char log[300];
    log_path(log, sizeof log, "fds");
    int fd = open("/dev/null", O_RDONLY); /* no O_CLOEXEC: a careless daemon fd */
    T_CHECK(dup2(fd, 100) == 100);
    lh_proc_result_t r;
    T_EQ_INT(sh("for f in /proc/$$/fd/*; do n=${f##*/}; [ $n -gt 2 ] && echo leaked $n; done; "
                "echo checked",
                log, NULL, NULL, 0, &r),
             LH_OK);
    char *text = slurp(log);
    /* the glob is expanded by the shell itself: only its own 0-2 (and maybe the fd the
     * glob's opendir holds, which is > 2 but closed right after) */
    T_CHECK(strstr(text, "leaked 100") == NULL);
    T_CHECK(strstr(text, "checked") != NULL);
    free(text);
    close(100);
    close(fd);
}

static void test_no_zombies(void)
{
    T_CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);
}

static void test_errors(void)
{
    char log[300];
    log_path(log, sizeof log, "errors");
    lh_proc_result_t r;
    lh_errbuf eb;
    const char *missing[] = {"no-such-program-lh", NULL};
    lh_proc_spec_t spec = {.argv = missing, .log_path = log};
    T_EQ_INT(lh_proc_run(&spec, NULL, 0, &r, &eb), LH_E_NOT_FOUND);
    T_CHECK(strstr(eb.msg, "not found on PATH") != NULL);
    const char *noexec[] = {log, NULL}; /* exists, not executable */
    FILE *f = fopen(log, "a");
    fclose(f);
    spec.argv = noexec;
    T_EQ_INT(lh_proc_run(&spec, NULL, 0, &r, &eb), LH_E_IO);
    T_CHECK(strstr(eb.msg, "exec") != NULL);
    const char *sh_argv[] = {"sh", "-c", "pwd", NULL};
    spec.argv = sh_argv;
    spec.cwd = "/no/such/dir";
    T_EQ_INT(lh_proc_run(&spec, NULL, 0, &r, &eb), LH_E_IO);
    T_CHECK(strstr(eb.msg, "chdir") != NULL);
    spec.cwd = "/tmp";
    log_path(log, sizeof log, "cwd");
    T_EQ_INT(lh_proc_run(&spec, NULL, 0, &r, &eb), LH_OK);
    char *text = slurp(log);
    T_EQ_STR(text, "/tmp\n");
    free(text);
    const char *empty[] = {NULL};
    spec.argv = empty;
    T_EQ_INT(lh_proc_run(&spec, NULL, 0, &r, &eb), LH_E_INVALID);
    spec.argv = sh_argv;
    spec.log_path = "/no/such/dir/x.log";
    T_EQ_INT(lh_proc_run(&spec, NULL, 0, &r, &eb), LH_E_IO);
}

static void test_argv_python_file(void)
{
    char **argv;
    lh_errbuf eb;
    json_t *params = json_pack("[s, i, b]", "--date", 7, 1);
    T_EQ_INT(lh_proc_argv_python_file("/tmp/x.py", params, &argv, &eb), LH_OK);
    T_EQ_STR(argv[0], "python3");
    T_EQ_STR(argv[1], "/tmp/x.py");
    T_EQ_STR(argv[2], "--date");
    T_EQ_STR(argv[3], "7");
    T_EQ_STR(argv[4], "true");
    T_CHECK(argv[5] == NULL);
    lh_proc_argv_free(argv);
    json_decref(params);
    params = json_pack("[s, {}]", "a");
    T_EQ_INT(lh_proc_argv_python_file("/tmp/x.py", params, &argv, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "parameters[1]") != NULL);
    json_decref(params);
    /* parameters: N accepted, N + 1 refused */
    params = json_array();
    for (int i = 0; i < LH_PROC_ARGS_MAX - 8; i++)
        json_array_append_new(params, json_string("p"));
    T_EQ_INT(lh_proc_argv_python_file("/tmp/x.py", params, &argv, &eb), LH_OK);
    lh_proc_argv_free(argv);
    json_array_append_new(params, json_string("p"));
    T_EQ_INT(lh_proc_argv_python_file("/tmp/x.py", params, &argv, &eb), LH_E_INVALID);
    json_decref(params);
    T_EQ_INT(lh_proc_argv_python_file("/tmp/x.py", NULL, &argv, &eb), LH_OK);
    T_CHECK(argv[2] == NULL);
    lh_proc_argv_free(argv);
}

static void test_argv_python_wheel(void)
{
    char **argv;
    lh_errbuf eb;
    json_t *task = json_pack("{s:s, s:s, s:{s:s, s:i}}", "package_name", "my_pkg", "entry_point",
                             "main", "named_parameters", "env", "prod", "n", 3);
    T_EQ_INT(lh_proc_argv_python_wheel(task, &argv, &eb), LH_OK);
    T_EQ_STR(argv[0], "python3");
    T_EQ_STR(argv[1], "-c");
    T_EQ_STR(argv[3], "my_pkg");
    T_EQ_STR(argv[4], "main");
    T_EQ_STR(argv[5], "--env=prod");
    T_EQ_STR(argv[6], "--n=3");
    T_CHECK(argv[7] == NULL);
    lh_proc_argv_free(argv);
    json_object_set_new(task, "parameters", json_pack("[s]", "x"));
    T_EQ_INT(lh_proc_argv_python_wheel(task, &argv, &eb), LH_E_INVALID); /* both */
    json_object_del(task, "named_parameters");
    T_EQ_INT(lh_proc_argv_python_wheel(task, &argv, &eb), LH_OK);
    T_EQ_STR(argv[5], "x");
    lh_proc_argv_free(argv);
    json_object_set_new(task, "package_name", json_string("x; rm -rf /"));
    T_EQ_INT(lh_proc_argv_python_wheel(task, &argv, &eb), LH_E_INVALID);
    json_object_del(task, "package_name");
    T_EQ_INT(lh_proc_argv_python_wheel(task, &argv, &eb), LH_E_INVALID);
    json_decref(task);
}

static void test_materialize(void)
{
    char *path = NULL;
    lh_errbuf eb;
    T_EQ_INT(lh_proc_materialize(g_dir, "../../etc/train job.py", "print(1)\n", 9, &path, &eb),
             LH_OK);
    char prefix[300];
    snprintf(prefix, sizeof prefix, "%s/jobs/tmp/", g_dir);
    T_CHECK(path != NULL && strncmp(path, prefix, strlen(prefix)) == 0);
    T_CHECK(path != NULL && strstr(path + strlen(prefix), "/") == NULL);
    T_CHECK(path != NULL && strstr(path, "-.._.._etc_train_job.py") != NULL);
    char *text = slurp(path);
    T_EQ_STR(text, "print(1)\n");
    free(text);
    struct stat st;
    T_CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    unlink(path);
    free(path);
}

static bool have_python(void)
{
    return system("python3 -c 'pass' >/dev/null 2>&1") == 0;
}

static void test_python_tasks(void)
{
    if (!have_python()) {
        printf("  (python3 not on PATH: skipped)\n");
        return;
    }
    lh_errbuf eb;
    char *script = NULL;
    const char *src = "import os, sys\nprint('args', sys.argv[1:])\n"
                      "print('host', os.environ['DATABRICKS_HOST'])\nsys.exit(4)\n";
    T_EQ_INT(lh_proc_materialize(g_dir, "train.py", src, strlen(src), &script, &eb), LH_OK);
    json_t *params = json_pack("[s, s]", "a", "b c");
    char **argv;
    T_EQ_INT(lh_proc_argv_python_file(script, params, &argv, &eb), LH_OK);
    char log[300];
    log_path(log, sizeof log, "py");
    const char *env[] = {"DATABRICKS_HOST=http://h", NULL};
    lh_proc_spec_t spec = {.argv = (const char *const *)argv, .env = env, .log_path = log};
    lh_proc_result_t r;
    T_EQ_INT(lh_proc_run(&spec, NULL, 0, &r, &eb), LH_OK);
    T_EQ_INT(r.exit_code, 4);
    char *text = slurp(log);
    T_EQ_STR(text, "args ['a', 'b c']\nhost http://h\n");
    free(text);
    lh_proc_argv_free(argv);
    json_decref(params);
    unlink(script);
    free(script);

    /* python_wheel_task: the package's function when it has no such entry point */
    char pkg_dir[300], pkg_file[400];
    snprintf(pkg_dir, sizeof pkg_dir, "%s/site/lh_demo_pkg", g_dir);
    snprintf(pkg_file, sizeof pkg_file, "%s/__init__.py", pkg_dir);
    char site[300];
    snprintf(site, sizeof site, "%s/site", g_dir);
    mkdir(site, 0700);
    mkdir(pkg_dir, 0700);
    FILE *f = fopen(pkg_file, "w");
    fputs("import sys\ndef run():\n    print('wheel', sys.argv)\n    return 0\n", f);
    fclose(f);
    json_t *task = json_pack("{s:s, s:s, s:{s:s}}", "package_name", "lh_demo_pkg", "entry_point",
                             "run", "named_parameters", "date", "2024-01-01");
    T_EQ_INT(lh_proc_argv_python_wheel(task, &argv, &eb), LH_OK);
    char pythonpath[400];
    snprintf(pythonpath, sizeof pythonpath, "PYTHONPATH=%s", site);
    const char *env2[] = {pythonpath, NULL};
    log_path(log, sizeof log, "wheel");
    spec.argv = (const char *const *)argv;
    spec.env = env2;
    spec.log_path = log;
    T_EQ_INT(lh_proc_run(&spec, NULL, 0, &r, &eb), LH_OK);
    T_EQ_INT(r.exit_code, 0);
    text = slurp(log);
    T_EQ_STR(text, "wheel ['lh_demo_pkg', '--date=2024-01-01']\n");
    free(text);
    lh_proc_argv_free(argv);
    json_object_set_new(task, "entry_point", json_string("nope"));
    T_EQ_INT(lh_proc_argv_python_wheel(task, &argv, &eb), LH_OK);
    spec.argv = (const char *const *)argv;
    T_EQ_INT(lh_proc_run(&spec, NULL, 0, &r, &eb), LH_OK);
    T_EQ_INT(r.exit_code, 1);
    lh_proc_argv_free(argv);
    json_decref(task);
}

static void test_python_notebook(void)
{
    lh_errbuf eb;
    char **argv;
    json_t *bad = json_pack("{s:[]}", "x");
    T_EQ_INT(lh_proc_argv_python_notebook("/tmp/nb.py", bad, "/tmp/o.json", &argv, &eb),
             LH_E_INVALID);
    json_decref(bad);
    if (!have_python()) {
        printf("  (python3 not on PATH: skipped)\n");
        return;
    }
    const char *src = "# Databricks notebook source\n"
                      "dbutils.widgets.text('date', '2000-01-01')\n"
                      "dbutils.widgets.text('region', 'eu')\n"
                      "# COMMAND ----------\n"
                      "# MAGIC %md\n"
                      "# MAGIC # A title\n"
                      "# COMMAND ----------\n"
                      "print('date', dbutils.widgets.get('date'), getArgument('region'))\n"
                      "dbutils.jobs.taskValues.set('rows', 42)\n"
                      "up = dbutils.jobs.taskValues.get('ingest', 'count', default=0)\n"
                      "dbutils.notebook.exit('done %s' % up)\n"
                      "print('not reached')\n";
    char *nb = NULL;
    T_EQ_INT(lh_proc_materialize(g_dir, "nb.py", src, strlen(src), &nb, &eb), LH_OK);
    char out_path[300], log[300];
    snprintf(out_path, sizeof out_path, "%s/nb-output.json", g_dir);
    json_t *params =
        json_pack("{s:s, s:{s:{s:i}}}", "date", "2024-06-01", "task_values", "ingest", "count", 7);
    T_EQ_INT(lh_proc_argv_python_notebook(nb, params, out_path, &argv, &eb), LH_OK);
    log_path(log, sizeof log, "nb");
    lh_proc_spec_t spec = {.argv = (const char *const *)argv, .log_path = log};
    lh_proc_result_t r;
    T_EQ_INT(lh_proc_run(&spec, NULL, 0, &r, &eb), LH_OK);
    T_EQ_INT(r.exit_code, 0);
    char *text = slurp(log);
    T_EQ_STR(text, "date 2024-06-01 eu\n");
    free(text);
    json_t *out = json_load_file(out_path, 0, NULL);
    T_EQ_STR(json_string_value(json_object_get(out, "result")), "done 7");
    T_EQ_INT(json_integer_value(json_object_get(json_object_get(out, "task_values"), "rows")), 42);
    json_decref(out);
    lh_proc_argv_free(argv);
    json_decref(params);
    unlink(nb);
    free(nb);

    /* a failing notebook: exit code 1, the traceback in the log, the output still written */
    const char *failing = "dbutils.jobs.taskValues.set('k', 'v')\nraise RuntimeError('boom')\n";
    T_EQ_INT(lh_proc_materialize(g_dir, "fail.py", failing, strlen(failing), &nb, &eb), LH_OK);
    unlink(out_path);
    T_EQ_INT(lh_proc_argv_python_notebook(nb, NULL, out_path, &argv, &eb), LH_OK);
    log_path(log, sizeof log, "nb_fail");
    spec.argv = (const char *const *)argv;
    spec.log_path = log;
    T_EQ_INT(lh_proc_run(&spec, NULL, 0, &r, &eb), LH_OK);
    T_EQ_INT(r.exit_code, 1);
    text = slurp(log);
    T_CHECK(strstr(text, "RuntimeError: boom") != NULL);
    free(text);
    out = json_load_file(out_path, 0, NULL);
    T_CHECK(out != NULL && json_is_null(json_object_get(out, "result")));
    T_EQ_STR(json_string_value(json_object_get(json_object_get(out, "task_values"), "k")), "v");
    json_decref(out);
    lh_proc_argv_free(argv);
    unlink(nb);
    free(nb);
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/lh_run_proc_%d", (int)getpid());
    mkdir(g_dir, 0700);
    T_RUN(test_exit_codes);
    T_RUN(test_output_captured);
    T_RUN(test_log_cap);
    T_RUN(test_log_tail);
    T_RUN(test_cancel);
    T_RUN(test_cancel_ignoring_term);
    T_RUN(test_deadline);
    T_RUN(test_leftover_background_stopped);
    T_RUN(test_env);
    T_RUN(test_no_fd_leak);
    T_RUN(test_errors);
    T_RUN(test_argv_python_file);
    T_RUN(test_argv_python_wheel);
    T_RUN(test_materialize);
    T_RUN(test_python_tasks);
    T_RUN(test_python_notebook);
    T_RUN(test_no_zombies);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup of %s failed\n", g_dir);
    return T_DONE();
}
