/* share-library.c: the indexer thread, the hashing pool, scans, and the query entry points. */
#include "share-library.h"

#include "share-walk.h"
#include "share-watch.h"

#include <string.h>

#define COMMIT_MAX_WRITES   2000          /* rows written before a commit is forced */
#define COMMIT_MAX_AGE_US   (200 * 1000)  /* age of a transaction before a commit is forced */
#define HASH_MAX_ATTEMPTS   8             /* a file that keeps changing waits for the next event */
#define BROWSE_PAGE         256

typedef enum { JOB_SCAN, JOB_PATH, JOB_HASHED, JOB_FOLDERS, JOB_QUIT } JobKind;

typedef struct {
  JobKind kind;
  char *path;
  SvShareStat st;               /* expected identity; on JOB_HASHED, the hashed one */
  SvSha1 sha1;
  SvShareHashResult result;
  guint attempt;
  char **folders;               /* JOB_FOLDERS: the new share folders */
} Job;

typedef struct {
  gboolean again;               /* the path got news while it was being hashed */
} InFlight;

struct _SvShareLibrary {
  char *db_path;
  char **folders;
  char *state_dir;
  GMainContext *context;        /* nullable */
  SvShareLibraryConfig cfg;     /* strings above; pointers in cfg point to them */

  SvShareDb *reader;
  GMutex reader_lock;

  GAsyncQueue *queue;
  GThread *indexer;
  GThreadPool *pool;
  gint quitting;                /* atomic: hashing stops, nothing new is queued */

  GMutex commit_lock;           /* held over a commit and its generation bump */
  GMutex lock;                  /* guards from here ... */
  GCond idle_cond;
  guint pending;                /* jobs in the queue or the pool */
  gboolean in_txn;
  SvShareStats stats;
  guint64 generation;           /* ... to here */

  /* Indexer thread only. */
  SvShareDb *writer;
  SvShareWalk *walk;
  GHashTable *inflight;         /* path → InFlight */
  GHashTable *vanished;         /* paths gone, forgotten at the next commit (a rename's new
                                 * path may still claim their row first) */
  guint hashing;
  guint txn_writes;
  gint64 txn_started;
  gboolean dirty;
  gboolean walking;
  SvShareProgress progress;
  gint64 last_progress;

  /* Context thread only. */
  SvShareWatch *watch;
  GSource *rescan_source;
};

static void
job_free (Job *job)
{
  g_free (job->path);
  g_strfreev (job->folders);
  g_free (job);
}

static void
push_job (SvShareLibrary *lib, JobKind kind, const char *path)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->path = g_strdup (path);
  g_mutex_lock (&lib->lock);
  lib->pending++;
  g_mutex_unlock (&lib->lock);
  g_async_queue_push (lib->queue, job);
}

#define STAT_ADD(lib, field, n) G_STMT_START { \
    g_mutex_lock (&(lib)->lock); (lib)->stats.field += (n); g_mutex_unlock (&(lib)->lock); \
  } G_STMT_END

/* --- callbacks to the caller's context --- */

typedef struct {
  SvShareProgressFunc func;
  gpointer data;
  SvShareProgress progress;
} ProgressCall;

/* Runs @func later on lib->context, from an idle source, never on the calling thread.
 * (g_main_context_invoke would run it right here, on the indexer thread, whenever nobody owns
 * the context, as before the daemon's main loop starts: callbacks meant for the main thread
 * would race with it, and its g_main_context_push_thread_default() would fail meanwhile.)
 * Without a context, callbacks belong to the indexer thread: @func runs now. */
static void
post_call (SvShareLibrary *lib, GSourceFunc func, gpointer data, GDestroyNotify destroy)
{
  GSource *source;

  if (lib->context == NULL)
    {
      func (data);
      destroy (data);
      return;
    }
  source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_attach (source, lib->context);
  g_source_unref (source);
}

static gboolean
progress_call (gpointer data)
{
  ProgressCall *call = data;

  call->func (&call->progress, call->data);
  return G_SOURCE_REMOVE;
}

static void
report_progress (SvShareLibrary *lib, gboolean force)
{
  gint64 now = g_get_monotonic_time ();
  gboolean finished = lib->hashing == 0 && !lib->walking;
  ProgressCall *call;

  if (lib->progress.files_total == 0 && !lib->walking && !force)
    return;
  if (!finished && !force
      && now - lib->last_progress < (gint64) lib->cfg.progress_interval_ms * 1000)
    return;
  lib->last_progress = now;
  lib->progress.walking = lib->walking;
  lib->progress.finished = finished;
  if (lib->cfg.progress != NULL)
    {
      call = g_new (ProgressCall, 1);
      call->func = lib->cfg.progress;
      call->data = lib->cfg.progress_data;
      call->progress = lib->progress;
      post_call (lib, progress_call, call, g_free);
    }
  if (finished)
    memset (&lib->progress, 0, sizeof lib->progress);
}

typedef struct {
  SvShareChangedFunc func;
  gpointer data;
} ChangedCall;

static gboolean
changed_call (gpointer data)
{
  ChangedCall *call = data;

  call->func (call->data);
  return G_SOURCE_REMOVE;
}

typedef struct {
  SvShareFileEvent event;
  char *name;
  char *words;
  SvSha1 sha1;
} FileChange;

typedef struct {
  SvShareFileFunc func;
  gpointer data;
  guint64 generation;
  GArray *changes;              /* FileChange */
} FileChangeCall;

static void
file_change_clear (gpointer data)
{
  FileChange *c = data;

  g_free (c->name);
  g_free (c->words);
}

static void
collect_change (gboolean added, const char *name, const char *words, const SvSha1 *sha1,
                gpointer user_data)
{
  GArray *changes = user_data;
  FileChange c = { added ? SV_SHARE_FILE_ADDED : SV_SHARE_FILE_REMOVED, g_strdup (name),
                   g_strdup (words), *sha1 };

  g_array_append_val (changes, c);
}

static void
file_change_call_free (gpointer data)
{
  FileChangeCall *call = data;

  g_array_unref (call->changes);
  g_free (call);
}

static gboolean
file_change_call (gpointer data)
{
  FileChangeCall *call = data;

  for (guint i = 0; i < call->changes->len; i++)
    {
      FileChange *c = &g_array_index (call->changes, FileChange, i);
      SvShareFileChange change = { c->event, c->name, c->words, c->sha1, call->generation };

      call->func (&change, call->data);
    }
  return G_SOURCE_REMOVE;
}

/* --- transactions (indexer thread) --- */

static void
ensure_txn (SvShareLibrary *lib)
{
  g_autoptr (GError) error = NULL;

  lib->txn_writes++;
  lib->dirty = TRUE;
  if (lib->txn_started != 0)
    return;
  if (!sv_share_db_begin (lib->writer, &error))
    g_warning ("share index: %s", error->message);
  lib->txn_started = g_get_monotonic_time ();
  g_mutex_lock (&lib->lock);
  lib->in_txn = TRUE;
  g_mutex_unlock (&lib->lock);
}

static void forget_path (SvShareLibrary *lib, const char *path);

static void
flush_vanished (SvShareLibrary *lib)
{
  GHashTableIter it;
  gpointer key;

  g_hash_table_iter_init (&it, lib->vanished);
  while (g_hash_table_iter_next (&it, &key, NULL))
    {
      struct stat st;
      SvShareWalkKind kind = sv_share_walk_classify (lib->walk, key, &st);

      if (kind == SV_SHARE_WALK_GONE || kind == SV_SHARE_WALK_SKIP)
        forget_path (lib, key);
      g_hash_table_iter_remove (&it);
    }
}

static void
commit (SvShareLibrary *lib)
{
  g_autoptr (GError) error = NULL;
  gboolean dirty;

  FileChangeCall *files = NULL;
  guint64 generation;

  flush_vanished (lib);
  dirty = lib->dirty;

  g_mutex_lock (&lib->commit_lock);
  if (lib->txn_started != 0 && !sv_share_db_commit (lib->writer, &error))
    g_warning ("share index: %s", error->message);
  g_clear_error (&error);
  lib->txn_started = 0;
  lib->txn_writes = 0;
  lib->dirty = FALSE;
  g_mutex_lock (&lib->lock);
  if (dirty)
    lib->generation++;
  generation = lib->generation;
  g_mutex_unlock (&lib->lock);
  if (dirty && lib->cfg.file_changed != NULL)
    {
      files = g_new0 (FileChangeCall, 1);
      files->func = lib->cfg.file_changed;
      files->data = lib->cfg.file_changed_data;
      files->generation = generation;
      files->changes = g_array_new (FALSE, FALSE, sizeof (FileChange));
      g_array_set_clear_func (files->changes, file_change_clear);
      if (!sv_share_db_take_changes (lib->writer, collect_change, files->changes, &error))
        g_warning ("share index: %s", error->message);
    }
  g_mutex_unlock (&lib->commit_lock);

  /* Without a context, the changes are delivered before the library reports itself idle. */
  if (files != NULL && files->changes->len == 0)
    file_change_call_free (files);
  else if (files != NULL)
    post_call (lib, file_change_call, files, file_change_call_free);
  g_mutex_lock (&lib->lock);
  lib->in_txn = FALSE;
  g_cond_broadcast (&lib->idle_cond);
  g_mutex_unlock (&lib->lock);
  if (dirty && lib->cfg.changed != NULL)
    {
      ChangedCall *call = g_new (ChangedCall, 1);

      call->func = lib->cfg.changed;
      call->data = lib->cfg.changed_data;
      post_call (lib, changed_call, call, g_free);
    }
}

/* --- hashing --- */

static void
hash_worker (gpointer data, gpointer user_data)
{
  Job *job = data;
  SvShareLibrary *lib = user_data;
  SvShareStat got = { 0 };

  if (g_atomic_int_get (&lib->quitting))
    {
      job->result = SV_SHARE_HASH_CHANGED;
      job->attempt = HASH_MAX_ATTEMPTS;
    }
  else
    job->result = sv_share_hash_file (job->path, &job->st, &got, &job->sha1, lib->cfg.hash_hook,
                                      lib->cfg.hash_hook_data, NULL);
  if (job->result == SV_SHARE_HASH_OK)
    job->st = got;
  job->kind = JOB_HASHED;
  g_async_queue_push (lib->queue, job);   /* stays counted in pending */
}

static void
queue_hash (SvShareLibrary *lib, const char *path, const SvShareStat *st, guint attempt)
{
  InFlight *flight = g_hash_table_lookup (lib->inflight, path);
  Job *job;

  if (g_atomic_int_get (&lib->quitting))
    return;
  if (flight != NULL)
    {
      flight->again = TRUE;
      return;
    }
  g_hash_table_insert (lib->inflight, g_strdup (path), g_new0 (InFlight, 1));
  job = g_new0 (Job, 1);
  job->kind = JOB_HASHED;
  job->path = g_strdup (path);
  job->st = *st;
  job->attempt = attempt;
  lib->hashing++;
  lib->progress.files_total++;
  lib->progress.bytes_total += st->size;
  g_mutex_lock (&lib->lock);
  lib->pending++;
  g_mutex_unlock (&lib->lock);
  g_thread_pool_push (lib->pool, job, NULL);
}

/* --- single paths (watch events, retries) --- */

static void
forget_path (SvShareLibrary *lib, const char *path)
{
  g_autoptr (GError) error = NULL;
  SvShareDbRow row = { 0 };
  gint64 n;

  if (sv_share_db_find_path (lib->writer, path, strlen (path), &row))
    {
      ensure_txn (lib);
      if (sv_share_db_delete (lib->writer, row.id, &error))
        STAT_ADD (lib, removed, 1);
      else
        {
          g_warning ("share index: %s", error->message);
          g_clear_error (&error);
        }
      sv_share_db_row_clear (&row);
    }
  ensure_txn (lib);
  n = sv_share_db_delete_under (lib->writer, path, strlen (path), &error);
  if (n > 0)
    STAT_ADD (lib, removed, (guint64) n);
  if (error != NULL)
    g_warning ("share index: %s", error->message);
}

/* Returns: TRUE if @row's path no longer names the file @row describes. */
static gboolean
row_vanished (SvShareLibrary *lib, const SvShareDbRow *row)
{
  struct stat st;
  SvShareStat now;

  if (sv_share_walk_classify (lib->walk, row->path, &st) != SV_SHARE_WALK_FILE)
    return TRUE;
  sv_share_stat_from (&now, &st);
  return now.dev != row->st.dev || now.ino != row->st.ino;
}

static void
check_file (SvShareLibrary *lib, const char *path, const struct stat *st, guint attempt)
{
  g_autoptr (GError) error = NULL;
  SvShareDbRow row = { 0 };
  SvShareStat now;

  sv_share_stat_from (&now, st);
  STAT_ADD (lib, files_seen, 1);
  if (g_hash_table_contains (lib->inflight, path))
    {
      queue_hash (lib, path, &now, attempt);   /* marks it to be looked at again */
      return;
    }
  if (sv_share_db_find_path (lib->writer, path, strlen (path), &row))
    {
      gboolean same = sv_share_stat_equal (&row.st, &now) && row.has_sha1;

      if (!same)
        {
          ensure_txn (lib);
          sv_share_db_update_file (lib->writer, row.id, &now, NULL, &error);
        }
      sv_share_db_row_clear (&row);
      if (same)
        {
          STAT_ADD (lib, files_unchanged, 1);
          return;
        }
    }
  else
    {
      g_autoptr (GArray) rows = sv_share_db_find_inode (lib->writer, now.dev, now.ino);

      for (guint i = 0; i < rows->len; i++)
        {
          SvShareDbRow *r = &g_array_index (rows, SvShareDbRow, i);

          if (r->has_sha1 && sv_share_stat_equal (&r->st, &now) && row_vanished (lib, r))
            {
              ensure_txn (lib);
              if (sv_share_db_move (lib->writer, r->id, path, strlen (path), &error))
                STAT_ADD (lib, renames, 1);
              return;
            }
        }
    }
  if (error != NULL)
    g_warning ("share index: %s", error->message);
  queue_hash (lib, path, &now, attempt);
}

static void
post_dirs (SvShareLibrary *lib, GPtrArray *dirs, gboolean complete)
{
  if (lib->watch != NULL)
    sv_share_watch_post_dirs (lib->watch, g_ptr_array_ref (dirs), complete);
}

static void
collect_dir (const char *path, gsize len, gpointer user_data)
{
  GPtrArray **dirs = user_data;

  g_ptr_array_add (dirs[1], g_strndup (path, len));
}

static void
subwalk_file (const char *path, gsize len, const struct stat *st, gpointer user_data)
{
  gpointer *ctx = user_data;

  check_file (ctx[0], path, st, 0);
}

static void
merge_counts (SvShareLibrary *lib, const SvShareWalkCounts *c)
{
  g_mutex_lock (&lib->lock);
  lib->stats.hidden += c->hidden;
  lib->stats.special += c->special;
  lib->stats.unreadable += c->unreadable;
  lib->stats.links_outside += c->links_outside;
  lib->stats.loops += c->loops;
  g_mutex_unlock (&lib->lock);
}

static void
check_path (SvShareLibrary *lib, const char *path, guint attempt)
{
  struct stat st;

  switch (sv_share_walk_classify (lib->walk, path, &st))
    {
    case SV_SHARE_WALK_FILE:
      check_file (lib, path, &st, attempt);
      break;
    case SV_SHARE_WALK_DIR:
      {
        g_autoptr (GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
        gpointer ctx[2] = { lib, dirs };
        SvShareWalkFuncs funcs = { subwalk_file, collect_dir };
        SvShareWalkCounts counts = { 0 };

        sv_share_walk_reset (lib->walk);
        sv_share_walk_dir (lib->walk, path, &funcs, ctx, &counts);
        merge_counts (lib, &counts);
        post_dirs (lib, dirs, FALSE);
      }
      break;
    case SV_SHARE_WALK_GONE:
    case SV_SHARE_WALK_SKIP:
    default:
      g_hash_table_add (lib->vanished, g_strdup (path));
      ensure_txn (lib);   /* the commit that follows forgets it */
      break;
    }
}

static void
handle_hashed (SvShareLibrary *lib, Job *job)
{
  g_autoptr (GError) error = NULL;
  InFlight *flight = g_hash_table_lookup (lib->inflight, job->path);
  gboolean again = flight != NULL && flight->again;
  SvShareDbRow row = { 0 };

  g_hash_table_remove (lib->inflight, job->path);
  lib->hashing--;
  lib->progress.files_done++;
  lib->progress.bytes_done += job->st.size;
  switch (job->result)
    {
    case SV_SHARE_HASH_OK:
      ensure_txn (lib);
      if (sv_share_db_find_path (lib->writer, job->path, strlen (job->path), &row))
        {
          sv_share_db_update_file (lib->writer, row.id, &job->st, &job->sha1, &error);
          sv_share_db_row_clear (&row);
        }
      else
        sv_share_db_insert (lib->writer, job->path, strlen (job->path), &job->st, &job->sha1,
                            g_get_real_time (), &error);
      if (error != NULL)
        g_warning ("share index: %s", error->message);
      g_mutex_lock (&lib->lock);
      lib->stats.files_hashed++;
      lib->stats.bytes_hashed += job->st.size;
      g_mutex_unlock (&lib->lock);
      if (again)
        check_path (lib, job->path, 0);
      break;
    case SV_SHARE_HASH_CHANGED:
      STAT_ADD (lib, hash_retries, 1);
      if (job->attempt + 1 < HASH_MAX_ATTEMPTS || again)
        check_path (lib, job->path, job->attempt + 1);
      break;
    case SV_SHARE_HASH_UNREADABLE:
    case SV_SHARE_HASH_NOT_REGULAR:
    default:
      if (job->result == SV_SHARE_HASH_UNREADABLE)
        STAT_ADD (lib, unreadable, 1);
      else
        STAT_ADD (lib, special, 1);
      if (sv_share_db_find_path (lib->writer, job->path, strlen (job->path), &row))
        {
          ensure_txn (lib);
          if (sv_share_db_delete (lib->writer, row.id, NULL))
            STAT_ADD (lib, removed, 1);
          sv_share_db_row_clear (&row);
        }
      break;
    }
}

/* --- full scan --- */

typedef struct {
  gint64 id;
  char *path;
  SvShareStat st;
  gboolean has_sha1;
  gboolean seen;
} ScanRow;

typedef struct {
  char *path;
  SvShareStat st;
} NewFile;

typedef struct {
  SvShareLibrary *lib;
  GHashTable *rows;     /* path → ScanRow */
  GArray *new_files;    /* NewFile */
  GPtrArray *dirs;
  guint64 seen;
  guint64 unchanged;
} Scan;

static void
scan_row_free (gpointer data)
{
  ScanRow *r = data;

  g_free (r->path);
  g_free (r);
}

static gboolean
scan_load_row (const SvShareDbRow *row, gpointer user_data)
{
  Scan *scan = user_data;
  ScanRow *r = g_new0 (ScanRow, 1);

  r->id = row->id;
  r->path = g_strndup (row->path, row->path_len);
  r->st = row->st;
  r->has_sha1 = row->has_sha1;
  g_hash_table_replace (scan->rows, r->path, r);
  return TRUE;
}

static void
scan_file (const char *path, gsize len, const struct stat *st, gpointer user_data)
{
  Scan *scan = user_data;
  SvShareLibrary *lib = scan->lib;
  ScanRow *r = g_hash_table_lookup (scan->rows, path);
  SvShareStat now;

  sv_share_stat_from (&now, st);
  scan->seen++;
  if (r == NULL)
    {
      NewFile nf = { g_strndup (path, len), now };

      g_array_append_val (scan->new_files, nf);
      return;
    }
  r->seen = TRUE;
  if (sv_share_stat_equal (&r->st, &now) && r->has_sha1)
    {
      scan->unchanged++;
      return;
    }
  if (!sv_share_stat_equal (&r->st, &now) || r->has_sha1)
    {
      ensure_txn (lib);
      sv_share_db_update_file (lib->writer, r->id, &now, NULL, NULL);
    }
  queue_hash (lib, path, &now, 0);
  report_progress (lib, FALSE);
}

static void
scan_dir (const char *path, gsize len, gpointer user_data)
{
  Scan *scan = user_data;

  g_ptr_array_add (scan->dirs, g_strndup (path, len));
}

static guint
inode_hash (gconstpointer p)
{
  const ScanRow *r = p;

  return (guint) (r->st.ino ^ (r->st.ino >> 32) ^ (r->st.dev * 31));
}

static gboolean
inode_equal (gconstpointer a, gconstpointer b)
{
  const ScanRow *x = a, *y = b;

  return x->st.dev == y->st.dev && x->st.ino == y->st.ino;
}

static void
full_scan (SvShareLibrary *lib)
{
  Scan scan = { lib, NULL, NULL, NULL, 0, 0 };
  g_autoptr (GHashTable) by_inode = NULL;
  g_autoptr (GError) error = NULL;
  SvShareWalkCounts counts = { 0 };
  SvShareWalkFuncs funcs = { scan_file, scan_dir };
  const char *const *roots = sv_share_walk_roots (lib->walk);
  GHashTableIter it;
  gpointer value;

  scan.rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, scan_row_free);
  scan.new_files = g_array_new (FALSE, FALSE, sizeof (NewFile));
  scan.dirs = g_ptr_array_new_with_free_func (g_free);
  if (!sv_share_db_foreach_row (lib->writer, scan_load_row, &scan, &error))
    g_warning ("share index: %s", error->message);

  lib->walking = TRUE;
  report_progress (lib, TRUE);
  sv_share_walk_run (lib->walk, &funcs, &scan, &counts);
  merge_counts (lib, &counts);
  g_mutex_lock (&lib->lock);
  lib->stats.files_seen += scan.seen;
  lib->stats.files_unchanged += scan.unchanged;
  g_mutex_unlock (&lib->lock);

  /* Rows of a share folder that is away (unmounted disk) are kept. */
  for (guint i = 0; roots[i] != NULL; i++)
    {
      gsize n = strlen (roots[i]);

      if (sv_share_walk_root_present (lib->walk, i))
        continue;
      g_hash_table_iter_init (&it, scan.rows);
      while (g_hash_table_iter_next (&it, NULL, &value))
        {
          ScanRow *r = value;

          if (strncmp (r->path, roots[i], n) == 0 && r->path[n] == '/')
            r->seen = TRUE;
        }
    }

  /* A new path with the identity of a row not seen is that file, renamed or moved. */
  by_inode = g_hash_table_new (inode_hash, inode_equal);
  g_hash_table_iter_init (&it, scan.rows);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      ScanRow *r = value;

      if (!r->seen && r->has_sha1)
        g_hash_table_replace (by_inode, r, r);
    }
  for (guint i = 0; i < scan.new_files->len; i++)
    {
      NewFile *nf = &g_array_index (scan.new_files, NewFile, i);
      ScanRow key = { .st = nf->st };
      ScanRow *r = g_hash_table_lookup (by_inode, &key);

      if (r != NULL && !r->seen && sv_share_stat_equal (&r->st, &nf->st))
        {
          ensure_txn (lib);
          if (sv_share_db_move (lib->writer, r->id, nf->path, strlen (nf->path), NULL))
            STAT_ADD (lib, renames, 1);
          r->seen = TRUE;
        }
      else
        queue_hash (lib, nf->path, &nf->st, 0);
      g_free (nf->path);
      if (g_async_queue_length (lib->queue) > 0 && lib->txn_writes >= COMMIT_MAX_WRITES)
        commit (lib);
    }

  /* What was not met any more leaves the index. */
  g_hash_table_iter_init (&it, scan.rows);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      ScanRow *r = value;

      if (r->seen)
        continue;
      ensure_txn (lib);
      if (sv_share_db_delete (lib->writer, r->id, NULL))
        STAT_ADD (lib, removed, 1);
    }
  lib->walking = FALSE;
  STAT_ADD (lib, scans, 1);
  post_dirs (lib, scan.dirs, TRUE);
  report_progress (lib, TRUE);
  g_array_unref (scan.new_files);
  g_hash_table_unref (scan.rows);
  g_ptr_array_unref (scan.dirs);
}

/* --- the indexer thread --- */

static void
job_done (SvShareLibrary *lib, Job *job)
{
  job_free (job);
  g_mutex_lock (&lib->lock);
  lib->pending--;
  g_cond_broadcast (&lib->idle_cond);
  g_mutex_unlock (&lib->lock);
}

static gpointer
indexer_main (gpointer data)
{
  SvShareLibrary *lib = data;

  for (;;)
    {
      Job *job;

      if (lib->txn_started != 0)
        {
          gint64 left = lib->txn_started + COMMIT_MAX_AGE_US - g_get_monotonic_time ();

          job = left > 0 ? g_async_queue_timeout_pop (lib->queue, (guint64) left)
                         : g_async_queue_try_pop (lib->queue);
          if (job == NULL)
            {
              commit (lib);
              continue;
            }
        }
      else
        job = g_async_queue_pop (lib->queue);

      switch (job->kind)
        {
        case JOB_QUIT:
          commit (lib);
          job_done (lib, job);
          return NULL;
        case JOB_SCAN:
          full_scan (lib);
          break;
        case JOB_PATH:
          check_path (lib, job->path, 0);
          break;
        case JOB_FOLDERS:
          /* Another set of folders: the walk follows it, and a full scan drops the rows of a
           * folder no longer shared and indexes a new one. */
          sv_share_walk_free (lib->walk);
          lib->walk = sv_share_walk_new ((const char *const *) job->folders, lib->state_dir);
          full_scan (lib);
          break;
        case JOB_HASHED:
          handle_hashed (lib, job);
          break;
        default:
          break;
        }
      job_done (lib, job);
      if (lib->txn_started != 0
          && (lib->txn_writes >= COMMIT_MAX_WRITES
              || g_get_monotonic_time () - lib->txn_started >= COMMIT_MAX_AGE_US
              || (lib->hashing == 0 && g_async_queue_length (lib->queue) <= 0)))
        commit (lib);
      report_progress (lib, FALSE);
    }
}

/* --- public API --- */

static void
on_watch_notify (const char *path, gpointer user_data)
{
  sv_share_library_notify_path (user_data, path);
}

static gboolean
on_rescan_timer (gpointer user_data)
{
  sv_share_library_rescan (user_data);
  return G_SOURCE_CONTINUE;
}

SvShareLibrary *
sv_share_library_new (const SvShareLibraryConfig *config, GError **error)
{
  SvShareLibrary *lib = g_new0 (SvShareLibrary, 1);
  g_autofree char *db_dir = NULL;

  lib->cfg = *config;
  lib->db_path = g_strdup (config->db_path);
  lib->folders = g_strdupv ((char **) config->folders);
  db_dir = g_path_get_dirname (config->db_path);
  lib->state_dir = g_strdup (config->state_dir ? config->state_dir : db_dir);
  lib->cfg.db_path = lib->db_path;
  lib->cfg.folders = (const char *const *) lib->folders;
  lib->cfg.state_dir = lib->state_dir;
  if (lib->cfg.debounce_ms == 0)
    lib->cfg.debounce_ms = 1000;
  if (lib->cfg.hash_threads == 0)
    lib->cfg.hash_threads = 2;
  if (lib->cfg.max_watches == 0)
    lib->cfg.max_watches = 8192;
  if (lib->cfg.progress_interval_ms == 0)
    lib->cfg.progress_interval_ms = 100;
  if (config->context != NULL)
    lib->context = g_main_context_ref (config->context);
  g_mutex_init (&lib->lock);
  g_mutex_init (&lib->commit_lock);
  g_mutex_init (&lib->reader_lock);
  g_cond_init (&lib->idle_cond);

  lib->writer = sv_share_db_open (lib->db_path, TRUE, error);
  if (lib->writer == NULL)
    goto fail;
  if (lib->cfg.file_changed != NULL && !sv_share_db_track_changes (lib->writer, error))
    goto fail;
  lib->reader = sv_share_db_open (lib->db_path, FALSE, error);
  if (lib->reader == NULL)
    goto fail;
  lib->walk = sv_share_walk_new (lib->cfg.folders, lib->state_dir);
  lib->inflight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  lib->vanished = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  lib->queue = g_async_queue_new ();
  lib->pool = g_thread_pool_new (hash_worker, lib, (gint) lib->cfg.hash_threads, FALSE, error);
  if (lib->pool == NULL)
    goto fail;
  if (lib->cfg.watch && lib->context != NULL)
    {
      lib->watch = sv_share_watch_new (lib->context, lib->cfg.debounce_ms, lib->cfg.max_watches,
                                       on_watch_notify, lib);
      if (lib->cfg.rescan_interval_s > 0)
        {
          lib->rescan_source = g_timeout_source_new_seconds (lib->cfg.rescan_interval_s);
          g_source_set_callback (lib->rescan_source, on_rescan_timer, lib, NULL);
          g_source_attach (lib->rescan_source, lib->context);
        }
    }
  lib->indexer = g_thread_new ("sv-indexer", indexer_main, lib);
  return lib;

fail:
  sv_share_library_free (lib);
  return NULL;
}

void
sv_share_library_free (SvShareLibrary *lib)
{
  if (lib == NULL)
    return;
  if (lib->rescan_source != NULL)
    {
      g_source_destroy (lib->rescan_source);
      g_source_unref (lib->rescan_source);
    }
  if (lib->indexer != NULL)
    {
      /* Results already in are recorded; hashing stops; the next scan redoes the rest. */
      g_atomic_int_set (&lib->quitting, 1);
      push_job (lib, JOB_QUIT, NULL);
      g_thread_join (lib->indexer);
      g_thread_pool_free (lib->pool, FALSE, TRUE);
      lib->pool = NULL;
      for (Job *job; (job = g_async_queue_try_pop (lib->queue)) != NULL;)
        job_free (job);
    }
  /* Only now: the indexer posts directories to the watch until it has stopped. */
  if (lib->watch != NULL)
    {
      sv_share_watch_shutdown (lib->watch);
      sv_share_watch_unref (lib->watch);
      lib->watch = NULL;
    }
  if (lib->pool != NULL)
    g_thread_pool_free (lib->pool, TRUE, TRUE);
  if (lib->queue != NULL)
    g_async_queue_unref (lib->queue);
  if (lib->inflight != NULL)
    g_hash_table_unref (lib->inflight);
  if (lib->vanished != NULL)
    g_hash_table_unref (lib->vanished);
  sv_share_walk_free (lib->walk);
  sv_share_db_free (lib->reader);
  sv_share_db_free (lib->writer);
  if (lib->context != NULL)
    g_main_context_unref (lib->context);
  g_mutex_clear (&lib->lock);
  g_mutex_clear (&lib->commit_lock);
  g_mutex_clear (&lib->reader_lock);
  g_cond_clear (&lib->idle_cond);
  g_free (lib->db_path);
  g_strfreev (lib->folders);
  g_free (lib->state_dir);
  g_free (lib);
}

void
sv_share_library_rescan (SvShareLibrary *lib)
{
  push_job (lib, JOB_SCAN, NULL);
}

void
sv_share_library_set_folders (SvShareLibrary *lib, const char *const *folders)
{
  Job *job = g_new0 (Job, 1);

  job->kind = JOB_FOLDERS;
  job->folders = g_strdupv ((char **) folders);
  g_mutex_lock (&lib->lock);
  lib->pending++;
  g_mutex_unlock (&lib->lock);
  g_async_queue_push (lib->queue, job);
}

void
sv_share_library_notify_path (SvShareLibrary *lib, const char *path)
{
  push_job (lib, JOB_PATH, path);
}

gboolean
sv_share_library_is_idle (SvShareLibrary *lib)
{
  gboolean idle;

  g_mutex_lock (&lib->lock);
  idle = lib->pending == 0 && !lib->in_txn;
  g_mutex_unlock (&lib->lock);
  return idle;
}

gboolean
sv_share_library_wait_idle (SvShareLibrary *lib, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean idle;

  g_mutex_lock (&lib->lock);
  while (!(idle = lib->pending == 0 && !lib->in_txn))
    if (!g_cond_wait_until (&lib->idle_cond, &lib->lock, end))
      {
        idle = lib->pending == 0 && !lib->in_txn;
        break;
      }
  g_mutex_unlock (&lib->lock);
  return idle;
}

void
sv_share_library_get_stats (SvShareLibrary *lib, SvShareStats *out)
{
  g_mutex_lock (&lib->lock);
  *out = lib->stats;
  g_mutex_unlock (&lib->lock);
  out->watches = lib->watch ? sv_share_watch_count (lib->watch) : 0;
}

guint64
sv_share_library_generation (SvShareLibrary *lib)
{
  guint64 g;

  g_mutex_lock (&lib->lock);
  g = lib->generation;
  g_mutex_unlock (&lib->lock);
  return g;
}

GArray *
sv_share_results_new (void)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (SvShareResult));

  g_array_set_clear_func (out, (GDestroyNotify) sv_share_result_clear);
  return out;
}

static void
log_query_error (GError *error)
{
  if (error != NULL)
    g_warning ("share index query: %s", error->message);
}

GArray *
sv_share_library_query (SvShareLibrary *lib, const char *criteria, gssize len, guint max)
{
  g_auto (GStrv) words = sv_share_match_query_words (criteria, len);

  return sv_share_library_query_words (lib, words, max);
}

GArray *
sv_share_library_query_words (SvShareLibrary *lib, char *const *words, guint max)
{
  char *capped[SV_SHARE_MATCH_MAX_QUERY_WORDS + 1];
  g_autoptr (GError) error = NULL;
  GArray *out = sv_share_results_new ();
  guint n = 0;

  for (; words != NULL && words[n] != NULL && n < SV_SHARE_MATCH_MAX_QUERY_WORDS; n++)
    capped[n] = words[n];
  capped[n] = NULL;
  g_mutex_lock (&lib->reader_lock);
  sv_share_db_match_words (lib->reader, capped, max, out, &error);
  g_mutex_unlock (&lib->reader_lock);
  log_query_error (error);
  return out;
}

GArray *
sv_share_library_query_sha1 (SvShareLibrary *lib, const SvSha1 *sha1, guint max)
{
  g_autoptr (GError) error = NULL;
  GArray *out = sv_share_results_new ();

  g_mutex_lock (&lib->reader_lock);
  sv_share_db_match_sha1 (lib->reader, sha1, max, out, &error);
  g_mutex_unlock (&lib->reader_lock);
  log_query_error (error);
  return out;
}

GArray *
sv_share_library_newest (SvShareLibrary *lib, guint max)
{
  g_autoptr (GError) error = NULL;
  GArray *out = sv_share_results_new ();

  g_mutex_lock (&lib->reader_lock);
  sv_share_db_newest (lib->reader, max, out, &error);
  g_mutex_unlock (&lib->reader_lock);
  log_query_error (error);
  return out;
}

gboolean
sv_share_library_get (SvShareLibrary *lib, guint64 index, SvShareDbRow *out)
{
  gboolean found;

  if (index > G_MAXINT64)
    return FALSE;
  g_mutex_lock (&lib->reader_lock);
  found = sv_share_db_get (lib->reader, (gint64) index, out);
  g_mutex_unlock (&lib->reader_lock);
  return found;
}

void
sv_share_library_count (SvShareLibrary *lib, guint64 *files, guint64 *bytes)
{
  g_autoptr (GError) error = NULL;

  g_mutex_lock (&lib->reader_lock);
  if (!sv_share_db_count (lib->reader, files, bytes, &error))
    {
      if (files)
        *files = 0;
      if (bytes)
        *bytes = 0;
    }
  g_mutex_unlock (&lib->reader_lock);
  log_query_error (error);
}

gboolean
sv_share_library_foreach_words (SvShareLibrary *lib, SvShareDbWordsFunc func, gpointer user_data,
                                GError **error)
{
  gboolean ok;

  g_mutex_lock (&lib->reader_lock);
  ok = sv_share_db_foreach_words (lib->reader, func, user_data, error);
  g_mutex_unlock (&lib->reader_lock);
  return ok;
}

gboolean
sv_share_library_foreach_words_at (SvShareLibrary *lib, SvShareDbWordsFunc func,
                                   gpointer user_data, guint64 *generation, GError **error)
{
  gboolean ok;

  /* No commit can land between reading the generation and the read's snapshot. */
  g_mutex_lock (&lib->commit_lock);
  g_mutex_lock (&lib->reader_lock);
  *generation = sv_share_library_generation (lib);
  ok = sv_share_db_foreach_words (lib->reader, func, user_data, error);
  g_mutex_unlock (&lib->reader_lock);
  g_mutex_unlock (&lib->commit_lock);
  return ok;
}

struct _SvShareBrowse {
  SvShareLibrary *lib;
  GArray *page;
  guint next;
  gint64 after;
  gboolean end;
};

SvShareBrowse *
sv_share_browse_new (SvShareLibrary *lib)
{
  SvShareBrowse *it = g_new0 (SvShareBrowse, 1);

  it->lib = lib;
  it->page = sv_share_results_new ();
  return it;
}

gboolean
sv_share_browse_next (SvShareBrowse *it, SvShareResult *out)
{
  SvShareResult *r;

  if (it->next >= it->page->len)
    {
      g_autoptr (GError) error = NULL;

      if (it->end)
        return FALSE;
      g_array_set_size (it->page, 0);
      it->next = 0;
      g_mutex_lock (&it->lib->reader_lock);
      sv_share_db_browse (it->lib->reader, it->after, BROWSE_PAGE, it->page, &error);
      g_mutex_unlock (&it->lib->reader_lock);
      log_query_error (error);
      if (it->page->len < BROWSE_PAGE)
        it->end = TRUE;
      if (it->page->len == 0)
        return FALSE;
    }
  r = &g_array_index (it->page, SvShareResult, it->next++);
  *out = *r;
  r->name = NULL;   /* moved to @out */
  it->after = (gint64) out->index;
  return TRUE;
}

void
sv_share_browse_free (SvShareBrowse *it)
{
  if (it == NULL)
    return;
  g_array_unref (it->page);
  g_free (it);
}
