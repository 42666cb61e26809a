/*
 * fuzz_permissions.c - the permissions request parser (lh_perm_parse_acl, api/perm.h):
 * the access_control_list body of PUT/PATCH /api/2.0/permissions/{type}/{id}.
 *
 * Input: byte 0 picks the object type, the rest is the JSON body. Parsing must never
 * crash, leak or hang; an accepted request must hold what the parser promises (at most
 * LH_PERM_ACL_MAX entries, each naming one principal of 1..LH_NAME_MAX characters with a
 * level of the type, never the admins group).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/perm.h"
#include "common/arena.h"
#include "common/limits.h"

static const char *const types[] = {"clusters", "cluster-policies", "instance-pools",
                                    "jobs",     "warehouses",       "registered-models"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const lh_perm_type_t *t, const lh_perm_ace_t *aces, size_t n)
{
    if (n > LH_PERM_ACL_MAX)
        abort();
    for (size_t i = 0; i < n; i++) {
        size_t len = aces[i].name ? strlen(aces[i].name) : 0;
        if (len == 0 || len > LH_NAME_MAX || lh_perm_level_rank(t, aces[i].level) == 0)
            abort();
        if (aces[i].kind == LH_ACE_GROUP && strcasecmp(aces[i].name, "admins") == 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const lh_perm_type_t *t = lh_perm_type_find(types[data[0] % (sizeof types / sizeof types[0])]);
    json_t *body = json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY, NULL);
    if (body == NULL)
        return 0;
    lh_arena_t *arena = lh_arena_create();
    lh_perm_ace_t *aces = NULL;
    size_t n = 0;
    lh_errbuf eb;
    if (lh_perm_parse_acl(t, body, arena, &aces, &n, &eb) == LH_OK)
        check(t, aces, n);
    lh_arena_destroy(arena);
    json_decref(body);
    return 0;
}
