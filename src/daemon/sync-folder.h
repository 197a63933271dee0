/* sync-folder.h: what a folder mirror does to its folder: read its top level (SHA-1 of each
 * regular file, hashed in a worker thread unless the size and modification time are the ones
 * already known), and place, rename, copy and delete files in it without ever overwriting a file
 * it was not told it may replace.
 *
 * Names are single path components inside the folder (core/sync-plan checked them). New names
 * are taken with renameat2(RENAME_NOREPLACE): a file that appeared under the name meanwhile is
 * kept and the call fails with G_IO_ERROR_EXISTS. */
#pragma once

#include <gio/gio.h>

#include "sync-store.h"

/* Reads @dir's top level (skipping the mirror's own staging folder and anything not a regular
 * file). @known: (element-type SvSyncFileRow) what the store knows (copied); a file whose size
 * and mtime match keeps its SHA-1 and placed flag, any other is hashed and counts as not placed.
 * @callback gets the result through sv_sync_folder_scan_finish(). */
void sv_sync_folder_scan_async (const char *dir, const GArray *known, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
/* Returns: (transfer full) (element-type SvSyncFileRow) the files, or NULL with @error (the
 * folder cannot be read). */
GArray *sv_sync_folder_scan_finish (GAsyncResult *result, GError **error);

/* Moves @from (a file in the staging folder, or anywhere on the same file system) to
 * @dir/@name. With @replace (nullable), an existing @name is replaced only while it is still the
 * version @replace describes (size and mtime); otherwise an existing name is never replaced.
 * @out: (out) the placed file's size and mtime. */
gboolean sv_sync_folder_place (const char *dir, const char *from, const char *name,
                               const SvSyncFileRow *replace, SvSyncFileRow *out, GError **error);
/* Renames @dir/@from to @dir/@to (never over an existing file). */
gboolean sv_sync_folder_rename (const char *dir, const char *from, const char *to, GError **error);
/* Copies @dir/@from to @dir/@to through a file in the staging folder (never over an existing
 * file). @out: (out) the copy's size and mtime. */
gboolean sv_sync_folder_copy (const char *dir, const char *from, const char *to,
                              SvSyncFileRow *out, GError **error);
/* Deletes @dir/@name while it is still the version @expect describes. */
gboolean sv_sync_folder_delete (const char *dir, const char *name, const SvSyncFileRow *expect,
                                GError **error);
/* Returns: (transfer full) the staging folder of @dir (created, 0700). NULL with @error. */
char *sv_sync_folder_staging (const char *dir, GError **error);
