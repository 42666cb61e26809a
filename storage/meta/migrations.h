/*
 * migrations.h - the numbered schema migrations of meta.db (internal to storage/meta).
 */
#ifndef LH_META_MIGRATIONS_H
#define LH_META_MIGRATIONS_H

typedef struct lh_migration {
    int number;
    const char *name;
    const char *sql;
} lh_migration_t;

extern const lh_migration_t lh_meta_migrations[];
extern const int lh_meta_migration_count;

#endif
