/*
 * fuzz_run_proc.c - libFuzzer target for the input handling of api/jobs/run_proc: the
 * bytes are parsed as JSON and handed to the argv builders as a python_wheel_task, as a
 * spark_python_task's parameters and as a Python notebook's parameters (checked: python3 first,
 * every entry a string, named parameters as --k=v, refusals name a field); then the same bytes are
 * a task log whose tail is taken with a size from the first byte (checked: at most that many bytes,
 * never starting inside a UTF-8 character, whole when it fits). Must never crash, leak or loop.
 * Seeds: tests/fuzz/corpus/run_proc/.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/jobs/run_proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_argv(char **argv)
{
    if (argv == NULL)
        abort();
    if (strcmp(argv[0], "python3") != 0)
        abort();
    for (int i = 0; argv[i] != NULL; i++)
        if (i > LH_PROC_ARGS_MAX)
            abort();
    lh_proc_argv_free(argv);
}

static void argv_builders(const uint8_t *data, size_t size)
{
    json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (v == NULL)
        return;
    char **argv = NULL;
    lh_errbuf eb;
    if (lh_proc_argv_python_wheel(v, &argv, &eb) == LH_OK) {
        const char *pkg = json_string_value(json_object_get(v, "package_name"));
        if (pkg == NULL || strcmp(argv[3], pkg) != 0)
            abort();
        check_argv(argv);
    } else if (argv != NULL || eb.msg[0] == '\0') {
        abort();
    }
    argv = NULL;
    const json_t *params = json_is_array(v) ? v : json_object_get(v, "parameters");
    if (lh_proc_argv_python_file("/tmp/x.py", params, &argv, &eb) == LH_OK) {
        if (json_is_array(params) && argv[2 + json_array_size(params)] != NULL)
            abort();
        check_argv(argv);
    } else if (argv != NULL) {
        abort();
    }
    argv = NULL;
    if (lh_proc_argv_python_notebook("/tmp/nb.py", v, "/tmp/out.json", &argv, &eb) == LH_OK) {
        json_t *input = json_loads(argv[4], 0, NULL); /* the launcher's input parses back */
        if (!json_is_object(input))
            abort();
        json_decref(input);
        check_argv(argv);
    } else if (argv != NULL) {
        abort();
    }
    json_decref(v);
}

static void log_tail(const uint8_t *data, size_t size)
{
    static char path[64];
    if (path[0] == '\0')
        snprintf(path, sizeof path, "/tmp/fuzz_run_proc_%d.log", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return;
    if (size > 0 && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    size_t max = size > 0 ? data[0] : 0;
    char *text = NULL;
    bool truncated = false;
    lh_errbuf eb;
    if (lh_proc_log_tail(path, max, &text, &truncated, &eb) != LH_OK)
        abort();
    size_t from = size > max ? size - max : 0;
    size_t skipped = 0;
    while (from + skipped < size && skipped < 3 && from > 0 &&
           (data[from + skipped] & 0xC0) == 0x80)
        skipped++;
    if (memcmp(text, data + from + skipped, size - from - skipped) != 0)
        abort();
    if (size <= max && truncated &&
        (size < 17 || memcmp(data + size - 17, "\n[log truncated]\n", 17) != 0))
        abort();
    free(text);
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    argv_builders(data, size);
    log_tail(data, size);
    return 0;
}
