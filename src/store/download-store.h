/* download-store.h: downloads kept across restarts, in SQLite (<state>/downloads.db).
 *
 * One row per download (its URN, name, size, state, where it went, the byte spans already
 * written to its partial file) and one per source (a firewalled one with its push proxies, so
 * that a resumed download can still push to it). The daemon writes a download's spans only
 * after the partial file's data are synced, so what the store says is here is on disk. */
#pragma once

#include <gio/gio.h>

#include "download-plan.h"
#include "urn.h"

#define SV_DOWNLOAD_STORE_ERROR (sv_download_store_error_quark ())
GQuark sv_download_store_error_quark (void);

typedef enum {
  SV_DOWNLOAD_STORE_ERROR_SQLITE,
} SvDownloadStoreError;

#define SV_DOWNLOAD_STORE_SCHEMA_VERSION 3

typedef struct _SvDownloadStore SvDownloadStore;

/* One download as stored. */
typedef struct {
  gint64 id;
  SvSha1 sha1;
  char *name;                 /* owned */
  guint64 size;
  char *state;                /* owned: "active", "paused", "complete", "failed" */
  char *path;                 /* owned (nullable): where the complete file went */
  char *error;                /* owned (nullable): why it failed */
  char *dir;                  /* owned (nullable): where it goes; NULL: the download folder */
  gint64 created_s;           /* wall clock */
  GArray *done;               /* (element-type guint64) pairs first, end */
  GArray *sources;            /* (element-type SvDownloadSourceInfo) */
} SvDownloadRow;

void sv_download_row_clear (SvDownloadRow *row);

/* Opens (creating if needed) @path. Returns: (transfer full) or NULL with @error. */
SvDownloadStore *sv_download_store_open (const char *path, GError **error);
void sv_download_store_free (SvDownloadStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvDownloadStore, sv_download_store_free)

/* Returns: (transfer full) (element-type SvDownloadRow) every download, oldest first; the array
 * clears its elements. NULL with @error. */
GArray *sv_download_store_load (SvDownloadStore *store, GError **error);

/* Adds a download (@dir: (nullable) its folder, NULL for the download folder). Returns: its id
 * (> 0), or 0 with @error (a URN already stored included). */
gint64 sv_download_store_add (SvDownloadStore *store, const SvSha1 *sha1, const char *name,
                              guint64 size, const char *dir, GError **error);
/* Updates state, path and error of @id. */
gboolean sv_download_store_set_state (SvDownloadStore *store, gint64 id, const char *state,
                                      const char *path, const char *error_text, GError **error);
/* Replaces the spans of @id with @done (pairs). */
gboolean sv_download_store_set_done (SvDownloadStore *store, gint64 id, const GArray *done,
                                     GError **error);
/* Adds or updates a source of @id. */
gboolean sv_download_store_add_source (SvDownloadStore *store, gint64 id,
                                       const SvDownloadSourceInfo *source, GError **error);
/* Forgets @id and its sources. */
gboolean sv_download_store_remove (SvDownloadStore *store, gint64 id, GError **error);
