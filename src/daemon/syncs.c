/* syncs.c: folder mirrors (see syncs.h). */
#include "config.h"

#include "syncs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "browse-reader.h"
#include "http-client.h"
#include "sync-folder.h"
#include "sync-plan.h"
#include "sync-store.h"

#define TICK_MS        1000
#define FIRST_RUN_US   (G_GINT64_CONSTANT (2) * G_USEC_PER_SEC)   /* after the daemon starts */

G_DEFINE_QUARK (sv-syncs-error-quark, sv_syncs_error)

typedef enum { IDLE, BROWSING, SCANNING, FETCHING } Phase;
static const char *const phase_names[] = { "idle", "browsing", "scanning", "fetching" };

typedef struct _Sync Sync;

/* One file to fetch and place. */
typedef struct {
  guint remote;             /* index in the browse answer */
  char *name;               /* where it goes in the folder */
  gboolean conflict;        /* @name is a conflict copy's */
  gboolean has_replace;     /* it replaces a placed, unchanged file … */
  SvSyncFileRow replace;    /* … this one (name borrowed from nowhere: NULL) */
  gint64 download;          /* 0: not started */
  gboolean ours;            /* the download was started for the mirror (forget it once placed) */
} Fetch;

struct _Sync {
  SvSyncs *syncs;
  gint64 id;
  char *source, *dir, *staging;
  gboolean delete_extra;
  guint interval_s;
  gint64 last_run_s;
  char *last_error;
  guint files, pending, conflicts;
  guint skipped;            /* the last run's source files a mirror cannot hold (not stored) */
  guint64 runs;
  gint64 next_us;           /* monotonic: when the next run is due */
  gboolean again;           /* asked to run while running */

  gboolean by_guid;
  SvGuid guid;
  char *proxies;            /* the source's push proxies, "ip:port,…" (nullable) */

  /* The run in progress. */
  Phase phase;
  SvBrowseReader *reader;
  guint64 request;          /* the browse (http-client id; 0: none) */
  gint64 giv_deadline_us;   /* waiting for the source's GIV (0: not) */
  GCancellable *cancel;
  GQueue queue;             /* (element-type Fetch) not started */
  GPtrArray *fetching;      /* (element-type Fetch) downloads in progress */
  guint failed;             /* files that could not be placed this run */
  guint64 fetch_bytes;      /* bytes the run set out to fetch */
  guint64 placed_bytes;     /* of those, bytes placed */
  char *run_error;
};

struct _SvSyncs {
  SvSyncsConfig cfg;
  char *user_agent;
  SvSyncStore *store;
  SvHttpClient *http;
  GPtrArray *syncs;         /* (element-type Sync) (owned) oldest first */
  guint tick;
};

static void start_run (Sync *s);
static void end_run (Sync *s);
static void pump (Sync *s);

/* --- Helpers --- */

static void
fetch_free (gpointer data)
{
  Fetch *f = data;

  g_free (f->name);
  g_free (f);
}

static void
note_error (Sync *s, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

/* Keeps the first error of the run (the one the user sees), logs each. */
static void
note_error (Sync *s, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start (ap, fmt);
  text = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_message ("sync %" G_GINT64_FORMAT " (%s): %s", s->id, s->dir, text);
  if (s->run_error == NULL)
    s->run_error = g_steal_pointer (&text);
}

/* Stops what the run is doing; its results are dropped. */
static void
clear_run (Sync *s)
{
  if (s->request != 0)
    sv_http_client_cancel (s->syncs->http, s->request);
  s->request = 0;
  s->giv_deadline_us = 0;
  if (s->cancel != NULL)
    {
      g_cancellable_cancel (s->cancel);
      g_clear_object (&s->cancel);
    }
  g_clear_pointer (&s->reader, sv_browse_reader_free);
  g_queue_clear_full (&s->queue, fetch_free);
  g_ptr_array_set_size (s->fetching, 0);
  g_clear_pointer (&s->run_error, g_free);
  s->failed = 0;
  s->fetch_bytes = s->placed_bytes = 0;
}

static void
sync_free (gpointer data)
{
  Sync *s = data;

  clear_run (s);
  g_ptr_array_unref (s->fetching);
  g_free (s->source);
  g_free (s->dir);
  g_free (s->staging);
  g_free (s->last_error);
  g_free (s->proxies);
  g_free (s);
}

static Sync *
find_id (SvSyncs *syncs, gint64 id)
{
  for (guint i = 0; i < syncs->syncs->len; i++)
    if (((Sync *) g_ptr_array_index (syncs->syncs, i))->id == id)
      return g_ptr_array_index (syncs->syncs, i);
  return NULL;
}

/* "host:port" with a host of letters, digits, '.', '-' or an address in brackets. */
static gboolean
host_port_ok (const char *source)
{
  SvHostAddr a;
  const char *colon = strrchr (source, ':');
  guint64 port;

  if (sv_host_addr_parse (source, strlen (source), 0, &a) == SV_STATUS_OK)
    return a.port != 0;
  if (colon == NULL || colon == source
      || !g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
    return FALSE;
  for (const char *p = source; p < colon; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
      return FALSE;
  return TRUE;
}

static Sync *
sync_new (SvSyncs *syncs, const SvSyncRow *row)
{
  Sync *s = g_new0 (Sync, 1);

  s->syncs = syncs;
  s->id = row->id;
  s->source = g_strdup (row->source);
  s->dir = g_strdup (row->dir);
  s->staging = g_build_filename (row->dir, SV_SYNC_PLAN_STAGING, NULL);
  s->delete_extra = row->delete_extra;
  s->interval_s = row->interval_s;
  s->last_run_s = row->last_run_s;
  s->last_error = g_strdup (row->last_error);
  s->files = row->files;
  s->pending = row->pending;
  s->conflicts = row->conflicts;
  s->proxies = g_strdup (row->proxies);
  s->by_guid = strlen (row->source) == SV_GUID_HEX_LEN
               && sv_guid_from_hex (row->source, SV_GUID_HEX_LEN, &s->guid);
  s->fetching = g_ptr_array_new_with_free_func (fetch_free);
  g_queue_init (&s->queue);
  g_ptr_array_add (syncs->syncs, s);
  return s;
}

/* --- Browsing the source --- */

static gboolean
on_browse_data (const guint8 *data, gsize len, gpointer user_data)
{
  Sync *s = user_data;

  return sv_browse_reader_feed (s->reader, data, len) == SV_BROWSE_READER_OK;
}

static void on_scanned (GObject *source, GAsyncResult *res, gpointer user_data);

/* The push proxies a browse answer names for its host, into @out. */
static void
host_proxies (const SvBrowseHost *host, SvDownloadSourceInfo *out)
{
  for (guint i = 0; i < host->n_push_proxies && out->n_proxies < SV_DOWNLOAD_PLAN_MAX_PROXIES; i++)
    sv_host_addr_set_ipv4 (&out->proxies[out->n_proxies++], host->push_proxies[i].ip,
                           host->push_proxies[i].port);
}

/* Keeps the source's push proxies (in sync.db too) for the PUSH of the next browse. */
static void
remember_proxies (Sync *s, const SvBrowseHost *host)
{
  SvDownloadSourceInfo src = { 0 };
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;

  host_proxies (host, &src);
  text = sv_download_plan_proxies_format (&src);
  if (text[0] == '\0' || g_strcmp0 (text, s->proxies) == 0)
    return;
  g_free (s->proxies);
  s->proxies = g_steal_pointer (&text);
  if (!sv_sync_store_set_proxies (s->syncs->store, s->id, s->proxies, &error))
    g_warning ("%s", error->message);
}

static void
on_browse_done (guint status, const GError *error, gpointer user_data)
{
  Sync *s = user_data;
  g_autoptr (GError) e = NULL;
  g_autoptr (GArray) known = NULL;

  (void) status;   /* a failure says enough through @error */
  s->request = 0;
  if (error != NULL || !sv_browse_reader_finish (s->reader))
    {
      SvBrowseReaderVerdict v = sv_browse_reader_feed (s->reader, NULL, 0);

      if (v == SV_BROWSE_READER_FULL)
        note_error (s, "the source shares more than %u files; a mirror holds at most that many",
                    SV_BROWSE_READER_MAX_FILES);
      else if (v == SV_BROWSE_READER_BAD)
        note_error (s, "the source's browse answer does not decode");
      else
        note_error (s, "browsing the source failed: %s",
                    error != NULL ? error->message : "the answer was cut short");
      end_run (s);
      return;
    }
  remember_proxies (s, sv_browse_reader_host (s->reader));
  known = sv_sync_store_files (s->syncs->store, s->id, &e);
  if (known == NULL)
    {
      note_error (s, "%s", e->message);
      end_run (s);
      return;
    }
  s->phase = SCANNING;
  s->cancel = g_cancellable_new ();
  sv_sync_folder_scan_async (s->dir, known, s->cancel, on_scanned, s);
}

static const SvHttpFetchCallbacks browse_callbacks = {
  .data = on_browse_data,
  .done = on_browse_done,
};

static void
browse (Sync *s, const char *host_port, int fd)
{
  static const char *const headers[] = { "Accept: application/x-gnutella-packets", NULL };
  g_autofree char *url = g_strdup_printf ("http://%s/", host_port);
  SvHttpFetchOptions opt;

  sv_http_fetch_options_init (&opt);
  opt.headers = headers;
  opt.socket_fd = fd;
  s->request = sv_http_client_fetch (s->syncs->http, url, &opt, &browse_callbacks, s);
}

/* The source as a download source (where files are fetched from). */
static void
source_info (Sync *s, const SvBrowseFile *file, SvDownloadSourceInfo *out)
{
  const SvBrowseHost *host = sv_browse_reader_host (s->reader);

  memset (out, 0, sizeof *out);
  out->servent = host->servent;
  out->index = file->index;
  if (!s->by_guid && sv_host_addr_parse (s->source, strlen (s->source), 0, &out->addr) == SV_STATUS_OK)
    return;   /* browsed there directly: fetched there directly */
  sv_host_addr_set_ipv4 (&out->addr, host->ip, host->port);
  out->firewalled = s->by_guid && host->firewalled;
  host_proxies (host, out);
}

/* A PUSH asking the source to connect to us so that we browse it. */
static gboolean
ask_for_giv (Sync *s)
{
  SvDownloadSourceInfo src = { 0 };

  src.servent = s->guid;
  src.firewalled = TRUE;
  src.index = SV_SYNCS_BROWSE_INDEX;
  sv_download_plan_proxies_parse (s->proxies, &src);
  return sv_downloads_ask_push (s->syncs->cfg.downloads, &src);
}

/* Downloads left by an earlier run in the staging folder that ended: forgotten (a complete one's
 * file stays staged and is placed from there). */
static void
forget_finished_downloads (Sync *s)
{
  g_autoptr (GArray) list = sv_downloads_list (s->syncs->cfg.downloads);

  for (guint i = 0; i < list->len; i++)
    {
      const SvDownloadInfo *d = &g_array_index (list, SvDownloadInfo, i);

      if (g_strcmp0 (d->dir, s->staging) == 0
          && (strcmp (d->state, "complete") == 0 || strcmp (d->state, "failed") == 0))
        (void) sv_downloads_cancel (s->syncs->cfg.downloads, d->id, NULL);
    }
}

static void
start_run (Sync *s)
{
  clear_run (s);
  s->again = FALSE;
  s->reader = sv_browse_reader_new ();
  s->phase = BROWSING;
  if (g_mkdir_with_parents (s->dir, 0755) != 0)
    {
      note_error (s, "cannot create %s: %s", s->dir, g_strerror (errno));
      end_run (s);
      return;
    }
  forget_finished_downloads (s);
  g_info ("sync %" G_GINT64_FORMAT ": browsing %s", s->id, s->source);
  if (!s->by_guid)
    {
      browse (s, s->source, -1);
      return;
    }
  if (!ask_for_giv (s))
    {
      note_error (s, "no way to reach servent %s is known: search for one of its files first, or give its host:port",
                  s->source);
      end_run (s);
      return;
    }
  s->giv_deadline_us = g_get_monotonic_time () + SV_SYNCS_GIV_WAIT_US;
}

gboolean
sv_syncs_giv (SvSyncs *syncs, const SvGiv *giv, int fd, const SvHostAddr *remote)
{
  for (guint i = 0; i < syncs->syncs->len; i++)
    {
      Sync *s = g_ptr_array_index (syncs->syncs, i);
      char a[SV_HOST_ADDR_STRLEN];

      if (s->phase != BROWSING || s->giv_deadline_us == 0 || giv->index != SV_SYNCS_BROWSE_INDEX
          || !sv_guid_equal (&s->guid, &giv->guid))
        continue;
      s->giv_deadline_us = 0;
      g_info ("sync %" G_GINT64_FORMAT ": GIV from the source, browsing it on that connection", s->id);
      browse (s, sv_host_addr_format (remote, TRUE, a), fd);
      return TRUE;
    }
  return FALSE;
}

/* --- Planning and the quick changes --- */

static void
put_file (Sync *s, const SvSyncFileRow *row)
{
  g_autoptr (GError) error = NULL;

  if (!sv_sync_store_put_file (s->syncs->store, s->id, row, &error))
    g_warning ("%s", error->message);
}

static void
drop_file (Sync *s, const char *name)
{
  g_autoptr (GError) error = NULL;

  if (!sv_sync_store_drop_file (s->syncs->store, s->id, name, &error))
    g_warning ("%s", error->message);
}

/* The store learns the folder as it is: rows for files gone are dropped, the others saved. */
static void
record_scan (Sync *s, const GArray *local)
{
  g_autoptr (GArray) known = sv_sync_store_files (s->syncs->store, s->id, NULL);

  for (guint i = 0; known != NULL && i < known->len; i++)
    {
      const char *name = g_array_index (known, SvSyncFileRow, i).name;
      gboolean here = FALSE;

      for (guint j = 0; j < local->len && !here; j++)
        here = strcmp (g_array_index (local, SvSyncFileRow, j).name, name) == 0;
      if (!here)
        drop_file (s, name);
    }
  for (guint i = 0; i < local->len; i++)
    put_file (s, &g_array_index (local, SvSyncFileRow, i));
}

static void
queue_fetch (Sync *s, const SvSyncAction *a, const SvSyncRemote *remote, const SvSyncFileRow *local)
{
  Fetch *f = g_new0 (Fetch, 1);

  f->remote = a->remote;
  f->conflict = a->kind == SV_SYNC_CONFLICT;
  f->name = f->conflict ? sv_sync_plan_conflict_name (remote[a->remote].name, &remote[a->remote].sha1)
                        : g_strdup (remote[a->remote].name);
  s->fetch_bytes += remote[a->remote].size;
  if (a->kind == SV_SYNC_REPLACE)
    {
      f->has_replace = TRUE;
      f->replace = local[a->local];
      f->replace.name = NULL;
    }
  g_queue_push_tail (&s->queue, f);
}

/* Carries out one action that needs no download. */
static void
apply (Sync *s, const SvSyncAction *a, const SvSyncRemote *remote, GArray *local)
{
  SvSyncFileRow *l = a->kind != SV_SYNC_FETCH ? &g_array_index (local, SvSyncFileRow, a->local) : NULL;
  g_autoptr (GError) error = NULL;
  SvSyncFileRow row = { 0 };

  switch (a->kind)
    {
    case SV_SYNC_KEEP:
      if (!l->placed)
        {
          l->placed = TRUE;
          put_file (s, l);
        }
      return;
    case SV_SYNC_RENAME:
      if (!sv_sync_folder_rename (s->dir, l->name, remote[a->remote].name, &error))
        break;
      g_info ("sync %" G_GINT64_FORMAT ": renamed %s to %s, as the source did", s->id, l->name,
              remote[a->remote].name);
      drop_file (s, l->name);
      row = *l;
      row.name = (char *) remote[a->remote].name;
      put_file (s, &row);
      return;
    case SV_SYNC_COPY:
      if (!sv_sync_folder_copy (s->dir, l->name, remote[a->remote].name, &row, &error))
        break;
      row.name = (char *) remote[a->remote].name;
      row.sha1 = l->sha1;
      row.placed = TRUE;
      put_file (s, &row);
      return;
    case SV_SYNC_DELETE:
      if (!sv_sync_folder_delete (s->dir, l->name, l, &error))
        break;
      g_info ("sync %" G_GINT64_FORMAT ": deleted %s, gone from the source", s->id, l->name);
      drop_file (s, l->name);
      return;
    case SV_SYNC_FETCH:
    case SV_SYNC_REPLACE:
    case SV_SYNC_CONFLICT:
      queue_fetch (s, a, remote, (const SvSyncFileRow *) (const void *) local->data);
      return;
    }
  s->failed++;
  note_error (s, "%s", error->message);
}

static void
on_scanned (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) local = sv_sync_folder_scan_finish (res, &error);
  g_autoptr (GArray) actions = NULL;
  g_autofree SvSyncRemote *remote = NULL;
  g_autofree SvSyncLocal *mine = NULL;
  const GArray *files;
  SvSyncPlanCounts counts;
  Sync *s = user_data;

  (void) source;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* the mirror is gone or restarted: @s may be too */
  g_clear_object (&s->cancel);
  if (local == NULL)
    {
      note_error (s, "%s", error->message);
      end_run (s);
      return;
    }
  record_scan (s, local);
  files = sv_browse_reader_files (s->reader);
  remote = g_new0 (SvSyncRemote, files->len + 1);
  for (guint i = 0; i < files->len; i++)
    {
      const SvBrowseFile *f = &g_array_index (files, SvBrowseFile, i);

      remote[i] = (SvSyncRemote) { .name = f->name, .size = f->size, .sha1 = f->sha1 };
    }
  mine = g_new0 (SvSyncLocal, local->len + 1);
  for (guint i = 0; i < local->len; i++)
    {
      const SvSyncFileRow *l = &g_array_index (local, SvSyncFileRow, i);

      mine[i] = (SvSyncLocal) { .name = l->name, .size = l->size, .sha1 = l->sha1, .placed = l->placed };
    }
  /* A source that shares nothing at all is more likely starting up (its index not read yet)
   * than emptied on purpose: nothing is deleted on its word. */
  if (s->delete_extra && files->len == 0)
    note_error (s, "the source shares no file; nothing was deleted");
  actions = sv_sync_plan (remote, files->len, mine, local->len, s->delete_extra && files->len > 0, &counts);
  s->files = files->len - counts.skipped_names - counts.duplicates;
  s->skipped = counts.skipped_names + counts.duplicates + sv_browse_reader_skipped (s->reader);
  s->conflicts = counts.conflicts;
  for (guint i = 0; i < actions->len; i++)
    apply (s, &g_array_index (actions, SvSyncAction, i), remote, local);
  s->phase = FETCHING;
  pump (s);
}

/* --- Fetching and placing --- */

/* Moves the complete file @staged into place for @f. Returns: FALSE (error noted) if it stays. */
static gboolean
place (Sync *s, Fetch *f, const char *staged)
{
  const SvBrowseFile *file = &g_array_index (sv_browse_reader_files (s->reader), SvBrowseFile, f->remote);
  g_autoptr (GError) error = NULL;
  SvSyncFileRow row = { 0 };

  if (!sv_sync_folder_place (s->dir, staged, f->name, f->has_replace ? &f->replace : NULL, &row, &error)
      && !f->conflict && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      /* A file of the user's came under the name meanwhile (or the one replaced changed). */
      g_clear_error (&error);
      g_free (f->name);
      f->name = sv_sync_plan_conflict_name (file->name, &file->sha1);
      f->conflict = TRUE;
      s->conflicts++;
      (void) sv_sync_folder_place (s->dir, staged, f->name, NULL, &row, &error);
    }
  if (error != NULL)
    {
      s->failed++;
      note_error (s, "%s", error->message);
      return FALSE;
    }
  row.name = f->name;
  row.sha1 = file->sha1;
  row.placed = TRUE;
  put_file (s, &row);
  s->placed_bytes += file->size;
  if (f->conflict)
    g_message ("sync %" G_GINT64_FORMAT ": %s differs from the source's; the source's copy is %s",
               s->id, file->name, f->name);
  else
    g_info ("sync %" G_GINT64_FORMAT ": placed %s", s->id, f->name);
  return TRUE;
}

/* The name a file has in the staging folder: its SHA-1 in base32. */
static char *
staged_path (Sync *s, const SvSha1 *sha1)
{
  g_autofree char *b32 = sv_base32_encode (sha1->b, sizeof sha1->b);

  return g_build_filename (s->staging, b32, NULL);
}

/* Starts @f's download, or places it at once when it is staged already. Returns: TRUE when a
 * download runs for it. */
static gboolean
start_fetch (Sync *s, Fetch *f)
{
  const SvBrowseFile *file = &g_array_index (sv_browse_reader_files (s->reader), SvBrowseFile, f->remote);
  g_autofree char *b32 = sv_base32_encode (file->sha1.b, sizeof file->sha1.b);
  g_autofree char *staged = g_build_filename (s->staging, b32, NULL);   /* as staged_path () */
  g_autoptr (GError) error = NULL;
  g_autofree char *staging = NULL;
  SvDownloadSourceInfo src;
  SvDownloadInfo info = { 0 };
  struct stat st;

  if (stat (staged, &st) == 0 && (guint64) st.st_size == file->size)
    {
      (void) place (s, f, staged);
      return FALSE;
    }
  staging = sv_sync_folder_staging (s->dir, &error);
  if (staging == NULL)
    {
      s->failed++;
      note_error (s, "%s", error->message);
      return FALSE;
    }
  source_info (s, file, &src);
  f->download = sv_downloads_add_to (s->syncs->cfg.downloads, staging, &file->sha1, b32, file->size,
                                     &src, 1, &error);
  if (f->download == 0)
    {
      s->failed++;
      note_error (s, "%s: %s", file->name, error->message);
      return FALSE;
    }
  if (sv_downloads_get (s->syncs->cfg.downloads, f->download, &info))
    f->ours = g_strcmp0 (info.dir, staging) == 0;
  sv_download_info_clear (&info);
  return TRUE;
}

/* Starts downloads until SV_SYNCS_FETCHING run; ends the run when nothing is left. */
static void
pump (Sync *s)
{
  while (s->fetching->len < SV_SYNCS_FETCHING && !g_queue_is_empty (&s->queue))
    {
      Fetch *f = g_queue_pop_head (&s->queue);

      if (start_fetch (s, f))
        g_ptr_array_add (s->fetching, f);
      else
        fetch_free (f);
    }
  if (s->fetching->len == 0 && g_queue_is_empty (&s->queue))
    end_run (s);
}

/* A download that is not the mirror's (the same file asked for by the user) ended at @path:
 * copied to the staging folder. Returns: (transfer full) the staged copy, or NULL (noted). */
static char *
stage_copy (Sync *s, const char *path, const SvSha1 *sha1)
{
  g_autofree char *staged = staged_path (s, sha1);
  g_autofree char *tmp = g_strconcat (staged, ".copy", NULL);
  g_autoptr (GFile) from = g_file_new_for_path (path);
  g_autoptr (GFile) to = g_file_new_for_path (tmp);
  g_autoptr (GError) error = NULL;

  if (!g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error) || rename (tmp, staged) != 0)
    {
      unlink (tmp);
      s->failed++;
      note_error (s, "cannot copy %s: %s", path, error != NULL ? error->message : g_strerror (errno));
      return NULL;
    }
  return g_steal_pointer (&staged);
}

/* Looks at each download of @s; places what completed. */
static void
poll_fetches (Sync *s)
{
  SvDownloads *dl = s->syncs->cfg.downloads;

  for (guint i = 0; i < s->fetching->len;)
    {
      Fetch *f = g_ptr_array_index (s->fetching, i);
      SvDownloadInfo info = { 0 };
      gboolean done = TRUE;

      if (!sv_downloads_get (dl, f->download, &info))
        {
          s->failed++;
          note_error (s, "%s: its download was cancelled", f->name);
        }
      else if (strcmp (info.state, "complete") == 0 && info.path != NULL)
        {
          g_autofree char *staged = f->ours ? g_strdup (info.path) : stage_copy (s, info.path, &info.sha1);

          if (staged != NULL)
            (void) place (s, f, staged);
        }
      else if (strcmp (info.state, "failed") == 0)
        {
          s->failed++;
          note_error (s, "%s: %s", f->name, info.error != NULL ? info.error : "the download failed");
        }
      else
        done = FALSE;
      if (done && f->ours && info.state != NULL)
        (void) sv_downloads_cancel (dl, f->download, NULL);
      sv_download_info_clear (&info);
      if (done)
        g_ptr_array_remove_index (s->fetching, i);
      else
        i++;
    }
}

static void
end_run (Sync *s)
{
  g_autoptr (GError) error = NULL;
  guint left = g_queue_get_length (&s->queue) + s->fetching->len;

  s->pending = s->phase == FETCHING ? s->failed + left : s->pending;
  s->phase = IDLE;
  s->runs++;
  s->last_run_s = g_get_real_time () / G_USEC_PER_SEC;
  g_free (s->last_error);
  s->last_error = g_steal_pointer (&s->run_error);
  if (!sv_sync_store_set_result (s->syncs->store, s->id, s->last_run_s, s->last_error, s->files,
                                 s->pending, s->conflicts, &error))
    g_warning ("%s", error->message);
  g_info ("sync %" G_GINT64_FORMAT ": run done: %u file(s), %u pending, %u conflict(s)%s%s", s->id,
          s->files, s->pending, s->conflicts, s->last_error ? "; " : "", s->last_error ? s->last_error : "");
  s->next_us = g_get_monotonic_time () + (s->again ? 0 : (gint64) s->interval_s * G_USEC_PER_SEC);
  clear_run (s);
}

static gboolean
on_tick (gpointer user_data)
{
  SvSyncs *syncs = user_data;
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < syncs->syncs->len; i++)
    {
      Sync *s = g_ptr_array_index (syncs->syncs, i);

      if (s->phase == IDLE && now >= s->next_us)
        start_run (s);
      else if (s->phase == BROWSING && s->giv_deadline_us != 0 && now >= s->giv_deadline_us)
        {
          note_error (s, "the source did not answer the PUSH within %d s",
                      (int) (SV_SYNCS_GIV_WAIT_US / G_USEC_PER_SEC));
          end_run (s);
        }
      else if (s->phase == FETCHING)
        {
          poll_fetches (s);
          pump (s);
        }
    }
  return G_SOURCE_CONTINUE;
}

/* --- Public API --- */

SvSyncs *
sv_syncs_new (const SvSyncsConfig *config, GError **error)
{
  g_autofree char *db = g_build_filename (config->state_dir, "sync.db", NULL);
  g_autoptr (GArray) rows = NULL;
  SvSyncs *syncs = g_new0 (SvSyncs, 1);
  gint64 now = g_get_monotonic_time ();

  syncs->cfg = *config;
  syncs->cfg.state_dir = NULL;
  syncs->user_agent = g_strdup (config->user_agent);
  syncs->syncs = g_ptr_array_new_with_free_func (sync_free);
  syncs->store = sv_sync_store_open (db, error);
  if (syncs->store == NULL || (rows = sv_sync_store_load (syncs->store, error)) == NULL)
    {
      sv_syncs_free (syncs);
      return NULL;
    }
  g_array_set_clear_func (rows, (GDestroyNotify) sv_sync_row_clear);
  syncs->http = sv_http_client_new (syncs->user_agent);
  for (guint i = 0; i < rows->len; i++)
    sync_new (syncs, &g_array_index (rows, SvSyncRow, i))->next_us = now + FIRST_RUN_US;
  syncs->tick = g_timeout_add (TICK_MS, on_tick, syncs);
  return syncs;
}

void
sv_syncs_free (SvSyncs *syncs)
{
  if (syncs == NULL)
    return;
  if (syncs->tick != 0)
    g_source_remove (syncs->tick);
  g_ptr_array_unref (syncs->syncs);
  sv_http_client_free (syncs->http);
  sv_sync_store_free (syncs->store);
  g_free (syncs->user_agent);
  g_free (syncs);
}

gint64
sv_syncs_add (SvSyncs *syncs, const char *source, const char *dir, gboolean delete_extra,
              guint interval_s, GError **error)
{
  SvGuid guid;
  SvSyncRow row = { 0 };
  GError *e = NULL;
  gboolean is_guid = strlen (source) == SV_GUID_HEX_LEN && sv_guid_from_hex (source, SV_GUID_HEX_LEN, &guid);

  if (!is_guid && !host_port_ok (source))
    {
      g_set_error (error, SV_SYNCS_ERROR, SV_SYNCS_ERROR_INVALID,
                   "the source '%s' is neither host:port nor a servent GUID (32 hex digits)", source);
      return 0;
    }
  if (!g_path_is_absolute (dir))
    {
      g_set_error (error, SV_SYNCS_ERROR, SV_SYNCS_ERROR_INVALID, "the folder '%s' is not an absolute path", dir);
      return 0;
    }
  if (interval_s == 0)
    interval_s = SV_SYNCS_DEFAULT_INTERVAL_S;
  if (interval_s < SV_SYNCS_MIN_INTERVAL_S || interval_s > SV_SYNCS_MAX_INTERVAL_S)
    {
      g_set_error (error, SV_SYNCS_ERROR, SV_SYNCS_ERROR_INVALID,
                   "the interval must be between %u s and %u s", SV_SYNCS_MIN_INTERVAL_S, SV_SYNCS_MAX_INTERVAL_S);
      return 0;
    }
  if (syncs->syncs->len >= SV_SYNCS_MAX)
    {
      g_set_error (error, SV_SYNCS_ERROR, SV_SYNCS_ERROR_FULL, "%u folders are mirrored; remove one first",
                   SV_SYNCS_MAX);
      return 0;
    }
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, SV_SYNCS_ERROR, SV_SYNCS_ERROR_INVALID, "cannot create %s: %s", dir, g_strerror (errno));
      return 0;
    }
  row.id = sv_sync_store_add (syncs->store, source, dir, delete_extra, interval_s, &e);
  if (row.id == 0)
    {
      g_set_error (error, SV_SYNCS_ERROR,
                   g_error_matches (e, SV_SYNC_STORE_ERROR, SV_SYNC_STORE_ERROR_EXISTS)
                       ? SV_SYNCS_ERROR_EXISTS : SV_SYNCS_ERROR_STORE, "%s", e->message);
      g_error_free (e);
      return 0;
    }
  row.source = (char *) source;
  row.dir = (char *) dir;
  row.delete_extra = delete_extra;
  row.interval_s = interval_s;
  g_message ("sync %" G_GINT64_FORMAT ": %s mirrors %s%s", row.id, dir, source,
             delete_extra ? " (deleting what the source dropped)" : "");
  start_run (sync_new (syncs, &row));
  return row.id;
}

static gboolean
not_found (gint64 id, GError **error)
{
  g_set_error (error, SV_SYNCS_ERROR, SV_SYNCS_ERROR_NOT_FOUND,
               "no sync %" G_GINT64_FORMAT "; 'servent sync list' lists them", id);
  return FALSE;
}

gboolean
sv_syncs_remove (SvSyncs *syncs, gint64 id, GError **error)
{
  Sync *s = find_id (syncs, id);
  GError *e = NULL;
  g_autoptr (GArray) list = NULL;

  if (s == NULL)
    return not_found (id, error);
  if (!sv_sync_store_remove (syncs->store, id, &e))
    {
      g_set_error (error, SV_SYNCS_ERROR, SV_SYNCS_ERROR_STORE, "%s", e->message);
      g_error_free (e);
      return FALSE;
    }
  clear_run (s);
  list = sv_downloads_list (syncs->cfg.downloads);
  for (guint i = 0; i < list->len; i++)
    if (g_strcmp0 (g_array_index (list, SvDownloadInfo, i).dir, s->staging) == 0)
      (void) sv_downloads_cancel (syncs->cfg.downloads, g_array_index (list, SvDownloadInfo, i).id, NULL);
  g_message ("sync %" G_GINT64_FORMAT " removed; the files in %s stay", id, s->dir);
  g_ptr_array_remove (syncs->syncs, s);
  return TRUE;
}

gboolean
sv_syncs_run_now (SvSyncs *syncs, gint64 id, GError **error)
{
  if (id != 0 && find_id (syncs, id) == NULL)
    return not_found (id, error);
  for (guint i = 0; i < syncs->syncs->len; i++)
    {
      Sync *s = g_ptr_array_index (syncs->syncs, i);

      if (id != 0 && s->id != id)
        continue;
      if (s->phase == IDLE)
        start_run (s);
      else
        s->again = TRUE;
    }
  return TRUE;
}

void
sv_sync_info_clear (SvSyncInfo *info)
{
  g_clear_pointer (&info->source, g_free);
  g_clear_pointer (&info->dir, g_free);
  g_clear_pointer (&info->last_error, g_free);
}

GArray *
sv_syncs_list (SvSyncs *syncs)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (SvSyncInfo));
  gint64 now = g_get_monotonic_time ();

  g_array_set_clear_func (out, (GDestroyNotify) sv_sync_info_clear);
  for (guint i = 0; i < syncs->syncs->len; i++)
    {
      Sync *s = g_ptr_array_index (syncs->syncs, i);
      SvSyncInfo info = { 0 };

      info.id = s->id;
      info.source = g_strdup (s->source);
      info.dir = g_strdup (s->dir);
      info.delete_extra = s->delete_extra;
      info.interval_s = s->interval_s;
      info.state = phase_names[s->phase];
      info.last_run_s = s->last_run_s;
      info.next_run_s = s->phase == IDLE ? g_get_real_time () / G_USEC_PER_SEC + MAX (0, s->next_us - now) / G_USEC_PER_SEC : 0;
      info.last_error = g_strdup (s->last_error);
      info.files = s->files;
      info.pending = s->phase == FETCHING ? g_queue_get_length (&s->queue) + s->fetching->len + s->failed : s->pending;
      info.conflicts = s->conflicts;
      info.skipped = s->skipped;
      info.runs = s->runs;
      info.fetch_bytes = s->fetch_bytes;
      info.fetched_bytes = s->placed_bytes;
      for (guint j = 0; j < s->fetching->len; j++)
        {
          SvDownloadInfo d = { 0 };

          if (sv_downloads_get (syncs->cfg.downloads, ((Fetch *) g_ptr_array_index (s->fetching, j))->download, &d))
            {
              info.fetched_bytes += d.done;
              info.rate += d.rate;
            }
          sv_download_info_clear (&d);
        }
      g_array_append_val (out, info);
    }
  return out;
}
