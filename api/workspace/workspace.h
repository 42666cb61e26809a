/*
 * workspace.h - the workspace area (api/workspace): DBFS (/api/2.0/dbfs/..., raw
 * /dbfs/<path>), the MLflow artifact proxy (/api/2.0/mlflow-artifacts/...) and the
 * Workspace API (/api/2.0/workspace/...: notebooks, files and folders). Its public interface
 * for other areas: artifact URIs (MLflow tracking's artifacts/list, the model registry's
 * copy of a version's source, jobs), and notebooks by workspace path (jobs run their cells;
 * the source format and its parser are in api/workspace/notebook.h, included here).
 *
 * Artifact URIs understood:
 *   dbfs:/<path>              a DBFS file or directory (DATA_DIR/dbfs/<path>)
 *   mlflow-artifacts:/<path>  the MLflow artifact proxy's store
 * Paths are '/'-separated; "..", ".", empty segments, percent-encoded separators and
 * symlinks leaving the root are refused with LH_E_INVALID. Another scheme is LH_E_INVALID
 * naming it.
 *
 * Thread-safe: every function may be called from any thread.
 */
#ifndef LH_API_WORKSPACE_H
#define LH_API_WORKSPACE_H

#include <jansson.h>
#include <stdint.h>

#include "api/api.h"
#include "api/workspace/notebook.h"

/* The area descriptor (api/area.h). */
extern const struct lh_area lh_workspace_area;

/* The entries directly under root_uri/rel_path (rel_path NULL or "" = the root itself), as
 * MLflow's ListArtifacts FileInfo: a new JSON array of {"path": relative to root_uri,
 * "is_dir": bool, "file_size": bytes (files only)}, sorted by path. A missing directory,
 * or rel_path naming a file, gives an empty array (MLflow's behaviour). */
lh_err lh_artifacts_list(lh_ctx_t *ctx, const char *root_uri, const char *rel_path, json_t **files,
                         lh_errbuf *eb);

/* Copy src_uri (a file or a directory tree) to dst_uri, replacing what is there. The copy
 * is complete or absent: it is built beside dst and moved into place. LH_E_NOT_FOUND when
 * src does not exist. */
lh_err lh_artifacts_copy(lh_ctx_t *ctx, const char *src_uri, const char *dst_uri, lh_errbuf *eb);

/* Delete uri (a file or a directory tree); a missing uri is LH_OK. */
lh_err lh_artifacts_delete(lh_ctx_t *ctx, const char *uri, lh_errbuf *eb);

/* Open the file at uri for reading: *fd (caller closes; lh_req_send_file takes it) and its
 * size. LH_E_NOT_FOUND when absent, LH_E_INVALID when it is a directory. */
lh_err lh_artifacts_open(lh_ctx_t *ctx, const char *uri, int *fd, uint64_t *size, lh_errbuf *eb);

/* The cells of the notebook at workspace path (absolute; "/Workspace/..." accepted), parsed
 * from its stored source (notebook.h), everything in arena. LH_E_NOT_FOUND when no object is
 * there, LH_E_INVALID for a bad path or an object that is not a notebook. No permission
 * check: callers acting for a principal check with lh_workspace_require first. Reads the
 * metastore (and the content's file): blocks briefly. */
lh_err lh_workspace_notebook_cells(lh_ctx_t *ctx, const char *path, lh_arena_t *arena,
                                   lh_notebook_t *cells, lh_errbuf *eb);

/* The stored bytes of the file or notebook at workspace path ("/Workspace/..." accepted),
 * in arena (*count bytes; a notebook's source as stored); *language (may be NULL) is a
 * notebook's language ("PYTHON", "SQL", ...) or NULL for a file. LH_E_NOT_FOUND when no
 * object is there, LH_E_INVALID for a bad path or a folder. No permission check. */
lh_err lh_workspace_read_file(lh_ctx_t *ctx, const char *path, lh_arena_t *arena,
                              const unsigned char **bytes, size_t *count, const char **language,
                              lh_errbuf *eb);

/* LH_OK when principal p holds at least level ("CAN_READ", "CAN_RUN", "CAN_EDIT",
 * "CAN_MANAGE") on the workspace object at path, counting what it inherits from its folders;
 * LH_E_PERMISSION naming the level otherwise; LH_E_NOT_FOUND when nothing is there. */
lh_err lh_workspace_require(lh_ctx_t *ctx, const lh_principal_t *p, const char *path,
                            const char *level, lh_errbuf *eb);

#endif
