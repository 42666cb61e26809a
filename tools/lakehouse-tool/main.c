/*
 * main.c - lakehouse-tool: inspect and import Parquet files and Delta tables.
 *
 *   lakehouse-tool schema PATH
 *   lakehouse-tool cat PATH [--version N] [--columns a,b] [--limit N]
 *   lakehouse-tool history DELTA_DIR [--limit N]
 *   lakehouse-tool import SRC DELTA_DIR [--mode append|overwrite] [--partition-by a,b]
 *   lakehouse-tool optimize DELTA_DIR [--zorder-by a,b] [--target-bytes N]
 *   lakehouse-tool vacuum DELTA_DIR [--retain-hours N] [--dry-run] [--force]
 *
 *   lakehouse-tool --help | --version | COMMAND --help       (stdout, exit 0)
 *
 * PATH is a Parquet file or a Delta table directory. The object store is rooted at the
 * table directory. Errors: one line on stderr, exit 1; usage errors (missing or unknown
 * command, wrong argument count, an option the command does not take) print the usage on
 * stderr and exit 2.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tools/lakehouse-tool/tool.h"

#define TOOL_VERSION "0.1.0" /* released together with lakehoused */

typedef struct command {
    const char *name;
    int min_args, max_args;
    lh_err (*run)(const tool_args_t *a, lh_errbuf *eb);
    const char *usage;
    const char *help;
    const char *options[6]; /* the --options it takes (NULL-terminated) */
} command_t;

static const command_t commands[] = {
    {"schema",
     1,
     1,
     tool_cmd_schema,
     "schema PATH",
     "Print the Delta schemaString of a table or of a Parquet file (nested types included).",
     {NULL}},
    {"cat",
     1,
     1,
     tool_cmd_cat,
     "cat PATH [--version N] [--columns a,b] [--limit N]",
     "Print rows as JSON lines (arrays as arrays, structs and maps as objects).",
     {"version", "columns", "limit", NULL}},
    {"history",
     1,
     1,
     tool_cmd_history,
     "history DELTA_DIR [--limit N]",
     "Print one JSON object per commit, newest first.",
     {"limit", NULL}},
    {"import",
     2,
     2,
     tool_cmd_import,
     "import SRC DELTA_DIR [--mode append|overwrite] [--partition-by a,b]",
     "Load CSV, JSON lines or Parquet (LIST/MAP/STRUCT columns kept) into a Delta table.",
     {"mode", "partition-by", NULL}},
    {"optimize",
     1,
     1,
     tool_cmd_optimize,
     "optimize DELTA_DIR [--zorder-by a,b] [--target-bytes N]",
     "Compact small files (optionally Z-ordered).",
     {"zorder-by", "target-bytes", NULL}},
    {"vacuum",
     1,
     1,
     tool_cmd_vacuum,
     "vacuum DELTA_DIR [--retain-hours N] [--dry-run] [--force]",
     "Delete files no longer referenced and older than the retention.",
     {"retain-hours", "dry-run", "force", NULL}},
};

/* Options that take no value. */
static bool is_flag(const char *name)
{
    return strcmp(name, "dry-run") == 0 || strcmp(name, "force") == 0;
}

const char *tool_opt(const tool_args_t *a, const char *name)
{
    for (int i = 0; i < a->opt_count; i++)
        if (strcmp(a->opt_names[i], name) == 0)
            return a->opt_values[i];
    return NULL;
}

lh_err tool_opt_int(const tool_args_t *a, const char *name, int64_t def, int64_t min, int64_t max,
                    int64_t *out, lh_errbuf *eb)
{
    const char *s = tool_opt(a, name);
    *out = def;
    if (s == NULL)
        return LH_OK;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    LH_FAIL_IF(*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max, LH_E_INVALID, eb,
               "--%s must be an integer in [%lld, %lld], got '%s'", name, (long long)min,
               (long long)max, s);
    *out = v;
    return LH_OK;
}

int tool_split_list(const char *s, char ***out)
{
    int n = 0;
    *out = NULL;
    for (const char *p = s; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len > 0) {
            char **ni = realloc(*out, (size_t)(n + 1) * sizeof *ni);
            if (ni == NULL)
                break;
            *out = ni;
            ni[n++] = strndup(p, len);
        }
        p = comma ? comma + 1 : NULL;
    }
    return n;
}

void tool_list_free(char **items, int n)
{
    for (int i = 0; i < n; i++)
        free(items[i]);
    free(items);
}

bool tool_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool tool_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

lh_err tool_open_table(const char *dir, bool must_exist, lh_objstore_t **os, lh_delta_table_t **t,
                       lh_errbuf *eb)
{
    *os = NULL;
    *t = NULL;
    if (must_exist) {
        char log[4096];
        snprintf(log, sizeof log, "%s/_delta_log", dir);
        LH_FAIL_IF(!tool_is_dir(log), LH_E_NOT_FOUND, eb, "'%s' is not a Delta table", dir);
    } else {
        LH_FAIL_IF(tool_is_file(dir), LH_E_INVALID, eb, "'%s' is a file, not a directory", dir);
    }
    LH_TRY(lh_objstore_local_create(dir, os, eb));
    lh_err e = lh_delta_table_open(*os, "", t, eb);
    if (e != LH_OK) {
        lh_objstore_destroy(*os);
        *os = NULL;
    }
    return e;
}

void tool_close_table(lh_objstore_t *os, lh_delta_table_t *t)
{
    lh_delta_table_close(t);
    lh_objstore_destroy(os);
}

lh_err tool_open_parquet(const char *path, lh_pq_file_t **out, lh_errbuf *eb)
{
    lh_byte_source_t src;
    LH_TRY(lh_bytes_source_open_file(path, &src, eb));
    return lh_pq_open(&src, out, eb);
}

/* The command list: on stdout for --help (exit 0), on stderr after a usage error (2). */
static int usage(FILE *out, const char *msg)
{
    if (msg)
        fprintf(out, "lakehouse-tool: %s\n", msg);
    fprintf(out, "usage: lakehouse-tool COMMAND ARGS...  (lakehouse-tool COMMAND --help)\n"
                 "       lakehouse-tool --version\n\n"
                 "PATH is a Parquet file or a Delta table directory. Output is JSON on stdout;\n"
                 "errors are one line on stderr with exit status 1 (2 for usage errors).\n\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %s\n      %s\n", commands[i].usage, commands[i].help);
    return out == stdout ? 0 : 2;
}

static int command_usage(FILE *out, const command_t *cmd, const char *msg)
{
    if (msg)
        fprintf(out, "lakehouse-tool: %s\n", msg);
    fprintf(out, "usage: lakehouse-tool %s\n", cmd->usage);
    if (out == stdout)
        fprintf(out, "%s\n", cmd->help);
    return out == stdout ? 0 : 2;
}

static bool is_help(const char *s)
{
    return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0 || strcmp(s, "help") == 0;
}

/* The first option cmd does not take, or NULL. */
static const char *unknown_option(const command_t *cmd, const tool_args_t *a)
{
    for (int i = 0; i < a->opt_count; i++) {
        bool known = false;
        for (int k = 0; cmd->options[k] && !known; k++)
            known = strcmp(cmd->options[k], a->opt_names[i]) == 0;
        if (!known)
            return a->opt_names[i];
    }
    return NULL;
}

/* Split argv into positionals and --name [value] options. */
static bool parse_args(int argc, char **argv, tool_args_t *a)
{
    memset(a, 0, sizeof *a);
    a->items = calloc((size_t)argc + 1, sizeof *a->items);
    if (a->items == NULL)
        return false;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) != 0 || argv[i][2] == '\0') {
            a->items[a->count++] = argv[i];
            continue;
        }
        if (a->opt_count == 16)
            return false;
        const char *name = argv[i] + 2;
        char *eq = strchr(argv[i], '=');
        const char *value = "";
        if (eq) {
            *eq = '\0';
            value = eq + 1;
        } else if (!is_flag(name)) {
            if (i + 1 >= argc)
                return false;
            value = argv[++i];
        }
        a->opt_names[a->opt_count] = name;
        a->opt_values[a->opt_count++] = value;
    }
    return true;
}

static const command_t *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr, "missing command");
    if (is_help(argv[1]))
        return usage(stdout, NULL);
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("lakehouse-tool %s\n", TOOL_VERSION);
        return 0;
    }
    const command_t *cmd = find_command(argv[1]);
    if (cmd == NULL) {
        char msg[160];
        snprintf(msg, sizeof msg, "unknown command '%.100s'", argv[1]);
        return usage(stderr, msg);
    }
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return command_usage(stdout, cmd, NULL);
    tool_args_t a;
    if (!parse_args(argc - 2, argv + 2, &a) || a.count < cmd->min_args || a.count > cmd->max_args) {
        free(a.items);
        return command_usage(stderr, cmd, NULL);
    }
    const char *bad = unknown_option(cmd, &a);
    if (bad) {
        char msg[160];
        snprintf(msg, sizeof msg, "unknown option --%.100s for %s", bad, cmd->name);
        free(a.items);
        return command_usage(stderr, cmd, msg);
    }
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    lh_err e = cmd->run(&a, &eb);
    free(a.items);
    if (fflush(stdout) != 0 && e == LH_OK)
        e = lh_err_set(&eb, LH_E_IO, __FILE__, __LINE__, "writing stdout failed");
    if (e == LH_OK)
        return 0;
    fprintf(stderr, "lakehouse-tool: %s: %s\n", lh_errbuf_code_name(&eb),
            eb.msg[0] ? eb.msg : "failed");
    return 1;
}
