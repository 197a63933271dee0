/* connect-back.c: answering TCP and UDP connect-back requests (see connect-back.h). */
#include "connect-back.h"

#include "rate-window.h"
#include "stream.h"

#define RECENT_KEPT 4096

struct _SvConnectBack {
  gboolean has_local;
  SvHostAddr local;
  GHashTable *dials;     /* SvStream set (owned) */
  SvRateWindow *recent;  /* one answer of each kind per address per SV_CONNECT_BACK_GAP_US */
  SvConnectBackCounters counters;
};

static void
on_connected (SvStream *stream, gpointer user_data)
{
  SvConnectBack *cb = user_data;

  cb->counters.connected++;
  sv_stream_write (stream, (const guint8 *) "\n\n", 2);
  sv_stream_close_after_flush (stream, SV_STREAM_END_OWNER, "connect-back done");
}

static void
on_closed (SvStream *stream, guint code, const char *detail, gpointer user_data)
{
  SvConnectBack *cb = user_data;

  g_hash_table_remove (cb->dials, stream);
}

static const SvStreamCallbacks callbacks = {
  .connected = on_connected,
  .closed = on_closed,
};

SvConnectBack *
sv_connect_back_new (const SvHostAddr *local)
{
  SvConnectBack *cb = g_new0 (SvConnectBack, 1);

  if (local != NULL)
    {
      cb->has_local = TRUE;
      cb->local = *local;
    }
  cb->dials = g_hash_table_new_full (g_direct_hash, g_direct_equal,
                                     (GDestroyNotify) sv_stream_free, NULL);
  cb->recent = sv_rate_window_new (1, SV_CONNECT_BACK_GAP_US, RECENT_KEPT);
  return cb;
}

void
sv_connect_back_free (SvConnectBack *cb)
{
  if (cb == NULL)
    return;
  g_hash_table_unref (cb->dials);
  sv_rate_window_free (cb->recent);
  g_free (cb);
}

/* One answer of each kind (@udp or TCP) per address per gap. Returns: FALSE (counted) when
 * refused. */
static gboolean
take_turn (SvConnectBack *cb, const SvHostAddr *addr, gboolean udp, gint64 now_us)
{
  if (addr->port == 0 || !sv_rate_window_take (cb->recent, addr, udp ? 1 : 0, now_us))
    {
      cb->counters.refused++;
      return FALSE;
    }
  return TRUE;
}

gboolean
sv_connect_back_udp (SvConnectBack *cb, const SvHostAddr *addr, gint64 now_us)
{
  if (!take_turn (cb, addr, TRUE, now_us))
    return FALSE;
  cb->counters.udp_pings++;
  return TRUE;
}

gboolean
sv_connect_back_dial (SvConnectBack *cb, const SvHostAddr *addr, gint64 now_us)
{
  if (g_hash_table_size (cb->dials) >= SV_CONNECT_BACK_MAX_DIALS)
    {
      cb->counters.refused++;
      return FALSE;
    }
  if (!take_turn (cb, addr, FALSE, now_us))
    return FALSE;
  cb->counters.dialled++;
  g_hash_table_add (cb->dials, sv_stream_connect (addr, cb->has_local ? &cb->local : NULL,
                                                  SV_CONNECT_BACK_TIMEOUT_US, &callbacks, cb));
  return TRUE;
}

void
sv_connect_back_get_counters (const SvConnectBack *cb, SvConnectBackCounters *out)
{
  *out = cb->counters;
}
