/*
 * secrets_internal.h - what the files of api/secrets share; not for other areas.
 *
 *   secrets.c   the area object: start-up, the key (env, file, or created on first put),
 *               the key check, lh_secrets_read
 *   crypto.c    AES-256-GCM, key parsing and the key file, base64 (crypto.h)
 *   store.c     the metastore side: scopes, secrets, ACLs, and the permission check
 *               (a caller's level on a scope, groups resolved transitively in SQL)
 *   handlers.c  the REST handlers and the route table
 *
 * Every operation checks permission inside the same metastore transaction that acts, so a
 * revoked ACL takes effect on the very next call.
 */
#ifndef LH_API_SECRETS_INTERNAL_H
#define LH_API_SECRETS_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "api/secrets/crypto.h"
#include "api/secrets/secrets.h"
#include "storage/meta/meta.h"

/* ACL levels, ordered: a higher one includes the lower ones. */
typedef enum sc_level { SC_NONE = 0, SC_READ = 1, SC_WRITE = 2, SC_MANAGE = 3 } sc_level;

struct lh_secrets {
    lh_ctx_t *ctx;
    lh_meta_t *meta;
    char key_path[4200];
    pthread_mutex_t key_mu; /* guards has_key and key; taken alone, never with meta's lock */
    bool has_key;
    lh_secrets_key_t key;
};

/* The workspace key, creating the key file first when none exists yet (the first put). */
lh_err sc_key_get(lh_secrets_t *s, lh_secrets_key_t *out, lh_errbuf *eb);
/* The sealed value's associated data: scope, a NUL, key. Returns its length; buf holds
 * at least 2 * LH_SECRET_NAME_MAX + 2 bytes. */
size_t sc_aad(const char *scope, const char *key, char *buf);

/* Name rules: scope names [A-Za-z0-9_.@-]{1,128}; keys [A-Za-z0-9_.-]{1,128}. */
lh_err sc_check_scope_name(const char *name, lh_errbuf *eb);
lh_err sc_check_key_name(const char *name, lh_errbuf *eb);
const char *sc_level_name(sc_level level);
/* READ/WRITE/MANAGE (exact) -> level; SC_NONE for anything else. */
sc_level sc_level_parse(const char *text);

/* ---- store.c: each runs one metastore read or transaction. who NULL = the system. ---- */

lh_err sc_scope_create(lh_secrets_t *s, const lh_principal_t *who, const char *scope,
                       const char *manage_principal, lh_errbuf *eb);
lh_err sc_scope_delete(lh_secrets_t *s, const lh_principal_t *who, const char *scope,
                       lh_errbuf *eb);
/* {"scopes": [{name, backend_type}]}, by name. */
lh_err sc_scope_list(lh_secrets_t *s, json_t **out, lh_errbuf *eb);

/* The scope exists and who holds at least level on it (a read; the acting transaction
 * checks again). */
lh_err sc_require(lh_secrets_t *s, const lh_principal_t *who, const char *scope, sc_level level,
                  lh_errbuf *eb);
/* Store an already sealed value (base64 text). */
lh_err sc_secret_put(lh_secrets_t *s, const lh_principal_t *who, const char *scope, const char *key,
                     const char *sealed_b64, lh_errbuf *eb);
lh_err sc_secret_delete(lh_secrets_t *s, const lh_principal_t *who, const char *scope,
                        const char *key, lh_errbuf *eb);
/* {"secrets": [{key, last_updated_timestamp}]}, by key; never values. */
lh_err sc_secret_list(lh_secrets_t *s, const lh_principal_t *who, const char *scope, json_t **out,
                      lh_errbuf *eb);
/* The sealed value (base64 text copied into arena) after checking READ. */
lh_err sc_secret_sealed(lh_secrets_t *s, const lh_principal_t *who, const char *scope,
                        const char *key, lh_arena_t *arena, const char **sealed_b64, lh_errbuf *eb);

lh_err sc_acl_put(lh_secrets_t *s, const lh_principal_t *who, const char *scope,
                  const char *principal, sc_level level, lh_errbuf *eb);
lh_err sc_acl_delete(lh_secrets_t *s, const lh_principal_t *who, const char *scope,
                     const char *principal, lh_errbuf *eb);
/* {principal, permission} */
lh_err sc_acl_get(lh_secrets_t *s, const lh_principal_t *who, const char *scope,
                  const char *principal, json_t **out, lh_errbuf *eb);
/* {"items": [{principal, permission}]}, by principal. */
lh_err sc_acl_list(lh_secrets_t *s, const lh_principal_t *who, const char *scope, json_t **out,
                   lh_errbuf *eb);

/* Inside a metastore callback: does any stored secret exist? (start-up key check) */
lh_err sc_any_sealed(lh_meta_t *m, const char **scope, const char **key, const char **sealed,
                     bool *found, lh_errbuf *eb);

/* ---- handlers.c ---- */
lh_err sc_h_scope_create(lh_req_t *req, lh_errbuf *eb);
lh_err sc_h_scope_delete(lh_req_t *req, lh_errbuf *eb);
lh_err sc_h_scope_list(lh_req_t *req, lh_errbuf *eb);
lh_err sc_h_put(lh_req_t *req, lh_errbuf *eb);
lh_err sc_h_delete(lh_req_t *req, lh_errbuf *eb);
lh_err sc_h_list(lh_req_t *req, lh_errbuf *eb);
lh_err sc_h_get(lh_req_t *req, lh_errbuf *eb);
lh_err sc_h_acl_put(lh_req_t *req, lh_errbuf *eb);
lh_err sc_h_acl_delete(lh_req_t *req, lh_errbuf *eb);
lh_err sc_h_acl_get(lh_req_t *req, lh_errbuf *eb);
lh_err sc_h_acl_list(lh_req_t *req, lh_errbuf *eb);

#endif
