/*
 * limits.h - every bound of the daemon in one place, each with its reason.
 * Tests exercise each at N and N+1.
 */
#ifndef LH_COMMON_LIMITS_H
#define LH_COMMON_LIMITS_H

/* Request bodies: the largest legitimate JSON we accept (cluster specs, SCIM bulk). */
#define LH_REQUEST_BODY_MAX (1024 * 1024)
/* An authenticated body over its route's limit but under this is read and dropped so the
 * client gets its 413 on a live connection; a larger one is answered before it is read
 * (and the connection closed). */
#define LH_REQUEST_DRAIN_MAX (16 * 1024 * 1024)
/* JSON nesting: deep enough for job settings, shallow enough to stop stack abuse. */
#define LH_JSON_DEPTH_MAX 64
/* URL query string parameters per request. */
#define LH_QUERY_PARAMS_MAX 256
/* Concurrent requests in flight before new ones get 429. */
#define LH_INFLIGHT_MAX 1024
/* HTTP threads: more than cores only helps while handlers block, which they must not. */
#define LH_HTTP_THREADS_MAX 256
/* Chunk a streamed body reaches its sink in: libmicrohttpd's read buffer bounds it. */
#define LH_STREAM_CHUNK_BYTES (256 * 1024)
/* TLS certificate chain or key file: real chains are a few KiB. */
#define LH_TLS_PEM_MAX (1024 * 1024)
/* A suspended request's longest wait (the Statement Execution API allows 50 s). */
#define LH_SUSPEND_TIMEOUT_MAX_MS (10LL * 60 * 1000)
/* Worker threads of one cluster's compute pool, before capping at the core count. */
#define LH_POOL_THREADS_MAX 256
/* Queued tasks per compute pool; a full queue refuses work (429), never waits. */
#define LH_POOL_QUEUE_MAX 65536
/* Logical workers a cluster may ask for (Databricks' own ceiling is in the thousands). */
#define LH_CLUSTER_WORKERS_MAX 10000
/* Page sizes for list endpoints. */
#define LH_PAGE_SIZE_DEFAULT 100
#define LH_PAGE_SIZE_MAX     1000
/* Longest page_token we decode: a few sort keys, one of them a name (LH_NAME_MAX). */
#define LH_PAGE_TOKEN_MAX 4096
/* Cluster events kept per page of clusters/events. */
#define LH_EVENTS_PAGE_DEFAULT 50
#define LH_EVENTS_PAGE_MAX     500
/* Longest names (cluster, policy, pool, user) we store. */
#define LH_NAME_MAX 1024
/* SCIM filter expressions: length and number of and/or terms. */
#define LH_SCIM_FILTER_MAX       4096
#define LH_SCIM_FILTER_TERMS_MAX 32
/* Policy definitions (JSON text). */
#define LH_POLICY_DEFINITION_MAX (64 * 1024)
/* Token lifetime: Databricks caps PATs at 730 days unless an admin raises it. */
#define LH_TOKEN_LIFETIME_MAX_S (730LL * 24 * 3600)
/* Auth cache entries: enough for every active token of a busy workspace; misses only cost
 * a SQLite lookup, a full cache evicts one entry per new token. */
#define LH_IDENTITY_CACHE_MAX 1024
/* Metastore reader connections (WAL lets them read beside the one writer); a few cover
 * the HTTP threads' short lookups, each costs a SQLite page cache. */
#define LH_META_READERS 4
/* Longest bearer token we hash; ours are 36 chars, anything much longer is garbage. */
#define LH_TOKEN_TEXT_MAX 255
/* Groups one principal belongs to, directly or nested: bounds a permission-cache entry
 * (workspaces nest a handful; thousands would be a misconfiguration). */
#define LH_PERM_GROUPS_MAX 256
/* Permission-cache slots (principals with a cached group closure); a miss costs one read. */
#define LH_PERM_CACHE_SLOTS 256
/* Entries in one access_control_list request (Databricks' ACLs are a few dozen at most). */
#define LH_PERM_ACL_MAX 1000

/* Background service (common/bg.h): the whole daemon runs a handful of background
 * threads; an executor with more than this is a pool, not housekeeping. */
#define LH_BG_THREADS_MAX 16
/* Executors: one per area that needs serial or parallel background work, plus the default. */
#define LH_BG_EXECUTORS_MAX 32
/* Queued tasks per executor: a full queue refuses work (429), never waits. */
#define LH_BG_QUEUE_MAX 65536
/* Live timers (one per periodic chore or pending deadline). */
#define LH_BG_TIMERS_MAX 65536
/* Cluster lifecycle jobs queued (transitions, instance pool top-ups) before 429. */
#define LH_CLUSTERS_QUEUE_MAX 4096

/* Secrets (Databricks' published limits): a value is at most 128 KB once decoded, a scope
 * holds at most 1000 secrets, scope and key names are at most 128 characters. */
#define LH_SECRET_VALUE_MAX      (128 * 1024)
#define LH_SECRETS_PER_SCOPE_MAX 1000
#define LH_SECRET_NAME_MAX       128
/* Secret scopes per workspace (Databricks allows 1000). */
#define LH_SECRET_SCOPES_MAX 1000

/* SQL statement text: the Statement Execution API body bound; generated SQL (dashboards,
 * dbt) stays well under it. */
#define LH_SQL_TEXT_MAX (1024 * 1024)
/* SQL nesting, in parser recursion levels = syntax tree depth: a parenthesized expression
 * costs 3 (expression, value, parentheses), each operator of a chain (a + b + ..., AND,
 * UNION, JOIN, a[i][j]) 1; bounds the stack of the parser and of every tree walk (printer,
 * binder) whatever the input. */
#define LH_SQL_DEPTH_MAX 1000

_Static_assert(LH_REQUEST_BODY_MAX >= 64 * 1024, "cluster specs and SCIM bodies must fit");
_Static_assert(LH_PAGE_SIZE_DEFAULT <= LH_PAGE_SIZE_MAX, "default page within the maximum");
_Static_assert(LH_EVENTS_PAGE_DEFAULT <= LH_EVENTS_PAGE_MAX, "default page within the maximum");
_Static_assert(LH_INFLIGHT_MAX <= 4096, "libmicrohttpd's connection limit is 4096");
_Static_assert(LH_JSON_DEPTH_MAX >= 16 && LH_JSON_DEPTH_MAX <= 1024, "stack-safe JSON depth");
_Static_assert(LH_SQL_DEPTH_MAX >= 32 && LH_SQL_DEPTH_MAX <= 1024, "stack-safe SQL depth");

/* SQL functions (compute/func): one string value built by concat/repeat/pad/replace;
 * Spark's own ceiling is 2 GiB, ours keeps one row from exhausting a query's memory. */
#define LH_SQL_STRING_VALUE_MAX (64u << 20)
/* JSON nesting get_json_object walks before giving up (NULL), as LH_JSON_DEPTH_MAX. */
#define LH_SQL_JSON_DEPTH_MAX 64
/* Nesting of ARRAY/MAP/STRUCT types parsed from text (a Delta schemaString, a DDL schema
 * string): one level per type constructor. Each level costs up to three Parquet schema
 * levels (LIST, its repeated group, the element), and Parquet schemas stop at 64. */
#define LH_TYPE_NESTING_MAX 20
/* Transitions in one TZif zone file: real zones have < 300; bounds a corrupt file. */
#define LH_TZ_TRANSITIONS_MAX 4096

/* Files API uploads (PUT /api/2.0/fs/files/Volumes/...): Databricks' own cap, 5 GiB. */
#define LH_FILES_UPLOAD_MAX (5ULL * 1024 * 1024 * 1024)

/* Statement Execution API (api/sql/statements.c). */
/* INLINE results: Databricks caps them at 25 MiB; past it the result is truncated. */
#define LH_STATEMENT_INLINE_MAX (25LL * 1024 * 1024)
/* Bytes of JSON rows per result chunk (next_chunk_index pages through them). */
#define LH_STATEMENT_CHUNK_BYTES (4LL * 1024 * 1024)
/* How long a statement waits for its warehouse to start before failing. */
#define LH_STATEMENT_START_WAIT_MS 120000
/* Named parameters per statement. */
#define LH_STATEMENT_PARAMS_MAX 256
/* Statements that run at once (each then fans out on its warehouse's pool), and queued. */
#define LH_STATEMENT_THREADS   4
#define LH_STATEMENT_QUEUE_MAX 1024
/* Results are kept this long after a statement ended, then it is CLOSED (the default of
 * LAKEHOUSE_TEST_RESULT_TTL_MS). */
#define LH_STATEMENT_RETENTION_MS (60LL * 60 * 1000)
/* libmicrohttpd's per-connection buffer (server/http.c): streamed upload piece size (1 MiB: a
 * 1 GiB artifact upload 1.30 s -> 0.70 s; pages are touched only as a connection uses them). */
#define LH_HTTP_CONNECTION_BUFFER (1024 * 1024)
/* A SQL session (api/sql/sessions.h) unused this long is closed; at most this many live. */
#define LH_SQL_SESSION_IDLE_MS (60LL * 60 * 1000)
#define LH_SQL_SESSIONS_MAX    10000
/* EXTERNAL_LINKS: Databricks' default byte_limit (100 GiB); a chunk file holds at most
 * this many rows or bytes (Arrow: plus at most one engine batch); one link is valid this
 * long (Databricks: <= 15 minutes). */
#define LH_STATEMENT_LINKS_BYTES_MAX  (100LL << 30)
#define LH_STATEMENT_LINK_CHUNK_BYTES (16LL << 20)
#define LH_STATEMENT_LINK_CHUNK_ROWS  100000
#define LH_STATEMENT_LINK_TTL_MS      (15LL * 60 * 1000)
/* Query history rows kept in meta.db (Databricks keeps 30 days of query history). */
#define LH_STATEMENT_HISTORY_MS (30LL * 24 * 60 * 60 * 1000)
/* Rows an uncorrelated IN (subquery) may return (it becomes a constant list). */
#define LH_SUBQUERY_IN_MAX 100000
/* Memory one query may use before a breaker spills or the query fails. */
#define LH_QUERY_MEMORY_DEFAULT (4LL * 1024 * 1024 * 1024)
_Static_assert(LH_STATEMENT_THREADS <= LH_BG_THREADS_MAX, "statements run on a bg executor");

/* Job task subprocesses (api/jobs/run_proc.h): a task's log file keeps its first 64 MiB
 * (then a "[log truncated]" line); get-output returns the last 5 MB, as Databricks does. */
#define LH_PROC_LOG_MAX      (64LL * 1024 * 1024)
#define LH_PROC_LOG_TAIL_MAX (5LL * 1000 * 1000)
_Static_assert(LH_PROC_LOG_TAIL_MAX <= LH_PROC_LOG_MAX, "the tail fits in the log");
/* Notifications (api/notify.h): queued sends before LH_E_LIMIT; one HTTP or SMTP call's
 * default timeout (Databricks gives webhooks 10 s); attempts of one webhook (1 s, 4 s). */
#define LH_NOTIFY_QUEUE_MAX    1024
#define LH_NOTIFY_TIMEOUT_MS   10000
#define LH_NOTIFY_ATTEMPTS_MAX 3
/* Bytes of a webhook's answer kept for the caller; recipients of one email. */
#define LH_NOTIFY_RESPONSE_MAX 4096
#define LH_NOTIFY_RCPT_MAX     100
/* A webhook's JSON or an email's text: notifications are a few KiB; 1 MiB is generous. */
#define LH_NOTIFY_BODY_MAX (1024 * 1024)

#endif
