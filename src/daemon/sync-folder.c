/* sync-folder.c: a folder mirror's file operations (see sync-folder.h). */
#include "config.h"

#include "sync-folder.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "share-hash.h"
#include "sync-plan.h"

#define MAX_FILES 65536   /* files read from one folder; more are left out of the mirror */

static gboolean
io_error (GError **error, int err, const char *what, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "cannot %s %s: %s", what, path,
               g_strerror (err));
  return FALSE;
}

static void
row_from_stat (SvSyncFileRow *row, const struct stat *st)
{
  SvShareStat s;

  sv_share_stat_from (&s, st);
  row->size = s.size;
  row->mtime_ns = s.mtime_ns;
}

/* --- Scan --- */

typedef struct {
  char *dir;
  GArray *known;    /* (element-type SvSyncFileRow) */
} ScanJob;

static void
scan_job_free (ScanJob *job)
{
  g_free (job->dir);
  g_array_unref (job->known);
  g_free (job);
}

static const SvSyncFileRow *
find_known (const GArray *known, const char *name)
{
  for (guint i = 0; i < known->len; i++)
    if (strcmp (g_array_index (known, SvSyncFileRow, i).name, name) == 0)
      return &g_array_index (known, SvSyncFileRow, i);
  return NULL;
}

static void
scan_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ScanJob *job = task_data;
  g_autoptr (GArray) out = g_array_new (FALSE, TRUE, sizeof (SvSyncFileRow));
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) d = g_dir_open (job->dir, 0, &error);
  const char *name;

  (void) source;
  g_array_set_clear_func (out, (GDestroyNotify) sv_sync_file_row_clear);
  if (d == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  while ((name = g_dir_read_name (d)) != NULL && out->len < MAX_FILES)
    {
      g_autofree char *path = g_build_filename (job->dir, name, NULL);
      const SvSyncFileRow *k;
      SvSyncFileRow row = { 0 };
      struct stat st;
      SvShareStat hs;

      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (strcmp (name, SV_SYNC_PLAN_STAGING) == 0 || lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      row_from_stat (&row, &st);
      k = find_known (job->known, name);
      if (k != NULL && k->size == row.size && k->mtime_ns == row.mtime_ns)
        {
          row.sha1 = k->sha1;
          row.placed = k->placed;
        }
      else if (sv_share_hash_file (path, NULL, &hs, &row.sha1, NULL, NULL, NULL) == SV_SHARE_HASH_OK)
        {
          row.size = hs.size;
          row.mtime_ns = hs.mtime_ns;
        }
      else
        continue;   /* changing or unreadable: left alone this time */
      row.name = g_strdup (name);
      g_array_append_val (out, row);
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_pointer (task, g_steal_pointer (&out), (GDestroyNotify) g_array_unref);
}

void
sv_sync_folder_scan_async (const char *dir, const GArray *known, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  ScanJob *job = g_new0 (ScanJob, 1);

  job->dir = g_strdup (dir);
  job->known = g_array_new (FALSE, TRUE, sizeof (SvSyncFileRow));
  g_array_set_clear_func (job->known, (GDestroyNotify) sv_sync_file_row_clear);
  for (guint i = 0; i < known->len; i++)
    {
      SvSyncFileRow r = g_array_index (known, SvSyncFileRow, i);

      r.name = g_strdup (r.name);
      g_array_append_val (job->known, r);
    }
  g_task_set_task_data (task, job, (GDestroyNotify) scan_job_free);
  g_task_run_in_thread (task, scan_thread);
}

GArray *
sv_sync_folder_scan_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- Changes --- */

char *
sv_sync_folder_staging (const char *dir, GError **error)
{
  char *staging = g_build_filename (dir, SV_SYNC_PLAN_STAGING, NULL);

  if (g_mkdir_with_parents (staging, 0700) != 0)
    {
      io_error (error, errno, "create", staging);
      g_free (staging);
      return NULL;
    }
  return staging;
}

/* Renames @from to @to, never over an existing file. */
static gboolean
rename_new (const char *from, const char *to, GError **error)
{
  if (renameat2 (AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
    return TRUE;
  if (errno == EINVAL || errno == ENOSYS)
    {
      /* A file system without RENAME_NOREPLACE: link then unlink keeps the same promise. */
      if (link (from, to) == 0)
        return unlink (from) == 0 || io_error (error, errno, "remove", from);
    }
  if (errno == EEXIST)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "%s exists; it is kept", to);
      return FALSE;
    }
  return io_error (error, errno, "move a file to", to);
}

/* Fills @out from @path. */
static gboolean
stat_row (const char *path, SvSyncFileRow *out, GError **error)
{
  struct stat st;

  if (stat (path, &st) != 0)
    return io_error (error, errno, "read", path);
  row_from_stat (out, &st);
  return TRUE;
}

/* TRUE when @path is still the version @expect describes. */
static gboolean
unchanged (const char *path, const SvSyncFileRow *expect)
{
  SvSyncFileRow now = { 0 };

  return stat_row (path, &now, NULL) && now.size == expect->size && now.mtime_ns == expect->mtime_ns;
}

gboolean
sv_sync_folder_place (const char *dir, const char *from, const char *name,
                      const SvSyncFileRow *replace, SvSyncFileRow *out, GError **error)
{
  g_autofree char *to = g_build_filename (dir, name, NULL);

  if (replace != NULL && unchanged (to, replace))
    {
      if (rename (from, to) != 0)
        return io_error (error, errno, "move a file to", to);
    }
  else if (!rename_new (from, to, error))
    return FALSE;
  return stat_row (to, out, error);
}

gboolean
sv_sync_folder_rename (const char *dir, const char *from, const char *to, GError **error)
{
  g_autofree char *a = g_build_filename (dir, from, NULL);
  g_autofree char *b = g_build_filename (dir, to, NULL);

  return rename_new (a, b, error);
}

gboolean
sv_sync_folder_copy (const char *dir, const char *from, const char *to, SvSyncFileRow *out,
                     GError **error)
{
  g_autofree char *staging = sv_sync_folder_staging (dir, error);
  g_autofree char *src = g_build_filename (dir, from, NULL);
  g_autofree char *tmp = NULL;
  g_autoptr (GFile) a = g_file_new_for_path (src);
  g_autoptr (GFile) b = NULL;

  if (staging == NULL)
    return FALSE;
  tmp = g_strdup_printf ("%s/copy-%u", staging, g_random_int ());
  b = g_file_new_for_path (tmp);
  if (!g_file_copy (a, b, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error))
    return FALSE;
  if (!sv_sync_folder_place (dir, tmp, to, NULL, out, error))
    {
      unlink (tmp);
      return FALSE;
    }
  return TRUE;
}

gboolean
sv_sync_folder_delete (const char *dir, const char *name, const SvSyncFileRow *expect,
                       GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  if (!unchanged (path, expect))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "%s changed; it is kept", path);
      return FALSE;
    }
  return unlink (path) == 0 || io_error (error, errno, "delete", path);
}
