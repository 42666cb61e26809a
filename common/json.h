/*
 * json.h - typed getters over jansson, with the leniency real clients need
 * (shared/reference/databricks-api.md section 0):
 *   - numbers may arrive as JSON strings ("123", "2.5");
 *   - booleans may arrive as strings, case-insensitively ("true", "False");
 *   - a JSON null counts as absent; unknown fields are simply never read.
 * A missing required field or a wrong type is LH_E_INVALID with a message naming the
 * field, which the HTTP layer renders as 400 INVALID_PARAMETER_VALUE.
 * Getters never take ownership; returned strings/objects are borrowed from obj.
 */
#ifndef LH_COMMON_JSON_H
#define LH_COMMON_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

typedef enum lh_json_need { LH_OPTIONAL = 0, LH_REQUIRED = 1 } lh_json_need;

/* Present and not null. obj may be NULL. */
bool lh_json_has(const json_t *obj, const char *key);

/* Each getter: absent + LH_OPTIONAL -> LH_OK and *out untouched. */
lh_err lh_json_get_str(const json_t *obj, const char *key, lh_json_need need, const char **out,
                       lh_errbuf *eb);
lh_err lh_json_get_int(const json_t *obj, const char *key, lh_json_need need, int64_t *out,
                       lh_errbuf *eb);
/* As lh_json_get_int, also requiring min <= value <= max. */
lh_err lh_json_get_int_range(const json_t *obj, const char *key, lh_json_need need, int64_t min,
                             int64_t max, int64_t *out, lh_errbuf *eb);
lh_err lh_json_get_double(const json_t *obj, const char *key, lh_json_need need, double *out,
                          lh_errbuf *eb);
lh_err lh_json_get_bool(const json_t *obj, const char *key, lh_json_need need, bool *out,
                        lh_errbuf *eb);
lh_err lh_json_get_object(const json_t *obj, const char *key, lh_json_need need, json_t **out,
                          lh_errbuf *eb);
/* An array; a single scalar (as from a query string with one occurrence) is returned
 * as-is in *out, so callers iterate with lh_json_list_size/lh_json_list_get. */
lh_err lh_json_get_list(const json_t *obj, const char *key, lh_json_need need, json_t **out,
                        lh_errbuf *eb);
size_t lh_json_list_size(const json_t *list);
json_t *lh_json_list_get(const json_t *list, size_t i);

/* Coerce a standalone value (used by the getters; also for list elements). */
lh_err lh_json_as_int(const json_t *v, const char *what, int64_t *out, lh_errbuf *eb);
lh_err lh_json_as_bool(const json_t *v, const char *what, bool *out, lh_errbuf *eb);

/* jansson reports an allocation failure only as a NULL or -1 that a caller building a
 * document (json_object_set_new(o, "k", json_string(s))) rarely checks, so an answer would
 * silently lose fields. Instead, once lh_json_track_oom() has run (at start-up, before other
 * threads use jansson), every failed jansson allocation is noted on the calling thread, and
 * the HTTP layer turns a request that saw one into a 500 (lh_json_oom_take after the
 * handler). Thread-safe. */
void lh_json_track_oom(void);
/* True if a jansson allocation failed on this thread since the last call; clears the note. */
bool lh_json_oom_take(void);
/* The same without clearing: for code that must not keep (cache) what it just built. */
bool lh_json_oom_seen(void);

/* Depth of nesting (a scalar is 0). */
int lh_json_depth(const json_t *v);

/* Set key to a string/integer only when the value is non-NULL / keeps json_t ownership rules:
 * json_object_set_new semantics. */
void lh_json_set_str(json_t *obj, const char *key, const char *val); /* skips NULL */
void lh_json_set_int(json_t *obj, const char *key, int64_t val);
void lh_json_set_bool(json_t *obj, const char *key, bool val);

/* Nesting beyond this is written as null (responses are built by us, never this deep). */
#define LH_JSON_WRITE_DEPTH_MAX 128

/* Serialize compactly (as json_dumps(v, JSON_COMPACT) would, but several times faster).
 * Returns a malloc'd NUL-terminated string and its length, or NULL out of memory. */
char *lh_json_write(const json_t *v, size_t *len);

#endif
