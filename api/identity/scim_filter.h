/*
 * scim_filter.h - SCIM filter expressions (RFC 7644 3.4.2.2, the subset Databricks clients
 * send), parsed into a small tree and evaluated against one resource at a time.
 *
 *   filter := or
 *   or     := and ("or" and)*
 *   and    := factor ("and" factor)*
 *   factor := "(" or ")" | "not" "(" or ")" | attr "pr" | attr op value
 *   op     := eq | ne | co | sw | ew          (keywords and attribute names case-insensitive)
 *   attr   := userName | displayName | id | externalId | active | emails.value
 *   value  := "string" (\" \\ \/ \n \t escapes) | true | false | null | number
 *
 * Comparisons are case-insensitive on the text of the value (booleans compare as
 * "true"/"false"). A multi-valued attribute (emails.value) matches when any value does.
 * Bounds: LH_SCIM_FILTER_MAX bytes, LH_SCIM_FILTER_TERMS_MAX comparisons, and the same
 * number as the deepest parenthesis nesting (deeper is never needed and would recurse).
 */
#ifndef LH_API_IDENTITY_SCIM_FILTER_H
#define LH_API_IDENTITY_SCIM_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/err.h"

typedef enum lh_scim_attr {
    LH_SCIM_ATTR_USER_NAME,
    LH_SCIM_ATTR_DISPLAY_NAME,
    LH_SCIM_ATTR_ID,
    LH_SCIM_ATTR_EXTERNAL_ID,
    LH_SCIM_ATTR_ACTIVE,
    LH_SCIM_ATTR_EMAILS_VALUE,
    LH_SCIM_ATTR_APPLICATION_ID,
    LH_SCIM_ATTR__COUNT
} lh_scim_attr;

typedef enum lh_scim_op {
    LH_SCIM_OP_EQ,
    LH_SCIM_OP_NE,
    LH_SCIM_OP_CO,
    LH_SCIM_OP_SW,
    LH_SCIM_OP_EW,
    LH_SCIM_OP_PR,
    LH_SCIM_OP_AND,
    LH_SCIM_OP_OR,
    LH_SCIM_OP_NOT,
} lh_scim_op;

typedef struct lh_scim_filter {
    lh_scim_op op;
    lh_scim_attr attr;                  /* comparisons and pr */
    const char *value;                  /* comparisons; NULL for the literal null */
    const struct lh_scim_filter *left;  /* and, or, not */
    const struct lh_scim_filter *right; /* and, or */
} lh_scim_filter_t;

/* Most values one attribute of one resource can have (emails per user). */
#define LH_SCIM_VALUES_MAX 16

/* Fill vals with up to max values of attr for resource; return how many (0 = absent). */
typedef int (*lh_scim_values_fn)(const void *resource, lh_scim_attr attr, const char **vals,
                                 int max);

/* Parse text[0..len) (need not be NUL-terminated). The tree lives in arena. An empty or
 * all-blank filter gives *out == NULL (match everything). Errors: LH_E_INVALID naming the
 * position. Thread-safe. */
lh_err lh_scim_filter_parse(const char *text, size_t len, lh_arena_t *arena,
                            const lh_scim_filter_t **out, lh_errbuf *eb);

/* Does resource match? A NULL filter matches everything. */
bool lh_scim_filter_match(const lh_scim_filter_t *f, lh_scim_values_fn values,
                          const void *resource);

/* Number of comparison terms in a tree (for tests). */
int lh_scim_filter_terms(const lh_scim_filter_t *f);

#endif
