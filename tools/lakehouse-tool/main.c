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
 * PATH is a Parquet file or a Delta table directory. The object store is rooted at the
 * table directory. Errors: one line on stderr, exit 1 (2 for usage errors).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tools/lakehouse-tool/tool.h"

typedef struct command {
    const char *name;
    int min_args, max_args;
    lh_err (*run)(const tool_args_t *a, lh_errbuf *eb);
    const char *usage;
} command_t;

static const command_t commands[] = {
    {"schema", 1, 1, tool_cmd_schema, "schema PATH"},
    {"cat", 1, 1, tool_cmd_cat, "cat PATH [--version N] [--columns a,b] [--limit N]"},
    {"history", 1, 1, tool_cmd_history, "history DELTA_DIR [--limit N]"},
    {"import", 2, 2, tool_cmd_import,
     "import SRC DELTA_DIR [--mode append|overwrite] [--partition-by a,b]"},
    {"optimize", 1, 1, tool_cmd_optimize,
     "optimize DELTA_DIR [--zorder-by a,b] [--target-bytes N]"},
    {"vacuum", 1, 1, tool_cmd_vacuum, "vacuum DELTA_DIR [--retain-hours N] [--dry-run] [--force]"},
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

static int usage(const char *msg)
{
    if (msg)
        fprintf(stderr, "lakehouse-tool: %s\n", msg);
    fprintf(stderr, "usage:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(stderr, "  lakehouse-tool %s\n", commands[i].usage);
    return 2;
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

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
        return usage(argc < 2 ? "missing command" : NULL);
    const command_t *cmd = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, argv[1]) == 0)
            cmd = &commands[i];
    if (cmd == NULL)
        return usage("unknown command");
    tool_args_t a;
    if (!parse_args(argc - 2, argv + 2, &a) || a.count < cmd->min_args || a.count > cmd->max_args) {
        free(a.items);
        fprintf(stderr, "lakehouse-tool: usage: lakehouse-tool %s\n", cmd->usage);
        return 2;
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
