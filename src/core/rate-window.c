/* rate-window.c: per-address event windows with a bounded table (see rate-window.h). */
#include "config.h"

#include "rate-window.h"

#include <string.h>

typedef struct {
  SvHostAddr key;        /* the address, port = the kind */
  gint64 start_us;
  guint events;
} Window;

struct _SvRateWindow {
  guint max_events;
  gint64 window_us;
  guint max_keys;
  GHashTable *windows;   /* SvHostAddr* (in Window) → Window (owned) */
};

SvRateWindow *
sv_rate_window_new (guint max_events, gint64 window_us, guint max_keys)
{
  SvRateWindow *rw = g_new0 (SvRateWindow, 1);

  rw->max_events = max_events;
  rw->window_us = window_us;
  rw->max_keys = MAX (max_keys, 1);
  rw->windows = g_hash_table_new_full (sv_host_addr_hash, sv_host_addr_key_equal, NULL, g_free);
  return rw;
}

void
sv_rate_window_free (SvRateWindow *rw)
{
  if (rw == NULL)
    return;
  g_hash_table_unref (rw->windows);
  g_free (rw);
}

static gboolean
over (gpointer key, gpointer value, gpointer user_data)
{
  const SvRateWindow *rw = ((gpointer *) user_data)[0];
  const gint64 *now = ((gpointer *) user_data)[1];

  return *now - ((Window *) value)->start_us >= rw->window_us;
}

gboolean
sv_rate_window_take (SvRateWindow *rw, const SvHostAddr *addr, guint kind, gint64 now_us)
{
  SvHostAddr key = *addr;
  Window *w;

  key.port = (guint16) kind;
  w = g_hash_table_lookup (rw->windows, &key);
  if (w != NULL && now_us - w->start_us >= rw->window_us)
    {
      w->start_us = now_us;
      w->events = 0;
    }
  if (w == NULL)
    {
      if (g_hash_table_size (rw->windows) >= rw->max_keys)
        {
          gpointer ctx[2] = { rw, &now_us };

          if (g_hash_table_foreach_remove (rw->windows, over, ctx) == 0)
            g_hash_table_remove_all (rw->windows);
        }
      w = g_new0 (Window, 1);
      w->key = key;
      w->start_us = now_us;
      g_hash_table_insert (rw->windows, &w->key, w);
    }
  if (w->events >= rw->max_events)
    return FALSE;
  w->events++;
  return TRUE;
}

guint
sv_rate_window_size (const SvRateWindow *rw)
{
  return g_hash_table_size (rw->windows);
}
