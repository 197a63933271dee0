/* share-watch.c: directory monitors and the debounce table of live sync. */
#include "share-watch.h"

#include <string.h>

struct _SvShareWatch {
  gint refs;
  GMainContext *context;
  guint debounce_ms;
  guint max_watches;
  SvShareWatchNotify notify;
  gpointer user_data;
  gboolean shut;           /* context thread only, from here down */
  gboolean had_complete;
  GHashTable *monitors;    /* dir path → GFileMonitor */
  GHashTable *pending;     /* path → gint64 deadline (boxed) */
  GSource *tick;
  gint count;              /* atomic copy of the monitor count */
};

typedef struct {
  SvShareWatch *watch;
  GPtrArray *dirs;
  gboolean complete;
} Post;

SvShareWatch *
sv_share_watch_new (GMainContext *context, guint debounce_ms, guint max_watches,
                    SvShareWatchNotify notify, gpointer user_data)
{
  SvShareWatch *w = g_new0 (SvShareWatch, 1);

  w->refs = 1;
  w->context = g_main_context_ref (context);
  w->debounce_ms = debounce_ms;
  w->max_watches = max_watches;
  w->notify = notify;
  w->user_data = user_data;
  w->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  w->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return w;
}

SvShareWatch *
sv_share_watch_ref (SvShareWatch *watch)
{
  g_atomic_int_inc (&watch->refs);
  return watch;
}

static void
drop_monitor (gpointer monitor)
{
  g_signal_handlers_disconnect_matched (monitor, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                        g_object_get_data (monitor, "sv-watch"));
  g_file_monitor_cancel (monitor);
  g_object_unref (monitor);
}

void
sv_share_watch_shutdown (SvShareWatch *watch)
{
  GHashTableIter it;
  gpointer value;

  watch->shut = TRUE;
  g_hash_table_iter_init (&it, watch->monitors);
  while (g_hash_table_iter_next (&it, NULL, &value))
    drop_monitor (value);
  g_hash_table_remove_all (watch->monitors);
  g_hash_table_remove_all (watch->pending);
  g_atomic_int_set (&watch->count, 0);
  if (watch->tick != NULL)
    {
      g_source_destroy (watch->tick);
      g_clear_pointer (&watch->tick, g_source_unref);
    }
}

void
sv_share_watch_unref (SvShareWatch *watch)
{
  if (watch == NULL || !g_atomic_int_dec_and_test (&watch->refs))
    return;
  g_hash_table_unref (watch->monitors);
  g_hash_table_unref (watch->pending);
  if (watch->tick != NULL)
    {
      g_source_destroy (watch->tick);
      g_source_unref (watch->tick);
    }
  g_main_context_unref (watch->context);
  g_free (watch);
}

guint
sv_share_watch_count (SvShareWatch *watch)
{
  return (guint) g_atomic_int_get (&watch->count);
}

static gboolean
on_tick (gpointer data)
{
  SvShareWatch *w = data;
  gint64 now = g_get_monotonic_time ();
  g_autoptr (GPtrArray) due = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter it;
  gpointer key, value;

  g_hash_table_iter_init (&it, w->pending);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (*(gint64 *) value <= now)
      {
        g_ptr_array_add (due, g_strdup (key));
        g_hash_table_iter_remove (&it);
      }
  /* Paths that exist go first: a rename's new path then claims the row before the old path is
   * forgotten, and the file keeps its index and digest. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < due->len && !w->shut; i++)
      if (g_file_test (due->pdata[i], G_FILE_TEST_EXISTS) == (pass == 0))
        w->notify (due->pdata[i], w->user_data);
  if (g_hash_table_size (w->pending) == 0)
    {
      g_clear_pointer (&w->tick, g_source_unref);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
debounce (SvShareWatch *w, GFile *file)
{
  g_autofree char *path = file ? g_file_get_path (file) : NULL;
  gint64 *deadline;

  if (path == NULL || w->shut)
    return;
  deadline = g_new (gint64, 1);
  *deadline = g_get_monotonic_time () + (gint64) w->debounce_ms * 1000;
  g_hash_table_replace (w->pending, g_steal_pointer (&path), deadline);
  if (w->tick == NULL)
    {
      w->tick = g_timeout_source_new (MAX (w->debounce_ms / 4, 10));
      g_source_set_callback (w->tick, on_tick, w, NULL);
      g_source_attach (w->tick, w->context);
    }
}

static void
on_event (GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event, gpointer data)
{
  SvShareWatch *w = data;

  switch (event)
    {
    case G_FILE_MONITOR_EVENT_RENAMED:
      debounce (w, file);
      debounce (w, other);
      break;
    case G_FILE_MONITOR_EVENT_CHANGED:
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
      debounce (w, file);
      break;
    case G_FILE_MONITOR_EVENT_PRE_UNMOUNT:
    case G_FILE_MONITOR_EVENT_UNMOUNTED:
    case G_FILE_MONITOR_EVENT_MOVED:
    default:
      break;
    }
}

static gboolean
add_monitor (SvShareWatch *w, const char *dir)
{
  g_autoptr (GFile) file = g_file_new_for_path (dir);
  g_autoptr (GError) error = NULL;
  GFileMonitor *monitor;

  if (g_hash_table_size (w->monitors) >= w->max_watches)
    return FALSE;
  monitor = g_file_monitor_directory (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (monitor == NULL)
    {
      g_debug ("not watching %s: %s", dir, error->message);
      return FALSE;
    }
  g_object_set_data (G_OBJECT (monitor), "sv-watch", w);
  g_signal_connect (monitor, "changed", G_CALLBACK (on_event), w);
  g_hash_table_insert (w->monitors, g_strdup (dir), monitor);
  return TRUE;
}

static gboolean
apply_post (gpointer data)
{
  Post *post = data;
  SvShareWatch *w = post->watch;
  g_autoptr (GPtrArray) added = g_ptr_array_new ();

  if (w->shut)
    return G_SOURCE_REMOVE;
  g_main_context_push_thread_default (w->context);
  if (post->complete)
    {
      g_autoptr (GHashTable) keep = g_hash_table_new (g_str_hash, g_str_equal);
      GHashTableIter it;
      gpointer key, value;

      for (guint i = 0; i < post->dirs->len; i++)
        g_hash_table_add (keep, post->dirs->pdata[i]);
      g_hash_table_iter_init (&it, w->monitors);
      while (g_hash_table_iter_next (&it, &key, &value))
        if (!g_hash_table_contains (keep, key))
          {
            drop_monitor (value);
            g_hash_table_iter_remove (&it);
          }
    }
  for (guint i = 0; i < post->dirs->len; i++)
    {
      const char *dir = post->dirs->pdata[i];

      if (!g_hash_table_contains (w->monitors, dir) && add_monitor (w, dir))
        g_ptr_array_add (added, (gpointer) dir);
    }
  g_main_context_pop_thread_default (w->context);
  g_atomic_int_set (&w->count, (gint) g_hash_table_size (w->monitors));
  if (w->had_complete || !post->complete)
    for (guint i = 0; i < added->len && !w->shut; i++)
      w->notify (added->pdata[i], w->user_data);
  if (post->complete)
    w->had_complete = TRUE;
  return G_SOURCE_REMOVE;
}

static void
post_free (gpointer data)
{
  Post *post = data;

  g_ptr_array_unref (post->dirs);
  sv_share_watch_unref (post->watch);
  g_free (post);
}

void
sv_share_watch_post_dirs (SvShareWatch *watch, GPtrArray *dirs, gboolean complete)
{
  Post *post = g_new0 (Post, 1);
  GSource *source = g_idle_source_new ();

  post->watch = sv_share_watch_ref (watch);
  post->dirs = dirs;
  post->complete = complete;
  g_source_set_callback (source, apply_post, post, post_free);
  g_source_attach (source, watch->context);
  g_source_unref (source);
}
