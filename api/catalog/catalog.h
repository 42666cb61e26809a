/*
 * catalog.h - the Unity Catalog namespace (api/catalog): catalogs, schemas, tables,
 * volumes and functions in the metastore, the REST API under /api/2.1/unity-catalog/, the
 * Files API over volumes (/api/2.0/fs/files|directories/Volumes/...), and the resolver the
 * SQL engine calls (compute/resolver.h).
 *
 * Model:
 *   - names are lower-cased and follow Unity Catalog's rules: 1..255 characters, none of
 *     '.', ' ', '/', ASCII control characters or DEL;
 *   - every catalog gets the schemas `default` and `information_schema` (the latter is
 *     reserved: nothing is created in it and it cannot be dropped); a catalog or schema is
 *     empty when it holds nothing but those (an empty `default`);
 *   - on first start the catalogs `main` and `hive_metastore` (the legacy name) exist;
 *   - managed tables live in DATA_DIR/warehouse/<catalog>/<schema>/<table>/ and managed
 *     volumes in DATA_DIR/volumes/<catalog>/<schema>/<volume>/; dropping them (or, with
 *     force/cascade, their schema or catalog) removes those files after the metastore
 *     transaction commits.
 * Authorization over REST (until Unity Catalog grants exist): every user reads metadata;
 * admins create catalogs; admins and the owner of an object or of one of its parents
 * change it and reach a volume's files. The resolver checks nothing (the engine does).
 * Every mutation, from REST or SQL, is one metastore transaction, so both see the same rows.
 * Thread-safe: every function may be called from any thread.
 */
#ifndef LH_API_CATALOG_H
#define LH_API_CATALOG_H

#include "api/api.h"
#include "api/area.h"

typedef struct lh_catalog lh_catalog_t;

/* The area descriptor (server/areas.c): create seeds the default catalogs on first start
 * and publishes ctx->resolver (compute/resolver.h); destroy clears it. */
extern const lh_area_t lh_catalog_area;

/* Open the catalog over ctx->meta and ctx->data_dir (seeding `main` and `hive_metastore`
 * once). Errors: the metastore's. */
lh_err lh_catalog_create(lh_ctx_t *ctx, lh_catalog_t **out, lh_errbuf *eb);
void lh_catalog_destroy(lh_catalog_t *c);

/* The resolver over this catalog (owned by c, valid until lh_catalog_destroy). */
const struct lh_resolver *lh_catalog_resolver(lh_catalog_t *c);

/* The routes: /api/2.1/unity-catalog/... and /api/2.0/fs/{files|directories}/... */
const lh_route_t *lh_catalog_routes(int *count);

#endif
