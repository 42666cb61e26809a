/*
 * run_proc.h - run one subprocess for a job task (spark_python_task, python_wheel_task,
 * Python notebooks): posix_spawn, logs, cancellation, deadlines; plus the argv builders for
 * those task types and the log tail get-output returns.
 *
 *   lh_proc_run        blocking; meant for a bg executor thread (it starts no thread).
 *                      The child runs in its own process group with stdin /dev/null and
 *                      stdout + stderr on ONE pipe the caller's thread copies to log_path
 *                      (appended, interleaved as written). The log keeps its head: past
 *                      LH_PROC_LOG_MAX bytes a "[log truncated]" line ends it and further
 *                      output is read and dropped (so the child never blocks on a full pipe).
 *                      Every ~50 ms (LH_PROC_POLL_MS) it checks *cancel and the deadline;
 *                      on either it sends SIGTERM to the group, then SIGKILL after
 *                      LH_PROC_KILL_GRACE_MS, so a cancel stops the whole group within 1 s.
 *                      When the child exits, what is left of its group (background
 *                      grandchildren) gets the same SIGTERM/SIGKILL: a task's processes end
 *                      with it. The child is always reaped (no zombie); it inherits no fd but
 *                      0-2 (a closefrom spawn action, and O_CLOEXEC on ours).
 *   lh_proc_log_tail   the last max_bytes of a log, cut at a UTF-8 boundary (get-output's
 *                      `logs` and `logs_truncated`).
 *   lh_proc_materialize  a workspace file's bytes written to DATA_DIR/jobs/tmp/<unique>-<name>
 *                      (temp name + rename) so python3 can run it.
 *   lh_proc_argv_*     argv for spark_python_task and python_wheel_task.
 *
 * Environment of the child: PATH, HOME and LANG from the daemon's (the defaults
 * "/usr/local/bin:/usr/bin:/bin", "/" and "C.UTF-8" when unset), then spec->env (e.g.
 * DATABRICKS_HOST, DATABRICKS_TOKEN, which may override those three). Nothing else leaks.
 */
#ifndef LH_API_JOBS_RUN_PROC_H
#define LH_API_JOBS_RUN_PROC_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Bounds (each with its reason; the log cap is LH_PROC_LOG_MAX in common/limits.h). */
#define LH_PROC_POLL_MS       50   /* cancel/deadline check granularity */
#define LH_PROC_KILL_GRACE_MS 500  /* SIGTERM -> SIGKILL: cancel stops a task within 1 s */
#define LH_PROC_ARGS_MAX      4096 /* argv entries (parameters) of one task */
#define LH_PROC_ENV_MAX       256  /* environment additions of one task */

typedef struct lh_proc_spec {
    const char *const *argv; /* NULL-terminated; argv[0] is a path or a name found on PATH */
    const char *const *env;  /* "NAME=value" additions, NULL-terminated; NULL = none */
    const char *cwd;         /* working directory; NULL = the daemon's */
    const char *log_path;    /* stdout + stderr appended here (created 0600 if absent) */
    int64_t log_max_bytes;   /* the log file's cap; 0 = LH_PROC_LOG_MAX */
} lh_proc_spec_t;

typedef struct lh_proc_result {
    int exit_code;       /* the exit status when the child exited, else -1 */
    int signal;          /* the signal that ended it, else 0 */
    bool cancelled;      /* *cancel became true and the group was stopped */
    bool timed_out;      /* the deadline passed and the group was stopped */
    bool log_truncated;  /* the log reached LH_PROC_LOG_MAX */
    int64_t duration_ms; /* from start to reaped */
    int64_t log_bytes;   /* bytes this run appended to the log */
} lh_proc_result_t;

/* Run spec to completion (blocks). cancel may be NULL; deadline_ms is CLOCK_MONOTONIC ms
 * (lh_mono_ns() / 1000000), 0 = none. Success (LH_OK) means the child ran and was reaped,
 * whatever its exit code: read *out. Errors: LH_E_INVALID (empty argv, too many args/env),
 * LH_E_NOT_FOUND ("python3: not found on PATH"), LH_E_IO (log file, pipe, cwd, or exec
 * failed: "exec python3: Permission denied"). Thread-safe (no shared state). */
lh_err lh_proc_run(const lh_proc_spec_t *spec, const atomic_bool *cancel, int64_t deadline_ms,
                   lh_proc_result_t *out, lh_errbuf *eb);

/* The last max_bytes of log_path as a NUL-terminated malloc'd string (*text, the caller
 * frees), starting at a UTF-8 character boundary; *truncated = the log was longer (or had
 * been capped by lh_proc_run's LH_PROC_LOG_MAX, detected by its marker line). A missing
 * log is "" (not an error). LH_E_IO on a read error, LH_E_NOMEM. */
lh_err lh_proc_log_tail(const char *log_path, size_t max_bytes, char **text, bool *truncated,
                        lh_errbuf *eb);

/* Write bytes to DATA_DIR/jobs/tmp/<random>-<name> (the folders created as needed; a temp
 * name renamed into place, mode 0600) and return its path in path_out (malloc'd, the caller
 * frees and unlinks it when the task ends). name is a file name hint (e.g. "train.py"):
 * anything but [A-Za-z0-9._-] becomes '_', and it is cut to 100 bytes. LH_E_IO. */
lh_err lh_proc_materialize(const char *data_dir, const char *name, const void *bytes, size_t len,
                           char **path_out, lh_errbuf *eb);

/* An argv built by the helpers below: a NULL-terminated array of malloc'd strings. */
void lh_proc_argv_free(char **argv);

/* spark_python_task: {"python3", file, parameters...}. file is the local path of the
 * script (a materialized workspace file, or the local path of a dbfs:/ file); parameters
 * is the task's "parameters" array of strings (or NULL). LH_E_INVALID when an element is
 * not a string (numbers are accepted as their text, as Databricks does). */
lh_err lh_proc_argv_python_file(const char *file, const json_t *parameters, char ***argv_out,
                                lh_errbuf *eb);

/* python_wheel_task {package_name, entry_point, parameters[] | named_parameters{}}, as
 * Databricks runs it: the entry point named entry_point in the installed distribution's
 * metadata (any group, console_scripts first); when the package has none by that name,
 * the function <package_name>.<entry_point>() (the module imported). sys.argv is
 * [package_name, parameters...] or, with named_parameters, [package_name, --k=v, ...].
 * The argv is {"python3", "-c", <launcher>, package_name, entry_point, args...}.
 * LH_E_INVALID: package_name missing or not an identifier path, both parameters and
 * named_parameters given, a non-string value. */
lh_err lh_proc_argv_python_wheel(const json_t *task, char ***argv_out, lh_errbuf *eb);

/* A Python notebook (notebook_task on a "# Databricks notebook source" file, or any .py):
 * {"python3", "-c", <launcher>, file, <params as JSON>, output_path}. The launcher runs the
 * source as __main__ (cells, "# COMMAND ----------" and "# MAGIC" lines are comments to
 * Python) with a small `dbutils` in its globals:
 *   dbutils.widgets.get(name) / getArgument(name[, default])  the task's parameters
 *     (base_parameters merged with run-now's notebook_params by the caller); widgets.text/
 *     dropdown/combobox/multiselect(name, default, ...) only declare a default;
 *   dbutils.notebook.exit(value)   ends the notebook with notebook_output.result = value;
 *   dbutils.jobs.taskValues.set(key, value) / get(taskKey, key, default=, debugValue=)
 *     (get reads the "task_values" object of params: {"<task>": {"<key>": value}}).
 * On exit it writes output_path (temp + rename) as {"result": text or null,
 * "task_values": {...}} for the run engine to read; a failing notebook still writes it,
 * with the exit code deciding success. params is an object of strings (numbers accepted)
 * plus the optional "task_values" object; NULL = none. LH_E_INVALID on other values. */
lh_err lh_proc_argv_python_notebook(const char *file, const json_t *params, const char *output_path,
                                    char ***argv_out, lh_errbuf *eb);

#endif
