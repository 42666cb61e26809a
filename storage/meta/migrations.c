/*
 * migrations.c - meta.db schema, as numbered migrations applied in order.
 *
 * Rules: never edit a migration that has shipped; add a new one. Numbers are contiguous
 * from 1. Each runs in its own transaction together with the user_version bump.
 */
#include "storage/meta/migrations.h"

const lh_migration_t lh_meta_migrations[] = {
    {1, "identity",
     "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
     "CREATE TABLE users ("
     "  id INTEGER PRIMARY KEY,"
     "  user_name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
     "  display_name TEXT,"
     "  given_name TEXT, family_name TEXT,"
     "  external_id TEXT,"
     "  active INTEGER NOT NULL DEFAULT 1,"
     "  entitlements TEXT NOT NULL DEFAULT '[]'," /* JSON array of entitlement names */
     "  emails TEXT NOT NULL DEFAULT '[]',"       /* JSON array of {value,type,primary} */
     "  created_at INTEGER NOT NULL);"
     "CREATE TABLE groups ("
     "  id INTEGER PRIMARY KEY,"
     "  display_name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
     "  external_id TEXT,"
     "  entitlements TEXT NOT NULL DEFAULT '[]',"
     "  created_at INTEGER NOT NULL);"
     "CREATE TABLE group_members ("
     "  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
     "  member_id INTEGER NOT NULL," /* a user id or a group id */
     "  member_kind TEXT NOT NULL CHECK (member_kind IN ('user','group')),"
     "  PRIMARY KEY (group_id, member_id, member_kind));"
     "CREATE TABLE tokens ("
     "  token_id TEXT PRIMARY KEY,"
     "  token_hash TEXT NOT NULL UNIQUE," /* hex SHA-256 of the secret */
     "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
     "  comment TEXT,"
     "  creation_time INTEGER NOT NULL,"
     "  expiry_time INTEGER NOT NULL," /* ms since epoch, -1 = never */
     "  last_used_day INTEGER);"
     "CREATE INDEX tokens_user ON tokens(user_id);"
     "CREATE INDEX group_members_member ON group_members(member_id, member_kind);"},
    {2, "clusters",
     "CREATE TABLE clusters ("
     "  cluster_id TEXT PRIMARY KEY,"
     "  spec TEXT NOT NULL," /* JSON: the create/edit request, normalized */
     "  state TEXT NOT NULL,"
     "  state_message TEXT NOT NULL DEFAULT '',"
     "  creator_user_name TEXT,"
     "  creator_user_id INTEGER,"
     "  is_pinned INTEGER NOT NULL DEFAULT 0,"
     "  start_time INTEGER, terminated_time INTEGER, last_restarted_time INTEGER,"
     "  last_activity_time INTEGER,"
     "  termination_reason TEXT," /* JSON {code,type,parameters} */
     "  spark_context_id INTEGER,"
     "  created_at INTEGER NOT NULL);"
     "CREATE TABLE cluster_events ("
     "  seq INTEGER PRIMARY KEY,"
     "  cluster_id TEXT NOT NULL,"
     "  timestamp INTEGER NOT NULL,"
     "  type TEXT NOT NULL,"
     "  details TEXT NOT NULL DEFAULT '{}');"
     "CREATE INDEX cluster_events_by_cluster ON cluster_events(cluster_id, timestamp);"
     "CREATE TABLE cluster_policies ("
     "  policy_id TEXT PRIMARY KEY,"
     "  name TEXT NOT NULL UNIQUE,"
     "  definition TEXT NOT NULL,"
     "  description TEXT,"
     "  max_clusters_per_user INTEGER,"
     "  creator_user_name TEXT,"
     "  created_at INTEGER NOT NULL);"
     "CREATE TABLE instance_pools ("
     "  instance_pool_id TEXT PRIMARY KEY,"
     "  spec TEXT NOT NULL," /* JSON: the create/edit request */
     "  state TEXT NOT NULL DEFAULT 'ACTIVE',"
     "  created_at INTEGER NOT NULL);"},
    {3, "permissions",
     /* service principals live with users (kind), signing in with their tokens */
     "ALTER TABLE users ADD COLUMN kind TEXT NOT NULL DEFAULT 'user' "
     "  CHECK (kind IN ('user','service_principal'));"
     "ALTER TABLE users ADD COLUMN application_id TEXT;"
     "CREATE UNIQUE INDEX users_application_id ON users(application_id);"
     /* direct grants; a principal is a user/service principal ('user') or a group */
     "CREATE TABLE object_acls ("
     "  object_type TEXT NOT NULL," /* as in the REST path: clusters, cluster-policies, ... */
     "  object_id TEXT NOT NULL,"
     "  principal_kind TEXT NOT NULL CHECK (principal_kind IN ('user','group')),"
     "  principal_id INTEGER NOT NULL,"
     "  level TEXT NOT NULL,"
     "  PRIMARY KEY (object_type, object_id, principal_kind, principal_id));"
     "CREATE INDEX object_acls_principal ON object_acls(principal_kind, principal_id);"
     "CREATE TABLE object_owners ("
     "  object_type TEXT NOT NULL, object_id TEXT NOT NULL,"
     "  owner_id INTEGER NOT NULL," /* a user or service principal id */
     "  PRIMARY KEY (object_type, object_id));"
     "CREATE TRIGGER users_drop_acls AFTER DELETE ON users BEGIN "
     "  DELETE FROM object_acls WHERE principal_kind = 'user' AND principal_id = OLD.id; END;"
     "CREATE TRIGGER groups_drop_acls AFTER DELETE ON groups BEGIN "
     "  DELETE FROM object_acls WHERE principal_kind = 'group' AND principal_id = OLD.id; END;"
     "INSERT INTO object_owners(object_type, object_id, owner_id) "
     "  SELECT 'clusters', cluster_id, creator_user_id FROM clusters "
     "  WHERE creator_user_id IS NOT NULL;"
     /* the built-in group every user belongs to (membership is implicit) */
     "INSERT INTO groups(id, display_name, entitlements, created_at) "
     "  SELECT 1000000000000000 + abs(random() % 8000000000000000), 'users', "
     "  '[\"workspace-access\",\"databricks-sql-access\"]', "
     "  CAST(strftime('%s','now') AS INTEGER) * 1000 "
     "  WHERE NOT EXISTS (SELECT 1 FROM groups WHERE display_name = 'users');"},
    {4, "secrets",
     "CREATE TABLE secret_scopes ("
     "  id INTEGER PRIMARY KEY,"
     "  name TEXT NOT NULL UNIQUE,"
     "  backend_type TEXT NOT NULL DEFAULT 'DATABRICKS',"
     "  creator_user_name TEXT,"
     "  created_at INTEGER NOT NULL);"
     "CREATE TABLE secrets ("
     "  scope_id INTEGER NOT NULL REFERENCES secret_scopes(id) ON DELETE CASCADE,"
     "  key TEXT NOT NULL,"
     "  sealed TEXT NOT NULL," /* base64 of AES-256-GCM version|nonce|ciphertext|tag */
     "  last_updated_timestamp INTEGER NOT NULL,"
     "  PRIMARY KEY (scope_id, key));"
     "CREATE TABLE secret_acls ("
     "  scope_id INTEGER NOT NULL REFERENCES secret_scopes(id) ON DELETE CASCADE,"
     "  principal TEXT NOT NULL COLLATE NOCASE," /* a user name or group name */
     "  permission INTEGER NOT NULL CHECK (permission IN (1, 2, 3))," /* READ, WRITE, MANAGE */
     "  PRIMARY KEY (scope_id, principal));"},
    /* Unity Catalog objects (api/catalog) and SQL warehouses (api/sql). Each object is its
     * key columns plus `info`, the rest of its SDK-shaped JSON; names are stored lower-case.
     * Renames and deletes cascade down the hierarchy through the foreign keys. */
    {5, "catalog",
     "CREATE TABLE uc_catalogs (name TEXT PRIMARY KEY, info TEXT NOT NULL) WITHOUT ROWID;"
     "CREATE TABLE uc_schemas ("
     "  catalog TEXT NOT NULL REFERENCES uc_catalogs(name) ON DELETE CASCADE ON UPDATE CASCADE,"
     "  name TEXT NOT NULL, info TEXT NOT NULL,"
     "  PRIMARY KEY (catalog, name)) WITHOUT ROWID;"
     "CREATE TABLE uc_tables ("
     "  catalog TEXT NOT NULL, schema TEXT NOT NULL, name TEXT NOT NULL, info TEXT NOT NULL,"
     "  PRIMARY KEY (catalog, schema, name),"
     "  FOREIGN KEY (catalog, schema) REFERENCES uc_schemas(catalog, name)"
     "    ON DELETE CASCADE ON UPDATE CASCADE) WITHOUT ROWID;"
     "CREATE TABLE uc_volumes ("
     "  catalog TEXT NOT NULL, schema TEXT NOT NULL, name TEXT NOT NULL, info TEXT NOT NULL,"
     "  PRIMARY KEY (catalog, schema, name),"
     "  FOREIGN KEY (catalog, schema) REFERENCES uc_schemas(catalog, name)"
     "    ON DELETE CASCADE ON UPDATE CASCADE) WITHOUT ROWID;"
     "CREATE TABLE uc_functions ("
     "  catalog TEXT NOT NULL, schema TEXT NOT NULL, name TEXT NOT NULL, info TEXT NOT NULL,"
     "  PRIMARY KEY (catalog, schema, name),"
     "  FOREIGN KEY (catalog, schema) REFERENCES uc_schemas(catalog, name)"
     "    ON DELETE CASCADE ON UPDATE CASCADE) WITHOUT ROWID;"
     "CREATE TABLE sql_warehouses ("
     "  id TEXT PRIMARY KEY,"
     "  spec TEXT NOT NULL," /* JSON: the create/edit fields, normalized */
     "  state TEXT NOT NULL,"
     "  creator_name TEXT, creator_id INTEGER,"
     "  created_at INTEGER NOT NULL);"},
    /* MLflow tracking (api/mlflow): experiments, runs and what is logged to them, datasets,
     * logged models. Hot tables are WITHOUT ROWID keyed for their reads; metrics keep every
     * value (a repeat of the same key/timestamp/step/value is ignored) and latest_metrics
     * the newest per key (MLflow's rule: the largest (step, timestamp, value)), kept on every
     * log so searches join one row per run and key. NaN metrics store value 0 with is_nan.
     * The Default experiment row is made at start (its artifact location follows the
     * daemon's flags); every user may read and log to it through the `users` group. */
    {6, "mlflow_tracking",
     "CREATE TABLE mlflow_experiments ("
     "  experiment_id INTEGER PRIMARY KEY,"
     "  name TEXT NOT NULL UNIQUE,"
     "  artifact_location TEXT NOT NULL,"
     "  lifecycle_stage TEXT NOT NULL CHECK (lifecycle_stage IN ('active','deleted')),"
     "  creation_time INTEGER NOT NULL, last_update_time INTEGER NOT NULL,"
     "  creator_id INTEGER);"
     "CREATE TABLE mlflow_experiment_tags ("
     "  experiment_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
     "  PRIMARY KEY (experiment_id, key)) WITHOUT ROWID;"
     "CREATE TABLE mlflow_runs ("
     "  run_uuid TEXT PRIMARY KEY," /* 32 lowercase hex digits */
     "  experiment_id INTEGER NOT NULL, name TEXT, user_id TEXT,"
     "  status TEXT NOT NULL, start_time INTEGER, end_time INTEGER, deleted_time INTEGER,"
     "  artifact_uri TEXT NOT NULL,"
     "  lifecycle_stage TEXT NOT NULL CHECK (lifecycle_stage IN ('active','deleted'))"
     ") WITHOUT ROWID;"
     "CREATE INDEX mlflow_runs_experiment ON mlflow_runs(experiment_id, start_time, run_uuid);"
     "CREATE TABLE mlflow_metrics ("
     "  run_uuid TEXT NOT NULL, key TEXT NOT NULL, timestamp INTEGER NOT NULL,"
     "  step INTEGER NOT NULL, value REAL NOT NULL, is_nan INTEGER NOT NULL,"
     "  model_id TEXT, dataset_name TEXT, dataset_digest TEXT,"
     "  PRIMARY KEY (run_uuid, key, timestamp, step, value, is_nan)) WITHOUT ROWID;"
     "CREATE INDEX mlflow_metrics_model ON mlflow_metrics(model_id, key) "
     "  WHERE model_id IS NOT NULL;"
     "CREATE TABLE mlflow_latest_metrics ("
     "  run_uuid TEXT NOT NULL, key TEXT NOT NULL, value REAL NOT NULL,"
     "  timestamp INTEGER NOT NULL, step INTEGER NOT NULL, is_nan INTEGER NOT NULL,"
     "  PRIMARY KEY (run_uuid, key)) WITHOUT ROWID;"
     "CREATE INDEX mlflow_latest_metrics_key ON mlflow_latest_metrics(key, value);"
     "CREATE TABLE mlflow_params ("
     "  run_uuid TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
     "  PRIMARY KEY (run_uuid, key)) WITHOUT ROWID;"
     "CREATE INDEX mlflow_params_key ON mlflow_params(key, value);"
     "CREATE TABLE mlflow_tags ("
     "  run_uuid TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
     "  PRIMARY KEY (run_uuid, key)) WITHOUT ROWID;"
     "CREATE INDEX mlflow_tags_key ON mlflow_tags(key, value);"
     "CREATE TABLE mlflow_datasets ("
     "  dataset_uuid TEXT PRIMARY KEY, experiment_id INTEGER NOT NULL,"
     "  name TEXT NOT NULL, digest TEXT NOT NULL, source_type TEXT, source TEXT,"
     "  schema TEXT, profile TEXT,"
     "  UNIQUE (experiment_id, name, digest));"
     "CREATE TABLE mlflow_run_inputs (" /* datasets a run used, in logging order (rowid) */
     "  run_uuid TEXT NOT NULL, dataset_uuid TEXT NOT NULL,"
     "  UNIQUE (run_uuid, dataset_uuid));"
     "CREATE TABLE mlflow_input_tags ("
     "  run_uuid TEXT NOT NULL, dataset_uuid TEXT NOT NULL, key TEXT NOT NULL,"
     "  value TEXT NOT NULL, PRIMARY KEY (run_uuid, dataset_uuid, key)) WITHOUT ROWID;"
     "CREATE TABLE mlflow_run_model_inputs ("
     "  run_uuid TEXT NOT NULL, model_id TEXT NOT NULL, UNIQUE (run_uuid, model_id));"
     "CREATE TABLE mlflow_run_model_outputs ("
     "  run_uuid TEXT NOT NULL, model_id TEXT NOT NULL, step INTEGER NOT NULL,"
     "  UNIQUE (run_uuid, model_id));"
     "CREATE TABLE mlflow_logged_models ("
     "  model_id TEXT PRIMARY KEY," /* "m-" + 32 hex digits */
     "  experiment_id INTEGER NOT NULL, name TEXT NOT NULL, artifact_location TEXT NOT NULL,"
     "  creation_timestamp_ms INTEGER NOT NULL, last_updated_timestamp_ms INTEGER NOT NULL,"
     "  status TEXT NOT NULL, status_message TEXT,"
     "  lifecycle_stage TEXT NOT NULL CHECK (lifecycle_stage IN ('active','deleted')),"
     "  model_type TEXT, source_run_id TEXT, creator_id INTEGER) WITHOUT ROWID;"
     "CREATE INDEX mlflow_logged_models_experiment "
     "  ON mlflow_logged_models(experiment_id, creation_timestamp_ms);"
     "CREATE TABLE mlflow_logged_model_params ("
     "  model_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
     "  PRIMARY KEY (model_id, key)) WITHOUT ROWID;"
     "CREATE TABLE mlflow_logged_model_tags ("
     "  model_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
     "  PRIMARY KEY (model_id, key)) WITHOUT ROWID;"
     "INSERT INTO object_acls(object_type, object_id, principal_kind, principal_id, level) "
     "  SELECT 'experiments', '0', 'group', id, 'CAN_EDIT' FROM groups "
     "  WHERE display_name = 'users';"},
    {7, "mlflow_registry",
     /* api/mlflow/registry: models keyed by a stable id (their permission object id) */
     "CREATE TABLE mlr_models ("
     "  id TEXT PRIMARY KEY,"
     "  name TEXT NOT NULL UNIQUE,"
     "  description TEXT, user_id TEXT,"
     "  creation_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
     "  next_version INTEGER NOT NULL DEFAULT 1);" /* versions are never reused */
     "CREATE TABLE mlr_model_tags ("
     "  model_id TEXT NOT NULL REFERENCES mlr_models(id) ON DELETE CASCADE,"
     "  key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (model_id, key)) WITHOUT ROWID;"
     "CREATE TABLE mlr_versions ("
     "  model_id TEXT NOT NULL REFERENCES mlr_models(id) ON DELETE CASCADE,"
     "  version INTEGER NOT NULL,"
     "  stage TEXT NOT NULL DEFAULT 'None',"
     "  description TEXT, source TEXT NOT NULL, run_id TEXT, run_link TEXT,"
     "  status TEXT NOT NULL, status_message TEXT, user_id TEXT,"
     "  storage TEXT," /* where the copied artifacts live */
     "  creation_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
     "  PRIMARY KEY (model_id, version)) WITHOUT ROWID;"
     "CREATE INDEX mlr_versions_status ON mlr_versions(status);"
     "CREATE TABLE mlr_version_tags ("
     "  model_id TEXT NOT NULL, version INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
     "  PRIMARY KEY (model_id, version, key),"
     "  FOREIGN KEY (model_id, version) REFERENCES mlr_versions(model_id, version)"
     "    ON DELETE CASCADE) WITHOUT ROWID;"
     "CREATE TABLE mlr_aliases ("
     "  model_id TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL,"
     "  PRIMARY KEY (model_id, alias),"
     "  FOREIGN KEY (model_id, version) REFERENCES mlr_versions(model_id, version)"
     "    ON DELETE CASCADE) WITHOUT ROWID;"
     "CREATE TABLE mlr_activities (" /* comments, transition requests, activities */
     "  id TEXT PRIMARY KEY,"
     "  model_id TEXT NOT NULL, version INTEGER NOT NULL,"
     "  kind TEXT NOT NULL CHECK (kind IN ('comment','request','activity')),"
     "  activity_type TEXT, from_stage TEXT, to_stage TEXT, comment TEXT, system_comment TEXT,"
     "  user_id TEXT, is_open INTEGER NOT NULL DEFAULT 0,"
     "  creation_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
     "  FOREIGN KEY (model_id, version) REFERENCES mlr_versions(model_id, version)"
     "    ON DELETE CASCADE);"
     "CREATE INDEX mlr_activities_version ON mlr_activities(model_id, version, kind);"
     "CREATE TABLE mlr_webhooks ("
     "  id TEXT PRIMARY KEY,"
     "  model_name TEXT,"      /* NULL = registry-wide */
     "  events TEXT NOT NULL," /* JSON array of event names */
     "  description TEXT, status TEXT NOT NULL,"
     "  url TEXT NOT NULL, secret TEXT, authorization TEXT, ssl_verify INTEGER NOT NULL,"
     "  creation_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);"
     "CREATE TABLE mlr_deliveries (" /* the webhook outbox */
     "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
     "  webhook_id TEXT NOT NULL REFERENCES mlr_webhooks(id) ON DELETE CASCADE,"
     "  payload TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
     "  next_ms INTEGER NOT NULL, created_ms INTEGER NOT NULL);"
     "CREATE INDEX mlr_deliveries_next ON mlr_deliveries(next_ms);"},
    {8, "statements",
     /* the Statement Execution API's statements (api/sql/stmt_store.c): query history */
     "CREATE TABLE statements ("
     "  statement_id TEXT PRIMARY KEY,"
     "  state TEXT NOT NULL," /* PENDING RUNNING SUCCEEDED FAILED CANCELED CLOSED */
     "  statement_text TEXT NOT NULL,"
     "  user_id INTEGER NOT NULL,"
     "  user_name TEXT NOT NULL,"
     "  warehouse_id TEXT NOT NULL,"
     "  catalog TEXT, schema TEXT,"
     "  disposition TEXT NOT NULL," /* INLINE | EXTERNAL_LINKS */
     "  format TEXT NOT NULL,"      /* JSON_ARRAY | ARROW_STREAM | CSV */
     "  query_tags TEXT,"           /* JSON array of {key, value?} */
     "  statement_type TEXT,"
     "  submitted_ms INTEGER NOT NULL,"
     "  started_ms INTEGER, ended_ms INTEGER,"
     "  results_expire_ms INTEGER,"
     "  error_code TEXT, error_message TEXT, sql_state TEXT,"
     "  manifest TEXT," /* JSON, once SUCCEEDED */
     "  row_count INTEGER NOT NULL DEFAULT 0,"
     "  byte_count INTEGER NOT NULL DEFAULT 0,"
     "  metrics TEXT);" /* JSON: compilation/execution times, bytes and rows read, ... */
     "CREATE INDEX statements_by_start ON statements(submitted_ms, statement_id);"
     "CREATE INDEX statements_by_state ON statements(state, results_expire_ms);"
     "CREATE TABLE statement_lineage ("
     "  statement_id TEXT NOT NULL,"
     "  direction TEXT NOT NULL CHECK (direction IN ('input','output')),"
     "  table_name TEXT NOT NULL,"
     "  column_name TEXT);" /* NULL = the table as a whole */
     "CREATE INDEX statement_lineage_by_statement ON statement_lineage(statement_id);"
     "CREATE INDEX statement_lineage_by_table ON statement_lineage(table_name);"},
    {9, "workspace objects",
     /* the Workspace API's tree (api/workspace/ws_store.c): notebooks, files, directories */
     "CREATE TABLE ws_objects ("
     "  object_id INTEGER PRIMARY KEY AUTOINCREMENT,"        /* stable; never reused */
     "  parent_id INTEGER REFERENCES ws_objects(object_id)," /* NULL for the root */
     "  name TEXT NOT NULL,"        /* the last path segment ("" for the root) */
     "  path TEXT NOT NULL UNIQUE," /* absolute, canonical */
     "  object_type TEXT NOT NULL CHECK (object_type IN ('DIRECTORY','NOTEBOOK','FILE')),"
     "  language TEXT," /* notebooks: SQL PYTHON SCALA R */
     "  size INTEGER NOT NULL DEFAULT 0,"
     "  content BLOB,"      /* inline content (small objects) */
     "  content_file TEXT," /* else its file under DATA_DIR/workspace/objects/ */
     "  created_by INTEGER,"
     "  created_at INTEGER NOT NULL, modified_at INTEGER NOT NULL);"
     "CREATE UNIQUE INDEX ws_objects_child ON ws_objects(parent_id, name);"},
    {10, "mlflow run order",
     /* runs/search's default order (start_time DESC, run_uuid) straight from an index */
     "CREATE INDEX mlflow_runs_order "
     "  ON mlflow_runs(experiment_id, lifecycle_stage, start_time DESC, run_uuid);"},
    {11, "jobs",
     /* job definitions (api/jobs/job_defs.c); settings is the JobSettings JSON */
     "CREATE TABLE jobs ("
     "  job_id INTEGER PRIMARY KEY AUTOINCREMENT," /* never reused */
     "  name TEXT NOT NULL DEFAULT '',"            /* settings.name, for jobs/list?name= */
     "  settings TEXT NOT NULL,"
     "  creator_id INTEGER,"
     "  creator_user_name TEXT,"
     "  run_as_user_name TEXT,"                   /* NULL = the creator */
     "  created_time INTEGER NOT NULL,"           /* ms since the epoch */
     "  updated_time INTEGER NOT NULL DEFAULT 0," /* last create/update/reset (ms) */
     "  last_fired_ms INTEGER," /* the schedule's / periodic trigger's last fired tick */
     "  file_state TEXT);"      /* file-arrival trigger: {seen:{name:1}, fired_ms} */
     "CREATE INDEX jobs_name ON jobs(name, job_id);"},
    {12, "job runs",
     /* runs and task runs (api/jobs/run_*.c): one row per run and per task run attempt
      * (parent_run_id set), doc = the rendered Run / RunTask JSON, rewritten on every state
      * change (version only grows); ids of both share one sequence */
     "CREATE TABLE job_runs ("
     "  run_id INTEGER PRIMARY KEY,"
     "  parent_run_id INTEGER," /* NULL for a run */
     "  job_id INTEGER NOT NULL,"
     "  run_type TEXT NOT NULL DEFAULT '',"
     "  creator_user_name TEXT,"
     "  life_cycle_state TEXT NOT NULL,"
     "  start_time INTEGER NOT NULL," /* ms since the epoch */
     "  version INTEGER NOT NULL,"
     "  doc TEXT NOT NULL,"
     "  output TEXT,"   /* get-output fields (JSON) of a task run */
     "  private TEXT);" /* the engine's snapshot of a run (settings, overrides) for repair */
     "CREATE INDEX job_runs_job ON job_runs(job_id, run_id);"
     "CREATE INDEX job_runs_parent ON job_runs(parent_run_id);"
     "CREATE INDEX job_runs_state ON job_runs(life_cycle_state);"
     "CREATE TABLE job_run_tokens ("
     "  token TEXT PRIMARY KEY,"
     "  run_id INTEGER NOT NULL) WITHOUT ROWID;"},
    {13, "notification destinations",
     /* /api/2.0/notification-destinations (api/jobs/notif_dest.c); config is the JSON
      * config (secrets included: answers show only *_set) */
     "CREATE TABLE notification_destinations ("
     "  id TEXT PRIMARY KEY,"
     "  display_name TEXT NOT NULL DEFAULT '',"
     "  destination_type TEXT NOT NULL,"
     "  config TEXT NOT NULL,"
     "  created_time INTEGER NOT NULL) WITHOUT ROWID;"},
    {14, "job run events",
     /* what happened to a run beside its state (api/jobs/run_notify.c: notifications that
      * could not be delivered); runs/get shows them as `events` */
     "CREATE TABLE job_run_events ("
     "  run_id INTEGER NOT NULL,"
     "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
     "  time INTEGER NOT NULL," /* ms since the epoch */
     "  type TEXT NOT NULL,"    /* NOTIFICATION_UNDELIVERABLE */
     "  message TEXT NOT NULL);"
     "CREATE INDEX job_run_events_run ON job_run_events(run_id, seq);"},
    {15, "registry job webhooks",
     /* job_spec webhooks (api/mlflow/registry/webhooks.c): the job a webhook runs and the
      * workspace it lives in (NULL: this one); its token is the authorization column */
     "ALTER TABLE mlr_webhooks ADD COLUMN job_id TEXT;"
     "ALTER TABLE mlr_webhooks ADD COLUMN job_workspace_url TEXT;"},
};

const int lh_meta_migration_count = sizeof lh_meta_migrations / sizeof lh_meta_migrations[0];
