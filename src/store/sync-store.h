/* sync-store.h: folder mirrors kept across restarts, in SQLite (<state>/sync.db).
 *
 * One row per mirror (its source, folder, options and how its last run went) and, per mirror,
 * one row per file in its folder that it knows: name, size and modification time (so that an
 * unchanged file is not hashed again), SHA-1, and whether the mirror placed it. A file is
 * recorded as placed right after it is renamed into the folder, so that a run killed at any
 * moment leaves the folder and this list agreeing, or the folder one file ahead (which the next
 * run finds by its SHA-1 and keeps). */
#pragma once

#include <gio/gio.h>

#include "urn.h"

#define SV_SYNC_STORE_ERROR (sv_sync_store_error_quark ())
GQuark sv_sync_store_error_quark (void);

typedef enum {
  SV_SYNC_STORE_ERROR_SQLITE,
  SV_SYNC_STORE_ERROR_EXISTS,      /* the folder is mirrored already */
} SvSyncStoreError;

#define SV_SYNC_STORE_SCHEMA_VERSION 1

typedef struct _SvSyncStore SvSyncStore;

/* One mirror as stored. */
typedef struct {
  gint64 id;
  char *source;              /* owned: "host:port" or a servent GUID (32 hex digits) */
  char *dir;                 /* owned: absolute path of the folder */
  gboolean delete_extra;     /* placed files the source dropped are deleted */
  guint interval_s;
  gint64 last_run_s;         /* wall clock of the last finished run (0: never) */
  char *last_error;          /* owned (nullable): why the last run failed */
  guint files, pending, conflicts;   /* as the last run left them */
  char *proxies;             /* owned (nullable): the source's push proxies, "ip:port,…" */
} SvSyncRow;

void sv_sync_row_clear (SvSyncRow *row);

/* One file of a mirror's folder as last seen. */
typedef struct {
  char *name;                /* owned */
  guint64 size;
  gint64 mtime_ns;
  SvSha1 sha1;
  gboolean placed;
} SvSyncFileRow;

void sv_sync_file_row_clear (SvSyncFileRow *row);

/* Opens (creating if needed) @path. Returns: (transfer full) or NULL with @error. */
SvSyncStore *sv_sync_store_open (const char *path, GError **error);
void sv_sync_store_free (SvSyncStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvSyncStore, sv_sync_store_free)

/* Returns: (transfer full) (element-type SvSyncRow) every mirror, oldest first; NULL with @error. */
GArray *sv_sync_store_load (SvSyncStore *store, GError **error);
/* Adds a mirror. Returns: its id (> 0), or 0 with @error (EXISTS when @dir is mirrored). */
gint64 sv_sync_store_add (SvSyncStore *store, const char *source, const char *dir,
                          gboolean delete_extra, guint interval_s, GError **error);
/* Forgets @id and its files. */
gboolean sv_sync_store_remove (SvSyncStore *store, gint64 id, GError **error);
/* Saves how a run of @id ended (@last_error: nullable). */
gboolean sv_sync_store_set_result (SvSyncStore *store, gint64 id, gint64 last_run_s,
                                   const char *last_error, guint files, guint pending,
                                   guint conflicts, GError **error);
/* Saves the push proxies of @id's source ("ip:port,…"; nullable). */
gboolean sv_sync_store_set_proxies (SvSyncStore *store, gint64 id, const char *proxies,
                                    GError **error);

/* Returns: (transfer full) (element-type SvSyncFileRow) the files known in @id's folder; NULL
 * with @error. */
GArray *sv_sync_store_files (SvSyncStore *store, gint64 id, GError **error);
/* Records (or updates) one file of @id. */
gboolean sv_sync_store_put_file (SvSyncStore *store, gint64 id, const SvSyncFileRow *file,
                                 GError **error);
/* Forgets one file of @id. */
gboolean sv_sync_store_drop_file (SvSyncStore *store, gint64 id, const char *name, GError **error);
