/*
 * stmt_cache.c - what statements share across queries: the data cache of decoded Parquet
 * column chunks (storage/delta/data_cache.h) and the per-query memory limit, both sized
 * from the configuration (--data-cache-size, --query-memory-limit; by default a share of
 * the machine's RAM), and their /metrics lines.
 */
#include <unistd.h>

#include "api/sql/stmt_internal.h"
#include "common/config.h"
#include "common/limits.h"
#include "storage/delta/data_cache.h"

/* RAM / divisor, or fallback when the machine will not say. */
static int64_t ram_share(int divisor, int64_t fallback)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0)
        return fallback;
    return (int64_t)pages * page / divisor;
}

lh_err lh_stmt_shared_init(lh_statements_t *s, lh_errbuf *eb)
{
    const lh_config_t *cfg = s->ctx->config;
    int64_t mem = cfg ? cfg->query_memory_limit_bytes : 0;
    s->memory_limit_bytes = mem > 0 ? mem : ram_share(4, LH_QUERY_MEMORY_DEFAULT);
    int64_t cache = cfg ? cfg->data_cache_bytes : 0;
    if (cache == 0)
        cache = ram_share(8, 512LL << 20);
    if (cache > 0) {
        s->data_cache = lh_data_cache_create(cache);
        LH_FAIL_IF(s->data_cache == NULL, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

void lh_stmt_shared_free(lh_statements_t *s)
{
    lh_data_cache_destroy(s->data_cache);
    s->data_cache = NULL;
}

void lh_statements_render_metrics(lh_statements_t *s, FILE *out)
{
    fprintf(out,
            "# TYPE lakehouse_sql_query_memory_limit_bytes gauge\n"
            "lakehouse_sql_query_memory_limit_bytes %lld\n",
            (long long)s->memory_limit_bytes);
    lh_data_cache_stats_t st = {0};
    if (s->data_cache != NULL)
        lh_data_cache_get_stats(s->data_cache, &st);
    fprintf(out,
            "# TYPE lakehouse_data_cache_hits_total counter\n"
            "lakehouse_data_cache_hits_total %llu\n"
            "# TYPE lakehouse_data_cache_misses_total counter\n"
            "lakehouse_data_cache_misses_total %llu\n"
            "# TYPE lakehouse_data_cache_inserts_total counter\n"
            "lakehouse_data_cache_inserts_total %llu\n"
            "# TYPE lakehouse_data_cache_evictions_total counter\n"
            "lakehouse_data_cache_evictions_total %llu\n"
            "# TYPE lakehouse_data_cache_bytes gauge\n"
            "lakehouse_data_cache_bytes %lld\n"
            "# TYPE lakehouse_data_cache_capacity_bytes gauge\n"
            "lakehouse_data_cache_capacity_bytes %lld\n"
            "# TYPE lakehouse_data_cache_entries gauge\n"
            "lakehouse_data_cache_entries %lld\n",
            (unsigned long long)st.hits, (unsigned long long)st.misses,
            (unsigned long long)st.inserts, (unsigned long long)st.evictions, (long long)st.bytes,
            (long long)st.bytes_max, (long long)st.entries);
}
